import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { CrmClient } from '../crm/client';
import { generateDemoLeads } from '../crm/demo-data';
import { createSalesforceClient } from '../crm/salesforce-client';
import { LeadLensDb } from '../db/db';
import { defaultBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrm } from '../../test/demo-crm/server';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { runSync } from './engine';
import { dexieSyncStore } from './store';

const DB = 'leadlens-sync-api-allowance-test';
const DAY = 86_400_000;
const leads = generateDemoLeads({ count: 500, seed: 21, now: new Date('2026-11-01T00:00:00Z') });

afterEach(() => Dexie.delete(DB));

/**
 * A Salesforce org of `leads` answering queries 200 Leads a batch (three pages), whose API
 * allowance the test sets (`behaviour.apiAllowance`); `onLeadQuery` runs as each query of Leads
 * reaches it, before its answer.
 */
function org() {
  const behaviour = defaultBehaviour();
  const clock = virtualClock();
  behaviour.now = clock.now;
  const { handle } = createDemoCrm(leads, behaviour);
  const paths: string[] = [];
  const crm = { leadQueries: 0, onLeadQuery: () => {} };
  const fetch = demoFetch((request) => {
    paths.push(request.url.pathname);
    if (request.url.searchParams.get('q')?.includes('FROM Lead')) {
      crm.leadQueries++;
      crm.onLeadQuery();
    }
    const inBatchesOf200 = request.headers['sforce-query-options'] === undefined ? request : { ...request, headers: { ...request.headers, 'sforce-query-options': 'batchSize=200' } };
    return handle(inBatchesOf200);
  });
  const client = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => 'sid', clock, fetch });
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  return { behaviour, clock, crm, paths, client, db, store, sync: (over: CrmClient = client) => runSync({ client: over, store, now: clock.now }) };
}

/** The words of a sync paused with `used` of the demo org's 100,000 requests used. */
const pausedAt = (used: number) =>
  `Salesforce: your org has used ${used.toLocaleString('en-US')} of its 100,000 API requests of the last 24 hours; LeadLens paused this sync to leave the rest to your other integrations. Sync again in a few hours, as requests older than 24 hours stop counting: it goes on from where it stopped.`;

describe('a Salesforce sync when the org’s API allowance is nearly used (Sforce-Limit-Info at 90 % or more)', () => {
  it('stops before its next page, keeping the page it stored, and says why; the next sync goes on from there', async () => {
    const { behaviour, crm, paths, client, db, sync } = org();
    // The org's other integrations have used most of its allowance by the time the sync's query runs.
    crm.onLeadQuery = () => {
      if (crm.leadQueries === 1) behaviour.apiAllowance.salesforce.used = 91_199;
    };
    const stopped = await sync();
    // The figure of the last answer, which the pause goes by.
    const said = behaviour.apiAllowance.salesforce.used;
    expect(said).toBeGreaterThanOrEqual(91_200);
    expect(stopped).toMatchObject({
      status: 'error',
      errorKind: 'rate',
      error: pausedAt(said),
      job: { pages: 1, synced: 200, pageToken: expect.stringMatching(/\/query\/01g/) },
    });
    // The next page was never asked for, not even ahead of time.
    expect(paths.filter((path) => /\/query\/01g/.test(path))).toEqual([]);
    expect(await db.leads.count()).toBe(200);

    // A while later, the org's requests of the last 24 hours are fewer: the same client reads so at the sync's first request.
    behaviour.apiAllowance.salesforce.used = 40_000;
    const asked: (string | null)[] = [];
    const watched: CrmClient = { ...client, listChanged: (since, token, signal) => (asked.push(token), client.listChanged(since, token, signal)) };
    expect(await sync(watched)).toMatchObject({ status: 'done', error: null, errorKind: null });
    expect(asked[0]).toBe(stopped.job?.pageToken);
    expect(await db.leads.count()).toBe(leads.length);
    db.close();
  });

  it('stops before the weekly comparison with every Lead, which reads them all, and makes it at the next sync', async () => {
    const { behaviour, clock, crm, db, sync } = org();
    const first = await sync();
    expect(first).toMatchObject({ status: 'done' });
    await clock.sleep(8 * DAY);
    // The comparison is due; the allowance is nearly used as the sync reads the changes.
    crm.onLeadQuery = () => void (behaviour.apiAllowance.salesforce.used = 95_000);
    crm.leadQueries = 0;
    const stopped = await sync();
    expect(stopped).toMatchObject({ status: 'error', errorKind: 'rate', error: pausedAt(behaviour.apiAllowance.salesforce.used), lastRun: first.lastRun, idsComparedAt: first.idsComparedAt });
    // The query of changes, and no list of every Lead (nor of their formula fields).
    expect(crm.leadQueries).toBe(1);
    expect(await db.leads.count()).toBe(leads.length);

    crm.onLeadQuery = () => {};
    behaviour.apiAllowance.salesforce.used = 40_000;
    const compared = await sync();
    expect(compared).toMatchObject({ status: 'done', error: null });
    expect(compared.idsComparedAt).toBeGreaterThan(first.idsComparedAt ?? Infinity);
    db.close();
  });

  it('stops between the pages of the weekly read of formula values, which lists every Lead a page at a time, as between pages of changes', async () => {
    const { client, clock, db, sync } = org();
    expect(await sync()).toMatchObject({ status: 'done' });
    await clock.sleep(8 * DAY);
    // The comparison is due; the org's other integrations use most of the allowance while the first page of formula values is read.
    let usage = { used: 40_000, limit: 100_000 };
    const asked: (string | null)[] = [];
    const withFormulas: CrmClient = {
      ...client,
      apiUsage: () => usage,
      listCalculated: async (token) => {
        asked.push(token);
        usage = { used: 95_000, limit: 100_000 };
        return { records: [], next: asked.length < 3 ? `page-${asked.length + 1}` : null };
      },
    };
    expect(await sync(withFormulas)).toMatchObject({ status: 'error', errorKind: 'rate', error: pausedAt(95_000) });
    expect(asked).toEqual([null]);
    db.close();
  });
});
