/**
 * What "converted" usually means in each source, as a starting point the admin can change:
 * Salesforce's `IsConverted`, HubSpot's lifecycle stage reaching a stage in the portal's own
 * order (contacts at a stage outside it left out), or a CSV column that looks like an outcome, else
 * one that holds a lead's lifecycle stage or status as the CRMs export it. Leads not converted by the window's minimum age count as not
 * converted, whatever their status (the usual "converted within N days" label): leaving out
 * those a status calls open is the admin's choice (`openLookingStatuses` ticks them), as old
 * leads never contacted stay "open" for good and would take most of the negatives with them.
 */
import { rawText } from '../derive';
import { looseKey, type RawRecord, type SourceKind } from '../featurize';
import type { OutcomeRule } from './training-set';
import { MAX_RULE_VALUE_LENGTH } from '../outcome-rule';
import { visibleText } from '../visible-text';
import { quoteCell } from './quoted-cells';
import { bareFieldName } from './leakage';
import {
  HUBSPOT_LIFECYCLE_FIELD,
  HUBSPOT_LIFECYCLE_ORDER,
  HUBSPOT_OTHER_STAGE,
  lifecycleOrder,
  stagesReached,
  suggestedStageReached,
} from '../../crm/hubspot-lifecycle';

/** The stages among `stages` outside `order` ("other", a stage the order lacks), of which reaching one says nothing. */
export const stagesOutsideOrder = (stages: readonly string[], order: readonly string[] = HUBSPOT_LIFECYCLE_ORDER): string[] =>
  stages.filter((stage) => !order.includes(stage));

/**
 * `rule` counting `positiveValues` converted; still open, of the stages `rule` left open or counted
 * converted, those outside `order` and not converted now. A stage `order` places is never open:
 * reaching it says something, and the sync stores its contacts' outcome (`hubspotOutcome`). Its
 * status field stays.
 */
function withConvertedInOrder(rule: OutcomeRule, positiveValues: string[], order: readonly string[]): OutcomeRule {
  const openValues = stagesOutsideOrder([...new Set([...(rule.openValues ?? []), ...rule.positiveValues])], order).filter((open) => !positiveValues.includes(open));
  const { openValues: _before, ...kept } = rule;
  return { ...kept, positiveValues, ...(openValues.length > 0 && { openValues }) };
}

/**
 * `rule` reaching `stage` in `order`, as a lifecycle rule is made wherever it is (suggested,
 * chosen in the form, following an order read after it): converted `stage` and the stages after
 * it (`stagesReached`), still open as `withConvertedInOrder` leaves them.
 */
export function lifecycleRuleReaching(rule: OutcomeRule, stage: string, order: readonly string[]): OutcomeRule {
  return withConvertedInOrder(rule, stagesReached(stage, order), order);
}

/**
 * The suggested lifecycle rule: "reached opportunity" in `order`, with the contacts at a stage
 * outside it ("other" always, and those of `stagesSeen`) left out as still open, as the sync
 * stores no outcome for those outside the order it reads (`hubspotOutcome`): a vendor at
 * "other" is no lead that failed to convert. The admin unticks one to count its contacts as not converted.
 */
export function lifecycleRule(stagesSeen: readonly string[], order: readonly string[] = HUBSPOT_LIFECYCLE_ORDER): OutcomeRule {
  const everySeenOpen = { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: [], openValues: [HUBSPOT_OTHER_STAGE, ...stagesSeen] };
  return lifecycleRuleReaching(everySeenOpen, suggestedStageReached(order), order);
}

const sameValues = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value === b[i]);

/**
 * A lifecycle `rule` made before `order` was known (the portal's stages are read after the leads),
 * following it (`lifecycleRuleReaching`): converted from the same stage reached on; still open the
 * stages the admin left open, and those no longer converted, that are outside `order`: a portal's
 * own stage the order does not place is left out, not counted as not converted. Its other choices
 * stay. The rule itself when it follows `order` already or is no lifecycle rule.
 *
 * A rule reaching a stage `order` does not place keeps its converted stages: an order that lost the
 * portal's own stages (HubSpot disconnected: the default order) would narrow "reached Product
 * Qualified Lead" to that stage alone, and count every contact past it as not converted. In the
 * portal's order, a stage it places is no longer open, as everywhere (`withConvertedInOrder`); in
 * the default order the rule stays as it is: a default stage the portal does not list (its
 * contacts left open) would be counted as not converted, evangelist past customer included.
 */
export function lifecycleRuleInOrder(rule: OutcomeRule, order: readonly string[]): OutcomeRule {
  const [reached] = rule.positiveValues;
  if (rule.field !== HUBSPOT_LIFECYCLE_FIELD || reached === undefined) return rule;
  const placed = order.includes(reached);
  // `lifecycleOrder` gives HubSpot's own list itself when the portal's stages are not known.
  if (!placed && order === HUBSPOT_LIFECYCLE_ORDER) return rule;
  const inOrder = placed ? lifecycleRuleReaching(rule, reached, order) : withConvertedInOrder(rule, rule.positiveValues, order);
  return sameValues(inOrder.positiveValues, rule.positiveValues) && sameValues(inOrder.openValues ?? [], rule.openValues ?? []) ? rule : inOrder;
}

const OUTCOME_NAME = /convert|outcome|won|target|label|closed/i;
const POSITIVE_VALUES = new Set(['1', 'true', 'yes', 'y', 'converted', 'won', 'closed won', 'closed - converted', 'customer']);

/** A column heading a lead's status as Salesforce and HubSpot exports do ("Lead Status", its API name Status), compared by `looseKey`. */
const STATUS_COLUMN_NAMES = new Set(['Status', 'Lead Status'].map(looseKey));

/** Whether `column` is named as an outcome (Converted, Won…), a lifecycle stage or a status: a field `suggestOutcome` reads. */
const namedAsOutcome = (column: string) => OUTCOME_NAME.test(column) || looseKey(column) === HUBSPOT_LIFECYCLE_FIELD || STATUS_COLUMN_NAMES.has(looseKey(column));

/** Columns with more distinct values than this are not offered as outcomes. */
const MAX_OUTCOME_VALUES = 30;

/**
 * Each column's distinct values as an outcome rule tells them apart (`outcomeOf`): trimmed, in any
 * case (the first spelling seen is kept, under its lower case), and no placeholder for a missing
 * value (a rule reads it as "no outcome yet", whatever is ticked). A column becomes null once it
 * has more than its collector's limit: its values are not kept (a column of ids or notes would be
 * a copy of the data).
 */
export type DistinctValues = Map<string, Map<string, string> | null>;

export const distinctValuesOf = (columns: readonly string[]): DistinctValues => new Map(columns.map((column) => [column, new Map()]));

/** Adds the values of `records` to `values`, a column at most `limit` values each. */
export function noteDistinctValues(values: DistinctValues, records: readonly RawRecord[], limit: number): void {
  for (const [column, seen] of values) {
    if (seen === null) continue;
    for (const record of records) {
      const value = rawText(record[column]);
      if (value !== null && !seen.has(value.toLowerCase())) seen.set(value.toLowerCase(), value);
      if (seen.size > limit) {
        values.set(column, null);
        break;
      }
    }
  }
}

/** Each column's values as kept, the first spelling of each; a column with too many to keep has none. */
export function keptValues(values: DistinctValues): Record<string, string[]> {
  // No prototype: a column named `__proto__` is an ordinary key.
  const kept = Object.create(null) as Record<string, string[]>;
  for (const [column, seen] of values) if (seen !== null) kept[column] = [...seen.values()];
  return kept;
}

/** Column → its distinct values in `records` (see `DistinctValues`), for the columns that may be an outcome (`outcomeCandidates`). */
export function fewValuedColumns(columns: readonly string[], records: readonly RawRecord[]): Record<string, string[]> {
  const values = distinctValuesOf(columns);
  noteDistinctValues(values, records, MAX_OUTCOME_VALUES);
  return outcomeCandidates(keptValues(values));
}

/**
 * Of column → its distinct values, the columns with few enough to be an outcome (2 to
 * MAX_OUTCOME_VALUES), values sorted; and those of one value named as an outcome
 * (`namedAsOutcome`), which tell nothing apart: kept so that the forms can say why they are not
 * offered (`oneValueOutcomeNotes`, `offeredOutcomeFields`) and which value a rule carried over
 * finds, not every constant column of a file. A column holding a value longer than a model's rule
 * may compare (MAX_RULE_VALUE_LENGTH: notes, not an outcome) is not one: its model could not be stored.
 */
export function outcomeCandidates(distinct: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  // No prototype: a column named `__proto__` is an ordinary key.
  const out = Object.create(null) as Record<string, string[]>;
  for (const [column, values] of Object.entries(distinct)) {
    if (values.length >= (namedAsOutcome(column) ? 1 : 2) && values.length <= MAX_OUTCOME_VALUES && values.every((value) => value.length <= MAX_RULE_VALUE_LENGTH)) out[column] = [...values].sort();
  }
  return out;
}

/**
 * `outcomeValues` without the fields LeadLens wrote its scores to (`writtenBack`, under any
 * spelling, as training leaves them out: `bareFieldName`). They hold an earlier model's tiers, not
 * whether a lead converted: an outcome (or a status field) read from one would train a model to
 * predict its own earlier scores. No feature may read one either (`forbiddenFields`).
 */
export function withoutWrittenBack(outcomeValues: Readonly<Record<string, string[]>>, writtenBack: readonly string[]): Record<string, string[]> {
  const written = new Set(writtenBack.map(bareFieldName));
  // No prototype, as `outcomeCandidates` gives them: a column named `__proto__` is an ordinary key.
  const kept = Object.create(null) as Record<string, string[]>;
  for (const [field, values] of Object.entries(outcomeValues)) if (!written.has(bareFieldName(field))) kept[field] = values;
  return kept;
}

/** Whether `values` tell leads apart: one value says nothing of which converted. */
const tellsApart = (values: readonly string[]) => values.length >= 2;

/**
 * The fields an outcome select offers: those of `outcomeValues` with two values or more, and
 * `chosen` (a carried-over or kept rule's field, whatever its values), so the form shows the
 * field it uses.
 */
export function offeredOutcomeFields(outcomeValues: Readonly<Record<string, readonly string[]>>, chosen: string | null | undefined): string[] {
  const offered = Object.keys(outcomeValues).filter((field) => tellsApart(outcomeValues[field]));
  return chosen && !offered.includes(chosen) ? [...offered, chosen] : offered;
}

/** A value of a file or a CRM in quotes for a note, as a page shows it (`visibleText`): a cell's quoting (`quoteCell`). */
export const quotedValue = (value: string): string => quoteCell(visibleText(value));

/**
 * Why `column`, of the values `valuesInWords` (quoted, as `quotedValue` writes them, maybe with
 * their counts), cannot be an outcome: as the CLI's training (`buildLabels`) and the forms say it.
 */
export const oneValueOnly = (column: string, valuesInWords: string): string =>
  `"${column}" has one value only (${valuesInWords}); training needs converted and not-converted leads.`;

/**
 * The values a CRM's own outcome field can hold, whether or not a sample has them: a rare one
 * (a hundred conversions among 50,000 leads) falls out of a sample of 1,000, and the field with it
 * (one value tells nothing apart), so the standard outcome could not be chosen. HubSpot's are the
 * portal's own stages when known (`lifecycleOrder`).
 */
function knownOutcomeValues(source: SourceKind, portalStages: readonly string[]): Readonly<Record<string, readonly string[]>> {
  if (source === 'salesforce') return { IsConverted: ['false', 'true'] };
  if (source === 'hubspot') return { [HUBSPOT_LIFECYCLE_FIELD]: [...lifecycleOrder(portalStages), HUBSPOT_OTHER_STAGE] };
  return {};
}

/**
 * `outcomeValues` (of a sample of `source`'s leads, `fewValuedColumns`) with the source's own
 * outcome field and every value it can hold (`knownOutcomeValues`: for HubSpot the portal's stages
 * when known, else HubSpot's default ones). Called once, where the portal's stages are known: a
 * sampled value is kept as sampled, a stage the portal no longer lists included, as contacts are
 * still at it.
 */
export function withKnownOutcomeFields(
  source: SourceKind,
  outcomeValues: Readonly<Record<string, readonly string[]>>,
  portalStages: readonly string[] = [],
): Record<string, string[]> {
  const known = knownOutcomeValues(source, portalStages);
  // No prototype (a column named `__proto__` is an ordinary key), fields in order, as `outcomeCandidates` gives them.
  const merged = Object.create(null) as Record<string, string[]>;
  for (const field of [...new Set([...Object.keys(outcomeValues), ...Object.keys(known)])].sort()) {
    const sampled = Object.hasOwn(outcomeValues, field) ? outcomeValues[field] : [];
    // The sample's spelling of a value is kept: the rule compares them in any case.
    const spelled = new Set(sampled.map((value) => value.toLowerCase()));
    merged[field] = [...sampled, ...(Object.hasOwn(known, field) ? known[field] : []).filter((value) => !spelled.has(value))].sort();
  }
  return merged;
}

/**
 * A status that says a lead was given up or is done with: Salesforce's "Closed - Not Converted"
 * (any status starting with "Closed"), a converted one, HubSpot's "UNQUALIFIED" and "BAD_TIMING",
 * an org's own lost ones ("Lost", "Junk", "Contacted - Not Interested", "Attempted - No Response",
 * "Do Not Contact"), and lost, closed or rejected in the languages of `OPEN_STATUS`.
 */
const CLOSED_STATUS =
  /^closed|convert|unqualified|disqualified|bad[ _]timing|lost|junk|not[ _]interested|no[ _]response|duplicate|dead|invalid|spam|do[ _-]?not[ _-]?(?:contact|call)|opt(?:ed)?[ _-]?out|unsubscrib|perdu|verloren|perdid|geschlossen|ferme|cerrad|fechad|chius|gesloten|rejet|abgelehnt|rechazad|rifiutat|afgewezen|descartad/i;

/**
 * A status that says a lead is still being worked: "Open - Not Contacted", "Working - Contacted",
 * HubSpot's "NEW", "ATTEMPTED_TO_CONTACT", "IN_PROGRESS", "CONNECTED", "OPEN_DEAL", an org's
 * "Nurturing", "Engaged", "Reopened", "Uncontacted", "Callback", "Meeting Scheduled", "Pending",
 * and the same in German, French, Spanish, Portuguese, Italian and Dutch ("Neu", "In Bearbeitung",
 * "En cours", "Nuevo", "Em andamento", "In corso", "Nieuw"), read without accents. Any other (a
 * custom one it cannot tell, "Qualified", "Recycled") is left unticked: a lost lead ticked as still
 * being worked is left out of training, and the model learns too few that did not convert.
 */
const OPEN_STATUS = new RegExp(
  [
    'open|contact|attempt|connect|nurtur|engag|working|progress|qualifying|follow[ _-]?up|call[ _-]?back|schedul|booked|awaiting|pending|assigned',
    '(?:^|[^a-z])(?:new|newly|neu|nouveau|nouvelle|nuevo|nueva|novo|nova|nuovo|nuova|nieuw)(?![a-z])',
    'offen|bearbeitung|kontakt|ouvert|en cours|rappel|relance|abiert|en curso|en proceso|pendiente|seguimiento|abert|andamento|pendente|aperto|in corso|lavorazione|contatt|behandeling|opvolg',
  ].join('|'),
  'i',
);

/** A status as the patterns read it: accents left out ("Contacté" reads "Contacte"). */
const unaccented = (status: string) => status.trim().normalize('NFD').replace(/\p{M}+/gu, '');

/** The statuses among `values` that look like a lead still being worked (`OPEN_STATUS`, and not `CLOSED_STATUS`). */
export function openLookingStatuses(values: readonly string[]): string[] {
  return values.filter((value) => OPEN_STATUS.test(unaccented(value)) && !CLOSED_STATUS.test(unaccented(value)));
}

/** The first of `outcomeValues`' fields of two values or more that `ruleOf` makes a rule of with a converted value, or null. */
function firstRule(outcomeValues: Record<string, string[]>, ruleOf: (field: string, values: readonly string[]) => OutcomeRule | null): OutcomeRule | null {
  for (const [field, values] of Object.entries(outcomeValues)) {
    if (!tellsApart(values)) continue;
    const rule = ruleOf(field, values);
    if (rule && rule.positiveValues.length > 0) return rule;
  }
  return null;
}

/** `field` counting its values that read as converted (`POSITIVE_VALUES`). */
const positiveValuesRule = (field: string, values: readonly string[]): OutcomeRule => ({ field, positiveValues: values.filter((value) => POSITIVE_VALUES.has(value.toLowerCase())) });

/**
 * A column holding HubSpot lifecycle stages as a contacts export writes them, by label
 * ("Marketing Qualified Lead") or by value (marketingqualifiedlead), read by `looseKey`: the
 * suggested lifecycle rule (`lifecycleRule`, HubSpot's default order: an export does not say the
 * portal's) in the file's own spellings, as the rule compares them. Converted from opportunity on;
 * still open "Other" and a stage outside the order (a portal's own), as for a synced contact.
 */
function lifecycleColumnRule(field: string, values: readonly string[]): OutcomeRule {
  const rule = lifecycleRule(values.map(looseKey));
  const spelled = (stages: readonly string[]) => stages.flatMap((stage) => values.filter((value) => looseKey(value) === stage));
  const openValues = spelled(rule.openValues ?? []);
  return { field, positiveValues: spelled(rule.positiveValues), ...(openValues.length > 0 && { openValues }) };
}

/** The most columns of one value a form names: a file may have dozens of constant columns. */
const MOST_ONE_VALUE_NOTES = 3;

/**
 * Why fields of `outcomeValues` that an admin would look for among the outcomes are not offered
 * (`offeredOutcomeFields`): each of one value only (those named as an outcome, as
 * `outcomeCandidates` keeps them), in the words of `oneValueOnly`; `chosen` first, at most
 * MOST_ONE_VALUE_NOTES.
 */
export function oneValueOutcomeNotes(outcomeValues: Readonly<Record<string, readonly string[]>>, chosen: string | null | undefined): string[] {
  const oneValued = Object.keys(outcomeValues).filter((field) => outcomeValues[field].length === 1);
  return oneValued
    .sort((a, b) => Number(b === chosen) - Number(a === chosen))
    .slice(0, MOST_ONE_VALUE_NOTES)
    .map((field) => oneValueOnly(field, quotedValue(outcomeValues[field][0])));
}

/**
 * The suggested outcome for a source given its fields' values (see `historySample`), or null;
 * HubSpot's lifecycle stages in `stageOrder` (`lifecycleOrder`). Else, as a CSV file heads them,
 * the first field with a converted value named as an outcome (Converted, Won…), else as a lifecycle
 * stage ("Lifecycle Stage", lifecyclestage), else as a status ("Lead Status", Status): an explicit
 * outcome says more than a stage or a status. A status's open values are left unticked, as the
 * module's note says.
 */
export function suggestOutcome(source: SourceKind, outcomeValues: Record<string, string[]>, stageOrder: readonly string[] = HUBSPOT_LIFECYCLE_ORDER): OutcomeRule | null {
  if (source === 'salesforce' && outcomeValues.IsConverted) return { field: 'IsConverted', positiveValues: ['true'] };
  if (source === 'hubspot' && outcomeValues[HUBSPOT_LIFECYCLE_FIELD]) return lifecycleRule(outcomeValues[HUBSPOT_LIFECYCLE_FIELD], stageOrder);
  return (
    firstRule(outcomeValues, (field, values) => (OUTCOME_NAME.test(field) ? positiveValuesRule(field, values) : null)) ??
    firstRule(outcomeValues, (field, values) => (looseKey(field) === HUBSPOT_LIFECYCLE_FIELD ? lifecycleColumnRule(field, values) : null)) ??
    firstRule(outcomeValues, (field, values) => (STATUS_COLUMN_NAMES.has(looseKey(field)) ? positiveValuesRule(field, values) : null))
  );
}
