/**
 * ONNX writer for the explainable-boosting model (via `onnx-proto`). Pure, no Node APIs.
 *
 * Graph (input `features` float32 [N, F], dynamic N):
 *
 *   features ─ TreeEnsembleRegressor (ai.onnx.ml opset 3, n_targets = T) ─▶ contributions [N, T]
 *   contributions ─ ReduceSum(axes = [1]) ─ Add(intercept) ─▶ logit [N]        (none, platt)
 *   contributions ─ Split ─ Add, Add, … in term order ─ Add(intercept) ─▶ logit [N, 1]   (isotonic)
 *   logit ─ calibration ─▶ probability [N]
 *
 * Each term is one tree writing to its own target: a main effect is a one-feature tree over
 * the feature's bins, an interaction a two-feature tree (splits on the first feature, then
 * on the second). Thresholds are the trainer's float32 cut points with `BRANCH_LEQ`; the
 * missing bin is reached through a root node whose threshold is NaN (`x <= NaN` is false for
 * every number) with `nodes_missing_value_tracks_true = 1`, so exactly the NaN inputs take it.
 * Neighbouring bins with equal values share a leaf.
 *
 * The logit sum: ReduceSum adds in an order of its own (in blocks), a float32 step or two from
 * the trainer's sum in term order. Through a smooth map (sigmoid) that moves a probability by
 * under 1e-6; an isotonic map can rise 0.02 across 3e-5 logit, so such a step moved probabilities
 * by up to 1.7e-4. With isotonic calibration the graph therefore adds the terms one by one in term order,
 * as the trainer does (`predictEbm`): each Add rounds once to float32, so the logit is the
 * trainer's to the bit.
 *
 * Calibration in the graph:
 *   none      p = Sigmoid(logit)
 *   platt     p = Sigmoid(a · logit + b)                       (Mul, Add, Sigmoid)
 *   isotonic  piecewise-linear through the knots, flat outside: a second one-feature tree on
 *             the logit picks the segment and returns its start, width, low, rise and high
 *             (5 targets, Split), then p = min(low + rise · clip((logit − start) / width, 0, 1), high)
 *             (Sub, Div, Clip, Mul, Add, Min, Squeeze). Not slope · logit + offset: between two
 *             knots a few float32 steps apart the slope is in the millions, and its rounding sent
 *             probabilities outside the knots' range. The clip and the min keep each segment
 *             between its two knots' probabilities, so the map never decreases.
 */
import onnxProto from 'onnx-proto';
import type { Calibration } from '../manifest';
import type { EbmModel } from '../train/ebm';

const { onnx } = onnxProto;

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const ONNX_ML_OPSET = 3;

/** Flat node arrays of a TreeEnsembleRegressor (attribute layout). */
class TreeArrays {
  treeIds: number[] = [];
  nodeIds: number[] = [];
  featureIds: number[] = [];
  modes: string[] = [];
  values: number[] = [];
  trueIds: number[] = [];
  falseIds: number[] = [];
  missingTrue: number[] = [];
  targetTree: number[] = [];
  targetNode: number[] = [];
  targetIds: number[] = [];
  targetWeights: number[] = [];
  private next = 0; // next node id of the current tree
  private tree = -1;

  startTree(): void {
    this.tree++;
    this.next = 0;
  }
  private add(mode: string, feature: number, value: number, missingTrue: number): number {
    const id = this.next++;
    this.treeIds.push(this.tree);
    this.nodeIds.push(id);
    this.featureIds.push(feature);
    this.modes.push(mode);
    this.values.push(value);
    this.trueIds.push(0);
    this.falseIds.push(0);
    this.missingTrue.push(missingTrue);
    return id;
  }
  private index(id: number): number {
    return this.nodeIds.length - (this.next - id); // nodes of the current tree are the last `next`
  }
  branch(feature: number, threshold: number, missingTrue: number): number {
    return this.add('BRANCH_LEQ', feature, threshold, missingTrue);
  }
  setChildren(id: number, trueId: number, falseId: number): void {
    const k = this.index(id);
    this.trueIds[k] = trueId;
    this.falseIds[k] = falseId;
  }
  leaf(weights: [target: number, weight: number][]): number {
    const id = this.add('LEAF', 0, 0, 0);
    for (const [target, weight] of weights) {
      if (weight === 0) continue;
      this.targetTree.push(this.tree);
      this.targetNode.push(id);
      this.targetIds.push(target);
      this.targetWeights.push(weight);
    }
    return id;
  }
}

/**
 * A balanced tree over fine bins 1…B of `feature` whose leaf for bin k is `leafOf(key(k))`;
 * runs of bins with equal keys share one leaf. Returns the root node id.
 */
function intervalTree(
  t: TreeArrays,
  feature: number,
  cuts: Float32Array,
  key: (bin: number) => number,
  leafOf: (key: number) => number,
): number {
  const B = cuts.length + 1;
  const ends: number[] = []; // last bin of each run
  const keys: number[] = [];
  for (let k = 1; k <= B; k++) {
    const kk = key(k);
    if (keys.length > 0 && Object.is(keys[keys.length - 1], kk)) ends[ends.length - 1] = k;
    else {
      keys.push(kk);
      ends.push(k);
    }
  }
  const build = (i: number, j: number): number => {
    if (i === j) return leafOf(keys[i]);
    const mid = (i + j) >> 1;
    // bins ≤ ends[mid] ⇔ x <= cuts[ends[mid] − 1]
    const id = t.branch(feature, cuts[ends[mid] - 1], 0);
    const left = build(i, mid);
    const right = build(mid + 1, j);
    t.setChildren(id, left, right);
    return id;
  };
  return build(0, keys.length - 1);
}

/** Root that sends NaN to `missing()` and everything else to `present()`. */
function missingSplit(t: TreeArrays, feature: number, missing: () => number, present: () => number): number {
  const id = t.branch(feature, Number.NaN, 1);
  const m = missing();
  const p = present();
  t.setChildren(id, m, p);
  return id;
}

function addTermTrees(t: TreeArrays, model: EbmModel): void {
  model.terms.forEach((term, target) => {
    t.startTree();
    const v = term.values;
    if (term.features.length === 1) {
      const f = term.features[0];
      const cuts = model.cuts[f];
      if (cuts.length === 0) {
        missingSplit(t, f, () => t.leaf([[target, v[0]]]), () => t.leaf([[target, v[1]]]));
        return;
      }
      missingSplit(
        t, f,
        () => t.leaf([[target, v[0]]]),
        () => intervalTree(t, f, cuts, (k) => v[k], (w) => t.leaf([[target, w]])),
      );
      return;
    }
    const [a, b] = term.features;
    const [mapA, mapB] = term.maps!;
    const nB = term.shape![1];
    const cutsA = model.cuts[a];
    const cutsB = model.cuts[b];
    const bTree = (ca: number): number =>
      missingSplit(
        t, b,
        () => t.leaf([[target, v[ca * nB + mapB[0]]]]),
        () =>
          cutsB.length === 0
            ? t.leaf([[target, v[ca * nB + mapB[1]]]])
            : intervalTree(t, b, cutsB, (k) => v[ca * nB + mapB[k]], (w) => t.leaf([[target, w]])),
      );
    missingSplit(
      t, a,
      () => bTree(mapA[0]),
      () => (cutsA.length === 0 ? bTree(mapA[1]) : intervalTree(t, a, cutsA, (k) => mapA[k], (ca) => bTree(ca))),
    );
  });
}

/**
 * Each isotonic segment (below the first knot, between each two knots, above the last) as the
 * graph computes it, in float32: p = min(low + rise · clip((x − start) / width, 0, 1), high).
 * Segment s covers x ∈ (thresholds[s − 1], thresholds[s]]; the segments outside the knots, and
 * between two knots that float32 makes one, are flat.
 */
export function isotonicSegments(cal: { logits: number[]; probabilities: number[] }): {
  thresholds: Float32Array; // [K] knot logits (float32)
  start: Float32Array; // [K + 1] the logit the segment starts at (its lower knot's)
  width: Float32Array; // [K + 1] the logits it spans, > 0
  low: Float32Array; // [K + 1] the probability at its start
  rise: Float32Array; // [K + 1] how much the probability rises across it
  high: Float32Array; // [K + 1] the probability at its end (its upper knot's)
} {
  const xs = cal.logits;
  const ys = cal.probabilities;
  const K = xs.length;
  const thresholds = Float32Array.from(xs);
  const start = new Float32Array(K + 1);
  const width = new Float32Array(K + 1).fill(1);
  const low = new Float32Array(K + 1);
  const rise = new Float32Array(K + 1);
  const high = new Float32Array(K + 1);
  const flat = (s: number, probability: number) => {
    low[s] = probability;
    high[s] = probability;
  };
  flat(0, ys[0]);
  for (let j = 0; j + 1 < K; j++) {
    const span = Math.fround(thresholds[j + 1] - thresholds[j]);
    if (!(span > 0)) {
      flat(j + 1, ys[j + 1]); // no float32 logit lies between the two knots
      continue;
    }
    start[j + 1] = thresholds[j];
    width[j + 1] = span;
    low[j + 1] = ys[j];
    rise[j + 1] = ys[j + 1] - ys[j];
    high[j + 1] = ys[j + 1];
  }
  flat(K, ys[K - 1]);
  return { thresholds, start, width, low, rise, high };
}

function attrInts(name: string, ints: number[]) {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
}
function attrFloats(name: string, floats: number[]) {
  return { name, type: onnx.AttributeProto.AttributeType.FLOATS, floats };
}
function attrStrings(name: string, strings: string[]) {
  const enc = new TextEncoder();
  return { name, type: onnx.AttributeProto.AttributeType.STRINGS, strings: strings.map((s) => enc.encode(s)) };
}
function attrInt(name: string, i: number) {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}
function attrString(name: string, s: string) {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) };
}

function treeNode(t: TreeArrays, nTargets: number, input: string, output: string, name: string) {
  return {
    name,
    opType: 'TreeEnsembleRegressor',
    domain: 'ai.onnx.ml',
    input: [input],
    output: [output],
    attribute: [
      attrString('aggregate_function', 'SUM'),
      attrInt('n_targets', nTargets),
      attrFloats('nodes_values', t.values),
      attrInts('nodes_falsenodeids', t.falseIds),
      attrInts('nodes_featureids', t.featureIds),
      attrInts('nodes_missing_value_tracks_true', t.missingTrue),
      attrStrings('nodes_modes', t.modes),
      attrInts('nodes_nodeids', t.nodeIds),
      attrInts('nodes_treeids', t.treeIds),
      attrInts('nodes_truenodeids', t.trueIds),
      attrString('post_transform', 'NONE'),
      attrInts('target_ids', t.targetIds),
      attrInts('target_nodeids', t.targetNode),
      attrInts('target_treeids', t.targetTree),
      attrFloats('target_weights', t.targetWeights),
    ],
  };
}

function floatTensor(name: string, values: number[], dims: number[]) {
  return { name, dataType: onnx.TensorProto.DataType.FLOAT, dims, floatData: values };
}
function int64Tensor(name: string, values: number[], dims: number[]) {
  return { name, dataType: onnx.TensorProto.DataType.INT64, dims, int64Data: values };
}

function valueInfo(name: string, dims: (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export interface ExportOptions {
  /** Number of model input features F (columns of `features`). */
  nFeatures: number;
  calibration: Calibration;
  /** Free text stored as the model's doc string (e.g. the model id). */
  docString?: string;
  producerVersion?: string;
}

/** Encode the model as ONNX bytes. Deterministic: the same model gives the same bytes. */
export function exportOnnx(model: EbmModel, options: ExportOptions): Uint8Array {
  const T = model.terms.length;
  if (T === 0) throw new Error('cannot export a model without terms');
  const trees = new TreeArrays();
  addTermTrees(trees, model);

  const nodes: object[] = [treeNode(trees, T, 'features', 'contributions', 'terms')];
  const intercept = floatTensor('intercept', [Math.fround(model.intercept)], []);
  const initializers: object[] = [];
  const cal = options.calibration;
  if (cal.kind !== 'isotonic') {
    initializers.push(int64Tensor('sum_axes', [1], [1]), intercept);
    nodes.push({ name: 'sum', opType: 'ReduceSum', input: ['contributions', 'sum_axes'], output: ['term_sum'], attribute: [attrInt('keepdims', 0)] });
    nodes.push({ name: 'add_intercept', opType: 'Add', input: ['term_sum', 'intercept'], output: ['logit'] });
  }
  if (cal.kind === 'none') {
    nodes.push({ name: 'sigmoid', opType: 'Sigmoid', input: ['logit'], output: ['probability'] });
  } else if (cal.kind === 'platt') {
    initializers.push(floatTensor('platt_a', [Math.fround(cal.a)], []), floatTensor('platt_b', [Math.fround(cal.b)], []));
    nodes.push({ name: 'platt_mul', opType: 'Mul', input: ['logit', 'platt_a'], output: ['platt_ax'] });
    nodes.push({ name: 'platt_add', opType: 'Add', input: ['platt_ax', 'platt_b'], output: ['platt_z'] });
    nodes.push({ name: 'sigmoid', opType: 'Sigmoid', input: ['platt_z'], output: ['probability'] });
  } else {
    const seg = isotonicSegments(cal);
    const t = new TreeArrays();
    t.startTree();
    const K = seg.thresholds.length;
    const build = (i: number, j: number): number => {
      // segments i…j; segment s covers x ∈ (thr[s−1], thr[s]]
      if (i === j) return t.leaf([[0, seg.start[i]], [1, seg.width[i]], [2, seg.low[i]], [3, seg.rise[i]], [4, seg.high[i]]]);
      const mid = (i + j) >> 1;
      const id = t.branch(0, seg.thresholds[mid], 0);
      const l = build(i, mid);
      const r = build(mid + 1, j);
      t.setChildren(id, l, r);
      return id;
    };
    build(0, K);
    initializers.push(intercept, int64Tensor('iso_axes', [1], [1]), floatTensor('iso_zero', [0], []), floatTensor('iso_one', [1], []));
    // logit [N, 1]: the terms added one by one in term order, then the intercept (see the top of this file)
    const terms = Array.from({ length: T }, (_, t) => `term_${t}`);
    nodes.push({ name: 'term_columns', opType: 'Split', input: ['contributions'], output: terms, attribute: [attrInt('axis', 1)] });
    let partialSum = terms[0];
    for (let t = 1; t < T; t++) {
      nodes.push({ name: `add_term_${t}`, opType: 'Add', input: [partialSum, terms[t]], output: [`sum_to_term_${t}`] });
      partialSum = `sum_to_term_${t}`;
    }
    nodes.push({ name: 'add_intercept', opType: 'Add', input: [partialSum, 'intercept'], output: ['logit_col'] });
    const column = ['iso_start', 'iso_width', 'iso_low', 'iso_rise', 'iso_high']; // [N, 1] each
    nodes.push(treeNode(t, column.length, 'logit_col', 'iso_segment', 'isotonic_segments'));
    nodes.push({ name: 'iso_split', opType: 'Split', input: ['iso_segment'], output: column, attribute: [attrInt('axis', 1)] });
    nodes.push({ name: 'iso_from_start', opType: 'Sub', input: ['logit_col', 'iso_start'], output: ['iso_run'] });
    nodes.push({ name: 'iso_fraction', opType: 'Div', input: ['iso_run', 'iso_width'], output: ['iso_t'] });
    nodes.push({ name: 'iso_clip', opType: 'Clip', input: ['iso_t', 'iso_zero', 'iso_one'], output: ['iso_t01'] });
    nodes.push({ name: 'iso_mul', opType: 'Mul', input: ['iso_rise', 'iso_t01'], output: ['iso_climb'] });
    nodes.push({ name: 'iso_add', opType: 'Add', input: ['iso_low', 'iso_climb'], output: ['iso_p'] });
    nodes.push({ name: 'iso_min', opType: 'Min', input: ['iso_p', 'iso_high'], output: ['iso_p_col'] });
    nodes.push({ name: 'iso_out', opType: 'Squeeze', input: ['iso_p_col', 'iso_axes'], output: ['probability'] });
  }

  const model_ = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    producerName: 'leadlens-ebm',
    producerVersion: options.producerVersion ?? '1',
    docString: options.docString ?? '',
    opsetImport: [
      { domain: '', version: ONNX_OPSET },
      { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET },
    ],
    graph: {
      name: 'leadlens_ebm',
      node: nodes,
      initializer: initializers,
      input: [valueInfo('features', ['N', options.nFeatures])],
      output: [valueInfo('probability', ['N']), valueInfo('contributions', ['N', T])],
    },
  });
  return onnx.ModelProto.encode(model_).finish();
}

/**
 * What the exported graph computes, in float32 arithmetic, from the raw logit [N] (as
 * `predictEbm` returns it): the calibrated probability [N]. The trainer's own predictions.
 */
export function calibratedProbabilityF32(logit: Float32Array, cal: Calibration): Float32Array {
  const fr = Math.fround;
  const out = new Float32Array(logit.length);
  const sig = (z: number) => fr(1 / (1 + Math.exp(-z)));
  if (cal.kind === 'none') for (let i = 0; i < logit.length; i++) out[i] = sig(logit[i]);
  else if (cal.kind === 'platt') {
    const a = fr(cal.a), b = fr(cal.b);
    for (let i = 0; i < logit.length; i++) out[i] = sig(fr(fr(a * logit[i]) + b));
  } else {
    const seg = isotonicSegments(cal);
    for (let i = 0; i < logit.length; i++) {
      const x = logit[i];
      let s = 0, hi = seg.thresholds.length; // first s with x <= thr[s], else K
      while (s < hi) { const m = (s + hi) >> 1; if (x <= seg.thresholds[m]) hi = m; else s = m + 1; }
      const fraction = Math.min(1, Math.max(0, fr(fr(x - seg.start[s]) / seg.width[s])));
      out[i] = Math.min(fr(seg.low[s] + fr(seg.rise[s] * fraction)), seg.high[s]);
    }
  }
  return out;
}
