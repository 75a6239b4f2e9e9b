/**
 * The offscreen engine itself (onnxruntime-web, WASM, in Node): its cached session must be
 * the session of the bytes a model id has now, not of bytes that id had before.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { checkModelOutputs } from './check-model';
import { checkModelSession, configureEngine, forgetModel, runEngine } from './engine';
import { manifestOf, modelBytes } from './model-store';
import { importModel, type ModelCheck } from './model-versions';
import { trainModel } from './train';
import { syntheticLeads } from './train/synthetic';

// Two small models with the same features and terms, trained for different outcomes.
const train = (seed: number, positiveShift: number) =>
  trainModel({
    records: syntheticLeads(600, seed, { positiveShift }),
    target: 'converted',
    positive: '1',
    exclude: ['id'],
    options: { cv: 2, seed, ebm: { outerBags: 1, interactions: 1 } },
  });
const a = train(1, 0);
const b = train(2, 1);
const featureCount = a.manifest.features.length;
const oneRow = new Float32Array(featureCount).fill(Number.NaN);

/** What the offscreen document's `checkModel` answers the options page. */
const offscreenCheck: ModelCheck = async (modelId) => {
  const manifest = await manifestOf(modelId);
  return checkModelSession(modelId, () => modelBytes(modelId), (run) => checkModelOutputs(manifest, run)).then(
    () => ({ ok: true as const }),
    (error: Error) => ({ ok: false as const, error: error.message }),
  );
};

beforeAll(() => configureEngine());
afterEach(() => vi.unstubAllGlobals());
beforeEach(async () => {
  stubWebLocks(); // an import holds its model's import lock until the engine's verdict
  await db.models.clear();
  await forgetModel(a.manifest.modelId);
});

describe('the cached session', () => {
  it('differs between the two models (else the tests below prove nothing)', async () => {
    const [outA, outB] = [await runEngine('a', async () => a.onnx, oneRow, featureCount), await runEngine('b', async () => b.onnx, oneRow, featureCount)];
    expect(outA.probability[0]).not.toBeCloseTo(outB.probability[0], 4);
  });

  it('is kept for the same model id, and loaded again after forgetModel', async () => {
    const first = await runEngine('same-id', async () => a.onnx, oneRow, featureCount);
    const cached = await runEngine('same-id', async () => b.onnx, oneRow, featureCount);
    expect(cached.probability[0]).toBe(first.probability[0]);
    await forgetModel('same-id');
    const reloaded = await runEngine('same-id', async () => b.onnx, oneRow, featureCount);
    expect(reloaded.probability[0]).toBe((await runEngine('b', async () => b.onnx, oneRow, featureCount)).probability[0]);
  });
});

describe('importing a model whose id was imported before with other bytes', () => {
  it('passes manifest A with its own model.onnx after manifest A with model B was refused', async () => {
    const manifestA = JSON.stringify(a.manifest);
    await expect(importModel(manifestA, b.onnx, offscreenCheck)).rejects.toThrow(/do not belong together/);
    await expect(importModel(manifestA, a.onnx, offscreenCheck)).resolves.toMatchObject({ modelId: a.manifest.modelId });
  });

  it('refuses manifest A with model B after a good A was imported and deleted', async () => {
    const manifestA = JSON.stringify(a.manifest);
    await importModel(manifestA, a.onnx, offscreenCheck);
    await db.models.delete(a.manifest.modelId);
    await expect(importModel(manifestA, b.onnx, offscreenCheck)).rejects.toThrow(/do not belong together/);
  });
});
