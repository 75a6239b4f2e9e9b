// @vitest-environment happy-dom
import { act } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { render, type Rendered } from '@/test/render';
import type { Feature, Term } from '@/lib/ml/manifest';
import { compactTicks, ShapePlot, stepPoints, withClosingPoint } from './ShapePlot';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

it('merges runs of equal contributions into their first bin, keeping the last bin', () => {
  expect(stepPoints(['a', 'b', 'c', 'd', 'e'], [1, 1, 2, 2, 2])).toEqual([
    { label: 'a', value: 1 },
    { label: 'c', value: 2 },
    { label: 'e', value: 2 },
  ]);
});

it('thins a curve that still changes at every bin to at most 200 points, first and last kept', () => {
  const labels = Array.from({ length: 255 }, (_, bin) => `bin ${bin}`);
  const points = stepPoints(labels, labels.map((_, bin) => bin));
  expect(points).toHaveLength(200);
  expect(points[0].label).toBe('bin 0');
  expect(points[199].label).toBe('bin 254');
});

it('closes a step line at its last level', () => {
  expect(withClosingPoint([{ label: '≤ 10', value: 0.2 }, { label: '> 10', value: -0.1 }])).toEqual([
    { label: '≤ 10', value: 0.2 },
    { label: '> 10', value: -0.1 },
    { label: '(end)', value: -0.1 },
  ]);
  expect(withClosingPoint([])).toEqual([]);
});

/** `term`'s shape plot (of the manifest's `features`), once `drawn` (a selector) is in it. */
async function drawnShape(term: Term, drawn: string, features?: Feature[]): Promise<HTMLElement> {
  // Without an IntersectionObserver, charts draw at once, in turn.
  vi.stubGlobal('IntersectionObserver', undefined);
  rendered = render(<ShapePlot term={term} features={features} />);
  for (let tries = 0; tries < 50 && !rendered.container.querySelector(drawn); tries++) await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
  expect(rendered.container.querySelector(drawn)).not.toBeNull();
  return rendered.container;
}

/** A numeric term's shape plot, drawn. */
const drawnNumericShape = () =>
  drawnShape({ features: [0], label: 'Visits', importance: 0.1, shape: { axes: [{ labels: ['≤ 10', '> 10', 'missing'], edges: [10] }], scores: [0.2, -0.5, 0] } }, 'svg');

/** A pair's heat map (Visits in rows, Industry in columns), drawn. */
const drawnPairShape = () =>
  drawnShape(
    {
      features: [0, 1],
      label: 'Visits × Industry',
      importance: 0.05,
      shape: {
        axes: [
          { labels: ['≤ 10', '> 10', 'missing'], edges: [10] },
          { labels: ['Retail', 'missing'], edges: [] },
        ],
        scores: [0.3, 0, -0.2, 0.1, 0, 0],
      },
    },
    '[role="img"] [title]',
  );

/** Words a screen reader reads: in the page, and not inside a role="img" element, of which it reads only the label. */
function expectReadAloud(plot: HTMLElement, words: string) {
  expect(plot.textContent).toContain(words);
  expect(plot.querySelector('[role="img"]')!.textContent).not.toContain(words);
}

it('says beside a numeric shape that its axis is log-odds, and under it what they mean, so 0.50 does not read as 50 %', async () => {
  const plot = await drawnNumericShape();
  expect(Array.from(plot.querySelectorAll('svg text'), (text) => text.textContent)).toContain('Effect on score (log-odds)');
  expect(Array.from(plot.querySelectorAll('figure p'), (p) => p.textContent)).toContain(
    'Log-odds, not a probability: above 0 raises the odds of converting, below 0 lowers them; +0.69 doubles the odds, −0.69 halves them.',
  );
});

it('draws the last bin of a numeric shape as a level, not a bare corner', async () => {
  const plot = await drawnNumericShape();
  // The step line's corners, left to right (its path is "M x,y L x,y …").
  const path = plot.querySelector('.recharts-line-curve')!.getAttribute('d')!;
  const corners = [...path.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map(([, x, y]) => ({ x: Number(x), y: Number(y) }));
  const lastLevel = corners[corners.length - 1].y;
  // The last bin's −0.5 is lower on the page than the first's 0.2, and drawn across a width, not at one x.
  expect(lastLevel).toBeGreaterThan(corners[0].y);
  const atLastLevel = corners.filter((corner) => corner.y === lastLevel).map((corner) => corner.x);
  expect(Math.max(...atLastLevel) - Math.min(...atLastLevel)).toBeGreaterThan(100);
});

it("puts what log-odds mean and the missing bin's score outside the image, where screen readers read them", async () => {
  const plot = await drawnNumericShape();
  expectReadAloud(plot, 'Log-odds, not a probability');
  expectReadAloud(plot, 'Missing: 0.00');
});

it("names a heat map's row and column features outside the image, where screen readers read them", async () => {
  const plot = await drawnPairShape();
  expectReadAloud(plot, 'Rows: Visits; columns: Industry.');
});

it("heads the row labels of a pair's table with which feature is in rows and which in columns", async () => {
  const plot = await drawnPairShape();
  const corner = plot.querySelector('table thead tr')!.firstElementChild!;
  expect(corner.tagName).toBe('TH');
  expect(corner.textContent).toBe('Visits ↓ / Industry →');
});

it("holds a pair's table, as wide as its bins make it, in a region that scrolls sideways, reachable by keyboard and named by the table", async () => {
  // happy-dom lays nothing out: the table as wide as its bins make it, wider than the figure.
  vi.spyOn(Element.prototype, 'scrollWidth', 'get').mockReturnValue(912);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(420);
  const plot = await drawnPairShape();
  const region = plot.querySelector('table')!.parentElement!;
  expect(region.getAttribute('role')).toBe('region');
  expect(region.getAttribute('aria-label')).toBe('Visits × Industry (log-odds)');
  expect(region.tabIndex).toBe(0);
  expect(region.style.overflowX).toBe('auto');
  // Its width is its container's, not the table's: a row of charts is not widened by it.
  expect(region.style.getPropertyValue('contain')).toBe('inline-size');
});

it('writes a log-odds that rounds to zero as 0.00, not -0.00, in its table and notes; one that does not keeps its sign', async () => {
  const plot = await drawnShape(
    { features: [0], label: 'Visits', importance: 0.1, shape: { axes: [{ labels: ['≤ 10', '≤ 20', '> 20', 'missing'], edges: [10, 20] }], scores: [0.2, -0.004, -0.5, -0.001] } },
    'svg',
  );
  expect(Array.from(plot.querySelectorAll('tbody td'), (td) => td.textContent)).toEqual(['0.20', '0.00', '-0.50', '0.00']);
  expectReadAloud(plot, 'Missing: 0.00');
  expect(plot.textContent).not.toContain('-0.00');
});

it("keeps a heat map's cell colours in forced colours (Windows high contrast), which would paint them all the page's background", async () => {
  const plot = await drawnPairShape();
  // One cell per pair of bins; the row and column labels keep the theme's colours.
  const cells = Array.from(plot.querySelectorAll<HTMLElement>('[role="img"] span[title*=": "]'));
  expect(cells).toHaveLength(6);
  for (const cell of cells) expect(cell.style.getPropertyValue('forced-color-adjust')).toBe('none');
});

it("words the levels LeadLens derives, as reasons do, and keeps a CRM field's values as the CRM stores them", async () => {
  const features: Feature[] = [
    { key: 'title_seniority', label: 'Title seniority', type: 'categorical', vocabulary: ['individual', 'vp', '(other)'], otherCode: 2, derive: { kind: 'titleSeniority', from: { csv: 'title' } }, missingValues: [], actionable: false },
    { key: 'lead_source', label: 'Lead source', type: 'categorical', vocabulary: ['SOCIAL_MEDIA'], derive: { kind: 'value', from: { hubspot: 'hs_analytics_source' }, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social' } } }, missingValues: [], actionable: false },
  ];
  const seniority = { labels: ['individual', 'vp', '(other)', 'missing'], edges: [] };
  const plot = await drawnShape(
    { features: [0, 1], label: 'Title seniority × Lead source', importance: 0.1, shape: { axes: [seniority, { labels: ['SOCIAL_MEDIA', 'missing'], edges: [] }], scores: [0.1, 0, 0.5, 0, 0, 0, 0, 0] } },
    '[role="img"] [title]',
    features,
  );
  const table = plot.querySelector('table')!;
  expect(Array.from(table.querySelectorAll('tbody th'), (th) => th.textContent)).toEqual(['Individual contributor', 'VP', '(other)', 'missing']);
  expect(Array.from(table.querySelectorAll('thead th'), (th) => th.textContent).slice(1)).toEqual(['SOCIAL_MEDIA', 'missing']);
  expect(plot.querySelector('[role="img"] [title^="VP, SOCIAL_MEDIA"]')).not.toBeNull();
});

it('writes the large numbers of a numeric axis compact, with the fewest digits that keep its ticks apart, and its ends as they start', () => {
  expect(compactTicks(['≤ $98,000', '$4,050,000', '$13,500,000', '$125,000,000', '> $16,500,000,000'])).toEqual(['≤ $98K', '$4.05M', '$13.5M', '$125M', '> $16.5B']);
  expect(compactTicks(['≤ 3', '12 days', '≥ 400 days'])).toEqual(['≤ 3', '12 days', '≥ 400 days']);
  expect(compactTicks(['$1,231,000', '$1,234,000'])).toEqual(['$1.231M', '$1.234M']);
});

it('draws the ticks of a numeric shape compact, so that they fit under it, and keeps every figure in full in its table', async () => {
  const labels = ['≤ $98,000', '$98,000 – $4,050,000', '$4,050,000 – $125,000,000', '$125,000,000 – $16,500,000,000', '> $16,500,000,000', 'missing'];
  const plot = await drawnShape(
    { features: [0], label: 'Annual revenue', importance: 0.1, shape: { axes: [{ labels, edges: [98e3, 4.05e6, 125e6, 16.5e9] }], scores: [0.4, -0.9, 0.1, -0.1, 0.3, 0] } },
    '.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value',
  );
  expect(Array.from(plot.querySelectorAll('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value'), (tick) => tick.textContent)).toEqual(['≤ $98K', '$98K', '$4.05M', '$125M', '> $16.5B']);
  expect(Array.from(plot.querySelectorAll('table tbody th'), (th) => th.textContent)).toEqual(labels);
  expect(plot.querySelector('[role="img"]')!.getAttribute('aria-label')).toContain('from ≤ $98,000 to > $16,500,000,000');
});

it('draws, describes and tabulates a category without the controls that would make it read as another (a reversed "ygolonhceT" as "Technology")', async () => {
  const hostile = '\u202EygolonhceT';
  const plot = await drawnShape({ features: [0], label: 'Industry', importance: 0.1, shape: { axes: [{ labels: [hostile, 'Technology', 'missing'], edges: [] }], scores: [1.1, -0.4, 0] } }, '.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value');
  const bars = Array.from(plot.querySelectorAll('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value'), (tick) => tick.textContent);
  expect(bars).toEqual(['ygolonhceT', 'Technology', 'missing']);
  expect(plot.querySelector('[role="img"]')!.getAttribute('aria-label')).toBe('Industry: log-odds per category, strongest first: ygolonhceT 1.10, Technology -0.40, missing 0.00');
  expect(Array.from(plot.querySelectorAll('table tbody th'), (th) => th.textContent)).toEqual(['ygolonhceT', 'Technology', 'missing']);
});

it("labels a heat map's rows and columns, and their cells, without the controls that would make one category read as another", async () => {
  const plot = await drawnShape(
    {
      features: [0, 1],
      label: 'Industry × Country',
      importance: 0.05,
      shape: {
        axes: [
          { labels: ['\u202EygolonhceT', 'missing'], edges: [] },
          { labels: ['U\u200BS', 'missing'], edges: [] },
        ],
        scores: [0.3, 0, -0.2, 0.1],
      },
    },
    '[role="img"] [title]',
  );
  const heatMap = plot.querySelector('[role="img"]')!;
  expect(heatMap.textContent).toBe('USmissingygolonhceTmissing');
  expect(Array.from(heatMap.querySelectorAll('[title]'), (span) => span.getAttribute('title'))).toEqual([
    'US',
    'missing',
    'ygolonhceT',
    'ygolonhceT, US: 0.30',
    'ygolonhceT, missing: 0.00',
    'missing',
    'missing, US: -0.20',
    'missing, missing: 0.10',
  ]);
  expect(plot.querySelector('table')!.textContent).not.toMatch(/[\u200B\u202E]/);
});

it('counts one category left out of the bars in the singular', async () => {
  const labels = [...Array.from({ length: 10 }, (_, i) => `Industry ${i}`), 'missing'];
  const plot = await drawnShape({ features: [0], label: 'Industry', importance: 0.1, shape: { axes: [{ labels, edges: [] }], scores: labels.map((_, i) => 1 - i / 20) } }, 'svg');
  expect(plot.textContent).toContain('1 weaker category not drawn (all in the table).');
});

it('tabulates every bin of two that read alike once shown (a zero-width space told them apart), each its own row', async () => {
  const duplicateKeys = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const plot = await drawnShape({ features: [0], label: 'Country', importance: 0.1, shape: { axes: [{ labels: ['U\u200BS', 'US', 'missing'], edges: [] }], scores: [0.5, -0.2, 0] } }, 'svg');
  expect(Array.from(plot.querySelectorAll('table tbody tr'), (row) => row.textContent)).toEqual(['US0.50', 'US-0.20', 'missing0.00']);
  // React's warning of two children with one key, which may drop or repeat rows.
  expect(duplicateKeys.mock.calls.filter((call) => String(call[0]).includes('same key'))).toEqual([]);
  duplicateKeys.mockRestore();
});
