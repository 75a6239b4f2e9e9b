/**
 * What LeadLens may answer a CRM page's content script from. Content scripts run on every
 * Lightning org and HubSpot portal the user opens, not only the one connected: a record of
 * another org (a sandbox with production's record ids, a client's portal) must be scored from
 * its own page alone, never with the connected org's API record, its stored synced leads, or
 * scores cached from them (their reasons carry that org's field values).
 */
import { browser } from 'wxt/browser';
import { readConnection } from '../connections/connections';
import { accountOf } from '../connections/schema';
import { accountOfAnyPage, accountOfPage, recognisePage, type RecognisedPage } from '../crm/adapters';
import { DEMO_ACCOUNTS } from '../crm/demo-accounts';
import { salesforceId18 } from '../crm/salesforce';
import type { CrmKind } from '../crm/types';
import { db, type StoredLead } from '../db/db';
import { dexieSyncStore } from '../sync/store';
import { learnPortalInBackground } from './hubspot-portal';
import { connectionForPage } from './purge-mark';

export interface PageAccess {
  /** The page's org or portal (a Salesforce host, a HubSpot portal id); null when its URL does not say. */
  account: string | null;
  /** Whether the connection reads this page's org or portal ('none': no connection). */
  connection: 'same-org' | 'other-org' | 'none';
  /** The stored synced leads come from this page's org or portal. */
  synced: boolean;
  /**
   * The purges the worker had begun as the page asked, or null while one was pending
   * (`connectionForPage`): what its request stores, a purge begun since deletes (`noPurgeSince`).
   */
  purgesBefore: number | null;
}

/** The connection's API may fill the page's record. */
export const mayReadApi = (access: PageAccess) => access.connection === 'same-org';

/**
 * Whether a page of `crm` with `access` may be the demo CRM's, which plays Demo mode's leads: of
 * its org or portal (DEMO_ACCOUNTS), and not of one LeadLens reads (connected, or synced from),
 * which is a real one. The demo CRM answers at real CRM addresses (tests resolve those hosts to
 * it), so a real org or portal of that name passes too: a demo lead only ever serves, or is
 * opened in, a page of it the user already has (see open-lead.ts).
 */
export function mayBeDemoCrm(crm: CrmKind, access: PageAccess): boolean {
  return access.account === DEMO_ACCOUNTS[crm] && access.connection !== 'same-org' && !access.synced;
}

/**
 * Whether a stored lead, found by the record id a page of `access` shows, is that page's
 * record: a synced one when synced from the page's org or portal; a demo one on the demo CRM's
 * pages only (its made-up ids can be real ones elsewhere).
 */
export function storedLeadServes(lead: Pick<StoredLead, 'origin' | 'source'>, access: PageAccess): boolean {
  if (lead.origin === 'sync') return access.synced;
  if (lead.origin === 'demo') return lead.source !== 'csv' && mayBeDemoCrm(lead.source, access);
  return true;
}

/** A CRM page a content script's message came from: its address, and the record or list it shows. */
export interface SenderPage {
  url: URL;
  match: RecognisedPage['match'];
  /** The address its document loaded at (`sender.url`), which a client-side navigation leaves as it was; null when Chrome gave none. */
  loadedAt: URL | null;
}

/**
 * What a tab's frame shows now, as webNavigation tells it (`tabs` gives no URL without its
 * permission); null when Chrome cannot tell (the tab or frame gone).
 */
export async function frameOf(tabId: number, frameId = 0) {
  return Promise.resolve()
    .then(() => browser.webNavigation.getFrame({ tabId, frameId }))
    .catch(() => null);
}

/**
 * The address of the page a content script's message came from, as its tab shows it now, with the address
 * its document loaded at; null when the tab shows another document since (a reload, another page loaded:
 * its answer would be for a page gone). Not `sender.url` alone: Chrome gives the address the document loaded
 * at, which a client-side navigation (pushState) leaves as it was. Read through webNavigation (`frameOf`), as
 * the side panel reads a tab's page; where Chrome cannot tell (no such frame), the sender's own.
 */
async function senderAddress(sender: Browser.runtime.MessageSender): Promise<{ now: string; loadedAt: string | null } | null> {
  const loadedAt = sender.url ?? sender.tab?.url ?? null;
  const tabId = sender.tab?.id;
  if (tabId === undefined) return loadedAt === null ? null : { now: loadedAt, loadedAt };
  const frame = await frameOf(tabId, sender.frameId ?? 0);
  if (!frame?.url) return loadedAt === null ? null : { now: loadedAt, loadedAt };
  const sameDocument = frame.documentId === undefined || sender.documentId === undefined || frame.documentId === sender.documentId;
  return sameDocument ? { now: frame.url, loadedAt } : null;
}

/**
 * The page a content script's message came from (`senderAddress`), when it is a record or list page
 * of `crm`, recognised as the content script recognises it; null otherwise (a message naming another
 * CRM than its page's, from no page, or from a document its tab no longer shows). After a client-side
 * navigation it is the next page, which the content script's run for the page left ends on.
 */
export async function senderPage(crm: CrmKind, sender: Browser.runtime.MessageSender): Promise<SenderPage | null> {
  const address = await senderAddress(sender);
  if (!address) return null;
  const url = new URL(address.now);
  const page = recognisePage(url);
  return page?.adapter.crm === crm ? { url, match: page.match, loadedAt: URL.canParse(address.loadedAt ?? '') ? new URL(address.loadedAt!) : null } : null;
}

/**
 * The record `page` shows, as its address names it, when `recordId` is that record (a Salesforce
 * id in either form: a page names it by 18 characters); null for another record, or on a list
 * page. A content script is answered for its page's own record only: the connection's
 * credentials read any record of the org, maybe more than the rep's own CRM user sees.
 */
export function ownRecordOf(page: SenderPage, recordId: string): string | null {
  if (page.match.kind !== 'record') return null;
  const asPagesNameIt = page.match.crm === 'salesforce' ? salesforceId18(recordId) : recordId;
  return asPagesNameIt === page.match.recordId ? page.match.recordId : null;
}

/**
 * The longest a page waits for the check of a HubSpot connection's unknown portal (up to a minute,
 * with HubSpot slow or down) before it is answered from what is stored: a check that learns the
 * portal tells CRM tabs, whose badges then ask again (`learnPortalInBackground`).
 */
export const PORTAL_CHECK_WAIT_MS = 3_000;

/** Resolves once `work` settles or `ms` have passed, whichever is first. */
async function settledOrAfter(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What may answer for `page`, a page of `crm`. A HubSpot connection whose portal is unknown (stored
 * by a LeadLens that did not record portals, or HubSpot did not answer its check) is checked first,
 * in the check start-up and other pages share (`learnPortalInBackground`), for PORTAL_CHECK_WAIT_MS
 * at most; still unknown, it counts as another portal's. While a purge deletes the connection (one
 * cut short is finished at the next start, which a restored CRM tab may ask before) there is none:
 * its credentials read no record for a page. A page shown since `loadedAt`, where its document loaded,
 * of another org or portal counts as another's.
 */
export async function pageAccess(crm: CrmKind, page: URL, loadedAt?: URL | null): Promise<PageAccess> {
  const account = accountOfPage(crm, page);
  // Shown through the document's own client-side navigation from another org's or portal's page (or one whose address
  // names none): every HubSpot portal shares one origin, so a script on another portal's page could pushState into the
  // connected portal's contacts and read them with the connection's token. Such a page is answered as another org's.
  const movedInto = loadedAt != null && accountOfAnyPage(crm, loadedAt) !== account;
  const { connection: stored, purgesBefore } = await connectionForPage(crm);
  let connection = stored;
  if (account !== null && connection?.crm === 'hubspot' && connection.account === undefined) {
    await settledOrAfter(learnPortalInBackground(), PORTAL_CHECK_WAIT_MS);
    connection = await readConnection(crm);
  }
  const syncedFrom = (await dexieSyncStore(db).readState(crm)).account;
  const sameOrg = !movedInto && account !== null && connection !== null && accountOf(connection)?.id === account;
  const synced = !movedInto && account !== null && syncedFrom?.id === account;
  return { account, connection: connection === null ? 'none' : sameOrg ? 'same-org' : 'other-org', synced, purgesBefore };
}
