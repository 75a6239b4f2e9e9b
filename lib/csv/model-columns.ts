/**
 * The active model's CSV columns that a file to import lacks: its leads would be scored with those
 * features missing (a re-export whose report renamed "title" to "Position"), so the preview says so.
 * And how the model reads the columns it finds (`modelColumnReadings`), so that the import can say
 * which of their cells it reads as missing.
 */
import { isMissingRaw, parseBoolean, parseDate, parseNumber } from '../ml/derive';
import { sourceFieldKey, type RawRecord, type RawValue } from '../ml/featurize';
import { fieldSourcesOf, fieldsRead, type Derive, type Feature, type FieldSources } from '../ml/manifest';
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

/** How a feature reads the cells of its columns: as dates, numbers, or yes or no. */
export type CellReading = 'date' | 'number' | 'yes/no';

/**
 * The functions featurization reads a cell by (`featureNumber`; a "days since" and a day of the week
 * read their date as `parseDate` does), with the feature's placeholders: NaN for a cell read as missing.
 */
const READERS: Record<CellReading, (cell: RawValue, missingValues: readonly string[]) => number> = {
  date: parseDate,
  number: parseNumber,
  'yes/no': parseBoolean,
};

type ReadingFeature = Pick<Feature, 'derive' | 'type'> & { missingValues?: readonly string[] };

/** How `feature` reads the cells of its columns; null when any text is a value of it (a category, a title, a page, an e-mail address). */
function cellReadingOf({ derive, type }: ReadingFeature): CellReading | null {
  if (derive.kind === 'daysSince' || derive.kind === 'dayOfWeek') return 'date';
  if (derive.kind === 'ratio') return 'number';
  if (derive.kind !== 'value' || type === 'categorical') return null;
  return type === 'boolean' ? 'yes/no' : 'number';
}

/** A column of a file that a model reads as dates, numbers or yes/no, with how it reads a cell of it. */
export interface ColumnReading {
  column: string;
  reading: CellReading;
  /** Whether a cell holds a value: not empty, nor a placeholder meaning missing (the feature's own too). */
  filled: (cell: RawValue) => boolean;
  /** Whether the model reads a filled cell as missing. */
  unread: (cell: RawValue) => boolean;
}

/**
 * The file's `columns` that `features` read as dates, numbers or yes/no (both parts of a ratio),
 * found as scoring finds them (`sourceFieldKey`), each once per reading, with how featurization
 * reads their cells. Not those of any text (a category's level, a title): no cell of them is unread.
 */
export function modelColumnReadings(features: readonly ReadingFeature[], columns: readonly string[]): ColumnReading[] {
  const fields = fieldsOfColumns(columns);
  const readings = new Map<string, ColumnReading>();
  for (const feature of features) {
    const reading = cellReadingOf(feature);
    if (reading === null) continue;
    const missingValues = feature.missingValues ?? [];
    for (const from of fieldSourcesOf(feature.derive)) {
      const column = sourceFieldKey(fields, from, 'csv');
      const key = `${reading}:${column}`;
      if (column === undefined || readings.has(key)) continue;
      readings.set(key, {
        column,
        reading,
        filled: (cell) => !isMissingRaw(cell, missingValues),
        unread: (cell) => Number.isNaN(READERS[reading](cell, missingValues)),
      });
    }
  }
  return [...readings.values()];
}
