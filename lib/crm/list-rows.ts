/**
 * List views, described as data: which element holds the rows, what a row is, and which
 * link in it opens the record. The record id comes from the row's own id attribute when the
 * CRM puts one there, else from the link's URL, recognised by the adapter's pure URL
 * function (so a list row and a record page can never disagree about an id).
 */
import { closestComposed, createVisibilityCheck, flatTreeParent, matchesAny, queryAll, queryFirst, readText, resolveScope, type Selectors } from './dom.ts';
import type { ListRow, PageMatch } from './types.ts';

export interface ListPageSpec {
  /** The active view, for CRMs that keep earlier views in the DOM (see `RecordPageSpec.activeView`). */
  readonly activeView: Selectors;
  /** The element that holds the rows (a table, a grid). */
  readonly container: Selectors;
  /** One element per record, inside the container. */
  readonly row: Selectors;
  /** Inside a row: the link to the record (its text is the name). */
  readonly recordLink: Selectors;
  /** The cell the badge goes in (it sits after the link, never inside it: a click must not navigate). */
  readonly cell: Selectors;
  /** The record id a row carries itself (e.g. Lightning's `data-row-key-value`), or null to read the link. */
  rowRecordId(row: Element): string | null;
  /** Pure URL recognition, the adapter's own. */
  recognise(url: URL): PageMatch;
}

export interface ListPageReader {
  readListRows(doc: Document): ListRow[];
}

/**
 * Dialogs: over the page (an edit form, a picker listing other contacts) or open inside the list
 * (a hover card). What they show is never the list, so nothing in one gets a badge.
 */
const DIALOGS: Selectors = ['[role="dialog"]', '[role="alertdialog"]', '[aria-modal="true"]', 'dialog[open]'];

const outsideDialogs = (element: Element): boolean => closestComposed(element, DIALOGS) === null;

/**
 * No dialog between `element` and `container`, itself outside any (`findContainer` checks it once
 * per read): a walk of a row's depth per link, not of the whole page's.
 */
function outsideDialogsWithin(element: Element, container: Element): boolean {
  for (let current: Element | null = element; current !== null && current !== container; current = flatTreeParent(current)) {
    if (matchesAny(current, DIALOGS)) return false;
  }
  return true;
}

export function createListPageReader(spec: ListPageSpec): ListPageReader {
  const findContainer = (doc: Document): Element | null => {
    const { root, accept } = resolveScope(doc, spec.activeView);
    // A modal aria-hides the page behind it, the list included, yet the rep still sees the list
    // there: with a dialog open, only what is not rendered counts as hidden. Without one,
    // aria-hidden marks a tab panel kept in the DOM.
    const rendered = createVisibilityCheck({ ariaHidden: false });
    const dialogOpen = queryFirst(doc, DIALOGS, rendered) !== null;
    const shown = (element: Element) => accept(element) || (dialogOpen && rendered(element));
    return queryFirst(root, spec.container, (element) => shown(element) && outsideDialogs(element));
  };

  const recordIdOfLink = (link: Element, doc: Document): string | null => {
    const href = link.getAttribute('href');
    if (href === null) return null;
    let url: URL;
    try {
      url = new URL(href, doc.baseURI);
    } catch {
      return null;
    }
    const match = spec.recognise(url);
    return match.kind === 'record' ? match.recordId : null;
  };

  return {
    readListRows(doc) {
      const container = findContainer(doc);
      if (!container) return [];
      // One badge per row the page shows: a record listed twice (a grouped view) gets one in each
      // of its rows. Row selectors that match a row and an element inside it find the same anchor once.
      const anchors = new Set<Element>();
      const rows: ListRow[] = [];
      // Selector order is fallback order; rows come back in the order the page shows them.
      const rowElements = queryAll(container, spec.row).sort((a, b) =>
        a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
      );
      for (const row of rowElements) {
        const rowId = spec.rowRecordId(row);
        // The link to the row's own record: a row can link others before it (a lookup column
        // such as a referring contact before Name), and the badge and its name go beside its own.
        // A link inside a dialog is never one, so a row inside a dialog has none.
        const link = queryFirst(row, spec.recordLink, (candidate) => {
          if (!outsideDialogsWithin(candidate, container)) return false;
          const linked = recordIdOfLink(candidate, doc);
          return rowId === null ? linked !== null : linked === rowId || candidate.getAttribute('data-recordid') === rowId;
        });
        if (!link) continue;
        const recordId = rowId ?? recordIdOfLink(link, doc);
        const anchor = closestComposed(link, spec.cell) ?? link.parentElement ?? link;
        if (recordId === null || anchors.has(anchor)) continue;
        anchors.add(anchor);
        rows.push({ recordId, name: readText(link), anchor });
      }
      return rows;
    },
  };
}
