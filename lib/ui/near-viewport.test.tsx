// @vitest-environment happy-dom
import { act } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { useInTurn } from './near-viewport';

function Chart({ name, value }: { name: string; value: number }) {
  const shown = useInTurn(value);
  return <p className="chart">{`${name} ${shown}`}</p>;
}
const page = (value: number) => (
  <>
    <Chart name="profit" value={value} />
    <Chart name="pr" value={value} />
    <Chart name="roc" value={value} />
  </>
);

let rendered: Rendered | undefined;
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  rendered?.unmount();
  vi.useRealTimers();
});
const charts = () => Array.from(rendered!.container.querySelectorAll('.chart'), (chart) => chart.textContent);
const nextTask = () => act(() => vi.advanceTimersToNextTimer());

it('shows the first value at once, then takes up a new one in one part per task', () => {
  rendered = render(page(1));
  expect(charts()).toEqual(['profit 1', 'pr 1', 'roc 1']);
  rendered.rerender(page(2));
  expect(charts()).toEqual(['profit 1', 'pr 1', 'roc 1']);
  nextTask();
  expect(charts()).toEqual(['profit 2', 'pr 1', 'roc 1']);
  nextTask();
  nextTask();
  expect(charts()).toEqual(['profit 2', 'pr 2', 'roc 2']);
});

it('ends on the latest value when it changes again before every part took up the last', () => {
  rendered = render(page(1));
  rendered.rerender(page(2));
  nextTask();
  rendered.rerender(page(3));
  for (let task = 0; task < 5; task++) nextTask();
  expect(charts()).toEqual(['profit 3', 'pr 3', 'roc 3']);
});

it('commits each part within its own task, not later with the next', () => {
  rendered = render(page(1));
  rendered.rerender(page(2));
  // Outside act(), React's own scheduling does not run: only a draw committed inside the timer's
  // task shows. Turned off so React does not warn about updates outside act().
  const actEnvironment = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
  actEnvironment.IS_REACT_ACT_ENVIRONMENT = false;
  try {
    vi.advanceTimersToNextTimer();
    expect(charts()).toEqual(['profit 2', 'pr 1', 'roc 1']);
    vi.advanceTimersToNextTimer();
    expect(charts()).toEqual(['profit 2', 'pr 2', 'roc 1']);
  } finally {
    actEnvironment.IS_REACT_ACT_ENVIRONMENT = true;
  }
});
