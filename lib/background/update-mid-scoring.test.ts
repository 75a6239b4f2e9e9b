/**
 * A scoring of every lead owed while a run of the same model over every lead, begun before, is left
 * unfinished (the browser closed mid-run): an update's scoring again (start-up), an activation of a
 * model under the same id. The run, resumed after its cursor, does not settle it: the leads it scored
 * before are owed a new score, and a run from the first lead is asked.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { bundledModelSession } from '../../test/bundled-model-session';
import { stubWebLocks } from '../../test/web-locks';
import { demoStoredLeads, replaceDemoLeads } from '../crm/demo-leads';
import { db, scoreKeyOf } from '../db/db';
import { lastFullScoringStart, owedScoringModel, readJob, writeJob } from '../jobs/progress';
import { resumeUnfinishedScoringJob, runScoringJob } from '../ml/bulk-score';
import { activeModelId } from '../ml/model-store';
import { scoreOwedLeads, startStoredScoring, switchActiveModel } from './activate-model';
import { SCORED_BY_VERSION_KEY } from './scored-by-version';
import { scoreAgainAfterUpdate } from './start-up';

const { scoreStoredLeadsOffscreen } = vi.hoisted(() => ({ scoreStoredLeadsOffscreen: vi.fn(async () => ({ ok: true as const, scored: 0 })) }));
vi.mock('./offscreen-engine', async (importOriginal) => ({ ...(await importOriginal<typeof import('./offscreen-engine')>()), scoreStoredLeadsOffscreen, resumeOffscreenJobs: vi.fn() }));
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const { manifest, runModel } = bundledModelSession();
const now = new Date('2026-11-20T00:00:00Z');
const deps = async () => ({ manifest, runModel, now });
/** When the run left unfinished began: before the scoring owed. */
const EARLIER_RUN_STARTED_AT = 1_000;

let keys: string[];

beforeEach(async () => {
  fakeBrowser.reset();
  vi.clearAllMocks();
  stubWebLocks();
  await Promise.all(db.tables.map((table) => table.clear()));
  const leads = demoStoredLeads(now, 20);
  await replaceDemoLeads(leads);
  keys = leads.map((lead) => lead.key).sort();
  // A run over every lead scored the first 10 (a marked score) and was stopped: the browser closed.
  await db.leadScores.bulkPut(
    keys.slice(0, 10).map((leadKey) => ({
      key: scoreKeyOf(manifest.modelId, leadKey),
      modelId: manifest.modelId,
      leadKey,
      probability: 0.123456,
      score: 12,
      tier: 'cold' as const,
      topReason: 'earlier run',
      scoredAt: EARLIER_RUN_STARTED_AT,
    })),
  );
  await db.owedLeadScores.clear();
  await writeJob('scoring', { modelId: manifest.modelId, state: 'running', done: 10, total: 20, startedAt: EARLIER_RUN_STARTED_AT, resumeAfter: keys[9] });
});
afterEach(() => vi.unstubAllGlobals());

const scoresOfEarlierRun = async () =>
  (await db.leadScores.bulkGet(keys.map((key) => scoreKeyOf(manifest.modelId, key)))).filter((score) => score?.topReason === 'earlier run').length;

/** The offscreen document, opened again: it resumes the run left unfinished, then runs the scoring of every lead asked of it. */
async function offscreenDocumentRuns() {
  await resumeUnfinishedScoringJob(deps);
  expect(await owedScoringModel()).toBe(manifest.modelId);
  expect(await readJob('scoring')).toMatchObject({ state: 'done', startedAt: EARLIER_RUN_STARTED_AT });
  await runScoringJob(await deps());
}

it('after an update, a run over every lead left unfinished by the version before settles nothing: start-up asks a run from the first lead', async () => {
  expect(await activeModelId()).toBe(manifest.modelId);
  await db.settings.put({ key: SCORED_BY_VERSION_KEY, value: '1.0.0' });
  await startStoredScoring(() => scoreAgainAfterUpdate('2.0.0'));
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledExactlyOnceWith(manifest.modelId);

  await offscreenDocumentRuns();
  expect(await scoresOfEarlierRun()).toBe(0);
  expect(await owedScoringModel()).toBeNull();
  expect(await lastFullScoringStart(manifest.modelId)).toBeGreaterThan(EARLIER_RUN_STARTED_AT);
});

it('a model activated under the id of a run over every lead left unfinished is owed a scoring that run does not settle', async () => {
  const switched = await switchActiveModel(async () => manifest.modelId);
  expect(switched).toMatchObject({ ok: true, modelId: manifest.modelId });
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledExactlyOnceWith(manifest.modelId);
  // Its request lost (the document closed before its turn came): the check asks it again, the earlier run still unfinished.
  expect(await scoreOwedLeads()).toEqual({ ok: true, scored: 0 });
  expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(2);

  await offscreenDocumentRuns();
  expect(await scoresOfEarlierRun()).toBe(0);
  expect(await owedScoringModel()).toBeNull();
});

it('a scoring of every lead owed as an older LeadLens stored it (no time) is covered by a run of its model left unfinished, as then', async () => {
  await db.settings.put({ key: 'job:scoring:owed', value: { everyLead: manifest.modelId, sources: {}, retiers: [] } });
  expect(await scoreOwedLeads()).toBeNull();
  expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
  await resumeUnfinishedScoringJob(deps);
  expect(await owedScoringModel()).toBeNull();
  // With nothing left running, it is asked.
  await db.settings.put({ key: 'job:scoring:owed', value: manifest.modelId });
  expect(await scoreOwedLeads()).toEqual({ ok: true, scored: 0 });
});
