/**
 * Navigation, handled in one place. The CRMs are single-page apps whose `history.pushState`
 * calls a content script cannot patch (isolated world), so we listen to the Navigation API's
 * `currententrychange` (fired for the page's own pushState) and `popstate`, with a cheap URL
 * check as the fallback. Each page gets an AbortSignal that aborts when the user leaves it.
 *
 * A page is what its key says, not its URL: a record's tabs, its edit form or a new query
 * string change the URL but leave the user on the same page, whose features keep running.
 */
import type { ScriptLifetime } from './lifetime';

/** `previous` is the last URL of the page the user came from (null on the first page). */
export type PageHandler = (url: URL, previous: URL | null, signal: AbortSignal) => void;

/** Which page a URL shows: URLs with the same key are the same page. */
export type PageKey = (url: URL) => string;

const FALLBACK_CHECK_MS = 500;

/**
 * The reason a page's signal aborts with when the extension was updated or reloaded under it:
 * this content script can no longer reach the background, and none is injected in its place
 * until the page reloads. Features then leave a notice rather than vanish.
 */
export const EXTENSION_RELOADED = 'LeadLens was updated or reloaded: reload this page to see scores again.';

export function onEveryPage(lifetime: ScriptLifetime, pageKey: PageKey, handler: PageHandler): void {
  let currentHref = '';
  let currentKey: string | null = null;
  let page: AbortController | null = null;

  const check = () => {
    if (location.href === currentHref) return;
    const previous = currentHref ? new URL(currentHref) : null;
    const url = new URL(location.href);
    currentHref = url.href;
    const key = pageKey(url);
    if (key === currentKey) return;
    currentKey = key;
    page?.abort();
    page = new AbortController();
    handler(url, previous, page.signal);
  };

  lifetime.signal.addEventListener('abort', () => page?.abort(EXTENSION_RELOADED));
  const navigation = (window as { navigation?: EventTarget }).navigation;
  if (navigation) lifetime.addEventListener(navigation, 'currententrychange', check);
  lifetime.addEventListener(window, 'popstate', check);
  lifetime.setInterval(check, FALLBACK_CHECK_MS);
  check();
}
