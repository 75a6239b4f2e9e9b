/**
 * The background's handle on the offscreen document, where the scoring engine (ONNX Runtime and
 * its sessions, lib/ml/engine.ts, in a worker under run deadlines: engine-in-worker.ts) and the
 * bulk-scoring and re-tiering jobs live. The document is created on demand and stays alive; if Chrome closed it
 * (or it crashed), the next call makes it again, and so does a job's caller that was waiting on it.
 */
import { browser } from 'wxt/browser';
import type { SourceKind } from '../ml/featurize';
import { JOB_KEYS, readJob, type JobKind, type JobProgress } from '../jobs/progress';
import { offscreen } from '../messaging/client';
import { succeeded } from '../messaging/reply';
import { notTaken } from '../messaging/rpc';
import { keepWorkerAliveDuring } from './keep-alive';
import type { EngineRows } from './score-lead';

const OFFSCREEN_PATH = '/offscreen.html';

/** What each job does, in the words its interruption is told in. */
const JOB_WORK: Record<JobKind, string> = { scoring: 'scoring of the stored leads', retier: 're-tiering of the stored scores' };

/**
 * An offscreen job's caller lost its reply: the document closed before the job answered (Chrome
 * closed it, or it crashed). `continuing` is the row of the caller's job (its model, and its one
 * CRM or every item) left running, which the document, opened again, goes on with where it
 * stopped; null when it was not the one left running (it had ended, or had not begun: it waited
 * behind another job, which goes on without it): nothing goes on with it.
 */
export class OffscreenJobInterrupted extends Error {
  constructor(
    kind: JobKind,
    readonly continuing: JobProgress | null,
  ) {
    super(
      continuing
        ? `The ${JOB_WORK[kind]} was interrupted (the page running it closed), and goes on where it stopped.`
        : `The page running the ${JOB_WORK[kind]} closed before it answered: try again.`,
    );
    this.name = 'OffscreenJobInterrupted';
  }
}

// Concurrent callers share one creation; this is a de-duplication, not state to keep.
let creating: Promise<void> | null = null;

export async function offscreenDocumentIsOpen(): Promise<boolean> {
  const url = browser.runtime.getURL(OFFSCREEN_PATH);
  const existing = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
  return existing.length > 0;
}

/**
 * Opens the offscreen document unless it is open. Chrome lists it as soon as its creation begins,
 * before it loaded and can take a message: a caller while this worker creates it waits for that
 * creation rather than take the listing for a loaded document.
 */
export async function ensureOffscreenDocument(): Promise<void> {
  if (!creating) {
    const open = await offscreenDocumentIsOpen();
    // Unless a creation began while Chrome answered: it is listed, and may not have loaded yet.
    if (open && !creating) return;
  }
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

/** How long a document listed but not yet taking messages gets to load before the one retry (it starts in ~60 ms). */
export const DOCUMENT_LOADING_RETRY_MS = 1_000;

/**
 * `send`'s reply, once the caller opened the offscreen document (`ensureOffscreenDocument`). One a
 * previous worker began creating (it was stopped while the document loaded) is listed open
 * before it can take a message: a message no context took (rpc.ts `notTaken`: `runtime.sendMessage`
 * goes to every extension page, and the options page and side panel listen for events without
 * replying) while the document is listed is sent once more, after a pause. Not taken, it was not
 * acted on: sent again, it is acted on once. The offscreen document never answers so: its handlers
 * (`registerHandlers`) answer every message for it at once or keep the channel open and answer a
 * reply their schema takes. One it took and then closed under (or crashed) is "A listener indicated
 * an asynchronous response by returning true, but the message channel closed…", not one of these,
 * and the document is no longer listed: not sent again, as that could run a job twice (`jobReply`
 * says it was interrupted).
 */
export async function sendOnceLoaded<Reply>(send: () => Promise<Reply>): Promise<Reply> {
  try {
    return await send();
  } catch (error) {
    if (!notTaken(error) || !(await offscreenDocumentIsOpen())) throw error;
    await new Promise((resolve) => setTimeout(resolve, DOCUMENT_LOADING_RETRY_MS));
    return send();
  }
}

/** Rows go as plain arrays with null for missing: NaN does not survive messaging. */
export async function runOffscreen(modelId: string, rows: Float32Array, featureCount: number): Promise<EngineRows> {
  await ensureOffscreenDocument();
  const plainRows: (number | null)[][] = [];
  for (let start = 0; start < rows.length; start += featureCount) {
    plainRows.push(Array.from(rows.subarray(start, start + featureCount), (v) => (Number.isNaN(v) ? null : v)));
  }
  const { probability, contributions } = await succeeded(sendOnceLoaded(() => offscreen.engineRun({ modelId, rows: plainRows })));
  return { probability, contributions };
}

/** Which run of its job an offscreen request asks for: its model, and its one source (none: every item). */
interface JobAsked {
  modelId: string;
  source?: SourceKind;
}

/**
 * The reply of the offscreen job `kind` run as `asked`. A job's own failure is a reply (`{ ok: false, error }`);
 * a rejection with the document gone means it closed under the job (its row still says
 * `running`, and nothing else reopens it while this worker lives): it is opened again to go on
 * with the job left running, and the caller told in plain words, not Chrome's "message channel
 * closed", whether that job is its own (another's row says nothing of its request, lost unbegun).
 */
async function jobReply<Reply>(kind: JobKind, asked: JobAsked, reply: Promise<Reply>): Promise<Reply> {
  try {
    return await reply;
  } catch (error) {
    if (await offscreenDocumentIsOpen()) throw error; // not a closed document: a malformed reply
    // Read first: a short job resumed could end before a later look, which would find it not cut short.
    const job = await readJob(kind);
    await resumeOffscreenJobs();
    const own = job?.state === 'running' && job.modelId === asked.modelId && job.source === asked.source;
    throw new OffscreenJobInterrupted(kind, own ? job : null);
  }
}

/**
 * Scores every stored lead (or only `source`'s) with `modelId` in the offscreen document (its
 * bulk-scoring job). Once `signal` aborts, the caller stops waiting (rejected with its reason)
 * and the job goes on: a cancelled write-back must not hold its lock until its scoring ends,
 * which a purge may be pausing. While it waits, this worker is kept alive: the job makes no
 * extension call that would, and Chrome stops a worker idle for 30 s (scoring 100,000 leads
 * takes over a minute), closing the channel of the page waiting for the reply. The job does not
 * run when "Purge everything" deleted the stored data after it was asked (`askedAt`), while it
 * waited for its turn: it answers that it scored none.
 */
export async function scoreStoredLeadsOffscreen(modelId: string, source?: SourceKind, signal?: AbortSignal) {
  // Before anything is awaited, while the caller holds the lock it decided under (the asking lock; a
  // write-back, its own): a purge takes it before it deletes, so this is no later than the time it records.
  const askedAt = Date.now();
  await ensureOffscreenDocument();
  const reply = jobReply('scoring', { modelId, source }, sendOnceLoaded(() => offscreen.scoreStoredLeads({ modelId, source, askedAt })));
  if (!signal) return keepWorkerAliveDuring(reply);
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  return keepWorkerAliveDuring(Promise.race([reply, aborted]));
}

/**
 * Re-tiers the stored scores of `modelId` with its current tiers in the offscreen document (its
 * `retier` job), this worker kept alive until it answers, as for scoring (and not run after a purge, as it).
 */
export async function retierStoredScoresOffscreen(modelId: string) {
  const askedAt = Date.now();
  await ensureOffscreenDocument();
  return keepWorkerAliveDuring(jobReply('retier', { modelId }, sendOnceLoaded(() => offscreen.retierStoredScores({ modelId, askedAt }))));
}

/**
 * A bulk-scoring or re-tiering job left running (the browser, or only the offscreen document,
 * closed mid-way) continues in the offscreen document, which resumes it when it starts: start
 * it now (when it is not open) rather than when a CRM page first needs a score.
 */
export async function resumeOffscreenJobs(): Promise<void> {
  const jobs = await Promise.all((Object.keys(JOB_KEYS) as JobKind[]).map(readJob));
  if (jobs.some((job) => job?.state === 'running')) await ensureOffscreenDocument();
}
