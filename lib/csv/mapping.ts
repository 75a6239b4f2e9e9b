/** Suggestions for the CSV import's mapping, from the column names and the first rows. */
import type { RawRecord } from '../ml/featurize';
import { suggestOutcome } from '../ml/train/outcome-suggestions';
import type { CsvMapping } from './import';

const ID_COLUMN = /^((lead|record|contact)[ _-]?)?id$/i;
const NAME_COLUMN = /^((full|lead|contact)[ _-]?)?name$/i;
const CREATED_COLUMN = /^(created|create[ _-]?date|created[ _-]?(at|date|on|time))$/i;
/** Columns with more distinct values than this in the sample are not offered as outcomes. */
const MAX_OUTCOME_VALUES = 30;

/** Column → its distinct values in `records`, for columns with few of them (outcome candidates). */
export function fewValuedColumns(columns: readonly string[], records: readonly RawRecord[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const column of columns) {
    const values = new Set<string>();
    for (const record of records) {
      const value = record[column];
      if (value !== null && value !== undefined && String(value).trim() !== '') values.add(String(value).trim());
      if (values.size > MAX_OUTCOME_VALUES) break;
    }
    if (values.size >= 2 && values.size <= MAX_OUTCOME_VALUES) out[column] = [...values].sort();
  }
  return out;
}

export function suggestCsvMapping(columns: readonly string[], records: readonly RawRecord[]): CsvMapping {
  const find = (pattern: RegExp) => columns.find((column) => pattern.test(column.trim())) ?? null;
  return {
    idColumn: find(ID_COLUMN),
    nameColumn: find(NAME_COLUMN),
    createdColumn: find(CREATED_COLUMN),
    outcome: suggestOutcome('csv', fewValuedColumns(columns, records)),
  };
}
