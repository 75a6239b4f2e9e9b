/**
 * Shared DOM reading for the CRM adapters. Nothing here knows a CRM: each adapter describes
 * its record page as data (`RecordPageSpec`: ordered selector lists, most specific first)
 * and `createRecordPageReader` turns that description into the adapter's DOM methods.
 *
 * Rules every reader follows:
 * - Text only: values come from text nodes (and form controls' `value` / `checked`), never
 *   from `innerHTML`; nothing the page shows is ever parsed as markup.
 * - Selector fallbacks: a list is tried in order in the light DOM; only when nothing in the
 *   light DOM matches are open shadow roots walked (LWC uses synthetic shadow today, which
 *   a content script sees as light DOM, and is moving to native shadow).
 * - Scope: when the page marks its active record view (Salesforce keeps old views in the
 *   DOM), everything is read inside that view; when it does not (HubSpot), only visible
 *   elements are read.
 * - Limits: at most `PAGE_FIELD_LIMITS.maxFields` fields, names ≤ `maxNameLength`, values
 *   (and names) clipped to `maxValueLength` characters, so the message stays valid.
 * - An empty field is returned as `""` (Salesforce shows nothing, HubSpot shows `--`):
 *   key present = the page shows the field; `""` = it shows no value.
 *
 * Pure with respect to the extension: only standard DOM APIs, so it runs in content scripts
 * and in tests (happy-dom) alike.
 */
import { PAGE_FIELD_LIMITS, type PageFields } from './types.ts';

/** An ordered list of CSS selectors: the first is the most specific, the rest are fallbacks. */
export type Selectors = readonly string[];

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const DOCUMENT_FRAGMENT_NODE = 11;

// ---------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------

/**
 * The soft hyphen, zero-width space, word joiner and byte-order mark: invisible, so not part of
 * the shown text. The joiners U+200C and U+200D stay, as `visibleText` keeps them
 * (lib/ml/visible-text.ts): Persian words (نرم‌افزار) and emoji sequences (👨‍👩‍👧) are written
 * with them, and the CRM's API sends them, so a value read from the page reads as the API's.
 */
const INVISIBLE_CHARS = /[\u00AD\u200B\u2060\uFEFF]/g;
const WHITESPACE_RUN = /\s+/g;

/** Drops invisible characters, collapses whitespace runs (incl. NBSP, newlines) to one space, trims. */
export function normaliseText(text: string): string {
  return text.replace(INVISIBLE_CHARS, '').replace(WHITESPACE_RUN, ' ').trim();
}

/** Cuts `text` to at most `max` UTF-16 units without splitting a surrogate pair, with no "…" (for one, lib/ml/visible-text.ts `clipWithEllipsis`). */
export function clipText(text: string, max: number = PAGE_FIELD_LIMITS.maxValueLength): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? max - 1 : max;
  return text.slice(0, end);
}

/** Never part of what a user reads. `svg` because icons carry `<title>` text. */
/** The element LeadLens puts its badge in (beside the record's name): never the CRM's text. */
export const BADGE_TAG = 'leadlens-badge';

const NEVER_TEXT: Selectors = ['script', 'style', 'template', 'noscript', 'svg', BADGE_TAG];

/**
 * Elements whose boundaries separate words when rendered (blocks, line breaks): a space is
 * inserted there so `<div>1 Main St</div><div>Boston</div>` reads "1 Main St Boston", as a
 * user sees it, where `textContent` would give "1 Main StBoston".
 */
const WORD_BREAKING = new Set([
  'address', 'article', 'br', 'dd', 'div', 'dl', 'dt', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5',
  'h6', 'header', 'hr', 'li', 'ol', 'p', 'section', 'table', 'td', 'th', 'tr', 'ul',
]);

/** Raw characters collected before giving up on an absurdly long text (it is clipped anyway). */
const RAW_TEXT_BUDGET = PAGE_FIELD_LIMITS.maxValueLength * 4;

/**
 * The text a user sees in `node`, normalised and clipped: text nodes in composed-tree order
 * (into open shadow roots, through slots), minus `NEVER_TEXT` and `skip`. Never parses
 * anything: markup-like text such as `<img src=x onerror=…>` comes back as those characters.
 */
export function readText(node: Node, skip: Selectors = []): string {
  const skipped: Selectors = [...NEVER_TEXT, ...skip];
  const parts: string[] = [];
  let size = 0;

  const visit = (current: Node): void => {
    if (size > RAW_TEXT_BUDGET) return;
    if (current.nodeType === TEXT_NODE) {
      const data = (current as Text).data;
      parts.push(data);
      size += data.length;
      return;
    }
    if (current.nodeType === DOCUMENT_FRAGMENT_NODE) {
      current.childNodes.forEach(visit);
      return;
    }
    if (current.nodeType !== ELEMENT_NODE) return;
    const element = current as Element;
    if (matchesAny(element, skipped)) return;
    const breaks = WORD_BREAKING.has(element.localName);
    if (breaks) parts.push(' ');
    const shadow = element.shadowRoot;
    if (shadow) {
      // A host renders its open shadow root (its light children only through slots). One
      // whose root shows no text yet (not rendered) falls back to its light children.
      const mark = parts.length;
      shadow.childNodes.forEach(visit);
      if (normaliseText(parts.slice(mark).join('')) === '') {
        parts.length = mark;
        element.childNodes.forEach(visit);
      }
    } else {
      renderedChildren(element).forEach(visit);
    }
    if (breaks) parts.push(' ');
  };

  visit(node);
  return clipText(normaliseText(parts.join('')));
}

/**
 * A non-host element's children as rendered: a slot in a shadow tree renders the nodes
 * assigned to it, or its own children as fallback content; other elements their children.
 */
function renderedChildren(element: Element): readonly Node[] {
  if (element.localName === 'slot' && isInShadowTree(element)) {
    const assigned = (element as HTMLSlotElement).assignedNodes();
    if (assigned.length > 0) return assigned;
  }
  return Array.from(element.childNodes);
}

function isInShadowTree(node: Node): boolean {
  const root = node.getRootNode?.();
  return root !== undefined && root.nodeType === DOCUMENT_FRAGMENT_NODE && 'host' in root;
}

// ---------------------------------------------------------------------------------------
// Querying: ordered selector fallbacks, then open shadow roots
// ---------------------------------------------------------------------------------------

/** Anything `querySelectorAll` can be called on. */
export type QueryRoot = Document | Element | ShadowRoot | DocumentFragment;

/**
 * Every open shadow root inside `root` (including `root`'s own when it is a host), at any
 * depth. Closed roots are invisible to us by design.
 */
export function openShadowRoots(root: QueryRoot): ShadowRoot[] {
  const found: ShadowRoot[] = [];
  const visit = (scope: QueryRoot): void => {
    for (const element of Array.from(scope.querySelectorAll('*'))) {
      const shadow = element.shadowRoot;
      if (shadow) {
        found.push(shadow);
        visit(shadow);
      }
    }
  };
  if (root.nodeType === ELEMENT_NODE && (root as Element).shadowRoot) {
    const own = (root as Element).shadowRoot as ShadowRoot;
    found.push(own);
    visit(own);
  }
  visit(root);
  return found;
}

/**
 * `querySelectorAll`, except that a selector the DOM engine cannot parse matches nothing
 * instead of throwing: one unsupported fallback must not disable the others. (happy-dom,
 * for one, rejects type selectors with `_`, such as `record_flexipage-record-field`,
 * which Chrome accepts.)
 */
export function selectAll(scope: QueryRoot, selector: string): Element[] {
  try {
    return Array.from(scope.querySelectorAll(selector));
  } catch {
    return [];
  }
}

/** Whether `element` matches any of `selectors` (unparseable ones match nothing, as in `selectAll`). */
export function matchesAny(element: Element, selectors: Selectors): boolean {
  return selectors.some((selector) => {
    try {
      return element.matches(selector);
    } catch {
      return false;
    }
  });
}

/** Elements matching any of `selectors`, in selector order, each once. */
function collect(scopes: readonly QueryRoot[], selectors: Selectors): Element[] {
  const seen = new Set<Element>();
  const out: Element[] = [];
  for (const selector of selectors) {
    for (const scope of scopes) {
      for (const element of selectAll(scope, selector)) {
        if (!seen.has(element)) {
          seen.add(element);
          out.push(element);
        }
      }
    }
  }
  return out;
}

/**
 * All elements matching any selector of the list (selector order, then document order, no
 * duplicates) in the light DOM of `root`; if there are none, the same inside every open
 * shadow root under `root`. Selectors cannot cross a shadow boundary, so fallback lists
 * should end with selectors that still match inside a component.
 */
export function queryAll(root: QueryRoot, selectors: Selectors): Element[] {
  const light = collect([root], selectors);
  return light.length > 0 ? light : collect(openShadowRoots(root), selectors);
}

/**
 * The first element, trying each selector in order, that `accept`s: first in the light DOM
 * of `root`, then inside its open shadow roots. Null when nothing matches.
 */
export function queryFirst(
  root: QueryRoot,
  selectors: Selectors,
  accept: (element: Element) => boolean = () => true,
): Element | null {
  const firstIn = (scopes: readonly QueryRoot[]): Element | null => {
    for (const selector of selectors) {
      for (const scope of scopes) {
        for (const element of selectAll(scope, selector)) {
          if (accept(element)) return element;
        }
      }
    }
    return null;
  };
  return firstIn([root]) ?? firstIn(openShadowRoots(root));
}

/** The parent in the rendered (flat) tree: the slot it is assigned to, its parent, or its shadow host. */
export function flatTreeParent(element: Element): Element | null {
  const slot = assignedSlot(element);
  if (slot) return slot;
  if (element.parentElement) return element.parentElement;
  const parent = element.parentNode;
  if (parent && parent.nodeType === DOCUMENT_FRAGMENT_NODE && 'host' in parent) {
    return (parent as ShadowRoot).host;
  }
  return null;
}

const shadowHostOf = (node: Node | null): Element | null => (node?.nodeType === DOCUMENT_FRAGMENT_NODE && 'host' in node ? (node as ShadowRoot).host : null);

/**
 * The element a DOM change happened in (a MutationRecord's target): a shadow root's host for its
 * own children, a text's parent for its value (the host for a text right in a shadow root, as
 * LWC renders a formatted name's).
 */
export function changedElementOf(node: Node): Element | null {
  if (node.nodeType === ELEMENT_NODE) return node as Element;
  return shadowHostOf(node) ?? node.parentElement ?? shadowHostOf(node.parentNode);
}

/** `element` is `container` or inside it in the rendered tree (through slots and shadow hosts). */
export function isWithinRendered(element: Element | null, container: Element): boolean {
  for (let current = element; current; current = flatTreeParent(current)) if (current === container) return true;
  return false;
}

/**
 * The slot `element` is rendered in, if its parent is a host with an open shadow root.
 * `Element.assignedSlot` where the DOM has it; else (happy-dom) the same rule: the slot
 * named by its `slot` attribute, or the first unnamed slot.
 */
export function assignedSlot(element: Element): HTMLSlotElement | null {
  const native = (element as { assignedSlot?: HTMLSlotElement | null }).assignedSlot;
  if (native !== undefined) return native;
  const shadow = element.parentElement?.shadowRoot;
  if (!shadow) return null;
  const name = element.getAttribute('slot') ?? '';
  const slots = Array.from(shadow.querySelectorAll('slot')) as HTMLSlotElement[];
  return slots.find((slot) => (slot.getAttribute('name') ?? '') === name) ?? null;
}

/** Like `Element.closest` (with a selector list), but continues past shadow boundaries to the hosts. */
export function closestComposed(element: Element, selectors: Selectors): Element | null {
  for (let current: Element | null = element; current; current = flatTreeParent(current)) {
    if (matchesAny(current, selectors)) return current;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Visibility
// ---------------------------------------------------------------------------------------

export interface VisibilityOptions {
  /**
   * Also treat `aria-hidden="true"` subtrees as hidden (hidden tab panels that stay in the
   * DOM). Off when choosing a record view: a modal dialog aria-hides the page behind it.
   */
  ariaHidden: boolean;
}

/**
 * A visibility test for one read of the page (results are memoised per element, so build a
 * new one per read). An element is hidden when it or an ancestor in the flat tree has the
 * `hidden` attribute, inline or computed `display: none` / `visibility: hidden`, or (with
 * `ariaHidden`) `aria-hidden="true"`. No layout is forced and none is needed: it works on
 * saved pages and in happy-dom. (Approximation: a `visibility: visible` child of a
 * `visibility: hidden` ancestor counts as hidden.)
 */
export function createVisibilityCheck(options: VisibilityOptions): (element: Element) => boolean {
  const hiddenMemo = new Map<Element, boolean>();
  const isHidden = (element: Element): boolean => {
    const known = hiddenMemo.get(element);
    if (known !== undefined) return known;
    const parent = flatTreeParent(element);
    const hidden = hidesItself(element, options) || (parent !== null && isHidden(parent));
    hiddenMemo.set(element, hidden);
    return hidden;
  };
  return (element) => !isHidden(element);
}

function hidesItself(element: Element, options: VisibilityOptions): boolean {
  if (element.hasAttribute('hidden')) return true;
  if (options.ariaHidden && element.getAttribute('aria-hidden') === 'true') return true;
  const inline = (element as Partial<HTMLElement>).style;
  if (inline && (inline.display === 'none' || inline.visibility === 'hidden')) return true;
  const view = element.ownerDocument?.defaultView;
  if (view && typeof view.getComputedStyle === 'function') {
    const computed = view.getComputedStyle(element);
    if (computed.display === 'none' || computed.visibility === 'hidden') return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------

/** Read-only checkboxes: a disabled `<input type=checkbox>` (Lightning) or an ARIA checkbox. */
const CHECKBOXES: Selectors = ['input[type="checkbox"]', '[role="checkbox"][aria-checked]'];
/** Inline-editable properties (HubSpot renders some as the control itself). */
const FORM_CONTROLS: Selectors = ['textarea', 'select', 'input:not([type="hidden"]):not([type="checkbox"])'];

function controlText(element: Element): string {
  if (element.localName === 'select') {
    const select = element as HTMLSelectElement;
    const option = select.options[select.selectedIndex];
    return option ? readText(option) : '';
  }
  return clipText(normaliseText((element as HTMLInputElement | HTMLTextAreaElement).value ?? ''));
}

/**
 * The displayed value of one field: `"true"` / `"false"` for a checkbox; a form control's
 * value; else the text of `valueElement` without `skip`; else (no text) the value of a form
 * control inside it.
 */
export function readDisplayedValue(valueElement: Element, skip: Selectors = []): string {
  const checkbox = matchesAny(valueElement, CHECKBOXES) ? valueElement : queryFirst(valueElement, CHECKBOXES);
  if (checkbox) {
    const checked =
      checkbox.localName === 'input'
        ? (checkbox as HTMLInputElement).checked
        : checkbox.getAttribute('aria-checked') === 'true';
    return checked ? 'true' : 'false';
  }
  if (matchesAny(valueElement, FORM_CONTROLS)) return controlText(valueElement);
  const text = readText(valueElement, skip);
  if (text !== '') return text;
  const control = queryFirst(valueElement, FORM_CONTROLS);
  return control ? controlText(control) : '';
}

/** What a person types a value in or picks one with: a form control that holds a value, or an editable region. */
const EDITORS: Selectors = [
  'textarea',
  'select',
  'input:not([type="button"]):not([type="submit"]):not([type="reset"]):not([type="image"])',
  '[contenteditable]:not([contenteditable="false"])',
];

/**
 * The element that has focus when a person can change a value in it (`EDITORS`), inside open shadow roots
 * too (the document's `activeElement` is then their host): a field that holds it is being edited. Null when
 * focus is elsewhere, on a button, or nowhere.
 */
export function focusedEditor(doc: Document): Element | null {
  let focused = doc.activeElement;
  while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
  return focused && matchesAny(focused, EDITORS) ? focused : null;
}

// ---------------------------------------------------------------------------------------
// A record page, described as data
// ---------------------------------------------------------------------------------------

export interface RecordPageSpec {
  /**
   * The active record view, most specific first, for pages that keep inactive views in the
   * DOM. The first rendered match scopes every read. Empty, or no match: read the whole
   * document, visible elements only.
   */
  readonly activeView: Selectors;
  /** Containers inside the scope whose content belongs to another record (previews, dialogs). */
  readonly excludeWithin: Selectors;
  /** The record's title element (its name; the badge goes after it). */
  readonly title: Selectors;
  /** One element per displayed field. All lists are read (a page mixes layouts); duplicates are merged. */
  readonly fieldRow: Selectors;
  /** Inside a row: the label (left out when a row has no value element). */
  readonly fieldLabel: Selectors;
  /** Inside a row: the value. No match: the row itself, minus its label. */
  readonly fieldValue: Selectors;
  /** Text that is never part of a value or a name (assistive text, decorations). */
  readonly skipText: Selectors;
  /** Displayed placeholders that mean "no value" (compared after normalising), returned as `""`. */
  readonly emptyValues: readonly string[];
  /** The API / property name a row shows, or null to ignore the row. Must be a valid name. */
  fieldName(row: Element): string | null;
  /** The record name from `document.title` when no title element has text, or null. */
  nameFromDocumentTitle?(title: string): string | null;
}

export interface RecordPageReader {
  readRecordName(doc: Document): string | null;
  readRecordFields(doc: Document): PageFields;
  findBadgeAnchor(doc: Document): Element | null;
  /**
   * The active record view the fields are read in (`activeView`'s match), where the page keeps one
   * per record (Salesforce: a new view for each record, a console tab's own); null where it marks
   * none (HubSpot: one page, re-rendered in place) or shows none. Which record's fields a view
   * holds can be told by the element, where values cannot (see record-badge.ts).
   */
  readRecordView(doc: Document): Element | null;
}

export interface Scope {
  root: QueryRoot;
  /** Accepts the elements to read inside `root`. */
  accept: (element: Element) => boolean;
}

const everything = (): boolean => true;

/**
 * A MutationObserver over `doc.body` and every open shadow root inside it but LeadLens's own
 * badges': an observer sees no further than a shadow boundary, and Lightning is moving to native
 * shadow DOM, where a record's fields and a list's rows render inside components' roots. A root
 * that appears later is watched from the change that adds the element holding it.
 */
export function observeComposed(doc: Document, callback: (records: MutationRecord[]) => void, options: MutationObserverInit): { disconnect(): void } {
  const watched = new WeakSet<ShadowRoot>();
  const observer = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) if (node.nodeType === ELEMENT_NODE) watchRootsIn(node as Element);
    callback(records);
  });
  const watchRootsIn = (element: Element): void => {
    for (const root of openShadowRoots(element)) {
      if (watched.has(root) || root.host.localName === BADGE_TAG) continue;
      watched.add(root);
      observer.observe(root, options);
    }
  };
  observer.observe(doc.body, options);
  watchRootsIn(doc.body);
  return observer;
}

/**
 * The locale the page writes numbers and dates in, as best the page tells: its `lang` when that
 * names a region (`de-DE`); the browser's when it is the same language with a region (page
 * `en`, browser `en-GB`: CRMs default a user's locale from the browser's); else the page's
 * language, else the browser's. Undefined when neither says. A guess: `lang` is the user's
 * language, and Salesforce sets their formats (Locale) apart, so the page's own values
 * overrule it where they show otherwise (`pageFieldsAsData`).
 */
export function pageLocale(doc: Document, browserLocale: string | undefined): string | undefined {
  const page = doc.documentElement.lang.trim();
  const language = (tag: string) => tag.split('-')[0].toLowerCase();
  if (page.includes('-')) return page;
  if (browserLocale && (page === '' || language(browserLocale) === language(page)) && browserLocale.includes('-')) return browserLocale;
  return page || browserLocale || undefined;
}

/**
 * Whether a dialog is open over the page (a CRM's "Log a call", an edit form): the page behind it
 * is then hidden from assistive technology (aria-hidden), and so from what LeadLens reads.
 */
export function dialogOpen(doc: Document): boolean {
  return doc.querySelector('[role="dialog"], [role="alertdialog"], dialog[open]') !== null;
}

/** The first rendered match of `activeView` (the active record view), or null when it is empty or matches none. */
function findActiveView(doc: Document, activeView: Selectors): Element | null {
  return activeView.length > 0 ? queryFirst(doc, activeView, createVisibilityCheck({ ariaHidden: false })) : null;
}

/** The active record view, or the whole document with visible elements only. */
export function resolveScope(doc: Document, activeView: Selectors): Scope {
  const view = findActiveView(doc, activeView);
  return view ? { root: view, accept: everything } : { root: doc, accept: createVisibilityCheck({ ariaHidden: true }) };
}

/** What a field row of `spec`'s page shows as its value: its value element's text, else the row's without its label. */
export function displayedRowValue(row: Element, spec: RecordPageSpec): string {
  const valueElement = queryFirst(row, spec.fieldValue);
  return valueElement ? readDisplayedValue(valueElement, spec.skipText) : readDisplayedValue(row, [...spec.skipText, ...spec.fieldLabel]);
}

/** Builds an adapter's DOM methods from its page description. */
export function createRecordPageReader(spec: RecordPageSpec): RecordPageReader {
  const emptyValues = new Set(spec.emptyValues.map(normaliseText));

  /** The scope of one read, minus the excluded containers. */
  const scopeOf = (doc: Document): Scope => {
    const { root, accept } = resolveScope(doc, spec.activeView);
    if (spec.excludeWithin.length === 0) return { root, accept };
    return { root, accept: (element) => accept(element) && closestComposed(element, spec.excludeWithin) === null };
  };

  const findTitle = (doc: Document): Element | null => {
    const { root, accept } = scopeOf(doc);
    return queryFirst(root, spec.title, accept);
  };

  const readRowValue = (row: Element): string => {
    const value = displayedRowValue(row, spec);
    return emptyValues.has(value) ? '' : value;
  };

  return {
    findBadgeAnchor: findTitle,

    readRecordView: (doc) => findActiveView(doc, spec.activeView),

    readRecordName(doc) {
      const title = findTitle(doc);
      const name = title ? readText(title, spec.skipText) : '';
      if (name !== '') return name;
      const fromDocument = spec.nameFromDocumentTitle?.(doc.title ?? '') ?? null;
      return fromDocument ? clipText(normaliseText(fromDocument)) : null;
    },

    readRecordFields(doc) {
      const { root, accept } = scopeOf(doc);
      const fields = new Map<string, string>();
      for (const row of queryAll(root, spec.fieldRow)) {
        if (!accept(row)) continue;
        const name = spec.fieldName(row);
        if (name === null || name.length === 0 || name.length > PAGE_FIELD_LIMITS.maxNameLength) continue;
        const known = fields.get(name);
        if (known === undefined && fields.size >= PAGE_FIELD_LIMITS.maxFields) continue;
        if (known !== undefined && known !== '') continue; // first non-empty value wins
        const value = readRowValue(row);
        if (known === undefined || value !== '') fields.set(name, value);
      }
      // fromEntries defines own properties: a field called "constructor" or "__proto__" is just a key.
      return Object.fromEntries(fields);
    },
  };
}
