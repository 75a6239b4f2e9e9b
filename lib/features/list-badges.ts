/**
 * A compact badge on every row of a CRM list view. Rows are scored by record id, in batches
 * of the rows in view (the background reads what it knows about each record; the page sends
 * no fields). New rows (scrolling a virtualised list, filtering, the next page rendering)
 * are picked up by watching the page; navigation to another page aborts this run and starts
 * a new one (navigation.ts).
 */
import type { CrmAdapter, CrmKind, ListRow } from '../crm/types';
import { background } from '../messaging/client';
import { onEvent } from '../messaging/events';
import { MAX_LIST_BATCH } from '../messaging/protocol-list';
import { isCrmChange, mountBadge, type BadgeHandle } from './badge-ui';
import type { ContentFeature } from './types';

/** Let a burst of DOM changes (a table re-rendering) settle before reading the rows again. */
const RESCAN_DELAY_MS = 150;
/** Gather the rows that scrolled into view together into one request. */
const BATCH_DELAY_MS = 50;

interface RowBadge {
  recordId: string;
  badge: BadgeHandle;
}

export const listBadges: ContentFeature = {
  id: 'list-badges',
  runsOn: (match) => match.kind === 'list',
  async run({ document, adapter, match, signal }) {
    if (match.kind !== 'list') return;
    badgeListRows(document, adapter, match.crm, signal);
  },
};

/** Badge the list's rows now and whenever the list changes, until `signal` aborts. */
export function badgeListRows(document: Document, adapter: CrmAdapter, crm: CrmKind, signal: AbortSignal): void {
  const badges = new Map<Element, RowBadge>(); // row anchor → its badge
  const waiting = new Map<Element, RowBadge>(); // in view, not yet asked for
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  let rescanTimer: ReturnType<typeof setTimeout> | undefined;

  const requestScores = async (rows: RowBadge[]) => {
    const reply = await background
      .scoreLeadsById({ crm, recordIds: rows.map((row) => row.recordId) })
      .catch((error: unknown) => ({ ok: false as const, error: error instanceof Error ? error.message : String(error) }));
    if (signal.aborted) return;
    if (!reply.ok) {
      for (const row of rows) row.badge.show(reply);
      return;
    }
    const byId = new Map(reply.rows.map((row) => [row.recordId, row]));
    for (const { recordId, badge } of rows) {
      const score = byId.get(recordId);
      if (score?.state === 'scored') badge.show({ ok: true, lead: score.lead });
      else badge.showUnknown();
    }
  };

  const flush = () => {
    batchTimer = undefined;
    const rows = [...waiting.values()];
    waiting.clear();
    for (let start = 0; start < rows.length; start += MAX_LIST_BATCH) void requestScores(rows.slice(start, start + MAX_LIST_BATCH));
  };

  const visibility = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      visibility.unobserve(entry.target);
      const row = badges.get(entry.target);
      if (row) waiting.set(entry.target, row);
    }
    if (waiting.size > 0) batchTimer ??= setTimeout(flush, BATCH_DELAY_MS);
  });

  const place = ({ recordId, anchor }: ListRow) => {
    const known = badges.get(anchor);
    if (known?.recordId === recordId && known.badge.host.isConnected) return;
    // A virtualised list reuses a row element for another record: replace its badge.
    known?.badge.remove();
    const badge = mountBadge(document, anchor, { compact: true });
    badge.host.setAttribute('data-leadlens-record', recordId);
    badges.set(anchor, { recordId, badge });
    visibility.observe(anchor);
  };

  const rescan = () => {
    rescanTimer = undefined;
    const rows = adapter.readListRows(document);
    // Rows that left the list (removed, or in a view the CRM hid after paging) lose their badge.
    const current = new Set(rows.map((row) => row.anchor));
    for (const [anchor, row] of badges) {
      if (current.has(anchor)) continue;
      visibility.unobserve(anchor);
      waiting.delete(anchor);
      badges.delete(anchor);
      row.badge.remove();
    }
    rows.forEach(place);
  };

  // Only the CRM's own changes mean the list may have changed. A virtualised grid may reuse a
  // row for another record by changing only its link or row key (attribute changes).
  const changes = new MutationObserver((records) => {
    const crmChanged = records.some(isCrmChange);
    if (crmChanged) rescanTimer ??= setTimeout(rescan, RESCAN_DELAY_MS);
  });
  changes.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['href', 'data-row-key-value'] });
  // Another active model or tier policy, or new stored scores: ask again for each row in view.
  onEvent('scoresChanged', () => badges.forEach((_, anchor) => visibility.observe(anchor)), signal);

  signal.addEventListener(
    'abort',
    () => {
      changes.disconnect();
      visibility.disconnect();
      clearTimeout(batchTimer);
      clearTimeout(rescanTimer);
      for (const { badge } of badges.values()) badge.remove();
      badges.clear();
    },
    { once: true },
  );
  rescan();
}
