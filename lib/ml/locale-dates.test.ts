import { describe, expect, it } from 'vitest';
import { asciiDigitsReader, readLocaleDate, readMonthNameDate, withoutDirectionMarks } from './locale-dates';

/** Locales whose dates a CRM page writes in ways `parseDate` does not read, and some it does. */
const LOCALES = [
  'en-US', 'en-GB', 'de-DE', 'fr-FR', 'nl-NL', 'sv-SE', 'ja-JP', 'zh-CN', 'da-DK', 'fi-FI', 'id-ID', 'cs-CZ', 'sk-SK', 'sl-SI', 'hr-HR', 'sr-RS', 'lv-LV',
  'hu-HU', 'ko-KR', 'en-CA', 'en-ZA', 'zh-TW', 'zh-HK', 'el-GR', 'es-AR', 'es-CL', 'bg-BG', 'fr-CA', 'vi-VN', 'tr-TR', 'uk-UA', 'ms-MY', 'th-TH', 'fa-IR',
  'ar-EG', 'bn-BD', 'mr-IN',
];
const MORNING = Date.UTC(2026, 5, 4, 9, 5); // one digit where a locale may write one
const EVENING = Date.UTC(2026, 10, 23, 21, 58);
const written = (locale: string, instant: number, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', ...options }).format(instant);

describe('readLocaleDate', () => {
  describe.each(LOCALES)('%s', (locale) => {
    it.each([
      ['in 24 hours', { hour12: false }],
      ['in 12 hours', { hour12: true }],
    ])('reads back a date and time Intl writes, %s, with two digits or one', (_, clock) => {
      for (const instant of [MORNING, EVENING]) {
        for (const digits of ['2-digit', 'numeric'] as const) {
          const text = written(locale, instant, { month: digits, day: digits, hour: digits, minute: '2-digit', ...clock });
          expect(readLocaleDate(text, locale), text).toEqual({ wallClock: instant, timeOfDay: true });
        }
      }
    });

    it('reads back a date alone', () => {
      for (const digits of ['2-digit', 'numeric'] as const) {
        const text = written(locale, EVENING, { month: digits, day: digits });
        expect(readLocaleDate(text, locale), text).toEqual({ wallClock: Date.UTC(2026, 10, 23), timeOfDay: false });
      }
    });
  });

  it("reads a locale's own calendar and digits, and the Gregorian years a CRM may write in their place", () => {
    expect(readLocaleDate('23/11/2569 21:58', 'th-TH')).toEqual({ wallClock: EVENING, timeOfDay: true }); // Buddhist years
    expect(readLocaleDate('23/11/2026 21:58', 'th-TH')).toEqual({ wallClock: EVENING, timeOfDay: true });
    expect(readLocaleDate('۱۴۰۵/۰۹/۰۲', 'fa-IR')).toEqual({ wallClock: Date.UTC(2026, 10, 23), timeOfDay: false }); // Persian calendar and digits
    expect(readLocaleDate('1405/12/30', 'fa-IR')).toBeNull(); // 1405 is no leap year
    expect(readLocaleDate('٢٣‏/١١‏/٢٠٢٦، ٩:٥٨ م', 'ar-EG')).toEqual({ wallClock: EVENING, timeOfDay: true });
  });

  it('reads AM and PM written in English, and spaces as a page collapses them', () => {
    expect(readLocaleDate('2026-11-23, 9:58 PM', 'en-CA')).toEqual({ wallClock: EVENING, timeOfDay: true });
    expect(readLocaleDate('23/11/2026, 9:58 pm', 'el-GR')).toEqual({ wallClock: EVENING, timeOfDay: true });
    expect(readLocaleDate('23.11.2026 klo 21.58', 'fi-FI')).toEqual({ wallClock: EVENING, timeOfDay: true });
    expect(readLocaleDate('2026. 11. 23. 21:58', 'hu-HU')).toEqual(readLocaleDate('2026.11.23. 21:58', 'hu-HU'));
    expect(readLocaleDate('12:05 SA 04/06/2026', 'vi-VN')).toEqual({ wallClock: Date.UTC(2026, 5, 4, 0, 5), timeOfDay: true });
  });

  it('reads no date that is none, nor one written the way of another locale or by no locale', () => {
    for (const [text, locale] of [
      ['31. 02. 2026', 'cs-CZ'], // 31 February
      ['2026. 11. 23. 13:58 PM', 'hu-HU'],
      ['23/11/2026 25:58', 'fr-FR'],
      ['0001-01-01', 'sv-SE'],
      ['23.11.2026 klo 21.58', 'ko-KR'],
      ['yesterday', 'en-GB'],
      ['2026-11-23', 'not a locale!'],
    ]) {
      expect(readLocaleDate(text, locale), `${text} in ${locale}`).toBeNull();
    }
  });
});

describe('readMonthNameDate', () => {
  it.each([
    ['Nov 3, 2026', 1793664000000, false], // 2026-11-03T00:00 on the wall clock
    ['November 3, 2026', 1793664000000, false],
    ['nov. 03 2026', 1793664000000, false],
    ['3 Nov 2026', 1793664000000, false],
    ['03 November 2026', 1793664000000, false],
    ['03-Nov-2026', 1793664000000, false], // a spreadsheet's d-mmm-yyyy
    ['Sept 19, 2026', 1789776000000, false], // 2026-09-19T00:00
    ['Nov 3, 2026 9:14 AM', 1793697240000, true], // 2026-11-03T09:14
    ['Nov 3, 2026, 9:14 AM', 1793697240000, true],
    ['November 3, 2026 at 9:14 AM', 1793697240000, true],
    ['3 Nov 2026, 09:14', 1793697240000, true],
    ['3 November 2026 at 09:14:05', 1793697245000, true],
    ['Nov 3, 2026 9:14 p.m.', 1793740440000, true], // 2026-11-03T21:14
    ['Nov 3, 2026 12:00 PM', 1793707200000, true], // noon
    ['Nov 3, 2026 12:00 AM', 1793664000000, true], // midnight
  ] as const)('reads %s', (text, wallClock, timeOfDay) => expect(readMonthNameDate(text)).toEqual({ wallClock, timeOfDay }));

  it.each([
    'Feb 30, 2026', 'Nov 3, 2026 13:05 PM', 'Nov 3, 2026 24:00', 'Nov 3, 26', 'Q3 2024', 'EST 2024 plan', 'Nov 2026', 'Novel 3, 2026', 'Mayo 3, 2026',
    '3 Nov 2026 plan', 'Nov 3, 2026 9:14 AM EST', '1 Jan 0001',
  ])('reads no date in %s', (text) => expect(readMonthNameDate(text)).toBeNull());
});

describe('asciiDigitsReader', () => {
  it("reads a numbering system's digits as ASCII ones, and leaves the rest of the text", () => {
    expect(asciiDigitsReader('ar-EG', 'arab')('١٬٢٣٤٫٥٦٧٨٩٠')).toBe('1٬234٫567890');
    expect(asciiDigitsReader('fa-IR', 'arabext')('۱۴۰۵/۰۹/۰۲')).toBe('1405/09/02');
    expect(asciiDigitsReader('bn-BD', 'beng')('১২,৩৪,৫৬৭')).toBe('12,34,567');
    expect(asciiDigitsReader('mr-IN', 'deva')('१२.५%')).toBe('12.5%');
    expect(asciiDigitsReader('en-US', 'latn')('١٢')).toBe('١٢');
  });
});

describe('withoutDirectionMarks', () => {
  it('drops the marks Intl writes around a number or between the fields of a date', () => {
    expect(withoutDirectionMarks('\u061c-١٢\u200f/\u200e−3\u2067x\u2069')).toBe('-١٢/−3x');
  });
});
