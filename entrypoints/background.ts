/**
 * The background service worker: answers the content scripts' and pages' messages in one
 * place (handlers grouped by domain in lib/background/handlers). It keeps no state in
 * module variables (Chrome may stop it at any time): models, scores and settings live in
 * Dexie, or in the package for the bundled model.
 */
import { startStoredScoring } from '@/lib/background/activate-model';
import { handleAlarm } from '@/lib/background/alarms';
import { backgroundHandlers } from '@/lib/background/handlers';
import { keepWorkerAliveDuring } from '@/lib/background/keep-alive';
import { forgetOpenLead } from '@/lib/background/open-lead';
import { finishUnfinishedPurge } from '@/lib/background/purge';
import { scheduleScoreRefresh } from '@/lib/background/refresh-scores';
import { restrictStorageToExtension } from '@/lib/connections/connections';
import { discardAbandonedImport } from '@/lib/csv/stored';
import { db } from '@/lib/db/db';
import { resumeSyncs } from '@/lib/sync/runner';
import { scheduleAutoSync } from '@/lib/sync/schedule';
import { CONTENT_SCRIPT_MESSAGES, backgroundProtocol } from '@/lib/messaging/protocol';
import { registerHandlers } from '@/lib/messaging/rpc';

export default defineBackground({
  type: 'module',
  main() {
    registerHandlers(backgroundProtocol, 'background', backgroundHandlers, CONTENT_SCRIPT_MESSAGES);
    // After an update, the first open upgrades the database; on a large store that outlasts the
    // worker's idle limit (bench:upgrade), and a worker stopped mid-upgrade would start it over.
    void keepWorkerAliveDuring(db.open()).catch((error: unknown) => console.error('LeadLens: opening the database failed', error));
    // A "Purge everything" the browser closed on mid-way is finished before anything resumes on what it was deleting
    // (a sync with credentials the admin deleted, a scoring of leads about to go). Its failure is logged: the rest goes on.
    const purgeFinished = keepWorkerAliveDuring(finishUnfinishedPurge()).catch((error: unknown) => console.error('LeadLens: finishing an interrupted purge failed', error));
    // CRM credentials live in storage.local: keep content scripts out; resume a sync this worker's predecessor left running.
    void Promise.all([restrictStorageToExtension(), purgeFinished]).then(resumeSyncs);
    // A rebuilt bundled model after an update, and the bulk scoring or re-tiering the offscreen document had not finished when the browser closed.
    void purgeFinished.then(startStoredScoring).catch((error: unknown) => console.error('LeadLens: resuming stored-score jobs failed', error));
    browser.alarms.onAlarm.addListener((alarm) => void purgeFinished.then(() => handleAlarm(alarm.name)));
    // Stored scores' "days since" features are a day older each day: scored again daily.
    void scheduleScoreRefresh().catch((error: unknown) => console.error('LeadLens: scheduling the daily scoring failed', error));
    // Alarms do not outlive every browser restart: the admin's automatic syncs are scheduled again (as a purge left them: none).
    void purgeFinished.then(scheduleAutoSync).catch((error: unknown) => console.error('LeadLens: scheduling automatic syncs failed', error));
    // An import its page left half-staged (closed mid-file) keeps no copy of that file.
    void discardAbandonedImport().catch((error: unknown) => console.error('LeadLens: dropping an abandoned CSV import failed', error));
    // A closed tab's remembered lead is never read again: drop it before storage.session fills up.
    browser.tabs.onRemoved.addListener((tabId) => void forgetOpenLead(tabId).catch((error: unknown) => console.error('LeadLens: forgetting a closed tab’s lead failed', error)));
    // The toolbar button opens the side panel.
    void browser.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => undefined);
  },
});
