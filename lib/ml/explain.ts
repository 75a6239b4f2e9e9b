/**
 * Plain-words reasons from the model's own per-term contributions (nothing approximated), told
 * on the odds a rep is shown: those of the calibrated probability.
 */
import type { Reason } from '../messaging/protocol';
import { describeFeatureValue, featureLevel, sourceSupplies, type RawRecord, type SourceKind } from './featurize';
import type { Calibration, Feature, Manifest, Term } from './manifest';
import { calibratedChange, calibratedLogOdds } from './train/calibration';
import { clipText, visibleText } from './visible-text';

/** A feature's value text is clipped to this many characters: CRM and CSV values can be any length. */
export const MAX_VALUE_CHARS = 80;

/**
 * A feature's value as a reason shows it, "not known" when missing. A title is shown with the
 * seniority the model read from it, "c-level (Product Owner)", so a rep sees what was scored.
 */
function describeValue(record: RawRecord, feature: Feature, source: SourceKind, now: Date): string {
  const text = clipText(visibleText(describeFeatureValue(record, feature, source, now)), MAX_VALUE_CHARS);
  if (feature.derive.kind !== 'titleSeniority') return text || 'not known';
  const level = featureLevel(record, feature, source, now);
  if (level === null) return 'not known';
  return text ? `${level} (${text})` : level;
}

/** The features of `term` that `source` has a field for. */
function trackedFeatures(manifest: Manifest, term: Term, source: SourceKind): number[] {
  return term.features.filter((feature) => sourceSupplies(manifest.features[feature], source));
}

/**
 * Every term as a reason, strongest first, in terms of the fields the lead's source has, in the
 * model's own log-odds (a rep is shown `explainLead`). A feature the source has no field for (a
 * Salesforce lead's marketing e-mails) is missing for all its leads, so it is no reason: a term
 * of such features only adds the same to every lead of the source (it counts in the starting
 * point), and a pair with one of them depends on its other feature alone (it adds to that
 * feature's reason). With the intercept and those terms they add up to the model's logit.
 * `contributions` is one lead's row of the model output: [T] log-odds per term.
 */
export function modelReasons(
  manifest: Manifest,
  contributions: ArrayLike<number>,
  record: RawRecord,
  source: SourceKind,
  now: Date,
): Reason[] {
  if (contributions.length !== manifest.terms.length) {
    throw new Error(`The model returned ${contributions.length} contributions for ${manifest.terms.length} terms`);
  }
  // one reason per feature (its main effect and its pairs with features the source lacks), one per pair of tracked features
  const reasons = new Map<string, Reason>();
  manifest.terms.forEach((term, t) => {
    const features = trackedFeatures(manifest, term, source);
    if (features.length === 0) return;
    const key = features.length === 1 ? `feature ${features[0]}` : `term ${t}`;
    const merged = reasons.get(key);
    const whole = features.length === term.features.length;
    reasons.set(key, {
      label: whole ? term.label : (merged?.label ?? manifest.features[features[0]].label),
      value: merged?.value ?? pairValue(features.map((f) => describeValue(record, manifest.features[f], source, now))),
      points: (merged?.points ?? 0) + contributions[t],
    });
  });
  return [...reasons.values()].sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
}

/** Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko, …, and their presentation forms). */
const RIGHT_TO_LEFT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/u;

/**
 * A term's values, one per feature, as one text: "VP Sales · 200". With a right-to-left value
 * among them each is isolated (FSI … PDI): shown in one isolated run, "تعليم · not known" would
 * read in the right-to-left order, "not known · تعليم", pairing each value with the other field.
 */
function pairValue(values: string[]): string {
  if (values.length < 2 || !values.some((value) => RIGHT_TO_LEFT.test(value))) return values.join(' · ');
  return values.map((value) => `\u2068${value}\u2069`).join(' · ');
}

/** Where a lead from `source` starts in the model's log-odds: the intercept plus the terms of features the source has no field for. */
function modelStartingPoint(manifest: Manifest, contributions: ArrayLike<number>, source: SourceKind): number {
  return manifest.terms.reduce(
    (sum, term, t) => (trackedFeatures(manifest, term, source).length === 0 ? sum + contributions[t] : sum),
    manifest.intercept,
  );
}

/** Narrower than this (in the model's log-odds), a lead's span from its starting point is read as a point: over this width around it. */
const LOCAL_SPAN = 0.01;

/** Wider than the logits of any lead (±50 is a probability of 10⁻²²): a calibration flat over this gives every lead one probability. */
const WIDEST_SPAN = 100;

/**
 * A lead's reasons on the odds a rep is shown (the calibrated probability's), when the model's
 * log-odds go from the starting point `from` to the lead's logit `to`: the shown log-odds they
 * start at, and what one point of the model's log-odds counts, alike for every reason, so their
 * order stays the model's. They end at the log-odds of the probability shown.
 * Platt (none) is linear: a point counts a (1), the start is a · from + b (from). Isotonic is
 * not: a point counts the secant slope of the shown log-odds from `from` to `to` (the local slope
 * where the two nearly meet), from the calibrated starting point. Where the map is flat between
 * them (one step of it holds both), that slope is 0 and would make every reason "hardly change
 * the odds", though it is the reasons that put the lead on that step: the points count the slope
 * over the span widened around its middle until the map rises, and the start moves so that the
 * reasons still end at the probability shown. A map flat everywhere gives every lead the same
 * probability: there no reason moves the odds, and the points count nothing.
 */
function onShownOdds(calibration: Calibration, from: number, to: number): { start: number; perPoint: number } {
  const span = to - from;
  const secant = Math.abs(span) >= LOCAL_SPAN ? calibratedChange(calibration, from, span) / span : 0;
  if (secant !== 0) return { start: calibratedLogOdds(calibration, from), perPoint: secant };
  const middle = (from + to) / 2;
  let perPoint = 0;
  for (let width = Math.max(Math.abs(span), LOCAL_SPAN); perPoint === 0 && width <= WIDEST_SPAN; width *= 2) {
    perPoint = calibratedChange(calibration, middle - width / 2, width) / width;
  }
  return { start: calibratedLogOdds(calibration, to) - perPoint * span, perPoint };
}

/** A lead's span in the model's log-odds, from its starting point to its logit, on the odds a rep is shown (`onShownOdds`). */
function shownOddsOf(manifest: Manifest, contributions: ArrayLike<number>, source: SourceKind) {
  let logit = manifest.intercept;
  for (let t = 0; t < contributions.length; t++) logit += contributions[t];
  return onShownOdds(manifest.calibration, modelStartingPoint(manifest, contributions, source), logit);
}

/**
 * The reasons a rep is shown, strongest first (`modelReasons`), each point as it moves the
 * odds of the calibrated probability: from `startingPoint` they add up to the log-odds of the
 * probability shown, and a reason's odds factor is what it does to those odds.
 */
export function explainLead(
  manifest: Manifest,
  contributions: ArrayLike<number>,
  record: RawRecord,
  source: SourceKind,
  now: Date,
): Reason[] {
  const { perPoint } = shownOddsOf(manifest, contributions, source);
  return modelReasons(manifest, contributions, record, source, now).map((reason) => ({ ...reason, points: perPoint * reason.points }));
}

/**
 * Where a lead from `source` starts before its reasons (`explainLead`), in the log-odds of the
 * calibrated probability: the intercept plus the terms of features the source has no field
 * for, calibrated (for isotonic calibration see `onShownOdds`).
 */
export function startingPoint(manifest: Manifest, contributions: ArrayLike<number>, source: SourceKind): number {
  return shownOddsOf(manifest, contributions, source).start;
}

/** How many of the model's features `source` has a field for: the most a lead from it can have known. */
export function featuresTracked(manifest: Manifest, source: SourceKind): number {
  return manifest.features.filter((feature) => sourceSupplies(feature, source)).length;
}
