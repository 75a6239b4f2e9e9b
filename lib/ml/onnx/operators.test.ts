import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loopModel, onnxModel } from '../../../test/fixtures/onnx-models';
import type { Calibration } from '../manifest';
import { trainModel } from '../train';
import { syntheticLeads } from '../train/synthetic';
import { exportOnnx } from './export';
import { operatorRefusal } from './operators';

const { onnx } = onnxProto;
const GRAPH = onnx.AttributeProto.AttributeType.GRAPH;
const NOT_ONNX = 'model.onnx is not an ONNX model (or is damaged)';
const refusedOperator = (name: string) => `model.onnx uses the operator ${name}, which LeadLens does not run.`;

/** The `contributions` ONNX Runtime computes for two rows of ones. */
async function contributionsOf(bytes: Uint8Array): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ features: new ort.Tensor('float32', new Float32Array(34).fill(1), [2, 17]) });
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
