import { describe, expect, it } from 'vitest';
import { recordBlocks, splitHeader } from './record-blocks';

async function* chunksOf(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function blocks(text: string, chunkSize: number, blockChars: number) {
  const out: string[] = [];
  for await (const block of recordBlocks(chunksOf(text, chunkSize), blockChars)) out.push(block);
  return out;
}

const csv = 'id,note\n1,"a\nb"\n2,"say ""hi""\n, ok"\n3,plain\r\n4,last';

describe('recordBlocks', () => {
  it('cuts only between records, never inside a quoted cell, whatever the chunk size', async () => {
    for (const chunkSize of [1, 3, 7, 1000]) {
      const out = await blocks(csv, chunkSize, 5);
      expect(out.join('')).toBe(csv);
      for (const block of out.slice(0, -1)) expect(block.endsWith('\n')).toBe(true);
      // Each cut is at a record boundary: the quotes in every block balance.
      for (const block of out) expect((block.match(/"/g) ?? []).length % 2).toBe(0);
    }
  });

  it('keeps everything in one block when the text is smaller than a block', async () => {
    expect(await blocks(csv, 4, 1 << 20)).toEqual([csv]);
  });

  it('yields nothing for an empty or blank text', async () => {
    expect(await blocks('\n \n', 2, 4)).toEqual([]);
  });
});

describe('splitHeader', () => {
  it('splits at the first newline outside quotes', () => {
    expect(splitHeader('"a\nb",c\r\n1,2\n')).toEqual({ header: '"a\nb",c', rest: '1,2\n' });
    expect(splitHeader('a,b')).toEqual({ header: 'a,b', rest: '' });
  });
});
