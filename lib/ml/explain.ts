/** Plain-words reasons from the model's own per-term contributions (nothing approximated). */
import type { Reason } from '../messaging/protocol';
import { describeFeatureValue, featureLevel, sourceSupplies, type RawRecord, type SourceKind } from './featurize';
import type { Feature, Manifest, Term } from './manifest';

/** A feature's value text is clipped to this many characters: CRM and CSV values can be any length. */
export const MAX_VALUE_CHARS = 80;

/** Line breaks and tabs: a reason is one line, so they read as the space a page shows them as. */
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;

/**
 * What a CRM value can carry that a rep cannot see: C0 / C1 controls; the direction controls
 * (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E, U+200F
 * and U+061C, the deprecated U+206A–U+206F), which would reorder LeadLens's own words next to
 * the value; zero-width spaces and invisible operators. The joiners U+200C and U+200D stay:
 * emoji and some scripts need them.
 */
const INVISIBLE_CONTROLS = /[\p{Cc}\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/gu;

/** `text` without the controls a rep cannot see, line breaks as spaces, otherwise as it is. */
export function visibleText(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(INVISIBLE_CONTROLS, '');
}

/** `text` cut to MAX_VALUE_CHARS with "…", never between the halves of a surrogate pair. */
function clip(text: string): string {
  if (text.length <= MAX_VALUE_CHARS) return text;
  return `${text.slice(0, MAX_VALUE_CHARS).replace(/[\uD800-\uDBFF]$/, '').trimEnd()}…`;
}

/**
 * A feature's value as a reason shows it, "not known" when missing. A title is shown with the
 * seniority the model read from it, "c-level (Product Owner)", so a rep sees what was scored.
 */
function describeValue(record: RawRecord, feature: Feature, source: SourceKind, now: Date): string {
  const text = clip(visibleText(describeFeatureValue(record, feature, source, now)));
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
 * Every term as a reason, strongest first, in terms of the fields the lead's source has. A
 * feature the source has no field for (a Salesforce lead's marketing e-mails) is missing for
 * all its leads, so it is no reason: a term of such features only adds the same to every lead
 * of the source (it counts in `startingPoint`), and a pair with one of them depends on its
 * other feature alone (it adds to that feature's reason). The reasons and the starting point
 * still add up to the lead's log-odds.
 * `contributions` is one lead's row of the model output: [T] log-odds per term.
 */
export function explainLead(
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

/**
 * Where a lead from `source` starts before its reasons (`explainLead`): the intercept plus
 * the terms of features the source has no field for, the same for each of its leads.
 */
export function startingPoint(manifest: Manifest, contributions: ArrayLike<number>, source: SourceKind): number {
  return manifest.terms.reduce(
    (sum, term, t) => (trackedFeatures(manifest, term, source).length === 0 ? sum + contributions[t] : sum),
    manifest.intercept,
  );
}

/** How many of the model's features `source` has a field for: the most a lead from it can have known. */
export function featuresTracked(manifest: Manifest, source: SourceKind): number {
  return manifest.features.filter((feature) => sourceSupplies(feature, source)).length;
}
