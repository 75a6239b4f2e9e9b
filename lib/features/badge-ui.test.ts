// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScoredLead } from '../messaging/protocol';
import { mountBadge } from './badge-ui';

const HOSTILE = '<img src=x onerror=alert(1)>';

const lead: ScoredLead = {
  probability: 0.3,
  score: 91,
  tier: 'hot',
  baseRate: 0.1,
  reasons: [
    { label: 'Job title seniority', value: HOSTILE, points: 1.2 },
    { label: 'Web visits', value: '14', points: 0.5 },
    { label: 'Days since last activity', value: '40 days', points: -0.7 },
  ],
  featuresKnown: 12,
  featuresTotal: 16,
  modelId: 'demo',
  modelCreatedAt: '2026-11-01T00:00:00.000Z',
};

beforeEach(() => {
  document.body.innerHTML = '<h1 id="title">Ada Lovelace</h1>';
});

function popoverOf(host: HTMLElement) {
  return host.shadowRoot!.querySelector<HTMLElement>('[role="dialog"]')!;
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
    expect(button.getAttribute('aria-label')).toBe('LeadLens: hot lead, score 91 of 99. Show why.');
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
    expect(popover.textContent).toContain('30 % likely to convert, 3× the average lead');
    const up = [...popover.querySelectorAll('[data-leadlens-reason="up"]')].map((li) => li.textContent);
    const down = [...popover.querySelectorAll('[data-leadlens-reason="down"]')].map((li) => li.textContent);
    expect(up).toHaveLength(2);
    expect(up[0]).toContain('Job title seniority');
    expect(up[0]).toContain('strongly raises the odds');
    expect(down).toEqual(['▼Days since last activity: 40 days (moderately lowers the odds)']);
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

  it('a click pins it open, a second click closes it; Escape anywhere or a click outside closes a pinned one', () => {
    const badge = mountBadge(document, document.getElementById('title'));
    badge.show({ ok: true, lead });
    const button = badge.host.shadowRoot!.querySelector('button')!;
    const popover = popoverOf(badge.host);
    const leave = () => badge.host.dispatchEvent(new MouseEvent('mouseleave'));
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    button.click();
    leave();
    expect(popover.hidden).toBe(false); // pinned
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    button.click();
    expect(popover.hidden).toBe(true);
    expect(button.getAttribute('aria-expanded')).toBe('false');

    button.click();
    leave();
    document.getElementById('title')!.dispatchEvent(new MouseEvent('pointerdown', { bubbles: true, composed: true }));
    expect(popover.hidden).toBe(true);

    button.click();
    leave();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(popover.hidden).toBe(true);
    expect(popover.getAttribute('aria-label')).toBeTruthy();
  });

  it('says what went wrong instead of showing a score, without the previous tier\'s look', () => {
    const badge = mountBadge(document, null);
    badge.show({ ok: true, lead });
    badge.show({ ok: false, error: 'The model manifest is invalid: tiers.hot: expected number' });
    expect(badge.host.getAttribute('data-leadlens-state')).toBe('error');
    expect(badge.host.hasAttribute('data-leadlens-tier')).toBe(false);
    expect(badge.host.hasAttribute('data-leadlens-probability')).toBe(false);
    expect(badge.host.shadowRoot!.querySelector('button')!.style.background).toBe('');
    expect(popoverOf(badge.host).textContent).toContain('The model manifest is invalid');
  });
});
