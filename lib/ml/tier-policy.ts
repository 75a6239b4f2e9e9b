/**
 * A tier policy's consequences on the stored leads: the thresholds it gives, the curves they
 * sit on (ROC, precision–recall, profit) with the thresholds marked, and what each tier
 * yields per period. Pure; the options page feeds it every scored lead's calibrated
 * probability (what the tiers' shares and a capacity policy's ranks are read from) and the
 * known outcomes (the manifest keeps curves, not per-lead data), and reads its policy form
 * here first, so only a valid policy is previewed.
 * No outcome of these leads chooses a threshold (a value policy's come from its revenue and
 * cost, a capacity policy's from the leads' ranks), so what the tiers yield on them is a fair
 * guess at new leads; only a capacity policy's shares are exact here by construction, but for
 * leads of one probability at a cut, which share a tier, and for a share finer than the scored
 * leads can cut, as a tier holds whole leads (`capacityNotes` says both); new leads' shares move by chance.
 */
import type { Tier } from '../messaging/protocol';
import { formatMoney, formatRate, formatThreshold, plural, sentenceStart } from '../presentation';
import { tierOf } from './score';
import { SOURCE_NAMES } from './outcome-rule';
import { SOURCE_KINDS } from '../crm/types';
import type { SourceKind } from './featurize';
import type { ScoredLeadRow } from '../segments';
import { DEFAULT_POLICY, DEFAULT_PROFIT_ASSUMPTIONS, type Calibration, type Manifest, type TierPolicy, type Tiers } from './manifest';
import { ranksNoLeads } from './train/calibration';
import { confusionAt, prCurve, rocCurve, type Confusion, type CurvePoint, type Labels, type Scores } from './train/metrics';
import {
  capacityCuts,
  expectedOutcomes,
  profitCurve,
  thresholdsOfCuts,
  tierThresholds,
  type CapacityCut,
  type CapacityCuts,
  type TierOutcome,
  type TierThresholds,
} from './train/thresholds';

/** Where a threshold sits on each curve. */
export interface ThresholdMarker {
  threshold: number;
  /** [false-positive rate, true-positive rate] */
  roc: CurvePoint;
  /** [recall, precision] */
  pr: CurvePoint;
  /** The leads of known outcome counted at the threshold, which the page describes the curves by (the points alone cannot say a rate is unknown). */
  confusion: Confusion;
}

export interface PolicyPreview {
  thresholds: TierThresholds;
  markers: Record<Exclude<Tier, 'cold'>, ThresholdMarker>;
  roc: CurvePoint[];
  pr: CurvePoint[];
  /** [threshold, profit per lead] */
  profit: CurvePoint[];
  outcomes: Record<Tier, TierOutcome>;
  /** The leads the tiers' shares (so their contacts) were read from: every scored lead, outcome known or not. */
  scoredLeads: number;
  /** A capacity policy's tiers that hold noticeably more or fewer leads than asked, by a tie or too few scored leads, in words (`describeCapacityCuts`). */
  capacityNotes: string[];
}

export interface Economics {
  revenuePerConversion: number;
  costPerContact: number;
  leadsPerPeriod: number;
}

/**
 * What working a whole tier earns per period: revenue of its expected conversions minus the cost
 * of contacting its leads; null when its conversions are unknown. Of a value policy's warm tier,
 * below the break-even probability, it is a loss when the probabilities are calibrated.
 */
export function tierProfitPerPeriod({ expectedContacts, expectedConversions }: TierOutcome, { revenuePerConversion, costPerContact }: Economics): number | null {
  return expectedConversions === null ? null : expectedConversions * revenuePerConversion - expectedContacts * costPerContact;
}

/** A tier threshold's precision in words: unknown, not 0 %, when no lead with a known outcome is at or above it. */
export const precisionAt = ({ tp, fp, precision }: Confusion) => (tp + fp === 0 ? 'unknown (no lead with a known outcome is at or above it)' : formatRate(precision));
/** A tier threshold's recall in words: unknown, not 0 %, when no lead with a known outcome converted (a new model's first weeks). */
export const recallAt = ({ tp, fn, recall }: Confusion) => (tp + fn === 0 ? 'unknown (no lead with a known outcome converted)' : formatRate(recall));

function marker(labels: Labels, probs: Scores, threshold: number): ThresholdMarker {
  const c = confusionAt(labels, probs, threshold);
  const negatives = c.fp + c.tn;
  return { threshold, roc: [negatives > 0 ? c.fp / negatives : 0, c.recall], pr: [c.recall, c.precision], confusion: c };
}

export function previewPolicy(
  policy: TierPolicy,
  labels: Labels,
  probs: Scores,
  economics: Economics,
  fixed?: TierThresholds,
  /**
   * Every lead's probability, outcome known or not (default: `probs`): what a capacity policy
   * ranks and the tiers' shares are read from (neither reads an outcome), so a handful of
   * settled leads does not set thresholds, or contacts, applied to thousands.
   */
  ranked?: Scores,
): PolicyPreview {
  const everyLead = ranked && ranked.length > 0 ? ranked : probs;
  const cuts = policy.kind === 'capacity' ? capacityCuts(everyLead, policy) : null;
  const thresholds = cuts ? thresholdsOfCuts(cuts) : tierThresholds(policy, labels, probs, fixed);
  const outcomes = expectedOutcomes(labels, probs, thresholds, economics.leadsPerPeriod, everyLead);
  return {
    thresholds,
    markers: { hot: marker(labels, probs, thresholds.hot), warm: marker(labels, probs, thresholds.warm) },
    roc: rocCurve(labels, probs),
    pr: prCurve(labels, probs),
    profit: profitCurve(labels, probs, economics.revenuePerConversion, economics.costPerContact),
    outcomes,
    scoredLeads: everyLead.length,
    capacityNotes: policy.kind === 'capacity' && cuts ? describeCapacityCuts(cuts, policy) : [],
  };
}

/**
 * Whether held-out leads' tiers under `policy` are counted by cross-fitted probabilities (each
 * lead's held-out logit through a calibration fitted again without its fold) rather than through
 * the calibration shipped. A value or fixed policy's thresholds are probabilities no lead chose,
 * so each lead is counted by a calibration its outcome did not fit, as a new lead is: through the
 * shipped one, fitted on these same leads, an isotonic step is at or above a threshold only when
 * its own leads converted at that rate, and the hot tier converts at the break-even or more by
 * construction. A capacity policy's thresholds are cuts of the shipped probabilities' ranks,
 * counted there: each tier then holds the leads its cut holds, where a fold's own map would hold
 * another share. A calibration that ranks no lead puts every lead in one tier, as the shipped model does.
 */
export function countsCrossFitted(policy: TierPolicy, calibration: Calibration): boolean {
  return policy.kind !== 'capacity' && !ranksNoLeads(calibration);
}

/**
 * What held-out leads' outcomes are counted by under `policy` (`countsCrossFitted`): `shipped`,
 * their held-out probabilities through the shipped calibration, or `crossFitted`, the same leads'
 * cross-fitted ones. The trainer's tier confusion and profit curve, and the options page's preview
 * and report of the leads a model learnt from (`countedLabelled`), count by this one rule.
 */
export function countedProbabilities(policy: TierPolicy, calibration: Calibration, shipped: Float64Array, crossFitted: Float64Array): Float64Array {
  return countsCrossFitted(policy, calibration) ? crossFitted : shipped;
}

/**
 * What the leads a model learnt from are counted by (`countedLabelled`): their held-out
 * probability through the shipped calibration, where a capacity policy's cuts are made (`cuts`);
 * through a calibration fitted without them (`cross-fitted`), as a value or fixed policy's
 * thresholds meet new leads; or, under such a policy, through the shipped one all the same: one
 * that gives every lead the same probability (`shipped`), or a model trained before LeadLens kept
 * the cross-fitted probabilities (`not-kept`).
 */
export type LearntFromBasis = 'cuts' | 'cross-fitted' | 'shipped' | 'not-kept';

/**
 * What the leads a model learnt from are counted by under `policy` and the model's `calibration`
 * (`countsCrossFitted`), given whether their cross-fitted probabilities were kept
 * (`crossFittedKept`): the options page's figures (`countedLabelled`) and the side panel's rates
 * (`segmentFigures`) count by this one rule.
 */
export function learntFromBasisOf(policy: TierPolicy, calibration: Calibration, crossFittedKept: boolean): LearntFromBasis {
  if (policy.kind === 'capacity') return 'cuts';
  if (!countsCrossFitted(policy, calibration)) return 'shipped';
  return crossFittedKept ? 'cross-fitted' : 'not-kept';
}

/** `LearntFromBasis` in words, said after "the probability a check model trained without them gave them" or "scored by a check model that never saw them". */
export function learntFromBasisWords(basis: LearntFromBasis): string {
  switch (basis) {
    case 'cuts':
      return ', as the thresholds were chosen';
    case 'cross-fitted':
      return ', through a calibration fitted without them too, as new leads meet the thresholds';
    case 'shipped':
      return ", through the model's calibration, which gives every lead the same probability";
    case 'not-kept':
      return ", through the model's calibration, which their outcomes fitted, as the model was trained before LeadLens kept one fitted without them";
  }
}

/** Labelled leads as `LabelledProbabilities` (lib/ui/stored-data.ts) holds them: the leads a model learnt from first, by their held-out probabilities. */
export interface LabelledLeads {
  /** [N] the leads of known outcome's */
  probabilities: Float64Array;
  /** [M] every scored lead's */
  ranked: Float64Array;
  /** The same leads with those it learnt from read cross-fitted; absent for a model trained before LeadLens kept them. */
  crossFitted?: { probabilities: Float64Array; ranked: Float64Array };
}

/** Labelled leads as a policy counts them (`countedLabelled`). */
export interface CountedLabelled {
  /** [N] what conversions, rates, profit, curves and confusion matrices are read from. */
  probabilities: Float64Array;
  /** [M] what a capacity policy ranks and each tier's share of the leads is read from. */
  ranked: Float64Array;
  learntFromBy: LearntFromBasis;
}

/**
 * `leads` as `policy` counts them (`countedProbabilities`), for every figure of them at once: each
 * tier's share, conversions, rate, profit and confusion are then read from the same probability of
 * each lead, so a tier's rate is of the leads it holds. A model trained before LeadLens kept the
 * cross-fitted probabilities has its leads counted by their held-out ones, as before.
 */
export function countedLabelled({ probabilities, ranked, crossFitted }: LabelledLeads, policy: TierPolicy, calibration: Calibration): CountedLabelled {
  const crossFittedToo = crossFitted ?? { probabilities, ranked };
  return {
    probabilities: countedProbabilities(policy, calibration, probabilities, crossFittedToo.probabilities),
    ranked: countedProbabilities(policy, calibration, ranked, crossFittedToo.ranked),
    learntFromBy: learntFromBasisOf(policy, calibration, crossFitted !== undefined),
  };
}

/**
 * `policy`'s preview of labelled leads (`LabelledProbabilities`), each lead counted as
 * `countedLabelled` counts it under the policy and the model's `calibration`: what the options
 * page's policy worker previews.
 */
export function previewLabelled(
  labelled: LabelledLeads & { labels: Labels },
  policy: TierPolicy,
  calibration: Calibration,
  economics: Economics,
  fixed?: TierThresholds,
): PolicyPreview {
  const { probabilities, ranked } = countedLabelled(labelled, policy, calibration);
  return previewPolicy(policy, labelled.labels, probabilities, economics, fixed, ranked);
}

/** How many of `probabilities` each tier holds under `thresholds`, as `tierOf` tiers them; a NaN (a lead with no score) in none. */
export function tierCounts(probabilities: Scores, thresholds: TierThresholds): Record<Tier, number> {
  const counts = { hot: 0, warm: 0, cold: 0 };
  for (const probability of probabilities) if (!Number.isNaN(probability)) counts[tierOf(probability, thresholds)]++;
  return counts;
}

/**
 * The stored leads the side panel counts in its tiers when it opens with no filter, as
 * `panelLeadsOf` reads them from its own rows (`loadScoredLeads`): every lead the model scored,
 * of every source, Demo mode's beside your own included.
 */
export interface PanelLeads {
  /** Each source's leads' stored probabilities, as the panel shows them once applying the policy cleared the record pages' scores. */
  bySource: Partial<Record<SourceKind, Float64Array>>;
  /** How many of them are Demo mode's leads stored beside your own, which the panel counts with them. */
  madeUp: number;
}

/** The side panel's rows (`loadScoredLeads`) as `describeShownTiers` counts them: a probability per lead, by source (8 bytes a lead, not a row). */
export function panelLeadsOf(rows: readonly Pick<ScoredLeadRow, 'source' | 'probability' | 'madeUp'>[]): PanelLeads {
  const probabilities = new Map<SourceKind, number[]>();
  let madeUp = 0;
  for (const { source, probability, madeUp: isMadeUp } of rows) {
    const ofSource = probabilities.get(source);
    if (ofSource) ofSource.push(probability);
    else probabilities.set(source, [probability]);
    if (isMadeUp) madeUp++;
  }
  const bySource: PanelLeads['bySource'] = {};
  for (const source of SOURCE_KINDS) {
    const ofSource = probabilities.get(source);
    if (ofSource) bySource[source] = Float64Array.from(ofSource);
  }
  return { bySource, madeUp };
}

/**
 * What the side panel will count in each tier under `thresholds` once applied, when it opens with
 * no filter: every stored lead it tiers (`panel`), of every source, each by the score it shows;
 * and, when that differs, what the preview counts of the leads its contacts are shares of
 * (`ranked`: one CRM's alone, `rankedWord` naming it, for a model whose rule is of one; Demo mode's
 * beside your own left out): on a model trained on Salesforce leads with 1,000 HubSpot leads
 * stored too, the panel counts 196 hot of 2,000 where the preview counts 175 of 1,000. Null when
 * the panel has no lead to count.
 * `learntFromScores`: the stored scores of `ranked`'s first leads, those the model learnt from,
 * which the preview counts by their held-out probabilities (`ranked` as `countedLabelled` gives it,
 * read as `learntFromBy` says), and the panel by their stored scores, the model's own, which knew
 * their outcomes (86 hot where the preview counted 63): said, so the difference is not taken for a wrong preview.
 */
export function describeShownTiers(
  { ranked, learntFromScores = [], learntFromBy }: { ranked: Scores; learntFromScores?: Scores; learntFromBy: LearntFromBasis },
  rankedWord: string,
  panel: PanelLeads,
  thresholds: TierThresholds,
): string | null {
  const sum = (a: Record<Tier, number>, b: Record<Tier, number>) => ({ hot: a.hot + b.hot, warm: a.warm + b.warm, cold: a.cold + b.cold });
  const same = (a: Record<Tier, number>, b: Record<Tier, number>) => a.hot === b.hot && a.warm === b.warm && a.cold === b.cold;
  const sources = SOURCE_KINDS.flatMap((source) => {
    const probabilities = panel.bySource[source];
    return probabilities && probabilities.length > 0 ? [{ source, counts: tierCounts(probabilities, thresholds) }] : [];
  });
  const leadsOf = ({ hot, warm, cold }: Record<Tier, number>) => hot + warm + cold;
  const shown = sources.reduce((total, { counts }) => sum(total, counts), { hot: 0, warm: 0, cold: 0 });
  const total = leadsOf(shown);
  if (total === 0) return null;
  const count = (leads: number) => leads.toLocaleString('en-US');
  const inTiers = (counts: Record<Tier, number>) =>
    `${count(counts.hot)} hot${leadsOf(counts) > 0 ? ` (${formatRate(counts.hot / leadsOf(counts))})` : ''}, ${count(counts.warm)} warm and ${count(counts.cold)} cold`;
  const demo = panel.madeUp > 0 ? `${count(panel.madeUp)} of them Demo mode's, counted with your own` : '';
  const composition =
    sources.length === 1
      ? demo
      : `${sources.map(({ source, counts }) => `${count(leadsOf(counts))} ${SOURCE_NAMES[source]}`).join(', ')}${demo ? `; ${demo}` : ''}`;
  const sourceWord = sources.length === 1 ? `${SOURCE_NAMES[sources[0].source]} ` : '';
  const stored = `the ${plural(total, `stored ${sourceWord}lead`, `stored ${sourceWord}leads`)} it tiers${composition ? ` (${composition})` : ''}`;
  const willCount = `Once applied, the side panel will count ${inTiers(shown)} of ${stored}, each by the score it shows, with no filter chosen`;

  // The leads the model learnt from: by the preview, at their held-out probabilities; by the panel, at their stored scores. One with no stored score yet the panel does not count.
  const learntFrom = learntFromScores.length;
  const unscored = learntFromScores.filter(Number.isNaN).length;
  const scored = (_: number, i: number) => !Number.isNaN(learntFromScores[i]);
  const learntFromHeldOut = tierCounts(ranked.slice(0, learntFrom).filter(scored), thresholds);
  const learntFromShown = tierCounts(learntFromScores, thresholds);
  const checkModel = `the probability a check model trained without them gave them${learntFromBasisWords(learntFromBy)}`;
  const previewed = tierCounts(ranked, thresholds);
  // The same counts, and no lead learnt from tiered otherwise or left unscored: the panel counts the preview's leads as it does.
  if (same(shown, previewed) && same(learntFromShown, learntFromHeldOut) && unscored === 0) {
    const learntFromSame =
      learntFrom > 0
        ? `: the ${plural(learntFrom, 'lead', 'leads')} the model learnt from ${learntFrom === 1 ? 'falls in the same tier by the score it shows' : 'fall in the same tiers by the score they show'} as by ${checkModel}`
        : '';
    return `${willCount}, as the preview counts them${learntFromSame}.`;
  }
  const scoredLearntFrom = learntFrom - unscored;
  const notScoredYet =
    unscored > 0 ? ` ${plural(unscored, 'lead the model learnt from has', 'leads the model learnt from have')} no score yet: the preview counts ${unscored === 1 ? 'it' : 'them'}, the side panel will once ${unscored === 1 ? 'it is' : 'they are'} scored.` : '';
  const worked = (counts: Record<Tier, number>) => counts.hot + counts.warm;
  const higher = learntFromShown.hot !== learntFromHeldOut.hot ? learntFromShown.hot > learntFromHeldOut.hot : worked(learntFromShown) > worked(learntFromHeldOut);
  const learntFromMoved = same(learntFromShown, learntFromHeldOut)
    ? ''
    : ` The ${plural(scoredLearntFrom, 'lead this model learnt from scores', 'leads this model learnt from score')} ${higher ? 'higher' : 'lower'} by its own scores than on leads it never saw: ` +
      `the preview counts them by ${checkModel}. New leads are tiered as previewed.`;
  return (
    `${willCount}. The preview's contacts are shares of the ${plural(ranked.length, `${rankedWord}lead`, `${rankedWord}leads`)} the model scored, of which it counts ${inTiers(previewed)}.` +
    `${learntFromMoved}${notScoredYet}`
  );
}

/**
 * Whether `held` of `leads` ranked leads is noticeably off the share asked, `askedPerWeek` of
 * `inflowPerWeek` new leads a week: by more than a tenth of that share's exact count of them (a
 * fraction of a lead when they are few), not of the whole count a cut aims at, which rounds a
 * quarter of a lead up to one. In whole numbers, so no float noise decides it: held · inflow
 * against askedPerWeek · leads.
 */
function noticeablyOff(held: number, askedPerWeek: number, leads: number, inflowPerWeek: number): boolean {
  const asked = askedPerWeek * leads;
  return Math.abs(held * inflowPerWeek - asked) * 10 > asked;
}

/**
 * A count of leads that may be a fraction of one, in words: "a quarter of a lead", "0.46 of a
 * lead", "1.5 leads"; under a hundredth in two significant digits, "0.0001 of a lead", never "0 of a lead".
 */
function leadsInWords(count: number): string {
  if (count === 0.25) return 'a quarter of a lead';
  if (count === 0.5) return 'half a lead';
  if (count === 0.75) return 'three quarters of a lead';
  if (count > 0 && count < 0.01) return `${count.toLocaleString('en-US', { maximumSignificantDigits: 2 })} of a lead`;
  const written = Number(count.toFixed(2));
  return `${written.toLocaleString('en-US')} ${written < 1 ? 'of a lead' : written === 1 ? 'lead' : 'leads'}`;
}

/**
 * What a capacity policy's tiers hold when it is noticeably off what was asked, in words, from
 * the counts of the ranked leads. A tie moves a cut: "Hot holds 4% of the leads (about 4 a
 * week), not the 10% asked (10 a week): 12 leads share the probability at the cut, 50%, and
 * leads of one probability always share a tier; with them hot would hold 16%." Too few leads
 * to cut the share asked do too, as a tier holds whole leads: "Only 20 leads are scored: a hot
 * tier of 5 a week out of 400 is 1.25% of them, a quarter of a lead; hot holds 1 lead, about
 * 20 a week." A cut on the side of a tie farther from what was asked says which tier the
 * nearer side would leave empty. Then what warm holds, when that is off too. Nothing when every
 * tier holds about what was asked.
 */
export function describeCapacityCuts({ leads, hot, worked }: CapacityCuts, policy: Extract<TierPolicy, { kind: 'capacity' }>): string[] {
  const { inflowPerWeek } = policy;
  const count = (figure: number) => figure.toLocaleString('en-US');
  const perWeek = (held: number) => count(Math.round((held / leads) * inflowPerWeek));
  const holding = (held: number) => (held === 0 ? 'no lead' : `${formatRate(held / leads)} of the leads (about ${perWeek(held)} a week)`);
  // The admin's own ratio, so a digit more than a held share: 5 of 400 is 1.25%, not 1.3%.
  const askedShare = (share: number) => formatRate(share, 1);
  const asked = (share: number, leadsPerWeek: number) => `not the ${askedShare(share)} asked (${count(leadsPerWeek)} a week)`;
  const tieNote = (cut: CapacityCut, tiers: string, holds: string, leadsPerWeek: number) =>
    `${tiers} ${holds} ${holding(cut.held)}, ${asked(cut.askedShare, leadsPerWeek)}: ` +
    `${plural(cut.tied, 'lead shares', 'leads share')} the probability at the cut, ${formatThreshold(cut.tiedProbability)}, and leads of one probability always share a tier; ` +
    `${cut.held > cut.asked ? 'without' : 'with'} them ${tiers.toLowerCase()} would hold ${cut.otherwise === 0 ? 'no lead' : formatRate(cut.otherwise / leads)}` +
    // Why the cut is not on that side, though it holds nearer what was asked.
    `${cut.otherwiseEmpty.length > 0 ? `, leaving ${cut.otherwiseEmpty.join(' or ')} with no lead` : ''}.`;
  // What the asked share is of the scored leads, a fraction of a lead, and the whole leads held instead; the first such note says how few are scored.
  let fewLeadsSaid = false;
  const fewLeadsNote = (asking: string, leadsPerWeek: number, held: number, holds: string) => {
    const said =
      `${asking} ${askedShare(leadsPerWeek / inflowPerWeek)} of them, ${leadsInWords((leadsPerWeek * leads) / inflowPerWeek)}; ` +
      `${holds} ${held === 0 ? 'no lead' : `${plural(held, 'lead', 'leads')}, about ${perWeek(held)} a week`}.`;
    const note = fewLeadsSaid ? sentenceStart(said) : `Only ${plural(leads, 'lead is', 'leads are')} scored: ${said}`;
    fewLeadsSaid = true;
    return note;
  };
  const weekly = (leadsPerWeek: number) => `${count(leadsPerWeek)} a week out of ${count(inflowPerWeek)}`;
  const off = (held: number, leadsPerWeek: number) => noticeablyOff(held, leadsPerWeek, leads, inflowPerWeek);
  // As the cuts read them: at most every lead.
  const hotPerWeek = Math.min(policy.hotPerWeek, inflowPerWeek);
  const workedPerWeek = Math.min(policy.hotPerWeek + policy.warmPerWeek, inflowPerWeek);
  const notes: string[] = [];
  // A cut off what was asked with no tie at it is off by its rounding to whole leads alone.
  const hotOff = off(hot.held, hotPerWeek);
  if (hotOff) notes.push(hot.tied > 0 ? tieNote(hot, 'Hot', 'holds', policy.hotPerWeek) : fewLeadsNote(`a hot tier of ${weekly(hotPerWeek)} is`, hotPerWeek, hot.held, 'hot holds'));
  if (!worked) return notes;
  // Both cuts in hot's tie: the note on hot said it.
  const sameTie = hotOff && hot.tied > 0 && worked.tiedProbability === hot.tiedProbability;
  if (off(worked.held, workedPerWeek) && !sameTie) {
    notes.push(
      worked.tied > 0
        ? tieNote(worked, 'Hot and warm together', 'hold', policy.hotPerWeek + policy.warmPerWeek)
        : fewLeadsNote(`hot and warm tiers together, ${weekly(workedPerWeek)}, are`, workedPerWeek, worked.held, 'together they hold'),
    );
  }
  const warmHeld = worked.held - hot.held;
  const warmPerWeek = workedPerWeek - hotPerWeek;
  if (!off(warmHeld, warmPerWeek)) return notes;
  if (notes.length > 0) notes.push(`So warm holds ${holding(warmHeld)}, ${asked(warmPerWeek / inflowPerWeek, policy.warmPerWeek)}.`);
  // Both cuts about as asked, with no tie, yet warm between them a fraction of a lead off: too few leads for its share alone.
  else if (hot.tied === 0 && worked.tied === 0) notes.push(fewLeadsNote(`a warm tier of ${weekly(warmPerWeek)} is`, warmPerWeek, warmHeld, 'warm holds'));
  return notes;
}

/**
 * An admin's tier policy, chosen on another model, applied again on a model whose probabilities
 * of some leads are `probabilities`: the same choice, a capacity policy's thresholds chosen as
 * applying it chooses them (`tierThresholds`) on these leads' ranks, a value policy's from its
 * economics alone, a fixed policy's kept. No outcome is read.
 */
export function applyPolicyOn(tiers: Tiers, probabilities: Scores): Tiers {
  const { policy } = tiers;
  if (policy.kind === 'fixed') return tiers; // the admin's own probabilities, whatever the model
  return { policy, ...tierThresholds(policy, new Uint8Array(probabilities.length), probabilities) };
}

/**
 * An admin's tier policy, chosen on another model, applied again on `manifest`'s model
 * (`applyPolicyOn`) with no lead of its own at hand: on its reference leads, as the manifest keeps them.
 */
export function reapplyPolicy(tiers: Tiers, { reference }: Pick<Manifest, 'reference'>): Tiers {
  // The 99 cut points split the reference leads in 100 equal shares, each cut the lowest
  // probability of the share above it, and 0 the lowest of the last: the top k of these 100
  // are the top k % of the reference leads, so a capacity policy's share is kept to the nearest percent.
  return applyPolicyOn(tiers, Float64Array.from([0, ...reference.probabilityPercentiles]));
}

/**
 * Whether two models' tiers are by the same policy: the same choice and figures, and for a fixed
 * policy the same thresholds (a value or capacity policy's are chosen for each model).
 */
export function sameTierPolicy(a: Tiers, b: Tiers): boolean {
  const figures = (tiers: Tiers): Record<string, unknown> => tiers.policy;
  const keys = new Set([...Object.keys(a.policy), ...Object.keys(b.policy)]);
  if (![...keys].every((key) => figures(a)[key] === figures(b)[key])) return false;
  return a.policy.kind !== 'fixed' || (a.hot === b.hot && a.warm === b.warm);
}

/** Dollars as the admin typed them: "$5,000", "$0.40", "$0.004". */
const dollars = (amount: number) => formatMoney(amount, { asTyped: true });

/**
 * A model's tier policy in words, as the tier form offers it, and the thresholds it gives: "by
 * capacity, 25 hot and 50 warm leads worked a week of 400 new (hot from 12%, warm from 5% likely)".
 */
export function describeTierPolicy({ policy, hot, warm }: Tiers): string {
  const thresholds = `hot from ${formatThreshold(hot)}, warm from ${formatThreshold(warm)} likely`;
  switch (policy.kind) {
    case 'value':
      return `by business value, at ${dollars(policy.revenuePerConversion)} per conversion and ${dollars(policy.costPerContact)} per contact (${thresholds})`;
    case 'capacity': {
      const count = (leads: number) => leads.toLocaleString('en-US');
      return `by capacity, ${count(policy.hotPerWeek)} hot and ${count(policy.warmPerWeek)} warm leads worked a week of ${count(policy.inflowPerWeek)} new (${thresholds})`;
    }
    case 'fixed':
      return `fixed probabilities (${thresholds})`;
  }
}

/** The tier policy form as the admin filled it in: null for an empty field; fixed thresholds in percent. */
export interface PolicyForm {
  kind: TierPolicy['kind'];
  revenuePerConversion: number | null;
  costPerContact: number | null;
  leadsPerWeek: number | null;
  hotPerWeek: number | null;
  warmPerWeek: number | null;
  hotPercent: number | null;
  warmPercent: number | null;
}

export type PolicyField = Exclude<keyof PolicyForm, 'kind'>;

/** A threshold (probability) as the form's percent field shows it: to 4 decimals. */
const percentOf = (threshold: number) => Math.round(threshold * 1e6) / 1e4;

/** The form's figures every preview reads (`Economics`), by their fields' names. */
export type FormEconomics = Pick<PolicyForm, 'revenuePerConversion' | 'costPerContact' | 'leadsPerWeek'>;

/**
 * The economics of a form for `policy`: those the policy holds (a value policy's revenue and cost,
 * a capacity policy's new leads a week), the rest as `kept` (what it was applied with,
 * `policyFiguresOf`), else as the defaults the trainer assumed too.
 */
export function formEconomicsOf(policy: TierPolicy, kept?: Economics | null): FormEconomics {
  const { revenuePerConversion, costPerContact } = policy.kind === 'value' ? policy : (kept ?? DEFAULT_PROFIT_ASSUMPTIONS);
  const leadsPerWeek = policy.kind === 'capacity' ? policy.inflowPerWeek : (kept?.leadsPerPeriod ?? DEFAULT_POLICY.inflowPerWeek);
  return { revenuePerConversion, costPerContact, leadsPerWeek };
}

/**
 * The form as the model's `tiers` fill it: the policy's own numbers, its economics as
 * `formEconomicsOf` gives them with `kept`, and the capacity figures a policy of another kind
 * has not as the defaults. The thresholds as percentages to 4 decimals, which `readPolicyForm`
 * given the same `tiers` reads back as the thresholds themselves.
 */
export function policyFormOf(tiers: Tiers, kept?: Economics | null): PolicyForm {
  const { policy } = tiers;
  return {
    kind: policy.kind,
    ...formEconomicsOf(policy, kept),
    hotPerWeek: policy.kind === 'capacity' ? policy.hotPerWeek : DEFAULT_POLICY.hotPerWeek,
    warmPerWeek: policy.kind === 'capacity' ? policy.warmPerWeek : DEFAULT_POLICY.warmPerWeek,
    hotPercent: percentOf(tiers.hot),
    warmPercent: percentOf(tiers.warm),
  };
}

/**
 * The form an Apply of `form` leaves beside the `tiers` it applied: as submitted, but for a value
 * or capacity policy its hidden fixed thresholds are those it gave, as `policyFormOf` fills them,
 * so that switching to fixed shows them and applying them unchanged keeps them exactly
 * (`readPolicyForm` given `tiers`). A fixed policy's are kept as typed: they read back as the thresholds applied.
 */
export function appliedFormOf(form: PolicyForm, tiers: Tiers): PolicyForm {
  return form.kind === 'fixed' ? form : { ...form, hotPercent: percentOf(tiers.hot), warmPercent: percentOf(tiers.warm) };
}

/** What a field holds and how the form labels it. */
interface PolicyFieldSpec {
  /** In words, as it starts its label and its problems. */
  name: string;
  /** Shown after the name in the label. */
  unit?: '$' | '% likely';
  /** Whole numbers only (people and leads), else any amount (money in cents, percentages). */
  whole: boolean;
  accepts(value: number): boolean;
  /** What `accepts` wants, in words: "more than $0". */
  requirement: string;
  /** The most it takes. */
  max: number;
}

const isPercent = (value: number) => value >= 0 && value <= 100;

/** Beyond these a figure is a slip of the keyboard, and the preview's profits would overflow to Infinity. */
const MAX_MONEY = 1e12;
const MAX_LEADS_PER_WEEK = 1e7;

export const POLICY_FIELDS: Record<PolicyField, PolicyFieldSpec> = {
  revenuePerConversion: { name: 'Revenue per conversion', unit: '$', whole: false, accepts: (value) => value > 0, requirement: 'more than $0', max: MAX_MONEY },
  costPerContact: { name: 'Cost per contact', unit: '$', whole: false, accepts: (value) => value >= 0, requirement: '$0 or more', max: MAX_MONEY },
  leadsPerWeek: { name: 'New leads per week', whole: true, accepts: (value) => value >= 1, requirement: 'a whole number, at least 1', max: MAX_LEADS_PER_WEEK },
  hotPerWeek: { name: 'Hot leads worked per week', whole: true, accepts: (value) => value >= 1, requirement: 'a whole number, at least 1', max: MAX_LEADS_PER_WEEK },
  warmPerWeek: { name: 'Warm leads worked per week', whole: true, accepts: (value) => value >= 0, requirement: 'a whole number, 0 or more', max: MAX_LEADS_PER_WEEK },
  hotPercent: { name: 'Hot from', unit: '% likely', whole: false, accepts: isPercent, requirement: 'between 0% and 100%', max: 100 },
  warmPercent: { name: 'Warm from', unit: '% likely', whole: false, accepts: isPercent, requirement: 'between 0% and 100%', max: 100 },
};

/** The fields each policy shows, in order; the economics (revenue, cost, new leads) feed every preview. */
export const POLICY_FORM_FIELDS: Record<TierPolicy['kind'], readonly PolicyField[]> = {
  value: ['revenuePerConversion', 'costPerContact', 'leadsPerWeek'],
  capacity: ['hotPerWeek', 'warmPerWeek', 'leadsPerWeek', 'revenuePerConversion', 'costPerContact'],
  fixed: ['hotPercent', 'warmPercent', 'leadsPerWeek', 'revenuePerConversion', 'costPerContact'],
};

/** What a valid form previews and applies. */
export interface PolicyChoice {
  policy: TierPolicy;
  economics: Economics;
  /** A fixed policy's thresholds (probabilities); value and capacity policies ignore them. */
  fixed: TierThresholds;
}

// Value and capacity policies ignore `fixed`: a constant, so their hidden percent fields do not change a preview.
const IGNORED_FIXED: TierThresholds = { hot: 1, warm: 0 };

/** Something wrong with the form: in words, and the fields it is about (said beside the first, so the form can mark each). */
export interface PolicyProblem {
  message: string;
  fields: readonly PolicyField[];
}

/** A field's value, or NaN after adding its problem to `problems`. */
function fieldValue(form: PolicyForm, field: PolicyField, problems: PolicyProblem[]): number {
  const { name, unit, whole, accepts, requirement, max } = POLICY_FIELDS[field];
  const value = form[field];
  if (value === null || !Number.isFinite(value)) problems.push({ message: `${name} is empty: it must be ${requirement}.`, fields: [field] });
  else if (!accepts(value) || (whole && !Number.isInteger(value))) problems.push({ message: `${name} must be ${requirement}.`, fields: [field] });
  else if (value > max) problems.push({ message: `${name} must be at most ${unit === '$' ? '$' : ''}${max.toLocaleString('en-US')}${unit === '% likely' ? '%' : ''}.`, fields: [field] });
  else return value;
  return Number.NaN;
}

/**
 * A fixed policy's threshold from its percent field: the model's own (`current`) while the field
 * shows it as `policyFormOf` filled it in, since that is rounded: a capacity threshold sits a hair
 * under some leads' probability (`CUT_MARGIN`), and rounding it up would drop all of them a tier.
 */
const thresholdOf = (percent: number, current: number | undefined) => (current !== undefined && percent === percentOf(current) ? current : percent / 100);

/** Leads a week as the tier form's problems say them: "25,000". */
const leadCount = (leads: number) => leads.toLocaleString('en-US');

/**
 * Why a capacity policy is impossible, in the words the tier form says it, or null: more hot and
 * warm leads worked a week than come in. An import of a model refuses such a policy too; one
 * working as many as come in, which the form refuses (`capacitySortsNoLead`), it takes: a model
 * made with one (by an older LeadLens, or the command line) stays usable, and the admin is told
 * when choosing it again. A figure that is NaN (a field with a problem of its own) raises none.
 */
export function capacityOverInflow({ hotPerWeek, warmPerWeek, inflowPerWeek }: Extract<TierPolicy, { kind: 'capacity' }>): string | null {
  if (!(hotPerWeek + warmPerWeek > inflowPerWeek)) return null;
  return `Hot and warm leads worked per week (${leadCount(hotPerWeek)} + ${leadCount(warmPerWeek)}) are more than the ${leadCount(inflowPerWeek)} new leads per week: the team cannot work more leads than come in.`;
}

/**
 * Why the tier form refuses a capacity policy, in its words and with the fields it is about, or
 * null: more leads worked than come in (`capacityOverInflow`), or all of them, as a value policy
 * at $0 per contact is refused (`valueSortsNoLead`): every lead hot, or every lead hot or warm and
 * none cold, and the tiers would not say which leads can wait. A figure that is NaN raises none.
 */
export function capacitySortsNoLead(policy: Extract<TierPolicy, { kind: 'capacity' }>): PolicyProblem | null {
  const overInflow = capacityOverInflow(policy);
  if (overInflow) return { message: overInflow, fields: ['hotPerWeek', 'warmPerWeek', 'leadsPerWeek'] };
  const { hotPerWeek, warmPerWeek, inflowPerWeek } = policy;
  if (hotPerWeek === inflowPerWeek) {
    return {
      message: `Hot leads worked per week (${leadCount(hotPerWeek)}) are all the ${leadCount(inflowPerWeek)} new leads per week: every lead would be hot. Give how many the team works first, fewer than come in.`,
      fields: ['hotPerWeek', 'leadsPerWeek'],
    };
  }
  if (hotPerWeek + warmPerWeek === inflowPerWeek) {
    return {
      message: `Hot and warm leads worked per week (${leadCount(hotPerWeek)} + ${leadCount(warmPerWeek)}) are all the ${leadCount(inflowPerWeek)} new leads per week: no lead would be cold, so the tiers would not say which leads can wait. Give fewer, so some leads are left cold.`,
      fields: ['hotPerWeek', 'warmPerWeek', 'leadsPerWeek'],
    };
  }
  return null;
}

/**
 * Why the tier form refuses fixed thresholds at 0 %, with the field it is about, or null: every
 * lead is at least 0 % likely, so hot from 0 % makes every lead hot, and warm from 0 % leaves no
 * lead cold, as a capacity policy working every new lead would (`capacitySortsNoLead`). An import
 * of a model refuses them too, in these words.
 */
export function fixedSortsNoLead({ hot, warm }: TierThresholds): PolicyProblem | null {
  if (hot === 0) {
    return {
      message: 'Hot from is 0%: every lead is at least that likely, so every lead would be hot. Give the likelihood from which a lead is worth working first.',
      fields: ['hotPercent'],
    };
  }
  if (warm === 0) {
    return {
      message: 'Warm from is 0%: every lead is at least that likely, so no lead would be cold. Give the likelihood below which a lead can wait.',
      fields: ['warmPercent'],
    };
  }
  return null;
}

/**
 * Why a value policy cannot be applied, in the words the tier form says it and with the fields it
 * is about, or null. Hot from the break-even probability, cost / revenue: at $0 per contact every
 * lead would be hot, and from the revenue of a conversion on every lead cold; the tiers would sort
 * no lead. A figure that is NaN (a field with a problem of its own) raises none.
 */
export function valueSortsNoLead({ revenuePerConversion, costPerContact }: Extract<TierPolicy, { kind: 'value' }>): PolicyProblem | null {
  if (costPerContact === 0) {
    return {
      message: 'Cost per contact is $0: every lead would be worth contacting, so every lead would be hot. Give what a contact costs, the time it takes included.',
      fields: ['costPerContact'],
    };
  }
  if (costPerContact >= revenuePerConversion) {
    return {
      message: `Cost per contact (${dollars(costPerContact)}) is not below revenue per conversion (${dollars(revenuePerConversion)}): no lead would pay for its contact, so every lead would be cold.`,
      fields: ['costPerContact', 'revenuePerConversion'],
    };
  }
  return null;
}

/**
 * Why a value or fixed policy's thresholds would sort none of the leads the model scored (`scored`,
 * its probabilities of them), every one hot or none cold, in the words the tier form says it beside
 * the fields it is about; or null. A warning, not a refusal as `readPolicyForm` refuses what sorts
 * no lead whatever the leads ($0 per contact, a capacity working every new lead): the stored leads
 * can be few, and the policy tiers new leads too. But $0.004 a contact for $5,000 of revenue is hot
 * from 0.00008% likely, under any lead's probability: as good as a free contact.
 */
export function sortsNoScoredLead({ policy, fixed }: PolicyChoice, scored: Scores): PolicyProblem | null {
  if (policy.kind === 'capacity' || scored.length === 0) return null;
  const { hot, warm } = tierThresholds(policy, new Uint8Array(0), new Float64Array(0), fixed);
  let lowest = Number.POSITIVE_INFINITY;
  for (const probability of scored) lowest = Math.min(lowest, probability);
  if (warm > lowest) return null;
  const everyLead = scored.length === 1 ? 'the one lead the model scored is' : `all ${scored.length.toLocaleString('en-US')} leads the model scored are`;
  const atLeast = `${everyLead} at least that likely (the least likely is ${formatThreshold(lowest)})`;
  const outcome = hot <= lowest ? 'every lead would be hot' : 'no lead would be cold, and the tiers would not say which leads can wait';
  if (policy.kind === 'fixed') {
    return hot <= lowest
      ? { message: `Hot from is ${formatThreshold(hot)}: ${atLeast}, so ${outcome}.`, fields: ['hotPercent'] }
      : { message: `Warm from is ${formatThreshold(warm)}: ${atLeast}, so ${outcome}.`, fields: ['warmPercent'] };
  }
  const from = hot <= lowest ? `hot is from ${formatThreshold(hot)} likely` : `warm is from ${formatThreshold(warm)} likely`;
  return {
    message:
      `At ${dollars(policy.costPerContact)} per contact and ${dollars(policy.revenuePerConversion)} per conversion, ${from}: ${atLeast}, ` +
      `so ${outcome}${hot <= lowest ? ', as at $0 per contact' : ''}. Check what a contact costs, the time it takes included.`,
    fields: ['costPerContact', 'revenuePerConversion'],
  };
}

/**
 * The policy a form describes, or every problem with it (in the form's order) as a sentence
 * naming the field as the form labels it: "Revenue per conversion must be more than $0."
 * Only the fields the chosen policy shows are read. `current`: the model's tiers the form was
 * filled from (`policyFormOf`).
 */
export function readPolicyForm(form: PolicyForm, current?: Tiers): { ok: true; choice: PolicyChoice } | { ok: false; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  // NaN marks a hidden field or one with a problem of its own: comparisons with it are false, so it raises no second problem.
  const values = Object.fromEntries(Object.keys(POLICY_FIELDS).map((field) => [field, Number.NaN])) as Record<PolicyField, number>;
  for (const field of POLICY_FORM_FIELDS[form.kind]) values[field] = fieldValue(form, field, problems);
  const { revenuePerConversion, costPerContact, leadsPerWeek, hotPerWeek, warmPerWeek, hotPercent, warmPercent } = values;
  let policy: TierPolicy;
  let fixed = IGNORED_FIXED;
  switch (form.kind) {
    case 'value': {
      policy = { kind: 'value', revenuePerConversion, costPerContact };
      const sortsNoLead = valueSortsNoLead(policy);
      if (sortsNoLead) problems.push(sortsNoLead);
      break;
    }
    case 'capacity': {
      policy = { kind: 'capacity', hotPerWeek, warmPerWeek, inflowPerWeek: leadsPerWeek };
      const sortsNoLead = capacitySortsNoLead(policy);
      if (sortsNoLead) problems.push(sortsNoLead);
      break;
    }
    case 'fixed': {
      if (warmPercent > hotPercent) problems.push({ message: `Warm from (${warmPercent}%) must not be above hot from (${hotPercent}%).`, fields: ['warmPercent', 'hotPercent'] });
      policy = { kind: 'fixed' };
      // Checked as the fields show them; an untouched hot field's threshold can be a little below
      // the figure it shows, so a warm typed as that figure is the hot threshold itself, not above it.
      const hot = thresholdOf(hotPercent, current?.hot);
      fixed = { hot, warm: Math.min(thresholdOf(warmPercent, current?.warm), hot) };
      const sortsNoLead = fixedSortsNoLead(fixed);
      if (sortsNoLead) problems.push(sortsNoLead);
      break;
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, choice: { policy, economics: { revenuePerConversion, costPerContact, leadsPerPeriod: leadsPerWeek }, fixed } };
}
