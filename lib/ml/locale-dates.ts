/**
 * A CRM page writes a date in its user's locale as Intl writes it there, and in many locales
 * that is no `D/M/YYYY, H:MM AM` that `parseDate` reads: `11.06.2026 klo 16.41` (fi),
 * `11. 06. 2026 16:41` (cs), `2026. 06. 11. 16:41` (hu), `2026/06/11 下午04:41` (zh-TW),
 * `11/06/2026, 04:41 μ.μ.` (el), `2026-06-11 16 h 41` (fr-CA), `16:41 11/06/2026` (vi),
 * `11/06/2569` (th: Buddhist years), `١١/٠٦/٢٠٢٦` (ar: Arabic digits). A locale's way is read
 * off Intl's own output (`formatToParts`): the order of its fields, the text between them, its
 * words for AM and PM, its digits and its calendar; a page's date is read back with it. Pure;
 * each locale's way is worked out once. A date with its month in English words (`Nov 3, 2026
 * 9:14 AM` on a HubSpot page, `3 November 2026`) is read on its own, whatever the locale
 * (`readMonthNameDate`, in derive.ts: `parseDate` reads it too).
 */
import { validUtc, YEAR_MAX, YEAR_MIN } from './derive';

/** A date as a page shows it: its wall-clock time (epoch ms of that reading taken as UTC), and whether it shows a time of day. */
export interface WallClockDate {
  wallClock: number;
  timeOfDay: boolean;
}

type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'dayPeriod';

/** One way a locale writes a date: a pattern of the whole text, and the field each of its groups captures. */
interface Layout {
  pattern: RegExp;
  fields: Field[];
}

/** How a locale writes dates, as read from Intl. */
interface LocaleWays {
  layouts: Layout[];
  /** The text with the locale's digits (`٢٠٢٦`, `۱۴۰۵`) as ASCII ones. */
  asciiDigits: (text: string) => string;
  /** The locale's words for AM and PM, as `dayPeriodKey` compares them. */
  am: string;
  pm: string;
  /** The Gregorian day a date of the locale's calendar is, when that is not the Gregorian (th: Buddhist, fa: Persian). */
  toGregorian: ((year: number, month: number, day: number) => [number, number, number] | null) | null;
}

/** Marks that set a text's direction (ar, fa, he write them between a date's fields, and around a number's sign): not part of what it says. */
const BIDI_MARKS = /[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;

/** `text` without the marks that set its direction. */
export const withoutDirectionMarks = (text: string) => text.replace(BIDI_MARKS, '');

/** An afternoon instant, and a morning one, that sample the locale's way of writing (their values do not matter, only which part is which). */
const AFTERNOON = Date.UTC(2025, 11, 31, 13, 45);
const MORNING = Date.UTC(2025, 11, 31, 1, 45);

/**
 * The date and time options the locale's ways are sampled with: day and month with two digits
 * (as CRMs write them) and without (lv and sr write other text between them then), a time in 24
 * and in 12 hours (a CRM user may choose either), and a date alone.
 */
const SAMPLED_OPTIONS: Intl.DateTimeFormatOptions[] = (['2-digit', 'numeric'] as const).flatMap((digits) => {
  const date = { year: 'numeric', month: digits, day: digits } as const;
  return [{ ...date, hour: '2-digit', minute: '2-digit', hour12: false }, { ...date, hour: '2-digit', minute: '2-digit', hour12: true }, date];
});

/** `am`, `p.m.`, `P M`: AM and PM as English writes them, read in every locale (a CRM may write them in place of the locale's words). */
const ENGLISH_DAY_PERIOD = '[ap]\\.?\\s*m\\.?';

const escaped = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** A day period as compared: `p. m.`, `P.M.` and `pm` are one. */
const dayPeriodKey = (text: string) => text.replace(/[\s.]/g, '').toLowerCase();

/** The pattern of text Intl writes between fields: any space may be missing or doubled; a comma alone (`, `) may be a space. */
function literalPattern(text: string): string {
  const bare = withoutDirectionMarks(text);
  if (bare === '') return '';
  if (/^[\s,،]+$/.test(bare)) return '(?:\\s*[,،]\\s*|\\s+)';
  return bare.split(/(\s+)/).map((piece) => (/^\s+$/.test(piece) ? '\\s*' : escaped(piece))).join('');
}

/** The layout of a text `formatToParts` cut up; `dayPeriod` is the pattern of the locale's words for AM and PM. */
function layoutOf(parts: Intl.DateTimeFormatPart[], dayPeriod: string): Layout {
  const fields: Field[] = [];
  let source = '';
  for (const { type, value } of parts) {
    if (type === 'year' || type === 'month' || type === 'day' || type === 'hour' || type === 'minute' || type === 'dayPeriod') {
      fields.push(type);
      source += type === 'year' ? '(\\d{4})' : type === 'minute' ? '(\\d{2})' : type === 'dayPeriod' ? `(${dayPeriod})` : '(\\d{1,2})';
    } else {
      source += literalPattern(value); // literals, and an era the calendar writes with its years
    }
  }
  return { pattern: new RegExp(`^${source}$`, 'iu'), fields };
}

/**
 * The text with the digits of `numberingSystem` (`٢٠٢٦` in `arab`, `۱۴۰۵` in `arabext`, `২০২৬` in
 * `beng`), as Intl writes them in `locale`, as ASCII digits; none to change for `latn`. A page's
 * dates are read so here, its numbers in page-values.ts.
 */
export function asciiDigitsReader(locale: string, numberingSystem: string): (text: string) => string {
  if (numberingSystem === 'latn') return (text) => text;
  const format = new Intl.NumberFormat(locale, { numberingSystem, useGrouping: false });
  const ascii = new Map(Array.from({ length: 10 }, (_, digit) => [format.format(digit), String(digit)]));
  return (text) => Array.from(text, (char) => ascii.get(char) ?? char).join('');
}

const MS_PER_DAY = 86_400_000;
const FIRST_DAY = Date.UTC(YEAR_MIN, 0, 1) / MS_PER_DAY;
const LAST_DAY = Date.UTC(YEAR_MAX, 11, 31) / MS_PER_DAY;

/**
 * The Gregorian day of a date in `calendar` (`buddhist`, `persian`, `islamic-umalqura`), found
 * with Intl, which only writes a calendar's dates: the first day of its month by a binary search
 * over the days lead dates can have (kept per month, as a page's dates fall in a few), then the
 * day within it. Null when the date is no day of those (a 31st of a 30-day month).
 */
function calendarToGregorian(calendar: string): NonNullable<LocaleWays['toGregorian']> {
  const format = new Intl.DateTimeFormat('en', { calendar, numberingSystem: 'latn', timeZone: 'UTC', year: 'numeric', month: 'numeric', day: 'numeric' });
  const dateOn = (dayNumber: number) => {
    const parts = format.formatToParts(dayNumber * MS_PER_DAY);
    const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
    return { year: part('year'), month: part('month'), day: part('day') };
  };
  const sortKey = ({ year, month, day }: { year: number; month: number; day: number }) => (year * 100 + month) * 100 + day;
  const monthStarts = new Map<number, number | null>();
  const monthStart = (year: number, month: number): number | null => {
    const key = year * 100 + month;
    if (!monthStarts.has(key)) {
      const first = sortKey({ year, month, day: 1 });
      let [low, high] = [FIRST_DAY, LAST_DAY];
      while (low < high) {
        const middle = Math.floor((low + high) / 2);
        if (sortKey(dateOn(middle)) < first) low = middle + 1;
        else high = middle;
      }
      const found = dateOn(low);
      monthStarts.set(key, found.year === year && found.month === month ? low : null);
    }
    return monthStarts.get(key) ?? null;
  };
  return (year, month, day) => {
    const start = monthStart(year, month);
    if (start === null || day < 1) return null;
    const dayNumber = start + day - 1;
    if (dateOn(dayNumber).day !== day) return null;
    const gregorian = new Date(dayNumber * MS_PER_DAY);
    return [gregorian.getUTCFullYear(), gregorian.getUTCMonth() + 1, gregorian.getUTCDate()];
  };
}

/** The ways of a locale Intl knows, from its own output; null when Intl refuses the tag. */
function waysOf(locale: string): LocaleWays | null {
  try {
    const format = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options });
    const twelveHours = format({ hour: '2-digit', minute: '2-digit', hour12: true });
    const dayPeriodAt = (instant: number) => withoutDirectionMarks(twelveHours.formatToParts(instant).find((part) => part.type === 'dayPeriod')?.value ?? '');
    const [am, pm] = [dayPeriodAt(MORNING), dayPeriodAt(AFTERNOON)];
    const localDayPeriods = [am, pm].filter((word) => word !== '').map((word) => word.trim().split(/\s+/).map(escaped).join('\\s*'));
    const dayPeriod = [...localDayPeriods, ENGLISH_DAY_PERIOD].join('|');
    const layouts = new Map<string, Layout>();
    for (const options of SAMPLED_OPTIONS) {
      const layout = layoutOf(format(options).formatToParts(AFTERNOON), dayPeriod);
      layouts.set(layout.pattern.source, layout);
    }
    const { calendar, numberingSystem } = format({}).resolvedOptions();
    return {
      layouts: [...layouts.values()],
      asciiDigits: asciiDigitsReader(locale, numberingSystem),
      am: dayPeriodKey(am),
      pm: dayPeriodKey(pm),
      toGregorian: calendar === 'gregory' || calendar === 'iso8601' ? null : calendarToGregorian(calendar),
    };
  } catch {
    return null; // a RangeError: no locale Intl knows
  }
}

const localeWays = new Map<string, LocaleWays | null>();

/** The wall clock of the fields one layout read; null when they are no date (31 February, 13 PM). */
function wallClockOf(read: Partial<Record<Field, string>>, ways: LocaleWays): WallClockDate | null {
  const [year, month, day, minute] = [Number(read.year), Number(read.month), Number(read.day), Number(read.minute ?? 0)];
  let hour = Number(read.hour ?? 0);
  if (read.dayPeriod !== undefined) {
    if (hour > 12) return null;
    const period = dayPeriodKey(read.dayPeriod);
    const afternoon = period === ways.pm || (period !== ways.am && period === 'pm');
    hour = (hour % 12) + (afternoon ? 12 : 0); // 12 AM is midnight; a locale that counts 0–11 writes 0 PM for noon
  }
  let wallClock = validUtc(year, month, day, hour, minute, 0);
  // A year no lead has in the Gregorian calendar is the locale's own (2569 in Buddhist years is 2026); the Gregorian one (th-TH-u-ca-gregory) reads as written.
  const gregorian = Number.isNaN(wallClock) && ways.toGregorian ? ways.toGregorian(year, month, day) : null;
  if (gregorian) wallClock = validUtc(...gregorian, hour, minute, 0);
  return Number.isNaN(wallClock) ? null : { wallClock, timeOfDay: read.hour !== undefined };
}

/**
 * A date (with its time) `text` writes as Intl writes one in `locale` (a BCP 47 tag), with day
 * and month in one or two digits and the time in 12 or 24 hours; AM and PM may also be written
 * in English. Null when it writes none, or `locale` is no locale.
 */
export function readLocaleDate(text: string, locale: string): WallClockDate | null {
  if (!localeWays.has(locale)) localeWays.set(locale, waysOf(locale));
  const ways = localeWays.get(locale);
  if (!ways) return null;
  const written = ways.asciiDigits(withoutDirectionMarks(text).trim());
  for (const { pattern, fields } of ways.layouts) {
    const match = pattern.exec(written);
    if (match) return wallClockOf(Object.fromEntries(fields.map((field, i) => [field, match[i + 1]])), ways);
  }
  return null;
}

/** Kept in derive.ts, whose `parseDate` reads it: derive.ts importing this module would make the two import each other. */
export { readMonthNameDate } from './derive';
