/**
 * The side panel's segment view over the scored leads: filters, per-tier stats and the top
 * leads of a tier. Pure, one pass over the rows, so 10,000 leads cost a few milliseconds.
 */
import type { SourceKind } from './ml/featurize';
import type { Manifest } from './ml/manifest';
import { LEAD_SOURCE_FIELDS } from './sync/to-stored-lead';
import { outcomeSettled, type OutcomeRule } from './ml/outcome-rule';
import { openLookingStatuses } from './ml/train/outcome-suggestions';
import { nameOrFallback } from './presentation';
import { tierOf } from './ml/score';
import type { TierThresholds } from './ml/train/thresholds';
import { TierSchema, type Tier } from './messaging/protocol';

export const TIERS: readonly Tier[] = TierSchema.options;
const DAY_MS = 86_400_000;
/** A lead source worded as stored. */
export const asStored = (value: string) => value;

/** A stored lead with its score under the active model, without its fields. */
export interface ScoredLeadRow {
  leadKey: string;
  source: SourceKind;
  recordId: string;
  name: string;
  owner: string;
  leadSource: string;
  createdAt: number;
  outcome: 0 | 1 | null;
  probability: number;
  score: number;
  tier: Tier;
  topReason: string;
  /** Whether the top reason raises (true) or lowers (false) the odds; absent when not known (no reason, or a score stored without its reasons up and down). */
  topReasonRaises?: boolean;
  /** A Demo mode lead stored beside leads of your own (`loadScoredLeads`): its outcome is made up, so the rates by stored outcomes leave it out, as the options page does. */
  madeUp?: true;
}

export interface SegmentFilters {
  owner: string | null;
  /** A lead source as the filter words it (`leadSourceWords`): it keeps the leads of every stored value worded so. */
  leadSource: string | null;
  /** Only leads created within this many days; null = any time. */
  createdWithinDays: number | null;
}

export const NO_FILTERS: SegmentFilters = { owner: null, leadSource: null, createdWithinDays: null };

/**
 * `sourceWord`: how the lead-source filter words a stored value (`leadSourceWords`); its choice keeps every value worded
 * so. An empty owner or source keeps the leads stored without one. The days created within count back from `now` for a
 * CRM's leads, an imported file's from `fileAgesFrom` (its latest created date, `fileLeadsAsOf`), as `segmentFigures`
 * counts their ages: a file exported last week has no lead of the last 7 days by today. "Created within N days" is
 * younger than N days, as a lead N days old is one whose outcome counts (`outcomeSettled`): the last 7 days to a file
 * of created dates alone dated Nov 29 are Nov 23 to 29, and a lead of Nov 22 is in "7 or more days before" only.
 */
export function filterLeads(
  rows: readonly ScoredLeadRow[],
  filters: SegmentFilters,
  now: number,
  sourceWord: (value: string) => string = asStored,
  fileAgesFrom = now,
): readonly ScoredLeadRow[] {
  if (filters.owner === null && filters.leadSource === null && filters.createdWithinDays === null) return rows;
  const within = filters.createdWithinDays === null ? Infinity : filters.createdWithinDays * DAY_MS;
  const createdAfter = now - within;
  const fileCreatedAfter = fileAgesFrom - within;
  return rows.filter(
    (row) =>
      (filters.owner === null || row.owner === filters.owner) &&
      (filters.leadSource === null || sourceWord(row.leadSource) === filters.leadSource) &&
      row.createdAt > (row.source === 'csv' ? fileCreatedAfter : createdAfter),
  );
}

export interface TierStats {
  count: number;
  /** Share of all leads shown, 0–1 (0 when there are none). */
  share: number;
  /** Leads whose known outcome counts in the tier's conversion rate (see `segmentFigures`): a lead the model learnt from counts in the tier of its held-out probability, not always the tier it is listed in. */
  withOutcome: number;
  /** Conversion rate among those; null when there are none. */
  conversionRate: number | null;
}

/**
 * A lead's outcome by a model's rule; for a lead the model learnt from, its held-out probability
 * (`db.heldOutScores`), else null, and its cross-fitted one when the model kept those.
 */
export interface RuleOutcome {
  /**
   * Null: a demo lead of the rule's source that its history leaves out (the user's own leads of
   * that source are stored beside it, `historyRule`), which has no outcome by the rule: the rates
   * leave it out, as the options page does, and the lists read its stored outcome, as they read
   * another source's lead's.
   */
  outcome: 0 | 1 | null;
  /** The probability a check model that never saw the lead gave it in cross-validation: the model's own score of a lead it learnt from flatters it. */
  heldOutProbability: number | null;
  /**
   * For a lead the model learnt from, the check model's score of it through a calibration fitted
   * without its fold too (`db.heldOutScores`' `crossFittedProbabilities`): what a value or fixed
   * policy counts it by (`learntFromBasisOf`). Absent for another lead, and for every lead of a
   * model trained before LeadLens kept them.
   */
  crossFittedProbability?: number;
  /**
   * A lead too new to count in the rates (leads of its age that have not converted yet may still), here for the lists,
   * which leave it out: converted already, or, by a rule that reads not converted as lost (`readsNotConvertedAsLost`), closed without converting.
   */
  uncounted?: true;
}

/**
 * The outcomes of the leads whose outcome counts, by lead key, as the options page labels them
 * for a model with an outcome rule (`readRuleOutcomes` in the side panel): the rule's outcome of
 * the leads of the source it was trained on, once `outcomeSettled` by the minimum age it was
 * trained with (`settledDaysOf`), or if it learnt from them; and, marked `uncounted`, the younger
 * ones converted already (and closed without converting, by a rule that reads not converted as
 * lost); and, with a null outcome, the demo leads of that source outside its history. A lead
 * absent has no known outcome.
 */
export type RuleOutcomes = ReadonlyMap<string, RuleOutcome>;

/** The outcomes by the active model's rule, and its tier thresholds now, which tier the leads it learnt from by their held-out probability. */
export interface OutcomesByRule {
  outcomes: RuleOutcomes;
  thresholds: TierThresholds;
  /**
   * Whether the leads it learnt from are tiered by their cross-fitted probability
   * (`crossFittedProbability`), as the options page counts them under the model's policy now
   * (`learntFromBasisOf` 'cross-fitted'); by their held-out one when absent.
   */
  crossFitted?: boolean;
}

/** Per-tier figures of some leads, and whether leads with no created date are among those whose outcome counts in their rates (`segmentFigures`). */
export interface SegmentFigures {
  stats: Record<Tier, TierStats>;
  /**
   * Whether leads with no created date (stored as 0: a file without that column) are among those
   * whose outcome counts in `stats`: `some`, `all` of them, or `none`. Their age unknown, they
   * count whatever it is, which the words saying which leads count say (`describeSettledLeads`).
   */
  undated: 'none' | 'some' | 'all';
}

/**
 * Count and share per tier, and the conversion rate of each among the leads whose outcome is
 * known: by the active model's rule, `byRule`, when it has one, as the options page counts them
 * (`labelledProbabilities`): a lead the model learnt from counts in the tier its held-out
 * probability falls in by the model's thresholds (its cross-fitted one when `crossFitted`, as
 * `countedLabelled` counts it), not the tier of its stored score, which the model gave it after
 * learning its outcome. The counts stay by the tiers the rows show (a record
 * page's score while reused, else the stored one: `loadScoredLeads`), as the lists of leads do. Null: the outcomes by the rule are not known (being read, or unreadable), so
 * no rate. Undefined (a model without a rule: the bundled model, one trained by the CLI): the
 * outcome stored at sync or import, as the options page reads it for such a model, of the leads
 * old enough for it to be known (`OUTCOME_SETTLED_DAYS`: such a model recorded no minimum age of
 * its own): a lead created last week and still being worked is stored as not converted
 * (Salesforce `IsConverted` false), and the hot tier, recent leads most of all, read as
 * converting less than it does. A lead's age is counted up to `now`, an imported file's lead's
 * up to `fileAgesFrom` (its latest created date, `leadAgesCountedFrom`): its outcomes are of then.
 * Leads without a created date count, and `undated` says whether any do. One pass over the rows.
 */
export function segmentFigures(rows: readonly ScoredLeadRow[], now: number, byRule?: OutcomesByRule | null, fileAgesFrom = now): SegmentFigures {
  const counts = { hot: { n: 0, known: 0, won: 0 }, warm: { n: 0, known: 0, won: 0 }, cold: { n: 0, known: 0, won: 0 } };
  let dated = 0;
  let undated = 0;
  for (const row of rows) {
    counts[row.tier].n++;
    const counted = countedOutcome(row, now, byRule, fileAgesFrom);
    if (counted === null) continue;
    counts[counted.tier].known++;
    counts[counted.tier].won += counted.outcome;
    if (row.createdAt > 0) dated++;
    else undated++;
  }
  const stats = (tier: Tier): TierStats => {
    const { n, known, won } = counts[tier];
    return { count: n, share: rows.length > 0 ? n / rows.length : 0, withOutcome: known, conversionRate: known > 0 ? won / known : null };
  };
  return { stats: { hot: stats('hot'), warm: stats('warm'), cold: stats('cold') }, undated: undated === 0 ? 'none' : dated === 0 ? 'all' : 'some' };
}


/** The outcome of `row` that counts in the rates, and the tier it counts in, as `segmentFigures` (with the same arguments) counts it; null when none counts. */
function countedOutcome(row: ScoredLeadRow, now: number, byRule: OutcomesByRule | null | undefined, fileAgesFrom: number): { tier: Tier; outcome: 0 | 1 } | null {
  if (byRule === undefined) return row.outcome !== null && !row.madeUp && outcomeSettled(row.createdAt, row.source === 'csv' ? fileAgesFrom : now) ? { tier: row.tier, outcome: row.outcome } : null;
  if (byRule === null) return null;
  const known = byRule.outcomes.get(row.leadKey);
  if (!known || known.outcome === null || known.uncounted) return null;
  // Null for a lead the model did not learn from, which has neither.
  const learntFromProbability = byRule.crossFitted ? (known.crossFittedProbability ?? known.heldOutProbability) : known.heldOutProbability;
  return { tier: learntFromProbability === null ? row.tier : tierOf(learntFromProbability, byRule.thresholds), outcome: known.outcome };
}

export type SortKey = 'score' | 'name' | 'topReason';
export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

// One collator for every comparison: localeCompare with options builds one per call (seconds for 40,000 names).
export const textOrder = new Intl.Collator('en', { sensitivity: 'base' });

/** The name a lead is listed by (`nameOrFallback`: "Contact 100002" for one stored without a visible name): what the lists show, and sort by. */
export function shownName(row: Pick<ScoredLeadRow, 'source' | 'recordId' | 'name'>): string {
  return nameOrFallback(row.source, row.recordId, row.name);
}

/** `shown`: the rows' `shownName`s worked out beforehand, rather than twice per comparison. */
export function compareRows(a: ScoredLeadRow, b: ScoredLeadRow, order: SortOrder, shown?: ReadonlyMap<ScoredLeadRow, string>): number {
  const nameOf = (row: ScoredLeadRow) => shown?.get(row) ?? shownName(row);
  const byKey =
    order.key === 'score' ? a.probability - b.probability : order.key === 'name' ? textOrder.compare(nameOf(a), nameOf(b)) : textOrder.compare(a.topReason, b.topReason);
  // Ties keep a stable, meaningful order: the more likely lead first.
  const result = byKey !== 0 ? byKey : b.probability - a.probability;
  return order.descending && byKey !== 0 ? -result : result;
}

/** Which leads converted already, or were lost, for a model with an outcome rule: the outcomes by it of its source's leads (`RuleOutcomes`). */
export interface ConvertedByRule {
  source: SourceKind;
  outcomes: RuleOutcomes;
  /** Whether a lead the rule reads as not converted is closed, lost (`readsNotConvertedAsLost`): then the lists leave it out too. Absent: it is not. */
  notConvertedIsLost?: boolean;
}

/**
 * Whether `rule`, read on `source`'s leads, says a lead it reads as not converted is closed, lost: a
 * file's rule that names values of leads still being worked (`openValues`, or a status field's
 * `openStatus`: "Open", "Working - Contacted", as `openLookingStatuses` finds them), which it reads as no outcome yet, so that any other
 * value not converted ("Closed - Not Converted") is one the file's export had done with. A CRM's
 * never: its "not converted" may be a lead still being worked (Salesforce's IsConverted false, a
 * HubSpot stage before opportunity; a lifecycle rule names "other" still open, not the stages before
 * the one it counts), and leaving those out would empty the lists of the leads to work.
 */
export function readsNotConvertedAsLost(rule: Pick<OutcomeRule, 'openValues' | 'openStatus'>, source: SourceKind): boolean {
  // Values that look like a lead being worked, not those a rule leaves out for other reasons: a lifecycle
  // rule's "Other" (no sales lead) leaves its leads before opportunity open, whatever the file holds.
  return source === 'csv' && openLookingStatuses([...(rule.openValues ?? []), ...(rule.openStatus?.values ?? [])]).length > 0;
}

/** How many leads a tier's list leaves out, and why (`leadsToWork`). */
export interface LeftOutOfList {
  /** Converted already, of which `byStatus` by the outcome stored with them. */
  converted: number;
  byStatus: number;
  /** Closed without converting, of which `lostByStatus` by the outcome stored with them (an imported file's). */
  lost: number;
  lostByStatus: number;
}

/**
 * Why `leadsToWork` leaves `row` out of its tier's list, as the count of `LeftOutOfList` it adds to:
 * converted already or lost by the rule's outcome (`converted`, `lost`), or by the outcome stored
 * with it (`byStatus`, `lostByStatus`, which count among those too); null when it lists it.
 */
function whyLeftOut(
  row: ScoredLeadRow,
  byRule: ConvertedByRule | undefined,
  storedFileNotConvertedIsLost: boolean,
): keyof LeftOutOfList | null {
  const byItsRule = row.source === byRule?.source ? byRule.outcomes.get(row.leadKey) : undefined;
  // Absent from the rule's outcomes: not known converted or lost by the rule. A null outcome: none by the rule at all.
  const ruled = row.source === byRule?.source && byItsRule?.outcome !== null;
  const outcome = ruled ? byItsRule?.outcome : row.outcome;
  const lostIfNotConverted = ruled ? byRule?.notConvertedIsLost === true : storedFileNotConvertedIsLost && row.source === 'csv' && !row.madeUp;
  if (outcome === 1) return ruled ? 'converted' : 'byStatus';
  if (outcome === 0 && lostIfNotConverted) return ruled ? 'lost' : 'lostByStatus';
  return null;
}

/**
 * The leads of a tier a rep may still work, in the requested order, and how many were left out as
 * converted already or lost. Those score highest, many of them the leads the model learnt from, and
 * would fill the top of a call list with deals already won, or with leads the file already closed;
 * they still count in the tier's numbers and rates (`segmentFigures`). Converted already means what
 * the rates count as converted: a lead of the source of the active model's rule (`byRule`) by that
 * rule's outcome, however new (`uncounted`), so a HubSpot opportunity is still to work for a model
 * trained on "customer"; any other lead (a model without a rule, another source's lead, a demo lead
 * of the rule's source outside its history, which the rates leave out as they do another source's;
 * so too while the rule's outcomes are read) by the outcome stored with it, its CRM's own status
 * (Salesforce's IsConverted; a HubSpot lifecycle stage of opportunity or later in the portal's
 * order, or past its middle in a portal without opportunity, `hubspotOutcome`; a file's outcome
 * column): `byStatus` of `converted` were so. Lost means not converted where that says the lead is
 * closed (`readsNotConvertedAsLost`): by the rule when it does (`notConvertedIsLost`), else, for an
 * imported file's lead (not Demo mode's, made up), by the outcome stored with it when the import's
 * rule does (`storedFileNotConvertedIsLost`): `lostByStatus` of `lost` were so. A CRM's lead not
 * converted stays: it may be open. By name, the leads sort by the names the lists show
 * (`shownName`). The sort is adaptive: rows already in that order (the most likely first, as they
 * are loaded) cost one comparison each, not a full sort.
 */
export function leadsToWork(
  rows: readonly ScoredLeadRow[],
  tier: Tier,
  order: SortOrder,
  byRule?: ConvertedByRule,
  storedFileNotConvertedIsLost = false,
): { leads: ScoredLeadRow[] } & LeftOutOfList {
  const leads: ScoredLeadRow[] = [];
  const leftOut: LeftOutOfList = { converted: 0, byStatus: 0, lost: 0, lostByStatus: 0 };
  for (const row of rows) {
    if (row.tier !== tier) continue;
    const why = whyLeftOut(row, byRule, storedFileNotConvertedIsLost);
    if (why === null) leads.push(row);
    else {
      // `converted` and `lost` count those left out by the outcome stored with them too.
      leftOut[why]++;
      if (why === 'byStatus') leftOut.converted++;
      else if (why === 'lostByStatus') leftOut.lost++;
    }
  }
  const shown = order.key === 'name' ? new Map(leads.map((row) => [row, shownName(row)])) : undefined;
  return { leads: leads.sort((a, b) => compareRows(a, b, order, shown)), ...leftOut };
}

/**
 * Whether the top leads, the hot and warm tiers' lists of `rows` (`leadsToWork`), list a lead of an
 * imported file: one a rep can choose there to have it explained, having no CRM page to open.
 */
export function listsFileLead(rows: readonly ScoredLeadRow[], byRule?: ConvertedByRule, storedFileNotConvertedIsLost = false): boolean {
  return rows.some((row) => row.source === 'csv' && row.tier !== 'cold' && whyLeftOut(row, byRule, storedFileNotConvertedIsLost) === null);
}

/**
 * `rows` the most likely first, equal ones in their order, as a new array. Sorts indices over a
 * typed array of the probabilities: 100,000 rows in ~20 ms, a third of a sort of the rows
 * themselves, and without the garbage of merging them chunk by chunk as they load.
 */
export function mostLikelyFirst(rows: readonly ScoredLeadRow[]): ScoredLeadRow[] {
  const probabilities = Float64Array.from(rows, (row) => row.probability); // [N]
  const order = Uint32Array.from(rows, (_, i) => i); // [N]
  order.sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  return Array.from(order, (i) => rows[i]);
}

/** The owners and lead sources the filters offer: those the rows have, '' when some have none. */
export interface FilterChoices {
  owner: string[];
  leadSource: string[];
}

const textSorted = (values: Iterable<string>) => [...values].sort((a, b) => textOrder.compare(a, b));

/**
 * The filter choices of rows added as they load, a chunk at a time: the distinct owners and lead
 * sources, sorted, '' (first) among them when some lead has none, so the leads nobody owns (a
 * HubSpot contact not assigned yet) can be filtered to and the owners' counts add up to all the
 * leads. Over 100,000 leads, collecting them in one go took ~120 ms of the side panel's task that
 * first shows them.
 */
export function collectFilterChoices() {
  const owner = new Set<string>();
  const leadSource = new Set<string>();
  return {
    add(rows: Iterable<ScoredLeadRow>): void {
      for (const row of rows) {
        owner.add(row.owner);
        leadSource.add(row.leadSource);
      }
    },
    choices: (): FilterChoices => ({ owner: textSorted(owner), leadSource: textSorted(leadSource) }),
  };
}

/** A model's scored leads, the most likely first, and the filter choices they offer. */
export interface ScoredLeads {
  rows: readonly ScoredLeadRow[];
  choices: FilterChoices;
}

/**
 * `filters` without the values no longer offered: once a sync names the owners it stored as
 * ids, or a source's leads are deleted, the chosen value matches no lead while its select can
 * only show "All". The filter then applies what the select shows. `sourceWord`: as `filterLeads`.
 */
export function offeredFilters(filters: SegmentFilters, choices: FilterChoices, sourceWord: (value: string) => string = asStored): SegmentFilters {
  const offered = (value: string | null, values: string[], word = asStored) => (value !== null && values.some((candidate) => word(candidate) === value) ? value : null);
  return { ...filters, owner: offered(filters.owner, choices.owner), leadSource: offered(filters.leadSource, choices.leadSource, sourceWord) };
}

/**
 * The lead-source filter's choices, sorted: one per word shown, whatever values are stored behind
 * it (HubSpot's SOCIAL_MEDIA, and a file exported from HubSpot that reads "Organic Social").
 */
export function leadSourceChoices(values: readonly string[], sourceWord: (value: string) => string): string[] {
  return textSorted(new Set(values.map(sourceWord)));
}

/**
 * How the lead-source filter words a stored lead's source: a HubSpot value by the label its pages
 * show ("Organic Social" for SOCIAL_MEDIA): by `portalLabels`, the stored contacts' portal's own
 * as its last sync kept them (`keptLeadSourceLabels`), whichever model is active; else by
 * `manifest`'s, when it reads that property and knows its labels, as the reasons beside it do;
 * else as stored. HubSpot's only: a stored value is worded the same whatever its source, and
 * HubSpot's internal values (UPPER_SNAKE) are no Salesforce or file value, where a Salesforce
 * label ("Website" for Web) would rename a file's "Web" too. The filter offers one choice per word
 * (`leadSourceChoices`), keeping every value worded so.
 */
export function leadSourceWords(manifest: Manifest | undefined, portalLabels: Readonly<Record<string, string>> = {}): (value: string) => string {
  const labels = new Map(Object.entries(portalLabels));
  for (const { derive } of manifest?.features ?? []) {
    if (derive.kind !== 'value' || derive.from.hubspot !== LEAD_SOURCE_FIELDS.hubspot) continue;
    for (const [value, label] of Object.entries(derive.optionLabels?.hubspot ?? {})) if (!labels.has(value)) labels.set(value, label);
  }
  return (value) => labels.get(value) ?? value;
}
