/**
 * The demo Salesforce's limits on what one request names, called directly (no sockets): the
 * 16,384 bytes of URI and headers, and statements too complicated once expanded; and the Lead
 * fields beyond the stock ones a test gives it (`DemoSalesforceOptions`).
 */
import { describe, expect, it } from 'vitest';
import { DEMO_OWNERS, generateDemoLeads } from '../../lib/crm/demo-data';
import type { DemoRequest } from './http';
import { defaultSalesforceOptions, extraFieldValue, salesforceApi, type DemoExtraLeadField, type DemoMultiCurrency, type DemoSalesforceOptions } from './salesforce-api';
import { createDemoStore } from './store';

const leads = generateDemoLeads({ count: 300, seed: 4, now: new Date('2026-11-01T00:00:00Z') });
const AUTH = { authorization: 'Bearer 00Dsession!token' };
const TOO_COMPLICATED = [{ message: 'Query is either selecting too many fields or the filter conditions are too complicated.', errorCode: 'QUERY_TOO_COMPLICATED' }];

function org(options: Partial<DemoSalesforceOptions> = {}) {
  const api = salesforceApi(createDemoStore(leads, DEMO_OWNERS), Date.now, { ...defaultSalesforceOptions(), ...options });
  const get = (path: string, headers: Record<string, string> = {}) => {
    const url = new URL(`https://acme.my.salesforce.com${path}`);
    const request: DemoRequest = { method: 'GET', host: url.hostname, url, headers: { ...AUTH, ...headers }, body: '' };
    const response = api(request);
    return { status: response.status, body: response.body, json: () => JSON.parse(response.body) as unknown };
  };
  return { get, soql: (q: string, headers?: Record<string, string>) => get(`/services/data/v67.0/query?q=${encodeURIComponent(q)}`, headers) };
}

const field = (name: string, type: DemoExtraLeadField['type'], formulaLength?: number): DemoExtraLeadField => ({ name, type, ...(formulaLength !== undefined && { formulaLength }) });

describe('demo Salesforce: Lead fields beyond the stock ones', () => {
  const extra = [field('ZoomInfo__Revenue__c', 'currency'), field('Pardot_Grade__c', 'string'), field('Days_Since_Touch__c', 'double', 400)];

  it('describes them as custom and read-only, a formula field as calculated, and every Lead holds a value of each', () => {
    const { get, soql } = org({ extraLeadFields: extra });
    const described = (get('/services/data/v67.0/sobjects/Lead/describe').json() as { fields: { name: string; type: string; custom: boolean; updateable: boolean; calculated: boolean }[] }).fields;
    expect(described.slice(-3)).toEqual(extra.map((f) => expect.objectContaining({ name: f.name, type: f.type, custom: true, updateable: false, calculated: f.formulaLength !== undefined })));
    const { records } = soql(`SELECT Id,${extra.map((f) => f.name).join(',')} FROM Lead WHERE Id IN ('${leads[0].salesforceId}','${leads[1].salesforceId}')`).json() as { records: Record<string, unknown>[] };
    expect(records.map(({ attributes: _attributes, ...values }) => values)).toEqual(
      leads.slice(0, 2).map((lead) => ({ Id: lead.salesforceId, ...Object.fromEntries(extra.map((f) => [f.name, extraFieldValue(lead, f)])) })),
    );
    expect(typeof records[0].ZoomInfo__Revenue__c).toBe('number');
    expect(typeof records[0].Pardot_Grade__c).toBe('string');
    const one = get(`/services/data/v67.0/sobjects/Lead/${leads[0].salesforceId}?fields=Id,pardot_grade__c`).json();
    expect(one).toMatchObject({ Id: leads[0].salesforceId, Pardot_Grade__c: extraFieldValue(leads[0], extra[1]) });
  });

  it('has none by default', () => {
    expect(org().soql('SELECT Id,Pardot_Grade__c FROM Lead').json()).toEqual([{ message: "No such column 'Pardot_Grade__c' on entity 'Lead'.", errorCode: 'INVALID_FIELD' }]);
  });
});

describe('demo Salesforce: a statement too complicated once expanded', () => {
  it('is refused as Salesforce refuses it: a formula field counts by its formula', () => {
    const formulas = Array.from({ length: 10 }, (_, i) => field(`Score_Formula_${i}__c`, 'double', 10_000));
    const { soql, get } = org({ extraLeadFields: formulas });
    const all = `SELECT Id,${formulas.map((f) => f.name).join(',')} FROM Lead`;
    expect(soql(all)).toMatchObject({ status: 400 });
    expect(soql(all).json()).toEqual(TOO_COMPLICATED);
    expect(get(`/services/data/v67.0/sobjects/Lead/${leads[0].salesforceId}?fields=${formulas.map((f) => f.name).join(',')}`).json()).toEqual(TOO_COMPLICATED);
    expect(soql(`SELECT Id,${formulas.slice(0, 9).map((f) => f.name).join(',')} FROM Lead`)).toMatchObject({ status: 200 });
  });

  it('counts a currency field about twice, and past the length the options set', () => {
    const names = Array.from({ length: 20 }, (_, i) => `Revenue_Band_${String(i).padStart(2, '0')}__c`);
    const statement = `SELECT ${names.join(',')} FROM Lead`;
    const asNumbers = org({ extraLeadFields: names.map((name) => field(name, 'double')), maxExpandedSoqlLength: statement.length + 100 });
    const asCurrency = org({ extraLeadFields: names.map((name) => field(name, 'currency')), maxExpandedSoqlLength: statement.length + 100 });
    expect(asNumbers.soql(statement)).toMatchObject({ status: 200 });
    expect(asCurrency.soql(statement)).toMatchObject({ status: 400 });
    expect(asCurrency.soql(`SELECT ${names.slice(0, 4).join(',')} FROM Lead`)).toMatchObject({ status: 200 });
  });

  it('is never a statement of every stock Lead field by default', () => {
    const { get, soql } = org();
    const names = (get('/services/data/v67.0/sobjects/Lead/describe').json() as { fields: { name: string }[] }).fields.map((f) => f.name);
    expect(soql(`SELECT ${names.join(', ')} FROM Lead ORDER BY SystemModstamp ASC, Id ASC`)).toMatchObject({ status: 200 });
  });
});

describe('demo Salesforce: the 16,384 bytes of a request’s URI and headers', () => {
  it('refuses a URI longer with 414, and one the headers take past it with 431', () => {
    const { get } = org();
    const path = (length: number) => `/services/data/v67.0/sobjects/Lead/${leads[0].salesforceId}?fields=Id&pad=${'x'.repeat(length)}`;
    const base = path(0).length;
    expect(get(path(16_000 - base)).status).toBe(200);
    expect(get(path(16_385 - base))).toMatchObject({ status: 414, body: 'URI Too Long' });
    expect(get(path(16_000 - base), { 'x-padding': 'y'.repeat(1_000) })).toMatchObject({ status: 431, body: 'Request Header Fields Too Large' });
  });
});

describe('demo Salesforce: query cursors', () => {
  it('keeps one open only for results that take more than one batch: many answered whole drop no locator', () => {
    const { soql, get } = org();
    const first = soql('SELECT Id FROM Lead', { 'sforce-query-options': 'batchSize=200' }).json() as { done: boolean; nextRecordsUrl: string };
    expect(first.done).toBe(false);
    for (let i = 0; i < 60; i++) expect(soql(`SELECT Id FROM Lead WHERE Id IN ('${leads[i].salesforceId}')`).json()).toMatchObject({ done: true, totalSize: 1 });
    expect(get(first.nextRecordsUrl).json()).toMatchObject({ done: true, records: expect.any(Array) });
  });
});

describe('demo Salesforce: a multi-currency org', () => {
  const multiCurrency: DemoMultiCurrency = {
    currencies: [
      { IsoCode: 'USD', ConversionRate: 1, IsCorporate: true, IsActive: true },
      { IsoCode: 'JPY', ConversionRate: 150, IsCorporate: false, IsActive: true },
      { IsoCode: 'CHF', ConversionRate: 0.9, IsCorporate: false, IsActive: false },
    ],
    leadCurrency: (lead) => (lead === leads[1] ? 'JPY' : 'USD'),
  };

  it('describes Lead’s currency as a picklist of the active currencies, and answers it with each Lead, by query and by record', () => {
    const { get, soql } = org({ multiCurrency });
    const described = (get('/services/data/v67.0/sobjects/Lead/describe').json() as { fields: { name: string; type: string; picklistValues: { value: string }[] }[] }).fields;
    expect(described.find((f) => f.name === 'CurrencyIsoCode')).toMatchObject({ type: 'picklist', picklistValues: [{ value: 'USD' }, { value: 'JPY' }] });
    const { records } = soql(`SELECT Id,CurrencyIsoCode,AnnualRevenue FROM Lead WHERE Id IN ('${leads[0].salesforceId}','${leads[1].salesforceId}')`).json() as { records: Record<string, unknown>[] };
    expect(records.map(({ attributes: _attributes, ...values }) => values)).toEqual([
      { Id: leads[0].salesforceId, CurrencyIsoCode: 'USD', AnnualRevenue: leads[0].salesforce.AnnualRevenue },
      { Id: leads[1].salesforceId, CurrencyIsoCode: 'JPY', AnnualRevenue: leads[1].salesforce.AnnualRevenue },
    ]);
    expect(get(`/services/data/v67.0/sobjects/Lead/${leads[1].salesforceId}?fields=currencyisocode`).json()).toMatchObject({ Id: leads[1].salesforceId, CurrencyIsoCode: 'JPY' });
    expect(get(`/services/data/v67.0/sobjects/Lead/${leads[1].salesforceId}`).json()).toMatchObject({ CurrencyIsoCode: 'JPY', AnnualRevenue: leads[1].salesforce.AnnualRevenue });
  });

  it('answers CurrencyType, active currencies or all', () => {
    const { soql } = org({ multiCurrency });
    const rows = (q: string) => (soql(q).json() as { records: Record<string, unknown>[] }).records;
    expect(rows('SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType WHERE IsActive = true')).toEqual([
      { attributes: { type: 'CurrencyType' }, IsoCode: 'USD', ConversionRate: 1, IsCorporate: true },
      { attributes: { type: 'CurrencyType' }, IsoCode: 'JPY', ConversionRate: 150, IsCorporate: false },
    ]);
    expect(rows('SELECT IsoCode, ConversionRate FROM CurrencyType').map((row) => row.IsoCode)).toEqual(['USD', 'JPY', 'CHF']);
  });

  it('is single-currency by default: Lead has no CurrencyIsoCode and there is no CurrencyType', () => {
    const { get, soql } = org();
    const described = (get('/services/data/v67.0/sobjects/Lead/describe').json() as { fields: { name: string }[] }).fields;
    expect(described.map((f) => f.name)).not.toContain('CurrencyIsoCode');
    expect(soql('SELECT Id,CurrencyIsoCode FROM Lead').json()).toEqual([{ message: "No such column 'CurrencyIsoCode' on entity 'Lead'.", errorCode: 'INVALID_FIELD' }]);
    expect(soql('SELECT IsoCode FROM CurrencyType').json()).toEqual([{ message: "sObject type 'CurrencyType' is not supported.", errorCode: 'INVALID_TYPE' }]);
  });
});
