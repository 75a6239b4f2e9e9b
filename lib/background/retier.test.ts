import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { oweRetier, oweScoringOfEveryLead, owedRetiers, runJob, writeJob } from '../jobs/progress';
import { holdingFullScoringRequest, holdingRetierRequest } from '../jobs/requests';
import { sendToCrmTabs } from '../messaging/events';
import { retierOwedScores, retierStoredScoresOwed } from './retier';
import { scoreCacheFor } from './score-cache';

const { retierStoredScoresOffscreen } = vi.hoisted(() => ({
  // As the offscreen document's run ends, for its row (the scores' tiers are retier.test.ts's under lib/ml).
  retierStoredScoresOffscreen: vi.fn(async (modelId: string) => ({ ok: true as const, changed: await runJob('retier', modelId, 0, async () => 0) })),
}));
vi.mock('./offscreen-engine', () => ({ retierStoredScoresOffscreen }));
vi.mock('../messaging/events', () => ({ sendToCrmTabs: vi.fn(async () => undefined) }));

/** A re-tiering of model-a owed at `owedAt` (a tier policy applied), its request lost with the browser. */
const owedAt = (at: number) => db.settings.put({ key: 'job:scoring:owed', value: { sources: {}, retier: { modelId: 'model-a', owedAt: at } } });
const later = () => new Promise((resolve) => setTimeout(resolve, 2)); // a run asked now begins after it was owed

beforeEach(async () => {
  retierStoredScoresOffscreen.mockClear();
  vi.mocked(sendToCrmTabs).mockClear();
  stubWebLocks();
  await Promise.all(db.tables.map((table) => table.clear()));
});
afterEach(() => vi.unstubAllGlobals());

it('records the re-tiering as owed before it asks the offscreen document for it, and the run asked settles it', async () => {
  retierStoredScoresOffscreen.mockImplementationOnce(async (modelId) => {
    expect(await owedRetiers()).toEqual([{ modelId, owedAt: expect.any(Number) }]);
    await later();
    return { ok: true, changed: await runJob('retier', modelId, 0, async () => 0) };
  });
  expect(await retierStoredScoresOwed('model-a')).toEqual({ ok: true, changed: 0 });
  expect(await owedRetiers()).toEqual([]);
});

it('asks again for a re-tiering owed whose request was lost, once: its run settles it', async () => {
  await owedAt(Date.now());
  await later();
  await retierOwedScores();
  expect(retierStoredScoresOffscreen.mock.calls).toEqual([['model-a']]);
  expect(await owedRetiers()).toEqual([]);
  await retierOwedScores();
  expect(retierStoredScoresOffscreen).toHaveBeenCalledTimes(1);
});

it('asks again for the re-tiering owed of each model whose policy was saved (the active one’s, then another’s before its run began), each settled by its own run', async () => {
  await oweRetier('model-a');
  await oweRetier('model-b'); // an import taking over a policy, or one set on a version not active
  expect((await owedRetiers()).map((owed) => owed.modelId)).toEqual(['model-a', 'model-b']);
  await later();
  await retierOwedScores(); // at start-up, the browser having closed before either ran
  expect(retierStoredScoresOffscreen.mock.calls.map(([modelId]) => modelId).sort()).toEqual(['model-a', 'model-b']);
  expect(await owedRetiers()).toEqual([]);
});

it('asks for the others when one model’s request fails, and keeps that one owed', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  await oweRetier('model-a');
  await oweRetier('model-b');
  await later();
  const asAlways = retierStoredScoresOffscreen.getMockImplementation()!;
  retierStoredScoresOffscreen.mockImplementation(async (modelId) => {
    if (modelId === 'model-a') throw new Error('The offscreen document could not be created');
    return await asAlways(modelId);
  });
  try {
    await retierOwedScores();
    expect(retierStoredScoresOffscreen).toHaveBeenCalledWith('model-b');
    expect(warn).toHaveBeenCalledWith('LeadLens: the stored scores of model-a could not be re-tiered:', expect.any(Error));
    expect(await owedRetiers()).toEqual([{ modelId: 'model-a', owedAt: expect.any(Number) }]);
  } finally {
    retierStoredScoresOffscreen.mockImplementation(asAlways);
    warn.mockRestore();
  }
});

it('drops the badges’ cached scores of the model first, read under the old tiers, and tells CRM tabs, as the page that owed it would have', async () => {
  const SAME_ORG = { account: 'acme.my.salesforce.com', connection: 'same-org', synced: true, purgesBefore: 0 } as const;
  const cached = (tier: 'hot' | 'cold') => ({ fieldsHash: 'h', lead: { tier } as never, scoredAt: 0 });
  // A record page cached this lead hot; another's read began before the policy was applied.
  await db.scores.bulkPut([{ key: 'model-a|salesforce|00Q1', ...cached('hot') }, { key: 'model-b|salesforce|00Q1', ...cached('hot') }]);
  const inFlight = scoreCacheFor(SAME_ORG);
  await owedAt(Date.now());
  await later();
  let tabsToldWhenAsked: unknown[][] = [];
  retierStoredScoresOffscreen.mockImplementationOnce(async (modelId) => {
    tabsToldWhenAsked = [...vi.mocked(sendToCrmTabs).mock.calls];
    return { ok: true, changed: await runJob('retier', modelId, 0, async () => 0) };
  });
  await retierOwedScores();
  expect(retierStoredScoresOffscreen).toHaveBeenCalledTimes(1);
  expect(tabsToldWhenAsked).toEqual([['scoresChanged', {}]]);
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['model-b|salesforce|00Q1']);
  await inFlight.put('model-a|salesforce|00Q2', cached('hot'));
  expect(await db.scores.get('model-a|salesforce|00Q2')).toBeUndefined();
});

it('asks none while its request waits for its turn (the offscreen document holds it: only the worker restarted), nor while a re-tiering of the model begun since runs', async () => {
  await owedAt(Date.now());
  let end!: () => void;
  const waiting = holdingRetierRequest('model-a', () => new Promise<void>((resolve) => (end = resolve)));
  await retierOwedScores();
  end();
  await waiting;
  await writeJob('retier', { modelId: 'model-a', state: 'running', done: 1, total: 2, startedAt: Date.now() + 1 });
  await retierOwedScores();
  expect(retierStoredScoresOffscreen).not.toHaveBeenCalled();
  // One begun before it was owed, resumed, goes on with the new tiers but left those before its cursor as they were.
  await writeJob('retier', { modelId: 'model-a', state: 'running', done: 1, total: 2, startedAt: Date.now() - 1_000 });
  await later();
  await retierOwedScores();
  expect(retierStoredScoresOffscreen.mock.calls).toEqual([['model-a']]);
});

it('leaves the badges alone while its request waits for its turn: the scores they cached since carry the new tiers', async () => {
  await owedAt(Date.now());
  let end!: () => void;
  const waiting = holdingRetierRequest('model-a', () => new Promise<void>((resolve) => (end = resolve)));
  // A record page scored since the policy was applied, then a start-up check and two hourly ones.
  await db.scores.put({ key: 'model-a|salesforce|00Q1', fieldsHash: 'h', lead: { tier: 'hot' } as never, scoredAt: Date.now() });
  for (let check = 0; check < 3; check++) await retierOwedScores();
  expect(retierStoredScoresOffscreen).not.toHaveBeenCalled();
  expect(sendToCrmTabs).not.toHaveBeenCalled();
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['model-a|salesforce|00Q1']);
  end();
  await waiting;
});

it('asks none while a scoring of every lead with the model is owed or asked and not begun, or runs begun since it was owed: it tiers every score as the policy is now', async () => {
  await owedAt(Date.now());
  await oweScoringOfEveryLead('model-a');
  await retierOwedScores();
  await oweScoringOfEveryLead('model-b');
  let end!: () => void;
  const asked = holdingFullScoringRequest('model-a', () => new Promise<void>((resolve) => (end = resolve)));
  await retierOwedScores();
  end();
  await asked;
  await writeJob('scoring', { modelId: 'model-a', state: 'running', done: 1, total: 2, startedAt: Date.now() + 1 });
  await retierOwedScores();
  expect(retierStoredScoresOffscreen).not.toHaveBeenCalled();
  // One of one CRM's leads, another model's, or begun before it was owed does not.
  for (const run of [{ modelId: 'model-a', source: 'hubspot' as const }, { modelId: 'model-b' }, { modelId: 'model-a', startedAt: Date.now() - 1_000 }]) {
    await owedAt(Date.now() - 500); // owed again: each run asked settles it
    await writeJob('scoring', { state: 'running', done: 1, total: 2, startedAt: Date.now() + 1, ...run });
    await retierOwedScores();
  }
  expect(retierStoredScoresOffscreen).toHaveBeenCalledTimes(3);
});

it('keeps it owed when asking fails (the offscreen document could not be opened): the next hourly check asks again', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  await owedAt(Date.now());
  retierStoredScoresOffscreen.mockRejectedValueOnce(new Error('The offscreen document could not be created'));
  await retierOwedScores();
  expect(warn).toHaveBeenCalledWith('LeadLens: the stored scores of model-a could not be re-tiered:', expect.any(Error));
  expect(await owedRetiers()).toEqual([{ modelId: 'model-a', owedAt: expect.any(Number) }]);
  warn.mockRestore();
});
