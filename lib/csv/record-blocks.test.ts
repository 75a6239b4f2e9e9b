import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { guessSeparator, recordBlocks, splitHeader } from './record-blocks';

async function* chunksOf(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function blocks(text: string, chunkSize: number, blockChars: number, sep = ',') {
  const out: string[] = [];
  for await (const block of recordBlocks(chunksOf(text, chunkSize), sep, blockChars)) out.push(block);
  return out;
}

const csv = 'id,note\n1,"a\nb"\n2,"say ""hi""\n, ok"\n3,plain\r\n4,last';

/** Quotes as papaparse reads them: stray ones in unquoted cells, `""` escapes, a closing quote before white space, line breaks in quoted cells. */
const strayQuotes = [
  '"id";name;product;notes',
  '1;A;27" monitor;"first ""quoted"" line\r\nsecond; line"',
  '2;B;"24"" screen" ;plain',
  '3;C;x;"a\n4;Z;made up;"" lead\nend"',
  '4;D;5" cable;"say ""hi"";\n5;E;x;fine"',
  '5;E;"stray " quote";last',
].join('\r\n');

/** Papaparse's rows of each block on its own, one after the other. */
const rowsOfBlocks = (out: string[], sep: string) => out.flatMap((block) => Papa.parse<string[]>(block, { delimiter: sep, skipEmptyLines: 'greedy' }).data);

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

  it('cuts where papaparse ends a record, whatever the block and chunk sizes, with quotes that do not open or close a cell', async () => {
    const whole = Papa.parse<string[]>(strayQuotes, { delimiter: ';', skipEmptyLines: 'greedy' }).data;
    expect(whole.map((row) => row[3])).toEqual(['notes', 'first "quoted" line\r\nsecond; line', 'plain', 'a\n4;Z;made up;" lead\nend', 'say "hi";\n5;E;x;fine', 'last']);
    for (const chunkSize of [1, 5, 1000]) {
      for (let blockChars = 1; blockChars <= strayQuotes.length; blockChars++) {
        const out = await blocks(strayQuotes, chunkSize, blockChars, ';');
        expect(out.join('')).toBe(strayQuotes);
        expect(rowsOfBlocks(out, ';')).toEqual(whole);
      }
    }
  });

  it('drops the byte order mark, so a quote after it opens the first cell', async () => {
    const out = await blocks(`\uFEFF${strayQuotes}`, 4, 8, ';');
    expect(out.join('')).toBe(strayQuotes);
  });

  it('keeps everything in one block when the text is smaller than a block', async () => {
    expect(await blocks(csv, 4, 1 << 20)).toEqual([csv]);
  });

  it('yields nothing for an empty or blank text', async () => {
    expect(await blocks('\n \n', 2, 4)).toEqual([]);
  });
});

describe('guessSeparator', () => {
  it('guesses from the rows, where the header alone ties', async () => {
    const header = 'Name;Revenue (USD, k);Employees (FTE, approx)';
    // Three cells either way: papaparse would pick the comma.
    expect(Papa.parse(header).meta.delimiter).toBe(',');
    expect(await guessSeparator(chunksOf(`\uFEFF${header}\r\nAcme;12,5;40\r\nBeta;7;12\r\n`, 3))).toBe(';');
    expect(await guessSeparator(chunksOf('id\tnote\n1\t"a, b"\n', 3))).toBe('\t');
  });
});

describe('splitHeader', () => {
  it('splits after the first record papaparse does not skip as blank, keeping its line ending', () => {
    expect(splitHeader('"a\nb",c\r\n1,2\n', ',')).toEqual({ header: '"a\nb",c\r\n', rest: '1,2\n' });
    expect(splitHeader('\r\n ;\r\n"a;1";c\r\n1;2\n', ';')).toEqual({ header: '\r\n ;\r\n"a;1";c\r\n', rest: '1;2\n' });
    expect(splitHeader('a,b', ',')).toEqual({ header: 'a,b', rest: '' });
    expect(splitHeader('\n , \r\n', ',')).toBeNull();
  });
});
