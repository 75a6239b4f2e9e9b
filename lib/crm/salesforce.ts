/**
 * Salesforce Lightning Experience: Lead record pages and Lead list views.
 *
 * URLs (`recogniseSalesforce`, pure):
 *   https://{my-domain}.lightning.force.com/lightning/r/Lead/{Id}/view   → record
 *   …/lightning/r/Lead/{Id}, …/{Id}/edit, …/lightning/r/{Id}/view         → record (Lead ids only)
 *   …/lightning/r/Lead/{Id}/related/{List}/view                          → other (no record header)
 *   …/lightning/o/Lead/list?filterName=…, …/lightning/o/Lead/home        → list
 *   anything else (other objects, setup, non-Lightning hosts, bad ids)   → other
 * Sandboxes, scratch and developer orgs are `*.sandbox|scratch|develop.lightning.force.com`.
 *
 * Page (`salesforcePage`): Lightning keeps several record views in the DOM and marks one
 * `active`; everything is read inside it. Field rows carry the field API name in
 * `data-target-selection-name="sfdc:RecordField.Lead.{ApiName}"`. Rows in inline edit are not
 * read (`readFieldsInEdit` names them), and the created and last-modified dates are read out of
 * their user fields' rows (`withAuditDates`).
 */
import { closestComposed, createRecordPageReader, normaliseText, queryFirst, type RecordPageSpec, type Selectors } from './dom.ts';
import { createListPageReader, type ListPageSpec } from './list-rows.ts';
import type { CrmAccount } from './client.ts';
import { PAGE_FIELD_LIMITS, type CrmAdapter, type CrmHome, type PageFields, type PageMatch } from './types.ts';
import { dateOrderShown, numericDate } from '../ml/derive';

// ---------------------------------------------------------------------------------------
// Page recognition (pure)
// ---------------------------------------------------------------------------------------

/** Lightning UI hosts (the API lives on `*.my.salesforce.com`, which shows no Lightning pages). */
const LIGHTNING_HOST = /^(?:[a-z0-9-]+\.)+lightning\.force\.com$/;

/** Key prefix of the Lead object: every Lead id starts with it. */
export const LEAD_KEY_PREFIX = '00Q';
/** 15-character (case-sensitive) or 18-character (case-safe) record id. */
const RECORD_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
/** Record page actions that still show the record (e.g. `/edit` opens a modal over it). */
const RECORD_ACTION = /^[a-zA-Z]+$/;
/** `/lightning/o/Lead/{page}` pages that list leads. */
const LIST_PAGES = new Set(['list', 'home']);

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * The 18-character form of a 15-character id (the same id for Salesforce): three suffix
 * characters encode which of the 15 are upper case, five at a time. 18-character ids are
 * returned as they are.
 */
export function salesforceId18(id: string): string {
  if (id.length !== 15) return id;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const char = id.charAt(chunk * 5 + i);
      if (char >= 'A' && char <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET.charAt(bits);
  }
  return id + suffix;
}

/** A Lead id (15 or 18 alphanumerics with the Lead key prefix), as its 18-character form; else null. */
export function parseLeadId(candidate: string): string | null {
  return RECORD_ID.test(candidate) && candidate.startsWith(LEAD_KEY_PREFIX) ? salesforceId18(candidate) : null;
}

const isLead = (objectName: string): boolean => objectName.toLowerCase() === 'lead';

/**
 * The org a Lightning page belongs to, named as a Salesforce connection names it: its My Domain
 * API host (acme.lightning.force.com → acme.my.salesforce.com, acme--uat.sandbox.lightning… →
 * acme--uat.sandbox.my…). Null for any other host.
 */
function salesforceOrgOfPage(url: URL): string | null {
  return LIGHTNING_HOST.test(url.hostname) ? url.hostname.replace(/\.lightning\.force\.com$/, '.my.salesforce.com') : null;
}

/** Where an org's Lightning pages live: the inverse of `salesforceOrgOfPage` (acme.my.salesforce.com → https://acme.lightning.force.com). */
export function salesforceLightningOrigin(org: string): string {
  return `https://${org.replace(/\.my\.salesforce\.com$/, '.lightning.force.com')}`;
}

/** The home of `org`'s leads: `remembered` when it is on the org's Lightning origin, else that origin. */
function homeOfOrg({ id: org }: Pick<CrmAccount, 'id'>, remembered: CrmHome | null): CrmHome {
  const origin = salesforceLightningOrigin(org);
  return remembered?.origin === origin ? remembered : { origin };
}

/** The Lightning page of lead `recordId` in `home`. */
const leadPageUrl = (recordId: string, home: CrmHome): string => `${home.origin}/lightning/r/Lead/${encodeURIComponent(recordId)}/view`;

/** What kind of Salesforce page `url` is. Pure; record ids come back in 18-character form. */
export function recogniseSalesforce(url: URL): PageMatch {
  const other: PageMatch = { kind: 'other' };
  if (url.protocol !== 'https:' || !LIGHTNING_HOST.test(url.hostname)) return other;
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  if (segments[0] !== 'lightning') return other;
  const [, area, ...rest] = segments;

  if (area === 'r') {
    // /lightning/r/Lead/{id}[/{action}] or the short form /lightning/r/{id}[/{action}]
    const [first = '', second, third, ...extra] = rest;
    const [idSegment, action, more] = isLead(first) ? [second, third, extra[0]] : [first, second, third];
    if (idSegment === undefined || more !== undefined) return other;
    if (action !== undefined && (!RECORD_ACTION.test(action) || action === 'related')) return other;
    const recordId = parseLeadId(idSegment);
    return recordId ? { kind: 'record', crm: 'salesforce', recordId } : other;
  }

  if (area === 'o') {
    // /lightning/o/Lead/list, /lightning/o/Lead/home
    const [objectName = '', page = '', ...extra] = rest;
    return isLead(objectName) && LIST_PAGES.has(page) && extra.length === 0 ? { kind: 'list', crm: 'salesforce' } : other;
  }

  return other;
}

// ---------------------------------------------------------------------------------------
// The record page, as data
// ---------------------------------------------------------------------------------------

const SELECTION_ATTRIBUTE = 'data-target-selection-name';
/** `sfdc:RecordField.Lead.LeadSource` → `LeadSource` (standard, custom `X__c` and namespaced `ns__X__c`). */
const LEAD_FIELD_SELECTION = /^sfdc:RecordField\.Lead\.([A-Za-z][A-Za-z0-9_]*)$/;
const ANY_FIELD_SELECTION = `[${SELECTION_ATTRIBUTE}^="sfdc:RecordField."]`;

/** The field API name of a row: on the row itself, on the wrapper around it, or on the element inside it. */
function leadFieldName(row: Element): string | null {
  const holder = closestComposed(row, [ANY_FIELD_SELECTION]) ?? queryFirst(row, [ANY_FIELD_SELECTION]);
  const match = holder?.getAttribute(SELECTION_ATTRIBUTE)?.match(LEAD_FIELD_SELECTION);
  return match?.[1] ?? null;
}

/**
 * An editor open in a field row: the pencil turns the record's detail into a form (inline edit),
 * whose controls show what the rep is typing or picking, not what is saved (an empty picklist
 * reads "--None--"). A control that cannot be changed (a view's checkbox is a disabled one) shows what is saved.
 */
const OPEN_EDITOR: Selectors = [
  'input:not([type="hidden"]):not([disabled]):not([readonly])',
  'select:not([disabled])',
  'textarea:not([disabled]):not([readonly])',
  '[role="combobox"]',
  '[contenteditable="true"]',
  '[contenteditable=""]',
];

const isInEdit = (row: Element): boolean => queryFirst(row, OPEN_EDITOR) !== null;

/** The field API name of a row (`leadFieldName`), or null while the row is being edited: unsaved values are no lead's. */
function savedFieldName(row: Element): string | null {
  return isInEdit(row) ? null : leadFieldName(row);
}

/** Browser-tab titles that are not a record's name (shown while Lightning loads). */
const GENERIC_TITLES = new Set(['salesforce', 'lightning experience', 'loading', 'loading...', 'loading…']);

/**
 * `document.title` is "{Name} | {Object label} | Salesforce" on a record page (the object
 * label is localised), or "{Name} | Salesforce": drop the suffix and the label.
 */
function nameFromDocumentTitle(title: string): string | null {
  const parts = normaliseText(title).split(' | ');
  if (parts.length < 2 || parts[parts.length - 1]?.toLowerCase() !== 'salesforce') return null;
  parts.pop();
  if (parts.length >= 2) parts.pop();
  const name = parts.join(' | ').trim();
  return name !== '' && !GENERIC_TITLES.has(name.toLowerCase()) ? name : null;
}

export const salesforcePage: RecordPageSpec = {
  activeView: [
    // Console apps: the selected workspace tab's maximised view.
    'section.oneConsoleTab.active div.windowViewMode-maximized.active.lafPageHost',
    'section.oneConsoleTab div.windowViewMode-maximized.active.lafPageHost',
    // Standard navigation: the active view; previous views stay in the DOM without `active`.
    'div.windowViewMode-normal.active',
    'div.windowViewMode-maximized.active',
  ],
  // Modals (edit / clone forms, previews) hold unsaved or other records' values. Lightning
  // renders them outside the record view; this matters when no active view is found.
  excludeWithin: ['.uiModal', '[role="dialog"]'],
  title: [
    // Person names (Lead Name is a compound name field).
    '.slds-page-header__title lightning-formatted-name',
    // Text names (and orgs whose Lead name field renders as text).
    '.slds-page-header__title lightning-formatted-text',
    // Highlights panel's primary field, wherever the header class moves.
    'records-highlights2 h1 [slot="primaryField"]',
    'h1 [slot="primaryField"]',
    // The header title itself (its object label, `.entityNameTitle`, is skipped as text).
    '.slds-page-header__title',
    // Inside a native shadow root, where ancestor selectors cannot reach.
    'lightning-formatted-name',
  ],
  fieldRow: [
    // Record detail (LWC): the field's wrapper div carries the API name.
    'records-record-layout-item > div',
    // Dynamic Forms (Lightning App Builder field components).
    'record_flexipage-record-field > div',
    // Older Aura record detail.
    '.forcePageBlockItemView',
    // Anything else that names a Lead field (e.g. inside a native shadow root).
    `[${SELECTION_ATTRIBUTE}^="sfdc:RecordField.Lead."]`,
  ],
  fieldLabel: ['.test-id__field-label-container', '.test-id__field-label', '.slds-form-element__label'],
  fieldValue: ['.test-id__field-value', '.slds-form-element__static'],
  skipText: [
    // "Edit Lead Source" on the inline-edit pencil, "Open … Preview" on lookups.
    '.slds-assistive-text',
    // The object label ("Lead") above the name in the header.
    '.entityNameTitle',
  ],
  // An empty picklist's placeholders in an edit form, should one be read (an editor `OPEN_EDITOR` cannot see, in a closed shadow root).
  emptyValues: ['--None--', 'Select an Option'],
  fieldName: savedFieldName,
  nameFromDocumentTitle,
};

// ---------------------------------------------------------------------------------------
// The list view, as data
// ---------------------------------------------------------------------------------------

export const salesforceListPage: ListPageSpec = {
  // Paging and filtering stack a new view, as record navigation does: read the active one.
  activeView: salesforcePage.activeView,
  container: [
    // LWC list views (lightning-datatable) and the Aura ones both render a grid table.
    'lightning-datatable table',
    'table[role="grid"]',
    'table.slds-table',
  ],
  row: ['tbody tr[data-row-key-value]', 'tbody tr'],
  recordLink: ['a[data-recordid]', 'a[href*="/lightning/r/"]'],
  cell: ['th', 'td', '[role="gridcell"]', '[role="rowheader"]'],
  rowRecordId: (row) => parseLeadId(row.getAttribute('data-row-key-value') ?? ''),
  recognise: recogniseSalesforce,
};

// ---------------------------------------------------------------------------------------
// Audit dates
// ---------------------------------------------------------------------------------------

/**
 * A page layout cannot show `CreatedDate` or `LastModifiedDate` by itself: Lightning shows each
 * in its user field's row, after the user's name ("Created By: Marc Benioff, 11/3/2026, 9:14 AM").
 * User field → the date field its row shows.
 */
const AUDIT_DATE_FIELDS = new Map([
  ['CreatedById', 'CreatedDate'],
  ['LastModifiedById', 'LastModifiedDate'],
]);

/** A comma (as Locales write one) before a digit: where a user's name may end and the date-time after it start. */
const COMMA_BEFORE_DIGIT = /\s*[,،，、]\s*(?=\p{Nd})/gu;

/**
 * The start of a date as every Locale writes the date of a date-time: three numbers, the year
 * first or last, with dots, slashes, dashes or spaces between (`11/3/2026`, `03.11.2026`,
 * `2026/11/03`, `2026. 11. 03.`, `٣/١١/٢٠٢٦`). Not a time (`9:14 AM`), nor words (`3rd shift`).
 */
const DATE_START = /^\p{Nd}{1,4}[./\-\s]{1,3}\p{Nd}{1,2}[./\-\s]{1,3}\p{Nd}{1,4}(?!\p{Nd})/u;

/**
 * A row's user name and the date-time after it, split at the last comma before a digit whose
 * text after it starts with a date (`DATE_START`): a name may hold a comma, even before a digit
 * ("Benioff, Marc", "Ops Bot, 3rd shift"), and the date-time holds one before its time
 * ("11/3/2026, 9:14 AM"). Null when no date follows a comma (a row still rendering).
 */
function nameThenDate(row: string): { name: string; date: string } | null {
  const split = [...row.matchAll(COMMA_BEFORE_DIGIT)].findLast((comma) => DATE_START.test(row.slice(comma.index + comma[0].length)));
  return split ? { name: row.slice(0, split.index), date: row.slice(split.index + split[0].length) } : null;
}

/**
 * Whether `date` reads as one day on the page whose `values` these are: it is no numeric date
 * whose day and month could be swapped (its own order shown, the same number twice, or not
 * written as numbers alone: `2026/11/03`, `3.11.2026 klo 9.14`), or the page's values show one
 * order (`dateOrderShown`), which page-values.ts then reads every date in. Otherwise page-values.ts
 * would read it in the order of the page's language, which is not its user's Locale
 * (`03/11/2026, 09:14` is 11 March on an en-US page, though a British Locale wrote 3 November).
 */
function dayMonthOrderSettled(date: string, values: readonly string[]): boolean {
  const numeric = numericDate(date.trim());
  if (numeric === null || numeric.pair[0] === numeric.pair[1] || dateOrderShown(date) !== null) return true;
  return new Set(values.map(dateOrderShown).filter((order) => order !== null)).size === 1;
}

/**
 * `fields` with each audit user field's row split into the user's name (kept as the user field)
 * and the date-time it shows (`nameThenDate`), as the date field (`AUDIT_DATE_FIELDS`) in the
 * text the page shows (its Locale's: page-values.ts reads it), unless the page shows a value of
 * that field itself, or it could be either of two days (`dayMonthOrderSettled`): a date left out
 * is missing, as it was before these rows were read, where a guessed order would make it a wrong
 * one. Never more than `PAGE_FIELD_LIMITS.maxFields` fields.
 */
export function withAuditDates(fields: PageFields): PageFields {
  const read: PageFields = { ...fields };
  const shownDates = new Map<string, string>();
  for (const [userField, dateField] of AUDIT_DATE_FIELDS) {
    const split = Object.hasOwn(fields, userField) ? nameThenDate(fields[userField]) : null;
    if (split === null) continue;
    read[userField] = split.name;
    shownDates.set(dateField, split.date);
  }
  // The page's values as page-values.ts reads its dates' order off them: these dates among them.
  const values = [...Object.values(read), ...shownDates.values()];
  for (const [dateField, date] of shownDates) {
    const shownDate = Object.hasOwn(fields, dateField) ? fields[dateField] : undefined;
    const free = shownDate === '' || (shownDate === undefined && Object.keys(read).length < PAGE_FIELD_LIMITS.maxFields);
    if (free && dayMonthOrderSettled(date, values)) read[dateField] = date;
  }
  return read;
}

const recordPageReader = createRecordPageReader(salesforcePage);
/** Reads only the rows in edit, in the same scope as `recordPageReader`: their names are all that is used, never their unsaved values. */
const rowsInEditReader = createRecordPageReader({ ...salesforcePage, fieldName: (row) => (isInEdit(row) ? leadFieldName(row) : null) });

export const salesforce: CrmAdapter = {
  crm: 'salesforce',
  // The whole active record view is read, its hidden tabs too; a layout may drop an emptied field's row.
  readsShownFieldsOnly: false,
  recognise: recogniseSalesforce,
  accountOfPage: salesforceOrgOfPage,
  // Every Lightning page of an org is on its host.
  accountOfAnyPage: salesforceOrgOfPage,
  homeOfPage: (url) => ({ origin: url.origin }),
  homeOfAccount: homeOfOrg,
  recordUrl: leadPageUrl,
  ...recordPageReader,
  readRecordFields: (doc) => withAuditDates(recordPageReader.readRecordFields(doc)),
  readFieldsInEdit: (doc) => Object.keys(rowsInEditReader.readRecordFields(doc)),
  ...createListPageReader(salesforceListPage),
};
