/**
 * CSV import: the file's text, streamed block by block (whole records each, see
 * record-blocks.ts), parsed and validated by the trainer's own `parseCsv` (papaparse; UTF-8,
 * header, row widths), each row stored as a lead of origin `csv`. A failure anywhere leaves
 * no partial import behind.
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

/** Where imported leads go (Dexie in the worker, an array in tests). */
export interface LeadSink {
  /** Remove the previous CSV import (a new import replaces it). */
  clear(): Promise<void>;
  put(leads: StoredLead[]): Promise<void>;
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

/** Import every row; returns how many. Throws `TrainingDataError` (nothing kept) when the file is invalid. */
export async function importCsv(
  chunks: AsyncIterable<string>,
  mapping: CsvMapping,
  sink: LeadSink,
  { onProgress = () => undefined, blockChars = BLOCK_CHARS }: { onProgress?: (progress: ImportProgress) => void; blockChars?: number } = {},
): Promise<number> {
  await sink.clear();
  let header: string | null = null;
  let sep = ',';
  let rows = 0;
  let chars = 0;
  try {
    for await (const block of recordBlocks(chunks, blockChars)) {
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
      await sink.put(table.records.map((record, i) => csvLead(record, rows + i + 1, mapping)));
      rows += table.records.length;
      chars += block.length;
      onProgress({ rows, chars });
    }
    if (rows === 0) throw new TrainingDataError(header === null ? 'The CSV file is empty.' : 'The CSV file has a header but no rows.');
    return rows;
  } catch (error) {
    await sink.clear();
    throw error;
  }
}
