/**
 * The active model's CSV columns that a file to import lacks: its leads would be scored with those
 * features missing (a re-export whose report renamed "title" to "Job Title"), so the preview says so.
 */
import { fieldsRead, type Derive } from '../ml/manifest';

/**
 * The columns `features` read from a CSV (`derive.from.csv`, both parts of a ratio) that none of
 * the file's `columns` is. A lead's fields are the file's columns as the import reads them (the
 * mapping says which columns are the id, name, date and outcome, and renames none), and scoring
 * finds a column whatever its case (`recordKey`): so does this comparison.
 */
export function modelColumnsMissing(features: readonly { derive: Derive }[], columns: readonly string[]): string[] {
  const held = new Set(columns.map((column) => column.toLowerCase()));
  return fieldsRead(features, 'csv').filter((column) => !held.has(column.toLowerCase()));
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
