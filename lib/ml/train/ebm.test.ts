import { describe, expect, it } from 'vitest';
import { fitEbm, newtonValue, nominalStep, orderedStep, pairStep, predictEbm, predictLogit, someFeatureVaries, stratifiedSplit, type EbmData } from './ebm';
import { mulberry32 } from '../random';
import { binOf } from './binning';

const f64 = (a: number[]) => Float64Array.from(a);

describe('boosting steps (hand-computed)', () => {
  it('Newton leaf value −G / (H + λ)', () => {
    expect(newtonValue(-2, 4, 0)).toBe(0.5);
    expect(newtonValue(-2, 4, 1)).toBeCloseTo(0.4, 12);
    expect(newtonValue(1, 0, 0)).toBe(0);
  });
  // bins 1…4: G = −3, −1, 2, 2; H = 1 each. Splits: after 1 → 9 + 3 = 12; after 2 → 8 + 8 = 16; after 3 → 4/3 + 4.
  const G = f64([0, -3, -1, 2, 2]);
  const H = f64([0, 1, 1, 1, 1]);
  const C = f64([0, 10, 10, 10, 10]);
  it('ordered step, 2 leaves: best split after bin 2', () => {
    const out = new Float64Array(5);
    const gain = orderedStep(G, H, C, 5, 1, 0, 1, 2, out);
    expect(gain).toBe(16);
    expect(Array.from(out)).toEqual([0, 2, 2, -2, -2]);
  });
  it('ordered step, 3 leaves: then splits the left side (gain 9 + 1 − 8 = 2)', () => {
    const out = new Float64Array(5);
    const gain = orderedStep(G, H, C, 5, 0.5, 0, 1, 3, out);
    expect(gain).toBe(18);
    expect(Array.from(out)).toEqual([0, 1.5, 0.5, -1, -1]);
  });
  it('ordered step respects min rows per leaf and gives the missing bin its own update', () => {
    const out = new Float64Array(5);
    orderedStep(f64([2, -3, -1, 2, 2]), f64([1, 1, 1, 1, 1]), f64([25, 10, 10, 10, 10]), 5, 1, 1, 25, 3, out);
    // no split leaves ≥ 25 rows on both sides → one leaf: −0 / (4 + 1) = 0; missing (25 rows): −2 / (1 + 1) = −1
    expect(Array.from(out, (v) => v + 0)).toEqual([-1, 0, 0, 0, 0]);
  });
  it('ordered step: a leaf holding an end bin needs minEdgeLeaf rows, so a thin last bin is not fitted alone', () => {
    const G4 = f64([0, 0, 0, 0, -4]);
    const H4 = f64([0, 1, 1, 1, 1]);
    const C4 = f64([0, 30, 30, 30, 10]);
    const out = new Float64Array(5);
    expect(orderedStep(G4, H4, C4, 5, 1, 0, 10, 2, out)).toBe(12); // bin 4 alone: 16 − 4
    expect(Array.from(out, (v) => v + 0)).toEqual([0, 0, 0, 0, 4]);
    expect(orderedStep(G4, H4, C4, 5, 1, 0, 10, 2, out, 20)).toBe(4); // bins 3…4: 16 / 2 − 4
    expect(Array.from(out, (v) => v + 0)).toEqual([0, 0, 0, 2, 2]);
  });
  it('ordered step: two value bins (a yes / no) split at minLeaf rows whatever minEdgeLeaf', () => {
    const out = new Float64Array(3);
    orderedStep(f64([0, 1, -2]), f64([0, 1, 1]), f64([0, 90, 10]), 3, 1, 0, 10, 2, out, 50);
    expect(Array.from(out)).toEqual([0, -1, 2]);
  });
  it('ordered step: a missing bin with fewer rows than a leaf needs gets no update of its own', () => {
    const out = new Float64Array(5);
    orderedStep(f64([-1, -3, -1, 2, 2]), f64([0.25, 1, 1, 1, 1]), f64([1, 10, 10, 10, 10]), 5, 1, 0, 10, 2, out);
    expect(Array.from(out)).toEqual([0, 2, 2, -2, -2]); // one converted lead missing: −(−1) / 0.25 = 4 before
    orderedStep(f64([-1, -3, -1, 2, 2]), f64([0.25, 1, 1, 1, 1]), f64([10, 10, 10, 10, 10]), 5, 1, 0, 10, 2, out);
    expect(out[0]).toBe(4); // as many rows as a leaf: its own update
  });
  it('nominal step: every level its own Newton value × lr; the missing level only with min rows per leaf', () => {
    const out = new Float64Array(3);
    nominalStep(f64([1, -2, 5]), f64([1, 1, 1]), f64([10, 1, 0]), 3, 0.5, 0, 10, out);
    expect(Array.from(out)).toEqual([-0.5, 1, 0]);
    nominalStep(f64([1, -2, 5]), f64([1, 1, 1]), f64([9, 1, 0]), 3, 0.5, 0, 10, out);
    expect(Array.from(out)).toEqual([0, 1, 0]); // 9 rows missing: no update of its own
  });
  it('pair step finds the XOR pattern (4 leaves)', () => {
    const out = new Float64Array(4);
    const gain = pairStep(f64([-1, 1, 1, -1]), f64([1, 1, 1, 1]), f64([10, 10, 10, 10]), 2, 2, 1, 0, 1, out);
    expect(gain).toBe(4);
    expect(Array.from(out)).toEqual([1, -1, -1, 1]);
  });
});

/** Leads whose outcome has a step in a, level effects of c, missing m as good news, and `interaction` more when a > 5 and c = 2. */
function synthetic(n: number, seed: number, interaction = 1.5) {
  const r = mulberry32(seed);
  const F = 3;
  const X = new Float32Array(n * F);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = r() * 10;
    const c = Math.floor(r() * 4);
    const m = r() < 0.3 ? NaN : r();
    X.set([a, c, m], i * F);
    const z = -1 + (a > 5 ? 1.5 : 0) + [0, 1, -1, 0.5][c] + (Number.isNaN(m) ? 1 : 0) + (a > 5 && c === 2 ? interaction : 0);
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, F, y, categorical: [false, true, false], levels: [0, 4, 0] };
}

describe('fitEbm', () => {
  const data = synthetic(4000, 7);
  const model = fitEbm(data, null, { outerBags: 2, interactions: 1, seed: 1 });
  it('learns the shapes: step in a, level effects, missing bin', () => {
    const ta = model.terms.find((t) => t.features.length === 1 && t.features[0] === 0)!;
    const cuts = model.cuts[0];
    expect(ta.values[binOf(8, cuts)] - ta.values[binOf(2, cuts)]).toBeGreaterThan(1);
    const tc = model.terms.find((t) => t.features.length === 1 && t.features[0] === 1)!;
    expect(tc.values[2]).toBeGreaterThan(tc.values[3]); // code 1 (+1) above code 2 (−1)
    const k = model.terms.findIndex((t) => t.features.length === 1 && t.features[0] === 2);
    const tm = model.terms[k];
    const c = model.counts[k];
    let s = 0, n = 0;
    for (let b = 1; b < tm.values.length; b++) { s += c[b] * tm.values[b]; n += c[b]; }
    expect(tm.values[0]).toBeGreaterThan(s / n + 0.7); // missing is good news (+1 in truth)
  });
  it('chooses the real interaction a × c', () => {
    const pair = model.terms.find((t) => t.features.length === 2)!;
    expect(pair.features).toEqual([0, 1]);
  });
  it('centres every term over the training rows; intercept + Σ contributions = logit', () => {
    const { contributions, logit } = predictEbm(model, data.X, data.F);
    const T = model.terms.length;
    const n = data.y.length;
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += contributions[i * T + t];
      expect(Math.abs(s / n)).toBeLessThan(1e-4);
    }
    const l64 = predictLogit(model, data.X, data.F);
    for (let i = 0; i < n; i++) {
      let s = model.intercept;
      for (let t = 0; t < T; t++) s += contributions[i * T + t];
      expect(Math.abs(s - l64[i])).toBeLessThan(1e-5);
      expect(Math.abs(logit[i] - l64[i])).toBeLessThan(1e-5);
    }
  });
  it('is deterministic for a seed', () => {
    const again = fitEbm(data, null, { outerBags: 2, interactions: 1, seed: 1 });
    expect(again.intercept).toBe(model.intercept);
    again.terms.forEach((t, k) => expect(Array.from(t.values)).toEqual(Array.from(model.terms[k].values)));
  });
  it('stops on an aborted signal', () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => fitEbm(data, null, { outerBags: 1 }, { signal: ac.signal })).toThrow();
  });
});

describe('fitEbm: pairs that learn nothing', () => {
  // The leads of `synthetic` with no interaction in their outcome: the pairs ranked by gain then stop
  // boosting before their first round (this seed), and all their values stay 0.
  it('are not shipped: no term is all 0, so no contribution column is', () => {
    const model = fitEbm(synthetic(1000, 2, 0), null, { outerBags: 2, interactions: 3, seed: 1 });
    expect(model.rounds.pairs).toEqual([0, 0]); // the case: no bag boosted its pairs a round
    expect(model.terms.map((t) => t.features)).toEqual([[0], [1], [2]]);
    expect(model.counts).toHaveLength(model.terms.length);
    for (const term of model.terms) expect(term.values.some((value) => value !== 0)).toBe(true);
  });
});

describe('fitEbm: early stopping when a feature separates the outcomes perfectly', () => {
  // 1,000 leads, every 4th converted; feature 0 is 1 exactly for the converted (a field filled at
  // conversion, trained on all the same), feature 1 is noise. The held-out loss then falls by a
  // constant share each round, for ever: a tolerance relative to it alone never stops the boosting.
  const r = mulberry32(5);
  const y = Uint8Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const X = Float32Array.from({ length: 2000 }, (_, k) => (k % 2 === 0 ? y[k >> 1] : r()));
  const data: EbmData = { X, F: 2, y, categorical: [false, false], levels: [0, 0] };

  it('stops once a round improves the held-out loss by next to nothing, long before the round limit', () => {
    const model = fitEbm(data, null, { outerBags: 2, interactions: 0, seed: 3, maxRounds: 2000 });
    for (const rounds of model.rounds.mains) expect(rounds).toBeLessThan(200);
    // Still all but certain of every lead.
    const logit = predictLogit(model, X, 2);
    for (let i = 0; i < 1000; i++) expect(y[i] === 1 ? logit[i] > 5 : logit[i] < -5, `lead ${i}`).toBe(true);
  });

  it('still learns when conversions are so rare that the base rate alone is held out at a log loss under 1e-3', () => {
    // 150,000 leads, 12 converted (the base rate's loss ≈ 8e-4); feature 0 is high for 11 of them and
    // for 1 in 10 of the others. Measured against a fixed loss, no round counted and the model stayed flat.
    const n = 150_000;
    const rare = mulberry32(7);
    const converted = new Uint8Array(n);
    for (let k = 0; k < 12; k++) converted[Math.floor((k * n) / 12)] = 1;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = (converted[i] ? i !== 0 : rare() < 0.1) ? 0.9 + 0.1 * rare() : 0.9 * rare();
    const model = fitEbm({ X: values, F: 1, y: converted, categorical: [false], levels: [0] }, null, { outerBags: 2, interactions: 0, seed: 42 });
    for (const rounds of model.rounds.mains) expect(rounds).toBeGreaterThan(0);
    const [high, low] = predictLogit(model, Float32Array.from([0.95, 0.3]), 1);
    expect(high - low).toBeGreaterThan(1);
  });
});

describe('fitEbm: a missing value learns from as many leads as a value bin needs (minSamplesLeaf), no fewer', () => {
  // 1,000 leads: revenue (numeric, higher converts more) and source (3 levels); `missing(i)` leads lack revenue and convert more
  function leads(seed: number, missing: (i: number) => boolean): EbmData {
    const r = mulberry32(seed);
    const X = new Float32Array(2000);
    const y = new Uint8Array(1000);
    for (let i = 0; i < 1000; i++) {
      const revenue = r() * 100;
      const source = Math.floor(r() * 3);
      const z = -1.2 + 0.03 * (revenue - 50) + [0, 0.8, -0.6][source] + (missing(i) ? 2 : 0);
      y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      X.set([missing(i) ? NaN : revenue, source], i * 2);
    }
    return { X, F: 2, y, categorical: [false, true], levels: [0, 3] };
  }
  const missingBin = (model: ReturnType<typeof fitEbm>, f: number) => {
    const k = model.terms.findIndex((t) => t.features.length === 1 && t.features[0] === f);
    return { value: model.terms[k].values[0], rows: model.counts[k][0] };
  };

  it.each([1, 2, 3])('one converted lead lacking revenue, one lacking source: both missing bins stay neutral (seed %s)', (seed) => {
    const data = leads(seed, () => false);
    const [first, second] = [data.y.indexOf(1), data.y.indexOf(1, data.y.indexOf(1) + 1)];
    data.X[first * 2] = NaN; // revenue
    data.X[second * 2 + 1] = NaN; // source
    const model = fitEbm(data, null, { outerBags: 2, interactions: 1, seed });
    for (const f of [0, 1]) {
      const missing = missingBin(model, f);
      expect(missing.rows).toBe(1);
      expect(Math.abs(missing.value), `feature ${f}: a missing value one lead had tells nothing`).toBeLessThan(0.05);
    }
  });

  it.each([1, 2, 3])('30 leads lacking revenue that convert more: the missing bin is learned (seed %s)', (seed) => {
    const model = fitEbm(leads(seed, (i) => i % 33 === 0 && i < 990), null, { outerBags: 2, interactions: 1, seed });
    const missing = missingBin(model, 0);
    expect(missing.rows).toBe(30);
    expect(missing.value).toBeGreaterThan(0.3);
  });
});

describe('someFeatureVaries: whether fitEbm has a feature to learn from among the rows', () => {
  // 100 rows, every 3rd converted; one numeric feature: 0 but in rows 10 and 20 (1 and missing)
  const y = Uint8Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const x = Float32Array.from({ length: 100 }, (_, i) => (i === 10 ? 1 : i === 20 ? NaN : 0));
  const data: EbmData = { X: x, F: 1, y, categorical: [false], levels: [0] };
  const rowsBut = (...left: number[]) => Int32Array.from({ length: 100 }, (_, i) => i).filter((i) => !left.includes(i));

  it('is true while the rows hold two values (missing is one), false when they hold one; fitEbm fits exactly then', () => {
    for (const rows of [null, rowsBut(10), rowsBut(20)]) {
      expect(someFeatureVaries(data, rows)).toBe(true);
      expect(() => fitEbm(data, rows, { outerBags: 1, interactions: 0 })).not.toThrow();
    }
    expect(someFeatureVaries(data, rowsBut(10, 20))).toBe(false);
    expect(() => fitEbm(data, rowsBut(10, 20), { outerBags: 1, interactions: 0 })).toThrow('no feature varies among the training rows');
  });

  it('bins as fitEbm does: values binned together do not vary', () => {
    // 3 values in 2 bins: 0 and 1 (a row each) share a bin below the 98 rows of 2
    const binnedTogether: EbmData = { ...data, X: Float32Array.from({ length: 100 }, (_, i) => (i < 2 ? i : 2)) };
    expect(someFeatureVaries(binnedTogether, rowsBut(99), 2)).toBe(false);
    expect(() => fitEbm(binnedTogether, rowsBut(99), { outerBags: 1, interactions: 0, maxBins: 2 })).toThrow('no feature varies');
    expect(someFeatureVaries(binnedTogether, rowsBut(99))).toBe(true);
  });

  it('finds one varying feature among constant ones; a categorical one by its codes', () => {
    const codes = Float32Array.from({ length: 100 }, (_, i) => (i === 50 ? 1 : 0));
    const X = new Float32Array(300);
    for (let i = 0; i < 100; i++) X.set([5, codes[i], 7], i * 3);
    const mixed: EbmData = { X, F: 3, y, categorical: [false, true, false], levels: [0, 2, 0] };
    expect(someFeatureVaries(mixed, null)).toBe(true);
    expect(someFeatureVaries(mixed, rowsBut(50))).toBe(false);
  });
});

describe('stratifiedSplit (each bag\'s early-stopping split)', () => {
  const expectDisjointRows = ({ tr, va }: { tr: Int32Array; va: Int32Array }, n: number) => {
    const rows = [...tr, ...va];
    expect(new Set(rows).size, 'no row twice, nor in both parts').toBe(rows.length);
    expect(rows.every((row) => Number.isInteger(row) && row >= 0 && row < n)).toBe(true);
  };
  it('keeps a class of one row in training only (it cannot be in both)', () => {
    const y = new Uint8Array(20);
    y[0] = 1; // one converted lead, the first row
    const split = stratifiedSplit(y, 0.15, mulberry32(1));
    expectDisjointRows(split, 20);
    expect(Array.from(split.tr)).toContain(0);
    expect(Array.from(split.va)).not.toContain(0);
    expect(split.tr.length + split.va.length).toBe(20);
  });
  it.each([
    [2, 0.15, 1],
    [3, 0.5, 1],
    [1, 0.15, 0.5],
    [7, 0.15, 0.05],
  ])('never puts a row in both parts (%s converted of 40, validation share %s, bag fraction %s)', (positives, share, fraction) => {
    const y = new Uint8Array(40);
    for (let k = 0; k < positives; k++) y[5 + 5 * k] = 1;
    const split = stratifiedSplit(y, share, mulberry32(positives));
    expectDisjointRows(split, 40);
    // training has both classes
    expect(Array.from(split.tr).some((row) => y[row] === 1)).toBe(true);
    expect(Array.from(split.tr).some((row) => y[row] === 0)).toBe(true);
  });
});
