import { describe, expect, it } from 'vitest';
import type { Feature } from './manifest';
import { inTimeZone } from '@/test/time-zone';
import { describeFeatureValue, featurizeRecord, featurizeRecords, levelAsShown, levelCode, looseKey, sourceSupplies, type RawValue } from './featurize';
import { EMAIL_DOMAIN_KINDS, SENIORITY_LEVELS, URL_CATEGORIES } from './derive';

const now = new Date('2026-11-01T00:00:00Z');
const features: Feature[] = [
  { key: 'revenue', label: 'Annual revenue', type: 'numeric', unit: 'USD', derive: { kind: 'value', from: { salesforce: 'AnnualRevenue', hubspot: 'annualrevenue', csv: 'revenue' } }, missingValues: [], actionable: false },
  { key: 'employees', label: 'Employees', type: 'numeric', derive: { kind: 'value', from: { hubspot: 'numberofemployees', csv: 'employees' } }, missingValues: [], actionable: false },
  { key: 'opted_in', label: 'Opted in', type: 'boolean', derive: { kind: 'value', from: { hubspot: 'opted_in', csv: 'opted_in' } }, missingValues: [], actionable: false },
  { key: 'source', label: 'Lead source', type: 'categorical', vocabulary: ['Web', 'Referral', '(other)'], otherCode: 2, derive: { kind: 'value', from: { salesforce: 'LeadSource', csv: 'source' } }, missingValues: ['Select'], actionable: false },
  { key: 'days_since_activity', label: 'Days since last activity', type: 'numeric', unit: 'days', derive: { kind: 'daysSince', from: { hubspot: 'notes_last_updated', csv: 'last_activity' } }, missingValues: [], actionable: true },
  { key: 'seniority', label: 'Seniority', type: 'categorical', vocabulary: ['c-level', 'vp', 'manager', '(other)'], otherCode: 3, derive: { kind: 'titleSeniority', from: { salesforce: 'Title', csv: 'title' } }, missingValues: [], actionable: false },
  { key: 'email_kind', label: 'E-mail', type: 'categorical', vocabulary: ['free', 'corporate'], derive: { kind: 'emailDomainKind', from: { csv: 'email' } }, missingValues: [], actionable: false },
  { key: 'click_rate', label: 'Clicks per open', type: 'numeric', derive: { kind: 'ratio', numerator: { csv: 'clicks' }, denominator: { csv: 'opens' } }, missingValues: [], actionable: true },
  { key: 'created_dow', label: 'Created on', type: 'categorical', vocabulary: ['Monday', 'Sunday', '(other)'], otherCode: 2, derive: { kind: 'dayOfWeek', from: { csv: 'created' } }, missingValues: [], actionable: false },
];

describe('featurizeRecord', () => {
  it('reads every kind of value from a CSV row', () => {
    const row = featurizeRecord(
      { revenue: '$1,200,000', employees: '25-50', opted_in: 'Yes', source: 'Referral', last_activity: '10/20/2026, 3:00 PM', title: 'VP Sales', email: 'a@gmail.com', clicks: '3', opens: '4', created: '2026-11-01' },
      features, 'csv', now,
    );
    expect(Array.from(row)).toEqual([1200000, 25, 1, 1, 11, 1, 0, 0.75, 1]);
  });
  it('maps missing to NaN and unseen levels to other', () => {
    const row = featurizeRecord({ revenue: 'N/A', employees: '', opted_in: null, source: 'Select', title: 'Chief of Fun Ninja', email: 'x', clicks: '1', opens: '0', created: 'garbage' }, features, 'csv', now);
    expect(Number.isNaN(row[0])).toBe(true);
    expect(Number.isNaN(row[1])).toBe(true);
    expect(Number.isNaN(row[2])).toBe(true);
    expect(Number.isNaN(row[3])).toBe(true); // "Select" is missing, not a level
    expect(Number.isNaN(row[4])).toBe(true); // field absent
    expect(row[5]).toBe(0); // "chief" → c-level
    expect(Number.isNaN(row[6])).toBe(true);
    expect(Number.isNaN(row[7])).toBe(true); // ratio with 0 denominator
    expect(Number.isNaN(row[8])).toBe(true);
    expect(featurizeRecord({ source: 'Partner' }, features, 'csv', now)[3]).toBe(2);
    expect(featurizeRecord({ source: 'web' }, features, 'csv', now)[3]).toBe(0); // case-insensitive
  });
  it("reads a record's own fields only: one named like Object's members that the record lacks is missing", () => {
    const named = (name: string): Feature => ({ key: name, label: name, type: 'numeric', derive: { kind: 'value', from: { csv: name } }, missingValues: [], actionable: false });
    const row = featurizeRecord({ visits: '3' }, [named('constructor'), named('toString'), named('visits')], 'csv', now);
    expect(Number.isNaN(row[0])).toBe(true);
    expect(Number.isNaN(row[1])).toBe(true);
    expect(row[2]).toBe(3);
  });
  it("finds a CSV column written another way, as the import's mapping names columns, and a CRM's field only as named", () => {
    const row = (record: Record<string, RawValue>, source: 'csv' | 'hubspot' = 'csv') => Array.from(featurizeRecord(record, features, source, now));
    const asNamed = row({ revenue: '5000', opted_in: 'Yes', last_activity: '2026-10-22', clicks: '3', opens: '4', created: '2026-11-01' });
    // "Opted-In", "Last Activity", " OPENS " read as their model's columns (`columnKey`), as a report export heads them.
    expect(row({ Revenue: '5000', 'Opted-In': 'Yes', 'Last Activity': '2026-10-22', clicks: '3', ' OPENS ': '4', created: '2026-11-01' })).toEqual(asNamed);
    // A number sign names another column: "Revenue #" is not the revenue.
    expect(row({ 'Revenue #': '7' })[0]).toBeNaN();
    // The column named as the model reads it comes first: a model trained on the file reads its own columns.
    expect(row({ 'Re venue': '1', revenue: '2' })[0]).toBe(2);
    // A CRM's fields are named by its API: "Annual Revenue" is no HubSpot property.
    expect(row({ 'Annual Revenue': '5000' }, 'hubspot')[0]).toBeNaN();
    expect(row({ annual_revenue: '5000' }, 'hubspot')[0]).toBeNaN();
  });
  it('reads per source (HubSpot strings, epoch ms)', () => {
    const row = featurizeRecord({ annualrevenue: '5000', numberofemployees: '1000+', opted_in: 'true', notes_last_updated: String(Date.UTC(2026, 9, 1)) }, features, 'hubspot', now);
    expect(row[0]).toBe(5000);
    expect(row[1]).toBe(1000);
    expect(row[2]).toBe(1);
    expect(row[4]).toBe(31);
    expect(Number.isNaN(row[3])).toBe(true); // no hubspot mapping for source
  });
  it('reads a number beyond float32 as missing, not as the Infinity the float32 row would hold', () => {
    const row = featurizeRecord({ revenue: '1e39', employees: -1e39, clicks: '1e30', opens: '1e-10' }, features, 'csv', now);
    expect(Number.isNaN(row[0])).toBe(true);
    expect(Number.isNaN(row[1])).toBe(true);
    expect(Number.isNaN(row[7])).toBe(true); // the ratio 1e40
    expect(featurizeRecord({ revenue: '3e38' }, features, 'csv', now)[0]).toBe(Math.fround(3e38));
    expect(describeFeatureValue({ revenue: '1e39' }, features[0], 'csv', now)).toBe('');
  });
  it('many records → row-major [N, F]', () => {
    const recs = [{ revenue: '1' }, { revenue: '2' }];
    const out = featurizeRecords(recs, features, 'csv', now);
    expect(out.length).toBe(2 * features.length);
    expect(out[0]).toBe(1);
    expect(out[features.length]).toBe(2);
  });
  it('levelCode matches a picklist label shown on a page to the API value in the vocabulary', () => {
    const feature = { vocabulary: ['Web', 'ORGANIC_SEARCH', 'PAID_SEARCH', '(other)'], otherCode: 3 };
    expect(levelCode('ORGANIC_SEARCH', feature)).toBe(1);
    expect(levelCode('Organic Search', feature)).toBe(1);
    expect(levelCode('paid-search', feature)).toBe(2);
    expect(levelCode('web', feature)).toBe(0);
    expect(levelCode('Email Marketing', feature)).toBe(3);
  });

  it('levelCode without otherCode gives NaN for unseen', () => {
    expect(levelCode('nope', { vocabulary: ['a'] })).toBeNaN();
  });

  it('levelCode tells apart levels written alike but for their vowel signs (Devanagari, Thai, Tamil)', () => {
    const feature = { vocabulary: ['दिन', 'कुल राशि', 'ราคา', 'விலை', '(other)'], otherCode: 4 };
    expect(['दान', 'कॉल राशि', 'รีคา', 'வலை'].map((level) => levelCode(level, feature))).toEqual([4, 4, 4, 4]);
    expect(['दिन', 'कुल-राशि', 'ราคา', 'விலை'].map((level) => levelCode(level, feature))).toEqual([0, 1, 2, 3]);
  });
});

describe('"days since" for a rep far from UTC', () => {
  const lastActivity: Feature = {
    key: 'days_since_activity',
    label: 'Days since last activity',
    type: 'numeric',
    unit: 'days',
    derive: { kind: 'daysSince', from: { salesforce: 'LastActivityDate', hubspot: 'notes_last_updated' } },
    missingValues: [],
    actionable: true,
  };
  // 8 pm on Dec 1 in Los Angeles is Dec 2 in UTC; 9 am on Dec 2 in Auckland is still Dec 1 in UTC.
  const laEvening = new Date('2026-12-01T20:00:00-08:00');
  const aucklandMorning = new Date('2026-12-02T09:00:00+13:00');
  const days = (fields: Record<string, RawValue>, source: 'salesforce' | 'hubspot', now: Date, utcOffsetMinutes?: number) =>
    featurizeRecord(fields, [lastActivity], source, now, utcOffsetMinutes)[0];

  it('counts a Date field (a date alone) in calendar days to the rep\'s today: set today, it is 0 days ago all day', () => {
    expect(days({ LastActivityDate: '2026-12-01' }, 'salesforce', laEvening, -480)).toBe(0);
    expect(days({ LastActivityDate: '2026-11-30' }, 'salesforce', laEvening, -480)).toBe(1);
    expect(days({ LastActivityDate: '2026-12-02' }, 'salesforce', aucklandMorning, 780)).toBe(0);
    expect(days({ LastActivityDate: '2026-12-01' }, 'salesforce', aucklandMorning, 780)).toBe(1);
    expect(featurizeRecords([{ LastActivityDate: '2026-12-01' }, { LastActivityDate: '2026-11-28' }], [lastActivity], 'salesforce', laEvening, -480)).toEqual(Float32Array.of(0, 3));
  });

  it('counts on this browser\'s clock when given none, as badges and the side panel score', async () => {
    await inTimeZone('America/Los_Angeles', () => {
      expect(days({ LastActivityDate: '2026-12-01' }, 'salesforce', laEvening)).toBe(0);
      expect(featurizeRecords([{ LastActivityDate: '2026-11-30' }], [lastActivity], 'salesforce', laEvening)[0]).toBe(1);
      expect(describeFeatureValue({ LastActivityDate: '2026-12-01' }, lastActivity, 'salesforce', laEvening)).toBe('0 days');
    });
    await inTimeZone('Pacific/Auckland', () => {
      expect(days({ LastActivityDate: '2026-12-02' }, 'salesforce', aucklandMorning)).toBe(0);
      expect(days({ LastActivityDate: '2026-12-01' }, 'salesforce', aucklandMorning)).toBe(1);
    });
  });

  it('keeps a date-time\'s days the whole 24 hours elapsed since it, on any clock', async () => {
    // 11 pm on Nov 30 in Los Angeles: the day before on the calendar, 21 hours before laEvening.
    const lateLastNight = { notes_last_updated: '2026-11-30T23:00:00-08:00' };
    expect(days(lateLastNight, 'hubspot', laEvening, -480)).toBe(0);
    expect(days(lateLastNight, 'hubspot', laEvening, 0)).toBe(0);
    await inTimeZone('America/Los_Angeles', () => expect(days(lateLastNight, 'hubspot', laEvening)).toBe(0));
  });
});

describe('looseKey', () => {
  // Every character on its own: a key is made character by character, so this holds for every ASCII name.
  it('keeps of ASCII text its letters, lower-cased, and digits, and nothing else', () => {
    for (let code = 0; code < 128; code++) {
      const char = String.fromCharCode(code);
      expect(looseKey(char), `U+${code.toString(16).padStart(4, '0')}`).toBe(/[A-Za-z0-9]/.test(char) ? char.toLowerCase() : '');
    }
    expect(['Lead Source', 'lead_source', 'LeadSource', 'ORGANIC_SEARCH', 'Annual Revenue ($)', 'Converted_Date__c', 'hs-analytics-source', 'e-mail 2'].map(looseKey)).toEqual([
      'leadsource', 'leadsource', 'leadsource', 'organicsearch', 'annualrevenue', 'converteddatec', 'hsanalyticssource', 'email2',
    ]);
  });

  it('keeps the marks written on letters, which are the vowels of Indic scripts', () => {
    expect(looseKey('कुल राशि')).not.toBe(looseKey('कॉल राशि'));
    expect(looseKey('दिन')).not.toBe(looseKey('दान'));
    expect(looseKey('कुल_राशि')).toBe(looseKey('कुल राशि'));
  });
});

describe('describeFeatureValue', () => {
  const rec = { revenue: '1200000', employees: '1,200', opted_in: '0', source: 'Web', last_activity: '2026-10-20', title: 'VP Sales', email: 'ann@acme.io', clicks: '1', opens: '3', created: '2026-11-01' };
  // Read in UTC, whose date `now` is midnight of: a date alone counts to the date on the browser's clock.
  it.each([
    [0, '$1,200,000'],
    [1, '1,200'],
    [2, 'No'],
    [3, 'Web'],
    [4, '12 days'],
    [5, 'VP Sales'],
    [6, 'Company e-mail (acme.io)'],
    [7, '0.33'],
    [8, 'Sunday'],
  ])('feature %i → %s', (i, want) => inTimeZone('UTC', () => expect(describeFeatureValue(rec, features[i], 'csv', now)).toBe(want)));
  it('missing → ""', () => {
    expect(describeFeatureValue({}, features[0], 'csv', now)).toBe('');
    expect(describeFeatureValue({ source: 'Select' }, features[3], 'csv', now)).toBe('');
  });
  it('a boolean the model cannot read is missing, as it was scored', () => {
    expect(describeFeatureValue({ opted_in: 'Opted out' }, features[2], 'csv', now)).toBe('');
  });
  it('never says a date after today was "-1 days" ago', () =>
    inTimeZone('UTC', () => {
      expect(describeFeatureValue({ last_activity: '2026-11-02' }, features[4], 'csv', now)).toBe('0 days');
      expect(describeFeatureValue({ last_activity: '2026-10-31' }, features[4], 'csv', now)).toBe('1 day');
    }));
  it("words a choice field's value as the lead's CRM labels it on its pages, and no other source's", () => {
    const source = { ...features[3], derive: { kind: 'value' as const, from: { hubspot: 'hs_analytics_source', csv: 'source' }, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social' } } } };
    expect(describeFeatureValue({ hs_analytics_source: 'SOCIAL_MEDIA' }, source, 'hubspot', now)).toBe('Organic Social');
    expect(describeFeatureValue({ hs_analytics_source: 'PAID_SEARCH' }, source, 'hubspot', now)).toBe('PAID_SEARCH');
    expect(describeFeatureValue({ hs_analytics_source: 'constructor' }, source, 'hubspot', now)).toBe('constructor');
    expect(describeFeatureValue({ source: 'SOCIAL_MEDIA' }, source, 'csv', now)).toBe('SOCIAL_MEDIA');
  });
  it('names the domain of an address written with a name', () => {
    expect(describeFeatureValue({ email: 'Ada Lovelace <ada@Gmail.com>' }, features[6], 'csv', now)).toBe('Free e-mail (gmail.com)');
  });
  const employees = (shown: RawValue) => describeFeatureValue({ numberofemployees: shown }, features[1], 'hubspot', now);
  const revenue = (shown: RawValue, written?: RawValue) => describeFeatureValue({ AnnualRevenue: shown }, features[0], 'salesforce', now, written);
  it("words HubSpot's employee ranges as the CRM wrote them, though the model reads a range's lower end", () => {
    const ranges = ['1-5', '5-25', '25-50', '1000+', '10,000+'];
    expect(ranges.map(employees)).toEqual(ranges);
    expect(ranges.map((shown) => featurizeRecord({ numberofemployees: shown }, features, 'hubspot', now)[1])).toEqual([1, 5, 25, 1000, 10000]);
  });
  it("words an amount with its currency, or a number in a locale's format, as the CRM wrote it (trimmed), never in the manifest's dollars", () => {
    expect(revenue(' £850,000 ')).toBe('£850,000');
    expect(revenue('¥120,000,000')).toBe('¥120,000,000');
    expect(revenue('25,000,000.00')).toBe('25,000,000.00');
  });
  it('words a plain number, as an API sends it, with the unit', () => {
    expect(revenue(1200000)).toBe('$1,200,000');
    expect(revenue(' 1200000 ')).toBe('$1,200,000');
    expect(revenue('-2500.0')).toBe('-$2,500');
    expect(employees('1200')).toBe('1,200');
  });
  it('words the text of the page the record was read from, when it is no plain number; missing stays missing', () => {
    // A German page's "€1.200.000" is read into the record as 1200000 (page-values.ts).
    expect(revenue('1200000', '€1.200.000')).toBe('€1.200.000');
    expect(revenue('1200000', 'SEK 25,000,000.00')).toBe('SEK 25,000,000.00');
    expect(revenue('1200000', '1200000')).toBe('$1,200,000');
    expect(revenue('N/A', '€1.200.000')).toBe('');
    // A German page's "1.500" employees, read as 1500: plain data's 1.5, so no plain number of it, and never restated as "1,500".
    expect(describeFeatureValue({ numberofemployees: '1500' }, features[1], 'hubspot', now, '1.500')).toBe('1.500');
    expect(describeFeatureValue({ numberofemployees: '1500' }, features[1], 'hubspot', now, '1500')).toBe('1,500');
    // A number computed from the fields is worded as computed.
    expect(describeFeatureValue({ clicks: '1', opens: '3' }, features[7], 'csv', now, '1 of 3')).toBe('0.33');
  });
});

describe('levelAsShown', () => {
  const [source, seniority, emailKind, createdOn] = [features[3], features[5], features[6], features[8]];
  const lastPage: Feature = { key: 'last_page', label: 'Last page seen', type: 'categorical', vocabulary: [...URL_CATEGORIES], derive: { kind: 'urlCategory', from: { csv: 'page' } }, missingValues: [], actionable: true };

  it('words every level LeadLens derives for a rep; the codes stay the model\'s', () => {
    expect(SENIORITY_LEVELS.map((level) => levelAsShown(level, seniority, 'csv'))).toEqual([
      'C-level', 'VP', 'Director', 'Manager', 'Individual contributor', 'Student or intern', 'No current company role',
    ]);
    expect(URL_CATEGORIES.map((category) => levelAsShown(category, lastPage, 'hubspot'))).toEqual([
      'Pricing page', 'Demo or sign-up page', 'Contact page', 'Docs or help page', 'Blog or resource page', 'Careers page', 'Product page', 'Home page', 'Other page',
    ]);
    expect(EMAIL_DOMAIN_KINDS.map((kind) => levelAsShown(kind, emailKind, 'salesforce'))).toEqual(['Free e-mail', 'Company e-mail']);
  });

  it('keeps a level no derivation makes as it is: the pooled "(other)", "missing", a day\'s name, a name of Object\'s', () => {
    for (const level of ['(other)', 'missing', 'VP', 'constructor', '__proto__', 'toString']) expect(levelAsShown(level, seniority, 'csv')).toBe(level);
    expect(levelAsShown('Sunday', createdOn, 'csv')).toBe('Sunday');
  });

  it("keeps a CRM field's own values, labelled as its pages label them, and a number's bins", () => {
    const labelled: Feature = { ...source, derive: { kind: 'value', from: { hubspot: 'hs_analytics_source' }, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social' } } } };
    expect(levelAsShown('vp', source, 'csv')).toBe('vp');
    expect(levelAsShown('SOCIAL_MEDIA', labelled, 'hubspot')).toBe('Organic Social');
    // The Model report: no source, a CRM's value as it stores it.
    expect(levelAsShown('SOCIAL_MEDIA', labelled)).toBe('SOCIAL_MEDIA');
    expect(levelAsShown('vp', { ...seniority, type: 'numeric' }, 'csv')).toBe('vp');
  });

  it("words a page's category in its reason", () => {
    expect(describeFeatureValue({ page: 'https://acme.io/en/pricing' }, lastPage, 'csv', now)).toBe('Pricing page');
    expect(describeFeatureValue({ page: 'not a page' }, lastPage, 'csv', now)).toBe('');
  });
});

describe('sourceSupplies', () => {
  it('is whether the source has a field for the feature, for a ratio both of its parts', () => {
    expect(sourceSupplies(features[1], 'hubspot')).toBe(true);
    expect(sourceSupplies(features[1], 'salesforce')).toBe(false);
    expect(sourceSupplies(features[7], 'csv')).toBe(true);
    expect(sourceSupplies({ derive: { kind: 'ratio', numerator: { csv: 'clicks', hubspot: 'clicks' }, denominator: { csv: 'opens' } } }, 'hubspot')).toBe(false);
  });
});
