import { describe, expect, it } from 'vitest';
import { TiersSchema, type TierPolicy } from '../manifest';
import { tierOf } from '../score';
import { capacityCuts, CUT_MARGIN, expectedOutcomes, profitCurve, tierThresholds } from './thresholds';

// Ten leads, probabilities descending, 4 conversions.
const probs = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
const labels = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0];
/** A capacity cut's threshold: just under the lowest probability it holds (far from the next). */
const under = (probability: number) => probability - CUT_MARGIN;
const value = (revenuePerConversion: number, costPerContact: number): TierPolicy => ({
  kind: 'value',
  revenuePerConversion,
  costPerContact,
});

describe('profitCurve', () => {
  it('gives profit per lead of contacting everyone at or above each threshold, threshold ascending', () => {
    // Revenue 100, cost 20. Contacting down to 0.3: 4 conversions, 7 contacts → 400 − 140 = 260 → 26 per lead.
    expect(profitCurve(labels, probs, 100, 20)).toEqual([
      [0.05, 20],
      [0.1, 22],
      [0.2, 24],
      [0.3, 26],
      [0.4, 18],
      [0.5, 20],
      [0.6, 22],
      [0.7, 14],
      [0.8, 16],
      [0.9, 8],
    ]);
  });

  it('treats tied probabilities as one contact decision', () => {
    expect(profitCurve([1, 0, 0], [0.5, 0.5, 0.2], 10, 1)).toEqual([
      [0.2, (10 - 3) / 3],
      [0.5, (10 - 2) / 3],
    ]);
  });
});

describe('tierThresholds: value policy', () => {
  it('puts hot at break-even and warm at half of it, whatever the leads’ outcomes', () => {
    // Revenue 100, cost 20: a contact pays for itself from 0.2. Profit on these ten leads peaks at 0.3
    // (profitCurve above), on other outcomes elsewhere: their chance, which new leads do not share.
    expect(tierThresholds(value(100, 20), labels, probs)).toEqual({ hot: 0.2, warm: 0.1 });
    const late = [0, 0, 1, 1, 1, 0, 0, 0, 0, 0];
    expect(tierThresholds(value(100, 20), late, probs)).toEqual({ hot: 0.2, warm: 0.1 });
    expect(tierThresholds(value(100, 50), late, probs)).toEqual({ hot: 0.5, warm: 0.25 });
  });

  it('makes nobody hot when a contact costs more than a conversion brings, and keeps warm at most 1', () => {
    expect(tierThresholds(value(100, 150), labels, probs)).toEqual({ hot: 1, warm: 0.75 });
    expect(tierThresholds(value(100, 300), new Array(10).fill(0), probs)).toEqual({ hot: 1, warm: 1 });
  });

  it('makes everyone hot when contacts are free', () => {
    expect(tierThresholds(value(100, 0), labels, probs)).toEqual({ hot: 0, warm: 0 });
  });
});

describe('tierThresholds: capacity policy', () => {
  it('takes the top hotPerWeek / inflowPerWeek as hot and the next warmPerWeek / inflowPerWeek as warm', () => {
    // 20 of 100 a week → top 2 of these 10 leads; 30 more → next 3.
    const policy: TierPolicy = { kind: 'capacity', hotPerWeek: 20, warmPerWeek: 30, inflowPerWeek: 100 };
    expect(tierThresholds(policy, labels, Float32Array.from([0.5, 0.4, 0.3, 0.2, 0.1, 0.9, 0.8, 0.7, 0.6, 0.05]))).toEqual({
      hot: under(Math.fround(0.8)),
      warm: under(Math.fround(0.5)),
    });
  });

  it('leaves the warm band empty without warm capacity and caps shares at everyone', () => {
    expect(tierThresholds({ kind: 'capacity', hotPerWeek: 3, warmPerWeek: 0, inflowPerWeek: 10 }, labels, probs)).toEqual({
      hot: under(0.7),
      warm: under(0.7),
    });
    expect(tierThresholds({ kind: 'capacity', hotPerWeek: 5, warmPerWeek: 50, inflowPerWeek: 10 }, labels, probs)).toEqual({
      hot: under(0.5),
      warm: under(0.05),
    });
  });

  it('makes at least the top lead hot however small the share', () => {
    expect(tierThresholds({ kind: 'capacity', hotPerWeek: 1, warmPerWeek: 0, inflowPerWeek: 1000 }, labels, probs).hot).toBe(under(0.9));
  });
});

describe('capacityCuts: leads of one probability are never split between tiers', () => {
  const capacity = (hotPerWeek: number, warmPerWeek: number, inflowPerWeek: number) => ({ kind: 'capacity' as const, hotPerWeek, warmPerWeek, inflowPerWeek });
  // Ten leads, four of them (ranks 3 to 6) at 0.5.
  const tied = [0.9, 0.8, 0.5, 0.5, 0.5, 0.5, 0.3, 0.2, 0.1, 0.05];

  it('cuts above the tie when that holds nearer the asked count, or as near: no more leads than the team can work without need', () => {
    // 3 asked: above the tie 2 (1 off), below it 6 (3 off).
    expect(capacityCuts(tied, capacity(30, 0, 100))).toEqual({
      leads: 10,
      hot: { askedShare: 0.3, asked: 3, held: 2, tied: 4, tiedProbability: 0.5, otherwise: 6, otherwiseEmpty: [], threshold: under(0.8) },
      worked: null,
    });
    // 4 asked: 2 and 6 are as far off; the fewer.
    expect(capacityCuts(tied, capacity(40, 0, 100)).hot).toMatchObject({ asked: 4, held: 2, otherwise: 6, threshold: under(0.8) });
    expect(tierThresholds(capacity(40, 0, 100), new Array(10).fill(0), tied)).toEqual({ hot: under(0.8), warm: under(0.8) });
  });

  it('cuts below the tie when that holds nearer the asked count, and says what the other side would hold', () => {
    // 5 asked: above 2 (3 off), below 6 (1 off).
    expect(capacityCuts(tied, capacity(50, 0, 100)).hot).toEqual({ askedShare: 0.5, asked: 5, held: 6, tied: 4, tiedProbability: 0.5, otherwise: 2, otherwiseEmpty: [], threshold: under(0.5) });
  });

  it('never leaves hot empty for a tie at the top, nor warm for a tie at its cut, when the tie can fill it', () => {
    const topTie = [0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.3, 0.2, 0.1, 0.05];
    // 1 asked: above the tie would hold none.
    expect(capacityCuts(topTie, capacity(10, 0, 100)).hot).toEqual({ askedShare: 0.1, asked: 1, held: 6, tied: 6, tiedProbability: 0.7, otherwise: 0, otherwiseEmpty: [], threshold: under(0.7) });
    // Hot 3 asked holds 2 (0.9, 0.8); hot and warm 4 asked: above the tie would be those same 2, so warm takes the tie.
    const cuts = capacityCuts(tied, capacity(30, 10, 100));
    expect(cuts.hot).toMatchObject({ held: 2, threshold: under(0.8) });
    expect(cuts.worked).toEqual({ askedShare: 0.4, asked: 4, held: 6, tied: 4, tiedProbability: 0.5, otherwise: 2, otherwiseEmpty: ['warm'], threshold: under(0.5) });
    // A tie holding both cuts: warm cannot be filled, and is empty.
    const both = capacityCuts(topTie, capacity(10, 20, 100));
    expect(both.worked).toMatchObject({ asked: 3, held: 6, tied: 6, threshold: under(0.7) });
    expect(tierThresholds(capacity(10, 20, 100), new Array(10).fill(0), topTie)).toEqual({ hot: under(0.7), warm: under(0.7) });
  });

  describe('takes the farther side of a tie when the nearer one would leave warm or cold empty and the farther one would not', () => {
    // A hundred leads: 5 at 0.9 (ranks 1–5), 30 at 0.5 (ranks 6–35), 65 at 0.1 (ranks 36–100).
    const blocks = [...new Array(5).fill(0.9), ...new Array(30).fill(0.5), ...new Array(65).fill(0.1)];

    it('moves hot above its tie when taking the tie would leave warm or cold empty', () => {
      // 30 hot asked: the 0.5 tie holds 35 (5 off), above it 5 (25 off). Hot and warm together, 40 asked, fall in the 0.1 tie:
      // above it 35, the same as hot with the tie (warm empty), below it all 100 (cold empty). With hot at 5, 35 hold warm's 30 and cold keeps 65.
      const thresholds = tierThresholds(capacity(30, 10, 100), new Array(100).fill(0), blocks);
      expect(thresholds).toEqual({ hot: under(0.9), warm: under(0.5) });
      expect(expectedOutcomes(new Array(100).fill(0), blocks, thresholds, 100)).toMatchObject({ hot: { expectedContacts: 5 }, warm: { expectedContacts: 30 }, cold: { expectedContacts: 65 } });
      const cuts = capacityCuts(blocks, capacity(30, 10, 100));
      expect(cuts.hot).toEqual({ askedShare: 0.3, asked: 30, held: 5, tied: 30, tiedProbability: 0.5, otherwise: 35, otherwiseEmpty: ['warm', 'cold'], threshold: under(0.9) });
      expect(cuts.worked).toEqual({ askedShare: 0.4, asked: 40, held: 35, tied: 65, tiedProbability: 0.1, otherwise: 100, otherwiseEmpty: [], threshold: under(0.5) });
    });

    it('moves hot above its tie when both cuts fall in it, so warm holds the tie', () => {
      // 30 hot and 33 together asked, both in the 0.5 tie: hot with it (35, nearer) leaves together 35 too, warm empty; hot 5, together 35.
      expect(tierThresholds(capacity(30, 3, 100), new Array(100).fill(0), blocks)).toEqual({ hot: under(0.9), warm: under(0.5) });
      const cuts = capacityCuts(blocks, capacity(30, 3, 100));
      expect(cuts.hot).toMatchObject({ held: 5, otherwise: 35, otherwiseEmpty: ['warm'], threshold: under(0.9) });
      expect(cuts.worked).toMatchObject({ asked: 33, held: 35, otherwiseEmpty: [], threshold: under(0.5) });
    });

    it('moves hot above its tie, without warm capacity, when taking it would make every lead hot', () => {
      // 80 asked of 5 at 0.9 and 95 at 0.1: below the tie 100 (20 off, cold empty), above it 5 (75 off).
      const twoBlocks = [...new Array(5).fill(0.9), ...new Array(95).fill(0.1)];
      expect(tierThresholds(capacity(80, 0, 100), new Array(100).fill(0), twoBlocks)).toEqual({ hot: under(0.9), warm: under(0.9) });
      expect(capacityCuts(twoBlocks, capacity(80, 0, 100)).hot).toMatchObject({ held: 5, otherwise: 100, otherwiseEmpty: ['cold'], threshold: under(0.9) });
      // Every lead hot, as asked: nothing to keep for cold.
      expect(capacityCuts(twoBlocks, capacity(100, 0, 100)).hot).toMatchObject({ asked: 100, held: 100, otherwiseEmpty: [], threshold: under(0.1) });
    });

    it('keeps the nearer side when it leaves no tier asked for leads empty', () => {
      // 20 hot asked: 5 and 35 are as far off, so above (5); together 30 asked, below the 0.5 tie (35, 5 off) rather than above (5, warm empty).
      const cuts = capacityCuts(blocks, capacity(20, 10, 100));
      expect([cuts.hot.held, cuts.hot.otherwiseEmpty, cuts.worked?.held, cuts.worked?.otherwiseEmpty]).toEqual([5, [], 35, []]);
      // 30 hot and 70 warm of 100: cold is asked for none, so hot takes the nearer side (35) and together hold every lead.
      const all = capacityCuts(blocks, capacity(30, 70, 100));
      expect([all.hot.held, all.worked?.held]).toEqual([35, 100]);
    });
  });

  it('cuts exactly at the asked rank without a tie across it', () => {
    expect(capacityCuts(tied, capacity(20, 40, 100))).toEqual({
      leads: 10,
      hot: { askedShare: 0.2, asked: 2, held: 2, tied: 0, tiedProbability: 0.8, otherwise: 2, otherwiseEmpty: [], threshold: under(0.8) },
      worked: { askedShare: 0.6, asked: 6, held: 6, tied: 0, tiedProbability: 0.5, otherwise: 6, otherwiseEmpty: [], threshold: under(0.5) },
    });
  });

  describe("sets a cut's threshold just under the lowest probability it holds, so that lead keeps its tier as ONNX Runtime scores it", () => {
    // ONNX Runtime's sigmoid is up to 1.9e-7 off the trainer's float32 one (lib/ml/score.ts).
    const onnxError = 1.9e-7;

    it('every lead of a model that tells none apart: hot, as the cut counted them, a float32 step lower too', () => {
      const flat = new Array(20).fill(Math.fround(0.1506731));
      const cuts = capacityCuts(flat, capacity(10, 20, 100));
      expect(cuts.hot).toMatchObject({ asked: 2, held: 20, tied: 20, tiedProbability: Math.fround(0.1506731), otherwise: 0, threshold: under(Math.fround(0.1506731)) });
      const oneStepLower = Math.fround(0.1506731) - 2 ** -26;
      for (const p of [Math.fround(0.1506731), oneStepLower, Math.fround(0.1506731) - onnxError]) expect(tierOf(p, tierThresholds(capacity(10, 20, 100), new Array(20).fill(0), flat))).toBe('hot');
    });

    it('halfway to the next lower probability when that is closer than twice the margin, and never under 0', () => {
      const close = [0.9, 0.8, 0.8 - CUT_MARGIN, 0.1];
      const cuts = capacityCuts(close, capacity(50, 25, 100));
      expect(cuts.hot).toMatchObject({ held: 2, tied: 0, threshold: 0.8 - CUT_MARGIN / 2 });
      expect(expectedOutcomes([0, 0, 0, 0], close, { hot: cuts.hot.threshold, warm: cuts.worked!.threshold }, 4)).toMatchObject({ hot: { expectedContacts: 2 }, warm: { expectedContacts: 1 }, cold: { expectedContacts: 1 } });
      // The lowest lead held, with none under it: at most the margin under it, at least 0.
      expect(capacityCuts([0.5, 0.2, 1e-7], capacity(100, 0, 100)).hot.threshold).toBe(0);
      expect(capacityCuts([0.5, 0.2, 0], capacity(100, 0, 100)).hot.threshold).toBe(0);
    });

    it('keeps each lead in its tier when its probability is read up to the margin lower, and the next lead under it', () => {
      const leads = Array.from({ length: 100 }, (_, i) => Math.fround(0.02 + i * 0.0071));
      const thresholds = tierThresholds(capacity(10, 20, 100), new Array(100).fill(0), leads);
      for (const p of leads) {
        const tier = tierOf(p, thresholds);
        expect(tierOf(p - onnxError, thresholds)).toBe(tier);
        expect(tierOf(p + onnxError, thresholds)).toBe(tier);
      }
      expect(leads.filter((p) => tierOf(p, thresholds) === 'hot')).toHaveLength(10);
      expect(leads.filter((p) => tierOf(p, thresholds) === 'warm')).toHaveLength(20);
    });
  });

  it('gives the same cuts for the same leads in any order', () => {
    const shuffled = [0.5, 0.1, 0.9, 0.5, 0.05, 0.3, 0.5, 0.8, 0.2, 0.5];
    for (const policy of [capacity(30, 10, 100), capacity(50, 20, 100), capacity(10, 0, 100)]) expect(capacityCuts(shuffled, policy)).toEqual(capacityCuts(tied, policy));
  });
});

describe('tierThresholds: fixed policy', () => {
  it('returns the thresholds it is given and refuses missing or inverted ones', () => {
    expect(tierThresholds({ kind: 'fixed' }, labels, probs, { hot: 0.4, warm: 0.1 })).toEqual({ hot: 0.4, warm: 0.1 });
    expect(() => tierThresholds({ kind: 'fixed' }, labels, probs)).toThrow(/needs its hot and warm/);
    expect(() => tierThresholds({ kind: 'fixed' }, labels, probs, { hot: 0.1, warm: 0.4 })).toThrow(/warm ≤ hot/);
  });

  it('speaks in percent, as the admin typed them', () => {
    expect(() => tierThresholds({ kind: 'fixed' }, labels, probs, { hot: 1.5, warm: 0.3 })).toThrow(
      'Fixed thresholds need 0% ≤ warm ≤ hot ≤ 100%, got warm 30%, hot 150%',
    );
  });
});

it('produces thresholds the manifest accepts for every policy', () => {
  const policies: TierPolicy[] = [value(100, 20), value(100, 50), value(100, 0), value(100, 150), value(100, 300), { kind: 'capacity', hotPerWeek: 2, warmPerWeek: 3, inflowPerWeek: 10 }];
  for (const policy of policies) {
    expect(TiersSchema.safeParse({ policy, ...tierThresholds(policy, labels, probs) }).success).toBe(true);
  }
});

describe('expectedOutcomes', () => {
  it('reports share, contacts, conversions and rate per tier by hand', () => {
    // hot ≥ 0.6: 0.9 0.8 0.7 0.6 → 3 of 4 convert; warm ≥ 0.3: 0.5 0.4 0.3 → 1 of 3; cold: 0 of 3.
    const outcomes = expectedOutcomes(labels, probs, { hot: 0.6, warm: 0.3 }, 200);
    expect(outcomes.hot).toEqual({ share: 0.4, expectedContacts: 80, expectedConversions: 60, conversionRate: 0.75, withOutcome: 4 });
    expect(outcomes.warm.share).toBeCloseTo(0.3, 15);
    expect(outcomes.warm.expectedContacts).toBeCloseTo(60, 12);
    expect(outcomes.warm.expectedConversions).toBeCloseTo(20, 12);
    expect(outcomes.warm.conversionRate).toBeCloseTo(1 / 3, 15);
    expect(outcomes.warm.withOutcome).toBe(3);
    expect(outcomes.cold).toEqual({ share: 0.3, expectedContacts: 60, expectedConversions: 0, conversionRate: 0, withOutcome: 3 });
  });

  it("reads each tier's share (so its contacts) off every lead, outcome known or not, and its conversion rate off the labelled ones", () => {
    // Two labelled leads (0.9 converted, 0.1 not) among ten scored: hot ≥ 0.8 holds 0.95 0.9 0.85, warm ≥ 0.45 holds 0.7 0.6 0.5.
    const everyLead = [0.95, 0.9, 0.85, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
    const outcomes = expectedOutcomes([1, 0], [0.9, 0.1], { hot: 0.8, warm: 0.45 }, 10, everyLead);
    expect(outcomes.hot).toEqual({ share: 0.3, expectedContacts: 3, expectedConversions: 3, conversionRate: 1, withOutcome: 1 });
    // Contacts, but no lead of known outcome to tell their conversions: unknown, not 0.
    expect(outcomes.warm).toEqual({ share: 0.3, expectedContacts: 3, expectedConversions: null, conversionRate: null, withOutcome: 0 });
    expect(outcomes.cold).toEqual({ share: 0.4, expectedContacts: 4, expectedConversions: 0, conversionRate: 0, withOutcome: 1 });
  });

  it('reports an empty tier with no contacts and an unknown conversion rate (no lead to read it from, not 0 %)', () => {
    expect(expectedOutcomes(labels, probs, { hot: 0.6, warm: 0.6 }, 100).warm).toEqual({
      share: 0,
      expectedContacts: 0,
      expectedConversions: 0,
      conversionRate: null,
      withOutcome: 0,
    });
  });

  it("counts the leads of known outcome each tier's rate rests on: one, though 200 are known, is what the page must call too few", () => {
    // 200 known leads: one at 50 % (not converted) is the whole hot tier; the 199 at 5 % are warm, 10 of them converted.
    const known = Array.from({ length: 200 }, (_, i) => (i === 0 ? 0.5 : 0.05));
    const outcomes = expectedOutcomes(
      known.map((_, i) => (i >= 1 && i <= 10 ? 1 : 0)),
      known,
      { hot: 0.1, warm: 0.05 },
      100,
    );
    expect(outcomes.hot).toMatchObject({ conversionRate: 0, withOutcome: 1 });
    expect(outcomes.warm).toMatchObject({ conversionRate: 10 / 199, withOutcome: 199 });
    expect(outcomes.cold.withOutcome).toBe(0);
  });
});
