/**
 * CSV text arriving in chunks (a file's stream) → blocks of whole records, so each block can
 * be parsed and validated on its own while the file is still being read. Each block is parsed
 * by papaparse (the trainer's `parseCsv`), so a line break ends a record exactly where papaparse
 * would end one, else a cut falls inside a quoted cell:
 * - a quote opens a quoted cell only as the cell's first character (at the start, after the
 *   separator or a line break); anywhere else (`27" monitor`) it is text;
 * - inside a quoted cell, `""` is an escaped quote; a quote followed by the separator or a
 *   line break (white space may come between) closes the cell; any other quote does not end the
 *   cell (papaparse's InvalidQuotes), which `parseCsv` refuses: a block ends right after it, so the
 *   refusal comes without reading on to where papaparse would end the cell;
 * - only the file's line break ends a record: in a CRLF file, a bare LF is text.
 * So the separator and the line break must be known before the first cut: `guessDialect` reads
 * them from the start of the file, and every block is parsed with them.
 */
import Papa from 'papaparse';
import { TrainingDataError } from '../ml/train/errors';
import { SEPARATOR_LINE } from './parse';

/** Default block size: large enough that parsing dominates, small enough to keep memory flat. */
export const BLOCK_CHARS = 1 << 20;

/**
 * How much of the file's start the dialect is guessed from: papaparse guesses the separator from
 * its first 10 rows, which this holds in all but very wide files, and the line break from its first MiB.
 */
const DIALECT_SAMPLE_CHARS = 1 << 20;

/**
 * The longest record read: a lead's row is a few KB, even with long notes. Past this, a quoted cell
 * is most likely never closed (or the file is no CSV), and the rest of the file would be held in
 * memory waiting for the record's end.
 */
export const MAX_RECORD_CHARS = 1 << 24;

const QUOTE = 0x22;
const CR = 0x0d;

/** How a file writes its records, as papaparse guesses it: the separator between cells (one character) and the line break between records. */
export interface CsvDialect {
  sep: string;
  newline: '\n' | '\r\n' | '\r';
}
/** What papaparse allows between a closing quote and the separator or newline (`String.prototype.trim`'s white space). */
const WHITE_SPACE = /\s/;

/** Where a reader is in a record, as papaparse would read it. */
type Place = 'cell start' | 'unquoted cell' | 'quoted cell' | 'quote in quoted cell' | 'white space after quote';

/** Finds the line breaks that end records, reading a text in pieces and carrying its place from one to the next. */
class RecordEnds {
  private place: Place = 'cell start';
  private invalidQuote = false;
  private readonly sep: number;
  /** The line break's last character, and whether a CR must come before it. */
  private readonly newlineEnd: number;
  private readonly crFirst: boolean;

  constructor({ sep, newline }: CsvDialect) {
    this.sep = sep.charCodeAt(0);
    this.newlineEnd = newline.charCodeAt(newline.length - 1);
    this.crFirst = newline === '\r\n';
  }

  /** Whether `text[i]` ends a line break (its CR, in a CRLF file, is the character before). */
  private endsNewline(text: string, i: number, char: number): boolean {
    return char === this.newlineEnd && (!this.crFirst || text.charCodeAt(i - 1) === CR);
  }

  /**
   * Reads `text` from `from` on: the index just after the next line break that ends a record, or just
   * after the character that shows a quote in a quoted cell does not end it (`atInvalidQuote`), or -1
   * once `text` is read to its end.
   */
  next(text: string, from: number): number {
    this.invalidQuote = false;
    let place = this.place;
    for (let i = from; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (place === 'quoted cell') {
        if (char === QUOTE) place = 'quote in quoted cell';
      } else if (place === 'quote in quoted cell' || place === 'white space after quote') {
        // The quote before closes the cell if the separator or a line break follows it (white space
        // may come between); a quote right after it escapes it; anything else shows it does not end the cell.
        if (char === QUOTE && place === 'quote in quoted cell') place = 'quoted cell';
        else if (char === this.sep) place = 'cell start';
        else if (this.endsNewline(text, i, char)) return this.endRecord(i);
        else if (WHITE_SPACE.test(text[i])) place = 'white space after quote';
        else return this.stopAtInvalidQuote(text, i);
      } else if (char === this.sep) place = 'cell start';
      else if (this.endsNewline(text, i, char)) return this.endRecord(i);
      else place = char === QUOTE && place === 'cell start' ? 'quoted cell' : 'unquoted cell';
    }
    this.place = place;
    return -1;
  }

  private endRecord(newline: number): number {
    this.place = 'cell start';
    return newline + 1;
  }

  /** Papaparse reads the quote before `shown` as text, and the cell on (`shown` may be the quote that ends it): so does the reader, if asked to read on. */
  private stopAtInvalidQuote(text: string, shown: number): number {
    this.invalidQuote = true;
    this.place = text.charCodeAt(shown) === QUOTE ? 'quote in quoted cell' : 'quoted cell';
    return shown + 1;
  }

  /** Whether the last `next` stopped at a quote in a quoted cell that does not end it. */
  get atInvalidQuote(): boolean {
    return this.invalidQuote;
  }

  /** Whether the text read so far ends inside a quoted cell (its closing quote has not come). */
  get insideQuotedCell(): boolean {
    return this.place === 'quoted cell';
  }
}

/**
 * The file ends inside a quoted cell: papaparse reads everything after the opening quote as
 * that one cell, so the rows after it would vanish into it unnoticed. Thrown once the last block
 * (whose last record holds the cell) has been read; the reader knows that record's row number.
 */
export class UnclosedQuoteError extends TrainingDataError {
  constructor() {
    super('A quoted cell in the CSV file is never closed.');
  }
}

/**
 * A quote in a quoted cell does not end it, and reading went on past the block that ends at it
 * (`parseCsv`, reading that block, refuses it and names its row).
 */
export class InvalidQuoteError extends TrainingDataError {
  constructor() {
    super('A cell of the CSV file starts with a quote (") and goes on after the quote that should end it, so the cell could take in the rows after it.');
  }
}

/** The text of `chunks` without the byte order mark a file may start with (a quote after it would not start the first cell). */
async function* withoutBom(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const chunk of chunks) {
    yield first ? chunk.replace(/^\uFEFF/, '') : chunk;
    first = false;
  }
}

/**
 * The file's dialect, guessed by papaparse as the trainer's `parseCsv` guesses it, from the start
 * of the file: the preview and the import both take it from here, so they read the same columns
 * (a header alone can tie: `Name;Revenue (USD, k)` has two cells either way), and every block
 * ends its records as the whole file would.
 */
export async function guessDialect(chunks: AsyncIterable<string>): Promise<CsvDialect> {
  let start = '';
  for await (const chunk of withoutBom(chunks)) {
    start += chunk;
    if (start.length >= DIALECT_SAMPLE_CHARS) break;
  }
  // Excel's `sep=;` first line says the separator outright.
  const declared = SEPARATOR_LINE.exec(start)?.[1];
  const { delimiter, linebreak } = Papa.parse<string[]>(start, { delimiter: declared ?? '', preview: 1, skipEmptyLines: 'greedy' }).meta;
  return { sep: delimiter, newline: linebreak === '\r\n' || linebreak === '\r' ? linebreak : '\n' };
}

/**
 * The text of `chunks` (without a BOM) in blocks of whole records: each block ends at the first
 * record end at least `blockChars` into it (so the cuts do not depend on how the text is chunked);
 * the last block holds what is left. A quote in a quoted cell that does not end it ends a block right
 * after the character that shows it, inside its record, for `parseCsv` to refuse: `InvalidQuoteError`
 * if reading goes on. Throws `UnclosedQuoteError` after the last block when the
 * text ends inside a quoted cell, and a `TrainingDataError` as soon as a record is longer than `maxRecordChars`.
 */
export async function* recordBlocks(
  chunks: AsyncIterable<string>,
  dialect: CsvDialect,
  blockChars = BLOCK_CHARS,
  maxRecordChars = MAX_RECORD_CHARS,
): AsyncGenerator<string> {
  const records = new RecordEnds(dialect);
  let pending = '';
  /** How far `records` has read `pending`, and where in it the record not ended yet starts. */
  let read = 0;
  let recordStart = 0;
  for await (const chunk of withoutBom(chunks)) {
    pending += chunk;
    for (let end = records.next(pending, read); end !== -1; end = records.next(pending, read)) {
      if (records.atInvalidQuote) {
        yield pending.slice(0, end);
        throw new InvalidQuoteError();
      }
      read = recordStart = end;
      if (end >= blockChars) {
        yield pending.slice(0, end);
        pending = pending.slice(end);
        read = recordStart = 0;
      }
    }
    if (pending.length - recordStart > maxRecordChars) {
      throw new TrainingDataError(
        `A row of the CSV file runs on for more than ${maxRecordChars.toLocaleString('en-US')} characters: most likely a quoted cell is never closed ` +
          '(a " opens it and none ends it), or the file is not a CSV file. Check the file and import again.',
      );
    }
    read = pending.length;
  }
  if (pending.trim() !== '') yield pending;
  if (records.insideQuotedCell) throw new UnclosedQuoteError();
}

/**
 * The header (the first record papaparse does not skip as blank, with the blank lines before it
 * and its line ending) of a block and the rest: `header + rest` is the block. Null when the block
 * has only blank lines.
 */
export function splitHeader(block: string, dialect: CsvDialect): { header: string; rest: string } | null {
  const records = new RecordEnds(dialect);
  for (let start = 0; start < block.length; ) {
    // At a quote that does not end its cell, the header is cut there: `parseCsv` refuses the block it is read with.
    const next = records.next(block, start);
    const end = next === -1 ? block.length : next;
    const record = block.slice(start, end);
    // Excel's `sep=;` line stays before the header, as blank lines do: parseCsv reads and skips it in every block.
    const separatorLine = start === 0 && SEPARATOR_LINE.test(record);
    if (!separatorLine && Papa.parse<string[]>(record, { delimiter: dialect.sep, newline: dialect.newline, skipEmptyLines: 'greedy' }).data.length > 0) {
      return { header: block.slice(0, end), rest: block.slice(end) };
    }
    start = end;
  }
  return null;
}
