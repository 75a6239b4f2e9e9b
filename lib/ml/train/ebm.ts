/**
 * Explainable boosting (a GA²M, in the style of InterpretML's EBM): per-feature shape
 * functions over binned values plus a few automatically chosen pairwise interactions,
 * learned by cyclic gradient boosting with a small learning rate, outer bagging, early
 * stopping on a held-out split per bag, optional class weights, and purification so that each
 * term's mean contribution is 0 and the intercept carries the base rate.
 *
 * Pure, no Node APIs: runs in a Web Worker and in Node. Data are typed arrays; shapes are
 * noted as `// [N]`, `// [F][B]`. Bin indices are computed once; every boosting step is one
 * pass over the rows building a gradient/hessian histogram, an O(bins) update and one pass
 * applying it.
 */
import { mulberry32, shuffleInPlace } from '../random';
import { binOf, categoricalCuts, coarseMap, MAX_VALUE_BINS, numericCuts } from './binning';

export interface EbmOptions {
  /** Max bins per numeric feature for the main effects (≤ MAX_VALUE_BINS). */
  maxBins: number;
  /** Max bins per feature on each axis of an interaction. */
  maxPairBins: number;
  /** Number of pairwise interactions to add (0 = purely additive). */
  interactions: number;
  outerBags: number;
  /** Share of each bag's rows held out for early stopping. */
  validationShare: number;
  /** Share of the remaining rows each bag boosts on (1 = all; less = faster, more diverse bags). */
  bagFraction: number;
  learningRate: number;
  pairLearningRate: number;
  /** Max boosting rounds (one step per term each) per stage. */
  maxRounds: number;
  earlyStoppingRounds: number;
  earlyStoppingTolerance: number;
  minSamplesLeaf: number;
  /**
   * Share of a bag's training rows that a main-effect leaf holding the lowest or highest value bin
   * needs (and at least `minSamplesLeaf`): one cut isolates an end bin, and every lead beyond the
   * training range gets its score, so a few rows there would speak for all of them.
   */
  edgeLeafShare: number;
  /** Leaves per main-effect step on ordered features (2 or 3). */
  maxLeaves: number;
  /** L2 regularisation added to the hessian sum of every leaf. */
  l2: number;
  /** 'balanced' weighs classes inversely to their frequency. */
  classWeight: 'none' | 'balanced';
  seed: number;
}

export const DEFAULT_EBM_OPTIONS: EbmOptions = {
  maxBins: MAX_VALUE_BINS,
  maxPairBins: 16,
  interactions: 20,
  outerBags: 4,
  validationShare: 0.15,
  bagFraction: 1,
  // 0.2 and a patience of 8 rounds: half the passes over the rows of 0.1 / 15 (`npm run
  // bench:accuracy` measures the cross-validated ROC-AUC they reach)
  learningRate: 0.2,
  pairLearningRate: 0.2,
  maxRounds: 2000,
  earlyStoppingRounds: 8,
  earlyStoppingTolerance: 1e-5,
  minSamplesLeaf: 10,
  edgeLeafShare: 0.01,
  maxLeaves: 3,
  l2: 1,
  classWeight: 'none',
  seed: 42,
};

/** One additive term. Mains: values over the feature's bins. Pairs: values over a coarse grid. */
export interface EbmTerm {
  /** [1] or [2] feature indices. */
  features: number[];
  /** Mains: [B + 1] (bin 0 = missing). Pairs: [nA * nB], cell = mapA[binA] * nB + mapB[binB]. */
  values: Float32Array;
  /** Pairs only: per axis, fine bin → coarse bin, [B_f + 1]. */
  maps?: [Uint8Array, Uint8Array];
  /** Pairs only: [nA, nB]. */
  shape?: [number, number];
}

export interface EbmModel {
  /** Per feature: float32 cut points (see binning.ts). */
  cuts: Float32Array[];
  categorical: boolean[];
  intercept: number; // float32-representable
  terms: EbmTerm[];
  /** Per term: training rows per bin (mains [B + 1]; pairs [nA * nB]). */
  counts: Float64Array[];
  /** Rounds used per bag and stage (for the model card). */
  rounds: { mains: number[]; pairs: number[] };
}

export interface EbmData {
  X: Float32Array; // [N, F] row-major, NaN = missing
  F: number;
  y: Uint8Array; // [N] 1 = positive
  /** Per feature: categorical (codes 0…levels−1) or ordered. */
  categorical: boolean[];
  /** Per categorical feature: number of codes. */
  levels: number[];
}

/** A boosting round of one bag's main effects or pairs: the rounds start again with each bag and each of the two. */
interface BoostingRound {
  stage: 'mains' | 'pairs';
  bag: number;
  round: number;
  /** The bag's early-stopping validation log loss. */
  validationLoss: number;
}

/** A round of boosting, or the choice of pairs ('interactions'), which is of every bag's mains averaged: no bag, no round. */
export type EbmProgress = BoostingRound | { stage: 'interactions' };

/**
 * The share of one fit done when it reports `p`: the mains of every bag first (the first half),
 * then the choice of pairs, then the pairs of every bag; bags in turn. A bag's rounds are not
 * known in advance, so the share moves as a bag begins, and never back.
 */
export function fitShareDone(p: EbmProgress, outerBags: number): number {
  const bags = Math.max(1, outerBags);
  if (p.stage === 'mains') return (0.5 * p.bag) / bags;
  if (p.stage === 'interactions') return 0.5;
  return 0.5 + (0.5 * p.bag) / bags;
}

export interface EbmHooks {
  onProgress?: (p: EbmProgress) => void;
  signal?: AbortSignal;
}

/**
 * Stratified split of 0…n−1 into train / validation (exported for unit tests): of each class,
 * `share` (at least one row) validates and `fraction` of the rest (at least one) trains. A class
 * of one row trains only: the boosting needs both classes, and no row may be in both parts.
 */
export function stratifiedSplit(y: Uint8Array, share: number, rand: () => number, fraction = 1): { tr: Int32Array; va: Int32Array } {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < y.length; i++) (y[i] ? pos : neg).push(i);
  const P = Int32Array.from(pos);
  const Q = Int32Array.from(neg);
  shuffleInPlace(P, rand);
  shuffleInPlace(Q, rand);
  const validRows = (n: number) => (n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * share))));
  const trainRows = (left: number) => Math.min(left, Math.max(1, Math.round(left * fraction)));
  const vp = validRows(P.length);
  const vq = validRows(Q.length);
  const va = new Int32Array(vp + vq);
  va.set(P.subarray(0, vp));
  va.set(Q.subarray(0, vq), vp);
  const tp = trainRows(P.length - vp);
  const tq = trainRows(Q.length - vq);
  const tr = new Int32Array(tp + tq);
  tr.set(P.subarray(vp, vp + tp));
  tr.set(Q.subarray(vq, vq + tq), tp);
  tr.sort();
  va.sort();
  return { tr, va };
}

// ---------------------------------------------------------------------------------------------
// Boosting steps (exported for unit tests against hand-computed values)

/** Newton leaf value −G / (H + λ). */
export function newtonValue(G: number, H: number, l2: number): number {
  return H + l2 > 0 ? -G / (H + l2) : 0;
}

function gain(G: number, H: number, l2: number): number {
  return H + l2 > 0 ? (G * G) / (H + l2) : 0;
}

/**
 * One main-effect step on an ordered feature: the missing bin 0 gets its own Newton update when
 * it has at least `minLeaf` rows (`missingUpdate`); bins 1…B get a tree of up to `maxLeaves`
 * (2 or 3) leaves over contiguous ranges, chosen greedily by Newton gain with at least `minLeaf`
 * rows per leaf, and at least `minEdgeLeaf` in a leaf holding bin 1 or bin B (the ends of the
 * range, which leads beyond it share). Writes lr × leaf value into `out` [B + 1].
 * Returns the gain of the split(s) over a single leaf.
 */
export function orderedStep(
  G: Float64Array, // [B + 1]
  H: Float64Array, // [B + 1]
  C: Float64Array, // [B + 1] rows per bin
  nBins: number,
  lr: number,
  l2: number,
  minLeaf: number,
  maxLeaves: number,
  out: Float64Array, // [B + 1]
  minEdgeLeaf = minLeaf,
): number {
  out[0] = missingUpdate(G, H, C, lr, l2, minLeaf);
  const B = nBins - 1;
  // two values (a yes / no) are no range that leads beyond it share, and either may be rare
  const edgeMin = B > 2 ? Math.max(minLeaf, minEdgeLeaf) : minLeaf;
  // best split of [a, b] (inclusive bins) → { s, gain } with left = a…s, right = s+1…b
  const best = (a: number, b: number): { s: number; g: number } => {
    let tG = 0, tH = 0, tC = 0;
    for (let k = a; k <= b; k++) { tG += G[k]; tH += H[k]; tC += C[k]; }
    const parent = gain(tG, tH, l2);
    const minLeft = a === 1 ? edgeMin : minLeaf;
    const minRight = b === B ? edgeMin : minLeaf;
    let lG = 0, lH = 0, lC = 0;
    let bs = -1, bg = 0;
    for (let s = a; s < b; s++) {
      lG += G[s]; lH += H[s]; lC += C[s];
      if (lC < minLeft) continue;
      if (tC - lC < minRight) break;
      const g = gain(lG, lH, l2) + gain(tG - lG, tH - lH, l2) - parent;
      if (g > bg) { bg = g; bs = s; }
    }
    return { s: bs, g: bg };
  };
  const leafUpdate = (a: number, b: number): void => {
    let sG = 0, sH = 0;
    for (let k = a; k <= b; k++) { sG += G[k]; sH += H[k]; }
    const v = lr * newtonValue(sG, sH, l2);
    for (let k = a; k <= b; k++) out[k] = v;
  };
  if (B < 1) return 0;
  const first = best(1, B);
  if (first.s < 0) {
    leafUpdate(1, B);
    return 0;
  }
  let total = first.g;
  if (maxLeaves >= 3) {
    const left = best(1, first.s);
    const right = best(first.s + 1, B);
    if (left.s >= 0 && left.g >= right.g) {
      leafUpdate(1, left.s); leafUpdate(left.s + 1, first.s); leafUpdate(first.s + 1, B);
      return total + left.g;
    }
    if (right.s >= 0) {
      leafUpdate(1, first.s); leafUpdate(first.s + 1, right.s); leafUpdate(right.s + 1, B);
      return total + right.g;
    }
  }
  leafUpdate(1, first.s);
  leafUpdate(first.s + 1, B);
  return total;
}

/**
 * The missing bin's (bin 0's) own update: lr × its Newton value, or 0 when fewer than `minLeaf`
 * rows lack the value — as a value leaf needs that many rows. Else one lead lacking a field
 * would fit the bin alone, and every new lead lacking it would get that lead's outcome as a reason.
 */
function missingUpdate(G: Float64Array, H: Float64Array, C: Float64Array, lr: number, l2: number, minLeaf: number): number {
  return C[0] > 0 && C[0] >= minLeaf ? lr * newtonValue(G[0], H[0], l2) : 0;
}

/**
 * One main-effect step on a categorical feature: every level gets lr × its Newton value; the
 * missing bin 0 too, when it has at least `minLeaf` rows (`missingUpdate`).
 */
export function nominalStep(G: Float64Array, H: Float64Array, C: Float64Array, nBins: number, lr: number, l2: number, minLeaf: number, out: Float64Array): void {
  out[0] = missingUpdate(G, H, C, lr, l2, minLeaf);
  for (let b = 1; b < nBins; b++) out[b] = C[b] > 0 ? lr * newtonValue(G[b], H[b], l2) : 0;
}

/**
 * FAST-style interaction step on an [nA, nB] grid: one cut on axis A and, on each side, one cut
 * on axis B (or the transpose), four leaves. Returns the gain over a single leaf; when `out`
 * is given, writes lr × leaf values per cell into it ([nA * nB]).
 */
export function pairStep(
  G: Float64Array, // [nA * nB]
  H: Float64Array,
  C: Float64Array,
  nA: number,
  nB: number,
  lr: number,
  l2: number,
  minLeaf: number,
  out: Float64Array | null,
): number {
  let tG = 0, tH = 0, tC = 0;
  for (let k = 0; k < nA * nB; k++) { tG += G[k]; tH += H[k]; tC += C[k]; }
  const parent = gain(tG, tH, l2);
  let bestGain = 0;
  let bestCfg: [number, number, number, number] | null = null; // [transposed, s, tLow, tHigh]
  const colG = new Float64Array(Math.max(nA, nB));
  const colH = new Float64Array(Math.max(nA, nB));
  const colC = new Float64Array(Math.max(nA, nB));
  const totG = new Float64Array(Math.max(nA, nB));
  const totH = new Float64Array(Math.max(nA, nB));
  const totC = new Float64Array(Math.max(nA, nB));
  for (let tr = 0; tr < 2; tr++) {
    const n1 = tr ? nB : nA; // axis cut first
    const n2 = tr ? nA : nB;
    const at = (i: number, j: number) => (tr ? j * nB + i : i * nB + j); // i along axis 1, j along axis 2
    colG.fill(0); colH.fill(0); colC.fill(0); // low-side sums per axis-2 bin
    totG.fill(0); totH.fill(0); totC.fill(0); // all sums per axis-2 bin
    for (let i = 0; i < n1; i++) for (let j = 0; j < n2; j++) { const k = at(i, j); totG[j] += G[k]; totH[j] += H[k]; totC[j] += C[k]; }
    for (let s = 0; s < n1 - 1; s++) {
      for (let j = 0; j < n2; j++) { const k = at(s, j); colG[j] += G[k]; colH[j] += H[k]; colC[j] += C[k]; }
      // low side: cells i ≤ s; best cut on axis 2
      let loG = 0, loH = 0, loC = 0;
      for (let j = 0; j < n2; j++) { loG += colG[j]; loH += colH[j]; loC += colC[j]; }
      const hiG = tG - loG, hiH = tH - loH, hiC = tC - loC;
      if (loC < 2 * minLeaf || hiC < 2 * minLeaf) continue;
      // best cut for the low side
      let bLo = -1, gLo = -Infinity;
      let aG = 0, aH = 0, aC = 0;
      for (let t = 0; t < n2 - 1; t++) {
        aG += colG[t]; aH += colH[t]; aC += colC[t];
        if (aC < minLeaf || loC - aC < minLeaf) continue;
        const g = gain(aG, aH, l2) + gain(loG - aG, loH - aH, l2);
        if (g > gLo) { gLo = g; bLo = t; }
      }
      // best cut for the high side: column sums there = total column − low column
      let bHi = -1, gHi = -Infinity;
      aG = 0; aH = 0; aC = 0;
      for (let t = 0; t < n2 - 1; t++) {
        aG += totG[t] - colG[t]; aH += totH[t] - colH[t]; aC += totC[t] - colC[t];
        if (aC < minLeaf || hiC - aC < minLeaf) continue;
        const g = gain(aG, aH, l2) + gain(hiG - aG, hiH - aH, l2);
        if (g > gHi) { gHi = g; bHi = t; }
      }
      if (bLo < 0 || bHi < 0) continue;
      const g = gLo + gHi - parent;
      if (g > bestGain) { bestGain = g; bestCfg = [tr, s, bLo, bHi]; }
    }
  }
  if (out) {
    out.fill(0);
    if (bestCfg) {
      const [tr, s, tLo, tHi] = bestCfg;
      const n1 = tr ? nB : nA;
      const n2 = tr ? nA : nB;
      const at = (i: number, j: number) => (tr ? j * nB + i : i * nB + j);
      const leafG = [0, 0, 0, 0], leafH = [0, 0, 0, 0];
      const leafOf = (i: number, j: number) => (i <= s ? (j <= tLo ? 0 : 1) : j <= tHi ? 2 : 3);
      for (let i = 0; i < n1; i++) for (let j = 0; j < n2; j++) { const L = leafOf(i, j); const k = at(i, j); leafG[L] += G[k]; leafH[L] += H[k]; }
      for (let i = 0; i < n1; i++) for (let j = 0; j < n2; j++) { const L = leafOf(i, j); out[at(i, j)] = lr * newtonValue(leafG[L], leafH[L], l2); }
    }
  }
  return bestGain;
}

// ---------------------------------------------------------------------------------------------
// The boosting loop of one bag

interface StageTerm {
  kind: 'ordered' | 'nominal' | 'pair';
  nBins: number; // mains: B + 1; pairs: nA * nB
  nA: number;
  nB: number;
  idxTr: Uint16Array; // [nTr] bin (or cell) of each training row of the bag
  idxVa: Uint16Array; // [nVa]
  counts: Float64Array; // [nBins] rows of the bag's training part
  values: Float64Array; // [nBins] the term's accumulated shape (this bag)
}

/**
 * A bag's rows. The training scores are kept as E = exp(−score) so that applying a step u is
 * E *= exp(−u[bin]) with one exp per bin, not per row: p = 1 / (1 + E).
 */
interface BagData {
  yTr: Uint8Array; wTr: Float64Array; Etr: Float64Array; // [nTr]
  yVa: Uint8Array; wVa: Float64Array; Fva: Float64Array; // [nVa] validation scores (log-odds)
  sumWVa: number;
  unitWeights: boolean;
  /** The held-out log loss of the intercept alone (the base rate), before any term. */
  baseLoss: number;
}

function validationLoss(b: BagData): number {
  let loss = 0;
  const { Fva, yVa, wVa } = b;
  for (let i = 0; i < Fva.length; i++) {
    const f = Fva[i];
    // log(1 + e^{-f}) for y = 1, log(1 + e^{f}) for y = 0, stable
    const z = yVa[i] ? -f : f;
    loss += wVa[i] * (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
  }
  return loss / b.sumWVa;
}

/**
 * The share of the base rate's held-out log loss (`BagData.baseLoss`) below which no round counts
 * as better: the model is then all but certain of every held-out lead. A feature that separates
 * the outcomes perfectly (one filled at conversion, trained on all the same) lowers the loss by a
 * share each round for ever, so the relative tolerance alone boosted to `maxRounds`: minutes of
 * training that change no tier. A share, not a loss: with rare conversions (1 in 10,000) the
 * base rate's own loss is under 1e-3.
 */
const CERTAIN_SHARE = 1e-3;

/**
 * The hot loop: apply the previous step (factor eu[bin] = exp(−u[bin]) on the previous term's
 * bins pi) to E, then accumulate the gradient / hessian histogram of the current term's bins.
 * The histogram is interleaved by row parity, G2/H2 [2 · B] with bin b of even rows at 2b and of
 * odd rows at 2b + 1: neighbouring rows in the same bin then update different slots, so the
 * loop is not serialised on one slot's read-modify-write (measured ~15 % faster per row).
 * `w` [n] is null for unit weights (one multiply less per row).
 */
function histogramPass(
  E: Float64Array, y: Uint8Array, w: Float64Array | null, // [n]
  idx: Uint16Array, // [n] current term
  pi: Uint16Array, eu: Float64Array, // previous term's bins [n] and factors [B]
  G2: Float64Array, H2: Float64Array, // [2 · B], zeroed
): void {
  const n = E.length;
  for (let i = 0; i < n; i++) {
    const e = E[i] * eu[pi[i]];
    E[i] = e;
    const p = 1 / (1 + e);
    const slot = (idx[i] << 1) | (i & 1);
    if (w === null) {
      G2[slot] += p - y[i];
      H2[slot] += p * (1 - p);
    } else {
      const wi = w[i];
      G2[slot] += (p - y[i]) * wi;
      H2[slot] += p * (1 - p) * wi;
    }
  }
}

function applyFactor(E: Float64Array, idx: Uint16Array, eu: Float64Array): void {
  for (let i = 0; i < E.length; i++) E[i] *= eu[idx[i]];
}

function applyStep(F: Float64Array, idx: Uint16Array, u: Float64Array): void {
  for (let i = 0; i < F.length; i++) F[i] += u[idx[i]];
}

function boostStage(
  terms: StageTerm[],
  bag: BagData,
  opts: EbmOptions,
  lr: number,
  stage: BoostingRound['stage'],
  bagIndex: number,
  hooks: EbmHooks,
): number {
  const T = terms.length;
  if (T === 0) return 0;
  const maxB = Math.max(...terms.map((t) => t.nBins));
  const G = new Float64Array(maxB); // [B] the current term's gradient / hessian per bin
  const H = new Float64Array(maxB);
  const G2 = new Float64Array(2 * maxB); // [2 · B] the same, interleaved by row parity (see histogramPass)
  const H2 = new Float64Array(2 * maxB);
  const weights = bag.unitWeights ? null : bag.wTr;
  const upd = terms.map((t) => new Float64Array(t.nBins)); // [T][B] last update per term
  const fac = terms.map((t) => new Float64Array(t.nBins).fill(1)); // [T][B] exp(−update)
  const best = terms.map((t) => Float64Array.from(t.values)); // [T][B] snapshot at the best round
  const { Etr, yTr, Fva } = bag;
  const minEdgeLeaf = Math.ceil(opts.edgeLeafShare * yTr.length);
  let bestLoss = validationLoss(bag);
  let bestRound = 0;
  let round = 0;
  // The previous term's step is applied to Etr lazily, fused with the next histogram pass.
  let prev = T - 1; // fac[prev] is all ones before the first step
  for (round = 1; round <= opts.maxRounds; round++) {
    hooks.signal?.throwIfAborted();
    for (let t = 0; t < T; t++) {
      const term = terms[t];
      const nb = term.nBins;
      G2.fill(0, 0, 2 * nb);
      H2.fill(0, 0, 2 * nb);
      histogramPass(Etr, yTr, weights, term.idxTr, terms[prev].idxTr, fac[prev], G2, H2);
      for (let b = 0; b < nb; b++) {
        G[b] = G2[2 * b] + G2[2 * b + 1];
        H[b] = H2[2 * b] + H2[2 * b + 1];
      }
      const u = upd[t];
      if (term.kind === 'ordered') orderedStep(G, H, term.counts, nb, lr, opts.l2, opts.minSamplesLeaf, opts.maxLeaves, u, minEdgeLeaf);
      else if (term.kind === 'nominal') nominalStep(G, H, term.counts, nb, lr, opts.l2, opts.minSamplesLeaf, u);
      else pairStep(G, H, term.counts, term.nA, term.nB, lr, opts.l2, opts.minSamplesLeaf, u);
      const vals = term.values;
      const f = fac[t];
      for (let b = 0; b < nb; b++) {
        vals[b] += u[b];
        f[b] = Math.exp(-u[b]);
      }
      applyStep(Fva, term.idxVa, u);
      prev = t;
    }
    const loss = validationLoss(bag);
    if (bestLoss > CERTAIN_SHARE * bag.baseLoss && loss < bestLoss - opts.earlyStoppingTolerance * Math.abs(bestLoss)) {
      bestLoss = loss;
      bestRound = round;
      for (let t = 0; t < T; t++) best[t].set(terms[t].values);
    } else if (round - bestRound >= opts.earlyStoppingRounds) break;
    if (hooks.onProgress && (round % 10 === 0 || round === 1)) hooks.onProgress({ stage, bag: bagIndex, round, validationLoss: loss });
  }
  // Apply the pending step, then roll back to the best round and keep the scores consistent.
  applyFactor(Etr, terms[prev].idxTr, fac[prev]);
  for (let t = 0; t < T; t++) {
    const term = terms[t];
    const d = upd[t];
    const f = fac[t];
    for (let b = 0; b < term.nBins; b++) {
      d[b] = best[t][b] - term.values[b];
      f[b] = Math.exp(-d[b]);
    }
    term.values.set(best[t]);
    applyFactor(Etr, term.idxTr, f);
    applyStep(Fva, term.idxVa, d);
  }
  return bestRound;
}

function gather(src: Uint8Array | Uint16Array, rows: Int32Array): Uint16Array {
  const out = new Uint16Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]];
  return out;
}

function binCounts(idx: Uint8Array | Uint16Array, nBins: number): Float64Array {
  const c = new Float64Array(nBins);
  for (let i = 0; i < idx.length; i++) c[idx[i]]++;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Fit

/** All rows of `data`, 0…N−1. */
const allRows = (data: EbmData) => Int32Array.from({ length: data.y.length }, (_, i) => i);

/**
 * Feature `f`'s cut points over `rows` of `data` (its training rows) and the bin of each of
 * them [n]; `column` [n] is scratch space.
 */
function binFeature(data: EbmData, f: number, rows: Int32Array, maxBins: number, column: Float32Array): { cuts: Float32Array; bins: Uint8Array } {
  const { X, F } = data;
  for (let i = 0; i < rows.length; i++) column[i] = X[rows[i] * F + f];
  const cuts = data.categorical[f] ? categoricalCuts(data.levels[f]) : numericCuts(column, Math.min(MAX_VALUE_BINS, maxBins));
  const bins = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) bins[i] = binOf(column[i], cuts);
  return { cuts, bins };
}

/** Whether rows fall into at least two bins: a feature whose rows do not is left out of the fit (nothing to learn from it). */
const spansTwoBins = (bins: Uint8Array) => bins.some((b) => b !== bins[0]);

/**
 * Whether some feature varies among `rows` of `data` (all rows when null) as `fitEbm` bins
 * them with `maxBins`, its rows falling into two bins or more: `fitEbm` needs one.
 */
export function someFeatureVaries(data: EbmData, rows: Int32Array | null, maxBins = DEFAULT_EBM_OPTIONS.maxBins): boolean {
  const fitRows = rows ?? allRows(data);
  const column = new Float32Array(fitRows.length);
  for (let f = 0; f < data.F; f++) if (spansTwoBins(binFeature(data, f, fitRows, maxBins, column).bins)) return true;
  return false;
}

/**
 * Fit an EBM on `rows` of `data` (all rows when omitted). Deterministic for a given seed.
 * Throws unless both classes and a varying feature (`someFeatureVaries`) are among the rows.
 */
export function fitEbm(data: EbmData, rowsIn: Int32Array | null, options: Partial<EbmOptions> = {}, hooks: EbmHooks = {}): EbmModel {
  const opts: EbmOptions = { ...DEFAULT_EBM_OPTIONS, ...options };
  const { F } = data;
  const rows = rowsIn ?? allRows(data);
  const n = rows.length;
  const y = new Uint8Array(n); // [n]
  let nPos = 0;
  for (let i = 0; i < n; i++) { y[i] = data.y[rows[i]]; nPos += y[i]; }
  if (nPos === 0 || nPos === n) throw new Error('fitEbm needs both classes among the training rows');

  // --- binning on the training rows
  const cuts: Float32Array[] = []; // [F][cuts]
  const bins: Uint8Array[] = []; // [F][n]
  const colBuf = new Float32Array(n);
  for (let f = 0; f < F; f++) {
    const binned = binFeature(data, f, rows, opts.maxBins, colBuf);
    cuts.push(binned.cuts);
    bins.push(binned.bins);
  }
  const nBinsOf = (f: number) => cuts[f].length + 2;
  const countsAll = bins.map((b, f) => binCounts(b, nBinsOf(f))); // [F][B+1]
  const usable: number[] = [];
  for (let f = 0; f < F; f++) if (spansTwoBins(bins[f])) usable.push(f);
  if (usable.length === 0) throw new Error('no feature varies among the training rows');

  // --- weights and base score
  const wPos = opts.classWeight === 'balanced' ? n / (2 * nPos) : 1;
  const wNeg = opts.classWeight === 'balanced' ? n / (2 * (n - nPos)) : 1;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = y[i] ? wPos : wNeg;
  const pw = (nPos * wPos) / (nPos * wPos + (n - nPos) * wNeg);
  const base = Math.log(pw / (1 - pw));

  // --- bags: split, gather
  const rand = mulberry32(opts.seed);
  const bagsData: { split: { tr: Int32Array; va: Int32Array }; bag: BagData; mains: StageTerm[] }[] = [];
  const rounds = { mains: [] as number[], pairs: [] as number[] };
  for (let bg = 0; bg < opts.outerBags; bg++) {
    const split = stratifiedSplit(y, opts.validationShare, mulberry32(Math.floor(rand() * 2 ** 31)), Math.min(1, Math.max(0.05, opts.bagFraction)));
    const { tr, va } = split;
    const bag: BagData = {
      yTr: new Uint8Array(tr.length), wTr: new Float64Array(tr.length), Etr: new Float64Array(tr.length).fill(Math.exp(-base)),
      yVa: new Uint8Array(va.length), wVa: new Float64Array(va.length), Fva: new Float64Array(va.length).fill(base),
      sumWVa: 0,
      unitWeights: wPos === 1 && wNeg === 1,
      baseLoss: 0,
    };
    for (let i = 0; i < tr.length; i++) { bag.yTr[i] = y[tr[i]]; bag.wTr[i] = w[tr[i]]; }
    for (let i = 0; i < va.length; i++) { bag.yVa[i] = y[va[i]]; bag.wVa[i] = w[va[i]]; bag.sumWVa += w[va[i]]; }
    bag.baseLoss = validationLoss(bag);
    const mains: StageTerm[] = usable.map((f) => {
      const idxTr = gather(bins[f], tr);
      const nb = nBinsOf(f);
      return {
        kind: data.categorical[f] ? 'nominal' : 'ordered',
        nBins: nb, nA: nb, nB: 1,
        idxTr, idxVa: gather(bins[f], va),
        counts: binCounts(idxTr, nb),
        values: new Float64Array(nb),
      };
    });
    rounds.mains.push(boostStage(mains, bag, opts, opts.learningRate, 'mains', bg, hooks));
    bagsData.push({ split, bag, mains });
  }
  // --- average the mains over bags
  const mainValues = usable.map((f, u) => {
    const v = new Float64Array(nBinsOf(f));
    for (const b of bagsData) { const m = b.mains[u].values; for (let k = 0; k < v.length; k++) v[k] += m[k] / bagsData.length; }
    return v;
  });

  // --- interactions: rank pairs by FAST gain on the residuals of the averaged mains
  const pairs: { a: number; b: number; mapA: Uint8Array; mapB: Uint8Array; nA: number; nB: number }[] = [];
  if (opts.interactions > 0 && usable.length >= 2) {
    hooks.signal?.throwIfAborted();
    hooks.onProgress?.({ stage: 'interactions' });
    const Fall = new Float64Array(n).fill(base);
    usable.forEach((f, u) => { const v = mainValues[u], b = bins[f]; for (let i = 0; i < n; i++) Fall[i] += v[b[i]]; });
    const g = new Float64Array(n), h = new Float64Array(n);
    for (let i = 0; i < n; i++) { const p = 1 / (1 + Math.exp(-Fall[i])); g[i] = (p - y[i]) * w[i]; h[i] = p * (1 - p) * w[i]; }
    // coarse bins per usable feature; categorical levels ordered by their main effect
    const coarse = usable.map((f, u) => {
      const B = nBinsOf(f) - 1;
      const order = Int32Array.from({ length: B }, (_, k) => k + 1);
      if (data.categorical[f]) {
        const v = mainValues[u];
        order.sort((p, q) => v[p] - v[q] || p - q);
      }
      const cm = coarseMap(countsAll[f], order, opts.maxPairBins);
      const idx = new Uint8Array(n);
      const bf = bins[f];
      for (let i = 0; i < n; i++) idx[i] = cm.map[bf[i]];
      return { ...cm, idx };
    });
    const ranked: { u: number; v: number; gain: number }[] = [];
    const maxCells = (opts.maxPairBins + 1) * (opts.maxPairBins + 1);
    const PG = new Float64Array(maxCells), PH = new Float64Array(maxCells), PC = new Float64Array(maxCells);
    for (let u = 0; u < usable.length; u++) {
      for (let v = u + 1; v < usable.length; v++) {
        const nA = coarse[u].nBins, nB = coarse[v].nBins;
        PG.fill(0); PH.fill(0); PC.fill(0);
        const ia = coarse[u].idx, ib = coarse[v].idx;
        for (let i = 0; i < n; i++) { const k = ia[i] * nB + ib[i]; PG[k] += g[i]; PH[k] += h[i]; PC[k]++; }
        const gn = pairStep(PG, PH, PC, nA, nB, 1, opts.l2, opts.minSamplesLeaf, null);
        if (gn > 0) ranked.push({ u, v, gain: gn });
      }
    }
    ranked.sort((p, q) => q.gain - p.gain || p.u - q.u || p.v - q.v);
    for (const r of ranked.slice(0, opts.interactions)) {
      pairs.push({ a: usable[r.u], b: usable[r.v], mapA: coarse[r.u].map, mapB: coarse[r.v].map, nA: coarse[r.u].nBins, nB: coarse[r.v].nBins });
    }
  }

  // --- boost the pairs in every bag, on top of the bag's own mains
  const pairValues = pairs.map((p) => new Float64Array(p.nA * p.nB));
  const pairCells = pairs.map((p) => {
    const ia = bins[p.a], ib = bins[p.b];
    const cell = new Uint16Array(n);
    for (let i = 0; i < n; i++) cell[i] = p.mapA[ia[i]] * p.nB + p.mapB[ib[i]];
    return cell;
  });
  if (pairs.length > 0) {
    bagsData.forEach(({ split, bag }, bg) => {
      const stage: StageTerm[] = pairs.map((p, k) => {
        const idxTr = gather(pairCells[k], split.tr);
        const nb = p.nA * p.nB;
        return { kind: 'pair', nBins: nb, nA: p.nA, nB: p.nB, idxTr, idxVa: gather(pairCells[k], split.va), counts: binCounts(idxTr, nb), values: new Float64Array(nb) };
      });
      rounds.pairs.push(boostStage(stage, bag, opts, opts.pairLearningRate, 'pairs', bg, hooks));
      stage.forEach((s, k) => { const v = pairValues[k]; for (let c = 0; c < v.length; c++) v[c] += s.values[c] / bagsData.length; });
    });
  }

  // --- purification: move each pair's row/column means into the mains, then centre the mains
  let intercept = base;
  const mainByFeature = new Map<number, Float64Array>();
  usable.forEach((f, u) => mainByFeature.set(f, mainValues[u]));
  const pairCounts = pairCells.map((cell, k) => binCounts(cell, pairs[k].nA * pairs[k].nB));
  pairs.forEach((p, k) => {
    const v = pairValues[k], c = pairCounts[k];
    const { nA, nB } = p;
    for (let it = 0; it < 20; it++) {
      let moved = 0;
      // rows (axis A): mean over B within each coarse A bin
      const mA = new Float64Array(nA);
      for (let a = 0; a < nA; a++) {
        let s = 0, cs = 0;
        for (let b = 0; b < nB; b++) { s += c[a * nB + b] * v[a * nB + b]; cs += c[a * nB + b]; }
        mA[a] = cs > 0 ? s / cs : 0;
        for (let b = 0; b < nB; b++) v[a * nB + b] -= mA[a];
        moved += Math.abs(mA[a]);
      }
      const mainA = mainByFeature.get(p.a)!;
      for (let fb = 0; fb < mainA.length; fb++) mainA[fb] += mA[p.mapA[fb]];
      const mB = new Float64Array(nB);
      for (let b = 0; b < nB; b++) {
        let s = 0, cs = 0;
        for (let a = 0; a < nA; a++) { s += c[a * nB + b] * v[a * nB + b]; cs += c[a * nB + b]; }
        mB[b] = cs > 0 ? s / cs : 0;
        for (let a = 0; a < nA; a++) v[a * nB + b] -= mB[b];
        moved += Math.abs(mB[b]);
      }
      const mainB = mainByFeature.get(p.b)!;
      for (let fb = 0; fb < mainB.length; fb++) mainB[fb] += mB[p.mapB[fb]];
      if (moved < 1e-9) break;
    }
    // cells without training rows: neutral
    for (let q = 0; q < v.length; q++) if (c[q] === 0) v[q] = 0;
  });
  usable.forEach((f, u) => {
    const v = mainValues[u], c = countsAll[f];
    // A missing bin with fewer training rows than a leaf needs (none included) tells nothing: it
    // is neutral, 0, and centring leaves it out so that the term stays centred over the rows.
    const fewMissing = c[0] < Math.max(1, opts.minSamplesLeaf);
    let s = 0, rowsCentred = 0;
    for (let b = fewMissing ? 1 : 0; b < v.length; b++) { s += c[b] * v[b]; rowsCentred += c[b]; }
    const mean = rowsCentred > 0 ? s / rowsCentred : 0;
    for (let b = 0; b < v.length; b++) v[b] -= mean;
    intercept += mean;
    if (fewMissing) v[0] = 0;
    // levels without training rows (a pooled level never seen): neutral
    if (data.categorical[f]) for (let b = 1; b < v.length; b++) if (c[b] === 0) v[b] = 0;
  });

  const terms: EbmTerm[] = [];
  const counts: Float64Array[] = [];
  usable.forEach((f, u) => {
    terms.push({ features: [f], values: Float32Array.from(mainValues[u]) });
    counts.push(countsAll[f]);
  });
  pairs.forEach((p, k) => {
    const values = Float32Array.from(pairValues[k]);
    // Chosen by gain but left all 0 (its boosting stopped before a round, or purification moved all
    // it learned into the mains): it changes no score, and would ship a column of zeros and a 0 % driver.
    if (values.every((value) => value === 0)) return;
    terms.push({ features: [p.a, p.b], values, maps: [p.mapA, p.mapB], shape: [p.nA, p.nB] });
    counts.push(pairCounts[k]);
  });
  return { cuts, categorical: data.categorical.slice(), intercept: Math.fround(intercept), terms, counts, rounds };
}

// ---------------------------------------------------------------------------------------------
// Predict (float32 arithmetic in the order the ONNX graph uses)

/**
 * Per-term contributions [N, T] (float32 leaf values) and the raw logit [N]: the sum over terms
 * accumulated in float32 in term order, plus the float32 intercept: as the ONNX graph of an
 * isotonic model adds them, to the bit (ReduceSum, in the others' graphs, may be a float32 step off).
 */
export function predictEbm(model: EbmModel, X: Float32Array, F: number): { contributions: Float32Array; logit: Float32Array } {
  const N = X.length / F;
  const T = model.terms.length;
  const contributions = new Float32Array(N * T); // [N, T]
  const logit = new Float32Array(N); // [N]
  const fr = Math.fround;
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let t = 0; t < T; t++) {
      const term = model.terms[t];
      let v: number;
      if (term.features.length === 1) {
        const f = term.features[0];
        v = term.values[binOf(X[i * F + f], model.cuts[f])];
      } else {
        const [a, b] = term.features;
        const [mA, mB] = term.maps!;
        const nB = term.shape![1];
        v = term.values[mA[binOf(X[i * F + a], model.cuts[a])] * nB + mB[binOf(X[i * F + b], model.cuts[b])]];
      }
      contributions[i * T + t] = v;
      s = fr(s + v);
    }
    logit[i] = fr(s + model.intercept);
  }
  return { contributions, logit };
}

/** Logit [N] in float64 (for metrics during cross-validation; no float32 rounding). */
export function predictLogit(model: EbmModel, X: Float32Array, F: number, rows?: Int32Array): Float64Array {
  const idx = rows ?? Int32Array.from({ length: X.length / F }, (_, i) => i);
  const out = new Float64Array(idx.length).fill(model.intercept);
  for (const term of model.terms) {
    if (term.features.length === 1) {
      const f = term.features[0], c = model.cuts[f];
      for (let i = 0; i < idx.length; i++) out[i] += term.values[binOf(X[idx[i] * F + f], c)];
    } else {
      const [a, b] = term.features;
      const [mA, mB] = term.maps!;
      const nB = term.shape![1];
      const ca = model.cuts[a], cb = model.cuts[b];
      for (let i = 0; i < idx.length; i++) {
        const r = idx[i] * F;
        out[i] += term.values[mA[binOf(X[r + a], ca)] * nB + mB[binOf(X[r + b], cb)]];
      }
    }
  }
  return out;
}
