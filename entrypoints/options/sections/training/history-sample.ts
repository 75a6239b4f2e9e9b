/**
 * What the training form needs to know about the stored history of one source before the
 * worker reads it all: how many leads, which fields they have, and the values of the fields
 * that could be an outcome (few distinct values).
 */
import { db } from '@/lib/db/db';
import type { SourceKind } from '@/lib/ml/featurize';

const SAMPLE_SIZE = 1000;
/** A field with more distinct values than this is not offered as an outcome. */
const MAX_OUTCOME_VALUES = 30;

export interface HistorySample {
  leads: number;
  fields: string[];
  /** Field → its distinct values (as text), for fields with at most MAX_OUTCOME_VALUES. */
  outcomeValues: Record<string, string[]>;
}

export async function historySample(source: SourceKind): Promise<HistorySample> {
  // Two collections: Dexie's `limit` narrows the collection it is called on.
  const bySource = () => db.leads.where('source').equals(source);
  const [leads, sample] = await Promise.all([bySource().count(), bySource().limit(SAMPLE_SIZE).toArray()]);
  const values = new Map<string, Set<string>>();
  for (const lead of sample) {
    for (const [field, value] of Object.entries(lead.fields)) {
      const seen = values.get(field) ?? new Set<string>();
      if (value !== null && value !== undefined && seen.size <= MAX_OUTCOME_VALUES) seen.add(String(value).trim());
      values.set(field, seen);
    }
  }
  const outcomeValues: Record<string, string[]> = {};
  for (const [field, seen] of values) {
    if (seen.size >= 2 && seen.size <= MAX_OUTCOME_VALUES) outcomeValues[field] = [...seen].sort();
  }
  return { leads, fields: [...values.keys()].sort(), outcomeValues };
}
