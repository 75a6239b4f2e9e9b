/**
 * The active model's CSV columns that a file to import lacks: its leads would be scored with those
 * features missing (a re-export whose report renamed "title" to "Position"), so the preview says so.
 */
import { sourceFieldKey, type RawRecord } from '../ml/featurize';
import { fieldSourcesOf, fieldsRead, type Derive, type FieldSources } from '../ml/manifest';
import { namesLeadSourceColumn } from './mapping';

/** A lead's fields as the file's `columns` key them (the import renames none), their values aside. */
const fieldsOfColumns = (columns: readonly string[]): RawRecord => Object.fromEntries(columns.map((column) => [column, null]));

/** The field sources `features` read a CSV column by (`derive.from`, both parts of a ratio), each with that column. */
const csvSourcesOf = (features: readonly { derive: Derive }[]): { from: FieldSources; column: string }[] =>
  features.flatMap(({ derive }) => fieldSourcesOf(derive).flatMap((from) => (from.csv === undefined ? [] : [{ from, column: from.csv }])));

/**
 * The columns `features` read from a CSV (`derive.from.csv`, both parts of a ratio) that none of
 * the file's `columns` is, found as scoring finds them (`sourceFieldKey`: "Annual Revenue" is
 * `annual_revenue`, a Salesforce report's "No. of Employees" is `employees`), each once. A lead's
 * fields are the file's columns as the import reads them (the mapping says which columns are the
 * id, name, date and outcome, and renames none).
 */
export function modelColumnsMissing(features: readonly { derive: Derive }[], columns: readonly string[]): string[] {
  const fields = fieldsOfColumns(columns);
  const missing = csvSourcesOf(features).filter(({ from }) => sourceFieldKey(fields, from, 'csv') === undefined);
  return [...new Set(missing.map(({ column }) => column))];
}

/**
 * What a person should know about the columns `features` read that the file's `columns` lack
 * (`modelColumnsMissing`): nothing when none is; with every one missing, no lead of the file is
 * scored at all (a lead the model reads nothing of gets no score).
 */
export function missingModelColumnsWarnings(features: readonly { derive: Derive }[], columns: readonly string[]): string[] {
  const missing = modelColumnsMissing(features, columns);
  if (missing.length === 0) return [];
  const named = missing.map((column) => `"${column}"`).join(', ');
  if (missing.length === fieldsRead(features, 'csv').length) {
    return [`The active model reads none of this file's columns (it reads ${named}): none of its leads can be scored by it. Rename the columns, or train a model on this file.`];
  }
  const [howMany, them] = missing.length === 1 ? ['1 column', 'it'] : [`${missing.length.toLocaleString('en-US')} columns`, 'them'];
  return [
    `The active model reads ${howMany} this file does not have: ${named}. Its leads will be scored without ${them}. ` +
      `Rename the ${missing.length === 1 ? 'column' : 'columns'}, or train a model on this file.`,
  ];
}

/**
 * What a person should know when the column chosen as Lead source (`leadSourceColumn`: the side
 * panel's filter) is not the one the active model reads its lead source from: its column named as
 * a lead source (`namesLeadSourceColumn`, the bundled model's `lead_source`), found in the file as
 * scoring finds it (`sourceFieldKey`). The import stores the file's cells under their own columns
 * (a row is told from another by them, and training reads them as columns), so the model reads
 * that column whatever is chosen: the page says which it reads, and how to make them one.
 */
export function leadSourceColumnWarnings(features: readonly { derive: Derive }[], columns: readonly string[], leadSourceColumn: string | null | undefined): string[] {
  if (!leadSourceColumn) return [];
  const fields = fieldsOfColumns(columns);
  const warnings = csvSourcesOf(features)
    .filter(({ column }) => namesLeadSourceColumn(column))
    .flatMap(({ from, column: modelColumn }) => {
      const read = sourceFieldKey(fields, from, 'csv');
      if (read === leadSourceColumn) return [];
      return read === undefined
        ? [
            `"${leadSourceColumn}", chosen as Lead source, is what the side panel filters by: the active model reads the lead source from a column "${modelColumn}", ` +
              `which this file does not have, so it reads none. Rename "${leadSourceColumn}" to "${modelColumn}" for the model to read it too.`,
          ]
        : [
            `The active model reads the lead source from "${read}", not from "${leadSourceColumn}", chosen as Lead source (what the side panel filters by). ` +
              `Choose "${read}" as Lead source for both to read the same column.`,
          ];
    });
  return [...new Set(warnings)];
}
