/**
 * Progress of the long jobs (bulk scoring in the offscreen document, re-tiering in the
 * options page's worker), kept in one Dexie `settings` row per job so any page can watch it
 * with `liveQuery` (Dexie propagates changes across extension contexts) and so a job that
 * dies leaves a readable state behind instead of module memory.
 */
import { z } from 'zod';
import { db } from '../db/db';

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
 * Run `work` as job `kind`, recording its start, its progress (through the `report` it gets)
 * and how it ended. Rethrows the failure after recording it. `unfinished` is an earlier run
 * of the job that `work` continues: its start, count and cursor carry over.
 */
export async function runJob<T>(
  kind: JobKind,
  modelId: string,
  total: number,
  work: (report: (done: number, resumeAfter?: string) => Promise<void>) => Promise<T>,
  unfinished?: JobProgress,
): Promise<T> {
  const startedAt = unfinished?.startedAt ?? Date.now();
  let done = 0;
  const report = async (count: number, resumeAfter?: string) => {
    done = count;
    await writeJob(kind, { modelId, state: 'running', done, total, startedAt, resumeAfter });
  };
  await report(unfinished?.done ?? 0, unfinished?.resumeAfter);
  try {
    const result = await work(report);
    await writeJob(kind, { modelId, state: 'done', done: total, total, startedAt, finishedAt: Date.now() });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await writeJob(kind, { modelId, state: 'failed', done, total, startedAt, finishedAt: Date.now(), error: message });
    throw error;
  }
}
