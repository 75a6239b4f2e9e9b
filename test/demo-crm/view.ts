/**
 * One description of a page fragment, two renderers: the server turns it into escaped HTML
 * for the first page load, and the page's own script (`client.ts`) turns the same JSON into
 * DOM nodes after client-side navigation. Text only ever goes in as text.
 */

/** An element with either text (set with `textContent`) or child elements. */
export interface ViewNode {
  tag: string;
  attrs?: Record<string, string>;
  text?: string;
  children?: ViewNode[];
}

type AttrValue = string | number | false | null | undefined;
type Child = ViewNode | false | null | undefined;

/** `h('span', { class: 'x' }, 'text')` or `h('div', {}, [child, cond && child])`; empty attributes are dropped. */
export function h(tag: string, attrs: Record<string, AttrValue> = {}, content?: string | readonly Child[]): ViewNode {
  const node: ViewNode = { tag };
  const kept = Object.entries(attrs).filter((entry): entry is [string, string | number] => entry[1] !== false && entry[1] !== null && entry[1] !== undefined);
  if (kept.length > 0) node.attrs = Object.fromEntries(kept.map(([name, value]) => [name, String(value)]));
  if (typeof content === 'string') node.text = content;
  else if (content) node.children = content.filter((child): child is ViewNode => Boolean(child));
  return node;
}

const VOID_TAGS = new Set(['input', 'br', 'hr', 'img', 'meta', 'link']);

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderHtml(node: ViewNode): string {
  const attrs = Object.entries(node.attrs ?? {})
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('');
  if (VOID_TAGS.has(node.tag)) return `<${node.tag}${attrs}>`;
  const inner = node.text !== undefined ? escapeHtml(node.text) : (node.children ?? []).map(renderHtml).join('');
  return `<${node.tag}${attrs}>${inner}</${node.tag}>`;
}
