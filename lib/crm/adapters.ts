/**
 * The CRM adapters, in the order pages are tried (first recognised wins), and the one place
 * that turns a URL into "which CRM, which page, whose org". Add a CRM by writing its adapter and
 * listing it here.
 */
import { hubspot, hubspotPortalOfPage } from './hubspot.ts';
import { salesforce, salesforceOrgOfPage } from './salesforce.ts';
import type { CrmAdapter, CrmKind, PageMatch } from './types.ts';

export const adapters: CrmAdapter[] = [salesforce, hubspot];

export interface RecognisedPage {
  adapter: CrmAdapter;
  /** A record or list page; never `other`. */
  match: Exclude<PageMatch, { kind: 'other' }>;
}

/** The adapter and page kind for `url`, or null when no CRM has a record or list page there. Pure. */
export function recognisePage(url: URL): RecognisedPage | null {
  for (const adapter of adapters) {
    const match = adapter.recognise(url);
    if (match.kind !== 'other') return { adapter, match };
  }
  return null;
}

/**
 * A record page is its record, whichever tab or form of it the URL shows; a list page is its
 * path and query (another view or filter is another list); any other page is its URL.
 */
export function pageKey(url: URL): string {
  const match = recognisePage(url)?.match;
  if (match?.kind === 'record') return [match.crm, match.kind, match.recordId].join(' ');
  if (match?.kind === 'list') return [match.crm, match.kind, url.pathname + url.search].join(' ');
  return url.href;
}

/**
 * The org or portal a `crm` page belongs to, with the id its connection's account has (a
 * Salesforce My Domain API host, a HubSpot portal id); null when `url` is not such a page.
 */
export function accountOfPage(crm: CrmKind, url: URL): string | null {
  return crm === 'salesforce' ? salesforceOrgOfPage(url) : hubspotPortalOfPage(url);
}
