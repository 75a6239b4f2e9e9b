/**
 * The offscreen engine itself (onnxruntime-web, WASM, in Node): its cached sessions must be
 * the sessions of the bytes a model id has now, not of bytes that id had before, and two
 * models used in turn must not load again each time.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web/wasm';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { checkModelOutputs } from './check-model';
import { checkModelSession, configureEngine, forgetModel, ModelLoadError, ModelRunError, runEngine } from './engine';
import { parseManifest } from './manifest';
import { manifestOf, modelBytes } from './model-store';
import { RUN_SIZES } from './scoring-batch';
import { syntheticRows } from './synthetic-rows';
import { importModel, type ModelCheck } from './model-versions';
import { modelA as a, modelB as b } from '../../test/fixtures/two-small-models';

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

describe('the sessions kept for the two models used last', () => {
  const ids = ['lru-a', 'lru-b', 'lru-c'];
  const loaders = () => ({ a: vi.fn(async () => a.onnx), b: vi.fn(async () => b.onnx), c: vi.fn(async () => a.onnx) });
  const probability = async (id: string, load: () => Promise<Uint8Array>) => (await runEngine(id, load, oneRow, featureCount)).probability[0];

  beforeEach(async () => {
    for (const id of ids) await forgetModel(id);
  });
  afterEach(() => vi.restoreAllMocks());

  it('are not loaded again when two models are used in turn', async () => {
    const load = loaders();
    const scores = [];
    for (const [id, loader] of [['lru-a', load.a], ['lru-b', load.b], ['lru-a', load.a], ['lru-b', load.b]] as const) {
      scores.push(await probability(id, loader));
    }
    expect(load.a).toHaveBeenCalledTimes(1);
    expect(load.b).toHaveBeenCalledTimes(1);
    // Each id still scores with its own model.
    expect(scores[2]).toBe(scores[0]);
    expect(scores[3]).toBe(scores[1]);
    expect(scores[0]).not.toBeCloseTo(scores[1], 4);
  });

  it('make room for a third model by releasing the least recently used, between runs', async () => {
    const load = loaders();
    await probability('lru-a', load.a);
    await probability('lru-b', load.b);
    const events: string[] = [];
    // The factory is the session class at runtime: its prototype's release is every session's.
    const sessionPrototype = (ort.InferenceSession as unknown as { prototype: ort.InferenceSession }).prototype;
    const release = sessionPrototype.release;
    vi.spyOn(sessionPrototype, 'release').mockImplementation(function (this: ort.InferenceSession) {
      events.push('released');
      return release.call(this);
    });
    // Queued together, as a job's runs and another model's are: b, then a, are the two used
    // last when c loads, so b's session goes, after its run and a's are done.
    const scored = (id: string) => () => events.push(`${id} scored`);
    await Promise.all([
      runEngine('lru-b', load.b, oneRow, featureCount).then(scored('b')),
      runEngine('lru-a', load.a, oneRow, featureCount).then(scored('a')),
      runEngine('lru-c', load.c, oneRow, featureCount).then(scored('c')),
    ]);
    expect(events).toEqual(['b scored', 'a scored', 'released', 'c scored']);
    expect([load.a, load.b, load.c].map((loader) => loader.mock.calls.length)).toEqual([1, 1, 1]);
    // a was kept; b was not, and loading it again releases c, now the least recently used.
    await probability('lru-a', load.a);
    await probability('lru-b', load.b);
    expect([load.a, load.b, load.c].map((loader) => loader.mock.calls.length)).toEqual([1, 2, 1]);
    expect(events.filter((event) => event === 'released')).toHaveLength(2);
  });

  it('leave out a model that failed to load, so the next run loads it again, and keep the others', async () => {
    const load = loaders();
    await probability('lru-a', load.a);
    await probability('lru-b', load.b);
    const loadC = vi.fn().mockResolvedValueOnce(new TextEncoder().encode('not an onnx model')).mockResolvedValue(a.onnx);
    await expect(probability('lru-c', loadC)).rejects.toThrow(ModelLoadError);
    await probability('lru-a', load.a);
    await probability('lru-b', load.b);
    expect([load.a, load.b].map((loader) => loader.mock.calls.length)).toEqual([1, 1]);
    await expect(probability('lru-c', loadC)).resolves.toBe(await probability('lru-a', load.a));
    expect(loadC).toHaveBeenCalledTimes(2);
  });
});

describe('the numbers of rows a model runs on', () => {
  const bundledBytes = readFileSync('models/model.onnx');
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  const bundled = parsed.manifest;
  const F = bundled.features.length;
  afterEach(() => vi.restoreAllMocks());

  it('are only those of RUN_SIZES: a run is padded with missing rows, a longer one split, and only the given rows’ outputs come back', async () => {
    const direct = await ort.InferenceSession.create(bundledBytes);
    const sessionPrototype = (ort.InferenceSession as unknown as { prototype: ort.InferenceSession }).prototype;
    const runsOf = [[1, [1]], [3, [4]], [200, [256]], [1000, [1000]], [2500, [1000, 1000, 512]]] as const; // rows given, rows of each run
    for (const [n, runs] of runsOf) {
      const rows = syntheticRows(bundled.features, n, n); // [n * F], no two rows alike
      // What one run on exactly these rows gives, as the engine ran them before.
      const once = await direct.run({ features: new ort.Tensor('float32', rows, [n, F]) });
      const inputs: { dims: readonly number[]; data: Float32Array }[] = []; // copied: the engine disposes of its tensors
      const run = sessionPrototype.run;
      const spy = vi.spyOn(sessionPrototype, 'run').mockImplementation(function (this: ort.InferenceSession, feeds: ort.InferenceSession.FeedsType) {
        inputs.push({ dims: feeds.features.dims, data: Float32Array.from(feeds.features.data as Float32Array) });
        return run.call(this, feeds, {});
      });
      const output = await runEngine('bundled-run-sizes', async () => bundledBytes, rows, F);
      spy.mockRestore();
      expect(output.terms).toBe(bundled.terms.length);
      expect(output.probability).toEqual(once.probability.data);
      expect(output.contributions).toEqual(once.contributions.data);
      // Each run at a size of RUN_SIZES; its rows the next of the given ones, then missing values only.
      let given = 0;
      for (const input of inputs) {
        expect(RUN_SIZES).toContain(input.dims[0]);
        const values = input.data;
        const real = Math.min(input.dims[0], n - given) * F;
        expect(values.subarray(0, real)).toEqual(rows.subarray(given * F, given * F + real));
        expect(values.subarray(real).every(Number.isNaN)).toBe(true);
        given += real / F;
      }
      expect(given).toBe(n);
      expect(inputs.map((input) => input.dims[0])).toEqual(runs);
    }
    await direct.release();
  });

  it('do not include 0: no rows load the model, and run nothing', async () => {
    const load = vi.fn(async () => bundledBytes);
    const sessionPrototype = (ort.InferenceSession as unknown as { prototype: ort.InferenceSession }).prototype;
    const run = vi.spyOn(sessionPrototype, 'run');
    await expect(runEngine('bundled-no-rows', load, new Float32Array(0), F)).resolves.toEqual({ probability: new Float32Array(0), contributions: new Float32Array(0), terms: 0 });
    expect(load).toHaveBeenCalledTimes(1);
    expect(run).not.toHaveBeenCalled();
  });
});

describe('importing a model whose id was imported before with other bytes', () => {
  it('passes manifest A with its own model.onnx after manifest A with model B was refused', async () => {
    const manifestA = JSON.stringify(a.manifest);
    await expect(importModel(manifestA, b.onnx, offscreenCheck)).rejects.toThrow(/do not belong together/);
    await expect(importModel(manifestA, a.onnx, offscreenCheck)).resolves.toMatchObject({ installed: 'added', manifest: { modelId: a.manifest.modelId } });
  });

  it('refuses manifest A with model B after a good A was imported and deleted', async () => {
    const manifestA = JSON.stringify(a.manifest);
    await importModel(manifestA, a.onnx, offscreenCheck);
    await db.models.delete(a.manifest.modelId);
    await expect(importModel(manifestA, b.onnx, offscreenCheck)).rejects.toThrow(/do not belong together/);
  });
});

describe('a model that cannot be checked says why in plain words', () => {
  const importA = (manifest: object, onnx: Uint8Array) => importModel(JSON.stringify(manifest), onnx, offscreenCheck);
  const refused = 'The model did not pass its check and was not imported: ';

  it('names a model.onnx that is not ONNX, or is damaged, as such (a load failure, not a run failure)', async () => {
    const garbage = Uint8Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256);
    const truncated = Uint8Array.from(a.onnx.subarray(0, 4096)).fill(0xff, 16, 512);
    for (const onnx of [new TextEncoder().encode('not an onnx model at all'), garbage, truncated, new Uint8Array(0)]) {
      await expect(importA(a.manifest, onnx)).rejects.toThrow(`${refused}model.onnx is not an ONNX model (or is damaged)`);
    }
    expect(await db.models.count()).toBe(0);
    // Scoring with such bytes says the same, and a good model loads after it.
    const damaged = runEngine('damaged', async () => garbage, oneRow, featureCount);
    await expect(damaged).rejects.toThrow(ModelLoadError);
    await expect(damaged).rejects.toThrow('model.onnx is not an ONNX model (or is damaged)');
    await expect(runEngine('a', async () => a.onnx, oneRow, featureCount)).resolves.toMatchObject({ terms: a.manifest.terms.length });
  });

  it('passes on what ONNX Runtime says of an ONNX model it cannot load for another reason, without its error code', async () => {
    // (An unknown operator is refused before this, by the operator check: onnx/operators.ts.)
    const unknownAttribute = Buffer.from(a.onnx);
    unknownAttribute.write('keepdimz', unknownAttribute.indexOf('keepdims'));
    // Not "Can't create a session. ERROR_CODE: 6, ERROR_MESSAGE: Unrecognized attribute: …".
    await expect(importA(a.manifest, unknownAttribute)).rejects.toThrow(
      new RegExp(`^${refused}model\\.onnx could not be loaded by ONNX Runtime: Unrecognized attribute: keepdimz for operator ReduceSum$`),
    );
  });

  it('passes on ONNX Runtime’s reason without the source file and C++ signature it comes with, for a model that cannot load', async () => {
    // Node 1 goes back to node 0: ONNX Runtime refuses the tree, from tree_ensemble_common.h's AddNodes(…).
    const cycle = treeModel({ featureIds: [0, 0, 0], modes: ['BRANCH_LEQ', 'BRANCH_LEQ', 'LEAF'], trueNodeIds: [1, 0, 0], falseNodeIds: [2, 2, 0], leafNodeIds: [2], weights: [1] });
    const error = await runEngine('cycle', async () => cycle, Float32Array.of(1), 1).catch((thrown: Error) => thrown);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/^model\.onnx could not be loaded by ONNX Runtime: False node must always be the next node/);
    expect((error as Error).message).not.toMatch(/ERROR_|\.h:\d|onnxruntime::|InlinedVector|\[InputType/);
  });

  it('passes on ONNX Runtime’s reason without the source file and C++ signature it comes with, for a run that fails', async () => {
    // A tree reading feature 40 of rows of 3: ONNX Runtime says so from tree_ensemble_common.h's ComputeAgg(…) const [InputType = float, …].
    const outOfBounds = treeModel({ featureIds: [40, 0, 0], modes: ['BRANCH_LEQ', 'LEAF', 'LEAF'], trueNodeIds: [1, 0, 0], falseNodeIds: [2, 0, 0], leafNodeIds: [1, 2], weights: [-1, 1] });
    const run = runEngine('out-of-bounds', async () => outOfBounds, new Float32Array(12), 3);
    await expect(run).rejects.toThrow(ModelRunError);
    await expect(run).rejects.toThrow(/^model\.onnx loaded but failed to score: One path in the graph requests feature 40 but input tensor has 3 features\.$/);
  });

  it('names a manifest.json with another number of features than model.onnx reads, before running it', async () => {
    const last = featureCount - 1;
    const fewer = { ...a.manifest, modelId: 'fewer-features', features: a.manifest.features.slice(0, last), terms: a.manifest.terms.filter((term) => !term.features.includes(last)) };
    await expect(importA(fewer, a.onnx)).rejects.toThrow(
      `${refused}model.onnx reads ${featureCount} features, manifest.json lists ${last}: they are not from the same model`,
    );
    await expect(runEngine('a', async () => a.onnx, new Float32Array(last), last)).rejects.toThrow(`model.onnx reads ${featureCount} features, manifest.json lists ${last}`);
    expect(await db.models.count()).toBe(0);
  });

  it('names a model.onnx whose batch size is fixed, when it loads, not when it first scores several leads', async () => {
    for (const [batchSize, many] of [[1, 'one lead'], [100, '100 leads']] as const) {
      const fixed = identityModel(FLOAT, [batchSize, featureCount]);
      const why = `model.onnx takes ${many} at a time (its batch size is fixed at ${batchSize}): export it with a dynamic first dimension`;
      await expect(importA(a.manifest, fixed)).rejects.toThrow(`${refused}${why}`);
      // Even a run of one lead, which such a model could take, says so: bulk scoring runs many.
      await expect(runEngine(`batch-${batchSize}`, async () => fixed, oneRow, featureCount)).rejects.toThrow(why);
    }
    expect(await db.models.count()).toBe(0);
  });

  it('names a model.onnx that reads another type than float32, when it loads', async () => {
    const float64 = identityModel(DOUBLE, ['N', featureCount]);
    await expect(importA(a.manifest, float64)).rejects.toThrow(`${refused}model.onnx reads float64 features; LeadLens feeds float32: export it with float32 input`);
    await expect(runEngine('float64', async () => float64, oneRow, featureCount)).rejects.toThrow(
      'model.onnx reads float64 features; LeadLens feeds float32: export it with float32 input',
    );
  });

  it('runs a model whose dimensions are left unknown (neither a size nor a name), or that gives its input no shape', async () => {
    for (const [id, onnx] of [['unknown-dimensions', identityModel(FLOAT, [null, null])], ['no-shape', identityModel(FLOAT, undefined)]] as const) {
      const output = await runEngine(id, async () => onnx, Float32Array.of(1, 2, 3, 4, 5, 6), 3);
      expect([...output.contributions]).toEqual([1, 2, 3, 4, 5, 6]);
      expect(output.terms).toBe(3);
    }
  });

  it('names a model.onnx without the input LeadLens feeds', async () => {
    const otherInput = Buffer.from(Buffer.from(a.onnx).toString('latin1').replaceAll('features', 'pixels__'), 'latin1');
    await expect(importA(a.manifest, otherInput)).rejects.toThrow(`${refused}model.onnx has no input named "features" (it has "pixels__"): it is not a LeadLens model`);
  });
});

const { onnx } = onnxProto;
const { FLOAT, DOUBLE, INT64 } = onnx.TensorProto.DataType;
const { INT, INTS, FLOATS, STRINGS } = onnx.AttributeProto.AttributeType;

/** A tensor's type and shape; a dimension of null is neither a size nor a name, a shape undefined is none at all. */
const valueInfo = (name: string, elemType: number, dims?: (number | string | null)[]) => ({
  name,
  type: { tensorType: { elemType, shape: dims && { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : d === null ? {} : { dimValue: d })) } } },
});

/** A model of `nodes` whose outputs are `contributions` [N, T] and `probability` [N], their sum's sigmoid. */
function modelOf(nodes: onnxProto.onnx.INodeProto[], input: ReturnType<typeof valueInfo>, terms: number | string): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }],
    graph: {
      name: 'g',
      node: [
        ...nodes,
        { opType: 'ReduceSum', input: ['contributions', 'axes'], output: ['logit'], attribute: [{ name: 'keepdims', type: INT, i: 0 }] },
        { opType: 'Sigmoid', input: ['logit'], output: ['probability'] },
      ],
      initializer: [{ name: 'axes', dataType: INT64, dims: [1], int64Data: [1] }],
      input: [input],
      output: [valueInfo('probability', FLOAT, ['N']), valueInfo('contributions', FLOAT, ['N', terms])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** A model whose contributions are its features, as float32, read as `elemType` of shape `dims`. */
const identityModel = (elemType: number, dims?: (number | string | null)[]) =>
  modelOf([{ opType: 'Cast', input: ['features'], output: ['contributions'], attribute: [{ name: 'to', type: INT, i: FLOAT }] }], valueInfo('features', elemType, dims), 'F');

/** A model of one tree (nodes 0, 1, 2) over rows [N, F], its leaves' weights summed into one contribution. */
function treeModel(tree: { featureIds: number[]; modes: string[]; trueNodeIds: number[]; falseNodeIds: number[]; leafNodeIds: number[]; weights: number[] }): Uint8Array {
  const attribute = (name: string, type: number, values: object) => ({ name, type, ...values });
  const node = {
    opType: 'TreeEnsembleRegressor',
    domain: 'ai.onnx.ml',
    input: ['features'],
    output: ['contributions'],
    attribute: [
      attribute('n_targets', INT, { i: 1 }),
      attribute('nodes_treeids', INTS, { ints: [0, 0, 0] }),
      attribute('nodes_nodeids', INTS, { ints: [0, 1, 2] }),
      attribute('nodes_featureids', INTS, { ints: tree.featureIds }),
      attribute('nodes_modes', STRINGS, { strings: tree.modes.map((mode) => new TextEncoder().encode(mode)) }),
      attribute('nodes_values', FLOATS, { floats: [0.5, 0.5, 0] }),
      attribute('nodes_truenodeids', INTS, { ints: tree.trueNodeIds }),
      attribute('nodes_falsenodeids', INTS, { ints: tree.falseNodeIds }),
      attribute('target_treeids', INTS, { ints: tree.leafNodeIds.map(() => 0) }),
      attribute('target_nodeids', INTS, { ints: tree.leafNodeIds }),
      attribute('target_ids', INTS, { ints: tree.leafNodeIds.map(() => 0) }),
      attribute('target_weights', FLOATS, { floats: tree.weights }),
    ],
  };
  return modelOf([node], valueInfo('features', FLOAT, ['N', 'F']), 1);
}
