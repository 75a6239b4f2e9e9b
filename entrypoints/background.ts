/**
 * The background service worker: answers the content scripts' and pages' messages in one
 * place. It keeps no state in module variables (Chrome may stop it at any time): the active
 * model comes from the package (later: Dexie), cached scores from Dexie.
 */
import { scoreLead } from '@/lib/background/score-lead';
import { ensureOffscreenDocument, runOffscreen } from '@/lib/background/offscreen-engine';
import { dexieScoreCache } from '@/lib/background/score-cache';
import { bundledModel } from '@/lib/ml/bundled-model';
import { offscreen } from '@/lib/messaging/client';
import { backgroundProtocol } from '@/lib/messaging/protocol';
import { registerHandlers } from '@/lib/messaging/rpc';

export default defineBackground({
  type: 'module',
  main() {
    registerHandlers(backgroundProtocol, 'background', {
      scoreLead: (request) =>
        scoreLead(request, {
          activeManifest: async () => {
            const parsed = bundledModel.manifest();
            if (!parsed.ok) throw new Error(parsed.error);
            return parsed.manifest;
          },
          runModel: runOffscreen,
          cache: dexieScoreCache,
          now: () => new Date(),
        }),
      engineBenchmark: async (request) => {
        await ensureOffscreenDocument();
        return offscreen.engineBenchmark(request);
      },
    });
    // The toolbar button opens the side panel.
    void browser.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => undefined);
  },
});
