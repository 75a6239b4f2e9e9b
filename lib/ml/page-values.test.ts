import { describe, expect, it } from 'vitest';
import type { Feature } from './manifest';
import { featurizeRecord } from './featurize';
import { pageConventions, pageFieldsAsData } from './page-values';

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
];

describe('pageConventions', () => {
  it("reads a locale's decimal separator and day-month order from Intl", () => {
    expect(pageConventions('de-DE')).toEqual({ numberFormat: 'comma-decimal', dateOrder: 'day-first' });
    expect(pageConventions('de')).toEqual({ numberFormat: 'comma-decimal', dateOrder: 'day-first' });
    expect(pageConventions('en-GB')).toEqual({ numberFormat: 'dot-decimal', dateOrder: 'day-first' });
    expect(pageConventions('en-US')).toEqual({ numberFormat: 'dot-decimal', dateOrder: 'month-first' });
    expect(pageConventions('en')).toEqual({ numberFormat: 'dot-decimal', dateOrder: 'month-first' });
    expect(pageConventions('fr-FR')).toEqual({ numberFormat: 'comma-decimal', dateOrder: 'day-first' });
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
    expect(data.CreatedDate).toBe('2026-03-01T14:30:00');
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
