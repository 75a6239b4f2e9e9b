/**
 * What the training form needs to know about the stored history of one source before the
 * worker reads it all: how many leads (and whether they are demo leads), which fields they
 * have, the values of the fields that could be an outcome (few distinct values), whether any
 * has a created date (the window of creation dates rests on them), and whether it changed since
 * it was last read. The history is the one the worker trains on (`historyKeys`).
 */
import { hashFields } from '@/lib/crm/fields-hash';
import { db, type StoredLead } from '@/lib/db/db';
import { historyKeys } from '@/lib/db/source-history';
import { dexieSyncStore } from '@/lib/sync/store';
import type { SourceKind } from '@/lib/ml/featurize';
import { fewValuedColumns } from '@/lib/ml/train/outcome-suggestions';

const SAMPLE_SIZE = 1000;

export interface HistorySample {
  /** The leads of the history. */
  leads: number;
  /** They are the source's demo leads: it has no other. */
  demo: boolean;
  /** The source's demo leads left out because it has leads of its own. */
  demoLeftOut: number;
  fields: string[];
  /** Field → its distinct values (as text), for fields with few of them (`fewValuedColumns`). */
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

export async function historySample(source: SourceKind): Promise<HistorySample> {
  // Every k-th lead across the whole source, not its first leads in key order (a file sorted
  // by status would offer no converted value). Keys only are read for all leads: not their fields.
  const { keys, rule } = await historyKeys(source);
  const stride = Math.max(1, Math.ceil(keys.length / SAMPLE_SIZE));
  // Leads deleted since their keys were read are skipped.
  const sample = (await db.leads.bulkGet(keys.filter((_, position) => position % stride === 0))).filter((lead) => lead !== undefined);
  const fields = [...new Set(sample.flatMap((lead) => Object.keys(lead.fields)))].sort();
  const createdDates = await hasCreatedDates(keys, sample);
  const syncedFrom = source === 'csv' ? undefined : (await dexieSyncStore(db).readState(source)).account;
  const sampled = Object.fromEntries(sample.map((lead) => [lead.key, JSON.stringify([lead.createdAt, lead.fields])]));
  // With `createdDates`, which a big history can change with no sampled lead changing (no lead's key, `${source}|${id}`, is "createdDates").
  const fingerprint = hashFields({ ...sampled, createdDates: String(createdDates) });
  return {
    leads: keys.length,
    demo: rule.demoOnly,
    demoLeftOut: rule.demoLeftOut.size,
    fields,
    outcomeValues: fewValuedColumns(fields, sample.map((lead) => lead.fields)),
    createdDates,
    fingerprint,
    keysName: source === 'csv' ? fingerprint : `synced from ${syncedFrom?.id ?? 'nowhere yet'}`,
  };
}
