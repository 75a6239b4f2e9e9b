/**
 * A multi-currency Salesforce org's amounts, stored by a LeadLens that synced them each in its
 * Lead's own currency: the first sync of a LeadLens that converts them to the corporate currency
 * reads every Lead once, as for a new field, so that no stored lead keeps a yen amount among
 * dollar ones (lists, write-back and training read the stored leads; a record badge reads the
 * Lead converted). A single-currency org is not read again.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { CrmClient, CrmRecord } from '../crm/client';
import { DEMO_OWNERS, generateDemoLeads, type DemoLead } from '../crm/demo-data';
import { createSalesforceClient } from '../crm/salesforce-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { LeadLensDb } from '../db/db';
import { demoFetch } from '../../test/demo-crm/fetch';
import type { DemoHandler } from '../../test/demo-crm/http';
import { defaultSalesforceOptions, salesforceApi, type DemoCurrency, type DemoMultiCurrency } from '../../test/demo-crm/salesforce-api';
import { createDemoStore } from '../../test/demo-crm/store';
import { readCounter } from '../../test/sync-read-counter';
import { FULL_COMPARISON_EVERY_MS, runSync } from './engine';
import { dexieSyncStore, type SyncStore } from './store';

const NOW = new Date('2026-11-01T00:00:00Z');
const DB = 'leadlens-sync-currency-test';
afterEach(() => Dexie.delete(DB));

const CURRENCIES: readonly DemoCurrency[] = [
  { IsoCode: 'USD', ConversionRate: 1, IsCorporate: true, IsActive: true },
  { IsoCode: 'JPY', ConversionRate: 150, IsCorporate: false, IsActive: true },
  { IsoCode: 'EUR', ConversionRate: 0.8, IsCorporate: false, IsActive: true },
];
const RATE = new Map(CURRENCIES.map((currency) => [currency.IsoCode, currency.ConversionRate]));
/** Three pages of 200 Leads (`inBatchesOf200`), each in one of the currencies in turn. */
const served = generateDemoLeads({ count: 500, seed: 31, now: NOW });
const byId = new Map(served.map((lead) => [lead.salesforceId, lead]));
const currencyOf = (lead: DemoLead) => CURRENCIES[served.indexOf(lead) % CURRENCIES.length].IsoCode;
const MULTI_CURRENCY: DemoMultiCurrency = { currencies: CURRENCIES, leadCurrency: currencyOf };

/** The Lead's Annual Revenue in dollars, as a converting client hands it on. */
const inDollars = (lead: DemoLead) => (lead.salesforce.AnnualRevenue === null ? null : lead.salesforce.AnnualRevenue / RATE.get(currencyOf(lead))!);

/** Salesforce's queries answered 200 records at a time, as it may: a few hundred Leads are several pages. */
const inBatchesOf200 = (handle: DemoHandler): DemoHandler => (request) =>
  request.headers['sforce-query-options'] === undefined ? handle(request) : handle({ ...request, headers: { ...request.headers, 'sforce-query-options': 'batchSize=200' } });

/** A demo org that outlives the workers syncing from it, one clock for both. */
function org(multiCurrency: DemoMultiCurrency | null) {
  const clock = virtualClock(NOW.getTime());
  const crmStore = createDemoStore(served, DEMO_OWNERS);
  const api = inBatchesOf200(salesforceApi(crmStore, clock.now, { ...defaultSalesforceOptions(), multiCurrency }));
  /** A fresh "service worker": a new client and a new Dexie connection over the same database. */
  const worker = () => {
    const client = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => 'sid', clock, fetch: demoFetch(api) });
    const db = new LeadLensDb(DB);
    return { client, db, store: dexieSyncStore(db) };
  };
  return { clock, crmStore, worker };
}

/**
 * `client` as an older LeadLens's: the same fields, the Lead's currency among them, but each
 * amount handed on as the Lead holds it, in its own currency, and no word of converting.
 */
function asOlderLeadLens(client: CrmClient): CrmClient {
  const { amountsInCorporateCurrency: _converts, ...older } = client;
  const unconverted = (record: CrmRecord): CrmRecord => ({ ...record, fields: { ...record.fields, AnnualRevenue: byId.get(record.id)!.salesforce.AnnualRevenue } });
  return {
    ...older,
    async listChanged(since, pageToken, signal) {
      const page = await client.listChanged(since, pageToken, signal);
      return { ...page, records: page.records.map(unconverted) };
    },
  };
}

/**
 * Syncs `served` as an older LeadLens did, leaving its state as it would: without a record of
 * the amounts being converted.
 */
async function syncedByAnOlderLeadLens({ worker, clock }: ReturnType<typeof org>): Promise<void> {
  const { client, db, store } = worker();
  const { amountsInCorporateCurrency: _converted, ...older } = await runSync({ client: asOlderLeadLens(client), store, now: clock.now });
  await store.writeState('salesforce', older);
  db.close();
}

/** The stored Leads whose Annual Revenue is not the Lead's in dollars, by id, with what is stored (an empty one is not stored: null). */
async function unconverted(db: LeadLensDb): Promise<[string, unknown][]> {
  const stored = await db.leads.where('source').equals('salesforce').toArray();
  return stored.filter((lead) => (lead.fields.AnnualRevenue ?? null) !== inDollars(byId.get(lead.id)!)).map((lead) => [lead.id, lead.fields.AnnualRevenue ?? null]);
}

describe('a multi-currency Salesforce org synced by a LeadLens that did not convert its amounts', () => {
  it.each([
    ['an hour later', 3_600_000],
    ['a week later, with the weekly comparison of every Id', FULL_COMPARISON_EVERY_MS],
  ])('reads every Lead once at the next sync, %s, so that each stored amount is in the corporate currency; the sync after reads only what changed', async (_, later) => {
    const multi = org(MULTI_CURRENCY);
    await syncedByAnOlderLeadLens(multi);
    const { client, db, store } = multi.worker();
    const yen = served.find((lead) => currencyOf(lead) === 'JPY' && lead.salesforce.AnnualRevenue !== null)!;
    expect((await db.leads.get(`salesforce|${yen.salesforceId}`))?.fields.AnnualRevenue).toBe(yen.salesforce.AnnualRevenue);
    const before = await store.readState('salesforce');

    // A rep edits two Leads meanwhile.
    await multi.clock.sleep(later);
    for (const lead of served.slice(0, 2)) multi.crmStore.markModified(lead, 'salesforce', multi.clock.now());
    const counter = readCounter();
    const updated = await runSync({ client, store, now: multi.clock.now, onProgress: counter.onProgress });
    expect(await unconverted(db)).toEqual([]);
    expect(counter.read()).toBe(served.length);
    expect(updated).toMatchObject({ status: 'done', error: null, amountsInCorporateCurrency: true, syncedFields: before.syncedFields });
    // Each Lead whose amount was in another currency counts as changed, to be scored again.
    expect(updated.lastRun?.synced).toBeGreaterThanOrEqual(served.filter((lead) => currencyOf(lead) !== 'USD' && lead.salesforce.AnnualRevenue).length);
    if (later === FULL_COMPARISON_EVERY_MS) expect(updated.idsComparedAt).toBeGreaterThan(before.idsComparedAt!);

    await multi.clock.sleep(3_600_000);
    const next = readCounter();
    expect(await runSync({ client, store, now: multi.clock.now, onProgress: next.onProgress })).toMatchObject({ status: 'done', lastRun: { synced: 0 }, amountsInCorporateCurrency: true });
    expect(next.read()).toBeLessThan(served.length / 10);
    db.close();
  });

  it.each([
    ['before it stored its first page', 1],
    ['after its first page', 2],
  ])('resumes that read of every Lead when the worker stops %s, and completes it', async (_, failingCommit) => {
    const storedBefore = (failingCommit - 1) * 200;
    const multi = org(MULTI_CURRENCY);
    await syncedByAnOlderLeadLens(multi);
    await multi.clock.sleep(3_600_000);

    const dying = multi.worker();
    let commits = 0;
    const stopping: SyncStore = { ...dying.store, commitPage: (crm, page, state) => (++commits === failingCommit ? Promise.reject(new Error('worker stopped')) : dying.store.commitPage(crm, page, state)) };
    expect((await runSync({ client: dying.client, store: stopping, now: multi.clock.now })).status).toBe('error');
    // Every page it stored has its amounts converted; the Leads it did not reach keep theirs.
    const leftUnconverted = (await unconverted(dying.db)).length;
    expect(leftUnconverted).toBeGreaterThan(0);
    expect(leftUnconverted).toBeLessThanOrEqual(served.length - storedBefore);
    dying.db.close();

    // A new worker goes on from the job's checkpoint, or reads every Lead from the start when it stored none.
    const resumed = multi.worker();
    const counter = readCounter();
    expect(await runSync({ client: resumed.client, store: resumed.store, now: multi.clock.now, onProgress: counter.onProgress })).toMatchObject({ status: 'done', job: null, amountsInCorporateCurrency: true });
    expect(counter.read()).toBe(served.length - storedBefore);
    expect(await unconverted(resumed.db)).toEqual([]);
    resumed.db.close();
  });
});

describe('a single-currency Salesforce org synced by an older LeadLens', () => {
  it('is not read again: its amounts need no converting', async () => {
    const single = org(null);
    await syncedByAnOlderLeadLens(single);
    await single.clock.sleep(3_600_000);
    const { client, db, store } = single.worker();
    expect(await client.amountsInCorporateCurrency?.()).toBe(false);
    const counter = readCounter();
    expect(await runSync({ client, store, now: single.clock.now, onProgress: counter.onProgress })).toMatchObject({ status: 'done', lastRun: { synced: 0 }, amountsInCorporateCurrency: false });
    expect(counter.read()).toBeLessThan(served.length / 10);
    db.close();
  });
});
