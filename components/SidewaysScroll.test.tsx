// @vitest-environment happy-dom
import { afterEach, expect, it, vi } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { SidewaysScroll } from './SidewaysScroll';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  vi.restoreAllMocks();
});

/** The box around a table `tableWidth` wide, in a container 300 px wide (happy-dom lays nothing out: the widths are given). */
function boxAround(tableWidth: number): HTMLElement {
  vi.spyOn(Element.prototype, 'scrollWidth', 'get').mockReturnValue(tableWidth);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(300);
  rendered = render(
    <SidewaysScroll label="Top hot leads">
      <table />
    </SidewaysScroll>,
  );
  return rendered.container.querySelector('table')!.parentElement!;
}

it('makes a table wider than its container a region of its own that a keyboard reaches, named by the table', () => {
  const box = boxAround(420);
  expect(box.getAttribute('role')).toBe('region');
  expect(box.getAttribute('aria-label')).toBe('Top hot leads');
  expect(box.tabIndex).toBe(0);
  expect(box.style.overflowX).toBe('auto');
});

it('adds no keyboard stop or landmark around a table all in sight', () => {
  const box = boxAround(300);
  expect(box.hasAttribute('role')).toBe(false);
  expect(box.hasAttribute('aria-label')).toBe(false);
  expect(box.hasAttribute('tabindex')).toBe(false);
});
