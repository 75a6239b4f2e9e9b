/**
 * CSV import: the file's text, streamed block by block (whole records each, see
 * record-blocks.ts), parsed and validated by the trainer's own `parseCsv` (papaparse; UTF-8,
 * header, row widths; one-cell lines after the last row, a report's footer, left out with a
 * warning), each row a lead of origin `csv`. Its separator and line break are guessed
 * from the start of the file, by the preview as by the import. The preview reads the whole file for
 * its columns and their values (an outcome's first "converted" may come last in a sorted export).
 * The import reads it whole once or twice (what its first reading learns depends on the mapping chosen from
 * the preview, and the preview's worker is gone by then): first to check it whole and learn which
 * order (day or month first) each date column writes (date-order.ts) and which decimal separator
 * each number column uses (number-format.ts), both shared with the training CLI, staging its rows
 * as written meanwhile; those are stored when no cell of the file is read otherwise (most files:
 * ISO or month-first dates, decimal points). Else it reads the file again to store it, with dates
 * written day first rewritten as ISO and numbers written with decimal commas as plain numbers, so
 * every later `parseDate` and `parseNumber` (training, scoring) reads them right: known only once
 * every row was read, and a file of 100k+ rows is not held in memory. Rows are staged apart from the stored leads
 * and replace the previous import only once the whole file has been read and checked, so a
 * failure or a cancel anywhere leaves the previous import exactly as it was.
 */
import { z } from 'zod';
import { leadKeyOf, type StoredLead } from '../db/db';
import { isMissingRaw, parseDate, type DateOrder, type NumberFormat } from '../ml/derive';
import type { RawRecord, RawValue } from '../ml/featurize';
import type { Feature } from '../ml/manifest';
import { TrainingDataError } from '../ml/train/errors';
import { dateOrders, dayFirstColumns, inFileOrder, noDateEvidence, noteDates, recordsInFileOrder, type DateEvidence } from '../ml/train/date-order';
import { commaDecimalColumns, inFileFormat, mixedCurrenciesWarnings, noNumberEvidence, noteNumbers, numberFormats, recordsInFileFormat, type NumberEvidence } from '../ml/train/number-format';
import { SPREADSHEET_SERIAL_DATES } from '../ml/train/dataset';
import { distinctValuesOf, keptValues, noteDistinctValues, type DistinctValues } from '../ml/train/outcome-suggestions';
import { quoteCell } from '../ml/train/quoted-cells';
import { OutcomeRuleSchema, outcomeOf, type OutcomeRule } from '../ml/train/training-set';
import { nameOrFallback, plural } from '../presentation';
import { footerWarnings, InvalidQuotedCellError, parseCsv, UnclosedQuotedCellError, type ParsedCsv } from './parse';
import { modelColumnReadings, type CellReading, type ColumnReading } from './model-columns';
import { BLOCK_CHARS, UnclosedQuoteError, guessDialect, recordBlocks, splitHeader, type CsvDialect } from './record-blocks';

/** Which columns say what LeadLens needs beyond the fields: all optional. */
export const CsvMappingSchema = z.object({
  /** The record id (re-importing the same ids replaces them); none, or a row whose cell is empty: the row number. */
  idColumn: z.string().nullable(),
  nameColumn: z.string().nullable(),
  /** When the lead was created (for the training window). */
  createdColumn: z.string().nullable(),
  /** What "converted" means, for leads whose outcome is known. */
  outcome: OutcomeRuleSchema.nullable(),
  /** Who owns the lead and where it came from: the side panel's filters. Absent (a mapping from before they were offered): none. */
  ownerColumn: z.string().nullable().optional(),
  leadSourceColumn: z.string().nullable().optional(),
});
export type CsvMapping = z.infer<typeof CsvMappingSchema>;

/** Where imported leads go: IndexedDB (stored.ts), through a stage that only a whole, checked file leaves. */
export interface LeadSink {
  /** Empty the stage (rows of an import that failed, or of one whose worker was stopped). */
  discard(): Promise<void>;
  /** Set a batch aside by lead key (a repeated key replaces the staged lead); the stored leads are untouched. */
  stage(leads: StoredLead[]): Promise<void>;
  /** How many distinct leads are staged. */
  stagedCount(): Promise<number>;
  /**
   * In one transaction: remove the previous CSV import, store the staged leads with `outcome`, the
   * rule their outcomes were read by (null: none), in place of the previous import's, empty the stage.
   * Resolves with what it did to the stored CSV leads.
   */
  commit(outcome: OutcomeRule | null): Promise<CsvReplacement>;
}

/**
 * What an import does to the stored CSV leads (the previous import), lead by lead key: said before
 * the import (`compareWithStoredImport`) and after it (`LeadSink.commit`).
 */
export const CsvReplacementSchema = z.object({
  /** The file's leads whose key no stored CSV lead has. */
  added: z.number().int().nonnegative(),
  /** The file's leads stored in place of the stored CSV lead of the same key. */
  updated: z.number().int().nonnegative(),
  /** Stored CSV leads no lead of the file has the key of: deleted with the previous import. */
  removed: z.number().int().nonnegative(),
  /**
   * Stored CSV leads a trained model learnt from that no lead of the file is the same lead as
   * (`HeldOutSuccession`): their held-out probabilities go.
   */
  heldOutLost: z.number().int().nonnegative(),
});
export type CsvReplacement = z.infer<typeof CsvReplacementSchema>;

/** The trimmed text of a mapped column's cell; '' when no column is mapped or the cell means missing. */
function cellText(record: RawRecord, column: string | null | undefined): string {
  const value = column ? record[column] : null;
  return isMissingRaw(value) ? '' : String(value).trim();
}

/** What a row with no record id (no id column, or its cell empty) is keyed by after `csv|`, with its row number: stored.ts takes such keys for positions, not leads. */
const ROW_KEY = 'row-';
/** Put before a record id that starts like a row's key (a LeadLens export's `record_id` of `row-3`), or with this mark itself, so that no id takes a row's key or another id's. */
const ID_MARK = 'id:';

export function csvLead(record: RawRecord, rowNumber: number, mapping: CsvMapping): StoredLead {
  const recordId = cellText(record, mapping.idColumn);
  const id = recordId || `${ROW_KEY}${rowNumber}`;
  const name = nameOrFallback('csv', id, cellText(record, mapping.nameColumn));
  const created = mapping.createdColumn ? parseDate(record[mapping.createdColumn]) : Number.NaN;
  const marked = recordId.startsWith(ROW_KEY) || recordId.startsWith(ID_MARK);
  return {
    key: leadKeyOf('csv', `${marked ? ID_MARK : ''}${id}`),
    source: 'csv',
    id,
    origin: 'csv',
    name,
    owner: cellText(record, mapping.ownerColumn),
    leadSource: cellText(record, mapping.leadSourceColumn),
    createdAt: Number.isFinite(created) ? created : 0,
    modifiedAt: 0,
    outcome: mapping.outcome ? outcomeOf(record, mapping.outcome) : null,
    fields: record,
  };
}

function mappedColumns(mapping: CsvMapping): string[] {
  return [mapping.idColumn, mapping.nameColumn, mapping.createdColumn, mapping.outcome?.field, mapping.ownerColumn, mapping.leadSourceColumn].filter(
    (c): c is string => c !== null && c !== undefined,
  );
}

/** A column's filled cells, and those read as missing (the first of them as an example). */
interface UnreadCells {
  filled: number;
  unread: number;
  example: string;
}

const noUnreadCells = (): UnreadCells => ({ filled: 0, unread: 0, example: '' });

/** Counts into `cells` the cells of `column` in `records` that are `filled`, and those of them `unread` (told the cell and its record's index). */
function noteUnreadCells(
  cells: UnreadCells,
  records: readonly RawRecord[],
  column: string,
  filled: (cell: RawValue) => boolean,
  unread: (cell: RawValue, index: number) => boolean,
): void {
  records.forEach((record, i) => {
    const cell = record[column];
    if (!filled(cell)) return;
    cells.filled++;
    if (unread(cell, i) && cells.unread++ === 0) cells.example = String(cell).trim();
  });
}

/** What cells read one way are, in a warning, and how to write them for LeadLens to read them. */
const CELLS_READ_AS: Record<CellReading, { what: string; howToWrite: string }> = {
  date: { what: 'dates', howToWrite: 'Write the dates as YYYY-MM-DD (like 2025-12-31).' },
  number: { what: 'numbers', howToWrite: 'Write them as plain numbers (like 1250000).' },
  'yes/no': { what: 'yes/no values', howToWrite: 'Write them as yes or no (or true and false, 1 and 0).' },
};

/**
 * Says of a column (`subject`) how many of its filled cells are not read as `reading`, with the
 * first as an example, what that means for their leads (`meaning`), and how to write them. Unread
 * dates are most often a spreadsheet's date serial numbers (45000), which it says as such, or text.
 */
function unreadCellsWarning(subject: string, reading: CellReading, { filled, unread, example }: UnreadCells, meaning: string): string {
  const serial = reading === 'date' && /^\d+(\.\d+)?$/.test(example) ? ` ${SPREADSHEET_SERIAL_DATES}` : '';
  return (
    `${subject}: ${unread.toLocaleString('en-US')} of its ${filled.toLocaleString('en-US')} filled cells are not ${CELLS_READ_AS[reading].what} LeadLens can read (like ${quoteCell(example)}), ` +
    `${meaning}. ${CELLS_READ_AS[reading].howToWrite}${serial}`
  );
}

/**
 * Says how many created dates were not read: those leads have no created date, so a training
 * window by date leaves them out; when the active model reads the column (`readByModel`), their
 * scores leave it out too (said here, not twice).
 */
function unreadDatesWarning(createdColumn: string | null, dates: UnreadCells, readByModel: boolean): string[] {
  if (createdColumn === null || dates.unread === 0) return [];
  const meaning = readByModel
    ? 'so those leads have no created date: a training window by date leaves them out, and the active model reads it as not known, so their scores leave it out'
    : 'so those leads have no created date and a training window by date leaves them out';
  return [unreadCellsWarning(`The created date column "${createdColumn}"`, 'date', dates, meaning)];
}

/** A column the active model reads, and its cells the model reads as missing. */
interface UnreadModelCells {
  read: ColumnReading;
  cells: UnreadCells;
}

/**
 * Says of each column the active model reads as dates, numbers or yes/no how many of its filled
 * cells it reads as missing: a value in the file that every score of those leads leaves out, and
 * their explanations call not known (a two-digit year, a date as a spreadsheet's serial number, a
 * yes in words LeadLens does not know). Any such cell is said, as the created date's are: the
 * count tells a few odd cells from a column written in a way LeadLens does not read.
 */
const unreadModelCellsWarnings = (columns: readonly UnreadModelCells[]): string[] =>
  columns
    .filter(({ cells }) => cells.unread > 0)
    .map(({ read, cells }) =>
      unreadCellsWarning(`Column "${read.column}", which the active model reads`, read.reading, cells, "so the model reads them as not known and those leads' scores leave that value out"),
    );

/**
 * Says how many rows have no record id in the id column (its cell empty, or a placeholder such as
 * N/A): `csvLead` numbers them by their row instead. In the same words whether the mapping form says it
 * of the id column chosen, before the import (`CsvPreview.missingCells`), or the import does.
 */
export function missingIdsWarning(idColumn: string | null, rows: number): string[] {
  if (idColumn === null || rows === 0) return [];
  const numbered = rows === 1 ? 'it is numbered by its row' : 'they are numbered by their row';
  return [`${plural(rows, 'row has', 'rows have')} no record id in column "${idColumn}": with it as the record id, ${numbered}.`];
}

/** The most times the import reads the file: once to check it and learn its date orders and number formats, once more to store it when they rewrite some cell. */
const FILE_READS = 2;

/** How far a preview, or an import, has read the file. */
export interface ImportProgress {
  /** Rows read so far by this reading: a preview's; an import's first reading's, then its second's (when it reads the file again, rows staged). */
  rows: number;
  /** Characters read so far, over all the readings (the caller knows the file size: `reads` × size in all). */
  chars: number;
  /** How many times the file is read whole, as far as is known yet: a preview's 1; an import's 1 while its first reading stages the rows as written, `FILE_READS` once it must read the file again. */
  reads: number;
}

export interface ImportResult {
  /** Leads stored. */
  rows: number;
  /** What the import did to the previous import's leads. */
  replaced: CsvReplacement;
  /**
   * Of them, those stored with no outcome yet by the mapping's rule (`outcomeOf`): the outcome cell
   * empty, or a value ticked as still open. They count neither as converted nor as not; 0 when no outcome column is mapped.
   */
  withoutOutcome: number;
  /** Date columns the file writes day first (31/12/2025): their dates are stored as YYYY-MM-DD. */
  dayFirstColumns: string[];
  /** Number columns the file writes with decimal commas (1.234,5): their numbers are stored as plain numbers (1234.5). */
  commaDecimalColumns: string[];
  /** What a person should know about how the file was read: a report's footer left out, its dates and numbers. */
  warnings: string[];
}

/**
 * The most distinct values kept of a column: a column with more is no outcome column (`outcomeCandidates`
 * offers far fewer), and keeping the values of a column of ids or notes would hold a copy of the file.
 */
const MAX_VALUES_KEPT = 100;

export interface CsvPreview {
  columns: string[];
  /**
   * Column → its distinct values in the whole file (`outcomeCandidates` picks the outcome
   * candidates). Values that differ only in case or surrounding space are one value, as an outcome
   * rule matches them; a column with more than MAX_VALUES_KEPT values is left out.
   */
  values: Record<string, string[]>;
  /**
   * Column → how many rows have no value in it (empty, or a placeholder such as N/A), as the import
   * reads a record id: chosen as the record id column, those rows are numbered by their row (`missingIdsWarning`).
   */
  missingCells: Record<string, number>;
  /** What a person should know about how the file was read (a report's footer left out), as the import will say it too. */
  warnings: string[];
}

/**
 * What the mapping form shows: the columns and their values, read as the import reads them (same
 * dialect, same blocks), over the whole file, checked as the import checks it. `openFile` as for
 * `importCsv`; `onProgress` after each block, with the rows read so far. Throws `TrainingDataError`.
 */
export async function previewCsv(
  openFile: () => AsyncIterable<string>,
  { onProgress = () => undefined, blockChars = BLOCK_CHARS }: { onProgress?: (progress: ImportProgress) => void; blockChars?: number } = {},
): Promise<CsvPreview> {
  const dialect = await guessDialect(openFile());
  let values: DistinctValues = new Map();
  // No prototype: a column named `__proto__` is an ordinary key.
  const missingCells = Object.create(null) as Record<string, number>;
  const reading = { blockChars, signal: undefined, onProgress: (read: ReadProgress) => onProgress({ ...read, reads: 1 }) };
  const { columns, footer } = await readWholeFile(openFile(), dialect, reading, (header) => {
    values = distinctValuesOf(header);
    for (const column of header) missingCells[column] = 0;
    return (records) => {
      noteDistinctValues(values, records, MAX_VALUES_KEPT);
      for (const record of records) for (const column of header) if (cellText(record, column) === '') missingCells[column]++;
    };
  });
  return { columns, values: keptValues(values), missingCells, warnings: footerWarnings(footer) };
}

interface CsvBlock {
  table: ParsedCsv;
  /** Data rows in the blocks before this one. */
  rowsBefore: number;
  /** Characters read up to the end of this block. */
  chars: number;
}

/** One-cell lines written again as CSV text, each cell quoted, so that they read back as the same cells. */
const oneCellLines = (cells: readonly string[], { newline }: CsvDialect) => cells.map((cell) => `"${cell.replaceAll('"', '""')}"${newline}`).join('');

/**
 * The file's rows block by block, each block parsed and checked by the trainer's `parseCsv` under
 * the file's header. A block's footer (`ParsedCsv.footer`) is the file's only if the file ends there:
 * it is read again at the start of the next block, where rows after it make it rows split wrong,
 * so the last block's footer is the whole file's.
 */
async function* csvBlocks(chunks: AsyncIterable<string>, dialect: CsvDialect, blockChars: number, signal: AbortSignal | undefined): AsyncGenerator<CsvBlock> {
  let header: string | null = null;
  let rows = 0;
  let chars = 0;
  let footer = '';
  try {
    for await (const block of recordBlocks(chunks, dialect, blockChars)) {
      signal?.throwIfAborted();
      chars += block.length;
      let body = block;
      if (header === null) {
        const split = splitHeader(block, dialect);
        // Only blank lines so far: no row in them.
        if (split === null) continue;
        ({ header, rest: body } = split);
      }
      let table;
      try {
        // The header keeps its line ending, so each block reads as the file does (CRLF included).
        table = parseCsv(header + footer + body, { ...dialect, continued: rows > 0 });
      } catch (error) {
        // Line numbers in the trainer's message count from this block's first row.
        if (error instanceof UnclosedQuotedCellError && rows > 0) throw new UnclosedQuotedCellError(rows + error.row);
        if (error instanceof InvalidQuotedCellError && rows > 0) throw new InvalidQuotedCellError(rows + error.row, error.cellStart);
        if (error instanceof TrainingDataError && rows > 0) throw new TrainingDataError(`Counting from data row ${rows + 1}: ${error.message}`);
        throw error;
      }
      yield { table, rowsBefore: rows, chars };
      rows += table.records.length;
      footer = oneCellLines(table.footer, dialect);
    }
  } catch (error) {
    // The unclosed cell is in the file's last record: the last row read, or the header when none was.
    if (error instanceof UnclosedQuoteError) throw new UnclosedQuotedCellError(rows);
    throw error;
  }
}

type ReadProgress = Omit<ImportProgress, 'reads'>;

interface Reading {
  blockChars: number;
  signal: AbortSignal | undefined;
  /** After each block, with the rows read so far. */
  onProgress: (progress: ReadProgress) => void;
}

/**
 * Reads the whole file, checking it as the trainer would: `start` is called with the header's
 * columns, and what it returns with each block's records. Throws `TrainingDataError` when the file
 * is invalid or has no rows. `footer`: the one-cell lines left out at the file's end (`ParsedCsv.footer`).
 */
async function readWholeFile(
  chunks: AsyncIterable<string>,
  dialect: CsvDialect,
  { blockChars, signal, onProgress }: Reading,
  start: (columns: string[]) => (records: RawRecord[], rowsBefore: number) => void | Promise<void>,
): Promise<{ columns: string[]; rows: number; chars: number; footer: string[] }> {
  let columns: string[] | null = null;
  let note: ((records: RawRecord[], rowsBefore: number) => void | Promise<void>) | null = null;
  let rows = 0;
  let chars = 0;
  let footer: string[] = [];
  for await (const block of csvBlocks(chunks, dialect, blockChars, signal)) {
    columns ??= block.table.columns;
    note ??= start(columns);
    await note(block.table.records, block.rowsBefore);
    rows = block.rowsBefore + block.table.records.length;
    chars = block.chars;
    // The last block's footer holds those before it (see `csvBlocks`).
    footer = block.table.footer;
    onProgress({ rows, chars });
  }
  signal?.throwIfAborted();
  if (columns === null) throw new TrainingDataError('The CSV file is empty.');
  if (rows === 0) throw new TrainingDataError('The CSV file has a header but no rows.');
  return { columns, rows, chars, footer };
}

/**
 * Each column of `evidence` that `some` holds of, read in one order or format: only a cell that is a
 * numeric date, or has a digit, is rewritten, and it is evidence of its column.
 */
const columnsAs = <E, T>(evidence: ReadonlyMap<string, E>, some: (evidence: E) => boolean, as: T) =>
  new Map([...evidence].filter(([, columnEvidence]) => some(columnEvidence)).map(([column]) => [column, as]));

/** Adds to `into` the columns of `read` of which `rewrite` changes a cell of `records`. */
function noteRewritten(into: Set<string>, records: readonly RawRecord[], read: ReadonlyMap<string, unknown>, rewrite: (record: RawRecord) => RawRecord): void {
  if (read.size === 0) return;
  for (const record of records) {
    const rewritten = rewrite(record);
    for (const column of read.keys()) if (rewritten[column] !== record[column]) into.add(column);
  }
}

/** The columns some cell of which is rewritten when its column is read month first (its dates), or with decimal points (its numbers). */
interface RewrittenCells {
  monthFirst: Set<string>;
  dotDecimal: Set<string>;
}

/**
 * Whether the file's date `orders` and number `formats` rewrite none of its cells (`inFileOrder`,
 * `inFileFormat`), so that its rows as written are the rows stored. A column read day first, or
 * with decimal commas, has cells that chose it, which are rewritten.
 */
const storedAsWritten = (orders: ReadonlyMap<string, DateOrder>, formats: ReadonlyMap<string, NumberFormat>, rewritten: RewrittenCells) =>
  [...orders].every(([column, order]) => order === 'month-first' && !rewritten.monthFirst.has(column)) &&
  [...formats].every(([column, format]) => format === 'dot-decimal' && !rewritten.dotDecimal.has(column));

/**
 * The date orders the rows read so far show (`dateOrders`, with the created column's as the end
 * will read it); null once they show the created column written both ways, which the import
 * refuses when every row is read, counting them all.
 */
function dateOrdersSoFar(evidence: ReadonlyMap<string, DateEvidence>, createdColumn: string | null): Map<string, DateOrder> | null {
  try {
    return dateOrders(evidence, createdColumn).orders;
  } catch (error) {
    if (error instanceof TrainingDataError) return null;
    throw error;
  }
}

/** What the import says of the leads it staged. */
interface StagedTally {
  /** Rows staged so far, from the file's first. */
  rows: number;
  withoutOutcome: number;
  withoutId: number;
  unreadCreated: UnreadCells;
  /** Whether the active model reads the created date column as dates: its unread dates are said once, as created dates. */
  createdReadByModel: boolean;
  /** The other columns the active model reads as dates, numbers or yes/no; null until the first row is staged. */
  unreadByModel: UnreadModelCells[] | null;
}

/**
 * Stages the leads of the file's rows as `mapping` reads them into `sink`, block by block (`stage`:
 * the rows after the first `rowsBefore`, as stored), counting what the import says of them. Their
 * cells are checked against `features` as stored, dates and numbers rewritten in the file's order
 * and format: as scoring will read them.
 */
function staging(mapping: CsvMapping, sink: LeadSink, features: readonly Feature[]) {
  const tally: StagedTally = { rows: 0, withoutOutcome: 0, withoutId: 0, unreadCreated: noUnreadCells(), createdReadByModel: false, unreadByModel: null };
  const stage = async (records: RawRecord[], rowsBefore: number) => {
    const leads = records.map((record, i) => csvLead(record, rowsBefore + i + 1, mapping));
    // As training reads it: no created date (leadsInWindow).
    if (mapping.createdColumn) noteUnreadCells(tally.unreadCreated, records, mapping.createdColumn, (cell) => !isMissingRaw(cell), (_, i) => leads[i].createdAt <= 0);
    if (tally.unreadByModel === null && records.length > 0) {
      const readings = modelColumnReadings(features, Object.keys(records[0]));
      const readsCreated = (read: ColumnReading) => read.reading === 'date' && read.column === mapping.createdColumn;
      tally.createdReadByModel = readings.some(readsCreated);
      tally.unreadByModel = readings.filter((read) => !readsCreated(read)).map((read) => ({ read, cells: noUnreadCells() }));
    }
    for (const { read, cells } of tally.unreadByModel ?? []) noteUnreadCells(cells, records, read.column, read.filled, read.unread);
    if (mapping.outcome) tally.withoutOutcome += leads.filter((lead) => lead.outcome === null).length;
    if (mapping.idColumn) tally.withoutId += records.filter((record) => cellText(record, mapping.idColumn) === '').length;
    await sink.stage(leads);
    tally.rows = rowsBefore + records.length;
  };
  return { tally, stage };
}

/**
 * First reading: checks the whole file (as the trainer would), and gathers each column's date
 * evidence, and each unmapped column's number evidence: the mapped columns keep their text (the id
 * is the lead's key, the outcome is matched against the values chosen as written in the file,
 * owners and lead sources are filtered by as written). Meanwhile it stages the rows as written
 * (`stageAsWritten`) while the rows read so far would be stored so (`storedAsWritten`); once they
 * would not (a date written day first, a decimal comma), most often the whole file would not, and
 * it stages no more. `everyRowStaged`: whether it staged every row.
 */
async function scanCsv(
  chunks: AsyncIterable<string>,
  dialect: CsvDialect,
  mapping: CsvMapping,
  { blockChars, signal, onProgress }: Omit<Reading, 'onProgress'> & { onProgress: (progress: ImportProgress) => void },
  stageAsWritten: (records: RawRecord[], rowsBefore: number) => Promise<void>,
): Promise<{
  rows: number;
  chars: number;
  footer: string[];
  dateEvidence: Map<string, DateEvidence>;
  numberEvidence: Map<string, NumberEvidence>;
  rewritten: RewrittenCells;
  everyRowStaged: boolean;
}> {
  let dateEvidence = new Map<string, DateEvidence>();
  let numberEvidence = new Map<string, NumberEvidence>();
  const rewritten: RewrittenCells = { monthFirst: new Set(), dotDecimal: new Set() };
  let everyRowStaged = true;
  // Staging as it reads, the file is read once as far as is known: every row read is staged.
  const reading = { blockChars, signal, onProgress: ({ rows, chars }: ReadProgress) => onProgress({ rows, chars, reads: everyRowStaged ? 1 : FILE_READS }) };
  const { rows, chars, footer } = await readWholeFile(chunks, dialect, reading, (columns) => {
    const mapped = mappedColumns(mapping);
    const missing = mapped.filter((column) => !columns.includes(column));
    if (missing.length > 0) throw new TrainingDataError(`The CSV has no column ${missing.map((c) => `"${c}"`).join(', ')}.`);
    dateEvidence = noDateEvidence(columns);
    numberEvidence = noNumberEvidence(columns.filter((column) => !mapped.includes(column)));
    return async (records, rowsBefore) => {
      noteDates(dateEvidence, records);
      noteNumbers(numberEvidence, records);
      if (!everyRowStaged) return;
      const monthFirst = columnsAs<DateEvidence, DateOrder>(dateEvidence, ({ dates }) => dates > 0, 'month-first');
      const dotDecimal = columnsAs<NumberEvidence, NumberFormat>(numberEvidence, ({ withDigits }) => withDigits > 0, 'dot-decimal');
      noteRewritten(rewritten.monthFirst, records, monthFirst, (record) => inFileOrder(record, monthFirst));
      noteRewritten(rewritten.dotDecimal, records, dotDecimal, (record) => inFileFormat(record, dotDecimal, []));
      const orders = dateOrdersSoFar(dateEvidence, mapping.createdColumn);
      everyRowStaged = orders !== null && storedAsWritten(orders, numberFormats(numberEvidence).formats, rewritten);
      if (everyRowStaged) await stageAsWritten(records, rowsBefore);
    };
  });
  return { rows, chars, footer, dateEvidence, numberEvidence, rewritten, everyRowStaged };
}

/**
 * Import every row. `openFile` gives the file's text from the start each time it is called (the
 * file is read whole once, or `FILE_READS` times when its dates or numbers are rewritten, after its
 * start for the dialect). Throws `TrainingDataError` when the file is invalid, or the signal's
 * reason when aborted before the commit; either way the previous import is kept as it was (as it
 * is when the worker running this is stopped: see `LeadSink.commit`). Once the commit has begun,
 * an abort no longer stops it: the import completes. `features`: the active model's, whose columns'
 * cells it reads as missing are said in its warnings (none: no such check).
 */
export async function importCsv(
  openFile: () => AsyncIterable<string>,
  mapping: CsvMapping,
  sink: LeadSink,
  {
    onProgress = () => undefined,
    blockChars = BLOCK_CHARS,
    signal,
    features = [],
  }: { onProgress?: (progress: ImportProgress) => void; blockChars?: number; signal?: AbortSignal; features?: readonly Feature[] } = {},
): Promise<ImportResult> {
  // Whatever an earlier import left staged (its worker was stopped) is not part of this file.
  await sink.discard();
  try {
    const dialect = await guessDialect(openFile());
    let staged = staging(mapping, sink, features);
    const scanned = await scanCsv(openFile(), dialect, mapping, { blockChars, signal, onProgress }, staged.stage);
    // A date such as 03/04/2025 is read by its column's order, a number such as 1.234 by its
    // column's format: both known only once every row was seen.
    const dates = dateOrders(scanned.dateEvidence, mapping.createdColumn);
    const numbers = numberFormats(scanned.numberEvidence);
    if (!(scanned.everyRowStaged && storedAsWritten(dates.orders, numbers.formats, scanned.rewritten))) {
      // The rows as written (those staged, if any) are not the rows stored: read again in the file's orders and formats.
      await sink.discard();
      staged = staging(mapping, sink, features);
      for await (const { table, rowsBefore, chars } of csvBlocks(openFile(), dialect, blockChars, signal)) {
        await staged.stage(recordsInFileFormat(recordsInFileOrder(table.records, dates.orders), numbers.formats), rowsBefore);
        onProgress({ rows: staged.tally.rows, chars: scanned.chars + chars, reads: FILE_READS });
      }
      signal?.throwIfAborted();
      if (staged.tally.rows !== scanned.rows) throw new TrainingDataError('The CSV file changed while it was being imported. Import it again.');
    }
    const { rows, withoutOutcome, withoutId, unreadCreated, createdReadByModel, unreadByModel } = staged.tally;
    // Refused rather than "the later row wins": a file's row order says nothing about which row
    // is newer, so keeping one would silently drop the other's fields and outcome; and a
    // repeating id column is most often the wrong column chosen as the record id.
    const repeated = rows - (await sink.stagedCount());
    if (repeated > 0) {
      throw new TrainingDataError(
        `${repeated.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} rows repeat a record id (column "${mapping.idColumn}") that an earlier row already has. ` +
          'Each row must be one lead: choose a record id column whose values are all different, or "(none)" to number the rows.',
      );
    }
    const replaced = await sink.commit(mapping.outcome);
    return {
      rows,
      replaced,
      withoutOutcome,
      dayFirstColumns: dayFirstColumns(dates.orders),
      commaDecimalColumns: commaDecimalColumns(numbers.formats),
      warnings: [
        ...footerWarnings(scanned.footer),
        ...missingIdsWarning(mapping.idColumn, withoutId),
        ...unreadDatesWarning(mapping.createdColumn, unreadCreated, createdReadByModel),
        ...unreadModelCellsWarnings(unreadByModel ?? []),
        ...dates.warnings,
        ...numbers.warnings,
        ...mixedCurrenciesWarnings(scanned.numberEvidence),
      ],
    };
  } catch (error) {
    await sink.discard();
    throw error;
  }
}
