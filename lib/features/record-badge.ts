/**
 * The badge next to a lead's name on its record page: read the fields the page shows,
 * ask the background for the score, render it. Waits for the CRM to finish rendering the
 * new record after a client-side navigation (its old view stays in the DOM meanwhile).
 */
import { background } from '../messaging/client';
import { onEvent } from '../messaging/events';
import type { CrmAdapter, PageFields } from '../crm/types';
import { hashFields } from '../crm/fields-hash';
import { mountBadge } from './badge-ui';
import type { ContentFeature } from './types';

/** After this long without new fields, score what the page shows (maybe nothing: the badge says so). */
const RENDER_TIMEOUT_MS = 3000;

export const recordBadge: ContentFeature = {
  id: 'record-badge',
  runsOn: (match) => match.kind === 'record',
  async run({ document, adapter, match, previousMatch, signal }) {
    if (match.kind !== 'record') return;
    // Coming from another record, the CRM still shows it until it renders the new one.
    const staleHash = previousMatch?.kind === 'record' ? hashFields(adapter.readRecordFields(document)) : null;
    const fields = await waitForRenderedRecord(document, adapter, staleHash, signal);
    if (signal.aborted) return;
    const badge = mountBadge(document, adapter.findBadgeAnchor(document));
    signal.addEventListener('abort', () => badge.remove(), { once: true });
    const score = async () => {
      const outcome = await background
        .scoreLead({ crm: match.crm, recordId: match.recordId, fields })
        .catch((error: unknown) => ({ ok: false as const, error: error instanceof Error ? error.message : String(error) }));
      if (!signal.aborted) badge.show(outcome);
    };
    // A new tier policy changes the tier of the same probability: score again.
    onEvent('tiersChanged', () => void score(), signal);
    await score();
  },
};

/** Resolve with the active record's fields once they are there and are not the previous record's. */
function waitForRenderedRecord(
  document: Document,
  adapter: CrmAdapter,
  staleHash: string | null,
  signal: AbortSignal,
): Promise<PageFields> {
  return new Promise((resolve) => {
    const read = () => adapter.readRecordFields(document);
    const isFresh = (fields: PageFields) => Object.keys(fields).length > 0 && hashFields(fields) !== staleHash;
    const first = read();
    if (isFresh(first)) return resolve(first);

    const finish = () => {
      observer.disconnect();
      clearTimeout(timer);
      resolve(read());
    };
    const observer = new MutationObserver(() => {
      if (isFresh(read())) finish();
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['class', 'style', 'hidden'] });
    const timer = setTimeout(finish, RENDER_TIMEOUT_MS);
    signal.addEventListener('abort', finish, { once: true });
  });
}
