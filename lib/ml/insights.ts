/**
 * What a rep can do with a glass-box model's shape functions: how far a lead is from the
 * ideal customer, feature by feature, and the smallest changes to the features a rep can
 * influence (engagement, not industry) that would move the lead into the next tier.
 *
 * Pure functions of the manifest (every term's `shape`) and the lead's model input row [F]
 * (NaN = missing) plus its per-term contributions [T] from the model run. Features the lead's
 * source has no field for are left out: it is always missing there, nothing a rep can change.
 */
import type { Tier } from '../messaging/protocol';
import { sourceSupplies, type SourceKind } from './featurize';
import type { Feature, Manifest, Term, TermShape } from './manifest';
import { tierOf } from './score';
import { axisBin, termContribution, valueInBin } from './shape';
import { applyCalibration } from './train/calibration';

type Axis = TermShape['axes'][number];

/** At most this many changes are suggested: more is not advice a rep can act on. */
export const MAX_CHANGES = 3;

/** Whether every term carries its shape function (models trained elsewhere may not). */
export function modelHasShapes(manifest: Manifest): boolean {
  return manifest.terms.every((term) => term.shape !== undefined);
}

function shapeOf(term: Term): TermShape {
  if (!term.shape) throw new Error(`Term "${term.label}" has no shape function`);
  return term.shape;
}

/** Missing is always the last bin of an axis. */
const missingBin = (axis: Axis) => axis.labels.length - 1;

/** The axis a feature's moves are read on: its own (main-effect) term's, else the first term's that uses it. */
function ownAxis(manifest: Manifest, feature: number): Axis {
  const main = manifest.terms.find((term) => term.features.length === 1 && term.features[0] === feature);
  const term = main ?? manifest.terms.find((t) => t.features.includes(feature))!;
  return shapeOf(term).axes[term.features.indexOf(feature)];
}

/** A term's contribution for a row's values, by the model's own bin rule. */
const termScoreAt = (term: Term, row: ArrayLike<number>) => termContribution(shapeOf(term), term.features.map((feature) => row[feature]));

/** The logit change of setting one feature to `value`, every other feature held where it is (pairs too). */
function gainOf(manifest: Manifest, row: ArrayLike<number>, feature: number, value: number): number {
  const moved = Array.from(row);
  moved[feature] = value;
  let gain = 0;
  for (const term of manifest.terms) {
    if (term.features.includes(feature)) gain += termScoreAt(term, moved) - termScoreAt(term, row);
  }
  return gain;
}

export interface Deviation {
  feature: number;
  label: string;
  /** The lead's bin, as a rep reads it ("1 – 5", "Retail", "missing"). */
  leadValue: string;
  idealValue: string;
  /** Log-odds the lead loses against the ideal bin, ≥ 0. */
  pointsLost: number;
}

/**
 * Per single-feature term whose feature `source` supplies: the lead's bin, the ideal
 * (highest-scoring, non-missing) bin and the points lost, largest loss first.
 */
export function deviationsFromIdeal(manifest: Manifest, row: ArrayLike<number>, source: SourceKind): Deviation[] {
  return manifest.terms
    .filter((term) => term.features.length === 1 && sourceSupplies(manifest.features[term.features[0]], source))
    .map((term): Deviation => {
      const shape = shapeOf(term);
      const axis = shape.axes[0];
      const leadBin = axisBin(axis, row[term.features[0]]);
      let idealBin = 0;
      for (let bin = 1; bin < missingBin(axis); bin++) if (shape.scores[bin] > shape.scores[idealBin]) idealBin = bin;
      return {
        feature: term.features[0],
        label: term.label,
        leadValue: axis.labels[leadBin],
        idealValue: axis.labels[idealBin],
        pointsLost: Math.max(0, shape.scores[idealBin] - shape.scores[leadBin]),
      };
    })
    .sort((a, b) => b.pointsLost - a.pointsLost);
}

/** A value a rep's work can give a feature, and its bin on the feature's own axis. */
interface Target {
  bin: number;
  value: number;
}

/** Every bin of an axis but "missing", each with a value the model puts there. */
const presentTargets = (axis: Axis): Target[] => Array.from({ length: missingBin(axis) }, (_, bin) => ({ bin, value: valueInBin(axis, bin) }));

/** A "days since" feature: an activity today resets it to 0. */
const countsDaysSince = (feature: Feature) => feature.type === 'numeric' && feature.derive.kind === 'daysSince';

/**
 * What a rep's work can move a feature to. An activity today resets a "days since" to 0, the
 * one value it can be given (an older date is not a rep's to choose, whatever the shape says);
 * engagement raises counts and rates, where an unknown count is taken as none recorded; a
 * category (the last page seen) can become any other named level, not the pooled "(other)".
 */
function reachableTargets(feature: Feature, axis: Axis, value: number): Target[] {
  if (countsDaysSince(feature)) {
    const today = axisBin(axis, 0);
    return today < axisBin(axis, value) ? [{ bin: today, value: 0 }] : [];
  }
  if (feature.type !== 'numeric') {
    const from = axisBin(axis, value);
    return presentTargets(axis).filter(({ bin }) => bin !== from && bin !== feature.otherCode);
  }
  const from = axisBin(axis, Number.isNaN(value) ? 0 : value);
  return presentTargets(axis).filter(({ bin }) => bin > from);
}

export interface Change {
  feature: number;
  label: string;
  from: string;
  to: string;
  /** Log-odds this change adds, given the changes before it. */
  points: number;
  /** A "days since" reset to 0: the change is an activity today. */
  today: boolean;
}

export interface HotterPlan {
  /** The tier the changes reach, as the lead's score would be tiered; when they fall short, the tier aimed at. */
  targetTier: Exclude<Tier, 'cold'>;
  /** The calibrated probability the target tier starts at. */
  threshold: number;
  changes: Change[];
  probabilityBefore: number;
  probabilityAfter: number;
  /** Whether the changes reach the target tier (else they are the best ≤ MAX_CHANGES moves). */
  reaches: boolean;
}

/**
 * The smallest changes to actionable features that move the lead to the next tier (hot when
 * warm starts where hot does), or null when it is hot already. Greedy: while the target is not
 * reached (at most MAX_CHANGES), if some single move reaches it, take the one that adds the
 * fewest points (the smallest step that is enough); otherwise take the move that adds the most. A feature changes at most
 * once, only the way a rep's work moves it (see reachableTargets), and never to "missing"; only
 * features `source` supplies are changed. `scoredTier` is the tier the lead was shown with: the
 * plan starts from it, so it never contradicts the score a rep sees (a probability recomputed
 * from the contributions can fall on the other side of a threshold).
 */
export function whatWouldMakeHotter(
  manifest: Manifest,
  row: ArrayLike<number>,
  contributions: ArrayLike<number>,
  source: SourceKind,
  scoredTier?: Tier,
): HotterPlan | null {
  let logit = manifest.intercept;
  for (let t = 0; t < contributions.length; t++) logit += contributions[t];
  const probabilityBefore = applyCalibration(manifest.calibration, logit);
  const tier = scoredTier ?? tierOf(probabilityBefore, manifest.tiers);
  if (tier === 'hot') return null;
  const { tiers } = manifest;
  // With warm starting where hot does (a capacity of no warm leads), every lead past it is hot.
  const aim = tier === 'cold' && tiers.warm < tiers.hot ? 'warm' : 'hot';
  const reached = (value: number) => applyCalibration(manifest.calibration, value) >= tiers[aim];

  const current = Array.from(row); // [F] the row as the changes so far leave it
  const usedFeatures = new Set(manifest.terms.flatMap((term) => term.features));
  const actionable = [...usedFeatures].filter((feature) => manifest.features[feature].actionable && sourceSupplies(manifest.features[feature], source));
  const changes: Change[] = [];
  // A lead below the target tier needs a change, even if its recomputed probability sits on the threshold.
  while ((changes.length === 0 || !reached(logit)) && changes.length < MAX_CHANGES) {
    const moves = actionable
      .filter((feature) => !changes.some((change) => change.feature === feature))
      .flatMap((feature) => {
        const axis = ownAxis(manifest, feature);
        const from = axisBin(axis, current[feature]);
        return reachableTargets(manifest.features[feature], axis, current[feature]).map((target) => ({
          feature,
          axis,
          from,
          target,
          gain: gainOf(manifest, current, feature, target.value),
        }));
      })
      .filter((move) => move.gain > 0);
    if (moves.length === 0) break;
    const reaching = moves.filter((move) => reached(logit + move.gain));
    const best = reaching.length > 0
      ? reaching.reduce((a, b) => (b.gain < a.gain ? b : a))
      : moves.reduce((a, b) => (b.gain > a.gain ? b : a));
    changes.push({
      feature: best.feature,
      label: manifest.features[best.feature].label,
      from: best.axis.labels[best.from],
      to: best.axis.labels[best.target.bin],
      points: best.gain,
      today: countsDaysSince(manifest.features[best.feature]),
    });
    current[best.feature] = best.target.value;
    logit += best.gain;
  }
  const probabilityAfter = applyCalibration(manifest.calibration, logit);
  // Changes that reach warm can jump past hot: name the tier they land in.
  const targetTier = tierOf(probabilityAfter, tiers) === 'hot' ? 'hot' : aim;
  return { targetTier, threshold: tiers[targetTier], changes, probabilityBefore, probabilityAfter, reaches: probabilityAfter >= tiers[aim] };
}
