/** The sync store commits a page's leads, their summaries and the sync state together. */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { LeadLensDb, type StoredLead } from '../db/db';
import { STORED_SCORES_LOCK } from '../jobs/progress';
import { expectSummariesInStep } from '../../test/fixtures/lead-summaries';
import { INITIAL_SYNC_STATE, syncStateKey } from './state';
import { idleWriteBack, MAX_FAILED_IDS_SHOWN } from '../messaging/protocol-write-back';
import { KEPT_LEAD_SOURCE_LABELS_KEY, KEPT_LIFECYCLE_STAGES_KEY, dexieSyncStore, forgetSyncedAs, keptLeadSourceLabels, keptLifecycleStages, nameSyncedAccount, readPortalToken, recordPortalToken, recordSyncedAccount } from './store';
import { toStoredLead } from './to-stored-lead';
import { writtenValuesKey } from '../db/written-back-fields';
import { lifecycleOrder } from '../crm/hubspot-lifecycle';
import { stubWebLocks } from '../../test/web-locks';

const DB = 'leadlens-sync-store-test';
// Removing leads pauses a job writing stored scores (a Web Lock; Node has none).
beforeEach(stubWebLocks);
afterEach(async () => {
  vi.unstubAllGlobals();
  await Dexie.delete(DB);
});

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

it('stores again only the leads of a page that changed, so only those are owed a score; of a lead read twice, the last', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  await store.commitPage('hubspot', [lead('1', 'Ada'), lead('2', 'Ada'), lead('3', 'Ada')], { ...INITIAL_SYNC_STATE, status: 'running' });
  await db.owedLeadScores.clear(); // scored
  const page = [lead('1', 'Ada'), lead('2', 'Grace'), lead('3', 'Grace'), lead('3', 'Ada'), lead('4', 'Ada')];
  expect(await store.countChanged(page)).toBe(2);
  await store.commitPage('hubspot', page, { ...INITIAL_SYNC_STATE, status: 'done' });
  expect(await db.owedLeadScores.toCollection().primaryKeys()).toEqual(['hubspot|2', 'hubspot|4']);
  expect((await db.leads.toArray()).map((stored) => [stored.key, stored.owner])).toEqual([
    ['hubspot|1', 'Ada'],
    ['hubspot|2', 'Grace'],
    ['hubspot|3', 'Ada'],
    ['hubspot|4', 'Ada'],
  ]);
  await expectSummariesInStep(db);
  db.close();
});

/** A record page's cached score, with the fields it scored (`scoreKeyOf`: model, then the lead's key). */
const pageScore = (key: string) => ({ key, fieldsHash: 'h', lead: {} as never, scoredAt: Date.now(), fields: { jobtitle: 'CTO' } });

it('deletes the record pages’ cached scores of the leads a page stores new or changed, of every model: their pages would show the record as it was before', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  await store.commitPage('hubspot', [lead('1', 'Ada'), lead('2', 'Ada')], { ...INITIAL_SYNC_STATE, status: 'running' });
  await db.scores.bulkPut(['m|hubspot|1', 'other|hubspot|1', 'm|hubspot|2', 'm|hubspot|3', 'm|salesforce|1'].map(pageScore));
  // Lead 1 edited in the CRM, lead 2 read again as stored, lead 3 stored new (its page was opened before the sync stored it).
  await store.commitPage('hubspot', [lead('1', 'Grace'), lead('2', 'Ada'), lead('3', 'Ada')], { ...INITIAL_SYNC_STATE, status: 'done' });
  // Another CRM's record of the same id is another lead.
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['m|hubspot|2', 'm|salesforce|1']);
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

it('deletes fields the CRM no longer shows from its synced leads only, a chunk at a time, with their summaries', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  // As a sync stores them: indexed from the fields.
  const holding = (id: string): StoredLead => ({
    ...lead(id, 'Ada'),
    createdAt: Date.parse('2026-01-02T03:04:05Z'),
    fields: { firstname: 'Contact', lastname: id, hubspot_owner_id: '61234501', hs_analytics_source: 'ORGANIC_SEARCH', jobtitle: 'CTO', createdate: '2026-01-02T03:04:05Z' },
  });
  // More leads than a chunk holds, one without the fields, and others' leads of the same fields.
  const many = Array.from({ length: 2500 }, (_, i) => holding(String(i)));
  const others = [{ ...holding('d1'), origin: 'demo' as const }, { ...holding('c1'), key: 'csv|c1', source: 'csv' as const, origin: 'csv' as const }, { ...holding('s1'), key: 'salesforce|s1', source: 'salesforce' as const }];
  const bare = { ...lead('bare', 'Ada'), fields: {} };
  await db.putLeads([...many, bare, ...others]);
  await db.owedLeadScores.clear(); // scored

  expect(await store.dropFields('hubspot', ['hs_analytics_source', 'jobtitle'])).toBe(2500);
  // Only the leads emptied are owed a score again.
  expect(await db.owedLeadScores.toCollection().primaryKeys()).toEqual(many.map((held) => held.key).sort());
  const synced = await db.leads.where('origin').equals('sync').filter((stored) => stored.source === 'hubspot' && stored.id !== bare.id).toArray();
  expect(synced).toHaveLength(many.length);
  expect(synced.filter((stored) => 'hs_analytics_source' in stored.fields || 'jobtitle' in stored.fields || stored.leadSource !== '')).toEqual([]);
  expect(synced.filter((stored) => stored.owner !== 'Ada' || stored.name !== `Contact ${stored.id}` || stored.fields.createdate === undefined)).toEqual([]);
  for (const other of [bare, ...others]) expect(await db.leads.get(other.key)).toEqual(other);
  await expectSummariesInStep(db);
  db.close();
});

it('deletes the record pages’ cached scores of the CRM’s records as it drops a field, also of records no stored lead is of: they quote the fields read', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  await db.putLeads([{ ...lead('1', 'Ada'), fields: { jobtitle: 'CTO', annualrevenue: '280000000' } }]);
  const cached = (key: string, fields?: Record<string, string>) => ({ key, fieldsHash: 'h', lead: {} as never, scoredAt: Date.now(), ...(fields && { fields }) });
  await db.scores.bulkPut([
    cached('m|hubspot|1', { jobtitle: 'CTO', annualrevenue: '280000000' }),
    // Not synced (outside the sync's filter), and one cached before entries kept their fields: its reasons may quote the field.
    cached('m|hubspot|9', { annualrevenue: '5000000' }),
    cached('m|hubspot|8'),
    cached('m|salesforce|1', { AnnualRevenue: '280000000' }),
  ]);

  expect(await store.dropFields('hubspot', ['annualrevenue'])).toBe(1);
  expect((await db.leads.get('hubspot|1'))?.fields).toEqual({ jobtitle: 'CTO' });
  // Another CRM's field of the same name is not the one dropped.
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['m|salesforce|1']);
  db.close();
});

it('tells which of some ids are the CRM’s synced leads stored now, in one read', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  await db.putLeads([lead('1', 'Ada'), { ...lead('2', 'Ada'), origin: 'demo' }, { ...lead('3', 'Ada'), key: 'salesforce|3', source: 'salesforce' }]);
  expect(await store.syncedIdsAmong!('hubspot', ['1', '2', '3', '4'])).toEqual(new Set(['1']));
  db.close();
});

it('removes the synced leads the CRM deleted, unless changed after the deletion (restored since), with their scores and the final state', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const at = (id: string, modifiedAt: number): StoredLead => ({ ...lead(id, 'Ada'), modifiedAt });
  await db.putLeads([at('1', 100), at('2', 100), at('3', 500), { ...at('4', 100), origin: 'demo' }, { ...at('5', 100), key: 'salesforce|5', source: 'salesforce' }]);
  await db.leadScores.bulkPut(['hubspot|1', 'hubspot|3'].map((leadKey) => ({ key: `m|${leadKey}`, modelId: 'm', leadKey, probability: 0.5, score: 50, tier: 'warm' as const, topReason: '', scoredAt: 0 })));
  // What write-back wrote to them: a deleted lead's reason text goes with it.
  await db.settings.bulkPut(['hubspot|1', 'hubspot|3'].map((leadKey) => ({ key: `written-back-values:${leadKey}`, value: { leadlens_reason: 'Job title: CTO' } })));
  // Record pages' cached scores, and two trained models' held-out probabilities (one kept with logits, one by an older LeadLens without).
  await db.scores.bulkPut(['m|hubspot|1', 'm|hubspot|3', 'm|salesforce|1'].map((key) => ({ key, fieldsHash: 'h', lead: {} as never, scoredAt: 0, fields: { jobtitle: 'CTO' } })));
  const learntFrom = ['hubspot|1', 'hubspot|2', 'hubspot|3', 'hubspot|4', 'salesforce|5'];
  await db.heldOutScores.bulkPut([
    { modelId: 'm', leadKeys: learntFrom, probabilities: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5]), logits: Float64Array.from([-1, -2, -3, -4, -5]) },
    { modelId: 'older', leadKeys: ['hubspot|1'], probabilities: Float64Array.from([0.9]) },
  ]);
  const deletions = { kind: 'deleted-since' as const, coveredTo: 1000, records: ['1', '3', '4', '5', '6'].map((id) => ({ id, deletedAt: 300 })) };
  const state = await store.finishSync('hubspot', deletions, (removed) => ({ ...INITIAL_SYNC_STATE, status: 'done', lastRun: { synced: 0, removed, finishedAt: 1, seconds: 0 } }));

  expect(state.lastRun?.removed).toBe(1);
  expect(await store.readState('hubspot')).toEqual(state);
  expect(await db.leads.toCollection().primaryKeys()).toEqual(['hubspot|2', 'hubspot|3', 'hubspot|4', 'salesforce|5']);
  expect(await db.leadScores.toCollection().primaryKeys()).toEqual(['m|hubspot|3']);
  expect(await db.settings.where('key').startsWith('written-back-values:').primaryKeys()).toEqual(['written-back-values:hubspot|3']);
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['m|hubspot|3', 'm|salesforce|1']);
  // A deletion is final (an erasure leaves no trace): the models keep no held-out probability of the lead, the others' in step.
  expect(await db.heldOutScores.get('m')).toEqual({
    modelId: 'm',
    leadKeys: ['hubspot|2', 'hubspot|3', 'hubspot|4', 'salesforce|5'],
    probabilities: Float64Array.from([0.2, 0.3, 0.4, 0.5]),
    logits: Float64Array.from([-2, -3, -4, -5]),
  });
  expect(await db.heldOutScores.get('older')).toEqual({ modelId: 'older', leadKeys: [], probabilities: new Float64Array() });
  await expectSummariesInStep(db);
  db.close();
});

it('removes every synced lead of the CRM the CRM no longer has, when it can only say what it has', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  await db.putLeads([lead('1', 'Ada'), lead('2', 'Ada'), { ...lead('3', 'Ada'), origin: 'demo' }, { ...lead('4', 'Ada'), key: 'salesforce|4', source: 'salesforce' }]);
  const state = await store.finishSync('hubspot', { kind: 'all-present', ids: ['2'], coveredTo: 1000 }, (removed) => ({ ...INITIAL_SYNC_STATE, status: 'done', lastRun: { synced: 0, removed, finishedAt: 1, seconds: 0 } }));
  expect(state.lastRun?.removed).toBe(1);
  expect(await db.leads.toCollection().primaryKeys()).toEqual(['hubspot|2', 'hubspot|3', 'salesforce|4']);
  await expectSummariesInStep(db);
  db.close();
});

it('takes a removed lead’s record id out of the last write-back report, its counts with it (a GDPR erasure leaves no trace)', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const locked = Array.from({ length: MAX_FAILED_IDS_SHOWN }, (_, i) => `L${i}`);
  await db.putLeads(['1', '2', '3', ...locked].map((id) => lead(id, 'Ada')));
  // The CRM refused 2 + 23 records (20 of the 23 listed, as a report keeps), 1 for an error past those listed; 2 leads were not emptied.
  const report = {
    ...idleWriteBack('hubspot'),
    status: 'done' as const,
    target: { scoreField: 'leadlens_score', tierField: null, reasonField: null },
    done: 60,
    total: 60,
    written: 34,
    failures: [
      { error: 'Value too long', count: 2, recordIds: ['1', '2'] },
      { error: 'Record locked', count: 23, recordIds: locked },
    ],
    unlistedFailures: 1,
    notCleared: [
      { reason: 'a rep typed a value since the last sync', count: 1, recordIds: ['3'] },
      { reason: 'HubSpot could not say what it holds', count: 1, recordIds: ['1'] },
    ],
    finishedAt: 5,
  };
  await db.settings.put({ key: 'write-back:hubspot', value: report });
  const deletions = { kind: 'deleted-since' as const, coveredTo: 1000, records: ['2', '3', ...locked].map((id) => ({ id, deletedAt: 300 })) };
  await store.finishSync('hubspot', deletions, (removed) => ({ ...INITIAL_SYNC_STATE, status: 'done', lastRun: { synced: 0, removed, finishedAt: 1, seconds: 0 } }));

  // A group left with records but none listed keeps its reason, its other 3 records with it; one left with none goes.
  expect((await db.settings.get('write-back:hubspot'))?.value).toEqual({
    ...report,
    failures: [
      { error: 'Value too long', count: 1, recordIds: ['1'] },
      { error: 'Record locked', count: 3, recordIds: [] },
    ],
    notCleared: [{ reason: 'HubSpot could not say what it holds', count: 1, recordIds: ['1'] }],
  });
  db.close();
});

it('removes deleted leads only while no job writes stored scores: a bulk scoring pauses first', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  await db.putLeads([lead('1', 'Ada')]);
  // A bulk scoring holds the stored scores' lock until its batch is written.
  let batchWritten!: () => void;
  const scoring = navigator.locks.request(STORED_SCORES_LOCK, () => new Promise<void>((resolve) => (batchWritten = resolve)));
  await vi.waitFor(() => expect(batchWritten).toBeDefined());
  const finished = store.finishSync('hubspot', { kind: 'all-present', ids: [], coveredTo: 1000 }, (removed) => ({ ...INITIAL_SYNC_STATE, status: 'done', lastRun: { synced: 0, removed, finishedAt: 1, seconds: 0 } }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await db.leads.count()).toBe(1);
  batchWritten();
  await scoring;
  expect((await finished).lastRun?.removed).toBe(1);
  expect(await db.leads.count()).toBe(0);
  db.close();
});

it('judges the deleted leads again once the lock is granted: a lead rewritten meanwhile stays', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  await db.putLeads([lead('1', 'Ada'), lead('2', 'Ada')]);
  let batchWritten!: () => void;
  const scoring = navigator.locks.request(STORED_SCORES_LOCK, () => new Promise<void>((resolve) => (batchWritten = resolve)));
  await vi.waitFor(() => expect(batchWritten).toBeDefined());
  const finished = store.finishSync('hubspot', { kind: 'deleted-since', coveredTo: 1000, records: ['1', '2'].map((id) => ({ id, deletedAt: 300 })) }, (removed) => ({ ...INITIAL_SYNC_STATE, status: 'done', lastRun: { synced: 0, removed, finishedAt: 1, seconds: 0 } }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  // While the sync waits for the lock, lead 1 is restored in the CRM and stored as changed since its deletion.
  await db.putLeads([{ ...lead('1', 'Ada'), modifiedAt: 400 }]);
  batchWritten();
  await scoring;
  expect((await finished).lastRun?.removed).toBe(1);
  expect(await db.leads.toCollection().primaryKeys()).toEqual(['hubspot|1']);
  await expectSummariesInStep(db);
  db.close();
});

it('counts and stores again no lead read again with a field the CRM shows on none of them yet: none is owed a score', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const contact = (id: string, added: Record<string, null> = {}) =>
    toStoredLead('hubspot', { id, modifiedAt: 2, fields: { createdate: '2026-01-02T03:04:05Z', firstname: 'Ada', lastname: null, email: null, hubspot_owner_id: null, jobtitle: 'CTO', ...added } });
  await store.commitPage('hubspot', [contact('1'), contact('2')], { ...INITIAL_SYNC_STATE, status: 'running' });
  await db.owedLeadScores.clear(); // scored
  // An admin created a property since: every contact is read again, none has a value for it yet.
  const readAgain = [contact('1', { new_property: null }), contact('2', { new_property: null })];
  expect(await store.countChanged(readAgain)).toBe(0);
  await store.commitPage('hubspot', readAgain, { ...INITIAL_SYNC_STATE, status: 'done' });
  expect(await db.owedLeadScores.count()).toBe(0);
  expect((await db.leads.get('hubspot|1'))?.fields).toEqual({ createdate: '2026-01-02T03:04:05Z', firstname: 'Ada', jobtitle: 'CTO' });
  db.close();
});

/** A HubSpot contact as a sync stores it, last modified at `at` (its stamps: `lastmodifieddate`, `hs_lastmodifieddate`). */
const contactModifiedAt = (id: string, at: string, fields: Record<string, string | number | null> = {}) =>
  toStoredLead('hubspot', {
    id,
    modifiedAt: Date.parse(at),
    fields: { createdate: '2026-01-02T03:04:05Z', firstname: 'Ada', lastname: null, email: null, hubspot_owner_id: null, jobtitle: 'CTO', lastmodifieddate: at, hs_lastmodifieddate: at, ...fields },
  });

/**
 * Stores `leads` as a write-back leaves them (write-back-job.ts `keepWritten`): with the values
 * written, as LeadLens sent them (an emptied field null), remembered per lead; then scored.
 */
async function storeAsWrittenBack(db: LeadLensDb, leads: readonly { lead: StoredLead; written: Record<string, string | number | null> }[]): Promise<void> {
  await db.putLeads(leads.map(({ lead, written }) => ({ ...lead, fields: { ...lead.fields, ...written } })));
  const remembered = leads.map(({ lead, written }) => ({
    key: writtenValuesKey(lead.key),
    value: Object.fromEntries(Object.entries(written).flatMap(([name, value]) => (value === null ? [] : [[name, String(value)]]))),
  }));
  await db.settings.bulkPut(remembered.filter(({ value }) => Object.keys(value).length > 0));
  await db.owedLeadScores.clear(); // scored
}

it('counts, scores again and uncaches no contact read again as a write-back left it: the CRM’s new stamps, the score written sent as text, a field emptied; stores it with those', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const before = '2026-03-01T10:00:00Z';
  const [scored, tiered, emptied] = [contactModifiedAt('1', before), contactModifiedAt('2', before, { leadlens_score: 30, leadlens_tier: 'Cold' }), contactModifiedAt('3', before, { leadlens_score: 20 })];
  await storeAsWrittenBack(db, [
    { lead: scored, written: { leadlens_score: 14 } },
    { lead: tiered, written: { leadlens_score: 9, leadlens_tier: 'Warm' } },
    { lead: emptied, written: { leadlens_score: null } },
  ]);
  await db.scores.bulkPut(['m|hubspot|1', 'm|hubspot|2', 'm|hubspot|3'].map(pageScore));
  // HubSpot stamps each contact as modified by the write, and sends a number property as text.
  const after = '2026-03-01T10:05:00Z';
  const readAgain = [contactModifiedAt('1', after, { leadlens_score: '14' }), contactModifiedAt('2', after, { leadlens_score: '9', leadlens_tier: 'Warm' }), contactModifiedAt('3', after)];

  expect(await store.countChanged(readAgain)).toBe(0);
  await store.commitPage('hubspot', readAgain, { ...INITIAL_SYNC_STATE, status: 'done' });
  expect(await db.owedLeadScores.count()).toBe(0);
  expect(await db.scores.count()).toBe(3);
  // Stored as the CRM has them now: a deletion synced later is judged by the new stamp.
  expect(await db.leads.toArray()).toEqual(readAgain);
  await expectSummariesInStep(db);
  db.close();
});

it('counts a contact read again after a write-back with another field changed too, or a written field holding what LeadLens did not write there (a rep’s edit)', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const before = '2026-03-01T10:00:00Z';
  await storeAsWrittenBack(db, [
    { lead: contactModifiedAt('1', before), written: { leadlens_score: 14 } },
    { lead: contactModifiedAt('2', before), written: { leadlens_score: 14 } },
    { lead: contactModifiedAt('3', before, { num_employees: 50 }), written: { leadlens_score: 14 } },
    { lead: contactModifiedAt('4', before, { leadlens_score: 20 }), written: { leadlens_score: null } },
  ]);
  await db.scores.bulkPut(['m|hubspot|1', 'm|hubspot|2', 'm|hubspot|3', 'm|hubspot|4'].map(pageScore));
  const after = '2026-03-01T11:00:00Z';
  const readAgain = [
    contactModifiedAt('1', after, { leadlens_score: '14', jobtitle: 'CEO' }),
    contactModifiedAt('2', after, { leadlens_score: '15' }),
    // Sent as text too, but never written by LeadLens: a field the model may read.
    contactModifiedAt('3', after, { leadlens_score: '14', num_employees: '50' }),
    // Emptied by LeadLens, then given a value again by a rep.
    contactModifiedAt('4', after, { leadlens_score: '20' }),
  ];

  expect(await store.countChanged(readAgain)).toBe(4);
  await store.commitPage('hubspot', readAgain, { ...INITIAL_SYNC_STATE, status: 'done' });
  expect(await db.owedLeadScores.toCollection().primaryKeys()).toEqual(['hubspot|1', 'hubspot|2', 'hubspot|3', 'hubspot|4']);
  expect(await db.scores.count()).toBe(0);
  db.close();
});

it('counts no Salesforce lead read again as a write-back left it, stamped modified by the user written as; one edited since is counted', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const salesforceLead = (id: string, at: string, fields: Record<string, string | number>) =>
    toStoredLead('salesforce', {
      id,
      modifiedAt: Date.parse(at),
      fields: { Id: id, Name: 'Ada Lovelace', OwnerId: null, CreatedDate: '2026-01-01T00:00:00.000+0000', IsConverted: false, Status: 'Open', SystemModstamp: at, LastModifiedDate: at, LastModifiedById: '0055g00000RepAAA', ...fields },
    });
  const before = '2026-03-01T10:00:00.000+0000';
  await storeAsWrittenBack(db, [
    { lead: salesforceLead('00Qa', before, {}), written: { LeadLens_Score__c: 14, LeadLens_Tier__c: 'Warm' } },
    { lead: salesforceLead('00Qb', before, {}), written: { LeadLens_Score__c: 14, LeadLens_Tier__c: 'Warm' } },
  ]);
  const after = '2026-03-01T10:05:00.000+0000';
  const writtenBy = { SystemModstamp: after, LastModifiedDate: after, LastModifiedById: '0055g00000AdminAA' };
  const readAgain = [
    salesforceLead('00Qa', after, { ...writtenBy, LeadLens_Score__c: 14, LeadLens_Tier__c: 'Warm' }),
    salesforceLead('00Qb', after, { ...writtenBy, LeadLens_Score__c: 14, LeadLens_Tier__c: 'Warm', Status: 'Working' }),
  ];

  expect(await store.countChanged(readAgain)).toBe(1);
  await store.commitPage('salesforce', readAgain, { ...INITIAL_SYNC_STATE, status: 'done' });
  expect(await db.owedLeadScores.toCollection().primaryKeys()).toEqual(['salesforce|00Qb']);
  expect(await db.leads.toArray()).toEqual(readAgain);
  db.close();
});

it('gives synced leads the values read again of some fields, storing with the state only those that changed, owner names kept', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const salesforceLead = (id: string, origin: StoredLead['origin'], daysOpen: number): StoredLead => ({
    key: `salesforce|${id}`, source: 'salesforce', id, origin, name: 'Ada Lovelace', owner: 'Dana Whitfield', leadSource: 'Web', createdAt: Date.parse('2026-01-01T00:00:00Z'), modifiedAt: 5, outcome: 0,
    fields: { Id: id, Name: 'Ada Lovelace', OwnerId: '0055g00000A1bCdAAA', LeadSource: 'Web', CreatedDate: '2026-01-01T00:00:00.000+0000', IsConverted: false, Days_Open__c: daysOpen },
  });
  const [changed, same, demo] = [salesforceLead('00Qa', 'sync', 10), salesforceLead('00Qb', 'sync', 20), salesforceLead('00Qd', 'demo', 30)];
  await db.putLeads([changed, same, demo]);
  await db.owedLeadScores.clear(); // scored
  const next = vi.fn(() => ({ ...INITIAL_SYNC_STATE, status: 'running' as const }));
  const values = (id: string, daysOpen: number) => ({ id, fields: { Days_Open__c: daysOpen } });
  const state = await store.refreshFields('salesforce', [values('00Qa', 11), values('00Qb', 20), values('00Qd', 31), values('00Qmissing', 1)], next);

  expect(next).toHaveBeenCalledExactlyOnceWith(1);
  expect(state.status).toBe('running');
  expect(await store.readState('salesforce')).toEqual(state);
  expect(await db.leads.toArray()).toEqual([{ ...changed, fields: { ...changed.fields, Days_Open__c: 11 } }, same, demo]);
  expect(await db.owedLeadScores.toCollection().primaryKeys()).toEqual([changed.key]);
  await expectSummariesInStep(db);
  db.close();
});

it('deletes the record pages’ cached scores of the synced leads whose values read again changed, only theirs', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const withDaysOpen = (id: string, daysOpen: number): StoredLead => ({ ...lead(id, 'Ada'), key: `salesforce|${id}`, source: 'salesforce', fields: { Id: id, Days_Open__c: daysOpen } });
  await db.putLeads([withDaysOpen('00Qa', 10), withDaysOpen('00Qb', 20)]);
  await db.scores.bulkPut(['m|salesforce|00Qa', 'm|salesforce|00Qb'].map(pageScore));
  await store.refreshFields('salesforce', [{ id: '00Qa', fields: { Days_Open__c: 11 } }, { id: '00Qb', fields: { Days_Open__c: 20 } }], () => INITIAL_SYNC_STATE);
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['m|salesforce|00Qb']);
  db.close();
});

it('takes a value the CRM emptied off a synced lead when its fields are read again, rather than storing it empty', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const stored = toStoredLead('salesforce', { id: '00Qa', modifiedAt: 5, fields: { Name: 'Ada Lovelace', CreatedDate: '2026-01-01T00:00:00.000+0000', IsConverted: false, Days_Open__c: 10 } });
  await db.putLeads([stored]);
  await store.refreshFields('salesforce', [{ id: '00Qa', fields: { Days_Open__c: null } }], () => INITIAL_SYNC_STATE);
  const { Days_Open__c: _emptied, ...kept } = stored.fields;
  expect((await db.leads.get(stored.key))?.fields).toEqual(kept);
  db.close();
});

it("reads a HubSpot contact's outcome again in the portal's order of lifecycle stages as its values are read again or a field is dropped", async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  // The portal's own stage 1234567 before opportunity: a contact at it did not convert.
  const portalOrder = lifecycleOrder(['lead', '1234567', 'opportunity', 'customer', 'other']);
  // As stored in HubSpot's default order, where the stage is none: no outcome.
  const contact = (id: string) => toStoredLead('hubspot', { id, modifiedAt: 2, fields: { createdate: '2026-01-02T03:04:05Z', lifecyclestage: '1234567', jobtitle: 'CTO', num_conversion_events: 1 } });
  await db.putLeads([contact('1'), contact('2')]);
  expect((await db.leads.get('hubspot|1'))?.outcome).toBeNull();
  const next = vi.fn(() => INITIAL_SYNC_STATE);

  // The values read again are those stored: the outcome alone changed, and the lead is stored again for it.
  await store.refreshFields('hubspot', [{ id: '1', fields: { num_conversion_events: 1 } }], next, portalOrder);
  expect(next).toHaveBeenCalledExactlyOnceWith(1);
  expect((await db.leads.get('hubspot|1'))?.outcome).toBe(0);
  expect(await store.dropFields('hubspot', ['jobtitle'], portalOrder)).toBe(2);
  const dropped = await db.leads.get('hubspot|2');
  expect(dropped?.outcome).toBe(0);
  expect(dropped?.fields).toEqual({ createdate: '2026-01-02T03:04:05Z', lifecyclestage: '1234567', num_conversion_events: 1 });
  await expectSummariesInStep(db);
  db.close();
});

it("keeps the HubSpot portal's lifecycle stages a sync read, in its order, as the stored contacts' portal's: for that portal's pages only", async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const stages = [
    { value: 'lead', label: 'Lead' },
    { value: 'opportunity', label: 'Opportunity' },
    { value: '7654321', label: 'Closed Won' },
    { value: 'other', label: null },
  ];
  // No portal recorded yet: whose stages they are is not known, and none are kept.
  await store.keepLifecycleStages!(stages);
  expect(await db.settings.get(KEPT_LIFECYCLE_STAGES_KEY)).toBeUndefined();

  await recordSyncedAccount(db, 'hubspot', { id: '777001', name: 'HubSpot portal 777001', uiDomain: 'app-eu1.hubspot.com' });
  await store.keepLifecycleStages!(stages);
  // A stage without a label under its value, as the Training form offers it.
  expect(await keptLifecycleStages(db, '777001')).toEqual([...stages.slice(0, 3), { value: 'other', label: 'other' }]);
  expect(await keptLifecycleStages(db, '777002')).toBeUndefined();
  expect(await keptLifecycleStages(db, null)).toBeUndefined();
  // The next sync's replace them, as the portal has them now.
  await store.keepLifecycleStages!([{ value: 'lead', label: 'Lead' }, { value: 'customer', label: 'Customer' }]);
  expect(await keptLifecycleStages(db, '777001')).toEqual([{ value: 'lead', label: 'Lead' }, { value: 'customer', label: 'Customer' }]);
  // Stages LeadLens does not keep (more than a rule can list, a value longer than it compares) leave none, rather than a list cut short.
  await store.keepLifecycleStages!(Array.from({ length: 1001 }, (_, i) => ({ value: `stage${i}`, label: `Stage ${i}` })));
  expect(await keptLifecycleStages(db, '777001')).toBeUndefined();
  await store.keepLifecycleStages!([{ value: 'lead', label: 'Lead' }]);
  await store.keepLifecycleStages!([{ value: 'x'.repeat(1001), label: 'Long' }]);
  expect(await keptLifecycleStages(db, '777001')).toBeUndefined();
  db.close();
});

it('reads kept lifecycle stages that do not parse (damaged, or of another shape) as none kept, without throwing', async () => {
  const db = new LeadLensDb(DB);
  const stage = { value: 'lead', label: 'Lead' };
  const damaged = [
    null,
    'lead,customer',
    { stages: [stage] },
    { portalId: '777001' },
    { portalId: '777001', stages: 'lead' },
    { portalId: '777001', stages: [{ value: 'lead' }] },
    { portalId: '777001', stages: [{ value: ' ', label: 'Blank' }] },
    { portalId: '777001', stages: [{ value: 'lead', label: 'L'.repeat(1001) }] },
    { portalId: '777001', stages: Array.from({ length: 1001 }, () => stage) },
  ];
  for (const value of damaged) {
    await db.settings.put({ key: KEPT_LIFECYCLE_STAGES_KEY, value });
    expect([value, await keptLifecycleStages(db, '777001')]).toEqual([value, undefined]);
  }
  db.close();
});

it("keeps the HubSpot portal's labels of its original sources a sync read, as shown, for the side panel while that portal's contacts are stored", async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const labels = { SOCIAL_MEDIA: 'Organic Social', OFFLINE: 'Offline Sources' };
  // No portal recorded yet: whose labels they are is not known, and none are kept.
  await store.keepLeadSourceLabels!(labels);
  expect(await db.settings.get(KEPT_LEAD_SOURCE_LABELS_KEY)).toBeUndefined();
  expect(await keptLeadSourceLabels(db)).toBeUndefined();

  await recordSyncedAccount(db, 'hubspot', { id: '777001', name: 'HubSpot portal 777001' });
  // Each label as shown: spaces trimmed, and one that shows nothing left out (the value is shown).
  await store.keepLeadSourceLabels!({ ...labels, PAID_SOCIAL: '  Paid Social ', DIRECT_TRAFFIC: ' ' });
  expect(await keptLeadSourceLabels(db)).toEqual({ ...labels, PAID_SOCIAL: 'Paid Social' });
  // The next sync's replace them, as the portal has them now.
  await store.keepLeadSourceLabels!({ SOCIAL_MEDIA: 'Social' });
  expect(await keptLeadSourceLabels(db)).toEqual({ SOCIAL_MEDIA: 'Social' });
  // More labels than a manifest keeps for a field: none, rather than the last sync's.
  await store.keepLeadSourceLabels!(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`SOURCE_${i}`, `Source ${i}`])));
  expect(await db.settings.get(KEPT_LEAD_SOURCE_LABELS_KEY)).toBeUndefined();

  // Another portal's contacts stored since (connecting it forgot the state and its portal): not theirs.
  await store.keepLeadSourceLabels!(labels);
  await db.settings.put({ key: syncStateKey('hubspot'), value: { ...INITIAL_SYNC_STATE, account: { id: '777002', name: 'HubSpot portal 777002' } } });
  expect(await keptLeadSourceLabels(db)).toBeUndefined();
  await db.settings.delete(syncStateKey('hubspot'));
  expect(await keptLeadSourceLabels(db)).toBeUndefined();
  db.close();
});

it('reads kept lead-source labels that do not parse (damaged, or of another shape) as none kept, without throwing', async () => {
  const db = new LeadLensDb(DB);
  await recordSyncedAccount(db, 'hubspot', { id: '777001', name: 'HubSpot portal 777001' });
  const damaged = [
    null,
    'SOCIAL_MEDIA=Organic Social',
    { labels: { SOCIAL_MEDIA: 'Organic Social' } },
    { portalId: '777001' },
    { portalId: '777001', labels: ['Organic Social'] },
    { portalId: '777001', labels: { SOCIAL_MEDIA: 7 } },
    { portalId: '777001', labels: { SOCIAL_MEDIA: '' } },
    { portalId: '777001', labels: { SOCIAL_MEDIA: 'L'.repeat(201) } },
    { portalId: '777001', labels: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`SOURCE_${i}`, 'Source'])) },
  ];
  for (const value of damaged) {
    await db.settings.put({ key: KEPT_LEAD_SOURCE_LABELS_KEY, value });
    expect([value, await keptLeadSourceLabels(db)]).toEqual([value, undefined]);
  }
  db.close();
});

it('keeps the token a portal was confirmed through in the sync state: unknown in a state of an older LeadLens or a damaged one, and carried by a sync’s writes', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  // A state of an older LeadLens: read as it was, with no token known.
  const older = { ...INITIAL_SYNC_STATE, status: 'done' as const, completedCursor: 5, account: { id: '', name: 'a portal HubSpot would not name' } };
  await db.settings.put({ key: 'sync:hubspot', value: older });
  expect(await store.readState('hubspot')).toEqual(older);
  expect(await readPortalToken(db, 'hubspot')).toBeUndefined();
  // Damaged (a token in clear is not a digest): unknown, and the state kept.
  await db.settings.put({ key: 'sync:hubspot', value: { ...older, portalToken: { portalId: '', sha256: 'pat-na1-in-clear' } } });
  expect(await store.readState('hubspot')).toEqual(older);
  expect(await readPortalToken(db, 'hubspot')).toBeUndefined();

  const portalToken = { portalId: '', sha256: 'a'.repeat(64) };
  await recordPortalToken(db, 'hubspot', portalToken);
  // A sync's page, stored with the state it read moved on, keeps it.
  await store.commitPage('hubspot', [lead('1', 'Ada')], { ...(await store.readState('hubspot')), status: 'running' });
  expect(await readPortalToken(db, 'hubspot')).toEqual(portalToken);
  expect((await store.readState('hubspot')).status).toBe('running');
  db.close();
});

it('names the recorded account only where it is the one of the id given, and changes nothing else of the state', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const named = { id: '4242424', name: 'HubSpot portal 4242424' };
  await db.settings.put({ key: syncStateKey('hubspot'), value: { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: 5, account: { id: '777001', name: 'HubSpot portal 777001' } } });
  await nameSyncedAccount(db, 'hubspot', '', named);
  expect((await store.readState('hubspot')).account).toEqual({ id: '777001', name: 'HubSpot portal 777001' });

  await db.settings.put({ key: syncStateKey('hubspot'), value: { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: 5, account: { id: '', name: 'a portal HubSpot would not name' } } });
  await nameSyncedAccount(db, 'hubspot', '', named);
  expect(await store.readState('hubspot')).toEqual({ ...INITIAL_SYNC_STATE, status: 'done', completedCursor: 5, account: named });
  // Nothing recorded, nothing named.
  await nameSyncedAccount(db, 'salesforce', '', named);
  expect(await db.settings.get('sync:salesforce')).toBeUndefined();
  db.close();
});

it('keeps whom the leads were synced as in the sync state: unknown in a state of an older LeadLens or a damaged one, and carried by a sync’s writes', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const older = { ...INITIAL_SYNC_STATE, status: 'done' as const, completedCursor: 5, account: { id: 'acme.my.salesforce.com', name: 'acme.my.salesforce.com' } };
  await db.settings.put({ key: 'sync:salesforce', value: older });
  expect(await store.readState('salesforce')).toEqual(older);
  // Damaged (no username): unknown, and the state kept.
  await db.settings.put({ key: 'sync:salesforce', value: { ...older, syncedAs: { id: '0055g00000A1bCdAAA', name: 'Dana Whitfield' } } });
  expect(await store.readState('salesforce')).toEqual(older);

  const syncedAs = { id: '0055g00000A1bCdAAA', name: 'Dana Whitfield', username: 'dana.whitfield@acme.example' };
  await db.settings.put({ key: 'sync:salesforce', value: { ...older, syncedAs } });
  expect((await store.readState('salesforce')).syncedAs).toEqual(syncedAs);
  // A sync's page, stored with the state it read moved on, keeps it.
  await store.commitPage('salesforce', [], { ...(await store.readState('salesforce')), status: 'running' });
  expect(await store.readState('salesforce')).toMatchObject({ status: 'running', syncedAs });
  db.close();
});

it('writes whom the leads were synced as only as a job starts: the states a running sync writes leave a connect’s forgetting as it is', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const dana = { id: '0055g00000A1bCdAAA', name: 'Dana Whitfield', username: 'dana.whitfield@acme.example' };
  const marcus = { id: '0055g00000Marcus1', name: 'Marcus Oyelaran', username: 'marcus.oyelaran@acme.example' };
  await db.settings.put({ key: 'sync:salesforce', value: { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: 5 } });
  await store.recordSyncedAs!('salesforce', dana);
  const running = { ...(await store.readState('salesforce')), status: 'running' as const };
  expect(running.syncedAs).toEqual(dana);
  // A state naming another user sets nothing: the job's start records it, or nothing does.
  await store.writeState('salesforce', { ...running, syncedAs: marcus });
  expect((await store.readState('salesforce')).syncedAs).toEqual(dana);

  // A connect forgets it while the job runs, which then writes the state it read moved on, the user in it.
  await forgetSyncedAs(db, 'salesforce');
  await store.commitPage('salesforce', [], running);
  expect((await store.readState('salesforce')).syncedAs).toBeUndefined();
  await store.refreshFields('salesforce', [], () => running);
  await store.writeState('salesforce', { ...running, status: 'error', error: 'HTTP 503', errorKind: 'network' });
  expect((await store.readState('salesforce')).syncedAs).toBeUndefined();
  const finished = await store.finishSync('salesforce', null, () => ({ ...running, status: 'done', job: null }));
  expect(finished.syncedAs).toBeUndefined();
  expect(await store.readState('salesforce')).toMatchObject({ status: 'done', completedCursor: 5 });
  expect((await store.readState('salesforce')).syncedAs).toBeUndefined();

  // The next job records whom it signs in as.
  await store.recordSyncedAs!('salesforce', marcus);
  expect((await store.readState('salesforce')).syncedAs).toEqual(marcus);
  db.close();
});

it('records whom the leads were synced as only over the user the job’s start compared with, in one transaction: a connect’s forgetting meanwhile stands', async () => {
  const db = new LeadLensDb(DB);
  const store = dexieSyncStore(db);
  const dana = { id: '0055g00000A1bCdAAA', name: 'Dana Whitfield', username: 'dana.whitfield@acme.example' };
  const marcus = { id: '0055g00000Marcus1', name: 'Marcus Oyelaran', username: 'marcus.oyelaran@acme.example' };
  const stored = { ...INITIAL_SYNC_STATE, status: 'done' as const, completedCursor: 5 };
  await db.settings.put({ key: 'sync:salesforce', value: { ...stored, syncedAs: dana } });
  // The same user, renamed since: recorded with the name they have now.
  const renamed = { ...dana, name: 'Dana Whitfield-Okafor' };
  expect(await store.recordSyncedAs!('salesforce', renamed, dana)).toBe(true);
  expect(await store.readState('salesforce')).toEqual({ ...stored, syncedAs: renamed });

  // A connect forgot it while the start asked whom the credentials sign in as: it stays forgotten.
  await forgetSyncedAs(db, 'salesforce');
  expect(await store.recordSyncedAs!('salesforce', dana, dana)).toBe(false);
  expect(await store.readState('salesforce')).toEqual(stored);
  // None recorded, none compared with: recorded (the next job's start).
  expect(await store.recordSyncedAs!('salesforce', marcus, undefined)).toBe(true);
  expect((await store.readState('salesforce')).syncedAs).toEqual(marcus);
  // Another user than the one compared with: left as it is.
  expect(await store.recordSyncedAs!('salesforce', dana, undefined)).toBe(false);
  expect(await store.recordSyncedAs!('salesforce', dana, renamed)).toBe(false);
  expect((await store.readState('salesforce')).syncedAs).toEqual(marcus);
  db.close();
});
