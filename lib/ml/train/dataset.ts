/**
 * Training data: CSV text → a table of records, the target → labels, feature specs inferred
 * from the columns (when no spec file is given), vocabularies learned, and everything
 * validated with errors that say what is wrong and what is needed. Pure, no Node APIs
 * (papaparse runs in a Web Worker too).
 */
import Papa from 'papaparse';
import { isMissingRaw, parseDate, parseNumber, type NumberFormat } from '../derive';
import { featureLevel, featureNumber, featurizeRecords, type RawRecord, type SourceKind } from '../featurize';
import { withOptionLabels, type Derive, type Feature, type FeatureSpec } from '../manifest';
import { clipWithEllipsis, QUOTED_CELL_CHARS, visibleText } from '../visible-text';
import { countPositives } from './metrics';
import { oneValueOnly } from './outcome-suggestions';
import { listInWords } from '../../list-in-words';
import { plural } from '../../presentation';

/** Minimums for training at all (Einstein asks for 1,000 leads and 120 conversions; below these nothing can be learned). */
export const MIN_ROWS = 50;
export const MIN_POSITIVES = 10;
export const MIN_NEGATIVES = 10;
/** Categorical levels with fewer training rows than this are pooled into "(other)". */
export const MIN_LEVEL_COUNT = 10;
/** At most this many levels per categorical feature (the rest pooled): bins must fit a byte. */
export const MAX_LEVELS = 254;
export const OTHER_LEVEL = '(other)';
/**
 * An inferred column is numeric when at least this share of its values read as numbers: a
 * few typed notes ("unknown", "ask sales") read as missing rather than turning the column
 * into categories.
 */
const MIN_NUMERIC_SHARE = 0.95;
/**
 * An inferred column is a date column when at least this share of its values read as dates, as
 * for numbers: a few written in a form `parseDate` does not read ("Sep 19, 2026", "3/4/26", whose
 * day and month may be either way round) read as missing rather than dropping the column.
 */
const MIN_DATE_SHARE = 0.95;
/**
 * A column with fewer dates than MIN_DATE_SHARE is still noted as not read as dates (with values
 * not read, and how to write them) when at least this share of its values are dates; with fewer,
 * it is text with a few dates in it, read as categories without a note.
 */
const MIN_DATE_LIKE_SHARE = 0.5;
/**
 * A column with fewer numbers than MIN_NUMERIC_SHARE is still noted as not read as numbers (with
 * values that are not, and how to have it read) when at least this share of its values are
 * numbers: a number column with many notes typed in it, which would otherwise become categories
 * (or be dropped as an identifier) without a word.
 */
const MIN_NUMBER_LIKE_SHARE = 0.5;
/**
 * A column of whole numbers, at least MIN_ROWS of them and this share of them distinct, has a
 * number of its own in (nearly) every row, as a record number has (HubSpot's "Record ID", X
 * Education's "Lead Number"): an identifier, which a model would learn the leads' order from.
 */
const MIN_IDENTIFIER_DISTINCT_SHARE = 0.99;
/**
 * The last words of column names that name an identifier: "Record ID", "Lead Number",
 * "contact_id", "leadId", "Account No", "Ticket #". The last word only: "Number of Pageviews" is a count.
 */
const IDENTIFIER_WORDS = new Set(['id', 'key', 'number', 'no', 'nr', 'num', '#']);

/** Whether at most the share `1 - minShare` of a column's `filled` cells are not `read`. */
const mostlyRead = (read: number, filled: number, minShare: number): boolean => filled - read <= (1 - minShare) * filled;

/** Whether a column with `numbers` of its `filled` cells read as numbers is numeric (see MIN_NUMERIC_SHARE). */
export const mostlyNumbers = (numbers: number, filled: number): boolean => mostlyRead(numbers, filled, MIN_NUMERIC_SHARE);

/**
 * A filled cell's number as an inferred numeric column reads it (in `format` when given, see
 * `parseNumber`); NaN for text, and for dates written with digits (12/31/2025, 2025-12-31),
 * which are no numbers even where a number could be read from their start.
 */
export function cellNumber(text: string, format?: NumberFormat): number {
  if (/^\d{1,2}\/\d{1,2}\/\d{4}/.test(text) || /^\d{4}-\d{2}-\d{2}/.test(text)) return NaN;
  return parseNumber(text, [], format);
}

/** A clear, user-facing training error (nothing is written when one is thrown). */
export class TrainingDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDataError';
  }
}

/** More cross-validation folds than one class has rows: a fold would have no converted (or no other) row to score. */
export class TooManyFoldsError extends TrainingDataError {
  constructor(
    readonly folds: number,
    /** What the folds need and what the data has ("at least 13 converted and 13 other rows; the data has 12 converted"). */
    readonly shortfall: string,
    /** The most folds the data allows. */
    readonly maxFolds: number,
  ) {
    super(`Cross-validation in ${folds} folds needs ${shortfall}. Use at most ${maxFolds} folds.`);
    this.name = 'TooManyFoldsError';
  }
}

/**
 * A quoted cell that is never closed: papaparse reads everything after its opening quote, to the
 * end of the text, as that one cell, so the rows after it would vanish into it unnoticed.
 */
export class UnclosedQuotedCellError extends TrainingDataError {
  constructor(
    /** The row that opens the cell: 0 is the header, 1 the first data row (numbered as ragged rows are). */
    readonly row: number,
  ) {
    super(
      `${row === 0 ? 'The header row' : `Data row ${row}`} opens a quoted cell (with ") that is never closed, so everything after it, ` +
        'to the end of the file, would be read as that one cell. Add the missing closing quote, or remove the opening one.',
    );
    this.name = 'UnclosedQuotedCellError';
  }
}

/**
 * A cell that starts with a quote and goes on after the quote that should end it (`"Big" Deal Inc`,
 * papaparse's InvalidQuotes): papaparse reads on, past line breaks, to the next quote that does end a cell, so the rows
 * up to it would vanish into that cell unnoticed.
 */
export class InvalidQuotedCellError extends TrainingDataError {
  constructor(
    /** The row that holds the cell: 0 is the header, 1 the first data row (numbered as ragged rows are). */
    readonly row: number,
    /** The cell as the file writes it, from its opening quote to the quote that does not end it (cut when long, see `quoteCell`). */
    readonly cellStart: string,
  ) {
    super(
      `${row === 0 ? 'The header row' : `Data row ${row}`} has a cell that starts with a quote (") and goes on after the quote that should end it: ${cellStart}. ` +
        'Read on from there, the cell could take in the rows after it. Write each quote inside such a cell as two (""), and end the cell with one; ' +
        'or remove the quote at its start.',
    );
    this.name = 'InvalidQuotedCellError';
  }
}

export interface Table {
  columns: string[];
  /**
   * [N] column name → cell text. Records have no prototype, so every column name is an
   * ordinary key: `__proto__` is kept and `constructor` reads as the column, not as Object's.
   */
  records: RawRecord[];
}

/** A table read from CSV text, with what `parseCsv` left out of it. */
export interface ParsedCsv extends Table {
  /**
   * The cells of the one-cell lines after the last row, in order: a report's footer (Salesforce's
   * "Export Details": "Grand Totals", the copyright, "Generated By", the org's name), not leads.
   * Say so with `footerWarnings`.
   */
  footer: string[];
}

/** `cell` in quotes for a note, cut to QUOTED_CELL_CHARS. */
const quoteCell = (cell: string) => `"${clipWithEllipsis(cell, QUOTED_CELL_CHARS)}"`;

/**
 * Warns, into `warnings`, with `note`, which quotes cells of the file through `cells`; and notes its
 * wording without them in `withoutValues` (warning → wording), for the model card, which goes with
 * the model beyond the admin. `cells(quoting, instead)` is `quoting` in the warning and `instead`
 * (nothing by default) in the card's wording.
 */
export function warnQuotingCells(
  warnings: string[],
  withoutValues: Map<string, string> | undefined,
  note: (cells: (quoting: string, instead?: string) => string) => string,
): void {
  const quoting = note((text) => text);
  warnings.push(quoting);
  withoutValues?.set(quoting, note((_, instead = '') => instead));
}

/**
 * What a person should know about the `footer` `parseCsv` left out: nothing when there is none.
 * Its wording without the footer's cell goes in `withoutValues` (`warnQuotingCells`).
 */
export function footerWarnings(footer: readonly string[], withoutValues?: Map<string, string>): string[] {
  if (footer.length === 0) return [];
  const quoted = quoteCell(footer[0].trim());
  const warnings: string[] = [];
  warnQuotingCells(warnings, withoutValues, (cells) =>
    footer.length === 1
      ? `The last line, one cell${cells(` (${quoted})`)}, is not a lead: a report's footer, left out.`
      : `The last ${footer.length.toLocaleString('en-US')} lines, one cell each${cells(` (${quoted}, …)`)}, are not leads: a report's footer, left out.`,
  );
  return warnings;
}

/** What a CSV's cells are called when split at each separator papaparse guesses. */
const SEPARATOR_NAMES = new Map([
  [',', 'commas'],
  [';', 'semicolons'],
  ['\t', 'tabs'],
  ['|', 'vertical bars (|)'],
]);
const separatorName = (sep: string) => SEPARATOR_NAMES.get(sep) ?? `"${sep}"`;

/**
 * Text of a report's footer that a lead's first cell does not hold: a total, a copyright, a
 * confidentiality notice, "Generated By", a date with a time (Salesforce's "Grand Totals (2 records)",
 * "Generated By:  Jane Admin  3/31/2026 10:00 AM"). "Total" only before a number, "(" or ":" (not "Total Wine").
 */
const FOOTER_TEXT = /\btotals?\s*(?:[:(\d]|$)|copyright|©|all rights reserved|confidential|\bgenerated\b|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?[ T]+\d{1,2}:\d{2}/i;

/** The first line `sep=;` that Excel writes, and reads, to name a file's separator: no row of the table. */
export const SEPARATOR_LINE = /^sep=([^\r\n])(?:\r\n|\r|\n|$)/;

/**
 * The separator a file's `sep=` line names, when no other is `given`. Refused when another is: the
 * file says one thing and the reader another, and reading it either way could split its cells wrong.
 */
function declaredSeparator(declared: string, given: string | undefined): string {
  if (given === undefined || given === declared) return declared;
  throw new TrainingDataError(
    `The file's first line, "sep=${declared}", says its cells are separated by ${separatorName(declared)}, but ${separatorName(given)} were given as the separator. ` +
      `Delete that line if the file separates its cells with ${separatorName(given)}, or give ${separatorName(declared)} as the separator.`,
  );
}

const blankCell = (row: string[], column: number) => (row[column] ?? '').trim() === '';

/** A header cell without a name (`column` from 0), said with whether its column holds values, so the reader knows to name it or delete it. */
function unnamedColumnError(column: number, rows: string[][]): TrainingDataError {
  const firstFilled = rows.findIndex((row, r) => r > 0 && !blankCell(row, column)); // a data row number, as ragged rows are numbered
  const holds = firstFilled === -1 ? 'is empty in every row' : `holds values (first in data row ${firstFilled})`;
  return new TrainingDataError(`The CSV header has an empty column name (column ${column + 1}), and that column ${holds}. Name the column in the header row, or delete the column.`);
}

/**
 * The header read as one column when split at `sep`. Worded for both readers of `parseCsv`: the
 * options page guesses the separator and the training command takes one (--sep), so the error
 * says what was read and what the file seems to hold, not which control to change.
 */
function oneColumnError(column: string, sep: string): TrainingDataError {
  const held = [...SEPARATOR_NAMES.keys()].find((other) => other !== sep && column.includes(other));
  const advice =
    held === undefined
      ? 'A file with more columns must separate its cells with commas, semicolons or tabs.'
      : `The file seems to separate its cells with ${separatorName(held)}, not ${separatorName(sep)}.`;
  return new TrainingDataError(`The CSV header has only one column (${quoteCell(column)}) when its cells are split at ${separatorName(sep)}, and at least two are needed. ${advice}`);
}

const NOT_A_CSV_FILE = 'not a CSV file: choose the CSV file instead.';
const UTF_16_TEXT = 'UTF-16 text, not UTF-8: re-export it as UTF-8 (e.g. "CSV UTF-8" in Excel).';

/**
 * Files often chosen as a CSV file by mistake (or renamed .csv), known by their first bytes, and what to say of each: else they are
 * refused as text that is not UTF-8, telling the admin to re-export a file that was never a CSV. No CSV header starts with one.
 */
const MISTAKEN_FILE_STARTS: readonly { start: string; is: string }[] = [
  { start: '\xFF\xFE', is: UTF_16_TEXT }, // its byte order marks, little- and big-endian
  { start: '\xFE\xFF', is: UTF_16_TEXT },
  { start: 'PK\x03\x04', is: 'a ZIP archive (an Excel .xlsx workbook is one), not a CSV file: save it as CSV UTF-8 (in Excel: Save As, "CSV UTF-8").' },
  { start: '\x89PNG', is: `a PNG image, ${NOT_A_CSV_FILE}` },
  { start: '\xFF\xD8\xFF', is: `a JPEG image, ${NOT_A_CSV_FILE}` },
  { start: 'GIF8', is: `a GIF image, ${NOT_A_CSV_FILE}` },
  { start: '%PDF-', is: `a PDF document, ${NOT_A_CSV_FILE}` },
];

/** Bytes of a file's start that `mistakenFileError` needs. */
export const MISTAKEN_FILE_START_BYTES = Math.max(...MISTAKEN_FILE_STARTS.map(({ start }) => start.length));

/** The error for a file whose first bytes show it is no UTF-8 text (a workbook, an image, UTF-16), or undefined. */
export function mistakenFileError(head: Uint8Array): TrainingDataError | undefined {
  const mistaken = MISTAKEN_FILE_STARTS.find(({ start }) => [...start].every((char, i) => head[i] === char.charCodeAt(0)));
  return mistaken && new TrainingDataError(`This file is ${mistaken.is}`);
}

const [LF, CR] = [0x0a, 0x0d];

/** Line breaks (\n, \r\n, a lone \r) in `bytes`; `afterCr`: the bytes before them ended in \r, so a \n first ends no other line. */
function lineBreaksIn(bytes: Uint8Array, afterCr: boolean): number {
  let breaks = 0;
  for (let i = bytes.indexOf(CR); i !== -1; i = bytes.indexOf(CR, i + 1)) breaks++;
  for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) if (!(i === 0 ? afterCr : bytes[i - 1] === CR)) breaks++;
  return breaks;
}

/** Where the character unfinished at the end of `bytes` starts (its last bytes still to come), or their length when none is. */
function completeCharactersEnd(bytes: Uint8Array): number {
  // A UTF-8 character is at most 4 bytes: its first byte says how many, the others are 10xxxxxx.
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** Whether `bytes`, which start at a character's start, hold bytes that are not UTF-8 (a character they leave unfinished still may be). */
const holdsBadBytes = (bytes: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: true });
    return false;
  } catch (error) {
    if (error instanceof TypeError) return true;
    throw error;
  }
};

/** The index of the first bad byte in `bytes` (which start at a character's start and are not UTF-8), found by halving: a character left unfinished at their end when no byte before is. */
function firstBadByte(bytes: Uint8Array): number {
  // the shortest start of `bytes` that holds bad bytes ends with the first of them
  let [good, bad] = [0, bytes.length + 1];
  while (bad - good > 1) {
    const length = (good + bad) >>> 1;
    if (holdsBadBytes(bytes.subarray(0, length))) bad = length;
    else good = length;
  }
  return bad <= bytes.length ? bad - 1 : completeCharactersEnd(bytes);
}

/**
 * Strict UTF-8 decoding of a file's bytes chunk by chunk, as they are read (the CLI's file, the options page's chosen one): bytes
 * that are not UTF-8 are refused naming the line of the first of them, counted as a text editor does (a line ends in \n, \r\n or a
 * lone \r). A character split between chunks is read whole; a byte order mark at the start is left out.
 */
export class StrictUtf8Decoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Line breaks in the bytes decoded so far, and whether their last byte is \r (a \n next ends no other line). */
  private lineBreaks = 0;
  private afterCr = false;
  /** The first bytes of a character whose last are in the next chunk: decoded with it, so that each decoding starts at a character. */
  private unfinished = new Uint8Array(0);

  /** The text of `chunk`, the next bytes of the file (less a character it leaves unfinished, which the next chunk ends). */
  decode(chunk: Uint8Array): string {
    const bytes = this.unfinished.length === 0 ? chunk : concatBytes(this.unfinished, chunk);
    const end = completeCharactersEnd(bytes);
    this.unfinished = bytes.slice(end);
    return this.decodeCharacters(bytes.subarray(0, end), true);
  }

  /** At the file's end: refuses the file when it leaves a character unfinished. */
  finish(): void {
    this.decodeCharacters(this.unfinished, false);
  }

  private decodeCharacters(bytes: Uint8Array, stream: boolean): string {
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw notUtf8Error(this.lineBreaks + lineBreaksIn(bytes.subarray(0, firstBadByte(bytes)), this.afterCr) + 1);
    }
    this.lineBreaks += lineBreaksIn(bytes, this.afterCr);
    if (bytes.length > 0) this.afterCr = bytes[bytes.length - 1] === CR;
    return text;
  }
}

const concatBytes = (first: Uint8Array, second: Uint8Array) => {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
};

/** Bytes `parseCsv` decodes at a time. */
const DECODED_CHUNK_BYTES = 1 << 20;

/** The refusal of a file that is not UTF-8, naming the line (from 1) of its first bad bytes: the CLI's and the options page's words. */
const notUtf8Error = (line: number) =>
  new TrainingDataError(`The CSV file is not valid UTF-8 (first bad bytes on line ${line}). Re-export it as UTF-8 (e.g. "CSV UTF-8" in Excel).`);

/** Units of a file's start read to tell UTF-16 (or binary) from UTF-8 text. */
const ENCODING_SNIFF_UNITS = 4096;

/** Whether more than a tenth of the file's first characters (or bytes) are NULs: UTF-16 or no text, not a stray NUL in UTF-8. */
function looksLikeUtf16(input: string | Uint8Array): boolean {
  const head = input.slice(0, ENCODING_SNIFF_UNITS);
  let nuls = 0;
  for (let i = 0; i < head.length; i++) if ((typeof head === 'string' ? head.charCodeAt(i) : head[i]) === 0) nuls++;
  return nuls * 10 > head.length;
}

/**
 * Parse CSV bytes or text. Rejects bytes that start as a workbook, an image or UTF-16 (`mistakenFileError`), non-UTF-8 bytes, text whose start is a tenth NULs (UTF-16 or binary), a
 * quoted cell never closed or holding a quote that does not end it (`InvalidQuotedCellError`), ragged rows (a row with a different number of cells than the header),
 * duplicate or empty header names, a header of one column, and empty files. The separator and the line break are guessed unless given; a first
 * line `sep=;` (Excel's) names the separator and is skipped. Columns at the end that are empty in
 * the header and in every row (Excel's `a,b,,`) are dropped, without a note: they hold nothing.
 * One-cell lines at the end, after the last full row, are a report's footer: left out (`footer`)
 * when they are the only rows of the wrong width; `continued` says that full rows came before
 * the text (a later block of one file), so that lines with none before them may be a footer too.
 * Under a header of two cells a one-cell line may be a lead missing its last cell (`Bob` for
 * `Bob,`), so there the lines are a footer only when one of them reads as one (`FOOTER_TEXT`):
 * else they are rows of the wrong width, refused, not leads left out.
 */
export function parseCsv(
  input: string | Uint8Array,
  options: { sep?: string; newline?: '\n' | '\r\n' | '\r'; continued?: boolean } = {},
): ParsedCsv {
  const mistaken = typeof input === 'string' ? undefined : mistakenFileError(input);
  if (mistaken) throw mistaken;
  // UTF-16 writes a NUL beside every ASCII character, which UTF-8 decodes without a complaint: checked first, on the file's start. A
  // stray NUL in a cell (text pasted from a PDF) is no sign of it, and is kept as the cell holds it.
  if (looksLikeUtf16(input)) {
    throw new TrainingDataError(
      'The CSV file holds NUL characters, so it looks like UTF-16 text (or not text at all), not UTF-8. Re-export it as UTF-8 CSV (e.g. "CSV UTF-8" in Excel).',
    );
  }
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    // In chunks, as the options page reads a file: finding a bad byte searches its chunk, not the whole file.
    const decoder = new StrictUtf8Decoder();
    const chunks: string[] = [];
    for (let at = 0; at < input.length; at += DECODED_CHUNK_BYTES) chunks.push(decoder.decode(input.subarray(at, at + DECODED_CHUNK_BYTES)));
    decoder.finish();
    text = chunks.join('');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let sep = options.sep;
  const separatorLine = SEPARATOR_LINE.exec(text);
  if (separatorLine) {
    sep = declaredSeparator(separatorLine[1], sep);
    text = text.slice(separatorLine[0].length);
  }
  if (text.trim() === '') throw new TrainingDataError('The CSV file is empty.');
  const result = Papa.parse<string[]>(text, {
    delimiter: sep ?? '',
    newline: options.newline,
    skipEmptyLines: 'greedy',
  });
  const rows = result.data;
  if (rows.length === 0) throw new TrainingDataError('The CSV file has no rows.');
  // Checked before an unclosed cell: papaparse reads on after a quote that does not end its cell, and may find no other that does.
  const misquoted = result.errors.find((error) => error.code === 'InvalidQuotes');
  if (misquoted) throw misquotedCellError(text, misquoted.index! - 1, result.meta); // a quote error's index is its cell's, after the opening quote
  // The unclosed cell runs to the end of the text, so it is the last row's. A quote followed by
  // white space only swallows nothing (and its blank row may have been skipped): no error then.
  const unclosed = result.errors.find((error) => error.code === 'MissingQuotes');
  if (unclosed && text.slice(unclosed.index).trim() !== '') throw new UnclosedQuotedCellError(rows.length - 1);
  const headerCells = rows[0].length;
  let width = headerCells;
  while (width > 0 && rows.every((row) => blankCell(row, width - 1))) width--;
  const header = rows[0].slice(0, width).map((h) => h.trim());
  // A name of invisible characters only (a zero-width space) is no name: a feature's label is shown without them (`shownLabel`).
  const unnamed = header.findIndex((h) => visibleText(h).trim() === '');
  if (unnamed !== -1) throw unnamedColumnError(unnamed, rows);
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new TrainingDataError(`The CSV header names column "${h}" twice.`);
    seen.add(h);
  }
  if (header.length < 2) throw oneColumnError(header[0], result.meta.delimiter);
  // The header has two cells at least, so a one-cell line is never a full row.
  let footerStart = rows.length;
  while (footerStart > 1 && rows[footerStart - 1].length === 1) footerStart--;
  // With no full row before them (nor before the text), one-cell lines are rows split wrong, not a footer.
  if (footerStart === 1 && !options.continued) footerStart = rows.length;
  // Judged on the lines alone, not on the rows before them, so that a file read block by block (`continued`) is judged as when read whole.
  if (headerCells === 2 && !rows.slice(footerStart).some(([cell]) => FOOTER_TEXT.test(cell))) footerStart = rows.length;
  const records: RawRecord[] = [];
  const ragged: number[] = []; // data row numbers, the row after the header being 1 (a quoted line break does not start a row, a blank line is none)
  for (let r = 1; r < footerStart; r++) {
    const row = rows[r];
    if (row.length !== headerCells) {
      ragged.push(r);
      continue;
    }
    const rec: RawRecord = Object.create(null); // see `Table`
    for (let c = 0; c < header.length; c++) rec[header[c]] = row[c];
    records.push(rec);
  }
  if (ragged.length > 0) {
    // The one-cell lines at the end are no footer after a row split wrong: they are counted among the rows split wrong.
    for (let r = footerStart; r < rows.length; r++) ragged.push(r);
    throw new TrainingDataError(
      `${ragged.length} CSV row(s) have a different number of cells than the header's ${headerCells} (first: data row ${ragged[0]}${ragged.length > 1 ? `, ${ragged.slice(1, 4).join(', ')}` : ''}). Check the separator and quoting.`,
    );
  }
  return { columns: header, records, footer: rows.slice(footerStart).map(([cell]) => cell) };
}

/**
 * The error for the cell whose opening quote is at `openingQuote` in `text` and which holds a quote
 * that does not end it, naming its row as parseCsv numbers rows: the rows papaparse reads before it,
 * blank ones skipped, with `x` in place of the cell so that its row is read (and not skipped as blank).
 */
function misquotedCellError(text: string, openingQuote: number, { delimiter, linebreak }: Papa.ParseMeta): InvalidQuotedCellError {
  const newline = linebreak === '\r\n' || linebreak === '\r' ? linebreak : '\n';
  const row = Papa.parse<string[]>(`${text.slice(0, openingQuote)}x`, { delimiter, newline, skipEmptyLines: 'greedy' }).data.length - 1;
  // The cell only as far as that quote: the import reads a file in blocks, and cuts one just after it (record-blocks.ts).
  const cellStart = text.slice(openingQuote, quoteNotEndingCell(text, openingQuote, delimiter, newline) + 1);
  return new InvalidQuotedCellError(row, clipWithEllipsis(cellStart, QUOTED_CELL_CHARS));
}

/**
 * Where the first quote after `openingQuote` is that neither is doubled nor ends the cell, as papaparse
 * reads quotes: one ends the cell when the separator or the line break follows it (white space may
 * come between). The cell's opening quote when there is none (papaparse found one: it never is).
 */
function quoteNotEndingCell(text: string, openingQuote: number, sep: string, newline: string): number {
  for (let quote = text.indexOf('"', openingQuote + 1); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    if (text[quote + 1] === '"') {
      quote++;
      continue;
    }
    let after = quote + 1;
    while (after < text.length && !text.startsWith(newline, after) && /\s/.test(text[after])) after++;
    if (!text.startsWith(sep, after) && !text.startsWith(newline, after)) return quote;
  }
  return openingQuote;
}

const POSITIVE_WORDS = ['1', 'yes', 'true', 'y', 'converted', 'won', 'closed won', 'positive'];
/** The values a target's other value must be for the positive one to be guessed: beside 2, 1 may mean lost. */
const NEGATIVE_WORDS = ['0', 'no', 'false', 'n', 'not converted', 'lost', 'closed lost', 'negative'];

/** Target values that differ only in case or surrounding spaces ("Yes", " yes ") are one class. */
const targetClass = (value: RawRecord[string]) => String(value).trim().toLowerCase();

/**
 * The labels [N] (1 = positive). The target must hold exactly two values (the positive one and
 * one other, compared trimmed and ignoring case), no missing cells, and enough of each for
 * training. Without `positive` it is guessed only for a positive word beside a negative one (1/0,
 * yes/no, won/lost), else refused asking for it. The values are returned as first written in the data.
 */
export function buildLabels(table: Table, target: string, positive?: string): { labels: Uint8Array; positive: string; negative: string } {
  if (!table.columns.includes(target)) {
    throw new TrainingDataError(
      `The target column "${target}" is not in the CSV. Columns: ${table.columns.slice(0, 40).join(', ')}${table.columns.length > 40 ? ', …' : ''}.`,
    );
  }
  const counts = new Map<string, number>(); // class → rows
  const written = new Map<string, string>(); // class → its first spelling in the data
  let missing = 0;
  for (const r of table.records) {
    const v = r[target];
    if (isMissingRaw(v)) missing++;
    else {
      const c = targetClass(v);
      counts.set(c, (counts.get(c) ?? 0) + 1);
      if (!written.has(c)) written.set(c, String(v).trim());
    }
  }
  /** The values, most rows first, with their rows: `"0" (146), "1" (53) and "maybe" (1)`; beyond `most`, how many more. */
  const describe = (most = 8) => {
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    return listInWords(sorted.map(([c, n]) => `${quoteCell(written.get(c)!)} (${n})`), most);
  };
  if (missing > 0) {
    throw new TrainingDataError(`The target column "${target}" is empty in ${missing} row(s); every row needs an outcome. Values: ${describe()}.`);
  }
  let pos = positive === undefined ? undefined : targetClass(positive);
  if (pos === undefined) {
    const keys = [...counts.keys()];
    if (keys.length === 1) throw new TrainingDataError(`The target column ${oneValueOnly(target, describe())}`);
    // naming the positive one would not do: the others are more than one negative
    if (keys.length > 2) {
      throw new TrainingDataError(
        `The target column "${target}" has ${keys.length} values: ${describe(5)}; training needs two, converted and not converted. Map it to two values first.`,
      );
    }
    const [first, second] = keys;
    if (POSITIVE_WORDS.includes(first) && NEGATIVE_WORDS.includes(second)) pos = first;
    else if (POSITIVE_WORDS.includes(second) && NEGATIVE_WORDS.includes(first)) pos = second;
    if (pos === undefined) throw new TrainingDataError(`Cannot tell which value of "${target}" means converted: ${describe()}. Pass --positive VALUE.`);
  }
  if (!counts.has(pos)) {
    throw new TrainingDataError(`The positive value ${quoteCell(positive?.trim() ?? '')} does not occur in "${target}". Values: ${describe()}.`);
  }
  if (counts.size === 1) {
    throw new TrainingDataError(`The target column ${oneValueOnly(target, describe())}`);
  }
  if (counts.size > 2) {
    throw new TrainingDataError(
      `The target column "${target}" has values other than the positive ${quoteCell(written.get(pos)!)} and one negative: ${describe()}. Map it to two values first.`,
    );
  }
  const negative = [...counts.keys()].find((k) => k !== pos)!;
  const labels = new Uint8Array(table.records.length);
  table.records.forEach((r, i) => (labels[i] = targetClass(r[target]) === pos ? 1 : 0));
  checkCounts(labels);
  return { labels, positive: written.get(pos)!, negative: written.get(negative)! };
}

/** Throws unless there are ≥ MIN_ROWS rows, ≥ MIN_POSITIVES positives and ≥ MIN_NEGATIVES negatives. */
export function checkCounts(labels: Uint8Array): void {
  const p = countPositives(labels);
  const n = labels.length;
  if (n < MIN_ROWS) throw new TrainingDataError(`Training needs at least ${MIN_ROWS} leads; the data has ${n}.`);
  if (p < MIN_POSITIVES) throw new TrainingDataError(`Training needs at least ${MIN_POSITIVES} converted leads; the data has ${p} (of ${n}).`);
  if (n - p < MIN_NEGATIVES) throw new TrainingDataError(`Training needs at least ${MIN_NEGATIVES} leads that did not convert; the data has ${n - p} (of ${n}).`);
}

/** Throws `TooManyFoldsError` unless every one of `folds` cross-validation folds can hold a converted and an other row. */
export function checkFolds(labels: Uint8Array, folds: number): void {
  const positives = countPositives(labels);
  const negatives = labels.length - positives;
  if (folds <= positives && folds <= negatives) return;
  const has = [positives < folds ? `${positives} converted` : '', negatives < folds ? `${negatives} other` : ''].filter(Boolean).join(' and ');
  throw new TooManyFoldsError(folds, `at least ${folds} converted and ${folds} other rows; the data has ${has}`, Math.min(positives, negatives));
}

/**
 * `Lead Source` → `lead_source`, `売上 (USD)` → `売上_usd`: the name's letters (with their accents
 * and vowel signs) and digits in any script, lower-cased, so that a key names its column. A
 * catalogue feature's key is one of the names its field is found by in the next training
 * (`suggestField`): a placeholder key (`feature_2` for 業種) would find an unrelated column named
 * so. ASCII names keep the keys they always had. Keys start with a letter.
 */
export function keyOf(name: string, taken: Set<string>): string {
  let k = name
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  if (!/^\p{L}/u.test(k)) k = `f_${k}`;
  if (k === 'f_') k = 'feature';
  let key = k;
  for (let i = 2; taken.has(key); i++) key = `${k}_${i}`;
  taken.add(key);
  return key;
}

/**
 * LeadLens's own outputs written back to the CRM (the write-back form suggests `LeadLens_Score__c`,
 * `leadlens_tier`, …; a managed package prefixes `ns__`). Synced or exported with the leads, they
 * would make a model learn the previous model's guesses rather than the leads.
 */
const LEADLENS_OUTPUT = /^(\w+__)?leadlens_/i;

/** Up to 3 of `values` (distinct), quoted (`quoteCell`), for a note. */
const quoteSome = (values: string[]) => [...new Set(values)].slice(0, 3).map(quoteCell).join(', ');

/**
 * Column names (their words joined, lower case, without accents: "First Name", "first_name",
 * "FirstName" and HubSpot's "firstname" all read `firstname`, "Téléphone" `telephone`) that name a
 * person or how to reach one: their values would be kept in a model trained on them (a category of
 * MIN_LEVEL_COUNT leads or more, a number range), and travel with every copy of it. Salesforce's
 * and HubSpot's API names are among them (Name, FirstName, Email, MobilePhone, Street, PostalCode;
 * firstname, mobilephone, address, zip), and the labels CRM exports head them with in German,
 * French, Spanish, Dutch, Italian and Portuguese. A company's name is not ("Firmenname", "Nom de
 * l'entreprise"): it names no person, and where a company is a lead's best-known fact the model may
 * learn from it as from an industry.
 */
const PERSONAL_DATA_NAMES = new Set([
  'firstname', 'lastname', 'fullname', 'middlename', 'surname', 'givenname', 'familyname', 'contactname', 'leadname', 'personname', 'assistantname',
  'email', 'emailaddress',
  'phone', 'phonenumber', 'telephone', 'mobile', 'mobilephone', 'mobilenumber', 'cell', 'cellphone', 'fax',
  'street', 'streetaddress', 'address', 'addressline', 'postcode', 'postalcode', 'zip', 'zipcode',
  'birthdate', 'dateofbirth', 'birthday', 'dob',
  // German
  'vorname', 'nachname', 'familienname', 'vollstandigername', 'kontaktname', 'vorundnachname', 'vornameundnachname', 'namevorname',
  'emailadresse', 'telefon', 'telefonnummer', 'mobil', 'mobiltelefon', 'mobiltelefonnummer', 'mobilnummer', 'mobilfunknummer', 'handy', 'handynummer',
  'strasse', 'hausnummer', 'strasseundhausnummer', 'adresse', 'anschrift', 'postleitzahl', 'plz', 'geburtsdatum', 'geburtstag',
  // French ("Téléphone", "Mobile", "Adresse" and "E-mail" read as above)
  'prenom', 'nomdefamille', 'nomcomplet', 'nomducontact', 'nometprenom', 'prenometnom', 'nomprenom', 'prenomnom',
  'courriel', 'adresseemail', 'adressemail', 'adressecourriel', 'adresseelectronique', 'tel', 'numerodetelephone', 'numerodeportable', 'telephonemobile', 'telephoneportable',
  'rue', 'codepostal', 'adressepostale', 'datedenaissance',
  // Spanish
  'apellido', 'apellidos', 'nombrecompleto', 'nombredelcontacto', 'nombreyapellido', 'nombreyapellidos', 'nombresyapellidos', 'apellidosynombre',
  'primernombre', 'segundonombre', 'primerapellido', 'segundoapellido', 'apellidopaterno', 'apellidomaterno',
  'correo', 'correoelectronico', 'direcciondecorreo', 'direcciondecorreoelectronico', 'telefono', 'numerodetelefono', 'movil', 'numerodemovil', 'telefonomovil', 'celular', 'numerodecelular', 'telefonocelular',
  'direccion', 'calle', 'domicilio', 'codigopostal', 'fechadenacimiento',
  // Dutch
  'voornaam', 'achternaam', 'tussenvoegsel', 'volledigenaam', 'contactnaam', 'voorenachternaam',
  'emailadres', 'telefoon', 'telefoonnummer', 'mobiel', 'mobielnummer', 'mobieletelefoon',
  'adres', 'straat', 'straatnaam', 'geboortedatum',
  // Italian ("Telefono" reads as the Spanish)
  'cognome', 'nomecompleto', 'nomedelcontatto', 'nomeecognome', 'cognomeenome',
  'indirizzoemail', 'postaelettronica', 'numeroditelefono', 'cellulare', 'numerodicellulare', 'telefonocellulare',
  'indirizzo', 'codicepostale', 'datadinascita',
  // Portuguese ("Celular", "Número de celular" and "Código postal" read as the Spanish)
  'sobrenome', 'apelido', 'apelidos', 'nomedocontato', 'nomeesobrenome', 'primeironome', 'ultimonome', 'nomeproprio',
  'enderecodeemail', 'telefone', 'numerodetelefone', 'telemovel', 'numerodetelemovel', 'telefonecelular',
  'endereco', 'morada', 'rua', 'cep', 'datadenascimento',
]);
/**
 * Names that are personal data only as a column's whole name, not after a qualifier: a person's
 * name ("Name", "Nom", "Nombre", "Nome", "Naam"; "Nombre de salariés" counts employees, "Nom de
 * l'entreprise" names a company), Italian's postcode "CAP" and French's mobile "Portable", which
 * are English words too.
 */
const PERSONAL_DATA_WHOLE_NAMES = new Set(['name', 'nom', 'nombre', 'nome', 'naam', 'cap', 'portable']);
/**
 * Words before such a name that leave it a person's detail: "Work Email", "Home Phone", "Mailing Street", "Lead First Name",
 * "Mobile Phone Number"; in German and Dutch "Geschäftliche E-Mail", "Mobiel telefoonnummer".
 */
const PERSONAL_DATA_QUALIFIERS = new Set([
  'contact', 'lead', 'person', 'personal', 'private', 'primary', 'secondary', 'other', 'alternate', 'alternative', 'assistant',
  'work', 'home', 'business', 'office', 'direct', 'mailing', 'billing', 'shipping', 'mobile', 'cell',
  'geschaftliche', 'geschaftlicher', 'geschaftliches', 'privater', 'privates', 'dienstliche', 'dienstlicher',
  'zakelijk', 'zakelijke', 'prive', 'mobiel', 'mobiele',
]);
/**
 * Words after such a name that leave it a person's detail, where a language puts them after ("Teléfono de la oficina", "Telefon
 * geschäftlich", "Téléphone professionnel", "E-Mail (privat)", "Phone (work)"): whether it is for work or home, a mobile or a landline,
 * where the post goes.
 */
const PERSONAL_DATA_TRAILING_QUALIFIERS = new Set([
  'work', 'home', 'business', 'office', 'personal', 'private', 'mobile', 'cell',
  'geschaftlich', 'privat', 'dienstlich', 'buro', 'mobil',
  'professionnel', 'professionnelle', 'pro', 'personnel', 'personnelle', 'perso', 'prive', 'privee', 'domicile', 'bureau', 'travail', 'portable', 'fixe', 'facturation', 'livraison',
  'particular', 'oficina', 'trabajo', 'laboral', 'casa', 'movil', 'celular', 'fijo', 'facturacion', 'envio',
  'personale', 'privato', 'privata', 'ufficio', 'lavoro', 'cellulare', 'fisso', 'aziendale', 'fatturazione', 'spedizione',
  'pessoal', 'trabalho', 'profissional', 'comercial', 'residencial', 'movel', 'fixo', 'faturamento', 'entrega',
  'zakelijk', 'werk', 'thuis', 'mobiel',
]);
/** The little words between a name and a qualifier after it: "de la" oficina, "del" trabajo, "di" casa, "dell'"ufficio, "du" bureau, "van het" werk. */
const QUALIFIER_CONNECTING_WORDS = new Set(['de', 'del', 'la', 'el', 'di', 'dell', 'della', 'do', 'da', 'du', 'des', 'd', 'l', 'au', 'im', 'van', 'het']);

/**
 * Whether `form` is one word that qualifies others too ("mobile", "cell", "móvil"): left alone by
 * taking a qualifier off after it, it names no phone ("Mobile Home", "Mobile Office" are kinds of
 * home and office).
 */
const isQualifierAlone = (form: readonly string[]) => form.length === 1 && (PERSONAL_DATA_QUALIFIERS.has(form[0]) || PERSONAL_DATA_TRAILING_QUALIFIERS.has(form[0]));

/** `words`, then each shorter form left by taking a trailing qualifier off it with the little words before it ("telefono de la oficina", "telefono"). */
function withTrailingQualifiersTakenOff(words: readonly string[]): (readonly string[])[] {
  const forms = [words];
  let end = words.length;
  while (end > 1 && PERSONAL_DATA_TRAILING_QUALIFIERS.has(words[end - 1])) {
    end--;
    while (end > 1 && QUALIFIER_CONNECTING_WORDS.has(words[end - 1])) end--;
    forms.push(words.slice(0, end));
  }
  return forms;
}

/**
 * The words of the column name `name`, lower case and without accents ("Lead Number" → lead,
 * number; "leadId" → lead, id; "Straße" → strasse), a number sign a word of its own ("Ticket #").
 */
function columnNameWords(name: string): string[] {
  return (
    name
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .replace(/ß/g, 'ss')
      .match(/[a-z0-9]+|#/g) ?? []
  );
}

/**
 * Whether the column name `name` names personal data: one of PERSONAL_DATA_WHOLE_NAMES ("Name",
 * Salesforce's name of a lead or contact), or one of PERSONAL_DATA_NAMES after a Salesforce custom
 * field's `__c`, a managed package's `ns__`, qualifiers before (PERSONAL_DATA_QUALIFIERS) or after
 * it (PERSONAL_DATA_TRAILING_QUALIFIERS) and a trailing number ("Address 2") are left out. "Email
 * Opens", "Do Not Email" and "Company Name" do not; nor do "Business Name" or "Other Name": a bare
 * name after another word may be a company's, an office's, anything's.
 */
export function namesPersonalData(name: string): boolean {
  const words = columnNameWords(name.replace(/__c$/i, '').replace(/^[a-z0-9]+__/i, '')).filter((word) => word !== '#');
  const joined = (form: readonly string[]) => form.join('').replace(/\d+$/, '');
  if (PERSONAL_DATA_WHOLE_NAMES.has(joined(words))) return true;
  for (;;) {
    if (withTrailingQualifiersTakenOff(words).some((form, i) => PERSONAL_DATA_NAMES.has(joined(form)) && !(i > 0 && isQualifierAlone(form)))) return true;
    if (words.length === 1 || !PERSONAL_DATA_QUALIFIERS.has(words[0])) return false;
    words.shift();
  }
}

/** An e-mail address: something@domain.tld, nothing around it. */
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * A date written with dashes or spaces, day and month in either order ("24-10-2025", "2024 01 05"),
 * which `parseDate` may not read: the date-order pass leaves a column's dates as written when they
 * show both orders, or neither.
 */
const DATE_SHAPED = /^(?:\d{1,2}([-\s])\d{1,2}\1\d{4}|\d{4}([-\s])\d{1,2}\2\d{1,2})$/;

/**
 * A phone number as people write one: 7 to 15 digits, led by + or grouped by spaces, dashes or
 * brackets ("+49 30 2441955", "(555) 010-4477"). Not one that reads as a number ("1 200 000", digits
 * alone: an amount or a code may be written so) or is written as a date ("2025-12-31", "24-10-2025").
 */
function looksLikePhoneNumber(text: string): boolean {
  if (!/^\+?[\d\s()-]+$/.test(text) || !/^\+|\d[\s()-]+\d/.test(text) || DATE_SHAPED.test(text)) return false;
  const digits = text.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15 && Number.isNaN(cellNumber(text)) && Number.isNaN(parseDate(text));
}

/** A column is dropped as contact details when at least this share of its values are e-mail addresses, or phone numbers. */
const MIN_CONTACT_DETAIL_SHARE = 0.5;

/** What columns of personal data, dropped, are said to be: the values a model keeps go with every copy of it. */
const PERSONAL_DATA_KEPT_IN_MODEL = 'A model keeps some of the values it learns from, and anyone given the model could read them.';

/** Why the columns `named` as personal data (`namesPersonalData`) are dropped: one note for them all. */
function namedPersonalDataWarning(named: readonly string[]): string {
  const columns = listInWords(named.map((col) => `"${col}"`));
  return `${named.length === 1 ? `Column ${columns} is` : `Columns ${columns} are`} named as personal data (a person's name, e-mail address, phone number, address or birth date): dropped. ${PERSONAL_DATA_KEPT_IN_MODEL}`;
}

/** Why the column `col` with these filled `values` is dropped as holding mostly e-mail addresses or phone numbers, or null when it does not. */
function contactDetailsWarning(col: string, values: readonly string[]): string | null {
  const emails = values.filter((value) => EMAIL_ADDRESS.test(value)).length;
  const phones = values.filter(looksLikePhoneNumber).length;
  const [count, what] = emails >= phones ? [emails, 'e-mail addresses'] : [phones, 'phone numbers'];
  if (!mostlyRead(count, values.length, MIN_CONTACT_DETAIL_SHARE)) return null;
  return `Column "${col}" holds ${what} (${count.toLocaleString('en-US')} of its ${plural(values.length, 'value', 'values')}), which are personal data: dropped. ${PERSONAL_DATA_KEPT_IN_MODEL}`;
}

/** Whether the column name `name` names an identifier: its last word (`columnNameWords`) is one of IDENTIFIER_WORDS. */
const namedAsIdentifier = (name: string) => IDENTIFIER_WORDS.has(columnNameWords(name).at(-1) ?? '');

/** How many distinct numbers `numbers` holds when it is a record number's: whole numbers, at least MIN_ROWS, nearly all distinct (MIN_IDENTIFIER_DISTINCT_SHARE); else null. */
function distinctWholeNumbers(numbers: number[]): number | null {
  if (numbers.length < MIN_ROWS || !numbers.every(Number.isInteger)) return null;
  const distinct = new Set(numbers).size;
  return distinct >= MIN_IDENTIFIER_DISTINCT_SHARE * numbers.length ? distinct : null;
}

/**
 * Whether `numbers`, `distinct` of them distinct, look counted out as record numbers are: most of
 * their range taken (1, 2, 3, …) or all of one order of magnitude (5000065 … 5000999), unlike
 * amounts spread over several (revenue from 12,000 to 4,800,000), which may differ in every row.
 */
function numberedLikeRecords(numbers: number[], distinct: number): boolean {
  let [min, max] = [Infinity, -Infinity];
  for (const n of numbers) [min, max] = [Math.min(min, n), Math.max(max, n)];
  return distinct >= 0.5 * (max - min + 1) || (min > 0 && max < 10 * min);
}

/** Whether `number` is one the model's float32 input cannot hold: featurization reads it as missing, in training and scoring alike. */
const beyondFloat32 = (number: number) => !Number.isNaN(number) && Number.isNaN(featureNumber({ cell: number }, { derive: { kind: 'value', from: { csv: 'cell' } }, missingValues: [] }, 'csv', new Date(0)));

/**
 * How to have a column mostly of numbers read as numbers, ending the note on one that is not:
 * worded for the options page, whose data has no list of values read as missing; the training
 * command words it with its --missing instead (lib/ml/cli.ts).
 */
export const EMPTY_THE_NOT_NUMBERS = 'To have it read as numbers, leave the cells without a number empty.';

/** How to write a date so that `parseDate` reads it, for a note on dates it did not read. */
const READABLE_DATE = 'YYYY-MM-DD (e.g. 2026-09-19)';

/**
 * Feature specs from the CSV columns (no spec file): each column not excluded and not the
 * target becomes numeric, boolean, categorical, or a date (→ days since, measured from the
 * trainer's reference time). LeadLens's own written-back outputs are dropped with a warning, and
 * so is personal data: a column named as a person's name or contact detail, or holding mostly
 * e-mail addresses or phone numbers, as a model keeps values it learns from. A
 * column is numeric when ≥ MIN_NUMERIC_SHARE of its values are numbers, a date when
 * ≥ MIN_DATE_SHARE are dates (the rest read as missing, with a warning, as `parseDate` reads
 * them when scoring too); the CSV import and the CLI have already rewritten a column written
 * with decimal commas (`2.713.067`) as plain numbers (number-format.ts), and dates written day
 * first as ISO dates (date-order.ts).
 * Constant and fully missing columns, and identifier-like columns (almost one level per row;
 * for whole numbers, one per row and a name such as "Record ID"), are dropped with a warning; a
 * whole number per row in a column not named so is kept, with a warning when they look counted out. A column of numbers
 * with too many values that are not, or with numbers too large for the model, is noted too.
 * The notes quoting a few values of a column are also given worded without them
 * (`warningsWithoutValues`, by note): for what is shared beyond the admin, the model card.
 * Also returns the latest date of the date columns, or null when there are none (the
 * trainer's reference time passes over dates after the day of training: `runTime` in ./index.ts).
 */
export function inferFeatureSpecs(
  table: Table,
  target: string,
  exclude: string[],
  missingValues: string[] = [],
): { specs: FeatureSpec[]; warnings: string[]; warningsWithoutValues: ReadonlyMap<string, string>; latestDate: number | null } {
  const warnings: string[] = [];
  const warningsWithoutValues = new Map<string, string>();
  /** Warns with `note`, which quotes a few of a column's values through `some` (`before` and `after` them); worded without them too. */
  const warnQuoting = (note: (some: (values: string[], before: string, after?: string) => string) => string) =>
    warnQuotingCells(warnings, warningsWithoutValues, (cells) => note((values, before, after = '') => cells(`${before}${quoteSome(values)}${after}`)));
  const specs: FeatureSpec[] = [];
  const taken = new Set<string>();
  const namedPersonal: string[] = [];
  let latestDate: number | null = null;
  const excluded = new Set(exclude);
  for (const name of exclude) if (!table.columns.includes(name)) warnings.push(`--exclude names "${name}", which is not a column.`);
  const N = table.records.length;
  for (const col of table.columns) {
    if (col === target || excluded.has(col)) continue;
    if (LEADLENS_OUTPUT.test(col)) {
      warnings.push(`Column "${col}" holds a LeadLens score written back to the CRM, not a fact about the lead: dropped.`);
      continue;
    }
    const values: string[] = [];
    for (const r of table.records) {
      const v = r[col];
      if (!isMissingRaw(v, missingValues)) values.push(String(v).trim());
    }
    if (values.length === 0) {
      warnings.push(`Column "${col}" is empty in every row: dropped.`);
      continue;
    }
    // Personal data (an empty column holds none). Inferred columns only: a feature spec (the training
    // command's --features, a known feature an admin maps to a field) reads one on purpose.
    if (namesPersonalData(col)) {
      namedPersonal.push(col);
      continue;
    }
    const contactDetails = contactDetailsWarning(col, values);
    if (contactDetails !== null) {
      warnings.push(contactDetails);
      continue;
    }
    const distinct = new Set(values);
    if (distinct.size === 1 && values.length === N) {
      warnings.push(`Column "${col}" has the same value in every row: dropped.`);
      continue;
    }
    const from = { csv: col };
    const base = { label: col, missingValues, actionable: false };
    const numberOf = values.map((s) => cellNumber(s)); // NaN: no number
    const notNumbers = values.filter((_, i) => Number.isNaN(numberOf[i]));
    if (values.every((s) => /^(yes|no|true|false)$/i.test(s))) {
      specs.push({ ...base, key: keyOf(col, taken), type: 'boolean', derive: { kind: 'value', from } });
    } else if (mostlyNumbers(values.length - notNumbers.length, values.length)) {
      const numbers = numberOf.filter((n) => !Number.isNaN(n));
      const distinctNumbers = distinctWholeNumbers(numbers);
      if (distinctNumbers !== null) {
        const perRow = `every row has its own whole number (${distinctNumbers.toLocaleString('en-US')} distinct in ${plural(numbers.length, 'row', 'rows')})`;
        if (namedAsIdentifier(col)) {
          warnings.push(`Column "${col}" is named as an identifier and ${perRow}: dropped.`);
          continue;
        }
        if (numberedLikeRecords(numbers, distinctNumbers)) {
          warnings.push(`Column "${col}": ${perRow}, as in an identifier. It is read as numbers; if it is an identifier, exclude it.`);
        }
      }
      if (notNumbers.length > 0) {
        warnQuoting((some) => `Column "${col}" is read as numbers; ${notNumbers.length.toLocaleString('en-US')} value(s) in it are not numbers and read as missing${some(notNumbers, ': ')}.`);
      }
      const tooLarge = values.filter((_, i) => beyondFloat32(numberOf[i]));
      if (tooLarge.length > 0) {
        warnQuoting((some) => `Column "${col}" has ${tooLarge.length.toLocaleString('en-US')} number(s) too large for the model, beyond ±3.4e38, read as missing${some(tooLarge, ': ')}.`);
      }
      specs.push({ ...base, key: keyOf(col, taken), type: 'numeric', derive: { kind: 'value', from } });
    } else {
      const timeOf = new Map([...distinct].map((s) => [s, parseDate(s)])); // each value parsed once: a text column repeats a few
      const notDates = values.filter((s) => Number.isNaN(timeOf.get(s)));
      const dates = values.length - notDates.length;
      if (mostlyRead(dates, values.length, MIN_DATE_SHARE)) {
        if (notDates.length > 0) {
          warnQuoting(
            (some) =>
              `Column "${col}" is read as dates; ${notDates.length.toLocaleString('en-US')} value(s) in it are not dates in a form LeadLens reads and read as missing${some(notDates, ': ')}. ` +
              `Write dates as ${READABLE_DATE} to have them read.`,
          );
        }
        for (const t of timeOf.values()) if (!Number.isNaN(t) && (latestDate === null || t > latestDate)) latestDate = t;
        specs.push({ ...base, key: keyOf(`${col}_days_since`, taken), label: `Days since ${col}`, type: 'numeric', unit: 'days', derive: { kind: 'daysSince', from } });
        continue;
      }
      // identifier-like: nearly one level per row, or a huge number of levels
      const identifierLike = (distinct.size > 0.5 * values.length && values.length >= 100) || distinct.size > 10_000;
      if (mostlyRead(dates, values.length, MIN_DATE_LIKE_SHARE)) {
        warnQuoting(
          (some) =>
            `Column "${col}" is not read as dates: only ${dates.toLocaleString('en-US')} of its ${plural(values.length, 'value', 'values')} are dates, and the others${some(notDates, ', such as ', ',')} are not dates in a form LeadLens reads. ` +
            `It is ${identifierLike ? 'dropped instead (too many distinct values for categories)' : 'read as categories instead'}. ` +
            `To have it read as dates (days since), write its dates as ${READABLE_DATE} and leave the cells without a date empty.`,
        );
      } else if (mostlyRead(values.length - notNumbers.length, values.length, MIN_NUMBER_LIKE_SHARE)) {
        warnQuoting(
          (some) =>
            `Column "${col}" is not read as numbers: ${notNumbers.length.toLocaleString('en-US')} of its ${plural(values.length, 'value', 'values')} are not numbers${some(notNumbers, ', such as ')}. ` +
            `It is ${identifierLike ? 'dropped instead (too many distinct values for categories)' : 'read as categories instead'}. ${EMPTY_THE_NOT_NUMBERS}`,
        );
      } else if (identifierLike) {
        warnings.push(`Column "${col}" has ${plural(distinct.size, 'distinct value', 'distinct values')} in ${plural(values.length, 'row', 'rows')} (an identifier or free text?): dropped.`);
      }
      if (!identifierLike) specs.push({ ...base, key: keyOf(col, taken), type: 'categorical', derive: { kind: 'value', from } });
    }
  }
  if (namedPersonal.length > 0) warnings.push(namedPersonalDataWarning(namedPersonal));
  return { specs, warnings, warningsWithoutValues, latestDate };
}

/**
 * Specs → features: categorical vocabularies from the data (levels with ≥ MIN_LEVEL_COUNT rows,
 * most frequent first, at most MAX_LEVELS, then "(other)", which rare and unseen levels map to).
 * "Days since" are measured at `now`, a date alone counted on a clock `utcOffsetMinutes` ahead of
 * UTC (`featureNumber`): by default UTC's, as `train` counts.
 */
export function buildFeatures(
  specs: FeatureSpec[],
  records: RawRecord[],
  source: SourceKind,
  now: Date,
  /** Where notes on the data go; omitted, none are kept. */
  warnings?: string[],
  utcOffsetMinutes = 0,
): Feature[] {
  return specs.map((spec): Feature => {
    const feature: Feature = { ...spec, missingValues: spec.missingValues ?? [], actionable: spec.actionable ?? false };
    if (spec.type !== 'categorical') return feature;
    const counts = new Map<string, number>();
    for (const r of records) {
      const level = featureLevel(r, feature, source, now, utcOffsetMinutes);
      if (level !== null) counts.set(level, (counts.get(level) ?? 0) + 1);
    }
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let kept = sorted.filter(([, c]) => c >= MIN_LEVEL_COUNT);
    if (kept.length > MAX_LEVELS) {
      warnings?.push(`"${spec.label}" has ${kept.length.toLocaleString('en-US')} levels with ≥ ${MIN_LEVEL_COUNT} rows; the ${MAX_LEVELS} most frequent are kept, the rest pooled as "${OTHER_LEVEL}".`);
      kept = kept.slice(0, MAX_LEVELS);
    }
    const pooled = sorted.length - kept.length;
    if (pooled > 1000) warnings?.push(`"${spec.label}" has ${plural(sorted.length, 'distinct value', 'distinct values')}; ${pooled.toLocaleString('en-US')} rare ones are pooled as "${OTHER_LEVEL}".`);
    const vocabulary = kept.map(([level]) => level).filter((l) => l !== OTHER_LEVEL);
    vocabulary.push(OTHER_LEVEL);
    return { ...feature, derive: labelsOfLevels(feature.derive, vocabulary), vocabulary, otherCode: vocabulary.length - 1 };
  });
}

/**
 * `derive` with the page labels (`optionLabels`) of the levels the model learned only: a label of
 * a pooled value reads as "(other)" either way, and a CRM's choice list may hold thousands.
 */
function labelsOfLevels(derive: Derive, vocabulary: readonly string[]): Derive {
  if (derive.kind !== 'value' || !derive.optionLabels) return derive;
  const levels = new Set(vocabulary);
  const learned = (labels: Record<string, string> | undefined) => Object.fromEntries(Object.entries(labels ?? {}).filter(([value]) => levels.has(value)));
  return withOptionLabels(derive, Object.fromEntries(Object.entries(derive.optionLabels).map(([crm, labels]) => [crm, learned(labels)])));
}

/**
 * Why a feature that reads as one value in every row is dropped: a categorical column whose
 * values all have fewer than MIN_LEVEL_COUNT rows differs from row to row, yet every value is
 * pooled into the one level "(other)".
 */
function oneValueWarning(feature: Feature, records: RawRecord[], source: SourceKind, now: Date, utcOffsetMinutes: number): string {
  if (feature.type === 'categorical' && feature.vocabulary?.length === 1) {
    const values = new Set(records.map((record) => featureLevel(record, feature, source, now, utcOffsetMinutes))).size;
    if (values > 1) {
      return `"${feature.label}" has ${plural(values, 'distinct value', 'distinct values')}, each in fewer than ${MIN_LEVEL_COUNT} rows: all are pooled as one level, "${OTHER_LEVEL}", which tells no lead from another: dropped.`;
    }
  }
  return `"${feature.label}" has the same value in every row: dropped.`;
}

/**
 * Featurize and drop features that carry nothing: fully missing, or one value in every row.
 * Returns the kept features and X [N, F_kept]. `now` and `utcOffsetMinutes` as for `buildFeatures`.
 */
export function featurizeAndPrune(
  features: Feature[],
  records: RawRecord[],
  source: SourceKind,
  now: Date,
  warnings: string[],
  utcOffsetMinutes = 0,
): { features: Feature[]; X: Float32Array } {
  const all = featurizeRecords(records, features, source, now, utcOffsetMinutes); // [N, F]
  const F = features.length;
  const N = records.length;
  const keep: number[] = [];
  for (let f = 0; f < F; f++) {
    let nMissing = 0;
    let first = NaN;
    let varies = false;
    for (let i = 0; i < N; i++) {
      const v = all[i * F + f];
      if (v !== v) nMissing++;
      else if (first !== first) first = v;
      else if (v !== first) varies = true;
    }
    if (nMissing === N) warnings.push(`"${features[f].label}" is missing in every row: dropped.`);
    else if (!varies && nMissing === 0) warnings.push(oneValueWarning(features[f], records, source, now, utcOffsetMinutes));
    else keep.push(f);
  }
  if (keep.length === 0) throw new TrainingDataError('No usable feature is left: every column is empty, constant or excluded.');
  if (keep.length === F) return { features, X: all };
  const X = new Float32Array(N * keep.length);
  for (let i = 0; i < N; i++) for (let k = 0; k < keep.length; k++) X[i * keep.length + k] = all[i * F + keep[k]];
  return { features: keep.map((f) => features[f]), X };
}

