/**
 * CSV import: the file's text, streamed block by block (whole records each, see
 * record-blocks.ts), parsed and validated by the trainer's own `parseCsv` (papaparse; UTF-8,
 * header, row widths), each row a lead of origin `csv`. The file is read twice: first to check
 * it whole and learn which order (day or month first) each date column writes, then to store
 * it, with dates written day first rewritten as ISO so every later `parseDate` reads them
 * right. Rows are staged apart from the stored leads and replace the previous import only once
 * the whole file has been read and checked, so a failure or a cancel anywhere leaves the
 * previous import exactly as it was.
 */
import Papa from 'papaparse';
import { z } from 'zod';
import type { StoredLead } from '../db/db';
import { isMissingRaw, numericDate, numericDateIso, numericDateMs, parseDate, type DateOrder } from '../ml/derive';
import type { RawRecord } from '../ml/featurize';
import { parseCsv, TrainingDataError, type Table } from '../ml/train/dataset';
import { OutcomeRuleSchema, outcomeOf } from '../ml/train/training-set';
import { BLOCK_CHARS, recordBlocks, splitHeader } from './record-blocks';

/** Which columns say what LeadLens needs beyond the fields: all optional. */
export const CsvMappingSchema = z.object({
  /** The record id (re-importing the same ids replaces them); none: the row number. */
  idColumn: z.string().nullable(),
  nameColumn: z.string().nullable(),
  /** When the lead was created (for the training window). */
  createdColumn: z.string().nullable(),
  /** What "converted" means, for leads whose outcome is known. */
  outcome: OutcomeRuleSchema.nullable(),
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
  /** In one transaction: remove the previous CSV import, store the staged leads, empty the stage. */
  commit(): Promise<void>;
}

const text = (value: RawRecord[string]) => (isMissingRaw(value) ? '' : String(value).trim());

export function csvLead(record: RawRecord, rowNumber: number, mapping: CsvMapping): StoredLead {
  const id = (mapping.idColumn && text(record[mapping.idColumn])) || `row-${rowNumber}`;
  const created = mapping.createdColumn ? parseDate(record[mapping.createdColumn]) : Number.NaN;
  return {
    key: `csv|${id}`,
    source: 'csv',
    id,
    origin: 'csv',
    name: mapping.nameColumn ? text(record[mapping.nameColumn]) : '',
    owner: '',
    leadSource: '',
    createdAt: Number.isFinite(created) ? created : 0,
    modifiedAt: 0,
    outcome: mapping.outcome ? outcomeOf(record, mapping.outcome) : null,
    fields: record,
  };
}

function mappedColumns(mapping: CsvMapping): string[] {
  return [mapping.idColumn, mapping.nameColumn, mapping.createdColumn, mapping.outcome?.field].filter((c): c is string => c !== null && c !== undefined);
}

/** The import reads the file this many times: once to check it and learn its date orders, once to store it. */
export const FILE_READS = 2;

export interface ImportProgress {
  /** Rows stored so far (0 during the first reading). */
  rows: number;
  /** Characters read so far over both readings (the caller knows the file size: `FILE_READS` × size in all). */
  chars: number;
}

export interface ImportResult {
  /** Leads stored. */
  rows: number;
  /** Date columns the file writes day first (31/12/2025): their dates are stored as YYYY-MM-DD. */
  dayFirstColumns: string[];
  /** What a person should know about how the file's dates were read. */
  warnings: string[];
}

/** The header and the first block's records: what the mapping form shows. Throws `TrainingDataError`. */
export async function previewCsv(chunks: AsyncIterable<string>): Promise<{ columns: string[]; records: RawRecord[] }> {
  for await (const block of recordBlocks(chunks)) return parseCsv(block);
  throw new TrainingDataError('The CSV file is empty.');
}

interface CsvBlock {
  table: Table;
  /** Data rows in the blocks before this one. */
  rowsBefore: number;
  /** Characters read up to the end of this block. */
  chars: number;
}

/** The file's rows block by block, each block parsed and checked by the trainer's `parseCsv` under the file's header. */
async function* csvBlocks(chunks: AsyncIterable<string>, blockChars: number, signal: AbortSignal | undefined): AsyncGenerator<CsvBlock> {
  let header: string | null = null;
  let sep = ',';
  let rows = 0;
  let chars = 0;
  for await (const block of recordBlocks(chunks, blockChars)) {
    signal?.throwIfAborted();
    let body = block;
    if (header === null) {
      ({ header, rest: body } = splitHeader(block.replace(/^\uFEFF/, '')));
      sep = Papa.parse<string[]>(header, { preview: 1 }).meta.delimiter || ',';
    }
    let table;
    try {
      table = parseCsv(`${header}\n${body}`, { sep });
    } catch (error) {
      // Line numbers in the trainer's message count from this block's first row.
      if (error instanceof TrainingDataError && rows > 0) throw new TrainingDataError(`Counting from data row ${rows + 1}: ${error.message}`);
      throw error;
    }
    chars += block.length;
    yield { table, rowsBefore: rows, chars };
    rows += table.records.length;
  }
}

/** Dates of a column that read in one order only, how many and the first seen. */
interface OneOrderDates {
  count: number;
  example: string;
}

/** What one column's cells say about its dates written as numbers (day and month in either order). */
interface DateEvidence {
  filled: number;
  /** Filled cells that are numeric dates. */
  dates: number;
  only: Record<DateOrder, OneOrderDates>;
  /** The first date that reads as two different days (03/04/2025). */
  eitherWay: string | null;
}

const noDateEvidence = (): DateEvidence => ({
  filled: 0,
  dates: 0,
  only: { 'day-first': { count: 0, example: '' }, 'month-first': { count: 0, example: '' } },
  eitherWay: null,
});

function noteDate(evidence: DateEvidence, cell: RawRecord[string]): void {
  if (isMissingRaw(cell)) return;
  evidence.filled++;
  const text = String(cell).trim();
  const date = numericDate(text);
  if (!date) return;
  evidence.dates++;
  const dayFirst = numericDateMs(date, 'day-first');
  const monthFirst = numericDateMs(date, 'month-first');
  // 31/12/2025 is a date day first only; 03/04/2025 is one either way, and says nothing of the order.
  if (Number.isFinite(dayFirst) !== Number.isFinite(monthFirst)) {
    const only = evidence.only[Number.isFinite(dayFirst) ? 'day-first' : 'month-first'];
    if (only.count++ === 0) only.example = text;
  } else if (dayFirst !== monthFirst && Number.isFinite(dayFirst)) evidence.eitherWay ??= text;
}

/** First reading: checks the whole file (as the trainer would) before anything is staged, and gathers each column's date evidence. */
async function scanCsv(
  chunks: AsyncIterable<string>,
  mapping: CsvMapping,
  { blockChars, signal, onProgress }: { blockChars: number; signal: AbortSignal | undefined; onProgress: (progress: ImportProgress) => void },
): Promise<{ rows: number; chars: number; evidence: Map<string, DateEvidence> }> {
  let blocks = 0;
  let rows = 0;
  let chars = 0;
  const evidence = new Map<string, DateEvidence>();
  for await (const block of csvBlocks(chunks, blockChars, signal)) {
    if (blocks++ === 0) {
      const missing = mappedColumns(mapping).filter((column) => !block.table.columns.includes(column));
      if (missing.length > 0) throw new TrainingDataError(`The CSV has no column ${missing.map((c) => `"${c}"`).join(', ')}.`);
      for (const column of block.table.columns) evidence.set(column, noDateEvidence());
    }
    for (const record of block.table.records) for (const [column, dates] of evidence) noteDate(dates, record[column]);
    rows = block.rowsBefore + block.table.records.length;
    chars = block.chars;
    onProgress({ rows: 0, chars });
  }
  signal?.throwIfAborted();
  if (rows === 0) throw new TrainingDataError(blocks === 0 ? 'The CSV file is empty.' : 'The CSV file has a header but no rows.');
  return { rows, chars, evidence };
}

const dateCount = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'date' : 'dates'}`;

/**
 * The order of each date column whose order the file shows. A date column is the mapped created
 * date, or one where most filled cells are numeric dates. Its order is the one some of its
 * dates read in only (31/12/2025: day first) when none reads in the other order only. Both
 * orders in the created date column are refused (the training window rests on it); in
 * another column the dates are kept as written, with a warning naming it.
 */
function dateOrders(evidence: ReadonlyMap<string, DateEvidence>, createdColumn: string | null): { orders: Map<string, DateOrder>; warnings: string[] } {
  const orders = new Map<string, DateOrder>();
  const warnings: string[] = [];
  for (const [column, { filled, dates, only, eitherWay }] of evidence) {
    if (dates === 0 || (column !== createdColumn && dates * 2 <= filled)) continue;
    const day = only['day-first'];
    const month = only['month-first'];
    if (day.count > 0 && month.count > 0) {
      const both =
        `${dateCount(day.count)} written day first (like ${day.example}) and ${dateCount(month.count)} written month first (like ${month.example})`;
      if (column === createdColumn) {
        throw new TrainingDataError(
          `The created date column "${column}" has ${both}, so a date such as 03/04/2025 in it could be either. ` +
            'Write its dates in one order (or as YYYY-MM-DD) and import again.',
        );
      }
      warnings.push(
        `Column "${column}" has ${both}: its dates are kept as written, and those that read both ways may be misread. ` +
          'Write them in one order (or as YYYY-MM-DD).',
      );
    } else if (day.count > 0) orders.set(column, 'day-first');
    else if (month.count > 0) orders.set(column, 'month-first');
    else if (eitherWay !== null) {
      // No date tells the order: say how parseDate reads them, by their separator's convention.
      const date = numericDate(eitherWay)!;
      const read = parseDate(eitherWay);
      const how =
        read === numericDateMs(date, 'month-first') ? 'were read month first' : read === numericDateMs(date, 'day-first') ? 'were read day first' : 'could not be read';
      warnings.push(
        `Column "${column}": every date in it reads both day first and month first (like ${eitherWay}), so they ${how}. ` +
          'Written as YYYY-MM-DD, they would read one way only.',
      );
    }
  }
  return { orders, warnings };
}

/**
 * The record with its date columns' numeric dates as ISO text read in the file's order: every
 * date of a day-first column, and those of a month-first column `parseDate` would not read
 * month first (dots, dashes). Dates that are no date in the column's order are kept as written.
 */
function inFileOrder(record: RawRecord, orders: ReadonlyMap<string, DateOrder>): RawRecord {
  const rewritten = { ...record };
  for (const [column, order] of orders) {
    const cell = record[column];
    const date = isMissingRaw(cell) ? null : numericDate(String(cell).trim());
    const iso = date && numericDateIso(date, order);
    if (iso && (order === 'day-first' || parseDate(cell) !== parseDate(iso))) rewritten[column] = iso;
  }
  return rewritten;
}

/**
 * Import every row. `openFile` gives the file's text from the start each time it is called (the
 * file is read `FILE_READS` times). Throws `TrainingDataError` when the file is invalid, or the
 * signal's reason when aborted between blocks; either way the previous import is kept as it was
 * (as it is when the worker running this is stopped: see `LeadSink.commit`).
 */
export async function importCsv(
  openFile: () => AsyncIterable<string>,
  mapping: CsvMapping,
  sink: LeadSink,
  {
    onProgress = () => undefined,
    blockChars = BLOCK_CHARS,
    signal,
  }: { onProgress?: (progress: ImportProgress) => void; blockChars?: number; signal?: AbortSignal } = {},
): Promise<ImportResult> {
  // Whatever an earlier import left staged (its worker was stopped) is not part of this file.
  await sink.discard();
  try {
    // A date such as 03/04/2025 is read by its column's order, known only once every row was seen.
    const scanned = await scanCsv(openFile(), mapping, { blockChars, signal, onProgress });
    const { orders, warnings } = dateOrders(scanned.evidence, mapping.createdColumn);
    let rows = 0;
    for await (const { table, rowsBefore, chars } of csvBlocks(openFile(), blockChars, signal)) {
      const records = orders.size > 0 ? table.records.map((record) => inFileOrder(record, orders)) : table.records;
      await sink.stage(records.map((record, i) => csvLead(record, rowsBefore + i + 1, mapping)));
      rows = rowsBefore + records.length;
      onProgress({ rows, chars: scanned.chars + chars });
    }
    signal?.throwIfAborted();
    if (rows !== scanned.rows) throw new TrainingDataError('The CSV file changed while it was being imported. Import it again.');
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
    await sink.commit();
    const dayFirstColumns = [...orders].filter(([, order]) => order === 'day-first').map(([column]) => column);
    return { rows, dayFirstColumns, warnings };
  } catch (error) {
    await sink.discard();
    throw error;
  }
}
