// @vitest-environment happy-dom
/**
 * The leads fieldset says what the window's numbers are counted back from: for an imported file,
 * its latest created date, as the training job counts them (`leadAgesCountedFrom`); for a CRM, today.
 * A minimum age that leaves nothing of the window is refused, naming both fields.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement, Fragment } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { db } from '@/lib/db/db';
import type { SourceKind } from '@/lib/ml/featurize';
import { render, waitFor, type Rendered } from '@/test/render';
import { inTimeZone } from '@/test/time-zone';
import { storedLead } from '../../../../test/fixtures/stored-lead';
import { describeWindow, placeInWindow, windowCountedBackFrom } from '@/lib/ml/train/training-set';
import type { HistorySample } from './history-sample';
import {
  emptyWindowProblem,
  LeadsFieldset,
  MIN_AGE_DAYS,
  trainingWindow,
  useWholeNumberField,
  WINDOW_MONTHS,
  type WholeNumberField,
  type WholeNumberSpec,
} from './LeadsFieldset';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const exported = Date.UTC(2025, 5, 30);
const HISTORY: HistorySample = { leads: 3, demo: false, demoLeftOut: 0, fields: ['converted'], outcomeValues: {}, createdDates: true, fingerprint: 'f', keysName: 'f', importedOutcome: null };
const field = (spec: WholeNumberSpec, value = spec.initial, refused = false): WholeNumberField => ({ spec, typed: String(value), value, refused, problemId: spec.takes, type: () => {} });

let rendered: Rendered | undefined;
beforeEach(async () => {
  await Promise.all(db.leadTables.map((table) => table.clear()));
  // A file exported on 2025-06-30, one of its rows with no created date; a synced lead created today.
  await db.putLeads([
    storedLead({ source: 'csv', id: 'row-1', origin: 'csv', createdAt: exported - 90 * DAY }),
    storedLead({ source: 'csv', id: 'row-2', origin: 'csv', createdAt: exported }),
    storedLead({ source: 'csv', id: 'row-3', origin: 'csv' }),
    storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync', createdAt: Date.now() }),
  ]);
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

const renderFor = (source: SourceKind) => {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const fieldset = createElement(LeadsFieldset, { source, history: HISTORY, ownLeadsElsewhere: [], months: field(WINDOW_MONTHS), minAgeDays: field(MIN_AGE_DAYS), windowProblem: null, onSourceChange: () => {} });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, fieldset));
  return rendered.container;
};

it('says beside the window of an imported file that its numbers count back from the file’s latest created date, not from today', async () => {
  const container = renderFor('csv');
  const note = () => container.querySelector('[data-testid="window-counted-from"]')?.textContent;
  // Said at once, and with the date once the leads are read.
  expect(note()).toMatch(/counted back from the file's latest created date, not from today/);
  expect(await waitFor(() => (note()?.includes('2025') ? note() : null))).toBe(
    " Both are counted back from the file's latest created date, Jun 30, 2025, not from today: the file holds its leads as they were when it was exported.",
  );
});

it("writes the file's latest created date as the file wrote it, wherever the browser is", () =>
  // A HubSpot export's `2025-06-30 23:30`, its exporter's clock read as if UTC: Jul 1 in Auckland, Jun 30 on the file's clock.
  inTimeZone('Pacific/Auckland', async () => {
    await db.putLeads([storedLead({ source: 'csv', id: 'row-2', origin: 'csv', createdAt: exported + 23.5 * HOUR })]);
    const container = renderFor('csv');
    const note = () => container.querySelector('[data-testid="window-counted-from"]')?.textContent;
    expect(await waitFor(() => (note()?.includes('2025') ? note() : null))).toContain("the file's latest created date, Jun 30, 2025, not from today");
  }));

it('says nothing of it for a CRM, whose window counts back from today', () => {
  const container = renderFor('salesforce');
  expect(container.querySelector('[data-testid="window-counted-from"]')).toBeNull();
  expect(container.textContent).toContain('(old enough to have an outcome).');
});

it('refuses a minimum age that leaves nothing of the window, naming both fields and the longest age that leaves some', () => {
  const problem = (months: number, minAgeDays: number) => emptyWindowProblem(field(WINDOW_MONTHS, months), field(MIN_AGE_DAYS, minAgeDays));
  expect(problem(1, 45)).toBe(
    'A minimum age of 45 days leaves nothing of a window of 1 month (31 days): every lead created in it is newer than that. ' +
      'Make "at least … days ago" 30 or fewer, or "Created in the last … months" longer: checking the data and training wait until some of the window is left.',
  );
  expect(problem(2, 61)).toMatch(/^A minimum age of 61 days leaves nothing of a window of 2 months \(61 days\)[^]* 60 or fewer/);
  // Each refused as the window the training would read is empty, or ends before it starts; the longest age it names leaves some.
  const now = Date.UTC(2026, 11, 5);
  for (const [months, minAgeDays, refused] of [
    [1, 31, true],
    [1, 30, false],
    [2, 61, true],
    [2, 60, false],
    [12, 365, false],
  ] as const) {
    const { createdAfter, createdBefore } = trainingWindow({ createdDates: true }, months, minAgeDays, now);
    expect(createdBefore! <= createdAfter!).toBe(refused);
    expect(problem(months, minAgeDays) !== null).toBe(refused);
  }
  // A field holding no valid number says so itself: the window is not judged on the last valid one.
  expect(emptyWindowProblem(field(WINDOW_MONTHS, 1), field(MIN_AGE_DAYS, 45, true))).toBeNull();
  expect(emptyWindowProblem(field(WINDOW_MONTHS, 1, true), field(MIN_AGE_DAYS, 45))).toBeNull();
});

it("starts a file's window at the first day it lets in, and says that day on the file's clock, wherever the browser is", async () => {
  // Asked at 3:37 pm on Jan 10, 2027; the file of created dates alone (each midnight UTC) counts back from its latest, Nov 29, 2026.
  const now = Date.UTC(2027, 0, 10, 15, 37);
  const fileDate = Date.UTC(2026, 10, 29);
  const window = windowCountedBackFrom(trainingWindow({ createdDates: true }, 12, 30, now), now, fileDate);
  const firstDayIn = [27, 28, 29].map((day) => Date.UTC(2025, 10, day)).find((day) => placeInWindow(day, window) === 'inside');
  expect(firstDayIn).toBe(Date.UTC(2025, 10, 28));
  // A file of date-times, its latest `2026-11-29 23:30` read as if UTC: its window's first day is the same, partly.
  const dateTimes = windowCountedBackFrom(trainingWindow({ createdDates: true }, 12, 30, now), now, fileDate + 23.5 * HOUR);
  for (const timeZone of ['America/Los_Angeles', 'UTC', 'Pacific/Auckland']) {
    await inTimeZone(timeZone, () => {
      expect(describeWindow(window, 'file'), timeZone).toBe('created Nov 28, 2025 to Oct 30, 2026');
      expect(describeWindow(dateTimes, 'file'), timeZone).toBe('created Nov 28, 2025 to Oct 30, 2026');
    });
  }
});

/** The form's two window fields as the admin types in them, and the numbers it uses meanwhile (`useWholeNumberField`). */
function TypedWindow({ onNewValue }: { onNewValue(): void }) {
  const months = useWholeNumberField(WINDOW_MONTHS, onNewValue);
  const minAgeDays = useWholeNumberField(MIN_AGE_DAYS, onNewValue);
  return createElement(
    Fragment,
    null,
    createElement(LeadsFieldset, { source: 'salesforce', history: HISTORY, ownLeadsElsewhere: [], months, minAgeDays, windowProblem: null, onSourceChange: () => {} }),
    createElement('output', { 'data-testid': 'window-used' }, `${months.value} months, ${minAgeDays.value} days`),
  );
}

/** Types `text` into `input` as a user does: React hears an input event. */
function type(input: HTMLInputElement, text: string) {
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

it('refuses a window typed with a comma beside its field ("1,5" months, "3,0" days: Chromium\'s number field read 15 and 30), keeping it typed and the last valid number used', () => {
  const onNewValue = vi.fn();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(TypedWindow, { onNewValue })));
  const { container } = rendered;
  const input = (label: string) => Array.from(container.querySelectorAll('label')).find((element) => element.textContent?.startsWith(label))!.querySelector('input')!;
  const describedBy = (control: Element) => document.getElementById(control.getAttribute('aria-describedby') ?? '')?.textContent;
  const used = () => container.querySelector('[data-testid="window-used"]')?.textContent;
  const [months, minAge] = [input('Created in the last'), input('and at least')];
  const notes = [
    [months, '1,5', ' The window is a whole number of months from 1 to 120, written in digits only (no comma): checking the data and training wait for one.'],
    [minAge, '3,0', ' The minimum age is a whole number of days from 0 (none) to 365, written in digits only (no comma): checking the data and training wait for one.'],
  ] as const;
  for (const [field, typed, note] of notes) {
    type(field, typed);
    expect(field.value).toBe(typed);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(describedBy(field)).toBe(note);
  }
  expect(used()).toBe('12 months, 30 days');
  expect(onNewValue).not.toHaveBeenCalled();
  // Text fields read by one parser: a number field reads "1,5" as another number, unflagged.
  for (const field of [months, minAge]) {
    expect(field.type).toBe('text');
    expect(field.inputMode).toBe('numeric');
  }

  // A fraction is no whole number: the note says what the field takes.
  type(months, '1.5');
  expect(describedBy(months)).toBe(' The window is a whole number of months from 1 to 120: checking the data and training wait for one.');
  // Whole numbers are taken, and the notes go.
  type(months, '6');
  type(minAge, '45');
  expect(used()).toBe('6 months, 45 days');
  expect(onNewValue).toHaveBeenCalledTimes(2);
  expect(container.querySelector('[data-testid="months-problem"], [data-testid="min-age-problem"]')).toBeNull();
  for (const field of [months, minAge]) expect(field.hasAttribute('aria-invalid')).toBe(false);
});
