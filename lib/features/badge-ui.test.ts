// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScoredLead } from '../messaging/protocol';
import { MADE_UP_LEADS_MODEL_WORDS, TIER_LOOK, fewSignalsInWords } from '../presentation';
import { assignedSlot } from '../crm/dom';
import { BACKGROUND_UNREACHABLE, failedOutcome, mountBadge, replaceBadge, type BadgeHandle } from './badge-ui';
import { EXTENSION_RELOADED } from './navigation';
import { stubResizeObservers, type StubbedSizeObserver } from '@/test/resize-observers';
import { inTimeZone } from '@/test/time-zone';

const HOSTILE = '<img src=x onerror=alert(1)>';

const lead: ScoredLead = {
  probability: 0.3,
  score: 91,
  tier: 'hot',
  baseRate: 0.1,
  tiers: { hot: 0.25, warm: 0.1 },
  reasons: [
    { label: 'Job title seniority', value: HOSTILE, points: 1.2 },
    { label: 'Web visits', value: '14', points: 0.5 },
    { label: 'Days since last activity', value: '40 days', points: -0.7 },
  ],
  featuresKnown: 12,
  featuresTotal: 16,
  modelId: 'demo',
  modelCreatedAt: '2026-11-01T00:00:00.000Z',
  modelLearntFromMadeUpLeads: false,
};

beforeEach(() => {
  document.body.innerHTML = '<h1 id="title">Ada Lovelace</h1>';
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** The region the badge's button controls (`aria-controls`, inside the badge's shadow root). */
function popoverOf(host: HTMLElement) {
  const controls = host.shadowRoot!.querySelector('button')!.getAttribute('aria-controls')!;
  return host.shadowRoot!.getElementById(controls)!;
}

/** A click with the pointer (Enter and Space click with detail 0, as happy-dom's `click()` does). */
function clickWithPointer(button: HTMLElement) {
  button.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, cancelable: true, detail: 1 }));
}
/** A click with no pointer (detail 0): the browser's own after Enter or Space, or an assistive technology's. */
function clickWithoutPointer(button: HTMLElement) {
  button.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, cancelable: true, detail: 0 }));
}
const key = (button: HTMLElement, type: 'keydown' | 'keyup', name: string) =>
  button.dispatchEvent(new KeyboardEvent(type, { key: name, bubbles: true, composed: true }));
/** Enter on the focused button, in the browser's order: the click follows its press. */
function pressEnter(button: HTMLElement) {
  key(button, 'keydown', 'Enter');
  clickWithoutPointer(button);
  key(button, 'keyup', 'Enter');
}
/** Space on the focused button, in the browser's order: the click follows its release. */
function pressSpace(button: HTMLElement) {
  key(button, 'keydown', ' ');
  key(button, 'keyup', ' ');
  clickWithoutPointer(button);
}
/** Chromium's click for an assistive technology (a screen reader's Enter in browse mode, a voice command): it focuses the button, then clicks with no pointer and no key. */
function clickByAssistiveTechnology(button: HTMLElement) {
  button.focus();
  clickWithoutPointer(button);
}

/** A badge mounted in the title showing the scored lead: its button and its popover. */
function scoredBadge() {
  const badge = mountBadge(document, document.getElementById('title'));
  badge.show({ ok: true, lead });
  return { badge, button: badge.host.shadowRoot!.querySelector('button')!, popover: popoverOf(badge.host) };
}

describe('badge', () => {
  it('sits at the end of the record title and carries tier and score', () => {
    const badge = mountBadge(document, document.getElementById('title'));
    badge.show({ ok: true, lead });
    expect(document.getElementById('title')!.lastElementChild).toBe(badge.host);
    // The name read from the title is unchanged: badge content lives in the shadow root.
    expect(document.getElementById('title')!.textContent).toBe('Ada Lovelace');
    expect(badge.host.getAttribute('data-leadlens-tier')).toBe('hot');
    expect(badge.host.getAttribute('data-leadlens-score')).toBe('91');
    expect(badge.host.hasAttribute('data-leadlens-floating')).toBe(false);
    const button = badge.host.shadowRoot!.querySelector('button')!;
    // Tier is never colour alone: a word and an accessible name say it.
    expect(button.textContent).toContain('Hot');
    // Its word and score apart in its text too, as its name says them, not "Hot91".
    expect(button.textContent!.trim()).toBe('Hot 91');
    // Begun by the words it shows (WCAG 2.5.3 Label in Name): a voice user says “click Hot 91”.
    expect(button.getAttribute('aria-label')).toBe('Hot 91: LeadLens scores this lead 91 of 99, a hot lead. Show why.');
  });

  it('floats at a corner when there is no anchor', () => {
    const badge = mountBadge(document, null);
    expect(badge.host.parentElement).toBe(document.body);
    expect(badge.host.hasAttribute('data-leadlens-floating')).toBe(true);
  });

  it('shows field values as text, never as markup', () => {
    const badge = mountBadge(document, document.getElementById('title'));
    badge.show({ ok: true, lead });
    const popover = popoverOf(badge.host);
    expect(popover.textContent).toContain(HOSTILE);
    expect(popover.querySelector('img')).toBeNull();
  });

  it('lists reasons up and down, strongest first, with the likelihood', () => {
    const badge = mountBadge(document, null);
    badge.show({ ok: true, lead });
    const popover = popoverOf(badge.host);
    expect(popover.textContent).toContain('30% likely to convert, 3× the average lead');
    const up = [...popover.querySelectorAll('[data-leadlens-reason="up"]')].map((li) => li.textContent);
    const down = [...popover.querySelectorAll('[data-leadlens-reason="down"]')].map((li) => li.textContent);
    expect(up).toHaveLength(2);
    expect(up[0]).toContain('Job title seniority');
    expect(up[0]).toContain('strongly raises the odds');
    expect(down).toEqual(['▼Days since last activity: 40 days (moderately lowers the odds)']);
  });

  it('says beside the likelihood of a lead with under half its signals known that its score rests on what is missing, and nothing of one known enough', () => {
    const badge = mountBadge(document, null);
    badge.show({ ok: true, lead: { ...lead, featuresKnown: 2, featuresTotal: 10 } });
    const note = popoverOf(badge.host).querySelector('.few-signals');
    expect(note?.textContent).toBe(fewSignalsInWords(2, 10));
    expect(note!.previousElementSibling!.className).toBe('likelihood');
    badge.show({ ok: true, lead });
    expect(popoverOf(badge.host).querySelector('.few-signals')).toBeNull();
  });

  it('says what would make a lead hotter after its reasons, each change as text, and whether the changes reach the next tier', () => {
    const badge = mountBadge(document, null);
    const hotter = { targetTier: 'hot' as const, reaches: true, changes: ['Web visits: \u206814\u2069 → \u206820\u2069 (odds ×1.8)', `Lead source: \u2068${HOSTILE}\u2069 → \u2068Referral\u2069 (odds ×1.3)`] };
    badge.show({ ok: true, lead: { ...lead, tier: 'warm', hotter } });
    const popover = popoverOf(badge.host);
    const labels = [...popover.querySelectorAll('.section-label')].map((label) => label.textContent);
    expect(labels).toEqual(['Raising the score', 'Lowering the score', 'What would make it hotter']);
    expect(popover.querySelector('.plan-outcome')!.textContent).toBe('These changes would make it Hot:');
    expect([...popover.querySelectorAll('[data-leadlens-hotter]')].map((li) => li.textContent)).toEqual(hotter.changes);
    // CRM values in a change are text, never markup.
    expect(popover.querySelector('img')).toBeNull();
    // The plan sits before the model's line, its changes numbered as the side panel numbers them: one can start where the one before leaves the lead.
    const plan = popover.querySelector('.plan')!;
    expect(plan.tagName).toBe('OL');
    expect(plan.compareDocumentPosition(popover.querySelector('.meta')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    expect(popover.querySelector('.plan-not-on-page')).toBeNull();

    // Scored from a page that hides some fields a rep could change: the plan says it left them out, as the side panel does.
    const notOnPage = ['\u2068Website visits\u2069', `\u2068${HOSTILE}\u2069`];
    badge.show({ ok: true, lead: { ...lead, tier: 'cold', hotter: { targetTier: 'warm', reaches: false, changes: [hotter.changes[0]], notOnPage } } });
    expect(popoverOf(badge.host).querySelector('.plan-outcome')!.textContent).toBe('The change that helps most would not make it Warm, only raise it:');
    expect(popoverOf(badge.host).querySelector('.plan-not-on-page')!.textContent).toBe(`Not suggested, as this page does not show them: ${notOnPage.join(', ')}.`);
    expect(popoverOf(badge.host).querySelector('img')).toBeNull();
  });

  it('says first of a contact converted already that it is, its value as text, with no plan; the score stays, for reference', () => {
    const badge = mountBadge(document, null);
    // As the background answers a HubSpot customer: its lifecycle stage, and no plan to make it hotter (the reply has none: score-lead-converted.test.ts).
    badge.show({ ok: true, lead: { ...lead, converted: { field: 'Lifecycle stage', value: 'Customer' } } });
    const popover = popoverOf(badge.host);
    const said = popover.querySelector('.converted')!;
    expect(said.textContent).toBe('Already converted: Lifecycle stage is Customer. The score is shown for reference.');
    // Next after the title, before the likelihood and the reasons.
    expect(said.previousElementSibling?.className).toBe('title');
    expect(popover.querySelector('.title')!.textContent).toBe(' Hot lead · score 91 of 99');
    expect(said.nextElementSibling?.className).toBe('likelihood');
    // The CRM's value is text, isolated.
    badge.show({ ok: true, lead: { ...lead, converted: { field: 'Status', value: HOSTILE } } });
    expect(popoverOf(badge.host).querySelector('.converted bdi.value')!.textContent).toBe(HOSTILE);
    expect(popoverOf(badge.host).querySelector('img')).toBeNull();
    // Salesforce's IsConverted, a checkbox, as its page shows one: checked, not "is true".
    badge.show({ ok: true, lead: { ...lead, converted: { field: 'Converted', value: 'true' } } });
    expect(popoverOf(badge.host).querySelector('.converted')!.textContent).toBe('Already converted: the Converted box is checked. The score is shown for reference.');
    // A lead still to work: as before, no such line.
    badge.show({ ok: true, lead });
    expect(popoverOf(badge.host).querySelector('.converted')).toBeNull();
    expect(popoverOf(badge.host).textContent).not.toContain('Already converted');
  });

  it('says nothing of making a lead hotter when the reply has no plan (a hot lead, a list row, a score cached before)', () => {
    const badge = mountBadge(document, null);
    badge.show({ ok: true, lead });
    const popover = popoverOf(badge.host);
    expect(popover.textContent).not.toContain('hotter');
    expect(popover.querySelector('.plan')).toBeNull();
  });

  it('says a score is LeadLens’s default model’s, learnt from made-up leads, and another model’s by its date', () => {
    const badge = mountBadge(document, null);
    badge.show({ ok: true, lead: { ...lead, modelLearntFromMadeUpLeads: true } });
    expect(popoverOf(badge.host).querySelector('.meta')!.textContent).toBe(`Scored by ${MADE_UP_LEADS_MODEL_WORDS} · 12 of 16 signals known`);
    badge.show({ ok: true, lead });
    expect(popoverOf(badge.host).querySelector('.meta')!.textContent).toBe('Model of Nov 1, 2026 · 12 of 16 signals known');
  });

  it('dates a command-line model by its data as the data wrote it, wherever the rep is, as the options page does', async () => {
    const badge = mountBadge(document, null);
    const modelOf = (modelDatedByData: boolean) => {
      badge.show({ ok: true, lead: { ...lead, modelCreatedAt: '2026-11-29T23:30:00.000Z', modelDatedByData } });
      return popoverOf(badge.host).querySelector('.meta')!.textContent;
    };
    await inTimeZone('Pacific/Auckland', () => {
      expect(modelOf(true)).toBe('Model of Nov 29, 2026 · 12 of 16 signals known');
      // A model trained here is of the rep's own day.
      expect(modelOf(false)).toBe('Model of Nov 30, 2026 · 12 of 16 signals known');
    });
  });

  it('words the likelihood by the thresholds the lead was scored with: a warm lead under "hot from 50 %" does not read "50 %"', () => {
    const badge = mountBadge(document, null);
    badge.show({ ok: true, lead: { ...lead, probability: 0.4996, tier: 'warm', tiers: { hot: 0.5, warm: 0.1 } } });
    const popover = popoverOf(badge.host);
    expect(popover.querySelector('.title')!.textContent).toContain('Warm lead');
    expect(popover.querySelector('.likelihood')!.textContent).toBe('49.96% likely to convert, 5× the average lead');
  });

  it('isolates each field value, so a direction override in it cannot reverse LeadLens\'s own words', () => {
    const overridden = { label: 'Title seniority', value: 'VP Sales \u202Eeulav eurt eht ton si siht', points: 1.3 };
    const badge = mountBadge(document, null);
    badge.show({ ok: true, lead: { ...lead, reasons: [overridden] } });
    const reason = popoverOf(badge.host).querySelector('[data-leadlens-reason="up"]')!;
    const value = reason.querySelector('bdi')!;
    expect(value.textContent).toBe(overridden.value);
    // LeadLens's words are outside the isolated value: the override ends where the value does
    const text = value.parentElement!;
    expect(text.firstElementChild!.textContent).toBe('Title seniority');
    expect(value.nextSibling!.textContent).toBe(' (strongly raises the odds)');
    expect(value.nextSibling!.parentNode).toBe(text);
  });

  it('opens on keyboard focus and closes on Escape', () => {
    const badge = mountBadge(document, null);
    badge.show({ ok: true, lead });
    const button = badge.host.shadowRoot!.querySelector('button')!;
    const popover = popoverOf(badge.host);
    expect(popover.hidden).toBe(true);
    button.dispatchEvent(new FocusEvent('focus'));
    expect(popover.hidden).toBe(false);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    badge.host.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(popover.hidden).toBe(true);
  });

  it('says the lead is being scored when opened before the answer, rather than open an empty box', () => {
    const badge = mountBadge(document, null, { compact: true, leadName: 'Ada Lovelace' });
    const button = badge.host.shadowRoot!.querySelector('button')!;
    const popover = popoverOf(badge.host);
    button.dispatchEvent(new FocusEvent('focus'));
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(popover.hidden).toBe(false);
    expect(popover.querySelector('.title')!.textContent).toBe('Scoring this lead…');
    expect(popover.getAttribute('aria-label')).toBe('LeadLens is scoring Ada Lovelace');
    // The answer takes its place in the open popover, and the region is named for what it now says.
    badge.show({ ok: true, lead });
    expect(popover.hidden).toBe(false);
    expect(popover.textContent).not.toContain('Scoring this lead');
    expect(popover.querySelector('.title')!.textContent).toContain('Hot lead · score 91 of 99');
    expect(popover.getAttribute('aria-label')).toBe('Why LeadLens scored Ada Lovelace so');
  });

  it('names the popover for what it says: no score yet, or a score that failed, is not "why it scored so"', () => {
    const badge = mountBadge(document, null, { compact: true, leadName: 'Ada Lovelace' });
    const popover = popoverOf(badge.host);
    badge.showUnknown();
    expect(popover.getAttribute('aria-label')).toBe('Why LeadLens has not scored Ada Lovelace yet');
    badge.show({ ok: false, error: 'The model could not be loaded.' });
    expect(popover.getAttribute('aria-label')).toBe('Why LeadLens could not score Ada Lovelace');
    badge.show({ ok: true, lead });
    expect(popover.getAttribute('aria-label')).toBe('Why LeadLens scored Ada Lovelace so');
  });

  it('names the lead anew when its name changes where the badge sits, whatever the badge says; with no name, it names none', () => {
    document.body.innerHTML = '<table><tr><td id="cell"><a href="#">Ada Byron</a></td></tr></table>';
    const badge = mountBadge(document, document.getElementById('cell'), { compact: true, leadName: 'Ada Byron' });
    const button = badge.host.shadowRoot!.querySelector('button')!;
    const popover = popoverOf(badge.host);
    badge.setLeadName('Ada Lovelace');
    expect(button.getAttribute('aria-label')).toBe('LeadLens is scoring Ada Lovelace');
    expect(popover.getAttribute('aria-label')).toBe('LeadLens is scoring Ada Lovelace');
    badge.show({ ok: true, lead });
    badge.setLeadName('Grace Hopper');
    expect(button.getAttribute('aria-label')).toBe('Hot 91: LeadLens scores Grace Hopper 91 of 99, a hot lead. Show why.');
    expect(popover.getAttribute('aria-label')).toBe('Why LeadLens scored Grace Hopper so');
    badge.showUnknown();
    expect(button.getAttribute('aria-label')).toBe('Not scored yet: LeadLens has no data on Grace Hopper yet. Show why.');
    badge.show({ ok: false, error: 'The model could not be loaded.' });
    badge.setLeadName('');
    expect(button.getAttribute('aria-label')).toBe('LeadLens could not score this lead. Show why.');
    expect(popover.getAttribute('aria-label')).toBe('Why LeadLens could not score this lead');
    // What the popover explains stays as it was: only the names change.
    expect(popover.textContent).toContain('The model could not be loaded.');
  });

  it('says how a lead not scored yet gets a score on a real org’s pages: open it, or connect this org or portal (a CSV or the demo data never score its rows)', () => {
    const badge = mountBadge(document, null, { compact: true, leadName: 'Ada Lovelace' });
    badge.showUnknown();
    const advice = popoverOf(badge.host).querySelector('p:not(.title)')!.textContent!;
    expect(advice).toContain('open the lead to score it from its page');
    expect(advice).toContain('connects LeadLens to this org or portal under CRM connections');
    expect(advice).not.toMatch(/CSV|demo/i);
  });

  it('a click pins it open, a second click closes it; Escape anywhere or a click outside closes a pinned one', () => {
    const { badge, button, popover } = scoredBadge();
    const leave = () => badge.host.dispatchEvent(new MouseEvent('mouseleave'));
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    clickWithPointer(button);
    leave();
    expect(popover.hidden).toBe(false); // pinned
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    clickWithPointer(button);
    expect(popover.hidden).toBe(true);
    expect(button.getAttribute('aria-expanded')).toBe('false');

    clickWithPointer(button);
    leave();
    document.getElementById('title')!.dispatchEvent(new MouseEvent('pointerdown', { bubbles: true, composed: true }));
    expect(popover.hidden).toBe(true);

    clickWithPointer(button);
    leave();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(popover.hidden).toBe(true);
    expect(popover.getAttribute('aria-label')).toBeTruthy();
  });

  it('from the keyboard, Enter or Space hides what the focus showed and shows it again, the button saying so each time', () => {
    const { button, popover } = scoredBadge();
    button.focus();
    expect(button.getAttribute('aria-expanded')).toBe('true');
    pressEnter(button);
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(popover.hidden).toBe(true);
    pressSpace(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(popover.hidden).toBe(false);
    pressSpace(button);
    expect(button.getAttribute('aria-expanded')).toBe('false');
    pressEnter(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
  });

  it('an assistive technology’s click on a badge without the focus opens it and leaves it open, as a pointer’s pins it; a second one closes it', () => {
    document.body.insertAdjacentHTML('beforeend', '<button id="edit">Edit</button>');
    document.getElementById('edit')!.focus();
    const { button, popover } = scoredBadge();
    clickByAssistiveTechnology(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(popover.hidden).toBe(false);
    clickByAssistiveTechnology(button);
    expect(button.getAttribute('aria-expanded')).toBe('false');
  });

  it('takes a key released without its click for no keyboard click: a later assistive technology’s click still opens the badge', () => {
    const { button } = scoredBadge();
    button.focus();
    key(button, 'keydown', 'Enter'); // the page stopped its click
    key(button, 'keyup', 'Enter');
    clickByAssistiveTechnology(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
  });

  it('closes when the focus moves on to another element, pinned or not, rather than cover where the focus went', () => {
    document.body.insertAdjacentHTML('beforeend', '<button id="edit">Edit</button>');
    const { badge, button, popover } = scoredBadge();
    const edit = document.getElementById('edit')!;
    // Pinned by a click, which focused the button; then Tab.
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    button.focus();
    clickWithPointer(button);
    badge.host.dispatchEvent(new MouseEvent('mouseleave'));
    edit.focus();
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(popover.hidden).toBe(true);
    // Shown again by Enter after hiding it; then Tab.
    button.focus();
    pressEnter(button);
    pressEnter(button);
    expect(popover.hidden).toBe(false);
    edit.focus();
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(popover.hidden).toBe(true);
  });

  it('stays pinned by the pointer when the focus goes to nothing: a click on the popover’s own text', () => {
    const { badge, button, popover } = scoredBadge();
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    button.focus();
    clickWithPointer(button);
    badge.host.dispatchEvent(new MouseEvent('mouseleave'));
    button.dispatchEvent(new FocusEvent('blur', { relatedTarget: null }));
    expect(popover.hidden).toBe(false);
  });

  describe('where its panel scrolls (a large zoom) and the browser makes it focusable, for the keyboard to scroll it', () => {
    /** The scored badge with its panel focusable, as Chromium makes a box that scrolls; and a field on the page after it. */
    function scrollingBadge() {
      document.body.insertAdjacentHTML('beforeend', '<button id="edit">Edit</button>');
      const scored = scoredBadge();
      const panel = scored.popover.querySelector<HTMLElement>('.panel')!;
      panel.tabIndex = 0;
      return { ...scored, panel, edit: document.getElementById('edit')! };
    }

    it('keeps open what the focus opened as Tab moves it into the panel, and closes as the focus moves on to the page', () => {
      const { button, popover, panel, edit } = scrollingBadge();
      button.focus();
      panel.focus();
      expect(popover.hidden).toBe(false);
      expect(button.getAttribute('aria-expanded')).toBe('true');
      edit.focus();
      expect(popover.hidden).toBe(true);
      expect(button.getAttribute('aria-expanded')).toBe('false');
    });

    it('closes one the pointer pinned as Tab moves on from its panel, rather than cover where the focus went', () => {
      const { badge, button, popover, panel, edit } = scrollingBadge();
      badge.host.dispatchEvent(new MouseEvent('mouseenter'));
      button.focus();
      clickWithPointer(button);
      badge.host.dispatchEvent(new MouseEvent('mouseleave'));
      panel.focus();
      expect(popover.hidden).toBe(false);
      edit.focus();
      expect(popover.hidden).toBe(true);
    });

    it('stays open as the focus goes back to the button, and while the focus is in it, whatever the pointer does', async () => {
      vi.useFakeTimers();
      const { badge, button, popover, panel, edit } = scrollingBadge();
      // Shown by hovering; Shift+Tab from the page lands in the panel, then the pointer leaves.
      edit.focus();
      badge.host.dispatchEvent(new MouseEvent('mouseenter'));
      panel.focus();
      badge.host.dispatchEvent(new MouseEvent('mouseleave'));
      await vi.advanceTimersByTimeAsync(1000);
      expect(popover.hidden).toBe(false);
      button.focus();
      expect(popover.hidden).toBe(false);
      edit.focus();
      expect(popover.hidden).toBe(true);
    });

    it('gives the focus back to the button as Escape closes it, rather than drop it to the top of the page', () => {
      const { badge, button, popover, panel } = scrollingBadge();
      const focusCalls = vi.spyOn(button, 'focus');
      button.focus();
      panel.focus();
      key(panel, 'keydown', 'Escape');
      expect(popover.hidden).toBe(true);
      expect(badge.host.shadowRoot!.activeElement).toBe(button);
      expect(focusCalls).toHaveBeenLastCalledWith({ preventScroll: true });
    });
  });

  describe('leaves at most one popover open on a page: another opening closes it, rather than cover the badge the rep is on now (WCAG 2.4.11)', () => {
    /** Two scored badges in a list's rows, a field on the page after them. */
    function twoRows() {
      document.body.innerHTML = '<table><tr><td id="a">Ada</td></tr><tr><td id="b">Grace</td></tr></table><button id="edit">Edit</button>';
      const [first, second] = ['a', 'b'].map((id) => {
        const badge = mountBadge(document, document.getElementById(id), { compact: true });
        badge.show({ ok: true, lead });
        return { badge, button: badge.host.shadowRoot!.querySelector('button')!, popover: popoverOf(badge.host) };
      });
      return { first, second, edit: document.getElementById('edit')! };
    }

    it('closes the one the pointer rests on as the keyboard focus opens the next row’s, and leaves it closed as the focus moves on', () => {
      const { first, second, edit } = twoRows();
      first.badge.host.dispatchEvent(new MouseEvent('mouseenter'));
      expect(first.popover.hidden).toBe(false);
      second.button.focus();
      expect(second.popover.hidden).toBe(false);
      expect(first.popover.hidden).toBe(true);
      expect(first.button.getAttribute('aria-expanded')).toBe('false');
      edit.focus();
      expect(second.popover.hidden).toBe(true);
      expect(first.popover.hidden).toBe(true);
      // The pointer coming onto it again opens it again.
      first.badge.host.dispatchEvent(new MouseEvent('mouseleave'));
      first.badge.host.dispatchEvent(new MouseEvent('mouseenter'));
      expect(first.popover.hidden).toBe(false);
    });

    it('closes a pinned one too, as another opens by hovering or by an assistive technology’s click', () => {
      const { first, second } = twoRows();
      first.badge.host.dispatchEvent(new MouseEvent('mouseenter'));
      clickWithPointer(first.button);
      first.badge.host.dispatchEvent(new MouseEvent('mouseleave'));
      second.badge.host.dispatchEvent(new MouseEvent('mouseenter'));
      expect(first.popover.hidden).toBe(true);
      expect(second.popover.hidden).toBe(false);
      second.badge.host.dispatchEvent(new MouseEvent('mouseleave'));
      clickByAssistiveTechnology(first.button);
      expect(first.popover.hidden).toBe(false);
      expect(second.popover.hidden).toBe(true);
    });

    it('gives the focus back to the button of one closed with the focus in its panel (one that scrolls), rather than drop it to the top of the page', () => {
      const { first, second } = twoRows();
      const panel = first.popover.querySelector<HTMLElement>('.panel')!;
      panel.tabIndex = 0;
      first.button.focus();
      panel.focus();
      second.badge.host.dispatchEvent(new MouseEvent('mouseenter'));
      expect(first.popover.hidden).toBe(true);
      expect(first.badge.host.shadowRoot!.activeElement).toBe(first.button);
      expect(second.popover.hidden).toBe(false);
    });

    it('counts the popovers of each page apart: one open in another document stays', () => {
      const { first } = twoRows();
      const otherPage = document.implementation.createHTMLDocument('Other CRM tab');
      otherPage.body.innerHTML = '<h1 id="title">Grace Hopper</h1>';
      const elsewhere = mountBadge(otherPage, otherPage.getElementById('title'));
      elsewhere.show({ ok: true, lead });
      elsewhere.host.dispatchEvent(new MouseEvent('mouseenter'));
      first.badge.host.dispatchEvent(new MouseEvent('mouseenter'));
      expect(popoverOf(elsewhere.host).hidden).toBe(false);
      expect(first.popover.hidden).toBe(false);
    });
  });

  describe('says a result as it arrives to a screen reader, where the rep is on the badge', () => {
    const statusOf = (badge: ReturnType<typeof mountBadge>) => badge.host.shadowRoot!.querySelector('[role="status"]');

    it('with the focus on its button: the words its button says, without how to see why', () => {
      const badge = mountBadge(document, document.getElementById('title'), { leadName: 'Ada Lovelace' });
      // Present from the start, empty: a live region added with its words is not read out.
      expect(statusOf(badge)!.textContent).toBe('');
      badge.focus();
      badge.show({ ok: true, lead });
      expect(statusOf(badge)!.textContent).toBe('Hot 91: LeadLens scores Ada Lovelace 91 of 99, a hot lead.');
      badge.showUnknown();
      expect(statusOf(badge)!.textContent).toBe('Not scored yet: LeadLens has no data on Ada Lovelace yet.');
      badge.show({ ok: false, error: 'The model could not be loaded.' });
      expect(statusOf(badge)!.textContent).toBe('LeadLens could not score Ada Lovelace.');
    });

    it('with its popover open by hovering, or its button focused with the popover closed; not a badge of the list the rep is not on', () => {
      vi.useFakeTimers();
      document.body.innerHTML = '<table><tr><td id="a">Ada</td></tr><tr><td id="b">Grace</td></tr></table>';
      const first = mountBadge(document, document.getElementById('a'), { compact: true });
      const second = mountBadge(document, document.getElementById('b'), { compact: true });
      first.host.dispatchEvent(new MouseEvent('mouseenter'));
      first.show({ ok: false, error: 'timed out' });
      second.show({ ok: false, error: 'timed out' });
      expect(statusOf(first)!.textContent).toBe('LeadLens could not score this lead.');
      expect(statusOf(second)!.textContent).toBe('');
      // The pointer gone from the first, the focus on the second, its popover closed by Escape.
      first.host.dispatchEvent(new MouseEvent('mouseleave'));
      vi.advanceTimersByTime(1000);
      second.focus();
      key(second.host.shadowRoot!.querySelector('button')!, 'keydown', 'Escape');
      expect(popoverOf(second.host).hidden).toBe(true);
      first.show({ ok: true, lead });
      second.showUnknown();
      expect(statusOf(first)!.textContent).toBe('');
      expect(statusOf(second)!.textContent).toBe('Not scored yet: LeadLens has no data on this lead yet.');
    });

    /** What the rep does with the badge, and `elsewhere` on the page. */
    type Step = (badge: BadgeHandle, elsewhere: HTMLElement) => void;
    // Left there, browse mode would read the result twice: the button's name, then the status after it.
    it.each<[string, Step, Step]>([
      ['the focus moves on from its button to the page', (badge) => badge.focus(), (_badge, elsewhere) => elsewhere.focus()],
      [
        'the focus moves on from its panel (one that scrolls) to the page',
        (badge) => {
          const panel = popoverOf(badge.host).querySelector<HTMLElement>('.panel')!;
          panel.tabIndex = 0;
          badge.focus();
          panel.focus();
        },
        (_badge, elsewhere) => elsewhere.focus(),
      ],
      ['Escape closes its popover', (badge) => badge.focus(), (badge) => key(badge.host.shadowRoot!.querySelector('button')!, 'keydown', 'Escape')],
      [
        'the pointer that opened it leaves',
        (badge) => badge.host.dispatchEvent(new MouseEvent('mouseenter')),
        (badge) => {
          badge.host.dispatchEvent(new MouseEvent('mouseleave'));
          vi.advanceTimersByTime(1000);
        },
      ],
    ])('says it no more once %s', (_how, comeOnto, leave) => {
      vi.useFakeTimers();
      document.body.insertAdjacentHTML('beforeend', '<button id="edit">Edit</button>');
      const elsewhere = document.getElementById('edit')!;
      const badge = mountBadge(document, document.getElementById('title'));
      comeOnto(badge, elsewhere);
      badge.show({ ok: false, error: 'HubSpot did not answer' });
      expect(statusOf(badge)!.textContent).toBe('LeadLens could not score this lead.');
      leave(badge, elsewhere);
      expect(popoverOf(badge.host).hidden).toBe(true);
      expect(statusOf(badge)!.textContent).toBe('');
    });
  });

  it('keeps the Escape that closes it from the page (a CRM modal under it stays); one with nothing to close reaches the page', () => {
    const { button, popover } = scoredBadge();
    const reachedPage = vi.fn();
    document.getElementById('title')!.addEventListener('keydown', reachedPage);
    const escape = () => button.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    button.focus();
    escape();
    expect(popover.hidden).toBe(true);
    expect(reachedPage).not.toHaveBeenCalled();
    escape();
    expect(reachedPage).toHaveBeenCalledTimes(1);
  });

  it('puts no heading inside the CRM’s title heading it sits in: its title and section labels are text styled as such', () => {
    const { badge, popover } = scoredBadge();
    const headingsIn = (shown: typeof badge) => shown.host.shadowRoot!.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]');
    expect(headingsIn(badge)).toHaveLength(0);
    expect(popover.querySelector('.title')!.textContent).toBe(' Hot lead · score 91 of 99');
    expect([...popover.querySelectorAll('.section-label')].map((label) => label.textContent)).toEqual(['Raising the score', 'Lowering the score']);
    const scoring = mountBadge(document, null);
    expect(headingsIn(scoring)).toHaveLength(0);
    expect(scoring.host.shadowRoot!.querySelector('.title')!.textContent).toBe('Scoring this lead…');
    for (const show of [() => badge.showUnknown(), () => badge.show({ ok: false, error: 'timed out' })]) {
      show();
      expect(headingsIn(badge)).toHaveLength(0);
      expect(popover.querySelector('.title')!.textContent).toMatch(/^(Not scored yet|LeadLens could not score this lead)$/);
    }
  });

  it('says what went wrong instead of showing a score, without the previous tier\'s look', () => {
    const badge = mountBadge(document, null);
    badge.show({ ok: true, lead });
    badge.show({ ok: false, error: 'The model manifest is invalid: tiers.hot: expected number' });
    expect(badge.host.getAttribute('data-leadlens-state')).toBe('error');
    expect(badge.host.hasAttribute('data-leadlens-tier')).toBe(false);
    expect(badge.host.hasAttribute('data-leadlens-probability')).toBe(false);
    expect(badge.host.shadowRoot!.querySelector('button')!.style.background).toBe('');
    expect(badge.host.shadowRoot!.querySelector('button')!.style.backgroundColor).toBe('');
    expect(popoverOf(badge.host).textContent).toContain('The model manifest is invalid');
  });
  it('is a disclosure: the button controls a labelled region and says whether it is open; no dialog without focus management', () => {
    const { badge, button, popover } = scoredBadge();
    expect(badge.host.shadowRoot!.querySelector('[role="dialog"]')).toBeNull();
    expect(popover.getAttribute('role')).toBe('region');
    expect(popover.getAttribute('aria-label')).toBeTruthy();
    expect(button.getAttribute('aria-expanded')).toBe('false');
    button.dispatchEvent(new FocusEvent('focus'));
    expect(button.getAttribute('aria-expanded')).toBe('true');
    // Focus stays on the button: opening moves it nowhere.
    expect(popover.contains(badge.host.shadowRoot!.activeElement)).toBe(false);
  });

  it('stays open while the pointer crosses from the badge to its popover (WCAG 1.4.13 hoverable)', async () => {
    vi.useFakeTimers();
    const badge = mountBadge(document, document.getElementById('title'));
    badge.show({ ok: true, lead });
    const popover = popoverOf(badge.host);
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    expect(popover.hidden).toBe(false);
    // Off the badge, over the space between badge and popover…
    badge.host.dispatchEvent(new MouseEvent('mouseleave'));
    await vi.advanceTimersByTimeAsync(100);
    expect(popover.hidden).toBe(false);
    // …onto the popover (part of the badge's shadow tree): it stays.
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(popover.hidden).toBe(false);
    // Leaving for good closes it.
    badge.host.dispatchEvent(new MouseEvent('mouseleave'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(popover.hidden).toBe(true);
  });

  it('keeps a popover open while the button has keyboard focus, whatever the pointer does', async () => {
    vi.useFakeTimers();
    const { badge, button, popover } = scoredBadge();
    button.dispatchEvent(new FocusEvent('focus'));
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    badge.host.dispatchEvent(new MouseEvent('mouseleave'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(popover.hidden).toBe(false);
    button.dispatchEvent(new FocusEvent('blur'));
    expect(popover.hidden).toBe(true);
  });

  it('shows whose score it is when floating, where it may sit over another lead’s page or a list; at a title or in a row the name is beside it', () => {
    const floating = mountBadge(document, null, { leadName: 'Ada Lovelace' });
    const atTitle = mountBadge(document, document.getElementById('title'), { leadName: 'Ada Lovelace' });
    const buttonOf = (badge: typeof floating) => badge.host.shadowRoot!.querySelector('button')!;
    expect(buttonOf(floating).textContent).toContain('Ada Lovelace');
    // Its accessible name begins with the name too, then the words after it, as the button shows them.
    for (const [show, name] of [
      [() => floating.show({ ok: true, lead }), 'Ada Lovelace, Hot 91: LeadLens scores this lead 91 of 99, a hot lead. Show why.'],
      [() => floating.show({ ok: false, error: 'timed out' }), 'Ada Lovelace: LeadLens could not score this lead. Show why.'],
      [() => floating.showUnknown(), 'Ada Lovelace, Not scored yet: LeadLens has no data on this lead yet. Show why.'],
    ] as const) {
      show();
      expect(buttonOf(floating).querySelector('.lead-name')!.textContent).toBe('Ada Lovelace');
      expect(buttonOf(floating).getAttribute('aria-label')).toBe(name);
    }
    atTitle.show({ ok: true, lead });
    expect(buttonOf(atTitle).textContent).not.toContain('Ada Lovelace');
  });

  describe('is named by the words it shows, first and as shown (WCAG 2.5.3 Label in Name: a voice user says “click Hot 91”)', () => {
    /**
     * The words a button shows: its text but what is hidden (a hidden name) or only drawn (an icon), and no punctuation alone (“…”).
     * Its text nodes run on as they are, as axe's label-content-name-mismatch reads them: a space its layout draws is none.
     */
    function wordsShown(button: HTMLElement): string[] {
      const texts: string[] = [];
      const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
      for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        if (!text.parentElement!.closest('[aria-hidden="true"], [hidden]')) texts.push(text.textContent!);
      }
      return texts.join('').split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word));
    }
    const wordsOf = (name: string) => name.split(/[\s,:.]+/).filter(Boolean);

    it.each([
      ['at a record title', () => mountBadge(document, document.getElementById('title'))],
      ['in a list row, named for the row’s lead', () => mountBadge(document, document.getElementById('title'), { compact: true, leadName: 'Ada Lovelace' })],
      ['floating, with the lead’s name shown on it', () => mountBadge(document, null, { leadName: 'Ada Lovelace' })],
    ])('%s, in every state', (_where, mount) => {
      const badge = mount();
      const button = badge.host.shadowRoot!.querySelector('button')!;
      for (const show of [
        () => undefined,
        () => badge.show({ ok: true, lead }),
        () => badge.showUnknown(),
        () => badge.show({ ok: false, error: 'timed out' }),
      ]) {
        show();
        const shown = wordsShown(button);
        expect(shown.length).toBeGreaterThan(0);
        expect(wordsOf(button.getAttribute('aria-label')!).slice(0, shown.length)).toEqual(shown);
      }
    });
  });

  it('reads its words in English on a page in another language, and the CRM’s values in the page’s language', () => {
    document.documentElement.lang = 'de';
    try {
      const badge = mountBadge(document, null, { leadName: 'Jürgen Müller' });
      badge.show({ ok: true, lead: { ...lead, reasons: [{ label: 'Job title seniority', value: 'c-level (Geschäftsführer)', points: 1.2 }] } });
      const root = badge.host.shadowRoot!;
      const popover = popoverOf(badge.host);
      for (const english of [root.querySelector('button')!, popover, root.querySelector('[role="status"]')!]) expect(english.getAttribute('lang')).toBe('en');
      // The lead's name on a floating badge, and the values of the reasons, are the CRM's.
      expect(root.querySelector('.lead-name')!.getAttribute('lang')).toBe('de');
      const value = popover.querySelector('bdi.value')!;
      expect(value.getAttribute('lang')).toBe('de');
      expect(value.textContent).toBe('c-level (Geschäftsführer)');
      // What LeadLens says about it stays English.
      expect(popover.querySelector('li strong')!.closest('[lang]')).toBe(popover);
    } finally {
      document.documentElement.removeAttribute('lang');
    }
  });

  it('gives the CRM’s values no language of its own where the page says none', () => {
    document.documentElement.lang = ' ';
    try {
      const badge = mountBadge(document, null, { leadName: 'Ada Lovelace' });
      badge.show({ ok: true, lead });
      const root = badge.host.shadowRoot!;
      expect(root.querySelector('.lead-name')!.hasAttribute('lang')).toBe(false);
      expect(root.querySelectorAll('bdi.value')).toHaveLength(3);
      expect(root.querySelectorAll('bdi.value[lang]')).toHaveLength(0);
    } finally {
      document.documentElement.removeAttribute('lang');
    }
  });

  it.each([
    ['at a record title', () => mountBadge(document, document.getElementById('title'))],
    ['in a list row', () => mountBadge(document, document.getElementById('title'), { compact: true })],
  ])('%s, still looks like a button in forced colours (Windows high contrast), its border drawn where the tier colour is gone, at its size', (_where, mount) => {
    const badge = mount();
    const button = badge.host.shadowRoot!.querySelector('button')!;
    badge.show({ ok: true, lead });
    const scored = getComputedStyle(button);
    // Transparent until forced colours draw it.
    expect([scored.borderTopWidth, scored.borderTopStyle, scored.borderTopColor]).toEqual(['1px', 'solid', 'transparent']);
    // Outside the box the tier colour fills, taking no room: the badge looks and sits as it would without one.
    expect([scored.marginTop, scored.marginRight, scored.marginBottom, scored.marginLeft]).toEqual(['-1px', '-1px', '-1px', '-1px']);
    expect(scored.backgroundClip).toBe('padding-box');
    expect(scored.backgroundColor).toBe(TIER_LOOK.hot.colour);
    // A lead not scored yet keeps its dashed border, in its room as before.
    badge.showUnknown();
    const unknown = getComputedStyle(button);
    expect([unknown.borderTopWidth, unknown.borderTopStyle, unknown.borderTopColor]).toEqual(['1px', 'dashed', '#999']);
    expect(unknown.marginTop).toBe('0px');
  });

  describe('marks its edge at WCAG 1.4.11’s 3:1 on a white page and on Salesforce’s light grey header, in every tier', () => {
    /** WCAG 2's relative luminance of a `#rrggbb` colour. */
    const relativeLuminance = (hex: string) => {
      const [red, green, blue] = [1, 3, 5].map((at) => {
        const channel = parseInt(hex.slice(at, at + 2), 16) / 255;
        return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
    };
    /** WCAG 2's contrast ratio of two `#rrggbb` colours, 1 to 21. */
    const contrastRatio = (a: string, b: string) => {
      const [lighter, darker] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
      return (lighter + 0.05) / (darker + 0.05);
    };
    const PAGES = { white: '#ffffff', 'Salesforce’s header': '#f3f3f3' };

    it('computes contrast as WCAG does: black on white 21:1, and warm’s amber fill alone too pale (1.97:1)', () => {
      expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 6);
      expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
      expect(contrastRatio(TIER_LOOK.warm.colour, '#ffffff')).toBeCloseTo(1.97, 2);
    });

    it.each(Object.entries(TIER_LOOK))('%s: its edge where it has one, else its fill', (_tier, look) => {
      const boundary = look.edge ?? look.colour;
      for (const page of Object.values(PAGES)) expect(contrastRatio(boundary, page)).toBeGreaterThanOrEqual(3);
    });

    it('draws the warm badge’s edge in its border, at the badge’s size; a hot badge or one not scored yet has its own border again', () => {
      const badge = mountBadge(document, document.getElementById('title'));
      const button = badge.host.shadowRoot!.querySelector('button')!;
      badge.show({ ok: true, lead: { ...lead, tier: 'warm', score: 60 } });
      const warm = getComputedStyle(button);
      expect([warm.borderTopWidth, warm.borderTopStyle, warm.borderTopColor]).toEqual(['1px', 'solid', TIER_LOOK.warm.edge]);
      expect([warm.borderRightColor, warm.borderBottomColor, warm.borderLeftColor]).toEqual(Array(3).fill(TIER_LOOK.warm.edge));
      expect([warm.marginTop, warm.marginRight, warm.marginBottom, warm.marginLeft]).toEqual(['-1px', '-1px', '-1px', '-1px']);
      expect(warm.backgroundColor).toBe(TIER_LOOK.warm.colour);
      badge.show({ ok: true, lead });
      expect(getComputedStyle(button).borderTopColor).toBe('transparent');
      badge.show({ ok: true, lead: { ...lead, tier: 'warm', score: 60 } });
      badge.showUnknown();
      const unknown = getComputedStyle(button);
      expect([unknown.borderTopStyle, unknown.borderTopColor]).toEqual(['dashed', '#999']);
    });
  });

  it('reads left to right on a right-to-left page, its gap to the name on the name’s side', () => {
    document.documentElement.dir = 'rtl';
    try {
      const badge = mountBadge(document, document.getElementById('title'));
      badge.show({ ok: true, lead });
      // LeadLens's words are English: its button and popover read left to right whatever the page's direction.
      expect(badge.host.shadowRoot!.querySelector('button')!.getAttribute('dir')).toBe('ltr');
      expect(popoverOf(badge.host).getAttribute('dir')).toBe('ltr');
      // The host keeps the page's direction, so its spacing is logical: no margin, padding or border on a fixed side.
      const style = badge.host.shadowRoot!.querySelector('style')!.textContent!;
      expect(style).toMatch(/:host \{[^}]*margin-inline-start: 8px/);
      expect(style).not.toMatch(/(margin|padding|border)-(left|right)/);
      expect(style).not.toMatch(/(?<!flex-)direction:/);
    } finally {
      document.documentElement.removeAttribute('dir');
    }
  });

  it('names the lead in the button’s accessible name when told it, as text', () => {
    const ada = mountBadge(document, null, { compact: true, leadName: 'Ada Lovelace' });
    const hostile = mountBadge(document, null, { compact: true, leadName: HOSTILE });
    ada.show({ ok: true, lead });
    hostile.showUnknown();
    const labelOf = (badge: typeof ada) => badge.host.shadowRoot!.querySelector('button')!.getAttribute('aria-label');
    expect(labelOf(ada)).toBe('Ada Lovelace, Hot 91: LeadLens scores this lead 91 of 99, a hot lead. Show why.');
    expect(labelOf(hostile)).toBe(`${HOSTILE}, Not scored yet: LeadLens has no data on this lead yet. Show why.`);
    expect(hostile.host.shadowRoot!.querySelector('img')).toBeNull();
  });

  it('cuts a long name whole: never half of a character written with two UTF-16 units', () => {
    const badge = mountBadge(document, null, { leadName: `${'a'.repeat(199)}😀 b` });
    badge.showUnknown();
    const button = badge.host.shadowRoot!.querySelector('button')!;
    expect(button.querySelector('.lead-name')!.textContent).toBe('a'.repeat(199));
    expect(button.getAttribute('aria-label')).toBe(`${'a'.repeat(199)}, Not scored yet: LeadLens has no data on this lead yet. Show why.`);
  });

  it('ties the popover to its badge by CSS anchor positioning, so it follows the badge wherever the CRM’s layout moves it, not only on scroll', () => {
    // happy-dom has no layout: the Chromium check (rows inserted above an open popover) is the layout's own test.
    document.getElementById('title')!.setAttribute('style', 'overflow: hidden; white-space: nowrap');
    const badge = mountBadge(document, document.getElementById('title'));
    badge.show({ ok: true, lead });
    const popover = popoverOf(badge.host);
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    const style = badge.host.shadowRoot!.querySelector('style')!.textContent!;
    expect(style).toMatch(/\.badge \{[^}]*anchor-name: --leadlens-badge;/);
    // In the window, so a title that clips its overflow cannot cut it; below the badge, above it when there is more room above.
    expect(style).toMatch(/\.popover \{ position: fixed; position-anchor: --leadlens-badge; inset: auto; position-area: block-end span-all;/);
    expect(style).toMatch(/\.popover \{[^}]*left: clamp\(8px, anchor\(left\), 100% - 358px\);[^}]*position-try-fallbacks: flip-block;/);
    // No position of the moment written by script, to go stale when rows are inserted above the badge.
    expect(popover.getAttribute('style')).toBeNull();
  });

  it('shows the popover in the top layer where the browser has the Popover API', () => {
    const shown: Element[] = [];
    const hidden: Element[] = [];
    Object.assign(HTMLElement.prototype, {
      showPopover(this: HTMLElement) {
        shown.push(this);
      },
      hidePopover(this: HTMLElement) {
        hidden.push(this);
      },
    });
    try {
      const badge = mountBadge(document, document.getElementById('title'));
      badge.show({ ok: true, lead });
      const popover = popoverOf(badge.host);
      expect(popover.getAttribute('popover')).toBe('manual');
      badge.host.shadowRoot!.querySelector('button')!.click();
      expect(shown).toEqual([popover]);
      expect(popover.hidden).toBe(false);
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      expect(hidden).toEqual([popover]);
      expect(popover.hidden).toBe(true);
    } finally {
      delete (HTMLElement.prototype as Partial<{ showPopover: unknown; hidePopover: unknown }>).showPopover;
      delete (HTMLElement.prototype as Partial<{ showPopover: unknown; hidePopover: unknown }>).hidePopover;
    }
  });
});

describe('when the browser hides an open popover (the CRM moved or removed its badge)', () => {
  /** Popovers the (stub) browser shows in its top layer. */
  let inTopLayer: Set<Element>;
  /** The callbacks of the ResizeObservers made, with what each observes. */
  let sizeObservers: StubbedSizeObserver[];

  beforeEach(() => {
    inTopLayer = new Set();
    const matches = HTMLElement.prototype.matches;
    Object.assign(HTMLElement.prototype, {
      showPopover(this: HTMLElement) {
        inTopLayer.add(this);
      },
      hidePopover(this: HTMLElement) {
        inTopLayer.delete(this);
      },
    });
    vi.spyOn(HTMLElement.prototype, 'matches').mockImplementation(function (this: HTMLElement, selector: string) {
      return selector === ':popover-open' ? inTopLayer.has(this) : matches.call(this, selector);
    });
    sizeObservers = stubResizeObservers();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    delete (HTMLElement.prototype as Partial<{ showPopover: unknown; hidePopover: unknown }>).showPopover;
    delete (HTMLElement.prototype as Partial<{ showPopover: unknown; hidePopover: unknown }>).hidePopover;
  });

  /** What the browser does when the popover's element leaves the document (even to be put straight back): no toggle event, no mouseleave; its box goes. */
  function hideSilently(popover: HTMLElement) {
    inTopLayer.delete(popover);
    for (const { callback, observed } of sizeObservers) if (observed.has(popover)) callback();
  }

  it('a hovered one: the button no longer says expanded, and the next hover shows it again', () => {
    const { badge, button, popover } = scoredBadge();
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    expect(inTopLayer.has(popover)).toBe(true);
    hideSilently(popover); // the CRM re-sorted the list: the row left and came back under the pointer's feet
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(popover.hidden).toBe(true);
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    expect(inTopLayer.has(popover)).toBe(true);
    expect(button.getAttribute('aria-expanded')).toBe('true');
  });

  it('a pinned one: the first click opens it again, rather than unpin what is no longer shown', () => {
    const { button, popover } = scoredBadge();
    button.click();
    hideSilently(popover);
    button.click();
    expect(inTopLayer.has(popover)).toBe(true);
    expect(button.getAttribute('aria-expanded')).toBe('true');
  });

  it('one the browser hid with a toggle event: closed as the rep sees it', () => {
    const { button, popover } = scoredBadge();
    button.click();
    inTopLayer.delete(popover);
    popover.dispatchEvent(Object.assign(new Event('toggle'), { oldState: 'open', newState: 'closed' }));
    expect(button.getAttribute('aria-expanded')).toBe('false');
    button.click();
    expect(inTopLayer.has(popover)).toBe(true);
  });
});

describe('a badge mounted again in place of another (the CRM re-rendered its title or row)', () => {
  const buttonOf = (badge: ReturnType<typeof mountBadge>) => badge.host.shadowRoot!.querySelector('button')!;
  /** The CRM renders its title anew: the old one goes with its badge, the new one has none. */
  function renderTitleAgain(): HTMLElement {
    const title = document.createElement('h1');
    title.id = 'title';
    title.textContent = 'Ada Lovelace';
    document.getElementById('title')!.replaceWith(title);
    return title;
  }

  it('gives the focus to the new badge, without scrolling, when the old one left the page with it', async () => {
    const focus = vi.spyOn(HTMLElement.prototype, 'focus');
    const old = mountBadge(document, document.getElementById('title'));
    buttonOf(old).focus();
    // Chromium blurs a focused element as it removes it, while it is still connected (happy-dom does not blur it).
    buttonOf(old).dispatchEvent(new FocusEvent('blur'));
    const title = renderTitleAgain();
    await Promise.resolve();
    const badge = replaceBadge(old, () => mountBadge(document, title));
    expect(document.activeElement).toBe(badge.host);
    expect(badge.host.shadowRoot!.activeElement).toBe(buttonOf(badge));
    expect(focus).toHaveBeenLastCalledWith({ preventScroll: true });
  });

  it('gives the focus to the new badge when the old one still had it (floating, now at the title)', () => {
    const old = mountBadge(document, null);
    buttonOf(old).focus();
    const badge = replaceBadge(old, () => mountBadge(document, document.getElementById('title')));
    expect(old.host.isConnected).toBe(false);
    expect(badge.host.shadowRoot!.activeElement).toBe(buttonOf(badge));
  });

  it('leaves the focus where it is when the old badge had lost it, or the rep has moved on since', async () => {
    document.body.insertAdjacentHTML('beforeend', '<button id="edit">Edit</button>');
    const edit = document.getElementById('edit')!;
    const old = mountBadge(document, document.getElementById('title'));
    buttonOf(old).focus();
    edit.focus();
    edit.blur(); // on the page's body, but not from the badge
    await Promise.resolve();
    const unfocused = replaceBadge(old, () => mountBadge(document, renderTitleAgain()));
    expect(document.activeElement).toBe(document.body);

    buttonOf(unfocused).focus();
    const title = renderTitleAgain();
    edit.focus(); // the rep moved on before the badge came back
    replaceBadge(unfocused, () => mountBadge(document, title));
    expect(document.activeElement).toBe(edit);
  });
});

describe('where a badge is mounted', () => {
  /** Whether each step from `element` up to the document is rendered: a shadow host's child only through a slot. */
  function rendered(element: Element): boolean {
    for (let node: Element = element; node.parentElement; node = node.parentElement) {
      if (node.parentElement.shadowRoot && !assignedSlot(node)) return false;
    }
    return element.isConnected;
  }

  it('at the end of a plain title, on the name’s line', () => {
    const badge = mountBadge(document, document.getElementById('title'));
    expect(badge.host.parentElement?.id).toBe('title');
    expect(rendered(badge.host)).toBe(true);
  });

  it('right after a native-shadow title whose shadow tree has no slot, where it is seen', () => {
    document.body.innerHTML = '<h1 id="header"><lightning-formatted-name id="name"></lightning-formatted-name></h1>';
    const name = document.getElementById('name')!;
    name.attachShadow({ mode: 'open' }).innerHTML = '<span>Ada Lovelace</span>';
    const badge = mountBadge(document, name);
    expect(badge.host.previousElementSibling).toBe(name);
    expect(badge.host.parentElement?.id).toBe('header');
    expect(rendered(badge.host)).toBe(true);
  });

  /** A record header laid out as SLDS does: the title cut to one line (`slds-truncate`) in a row that keeps the badge beside it. */
  const CLIPPING_TITLE =
    '<style>.slds-truncate { max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }</style>' +
    '<div id="name-row"><h1 class="slds-page-header__title slds-truncate"><lightning-formatted-name id="name">' +
    'Maximiliana Alexandra Fernández-Hohenzollern de la Cruz-Sigmaringen y Borbón</lightning-formatted-name></h1></div>';

  it('right after a title that clips what overflows its line, so a long name cannot push it out of sight', () => {
    document.body.innerHTML = CLIPPING_TITLE;
    const badge = mountBadge(document, document.getElementById('name'));
    expect(badge.host.previousElementSibling).toBe(document.querySelector('h1'));
    expect(badge.host.parentElement?.id).toBe('name-row');
    expect(document.querySelector('h1')!.contains(badge.host)).toBe(false);
    // Where the title and the badge share a flex row, the name gives way, not the badge.
    expect(badge.host.shadowRoot!.querySelector('style')!.textContent).toMatch(/:host \{[^}]*flex: none/);
  });

  it('right after a heading that is the title itself and clips (HubSpot’s highlight title)', () => {
    document.body.innerHTML = '<div id="card"><h2 id="name" style="overflow: hidden; white-space: nowrap; text-overflow: ellipsis">Ada Lovelace</h2></div>';
    const badge = mountBadge(document, document.getElementById('name'));
    expect(badge.host.previousElementSibling?.id).toBe('name');
    expect(badge.host.parentElement?.id).toBe('card');
  });

  it('in a list row’s cell even when the cell clips: only a title (in a heading) is escaped', () => {
    document.body.innerHTML = '<table><tbody><tr><td id="cell" style="overflow: hidden"><a href="#">Ada Lovelace</a></td></tr></tbody></table>';
    const badge = mountBadge(document, document.getElementById('cell'), { compact: true, leadName: 'Ada Lovelace' });
    expect(badge.host.parentElement?.id).toBe('cell');
  });

  it('inside a shadow host whose shadow tree shows its children through a slot', () => {
    document.body.innerHTML = '<h1><lightning-formatted-text id="name">Ada Lovelace</lightning-formatted-text></h1>';
    const name = document.getElementById('name')!;
    name.attachShadow({ mode: 'open' }).innerHTML = '<b><slot></slot></b>';
    const badge = mountBadge(document, name);
    expect(badge.host.parentElement).toBe(name);
    expect(rendered(badge.host)).toBe(true);
  });
});

describe('failedOutcome', () => {
  it('says in a rep’s words when the background cannot be reached, and keeps LeadLens’s own messages', () => {
    expect(failedOutcome(new Error('Extension context invalidated.'))).toEqual({ ok: false, error: EXTENSION_RELOADED });
    expect(failedOutcome(new Error('Could not establish connection. Receiving end does not exist.'))).toEqual({ ok: false, error: BACKGROUND_UNREACHABLE });
    expect(failedOutcome(new Error('LeadLens scores HubSpot leads on their HubSpot pages only'))).toEqual({ ok: false, error: 'LeadLens scores HubSpot leads on their HubSpot pages only' });
    expect(failedOutcome('timed out')).toEqual({ ok: false, error: 'timed out' });
  });
});
