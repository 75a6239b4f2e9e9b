import { describe, expect, it } from 'vitest';
import { bundledModel } from './bundled-model';
import type { Manifest } from './manifest';
import {
  appliedFormOf,
  applyPolicyOn,
  capacityOverInflow,
  capacitySortsNoLead,
  countedLabelled,
  describeCapacityCuts,
  describeShownTiers,
  describeTierPolicy,
  panelLeadsOf,
  policyFormOf,
  previewLabelled,
  previewPolicy,
  readPolicyForm,
  reapplyPolicy,
  sameTierPolicy,
  sortsNoScoredLead,
  tierCounts,
  tierProfitPerPeriod,
  type PolicyForm,
} from './tier-policy';
import { capacityCuts, CUT_MARGIN } from './train/thresholds';
import { tierOf } from './score';
import { formatRate } from '../presentation';

// Ten leads: the top two convert, one more further down.
const probs = [0.9, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.01];
const labels = [1, 1, 0, 0, 1, 0, 0, 0, 0, 0];
const economics = { revenuePerConversion: 1000, costPerContact: 100, leadsPerPeriod: 100 };
/** A capacity cut's threshold: just under the lowest probability it holds (far from the next). */
const under = (probability: number) => probability - CUT_MARGIN;

it('marks a capacity policy on the curves and says what each tier yields per period', () => {
  const preview = previewPolicy({ kind: 'capacity', hotPerWeek: 2, warmPerWeek: 3, inflowPerWeek: 10 }, labels, probs, economics);
  expect(preview.thresholds).toEqual({ hot: under(0.8), warm: under(0.4) });
  // Hot (p ≥ 0.8) catches 2 of 3 conversions and no non-conversion.
  expect(preview.markers.hot.roc).toEqual([0, 2 / 3]);
  expect(preview.markers.hot.pr).toEqual([2 / 3, 1]);
  // Warm threshold 0.4: 5 leads called, 3 conversions of 3; 2 of 7 non-conversions.
  expect(preview.markers.warm.roc).toEqual([2 / 7, 1]);
  // The counts each marker is read from go with it, so the page describes the curves without counting them again.
  expect(preview.markers.hot.confusion).toEqual({ tp: 2, fp: 0, tn: 7, fn: 1, precision: 1, recall: 2 / 3 });
  expect(preview.markers.warm.confusion).toEqual({ tp: 3, fp: 2, tn: 5, fn: 0, precision: 3 / 5, recall: 1 });
  expect(preview.outcomes.hot).toEqual({ share: 0.2, expectedContacts: 20, expectedConversions: 20, conversionRate: 1, withOutcome: 2 });
  expect(preview.outcomes.warm.expectedContacts).toBeCloseTo(30, 10);
  expect(preview.outcomes.warm.expectedConversions).toBeCloseTo(10, 10);
  // 20 conversions × 1000 − 20 contacts × 100; 10 × 1000 − 30 × 100
  expect(tierProfitPerPeriod(preview.outcomes.hot, economics)).toBeCloseTo(18_000, 6);
  expect(tierProfitPerPeriod(preview.outcomes.warm, economics)).toBeCloseTo(7_000, 6);
  expect(preview.profit.length).toBeGreaterThan(0);
});

it("ranks every lead's probability for a capacity policy, not only the few with a known outcome", () => {
  // Two leads settled (0.9 and 0.1) among a hundred scored, spread evenly: 10 hot of 100 a week is the top tenth of all of them.
  const ranked = Float64Array.from({ length: 100 }, (_, i) => (i + 0.5) / 100);
  const policy = { kind: 'capacity' as const, hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 };
  const preview = previewPolicy(policy, [1, 0], [0.9, 0.1], economics, undefined, ranked);
  expect(preview.thresholds).toEqual({ hot: under(ranked[90]), warm: under(ranked[70]) });
  // Without them, as before: the two settled leads' own ranks.
  expect(previewPolicy(policy, [1, 0], [0.9, 0.1], economics).thresholds).not.toEqual(preview.thresholds);
  // A value policy reads no ranks.
  expect(previewPolicy({ kind: 'value', revenuePerConversion: 1000, costPerContact: 100 }, [1, 0], [0.9, 0.1], economics, undefined, ranked).thresholds).toEqual({ hot: 0.1, warm: 0.05 });
});

it("reads each tier's weekly contacts off every scored lead, and its conversions off the labelled ones", () => {
  // Three settled leads (0.95 converted; 0.8 and 0.1 not) among a hundred scored, spread evenly.
  const ranked = Float64Array.from({ length: 100 }, (_, i) => (i + 0.5) / 100);
  const capacity = previewPolicy({ kind: 'capacity', hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 }, [1, 0, 0], [0.95, 0.8, 0.1], economics, undefined, ranked);
  expect(capacity.scoredLeads).toBe(100);
  // 10 and 20 of the 100 scored a week, as asked (the labelled leads alone would make a third of them hot).
  expect(capacity.outcomes.hot).toEqual({ share: 0.1, expectedContacts: 10, expectedConversions: 10, conversionRate: 1, withOutcome: 1 });
  expect(capacity.outcomes.warm).toEqual({ share: 0.2, expectedContacts: 20, expectedConversions: 0, conversionRate: 0, withOutcome: 1 });
  expect(capacity.outcomes.cold).toEqual({ share: 0.7, expectedContacts: 70, expectedConversions: 0, conversionRate: 0, withOutcome: 1 });
  // 10 conversions × 1000 − 10 contacts × 100; none − 20 contacts × 100
  expect(tierProfitPerPeriod(capacity.outcomes.hot, economics)).toBe(9000);
  expect(tierProfitPerPeriod(capacity.outcomes.warm, economics)).toBe(-2000);
  // A value policy's too: hot from 10 % holds 90 of the 100 scored, warm from 5 % five more.
  const value = previewPolicy({ kind: 'value', revenuePerConversion: 1000, costPerContact: 100 }, [1, 0, 0], [0.95, 0.8, 0.1], economics, undefined, ranked);
  expect(value.outcomes.hot.expectedContacts).toBeCloseTo(90, 10);
  expect(value.outcomes.warm.expectedContacts).toBeCloseTo(5, 10);
});

it("says what working each tier earns: a value policy's warm tier, below break-even, loses money", () => {
  // Calibrated: of ten leads at 50 %, five convert; of ten at 7 %, none (well, 0.7 expected); ten at 1 %, none.
  const probabilities = [...new Array(10).fill(0.5), ...new Array(10).fill(0.07), ...new Array(10).fill(0.01)];
  const outcomes = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, ...new Array(20).fill(0)];
  const perWeek = { revenuePerConversion: 100, costPerContact: 10, leadsPerPeriod: 30 };
  const preview = previewPolicy({ kind: 'value', revenuePerConversion: 100, costPerContact: 10 }, outcomes, probabilities, perWeek);
  expect(preview.thresholds).toEqual({ hot: 0.1, warm: 0.05 });
  // Hot: 10 contacts, 5 conversions; warm: 10 contacts, none.
  expect(tierProfitPerPeriod(preview.outcomes.hot, perWeek)).toBeCloseTo(400, 10);
  expect(tierProfitPerPeriod(preview.outcomes.warm, perWeek)).toBeCloseTo(-100, 10);
  expect(tierProfitPerPeriod({ share: 0.1, expectedContacts: 10, expectedConversions: null, conversionRate: null, withOutcome: 0 }, perWeek)).toBeNull();
});

describe('previewLabelled: the leads a model learnt from as a policy counts them', () => {
  // Six leads it learnt from, first (the held-out probabilities through the shipped isotonic map; cross-fitted, through one
  // fitted without each one's fold), then a lead it scored with a known outcome and one without.
  const isotonic = { kind: 'isotonic' as const, logits: [-3, 0, 3], probabilities: [0.05, 0.2, 0.6] };
  const labelled = {
    labels: Uint8Array.from([1, 1, 0, 0, 0, 0, 1]),
    probabilities: Float64Array.from([0.6, 0.3, 0.3, 0.1, 0.1, 0.05, 0.5]),
    heldOut: 6,
    ranked: Float64Array.from([0.6, 0.3, 0.3, 0.1, 0.1, 0.05, 0.5, 0.01]),
    crossFitted: { probabilities: Float64Array.from([0.4, 0.2, 0.3, 0.3, 0.26, 0.05, 0.5]), ranked: Float64Array.from([0.4, 0.2, 0.3, 0.3, 0.26, 0.05, 0.5, 0.01]) },
  };
  // Hot from 25 %, warm from 12.5 %.
  const value = { kind: 'value' as const, revenuePerConversion: 100, costPerContact: 25 };
  const perWeek = { revenuePerConversion: 100, costPerContact: 25, leadsPerPeriod: 8 };

  it('sizes a value policy\'s tiers and counts their conversions on the same cross-fitted probabilities, so a tier\'s rate is of the leads it holds', () => {
    const preview = previewLabelled(labelled, value, isotonic, perWeek);
    // Cross-fitted, 5 of the 8 scored leads are hot (0.4, 0.3, 0.3, 0.26, 0.5), and so are 5 of those with an outcome, 2 of whom converted.
    expect(preview.outcomes.hot).toEqual({ share: 5 / 8, expectedContacts: 5, expectedConversions: 2, conversionRate: 2 / 5, withOutcome: 5 });
    expect(preview.markers.hot.confusion).toMatchObject({ tp: 2, fp: 3 });
    // Through the shipped map, fitted on these same leads, 4 would be hot and 3 of them converted.
    expect(previewPolicy(value, labelled.labels, labelled.probabilities, perWeek, undefined, labelled.ranked).outcomes.hot).toMatchObject({ share: 4 / 8, conversionRate: 3 / 4 });
    expect(countedLabelled(labelled, value, isotonic).learntFromBy).toBe('cross-fitted');
    expect(countedLabelled(labelled, { kind: 'fixed' }, isotonic).learntFromBy).toBe('cross-fitted');
  });

  it('counts a capacity policy\'s tiers on the shipped calibration, where its cuts are made', () => {
    const counted = countedLabelled(labelled, { kind: 'capacity', hotPerWeek: 2, warmPerWeek: 2, inflowPerWeek: 8 }, isotonic);
    expect(counted).toEqual({ probabilities: labelled.probabilities, ranked: labelled.ranked, learntFromBy: 'cuts' });
  });

  it('counts by the held-out probabilities a model that kept no cross-fitted ones, and one whose calibration ranks no lead', () => {
    const { crossFitted: _kept, ...keptNone } = labelled;
    expect(previewLabelled(keptNone, value, isotonic, perWeek).outcomes.hot).toMatchObject({ share: 4 / 8, conversionRate: 3 / 4, withOutcome: 4 });
    expect(countedLabelled(keptNone, value, isotonic)).toEqual({ probabilities: labelled.probabilities, ranked: labelled.ranked, learntFromBy: 'not-kept' });
    expect(countedLabelled(labelled, value, { kind: 'platt', a: 0, b: -1 })).toEqual({ probabilities: labelled.probabilities, ranked: labelled.ranked, learntFromBy: 'shipped' });
  });
});

it('calls the conversions and profit of a tier with contacts but no labelled lead unknown, not 0', () => {
  const ranked = Float64Array.from({ length: 100 }, (_, i) => (i + 0.5) / 100);
  // Hot from 0.905: neither settled lead (0.9, 0.1) is hot, though 10 of the scored are.
  const preview = previewPolicy({ kind: 'capacity', hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 }, [1, 0], [0.9, 0.1], economics, undefined, ranked);
  expect(preview.outcomes.hot).toEqual({ share: 0.1, expectedContacts: 10, expectedConversions: null, conversionRate: null, withOutcome: 0 });
  expect(tierProfitPerPeriod(preview.outcomes.hot, economics)).toBeNull();
});

describe('capacity notes: a tie at a cut', () => {
  const capacity = { kind: 'capacity' as const, hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 };
  // A hundred scored leads: four on top (0.95 to 0.91), twelve at 0.5 (ranks 5 to 16), then 84 apart below.
  const ranked = [0.95, 0.93, 0.92, 0.91, ...new Array(12).fill(0.5), ...Array.from({ length: 84 }, (_, i) => 0.4 - i * 0.004)];

  it('says plainly when a tier holds noticeably fewer or more than asked, in numbers from the ranked leads', () => {
    // 10 asked: above the tie 4 (6 off), below it 16 (6 off): the fewer. Hot and warm together: 30, as asked, so warm holds 26.
    const preview = previewPolicy(capacity, [1, 0], [0.95, 0.1], economics, undefined, ranked);
    expect(preview.thresholds.hot).toBe(under(0.91));
    expect(preview.outcomes.hot.expectedContacts).toBe(4);
    expect(preview.capacityNotes).toEqual([
      'Hot holds 4% of the leads (about 4 a week), not the 10% asked (10 a week): 12 leads share the probability at the cut, 50%, and leads of one probability always share a tier; with them hot would hold 16%.',
      'So warm holds 26% of the leads (about 26 a week), not the 20% asked (20 a week).',
    ]);
  });

  it('says when the tie at the top makes hot hold more than asked, and warm nothing', () => {
    const topTie = [...new Array(40).fill(0.7), ...Array.from({ length: 60 }, (_, i) => 0.6 - i * 0.005)];
    expect(describeCapacityCuts(capacityCuts(topTie, capacity), capacity)).toEqual([
      'Hot holds 40% of the leads (about 40 a week), not the 10% asked (10 a week): 40 leads share the probability at the cut, 70%, and leads of one probability always share a tier; without them hot would hold no lead.',
      'So warm holds no lead, not the 20% asked (20 a week).',
    ]);
  });

  it('speaks of hot and warm together for a tie at the warm cut, and says nothing of a tie a tenth of the asked count or less', () => {
    // 20 distinct on top, then 30 at 0.3 (ranks 21 to 50): the worked cut of 30 asked goes above (20, 10 off) rather than below (50, 20 off), so warm would be empty: below it is.
    const warmTie = [...Array.from({ length: 20 }, (_, i) => 0.9 - i * 0.01), ...new Array(30).fill(0.3), ...Array.from({ length: 50 }, (_, i) => 0.2 - i * 0.001)];
    const policy = { ...capacity, hotPerWeek: 20, warmPerWeek: 10 };
    expect(describeCapacityCuts(capacityCuts(warmTie, policy), policy)).toEqual([
      'Hot and warm together hold 50% of the leads (about 50 a week), not the 30% asked (30 a week): 30 leads share the probability at the cut, 30%, and leads of one probability always share a tier; without them hot and warm together would hold 20%, leaving warm with no lead.',
      'So warm holds 30% of the leads (about 30 a week), not the 10% asked (10 a week).',
    ]);
    // The 10th and 11th leads share a probability: hot holds 9 of the 10 asked, a tenth off.
    const smallTie = Array.from({ length: 100 }, (_, i) => 1 - Math.min(i, 9) / 200 - Math.max(0, i - 10) / 200);
    expect(capacityCuts(smallTie, capacity).hot).toMatchObject({ asked: 10, held: 9, tied: 2 });
    expect(describeCapacityCuts(capacityCuts(smallTie, capacity), capacity)).toEqual([]);
  });

  it('says why hot stays off a tie nearer what was asked: taking it would leave warm or cold with no lead', () => {
    // 5 at 0.9, 30 at 0.5, 65 at 0.1; 30 hot and 10 warm asked. Hot with the 0.5 tie (35) would leave hot and warm together 35 (warm empty) or 100 (cold empty).
    const blocks = [...new Array(5).fill(0.9), ...new Array(30).fill(0.5), ...new Array(65).fill(0.1)];
    const policy = { ...capacity, hotPerWeek: 30, warmPerWeek: 10 };
    const preview = previewPolicy(policy, [1, 0], [0.9, 0.1], economics, undefined, blocks);
    expect([preview.outcomes.hot.expectedContacts, preview.outcomes.warm.expectedContacts, preview.outcomes.cold.expectedContacts]).toEqual([5, 30, 65]);
    expect(preview.capacityNotes).toEqual([
      'Hot holds 5% of the leads (about 5 a week), not the 30% asked (30 a week): 30 leads share the probability at the cut, 50%, and leads of one probability always share a tier; with them hot would hold 35%, leaving warm or cold with no lead.',
      'Hot and warm together hold 35% of the leads (about 35 a week), not the 40% asked (40 a week): 65 leads share the probability at the cut, 10%, and leads of one probability always share a tier; with them hot and warm together would hold 100%.',
      'So warm holds 30% of the leads (about 30 a week), not the 10% asked (10 a week).',
    ]);
  });
});

describe('capacity notes: too few scored leads to cut the share asked', () => {
  // 5 hot and 10 warm of 400 new leads a week: 1.25 % and 2.5 % of the leads, hot and warm together 3.75 %.
  const capacity = { kind: 'capacity' as const, hotPerWeek: 5, warmPerWeek: 10, inflowPerWeek: 400 };
  /** `count` scored leads, each its own probability: no tie anywhere. */
  const distinct = (count: number) => Float64Array.from({ length: count }, (_, i) => (i + 1) / (count + 1));
  const perWeek = { ...economics, leadsPerPeriod: 400 };

  it('says when rounding to whole leads alone makes hot hold four times what was asked and warm nothing', () => {
    // 20 leads: hot asks 20 · 1.25 % = 0.25 of a lead, and gets the top one, 1/20 of 400 = 20 a week.
    // Hot and warm together ask 0.75 of a lead and get that same one: warm, asked 0.5, holds none.
    const preview = previewPolicy(capacity, [1, 0], [0.9, 0.1], perWeek, undefined, distinct(20));
    expect(preview.thresholds).toEqual({ hot: under(20 / 21), warm: under(20 / 21) });
    expect(preview.outcomes.hot.expectedContacts).toBe(20);
    expect(preview.outcomes.warm.expectedContacts).toBe(0);
    expect(preview.capacityNotes).toEqual([
      'Only 20 leads are scored: a hot tier of 5 a week out of 400 is 1.25% of them, a quarter of a lead; hot holds 1 lead, about 20 a week.',
      'Hot and warm tiers together, 15 a week out of 400, are 3.75% of them, three quarters of a lead; together they hold 1 lead, about 20 a week.',
      'So warm holds no lead, not the 2.5% asked (10 a week).',
    ]);
  });

  it('says when hot holds twice what was asked, and not of warm when it holds what was asked', () => {
    // 40 leads: hot asks 0.5 of a lead and gets 1, 10 a week; together 1.5 asked, 2 held (20 a week); warm 1 of the 1 asked, 10 a week.
    const preview = previewPolicy(capacity, [1, 0], [0.9, 0.1], perWeek, undefined, distinct(40));
    expect(preview.outcomes.hot.expectedContacts).toBe(10);
    expect(preview.outcomes.warm.expectedContacts).toBe(10);
    expect(preview.capacityNotes).toEqual([
      'Only 40 leads are scored: a hot tier of 5 a week out of 400 is 1.25% of them, half a lead; hot holds 1 lead, about 10 a week.',
      'Hot and warm tiers together, 15 a week out of 400, are 3.75% of them, 1.5 leads; together they hold 2 leads, about 20 a week.',
    ]);
  });

  it('says nothing when enough leads are scored for each tier to hold about what was asked', () => {
    // 150 leads: hot 2 of 1.875 asked (5.3 a week of 5), together 6 of 5.625, warm 4 of 3.75 (10.7 a week of 10): each within a tenth.
    const cuts = capacityCuts(distinct(150), capacity);
    expect([cuts.hot.held, cuts.worked?.held]).toEqual([2, 6]);
    expect(describeCapacityCuts(cuts, capacity)).toEqual([]);
  });

  it('says when warm alone, between two cuts about as asked, is a fraction of a lead', () => {
    // 20 hot and 2 warm of 100 a week, 20 leads: hot 4 of 4 asked; together 4 of 4.4 (a tenth is 0.44); warm none of 0.4.
    const policy = { kind: 'capacity' as const, hotPerWeek: 20, warmPerWeek: 2, inflowPerWeek: 100 };
    expect(describeCapacityCuts(capacityCuts(distinct(20), policy), policy)).toEqual([
      'Only 20 leads are scored: a warm tier of 2 a week out of 100 is 2% of them, 0.4 of a lead; warm holds no lead.',
    ]);
  });

  it('says a share far under one lead in significant digits, never as 0 of a lead', () => {
    // 1 hot a week of 1,000,000 new leads, 100 scored: hot asks 0.0001 of a lead, and gets the top one.
    const policy = { kind: 'capacity' as const, hotPerWeek: 1, warmPerWeek: 0, inflowPerWeek: 1_000_000 };
    const [note] = describeCapacityCuts(capacityCuts(distinct(100), policy), policy);
    expect(note).toBe('Only 100 leads are scored: a hot tier of 1 a week out of 1,000,000 is 0.0001% of them, 0.0001 of a lead; hot holds 1 lead, about 10,000 a week.');
  });

  it('says a tie at a cut of few leads as a tie, and what warm holds then', () => {
    // 20 leads, the top 3 at 0.9: hot, asked 0.25 of a lead, cannot cut above them (no lead would be hot), so holds 3, 60 a week.
    // Hot and warm together fall in that same tie; warm, asked half a lead, holds none.
    const topTie = [0.9, 0.9, 0.9, ...Array.from({ length: 17 }, (_, i) => 0.5 - i * 0.01)];
    expect(describeCapacityCuts(capacityCuts(topTie, capacity), capacity)).toEqual([
      'Hot holds 15% of the leads (about 60 a week), not the 1.25% asked (5 a week): 3 leads share the probability at the cut, 90%, and leads of one probability always share a tier; without them hot would hold no lead.',
      'So warm holds no lead, not the 2.5% asked (10 a week).',
    ]);
  });
});

it('uses the admin’s own probabilities for a fixed policy', () => {
  const preview = previewPolicy({ kind: 'fixed' }, labels, probs, economics, { hot: 0.55, warm: 0.25 });
  expect(preview.thresholds).toEqual({ hot: 0.55, warm: 0.25 });
  expect(preview.outcomes.hot.share).toBeCloseTo(0.3, 10);
});

describe('readPolicyForm', () => {
  const form: PolicyForm = {
    kind: 'value',
    revenuePerConversion: 5000,
    costPerContact: 200,
    leadsPerWeek: 100,
    hotPerWeek: 10,
    warmPerWeek: 20,
    hotPercent: 40,
    warmPercent: 12.5,
  };
  const problems = (patch: Partial<PolicyForm>) => {
    const read = readPolicyForm({ ...form, ...patch });
    return read.ok ? [] : read.problems.map((problem) => problem.message);
  };

  it('reads each policy with the economics every preview needs', () => {
    const economics = { revenuePerConversion: 5000, costPerContact: 200, leadsPerPeriod: 100 };
    expect(readPolicyForm(form)).toEqual({
      ok: true,
      choice: { policy: { kind: 'value', revenuePerConversion: 5000, costPerContact: 200 }, economics, fixed: expect.anything() },
    });
    expect(readPolicyForm({ ...form, kind: 'capacity' })).toMatchObject({
      ok: true,
      choice: { policy: { kind: 'capacity', hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 }, economics },
    });
    expect(readPolicyForm({ ...form, kind: 'fixed' })).toMatchObject({ ok: true, choice: { policy: { kind: 'fixed' }, economics, fixed: { hot: 0.4, warm: 0.125 } } });
  });

  it('accepts cents in money fields', () => {
    expect(readPolicyForm({ ...form, revenuePerConversion: 99.99, costPerContact: 0.5 })).toMatchObject({
      ok: true,
      choice: { economics: { revenuePerConversion: 99.99, costPerContact: 0.5 } },
    });
  });

  it('reports an emptied field instead of reading it as 0', () => {
    expect(problems({ revenuePerConversion: null })).toEqual(['Revenue per conversion is empty: it must be more than $0.']);
    expect(problems({ kind: 'fixed', hotPercent: null })).toEqual(['Hot from is empty: it must be between 0% and 100%.']);
  });

  it('says in plain words which field is wrong, in the order of the form', () => {
    expect(problems({ revenuePerConversion: 0 })).toEqual(['Revenue per conversion must be more than $0.']);
    expect(problems({ kind: 'capacity', hotPerWeek: 2.5, costPerContact: -1 })).toEqual([
      'Hot leads worked per week must be a whole number, at least 1.',
      'Cost per contact must be $0 or more.',
    ]);
    expect(problems({ leadsPerWeek: 0 })).toEqual(['New leads per week must be a whole number, at least 1.']);
  });

  it('refuses figures past any real business, which would make the preview overflow', () => {
    expect(problems({ revenuePerConversion: 1e308 })).toEqual(['Revenue per conversion must be at most $1,000,000,000,000.']);
    expect(problems({ kind: 'capacity', leadsPerWeek: 1e9, hotPerWeek: 10 })).toEqual(['New leads per week must be at most 10,000,000.']);
  });

  it("refuses value economics that would sort no lead: a free contact makes every lead hot, one costing a conversion's revenue every lead cold", () => {
    expect(problems({ costPerContact: 0 })).toEqual([
      'Cost per contact is $0: every lead would be worth contacting, so every lead would be hot. Give what a contact costs, the time it takes included.',
    ]);
    expect(problems({ revenuePerConversion: 5, costPerContact: 10 })).toEqual([
      'Cost per contact ($10) is not below revenue per conversion ($5): no lead would pay for its contact, so every lead would be cold.',
    ]);
    // Other policies preview profit with them, and do not tier by them.
    expect(readPolicyForm({ ...form, kind: 'capacity', costPerContact: 0 }).ok).toBe(true);
  });

  it('reads only the fields the chosen policy shows', () => {
    expect(readPolicyForm({ ...form, kind: 'value', hotPerWeek: null, hotPercent: 150 }).ok).toBe(true);
    expect(readPolicyForm({ ...form, kind: 'capacity', hotPercent: null }).ok).toBe(true);
  });

  it('speaks in percent about fixed thresholds, as the admin typed them', () => {
    expect(problems({ kind: 'fixed', hotPercent: 150 })).toEqual(['Hot from must be between 0% and 100%.']);
    expect(problems({ kind: 'fixed', hotPercent: 20, warmPercent: 30 })).toEqual(['Warm from (30%) must not be above hot from (20%).']);
  });

  it('names the fields each problem is about, the one it is said beside first', () => {
    const fieldsOf = (patch: Partial<PolicyForm>) => {
      const read = readPolicyForm({ ...form, ...patch });
      return read.ok ? [] : read.problems.map((problem) => problem.fields);
    };
    expect(fieldsOf({ kind: 'capacity', hotPerWeek: 2.5, costPerContact: -1 })).toEqual([['hotPerWeek'], ['costPerContact']]);
    expect(fieldsOf({ kind: 'capacity', hotPerWeek: 60, warmPerWeek: 50, leadsPerWeek: 100 })).toEqual([['hotPerWeek', 'warmPerWeek', 'leadsPerWeek']]);
    expect(fieldsOf({ kind: 'fixed', hotPercent: 20, warmPercent: 30 })).toEqual([['warmPercent', 'hotPercent']]);
  });

  it('refuses more hot and warm leads worked per week than new leads per week', () => {
    expect(problems({ kind: 'capacity', hotPerWeek: 60, warmPerWeek: 50, leadsPerWeek: 100 })).toEqual([
      'Hot and warm leads worked per week (60 + 50) are more than the 100 new leads per week: the team cannot work more leads than come in.',
    ]);
    expect(readPolicyForm({ ...form, kind: 'capacity', hotPerWeek: 60, warmPerWeek: 39, leadsPerWeek: 100 }).ok).toBe(true);
    // Not for a value policy, which has no such numbers.
    expect(readPolicyForm({ ...form, kind: 'value', hotPerWeek: 600 }).ok).toBe(true);
    // In the words an import of a manifest with such a policy is refused in too.
    expect(capacityOverInflow({ kind: 'capacity', hotPerWeek: 60, warmPerWeek: 50, inflowPerWeek: 100 })).toBe(problems({ kind: 'capacity', hotPerWeek: 60, warmPerWeek: 50, leadsPerWeek: 100 })[0]);
    expect(capacityOverInflow({ kind: 'capacity', hotPerWeek: 60, warmPerWeek: 40, inflowPerWeek: 100 })).toBeNull();
  });

  it('refuses, as a value policy at $0 per contact, a policy of any kind under which every lead would be hot or none cold', () => {
    // Capacity: every new lead hot, or every one hot or warm.
    expect(problems({ kind: 'capacity', hotPerWeek: 100, warmPerWeek: 0, leadsPerWeek: 100 })).toEqual([
      'Hot leads worked per week (100) are all the 100 new leads per week: every lead would be hot. Give how many the team works first, fewer than come in.',
    ]);
    expect(problems({ kind: 'capacity', hotPerWeek: 50, warmPerWeek: 50, leadsPerWeek: 100 })).toEqual([
      'Hot and warm leads worked per week (50 + 50) are all the 100 new leads per week: no lead would be cold, so the tiers would not say which leads can wait. Give fewer, so some leads are left cold.',
    ]);
    expect(capacitySortsNoLead({ kind: 'capacity', hotPerWeek: 100, warmPerWeek: 0, inflowPerWeek: 100 })?.fields).toEqual(['hotPerWeek', 'leadsPerWeek']);
    expect(capacitySortsNoLead({ kind: 'capacity', hotPerWeek: 50, warmPerWeek: 50, inflowPerWeek: 100 })?.fields).toEqual(['hotPerWeek', 'warmPerWeek', 'leadsPerWeek']);
    // One lead left cold a week is a cold tier.
    expect(capacitySortsNoLead({ kind: 'capacity', hotPerWeek: 99, warmPerWeek: 0, inflowPerWeek: 100 })).toBeNull();
    expect(capacitySortsNoLead({ kind: 'capacity', hotPerWeek: 50, warmPerWeek: 49, inflowPerWeek: 100 })).toBeNull();
    // An import takes a model made with such a policy (an older LeadLens, the command line): only more leads than come in is impossible.
    expect(capacityOverInflow({ kind: 'capacity', hotPerWeek: 50, warmPerWeek: 50, inflowPerWeek: 100 })).toBeNull();
    // Fixed: every lead is at least 0 % likely.
    expect(problems({ kind: 'fixed', hotPercent: 0, warmPercent: 0 })).toEqual([
      'Hot from is 0%: every lead is at least that likely, so every lead would be hot. Give the likelihood from which a lead is worth working first.',
    ]);
    expect(problems({ kind: 'fixed', hotPercent: 30, warmPercent: 0 })).toEqual([
      'Warm from is 0%: every lead is at least that likely, so no lead would be cold. Give the likelihood below which a lead can wait.',
    ]);
    expect(readPolicyForm({ ...form, kind: 'fixed', hotPercent: 0.01, warmPercent: 0.001 }).ok).toBe(true);
    // Value: as before.
    expect(problems({ costPerContact: 0 })).toHaveLength(1);
  });

  it('writes the money in a refusal as the form took it, grouped and to the cent', () => {
    expect(problems({ revenuePerConversion: 1250.5, costPerContact: 1500000 })).toEqual([
      'Cost per contact ($1,500,000) is not below revenue per conversion ($1,250.50): no lead would pay for its contact, so every lead would be cold.',
    ]);
    expect(problems({ kind: 'capacity', hotPerWeek: 20000, warmPerWeek: 10000, leadsPerWeek: 25000 })).toEqual([
      'Hot and warm leads worked per week (20,000 + 10,000) are more than the 25,000 new leads per week: the team cannot work more leads than come in.',
    ]);
  });
});

describe('policyFormOf', () => {
  it('fills the form from the model’s policy, and a fixed policy applied unedited keeps its thresholds', () => {
    const tiers = { policy: { kind: 'value' as const, revenuePerConversion: 5000, costPerContact: 200 }, hot: 0.123456789, warm: 0.0456789 };
    const form = policyFormOf(tiers);
    expect(form).toMatchObject({ kind: 'value', revenuePerConversion: 5000, costPerContact: 200, hotPercent: 12.3457, warmPercent: 4.5679 });
    const applied = readPolicyForm({ ...form, kind: 'fixed' }, tiers);
    if (!applied.ok) throw new Error(applied.problems.map((problem) => problem.message).join(' '));
    expect(applied.choice.fixed).toEqual({ hot: tiers.hot, warm: tiers.warm });
  });

  it('keeps a threshold that the form rounds up exactly, so the leads at it keep their tier; an edited one is read as typed', () => {
    // A capacity threshold is some leads' exact (float32) probability: 0.66666668653… shows as 66.6667 %, above them.
    const tiers = { policy: { kind: 'capacity' as const, hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 }, hot: Math.fround(2 / 3), warm: Math.fround(0.1) };
    const form = policyFormOf(tiers);
    expect(form.hotPercent! / 100).toBeGreaterThan(tiers.hot);
    const unedited = readPolicyForm({ ...form, kind: 'fixed' }, tiers);
    const edited = readPolicyForm({ ...form, kind: 'fixed', hotPercent: 70 }, tiers);
    if (!unedited.ok || !edited.ok) throw new Error('the form is valid');
    expect(tierOf(tiers.hot, { ...tiers, ...unedited.choice.fixed })).toBe('hot');
    expect(edited.choice.fixed).toEqual({ hot: 0.7, warm: tiers.warm });
  });

  it('leaves after an Apply a form whose fixed thresholds are those applied, read back exactly beside them', () => {
    // A capacity policy applied from a form filled from another model's tiers: its hidden fields held those.
    const before = { policy: { kind: 'capacity' as const, hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 }, hot: 0.5, warm: 0.2 };
    const submitted = { ...policyFormOf(before), hotPerWeek: 20 };
    const applied = { policy: { kind: 'capacity' as const, hotPerWeek: 20, warmPerWeek: 20, inflowPerWeek: 100 }, hot: Math.fround(2 / 3), warm: Math.fround(0.1) };
    const left = appliedFormOf(submitted, applied);
    expect(left).toEqual({ ...submitted, hotPercent: 66.6667, warmPercent: 10 });
    const read = readPolicyForm({ ...left, kind: 'fixed' }, applied);
    expect(read.ok && read.choice.fixed).toEqual({ hot: applied.hot, warm: applied.warm });
    // A fixed policy's fields stay as typed: they read back as what was applied.
    const typed = { ...submitted, kind: 'fixed' as const, hotPercent: 12.34567, warmPercent: 5 };
    expect(appliedFormOf(typed, { policy: { kind: 'fixed' }, hot: 0.1234567, warm: 0.05 })).toBe(typed);
  });

  it('reads a warm typed as the untouched hot field shows it as the hot threshold itself, which the preview takes', () => {
    // 0.12345560… (float32) shows as 12.3456 %, a little above it: warm typed as that figure is not above hot.
    const tiers = { policy: { kind: 'capacity' as const, hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 }, hot: Math.fround(0.1234556), warm: Math.fround(0.05) };
    const form = { ...policyFormOf(tiers), kind: 'fixed' as const };
    expect(form.hotPercent! / 100).toBeGreaterThan(tiers.hot);
    const read = readPolicyForm({ ...form, warmPercent: form.hotPercent }, tiers);
    if (!read.ok) throw new Error(read.problems.map((problem) => problem.message).join(' '));
    expect(read.choice.fixed).toEqual({ hot: tiers.hot, warm: tiers.hot });
    const preview = previewPolicy(read.choice.policy, [1, 0], [0.2, 0.1], read.choice.economics, read.choice.fixed);
    expect(preview.thresholds).toEqual({ hot: tiers.hot, warm: tiers.hot });
    // A warm typed above the hot field is still refused, in the figures shown.
    expect(readPolicyForm({ ...form, warmPercent: 12.3457 }, tiers)).toMatchObject({ ok: false, problems: [{ message: `Warm from (12.3457%) must not be above hot from (${form.hotPercent}%).` }] });
  });

  it('fills the figures a policy does not hold as kept when it was applied, the policy\u2019s own winning, else as the defaults', () => {
    const kept = { revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 400 };
    const value = { policy: { kind: 'value' as const, revenuePerConversion: 800, costPerContact: 20 }, hot: 0.025, warm: 0.0125 };
    const capacity = { policy: { kind: 'capacity' as const, hotPerWeek: 25, warmPerWeek: 50, inflowPerWeek: 300 }, hot: 0.12, warm: 0.05 };
    const fixed = { policy: { kind: 'fixed' as const }, hot: 0.4, warm: 0.2 };
    const economics = (form: PolicyForm) => [form.revenuePerConversion, form.costPerContact, form.leadsPerWeek];
    expect(economics(policyFormOf(value, kept))).toEqual([800, 20, 400]);
    expect(economics(policyFormOf(capacity, kept))).toEqual([5000, 40, 300]);
    expect(economics(policyFormOf(fixed, kept))).toEqual([5000, 40, 400]);
    // None kept: the defaults, as the trainer assumed them.
    expect(economics(policyFormOf(value, null))).toEqual([800, 20, 100]);
    expect(economics(policyFormOf(capacity))).toEqual([100, 10, 300]);
    // Read back, the form previews by what was applied: 400 new leads a week, not 100.
    const read = readPolicyForm(policyFormOf(value, kept), value);
    if (!read.ok) throw new Error('the form is valid');
    expect(read.choice.economics).toEqual({ revenuePerConversion: 800, costPerContact: 20, leadsPerPeriod: 400 });
  });
});

describe('reapplyPolicy', () => {
  // Reference leads whose q-th percentile is q %.
  const evenlySpread: Pick<Manifest, 'reference'> = {
    reference: { baseRate: 0.1, probabilityPercentiles: Array.from({ length: 99 }, (_, i) => (i + 1) / 100), features: [] },
  };
  const capacity = (hotPerWeek: number, warmPerWeek: number, inflowPerWeek: number) => ({ kind: 'capacity' as const, hotPerWeek, warmPerWeek, inflowPerWeek });

  it('chooses a capacity policy’s thresholds again on the model’s reference leads, by share, to the nearest percent', () => {
    const stale = { hot: 0.42, warm: 0.17 };
    for (const [policy, thresholds] of [
      [capacity(10, 20, 100), { hot: under(0.9), warm: under(0.7) }],
      [capacity(5, 10, 50), { hot: under(0.9), warm: under(0.7) }],
      [capacity(7, 0, 10), { hot: under(0.3), warm: under(0.3) }],
      // Every lead worked: everyone is hot (0 is the lowest reference lead, and no threshold is under 0).
      [capacity(100, 0, 100), { hot: 0, warm: 0 }],
      [capacity(1, 0, 1000), { hot: under(0.99), warm: under(0.99) }],
    ] as const) {
      const reapplied = reapplyPolicy({ policy, ...stale }, evenlySpread);
      expect(reapplied.policy).toEqual(policy);
      expect(reapplied.hot).toBeCloseTo(thresholds.hot, 12);
      expect(reapplied.warm).toBeCloseTo(thresholds.warm, 12);
    }
  });

  it('cuts the bundled model, under its own capacity policy, at the shares asked of its reference leads (as it scores them), near where its trainer cut its held-out leads', () => {
    const parsed = bundledModel.manifest();
    if (!parsed.ok) throw new Error(parsed.error);
    const { tiers, reference } = parsed.manifest;
    if (tiers.policy.kind !== 'capacity') throw new Error('the bundled model has a capacity policy');
    const { hotPerWeek, warmPerWeek, inflowPerWeek } = tiers.policy;
    const reapplied = reapplyPolicy({ ...tiers, hot: 0.9, warm: 0.8 }, parsed.manifest);
    // The 99 percentiles and 0 cut the reference leads in hundredths: the share at or above a cut, to the hundredth.
    const shareFrom = (threshold: number) => [0, ...reference.probabilityPercentiles].filter((p) => p >= threshold).length / 100;
    expect(shareFrom(reapplied.hot)).toBeCloseTo(hotPerWeek / inflowPerWeek, 2);
    expect(shareFrom(reapplied.warm)).toBeCloseTo((hotPerWeek + warmPerWeek) / inflowPerWeek, 2);
    // The trainer cut the cross-validated probabilities, a model per fold: the spread of new leads' scores, nearly.
    expect(reapplied.hot).toBeCloseTo(tiers.hot, 2);
    expect(reapplied.warm).toBeCloseTo(tiers.warm, 2);
  });

  it("keeps fixed thresholds as the admin typed them, and sets a value policy's from its economics", () => {
    const fixed = { policy: { kind: 'fixed' as const }, hot: 0.42, warm: 0.17 };
    expect(reapplyPolicy(fixed, evenlySpread)).toEqual(fixed);
    // Chosen before thresholds were the break-even probability: now cost / revenue, and half of it.
    const policy = { kind: 'value' as const, revenuePerConversion: 1000, costPerContact: 100 };
    expect(reapplyPolicy({ policy, hot: 0.42, warm: 0.1 }, evenlySpread)).toEqual({ policy, hot: 0.1, warm: 0.05 });
  });
});

describe('applyPolicyOn', () => {
  it("chooses a capacity policy's thresholds on the given leads' ranks as training does, a value policy's from its economics, and keeps fixed ones", () => {
    // Twenty leads, from 5 % to 100 %: 2 hot of 20 a week is the top tenth, 5 worked the top quarter.
    const twenty = Float64Array.from({ length: 20 }, (_, i) => (i + 1) / 20);
    const policy = { kind: 'capacity' as const, hotPerWeek: 2, warmPerWeek: 3, inflowPerWeek: 20 };
    expect(applyPolicyOn({ policy: { kind: 'value', revenuePerConversion: 100, costPerContact: 10 }, hot: 0.1, warm: 0.05 }, twenty)).toEqual({ policy: { kind: 'value', revenuePerConversion: 100, costPerContact: 10 }, hot: 0.1, warm: 0.05 });
    expect(applyPolicyOn({ policy, hot: 0.42, warm: 0.17 }, twenty)).toEqual({ policy, hot: under(0.95), warm: under(0.8) });
    const fixed = { policy: { kind: 'fixed' as const }, hot: 0.42, warm: 0.17 };
    expect(applyPolicyOn(fixed, twenty)).toEqual(fixed);
  });
});

describe('sameTierPolicy', () => {
  const capacity = { policy: { kind: 'capacity' as const, hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 }, hot: 0.4, warm: 0.2 };

  it("compares the policies' choices and figures, not a value or capacity policy's thresholds (chosen for each model)", () => {
    expect(sameTierPolicy(capacity, { ...capacity, hot: 0.6, warm: 0.3 })).toBe(true);
    // The same figures in another key order (a policy read back from storage).
    expect(sameTierPolicy(capacity, { ...capacity, policy: { inflowPerWeek: 100, warmPerWeek: 20, hotPerWeek: 10, kind: 'capacity' } })).toBe(true);
    expect(sameTierPolicy(capacity, { ...capacity, policy: { ...capacity.policy, hotPerWeek: 25 } })).toBe(false);
    expect(sameTierPolicy(capacity, { policy: { kind: 'value', revenuePerConversion: 100, costPerContact: 10 }, hot: 0.4, warm: 0.2 })).toBe(false);
  });

  it("compares a fixed policy's thresholds: they are the policy", () => {
    const fixed = { policy: { kind: 'fixed' as const }, hot: 0.42, warm: 0.17 };
    expect(sameTierPolicy(fixed, { ...fixed })).toBe(true);
    expect(sameTierPolicy(fixed, { ...fixed, warm: 0.2 })).toBe(false);
  });
});

it('says a tier policy in words, with the thresholds it gives', () => {
  expect(describeTierPolicy({ policy: { kind: 'capacity', hotPerWeek: 25, warmPerWeek: 50, inflowPerWeek: 4000 }, hot: 0.12, warm: 0.05 })).toBe(
    'by capacity, 25 hot and 50 warm leads worked a week of 4,000 new (hot from 12%, warm from 5% likely)',
  );
  expect(describeTierPolicy({ policy: { kind: 'value', revenuePerConversion: 5000, costPerContact: 0.4 }, hot: 0.00008, warm: 0.00004 })).toBe(
    `by business value, at $5,000 per conversion and $0.40 per contact (hot from ${formatRate(0.00008)}, warm from ${formatRate(0.00004)} likely)`,
  );
  // A contact below a cent is not "$0.00".
  expect(describeTierPolicy({ policy: { kind: 'value', revenuePerConversion: 40, costPerContact: 0.004 }, hot: 0.0001, warm: 0.00005 })).toContain('at $40 per conversion and $0.004 per contact');
  expect(describeTierPolicy({ policy: { kind: 'fixed' }, hot: 0.3, warm: 0.1 })).toBe('fixed probabilities (hot from 30%, warm from 10% likely)');
});

describe('what the side panel counts beside the preview', () => {
  const thresholds = { hot: 0.5, warm: 0.2 };

  it('counts each tier as tierOf tiers it, a lead with no score in none', () => {
    expect(tierCounts([0.9, 0.5, 0.49, 0.2, 0.1, Number.NaN], thresholds)).toEqual({ hot: 2, warm: 2, cold: 1 });
  });

  /** The side panel's leads: Salesforce's and HubSpot's probabilities, `madeUp` of them Demo mode's beside your own. */
  const panel = (salesforce: number[], hubspot: number[] = [], madeUp = 0) => ({
    bySource: { salesforce: Float64Array.from(salesforce), ...(hubspot.length > 0 && { hubspot: Float64Array.from(hubspot) }) },
    madeUp,
  });

  it('reads the probabilities of the leads the side panel counts by source, and how many are made up', () => {
    const rows = [
      { source: 'hubspot' as const, probability: 0.9 },
      { source: 'salesforce' as const, probability: 0.6, madeUp: true as const },
      { source: 'csv' as const, probability: 0.2 },
      { source: 'salesforce' as const, probability: 0.1 },
    ];
    expect(panelLeadsOf(rows)).toEqual({
      bySource: { salesforce: Float64Array.from([0.6, 0.1]), hubspot: Float64Array.from([0.9]), csv: Float64Array.from([0.2]) },
      madeUp: 1,
    });
    expect(panelLeadsOf([])).toEqual({ bySource: {}, madeUp: 0 });
  });

  it("counts every stored lead the side panel tiers, of every source, not only the CRM's leads the preview ranks, and says which leads each counts", () => {
    // A Salesforce model: the preview ranks its 4 Salesforce leads (none learnt from); the panel counts 4 HubSpot leads too, and has no CRM filter.
    expect(describeShownTiers({ learntFromBy: 'cuts', ranked: [0.6, 0.3, 0.25, 0.1] }, 'Salesforce ', panel([0.6, 0.3, 0.25, 0.1], [0.7, 0.1, 0.05, 0.01]), thresholds)).toBe(
      'Once applied, the side panel will count 2 hot (25%), 2 warm and 4 cold of the 8 stored leads it tiers (4 Salesforce, 4 HubSpot), each by the score it shows, with no filter chosen. ' +
        "The preview's contacts are shares of the 4 Salesforce leads the model scored, of which it counts 1 hot (25%), 2 warm and 1 cold.",
    );
    // Demo mode's leads beside your own, which the panel counts and the preview leaves out, said with the leads it counts.
    expect(describeShownTiers({ learntFromBy: 'cuts', ranked: [0.6, 0.1] }, '', panel([0.6, 0.1, 0.9], [], 1), thresholds)).toBe(
      "Once applied, the side panel will count 2 hot (67%), 0 warm and 1 cold of the 3 stored Salesforce leads it tiers (1 of them Demo mode's, counted with your own), each by the score it shows, with no filter chosen. " +
        "The preview's contacts are shares of the 2 leads the model scored, of which it counts 1 hot (50%), 0 warm and 1 cold.",
    );
    // No lead for the panel to count: nothing to say.
    expect(describeShownTiers({ learntFromBy: 'cuts', ranked: [0.6] }, '', { bySource: {}, madeUp: 0 }, thresholds)).toBeNull();
  });

  it("says the panel's counts by the scores shown, which the model's own scores of the leads it learnt from move, beside the preview's", () => {
    // Five ranked leads, the first two learnt from: held out at 0.6 and 0.3, scored 0.4 and 0.1 by the model itself.
    expect(describeShownTiers({ learntFromBy: 'cuts', ranked: [0.6, 0.3, 0.7, 0.25, 0.1], learntFromScores: [0.4, 0.1] }, 'Salesforce ', panel([0.4, 0.1, 0.7, 0.25, 0.1]), thresholds)).toBe(
      'Once applied, the side panel will count 1 hot (20%), 2 warm and 2 cold of the 5 stored Salesforce leads it tiers, each by the score it shows, with no filter chosen. ' +
        "The preview's contacts are shares of the 5 Salesforce leads the model scored, of which it counts 2 hot (40%), 2 warm and 1 cold. " +
        'The 2 leads this model learnt from score lower by its own scores than on leads it never saw: ' +
        'the preview counts them by the probability a check model trained without them gave them, as the thresholds were chosen. New leads are tiered as previewed.',
    );
    expect(describeShownTiers({ learntFromBy: 'cuts', ranked: [0.6, 0.3, 0.1], learntFromScores: [0.9, 0.4] }, 'Salesforce ', panel([0.9, 0.4, 0.1]), thresholds)).toBe(
      'Once applied, the side panel will count 1 hot (33%), 1 warm and 1 cold of the 3 stored Salesforce leads it tiers, each by the score it shows, with no filter chosen, as the preview counts them: ' +
        'the 2 leads the model learnt from fall in the same tiers by the score they show as by the probability a check model trained without them gave them, as the thresholds were chosen.',
    );
    // Under a value or fixed policy, counted cross-fitted: said so, not as chosen thresholds.
    expect(describeShownTiers({ learntFromBy: 'cross-fitted', ranked: [0.6, 0.3, 0.1], learntFromScores: [0.9, 0.4] }, 'Salesforce ', panel([0.9, 0.4, 0.1]), thresholds)).toMatch(
      /by the probability a check model trained without them gave them, through a calibration fitted without them too, as new leads meet the thresholds\.$/,
    );
    // No lead learnt from, the same leads: the preview's counts are the side panel's.
    expect(describeShownTiers({ learntFromBy: 'cuts', ranked: [0.6, 0.3] }, '', panel([0.6, 0.3]), thresholds)).toBe(
      'Once applied, the side panel will count 1 hot (50%), 1 warm and 0 cold of the 2 stored Salesforce leads it tiers, each by the score it shows, with no filter chosen, as the preview counts them.',
    );
  });

  it('says apart the leads it learnt from with no stored score yet, which the panel does not count, blaming no move of tier on them, and no NaN share', () => {
    // The first learnt-from lead (held out 0.9, hot) has no score yet, so no row in the panel; the second is as the preview has it.
    expect(describeShownTiers({ learntFromBy: 'cuts', ranked: [0.9, 0.3, 0.1], learntFromScores: [Number.NaN, 0.3] }, 'Salesforce ', panel([0.3, 0.1]), thresholds)).toBe(
      'Once applied, the side panel will count 0 hot (0%), 1 warm and 1 cold of the 2 stored Salesforce leads it tiers, each by the score it shows, with no filter chosen. ' +
        "The preview's contacts are shares of the 3 Salesforce leads the model scored, of which it counts 1 hot (33%), 1 warm and 1 cold. " +
        '1 lead the model learnt from has no score yet: the preview counts it, the side panel will once it is scored.',
    );
    expect(describeShownTiers({ learntFromBy: 'cuts', ranked: [0.9], learntFromScores: [Number.NaN] }, '', panel([0.2]), thresholds)).not.toMatch(/NaN/);
  });
});

describe('sortsNoScoredLead', () => {
  const value = (revenuePerConversion: number, costPerContact: number) => ({
    policy: { kind: 'value' as const, revenuePerConversion, costPerContact },
    economics: { revenuePerConversion, costPerContact, leadsPerPeriod: 400 },
    fixed: { hot: 1, warm: 0 },
  });
  const fixed = (hot: number, warm: number) => ({ policy: { kind: 'fixed' as const }, economics, fixed: { hot, warm } });
  const scored = [0.4, 0.02, 0.005];

  it('warns when a value policy would make every scored lead hot, or leave none cold, beside the money fields', () => {
    expect(sortsNoScoredLead(value(5000, 0.004), scored)).toEqual({
      message:
        'At $0.004 per contact and $5,000 per conversion, hot is from 0.00008% likely: all 3 leads the model scored are at least that likely (the least likely is 0.5%), so every lead would be hot, as at $0 per contact. Check what a contact costs, the time it takes included.',
      fields: ['costPerContact', 'revenuePerConversion'],
    });
    expect(sortsNoScoredLead(value(1000, 8), scored)?.message).toBe(
      'At $8 per contact and $1,000 per conversion, warm is from 0.4% likely: all 3 leads the model scored are at least that likely (the least likely is 0.5%), so no lead would be cold, and the tiers would not say which leads can wait. Check what a contact costs, the time it takes included.',
    );
    expect(sortsNoScoredLead(value(1000, 20), scored)).toBeNull();
    // Nothing to say without a scored lead, nor of a capacity policy, whose cuts are these leads' ranks.
    expect(sortsNoScoredLead(value(5000, 0.004), [])).toBeNull();
    expect(sortsNoScoredLead({ ...value(5000, 0.004), policy: { kind: 'capacity', hotPerWeek: 1, warmPerWeek: 1, inflowPerWeek: 3 } }, scored)).toBeNull();
  });

  it('warns of fixed thresholds under every scored lead beside the threshold it is about', () => {
    expect(sortsNoScoredLead(fixed(0.001, 0.0005), [0.3])).toEqual({
      message: 'Hot from is 0.1%: the one lead the model scored is at least that likely (the least likely is 30%), so every lead would be hot.',
      fields: ['hotPercent'],
    });
    expect(sortsNoScoredLead(fixed(0.5, 0.005), scored)?.fields).toEqual(['warmPercent']);
    expect(sortsNoScoredLead(fixed(0.5, 0.01), scored)).toBeNull();
  });
});
