/**
 * What the training form needs to know about the stored history of one source before the
 * worker reads it all: how many leads (and whether they are demo leads), which fields they
 * have (for a CRM, also those its sync reads that no sampled lead fills), the sampled values of
 * the fields that could be an outcome (few distinct values: the form adds the CRM's own outcome
 * field with all its values, `withKnownOutcomeFields`, where the portal's stages are known),
 * whether any has a created date (the window of creation dates rests on them),
 * whether it changed since it was last read, and for an imported file the outcome rule its
 * import chose. The history is the one the worker trains on (`historyKeys`).
 */
import { importedOutcomeRule } from '@/lib/csv/stored';
import { hashFields } from '@/lib/crm/fields-hash';
import { countStoredLeads, countStoredLeadsByOrigin, db, leadKeyPrefix, type StoredLead } from '@/lib/db/db';
import { historyKeys } from '@/lib/db/source-history';
import { dexieSyncStore } from '@/lib/sync/store';
import { MODIFICATION_STAMP_FIELDS } from '@/lib/sync/to-stored-lead';
import { writtenBackFields } from '@/lib/db/written-back-fields';
import type { SourceKind } from '@/lib/ml/featurize';
import { forEachChunk, prefixRange } from '@/lib/db/chunks';
import { PAGE_CHUNK } from '@/lib/ui/stored-data';
import { fewValuedColumns, withoutWrittenBack } from '@/lib/ml/train/outcome-suggestions';
import type { OutcomeRule } from '@/lib/ml/train/training-set';

const SAMPLE_SIZE = 1000;
/** Of the sample, at most this many leads converted, and as many with no outcome stored (see `sampleKeys`). */
const RARE_OUTCOME_SHARE = 100;

export interface HistorySample {
  /** The leads of the history. */
  leads: number;
  /** They are the source's demo leads: it has no other. */
  demo: boolean;
  /** The source's demo leads left out because it has leads of its own. */
  demoLeftOut: number;
  fields: string[];
  /**
   * Field → its distinct values in the sample (as text), for fields with few of them
   * (`fewValuedColumns`). A field of one value only when the sample holds every lead of the
   * history: the form then says that field has one value only (`oneValueOutcomeNotes`), which a
   * sample could not tell (a rare value falls out of it). Never a field LeadLens wrote its scores
   * to (`withoutWrittenBack`): its earlier tiers are no outcome.
   */
  outcomeValues: Record<string, string[]>;
  /**
   * Whether any lead of the history has a created date. Without one (a CSV imported with no
   * created date column) no window of creation dates can choose its leads.
   */
  createdDates: boolean;
  /**
   * Changes when the sampled leads do (which leads, their fields, their created dates) or
   * `createdDates` does: a new import of the same columns, a sync's changes. A change only to
   * leads outside the sample (in a source of over 1,000 leads) goes unnoticed: reading every
   * lead's fields on each re-read would cost what the sample saves.
   */
  fingerprint: string;
  /**
   * What the leads' keys name: when it changes, a key may name another lead. A file's rows are
   * keyed by their place (`csv|row-N`), so any new import changes it (the fingerprint); a CRM's
   * records by their ids, within the org or portal they were synced from (a sandbox refreshed
   * from production reuses its record ids), so a sync does not, and another org does.
   */
  keysName: string;
  /**
   * For the CSV source, the outcome rule the import stored the leads' outcomes by (its field, the
   * values it took as converted and as still open): the form starts from it, as the admin chose it
   * for this file. Null for a CRM's leads, or an import with no outcome column.
   */
  importedOutcome: OutcomeRule | null;
}

/**
 * Whether a lead of the history (`keys`) has a created date: one of the sample's, else, when the
 * sample is not the whole history, one of its keys among the dated leads of the created-date
 * index (keys only; the index holds no lead whose date is NaN).
 */
async function hasCreatedDates(keys: readonly string[], sample: readonly StoredLead[]): Promise<boolean> {
  if (sample.some((lead) => lead.createdAt > 0)) return true;
  if (sample.length === keys.length) return false;
  const history = new Set(keys);
  return (await db.leads.where('createdAt').above(0).primaryKeys()).some((key) => history.has(key));
}

/** Every k-th of `keys`, at most `count` of them: across all of them, not the first in key order (a file sorted by status would offer no converted value). */
function spreadOver(keys: readonly string[], count: number): string[] {
  const stride = Math.max(1, Math.ceil(keys.length / count));
  return keys.filter((_, position) => position % stride === 0);
}

/**
 * The keys of the leads to sample of a history of more than `SAMPLE_SIZE` leads: some of those
 * whose stored outcome says they converted, some of those it says nothing of (a HubSpot contact
 * at "other" or at the portal's own stage), and the rest spread over all. At 0.2 % converted,
 * about one sample of 1,000 in seven spread over all holds no converted lead, and so offers neither
 * `IsConverted` nor a "Closed - Converted" status. Reads the leads' summaries, not their fields, a chunk
 * at a time in key order, keeping only the keys of those two kinds: 150,000 summaries read at once
 * held the options page for over a second, on each re-read of the stored leads.
 */
async function sampleKeys(source: SourceKind, keys: readonly string[]): Promise<string[]> {
  if (keys.length <= SAMPLE_SIZE) return [...keys];
  const history = new Set(keys);
  const converted: string[] = [];
  const withoutOutcome: string[] = [];
  await forEachChunk(
    db.leadSummaries,
    PAGE_CHUNK,
    (summaries) => {
      for (const { key, outcome } of summaries) {
        if (!history.has(key)) continue;
        if (outcome === 1) converted.push(key);
        if (outcome === null) withoutOutcome.push(key);
      }
    },
    prefixRange(leadKeyPrefix(source)),
  );
  const rareSample = new Set([...spreadOver(converted, RARE_OUTCOME_SHARE), ...spreadOver(withoutOutcome, RARE_OUTCOME_SHARE)]);
  return [...new Set([...spreadOver(keys, SAMPLE_SIZE - rareSample.size), ...rareSample])];
}

/** `outcomeValues` without its fields of one value, unless the sample is the whole history (see `HistorySample.outcomeValues`). */
function wholeHistoryOnly(outcomeValues: Record<string, string[]>, wholeHistory: boolean): Record<string, string[]> {
  if (wholeHistory) return outcomeValues;
  // No prototype, as `fewValuedColumns` gives them: a column named `__proto__` is an ordinary key.
  const kept = Object.create(null) as Record<string, string[]>;
  for (const [field, values] of Object.entries(outcomeValues)) if (values.length > 1) kept[field] = values;
  return kept;
}

export async function historySample(source: SourceKind): Promise<HistorySample> {
  // Keys only are read for all leads, and for over 1,000 their summaries: not their fields.
  const { keys, rule } = await historyKeys(source);
  // Leads deleted since their keys were read are skipped.
  const sample = (await db.leads.bulkGet(await sampleKeys(source, keys))).filter((lead) => lead !== undefined);
  const syncState = source === 'csv' ? undefined : await dexieSyncStore(db).readState(source);
  // A stored lead keeps only the fields it fills, so a field few leads fill (a contact's annual
  // revenue) may be in no sampled lead: a CRM's fields are those its sync reads, with those the
  // sample has. Demo leads have their own fields, not the CRM's.
  const syncedFields = rule.demoOnly ? [] : (syncState?.syncedFields ?? []);
  const fields = [...new Set([...sample.flatMap((lead) => Object.keys(lead.fields)), ...syncedFields])].sort();
  const createdDates = await hasCreatedDates(keys, sample);
  const syncedFrom = syncState?.account;
  const importedOutcome = source === 'csv' ? await importedOutcomeRule() : null;
  // What a write-back of LeadLens's changes in a lead, and a sync then reads back, is nothing training reads (it leaves out the
  // fields written to, and flags the CRM's modification stamps): the same history, not one that drops the check made of it.
  const writtenBack = await writtenBackFields(source);
  const notTrainedOn = new Set([...writtenBack, ...(source === 'csv' ? [] : MODIFICATION_STAMP_FIELDS[source])].map((name) => name.toLowerCase()));
  const trainedOn = (fields: StoredLead['fields']) => Object.fromEntries(Object.entries(fields).filter(([name]) => !notTrainedOn.has(name.toLowerCase())));
  const sampled = Object.fromEntries(sample.map((lead) => [lead.key, JSON.stringify([lead.createdAt, trainedOn(lead.fields)])]));
  // With `createdDates`, which a big history can change with no sampled lead changing (no lead's key, `${source}|${id}`, is "createdDates").
  const fingerprint = hashFields({ ...sampled, createdDates: String(createdDates) });
  return {
    leads: keys.length,
    demo: rule.demoOnly,
    demoLeftOut: rule.demoLeftOut.size,
    fields,
    // The fields LeadLens wrote its scores to are no outcome: neither offered nor suggested as one.
    outcomeValues: wholeHistoryOnly(withoutWrittenBack(fewValuedColumns(fields, sample.map((lead) => lead.fields)), writtenBack), sample.length === keys.length),
    createdDates,
    fingerprint,
    keysName: source === 'csv' ? fingerprint : `synced from ${syncedFrom?.id ?? 'nowhere yet'}`,
    importedOutcome,
  };
}

/** Which sources of the History choices hold which leads, by counts (`storedLeadSources`). */
export interface StoredLeadSources {
  /**
   * The History the form starts on: the first source with leads of the user's own (synced or
   * imported), else the first with demo leads (offered while a source has no other), else the
   * first. After a CSV import, or with HubSpot alone connected, the admin lands on those leads,
   * not on an empty Salesforce history.
   */
  starting: SourceKind;
  /** The sources with leads of the user's own, in the order of `order`: the form leaves a History of demo leads for them, or names them beside it. */
  withOwnLeads: SourceKind[];
}

/** `StoredLeadSources` of the sources of `order`. Counts only: no lead is read. */
export async function storedLeadSources(order: readonly SourceKind[]): Promise<StoredLeadSources> {
  const { own } = await countStoredLeadsByOrigin();
  const withOwnLeads = order.filter((source) => own[source] > 0);
  if (withOwnLeads.length > 0) return { starting: withOwnLeads[0], withOwnLeads };
  const stored = await Promise.all(order.map(countStoredLeads));
  return { starting: order.find((_, position) => stored[position] > 0) ?? order[0], withOwnLeads };
}
