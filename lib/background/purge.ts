/**
 * "Purge everything" (options → Data and privacy), done where the jobs run. A sync running
 * while the page cleared the tables would store its next page, and its checkpoint, right
 * back; a write-back would go on calling the CRM with credentials the admin just deleted.
 * So the purge asks every job to stop, waits for their locks and holds them while it deletes:
 * no job can start or write in between. Bulk scoring and re-tiering pause rather than end:
 * they continue over what is left once the purge is done (see lib/jobs/progress.ts). The mark
 * of a purge under way, which CRM pages' requests read, is purge-mark.ts's.
 */
import { browser } from 'wxt/browser';
import { connectionGenerationKeys, removeConnection } from '../connections/connections';
import { CRM_KINDS, type CrmKind } from '../crm/types';
import { CSV_IMPORT_CANCEL_CHANNEL, CSV_IMPORT_LOCK } from '../csv/stored';
import { db, syncedLeadsOf } from '../db/db';
import { fieldsWrittenInOrgsBefore, forgetWrittenValues, readFieldsWritten, rememberWrittenBackFields, writtenBackFields } from '../db/written-back-fields';
import { recordPurge, STORED_SCORES_LOCK } from '../jobs/progress';
import { REQUEST_ASKING_LOCK } from '../jobs/requests';
import { broadcastToPages, sendToCrmTabs } from '../messaging/events';
import type { FieldsLeftInCrm } from '../messaging/protocol-privacy';
import { cancelSync, syncLockName } from '../sync/runner';
import { scheduleAutoSync } from '../sync/schedule';
import { syncStateKey } from '../sync/state';
import { crmPagesShown, forgetOpenLeadsOf, isPurgedPageKey, rememberPurgedPages } from './open-lead';
import { markPurgeBegun, PURGE_PENDING_KEY, purgePending } from './purge-mark';
import { deleteCachedScoresOf, forgetScoresInFlight } from './score-cache';
import { SCORED_BY_VERSION_KEY } from './scored-by-version';
import { cancelWriteBack, forgetWriteBackReport, rememberLastFieldsWritten, writeBackLockName } from './write-back-job';

/** How long running jobs get to stop (each stops after its current request or batch) before the purge gives up. */
export const PURGE_WAIT_MS = 60_000;

/** Runs `task` holding every lock in `names` (acquired in order, waiting for their holders). */
async function holdingLocks(names: readonly string[], signal: AbortSignal, task: () => Promise<void>): Promise<void> {
  if (names.length === 0) return task();
  await navigator.locks.request(names[0], { signal }, () => holdingLocks(names.slice(1), signal, task));
}

/**
 * Runs `task` once no sync or write-back of `crms` runs and no job writes stored scores,
 * holding their locks so none starts meanwhile (a sync or write-back stops after its current
 * request, a job writing stored scores pauses after its current batch). If one does not stop
 * within `waitMs`, `task` does not run and this throws, saying `nothingDone`.
 */
async function withJobsStopped(
  crms: readonly CrmKind[],
  task: () => Promise<void>,
  nothingDone: string,
  waitMs: number,
  { csvImport }: { csvImport: boolean },
): Promise<void> {
  // The asking lock first, before any job is asked to stop, held until `task` is done: a sync
  // stopped here asks for its CRM's scoring as it ends, and decided before `task` deleted what was
  // owed, that request would run after it, on what is left. No one holding it waits for another lock.
  // The CSV import's lock next: held, no import can start after the cancel. Waiting for
  // the stored scores' lock is what pauses bulk scoring or re-tiering. Asked last: a job waiting
  // for their result (a write-back for its scores, an import's commit pausing them) must stop
  // first, or it and the paused job would wait for each other.
  const locks = [...(csvImport ? [CSV_IMPORT_LOCK] : []), ...crms.flatMap((crm) => [syncLockName(crm), writeBackLockName(crm)]), STORED_SCORES_LOCK];
  const signal = AbortSignal.timeout(waitMs);
  try {
    await holdingLocks([REQUEST_ASKING_LOCK], signal, async () => {
      await Promise.all(crms.flatMap((crm) => [cancelSync(crm), cancelWriteBack(crm)]));
      if (csvImport) cancelCsvImport();
      await holdingLocks(locks, signal, task);
    });
  } catch (error) {
    if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new Error(`A sync, write-back, CSV import or the scoring of stored leads did not stop within ${waitMs / 1000} s, so ${nothingDone}: try again`);
    }
    throw error;
  }
}

/** Asks a running CSV import, in whichever page's worker, to stop (it then drops what it staged). */
function cancelCsvImport(): void {
  const channel = new BroadcastChannel(CSV_IMPORT_CANCEL_CHANNEL);
  channel.postMessage('cancel');
  channel.close();
}

/**
 * Gives back every site access granted at run time, not only the stored connections': a Connect
 * click asks for its host before the connect succeeds, and an earlier LeadLens kept some after
 * a connect failed. One origin at a time: Chrome refuses the whole call when one of them is
 * granted by the manifest (the content script's CRM pages), and those stay.
 */
async function releaseAllSiteAccess(): Promise<void> {
  const { origins = [] } = await browser.permissions.getAll();
  await Promise.all(origins.map((origin) => browser.permissions.remove({ origins: [origin] }).catch(() => undefined)));
}

/** What the admin must be told once a purge deleted everything LeadLens stored. */
export interface PurgeOutcome {
  /** A Salesforce sign-in LeadLens could not end (`endGrantOf`: it stays live at Salesforce once its connection is deleted here), else ''. */
  grantLeftLive: string;
  /**
   * The CRM fields write-back wrote values to, per CRM that has any, less those the admin said were
   * emptied, and apart from them those it wrote to in an org or portal connected before: LeadLens
   * deletes nothing in the CRM, so they still hold what it wrote, unless emptied since.
   */
  fieldsLeftInCrm: FieldsLeftInCrm;
}

/**
 * Deletes every lead, score, model, setting, sync checkpoint, connection (with its credentials)
 * and session entry but the marks of the pages it stopped (`rememberPurgedPages`), and gives back all site access granted at run time. A paused bulk scoring
 * or re-tiering loses its progress row with the rest, so it does not continue, and one asked
 * before and still waiting for its turn does not begin (`recordPurge`). If a job does not
 * stop within `waitMs`, deletes nothing and throws. Keeps only the names of the CRM fields
 * write-back wrote, or set out to write, scores to: the CRM's records may still hold those
 * scores, and synced again they would be a new model's feature (written-back-fields.ts); the
 * LeadLens version that scored what is stored (`SCORED_BY_VERSION_KEY`), or the next start
 * would take it for an update; and how
 * many times each CRM's connection was removed, so a connect under way stores nothing
 * (`connectionGeneration`); and when it deleted (`recordPurge`). Returns what the admin must be told
 * (`PurgeOutcome`).
 */
export async function purgeEverything(waitMs = PURGE_WAIT_MS): Promise<PurgeOutcome> {
  const grantsLeftLive: string[] = [];
  let fieldsLeftInCrm: PurgeOutcome['fieldsLeftInCrm'] = [];
  await withJobsStopped(
    CRM_KINDS,
    async () => {
      // Once every job has stopped: a purge that gave up deleted nothing, and leaves nothing to finish.
      await markPurgeBegun();
      try {
        // Before the deletion, which takes seconds on a large store: a badge asking meanwhile (scored from
        // its page, with no connection) would otherwise have its lead cached and remembered after it.
        // What still asks before its tab hears this is scored but not stored (`noPurgeSince`).
        await sendToCrmTabs('everythingPurged', {});
        // Listed once told: a page opened between is said stopped too, never one told left out. Before
        // anything is deleted: a purge failing after leaves them stopped, and the side panel must say so.
        await rememberPurgedPages(await crmPagesShown());
        for (const crm of CRM_KINDS) grantsLeftLive.push(await removeConnection(crm));
        await releaseAllSiteAccess();
        // One transaction: a worker stopped mid-purge leaves every table as it was, never leads without their summaries.
        await db.transaction('rw', db.tables, async () => {
          // Field names, not lead data; a field not named LeadLens's (a custom "AI_Score__c") is known as its output by this list only.
          // Kept whether or not anything was written there: the list is filled before a write-back writes.
          const writtenFields = await Promise.all(CRM_KINDS.map(writtenBackFields));
          // Named to the admin: only the fields values were written to. A write-back refused on its first batch or
          // cancelled wrote nothing, and its fields may hold the org's own data, not LeadLens's to have emptied.
          // Those an older LeadLens wrote are known from its last report only.
          for (const crm of CRM_KINDS) await rememberLastFieldsWritten(crm);
          const fieldsHoldingWrites = await Promise.all(CRM_KINDS.map(readFieldsWritten));
          // And those of an org connected before: its records still hold what LeadLens wrote.
          const fieldsInOrgsBefore = await Promise.all(CRM_KINDS.map(fieldsWrittenInOrgsBefore));
          // Kept, not cleared: the next start would take it for an update, and score everything synced since again.
          const scoredBy = await db.settings.get(SCORED_BY_VERSION_KEY);
          await Promise.all(db.tables.map((table) => table.clear()));
          // A scoring or re-tiering asked before and still waiting for its turn then does not run, on the emptied store.
          await recordPurge();
          for (const [i, crm] of CRM_KINDS.entries()) if (writtenFields[i].length > 0) await rememberWrittenBackFields(crm, writtenFields[i]);
          fieldsLeftInCrm = CRM_KINDS.flatMap((crm, i) => [
            { crm, fields: fieldsHoldingWrites[i].map(({ name }) => name) },
            { crm, fields: fieldsInOrgsBefore[i], inOrgConnectedBefore: true as const },
          ]).filter(({ fields }) => fields.length > 0);
          if (scoredBy) await db.settings.put(scoredBy);
        });
        // All but the marks of the pages it stopped, which the side panel reads until each reloads.
        const session = Object.keys(await browser.storage.session.get(null));
        await browser.storage.session.remove(session.filter((key) => !isPurgedPageKey(key)));
        // All but the connection generations (counts, no data), which `removeConnection` above raised:
        // cleared, a connect begun before the purge would store its connection after it. And the
        // purge's own mark, until it is done.
        const kept = new Set([...connectionGenerationKeys(), PURGE_PENDING_KEY]);
        await browser.storage.local.remove(Object.keys(await browser.storage.local.get(null)).filter((key) => !kept.has(key)));
        // The choice of automatic syncs went with the settings: no alarm is left to wake the background.
        await scheduleAutoSync();
      } finally {
        // Failed with an error too: the page that asked says so and the admin decides what next (purge again,
        // connect again). Left, the mark would have the next start delete whatever the admin connected and
        // synced since. Only a purge cut off without an error (browser closed, worker stopped) keeps it.
        await browser.storage.local.remove(PURGE_PENDING_KEY);
      }
    },
    'nothing was deleted',
    waitMs,
    { csvImport: true },
  );
  await broadcastToPages('storedDataDeleted', { everything: true });
  return { grantLeftLive: grantsLeftLive.filter(Boolean).join('. '), fieldsLeftInCrm };
}

/**
 * At start-up: finishes a "Purge everything" the browser closed on (or the worker was stopped in)
 * before it was done, doing it all again. A Salesforce sign-in it could not end is logged: the
 * page that asked for the purge is gone. Failing with an error, it is not tried again at the
 * next start (see `purgeEverything`): by then the admin may have connected again.
 */
export async function finishUnfinishedPurge(): Promise<void> {
  if (!(await purgePending())) return;
  const { grantLeftLive } = await purgeEverything();
  if (grantLeftLive) console.warn(`LeadLens: finishing the purge. ${grantLeftLive}`);
}

/**
 * Pages drop what they read of leads; `crm`'s tabs' badges ask again (cached scores are gone, list
 * rows may no longer be stored): another CRM's have nothing new to ask for. "Purge everything"
 * tells them otherwise (`purgeEverything`).
 */
async function tellStoredDataDeleted(crm: CrmKind): Promise<void> {
  await broadcastToPages('storedDataDeleted', { everything: false });
  await sendToCrmTabs('scoresChanged', { crm });
}

/**
 * When a CRM is connected to another org or portal: the leads synced from the previous one
 * (and their scores) are not this one's records, and its sync checkpoint is not this one's
 * place. Deletes both, once that CRM's jobs have stopped; demo and CSV leads stay. A bulk
 * scoring or re-tiering it paused continues afterwards, over the leads left. Returns how many
 * leads were deleted.
 */
export async function forgetSyncedLeads(crm: CrmKind, waitMs = PURGE_WAIT_MS): Promise<number> {
  let removed = 0;
  await withJobsStopped(
    [crm],
    async () => {
      // Before the previous org's cached scores are deleted: one read through it and cached meanwhile would stay.
      forgetScoresInFlight();
      await db.transaction('rw', [...db.leadTables, db.leadScores, db.scores, db.settings, db.heldOutScores], async () => {
        const keys = (await syncedLeadsOf(crm).primaryKeys()) as string[];
        await db.deleteLeads(keys);
        // A sandbox refreshed from production reuses its record ids: the new org's leads are not those models were trained on.
        await db.forgetHeldOutScoresOf(new Set(keys));
        // Record pages' scores read through the previous connection: the new org's pages must not get them.
        await deleteCachedScoresOf(crm);
        await db.settings.delete(syncStateKey(crm));
        // What write-back wrote to the previous org's records is not in this one's, nor its report's counts and lead ids.
        // The fields it wrote to are named at a purge: an older LeadLens's are known from its last report only.
        await rememberLastFieldsWritten(crm);
        await forgetWrittenValues(crm);
        await forgetWriteBackReport(crm);
        removed = keys.length;
      });
      // What the previous org's pages showed, remembered for the side panel, is not this one's either.
      await forgetOpenLeadsOf(crm);
    },
    'the previous leads were kept',
    waitMs,
    { csvImport: false },
  );
  // Without a lead deleted, pages need not read every lead again; CRM tabs ask again all the same,
  // their cached scores and the leads remembered for the side panel gone.
  if (removed > 0) await tellStoredDataDeleted(crm);
  else await sendToCrmTabs('scoresChanged', { crm });
  return removed;
}
