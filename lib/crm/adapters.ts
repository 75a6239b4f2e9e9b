/**
 * The CRM adapters, in the order pages are tried (first recognised wins), and the one place
 * that turns a URL into "which CRM, which page, whose org". Add a CRM by writing its adapter and
 * listing it here.
 */
import { hubspot } from './hubspot.ts';
import { salesforce } from './salesforce.ts';
import type { CrmAdapter, CrmKind, PageMatch } from './types.ts';

/** Each CRM's adapter, in the order pages are tried: a CRM kind without one does not type-check. */
const ADAPTER_OF_KIND = { salesforce, hubspot } satisfies Record<CrmKind, CrmAdapter>;

export const adapters: CrmAdapter[] = Object.values(ADAPTER_OF_KIND);

/** The adapter of `crm`, for what is done by kind rather than by page (its addresses). */
export const adapterOf = (crm: CrmKind): CrmAdapter => ADAPTER_OF_KIND[crm];

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

/** The org or portal any `crm` page belongs to, a record or list page or not (`CrmAdapter.accountOfAnyPage`). */
export function accountOfAnyPage(crm: CrmKind, url: URL): string | null {
  return adapterOf(crm).accountOfAnyPage(url);
}

/** The org or portal a `crm` page belongs to, as its connection's account names it (`CrmAdapter.accountOfPage`). */
export function accountOfPage(crm: CrmKind, url: URL): string | null {
  return adapterOf(crm).accountOfPage(url);
}
