/**
 * Progress of the long jobs that write stored scores (bulk scoring and re-tiering, both in the
 * offscreen document), kept in one Dexie `settings` row per job so any page can watch it
 * with `liveQuery` (Dexie propagates changes across extension contexts) and so a job that
 * dies, or pauses while a purge deletes, leaves a readable state behind instead of module memory;
 * and the work on stored scores owed (`OWED_WORK_KEY`), which the end of a run settles. The
 * requests for that work, and the locks that say which are under way, are ./requests.ts's.
 */
import { z } from 'zod';
import { db } from '../db/db';
import type { SourceKind } from '../ml/featurize';
import { SourceKindSchema } from '../messaging/schemas';

export const JOB_KEYS = { scoring: 'job:scoring', retier: 'job:retier' } as const;
/**
 * Held (a Web Lock, shared by every context of the extension) while a job writes stored
 * scores: the purge waits for it, so no batch of scores is written after everything is deleted.
 * That wait is also the purge's request to stop: a job pauses after its current batch while
 * anyone waits for this lock (only purges do: a job asks for it in its turn, `JOB_TURN_LOCK`,
 * when no other job holds it). A lock request, not a flag: it reaches the job in whichever
 * context runs it, is seen before the job's first batch too, and ends with the purge (even
 * one whose worker was stopped), so it never stops a later run.
 */
export const STORED_SCORES_LOCK = 'leadlens-stored-scores';
/**
 * Held by the stored-score job whose turn it is, through its pauses, until it ends: the next
 * job starts only then, not over the progress row of one still paused.
 */
const JOB_TURN_LOCK = 'leadlens-stored-scores-turn';
export type JobKind = keyof typeof JOB_KEYS;

/** Items a run went past without finishing (a batch its engine failed on), and the last such failure's message. */
const FailedItemsSchema = z.object({ count: z.number().int().positive(), error: z.string() });
export type FailedItems = z.infer<typeof FailedItemsSchema>;

const JobRunSchema = z.object({
  modelId: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  error: z.string().optional(),
  /** Primary key of the last item the job finished, so a restarted job continues after it. */
  resumeAfter: z.string().optional(),
  /** Re-tiering: how many scores changed tier so far, so a run continued after a pause reports them all. */
  changed: z.number().int().nonnegative().optional(),
  /**
   * Set when the run covers only this source's items (a write-back scores its own CRM's leads
   * first; a sync's or a CSV import's owed scoring, the leads it stored), so `done`/`total` count
   * that source's and a restarted job continues the same source; absent = every item.
   */
  source: SourceKindSchema.optional(),
  /** Items the run could not finish so far (it goes on with the others): it ends failed, saying how many. */
  failedItems: FailedItemsSchema.optional(),
  /**
   * Set on a scoring run over every item that stopped because this model was made active since
   * (`ScoringSuperseded`): no failure to tell of or try again (its model's scores are no longer
   * shown, and a model made active again is owed a scoring of every lead), so none stands (`standingFailure`).
   */
  supersededBy: z.string().optional(),
});

/**
 * How long after a scoring whose failure stands (`failureStands`: of every stored lead, or of a
 * CSV import's leads) failed (the engine crashed, a batch it could not run) the hourly refresh
 * scores every lead again, with or without stale scores, counted from the failure
 * (`RunFailure.finishedAt`), not from later one-CRM runs: a passing fault mends within hours, one
 * that stays costs a few runs a day, not one an hour.
 */
export const RETRY_FAILED_SCORING_AFTER_MS = 6 * 3_600_000;

/**
 * Whether a failed scoring run over `source`'s leads (every lead's, without one) stands until a run
 * over them succeeds (`standingFailure`), told by pages and tried again after
 * RETRY_FAILED_SCORING_AFTER_MS. A CRM's leads are owed again by its next sync and scored again as
 * their scores age (the daily refresh); a CSV import's are not: no sync of theirs comes, and the
 * import deleted the scores that would age, so its failure stands as one over every lead does.
 */
export function failureStands(source: JobProgress['source']): boolean {
  return source === undefined || source === 'csv';
}

/** How a run whose failure stands (`failureStands`) failed: over every item, or over the CSV leads (`source`). */
const RunFailureSchema = JobRunSchema.pick({ modelId: true, done: true, total: true, error: true, failedItems: true, finishedAt: true, source: true });
export type RunFailure = z.infer<typeof RunFailureSchema>;

export const JobProgressSchema = JobRunSchema.extend({
  /**
   * The failure that stood when an earlier run ended (`standingFailure`), kept on the rows of the
   * runs after it (a one-CRM run's, another model's) until a run of its model over the items it
   * left undone succeeds (one over every item; for a CSV run's, one over the CSV leads too): their
   * rows alone would hide that its items are done in part. Absent from rows stored before it.
   */
  lastFailure: RunFailureSchema.optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export async function readJob(kind: JobKind): Promise<JobProgress | null> {
  const parsed = JobProgressSchema.safeParse((await db.settings.get(JOB_KEYS[kind]))?.value);
  return parsed.success ? parsed.data : null;
}

export async function writeJob(kind: JobKind, progress: JobProgress): Promise<void> {
  await db.settings.put({ key: JOB_KEYS[kind], value: JobProgressSchema.parse(progress) });
}

/**
 * The work on stored scores owed: a scoring of every lead with a model (`everyLead`, since
 * `everyLeadOwedAt`), written in the transaction that makes it active or records an update; of
 * one source's leads with the active model (`sources`, when each was owed), written by a sync as
 * it stores new or changed leads and by a CSV import's commit (`oweSourceScoring`); a re-tiering of each model's stored scores owed (`retiers`, when
 * each was owed), written in the transaction that saves its new tier policy and again as that
 * re-tiering is asked (`oweRetier`). Settled by the end of a run that covers it (`settleOwedCoveredBy`);
 * a model's re-tiering, also by the model's delete (`forgetOwedRetier`). A request alone would be
 * forgotten by a browser closed before its run began (it waits for another job's turn, and no row
 * says it is queued); this row is what start-up and the hourly check resume. Stored before one-CRM scorings were owed as the model's
 * id alone, before re-tierings were owed one per model with at most one, in `retier` (none before
 * re-tierings were owed), and before imports owed theirs with CRMs alone in `sources` (the key
 * keeps its first name).
 */
const OWED_WORK_KEY = 'job:scoring:owed';

const OwedRetierSchema = z.object({ modelId: z.string(), owedAt: z.number() });
export type OwedRetier = z.infer<typeof OwedRetierSchema>;

const OwedWorkRowSchema = z.object({
  everyLead: z.string().optional(),
  /**
   * When `everyLead` was owed: only a run of it begun since settles it (`coversOwedScoringOfEveryLead`).
   * Absent from rows stored before it was kept: settled by any run of it over every lead, as then.
   */
  everyLeadOwedAt: z.number().optional(),
  sources: z.partialRecord(SourceKindSchema, z.number()),
  /**
   * One per model: a list, not a record keyed by model id, as a parsed record drops the key
   * `__proto__`, which a model id may be (`MODEL_ID_PATTERN`).
   */
  retiers: z.array(OwedRetierSchema),
});
type OwedWork = z.infer<typeof OwedWorkRowSchema>;

/** A row stored before re-tierings were owed one per model: at most one, `retier` (none before re-tierings were owed). */
const OwedWorkRowWithOneRetierSchema = OwedWorkRowSchema.omit({ retiers: true })
  .extend({ retier: OwedRetierSchema.optional() })
  .transform(({ retier, ...owed }): OwedWork => ({ ...owed, retiers: retier ? [retier] : [] }));

const OwedWorkSchema = z.union([
  z.string().transform((everyLead): OwedWork => ({ everyLead, sources: {}, retiers: [] })),
  OwedWorkRowSchema,
  OwedWorkRowWithOneRetierSchema,
]);

async function readOwedWork(): Promise<OwedWork> {
  const owed = OwedWorkSchema.safeParse((await db.settings.get(OWED_WORK_KEY))?.value);
  return owed.success ? owed.data : { sources: {}, retiers: [] };
}

/** Changes what work is owed, read and written in one transaction (it may be the caller's: an activation's, a sync page's). */
async function updateOwedWork(change: (owed: OwedWork) => OwedWork): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    const owed = change(await readOwedWork());
    if (owed.everyLead === undefined && Object.keys(owed.sources).length === 0 && owed.retiers.length === 0) await db.settings.delete(OWED_WORK_KEY);
    else await db.settings.put({ key: OWED_WORK_KEY, value: owed });
  });
}

/**
 * Records that every stored lead is owed a score of `modelId` from now (it replaces one owed
 * before): only a run of it begun since settles it (`coversOwedScoringOfEveryLead`).
 */
export async function oweScoringOfEveryLead(modelId: string): Promise<void> {
  await updateOwedWork((owed) => ({ ...owed, everyLead: modelId, everyLeadOwedAt: Date.now() }));
}

const withoutOwedScoringOfEveryLead = (owed: OwedWork): OwedWork => ({ ...owed, everyLead: undefined, everyLeadOwedAt: undefined });

/**
 * Whether a run over every lead with `modelId` begun at `startedAt` covers the scoring of every
 * lead `owed`: of its model, and owed by the time it began. One begun before (left running when
 * the browser closed, and resumed: an update's scoring again, an activation of a model under the
 * same id) may have passed leads it owes a new score: their scores are of the earlier code or
 * model. The same millisecond counts: the run asked for it begins after it is owed (owing and
 * asking are one decision: requests.ts `decidingFullScoring`).
 */
const coversOwedScoringOfEveryLead = (owed: OwedWork, modelId: string, startedAt: number) =>
  owed.everyLead === modelId && (owed.everyLeadOwedAt === undefined || owed.everyLeadOwedAt <= startedAt);

/**
 * The model a scoring of every stored lead is owed with (null: none), and whether `job`, a scoring
 * run, covers it (`coversOwedScoringOfEveryLead`: its end settles it), in one read.
 */
export async function owedScoringSeenBy(job: JobProgress | null): Promise<{ owedModel: string | null; covers: boolean }> {
  const owed = await readOwedWork();
  return { owedModel: owed.everyLead ?? null, covers: job !== null && job.source === undefined && coversOwedScoringOfEveryLead(owed, job.modelId, job.startedAt) };
}

/** Whether `job`, a scoring run, covers the scoring of every lead owed (`owedScoringSeenBy`). */
export async function coversOwedScoring(job: JobProgress): Promise<boolean> {
  return (await owedScoringSeenBy(job)).covers;
}

/** The model a scoring of every stored lead is owed with, or null. */
export async function owedScoringModel(): Promise<string | null> {
  return (await readOwedWork()).everyLead ?? null;
}

/** The scoring of every stored lead owed with `modelId` is done (or has nothing to score): one owed with another model stays. */
export async function settleOwedScoring(modelId: string): Promise<void> {
  await updateOwedWork((owed) => (owed.everyLead === modelId ? withoutOwedScoringOfEveryLead(owed) : owed));
}

/**
 * Records that `source`'s stored leads are owed a scoring with the active model from now: only a
 * run of it begun later settles it (one begun before may have passed the leads just stored).
 * Inside a caller's transaction holding `db.settings`, it is part of it (a sync's page, an
 * import's commit): no leads stored without their scoring owed.
 */
export async function oweSourceScoring(source: SourceKind): Promise<void> {
  await updateOwedWork((owed) => ({ ...owed, sources: { ...owed.sources, [source]: Date.now() } }));
}

/** The sources whose leads are owed a scoring with the active model (`oweSourceScoring`), and since when. */
export async function owedSourceScorings(): Promise<{ source: SourceKind; owedAt: number }[]> {
  const { sources } = await readOwedWork();
  return Object.entries(sources).map(([source, owedAt]) => ({ source: source as SourceKind, owedAt }));
}

const withoutRetierOf = (retiers: OwedRetier[], modelId: string) => retiers.filter((owed) => owed.modelId !== modelId);

/**
 * Records that `modelId`'s stored scores are owed a re-tiering with its tiers as they are from now
 * (it replaces one of the model owed before; those of other models stay). Inside a caller's
 * transaction holding `db.settings`, it is part of it: the save of a new tier policy
 * (`setTiersOwingRetier`), so no page closed between the two leaves the policy saved and nothing owed.
 */
export async function oweRetier(modelId: string): Promise<void> {
  await updateOwedWork((owed) => ({ ...owed, retiers: [...withoutRetierOf(owed.retiers, modelId), { modelId, owedAt: Date.now() }] }));
}

/**
 * Drops the re-tiering owed of `modelId`'s stored scores: part of the transaction that deletes the
 * model and them (`deleteModel`; an old bundled model's, `adoptRebuiltBundledModel`). Asked, it
 * would only fail, the model gone, and be told as a failed re-tiering.
 */
export async function forgetOwedRetier(modelId: string): Promise<void> {
  await updateOwedWork((owed) => ({ ...owed, retiers: withoutRetierOf(owed.retiers, modelId) }));
}

/** The re-tierings of stored scores owed (`oweRetier`), one per model: of which model's, and since when. */
export async function owedRetiers(): Promise<OwedRetier[]> {
  return (await readOwedWork()).retiers;
}

/**
 * Settles what the run of job `kind` that `progress` ends (done or failed) covered, when owed
 * before the run began (one owed since may be of items behind its cursor, or of tiers applied
 * after it read them): a scoring run, its source's scoring (every source's, for a run over every
 * lead); a run over every lead, the scoring of every lead owed with its model (by the time it
 * began: `coversOwedScoringOfEveryLead`), and once done the re-tiering of its model's scores (it
 * wrote or deleted every one of them, tiered as its model's tiers were when it began); a
 * re-tiering run, the re-tiering of its model's scores. Re-tierings owed of other models' scores stay.
 */
async function settleOwedCoveredBy(kind: JobKind, progress: JobProgress): Promise<void> {
  const { modelId, source, startedAt, state } = progress;
  const overEveryItem = source === undefined;
  const coversItsModelsRetier = kind === 'retier' || (overEveryItem && state === 'done');
  await updateOwedWork((owed) => {
    const retiers = owed.retiers.filter((retier) => !(coversItsModelsRetier && retier.modelId === modelId && retier.owedAt < startedAt));
    if (kind === 'retier') return { ...owed, retiers };
    return {
      ...(overEveryItem && coversOwedScoringOfEveryLead(owed, modelId, startedAt) ? withoutOwedScoringOfEveryLead(owed) : owed),
      sources: Object.fromEntries(Object.entries(owed.sources).filter(([owedSource, owedAt]) => !((overEveryItem || source === owedSource) && owedAt < startedAt))),
      retiers,
    };
  });
}

/**
 * When the last scoring of every stored lead that ended done (no lead left unscored) began, and
 * with which model: every score of that model is at least that old, so the hourly refresh learns
 * the age of the oldest without reading them all. Kept apart from the job's row, which the
 * one-CRM runs after it (a sync's) overwrite. Absent before the first such run since it was kept.
 */
const LAST_FULL_SCORING_KEY = 'job:scoring:last-full';

const LastFullScoringSchema = z.object({ modelId: z.string(), startedAt: z.number() });

/** When the last scoring of every stored lead that ended done began, if it was of `modelId`; else null. */
export async function lastFullScoringStart(modelId: string): Promise<number | null> {
  const last = LastFullScoringSchema.safeParse((await db.settings.get(LAST_FULL_SCORING_KEY))?.value);
  return last.success && last.data.modelId === modelId ? last.data.startedAt : null;
}

/**
 * Writes the row of a run that ended, done or failed, and settles the work owed it covered
 * (`settleOwedCoveredBy`) in the same write; a scoring of every lead that ended done is also
 * recorded as the last one (`LAST_FULL_SCORING_KEY`). A scoring run over every lead or the CSV leads that
 * failed is tried again as its standing failure is (`RETRY_FAILED_SCORING_AFTER_MS`), the leads of
 * a one-CRM one by the next scoring of every lead (within a day, as the scores it left age); a
 * failed re-tiering when its tiers are applied again.
 */
async function recordRunEnd(kind: JobKind, progress: JobProgress): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    await writeJob(kind, progress);
    await settleOwedCoveredBy(kind, progress);
    const { modelId, source, startedAt, state } = progress;
    if (kind === 'scoring' && source === undefined && state === 'done') await db.settings.put({ key: LAST_FULL_SCORING_KEY, value: { modelId, startedAt } });
  });
}

/**
 * Resolves with what a run of job `kind` with `modelId` needs before `runJob` begins it (`prepare`:
 * its model's manifest). When that fails the run is recorded as failed before its first item (of
 * `countItems()`), as `runJob` records one that fails later: unrecorded, a scoring owed with the
 * model would be asked again at every start, not tried again hours later as a failed run is
 * (`RETRY_FAILED_SCORING_AFTER_MS`), and no page would say why the leads have no score.
 */
export async function preparingRun<T>(
  kind: JobKind,
  modelId: string,
  prepare: () => Promise<T>,
  { source, countItems }: { source?: JobProgress['source']; countItems: () => Promise<number> },
): Promise<T> {
  try {
    return await prepare();
  } catch (error) {
    const previous = await readJob(kind);
    const failedAt = Date.now();
    const message = error instanceof Error ? error.message : String(error);
    const lastFailure = previous ? standingFailure(previous) : undefined;
    await recordRunEnd(kind, { modelId, source, state: 'failed', done: 0, total: await countItems(), startedAt: failedAt, finishedAt: failedAt, error: message, lastFailure });
    throw error;
  }
}

/** Thrown by a job's progress report when a purge asks it to stop: its row stays `running`, with its cursor. */
export class JobPaused extends Error {
  constructor() {
    super('Paused while stored data are deleted');
    this.name = 'JobPaused';
  }
}

/**
 * Runs `task` (a swap of stored leads: a CSV import's commit, a demo reseed) while no job writes
 * stored scores: one running pauses after its batch and continues after `task`, so it neither
 * writes a score of a lead `task` deletes nor reads a half-swapped store.
 */
export async function withStoredScoresPaused<T>(task: () => Promise<T>): Promise<T> {
  return await navigator.locks.request(STORED_SCORES_LOCK, task);
}

/**
 * Thrown by a scoring run over every stored lead with a model once one with another model is owed
 * (`supersededBy` was made active since the run was asked): its scores would no longer be shown,
 * and the owed run, asked after it, would wait for its end. Recorded as a failed run of its model
 * (its stored scores are left done in part, as the row then says) marked `supersededBy`: no
 * failure that stands (`standingFailure`), which pages would tell of and the hourly check retry.
 */
export class ScoringSuperseded extends Error {
  constructor(
    readonly modelId: string,
    readonly supersededBy: string,
  ) {
    super('Stopped: another model was made active, and the stored leads are scored with it instead');
    this.name = 'ScoringSuperseded';
  }
}

/**
 * Throws `ScoringSuperseded` when `kind` is the scoring job, the run covers every item and the
 * scoring owed (`owedScoringModel`) is another model's. Read from the row the activation writes, so
 * it reaches the run in whichever context it runs, waiting for its turn (checked before its first
 * batch) or running (checked after each).
 */
async function stopIfSuperseded(kind: JobKind, modelId: string, source: JobProgress['source']): Promise<void> {
  if (kind !== 'scoring' || source !== undefined) return;
  const owed = await owedScoringModel();
  if (owed !== null && owed !== modelId) throw new ScoringSuperseded(modelId, owed);
}

/** Throws `JobPaused` while a purge waits for the stored scores' lock (see `STORED_SCORES_LOCK`). */
async function pauseIfAsked(): Promise<void> {
  const { pending = [] } = await navigator.locks.query();
  if (pending.some((lock) => lock.name === STORED_SCORES_LOCK)) throw new JobPaused();
}

/**
 * A job's progress report: items done so far, the key of the last one, (re-tiering) how many
 * changed tier, and the items it could not finish so far.
 */
export type JobReport = (done: number, resumeAfter?: string, changed?: number, failedItems?: FailedItems) => Promise<void>;

/**
 * The failure that stands when `job` is its row: `job`'s own when its failure stands
 * (`failureStands`: a run over every item or the CSV leads) and it failed, not for another model
 * made active (`supersededBy`), else the one kept from before it. A CSV run's failure does not
 * replace one over every item of its model kept before it: that one left more undone, and trying
 * it again scores the CSV leads too.
 */
export function standingFailure(job: JobProgress): RunFailure | undefined {
  const kept = job.lastFailure;
  if (job.state !== 'failed' || !failureStands(job.source) || job.supersededBy !== undefined) return kept;
  if (job.source !== undefined && kept !== undefined && kept.source === undefined && kept.modelId === job.modelId) return kept;
  const { modelId, done, total, error, failedItems, finishedAt, source } = job;
  return { modelId, done, total, error, failedItems, finishedAt, source };
}

export interface JobRunOptions {
  /** The one source the run covers (recorded in every row it writes); omitted = every item. */
  source?: JobProgress['source'];
  /** An earlier run of the job that `work` continues: its start, count and cursor carry over. */
  unfinished?: JobProgress;
}

/**
 * Run `work` as job `kind`, recording its start, its progress (through the `report` it gets)
 * and how it ended. Rethrows the failure after recording it. `report` throws `JobPaused` when
 * a purge asks the job to stop (before its first batch too): rethrown, not recorded, so the
 * row says `running` with its cursor, as when the job's document closed.
 *
 * `countedTotal` is counted before the job starts; items stored meanwhile (a sync's) ahead of
 * the job are done too, so its total grows with them: the row never says more done than its
 * total, nor fewer done than it said before.
 *
 * The failure that stood before (`standingFailure`) stays on the row (`lastFailure`) until a run
 * of its model over the items it left undone succeeds. A scoring run over every item settles the scoring owed with its model,
 * and stops (failed, `supersededBy` the other model) once a scoring of every item with another model is owed.
 */
export async function runJob<T>(
  kind: JobKind,
  modelId: string,
  countedTotal: number,
  work: (report: JobReport) => Promise<T>,
  { source, unfinished }: JobRunOptions = {},
): Promise<T> {
  const previous = await readJob(kind);
  const failureBefore = previous ? standingFailure(previous) : undefined;
  const run = { modelId, startedAt: unfinished?.startedAt ?? Date.now(), source, lastFailure: failureBefore };
  let done = 0;
  let total = countedTotal;
  let failedItems: FailedItems | undefined;
  const report: JobReport = async (count, resumeAfter, changed, failed) => {
    done = count;
    total = Math.max(total, done);
    failedItems = failed;
    await writeJob(kind, { ...run, state: 'running', done, total, resumeAfter, changed, failedItems });
    await pauseIfAsked();
    await stopIfSuperseded(kind, modelId, source);
  };
  try {
    await report(unfinished?.done ?? 0, unfinished?.resumeAfter, unfinished?.changed, unfinished?.failedItems);
    const result = await work(report);
    // Only a run of its model over every item, or over the failed run's source, scored again what it left undone.
    const madeGood = failureBefore?.modelId === modelId && (source === undefined || source === failureBefore.source);
    await recordRunEnd(kind, { ...run, state: 'done', done: total, total, finishedAt: Date.now(), lastFailure: madeGood ? undefined : failureBefore });
    return result;
  } catch (error) {
    if (error instanceof JobPaused) throw error; // not over: it continues after the purge
    const message = error instanceof Error ? error.message : String(error);
    const supersededBy = error instanceof ScoringSuperseded ? error.supersededBy : undefined;
    await recordRunEnd(kind, { ...run, state: 'failed', done, total, failedItems, finishedAt: Date.now(), error: message, supersededBy });
    throw error;
  }
}

/** Where an unfinished job stopped: how many items it finished, up to which key, and those it could not finish. */
export interface JobCursor {
  done: number;
  after: string;
  failedItems?: FailedItems;
}

/**
 * Continues job `kind` when its row still says `running` (its document closed, or a purge
 * paused it), over the same items (its `source`'s, when it has one). `continueAfter` gets that
 * row and its cursor (none when the job stopped before its first batch: it starts over) and
 * returns how many items are left after the cursor and the work that goes on with them.
 * Null when no job was unfinished.
 */
export async function resumeUnfinishedJob<T>(
  kind: JobKind,
  continueAfter: (job: JobProgress, cursor: JobCursor | undefined) => Promise<{ remaining: number; work: (report: JobReport) => Promise<T> }>,
): Promise<T | null> {
  const job = await readJob(kind);
  if (job?.state !== 'running') return null;
  const cursor = job.resumeAfter === undefined ? undefined : { done: job.done, after: job.resumeAfter, failedItems: job.failedItems };
  // A job that cannot even be taken up again (its model's manifest unreadable) ends failed, saying
  // why: left `running`, it would be tried at every start and show a bar that never moves. Over
  // every item, it settles a scoring owed with its model, as any run's end does.
  const { remaining, work } = await continueAfter(job, cursor).catch(async (error: unknown) => {
    await recordRunEnd(kind, { ...job, state: 'failed', finishedAt: Date.now(), error: error instanceof Error ? error.message : String(error) });
    throw error;
  });
  // The items left are counted again, not taken from the row: a purge may have deleted some.
  const total = (cursor?.done ?? 0) + remaining;
  return runJob(kind, job.modelId, total, work, { source: job.source, unfinished: cursor && job });
}

/**
 * When "Purge everything" last deleted the stored data (epoch ms): written in its transaction once
 * the tables are cleared, so it stays. A job asked before then and still waiting for its turn was
 * asked of data that are gone (`purgedSince`).
 */
const PURGED_AT_KEY = 'purged-at';

/** Records that the stored data were deleted now: the purge's, in its transaction, after it cleared the tables. */
export async function recordPurge(): Promise<void> {
  await db.settings.put({ key: PURGED_AT_KEY, value: Date.now() });
}

/**
 * Whether "Purge everything" deleted the stored data at or after `askedAt`. The same millisecond
 * counts: a job is asked holding a lock the purge takes before it deletes (the asking lock,
 * ./requests.ts; a write-back's own), and one asked after waited for the rest of the purge too.
 * A purge recorded later than now was recorded by a clock set back since (it ran fast): taken as
 * before every job asked, or every scoring would do nothing until the clock caught up with it.
 */
export async function purgedSince(askedAt: number): Promise<boolean> {
  const purgedAt = z.number().safeParse((await db.settings.get(PURGED_AT_KEY))?.value);
  return purgedAt.success && purgedAt.data >= askedAt && purgedAt.data <= Date.now();
}

/**
 * Runs `task` in the turn of the jobs writing stored scores (`JOB_TURN_LOCK`): after the job
 * running now ends, and before any other starts (asked later, they wait for it).
 */
export async function inJobsTurn<T>(task: () => Promise<T>): Promise<T> {
  return await navigator.locks.request(JOB_TURN_LOCK, task);
}

/**
 * Runs `start`, a job writing stored scores, in its turn and holding the stored scores' lock.
 * Paused by a purge, it asks for the lock again (granted once the purge is done) and goes on
 * with `resume`, which continues the unfinished job its row describes. Null when the purge
 * deleted that row: nothing is left to continue.
 */
export async function runStoredScoresJob<T>(start: () => Promise<T>, resume: () => Promise<T | null>): Promise<T | null> {
  return await inJobsTurn(async () => {
    for (let run: () => Promise<T | null> = start; ; run = resume) {
      try {
        return await navigator.locks.request(STORED_SCORES_LOCK, run);
      } catch (error) {
        if (!(error instanceof JobPaused)) throw error;
      }
    }
  });
}
