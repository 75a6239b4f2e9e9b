// @vitest-environment happy-dom
/**
 * Charts for readers who see them poorly or not at all: every word drawn in a chart reaches
 * 4.5:1 against the white page (WCAG 1.4.3, for the 11 px text of axes and markers), and a
 * chart not drawn yet already says what it shows.
 */
import { act, type ReactElement } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { BarsChart, CurveChart, ticksFromZero } from './Charts';
import { ShapePlot } from './ShapePlot';
import { TierDonut } from './TierDonut';
import { Waterfall } from './Waterfall';

/** Tier thresholds the dots' probabilities are written apart from. */
const TIERS = { hot: 0.5, warm: 0.1 };

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  vi.unstubAllGlobals();
});

/** WCAG's relative luminance of a #rgb or #rrggbb colour. */
function luminance(hex: string): number {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((digit) => digit + digit) : [hex.slice(1, 3), hex.slice(3, 5), hex.slice(5, 7)];
  const [r, g, b] = digits.map((pair) => {
    const channel = parseInt(pair, 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrastOnWhite = (hex: string) => (1 + 0.05) / (luminance(hex) + 0.05);

/** The colour a text is painted in: its own fill or its nearest ancestor's; SVG paints black without one. */
function fillOf(text: Element): string {
  const painted = text.closest('[fill]')?.getAttribute('fill') ?? '#000';
  if (!/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(painted)) throw new Error(`"${text.textContent}" is painted in ${painted}, not a colour this test can measure`);
  return painted;
}

/** The words `chart` draws, once drawn: without an IntersectionObserver, charts draw at once, in turn. */
async function drawnTexts(chart: ReactElement): Promise<Element[]> {
  vi.stubGlobal('IntersectionObserver', undefined);
  rendered = render(chart);
  for (let tries = 0; tries < 50 && !rendered.container.querySelector('svg'); tries++) await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
  return Array.from(rendered.container.querySelectorAll('svg text'));
}

const curve = () => (
  <CurveChart title="Profit" description="profit by threshold" points={[[0, 0], [0.2, 0.6], [1, 1]]} xLabel="Contact threshold %" yLabel="Profit %" markers={[{ label: 'Hot', point: [0.2, 0.6] }]} />
);
const tier = { count: 3, share: 1 / 3, withOutcome: 3, conversionRate: 1 / 3 };
const shape = { axes: [{ labels: ['≤ 10', '> 10', 'missing'], edges: [10] }], scores: [0.2, -0.1, 0] };

it.each<[string, () => ReactElement, string[]]>([
  ['a curve, its axis titles and markers', curve, ['Contact threshold %', 'Profit %', 'Hot', '25']],
  ['a bar chart and its axis titles', () => <BarsChart title="Lift" description="lift by decile" bars={[{ label: 'a', value: 1 }, { label: 'b', value: -2 }]} labelAxisTitle="Decile" valueAxisTitle="Conversion rate" />, ['a', 'b', 'Decile', 'Conversion rate']],
  ['a horizontal bar chart and its axis titles', () => <BarsChart title="Terms" description="terms" bars={[{ label: 'Job title', value: 0.4 }]} horizontal labelAxisTitle="Term" valueAxisTitle="Share" />, ['Job title', 'Term', 'Share']],
  ['a shape function', () => <ShapePlot term={{ features: [0], label: 'Visits', importance: 0.1, shape }} />, ['≤ 10']],
  ['the tier donut', () => <TierDonut stats={{ hot: tier, warm: tier, cold: tier }} />, []],
  ['the waterfall', () => <Waterfall start={-2} reasons={[{ label: 'Job title', value: 'VP Sales', points: 1.5 }]} tiers={TIERS} />, ['Model baseline (before fields)']],
])('%s: every word drawn reaches 4.5:1 on white', async (_, chart, mustDraw) => {
  const texts = await drawnTexts(chart());
  const drawn = texts.map((text) => text.textContent ?? '');
  for (const words of mustDraw) expect(drawn).toContain(words);
  const tooFaint = texts.map((text) => ({ words: text.textContent, fill: fillOf(text), ratio: contrastOnWhite(fillOf(text)) })).filter(({ ratio }) => ratio < 4.5);
  expect(tooFaint).toEqual([]);
});

it.each([false, true])("titles a bar chart's axes, the labels' and the values', whichever way its bars run (horizontal: %s)", async (horizontal) => {
  const texts = await drawnTexts(
    <BarsChart title="Conversion by score decile" description="by decile" bars={[{ label: '1', value: 0.4 }, { label: '2', value: 0.1 }]} horizontal={horizontal} labelAxisTitle="Score decile (1 = highest scores)" valueAxisTitle="Conversion rate" />,
  );
  // A vertical axis's title is turned to run along it.
  const turned = (words: string) => {
    const text = texts.find((drawn) => drawn.textContent === words);
    return text ? (text.getAttribute('transform') ?? '').includes('rotate(-90') : 'not drawn';
  };
  expect([turned('Score decile (1 = highest scores)'), turned('Conversion rate')]).toEqual(horizontal ? [true, false] : [false, true]);
});

it('says what a chart shows before the reader scrolls near enough to draw it', () => {
  // An observer that never reports the chart near: it stays a placeholder.
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      observe() {}
      disconnect() {}
    },
  );
  rendered = render(curve());
  expect(rendered.container.querySelector('svg')).toBeNull();
  expect(rendered.container.querySelector('.draw-when-near')?.textContent).toBe('Profit: drawn when you scroll here');
  expect(rendered.container.querySelector('[role="img"]')?.getAttribute('aria-label')).toBe('Profit: profit by threshold');
});

it('chooses fewer value ticks rather than two that read the same', () => {
  // Whole percents of ticks 0.5 % apart: "0 % | 1 % | 1 % | 2 % | 2 %".
  const wholePercent = (value: number) => `${Math.round(value * 100)} %`;
  expect(ticksFromZero([0.02, 0.001], wholePercent)).toEqual([0, 0.01, 0.02]);
  // Told nothing of their labels, or labels that differ: the most round ticks, up to 6.
  expect(ticksFromZero([0.02, 0.001])).toEqual([0, 0.005, 0.01, 0.015, 0.02]);
  expect(ticksFromZero([0.02, 0.001], (value) => `${value * 100} %`)).toEqual([0, 0.005, 0.01, 0.015, 0.02]);
});
