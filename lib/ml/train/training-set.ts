/**
 * From stored leads to the trainer's input: which leads (the window), what "converted" means
 * (the outcome rule; leads with no outcome yet are left out, and counted), which fields can
 * become features (the catalogue's specs, mapped to the fields the data has, plus the data's
 * other fields, inferred), and what the leakage guard says about each before anything is
 * trained. Pure, no browser APIs: the training worker and the tests run it.
 */
import { z } from 'zod';
import { CRM_KINDS, CRM_LABEL, SOURCE_KINDS, type CrmKind } from '../../crm/types';
import { crmFieldNamesOf } from '../../crm/export-headers';
import { featurizeRecords, looseKey, type RawRecord, type SourceKind } from '../featurize';
import { daysBetween } from '../derive';
import { fieldSourcesOf, fieldsRead, withOptionLabels, type Feature, type FeatureSpec, type FieldSources } from '../manifest';
import { describeOpenStatus, fieldsOfRule, outcomeOrWhyNot, type OutcomeRule } from '../outcome-rule';
import { formatDay, plural, type DayClock } from '../../presentation';
import { namesCreatedColumn } from '../../csv/mapping';
import { listInWords } from '../../list-in-words';
import type { Table } from '../../csv/parse';
import { buildFeatures, buildLabels, inferFeatureSpecs } from './dataset';
import { TrainingDataError } from './errors';
import { EMPTY_WINDOW_ADVICE } from './data-size';
import { keepsCountingAfterOutcome, knownAfterOutcome, leakageReport } from './leakage';

// The rule lives in its own light module (a model's manifest records it); training's users read it here too.
export { isConverted, outcomeOf, OutcomeRuleSchema, windowCountedFrom, type OutcomeRule } from '../outcome-rule';

/** The label column the trainer reads; no CRM field or CSV column has this name. */
export const OUTCOME_COLUMN = '__leadlens_converted';

/**
 * Leads created in [createdAfter, createdBefore] (epoch ms): recent, and old enough to have an
 * outcome. With neither end, every lead, dated or not: the form's for a history with no created date.
 * The form counts it back from the time of the request; the training job counts a file's back
 * from the file's own present instead (`windowCountedFrom`, `windowCountedBackFrom`).
 */
export const TrainingWindowSchema = z.object({
  createdAfter: z.number().nullable(),
  createdBefore: z.number().nullable(),
});
export type TrainingWindow = z.infer<typeof TrainingWindowSchema>;

/** `window`, counted back from `now`, counted back from `from` instead: both ends move by the time between, keeping its months and minimum age. */
export function windowCountedBackFrom(window: TrainingWindow, now: number, from: number): TrainingWindow {
  const moved = (end: number | null) => (end === null ? null : end - (now - from));
  return { createdAfter: moved(window.createdAfter), createdBefore: moved(window.createdBefore) };
}

/**
 * The window in words, its days on `clock`, its leads' (`dayClockOf` their source: a file's dates
 * as it wrote them): "created Dec 12, 2024 to Nov 12, 2025", from the first day it lets in.
 */
export function describeWindow({ createdAfter, createdBefore }: TrainingWindow, clock: DayClock = 'browser'): string {
  const day = (at: number) => formatDay(at, clock);
  if (createdAfter !== null && createdBefore !== null) return `created ${day(createdAfter)} to ${day(createdBefore)}`;
  if (createdAfter !== null) return `created ${day(createdAfter)} or later`;
  if (createdBefore !== null) return `created ${day(createdBefore)} or earlier`;
  return 'all, whatever their created date';
}

/** What the trainer needs of a stored lead. */
export interface HistoryLead {
  /** The stored lead's key (`${source}|${id}`), to pair its row with its held-out probability. */
  key: string;
  createdAt: number;
  fields: RawRecord;
}

export interface LeadsInWindow<T> {
  leads: T[];
  /** Left out because a window is set and their created date is unknown (0: missing or unreadable). */
  withoutCreatedDate: number;
}

/** Whether a lead created at `createdAt` is inside `window`, or left out for want of a created date (a window is set and it is unknown: 0). */
export function placeInWindow(createdAt: number, window: TrainingWindow): 'inside' | 'outside' | 'undated' {
  if (window.createdAfter === null && window.createdBefore === null) return 'inside';
  if (createdAt <= 0) return 'undated';
  return (window.createdAfter === null || createdAt >= window.createdAfter) && (window.createdBefore === null || createdAt <= window.createdBefore) ? 'inside' : 'outside';
}

/** Leads inside the window; with a window set, leads whose creation date is unknown (0) are left out and counted. */
export function leadsInWindow<T extends Pick<HistoryLead, 'createdAt'>>(leads: readonly T[], window: TrainingWindow): LeadsInWindow<T> {
  const inWindow: T[] = [];
  let withoutCreatedDate = 0;
  for (const lead of leads) {
    const place = placeInWindow(lead.createdAt, window);
    if (place === 'undated') withoutCreatedDate++;
    else if (place === 'inside') inWindow.push(lead);
  }
  return { leads: inWindow, withoutCreatedDate };
}

export interface TrainingTable {
  table: Table;
  /** The key of the lead of each of `table`'s records. */
  leadKeys: string[];
  /** The created date of the lead of each record (epoch ms; NaN when unknown), for the out-of-time check. */
  createdAt: number[];
  /** Leads left out because their outcome is not known yet. */
  withoutOutcome: number;
  /** Leads left out because they did not convert and their status says they are still being worked (the rule's `openStatus`). */
  stillBeingWorked: number;
}

/**
 * The fields of a lead the trainer's table keeps: `every` one (a check of the data, where any
 * field may become a feature), or those named (a training's or a feature check's: the fields its
 * features and its outcome rule read).
 */
export type KeptFields = 'every' | readonly string[];

/** The fields `specs` and `rule` read of `source`'s leads: all a training or a feature check keeps of them. */
export const fieldsKeptFor = (specs: readonly FeatureSpec[], source: SourceKind, rule: Pick<OutcomeRule, 'field' | 'openStatus'>): string[] => [
  ...new Set([...fieldsRead(specs, source), ...fieldsOfRule(rule)]),
];

export interface FieldKeeper {
  /**
   * A new record of the `kept` fields of `fields`, in their order, matched ignoring case as a
   * feature reads a CRM's field (`recordKey`; a file's are mapped to its own columns first). A field without a value (null, undefined) is left out:
   * every reader takes it as missing either way; unless the lead has the same name in another
   * case too, which reading it would then find instead.
   */
  keep(fields: RawRecord): RawRecord;
  /** Every field name kept, with a value or without, in the order first met: a field empty in every lead is a column all the same. */
  readonly names: ReadonlySet<string>;
}

/**
 * Keeps of each lead only what the trainer reads, as the history is read: a table of rows ×
 * fields read, not of every lead's every property (a CRM's contacts can have hundreds, most empty).
 */
export function fieldKeeper(kept: KeptFields): FieldKeeper {
  const wanted = kept === 'every' ? null : new Set(kept.map((name) => name.toLowerCase()));
  const names = new Set<string>();
  /** Each name met: its lower case when it is kept, else null. */
  const lowerOf = new Map<string, string | null>();
  /** The first kept name met of each lower case, and the lower cases met in more than one case. */
  const spellingOf = new Map<string, string>();
  const inSeveralCases = new Set<string>();
  const lowerCaseKept = (name: string): string | null => {
    let lower = lowerOf.get(name);
    if (lower !== undefined) return lower;
    lower = name.toLowerCase();
    if (wanted !== null && !wanted.has(lower)) lower = null;
    else if (!spellingOf.has(lower)) spellingOf.set(lower, name);
    else inSeveralCases.add(lower);
    lowerOf.set(name, lower);
    return lower;
  };
  return {
    names,
    keep(fields) {
      const present = Object.keys(fields);
      // Each name is placed first, so that a lead's two cases of a name are both known before either is left out.
      for (const name of present) if (lowerCaseKept(name) !== null) names.add(name);
      const entries: [string, RawRecord[string]][] = [];
      for (const name of present) {
        const lower = lowerOf.get(name);
        if (lower === null || lower === undefined) continue;
        const value = fields[name];
        if ((value === null || value === undefined) && !inSeveralCases.has(lower)) continue;
        entries.push([name, value]);
      }
      // Own properties whatever their names, as a spread makes them ("__proto__" too).
      return Object.fromEntries(entries);
    },
  };
}

export interface TrainingTableBuilder {
  /** Labels `lead` by the rule and, when its outcome is known, keeps what the table reads of it (`fieldKeeper`). */
  add(lead: HistoryLead): void;
  /** The leads added with a known outcome as the trainer's table, and how many were left out, by why. */
  result(): TrainingTable;
}

/**
 * The trainer's table, built a lead at a time as the history is read: every field a lead has,
 * or only `kept` ones, and the outcome as "1" / "0"; no lead is held, only its record.
 */
export function trainingTableBuilder(rule: OutcomeRule, kept: KeptFields = 'every'): TrainingTableBuilder {
  const fields = fieldKeeper(kept);
  const records: RawRecord[] = [];
  const leadKeys: string[] = [];
  const createdAt: number[] = [];
  let withoutOutcome = 0;
  let stillBeingWorked = 0;
  return {
    add(lead) {
      const outcome = outcomeOrWhyNot(lead.fields, rule);
      if (outcome === 'being worked') stillBeingWorked++;
      if (outcome === 'open') withoutOutcome++;
      if (typeof outcome !== 'number') return;
      const record = fields.keep(lead.fields);
      record[OUTCOME_COLUMN] = String(outcome);
      records.push(record);
      leadKeys.push(lead.key);
      createdAt.push(lead.createdAt > 0 ? lead.createdAt : Number.NaN);
    },
    result: () => ({ table: { columns: [...fields.names, OUTCOME_COLUMN], records }, leadKeys, createdAt, withoutOutcome, stillBeingWorked }),
  };
}

/** Leads of the source left out of the rows counted, by why (see `checkedSelection`). */
export const LeftOutSchema = z.object({
  /** A window is set and their created date is missing or unreadable. */
  withoutCreatedDate: z.number().int().nonnegative(),
  /** Their outcome field is empty: still open, neither converted nor not. */
  withoutOutcome: z.number().int().nonnegative(),
  /** They did not convert and their status says they are still being worked (the rule's `openStatus`). */
  stillBeingWorked: z.number().int().nonnegative(),
});
export type LeftOut = z.infer<typeof LeftOutSchema>;

export interface TrainingSelection extends LeftOut, Omit<TrainingTable, 'withoutOutcome' | 'stillBeingWorked'> {}

/**
 * The selection of `window` read (`built`: the table of the leads inside it) out of `stored`
 * leads, `withoutCreatedDate` of them left out for want of a created date. Throws
 * `TrainingDataError` saying whether the history, the window or the outcome left no lead at all
 * (the window's days on `clock`, its leads': `dayClockOf` their source).
 */
export function checkedSelection(
  built: TrainingTable,
  { window, stored, withoutCreatedDate }: { window: TrainingWindow; stored: number; withoutCreatedDate: number },
  rule: OutcomeRule,
  clock: DayClock,
): TrainingSelection {
  const { table, leadKeys, createdAt, withoutOutcome, stillBeingWorked } = built;
  const inWindow = table.records.length + withoutOutcome + stillBeingWorked;
  if (inWindow === 0) {
    // Nothing stored: no window, however wide, holds a lead.
    if (stored === 0) throw new TrainingDataError('No lead of this source is stored: sync its CRM or import a file to train on.');
    if (withoutCreatedDate > 0 && withoutCreatedDate === stored) {
      throw new TrainingDataError(
        `None of the ${plural(stored, 'stored lead', 'stored leads')} of this source has a readable created date, so none can be placed in the window. ` +
          'For a CSV import, choose the column that holds the created date (and check its dates read as dates).',
      );
    }
    const unreadable = withoutCreatedDate > 0 ? ` (${plural(withoutCreatedDate, 'more lead has', 'more leads have')} no readable created date)` : '';
    throw new TrainingDataError(`No stored lead of this source is in the window: none was ${describeWindow(window, clock)}${unreadable}. ${EMPTY_WINDOW_ADVICE}`);
  }
  if (table.records.length === 0) {
    const open = rule.openValues?.length ? ` or says they are still open (${rule.openValues.join(', ')})` : '';
    const beingWorked = rule.openStatus ? `, or they are still being worked (${describeOpenStatus(rule.openStatus)})` : '';
    throw new TrainingDataError(
      `None of the ${plural(inWindow, 'lead', 'leads')} in the window has an outcome yet: ` +
        `"${rule.field}" is empty on all of them${open}${beingWorked}, so there is nothing to learn from. ` +
        'Choose the field that says whether a lead converted, or a window of older leads.',
    );
  }
  return { table, leadKeys, createdAt, withoutCreatedDate, withoutOutcome, stillBeingWorked };
}

/** The left-out counts in plain words, one sentence each; none when nothing was left out. `rule`: the outcome rule that counted them. */
export function describeLeftOut({ withoutCreatedDate, withoutOutcome, stillBeingWorked }: LeftOut, rule: OutcomeRule): string[] {
  return [
    ...(withoutOutcome > 0 ? [`${plural(withoutOutcome, 'lead has', 'leads have')} no outcome yet and ${withoutOutcome === 1 ? 'is' : 'are'} left out.`] : []),
    ...(stillBeingWorked > 0 && rule.openStatus
      ? [`${plural(stillBeingWorked, 'lead', 'leads')} still being worked ${stillBeingWorked === 1 ? 'is' : 'are'} left out: ${describeOpenStatus(rule.openStatus)}.`]
      : []),
    ...(withoutCreatedDate > 0
      ? [`${plural(withoutCreatedDate, 'lead has', 'leads have')} no readable created date and ${withoutCreatedDate === 1 ? 'is' : 'are'} outside the window.`]
      : []),
  ];
}

/** The fields a spec reads for `source` (two for a ratio). */
function specFields(spec: Pick<FeatureSpec, 'derive'>, source: SourceKind): (string | undefined)[] {
  return fieldSourcesOf(spec.derive).map((from) => from[source]);
}

/** The field a single-field spec reads for `source` (null for a ratio of two fields, which the admin cannot change). */
export function fieldOf(spec: Pick<FeatureSpec, 'derive'>, source: SourceKind): string | null {
  return spec.derive.kind === 'ratio' ? null : (spec.derive.from[source] ?? null);
}

/**
 * The data's field for a catalogue feature: the name the catalogue gives for this source,
 * else a field whose name matches one of the feature's other names or its key, ignoring
 * case and punctuation in any script (`Lead Source` ↔ `lead_source` ↔ `LeadSource`,
 * `売上 高` ↔ `売上高`), its CRM fields' export headers among them (`fieldFor`). A name with no
 * letter or digit matches none. Null when none fits. A ratio's two fields: `ratioFor`.
 */
export function suggestField(spec: FeatureSpec, source: SourceKind, fields: readonly string[]): string | null {
  if (spec.derive.kind === 'ratio') return null;
  return fieldFor(spec.derive.from, source, fields, [spec.key, spec.label]);
}

/**
 * The data's field for one of a feature's field sources `from`: its name for `source`, else the
 * first field named as it is for another source, under a header Salesforce's reports or HubSpot's
 * exports write for its CRM fields (`crmFieldNamesOf`: "No. of Employees" for NumberOfEmployees,
 * "Country/Region" for country), or as one of `otherNames`, compared by `looseKey`.
 */
function fieldFor(from: FieldSources, source: SourceKind, fields: readonly string[], otherNames: readonly string[] = []): string | null {
  const own = from[source];
  if (own !== undefined && fields.includes(own)) return own;
  const names = [own, ...crmFieldNamesOf(from), from.csv, ...otherNames].filter((n): n is string => n !== undefined);
  const wanted = new Set(names.map(looseKey).filter((name) => name !== ''));
  return fields.find((field) => wanted.has(looseKey(field))) ?? null;
}

/** A catalogue ratio reading the data's fields for its two parts (`fieldFor`), or null when the data lacks either. */
function ratioFor(spec: FeatureSpec, source: SourceKind, fields: readonly string[]): FeatureSpec | null {
  if (spec.derive.kind !== 'ratio') return null;
  const { numerator, denominator } = spec.derive;
  const [over, under] = [fieldFor(numerator, source, fields), fieldFor(denominator, source, fields)];
  if (over === null || under === null) return null;
  return { ...spec, derive: { ...spec.derive, numerator: { ...numerator, [source]: over }, denominator: { ...denominator, [source]: under } } };
}

/** Whether `field` is one the catalogue names `spec`'s field for `source` by (`suggestField` would pick it), not another field the admin moved it to. */
export const namesCatalogueField = (spec: FeatureSpec, source: SourceKind, field: string): boolean => suggestField(spec, source, [field]) === field;

/**
 * `spec` reading `field` for `source` (a single-field spec); the labels it knew for another field
 * of `source` are not this one's. Moved to a field the catalogue does not name it by (an org's
 * revenue in thousands in a custom field), it keeps no other source's field (`withoutFieldsOf`):
 * theirs are the catalogue's, which need not hold what that field holds. `movedFieldNote` says so.
 */
export function mapSpec(spec: FeatureSpec, source: SourceKind, field: string): FeatureSpec {
  if (spec.derive.kind === 'ratio') return spec;
  const mapped = { ...spec, derive: { ...spec.derive, from: { ...spec.derive.from, [source]: field } } };
  const relabelled = source === 'csv' || spec.derive.from[source] === field ? mapped : withoutLabelsOf(mapped, [source]);
  return namesCatalogueField(spec, source, field) ? relabelled : withoutFieldsOf(relabelled, SOURCE_KINDS.filter((other) => other !== source));
}

/** The field `crm` gives `spec`'s category from, if it reads one as it is: a choice list, whose options its pages may label otherwise. */
const choiceFieldOf = ({ type, derive }: FeatureSpec, crm: CrmKind): string | undefined => (type === 'categorical' && derive.kind === 'value' ? derive.from[crm] : undefined);

/** The fields `crm` gives `specs`' categories from (`choiceFieldOf`). */
export function choiceFieldsOf(specs: readonly FeatureSpec[], crm: CrmKind): string[] {
  return [...new Set(specs.flatMap((spec) => choiceFieldOf(spec, crm) ?? []))];
}

/**
 * `specs` with the labels `crm`'s pages show their choice fields' values by (`labels`: field →
 * value → label, as the CRM's API defines them), which replace the catalogue's for a field the
 * CRM answers for: an admin may have renamed an option. The trainer keeps those of the levels it learns.
 */
export function withCrmOptionLabels(specs: readonly FeatureSpec[], crm: CrmKind, labels: Readonly<Record<string, Readonly<Record<string, string>>>>): FeatureSpec[] {
  return specs.map((spec) => {
    const field = choiceFieldOf(spec, crm);
    if (spec.derive.kind !== 'value' || field === undefined || !Object.hasOwn(labels, field)) return spec;
    return { ...spec, derive: { ...spec.derive, optionLabels: { ...spec.derive.optionLabels, [crm]: labels[field] } } };
  });
}

/** `spec` without the page labels (`optionLabels`) it knows for `crms`. */
function withoutLabelsOf(spec: FeatureSpec, crms: readonly CrmKind[]): FeatureSpec {
  if (spec.derive.kind !== 'value' || !spec.derive.optionLabels) return spec;
  return { ...spec, derive: withOptionLabels(spec.derive, { ...spec.derive.optionLabels, ...Object.fromEntries(crms.map((crm) => [crm, undefined])) }) };
}

/**
 * The CRMs other than `source` whose field `spec` would read although a model trained on
 * `source`'s history never saw their values: those of a feature whose levels are its field's raw
 * values, which each CRM words its own way (Salesforce's lead source "Web" is HubSpot's
 * "ORGANIC_SEARCH"). Any other feature reads the same from the catalogue's field of any source: a
 * number, a yes / no, a date, a title's seniority, a page's kind, an e-mail's domain kind (moved to
 * a field of the admin's own, it keeps no other source's field: `mapSpec`). None for a CSV history:
 * where the file came from is unknown, so it keeps every CRM's field as before.
 */
function crmsWithUnseenValues(spec: FeatureSpec, source: SourceKind): CrmKind[] {
  if (source === 'csv' || spec.derive.kind !== 'value' || spec.type !== 'categorical') return [];
  const { from } = spec.derive;
  return CRM_KINDS.filter((crm) => crm !== source && from[crm] !== undefined);
}

/**
 * `spec` without its fields of `sources`. The one active model scores every CRM's pages and
 * imported leads; a feature with no field there is left out of the score and its explanation,
 * rather than read as "other". `crmsWithUnseenValues` keeps the CSV column: leads imported from a
 * file are read by it, and which CRM a file came from is unknown, as when training on one.
 */
function withoutFieldsOf(spec: FeatureSpec, sources: readonly SourceKind[]): FeatureSpec {
  if (spec.derive.kind === 'ratio') return spec;
  const from = { ...spec.derive.from };
  for (const source of sources) delete from[source];
  return withoutLabelsOf({ ...spec, derive: { ...spec.derive, from } }, CRM_KINDS.filter((crm) => sources.includes(crm)));
}

/** "`labels` is read on `source`'s pages only" (from imported files, for a file's history): the start of a note naming features no other source's field is read for. */
function readOnlyOn(labels: readonly string[], source: SourceKind): string {
  const where = source === 'csv' ? 'from imported files' : `on ${CRM_LABEL[source]} pages`;
  return `${listInWords(labels)} ${labels.length === 1 ? 'is' : 'are'} read ${where} only`;
}

/** The note naming the features a model trained on `source` reads on its pages only (`crmsWithUnseenValues`): none when there are none. */
function readOnlyOnNotes(labels: readonly string[], source: SourceKind): string[] {
  if (labels.length === 0 || source === 'csv') return [];
  const others = CRM_KINDS.filter((crm) => crm !== source).map((crm) => `${CRM_LABEL[crm]}'s`).join(' and ');
  return [`${readOnlyOn(labels, source)}: ${others} values for ${labels.length === 1 ? 'it' : 'them'} are not in this history.`];
}

/**
 * The note of feature `spec` moved to `field` for `source`, a field the catalogue does not name
 * it by, which it reads there only (`mapSpec`), naming the other sources whose field it no longer
 * reads; null for one of the catalogue's fields, a ratio, or a feature no other source has a field for.
 */
export function movedFieldNote(spec: FeatureSpec, source: SourceKind, field: string): string | null {
  if (spec.derive.kind === 'ratio' || namesCatalogueField(spec, source, field)) return null;
  const { from } = spec.derive;
  const dropped = SOURCE_KINDS.filter((other) => other !== source && from[other] !== undefined);
  if (dropped.length === 0) return null;
  const crms = CRM_KINDS.filter((crm) => dropped.includes(crm));
  const leftOutBy = [
    ...(crms.length > 0 ? [`badges on ${listInWords(crms.map((crm) => CRM_LABEL[crm]))} pages`] : []),
    ...(dropped.includes('csv') ? ['leads imported from a file'] : []),
  ];
  const fields = dropped.length === 1 ? 'field' : 'fields';
  return `${readOnlyOn([spec.label], source)}: its ${fields} elsewhere need not hold what "${field}" holds, so ${listInWords(leftOutBy)} leave it out.`;
}

export interface CandidateFeature {
  spec: FeatureSpec;
  /** `catalogue`: a known feature mapped to the data's field; `inferred`: another field of the data. */
  origin: 'catalogue' | 'inferred';
}

interface Candidates {
  candidates: CandidateFeature[];
  /** What the trainer's inference said of the data's other fields: dropped (constant, empty, an identifier) or read with care. */
  notes: string[];
}

/**
 * Every feature the data could train: the catalogue's features the data has a field for
 * (mapped by `suggestField`; one whose values are its CRM's own words keeps no other CRM's field:
 * `crmsWithUnseenValues`, which a note names), then the data's other fields as the trainer infers them. The
 * fields the outcome rule labels leads by (`ruleFields`: `fieldsOfRule`) are never candidates,
 * nor are the fields LeadLens wrote its scores to (`writtenBack`, present in the data), which a note names.
 */
export function candidateFeatures(catalogue: readonly FeatureSpec[], table: Table, source: SourceKind, ruleFields: readonly string[], writtenBack: readonly string[] = []): Candidates {
  const fields = table.columns.filter((name) => name !== OUTCOME_COLUMN && !ruleFields.includes(name) && !writtenBack.includes(name));
  const used = new Set<string>();
  const keys = new Set<string>();
  const candidates: CandidateFeature[] = [];
  const readOnlyOnSource: string[] = [];
  for (const spec of catalogue) {
    if (keys.has(spec.key)) continue;
    let mapped: FeatureSpec | null = null;
    if (spec.derive.kind === 'ratio') mapped = ratioFor(spec, source, fields);
    else {
      const field = suggestField(spec, source, fields);
      if (field !== null) mapped = mapSpec(spec, source, field);
    }
    if (!mapped) continue;
    const unseen = crmsWithUnseenValues(mapped, source);
    if (unseen.length > 0) {
      mapped = withoutFieldsOf(mapped, unseen);
      readOnlyOnSource.push(mapped.label);
    }
    for (const name of specFields(mapped, source)) if (name) used.add(name);
    keys.add(spec.key);
    candidates.push({ spec: mapped, origin: 'catalogue' });
  }
  const inferred = inferFeatureSpecs(table, OUTCOME_COLUMN, [...used, ...ruleFields, ...writtenBack]);
  for (const spec of inferred.specs) {
    if (spec.derive.kind === 'ratio') continue;
    const column = spec.derive.from.csv;
    if (column === undefined) continue;
    let key = spec.key;
    for (let i = 2; keys.has(key); i++) key = `${spec.key}_${i}`;
    keys.add(key);
    candidates.push({ spec: { ...spec, key, derive: { ...spec.derive, from: { [source]: column } } }, origin: 'inferred' });
  }
  const writtenBackNotes = writtenBack.map((field) => `Field "${field}" holds LeadLens scores written back to the CRM, not a fact about the lead: left out.`);
  return { candidates, notes: [...writtenBackNotes, ...inferred.warnings, ...readOnlyOnNotes(readOnlyOnSource, source)] };
}

/**
 * A feature the guards flagged, reading `field` (its `fieldOf`): a flag holds for the feature
 * as mapped when it was checked, not for the same feature reading another field.
 */
export const LeakageFlagSchema = z.object({ key: z.string(), label: z.string(), field: z.string().nullable(), reason: z.string() });
export type LeakageFlag = z.infer<typeof LeakageFlagSchema>;

/**
 * Fields no feature may read, with why: the outcome's own, the status field that decides which
 * leads are left out as still being worked (every lead kept as not converted has a closed status
 * by construction), and those LeadLens wrote its scores to (the trainer drops a feature that
 * reads one). The feature picker offers every field of the data, so an admin can map a feature to one.
 */
export function forbiddenFields(rule: Pick<OutcomeRule, 'field' | 'openStatus'>, writtenBack: readonly string[]): Map<string, string> {
  return new Map([
    ...writtenBack.map((field): [string, string] => [field, `"${field}" holds LeadLens scores written back to the CRM, not a fact about the lead`]),
    ...(rule.openStatus
      ? [[rule.openStatus.field, `"${rule.openStatus.field}" decides which leads are left out as still being worked: every lead kept as not converted has a closed status`] as [string, string]]
      : []),
    [rule.field, `"${rule.field}" is the outcome itself: it says whether the lead converted`],
  ]);
}

export interface DataInspection {
  rows: number;
  conversions: number;
  /**
   * Features the guards flag: a field written as or after the outcome, one whose values nearly
   * give the outcome away, one that keeps changing after it, or a "days since" that new leads
   * are read at differently from the history (see `guardReasons`).
   */
  leakage: LeakageFlag[];
}

/**
 * What the guards know of stored leads beyond their fields: each is read as it is on the day of
 * training, from a window of leads created at least `minAgeDays` days before it.
 */
export interface StoredHistory {
  /** The youngest age the window lets in, in days (0: none). */
  minAgeDays: number;
  /** Each row's created date (epoch ms; NaN when unknown): the date the window is built on. */
  createdAt: readonly number[];
}

/**
 * A "days since" feature is measured on the day of training. When its date falls in the lead's
 * own life (on or after its created date: the last activity, the conversion, the creation
 * itself), a new lead is scored at 0 to `minAgeDays` − 1 at most, while a lead of the history,
 * at least `minAgeDays` old, has it that low only when its date came late in its life (a recent
 * activity). A feature is flagged when fewer than this share of its known values are younger:
 * the model would read new leads at values it never saw, and what it learned from old leads is
 * how long they had to convert.
 */
export const SKEW_SHARE_BELOW_MIN_AGE = 0.01;

/**
 * A "days since" date falls in the lead's own life when it is on or after the lead's created date
 * for at least this share of the leads with both: a date from before (a company's founding, its
 * last funding round) is no younger on a new lead than on an old one.
 */
export const SKEW_WITHIN_LEAD_LIFE = 0.99;

/**
 * The skew flag's reason for feature column `values` [N] (NaN = missing), or null. `leadAges`
 * [N]: each lead's age in days on the day of training (NaN when its created date is unknown).
 */
export function trainServeSkew(feature: Pick<FeatureSpec, 'derive'>, values: Float32Array, minAgeDays: number, leadAges: ArrayLike<number>): string | null {
  if (feature.derive.kind !== 'daysSince' || minAgeDays < 1) return null;
  let known = 0;
  let younger = 0;
  let dated = 0;
  let withinLife = 0;
  values.forEach((value, row) => {
    if (Number.isNaN(value)) return;
    known++;
    if (value < minAgeDays) younger++;
    if (Number.isNaN(leadAges[row])) return;
    dated++;
    // A day's slack: a date without a time reads as midnight, before a lead created that day.
    if (value <= leadAges[row] + 1) withinLife++;
  });
  if (known === 0 || younger / known >= SKEW_SHARE_BELOW_MIN_AGE) return null;
  if (dated === 0 || withinLife < SKEW_WITHIN_LEAD_LIFE * dated) return null;
  return (
    `measured on the day you train, it is ${minAgeDays} or more for ${younger === 0 ? 'every one' : 'nearly all'} of these leads (all at least ${minAgeDays} days old), ` +
    `but 0 to ${minAgeDays - 1} for new leads: the model would score them at values it never saw`
  );
}

/** A "days since" feature is the lead's age when at least this share of its known values count from the lead's created date. */
export const LEAD_AGE_MATCH = 0.99;

/**
 * Why the lead's age is flagged, whatever the window's minimum age: leads still open are left out
 * or count as not converted, so in history the age mostly says how long a lead has had.
 */
export const LEAD_AGE_REASON =
  "it is the lead's age, counted from the created date the window is built on: in your history it tells how long a lead has had to convert, " +
  'so the model would rank new leads low for being new, not for being unlikely to convert';

/**
 * Why a "days since" reading `field` is flagged as the lead's age when no lead of the history has
 * a created date (a file imported without choosing its created date column): no window applies,
 * so every lead is read however new, and no created date is there to check its values against.
 */
export const undatedLeadAgeReason = (field: string) =>
  `it is the lead's age, read from "${field}", the created date by its name: these leads have no created date of their own (for a file, none was chosen when importing it), ` +
  'so every lead is read however new, and in your history the age tells how long a lead has had to convert: the model would rank new leads low for being new, not for being unlikely to convert';

/**
 * Whether `field`'s name says it holds the lead's created date: the CSV import would suggest it as
 * the created date column (`namesCreatedColumn`), as it would the catalogue's created fields
 * (Salesforce's CreatedDate, HubSpot's createdate, a file's created_at).
 */
export const namesCreatedDate = namesCreatedColumn;

/** Whether "days since" column `values` [N] (NaN = missing) is each lead's age `leadAges` [N] (NaN when unknown), within a day. */
function isLeadAge(feature: Pick<FeatureSpec, 'derive'>, values: Float32Array, leadAges: ArrayLike<number>): boolean {
  if (feature.derive.kind !== 'daysSince') return false;
  let both = 0;
  let same = 0;
  values.forEach((value, row) => {
    const age = leadAges[row];
    if (Number.isNaN(value) || Number.isNaN(age)) return;
    both++;
    if (Math.abs(value - age) <= 1) same++;
  });
  return both > 0 && same >= LEAD_AGE_MATCH * both;
}

/**
 * A feature a rep's work moves (the catalogue marks it `actionable`: visits, page views, forms,
 * e-mail opens and clicks, last activity, last page) or that reads a field the CRM keeps counting
 * engagement in (`keepsCountingAfterOutcome`) keeps moving after the outcome: read today on old
 * leads, it holds what happened after they converted or were lost.
 */
export const KEEPS_CHANGING_REASON =
  'it keeps changing after the outcome, and synced leads hold its value of today: on old leads it includes what happened after they converted or were lost';

/** `KEEPS_CHANGING_REASON` for a file's column under a CRM's own name: the export it came from was taken after the outcome. */
const EXPORTED_KEEPS_CHANGING_REASON =
  'it keeps changing after the outcome, and an export holds each value as it was on the day it was exported, after the outcome: ' +
  'on old leads it includes what happened after they converted or were lost (keep it only if your file holds the values from when each lead came in)';

/** Whether a flag's reason is that its feature keeps changing after the outcome, on synced leads or in an export (`keepsChangingReason`). */
export const keepsChangingAfterOutcome = (reason: string): boolean => reason === KEEPS_CHANGING_REASON || reason === EXPORTED_KEEPS_CHANGING_REASON;

/**
 * Why a feature that keeps changing after the outcome is flagged on `source`'s stored leads, or
 * null. Synced leads hold today's value of every such feature (`actionable`, or reading a field
 * the CRM keeps counting engagement in: `keepsCountingAfterOutcome`). A file holds what the admin
 * exported or prepared: a column under a CRM's own name for such a count (Number of Pageviews,
 * hs_analytics_num_visits) came from an export, taken after the outcome; one under a name of the
 * admin's (page_views) may have been taken as each lead came in, and is left to the admin.
 */
function keepsChangingReason(feature: Feature, fields: readonly string[], source: SourceKind): string | null {
  const countedByCrm = fields.some(keepsCountingAfterOutcome);
  if (source === 'csv') return countedByCrm ? EXPORTED_KEEPS_CHANGING_REASON : null;
  return feature.actionable || countedByCrm ? KEEPS_CHANGING_REASON : null;
}

/**
 * Each feature's flag reason [F] (null when none), the first that applies: a field the CRM writes
 * as or after the outcome (`knownAfterOutcome`), the leakage report's, then, for stored
 * `history`, a value that keeps changing after the outcome (`keepsChangingReason`), a "days
 * since" the window's minimum age skews (`trainServeSkew`), the lead's age: by its values, or by
 * its field's name when no lead has a created date to compare them with (`namesCreatedDate`).
 * `X`: [N, F] row-major.
 */
export function guardReasons(
  features: readonly Feature[],
  X: Float32Array,
  labels: Uint8Array,
  source: SourceKind,
  now: Date,
  history: StoredHistory | null,
): (string | null)[] {
  const N = labels.length;
  const F = features.length;
  const columns = features.map((_, f) => Float32Array.from({ length: N }, (_, i) => X[i * F + f])); // F × [N]
  const leadAges = history?.createdAt.map((createdAt) => daysBetween(createdAt, now.getTime())) ?? []; // [N]
  const undated = history !== null && history.createdAt.every((createdAt) => Number.isNaN(createdAt));
  const findings = leakageReport(
    features.map((feature, f) => ({ name: feature.key, kind: feature.type, values: columns[f], levels: feature.vocabulary })),
    labels,
  );
  return features.map((feature, f) => {
    const fields = specFields(feature, source).filter((field): field is string => field !== undefined);
    const known = fields.map((field) => knownAfterOutcome(field, source)).find((reason) => reason !== null);
    if (known) return known;
    if (findings[f].flag) return findings[f].flag.reason;
    if (history === null) return null;
    const keepsChanging = keepsChangingReason(feature, fields, source);
    if (keepsChanging !== null) return keepsChanging;
    const skew = trainServeSkew(feature, columns[f], history.minAgeDays, leadAges);
    if (skew !== null) return skew;
    if (isLeadAge(feature, columns[f], leadAges)) return LEAD_AGE_REASON;
    const createdField = undated && feature.derive.kind === 'daysSince' ? fields.find(namesCreatedDate) : undefined;
    return createdField === undefined ? null : undatedLeadAgeReason(createdField);
  });
}

/**
 * Counts and the guards' flags (`guardReasons`), before training; a spec reading one of the
 * `forbidden` fields (`forbiddenFields`) is flagged for it without being read. Throws the
 * trainer's own `TrainingDataError` when the data cannot train at all (too few rows or
 * conversions). "Days since" are measured as training measures them (`now`, `utcOffsetMinutes`:
 * see `buildFeatures`).
 */
export function inspectTrainingData(
  table: Table,
  specs: readonly FeatureSpec[],
  source: SourceKind,
  now: Date,
  history: StoredHistory | null = null,
  forbidden: ReadonlyMap<string, string> = new Map(),
  utcOffsetMinutes = 0,
): DataInspection {
  const { labels } = buildLabels(table, OUTCOME_COLUMN, '1');
  const refusedFor = specs.map((spec) => specFields(spec, source).map((field) => (field === undefined ? undefined : forbidden.get(field))).find((reason) => reason !== undefined));
  const refused = specs.flatMap((spec, i) => {
    const reason = refusedFor[i];
    return reason === undefined ? [] : [{ key: spec.key, label: spec.label, field: fieldOf(spec, source), reason }];
  });
  const features = buildFeatures(specs.filter((_, i) => refusedFor[i] === undefined), table.records, source, now, undefined, utcOffsetMinutes);
  const X = featurizeRecords(table.records, features, source, now, utcOffsetMinutes); // [N, F]
  const N = labels.length;
  const reasons = guardReasons(features, X, labels, source, now, history);
  const leakage = features.flatMap((feature, f) => {
    const reason = reasons[f];
    return reason === null ? [] : [{ key: feature.key, label: feature.label, field: fieldOf(feature, source), reason }];
  });
  return { rows: N, conversions: labels.reduce((sum, label) => sum + label, 0), leakage: [...refused, ...leakage] };
}
