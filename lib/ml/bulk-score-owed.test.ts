/**
 * A run over one source's leads (a sync's, a CSV import's, a write-back's) scores the leads owed a
 * score (stored since they were last scored, or without a score of its model), not every lead of
 * the source; a run over every lead scores them all and settles what they owed.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db, summaryOf, type StoredLead } from '../db/db';
import { demoStoredLeads } from '../crm/demo-leads';
import { readJob } from '../jobs/progress';
import { dexieSyncStore } from '../sync/store';
import { INITIAL_SYNC_STATE } from '../sync/state';
import { bundledModelSession } from '../../test/bundled-model-session';
import { stubWebLocks } from '../../test/web-locks';
import { resumeUnfinishedScoringJob, runScoringJob } from './bulk-score';
import type { EngineOutput } from './engine';
import { featurizeRecord } from './featurize';

const bundled = bundledModelSession();
const { manifest } = bundled;
const now = new Date('2026-11-20T00:00:00Z');

beforeEach(async () => {
  stubWebLocks(); // a job's progress report asks the lock manager whether a purge waits
  await Promise.all([...db.leadTables, db.leadScores, db.settings].map((table) => table.clear()));
});
afterEach(() => vi.unstubAllGlobals());

/** The leads the model was run on, one count per run. */
let leadsRun: number[] = [];
beforeEach(() => {
  leadsRun = [];
});
/** The bundled model, counting the leads of each run in `leadsRun`. */
async function runModel(rows: Float32Array, featureCount: number): Promise<EngineOutput> {
  leadsRun.push(rows.length / featureCount);
  return bundled.runModel(rows, featureCount);
}
const leadsThroughModel = () => leadsRun.reduce((sum, n) => sum + n, 0);
const deps = () => ({ manifest, runModel, now });

/** `count` demo leads synced from Salesforce and HubSpot (half each). */
const syncedLeads = (count: number): StoredLead[] => demoStoredLeads(now, count).map((lead) => ({ ...lead, origin: 'sync' as const }));
const ofSource = (leads: StoredLead[], source: StoredLead['source']) => leads.filter((lead) => lead.source === source);
const withTitle = (lead: StoredLead, title: string): StoredLead => ({ ...lead, fields: { ...lead.fields, [lead.source === 'salesforce' ? 'Title' : 'jobtitle']: title } });
const owedKeys = () => db.owedLeadScores.toCollection().primaryKeys();
const scoreOf = (lead: StoredLead) => db.leadScores.get(`${manifest.modelId}|${lead.key}`);

it('scores only the lead a sync changed, not every lead of its CRM, and from its new fields', async () => {
  const leads = ofSource(syncedLeads(600), 'salesforce');
  await db.putLeads(leads);
  expect(await runScoringJob(deps(), { source: 'salesforce' })).toBe(300);
  expect(leadsThroughModel()).toBe(300);

  // A sync reads a page of 200 again, one of them changed.
  const changed = withTitle(leads[7], 'VP Sales');
  const page = leads.slice(0, 200).map((lead) => (lead.key === changed.key ? changed : lead));
  await dexieSyncStore(db).commitPage('salesforce', page, { ...INITIAL_SYNC_STATE });
  leadsRun = [];

  expect(await runScoringJob(deps(), { source: 'salesforce' })).toBe(300);
  expect(leadsThroughModel()).toBe(1);
  expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 1, total: 1, source: 'salesforce' });
  const alone = await runModel(featurizeRecord(changed.fields, manifest.features, 'salesforce', now), manifest.features.length);
  expect((await scoreOf(changed))?.probability).toBeCloseTo(alone.probability[0], 6);
  expect(await owedKeys()).toEqual([]);
});

it('continues a one-source run that died mid-way over the leads still owed a score, after the last it scored', async () => {
  const leads = syncedLeads(60);
  await db.putLeads(leads);
  await runScoringJob(deps());
  const changed = [...ofSource(leads, 'hubspot').slice(0, 12), ...ofSource(leads, 'salesforce').slice(0, 3)].map((lead) => withTitle(lead, 'Chief Revenue Officer'));
  await db.putLeads(changed);
  leadsRun = [];

  let batches = 0;
  const dyingAfterOne = (rows: Float32Array, featureCount: number) => (++batches > 1 ? new Promise<EngineOutput>(() => undefined) : runModel(rows, featureCount));
  void runScoringJob({ manifest, runModel: dyingAfterOne, now }, { source: 'hubspot', batchSize: 5 });
  await vi.waitFor(async () => expect((await readJob('scoring'))?.done).toBe(5));
  const changedHubspot = ofSource(changed, 'hubspot').map((lead) => lead.key).sort();
  expect(await readJob('scoring')).toMatchObject({ state: 'running', done: 5, total: 12, resumeAfter: changedHubspot[4], source: 'hubspot' });

  expect(await resumeUnfinishedScoringJob(async () => deps(), 5)).toBe(30);
  expect(leadsRun).toEqual([5, 5, 2]); // the first batch before it died, then the 7 left
  expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 12, total: 12, source: 'hubspot' });
  // The Salesforce leads changed are still owed theirs: a run over HubSpot's did not settle them.
  expect(await owedKeys()).toEqual(ofSource(changed, 'salesforce').map((lead) => lead.key).sort());
});

it('leaves nothing owed of a lead deleted while owed a score, and a later run goes through none of it', async () => {
  const leads = ofSource(syncedLeads(20), 'hubspot');
  await db.putLeads(leads);
  await db.deleteLeads([leads[0].key, leads[1].key]);
  expect(await owedKeys()).toEqual(leads.slice(2).map((lead) => lead.key).sort());
  expect(await runScoringJob(deps(), { source: 'hubspot' })).toBe(8);
  expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 8, total: 8 });
  expect(leadsThroughModel()).toBe(8);
  expect(await owedKeys()).toEqual([]);
});

describe('a run over every lead', () => {
  it('settles every lead’s owed score, except those the engine failed on, which the next run over their source scores', async () => {
    const leads = syncedLeads(40);
    await db.putLeads(leads);
    const keys = leads.map((lead) => lead.key).sort();
    let batch = 0;
    const failingOnSecond = (rows: Float32Array, featureCount: number) => (++batch === 2 ? Promise.reject(new Error('the engine crashed')) : runModel(rows, featureCount));
    await expect(runScoringJob({ manifest, runModel: failingOnSecond, now }, { batchSize: 10 })).rejects.toThrow('10 leads could not be scored: the engine crashed');
    // HubSpot's 20 keys sort first: the second batch is HubSpot's last 10.
    expect(await owedKeys()).toEqual(keys.slice(10, 20));
    leadsRun = [];
    await runScoringJob(deps(), { source: 'hubspot' });
    expect(leadsThroughModel()).toBe(10);
    expect(await owedKeys()).toEqual([]);
    expect(await db.leadScores.count()).toBe(40);
  });

  it('leaves owed a lead stored again while its batch was being scored: the score written is of its old fields', async () => {
    const leads = ofSource(syncedLeads(20), 'salesforce');
    await db.putLeads(leads);
    const storedDuring = withTitle(leads[3], 'VP Sales');
    let stored: Promise<void> | undefined;
    const syncing = (rows: Float32Array, featureCount: number) => ((stored ??= db.putLeads([storedDuring])), stored.then(() => runModel(rows, featureCount)));
    await runScoringJob({ manifest, runModel: syncing, now });
    expect(await owedKeys()).toEqual([storedDuring.key]);

    leadsRun = [];
    await runScoringJob(deps(), { source: 'salesforce' });
    expect(leadsThroughModel()).toBe(1);
    const alone = await runModel(featurizeRecord(storedDuring.fields, manifest.features, 'salesforce', now), manifest.features.length);
    expect((await scoreOf(storedDuring))?.probability).toBeCloseTo(alone.probability[0], 6);
  });
});

it('scores, in a run over one source, its leads without a score of the run’s model (a write-back empties the fields of those), though none is owed one for its fields', async () => {
  const leads = syncedLeads(30);
  await db.putLeads(leads);
  await runScoringJob(deps());
  expect(await owedKeys()).toEqual([]);
  // Another model made active, whose scoring of every lead was stopped before it came to them.
  const other = { ...manifest, modelId: 'other-1' };
  leadsRun = [];
  expect(await runScoringJob({ manifest: other, runModel, now }, { source: 'salesforce', batchSize: 10 })).toBe(15);
  expect(leadsThroughModel()).toBe(15);
  expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 15, total: 15 });
  expect(await owedKeys()).toEqual([]);
  // Its next run scores none again.
  leadsRun = [];
  await runScoringJob({ manifest: other, runModel, now }, { source: 'salesforce' });
  expect(leadsThroughModel()).toBe(0);
});

it('after the update from version 5, scores every lead of the source a scoring was owed of, as that scoring then meant', async () => {
  const leads = syncedLeads(40);
  // The store as version 5 left it: every lead scored, then a sync changed some and owed its CRM a scoring.
  await db.delete({ disableAutoOpen: false });
  const v5 = new Dexie('leadlens');
  v5.version(5).stores({
    scores: 'key, scoredAt',
    leads: 'key, source, origin, createdAt, modifiedAt, owner, leadSource',
    leadScores: 'key, leadKey, [modelId+tier], [modelId+probability]',
    models: 'id, addedAt',
    settings: 'key',
    csvStaging: 'key',
    leadSummaries: 'key',
    heldOutScores: 'modelId',
  });
  const changed = ofSource(leads, 'salesforce').slice(0, 4).map((lead) => withTitle(lead, 'VP Sales'));
  const stored = leads.map((lead) => changed.find((c) => c.key === lead.key) ?? lead);
  await v5.table('leads').bulkPut(stored);
  await v5.table('leadSummaries').bulkPut(stored.map(summaryOf));
  await v5.table('leadScores').bulkPut(leads.map((lead) => ({ key: `${manifest.modelId}|${lead.key}`, modelId: manifest.modelId, leadKey: lead.key, probability: 0.1, score: 10, tier: 'cold', topReason: '', scoredAt: 1 })));
  v5.close();

  expect(await runScoringJob(deps(), { source: 'salesforce' })).toBe(20);
  expect(db.verno).toBe(7);
  expect(leadsThroughModel()).toBe(20);
  for (const lead of changed) {
    const alone = await runModel(featurizeRecord(lead.fields, manifest.features, 'salesforce', now), manifest.features.length);
    expect((await scoreOf(lead))?.probability).toBeCloseTo(alone.probability[0], 6);
  }
  // HubSpot's are owed theirs until a run over them, or over every lead.
  expect(await owedKeys()).toEqual(ofSource(leads, 'hubspot').map((lead) => lead.key).sort());
  await runScoringJob(deps());
  expect(await owedKeys()).toEqual([]);
});

describe('a lead the model gives no score (it reads none of its fields)', () => {
  /** `count` HubSpot leads holding only a column no model here reads, as a CRM's leads are to a model trained on a CSV file. */
  const unreadable = (count: number): StoredLead[] => ofSource(syncedLeads(2 * count), 'hubspot').map((lead) => ({ ...lead, fields: { some_csv_only_column: 'x' } }));

  it('is gone through once, not again at each run over its source, until it is stored again', async () => {
    const leads = unreadable(300);
    await db.putLeads(leads);
    expect(await runScoringJob(deps(), { source: 'hubspot' })).toBe(0);
    expect(leadsThroughModel()).toBe(300);
    expect(await owedKeys()).toEqual([]);

    // The next sync changes one of them, and stores a new lead the model reads.
    const changed = { ...leads[3], fields: { some_csv_only_column: 'y' } };
    const added = { ...ofSource(syncedLeads(2), 'hubspot')[0], id: 'added', key: 'hubspot|added' };
    await dexieSyncStore(db).commitPage('hubspot', [changed, added], { ...INITIAL_SYNC_STATE });
    leadsRun = [];
    expect(await runScoringJob(deps(), { source: 'hubspot' })).toBe(1);
    expect(leadsThroughModel()).toBe(2);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 2, total: 2, source: 'hubspot' });

    // Stored again with a field the model reads, it is scored.
    const titled = withTitle(leads[5], 'VP Sales');
    await db.putLeads([titled]);
    leadsRun = [];
    expect(await runScoringJob(deps(), { source: 'hubspot' })).toBe(2);
    expect(leadsThroughModel()).toBe(1);
    const alone = await runModel(featurizeRecord(titled.fields, manifest.features, 'hubspot', now), manifest.features.length);
    expect((await scoreOf(titled))?.probability).toBeCloseTo(alone.probability[0], 6);
    expect(await owedKeys()).toEqual([]);
  });

  it('is known so after a run over every lead too; another model goes through it once', async () => {
    await db.putLeads(unreadable(50));
    await runScoringJob(deps());
    leadsRun = [];
    await runScoringJob(deps(), { source: 'hubspot' });
    expect(leadsThroughModel()).toBe(0);

    const other = { manifest: { ...manifest, modelId: 'other-1' }, runModel, now };
    await runScoringJob(other, { source: 'hubspot' });
    expect(leadsThroughModel()).toBe(50);
    leadsRun = [];
    await runScoringJob(other, { source: 'hubspot' });
    expect(leadsThroughModel()).toBe(0);
  });

  it('is not taken for one the model cannot score once stored again, with a field it reads, while its batch was scored', async () => {
    const [lead] = unreadable(1);
    await db.putLeads([lead]);
    await db.owedLeadScores.clear(); // gone through by an earlier model
    const titled = withTitle(lead, 'VP Sales');
    let stored: Promise<void> | undefined;
    const syncing = (rows: Float32Array, featureCount: number) => ((stored ??= db.putLeads([titled])), stored.then(() => runModel(rows, featureCount)));
    await runScoringJob({ manifest, runModel: syncing, now });
    expect(await db.unscorableLeads.count()).toBe(0);
    expect(await owedKeys()).toEqual([titled.key]);

    leadsRun = [];
    expect(await runScoringJob(deps(), { source: 'hubspot' })).toBe(1);
    expect(leadsThroughModel()).toBe(1);
  });
});

it('leaves owed a lead stored again in the millisecond its batch was read: the score written is of its old fields', async () => {
  const leads = ofSource(syncedLeads(20), 'salesforce');
  const clock = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
  await db.putLeads(leads);
  const storedDuring = withTitle(leads[3], 'VP Sales');
  let stored: Promise<void> | undefined;
  const syncing = (rows: Float32Array, featureCount: number) => ((stored ??= db.putLeads([storedDuring])), stored.then(() => runModel(rows, featureCount)));
  await runScoringJob({ manifest, runModel: syncing, now }, { source: 'salesforce' });
  clock.mockRestore();
  expect(await owedKeys()).toEqual([storedDuring.key]);

  leadsRun = [];
  await runScoringJob(deps(), { source: 'salesforce' });
  expect(leadsThroughModel()).toBe(1);
  const alone = await runModel(featurizeRecord(storedDuring.fields, manifest.features, 'salesforce', now), manifest.features.length);
  expect((await scoreOf(storedDuring))?.probability).toBeCloseTo(alone.probability[0], 6);
});

/** The names of the tables a `db.transaction` call took (its arguments between the mode and the callback). */
const tablesOf = (args: unknown[]) => (args.slice(1, -1) as unknown[]).flat().map((table) => (typeof table === 'string' ? table : (table as { name: string }).name));

it('looks for the leads without a score of the run’s model in read-only transactions: pages reading summaries do not wait for it', async () => {
  await db.putLeads(syncedLeads(40));
  await runScoringJob(deps());
  const transaction = vi.spyOn(db, 'transaction');
  expect(await runScoringJob({ manifest: { ...manifest, modelId: 'other-1' }, runModel, now }, { source: 'salesforce', batchSize: 10 })).toBe(20);
  const tablesWritten = transaction.mock.calls.filter(([mode]) => mode !== 'r').map(tablesOf);
  expect(tablesWritten.filter((tables) => tables.includes('leadSummaries'))).toEqual([]);
  transaction.mockRestore();
});

describe('looking, a chunk of lead keys at a time, for the leads of a source without a score of the run’s model', () => {
  /** 22 Salesforce leads: chunks of 7 keys are leads 0-6, 7-13, 14-20 and 21. */
  const salesforceLeads = () => ofSource(syncedLeads(44), 'salesforce');
  const CHUNK = 7;

  it('goes on past the first chunk: leads without a score in later chunks are owed one and scored', async () => {
    const leads = salesforceLeads();
    await db.putLeads(leads);
    await runScoringJob(deps());
    // As a scoring of every lead with the model, stopped before it came to them, leaves them.
    const sorted = [...leads].sort((a, b) => a.key.localeCompare(b.key));
    const unscored = [sorted[7], sorted[13], sorted[21]]; // the first and last of the second chunk, and the last chunk's only lead
    await db.leadScores.bulkDelete(unscored.map((lead) => `${manifest.modelId}|${lead.key}`));
    leadsRun = [];

    expect(await runScoringJob(deps(), { source: 'salesforce', missingScoreChunk: CHUNK })).toBe(22);
    expect(leadsThroughModel()).toBe(3);
    for (const lead of unscored) expect(await scoreOf(lead)).toBeDefined();
    expect(await owedKeys()).toEqual([]);
  });

  it('reads no lead key when every lead of the source has a score of the model or is known to get none', async () => {
    const leads = salesforceLeads().map((lead, i) => (i % 5 === 0 ? { ...lead, fields: { some_csv_only_column: 'x' } } : lead));
    await db.putLeads(leads);
    await runScoringJob(deps());
    expect(await db.unscorableLeads.count()).toBe(5);
    const transaction = vi.spyOn(db, 'transaction');
    const transactionsReadingSummaries = () => transaction.mock.calls.filter((args) => tablesOf(args).includes('leadSummaries')).length;
    leadsRun = [];

    expect(await runScoringJob(deps(), { source: 'salesforce', missingScoreChunk: CHUNK })).toBe(17);
    expect(transactionsReadingSummaries()).toBe(1); // the count of the source's leads, against its scores and marks
    expect(leadsThroughModel()).toBe(0);

    // One lead without either: its keys are read, a chunk at a time (4 chunks).
    await db.leadScores.delete(`${manifest.modelId}|${leads[1].key}`);
    transaction.mockClear();
    expect(await runScoringJob(deps(), { source: 'salesforce', missingScoreChunk: CHUNK })).toBe(17);
    expect(transactionsReadingSummaries()).toBe(1 + 4);
    expect(leadsThroughModel()).toBe(1);
    transaction.mockRestore();
  });
});

it('gives a lead deleted while its batch was scored neither a score nor a record that the model gives it none: either would outlive it', async () => {
  const leads = ofSource(syncedLeads(20), 'hubspot');
  const [unreadableLead, deleted] = [{ ...leads[0], fields: { some_csv_only_column: 'x' } }, leads[1]];
  await db.putLeads([unreadableLead, ...leads.slice(1)]);
  await db.owedLeadScores.clear(); // gone through by an earlier model
  let deleting: Promise<void> | undefined;
  const deletingTwo = (rows: Float32Array, featureCount: number) =>
    ((deleting ??= db.deleteLeads([unreadableLead.key, deleted.key])), deleting.then(() => runModel(rows, featureCount)));
  await runScoringJob({ manifest, runModel: deletingTwo, now });
  expect(await db.leadScores.where('leadKey').anyOf([unreadableLead.key, deleted.key]).count()).toBe(0);
  expect(await db.unscorableLeads.count()).toBe(0);
  expect(await db.leadScores.count()).toBe(leads.length - 2);
});
