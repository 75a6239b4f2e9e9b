/**
 * Many known leads at once (the rows of a list view): each record's fields come from what
 * LeadLens stores (synced, imported or demo data), never from the page; cached ones come
 * from the score cache, the rest go to the engine in ONE run. Records LeadLens knows nothing
 * about come back `unknown`: a row never gets a made-up score.
 */
import type { CrmKind, PageFields } from '../crm/types';
import { featurizeRecord, knownFeatureCount, type RawRecord } from '../ml/featurize';
import { fieldsRead } from '../ml/manifest';
import type { ListRowScore } from '../messaging/protocol-list';
import { freshCachedScore, toScoredLead, type ScoringDeps } from './score-lead';

/** What is known about one record, keyed as the CRM names its fields. */
export interface KnownRecord {
  recordId: string;
  fields: RawRecord;
}

export interface BatchScoringDeps extends ScoringDeps {
  /** The records LeadLens knows among `recordIds` (any order; unknown ones left out); read from the CRM, with `fields` at least. */
  knownRecords(crm: CrmKind, recordIds: readonly string[], fields: readonly string[]): Promise<KnownRecord[]>;
}

/** Stored values as the text the cache hashes (the hash only has to notice a change). */
function asText(fields: RawRecord): PageFields {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, value == null ? '' : String(value)]));
}

/** A list row's record that LeadLens has, with none of the fields the model reads. */
export const NO_FIELDS_SCORED = 'LeadLens has none of the fields its model scores for this lead: open the lead to score it from its page.';

export async function scoreLeadsById(
  crm: CrmKind,
  recordIds: readonly string[],
  deps: BatchScoringDeps,
): Promise<ListRowScore[]> {
  const manifest = await deps.activeManifest();
  const known = new Map((await deps.knownRecords(crm, recordIds, fieldsRead(manifest.features, crm))).map((record) => [record.recordId, record]));
  const results = new Map<string, ListRowScore>();
  const now = deps.now();
  const featureCount = manifest.features.length;

  const toRun: { record: KnownRecord; key: string; fieldsHash: string; row: Float32Array; featuresKnown: number }[] = [];
  for (const recordId of new Set(recordIds)) {
    const record = known.get(recordId);
    if (!record) continue;
    // As a record page's: the same fields, and not older than the admin's "stale after" (days-since features age).
    const { key, fieldsHash, fresh } = await freshCachedScore(manifest.modelId, { crm, recordId, fields: asText(record.fields) }, deps);
    if (fresh) {
      results.set(recordId, { recordId, state: 'scored', lead: fresh.lead });
      continue;
    }
    const row = featurizeRecord(record.fields, manifest.features, crm, now); // [F]
    const featuresKnown = knownFeatureCount(row);
    if (featuresKnown > 0) toRun.push({ record, key, fieldsHash, row, featuresKnown });
    else results.set(recordId, { recordId, state: 'unscorable', reason: NO_FIELDS_SCORED });
  }

  if (toRun.length > 0) {
    const rows = new Float32Array(toRun.length * featureCount); // [N * F]
    toRun.forEach(({ row }, i) => rows.set(row, i * featureCount));
    const output = await deps.runModel(manifest.modelId, rows, featureCount);
    for (const [i, { record, key, fieldsHash, featuresKnown }] of toRun.entries()) {
      const lead = toScoredLead(manifest, output.probability[i], output.contributions[i], record.fields, crm, now, featuresKnown);
      await deps.cache.put(key, { fieldsHash, lead });
      results.set(record.recordId, { recordId: record.recordId, state: 'scored', lead });
    }
  }

  return recordIds.map((recordId) => results.get(recordId) ?? { recordId, state: 'unknown' });
}
