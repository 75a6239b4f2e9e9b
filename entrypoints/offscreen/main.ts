/**
 * The offscreen document: home of the one ONNX Runtime session. It answers the engine's
 * messages from the background and nothing else.
 */
import { checkModelSession, configureEngine, runEngine } from '@/lib/ml/engine';
import { STORED_SCORES_LOCK } from '@/lib/jobs/progress';
import { resumeUnfinishedScoringJob, runScoringJob } from '@/lib/ml/bulk-score';
import { checkModelOutputs } from '@/lib/ml/check-model';
import { resumeUnfinishedRetierJob, runRetierJob } from '@/lib/ml/retier';
import { activeManifest, manifestOf, modelBytes } from '@/lib/ml/model-store';
import { syntheticRows } from '@/lib/ml/synthetic-rows';
import { measureThroughput } from '@/lib/ml/throughput';
import { offscreenProtocol } from '@/lib/messaging/protocol';
import { registerHandlers } from '@/lib/messaging/rpc';

configureEngine();

async function scoringDeps(modelId: string) {
  const manifest = await manifestOf(modelId);
  const runModel = (rows: Float32Array, featureCount: number) => runEngine(modelId, () => modelBytes(modelId), rows, featureCount);
  return { manifest, runModel, now: new Date() };
}

// Jobs left unfinished by a closed offscreen document continue here; new requests wait for
// them so two jobs never share a progress row.
const resumedScoring = navigator.locks
  .request(STORED_SCORES_LOCK, () => resumeUnfinishedScoringJob(scoringDeps))
  .catch((error: unknown) => console.error('LeadLens: resuming bulk scoring failed', error));
const resumedRetier = navigator.locks
  .request(STORED_SCORES_LOCK, () => resumeUnfinishedRetierJob(async (modelId) => (await manifestOf(modelId)).tiers))
  .catch((error: unknown) => console.error('LeadLens: resuming re-tiering failed', error));

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
    const output = await runEngine(modelId, () => modelBytes(modelId), flat, featureCount);
    const contributions: number[][] = [];
    for (let i = 0; i < rows.length; i++) {
      contributions.push(Array.from(output.contributions.subarray(i * output.terms, (i + 1) * output.terms)));
    }
    return { ok: true as const, probability: Array.from(output.probability), contributions };
  },
  engineBenchmark: async ({ rowCounts, seed }) => {
    const { modelId, features } = await activeManifest();
    const results = [];
    for (const count of rowCounts) {
      const rows = syntheticRows(features, count, seed); // [count * F]
      results.push(await measureThroughput(() => runEngine(modelId, () => modelBytes(modelId), rows, features.length), count));
    }
    return { ok: true as const, modelId, results };
  },
  scoreStoredLeads: async ({ modelId, source }) => {
    await resumedScoring;
    const scored = await navigator.locks.request(STORED_SCORES_LOCK, async () => runScoringJob(await scoringDeps(modelId), { source }));
    return { ok: true as const, scored };
  },
  retierStoredScores: async ({ modelId }) => {
    await resumedRetier;
    // The tiers as stored now: the policy the admin just applied.
    const changed = await navigator.locks.request(STORED_SCORES_LOCK, async () => runRetierJob(modelId, (await manifestOf(modelId)).tiers));
    return { ok: true as const, changed };
  },
  checkModel: async ({ modelId }) => {
    const manifest = await manifestOf(modelId);
    await checkModelSession(modelId, () => modelBytes(modelId), (run) => checkModelOutputs(manifest, run));
    return { ok: true as const };
  },
});
