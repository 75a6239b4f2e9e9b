/** Suggestions for the CSV import's mapping, from the column names and the values of the whole file. */
import { suggestOutcome } from '../ml/train/outcome-suggestions';
import type { CsvMapping } from './import';

const ID_COLUMN = /^((lead|record|contact)[ _-]?)?id$/i;
const NAME_COLUMN = /^((full|lead|contact)[ _-]?)?name$/i;
const CREATED_COLUMN = /^(created|create[ _-]?date|created[ _-]?(at|date|on|time))$/i;
/** `outcomeValues`: the outcome candidates among the columns, with their values (`outcomeCandidates`). */
export function suggestCsvMapping(columns: readonly string[], outcomeValues: Record<string, string[]>): CsvMapping {
  const find = (pattern: RegExp) => columns.find((column) => pattern.test(column.trim())) ?? null;
  return {
    idColumn: find(ID_COLUMN),
    nameColumn: find(NAME_COLUMN),
    createdColumn: find(CREATED_COLUMN),
    outcome: suggestOutcome('csv', outcomeValues),
  };
}
