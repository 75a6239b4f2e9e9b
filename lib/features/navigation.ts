/**
 * Navigation, handled in one place. The CRMs are single-page apps whose `history.pushState`
 * calls a content script cannot patch (isolated world), so we listen to the Navigation API's
 * `currententrychange` (fired for the page's own pushState) and `popstate`, with a cheap URL
 * check as the fallback. Each page gets an AbortSignal that aborts when the user leaves it.
 */
import type { ContentScriptContext } from 'wxt/utils/content-script-context';

/** `previous` is the page the user came from (null on the first page). */
export type PageHandler = (url: URL, previous: URL | null, signal: AbortSignal) => void;

const FALLBACK_CHECK_MS = 500;

export function onEveryPage(ctx: ContentScriptContext, handler: PageHandler): void {
  let currentUrl = '';
  let page: AbortController | null = null;

  const check = () => {
    if (location.href === currentUrl) return;
    const previous = currentUrl ? new URL(currentUrl) : null;
    currentUrl = location.href;
    page?.abort();
    page = new AbortController();
    handler(new URL(currentUrl), previous, page.signal);
  };

  ctx.onInvalidated(() => page?.abort());
  const navigation = (window as { navigation?: EventTarget }).navigation;
  if (navigation) ctx.addEventListener(navigation, 'currententrychange' as never, check);
  ctx.addEventListener(window, 'popstate', check);
  ctx.setInterval(check, FALLBACK_CHECK_MS);
  check();
}
