// @vitest-environment happy-dom
/** The "older than" setting of record pages' cached scores: what the admin sees while editing it. */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { render, waitFor, type Rendered } from '@/test/render';
import { db } from '@/lib/db/db';
import { recordStaleHours } from '@/lib/settings/record-staleness';
import { RecordPagesSection } from './RecordPages';

let rendered: Rendered | undefined;
beforeEach(() => db.settings.clear());
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/** Types `text` into the field as a user does: React hears an input event. */
function type(input: HTMLInputElement, text: string) {
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

it('says "Saved." only of the value saved, and keeps a cleared field empty', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(RecordPagesSection)));
  const { container } = rendered;
  const input = await waitFor(() => container.querySelector<HTMLInputElement>('input[type="number"]'));
  expect(input.value).toBe('24');
  type(input, '48');
  act(() => container.querySelector('form')!.requestSubmit());
  await waitFor(() => container.querySelector('[role="status"]'));
  expect(await recordStaleHours()).toBe(48);

  type(input, '');
  expect(input.value).toBe('');
  expect(container.querySelector('[role="status"]')).toBeNull();
  type(input, '72');
  expect(input.value).toBe('72');
  expect(container.querySelector('[role="status"]')).toBeNull();
});
