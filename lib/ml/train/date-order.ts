/**
 * The order (day or month first) each date column of a file writes its numeric dates in,
 * learned from the dates that read in one order only (31/12/2025 is day first), and the
 * records with those dates rewritten as ISO so that `parseDate` reads them right. `parseDate`
 * alone reads slashes month first, dots day first and dashes not at all: only a whole column
 * shows its order. Pure: the CSV import gathers evidence block by block while it streams the
 * file, the training CLI over the table it holds whole.
 */
import { isMissingRaw, numericDateIso, numericDateMs, parseDate, zonedNumericDate, type DateOrder } from '../derive';
import type { RawRecord } from '../featurize';
import { clipWithEllipsis, QUOTED_CELL_CHARS } from '../visible-text';
import { plural } from '../../presentation';
import type { Table } from '../../csv/parse';
import { TrainingDataError } from './errors';
import { warnQuotingCells } from './quoted-cells';

/** Dates of a column that read in one order only, how many and the first seen. */
interface OneOrderDates {
  count: number;
  example: string;
}

/** What one column's cells say about its dates written as numbers (day and month in either order). */
export interface DateEvidence {
  filled: number;
  /** Filled cells that are numeric dates. */
  dates: number;
  only: Record<DateOrder, OneOrderDates>;
  /** The first date that reads as two different days (03/04/2025). */
  eitherWay: string | null;
}

/** Each column's evidence, none gathered yet. */
export function noDateEvidence(columns: readonly string[]): Map<string, DateEvidence> {
  return new Map(
    columns.map((column) => [
      column,
      { filled: 0, dates: 0, only: { 'day-first': { count: 0, example: '' }, 'month-first': { count: 0, example: '' } }, eitherWay: null },
    ]),
  );
}

function noteDate(evidence: DateEvidence, cell: RawRecord[string]): void {
  if (isMissingRaw(cell)) return;
  evidence.filled++;
  const text = String(cell).trim();
  // A zone after the time tells nothing of the order: the date before it does.
  const date = zonedNumericDate(text)?.date;
  if (!date) return;
  evidence.dates++;
  const dayFirst = numericDateMs(date, 'day-first');
  const monthFirst = numericDateMs(date, 'month-first');
  // 31/12/2025 is a date day first only; 03/04/2025 is one either way, and says nothing of the order.
  if (Number.isFinite(dayFirst) !== Number.isFinite(monthFirst)) {
    const only = evidence.only[Number.isFinite(dayFirst) ? 'day-first' : 'month-first'];
    if (only.count++ === 0) only.example = text;
  } else if (dayFirst !== monthFirst && Number.isFinite(dayFirst)) evidence.eitherWay ??= text;
}

/** Add what `records` say to each column's evidence (call once per block: the order needs every row). */
export function noteDates(evidence: ReadonlyMap<string, DateEvidence>, records: readonly RawRecord[]): void {
  for (const record of records) for (const [column, dates] of evidence) noteDate(dates, record[column]);
}


/**
 * The order of each date column whose order the file shows. A date column is `createdColumn`,
 * or one where most filled cells are numeric dates. Its order is the one some of its dates
 * read in only (31/12/2025: day first) when none reads in the other order only. Both orders
 * in `createdColumn` (the CSV import's created date, which its training window rests on) are
 * refused with a `TrainingDataError`; in another column the dates are kept as written, with a
 * warning naming it. The warnings quote dates of the file: each is also worded without them
 * (`warningsWithoutValues`, by warning), for the model card.
 */
export function dateOrders(
  evidence: ReadonlyMap<string, DateEvidence>,
  createdColumn: string | null = null,
): { orders: Map<string, DateOrder>; warnings: string[]; warningsWithoutValues: Map<string, string> } {
  const orders = new Map<string, DateOrder>();
  const warnings: string[] = [];
  const warningsWithoutValues = new Map<string, string>();
  for (const [column, { filled, dates, only, eitherWay }] of evidence) {
    if (dates === 0 || (column !== createdColumn && dates * 2 <= filled)) continue;
    const day = only['day-first'];
    const month = only['month-first'];
    if (day.count > 0 && month.count > 0) {
      const both = (cells: (quoting: string) => string = (quoting) => quoting) =>
        `${plural(day.count, 'date', 'dates')} written day first${cells(` (like ${clipWithEllipsis(day.example, QUOTED_CELL_CHARS)})`)} and ` +
        `${plural(month.count, 'date', 'dates')} written month first${cells(` (like ${clipWithEllipsis(month.example, QUOTED_CELL_CHARS)})`)}`;
      if (column === createdColumn) {
        throw new TrainingDataError(
          `The created date column "${column}" has ${both()}, so a date such as 03/04/2025 in it could be either. ` +
            'Write its dates in one order (or as YYYY-MM-DD) and import again.',
        );
      }
      warnQuotingCells(
        warnings,
        warningsWithoutValues,
        (cells) =>
          `Column "${column}" has ${both(cells)}: its dates are kept as written, and those that read both ways may be misread. ` +
          'Write them in one order (or as YYYY-MM-DD).',
      );
    } else if (day.count > 0) orders.set(column, 'day-first');
    else if (month.count > 0) orders.set(column, 'month-first');
    else if (eitherWay !== null) {
      // No date tells the order: say how parseDate reads them, by their separator's convention,
      // a zone after the time at its offset (one of no known offset: no date to parseDate).
      const { date, zone } = zonedNumericDate(eitherWay)!;
      const read = parseDate(eitherWay);
      const readIn = (order: DateOrder) => read === numericDateMs(date, order) - (zone?.offsetMinutes ?? 0) * 60_000;
      const how = readIn('month-first') ? 'were read month first' : readIn('day-first') ? 'were read day first' : 'could not be read';
      warnQuotingCells(
        warnings,
        warningsWithoutValues,
        (cells) =>
          `Column "${column}": every date in it reads both day first and month first${cells(` (like ${clipWithEllipsis(eitherWay, QUOTED_CELL_CHARS)})`)}, so they ${how}. ` +
          'Written as YYYY-MM-DD, they would read one way only.',
      );
    }
  }
  return { orders, warnings, warningsWithoutValues };
}

/** The columns `orders` reads day first, in file order. */
export const dayFirstColumns = (orders: ReadonlyMap<string, DateOrder>): string[] =>
  [...orders].filter(([, order]) => order === 'day-first').map(([column]) => column);

/**
 * The record with its date columns' numeric dates as ISO text read in the file's order: every
 * date of a day-first column, and those of a month-first column `parseDate` would not read
 * month first (dots, dashes). Dates that are no date in the column's order are kept as written.
 */
export function inFileOrder(record: RawRecord, orders: ReadonlyMap<string, DateOrder>): RawRecord {
  const rewritten = { ...record };
  for (const [column, order] of orders) {
    const cell = record[column];
    const iso = isMissingRaw(cell) ? null : isoInOrder(String(cell).trim(), order);
    if (iso && (order === 'day-first' || parseDate(cell) !== parseDate(iso))) rewritten[column] = iso;
  }
  return rewritten;
}

/**
 * A numeric date as ISO text read in `order`, a zone after its time kept as its offset
 * (`13/03/2026 09:14 GMT+1` → `2026-03-13T09:14:00+01:00`); null when it is no date in that
 * order, or names a zone of no known offset (`MEZ`: no date to `parseDate` either way).
 */
function isoInOrder(text: string, order: DateOrder): string | null {
  const { date, zone: zoned } = zonedNumericDate(text) ?? { date: null, zone: null };
  const iso = date && numericDateIso(date, order);
  if (!iso || zoned === null) return iso;
  if (zoned.offsetMinutes === null || !date.time) return null;
  const minutes = Math.abs(zoned.offsetMinutes);
  const offset = `${zoned.offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return iso + offset;
}

/** `records` with their dates in the file's order (see `inFileOrder`); the same array when no column's order is known. */
export const recordsInFileOrder = (records: RawRecord[], orders: ReadonlyMap<string, DateOrder>): RawRecord[] =>
  orders.size > 0 ? records.map((record) => inFileOrder(record, orders)) : records;

/**
 * A table held whole (the training CLI's) with its dates read in each column's order: no
 * column is refused, a column with both orders is kept as written and warned about (see `dateOrders`).
 */
export function tableInFileOrder(table: Table): { table: Table; dayFirstColumns: string[]; warnings: string[]; warningsWithoutValues: Map<string, string> } {
  const evidence = noDateEvidence(table.columns);
  noteDates(evidence, table.records);
  const { orders, warnings, warningsWithoutValues } = dateOrders(evidence);
  return { table: { columns: table.columns, records: recordsInFileOrder(table.records, orders) }, dayFirstColumns: dayFirstColumns(orders), warnings, warningsWithoutValues };
}
