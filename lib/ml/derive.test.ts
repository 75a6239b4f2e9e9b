import { describe, expect, it } from 'vitest';
import {
  commaReading,
  currencyTakenOffNumber,
  dateOrderShown,
  daysBetween,
  daysSince,
  emailDomain,
  emailDomainKind,
  isMissingRaw,
  numericDate,
  numericDateIso,
  numericDateMs,
  parseBoolean,
  parseDate,
  parseNumber,
  titleSeniority,
  trailingZone,
  urlCategory,
  writesTwoDigitYear,
} from './derive';

describe('parseNumber', () => {
  it.each([
    ['$1,200,000', 1200000],
    ['1,200', 1200],
    ['1200', 1200],
    [' 3.5 ', 3.5],
    ['€ 3,5', 3.5],
    ['25-50', 25],
    ['25 - 50', 25],
    ['1000+', 1000],
    ['5,001-10,000', 5001],
    ['12 days', 12],
    ['12%', 12],
    ['(500)', -500],
    ['-7', -7],
    ['1e3', 1000],
    ['2.5k', 2500],
    [42, 42],
    [true, 1],
  ] as const)('%s → %s', (raw, want) => {
    expect(parseNumber(raw)).toBe(want);
  });
  it.each(['', '--', 'Select', 'N/A', 'abc', '1.2.3', '12 34 56 x', null, undefined, NaN, Infinity])('%s → NaN', (raw) => {
    expect(parseNumber(raw as never)).toBeNaN();
  });
  it('honours extra missing values', () => {
    expect(parseNumber('999', ['999'])).toBeNaN();
  });
  // Swiss apostrophes (Salesforce's de_CH format), Indian lakh grouping, and size words: read as
  // missing or as units, a revenue column lost its Swiss and Indian leads or ranked $5MM as $5.
  it.each([
    ["$1'200'000", 1200000],
    ['CHF 1’200’000.50', 1200000.5],
    ['$12,00,000', 1200000],
    ['₹1,23,45,678.50', 12345678.5],
    ['$5MM', 5e6],
    ['2bn', 2e9],
    ['$1.2 million', 1.2e6],
    ['1,5 Mio.', 1.5e6],
    ['10 thousand', 1e4],
    ['3 Mrd', 3e9],
  ] as const)('%s → %s', (raw, want) => {
    expect(parseNumber(raw)).toBeCloseTo(want, 6);
  });
  it('reads lakh grouping in a column written with a decimal point', () => {
    expect(parseNumber('12,00,000', [], 'dot-decimal')).toBe(1200000);
    expect(parseNumber('12,00,000', [], 'comma-decimal')).toBeNaN();
  });
  // A sign before the currency, as spreadsheets write a negative amount, and the Unicode minus sign (U+2212).
  it.each([
    ['-$1,200.00', -1200],
    ['-$1,200', -1200],
    ['-€500', -500],
    ['+$40', 40],
    ['-USD 5', -5],
    ['−1,200', -1200],
    ['$−1,200', -1200],
    ['−3.5%', -3.5],
  ] as const)('%s → %s (signed amounts)', (raw, want) => {
    expect(parseNumber(raw)).toBe(want);
  });
  it.each([
    ['-€1.234,5', -1234.5],
    ['−2.713.067', -2713067],
  ] as const)('%s with decimal commas → %s', (raw, want) => expect(parseNumber(raw, [], 'comma-decimal')).toBe(want));
});

describe('parseNumber: what follows the number', () => {
  // A currency after the size word was read as the unit of a number a million times too small: "1.2M USD" as 1.2.
  it.each([
    ['1.2M USD', 1.2e6],
    ['1.2 M USD', 1.2e6],
    ['5 million USD', 5e6],
    ['5M EUR', 5e6],
    ['10K USD', 1e4],
    ['2 bn USD', 2e9],
    ['5 MUSD', 5e6],
    ['500 kEUR', 5e5],
    ['5 Mio. EUR', 5e6],
    ['10 thousand dollars', 1e4],
    ['1,5 mio. kr.', 1.5e6],
    ['5M US$', 5e6],
    ['5 cr$', 5e7],
  ] as const)('%s → %s (a currency after the size word)', (raw, want) => expect(parseNumber(raw)).toBeCloseTo(want, 6));

  it.each([
    ['5 crore', 5e7],
    ['₹5 Cr', 5e7],
    ['3 lakh', 3e5],
    ['2.5 lacs', 2.5e5],
    ['1.2T', 1.2e12],
    ['$1.2 trillion', 1.2e12],
    ['3 tn', 3e12],
    ['5 mill.', 5e6],
    ['4 mln', 4e6],
    ['2 mld', 2e9],
  ] as const)('%s → %s (more size words)', (raw, want) => expect(parseNumber(raw)).toBeCloseTo(want, 6));

  // Units and currencies it read before, read the same.
  it.each([
    ['12 days', 12],
    ['40 hrs', 40],
    ['3 weeks', 3],
    ['250 employees', 250],
    ['1 200 kr', 1200],
    ['100 PLN', 100],
    ['100 R', 100],
    ['2,5 lei', 2.5],
    ['25,000,000.00 SEK', 25e6],
    ['-2,713,067.50 US$', -2713067.5],
    ['5 USD.', 5],
  ] as const)('%s → %s (a unit or a currency)', (raw, want) => expect(parseNumber(raw)).toBe(want));

  // A time of day is no count, and "mil" is a million in English but a thousand in Spanish and Portuguese: no number.
  it.each(['5 mil', '$5 mil', 'R$ 5 mil', '3 pm', '10 a.m.'])('%s → NaN', (raw) => expect(parseNumber(raw)).toBeNaN());
  // Any other word of plain letters is a unit or a label, read as the number (as before): counts and units in any language,
  // a currency code after the amount; 300 TTL is no 300 trillion lira.
  it.each([
    ['30 Mitarbeiter', 30],
    ['12 Tage', 12],
    ['200 contacts', 200],
    ['4 calls', 4],
    ['5 widgets', 5],
    ['10 TOP', 10],
    ['300 TTL', 300],
    ['1,200.00 TRY', 1200],
    ['1 200 MAD', 1200],
  ] as const)('%s → %s, its word a unit or a label', (raw, want) => expect(parseNumber(raw)).toBe(want));

  // Two spaces between digits each stood next to a space, and both went: "25  50" read as 2550, where "25 50" reads as no number.
  it.each(['25  50', '3\t\t4', '5\u00a0\u00a010', '12  34', '1   1'])('%j → NaN, as with one space', (raw) => expect(parseNumber(raw)).toBeNaN());
  it.each([
    ['100  200', 100200],
    ['50  000', 50000],
    ['$ 5  000', 5000],
    ['10  -  20', 10],
  ] as const)('%j → %s, as with one space', (raw, want) => expect(parseNumber(raw)).toBe(want));
});

describe('commaReading (the per-value comma rule of parseNumber)', () => {
  it.each([
    ['1,234', 'thousands', 1234],
    ['7,125', 'thousands', 7125],
    ['-1,234,567.5', 'thousands', -1234567.5],
    ['5,75', 'decimal', 5.75],
    ['1234,5', 'decimal', 1234.5],
  ] as const)('%s → %s (%s)', (digits, reading, value) => {
    expect(commaReading(digits)).toBe(reading);
    expect(parseNumber(digits)).toBe(value);
  });
  it.each(['1234', '1,2,3', '1,234,5', '1.5,3'])('%s → null', (digits) => expect(commaReading(digits)).toBeNull());
});

describe('parseNumber in a column\'s format (number-format.ts)', () => {
  it.each([
    ['2.713.067', 'comma-decimal', 2713067],
    ['1.234,56', 'comma-decimal', 1234.56],
    ['0,125', 'comma-decimal', 0.125],
    ['1,234', 'comma-decimal', 1.234],
    ['€ 1.234,5', 'comma-decimal', 1234.5],
    ['1.000-5.000', 'comma-decimal', 1000],
    ['1,234', 'dot-decimal', 1234],
    ['1,234.5', 'dot-decimal', 1234.5],
    ['.5', 'dot-decimal', 0.5],
    ['1e3', 'comma-decimal', 1000],
  ] as const)('%s in %s → %s', (raw, format, want) => expect(parseNumber(raw, [], format)).toBe(want));
  // A thousands group never follows a leading 0; a number has one decimal separator, and its thousands groups have 3 digits.
  it.each([
    ['1.5', 'comma-decimal'],
    ['1,234.5', 'comma-decimal'],
    ['0.125.000', 'comma-decimal'],
    ['0,125', 'dot-decimal'],
    ['2.713.067', 'dot-decimal'],
    ['12.34.56', 'comma-decimal'],
  ] as const)('%s in %s → NaN', (raw, format) => expect(parseNumber(raw, [], format)).toBeNaN());
});

describe('currencyTakenOffNumber: the currency parseNumber reads past, which a column of amounts in several is told by (number-format.ts)', () => {
  it.each([
    ['JPY 74,693,100.00', 'JPY', 74693100],
    ['USD 38977', 'USD', 38977],
    ['-usd 5', 'usd', -5],
    ['(EUR 1,200.00)', 'EUR', -1200],
    ['$5MM', '$', 5e6],
    ['€ 3,5', '€', 3.5],
    ['1.234,56 €', '€', NaN], // read in its column's format (comma-decimal), not alone
    ['5 US$', 'US$', 5],
    ['1.2M USD', 'usd', 1.2e6],
    ['5 MUSD', 'usd', 5e6],
    ['1 200 kr', 'kr', 1200],
    ['10 thousand dollars', 'dollars', 1e4],
  ])('%s: %s', (text, currency, value) => {
    expect(currencyTakenOffNumber(text)).toBe(currency);
    expect(parseNumber(text)).toBe(value);
  });

  it.each(['1,200', '12%', '12 days', '30 Mitarbeiter', '2.5k', '25-50', '3 pm', 'zł 1 200', '', null, 1200])('%j: none', (raw) => expect(currencyTakenOffNumber(raw)).toBeNull());
});

describe('parseBoolean', () => {
  it.each([
    ['true', 1], ['false', 0], ['Yes', 1], ['No', 0], ['1', 1], ['0', 0], [true, 1], [false, 0], [1, 1], [0, 0], ['checked', 1],
  ] as const)('%s → %s', (raw, want) => expect(parseBoolean(raw)).toBe(want));
  it.each(['maybe', '', 'Select', null, 2])('%s → NaN', (raw) => expect(parseBoolean(raw as never)).toBeNaN());
  // A German, French or Spanish Excel saves TRUE/FALSE in its own words; pandas writes a number column's 1 as 1.0.
  // Read as missing, an opted-out lead's "Opted out of e-mail" was "not known", and its plan suggested e-mails.
  it.each([
    ['WAHR', 1], ['FALSCH', 0], ['VRAI', 1], ['FAUX', 0], ['VERDADERO', 1], ['FALSO', 0], ['Ja', 1], ['Nein', 0], ['oui', 1], ['non', 0],
    ['sí', 1], ['Sì', 1], ['Nei', 0], ['N\u00e3o', 0], ['Na\u0303o', 0], ['1.0', 1], ['0.0', 0], ['1,0', 1], ['0,00', 0],
  ] as const)('%s → %s (another language, a number column)', (raw, want) => expect(parseBoolean(raw)).toBe(want));
  it.each(['1.5', '10', '0.01', '2,0'])('%s → NaN (a number, not yes or no)', (raw) => expect(parseBoolean(raw)).toBeNaN());
});

describe('numeric dates in either order', () => {
  it('reads the parts, with a time in 24 or 12 hours', () => {
    expect(numericDate('31/12/2025')).toEqual({ pair: [31, 12], year: 2025, separator: '/', time: null });
    expect(numericDate('1-2-2025, 9:05 PM')).toEqual({ pair: [1, 2], year: 2025, separator: '-', time: [21, 5, 0] });
    expect(numericDate('01.02.2025 00:00:07')).toEqual({ pair: [1, 2], year: 2025, separator: '.', time: [0, 0, 7] });
    for (const text of ['2025-12-31', '31/12-2025', '31/12/25', '1/2/2025 13:00 PM']) expect(numericDate(text)).toBeNull();
  });

  it('writes a date read in a given order as ISO text that parseDate reads the same', () => {
    const date = numericDate('03/04/2025')!;
    expect(numericDateIso(date, 'day-first')).toBe('2025-04-03');
    expect(numericDateIso(date, 'month-first')).toBe('2025-03-04');
    const withTime = numericDate('31-12-2025 2:30 PM')!;
    expect(numericDateIso(withTime, 'day-first')).toBe('2025-12-31T14:30:00');
    expect(parseDate(numericDateIso(withTime, 'day-first'))).toBe(numericDateMs(withTime, 'day-first'));
    expect(numericDateIso(withTime, 'month-first')).toBeNull();
    expect(numericDateMs(numericDate('31/04/2025')!, 'day-first')).toBeNaN();
  });
});

describe('parseDate', () => {
  it.each([
    ['2026-03-01', Date.UTC(2026, 2, 1)],
    ['2026-03-01T10:30:00Z', Date.UTC(2026, 2, 1, 10, 30)],
    ['2026-03-01T10:30:00.000+02:00', Date.UTC(2026, 2, 1, 8, 30)],
    ['2026-03-01 10:30', Date.UTC(2026, 2, 1, 10, 30)],
    ['3/1/2026', Date.UTC(2026, 2, 1)],
    ['3/1/2026, 2:05 PM', Date.UTC(2026, 2, 1, 14, 5)],
    ['03/01/2026 12:05 AM', Date.UTC(2026, 2, 1, 0, 5)],
    ['12/31/2025 12:00 pm', Date.UTC(2025, 11, 31, 12, 0)],
    [String(Date.UTC(2026, 2, 1)), Date.UTC(2026, 2, 1)],
    [Date.UTC(2026, 2, 1), Date.UTC(2026, 2, 1)],
  ] as const)('%s', (raw, want) => expect(parseDate(raw)).toBe(want));
  it.each([
    '2/31/2026', 'yesterday', '13/1/2026', '', 'Select', 5, '2026-13-01', '31-12-2025', '12-31-2025', '12.31.2025', '3/1/2026 13:05 PM',
    // A zone does not let an impossible date through (Date.parse rolls 31 February into March), nor 24:00.
    '2026-02-31T10:00:00Z', '2026-03-01T24:00:00+01:00',
    // Placeholders, not dates: tens of thousands of days since, or millions until.
    '0001-01-01', '0001-01-01T00:00:00Z', '1/1/0001', '9999-12-31', '9999-12-31T23:59:59Z',
  ])(
    '%s → NaN',
    (raw) => expect(parseDate(raw as never)).toBeNaN(),
  );
  // Dots are written day-first only, so even 03.04.2025 reads one way.
  it.each([
    ['31.12.2025', Date.UTC(2025, 11, 31)],
    ['3.4.2025', Date.UTC(2025, 3, 3)],
    ['03.04.2025', Date.UTC(2025, 3, 3)],
    ['31.12.2025 14:30', Date.UTC(2025, 11, 31, 14, 30)],
  ] as const)('%s (day-first with dots)', (raw, want) => expect(parseDate(raw)).toBe(want));
  it('days between', () => {
    expect(daysBetween(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 13, 5))).toBe(12);
    expect(daysBetween(NaN, 0)).toBeNaN();
  });
});

describe('parseDate: an ISO date-time with a space before its zone, or an offset in hours alone (databases\' exports)', () => {
  it.each([
    ['2026-12-05 14:30:00.000 +0000', 1796481000000], // Snowflake's default: 2026-12-05T14:30Z
    ['2026-12-05 14:30:00+00', 1796481000000], // Postgres
    ['2026-12-05 14:30:00 +0100', 1796477400000], // Ruby: 2026-12-05T13:30Z
    ['2026-12-05T14:30:00+00', 1796481000000],
    ['2026/12/05 14:30:00+01:00', 1796477400000],
    ['2026-12-5 9:30:00+0000', 1796463000000], // 2026-12-05T09:30Z
    ['2026-12-05 14:30:00.000 Z', 1796481000000],
    ['2026-12-05 14:30 -05', 1796499000000], // 2026-12-05T19:30Z
    ['2026-12-05 09:30 -05:30', 1796482800000], // 2026-12-05T15:00Z
    ['12/05/2026 14:30 +00', 1796481000000], // a numeric date's zone too
    // Read to the millisecond, as before: Salesforce's and HubSpot's own forms.
    ['2026-12-05T14:30:00.123+0000', 1796481000123],
    ['2026-12-05T14:30:00.5Z', 1796481000500],
  ] as const)('%s', (raw, want) => expect(parseDate(raw)).toBe(want));

  it.each(['2026-12-05 14:30:00 +2400', '2026-12-05 14:30:00 +0160', '2026-02-31 14:30:00 +0000', '2026-12-05 24:00:00 +00', '2026-12-05 14:30:00 +1'])(
    '%s → NaN',
    (raw) => expect(parseDate(raw)).toBeNaN(),
  );

  it('reads an offset in hours alone after a time', () => {
    expect(trailingZone('2026-06-11 16:41 +02')).toEqual({ date: '2026-06-11 16:41', offsetMinutes: 120 });
    expect(trailingZone('11/06/2026 16:41-03')).toEqual({ date: '11/06/2026 16:41', offsetMinutes: -180 });
  });
});

describe('parseDate: dates a spreadsheet writes, the month in words (Excel\'s, a CRM report\'s)', () => {
  it.each([
    ['Dec 19, 2025', Date.UTC(2025, 11, 19)],
    ['Oct 05 2025', Date.UTC(2025, 9, 5)],
    ['19-Dec-2025', Date.UTC(2025, 11, 19)],
    ['19 December 2025', Date.UTC(2025, 11, 19)],
    ['Nov 3, 2026 9:14 AM', Date.UTC(2026, 10, 3, 9, 14)],
  ] as const)('%s', (raw, want) => expect(parseDate(raw)).toBe(want));

  it('reads them on the rep\'s clock, as a date written in numbers', () => {
    const laMorning = Date.parse('2025-12-20T09:00:00-08:00'); // 5 pm on Dec 20 in UTC
    expect(daysSince('Dec 19, 2025', laMorning, -480)).toBe(daysSince('12/19/2025', laMorning, -480));
    expect(daysSince('Dec 19, 2025 6:00 PM', laMorning, -480)).toBe(daysSince('12/19/2025 6:00 PM', laMorning, -480));
  });

  it('reads no two-digit year, whose century is a guess, and tells such a date from other text', () => {
    const twoDigitYears = ['12/19/25', '1/5/25 9:14 AM', '19.12.25', '19-12-25', '19-Dec-25', 'Dec 19, 25', '19 Dec 25'];
    for (const date of twoDigitYears) expect(parseDate(date), date).toBeNaN();
    expect(twoDigitYears.filter(writesTwoDigitYear)).toEqual(twoDigitYears);
    expect(['12/19/2025', 'Dec 19, 2025', '3.11.10', 'Q3 25', '12/19', 'Dec-25', '2025-12-19'].filter(writesTwoDigitYear)).toEqual([]);
  });
});

describe('daysSince: a date alone in calendar days on the rep\'s clock, a date with a time in 24 hours elapsed', () => {
  // 8 pm on Dec 1 in Los Angeles (UTC−8) is 4 am on Dec 2 in UTC; 9 am on Dec 2 in Auckland (UTC+13) is 8 pm on Dec 1 in UTC.
  const laEvening = Date.parse('2026-12-01T20:00:00-08:00');
  const aucklandMorning = Date.parse('2026-12-02T09:00:00+13:00');

  it('counts a date alone to the date the rep\'s clock shows: set today, it is 0 days ago all day', () => {
    expect(daysSince('2026-12-01', laEvening, -480)).toBe(0);
    expect(daysSince('2026-11-30', laEvening, -480)).toBe(1);
    expect(daysSince('2026-12-02', aucklandMorning, 780)).toBe(0);
    expect(daysSince('2026-12-01', aucklandMorning, 780)).toBe(1);
    // The same moments on UTC's clock, whose date is another.
    expect(daysSince('2026-12-01', laEvening, 0)).toBe(1);
    expect(daysSince('2026-12-02', aucklandMorning, 0)).toBe(-1);
  });

  it.each(['2026-12-01', '2026/12/01', '2026/12/1', '12/1/2026', '01.12.2026', ' 2026-12-01 '])('reads %j as a date alone', (date) => {
    expect(daysSince(date, laEvening, -480)).toBe(0);
  });

  it('counts a date-time without a zone (a file\'s) on the rep\'s clock, as training on its file counted it: whole 24 hours to the time it shows', () => {
    // laEvening shows 8 pm on Dec 1 in Los Angeles: 3 am that day is 17 hours before, 7 pm on Nov 30 is 25.
    expect(daysSince('2026-12-01 03:00', laEvening, -480)).toBe(0);
    expect(daysSince('12/1/2026 3:00 AM', laEvening, -480)).toBe(0);
    expect(daysSince('2026-11-30T19:00:00', laEvening, -480)).toBe(1);
    expect(daysSince('01.12.2026 03:00', laEvening, -480)).toBe(0);
    // Auckland's 9 am on Dec 2: 10 pm on Dec 1 is 11 hours before, on UTC's clock 2 hours ahead.
    expect(daysSince('2026-12-01 22:00', aucklandMorning, 780)).toBe(0);
    expect(daysSince('2026-12-01 22:00', aucklandMorning, 0)).toBe(-1);
  });

  it.each([-480, 0, 780])('counts a date with a time, or epoch milliseconds, in whole 24 hours elapsed, whatever the clock (%i)', (offset) => {
    // 11 pm on Nov 30 in Los Angeles is the day before on the calendar, yet 21 hours before laEvening.
    expect(daysSince('2026-11-30T23:00:00-08:00', laEvening, offset)).toBe(0);
    expect(daysSince('2026-12-01T07:00:00Z', laEvening, offset)).toBe(0);
    expect(daysSince('11/30/2026 7:00 PM PST', laEvening, offset)).toBe(1);
    expect(daysSince(Date.parse('2026-11-30T19:00:00-08:00'), laEvening, offset)).toBe(1);
    expect(daysSince(String(Date.parse('2026-11-29T19:00:00-08:00')), laEvening, offset)).toBe(2);
  });

  it('is NaN for what is no date, or a placeholder', () => {
    expect(daysSince('soon', laEvening, 0)).toBeNaN();
    expect(daysSince('n/a', laEvening, 0)).toBeNaN();
    expect(daysSince('pending', laEvening, 0, ['pending'])).toBeNaN();
    expect(daysSince(undefined, laEvening, 0)).toBeNaN();
  });
});

describe('parseDate: a zone after the time (HubSpot shows times in its user\'s zone, named after them)', () => {
  it.each([
    ['11/03/2026 9:14 AM EST', 1793715240000], // 2026-11-03T14:14Z
    ['11/03/2026 9:00AM GMT+9', 1793664000000], // 2026-11-03T00:00Z
    ['11/03/2026 9:14 AM GMT+1', 1793693640000], // 2026-11-03T08:14Z
    ['7/1/2026, 5:00 PM PDT', 1782950400000], // 2026-07-02T00:00Z
    ['2026-11-03 09:14 CST', 1793718840000], // 2026-11-03T15:14Z
    ['03.11.2026 09:14 UTC\u22125:30', 1793717040000], // 2026-11-03T14:44Z, with a minus sign
    ['03.11.2026 09:14 GMT -5', 1793715240000], // 2026-11-03T14:14Z
    ['11/03/2026 9:14 AM GMT', 1793697240000], // 2026-11-03T09:14Z
    ['11/03/2026 9:14 AM UTC', 1793697240000],
    ['11/03/2026 09:14Z', 1793697240000],
    ['11/03/2026 09:14 -07:00', 1793722440000], // 2026-11-03T16:14Z
    ['11/03/2026 09:14:05+0000', 1793697245000],
  ] as const)('%s', (raw, want) => expect(parseDate(raw)).toBe(want));

  it.each([
    '03.11.2026 09:14 MEZ', // a name of no known offset: page-values.ts reads it in the page's zone
    '11/03/2026 EST', // a zone names no instant without a time
    '2026-03-01T10:30Z EST', // nor after a zone
    '11/03/2026 9:14 AM GMT+15',
    '31-12-2025 09:14 EST', // dashes tell no order
    '2/31/2026 9:14 AM EST',
    'EST 2024 plan', 'Q3 2024', 'Q3 2024 EST', 'Plan 2024 EST',
    // A date in words with a zone after it: page-values.ts reads it in the page's zone.
    'Nov 3, 2026 9:14 AM EST',
  ])('%s → NaN', (raw) => expect(parseDate(raw)).toBeNaN());

  it('reads the zone after a time, with the text before it', () => {
    expect(trailingZone('11/03/2026 9:14 AM EST')).toEqual({ date: '11/03/2026 9:14 AM', offsetMinutes: -300 });
    expect(trailingZone('11/03/2026 9:14 AM PDT')).toEqual({ date: '11/03/2026 9:14 AM', offsetMinutes: -420 });
    expect(trailingZone('2026/06/11 16:41 GMT+5:30')).toEqual({ date: '2026/06/11 16:41', offsetMinutes: 330 });
    expect(trailingZone('11.06.2026 klo 16.41 UTC+5.30')).toEqual({ date: '11.06.2026 klo 16.41', offsetMinutes: 330 });
    expect(trailingZone('11/06/2026 16:41 GMT-3:30')).toEqual({ date: '11/06/2026 16:41', offsetMinutes: -210 });
    expect(trailingZone('2026-06-11 16:41+02:00')).toEqual({ date: '2026-06-11 16:41', offsetMinutes: 120 });
    expect(trailingZone('03.11.2026 09:14 MEZ')).toEqual({ date: '03.11.2026 09:14', offsetMinutes: null });
    expect(trailingZone('03. 11. 2026 9:14 SEČ')).toEqual({ date: '03. 11. 2026 9:14', offsetMinutes: null });
    for (const text of ['11/03/2026 9:14 AM', '11/03/2026 9:14 PM', '11/03/2026 9:14', 'EST 2024 plan', 'Q3 2024', '11/03/2026 9:14 est', '11/03/2026 9:14 GMT+15']) {
      expect(trailingZone(text), text).toBeNull();
    }
  });

  it('reads the order a numeric date shows with a zone after its time', () => {
    expect(dateOrderShown('15/03/2026 9:14 AM GMT+1')).toBe('day-first');
    expect(dateOrderShown('03/15/2026 9:14 AM EST')).toBe('month-first');
    expect(dateOrderShown('03/11/2026 9:14 AM EST')).toBeNull();
  });
});

describe('missing placeholders', () => {
  it.each(['', '  ', '--', 'Select', 'select', 'N/A', 'null', null, undefined])('%s is missing', (raw) =>
    expect(isMissingRaw(raw as never)).toBe(true),
  );
  it.each(['0', 'No', 0, false])('%s is not missing', (raw) => expect(isMissingRaw(raw as never)).toBe(false));
  it.each(['#N/A', '#DIV/0!', '#VALUE!', ' #ref! ', '#NAME?', '#NUM!', '#NULL!'])('a spreadsheet error value, %s, is missing', (raw) => expect(isMissingRaw(raw)).toBe(true));
});

describe('titleSeniority', () => {
  // Anyone filling in a web form writes a title: each "EX" reads the rest of its part, once (2ⁿ reads of 40 "EX"s would never end).
  it('reads a title of many "EX"s at once, and one longer than any CRM keeps without running out of stack', () => {
    expect(titleSeniority('EX '.repeat(40).trim())).toBeNull();
    expect(titleSeniority(`${'EX '.repeat(40)}CEO`)).toBe('c-level');
    expect(titleSeniority('EX '.repeat(5000))).toBeNull();
  });

  it.each([
    ['CEO', 'c-level'],
    ['Chief Revenue Officer', 'c-level'],
    ['Co-Founder & CTO', 'c-level'],
    ['VP Sales', 'vp'],
    ['Senior Vice President, Marketing', 'vp'],
    ['Head of Growth', 'vp'],
    ['Director of IT', 'director'],
    ['Sales Manager', 'manager'],
    ['Team Lead', 'manager'],
    ['Software Engineer', 'individual'],
    ['Account Executive', 'individual'],
    ['Student', 'student'],
    ['Marketing Intern', 'student'],
    ['Freelancer', 'other'],
  ] as const)('%s → %s', (t, want) => expect(titleSeniority(t)).toBe(want));
  it('missing → null', () => {
    expect(titleSeniority(null)).toBeNull();
    expect(titleSeniority('  ')).toBeNull();
    expect(titleSeniority('\u202E')).toBeNull(); // no letters: nothing written
  });
  // `other` is the level of those out of work (the bundled model scores it below a missing title): a CEO in words no rule knows is not one of them.
  it.each(['Ninja', '代表取締役社長', '总经理', 'Генеральный директор', 'Prezes Zarządu', 'Toimitusjohtaja'])('a title no rule reads, %s, is not known, as a missing one', (t) =>
    expect(titleSeniority(t)).toBeNull(),
  );

  it.each([
    // owner: of a business, not of a product or a process
    ['Owner', 'c-level'],
    ['Co-Owner', 'c-level'],
    ['Business Owner', 'c-level'],
    ['Small Business Owner', 'c-level'],
    ['Franchise Owner', 'c-level'],
    ['Owner & CEO', 'c-level'],
    ['Owner/Operator', 'c-level'],
    ['Owner, Smith Plumbing', 'c-level'],
    ['Product Owner', 'individual'],
    ['Senior Product Owner', 'individual'],
    ['Technical Product Owner', 'individual'],
    ['Process Owner', 'individual'],
    ['Business Process Owner', 'individual'],
    // partner: of a firm, alone or with its rank
    ['Partner', 'c-level'],
    ['Managing Partner', 'c-level'],
    ['Senior Partner', 'c-level'],
    ['Partner, Deloitte', 'c-level'],
    ['Partner at Sequoia Capital', 'c-level'],
    ['Partner Account Manager', 'manager'],
    ['Partner Marketing Manager', 'manager'],
    ['HR Business Partner', 'individual'],
    ['Channel Partner Sales Rep', 'individual'],
    ['Director of Partnerships', 'director'],
    // principal: of a firm alone, else the senior rank of an individual contributor
    ['Principal', 'c-level'],
    ['Principal, Acme Architects', 'c-level'],
    ['Principal Engineer', 'individual'],
    ['Principal Software Engineer', 'individual'],
    ['Principal Consultant', 'individual'],
    ['Principal Data Scientist', 'individual'],
    ['Principal Product Manager', 'manager'],
    // chiefs, presidents and founders
    ['C.E.O.', 'c-level'],
    ['Chief Executive Officer', 'c-level'],
    ['Chief Information Security Officer', 'c-level'],
    ['CISO', 'c-level'],
    ['President', 'c-level'],
    ['President & CEO', 'c-level'],
    ['Founder', 'c-level'],
    ['Cofounder', 'c-level'],
    ['Co-founder & VP Product', 'c-level'],
    ['Founding Engineer', 'individual'],
    ['Chairman', 'c-level'],
    ['Executive Chairman', 'c-level'],
    ['Managing Director', 'c-level'],
    ['Executive Director', 'c-level'],
    ['Chief of Staff', 'director'],
    ['Chief of Staff to the CEO', 'director'],
    // naming a superior is not being one
    ['Assistant to the CEO', 'individual'],
    ['Executive Assistant to the CEO', 'individual'],
    ['Executive Assistant', 'individual'],
    ['Assistant to the Regional Manager', 'individual'],
    ['Office of the CEO - Strategy Manager', 'manager'],
    // vice presidents and heads
    ['Vice President', 'vp'],
    ['Vice-President, Sales', 'vp'],
    ['Executive Vice President', 'vp'],
    ['SVP Sales', 'vp'],
    ['Sr. VP Sales', 'vp'],
    ['Sr.VP', 'vp'],
    ['V.P. Marketing', 'vp'],
    ['AVP, Underwriting', 'vp'],
    ['General Manager', 'vp'],
    ['GM, EMEA', 'vp'],
    ['Head of Sales and Marketing', 'vp'],
    ['Head, Sales', 'vp'],
    // directors and managers
    ['Sales Director', 'director'],
    ['Dir. of Marketing', 'director'],
    ['Associate Director', 'director'],
    ['Assistant Director', 'director'],
    ['Customer Success Manager', 'manager'],
    ['International Sales Manager', 'manager'],
    ['Assistant Manager', 'manager'],
    ['Lead Developer', 'manager'],
    ['Marketing Lead', 'manager'],
    ['Supervisor', 'manager'],
    ['Lead Generation Specialist', 'individual'],
    ['Lead Gen Manager', 'manager'],
    // individual contributors
    ['Senior Account Executive', 'individual'],
    ['SDR', 'individual'],
    ['Business Development Representative', 'individual'],
    ['Marketing Coordinator', 'individual'],
    ['Data Scientist', 'individual'],
    ['Internal Auditor', 'individual'],
    // students
    ['MBA Candidate', 'student'],
    ['PhD Student', 'student'],
    ['Co-op Student', 'student'],
    ['Software Engineering Intern', 'student'],
    ['Graduate Trainee', 'student'],
    ['Student Recruitment Manager', 'manager'],
    // the chair of a board, not of a department or committee
    ['Chair', 'c-level'],
    ['Board Chair', 'c-level'],
    ['Chair of the Board', 'c-level'],
    ['Chairperson', 'c-level'],
    ['Executive Assistant to the Chair', 'individual'],
    ['Chair of the Department of Physics', null],
    ['Department Chair', null],
    ['Vice Chair', 'vp'],
    // other: out of work, or working for no company
    ['Freelancer', 'other'],
    ['Freelance', 'other'],
    ['Retired', 'other'],
    ['Self-employed', 'other'],
    ['Volunteer', 'other'],
    ['Unemployed', 'other'],
    ['Currently unemployed', 'other'],
    // a craft wins over the way it is worked
    ['Freelance Designer', 'individual'],
    ['Self-employed Consultant', 'individual'],
    ['Volunteer Coordinator', 'individual'],
  ] as const)('reads the real-world title %s as %s', (t, want) => expect(titleSeniority(t)).toBe(want));
});

describe('titleSeniority: accents, other languages, companies and assistants', () => {
  // The company after "at" or "@" ends at the next separator: a role after it is the lead's.
  it.each([
    ['Engineer at Google, Founder of Acme', 'c-level'],
    ['Advisor at Acme & CEO at Beta', 'c-level'],
    ['Advisor @ Acme, CEO @ Beta', 'c-level'],
    ['Sales at Acme, VP Ops', 'vp'],
    ['Manager at Acme / Director at Beta', 'director'],
    ['Analyst at Acme (Director-level)', 'director'],
    ["SDR at President's Choice", 'individual'],
  ] as const)('reads %s as %s, the company after "at" aside but no role after it', (t, want) => expect(titleSeniority(t)).toBe(want));

  // JS's \b knows ASCII letters only: "Negócio" held the word "cio" (a CIO).
  it.each([
    ['Analista de Negócio', null],
    ['Estagiário de Negócio', null],
    ['Técnico de Edifício', null],
    ['Engineer Écho', 'individual'],
    ['Gerente de Negócio', 'manager'],
  ] as const)('reads %s as %s, with no C-level word inside another', (t, want) => expect(titleSeniority(t)).toBe(want));

  it.each([
    ['Président', 'c-level'],
    ['PRÉSIDENT', 'c-level'],
    ['Presidente', 'c-level'],
    ['Präsident', 'c-level'],
    ['Geschäftsführer', 'c-level'],
    ['Geschäftsführerin', 'c-level'],
    ['Directeur général', 'c-level'],
    ['Director General', 'c-level'],
    ['PDG', 'c-level'],
    ['Co-Fundador', 'c-level'],
    ['Mitgründer', 'c-level'],
    ['Vice-Présidente', 'vp'],
    ['Vicepresidente Comercial', 'vp'],
    ['Vizepräsident', 'vp'],
    ['Gerente General', 'vp'],
    ['Diretor de Vendas', 'director'],
    ['Diretora Comercial', 'director'],
    ['Directeur commercial', 'director'],
    ['Direktor Vertrieb', 'director'],
    ['Gerente de Vendas', 'manager'],
    ['Jefe de Ventas', 'manager'],
    ['Leiter Vertrieb', 'manager'],
    ['ＣＥＯ', 'c-level'],
  ] as const)('reads the non-English title %s as %s', (t, want) => expect(titleSeniority(t)).toBe(want));

  it.each([
    ["Sales Manager at President's Choice", 'manager'],
    ['VP Sales @ CEO.com', 'vp'],
    ['Software Engineer at Founders Fund', 'individual'],
    ['Chief of Staff at Acme', 'director'],
    ['Sales Manager | Founder at Acme', 'c-level'],
  ] as const)('reads no rank from the company after "at" / "@": %s → %s', (t, want) => expect(titleSeniority(t)).toBe(want));

  it.each([
    ['Executive Assistant (CEO)', 'individual'],
    ['CEO Assistant', 'individual'],
    ["Director's Assistant", 'individual'],
    ['Assistant, Office of the President', 'individual'],
    ['Assistente de Diretoria', 'individual'],
    // a rank's deputy is of the rank; a student assistant a student
    ['Assistant Director', 'director'],
    ['Assistant Vice President', 'vp'],
    ['Student Assistant', 'student'],
  ] as const)('reads an assistant of a rank as no holder of it: %s → %s', (t, want) => expect(titleSeniority(t)).toBe(want));
});

describe('titleSeniority: a role held once', () => {
  it.each([
    'CEO (retired)',
    'CEO, Retired',
    'Co-Founder & CEO (Retired)',
    'Retired President',
    'Retired',
    'Retiree',
    'Former VP Sales',
    'Formerly CTO',
    'Sales Manager (former)',
    'Ex-CFO',
    'Ex CFO',
    'Ex - CFO',
    'EX-CEO',
    'Ex-Président', // accents folded
    'Ex-директор',
    'Professor Emeritus',
    'Ehemaliger Geschäftsführer',
    'Director General Jubilado',
    'Diretor Aposentado',
    'Former Assistant to the CEO',
    'Ex-CFO, now Ninja', // the role now is none the rules read
    'President & CEO (Ret.)', // "Ret." as "retired"
    'CEO, ret.',
    'Emeritus Professor',
    'EX CEO', // no team has a CEO: capitals are no employee-experience team before a C-level role
    'Ex Manager', // "Ex" not in capitals is the former-role word
    'Director, now retired', // "now" names the retirement, not a role held now
  ])('reads %s as other, no current role', (t) => expect(titleSeniority(t)).toBe('other'));

  it.each([
    ['Ex-CFO, now Advisor', 'individual'],
    ['Ex-CFO now CEO', 'c-level'],
    ['Former CFO; currently VP Finance', 'vp'],
    ['Retired, now Consultant', 'individual'],
    ['Retired CTO - now Founder', 'c-level'],
    // a part naming a past employer or role leaves the current one
    ['Founder @ Acme | ex-Google', 'c-level'],
    ['CEO at Acme, previously at Google', 'c-level'],
    ['Head of Sales, ex-Salesforce', 'vp'],
    ['Retired Navy Officer, CEO at Acme', 'c-level'],
    ['Board Member, Former CFO', 'individual'],
  ] as const)('reads %s as %s, the role held now', (t, want) => expect(titleSeniority(t)).toBe(want));

  // "ex" is a word at the start of a part: none inside another word, nor the team after a role, nor "ex officio"
  it.each([
    ['Exec VP', 'vp'],
    ['Executive Director', 'c-level'],
    ['Expert Engineer', 'individual'],
    ['Next Gen Sales Manager', 'manager'],
    ['Head of EX', 'vp'],
    ['Ex officio Board Member', 'individual'],
    ['CTO at Ex Libris', 'c-level'],
    ['Performance Marketing Manager', 'manager'],
  ] as const)('reads %s as %s, no former role', (t, want) => expect(titleSeniority(t)).toBe(want));

  // A review's regressions of 802321b: a part made only of a former-role word made every role of the title one held once.
  it.each([
    ['Founder & CEO | Board Member (Retired)', 'c-level'],
    ['CEO, Acme | US Navy (Retired)', 'c-level'],
    ['President & CEO | Army Veteran (Retired)', 'c-level'],
    // a headline's item of the word alone is no word about the roles before it: its last item often names a past affiliation
    ['CEO | Retired', 'c-level'],
    ['VP Sales | Former', 'vp'],
    ['Founder | CEO (Retired)', 'c-level'],
    // "(retired)" after a role ends that role only
    ['CEO (Retired) & Board Member', 'individual'],
    // "previously" names what comes after it: alone at the end it ends no role
    ['CEO, previously', 'c-level'],
  ] as const)('a former-role word ends only the roles of its own item: %s → %s', (t, want) => expect(titleSeniority(t)).toBe(want));

  // "EX" in capitals is the employee-experience team, and a department or company name may hold a former-role word.
  it.each([
    ['Chief People Officer (EX)', 'c-level'],
    ['Senior Manager, Employee Experience (EX)', 'manager'],
    ['Director, EX', 'director'],
    ['EX Manager', 'manager'],
    ['EX Program Manager', 'manager'],
    ['EX Lead', 'manager'],
    ['EX & Culture Manager', 'manager'],
    ['EX Director', 'director'],
    ['Head of EX – Acme', 'vp'],
    ['Retiree Benefits Manager', 'manager'],
    ['Manager, Retiree Relations', 'manager'],
    ['Director of Retiree Services', 'director'],
    ['CEO of Former Labs', 'c-level'],
  ] as const)('reads %s as %s: no former-role word inside a team or company name', (t, want) => expect(titleSeniority(t)).toBe(want));
});

describe('urlCategory', () => {
  it.each([
    ['https://acme.com/pricing', 'pricing'],
    ['https://acme.com/plans?x=1', 'pricing'],
    ['https://acme.com/request-demo', 'demo'],
    ['https://acme.com/contact-us', 'contact'],
    ['https://docs.acme.com/getting-started', 'docs'],
    ['https://acme.com/docs/api', 'docs'],
    ['https://acme.com/blog/why-x', 'blog'],
    ['https://acme.com/careers/engineer', 'careers'],
    ['https://acme.com/features/reporting', 'product'],
    ['https://acme.com/', 'home'],
    ['acme.com', 'home'],
    ['https://acme.com/en-us/', 'home'],
    ['https://acme.com/legal/terms', 'other'],
  ] as const)('%s → %s', (u, want) => expect(urlCategory(u)).toBe(want));

  it.each([
    // everything under a section is that section, whatever its title says
    ['https://acme.com/blog/how-to-start-a-company', 'blog'],
    ['https://acme.com/blog/pricing-strategy', 'blog'],
    ['https://acme.com/blog/2026-state-of-sales-analytics', 'blog'],
    ['https://acme.com/resources/pricing-guide', 'blog'],
    ['https://acme.com/webinars/demo-day', 'blog'],
    ['https://acme.com/pricing/enterprise', 'pricing'],
    ['https://acme.com/demo/thank-you', 'demo'],
    ['https://acme.com/docs/api/authentication', 'docs'],
    ['https://acme.com/careers/senior-data-engineer', 'careers'],
    ['https://acme.com/customers/acme-case-study', 'product'],
    // the first segment that names a category decides: a locale or a landing-page folder is passed over
    ['https://acme.com/en/pricing', 'pricing'],
    ['https://acme.com/en-us/blog/lead-scoring-101', 'blog'],
    ['https://acme.com/company/careers', 'careers'],
    ['https://acme.com/lp/free-trial?utm_source=google', 'demo'],
    // a category word begins or ends a segment
    ['https://acme.com/enterprise-pricing', 'pricing'],
    ['https://acme.com/pricing.html', 'pricing'],
    ['https://acme.com/book-a-demo', 'demo'],
    ['https://acme.com/get-started', 'demo'],
    ['https://acme.com/contact-sales', 'contact'],
    ['https://acme.com/api-docs', 'docs'],
    ['https://acme.com/why-acme', 'product'],
    // words inside an article's name name nothing
    ['https://acme.com/how-to-start-a-company', 'other'],
    ['https://acme.com/sales-tax-guide', 'other'],
    ['https://acme.com/sales', 'other'],
  ] as const)('reads the real-world page %s as %s', (u, want) => expect(urlCategory(u)).toBe(want));
});

describe('urlCategory: text that is no page, and single-page apps', () => {
  it.each(['not a url', 'Pricing page', 'pricing', 'javascript:alert(1)', 'mailto:ann@acme.io', 'tel:+15550100'])('%s → null (no page: missing)', (u) =>
    expect(urlCategory(u)).toBeNull(),
  );
  it.each([
    ['https://acme.com/#/pricing', 'pricing'],
    ['https://acme.com/#!/request-demo', 'demo'],
    ['https://acme.com/app/#/docs/api', 'docs'],
    ['https://acme.com/#/', 'home'],
    ['https://acme.com/index.php', 'home'],
    ['https://acme.com/index.htm', 'home'],
    ['https://acme.com/index.aspx', 'home'],
    ['https://acme.com/index.asp', 'home'],
    ['https://acme.com/default.aspx', 'home'],
    ['www.acme.com', 'home'],
    ['acme.com?utm_source=x', 'home'],
    ['localhost:3000/pricing', 'pricing'],
    ['https://acme.com:8080/pricing', 'pricing'],
    ['https://user@acme.com/pricing', 'pricing'],
    ['/pricing', 'pricing'],
    ['https://acme.com/app#pricing', 'other'], // an anchor on the page, no route
  ] as const)('%s → %s', (u, want) => expect(urlCategory(u)).toBe(want));
});

describe('emailDomain', () => {
  it.each([
    ['ann@Gmail.com', 'gmail.com'],
    ['Ann Lee <ann@acme.io>', 'acme.io'],
    ['acme.com', 'acme.com'],
    ['nope', null],
  ] as const)('%s → %s', (e, want) => expect(emailDomain(e)).toBe(want));

  it('reads a cell far longer than any address as none, at once (a pattern over it took seconds)', () => {
    expect(emailDomain(`ann@acme.io${' '.repeat(200_000)}x`)).toBeNull();
  });
});

describe('emailDomainKind', () => {
  it.each([
    ['ann@gmail.com', 'free'],
    ['Ann Lee <ann@gmail.com>', 'free'],
    ['Bob@Yahoo.com', 'free'],
    ['ceo@acme.io', 'corporate'],
    ['acme.com', 'corporate'],
  ] as const)('%s → %s', (e, want) => expect(emailDomainKind(e)).toBe(want));
  it('not an address → null', () => {
    expect(emailDomainKind('nope')).toBeNull();
    expect(emailDomainKind(null)).toBeNull();
  });
});

describe('emailDomainKind: free mail under any country, national providers, written loosely', () => {
  it.each([
    'ana@hotmail.com.br', 'taro@yahoo.co.jp', 'ana@hotmail.es', 'bob@yahoo.ca', 'max@outlook.de', 'jo@live.co.uk', 'a@yahoo.com.au', 'a@hotmail.it',
    'a@gmx.at', 'a@yandex.kz', 'a@aol.de', 'a@outlook.com', 'a@hotmail.com', 'a@yahoo.co.uk',
    'jo@btinternet.com', 'a@bigpond.com', 'a@laposte.net', 'a@uol.com.br', 'a@ziggo.nl', 'a@web.de', 'a@orange.fr', 'a@free.fr', 'a@libero.it',
    'a@t-online.de', 'a@mail.ru', 'a@qq.com', 'a@163.com', 'a@naver.com',
  ])('%s → free', (e) => expect(emailDomainKind(e)).toBe('free'));

  it.each(['a@acme.com', 'a@mail.acme.com', 'a@yahoo.acme.com', 'a@liveperson.com', 'a@outlookgroup.com'])('%s → corporate', (e) => expect(emailDomainKind(e)).toBe('corporate'));

  it('reads a root dot, a zero-width space pasted with the address and a domain in any script', () => {
    expect(emailDomainKind('ann@gmail.com.')).toBe('free');
    expect(emailDomain('ann@gmail.com.')).toBe('gmail.com');
    expect(emailDomainKind('ann@gmail.com\u200b')).toBe('free');
    expect(emailDomain('jürgen@Müller.de')).toBe('müller.de');
    expect(emailDomainKind('jürgen@müller.de')).toBe('corporate');
  });
});
