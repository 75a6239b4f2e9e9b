/**
 * The content script on CRM pages: recognise each page (first load and every client-side
 * navigation, handled in one place) and run the features registered for it. It never loads
 * ONNX Runtime and never sees credentials: it sends fields, it receives scores.
 */
import { pageKey, recognisePage } from '@/lib/crm/adapters';
import { CRM_MATCH_PATTERNS } from '@/lib/crm/match-patterns';
import type { PageMatch } from '@/lib/crm/types';
import { onEveryPage } from '@/lib/features/navigation';
import { contentFeatures } from '@/lib/features/registry';

export default defineContentScript({
  matches: [...CRM_MATCH_PATTERNS],
  runAt: 'document_idle',
  // WXT also posts "a content script started" to the page's window: that tells every script of
  // the CRM page the extension's id and its event name, and wakes the page's message listeners.
  // Its own document event, which WXT reads, is enough.
  noScriptStartedPostMessage: true,
  main(ctx) {
    onEveryPage(ctx, pageKey, (url, previousUrl, signal) => {
      const page = recognisePage(url);
      if (!page) return;
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
