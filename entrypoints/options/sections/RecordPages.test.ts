// @vitest-environment happy-dom
/** The "older than" setting of record pages' cached scores: what the admin sees while editing it. */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { deferred } from '@/test/deferred';
import { followLiveRegions, pressEnter, render, waitFor, type Rendered } from '@/test/render';
import { db } from '@/lib/db/db';
import { recordStaleHours, setRecordStaleHours } from '@/lib/settings/record-staleness';
import { RecordPagesSection } from './RecordPages';

// The real save, watched, and held when a test says so.
vi.mock('@/lib/settings/record-staleness', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/settings/record-staleness')>();
  return { ...actual, setRecordStaleHours: vi.fn(actual.setRecordStaleHours) };
});

let rendered: Rendered | undefined;
beforeEach(async () => {
  await db.settings.clear();
  vi.mocked(setRecordStaleHours).mockClear();
});
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

/** The hours field, once the setting is read. */
const hoursField = (container: HTMLElement) => container.querySelector<HTMLInputElement>('label input');
/** The text of the elements `control` is described by (aria-describedby), in order. */
const describedBy = (control: Element) =>
  (control.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent);

it('says "Saved." only of the value saved, in a live region on the page before, and keeps a cleared field empty', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(RecordPagesSection)));
  const { container } = rendered;
  const input = await waitFor(() => hoursField(container));
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
  const input = await waitFor(() => hoursField(rendered!.container));
  // The label's words, without the field's own value: what a screen reader names the field.
  const label = input.closest('label')!;
  const name = Array.from(label.childNodes, (node) => (node === input ? '' : node.textContent)).join('').replace(/\s+/g, ' ').trim();
  expect(name).toBe('Reuse a score for at most hours');
  expect(document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/^When a CRM is connected, a lead's badge scores the full record/);
});

it('keeps the focus on Save while it saves (said unavailable, not disabled), and ignores another Save or Enter in the field meanwhile', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(RecordPagesSection)));
  const { container } = rendered;
  const input = await waitFor(() => hoursField(container));
  const saving = deferred();
  vi.mocked(setRecordStaleHours).mockReturnValueOnce(saving.promise);
  type(input, '48');
  const save = container.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  pressEnter(save);
  await waitFor(() => save.getAttribute('aria-disabled') === 'true' || save.disabled || null);
  expect(save.disabled).toBe(false);
  expect(document.activeElement).toBe(save);
  pressEnter(save);
  act(() => container.querySelector('form')!.requestSubmit()); // Enter in the field

  await act(async () => saving.resolve());
  await waitFor(() => save.getAttribute('aria-disabled') === 'false' || null);
  expect(document.activeElement).toBe(save);
  expect(setRecordStaleHours).toHaveBeenCalledTimes(1);
});

it('refuses hours with a comma beside the field and saves nothing ("1,5" was read as 15 by Chromium\'s number field), keeping what was typed', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(RecordPagesSection)));
  const { container } = rendered;
  const input = await waitFor(() => hoursField(container));
  const commaNote = 'Write the hours in digits only, without a comma: a whole number of hours from 1 to 8,760.';
  for (const typed of ['1,5', '2,5', '1,000']) {
    type(input, typed);
    act(() => container.querySelector('form')!.requestSubmit());
    expect(input.value).toBe(typed);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    // Said beside the field as an alert, and first in its description; the explanation stays.
    const [problem, explanation] = describedBy(input);
    expect(problem).toBe(commaNote);
    expect(explanation).toMatch(/^When a CRM is connected/);
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(commaNote);
  }
  expect(setRecordStaleHours).not.toHaveBeenCalled();
  expect(await recordStaleHours()).toBe(24);
  // A text field read by one parser: a number field reads "1,5" as another number, unflagged.
  expect(input.type).toBe('text');
  expect(input.inputMode).toBe('numeric');

  // Edited, the field is no longer said wrong; whole hours are saved.
  const announced = followLiveRegions(container);
  type(input, '36');
  expect(input.hasAttribute('aria-invalid')).toBe(false);
  expect(describedBy(input)).toEqual([expect.stringMatching(/^When a CRM is connected/)]);
  expect(container.querySelector('[role="alert"]')).toBeNull();
  act(() => container.querySelector('form')!.requestSubmit());
  await waitFor(() => announced().includes('Saved.') || null);
  expect(await recordStaleHours()).toBe(36);
});

it('refuses a fraction, an emptied field and hours out of range beside the field, saying it again at each Save, and saves nothing', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(RecordPagesSection)));
  const { container } = rendered;
  const input = await waitFor(() => hoursField(container));
  const rangeNote = 'Enter a whole number of hours from 1 to 8,760.';
  for (const typed of ['1.5', '', '0', '-2', '8761']) {
    type(input, typed);
    act(() => container.querySelector('form')!.requestSubmit());
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(describedBy(input)[0]).toBe(rangeNote);
    // Another Save puts the alert on the page anew, so that it is said again.
    const alert = container.querySelector('[role="alert"]');
    act(() => container.querySelector('form')!.requestSubmit());
    expect(container.querySelector('[role="alert"]')).not.toBe(alert);
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(rangeNote);
  }
  expect(setRecordStaleHours).not.toHaveBeenCalled();
  expect(await recordStaleHours()).toBe(24);
});
