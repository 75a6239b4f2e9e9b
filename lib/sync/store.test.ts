/** The sync store commits a page's leads, their summaries and the sync state together. */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, expect, it } from 'vitest';
import { LeadLensDb, type StoredLead } from '../db/db';
import { expectSummariesInStep } from '../../test/fixtures/lead-summaries';
import { INITIAL_SYNC_STATE } from './state';
import { dexieSyncStore } from './store';

const DB = 'leadlens-sync-store-test';
afterEach(() => Dexie.delete(DB));

const lead = (id: string, owner: string): StoredLead => ({
  key: `hubspot|${id}`, source: 'hubspot', id, origin: 'sync', name: `Contact ${id}`, owner, leadSource: 'ORGANIC_SEARCH', createdAt: 1, modifiedAt: 2, outcome: null, fields: { jobtitle: 'CTO' },
});

it('stores a page’s leads with their summaries, and a later page’s changes to them', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  await store.commitPage('hubspot', [lead('1', 'Ada'), lead('2', 'Ada')], { ...INITIAL_SYNC_STATE, status: 'running' });
  await store.commitPage('hubspot', [lead('2', 'Grace'), lead('3', 'Grace')], { ...INITIAL_SYNC_STATE, status: 'done' });

  await expectSummariesInStep(db);
  expect((await db.leadSummaries.toArray()).map((summary) => [summary.key, summary.owner])).toEqual([
    ['hubspot|1', 'Ada'],
    ['hubspot|2', 'Grace'],
    ['hubspot|3', 'Grace'],
  ]);
  expect((await store.readState('hubspot')).status).toBe('done');
  db.close();
});
