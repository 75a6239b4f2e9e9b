/**
 * The offscreen document's messages, answered through the router as the background gets them.
 * `engineRun`: a model's NaN or ±Infinity for one lead comes back as null for that lead, and the
 * other leads of the run keep their numbers. `scoreStoredLeads`: what the background sees of a
 * request still waiting for its turn, and of one that fails before its first lead; a request
 * still waiting for its turn when "Purge everything" deletes the stored data does not run after it.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { storedLead } from '@/test/fixtures/stored-lead';
import { stubWebLocks } from '@/test/web-locks';
import { purgeEverything } from '@/lib/background/purge';
import { db } from '@/lib/db/db';
import { oweScoringOfEveryLead, owedScoringModel, readJob, runStoredScoresJob, standingFailure, STORED_SCORES_LOCK } from '@/lib/jobs/progress';
import { fullScoringRequested } from '@/lib/jobs/requests';
import type { EngineOutput } from '@/lib/ml/engine';
import { parseManifest } from '@/lib/ml/manifest';
import { manifestOf } from '@/lib/ml/model-store';
import { checkModelInWorker } from '@/lib/ml/check-in-worker';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
/** Three leads of two terms: the second gets no probability, the third no contribution for its second term. */
const engineOutput = vi.hoisted(
  (): EngineOutput => ({
    probability: Float32Array.of(0.25, Number.NaN, 0.5),
    contributions: Float32Array.of(0.5, -0.25, 1, 2, 0.75, Number.POSITIVE_INFINITY),
    terms: 2,
  }),
);
/** The document's engine (its worker and watchdog stand apart: engine-in-worker.test.ts). */
const engine = vi.hoisted(() => ({ run: vi.fn(async () => engineOutput), forget: vi.fn() }));
vi.mock('@/lib/ml/engine-in-worker', () => ({ engineWatchdog: () => engine }));
vi.mock('@/lib/ml/check-in-worker', () => ({ checkModelInWorker: vi.fn() }));
vi.mock('@/lib/ml/model-store', () => ({ activeManifest: vi.fn(), manifestOf: vi.fn(), modelBytes: vi.fn(async () => new Uint8Array()) }));

const fromBackground = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/background.js') };

/** Sends `type` through the registered router and resolves with its reply as sent. */
function ask(type: string, payload: unknown): Promise<unknown> {
  return new Promise((resolve) => void fakeBrowser.runtime.onMessage.trigger({ target: 'offscreen', type, payload }, fromBackground as never, resolve));
}
const engineRun = (payload: { modelId: string; rows: (number | null)[][] }) => ask('engineRun', payload);
/** Asked now, unless the test says when the background asked. */
const scoreStoredLeads = (payload: { modelId: string; source?: 'hubspot' | 'salesforce'; askedAt?: number }) => ask('scoreStoredLeads', { askedAt: Date.now(), ...payload });
const retierStoredScores = (payload: { modelId: string }) => ask('retierStoredScores', { askedAt: Date.now(), ...payload });

const UNREADABLE = 'The manifest of damaged-1 cannot be read';

beforeAll(async () => {
  stubWebLocks(); // the lock manager every context of the extension shares: jobs take turns under its locks
  await import('./main'); // no job to resume when the document starts
});
beforeEach(async () => {
  stubWebLocks(); // no turn left held by a test before
  vi.mocked(manifestOf).mockReset();
  vi.spyOn(console, 'error').mockImplementation(() => undefined); // the router logs a failed request
  await Promise.all(db.tables.map((table) => table.clear()));
});

it('drops the engine’s session of a model it checked, and any stall of that id, whether the check passed or not', async () => {
  vi.mocked(checkModelInWorker).mockResolvedValueOnce(undefined);
  expect(await ask('checkModel', { modelId: 'imported-1' })).toEqual({ ok: true });
  expect(engine.forget).toHaveBeenLastCalledWith('imported-1');
  vi.mocked(checkModelInWorker).mockRejectedValueOnce(new Error('The model returned probabilities outside 0–1'));
  expect(await ask('checkModel', { modelId: 'imported-2' })).toEqual({ ok: false, error: 'The model returned probabilities outside 0–1' });
  expect(engine.forget).toHaveBeenLastCalledWith('imported-2');
  expect(engine.forget).toHaveBeenCalledTimes(2);
});

it('answers a run in which the model gives one lead NaN or ±Infinity, with null for those values only', async () => {
  const reply = await engineRun({ modelId: 'imported', rows: [[1], [null], [3]] });
  expect(reply).toEqual({
    ok: true,
    probability: [0.25, null, 0.5],
    contributions: [
      [0.5, -0.25],
      [1, 2],
      [0.75, null],
    ],
  });
});

it('lets the background see a request to score every stored lead with a model from when it is asked, through its wait for another job’s turn, until it ends; not one of one CRM’s leads', async () => {
  vi.mocked(manifestOf).mockRejectedValue(new Error(UNREADABLE)); // each ends as soon as its turn comes
  let endOtherJob!: () => void;
  // A sync's scoring, or a re-tiering, has the turn.
  const otherJob = runStoredScoresJob(() => new Promise<null>((resolve) => (endOtherJob = () => resolve(null))), async () => null);
  const everyLead = scoreStoredLeads({ modelId: 'damaged-1' });
  const oneCrm = scoreStoredLeads({ modelId: 'synced-1', source: 'hubspot' });
  await vi.waitFor(async () => expect(await fullScoringRequested('damaged-1')).toBe(true));
  expect(await fullScoringRequested('synced-1')).toBe(false);
  expect(await readJob('scoring')).toBeNull(); // no row says it is coming
  endOtherJob();
  await Promise.all([otherJob, everyLead, oneCrm]);
  expect(await fullScoringRequested('damaged-1')).toBe(false);
});

it('records a scoring whose model cannot be read as a run failed before its first lead: a scoring owed with the model is settled, to be tried again hours later as failed runs are', async () => {
  vi.mocked(manifestOf).mockRejectedValue(new Error(UNREADABLE));
  await db.putLeads([storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync' }), storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  await oweScoringOfEveryLead('damaged-1');
  // One CRM's leads: its failure is told, and every lead is still owed a score.
  expect(await scoreStoredLeads({ modelId: 'damaged-1', source: 'hubspot' })).toEqual({ ok: false, error: UNREADABLE });
  expect(await readJob('scoring')).toMatchObject({ modelId: 'damaged-1', source: 'hubspot', state: 'failed', done: 0, total: 1, error: UNREADABLE });
  expect(await owedScoringModel()).toBe('damaged-1');
  // Every lead: the run over them failed, and stands so until one succeeds.
  expect(await scoreStoredLeads({ modelId: 'damaged-1' })).toEqual({ ok: false, error: UNREADABLE });
  const failed = await readJob('scoring');
  expect(failed).toMatchObject({ modelId: 'damaged-1', source: undefined, state: 'failed', done: 0, total: 2, error: UNREADABLE });
  expect(failed && standingFailure(failed)).toMatchObject({ modelId: 'damaged-1', total: 2, finishedAt: expect.any(Number) });
  expect(await owedScoringModel()).toBeNull();
});

it('does not run a scoring or re-tiering asked before "Purge everything" and still waiting for another job’s turn: nothing of it is written after the purge', async () => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  const { modelId } = parsed.manifest;
  vi.mocked(manifestOf).mockResolvedValue(parsed.manifest);
  fakeBrowser.permissions.getAll = vi.fn(async () => ({ permissions: [], origins: [] }));
  await db.putLeads([storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync' })]);
  let endOtherJob!: () => void;
  // A sync's scoring has the turn; the two requests wait for it.
  const otherJob = runStoredScoresJob(() => new Promise<number>((resolve) => (endOtherJob = () => resolve(0))), async () => null);
  const scoring = scoreStoredLeads({ modelId });
  const retier = retierStoredScores({ modelId });
  await vi.waitFor(async () => expect(await fullScoringRequested(modelId)).toBe(true));
  // The purge asks the job to stop, which ends with its batch; the purge then has the stored scores first.
  const purging = purgeEverything(5_000);
  await vi.waitFor(async () => expect((await navigator.locks.query()).pending?.some((lock) => lock.name === STORED_SCORES_LOCK)).toBe(true));
  endOtherJob();
  await Promise.all([otherJob, purging]);

  // Their turn came after the purge: they did nothing, and say so without a failure.
  expect(await scoring).toEqual({ ok: true, scored: 0 });
  expect(await retier).toEqual({ ok: true, changed: 0 });
  expect(await readJob('scoring')).toBeNull();
  expect(await readJob('retier')).toBeNull();
  expect(manifestOf).not.toHaveBeenCalled();

  // One asked after the purge runs.
  await new Promise((resolve) => setTimeout(resolve, 2));
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync', fields: { jobtitle: 'CEO' } })]);
  const terms = parsed.manifest.terms.length;
  engine.run.mockResolvedValueOnce({ probability: Float32Array.of(0.5), contributions: new Float32Array(terms) /* [1 * T] */, terms });
  expect(await scoreStoredLeads({ modelId })).toEqual({ ok: true, scored: 1 });
  expect(await readJob('scoring')).toMatchObject({ modelId, state: 'done', done: 1, total: 1 });
});
