// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { act } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { useLiveValue } from '@/lib/ui/hooks';
import { render, type Rendered } from '@/test/render';
import { PartBoundary } from './PartBoundary';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  vi.restoreAllMocks();
});

/** Reads a value the way pages read the active model id and job rows; `read` decides how that goes. */
function LiveValue({ read }: { read: () => Promise<string> }) {
  const value = useLiveValue(read);
  return <p>{value === undefined ? 'Loading…' : `Value: ${value}`}</p>;
}

const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 20)));

it('says in its place that a part failed to read the stored data, the rest of the page unharmed, and tries again', async () => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined); // React reports the caught error
  let fail = true;
  const read = async () => {
    if (fail) throw new Error('QuotaExceededError');
    return 'ebm-1';
  };
  rendered = render(
    <>
      <PartBoundary name="The open lead">
        <LiveValue read={read} />
      </PartBoundary>
      <p>Segments</p>
    </>,
  );
  await settle();
  const alert = rendered.container.querySelector('[role="alert"]');
  // Was "Loading…" forever: the failed read looked like one not made yet.
  expect(alert?.querySelector('p')?.textContent).toBe("The open lead could not be shown: The extension's stored data could not be read (QuotaExceededError)");
  expect(rendered.container.textContent).toContain('Segments');

  fail = false;
  act(() => alert!.querySelector('button')!.click());
  await settle();
  expect(rendered.container.querySelector('[role="alert"]')).toBeNull();
  expect(rendered.container.textContent).toContain('Value: ebm-1');
});
