/**
 * What "converted" means in a lead's own fields: the admin's outcome rule, a lead's outcome
 * by it, when it is known (a lead's age, counted from its source's present), and the rule in words. Kept apart from the training code (zod, the raw-value
 * reader and the pages' date format only): the manifest records the rule of a model trained in the browser, and the
 * options page's policy worker labels stored leads by it.
 */
import { z } from 'zod';
import { fieldIdentity, type CrmKind } from '../crm/types';
import { SourceKindSchema } from '../messaging/schemas';
import { formatDay } from '../presentation';
import { isMissingRaw } from './derive';
import type { RawRecord, SourceKind } from './featurize';
import type { Manifest } from './manifest';
import { clipWithEllipsis, MAX_LABEL_CHARS, shownLabel, visibleText } from './visible-text';

/**
 * Days after its creation by which a lead's outcome is taken as known: younger, a lead that has
 * not converted yet may still. The training form's default minimum age, and the age the figures
 * on stored leads count from for a model that recorded none (`settledDaysOf`).
 */
export const OUTCOME_SETTLED_DAYS = 30;

/** The most days a model may record as its minimum age: ten years, far beyond any sales cycle. */
export const MAX_SETTLED_DAYS = 3650;

/**
 * Whether a lead created at `createdAt` (epoch ms; NaN or 0 when unknown: then it counts) is old
 * enough at `now` for its outcome to be known: `settledAfterDays` old, the model's own figure
 * (`settledDaysOf`). For a stored lead, `now` is the time its source's ages count from
 * (`windowCountedFrom`): an imported file's present, not today.
 */
export const outcomeSettled = (createdAt: number, now: number, settledAfterDays = OUTCOME_SETTLED_DAYS): boolean => !(createdAt > now - settledAfterDays * 86_400_000);

/**
 * How far after `now` a created date may be and still be a file's present: a timestamp written
 * in a time zone ahead of UTC reads up to 14 hours later (as for "days since").
 */
const CREATED_DATE_SLACK_MS = 86_400_000;

/**
 * The latest of `createdDates` (epoch ms) that can be an imported file's present at `now`, or
 * `since` when none is later (-Infinity: none): 0 (no date) and a date more than a day after
 * `now`, which cannot be the export's, are passed over. `since` carries it over a file read a chunk at a time.
 */
export function latestExportDate(createdDates: Iterable<number>, now: number, since = Number.NEGATIVE_INFINITY): number {
  let latest = since;
  for (const createdAt of createdDates) if (createdAt > 0 && createdAt <= now + CREATED_DATE_SLACK_MS && createdAt > latest) latest = createdAt;
  return latest;
}

/**
 * The time (epoch ms) the ages of `source`'s stored leads are counted from at `now`: the training
 * window's (`windowCountedBackFrom`), and a lead's outcome is known once it is its model's
 * `settledAfterDays` old by it (`outcomeSettled`). A CRM's synced leads are as of now. A file
 * holds its leads as they were when it was exported, maybe months ago: they are counted from its
 * latest created date (`latestExportDate`), so that "at least 30 days ago" means 30 days old when
 * the file was exported, as its outcomes were; `now` stands when the file has no other (or a date
 * within that day, a time zone's).
 */
export function windowCountedFrom(source: SourceKind, createdDates: Iterable<number>, now: number): number {
  if (source !== 'csv') return now;
  const latest = latestExportDate(createdDates, now);
  return Math.min(latest === Number.NEGATIVE_INFINITY ? now : latest, now);
}

/** A second field of the lead, and its values that say the lead is still being worked: `Status` is "Working - Contacted". */
export const OpenStatusSchema = z.object({ field: z.string().min(1), values: z.array(z.string()).min(1) }).strict();
export type OpenStatus = z.infer<typeof OpenStatusSchema>;

/**
 * A lead converted when `field` holds one of `positiveValues`, and is still open (no outcome
 * yet) when it holds one of `openValues` (a Status of "Working - Contacted"); any other value
 * is "not converted". A field that only says converted or not (Salesforce's `IsConverted`)
 * has no open value: `openStatus` names a second field that says the lead is still being
 * worked (its `Status` is "Working - Contacted"), and such a lead is left out too, unless it
 * converted. Values compare as trimmed text, case-insensitively. `openStatus` came later:
 * rules stored without it read every other value as "not converted", as they did.
 */
export const OutcomeRuleSchema = z.object({
  field: z.string().min(1),
  positiveValues: z.array(z.string()).min(1),
  openValues: z.array(z.string()).optional(),
  openStatus: OpenStatusSchema.optional(),
});
export type OutcomeRule = z.infer<typeof OutcomeRuleSchema>;

/** The fields `rule` labels a lead by (its outcome field, and its status field): no feature may read them. */
export const fieldsOfRule = (rule: Pick<OutcomeRule, 'field' | 'openStatus'>): string[] => (rule.openStatus ? [rule.field, rule.openStatus.field] : [rule.field]);

/** The values `rule` compares: its outcome field's (converted, still open), then its status field's (still being worked). */
const valuesOfRule = ({ positiveValues, openValues = [], openStatus }: OutcomeRule): string[] => [...positiveValues, ...openValues, ...(openStatus?.values ?? [])];

/**
 * The most values a model's rule may list as converted, as still open, or as still being worked.
 * A rule trained here lists at most a field's values offered for it: a HubSpot portal's stages (a
 * few dozen), or a field of few values (`outcomeCandidates`). An imported manifest could list any
 * number, each compared with every lead's field and described on every page that names the rule.
 */
export const MAX_RULE_VALUES = 1_000;

/** The longest value a model's rule may compare: far beyond a CRM's choice values (a Salesforce picklist value's 255 characters). */
export const MAX_RULE_VALUE_LENGTH = 1_000;

const RuleValuesSchema = z
  .array(z.string().max(MAX_RULE_VALUE_LENGTH, `a value may be at most ${MAX_RULE_VALUE_LENGTH.toLocaleString('en-US')} characters long`))
  .max(MAX_RULE_VALUES, `a rule may list at most ${MAX_RULE_VALUES.toLocaleString('en-US')} values here`);

/** The longest label a model's manifest may hold for a value: a Salesforce picklist label's most. One trained here is shorter (`valueLabelAsShown`). */
export const MAX_VALUE_LABEL_LENGTH = 255;

/** Value → the label a CRM's pages show for it, for the values whose label is not the value (a HubSpot portal's stage `1234567` is "Product Qualified Lead"). */
export type ValueLabels = Record<string, string>;

/**
 * A model's outcome rule, with the source of the leads it was trained on (another source's fields
 * may mean something else) and `settledAfterDays`, the minimum age of the leads its training
 * window let in (0: any age): a stored lead younger than that that has not converted yet may
 * still, as the training left such leads out. It came later: a model stored without it reads
 * `OUTCOME_SETTLED_DAYS` (`settledDaysOf`). `valueLabels`: how the CRM's pages labelled the
 * rule's own values, where a label differs from its value (`ruleValueLabels`), which the rule is
 * described by; the rule still compares the values. It came later too: a model without it is
 * described by its values.
 */
export const ModelOutcomeRuleSchema = OutcomeRuleSchema.extend({
  positiveValues: RuleValuesSchema.min(1),
  openValues: RuleValuesSchema.optional(),
  openStatus: OpenStatusSchema.extend({ values: RuleValuesSchema.min(1) }).optional(),
  source: SourceKindSchema,
  settledAfterDays: z.number().int().min(0).max(MAX_SETTLED_DAYS).optional(),
  valueLabels: z.record(z.string().min(1), z.string().min(1).max(MAX_VALUE_LABEL_LENGTH)).optional(),
}).refine(
  (rule) => {
    // One set of the rule's values for all its labels: a list built anew per label took seconds for an imported rule of 40,000.
    const values = new Set(valuesOfRule(rule));
    return Object.keys(rule.valueLabels ?? {}).every((value) => values.has(value));
  },
  { message: "labels only the rule's own values", path: ['valueLabels'] },
);
export type ModelOutcomeRule = z.infer<typeof ModelOutcomeRuleSchema>;

/**
 * A CRM's label for a value as LeadLens records and shows it: what a reader can see of it
 * (`visibleText`: no control that would reorder the words around it), trimmed, cut to
 * MAX_LABEL_CHARS as a model's other labels are; '' when nothing visible is left, and the value
 * is shown instead. A portal's label comes from whoever set up its stages.
 */
export const valueLabelAsShown = (label: string): string => clipWithEllipsis(visibleText(label).trim(), MAX_LABEL_CHARS);

/**
 * The labels a model records with `rule` (`ModelOutcomeRule.valueLabels`): of `labelsByField`
 * (field → value → label, as a CRM's pages show its choice fields' values), those of the rule's
 * own values in the field it reads them from, as shown (`valueLabelAsShown`), where that is
 * neither empty nor the value itself; undefined when none is. A value the status field shares
 * with the outcome field keeps the outcome field's label.
 */
export function ruleValueLabels(rule: OutcomeRule, labelsByField: Readonly<Record<string, Readonly<Record<string, string>>>>): ValueLabels | undefined {
  const labelled = (field: string, values: readonly string[]) => {
    const labels = Object.hasOwn(labelsByField, field) ? labelsByField[field] : {};
    return values.flatMap((value): [string, string][] => {
      const label = Object.hasOwn(labels, value) ? valueLabelAsShown(labels[value]) : '';
      return label !== '' && label !== value ? [[value, label]] : [];
    });
  };
  const entries = [...labelled(rule.field, [...rule.positiveValues, ...(rule.openValues ?? [])]), ...(rule.openStatus ? labelled(rule.openStatus.field, rule.openStatus.values) : [])];
  // fromEntries keeps the last of a value: the outcome field's label goes last. Own properties, `__proto__` too.
  const valueLabels = Object.fromEntries(entries.reverse());
  return entries.length > 0 ? valueLabels : undefined;
}

/**
 * The age in days from which a lead's outcome counts as known for the model of `rule`: the
 * minimum age it was trained with; `OUTCOME_SETTLED_DAYS` for a model that recorded none, or
 * has no rule (the bundled model, an imported one: their figures read the stored outcomes).
 */
export const settledDaysOf = (rule?: Pick<ModelOutcomeRule, 'settledAfterDays'>): number => rule?.settledAfterDays ?? OUTCOME_SETTLED_DAYS;

/**
 * What the ages of the stored leads a figure reads are counted to, as said beside it: today for a
 * CRM's leads, synced as of now; an imported file's latest created date (`windowCountedFrom`) for
 * the file's leads, `fileDate`: all the leads (`file`, a model trained on the file), or beside
 * other sources' leads counted to today (`file and today`, a model without a rule, which reads
 * every source's stored outcomes).
 */
export type AgesCountedTo = { kind: 'today' } | { kind: 'file' | 'file and today'; fileDate: number };

/** Ages counted to today, as a CRM's leads' are. */
export const AGES_COUNTED_TO_TODAY: AgesCountedTo = { kind: 'today' };

/**
 * What the ages of the stored leads the figures on the model of `rule` (none: the bundled or an
 * imported model) read are counted to: a model trained on a CRM reads its leads, counted to
 * today; any other reads a file's, counted to `fileDate`, the file's latest created date
 * (`fileLeadsAsOf`; null when a file's leads count to today too: none dated is stored, or its latest is of now).
 */
export function agesCountedTo(rule: Pick<ModelOutcomeRule, 'source'> | undefined, fileDate: number | null): AgesCountedTo {
  if (fileDate === null || (rule !== undefined && rule.source !== 'csv')) return AGES_COUNTED_TO_TODAY;
  return { kind: rule ? 'file' : 'file and today', fileDate };
}

/** `30 or more days before Mar 12, 2024, the file's latest created date` */
const daysBeforeFileDate = (days: number, fileDate: number) => `${days} or more days before ${formatDay(fileDate, 'file')}, the file's latest created date`;

/**
 * Which leads' outcomes count, as said in parentheses after "a known outcome": `created 90 or
 * more days ago, or learnt from`; `however new` with no minimum age (every lead counts then).
 * A file's leads count to its latest created date (`countedTo`), not today: `created 90 or more
 * days before Mar 12, 2024, the file's latest created date`. A lead with no created date counts
 * whatever its age (`outcomeSettled`): `undated` says whether some (`…, or with no created date`)
 * or all (`with no created date`) of the leads counted have none.
 */
export function describeSettledLeads(settledAfterDays: number, learntFrom: boolean, countedTo: AgesCountedTo, undated: 'none' | 'some' | 'all' = 'none'): string {
  if (settledAfterDays === 0) return 'however new';
  // Each of them counts whatever its age: no minimum age to say.
  if (undated === 'all') return 'with no created date';
  const created =
    countedTo.kind === 'today'
      ? `created ${settledAfterDays} or more days ago`
      : countedTo.kind === 'file'
        ? `created ${daysBeforeFileDate(settledAfterDays, countedTo.fileDate)}`
        : `created ${settledAfterDays} or more days ago, an imported file's leads ${daysBeforeFileDate(settledAfterDays, countedTo.fileDate)}`;
  return `${created}${undated === 'some' ? ', or with no created date' : ''}${learntFrom ? ', or learnt from' : ''}`;
}

/**
 * When a lead's outcome counts, as a clause: `a lead's outcome counts once it is 90 days old, or
 * the model learnt from it`; `a lead's outcome counts however new it is` with no minimum age.
 * A file's lead's age counts to the file's latest created date (`countedTo`), not today: `a
 * lead's outcome counts if it was created 90 or more days before Mar 12, 2024, the file's latest created date`.
 */
export function describeWhenOutcomeCounts(settledAfterDays: number, learntFrom: boolean, countedTo: AgesCountedTo): string {
  if (settledAfterDays === 0) return "a lead's outcome counts however new it is";
  const old = `once it is ${settledAfterDays} ${settledAfterDays === 1 ? 'day' : 'days'} old`;
  const when =
    countedTo.kind === 'today'
      ? old
      : countedTo.kind === 'file'
        ? `if it was created ${daysBeforeFileDate(settledAfterDays, countedTo.fileDate)}`
        : `${old}, an imported file's lead's if it was created ${daysBeforeFileDate(settledAfterDays, countedTo.fileDate)}`;
  return `a lead's outcome counts ${when}${learntFrom ? ', or the model learnt from it' : ''}`;
}

/** A value as the rule compares it: trimmed, lower-case. */
export const comparedAs = (text: string): string => text.trim().toLowerCase();

/**
 * Each list of values compared → its values as compared. A rule's lists are compared with every
 * stored lead, and an imported one may list 1,000 values of 1,000 characters: each is trimmed and
 * lower-cased once, not once per lead. Keyed by the list itself (no list is edited in place: an
 * edited rule is a new one), so that an entry goes with its list.
 */
const comparedLists = new WeakMap<readonly string[], ReadonlySet<string>>();

function comparedValues(values: readonly string[]): ReadonlySet<string> {
  let compared = comparedLists.get(values);
  if (compared === undefined) {
    compared = new Set(values.map(comparedAs));
    comparedLists.set(values, compared);
  }
  return compared;
}

/** Whether the field's value is one of `values`, as the rule compares them: as trimmed text, case-insensitively. */
export function holdsOneOf(fields: RawRecord, field: string, values: readonly string[]): boolean {
  const value = fields[field];
  if (value === null || value === undefined) return false;
  const text = comparedAs(String(value));
  // A list of one (the badge's check builds one per call) is compared as it is: its set would cost more than it saves.
  return values.length === 1 ? comparedAs(values[0]) === text : comparedValues(values).has(text);
}

export function isConverted(fields: RawRecord, rule: OutcomeRule): boolean {
  return holdsOneOf(fields, rule.field, rule.positiveValues);
}

/**
 * What the rule says of a lead: 1 converted, 0 not, `open` when its outcome field says it has
 * no outcome yet (empty, a placeholder `isMissingRaw` knows, or one of the rule's
 * `openValues`), `being worked` when it did not convert and its `openStatus` field says it
 * is still being worked. Training an open lead as "not converted" would teach the model that
 * open leads never convert, and the younger a lead the likelier it is still open. A boolean
 * `false` (Salesforce `IsConverted`) is a known 0 unless the lead's status says otherwise.
 */
export function outcomeOrWhyNot(fields: RawRecord, rule: OutcomeRule): 0 | 1 | 'open' | 'being worked' {
  if (isMissingRaw(fields[rule.field])) return 'open';
  if (isConverted(fields, rule)) return 1;
  if (rule.openValues && holdsOneOf(fields, rule.field, rule.openValues)) return 'open';
  if (rule.openStatus && holdsOneOf(fields, rule.openStatus.field, rule.openStatus.values)) return 'being worked';
  return 0;
}

/** 1 converted, 0 not, null when the lead has no outcome yet (see `outcomeOrWhyNot`). */
export function outcomeOf(fields: RawRecord, rule: OutcomeRule): 0 | 1 | null {
  const outcome = outcomeOrWhyNot(fields, rule);
  return typeof outcome === 'number' ? outcome : null;
}

/**
 * A stored lead's outcome by a model's rule, as every figure on stored leads reads it (the
 * options page's previews, the side panel's conversion rates): null (unknown) for a lead of
 * another source, whose fields may mean something else, or outside the history of the source
 * the model was trained on (`inHistory`: its demo leads once it has leads of its own); else
 * `outcomeOf` its fields.
 */
export function modelOutcomeOf(lead: { key: string; source: SourceKind; fields: RawRecord }, rule: ModelOutcomeRule, inHistory: (leadKey: string) => boolean): 0 | 1 | null {
  return lead.source === rule.source && inHistory(lead.key) ? outcomeOf(lead.fields, rule) : null;
}

/**
 * How each of `values`, shown side by side, reads: its label (`labels`, as shown:
 * `valueLabelAsShown`) where it has one, else the value itself, outside text as every page shows
 * it (`shownLabel`). A label that reads like another of `values` (in any case, as the rule
 * compares them), or like another's label, is followed by its value: "Customer (opportunity)",
 * so that no two values read alike, nor one as another. Labels come from a portal's stages or an
 * imported model, set by anyone.
 */
export function valuesAsShown(values: readonly string[], labels: Readonly<ValueLabels> = {}): Map<string, string> {
  const readings = [...new Set(values)].map((value) => ({
    value,
    plain: shownLabel(value),
    label: Object.hasOwn(labels, value) ? valueLabelAsShown(labels[value]) : '',
  }));
  // Each way a value reads (as itself, by its label) → the values that read so.
  const readBy = new Map<string, Set<string>>();
  const note = (text: string, value: string) => readBy.set(text.toLowerCase(), (readBy.get(text.toLowerCase()) ?? new Set<string>()).add(value));
  for (const { value, plain, label } of readings) {
    note(plain, value);
    if (label !== '') note(label, value);
  }
  return new Map(
    readings.map(({ value, plain, label }) => {
      if (label === '') return [value, plain];
      return [value, readBy.get(label.toLowerCase())!.size > 1 ? `${label} (${plain})` : label];
    }),
  );
}

/** "a", "a or b", "a, b or c": each value as `shown` reads it (`valuesAsShown`). */
function eitherOf(values: readonly string[], shown: ReadonlyMap<string, string>): string {
  const read = values.map((value) => shown.get(value)!);
  return read.length === 1 ? read[0] : `${read.slice(0, -1).join(', ')} or ${read.at(-1)}`;
}

/**
 * The CRMs' standard status fields, which LeadLens suggests a rule on, as each CRM's own pages
 * label them (Salesforce's field labels; HubSpot's in the sentence case its pages use), by
 * `fieldIdentity`. `lifecyclestage` is HUBSPOT_LIFECYCLE_FIELD, written out: hubspot-lifecycle imports this module.
 */
const CRM_FIELD_LABELS: Record<CrmKind, ReadonlyMap<string, string>> = {
  salesforce: new Map([
    ['isconverted', 'Converted'],
    ['status', 'Lead Status'],
  ]),
  hubspot: new Map([
    ['lifecyclestage', 'Lifecycle stage'],
    ['hs_lead_status', 'Lead status'],
  ]),
};

/**
 * A field a rule reads as a rep knows it: a CRM's standard status field by the label its pages
 * show (Salesforce's `IsConverted` is "Converted", HubSpot's `lifecyclestage` "Lifecycle stage");
 * any other, a file's column, and any field of a `source` not known, by its name (`shownLabel`).
 */
export function fieldInWords(field: string, source?: SourceKind): string {
  const label = source === undefined || source === 'csv' ? undefined : CRM_FIELD_LABELS[source].get(fieldIdentity(source, field));
  return label ?? shownLabel(field);
}

/** `"Lead Status" is Open - Not Contacted or Working - Contacted`, each value as `shown` reads it, the field as `source` names it (`fieldInWords`). */
const openStatusInWords = ({ field, values }: OpenStatus, shown: ReadonlyMap<string, string>, source?: SourceKind) =>
  `"${fieldInWords(field, source)}" is ${eitherOf(values, shown)}`;

/** Still being worked by the rule's `openStatus`: `"Status" is Open - Not Contacted or Working - Contacted`, a value labelled by `valueLabels`. */
export function describeOpenStatus(openStatus: OpenStatus, valueLabels?: Readonly<ValueLabels>): string {
  return openStatusInWords(openStatus, valuesAsShown(openStatus.values, valueLabels));
}

/**
 * The rule as an admin set it: `"Status" is Closed - Converted (still open while Working - Contacted)`.
 * Of a model's rule, whose `source` is known, a CRM's status field reads as its pages label it
 * (`fieldInWords`), and Salesforce's own conversion as what it means: `the lead was converted into
 * an account and contact (still being worked while "Lead Status" is Working - Contacted)`; a rule of no known source names its fields as the API does. A model's rule
 * shows a value by the label the CRM's pages showed for it, where it recorded one
 * (`valueLabels`): `"Lifecycle stage" is Product Qualified Lead, Opportunity or Customer`. Always
 * the list, not "reached Product Qualified Lead": the stages it names are those in the portal's
 * order when it trained, which the model does not record (nor did an older one trained in
 * HubSpot's default order, or on one stage alone).
 */
export function describeOutcomeRule(rule: OutcomeRule & Pick<ModelOutcomeRule, 'valueLabels'> & Partial<Pick<ModelOutcomeRule, 'source'>>): string {
  const { field, positiveValues, openValues = [], openStatus, valueLabels, source } = rule;
  // All the rule's values read apart: a converted one's label must not read as an open one.
  const shown = valuesAsShown(valuesOfRule(rule), valueLabels);
  const leftOut = [
    ...(openValues.length > 0 ? [`still open while ${eitherOf(openValues, shown)}`] : []),
    ...(openStatus ? [`still being worked while ${openStatusInWords(openStatus, shown, source)}`] : []),
  ];
  const converted = isSalesforceConversion(rule, source) ? SALESFORCE_CONVERSION_IN_WORDS : `"${fieldInWords(field, source)}" is ${eitherOf(positiveValues, shown)}`;
  return `${converted}${leftOut.length > 0 ? ` (${leftOut.join('; ')})` : ''}`;
}

/** Salesforce's own conversion, IsConverted true, as what it means: not `"Converted" is true`, which says the word twice over. */
const SALESFORCE_CONVERSION_IN_WORDS = 'the lead was converted into an account and contact';

/** Whether `rule` of `source` counts Salesforce's own conversion: IsConverted is true (and nothing else), a value the CRM labelled no other way. */
const isSalesforceConversion = ({ field, positiveValues, valueLabels }: OutcomeRule & Pick<ModelOutcomeRule, 'valueLabels'>, source?: SourceKind) =>
  source === 'salesforce' &&
  fieldIdentity(source, field) === 'isconverted' &&
  positiveValues.length === 1 &&
  comparedAs(positiveValues[0]) === 'true' &&
  valueLabels?.[positiveValues[0]] === undefined;

/** Each source as the pages name it: `Salesforce`, `HubSpot`, `imported CSV`. */
export const SOURCE_NAMES: Record<ModelOutcomeRule['source'], string> = { salesforce: 'Salesforce', hubspot: 'HubSpot', csv: 'imported CSV' };

/** The leads a model trained here learnt from, as it records them (`provenance.source`): `HubSpot leads`, `imported CSV demo leads`. */
export const trainedSourceName = (source: ModelOutcomeRule['source'], demo = false): string => `${SOURCE_NAMES[source]}${demo ? ' demo' : ''} leads`;

/** What an older LeadLens recorded as the source of a model trained here (`hubspot leads`, `csv demo leads`), with the name recorded now. */
const SOURCE_NAME_OF_OLDER = new Map<string, string>(
  (Object.keys(SOURCE_NAMES) as ModelOutcomeRule['source'][]).flatMap((source) => [false, true].map((demo) => [`${source}${demo ? ' demo' : ''} leads`, trainedSourceName(source, demo)] as const)),
);

/**
 * The leads a model learnt from (`provenance.source`) as the pages name them: one an older LeadLens
 * trained reads `HubSpot leads` for the `hubspot leads` its manifest keeps as it was stored; any
 * other source, a file or text the CLI recorded, as it is.
 */
export const modelSourceName = (source: string): string => SOURCE_NAME_OF_OLDER.get(source) ?? source;

/** The sources a model trained here records (`trainedSourceName`), as LeadLens records them now. */
const SOURCES_TRAINED_HERE: ReadonlySet<string> = new Set(SOURCE_NAME_OF_OLDER.values());

/**
 * Whether a model is dated by its data rather than by when it was trained: its `createdAt` is its
 * reference time, the latest date in the file it learnt from (or the --now it was given), as the
 * command line dates a model, so that the same data and seed train the same bytes whatever the day.
 * A model trained here is dated when its training ended (an older LeadLens dated one trained on a
 * CRM's leads by the same moment as its reference time): told by the leads it records it learnt from.
 */
export const datedByItsData = ({ createdAt, provenance }: Pick<Manifest, 'createdAt' | 'provenance'>): boolean =>
  !SOURCES_TRAINED_HERE.has(modelSourceName(provenance.source)) && Date.parse(createdAt) === Date.parse(provenance.referenceTime);

/** What a model dated by its data (`datedByItsData`) is dated by, before its day. */
export const DATA_AS_OF = 'data as of';

/**
 * When a model was made, in words: "trained Dec 7, 2026", or "data as of Feb 28, 2026" for one
 * dated by its data (`datedByItsData`), on its data's clock: a file's latest date as the file wrote it.
 */
export const modelDateWords = (manifest: Pick<Manifest, 'createdAt' | 'provenance'>): string =>
  datedByItsData(manifest) ? `${DATA_AS_OF} ${formatDay(manifest.createdAt, 'file')}` : `trained ${formatDay(manifest.createdAt)}`;

/** A model's rule with the leads it applies to: `"Lifecycle stage" is customer, for HubSpot leads`. */
export function describeModelOutcome(rule: ModelOutcomeRule): string {
  return `${describeOutcomeRule(rule)}, for ${SOURCE_NAMES[rule.source]} leads`;
}
