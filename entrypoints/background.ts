/**
 * The background service worker: answers the content scripts' and pages' messages in one
 * place (handlers grouped by domain in lib/background/handlers). It keeps no state in
 * module variables (Chrome may stop it at any time): models, scores and settings live in
 * Dexie, or in the package for the bundled model.
 */
import { scoringHandlers } from '@/lib/background/handlers/scoring';
import { backgroundProtocol } from '@/lib/messaging/protocol';
import { registerHandlers } from '@/lib/messaging/rpc';

export default defineBackground({
  type: 'module',
  main() {
    registerHandlers(backgroundProtocol, 'background', { ...scoringHandlers });
    // The toolbar button opens the side panel.
    void browser.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => undefined);
  },
});
