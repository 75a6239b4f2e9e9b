/**
 * A CRM page shows numbers and dates in its user's locale: `1.500` employees and `01.03.2026`
 * on a German page, `01/03/2026` for 1 March on a British one. Read alone, `parseNumber` takes
 * `1.500` for 1.5 and `parseDate` takes `01/03/2026` for 3 January. Here the page's fields the
 * model reads as numbers or dates are rewritten as plain data (`1500`, `2026-03-01`) in the
 * conventions of the page's locale, as the CSV import does for a file's columns. Pure.
 */
import type { DateOrder, NumberFormat } from './derive';
import type { Feature } from './manifest';
import { recordKey, type RawRecord, type SourceKind } from './featurize';
import { inFileFormat } from './train/number-format';
import { inFileOrder } from './train/date-order';

/** How a locale writes numbers and the day and month of a date. */
export interface PageConventions {
  numberFormat: NumberFormat;
  dateOrder: DateOrder;
}

/** A day whose number cannot be taken for a month's: where it lands tells the locale's order. */
const THIRTY_FIRST_OF_DECEMBER = Date.UTC(2025, 11, 31);

/** The conventions of a BCP 47 locale tag (`de-DE`, `en-GB`, `en`); null for a tag that is none. */
export function pageConventions(locale: string | undefined): PageConventions | null {
  if (!locale) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    const decimal = new Intl.NumberFormat(canonical).formatToParts(1.5).find((part) => part.type === 'decimal')?.value;
    const parts = new Intl.DateTimeFormat(canonical, { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(THIRTY_FIRST_OF_DECEMBER)
      .map((part) => part.type);
    return {
      numberFormat: decimal === ',' ? 'comma-decimal' : 'dot-decimal',
      dateOrder: parts.indexOf('day') < parts.indexOf('month') ? 'day-first' : 'month-first',
    };
  } catch {
    return null; // Intl refuses a malformed tag with a RangeError
  }
}

/**
 * The page's `fields` with those `features` read as numbers (numeric values, a ratio's two
 * parts) and as dates (days since, day of week) rewritten in `conventions`. A value that is
 * no number or date in them is kept as written (`1.5` on a German page: `parseNumber` then
 * reads it alone), as is every other field. Without conventions, the fields as they are.
 */
export function pageFieldsAsData(fields: RawRecord, features: readonly Feature[], source: SourceKind, conventions: PageConventions | null): RawRecord {
  if (conventions === null) return fields;
  const numberFormats = new Map<string, NumberFormat>();
  const dateOrders = new Map<string, DateOrder>();
  const missingValues: string[] = [];
  /** The page's key for a field the model names (as featurization reads it), when the page shows it. */
  const shown = (name: string | undefined) => (name === undefined ? undefined : recordKey(fields, name));
  for (const feature of features) {
    const d = feature.derive;
    const numbers = d.kind === 'ratio' ? [d.numerator[source], d.denominator[source]] : d.kind === 'value' && feature.type === 'numeric' ? [d.from[source]] : [];
    for (const key of numbers.map(shown)) if (key !== undefined) numberFormats.set(key, conventions.numberFormat);
    if (numbers.length > 0) missingValues.push(...(feature.missingValues ?? []));
    const date = d.kind === 'daysSince' || d.kind === 'dayOfWeek' ? shown(d.from[source]) : undefined;
    if (date !== undefined) dateOrders.set(date, conventions.dateOrder);
  }
  return inFileOrder(inFileFormat(fields, numberFormats, missingValues), dateOrders);
}
