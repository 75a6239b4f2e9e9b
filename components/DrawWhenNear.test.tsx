// @vitest-environment happy-dom
import { act } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { DrawWhenNear } from './DrawWhenNear';

/** An IntersectionObserver the test drives: `scrollNear(element)` reports it intersecting. */
const observed = new Map<Element, IntersectionObserverCallback>();
class TestIntersectionObserver {
  constructor(private readonly callback: IntersectionObserverCallback) {}
  observe(element: Element) {
    observed.set(element, this.callback);
  }
  disconnect() {
    for (const [element, callback] of observed) if (callback === this.callback) observed.delete(element);
  }
}
function scrollNear(element: Element) {
  observed.get(element)?.([{ isIntersecting: true, target: element } as IntersectionObserverEntry], {} as IntersectionObserver);
}
/** Runs one pending timer task (the queue draws one part per task) and lets React render. */
const nextTask = () => act(() => vi.advanceTimersToNextTimer());

let rendered: Rendered | undefined;
beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('IntersectionObserver', TestIntersectionObserver);
});
afterEach(() => {
  rendered?.unmount();
  observed.clear();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const charts = ['ROC curve', 'Precision–recall', 'Calibration'];
const page = () => (
  <>
    {charts.map((title) => (
      <DrawWhenNear key={title} what={title} width={300} height={220}>
        <p className="chart">{title} drawn</p>
      </DrawWhenNear>
    ))}
  </>
);
const drawn = () => Array.from(rendered!.container.querySelectorAll('.chart'), (chart) => chart.textContent);

it('keeps a placeholder of the chart’s size, saying what comes, until the reader scrolls near', () => {
  rendered = render(page());
  const placeholders = rendered.container.querySelectorAll<HTMLElement>('.draw-when-near');
  expect(placeholders).toHaveLength(3);
  expect(placeholders[0].textContent).toBe('ROC curve: drawn when you scroll here');
  expect([placeholders[0].style.width, placeholders[0].style.minHeight]).toEqual(['300px', '220px']);
  nextTask();
  expect(drawn()).toEqual([]);
});

it('draws what the reader scrolls near, one chart per task, and only those', () => {
  rendered = render(page());
  const [roc, pr] = rendered.container.querySelectorAll('.draw-when-near');
  act(() => {
    scrollNear(roc);
    scrollNear(pr);
  });
  expect(drawn()).toEqual([]);
  nextTask();
  expect(drawn()).toEqual(['ROC curve drawn']);
  nextTask();
  expect(drawn()).toEqual(['ROC curve drawn', 'Precision–recall drawn']);
  expect(rendered.container.querySelectorAll('.draw-when-near')).toHaveLength(1);
});
