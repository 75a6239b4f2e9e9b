/**
 * The ideal value of each feature in the manifest's reference (the model card's "ideal value"):
 * a range or level resting on enough training leads, never a bin fitted to one or two.
 */
import { describe, expect, it } from 'vitest';
import { deviationsFromIdeal } from '../insights';
import type { Feature, FeatureSpec } from '../manifest';
import { mulberry32 } from '../random';
import { MIN_IDEAL_ROWS } from '../shape';
import { trainModel } from './index';
import { binLabels, idealOf } from './term-shapes';
import { handMadeManifest } from '../../../test/fixtures/manifest';

const seats: Feature = { key: 'seats', label: 'Seats', type: 'numeric', derive: { kind: 'value', from: { csv: 'seats' } }, missingValues: [], actionable: false };

/** A model of seats alone, shaped `scores` over bins of `edges` [value bins], its training leads `rows` per bin: the side panel's view of what the trainer learnt. */
const seatsModel = (edges: number[], scores: number[], rows: number[]) =>
  handMadeManifest({
    features: [seats],
    terms: [{ features: [0], label: 'Seats', shape: { axes: [{ labels: binLabels(seats, edges, true), edges }], scores: [...scores, 0] } }],
    intercept: -2,
    referenceFeatures: [{ key: 'seats', missingShare: 0, idealValue: '', idealContribution: 0, binRows: [...rows, 0] }],
  });
const plan: Feature = { ...seats, key: 'plan', label: 'Plan', type: 'categorical', derive: { kind: 'value', from: { csv: 'plan' } }, vocabulary: ['Basic', 'Gold', 'Rare'] };

describe('idealOf', () => {
  it('merges a number\'s neighbouring bins into the best-scoring range holding enough rows, its contribution their mean', () => {
    // A spike of 2 rows (+2) beside a broad rise: the spike alone is too few; with its neighbour it is the best range of 30 rows.
    const edges = [10, 20, 30, 40, 50];
    const scores = [-0.5, 0.4, 2, 0.6, 0.1, -0.2];
    expect(idealOf(seats, { edges }, scores, [100, 20, 2, 28, 100, 50], true)).toEqual({ idealValue: '21 – 40', idealContribution: (2 * 2 + 28 * 0.6) / 30 });
    // With 1,250 rows known, 5 % of them (63) is more than 30: the best range holding that many is wider.
    expect(idealOf(seats, { edges }, scores, [100, 20, 2, 28, 100, 1000], true).idealValue).toBe('11 – 50');
  });

  it('takes a category\'s level only when it holds enough rows itself: levels are no neighbours to merge', () => {
    expect(idealOf(plan, { edges: [] }, [0.1, 0.5, 1.5], [300, 100, 12], false)).toEqual({ idealValue: 'Gold', idealContribution: 0.5 });
  });

  it('never takes the pooled "(other)", the values too rare to learn: no one value, none a rep could name', () => {
    const pooled: Feature = { ...plan, vocabulary: ['Basic', 'Gold', '(other)'], otherCode: 2 };
    expect(idealOf(pooled, { edges: [] }, [0.1, 0.5, 1.5], [300, 100, 400], false)).toEqual({ idealValue: 'Gold', idealContribution: 0.5 });
  });

  it('takes a flat run of the shape whole, not the part of it that first holds enough rows', () => {
    // Three bins of +0.5 holding 20 rows each: two of them hold enough, and all three score the same.
    expect(idealOf(seats, { edges: [10, 20, 30, 40] }, [0.1, 0.5, 0.5, 0.5, -0.2], [50, 20, 20, 20, 50], true)).toEqual({ idealValue: '11 – 40', idealContribution: 0.5 });
  });

  it('narrows a number\'s best range to the values around its best that score alike, its contribution their mean', () => {
    // 992 rows: the best range is "21 – 50" (72 rows, mean 0.957), lifted by 2 rows at +2.5 in 41 – 50; 21 – 40 add 0.9 and 0.93.
    const edges = [10, 20, 30, 40, 50];
    expect(idealOf(seats, { edges }, [-0.3, 0.1, 0.9, 0.93, 2.5, 0.2], [500, 400, 40, 30, 2, 20], true)).toEqual({
      idealValue: '21 – 40',
      idealContribution: expect.closeTo((40 * 0.9 + 30 * 0.93) / 70, 12),
    });
  });

  it('keeps the best range whole where its values scoring alike are held by fewer leads than a range must be', () => {
    // 1,030 rows: the best range is "31 or more" (70 rows, mean 0.704); 31 – 50 add 0.9 and 0.93, but 50 rows, under 5 %, hold them.
    const edges = [10, 20, 30, 40, 50];
    expect(idealOf(seats, { edges }, [-0.3, 0.1, 0.3, 0.9, 0.93, 0.2], [500, 400, 60, 40, 10, 20], true)).toEqual({
      idealValue: '31 or more',
      idealContribution: expect.closeTo((40 * 0.9 + 10 * 0.93 + 20 * 0.2) / 70, 12),
    });
  });

  it('is the side panel\'s ideal for a lead with no pairs where the range is kept whole, with the odds of its best value and what its values give, least to most', () => {
    // 873 rows: the best range is "21 – 50" (48 rows, mean 0.742); 31 – 50 (+1.2) hold 28, too few, and 21 – 30 add only 0.1.
    const edges = [10, 20, 30, 40, 50];
    const scores = [-0.5, 0.6, 0.1, 1.2, 1.2, -0.5];
    const rows = [400, 25, 20, 14, 14, 400];
    const model = seatsModel(edges, scores, rows);
    const trainer = idealOf(seats, { edges }, scores, rows, true);
    expect(trainer.idealValue).toBe('21 – 50');
    // From 15 seats (+0.6), 21 would take 0.5 away, but 31 – 50 add 0.6: the range the model card names, with what it can give,
    // and the table says both (÷1.6 – ×1.8).
    expect(deviationsFromIdeal(model, [15], 'csv')).toEqual([
      { feature: 0, label: 'Seats', actionable: false, leadValue: '15', idealValue: trainer.idealValue, pointsLost: expect.closeTo(0.6, 12), pointsAcross: { least: expect.closeTo(-0.5, 12), most: expect.closeTo(0.6, 12) } },
    ]);
    expect(deviationsFromIdeal(model, [5], 'csv')).toEqual([
      { feature: 0, label: 'Seats', actionable: false, leadValue: '5', idealValue: trainer.idealValue, pointsLost: expect.closeTo(1.7, 12), pointsAcross: { least: expect.closeTo(0.6, 12), most: expect.closeTo(1.7, 12) } },
    ]);
    expect(deviationsFromIdeal(model, [25], 'csv')).toEqual([{ feature: 0, label: 'Seats', actionable: false, leadValue: '25', idealValue: trainer.idealValue, pointsLost: 0 }]);
  });

  it('is the side panel\'s ideal for a lead with no pairs where the range is kept whole of thin bins, with the odds of its value nearest the lead and what its values give, least to most', () => {
    // 1,060 rows: the best range is "3 – 56" (54 rows, 2 a bin); its top bin, 21 – 22 (+1), is 2 rows, and no values
    // scoring alike hold 5 % of the range's rows: no best value to give the odds of, so the nearest's.
    const edges = Array.from({ length: 30 }, (_, k) => 2 * (k + 1));
    const scores = [-1, ...Array.from({ length: 30 }, (_, k) => (k % 2 ? 0.3 : 0.45))];
    scores[10] = 1;
    const rows = [1000, ...Array<number>(30).fill(2)];
    const model = seatsModel(edges, scores, rows);
    const trainer = idealOf(seats, { edges }, scores, rows, true);
    expect(trainer.idealValue).toBe('3 – 56');
    // From 1 seat (−1): 3 (+0.45) is the nearest value, not the 2 rows' +1; from 57 (+0.3): 56 (+0.45). Across the range, from
    // its +0.3 values to the 2 rows' +1: what the score would do there, though no plan moves a lead to it.
    expect(deviationsFromIdeal(model, [1], 'csv')).toEqual([
      { feature: 0, label: 'Seats', actionable: false, leadValue: '1', idealValue: trainer.idealValue, pointsLost: expect.closeTo(1.45, 12), pointsAcross: { least: expect.closeTo(1.3, 12), most: expect.closeTo(2, 12) } },
    ]);
    expect(deviationsFromIdeal(model, [57], 'csv')).toEqual([
      { feature: 0, label: 'Seats', actionable: false, leadValue: '57', idealValue: trainer.idealValue, pointsLost: expect.closeTo(0.15, 12), pointsAcross: { least: expect.closeTo(0, 12), most: expect.closeTo(0.7, 12) } },
    ]);
  });

  it('is the side panel\'s ideal for a lead with no pairs where the range narrows, with the odds of its value nearest the lead', () => {
    const edges = [10, 20, 30, 40, 50];
    const scores = [-0.3, 0.1, 0.9, 0.93, 2.5, 0.2];
    const rows = [500, 400, 40, 30, 2, 20];
    const model = seatsModel(edges, scores, rows);
    const trainer = idealOf(seats, { edges }, scores, rows, true);
    expect(trainer.idealValue).toBe('21 – 40');
    // From 5 seats (−0.3): 21 (+0.9) is the nearest value; from 60 (+0.2): 40 (+0.93).
    expect(deviationsFromIdeal(model, [5], 'csv')).toEqual([{ feature: 0, label: 'Seats', actionable: false, leadValue: '5', idealValue: trainer.idealValue, pointsLost: expect.closeTo(1.2, 12) }]);
    expect(deviationsFromIdeal(model, [60], 'csv')).toEqual([{ feature: 0, label: 'Seats', actionable: false, leadValue: '60', idealValue: trainer.idealValue, pointsLost: expect.closeTo(0.73, 12) }]);
  });

  it('is the side panel\'s ideal for a lead with no pairs word for word, a wide range of whole numbers and one open above included', () => {
    const sidePanelAndCard = (edges: number[], scores: number[], rows: number[], lead: number) => {
      const model = seatsModel(edges, scores, rows);
      return [deviationsFromIdeal(model, [lead], 'csv')[0].idealValue, idealOf(seats, { edges }, scores, rows, true).idealValue];
    };
    // Edges 10 … 300, 40 rows a bin: 11 – 280 score alike, a range of 270 whole numbers. A seat count of 10 is in "≤ 10", so
    // the range starts at 11, as its first bin "11 – 20" does, not at the edge 10.
    const edges = Array.from({ length: 30 }, (_, k) => 10 * (k + 1));
    const scores = [-1, ...Array<number>(27).fill(0.5), -1, -1, -1];
    expect(sidePanelAndCard(edges, scores, Array<number>(31).fill(40), 5)).toEqual(['11 – 280', '11 – 280']);
    // The range kept whole above 30 (see above) reads as the side panel words a range open above.
    expect(sidePanelAndCard([10, 20, 30, 40, 50], [-0.3, 0.1, 0.3, 0.9, 0.93, 0.2], [500, 400, 60, 40, 10, 20], 5)).toEqual(['31 or more', '31 or more']);
  });

  it('names no ideal when no range holds enough rows', () => {
    expect(idealOf(seats, { edges: [10] }, [0.1, 0.5], [10, MIN_IDEAL_ROWS - 11], true)).toEqual({ idealValue: '', idealContribution: 0 }); // 29 rows known
  });
});

describe('trainModel names ideals that enough training leads hold', () => {
  // Seats 1 … 600, one lead each, so a range "a – b" holds b − a + 1 leads; 301 – 400 convert at 50 %, the rest at 5 %.
  // A plan level of 12 leads that all converted, beside Gold (30 %) and Basic (5 %).
  const random = mulberry32(11);
  const records = Array.from({ length: 600 }, (_, i) => {
    const rare = i % 50 === 7;
    const gold = !rare && i % 3 === 0;
    const chance = Math.max(i >= 300 && i < 400 ? 0.5 : 0.05, gold ? 0.3 : 0);
    return { seats: String(i + 1), plan: rare ? 'Rare' : gold ? 'Gold' : 'Basic', converted: rare || random() < chance ? '1' : '0' };
  });
  const specs: FeatureSpec[] = [
    { key: 'seats', label: 'Seats', type: 'numeric', derive: { kind: 'value', from: { csv: 'seats' } }, missingValues: [], actionable: false },
    { key: 'plan', label: 'Plan', type: 'categorical', derive: { kind: 'value', from: { csv: 'plan' } }, missingValues: [], actionable: false },
  ];
  const { manifest } = trainModel({ records, target: 'converted', positive: '1', specs, options: { cv: 3, seed: 7, ebm: { outerBags: 2, interactions: 0 } } });
  const idealOfKey = (key: string) => manifest.reference.features.find((reference) => reference.key === key)!;

  it('gives a number a range of at least MIN_IDEAL_ROWS leads, where the leads converted most', () => {
    const { idealValue, idealContribution } = idealOfKey('seats');
    const [low, high] = idealValue.split(' – ').map(Number);
    expect(high - low + 1).toBeGreaterThanOrEqual(MIN_IDEAL_ROWS);
    expect(low).toBeGreaterThanOrEqual(280);
    expect(high).toBeLessThanOrEqual(420);
    expect(idealContribution).toBeGreaterThan(0);
  });

  it('gives a category the best level of enough leads, not the level of 12 that all converted', () => {
    expect(idealOfKey('plan').idealValue).toBe('Gold');
  });

  it('records the training leads in each bin of a feature\'s own term, "missing" last', () => {
    const seatsTerm = manifest.terms.find((term) => term.label === 'Seats')!;
    const { binRows } = idealOfKey('seats');
    expect(binRows).toHaveLength(seatsTerm.shape!.axes[0].labels.length);
    expect(binRows!.reduce((sum, n) => sum + n, 0)).toBe(600);
    expect(binRows!.at(-1)).toBe(0); // no lead lacks its seats
    const plan = manifest.features.find((feature) => feature.key === 'plan')!;
    expect(idealOfKey('plan').binRows![plan.vocabulary!.indexOf('Rare')]).toBe(12);
  });

  it('is the side panel\'s ideal for a lead with no pairs: the two pick their range alike', () => {
    const basic = manifest.features.find((feature) => feature.key === 'plan')!.vocabulary!.indexOf('Basic');
    for (const lead of [{ seats: Number.NaN, plan: Number.NaN }, { seats: 1, plan: basic }, { seats: 590, plan: basic }]) {
      const row = manifest.features.map((feature) => lead[feature.key as keyof typeof lead]);
      const sidePanel = Object.fromEntries(deviationsFromIdeal(manifest, row, 'csv').map((d) => [manifest.features[d.feature].key, d.idealValue]));
      expect(sidePanel, JSON.stringify(lead)).toEqual({ seats: idealOfKey('seats').idealValue, plan: idealOfKey('plan').idealValue });
    }
  });
});
