/**
 * A compact badge on every row of a CRM list view. Rows are scored by record id, in batches
 * of the rows in view (the background reads what it knows about each record; the page sends
 * no fields). New rows (scrolling a virtualised list, filtering, the next page rendering)
 * are picked up by watching the page; navigation to another page aborts this run and starts
 * a new one (navigation.ts). A row the CRM re-renders shows its record's last answer at once:
 * answers are kept per record id until the page goes away or the scores change.
 */
import type { ScoreOutcome } from '../messaging/protocol';
import { changedElementOf, closestComposed, flatTreeParent, isWithinRendered, matchesAny, observeComposed, queryFirst, type Selectors } from '../crm/dom';
import type { CrmAdapter, CrmKind, ListRow } from '../crm/types';
import { background } from '../messaging/client';
import { concernsCrm, onEvent } from '../messaging/events';
import { MAX_LIST_BATCH } from '../messaging/protocol-list';
import { failedOutcome, isCrmChange, mountBadge, noticeAtEnd, replaceBadge, type BadgeHandle } from './badge-ui';
import type { ContentFeature } from './types';

/** Let a burst of DOM changes (a table re-rendering) settle before reading the rows again. */
const RESCAN_DELAY_MS = 150;
/**
 * Rows this far above and below the window count as in view (half its height): those the rep
 * scrolls to next are asked for with the ones shown, not each on its own as it comes in. Rows
 * further down still wait until scrolled to: a long list is not read all at once.
 */
const VIEW_MARGIN = '50% 0px';
/**
 * Rows that come into view are gathered into one request: it goes this long after the last came
 * in, or BATCH_MAX_WAIT_MS after the first, whichever is sooner. A slow scroll (rows coming in
 * less than BATCH_QUIET_MS apart) is then a request each BATCH_MAX_WAIT_MS, not one a row (each a
 * CRM read and an engine run), also in a list that scrolls in a box of its own, which clips what
 * the margin above would add.
 */
const BATCH_QUIET_MS = 200;
const BATCH_MAX_WAIT_MS = 500;

/** What holds a list's rows, as both CRMs render it (the ARIA roles of a table too). */
const LIST_BOX: Selectors = ['table', '[role="grid"]', '[role="treegrid"]', '[role="table"]'];
/** What a list or its rows are rendered as (a row inserted into a table other than the one read: another list view filling in). */
const LIST_PARTS: Selectors = [...LIST_BOX, 'tr', '[role="row"]'];
/** A row's attributes that change when a virtualised grid reuses the row for another record: its link, its row key. */
const ROW_RECORD_ATTRIBUTES = new Set(['href', 'data-row-key-value']);

/** The nearest element that holds all of `elements` in the rendered tree (itself, for one); null for none, or none in common. */
function commonFlatAncestor(elements: readonly Element[]): Element | null {
  const [first, ...rest] = elements;
  if (first === undefined) return null;
  const chain: Element[] = [];
  const depthOf = new Map<Element, number>();
  for (let element: Element | null = first; element; element = flatTreeParent(element)) {
    depthOf.set(element, chain.length);
    chain.push(element);
  }
  let depth = 0;
  for (const element of rest) {
    let shared: Element | null = element;
    while (shared && !depthOf.has(shared)) shared = flatTreeParent(shared);
    if (!shared) return null;
    depth = Math.max(depth, depthOf.get(shared)!);
  }
  return chain[depth];
}

/** `element` and its ancestors in the rendered tree (through slots and shadow hosts). */
function flatAncestry(element: Element): Set<Element> {
  const ancestry = new Set<Element>();
  for (let current: Element | null = element; current; current = flatTreeParent(current)) ancestry.add(current);
  return ancestry;
}

/** Whether `node` is or holds a list or a row, in its light DOM or its open shadow roots. */
const holdsListParts = (node: Node): boolean =>
  node.nodeType === Node.ELEMENT_NODE && (matchesAny(node as Element, LIST_PARTS) || queryFirst(node as Element, LIST_PARTS) !== null);

interface RowBadge {
  /** The record the row showed when read; null once its link or key changed, until the rows are read again. */
  recordId: string | null;
  /** The lead's name as the row shows it: the badge's accessible name follows it. */
  name: string;
  badge: BadgeHandle;
}

/** What a row's badge shows: a score, "not scored yet", or why it could not be scored. */
type RowOutcome = ScoreOutcome | 'unknown';

function showOutcome(badge: BadgeHandle, outcome: RowOutcome): void {
  if (outcome === 'unknown') badge.showUnknown();
  else badge.show(outcome);
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
  const waiting = new Set<Element>(); // row anchors in view, not yet asked for
  /**
   * The background's last score per record id. Only scores: "not scored yet" can come from a
   * CRM read that failed (the background answers without the record), and a failure is asked again.
   */
  const outcomes = new Map<string, RowOutcome>();
  /** Bumped when the scores change: answers to earlier requests are dropped (their rows are asked again). */
  let generation = 0;
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the first row of the batch being gathered came into view (Date.now()), undefined while none waits. */
  let batchStartedAt: number | undefined;
  let rescanTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * What held the rows last read (their table or grid), null while no row is: only an attribute
   * changed in it, on it or on an element around it may change the rows read.
   */
  let listBox: Element | null = null;
  /** `listBox` and its ancestors, whose class, style or hidden show or hide the list. */
  let aroundList = new Set<Element>();

  const forgetOutcomes = () => {
    outcomes.clear();
    generation += 1;
  };

  const requestScores = async (recordIds: string[]) => {
    const askedIn = generation;
    const reply = await background.scoreLeadsById({ crm, recordIds }).catch(failedOutcome);
    // A late answer from before the scores changed must not overwrite the newer one.
    if (signal.aborted || askedIn !== generation) return;
    const byId = reply.ok ? new Map(reply.rows.map((row) => [row.recordId, row])) : null;
    const answers = new Map<string, RowOutcome>();
    for (const recordId of recordIds) {
      const score = byId?.get(recordId);
      answers.set(
        recordId,
        !reply.ok ? reply : score?.state === 'scored' ? { ok: true, lead: score.lead } : score?.state === 'unscorable' ? { ok: false, error: score.reason } : 'unknown',
      );
    }
    answers.forEach((answer, recordId) => answer !== 'unknown' && answer.ok && outcomes.set(recordId, answer));
    // The rows showing these records now: the CRM may have re-rendered them while we waited.
    // A score known since (a later request's) stays: a failure or "not scored yet" answering an
    // earlier request is no newer news of the record, the scores having not changed meanwhile.
    for (const { recordId, badge } of badges.values()) {
      const answer = recordId !== null && answers.get(recordId);
      if (answer) showOutcome(badge, outcomes.get(recordId) ?? answer);
    }
  };

  const flush = () => {
    clearTimeout(batchTimer);
    batchTimer = undefined;
    batchStartedAt = undefined;
    const recordIds = new Set<string>();
    for (const anchor of waiting) {
      const row = badges.get(anchor);
      // A row reused for a record not read yet: the next read of the rows asks for it.
      if (!row || row.recordId === null) continue;
      const known = outcomes.get(row.recordId);
      if (known) showOutcome(row.badge, known);
      else recordIds.add(row.recordId);
    }
    waiting.clear();
    const ids = [...recordIds];
    for (let start = 0; start < ids.length; start += MAX_LIST_BATCH) void requestScores(ids.slice(start, start + MAX_LIST_BATCH));
  };

  /** Sends the batch once no row came into view for BATCH_QUIET_MS, at the latest BATCH_MAX_WAIT_MS after its first, at once when full. */
  const scheduleFlush = () => {
    if (waiting.size >= MAX_LIST_BATCH) return flush();
    const now = Date.now();
    batchStartedAt ??= now;
    clearTimeout(batchTimer);
    batchTimer = setTimeout(flush, Math.min(BATCH_QUIET_MS, batchStartedAt + BATCH_MAX_WAIT_MS - now));
  };

  const visibility = new IntersectionObserver(
    (entries) => {
      let cameInView = false;
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        visibility.unobserve(entry.target);
        if (badges.has(entry.target)) {
          waiting.add(entry.target);
          cameInView = true;
        }
      }
      if (cameInView) scheduleFlush();
    },
    { rootMargin: VIEW_MARGIN },
  );

  /** Badge the row, in place of `replacing` (a badge of a row the CRM rendered anew) if its anchor has none. */
  const place = ({ recordId, name, anchor }: ListRow, replacing?: BadgeHandle) => {
    const known = badges.get(anchor);
    if (known?.recordId === recordId && known.badge.host.isConnected) {
      // Renamed in place (an inline edit): the badge names the lead as the row does.
      if (known.name !== name) {
        known.name = name;
        known.badge.setLeadName(name);
      }
      return;
    }
    // A virtualised list reuses a row element for another record, or the CRM re-rendered the
    // cell and dropped our badge: replace it.
    const outcome = outcomes.get(recordId);
    const badge = replaceBadge(known?.badge ?? replacing, () => {
      const mounted = mountBadge(document, anchor, { compact: true, leadName: name });
      mounted.host.setAttribute('data-leadlens-record', recordId);
      // Answered already (the CRM re-rendered the row): shown at once, no need to ask again.
      if (outcome) showOutcome(mounted, outcome);
      return mounted;
    });
    badges.set(anchor, { recordId, name, badge });
    if (outcome) {
      visibility.unobserve(anchor);
      waiting.delete(anchor);
    } else visibility.observe(anchor);
  };

  const rescan = () => {
    rescanTimer = undefined;
    const rows = adapter.readListRows(document);
    const anchors = rows.map((row) => row.anchor);
    const sharedByRows = commonFlatAncestor(anchors);
    listBox = sharedByRows && (closestComposed(sharedByRows, LIST_BOX) ?? sharedByRows);
    aroundList = listBox ? flatAncestry(listBox) : new Set();
    // Rows that left the list (removed, or in a view the CRM hid after paging) lose their badge.
    const current = new Set(anchors);
    let leftWithFocus: RowBadge | undefined;
    for (const [anchor, row] of badges) {
      if (current.has(anchor)) continue;
      visibility.unobserve(anchor);
      waiting.delete(anchor);
      badges.delete(anchor);
      if (row.badge.hasFocus()) leftWithFocus = row;
      else row.badge.remove();
    }
    for (const row of rows) {
      // The CRM rendered the row with the focused badge anew: the new row's badge takes the focus back.
      const focusFrom = leftWithFocus?.recordId === row.recordId && !badges.has(row.anchor) ? leftWithFocus : undefined;
      if (focusFrom) leftWithFocus = undefined;
      place(row, focusFrom?.badge);
    }
    leftWithFocus?.badge.remove();
  };

  /**
   * Whether an attribute changed where it may change the rows read: in the list or on an element
   * around it; anywhere while no list is read (the list to come may be shown by any). Elsewhere (a
   * CRM header animating by its class) it cannot, and reading a long list again is costly.
   */
  const inOrAroundList = (target: Element): boolean => {
    if (listBox === null || !listBox.isConnected || aroundList.has(target)) return true;
    return inList(target);
  };
  /** `target` is in the list read last (itself included). */
  const inList = (target: Element | null): boolean => listBox !== null && isWithinRendered(target, listBox);
  /**
   * Whether nodes added or removed may change the rows read: in the list (rows rendered, a cell
   * rendered anew); anywhere while no list is read or once the one read is gone; elsewhere only a
   * node that is or holds a list or a row (another list view, a list rendered anew). A toast, a
   * hover card, a header's counter cannot: reading a long list again is costly. (A modal hides the
   * page behind it by aria-hidden on an element around the list: that change is read.)
   */
  const addsOrRemovesRows = (record: MutationRecord): boolean =>
    listBox === null || !listBox.isConnected || inList(changedElementOf(record.target)) || [...record.addedNodes].some(holdsListParts);
  /** Whether a change by the CRM may change the rows read. A text changed (a row's name edited in place: React sets its text node's value) may only in the list. */
  const mayChangeRows = (record: MutationRecord): boolean => {
    if (!isCrmChange(record)) return false;
    if (record.type === 'childList') return addsOrRemovesRows(record);
    if (record.type === 'attributes') return inOrAroundList(record.target as Element);
    return listBox !== null && inList(record.target.parentElement);
  };

  /** The badged rows whose link or row key is `target`'s: the cell around a link, the cells in a row. */
  const badgedAnchorsAt = (target: Element): Element[] => {
    if (listBox === null || target === listBox || !inList(target)) return [];
    for (let current: Element | null = target; current && current !== listBox; current = flatTreeParent(current)) {
      if (badges.has(current)) return [current];
    }
    return [...target.querySelectorAll('*')].filter((element) => badges.has(element));
  };
  /**
   * A virtualised grid reused the row for another record (its link or row key changed): its badge
   * would show the last record's score until the rows are read again, so it shows "scoring" at once.
   */
  const forgetReusedRows = (record: MutationRecord) => {
    if (record.type !== 'attributes' || !ROW_RECORD_ATTRIBUTES.has(record.attributeName ?? '')) return;
    for (const anchor of badgedAnchorsAt(record.target as Element)) {
      const row = badges.get(anchor)!;
      if (row.recordId === null) continue;
      row.recordId = null;
      row.badge = replaceBadge(row.badge, () => mountBadge(document, anchor, { compact: true }));
      visibility.unobserve(anchor);
      waiting.delete(anchor);
    }
  };

  // Only the CRM's own changes mean the list may have changed. A virtualised grid may reuse a
  // row for another record by changing only its link or row key; the view shown may change by
  // class, style, hidden or aria-hidden only (on Back, Lightning re-shows the list view it kept).
  // None of these change on a badge (its look changes in its shadow root, not watched), so
  // showing an answer is no reason to look again. A row's text may change alone (its name edited in place).
  const changes = observeComposed(
    document,
    (records) => {
      records.forEach(forgetReusedRows);
      if (rescanTimer === undefined && records.some(mayChangeRows)) rescanTimer = setTimeout(rescan, RESCAN_DELAY_MS);
    },
    {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['href', 'data-row-key-value', 'class', 'style', 'hidden', 'aria-hidden'],
    },
  );
  // Another active model or tier policy, or this CRM's stored leads or connection changed: ask again for each row in view.
  onEvent(
    'scoresChanged',
    (change) => {
      // Another CRM's sync or connection: rows of this one would read it again for nothing.
      if (!concernsCrm(change, crm)) return;
      forgetOutcomes();
      badges.forEach((_, anchor) => visibility.observe(anchor));
    },
    signal,
  );

  signal.addEventListener(
    'abort',
    () => {
      changes.disconnect();
      visibility.disconnect();
      clearTimeout(batchTimer);
      clearTimeout(rescanTimer);
      // After an update or a purge the rows stay in view: each badge says why it scores no more, rather than vanish.
      // Nothing follows the rows any more (a row reused for another lead, a name edited): it names no lead.
      const notice = noticeAtEnd(signal.reason);
      for (const { badge } of badges.values()) {
        if (notice) {
          badge.setLeadName('');
          badge.show({ ok: false, error: notice });
        } else badge.remove();
      }
      badges.clear();
      waiting.clear();
      forgetOutcomes();
    },
    { once: true },
  );
  rescan();
}
