/**
 * What the background does each time Chrome starts its worker (a browser start, an update, an
 * event waking a worker stopped after idling): finish or resume what its predecessor, or the
 * version before an update, left. Each step's failure is logged: the others go on.
 */
import { browser } from 'wxt/browser';
import { restrictStorageToExtension } from '../connections/connections';
import { discardAbandonedImport } from '../csv/stored';
import { db } from '../db/db';
import { oweScoringOfEveryLead } from '../jobs/progress';
import { activeModelId } from '../ml/model-store';
import { resumeSyncs } from '../sync/runner';
import { scheduleAutoSync } from '../sync/schedule';
import { startStoredScoring } from './activate-model';
import { learnPortalInBackground } from './hubspot-portal';
import { keepWorkerAliveDuring } from './keep-alive';
import { finishUnfinishedPurge } from './purge';
import { scheduleScoreRefresh } from './refresh-scores';
import { SCORED_BY_VERSION_KEY } from './scored-by-version';

/**
 * After an update (`version` is not the one recorded), what the previous version scored is scored
 * again: its code may have read or scored fields otherwise (lib/ml/derive.ts's
 * DERIVED_READING_VERSION), or shipped the bundled model under the same id with another
 * reference (its percentiles), and badges would keep its scores while the side panel, scoring
 * afresh, says another. The record pages' cached scores are deleted, and a scoring of every
 * stored lead with the active model is owed (start-up asks for it: `startStoredScoring`), in the
 * transaction that records the version: a worker stopped between would otherwise lose it. With
 * no lead stored (a first install, after a purge) there is nothing to score again. No version
 * recorded, with leads stored, is an update from a LeadLens that did not record it.
 */
export async function scoreAgainAfterUpdate(version: string): Promise<void> {
  const isRecorded = async () => (await db.settings.get(SCORED_BY_VERSION_KEY))?.value === version;
  // Nearly every start: nothing to count or write.
  if (await isRecorded()) return;
  // Leads stored from now on (a sync, an import) owe their own scoring.
  const leadsStored = (await db.leads.count()) > 0;
  await db.transaction('rw', [db.settings, db.scores], async () => {
    if (await isRecorded()) return;
    await db.scores.clear();
    if (leadsStored) await oweScoringOfEveryLead(await activeModelId());
    await db.settings.put({ key: SCORED_BY_VERSION_KEY, value: version });
  });
}

const logFailure = (what: string) => (error: unknown) => console.error(`LeadLens: ${what}`, error);

/**
 * Starts the start-up work. Resolves once an interrupted "Purge everything" is finished (or
 * failed): alarm work waits for that, as start-up's own resuming of syncs and scoring does.
 */
export function startUp(): Promise<void> {
  // After an update, the first open upgrades the database; on a large store that outlasts the
  // worker's idle limit (bench:upgrade), and a worker stopped mid-upgrade would start it over.
  void keepWorkerAliveDuring(db.open()).catch(logFailure('opening the database failed'));
  // A "Purge everything" the browser closed on mid-way is finished before anything resumes on what it was deleting
  // (a sync with credentials the admin deleted, a scoring of leads about to go).
  const purgeFinished = keepWorkerAliveDuring(finishUnfinishedPurge()).catch(logFailure('finishing an interrupted purge failed'));
  // A HubSpot connection stored by a LeadLens that did not record portals: until checked, its own
  // portal's pages count as another's, and a sync left running would be refused on resuming.
  // Only a connection with no portal known, or no host of its pages, is checked (up to a minute of
  // HubSpot requests), in the check pages share, and not again at every worker start while HubSpot cannot tell.
  const portalChecked = purgeFinished
    .then(learnPortalInBackground)
    .catch(logFailure('checking which HubSpot portal the connection reads failed'));
  // CRM credentials live in storage.local: keep content scripts out; resume a sync this worker's predecessor left running.
  // A failure to close it is said, and syncs resume all the same (with credentials stored before, as they were).
  const storageClosed = restrictStorageToExtension().catch(logFailure('keeping content scripts out of storage.local, where credentials live, failed'));
  void Promise.all([storageClosed, portalChecked]).then(resumeSyncs).catch(logFailure('resuming an interrupted sync failed'));
  // What an update changed is scored again; then a rebuilt bundled model after an update, and the bulk scoring or
  // re-tiering the offscreen document had not finished when the browser closed.
  // One decision, so that an alarm's scoring check in between asks nothing start-up asks (`startStoredScoring`).
  const oweScoringAfterUpdate = () =>
    scoreAgainAfterUpdate(browser.runtime.getManifest().version).catch(logFailure('scoring again what the previous version scored failed'));
  void purgeFinished.then(() => startStoredScoring(oweScoringAfterUpdate)).catch(logFailure('resuming stored-score jobs failed'));
  // Stored scores' "days since" features are a day older each day: scored again daily.
  void scheduleScoreRefresh().catch(logFailure('scheduling the daily scoring failed'));
  // Alarms do not outlive every browser restart: the admin's automatic syncs are scheduled again (as a purge left them: none).
  void purgeFinished.then(scheduleAutoSync).catch(logFailure('scheduling automatic syncs failed'));
  // An import its page left half-staged (closed mid-file) keeps no copy of that file.
  void discardAbandonedImport().catch(logFailure('dropping an abandoned CSV import failed'));
  return purgeFinished;
}
