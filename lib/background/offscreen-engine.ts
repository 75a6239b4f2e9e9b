/**
 * The background's handle on the offscreen document, where ONNX Runtime and its sessions
 * (lib/ml/engine.ts) live. The document is created on demand and stays alive; if Chrome closed it, the next
 * call makes it again.
 */
import { browser } from 'wxt/browser';
import type { CrmKind } from '../crm/types';
import { JOB_KEYS, readJob, type JobKind } from '../jobs/progress';
import { offscreen } from '../messaging/client';
import { succeeded } from '../messaging/reply';
import { keepWorkerAliveDuring } from './keep-alive';
import type { EngineRows } from './score-lead';

const OFFSCREEN_PATH = '/offscreen.html';

// Concurrent callers share one creation; this is a de-duplication, not state to keep.
let creating: Promise<void> | null = null;

export async function ensureOffscreenDocument(): Promise<void> {
  const url = browser.runtime.getURL(OFFSCREEN_PATH);
  const existing = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
  if (existing.length > 0) return;
  creating ??= browser.offscreen
    .createDocument({
      url: OFFSCREEN_PATH,
      reasons: ['WORKERS'],
      justification: 'Runs the lead-scoring model (WebAssembly) once for every CRM tab.',
    })
    .finally(() => {
      creating = null;
    });
  await creating;
}

/** Rows go as plain arrays with null for missing: NaN does not survive messaging. */
export async function runOffscreen(modelId: string, rows: Float32Array, featureCount: number): Promise<EngineRows> {
  await ensureOffscreenDocument();
  const plainRows: (number | null)[][] = [];
  for (let start = 0; start < rows.length; start += featureCount) {
    plainRows.push(Array.from(rows.subarray(start, start + featureCount), (v) => (Number.isNaN(v) ? null : v)));
  }
  const { probability, contributions } = await succeeded(offscreen.engineRun({ modelId, rows: plainRows }));
  return { probability, contributions };
}

/**
 * Scores every stored lead (or only `source`'s) with `modelId` in the offscreen document (its
 * bulk-scoring job). Once `signal` aborts, the caller stops waiting (rejected with its reason)
 * and the job goes on: a cancelled write-back must not hold its lock until its scoring ends,
 * which a purge may be pausing. While it waits, this worker is kept alive: the job makes no
 * extension call that would, and Chrome stops a worker idle for 30 s (scoring 100,000 leads
 * takes over a minute), closing the channel of the page waiting for the reply.
 */
export async function scoreStoredLeadsOffscreen(modelId: string, source?: CrmKind, signal?: AbortSignal) {
  await ensureOffscreenDocument();
  const reply = offscreen.scoreStoredLeads({ modelId, source });
  if (!signal) return keepWorkerAliveDuring(reply);
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  return keepWorkerAliveDuring(Promise.race([reply, aborted]));
}

/**
 * Re-tiers the stored scores of `modelId` with its current tiers in the offscreen document (its
 * `retier` job), this worker kept alive until it answers, as for scoring.
 */
export async function retierStoredScoresOffscreen(modelId: string) {
  await ensureOffscreenDocument();
  return keepWorkerAliveDuring(offscreen.retierStoredScores({ modelId }));
}

/**
 * A bulk-scoring or re-tiering job left running (the browser closed mid-way) continues in the
 * offscreen document, which resumes it when it starts: start it now rather than when a CRM
 * page first needs a score.
 */
export async function resumeOffscreenJobs(): Promise<void> {
  const jobs = await Promise.all((Object.keys(JOB_KEYS) as JobKind[]).map(readJob));
  if (jobs.some((job) => job?.state === 'running')) await ensureOffscreenDocument();
}
