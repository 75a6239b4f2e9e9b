import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { InvalidQuotedCellError, parseCsv } from './parse';
import { InvalidQuoteError, UnclosedQuoteError, guessDialect, recordBlocks, splitHeader, type CsvDialect } from './record-blocks';

async function* chunksOf(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const comma: CsvDialect = { sep: ',', newline: '\n' };
const semicolonCrlf: CsvDialect = { sep: ';', newline: '\r\n' };

async function blocks(text: string, chunkSize: number, blockChars: number, dialect = comma) {
  const out: string[] = [];
  for await (const block of recordBlocks(chunksOf(text, chunkSize), dialect, blockChars)) out.push(block);
  return out;
}

const csv = 'id,note\n1,"a\nb"\n2,"say ""hi""\n, ok"\n3,plain\r\n4,last';

/**
 * Quotes as papaparse reads them: stray ones in unquoted cells, `""` escapes, a closing quote before white space, line breaks in quoted
 * cells. (None in a quoted cell that does not end it: papaparse's InvalidQuotes, refused.)
 */
const strayQuotes = [
  '"id";name;product;notes',
  '1;A;27" monitor;"first ""quoted"" line\r\nsecond; line"',
  '2;B;"24"" screen" ;plain',
  '3;C;x;"a\n4;Z;made up;"" lead\nend"',
  '4;D;5" cable;"say ""hi"";\n5;E;x;fine"',
].join('\r\n');

/** Papaparse's rows of a text, as the import parses each block. */
const rowsOf = (text: string, { sep, newline }: CsvDialect) => Papa.parse<string[]>(text, { delimiter: sep, newline, skipEmptyLines: 'greedy' }).data;
/** Papaparse's rows of each block on its own, one after the other. */
const rowsOfBlocks = (out: string[], dialect: CsvDialect) => out.flatMap((block) => rowsOf(block, dialect));

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
    expect(Papa.parse(strayQuotes).meta.linebreak).toBe('\r\n');
    expect(Papa.parse(strayQuotes).errors).toEqual([]);
    const whole = rowsOf(strayQuotes, semicolonCrlf);
    expect(whole.map((row) => row[3])).toEqual(['notes', 'first "quoted" line\r\nsecond; line', 'plain', 'a\n4;Z;made up;" lead\nend', 'say "hi";\n5;E;x;fine']);
    for (const chunkSize of [1, 5, 1000]) {
      for (let blockChars = 1; blockChars <= strayQuotes.length; blockChars++) {
        const out = await blocks(strayQuotes, chunkSize, blockChars, semicolonCrlf);
        expect(out.join('')).toBe(strayQuotes);
        expect(rowsOfBlocks(out, semicolonCrlf)).toEqual(whole);
      }
    }
  });

  it("ends records only at the file's line break: a bare LF or CR in a CRLF file is text, after a closing quote too", async () => {
    const crlf = ['id,note,owner', '1,first\nsecond,Ann', '2,"quoted"\n ,Bo', '3,a\rb,Cy', '4,"x"\r\n5,last,Di'].join('\r\n');
    const dialect: CsvDialect = { sep: ',', newline: '\r\n' };
    const whole = rowsOf(crlf, dialect);
    expect(whole.map((row) => row[1])).toEqual(['note', 'first\nsecond', 'quoted', 'a\rb', 'x', 'last']);
    for (let blockChars = 1; blockChars <= crlf.length; blockChars++) {
      const out = await blocks(crlf, 2, blockChars, dialect);
      expect(out.join('')).toBe(crlf);
      expect(rowsOfBlocks(out, dialect)).toEqual(whole);
    }
    // An old Mac file: CR alone ends its records, and an LF is text.
    const cr = 'id,note\r1,a\nb\r2,"c\rd"\r3,e';
    const crDialect: CsvDialect = { sep: ',', newline: '\r' };
    expect(rowsOf(cr, crDialect)).toHaveLength(4);
    for (let blockChars = 1; blockChars <= cr.length; blockChars++) expect(rowsOfBlocks(await blocks(cr, 3, blockChars, crDialect), crDialect)).toEqual(rowsOf(cr, crDialect));
  });

  it('drops the byte order mark, so a quote after it opens the first cell', async () => {
    const out = await blocks(`\uFEFF${strayQuotes}`, 4, 8, semicolonCrlf);
    expect(out.join('')).toBe(strayQuotes);
  });

  it('keeps everything in one block when the text is smaller than a block', async () => {
    expect(await blocks(csv, 4, 1 << 20)).toEqual([csv]);
  });

  it('throws after the last block when the text ends inside a quoted cell, which papaparse would read to the end', async () => {
    const unclosed = 'id,note\n1,a\n2,"never closed\n3,c\n4,d\n';
    expect(rowsOf(unclosed, comma)).toEqual([['id', 'note'], ['1', 'a'], ['2', 'never closed\n3,c\n4,d\n']]);
    for (const blockChars of [1, 5, 1000]) {
      const out: string[] = [];
      const read = async () => {
        for await (const block of recordBlocks(chunksOf(unclosed, 3), comma, blockChars)) out.push(block);
      };
      await expect(read()).rejects.toThrow(UnclosedQuoteError);
      expect(out.join('')).toBe(unclosed);
    }
    // A closing quote at the very end, escaped quotes and a stray quote in an unquoted cell leave nothing open.
    expect((await blocks('id,note\n1,"a ""b"""\n2,27" monitor\n3,"c"', 4, 5)).join('')).toBe('id,note\n1,"a ""b"""\n2,27" monitor\n3,"c"');
  });

  it('ends a block right after the character that shows a quote in a quoted cell does not end it, for parseCsv to refuse, and throws if read on', async () => {
    // Papaparse reads Ann's company on to Dan's "Globex, Ltd": the block ends at Ann's `"Big" D` instead.
    const misquoted = 'Name,Company,Converted\nAnn,"Big" Deal Inc,Yes\nBob,Acme,No\nCat,Initech,No\nDan,"Globex, Ltd",Yes\nEve,Umbrella,No\n';
    const upToShown = misquoted.slice(0, misquoted.indexOf('"Big" D') + '"Big" D'.length);
    for (const chunkSize of [1, 4, 1000]) {
      for (const blockChars of [1, 5, 1000]) {
        const out: string[] = [];
        const read = async () => {
          for await (const block of recordBlocks(chunksOf(misquoted, chunkSize), comma, blockChars)) out.push(block);
        };
        await expect(read()).rejects.toThrow(InvalidQuoteError);
        expect(out.join('')).toBe(upToShown);
        expect(out.at(-1)?.endsWith('Ann,"Big" D')).toBe(true);
      }
    }
    // The blocks read up to there are refused as the whole file is, naming the row.
    expect(() => parseCsv(upToShown)).toThrow(new InvalidQuotedCellError(1, '"Big"'));
    expect(() => parseCsv(misquoted)).toThrow(new InvalidQuotedCellError(1, '"Big"'));
    // A quote, white space (a bare CR, in a CRLF file), then another quote: the first does not end the cell, as papaparse reads it.
    const spaced = 'id;note\r\n1;"a" \r"b"\r\n2;x\r\n';
    expect(Papa.parse(spaced, { delimiter: ';', newline: '\r\n' }).errors.map((error) => error.code)).toContain('InvalidQuotes');
    await expect(blocks(spaced, 3, 1, semicolonCrlf)).rejects.toThrow(InvalidQuoteError);
    expect(() => parseCsv(spaced)).toThrow(new InvalidQuotedCellError(1, '"a"'));
  });

  it('stops reading once a record runs on past the longest allowed, instead of holding the rest of the file', async () => {
    const read: string[] = [];
    /** A file whose quoted cell never closes, chunk by chunk, noting how far it was read. */
    async function* endless() {
      yield 'id,note\n1,ok\n2,"never closed';
      for (let i = 0; i < 1000; i++) yield (read[read.length] = `\n${i},more text`);
    }
    const blocksRead: string[] = [];
    const readAll = async () => {
      for await (const block of recordBlocks(endless(), comma, 5, 200)) blocksRead.push(block);
    };
    await expect(readAll()).rejects.toThrow(
      'A row of the CSV file runs on for more than 200 characters: most likely a quoted cell is never closed (a " opens it and none ends it), or the file is not a CSV file.',
    );
    expect(blocksRead).toEqual(['id,note\n', '1,ok\n']);
    expect(read.length).toBeLessThan(30);
    // Long records below the limit are read whole, whatever the chunk size.
    const long = `id,note\n1,"${'x'.repeat(150)}\n${'y'.repeat(40)}"\n2,b\n`;
    const longBlocks: string[] = [];
    for await (const block of recordBlocks(chunksOf(long, 7), comma, 5, 200)) longBlocks.push(block);
    expect(longBlocks.join('')).toBe(long);
  });

  it('yields nothing for an empty or blank text', async () => {
    expect(await blocks('\n \n', 2, 4)).toEqual([]);
  });
});

describe('guessDialect', () => {
  it('guesses the separator from the rows, where the header alone ties', async () => {
    const header = 'Name;Revenue (USD, k);Employees (FTE, approx)';
    // Three cells either way: papaparse would pick the comma.
    expect(Papa.parse(header).meta.delimiter).toBe(',');
    expect(await guessDialect(chunksOf(`\uFEFF${header}\r\nAcme;12,5;40\r\nBeta;7;12\r\n`, 3))).toEqual({ sep: ';', newline: '\r\n' });
    expect(await guessDialect(chunksOf('id\tnote\n1\t"a, b"\n', 3))).toEqual({ sep: '\t', newline: '\n' });
  });

  it('guesses the line break as papaparse does: line breaks in quoted cells do not count, and one line is LF', async () => {
    expect(await guessDialect(chunksOf('id,note\r\n1,"a\nb\nc"\r\n2,d\r\n', 4))).toEqual({ sep: ',', newline: '\r\n' });
    expect(await guessDialect(chunksOf('id,note\r1,x\r2,y', 4))).toEqual({ sep: ',', newline: '\r' });
    expect(await guessDialect(chunksOf('id,note', 4))).toEqual({ sep: ',', newline: '\n' });
  });
});

describe('splitHeader', () => {
  it('splits after the first record papaparse does not skip as blank, keeping its line ending', () => {
    expect(splitHeader('"a\nb",c\n1,2\n', comma)).toEqual({ header: '"a\nb",c\n', rest: '1,2\n' });
    expect(splitHeader('\r\n ;\r\n"a;1";c\r\n1;2\r\n', semicolonCrlf)).toEqual({ header: '\r\n ;\r\n"a;1";c\r\n', rest: '1;2\r\n' });
    expect(splitHeader('a\nb;c\r\n1;2\r\n', semicolonCrlf)).toEqual({ header: 'a\nb;c\r\n', rest: '1;2\r\n' });
    expect(splitHeader('a,b', comma)).toEqual({ header: 'a,b', rest: '' });
    expect(splitHeader('\n , \n', comma)).toBeNull();
  });
});
