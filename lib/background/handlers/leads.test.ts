/** The stored leads' handlers where they meet the record-page score cache. */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { demoStoredLeads } from '../../crm/demo-leads';
import { db } from '../../db/db';
import { bundledModel } from '../../ml/bundled-model';
import { activeModelId } from '../../ml/model-store';
import { activateModel } from '../../ml/model-versions';
import { dexieCsvSink } from '../../csv/stored';
import { oweScoringOfEveryLead, owedScoringModel, owedSourceScorings, runJob, writeJob } from '../../jobs/progress';
import { storedLead } from '../../../test/fixtures/stored-lead';
import { storeModel } from '../../../test/fixtures/stored-model';
import { stubWebLocks } from '../../../test/web-locks';
import { startStoredScoring } from '../activate-model';
import { refreshStaleScores } from '../refresh-scores';
import { scoreCacheFor } from '../score-cache';
import { leadsHandlers } from './leads';

const { retierStoredScoresOffscreen, scoreStoredLeadsOffscreen, OffscreenJobInterrupted, sendToCrmTabs, broadcastToPages } = vi.hoisted(() => ({
  retierStoredScoresOffscreen: vi.fn(async () => ({ ok: true as const, retiered: 0, changed: 0 })),
  scoreStoredLeadsOffscreen: vi.fn(),
  /** As the engine's: the scoring's page closed, and the run `continuing` goes on. */
  OffscreenJobInterrupted: class extends Error {
    constructor(readonly continuing: { modelId: string } | null) {
      super('The scoring of the stored leads was interrupted (the page running it closed), and goes on where it stopped.');
    }
  },
  sendToCrmTabs: vi.fn(async () => undefined),
  broadcastToPages: vi.fn(async () => undefined),
}));
vi.mock('../offscreen-engine', () => ({ retierStoredScoresOffscreen, scoreStoredLeadsOffscreen, OffscreenJobInterrupted, runOffscreen: vi.fn(), resumeOffscreenJobs: vi.fn(async () => undefined) }));
vi.mock('../../messaging/events', () => ({ sendToCrmTabs, broadcastToPages }));
const { rememberedLeadOf, explainInFull } = vi.hoisted(() => ({ rememberedLeadOf: vi.fn(), explainInFull: vi.fn() }));
vi.mock('../open-lead', async (importOriginal) => ({ ...(await importOriginal<typeof import('../open-lead')>()), rememberedLeadOf, explainInFull }));
// The page-access and purge modules it loads read extension storage (connections, the purge's mark).
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const sender = {} as Browser.runtime.MessageSender;
const entry = (tier: 'hot' | 'cold') => ({ fieldsHash: 'h', lead: { tier } as never });

beforeEach(() => db.scores.clear());

it('applying a tier policy keeps a badge score read under the old one out of the cache, as well as those cached before', async () => {
  stubWebLocks(); // the re-tiering's request is held while it is asked
  await db.scores.put({ key: 'm|salesforce|00Q1', ...entry('hot'), scoredAt: 0 });
  // A record page's score in flight: its CRM read began before the policy was applied.
  const inFlight = scoreCacheFor({ account: 'acme.my.salesforce.com', connection: 'same-org', synced: true, purgesBefore: 0 });

  await leadsHandlers.retierStoredScores({ modelId: 'm' }, sender);
  expect(await db.scores.count()).toBe(0);
  expect(sendToCrmTabs).toHaveBeenCalledWith('scoresChanged', {});
  await inFlight.put('m|salesforce|00Q2', entry('hot'));
  expect(await db.scores.count()).toBe(0);

  // One begun after it is cached as usual.
  await scoreCacheFor({ account: 'acme.my.salesforce.com', connection: 'same-org', synced: true, purgesBefore: 0 }).put('m|salesforce|00Q2', entry('cold'));
  expect(await db.scores.count()).toBe(1);
});

it('records the re-tiering a tier policy asks for as owed before asking for it: a browser closed while it waits for its turn has it asked again at start', async () => {
  stubWebLocks();
  const owed = async () => (await db.settings.get('job:scoring:owed'))?.value;
  const before = Date.now();
  let owedWhenAsked: unknown;
  retierStoredScoresOffscreen.mockImplementationOnce(async () => {
    owedWhenAsked = await owed();
    return { ok: true, retiered: 0, changed: 0 };
  });
  await leadsHandlers.retierStoredScores({ modelId: 'm' }, sender);
  expect(retierStoredScoresOffscreen).toHaveBeenCalledWith('m');
  expect(owedWhenAsked).toMatchObject({ retiers: [{ modelId: 'm', owedAt: expect.any(Number) }] });
  // The faked document answered without running the job (as one closed on it): nothing settled it.
  const { retiers } = (await owed()) as { retiers: { owedAt: number }[] };
  expect(retiers[0].owedAt).toBeGreaterThanOrEqual(before);
});

it('removes the demo leads and their scores, leaving the leads of your own and their scores, and tells tabs and pages', async () => {
  stubWebLocks(); // the removal waits for the stored scores' lock, as a bulk-scoring batch holds it
  await db.leads.clear();
  await db.leadScores.clear();
  const demo = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 6);
  const [synced] = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 8)
    .slice(6)
    .map((lead) => ({ ...lead, key: `${lead.source}|own-1`, id: 'own-1', origin: 'sync' as const }));
  await db.putLeads([...demo, synced]);
  const score = (leadKey: string) => ({ key: `m|${leadKey}`, modelId: 'm', leadKey, probability: 0.5, score: 50, tier: 'warm' as const, topReason: '', scoredAt: 0 });
  await db.leadScores.bulkPut([...demo, synced].map((lead) => score(lead.key)));

  expect(await leadsHandlers.removeDemoData({}, sender)).toEqual({ ok: true, removed: 6 });
  expect((await db.leads.toArray()).map((lead) => lead.key)).toEqual([synced.key]);
  expect((await db.leadScores.toArray()).map((row) => row.leadKey)).toEqual([synced.key]);
  expect(await db.leadSummaries.count()).toBe(1);
  expect(sendToCrmTabs).toHaveBeenCalledWith('scoresChanged', {});
  expect(broadcastToPages).toHaveBeenCalledWith('storedDataDeleted', {});
});

it('loading the demo data succeeds once the leads are stored and the default model active, saying what came of the scoring', async () => {
  stubWebLocks(); // the demo leads are swapped under the stored scores' lock
  await db.leads.clear();
  const bundled = bundledModel.manifest();
  if (!bundled.ok) throw new Error(bundled.error);
  const { modelId } = bundled.manifest;

  // Its run began (its row says so, begun as it was asked) when its page closed.
  scoreStoredLeadsOffscreen.mockImplementationOnce(async () => {
    const run = { modelId, state: 'running' as const, done: 0, total: 4, startedAt: Date.now() };
    await writeJob('scoring', run);
    throw new OffscreenJobInterrupted(run);
  });
  expect(await leadsHandlers.loadDemoData({ count: 4 }, sender)).toEqual({
    ok: true,
    leads: 4,
    skipped: 0,
    scoringProblem: 'Scoring the stored leads with it was interrupted, and goes on where it stopped.',
  });
  expect(await db.leads.count()).toBe(4);
  expect(await activeModelId()).toBe(modelId);

  scoreStoredLeadsOffscreen.mockRejectedValueOnce(new Error('the engine ran out of memory'));
  expect(await leadsHandlers.loadDemoData({ count: 4 }, sender)).toEqual({
    ok: true,
    leads: 4,
    skipped: 0,
    scoringProblem: 'The stored leads could not be scored with it: the engine ran out of memory',
  });

  scoreStoredLeadsOffscreen.mockResolvedValueOnce({ ok: true, scored: 4 });
  expect(await leadsHandlers.loadDemoData({ count: 4 }, sender)).toEqual({ ok: true, leads: 4, skipped: 0 });
});

describe('loading the demo data beside synced leads that hold demo ids (a sync of the demo CRM)', () => {
  const now = new Date('2026-11-20T00:00:00Z');
  /** The demo leads of a load of `count`, the first `synced` of them stored as synced leads, and the admin's model `trained-7` active. */
  async function syncedDemoIdsWithTrainedModelActive(count: number, synced: number) {
    stubWebLocks();
    await Promise.all(db.tables.map((table) => table.clear()));
    scoreStoredLeadsOffscreen.mockReset();
    scoreStoredLeadsOffscreen.mockResolvedValue({ ok: true, scored: count });
    await db.putLeads(demoStoredLeads(now, count).slice(0, synced).map((lead) => ({ ...lead, origin: 'sync' as const, name: `Synced ${lead.id}` })));
    await storeModel({ ...bundledManifest(), modelId: 'trained-7' }, new Uint8Array([1]), 'trained');
    await activateModel('trained-7');
  }

  it('loads none and leaves the admin\'s model active, scoring nothing, when every demo id is held', async () => {
    await syncedDemoIdsWithTrainedModelActive(4, 4);
    const reply = await leadsHandlers.loadDemoData({ count: 4 }, sender);
    expect(await activeModelId()).toBe('trained-7');
    expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
    expect(reply).toEqual({ ok: true, leads: 0, skipped: 4 });
    expect(await db.leads.where('origin').equals('sync').count()).toBe(4);
  });

  it('loads the others and makes the default model active, saying how many were left out', async () => {
    await syncedDemoIdsWithTrainedModelActive(6, 2);
    expect(await leadsHandlers.loadDemoData({ count: 6 }, sender)).toEqual({ ok: true, leads: 4, skipped: 2 });
    expect(await activeModelId()).toBe(bundledManifest().modelId);
    expect(await db.leads.where('origin').equals('demo').count()).toBe(4);
  });
});

describe('the scoring a CSV import owes, asked by its page', () => {
  beforeEach(async () => {
    stubWebLocks(); // the commit pauses the stored-score jobs; requests are held while asked
    scoreStoredLeadsOffscreen.mockReset();
    await Promise.all(db.tables.map((table) => table.clear()));
    await dexieCsvSink.stage([storedLead({ source: 'csv', id: '1', origin: 'csv' }), storedLead({ source: 'csv', id: '2', origin: 'csv' })]);
    await dexieCsvSink.commit(null);
    await new Promise((resolve) => setTimeout(resolve, 2)); // a run asked now begins after the commit owed it
  });

  /** The offscreen document's answer to the request pending, once its run of `source`'s leads with `modelId` ended (settling what it covered). */
  function scoringAnsweredLater() {
    let answer!: () => Promise<void>;
    scoreStoredLeadsOffscreen.mockImplementationOnce(
      (modelId: string, source?: 'csv') =>
        new Promise((resolve) => (answer = async () => resolve({ ok: true, scored: await runJob('scoring', modelId, 2, async () => 2, { source }) }))),
    );
    return () => answer();
  }

  it('asks with the model active in the background, not one a page read, and start-up or the hourly check asks no second while it waits or once it ran', async () => {
    // Another tab made another model active since the import's page read one.
    await storeModel({ ...bundledManifest(), modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    await activateModel('trained-1');
    const answer = scoringAnsweredLater();
    const asked = leadsHandlers.scoreStoredLeads({ source: 'csv' }, sender);
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith('trained-1', 'csv'));

    await startStoredScoring();
    await refreshStaleScores(Date.now() + 48 * 3_600_000);
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
    await answer();
    expect(await asked).toEqual({ ok: true, scored: 2 });
    expect(await owedSourceScorings()).toEqual([]);
    await startStoredScoring();
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
  });

  it('asks nothing when start-up asked first (the page came late), nor once that run settled it', async () => {
    const answer = scoringAnsweredLater();
    const startUp = startStoredScoring();
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(bundledManifest().modelId, 'csv'));
    expect(await leadsHandlers.scoreStoredLeads({ source: 'csv' }, sender)).toEqual({ ok: true, scored: 0 });
    await answer();
    await startUp;
    expect(await leadsHandlers.scoreStoredLeads({ source: 'csv' }, sender)).toEqual({ ok: true, scored: 0 });
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
  });

  it('asks for an activation’s scoring of every lead that covers it, owed and not asked yet (its request lost), at once rather than at the next hourly check, and once', async () => {
    const active = await activeModelId();
    await oweScoringOfEveryLead(active);
    const answer = scoringAnsweredLater();
    const asked = leadsHandlers.scoreStoredLeads({ source: 'csv' }, sender);
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen.mock.calls).toEqual([[active]]));
    await startStoredScoring();
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
    await answer();
    expect(await asked).toEqual({ ok: true, scored: 2 });
    expect(await owedScoringModel()).toBeNull();
    expect(await owedSourceScorings()).toEqual([]);
  });
});

// A CRM page's badges score its CRM's stored leads' fields (`crm|id`), never stored scores: a list tab told would ask
// again for every row in view, reading from the CRM's API those LeadLens does not store, for nothing new.
it.each<[string, Parameters<typeof leadsHandlers.scoreStoredLeads>[0]]>([
  ['a CSV import’s scoring', { source: 'csv' }],
  ['Score them again', { modelId: 'm' }],
])('tells no CRM tab that its scores changed when asked for %s', async (_what, request) => {
  stubWebLocks();
  scoreStoredLeadsOffscreen.mockReset();
  scoreStoredLeadsOffscreen.mockResolvedValue({ ok: true, scored: 0 });
  sendToCrmTabs.mockClear();
  await db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' })]);
  await leadsHandlers.scoreStoredLeads(request, sender);
  expect(sendToCrmTabs).not.toHaveBeenCalled();
});

describe('Score them again, after a failed scoring of every lead', () => {
  beforeEach(async () => {
    stubWebLocks(); // requests are held while asked
    scoreStoredLeadsOffscreen.mockReset();
    await Promise.all(db.tables.map((table) => table.clear()));
    await db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' })]);
  });

  it('asks one scoring however many panels ask (a window each, or one reopened) while it waits for its turn', async () => {
    const modelId = await activeModelId();
    // The offscreen document holds the request: it waits behind another job.
    let answer!: () => void;
    scoreStoredLeadsOffscreen.mockImplementationOnce(() => new Promise((resolve) => (answer = () => resolve({ ok: true, scored: 1 }))));
    const first = leadsHandlers.scoreStoredLeads({ modelId }, sender);
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1));
    expect(await leadsHandlers.scoreStoredLeads({ modelId }, sender)).toMatchObject({ ok: true, scored: 0 });
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
    answer();
    expect(await first).toEqual({ ok: true, scored: 1 });
  });
});

function bundledManifest() {
  const bundled = bundledModel.manifest();
  if (!bundled.ok) throw new Error(bundled.error);
  return bundled.manifest;
}

it('explains the side panel’s lead with its tab, the one tab told when the panel’s score is kept for its badge', async () => {
  const lead = { crm: 'hubspot' as const, recordId: '1501', name: 'Ada Lovelace', fields: { jobtitle: 'CTO' } };
  rememberedLeadOf.mockResolvedValue({ lead, page: new URL('https://app.hubspot.com/contacts/4242424/record/0-1/1501') });
  explainInFull.mockResolvedValue({ ok: false, error: 'not scored here' });
  await leadsHandlers.openLead({ tabId: 7 }, sender);
  expect(rememberedLeadOf).toHaveBeenCalledWith(7);
  expect(explainInFull).toHaveBeenCalledWith(lead, 'Ada Lovelace', expect.anything(), 7);
});
