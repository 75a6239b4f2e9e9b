/**
 * Plain-words reasons from the model's own per-term contributions (nothing approximated), told
 * on the odds a rep is shown: those of the calibrated probability.
 */
import type { Reason } from '../messaging/protocol';
import { derivedLevelAsShown, describeFeatureValue, featureAsWritten, featureLevel, featureNumber, featureValue, readRaw, sourceSupplies, type RawRecord, type RawValue, type SourceKind } from './featurize';
import type { Calibration, Feature, Manifest, Term } from './manifest';
import { calibratedChange, calibratedLogOdds } from './train/calibration';
import { clipWithEllipsis, MAX_VALUE_CHARS, visibleText } from './visible-text';

/** A value's text as LeadLens shows CRM text: visible (`visibleText`), cut to MAX_VALUE_CHARS with "…" (`clipWithEllipsis`). */
export const valueAsShown = (text: string): string => clipWithEllipsis(visibleText(text), MAX_VALUE_CHARS);

/**
 * The CRM page a record was read from: its fields as it shows them (`shown`: "€1.200.000") and as
 * they were read for the model (`read`: "1200000", by `pageFieldsAsData` in the page's locale).
 */
export interface PageRead {
  shown: RawRecord;
  read: RawRecord;
}

/**
 * Per feature [F], its field's text on `page` where that was read as the number the model scored
 * from `record`, so a reason words the page's "€1.200.000", not the 1200000 it was read as.
 * Undefined without a page, where the page shows none or another value (the API's, which wins
 * over the page's), and for a feature that is no number read from one field.
 */
function textsOnPage(manifest: Manifest, record: RawRecord, source: SourceKind, now: Date, page: PageRead | undefined): RawValue[] {
  return manifest.features.map((feature) => {
    const d = feature.derive;
    if (!page || d.kind !== 'value' || feature.type !== 'numeric') return undefined;
    const scored = featureNumber(record, feature, source, now);
    return featureNumber(page.read, feature, source, now) === scored ? readRaw(page.shown, d.from, source) : undefined;
  });
}

/**
 * Per feature [F], the lead's value as the CRM wrote it where a reason shows that, not the number
 * scored (`featureAsWritten`: "5-25", "€1.200.000" on `page`), or a category the model pools into
 * "(other)" (too rare to learn: "Aerospace"), as a reason shows it; null for any other. For the
 * side panel's comparison with the ideal customer (`deviationsFromIdeal`), which otherwise shows
 * the model's bin ("5" for "5-25", "(other)" for "Aerospace").
 */
export function valuesAsWritten(manifest: Manifest, record: RawRecord, source: SourceKind, now: Date, page?: PageRead): (string | null)[] {
  const onPage = textsOnPage(manifest, record, source, now, page);
  return manifest.features.map((feature, f) => {
    const pooled = feature.type === 'categorical' && feature.otherCode !== undefined && featureValue(record, feature, source, now) === feature.otherCode;
    const written = pooled ? describeFeatureValue(record, feature, source, now, onPage[f]) : featureAsWritten(record, feature, source, now, onPage[f]);
    return written === null || written === '' ? null : valueAsShown(written);
  });
}

/**
 * A feature's value as a reason shows it, "not known" when missing. A title is shown with the
 * seniority the model read from it, in words ("Individual contributor (Product Owner)"), or "not
 * known (代表取締役社長)" when it read none, so a rep sees what was scored.
 * `written` is the field's text on the page the record was read from (`textsOnPage`).
 */
function describeValue(record: RawRecord, feature: Feature, source: SourceKind, now: Date, written: RawValue): string {
  const text = valueAsShown(describeFeatureValue(record, feature, source, now, written));
  if (feature.derive.kind !== 'titleSeniority') return text || 'not known';
  const level = featureLevel(record, feature, source, now);
  // A title no rule reads is scored as a missing one: the rep still sees what was written.
  if (level === null) return text ? `not known (${text})` : 'not known';
  const shown = derivedLevelAsShown(level, feature.derive);
  return text ? `${shown} (${text})` : shown;
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
 * feature's reason). A pair of features the source has is a reason of its own, marked `pair`.
 * With the intercept and those terms they add up to the model's logit.
 * `contributions` is one lead's row of the model output: [T] log-odds per term. A number is
 * worded as the CRM wrote it where that is no plain number: as `page` shows it when `record`
 * was read from it and the page's text reads as the number scored ("€1.200.000"), else as
 * `record` holds it ("5-25"); see `describeFeatureValue`.
 */
export function modelReasons(
  manifest: Manifest,
  contributions: ArrayLike<number>,
  record: RawRecord,
  source: SourceKind,
  now: Date,
  page?: PageRead,
): Reason[] {
  if (contributions.length !== manifest.terms.length) {
    throw new Error(`The model returned ${contributions.length} contributions for ${manifest.terms.length} terms`);
  }
  // one reason per feature (its main effect and its pairs with features the source lacks), one per pair of tracked features
  const reasons = new Map<string, Reason>();
  const onPage = textsOnPage(manifest, record, source, now, page);
  manifest.terms.forEach((term, t) => {
    const features = trackedFeatures(manifest, term, source);
    if (features.length === 0) return;
    const pair = features.length > 1;
    const key = pair ? `term ${t}` : `feature ${features[0]}`;
    const merged = reasons.get(key);
    const whole = features.length === term.features.length;
    reasons.set(key, {
      label: pair ? pairLabel(manifest, features) : whole ? term.label : (merged?.label ?? manifest.features[features[0]].label),
      value: merged?.value ?? pairValue(features.map((f) => describeValue(record, manifest.features[f], source, now, onPage[f]))),
      points: (merged?.points ?? 0) + contributions[t],
      ...(pair && { pair: true }),
    });
  });
  return [...reasons.values()].sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
}

/**
 * A pair's reason named in words, "Lead source with Employees": the model's "Lead source ×
 * Employees" reads as an odds multiplier beside the reason's own "×1.07".
 */
function pairLabel(manifest: Manifest, features: number[]): string {
  return features.map((f) => manifest.features[f].label).join(' with ');
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
 * The reasons a rep is shown, strongest first (`modelReasons`, with the values of the `page` the
 * record was read from), each point as it moves the odds of the calibrated probability: from
 * `startingPoint` they add up to the log-odds of the probability shown, and a reason's odds
 * factor is what it does to those odds.
 */
export function explainLead(
  manifest: Manifest,
  contributions: ArrayLike<number>,
  record: RawRecord,
  source: SourceKind,
  now: Date,
  page?: PageRead,
): Reason[] {
  const { perPoint } = shownOddsOf(manifest, contributions, source);
  return modelReasons(manifest, contributions, record, source, now, page).map((reason) => ({ ...reason, points: perPoint * reason.points }));
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
