/**
 * The bundled model (models/manifest.json, models/model.onnx) as ONNX Runtime for Node runs it, for
 * tests that score stored leads with it. Call at a test file's top level: the session opens before
 * the file's tests and is released after them.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll } from 'vitest';
import type { EngineOutput, EngineRun } from '../lib/ml/engine';
import { parseManifest, type Manifest } from '../lib/ml/manifest';

/** The bundled model's manifest, parsed as LeadLens parses it. */
export function bundledManifest(): Manifest {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
}

export function bundledModelSession(): { manifest: Manifest; runModel: EngineRun } {
  const manifest = bundledManifest();

  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await ort.InferenceSession.create('models/model.onnx', { intraOpNumThreads: 1 });
  });
  afterAll(() => session.release());

  /** The model run on `rows` (one lead's features after another), as the engine's `runModel` answers. */
  async function runModel(rows: Float32Array, featureCount: number): Promise<EngineOutput> {
    const n = rows.length / featureCount;
    const out = await session.run({ features: new ort.Tensor('float32', rows, [n, featureCount]) });
    const contributions = out.contributions.data as Float32Array;
    return { probability: out.probability.data as Float32Array, contributions, terms: contributions.length / n };
  }
  return { manifest, runModel };
}
