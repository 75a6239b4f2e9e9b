/**
 * The badge and its popover, in an open Shadow DOM root so the CRM's styles cannot reach
 * it. Built with `textContent` only: CRM values are shown as text, never parsed as HTML.
 *
 * The host element carries `data-leadlens-tier`, `data-leadlens-score` and
 * `data-leadlens-model` (and `data-leadlens-state` = loading | scored | unknown | error) for
 * tests and for other tools. List rows use the compact variant of the same badge.
 *
 * The popover is a disclosure: the button says whether it is open (`aria-expanded`) and which
 * region it opens (`aria-controls`); focus stays on the button, or on the panel where it scrolls (a
 * large zoom), which the browser makes focusable so the keyboard can scroll it. Its title and section labels are
 * no headings: the badge sits in the CRM's title heading, whose outline they would join. All of it sits in an unnamed
 * group, whose content no heading takes into its name: the title heading is named by the lead alone, not "Isabel
 * Müller Cold 46: LeadLens scores this lead…" (and the open popover's name after it) as a screen reader lists headings.
 * It is shown in the top layer (Popover API), so a CRM title that clips its overflow (SLDS `slds-truncate`) cannot cut it,
 * and tied to the badge by CSS anchor positioning, so it stays beside its own badge wherever the
 * CRM's layout moves it (rows inserted above, a re-sort), not only when the page scrolls.
 * The badge itself stacks as the CRM's text around it does: a CRM modal or sticky header covers it.
 * While the lead is being scored, the popover says so.
 *
 * LeadLens's words read left to right on a right-to-left page too (the shadow content is `dir="ltr"`);
 * the badge's own spacing is logical, so its gap falls on the name's side either way. They are read in English on a page
 * in another language too (`lang="en"`), and the CRM's values among them in the page's language.
 */
import { BADGE_TAG, assignedSlot, clipText, flatTreeParent, pageLocale } from '../crm/dom';
import { MAX_LEAD_NAME_LENGTH, type ScoreOutcome } from '../messaging/protocol';
import { EXTENSION_RELOADED } from './navigation';
import type { Reason, ScoredLead } from '../messaging/protocol';
import {
  COULD_NOT_SCORE,
  MADE_UP_LEADS_MODEL_WORDS,
  DIRECTION_LOOK,
  convertedInWords,
  EVERYTHING_PURGED,
  REASONS_HEADING,
  TIER_LOOK,
  describeLikelihood,
  fewSignalsInWords,
  formatModelDay,
  notOnPageInWords,
  planOutcomeInWords,
  reasonInWords,
  topReasons,
  type Direction,
} from '../presentation';

export interface BadgeHandle {
  host: HTMLElement;
  show(outcome: ScoreOutcome): void;
  /** LeadLens knows nothing about this record: a neutral marker that says how to fix it, never a score. */
  showUnknown(): void;
  /** The lead's name changed where the badge sits (renamed in place, the row reused): its accessible names say the new one; '' for none. */
  setLeadName(name: string): void;
  /** Its button has the focus, or had it as the badge left the page (removed with the CRM's title or row). */
  hasFocus(): boolean;
  /** Focus on its button, without scrolling the page to it. */
  focus(): void;
  remove(): void;
}

interface BadgeOptions {
  /** Smaller, for list rows. */
  compact?: boolean;
  /**
   * The lead's name as the page shows it (list rows), or what else tells it apart: tells the badges
   * apart for screen readers, and a floating badge shows it too. Text only.
   */
  leadName?: string;
}

const SCORING = 'Scoring this lead…';
const SCORING_WAIT =
  'Its score and the reasons for it appear here as soon as they are ready. The first lead after the browser starts takes a little longer.';

/**
 * Only what scores a row of a real org's list: the lead opened (the score from its page is kept a while)
 * or a connection to this org or portal. Imported CSV leads and demo data never serve a real org's rows.
 */
const NOT_SCORED_YET =
  'LeadLens has no data on this lead yet: open the lead to score it from its page. To score whole lists, an admin connects LeadLens to this org or portal under CRM connections in the LeadLens options.';

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

/** The attributes that have a CRM value read in the page's language, not in LeadLens's English: none where the page names none. */
function inPageLanguage(doc: Document): Record<string, string> {
  const lang = pageLocale(doc, undefined);
  return lang ? { lang } : {};
}

/** Between the badge and its popover: a transparent margin of the panel inside the popover's box, so the pointer can cross it (WCAG 1.4.13). */
const POPOVER_GAP_PX = 6;
/** Kept clear between the popover and the window's edges. */
const VIEWPORT_MARGIN_PX = 8;
/** The popover's width, narrower only in a narrower window. */
const POPOVER_WIDTH_PX = 350;
/** A popover opened by hovering stays this long after the pointer leaves: coming back (or onto the popover) keeps it open. */
const HOVER_CLOSE_DELAY_MS = 300;

// `all: initial` leaves `direction` as the page's: the host's inline-start margin is on the name's side.
// `flex: none`: where the title is a flex item beside the badge, the name gives way, not the badge.
// The popover is anchored to its badge's button (each badge's shadow root scopes the anchor name): in the
// area below or above it (`position-area`, flipped by `flip-block`), on the side with more room
// (`most-height`), inside the window sideways. Its height is capped by that area, not by the window, so a
// long explanation scrolls inside the panel rather than running off the screen (the panel is a flex item
// that shrinks to the cap). The gap stays on the badge's side when flipped (anchored container query,
// Chrome 143+; before, it falls on the far side).
// The badge's border is transparent, outside the box its colour fills (negative margin, background in the padding box):
// unseen and taking no room, until forced colours (Windows high contrast) drop the tier colour and draw it, so the badge
// still looks like a button. (A compact badge has no block padding to make room for it.) The tier colour is set as
// `background-color` alone, which keeps that clip. A tier whose fill is too pale to mark the badge's edge on a light page
// (warm: `TIER_LOOK` edge) colours that border, set inline as the fill is, which forced colours replace all the same.
// A lead not scored yet has its dashed border in its room, as before.
// A list row's (compact) badge is small to fit the row; its popover reads at a record page's size.
const STYLE = `
:host { all: initial; display: inline-block; vertical-align: middle; margin-inline-start: 8px; flex: none; unicode-bidi: isolate;
  font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
:host([data-leadlens-floating]) { position: fixed; inset-inline-end: 16px; bottom: 16px; margin: 0; }
:host([data-leadlens-compact]) { margin-inline-start: 6px; }
:host([data-leadlens-compact]) .badge { font-size: 11px; padding-block: 0; padding-inline: 4px 6px; }
:host([data-leadlens-state="unknown"]) .badge { background: #f3f3f3; color: #555; font-weight: 400; border: 1px dashed #999; margin: 0; }
.badge { display: inline-flex; align-items: center; gap: 4px; border: 1px solid transparent; margin: -1px; border-radius: 999px;
  padding-block: 2px; padding-inline: 8px 10px;
  font: inherit; font-weight: 600; cursor: pointer; background: #e0e0e0 padding-box; color: #1a1a1a; anchor-name: --leadlens-badge; }
.badge:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
.lead-name { max-width: 15em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 400;
  padding-inline-end: 4px; border-inline-end: 1px solid currentColor; margin-inline-end: 2px; }
.score { font-variant-numeric: tabular-nums; padding-inline-start: 4px; border-inline-start: 1px solid currentColor; margin-inline-start: 2px; }
.popover { position: fixed; position-anchor: --leadlens-badge; inset: auto; position-area: block-end span-all;
  left: clamp(${VIEWPORT_MARGIN_PX}px, anchor(left), 100% - ${POPOVER_WIDTH_PX + VIEWPORT_MARGIN_PX}px); position-try-fallbacks: flip-block; position-try-order: most-height;
  container-type: anchored; margin: 0; box-sizing: border-box; width: ${POPOVER_WIDTH_PX}px; max-width: calc(100% - ${2 * VIEWPORT_MARGIN_PX}px);
  max-height: calc(100% - ${VIEWPORT_MARGIN_PX}px); display: flex; flex-direction: column;
  padding: 0; border: 0; background: transparent; overflow: visible; color: inherit; font: inherit; }
.popover[hidden] { display: none; }
.panel { background: #fff; color: #1a1a1a; border: 1px solid #c9c9c9; border-radius: 8px; box-shadow: 0 6px 24px rgba(0,0,0,.18);
  padding: 12px 14px; font-weight: 400; min-height: 0; overflow: auto;
  margin-block: ${POPOVER_GAP_PX}px 0; }
@container anchored(fallback: flip-block) { .panel { margin-block: 0 ${POPOVER_GAP_PX}px; } }
.title { font-size: 14px; font-weight: 700; margin: 0 0 4px; }
.converted { font-weight: 600; margin: 0 0 6px; }
.section-label { font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; color: #555; margin: 10px 0 4px; }
ul, ol { list-style: none; margin: 0; padding: 0; }
li { margin: 3px 0; display: flex; gap: 6px; }
.arrow { flex: none; width: 1em; font-weight: 700; }
.up .arrow { color: #2e7d32; } .down .arrow { color: #c62828; }
.value { color: #333; overflow-wrap: anywhere; }
.plan-outcome { margin: 0 0 2px; }
.plan { list-style: decimal; padding-inline-start: 1.6em; } .plan li { display: list-item; overflow-wrap: anywhere; }
.meta { color: #666; font-size: 11px; margin: 10px 0 0; }
.error { color: #8a1c1c; }
.status { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
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

const HEADING = /^h[1-6]$/;

/** The popover's title: a paragraph styled as one, not a heading (see the top of this file). */
const popoverTitle = (...children: Child[]) => el('p', { class: 'title' }, ...children);

/** Whether `element`'s box cuts what overflows it sideways (an inline box has no overflow of its own). */
function clipsOverflow(element: Element): boolean {
  const style = element.ownerDocument.defaultView?.getComputedStyle(element);
  if (!style || style.display === 'inline' || style.display === 'contents') return false;
  // happy-dom computes the `overflow` shorthand only.
  const overflow = style.overflowX || style.overflow.split(' ')[0];
  return overflow !== '' && overflow !== 'visible';
}

/**
 * What clips a record title to its line (SLDS `slds-truncate`): the outermost of the title and the
 * elements around it, up to its heading, that cut their overflow. Null when none does, or when the
 * anchor is in no heading (a list row's cell).
 */
function clippingTitleBox(title: Element): Element | null {
  const upToHeading: Element[] = [];
  for (let element: Element | null = title; element; element = flatTreeParent(element)) {
    upToHeading.push(element);
    if (HEADING.test(element.localName) || element.getAttribute('role') === 'heading') {
      return upToHeading.filter(clipsOverflow).at(-1) ?? null;
    }
  }
  return null;
}

/**
 * Mount a badge (loading state) at the end of `anchor` (the record title, so it sits on the
 * name's line whether the title is inline or a block), or floating at the window's corner.
 * A title that clips what overflows its line gets the badge right after it instead: at its end, a
 * long name would push the badge out of sight (the rep sees no score, and focus lands on a hidden button).
 * Shadow content is not part of the title's text, so reading the name is unaffected.
 */
export function mountBadge(doc: Document, anchor: Element | null, options: BadgeOptions = {}): BadgeHandle {
  const host = doc.createElement(BADGE_TAG);
  host.setAttribute('data-leadlens-state', 'loading');
  if (options.compact) host.setAttribute('data-leadlens-compact', '');
  const clipping = anchor && clippingTitleBox(anchor);
  if (clipping) clipping.after(host);
  else if (anchor) {
    anchor.append(host);
    // A shadow host (a native-shadow LWC such as lightning-formatted-name) shows a child only
    // through a slot of its shadow tree: without one the badge would be there but never seen.
    if (anchor.shadowRoot && !assignedSlot(host)) anchor.after(host);
  } else {
    host.setAttribute('data-leadlens-floating', '');
    doc.body.append(host);
  }
  const asName = (name: string | undefined) => clipText(name?.trim() ?? '', MAX_LEAD_NAME_LENGTH) || null;
  let leadName = asName(options.leadName);
  const theLead = () => leadName ?? 'this lead';
  // A floating badge may sit over another lead's page or a list: it shows whose score it is.
  const nameTag = anchor === null && leadName ? el('span', { class: 'lead-name', ...inPageLanguage(doc) }, leadName) : null;
  /**
   * What the button says, begun by the words it shows, as it shows them (WCAG 2.5.3 Label in Name: a voice user says
   * "click Hot 91"): the lead's name where it shows it (floating), then `shown`, then `meaning` of the lead, named there
   * (telling a list's many badges apart) unless the button shows the name already. `shown` is null where `meaning`
   * begins with what the button shows ("LeadLens").
   */
  const inWords = (shown: string | null, meaning: (lead: string) => string) => {
    const nameShown = nameTag ? leadName : null;
    const words = [nameShown, shown].filter((part) => part !== null).join(', ');
    const said = meaning(nameShown ? 'this lead' : theLead());
    return words ? `${words}: ${said}` : said;
  };
  /** Names the button and the popover for what they say now, with the lead's current name; each state sets its own. */
  let nameParts: () => void = () => undefined;
  const root = host.attachShadow({ mode: 'open' });
  const button = el('button', { class: 'badge', type: 'button', dir: 'ltr', lang: 'en', 'aria-expanded': 'false', 'aria-controls': 'leadlens-popover' });
  /**
   * What the button shows: whose badge it is when floating, then `content`, a space between each part. The flex button
   * draws no space (its gap and borders set them apart), but its text is "Warm 79", as its name begins (WCAG 2.5.3), not "Warm79".
   */
  const showOnButton = (...content: (Node | string)[]) =>
    button.replaceChildren(...[...(nameTag ? [nameTag] : []), ...content].flatMap((part, i) => (i === 0 ? [part] : [' ', part])));
  showOnButton('LeadLens …');
  // Hover and focus open it while the lead is being scored too: it says so, rather than open empty.
  const panel = el('div', { class: 'panel' }, popoverTitle(SCORING), el('p', {}, SCORING_WAIT));
  const popover = el('div', { class: 'popover', id: 'leadlens-popover', dir: 'ltr', lang: 'en', role: 'region', hidden: '' }, panel);
  // Says a result as it arrives, where the rep is on this badge: a screen reader hears of no change to a button's name.
  const status = el('span', { class: 'status', role: 'status', lang: 'en' });
  // Unnamed: a group's own name would join the heading's, as its content does not.
  root.append(el('style', {}, STYLE), el('span', { role: 'group' }, button, popover, status));
  // Emptied once the rep leaves the badge or dismisses its popover: left there, browse mode would read the result twice (the button's name, then this).
  const popoverState = wirePopover(host, button, popover, () => (status.textContent = ''));
  /**
   * The button had the focus when it last came or went, unless it went while the badge stayed. Chromium blurs an
   * element being removed while it is still connected: whether that blur was the removal is known once it is done.
   */
  let hadFocus = false;
  /** The button has the focus now, as its own focus and blur say (however many badges a list has, each knows its own). */
  let focusedNow = false;
  button.addEventListener('focus', () => {
    hadFocus = focusedNow = true;
  });
  button.addEventListener('blur', () => {
    focusedNow = false;
    queueMicrotask(() => {
      hadFocus = !host.isConnected;
    });
  });
  /** Names the button by `buttonLabel` and the popover by `popoverName`, now and when the lead's name changes. */
  const nameBy = (buttonLabel: () => string, popoverName: () => string) => {
    nameParts = () => {
      button.setAttribute('aria-label', buttonLabel());
      popover.setAttribute('aria-label', popoverName());
    };
    nameParts();
  };
  nameBy(() => inWords(null, (lead) => `LeadLens is scoring ${lead}`), () => `LeadLens is scoring ${theLead()}`);
  /**
   * A result: the button says it (`says`, then how to see why) and the popover is named by `popoverName`. It is read out
   * only where the rep is, the button focused or the popover open: a list's many badges answering keep quiet.
   */
  const sayResult = (says: () => string, popoverName: () => string) => {
    nameBy(() => `${says()} Show why.`, popoverName);
    status.textContent = focusedNow || !popover.hidden ? says() : '';
  };
  /** The popover's answer in place of what it said before (scoring, or an earlier answer), placed after the badge's new look. */
  const explain = (content: Node[]) => panel.replaceChildren(...content);
  /** No tier: no tier attributes, no tier colours (the badge's own neutral look). */
  const clearTierLook = (state: 'error' | 'unknown') => {
    host.setAttribute('data-leadlens-state', state);
    for (const name of ['tier', 'score', 'probability', 'model']) host.removeAttribute(`data-leadlens-${name}`);
    for (const property of ['background-color', 'color', 'border-color']) button.style.removeProperty(property);
  };

  return {
    host,
    show(outcome) {
      if (outcome.ok) {
        const { lead } = outcome;
        const look = TIER_LOOK[lead.tier];
        host.setAttribute('data-leadlens-state', 'scored');
        host.setAttribute('data-leadlens-tier', lead.tier);
        host.setAttribute('data-leadlens-score', String(lead.score));
        host.setAttribute('data-leadlens-probability', String(lead.probability));
        host.setAttribute('data-leadlens-model', lead.modelId);
        button.style.backgroundColor = look.colour;
        button.style.color = look.text;
        if (look.edge) button.style.borderColor = look.edge;
        else button.style.removeProperty('border-color');
        showOnButton(tierIcon(look.icon), el('span', {}, look.word), el('span', { class: 'score' }, String(lead.score)));
        sayResult(
          () => inWords(`${look.word} ${lead.score}`, (whom) => `LeadLens scores ${whom} ${lead.score} of 99, a ${look.word.toLowerCase()} lead.`),
          () => `Why LeadLens scored ${theLead()} so`,
        );
        explain(scoredPopover(lead, inPageLanguage(doc)));
      } else {
        clearTierLook('error');
        showOnButton(el('span', { 'aria-hidden': 'true' }, '⚠'), el('span', {}, 'LeadLens'));
        sayResult(
          () => inWords(null, (whom) => `LeadLens could not score ${whom}.`),
          () => `Why LeadLens could not score ${theLead()}`,
        );
        explain(errorPopover(outcome.error));
      }
    },
    showUnknown() {
      clearTierLook('unknown');
      showOnButton(el('span', {}, 'Not scored yet'));
      sayResult(() => inWords('Not scored yet', (whom) => `LeadLens has no data on ${whom} yet.`), () => `Why LeadLens has not scored ${theLead()} yet`);
      explain([popoverTitle('Not scored yet'), el('p', {}, NOT_SCORED_YET)]);
    },
    setLeadName(name) {
      leadName = asName(name);
      if (nameTag) {
        nameTag.textContent = leadName ?? '';
        nameTag.hidden = leadName === null;
      }
      nameParts();
    },
    hasFocus: () => (host.isConnected ? root.activeElement === button : hadFocus),
    focus: () => button.focus({ preventScroll: true }),
    remove() {
      popoverState.close(); // a badge removed while open leaves no listener on the page
      host.remove();
    },
  };
}

/**
 * `mount`'s new badge in place of `previous` (removed here, if the CRM has not already): a rep whose focus was on the
 * old badge finds it on the new one rather than back at the top of the page, unless the focus has moved on since.
 */
export function replaceBadge(previous: BadgeHandle | null | undefined, mount: () => BadgeHandle): BadgeHandle {
  const hadFocus = previous?.hasFocus() ?? false;
  previous?.remove();
  const badge = mount();
  const { activeElement, body } = badge.host.ownerDocument;
  if (hadFocus && (activeElement === null || activeElement === body)) badge.focus();
  return badge;
}

/** The Popover API's methods, where the browser has them (Chromium 114+). */
interface TopLayerElement extends HTMLElement {
  showPopover(): void;
  hidePopover(): void;
}

const hasPopoverApi = (element: HTMLElement): element is TopLayerElement =>
  typeof (element as Partial<TopLayerElement>).showPopover === 'function' &&
  typeof (element as Partial<TopLayerElement>).hidePopover === 'function';

/**
 * How to close the LeadLens popover open in each document: at most one is. Opening another closes it, so a popover left
 * open by the pointer resting on one badge cannot cover the badges the keyboard then moves on to (WCAG 2.4.11).
 */
const openPopovers = new WeakMap<Document, () => void>();

/**
 * Hover or keyboard focus opens the popover while there (it stays open while either lasts:
 * the pointer on the badge or its popover, or the focus on the button). A click with the pointer
 * or an assistive technology pins it open and a second one closes it; Enter or Space (a click
 * from the keyboard) shows or hides it. The focus moving into it (Tab into a panel that scrolls)
 * pins it too. Escape (anywhere), a click outside the badge or the focus
 * moving on from the badge to another element closes it. Leaving by pointer closes after a short delay, so the pointer can move onto
 * the popover. When the browser hides it (the CRM moved or removed the badge), it is closed for good too. Another badge's
 * popover opening (however it opens) closes it, pinned or not.
 * `onLeft` is called whenever it is left closed: the focus gone from the button, the pointer gone, or dismissed.
 */
function wirePopover(host: HTMLElement, button: HTMLElement, popover: HTMLElement, onLeft: () => void): { close(): void } {
  const doc = host.ownerDocument;
  const root = button.getRootNode();
  const topLayer = hasPopoverApi(popover) ? popover : null;
  // Manual: LeadLens decides when it closes (no light dismiss of other popovers on the page).
  topLayer?.setAttribute('popover', 'manual');
  let pinned = false;
  let hovered = false;
  let focused = false;
  /** The focus is in the popover (a panel that scrolls), not on the button. */
  let focusInPopover = false;
  let open = false;
  /** An Enter or Space on the button whose click is still to come (browsers click after the key's own event). */
  let keyActivated = false;
  let leaveTimer: ReturnType<typeof setTimeout> | undefined;

  const onOutsidePointer = (event: Event) => {
    if (!event.composedPath().includes(host)) dismiss();
  };
  /** Only while open: closing the popover is all that Escape does, the CRM does not also close its modal or editor under it. */
  const onEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    dismissReturningFocus();
    event.stopPropagation();
  };
  /**
   * A popover leaves the top layer when its element leaves the document, even if the CRM puts the
   * row straight back (a re-sort), and without a toggle event; the pointer that was on it gets no
   * mouseleave. Unless closed here too, the button would say expanded over nothing and the next
   * hover or click would do nothing.
   */
  const onMaybeHiddenByBrowser = () => {
    if (open && topLayer && !topLayer.matches(':popover-open')) dismiss();
  };
  /** While open: hidden silently, the popover's box goes from its size to none. Made on first opening (a list has a badge per row). */
  let sizeChanges: ResizeObserver | undefined;

  const setOpen = (next: boolean) => {
    if (next === open) return;
    open = next;
    popover.hidden = !next;
    button.setAttribute('aria-expanded', String(next));
    if (next) {
      openPopovers.get(doc)?.();
      openPopovers.set(doc, dismissReturningFocus);
      try {
        topLayer?.showPopover();
      } catch {
        // Not connected (the CRM removed the badge): nothing to show it in.
      }
      if (topLayer) (sizeChanges ??= new ResizeObserver(onMaybeHiddenByBrowser)).observe(popover);
      doc.addEventListener('pointerdown', onOutsidePointer, true);
      doc.addEventListener('keydown', onEscape, true);
    } else {
      try {
        topLayer?.hidePopover();
      } catch {
        // Already hidden (removed from the document).
      }
      sizeChanges?.unobserve(popover);
      if (openPopovers.get(doc) === dismissReturningFocus) openPopovers.delete(doc);
      doc.removeEventListener('pointerdown', onOutsidePointer, true);
      doc.removeEventListener('keydown', onEscape, true);
    }
  };
  /** Opens or closes it as the rep is on the badge or not; closed, the rep has left the badge or dismissed it (`onLeft`). */
  const update = () => {
    setOpen(pinned || hovered || focused);
    if (!open) onLeft();
  };
  /** On to another element (Tab, a click in a field), not to none (a click on the popover's own text, another window). */
  const leavesForAnotherElement = (to: EventTarget | null) => to instanceof Node && to !== host && !root.contains(to);
  /** Closed until the next hover, focus or click (Escape, a click outside, the second click, the browser hiding it). */
  function dismiss() {
    clearTimeout(leaveTimer);
    leaveTimer = undefined;
    pinned = false;
    hovered = false;
    focused = false;
    update();
  }
  /** Dismissed by Escape or by another badge's popover opening: the focus in the popover goes back to the button, or hidden with it, it would drop to the top of the page. */
  function dismissReturningFocus() {
    if (focusInPopover) button.focus({ preventScroll: true });
    dismiss();
  }

  popover.addEventListener('toggle', (event) => {
    if ((event as ToggleEvent).newState === 'closed') onMaybeHiddenByBrowser();
  });
  host.addEventListener('mouseenter', () => {
    clearTimeout(leaveTimer);
    leaveTimer = undefined;
    hovered = true;
    update();
  });
  host.addEventListener('mouseleave', () => {
    clearTimeout(leaveTimer);
    leaveTimer = setTimeout(() => {
      leaveTimer = undefined;
      hovered = false;
      update();
    }, HOVER_CLOSE_DELAY_MS);
  });
  button.addEventListener('focus', () => {
    focused = true;
    update();
  });
  // Browsers click the button after Enter's press and Space's release reach it; once a key is up, an Enter's click came or never will.
  button.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') keyActivated = true;
  });
  button.addEventListener('keyup', (event) => {
    keyActivated = event.key === ' ';
  });
  button.addEventListener('blur', (event) => {
    const to = event.relatedTarget;
    keyActivated = false;
    // Into the popover: it stays open, pinned by its focusin.
    if (to instanceof Node && popover.contains(to)) return;
    // On to another element: left open, the popover would cover where the focus went.
    // To none (a click on the popover's own text), a popover pinned by the pointer stays.
    if (leavesForAnotherElement(to)) dismiss();
    else {
      focused = false;
      update();
    }
  });
  // The focus in it (Tab from the button, or back from the page while hovered): it stays open for the keyboard to scroll it,
  // whatever the pointer does, until the focus moves on from the badge (back to the button, it stays) or another badge's
  // popover opens, which closes it and sends the focus back to its button (`dismissReturningFocus`).
  popover.addEventListener('focusin', () => {
    focusInPopover = true;
    focused = false;
    pinned = true;
    update();
  });
  popover.addEventListener('focusout', (event) => {
    focusInPopover = false;
    if (leavesForAnotherElement(event.relatedTarget)) dismiss();
  });
  button.addEventListener('click', (event) => {
    // A click from the keyboard (Enter, Space) comes with the focus, which opened the popover: it shows or hides it.
    // The pointer's comes with hover, which opened it too: the first pins it for when the pointer leaves, the second
    // closes it. Any other click counts as the pointer's: an assistive technology's (a screen reader's Enter in browse mode, a
    // voice command) focuses the button, which opens it, then clicks with no pointer (detail 0) and no key.
    const fromKey = event.detail === 0 && keyActivated;
    keyActivated = false;
    const closes = fromKey ? open : pinned;
    if (closes) dismiss();
    else {
      pinned = true;
      update();
    }
  });
  return { close: dismiss };
}

/** `crmLanguage`: the attributes of a CRM value, read in the page's language (`inPageLanguage`). */
function scoredPopover(lead: Extract<ScoreOutcome, { ok: true }>['lead'], crmLanguage: Record<string, string>): Node[] {
  const look = TIER_LOOK[lead.tier];
  const { up, down } = topReasons(lead.reasons);
  const fewSignals = fewSignalsInWords(lead.featuresKnown, lead.featuresTotal);
  return [
    popoverTitle(tierIcon(look.icon), ` ${look.word} lead · score ${lead.score} of 99`),
    // Before all it says of the score: a rep is not to chase a customer (the reply then has no plan to make it hotter).
    lead.converted && el('p', { class: 'converted' }, ...convertedInWords(lead.converted, (value) => el('bdi', { class: 'value', ...crmLanguage }, value))),
    el('p', { class: 'likelihood' }, describeLikelihood(lead.probability, lead.baseRate, lead.tiers)),
    fewSignals !== null && el('p', { class: 'few-signals' }, fewSignals),
    up.length > 0 && el('p', { class: 'section-label' }, REASONS_HEADING.up),
    up.length > 0 && reasonList(up, 'up', crmLanguage),
    down.length > 0 && el('p', { class: 'section-label' }, REASONS_HEADING.down),
    down.length > 0 && reasonList(down, 'down', crmLanguage),
    lead.hotter && el('p', { class: 'section-label' }, HOTTER_HEADING),
    lead.hotter && hotterPlan(lead.hotter),
    el('p', { class: 'meta' }, `${modelInWords(lead)} · ${lead.featuresKnown} of ${lead.featuresTotal} signals known`),
  ].filter((node): node is HTMLElement => node instanceof Node);
}

/** The model that scored `lead`: one learnt from made-up leads (the default one, or one trained on demo leads) said to be, as a rep could take its score for one learnt from theirs. */
function modelInWords(lead: Extract<ScoreOutcome, { ok: true }>['lead']): string {
  return lead.modelLearntFromMadeUpLeads ? `Scored by ${MADE_UP_LEADS_MODEL_WORDS}` : `Model of ${formatModelDay(lead.modelCreatedAt, lead.modelDatedByData)}`;
}

/** `reasons` all go `direction` (one side of `topReasons`). */
function reasonList(reasons: Reason[], direction: Direction, crmLanguage: Record<string, string>): HTMLElement {
  return el(
    'ul',
    { class: direction },
    ...reasons.map((reason) => {
      const { label, value, effect } = reasonInWords(reason);
      return el(
        'li',
        { 'data-leadlens-reason': direction },
        el('span', { class: 'arrow', 'aria-hidden': 'true' }, DIRECTION_LOOK[direction].arrow),
        el(
          'span',
          {},
          el('strong', {}, label),
          ': ',
          // isolated: a right-to-left or direction-control character in a CRM value cannot reorder the words after it
          el('bdi', { class: 'value', ...crmLanguage }, value),
          ` (${effect})`,
        ),
      );
    }),
  );
}

/** Over the popover's plan: the side panel has the plan in full, with the odds before and after. */
const HOTTER_HEADING = 'What would make it hotter';

/**
 * The lead's plan (`ScoredLead.hotter`): whether it reaches the tier it aims at, as the side panel
 * says it, and its changes as text, in the side panel's words, their CRM values isolated already.
 */
function hotterPlan({ targetTier, reaches, changes, notOnPage }: NonNullable<ScoredLead['hotter']>): HTMLElement {
  const outcome = planOutcomeInWords(reaches, changes.length);
  return el(
    'div',
    { class: 'hotter' },
    el('p', { class: 'plan-outcome' }, `${outcome.before}${TIER_LOOK[targetTier].word}${outcome.after}:`),
    // numbered, as in the side panel: a change can start from what the one before it brings (a first page seen brings a visit)
    el('ol', { class: 'plan' }, ...changes.map((change) => el('li', { 'data-leadlens-hotter': '' }, change))),
    notOnPage !== undefined && el('p', { class: 'plan-not-on-page' }, notOnPageInWords(notOnPage)),
  );
}

function errorPopover(message: string): Node[] {
  return [popoverTitle(COULD_NOT_SCORE), el('p', { class: 'error' }, message)];
}

/**
 * The browser's words when a content script cannot reach the background: the extension was
 * reloaded or updated under the page ("Extension context invalidated."), or its service worker
 * could not take the message ("Could not establish connection. Receiving end does not exist.").
 */
const CONTEXT_GONE = /Extension context invalidated/i;
const NO_RECEIVER = /Could not establish connection|Receiving end does not exist/i;
export const BACKGROUND_UNREACHABLE = 'LeadLens could not be reached just now: reload this page to see scores again.';

/**
 * What a page's badges say as its features end with `reason` while the rep stays on the page (the
 * extension reloaded, "Purge everything"), rather than vanish; null when the rep left the page.
 */
export function noticeAtEnd(reason: unknown): string | null {
  return reason === EXTENSION_RELOADED || reason === EVERYTHING_PURGED ? reason : null;
}

/** What a badge shows when the background could not answer: the reason, as an outcome, in a rep's words where the browser's are not. */
export function failedOutcome(error: unknown): Extract<ScoreOutcome, { ok: false }> {
  const message = error instanceof Error ? error.message : String(error);
  if (CONTEXT_GONE.test(message)) return { ok: false, error: EXTENSION_RELOADED };
  if (NO_RECEIVER.test(message)) return { ok: false, error: BACKGROUND_UNREACHABLE };
  return { ok: false, error: message };
}

/**
 * Whether a DOM change is the CRM's: every change but nodes added or removed that are all our
 * own badges (mounting a badge is no reason to look again: that would loop).
 */
export function isCrmChange(record: MutationRecord): boolean {
  return record.type !== 'childList' || ![...record.addedNodes, ...record.removedNodes].every((node) => node.nodeName.toLowerCase() === BADGE_TAG);
}
