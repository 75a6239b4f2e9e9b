// @vitest-environment happy-dom
/** The "older than" setting of record pages' cached scores: what the admin sees while editing it. */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { followLiveRegions, render, waitFor, type Rendered } from '@/test/render';
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

it('says "Saved." only of the value saved, in a live region on the page before, and keeps a cleared field empty', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(RecordPagesSection)));
  const { container } = rendered;
  const input = await waitFor(() => container.querySelector<HTMLInputElement>('input[type="number"]'));
  const announced = followLiveRegions(container);
  expect(input.value).toBe('24');
  type(input, '48');
  act(() => container.querySelector('form')!.requestSubmit());
  await waitFor(() => announced().includes('Saved.') || null);
  expect(await recordStaleHours()).toBe(48);

  type(input, '');
  expect(input.value).toBe('');
  expect(announced()).toEqual([]);
  type(input, '72');
  expect(input.value).toBe('72');
  expect(announced()).toEqual([]);
});

it('names the hours field by what it sets, and describes it by the explanation above', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(RecordPagesSection)));
  const input = await waitFor(() => rendered!.container.querySelector<HTMLInputElement>('input[type="number"]'));
  // The label's words, without the field's own value: what a screen reader names the field.
  const label = input.closest('label')!;
  const name = Array.from(label.childNodes, (node) => (node === input ? '' : node.textContent)).join('').replace(/\s+/g, ' ').trim();
  expect(name).toBe('Reuse a score for at most hours');
  expect(document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/^When a CRM is connected, a lead's badge scores the full record/);
});
