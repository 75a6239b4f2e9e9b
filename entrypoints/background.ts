/**
 * The background service worker: answers the content scripts' and pages' messages in one
 * place (handlers grouped by domain in lib/background/handlers). Chrome may stop it at any
 * time, so nothing that must outlive it is kept in module variables: models, scores and
 * settings live in Dexie, or in the package for the bundled model. The few module variables
 * there are (caches, marks of what this worker began, requests in flight shared by callers)
 * each say beside them why losing them with the worker costs at most a read done again.
 */
import { handleAlarm } from '@/lib/background/alarms';
import { backgroundHandlers } from '@/lib/background/handlers';
import { forgetOpenLead } from '@/lib/background/open-lead';
import { startUp } from '@/lib/background/start-up';
import { CONTENT_SCRIPT_MESSAGES, backgroundProtocol } from '@/lib/messaging/protocol';
import { registerHandlers } from '@/lib/messaging/rpc';

export default defineBackground({
  type: 'module',
  main() {
    registerHandlers(backgroundProtocol, 'background', backgroundHandlers, CONTENT_SCRIPT_MESSAGES);
    // What its predecessor, or the version before an update, left; alarm work waits for an interrupted purge to be finished.
    const purgeFinished = startUp();
    browser.alarms.onAlarm.addListener((alarm) => void purgeFinished.then(() => handleAlarm(alarm.name)));
    // A closed tab's remembered lead is never read again: drop it before storage.session fills up.
    browser.tabs.onRemoved.addListener((tabId) => void forgetOpenLead(tabId).catch((error: unknown) => console.error('LeadLens: forgetting a closed tab’s lead failed', error)));
    // The toolbar button opens the side panel.
    void browser.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => undefined);
  },
});
