/**
 * The demo CRM pages' own script: client-side navigation, as Lightning and HubSpot do it.
 *
 * A click on a same-origin link is intercepted; the next view comes as JSON from
 * `/demo/view.json?path=…` (a `ViewNode` tree, see view.ts) and is built with DOM calls,
 * text only through `textContent`. Then `history.pushState` changes the URL, no reload.
 * The stage element says how views change (`data-demo-stage`):
 *  - `stack` (Lightning): the new view is appended and marked active; earlier views stay
 *    in the DOM, hidden and without `active`;
 *  - `replace` (HubSpot): the new view replaces the old one in place.
 *
 * Served as a module to the browser by `ui.ts` (TypeScript transpiled at start-up), which
 * appends `installDemoNavigation(window)`. It has no imports beyond types.
 */
import type { ViewNode } from './view';

interface ViewPayload {
  title: string;
  view: ViewNode;
}

/** Lightning keeps a handful of earlier views; so do we, so the DOM does not grow forever. */
const MAX_KEPT_VIEWS = 8;
/** The server's own trees never hold these; refusing them anyway keeps this renderer inert. */
const FORBIDDEN_TAGS = new Set(['script', 'iframe', 'object', 'embed', 'style', 'link', 'meta', 'base']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href']);

export function installDemoNavigation(win: Window): void {
  const doc = win.document;
  const stage = doc.querySelector<HTMLElement>('[data-demo-stage]');
  if (!stage) return;
  let latestNavigation = 0;

  async function navigate(url: URL, push: boolean): Promise<void> {
    const navigation = ++latestNavigation;
    const path = url.pathname + url.search;
    try {
      const response = await win.fetch(`/demo/view.json?path=${encodeURIComponent(path)}`, { headers: { accept: 'application/json' } });
      if (navigation !== latestNavigation) return; // a later click won
      if (!response.ok) throw new Error(`view ${response.status}`);
      const payload = (await response.json()) as ViewPayload;
      if (navigation !== latestNavigation) return;
      if (push) win.history.pushState(null, '', url.href);
      showView(stage!, buildElement(doc, payload.view));
      doc.title = payload.title;
    } catch {
      // Unknown page or server trouble: a full load shows the server's own page (e.g. its 404).
      win.location.assign(url.href);
    }
  }

  doc.addEventListener('click', (event) => {
    const url = navigableUrl(event, win);
    if (!url) return;
    event.preventDefault();
    void navigate(url, true);
  });
  win.addEventListener('popstate', () => void navigate(new URL(win.location.href), false));
}

/** The URL a plain left click on a same-origin link goes to, or null to let the browser handle it. */
function navigableUrl(event: MouseEvent, win: Window): URL | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const link = (event.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
  if (!link || (link.target && link.target !== '_self') || link.hasAttribute('download')) return null;
  const url = new URL(link.getAttribute('href') ?? '', win.location.href);
  if (url.origin !== win.location.origin || url.pathname.startsWith('/demo/')) return null;
  const here = new URL(win.location.href);
  if (url.hash && url.pathname === here.pathname && url.search === here.search) return null; // in-page anchor
  return url;
}

function showView(stage: HTMLElement, view: HTMLElement): void {
  if (stage.dataset.demoStage !== 'stack') {
    stage.replaceChildren(view);
    return;
  }
  const path = view.dataset.demoPath;
  for (const old of Array.from(stage.children) as HTMLElement[]) {
    if (path !== undefined && old.dataset.demoPath === path) old.remove();
    else if (old.classList.contains('active')) {
      old.classList.remove('active');
      old.style.display = 'none';
    }
  }
  stage.append(view);
  while (stage.children.length > MAX_KEPT_VIEWS) stage.firstElementChild?.remove();
}

export function buildElement(doc: Document, node: ViewNode): HTMLElement {
  if (FORBIDDEN_TAGS.has(node.tag.toLowerCase())) return doc.createElement('span');
  const element = doc.createElement(node.tag);
  for (const [name, value] of Object.entries(node.attrs ?? {})) {
    if (isSafeAttribute(name, value)) element.setAttribute(name, value);
  }
  if (node.text !== undefined) element.textContent = node.text;
  else for (const child of node.children ?? []) element.append(buildElement(doc, child));
  return element;
}

/** No event handlers, and links only to paths on this host. */
function isSafeAttribute(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (lower.startsWith('on')) return false;
  return !URL_ATTRIBUTES.has(lower) || (value.startsWith('/') && !value.startsWith('//'));
}
