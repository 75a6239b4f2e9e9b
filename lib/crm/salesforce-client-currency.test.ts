/**
 * A multi-currency Salesforce org keeps each Lead's amounts (AnnualRevenue, custom currency
 * fields) in that Lead's own currency (CurrencyIsoCode): the client hands them on in the
 * corporate currency, at CurrencyType's rates, so a lead's ¥500,000,000 is not taken for 100
 * times a $5,000,000 one. A single-currency org's are read as they are.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_OWNERS, generateDemoLeads, type DemoLead } from './demo-data';
import { amountInCorporateCurrency, type CrmClient, type CrmRecord } from './client';
import { createSalesforceClient, withAmountsInCorporateCurrency } from './salesforce-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { LeadLensDb } from '../db/db';
import { runSync } from '../sync/engine';
import { dexieSyncStore } from '../sync/store';
import { demoFetch } from '../../test/demo-crm/fetch';
import { defaultSalesforceOptions, extraFieldValue, salesforceApi, type DemoCurrency, type DemoExtraLeadField, type DemoMultiCurrency, type DemoSalesforceOptions } from '../../test/demo-crm/salesforce-api';
import { createDemoStore } from '../../test/demo-crm/store';

const NOW = new Date('2026-11-01T00:00:00Z');
const DB = 'leadlens-salesforce-currency-test';
afterEach(() => Dexie.delete(DB));

describe('withAmountsInCorporateCurrency', () => {
  const rates = new Map([['USD', 1], ['JPY', 150], ['EUR', 0.9]]);

  it('divides each amount by the rate of the lead’s currency, and leaves other fields as they are', () => {
    const lead = { Id: 'x', CurrencyIsoCode: 'JPY', AnnualRevenue: 300_000_000, Deal__c: 1_500, NumberOfEmployees: 40, Industry: 'Energy' };
    expect(withAmountsInCorporateCurrency(lead, ['AnnualRevenue', 'Deal__c'], rates)).toEqual({ Id: 'x', CurrencyIsoCode: 'JPY', AnnualRevenue: 2_000_000, Deal__c: 10, NumberOfEmployees: 40, Industry: 'Energy' });
    expect(withAmountsInCorporateCurrency({ CurrencyIsoCode: 'EUR', AnnualRevenue: 900 }, ['AnnualRevenue'], rates)).toEqual({ CurrencyIsoCode: 'EUR', AnnualRevenue: 1_000 });
    expect(withAmountsInCorporateCurrency({ CurrencyIsoCode: 'USD', AnnualRevenue: 5_000_000 }, ['AnnualRevenue'], rates)).toEqual({ CurrencyIsoCode: 'USD', AnnualRevenue: 5_000_000 });
  });

  it('empties the amounts of a lead whose currency has no rate, or that names none, rather than mix currencies', () => {
    expect(withAmountsInCorporateCurrency({ CurrencyIsoCode: 'SEK', AnnualRevenue: 25_000_000, City: 'Malmö' }, ['AnnualRevenue'], rates)).toEqual({ CurrencyIsoCode: 'SEK', AnnualRevenue: null, City: 'Malmö' });
    expect(withAmountsInCorporateCurrency({ CurrencyIsoCode: null, AnnualRevenue: 25_000_000 }, ['AnnualRevenue'], rates)).toEqual({ CurrencyIsoCode: null, AnnualRevenue: null });
  });

  it('keeps an empty amount empty, and a lead without the fields as it is', () => {
    expect(withAmountsInCorporateCurrency({ CurrencyIsoCode: 'JPY', AnnualRevenue: null }, ['AnnualRevenue'], rates)).toEqual({ CurrencyIsoCode: 'JPY', AnnualRevenue: null });
    const lead = { CurrencyIsoCode: 'JPY', Title: 'CFO' };
    expect(withAmountsInCorporateCurrency(lead, ['AnnualRevenue'], rates)).toBe(lead);
  });
});

/** The demo org's currencies: dollars are corporate; Swiss francs were in use once, and Leads kept them. */
const CURRENCIES: readonly DemoCurrency[] = [
  { IsoCode: 'USD', ConversionRate: 1, IsCorporate: true, IsActive: true },
  { IsoCode: 'JPY', ConversionRate: 150, IsCorporate: false, IsActive: true },
  { IsoCode: 'EUR', ConversionRate: 0.8, IsCorporate: false, IsActive: true },
  { IsoCode: 'CHF', ConversionRate: 0.5, IsCorporate: false, IsActive: false },
];
const RATE = new Map(CURRENCIES.map((currency) => [currency.IsoCode, currency.ConversionRate]));

const served = generateDemoLeads({ count: 240, seed: 11, now: NOW }).filter((lead) => lead.salesforce.AnnualRevenue !== null);
/** Each lead's currency, in turn; every 40th in one the org does not have (data loaded past Salesforce's checks). */
const currencyByLead = new Map(served.map((lead, i) => [lead, i % 40 === 39 ? 'XXX' : CURRENCIES[i % CURRENCIES.length].IsoCode]));
const MULTI_CURRENCY: DemoMultiCurrency = { currencies: CURRENCIES, leadCurrency: (lead) => currencyByLead.get(lead)! };
const byId = new Map(served.map((lead) => [lead.salesforceId, lead]));

/** A demo org serving `served`, a client of it, and the URLs it was asked. */
function org(salesforce: Partial<DemoSalesforceOptions>) {
  const clock = virtualClock(NOW.getTime());
  const api = salesforceApi(createDemoStore(served, DEMO_OWNERS), clock.now, { ...defaultSalesforceOptions(), ...salesforce });
  const asked: string[] = [];
  const client = createSalesforceClient({
    instanceUrl: 'https://acme.my.salesforce.com',
    apiVersion: '67.0',
    accessToken: async () => '00Dsession!token',
    clock,
    fetch: demoFetch((request) => {
      asked.push(decodeURIComponent(request.url.pathname + request.url.search));
      return api(request);
    }),
  });
  const ratesRead = () => asked.filter((url) => url.includes('FROM CurrencyType')).length;
  return { client, clock, asked, ratesRead };
}

/** The demo's own number, in the lead's currency, in dollars: null for a currency the org has no rate of. */
function inDollars(lead: DemoLead, amount: number | null): number | null {
  const rate = RATE.get(currencyByLead.get(lead)!);
  return amount === null || rate === undefined ? null : amount / rate;
}

async function everyChange(client: CrmClient): Promise<CrmRecord[]> {
  const records: CrmRecord[] = [];
  let token: string | null = null;
  do {
    const page = await client.listChanged(null, token);
    records.push(...page.records);
    token = page.next;
  } while (token !== null);
  return records;
}

describe('Salesforce client: a multi-currency org', () => {
  const revenue = (record: CrmRecord) => record.fields.AnnualRevenue;

  it('syncs every Lead’s amounts in the corporate currency, one left empty whose currency has no rate, reading the rates once', async () => {
    const { client, ratesRead } = org({ multiCurrency: MULTI_CURRENCY });
    const records = await everyChange(client);
    expect(records).toHaveLength(served.length);
    const wrong = records.filter((record) => {
      const lead = byId.get(record.id)!;
      return revenue(record) !== inDollars(lead, lead.salesforce.AnnualRevenue) || record.fields.CurrencyIsoCode !== currencyByLead.get(lead);
    });
    expect(wrong.map((record) => [record.id, record.fields.CurrencyIsoCode, revenue(record)])).toEqual([]);
    const yen = records.find((record) => record.fields.CurrencyIsoCode === 'JPY')!;
    expect(revenue(yen)).toBe(byId.get(yen.id)!.salesforce.AnnualRevenue! / 150);
    // A currency made inactive still has its rate: Leads keep it, and Salesforce converts their amounts at it.
    const francs = records.find((record) => record.fields.CurrencyIsoCode === 'CHF')!;
    expect(revenue(francs)).toBe(byId.get(francs.id)!.salesforce.AnnualRevenue! * 2);
    expect(records.filter((record) => record.fields.CurrencyIsoCode === 'XXX').map(revenue)).toEqual(Array(Math.floor(served.length / 40)).fill(null));
    expect(ratesRead()).toBe(1);
  });

  it('says it converts amounts, so that a sync storing them unconverted before reads every Lead again', async () => {
    expect(await org({ multiCurrency: MULTI_CURRENCY }).client.amountsInCorporateCurrency?.()).toBe(true);
  });

  it('gives the rates it converts at, read once for its reads and a record page’s amounts alike', async () => {
    const { client, ratesRead } = org({ multiCurrency: MULTI_CURRENCY });
    const jpy = served[1];
    const [rates, read] = await Promise.all([client.corporateCurrencyRates?.(), client.readRecord(jpy.salesforceId, { fields: ['AnnualRevenue'] })]);
    expect(rates).toEqual(RATE);
    // The page's ¥ amount at them is the API's, to the last bit: the same division of the same numbers.
    expect(amountInCorporateCurrency(jpy.salesforce.AnnualRevenue!, 'JPY', rates!)).toBe(read?.fields.AnnualRevenue);
    expect(amountInCorporateCurrency(1_000, 'XXX', rates!)).toBeNull();
    expect(ratesRead()).toBe(1);
  });

  it('reads one Lead, as a badge does, and a batch of them, in the corporate currency, with the Lead’s currency read along', async () => {
    const { client, asked, ratesRead } = org({ multiCurrency: MULTI_CURRENCY });
    const [usd, jpy, eur] = served;
    const one = await client.readRecord(jpy.salesforceId, { fields: ['AnnualRevenue', 'NumberOfEmployees'] });
    expect(one?.fields).toMatchObject({ AnnualRevenue: jpy.salesforce.AnnualRevenue! / 150, NumberOfEmployees: jpy.salesforce.NumberOfEmployees });
    expect(asked.find((url) => url.includes(`/sobjects/Lead/${jpy.salesforceId}`))).toContain('CurrencyIsoCode');
    const batch = await client.batchRead([usd, jpy, eur].map((lead) => lead.salesforceId), { fields: ['annualrevenue'] });
    expect(new Map(batch.map((record) => [record.id, revenue(record)]))).toEqual(
      new Map([usd, jpy, eur].map((lead) => [lead.salesforceId, inDollars(lead, lead.salesforce.AnnualRevenue)])),
    );
    expect(ratesRead()).toBe(1);
  });

  it('reads a Lead without asking for its currency or the rates when no amount is read', async () => {
    const { client, asked, ratesRead } = org({ multiCurrency: MULTI_CURRENCY });
    const lead = served[1];
    expect((await client.readRecord(lead.salesforceId, { fields: ['Industry'] }))?.fields).toEqual({ Id: lead.salesforceId, SystemModstamp: lead.salesforce.SystemModstamp, Industry: lead.salesforce.Industry });
    expect(asked.some((url) => url.includes('CurrencyIsoCode'))).toBe(false);
    expect(ratesRead()).toBe(0);
  });

  it('converts custom currency fields and formula amounts too, also when the fields are read in groups', async () => {
    const deal: DemoExtraLeadField = { name: 'ZoomInfo__Revenue__c', type: 'currency' };
    const formula: DemoExtraLeadField = { name: 'Expected_Deal__c', type: 'currency', formulaLength: 10 };
    const score: DemoExtraLeadField = { name: 'Fit_Score__c', type: 'double' };
    // Hundreds of a package's text fields: no statement names them all, so the Lead's currency and its amounts come from different reads.
    const packageFields = Array.from({ length: 500 }, (_, i): DemoExtraLeadField => ({ name: `Pkg__Attribute_${String(i).padStart(3, '0')}__c`, type: 'string' }));
    const extra = [deal, ...packageFields, formula, score];
    const { client, asked } = org({ multiCurrency: MULTI_CURRENCY, extraLeadFields: extra });
    const records = await everyChange(client);
    expect(asked.some((url) => url.includes('SELECT Id,SystemModstamp FROM Lead'))).toBe(true);
    const wrong = records.filter((record) => {
      const lead = byId.get(record.id)!;
      const expected = [deal, formula].every((field) => record.fields[field.name] === inDollars(lead, extraFieldValue(lead, field) as number));
      return !expected || record.fields[score.name] !== extraFieldValue(lead, score) || revenue(record) !== inDollars(lead, lead.salesforce.AnnualRevenue);
    });
    expect(wrong.map((record) => record.id)).toEqual([]);

    const calculated = (await client.listCalculated!(null))!;
    expect(calculated.records).toHaveLength(served.length);
    for (const { id, fields } of calculated.records) {
      const lead = byId.get(id)!;
      expect(fields).toEqual({ [formula.name]: inDollars(lead, extraFieldValue(lead, formula) as number) });
    }
  });

  it('stores the synced leads’ amounts in the corporate currency', async () => {
    const { client } = org({ multiCurrency: MULTI_CURRENCY });
    const db = new LeadLensDb(DB);
    const state = await runSync({ client, store: dexieSyncStore(db), now: () => NOW.getTime() });
    expect(state).toMatchObject({ status: 'done', error: null, lastRun: { synced: served.length } });
    const jpy = served[1];
    const stored = await db.leads.get(`salesforce|${jpy.salesforceId}`);
    expect(stored?.fields.AnnualRevenue).toBe(jpy.salesforce.AnnualRevenue! / 150);
    db.close();
  });

  it('reads the rates again once describe may be read again: an admin updates them', async () => {
    const currencies = CURRENCIES.map((currency) => ({ ...currency }));
    const { client, clock, ratesRead } = org({ multiCurrency: { ...MULTI_CURRENCY, currencies } });
    const jpy = served[1];
    expect((await client.readRecord(jpy.salesforceId, { fields: ['AnnualRevenue'] }))?.fields.AnnualRevenue).toBe(jpy.salesforce.AnnualRevenue! / 150);
    currencies[1].ConversionRate = 100;
    expect((await client.readRecord(jpy.salesforceId, { fields: ['AnnualRevenue'] }))?.fields.AnnualRevenue).toBe(jpy.salesforce.AnnualRevenue! / 150);
    await clock.sleep(10 * 60_000);
    expect((await client.readRecord(jpy.salesforceId, { fields: ['AnnualRevenue'] }))?.fields.AnnualRevenue).toBe(jpy.salesforce.AnnualRevenue! / 100);
    expect(ratesRead()).toBe(2);
  });
});

describe('Salesforce client: a single-currency org', () => {
  it('reads amounts as they are, says it converts none, and never asks for currencies', async () => {
    const { client, asked } = org({});
    expect(await client.amountsInCorporateCurrency?.()).toBe(false);
    expect(await client.corporateCurrencyRates?.()).toBeNull();
    const records = await everyChange(client);
    expect(new Map(records.map((record) => [record.id, record.fields.AnnualRevenue]))).toEqual(new Map(served.map((lead) => [lead.salesforceId, lead.salesforce.AnnualRevenue])));
    expect((await client.readRecord(served[1].salesforceId, { fields: ['AnnualRevenue'] }))?.fields).toEqual({
      Id: served[1].salesforceId,
      SystemModstamp: served[1].salesforce.SystemModstamp,
      AnnualRevenue: served[1].salesforce.AnnualRevenue,
    });
    expect(asked.filter((url) => /Currency/.test(url))).toEqual([]);
  });
});
