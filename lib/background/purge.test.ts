/**
 * Purging everything, or forgetting a CRM's synced leads, tells the extension pages once the
 * data are gone: no job ends to tell them, and the side panel would go on showing deleted leads.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db, type StoredLead } from '../db/db';
import { STORED_SCORES_LOCK } from '../jobs/progress';
import { onEvent } from '../messaging/events';
import { forgetSyncedLeads, purgeEverything } from './purge';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const lead = (key: string, origin: StoredLead['origin']): StoredLead => {
  const [source, id] = key.split('|') as [StoredLead['source'], string];
  return { key, source, id, origin, name: id, owner: '', leadSource: '', createdAt: 0, modifiedAt: 0, outcome: null, fields: {} };
};

/** Node has no Web Locks: every lock is free, except `busy`, whose holder never lets go. */
function locks(busy?: string) {
  vi.stubGlobal('navigator', {
    locks: {
      query: async () => ({ held: busy ? [{ name: busy }] : [], pending: [] }),
      request: async (name: string, { signal }: { signal: AbortSignal }, task: () => unknown) => {
        if (name === busy) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
        return task();
      },
    },
  });
}

/** The leads stored each time pages are told that stored data were deleted. */
function pagesTold(): string[][] {
  const told: string[][] = [];
  onEvent('storedDataDeleted', () => void db.leads.toCollection().primaryKeys().then((keys) => told.push(keys as string[])));
  return told;
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.remove = vi.fn(async () => true);
  locks();
  await Promise.all(db.tables.map((table) => table.clear()));
  await db.leads.bulkPut([lead('salesforce|00QA', 'sync'), lead('salesforce|00QB', 'demo'), lead('hubspot|101', 'sync')]);
});
afterEach(() => vi.unstubAllGlobals());

describe('purgeEverything', () => {
  it('tells the pages once everything is deleted', async () => {
    const told = pagesTold();
    await purgeEverything();
    await settle();
    expect(told).toEqual([[]]);
  });

  it('tells them nothing when a job does not stop and nothing is deleted', async () => {
    locks(STORED_SCORES_LOCK);
    const told = pagesTold();
    await expect(purgeEverything(10)).rejects.toThrow(/nothing was deleted/);
    await settle();
    expect(told).toEqual([]);
    expect(await db.leads.count()).toBe(3);
  });
});

describe('forgetSyncedLeads', () => {
  it('tells the pages once the CRM’s synced leads are deleted', async () => {
    const told = pagesTold();
    expect(await forgetSyncedLeads('salesforce')).toBe(1);
    await settle();
    expect(told).toEqual([['hubspot|101', 'salesforce|00QB']]);
  });

  it('tells them nothing when no lead was deleted', async () => {
    await db.leads.delete('salesforce|00QA');
    const told = pagesTold();
    expect(await forgetSyncedLeads('salesforce')).toBe(0);
    await settle();
    expect(told).toEqual([]);
  });
});
