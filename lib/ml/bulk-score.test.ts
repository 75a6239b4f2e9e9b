import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db, type StoredLead } from '../db/db';
import { demoStoredLeads, replaceDemoLeads } from '../crm/demo-leads';
import { expectSummariesInStep } from '../../test/fixtures/lead-summaries';
import { strongestReasons, topReasonFor } from '../presentation';
import { resumeUnfinishedScoringJob, runScoringJob, scoreAllStoredLeads, type BulkScoringDeps } from './bulk-score';
import { JobPaused, readJob, runStoredScoresJob, standingFailure, STORED_SCORES_LOCK, writeJob } from '../jobs/progress';
import { bundledModelSession } from '../../test/bundled-model-session';
import { stubWebLocks } from '../../test/web-locks';
import { storedLead } from '../../test/fixtures/stored-lead';
import { ModelLoadError, ModelRunError, type EngineOutput } from './engine';
import { ModelStalledError } from './engine-in-worker';
import { featurizeRecord } from './featurize';
import { scoreAndTier } from './score';

const { manifest, runModel } = bundledModelSession();
const now = new Date('2026-11-20T00:00:00Z');

beforeEach(async () => {
  stubWebLocks(); // a job's progress report asks the lock manager whether a purge waits
  await Promise.all([...db.leadTables, db.leadScores, db.settings].map((table) => table.clear()));
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/**
 * The model, failing on the batches numbered (from 1) in `failing` with an error that is not a
 * run's (`ModelRunError`): one that fails the batch whatever its leads, so it is not split.
 */
function failingOn(...failing: number[]) {
  let batch = 0;
  return (rows: Float32Array, featureCount: number) => (failing.includes(++batch) ? Promise.reject(new Error(ENGINE_ERROR)) : runModel(rows, featureCount));
}
const ENGINE_ERROR = "Non-zero status code returned while running Gather node. Name:'/Gather_3'";

/** An annual revenue the model of `failingOnRevenue` cannot score. */
const UNSCORABLE_REVENUE = 1e9;
/** `lead` with an annual revenue of UNSCORABLE_REVENUE, in its CRM's field. */
const unscorable = (lead: StoredLead): StoredLead => ({ ...lead, fields: { ...lead.fields, [lead.source === 'salesforce' ? 'AnnualRevenue' : 'annualrevenue']: UNSCORABLE_REVENUE } });
/** What ONNX Runtime says of a run it fails, and the words it comes to. */
const RUNTIME_ERROR =
  "failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: Non-zero status code returned while running Gather node. Name:'/Gather_3' Status Message: /onnxruntime/core/providers/cpu/tensor/gather.cc:120 virtual onnxruntime::Status onnxruntime::Gather::Compute(onnxruntime::OpKernelContext *) const indices element out of data bounds, idx=9 must be within the inclusive range [-3,2]";
const RUN_ERROR_IN_WORDS =
  "model.onnx loaded but failed to score: Non-zero status code returned while running Gather node. Name:'/Gather_3' Status Message: indices element out of data bounds, idx=9 must be within the inclusive range [-3,2]";
/**
 * The model, failing as the engine does when ONNX Runtime fails a run (a `ModelRunError`) on any
 * run holding a lead of UNSCORABLE_REVENUE, or on every run when `always`; `runs` gets each run's
 * number of leads.
 */
function failingOnRevenue(runs: number[], { always = false } = {}) {
  const revenue = manifest.features.findIndex((feature) => feature.key === 'annual_revenue');
  return (rows: Float32Array, featureCount: number) => {
    runs.push(rows.length / featureCount);
    const unscorableRow = rows.some((value, i) => i % featureCount === revenue && value === UNSCORABLE_REVENUE);
    return always || unscorableRow ? Promise.reject(new ModelRunError(RUNTIME_ERROR)) : runModel(rows, featureCount);
  };
}

const scoredLeadKeys = async () => (await db.leadScores.toArray()).map((score) => score.leadKey).sort();
const keysOf = (leads: StoredLead[], source: StoredLead['source']) => leads.filter((lead) => lead.source === source).map((lead) => lead.key).sort();

it('scores every stored lead of both CRMs in batches, reporting progress, as one-lead scoring does', async () => {
  const leads = demoStoredLeads(now, 25);
  await replaceDemoLeads(leads);
  const reports: number[] = [];
  const scored = await scoreAllStoredLeads({ manifest, runModel, now, report: async (done) => void reports.push(done) }, 10);
  expect(scored).toBe(25);
  expect(reports).toEqual([10, 20, 25]);
  expect(await db.leadScores.count()).toBe(25);
  // Lead 0 is a Salesforce lead, lead 1 a HubSpot contact: each featurized with its own field names.
  for (const lead of leads.slice(0, 2)) {
    const single = await runModel(featurizeRecord(lead.fields, manifest.features, lead.source, now), manifest.features.length);
    const stored = await db.leadScores.get(`${manifest.modelId}|${lead.key}`);
    // The same up to float32 rounding: onnxruntime sums a batch's terms in another order than one row's.
    expect(stored?.probability).toBeCloseTo(single.probability[0], 6);
    expect(stored).toMatchObject({ modelId: manifest.modelId, leadKey: lead.key, ...scoreAndTier(single.probability[0], manifest) });
    expect(stored?.topReason).toMatch(/^.+: .+$/);
  }
  expect(leads.map((lead) => lead.source).slice(0, 4)).toEqual(['salesforce', 'hubspot', 'salesforce', 'hubspot']);
});

it('stores no score for a lead none of whose fields the model reads, and drops the one it had', async () => {
  const [readable, emptied] = demoStoredLeads(now, 2);
  await db.putLeads([readable, emptied]);
  await scoreAllStoredLeads({ manifest, runModel, now, report: async () => undefined });
  expect(await scoredLeadKeys()).toEqual([readable.key, emptied.key].sort());
  // Its fields renamed in the CRM (or a model of other columns): the intercept alone is no score of it.
  await db.putLeads([{ ...emptied, fields: { Unmapped__c: 'x' } }]);
  const reports: number[] = [];
  const scored = await scoreAllStoredLeads({ manifest, runModel, now, report: async (done) => void reports.push(done) });
  expect(reports).toEqual([2]); // both were gone through
  expect(scored).toBe(1); // one was scored
  expect(await scoredLeadKeys()).toEqual([readable.key]);
});

it('answers with how many leads were given a score, not how many it went through (a model that reads none of some leads’ fields)', async () => {
  const leads = demoStoredLeads(now, 25);
  // Leads of columns the model does not read, as a CRM's leads are to a model trained on the other CRM's.
  const unread = leads.slice(0, 8).map((lead) => ({ ...lead, key: `csv|${lead.id}`, source: 'csv' as const, origin: 'csv' as const, fields: { Unmapped__c: 'x' } }));
  await db.putLeads([...leads, ...unread]);
  expect(await runScoringJob({ manifest, runModel, now }, { batchSize: 10 })).toBe(25);
  expect(await db.leadScores.count()).toBe(25);
  expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 33, total: 33 });
});

it('never says more leads done than its total, nor fewer than it said before, when a sync stores leads ahead of it meanwhile', async () => {
  const leads = demoStoredLeads(now, 60);
  // Keys that sort after every lead stored before the run: the job comes to them.
  const storedDuring = leads.slice(30).map((lead) => ({ ...lead, key: `${lead.source}|z${lead.id}` }));
  await db.putLeads(leads.slice(0, 30));
  let syncStored: Promise<unknown> | undefined;
  // A sync's page is committed while the first batch is scored (a sync does not pause the job).
  const syncing = (rows: Float32Array, featureCount: number) => ((syncStored ??= db.putLeads(storedDuring)), syncStored.then(() => runModel(rows, featureCount)));
  const rowWrites = vi.spyOn(db.settings, 'put');

  expect(await runScoringJob({ manifest, runModel: syncing, now }, { batchSize: 10 })).toBe(60);
  const progress = rowWrites.mock.calls.flatMap(([row]) => (row.key === 'job:scoring' ? [row.value as { state: string; done: number; total: number }] : []));
  expect(progress.map(({ done }) => done)).toEqual([0, 10, 20, 30, 40, 50, 60, 60]);
  for (const [i, { done, total }] of progress.entries()) {
    expect(done).toBeLessThanOrEqual(total);
    expect(total).toBeGreaterThanOrEqual(progress[i - 1]?.total ?? 0);
  }
  expect(progress.at(-1)).toMatchObject({ state: 'done', done: 60, total: 60 });
});

it.each([
  ['no probability (NaN), rather than "1, cold"', 'probability' as const],
  ['a reason no weight (a NaN contribution), as a badge shows none', 'contributions' as const],
])('stores no score for a lead the model gives %s', async (_what, output) => {
  const [first, second] = demoStoredLeads(now, 2);
  await db.putLeads([first, second]);
  // NaN in the first lead's output: its probability, or its first term's contribution.
  const nanForFirst = async (rows: Float32Array, featureCount: number) => {
    const ran = await runModel(rows, featureCount);
    return { ...ran, [output]: Float32Array.from(ran[output], (value, j) => (j === 0 ? Number.NaN : value)) };
  };
  await scoreAllStoredLeads({ manifest, runModel: nanForFirst, now, report: async () => undefined });
  expect(await scoredLeadKeys()).toEqual([[first, second].map((lead) => lead.key).sort()[1]]);
});

describe('a batch the engine fails on', () => {
  it('does not stop the run: the later batches are scored, and it ends failed saying how many leads could not be scored and why', async () => {
    const leads = demoStoredLeads(now, 60);
    await replaceDemoLeads(leads);
    await expect(runScoringJob({ manifest, runModel: failingOn(2), now }, { batchSize: 10 })).rejects.toThrow(`10 leads could not be scored: ${ENGINE_ERROR}`);
    const keys = leads.map((lead) => lead.key).sort();
    expect(await scoredLeadKeys()).toEqual([...keys.slice(0, 10), ...keys.slice(20)]);
    expect(await readJob('scoring')).toMatchObject({
      state: 'failed',
      done: 60,
      total: 60,
      failedItems: { count: 10, error: ENGINE_ERROR },
      error: `10 leads could not be scored: ${ENGINE_ERROR}`,
    });
  });

  it('keeps the failure of a run over every lead through later one-CRM runs and other models’ runs, until a run over every lead of its model succeeds', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 60));
    await expect(runScoringJob({ manifest, runModel: failingOn(2, 3), now }, { batchSize: 10 })).rejects.toThrow('20 leads could not be scored');
    const failure = { modelId: manifest.modelId, done: 60, total: 60, failedItems: { count: 20, error: ENGINE_ERROR } };

    // A sync's run over its CRM's leads, which succeeds.
    expect(await runScoringJob({ manifest, runModel, now }, { source: 'hubspot', batchSize: 10 })).toBeGreaterThan(0);
    const afterSync = (await readJob('scoring'))!;
    expect(afterSync).toMatchObject({ state: 'done', source: 'hubspot', lastFailure: failure });
    expect(standingFailure(afterSync)).toMatchObject(failure);
    // Another model's run over every lead says nothing of this model's leads.
    await runScoringJob({ manifest: { ...manifest, modelId: 'other-1' }, runModel, now }, { batchSize: 10 });
    expect(await readJob('scoring')).toMatchObject({ state: 'done', modelId: 'other-1', lastFailure: failure });

    expect(await runScoringJob({ manifest, runModel, now }, { batchSize: 10 })).toBe(60);
    const afterFullRun = (await readJob('scoring'))!;
    expect(afterFullRun).toMatchObject({ state: 'done', done: 60, total: 60 });
    expect(afterFullRun.lastFailure).toBeUndefined();
    expect(standingFailure(afterFullRun)).toBeUndefined();
  });

  it('leaves unscored only the lead the model fails on, not the other 999 of its batch of 1,000, and says why in words', async () => {
    const leads = demoStoredLeads(now, 1000);
    await replaceDemoLeads(leads);
    expect(await runScoringJob({ manifest, runModel, now })).toBe(1000);
    const scoredBefore = new Map((await db.leadScores.toArray()).map((score) => [score.leadKey, score.scoredAt]));
    const faulty = leads[437];
    await db.putLeads([unscorable(faulty)]);
    await new Promise((resolve) => setTimeout(resolve, 2)); // so that a score written again has another scoredAt

    const runs: number[] = [];
    await expect(runScoringJob({ manifest, runModel: failingOnRevenue(runs), now })).rejects.toThrow(`1 lead could not be scored: ${RUN_ERROR_IN_WORDS}`);
    expect(await readJob('scoring')).toMatchObject({ state: 'failed', done: 1000, total: 1000, failedItems: { count: 1, error: RUN_ERROR_IN_WORDS } });
    // Every other lead has its new score; the faulty one keeps the score it had.
    const scores = await db.leadScores.toArray();
    expect(scores).toHaveLength(1000);
    for (const { leadKey, scoredAt } of scores) {
      if (leadKey === faulty.key) expect(scoredAt).toBe(scoredBefore.get(leadKey));
      else expect(scoredAt).toBeGreaterThan(scoredBefore.get(leadKey)!);
    }
    // Found by halving: the batch, then the two halves of each failed part on the way down to it (under twice the batch), not a run per lead.
    expect(runs[0]).toBe(1000);
    expect(runs.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(1000)));
    expect(runs).toContain(1);
    expect(runs.reduce((sum, size) => sum + size, 0)).toBeLessThan(3 * 1000);
  });

  it('finds the leads the model fails on in each batch, still reporting progress after each batch', async () => {
    const leads = demoStoredLeads(now, 25);
    const keys = leads.map((lead) => lead.key).sort();
    const faultyKeys = [keys[1], keys[8], keys[22]]; // two in one batch (one in each half), one in the last
    await replaceDemoLeads(leads.map((lead) => (faultyKeys.includes(lead.key) ? unscorable(lead) : lead)));
    const reports: [number, number | undefined][] = [];
    const report = async (done: number, _lastLeadKey: string, failed?: { count: number }) => void reports.push([done, failed?.count]);

    await expect(scoreAllStoredLeads({ manifest, runModel: failingOnRevenue([]), now, report }, 10)).rejects.toThrow(`3 leads could not be scored: ${RUN_ERROR_IN_WORDS}`);
    expect(reports).toEqual([
      [10, 2],
      [20, 2],
      [25, 3],
    ]);
    expect(await scoredLeadKeys()).toEqual(keys.filter((key) => !faultyKeys.includes(key)));
  });

  it('costs a bounded number of runs a batch when the model fails on every lead, not a run per lead', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 1000));
    const runs: number[] = [];
    await expect(runScoringJob({ manifest, runModel: failingOnRevenue(runs, { always: true }), now })).rejects.toThrow(`1,000 leads could not be scored: ${RUN_ERROR_IN_WORDS}`);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.length).toBeLessThanOrEqual(1 + 8 * Math.ceil(Math.log2(1000)));
    // The batch's leads are run a few times over (the batch, its halves, theirs…), not log2(1000) times as halving every part would.
    expect(runs.reduce((sum, size) => sum + size, 0)).toBeLessThan(4 * 1000);
    expect(await db.leadScores.count()).toBe(0);
  });

  it.each([
    ['a model that cannot load', new ModelLoadError('Failed to load model because protobuf parsing failed.'), 'model.onnx is not an ONNX model (or is damaged)'],
    ['a run the watchdog stopped', new ModelStalledError('Model m stalled: a run of 10 leads was still going after 30 seconds'), 'Model m stalled: a run of 10 leads was still going after 30 seconds'],
  ])('does not split a batch on a failure that is not a run’s (%s): it would fail on any leads', async (_, failure, said) => {
    await replaceDemoLeads(demoStoredLeads(now, 25));
    const runs: number[] = [];
    const failing = (rows: Float32Array, featureCount: number) => {
      runs.push(rows.length / featureCount);
      return Promise.reject(failure);
    };
    await expect(runScoringJob({ manifest, runModel: failing, now }, { batchSize: 10 })).rejects.toThrow(`25 leads could not be scored: ${said}`);
    expect(runs).toEqual([10, 10, 5]);
  });

  it('keeps the failure of a run over every lead when a later one-CRM run fails too', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 60));
    // The fourth batch holds Salesforce leads (HubSpot's 30 keys sort first): they are left owed a score, which the Salesforce run tries again.
    await expect(runScoringJob({ manifest, runModel: failingOn(4), now }, { batchSize: 10 })).rejects.toThrow('10 leads could not be scored');
    await expect(runScoringJob({ manifest, runModel: failingOn(1), now }, { source: 'salesforce', batchSize: 10 })).rejects.toThrow('10 leads could not be scored');
    expect(standingFailure((await readJob('scoring'))!)).toMatchObject({ modelId: manifest.modelId, done: 60, total: 60, failedItems: { count: 10 } });
  });
});

describe('scoring one source’s stored leads (a write-back’s)', () => {
  it('scores only that source’s leads, not the other CRM’s', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    await db.putLeads([{ ...leads[0], key: 'csv|x', id: 'x', source: 'csv', origin: 'csv' }]);
    const reports: number[] = [];
    const scored = await scoreAllStoredLeads({ manifest, runModel, now, report: async (done) => void reports.push(done) }, 5, { source: 'salesforce' });
    expect(scored).toBe(13);
    expect(reports).toEqual([5, 10, 13]);
    expect(await scoredLeadKeys()).toEqual(keysOf(leads, 'salesforce'));
  });

  it('runs as the scoring job with that source’s total, and records the source', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    expect(await runScoringJob({ manifest, runModel, now }, { source: 'hubspot', batchSize: 5 })).toBe(12);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 12, total: 12, source: 'hubspot' });
    expect(await scoredLeadKeys()).toEqual(keysOf(leads, 'hubspot'));
    // A run over every lead afterwards records no source.
    expect(await runScoringJob({ manifest, runModel, now }, { batchSize: 10 })).toBe(25);
    expect((await readJob('scoring'))?.source).toBeUndefined();
  });

  it('runs over a CSV import’s leads alone, as the scoring its commit owes, recording the source', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 6));
    const imported = ['1', '2', '3'].map((id) => storedLead({ source: 'csv', id, origin: 'csv', fields: { title: 'VP Sales', employees: '250', industry: 'Software' } }));
    await db.putLeads(imported);
    expect(await runScoringJob({ manifest, runModel, now }, { source: 'csv', batchSize: 2 })).toBe(3);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 3, total: 3, source: 'csv' });
    expect(await scoredLeadKeys()).toEqual(['csv|1', 'csv|2', 'csv|3']);
  });
});

it('replaces earlier demo leads and their scores, keeping other leads', async () => {
  await db.putLeads([{ ...demoStoredLeads(now, 1)[0], key: 'csv|x', source: 'csv', origin: 'csv' }]);
  await replaceDemoLeads(demoStoredLeads(now, 5));
  await scoreAllStoredLeads({ manifest, runModel, now, report: async () => undefined });
  await replaceDemoLeads(demoStoredLeads(now, 3));
  expect(await db.leads.count()).toBe(4);
  await expectSummariesInStep(db);
  expect(await db.leadScores.where('leadKey').equals('csv|x').count()).toBe(1);
  expect(await db.leadScores.count()).toBe(1);
});

it('keeps the held-out probabilities of demo leads loaded again (the same leads), not of those no longer loaded', async () => {
  const first = demoStoredLeads(now, 5);
  await replaceDemoLeads(first);
  await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: first.map((lead) => lead.key), probabilities: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5]) });
  // Loaded again a day later, fewer of them: the same leads, dated from the new day.
  await replaceDemoLeads(demoStoredLeads(new Date(now.getTime() + 86_400_000), 3));
  const kept = await db.heldOutScores.get('ebm-1');
  expect(kept?.leadKeys).toEqual(first.slice(0, 3).map((lead) => lead.key));
  expect([...(kept?.probabilities ?? [])]).toEqual([0.1, 0.2, 0.3]);
});

it('gives a cold lead its strongest reason down and a hot lead its strongest reason up', () => {
  const reasons = [
    { label: 'Title seniority', value: 'VP', points: 0.8 },
    { label: 'Industry', value: 'Retail', points: -1.2 },
  ];
  expect(topReasonFor('hot', strongestReasons(reasons))).toBe('Title seniority: VP');
  expect(topReasonFor('cold', strongestReasons(reasons))).toBe('Industry: Retail');
  expect(topReasonFor('warm', strongestReasons([]))).toBe('');
});

describe('a scoring job whose offscreen document closed mid-way', () => {
  /** Scores batches until `batchesBeforeDying`, then hangs as a closed document does: no failure is recorded. */
  function dyingAfter(batchesBeforeDying: number) {
    let batches = 0;
    return (rows: Float32Array, featureCount: number) => (++batches > batchesBeforeDying ? new Promise<EngineOutput>(() => undefined) : runModel(rows, featureCount));
  }
  const until = async (condition: () => Promise<boolean>) => {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('continues after the last batch it scored instead of starting over', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    void runScoringJob({ manifest, runModel: dyingAfter(1), now }, { batchSize: 10 });
    await until(async () => (await readJob('scoring'))?.done === 10);
    const lastScored = [...leads].map((lead) => lead.key).sort()[9];
    expect(await readJob('scoring')).toMatchObject({ state: 'running', done: 10, total: 25, resumeAfter: lastScored });

    const rowsScored: number[] = [];
    const counting = (rows: Float32Array, featureCount: number) => {
      rowsScored.push(rows.length / featureCount);
      return runModel(rows, featureCount);
    };
    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel: counting, now }), 10)).toBe(25);
    expect(rowsScored).toEqual([10, 5]);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 25, total: 25 });
    expect(await db.leadScores.count()).toBe(25);
    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel: counting, now }), 10)).toBeNull();
  });

  it('ends failed, saying why, when it cannot be taken up again (its model unreadable): not "running" at every start', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 25));
    void runScoringJob({ manifest, runModel: dyingAfter(1), now }, { batchSize: 10 });
    await until(async () => (await readJob('scoring'))?.done === 10);
    const unreadable = async () => Promise.reject(new Error('The model manifest is invalid: terms: needs one score per bin'));
    await expect(resumeUnfinishedScoringJob(unreadable, 10)).rejects.toThrow('needs one score per bin');
    expect(await readJob('scoring')).toMatchObject({ state: 'failed', done: 10, error: 'The model manifest is invalid: terms: needs one score per bin' });
    expect(await resumeUnfinishedScoringJob(unreadable, 10)).toBeNull();
  });

  it('starts over when it died before its first batch', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 12));
    void runScoringJob({ manifest, runModel: dyingAfter(0), now }, { batchSize: 10 });
    await until(async () => (await readJob('scoring'))?.state === 'running');
    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel, now }), 10)).toBe(12);
    expect(await db.leadScores.count()).toBe(12);
  });

  it('continues a one-source run over that source only, not over every lead', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    // HubSpot's keys sort before Salesforce's: a resume over every key after its cursor would score Salesforce's too.
    void runScoringJob({ manifest, runModel: dyingAfter(1), now }, { source: 'hubspot', batchSize: 5 });
    await until(async () => (await readJob('scoring'))?.done === 5);
    expect(await readJob('scoring')).toMatchObject({ state: 'running', done: 5, total: 12, source: 'hubspot' });

    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel, now }), 5)).toBe(12);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 12, total: 12, source: 'hubspot' });
    expect(await scoredLeadKeys()).toEqual(keysOf(leads, 'hubspot'));
  });

  it('starts a one-source run over when it died before its first batch, still over that source only', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 12));
    void runScoringJob({ manifest, runModel: dyingAfter(0), now }, { source: 'hubspot', batchSize: 5 });
    await until(async () => (await readJob('scoring'))?.state === 'running');
    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel, now }), 5)).toBe(6);
    expect(await db.leadScores.count()).toBe(6);
  });
});

describe('a scoring job a purge asks to stop', () => {
  /** A purge: it waits for the stored scores' lock (its request to stop), runs `task` holding it, and says what it found. */
  const purge = (task: () => Promise<unknown> = async () => undefined) =>
    navigator.locks.request(STORED_SCORES_LOCK, async () => {
      const found = { job: await readJob('scoring'), scored: await scoredLeadKeys() };
      await task();
      return found;
    });
  const sortedKeys = (leads: StoredLead[]) => leads.map((lead) => lead.key).sort();
  /** The model, counting the leads of each batch and calling `during(batch)` while it scores it. */
  function watched(batches: number[], during: (batch: number) => unknown = () => undefined) {
    return (rows: Float32Array, featureCount: number) => {
      batches.push(rows.length / featureCount);
      during(batches.length);
      return runModel(rows, featureCount);
    };
  }
  const resumeWith = (deps: Omit<BulkScoringDeps, 'report'>) => () => resumeUnfinishedScoringJob(async () => deps, 10);

  it('stops after its current batch, leaving its row running with its cursor, and releases the lock', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    const batches: number[] = [];
    let purged: ReturnType<typeof purge> | undefined;
    const runModel = watched(batches, () => (purged ??= purge()));
    const job = navigator.locks.request(STORED_SCORES_LOCK, () => runScoringJob({ manifest, runModel, now }, { batchSize: 10 }));

    await expect(job).rejects.toBeInstanceOf(JobPaused);
    const firstBatch = sortedKeys(leads).slice(0, 10);
    // The purge had the lock once the first batch was stored, not once every lead was.
    expect(await purged).toEqual({ job: expect.objectContaining({ state: 'running', done: 10, total: 25, resumeAfter: firstBatch[9] }), scored: firstBatch });
    expect(batches).toEqual([10]);
    expect(await readJob('scoring')).toMatchObject({ state: 'running', done: 10, total: 25, resumeAfter: firstBatch[9] });
    expect((await navigator.locks.query()).held).toEqual([]);
  });

  it('continues once the purge is done, scoring each lead left once and none it deleted', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    const deleted = sortedKeys(leads).slice(-3);
    const batches: number[] = [];
    const deps = { manifest, runModel: watched(batches, (batch) => batch === 1 && purge(() => db.deleteLeads(deleted))), now };

    expect(await runStoredScoresJob(() => runScoringJob(deps, { batchSize: 10 }), resumeWith(deps))).toBe(22);
    expect(batches).toEqual([10, 10, 2]);
    expect(await scoredLeadKeys()).toEqual(sortedKeys(leads).slice(0, 22));
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 22, total: 22 });
  });

  it('asked before its first batch, scores nothing until the purge is done, then every lead', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 25));
    const batches: number[] = [];
    const deps = { manifest, runModel: watched(batches), now };
    let purged: ReturnType<typeof purge> | undefined;
    const start = () => {
      purged = purge(); // the job holds the lock: the purge waits for it
      return runScoringJob(deps, { batchSize: 10 });
    };

    expect(await runStoredScoresJob(start, resumeWith(deps))).toBe(25);
    expect(await purged).toEqual({ job: expect.objectContaining({ state: 'running', done: 0 }), scored: [] });
    expect(batches).toEqual([10, 10, 5]);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 25, total: 25 });
  });

  it('ends before a run asked for meanwhile starts, so that run does not take over its row', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 25));
    const runs: string[] = [];
    let second: Promise<number | null> | undefined;
    // Of another model, which has no score of the HubSpot leads the first run scores: all 12 are its to score.
    const secondDeps = { manifest: { ...manifest, modelId: 'other-1' }, runModel: watched([], () => runs.push('second')), now };
    const askSecond = async () => {
      second = runStoredScoresJob(() => runScoringJob(secondDeps, { source: 'hubspot', batchSize: 10 }), resumeWith(secondDeps));
    };
    const firstDeps = { manifest, runModel: watched([], (batch) => (runs.push('first'), batch === 1 && purge(askSecond))), now };

    expect(await runStoredScoresJob(() => runScoringJob(firstDeps, { batchSize: 10 }), resumeWith(firstDeps))).toBe(25);
    expect(await second).toBe(12);
    expect(runs).toEqual(['first', 'first', 'first', 'second', 'second']);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 12, total: 12, source: 'hubspot' });
  });

  it('still ends failed after the pause, counting the leads the engine failed on before it', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    const batches: number[] = [];
    let purged: ReturnType<typeof purge> | undefined;
    const failingFirst = failingOn(1);
    // The engine fails on the first batch; the purge is asked while the second is scored.
    const runModel = (rows: Float32Array, featureCount: number) => {
      batches.push(rows.length / featureCount);
      if (batches.length === 2) purged = purge();
      return failingFirst(rows, featureCount);
    };
    const deps = { manifest, runModel, now };

    await expect(runStoredScoresJob(() => runScoringJob(deps, { batchSize: 10 }), resumeWith(deps))).rejects.toThrow(`10 leads could not be scored: ${ENGINE_ERROR}`);
    expect(await purged).toEqual({ job: expect.objectContaining({ state: 'running', done: 20, failedItems: { count: 10, error: ENGINE_ERROR } }), scored: sortedKeys(leads).slice(10, 20) });
    expect(batches).toEqual([10, 10, 5]);
    expect(await scoredLeadKeys()).toEqual(sortedKeys(leads).slice(10));
    expect(await readJob('scoring')).toMatchObject({ state: 'failed', done: 25, total: 25, failedItems: { count: 10, error: ENGINE_ERROR } });
  });

  it('stops after the batch it was splitting to find the lead the model fails on, having found it', async () => {
    const leads = demoStoredLeads(now, 25);
    const keys = sortedKeys(leads);
    await replaceDemoLeads(leads.map((lead) => (lead.key === keys[3] ? unscorable(lead) : lead)));
    const runs: number[] = [];
    const failing = failingOnRevenue(runs);
    let purged: ReturnType<typeof purge> | undefined;
    // The purge is asked during the second run: the first half of the first batch.
    const runModel = (rows: Float32Array, featureCount: number) => ((runs.length === 1 && (purged = purge())), failing(rows, featureCount));
    const job = navigator.locks.request(STORED_SCORES_LOCK, () => runScoringJob({ manifest, runModel, now }, { batchSize: 10 }));

    await expect(job).rejects.toBeInstanceOf(JobPaused);
    const found = { count: 1, error: RUN_ERROR_IN_WORDS };
    expect(await purged).toEqual({
      job: expect.objectContaining({ state: 'running', done: 10, resumeAfter: keys[9], failedItems: found }),
      scored: keys.slice(0, 10).filter((key) => key !== keys[3]),
    });
    expect(runs.slice(0, 3)).toEqual([10, 5, 3]);
    expect(runs.reduce((sum, size) => sum + size, 0)).toBeLessThan(30);
  });

  it('is not stopped by a purge that is over', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 25));
    await purge();
    const batches: number[] = [];
    expect(await navigator.locks.request(STORED_SCORES_LOCK, () => runScoringJob({ manifest, runModel: watched(batches), now }, { batchSize: 10 }))).toBe(25);
    expect(batches).toEqual([10, 10, 5]);
  });

  it('pauses for a demo reseed too, so that no score is written for a lead the reseed deleted', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    const kept = sortedKeys(leads).slice(20).map((key) => leads.find((lead) => lead.key === key)!);
    let reseeded: Promise<number> | undefined;
    // The reseed is asked while the first batch is being scored.
    const deps = { manifest, runModel: watched([], () => (reseeded ??= replaceDemoLeads(kept))), now };

    await runStoredScoresJob(() => runScoringJob(deps, { batchSize: 10 }), resumeWith(deps));
    await reseeded;
    const storedKeys = new Set(await db.leads.toCollection().primaryKeys());
    expect((await scoredLeadKeys()).filter((key) => !storedKeys.has(key))).toEqual([]);
    expect(await scoredLeadKeys()).toEqual(sortedKeys(kept));
  });
});

describe('a scoring job whose model was deleted while it was stopped', () => {
  const stored = (id: string) => ({ ...manifest, modelId: id });
  beforeEach(() => db.models.clear());

  it('does not continue an unfinished run of a deleted model: it is recorded as failed, once', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 25));
    await writeJob('scoring', { modelId: 'deleted-1', state: 'running', done: 10, total: 25, startedAt: 1, resumeAfter: 'hubspot|0' });
    let asked = false;
    const depsFor = async () => ((asked = true), { manifest: stored('deleted-1'), runModel, now });
    await expect(resumeUnfinishedScoringJob(depsFor, 10)).rejects.toThrow('Model deleted-1 was deleted');
    expect(asked).toBe(false);
    expect(await readJob('scoring')).toMatchObject({ modelId: 'deleted-1', state: 'failed', error: 'Model deleted-1 was deleted' });
    expect(await db.leadScores.count()).toBe(0);
    expect(await resumeUnfinishedScoringJob(depsFor, 10)).toBeNull();
  });
});
