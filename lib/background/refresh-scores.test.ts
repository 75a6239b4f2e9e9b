import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { storedLead } from '../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../test/web-locks';
import { db, type LeadScore } from '../db/db';
import { oweScoringOfEveryLead, oweSourceScoring, readJob, RETRY_FAILED_SCORING_AFTER_MS, runJob, standingFailure, writeJob, type JobProgress } from '../jobs/progress';
import { holdingFullScoringRequest } from '../jobs/requests';
import { activeModelId } from '../ml/model-store';
import { REFRESH_SCORES_ALARM, refreshStaleScores, scheduleScoreRefresh, SCORES_STALE_AFTER_MS } from './refresh-scores';

const { scoreStoredLeadsOffscreen, retierStoredScoresOffscreen } = vi.hoisted(() => ({
  scoreStoredLeadsOffscreen: vi.fn(async () => ({ ok: true as const, scored: 2 })),
  retierStoredScoresOffscreen: vi.fn(async () => ({ ok: true as const, changed: 0 })),
}));
vi.mock('./offscreen-engine', async (importOriginal) => ({ ...(await importOriginal<typeof import('./offscreen-engine')>()), scoreStoredLeadsOffscreen, retierStoredScoresOffscreen }));
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

/** Whether the offscreen document is open: the faked `getContexts` lists it, `createDocument` opens it. */
let documentOpen = false;
const createDocument = vi.fn(async () => void (documentOpen = true));

const NOW = Date.UTC(2026, 11, 3, 9);
const HOUR = 3_600_000;
const score = (modelId: string, id: string, scoredAt: number): LeadScore => ({
  key: `${modelId}|csv|${id}`, modelId, leadKey: `csv|${id}`, probability: 0.2, score: 20, tier: 'cold', topReason: '', scoredAt,
});

beforeEach(async () => {
  vi.clearAllMocks();
  // Back to their own implementations, for tests that replaced them.
  scoreStoredLeadsOffscreen.mockReset();
  createDocument.mockReset();
  fakeBrowser.reset();
  documentOpen = false;
  fakeBrowser.runtime.getContexts = vi.fn(async () => (documentOpen ? [{}] : [])) as never;
  (fakeBrowser as unknown as { offscreen: unknown }).offscreen = { createDocument };
  stubWebLocks(); // the lock manager says which scorings the offscreen document was asked for
  await Promise.all(db.tables.map((table) => table.clear()));
  await db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' }), storedLead({ source: 'csv', id: '2', origin: 'csv' })]);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

it('scores the stored leads again once the oldest score of the active model is over a day old', async () => {
  const active = await activeModelId();
  // Another model's old scores do not count: only the active model's are shown.
  await db.leadScores.bulkPut([score(active, '1', NOW - 2 * HOUR), score(active, '2', NOW - 20 * HOUR), score('other', '1', NOW - 90 * 24 * HOUR)]);
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();

  // A sync scored one CRM's leads since: the oldest score decides.
  await db.leadScores.put(score(active, '2', NOW - SCORES_STALE_AFTER_MS - HOUR));
  expect(await refreshStaleScores(NOW)).toBe(true);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
});

it('asks for no scoring of every lead for leads stored with no score while no score is stale, nor reads them: a sync owes its CRM’s scoring and asks for it', async () => {
  const active = await activeModelId();
  await db.leadScores.put(score(active, '2', NOW - 2 * HOUR));
  // A synced lead the model reads, stored without a score (a sync's page, before the sync ends), and the last run one CRM's.
  await db.putLeads([storedLead({ source: 'salesforce', id: '00Q3', origin: 'sync', fields: { AnnualRevenue: 5_000_000 } })]);
  await writeJob('scoring', { modelId: active, state: 'done', done: 1, total: 1, startedAt: NOW - HOUR / 2, finishedAt: NOW - HOUR / 2, source: 'hubspot' });
  const bulkGet = vi.spyOn(db.leads, 'bulkGet');
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
  expect(bulkGet).not.toHaveBeenCalled();
  bulkGet.mockRestore();
});

it('asks for the scoring a sync owed whose request was lost (the browser closed while it waited for its turn), unless it scores every lead', async () => {
  const active = await activeModelId();
  await db.leadScores.bulkPut([score(active, '1', NOW - HOUR), score(active, '2', NOW - HOUR)]);
  // A stored score for its ask: the document's run is faked away, so nothing settles what is owed.
  await oweSourceScoring('hubspot');
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active, 'hubspot');
  // Scoring every lead (the scores are a day old) covers it: no one-CRM scoring is asked beside it.
  scoreStoredLeadsOffscreen.mockClear();
  expect(await refreshStaleScores(NOW + SCORES_STALE_AFTER_MS)).toBe(true);
  expect(scoreStoredLeadsOffscreen.mock.calls).toEqual([[active]]);
});

it('asks for the re-tiering a tier policy owed whose request was lost (the browser closed while it waited for its turn), also after a scoring it asked failed', async () => {
  const active = await activeModelId();
  await db.leadScores.bulkPut([score(active, '1', NOW - HOUR), score(active, '2', NOW - HOUR)]);
  await db.settings.put({ key: 'job:scoring:owed', value: { sources: {}, retier: { modelId: active, owedAt: Date.now() } } });
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(retierStoredScoresOffscreen).toHaveBeenCalledWith(active);
  // The faked document ran nothing: still owed. A scoring of every lead that fails covers none of it.
  retierStoredScoresOffscreen.mockClear();
  scoreStoredLeadsOffscreen.mockResolvedValueOnce({ ok: false, error: 'The engine could not start' } as never);
  await expect(refreshStaleScores(NOW + SCORES_STALE_AFTER_MS)).rejects.toThrow('The engine could not start');
  expect(retierStoredScoresOffscreen).toHaveBeenCalledWith(active);
});

it('leaves the scores to a scoring job that runs, and starts none without a score', async () => {
  expect(await refreshStaleScores(NOW)).toBe(false);
  const active = await activeModelId();
  await db.leadScores.put(score(active, '1', NOW - 3 * SCORES_STALE_AFTER_MS));
  await writeJob('scoring', { modelId: active, state: 'running', done: 0, total: 2, startedAt: NOW - HOUR });
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
});

it("tries again, hours later, a scoring of every lead that failed with the active model, though no score is stale or none was stored", async () => {
  const active = await activeModelId();
  const failed = (finishedAt: number, modelId = active) => writeJob('scoring', { modelId, state: 'failed', done: 2, total: 2, startedAt: finishedAt - HOUR, finishedAt, error: 'The engine stopped' });
  await failed(NOW - HOUR);
  expect(await refreshStaleScores(NOW)).toBe(false);
  await failed(NOW - RETRY_FAILED_SCORING_AFTER_MS, 'another-model');
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
  await failed(NOW - RETRY_FAILED_SCORING_AFTER_MS);
  expect(await refreshStaleScores(NOW)).toBe(true);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
  // Later runs of one CRM's leads (after each sync) keep the failure standing, and its time: it is still tried again.
  scoreStoredLeadsOffscreen.mockClear();
  await db.leadScores.put(score(active, '1', NOW - HOUR));
  const afterSync = (lastFailure: JobProgress['lastFailure']) =>
    writeJob('scoring', { modelId: active, state: 'done', done: 1, total: 1, startedAt: NOW - HOUR, finishedAt: NOW - HOUR, source: 'salesforce', lastFailure });
  await afterSync({ modelId: active, done: 2, total: 2, error: 'The engine stopped', finishedAt: NOW - 2 * HOUR });
  expect(await refreshStaleScores(NOW)).toBe(false);
  await afterSync({ modelId: active, done: 2, total: 2, error: 'The engine stopped', finishedAt: NOW - 7 * HOUR });
  expect(await refreshStaleScores(NOW)).toBe(true);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
});

it('tries again, hours later, a scoring of a CSV import’s leads that failed, though the import left no score to go stale and later one-CRM runs ended since', async () => {
  const active = await activeModelId();
  vi.useFakeTimers({ toFake: ['Date'], now: NOW - HOUR });
  await oweSourceScoring('csv'); // the import's commit; its page closed before it asked
  vi.setSystemTime(NOW);
  // The document's run fails: it records the failure, as the document does, and answers so.
  scoreStoredLeadsOffscreen.mockImplementation((async (modelId: string, source?: 'csv') => {
    await runJob('scoring', modelId, 2, () => Promise.reject(new Error('Model failed to load')), { source }).catch(() => undefined);
    return { ok: false, error: 'Model failed to load' };
  }) as never);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(scoreStoredLeadsOffscreen.mock.calls).toEqual([[active, 'csv']]);
  expect(await refreshStaleScores(NOW + HOUR)).toBe(false);
  vi.setSystemTime(NOW + 2 * HOUR);
  await runJob('scoring', active, 1, async () => 1, { source: 'hubspot' }); // a sync's
  expect(await refreshStaleScores(NOW + RETRY_FAILED_SCORING_AFTER_MS - 1)).toBe(false);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
  await expect(refreshStaleScores(NOW + RETRY_FAILED_SCORING_AFTER_MS)).rejects.toThrow('Model failed to load');
  expect(scoreStoredLeadsOffscreen.mock.calls).toEqual([[active, 'csv'], [active]]);
  warn.mockRestore();
});

it('scores the stored leads with the active model while its activation’s scoring is owed (its request lost before it began), though no score is stale or none was stored', async () => {
  const active = await activeModelId();
  // Owed with a model no longer active: the active one's scores are not what it owes.
  await oweScoringOfEveryLead('another-model');
  expect(await refreshStaleScores(NOW)).toBe(false);
  await oweScoringOfEveryLead(active);
  await writeJob('scoring', { modelId: active, state: 'running', done: 0, total: 2, startedAt: NOW - HOUR });
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
  await db.settings.clear();
  await oweScoringOfEveryLead(active);
  expect(await refreshStaleScores(NOW)).toBe(true);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
});

it('asks for no second scoring of every lead while one with the active model waits for its turn in the offscreen document (an activation’s, behind a re-tiering)', async () => {
  const active = await activeModelId();
  await oweScoringOfEveryLead(active);
  await db.leadScores.put(score(active, '1', NOW - 3 * SCORES_STALE_AFTER_MS));
  let endRequest!: () => void;
  const request = holdingFullScoringRequest(active, () => new Promise<void>((resolve) => (endRequest = resolve)));
  // One with another model does not stand for the active model's.
  void holdingFullScoringRequest('another-model', () => new Promise(() => undefined));
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
  // Once the request is over (its run ended, or failed), the leads' scores are what they are.
  endRequest();
  await request;
  expect(await refreshStaleScores(NOW)).toBe(true);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
});

it('leaves an owed scoring whose run over every lead failed to be tried again as failed runs are, hours later', async () => {
  const active = await activeModelId();
  await oweScoringOfEveryLead(active);
  await expect(runJob('scoring', active, 2, () => Promise.reject(new Error('The engine stopped')))).rejects.toThrow('The engine stopped');
  const failed = Date.now();
  expect(await refreshStaleScores(failed + HOUR)).toBe(false);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
  expect(await refreshStaleScores(failed + RETRY_FAILED_SCORING_AFTER_MS)).toBe(true);
});

it('tries an owed scoring whose request failed before the offscreen document had it again hours later, as failed runs are, not every hour', async () => {
  const active = await activeModelId();
  await oweScoringOfEveryLead(active);
  // The worker's own request, as it reaches the faked document: which cannot be opened.
  const engine = await vi.importActual<typeof import('./offscreen-engine')>('./offscreen-engine');
  scoreStoredLeadsOffscreen.mockImplementation(((modelId: string) => engine.scoreStoredLeadsOffscreen(modelId)) as never);
  createDocument.mockRejectedValue(new Error('Offscreen documents are not available'));
  vi.useFakeTimers({ toFake: ['Date'], now: NOW }); // when the failure is recorded
  await expect(refreshStaleScores(NOW)).rejects.toThrow('Offscreen documents are not available');
  expect(await refreshStaleScores(NOW + HOUR)).toBe(false);
  expect(createDocument).toHaveBeenCalledTimes(1);
  // Tried again, it fails again: the next try is hours after this failure, not after the first.
  vi.setSystemTime(NOW + RETRY_FAILED_SCORING_AFTER_MS);
  await expect(refreshStaleScores(NOW + RETRY_FAILED_SCORING_AFTER_MS)).rejects.toThrow('Offscreen documents are not available');
  expect(await refreshStaleScores(NOW + RETRY_FAILED_SCORING_AFTER_MS + HOUR)).toBe(false);
  expect(createDocument).toHaveBeenCalledTimes(2);
});

it('tries stale scores again hours after a scoring of every lead with the active model failed in the offscreen document, not every hour', async () => {
  const active = await activeModelId();
  await db.leadScores.bulkPut([score(active, '1', NOW - 3 * SCORES_STALE_AFTER_MS), score(active, '2', NOW - 3 * SCORES_STALE_AFTER_MS)]);
  // The document's run fails: it records the failure, as the document does, and answers so.
  scoreStoredLeadsOffscreen.mockImplementation((async (modelId: string) => {
    await runJob('scoring', modelId, 2, () => Promise.reject(new Error('The engine stopped'))).catch(() => undefined);
    return { ok: false, error: 'The engine stopped' };
  }) as never);
  vi.useFakeTimers({ toFake: ['Date'], now: NOW }); // when the failure is recorded
  await expect(refreshStaleScores(NOW)).rejects.toThrow('The engine stopped');
  expect(await refreshStaleScores(NOW + HOUR)).toBe(false);
  // A later one-CRM run (after a sync) keeps the failure standing, and its time.
  const failed = await readJob('scoring');
  await writeJob('scoring', { modelId: active, state: 'done', done: 1, total: 1, startedAt: NOW + HOUR, finishedAt: NOW + HOUR, source: 'salesforce', lastFailure: failed ? standingFailure(failed) : undefined });
  expect(await refreshStaleScores(NOW + RETRY_FAILED_SCORING_AFTER_MS - 1)).toBe(false);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
  await expect(refreshStaleScores(NOW + RETRY_FAILED_SCORING_AFTER_MS)).rejects.toThrow('The engine stopped');
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(2);
});

it('tries stale scores again hours after a request to score every lead failed before the offscreen document had it, not every hour', async () => {
  const active = await activeModelId();
  await db.leadScores.put(score(active, '1', NOW - 3 * SCORES_STALE_AFTER_MS));
  // The worker's own request, as it reaches the faked document: which cannot be opened.
  const engine = await vi.importActual<typeof import('./offscreen-engine')>('./offscreen-engine');
  scoreStoredLeadsOffscreen.mockImplementation(((modelId: string) => engine.scoreStoredLeadsOffscreen(modelId)) as never);
  createDocument.mockRejectedValue(new Error('Offscreen documents are not available'));
  vi.useFakeTimers({ toFake: ['Date'], now: NOW }); // when the failure is recorded
  await expect(refreshStaleScores(NOW)).rejects.toThrow('Offscreen documents are not available');
  expect(await refreshStaleScores(NOW + HOUR)).toBe(false);
  expect(createDocument).toHaveBeenCalledTimes(1);
  await expect(refreshStaleScores(NOW + RETRY_FAILED_SCORING_AFTER_MS)).rejects.toThrow('Offscreen documents are not available');
  expect(createDocument).toHaveBeenCalledTimes(2);
});

it('scores stale scores of the active model at once though a scoring of every lead with another model failed, or once one with it succeeded since its failure', async () => {
  const active = await activeModelId();
  await db.leadScores.put(score(active, '1', NOW - 3 * SCORES_STALE_AFTER_MS));
  await writeJob('scoring', { modelId: 'another-model', state: 'failed', done: 0, total: 2, startedAt: NOW - HOUR, finishedAt: NOW - HOUR, error: 'The engine stopped' });
  expect(await refreshStaleScores(NOW)).toBe(true);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
  scoreStoredLeadsOffscreen.mockClear();
  const lastFailure = { modelId: active, done: 0, total: 2, error: 'The engine stopped', finishedAt: NOW - 2 * HOUR };
  await writeJob('scoring', { modelId: active, state: 'done', done: 1, total: 1, startedAt: NOW - HOUR, finishedAt: NOW - HOUR, source: 'salesforce', lastFailure });
  expect(await refreshStaleScores(NOW)).toBe(false);
  // A run over every lead with it succeeded: its failure no longer stands.
  await writeJob('scoring', { modelId: active, state: 'done', done: 2, total: 2, startedAt: NOW - HOUR, finishedAt: NOW - HOUR });
  expect(await refreshStaleScores(NOW)).toBe(true);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
});

it('scores stale scores at once though a scoring of every lead with the active model failed, when an older LeadLens kept its failure without its end', async () => {
  const active = await activeModelId();
  await db.leadScores.bulkPut([score(active, '1', NOW - 3 * SCORES_STALE_AFTER_MS), score(active, '2', NOW - 3 * SCORES_STALE_AFTER_MS)]);
  // The row of a sync's one-CRM run an hour ago (each sync writes its own end), keeping a failure stored before failures carried their end.
  await writeJob('scoring', { modelId: active, state: 'done', done: 1, total: 1, startedAt: NOW - HOUR, finishedAt: NOW - HOUR, source: 'salesforce',
    lastFailure: { modelId: active, done: 1, total: 2, error: 'The engine stopped' } });
  expect(await refreshStaleScores(NOW)).toBe(true);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
});

it('opens the offscreen document again when a job says it runs there but it closed (it crashed), and only then', async () => {
  const active = await activeModelId();
  await db.leadScores.put(score(active, '1', NOW - 3 * SCORES_STALE_AFTER_MS));
  await writeJob('scoring', { modelId: active, state: 'running', done: 1, total: 2, startedAt: NOW - HOUR, resumeAfter: 'csv|1' });
  // The job goes on in the document opened again: no second scoring starts.
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(createDocument).toHaveBeenCalledTimes(1);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
  // Open, it runs the job already.
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(createDocument).toHaveBeenCalledTimes(1);
});

it('says why when the scoring fails', async () => {
  await db.leadScores.put(score(await activeModelId(), '1', NOW - 3 * SCORES_STALE_AFTER_MS));
  scoreStoredLeadsOffscreen.mockResolvedValueOnce({ ok: false, error: 'The engine ran out of memory' } as never);
  await expect(refreshStaleScores(NOW)).rejects.toThrow('The engine ran out of memory');
});

it('deletes the record pages’ cached scores once stale each hour, though no record page is opened and nothing is scored again', async () => {
  // A record page's cached score holds the record's fields; the admin's setting says how long it is fresh (a day by default).
  const cached = (id: string, scoredAt: number) => ({ key: `m|salesforce|${id}`, fieldsHash: 'h', lead: {} as never, fields: { Email: `${id}@example.org` }, scoredAt });
  await db.scores.bulkPut([cached('00QA', NOW - 25 * HOUR), cached('00QB', NOW - 2 * HOUR)]);
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['m|salesforce|00QB']);
});

it('looks every hour, from a minute after the worker starts, and keeps the alarm it set', async () => {
  await scheduleScoreRefresh();
  const alarm = await fakeBrowser.alarms.get(REFRESH_SCORES_ALARM);
  expect(alarm?.periodInMinutes).toBe(60);
  const create = vi.spyOn(fakeBrowser.alarms, 'create');
  await scheduleScoreRefresh();
  expect(create).not.toHaveBeenCalled();
});

/** How many requests `run` makes that read stored scores with their values (reasons included) from the leadScores table. */
async function scoreValueReads(run: () => Promise<unknown>): Promise<number> {
  const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
  const cursors = vi.spyOn(IDBObjectStore.prototype, 'openCursor');
  try {
    await run();
    return [...getAll.mock.contexts, ...cursors.mock.contexts].filter((store) => (store as IDBObjectStore).name === 'leadScores').length;
  } finally {
    getAll.mockRestore();
    cursors.mockRestore();
  }
}

it('tells the age of the oldest score from when the last scoring of every lead that ended done began, reading no score (every one was read each hour)', async () => {
  const active = await activeModelId();
  vi.useFakeTimers({ toFake: ['Date'], now: NOW - SCORES_STALE_AFTER_MS - HOUR });
  // That run scored both leads; one CRM's leads were scored again since (a sync's run): the full run's start decides.
  await runJob('scoring', active, 2, async () => db.leadScores.bulkPut([score(active, '1', Date.now() + 60_000), score(active, '2', Date.now() + 60_000)]));
  vi.setSystemTime(NOW - HOUR);
  await runJob('scoring', active, 1, async () => db.leadScores.put(score(active, '1', Date.now())), { source: 'csv' });
  vi.setSystemTime(NOW - 2 * HOUR);
  expect(await scoreValueReads(async () => expect(await refreshStaleScores(NOW - 2 * HOUR)).toBe(false))).toBe(0);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
  vi.setSystemTime(NOW);
  expect(await scoreValueReads(async () => expect(await refreshStaleScores(NOW)).toBe(true))).toBe(0);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
});

it('reads the scores for their age when the last scoring of every lead that ended done was of another model, or none is recorded (an older LeadLens)', async () => {
  const active = await activeModelId();
  await db.leadScores.bulkPut([score(active, '1', NOW - 2 * HOUR), score(active, '2', NOW - 20 * HOUR)]);
  vi.useFakeTimers({ toFake: ['Date'], now: NOW - 3 * SCORES_STALE_AFTER_MS });
  await runJob('scoring', 'another-model', 2, async () => 2);
  vi.setSystemTime(NOW);
  expect(await scoreValueReads(async () => expect(await refreshStaleScores(NOW)).toBe(false))).toBeGreaterThan(0);
  await db.leadScores.put(score(active, '2', NOW - SCORES_STALE_AFTER_MS - HOUR));
  expect(await refreshStaleScores(NOW)).toBe(true);
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(active);
});

it('finds no score to age when the active model has none, whatever its last scoring of every lead recorded (a purge deleted them since)', async () => {
  const active = await activeModelId();
  vi.useFakeTimers({ toFake: ['Date'], now: NOW - 3 * SCORES_STALE_AFTER_MS });
  await runJob('scoring', active, 2, async () => 2);
  vi.setSystemTime(NOW);
  expect(await refreshStaleScores(NOW)).toBe(false);
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
});
