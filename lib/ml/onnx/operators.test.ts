import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loopModel, onnxModel, withValueSizedBranch } from '../../../test/fixtures/onnx-models';
import type { Calibration } from '../manifest';
import { trainModel } from '../train';
import { syntheticLeads } from '../train/synthetic';
import { exportOnnx } from './export';
import { operatorRefusal } from './operators';

const { onnx } = onnxProto;
const GRAPH = onnx.AttributeProto.AttributeType.GRAPH;
const NOT_ONNX = 'model.onnx is not an ONNX model (or is damaged)';
const refusedOperator = (name: string) => `model.onnx uses the operator ${name}, which LeadLens does not run.`;

/** The `contributions` ONNX Runtime computes for two rows of `rows` (17 features each; two rows of ones unless given). */
async function contributionsOf(bytes: Uint8Array, rows = new Float32Array(34).fill(1)): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ features: new ort.Tensor('float32', rows, [2, 17]) });
    return Array.from(out.contributions.data as Float32Array);
  } finally {
    await session.release();
  }
}

describe('models LeadLens makes pass', () => {
  it('passes the bundled model', () => {
    expect(operatorRefusal(readFileSync('models/model.onnx'))).toBeNull();
  });

  it('passes what the trainer exports, with each calibration', () => {
    const trained = trainModel({
      records: syntheticLeads(400, 5),
      target: 'converted',
      positive: '1',
      exclude: ['id'],
      options: { cv: 2, seed: 5, ebm: { outerBags: 1, interactions: 2 } },
    });
    expect(operatorRefusal(trained.onnx)).toBeNull();
    const calibrations: Calibration[] = [
      { kind: 'none' },
      { kind: 'platt', a: 0.9, b: -0.1 },
      { kind: 'isotonic', logits: [-3, -1, 0, 2], probabilities: [0.02, 0.1, 0.3, 0.9] },
    ];
    for (const calibration of calibrations) {
      const bytes = exportOnnx(trained.model, { nFeatures: trained.manifest.features.length, calibration });
      expect(operatorRefusal(bytes), calibration.kind).toBeNull();
    }
  });
});

describe('operators that could run without end are refused', () => {
  it('refuses the reviewer’s Loop model, naming Loop (ONNX Runtime would run it)', async () => {
    expect((await contributionsOf(loopModel(3)))[0]).toBe(1 + 3 * 2 ** -23); // 3 steps of × float32(1.0000001) = 1 + 2⁻²³
    expect(operatorRefusal(loopModel(2e9))).toBe(
      `${refusedOperator('"Loop"')} A model may use arithmetic, comparisons, linear models and tree ensembles, not loops, branches or other operators: one that never finished would stop all scoring.`,
    );
  });

  it('refuses a Loop followed by a second, empty graph, which onnx-proto’s decoder would take for the whole graph', async () => {
    const hidden = Uint8Array.from([...loopModel(3), 0x3a, 0x00]); // field 7 (graph), 0 bytes long
    expect(onnx.ModelProto.decode(hidden).graph?.node).toEqual([]);
    expect((await contributionsOf(hidden))[0]).toBeGreaterThan(1); // ONNX Runtime merges the two and runs the Loop
    expect(operatorRefusal(hidden)).toContain(refusedOperator('"Loop"'));
  });

  it('refuses Scan, If and operators of other domains, even under an allowed name', () => {
    expect(operatorRefusal(onnxModel([{ opType: 'Scan', input: ['features'], output: ['contributions'] }]))).toContain(refusedOperator('"Scan"'));
    expect(operatorRefusal(onnxModel([{ opType: 'If', input: ['features'], output: ['contributions'] }]))).toContain(refusedOperator('"If"'));
    expect(operatorRefusal(onnxModel([{ opType: 'Add', domain: 'com.example', input: ['features', 'features'], output: ['contributions'] }]))).toContain(
      refusedOperator('"Add" (domain com.example)'),
    );
    expect(operatorRefusal(onnxModel([{ opType: 'Expand', input: ['features', 'shape'], output: ['contributions'] }]))).toContain(refusedOperator('"Expand"'));
  });

  it('refuses an allowed operator that carries a graph', () => {
    const body = { name: 'body', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }] };
    const identity = { opType: 'Identity', input: ['features'], output: ['contributions'], attribute: [{ name: 'body', type: GRAPH, g: body }] };
    expect(operatorRefusal(onnxModel([identity]))).toContain('model.onnx gives the operator "Identity" a graph to run inside it, which LeadLens does not allow.');
  });

  it('refuses a model that defines operators of its own', () => {
    const model = onnx.ModelProto.decode(onnxModel([{ opType: 'Identity', input: ['features'], output: ['contributions'] }]));
    model.functions = [onnx.FunctionProto.create({ name: 'Spin', domain: 'example', node: [{ opType: 'Loop' }] })];
    expect(operatorRefusal(onnx.ModelProto.encode(model).finish())).toContain('model.onnx defines operators of its own (ONNX functions), which LeadLens does not run.');
  });
});

describe('sizes that a lead’s values could set are refused', () => {
  const CONSTANT_SIZES_RULE =
    'The shapes, slices and axes a model works with must be written in it as constants: sizes that depend on a lead’s values could make one lead’s scoring take hours and stop all scoring.';
  const notConstant = (operator: string, role: string, name: string) =>
    `model.onnx gives the operator ${operator} its ${role} from "${name}", which is not a constant of the model. ${CONSTANT_SIZES_RULE}`;
  const { INT64 } = onnx.TensorProto.DataType;
  const int64s = (name: string, values: number[]) => ({ name, dataType: INT64, dims: [values.length], int64Data: values });

  it('refuses the bundled model with a branch as large as one lead’s annual revenue, which scores as the bundled model does', async () => {
    const bundled = readFileSync('models/model.onnx');
    const ANNUAL_REVENUE = 2; // the bundled manifest's third feature
    const trojan = withValueSizedBranch(bundled, { feature: ANNUAL_REVENUE, trigger: 4242, side: 30, matMuls: 2 });
    // ONNX Runtime runs it, and the branch adds nothing, with or without a lead holding 4242 (the review's
    // side of 3,000 and 10 products: a batch of 1,000 leads took 34 s instead of 1 ms).
    const triggering = new Float32Array(34).fill(1);
    triggering[17 + ANNUAL_REVENUE] = 4242;
    for (const rows of [new Float32Array(34).fill(1), triggering]) {
      expect(await contributionsOf(trojan, rows)).toEqual(await contributionsOf(bundled, rows));
    }
    expect(operatorRefusal(trojan)).toBe(notConstant('"Slice"', 'ends', 'value_sized_length'));
  });

  // Each operator that reads a size from a tensor, given one computed from the features (their Shape).
  it.each([
    ['Reshape', 'shape', ['features', 'computed']],
    ['Slice', 'starts', ['features', 'computed', 'ends']],
    ['Slice', 'ends', ['features', 'starts', 'computed']],
    ['Slice', 'axes', ['features', 'starts', 'ends', 'computed']],
    ['Slice', 'steps', ['features', 'starts', 'ends', '', 'computed']],
    ['Split', 'split sizes', ['features', 'computed']],
    ['Squeeze', 'axes', ['features', 'computed']],
    ['Unsqueeze', 'axes', ['features', 'computed']],
    ['ReduceSum', 'axes', ['features', 'computed']],
    ['ReduceMean', 'axes', ['features', 'computed']],
    ['ReduceMax', 'axes', ['features', 'computed']],
    ['ReduceMin', 'axes', ['features', 'computed']],
  ])('refuses %s given its %s from a computed tensor', (opType, role, input) => {
    const model = onnxModel(
      [
        { opType: 'Shape', input: ['features'], output: ['computed'] },
        { opType, input, output: ['contributions'] },
      ],
      { initializer: [int64s('starts', [0]), int64s('ends', [1])] },
    );
    expect(operatorRefusal(model)).toBe(notConstant(`"${opType}"`, role, 'computed'));
  });

  it('passes a size from an initializer the graph also lists as an input, as older exporters list every one: the engine feeds features alone', () => {
    const listed = onnx.ModelProto.decode(onnxModel([{ opType: 'Reshape', input: ['features', 'shape'], output: ['contributions'] }], { initializer: [int64s('shape', [-1, 17])] }));
    listed.graph!.input!.push({ name: 'shape', type: { tensorType: { elemType: INT64, shape: { dim: [{ dimValue: 2 }] } } } });
    expect(operatorRefusal(onnx.ModelProto.encode(listed).finish())).toBeNull();
  });

  it('refuses a size from the features fed, or from an initializer that a node also computes', () => {
    expect(operatorRefusal(onnxModel([{ opType: 'Reshape', input: ['features', 'features'], output: ['contributions'] }]))).toBe(notConstant('"Reshape"', 'shape', 'features'));
    // An initializer named as the features is fed over all the same.
    expect(operatorRefusal(onnxModel([{ opType: 'Reshape', input: ['features', 'features'], output: ['contributions'] }], { initializer: [int64s('features', [-1, 17])] }))).toBe(
      notConstant('"Reshape"', 'shape', 'features'),
    );
    const shadowed = onnxModel(
      [
        { opType: 'Shape', input: ['features'], output: ['shape'] },
        { opType: 'Reshape', input: ['features', 'shape'], output: ['contributions'] },
      ],
      { initializer: [int64s('shape', [-1, 17])] },
    );
    expect(operatorRefusal(shadowed)).toBe(notConstant('"Reshape"', 'shape', 'shape'));
  });

  it('refuses a size that no initializer or node gives', () => {
    expect(operatorRefusal(onnxModel([{ opType: 'Reshape', input: ['features', 'nowhere'], output: ['contributions'] }]))).toBe(
      notConstant('"Reshape"', 'shape', 'nowhere'),
    );
  });

  it('passes Slice, Reshape and Unsqueeze given initializers or Constant nodes, which ONNX Runtime runs', async () => {
    const TENSOR = onnx.AttributeProto.AttributeType.TENSOR;
    const model = onnxModel(
      [
        { opType: 'Constant', output: ['ends'], attribute: [{ name: 'value', type: TENSOR, t: int64s('', [17]) }] },
        { opType: 'Slice', input: ['features', 'starts', 'ends', '', 'steps'], output: ['sliced'] }, // axes left out
        { opType: 'Reshape', input: ['sliced', 'flat'], output: ['flattened'] },
        { opType: 'Unsqueeze', input: ['flattened', 'axes'], output: ['column'] },
        { opType: 'Reshape', input: ['column', 'rows'], output: ['contributions'] },
        { opType: 'ReduceSum', input: ['contributions', 'axes'], output: ['sum'], attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
        { opType: 'Sigmoid', input: ['sum'], output: ['probability'] },
      ],
      { initializer: [int64s('starts', [0]), int64s('steps', [1]), int64s('flat', [-1]), int64s('axes', [1]), int64s('rows', [-1, 17])] },
    );
    expect(await contributionsOf(model)).toEqual(new Array(34).fill(1));
    expect(operatorRefusal(model)).toBeNull();
  });
});

describe('bytes that are not an ONNX model are refused', () => {
  const bundled = readFileSync('models/model.onnx');

  it.each([
    ['text', new TextEncoder().encode('not an onnx model')],
    ['a manifest.json', readFileSync('models/manifest.json')],
    ['a model cut short', bundled.subarray(0, 4096)],
    ['bytes after the model that are not protobuf', Uint8Array.from([...bundled, 0xff])],
  ])('refuses %s', (_what, bytes) => {
    expect(operatorRefusal(bytes)).toBe(NOT_ONNX);
  });

  it('refuses an empty file or one without a graph', () => {
    expect(operatorRefusal(new Uint8Array())).toBe(`${NOT_ONNX}: it holds no graph`);
    expect(operatorRefusal(onnx.ModelProto.encode({ irVersion: 8 }).finish())).toBe(`${NOT_ONNX}: it holds no graph`);
  });

  it('refuses a node whose operator is not written as a string, rather than read it otherwise than ONNX Runtime', () => {
    const node = [0x22, 0x04, ...new TextEncoder().encode('Loop'), 0x20, 0x03]; // op_type "Loop", then field 4 as a number
    const graph = [0x0a, node.length, ...node];
    expect(operatorRefusal(Uint8Array.from([0x3a, graph.length, ...graph]))).toBe(NOT_ONNX);
  });
});
