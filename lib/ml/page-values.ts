/**
 * A CRM page shows numbers and dates in its user's locale: `1.500` employees and `01.03.2026`
 * on a German page, `01/03/2026` for 1 March on a British one. Read alone, `parseNumber` takes
 * `1.500` for 1.5 and `parseDate` takes `01/03/2026` for 3 January. It shows a date's time in
 * its user's time zone (`3/1/2026, 7:00 PM` in Los Angeles is 03:00 on 2 March UTC), which
 * `parseDate` takes for UTC. Here the page's fields the model reads as numbers or dates are
 * rewritten as plain data (`1500`, `2026-03-01`, `2026-03-02T03:00:00.000Z`) in the page's
 * conventions, as the CSV import does for a file's columns; a date `parseDate` does not read is
 * read as the locale writes it (`11.06.2026 klo 16.41`, `2026. 06. 11.`: locale-dates.ts), a
 * number written in the locale's own digits and signs (`١٬٢٠٠` in ar-EG, `১২,০০০` in bn-BD) is
 * read in ASCII ones, and an amount a multi-currency org shows with its conversion
 * (`EUR 2,500,000.00 (USD 2,713,067.50)`), given the CRM's rates, as the record's own in the
 * currency its API hands amounts on in, else as the user's. Pure.
 */
import { CURRENCY_CODES, dateOrderShown, isMissingRaw, numericDate, numericDateMs, parseDate, parseNumber, trailingZone, type DateOrder, type NumberFormat, type NumericDate, type Raw } from './derive';
import type { Feature } from './manifest';
import { LEVEL_KEYS, recordKey, type RawRecord, type SourceKind } from './featurize';
import { cellNumber } from './train/dataset';
import { inFileFormat, withoutCurrency } from './train/number-format';
import { asciiDigitsReader, readLocaleDate, readMonthNameDate, withoutDirectionMarks, type WallClockDate } from './locale-dates';

/** How a locale writes numbers and the day and month of a date. */
export interface PageConventions {
  numberFormat: NumberFormat;
  dateOrder: DateOrder;
  /** The locale (as Intl names it), to read a date it writes its own way (`11.06.2026 klo 16.41` in fi-FI); absent when none is known. */
  locale?: string;
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
      locale: canonical,
    };
  } catch {
    return null; // Intl refuses a malformed tag with a RangeError
  }
}

/** A number's signs and separators `parseNumber` reads as written: a locale's others are read as the ASCII one they stand for. */
const READ_AS_WRITTEN = /^[.,'’+\-\u2212%\s]$/u;

/**
 * A page's number as `locale` writes it, rewritten in what `parseNumber` reads: the locale's
 * digits as ASCII ones (as its dates are read: locale-dates.ts); those of its separators and
 * signs `parseNumber` does not read as the ASCII ones they stand for (the Arabic `٬` and `٫` of
 * `١٬٢٣٤٫٥` as `1,234.5`, `٪` as `%`); and without the marks that set its direction (ar and fa
 * write one before a minus sign). A decimal separator other than `,` stands for `.`, as
 * `pageConventions` reads the locale's format. Worked out from Intl's own output; null when Intl
 * refuses the locale.
 */
function numberTextReader(locale: string): ((text: string) => string) | null {
  try {
    const format = new Intl.NumberFormat(locale);
    const parts = [...format.formatToParts(-1234567.5), ...new Intl.NumberFormat(locale, { style: 'percent', signDisplay: 'always' }).formatToParts(0.5)];
    const decimal = parts.find((part) => part.type === 'decimal')?.value === ',' ? ',' : '.';
    const standsFor: Partial<Record<Intl.NumberFormatPartTypes, string>> = { decimal, group: decimal === '.' ? ',' : '.', minusSign: '-', plusSign: '+', percentSign: '%' };
    const signs = new Map<string, string>();
    for (const { type, value } of parts) {
      const sign = withoutDirectionMarks(value).trim();
      const ascii = standsFor[type];
      if (ascii !== undefined && sign !== '' && !READ_AS_WRITTEN.test(sign)) signs.set(sign, ascii);
    }
    const asciiDigits = asciiDigitsReader(locale, format.resolvedOptions().numberingSystem);
    return (text) => [...signs].reduce((read, [sign, ascii]) => read.replaceAll(sign, ascii), asciiDigits(withoutDirectionMarks(text)));
  } catch {
    return null; // a RangeError: no locale Intl knows
  }
}

const numberTextReaders = new Map<string, ((text: string) => string) | null>();

/** The full-width forms of ASCII and of currency signs (`￥`, `＄`, `１２`, `（`), as CJK locales write them (Intl's ja-JP yen is `￥`): `parseNumber` reads the ordinary ones. */
const FULL_WIDTH = /[\uff01-\uff5e\uffe0-\uffe6]/gu;

/**
 * An amount with the same amount converted into the user's currency in brackets after it, as a
 * multi-currency org shows a record's amount in another currency: `EUR 2,500,000.00 (USD 2,713,067.50)`.
 * The lead amount (a digit in it) is the record's own, in the currency its code names, which the
 * API converts at the org's rates (`amountsInApiCurrency`); the one in brackets is in the user's
 * own currency, which need not be the corporate one. `inUserCurrency`: the one in brackets, when
 * both name their currency (`currencyCodeOf`; the rates not known: every lead's amount then in one
 * currency, the user's). A number in brackets alone (`(1,200)`) is a negative one.
 */
function shownAmount(text: string, inUserCurrency: boolean): string {
  // Read by index, not by one regular expression: one over a long text of digits and an open bracket
  // took seconds (cubic), and a page's value can be 10,000 characters anyone may have typed.
  const trimmed = text.trimEnd();
  if (!trimmed.endsWith(')')) return text;
  const open = trimmed.lastIndexOf('(');
  const converted = trimmed.slice(open + 1, -1);
  const lead = text.slice(0, Math.max(open, 0)).trimEnd();
  if (open === -1 || converted.includes(')') || !/\d/u.test(converted) || !/\d/u.test(lead)) return text;
  if (!inUserCurrency || currencyCodeOf(lead) === undefined || currencyCodeOf(converted) === undefined) return lead;
  // A negative amount is the one in brackets (`(EUR 1,200.00) (USD 1,302.27)`): its conversion is negative too.
  return /^\s*\(/u.test(lead) && !/^\s*[-\u2212(]/u.test(converted) ? `-${converted.trim()}` : converted;
}

/**
 * The ISO code a multi-currency org writes an amount with (`SEK 25,000,000.00`, `-EUR 5.00`, and
 * Lead.AnnualRevenue's whole `SEK 0`): `parseNumber` knows a few codes only. Before any number,
 * unlike a file's cells (`withoutCurrency`): a page's text is read so only for a field the model
 * reads as a number, where a code is a currency, not a label (`COP 28`) of a text column.
 */
const LEADING_CURRENCY_CODE = /^(\s*[-+\u2212]?)[A-Z]{3}\s*(?=[-+\u2212]?\d)/u;

/** The ISO code before an amount's number, in brackets or not (`JPY 300,000,000`, `-EUR 5.00`, `(EUR 1,200.00)`), as `LEADING_CURRENCY_CODE` reads one. */
const CODE_BEFORE = /^\s*\(?[-+\u2212]?([A-Z]{3})\s*(?=[-+\u2212]?\d)/u;
/** Capitals after an amount's last digit (`2.500.000,00 EUR`, as Intl writes it in de-DE). */
const CAPITALS_AFTER = /(?<=\d)\s*([A-Z]{3})\)?\s*$/u;

/**
 * The ISO code of the currency a page's amount is written in (`amountAsRead`'s), before its number
 * or after it; none in one without (`$2,000,000.00`, `2000000`). After a number, only a currency's
 * (`CURRENCY_CODES`): capitals there may be a unit (`40 FTE`), which `parseNumber` reads past.
 */
function currencyCodeOf(amount: string): string | undefined {
  const after = CAPITALS_AFTER.exec(amount)?.[1];
  return CODE_BEFORE.exec(amount)?.[1] ?? (after !== undefined && CURRENCY_CODES.includes(after) ? after : undefined);
}

/**
 * A page's number as `parseNumber` reads it: ordinary signs for full-width ones, and a record's
 * amount without its converted amount, its currency's code, or a currency `parseNumber` does not
 * know (`zł 1 200`, `R$ 1.234,56`: `withoutCurrency`, as the CSV import reads them). With it, the
 * ISO code of the currency it is written in, when it names one (`JPY` of `JPY 300,000,000`).
 */
function amountAsRead(text: string, inUserCurrency: boolean): { text: string; currency?: string } {
  const own = shownAmount(text.replace(FULL_WIDTH, (char) => char.normalize('NFKC')), inUserCurrency);
  return { text: withoutCurrency(own.replace(LEADING_CURRENCY_CODE, '$1')), currency: currencyCodeOf(own) };
}

/**
 * `fields` with the text of `keys` as read as numbers: as `numberTextReader` reads it in `locale`
 * (when known), then as `amountAsRead` (`fields` itself when that changes none); and the ISO code
 * of the currency each written in one is in, by key.
 */
function numbersAsRead(fields: RawRecord, keys: Iterable<string>, locale: string | undefined, inUserCurrency: boolean): { read: RawRecord; currencies: Map<string, string> } {
  if (locale !== undefined && !numberTextReaders.has(locale)) numberTextReaders.set(locale, numberTextReader(locale));
  const inAscii = (locale === undefined ? null : numberTextReaders.get(locale)) ?? ((text: string) => text);
  const currencies = new Map<string, string>();
  const changed = [...keys].flatMap((key) => {
    const raw = fields[key];
    if (typeof raw !== 'string') return [];
    const { text, currency } = amountAsRead(inAscii(raw), inUserCurrency);
    if (currency !== undefined) currencies.set(key, currency);
    return text === raw ? [] : [[key, text] as const];
  });
  return { read: changed.length === 0 ? fields : { ...fields, ...Object.fromEntries(changed) }, currencies };
}

/**
 * An amount written in a currency (by its ISO code) in the currency the CRM's API hands amounts
 * on in, which models learn (a multi-currency Salesforce org's corporate currency); null when that
 * is not known.
 */
export type InApiCurrency = (amount: number, currency: string) => number | null;

/**
 * `fields` with each amount written in a currency (`currencies`: its ISO code by key) as
 * `inApiCurrency` gives it: missing (null) where it gives none, rather than read as an amount in
 * another currency than the model's. A placeholder (`missingValues`) or a text that reads as no
 * number is kept as written.
 */
function amountsInApiCurrency(fields: RawRecord, currencies: ReadonlyMap<string, string>, inApiCurrency: InApiCurrency, missingValues: readonly string[]): RawRecord {
  const converted = [...currencies].flatMap(([key, currency]) => {
    const amount = parseNumber(fields[key], missingValues);
    return Number.isFinite(amount) ? [[key, inApiCurrency(amount, currency)] as const] : [];
  });
  return converted.length === 0 ? fields : { ...fields, ...Object.fromEntries(converted) };
}

/** The format a number shows by itself: `2.713.067` and `0,5` read with a decimal comma only, `1,234.5` and `1.5` with a decimal point only. */
function formatShown(raw: Raw, missingValues: readonly string[]): NumberFormat | null {
  if (isMissingRaw(raw, missingValues)) return null;
  const text = String(raw).trim();
  const withPoint = !Number.isNaN(cellNumber(text, 'dot-decimal'));
  const withComma = !Number.isNaN(cellNumber(text, 'comma-decimal'));
  return withPoint === withComma ? null : withPoint ? 'dot-decimal' : 'comma-decimal';
}

/** The one convention the page's values show, else the locale's (null: none known). */
function shownOrGuessed<T>(shown: readonly (T | null)[], guess: T | undefined): T | null {
  const proven = new Set(shown.filter((convention) => convention !== null));
  return proven.size === 1 ? [...proven][0] : guess ?? null;
}

const numericDateSeparators = new Map<string, NumericDate['separator'] | null>();

/**
 * The separator `locale` writes between a date's day and month, as `numericDate` reads its
 * dates (`.` in de-DE, `/` in en-US, `-` in nl-NL); null when it writes none `numericDate`
 * reads (`2025/12/31` in ja-JP, `31. 12. 2025` in cs-CZ) or Intl refuses the tag.
 */
function numericDateSeparator(locale: string): NumericDate['separator'] | null {
  if (!numericDateSeparators.has(locale)) {
    let separator: NumericDate['separator'] | null = null;
    try {
      const written = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(THIRTY_FIRST_OF_DECEMBER);
      separator = numericDate(withoutDirectionMarks(written))?.separator ?? null;
    } catch {
      // a RangeError: no locale Intl knows
    }
    numericDateSeparators.set(locale, separator);
  }
  return numericDateSeparators.get(locale) ?? null;
}

/**
 * Whether a page's `values` show that its user's Locale is not the locale of its language
 * (`conventions`): a numeric date written with another separator than that locale writes
 * (`01.03.2026` on an en-US page, `3/15/2026` on a German one), or in the other order
 * (`15/03/2026` on an en-US page). Salesforce tags a page with its user's language, and writes
 * numbers and dates in their Locale, which they set apart.
 * Dashes are also typed in text fields, in either order (`12-31-2026` by US users: derive.ts's
 * `USUAL_ORDER`), where dots are written by day-first Locales only; so a date with dashes shows
 * another Locale by its separator only when no other date on the page says the Locale writes
 * the language's way: none with the language's separator (the Locale writes every date field
 * alike, `3/1/2026` on an en-US page), and none with dashes month first only (no Locale writes
 * `12-31-2026`: nl-NL, es-CL and others write dashes day first). Alone, `05-12-2026` on an
 * en-US page still counts: it reads as a nl-NL Locale writes 5 December, and the page tells no more.
 */
function datesShowOtherLocale(values: readonly Raw[], conventions: PageConventions): boolean {
  const separator = conventions.locale ? numericDateSeparator(conventions.locale) : null;
  const dates = values.flatMap((raw) => {
    const date = typeof raw === 'string' ? numericDate(raw.trim()) : null;
    return date === null ? [] : [{ separator: date.separator, order: dateOrderShown(raw) }];
  });
  const dashesTyped = dates.some((date) => date.separator === separator || (date.separator === '-' && date.order === 'month-first'));
  return dates.some(
    (date) =>
      (separator !== null && date.separator !== separator && !(date.separator === '-' && dashesTyped)) || (date.order !== null && date.order !== conventions.dateOrder),
  );
}

/**
 * The format that reads a number as a whole number with its thousands grouped where the other
 * reads it with three decimals: decimal commas for `1.500` (1500, not 1.5), decimal points for
 * `1,500`. Null for a number that reads alike in both (`1’500`, `1500`) or in one only (`formatShown`).
 */
function wholeNumberFormat(raw: Raw, missingValues: readonly string[]): NumberFormat | null {
  if (isMissingRaw(raw, missingValues)) return null;
  const text = String(raw).trim();
  const withPoint = cellNumber(text, 'dot-decimal');
  const withComma = cellNumber(text, 'comma-decimal');
  if (Number.isNaN(withPoint) || Number.isNaN(withComma) || withPoint === withComma) return null;
  return Math.abs(withComma) > Math.abs(withPoint) ? 'comma-decimal' : 'dot-decimal';
}

/**
 * The format to read a page's `numbers` in when none of them shows one (`formatShown`): that of
 * the locale of its language (`conventions`), unless the page's `values` show its user's Locale
 * is another (`datesShowOtherLocale`: an en-US page showing `01.03.2026`). Then the numbers that
 * read either way are read as whole numbers (`wholeNumberFormat`), when they agree on a format:
 * in every Locale a separator before three digits groups the thousands of a whole number, and
 * only a number with three decimals (rare among a CRM's counts and amounts) reads otherwise.
 * One format would not do: of the Locales that write dates with dots, de-DE and most others
 * write 1500 as `1.500` (a decimal comma), he-IL as `1,500` (a decimal point).
 */
function numberFormatGuessed(numbers: readonly Raw[], values: readonly Raw[], conventions: PageConventions | null, missingValues: readonly string[]): NumberFormat | undefined {
  if (conventions === null || !datesShowOtherLocale(values, conventions)) return conventions?.numberFormat;
  return shownOrGuessed(numbers.map((raw) => wholeNumberFormat(raw, missingValues)), undefined) ?? undefined;
}

/** A date and time without a zone, as `parseDate` reads it (`2026-03-01 19:00`: sv, ja pages). */
const ZONELESS_DATE_TIME = /^\d{4}[-/]\d{1,2}[-/]\d{1,2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

/** What the clock reads at an instant, as epoch ms of that reading taken as UTC. */
type Clock = (instant: number) => number;

/** The clock of `timeZone` (an IANA name: `Europe/Berlin`); UTC's without one, or for a zone Intl does not know. */
function zoneClock(timeZone: string | undefined): Clock {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timeZone ?? 'UTC', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return (instant) => instant; // a RangeError: no such zone
  }
  return (instant) => {
    const part = Object.fromEntries(format.formatToParts(instant).map(({ type, value }) => [type, Number(value)]));
    return Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second);
  };
}

/** The instant at which `clock` reads `wallClock`. */
function instantShowing(wallClock: number, clock: Clock): number {
  // The zone's offset at `wallClock` taken as UTC can be off by a change of offset (summer time) in between: a second look settles it.
  const offsetAt = (instant: number) => clock(instant) - instant;
  return wallClock - offsetAt(wallClock - offsetAt(wallClock));
}

/** A page's date as `shownDate` reads it: its wall clock, and the offset of the zone it names after its time, when it names one of known offset. */
interface ShownDate extends WallClockDate {
  offsetMinutes?: number;
}

/**
 * A page's date (trimmed text) as it shows it: a numeric date in the order it shows, else in
 * `pageOrder`, else as `parseDate` reads it; failing those, as the page's locale writes one
 * (`conventions`), else with its month in English words (`Nov 3, 2026 9:14 AM`). A date-time
 * may have a zone after it (`11/03/2026 9:14 AM EST`, `03/11/2026 09:14 GMT+1`: `trailingZone`),
 * read in turn. Null when it is no date, or names its zone and `parseDate` reads it as written.
 */
function shownDate(text: string, pageOrder: DateOrder | null, conventions: PageConventions | null): ShownDate | null {
  const zoned = trailingZone(withoutDirectionMarks(text));
  const zonedDate = zoned && zonelessShownDate(zoned.date, pageOrder, conventions);
  if (zoned && zonedDate?.timeOfDay) {
    // The instant a zone of known offset names is kept where parseDate reads the text as it (in its usual order): dateAsData then keeps the text.
    if (zoned.offsetMinutes !== null && parseDate(text) === zonedDate.wallClock - zoned.offsetMinutes * 60_000) return null;
    // Else (a day-first or worded date) the wall clock is read at the zone's offset; after a name of no known offset (`MEZ`) in the
    // page's zone, the browser's: exact where that is the zone named, else off by hours, which seldom moves the whole days of days since.
    if (zoned.offsetMinutes !== null) return { ...zonedDate, offsetMinutes: zoned.offsetMinutes };
    // A locale's word for AM or PM in capitals (`PTG` in ms-MY) is no zone.
    if (!conventions?.locale || !readLocaleDate(text, conventions.locale)) return zonedDate;
  }
  return zonelessShownDate(text, pageOrder, conventions);
}

/** A page's date without a zone after it as it shows it (`shownDate`). */
function zonelessShownDate(text: string, pageOrder: DateOrder | null, conventions: PageConventions | null): WallClockDate | null {
  const numeric = numericDate(text);
  // A date in words before `parseDate`, which reads it too but tells no time of day it shows.
  const worded = numeric ? null : readMonthNameDate(text);
  if (worded) return worded;
  const order = dateOrderShown(text) ?? pageOrder;
  const read = numeric && order ? numericDateMs(numeric, order) : parseDate(text);
  if (Number.isFinite(read)) return { wallClock: read, timeOfDay: numeric ? numeric.time !== null : ZONELESS_DATE_TIME.test(text) };
  return conventions?.locale ? readLocaleDate(text, conventions.locale) : null;
}

/**
 * A page's date as data: a date alone as `YYYY-MM-DD`; a date and time, which the page shows in
 * its user's time zone (`clock`), as the instant it names (ISO, in UTC), as the API sends it:
 * always, as a time written without a zone is one on the rep's clock to `daysSince`, not an
 * instant. Null when it is no date (`shownDate`), or a date alone `parseDate` reads as written.
 */
function dateAsData(raw: Raw, pageOrder: DateOrder | null, conventions: PageConventions | null, clock: Clock): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  const shown = shownDate(text, pageOrder, conventions);
  if (shown === null) return null;
  const { wallClock, timeOfDay, offsetMinutes } = shown;
  const ms = !timeOfDay ? wallClock : offsetMinutes !== undefined ? wallClock - offsetMinutes * 60_000 : instantShowing(wallClock, clock);
  if (!timeOfDay && ms === parseDate(text)) return null;
  const iso = new Date(ms).toISOString();
  return timeOfDay ? iso : iso.slice(0, 10);
}

/**
 * The value a choice field's `text` on a page labels (`Organic Social` → `SOCIAL_MEDIA`), by
 * `labels` (value → label), compared as levels are (`levelCode`), closest first; null when it
 * labels none, or names one of the model's `levels` at least as closely (a value whose label is
 * itself is in no `labels`: "Trade Show" is that value, not the "Tradeshow" of another).
 */
function valueLabelled(text: string, labels: Readonly<Record<string, string>>, levels: readonly string[]): string | null {
  const entries = Object.entries(labels);
  for (const key of LEVEL_KEYS) {
    const shown = key(text.trim());
    if (levels.some((level) => key(level) === shown)) return null;
    const hit = entries.find(([, label]) => key(label.trim()) === shown);
    if (hit) return hit[0];
  }
  return null;
}

/**
 * The page's `fields` with those `features` read as numbers (numeric values, a ratio's two
 * parts) and as dates (days since, day of week) rewritten as data: numbers in the page's number
 * format, dates in its day-month order, date-times as instants of `timeZone` (the page's user's;
 * without it, UTC, as `parseDate` reads a time without a zone). The locale's `conventions` are a
 * guess (Salesforce sets a user's formats apart from the language the page is tagged with), so
 * what the page's values show overrules them: a number that reads in one format only
 * (`2.713.067,50`) among the model's numbers, a date that reads in one order only (`15/03/2026`,
 * `05.03.2026`) among all the page's fields; a date none of these read is read as the locale
 * writes one (`11. 06. 2026 16:41` in cs-CZ). Where none of the model's numbers shows a format and
 * the page's dates show its Locale is not its language's (`01.03.2026` on an en-US page), a number
 * that reads either way is read as a whole number (`1.500` as 1500: `numberFormatGuessed`).
 * The model's numbers are first rewritten in ASCII digits and signs where the locale writes
 * others (`١٬٢٣٤٫٥` in ar-EG as `1,234.5`: `numberTextReader`), and as a record's own amount
 * (`EUR 2,500,000.00 (USD 2,713,067.50)` as `2,500,000.00`, `￥` as `¥`: `amountAsRead`).
 * With `inApiCurrency`, an amount written with its currency's ISO code (as a multi-currency
 * Salesforce org writes every amount) is then read in the currency the CRM's API hands amounts on
 * in, as models learn them (`JPY 300,000,000` as 2000000 where a dollar is 150 yen), or as missing
 * where its currency has no rate, as the API empties it (`amountsInApiCurrency`). Without it (the
 * rates not known), in the user's own currency where the page shows it converted
 * (`JPY 300,000,000 (USD 2,000,000.00)` as 2000000): every lead's amount in one currency, most
 * often the corporate one, rather than each in its own (¥300,000,000 is not $300,000,000).
 * A value that does not read so is kept as written (`1.5` on a German page: `parseNumber` then
 * reads it alone; with those ASCII digits and signs), as is every other field.
 * A choice field whose labels the model knows for `source` (`optionLabels`) is read back from the
 * label the page shows into the value the model learned.
 */
export function pageFieldsAsData(
  fields: RawRecord,
  features: readonly Feature[],
  source: SourceKind,
  conventions: PageConventions | null,
  timeZone?: string,
  inApiCurrency?: InApiCurrency,
): RawRecord {
  const numberFields = new Set<string>();
  const dateFields = new Set<string>();
  const missingValues: string[] = [];
  const values: [string, string][] = [];
  /** The page's key for a field the model names (as featurization reads it), when the page shows it. */
  const shown = (name: string | undefined) => (name === undefined ? undefined : recordKey(fields, name));
  for (const feature of features) {
    const d = feature.derive;
    const labels = d.kind === 'value' && source !== 'csv' ? d.optionLabels?.[source] : undefined;
    const choice = d.kind === 'value' && labels ? shown(d.from[source]) : undefined;
    const text = choice === undefined ? undefined : fields[choice];
    const value = labels && typeof text === 'string' ? valueLabelled(text, labels, feature.vocabulary ?? []) : null;
    if (choice !== undefined && value !== null) values.push([choice, value]);
    const numbers = d.kind === 'ratio' ? [d.numerator[source], d.denominator[source]] : d.kind === 'value' && feature.type === 'numeric' ? [d.from[source]] : [];
    for (const key of numbers.map(shown)) if (key !== undefined) numberFields.add(key);
    if (numbers.length > 0) missingValues.push(...(feature.missingValues ?? []));
    const date = d.kind === 'daysSince' || d.kind === 'dayOfWeek' ? shown(d.from[source]) : undefined;
    if (date !== undefined) dateFields.add(date);
  }
  const { read: ascii, currencies } = numbersAsRead(fields, numberFields, conventions?.locale, inApiCurrency === undefined);
  // Only the model's numbers show the page's format: other fields' text (a picklist's `1.500`, a version) may be written any way.
  const modelNumbers = [...numberFields].map((key) => ascii[key]);
  const pageValues = Object.values(fields);
  const numberFormat = shownOrGuessed(modelNumbers.map((raw) => formatShown(raw, missingValues)), numberFormatGuessed(modelNumbers, pageValues, conventions, missingValues));
  const dateOrder = shownOrGuessed(pageValues.map(dateOrderShown), conventions?.dateOrder);
  const inFormat = numberFormat ? inFileFormat(ascii, new Map([...numberFields].map((key) => [key, numberFormat])), missingValues) : ascii;
  const asData = inApiCurrency ? amountsInApiCurrency(inFormat, currencies, inApiCurrency, missingValues) : inFormat;
  const clock = zoneClock(timeZone);
  const dates = [...dateFields].flatMap((key) => {
    const date = dateAsData(fields[key], dateOrder, conventions, clock);
    return date === null ? [] : [[key, date] as const];
  });
  const rewritten = [...dates, ...values];
  return rewritten.length === 0 ? asData : { ...asData, ...Object.fromEntries(rewritten) };
}
