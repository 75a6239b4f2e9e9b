import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, expect, it } from 'vitest';
import { checkModelOutputs } from './check-model';
import type { EngineOutput } from './engine';
import { parseManifest, type Manifest } from './manifest';

let manifest: Manifest;
const bundledBytes = readFileSync('models/model.onnx');

beforeAll(() => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  manifest = parsed.manifest;
});

/** The engine's run, in onnxruntime-node, on a model given as bytes (as imported models are). */
function runOn(bytes: Uint8Array) {
  return async (rows: Float32Array, featureCount: number): Promise<EngineOutput> => {
    const session = await ort.InferenceSession.create(bytes);
    try {
      const n = rows.length / featureCount;
      const out = await session.run({ features: new ort.Tensor('float32', rows, [n, featureCount]) });
      const contributions = out.contributions.data as Float32Array; // [N * T]
      return { probability: out.probability.data as Float32Array, contributions, terms: contributions.length / n };
    } finally {
      await session.release();
    }
  };
}

/** The bundled model's run, with its output changed by `alter`. */
const alteredRun = (alter: (output: EngineOutput) => EngineOutput) => async (rows: Float32Array, featureCount: number) =>
  alter(await runOn(bundledBytes)(rows, featureCount));

it('passes the bundled model', async () => {
  await expect(checkModelOutputs(manifest, runOn(bundledBytes))).resolves.toBeUndefined();
});

it('fails a model whose bytes are corrupt, with the loader’s error', async () => {
  const corrupt = Uint8Array.from(bundledBytes.subarray(0, 4096));
  corrupt.fill(0xff, 16, 512);
  await expect(checkModelOutputs(manifest, runOn(corrupt))).rejects.toThrow();
  await expect(checkModelOutputs(manifest, runOn(new TextEncoder().encode('not an onnx model')))).rejects.toThrow();
});

it('fails a model whose manifest lists other terms than it computes', async () => {
  const fewerTerms = { ...manifest, terms: manifest.terms.slice(1) };
  await expect(checkModelOutputs(fewerTerms, runOn(bundledBytes))).rejects.toThrow(
    `The model returned ${manifest.terms.length} contributions per lead, but its manifest lists ${manifest.terms.length - 1} terms`,
  );
});

it('fails outputs that are not one probability in 0–1 per row', async () => {
  const logits = alteredRun((output) => ({ ...output, probability: output.probability.map((p) => Math.log(p / (1 - p))) }));
  await expect(checkModelOutputs(manifest, logits)).rejects.toThrow('The model returned probabilities outside 0–1');
  const missing = alteredRun((output) => ({ ...output, probability: output.probability.map(() => Number.NaN) }));
  await expect(checkModelOutputs(manifest, missing)).rejects.toThrow('outside 0–1');
  const oneRow = alteredRun((output) => ({ ...output, probability: output.probability.subarray(0, 1) }));
  await expect(checkModelOutputs(manifest, oneRow)).rejects.toThrow('The model returned 1 probabilities for 2 rows');
});
