/**
 * The badge and its popover, in an open Shadow DOM root so the CRM's styles cannot reach
 * it. Built with `textContent` only: CRM values are shown as text, never parsed as HTML.
 *
 * The host element carries `data-leadlens-tier`, `data-leadlens-score` and
 * `data-leadlens-model` (and `data-leadlens-state` = loading | scored | unknown | error) for
 * tests and for other tools. List rows use the compact variant of the same badge.
 */
import { BADGE_TAG } from '../crm/dom';
import type { ScoreOutcome } from '../background/score-lead';
import type { Reason } from '../messaging/protocol';
import {
  TIER_LOOK,
  describeLikelihood,
  formatModelDate,
  strengthOf,
  topReasons,
} from '../presentation';

export { BADGE_TAG };

export interface BadgeHandle {
  host: HTMLElement;
  show(outcome: ScoreOutcome): void;
  /** LeadLens knows nothing about this record: a neutral marker that says how to fix it, never a score. */
  showUnknown(): void;
  remove(): void;
}

export interface BadgeOptions {
  /** Smaller, for list rows. */
  compact?: boolean;
}

export const NOT_SCORED_YET =
  'LeadLens has no data on this lead yet. Connect your CRM, load the demo data or import a CSV in the LeadLens options.';

type Child = Node | string | null | false;

/** Elements from tag, attributes and children; strings become text nodes, never markup. */
function el(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

const STYLE = `
:host { all: initial; display: inline-block; vertical-align: middle; margin-left: 8px; position: relative;
  font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; z-index: 2147483000; }
:host([data-leadlens-floating]) { position: fixed; right: 16px; bottom: 16px; margin: 0; }
:host([data-leadlens-compact]) { margin-left: 6px; font-size: 11px; }
:host([data-leadlens-compact]) .badge { padding: 0 6px 0 4px; }
:host([data-leadlens-state="unknown"]) .badge { background: #f3f3f3; color: #555; font-weight: 400; border: 1px dashed #999; }
.badge { display: inline-flex; align-items: center; gap: 4px; border: 0; border-radius: 999px; padding: 2px 10px 2px 8px;
  font: inherit; font-weight: 600; cursor: pointer; background: #e0e0e0; color: #1a1a1a; }
.badge:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
.score { font-variant-numeric: tabular-nums; padding-left: 4px; border-left: 1px solid currentColor; margin-left: 2px; }
.popover { position: absolute; top: calc(100% + 6px); left: 0; width: 320px; background: #fff; color: #1a1a1a;
  border: 1px solid #c9c9c9; border-radius: 8px; box-shadow: 0 6px 24px rgba(0,0,0,.18); padding: 12px 14px; font-weight: 400; }
:host([data-leadlens-floating]) .popover { top: auto; bottom: calc(100% + 6px); left: auto; right: 0; }
.popover[hidden] { display: none; }
h2 { font-size: 14px; margin: 0 0 4px; }
h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #555; margin: 10px 0 4px; }
ul { list-style: none; margin: 0; padding: 0; }
li { margin: 3px 0; display: flex; gap: 6px; }
.arrow { flex: none; width: 1em; font-weight: 700; }
.up .arrow { color: #2e7d32; } .down .arrow { color: #c62828; }
.value { color: #333; overflow-wrap: anywhere; }
.meta { color: #666; font-size: 11px; margin: 10px 0 0; }
.error { color: #8a1c1c; }
`;

/** An icon from a path of `TIER_LOOK`, hidden from screen readers (the word says it). */
function tierIcon(path: string): SVGSVGElement {
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('fill', 'currentColor');
  const shape = document.createElementNS(svgNs, 'path');
  shape.setAttribute('d', path);
  svg.append(shape);
  return svg;
}

/**
 * Mount a badge (loading state) at the end of `anchor` (the record title, so it sits on the
 * name's line whether the title is inline or a block), or floating at the window's corner.
 * Shadow content is not part of the title's text, so reading the name is unaffected.
 */
export function mountBadge(doc: Document, anchor: Element | null, options: BadgeOptions = {}): BadgeHandle {
  const host = doc.createElement(BADGE_TAG);
  host.setAttribute('data-leadlens-state', 'loading');
  if (options.compact) host.setAttribute('data-leadlens-compact', '');
  if (anchor) anchor.append(host);
  else {
    host.setAttribute('data-leadlens-floating', '');
    doc.body.append(host);
  }
  const root = host.attachShadow({ mode: 'open' });
  const button = el('button', { class: 'badge', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'leadlens-popover' }, 'LeadLens …');
  button.setAttribute('aria-label', 'LeadLens: scoring this lead');
  const popover = el('div', { class: 'popover', id: 'leadlens-popover', role: 'dialog', 'aria-label': 'Why LeadLens scored this lead so', hidden: '' });
  root.append(el('style', {}, STYLE), button, popover);
  const popoverState = wirePopover(host, button, popover);
  /** No tier: no tier attributes, no tier colours (the badge's own neutral look). */
  const clearTierLook = (state: 'error' | 'unknown') => {
    host.setAttribute('data-leadlens-state', state);
    for (const name of ['tier', 'score', 'probability', 'model']) host.removeAttribute(`data-leadlens-${name}`);
    button.style.removeProperty('background');
    button.style.removeProperty('color');
  };

  return {
    host,
    show(outcome) {
      popover.replaceChildren(...(outcome.ok ? scoredPopover(outcome.lead) : errorPopover(outcome.error)));
      if (outcome.ok) {
        const { lead } = outcome;
        const look = TIER_LOOK[lead.tier];
        host.setAttribute('data-leadlens-state', 'scored');
        host.setAttribute('data-leadlens-tier', lead.tier);
        host.setAttribute('data-leadlens-score', String(lead.score));
        host.setAttribute('data-leadlens-probability', String(lead.probability));
        host.setAttribute('data-leadlens-model', lead.modelId);
        button.style.background = look.colour;
        button.style.color = look.text;
        button.replaceChildren(
          tierIcon(look.icon),
          el('span', {}, look.word),
          el('span', { class: 'score' }, String(lead.score)),
        );
        button.setAttribute('aria-label', `LeadLens: ${look.word.toLowerCase()} lead, score ${lead.score} of 99. Show why.`);
      } else {
        clearTierLook('error');
        button.replaceChildren(el('span', { 'aria-hidden': 'true' }, '⚠'), el('span', {}, 'LeadLens'));
        button.setAttribute('aria-label', 'LeadLens could not score this lead. Show why.');
      }
    },
    showUnknown() {
      clearTierLook('unknown');
      button.replaceChildren(el('span', {}, 'Not scored yet'));
      button.setAttribute('aria-label', 'LeadLens: not scored yet. Show why.');
      popover.replaceChildren(el('h2', {}, 'Not scored yet'), el('p', {}, NOT_SCORED_YET));
    },
    remove() {
      popoverState.close(); // a badge removed while pinned leaves no listener on the page
      host.remove();
    },
  };
}

/**
 * Hover or keyboard focus opens the popover while there; a click pins it open and a second
 * click closes it. Escape (anywhere), or a click outside the badge, closes a pinned one.
 */
function wirePopover(host: HTMLElement, button: HTMLElement, popover: HTMLElement): { close(): void } {
  const doc = host.ownerDocument;
  let pinned = false;
  const setOpen = (open: boolean) => {
    popover.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
  };
  const onOutsidePointer = (event: Event) => {
    if (!event.composedPath().includes(host)) unpin();
  };
  const onEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') unpin();
  };
  const pin = () => {
    pinned = true;
    setOpen(true);
    doc.addEventListener('pointerdown', onOutsidePointer, true);
    doc.addEventListener('keydown', onEscape, true);
  };
  function unpin() {
    pinned = false;
    setOpen(false);
    doc.removeEventListener('pointerdown', onOutsidePointer, true);
    doc.removeEventListener('keydown', onEscape, true);
  }
  host.addEventListener('mouseenter', () => setOpen(true));
  host.addEventListener('mouseleave', () => setOpen(pinned));
  button.addEventListener('focus', () => setOpen(true));
  button.addEventListener('blur', () => setOpen(pinned));
  button.addEventListener('click', () => (pinned ? unpin() : pin()));
  host.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') unpin();
  });
  return { close: unpin };
}

function scoredPopover(lead: Extract<ScoreOutcome, { ok: true }>['lead']): Node[] {
  const look = TIER_LOOK[lead.tier];
  const { up, down } = topReasons(lead.reasons);
  return [
    el('h2', {}, tierIcon(look.icon), ` ${look.word} lead · score ${lead.score} of 99`),
    el('p', { class: 'likelihood' }, describeLikelihood(lead.probability, lead.baseRate)),
    up.length > 0 && el('h3', {}, 'Raising the score'),
    up.length > 0 && reasonList(up, 'up'),
    down.length > 0 && el('h3', {}, 'Lowering the score'),
    down.length > 0 && reasonList(down, 'down'),
    el(
      'p',
      { class: 'meta' },
      `Model of ${formatModelDate(lead.modelCreatedAt)} · ${lead.featuresKnown} of ${lead.featuresTotal} signals known`,
    ),
  ].filter((node): node is HTMLElement => node instanceof Node);
}

function reasonList(reasons: Reason[], direction: 'up' | 'down'): HTMLElement {
  return el(
    'ul',
    { class: direction },
    ...reasons.map((reason) =>
      el(
        'li',
        { 'data-leadlens-reason': direction },
        el('span', { class: 'arrow', 'aria-hidden': 'true' }, direction === 'up' ? '▲' : '▼'),
        el(
          'span',
          {},
          el('strong', {}, reason.label),
          ': ',
          el('span', { class: 'value' }, reason.value),
          ` (${strengthOf(reason.points)} ${direction === 'up' ? 'raises' : 'lowers'} the odds)`,
        ),
      ),
    ),
  );
}

function errorPopover(message: string): Node[] {
  return [el('h2', {}, 'LeadLens could not score this lead'), el('p', { class: 'error' }, message)];
}

/**
 * Whether a DOM change is the CRM's: every change but nodes added or removed that are all our
 * own badges (mounting a badge is no reason to look again: that would loop).
 */
export function isCrmChange(record: MutationRecord): boolean {
  return record.type !== 'childList' || ![...record.addedNodes, ...record.removedNodes].every((node) => node.nodeName.toLowerCase() === BADGE_TAG);
}
