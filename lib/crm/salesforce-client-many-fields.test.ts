/**
 * A Lead object with more fields than one SOQL statement takes: hundreds of custom fields, as
 * managed packages (Marketo, Pardot, ZoomInfo) add, make a statement longer than a URL holds
 * (414), and a statement naming many formula or currency fields is one Salesforce refuses as
 * QUERY_TOO_COMPLICATED.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_OWNERS, generateDemoLeads, type DemoLead } from './demo-data';
import type { ChangedPage, CrmClient, CrmRecord } from './client';
import { createSalesforceClient } from './salesforce-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { LeadLensDb } from '../db/db';
import { runSync } from '../sync/engine';
import { dexieSyncStore } from '../sync/store';
import { demoFetch } from '../../test/demo-crm/fetch';
import type { DemoHandler } from '../../test/demo-crm/http';
import { defaultSalesforceOptions, extraFieldValue, salesforceApi, type DemoExtraLeadField, type DemoSalesforceOptions } from '../../test/demo-crm/salesforce-api';
import { createDemoStore } from '../../test/demo-crm/store';

const NOW = new Date('2026-11-01T00:00:00Z');
const DB = 'leadlens-salesforce-many-fields-test';
afterEach(() => Dexie.delete(DB));

/** `count` fields of a managed package, text and numbers: 500 of them take ~18,500 bytes of URL. */
const packageFields = (count: number): DemoExtraLeadField[] =>
  Array.from({ length: count }, (_, i) => ({ name: `ZoomInfo__Company_Attribute_${String(i).padStart(3, '0')}__c`, type: i % 3 === 0 ? 'string' : 'double' }));

/** `count` formula fields, each adding `formulaLength` characters to a statement naming it once Salesforce expands it. */
const formulaFields = (count: number, formulaLength: number): DemoExtraLeadField[] =>
  Array.from({ length: count }, (_, i) => ({ name: `Marketo_Score_Formula_${String(i).padStart(3, '0')}__c`, type: 'double', formulaLength }));

/**
 * A demo org serving `served`, its Lead with `salesforce.extraLeadFields` too, and a client of it;
 * `answered`: each request's URL and the status of its answer. `batchSize`: the records a query
 * answers at a time, whatever it asks (Salesforce sends smaller batches when it sees fit).
 */
function org(served: readonly DemoLead[], salesforce: Partial<DemoSalesforceOptions>, batchSize?: number) {
  const clock = virtualClock(NOW.getTime());
  const store = createDemoStore(served, DEMO_OWNERS);
  const api = salesforceApi(store, clock.now, { ...defaultSalesforceOptions(), ...salesforce });
  const answered: { url: string; status: number }[] = [];
  let onRequest: (url: URL) => void = () => undefined;
  const handle: DemoHandler = (request) => {
    onRequest(request.url);
    const asked = batchSize === undefined ? request : { ...request, headers: { ...request.headers, 'sforce-query-options': `batchSize=${batchSize}` } };
    const response = api(asked);
    answered.push({ url: request.url.pathname + request.url.search, status: response.status });
    return response;
  };
  const client = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => '00Dsession!token', clock, fetch: demoFetch(handle) });
  return { client, store, answered, onRequest: (watch: (url: URL) => void) => void (onRequest = watch) };
}

/** Every page of changes, as a sync reads them. */
async function everyPage(client: CrmClient): Promise<ChangedPage[]> {
  const pages: ChangedPage[] = [];
  let token: string | null = null;
  do {
    const page = await client.listChanged(null, token);
    pages.push(page);
    token = page.next;
  } while (token !== null);
  return pages;
}

const everyChange = async (client: CrmClient): Promise<CrmRecord[]> => (await everyPage(client)).flatMap((page) => page.records);

/**
 * `records`' fields are those a one-statement read of the stock demo org gives, with each of
 * `extra` of its lead: compared here, as thousands of Leads × hundreds of fields take `toEqual` long.
 */
async function expectEveryField(records: readonly Pick<CrmRecord, 'id' | 'fields'>[], served: readonly DemoLead[], extra: readonly DemoExtraLeadField[], emptyLeftOut = false) {
  const stock = new Map((await org(served, {}).client.batchRead(records.map((record) => record.id))).map((record) => [record.id, record.fields]));
  const byId = new Map(served.map((lead) => [lead.salesforceId, lead]));
  const extraByName = new Map(extra.map((field) => [field.name, field]));
  const wrong = records.flatMap((record) => {
    const lead = byId.get(record.id)!;
    const stockFields = stock.get(record.id) ?? {};
    const expected = (name: string) => {
      const field = extraByName.get(name);
      return field ? extraFieldValue(lead, field) : stockFields[name];
    };
    // A stored lead holds no field without a value (`emptyLeftOut`); a record read from the CRM holds each, null.
    const differing = [...Object.keys(stockFields), ...extraByName.keys()].filter((name) => (emptyLeftOut && expected(name) === null ? name in record.fields : record.fields[name] !== expected(name)));
    const unexpected = Object.keys(record.fields).filter((name) => !(name in stockFields) && !extraByName.has(name));
    return [...differing, ...unexpected].map((name) => `${record.id}.${name}: ${String(record.fields[name])}, not ${String(expected(name))}`);
  });
  expect(wrong).toEqual([]);
}

const refused = (answered: readonly { status: number }[]) => answered.filter((answer) => answer.status >= 400).length;

describe('a Lead with more fields than one URL holds', () => {
  // A minute at most: 2,000 Leads × 500 fields are a million values, each sent and parsed as JSON.
  it('lists every change with every field: the changes paged by Id and SystemModstamp, the other fields read by Id in groups that each fit a URL', { timeout: 60_000 }, async () => {
    const served = generateDemoLeads({ count: 2000, seed: 5, now: NOW });
    const extra = packageFields(500);
    const { client, answered } = org(served, { extraLeadFields: extra });
    await client.syncedFields(); // describe
    answered.length = 0;
    const records = await everyChange(client);
    expect(records.map((record) => record.id).sort()).toEqual(served.map((lead) => lead.salesforceId).sort());
    await expectEveryField(records, served, extra);
    // Known too long before asking: nothing is refused, and no URL comes near Salesforce's limit with the headers.
    expect(refused(answered)).toBe(0);
    expect(Math.max(...answered.map((answer) => answer.url.length))).toBeLessThanOrEqual(12_288);
    expect(decodeURIComponent(answered[0].url)).toBe('/services/data/v67.0/query?q=SELECT Id,SystemModstamp FROM Lead ORDER BY SystemModstamp ASC, Id ASC');
    // 2,000 Leads × 500 fields: one page of changes, and 10 lists of 200 Ids × 3 groups of fields.
    expect(answered).toHaveLength(1 + 10 * 3);
  });

  it('pages them as a one-statement query does: the same Leads in the same order, and the same locators', async () => {
    const served = generateDemoLeads({ count: 450, seed: 6, now: NOW });
    const wide = org(served, { extraLeadFields: packageFields(500) }, 200);
    const stock = org(served, {}, 200);
    const pages = async (client: CrmClient) => (await everyPage(client)).map((page) => ({ ids: page.records.map((record) => record.id), next: page.next, remaining: page.remaining }));
    const widePages = await pages(wide.client);
    expect(widePages).toHaveLength(3);
    expect(widePages).toEqual(await pages(stock.client));
  });

  it('leaves out a Lead deleted between its page and the read of its fields, rather than list it without them', async () => {
    const served = generateDemoLeads({ count: 300, seed: 7, now: NOW });
    const extra = packageFields(500);
    const { client, store, onRequest } = org(served, { extraLeadFields: extra });
    const gone = served[42];
    onRequest((url) => {
      if (url.searchParams.get('q')?.includes('WHERE Id IN') && store.bySalesforceId(gone.salesforceId)) store.deleteLead(gone, NOW.getTime());
    });
    const page = await client.listChanged(null, null);
    expect(page.records.map((record) => record.id).sort()).toEqual(served.filter((lead) => lead !== gone).map((lead) => lead.salesforceId).sort());
    await expectEveryField(page.records, served, extra);
  });

  it('reads one Lead, or many, with every field or 700 of them', async () => {
    const served = generateDemoLeads({ count: 5, seed: 8, now: NOW });
    const extra = packageFields(700);
    const { client, answered } = org(served, { extraLeadFields: extra });
    const [lead] = served;
    const names = extra.map((field) => field.name);
    const read = await client.readRecord(lead.salesforceId);
    await expectEveryField([read!], served, extra);
    const some = await client.readRecord(lead.salesforceId, { fields: names });
    expect(some!.fields).toEqual({ Id: lead.salesforceId, SystemModstamp: lead.salesforce.SystemModstamp, ...Object.fromEntries(extra.map((field) => [field.name, extraFieldValue(lead, field)])) });
    const [batched] = await client.batchRead([lead.salesforceId], { fields: names });
    expect(batched.fields).toEqual(some!.fields);
    expect(await client.readRecord('00Q000000000000AAA', { fields: names })).toBeNull();
    expect(refused(answered)).toBe(0);
  });

  it('stores every lead with every field in a sync', async () => {
    const served = generateDemoLeads({ count: 450, seed: 9, now: NOW });
    const extra = packageFields(500);
    const { client } = org(served, { extraLeadFields: extra }, 200);
    const db = new LeadLensDb(DB);
    const state = await runSync({ client, store: dexieSyncStore(db), now: () => NOW.getTime() });
    expect(state).toMatchObject({ status: 'done', error: null, lastRun: { synced: served.length } });
    const stored = await db.leads.where('source').equals('salesforce').toArray();
    expect(stored).toHaveLength(served.length);
    await expectEveryField(stored.map((lead) => ({ id: lead.key.replace(/^salesforce\|/, ''), fields: lead.fields })), served, extra, true);
    db.close();
  });
});

describe('a Lead with more formula fields than one statement takes (QUERY_TOO_COMPLICATED)', () => {
  const served = generateDemoLeads({ count: 450, seed: 10, now: NOW });
  // 120 formulas of 1,000 characters: a statement naming them all expands past Salesforce's 100,000, one naming half of them does not.
  const formulas = formulaFields(120, 1_000);

  it('lists every change with every field, naming at most half as many in a statement from the refusal on', async () => {
    const { client, answered } = org(served, { extraLeadFields: formulas });
    await client.syncedFields();
    answered.length = 0;
    const records = await everyChange(client);
    expect(records).toHaveLength(served.length);
    await expectEveryField(records, served, formulas);
    // The statement naming every field, refused; the changes; 3 lists of Ids × 2 halves of the formula fields.
    expect(answered.map((answer) => answer.status)).toEqual([400, ...Array<number>(1 + 3 * 2).fill(200)]);
    answered.length = 0;
    await expectEveryField(await everyChange(client), served, formulas);
    expect(answered.map((answer) => answer.status)).toEqual(Array<number>(1 + 3 * 2).fill(200));
  });

  it('splits a group of fields read by Id that Salesforce refuses, and every group after it', async () => {
    // 500 formulas of 600 characters: more than one URL holds, so the changes are paged alone at once;
    // the first group that fits a URL (222 fields) expands past 100,000 characters, half of it does not.
    const many = formulaFields(500, 600);
    const { client, answered } = org(served, { extraLeadFields: many });
    await client.syncedFields();
    answered.length = 0;
    const page = await client.listChanged(null, null);
    expect(page.records).toHaveLength(served.length);
    await expectEveryField(page.records, served, many);
    expect(answered.filter((answer) => answer.status !== 200)).toEqual([{ url: expect.stringContaining('WHERE%20Id%20IN'), status: 400 }]);
  });

  it('reads every Lead’s formula fields, split likewise', async () => {
    const { client, answered } = org(served, { extraLeadFields: formulas });
    const page = await client.listCalculated!(null);
    expect(page!.next).toBeNull();
    expect(page!.records).toHaveLength(served.length);
    const byId = new Map(served.map((lead) => [lead.salesforceId, lead]));
    const wrong = page!.records.filter((record) => formulas.some((field) => record.fields[field.name] !== extraFieldValue(byId.get(record.id)!, field)) || Object.keys(record.fields).length !== formulas.length);
    expect(wrong).toEqual([]);
    expect(answered.filter((answer) => answer.status === 400)).toHaveLength(1);
  });
});
