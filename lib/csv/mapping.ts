/** Suggestions for the CSV import's mapping, from the column names and the values of the whole file. */
import { CREATED_HEADERS, LEAD_SOURCE_HEADERS } from '../crm/export-headers';
import { columnKey } from '../ml/featurize';
import { fieldsOfRule, type OutcomeRule } from '../ml/outcome-rule';
import { suggestOutcome } from '../ml/train/outcome-suggestions';
import type { CsvMapping } from './import';

/** The names a column is suggested by, compared by `columnKey`. */
const namesOf = (...names: string[]): ReadonlySet<string> => new Set(names.map(columnKey));

const ID_NAMES = namesOf('ID', 'Lead ID', 'Record ID', 'Contact ID');
const NAME_NAMES = namesOf('Name', 'Full Name', 'Lead Name', 'Contact Name');
const CREATED_NAMES = namesOf(...CREATED_HEADERS);
/**
 * The lead's owner as Salesforce ("Lead Owner") and HubSpot ("Contact owner") exports head it;
 * not an owner id column (OwnerId), whose ids would be the filter's choices.
 */
const OWNER_NAMES = namesOf(
  ...['', 'Lead ', 'Contact ', 'Record ', 'HubSpot '].flatMap((prefix) => ['Owner', 'Owner Name', 'Owner Full Name'].map((name) => prefix + name)),
  ...['Inhaber', 'Lead-Inhaber', 'Kontaktinhaber', 'Datensatzinhaber', 'Besitzer'],
  ...['Propriétaire', 'Propriétaire du lead', 'Propriétaire de la piste', 'Propriétaire du contact'],
  ...['Propietario', 'Propietario del candidato', 'Propietario del lead', 'Propietario del contacto'],
  ...['Proprietário', 'Proprietário do lead', 'Proprietário do contato', 'Proprietario', 'Proprietario del lead', 'Proprietario del contatto'],
  ...['Eigenaar', 'Leadeigenaar', 'Contacteigenaar', 'Ägare', 'Ejer', 'Eier', 'Właściciel'],
  ...['Владелец', '所有者', 'リード所有者', 'コンタクト所有者', 'コンタクト担当者', '所有人', '潜在客户所有人', '联系人所有者', '소유자', '리드 소유자'],
);
const LEAD_SOURCE_NAMES = namesOf(...LEAD_SOURCE_HEADERS);

/** The first of `columns` whose name is one of `names`, or null. */
const columnNamed = (columns: readonly string[], names: ReadonlySet<string>) => columns.find((column) => names.has(columnKey(column))) ?? null;

/** Whether `column`'s name is one the import suggests as the created date column ("Create Date", CreatedDate, created_at, Erstellt am, 作成日). */
export const namesCreatedColumn = (column: string): boolean => CREATED_NAMES.has(columnKey(column));

/** Whether `column`'s name is one the import suggests as the lead source column ("Lead Source", lead_source, Original Source, Leadquelle). */
export const namesLeadSourceColumn = (column: string): boolean => LEAD_SOURCE_NAMES.has(columnKey(column));

/** `outcomeValues`: the outcome candidates among the columns, with their values (`outcomeCandidates`). */
export function suggestCsvMapping(columns: readonly string[], outcomeValues: Record<string, string[]>): CsvMapping {
  return {
    idColumn: columnNamed(columns, ID_NAMES),
    nameColumn: columnNamed(columns, NAME_NAMES),
    createdColumn: columnNamed(columns, CREATED_NAMES),
    outcome: suggestOutcome('csv', outcomeValues),
    ownerColumn: columnNamed(columns, OWNER_NAMES),
    leadSourceColumn: columnNamed(columns, LEAD_SOURCE_NAMES),
  };
}

/**
 * Where the mapping form starts: `suggestion`, with the stored import's outcome rule
 * (`storedOutcome`: its column, converted and still-open values) in place of the suggested outcome
 * when the file has every column it reads, under the same header. The next month's export would
 * otherwise start from a fresh guess, and an import without an outcome drops the rule (`dexieCsvSink`).
 * `carried`: whether it did.
 */
export function mappingToStart(suggestion: CsvMapping, columns: readonly string[], storedOutcome: OutcomeRule | null): { mapping: CsvMapping; carried: boolean } {
  const carried = storedOutcome !== null && fieldsOfRule(storedOutcome).every((field) => columns.includes(field));
  return { mapping: carried ? { ...suggestion, outcome: storedOutcome } : suggestion, carried };
}
