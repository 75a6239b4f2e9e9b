/**
 * Raw value parsing and the declarative derived features (title seniority, URL category,
 * e-mail domain kind). Pure functions, no Node APIs: the extension, the Web Worker trainer
 * and the CLI all use exactly this code, so training and scoring read values the same way.
 *
 * Raw values arrive as CSV cells, REST JSON (HubSpot sends every property as a string) or
 * text scraped from CRM pages, so every parser is lenient about formatting and returns
 * `NaN` / `null` for anything it cannot read (= missing).
 */

import type { WallClockDate } from './locale-dates';

export type Raw = string | number | boolean | null | undefined;

/**
 * The version of how derived features read raw values, written into every manifest the trainer
 * makes (`derivedReadingVersion`). Bump it whenever a change makes any derive kind read the same
 * raw value differently (a title's seniority, a page's category, an e-mail's kind, a date, a
 * number's size word or grouping, a yes/no word): a model trained with an older reading is then
 * told to be trained again (`featuresReadDifferentlyNow` in manifest.ts), as its scores no longer
 * read its fields as it learnt them. Not bumped for where a date alone's days are counted to (the
 * rep's own today, not UTC's: `daysSince`): that moves a value by one day at most, only for reps
 * far from UTC, and the date itself reads as before. Nor for the date-times that read as missing
 * before and as dates now (a space before the zone, an offset in hours: `2026-12-05 14:30:00 +0000`,
 * `…+00`): no value read before reads otherwise, and a model could only have learnt such cells as
 * missing among other dates (a column of them trained no date feature: too few dates, or missing
 * in every row, dropped), so flagging every model would ask nearly every admin to train again for nothing.
 * The same for the yes/no words read as missing before and as yes or no now (`WAHR`, `Nein`, `1.0`),
 * and for dates with an English month's name (`Dec 19, 2025`, `19-Dec-2025`): a column of them was
 * text before (categories, whose levels read as written still).
 * Nor for a date-time without a zone counted on the rep's clock, as a date alone is (`daysSince`):
 * training on a file counts on UTC's, so its readings are unchanged, and a score's moves by a day
 * at most, only for reps far from UTC, towards what training read.
 */
export const DERIVED_READING_VERSION = 1;

/** Placeholders that mean "no value", compared case-insensitively after trimming (so in lower case here). */
export const DEFAULT_MISSING_VALUES: readonly string[] = [
  '',
  '-',
  '--',
  '—',
  'select',
  'n/a',
  'na',
  'nan',
  'null',
  'none',
  'undefined',
  '(none)',
  '(blank)',
  '(empty)',
  // A spreadsheet's error values, in files exported through one (a lookup that found nothing).
  '#n/a',
  '#div/0!',
  '#value!',
  '#ref!',
  '#name?',
  '#num!',
  '#null!',
];

const DEFAULT_MISSING = new Set(DEFAULT_MISSING_VALUES);

/** Whether a raw value means "missing": null/undefined, NaN, a default placeholder or one of `extra`. */
export function isMissingRaw(raw: Raw, extra: readonly string[] = []): boolean {
  if (raw === null || raw === undefined) return true;
  if (typeof raw === 'number') return !Number.isFinite(raw);
  if (typeof raw === 'boolean') return false;
  const s = raw.trim().toLowerCase();
  if (DEFAULT_MISSING.has(s)) return true;
  for (const m of extra) if (m.trim().toLowerCase() === s) return true;
  return false;
}

/** The trimmed text of a raw value, or null when it means missing. */
export function rawText(raw: Raw, extra: readonly string[] = []): string | null {
  if (isMissingRaw(raw, extra)) return null;
  return String(raw).trim();
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * How `parseNumber` reads the commas of a number's digits when no format is given: `1,234` /
 * `1,234.5` as thousands separators, `3,5` as a decimal comma; null when there is no comma or
 * it reads neither way. Decided per value, so `7,125` (thousands) and `5,75` (decimal) can meet
 * in one column: a CSV file's columns are read in their own format instead (number-format.ts).
 */
export function commaReading(digits: string): 'thousands' | 'decimal' | null {
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(digits) || INDIAN_GROUPING_RE.test(digits)) return 'thousands';
  if (/^[+-]?\d+,\d+$/.test(digits)) return 'decimal';
  return null;
}

/** Indian (lakh, crore) digit grouping: `12,00,000`, `1,23,45,678.50`; only the last group has three digits. */
const INDIAN_GROUPING_RE = /^[+-]?[1-9]\d?(,\d{2})+,\d{3}(\.\d+)?$/;

/** The value of a number's digits read per value (`commaReading`); NaN when they are no number. */
function perValueDigits(digits: string): number {
  const comma = commaReading(digits);
  const plain = comma === 'thousands' ? digits.replace(/,/g, '') : comma === 'decimal' ? digits.replace(',', '.') : digits;
  return NUMBER_RE.test(plain) ? Number(plain) : NaN; // NUMBER_RE refuses any comma left
}

/** How a column writes its numbers: `1,234.5` (a decimal point, thousands commas) or `1.234,5` (a decimal comma, thousands dots). */
export type NumberFormat = 'dot-decimal' | 'comma-decimal';

/**
 * Digits written with a decimal point: `1234.5`, `1,234.5`, `1,234,567`, `.5`, `1e3`. A
 * thousands group never follows a leading 0: nobody writes 125 as `0,125`.
 */
const DOT_DECIMAL_RE = /^[+-]?(?:(?:\d+|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d?(?:,\d{2})+,\d{3})(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of a number's digits written in `format`; NaN when they are no number in it (`1.5` with decimal commas). */
function formatDigits(digits: string, format: NumberFormat): number {
  // 1.234,5 is 1,234.5 with its two separators swapped
  const dotted = format === 'comma-decimal' ? digits.replace(/[.,]/g, (separator) => (separator === '.' ? ',' : '.')) : digits;
  return DOT_DECIMAL_RE.test(dotted) ? Number(dotted.replace(/,/g, '')) : NaN;
}

/**
 * How much a word after a number multiplies it: revenue is written `$5MM`, `2bn`, `1,5 Mio.`,
 * `10 thousand`, `₹5 Cr`, `3 lakh`; read as a unit, it would be a million times too small. Not
 * `mil`: a million in English (`$5 mil`), a thousand in Spanish and Portuguese (`R$ 5 mil`), so it
 * reads as no number rather than one a thousand times off.
 */
const SIZE_WORDS: Record<string, number> = {
  k: 1e3, thousand: 1e3, thousands: 1e3, tsd: 1e3,
  lakh: 1e5, lakhs: 1e5, lac: 1e5, lacs: 1e5,
  m: 1e6, mm: 1e6, mn: 1e6, mio: 1e6, mill: 1e6, mln: 1e6, million: 1e6, millions: 1e6,
  cr: 1e7, crore: 1e7, crores: 1e7,
  b: 1e9, bn: 1e9, bln: 1e9, mrd: 1e9, mld: 1e9, billion: 1e9, billions: 1e9,
  t: 1e12, tn: 1e12, trillion: 1e12, trillions: 1e12,
};

/**
 * ISO 4217 codes that are also English words a label may put before or after a number (`TOP 10`,
 * `ALL 3`, `10 TOP`): read as currencies, such labels would turn into amounts. Their countries'
 * amounts are written with signs or words as well (`₺`, `TL`, `S/`).
 */
const CODES_THAT_ARE_WORDS = new Set(['ALL', 'BAM', 'BOB', 'CUP', 'GEL', 'MAD', 'MOP', 'PEN', 'SOS', 'TOP', 'TRY']);

/** ISO 4217 codes, in capitals, but those that are also words (`CODES_THAT_ARE_WORDS`). */
export const CURRENCY_CODES: readonly string[] = Intl.supportedValuesOf('currency').filter((code) => !CODES_THAT_ARE_WORDS.has(code));

/**
 * Currencies written after an amount, which also follow a size word (`1.2M USD`, `5 MUSD`,
 * `5 Mio. EUR`, `10 thousand dollars`, `2 mrd kr`): ISO 4217 codes and currencies written in
 * Latin letters. They say what the number counts, not how many: ×1.
 */
const CURRENCIES_AFTER_SIZE = new Set([
  ...CURRENCY_CODES.map((code) => code.toLowerCase()),
  ...['dollar', 'dollars', 'euro', 'euros', 'pound', 'pounds', 'rupee', 'rupees', 'yen', 'yuan', 'franc', 'francs', 'reais', 'kr', 'rs', 'rmb', 'lei', 'ft'],
]);

/** A size word, then a currency after it (`musd`, `mio.eur`, `thousanddollars`: the spaces between are gone by then). */
const SIZE_THEN_CURRENCY = new RegExp(`^(${Object.keys(SIZE_WORDS).join('|')})\\.?(${[...CURRENCIES_AFTER_SIZE].join('|')})?$`);

/**
 * A currency sign after a number, with the letters of its dollar (`5 US$`, `5M US$`, `5 R$`):
 * letters after the digits or a size word, not the end of a word (`5 cr$` is crores).
 */
const TRAILING_CURRENCY_SIGN = new RegExp(`(?:(?:(?<![a-z])|(?<=\\d(?:${Object.keys(SIZE_WORDS).join('|')})\\.?))(?:us|ca|c|au|a|nz|hk|sg|s|nt|r|mx))?[$€£¥₹]$`, 'i');

/**
 * Words after a number that make it no amount or count: a time of day (`3 pm`), and `mil`, a
 * million in English but a thousand in Spanish and Portuguese (`R$ 5 mil`): either reading would
 * be a thousand times off for someone.
 */
const NO_NUMBER_AFTER = new Set(['am', 'pm', 'a.m', 'p.m', 'mil']);

/**
 * How much what follows a number's digits (lower case, spaces gone) multiplies it: a size word
 * (SIZE_WORDS), with or without a currency after it (`1.2M USD`); 1 for nothing, `%` or a word of
 * plain letters, a unit or a currency (`12 days`, `30 Mitarbeiter`, `1 200 kr`, `1.200,00 TRY`:
 * `300 TTL` is no 300 trillion lira); NaN after a word that makes it no number (`NO_NUMBER_AFTER`)
 * or anything else (`zł`, `₽`: see number-format.ts's `withoutCurrency`). With the currency it
 * names (`usd` of `1.2M USD`, `kr` of `1 200 kr`), null when none.
 */
function suffixRead(suffix: string): { scale: number; currency: string | null } {
  const word = suffix.replace(/\.$/, ''); // `1,5 Mio.`, `1 200 kr.`
  if (NO_NUMBER_AFTER.has(word)) return { scale: NaN, currency: null };
  const sized = SIZE_THEN_CURRENCY.exec(word);
  if (sized) return { scale: SIZE_WORDS[sized[1]], currency: sized[2] ?? null };
  return { scale: word === '' || word === '%' || /^[a-z]+$/.test(word) ? 1 : NaN, currency: CURRENCIES_AFTER_SIZE.has(word) ? word : null };
}

/** A number `parseNumber` read (NaN: none), and the currency it took off it, as written; null when none. */
interface NumberRead {
  value: number;
  currency: string | null;
}

/**
 * A number from a raw value: `1200`, `"$1,200,000"`, `"1 200"`, `"€ 3.5"`, `"12%"` (→ 12),
 * `"(500)"`, `"-$500"`, `"$-500"` and `"−500"` (→ −500), HubSpot ranges `"25-50"` / `"25 to 50"` (→ 25, the lower bound),
 * `"1000+"` (→ 1000), `"12 days"` (→ 12: a word after the number is its unit), `"$5MM"` / `"1,5 Mio."` / `"1.2M USD"` (`suffixRead`), `"1'200'000"` and `"12,00,000"`
 * (Swiss and Indian grouping), booleans (→ 1/0). NaN when unreadable: digits apart (`"25 50"`, however many
 * spaces are between them), a time of day or `mil` after the number (`"3 pm"`, `NO_NUMBER_AFTER`). Its digits
 * are read in `format` when given (a CSV column's, see number-format.ts: `2.713.067` → 2713067
 * with decimal commas), else per value (`commaReading`).
 */
export function parseNumber(raw: Raw, extra: readonly string[] = [], format?: NumberFormat): number {
  return readNumber(raw, extra, format).value;
}

/**
 * The currency `parseNumber` takes off `raw`'s number, as written: `JPY` of `JPY 74,693,100.00`,
 * `$` of `$5MM`, `US$` of `5 US$`, `usd` of `1.2M USD`, `dollars` of `10 dollars`; null when it takes
 * none off. Whether what is left reads as a number is `parseNumber`'s to say. What a file's column of
 * amounts in more than one currency is told by (number-format.ts's `amountCurrency`): read as numbers,
 * ¥300,000,000 would be $300,000,000.
 */
export function currencyTakenOffNumber(raw: Raw): string | null {
  return readNumber(raw).currency;
}

/** `parseNumber`'s reading of `raw`, with the currency it took off the number. */
function readNumber(raw: Raw, extra: readonly string[] = [], format?: NumberFormat): NumberRead {
  if (typeof raw === 'number') return { value: Number.isFinite(raw) ? raw : NaN, currency: null };
  if (typeof raw === 'boolean') return { value: raw ? 1 : 0, currency: null };
  const text = rawText(raw, extra);
  if (text === null) return { value: NaN, currency: null };
  // "1 200 000" and the Swiss "1'200'000" → "1200000"; spaces next to symbols or units go; spaces between other digits mean "not a number".
  // A run of spaces is one first: of two, each stood next to the other (no digit), and both went ("25  50" read as 2550).
  let s = text
    .replace(/\s+/g, ' ')
    .replace(/(\d)(?: |['’])(?=\d{3}(?!\d))/g, '$1')
    .replace(/ (?=\D)|(?<=\D) /g, '')
    .replace(/\u2212/g, '-'); // U+2212, the minus sign of typeset text and some locales' exports: −1,200
  if (/\s/.test(s)) return { value: NaN, currency: null };
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  // strip currency symbols / codes, also after a sign (-$1,200), and a symbol after the number, with the letters of its dollar (5 US$, 5 R$)
  let currency: string | null = null;
  s = s
    .replace(/^([+-]?)(usd|eur|gbp|inr|chf|cad|aud|jpy|us\$|[$€£¥₹])/i, (_, sign: string, leading: string) => {
      currency = leading;
      return sign;
    })
    .replace(TRAILING_CURRENCY_SIGN, (trailing) => {
      currency ??= trailing;
      return '';
    });
  // ranges: "25-50", "25to50", "25–50" → lower bound
  const range = /^([+-]?[\d.,]+)(?:-|–|—|to)([\d.,]+)\+?$/i.exec(s);
  if (range) s = range[1];
  s = s.replace(/\+$/, '');
  // a plain number, or with thousands separators
  const m = /^[+-]?[\d.,]+(?:[eE][+-]?\d+)?/.exec(s);
  if (!m) return { value: NaN, currency };
  const num = m[0];
  const suffix = suffixRead(s.slice(num.length).toLowerCase());
  currency ??= suffix.currency;
  const value = format ? formatDigits(num, format) : perValueDigits(num);
  if (!Number.isFinite(value) || Number.isNaN(suffix.scale)) return { value: NaN, currency };
  const scaled = value * suffix.scale;
  return { value: negative ? -scaled : scaled, currency };
}

// Besides English: the TRUE and FALSE that Excel writes into a CSV in its user's language (German,
// French, Spanish, Italian, Portuguese, Dutch, Swedish, Danish, Norwegian, Finnish, Polish), and yes/no in those languages.
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'on', 'checked', 'x', '✓', '✔', 'wahr', 'vrai', 'verdadero', 'vero', 'verdadeiro', 'waar', 'sant', 'sand', 'sann', 'tosi', 'prawda', 'ja', 'oui', 'sí', 'sì', 'si', 'sim', 'kyllä', 'tak']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off', 'unchecked', 'falsch', 'faux', 'falso', 'onwaar', 'falskt', 'falsk', 'usann', 'epätosi', 'fałsz', 'nein', 'non', 'não', 'nao', 'nee', 'nej', 'nei', 'ei', 'nie']);

/**
 * 1 / 0 from `true/false`, `Yes/No`, `1/0` (`1.0`, `0,0`: a number column's), `on/off`, a checkbox's `checked`,
 * and their words in a dozen European languages (`WAHR`, `Nein`); NaN otherwise.
 */
export function parseBoolean(raw: Raw, extra: readonly string[] = []): number {
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'number') return raw === 1 ? 1 : raw === 0 ? 0 : NaN;
  const text = rawText(raw, extra);
  if (text === null) return NaN;
  // NFC: an accent typed as its own character (macOS writes `não` so) is the word's.
  const s = text.normalize('NFC').toLowerCase().replace(/^([01])[.,]0+$/, '$1');
  if (TRUE_WORDS.has(s)) return 1;
  if (FALSE_WORDS.has(s)) return 0;
  return NaN;
}

const MS_PER_DAY = 86_400_000;
/** Epoch milliseconds are accepted between these (1990 … 2100) so that plain numbers are not taken for dates. */
const EPOCH_MS_MIN = Date.UTC(1990, 0, 1);
const EPOCH_MS_MAX = Date.UTC(2100, 0, 1);

/** Which of the two numbers before the year is the day: `31/12/2025` is day-first, `12/31/2025` month-first. */
export type DateOrder = 'day-first' | 'month-first';

/** A date written as numbers, day and month in an order the text alone may not tell: `3/14/2026`, `14.03.2026`, `14-03-2026 9:30 PM`. */
export interface NumericDate {
  /** The two numbers before the year, as written. */
  pair: [number, number];
  year: number;
  separator: '/' | '.' | '-';
  /** Hours (0–23), minutes, seconds; null when no time is written. */
  time: [number, number, number] | null;
}

const NUMERIC_DATE_RE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?$/i;

/**
 * The order each separator is read in when nothing else tells: slashes month-first (US CRM
 * exports), dots day-first (only day-first locales write dates with dots: de, ru, pl, …).
 * Dashes have no such convention (`31-12-2025` in India and the Netherlands, `12-31-2025` in
 * US files), so they are read only where a whole column shows its order (the CSV import).
 */
const USUAL_ORDER: Record<NumericDate['separator'], DateOrder | null> = { '/': 'month-first', '.': 'day-first', '-': null };

/** The parts of a numeric date (trimmed text), or null when the text is not one or its time is impossible. */
export function numericDate(text: string): NumericDate | null {
  const m = NUMERIC_DATE_RE.exec(text);
  if (!m) return null;
  let time: NumericDate['time'] = null;
  if (m[5]) {
    let hour = +m[5];
    const ampm = m[8]?.toLowerCase().replace(/\./g, '');
    if (ampm) {
      if (hour < 1 || hour > 12) return null;
      if (ampm === 'pm' && hour !== 12) hour += 12;
      if (ampm === 'am' && hour === 12) hour = 0;
    }
    time = [hour, +m[6], m[7] ? +m[7] : 0];
  }
  return { pair: [+m[1], +m[3]], year: +m[4], separator: m[2] as NumericDate['separator'], time };
}

const MS_PER_MINUTE = 60_000;

/**
 * An ISO date-time, with `/` too, and a zone or none, spaces before it or not: `2026-03-01T10:30:00Z`,
 * `2026-03-01 10:30`, `2026/03/01 10:30+01:00`, `2026-03-01 10:30:00.000 +0000` (Snowflake),
 * `2026-03-01 10:30:00+00` (Postgres). Groups: year, month, day, hour, minute, second, fraction of a
 * second, zone, and the zone's sign, hours and minutes when it is an offset.
 */
const ISO_DATE_TIME_RE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|([+-])(\d{2})(?::?(\d{2}))?)?$/i;

/** The wall clock an ISO date-time writes, in epoch milliseconds as if UTC; NaN when it is no date (31 February, 24:00). */
function isoWallClockMs(iso: RegExpExecArray): number {
  return validUtc(+iso[1], +iso[2], +iso[3], +iso[4], +iso[5], iso[6] ? +iso[6] : 0);
}

/**
 * Epoch milliseconds of an ISO date-time with a zone: its wall clock, to the millisecond, less the
 * zone's offset (hours to 23, as ISO writes them); NaN when the date or the offset is none.
 */
function isoZonedMs(iso: RegExpExecArray): number {
  const [fraction, , sign, hours = '0', minutes = '0'] = iso.slice(7); // no sign: Z
  if (+hours > 23 || +minutes > 59) return NaN;
  const offsetMinutes = (sign === '-' ? -1 : 1) * (+hours * 60 + +minutes);
  // Milliseconds count only here, as when Date.parse read these (HubSpot's `…:44.123Z`): a date-time without a zone has always been read to the second.
  const milliseconds = fraction ? +fraction.slice(0, 3).padEnd(3, '0') : 0;
  return isoWallClockMs(iso) + milliseconds - offsetMinutes * MS_PER_MINUTE;
}

/** A date alone as ISO writes it: `2026-03-01`. */
const ISO_DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A date alone, year first, with slashes: `2026/03/01`, `2026/3/1`. */
const YEAR_FIRST_DAY_RE = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;

/** Hours from UTC of the US zones HubSpot names after a time (CST is Central, not China's). */
const US_ZONE_HOURS: Readonly<Record<string, number>> = { EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7 };

/**
 * A zone after a date's time, as CRMs, databases and Intl write one there: `Z`, `+01:00`, `+0100`
 * or `+01` (also right after the time), `GMT`, `UTC`, `GMT+9`, `UTC−5` (a minus sign in fr, sv),
 * `GMT -5` (sl, hr, et), `GMT+5:30` (`UTC+5.30` in fi), or a name in capitals (`EST`, `MEZ`, `SEČ`).
 */
const TRAILING_ZONE_RE = /^(.+?)(?:(?:(?<=\d)|\s+)(?:Z|([+\-\u2212])(\d{2})(?::?(\d{2}))?)|\s+(?:(?:GMT|UTC)(?:\s?([+\-\u2212])(\d{1,2})(?:[:.](\d{2}))?)?|(\p{Lu}{2,5})))$/u;

/** The longest text `trailingZone` reads: a date written out in words, its time and its zone fit. */
const MAX_ZONED_DATE_LENGTH = 64;

/** A date's text without the zone written after it, and that zone's offset. */
export interface ZonedText {
  /** The text before the zone: `11/03/2026 9:14 AM` of `11/03/2026 9:14 AM EST`. */
  date: string;
  /** Minutes east of UTC (EST: −300, GMT+5:30: 330); null for a name of no known offset (`MEZ`, `CET`, `IST`). */
  offsetMinutes: number | null;
}

/**
 * The zone `text` (trimmed) ends with, as HubSpot writes one after a time in its user's zone
 * (`11/03/2026 9:14 AM EST`, `… 9:00AM GMT+9`): `GMT±h[:mm]`, `UTC±h[:mm]`, `Z` and `±hh[[:]mm]`
 * at their offset, `GMT` and `UTC` alone at 0, the US zones (EST, EDT, CST, CDT, MST, MDT, PST,
 * PDT) at theirs; any other name in capitals has none known. Null when it ends with none. Whether
 * the text before it is a date with a time is for the caller to read.
 */
export function trailingZone(text: string): ZonedText | null {
  // No date and zone is longer (`Wednesday, 11 November 2026, 09:14 GMT+05:30` is 45): the pattern, tried from every start, is slow on long text.
  if (text.length > MAX_ZONED_DATE_LENGTH) return null;
  const m = TRAILING_ZONE_RE.exec(text);
  if (!m) return null;
  const [, date, isoSign, isoHours, isoMinutes, gmtSign, gmtHours, gmtMinutes, name] = m;
  if (name !== undefined) {
    if (name === 'AM' || name === 'PM') return null; // the time's half of the day
    return { date, offsetMinutes: Object.hasOwn(US_ZONE_HOURS, name) ? US_ZONE_HOURS[name] * 60 : null };
  }
  const sign = isoSign ?? gmtSign;
  if (sign === undefined) return { date, offsetMinutes: 0 }; // Z, GMT, UTC
  const [hours, minutes] = [Number(isoHours ?? gmtHours), Number(isoMinutes ?? gmtMinutes ?? 0)];
  if (hours > 14 || minutes > 59) return null;
  return { date, offsetMinutes: (sign === '+' ? 1 : -1) * (hours * 60 + minutes) };
}

/** Epoch milliseconds (UTC) of a numeric date read in `order`; NaN when it is no date in that order (13th month, 31 April). */
export function numericDateMs(date: NumericDate, order: DateOrder): number {
  const [day, month] = order === 'day-first' ? date.pair : [date.pair[1], date.pair[0]];
  const [hour, minute, second] = date.time ?? [0, 0, 0];
  return validUtc(date.year, month, day, hour, minute, second);
}

/**
 * The numeric date `text` (trimmed) writes, before the zone after its time if any
 * (`13/03/2026 09:14 GMT+1`), and that zone; null when it writes none.
 */
export function zonedNumericDate(text: string): { date: NumericDate; zone: ZonedText | null } | null {
  const zone = trailingZone(text);
  const date = numericDate(zone?.date ?? text);
  return date && { date, zone };
}

/**
 * The order a numeric date shows by itself, a zone after its time or not (`trailingZone`):
 * `15/03/2026` reads day first only; `05.03.2026` is day first, as every locale that writes
 * dates with dots writes them (de, ru, pl, …): a page tagged `en-US` that shows one has a
 * day-first Locale, whatever its language.
 */
export function dateOrderShown(raw: Raw): DateOrder | null {
  const text = typeof raw === 'string' ? raw.trim() : null;
  const date = text === null ? null : (zonedNumericDate(text)?.date ?? null);
  if (date === null) return null;
  if (date.separator === '.') return 'day-first';
  const dayFirst = Number.isFinite(numericDateMs(date, 'day-first'));
  return dayFirst === Number.isFinite(numericDateMs(date, 'month-first')) ? null : dayFirst ? 'day-first' : 'month-first';
}

/**
 * A numeric date read in `order`, as ISO text (`YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` with a
 * time) that `parseDate` reads one way only; null when it is no date in that order.
 */
export function numericDateIso(date: NumericDate, order: DateOrder): string | null {
  const ms = numericDateMs(date, order);
  if (!Number.isFinite(ms)) return null;
  const iso = new Date(ms).toISOString(); // e.g. 2025-12-31T14:30:00.000Z
  return date.time ? iso.slice(0, 19) : iso.slice(0, 10);
}

/**
 * Epoch milliseconds (UTC) from a raw date: ISO date (`2026-03-01`, taken as UTC midnight) or
 * date-time (`2026-03-01T10:00:00Z`, `2026-03-01 10:00:00.000 +0000`, `2026-03-01 10:00:00+00`),
 * `M/D/YYYY`, `M/D/YYYY, h:mm AM`, `MM/DD/YYYY h:mm AM`, `D.M.YYYY[ HH:MM]` (dots are day-first), `YYYY/MM/DD`, epoch milliseconds (number or digit
 * string). Dates without a zone are UTC; a date-time of these forms followed by a zone that
 * names its offset (`trailingZone`: `11/03/2026 9:14 AM EST`, `2026-03-01 10:30 GMT+1`) is read
 * at that offset; followed by a name of no known offset (`MEZ`), it is no date here (page-values.ts
 * reads it in the page's zone). Dates with an English month's name (`Nov 3, 2026`, `Oct 05 2025
 * 9:14 AM`, `19-Dec-2025`: `readMonthNameDate`) are read as written, without a zone. NaN when
 * unreadable, for a two-digit year (`12/19/25`: `writesTwoDigitYear`), and for `D-M-YYYY` /
 * `M-D-YYYY` (dashes tell no order; a CSV import rewrites them once it knows the file's order).
 */
export function parseDate(raw: Raw, extra: readonly string[] = []): number {
  return readDate(raw, extra).ms;
}

/**
 * A date as `parseDate` reads it, and whether it is read on a clock: a date alone (`2026-03-01`,
 * `2026/03/01`, `3/1/2026`, `01.03.2026`) is a calendar date, a date-time without a zone
 * (`2026-03-01 10:30`, a file's) the time a clock showed; neither names an instant.
 */
interface ReadDate {
  ms: number;
  onClock: boolean;
}

const instant = (ms: number): ReadDate => ({ ms, onClock: false });
const onClock = (ms: number): ReadDate => ({ ms, onClock: true });

function readDate(raw: Raw, extra: readonly string[]): ReadDate {
  if (typeof raw === 'number') return instant(raw >= EPOCH_MS_MIN && raw <= EPOCH_MS_MAX ? raw : NaN);
  if (typeof raw === 'boolean') return instant(NaN);
  const s = rawText(raw, extra);
  if (s === null) return instant(NaN);
  if (/^\d{11,14}$/.test(s)) {
    const ms = Number(s);
    return instant(ms >= EPOCH_MS_MIN && ms <= EPOCH_MS_MAX ? ms : NaN);
  }
  let m = ISO_DAY_RE.exec(s);
  if (m) return onClock(validUtc(+m[1], +m[2], +m[3], 0, 0, 0));
  m = ISO_DATE_TIME_RE.exec(s);
  if (m) return m[8] ? instant(isoZonedMs(m)) : onClock(isoWallClockMs(m));
  m = YEAR_FIRST_DAY_RE.exec(s);
  if (m) return onClock(validUtc(+m[1], +m[2], +m[3], 0, 0, 0));
  // M/D/YYYY[, h:mm[:ss] [AM|PM]] (US), D.M.YYYY[ h:mm] (dots)
  const numeric = numericDate(s);
  const order = numeric && USUAL_ORDER[numeric.separator];
  if (numeric) return onClock(order ? numericDateMs(numeric, order) : NaN);
  const worded = readMonthNameDate(s);
  if (worded) return onClock(worded.wallClock);
  return instant(zonedDateMs(s));
}

/** An English month's name or its abbreviation (`Sept` too), with a dot or none. */
const MONTH_NAME = '(?<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** A time after the date, or none: `, 9:14 AM`, ` at 09:14`, ` 9:14:05 p.m.`. */
const TIME_AFTER = '(?:(?:\\s*,\\s*|\\s+)(?:at\\s+)?(?<hour>\\d{1,2}):(?<minute>\\d{2})(?::(?<second>\\d{2}))?(?:\\s*(?<dayPeriod>[ap])\\.?\\s*m\\.?)?)?';
/** Between a date's day and its month in words, and between them and its year: spaces (`3 Nov 2026`) or dashes (`03-Nov-2026`, as a spreadsheet writes them). */
const DAY_MONTH_APART = '(?:\\s+|-)';
const MONTH_YEAR_APART = '(?:,?\\s+|-)';
/** `Nov 3, 2026`, `November 3 2026, 9:14 AM`; and `3 Nov 2026`, `3 November 2026 at 09:14`, `03-Nov-2026`. */
const MONTH_NAME_DATES = [
  new RegExp(`^${MONTH_NAME}\\s+(?<day>\\d{1,2}),?\\s+(?<year>\\d{4})${TIME_AFTER}$`, 'i'),
  new RegExp(`^(?<day>\\d{1,2})${DAY_MONTH_APART}${MONTH_NAME}${MONTH_YEAR_APART}(?<year>\\d{4})${TIME_AFTER}$`, 'i'),
];

/**
 * A date with a two-digit year: `12/19/25`, `19.12.25`, `19-Dec-25`, `Dec 19, 25`, a time after it
 * or none (a spreadsheet's short dates). `parseDate` reads none of them: the century is a guess
 * (spreadsheets take 30 for 1930 or 2030 as their settings say), and so is which of the numbers
 * is the year. A file of them is told to write its dates in full (`writesTwoDigitYear`).
 */
const TWO_DIGIT_YEAR_DATES = [
  /^(?:\d{1,2}([/-])\d{1,2}\1|\d{2}\.\d{2}\.)\d{2}(?:,?\s+\d{1,2}:\d{2}.*)?$/, // dots with two digits each: `3.11.10` is a version
  new RegExp(`^${MONTH_NAME}\\s+\\d{1,2},?\\s+\\d{2}${TIME_AFTER}$`, 'i'),
  new RegExp(`^\\d{1,2}${DAY_MONTH_APART}${MONTH_NAME}${MONTH_YEAR_APART}\\d{2}${TIME_AFTER}$`, 'i'),
];

/** Whether `text` (trimmed) is a date with a two-digit year, which `parseDate` does not read (TWO_DIGIT_YEAR_DATES). */
export const writesTwoDigitYear = (text: string): boolean => TWO_DIGIT_YEAR_DATES.some((pattern) => pattern.test(text));

/**
 * A date `text` writes with its month in English words: `Nov 3, 2026`, `November 3, 2026 at
 * 9:14 AM`, `Nov 3, 2026, 09:14`, `3 Nov 2026`, `03-Nov-2026`, `3 November 2026 9:14 PM`: on a
 * page (page-values.ts) and, as `parseDate` reads it, in a file. Null when it writes
 * none, or no day there is (`Feb 30, 2026`, `1:05 PM` is; `13:05 PM` is not).
 */
export function readMonthNameDate(text: string): WallClockDate | null {
  const trimmed = text.trim();
  const read = MONTH_NAME_DATES.map((pattern) => pattern.exec(trimmed)?.groups).find((groups) => groups !== undefined);
  if (!read) return null;
  let hour = Number(read.hour ?? 0);
  if (read.dayPeriod !== undefined) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (read.dayPeriod.toLowerCase() === 'p' ? 12 : 0); // 12 AM is midnight
  }
  const month = MONTHS.indexOf(read.month.slice(0, 3).toLowerCase()) + 1;
  const wallClock = validUtc(Number(read.year), month, Number(read.day), hour, Number(read.minute ?? 0), Number(read.second ?? 0));
  return Number.isNaN(wallClock) ? null : { wallClock, timeOfDay: read.hour !== undefined };
}

/** Epoch milliseconds of a date-time `parseDate` reads without a zone, followed by a zone of known offset; NaN for any other text. */
function zonedDateMs(text: string): number {
  const zoned = trailingZone(text);
  if (zoned === null || zoned.offsetMinutes === null) return NaN;
  const iso = ISO_DATE_TIME_RE.exec(zoned.date);
  const numeric = iso ? null : numericDate(zoned.date);
  const order = numeric?.time ? USUAL_ORDER[numeric.separator] : null;
  // A zone after a zone (`2026-03-01T10:30Z EST`), or after a date without a time, names no instant.
  const wallClock = iso ? (iso[8] ? NaN : isoWallClockMs(iso)) : numeric && order ? numericDateMs(numeric, order) : NaN;
  return wallClock - zoned.offsetMinutes * MS_PER_MINUTE;
}

/**
 * Years a lead's date can have. Outside them a date is a placeholder ("0001-01-01", "9999-12-31"),
 * not a date: read as one, it would be tens of thousands of days since, or millions until.
 */
export const YEAR_MIN = 1900;
export const YEAR_MAX = 2100;

/** Epoch milliseconds (UTC) of a date and time given by its numbers; NaN when it is none (31 February, 24:00) or its year is outside YEAR_MIN … YEAR_MAX. */
export function validUtc(y: number, mo: number, d: number, h: number, mi: number, se: number): number {
  if (y < YEAR_MIN || y > YEAR_MAX || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return NaN;
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(t);
  if (back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) return NaN; // 2/31 etc.
  return t;
}

/** Whole days from `dateMs` to `nowMs` (floor; negative for future dates). */
export function daysBetween(dateMs: number, nowMs: number): number {
  if (!Number.isFinite(dateMs) || !Number.isFinite(nowMs)) return NaN;
  return Math.floor((nowMs - dateMs) / MS_PER_DAY);
}

/**
 * Whole days from a raw date (as `parseDate` reads it) to `nowMs`; NaN when unreadable. A date
 * alone (a CRM's Date field, `2026-12-01`) is a calendar date, so its days are calendar days: the
 * date a clock `utcOffsetMinutes` ahead of UTC shows at `nowMs` (the rep's today) minus it, and
 * a date set today is 0 days ago all day in Los Angeles or Auckland too. A date-time without a
 * zone (a file's `2026-12-01 18:00`) is a time on that clock too, as training on its file read it:
 * the whole 24 hours from it to the time the clock shows. A date-time with a zone, or epoch
 * milliseconds, is an instant: the whole 24 hours elapsed since, whatever the clock.
 */
export function daysSince(raw: Raw, nowMs: number, utcOffsetMinutes: number, extra: readonly string[] = []): number {
  // What a clock shows reads as if UTC: to the rep's wall clock read as UTC are the days between.
  const { ms, onClock } = readDate(raw, extra);
  return daysBetween(ms, onClock ? nowMs + utcOffsetMinutes * MS_PER_MINUTE : nowMs);
}

export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

// ---------------------------------------------------------------------------------------------
// Title seniority

export const SENIORITY_LEVELS = ['c-level', 'vp', 'director', 'manager', 'individual', 'student', 'other'] as const;
export type Seniority = (typeof SENIORITY_LEVELS)[number];

/**
 * Each level as a rep reads it. The codes above are the model's (its vocabulary and bins, in
 * manifests and ONNX files): they never change, only these words (`levelAsShown`).
 */
export const SENIORITY_SHOWN: Readonly<Record<Seniority, string>> = {
  'c-level': 'C-level',
  vp: 'VP',
  director: 'Director',
  manager: 'Manager',
  individual: 'Individual contributor',
  student: 'Student or intern',
  other: 'No current company role', // freelancers, the unemployed, a role held once
};

/** Ordinal rank for numeric use: c-level 6 … student 1, other 0. */
export const SENIORITY_RANK: Record<Seniority, number> = {
  'c-level': 6,
  vp: 5,
  director: 4,
  manager: 3,
  individual: 2,
  student: 1,
  other: 0,
};

/** A letter or digit of any script. */
const WORD_CHAR = String.raw`[\p{L}\p{N}]`;

/**
 * `source` as a regex whose `\b` is a word's edge in any script: JS's own `\b` knows ASCII
 * letters only, so "negócio" held the word "cio" (a CIO) and "płat" the word "at".
 */
const withWordEdges = (source: string, flags = '') =>
  new RegExp(source.replaceAll(String.raw`\b`, `(?:(?<!${WORD_CHAR})(?=${WORD_CHAR})|(?<=${WORD_CHAR})(?!${WORD_CHAR}))`), `${flags}u`);

/**
 * The rules, each tested on every part of the title ("Founder & CEO" is the parts "founder"
 * and "ceo"; "Partner, Acme LLP" starts with the part "partner"), in lower case without
 * accents ("Président" is "president") with words split by single spaces. The first rule that
 * matches a part decides, so the higher level wins ("Co-founder & VP Product" is c-level,
 * "Associate Director" is director), and a student word beats the craft it is learnt in
 * ("Marketing Intern"). The common senior words of Spanish, Portuguese, French, German and
 * Italian titles are read too.
 *
 * - c-level: Chief (Chief … Officer, Chief Architect; not Chief of Staff) and the
 *   abbreviations (CEO, CFO, CISO, CHRO, PDG, …), President / Presidente / Präsident (not Vice
 *   President), Chair / Chairman / Board Chair (not the chair of a department or committee),
 *   Founder / Co-founder / Fundador / Fondateur / Gründer, Proprietor, Managing Director /
 *   Geschäftsführer, Executive Director, Director General / Directeur général / Diretor Geral;
 *   the owner of a business ("Owner", "Co-owner", "Business Owner", "Owner & CEO"), not of a
 *   product or process; a partner or principal of a firm, named alone ("Partner", "Principal,
 *   Acme Architects") or with its rank ("Managing Partner").
 * - vp: VP, SVP, EVP, AVP, Vice President / Vicepresidente / Vizepräsident, Vice Chair, Head
 *   of …, General Manager / GM / Gerente General.
 * - director: Director / Diretor / Directeur / Direktor / Direttore, Chief of Staff.
 * - manager: Manager, Gerente, Jefe, Leiter, Supervisor, Superintendent, Lead ("Team Lead",
 *   "Lead Developer"), but not the lead a sales team works ("Lead Generation Specialist").
 * - student: Student, Intern, Trainee, Apprentice, PhD / MBA candidate.
 * - individual: a craft (Engineer, Analyst, Consultant, Account Executive, Coordinator, …);
 *   a role that owns a thing (Product Owner, Process Owner); a partner that is no firm's
 *   partner (HR Business Partner); "Principal" before a craft (Principal Engineer, Principal
 *   Consultant: the senior rank of an individual contributor).
 * - other: no current role of a company's: Freelancer, Self-employed, Volunteer, Unemployed, and
 *   a role held once (rolesOfItem: "Former VP", "Ex-CFO", "Retired President", "CEO (retired)").
 *
 * A title none of them reads ("代表取締役社長", "Ninja") is not known, as a missing one: `other` is
 * the level of those out of work, and scoring a CEO in words the rules do not know as one of them
 * would mark the lead down harder than a lead with no title.
 */
const SENIORITY_RULES: [Seniority, RegExp][] = [
  [
    'c-level',
    withWordEdges(
      [
        /\bchief\b(?! of staff\b)|\b(c[a-z]o|chro|ciso|cdao|pdg)\b/.source,
        /(?<!\b(vice|vize) )\b(president[ea]?|prasident(in)?)\b/.source,
        /(?<!\b(vice|department|committee) )\bchair(man|woman|person)?\b(?! of (the )?(department|committee)\b)/.source,
        /\b(co ?)?(founder|fundador|fundadora|fondateur|fondatrice)\b|\b(mit)?grunder(in)?\b|\bproprietor\b/.source,
        /\bmanaging director\b|\bexecutive director\b|\bgeschaftsfuhrer(in)?\b|\bgeschaeftsfuehrer(in)?\b/.source,
        /\b(director|directora|diretor|diretora|directeur|directrice|direttore|direttrice) (general|generale|geral)\b/.source,
        /^owner\b|\bco ?owner\b|\b(business|company|practice|store|shop|restaurant|agency|firm|franchise|studio) owner\b/.source,
        /^((managing|senior|founding|general|equity|named?) )?(partner|principal)$/.source,
      ].join('|'),
    ),
  ],
  [
    'vp',
    withWordEdges(
      /\b(vp|svp|evp|avp|vice ?president[ea]?|vize ?prasident(in)?|vice chair(man|woman|person)?|head of|general manager|gm|gerente (general|geral))\b|^head$/.source,
    ),
  ],
  ['director', withWordEdges(/\b(director|directora|diretor|diretora|directeur|directrice|direktor|direktorin|direttore|direttrice|dir|chief of staff)\b/.source)],
  [
    'manager',
    withWordEdges(/\b(manager|mgr|gerente|jefe|jefa|leiter|leiterin|supervisor|superintendent)\b|\blead\b(?! (generation|gen|qualification|nurturing|development)\b)/.source),
  ],
  ['student', withWordEdges(/\b(student|intern|internship|trainee|apprentice|undergrad[a-z]*|phd candidate|mba candidate)\b/.source)],
  [
    'individual',
    withWordEdges(
      /\b(engineer|developer|analyst|specialist|associate|consultant|representative|rep|sdr|bdr|executive|administrator|admin|designer|scientist|accountant|auditor|assistant|officer|technician|sales|marketer|marketing|architect|programmer|nurse|teacher|professor|lecturer|agent|clerk|writer|editor|researcher|recruiter|strategist|advisor|adviser|coordinator|staff|member|owner|partner|principal)\b/.source,
    ),
  ],
  // last, so a craft wins: a Freelance Designer or Volunteer Coordinator is an individual
  ['other', withWordEdges(/\b(freelancer|freelance|self employed|volunteer|unemployed)\b/.source)],
];

/** Separators between the parts of a title: punctuation, a spaced dash, "and". */
const TITLE_PART_SEPARATOR = withWordEdges(/\s*(?:[,;:|/\\&+()[\]]|\s[-–—]\s|\band\b)\s*/.source);

/**
 * The company after "at" or "@" in a part of a title ("Sales Manager at President's Choice", "CTO @ CEO.com"): no
 * rank of the lead's. Removed part by part, so a role after a separator stays ("Engineer at Google, Founder of Acme").
 */
const AT_COMPANY = withWordEdges(/(?:\bat\b|@)[^|;]*/.source, 'g');

/** Letters with a dot after each ("C.E.O.", "V.P."). */
const DOTTED_ACRONYM = withWordEdges(/\b(?:[a-z]\.){2,}/.source, 'g');

/** Someone the title only names ("Chief of Staff to the CEO", "Office of the President"): not the lead's own rank. */
const NAMED_SUPERIOR = withWordEdges(/\b(to|of|for)( the)? (c[a-z]o|president|chair(man|woman|person)?|founders?|board)\b/.source, 'g');

/**
 * An assistant, of a rank or not, who works for it and is not it: "Assistant to the Regional
 * Manager", "CEO Assistant", "Executive Assistant (CEO)", "Assistente de Diretoria"; not a
 * rank's deputy ("Assistant Director", "Assistant Manager").
 */
const ASSISTANT_OF = withWordEdges(/\b(assistant|assistante|assistente|asistente|assistent|assistentin)( (to|of|for|de|da|do|del|di|du|des|der)\b.*)?$/.source);

/**
 * "EX" in capitals, not joined to the next word by a dash, is the employee-experience team ("EX Manager", "Director, EX",
 * "Chief People Officer (EX)"), no former role; but a C-level role after it belongs to no team ("EX CEO").
 */
const EMPLOYEE_EXPERIENCE = /(?<![\p{L}\p{N}])EX(?![\p{L}\p{N}]|\s*[-–—])/gu;

/** A former-role word starting a part, and a spaced dash after it ("Ex - CFO"): one role, not two parts. */
const FORMER_THEN_DASH = withWordEdges(/(^|[,;:|/\\&+()[\]] ?)(ex|former|retired) [-–—] /.source, 'g');

/** Separators between the items of a headline ("Founder & CEO | Board Member (Retired)"): a former-role word reaches no other item. */
const TITLE_ITEM_SEPARATOR = /\s*[|;/\\]\s*/u;

/**
 * A word before a role that makes it one held once: "Former VP", "Formerly CTO", "Previously VP at Acme", "Ex-CFO", "Retired
 * President", "Ret. Colonel", "Emeritus Professor", "Ehemaliger Geschäftsführer"; at the start of the part only, so neither
 * "CEO of Former Labs" nor "Director of Retiree Services", and not "Ex officio Member".
 */
const FORMER_BEFORE_ROLE = withWordEdges(/^(ex(?! officio\b)|former|formerly|previously|retired|retd|ret|emeritus|emerita|ehemalige[nrs]?)\b/.source);

/**
 * A word after a role that makes it one held once, at the end of its part: "CEO Retired", "Professor Emeritus", "Diretor
 * Aposentado"; as a part of its own it ends every role before it in its item ("CEO (retired)", "Co-Founder & CEO (Ret.)",
 * "Sales Manager, Former"). Not "previously" or "formerly", which name what comes after them ("CEO, previously" is a CEO).
 */
const FORMER_AFTER_ROLE = withWordEdges(/\b(former|retired|retd|ret|emeritus|emerita|ehemalige[nrs]?|jubilad[oa]|aposentad[oa])$/.source);

/** A word of a part made only of former-role words ("Retired", "Retiree", "Ex", "Previously"): a role held once, with no rank. */
const FORMER_WORD = withWordEdges(/^(ex|former|formerly|previously|retired|retiree|retd|ret|emeritus|emerita|ehemalige[nrs]?|jubilad[oa]|aposentad[oa])$/.source);

/** The words that start the role a lead holds now, after one held once ("Ex-CFO, now Advisor", "Retired, currently Consultant"). */
const NOW_ROLE = withWordEdges(/\b(?:now|currently)\b/.source);

/** A part's words: letters and digits split by single spaces ("Co-founder" → "co founder"). */
const wordsOf = (part: string) => part.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/**
 * The roles of one item of a title ("Founder & CEO", "Board Member (Retired)"), each with whether the lead holds it no more:
 * a former-role word before it or at its end (FORMER_BEFORE_ROLE, FORMER_AFTER_ROLE), or a part after it in the item that is
 * nothing but a word FORMER_AFTER_ROLE reads ("CEO (retired)", "Director, now retired").
 */
function rolesOfItem(item: string): { role: string; former: boolean }[] {
  const roles = item
    .split(TITLE_PART_SEPARATOR)
    .flatMap((part) => part.split(NOW_ROLE))
    .map((part) => wordsOf(part.replace(AT_COMPANY, '')))
    .filter((role) => role !== '');
  const markerOnly = (role: string) => role.split(' ').every((word) => FORMER_WORD.test(word));
  const heldOnceUpTo = roles.findLastIndex((role) => markerOnly(role) && FORMER_AFTER_ROLE.test(role));
  return roles.map((role, index) => ({
    role,
    former: index <= heldOnceUpTo || markerOnly(role) || FORMER_BEFORE_ROLE.test(role) || FORMER_AFTER_ROLE.test(role),
  }));
}

/** The longest title read: well over the CRMs' own (Salesforce Title: 128), short enough to read at once. */
const MAX_TITLE_CHARS = 400;

/**
 * Job title → seniority level (see SENIORITY_RULES); null when the title is missing or no rule reads it.
 * A role the lead held once (see rolesOfItem) is no current role; a title of roles held once only is `other`. A marker
 * reaches no other item of a headline: "Founder & CEO | Board Member (Retired)" and "CEO | Retired" are c-level, as a
 * headline's last item often names a past affiliation ("CEO | US Navy (Retired)").
 */
export function titleSeniority(title: string | null): Seniority | null {
  // Cut: a title is read from what anyone filling in a web form typed, and each "EX" reads the rest of its part.
  return title === null ? null : seniorityOf(title.slice(0, MAX_TITLE_CHARS), new Map());
}

/**
 * `titleSeniority` of `title`, with `readRests` the seniority of each rest of a part after an "EX" read so far: a
 * title of many "EX"s has each rest read once, not once per "EX" before it (2ⁿ reads).
 */
function seniorityOf(title: string, readRests: Map<string, Seniority | null>): Seniority | null {
  const t = title
    .replace(EMPLOYEE_EXPERIENCE, (ex: string, offset: number, whole: string) => {
      const rest = whole.slice(offset + ex.length).split(TITLE_PART_SEPARATOR)[0];
      if (!readRests.has(rest)) readRests.set(rest, seniorityOf(rest, readRests));
      return readRests.get(rest) === 'c-level' ? ex : 'employee experience';
    })
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // "Président" → "president", "Negócio" → "negocio"
    .replace(DOTTED_ACRONYM, (acronym) => acronym.replace(/\./g, '')) // "C.E.O." → "ceo", "V.P." → "vp"
    .replace(/[._]+/g, ' ') // "Sr.VP", "Dir." → "sr vp", "dir"
    .replace(/\s+/g, ' ')
    .trim();
  if (t === '') return null;
  const parts = t.replace(NAMED_SUPERIOR, '').replace(FORMER_THEN_DASH, '$1$2 ').split(TITLE_ITEM_SEPARATOR).flatMap(rolesOfItem);
  const current = parts.filter(({ former }) => !former).map(({ role }) => role);
  const level = SENIORITY_RULES.find(([, rule]) => current.some((part) => rule.test(part)))?.[0];
  // An assistant works for the rank it names, and is none ("CEO Assistant"); a student assistant is still a student.
  if (level !== 'student' && current.some((part) => ASSISTANT_OF.test(part))) return 'individual';
  return level ?? (current.length < parts.length ? 'other' : null);
}

// ---------------------------------------------------------------------------------------------
// URL category

export const URL_CATEGORIES = ['pricing', 'demo', 'contact', 'docs', 'blog', 'careers', 'product', 'home', 'other'] as const;
export type UrlCategory = (typeof URL_CATEGORIES)[number];

/** Each category as a rep reads it (the codes are the model's: see SENIORITY_SHOWN), naming what URL_SEGMENT_RULES put in it. */
export const URL_CATEGORY_SHOWN: Readonly<Record<UrlCategory, string>> = {
  pricing: 'Pricing page',
  demo: 'Demo or sign-up page',
  contact: 'Contact page',
  docs: 'Docs or help page',
  blog: 'Blog or resource page',
  careers: 'Careers page',
  product: 'Product page',
  home: 'Home page',
  other: 'Other page',
};

/**
 * The path segments that name a category: a segment in `segments` (`/plans`, `/get-started`),
 * or one whose first or last word is in `words` (`/pricing`, `/enterprise-pricing`,
 * `/book-a-demo`, `/contact-us`). Words that also begin articles and guides (`start`, `buy`,
 * `news`) name it only as a whole segment; a lone `sales` names none (`/sales` is as often a
 * product area as a contact page).
 */
const URL_SEGMENT_RULES: [UrlCategory, { words: readonly string[]; segments: readonly string[] }][] = [
  [
    'pricing',
    {
      words: ['pricing', 'checkout'],
      segments: ['price', 'prices', 'plans', 'plan', 'buy', 'cart', 'quote', 'get-a-quote', 'request-a-quote', 'upgrade', 'subscribe', 'compare-plans'],
    },
  ],
  ['demo', { words: ['demo', 'demos', 'trial', 'signup'], segments: ['get-started', 'sign-up', 'start'] }],
  ['contact', { words: ['contact'], segments: ['talk-to-sales', 'talk-to-us', 'get-in-touch'] }],
  [
    'docs',
    {
      words: ['docs', 'documentation'],
      segments: ['doc', 'api', 'developer', 'developers', 'guide', 'guides', 'help', 'help-center', 'support', 'kb', 'knowledge-base', 'faq', 'faqs', 'manual'],
    },
  ],
  [
    'blog',
    {
      words: ['blog', 'webinar', 'webinars', 'ebook', 'ebooks', 'whitepaper', 'whitepapers'],
      segments: ['news', 'article', 'articles', 'post', 'posts', 'resources', 'case-study', 'case-studies', 'stories', 'insights', 'podcast'],
    },
  ],
  ['careers', { words: ['careers', 'jobs'], segments: ['career', 'job', 'hiring', 'join-us', 'work-with-us'] }],
  [
    'product',
    {
      words: ['why'], // why-acme
      segments: ['product', 'products', 'feature', 'features', 'solution', 'solutions', 'platform', 'integration', 'integrations', 'use-case', 'use-cases', 'customers'],
    },
  ],
];

/** The category a path segment names (see URL_SEGMENT_RULES), or null. */
function segmentCategory(segment: string): UrlCategory | null {
  const name = segment.replace(/\.(html?|php|aspx?|jsp)$/, '');
  const words = name.split(/[-_]+/);
  const firstAndLast = [words[0], words[words.length - 1]];
  for (const [category, rule] of URL_SEGMENT_RULES) {
    if (rule.segments.includes(name) || firstAndLast.some((word) => rule.words.includes(word))) return category;
  }
  return null;
}

/** A scheme without the `//` of a web page's (`javascript:`, `mailto:`, `tel:`): no page. A host's port (`acme.com:8080`) is digits. */
const NO_PAGE_SCHEME = /^[a-z][a-z0-9+.-]*:(?!\/\/|\d)/;

/** A host: names of letters (any script), digits and dashes, a root's dot after them or none, an optional port. */
const HOST = /^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)*\.?(:\d+)?$/u;

/** A site's home page: its root, an index page, `/home`, a locale's root (`/en-us/`). */
const HOME_PATH = /^\/(index\.(html?|php|aspx?|jsp)|default\.aspx?|home|[a-z]{2}(-[a-z]{2})?\/?)$/;

/**
 * Page URL → category; null when missing or no page's URL (`Pricing page`, `javascript:…`):
 * a URL with a scheme, a path (`/pricing`) or a host with a dot (`acme.com`). A docs / blog /
 * careers subdomain decides; else the first path segment that names a category, so everything
 * under `/blog/` is blog whatever its title says (`/blog/pricing-strategy`) and a locale prefix
 * (`/en/pricing`) is passed over. A single-page app's route after `#/` (`/#/pricing`) is read
 * as the path it is.
 */
export function urlCategory(url: string | null): UrlCategory | null {
  if (url === null) return null;
  let s = url.trim().toLowerCase();
  if (s === '' || NO_PAGE_SCHEME.test(s)) return null;
  s = s.replace(/^([a-z][a-z0-9+.-]*:)?\/\//, '').replace(/^[^/?#@]*@/, ''); // the scheme, a user's name
  const hostEnd = s.search(/[/?#]/);
  const host = hostEnd < 0 ? s : s.slice(0, hostEnd);
  if (host !== '' && !HOST.test(host)) return null;
  if (hostEnd < 0 && !host.includes('.')) return null; // a word ("pricing"), no host
  const [pathAndQuery, fragment = ''] = (hostEnd < 0 ? '/' : s.slice(hostEnd)).split('#', 2);
  const route = /^!?\//.test(fragment) ? fragment.replace(/^!/, '') : ''; // "#/pricing", "#!/pricing"
  const path = `${pathAndQuery.replace(/\?.*$/, '')}${route.replace(/\?.*$/, '')}`.replace(/\/{2,}/g, '/');
  const sub = host.split('.')[0];
  if (['docs', 'developer', 'developers', 'help', 'support', 'kb'].includes(sub)) return 'docs';
  if (sub === 'blog') return 'blog';
  if (sub === 'careers' || sub === 'jobs') return 'careers';
  if (path === '/' || path === '' || HOME_PATH.test(path)) return 'home';
  for (const segment of path.split('/')) {
    const category = segment === '' ? null : segmentCategory(segment);
    if (category !== null) return category;
  }
  return 'other';
}

// ---------------------------------------------------------------------------------------------
// E-mail domain kind

export const EMAIL_DOMAIN_KINDS = ['free', 'corporate'] as const;
export type EmailDomainKind = (typeof EMAIL_DOMAIN_KINDS)[number];

/** Each kind as a rep reads it (the codes are the model's: see SENIORITY_SHOWN). */
export const EMAIL_DOMAIN_KIND_SHOWN: Readonly<Record<EmailDomainKind, string>> = { free: 'Free e-mail', corporate: 'Company e-mail' };

/** Free mail providers by their whole domain: the national ones (`btinternet.com`, `uol.com.br`, `qq.com`), and those without a country variant. */
const FREE_MAIL = new Set([
  'gmail.com', 'googlemail.com', 'ymail.com', 'rocketmail.com', 'msn.com', 'icloud.com', 'me.com', 'mac.com',
  'protonmail.com', 'protonmail.ch', 'proton.me', 'pm.me', 'mail.com', 'email.com', 'zoho.com', 'zohomail.com',
  'tutanota.com', 'tutanota.de', 'tuta.io', 'fastmail.com', 'fastmail.fm', 'hey.com', 'aim.com',
  // United States and Canada
  'comcast.net', 'verizon.net', 'att.net', 'sbcglobal.net', 'bellsouth.net', 'cox.net', 'charter.net', 'earthlink.net', 'juno.com',
  'shaw.ca', 'rogers.com', 'sympatico.ca', 'videotron.ca', 'telus.net',
  // United Kingdom, Ireland, Australia, New Zealand
  'btinternet.com', 'sky.com', 'virginmedia.com', 'ntlworld.com', 'talktalk.net', 'blueyonder.co.uk', 'eircom.net',
  'bigpond.com', 'bigpond.net.au', 'optusnet.com.au', 'xtra.co.nz',
  // continental Europe
  'web.de', 't-online.de', 'freenet.de', 'arcor.de', 'orange.fr', 'wanadoo.fr', 'free.fr', 'sfr.fr', 'laposte.net', 'neuf.fr',
  'libero.it', 'virgilio.it', 'tiscali.it', 'alice.it', 'tin.it', 'ziggo.nl', 'kpnmail.nl', 'planet.nl', 'home.nl', 'hetnet.nl',
  'skynet.be', 'telenet.be', 'bluewin.ch', 'seznam.cz', 'centrum.cz', 'wp.pl', 'o2.pl', 'onet.pl', 'interia.pl', 'abv.bg',
  // Russia and Ukraine, Latin America, Asia
  'mail.ru', 'bk.ru', 'list.ru', 'inbox.ru', 'rambler.ru', 'ya.ru', 'ukr.net',
  'uol.com.br', 'bol.com.br', 'terra.com.br', 'ig.com.br', 'prodigy.net.mx',
  'qq.com', 'foxmail.com', '163.com', '126.com', 'yeah.net', 'sina.com', 'sina.cn', 'sohu.com', 'aliyun.com',
  'naver.com', 'hanmail.net', 'daum.net', 'nate.com', 'kakao.com', 'rediffmail.com',
]);

/**
 * Free mail providers under any country's ending (`yahoo.co.jp`, `hotmail.com.br`, `outlook.de`,
 * `live.co.uk`, `gmx.at`, `yandex.kz`): a name, then a top-level domain, or a second level (`co`,
 * `com`, `ne`, `or`, …) and a country's.
 */
const FREE_MAIL_BRAND = /^(yahoo|hotmail|outlook|live|windowslive|aol|gmx|yandex)\.(?:(?:co|com|net|ne|or)\.)?[a-z]{2,3}$/;

/** An address (at most 254 characters, RFC 5321) with a display name ("Ann Lee <ann@acme.io>"): anything longer is no address. */
const MAX_EMAIL_CHARS = 1000;

/** A domain's names: letters (any script: `müller.de`), digits and dashes. */
const DOMAIN = /^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u;

/**
 * The lower-case domain of an e-mail address (`Ada <ada@gmail.com>` too) or bare domain; null
 * when missing or not one. A domain's root dot (`gmail.com.`) and format characters pasted with
 * it (a zero-width space) are no part of it; an internationalised domain is kept in its letters.
 */
export function emailDomain(email: string | null): string | null {
  if (email === null) return null;
  // Checked before any pattern runs: the trailing-garbage strip below is quadratic on long runs of spaces (a 200,000-character cell took 17 s).
  const trimmed = email.trim();
  if (trimmed.length > MAX_EMAIL_CHARS) return null;
  const s = trimmed.replace(/\p{Cf}/gu, '').toLowerCase().normalize('NFC');
  const at = s.lastIndexOf('@');
  const domain = (at >= 0 ? s.slice(at + 1) : s).replace(/[>\s]+$/, '').replace(/\.$/, '');
  return DOMAIN.test(domain) ? domain : null;
}

/** E-mail address (or bare domain) → free / corporate; null when missing or not an address. */
export function emailDomainKind(email: string | null): EmailDomainKind | null {
  const domain = emailDomain(email);
  if (domain === null) return null;
  return FREE_MAIL.has(domain) || FREE_MAIL_BRAND.test(domain) ? 'free' : 'corporate';
}
