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

it('names owner ids on this CRM’s synced leads only, a chunk at a time, with their summaries', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const withOwnerId = (id: string, ownerId: string): StoredLead => ({ ...lead(id, ownerId), fields: { hubspot_owner_id: ownerId } });
  // More leads of one owner than a rename chunk holds.
  const many = Array.from({ length: 4500 }, (_, i) => withOwnerId(String(i), '61234501'));
  const csv: StoredLead = { ...withOwnerId('c1', '61234501'), key: 'csv|c1', source: 'csv', origin: 'csv' };
  const named = { ...withOwnerId('n1', '61234502'), owner: 'Grace Hopper' };
  await db.putLeads([...many, csv, named, withOwnerId('u1', '61234503')]);

  expect((await store.unnamedOwnerIds('hubspot')).sort()).toEqual(['61234501', '61234503']);
  expect(await store.unnamedOwnerIds('salesforce')).toEqual([]);
  expect(await store.nameOwners('hubspot', new Map([['61234501', 'Ada Lovelace']]))).toBe(4500);

  expect(await db.leads.where('owner').equals('Ada Lovelace').count()).toBe(4500);
  expect((await db.leads.get('csv|c1'))?.owner).toBe('61234501');
  expect(await store.unnamedOwnerIds('hubspot')).toEqual(['61234503']);
  await expectSummariesInStep(db);
  db.close();
});
