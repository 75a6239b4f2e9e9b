/** Suggestions for the CSV import's mapping, from the column names and the values of the whole file. */
import { suggestOutcome } from '../ml/train/outcome-suggestions';
import type { CsvMapping } from './import';

const ID_COLUMN = /^((lead|record|contact)[ _-]?)?id$/i;
const NAME_COLUMN = /^((full|lead|contact)[ _-]?)?name$/i;
const CREATED_COLUMN = /^(created|create[ _-]?date|created[ _-]?(at|date|on|time))$/i;
/** Salesforce's "Lead Owner", HubSpot's "Contact owner"; not an owner id column (OwnerId), whose ids would be the filter's choices. */
const OWNER_COLUMN = /^((lead|contact|record|hubspot)[ _-]?)?owner([ _-]?(full[ _-]?)?name)?$/i;
/** Salesforce's "Lead Source", HubSpot's "Original Source"; not a bare "Source", which may name the CRM a row came from. */
const LEAD_SOURCE_COLUMN = /^((lead|original)[ _-]?source([ _-]?type)?|hs_analytics_source)$/i;
/** Whether `column`'s name is one the import suggests as the created date column ("Create Date", CreatedDate, created_at). */
export const namesCreatedColumn = (column: string): boolean => CREATED_COLUMN.test(column.trim());

/** `outcomeValues`: the outcome candidates among the columns, with their values (`outcomeCandidates`). */
export function suggestCsvMapping(columns: readonly string[], outcomeValues: Record<string, string[]>): CsvMapping {
  const find = (pattern: RegExp) => columns.find((column) => pattern.test(column.trim())) ?? null;
  return {
    idColumn: find(ID_COLUMN),
    nameColumn: find(NAME_COLUMN),
    createdColumn: columns.find(namesCreatedColumn) ?? null,
    outcome: suggestOutcome('csv', outcomeValues),
    ownerColumn: find(OWNER_COLUMN),
    leadSourceColumn: find(LEAD_SOURCE_COLUMN),
  };
}
