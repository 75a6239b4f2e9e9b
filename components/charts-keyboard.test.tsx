// @vitest-environment happy-dom
/**
 * Charts are pictures with their numbers in text beside them (a table, a label): none may add
 * a keyboard stop of its own (Recharts' keyboard layer: an unnamed "application" that screen
 * readers switch into focus mode on).
 */
import { act } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { BarsChart, CurveChart } from './Charts';
import { ShapePlot } from './ShapePlot';
import { TierDonut } from './TierDonut';
import { Waterfall } from './Waterfall';

let rendered: Rendered | undefined;
// Without an IntersectionObserver, the options page's charts draw at once, in turn.
beforeEach(() => vi.stubGlobal('IntersectionObserver', undefined));
afterEach(() => {
  rendered?.unmount();
  vi.unstubAllGlobals();
});

const tier = { count: 3, share: 1 / 3, withOutcome: 3, conversionRate: 1 / 3 };
const shape = { axes: [{ labels: ['≤ 10', '> 10', 'missing'], edges: [10] }], scores: [0.2, -0.1, 0] };

it.each([
  ['the tier donut', () => <TierDonut stats={{ hot: tier, warm: tier, cold: tier }} />],
  ['the waterfall', () => <Waterfall start={-2} reasons={[{ label: 'Job title', value: 'VP Sales', points: 1.5 }]} tiers={{ hot: 0.5, warm: 0.1 }} />],
  ['a curve', () => <CurveChart title="ROC" description="ROC curve" points={[[0, 0], [0.2, 0.6], [1, 1]]} xLabel="x" yLabel="y" />],
  ['a bar chart', () => <BarsChart title="Lift" description="Lift by decile" bars={[{ label: 'a', value: 1 }, { label: 'b', value: 2 }]} />],
  ['a shape function', () => <ShapePlot term={{ features: [0], label: 'Visits', importance: 0.1, shape }} />],
])('%s adds no keyboard stop', async (_, element) => {
  rendered = render(element());
  for (let tries = 0; tries < 50 && !rendered.container.querySelector('svg'); tries++) await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
  expect(rendered.container.querySelector('svg')).not.toBeNull();
  expect(rendered.container.querySelectorAll('[tabindex]:not([tabindex="-1"]), [role="application"]')).toHaveLength(0);
});
