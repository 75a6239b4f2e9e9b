/**
 * What the training form needs to know about the stored history of one source before the
 * worker reads it all: how many leads, which fields they have, and the values of the fields
 * that could be an outcome (few distinct values).
 */
import { db } from '@/lib/db/db';
import type { SourceKind } from '@/lib/ml/featurize';
import { fewValuedColumns } from '@/lib/ml/train/outcome-suggestions';

const SAMPLE_SIZE = 1000;

export interface HistorySample {
  leads: number;
  fields: string[];
  /** Field → its distinct values (as text), for fields with few of them (`fewValuedColumns`). */
  outcomeValues: Record<string, string[]>;
}

export async function historySample(source: SourceKind): Promise<HistorySample> {
  // Two collections: Dexie's `limit` narrows the collection it is called on.
  const bySource = () => db.leads.where('source').equals(source);
  const [leads, sample] = await Promise.all([bySource().count(), bySource().limit(SAMPLE_SIZE).toArray()]);
  const fields = [...new Set(sample.flatMap((lead) => Object.keys(lead.fields)))].sort();
  return { leads, fields, outcomeValues: fewValuedColumns(fields, sample.map((lead) => lead.fields)) };
}
