import { describe, expect, it } from 'vitest';
import { binOf, deviationsFromIdeal, modelHasShapes, shapeAt, whatWouldMakeHotter } from './insights';
import { ManifestSchema, type Manifest } from './manifest';
import { sigmoid } from './train/calibration';

// Three features: website visits (actionable; bins 0 | 1–5 | >5 | missing), industry (not
// actionable), e-mails opened (actionable; ≤2 | >2 | missing), and a visits × opens pair
// that adds 0.4 only for ">5 visits and >2 opens". No calibration: p = sigmoid(logit).
const pairScores = Array(12).fill(0);
pairScores[2 * 3 + 1] = 0.4;
const manifest: Manifest = ManifestSchema.parse({
  schemaVersion: 1,
  modelId: 'hand-made',
  createdAt: '2026-11-01T00:00:00Z',
  trainer: { name: 'test', version: '0' },
  target: { column: 'converted', positive: '1' },
  features: [
    { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } }, actionable: true },
    { key: 'industry', label: 'Industry', type: 'categorical', vocabulary: ['Tech', 'Retail'], derive: { kind: 'value', from: { csv: 'industry' } } },
    { key: 'opens', label: 'E-mails opened', type: 'numeric', derive: { kind: 'value', from: { csv: 'opens' } }, actionable: true },
  ],
  terms: [
    { features: [0], label: 'Website visits', shape: { axes: [{ labels: ['0', '1 – 5', '> 5', 'missing'], edges: [0, 5] }], scores: [-1, 0, 1, -0.5] } },
    { features: [1], label: 'Industry', shape: { axes: [{ labels: ['Tech', 'Retail', 'missing'], edges: [] }], scores: [0.5, -0.5, 0] } },
    { features: [2], label: 'E-mails opened', shape: { axes: [{ labels: ['≤ 2', '> 2', 'missing'], edges: [2] }], scores: [-0.2, 0.3, 0] } },
    {
      features: [0, 2],
      label: 'Website visits × E-mails opened',
      shape: {
        axes: [
          { labels: ['0', '1 – 5', '> 5', 'missing'], edges: [0, 5] },
          { labels: ['≤ 2', '> 2', 'missing'], edges: [2] },
        ],
        scores: pairScores,
      },
    },
  ],
  intercept: -2,
  calibration: { kind: 'none' },
  tiers: { policy: { kind: 'fixed' }, hot: 0.5, warm: 0.2 },
  reference: { baseRate: 0.1, probabilityPercentiles: Array.from({ length: 99 }, (_, i) => (i + 1) / 100), features: [] },
  metrics: {},
  provenance: { rows: 10, positives: 1, source: 'test', referenceTime: '2026-11-01T00:00:00Z' },
});

/** The contributions the model would return for a row: every term's shape at the row's bins. */
function contributionsOf(row: number[]): number[] {
  return manifest.terms.map((term) => shapeAt(term.shape!, term.features.map((f, a) => binOf(term.shape!.axes[a], row[f]))));
}

describe('binOf', () => {
  const numeric = manifest.terms[0].shape!.axes[0];
  const categorical = manifest.terms[1].shape!.axes[0];
  it.each([
    [0, 0], [-3, 0], [0.5, 1], [5, 1], [5.01, 2], [900, 2], [Number.NaN, 3],
  ])('puts visits %f in bin %i', (value, bin) => expect(binOf(numeric, value)).toBe(bin));
  it('uses codes as bins for categories, and the missing bin for missing or unknown codes', () => {
    expect([0, 1, Number.NaN, 7].map((code) => binOf(categorical, code))).toEqual([0, 1, 2, 2]);
  });
});

describe('deviationsFromIdeal', () => {
  it('gives each feature the lead value, the ideal value and the points lost, largest first', () => {
    // 0 visits (−1 vs ideal 1), Retail (−0.5 vs 0.5), 1 open (−0.2 vs 0.3)
    expect(deviationsFromIdeal(manifest, [0, 1, 1])).toEqual([
      { feature: 0, label: 'Website visits', leadValue: '0', idealValue: '> 5', pointsLost: 2 },
      { feature: 1, label: 'Industry', leadValue: 'Retail', idealValue: 'Tech', pointsLost: 1 },
      { feature: 2, label: 'E-mails opened', leadValue: '≤ 2', idealValue: '> 2', pointsLost: expect.closeTo(0.5, 12) },
    ]);
  });
  it('never calls "missing" ideal, even when it scores best', () => {
    expect(deviationsFromIdeal(manifest, [Number.NaN, 0, 9]).find((d) => d.feature === 0)).toMatchObject({ leadValue: 'missing', idealValue: '> 5', pointsLost: 1.5 });
  });
});

describe('whatWouldMakeHotter', () => {
  it('takes the biggest actionable move first, then the smallest that reaches warm, holding pair partners', () => {
    const row = [0, 1, 1]; // logit −2 −1 −0.5 −0.2 = −3.7: cold
    const plan = whatWouldMakeHotter(manifest, row, contributionsOf(row))!;
    // Warm needs logit ≥ ln(0.2 / 0.8) ≈ −1.386: no single move gains 2.31. Visits → "> 5"
    // gains 2 (the biggest); then opens → "> 2" gains 0.5 + the pair's 0.4 = 0.9 and reaches it.
    expect(plan.targetTier).toBe('warm');
    expect(plan.changes).toEqual([
      { feature: 0, label: 'Website visits', from: '0', to: '> 5', points: 2 },
      { feature: 2, label: 'E-mails opened', from: '≤ 2', to: '> 2', points: expect.closeTo(0.9, 12) },
    ]);
    expect(plan.probabilityBefore).toBeCloseTo(sigmoid(-3.7), 12);
    expect(plan.probabilityAfter).toBeCloseTo(sigmoid(-0.8), 12);
    expect(plan.reaches).toBe(true);
  });

  it('aims a warm lead at hot and never changes the industry', () => {
    const row = [9, 0, 0]; // −2 + 1 + 0.5 − 0.2 = −0.7: p ≈ 0.33, warm
    const plan = whatWouldMakeHotter(manifest, row, contributionsOf(row))!;
    expect(plan.targetTier).toBe('hot');
    expect(plan.changes.map((c) => [c.label, c.to])).toEqual([['E-mails opened', '> 2']]);
    expect(plan.probabilityAfter).toBeCloseTo(sigmoid(0.2), 12);
  });

  it('says when the best moves are not enough', () => {
    const lowIntercept = { ...manifest, intercept: -9 };
    const row = [0, 1, 1];
    const plan = whatWouldMakeHotter(lowIntercept, row, contributionsOf(row))!;
    expect(plan.reaches).toBe(false);
    expect(plan.changes).toHaveLength(2); // only two actionable features exist
  });

  it('has nothing to suggest for a hot lead', () => {
    const row = [9, 0, 9]; // −2 + 1 + 0.5 + 0.3 + 0.4 = 0.2
    expect(whatWouldMakeHotter(manifest, row, contributionsOf(row))).toBeNull();
  });

  it('knows when a model has no shape functions', () => {
    expect(modelHasShapes(manifest)).toBe(true);
    expect(modelHasShapes({ ...manifest, terms: manifest.terms.map(({ shape: _shape, ...term }) => term) })).toBe(false);
  });
});
