// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Reason } from '@/lib/messaging/protocol';
import { explainLead, startingPoint } from '@/lib/ml/explain';
import { applyCalibration, sigmoid } from '@/lib/ml/train/calibration';
import { handMadeManifest } from '@/test/fixtures/manifest';
import { render, spokenText, type Rendered } from '@/test/render';
import { describeWaterfall, probabilityAxis, Waterfall, waterfallSteps } from './Waterfall';
import { stubResizeObservers, type StubbedSizeObserver } from '@/test/resize-observers';

/** Tier thresholds the dots' probabilities are written apart from. */
const TIERS = { hot: 0.5, warm: 0.1 };

const reason = (label: string, points: number): Reason => ({ label, value: '', points });

it('starts at the model baseline, a point and no bar, adds each term in turn, strongest first, and ends at the lead', () => {
  expect(waterfallSteps(-2, [reason('b', 0.5), reason('a', -1)])).toEqual([
    { label: 'Model baseline (before fields)', range: [-2, -2], points: 0, kind: 'start' },
    { label: 'a', range: [-2, -3], points: -1, kind: 'reason' },
    { label: 'b', range: [-3, -2.5], points: 0.5, kind: 'reason' },
    { label: 'This lead', range: [-2.5, -2.5], points: 0, kind: 'end' },
  ]);
});

it('sums the terms after the strongest into one bar that ends at the lead\'s log-odds', () => {
  const reasons = [reason('a', 1), reason('b', -0.5), reason('c', 0.1), reason('d', -0.05), reason('e', 0.2)];
  const steps = waterfallSteps(-1, reasons, 2);
  expect(steps.map((s) => s.label)).toEqual(['Model baseline (before fields)', 'a', 'b', '3 smaller reasons', 'This lead']);
  expect(steps[3].points).toBeCloseTo(0.25, 12);
  expect(steps[3].range[1]).toBeCloseTo(-1 + 1 - 0.5 + 0.1 - 0.05 + 0.2, 12);
  expect(steps[4].range).toEqual([steps[3].range[1], steps[3].range[1]]);
});

it('draws a single leftover term as itself, not as "1 smaller reasons"', () => {
  expect(waterfallSteps(0, [reason('a', 1), reason('b', 0.5), reason('c', 0.1)], 2).map((s) => s.label)).toEqual(['Model baseline (before fields)', 'a', 'b', 'c', 'This lead']);
});

describe('probabilityAxis', () => {
  const percents = (logits: number[]) => logits.map((logit) => Number((sigmoid(logit) * 100).toPrecision(6)));

  it('marks round probabilities at their log-odds, from the one below the chart\'s lowest point to the one above its highest', () => {
    // 11.9 % to 37.8 %
    const axis = probabilityAxis([-2, -0.5, -1.1]);
    expect(percents(axis.ticks)).toEqual([10, 20, 30, 50]);
    expect(percents(axis.domain)).toEqual([10, 50]);
  });

  it('takes coarser round probabilities over a wider span, never more than five ticks', () => {
    // 1.1 % to 57 %: 1, 2, 5, … 50, 70 % are 8 ticks; 1, 5, 10, 25, 50, 75 % are 6
    expect(percents(probabilityAxis([-4.5, 0.3]).ticks)).toEqual([1, 5, 20, 50, 80]);
    for (const [low, high] of [[-4.5, 0.3], [-6, 2], [-9, 9], [0.1, 0.2]]) expect(probabilityAxis([low, high]).ticks.length).toBeLessThanOrEqual(5);
    // past 0.1 % and 99.9 % the axis ends at the chart's own points
    expect(probabilityAxis([-9, 9]).domain).toEqual([-9, 9]);
  });
});

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const REASONS: Reason[] = [
  { label: 'Job title', value: 'VP Sales', points: 1.5 },
  { label: 'Days since last activity', value: '40 days', points: -0.7 },
  { label: 'Website visits', value: '3', points: 0.1 },
];

it('describes the chart in a rep\'s words: where the reasons start, how many raise and lower the odds, what they do together, and where they leave the lead', () => {
  expect(describeWaterfall(REASONS, { start: '12%', lead: '25%' })).toBe(
    "From the model baseline of 12% (before this lead's fields), 2 reasons raise the odds of converting and 1 reason lowers them; together they multiply the odds by 2.5, to 25% for this lead. The table below lists each reason.",
  );
  expect(describeWaterfall([REASONS[1]], { start: '12%', lead: '6%' })).toBe(
    "From the model baseline of 12% (before this lead's fields), no reason raises the odds of converting and 1 reason lowers them; together they divide the odds by 2, to 6% for this lead. The table below lists each reason.",
  );
  rendered = render(<Waterfall start={-2} reasons={REASONS} tiers={TIERS} />);
  const label = rendered.container.querySelector('[role="img"]')!.getAttribute('aria-label')!;
  // The dots' probabilities are drawn text inside the image, which a screen reader skips: its name says them, written as the dots write them.
  const dots = [...rendered.container.querySelectorAll('.waterfall-point text')].map((text) => text.textContent!);
  expect(label).toBe(describeWaterfall(REASONS, { start: dots[0], lead: dots[1] }));
  expect(label).toMatch(/^From the model baseline of 12% \(before this lead's fields\), .*, to 25% for this lead\./);
  expect(label).not.toMatch(/log-odds|term/i);
});

it('counts as raising or lowering the odds only the reasons the lists and the table say move them, and the rest as hardly changing them', () => {
  const hardly = [reason('Country', 0.02), reason('Lead source with Employees', -0.02), reason('Industry', 0)];
  expect(describeWaterfall([...REASONS, ...hardly], { start: '12%', lead: '25%' })).toBe(
    "From the model baseline of 12% (before this lead's fields), 2 reasons raise the odds of converting, 1 reason lowers them and 3 more hardly change them; together they multiply the odds by 2.5, to 25% for this lead. The table below lists each reason.",
  );
  expect(describeWaterfall([REASONS[1], hardly[0]], { start: '12%', lead: '6%' })).toBe(
    "From the model baseline of 12% (before this lead's fields), no reason raises the odds of converting, 1 reason lowers them and 1 more hardly changes them; together they divide the odds by 2, to 6% for this lead. The table below lists each reason.",
  );
});

it('counts a pair of fields that moves the odds apart, as the lists above the chart leave it out of the reasons up and down', () => {
  const pair: Reason = { ...reason('Lead source with Employees', -0.5), pair: true };
  expect(describeWaterfall([...REASONS, pair], { start: '12%', lead: '15%' })).toBe(
    "From the model baseline of 12% (before this lead's fields), 2 reasons raise the odds of converting, 1 reason lowers them and 1 pair of fields moves them; together they multiply the odds by 1.5, to 15% for this lead. The table below lists each reason.",
  );
  const hardly = reason('Country', 0.02);
  expect(describeWaterfall([REASONS[0], pair, { ...pair, label: 'Industry with Country' }, hardly], { start: '12%', lead: '15%' })).toMatch(
    /^From the model baseline of 12% \(before this lead's fields\), 1 reason raises the odds of converting, no reason lowers them, 2 pairs of fields move them and 1 more hardly changes them;/,
  );
});

it('marks each reason\'s bar up or down with an arrow, not by colour alone', () => {
  rendered = render(<Waterfall start={-2} reasons={REASONS} tiers={TIERS} />);
  const barNames = [...rendered.container.querySelectorAll('.recharts-yAxis-tick-labels text')].map((tick) => tick.textContent);
  expect(barNames).toEqual(['Model baseline (before fields)', '▲ Job title', '▼ Days since last activity', '▲ Website visits', 'This lead']);
});

it('reads its axis as the likelihood of converting, at round percentages, not as raw log-odds', () => {
  rendered = render(<Waterfall start={-2} reasons={REASONS} tiers={TIERS} />);
  const ticks = [...rendered.container.querySelectorAll('.recharts-xAxis-tick-labels text')].map((tick) => tick.textContent);
  expect(ticks).toEqual(['10%', '20%', '30%', '50%']);
  expect(rendered.container.querySelector('.recharts-label')?.textContent).toBe('Likelihood of converting');
});

it('draws the model baseline and the lead as dots with their probabilities, not as bars: the baseline is no reason pulling down', () => {
  rendered = render(<Waterfall start={-2} reasons={REASONS} tiers={TIERS} />);
  const bars = [...rendered.container.querySelectorAll('path.recharts-rectangle')];
  expect(bars.map((bar) => bar.getAttribute('name'))).toEqual(['▲ Job title', '▼ Days since last activity', '▲ Website visits']);
  const points = [...rendered.container.querySelectorAll('.waterfall-point')];
  // 11.9 % before the reasons, 25 % (−2 + 1.5 − 0.7 + 0.1 = −1.1) after them, as the header writes a probability
  expect(points.map((point) => point.querySelector('text')?.textContent)).toEqual(['12%', '25%']);
  // the first bar starts at the baseline's dot, the last ends at the lead's
  const dotX = points.map((point) => Number(point.querySelector('circle')!.getAttribute('cx')));
  const [first, last] = [bars[0], bars.at(-1)!].map((bar) => ({ x: Number(bar.getAttribute('x')), width: Number(bar.getAttribute('width')) }));
  expect(first.x).toBeCloseTo(dotX[0], 3);
  expect(last.x + last.width).toBeCloseTo(dotX[1], 3);
});

it("writes the lead's dot as the headline writes its probability: 49.96 % under 'hot from 50 %' is not '50 %'", () => {
  // logit(0.4996) ≈ −0.0016: a baseline of −1 and one reason of +0.9984.
  rendered = render(<Waterfall start={-1} reasons={[{ label: 'Job title', value: 'VP Sales', points: Math.log(0.4996 / 0.5004) + 1 }]} tiers={TIERS} />);
  expect([...rendered.container.querySelectorAll('.waterfall-point text')].map((text) => text.textContent)).toEqual(['27%', '49.96%']);
});

it('says in its table how each reason moves the odds of converting, in words and as a factor of the odds, not in points', () => {
  rendered = render(<Waterfall start={-2} reasons={REASONS} tiers={TIERS} />);
  const table = rendered.container.querySelector('table')!;
  expect([...table.querySelectorAll('thead th')].map((th) => th.textContent)).toEqual(['Reason', 'This lead', 'How it moves the odds of converting']);
  const effects = [...table.querySelectorAll('tbody tr')].map((row) => row.children[2]);
  expect(effects.map((cell) => cell.textContent)).toEqual([
    '▲ strongly raises the odds (×4.5)',
    '▼ moderately lowers the odds (÷2)',
    '▲ slightly raises the odds (×1.1)',
  ]);
  // the arrow is for the eye: the words say the direction
  expect(spokenText(effects[1])).toBe('moderately lowers the odds (÷2)');
});

it("names each row of its table by its reason, a row header as plain as the cells beside it, so a screen reader reading down a column says whose effect it is", () => {
  const style = document.head.appendChild(document.createElement('style'));
  // A browser's own look of a header cell, which happy-dom does not apply, then the page's style sheet.
  style.textContent = `th { font-weight: bold; text-align: center; }\n${readFileSync('components/page.css', 'utf8')}`;
  try {
    rendered = render(<Waterfall start={-2} reasons={REASONS} tiers={TIERS} />);
    const rows = [...rendered.container.querySelectorAll('tbody tr')];
    expect(rows.map((row) => [...row.children].map((cell) => `${cell.tagName} ${cell.getAttribute('scope') ?? ''}`.trim()))).toEqual(
      REASONS.map(() => ['TH row', 'TD', 'TD']),
    );
    expect(rows.map((row) => row.querySelector('th')!.textContent)).toEqual(REASONS.map((reason) => reason.label));
    // The page's style sheet sets it plain and left, as its cells.
    const header = rows[0].children[0] as HTMLElement;
    expect([getComputedStyle(header).fontWeight, getComputedStyle(header).textAlign]).toEqual(['normal', 'left']);
  } finally {
    style.remove();
  }
});

it('keeps a pair of fields, which the lists above it leave out, as a bar and a row of its table, so the reasons add up', () => {
  const pair: Reason = { label: 'Lead source with Employees', value: 'Web · 992', points: -0.4, pair: true };
  rendered = render(<Waterfall start={-2} reasons={[...REASONS, pair]} tiers={TIERS} />);
  const barNames = [...rendered.container.querySelectorAll('.recharts-yAxis-tick-labels text')].map((tick) => tick.textContent);
  expect(barNames).toContain('▼ Lead source with Employees');
  const row = [...rendered.container.querySelectorAll('tbody tr')].find((tr) => tr.querySelector('th')!.textContent === pair.label);
  expect([...row!.children].map((cell) => spokenText(cell))).toEqual(['Lead source with Employees', 'Web · 992', 'moderately lowers the odds (÷1.5)']);
});

it('says a reason too weak to name hardly changes the odds, rather than "raises the odds (×1)"', () => {
  rendered = render(<Waterfall start={-2} reasons={[{ label: 'Country', value: 'France', points: 0.02 }]} tiers={TIERS} />);
  expect(rendered.container.querySelector('tbody tr')?.children[2].textContent).toBe('hardly changes the odds');
});

it('tells the odds of the probability shown: a +2 reason of a model with Platt a = 0.5 is ×2.7, and the bars end at that probability', () => {
  const manifest = {
    ...handMadeManifest({
      features: [{ key: 'title', label: 'Job title', type: 'categorical', vocabulary: ['VP Sales'], derive: { kind: 'value', from: { csv: 'title' } } }],
      terms: [{ features: [0], label: 'Job title' }],
      intercept: -2,
    }),
    calibration: { kind: 'platt' as const, a: 0.5, b: -1 },
  };
  const contributions = [2];
  const start = startingPoint(manifest, contributions, 'csv');
  const reasons = explainLead(manifest, contributions, { title: 'VP Sales' }, 'csv', new Date('2026-11-01T00:00:00Z'));
  rendered = render(<Waterfall start={start} reasons={reasons} tiers={TIERS} />);
  expect(rendered.container.querySelector('tbody tr')?.children[2].textContent).toBe('▲ strongly raises the odds (×2.7)');
  expect(rendered.container.querySelector('[role="img"]')?.getAttribute('aria-label')).toContain('together they multiply the odds by 2.7');
  const shown = applyCalibration(manifest.calibration, -2 + 2); // sigmoid(−1)
  expect(waterfallSteps(start, reasons).at(-1)!.range[1]).toBeCloseTo(Math.log(shown / (1 - shown)), 12);
});

/** A reason's value in the table, with how it may break under the side panel's own style sheet. */
function valueWrapping(value: string): [string | null, string] {
  const style = document.head.appendChild(document.createElement('style'));
  style.textContent = readFileSync('components/page.css', 'utf8');
  try {
    rendered = render(<Waterfall start={-2} reasons={[{ label: 'Industry', value, points: 0.8 }]} tiers={TIERS} />);
    const shown = rendered.container.querySelector('tbody tr')!.children[1].querySelector('bdi')!;
    return [shown.textContent, getComputedStyle(shown).overflowWrap];
  } finally {
    style.remove();
  }
}

it("wraps a reason's value anywhere in the table, so a CRM value with no space cannot run it off a narrow side panel", () => {
  const unbroken = 'INFORMATION_TECHNOLOGY_AND_SERVICES_OUTSOURCING';
  expect(valueWrapping(unbroken)).toEqual([unbroken, 'anywhere']);
});

it("breaks a reason's ordinary value only between words: a column that may break anywhere is shrunk until its words break", () => {
  expect(valueWrapping('Engineering · Company e-mail (acme.com)')[1]).not.toBe('anywhere');
});

describe('in a side panel of any width', () => {
  /** The width every element is laid out at (happy-dom lays nothing out: 0 until a test says). */
  let room = 0;
  /** The elements the ResizeObservers made watch, and the callback each calls. */
  let sizeObservers: StubbedSizeObserver[] = [];

  function layOut() {
    room = 0;
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(() => room);
    sizeObservers = stubResizeObservers();
  }

  /** The reader drags the side panel's edge: every element now has `width` px, and the browser tells the observers. */
  function resizePanel(width: number) {
    room = width;
    act(() => {
      for (const { callback, observed } of sizeObservers) if (observed.size > 0) callback();
    });
  }

  const chartWidth = () => Number(rendered!.container.querySelector('svg.recharts-surface')!.getAttribute('width'));
  /** Where the reasons' names end and the bars begin. */
  const labelColumn = () => Number(rendered!.container.querySelector('.recharts-yAxis .recharts-cartesian-axis-line')!.getAttribute('x1'));

  it('draws the chart no wider than the card, so Chrome\'s narrowest panel (320 px, 262 px in the card) does not scroll sideways', () => {
    layOut();
    room = 262;
    rendered = render(<Waterfall start={-2} reasons={REASONS} tiers={TIERS} />);
    expect(chartWidth()).toBe(262);
    // the names keep their share of the narrower chart, and leave the bars theirs
    expect(labelColumn()).toBe(Math.round((262 * 150) / 340));
  });

  it('follows the panel as it is resized, and keeps its usual 340 px, names in 150 px, wherever there is more room', () => {
    layOut();
    rendered = render(<Waterfall start={-2} reasons={REASONS} tiers={TIERS} />);
    // not laid out yet (a hidden panel): the usual width, not a chart 0 px wide
    expect(chartWidth()).toBe(340);
    resizePanel(600);
    expect([chartWidth(), labelColumn()]).toEqual([340, 150]);
    resizePanel(300);
    expect(chartWidth()).toBe(300);
    resizePanel(400);
    expect([chartWidth(), labelColumn()]).toEqual([340, 150]);
  });

  it('cuts a name too long for its row\'s two lines with "…", and keeps it whole in the bar name\'s tooltip', () => {
    layOut();
    room = 262;
    // Recharts wraps the names by the width of their words, measured in a hidden span: 6 px a character here.
    const measure = HTMLElement.prototype.getBoundingClientRect;
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
      return this.id === 'recharts_measurement_span' ? new DOMRect(0, 0, (this.textContent ?? '').length * 6, 14) : measure.call(this);
    });
    const long = 'Marketing e-mails opened during the spring and summer campaigns';
    rendered = render(<Waterfall start={-2} reasons={[reason(long, 1.2), reason('Region', -0.3)]} tiers={TIERS} />);
    const ticks = [...rendered.container.querySelectorAll('.recharts-yAxis-tick-labels text')];
    const lines = ticks.map((tick) => [...tick.querySelectorAll('tspan')].map((line) => line.textContent));
    // Kept whole (its wrapping at this width, measured afresh: test/waterfall-baseline-label.test.tsx).
    expect(lines[0].join(' ')).toBe('Model baseline (before fields)');
    expect(lines[1]).toHaveLength(2);
    expect(lines[1][1]).toMatch(/…$/);
    expect(lines[2]).toEqual(['▼ Region']);
    expect(ticks[1].parentElement!.querySelector('title')?.textContent).toBe(`▲ ${long}`);
  });
});
