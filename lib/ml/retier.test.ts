import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { db } from '../db/db';
import { readJob, runStoredScoresJob, STORED_SCORES_LOCK, writeJob } from '../jobs/progress';
import { stubWebLocks } from '../../test/web-locks';
import type { Manifest } from './manifest';
import { clearCachedScores, resumeUnfinishedRetierJob, retierStoredScores, runRetierJob } from './retier';
import { percentileScore, type ScoreScale } from './score';

// 99 cut points 0.01, 0.02, … 0.99: the percentile of p is about 100·p.
const PERCENTILES = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
const scaleOf = (tiers: ScoreScale['tiers']): ScoreScale => ({ reference: { probabilityPercentiles: PERCENTILES }, tiers });

/** A stored score, cold with its percentile score as every lead is under a policy with no hot or warm lead. */
const score = (modelId: string, i: number, probability: number) => ({
  key: `${modelId}|salesforce|${i}`, modelId, leadKey: `salesforce|${i}`, probability, score: percentileScore(probability, PERCENTILES), tier: 'cold' as const, topReason: '', scoredAt: 0,
});

beforeEach(async () => {
  stubWebLocks(); // a job's progress report asks the lock manager whether a purge waits
  await Promise.all([db.leadScores.clear(), db.scores.clear(), db.settings.clear(), db.models.clear()]);
  // A job resumes only for a model that is still there (only its id matters here).
  await db.models.put({ id: 'm', origin: 'trained', manifest: {} as Manifest, onnx: new Uint8Array(), addedAt: 0 });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

it('re-tiers only the given model’s scores from their stored probabilities, in chunks with progress', async () => {
  await db.leadScores.bulkPut([...Array.from({ length: 7 }, (_, i) => score('m', i, i / 10)), score('other', 0, 0.9)]);
  const reports: number[] = [];
  const changed = await retierStoredScores('m', scaleOf({ hot: 0.5, warm: 0.3 }), async (done) => void reports.push(done), 3);
  expect(reports).toEqual([3, 6, 7]);
  expect(changed).toBe(4); // 0.3, 0.4 → warm; 0.5, 0.6 → hot
  const tiers = (await db.leadScores.where('modelId').equals('m').sortBy('probability')).map((s) => s.tier);
  expect(tiers).toEqual(['cold', 'cold', 'cold', 'warm', 'warm', 'hot', 'hot']);
  expect((await db.leadScores.get('other|salesforce|0'))?.tier).toBe('cold');
});

it('gives a re-tiered lead the top reason of its new tier', async () => {
  const reasons = { reasonUp: 'Title seniority: VP', reasonDown: 'Country: Spain' };
  await db.leadScores.bulkPut([
    { ...score('m', 0, 0.6), ...reasons, tier: 'hot', topReason: 'Title seniority: VP' },
    { ...score('m', 1, 0.1), ...reasons, tier: 'warm', topReason: 'Title seniority: VP' },
    { ...score('m', 2, 0.1), tier: 'warm', topReason: 'Title seniority: VP' }, // scored before both were kept
  ]);
  await retierStoredScores('m', scaleOf({ hot: 0.5, warm: 0.3 }), async () => undefined);
  const byKey = Object.fromEntries((await db.leadScores.toArray()).map((s) => [s.leadKey, [s.tier, s.topReason]]));
  expect(byKey).toEqual({
    'salesforce|0': ['hot', 'Title seniority: VP'],
    'salesforce|1': ['cold', 'Country: Spain'],
    'salesforce|2': ['cold', 'Title seniority: VP'],
  });
});

it('gives each re-tiered score the score of its new tier, also a lead whose tier stays: a threshold moved into its percentile puts it one under the leads over it', async () => {
  // Warm from 0.5, hot from 0.95: every lead of the 90th percentile warm, scoring 90.
  const before = scaleOf({ hot: 0.95, warm: 0.5 });
  await db.leadScores.bulkPut(
    [0.6, 0.903, 0.905, 0.96].map((probability, i) => ({ ...score('m', i, probability), tier: probability >= before.tiers.hot ? ('hot' as const) : ('warm' as const) })),
  );
  // Hot from within the 90th percentile: the warm lead under it no longer scores as the hot one at it.
  const changed = await retierStoredScores('m', scaleOf({ hot: 0.905, warm: 0.5 }), async () => undefined);
  expect(changed).toBe(1);
  expect((await db.leadScores.where('modelId').equals('m').sortBy('probability')).map((s) => [s.probability, s.score, s.tier])).toEqual([
    [0.6, 60, 'warm'],
    [0.903, 89, 'warm'],
    [0.905, 90, 'hot'],
    [0.96, 96, 'hot'],
  ]);
});

it('drops the cached record-page scores of that model only', async () => {
  await db.scores.bulkPut(['m|salesforce|1', 'm|hubspot|2', 'mx|salesforce|1'].map((key) => ({ key, fieldsHash: '', lead: {} as never, scoredAt: 0 })));
  await clearCachedScores('m');
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['mx|salesforce|1']);
});

it('runs as the retier job, and a run cut short runs again with the model’s thresholds as they are now', async () => {
  await db.leadScores.bulkPut(Array.from({ length: 7 }, (_, i) => score('m', i, i / 10)));
  expect(await runRetierJob('m', scaleOf({ hot: 0.5, warm: 0.3 }), 3)).toBe(4);
  expect(await readJob('retier')).toMatchObject({ modelId: 'm', state: 'done', done: 7, total: 7 });
  expect(await resumeUnfinishedRetierJob(async () => scaleOf({ hot: 0.9, warm: 0.8 }))).toBeNull(); // nothing unfinished

  // The offscreen document closed mid-run under a new policy: its row still says running.
  await writeJob('retier', { modelId: 'm', state: 'running', done: 3, total: 7, startedAt: 1 });
  const asked: string[] = [];
  const changed = await resumeUnfinishedRetierJob(async (modelId) => (asked.push(modelId), scaleOf({ hot: 0.65, warm: 0.45 })), 3);
  expect(asked).toEqual(['m']);
  expect(changed).toBe(4); // 0.3, 0.4 warm → cold; 0.5, 0.6 hot → warm
  expect((await db.leadScores.where('modelId').equals('m').sortBy('probability')).map((s) => s.tier)).toEqual(['cold', 'cold', 'cold', 'cold', 'cold', 'warm', 'warm']);
  expect(await readJob('retier')).toMatchObject({ state: 'done', done: 7 });
});

it('paused by a purge, keeps its row running and runs again once the purge is done', async () => {
  await db.leadScores.bulkPut(Array.from({ length: 7 }, (_, i) => score('m', i, i / 10)));
  const tiersOf = async () => (await db.leadScores.where('modelId').equals('m').sortBy('probability')).map((s) => s.tier);
  // A purge asks to stop while the first chunk is written: it waits for the stored scores' lock.
  let purged: Promise<unknown> | undefined;
  const bulkPut = db.leadScores.bulkPut.bind(db.leadScores);
  vi.spyOn(db.leadScores, 'bulkPut').mockImplementation((...args: Parameters<typeof bulkPut>) => {
    purged ??= navigator.locks.request(STORED_SCORES_LOCK, async () => ({ job: await readJob('retier'), tiers: await tiersOf() }));
    return bulkPut(...args);
  });
  const scale = scaleOf({ hot: 0.5, warm: 0.3 });

  const changed = await runStoredScoresJob(
    () => runRetierJob('m', scale, 3),
    () => resumeUnfinishedRetierJob(async () => scale, 3),
  );
  expect(await purged).toEqual({ job: expect.objectContaining({ state: 'running', done: 3, total: 7 }), tiers: Array(7).fill('cold') });
  expect(changed).toBe(4);
  expect(await tiersOf()).toEqual(['cold', 'cold', 'cold', 'warm', 'warm', 'hot', 'hot']);
  expect(await readJob('retier')).toMatchObject({ state: 'done', done: 7 });
});

it('paused after changing tiers, continues after its last chunk and counts every change', async () => {
  // Highest probabilities first in key order: the first chunk is where the tiers change.
  await db.leadScores.bulkPut(Array.from({ length: 7 }, (_, i) => score('m', i, (6 - i) / 10)));
  let purged: Promise<unknown> | undefined;
  const chunks: string[][] = [];
  const bulkPut = db.leadScores.bulkPut.bind(db.leadScores);
  vi.spyOn(db.leadScores, 'bulkPut').mockImplementation((...args: Parameters<typeof bulkPut>) => {
    chunks.push(args[0].map((s) => s.leadKey));
    purged ??= navigator.locks.request(STORED_SCORES_LOCK, () => readJob('retier'));
    return bulkPut(...args);
  });
  const scale = scaleOf({ hot: 0.5, warm: 0.3 });

  const changed = await runStoredScoresJob(
    () => runRetierJob('m', scale, 3),
    () => resumeUnfinishedRetierJob(async () => scale, 3),
  );
  expect(await purged).toMatchObject({ state: 'running', done: 3, changed: 3, resumeAfter: 'm|salesforce|2' });
  expect(changed).toBe(4); // 0.6, 0.5 → hot; 0.4, 0.3 → warm
  // No chunk re-tiered twice: the run went on after salesforce|2.
  expect(chunks).toEqual([['salesforce|0', 'salesforce|1', 'salesforce|2'], ['salesforce|3'], []]);
  expect(await readJob('retier')).toMatchObject({ state: 'done', done: 7, total: 7 });
});

it('does not continue an unfinished re-tiering of a deleted model: it is recorded as failed', async () => {
  await db.leadScores.bulkPut(Array.from({ length: 7 }, (_, i) => score('gone', i, i / 10)));
  await writeJob('retier', { modelId: 'gone', state: 'running', done: 3, total: 7, startedAt: 1, resumeAfter: 'gone|salesforce|2' });
  const asked: string[] = [];
  await expect(resumeUnfinishedRetierJob(async (modelId) => (asked.push(modelId), scaleOf({ hot: 0.5, warm: 0.3 })), 3)).rejects.toThrow('Model gone was deleted');
  expect(asked).toEqual([]);
  expect(await readJob('retier')).toMatchObject({ modelId: 'gone', state: 'failed', error: 'Model gone was deleted' });
  expect((await db.leadScores.toArray()).every((s) => s.tier === 'cold')).toBe(true);
});
