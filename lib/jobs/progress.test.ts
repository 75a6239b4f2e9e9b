import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import {
  lastFullScoringStart,
  oweRetier,
  oweScoringOfEveryLead,
  owedRetiers,
  owedScoringModel,
  owedSourceScorings,
  oweSourceScoring,
  purgedSince,
  readJob,
  recordPurge,
  resumeUnfinishedJob,
  runJob,
  runStoredScoresJob,
  ScoringSuperseded,
  settleOwedScoring,
  standingFailure,
  writeJob,
} from './progress';
import { holdingRetierRequest, requestRetierOf } from './requests';

beforeEach(() => Promise.all(db.tables.map((table) => table.clear())));

it('settles the scoring owed with a model when its run over every lead, left running, cannot even be taken up again: it ends failed, tried again as failed runs are, not at every start', async () => {
  await oweScoringOfEveryLead('damaged-1');
  await writeJob('scoring', { modelId: 'damaged-1', state: 'running', done: 1, total: 2, startedAt: Date.now(), resumeAfter: 'csv|1' });
  await expect(resumeUnfinishedJob('scoring', () => Promise.reject(new Error('The manifest of damaged-1 cannot be read')))).rejects.toThrow('cannot be read');
  expect(await readJob('scoring')).toMatchObject({ modelId: 'damaged-1', state: 'failed', done: 1, total: 2, error: 'The manifest of damaged-1 cannot be read' });
  expect(await owedScoringModel()).toBeNull();
});

it('leaves a scoring of every lead owed when the run that cannot be taken up again covered one CRM’s leads', async () => {
  await oweScoringOfEveryLead('damaged-1');
  await writeJob('scoring', { modelId: 'damaged-1', state: 'running', done: 0, total: 1, startedAt: 1, source: 'hubspot' });
  await expect(resumeUnfinishedJob('scoring', () => Promise.reject(new Error('unreadable')))).rejects.toThrow('unreadable');
  expect(await owedScoringModel()).toBe('damaged-1');
});

it('settles the scoring of every lead owed by the end of a run of its model over every lead begun since it was owed (the same millisecond counts), not by one begun before', async () => {
  vi.useFakeTimers({ toFake: ['Date'], now: 1_000 });
  try {
    stubWebLocks();
    await oweScoringOfEveryLead('model-a');
    const ended = async (startedAt: number) => {
      await writeJob('scoring', { modelId: 'model-a', state: 'running', done: 1, total: 2, startedAt, resumeAfter: 'csv|1' });
      await resumeUnfinishedJob('scoring', async () => ({ remaining: 1, work: async () => 1 }));
    };
    await ended(999); // left running when an update or an activation under its id owed a new score: it may have passed leads
    expect(await owedScoringModel()).toBe('model-a');
    await ended(1_000);
    expect(await owedScoringModel()).toBeNull();
  } finally {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  }
});

describe('a scoring of every stored lead with a model made inactive since', () => {
  beforeEach(() => stubWebLocks());
  afterEach(() => vi.unstubAllGlobals());

  /** A scoring run over every lead with `modelId` in its turn, as the offscreen document runs one: `batches` reports, each after `between`. */
  const scoringInItsTurn = (modelId: string, batches: number, between: () => Promise<void> = async () => undefined) => {
    const batchesRun: number[] = [];
    const run = runStoredScoresJob(
      () =>
        runJob('scoring', modelId, batches, async (report) => {
          for (let batch = 1; batch <= batches; batch++) {
            await between();
            batchesRun.push(batch);
            await report(batch, `csv|${batch}`);
          }
          return batches;
        }),
      async () => null,
    );
    return { run, batchesRun };
  };

  it('is dropped while it waits for its turn when another model’s is owed (that model was activated): the other model’s runs next', async () => {
    let endRetier!: () => void;
    const retier = runStoredScoresJob(() => new Promise<void>((resolve) => (endRetier = resolve)), async () => null);
    const old = scoringInItsTurn('model-a', 2);
    await oweScoringOfEveryLead('model-b');
    const owed = scoringInItsTurn('model-b', 2);
    endRetier();
    await retier;
    await expect(old.run).rejects.toBeInstanceOf(ScoringSuperseded);
    expect(old.batchesRun).toEqual([]);
    expect(await owed.run).toBe(2);
    expect(await readJob('scoring')).toMatchObject({ modelId: 'model-b', state: 'done', done: 2 });
    expect(await owedScoringModel()).toBeNull();
  });

  it('stops after its current batch while it runs, recorded as a failed run of its model, and leaves one-CRM runs and runs of the owed model alone', async () => {
    let activated!: () => void;
    const activation = new Promise<void>((resolve) => (activated = resolve));
    let firstBatchBegun!: () => void;
    const firstBatch = new Promise<void>((resolve) => (firstBatchBegun = resolve));
    let batch = 0;
    // The admin activates model-b while model-a's first batch runs.
    const old = scoringInItsTurn('model-a', 3, async () => {
      if (++batch > 1) return;
      firstBatchBegun();
      await activation;
    });
    await firstBatch;
    await oweScoringOfEveryLead('model-b');
    activated();
    await expect(old.run).rejects.toBeInstanceOf(ScoringSuperseded);
    expect(old.batchesRun).toEqual([1]);
    expect(await readJob('scoring')).toMatchObject({ modelId: 'model-a', state: 'failed', done: 1, total: 3 });
    expect(await owedScoringModel()).toBe('model-b');

    // A sync's run of one CRM's leads with model-a is not what the activation owes: it goes on.
    const oneCrm = await runStoredScoresJob(() => runJob('scoring', 'model-a', 1, async (report) => (await report(1, 'hubspot|1'), 1), { source: 'hubspot' }), async () => null);
    expect(oneCrm).toBe(1);
    expect(await scoringInItsTurn('model-b', 2).run).toBe(2);
  });
});

it('settles a CRM’s owed scoring by the end of a run over its leads or every lead begun after it was owed, not by one begun before or over another CRM’s (nor the scoring of every lead owed); reads a scoring of every lead owed as an older LeadLens stored it', async () => {
  await db.settings.put({ key: 'job:scoring:owed', value: 'model-a' });
  expect(await owedScoringModel()).toBe('model-a');
  vi.useFakeTimers({ toFake: ['Date'], now: 1_000 });
  try {
    stubWebLocks();
    await oweSourceScoring('salesforce');
    const ended = async (startedAt: number, source?: 'salesforce' | 'hubspot', modelId = 'model-b') => {
      vi.setSystemTime(startedAt);
      await runJob('scoring', modelId, 0, async () => 0, { source });
    };
    await ended(999, 'salesforce'); // begun before the sync owed it: its leads may be behind its cursor
    await ended(1_001, 'hubspot');
    expect(await owedSourceScorings()).toEqual([{ source: 'salesforce', owedAt: 1_000 }]);
    await ended(1_001, 'salesforce');
    expect(await owedSourceScorings()).toEqual([]);
    // The scoring of every lead owed with model-a stays: those runs were of one CRM.
    expect(await owedScoringModel()).toBe('model-a');
    await oweSourceScoring('hubspot');
    await ended(1_002, undefined, 'model-a'); // over every lead
    expect(await owedSourceScorings()).toEqual([]);
    expect(await owedScoringModel()).toBeNull();
  } finally {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  }
});

describe('a re-tiering owed (a tier policy applied)', () => {
  const owedRow = async () => (await db.settings.get('job:scoring:owed'))?.value;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000 });
    stubWebLocks();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  /** A run of job `kind` with `modelId` begun at `startedAt` that ends done, or failed with `failure`. */
  const ended = async (kind: 'scoring' | 'retier', startedAt: number, { modelId = 'model-a', source, failure }: { modelId?: string; source?: 'hubspot'; failure?: Error } = {}) => {
    vi.setSystemTime(startedAt);
    await runJob(kind, modelId, 0, async () => {
      if (failure) throw failure;
      return 0;
    }, { source }).catch(() => undefined);
  };

  it('is recorded before its request is sent, beside what else is owed as an older LeadLens stored it, and kept when that is settled', async () => {
    await db.settings.put({ key: 'job:scoring:owed', value: { everyLead: 'model-a', sources: { hubspot: 5 } } });
    let owedWhenAsked: unknown;
    await requestRetierOf('model-a', async () => (owedWhenAsked = await owedRetiers()), { owe: true });
    expect(owedWhenAsked).toEqual([{ modelId: 'model-a', owedAt: 1_000 }]);
    expect(await owedRow()).toEqual({ everyLead: 'model-a', sources: { hubspot: 5 }, retiers: [{ modelId: 'model-a', owedAt: 1_000 }] });
    await settleOwedScoring('model-a');
    expect(await owedScoringModel()).toBeNull();
    expect(await owedRetiers()).toEqual([{ modelId: 'model-a', owedAt: 1_000 }]);
  });

  it('is settled by the end of a re-tiering of its model begun after it was owed, done or failed, not by one begun before or of another model', async () => {
    await requestRetierOf('model-a', async () => null, { owe: true });
    await ended('retier', 999); // its tiers read before the policy was applied
    await ended('retier', 1_001, { modelId: 'model-b' });
    expect(await owedRetiers()).toEqual([{ modelId: 'model-a', owedAt: 1_000 }]);
    await ended('retier', 1_001, { failure: new Error('Model model-a is not installed') });
    expect(await owedRetiers()).toEqual([]);
    expect(await owedRow()).toBeUndefined();
    await requestRetierOf('model-a', async () => null, { owe: true });
    await ended('retier', 1_002);
    expect(await owedRetiers()).toEqual([]);
  });

  it('is settled by a scoring of every lead with its model begun after it was owed that is done (it wrote every score with the tiers as they were then), not by a failed one, a one-CRM one or one begun before', async () => {
    await requestRetierOf('model-a', async () => null, { owe: true });
    await ended('scoring', 999);
    await ended('scoring', 1_001, { source: 'hubspot' });
    await ended('scoring', 1_001, { failure: new Error('The engine ran out of memory') });
    await ended('scoring', 1_001, { modelId: 'model-b' });
    expect(await owedRetiers()).toEqual([{ modelId: 'model-a', owedAt: 1_000 }]);
    await ended('scoring', 1_001);
    expect(await owedRetiers()).toEqual([]);
  });

  it('is owed one per model: a policy saved for another model before its run keeps it owed, and a run of one model settles its own only', async () => {
    await oweRetier('model-a');
    vi.setSystemTime(1_001);
    await oweRetier('model-b'); // another model's tiers saved (an import taking over a policy, one set on a version not active)
    expect(await owedRetiers()).toEqual([{ modelId: 'model-a', owedAt: 1_000 }, { modelId: 'model-b', owedAt: 1_001 }]);
    vi.setSystemTime(1_002);
    await oweRetier('model-a'); // applied to model-a again: in place of its own owed before
    expect(await owedRetiers()).toEqual([{ modelId: 'model-b', owedAt: 1_001 }, { modelId: 'model-a', owedAt: 1_002 }]);
    await ended('retier', 1_003);
    expect(await owedRetiers()).toEqual([{ modelId: 'model-b', owedAt: 1_001 }]);
    await ended('scoring', 1_004, { modelId: 'model-b' });
    expect(await owedRetiers()).toEqual([]);
  });

  it('reads one owed as the LeadLens before stored it (at most one, in `retier`), and owes another model’s beside it', async () => {
    await db.settings.put({ key: 'job:scoring:owed', value: { sources: { hubspot: 5 }, retier: { modelId: 'model-a', owedAt: 500 } } });
    expect(await owedRetiers()).toEqual([{ modelId: 'model-a', owedAt: 500 }]);
    await oweRetier('model-b');
    expect(await owedRow()).toEqual({ sources: { hubspot: 5 }, retiers: [{ modelId: 'model-a', owedAt: 500 }, { modelId: 'model-b', owedAt: 1_000 }] });
    await ended('retier', 1_001, { modelId: 'model-b' });
    expect(await owedRetiers()).toEqual([{ modelId: 'model-a', owedAt: 500 }]);
  });

  it('is asked once while its request is held: start-up and the hourly check ask no second one', async () => {
    let answer!: (changed: number) => void;
    const asked = requestRetierOf('model-a', () => new Promise<number>((resolve) => (answer = resolve)), { owe: true });
    await vi.waitFor(async () => expect(await owedRetiers()).not.toEqual([]));
    const again = vi.fn(async () => 0);
    expect(await requestRetierOf('model-a', again, { unlessRequested: true })).toBeNull();
    // The offscreen document's own lock, held while the request waits for its turn, says so too.
    answer(3);
    expect(await asked).toBe(3);
    let release!: () => void;
    const heldByDocument = holdingRetierRequest('model-a', () => new Promise<void>((resolve) => (release = resolve)));
    expect(await requestRetierOf('model-a', again, { unlessRequested: true })).toBeNull();
    expect(await requestRetierOf('model-b', again, { unlessRequested: true })).toBe(0);
    release();
    await heldByDocument;
    expect(await requestRetierOf('model-a', again, { unlessRequested: true })).toBe(0);
    expect(again).toHaveBeenCalledTimes(2);
  });
});

it('keeps no failure of a scoring of every lead stopped because another model was made active: its rows, and the next runs’, say none stands', async () => {
  stubWebLocks();
  try {
    let activated!: () => void;
    const activation = new Promise<void>((resolve) => (activated = resolve));
    const old = runStoredScoresJob(
      () =>
        runJob('scoring', 'model-a', 3, async (report) => {
          await activation;
          await report(1, 'csv|1');
          return 3;
        }),
      async () => null,
    );
    await oweScoringOfEveryLead('model-b');
    activated();
    await expect(old).rejects.toBeInstanceOf(ScoringSuperseded);
    const stopped = (await readJob('scoring'))!;
    expect(stopped).toMatchObject({ modelId: 'model-a', state: 'failed', supersededBy: 'model-b' });
    expect(standingFailure(stopped)).toBeUndefined();
    await runJob('scoring', 'model-b', 1, async () => 1);
    expect((await readJob('scoring'))!.lastFailure).toBeUndefined();
  } finally {
    vi.unstubAllGlobals();
  }
});

describe('a failed scoring of the CSV leads (an import’s: no sync owes them again, and the import deleted the scores that would age)', () => {
  beforeEach(() => stubWebLocks());
  afterEach(() => vi.unstubAllGlobals());

  const failedCsvRun = () => runJob('scoring', 'model-a', 2, () => Promise.reject(new Error('Model failed to load')), { source: 'csv' }).catch(() => undefined);
  const standing = async () => standingFailure((await readJob('scoring'))!);

  it('stands as one over every lead does, kept by later runs of a CRM’s leads or another model’s, until a run of its model over the CSV leads or every lead succeeds', async () => {
    await failedCsvRun();
    const failure = { modelId: 'model-a', done: 0, total: 2, error: 'Model failed to load', source: 'csv', finishedAt: expect.any(Number) };
    expect(await standing()).toEqual(failure);
    await runJob('scoring', 'model-a', 1, async () => 1, { source: 'hubspot' });
    expect(await standing()).toEqual(failure);
    await runJob('scoring', 'model-b', 2, async () => 2, { source: 'csv' });
    expect(await standing()).toEqual(failure);
    await runJob('scoring', 'model-a', 2, async () => 2, { source: 'csv' });
    expect(await standing()).toBeUndefined();
    await failedCsvRun();
    await runJob('scoring', 'model-a', 3, async () => 3);
    expect(await standing()).toBeUndefined();
  });

  it('leaves standing a failure of every lead with its model from before it, which left more unscored: trying that again scores the CSV leads too', async () => {
    await runJob('scoring', 'model-a', 5, () => Promise.reject(new Error('The engine ran out of memory'))).catch(() => undefined);
    await failedCsvRun();
    expect(await standing()).toMatchObject({ modelId: 'model-a', total: 5, error: 'The engine ran out of memory' });
    expect((await standing())?.source).toBeUndefined();
    // Nor does scoring the CSV leads again make that one good.
    await runJob('scoring', 'model-a', 2, async () => 2, { source: 'csv' });
    expect(await standing()).toMatchObject({ total: 5, error: 'The engine ran out of memory' });
  });
});

describe('a purge recorded', () => {
  afterEach(() => vi.useRealTimers());

  it('stops the jobs asked before it, not those asked after', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    await recordPurge();
    expect(await purgedSince(999_999)).toBe(true);
    expect(await purgedSince(1_000_000)).toBe(true);
    expect(await purgedSince(1_000_001)).toBe(false);
  });

  it('by a clock running fast and set back since stops no job asked after it: each would do nothing until the clock caught up', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 5, 15) });
    await recordPurge();
    vi.setSystemTime(Date.UTC(2026, 11, 5, 12)); // three hours back: the right time
    vi.advanceTimersByTime(60_000);
    expect(await purgedSince(Date.now())).toBe(false);
  });
});

it('records when the last scoring of every lead that ended done began, and with which model: not a failed one, nor one over one CRM’s leads, nor a re-tiering', async () => {
  stubWebLocks();
  await runJob('scoring', 'model-a', 1, async () => 1);
  const { startedAt } = (await readJob('scoring'))!;
  expect(await lastFullScoringStart('model-a')).toBe(startedAt);
  expect(await lastFullScoringStart('model-b')).toBeNull();
  await runJob('scoring', 'model-a', 1, async () => 1, { source: 'hubspot' });
  await expect(runJob('scoring', 'model-b', 1, () => Promise.reject(new Error('2 leads could not be scored')))).rejects.toThrow();
  await runJob('retier', 'model-b', 1, async () => 0);
  expect(await lastFullScoringStart('model-a')).toBe(startedAt);
  expect(await lastFullScoringStart('model-b')).toBeNull();
  // Continued after a pause or a closed document: from when the run first began.
  await writeJob('scoring', { modelId: 'model-b', state: 'running', done: 1, total: 2, startedAt: 5, resumeAfter: 'csv|1' });
  await resumeUnfinishedJob('scoring', async () => ({ remaining: 1, work: async () => 2 }));
  expect(await lastFullScoringStart('model-b')).toBe(5);
  vi.unstubAllGlobals();
});
