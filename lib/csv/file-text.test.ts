import 'fake-indexeddb/auto';
/** Reading a chosen file's text: errors said as what to do. */
import { describe, expect, it } from 'vitest';
import { TrainingDataError } from '../ml/train/errors';
import { parseCsv } from './parse';
import { fileText } from './file-text';
import { answerCsvRequest } from './import-job';
import { dexieCsvSink } from './stored';
import type { CsvEvent } from './worker-protocol';

async function textOf(file: Blob): Promise<string> {
  let text = '';
  for await (const chunk of fileText(file)) text += chunk;
  return text;
}

/** A file of `bytes` whose reading gives them `size` bytes at a time, as Chrome's gives 64 KiB. */
function readInChunks(bytes: Uint8Array<ArrayBuffer>, size: number): File {
  const file = new File([bytes], 'leads.csv', { type: 'text/csv' });
  const stream = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += size) controller.enqueue(bytes.slice(at, at + size));
        controller.close();
      },
    });
  return Object.defineProperty(file, 'stream', { value: stream });
}

/** A chosen file saved again since: Chrome's reading of it fails with NotReadableError after its first bytes. */
function changedSinceChosen(): File {
  const file = new File(['id,won\nA,1\n'], 'leads.csv', { type: 'text/csv' });
  const stream = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('id,won\n'));
        controller.error(new DOMException('The requested file could not be read, typically due to permission problems that have occurred after a reference to a file was acquired.', 'NotReadableError'));
      },
    });
  return Object.defineProperty(file, 'stream', { value: stream });
}

describe('fileText', () => {
  it('reads UTF-8 text, and says to re-export a file that is not', async () => {
    expect(await textOf(new Blob(['id,name\n1,Zoë\n']))).toBe('id,name\n1,Zoë\n');
    await expect(textOf(new Blob([new Uint8Array([0x69, 0x64, 0xff, 0x0a])]))).rejects.toThrow(
      new TrainingDataError('The CSV file is not valid UTF-8 (first bad bytes on line 1). Re-export it as UTF-8 (e.g. "CSV UTF-8" in Excel).'),
    );
  });

  it('names the line of the first bad bytes in a later chunk, in the words the CLI says of the same file', async () => {
    // The review's file: 12,000 leads, a Windows-1252 curly quote (0x93) on line 11,991, read in Chrome's 64 KiB chunks.
    const lines = ['lead_id,company,converted', ...Array.from({ length: 12_000 }, (_, i) => `L${i},Acme ${i},${i % 3 === 0 ? 1 : 0}`)];
    const bytes = new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);
    const badAt = new TextEncoder().encode(`${lines.slice(0, 11_990).join('\r\n')}\r\nL11989,Acme `).length;
    bytes[badAt] = 0x93;
    const expected = new TrainingDataError('The CSV file is not valid UTF-8 (first bad bytes on line 11991). Re-export it as UTF-8 (e.g. "CSV UTF-8" in Excel).');
    await expect(textOf(readInChunks(bytes, 64 * 1024))).rejects.toThrow(expected);
    expect(() => parseCsv(bytes)).toThrow(expected);
  });

  it('counts lines as they end in \\n, \\r\\n or a lone \\r, a \\r\\n split between chunks once, as the CLI does', async () => {
    // line 5 holds the bad byte; a literal U+FFFD (valid) on line 2 is no bad byte
    const bytes = new Uint8Array([...new TextEncoder().encode('id,won\r\n\uFFFD,1\ra,0\nb,1\r\nc,'), 0xe2, 0x28, 0x0a]);
    const expected = /^The CSV file is not valid UTF-8 \(first bad bytes on line 5\)\./;
    expect(() => parseCsv(bytes)).toThrow(expected);
    for (let size = 1; size <= bytes.length; size++) await expect(textOf(readInChunks(bytes, size))).rejects.toThrow(expected);
  });

  it('reads a character split between chunks as that character, and refuses one the file leaves unfinished', async () => {
    const text = 'id,name\r\n1,Zoë\r2,東京\n3,🦊\n';
    const bytes = new TextEncoder().encode(`\uFEFF${text}`);
    for (let size = 1; size <= bytes.length; size++) expect(await textOf(readInChunks(bytes, size))).toBe(text);
    // the fox's first 3 bytes, on line 4
    const unfinished = bytes.subarray(0, bytes.length - 2);
    for (let size = 1; size <= unfinished.length; size++) {
      await expect(textOf(readInChunks(unfinished, size))).rejects.toThrow(/^The CSV file is not valid UTF-8 \(first bad bytes on line 4\)\./);
    }
    expect(() => parseCsv(unfinished)).toThrow(/^The CSV file is not valid UTF-8 \(first bad bytes on line 4\)\./);
  });

  it('names a workbook, an image or UTF-16 text for what it is, not as a CSV file to re-export as UTF-8', async () => {
    const startingWith = (...bytes: number[]) => new Blob([new Uint8Array([...bytes, 0x00, 0xff, 0x9c, 0x0a])]);
    const utf16WithByteOrderMark = (littleEndian: boolean) => {
      const bytes = new Uint8Array(2 + 2 * 'id,won\n'.length);
      const view = new DataView(bytes.buffer);
      ['\uFEFF', ...'id,won\n'].forEach((char, i) => view.setUint16(2 * i, char.charCodeAt(0), littleEndian));
      return new Blob([bytes]);
    };
    await expect(textOf(startingWith(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00))).rejects.toThrow(
      new TrainingDataError('This file is a ZIP archive (an Excel .xlsx workbook is one), not a CSV file: save it as CSV UTF-8 (in Excel: Save As, "CSV UTF-8").'),
    );
    await expect(textOf(startingWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).rejects.toThrow(new TrainingDataError('This file is a PNG image, not a CSV file: choose the CSV file instead.'));
    await expect(textOf(startingWith(0xff, 0xd8, 0xff, 0xe0))).rejects.toThrow(/^This file is a JPEG image, not a CSV file/);
    await expect(textOf(startingWith(...new TextEncoder().encode('GIF89a')))).rejects.toThrow(/^This file is a GIF image, not a CSV file/);
    await expect(textOf(startingWith(...new TextEncoder().encode('%PDF-1.7\n')))).rejects.toThrow(/^This file is a PDF document, not a CSV file/);
    for (const littleEndian of [true, false]) {
      await expect(textOf(utf16WithByteOrderMark(littleEndian))).rejects.toThrow(
        new TrainingDataError('This file is UTF-16 text, not UTF-8: re-export it as UTF-8 (e.g. "CSV UTF-8" in Excel).'),
      );
    }
    // What the admin reads in the import's answer.
    const events: CsvEvent[] = [];
    const workbook = new File([startingWith(0x50, 0x4b, 0x03, 0x04)], 'leads.csv', { type: 'text/csv' });
    await answerCsvRequest({ type: 'preview', file: workbook }, (event) => events.push(event), dexieCsvSink);
    expect(events.at(-1)).toEqual({ type: 'failed', error: expect.stringMatching(/^This file is a ZIP archive/) });
  });

  it('says to choose a file again that changed since it was chosen, in the preview’s and the import’s answer too', async () => {
    await expect(textOf(changedSinceChosen())).rejects.toThrow(new TrainingDataError('The file changed since it was chosen: choose it again.'));
    const events: CsvEvent[] = [];
    await answerCsvRequest({ type: 'preview', file: changedSinceChosen() }, (event) => events.push(event), dexieCsvSink);
    expect(events.at(-1)).toEqual({ type: 'failed', error: 'The file changed since it was chosen: choose it again.' });
  });
});
