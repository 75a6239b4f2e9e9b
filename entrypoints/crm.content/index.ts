/**
 * The content script on CRM pages: recognise each page (first load and every client-side
 * navigation, handled in one place) and run the features registered for it, ending them all
 * when "Purge everything" deleted what LeadLens stored; and tell the background when the page
 * becomes visible or its window is focused (the rep switched to it). It never loads ONNX Runtime and never sees
 * credentials: it sends fields, it receives scores.
 */
import { pageKey, recognisePage } from '@/lib/crm/adapters';
import { CRM_MATCH_PATTERNS } from '@/lib/crm/match-patterns';
import type { PageMatch } from '@/lib/crm/types';
import { EVERYTHING_PURGED } from '@/lib/presentation';
import { scriptLifetime } from '@/lib/features/lifetime';
import { onEveryPage } from '@/lib/features/navigation';
import { contentFeatures } from '@/lib/features/registry';
import { background } from '@/lib/messaging/client';
import { onEvent } from '@/lib/messaging/events';

export default defineContentScript({
  matches: [...CRM_MATCH_PATTERNS],
  runAt: 'document_idle',
  // WXT also posts "a content script started" to the page's window: that tells every script of
  // the CRM page the extension's id and its event name, and wakes the page's message listeners.
  // Its own document event, which WXT reads, is enough.
  noScriptStartedPostMessage: true,
  main() {
    // Not WXT's context, which a script of the page can end (`scriptLifetime`).
    const lifetime = scriptLifetime();
    // The background's events for the whole tab, not for one feature: after "Purge everything" every
    // feature ends, its badges saying why, and none runs again until the page reloads.
    const purge = new AbortController();
    onEvent('everythingPurged', () => purge.abort(EVERYTHING_PURGED), lifetime.signal);
    // Switched to, the tab is the CRM tab used last, which the side panel's 'Open in CRM' navigates:
    // its tab made visible, or its window focused (a page visible already beside another window).
    // Said by the CRM page itself: a listener for every tab switch would wake the background on any site.
    // Said once until the page is hidden or its window loses focus: a switch to the tab in a
    // focused window makes it visible and focuses it, and each would say it again.
    let noted = false;
    const noteUsed = () => {
      // Read, not taken from the event: the page's own scripts can dispatch either.
      if (noted || document.visibilityState !== 'visible' || !recognisePage(new URL(location.href))) return;
      noted = true;
      // Unanswered (LeadLens reloaded under the page), the tab is merely not noted: nothing to show.
      void background.crmPageVisible({}).catch(() => undefined);
    };
    lifetime.addEventListener(document, 'visibilitychange', () => {
      if (document.visibilityState === 'hidden') noted = false;
      else noteUsed();
    });
    lifetime.addEventListener(window, 'focus', () => {
      if (document.hasFocus()) noteUsed();
    });
    lifetime.addEventListener(window, 'blur', () => (noted = false));
    onEveryPage(lifetime, pageKey, (url, previousUrl, pageSignal) => {
      const page = recognisePage(url);
      if (!page || purge.signal.aborted) return;
      const signal = AbortSignal.any([pageSignal, purge.signal]);
      // Null only on the first page: a page no adapter recognises (a HubSpot company or deal,
      // a Salesforce account) was still a page, whose fields the CRM may show for a moment.
      const previousMatch: PageMatch | null = previousUrl ? (recognisePage(previousUrl)?.match ?? { kind: 'other' }) : null;
      for (const feature of contentFeatures) {
        if (!feature.runsOn(page.match)) continue;
        feature
          .run({ document, adapter: page.adapter, match: page.match, previousMatch, signal })
          .catch((error: unknown) => console.warn(`LeadLens: ${feature.id} failed`, error));
      }
    });
  },
});
