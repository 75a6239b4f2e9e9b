/**
 * Runs sync jobs in the background service worker, which Chrome may stop at any time.
 * Nothing lives in module variables: the job's state is its Dexie checkpoint, a Web Lock
 * keeps one job per CRM per worker, a cancel is a flag in `storage.session`, and a
 * 30-second alarm (plus every start-up of the worker) resumes a job marked running. A run's end
 * that IndexedDB refuses to store (the browser's storage full) is kept in `storage.session` instead.
 */
import { browser } from 'wxt/browser';
import { connectedClient } from '../connections/client-for';
import { clearReconnect, failureInPlainWords, markReconnect } from '../connections/connections';
import { accountOf, type Connection } from '../connections/schema';
import { CRM_KINDS, type CrmKind } from '../crm/types';
import { db, leadKeyOf } from '../db/db';
import { keepWorkerAliveDuring } from '../background/keep-alive';
import { requestOwedSourceScoring, scoreOwedLeads } from '../background/activate-model';
import { forgetScoresInFlight } from '../background/score-cache';
import { broadcastToPages, sendToCrmTabs } from '../messaging/events';
import { STORAGE_FULL_ERROR_KIND } from '../messaging/protocol-sync';
import { cancelAsked, listenForCancel } from '../jobs/cancel-flag';
import { oweSourceScoring, owedSourceScorings } from '../jobs/progress';
import { runSync } from './engine';
import { isStorageFull, type SyncJob, type SyncState } from './state';
import { forgetKeptEnd, keepEnd, syncStateOf } from './kept-end';
import { dexieSyncStore, markSyncRunning, otherAccountRefusal, recordSyncedAccount, type SyncStore } from './store';

export const SYNC_WATCHDOG_ALARM = 'leadlens-sync-watchdog';
const cancelKey = (crm: CrmKind) => `sync-cancel:${crm}`;
/** Held by the job running the CRM's sync; whoever holds it keeps every other job of that CRM from starting. */
export const syncLockName = (crm: CrmKind) => `leadlens-sync:${crm}`;

/** Held while the watchdog is armed or disarmed, so each decision reads every sync's latest state. */
const WATCHDOG_LOCK = 'leadlens-sync-watchdog';

/**
 * `store`, keeping the end of a run that IndexedDB refuses to store (the browser's storage for
 * LeadLens full, which fails the write of the error too) in `storage.session`, in memory, until a
 * sync is started by hand or the browser closes. Left stored as running, the run would be
 * resumed by the watchdog every 30 s, asking the CRM again to fail again, and the Sync row would
 * say it runs. The engine names such an end's kind (`STORAGE_FULL_ERROR_KIND`); its error keeps
 * the browser's words.
 */
function keepingEndsInMemory(store: SyncStore): SyncStore {
  return {
    ...store,
    async writeState(crm, end, cause) {
      try {
        await store.writeState(crm, end, cause);
      } catch (failure) {
        if (end.status === 'running') throw failure;
        console.warn(`LeadLens: the end of the ${crm} sync could not be stored, and is kept until the browser closes:`, failure);
        await keepEnd(crm, { ...end, endedAt: end.endedAt ?? Date.now() });
      }
    },
  };
}

/**
 * The watchdog alarm (it resumes a sync a stopped worker left running) armed while any sync is
 * marked running, cleared once none is. One decision at a time: a sync ending as another is
 * marked running either sees it running, or is followed by that sync's own decision.
 */
async function updateWatchdog(): Promise<void> {
  await navigator.locks.request(WATCHDOG_LOCK, async () => {
    const states = await Promise.all(CRM_KINDS.map(syncStateOf));
    if (states.some((state) => state.status === 'running')) await browser.alarms.create(SYNC_WATCHDOG_ALARM, { periodInMinutes: 0.5 });
    else await browser.alarms.clear(SYNC_WATCHDOG_ALARM);
  });
}

/**
 * `store`, telling the connection's status what the sync learns of its credentials before it
 * stores the state that shows it (pages read the status again when they see the sync end): a
 * page read means the CRM took them, so a "reconnect" is over; an auth error, that it refused them.
 * The state then says why in the words of the connection's status (`failureInPlainWords`: the
 * step that fixes it), not the HTTP text the engine stopped with.
 */
function reportingCredentials(store: SyncStore, connection: Connection): SyncStore {
  let taken = false;
  return {
    ...store,
    async commitPage(...page) {
      if (!taken) {
        taken = true;
        await clearReconnect(connection, 'the last sync read its leads');
      }
      await store.commitPage(...page);
    },
    async writeState(stateCrm, state, cause) {
      if (state.status !== 'error' || state.errorKind !== 'auth') return store.writeState(stateCrm, state, cause);
      const refusal = cause ?? state.error ?? 'The CRM refused the credentials';
      await markReconnect(connection, refusal);
      await store.writeState(stateCrm, { ...state, error: failureInPlainWords(connection, refusal) }, cause);
    },
  };
}

/** How many leads a job counted stored new or changed (one of an older LeadLens counted every lead stored). */
const changedBy = (job: SyncJob | null): number => (job ? (job.changed ?? job.synced) : 0);

/**
 * `store`, owing the CRM's scoring (`oweSourceScoring`) as the sync stores new or changed leads:
 * in the transaction of each write that counts some (a page, a pass over the values the CRM
 * computes), so a scoring run that begins after it, which settles it, reads them; and before it
 * empties fields the CRM no longer shows from stored leads (a pass cut short is made again, and
 * finds them emptied already). A browser closed before the sync ends leaves it owed: the sync
 * resumed asks for it as it ends, or start-up or the hourly check once the sync no longer runs
 * (`scoreOwedSourceLeads`). `changedBefore`: the leads the job counted before this run;
 * `onLeadsChanged` is called once this run changed some.
 * Before each write that deletes record pages' cached scores (those of the leads it stores new or
 * changed, or all of the CRM's as fields are emptied), badge reads in flight of those leads are
 * kept out of the cache (`forgetScoresInFlight`): one begun before, answered after, would cache the
 * record as it was before the sync read it again, and its page would show that over the stored
 * lead's score. Of all the leads the write is given, not only those it changes: which those are is
 * known only within its transaction, and a score let through as it began may be written after it.
 * Other leads' reads, another CRM's above all, are cached as they are answered.
 */
function owingScoring(store: SyncStore, crm: CrmKind, changedBefore: number, onLeadsChanged: () => void): SyncStore {
  let counted = changedBefore;
  const owingIfChanged = (write: () => Promise<SyncState>) =>
    db.transaction('rw', [...db.leadTables, db.scores, db.settings], async () => {
      const next = await write();
      if (changedBy(next.job) > counted) {
        await oweSourceScoring(crm);
        onLeadsChanged();
      }
      counted = changedBy(next.job);
      return next;
    });
  return {
    ...store,
    async commitPage(pageCrm, leads, state) {
      // The page's state counts the leads it stores changed (a page read again as stored forgets nothing).
      if (changedBy(state.job) > counted) forgetScoresInFlight({ leadKeys: leads.map((lead) => lead.key) });
      await owingIfChanged(async () => {
        await store.commitPage(pageCrm, leads, state);
        return state;
      });
    },
    refreshFields(fieldsCrm, records, next, stageOrder) {
      // How many leads it changes is known only within its write.
      forgetScoresInFlight({ leadKeys: records.map((record) => leadKeyOf(fieldsCrm, record.id)) });
      return owingIfChanged(() => store.refreshFields(fieldsCrm, records, next, stageOrder));
    },
    async dropFields(fieldsCrm, fields, stageOrder) {
      await oweSourceScoring(crm);
      forgetScoresInFlight({ crm: fieldsCrm });
      const emptied = await store.dropFields(fieldsCrm, fields, stageOrder);
      if (emptied > 0) onLeadsChanged();
      return emptied;
    },
  };
}

/**
 * Runs (or resumes) the CRM's job to its end, unless this worker already runs it; then, however
 * it ended (done, cancelled, stopped by an error), scores the CRM's stored leads if it stored any
 * new or changed (not those it read again as they were), so the side panel, tier policy and model
 * report see them. Scored after the sync's lock is released, so cancelling the sync does not wait
 * for the scoring (a purge pauses it: see lib/jobs/progress.ts).
 */
async function runJob(crm: CrmKind): Promise<void> {
  let ownersNamed = false;
  let leadsChanged = false;
  const final = await navigator.locks.request(syncLockName(crm), { ifAvailable: true }, async (lock): Promise<SyncState | null> => {
    if (!lock) return null;
    const store = keepingEndsInMemory(dexieSyncStore(db));
    // The client badges and write-backs use too: one rate limiter per connection, one describe.
    const { connection = null, client = null } = (await connectedClient(crm)) ?? {};
    const account = connection && accountOf(connection);
    // Before the job's first write: its writes carry the state it reads, account included.
    if (account) await recordSyncedAccount(db, crm, account);
    const state = await store.readState(crm);
    // The stored leads and checkpoint are another org's (its connect could not check, so forgot nothing): not mixed with this one's.
    const refusedFor = connection && otherAccountRefusal(state.account, connection);
    const refusal: Pick<SyncState, 'status' | 'error' | 'errorKind'> | null = !client
      ? { status: 'error', error: 'Not connected: connect this CRM first', errorKind: 'auth' }
      : refusedFor
        ? { status: 'error', error: refusedFor, errorKind: null }
        : (await cancelAsked(cancelKey(crm)))
          ? { status: 'cancelled', error: null, errorKind: null }
          : null;
    if (!connection || !client || refusal) {
      await store.writeState(crm, { ...state, ...refusal, endedAt: Date.now() });
      await browser.storage.session.remove(cancelKey(crm));
      await updateWatchdog(); // armed when it was marked running
      return null;
    }
    const cancel = await listenForCancel(cancelKey(crm));
    await updateWatchdog();
    try {
      // Alive for the whole job, not only from page to page: a CRM retried with back-off, or
      // listing every record to find deletions, goes longer than the worker's 30 s idle limit
      // without a page, and a worker stopped mid-retry left the sync "running" with no one to end it.
      return await keepWorkerAliveDuring(
        runSync({
          client,
          store: reportingCredentials(
            owingScoring(store, crm, changedBy(state.job), () => (leadsChanged = true)),
            connection,
          ),
          signal: cancel.signal,
          onOwnersNamed: () => (ownersNamed = true),
        }),
      );
    } finally {
      cancel.stop();
      await browser.storage.session.remove(cancelKey(crm));
      await updateWatchdog();
    }
  });
  if (final === null) return;
  // Pages read the leads again when their scoring ends, or when told that leads were removed;
  // else they are told of the names.
  const run = final.status === 'done' ? final.lastRun : null;
  // New or changed leads only: a sync of a CRM where nothing changed tells no one and scores nothing.
  const synced = run?.synced ?? 0;
  const removed = run?.removed ?? 0;
  // Leads the CRM deleted are gone: pages drop what they read of them (the open lead too).
  if (removed > 0) await broadcastToPages('storedDataDeleted', {});
  // List badges score stored leads: rows not stored before can be scored now, removed ones no longer.
  // This CRM's tabs only: another CRM's would ask for their rows again, reading those not stored from it.
  if (synced > 0 || removed > 0 || leadsChanged) await sendToCrmTabs('scoresChanged', { crm });
  const scoring = await scoreSyncedLeads(crm);
  if (!scoring && ownersNamed && removed === 0) await broadcastToPages('ownersNamed', {});
}

/**
 * Asks for the CRM's stored leads to be scored with the active model when that scoring is owed
 * (`owingScoring`: this run or an earlier one of the job stored new or changed leads, and no run
 * begun since settled it); resolves with whether it was. Not when a run or request covers it, as
 * start-up and the hourly check decide (`requestOwedScoringOf`), nor once a purge that stopped the
 * sync deleted it. A failure is the scoring job row's to show, not the sync's.
 */
async function scoreSyncedLeads(crm: CrmKind): Promise<boolean> {
  if (!(await owedSourceScorings()).some(({ source }) => source === crm)) return false;
  try {
    // What covers it may be owed and not asked yet (an activation's scoring of every lead, its request lost): asked now, not at the hourly check.
    if ((await requestOwedSourceScoring(crm)) === null) await scoreOwedLeads();
  } catch (error) {
    console.warn(`LeadLens: the leads synced from ${crm} could not be scored:`, error);
  }
  return true;
}

/** Starts the CRM's sync, or resumes its unfinished job; returns once it is marked running. */
export async function startSync(crm: CrmKind): Promise<void> {
  await browser.storage.session.remove(cancelKey(crm));
  // Marked before it starts, so a worker stopped right now still resumes it on its next start.
  try {
    await markSyncRunning(db, crm);
  } catch (error) {
    if (!isStorageFull(error)) throw error;
    // Not even marked: it ends at once, saying why, as a run the full storage stopped does.
    await keepEnd(crm, { status: 'error', error: error instanceof Error ? error.message : String(error), errorKind: STORAGE_FULL_ERROR_KIND, endedAt: Date.now() });
    await broadcastToPages('connectionsOrRunsChanged', {});
    return;
  }
  // Started (by hand: the automatic sync leaves one stored as running alone), an end kept in memory is over.
  await forgetKeptEnd(crm);
  await updateWatchdog();
  // Other pages (and every page, for an automatic sync) poll a sync only once they read it running.
  await broadcastToPages('connectionsOrRunsChanged', {});
  void runJob(crm);
}

/** Asks the running job to stop after its current request; what it stored stays. */
export async function cancelSync(crm: CrmKind): Promise<void> {
  await browser.storage.session.set({ [cancelKey(crm)]: true });
  // No job holds the lock (the worker was stopped): settle the state here, holding the lock so
  // that the state read is the last. Read before looking at the lock, it could be that of a job
  // finishing meanwhile (a Cancel from a tab that still showed it running), and its end undone.
  await navigator.locks.request(syncLockName(crm), { ifAvailable: true }, async (lock) => {
    if (!lock) return;
    const state = await syncStateOf(crm);
    if (state.status !== 'running') return;
    await keepingEndsInMemory(dexieSyncStore(db)).writeState(crm, { ...state, status: 'cancelled', endedAt: Date.now() });
    await browser.storage.session.remove(cancelKey(crm));
    await updateWatchdog();
  });
}

/** On worker start-up and on the watchdog alarm: resume every job marked running. */
export async function resumeSyncs(): Promise<void> {
  for (const crm of CRM_KINDS) {
    if ((await syncStateOf(crm)).status === 'running') void runJob(crm);
  }
}
