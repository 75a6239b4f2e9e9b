/**
 * The sync status counts each CRM's stored leads by key range; while a job runs, at most
 * every 10 s (the options page asks every second, and each count holds the store against
 * the sync's writes). Otherwise the count is fresh.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { SourceKind } from '../../ml/featurize';
import { db, type StoredLead } from '../../db/db';
import { storedLead } from '../../../test/fixtures/stored-lead';
import { dexieSyncStore } from '../../sync/store';
import { INITIAL_SYNC_STATE } from '../../sync/state';
import { syncHandlers } from './sync';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const sender = { id: 'test' } as never;
let testClock = Date.now();

function leads(source: SourceKind, from: number, count: number): StoredLead[] {
  return Array.from({ length: count }, (_, i) => storedLead({ source, id: String(from + i), origin: 'sync' }));
}

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
