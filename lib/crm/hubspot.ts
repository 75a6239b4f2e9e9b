/**
 * HubSpot CRM: contact record pages and contact index (list) pages.
 *
 * URLs (`recogniseHubSpot`, pure), on `app.hubspot.com` or a data-centre host such as
 * `app-eu1.hubspot.com`:
 *   /contacts/{portal}/record/0-1/{id}[/view/{n}]            → record (0-1 = contacts)
 *   /contacts/{portal}/contact/{id}                          → record (older form)
 *   /contacts/{portal}/objects/0-1/views/{view}/list         → list
 *   /contacts/{portal}/contacts[/list/view/{view}]           → list (older form)
 *   companies (0-2), deals (0-3), other objects and apps     → other
 * Portal and record ids are numeric.
 *
 * Page (`hubspotPage`): class names are generated per page load, so every selector anchors on
 * `data-selenium-test` / `data-test-id`. HubSpot marks no active view and keeps hidden tabs
 * in the DOM, so only visible elements are read. A property row is
 * `data-selenium-test="property-input-{propertyName}"`; an empty property shows `--`, which
 * is returned as `""`. After a client-side navigation HubSpot re-renders the record card by
 * card: a property row still showing the previous contact's value is not read as this
 * contact's (`readContactFields`). A property the rep is editing in place (focus in its row's
 * control) is not read either: what its control shows is not saved (`rowInEdit`).
 */
import { closestComposed, createRecordPageReader, displayedRowValue, focusedEditor, queryAll, type RecordPageSpec } from './dom.ts';
import { createListPageReader, type ListPageSpec } from './list-rows.ts';
import type { CrmAccount } from './client.ts';
import type { CrmAdapter, CrmHome, PageFields, PageMatch } from './types.ts';

// ---------------------------------------------------------------------------------------
// Page recognition (pure)
// ---------------------------------------------------------------------------------------

/** `app.hubspot.com` (na1) and data-centre hosts: `app-eu1`, `app-na2`, `app-na3`, `app-ap1`, … */
const APP_HOST = /^app(?:-[a-z]{2,3}\d{1,2})?\.hubspot\.com$/;
/** HubSpot object type id of contacts. */
const CONTACTS_OBJECT = '0-1';
const NUMERIC_ID = /^[1-9]\d{0,19}$/;
const VIEW_ID = /^[A-Za-z0-9_-]{1,64}$/;
const VIEW_NUMBER = /^\d{1,4}$/;

/** HubSpot's app host in its US data centre, for a portal whose host neither HubSpot named nor a page of it showed. */
const US_APP_ORIGIN = 'https://app.hubspot.com';

/** A HubSpot app page's path: its app, then the portal it names (`/{app}/{portal}/…`). */
const appPathOf = (url: URL): string[] => (APP_HOST.test(url.hostname) ? url.pathname.split('/').filter((segment) => segment !== '') : []);

/** The portal any HubSpot app page names (`/{app}/{portal}/…`: contacts, sales, reports-dashboard, …); null for one naming none (`/`). */
function hubspotPortalOfAnyPage(url: URL): string | null {
  const [, portal = ''] = appPathOf(url);
  return NUMERIC_ID.test(portal) ? portal : null;
}

/** The portal a HubSpot contacts page belongs to (`/contacts/{portal}/…`), as a HubSpot connection names it; null for any other page. */
function hubspotPortalOfPage(url: URL): string | null {
  return appPathOf(url)[0] === 'contacts' ? hubspotPortalOfAnyPage(url) : null;
}

/**
 * The home of `portal`'s contacts. HubSpot's host is one per data centre (app.hubspot.com,
 * app-eu1.hubspot.com): the one HubSpot named for the portal, else the one a page of this portal
 * was seen on (`remembered`), else the US one.
 */
function homeOfPortal({ id: portal, uiDomain }: Pick<CrmAccount, 'id' | 'uiDomain'>, remembered: CrmHome | null): CrmHome {
  const origin = uiDomain ? `https://${uiDomain}` : remembered?.portal === portal ? remembered.origin : US_APP_ORIGIN;
  return { origin, portal };
}

/** The record page of contact `recordId` in `home`, whose portal must be known. */
function contactPageUrl(recordId: string, home: CrmHome): string {
  if (!home.portal) throw new Error('LeadLens does not know your HubSpot portal yet: open any HubSpot contact once');
  return `${home.origin}/contacts/${home.portal}/record/${CONTACTS_OBJECT}/${encodeURIComponent(recordId)}`;
}

/** What kind of HubSpot page `url` is. Pure. */
export function recogniseHubSpot(url: URL): PageMatch {
  const other: PageMatch = { kind: 'other' };
  if (url.protocol !== 'https:' || !APP_HOST.test(url.hostname)) return other;
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const [app, portal = '', section, ...rest] = segments;
  if (app !== 'contacts' || !NUMERIC_ID.test(portal)) return other;
  const record = (id: string | undefined): PageMatch =>
    id !== undefined && NUMERIC_ID.test(id) ? { kind: 'record', crm: 'hubspot', recordId: id } : other;
  const list: PageMatch = { kind: 'list', crm: 'hubspot' };
  const is = (actual: readonly string[], expected: readonly (string | RegExp)[]): boolean =>
    actual.length === expected.length &&
    expected.every((want, i) => (typeof want === 'string' ? actual[i] === want : want.test(actual[i] ?? '')));

  switch (section) {
    case 'record': // record/0-1/{id}, record/0-1/{id}/view/{n}
      if (is(rest, [CONTACTS_OBJECT, NUMERIC_ID]) || is(rest, [CONTACTS_OBJECT, NUMERIC_ID, 'view', VIEW_NUMBER])) {
        return record(rest[1]);
      }
      return other;
    case 'contact': // contact/{id}
      return is(rest, [NUMERIC_ID]) ? record(rest[0]) : other;
    case 'objects': // objects/0-1/views/{view}/list
      return is(rest, [CONTACTS_OBJECT, 'views', VIEW_ID, 'list']) ? list : other;
    case 'contacts': // contacts, contacts/list/view/{view}
      return is(rest, []) || is(rest, ['list', 'view', VIEW_ID]) ? list : other;
    default:
      return other;
  }
}

// ---------------------------------------------------------------------------------------
// The record page, as data
// ---------------------------------------------------------------------------------------

/** `property-input-jobtitle` → `jobtitle` (HubSpot internal property names). */
const PROPERTY_TEST_ID = /^property-input-([A-Za-z][A-Za-z0-9_]*)$/;
const TEST_ID_ATTRIBUTES = ['data-selenium-test', 'data-test-id'] as const;

function propertyName(row: Element): string | null {
  for (const attribute of TEST_ID_ATTRIBUTES) {
    const match = row.getAttribute(attribute)?.match(PROPERTY_TEST_ID);
    if (match?.[1]) return match[1];
  }
  return null;
}

export const hubspotPage: RecordPageSpec = {
  // HubSpot marks no active view: visibility decides (hidden tabs stay in the DOM).
  activeView: [],
  excludeWithin: [
    // The preview side panel of an associated record (another contact, a company).
    '[data-crm-location="CRM_OBJECT_PREVIEW"]',
    // Dialogs (create / edit forms) over the record.
    '[role="dialog"]',
  ],
  title: [
    // The contact's name in the highlight card of the left sidebar.
    '[data-selenium-test="contact-highlight-details"] [data-selenium-test="highlightTitle"]',
    '[data-selenium-test="highlightTitle"]',
    // The highlight card's heading, if the title loses its test id.
    '[data-selenium-test="contact-highlight-details"] h1',
    '[data-selenium-test="contact-highlight-details"] h2',
  ],
  fieldRow: [
    // About card, overview and sidebar cards: one element per property.
    '[data-selenium-test^="property-input-"]',
    // In case the property test ids move to `data-test-id`, as the page regions did.
    '[data-test-id^="property-input-"]',
  ],
  fieldLabel: ['[data-selenium-test="property-label"]', 'label'],
  fieldValue: ['[data-selenium-test="property-value"]'],
  skipText: [],
  // What HubSpot shows for an empty property.
  emptyValues: ['--'],
  fieldName: propertyName,
};

// ---------------------------------------------------------------------------------------
// A contact shown after another
// ---------------------------------------------------------------------------------------

/**
 * How long after the page began rendering a contact (a row rendered or changed for it after the
 * first read under its URL) a card may still show the previous contact's properties. Past it, a row
 * still showing what it showed as the previous contact's is taken for this one's: HubSpot may
 * re-render a card in place, leaving a property of the same value untouched. The record badge reads
 * the page again when its wait for the record's render runs out (3 s after the navigation), and at
 * the page's later changes.
 */
export const PREVIOUS_CONTACT_CARDS_MS = 2000;

/** The contact a property row was last read as (the one its page's URL named), and the value it showed then. */
const rowsRead = new WeakMap<Element, { recordId: string; value: string }>();
/**
 * The contact a document's URL named at its last read, and since when (ms) a row has been
 * rendered or changed for it (the page began showing it), null until one has.
 */
const contactShown = new WeakMap<Document, { recordId: string; renderingSince: number | null }>();

const recordPage = createRecordPageReader(hubspotPage);

/**
 * The property rows that still show another contact's: the same element, showing the same value
 * as when read as that contact's, until `PREVIOUS_CONTACT_CARDS_MS` after the page began
 * rendering `recordId` (some row rendered or changed after the first read under its URL). At that
 * first read, after another contact's, every row the page shows and not read as `recordId`'s is
 * the previous page's, read as that contact's: one never read as theirs, or changed since, too (a
 * card lazily loaded, a count refreshed, after their last read). A page that still shows only the
 * previous page's rows is held back whole however long it takes: its badge then scores what the CRM
 * says. Every other row is recorded as `recordId`'s. Hidden rows too: a tab HubSpot hides now is shown later.
 */
function rowsOfAnotherContact(doc: Document, recordId: string): Set<Element> {
  const now = Date.now();
  let shown = contactShown.get(doc);
  const previousContact = shown !== undefined && shown.recordId !== recordId ? shown.recordId : null;
  if (shown?.recordId !== recordId) contactShown.set(doc, (shown = { recordId, renderingSince: null }));
  const unchanged: Element[] = [];
  for (const row of queryAll(doc, hubspotPage.fieldRow)) {
    const value = displayedRowValue(row, hubspotPage);
    const read = rowsRead.get(row);
    if (previousContact !== null && read?.recordId !== recordId) {
      rowsRead.set(row, { recordId: previousContact, value });
      unchanged.push(row);
      continue;
    }
    if (read !== undefined && read.recordId !== recordId && read.value === value) {
      unchanged.push(row);
      continue;
    }
    if (read?.recordId !== recordId) shown.renderingSince ??= now;
    rowsRead.set(row, { recordId, value });
  }
  const cardsRendered = shown.renderingSince !== null && now - shown.renderingSince >= PREVIOUS_CONTACT_CARDS_MS;
  if (!cardsRendered) return new Set(unchanged);
  for (const row of unchanged) rowsRead.set(row, { recordId, value: rowsRead.get(row)!.value });
  return new Set();
}

/**
 * The property row the rep is editing in place: the one that holds the focused control. HubSpot marks no
 * row in edit, and shows some properties in a control while no one edits them (a textarea, read as the
 * value): focus tells the one being typed in. (A row left for another before Save still shows its unsaved
 * value, and is read.)
 */
function rowInEdit(doc: Document): Element | null {
  const editor = focusedEditor(doc);
  return editor && closestComposed(editor, hubspotPage.fieldRow);
}

/**
 * The properties the page shows, less those still showing another contact's (going from contact A
 * to B, HubSpot swaps or patches its cards one by one, so the page shows some of A's cards beside
 * B's for a while: element identity tells them apart where values cannot, both contacts may be
 * leads), and less the one in edit. Off a contact's URL (a saved page), every row is read.
 */
function readContactFields(doc: Document): PageFields {
  const match = recogniseHubSpot(new URL(doc.URL));
  const unread = match.kind === 'record' ? rowsOfAnotherContact(doc, match.recordId) : new Set<Element>();
  const inEdit = rowInEdit(doc);
  if (inEdit) unread.add(inEdit);
  if (unread.size === 0) return recordPage.readRecordFields(doc);
  return createRecordPageReader({ ...hubspotPage, fieldName: (row) => (unread.has(row) ? null : propertyName(row)) }).readRecordFields(doc);
}

// ---------------------------------------------------------------------------------------
// The contacts index, as data
// ---------------------------------------------------------------------------------------

export const hubspotListPage: ListPageSpec = {
  // No active-view marker: visibility decides, as on record pages (but a dialog's aria-hidden
  // over the list does not hide it: see list-rows.ts).
  activeView: [],
  container: ['[data-test-id="contacts-table"]', 'table[data-test-id]', '[role="grid"]', 'table'],
  row: ['tbody tr', '[role="row"]'],
  // Rows carry no id attribute: the record link's URL holds it.
  recordLink: ['a[href*="/record/0-1/"]', 'a[href*="/contact/"]'],
  cell: ['td', 'th', '[role="gridcell"]', '[role="rowheader"]'],
  rowRecordId: () => null,
  recognise: recogniseHubSpot,
};

export const hubspot: CrmAdapter = {
  crm: 'hubspot',
  // Hidden tabs stay in the DOM and only visible rows are read; an empty property reads "--".
  readsShownFieldsOnly: true,
  recognise: recogniseHubSpot,
  accountOfPage: hubspotPortalOfPage,
  accountOfAnyPage: hubspotPortalOfAnyPage,
  homeOfPage: (url) => ({ origin: url.origin, portal: hubspotPortalOfPage(url) ?? undefined }),
  homeOfAccount: homeOfPortal,
  recordUrl: contactPageUrl,
  ...recordPage,
  readRecordFields: readContactFields,
  readFieldsInEdit: (doc) => {
    const row = rowInEdit(doc);
    const name = row && propertyName(row);
    return name ? [name] : [];
  },
  ...createListPageReader(hubspotListPage),
};
