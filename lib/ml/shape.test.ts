/**
 * Shape functions in the manifest are exactly what the model adds: evaluated with
 * `termContribution` on every row of a dataset they equal the ONNX `contributions`.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { parseManifest, type TermShape } from './manifest';
import { axisBin, bestSupportedRange, labelsNameTheirBins, LEAST_VISIBLE_POINTS, numbersWritten, rangeLabel, supportedIdeal, termContribution, valueInBin, writtenBeside } from './shape';
import { trainModel } from './train/index';
import { syntheticLeads } from './train/synthetic';

describe('axisBin', () => {
  const numeric = { labels: ['≤ 1', '1 – 5', '> 5', 'missing'], edges: [1, 5] };
  const categorical = { labels: ['Web', 'Referral', '(other)', 'missing'], edges: [] };
  it('numeric: value ≤ edge, above every edge → the bin before missing, NaN → missing', () => {
    expect([-Infinity, 0, 1, 1.0000001, 5, 5.5, 1e30, NaN].map((v) => axisBin(numeric, v))).toEqual([0, 0, 0, 1, 1, 2, 2, 3]);
  });
  it('compares in float32, as the ONNX input is', () => {
    const axis = { labels: ['a', 'b', 'missing'], edges: [Math.fround(0.1)] };
    expect(axisBin(axis, 0.1)).toBe(0); // 0.1 > fround(0.1) in float64, equal in float32
  });
  it('categorical: code → bin, unknown codes → "(other)", NaN → missing', () => {
    expect([0, 1, 2, 3, 17, -1, 0.5, NaN].map((v) => axisBin(categorical, v))).toEqual([0, 1, 2, 2, 2, 2, 2, 3]);
  });
  it('valueInBin gives a value of each bin, off the edges, that bins back to it; NaN for missing', () => {
    expect([0, 1, 2, 3].map((bin) => valueInBin(numeric, bin))).toEqual([0, 3, 10, Number.NaN]);
    for (const axis of [numeric, categorical]) {
      const bins = axis.labels.map((_, bin) => bin);
      expect(bins.map((bin) => axisBin(axis, valueInBin(axis, bin)))).toEqual(bins);
    }
  });
  it('pairs are row-major over the axes', () => {
    const shape: TermShape = { axes: [numeric, categorical], scores: Array.from({ length: 16 }, (_, i) => i) };
    expect(termContribution(shape, [3, 1])).toBe(1 * 4 + 1);
    expect(termContribution(shape, [NaN, NaN])).toBe(15);
  });
});

describe('the ends a label writes', () => {
  const edge = Math.fround(0.16025641560554504); // the bundled model's click rate: 32 clicks of 200 opens (0.16) is at most it
  it('writes the least number above an edge, and the greatest at most it, as the model reads them in float32', () => {
    expect([writtenBeside(edge, 3, true), writtenBeside(edge, 3, false), writtenBeside(edge, 2, true)]).toEqual([0.161, 0.16, 0.17]);
    expect([writtenBeside(13_500_000, 0, true), writtenBeside(13_500_000, 0, false)]).toEqual([13_500_001, 13_500_000]);
    // Float32 1.0699999: 1.07 (float32 1.0700000525) is above it.
    const below = Math.fround(1.07 - 1e-7);
    expect([writtenBeside(below, 2, false), writtenBeside(below, 2, true)]).toEqual([1.06, 1.07]);
    // Hundreds: float32 tells no whole dollars apart past 16,777,216.
    expect(writtenBeside(285_000_000, -2, true)).toBe(285_000_100);
  });

  it('reads the numbers a label writes', () => {
    expect(numbersWritten('$13,500,001 – $20,500,000')).toEqual([13_500_001, 20_500_000]);
    expect(numbersWritten('≤ 0.031 clicks per open')).toEqual([0.031]);
    expect(numbersWritten('-$1,000 – $0')).toEqual([-1000, 0]);
  });

  it("tells labels whose ends are values their bins hold from those whose lower end is the bin below's edge", () => {
    const edges = [Math.fround(0.14835165441036224), edge];
    expect(labelsNameTheirBins({ labels: ['≤ 0.148', '0.149 – 0.16', '≥ 0.161', 'missing'], edges })).toBe(true);
    expect(labelsNameTheirBins({ labels: ['≤ 0.148', '0.148 – 0.16', '> 0.16', 'missing'], edges })).toBe(false);
    expect(labelsNameTheirBins({ labels: ['≤ $1,000', '$1,000 – $2,000', '> $2,000', 'missing'], edges: [1000, 2000] })).toBe(false);
    expect(labelsNameTheirBins({ labels: ['≤ 0.5', '0.5 – 1.07', '> 1.07', 'missing'], edges: [0.5, Math.fround(1.07 - 1e-7)] })).toBe(false);
    // Whole numbers: "> 30" over 30.5 names them all.
    expect(labelsNameTheirBins({ labels: ['≤ 2', '3 – 5', '6', '> 6', 'missing'], edges: [2.5, 5.5, 6.5] })).toBe(true);
  });

  it("names a range by its bins' ends", () => {
    const axis = { labels: ['≤ 0.148', '0.149 – 0.16', '0.161 – 0.174', '0.175 – 0.205', '≥ 0.206', 'missing'] };
    expect([rangeLabel(axis, 2, 3), rangeLabel(axis, 0, 1), rangeLabel(axis, 2, 4)]).toEqual(['0.161 – 0.205', '≤ 0.16', '0.161 or more']);
  });
});

describe('bestSupportedRange', () => {
  it('ranks the ranges holding enough rows by the mean of the values over their rows', () => {
    // 5 % of 1,000 rows is 50: the 3-row spike (+2) counts only with its neighbour of 47 rows.
    const values = [-0.5, 2, 0.5, 0.1];
    const rows = [300, 3, 47, 650];
    expect(bestSupportedRange(values, rows, true)).toEqual({ first: 1, last: 2, mean: (3 * 2 + 47 * 0.5) / 50 });
    // Bins that are no neighbours (a category's levels) must hold the rows each.
    expect(bestSupportedRange(values, rows, false)).toEqual({ first: 3, last: 3, mean: 0.1 });
    // Fewer than 30 rows in all: nothing holds enough.
    expect(bestSupportedRange([1, 2], [10, 19], true)).toBeNull();
  });
});

describe('supportedIdeal', () => {
  it('narrows a number\'s best range to the run of values around its best that score alike, holding as many rows as a range must', () => {
    // 992 rows: a range must hold 49.6. The best is bins 2 – 4 (72 rows, mean 0.957), lifted by bin 4's 2 rows at +2.5; the
    // run around bin 3 that scores alike is bins 2 – 3, 70 rows.
    const values = [-0.3, 0.1, 0.9, 0.93, 2.5, 0.2];
    const rows = [500, 400, 40, 30, 2, 20];
    expect(bestSupportedRange(values, rows, true)).toEqual({ first: 2, last: 4, mean: expect.closeTo((36 + 27.9 + 5) / 72, 12) });
    expect(supportedIdeal(values, rows, true)!.ideal).toEqual({ first: 2, last: 3, mean: expect.closeTo((36 + 27.9) / 70, 12), best: 3, whole: false });
    expect(LEAST_VISIBLE_POINTS).toBe(0.05);
  });

  it('keeps the range whole when its run of values scoring alike holds fewer rows than a range must, naming its best value', () => {
    // 1,030 rows: a range must hold 51.5. The best is bins 3 – 5 (70 rows, mean 0.704), whose bin 5 adds 0.2 where bins 3 and
    // 4 add 0.9 and 0.93; the run of bins 3 – 4 holds 50 rows, under 5 % of the rows known: a spike of chance, no ideal.
    const values = [-0.3, 0.1, 0.3, 0.9, 0.93, 0.2];
    const rows = [500, 400, 60, 40, 10, 20];
    expect(bestSupportedRange(values, rows, true)).toEqual({ first: 3, last: 5, mean: expect.closeTo((36 + 9.3 + 4) / 70, 12) });
    expect(supportedIdeal(values, rows, true)!.ideal).toEqual({ first: 3, last: 5, mean: expect.closeTo((36 + 9.3 + 4) / 70, 12), best: 4, whole: true });
  });

  it('never takes a run outside the best range, nor widens one past it: a value the range left out is no ideal', () => {
    // 1,000 rows: a range must hold 50. The best is bins 0 – 1 (600 rows, +0.5); bin 3 (+0.56) scores above it, but 35 rows hold it.
    expect(supportedIdeal([0.5, 0.5, -1, 0.56, -1], [300, 300, 300, 35, 65], true)!.ideal).toEqual({ first: 0, last: 1, mean: 0.5, best: 0, whole: false });
    // The best range is bins 3 – 4 (50 rows of 600, mean 0.638); bin 2 (0.61) scores within 0.05 of them, but lies outside it.
    const ideal = supportedIdeal([-0.3, 0.1, 0.61, 0.63, 0.65, 0.2], [300, 200, 40, 30, 20, 10], true)!.ideal;
    expect(ideal).toEqual({ first: 3, last: 4, mean: expect.closeTo((18.9 + 13) / 50, 12), best: 4, whole: false });
  });

  it('keeps the range whole when no run scoring alike holds 30 rows, and never seeds a run visibly below the range', () => {
    // 300 rows: a range must hold 30. Bins 2 (2 rows, +2) and 3 (28 rows, +0.6) score apart and neither holds 30; bin 4
    // (100 rows, +0.1) would, but scores far below the range's 0.693: the range of the best mean stands, as the trainer's ideal.
    const values = [-0.5, 0.4, 2, 0.6, 0.1, -0.2];
    const rows = [100, 20, 2, 28, 100, 50];
    expect(supportedIdeal(values, rows, true)).toEqual({
      ideal: { first: 2, last: 3, mean: (2 * 2 + 28 * 0.6) / 30, best: 2, whole: true },
      // Held on their own (30 rows), or 5 % of the range's 30 in it: bin 1's 20 rows are neither.
      wellHeld: [true, false, true, true, true, true],
    });
  });

  it("judges the range by its well-held bins: a bin of a row or two does not lift its mean out of a run's reach", () => {
    // 603 rows: a range must hold 30.15. The best range is bins 3 – 4 (mean 0.69, lifted by bin 4's 2 rows at +2.5, fewer
    // than 5 % of its 42); its well-held bin 3 (40 rows, +0.6) is the ideal, not the range with the spike.
    const ideal = supportedIdeal([-1, -0.5, 0.5, 0.6, 2.5, 0.4], [300, 200, 60, 40, 2, 1], true)!;
    expect(ideal).toEqual({ ideal: { first: 3, last: 3, mean: 0.6, best: 3, whole: false }, wellHeld: [true, true, true, true, false, false] });
  });

  it('names as best of a range of thin bins a value whose run scoring alike 5 % of its rows had, never a bin of two rows; else none', () => {
    // 1,060 rows: a range must hold 53. The best range is bins 1 – 27 (54 rows, 2 a bin: none holds 5 % of them, 2.7), where
    // bin 10 (+1) is a spike of 2 rows, and bins 20 – 22 (+0.6) score alike with 6 rows between them.
    const values = [-1, ...Array.from({ length: 30 }, (_, k) => (k % 2 ? 0.3 : 0.45))];
    values[10] = 1;
    const rows = [1000, ...Array<number>(30).fill(2)];
    const alike = values.map((value, bin) => (bin >= 20 && bin <= 22 ? 0.6 : value));
    expect(supportedIdeal(alike, rows, true)!.ideal).toEqual({ first: 1, last: 27, mean: expect.closeTo(0.4315, 4), best: 20, whole: true });
    // Bins 20 – 22 scoring apart (+0.6, +0.7, +0.8): no value of the range, alone or with those alike, is held by 5 % of its rows.
    const apart = values.map((value, bin) => (bin >= 20 && bin <= 22 ? 0.6 + (bin - 20) / 10 : value));
    expect(supportedIdeal(apart, rows, true)!.ideal).toEqual({ first: 1, last: 27, mean: expect.closeTo(0.4426, 4), best: null, whole: true });
  });

  it('ends a run at values some rows had', () => {
    // Bins 1 – 3 score alike, but no row had bin 1 or 3: the ideal is bin 2 alone (the best range includes bin 1).
    const values = [0, 0.5, 0.5, 0.5, 0];
    const rows = [100, 0, 40, 0, 100];
    expect(bestSupportedRange(values, rows, true)).toMatchObject({ first: 1, last: 2 });
    expect(supportedIdeal(values, rows, true)!.ideal).toEqual({ first: 2, last: 2, mean: 0.5, best: 2, whole: false });
  });

  it("takes a category's best-supported level as it is, and names nothing when no range holds enough rows", () => {
    // 412 rows: a level must hold 30; "Rare" (12 rows) scores most.
    expect(supportedIdeal([0.1, 0.5, 1.5], [300, 100, 12], false)).toEqual({ ideal: { first: 1, last: 1, mean: 0.5, best: 1, whole: false }, wellHeld: [true, true, false] });
    expect(supportedIdeal([1, 2], [10, 19], true)).toBeNull();
  });
});

describe('the trained manifest carries every term\'s shape', () => {
  const result = trainModel({
    records: syntheticLeads(2500, 21),
    target: 'converted',
    positive: '1',
    exclude: ['id'],
    options: { cv: 2, seed: 5, ebm: { outerBags: 2, interactions: 6 } },
  });
  const { manifest, X } = result;
  const F = manifest.features.length;
  const T = manifest.terms.length;
  const N = X.length / F;

  it('labels as a rep reads them, edges, one score per bin; the manifest validates', () => {
    expect(parseManifest(JSON.parse(JSON.stringify(manifest))).ok).toBe(true);
    for (const term of manifest.terms) {
      const shape = term.shape!;
      expect(shape.axes.length).toBe(term.features.length);
      shape.axes.forEach((axis, a) => {
        const feature = manifest.features[term.features[a]];
        expect(axis.labels.at(-1)).toBe('missing');
        if (feature.type === 'categorical') {
          expect(axis.edges).toEqual([]);
          expect(axis.labels.slice(0, -1)).toEqual(feature.vocabulary);
        } else {
          expect(axis.labels.length).toBe(axis.edges.length + 2);
          expect(axis.edges.every((e, i) => i === 0 || e > axis.edges[i - 1])).toBe(true);
        }
      });
    }
    const revenue = manifest.terms.find((t) => t.features.length === 1 && manifest.features[t.features[0]].key === 'revenue')!.shape!;
    expect(revenue.axes[0].labels[0]).toMatch(/^≤ [\d,.]+$/);
    expect(revenue.axes[0].labels[1]).toMatch(/^[\d,.]+ – [\d,.]+$/);
    expect(manifest.terms.some((t) => t.features.length === 2)).toBe(true);
  });

  it('termContribution on every row (and NaN / extreme rows) equals the ONNX contributions', async () => {
    // [3, F]: all missing; numbers below / above every edge (categorical: a code beyond the vocabulary)
    const extremes = new Float32Array(3 * F);
    manifest.features.forEach((feature, f) => {
      extremes[f] = NaN;
      extremes[F + f] = feature.type === 'categorical' ? 1e6 : -1e30;
      extremes[2 * F + f] = feature.type === 'categorical' ? 1e6 : 1e30;
    });
    const rows = new Float32Array(X.length + extremes.length);
    rows.set(X);
    rows.set(extremes, X.length);
    const n = N + 3;
    const session = await ort.InferenceSession.create(result.onnx);
    const out = await session.run({ features: new ort.Tensor('float32', rows, [n, F]) });
    const onnx = out.contributions.data as Float32Array; // [n, T]
    let maxDiff = 0;
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < T; t++) {
        const term = manifest.terms[t];
        const values = term.features.map((f) => rows[i * F + f]);
        maxDiff = Math.max(maxDiff, Math.abs(termContribution(term.shape!, values) - onnx[i * T + t]));
      }
    }
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
  });
});
