import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangedPage, CrmClient, CrmRecord, Deletions } from '../crm/client';
import { DEMO_OWNERS, generateDemoLeads, type DemoLead } from '../crm/demo-data';
import { CrmError, type Clock } from '../crm/http';
import { createHubSpotClient } from '../crm/hubspot-client';
import { createSalesforceClient } from '../crm/salesforce-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { LeadLensDb, type LeadScore } from '../db/db';
import { mulberry32 } from '../ml/random';
import { defaultBehaviour, parseFaults, type DemoBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { bearerToken, json, type DemoHandler, type DemoRequest, type DemoResponse } from '../../test/demo-crm/http';
import { DEMO_SALESFORCE_ADMIN, DEMO_SALESFORCE_USERS, demoSessionIdAs, type DemoSalesforceUser } from '../../test/demo-crm/salesforce-api';
import { DEMO_PORTAL_LIFECYCLE_STAGE } from '../../test/demo-crm/hubspot-api';
import { ANALYTICS_SOURCE_LABELS } from '../../test/demo-crm/fields';
import { createDemoCrm, createDemoCrmHandler } from '../../test/demo-crm/server';
import { expectSummariesInStep } from '../../test/fixtures/lead-summaries';
import { storedLead } from '../../test/fixtures/stored-lead';
import { readCounter } from '../../test/sync-read-counter';
import { stubWebLocks } from '../../test/web-locks';
import { FULL_COMPARISON_EVERY_MS, SYNC_LOOKBACK_MS, otherUserRefusal, runSync } from './engine';
import { INITIAL_SYNC_STATE, syncStateKey, type SyncState } from './state';
import { DATA_CLEARED_ERROR_KIND } from '../messaging/protocol-sync';
import { KEPT_LEAD_SOURCE_LABELS_KEY, dexieSyncStore, forgetSyncedAs, keptLeadSourceLabels, keptLifecycleStages, recordSyncedAccount, type SyncStore } from './store';
import { PORTAL_STAGES } from '../../test/fixtures/hubspot-portal-stages';

const NOW = new Date('2026-11-01T00:00:00Z');
const DB = 'leadlens-sync-test';
/**
 * Three pages of either CRM: HubSpot's searches answer 200 contacts a page, and the demo org
 * here answers Salesforce's queries in batches of 200 (`inBatchesOf200`). Pages, resumes,
 * look-backs and removals are the same at this size as at thousands (the store's chunks of 2,000
 * leads have their own tests, in store.test.ts); the claims that are about a size (more than
 * 1,000 leads left out, a bulk import of more contacts than two pages) sync `manyLeads`, of which
 * `leads` are the first (each lead is drawn from its own seed). Tests change them in place: one
 * that counts what an edit of many changes serves `demoLeads()` of its own, as generated.
 */
const demoLeads = (count = 500) => generateDemoLeads({ count, seed: 21, now: NOW });
const leads = demoLeads();
let many: DemoLead[] | undefined;
const manyLeads = () => (many ??= demoLeads(1530));

afterEach(() => Dexie.delete(DB));

type Crm = 'salesforce' | 'hubspot';
/** The requests a sync makes first, asking whom the credentials sign in as (`CrmClient.currentUser`): a HubSpot token is no user's. */
const SIGN_IN_REQUESTS: Record<Crm, number> = { salesforce: 2, hubspot: 0 };

/** A fresh "service worker": new clients and a new Dexie connection over the same database. */
function worker(crm: Crm, behaviour: DemoBehaviour, served: DemoLead[] = leads, onRequest: (signal?: AbortSignal) => void = () => undefined) {
  const clock = virtualClock();
  behaviour.now = clock.now;
  return workerOn(crm, createDemoCrmHandler(served, behaviour), clock, onRequest);
}

/**
 * `handle`, answering Salesforce's queries 200 records at a time, the least it sends. Salesforce
 * takes the batch size a query asks for (`Sforce-Query-Options: batchSize`, 2,000 from LeadLens)
 * as a hint, and sends smaller batches when it sees fit: with them, a few hundred Leads are
 * several pages, each read through the query's locator.
 */
const inBatchesOf200 = (handle: DemoHandler): DemoHandler => (request) =>
  request.headers['sforce-query-options'] === undefined ? handle(request) : handle({ ...request, headers: { ...request.headers, 'sforce-query-options': 'batchSize=200' } });

/** A fresh "service worker" syncing from `handle`, a demo CRM that may outlive it. */
function workerOn(crm: Crm, handle: DemoHandler, clock: Clock, onRequest: (signal?: AbortSignal) => void = () => undefined) {
  const inner = demoFetch(inBatchesOf200(handle));
  const fetch: typeof globalThis.fetch = (input, init) => {
    onRequest(init?.signal ?? undefined);
    return inner(input, init);
  };
  const client: CrmClient = crm === 'salesforce'
    ? createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => 'sid', clock, fetch })
    : createHubSpotClient({ accessToken: async () => 'token', clock, fetch });
  const db = new LeadLensDb(DB);
  return { client, db, store: dexieSyncStore(db) };
}

/**
 * A demo CRM that outlives the workers syncing from it, so that tests delete its records
 * between syncs; one clock for it, its clients and the syncs. `served` are changed in place.
 */
function lastingCrm(served: DemoLead[] = leads, wrap: (handle: DemoHandler) => DemoHandler = (handle) => handle) {
  const behaviour = defaultBehaviour();
  const clock = virtualClock();
  behaviour.now = clock.now;
  const { handle, store } = createDemoCrm(served, behaviour);
  return { behaviour, clock, crmStore: store, worker: (crm: Crm) => workerOn(crm, wrap(handle), clock) };
}

/**
 * `handle`, leaving the field (HubSpot: property) `field` out of describe (the property list)
 * while `hidden`, as field-level security or a token without a scope hides a field that has
 * values on every record: `show()` (an admin) makes it readable without changing any record.
 */
function hidingField(crm: Crm, field: string) {
  let hidden = true;
  const wrap = (handle: DemoHandler): DemoHandler => (request) => {
    const response = handle(request);
    const listsFields = request.url.pathname.endsWith(crm === 'salesforce' ? '/sobjects/Lead/describe' : '/properties/contacts');
    if (!hidden || !listsFields || response.status !== 200) return response;
    const key = crm === 'salesforce' ? 'fields' : 'results';
    const body = JSON.parse(response.body) as Record<string, { name: string }[]>;
    return { ...response, body: JSON.stringify({ ...body, [key]: body[key].filter(({ name }) => name !== field) }) };
  };
  return { wrap, show: () => void (hidden = false), hide: () => void (hidden = true) };
}

/** The client, noting in `asked` each read of deletions: where a list of them starts, or 'every id' for a comparison. */
function watchingDeletions(client: CrmClient, asked: (number | 'every id')[]): CrmClient {
  const { listPresent } = client;
  return {
    ...client,
    listDeleted: (since, signal) => (asked.push(since), client.listDeleted(since, signal)),
    ...(listPresent && { listPresent: (signal?: AbortSignal) => (asked.push('every id'), listPresent(signal)) }),
  };
}

const score = (modelId: string, leadKey: string): LeadScore => ({ key: `${modelId}|${leadKey}`, modelId, leadKey, probability: 0.5, score: 50, tier: 'warm', topReason: '', scoredAt: 0 });

const modifiedAt = (crm: Crm, lead: DemoLead) =>
  Date.parse(crm === 'salesforce' ? lead.salesforce.SystemModstamp.replace('+0000', 'Z') : lead.hubspot.lastmodifieddate!);
const idOf = (crm: Crm, lead: DemoLead) => (crm === 'salesforce' ? lead.salesforceId : lead.hubspotId);
const ownerIdOf = (crm: Crm, lead: DemoLead) => (crm === 'salesforce' ? lead.salesforce.OwnerId : lead.hubspot.hubspot_owner_id);
const ownerNameOf = (crm: Crm, lead: DemoLead) => DEMO_OWNERS.find((owner) => [owner.salesforceId, owner.hubspotId].includes(ownerIdOf(crm, lead)!))?.name;

async function expectEveryLeadOnce(db: LeadLensDb, crm: Crm, expected: DemoLead[]) {
  const stored = await db.leads.where('source').equals(crm).primaryKeys();
  expect(stored.length).toBe(expected.length);
  expect(new Set(stored)).toEqual(new Set(expected.map((lead) => `${crm}|${idOf(crm, lead)}`)));
}

/** Deletes the database `name` as another connection does (the browser clearing the extension's site data): the open ones are closed for it. */
function deleteDatabaseElsewhere(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

describe.each(['salesforce', 'hubspot'] as const)('sync from %s', (crm) => {
  it('stores every lead once, with the indexed fields, and records where it got to', async () => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    const state = await runSync({ client, store });
    expect(state).toMatchObject({ status: 'done', job: null, error: null, lastRun: { synced: leads.length }, endedAt: state.lastRun?.finishedAt });
    await expectEveryLeadOnce(db, crm, leads);
    const lead = leads[4];
    const stored = await db.leads.get(`${crm}|${idOf(crm, lead)}`);
    expect(stored).toMatchObject({ source: crm, origin: 'sync', outcome: expect.any(Number) });
    expect(stored!.name.length).toBeGreaterThan(0);
    const newest = Math.max(...leads.map((l) => modifiedAt(crm, l)));
    expect(state.completedCursor).toBe(newest - SYNC_LOOKBACK_MS);
    db.close();
  });

  it('stores owners by name, asking the CRM about each owner once', async () => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    const asked: string[] = [];
    const watched: CrmClient = { ...client, ownerNames: (ids, signal) => (asked.push(...ids), client.ownerNames(ids, signal)) };
    const named: number[] = [];
    expect((await runSync({ client: watched, store, onOwnersNamed: (renamed) => named.push(renamed) })).status).toBe('done');
    expect(named).toEqual([]); // every lead was stored by name: nothing to rename
    const stored = await db.leads.where('source').equals(crm).toArray();
    expect(new Set(stored.map((lead) => lead.owner))).toEqual(new Set(DEMO_OWNERS.map((owner) => owner.name)));
    const lead = leads[4];
    expect((await db.leads.get(`${crm}|${idOf(crm, lead)}`))?.owner).toBe(ownerNameOf(crm, lead));
    expect(asked.sort()).toEqual([...new Set(leads.map((l) => ownerIdOf(crm, l)!))].sort());
    db.close();
  });

  it('syncs every lead, keeping owner ids, when the owner names cannot be read', async () => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let lookups = 0;
    const failing: CrmClient = { ...client, ownerNames: () => (lookups++, Promise.reject(new CrmError('request', 'refused list owners: HTTP 400'))) };
    const state = await runSync({ client: failing, store });
    expect(state).toMatchObject({ status: 'done', error: null, lastRun: { synced: leads.length } });
    await expectEveryLeadOnce(db, crm, leads);
    const lead = leads[4];
    expect((await db.leads.get(`${crm}|${idOf(crm, lead)}`))?.owner).toBe(ownerIdOf(crm, lead));
    // Owners that failed are not asked again on later pages.
    expect(lookups).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('owner names'), expect.any(CrmError));
    warn.mockRestore();
    db.close();
  });

  it('names the owners of leads an earlier sync stored with owner ids, when a later sync finishes', async () => {
    const first = worker(crm, defaultBehaviour());
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const failing: CrmClient = { ...first.client, ownerNames: () => Promise.reject(new CrmError('request', 'refused list owners: HTTP 403')) };
    await runSync({ client: failing, store: first.store });
    warn.mockRestore();
    const lead = leads[4];
    const key = `${crm}|${idOf(crm, lead)}`;
    expect((await first.db.leads.get(key))?.owner).toBe(ownerIdOf(crm, lead));
    first.db.close();

    // Nothing changed in the CRM since: the sync re-reads only the leads at its cursor's instant, yet names every stored lead's owner.
    const second = worker(crm, defaultBehaviour());
    const asked: string[] = [];
    const watched: CrmClient = { ...second.client, ownerNames: (ids, signal) => (asked.push(...ids), second.client.ownerNames(ids, signal)) };
    const named: number[] = [];
    const state = await runSync({ client: watched, store: second.store, onOwnersNamed: (renamed) => named.push(renamed) });
    expect(state.status).toBe('done');
    expect(state.lastRun!.synced).toBeLessThan(leads.length / 10);
    // Those the sync did not read again were renamed after it, and pages are told once.
    expect(named).toEqual([leads.length - state.lastRun!.synced]);
    const stored = await second.db.leads.where('source').equals(crm).toArray();
    expect(new Set(stored.map((l) => l.owner))).toEqual(new Set(DEMO_OWNERS.map((owner) => owner.name)));
    expect((await second.db.leadSummaries.get(key))?.owner).toBe(ownerNameOf(crm, lead));
    // Each owner id asked once: by the re-read page's lookup or by the naming of stored leads.
    expect(asked.sort()).toEqual([...new Set(leads.map((l) => ownerIdOf(crm, l)!))].sort());
    // Nothing is left for a later sync to name.
    expect(await second.store.unnamedOwnerIds(crm)).toEqual([]);
    second.db.close();
  });

  it('keeps a finished sync finished when naming the stored owners fails', async () => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const failingStore: SyncStore = { ...store, unnamedOwnerIds: () => Promise.reject(new Error('IndexedDB closed')) };
    expect(await runSync({ client, store: failingStore })).toMatchObject({ status: 'done', error: null, lastRun: { synced: leads.length } });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('owner ids'), expect.any(Error));
    warn.mockRestore();
    db.close();
  });

  it('stores nothing of a page whose owner lookup is cancelled, and names its owners when resumed', async () => {
    const first = worker(crm, defaultBehaviour());
    const kill = new AbortController();
    const dying: CrmClient = { ...first.client, ownerNames: (ids, signal) => (kill.abort(), first.client.ownerNames(ids, signal)) };
    expect((await runSync({ client: dying, store: first.store, signal: kill.signal })).status).toBe('cancelled');
    expect(await first.db.leads.count()).toBe(0);
    first.db.close();
    const second = worker(crm, defaultBehaviour());
    expect((await runSync({ client: second.client, store: second.store })).status).toBe('done');
    const lead = leads[0];
    expect((await second.db.leads.get(`${crm}|${idOf(crm, lead)}`))?.owner).toBe(ownerNameOf(crm, lead));
    second.db.close();
  });

  it.each([
    ['its first page', 1],
    ['its last page, before it finishes', 3],
  ])('reads every lead again after the site data is cleared as a sync stores %s: the job leaves no checkpoint in the new, empty database', async (_, clearedAfter) => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    let pages = 0;
    const clearing: SyncStore = {
      ...store,
      async commitPage(...args) {
        await store.commitPage(...args);
        // The browser deletes the database under the open connection, which Dexie then opens again, new and empty, by itself.
        if (++pages === clearedAfter) await deleteDatabaseElsewhere(DB);
      },
    };
    expect(await runSync({ client, store: clearing })).toMatchObject({ status: 'error', error: expect.stringContaining('deleted while this sync ran'), errorKind: DATA_CLEARED_ERROR_KIND });
    expect(await store.readState(crm)).toMatchObject({ status: 'error', errorKind: DATA_CLEARED_ERROR_KIND, job: null, completedCursor: null, lastRun: null });
    expect(await runSync({ client, store })).toMatchObject({ status: 'done', lastRun: { synced: leads.length } });
    await expectEveryLeadOnce(db, crm, leads);
    db.close();
  });

  it('reads every lead again after the site data is cleared as a sync from the last one’s cursor stores its first page', async () => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    expect((await runSync({ client, store })).status).toBe('done');
    let cleared = false;
    const clearing: SyncStore = {
      ...store,
      async commitPage(...args) {
        if (!cleared) await deleteDatabaseElsewhere(DB);
        cleared = true;
        await store.commitPage(...args);
      },
    };
    expect(await runSync({ client, store: clearing })).toMatchObject({ status: 'error', error: expect.stringContaining('deleted while this sync ran'), errorKind: DATA_CLEARED_ERROR_KIND });
    expect(await store.readState(crm)).toMatchObject({ status: 'error', errorKind: DATA_CLEARED_ERROR_KIND, job: null, completedCursor: null });
    expect(await runSync({ client, store })).toMatchObject({ status: 'done', lastRun: { synced: leads.length } });
    await expectEveryLeadOnce(db, crm, leads);
    db.close();
  });

  it('asks the CRM for the next page while it stores this one, and still stores every lead once', async () => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    const events: string[] = [];
    const watchedClient: CrmClient = { ...client, listChanged: (...args) => (events.push('list'), client.listChanged(...args)) };
    const watchedStore: SyncStore = {
      ...store,
      commitPage: async (...args) => {
        events.push('commit');
        await store.commitPage(...args);
        events.push('committed');
      },
    };
    const state = await runSync({ client: watchedClient, store: watchedStore });
    expect(state.status).toBe('done');
    // Page 2 is asked for before page 1 is stored; one request per page, none after the last.
    expect(events.slice(0, 4)).toEqual(['list', 'list', 'commit', 'committed']);
    const count = (event: string) => events.filter((e) => e === event).length;
    expect(count('commit')).toBeGreaterThanOrEqual(2);
    expect(count('list')).toBe(count('commit'));
    await expectEveryLeadOnce(db, crm, leads);
    db.close();
  });

  it('resumes after the worker is killed mid-page, re-reading at most that page, through faults', async () => {
    const behaviour = defaultBehaviour();
    // Passing faults, on the same share of requests for both CRMs: Salesforce's request limit is
    // no 429 to wait out but a 403 that ends the sync (its own test, at the end of this file).
    behaviour.faults = parseFaults('hubspot:429=0.2,hubspot:500=0.1,salesforce:500=0.3,timeout=0.02,malformed=0.01');
    behaviour.random = mulberry32(99);
    const kill = new AbortController();
    let requests = 0;
    // The "worker" dies (its requests aborted) during its 3rd listing request.
    const first = worker(crm, behaviour, leads, () => {
      if (++requests === 4) kill.abort();
    });
    // No owner lookups and no sign-in check here (they have their own tests): the kill lands on listing requests only.
    const listingOnly: CrmClient = { ...first.client, ownerNames: async () => new Map(), currentUser: undefined };
    const stopped = await runSync({ client: listingOnly, store: first.store, signal: kill.signal });
    expect(stopped.status).toBe('cancelled');
    const storedBefore = await first.db.leads.count();
    const checkpoint = (await first.store.readState(crm)).job!.cursor!;
    expect(storedBefore).toBeGreaterThan(0);
    expect(storedBefore).toBeLessThan(leads.length);
    first.db.close();

    const second = worker(crm, behaviour);
    let written = 0;
    const counting: SyncStore = { ...second.store, commitPage: (c, page, s) => ((written += page.length), second.store.commitPage(c, page, s)) };
    const state = await runSync({ client: second.client, store: counting });
    expect(state.status).toBe('done');
    await expectEveryLeadOnce(second.db, crm, leads);
    // It went on from the checkpoint: at most the leads sharing the checkpoint's instant
    // (to the second for SOQL) were read again, when the demo's query locator was gone.
    const tiesAtCheckpoint = leads.filter((lead) => {
      const modified = modifiedAt(crm, lead);
      return modified <= checkpoint && modified >= Math.floor(checkpoint / 1000) * 1000;
    }).length;
    expect(written).toBeGreaterThanOrEqual(leads.length - storedBefore);
    expect(written - (leads.length - storedBefore)).toBeLessThanOrEqual(tiesAtCheckpoint);
    second.db.close();
  });

  it('loses nothing when the worker dies between reading a page and storing it', async () => {
    const first = worker(crm, defaultBehaviour());
    let commits = 0;
    const dying: SyncStore = {
      ...first.store,
      commitPage: (c, page, s) => (++commits === 2 ? Promise.reject(new Error('worker stopped')) : first.store.commitPage(c, page, s)),
    };
    expect((await runSync({ client: first.client, store: dying })).status).toBe('error');
    first.db.close();
    const second = worker(crm, defaultBehaviour());
    expect((await runSync({ client: second.client, store: second.store })).status).toBe('done');
    await expectEveryLeadOnce(second.db, crm, leads);
    second.db.close();
  });

  it('syncs only what changed since the last complete sync', async () => {
    const first = worker(crm, defaultBehaviour());
    await runSync({ client: first.client, store: first.store });
    first.db.close();
    const later = '2026-11-02T10:00:00.000Z';
    const touched = new Set([3, 250, 450]);
    const changed = leads.map((lead, index) => touched.has(index)
      ? { ...lead, salesforce: { ...lead.salesforce, Title: 'Changed', SystemModstamp: later.replace('Z', '+0000') }, hubspot: { ...lead.hubspot, jobtitle: 'Changed', hs_lastmodifieddate: later, lastmodifieddate: later } }
      : lead);
    const second = worker(crm, defaultBehaviour(), changed);
    const cursor = (await second.store.readState(crm)).completedCursor!;
    const counter = readCounter();
    const state = await runSync({ client: second.client, store: second.store, onProgress: counter.onProgress });
    // The 3 changed, plus those sharing the old cursor's instant (read with >=, so none is missed)…
    const atCursor = changed.filter((lead, index) => !touched.has(index) && modifiedAt(crm, lead) >= (crm === 'salesforce' ? Math.floor(cursor / 1000) * 1000 : cursor)).length;
    expect(counter.read()).toBe(3 + atCursor);
    expect(atCursor).toBeGreaterThan(0);
    expect(atCursor).toBeLessThan(leads.length / 25);
    // …of which the 3 alone count as changed: the others were stored as they are.
    expect(state.lastRun?.synced).toBe(3);
    expect(state.completedCursor).toBe(Date.parse(later) - SYNC_LOOKBACK_MS);
    const stored = await second.db.leads.get(`${crm}|${idOf(crm, leads[250])}`);
    expect(stored?.fields[crm === 'salesforce' ? 'Title' : 'jobtitle']).toBe('Changed');
    await expectEveryLeadOnce(second.db, crm, leads);
    second.db.close();
  });

  it.each([
    ['a browser clock that agrees with the CRM', 60_000],
    ['a browser clock 10 minutes fast', 10 * 60_000 + 60_000],
  ])('reads in the next sync a change stamped before the newest one seen but visible only after the sync read it, with %s', async (_, startedAfterNewest) => {
    const newest = Math.max(...leads.map((lead) => modifiedAt(crm, lead)));
    const startedAt = newest + startedAfterNewest;
    const first = worker(crm, defaultBehaviour());
    const done = await runSync({ client: first.client, store: first.store, now: () => startedAt });
    // The next sync begins a few minutes before the newest change this one saw, whatever the browser's clock says;
    // so do its reads of deletions: a lead deleted minutes after this sync began is not skipped.
    expect(done.completedCursor).toBe(newest - SYNC_LOOKBACK_MS);
    expect(done.deletionCursor).toBe(Math.min(startedAt, newest) - SYNC_LOOKBACK_MS);
    first.db.close();

    // An edit stamped 30 s before the newest change, committed (or indexed) only after the sync read past it.
    const stamped = new Date(newest - 30_000).toISOString();
    const late = leads.map((lead, index) => index === 7
      ? { ...lead, salesforce: { ...lead.salesforce, Title: 'Changed', SystemModstamp: stamped.replace('Z', '+0000') }, hubspot: { ...lead.hubspot, jobtitle: 'Changed', hs_lastmodifieddate: stamped, lastmodifieddate: stamped } }
      : lead);
    const second = worker(crm, defaultBehaviour(), late);
    expect((await runSync({ client: second.client, store: second.store, now: () => startedAt + 3_600_000 })).status).toBe('done');
    expect((await second.db.leads.get(`${crm}|${idOf(crm, leads[7])}`))?.fields[crm === 'salesforce' ? 'Title' : 'jobtitle']).toBe('Changed');
    second.db.close();
  });

  it('leaves the next sync where it was when a sync reads nothing, not a look-back further each time', async () => {
    const newest = Math.max(...leads.map((lead) => modifiedAt(crm, lead)));
    const { client, db, store } = worker(crm, defaultBehaviour());
    const completedCursor = newest + 60_000;
    // As a sync that read every field the CRM shows left it.
    await store.writeState(crm, { ...INITIAL_SYNC_STATE, status: 'done', completedCursor, deletionCursor: completedCursor, syncedFields: await client.syncedFields() });
    for (const hoursLater of [1, 2]) {
      const state = await runSync({ client, store, now: () => newest + hoursLater * 3_600_000 });
      expect(state).toMatchObject({ status: 'done', lastRun: { synced: 0 }, completedCursor });
    }
    db.close();
  });

  it('keeps an interrupted job\'s own checkpoint, where its last page ends, however recent', async () => {
    const newest = Math.max(...leads.map((lead) => modifiedAt(crm, lead)));
    const { client, db, store } = worker(crm, defaultBehaviour());
    let commits = 0;
    const dying: SyncStore = { ...store, commitPage: (c, page, s) => (++commits === 2 ? Promise.reject(new Error('worker stopped')) : store.commitPage(c, page, s)) };
    expect((await runSync({ client, store: dying, now: () => newest + 60_000 })).status).toBe('error');
    const dates = (await db.leads.where('source').equals(crm).toArray()).map((lead) => lead.modifiedAt).sort((a, b) => a - b);
    // Salesforce: the newest change stored; HubSpot: the earliest of the page's last three (the
    // newest may be an edit its index has not caught up with, shown at its old place).
    expect((await store.readState(crm)).job?.cursor).toBe(crm === 'salesforce' ? dates.at(-1) : dates.at(-3));
    db.close();
  });

  it('stops with an error naming the field on schema drift, keeps what it stored, and resumes once fixed', async () => {
    const behaviour = defaultBehaviour();
    const field = crm === 'salesforce' ? 'IsConverted' : 'createdate';
    let requests = 0;
    const first = worker(crm, behaviour, leads, () => {
      // Drift after the first page is stored (the 2 first requests after the sign-in's are describe + page 1).
      if (++requests === SIGN_IN_REQUESTS[crm] + 3) behaviour.drift = { field, toType: crm === 'salesforce' ? 'string' : 'number' };
    });
    const state = await runSync({ client: first.client, store: first.store });
    expect(state.status).toBe('error');
    expect(state.errorKind).toBe('schema');
    expect(state.error).toContain(field);
    const kept = await first.db.leads.count();
    expect(kept).toBeGreaterThan(0);
    expect((await first.db.settings.get(syncStateKey(crm)))?.value).toMatchObject({ status: 'error', job: { synced: kept } });
    first.db.close();

    behaviour.drift = null;
    const second = worker(crm, behaviour);
    expect((await runSync({ client: second.client, store: second.store })).status).toBe('done');
    await expectEveryLeadOnce(second.db, crm, leads);
    second.db.close();
  });

  it('leaves out a lead it cannot read and one it cannot store, naming both, stores the rest, keeps naming them, and stores them once fixed and changed', async () => {
    const { behaviour, clock, crmStore, worker: lastingWorker } = lastingCrm();
    const { client, db, store } = lastingWorker(crm);
    const [unreadable, unstorable] = [leads[7], leads[260]];
    // An object where the API sends scalars fails the client's reading; a readable value of the
    // wrong type for a field LeadLens indexes fails storing.
    behaviour.oddRecords.set(idOf(crm, unreadable), { field: crm === 'salesforce' ? 'Company' : 'company', value: { name: 'Acme' } });
    behaviour.oddRecords.set(idOf(crm, unstorable), crm === 'salesforce' ? { field: 'IsConverted', value: 'yes' } : { field: 'createdate', value: 'yesterday' });
    const state = await runSync({ client, store, now: clock.now });
    expect(state.status).toBe('done');
    await expectEveryLeadOnce(db, crm, leads.filter((lead) => lead !== unreadable && lead !== unstorable));
    expect(state.leftOut?.count).toBe(2);
    expect(state.leftOut?.named).toEqual(
      expect.arrayContaining([
        { id: idOf(crm, unreadable), reason: expect.stringMatching(crm === 'salesforce' ? /^Company: / : /^properties\.company: /) },
        { id: idOf(crm, unstorable), reason: expect.stringMatching(crm === 'salesforce' ? /^IsConverted: / : /^createdate: expected an ISO date-time/) },
      ]),
    );
    // Values never: only ids, field names and what was expected.
    expect(JSON.stringify(state.leftOut)).not.toMatch(/Acme|yes|yesterday/);

    // A later sync that does not read them (they did not change) still names them: they are still missing.
    await clock.sleep(3_600_000);
    expect((await runSync({ client, store, now: clock.now })).leftOut).toEqual(state.leftOut);

    behaviour.oddRecords.clear();
    for (const lead of [unreadable, unstorable]) crmStore.markModified(lead, crm, clock.now());
    await clock.sleep(3_600_000);
    const next = await runSync({ client, store, now: clock.now });
    expect(next.status).toBe('done');
    expect(next.leftOut).toBeUndefined();
    await expectEveryLeadOnce(db, crm, leads);
    db.close();
  });

  it('no longer names a left-out lead once the CRM deleted it', async () => {
    const { behaviour, clock, crmStore, worker: lastingWorker } = lastingCrm();
    const { client, db, store } = lastingWorker(crm);
    const [odd, alsoOdd] = [leads[7], leads[8]];
    for (const lead of [odd, alsoOdd]) behaviour.oddRecords.set(idOf(crm, lead), { field: crm === 'salesforce' ? 'Company' : 'company', value: { name: 'Acme' } });
    expect((await runSync({ client, store, now: clock.now })).leftOut?.count).toBe(2);
    await clock.sleep(3_600_000);
    crmStore.deleteLead(odd, clock.now());
    await clock.sleep(3_600_000);
    const next = await runSync({ client, store, now: clock.now });
    expect(next.leftOut).toEqual({ count: 1, named: [{ id: idOf(crm, alsoOdd), reason: expect.any(String) }] });
    db.close();
  });

  it('names a left-out record once however often pages skip it, up to 1,000, and counts those beyond', async () => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    let pages = 0;
    const naming: CrmClient = {
      ...client,
      listChanged: async (since, token, signal) => {
        const page = await client.listChanged(since, token, signal);
        pages++;
        const unique = Array.from({ length: 600 }, (_, i) => ({ id: `p${pages}r${i}`, reason: 'Name: expected string' }));
        return { ...page, skipped: [{ id: 'again', reason: 'Name: expected string' }, ...unique, { id: null, reason: 'Id: expected string' }] };
      },
    };
    const state = await runSync({ client: naming, store });
    expect(pages).toBeGreaterThanOrEqual(2); // so more than 1,000 are skipped, two of them on every page
    // "again" and the record without an id once each; the 600 of each page, those past 1,000 counted.
    expect(state.leftOut?.count).toBe(2 + 600 * pages);
    expect(state.leftOut?.named).toHaveLength(1000);
    expect(state.leftOut?.named.filter((record) => record.id === 'again' || record.id === null)).toHaveLength(2);
    await expectEveryLeadOnce(db, crm, leads);
    db.close();
  });

  it('leaves out odd records among those a page repeats, and those that are all of a small page: no changed schema', async () => {
    const { behaviour, clock, crmStore, worker: lastingWorker } = lastingCrm();
    const { client, db, store } = lastingWorker(crm);
    // The first records read (a HubSpot page then repeats its last ones on the next).
    const first = [...leads].sort((a, b) => modifiedAt(crm, a) - modifiedAt(crm, b) || idOf(crm, a).localeCompare(idOf(crm, b)));
    const odd = [first[198], first[199]];
    for (const lead of odd) behaviour.oddRecords.set(idOf(crm, lead), { field: crm === 'salesforce' ? 'Company' : 'company', value: { name: 'Acme' } });
    const state = await runSync({ client, store, now: clock.now });
    expect(state.status).toBe('done');
    expect(state.leftOut?.count).toBe(2);
    await expectEveryLeadOnce(db, crm, leads.filter((lead) => !odd.includes(lead)));

    // An incremental sync whose only changes are two odd records.
    const more = [first[300], first[301]];
    for (const lead of more) {
      behaviour.oddRecords.set(idOf(crm, lead), { field: crm === 'salesforce' ? 'Company' : 'company', value: { name: 'Acme' } });
      crmStore.markModified(lead, crm, clock.now());
    }
    await clock.sleep(3_600_000);
    const next = await runSync({ client, store, now: clock.now });
    expect(next.status).toBe('done');
    expect(next.leftOut?.count).toBe(4);
    db.close();
  });

  it('counts each left-out lead once, those beyond the 1,000 named too, however often syncs read it again, and no longer once stored', async () => {
    const served = structuredClone(manyLeads());
    const { behaviour, clock, crmStore, worker: lastingWorker } = lastingCrm(served);
    const { client, db, store } = lastingWorker(crm);
    // Two in three leads: more than 1,000 (1,020), and no page without a readable lead (no changed schema).
    const odd = served.filter((_, index) => index % 3 !== 0);
    for (const lead of odd) behaviour.oddRecords.set(idOf(crm, lead), { field: crm === 'salesforce' ? 'Company' : 'company', value: { name: 'Acme' } });
    const skipped: string[] = [];
    const watched: CrmClient = {
      ...client,
      listChanged: async (since, token, signal) => {
        const page = await client.listChanged(since, token, signal);
        skipped.push(...(page.skipped ?? []).map((record) => record.id!));
        return page;
      },
    };
    const sync = () => runSync({ client: watched, store, now: clock.now });
    const first = await sync();
    expect(first.leftOut?.count).toBe(odd.length);
    expect(first.leftOut?.named).toHaveLength(1000);
    expect(first.leftOutUnnamed).toHaveLength(odd.length - 1000);

    // Nothing changed: the sync reads the last few minutes' leads again, odd ones beyond the named among them.
    await clock.sleep(3_600_000);
    skipped.length = 0;
    const again = await sync();
    const named = new Set(first.leftOut!.named.map((record) => record.id));
    expect(skipped.filter((id) => !named.has(id)).length).toBeGreaterThan(0);
    expect(again.leftOut?.count).toBe(odd.length);

    // Readable now, and changed: every one is stored, and none is counted any more.
    behaviour.oddRecords.clear();
    for (const lead of odd) crmStore.markModified(lead, crm, clock.now());
    await clock.sleep(3_600_000);
    const fixed = await sync();
    expect(fixed).toMatchObject({ status: 'done', lastRun: { synced: odd.length } });
    expect(fixed.leftOut).toBeUndefined();
    expect(fixed.leftOutUnnamed).toBeUndefined();
    await expectEveryLeadOnce(db, crm, served);
    db.close();
  });

  it('counts as synced only the leads new or changed since they were stored: a CRM where nothing changed has none', async () => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    expect((await runSync({ client, store, now: () => NOW.getTime() })).lastRun?.synced).toBe(leads.length);
    for (const hoursLater of [1, 2]) {
      // The look-back reads the newest leads again; they are stored as they were.
      const counter = readCounter();
      const state = await runSync({ client, store, now: () => NOW.getTime() + hoursLater * 3_600_000, onProgress: counter.onProgress });
      expect(counter.read()).toBeGreaterThan(0);
      expect(state).toMatchObject({ status: 'done', lastRun: { synced: 0 } });
    }
    db.close();
  });

  describe('a field the CRM shows that the last sync did not read', () => {
    const field = crm === 'salesforce' ? 'Title' : 'jobtitle';
    const storedWithField = async (db: LeadLensDb) => (await db.leads.where('source').equals(crm).toArray()).filter((lead) => field in lead.fields).length;
    // A lead whose field is empty stores nothing of it, so reading it again with the field changes nothing.
    const hasValue = (lead: DemoLead) => (crm === 'salesforce' ? lead.salesforce.Title : lead.hubspot.jobtitle) !== null;

    it('makes the next sync read every lead again, so each stored lead gets it; the sync after reads only what changed', async () => {
      const served = structuredClone(leads);
      const hiding = hidingField(crm, field);
      const { clock, crmStore, worker: lastingWorker } = lastingCrm(served, hiding.wrap);
      // One client for every sync, as one worker's: it describes Lead (lists the properties) again after 10 minutes.
      const { client, db, store } = lastingWorker(crm);
      expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
      expect(await storedWithField(db)).toBe(0);

      // Made readable (or created with a value on every lead, a formula) without changing a lead; a rep edits two.
      hiding.show();
      await clock.sleep(3_600_000);
      for (const lead of served.slice(0, 2)) crmStore.markModified(lead, crm, clock.now());
      const backfilled = await runSync({ client, store, now: clock.now });
      expect(backfilled.status).toBe('done');
      expect(await storedWithField(db)).toBe(served.filter(hasValue).length);
      // Every stored copy of a lead with a value gained the field: each counts as changed, as do the two edited.
      expect(backfilled.lastRun?.synced).toBe(served.filter((lead, i) => i < 2 || hasValue(lead)).length);
      expect(backfilled.syncedFields).toContain(field);
      await expectEveryLeadOnce(db, crm, served);

      await clock.sleep(3_600_000);
      const counter = readCounter();
      expect(await runSync({ client, store, now: clock.now, onProgress: counter.onProgress })).toMatchObject({ status: 'done', lastRun: { synced: 0 } });
      expect(counter.read()).toBeLessThan(served.length / 10);
      db.close();
    });

    it('resumes that read of every lead where it stopped, and completes it', async () => {
      const served = structuredClone(leads);
      const hiding = hidingField(crm, field);
      const { clock, worker: lastingWorker } = lastingCrm(served, hiding.wrap);
      const first = lastingWorker(crm);
      await runSync({ client: first.client, store: first.store, now: clock.now });
      first.db.close();
      hiding.show();
      await clock.sleep(3_600_000);

      const dying = lastingWorker(crm);
      let commits = 0;
      const stopping: SyncStore = { ...dying.store, commitPage: (c, page, s) => (++commits === 2 ? Promise.reject(new Error('worker stopped')) : dying.store.commitPage(c, page, s)) };
      expect((await runSync({ client: dying.client, store: stopping, now: clock.now })).status).toBe('error');
      const storedBefore = await storedWithField(dying.db);
      expect(storedBefore).toBeGreaterThan(0);
      expect(storedBefore).toBeLessThan(served.filter(hasValue).length);
      dying.db.close();

      // A new worker goes on from the job's checkpoint.
      const resumed = lastingWorker(crm);
      const counter = readCounter();
      expect(await runSync({ client: resumed.client, store: resumed.store, now: clock.now, onProgress: counter.onProgress })).toMatchObject({ status: 'done', job: null });
      expect(counter.read()).toBeLessThan(served.length);
      expect(await storedWithField(resumed.db)).toBe(served.filter(hasValue).length);
      await expectEveryLeadOnce(resumed.db, crm, served);
      resumed.db.close();
    });

    it('makes no sync read every lead when a field is hidden, but deletes it from every stored lead; reads them all once it is shown again', async () => {
      const served = structuredClone(leads);
      const hiding = hidingField(crm, field);
      hiding.show();
      const { clock, crmStore, worker: lastingWorker } = lastingCrm(served, hiding.wrap);
      const { client, db, store } = lastingWorker(crm);
      await runSync({ client, store, now: clock.now });
      expect(await storedWithField(db)).toBe(served.filter(hasValue).length);
      expect(hasValue(served[5])).toBe(true);
      await db.putLeads([{ ...(await db.leads.get(`${crm}|${idOf(crm, served[5])}`))!, origin: 'demo' }]);

      // Hidden (field-level security, a revoked scope): no stored lead keeps the values the user can no longer read, edited or not.
      hiding.hide();
      for (const [sync, edited] of [served.slice(0, 2), served.slice(2, 3)].entries()) {
        await clock.sleep(3_600_000);
        for (const lead of edited) crmStore.editLead(lead, crm, clock.now());
        const counter = readCounter();
        const state = await runSync({ client, store, now: clock.now, onProgress: counter.onProgress });
        expect(state.syncedFields).not.toContain(field);
        // Deleted here, without asking the CRM: the first sync counts every lead that held it as changed, to score them again (an edited one may count twice).
        if (sync === 0) expect(state.lastRun?.synced).toBeGreaterThanOrEqual(served.filter(hasValue).length - 1);
        else expect(state.lastRun?.synced).toBe(edited.length);
        expect(counter.read()).toBeLessThan(served.length / 10);
        // A demo lead of the same key is not the CRM's.
        expect(await storedWithField(db)).toBe(1);
      }
      await expectSummariesInStep(db);

      hiding.show();
      await clock.sleep(3_600_000);
      // Every lead with a value read again gains it back (the demo lead's key with it, stored as the CRM's).
      expect((await runSync({ client, store, now: clock.now })).lastRun?.synced).toBe(served.filter(hasValue).length);
      expect(await storedWithField(db)).toBe(served.filter(hasValue).length);
      db.close();
    });

    it('deletes a field hidden from the user, and its indexed column, from every stored lead not edited since', async () => {
      const hidden = crm === 'salesforce' ? 'LeadSource' : 'hs_analytics_source';
      const hiding = hidingField(crm, hidden);
      hiding.show();
      const { clock, crmStore, worker: lastingWorker } = lastingCrm(structuredClone(leads), hiding.wrap);
      const { client, db, store } = lastingWorker(crm);
      await runSync({ client, store, now: clock.now });
      const stored = () => db.leads.where('source').equals(crm).toArray();
      const owners = new Map((await stored()).map((lead) => [lead.key, lead.owner]));
      expect((await stored()).filter((lead) => lead.leadSource !== '').length).toBeGreaterThan(leads.length / 2);
      hiding.hide();
      for (let day = 0; day < 3; day++) {
        await clock.sleep(86_400_000);
        crmStore.markModified(leads[day], crm, clock.now());
        expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
      }
      const after = await stored();
      expect(after.filter((lead) => hidden in lead.fields || lead.leadSource !== '')).toEqual([]);
      // Owners keep their names.
      expect(after.filter((lead) => lead.owner !== owners.get(lead.key))).toEqual([]);
      await expectSummariesInStep(db);
      db.close();
    });

    it('reads every lead once after an update from a LeadLens that did not record the fields it read, counting the left-out leads afresh', async () => {
      const { clock, worker: lastingWorker } = lastingCrm();
      const { client, db, store } = lastingWorker(crm);
      const done = await runSync({ client, store, now: clock.now });
      // As an older LeadLens left it: no fields recorded, and 500 left-out leads counted beyond those it named.
      const { syncedFields: _fields, ...older } = done;
      await store.writeState(crm, { ...older, leftOut: { count: 501, named: [{ id: idOf(crm, leads[3]), reason: 'Company: expected string' }] } });

      await clock.sleep(3_600_000);
      const counter = readCounter();
      const updated = await runSync({ client, store, now: clock.now, onProgress: counter.onProgress });
      expect(counter.read()).toBe(leads.length);
      // Read and stored as they were: none changed. None was left out either.
      expect(updated).toMatchObject({ status: 'done', lastRun: { synced: 0 }, syncedFields: done.syncedFields });
      expect(updated.leftOut).toBeUndefined();

      await clock.sleep(3_600_000);
      const next = readCounter();
      await runSync({ client, store, now: clock.now, onProgress: next.onProgress });
      expect(next.read()).toBeLessThan(leads.length / 10);
      db.close();
    });
  });

  it('marks an expired session as an auth error and retries nothing', async () => {
    const behaviour = defaultBehaviour();
    behaviour.revokedTokens.add(crm === 'salesforce' ? 'sid' : 'token');
    let requests = 0;
    const { client, db, store } = worker(crm, behaviour, leads, () => requests++);
    const state = await runSync({ client, store, now: () => 1_700_000_000_000 });
    // When it ended, so a page sees this failure even when the last one read the same.
    expect(state).toMatchObject({ status: 'error', errorKind: 'auth', endedAt: 1_700_000_000_000 });
    expect(requests).toBe(1);
    db.close();
  });

  describe('leads deleted in the CRM', () => {
    const DAY = 86_400_000;
    // Removing leads pauses a job writing stored scores (a Web Lock; Node has none).
    beforeEach(stubWebLocks);
    afterEach(() => vi.unstubAllGlobals());
    const keyOf = (lead: DemoLead) => `${crm}|${idOf(crm, lead)}`;

    it('removes those deleted since the last sync, with their scores, and never a demo or CSV lead', async () => {
      const { clock, crmStore, worker } = lastingCrm();
      const first = worker(crm);
      const firstStarted = clock.now();
      expect((await runSync({ client: first.client, store: first.store, now: clock.now })).lastRun).toMatchObject({ synced: leads.length, removed: 0 });
      const [gone, goneToo, demoOnly, alsoInCsv, kept] = [leads[10], leads[260], leads[300], leads[400], leads[450]];
      // Demo mode stored one lead itself; a CSV import has a lead of the same id as another.
      await first.db.putLeads([{ ...(await first.db.leads.get(keyOf(demoOnly)))!, origin: 'demo' }, storedLead({ source: 'csv', id: idOf(crm, alsoInCsv), origin: 'csv' })]);
      await first.db.leadScores.bulkPut([gone, alsoInCsv, kept].flatMap((lead) => [score('m1', keyOf(lead)), score('m2', keyOf(lead))]));
      // Record pages' cached scores (they keep the fields too).
      await first.db.scores.bulkPut([gone, kept].map((lead) => ({ key: `m1|${keyOf(lead)}`, fieldsHash: '', lead: {} as never, scoredAt: 0 })));
      first.db.close();

      await clock.sleep(DAY);
      for (const lead of [gone, goneToo, demoOnly, alsoInCsv]) crmStore.deleteLead(lead, clock.now());
      await clock.sleep(3_600_000);
      const second = worker(crm);
      const asked: number[] = [];
      const coveredTo: number[] = [];
      const watched: CrmClient = {
        ...second.client,
        listDeleted: async (since, signal) => {
          asked.push(since);
          const deletions = await second.client.listDeleted(since, signal);
          coveredTo.push(deletions.coveredTo);
          return deletions;
        },
      };
      const state = await runSync({ client: watched, store: second.store, now: clock.now });
      expect(state).toMatchObject({ status: 'done', error: null, lastRun: { removed: 3 } });
      // Asked from a little before the first sync started: deletions while it ran count too.
      expect(asked).toEqual([firstStarted - SYNC_LOOKBACK_MS]);
      const { db } = second;
      for (const lead of [gone, goneToo, alsoInCsv]) expect(await db.leads.get(keyOf(lead))).toBeUndefined();
      expect((await db.leads.get(keyOf(demoOnly)))?.origin).toBe('demo');
      expect(await db.leads.get(`csv|${idOf(crm, alsoInCsv)}`)).toBeDefined();
      expect(await db.leads.where('source').equals(crm).count()).toBe(leads.length - 3);
      expect((await db.leadScores.toCollection().primaryKeys()).sort()).toEqual([`m1|${keyOf(kept)}`, `m2|${keyOf(kept)}`]);
      expect(await db.scores.toCollection().primaryKeys()).toEqual([`m1|${keyOf(kept)}`]);
      await expectSummariesInStep(db);

      // The next sync asks only from where this one's read of deletions ended, and removes nothing more.
      expect((await runSync({ client: watched, store: second.store, now: clock.now })).lastRun).toMatchObject({ removed: 0 });
      expect(asked[1]).toBe(coveredTo[0] - SYNC_LOOKBACK_MS);
      // HubSpot's listing says it reaches a day short of the browser's clock (which may run fast).
      expect(asked[1]).toBeGreaterThan(clock.now() - 2 * DAY);
      db.close();
    });

    it('removes them when a sync stopped while reading the deletions, or storing their removal, is resumed', async () => {
      const { clock, crmStore, worker } = lastingCrm();
      const first = worker(crm);
      await runSync({ client: first.client, store: first.store, now: clock.now });
      first.db.close();
      await clock.sleep(DAY);
      crmStore.deleteLead(leads[42], clock.now());
      await clock.sleep(60_000);

      const cancelled = worker(crm);
      const kill = new AbortController();
      const dying: CrmClient = { ...cancelled.client, listDeleted: (since, signal) => (kill.abort(), cancelled.client.listDeleted(since, signal)) };
      expect(await runSync({ client: dying, store: cancelled.store, signal: kill.signal, now: clock.now })).toMatchObject({ status: 'cancelled', job: { pageToken: null } });
      expect(await cancelled.db.leads.get(keyOf(leads[42]))).toBeDefined();
      cancelled.db.close();

      const failing = worker(crm);
      const brokenStore: SyncStore = { ...failing.store, finishSync: () => Promise.reject(new Error('worker stopped')) };
      expect((await runSync({ client: failing.client, store: brokenStore, now: clock.now })).status).toBe('error');
      expect(await failing.db.leads.get(keyOf(leads[42]))).toBeDefined();
      failing.db.close();

      const resumed = worker(crm);
      expect(await runSync({ client: resumed.client, store: resumed.store, now: clock.now })).toMatchObject({ status: 'done', job: null, lastRun: { removed: 1 } });
      expect(await resumed.db.leads.get(keyOf(leads[42]))).toBeUndefined();
      expect(await resumed.db.leads.where('source').equals(crm).count()).toBe(leads.length - 1);
      resumed.db.close();
    });

    it(`compares every lead when the last sync is older than ${crm === 'salesforce' ? 'Salesforce keeps deletions' : 'HubSpot keeps archived contacts'}`, async () => {
      const { clock, crmStore, worker } = lastingCrm();
      const first = worker(crm);
      await runSync({ client: first.client, store: first.store, now: clock.now });
      await first.db.putLeads([{ ...(await first.db.leads.get(keyOf(leads[7])))!, origin: 'demo' }]);
      first.db.close();
      // Deleted the day after, forgotten by the CRM's list of deletions since.
      await clock.sleep(DAY);
      for (const lead of [leads[6], leads[7], leads[8]]) crmStore.deleteLead(lead, clock.now());
      await clock.sleep((crm === 'salesforce' ? 40 : 100) * DAY);

      const second = worker(crm);
      // As the store is given them: read with `listPresent`, the last comparison being over a week old too.
      const kinds: (string | undefined)[] = [];
      const watched: SyncStore = { ...second.store, finishSync: (c, deletions, finished) => (kinds.push(deletions?.kind), second.store.finishSync(c, deletions, finished)) };
      expect(await runSync({ client: second.client, store: watched, now: clock.now })).toMatchObject({ status: 'done', lastRun: { removed: 2 } });
      expect(kinds).toEqual(['all-present']);
      expect(await second.db.leads.get(keyOf(leads[6]))).toBeUndefined();
      expect((await second.db.leads.get(keyOf(leads[7])))?.origin).toBe('demo');
      expect(await second.db.leads.where('source').equals(crm).count()).toBe(leads.length - 2);
      second.db.close();
    });

    it('reads the deletions since the last complete sync when its state, from an older LeadLens, has no deletion cursor', async () => {
      const { clock, worker } = lastingCrm();
      const { client, db, store } = worker(crm);
      const completedCursor = clock.now() - 3 * DAY;
      // Compared every id a day ago (a week ago, the sync would compare them instead: see 'HubSpot contacts deleted for good at once').
      await store.writeState(crm, { ...INITIAL_SYNC_STATE, status: 'done', completedCursor, idsComparedAt: clock.now() - DAY });
      const asked: number[] = [];
      const watched: CrmClient = { ...client, listDeleted: (since, signal) => (asked.push(since), client.listDeleted(since, signal)) };
      expect((await runSync({ client: watched, store, now: clock.now })).status).toBe('done');
      expect(asked).toEqual([completedCursor]);
      db.close();
    });
  });
});

describe('HubSpot contacts merged into another', () => {
  beforeEach(stubWebLocks);
  afterEach(() => vi.unstubAllGlobals());

  it('removes the merged-away contact, which HubSpot neither lists nor archives, when the next sync reads the one it was merged into', async () => {
    const { clock, crmStore, worker } = lastingCrm();
    // A merge from before the first sync: nothing stored to remove, and nothing kept in its job.
    crmStore.mergeHubSpotContact(leads[30], leads[31], clock.now());
    const first = worker('hubspot');
    const firstJobs: SyncState['job'][] = [];
    await runSync({ client: first.client, store: first.store, now: clock.now, onProgress: (state) => firstJobs.push(state.job) });
    expect(firstJobs.some((job) => job?.pages)).toBe(true);
    expect(firstJobs.filter((job) => job?.mergedAway.length)).toEqual([]);
    first.db.close();
    const [merged, into, mergedToo, kept] = [leads[20], leads[21], leads[450], leads[22]];
    await clock.sleep(3_600_000);
    crmStore.mergeHubSpotContact(merged, into, clock.now());
    crmStore.mergeHubSpotContact(mergedToo, into, clock.now() + 60_000);
    await clock.sleep(3_600_000);

    const second = worker('hubspot');
    const secondJobs: SyncState['job'][] = [];
    const state = await runSync({ client: second.client, store: second.store, now: clock.now, onProgress: (state) => secondJobs.push(state.job) });
    expect(state).toMatchObject({ status: 'done', job: null, lastRun: { removed: 2 } });
    // Kept once each, with the merge's time, until removed (the first merge too: its contact was read again within the look-back).
    const keptMerges = secondJobs.findLast((job) => job !== null)!.mergedAway;
    expect(keptMerges).toEqual(expect.arrayContaining([merged, mergedToo].map((lead) => ({ id: lead.hubspotId, deletedAt: modifiedAt('hubspot', into) }))));
    expect(new Set(keptMerges.map((entry) => entry.id)).size).toBe(keptMerges.length);
    const { db } = second;
    for (const gone of [merged, mergedToo]) expect(await db.leads.get(`hubspot|${gone.hubspotId}`)).toBeUndefined();
    for (const stays of [into, kept]) expect(await db.leads.get(`hubspot|${stays.hubspotId}`)).toBeDefined();
    expect((await db.leads.get(`hubspot|${into.hubspotId}`))?.fields.hs_merged_object_ids).toBe(`${merged.hubspotId};${mergedToo.hubspotId}`);
    // Less the one merged away before the first sync, which never stored it.
    expect(await db.leads.where('source').equals('hubspot').count()).toBe(leads.length - 3);
    await expectSummariesInStep(db);

    // Read again by a later sync (the contact it was merged into is edited), the merge removes nothing more.
    crmStore.markModified(into, 'hubspot', clock.now());
    await clock.sleep(3_600_000);
    expect((await runSync({ client: second.client, store: second.store, now: clock.now })).lastRun).toMatchObject({ removed: 0 });
    db.close();
  });

  it('keeps of the merges it reads only those of stored contacts, so the state written with every page stays small', async () => {
    const { clock, crmStore, worker } = lastingCrm();
    const [neverStored, itsSurvivor, merged, into] = [leads[40], leads[41], leads[42], leads[43]];
    // Merged before the first sync: never stored.
    crmStore.mergeHubSpotContact(neverStored, itsSurvivor, clock.now());
    const { client, db, store } = worker('hubspot');
    await runSync({ client, store, now: clock.now });
    await clock.sleep(3_600_000);
    crmStore.mergeHubSpotContact(merged, into, clock.now());
    crmStore.markModified(itsSurvivor, 'hubspot', clock.now());
    await clock.sleep(3_600_000);

    const mergesKept = (jobs: SyncState['job'][]) => new Set(jobs.flatMap((job) => job?.mergedAway.map((entry) => entry.id) ?? []));
    const secondJobs: SyncState['job'][] = [];
    expect(await runSync({ client, store, now: clock.now, onProgress: (state) => secondJobs.push(state.job) })).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
    expect((await db.leads.get(`hubspot|${itsSurvivor.hubspotId}`))?.fields.hs_merged_object_ids).toBe(neverStored.hubspotId);
    expect(mergesKept(secondJobs)).toEqual(new Set([merged.hubspotId]));

    // Read again, the contact still names the contact merged into it, removed since: nothing is kept of it.
    crmStore.markModified(into, 'hubspot', clock.now());
    await clock.sleep(3_600_000);
    const laterJobs: SyncState['job'][] = [];
    expect(await runSync({ client, store, now: clock.now, onProgress: (state) => laterJobs.push(state.job) })).toMatchObject({ status: 'done', lastRun: { removed: 0 } });
    expect(laterJobs.some((job) => job?.pages)).toBe(true);
    expect(mergesKept(laterJobs)).toEqual(new Set());
    db.close();
  });

  it('no longer names a contact it left out once it reads that the contact was merged into another', async () => {
    const { behaviour, clock, crmStore, worker } = lastingCrm();
    const { client, db, store } = worker('hubspot');
    const [odd, into] = [leads[44], leads[45]];
    behaviour.oddRecords.set(odd.hubspotId, { field: 'company', value: { name: 'Acme' } });
    expect((await runSync({ client, store, now: clock.now })).leftOut?.named).toEqual([{ id: odd.hubspotId, reason: expect.any(String) }]);
    await clock.sleep(3_600_000);
    crmStore.mergeHubSpotContact(odd, into, clock.now());
    await clock.sleep(3_600_000);
    const next = await runSync({ client, store, now: clock.now });
    expect(next).toMatchObject({ status: 'done', lastRun: { removed: 0 } });
    expect(next.leftOut).toBeUndefined();
    db.close();
  });
});

describe('a HubSpot contact merged away minutes ago, which HubSpot\'s lagging search still lists, read on another page than the contact it went into', () => {
  beforeEach(stubWebLocks);
  afterEach(() => vi.unstubAllGlobals());
  const lastSync = Date.parse('2026-11-01T00:00:00Z');
  const fields = Object.keys(leads[0].hubspot);
  const contact = (lead: DemoLead, modifiedAt: number, mergedIds?: string[]): CrmRecord => ({ id: lead.hubspotId, modifiedAt, fields: { ...lead.hubspot }, ...(mergedIds && { mergedIds }) });
  /** A HubSpot client listing `pages` of changes, which finds no deletions and names no owners. */
  const listing = (pages: CrmRecord[][]) =>
    ({
      crm: 'hubspot',
      maxBatch: 100,
      async listChanged(_since: number | null, pageToken: string | null): Promise<ChangedPage> {
        const at = pageToken === null ? 0 : Number(pageToken);
        return { records: pages[at], next: at + 1 < pages.length ? String(at + 1) : null, remaining: null };
      },
      syncedFields: async () => fields,
      listDeleted: async (): Promise<Deletions> => ({ kind: 'deleted-since', records: [], coveredTo: lastSync + 3_600_000 }),
      ownerNames: async () => new Map<string, string>(),
      optionLabels: async () => ({}),
    }) as unknown as CrmClient;

  // Created 10 minutes after the last sync, merged 20 minutes later: HubSpot's search, minutes behind, still lists it.
  const merged = contact(leads[60], lastSync + 10 * 60_000);
  const into = contact(leads[61], lastSync + 30 * 60_000, [leads[60].hubspotId]);
  it.each([
    ['after', [[into], [merged]]],
    ['before', [[merged], [into]]],
  ])('created since the last sync: removes it at the finish when read %s the page naming it, the merge written with the state only once both are read', async (_, pages) => {
    const db = new LeadLensDb(DB);
    const store = dexieSyncStore(db);
    await store.writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: lastSync, syncedFields: [...fields].sort(), idsComparedAt: lastSync });
    const jobs: SyncState['job'][] = [];
    const state = await runSync({ client: listing(pages), store, now: () => lastSync + 3_600_000, onProgress: (progress) => jobs.push(progress.job) });
    expect(state).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
    expect(await db.leads.get(`hubspot|${merged.id}`)).toBeUndefined();
    expect(await db.leads.get(`hubspot|${into.id}`)).toBeDefined();
    // The merges written with each page's state: on the first page, a merge of a contact not stored (yet) is not.
    expect(jobs.filter((job) => job?.pages).map((job) => job!.mergedAway)).toEqual([[], [{ id: merged.id, deletedAt: into.modifiedAt }]]);
    db.close();
  });

  // A first sync stores every contact its pages list: kept, the one merged away would be a second lead of the same person until the weekly comparison.
  const mergedAtFinish = [{ id: merged.id, deletedAt: into.modifiedAt }];
  it.each([
    ['after', [[into], [merged]], [[], mergedAtFinish]],
    ['before', [[merged], [into]], [[], mergedAtFinish]],
    ['on', [[merged, into]], [mergedAtFinish]],
  ])('in a first sync: removes it at the finish when read %s the page naming it, and reads the next deletions from where it would without it', async (_, pages, mergesByPage) => {
    const db = new LeadLensDb(DB);
    const store = dexieSyncStore(db);
    const jobs: SyncState['job'][] = [];
    const state = await runSync({ client: listing(pages), store, now: () => lastSync + 3_600_000, onProgress: (progress) => jobs.push(progress.job) });
    expect(state).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
    expect(await db.leads.get(`hubspot|${merged.id}`)).toBeUndefined();
    expect(await db.leads.get(`hubspot|${into.id}`)).toBeDefined();
    expect(await db.leads.where('source').equals('hubspot').count()).toBe(1);
    expect(jobs.filter((job) => job?.pages).map((job) => job!.mergedAway)).toEqual(mergesByPage);
    // A first sync lists no deletions: the next reads them from before the newest change this one read, merges or not.
    expect(state.deletionCursor).toBe(into.modifiedAt - SYNC_LOOKBACK_MS);
    await expectSummariesInStep(db);
    db.close();
  });
});

describe('HubSpot contacts deleted for good at once (a GDPR deletion)', () => {
  const DAY = 86_400_000;
  beforeEach(stubWebLocks);
  afterEach(() => vi.unstubAllGlobals());
  const keyOf = (lead: DemoLead) => `hubspot|${lead.hubspotId}`;

  it('removes an erased contact, which HubSpot never archives, by comparing every id a week after the last comparison, not a day after', async () => {
    const { clock, crmStore, worker } = lastingCrm();
    const { client, db, store } = worker('hubspot');
    const asked: (number | 'every id')[] = [];
    const watched = watchingDeletions(client, asked);
    const sync = () => runSync({ client: watched, store, now: clock.now });
    // A first sync compares as it reads every contact.
    const firstStarted = clock.now();
    expect(await sync()).toMatchObject({ status: 'done', idsComparedAt: firstStarted });
    const [erased, erasedLater] = [leads[40], leads[41]];
    await clock.sleep(3_600_000);
    crmStore.eraseHubSpotContact(erased);

    await clock.sleep(DAY);
    expect(await sync()).toMatchObject({ status: 'done', lastRun: { removed: 0 }, idsComparedAt: firstStarted });
    expect(await db.leads.get(keyOf(erased))).toBeDefined();

    await clock.sleep(firstStarted + FULL_COMPARISON_EVERY_MS - clock.now());
    const compared = await sync();
    expect(compared).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
    expect(await db.leads.get(keyOf(erased))).toBeUndefined();
    expect(await db.leads.where('source').equals('hubspot').count()).toBe(leads.length - 1);
    const comparedAt = compared.idsComparedAt!;
    expect(comparedAt).toBeGreaterThanOrEqual(firstStarted + FULL_COMPARISON_EVERY_MS);
    expect(comparedAt).toBeLessThanOrEqual(clock.now());
    await expectSummariesInStep(db);

    // The next week runs from that comparison.
    crmStore.eraseHubSpotContact(erasedLater);
    await clock.sleep(DAY);
    expect((await sync()).lastRun).toMatchObject({ removed: 0 });
    await clock.sleep(comparedAt + FULL_COMPARISON_EVERY_MS - 60_000 - clock.now());
    expect((await sync()).lastRun).toMatchObject({ removed: 0 });
    expect(await db.leads.get(keyOf(erasedLater))).toBeDefined();
    await clock.sleep(60_000);
    expect((await sync()).lastRun).toMatchObject({ removed: 1 });
    expect(await db.leads.get(keyOf(erasedLater))).toBeUndefined();
    // The first sync asks for nothing; only the syncs a week after a comparison compare every id.
    expect(asked.map((since) => (since === 'every id' ? since : 'since'))).toEqual(['since', 'every id', 'since', 'since', 'every id']);
    db.close();
  });

  it('records a comparison only once it completed: one cancelled, or whose removals were not stored, is made again', async () => {
    const { clock, crmStore, worker } = lastingCrm();
    const first = worker('hubspot');
    const firstStarted = clock.now();
    await runSync({ client: first.client, store: first.store, now: clock.now });
    first.db.close();
    crmStore.eraseHubSpotContact(leads[42]);
    await clock.sleep(FULL_COMPARISON_EVERY_MS);

    const cancelled = worker('hubspot');
    const kill = new AbortController();
    const dying: CrmClient = { ...cancelled.client, listPresent: (signal) => (kill.abort(), cancelled.client.listPresent!(signal)) };
    expect(await runSync({ client: dying, store: cancelled.store, signal: kill.signal, now: clock.now })).toMatchObject({ status: 'cancelled' });
    expect((await cancelled.store.readState('hubspot')).idsComparedAt).toBe(firstStarted);
    expect(await cancelled.db.leads.get(keyOf(leads[42]))).toBeDefined();
    cancelled.db.close();

    const failing = worker('hubspot');
    const brokenStore: SyncStore = { ...failing.store, finishSync: () => Promise.reject(new Error('worker stopped')) };
    expect((await runSync({ client: failing.client, store: brokenStore, now: clock.now })).status).toBe('error');
    expect((await failing.store.readState('hubspot')).idsComparedAt).toBe(firstStarted);
    failing.db.close();

    const resumed = worker('hubspot');
    const asked: (number | 'every id')[] = [];
    const state = await runSync({ client: watchingDeletions(resumed.client, asked), store: resumed.store, now: clock.now });
    expect(state).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
    expect(asked).toEqual(['every id']);
    expect(state.idsComparedAt).toBeGreaterThanOrEqual(firstStarted + FULL_COMPARISON_EVERY_MS);
    expect(await resumed.db.leads.get(keyOf(leads[42]))).toBeUndefined();
    resumed.db.close();
  });

  it('compares every id at the first sync after an update, when the state, from an older LeadLens, never recorded a comparison', async () => {
    const { clock, crmStore, worker } = lastingCrm();
    const { client, db, store } = worker('hubspot');
    const done = await runSync({ client, store, now: clock.now });
    // As an older LeadLens wrote it: no deletion cursor, no comparison.
    const { deletionCursor: _cursor, idsComparedAt: _compared, ...older } = done;
    await store.writeState('hubspot', older);
    crmStore.eraseHubSpotContact(leads[43]);
    await clock.sleep(3_600_000);

    const asked: (number | 'every id')[] = [];
    const state = await runSync({ client: watchingDeletions(client, asked), store, now: clock.now });
    expect(state).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
    expect(asked).toEqual(['every id']);
    expect(state.idsComparedAt).toBeGreaterThan(done.idsComparedAt!);
    expect(await db.leads.get(keyOf(leads[43]))).toBeUndefined();
    db.close();
  });
});

describe("HubSpot contacts at a lifecycle stage of the portal's own", () => {
  beforeEach(stubWebLocks);
  afterEach(() => vi.unstubAllGlobals());
  // The demo portal lists its own stage, Product Qualified Lead, between sales qualified lead and opportunity.
  const PQL = DEMO_PORTAL_LIFECYCLE_STAGE.value;
  const outcomeOf = async (db: LeadLensDb, lead: DemoLead) => (await db.leads.get(`hubspot|${lead.hubspotId}`))?.outcome;

  it("stores a contact moved to the portal's own stage before opportunity as not converted, reading the stages in the portal's order", async () => {
    const served = structuredClone(leads);
    const { clock, crmStore, worker: lastingWorker } = lastingCrm(served);
    const { client, db, store } = lastingWorker('hubspot');
    await runSync({ client, store, now: clock.now });
    const [moved, atOpportunity] = [served[10], served.find((lead) => lead.hubspot.lifecyclestage === 'opportunity')!];
    await clock.sleep(3_600_000);
    moved.hubspot.lifecyclestage = PQL;
    crmStore.markModified(moved, 'hubspot', clock.now());
    await clock.sleep(3_600_000);

    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', lastRun: { synced: 1 } });
    // Stored with no outcome before, as a stage outside HubSpot's default order: left out of the tiers' rates.
    expect(await outcomeOf(db, moved)).toBe(0);
    expect(await outcomeOf(db, atOpportunity)).toBe(1);
    db.close();
  });

  it("keeps the portal's lifecycle stages it read, in the portal's order, with their labels, for the portal's record pages", async () => {
    const { client, db, store } = worker('hubspot', defaultBehaviour());
    await recordSyncedAccount(db, 'hubspot', { id: '777001', name: 'HubSpot portal 777001' });
    expect(await keptLifecycleStages(db, '777001')).toBeUndefined();
    expect((await runSync({ client, store })).status).toBe('done');
    expect(await keptLifecycleStages(db, '777001')).toEqual(PORTAL_STAGES);
    db.close();
  });

  it("keeps the portal's labels of its original sources, for the side panel's lead-source filter whichever model is active; a Salesforce sync none", async () => {
    const { client, db, store } = worker('hubspot', defaultBehaviour());
    await recordSyncedAccount(db, 'hubspot', { id: '777001', name: 'HubSpot portal 777001' });
    expect(await keptLeadSourceLabels(db)).toBeUndefined();
    expect((await runSync({ client, store })).status).toBe('done');
    expect(await keptLeadSourceLabels(db)).toEqual(ANALYTICS_SOURCE_LABELS);
    await db.settings.delete(KEPT_LEAD_SOURCE_LABELS_KEY);
    db.close();

    const salesforce = worker('salesforce', defaultBehaviour());
    expect((await runSync({ client: salesforce.client, store: salesforce.store })).status).toBe('done');
    expect(await salesforce.db.settings.get(KEPT_LEAD_SOURCE_LABELS_KEY)).toBeUndefined();
    salesforce.db.close();
  });

  it("gives a contact stored with no outcome at the portal's own stage (by an older LeadLens) its outcome at the weekly read of calculated properties, without its changing", async () => {
    const served = structuredClone(leads);
    const atOwnStage = served[11];
    atOwnStage.hubspot.lifecyclestage = PQL;
    const { clock, worker: lastingWorker } = lastingCrm(served);
    const { client, db, store } = lastingWorker('hubspot');
    await runSync({ client, store, now: clock.now });
    expect(await outcomeOf(db, atOwnStage)).toBe(0);
    const stored = (await db.leads.get(`hubspot|${atOwnStage.hubspotId}`))!;
    await db.putLeads([{ ...stored, outcome: null }]);

    await clock.sleep(FULL_COMPARISON_EVERY_MS);
    expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
    expect(await outcomeOf(db, atOwnStage)).toBe(0);
    db.close();
  });
});

describe('Salesforce Leads that Get Deleted does not list', () => {
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  beforeEach(stubWebLocks);
  afterEach(() => vi.unstubAllGlobals());
  const served = leads.slice(0, 500);
  const keyOf = (lead: DemoLead) => `salesforce|${lead.salesforceId}`;

  /** A demo org and a worker syncing from it whose browser clock is `skew` off the org's; `wrap` stands between them. */
  function skewedOrg(skew: number, wrap: (handle: DemoHandler) => DemoHandler = (handle) => handle) {
    const behaviour = defaultBehaviour();
    const orgClock = virtualClock();
    behaviour.now = orgClock.now;
    const { handle, store: crmStore } = createDemoCrm(served, behaviour);
    const browser: Clock = { now: () => orgClock.now() + skew, sleep: orgClock.sleep, random: orgClock.random };
    return { orgClock, crmStore, now: browser.now, ...workerOn('salesforce', wrap(handle), browser) };
  }

  it('removes a Lead shared away from the user (reassigned to another territory) at the weekly comparison of every Id', async () => {
    let hiddenId: string | null = null;
    // Sharing: the user's queries and Get Deleted leave out a record they cannot see.
    const wrap = (handle: DemoHandler): DemoHandler => (request) => {
      const response = handle(request);
      if (hiddenId === null || response.status !== 200 || !request.url.pathname.includes('/query')) return response;
      const body = JSON.parse(response.body) as { records?: { Id: string }[]; totalSize: number };
      if (!Array.isArray(body.records)) return response;
      const records = body.records.filter((record) => record.Id !== hiddenId);
      return { ...response, body: JSON.stringify({ ...body, records, totalSize: body.totalSize - (body.records.length - records.length) }) };
    };
    const { orgClock, crmStore, now, client, db, store } = skewedOrg(0, wrap);
    expect((await runSync({ client, store, now })).status).toBe('done');
    const lead = served[7];
    await orgClock.sleep(HOUR);
    crmStore.markModified(lead, 'salesforce', orgClock.now());
    hiddenId = lead.salesforceId;
    const asked: (number | 'every id')[] = [];
    for (let day = 1; day <= 7; day++) {
      await orgClock.sleep(DAY);
      expect((await runSync({ client: watchingDeletions(client, asked), store, now })).status).toBe('done');
      // Get Deleted never lists it: it stays until a week after the first sync compared every Id.
      expect(await db.leads.get(keyOf(lead)), `day ${day}`).toEqual(day < 7 ? expect.anything() : undefined);
    }
    expect(asked.filter((since) => since === 'every id')).toHaveLength(1);
    expect(await db.leads.where('source').equals('salesforce').count()).toBe(served.length - 1);
    db.close();
  });

  it.each([['right', 0], ['an hour fast', HOUR]])('removes a Lead deleted just after a comparison of every Id (browser clock %s)', async (_, skew) => {
    const { orgClock, crmStore, now, client, db, store } = skewedOrg(skew);
    expect((await runSync({ client, store, now })).status).toBe('done');
    // Away 16 days: the delete log no longer reaches back, so the next sync compares every Id.
    await orgClock.sleep(16 * DAY);
    const compared = await runSync({ client, store, now });
    expect(compared.status).toBe('done');
    // The next read of deletions starts before the org's time of the comparison, whatever the browser's clock says.
    expect(compared.deletionCursor).toBeLessThan(orgClock.now());
    await orgClock.sleep(10 * 60_000);
    const gone = served[42];
    crmStore.deleteLead(gone, orgClock.now());
    await orgClock.sleep(HOUR);
    expect(await runSync({ client, store, now })).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
    expect(await db.leads.get(keyOf(gone))).toBeUndefined();
    db.close();
  });
});

describe('a Salesforce query answer cut short (a proxy, a Salesforce fault)', () => {
  const served = generateDemoLeads({ count: 300, seed: 5, now: NOW });
  beforeEach(stubWebLocks);
  afterEach(() => vi.unstubAllGlobals());

  /** A demo org whose answers to queries `matching` are replaced, while `cutting`, by `cut` of the demo's answer. */
  function cuttingOrg(matching: RegExp, cut: (page: { totalSize: number; records: object[] }) => object) {
    let cutting = false;
    const wrap = (handle: DemoHandler): DemoHandler => (request) => {
      const response = handle(request);
      if (!cutting || response.status !== 200 || !matching.test(request.url.searchParams.get('q') ?? '')) return response;
      return { ...response, body: JSON.stringify(cut(JSON.parse(response.body))) };
    };
    const org = lastingCrm(served, wrap);
    return { ...org, ...org.worker('salesforce'), cut: (on: boolean) => void (cutting = on) };
  }
  const checkpoint = ({ completedCursor, deletionCursor, idsComparedAt, syncedFields }: SyncState) => ({ completedCursor, deletionCursor, idsComparedAt, syncedFields });

  it('fails the weekly comparison of every Id, removing no Lead, when the list says more are to come without a locator; the next sync compares', async () => {
    const { clock, client, db, store, cut: cutting } = cuttingOrg(/^SELECT Id FROM Lead$/, (page) => ({ totalSize: page.totalSize, done: false, records: page.records.slice(0, 100) }));
    const first = await runSync({ client, store, now: clock.now });
    expect(first.status).toBe('done');
    await clock.sleep(FULL_COMPARISON_EVERY_MS);
    cutting(true);
    const failed = await runSync({ client, store, now: clock.now });
    expect(failed).toMatchObject({ status: 'error', errorKind: 'schema', lastRun: first.lastRun });
    expect(checkpoint(failed)).toEqual(checkpoint(first));
    expect(await db.leads.where('source').equals('salesforce').count()).toBe(served.length);
    cutting(false);
    const compared = await runSync({ client, store, now: clock.now });
    expect(compared).toMatchObject({ status: 'done', lastRun: { removed: 0 } });
    expect(compared.idsComparedAt).toBeGreaterThan(first.idsComparedAt!);
    expect(await db.leads.where('source').equals('salesforce').count()).toBe(served.length);
    db.close();
  });

  describe('a list of every Id with fewer Ids than it counted', () => {
    const DAY = 86_400_000;
    const HOUR = 3_600_000;
    // Its first page, answered as the last: 100 Ids of every Lead counted.
    const fewerIds = (page: { totalSize: number; records: object[] }) => ({ totalSize: page.totalSize, done: true, records: page.records.slice(0, 100) });
    const keyOf = (lead: DemoLead) => `salesforce|${lead.salesforceId}`;
    const stored = (db: LeadLensDb) => db.leads.where('source').equals('salesforce').count();

    it('is refused at the weekly comparison: the sync ends done with a note, removes only the Leads Get Deleted lists, and lists every Id again only a day later', async () => {
      const { clock, crmStore, client, db, store, cut: cutting } = cuttingOrg(/^SELECT Id FROM Lead$/, fewerIds);
      const asked: (number | 'every id')[] = [];
      const sync = () => runSync({ client: watchingDeletions(client, asked), store, now: clock.now });
      const first = await sync();
      expect(first.status).toBe('done');
      await clock.sleep(FULL_COMPARISON_EVERY_MS);
      const [deleted, deletedLater] = [served[3], served[4]];
      crmStore.deleteLead(deleted, clock.now() - HOUR);
      cutting(true);
      const refusedAt = clock.now();
      const refused = await sync();
      const refusal = { at: refusedAt, listed: 100, counted: served.length - 1 };
      expect(refused).toMatchObject({ status: 'done', error: null, idsComparedAt: first.idsComparedAt, lastRun: { removed: 1, comparisonRefused: refusal } });
      expect(await db.leads.get(keyOf(deleted))).toBeUndefined();
      expect(await stored(db)).toBe(served.length - 1);

      // Hourly syncs within the day list no Id, and still remove the Leads Get Deleted lists.
      asked.length = 0;
      await clock.sleep(HOUR);
      crmStore.deleteLead(deletedLater, clock.now() - 60_000);
      for (let hour = 1; hour < 24; hour++) {
        expect(await sync()).toMatchObject({ status: 'done', idsComparedAt: first.idsComparedAt, lastRun: { comparisonRefused: refusal } });
        await clock.sleep(HOUR);
      }
      expect(asked).toEqual([]);
      expect(await db.leads.get(keyOf(deletedLater))).toBeUndefined();

      // A day after the refusal, with the list whole again, the comparison completes.
      cutting(false);
      const compared = await sync();
      expect(asked).toEqual(['every id']);
      expect(compared).toMatchObject({ status: 'done', lastRun: { removed: 0 } });
      expect(compared.lastRun!.comparisonRefused).toBeUndefined();
      expect(compared.idsComparedAt).toBeGreaterThan(first.idsComparedAt!);
      expect(await stored(db)).toBe(served.length - 2);
      db.close();
    });

    it('after 20 days without a sync, removes the Leads Get Deleted still lists (15 days back) and no other; the comparison a day later removes the rest', async () => {
      const { clock, crmStore, client, db, store, cut: cutting } = cuttingOrg(/^SELECT Id FROM Lead$/, fewerIds);
      const sync = () => runSync({ client, store, now: clock.now });
      expect((await sync()).status).toBe('done');
      await clock.sleep(20 * DAY);
      const [purged, kept] = [served[5], served[6]];
      crmStore.deleteLead(purged, clock.now() - 19 * DAY);
      crmStore.deleteLead(kept, clock.now() - DAY);
      cutting(true);
      const refused = await sync();
      expect(refused).toMatchObject({ status: 'done', error: null, lastRun: { removed: 1, comparisonRefused: { listed: 100, counted: served.length - 2 } } });
      expect(await db.leads.get(keyOf(kept))).toBeUndefined();
      expect(await db.leads.get(keyOf(purged))).toBeDefined();
      // Get Deleted, read from where its log starts, reaches to the next sync.
      expect(refused.deletionCursor).toBeGreaterThan(clock.now() - HOUR);
      cutting(false);
      await clock.sleep(DAY);
      expect(await sync()).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
      expect(await db.leads.get(keyOf(purged))).toBeUndefined();
      expect(await stored(db)).toBe(served.length - 2);
      db.close();
    });
  });

  it('fails a sync whose page of changes says more are to come without a locator: its cursor stays, and the next sync stores every change', async () => {
    const { clock, crmStore, client, db, store, cut: cutting } = cuttingOrg(/ORDER BY SystemModstamp/, (page) => ({ totalSize: page.totalSize, done: false, records: page.records.slice(0, 3) }));
    const first = await runSync({ client, store, now: clock.now });
    expect(first.status).toBe('done');
    await clock.sleep(3_600_000);
    const edited = served.slice(0, 10);
    edited.forEach((lead, i) => crmStore.editLead(lead, 'salesforce', clock.now() - 60_000 + i * 1000));
    await clock.sleep(60_000);
    cutting(true);
    const failed = await runSync({ client, store, now: clock.now });
    expect(failed).toMatchObject({ status: 'error', errorKind: 'schema', lastRun: first.lastRun });
    expect(checkpoint(failed)).toEqual(checkpoint(first));
    cutting(false);
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', lastRun: { synced: edited.length } });
    for (const lead of edited) expect((await db.leads.get(`salesforce|${lead.salesforceId}`))?.modifiedAt).toBe(modifiedAt('salesforce', lead));
    db.close();
  });
});

/**
 * `handle` with formula fields on the Leads of `served` as Salesforce has them: describe lists
 * them `calculated`, and every page of a query naming them answers each Lead's value as it is now.
 */
function withFormulas(served: readonly DemoLead[], formulas: Record<string, { type: string; valueOf(lead: DemoLead): string | number }>) {
  const names = Object.keys(formulas);
  const byId = new Map(served.map((lead) => [lead.salesforceId, lead]));
  // The demo org does not know them: a query's field list (joined by ", " or ",") leaves them out for it.
  // The formulas a query named, by its locator: its later pages answer them too.
  const namedBy = new Map<string, string[]>();
  return (handle: DemoHandler): DemoHandler => (request) => {
    const url = new URL(request.url);
    const soql = url.searchParams.get('q');
    if (soql !== null) url.searchParams.set('q', names.reduce((left, name) => left.replace(new RegExp(`, ?${name}\\b`), ''), soql));
    const response = handle({ ...request, url });
    if (response.status !== 200) return response;
    const body = JSON.parse(response.body);
    if (url.pathname.endsWith('/sobjects/Lead/describe')) {
      body.fields.push(...names.map((name) => ({ name, label: name, type: formulas[name].type, custom: true, calculated: true, updateable: false })));
    } else if (Array.isArray(body.records)) {
      const named = soql === null ? (namedBy.get(/\/query\/(\w+)-\d+$/.exec(url.pathname)?.[1] ?? '') ?? []) : names.filter((name) => soql.includes(name));
      if (body.nextRecordsUrl) namedBy.set(/\/query\/(\w+)-\d+$/.exec(body.nextRecordsUrl)![1], named);
      for (const record of body.records) for (const name of named) record[name] = formulas[name].valueOf(byId.get(record.Id)!);
    }
    return { ...response, body: JSON.stringify(body) };
  };
}

describe('Salesforce formula fields, which change without SystemModstamp', () => {
  const DAY = 86_400_000;
  // More than one page (of 200: see `inBatchesOf200`): the formula fields are read through query locators too.
  const served = generateDemoLeads({ count: 500, seed: 8, now: NOW });
  const keyOf = (lead: DemoLead) => `salesforce|${lead.salesforceId}`;
  beforeEach(stubWebLocks);
  afterEach(() => vi.unstubAllGlobals());

  /** A demo org whose Leads have `Owner_Region__c`, their owner's region (a formula across objects), with `regions` by owner Id. */
  function orgWithOwnerRegions() {
    const regions = new Map(DEMO_OWNERS.map((owner) => [owner.salesforceId, 'EMEA']));
    const org = lastingCrm(served, withFormulas(served, { Owner_Region__c: { type: 'string', valueOf: (lead) => regions.get(lead.salesforce.OwnerId!)! } }));
    return { ...org, regions };
  }

  it('keeps a formula of the date (TODAY() - CreatedDate) within a week of Salesforce: every stored Lead reads it again with the weekly comparison', async () => {
    let orgNow = () => 0;
    const daysOpen = (lead: DemoLead) => Math.floor((orgNow() - Date.parse(lead.salesforce.CreatedDate.replace('+0000', 'Z'))) / DAY);
    const { clock, worker } = lastingCrm(served, withFormulas(served, { Days_Open__c: { type: 'double', valueOf: daysOpen } }));
    orgNow = clock.now;
    const { client, db, store } = worker('salesforce');
    const first = await runSync({ client, store, now: clock.now });
    expect(first.status).toBe('done');
    /** The stored Leads whose value is not Salesforce's now. */
    const stale = async () => (await db.leads.where('source').equals('salesforce').toArray()).filter((lead) => lead.fields.Days_Open__c !== daysOpen(byId.get(lead.id)!));
    const byId = new Map(served.map((lead) => [lead.salesforceId, lead]));
    expect(await stale()).toEqual([]);
    for (let day = 1; day < 7; day++) {
      await clock.sleep(DAY);
      expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
    }
    // Only the Leads each sync's look-back read again are up to date.
    expect((await stale()).length).toBeGreaterThan(served.length - served.length / 25);
    await clock.sleep(first.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    // Every Lead's value changed since it was stored: each is stored again, and counted as changed (so scored again).
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', lastRun: { synced: served.length, removed: 0 } });
    expect(await stale()).toEqual([]);
    db.close();
  });

  it('stores again only the Leads whose formula across objects (the owner\'s region) changed, counting them as changed, at the weekly comparison', async () => {
    const { clock, worker, regions } = orgWithOwnerRegions();
    const { client, db, store } = worker('salesforce');
    const first = await runSync({ client, store, now: clock.now });
    const [moved] = DEMO_OWNERS;
    const movedLeads = served.filter((lead) => lead.salesforce.OwnerId === moved.salesforceId);
    regions.set(moved.salesforceId, 'APAC');
    await clock.sleep(DAY);
    expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
    // Only the Leads the sync's look-back read again are up to date.
    const stale = (await db.leads.bulkGet(movedLeads.map(keyOf))).filter((lead) => lead?.fields.Owner_Region__c === 'EMEA');
    expect(stale.length).toBeGreaterThan(movedLeads.length - movedLeads.length / 20);
    await clock.sleep(first.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', lastRun: { synced: stale.length, removed: 0 } });
    const stored = await db.leads.where('source').equals('salesforce').toArray();
    expect(stored.filter((lead) => lead.fields.Owner_Region__c === 'APAC').map((lead) => lead.id).sort()).toEqual(movedLeads.map((lead) => lead.salesforceId).sort());
    // Only the formula changed: the rest of the Lead, its owner's name and its place in the sync are as they were.
    const [before] = stale;
    expect(await db.leads.get(before!.key)).toEqual({ ...before, fields: { ...before!.fields, Owner_Region__c: 'APAC' } });
    await expectSummariesInStep(db);
    db.close();
  });

  it('keeps what a pass cut short stored and counted: the resumed sync reads them all again and counts every Lead that changed', async () => {
    const { clock, worker, regions } = orgWithOwnerRegions();
    const first = worker('salesforce');
    const firstState = await runSync({ client: first.client, store: first.store, now: clock.now });
    first.db.close();
    const [moved] = DEMO_OWNERS;
    regions.set(moved.salesforceId, 'APAC');
    await clock.sleep(firstState.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());

    const dying = worker('salesforce');
    const kill = new AbortController();
    let pages = 0;
    const killedOnSecondPage: CrmClient = { ...dying.client, listCalculated: (token, signal) => (++pages === 2 && kill.abort(), dying.client.listCalculated!(token, signal)) };
    const cancelled = await runSync({ client: killedOnSecondPage, store: dying.store, signal: kill.signal, now: clock.now });
    expect(cancelled.status).toBe('cancelled');
    const inApac = async (db: LeadLensDb) => (await db.leads.where('source').equals('salesforce').toArray()).filter((lead) => lead.fields.Owner_Region__c === 'APAC').length;
    const onFirstPage = await inApac(dying.db);
    expect(onFirstPage).toBeGreaterThan(0);
    expect(cancelled.job?.changed).toBe(onFirstPage);
    dying.db.close();

    const resumed = worker('salesforce');
    const done = await runSync({ client: resumed.client, store: resumed.store, now: clock.now });
    const movedLeads = served.filter((lead) => lead.salesforce.OwnerId === moved.salesforceId);
    expect(onFirstPage).toBeLessThan(movedLeads.length);
    expect(done).toMatchObject({ status: 'done', lastRun: { synced: movedLeads.length, removed: 0 } });
    expect(await inApac(resumed.db)).toBe(movedLeads.length);
    resumed.db.close();
  });

  it('keeps what a pass refused part way stored and counted, and finishes the sync saying so', async () => {
    const { clock, worker, regions } = orgWithOwnerRegions();
    const { client, db, store } = worker('salesforce');
    const first = await runSync({ client, store, now: clock.now });
    const [moved] = DEMO_OWNERS;
    regions.set(moved.salesforceId, 'APAC');
    await clock.sleep(first.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    let pages = 0;
    const refusal = new CrmError('request', 'Salesforce refused read formula fields of Leads: HTTP 400 (QUERY_TOO_COMPLICATED)', 400, 'QUERY_TOO_COMPLICATED');
    const refusedOnSecondPage: CrmClient = { ...client, listCalculated: (token, signal) => (++pages === 2 ? Promise.reject(refusal) : client.listCalculated!(token, signal)) };
    const done = await runSync({ client: refusedOnSecondPage, store, now: clock.now });
    const inApac = (await db.leads.where('source').equals('salesforce').toArray()).filter((lead) => lead.fields.Owner_Region__c === 'APAC').length;
    expect(inApac).toBeGreaterThan(0);
    expect(inApac).toBeLessThan(served.filter((lead) => lead.salesforce.OwnerId === moved.salesforceId).length);
    expect(done).toMatchObject({ status: 'done', lastRun: { synced: inApac, removed: 0, calculatedNotRefreshed: expect.stringMatching(/^Could not refresh formula fields: Salesforce refused read formula fields of Leads: HTTP 400 \(QUERY_TOO_COMPLICATED\)\. /) } });
    db.close();
  });
});

describe('a CRM refusing the weekly read of the values it computes (Salesforce: a query of too many formula fields)', () => {
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  beforeEach(stubWebLocks);
  afterEach(() => vi.unstubAllGlobals());
  const keyOf = (crm: Crm, lead: DemoLead) => `${crm}|${idOf(crm, lead)}`;
  /** Salesforce refusing a query of more formula fields than it computes at once. */
  const QUERY_TOO_COMPLICATED = json(400, [{ message: 'Query is either selecting too many fields or the filter conditions are very complicated.', errorCode: 'QUERY_TOO_COMPLICATED' }]);
  /** Salesforce's org out of API requests for the day: a limit a later sync gets past, not a refusal of the read. */
  const REQUEST_LIMIT_EXCEEDED = json(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
  /** HubSpot refusing the list of contacts with their calculated properties. */
  const HUBSPOT_REFUSAL = json(400, { status: 'error', message: 'Unable to compute calculated properties for this request', category: 'VALIDATION_ERROR' });

  /** Whether `request` reads the values the CRM computes (`listCalculated`), not the changes (ordered) nor the list of every Id (no formula). */
  const readsCalculated = (crm: Crm, request: DemoRequest) =>
    crm === 'salesforce'
      ? /^SELECT .*Days_Open__c.* FROM Lead$/.test(request.url.searchParams.get('q') ?? '')
      : request.method === 'GET' && /\/objects\/contacts$/.test(request.url.pathname) && (request.url.searchParams.get('properties') ?? '').includes('num_conversion_events');

  /**
   * A demo CRM whose records have a value the CRM computes (Salesforce: a formula field; HubSpot:
   * its own count of form submissions), answering the read of those values with `refusal` while set.
   */
  function refusingCrm(crm: Crm) {
    let refusal: DemoResponse | null = null;
    const refusing = (handle: DemoHandler): DemoHandler => (request) => (refusal !== null && readsCalculated(crm, request) ? refusal : handle(request));
    const daysOpen = (lead: DemoLead) => Math.floor((NOW.getTime() - Date.parse(lead.salesforce.CreatedDate.replace('+0000', 'Z'))) / DAY);
    const wrap = crm === 'salesforce' ? (handle: DemoHandler) => refusing(withFormulas(leads, { Days_Open__c: { type: 'double', valueOf: daysOpen } })(handle)) : refusing;
    const org = lastingCrm(leads, wrap);
    const { client, db, store } = org.worker(crm);
    // How many times the sync began that read.
    let reads = 0;
    const counting: CrmClient = { ...client, listCalculated: (token, signal) => (token === null && reads++, client.listCalculated!(token, signal)) };
    return { ...org, db, sync: () => runSync({ client: counting, store, now: org.clock.now }), reads: () => reads, refuse: (answer: DemoResponse | null) => void (refusal = answer) };
  }

  it.each([
    ['salesforce', QUERY_TOO_COMPLICATED, 'Could not refresh formula fields: Salesforce refused read formula fields of Leads: HTTP 400 (QUERY_TOO_COMPLICATED: Query is either selecting too many fields or the filter conditions are very complicated.). Each Lead keeps the values its formula fields had when it last changed; LeadLens tries again within a week'],
    ['hubspot', HUBSPOT_REFUSAL, 'Could not refresh calculated properties: HubSpot refused read calculated properties of contacts: HTTP 400 (VALIDATION_ERROR: Unable to compute calculated properties for this request). Each contact keeps the values its calculated properties had when it last changed; LeadLens tries again within a week'],
  ] as const)('%s: finishes the sync, removing what the CRM deleted, with a note that stands until the read is made again at the next weekly comparison', async (crm, refusal, note) => {
    const { clock, crmStore, db, sync, reads, refuse } = refusingCrm(crm);
    const first = await sync();
    expect(first.status).toBe('done');
    expect(reads()).toBe(0);
    await clock.sleep(8 * DAY);
    const [deleted, edited] = [leads[42], leads[43]];
    crmStore.deleteLead(deleted, clock.now() - HOUR);
    crmStore.markModified(edited, crm, clock.now() - HOUR);
    refuse(refusal);
    const refused = await sync();
    expect(reads()).toBe(1);
    expect(refused).toMatchObject({ status: 'done', error: null, errorKind: null, job: null, lastRun: { removed: 1, calculatedNotRefreshed: note } });
    // The sync moved on past the edit, and the deletion.
    expect(refused.completedCursor).toBeGreaterThan(first.completedCursor!);
    expect(refused.deletionCursor).toBeGreaterThan(first.deletionCursor!);
    expect(refused.idsComparedAt).toBeGreaterThan(first.idsComparedAt!);
    expect(await db.leads.get(keyOf(crm, deleted))).toBeUndefined();
    expect(await db.leads.where('source').equals(crm).count()).toBe(leads.length - 1);

    // Hourly syncs do not ask again, and keep saying so.
    for (let hour = 1; hour <= 3; hour++) {
      await clock.sleep(HOUR);
      expect(await sync()).toMatchObject({ status: 'done', lastRun: { calculatedNotRefreshed: note } });
    }
    expect(reads()).toBe(1);

    // A week after the comparison, the CRM answers again: the read completes and the note goes.
    refuse(null);
    await clock.sleep(refused.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    const refreshed = await sync();
    expect(reads()).toBe(2);
    expect(refreshed.status).toBe('done');
    expect(refreshed.lastRun?.calculatedNotRefreshed).toBeUndefined();
    db.close();
  });

  it('stops at the org’s request limit (403 REQUEST_LIMIT_EXCEEDED) as at any other read, and the next sync makes the read and finishes', async () => {
    const { clock, crmStore, db, sync, reads, refuse } = refusingCrm('salesforce');
    const first = await sync();
    await clock.sleep(8 * DAY);
    crmStore.deleteLead(leads[42], clock.now() - HOUR);
    refuse(REQUEST_LIMIT_EXCEEDED);
    expect(await sync()).toMatchObject({ status: 'error', errorKind: 'request', error: expect.stringContaining('REQUEST_LIMIT_EXCEEDED'), lastRun: first.lastRun });
    expect(await db.leads.where('source').equals('salesforce').count()).toBe(leads.length);
    refuse(null);
    await clock.sleep(HOUR);
    const done = await sync();
    expect(reads()).toBe(2);
    expect(done).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
    expect(done.lastRun?.calculatedNotRefreshed).toBeUndefined();
    db.close();
  });
});

describe('a query locator lost after a page that shows an edit made during the sync', () => {
  it('resumes from the newest change stamped before the sync began, so the records after it are read', async () => {
    const startedAt = Date.parse('2026-11-01T12:00:00Z');
    const minute = 60_000;
    let demo = 0;
    const record = (id: string, modifiedAt: number): CrmRecord => ({ id, modifiedAt, fields: { ...leads[demo++].salesforce, Id: id } });
    // By their stamps when the query ran: a (−60 min), b (−50), c (−40) on page 1; d (−30) on page 2.
    // c was edited during the sync: page 1 shows its new stamp, after d's.
    const pageOne = [record('00Qa', startedAt - 60 * minute), record('00Qb', startedAt - 50 * minute), record('00Qc', startedAt + 2 * minute)];
    const d = record('00Qd', startedAt - 30 * minute);
    const asked: (number | null)[] = [];
    const client = {
      crm: 'salesforce',
      maxBatch: 200,
      async listChanged(since: number | null, pageToken: string | null): Promise<ChangedPage> {
        if (pageToken !== null) throw new CrmError('cursor-expired', 'INVALID_QUERY_LOCATOR');
        asked.push(since);
        if (since === null) return { records: pageOne, next: 'locator-2', remaining: 1 };
        // A new query: every record changed at or after `since`, by its stamp now.
        return { records: [...pageOne, d].filter((r) => r.modifiedAt >= since).sort((x, y) => x.modifiedAt - y.modifiedAt), next: null, remaining: 0 };
      },
      async syncedFields() {
        return Object.keys(leads[0].salesforce);
      },
      async listDeleted(): Promise<Deletions> {
        return { kind: 'deleted-since', records: [], coveredTo: startedAt };
      },
      async ownerNames() {
        return new Map<string, string>();
      },
    } as unknown as CrmClient;
    const db = new LeadLensDb(DB);
    const done = await runSync({ client, store: dexieSyncStore(db), now: () => startedAt });
    expect(done.status).toBe('done');
    // Again from b's stamp, not from c's new one (which would have skipped d).
    expect(asked).toEqual([null, startedAt - 50 * minute]);
    expect((await db.leads.where('source').equals('salesforce').primaryKeys()).sort()).toEqual(['salesforce|00Qa', 'salesforce|00Qb', 'salesforce|00Qc', 'salesforce|00Qd']);
    db.close();
  });
});

describe('a Salesforce sync whose browser clock runs 10 minutes fast, and Leads edited during it', () => {
  const minute = 60_000;
  /** When the sync's first query ran, by Salesforce's clock (its Date header); the browser's says 10 minutes later. */
  const queried = Date.parse('2026-11-01T12:00:00Z');
  const startedAt = queried + 10 * minute;
  const record = (id: string, modifiedAt: number, Title = 'As queried'): CrmRecord => ({ id, modifiedAt, fields: { ...leads[0].salesforce, Id: id, Title, SystemModstamp: new Date(modifiedAt).toISOString() } });
  /** A Salesforce client listing changes with `listChanged`, which finds no deletions and names no owners. */
  const clientListing = (listChanged: CrmClient['listChanged']) => ({
    crm: 'salesforce',
    maxBatch: 200,
    listChanged,
    async syncedFields() {
      return Object.keys(leads[0].salesforce);
    },
    async listDeleted(since: number): Promise<Deletions> {
      return { kind: 'deleted-since', records: [], coveredTo: since };
    },
    async ownerNames() {
      return new Map<string, string>();
    },
  }) as unknown as CrmClient;

  it('begins the next sync before the query ran: a Lead on a page read before it was edited is read then', async () => {
    // a and b on page 1, c on page 2. Once page 1 is read, a rep edits a (2 minutes after the
    // query ran) and c (8 minutes after), which page 2 shows: newer than anything the query found.
    const org = new Map(Object.entries({ '00Qa': queried - 60 * minute, '00Qb': queried - 50 * minute, '00Qc': queried - 40 * minute }).map(([id, at]) => [id, record(id, at)]));
    const edit = (id: string, at: number) => org.set(id, record(id, at, 'Edited during the sync'));
    const client = clientListing(async (since, pageToken) => {
      if (pageToken === 'locator-2') return { records: [org.get('00Qc')!], next: null, remaining: 0 };
      if (since === null) {
        const page: ChangedPage = { records: [org.get('00Qa')!, org.get('00Qb')!], next: 'locator-2', remaining: 1, queriedAt: queried };
        edit('00Qa', queried + 2 * minute);
        edit('00Qc', queried + 8 * minute);
        return page;
      }
      // A later sync's query: every Lead stamped at or after `since`.
      const records = [...org.values()].filter((r) => r.modifiedAt >= since).sort((x, y) => x.modifiedAt - y.modifiedAt);
      return { records, next: null, remaining: 0, queriedAt: queried + 60 * minute };
    });
    const db = new LeadLensDb(DB);
    const store = dexieSyncStore(db);
    const first = await runSync({ client, store, now: () => startedAt });
    // Before the query ran, not before c's edit (or the browser's start): a's edit falls after it.
    expect(first).toMatchObject({ status: 'done', completedCursor: queried - SYNC_LOOKBACK_MS, deletionCursor: queried - SYNC_LOOKBACK_MS });
    expect((await runSync({ client, store, now: () => startedAt + 60 * minute })).status).toBe('done');
    expect(await db.leads.get('salesforce|00Qa')).toMatchObject({ modifiedAt: queried + 2 * minute, fields: { Title: 'Edited during the sync' } });
    db.close();
  });

  it('resumes a lost query locator from before the query ran, not from an edit made since that a page showed', async () => {
    // a (−60 min), b (−50), c (−40) on page 1; d (−30) on page 2. Page 1 shows c edited 2 minutes
    // after the query ran: before the browser's start less the look-back, after d's stamp.
    const pageOne = [record('00Qa', queried - 60 * minute), record('00Qb', queried - 50 * minute), record('00Qc', queried + 2 * minute)];
    const d = record('00Qd', queried - 30 * minute);
    const asked: (number | null)[] = [];
    const client = clientListing(async (since, pageToken) => {
      if (pageToken !== null) throw new CrmError('cursor-expired', 'INVALID_QUERY_LOCATOR');
      asked.push(since);
      if (since === null) return { records: pageOne, next: 'locator-2', remaining: 1, queriedAt: queried };
      return { records: [...pageOne, d].filter((r) => r.modifiedAt >= since).sort((x, y) => x.modifiedAt - y.modifiedAt), next: null, remaining: 0, queriedAt: queried + 20 * minute };
    });
    const db = new LeadLensDb(DB);
    expect((await runSync({ client, store: dexieSyncStore(db), now: () => startedAt })).status).toBe('done');
    expect(asked).toEqual([null, queried - 50 * minute]);
    expect((await db.leads.where('source').equals('salesforce').primaryKeys()).sort()).toEqual(['salesforce|00Qa', 'salesforce|00Qb', 'salesforce|00Qc', 'salesforce|00Qd']);
    db.close();
  });
});

describe('HubSpot odd contacts in a bulk import (more contacts of one date than a page holds)', () => {
  it('leaves them out and reads on: the page after, of the run read again by id, holds no new readable contact but is no changed schema', async () => {
    const some = manyLeads().slice(0, 700);
    const earliest = some.map((lead) => lead.hubspot.lastmodifieddate!).sort()[0];
    // Two in three contacts imported at once, at the earliest date: the first pages are all of that run.
    const imported = some.map((lead, index) => (index % 3 === 0 ? lead : { ...lead, hubspot: { ...lead.hubspot, hs_lastmodifieddate: earliest, lastmodifieddate: earliest } }));
    const run = imported.filter((lead) => lead.hubspot.lastmodifieddate === earliest).sort((a, b) => Number(a.hubspotId) - Number(b.hubspotId));
    expect(run.length).toBeGreaterThan(400);
    const behaviour = defaultBehaviour();
    const odd = [run[10], run[20]];
    for (const lead of odd) behaviour.oddRecords.set(lead.hubspotId, { field: 'company', value: { name: 'Acme' } });
    const { client, db, store } = worker('hubspot', behaviour, imported);
    const state = await runSync({ client, store });
    expect(state.status).toBe('done');
    expect(state.leftOut?.named.map((record) => record.id).sort()).toEqual(odd.map((lead) => lead.hubspotId).sort());
    await expectEveryLeadOnce(db, 'hubspot', imported.filter((lead) => !odd.includes(lead)));
    db.close();
  });
});

describe('the user a Salesforce sync signs in as', () => {
  const hidden = 'LeadSource';
  const rep = DEMO_SALESFORCE_USERS.find((user) => user.Name === 'Marcus Oyelaran')!;
  const adminSession = '00D5g000004Demo!ARadmin-session';
  const asCrmUser = ({ Id, Name, Username }: DemoSalesforceUser) => ({ id: Id, name: Name, username: Username });

  /**
   * `store`, with the admin connecting Salesforce again as the rep after the first page: the
   * connect forgets whom the leads were synced as. `commits()`: how many pages it committed.
   */
  function connectedAsRepAfterFirstPage(store: SyncStore, session: { id: string }, db: LeadLensDb): { connectedMidSync: SyncStore; commits: () => number } {
    let commits = 0;
    const connectedMidSync: SyncStore = {
      ...store,
      async commitPage(...page) {
        await store.commitPage(...page);
        if (++commits !== 1) return;
        session.id = demoSessionIdAs(rep);
        await forgetSyncedAs(db, 'salesforce');
      },
    };
    return { connectedMidSync, commits: () => commits };
  }

  /**
   * A worker syncing the demo org (in batches of 200: `inBatchesOf200`) through `session.id`, the
   * browser's Salesforce session, which a "Log in as" changes; field-level security hides
   * LeadSource from the rep (describe leaves it out for their session). `requests`: the paths it
   * asked for; `crmStore`: the demo org's records, `served` (changed in place).
   */
  function sessionWorker(served: DemoLead[] = leads) {
    const behaviour = defaultBehaviour();
    const clock = virtualClock();
    behaviour.now = clock.now;
    const { handle: whole, store: crmStore } = createDemoCrm(served, behaviour);
    const handle = inBatchesOf200(whole);
    const session = { id: adminSession };
    const requests: string[] = [];
    const fetch = demoFetch((request) => {
      requests.push(request.url.pathname);
      const response = handle(request);
      if (bearerToken(request) !== demoSessionIdAs(rep) || !request.url.pathname.endsWith('/sobjects/Lead/describe')) return response;
      const body = JSON.parse(response.body) as { fields: { name: string }[] };
      return { ...response, body: JSON.stringify({ ...body, fields: body.fields.filter(({ name }) => name !== hidden) }) };
    });
    const client = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => session.id, clock, fetch });
    const db = new LeadLensDb(DB);
    const withHidden = async () => (await db.leads.where('source').equals('salesforce').toArray()).filter((lead) => hidden in lead.fields).length;
    return { client, db, store: dexieSyncStore(db), session, requests, clock, withHidden, crmStore };
  }

  it('refuses a sync signed in as another user than the leads were synced as, before it reads or changes anything, naming both users and the ways on', async () => {
    const { client, db, store, session, requests, clock, withHidden } = sessionWorker();
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
    expect(await withHidden()).toBe(leads.length);
    const leadsBefore = await db.leads.toArray();
    const stateBefore = await store.readState('salesforce');

    // The admin used "Log in as" the rep: the browser's session is the rep's when the hourly sync runs.
    session.id = demoSessionIdAs(rep);
    requests.length = 0;
    await clock.sleep(3_600_000);
    const refused = await runSync({ client, store, now: clock.now });
    // Only its end is stored: the user it was synced as, the fields it read, its place, all as they were.
    expect(refused).toEqual({ ...stateBefore, status: 'error', error: expect.any(String), errorKind: null, endedAt: clock.now() });
    expect(await store.readState('salesforce')).toEqual(refused);
    expect(refused.error).toMatch(
      /^Salesforce is signed in as Marcus Oyelaran \(marcus\.oyelaran@northbeam-analytics\.example\), not as Avery Lindqvist \(avery\.lindqvist@northbeam-analytics\.example\), whom LeadLens synced as: a sync as another user would remove the leads and fields only Avery Lindqvist can see/,
    );
    expect(refused.error).toContain('Sync again once signed in as Avery Lindqvist (after "Log in as", end it with "Log out as Marcus Oyelaran")');
    expect(refused.error).toContain('to sync as Marcus Oyelaran from now on, connect Salesforce again under CRM connections: the next sync then reads what Marcus Oyelaran sees');
    // It asked whom it signs in as, and nothing else: no describe, no Lead.
    expect(requests).toEqual(['/services/data/v67.0/', `/services/data/v67.0/sobjects/User/${rep.Id}`]);
    expect(await db.leads.toArray()).toEqual(leadsBefore);

    // Back in the admin's own session: the sync goes on, and every lead kept the field the rep could not see.
    session.id = adminSession;
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', error: null, syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
    expect(await withHidden()).toBe(leads.length);
    db.close();
  });

  it('goes on signed in as the user the leads were synced as, in a session of theirs after another', async () => {
    const { client, db, store, session, clock, withHidden } = sessionWorker();
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
    // The admin logged in again: a new session id, the same user.
    session.id = '00D5g000004Demo!ARnext-login';
    await clock.sleep(3_600_000);
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', error: null, lastRun: { synced: 0 }, syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
    expect(await withHidden()).toBe(leads.length);
    db.close();
  });

  it('records the user of the first sync after an update from a LeadLens that recorded none (or of a damaged record), then refuses another', async () => {
    const { client, db, store, session, clock } = sessionWorker();
    expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
    const { syncedAs: _recorded, ...older } = await store.readState('salesforce');
    // As an older LeadLens left it: no user recorded. Its next sync goes on, and records whom it signs in as.
    await db.settings.put({ key: syncStateKey('salesforce'), value: older });
    expect((await store.readState('salesforce')).syncedAs).toBeUndefined();
    await clock.sleep(3_600_000);
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', error: null, syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
    // A damaged record reads as none: the sync goes on too, the rest of the state kept.
    await db.settings.put({ key: syncStateKey('salesforce'), value: { ...(await store.readState('salesforce')), syncedAs: { id: 42 } } });
    expect(await store.readState('salesforce')).toMatchObject({ status: 'done', completedCursor: expect.any(Number), syncedAs: undefined });
    await clock.sleep(3_600_000);
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', error: null, syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });

    session.id = demoSessionIdAs(rep);
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'error', error: expect.stringContaining('not as Avery Lindqvist'), syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
    db.close();
  });

  it('leaves the user a connect forgot during a sync forgotten, so the next sync records whom the new connection signs in as', async () => {
    const { client, db, store, session, clock, withHidden } = sessionWorker();
    const { connectedMidSync, commits } = connectedAsRepAfterFirstPage(store, session, db);
    // The sync goes on to its end (a first sync removes nothing), and its later writes leave the user forgotten.
    expect(await runSync({ client, store: connectedMidSync, now: clock.now })).toMatchObject({ status: 'done', error: null, lastRun: { synced: leads.length } });
    expect(commits()).toBeGreaterThan(1);
    expect((await store.readState('salesforce')).syncedAs).toBeUndefined();

    // The next sync is the rep's, as the admin chose: it records them, and reads what they see.
    await clock.sleep(3_600_000);
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', error: null, syncedAs: asCrmUser(rep) });
    expect(await store.readState('salesforce')).toMatchObject({ status: 'done', syncedAs: asCrmUser(rep) });
    expect(await withHidden()).toBe(0);
    db.close();
  });

  it('leaves the user forgotten by a connect while the sync’s start asks whom it signs in as, so the next sync goes on as the user just connected as', async () => {
    const { client, db, store, session, clock } = sessionWorker();
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
    await clock.sleep(3_600_000);
    // The admin connects Salesforce again, as the rep, while the start's question is answered (as the admin).
    let asked = 0;
    const connectedWhileAsked: CrmClient = {
      ...client,
      async currentUser(signal) {
        const user = await client.currentUser!(signal);
        if (++asked === 1) {
          session.id = demoSessionIdAs(rep);
          await forgetSyncedAs(db, 'salesforce');
        }
        return user;
      },
    };
    // It read as the rep from then on, and ends as a sync whose connection changed during it does.
    const ended = await runSync({ client: connectedWhileAsked, store, now: clock.now });
    expect(ended).toMatchObject({ status: 'error', error: expect.stringMatching(/^Salesforce was connected again during this sync/), syncedAs: undefined });
    expect((await store.readState('salesforce')).syncedAs).toBeUndefined();

    await clock.sleep(3_600_000);
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', error: null, syncedAs: asCrmUser(rep) });
    db.close();
  });

  it('goes on as the user a connect during the start’s question signs in as, recording them, rather than refusing them as another user', async () => {
    const { client, db, store, session, clock } = sessionWorker();
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
    await clock.sleep(3_600_000);
    // The admin connects Salesforce again, as the rep, just before the start's question is answered (as the rep).
    let asked = 0;
    const connectedBeforeTheAnswer: CrmClient = {
      ...client,
      async currentUser(signal) {
        if (++asked === 1) {
          session.id = demoSessionIdAs(rep);
          await forgetSyncedAs(db, 'salesforce');
        }
        return client.currentUser!(signal);
      },
    };
    expect(await runSync({ client: connectedBeforeTheAnswer, store, now: clock.now })).toMatchObject({ status: 'done', error: null, syncedAs: asCrmUser(rep) });
    expect((await store.readState('salesforce')).syncedAs).toEqual(asCrmUser(rep));
    db.close();
  });

  describe('signed in as another user by the time the sync removes leads', () => {
    // Removing leads pauses a job writing stored scores (a Web Lock; Node has none).
    beforeEach(stubWebLocks);
    afterEach(() => vi.unstubAllGlobals());

    it('ends the sync there with the refusal, removing none and keeping its pages, and asks whom it signs in as once more a sync, not a page', async () => {
      const { client, db, store, session, requests, clock, crmStore } = sessionWorker();
      expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
      const [gone, edited] = [leads[10], leads[20]];
      const keyOf = (lead: DemoLead) => `salesforce|${lead.salesforceId}`;
      await clock.sleep(86_400_000);
      crmStore.deleteLead(gone, clock.now());
      const editedAt = clock.now();
      crmStore.markModified(edited, 'salesforce', editedAt);
      await clock.sleep(3_600_000);

      // The admin uses "Log in as" the rep while the sync runs: its pages are read, then its deletions in the rep's session.
      const loggedInAsMidSync: CrmClient = { ...client, listDeleted: (since, signal) => ((session.id = demoSessionIdAs(rep)), client.listDeleted(since, signal)) };
      requests.length = 0;
      const refused = await runSync({ client: loggedInAsMidSync, store, now: clock.now });
      expect(refused).toMatchObject({ status: 'error', errorKind: null, endedAt: clock.now(), syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN), job: expect.objectContaining({ pageToken: null }) });
      expect(refused.error).toBe(otherUserRefusal('salesforce', asCrmUser(DEMO_SALESFORCE_ADMIN), asCrmUser(rep), 'removed'));
      expect(refused.error).toMatch(/^Salesforce is signed in as Marcus Oyelaran \(marcus\.oyelaran@northbeam-analytics\.example\), not as Avery Lindqvist .* so this one removed nothing, and the next sync reads again the leads it read\. Sync again once signed in as Avery Lindqvist/);
      expect(await store.readState('salesforce')).toMatchObject({ status: 'error', error: refused.error, syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
      expect(await db.leads.get(keyOf(gone))).toBeDefined();
      // What its pages stored stays, as any error leaves it.
      expect((await db.leads.get(keyOf(edited)))?.modifiedAt).toBe(editedAt);
      // The user was asked for (the identity URL) as the sync started and once more after the deletions were read;
      // the User record was read only for the rep, the admin's being known from the sync before.
      const identityAsks = requests.flatMap((path, i) => (path === '/services/data/v67.0/' ? [i] : []));
      expect(identityAsks).toHaveLength(2);
      expect(requests.findIndex((path) => path.includes('/sobjects/Lead/deleted'))).toBeLessThan(identityAsks[1]);
      expect(requests.filter((path) => path.includes('/sobjects/User/'))).toEqual([`/services/data/v67.0/sobjects/User/${rep.Id}`]);

      // Back in the admin's own session, the sync reads its pages again and removes the deleted lead.
      session.id = adminSession;
      expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', error: null, lastRun: { removed: 1 }, syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
      expect(await db.leads.get(keyOf(gone))).toBeUndefined();
      db.close();
    });

    it('goes on when the credentials still sign in as the job’s user', async () => {
      const { client, db, store, session, clock, crmStore } = sessionWorker();
      await runSync({ client, store, now: clock.now });
      await clock.sleep(86_400_000);
      crmStore.deleteLead(leads[10], clock.now());
      await clock.sleep(3_600_000);
      // The admin logged in again while the sync ran: a new session, the same user.
      const loggedInAgain: CrmClient = { ...client, listDeleted: (since, signal) => ((session.id = '00D5g000004Demo!ARnext-login'), client.listDeleted(since, signal)) };
      expect(await runSync({ client: loggedInAgain, store, now: clock.now })).toMatchObject({ status: 'done', error: null, lastRun: { removed: 1 }, syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
      expect(await db.leads.get(`salesforce|${leads[10].salesforceId}`)).toBeUndefined();
      db.close();
    });

    /** `client`, listing to the rep's session only the Leads the rep owns (sharing; the demo org lists every Lead to every user). */
    const sharedWithRep = (client: CrmClient, session: { id: string }): CrmClient => ({
      ...client,
      async listChanged(cursor, pageToken, signal) {
        const asRep = session.id === demoSessionIdAs(rep);
        const page = await client.listChanged(cursor, pageToken, signal);
        return asRep ? { ...page, records: page.records.filter((record) => record.fields.OwnerId === rep.Id) } : page;
      },
    });

    it('sets its job back to where it began, its count of changed leads kept, so the next sync reads again as the job’s user what was read as another', async () => {
      const served = demoLeads();
      const { client, db, store, session, clock, crmStore } = sessionWorker(served);
      expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done' });
      const { completedCursor } = await store.readState('salesforce');
      // Every Lead edited, three pages of them; the rep owns some.
      await clock.sleep(86_400_000);
      const editedAt = clock.now();
      served.forEach((lead, i) => crmStore.editLead(lead, 'salesforce', editedAt + i * 60_000));
      expect(served.filter((lead) => lead.salesforce.OwnerId === rep.Id).length).toBeGreaterThan(0);
      await clock.sleep(86_400_000);

      // The admin uses "Log in as" the rep after the first page: the later pages list the rep's Leads only.
      let pages = 0;
      const shared = sharedWithRep(client, session);
      const loggedInAsAfterAPage: CrmClient = { ...shared, listChanged: (...query) => (++pages === 2 && (session.id = demoSessionIdAs(rep)), shared.listChanged(...query)) };
      let counted = 0;
      const refused = await runSync({ client: loggedInAsAfterAPage, store, now: clock.now, onProgress: ({ status, job }) => void (status === 'running' && (counted = job!.changed!)) });
      expect(pages).toBeGreaterThan(2);
      expect(counted).toBeGreaterThan(0);
      expect(refused.error).toBe(otherUserRefusal('salesforce', asCrmUser(DEMO_SALESFORCE_ADMIN), asCrmUser(rep), 'removed'));
      expect(refused.error).toContain('so this one removed nothing, and the next sync reads again the leads it read.');
      // As a job that has read no page, from where it began: the leads it counted changed stay counted, to be scored.
      expect(refused.job).toMatchObject({ cursor: completedCursor, reached: null, lastId: null, pageToken: null, synced: 0, changed: counted, pages: 0, remaining: null });
      expect(await store.readState('salesforce')).toMatchObject({ status: 'error', job: refused.job });

      // Back in the admin's own session ("Log out as"), the next sync reads every edited Lead: none keeps its copy from before.
      session.id = adminSession;
      expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', error: null, lastRun: { synced: leads.length } });
      const stored = await db.leads.where('source').equals('salesforce').toArray();
      expect(stored).toHaveLength(leads.length);
      expect(stored.filter((lead) => lead.modifiedAt < editedAt)).toEqual([]);
      db.close();
    });

    it('compares the fields again as its job, set back, starts again: a field another user’s describe left out comes back to every lead', async () => {
      const { client, db, store, session, clock, withHidden } = sessionWorker(demoLeads());
      expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done' });
      // A day on (describe is read again), the admin uses "Log in as" the rep just after the sync asked whom it signs in as.
      await clock.sleep(86_400_000);
      let asked = 0;
      const loggedInAsAfterTheStart: CrmClient = {
        ...client,
        currentUser: async (signal) => {
          const user = await client.currentUser!(signal);
          if (++asked === 1) session.id = demoSessionIdAs(rep);
          return user;
        },
      };
      expect(await runSync({ client: loggedInAsAfterTheStart, store, now: clock.now })).toMatchObject({ status: 'error', errorKind: null, job: expect.objectContaining({ pages: 0 }) });
      // The rep's describe left out the field the rep may not see: it was deleted from every lead.
      expect(await withHidden()).toBe(0);

      session.id = adminSession;
      await clock.sleep(3_600_000);
      expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', error: null, syncedAs: asCrmUser(DEMO_SALESFORCE_ADMIN) });
      expect(await withHidden()).toBe(leads.length);
      db.close();
    });

    it('says a connect as another user during it changed the connection, and sets its job back for the next sync to read again as that user', async () => {
      const served = demoLeads();
      const { client, db, store, session, clock, crmStore } = sessionWorker(served);
      expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done' });
      const { completedCursor } = await store.readState('salesforce');
      await clock.sleep(86_400_000);
      served.forEach((lead, i) => crmStore.markModified(lead, 'salesforce', clock.now() + i * 60_000));
      await clock.sleep(86_400_000);
      const { connectedMidSync, commits } = connectedAsRepAfterFirstPage(store, session, db);
      const refused = await runSync({ client, store: connectedMidSync, now: clock.now });
      expect(commits()).toBeGreaterThan(1);
      expect(refused).toMatchObject({ status: 'error', errorKind: null, job: expect.objectContaining({ cursor: completedCursor, pageToken: null, pages: 0 }) });
      // No advice to connect again, which the admin just did.
      expect(refused.error).toBe(
        'Salesforce was connected again during this sync, and signs in as Marcus Oyelaran (marcus.oyelaran@northbeam-analytics.example) where the sync began as Avery Lindqvist (avery.lindqvist@northbeam-analytics.example): ' +
          'what it read may mix what each of them sees, so it removed nothing. The next sync reads those leads again, as Marcus Oyelaran',
      );
      expect(await store.readState('salesforce')).toMatchObject({ status: 'error', error: refused.error, syncedAs: undefined });

      // The next sync is the rep's: it records them, and reads again every Lead the job had read.
      const { onProgress, read } = readCounter();
      expect(await runSync({ client, store, now: clock.now, onProgress })).toMatchObject({ status: 'done', error: null, syncedAs: asCrmUser(rep) });
      expect(read()).toBe(leads.length);
      db.close();
    });
  });
});

describe('a CRM answering a page with itself as the next', () => {
  beforeEach(stubWebLocks);
  afterEach(() => vi.unstubAllGlobals());
  /** Pages a test's client answers before it fails the sync itself: the engine of old asked for the same page forever. */
  const PAGES_ANSWERED = 50;
  const samePageAgain = (crm: Crm, list: string) => `${crm === 'salesforce' ? 'Salesforce' : 'HubSpot'} answered ${list} with the same page again; LeadLens stopped reading to avoid looping`;

  it.each(['salesforce', 'hubspot'] as const)('%s: stops a sync whose page of changes names as the next the page token it was asked with, keeping the page before', async (crm) => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    let pages = 0;
    const stuck: CrmClient = {
      ...client,
      // Every page is the first, saying the next is at the page token it was asked with.
      listChanged: async (since, _pageToken, signal) => {
        if (++pages > PAGES_ANSWERED) throw new Error(`${PAGES_ANSWERED} pages answered`);
        return { ...(await client.listChanged(since, null, signal)), next: 'the same page' };
      },
    };
    const stopped = await runSync({ client: stuck, store });
    expect(stopped).toMatchObject({ status: 'error', errorKind: 'schema', error: samePageAgain(crm, 'the list of changes'), job: expect.objectContaining({ pageToken: 'the same page', pages: 1 }) });
    expect(pages).toBe(2);
    db.close();
  });

  it.each(['salesforce', 'hubspot'] as const)('%s: stops a sync whose pages of changes lead back to a page token already asked with (A → B → A), keeping the pages before', async (crm) => {
    const { client, db, store } = worker(crm, defaultBehaviour());
    let pages = 0;
    const cycling: CrmClient = {
      ...client,
      // The first page leads to A, A to B, B back to A.
      listChanged: async (since, pageToken, signal) => {
        if (++pages > PAGES_ANSWERED) throw new Error(`${PAGES_ANSWERED} pages answered`);
        return { ...(await client.listChanged(since, null, signal)), next: pageToken === 'page A' ? 'page B' : 'page A' };
      },
    };
    const stopped = await runSync({ client: cycling, store });
    expect(stopped).toMatchObject({ status: 'error', errorKind: 'schema', error: samePageAgain(crm, 'the list of changes'), job: expect.objectContaining({ pageToken: 'page B', pages: 2 }) });
    expect(pages).toBe(3);
    db.close();
  });

  it.each([
    ['salesforce', 'the page token it was asked with', ['the same page'], 2],
    ['hubspot', 'the page token it was asked with', ['the same page'], 2],
    ['salesforce', 'a page token asked with before (A → B → A)', ['page A', 'page B'], 3],
    ['hubspot', 'a page token asked with before (A → B → A)', ['page A', 'page B'], 3],
  ] as const)('%s: stops the weekly read of calculated values when a page names as the next %s, removing no lead', async (crm, _loop, tokens, pagesRead) => {
    const { clock, worker: lastingWorker } = lastingCrm();
    const { client, db, store } = lastingWorker(crm);
    const first = await runSync({ client, store, now: clock.now });
    expect(first.status).toBe('done');
    await clock.sleep(first.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    let pages = 0;
    const stuck: CrmClient = {
      ...client,
      // The pages name the tokens in turn.
      listCalculated: async () => {
        if (++pages > PAGES_ANSWERED) throw new Error(`${PAGES_ANSWERED} pages answered`);
        return { records: [], next: tokens[(pages - 1) % tokens.length] };
      },
    };
    const stopped = await runSync({ client: stuck, store, now: clock.now });
    expect(stopped).toMatchObject({ status: 'error', errorKind: 'schema', error: samePageAgain(crm, 'the list of calculated values'), lastRun: first.lastRun });
    expect(pages).toBe(pagesRead);
    expect(await db.leads.where('source').equals(crm).count()).toBe(leads.length);
    db.close();
  });
});

describe('a Salesforce sync refused for the org’s request limit (403 REQUEST_LIMIT_EXCEEDED)', () => {
  it('ends with a plain error, no "reconnect", keeping the pages it stored; the next sync goes on from its last stored page', async () => {
    // The org's requests run out as the sync asks for its second page (by the query's locator): Salesforce refuses every request from then on.
    let limitReached = false;
    const { behaviour, worker: lastingWorker } = lastingCrm(leads, (handle) => (request) => {
      if (!limitReached && /\/query\/01g/.test(request.url.pathname)) {
        limitReached = true;
        behaviour.faults = parseFaults('salesforce:429=1');
      }
      return handle(request);
    });
    const first = lastingWorker('salesforce');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined); // owner names refused too: kept as ids
    const stopped = await runSync({ client: first.client, store: first.store });
    warn.mockRestore();
    expect(stopped).toMatchObject({
      status: 'error',
      errorKind: 'request',
      error: 'Salesforce takes no more API requests from your org for now: the org has used all those Salesforce allows it in 24 hours, which all its integrations share. Requests older than 24 hours stop counting, so try again in a few hours (Salesforce refused query changed Leads: HTTP 403 (REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.))',
      job: { pages: 1, synced: 200, pageToken: expect.stringMatching(/\/query\/01g/) },
    });
    expect(await first.db.leads.count()).toBe(200);
    first.db.close();

    // Once the org takes requests again (its 24 hours' count has room).
    behaviour.faults = parseFaults('');
    const second = lastingWorker('salesforce');
    const asked: (string | null)[] = [];
    const watched: CrmClient = { ...second.client, listChanged: (since, token, signal) => (asked.push(token), second.client.listChanged(since, token, signal)) };
    let written = 0;
    const counting: SyncStore = { ...second.store, commitPage: (c, page, s) => ((written += page.length), second.store.commitPage(c, page, s)) };
    expect(await runSync({ client: watched, store: counting })).toMatchObject({ status: 'done', error: null, errorKind: null });
    expect(asked[0]).toBe(stopped.job!.pageToken);
    expect(written).toBe(leads.length - 200);
    await expectEveryLeadOnce(second.db, 'salesforce', leads);
    second.db.close();
  });
});
