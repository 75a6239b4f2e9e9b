// @vitest-environment happy-dom
/**
 * Where the waterfall's reasons start, named so that a rep does not take it for the average lead
 * the headline compares the lead with, and measured in a file of its own: Recharts keeps each
 * word's measured width for the page's life, and the other waterfall tests measure every word 0 px.
 */
import { createElement } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import type { Reason } from '@/lib/messaging/protocol';
import { render, type Rendered } from '@/test/render';
import { stubResizeObservers } from '@/test/resize-observers';
import { Waterfall } from '@/components/Waterfall';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const reasons: Reason[] = [{ label: 'Job title', value: 'VP Sales', points: 1.5 }];

it("names the point the reasons start from the model's baseline, whole on two lines in Chrome's narrowest side panel (262 px in the card)", () => {
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(() => 262);
  stubResizeObservers();
  // Recharts wraps the names by the width of their words, measured in a hidden span: 6 px a character here.
  const measure = HTMLElement.prototype.getBoundingClientRect;
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
    return this.id === 'recharts_measurement_span' ? new DOMRect(0, 0, (this.textContent ?? '').length * 6, 14) : measure.call(this);
  });
  rendered = render(createElement(Waterfall, { start: -2, reasons, tiers: { hot: 0.5, warm: 0.1 } }));
  const first = rendered.container.querySelector('.recharts-yAxis-tick-labels text')!;
  // Before: "Starting point", read as the average lead: a lead at 16%, "1.7× the average lead" above the chart, seemed 3× it.
  expect([...first.querySelectorAll('tspan')].map((line) => line.textContent)).toEqual(['Model baseline', '(before fields)']);
  expect(first.parentElement!.querySelector('title')?.textContent).toBe('Model baseline (before fields)');
  expect(rendered.container.querySelector('[role="img"]')!.getAttribute('aria-label')).toMatch(/^From the model baseline of 12% \(before this lead's fields\), /);
});
