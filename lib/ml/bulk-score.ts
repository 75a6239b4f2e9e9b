/**
 * Scoring every stored lead (or one source's) with one model, in batches read from IndexedDB
 * (rows are never posted between contexts): featurize, run the engine, write `leadScores`
 * with score, tier and the top reason, and report progress after each batch.
 */
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
import { BULK_SCORING_BATCH } from './scoring-batch';


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
 * How many runs a batch may spend beyond its own, finding the leads the model fails on. Halving a
 * failed part (and again each half that fails) finds one such lead among n in about 2·log2 n
 * runs: 20 in a batch of 1,000, each of fewer leads than the last. The budget is that for a few
 * leads (80 runs for 1,000; enough to halve a batch of 20 down to every single lead), so a batch
 * with a few leads the model cannot score loses only those, while a model that fails on every
 * lead costs each batch that many runs more (most of a few leads; its leads are run about three
 * times over), not the 2n - 2 of halving down to every single lead (log2 n times over): a part
 * still failing once it is spent is counted failed whole.
 * The leads gone through are reported once the batch ends, as before: the budget bounds how much
 * later that is, and a pause still waits for the current batch only.
 */
const splitRunsFor = (batchSize: number) => 2 * Math.ceil(Math.log2(Math.max(batchSize, 2))) * LEADS_FOUND_PER_BATCH;
/** How many leads the model fails on, spread over a batch, `splitRunsFor` allows to find. */
const LEADS_FOUND_PER_BATCH = 4;

/**
 * Whether `error` is ONNX Runtime failing on the rows it was given (engine.ts's `ModelRunError`),
 * which may be the fault of a few of them; any other failure (a model that cannot load, does not
 * fit its manifest) is every row's. Told by name, not `instanceof`, so that this module does not
 * bring ONNX Runtime into the contexts and tests that import it.
 */
const isRunFailure = (error: unknown) => error instanceof Error && error.name === 'ModelRunError';

interface ScoredBatch {
  scored: LeadScore[];
  unscorable: string[];
  /** The leads the model failed on, and the last failure's message. */
  failed?: FailedItems;
}

/**
 * Scores a batch of leads of mixed sources: their `leadScores` rows in input order, the score
 * keys of the leads left unscored because the model reads none of their fields (a badge says so
 * rather than show a score made of the intercept alone; so do these) or gave them no
 * probability, and the leads the model failed on. A run that fails is tried again on each half
 * of its leads, down to single leads (within `splitRunsFor`), so that a lead the model cannot
 * score does not leave the others of its batch unscored.
 */
async function scoreBatch(leads: StoredLead[], deps: BulkScoringDeps): Promise<ScoredBatch> {
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
  const scored: LeadScore[] = [];
  const unscorable: string[] = [];
  let failed: FailedItems | undefined;
  let splitRunsLeft = splitRunsFor(leads.length);
  /** Scores leads [start, end), each half again when the run fails on them all. */
  const scorePart = async (start: number, end: number): Promise<void> => {
    let output: EngineOutput;
    try {
      output = await deps.runModel(rows.subarray(start * F, end * F), F);
    } catch (error) {
      if (isRunFailure(error) && end - start > 1 && splitRunsLeft >= 2) {
        splitRunsLeft -= 2;
        const middle = Math.ceil((start + end) / 2);
        await scorePart(start, middle);
        await scorePart(middle, end);
      } else {
        failed = { count: (failed?.count ?? 0) + end - start, error: error instanceof Error ? error.message : String(error) };
      }
      return;
    }
    const part = scoreOutput(leads.slice(start, end), rows.subarray(start * F, end * F), output, deps);
    scored.push(...part.scored);
    unscorable.push(...part.unscorable);
  };
  await scorePart(0, leads.length);
  return { scored, unscorable, failed };
}

/**
 * The `leadScores` rows of `leads` from the engine's `output` on their `rows` [N, F], and the
 * score keys of those it gives no score.
 */
function scoreOutput(leads: StoredLead[], rows: Float32Array, output: EngineOutput, { manifest, now }: BulkScoringDeps): { scored: LeadScore[]; unscorable: string[] } {
  const F = manifest.features.length;
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
 * A batch the engine fails on (ONNX Runtime throwing) does not stop the others, and is tried
 * again in parts so that only the leads the model fails on go unscored: those keep the score
 * they had, if any, and once every batch is gone through the run fails, saying how many leads
 * could not be scored and why.
 */
export async function scoreAllStoredLeads(deps: BulkScoringDeps, batchSize = BULK_SCORING_BATCH, scope: ScoringScope = {}): Promise<number> {
  let done = scope.resume?.done ?? 0;
  let failedItems = scope.resume?.failedItems;
  await forEachChunk(
    db.leads,
    batchSize,
    async (leads) => {
      const batch = await scoreBatch(leads, deps).catch((error: unknown): ScoredBatch => ({
        scored: [],
        unscorable: [],
        failed: { count: leads.length, error: error instanceof Error ? error.message : String(error) },
      }));
      if (batch.failed) failedItems = { count: (failedItems?.count ?? 0) + batch.failed.count, error: batch.failed.error };
      // A score of a lead that has lost every field the model reads is no longer its score.
      await db.transaction('rw', db.leadScores, async () => {
        await db.leadScores.bulkPut(batch.scored);
        await db.leadScores.bulkDelete(batch.unscorable);
      });
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
 * in `job:scoring`). A one-source run (a write-back's, a sync's, a CSV import's) reports through
 * the same row so pages watching it show the run and refresh their scores when it ends; its
 * `total` is that source's count, so "scoring N of M" stays true, and it records `source` so a
 * resume continues that source only instead of taking it for a run over every lead.
 */
export async function runScoringJob(deps: Omit<BulkScoringDeps, 'report'>, { source, batchSize = BULK_SCORING_BATCH }: { source?: SourceKind; batchSize?: number } = {}): Promise<number> {
  const total = await countToScore({ source });
  return runJob('scoring', deps.manifest.modelId, total, (report) => scoreAllStoredLeads(reportingTo(deps, report), batchSize, { source }), { source });
}

/**
 * A scoring job whose progress row still says `running` died with its offscreen document, or
 * was paused by a purge: continue it (over the same leads: all, or its one source's) after the
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
