/**
 * The engine worker's file itself, run in this thread with `self` standing in for the worker's
 * global, scoring with the real engine (onnxruntime-web, WASM) a model stored in IndexedDB: a run
 * answers the engine's outputs, a failure its error's name and message, a forget drops the session.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { storeModel } from '../../test/fixtures/stored-model';
import { db } from '../db/db';
import { runEngine } from './engine';
import { EngineWorkerReplySchemas, type EngineWorkerRequest } from './engine-worker-protocol';
import { NOT_ONNX } from './onnx/operators';
import { syntheticRows } from './synthetic-rows';
import { modelA as a, modelB as b } from '../../test/fixtures/two-small-models';

const featureCount = a.manifest.features.length;
const rows = syntheticRows(a.manifest.features, 3, 7); // [3 * F]

/** The worker's global: its listeners, and what it posted. */
const workerGlobal = Object.assign(new EventTarget(), { postMessage: vi.fn() });

/** The worker's reply to `request`, as posted. */
async function ask(request: EngineWorkerRequest | Record<string, unknown>): Promise<unknown> {
  workerGlobal.postMessage.mockClear();
  workerGlobal.dispatchEvent(new MessageEvent('message', { data: request }));
  await vi.waitFor(() => expect(workerGlobal.postMessage).toHaveBeenCalledOnce(), { timeout: 10_000 });
  return workerGlobal.postMessage.mock.calls[0][0];
}

beforeAll(async () => {
  vi.stubGlobal('self', workerGlobal);
  await import('./engine-worker');
});
afterAll(() => vi.unstubAllGlobals());
beforeEach(async () => {
  await db.models.clear();
  await storeModel(a.manifest, a.onnx, 'trained');
});

it('answers a run with the engine’s outputs for the stored model’s bytes', async () => {
  const reply = EngineWorkerReplySchemas.run.parse(await ask({ kind: 'run', modelId: a.manifest.modelId, rows, featureCount }));
  const direct = await runEngine('a-direct', async () => a.onnx, rows, featureCount);
  expect(reply).toEqual({ ok: true, output: direct });
  expect(reply.ok && reply.output.probability.length).toBe(3);
  // Its arrays are moved to the document, not copied.
  const [, { transfer }] = workerGlobal.postMessage.mock.calls[0] as [unknown, { transfer: ArrayBuffer[] }];
  expect(reply.ok && transfer).toEqual([reply.ok && reply.output.probability.buffer, reply.ok && reply.output.contributions.buffer]);
});

it('names the engine’s failure as it was thrown, and a request it cannot read', async () => {
  await expect(ask({ kind: 'run', modelId: 'gone', rows, featureCount })).resolves.toEqual({ ok: false, name: 'Error', message: 'Model gone is not installed' });
  await storeModel({ ...a.manifest, modelId: 'garbage' }, new TextEncoder().encode('not a model'), 'imported');
  await expect(ask({ kind: 'run', modelId: 'garbage', rows, featureCount })).resolves.toEqual({ ok: false, name: 'ModelLoadError', message: NOT_ONNX });
  const malformed = { ok: false, name: 'Error', message: 'The scoring engine got a malformed request.' };
  await expect(ask({ kind: 'run', modelId: a.manifest.modelId, rows: Array.from(rows), featureCount })).resolves.toEqual(malformed);
  await expect(ask({ kind: 'score', modelId: a.manifest.modelId })).resolves.toEqual(malformed);
});

it('keeps a model’s session until asked to forget it, then loads the bytes stored under its id', async () => {
  const id = a.manifest.modelId;
  const probabilities = async () => {
    const reply = EngineWorkerReplySchemas.run.parse(await ask({ kind: 'run', modelId: id, rows, featureCount }));
    if (!reply.ok) throw new Error(reply.message);
    return Array.from(reply.output.probability);
  };
  const ofA = await probabilities();
  await storeModel({ ...b.manifest, modelId: id }, b.onnx, 'trained'); // the id imported again, with other bytes
  expect(await probabilities()).toEqual(ofA); // the kept session
  await expect(ask({ kind: 'forget', modelId: id })).resolves.toEqual({ ok: true });
  const ofB = await probabilities();
  expect(ofB).not.toEqual(ofA);
  expect(ofB).toEqual(Array.from((await runEngine('b-direct', async () => b.onnx, rows, featureCount)).probability));
});

it('times the engine on synthetic rows of the model’s features, in the worker', async () => {
  const reply = EngineWorkerReplySchemas.benchmark.parse(await ask({ kind: 'benchmark', modelId: a.manifest.modelId, rowCounts: [10], seed: 1 }));
  if (!reply.ok) throw new Error(reply.message);
  expect(reply.results).toHaveLength(1);
  expect(reply.results[0]).toMatchObject({ rows: 10 });
  expect(reply.results[0].runs).toBeGreaterThanOrEqual(5);
  expect(reply.results[0].rowsPerSecond).toBeCloseTo(10 / reply.results[0].medianSeconds, 6);
});
