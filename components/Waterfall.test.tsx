import { expect, it } from 'vitest';
import type { Reason } from '@/lib/messaging/protocol';
import { waterfallSteps } from './Waterfall';

const reason = (label: string, points: number): Reason => ({ label, value: '', points });

it('starts from 0 at the intercept and adds each term in turn, strongest first', () => {
  expect(waterfallSteps(-2, [reason('b', 0.5), reason('a', -1)])).toEqual([
    { label: 'Starting point', range: [0, -2], points: -2 },
    { label: 'a', range: [-2, -3], points: -1 },
    { label: 'b', range: [-3, -2.5], points: 0.5 },
  ]);
});

it('sums the terms after the strongest into one bar that ends at the lead\'s log-odds', () => {
  const reasons = [reason('a', 1), reason('b', -0.5), reason('c', 0.1), reason('d', -0.05), reason('e', 0.2)];
  const steps = waterfallSteps(-1, reasons, 2);
  expect(steps.map((s) => s.label)).toEqual(['Starting point', 'a', 'b', '3 smaller terms']);
  expect(steps[3].points).toBeCloseTo(0.25, 12);
  expect(steps[3].range[1]).toBeCloseTo(-1 + 1 - 0.5 + 0.1 - 0.05 + 0.2, 12);
});

it('draws a single leftover term as itself, not as "1 smaller terms"', () => {
  expect(waterfallSteps(0, [reason('a', 1), reason('b', 0.5), reason('c', 0.1)], 2).map((s) => s.label)).toEqual(['Starting point', 'a', 'b', 'c']);
});
