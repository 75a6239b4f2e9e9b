/**
 * Scoring every stored lead (or one source's) with one model, in batches read from IndexedDB
 * (rows are never posted between contexts): featurize, run the engine, write `leadScores`
 * with score, tier and the top reason, and report progress after each batch.
 */
import type { CrmKind } from '../crm/types';
import { db, type LeadScore, type StoredLead } from '../db/db';
import { ALL_KEYS, forEachChunk, prefixRange, rangeAfter } from '../db/chunks';
import { resumeUnfinishedJob, runJob, type FailedItems, type JobCursor, type JobReport } from '../jobs/progress';
import type { EngineOutput } from './engine';
import { explainLead } from './explain';
import { featurizeRecords, knownFeatureCount, type SourceKind } from './featurize';
import type { Manifest } from './manifest';
import { deletedModelWork, modelExists } from './model-exists';
import { scoreAndTier } from './score';
import { plural, strongestReasons, topReasonFor } from '../presentation';

export const BULK_SCORING_BATCH = 1000;

export interface BulkScoringDeps {
  manifest: Manifest;
  /** Run the model on `rows` [N * F], NaN = missing. */
  runModel(rows: Float32Array, featureCount: number): Promise<EngineOutput>;
  now: Date;
  /**
   * Called after each batch with the number of leads gone through so far, the key of the last
   * one, and the leads the engine failed to score so far.
   */
  report(done: number, lastLeadKey: string, failedItems?: FailedItems): Promise<void>;
}

/** `deps` reporting to a job's progress row. */
const reportingTo = (deps: Omit<BulkScoringDeps, 'report'>, report: JobReport): BulkScoringDeps => ({
  ...deps,
  report: (done, lastLeadKey, failedItems) => report(done, lastLeadKey, undefined, failedItems),
});

/**
 * Scores a batch of leads of mixed sources: their `leadScores` rows in input order, and the
 * score keys of the leads left unscored because the model reads none of their fields (a badge
 * says so rather than show a score made of the intercept alone; so do these) or gave them no
 * probability.
 */
async function scoreBatch(leads: StoredLead[], deps: BulkScoringDeps): Promise<{ scored: LeadScore[]; unscorable: string[] }> {
  const { manifest, now } = deps;
  const F = manifest.features.length;
  const rows = new Float32Array(leads.length * F); // [N, F]
  // featurizeRecords reads one source's field names: featurize each source's leads together.
  const bySource = new Map<StoredLead['source'], number[]>();
  leads.forEach((lead, i) => {
    const indices = bySource.get(lead.source);
    if (indices) indices.push(i);
    else bySource.set(lead.source, [i]);
  });
  for (const [source, indices] of bySource) {
    const sourceRows = featurizeRecords(indices.map((i) => leads[i].fields), manifest.features, source, now);
    indices.forEach((leadIndex, k) => rows.set(sourceRows.subarray(k * F, (k + 1) * F), leadIndex * F));
  }
  const output = await deps.runModel(rows, F);
  const scoredAt = Date.now();
  // A lead the model reads nothing of, or gives no probability or a reason no weight (an imported
  // model's NaN for a case its check did not try), gets no score rather than a made-up one ("1,
  // cold") or reasons that say NaN, as a badge gets none (engineRow).
  const contributionsOf = (i: number) => output.contributions.subarray(i * output.terms, (i + 1) * output.terms); // [T]
  const scorable = leads.map(
    (_, i) => knownFeatureCount(rows.subarray(i * F, (i + 1) * F)) > 0 && Number.isFinite(output.probability[i]) && contributionsOf(i).every(Number.isFinite),
  );
  const scored = leads.flatMap((lead, i): LeadScore[] => {
    if (!scorable[i]) return [];
    const probability = output.probability[i];
    const { score, tier } = scoreAndTier(probability, manifest);
    const strongest = strongestReasons(explainLead(manifest, contributionsOf(i), lead.fields, lead.source, now));
    return [
      {
        key: `${manifest.modelId}|${lead.key}`,
        modelId: manifest.modelId,
        leadKey: lead.key,
        probability,
        score,
        tier,
        topReason: topReasonFor(tier, strongest),
        ...strongest,
        scoredAt,
      },
    ];
  });
  return { scored, unscorable: leads.flatMap((lead, i) => (scorable[i] ? [] : [`${manifest.modelId}|${lead.key}`])) };
}

/** Which stored leads a run scores: one source's (key range `${source}|…`) or all, from where an unfinished run stopped. */
export interface ScoringScope {
  source?: SourceKind;
  resume?: JobCursor;
}

/** The primary keys of `scope`'s leads still to score. */
function keyRangeOf({ source, resume }: ScoringScope): [string, string] {
  return rangeAfter(source ? prefixRange(`${source}|`) : ALL_KEYS, resume?.after);
}

/** How many of `scope`'s leads are still to score. */
export function countToScore(scope: ScoringScope): Promise<number> {
  return db.leads.where(':id').between(...keyRangeOf(scope), true, true).count();
}

/** How many of the stored leads (or only `source`'s) have a score of model `modelId`. */
function countScored(modelId: string, source?: SourceKind): Promise<number> {
  return db.leadScores.where(':id').between(...prefixRange(`${modelId}|${source ? `${source}|` : ''}`), true, true).count();
}

/**
 * Scores every stored lead (or only `scope.source`'s) with `deps.manifest`'s model, in
 * primary-key order, or only those after `scope.resume.after`; returns how many of those stored
 * leads have its score when it ends, which is what "N leads were scored" tells the admin: a lead
 * the model reads no field of is gone through but gets none, and a run continued after a pause
 * counts the leads scored before it too.
 *
 * A batch the engine fails on (ONNX Runtime throwing) does not stop the others: its leads keep
 * the score they had, if any, and once every batch is gone through the run fails, saying how
 * many leads could not be scored and why.
 */
export async function scoreAllStoredLeads(deps: BulkScoringDeps, batchSize = BULK_SCORING_BATCH, scope: ScoringScope = {}): Promise<number> {
  let done = scope.resume?.done ?? 0;
  let failedItems = scope.resume?.failedItems;
  await forEachChunk(
    db.leads,
    batchSize,
    async (leads) => {
      const batch = await scoreBatch(leads, deps).catch((error: unknown) => {
        failedItems = { count: (failedItems?.count ?? 0) + leads.length, error: error instanceof Error ? error.message : String(error) };
        return null;
      });
      if (batch) {
        // A score of a lead that has lost every field the model reads is no longer its score.
        await db.transaction('rw', db.leadScores, async () => {
          await db.leadScores.bulkPut(batch.scored);
          await db.leadScores.bulkDelete(batch.unscorable);
        });
      }
      done += leads.length;
      await deps.report(done, leads[leads.length - 1].key, failedItems);
    },
    keyRangeOf(scope),
  );
  if (failedItems) throw new Error(`${plural(failedItems.count, 'lead', 'leads')} could not be scored: ${failedItems.error}`);
  return countScored(deps.manifest.modelId, scope.source);
}

/**
 * Scores every stored lead, or only `source`'s, as the `scoring` job (progress row and cursor
 * in `job:scoring`). A one-CRM run (a write-back's) reports through the same row so pages
 * watching it show the run and refresh their scores when it ends; its `total` is that CRM's
 * count, so "scoring N of M" stays true, and it records `source` so a resume continues that
 * CRM only instead of taking it for a run over every lead.
 */
export async function runScoringJob(deps: Omit<BulkScoringDeps, 'report'>, { source, batchSize = BULK_SCORING_BATCH }: { source?: CrmKind; batchSize?: number } = {}): Promise<number> {
  const total = await countToScore({ source });
  return runJob('scoring', deps.manifest.modelId, total, (report) => scoreAllStoredLeads(reportingTo(deps, report), batchSize, { source }), { source });
}

/**
 * A scoring job whose progress row still says `running` died with its offscreen document, or
 * was paused by a purge: continue it (over the same leads: all, or its one CRM's) after the
 * last batch it scored. Its total is counted again: a purge may have deleted some of the leads
 * left. Resolves with the number scored in all, or null when no job was unfinished; fails
 * (recording why) when its model was deleted meanwhile.
 */
export async function resumeUnfinishedScoringJob(
  depsFor: (modelId: string) => Promise<Omit<BulkScoringDeps, 'report'>>,
  batchSize = BULK_SCORING_BATCH,
): Promise<number | null> {
  return resumeUnfinishedJob('scoring', async ({ modelId, source }, resume) => {
    // Deleted while the job was stopped: recorded as failed, not continued at every start.
    if (!(await modelExists(modelId))) return deletedModelWork<number>(modelId);
    const deps = await depsFor(modelId);
    return {
      remaining: await countToScore({ source, resume }),
      work: (report) => scoreAllStoredLeads(reportingTo(deps, report), batchSize, { source, resume }),
    };
  });
}
