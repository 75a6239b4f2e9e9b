/**
 * The sync status counts each CRM's stored leads by key range; while a job runs, at most
 * every 10 s (the options page asks every second, and each count holds the store against
 * the sync's writes). Otherwise the count is fresh.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SourceKind } from '../../ml/featurize';
import { db, type StoredLead } from '../../db/db';
import { storedLead } from '../../../test/fixtures/stored-lead';
import { dexieSyncStore } from '../../sync/store';
import { INITIAL_SYNC_STATE } from '../../sync/state';
import { syncProtocol } from '../../messaging/protocol-sync';
import { syncHandlers } from './sync';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const sender = { id: 'test' } as never;
let testClock = Date.now();

function leads(source: SourceKind, from: number, count: number): StoredLead[] {
  return Array.from({ length: count }, (_, i) => storedLead({ source, id: String(from + i), origin: 'sync' }));
}

const demo = (source: SourceKind, count: number) => Array.from({ length: count }, (_, i) => storedLead({ source, id: `DEMO${i}`, origin: 'demo' }));

async function stored(): Promise<Record<string, number>> {
  const reply = await syncHandlers.syncStatus({}, sender);
  if (!reply.ok) throw new Error(reply.error);
  return Object.fromEntries(reply.syncs.map((s) => [s.crm, s.stored]));
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime((testClock += 60_000)); // past any count an earlier test left in the worker's memory
  await Promise.all([...db.leadTables, db.settings].map((table) => table.clear()));
});

afterEach(() => {
  vi.useRealTimers();
});

it('counts each CRM’s own leads, not the others’ or CSV imports', async () => {
  await db.putLeads([...leads('salesforce', 0, 3), ...leads('hubspot', 0, 5), ...leads('csv', 0, 7)]);
  expect(await stored()).toEqual({ salesforce: 3, hubspot: 5 });
});

it('counts the leads synced from each CRM, not Demo mode’s kept under its keys: a connect to another org or portal removes only those', async () => {
  await db.putLeads([...demo('salesforce', 1000), ...leads('salesforce', 0, 2), ...demo('hubspot', 4), ...leads('hubspot', 0, 5)]);
  expect(await stored()).toEqual({ salesforce: 2, hubspot: 5 });
});

it('tells what kind of error stopped a sync, as its state keeps it: the page then asks for a reconnect when the CRM refused the credentials', async () => {
  const store = dexieSyncStore(db);
  await store.writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'error', error: 'HubSpot rejected the credentials: HTTP 401', errorKind: 'auth', endedAt: 1 });
  await store.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'done' });
  // As the options page gets it: the reply parsed by its schema, which drops what it does not declare.
  const reply = syncProtocol.syncStatus.output.parse(await syncHandlers.syncStatus({}, sender));
  if (!reply.ok) throw new Error(reply.error);
  expect(reply.syncs.map(({ crm, errorKind, connection }) => [crm, errorKind, connection])).toEqual([
    ['salesforce', null, 'disconnected'],
    ['hubspot', 'auth', 'disconnected'],
  ]);
});

it('while a sync runs, counts again only after 10 s; once it ends, at once', async () => {
  const store = dexieSyncStore(db);
  await store.writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'running' });
  await db.putLeads(leads('hubspot', 0, 4));
  expect((await stored()).hubspot).toBe(4);

  await db.putLeads(leads('hubspot', 4, 6));
  vi.advanceTimersByTime(9_000);
  expect((await stored()).hubspot).toBe(4);
  vi.advanceTimersByTime(1_000);
  expect((await stored()).hubspot).toBe(10);

  await db.putLeads(leads('hubspot', 10, 1));
  await store.writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'done' });
  expect((await stored()).hubspot).toBe(11);
});

it('counts a run in progress or cancelled by its own job: none before its job began, not the last complete run’s', async () => {
  const store = dexieSyncStore(db);
  const lastRun = { synced: 40, removed: 0, finishedAt: 1_700_000_000_000, seconds: 3 };
  const synced = async () => {
    const reply = await syncHandlers.syncStatus({}, sender);
    if (!reply.ok) throw new Error(reply.error);
    return reply.syncs.find((sync) => sync.crm === 'salesforce')!.synced;
  };
  // Started: the sync asks Salesforce whom it signs in as before its job begins.
  await store.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'running', lastRun });
  expect(await synced()).toBe(0);
  // Cancelled meanwhile: nothing was read.
  await store.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'cancelled', lastRun, endedAt: 2 });
  expect(await synced()).toBe(0);
  // A complete run counts what it changed.
  await store.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'done', lastRun, endedAt: 3 });
  expect(await synced()).toBe(40);
});

describe('Demo mode’s keys (100,000 in Demo mode), read to tell its leads under a CRM’s keys from the CRM’s own', () => {
  /** How many times every demo lead's key was asked of the origin index (`db.leads.where('origin').equals('demo')`), while spied. */
  let demoKeyReads: number;
  beforeEach(() => {
    demoKeyReads = 0;
    const where = db.leads.where.bind(db.leads);
    vi.spyOn(db.leads, 'where').mockImplementation(((index: string) => {
      const clause = where(index);
      const equals = clause.equals.bind(clause);
      clause.equals = ((value: string) => {
        if (index === 'origin' && value === 'demo') demoKeyReads++;
        return equals(value);
      }) as typeof clause.equals;
      return clause;
    }) as typeof db.leads.where);
  });
  afterEach(() => vi.restoreAllMocks());

  it('are read once for both CRMs, each CRM’s count still its own leads alone', async () => {
    await db.putLeads([...demo('salesforce', 3), ...leads('salesforce', 0, 2), ...demo('hubspot', 4), ...leads('hubspot', 0, 5)]);
    expect(await stored()).toEqual({ salesforce: 2, hubspot: 5 });
    expect(demoKeyReads).toBe(1);
  });

  it('are read once per 10 s while one CRM syncs and the other is idle, as the options page asks every second; the idle one counted at once when its own sync ends', async () => {
    const store = dexieSyncStore(db);
    await db.putLeads([...demo('salesforce', 3), ...demo('hubspot', 4), ...leads('hubspot', 0, 5)]);
    await store.writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'done', endedAt: 1 });
    await store.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'running' });
    for (let second = 0; second < 10; second++) {
      expect(await stored()).toEqual({ salesforce: 0, hubspot: 5 });
      vi.advanceTimersByTime(1_000);
    }
    expect(demoKeyReads).toBe(1);
    // The idle CRM's sync ran and ended meanwhile (another tab): its count is read again, not kept.
    await db.putLeads(leads('hubspot', 5, 2));
    await store.writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'done', endedAt: 2 });
    expect(await stored()).toEqual({ salesforce: 0, hubspot: 7 });
  });

  it('are not read while Demo mode’s leads are all that is stored', async () => {
    await db.putLeads([...demo('salesforce', 3), ...demo('hubspot', 4)]);
    expect(await stored()).toEqual({ salesforce: 0, hubspot: 0 });
    expect(demoKeyReads).toBe(0);
  });

  it('are not read while neither CRM has a lead stored, whatever else is', async () => {
    await db.putLeads(leads('csv', 0, 3));
    expect(await stored()).toEqual({ salesforce: 0, hubspot: 0 });
    expect(demoKeyReads).toBe(0);
  });
});
