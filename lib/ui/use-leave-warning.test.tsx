// @vitest-environment happy-dom
/** The question before leaving a page: asked only while the page says it would lose work. */
import { afterEach, expect, it } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { useLeaveWarning } from './use-leave-warning';

function Page({ losesWork }: { losesWork: boolean }) {
  useLeaveWarning(losesWork);
  return null;
}

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/** A `beforeunload` as the browser sends it, once the page's listeners have had it. */
function leave(): Event & { returnValue?: unknown } {
  const leaving = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(leaving);
  return leaving;
}

it('asks before leaving while the page would lose work, both ways a browser reads it, and no more once it would not', () => {
  rendered = render(<Page losesWork={false} />);
  expect(leave().defaultPrevented).toBe(false);
  rendered.rerender(<Page losesWork />);
  const asked = leave();
  expect(asked.defaultPrevented).toBe(true);
  expect(asked.returnValue).toBe(true);
  rendered.rerender(<Page losesWork={false} />);
  expect(leave().defaultPrevented).toBe(false);
});

it('stops asking once the page part that asked is gone', () => {
  rendered = render(<Page losesWork />);
  rendered.unmount();
  rendered = undefined;
  expect(leave().defaultPrevented).toBe(false);
});
