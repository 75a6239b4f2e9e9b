/**
 * The offscreen document: home of the scoring engine, ONNX Runtime and its sessions (lib/ml/engine.ts)
 * in a worker it starts and stops when a run outlasts its deadline (lib/ml/engine-in-worker.ts), and of
 * the bulk-scoring and re-tiering jobs. A new model's check runs in a worker of its own
 * (lib/ml/check-in-worker.ts). It answers the engine's messages from the background and nothing else.
 */
import { engineWatchdog } from '@/lib/ml/engine-in-worker';
import { preparingRun, purgedSince, runStoredScoresJob } from '@/lib/jobs/progress';
import { holdingFullScoringRequest, holdingRetierRequest } from '@/lib/jobs/requests';
import { countToScore, resumeUnfinishedScoringJob, runScoringJob } from '@/lib/ml/bulk-score';
import type { SourceKind } from '@/lib/ml/featurize';
import { checkModelInWorker } from '@/lib/ml/check-in-worker';
import { resumeUnfinishedRetierJob, runRetierJob, scoresAfter } from '@/lib/ml/retier';
import { activeManifest, manifestOf } from '@/lib/ml/model-store';
import { syntheticThroughput } from '@/lib/ml/synthetic-rows';
import type { Throughput } from '@/lib/ml/throughput';
import { offscreenProtocol } from '@/lib/messaging/protocol';
import { registerHandlers } from '@/lib/messaging/rpc';

const engine = engineWatchdog();

async function scoringDeps(modelId: string) {
  const manifest = await manifestOf(modelId);
  const runModel = (rows: Float32Array, featureCount: number) => engine.run(modelId, rows, featureCount);
  return { manifest, runModel, now: new Date() };
}

/** A scoring run with `modelId`, in its turn: one that cannot get its model's manifest is recorded as failed (`preparingRun`). */
async function runScoring(modelId: string, source?: SourceKind) {
  const deps = await preparingRun('scoring', modelId, () => scoringDeps(modelId), { source, countItems: () => countToScore({ source }) });
  return runScoringJob(deps, { source });
}

/**
 * A re-tiering of `modelId`'s stored scores with its tiers as stored now (the policy the admin
 * just applied), in its turn: one that cannot read them (its model deleted since it was owed) is
 * recorded as failed (`preparingRun`), which settles it, rather than asked again every hour.
 */
async function runRetier(modelId: string) {
  const manifest = await preparingRun('retier', modelId, () => manifestOf(modelId), { countItems: () => scoresAfter(modelId) });
  return runRetierJob(modelId, manifest);
}

/** Continue the job its row says is unfinished: cut short by a closed document or paused by a purge. */
const resumeScoring = () => resumeUnfinishedScoringJob(scoringDeps);
const resumeRetier = () => resumeUnfinishedRetierJob(manifestOf);

/**
 * `run`, a requested job's start in its turn, unless "Purge everything" deleted the stored data
 * since the background asked for it (`askedAt`): asked of data that are gone, it ends without
 * reading or writing anything (no row, nothing owed settled) and says it did nothing (0), which
 * is no failure for a page to tell of. Checked holding the stored scores' lock: no purge between.
 */
const unlessPurgedSince = (askedAt: number, run: () => Promise<number>) => async () => ((await purgedSince(askedAt)) ? 0 : await run());

/** A job's result; null means a purge deleted everything while the job was paused. */
function unlessDeleted<T>(result: T | null): T {
  if (result === null) throw new Error('Stopped: the stored leads and scores were deleted');
  return result;
}

// Jobs left unfinished by a closed offscreen document continue here, in their turn before any
// new request's (jobs take turns, so two never share a progress row).
void runStoredScoresJob(resumeScoring, resumeScoring).catch((error: unknown) => console.error('LeadLens: resuming bulk scoring failed', error));
void runStoredScoresJob(resumeRetier, resumeRetier).catch((error: unknown) => console.error('LeadLens: resuming re-tiering failed', error));

/** A model's NaN or ±Infinity as null: the reply's schema refuses them, and would fail every lead of the run for one. */
const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

/** Two throughput measures of the same rows as one: their calls' median times averaged. */
function meanThroughput(a: Throughput, b: Throughput): Throughput {
  const medianSeconds = (a.medianSeconds + b.medianSeconds) / 2;
  return { rows: a.rows, runs: a.runs + b.runs, medianSeconds, rowsPerSecond: a.rows / medianSeconds };
}

registerHandlers(offscreenProtocol, 'offscreen', {
  engineRun: async ({ modelId, rows }) => {
    const featureCount = rows[0]?.length ?? 0;
    const flat = new Float32Array(rows.length * featureCount); // [N * F]
    rows.forEach((row, i) => {
      if (row.length !== featureCount) throw new Error('Rows of different lengths');
      row.forEach((value, f) => {
        flat[i * featureCount + f] = value ?? Number.NaN;
      });
    });
    const output = await engine.run(modelId, flat, featureCount);
    const contributions: (number | null)[][] = [];
    for (let i = 0; i < rows.length; i++) {
      contributions.push(Array.from(output.contributions.subarray(i * output.terms, (i + 1) * output.terms), finiteOrNull));
    }
    return { ok: true as const, probability: Array.from(output.probability, finiteOrNull), contributions };
  },
  // Each count timed in the worker, through this document, through it again and in the worker again
  // (back to back): the means of the two sides differ by the hop, not by the machine's load drifting
  // between two sweeps of every count.
  engineBenchmark: async ({ rowCounts, seed }) => {
    const { modelId, features } = await activeManifest();
    const inWorker: Throughput[] = [];
    const results: Throughput[] = [];
    for (const count of rowCounts) {
      const timeInWorker = async () => (await engine.benchmark(modelId, [count], seed))[0];
      const timeThroughDocument = async () => (await syntheticThroughput(features, [count], seed, (rows, featureCount) => engine.run(modelId, rows, featureCount)))[0];
      const workerFirst = await timeInWorker();
      const documentFirst = await timeThroughDocument();
      const documentSecond = await timeThroughDocument();
      inWorker.push(meanThroughput(workerFirst, await timeInWorker()));
      results.push(meanThroughput(documentFirst, documentSecond));
    }
    return { ok: true as const, modelId, inWorker, results };
  },
  // Both answer when the job ends, after any pause: one that forgetting a CRM's leads paused
  // finishes over the leads left; one whose row "Purge everything" deleted answers so; one asked
  // before that purge and still waiting for its turn then does not run (`unlessPurgedSince`).
  // A request over every lead, or to re-tier, is known to the background until it ends (waiting
  // for its turn too): it asks no second one for a scoring its model's activation owes, nor a
  // re-tiering a tier policy owes.
  scoreStoredLeads: async ({ modelId, source, askedAt }) => {
    const request = () => runStoredScoresJob(unlessPurgedSince(askedAt, () => runScoring(modelId, source)), resumeScoring);
    const scored = await (source ? request() : holdingFullScoringRequest(modelId, request));
    return { ok: true as const, scored: unlessDeleted(scored) };
  },
  retierStoredScores: async ({ modelId, askedAt }) => {
    const changed = await holdingRetierRequest(modelId, () => runStoredScoresJob(unlessPurgedSince(askedAt, () => runRetier(modelId)), resumeRetier));
    return { ok: true as const, changed: unlessDeleted(changed) };
  },
  // In a worker of its own, under a deadline (check-in-worker.ts). A session the engine holds under
  // the same id may be of other bytes (an earlier import of the id, since deleted): dropped, and a
  // stall of that earlier import no longer holds the id back.
  checkModel: async ({ modelId }) => {
    try {
      await checkModelInWorker(modelId);
    } finally {
      await engine.forget(modelId);
    }
    return { ok: true as const };
  },
});
