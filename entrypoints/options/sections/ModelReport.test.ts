// @vitest-environment happy-dom
/**
 * The model report: the figures of a model trained on features the leakage guard flagged come
 * with those flags, long after the training report that named them is closed.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { render, waitFor, type Rendered } from '@/test/render';
import { db } from '@/lib/db/db';
import { bundledModel } from '@/lib/ml/bundled-model';
import { activateModel } from '@/lib/ml/model-versions';
import { KEEPS_CHANGING_REASON } from '@/lib/ml/train/training-set';
import { storeModel } from '../../../test/fixtures/stored-model';
import { ModelReportSection } from './ModelReport';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();

let rendered: Rendered | undefined;
// Without an IntersectionObserver, the report's charts draw at once.
beforeEach(async () => {
  vi.stubGlobal('IntersectionObserver', undefined);
  await Promise.all([db.models.clear(), db.settings.clear(), db.leadScores.clear()]);
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  vi.unstubAllGlobals();
});

/** The report of the active model, once its figures show. */
async function activeReport(): Promise<HTMLElement> {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(ModelReportSection)));
  const { container } = rendered;
  await waitFor(() => container.querySelector('.model-summary'));
  return container;
}

it('names beside the figures the flagged features the admin trained on all the same, with why each was flagged', async () => {
  const provenance = { ...bundled.provenance, leakageFlagsKept: [{ key: 'web_visits', reason: KEEPS_CHANGING_REASON }] };
  await storeModel({ ...bundled, modelId: 'trained-1', provenance }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  const note = (await activeReport()).querySelector('[role="note"][data-testid="kept-leakage"]');
  expect(note).not.toBeNull();
  expect(note!.textContent).toContain('These figures may be better than the model does on new leads: it reads features the leakage guard flagged');
  expect(Array.from(note!.querySelectorAll('li'), (item) => item.textContent)).toEqual([`Website visits: ${KEEPS_CHANGING_REASON}.`]);
});

it('adds no caveat to a model trained without flagged features', async () => {
  expect((await activeReport()).querySelector('[data-testid="kept-leakage"]')).toBeNull();
});
