/**
 * Scoring every stored lead (or one source's leads owed a score) with one model, in batches read
 * from IndexedDB (rows are never posted between contexts): featurize, run the engine, write
 * `leadScores` with score, tier and the top reason, and report progress after each batch.
 */
import { db, leadKeyPrefix, owedScoresOf, scoreKeyOf, scoreKeyPrefix, type LeadScore, type OwedLeadScore, type StoredLead } from '../db/db';
import { ALL_KEYS, prefixRange, rangeAfter } from '../db/chunks';
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
  /** The keys of the leads given no score. */
  unscorable: string[];
  /** The leads the model failed on, and the last failure's message. */
  failed?: FailedItems;
}

/**
 * Scores a batch of leads of mixed sources: their `leadScores` rows in input order, the
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
 * keys of those it gives no score.
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
        key: scoreKeyOf(manifest.modelId, lead.key),
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
  return { scored, unscorable: leads.flatMap((lead, i) => (scorable[i] ? [] : [lead.key])) };
}

/** Which stored leads a run scores: one source's owed a score (`OwedLeadScore`) or every lead, from where an unfinished run stopped. */
export interface ScoringScope {
  source?: SourceKind;
  resume?: JobCursor;
}

/** The primary keys of the leads of `source` (`${source}|…`), or of every lead. */
const keyRangeOf = (source: SourceKind | undefined): [string, string] => (source ? prefixRange(leadKeyPrefix(source)) : ALL_KEYS);

/** How many of `scope`'s leads are still to score (a one-source run's: its owed rows). */
export function countToScore({ source, resume }: ScoringScope): Promise<number> {
  const range = rangeAfter(keyRangeOf(source), resume?.after);
  return source ? db.owedLeadScores.where(':id').between(...range, true, true).count() : db.leads.where(':id').between(...range, true, true).count();
}

/** How many of the stored leads (or only `source`'s) have a score of model `modelId`. */
function countScored(modelId: string, source?: SourceKind): Promise<number> {
  return db.leadScores.where(':id').between(...prefixRange(scoreKeyOf(modelId, source ? leadKeyPrefix(source) : '')), true, true).count();
}

/** How many of `source`'s stored leads model `modelId` gave no score when it last went through them (`UnscorableLead`). */
function countUnscorable(modelId: string, source: SourceKind): Promise<number> {
  const [from, to] = keyRangeOf(source);
  return db.unscorableLeads.where('[modelId+key]').between([modelId, from], [modelId, to], true, true).count();
}

/** Lead keys read per request when looking for `source`'s leads without a score (`oweMissingScores`): `runScoringJob`'s default `missingScoreChunk`. */
const MISSING_SCORE_CHUNK = 5000;

/**
 * Owes a score (`OwedLeadScore`) to each of `source`'s stored leads that has none of `modelId`,
 * nor is owed one already or known to get none from it (`UnscorableLead`), so that a run over the
 * source leaves none unscored that it can score, as a run over all its leads did: those a scoring
 * of every lead with the model did not reach (it failed, or was stopped), or the engine failed
 * on. A write-back relies on it: it empties the CRM fields of a lead without a score. Looked for
 * only when the source's leads outnumber its scores of the model and its leads known to get none
 * (a lead has at most one of the two: a score deletes the mark, a mark the score; both go with it).
 *
 * Read `chunkSize` keys at a time in read-only transactions, the rows owed written apart: pages
 * reading summaries and syncs storing leads wait for no scan of every lead. A lead stored or
 * deleted between the two is owed a score anyway, or leaves a row the run deletes (`storeScores`).
 */
async function oweMissingScores(modelId: string, source: SourceKind, chunkSize: number): Promise<void> {
  const range = keyRangeOf(source);
  const everyLeadSettled = await db.transaction('r', [db.leadSummaries, db.leadScores, db.unscorableLeads], async () => {
    const settled = (await countScored(modelId, source)) + (await countUnscorable(modelId, source));
    return settled === (await db.leadSummaries.where(':id').between(...range, true, true).count());
  });
  if (everyLeadSettled) return;
  for (let after: string | undefined; ; ) {
    const { keys, unowed } = await db.transaction('r', [db.leadSummaries, db.leadScores, db.unscorableLeads, db.owedLeadScores], async () => {
      const keys = await db.leadSummaries.where(':id').between(...rangeAfter(range, after), true, true).limit(chunkSize).primaryKeys();
      if (keys.length === 0) return { keys, unowed: [] };
      const [first, last] = [keys[0], keys[keys.length - 1]];
      const scoreKeys = await db.leadScores.where(':id').between(scoreKeyOf(modelId, first), scoreKeyOf(modelId, last), true, true).primaryKeys();
      const unscorable = await db.unscorableLeads.where('[modelId+key]').between([modelId, first], [modelId, last], true, true).primaryKeys();
      const owed = await db.owedLeadScores.where(':id').between(first, last, true, true).primaryKeys();
      const settled = new Set([...scoreKeys.map((key) => key.slice(scoreKeyPrefix(modelId).length)), ...unscorable, ...owed]);
      return { keys, unowed: keys.filter((key) => !settled.has(key)) };
    });
    if (unowed.length > 0) await db.owedLeadScores.bulkPut(owedScoresOf(unowed));
    if (keys.length < chunkSize) return;
    after = keys[keys.length - 1];
  }
}

/** A batch of leads to score, with the owed rows of those owed a score as read with them. */
interface LeadBatch {
  leads: StoredLead[];
  owed: OwedLeadScore[];
  /** The keys the batch went through, in order: its leads', or a one-source run's owed rows' (a lead deleted since has none). */
  keys: string[];
}

/**
 * The next batch of at most `size` leads in `range`, in key order: for a run over one source, its
 * leads owed a score, else every lead; with the owed rows of those owed one, read in the same
 * transaction, so a row is the one of the write the lead was read as.
 */
function readBatch(source: SourceKind | undefined, range: [string, string], size: number): Promise<LeadBatch> {
  return db.transaction('r', [db.leads, db.owedLeadScores], async () => {
    if (source === undefined) {
      const leads = await db.leads.where(':id').between(...range, true, true).limit(size).toArray();
      const owed = await db.owedLeadScores.bulkGet(leads.map((lead) => lead.key));
      return { leads, owed: owed.filter((row) => row !== undefined), keys: leads.map((lead) => lead.key) };
    }
    const owed = await db.owedLeadScores.where(':id').between(...range, true, true).limit(size).toArray();
    const leads = await db.leads.bulkGet(owed.map((row) => row.key));
    return { leads: leads.filter((lead) => lead !== undefined), owed, keys: owed.map((row) => row.key) };
  });
}

/**
 * Writes a batch's scores and deletes those of its leads given none (a score of a lead that has
 * lost every field the model reads is no longer its score), in one transaction with their owed
 * rows: the leads it went through are owed no score any more, and those given none are marked so
 * (`UnscorableLead`), but not those the engine failed on, nor those stored again since they were
 * read (another `writeId`, or one where there was none). A row without its lead (`deleteLeads`
 * leaves none) goes too, and a lead deleted since it was read gets neither score nor mark: either
 * would outlive it, and `oweMissingScores` counts them as stored leads'.
 */
async function storeScores(modelId: string, { leads, owed }: LeadBatch, { scored, unscorable }: ScoredBatch): Promise<void> {
  const read = new Set(leads.map((lead) => lead.key));
  const writeIdRead = new Map(owed.map((row) => [row.key, row.writeId]));
  const scoredKeys = scored.map((score) => score.leadKey);
  const givenNone = new Set(unscorable);
  const settled = new Set([...scoredKeys, ...unscorable]);
  // The leads whose owed row decides what is written: those owed a score that it settles, and those given none.
  const checked = [...new Set([...owed.filter((row) => settled.has(row.key) || !read.has(row.key)).map((row) => row.key), ...unscorable])];
  await db.transaction('rw', [db.leads, db.leadScores, db.owedLeadScores, db.unscorableLeads], async () => {
    const stillStored = new Set(await db.leads.where(':id').anyOf([...settled]).primaryKeys());
    await db.leadScores.bulkPut(scored.filter((score) => stillStored.has(score.leadKey)));
    await db.leadScores.bulkDelete(unscorable.map((key) => scoreKeyOf(modelId, key)));
    await db.unscorableLeads.where(':id').anyOf(scoredKeys).delete();
    const rowsNow = await db.owedLeadScores.bulkGet(checked);
    const asRead = checked.filter((key, i) => rowsNow[i]?.writeId === writeIdRead.get(key));
    await db.owedLeadScores.bulkDelete(asRead.filter((key) => writeIdRead.has(key)));
    await db.unscorableLeads.bulkPut(asRead.filter((key) => givenNone.has(key) && stillStored.has(key)).map((key) => ({ key, modelId })));
  });
}

/**
 * Scores every stored lead (or only `scope.source`'s leads owed a score) with `deps.manifest`'s
 * model, in primary-key order, or only those after `scope.resume.after`; returns how many of those
 * stored leads (every one of the source's, for a one-source run) have its score when it ends,
 * which is what "N leads were scored" tells the admin: a lead the model reads no field of is gone
 * through but gets none (and is not owed it again), and a run continued after a pause counts the
 * leads scored before it too. A lead scored is owed no score any more (`storeScores`).
 *
 * A batch the engine fails on (ONNX Runtime throwing) does not stop the others, and is tried
 * again in parts so that only the leads the model fails on go unscored: those keep the score
 * they had, if any, and the score they are owed, and once every batch is gone through the run
 * fails, saying how many leads could not be scored and why.
 */
export async function scoreAllStoredLeads(deps: BulkScoringDeps, batchSize = BULK_SCORING_BATCH, scope: ScoringScope = {}): Promise<number> {
  let done = scope.resume?.done ?? 0;
  let failedItems = scope.resume?.failedItems;
  // Each batch read after the last key of the one before: rows written or deleted behind it are not visited again.
  for (let after = scope.resume?.after; ; ) {
    const batch = await readBatch(scope.source, rangeAfter(keyRangeOf(scope.source), after), batchSize);
    if (batch.keys.length === 0) break;
    const scoring = batch.leads.length === 0 ? Promise.resolve<ScoredBatch>({ scored: [], unscorable: [] }) : scoreBatch(batch.leads, deps);
    const scored = await scoring.catch((error: unknown): ScoredBatch => ({
      scored: [],
      unscorable: [],
      failed: { count: batch.leads.length, error: error instanceof Error ? error.message : String(error) },
    }));
    if (scored.failed) failedItems = { count: (failedItems?.count ?? 0) + scored.failed.count, error: scored.failed.error };
    await storeScores(deps.manifest.modelId, batch, scored);
    done += batch.keys.length;
    after = batch.keys[batch.keys.length - 1];
    await deps.report(done, after, failedItems);
    if (batch.keys.length < batchSize) break;
  }
  if (failedItems) throw new Error(`${plural(failedItems.count, 'lead', 'leads')} could not be scored: ${failedItems.error}`);
  return countScored(deps.manifest.modelId, scope.source);
}

/**
 * Scores every stored lead, or only `source`'s leads owed a score (those stored since they were
 * last scored, and those without a score of its model not known to get none: `oweMissingScores`), as the `scoring` job
 * (progress row and cursor in `job:scoring`). A one-source run (a write-back's, a sync's, a CSV
 * import's) reports through the same row so pages watching it show the run and refresh their
 * scores when it ends; its `total` is how many of that source's leads it scores, so "scoring N of
 * M" stays true, and it records `source` so a resume continues that source only instead of taking
 * it for a run over every lead.
 */
export async function runScoringJob(
  deps: Omit<BulkScoringDeps, 'report'>,
  { source, batchSize = BULK_SCORING_BATCH, missingScoreChunk = MISSING_SCORE_CHUNK }: { source?: SourceKind; batchSize?: number; missingScoreChunk?: number } = {},
): Promise<number> {
  if (source) await oweMissingScores(deps.manifest.modelId, source, missingScoreChunk);
  const total = await countToScore({ source });
  return runJob('scoring', deps.manifest.modelId, total, (report) => scoreAllStoredLeads(reportingTo(deps, report), batchSize, { source }), { source });
}

/**
 * A scoring job whose progress row still says `running` died with its offscreen document, or
 * was paused by a purge: continue it (over the same leads: all, or its one source's owed a score) after the
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
