import { QueryClient, type DefaultOptions } from '@tanstack/react-query';

/**
 * The extension pages' queries and mutations ask the background or IndexedDB, never the network
 * themselves, so none waits for the browser to be online, as react-query's default has them do:
 * offline, a first read showed "Loading" for good and the side panel kept the lead of the page
 * before; an action asked of the background was held unsent rather than told why it failed.
 */
export const PAGE_QUERY_DEFAULTS = {
  queries: { networkMode: 'always' },
  mutations: { networkMode: 'always' },
} as const satisfies DefaultOptions;

/** The query client of an extension page (side panel, options). */
export const pageQueryClient = () => new QueryClient({ defaultOptions: PAGE_QUERY_DEFAULTS });
