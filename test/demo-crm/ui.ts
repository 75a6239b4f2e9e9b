/**
 * What the two CRM UIs share: the HTML document, the page script, the JSON view endpoint
 * the script navigates with, paging, and the 404. Each site (salesforce-pages.ts,
 * hubspot-pages.ts) only says which view a path shows and what its chrome looks like.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { html, javascript, json, text, type DemoRequest, type DemoResponse } from './http';
import { escapeHtml, h, renderHtml, type ViewNode } from './view';

export const CLIENT_SCRIPT_PATH = '/demo/client.js';
export const VIEW_JSON_PATH = '/demo/view.json';
export const PAGE_SIZE = 50;

export interface UiView {
  /** `document.title` */
  title: string;
  /** What goes in the stage. */
  view: ViewNode;
}

export interface UiSite {
  styles: string;
  /** The locale the pages are written in (`html lang`). */
  locale(): string;
  /** The whole body: the site's chrome around `stage(…, view)`. */
  page(view: ViewNode): ViewNode;
  /** The view a path shows, or null when there is none. */
  resolve(url: URL): UiView | null;
  notFound(url: URL): UiView;
}

/** The element views live in; `client.ts` reads the mode from it. */
export function stage(mode: 'stack' | 'replace', attrs: Record<string, string>, view: ViewNode): ViewNode {
  return h('div', { ...attrs, 'data-demo-stage': mode }, [view]);
}

export function handleUi(site: UiSite, request: DemoRequest): DemoResponse {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed');
  const { pathname } = request.url;
  if (pathname === CLIENT_SCRIPT_PATH) return javascript(clientScript());
  if (pathname === VIEW_JSON_PATH) return viewJson(site, request.url);
  const found = site.resolve(request.url);
  const shown = found ?? site.notFound(request.url);
  return html(found ? 200 : 404, htmlDocument(shown.title, site.locale(), site.styles, site.page(shown.view)));
}

function viewJson(site: UiSite, requestUrl: URL): DemoResponse {
  const path = requestUrl.searchParams.get('path') ?? '';
  if (!path.startsWith('/') || path.startsWith('//')) return json(400, { error: 'path must be a path on this host' });
  const url = new URL(path, requestUrl);
  const found = site.resolve(url);
  return json(found ? 200 : 404, found ?? site.notFound(url));
}

function htmlDocument(title: string, lang: string, styles: string, body: ViewNode): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="icon" href="data:,">', // no favicon request
    `<title>${escapeHtml(title)}</title>`,
    `<style>${styles}</style>`,
    `<script type="module" src="${CLIENT_SCRIPT_PATH}"></script>`,
    `</head><body>${renderHtml(body)}</body></html>`,
  ].join('\n');
}

let clientScriptCache: string | undefined;

/** client.ts as the browser runs it: transpiled once, then started. */
function clientScript(): string {
  clientScriptCache ??= `${ts.transpileModule(readFileSync(new URL('./client.ts', import.meta.url), 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText}\ninstallDemoNavigation(window);\n`;
  return clientScriptCache;
}

export interface Page<T> {
  items: T[];
  /** 1-based */
  page: number;
  pages: number;
}

/** `?page=N` of a list, clamped to the pages there are. */
export function pageOf<T>(items: readonly T[], url: URL): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
  const requested = Number.parseInt(url.searchParams.get('page') ?? '1', 10);
  const page = Number.isFinite(requested) ? Math.min(pages, Math.max(1, requested)) : 1;
  return { items: items.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), page, pages };
}

/** Previous / "Page x of y" / Next, as links that the page script navigates client-side. */
export function pager(basePath: string, { page, pages }: Page<unknown>, className: (part: string) => string): ViewNode {
  const link = (to: number, label: string) => h('a', { href: `${basePath}?page=${to}`, class: className('pager-link'), rel: label === 'Next' ? 'next' : 'prev' }, label);
  return h('nav', { class: className('pager'), 'aria-label': 'Pages' }, [
    page > 1 && link(page - 1, 'Previous'),
    h('span', { class: className('pager-status') }, `Page ${page} of ${pages}`),
    page < pages && link(page + 1, 'Next'),
  ]);
}
