/**
 * What a rep can do with a glass-box model's shape functions: how far a lead is from the
 * ideal customer, feature by feature, and the smallest changes to the fields a rep can
 * influence (engagement, not industry) that would move the lead into the next tier.
 *
 * Pure functions of the manifest (every term's `shape`) and the lead's model input row [F]
 * (NaN = missing) plus its per-term contributions [T] from the model run. Features the lead's
 * source has no field for are left out: it is always missing there, nothing a rep can change;
 * so are a category's levels the source's records cannot hold (`heldLevels`), numbers between the
 * options of a dropdown of ranges (a HubSpot contact's employees: `rangeDropdownOf`), and e-mail
 * engagement for a lead no marketing e-mail reaches (`cannotBeEmailed`), in the plan and in the
 * comparison with the ideal customer alike. So are features whose fields were not read at all
 * (`FieldsRead`: the page did not show them, and the CRM's record was not read): what the lead has
 * there is not known, which is no "none recorded". Both name only values enough training leads
 * had: the comparison those that score best, and alike, for the lead as it is; the plan those
 * that reach the next tier. Both score a value a rep's work gives a feature as the record a CRM
 * holds with it (`changeOf`: the rates a count moves recomputed, the counts recorded along with it),
 * so a row of the comparison never promises what the plan's change would not give.
 * Every figure is exact: what the model adds, pairs included, for the row the change gives.
 */
import { hubspotRangeOptions } from '../crm/hubspot-ranges';
import type { Tier } from '../messaging/protocol';
import { valueAsShown } from './explain';
import { columnKey, currencyCode, digitsTellingApart, featureNumber, featureValue, formatNumber, levelAsShown, ratioParts, readRaw, sourceSupplies, type RawRecord, type SourceKind } from './featurize';
import { fieldSourcesOf, type Feature, type Manifest, type Term, type TermShape } from './manifest';
import { tierOf } from './score';
import { ANY_VALUE, axisBin, labelsNameTheirBins, labelsNameWholeNumbers, LEAST_VISIBLE_POINTS, numbersWritten, rangeLabel, recordedDecimal, scoreIndex, supportedIdeal, termContributionOf, valueInBin, type IdealBins } from './shape';
import { applyCalibration, calibratedChange } from './train/calibration';
import { binLabeller, binLabels } from './train/term-shapes';

type Axis = TermShape['axes'][number];

/** At most this many changes are suggested: more is not advice a rep can act on. */
export const MAX_CHANGES = 3;

/**
 * The least a change must add to the log-odds of the calibrated probability, the one a rep
 * reads, to be suggested: odds ×1.05, the least the plan's two-digit odds factor shows as more
 * than "×1" and what a reason needs to be named at all (`movesTheOdds`). Less is work for
 * nothing a rep would see: a model gain of 1e-9, or one a flat step of isotonic calibration takes.
 */
export const MIN_CHANGE_POINTS = LEAST_VISIBLE_POINTS;

/**
 * Per feature [F], whether the field(s) it reads were read at all (OpenLead's `fieldsRead`): a
 * missing value of one read is a field the record has empty, of one not read a value not known.
 * Undefined: every field was read (a synced lead, a file's row, the CRM's record).
 */
export type FieldsRead = readonly boolean[] | undefined;

/** Whether `feature`'s fields were read (see `FieldsRead`). */
const wasRead = (fieldsRead: FieldsRead, feature: number) => fieldsRead?.[feature] ?? true;

/**
 * `derive(manifest)` worked out once per manifest: the plan and the comparison with the ideal
 * customer ask the same lookups (a feature's training summary, its count bounds, the features
 * sharing its fields) for every move and every bin. A manifest is never changed once parsed, so
 * what it gives is kept as long as the manifest is.
 */
function perManifest<T>(derive: (manifest: Manifest) => T): (manifest: Manifest) => T {
  const kept = new WeakMap<Manifest, T>();
  return (manifest) => {
    if (!kept.has(manifest)) kept.set(manifest, derive(manifest));
    return kept.get(manifest)!;
  };
}

/** The features any term reads, each once, in the order the terms first read them. */
const usedFeatures = perManifest((manifest): readonly number[] => [...new Set(manifest.terms.flatMap((term) => term.features))]);

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

/** An option of a CRM's dropdown of number ranges: as the CRM writes it ("500-1000"), and the number the model reads from it (500). */
interface RangeOption {
  text: string;
  value: number;
}

/**
 * `feature`'s field and its options when `source` records it as a dropdown of number ranges (a
 * HubSpot contact's Number of Employees, "1-5" … "1000+": `hubspotRangeOptions`); undefined for a
 * field that holds any number (Salesforce's NumberOfEmployees, a file's column). A record holds one
 * of the options, never a number between them: the comparison with the ideal customer and the plan
 * take such a feature as a category whose levels are its options (`rangeOptionsByBin`).
 */
function rangeDropdownOf(feature: Feature, source: SourceKind): { field: string; options: readonly string[] } | undefined {
  const { derive } = feature;
  const field = source === 'hubspot' && feature.type === 'numeric' && derive.kind === 'value' ? derive.from.hubspot : undefined;
  const options = field === undefined ? undefined : hubspotRangeOptions(field);
  return options && { field: field!, options };
}

/**
 * The options of `feature`'s dropdown of ranges (`rangeDropdownOf`), each with the number
 * featurization reads from it (its lower end), by the bin of `axis` the model reads it in, bins
 * ascending; undefined for a field that holds any number.
 */
function rangeOptionsByBin(feature: Feature, axis: Axis, source: SourceKind): Map<number, RangeOption[]> | undefined {
  const dropdown = rangeDropdownOf(feature, source);
  if (!dropdown) return undefined;
  const byBin = new Map<number, RangeOption[]>();
  for (const text of dropdown.options) {
    // Read as featurization reads the field: "100-500" is 100.
    const value = featureNumber({ [dropdown.field]: text }, feature, source, TIME_NOT_READ);
    if (Number.isNaN(value)) continue;
    const bin = axisBin(axis, value);
    byBin.set(bin, [...(byBin.get(bin) ?? []), { text, value }]);
  }
  return new Map([...byBin].sort(([a], [b]) => a - b));
}

/**
 * `axis` of `feature` with its bins as `source`'s pages label them (HubSpot's "Organic Social" for
 * SOCIAL_MEDIA), a level LeadLens derives in words ("VP" for vp: `levelAsShown`); a bin holding
 * options of a dropdown of ranges by those options ("500-1000", or "500-1000 or 1000+" where the
 * model reads both alike). A label is shown as a value of the lead's is (`valueAsShown`): an
 * imported manifest's levels and labels can be of any length, and the table and the plan show them
 * beside the lead's own values, cut alike.
 */
function axisAsShown(axis: Axis, feature: Feature, source: SourceKind): Axis {
  let byFeature = axesShown.get(axis);
  if (!byFeature) axesShown.set(axis, (byFeature = new WeakMap()));
  let bySource = byFeature.get(feature);
  if (!bySource) byFeature.set(feature, (bySource = new Map()));
  let shown = bySource.get(source);
  if (!shown) {
    const options = rangeOptionsByBin(feature, axis, source);
    const { labels } = labelledByBins(axis, feature);
    shown = { ...axis, labels: labels.map((label, bin) => options?.get(bin)?.map(({ text }) => text).join(' or ') ?? valueAsShown(levelAsShown(label, feature, source))) };
    bySource.set(source, shown);
  }
  return shown;
}

/**
 * `axisAsShown`'s answers by axis, feature and source, each worked out once: the comparison and the plan word a
 * feature's bins for every lead and every move, and a manifest's axes and features are never changed once parsed
 * (the side panel hands the plan a manifest of its own per lead, with the same axes and features).
 */
const axesShown = new WeakMap<Axis, WeakMap<Feature, Map<SourceKind, Axis>>>();

/**
 * `axis` of `feature` with labels that name values their bins hold (`labelsNameTheirBins`), as `binLabels` writes
 * them: a model trained before LeadLens did wrote a bin's lower end at the edge the bin below ends at ("0.16 – 0.174"
 * over an edge of 0.1603, "$1,000 – $2,000" over $1,000), which a lead of 0.16 or $1,000 reads as within though it is
 * not. Such a number's labels are made again from its edges, in whole numbers where they named only whole numbers.
 */
function labelledByBins(axis: Axis, feature: Feature): Axis {
  if (feature.type !== 'numeric' || axis.edges.length === 0) return axis;
  return labelsNameTheirBins(axis) ? axis : { ...axis, labels: binLabels(feature, axis.edges, labelsNameWholeNumbers(axis.labels)) };
}

/** The axis a feature's moves are read on: its own (main-effect) term's, else the first term's that uses it. */
function ownAxis(manifest: Manifest, feature: number): Axis {
  const main = manifest.terms.find((term) => term.features.length === 1 && term.features[0] === feature);
  const term = main ?? manifest.terms.find((t) => t.features.includes(feature))!;
  return shapeOf(term).axes[term.features.indexOf(feature)];
}

/** A term's contribution for a row's values, by the model's own bin rule. */
const termScoreAt = (term: Term, row: ArrayLike<number>) => termContributionOf(shapeOf(term), (a) => row[term.features[a]]);

/** Every term's contribution for `row` [T]: what a change is measured from, worked out once per row rather than once per move or bin. */
const termScoresOf = (manifest: Manifest, row: ArrayLike<number>) => manifest.terms.map((term) => termScoreAt(term, row));

/** Per feature [F], the indexes of the terms that read it, pairs too, in the manifest's order. */
const termsReadingFeature = perManifest((manifest): readonly (readonly number[])[] =>
  manifest.features.map((_, feature) => manifest.terms.flatMap((term, t) => (term.features.includes(feature) ? [t] : []))),
);

/** The indexes of the terms that read any of `features`, in the manifest's order (see `logitChange`). */
const termsReadingAny = (manifest: Manifest, features: readonly number[]) =>
  features.length === 1
    ? termsReadingFeature(manifest)[features[0]]
    : [...new Set(features.flatMap((feature) => termsReadingFeature(manifest)[feature]))].sort((a, b) => a - b);

/**
 * The logit change from row `before` (its `termScoresOf`, `beforeScores` [T]) to row `after` [F]:
 * every term that reads a feature whose value changed, pairs too. `terms` (indexes, in the
 * manifest's order): the terms that can change, those reading any feature `after` changes:
 * `termsReadingFeature` of the one model input moved (`inputAloneGains`), `termsReadingAny` of a
 * change and every feature it changes along with it (`changeOf`). A term left out is not counted.
 */
function logitChange(manifest: Manifest, before: ArrayLike<number>, beforeScores: readonly number[], after: ArrayLike<number>, terms: Iterable<number>): number {
  let change = 0;
  for (const t of terms) {
    const term = manifest.terms[t];
    if (term.features.some((feature) => !Object.is(before[feature], after[feature]))) change += termScoreAt(term, after) - beforeScores[t];
  }
  return change;
}

/**
 * Which bins of a feature's `axis` `source`'s records can hold, for a lead whose value is `value`.
 * A CRM whose page labels the manifest knows for a choice field (`optionLabels`) holds the levels
 * it labels only: a HubSpot contact's lead source is never Salesforce's "Web", a level the model
 * learned from Salesforce leads. A number the CRM records as a dropdown of ranges holds the bins of
 * its options only (`rangeOptionsByBin`): a HubSpot contact's employees are "100-500" or
 * "500-1000", never 163 – 292. The lead's own bin is held (it holds it), as is "(other)", the
 * values the model did not learn, which any CRM can hold. Every bin when nothing tells: a number, a
 * level made by LeadLens (a title's seniority), a file's column, a CRM without labels known.
 */
function heldLevels(feature: Feature, axis: Axis, source: SourceKind, value: number): (bin: number) => boolean {
  const own = axisBin(axis, value);
  const options = rangeOptionsByBin(feature, axis, source);
  if (options) return (bin) => bin === own || options.has(bin);
  const { derive } = feature;
  const labels = feature.type === 'categorical' && derive.kind === 'value' && source !== 'csv' ? derive.optionLabels?.[source] : undefined;
  if (!labels || Object.keys(labels).length === 0) return () => true;
  const vocabulary = feature.vocabulary ?? [];
  return (bin) => bin === own || bin === feature.otherCode || (bin < vocabulary.length && Object.hasOwn(labels, vocabulary[bin]));
}

/** A copy of `row` with one feature's value changed. */
const withValue = (row: ArrayLike<number>, feature: number, value: number): number[] => {
  const changed = Array.from(row);
  changed[feature] = value;
  return changed;
};

export interface Deviation {
  feature: number;
  label: string;
  /**
   * Whether a rep's work can change the feature (its manifest `actionable`: engagement, such as
   * e-mails opened). Otherwise it says who the lead is (its industry, where it came from): the
   * table compares the lead with leads that have the ideal, and asks no one to change it.
   */
  actionable: boolean;
  /**
   * The lead's value as its reasons word it (`valueAsWorded`): a number with the model's unit
   * ("$25,000,000", "49"), or as the CRM wrote it where that is no plain number ("5-25",
   * "€1.200.000": `valuesAsWritten`); a category's level ("Retail"); "not known" when missing.
   */
  leadValue: string;
  /**
   * The value this lead would score best with among those enough training leads hold
   * (`supportedIdeal`, the trainer's rule for the model card's ideal too): for a number, a range
   * of bins every value of which gives the lead about the same odds (within ×1.05), "1,544 –
   * 2,100", within the range enough leads hold with the best mean gain and held by as many, or,
   * where no such run is, that range kept whole; for a number the lead's CRM records as a dropdown of
   * ranges, one of its options ("500-1000"). Models without bin counts: the best-scoring bin with
   * every value around it that scores the same. An amount is in the model's currency, which it
   * names beside a lead's value shown as the CRM wrote it ("$500,000 – $2,000,000 (USD)" beside "€1.200.000").
   */
  idealValue: string;
  /**
   * What the lead would gain if this feature took the value of the ideal nearest its own (the
   * range's least for a lead below it, as a count rises into it; its pairs with the lead's other
   * features included), with what a CRM records along with it, as the plan would change it (a click
   * rate recomputed from new opens, the first visit and page view of a first page seen:
   * `recordedGains`); of the lead's fit, and a rate, its model input alone. ≥ 0: every value of the ideal gives within MIN_CHANGE_POINTS of it.
   * Of a range kept whole, whose values may score far apart, its best value's (one enough training
   * leads had, else its nearest): its nearest may give less, or take odds away, where the range it
   * names lifts the lead (`FeatureIdeal`'s `entry`). That orders the table and decides whether the
   * range is named at all, but no one figure is what the range gives: the table shows `pointsAcross`.
   * In the log-odds of the calibrated probability, the one a rep reads, as the plan's
   * `calibratedPoints` are: its odds factor is what the probability shown would do. Below
   * MIN_CHANGE_POINTS (odds ×1.05) a rep would not see it: no deviation to act on, as the plan
   * offers no such change, and the table says so.
   */
  pointsLost: number;
  /**
   * Of a range kept whole (`IdealBins`'s `whole`), for a lead outside it: the least and the most
   * moving this feature to a value of the range would add, measured as `pointsLost` is, over
   * every value the range names. Its values may give the lead far apart odds ("11 – 280", where 11
   * gives ×1.1 and 200 ×2): a rep reads what to expect across it, not its best value's odds alone.
   * Absent for any other ideal, whose every value gives within ×1.05 of `pointsLost`.
   */
  pointsAcross?: { least: number; most: number };
}

/** A value the lead has none of, as its reasons say (explain.ts `describeValue`). */
const NOT_KNOWN = 'not known';

/**
 * The lead's value of `feature` (model input `value`, on `axis` as its CRM shows the levels) as
 * its reasons word it: a number as the CRM wrote it (`written`, from `valuesAsWritten`) or else
 * with the model's unit (`formatNumber`, as `describeFeatureValue` does), not as the bin the model
 * reads it in ("49", not "49 – 50"); a category or yes/no as its level; "not known" when missing.
 * A number too large for float32 (Infinity) has no figure: its bin ("> 5") says where the model reads it.
 * A number is the decimal its float32 stands for (`recordedDecimal`), with the digits that place it among the numbers
 * `ends` of an ideal range beside it (`digitsAmong`), and in its own bin (`digitsInOwnBin`).
 */
function leadValueAsShown(feature: Feature, axis: Axis, value: number, written?: string | null, ends: readonly number[] = []): string {
  if (Number.isNaN(value)) return NOT_KNOWN;
  if (written) return valueAsShown(written);
  // A "days since" with no unit named reads in days, as its reason does ("20 days", not "20").
  const unit = countsDaysSince(feature) ? (feature.unit ?? 'days') : feature.unit;
  if (feature.type !== 'numeric' || !Number.isFinite(value)) return axis.labels[axisBin(axis, value)];
  const decimal = recordedDecimal(value);
  return formatNumber(decimal, unit, digitsBeside(axis, decimal, ends));
}

/** The extra digits (`formatNumber`) a lead's number `decimal` (`recordedDecimal`) is written with beside an ideal range's `ends` (`leadValueAsShown`). */
const digitsBeside = (axis: Axis, decimal: number, ends: readonly number[]) => digitsInOwnBin(axis, decimal, digitsAmong(decimal, ends));

/**
 * `axis` of `feature` with the label of the bin the lead's number `value` is in holding it as the lead's value is written
 * beside the ideal range's `ends` (`leadValueAsShown`; `binLabels`' `holding`): where it lies between an end the label
 * writes and the bin's edge, that end has the digits that hold it. 9 clicks of 56 opens, 0.1607, is above the edge 0.1603
 * and read below "0.161 – 0.205"; it reads within "0.1603 – 0.205". An axis whose label holds it is as it is.
 */
function axisHoldingLead(axis: Axis, feature: Feature, value: number, ends: readonly number[]): Axis {
  if (!Number.isFinite(value)) return axis; // no figure: its bin says where the model reads it
  const decimal = recordedDecimal(value);
  const bin = axisBin(axis, value);
  const whole = labelsNameWholeNumbers(axis.labels);
  // The lead's bin alone, with and without its number: the other bins' labels are as they are.
  const labelOf = binLabeller(feature, axis.edges, whole);
  const holding = labelOf(bin, writtenAs(decimal, digitsBeside(axis, decimal, ends)));
  return holding === labelOf(bin) ? axis : { ...axis, labels: axis.labels.map((label, b) => (b === bin ? holding : label)) };
}

/**
 * The extra digits (`formatNumber`) at which `value` reads where it lies among the numbers `ends` an ideal range
 * beside it writes: apart from each it is not (`digitsTellingApart`: 0.158 and 0.16 beside "0.161 – 0.205", never
 * "0.16" for both), and as the range writes an end it is (0.205, not "0.21", beside "0.161 – 0.205").
 */
function digitsAmong(value: number, ends: readonly number[]): number {
  return Math.max(
    0,
    ...ends.map((end) => {
      if (end !== value) return digitsTellingApart([value, end]);
      let extra = 0;
      while (extra < MAX_DIGITS_WRITTEN && writtenAs(value, extra) !== end) extra++; // the range writes the end in a few digits
      return extra;
    }),
  );
}

/**
 * `extra` digits, or more until `value` written with them reads, as a number, in the bin of `axis` that `value` is in:
 * a lead's 1.065 reads "1.065", never "1.07", a lead's of the bin above an edge of 1.0699999 with other odds. (A value
 * between a written end and its edge reads beyond that end at any digits: 9 clicks of 56 opens, 0.1607, beside "0.161 –
 * 0.205", which holds it. That end is written to hold it: `axisHoldingLead`.)
 */
function digitsInOwnBin(axis: Axis, value: number, extra: number): number {
  const bin = axisBin(axis, value);
  while (extra < MAX_DIGITS_WRITTEN && axisBin(axis, writtenAs(value, extra)) !== bin) extra++;
  return extra;
}

/** The number `formatNumber` writes for `value` with `extra` digits, read back. */
const writtenAs = (value: number, extra: number) => Number(formatNumber(value, undefined, extra).replace(/,/g, ''));

/** The most extra digits a lead's value is written with: a float32 reads as itself long before. */
const MAX_DIGITS_WRITTEN = 20;

/**
 * Per feature [F], the lead's values as the CRM wrote them where its reasons show that (explain.ts
 * `valuesAsWritten`: "5-25" read as 5, "other" for a page the model pools into "(other)"), else null.
 */
export type ValuesAsWritten = readonly (string | null)[] | undefined;

/**
 * `feature`'s value `value` in a row made from the lead's `row` [F], as the comparison with the
 * ideal customer and the plan both word it (`leadValueAsShown`, on the feature's own axis as
 * `source` shows it): the lead's own value as the CRM wrote it where `asWritten` has that, so the
 * two and the reasons say "5-25" and "other" alike, never the model's "5" or "(other)".
 */
function valueAsWorded(
  manifest: Manifest,
  source: SourceKind,
  row: ArrayLike<number>,
  asWritten: ValuesAsWritten,
  feature: number,
  value: number,
  ends: readonly number[] = [],
): string {
  const spec = manifest.features[feature];
  const written = Object.is(value, row[feature]) ? asWritten?.[feature] : undefined;
  return leadValueAsShown(spec, axisAsShown(ownAxis(manifest, feature), spec, source), value, written, ends);
}

/**
 * The ideal's value bins `first` … `last` of an axis, `best`, the bin it was found around, and
 * whether it is a range kept whole, whose values may score far apart (`supportedIdeal`, `bestScoringRun`).
 */
type IdealRun = Pick<IdealBins, 'first' | 'last' | 'best' | 'whole'>;

/**
 * The ideal of a model without bin counts: the best-scoring bin (the lead's own when it ties),
 * for a number with the neighbouring bins that score the same, so it reads as the range the model
 * rewards rather than the first narrow bin of it.
 */
function bestScoringRun(gains: readonly number[], leadBin: number, numeric: boolean): IdealRun {
  const top = Math.max(...gains);
  const best = gains[leadBin] === top ? leadBin : gains.indexOf(top);
  let [first, last] = [best, best];
  if (numeric) {
    while (first > 0 && gains[first - 1] === top) first--;
    while (last < gains.length - 1 && gains[last + 1] === top) last++;
  }
  return { first, last, best, whole: false };
}

/** What the lead's ideal of one feature is found from, and the ideal itself (see `idealOfFeature`). */
interface FeatureIdeal {
  /**
   * Per value bin of the feature's own axis, the log-odds the lead gains with the feature moved there (`recordedGains`,
   * `inputAloneGains`); NaN where no record holds the value, left out of the ideal.
   */
  gains: readonly number[];
  /** The lead's bin on that axis ("missing" when it has no value). */
  leadBin: number;
  /** The ideal bins; null when no range holds enough training leads (`supportedIdeal`). */
  ideal: IdealRun | null;
  /**
   * The bin of the ideal the lead would move to, whose gain the comparison shows: the nearest to
   * the lead's value (the range's first bin below it, its last above it, the lead's own within
   * it); for a value not known, a count a rep's work records taken as none (as the plan takes
   * it), else the best. Of a range kept whole (`whole`), its best: its values may score far apart,
   * its nearest below the lead's own where the best lifts it (the model card names the range all the same);
   * its nearest when it has no best (`IdealBins`: no value of it, alone or with those scoring alike, enough leads had).
   */
  entry: number;
  /**
   * The bins enough training leads hold for a plan to move the feature to (`supportedIdeal`);
   * undefined when the ideal rests on the scores alone (`bestScoringRun`: a model without bin counts).
   */
  wellHeld: ((bin: number) => boolean) | undefined;
}

/**
 * Per value bin of the feature of `term` (its own, single-feature term), the log-odds the lead (`row` [F], its
 * `termScoresOf` `scores` [T]) gains with only that model input moved there, its pairs with the lead's other features
 * included: how the model rewards each value with the lead's other inputs as they are, which may be no record a CRM
 * holds (clicks moved, the click rate computed from them not). What ranks the bins a plan may move a count to
 * (`wellHeldTargetsOf`), and a rate's ideal, which no record changes alone (`recordedGains`).
 */
function inputAloneGains(manifest: Manifest, term: Term, row: ArrayLike<number>, scores: readonly number[]): number[] {
  const [feature] = term.features;
  // One copy of the row whose `feature` takes each bin's value in turn, not a copy per bin (up to 256 of them).
  const moved = Array.from(row);
  const reading = termsReadingFeature(manifest)[feature];
  return presentTargets(shapeOf(term).axes[0]).map(({ value }) => {
    moved[feature] = value;
    return logitChange(manifest, row, scores, moved, reading);
  });
}

/**
 * Per value bin of the feature of `term` (its own, single-feature term), what the lead (`row` [F]) gains once its record
 * holds the feature at the bin's value (`gainOf`, the plan's measure of a change: `changeOf`), with what a CRM records
 * along with it and what featurization computes from it (the click rate of new opens, the first visit and page view of a
 * first page seen); its own bin nothing. The value is the one a record holds: an option of a dropdown of ranges as the
 * CRM reads it, a count's whole number in the bin nearest the lead's (`nearestCountIn`: above it, where a count rising
 * into the bin lands first and the plan moves it to), which sets a rate computed from it. NaN where no record the plan
 * would make holds it (`rowAfterChange`: more clicks than opens, page views for a lead with no page seen). A feature no rep sets (`settable`)
 * moves as the model input it is (`inputAloneGains`): the lead's fit, compared with leads that have the ideal rather
 * than changed, and a rate computed from counts (a click rate), which no record changes alone.
 */
function recordedGains(
  manifest: Manifest,
  term: Term,
  row: ArrayLike<number>,
  scores: readonly number[],
  source: SourceKind,
  gainOf: (feature: number, value: number) => number | null,
): number[] {
  const [feature] = term.features;
  const spec = manifest.features[feature];
  if (!settable(spec, source)) return inputAloneGains(manifest, term, row, scores);
  const axis = shapeOf(term).axes[0];
  const leadBin = axisBin(axis, row[feature]);
  const options = rangeOptionsByBin(spec, axis, source);
  // An unknown count is none recorded yet, as the plan takes it.
  const countBin = axisBin(axis, countOrNone(row[feature]));
  return presentTargets(axis).map(({ bin, value }) => {
    if (bin === leadBin) return 0;
    const recorded = options?.get(bin)?.[0].value ?? (isCountIn(spec, source) ? nearestCountIn(axis, bin, countBin) : value);
    return gainOf(feature, recorded) ?? Number.NaN;
  });
}

/**
 * The ideal of the feature of `term` (its own, single-feature term) for a lead (`row` [F]), as the comparison with the
 * ideal customer names it, from `gains` (per value bin, what the lead gains with the feature moved there:
 * `recordedGains`, `inputAloneGains`): the trainer's rule for an ideal ranked by these gains (`supportedIdeal`: the bins
 * around the best that score alike and enough training leads hold), so for a lead with no pairs, ranked by its model
 * input alone, it is the manifest's ideal; for a model without bin counts the best-scoring run (`bestScoringRun`). Never
 * a bin with no gain (NaN: no record holds it), the pooled "(other)" (the values the model did not learn: no one value,
 * and none a rep could name; the trainer's `idealOf` leaves it out too), nor a level `source`'s records cannot hold
 * (`heldLevels`).
 * A number `source` records as a dropdown of ranges is ranked like a category: its options'
 * bins one by one, never a range between them (`rangeDropdownOf`).
 */
function idealOfFeature(manifest: Manifest, term: Term, row: ArrayLike<number>, gains: readonly number[], source: SourceKind): FeatureIdeal {
  const [feature] = term.features;
  const spec = manifest.features[feature];
  const axis = shapeOf(term).axes[0];
  const held = heldLevels(spec, axis, source, row[feature]);
  const leadBin = axisBin(axis, row[feature]);
  const numeric = spec.type === 'numeric' && !rangeDropdownOf(spec, source);
  const candidate = (bin: number) => held(bin) && bin !== spec.otherCode && !Number.isNaN(gains[bin]);
  const binRows = referenceOf(manifest, feature)?.binRows?.map((rows, bin) => (candidate(bin) ? rows : 0));
  // The trainer's rule, ranked by this lead's gains: for a lead with no pairs, the manifest's ideal. A bin left out has no rows to rank.
  const supported = binRows && supportedIdeal(gains.map((gain) => (Number.isNaN(gain) ? 0 : gain)), binRows.slice(0, gains.length), numeric);
  let ideal: IdealRun | null = binRows ? (supported?.ideal ?? null) : bestScoringRun(gains.map((gain, bin) => (candidate(bin) ? gain : Number.NEGATIVE_INFINITY)), leadBin, numeric);
  // A range enough leads hold may begin at bins left out, with no rows (opens below the lead's clicks): it names none of them.
  while (ideal && !candidate(ideal.first)) ideal = { ...ideal, first: ideal.first + 1 };
  // An unknown count a rep's work records is none recorded yet, as the plan takes it; an unknown fact has no nearest value: the
  // best, else (a range of thin bins none of which enough leads had) the bin most of the range's leads had.
  const mostHeld = (within: IdealRun) => binRows!.slice(within.first, within.last + 1).reduce((most, n, k) => (n > binRows![most] ? within.first + k : most), within.first);
  const from = (within: IdealRun) =>
    !Number.isNaN(row[feature]) ? leadBin : spec.actionable && isCountIn(spec, source) ? axisBin(axis, 0) : (within.best ?? mostHeld(within));
  const entry = !ideal ? leadBin : ideal.whole && ideal.best !== null ? ideal.best : Math.min(Math.max(from(ideal), ideal.first), ideal.last);
  return { gains, leadBin, ideal, entry, wellHeld: binRows && ((bin) => supported?.wellHeld[bin] === true) };
}

/**
 * Whether the comparison with the ideal customer names `feature` for a lead: one `source`
 * supplies, no "days since" (see `deviationsFromIdeal`), never an opt-out (whether a lead takes
 * marketing e-mail or calls is its choice: no rep may undo an opt-out, nor opt a lead out for a
 * score), and no e-mail engagement for a lead that `cannotBeEmailed`, as the plan asks none of it.
 */
const comparedWithIdeal = (feature: Feature, source: SourceKind, emailable: boolean) =>
  sourceSupplies(feature, source) && !countsDaysSince(feature) && !isOptOut(feature) && (emailable || !engagesByEmail(feature));

/**
 * Per single-feature term whose feature `source` supplies: the lead's value, this lead's ideal
 * value, the points lost, largest loss first, and whether a rep's work can change the feature
 * (`actionable`: the table words a lead's fit as a comparison, not a change). Each value bin is scored as the model scores
 * the lead's record once it holds that value, with what a CRM records along with it, by the plan's own measure of a change
 * (`recordedGains`, `changeOf`: the click rate of new opens recomputed, the first visit and page view of a first page
 * seen; every term that reads them, pairs with the lead's other features too): its gain. So a row never promises what
 * the plan beside it, changing the feature so, would not give. The ideal is found by the trainer's rule, ranked by these gains
 * (`supportedIdeal`; a model without bin counts: `bestScoringRun`): the range of bins, of those
 * enough training leads hold, that gains most for the lead with every value of it gaining about
 * alike (for a lead with no pairs, the model card's ideal), never "missing", nor the pooled
 * "(other)" (the values the model did not learn: no one value), nor a level the lead's CRM cannot
 * hold (`heldLevels`: its training leads are no customers this CRM's rep meets); the points lost
 * are what the gain of its value nearest the lead's (`FeatureIdeal`'s `entry`, where the plan
 * would move a count) adds to the log-odds of the calibrated probability, so moving there raises
 * the probability shown by exactly that, and anywhere in the range by that within ×1.05, unless
 * the lead is within the range already (then none); of a range kept whole (no run of values
 * scoring alike holds as many training leads as it must), the gain of its best value enough leads
 * had (else of its nearest), which the range is named for, and, as the table shows it, the least
 * and the most its values would add (`pointsAcross`). When that gain is below 0 (the ideal
 * would lower the lead's odds, or raise them less than a rep sees), or no range holds enough
 * leads, the lead's own value is the ideal and nothing is lost.
 * A feature no rep sets is compared as the model input it is: the lead's fit (what leads with the ideal score, no change),
 * and a feature computed from others (a click rate), which no record changes alone.
 * A value no record the plan would make holds is no ideal (more clicks than opens, page views of a lead with no page seen:
 * `rowAfterChange`), and a feature no such record holds another value of is left out (its clicks not read, which a new
 * count of opens would take a click rate from).
 * "Days since" features are left out: how long ago a lead was created or last active is no trait
 * of the customer (what a fresh activity would do is in the plan), and their best bin, among
 * hundreds of days, is mostly noise ("ideal: 43 – 44 days since the last activity"). So are
 * opt-outs, and e-mail engagement for a lead no marketing e-mail reaches (`comparedWithIdeal`),
 * a count a rep's work records that the lead has already passed the ideal of, or a rate of such
 * counts above its ideal (`workOnlyRaises`: only opening e-mails and clicking none lowers a click
 * rate), and a feature the
 * lead has no value for when no known value would score better (its ideal would be "not known").
 * A number the lead's CRM records as a dropdown of ranges (a HubSpot contact's employees) is
 * compared like a category: its ideal is the option that scores best, as the CRM writes it
 * ("500-1000"), never a range between options no record can hold (`rangeDropdownOf`).
 * The lead's value reads as its reasons word it (`valueAsWorded`). `asWritten` [F] is the
 * lead's values as the CRM wrote them where that is no plain number (explain.ts `valuesAsWritten`:
 * "5-25" read as 5): the lead's value is shown so, and an ideal amount beside it names the model's
 * currency ("(USD)"). A feature whose fields were not read (`fieldsRead`) is left out: the lead's
 * value there is not known, and may be the ideal already (`featuresNotRead` names them).
 */
export function deviationsFromIdeal(
  manifest: Manifest,
  row: ArrayLike<number>,
  source: SourceKind,
  asWritten?: ValuesAsWritten,
  fieldsRead?: FieldsRead,
): Deviation[] {
  const scores = termScoresOf(manifest, row);
  const logit = scores.reduce((sum, score) => sum + score, manifest.intercept); // the model's log-odds for the row
  const emailable = !cannotBeEmailed(manifest, row, source, fieldsRead);
  const candidates = settableFeatures(manifest, source);
  const gainOf = (feature: number, value: number) => changeOf(manifest, candidates, row, scores, feature, value, source, fieldsRead)?.gain ?? null;
  return manifest.terms
    .filter((term) => term.features.length === 1 && wasRead(fieldsRead, term.features[0]) && comparedWithIdeal(manifest.features[term.features[0]], source, emailable))
    .flatMap((term): Deviation[] => {
      const [feature] = term.features;
      const axis = axisAsShown(shapeOf(term).axes[0], manifest.features[feature], source);
      const { gains, leadBin, ideal, entry } = idealOfFeature(manifest, term, row, recordedGains(manifest, term, row, scores, source, gainOf), source);
      // No record the plan would make holds another value of it: nothing to compare the lead's with, nor to tell it is the ideal.
      if (gains.every((gain, bin) => bin === leadBin || Number.isNaN(gain))) return [];
      const written = asWritten?.[feature];
      const { actionable } = manifest.features[feature];
      if (!ideal || gains[entry] < 0) {
        const leadValue = valueAsWorded(manifest, source, row, asWritten, feature, row[feature]);
        // No range enough leads hold, or the ideal's value nearest the lead's would not raise it (nor, by ×1.05, would the
        // rest of a run of values scoring alike; of a range kept whole, its best value): an unknown value is no ideal to name ("Ideal: not known"), nor a deviation.
        return Number.isNaN(row[feature]) ? [] : [{ feature, label: term.label, actionable, leadValue, idealValue: leadValue, pointsLost: 0 }];
      }
      // A count a rep's work records only grows (no one un-clicks an e-mail): past its ideal ("clicked 4, ideal 2") it is
      // nothing to act on, and left out rather than shown as reached, an ideal it does not have. So is a rate of such counts
      // above its ideal ("0.75 clicks per open, ideal 0.161 – 0.205"): only the lead opening e-mails and clicking none lowers it.
      // An unknown count is none recorded yet, as in the plan: it can still reach any ideal. What more of it would do is the plan's to say.
      if (workOnlyRaises(manifest.features[feature], source) && !Number.isNaN(row[feature]) && leadBin > ideal.last) return [];
      const options = rangeOptionsByBin(manifest.features[feature], axis, source);
      // Beside an amount as the CRM wrote it ("€1.200.000"), the model's currency is said, not left to its sign ("$"); an option of a dropdown is as the CRM writes it.
      const currency = written && !options ? currencyCode(manifest.features[feature].unit) : null;
      const range = rangeLabel(axis, ideal.first, ideal.last);
      // A number reads where it lies against the range's ends: 32 clicks of 200 opens "0.16" beside "0.161 – 0.205", 3 of 19 "0.158".
      const ends = manifest.features[feature].type === 'numeric' && !options && range !== ANY_VALUE ? numbersWritten(range) : [];
      const within = leadBin >= ideal.first && leadBin <= ideal.last;
      // Within the range, it reads within: an end it lies beyond, short of its bin's edge, has the digits that hold it (9 clicks of 56 opens, 0.1607, beside "0.1603 – 0.205").
      const rangeShown = within && ends.length > 0 ? rangeLabel(axisHoldingLead(axis, manifest.features[feature], row[feature], ends), ideal.first, ideal.last) : range;
      // Worded once the range's ends are known (a dropdown's option has none).
      const leadValue = valueAsWorded(manifest, source, row, asWritten, feature, row[feature], ends);
      // A dropdown's ideal is an option, unless it is the lead's own value and none of them (a portal's own option).
      const idealValue = options && !options.has(ideal.first) ? leadValue : currency && range !== ANY_VALUE ? `${rangeShown} (${currency})` : rangeShown;
      const deviation = { feature, label: term.label, actionable, leadValue, idealValue };
      // A lead within the ideal range has the ideal: "employees 25, ideal 21 – 40" loses nothing, whatever bin of it scores best.
      if (within) return [{ ...deviation, pointsLost: 0 }];
      const lost = (gain: number) => calibratedChange(manifest.calibration, logit, gain);
      const pointsLost = lost(gains[entry]);
      if (!ideal.whole) return [{ ...deviation, pointsLost }];
      // Its values may give the lead far apart odds: what every one of them a record holds would add, least to most, not its best value's alone.
      const across = gains.slice(ideal.first, ideal.last + 1).filter((gain) => !Number.isNaN(gain)).map(lost);
      return [{ ...deviation, pointsLost, pointsAcross: { least: Math.min(...across), most: Math.max(...across) } }];
    })
    .sort((a, b) => b.pointsLost - a.pointsLost);
}

/** A value a rep's work can give a feature, and its bin on the feature's own axis. */
interface Target {
  bin: number;
  value: number;
}

/** Every bin of an axis but "missing", each with a value the model puts there. */
const presentTargets = (axis: Axis): Target[] => axis.labels.slice(0, missingBin(axis)).map((_, bin) => ({ bin, value: valueInBin(axis, bin) }));

/** The least a count must reach to be in `bin`: the bin's smallest whole number (none in a first bin that holds none), else a value inside it. */
function leastValueIn(axis: Axis, bin: number): number {
  const whole = bin === 0 ? 0 : Math.floor(axis.edges[bin - 1]) + 1;
  return axisBin(axis, whole) === bin ? whole : valueInBin(axis, bin);
}

/**
 * The whole count of `bin` of `axis` nearest a count in bin `from`: above it, the least (`leastValueIn`), where a rising
 * count lands first; below it, the greatest; else a value inside it.
 */
function nearestCountIn(axis: Axis, bin: number, from: number): number {
  if (bin >= from) return leastValueIn(axis, bin);
  const greatest = Math.floor(axis.edges[bin]);
  return axisBin(axis, greatest) === bin ? greatest : valueInBin(axis, bin);
}

/** A "days since" feature: an activity today resets it to 0. */
const countsDaysSince = (feature: Feature) => feature.type === 'numeric' && feature.derive.kind === 'daysSince';

/**
 * What a rep's work can move a feature to. An activity today resets a "days since" to 0, the
 * one value it can be given (an older date is not a rep's to choose, whatever the shape says);
 * engagement raises counts and rates, where an unknown count (of a field read, and empty) is taken as none recorded, each
 * to the least value of a higher bin; a category (the last page seen) can become any other
 * named level the lead's `source` can hold (`heldLevels`), not the pooled "(other)"; a number
 * `source` records as a dropdown of ranges any other option (`rangeOptionsByBin`), as the CRM reads it.
 */
function reachableTargets(feature: Feature, axis: Axis, value: number, source: SourceKind): Target[] {
  if (countsDaysSince(feature)) {
    const today = axisBin(axis, 0);
    return today < axisBin(axis, value) ? [{ bin: today, value: 0 }] : [];
  }
  const options = rangeOptionsByBin(feature, axis, source);
  if (options) {
    const from = axisBin(axis, value);
    return [...options].filter(([bin]) => bin !== from).map(([bin, [option]]) => ({ bin, value: option.value }));
  }
  if (feature.type !== 'numeric') {
    const from = axisBin(axis, value);
    const held = heldLevels(feature, axis, source, value);
    return presentTargets(axis).filter(({ bin }) => bin !== from && bin !== feature.otherCode && held(bin));
  }
  const from = axisBin(axis, Number.isNaN(value) ? 0 : value);
  return presentTargets(axis)
    .filter(({ bin }) => bin > from)
    .map(({ bin }) => ({ bin, value: leastValueIn(axis, bin) }));
}

/**
 * Of a feature's `reachableTargets`, those a plan may offer: the bins enough training leads hold
 * (`idealOfFeature`'s `wellHeld`, for the lead `row` [F] and its `termScoresOf` `scores` [T]), never
 * a value only a few training leads had, whose score they alone may have set ("Marketing e-mails
 * opened: 0 → 29", the count of one training lead, in the range "12 – 58"). Ranked by the model
 * input alone (`inputAloneGains`), not by the record the lead holds now: a bin its other counts rule
 * out (clicks above its opens) may be reached after another move (more opens first). Any of them, not
 * only the ideal the comparison beside the plan names: that is the value that scores best with the
 * lead's other features as they are, where the plan looks for the smallest step that reaches the next tier. Every
 * reachable target of a feature the comparison leaves out (`comparedWithIdeal`: a "days since",
 * whose one target, an activity today, is the plan's to offer), and when no bin counts tell which
 * bins enough leads hold (a model without them, a feature with no term of its own).
 */
function wellHeldTargetsOf(
  manifest: Manifest,
  row: ArrayLike<number>,
  scores: readonly number[],
  feature: number,
  source: SourceKind,
  emailable: boolean,
): (reachable: readonly Target[]) => Target[] {
  const every = (reachable: readonly Target[]) => [...reachable];
  const ownTerm = manifest.terms.find((term) => term.features.length === 1 && term.features[0] === feature);
  if (!ownTerm || !comparedWithIdeal(manifest.features[feature], source, emailable)) return every;
  const { wellHeld } = idealOfFeature(manifest, ownTerm, row, inputAloneGains(manifest, ownTerm, row, scores), source);
  return wellHeld ? (reachable) => reachable.filter(({ bin }) => wellHeld(bin)) : every;
}

/**
 * The rate a move from row `before` [F] to `after` [F] lowers, of those a rep's work only raises
 * (`workOnlyRaises`: clicks per open) from above the ideal the comparison names for the lead `row`
 * [F] (its `termScoresOf` `scores` [T]). More opens with no more clicks lower it, and the model may
 * reward that ("Marketing e-mails opened: 4 → 12, which takes E-mail click rate from 0.75 to 0.25"):
 * a promise that holds only if the lead clicks none of them, which no rep works for. A rate with no
 * term of its own, or no ideal enough leads hold, has nothing to be above. Null when it lowers none.
 */
function lowersRateAboveIdeal(manifest: Manifest, row: ArrayLike<number>, scores: readonly number[], source: SourceKind): (before: ArrayLike<number>, after: ArrayLike<number>) => number | null {
  const ceilings = manifest.terms.flatMap((term) => {
    if (term.features.length !== 1) return [];
    const [feature] = term.features;
    const spec = manifest.features[feature];
    if (!isRate(spec) || !workOnlyRaises(spec, source) || !sourceSupplies(spec, source)) return [];
    // As the comparison ranks a rate, which no record changes alone (`recordedGains`).
    const { ideal } = idealOfFeature(manifest, term, row, inputAloneGains(manifest, term, row, scores), source);
    return ideal ? [{ feature, axis: shapeOf(term).axes[0], last: ideal.last }] : [];
  });
  // A missing rate (NaN) compares false either way: giving it a value lowers nothing.
  return (before, after) => ceilings.find(({ feature, axis, last }) => after[feature] < before[feature] && axisBin(axis, before[feature]) > last)?.feature ?? null;
}

/** A feature whose model input is its field's value as is (a count, a yes/no): the row gives the field back. */
const holdsFieldValue = (feature: Feature) => feature.derive.kind === 'value' && feature.type !== 'categorical';

/** The names of the fields `feature` reads from `source`, keyed as `readRaw` matches them: a file's columns loosely (`columnKey`), a CRM's fields by lower case. */
const fieldNamesOf = (feature: Feature, source: SourceKind) => {
  const keyOf = source === 'csv' ? columnKey : (name: string) => name.toLowerCase();
  return fieldSourcesOf(feature.derive).flatMap((from) => (from[source] === undefined ? [] : [keyOf(from[source])]));
};

/** Per manifest, `fieldSharersOf`'s answer for each source asked so far. */
const fieldSharersBySource = perManifest(() => new Map<SourceKind, readonly (readonly number[])[]>());

/**
 * Per feature [F], the features any term reads (`usedFeatures`, in its order) that `source`
 * supplies and that read one of the feature's fields from `source`, itself included when `source`
 * supplies it: what a change to the feature carries along (`rowAfterChange`'s followers).
 */
function fieldSharersOf(manifest: Manifest, source: SourceKind): readonly (readonly number[])[] {
  const bySource = fieldSharersBySource(manifest);
  let sharers = bySource.get(source);
  if (!sharers) {
    const names = manifest.features.map((feature) => fieldNamesOf(feature, source));
    const supplied = usedFeatures(manifest).filter((other) => sourceSupplies(manifest.features[other], source));
    sharers = names.map((own) => supplied.filter((other) => names[other].some((name) => own.includes(name))));
    bySource.set(source, sharers);
  }
  return sharers;
}

/** The fields the row's counts and yes/no features read, each with its value in `row` (NaN = missing). */
function fieldValuesOf(manifest: Manifest, row: ArrayLike<number>, source: SourceKind): RawRecord {
  const record: RawRecord = {};
  manifest.features.forEach((feature, f) => {
    const name = feature.derive.kind === 'value' ? feature.derive.from[source] : undefined;
    if (name !== undefined && holdsFieldValue(feature)) record[name] = row[f];
  });
  return record;
}

/** Re-derived features read counts and ratios of counts only (see `rowAfterChange`), never the time. */
const TIME_NOT_READ = new Date(Number.NaN);

/** An unknown count is none recorded, as `reachableTargets` takes it: the field was read, and is empty (a change never sets a count not read, see `rowAfterChange`). */
const countOrNone = (count: number) => (Number.isNaN(count) ? 0 : count);

/** Per feature [F], the training data's summary of it (see `referenceOf`). */
const referencesByFeature = perManifest((manifest) => manifest.features.map(({ key }) => manifest.reference.features.find((reference) => reference.key === key)));

/** The training data's summary of `feature`: its missing share and the counts it was never above. */
const referenceOf = (manifest: Manifest, feature: number) => referencesByFeature(manifest)[feature];

/** Per feature [F], the features whose counts it was never above in the training data (see `countBoundsOf`). */
const countBoundsByFeature = perManifest((manifest): readonly (readonly number[])[] =>
  manifest.features.map((_, feature) =>
    (referenceOf(manifest, feature)?.atMost ?? []).flatMap((key) => {
      const bound = manifest.features.findIndex((other) => other.key === key);
      return bound >= 0 ? [bound] : [];
    }),
  ),
);

/** The features whose counts `feature` was never above in the training data (see `breaksCountBound`). */
const countBoundsOf = (manifest: Manifest, feature: number) => countBoundsByFeature(manifest)[feature];

/** Per feature [F], the features never above its count in the training data: those whose `countBoundsOf` holds it, ascending. */
const countsBoundedByFeature = perManifest((manifest): readonly (readonly number[])[] =>
  manifest.features.map((_, feature) => manifest.features.flatMap((__, below) => (countBoundsOf(manifest, below).includes(feature) ? [below] : []))),
);

/**
 * Whether `row` [F] puts `feature` above a count the training data never had it above (more
 * website visits than page views). An unknown count is none recorded, as everywhere in the plan:
 * visits raised past unknown page views would promise the score of a lead no CRM records. Page
 * views not read are not known to allow it either: the visits are not raised past them.
 */
const breaksCountBound = (manifest: Manifest, row: ArrayLike<number>, feature: number) =>
  countBoundsOf(manifest, feature).some((bound) => countOrNone(row[bound]) < row[feature]);

/**
 * Whether `row` [F] puts a count above `feature` that the training data never had above it: page views lowered below
 * the visits, a value the comparison with the ideal customer ranks (`recordedGains`), where the plan only raises counts.
 */
const breaksCountBoundOf = (manifest: Manifest, row: ArrayLike<number>, feature: number) =>
  countsBoundedByFeature(manifest)[feature].some((above) => countOrNone(row[feature]) < row[above]);

/**
 * The features of `candidates` other than `feature` that the training data had missing exactly
 * as often (a HubSpot lead's web analytics: its visits, page views, form submissions and last
 * page seen are all known or all missing). The manifest keeps no more than each feature's
 * missing share, so fields missing in the same share of rows are taken as missing together:
 * wrongly grouping two costs a change the plan shows and scores (or a move it leaves out, see
 * `recordMissingPartners`); wrongly parting them would promise the score of a record no CRM
 * holds (a page seen without a page view).
 */
function missingTogetherWith(manifest: Manifest, candidates: readonly number[], feature: number): number[] {
  const share = referenceOf(manifest, feature)?.missingShare ?? 0;
  return share === 0 ? [] : candidates.filter((f) => f !== feature && referenceOf(manifest, f)?.missingShare === share);
}

/** A count a rep's work records (visits, e-mails opened): a field's number as is. */
const isCount = (feature: Feature) => feature.type === 'numeric' && holdsFieldValue(feature);

/** A count `source`'s records hold as any number: not one it records as a dropdown of ranges (`rangeDropdownOf`), whose options are no count that only grows. */
const isCountIn = (feature: Feature, source: SourceKind) => isCount(feature) && !rangeDropdownOf(feature, source);

/** A rate of two counts (clicks per open): computed from its fields, never set (see `settable`). */
const isRate = (feature: Feature) => feature.derive.kind === 'ratio';

/**
 * A feature a rep's work only raises: a count it records (no one un-clicks an e-mail), and a rate
 * of such counts (clicks per open), which falls only as the lead does less of what its numerator
 * counts, opening e-mails and clicking none. Past its ideal it is nothing to work toward: the
 * comparison leaves it out, and the plan never counts on a rate falling from above it.
 */
const workOnlyRaises = (feature: Feature, source: SourceKind) => feature.actionable && (isCountIn(feature, source) || isRate(feature));

/**
 * Per feature [F], the count a record holds once the count is known, when nothing says how
 * many: the largest whole count that every axis reading the feature puts in its first bin. Edges
 * lie between counts the training data had, so its least known count is in every first bin too:
 * this count scores exactly as that one and is never below it (1 page view with a page seen,
 * where no record had 0).
 */
const leastKnownCounts = perManifest((manifest): readonly number[] =>
  manifest.features.map((_, feature) => {
    const firstEdges = manifest.terms.flatMap((term) => term.features.flatMap((f, a) => (f === feature ? shapeOf(term).axes[a].edges.slice(0, 1) : [])));
    return firstEdges.length === 0 ? 0 : Math.max(0, Math.floor(Math.min(...firstEdges)));
  }),
);

/**
 * Sets in `after` [F] the features recorded along with giving a missing feature a value, its
 * `partners` (`featuresMovedWith`): each at its least known count, raised to any count it was never
 * below (page views to the visits). False when one is no count `source` records (`isCountIn`): no
 * value of it is the least (which page would the lead have seen last? which of a dropdown's ranges?).
 */
function recordMissingPartners(manifest: Manifest, after: number[], partners: readonly number[], source: SourceKind): boolean {
  if (partners.some((f) => !isCountIn(manifest.features[f], source))) return false;
  for (const f of partners) after[f] = leastKnownCounts(manifest)[f];
  // Bounds chain (visits ≤ page views ≤ …) and never loop: as many passes as partners settle them.
  for (let pass = 0; pass < partners.length; pass++) {
    for (const f of partners) {
      for (const below of countsBoundedByFeature(manifest)[f]) if (after[below] > after[f]) after[f] = after[below];
    }
  }
  return true;
}

/** A field that counts the pages a lead viewed: HubSpot's hs_analytics_num_page_views, a file's "page_views" or "Page Views". */
const PAGE_VIEWS_FIELD = /page.?views?/i;

/** A feature read from the address of a page the lead saw (the last page seen): another page seen is one more page view. */
const readsPageSeen = (feature: Feature) => feature.derive.kind === 'urlCategory';

/** A count of the pages a lead viewed (`PAGE_VIEWS_FIELD`). */
const countsPageViews = (feature: Feature) => isCount(feature) && allFieldNamesOf(feature).some((name) => PAGE_VIEWS_FIELD.test(name));

/**
 * Sets in `after` [F] the page-view counts `views` (`featuresMovedWith`) once the lead has seen
 * another page: one more than `row` has (an unknown count being none), or the count `after` already
 * records along with a first page seen (`recordMissingPartners`), whichever is more. The page may be
 * one more of the lead's last visit, so no visit is added: the least the CRM records for it.
 */
function recordPageView(row: ArrayLike<number>, after: number[], views: readonly number[]): void {
  for (const f of views) after[f] = Math.max(countOrNone(row[f]) + 1, countOrNone(after[f]));
}

/**
 * The features a change to `feature` of the lead's `row` [F] moves, the one description of them
 * that `rowAfterChange` sets and `featuresThatCanAdd` bounds: `changed`, the feature and those
 * recorded along with it (`recorded`): when the lead has no value for it, those missing together
 * with it that it has none for either (`missingPartners`: `recordMissingPartners`); for a page seen,
 * the page-view counts (`pageViews`: `recordPageView`); and `followers`, every other feature read
 * from the fields of those (`fieldSharersOf`), which featurization re-derives.
 */
function featuresMovedWith(manifest: Manifest, candidates: readonly number[], row: ArrayLike<number>, feature: number, source: SourceKind) {
  const missingPartners = Number.isNaN(row[feature]) ? missingTogetherWith(manifest, candidates, feature).filter((f) => Number.isNaN(row[f])) : [];
  const pageViews = readsPageSeen(manifest.features[feature]) ? candidates.filter((f) => countsPageViews(manifest.features[f])) : [];
  const recorded = [...new Set([...missingPartners, ...pageViews])];
  const changed = [feature, ...recorded];
  const sharers = fieldSharersOf(manifest, source);
  const followers = [...new Set(changed.flatMap((f) => sharers[f].filter((other) => !changed.includes(other))))];
  return { missingPartners, pageViews, recorded, changed, followers };
}

/**
 * The row once a rep's work gives `feature` the value `value`, with the features it moves
 * (`featuresMovedWith`) set: when it was missing, those missing together with it (`recordMissingPartners`: the
 * visit and page view of a first page seen); for a page seen, one more page view
 * (`recordPageView`: the CRM counts every page seen); and every other feature read from a
 * changed field (a click rate from its clicks) re-derived by featurization itself from the
 * row's counts; and all those features. Null when that is no change
 * a rep can make, or none the row can say exactly: a feature missing with it has no least value,
 * a changed field also feeds a feature that counts alone cannot re-derive (a day of the week of
 * the same date), or a rate would count more events than its denominator has (more clicks than
 * opens); or a count would pass one the training data never had it above (more visits than page
 * views, the visits raised or the page views lowered); or it changes a feature whose fields were
 * not read (`fieldsRead`): page views the page does not show are no "none" that a page seen makes
 * 1, nor is a click rate of opens not shown known.
 */
function rowAfterChange(
  manifest: Manifest,
  candidates: readonly number[],
  row: ArrayLike<number>,
  feature: number,
  value: number,
  source: SourceKind,
  fieldsRead: FieldsRead,
): { after: number[]; alsoChanged: number[] } | null {
  const { missingPartners, pageViews, recorded, changed, followers } = featuresMovedWith(manifest, candidates, row, feature, source);
  const after = withValue(row, feature, value);
  if (!recordMissingPartners(manifest, after, missingPartners, source)) return null;
  recordPageView(row, after, pageViews);
  if (changed.some((f) => breaksCountBound(manifest, after, f) || breaksCountBoundOf(manifest, after, f))) return null;
  if ([...changed, ...followers].some((f) => !wasRead(fieldsRead, f))) return null;
  if (followers.length === 0) return { after, alsoChanged: recorded };
  const sharers = fieldSharersOf(manifest, source);
  if (changed.some((f) => !holdsFieldValue(manifest.features[f]) && sharers[f].some((other) => followers.includes(other)))) return null;
  const record = fieldValuesOf(manifest, after, source);
  for (const f of followers) {
    const follower = manifest.features[f];
    const { derive } = follower;
    const fromCounts = (derive.kind === 'ratio' || holdsFieldValue(follower)) && fieldSourcesOf(derive).every((from) => readRaw(record, from, source) !== undefined);
    if (!fromCounts) return null;
    if (derive.kind === 'ratio') {
      const { numerator, denominator } = ratioParts(record, derive, follower.missingValues, source);
      if (countOrNone(numerator) > countOrNone(denominator)) return null;
    }
    after[f] = featureValue(record, follower, source, TIME_NOT_READ);
  }
  return { after, alsoChanged: [...recorded, ...followers] };
}

/**
 * A change of `feature` of the row `before` [F] (its `termScoresOf` `beforeScores` [T]) to `value` as a CRM records it
 * (`rowAfterChange`, `candidates` what it may record along): the row `after` it, the features it changes along
 * (`alsoChanged`), the indexes of the terms reading any of them (`terms`), and the log-odds it adds (`gain`). The one
 * measure of a change, of the plan's moves and of the values the comparison with the ideal customer names
 * (`recordedGains`), so the two never promise a value different odds. Null when `rowAfterChange` refuses it.
 */
function changeOf(
  manifest: Manifest,
  candidates: readonly number[],
  before: ArrayLike<number>,
  beforeScores: readonly number[],
  feature: number,
  value: number,
  source: SourceKind,
  fieldsRead: FieldsRead,
): { after: number[]; alsoChanged: number[]; terms: readonly number[]; gain: number } | null {
  const changed = rowAfterChange(manifest, candidates, before, feature, value, source, fieldsRead);
  if (!changed) return null;
  const terms = termsReadingAny(manifest, [feature, ...changed.alsoChanged]);
  // Named, not spread ({ ...changed }): the comparison makes a change per bin of every feature, and spreading took a quarter of its time.
  return { after: changed.after, alsoChanged: changed.alsoChanged, terms, gain: logitChange(manifest, before, beforeScores, changed.after, terms) };
}

/**
 * Of `changeable` (other than `taken`), the features a move of which can be part of at most
 * `steps` more moves that add `enough` to the log-odds of a row the plan has made from the lead's
 * `row` [F], given that row's term scores `scores` [T]. A feature's move adds at most, for every
 * term reading a feature it can move (`featuresMovedWith`), what the term scores at its highest
 * less what it scores now, if more: with the feature at one of its `targets` from the lead's value
 * (those it may move to: a later move takes it no further, and a higher value a move of another
 * feature brings it to, as a page seen brings page views, that move's own term counts), every
 * other feature a plan can move taking any value, and the others the lead's. A feature is left out
 * when that, with the most the `steps` − 1 others that add most could add so, falls short. A term
 * several moves reach is counted for each: never less than the moves can add, so what is left out
 * could not reach, and the plan need not try it.
 */
function featuresThatCanAdd(
  manifest: Manifest,
  candidates: readonly number[],
  changeable: readonly number[],
  row: ArrayLike<number>,
  source: SourceKind,
  targets: (feature: number) => readonly Target[],
) {
  const moved = new Map(
    changeable.map((feature) => {
      const { changed, followers } = featuresMovedWith(manifest, candidates, row, feature, source);
      return [feature, new Set([...changed, ...followers])];
    }),
  );
  const free = new Set([...moved.values()].flatMap((features) => [...features]));
  /** Per changeable feature, the terms its moves reach, each with its highest score once it has moved. */
  const highest = new Map(
    changeable.map((feature) => {
      const reached = manifest.terms.flatMap((term, t) => {
        if (!term.features.some((f) => moved.get(feature)!.has(f))) return [];
        const shape = shapeOf(term);
        const binsOf = term.features.map((f, a) =>
          f === feature
            ? [...new Set(targets(f).map(({ value }) => axisBin(shape.axes[a], value)))]
            : free.has(f)
              ? shape.axes[a].labels.map((_, bin) => bin)
              : [axisBin(shape.axes[a], row[f])],
        );
        const cells = binsOf.reduce<number[][]>((partial, bins) => partial.flatMap((cell) => bins.map((bin) => [...cell, bin])), [[]]);
        return cells.length === 0 ? [] : [{ t, most: Math.max(...cells.map((cell) => shape.scores[scoreIndex(shape, cell)])) }];
      });
      return [feature, reached];
    }),
  );
  return (scores: readonly number[], taken: ReadonlySet<number>, steps: number, enough: (points: number) => boolean): Set<number> => {
    const most = changeable
      .filter((feature) => !taken.has(feature))
      .map((feature) => ({ feature, points: highest.get(feature)!.reduce((sum, { t, most }) => sum + Math.max(0, most - scores[t]), 0) }))
      .sort((a, b) => b.points - a.points);
    const sumOf = (some: readonly { points: number }[]) => some.reduce((sum, { points }) => sum + points, 0);
    return new Set(
      most
        .filter(({ points }, rank) => enough(points + (rank < steps - 1 ? sumOf(most.slice(0, steps)) - points : sumOf(most.slice(0, steps - 1)))))
        .map(({ feature }) => feature),
    );
  };
}

/**
 * A feature that changes with a field a rep changes, as a rep reads it: one computed from the
 * field (a click rate when the opens change), or one recorded with it (the page view of a page seen).
 */
export interface FollowingChange {
  feature: number;
  label: string;
  from: string;
  to: string;
}

export interface Change {
  feature: number;
  label: string;
  /** The lead's value as its reasons and the comparison with the ideal customer word it (`valueAsWorded`): "3", "124 days", "Blog", "other", "5-25", "not known". */
  from: string;
  /**
   * The bin a rep reads ("6 – 9"): any value in it gives the same score. When other features
   * change with a count, the exact number instead ("20"): the promised score holds for that
   * number. An option of a dropdown of ranges as the CRM writes it ("500-1000"). "today" for a
   * "days since" reset to 0.
   */
  to: string;
  /** The feature's new model input: the count, the category's code, 0 days for an activity today. */
  value: number;
  /** Log-odds this change adds, given the changes before it (with the features that change with it). */
  points: number;
  /**
   * What it adds to the log-odds of the calibrated probability, the one a rep reads: its odds
   * factor agrees with the percentages the plan shows (the changes' factors multiply to their
   * before → after), where the model's own log-odds (`points`) would overstate or understate it.
   * At least MIN_CHANGE_POINTS.
   */
  calibratedPoints: number;
  /** Features that change with it: recorded with it, or computed from its field. */
  alsoChanges: FollowingChange[];
}

export interface HotterPlan {
  /** The tier the changes reach, as the lead's score would be tiered; when they fall short, the tier aimed at. */
  targetTier: Exclude<Tier, 'cold'>;
  /** The calibrated probability the target tier starts at. */
  threshold: number;
  changes: Change[];
  probabilityBefore: number;
  /** What the model gives the lead with every change made (and the features that change with them). */
  probabilityAfter: number;
  /** Whether the changes reach the target tier (else they are the best ≤ MAX_CHANGES moves). */
  reaches: boolean;
  /**
   * With no change to offer, the labels of the rates above their ideal (clicks per open) that moves visibly
   * raising the probability would have lowered, and were refused for (`lowersRateAboveIdeal`);
   * absent when the plan has changes, or none was refused so.
   */
  ratesHeldAbove?: string[];
}

/**
 * Whether a rep can set the feature: actionable, a field `source` has, and one field only. A
 * feature computed from several fields (a click rate) is never a change of its own: it follows
 * its fields.
 */
const settable = (feature: Feature, source: SourceKind) =>
  feature.actionable && sourceSupplies(feature, source) && fieldSourcesOf(feature.derive).length === 1;

/** The features any term reads that a rep can set for a lead of `source` (`settable`): those a change may record along with it (`rowAfterChange`'s `candidates`). */
const settableFeatures = (manifest: Manifest, source: SourceKind) => usedFeatures(manifest).filter((feature) => settable(manifest.features[feature], source));

/** Every field name `feature` reads, from any source: what it stands for is the same in each. */
const allFieldNamesOf = (feature: Feature) => fieldSourcesOf(feature.derive).flatMap((from) => Object.values(from).filter((name) => name !== undefined));

/** A field that says a lead opted out of e-mail: Salesforce's HasOptedOutOfEmail, HubSpot's hs_email_optout, a file's "email_opted_out", "Unsubscribed from email" or "Do Not Email". */
const EMAIL_OPT_OUT_FIELD = /e-?mail.*(opt(ed)?.?out|unsubscrib)|(opt(ed)?.?out|unsubscrib).*e-?mail|do.?not.?e-?mail/i;
/** A field that says a lead opted out of being reached another way: Salesforce's DoNotCall and HasOptedOutOfFax, a file's "Do Not Call" or "SMS opt-out". */
const OTHER_OPT_OUT_FIELD = /do.?not.?(call|phone|fax|sms|text|contact)|(call|phone|fax|sms|text).*opt(ed)?.?out|opt(ed)?.?out.*(call|phone|fax|sms|text)/i;

/** A yes/no feature read from a field `pattern` names: yes is opted out. */
const readsOptOut = (feature: Feature, pattern: RegExp) =>
  feature.type === 'boolean' && feature.derive.kind === 'value' && allFieldNamesOf(feature).some((name) => pattern.test(name));

/** A yes/no feature read from an e-mail opt-out field: yes is opted out. */
const isEmailOptOut = (feature: Feature) => readsOptOut(feature, EMAIL_OPT_OUT_FIELD);

/** An opt-out of any way of reaching the lead (e-mail, calls, fax, text messages): the lead's choice, which no rep may undo. */
const isOptOut = (feature: Feature) => isEmailOptOut(feature) || readsOptOut(feature, OTHER_OPT_OUT_FIELD);

/** A feature read from the lead's e-mail address (its domain's kind): missing when the lead has none, or none that reads as one. */
const readsEmailAddress = (feature: Feature) => feature.derive.kind === 'emailDomainKind';

/**
 * Engagement that only e-mail reaching the lead records: a feature read from an e-mail field
 * (HubSpot's hs_email_open and hs_email_click, a file's email_opens), other than those that say
 * whether e-mail reaches the lead at all.
 */
const engagesByEmail = (feature: Feature) =>
  !isEmailOptOut(feature) && !readsEmailAddress(feature) && allFieldNamesOf(feature).some((name) => /e-?mail/i.test(name));

/**
 * Whether no marketing e-mail reaches the lead, as its row tells: it opted out of e-mail, or it has
 * no e-mail address. Only a feature `source` supplies tells: one it has no field for is always missing.
 * An address the page does not show (`fieldsRead`) is not known, not none.
 */
const cannotBeEmailed = (manifest: Manifest, row: ArrayLike<number>, source: SourceKind, fieldsRead: FieldsRead) =>
  manifest.features.some(
    (feature, f) =>
      sourceSupplies(feature, source) &&
      ((isEmailOptOut(feature) && row[f] === 1) || (readsEmailAddress(feature) && Number.isNaN(row[f]) && wasRead(fieldsRead, f))),
  );

/**
 * The features the plan (`planned`: those a rep could change) and the comparison with the ideal
 * customer (`compared`) leave out only because their fields were not read (`fieldsRead`: the page
 * does not show them), by their labels: reading the CRM's record would let LeadLens weigh them too.
 */
export function featuresNotRead(manifest: Manifest, row: ArrayLike<number>, source: SourceKind, fieldsRead: FieldsRead): { planned: string[]; compared: string[] } {
  const emailable = !cannotBeEmailed(manifest, row, source, fieldsRead);
  const planned = [...usedFeatures(manifest)].sort((a, b) => a - b).filter((f) => !wasRead(fieldsRead, f) && settable(manifest.features[f], source) && (emailable || !engagesByEmail(manifest.features[f])));
  const compared = manifest.terms.filter(
    (term) => term.features.length === 1 && !wasRead(fieldsRead, term.features[0]) && comparedWithIdeal(manifest.features[term.features[0]], source, emailable),
  );
  return { planned: planned.map((f) => manifest.features[f].label), compared: compared.map((term) => term.label) };
}

/**
 * The smallest changes to fields a rep can set that move the lead to the next tier (hot when
 * warm starts where hot does), or null when it is hot already. While the target is not reached
 * (at most MAX_CHANGES): if some single move reaches it, take the one that adds the fewest points
 * (the smallest step that is enough); otherwise the move that adds the most of those after which
 * the changes left can still reach it (`canReach`, which leaves out moves that could not add
 * enough: `featuresThatCanAdd`), else the move that adds the most: the plan falls short only
 * when no MAX_CHANGES moves reach. A move is offered only if it raises the calibrated
 * probability visibly (MIN_CHANGE_POINTS): when none does, the plan has no changes. A feature
 * changes at most once, only the way a rep's work moves it (see reachableTargets), never to
 * "missing", only to a value enough training leads had (`wellHeldTargetsOf`: in the range the
 * model rewards most on average, one one in twenty of its leads had; elsewhere, one as many had
 * as a range must), not only into the ideal the comparison names, the value that scores best with
 * the lead's other features as they are, not the smaller steps that are enough, and only as `rowAfterChange` allows,
 * with the features recorded along with it and those computed from it: the promised
 * probability is the model's for the changed lead. E-mail engagement (`engagesByEmail`) is never
 * asked of a lead that opted out of e-mail or has no address (`cannotBeEmailed`): a rep cannot
 * make it happen, and may not e-mail an opted-out lead to try. Nor is a rate of counts above its
 * ideal lowered (`lowersRateAboveIdeal`): more opens take 3 clicks of 4 opens toward the ideal click
 * rate only if the lead clicks none of them. `scoredTier` is the tier the lead
 * was shown with: the plan starts from it, so it never contradicts the score a rep sees (a
 * probability recomputed from the contributions can fall on the other side of a threshold).
 * A feature whose fields were not read (`fieldsRead`: the page does not show them) is never
 * changed, nor recorded along with a change: what the lead has there is not known, which is no
 * "none recorded" a rep's work could raise (`featuresNotRead` names them). A number the lead's
 * CRM records as a dropdown of ranges moves only to another of its options. The lead's values are
 * worded as the comparison words them, as the CRM wrote them where `asWritten` has that (`valueAsWorded`).
 */
export function whatWouldMakeHotter(
  manifest: Manifest,
  row: ArrayLike<number>,
  contributions: ArrayLike<number>,
  source: SourceKind,
  scoredTier?: Tier,
  fieldsRead?: FieldsRead,
  asWritten?: ValuesAsWritten,
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

  let current = Array.from(row); // [F] the row as the changes so far leave it
  const candidates = settableFeatures(manifest, source);
  // Still candidates for what is recorded along with a change (`recordMissingPartners`): a count recorded at its least asks for nothing.
  const emailable = !cannotBeEmailed(manifest, row, source, fieldsRead);
  const changeable = candidates.filter((feature) => wasRead(fieldsRead, feature) && (emailable || !engagesByEmail(manifest.features[feature])));
  // The bins enough leads hold, by the trainer's rule as the comparison beside the plan applies it, for the lead as it is (not as earlier changes leave it).
  const rowScores = termScoresOf(manifest, row);
  let currentScores = rowScores; // [T] the `termScoresOf` of `current`
  const wellHeldTargets = new Map(changeable.map((feature) => [feature, wellHeldTargetsOf(manifest, row, rowScores, feature, source, emailable)]));
  const lowersRate = lowersRateAboveIdeal(manifest, row, rowScores, source);
  /** The rates above their ideal a move that would visibly raise the probability was refused for lowering. */
  const ratesHeldAbove = new Set<number>();
  // Per feature and value, its targets: the plan's search asks for them again from every set of moves it tries.
  const targetsByValue = new Map<string, Target[]>();
  /** The values a feature may move to from `before` [F]: those its work can give it, of the bins enough leads hold. */
  const targetsFrom = (before: ArrayLike<number>) => (feature: number) => {
    const key = `${feature}=${before[feature]}`;
    let targets = targetsByValue.get(key);
    if (!targets) {
      targets = wellHeldTargets.get(feature)!(reachableTargets(manifest.features[feature], ownAxis(manifest, feature), before[feature], source));
      targetsByValue.set(key, targets);
    }
    return targets;
  };
  /** Every move of `features` from `before` (its log-odds `from`, its `termScoresOf` `beforeScores`) that raises the probability visibly. */
  const movesFrom = (before: number[], beforeScores: readonly number[], from: number, features: readonly number[]) =>
    features.flatMap((feature) => {
      const axis = ownAxis(manifest, feature);
      return targetsFrom(before)(feature).flatMap((target) => {
        const changed = changeOf(manifest, candidates, before, beforeScores, feature, target.value, source, fieldsRead);
        if (!changed) return [];
        const { gain } = changed;
        const calibratedGain = calibratedChange(manifest.calibration, from, gain);
        if (calibratedGain < MIN_CHANGE_POINTS) return [];
        const loweredRate = lowersRate(before, changed.after);
        if (loweredRate !== null) {
          ratesHeldAbove.add(loweredRate);
          return [];
        }
        return [{ feature, axis, target, ...changed, calibratedGain }];
      });
    });
  type Move = ReturnType<typeof movesFrom>[number];
  const mostFirst = (moves: readonly Move[]) => [...moves].sort((a, b) => b.gain - a.gain);
  let canAdd: ReturnType<typeof featuresThatCanAdd> | undefined; // worked out only for a lead no single move takes to the tier
  /** The `termScoresOf` the row `move` leaves, from those of the row before it: only the terms reading what it changes differ. */
  const scoresAfter = (beforeScores: readonly number[], move: Move) => {
    const scores = [...beforeScores];
    for (const t of move.terms) scores[t] = termScoreAt(manifest.terms[t], move.after);
    return scores;
  };
  // What the search found from a row with a set of features taken and a number of moves left. The order of moves
  // matters (a move may raise the probability visibly only after an earlier one, through a pair; a count bounds
  // another), so orders are all tried; those that end on the same row with the same features taken are searched once.
  const reachFound = new Map<string, boolean>();
  /**
   * Whether at most `steps` more moves from `before` (its `termScoresOf` `beforeScores`, its log-odds `from`), none of a
   * feature in `taken`, each visibly raising the probability given those before it, reach the tier.
   */
  const canReach = (before: number[], beforeScores: readonly number[], from: number, taken: ReadonlySet<number>, steps: number): boolean => {
    if (steps === 0) return false;
    const key = `${steps}|${[...taken].sort((a, b) => a - b).join(',')}|${before.join(',')}`;
    const found = reachFound.get(key);
    if (found !== undefined) return found;
    canAdd ??= featuresThatCanAdd(manifest, candidates, changeable, row, source, targetsFrom(row));
    // Calibration never lowers the probability as the log-odds rise: what cannot add enough at its most cannot reach.
    const worthTrying = [...canAdd(beforeScores, taken, steps, (points) => reached(from + points))];
    const moves = worthTrying.length === 0 ? [] : movesFrom(before, beforeScores, from, worthTrying);
    const reaches = moves.some((move) => reached(from + move.gain)) ||
      mostFirst(moves).some((move) =>
        canReach(move.after, scoresAfter(beforeScores, move), from + move.gain, new Set([...taken, move.feature]), steps - 1),
      );
    reachFound.set(key, reaches);
    return reaches;
  };
  /** Whether the moves left can reach the tier after `move` from the row the plan's changes leave (its `beforeScores`, `taken` changed). */
  const leadsOn = (move: Move, beforeScores: readonly number[], taken: ReadonlySet<number>, steps: number) =>
    canReach(move.after, scoresAfter(beforeScores, move), logit + move.gain, new Set([...taken, move.feature]), steps);

  const changes: Change[] = [];
  // A lead below the target tier needs a change, even if its recomputed probability sits on the threshold.
  while ((changes.length === 0 || !reached(logit)) && changes.length < MAX_CHANGES) {
    const before = current;
    const taken = new Set(changes.map((change) => change.feature));
    const beforeScores = currentScores;
    const moves = movesFrom(before, beforeScores, logit, changeable.filter((feature) => !taken.has(feature)));
    if (moves.length === 0) break;
    const reaching = moves.filter((move) => reached(logit + move.gain));
    // None reaches the tier alone: the largest move after which the moves left can still reach it, else the largest.
    const stepsLeft = MAX_CHANGES - changes.length - 1;
    const ranked = reaching.length > 0 ? [] : mostFirst(moves);
    const best = reaching.length > 0
      ? reaching.reduce((a, b) => (b.gain < a.gain ? b : a))
      : (ranked.find((move) => leadsOn(move, beforeScores, taken, stepsLeft)) ?? ranked[0]);
    const feature = manifest.features[best.feature];
    const options = rangeOptionsByBin(feature, best.axis, source);
    const byNumber = feature.type === 'numeric' && best.alsoChanged.length > 0;
    const shown = axisAsShown(best.axis, feature, source);
    // As the reasons beside the plan word it ("124 days", "not known", "other"), not as the bin the model reads it in ("124 – 125 days", "missing", "(other)").
    const worded = (f: number, value: number) => valueAsWorded(manifest, source, row, asWritten, f, value);
    changes.push({
      feature: best.feature,
      label: feature.label,
      from: worded(best.feature, before[best.feature]),
      to: countsDaysSince(feature)
        ? 'today'
        : options
          ? options.get(best.target.bin)!.find((option) => option.value === best.target.value)!.text // the option the promise is for
          : byNumber
            ? worded(best.feature, best.target.value)
            : shown.labels[best.target.bin],
      value: best.target.value,
      points: best.gain,
      calibratedPoints: best.calibratedGain,
      alsoChanges: best.alsoChanged
        .filter((f) => !Object.is(Math.fround(before[f]), Math.fround(best.after[f])))
        .map((f) => ({ feature: f, label: manifest.features[f].label, from: worded(f, before[f]), to: worded(f, best.after[f]) })),
    });
    current = best.after;
    currentScores = scoresAfter(beforeScores, best);
    logit += best.gain;
  }
  const probabilityAfter = applyCalibration(manifest.calibration, logit);
  // Changes that reach warm can jump past hot: name the tier they land in.
  const targetTier = tierOf(probabilityAfter, tiers) === 'hot' ? 'hot' : aim;
  // With no change to offer, why not, when a rate above its ideal held the only ones back.
  const heldAbove = changes.length === 0 && ratesHeldAbove.size > 0 ? { ratesHeldAbove: [...ratesHeldAbove].map((f) => manifest.features[f].label) } : {};
  return { targetTier, threshold: tiers[targetTier], changes, probabilityBefore, probabilityAfter, reaches: probabilityAfter >= tiers[aim], ...heldAbove };
}
