import { describe, expect, it } from 'vitest';
import { DAY_NAMES, parseDate } from './derive';
import type { Feature } from './manifest';
import { featurizeRecord } from './featurize';
import { pageConventions, pageFieldsAsData, type InApiCurrency } from './page-values';

const now = new Date('2026-11-01T00:00:00Z');
const numeric = (key: string, field: string, missingValues: string[] = []): Feature => ({
  key, label: key, type: 'numeric', derive: { kind: 'value', from: { salesforce: field } }, missingValues, actionable: false,
});
const features: Feature[] = [
  numeric('employees', 'NumberOfEmployees'),
  numeric('revenue', 'AnnualRevenue', ['0,00']),
  { key: 'days_since_created', label: 'Days since created', type: 'numeric', derive: { kind: 'daysSince', from: { salesforce: 'CreatedDate' } }, missingValues: [], actionable: false },
  { key: 'click_rate', label: 'Clicks per open', type: 'numeric', derive: { kind: 'ratio', numerator: { salesforce: 'Clicks__c' }, denominator: { salesforce: 'Opens__c' } }, missingValues: [], actionable: true },
  { key: 'rating', label: 'Rating', type: 'categorical', vocabulary: ['1.500', '(other)'], otherCode: 1, derive: { kind: 'value', from: { salesforce: 'Rating' } }, missingValues: [], actionable: false },
  { key: 'created_weekday', label: 'Day created', type: 'categorical', vocabulary: [...DAY_NAMES, '(other)'], otherCode: 7, derive: { kind: 'dayOfWeek', from: { salesforce: 'CreatedDate' } }, missingValues: [], actionable: false },
];
const DAYS_SINCE_CREATED = 2;
const CREATED_WEEKDAY = 5;

describe('pageConventions', () => {
  it("reads a locale's decimal separator and day-month order from Intl", () => {
    expect(pageConventions('de-DE')).toEqual({ numberFormat: 'comma-decimal', dateOrder: 'day-first', locale: 'de-DE' });
    expect(pageConventions('de')).toEqual({ numberFormat: 'comma-decimal', dateOrder: 'day-first', locale: 'de' });
    expect(pageConventions('en-GB')).toEqual({ numberFormat: 'dot-decimal', dateOrder: 'day-first', locale: 'en-GB' });
    expect(pageConventions('en-US')).toEqual({ numberFormat: 'dot-decimal', dateOrder: 'month-first', locale: 'en-US' });
    expect(pageConventions('en')).toEqual({ numberFormat: 'dot-decimal', dateOrder: 'month-first', locale: 'en' });
    expect(pageConventions('fr-FR')).toEqual({ numberFormat: 'comma-decimal', dateOrder: 'day-first', locale: 'fr-FR' });
  });
  it('knows no conventions for a missing or malformed tag', () => {
    expect(pageConventions(undefined)).toBeNull();
    expect(pageConventions('')).toBeNull();
    expect(pageConventions('not a locale!')).toBeNull();
    expect(pageConventions('<script>')).toBeNull();
  });
});

describe('pageFieldsAsData', () => {
  const german = pageConventions('de-DE');
  const british = pageConventions('en-GB');

  it("rewrites the numbers and dates of a German page as data, so they featurize as the API's values do", () => {
    const page = { NumberOfEmployees: '1.500', AnnualRevenue: '2.713.067,50 €', CreatedDate: '01.03.2026, 14:30', Clicks__c: '3', Opens__c: '1.200', Rating: '1.500' };
    const api = { NumberOfEmployees: 1500, AnnualRevenue: 2713067.5, CreatedDate: '2026-03-01T14:30:00.000+0000', Clicks__c: 3, Opens__c: 1200, Rating: '1.500' };
    const data = pageFieldsAsData(page, features, 'salesforce', german);
    expect(data).toMatchObject({ NumberOfEmployees: '1500', AnnualRevenue: '2713067.5', Opens__c: '1200' });
    expect(data.Rating).toBe('1.500'); // a picklist's text is no number
    expect(Array.from(featurizeRecord(data, features, 'salesforce', now))).toEqual(Array.from(featurizeRecord(api, features, 'salesforce', now)));
    // As the page's text alone, 1.500 employees read 1.5
    expect(featurizeRecord(page, features, 'salesforce', now)[0]).toBe(1.5);
  });

  it('reads a British date day first', () => {
    const data = pageFieldsAsData({ CreatedDate: '01/03/2026, 14:30' }, features, 'salesforce', british);
    expect(data.CreatedDate).toBe('2026-03-01T14:30:00.000Z');
    // Alone, it reads month first: 3 January
    expect(featurizeRecord({ CreatedDate: '01/03/2026, 14:30' }, features, 'salesforce', now)[2]).toBe(301);
    expect(featurizeRecord(data, features, 'salesforce', now)[2]).toBe(244);
  });

  it('keeps what is no number in the locale, placeholders, other fields, and everything without conventions', () => {
    const page = { NumberOfEmployees: '1.5', AnnualRevenue: '0,00', Description: '1.500', nocase: 'x' };
    expect(pageFieldsAsData(page, features, 'salesforce', german)).toEqual(page);
    const english = { NumberOfEmployees: '1,500', CreatedDate: '3/1/2026' };
    expect(pageFieldsAsData(english, features, 'salesforce', null)).toBe(english);
    expect(featurizeRecord(pageFieldsAsData(english, features, 'salesforce', pageConventions('en-US')), features, 'salesforce', now)[0]).toBe(1500);
  });

  it('finds a field the page names in another case, as featurization does', () => {
    expect(pageFieldsAsData({ numberofemployees: '1.500' }, features, 'salesforce', german)).toEqual({ numberofemployees: '1500' });
  });
});

describe("pageFieldsAsData: the page's values overrule its locale's conventions", () => {
  // A Salesforce user's Locale (formats) is set apart from their Language: English (US) with the
  // German locale tags the page en-US and shows 05.03.2026 and 1.500.
  const american = pageConventions('en-US');
  const german = pageConventions('de-DE');
  const march20 = new Date('2026-03-20T12:00:00Z');
  // Counted on UTC's clock: these pages name no time zone, and which day is today is not what is tested.
  const daysSinceCreated = (page: Record<string, string>, conventions = american) =>
    featurizeRecord(pageFieldsAsData(page, features, 'salesforce', conventions), features, 'salesforce', march20, 0)[DAYS_SINCE_CREATED];

  it('reads a date written with dots day first whatever the locale, as every locale that writes dots does', () => {
    expect(daysSinceCreated({ CreatedDate: '05.03.2026' })).toBe(15);
    expect(daysSinceCreated({ CreatedDate: '05.03.2026, 14:30' })).toBe(14);
    expect(pageFieldsAsData({ CreatedDate: '05.03.2026' }, features, 'salesforce', american)).toEqual({ CreatedDate: '05.03.2026' });
  });

  it("reads the page's dates in the order one of its dates shows, any field's", () => {
    expect(daysSinceCreated({ CreatedDate: '05/03/2026', LastModifiedDate: '15/03/2026, 09:12' })).toBe(15);
    expect(pageFieldsAsData({ CreatedDate: '05/03/2026', LastModifiedDate: '15/03/2026' }, features, 'salesforce', american).CreatedDate).toBe('2026-03-05');
    // A date that reads in one order only reads so on a page whose other dates show the other order.
    expect(daysSinceCreated({ CreatedDate: '13/03/2026', LastModifiedDate: '03/15/2026' })).toBe(7);
    // A British-tagged page whose dates show month first
    expect(daysSinceCreated({ CreatedDate: '03/05/2026', LastModifiedDate: '03/15/2026' }, pageConventions('en-GB'))).toBe(15);
    // Dates showing both orders show none: the locale's holds.
    expect(daysSinceCreated({ CreatedDate: '03/05/2026', LastModifiedDate: '03/15/2026', Birthdate: '15/03/1990' }, pageConventions('en-GB'))).toBe(-44);
  });

  it("reads the page's numbers in the format one of the model's numbers shows", () => {
    const germanFormats = { NumberOfEmployees: '1.500', AnnualRevenue: '2.713.067,50 €' };
    expect(pageFieldsAsData(germanFormats, features, 'salesforce', american)).toEqual({ NumberOfEmployees: '1500', AnnualRevenue: '2713067.5' });
    expect(pageFieldsAsData(germanFormats, features, 'salesforce', null)).toEqual({ NumberOfEmployees: '1500', AnnualRevenue: '2713067.5' });
    const americanFormats = pageFieldsAsData({ NumberOfEmployees: '1,500', AnnualRevenue: '$2,713,067.50' }, features, 'salesforce', german);
    expect(featurizeRecord(americanFormats, features, 'salesforce', march20)[0]).toBe(1500);
    // Other fields' text is no sign: a picklist's or a note's number may be written any way.
    const notes = { NumberOfEmployees: '1.500', Description: '2.713.067,50' };
    expect(pageFieldsAsData(notes, features, 'salesforce', american)).toEqual(notes);
    // Numbers showing both formats show none: the locale's holds.
    expect(pageFieldsAsData({ NumberOfEmployees: '1.500', AnnualRevenue: '2.713.067,50', Opens__c: '1,234.5' }, features, 'salesforce', german).NumberOfEmployees).toBe('1500');
  });
});

describe("pageFieldsAsData: the page's dates show its Locale when its language's numbers could be either", () => {
  // Salesforce tags a page with its user's language (en-US) and writes numbers and dates in their Locale (de_DE): 1.500 and 01.03.2026.
  const american = pageConventions('en-US');
  const employees = (page: Record<string, string>, conventions = american) => featurizeRecord(pageFieldsAsData(page, features, 'salesforce', conventions), features, 'salesforce', now)[0];
  const dateIn = (locale: string) => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.UTC(2026, 2, 1));

  it('reads 1.500 employees as 1500 on an en-US page whose dates are written with dots, as the API sends them', () => {
    const page = { NumberOfEmployees: '1.500', CreatedDate: '01.03.2026, 14:30' };
    const api = { NumberOfEmployees: 1500, CreatedDate: '2026-03-01T14:30:00.000+0000' };
    expect(pageFieldsAsData(page, features, 'salesforce', american)).toEqual({ NumberOfEmployees: '1500', CreatedDate: '2026-03-01T14:30:00.000Z' });
    expect(Array.from(featurizeRecord(pageFieldsAsData(page, features, 'salesforce', american), features, 'salesforce', now))).toEqual(Array.from(featurizeRecord(api, features, 'salesforce', now)));
    expect(employees(page, pageConventions('en-GB'))).toBe(1500);
  });

  it.each(['de-DE', 'tr-TR', 'da-DK', 'ro-RO', 'he-IL', 'de-CH', 'ru-RU', 'nl-NL', 'es-CL'])("reads the whole numbers of a %s Locale on an en-US page whose dates show it", (locale) => {
    for (const count of [1500, 25000]) {
      const page = { NumberOfEmployees: new Intl.NumberFormat(locale).format(count), CreatedDate: dateIn(locale) };
      expect(employees(page), JSON.stringify(page)).toBe(count);
    }
  });

  it("reads he-IL's 1,500 as 1500, though most Locales that write dates with dots write a decimal comma", () => {
    expect(employees({ NumberOfEmployees: '1,500', CreatedDate: '1.3.2026, 14:30' })).toBe(1500);
    expect(employees({ NumberOfEmployees: '1,500', CreatedDate: '01.03.2026' }, pageConventions('he-IL'))).toBe(1500);
  });

  it('reads 1,500 as 1500 on a German page whose dates show a US Locale', () => {
    expect(employees({ NumberOfEmployees: '1,500', CreatedDate: '3/15/2026, 2:30 PM' }, pageConventions('de-DE'))).toBe(1500);
    expect(employees({ NumberOfEmployees: '1,500', CreatedDate: '15.03.2026' }, pageConventions('de-DE'))).toBe(1.5);
  });

  it("keeps the language's reading without such dates, and a number that shows a format decides", () => {
    expect(employees({ NumberOfEmployees: '1.500' })).toBe(1.5);
    expect(employees({ NumberOfEmployees: '1.500', CreatedDate: '3/1/2026' })).toBe(1.5);
    // A page whose language writes its dates with dots: they show nothing new (de-CH writes 1500 as 1’500, and 1.500 for 1.5)
    expect(employees({ NumberOfEmployees: '1.500', CreatedDate: '01.03.2026' }, pageConventions('de-CH'))).toBe(1.5);
    // de_CH's revenue shows a decimal point
    expect(employees({ NumberOfEmployees: '1.500', AnnualRevenue: '2’713’067.50', CreatedDate: '01.03.2026' })).toBe(1.5);
    // Numbers that would be whole in different formats show none
    const either = { NumberOfEmployees: '1.500', Opens__c: '2,500', CreatedDate: '01.03.2026' };
    expect(pageFieldsAsData(either, features, 'salesforce', american)).toEqual(either);
    expect(employees({ NumberOfEmployees: '1.500', CreatedDate: '01.03.2026' }, null)).toBe(1.5);
  });

  it("keeps the language's reading beside a date with dashes typed in a text field, which the page's other dates show", () => {
    // A US user's Locale writes 3/1/2026 in every date field: 05-12-2026 is a text someone typed, and 1.250 a number with three decimals.
    expect(employees({ NumberOfEmployees: '1.250', Renewal__c: '05-12-2026', CreatedDate: '3/1/2026' })).toBe(1.25);
    // No Locale writes dashes month first: US users type them.
    expect(employees({ NumberOfEmployees: '1.250', Renewal__c: '12-31-2026' })).toBe(1.25);
    expect(employees({ NumberOfEmployees: '1.250', Renewal__c: '12-31-2026', Due__c: '05-12-2026' })).toBe(1.25);
    // A nl-NL Locale writes every date with dashes, day first: 1.500 is 1500, whatever its days.
    expect(employees({ NumberOfEmployees: '1.500', CreatedDate: '01-03-2026', Due__c: '31-12-2026' })).toBe(1500);
    expect(employees({ NumberOfEmployees: '1.500', CreatedDate: '01-03-2026, 14:30' })).toBe(1500);
    // Alone, 05-12-2026 is how a nl-NL Locale writes 5 December: the page tells no more, and a whole number is the likelier reading.
    expect(employees({ NumberOfEmployees: '1.250', Renewal__c: '05-12-2026' })).toBe(1250);
    // A date with dots is no typed text (only day-first Locales write them), whatever the page's other dates.
    expect(employees({ NumberOfEmployees: '1.500', Renewal__c: '01.03.2026', CreatedDate: '3/1/2026' })).toBe(1500);
  });
});

describe("pageFieldsAsData: a record's amount as a multi-currency org shows it", () => {
  const revenue = (text: string, conventions: ReturnType<typeof pageConventions>) =>
    featurizeRecord(pageFieldsAsData({ AnnualRevenue: text }, features, 'salesforce', conventions), features, 'salesforce', now)[1];
  const amount = (locale: string, currency: string, value: number) => new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'code' }).format(value);

  // Without the org's rates (not connected, not read): every lead's amount in one currency, the user's, shown in brackets
  // when the record's is another; not each in its own (the rates given, in the corporate currency: below).
  it.each(['en-US', 'de-DE', 'fr-FR', 'de-CH', 'ja-JP', 'he-IL', 'en-IN'])("reads a %s page's amount in the user's currency in brackets, without the org's rates", (locale) => {
    const shown = `${amount(locale, 'EUR', 2500000)} (${amount(locale, 'USD', 2713067.5)})`;
    expect(revenue(shown, pageConventions(locale)), shown).toBe(2713067.5);
    expect(revenue(amount(locale, 'EUR', 2500000), pageConventions(locale))).toBe(2500000);
  });

  it("reads the amount of a currency whose code parseNumber does not know, and without the page's locale", () => {
    expect(revenue('SEK 25,000,000.00 (USD 2,713,067.50)', pageConventions('en-US'))).toBe(2713067.5);
    expect(revenue('25.000.000,00 SEK (2.713.067,50 USD)', pageConventions('de-DE'))).toBe(2713067.5);
    expect(revenue('USD 2,713,067.50 (SEK 25,000,000.00)', pageConventions('en-US'))).toBe(25000000);
    expect(revenue('-NOK 1,500.00', pageConventions('en-US'))).toBe(-1500);
    // Lead.AnnualRevenue has no decimals: a multi-currency org shows a small amount bare.
    for (const [text, value] of [['SEK 0', 0], ['SEK 500', 500], ['KRW 900', 900]] as const) expect(revenue(text, pageConventions('en-US')), text).toBe(value);
    expect(revenue('EUR 2,500,000.00 (USD 2,713,067.50)', null)).toBe(2713067.5);
  });

  it.each([
    ['pl-PL', 'PLN'], ['pt-BR', 'BRL'], ['ko-KR', 'KRW'], ['ru-RU', 'RUB'], ['cs-CZ', 'CZK'], ['tr-TR', 'TRY'], ['he-IL', 'ILS'], ['vi-VN', 'VND'], ['th-TH', 'THB'],
    ['en-ZA', 'ZAR'], ['nb-NO', 'NOK'], ['da-DK', 'DKK'], ['hu-HU', 'HUF'], ['uk-UA', 'UAH'], ['id-ID', 'IDR'], ['ms-MY', 'MYR'], ['bg-BG', 'BGN'], ['es-PE', 'PEN'],
    // Currencies in other scripts: Arabic letters and dots with direction marks, Persian, Amharic, Nepali, Sinhala, and ja-JP's yen in CNY's locale.
    ['ar-SA', 'SAR'], ['ar-EG', 'EGP'], ['ar-AE', 'AED'], ['ar-MA', 'MAD'], ['ar', 'KWD'], ['ckb-IQ', 'IQD'], ['fa-IR', 'IRR'], ['am-ET', 'ETB'], ['ne-NP', 'NPR'], ['si-LK', 'LKR'], ['zh-CN', 'CNY'],
    // The other Arab countries' riyals, dinars and pounds, and the rest of the locales whose own currency number-format.test.ts checks.
    ['ar-DZ', 'DZD'], ['ar-IQ', 'IQD'], ['ar-KW', 'KWD'], ['ar-QA', 'QAR'], ['ar-BH', 'BHD'], ['ar-OM', 'OMR'], ['ar-JO', 'JOD'], ['ar-LB', 'LBP'], ['ar-SY', 'SYP'],
    ['ar-TN', 'TND'], ['ar-LY', 'LYD'], ['ar-YE', 'YER'], ['ur-PK', 'PKR'], ['ps-AF', 'AFN'], ['hi-IN', 'INR'], ['zh-TW', 'TWD'], ['km-KH', 'KHR'], ['lo-LA', 'LAK'], ['bn-BD', 'BDT'],
  ])("reads a %s page's amount in %s as Intl writes it with the currency's sign", (locale, currency) => {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const whole = format.resolvedOptions().maximumFractionDigits === 0;
    expect(revenue(format.format(2713067.5), pageConventions(locale)), format.format(2713067.5)).toBe(whole ? 2713068 : 2713067.5);
    expect(revenue(format.format(-1200), pageConventions(locale)), format.format(-1200)).toBe(-1200);
  });

  it("reads a currency parseNumber does not know without the page's locale, and keeps words as written", () => {
    expect(revenue('zł 1 200', null)).toBe(1200);
    expect(revenue('R$ 1.234,50', null)).toBe(1234.5);
    expect(revenue('1,200 Kč', pageConventions('en-US'))).toBe(1200);
    for (const text of ['R2D2', 'kr-team', 'Q3 2024', 'R 2D2']) expect(pageFieldsAsData({ AnnualRevenue: text }, features, 'salesforce', pageConventions('en-US'))).toEqual({ AnnualRevenue: text });
  });

  it("keeps a currency's Latin letters before a number not written as amounts are as written, as before currencies were read", () => {
    for (const text of ['R 4.3', 'RM 101', '(RM 101)', 'TL 3', 'Rs 5', 'kr 7', '-R 5']) {
      expect(pageFieldsAsData({ AnnualRevenue: text }, features, 'salesforce', pageConventions('en-US')), text).toEqual({ AnnualRevenue: text });
    }
    expect(revenue('RM 101.00', pageConventions('en-US'))).toBe(101);
    expect(revenue('R 1 500', null)).toBe(1500);
  });

  it("reads a long text of digits and an open bracket, anyone's typing, at once, as it reads a short one", () => {
    // A text the page shows as it is: no converted amount after it.
    const typed = `${'1'.repeat(6000)}(${'1'.repeat(3999)}`;
    expect(pageFieldsAsData({ AnnualRevenue: typed }, features, 'salesforce', pageConventions('en-US'))).toEqual({ AnnualRevenue: typed });
    expect(revenue(`EUR 1250000 (${'9 '.repeat(3000)}USD 1)`, null)).toBe(1250000);
  });

  it('keeps a negative amount in brackets, and brackets with no number in them', () => {
    expect(revenue('(1,200)', pageConventions('en-US'))).toBe(-1200);
    expect(revenue('(EUR 1,200.00) (USD 1,302.27)', pageConventions('en-US'))).toBeCloseTo(-1302.27, 2);
    expect(revenue('(EUR 1,200.00) (-USD 1,302.27)', pageConventions('en-US'))).toBeCloseTo(-1302.27, 2);
    expect(pageFieldsAsData({ AnnualRevenue: '1,200 (est.)' }, features, 'salesforce', pageConventions('en-US'))).toEqual({ AnnualRevenue: '1,200 (est.)' });
  });

  it('reads full-width currency signs and digits (ja-JP writes the yen ￥) as the ordinary ones', () => {
    const yen = new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' }).format(2713067);
    expect(yen).toBe('\uffe52,713,067');
    expect(revenue(yen, pageConventions('ja-JP'))).toBe(2713067);
    expect(revenue('\uffe12,713,067.50', pageConventions('en-GB'))).toBe(2713067.5);
    expect(revenue('\uffe5\uff12\uff0c\uff17\uff11\uff13\uff0c\uff10\uff16\uff17', null)).toBe(2713067);
  });
});

describe("pageFieldsAsData: a multi-currency org's amount in the currency the API hands amounts on in", () => {
  /** A multi-currency org's rates: how many of each currency make one dollar, its corporate currency. */
  const rates = new Map([['USD', 1], ['JPY', 150], ['EUR', 0.8]]);
  const inDollars = (amount: number, currency: string) => (rates.has(currency) ? amount / rates.get(currency)! : null);
  const read = (text: string, locale: string | null, inApiCurrency: InApiCurrency = inDollars) =>
    pageFieldsAsData({ AnnualRevenue: text }, features, 'salesforce', pageConventions(locale ?? undefined), undefined, inApiCurrency).AnnualRevenue;
  const amount = (locale: string, currency: string, value: number) => new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'code' }).format(value);

  it("reads a ¥300,000,000 lead at its currency's rate, as the API converts it, not as $300,000,000", () => {
    expect(read('JPY 300,000,000 (USD 2,000,000.00)', 'en-US')).toBe(2_000_000);
    expect(read('JPY 300,000,000', 'en-US')).toBe(2_000_000);
    expect(read('JPY 300000000', null)).toBe(2_000_000);
    expect(read('-EUR 5.00', 'en-US')).toBe(-6.25);
    expect(read('(EUR 1,200.00) (USD 1,500.00)', 'en-US')).toBe(-1500);
    expect(read('USD 2,000,000.00', 'en-US')).toBe(2_000_000);
    expect(read('\uff2a\uff30\uff39 \uff13\uff10\uff10,\uff10\uff10\uff10,\uff10\uff10\uff10', null)).toBe(2_000_000);
  });

  it.each(['en-US', 'de-DE', 'fr-FR', 'de-CH', 'ja-JP', 'he-IL', 'en-IN'])("reads a %s page's amount at its code's rate, before or after its number", (locale) => {
    const shown = `${amount(locale, 'EUR', 2500000)} (${amount(locale, 'USD', 3125000)})`;
    expect(read(shown, locale), shown).toBe(2500000 / 0.8);
    expect(read(amount(locale, 'EUR', -5), locale), amount(locale, 'EUR', -5)).toBe(-5 / 0.8);
  });

  it("reads an amount as missing where its currency's rate is not known, never as an amount in the corporate currency", () => {
    expect(read('SEK 300,000,000 (USD 28,000,000.00)', 'en-US')).toBeNull();
    expect(read('JPY 300,000,000 (USD 2,000,000.00)', 'en-US', () => null)).toBeNull();
    expect(featurizeRecord({ AnnualRevenue: read('JPY 300,000,000', 'en-US', () => null) }, features, 'salesforce', now)[1]).toBeNaN();
  });

  it('hands the amount as the page reads it in its locale, with its code, and keeps the others as written', () => {
    const asked: [number, string][] = [];
    const page = { AnnualRevenue: '2.500.000,00 EUR', NumberOfEmployees: '1.500', Rating: 'EUR 5' };
    const data = pageFieldsAsData(page, features, 'salesforce', pageConventions('de-DE'), undefined, (value, currency) => (asked.push([value, currency]), value));
    expect(asked).toEqual([[2500000, 'EUR']]);
    expect(data).toEqual({ AnnualRevenue: 2500000, NumberOfEmployees: '1500', Rating: 'EUR 5' });
  });

  it('reads an amount without a code (a single-currency org), a unit in capitals, a placeholder and words as without rates', () => {
    for (const [text, locale] of [['$2,000,000.00', 'en-US'], ['2.713.067,50 €', 'de-DE'], ['\uffe52,713,067', 'ja-JP'], ['40 FTE', 'en-US'], ['0,00', 'de-DE'], ['R2D2', 'en-US'], ['1,200 (est.)', 'en-US']] as const) {
      expect(read(text, locale, () => null), text).toEqual(pageFieldsAsData({ AnnualRevenue: text }, features, 'salesforce', pageConventions(locale)).AnnualRevenue);
    }
  });
});

describe("pageFieldsAsData: a page's numbers in its locale's own digits and signs", () => {
  // A Salesforce percent field: the API sends 12.5 for the page's 12.5%.
  const numberFeatures = [...features, numeric('probability', 'Probability__c')];
  const api = { NumberOfEmployees: 1234567, AnnualRevenue: -2713067.5, Clicks__c: 3, Opens__c: 1200, Probability__c: 12.5 };
  const row = (fields: Record<string, unknown>) => Array.from(featurizeRecord(fields as never, numberFeatures, 'salesforce', now));

  it.each(['ar-EG', 'ar-SA', 'fa-IR', 'bn-BD', 'mr-IN'])("reads a %s page's numbers as Intl writes them there as the API's numbers", (locale) => {
    const number = new Intl.NumberFormat(locale);
    const page = {
      NumberOfEmployees: number.format(1234567),
      AnnualRevenue: new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD' }).format(-2713067.5),
      Clicks__c: number.format(3),
      Opens__c: number.format(1200),
      Probability__c: new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(0.125),
    };
    for (const text of Object.values(page)) expect(text).not.toMatch(/[0-9]/); // the locale's own digits, which featurization alone reads as none
    expect(row(page)[0]).toBeNaN();
    const data = pageFieldsAsData(page, numberFeatures, 'salesforce', pageConventions(locale));
    expect(row(data), JSON.stringify(page)).toEqual(row(api));
    expect(row(data)[0]).toBe(1234567);
    expect(featurizeRecord(pageFieldsAsData({ AnnualRevenue: number.format(2713067.5) }, numberFeatures, 'salesforce', pageConventions(locale)), numberFeatures, 'salesforce', now)[1]).toBe(2713067.5);
  });

  it("reads a number whose signs the locale sets apart with direction marks (ar, he-IL), and the Arabic separators and percent sign", () => {
    const read = (text: string, locale: string) => featurizeRecord(pageFieldsAsData({ AnnualRevenue: text }, numberFeatures, 'salesforce', pageConventions(locale)), numberFeatures, 'salesforce', now)[1];
    expect(read(new Intl.NumberFormat('ar').format(-1200.5), 'ar')).toBe(-1200.5);
    expect(read(new Intl.NumberFormat('he-IL').format(-1200.5), 'he-IL')).toBe(-1200.5);
    expect(read('\u061c-١٬٢٠٠٫٥', 'ar-EG')).toBe(-1200.5);
    expect(read('\u200e\u2212۱۲٫۵٪', 'fa-IR')).toBe(-12.5);
    expect(read('১২,৩৪,৫৬৭.৫', 'bn-BD')).toBe(1234567.5); // Indian grouping
  });

  it("keeps the numbers of a locale that writes ASCII digits, other digits on another locale's page, and other fields", () => {
    const page = { NumberOfEmployees: '1.500', AnnualRevenue: '2.713.067,50 €', Description: '١٬٢٠٠' };
    expect(pageFieldsAsData(page, numberFeatures, 'salesforce', pageConventions('de-DE'))).toEqual({ ...page, NumberOfEmployees: '1500', AnnualRevenue: '2713067.5' });
    const arabicOnGermanPage = { NumberOfEmployees: '١٬٢٠٠' };
    expect(pageFieldsAsData(arabicOnGermanPage, numberFeatures, 'salesforce', pageConventions('de-DE'))).toEqual(arabicOnGermanPage);
    expect(pageFieldsAsData(arabicOnGermanPage, numberFeatures, 'salesforce', null)).toBe(arabicOnGermanPage);
    expect(pageFieldsAsData({ Description: '١٬٢٠٠' }, numberFeatures, 'salesforce', pageConventions('ar-EG'))).toEqual({ Description: '١٬٢٠٠' });
  });
});

describe("pageFieldsAsData: a page's date-times are in its user's time zone", () => {
  const now = new Date('2026-03-02T12:00:00Z');
  // The API sends the instant: 03:00 UTC on Monday 2 March is 7 PM on Sunday 1 March in Los Angeles, 8:30 AM on the 2nd in Kolkata.
  const api = featurizeRecord({ CreatedDate: '2026-03-02T03:00:00.000+0000' }, features, 'salesforce', now);

  it.each([
    ['America/Los_Angeles', '3/1/2026, 7:00 PM', 'en-US'],
    ['America/Los_Angeles', '2026-03-01 19:00', 'sv-SE'],
    ['Asia/Kolkata', '02/03/2026, 08:30', 'en-GB'],
    ['Asia/Kolkata', '02.03.2026, 08:30', 'de-DE'],
  ])('reads a %s page\'s %j as the instant the API sends', (timeZone, shown, locale) => {
    const data = pageFieldsAsData({ CreatedDate: shown }, features, 'salesforce', pageConventions(locale), timeZone);
    expect(data.CreatedDate).toBe('2026-03-02T03:00:00.000Z');
    const row = featurizeRecord(data, features, 'salesforce', now);
    expect([row[DAYS_SINCE_CREATED], DAY_NAMES[row[CREATED_WEEKDAY]]]).toEqual([0, 'Monday']);
    expect(Array.from(row)).toEqual(Array.from(api));
  });

  it('reads the offset a zone has on the day, summer time or not', () => {
    const created = (shown: string) => pageFieldsAsData({ CreatedDate: shown }, features, 'salesforce', pageConventions('en-US'), 'America/Los_Angeles').CreatedDate;
    expect(created('7/1/2026, 5:00 PM')).toBe('2026-07-02T00:00:00.000Z');
    // US summer time begins at 2 AM on 8 March 2026
    expect(created('3/8/2026, 1:30 AM')).toBe('2026-03-08T09:30:00.000Z');
    expect(created('3/8/2026, 3:30 AM')).toBe('2026-03-08T10:30:00.000Z');
  });

  it('keeps a date without a time a day, and a time with its zone the instant it names', () => {
    const page = { CreatedDate: '3/1/2026' };
    expect(pageFieldsAsData(page, features, 'salesforce', pageConventions('en-US'), 'Asia/Kolkata')).toEqual(page);
    expect(pageFieldsAsData({ CreatedDate: '01/03/2026' }, features, 'salesforce', pageConventions('en-GB'), 'America/Los_Angeles')).toEqual({ CreatedDate: '2026-03-01' });
    const withZone = { CreatedDate: '2026-03-02T03:00:00.000+0000' };
    expect(pageFieldsAsData(withZone, features, 'salesforce', pageConventions('en-US'), 'America/Los_Angeles')).toEqual(withZone);
  });

  it('reads a time without a zone, or with one Intl does not know, as the instant it names in UTC', () => {
    const page = { CreatedDate: '3/1/2026, 7:00 PM' };
    expect(pageFieldsAsData(page, features, 'salesforce', pageConventions('en-US'))).toEqual({ CreatedDate: '2026-03-01T19:00:00.000Z' });
    expect(pageFieldsAsData(page, features, 'salesforce', pageConventions('en-US'), 'Not/AZone')).toEqual({ CreatedDate: '2026-03-01T19:00:00.000Z' });
  });

  it('writes a time as the instant it names where its zone is at UTC on its date, so its days since are the API\'s whatever the rep\'s clock says now (London in summer)', () => {
    const data = pageFieldsAsData({ CreatedDate: '1/15/2026 11:30 PM' }, features, 'salesforce', pageConventions('en-GB'), 'Europe/London');
    expect(data).toEqual({ CreatedDate: '2026-01-15T23:30:00.000Z' });
    const summer = new Date('2026-07-01T23:15:00Z');
    const londonSummer = 60;
    const fromApi = featurizeRecord({ CreatedDate: '2026-01-15T23:30:00.000+0000' }, features, 'salesforce', summer, londonSummer);
    expect(featurizeRecord(data, features, 'salesforce', summer, londonSummer)[DAYS_SINCE_CREATED]).toBe(fromApi[DAYS_SINCE_CREATED]);
    expect(fromApi[DAYS_SINCE_CREATED]).toBe(166);
  });
});

describe("pageFieldsAsData: a HubSpot page's date-times with their zone after them, and dates in words", () => {
  const hubspot: Feature[] = [
    { key: 'days_since_created', label: 'Days since created', type: 'numeric', derive: { kind: 'daysSince', from: { hubspot: 'createdate' } }, missingValues: [], actionable: false },
  ];
  const created = 1793715240000; // 2026-11-03T14:14Z: 9:14 AM in New York
  /** The page's created date as featurization reads it (epoch ms), on a `locale` page in a browser in `timeZone`, and the field as passed on. */
  const read = (shown: string, locale: string, timeZone?: string) => {
    const data = pageFieldsAsData({ createdate: shown }, hubspot, 'hubspot', pageConventions(locale), timeZone);
    return { instant: parseDate(data.createdate), passed: data.createdate };
  };

  it('reads a time with a zone of known offset as the instant it names, in a browser in any zone', () => {
    for (const timeZone of [undefined, 'UTC', 'Asia/Tokyo', 'America/Los_Angeles']) {
      expect(read('11/03/2026 9:14 AM EST', 'en-US', timeZone), timeZone).toEqual({ instant: created, passed: '11/03/2026 9:14 AM EST' });
      expect(read('11/03/2026 9:00AM GMT+9', 'en-US', timeZone).instant, timeZone).toBe(1793664000000); // 2026-11-03T00:00Z
      expect(read('11/03/2026 9:14 AM GMT+1', 'en-US', timeZone).instant, timeZone).toBe(1793693640000); // 2026-11-03T08:14Z
      expect(read('03.11.2026 09:14 GMT-5', 'de-DE', timeZone).instant, timeZone).toBe(created);
    }
    // 14:14 UTC on 3 November is 6.99 days before: read as 9:14 UTC it would be 7.
    const now = new Date('2026-11-10T14:13:00Z');
    const data = pageFieldsAsData({ createdate: '11/03/2026 9:14 AM EST' }, hubspot, 'hubspot', pageConventions('en-US'), 'UTC');
    expect(featurizeRecord(data, hubspot, 'hubspot', now)[0]).toBe(6);
  });

  it("reads a zoned time parseDate would read in the other order, or not at all, at its zone's offset, whatever the browser's zone", () => {
    expect(read('03/11/2026 09:14 GMT+1', 'en-GB', 'Europe/Berlin').passed).toBe('2026-11-03T08:14:00.000Z');
    expect(read('23/11/2026, 9:14 am GMT-5', 'en-AU', 'America/New_York').passed).toBe('2026-11-23T14:14:00.000Z');
    expect(read('Nov 3, 2026 9:14 AM EST', 'en-US', 'America/New_York').passed).toBe('2026-11-03T14:14:00.000Z');
    // A browser in another zone: the zone named decides (read in Tokyo's, the worded date was 14 hours early, a day off).
    expect(read('03/11/2026 09:14 GMT+1', 'en-GB', 'UTC').passed).toBe('2026-11-03T08:14:00.000Z');
    expect(read('Nov 3, 2026 9:14 AM EST', 'en-US', 'Asia/Tokyo').passed).toBe('2026-11-03T14:14:00.000Z');
  });

  it("reads a time after a zone name of no known offset in the page's zone, and a locale's AM or PM in capitals as no zone", () => {
    expect(read('03.11.2026 09:14 MEZ', 'de-DE', 'Europe/Berlin').passed).toBe('2026-11-03T08:14:00.000Z');
    expect(read('03/11/2026 09:14 CET', 'en-GB', 'Europe/Berlin').passed).toBe('2026-11-03T08:14:00.000Z');
    expect(read('23/11/2026, 9:58 PTG', 'ms-MY', 'UTC').passed).toBe('2026-11-23T21:58:00.000Z'); // ms-MY's PM
  });

  it("reads the page's order from a date with a zone after its time", () => {
    const page = { createdate: '03/11/2026 09:14', hs_lastmodifieddate: '15/11/2026 9:14 AM GMT+1' };
    expect(pageFieldsAsData(page, hubspot, 'hubspot', pageConventions('en-US'), 'UTC').createdate).toBe('2026-11-03T09:14:00.000Z');
  });

  it("reads a date with its month in English words, and its time in the page's zone", () => {
    expect(read('Nov 3, 2026 9:14 AM', 'en-US', 'America/New_York').passed).toBe('2026-11-03T14:14:00.000Z');
    expect(read('November 3, 2026 at 9:14 AM', 'en-US', 'America/New_York').instant).toBe(created);
    expect(read('Nov 3, 2026', 'en-US', 'America/New_York').passed).toBe('Nov 3, 2026');
    expect(read('3 Nov 2026', 'en-GB', 'Europe/London').passed).toBe('3 Nov 2026');
    expect(read('3 Nov 2026, 09:14', 'de-DE', 'Europe/Berlin').passed).toBe('2026-11-03T08:14:00.000Z');
    expect(read('Nov 3, 2026', 'en-US', undefined).passed).toBe('Nov 3, 2026');
  });

  it('keeps text that is no date as written: featurization reads none', () => {
    for (const shown of ['EST 2024 plan', 'Q3 2024', 'Q3 2024 EST', '11/03/2026 EST', 'Nov 2026', 'Today at 9:14 AM EST']) {
      expect(read(shown, 'en-US', 'America/New_York'), shown).toEqual({ instant: NaN, passed: shown });
    }
  });
});

describe("pageFieldsAsData: a page's dates as its locale writes them", () => {
  // The locales of the content-script review, each page's dates written as Intl writes them there (as test/demo-crm/format.ts does).
  const LOCALES = [
    'en-US', 'en-GB', 'de-DE', 'fr-FR', 'de-CH', 'es-ES', 'it-IT', 'nl-NL', 'pt-BR', 'sv-SE', 'ja-JP', 'en-IN', 'pl-PL', 'fi-FI', 'ko-KR', 'zh-CN', 'ru-RU',
    'nb-NO', 'da-DK', 'cs-CZ', 'fr-CH', 'es-MX', 'ar-EG', 'hi-IN', 'id-ID', 'sk-SK', 'sl-SI', 'hr-HR', 'hu-HU', 'en-CA', 'en-ZA', 'zh-TW', 'el-GR', 'es-AR',
    'bg-BG', 'fr-CA', 'vi-VN', 'th-TH', 'tr-TR', 'uk-UA', 'he-IL', 'ro-RO', 'pt-PT', 'en-AU', 'lt-LT', 'lv-LV', 'et-EE', 'fa-IR', 'ms-MY', 'sr-RS',
  ];
  const timeZone = 'Asia/Kolkata'; // UTC+05:30: a time read in the wrong zone is off by minutes as well as hours
  const created = new Date('2026-11-23T16:28:00.000Z'); // 21:58 on Monday 23 November in Kolkata
  const now = new Date('2026-11-25T12:00:00Z');
  const api = featurizeRecord({ CreatedDate: '2026-11-23T16:28:00.000+0000' }, features, 'salesforce', now);
  const shown = (locale: string, options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', ...options }).format(created);

  it.each(LOCALES)("reads a %s page's date and time as the instant the API sends, and its date alone as the day", (locale) => {
    const conventions = pageConventions(locale);
    const read = (text: string) => pageFieldsAsData({ CreatedDate: text }, features, 'salesforce', conventions, timeZone).CreatedDate;
    for (const hour12 of [false, true]) {
      const text = shown(locale, { hour: '2-digit', minute: '2-digit', hour12 });
      expect(read(text), text).toBe(created.toISOString());
    }
    const data = pageFieldsAsData({ CreatedDate: shown(locale, { hour: '2-digit', minute: '2-digit' }) }, features, 'salesforce', conventions, timeZone);
    expect(Array.from(featurizeRecord(data, features, 'salesforce', now))).toEqual(Array.from(api));
    const day = shown(locale, {});
    // Counted, as a date alone is, to the date on the page's user's clock: Kolkata's, 5 h 30 ahead of UTC.
    expect(featurizeRecord(pageFieldsAsData({ CreatedDate: day }, features, 'salesforce', conventions, timeZone), features, 'salesforce', now, 330)[DAYS_SINCE_CREATED], day).toBe(2);
  });

  it("keeps a date the page's locale does not write, and reads none without a locale", () => {
    expect(pageFieldsAsData({ CreatedDate: '23.11.2026 klo 21.58' }, features, 'salesforce', pageConventions('ko-KR'))).toEqual({ CreatedDate: '23.11.2026 klo 21.58' });
    expect(pageFieldsAsData({ CreatedDate: '23.11.2026 klo 21.58' }, features, 'salesforce', null)).toEqual({ CreatedDate: '23.11.2026 klo 21.58' });
    expect(pageFieldsAsData({ CreatedDate: '23.11.2026 klo 21.58' }, features, 'salesforce', pageConventions('fi-FI'))).toEqual({ CreatedDate: '2026-11-23T21:58:00.000Z' });
  });
});

describe("pageFieldsAsData: a choice field's label on the page is read as its value", () => {
  const SOURCES = ['ORGANIC_SEARCH', 'SOCIAL_MEDIA', 'OFFLINE', 'Web', '(other)'];
  const source: Feature = {
    key: 'lead_source', label: 'Lead source', type: 'categorical', vocabulary: SOURCES, otherCode: 4, missingValues: [], actionable: false,
    derive: {
      kind: 'value',
      from: { hubspot: 'hs_analytics_source', salesforce: 'LeadSource' },
      optionLabels: { hubspot: { ORGANIC_SEARCH: 'Organic Search', SOCIAL_MEDIA: 'Organic Social', OFFLINE: 'Offline Sources' } },
    },
  };
  const code = (fields: Record<string, string>, crm: 'hubspot' | 'salesforce') => featurizeRecord(pageFieldsAsData(fields, [source], crm, null), [source], crm, now)[0];

  it("reads HubSpot's labels as the values the model learned, where the loose match of levels cannot", () => {
    expect(code({ hs_analytics_source: 'Organic Social' }, 'hubspot')).toBe(SOURCES.indexOf('SOCIAL_MEDIA'));
    expect(code({ hs_analytics_source: ' offline sources ' }, 'hubspot')).toBe(SOURCES.indexOf('OFFLINE'));
    expect(code({ hs_analytics_source: 'Organic Search' }, 'hubspot')).toBe(SOURCES.indexOf('ORGANIC_SEARCH'));
  });
  it("reads a text that names one of the model's levels as that level, before another's label that matches it less closely", () => {
    const shows: Feature = {
      key: 'source', label: 'Source', type: 'categorical', vocabulary: ['Trade Show', 'tradeshow', '(other)'], otherCode: 2, missingValues: [], actionable: false,
      derive: { kind: 'value', from: { salesforce: 'LeadSource' }, optionLabels: { salesforce: { tradeshow: 'Tradeshow' } } },
    };
    const read = (text: string) => featurizeRecord(pageFieldsAsData({ LeadSource: text }, [shows], 'salesforce', null), [shows], 'salesforce', now)[0];
    expect(read('Trade Show')).toBe(0);
    expect(read('Tradeshow')).toBe(1);
    expect(read('trade show')).toBe(0);
  });
  it('keeps a value the page shows as data, a text no label names, and the labels of the other CRM off its pages', () => {
    expect(code({ hs_analytics_source: 'SOCIAL_MEDIA' }, 'hubspot')).toBe(SOURCES.indexOf('SOCIAL_MEDIA'));
    expect(code({ hs_analytics_source: 'Carrier pigeon' }, 'hubspot')).toBe(4);
    expect(code({ LeadSource: 'Organic Social' }, 'salesforce')).toBe(4);
    expect(pageFieldsAsData({ hs_analytics_source: 'Carrier pigeon', notes: 'Organic Social' }, [source], 'hubspot', null)).toEqual({ hs_analytics_source: 'Carrier pigeon', notes: 'Organic Social' });
  });
});
