/**
 * Many known leads at once (the rows of a list view): each record's fields come from what
 * LeadLens stores (synced, imported or demo data) or reads from the CRM, never from the page;
 * cached ones come from the score cache, the rest go to the engine in ONE run (and are cached,
 * but never over a fresh score of their record page's, which keeps the fields it scored). A
 * record whose record page has a fresh score, of as many of the model's fields, shows that score,
 * so the row and the page agree; a record it has no fields of keeps it too, unless the CRM just
 * answered without it; records LeadLens knows nothing about come back `unknown`: a row never gets
 * a made-up score.
 */
import { CRM_LABEL, CRM_TERMS, type CrmKind, type PageFields } from '../crm/types';
import { pageScoreOfStoredLead } from '../db/record-page-scores';
import { featuresTracked } from '../ml/explain';
import { featurizeRecord, knownFeatureCount, type RawRecord } from '../ml/featurize';
import { fieldsRead } from '../ml/manifest';
import type { ScoredLead } from '../messaging/protocol';
import type { ListRowScore } from '../messaging/protocol-list';
import { engineRow, freshCachedScore, MODEL_GAVE_NO_SCORE, recentCachedScore, scoreCacheKey, toScoredLead, type ScoringDeps } from './score-lead';

/** What is known about one record, keyed as the CRM names its fields. */
export interface KnownRecord {
  recordId: string;
  fields: RawRecord;
  /** Read from the CRM for this list just now, not stored: newer than any score its record page cached. */
  readNow?: boolean;
}

/** What LeadLens has of the records a list asks for. */
export interface KnownRecords {
  /** The records it knows (any order; unknown ones left out), with the fields asked for at least. */
  records: KnownRecord[];
  /** Those it tried to read from the CRM just now and could not. */
  unread: readonly string[];
  /** Those the CRM just answered without (deleted, or no longer shared with the user): it does not give LeadLens them. */
  absent: readonly string[];
}

export interface BatchScoringDeps extends ScoringDeps {
  /** What LeadLens has of `recordIds`: stored leads, or read from the CRM with `fields`. */
  knownRecords(crm: CrmKind, recordIds: readonly string[], fields: readonly string[]): Promise<KnownRecords>;
  /** Deletes every model's cached scores of these records: their reasons quote the records' fields. */
  forgetCachedScores(crm: CrmKind, recordIds: readonly string[]): Promise<void>;
}

/** Stored values as the text the cache hashes (the hash only has to notice a change). */
function asText(fields: RawRecord): PageFields {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, value == null ? '' : String(value)]));
}

/** A list row's record that LeadLens has, with none of the fields the model reads. */
export const NO_FIELDS_SCORED = 'LeadLens has none of the fields its model scores for this lead: open the lead to score it from its page.';

/**
 * Every row of `crm`'s lists when the active model reads none of its fields (a CLI model trained
 * without a feature spec reads CSV columns alone): its record page cannot score it either.
 */
export const modelReadsNoFieldOf = (crm: CrmKind) =>
  `The active model reads no ${CRM_LABEL[crm]} ${CRM_TERMS[crm].field}, so LeadLens cannot score ${CRM_LABEL[crm]} leads with it, in lists or on their pages: ask your LeadLens admin.`;

/**
 * A row of a list of another org or portal than the one LeadLens is connected to, that LeadLens
 * has nothing of: such a page reads nothing through the connection, and a score from its record
 * page is not kept (score-cache.ts), so opening the lead shows its score there but never here.
 */
export const otherOrgListRow = (crm: CrmKind) => {
  const org = CRM_TERMS[crm].account;
  return `LeadLens is connected to another ${CRM_LABEL[crm]} ${org} than this one, and scores lists of that ${org} only. Open the lead to see its score on its page: it is not kept for this list.`;
};

/** A list row's record the CRM could not be read for: said so, not "no data" (the CRM's own error stays in the background). */
export const couldNotRead = (crm: CrmKind) => `LeadLens could not read this lead from ${CRM_LABEL[crm]} just now: open the lead, or reload the list.`;

/**
 * A score cached by the lead's record page without its plan (`ScoredLead.hotter`): a list row's
 * popover has none, and the plan was worked out on the page's fields, which may have changed since.
 */
function withoutPlan({ hotter: _plan, ...lead }: ScoredLead): ScoredLead {
  return lead;
}

/** A list row's record the CRM answered without: it no longer gives LeadLens the lead, so no score of it is shown. */
export const notShownBy = (crm: CrmKind) => `${CRM_LABEL[crm]} does not show LeadLens this lead (deleted, or not shared with you).`;

export async function scoreLeadsById(
  crm: CrmKind,
  recordIds: readonly string[],
  deps: BatchScoringDeps,
): Promise<ListRowScore[]> {
  const manifest = await deps.activeManifest();
  // Nothing to read from the CRM nor to run: no row could have a score.
  if (featuresTracked(manifest, crm) === 0) return recordIds.map((recordId) => ({ recordId, state: 'unscorable', reason: modelReadsNoFieldOf(crm) }));
  const have = await deps.knownRecords(crm, recordIds, fieldsRead(manifest.features, crm));
  const known = new Map(have.records.map((record) => [record.recordId, record]));
  const unread = new Set(have.unread);
  const absent = new Set(have.absent);
  // Not kept for the admin's "stale after": the user may no longer see these records' fields.
  if (absent.size > 0) await deps.forgetCachedScores(crm, [...absent]);
  const results = new Map<string, ListRowScore>();
  const now = deps.now();
  const featureCount = manifest.features.length;

  const toRun: { record: KnownRecord; key: string; fieldsHash: string; keepsPageScore: boolean; row: Float32Array; featuresKnown: number }[] = [];
  for (const recordId of new Set(recordIds)) {
    const record = known.get(recordId);
    if (!record) {
      if (absent.has(recordId)) {
        results.set(recordId, { recordId, state: 'unscorable', reason: notShownBy(crm) });
        continue;
      }
      // Neither stored nor read: the score cached of it (its record page's badge, say), while fresh.
      // (The cache answers a page only with what was cached for its own org: score-cache.ts.)
      const cached = await recentCachedScore(scoreCacheKey(manifest.modelId, crm, recordId), deps);
      if (cached) results.set(recordId, { recordId, state: 'scored', lead: withoutPlan(cached.lead) });
      else if (unread.has(recordId)) results.set(recordId, { recordId, state: 'unscorable', reason: couldNotRead(crm) });
      continue;
    }
    // As a record page's: the same fields, and not older than the admin's "stale after" (days-since features age).
    const { key, fieldsHash, fresh, recent } = await freshCachedScore(manifest.modelId, { crm, recordId, fields: asText(record.fields) }, deps);
    if (fresh) {
      results.set(recordId, { recordId, state: 'scored', lead: withoutPlan(fresh.lead) });
      continue;
    }
    const row = featurizeRecord(record.fields, manifest.features, crm, now); // [F]
    const featuresKnown = knownFeatureCount(row);
    // A fresh score its record page cached is a stored lead's row's too (`pageScoreOfStoredLead`, as the
    // side panel counts it), so the two agree. Not a record the list read just now (`readNow`), which is
    // newer. One not shown (the page knew fewer of the model's fields) is kept, not replaced (its badge
    // and side panel would read the record from the CRM again).
    const pageScore = recent?.fields !== undefined ? recent : undefined;
    const shownPageScore = record.readNow ? undefined : pageScoreOfStoredLead(recent, featuresKnown);
    if (shownPageScore) {
      results.set(recordId, { recordId, state: 'scored', lead: withoutPlan(shownPageScore.lead) });
      continue;
    }
    if (featuresKnown > 0) toRun.push({ record, key, fieldsHash, keepsPageScore: pageScore !== undefined, row, featuresKnown });
    else results.set(recordId, { recordId, state: 'unscorable', reason: NO_FIELDS_SCORED });
  }

  if (toRun.length > 0) {
    const rows = new Float32Array(toRun.length * featureCount); // [N * F]
    toRun.forEach(({ row }, i) => rows.set(row, i * featureCount));
    const output = await deps.runModel(manifest.modelId, rows, featureCount);
    for (const [i, { record, key, fieldsHash, keepsPageScore, featuresKnown }] of toRun.entries()) {
      const scored = engineRow(output, i);
      if (!scored) {
        results.set(record.recordId, { recordId: record.recordId, state: 'unscorable', reason: MODEL_GAVE_NO_SCORE });
        continue;
      }
      const lead = toScoredLead(manifest, scored.probability, scored.contributions, record.fields, crm, now, featuresKnown);
      if (!keepsPageScore) await deps.cache.put(key, { fieldsHash, lead });
      results.set(record.recordId, { recordId: record.recordId, state: 'scored', lead });
    }
  }

  return recordIds.map((recordId) => results.get(recordId) ?? { recordId, state: 'unknown' });
}
