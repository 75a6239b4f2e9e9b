import type { CrmAccount } from './client.ts';

/** Every CRM, for what is done for each (syncs to resume or stop, statuses to list). */
export const CRM_KINDS = ['salesforce', 'hubspot'] as const;
export type CrmKind = (typeof CRM_KINDS)[number];
/** Every source of stored leads: a CRM's sync, or a CSV file imported. */
export const SOURCE_KINDS = [...CRM_KINDS, 'csv'] as const;
/** What a page may send of its fields: the messaging layer refuses more, and the page readers never return more. */
export const PAGE_FIELD_LIMITS = {
  maxFields: 500,
  maxNameLength: 200,
  maxValueLength: 10_000,
} as const;

/** Each CRM's name, as people read it. */
export const CRM_LABEL: Record<CrmKind, string> = { salesforce: 'Salesforce', hubspot: 'HubSpot' };

/**
 * Each CRM's own words for its parts, as its admins say them: what one company's data is (a
 * Salesforce org, a HubSpot portal), a field (a HubSpot property), and the record LeadLens scores
 * (a Salesforce Lead, a HubSpot contact). One table, so that a CRM added gets all of them.
 */
export const CRM_TERMS: Record<CrmKind, { account: string; field: string; record: string; records: string }> = {
  salesforce: { account: 'org', field: 'field', record: 'Lead', records: 'Leads' },
  hubspot: { account: 'portal', field: 'property', record: 'contact', records: 'contacts' },
};

/**
 * How the CRM tells its fields apart: Salesforce API names ignore case (`LeadLens_Tier__c` and
 * `leadlens_tier__c` are one field); HubSpot property names are lower-case by rule, compared as given.
 */
export const fieldIdentity = (crm: CrmKind, name: string): string => (crm === 'salesforce' ? name.toLowerCase() : name);

export type PageMatch =
  | { kind: 'record'; crm: CrmKind; recordId: string }
  | { kind: 'list'; crm: CrmKind }
  | { kind: 'other' };

/**
 * Field API name (Salesforce) or property name (HubSpot) → the text the page shows
 * (whitespace-normalised; checkboxes "true" / "false"). A field the page shows without a
 * value (HubSpot's `--`) is `""`; a field the page does not show is absent.
 */
export type PageFields = Record<string, string>;

/** One row of a list view: the record it shows and where its badge goes. */
export interface ListRow {
  recordId: string;
  /** The record's name as the row shows it. */
  name: string;
  /** The cell the row's badge goes in: beside the record's link, never inside it (a click must not navigate). */
  anchor: Element;
}

/**
 * Where a CRM's record pages live, as LeadLens keeps it to open a record there: the origin of
 * its pages, and the account their paths name, where they name one (a HubSpot portal).
 */
export interface CrmHome {
  origin: string;
  portal?: string;
}

/**
 * One adapter per CRM behind this interface. Page recognition and the CRM's addresses are pure
 * functions (table-tested); DOM reading takes a Document so it can run on saved pages in tests.
 */
export interface CrmAdapter {
  readonly crm: CrmKind;
  /** Pure: what kind of page this URL is. */
  recognise(url: URL): PageMatch;
  /**
   * Pure: the org or portal the page at `url` belongs to, with the id its connection's account
   * has (a Salesforce My Domain API host, a HubSpot portal id); null when `url` is no such page.
   */
  accountOfPage(url: URL): string | null;
  /**
   * Pure: the org or portal any page of the CRM at `url` belongs to, a record or list page or not
   * (a HubSpot deals board, `/sales/{portal}/deals`): where a document loaded, for a page its own
   * navigation moved since (`pageAccess`); null where the address names none.
   */
  accountOfAnyPage(url: URL): string | null;
  /** Pure: the home of the record page at `url`, where the CRM's other records open (`recordUrl`). */
  homeOfPage(url: URL): CrmHome;
  /**
   * Pure: the home of the records of `account` (its `id` as `accountOfPage` gives it; `uiDomain`, the
   * host the CRM named for its pages, if it did): `remembered` (the home of the last page scored)
   * where it is that account's, else one made from the account.
   */
  homeOfAccount(account: Pick<CrmAccount, 'id' | 'uiDomain'>, remembered: CrmHome | null): CrmHome;
  /** Pure: the address of record `recordId`'s page in `home`. Throws when `home` does not say enough to make one. */
  recordUrl(recordId: string, home: CrmHome): string;
  /** The record's display name from the active record view, or null. */
  readRecordName(doc: Document): string | null;
  /** The fields the active record view shows, keyed by API/property name. */
  readRecordFields(doc: Document): PageFields;
  /**
   * The active record view element, where the CRM renders each record in a view of its own
   * (Salesforce; a console tab in its own); null on a page re-rendered in place for every record
   * (HubSpot), or one that shows no view.
   */
  readRecordView(doc: Document): Element | null;
  /**
   * `readRecordFields` leaves out what the page keeps but hides (another tab, a collapsed card),
   * and shows an emptied field as empty: a field no longer read was hidden, not cleared.
   */
  readonly readsShownFieldsOnly: boolean;
  /**
   * The fields whose rows the active record view shows with an open editor (the rep is editing the
   * record in place): `readRecordFields` leaves them out, as what an editor shows is not saved. Until
   * the rep saves or cancels, the page does not show their values. Empty for a CRM that cannot tell.
   */
  readFieldsInEdit(doc: Document): string[];
  /** The element the badge goes after (the record title), or null to float the badge. */
  findBadgeAnchor(doc: Document): Element | null;
  /** The rows of the list view the page shows (active view, visible rows), each once. */
  readListRows(doc: Document): ListRow[];
}
