/**
 * Progress of the long jobs (bulk scoring in the offscreen document, re-tiering in the
 * options page's worker), kept in one Dexie `settings` row per job so any page can watch it
 * with `liveQuery` (Dexie propagates changes across extension contexts) and so a job that
 * dies leaves a readable state behind instead of module memory.
 */
import { z } from 'zod';
import { db } from '../db/db';
import { CrmKindSchema } from '../messaging/schemas';

export const JOB_KEYS = { scoring: 'job:scoring', retier: 'job:retier' } as const;
/**
 * Held (a Web Lock, shared by every context of the extension) while a job writes stored
 * scores: the purge waits for it, so no batch of scores is written after everything is deleted.
 */
export const STORED_SCORES_LOCK = 'leadlens-stored-scores';
export type JobKind = keyof typeof JOB_KEYS;

export const JobProgressSchema = z.object({
  modelId: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  error: z.string().optional(),
  /** Primary key of the last item the job finished, so a restarted job continues after it. */
  resumeAfter: z.string().optional(),
  /**
   * Set when the run covers only this CRM's items (a write-back scores its own CRM's leads
   * first), so `done`/`total` count that CRM's and a restarted job continues the same CRM;
   * absent = every item.
   */
  source: CrmKindSchema.optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export async function readJob(kind: JobKind): Promise<JobProgress | null> {
  const parsed = JobProgressSchema.safeParse((await db.settings.get(JOB_KEYS[kind]))?.value);
  return parsed.success ? parsed.data : null;
}

export async function writeJob(kind: JobKind, progress: JobProgress): Promise<void> {
  await db.settings.put({ key: JOB_KEYS[kind], value: JobProgressSchema.parse(progress) });
}

export interface JobRunOptions {
  /** The one CRM the run covers (recorded in every row it writes); omitted = every item. */
  source?: JobProgress['source'];
  /** An earlier run of the job that `work` continues: its start, count and cursor carry over. */
  unfinished?: JobProgress;
}

/**
 * Run `work` as job `kind`, recording its start, its progress (through the `report` it gets)
 * and how it ended. Rethrows the failure after recording it.
 */
export async function runJob<T>(
  kind: JobKind,
  modelId: string,
  total: number,
  work: (report: (done: number, resumeAfter?: string) => Promise<void>) => Promise<T>,
  { source, unfinished }: JobRunOptions = {},
): Promise<T> {
  const run = { modelId, total, startedAt: unfinished?.startedAt ?? Date.now(), source };
  let done = 0;
  const report = async (count: number, resumeAfter?: string) => {
    done = count;
    await writeJob(kind, { ...run, state: 'running', done, resumeAfter });
  };
  await report(unfinished?.done ?? 0, unfinished?.resumeAfter);
  try {
    const result = await work(report);
    await writeJob(kind, { ...run, state: 'done', done: total, finishedAt: Date.now() });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await writeJob(kind, { ...run, state: 'failed', done, finishedAt: Date.now(), error: message });
    throw error;
  }
}
