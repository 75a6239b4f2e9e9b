/**
 * CSV import: the file's text, streamed block by block (whole records each, see
 * record-blocks.ts), parsed and validated by the trainer's own `parseCsv` (papaparse; UTF-8,
 * header, row widths), each row a lead of origin `csv`. Rows are staged apart from the stored
 * leads and replace the previous import only once the whole file has been read and checked, so
 * a failure or a cancel anywhere leaves the previous import exactly as it was.
 */
import Papa from 'papaparse';
import { z } from 'zod';
import type { StoredLead } from '../db/db';
import { isMissingRaw, parseDate } from '../ml/derive';
import type { RawRecord } from '../ml/featurize';
import { parseCsv, TrainingDataError } from '../ml/train/dataset';
import { isConverted, OutcomeRuleSchema } from '../ml/train/training-set';
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
  const outcomeCell = mapping.outcome ? record[mapping.outcome.field] : undefined;
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
    outcome: mapping.outcome && !isMissingRaw(outcomeCell) ? (isConverted(record, mapping.outcome) ? 1 : 0) : null,
    fields: record,
  };
}

function mappedColumns(mapping: CsvMapping): string[] {
  return [mapping.idColumn, mapping.nameColumn, mapping.createdColumn, mapping.outcome?.field].filter((c): c is string => c !== null && c !== undefined);
}

export interface ImportProgress {
  rows: number;
  /** Characters read so far (the caller knows the file size). */
  chars: number;
}

/** The header and the first block's records: what the mapping form shows. Throws `TrainingDataError`. */
export async function previewCsv(chunks: AsyncIterable<string>): Promise<{ columns: string[]; records: RawRecord[] }> {
  for await (const block of recordBlocks(chunks)) return parseCsv(block);
  throw new TrainingDataError('The CSV file is empty.');
}

/**
 * Import every row; returns how many leads are stored. Throws `TrainingDataError` when the file is
 * invalid, or the signal's reason when aborted between blocks; either way the previous import is
 * kept as it was (as it is when the worker running this is stopped: see `LeadSink.commit`).
 */
export async function importCsv(
  chunks: AsyncIterable<string>,
  mapping: CsvMapping,
  sink: LeadSink,
  {
    onProgress = () => undefined,
    blockChars = BLOCK_CHARS,
    signal,
  }: { onProgress?: (progress: ImportProgress) => void; blockChars?: number; signal?: AbortSignal } = {},
): Promise<number> {
  // Whatever an earlier import left staged (its worker was stopped) is not part of this file.
  await sink.discard();
  let header: string | null = null;
  let sep = ',';
  let rows = 0;
  let chars = 0;
  try {
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
      if (rows === 0) {
        const missing = mappedColumns(mapping).filter((column) => !table.columns.includes(column));
        if (missing.length > 0) throw new TrainingDataError(`The CSV has no column ${missing.map((c) => `"${c}"`).join(', ')}.`);
      }
      await sink.stage(table.records.map((record, i) => csvLead(record, rows + i + 1, mapping)));
      rows += table.records.length;
      chars += block.length;
      onProgress({ rows, chars });
    }
    signal?.throwIfAborted();
    if (rows === 0) throw new TrainingDataError(header === null ? 'The CSV file is empty.' : 'The CSV file has a header but no rows.');
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
    return rows;
  } catch (error) {
    await sink.discard();
    throw error;
  }
}
