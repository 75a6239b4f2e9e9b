/**
 * The offscreen document: home of the one ONNX Runtime session. It answers the engine's
 * messages from the background and nothing else.
 */
import { configureEngine, runEngine } from '@/lib/ml/engine';
import { bundledModel } from '@/lib/ml/bundled-model';
import { syntheticRows } from '@/lib/ml/synthetic-rows';
import { measureThroughput } from '@/lib/ml/throughput';
import { offscreenProtocol } from '@/lib/messaging/protocol';
import { registerHandlers } from '@/lib/messaging/rpc';

configureEngine();

async function loadModelBytes(modelId: string): Promise<Uint8Array> {
  const bundled = bundledModel.manifest();
  if (!bundled.ok || bundled.manifest.modelId !== modelId) throw new Error(`Model ${modelId} is not available`);
  const response = await fetch(bundledModel.url);
  if (!response.ok) throw new Error(`The model file is missing (${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
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
    const output = await runEngine(modelId, () => loadModelBytes(modelId), flat, featureCount);
    const contributions: number[][] = [];
    for (let i = 0; i < rows.length; i++) {
      contributions.push(Array.from(output.contributions.subarray(i * output.terms, (i + 1) * output.terms)));
    }
    return { ok: true as const, probability: Array.from(output.probability), contributions };
  },
  engineBenchmark: async ({ rowCounts, seed }) => {
    const bundled = bundledModel.manifest();
    if (!bundled.ok) return { ok: false as const, error: bundled.error };
    const { modelId, features } = bundled.manifest;
    const results = [];
    for (const count of rowCounts) {
      const rows = syntheticRows(features, count, seed); // [count * F]
      results.push(await measureThroughput(() => runEngine(modelId, () => loadModelBytes(modelId), rows, features.length), count));
    }
    return { ok: true as const, modelId, results };
  },
});
