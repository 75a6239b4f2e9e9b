// @vitest-environment happy-dom
/**
 * The active model section: a model trained before LeadLens changed how it reads some fields
 * (a job title's seniority, a page's category, …) says so, naming those fields, as its scores
 * now read them otherwise than it learnt.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { render, waitFor, type Rendered } from '@/test/render';
import { db } from '@/lib/db/db';
import { bundledModel } from '@/lib/ml/bundled-model';
import { DERIVED_READING_VERSION } from '@/lib/ml/derive';
import type { Manifest } from '@/lib/ml/manifest';
import { activateModel } from '@/lib/ml/model-versions';
import { storeModel } from '../../../test/fixtures/stored-model';
import { ActiveModelSection } from './ActiveModel';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

/** The bundled model as one trained before the reading's version was recorded. */
const { derivedReadingVersion: _recorded, ...older } = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();

/** `manifest` with only the features of `keys` (its terms and reference of them only), as a model trained on those alone. */
function withFeatures(manifest: Manifest, keys: string[]): Manifest {
  const kept = manifest.features.flatMap((feature, index) => (keys.includes(feature.key) ? [index] : []));
  const newIndex = new Map(kept.map((index, i) => [index, i]));
  return {
    ...manifest,
    features: kept.map((index) => manifest.features[index]),
    terms: manifest.terms.filter((term) => term.features.every((index) => newIndex.has(index))).map((term) => ({ ...term, features: term.features.map((index) => newIndex.get(index)!) })),
    reference: { ...manifest.reference, features: manifest.reference.features.filter((reference) => keys.includes(reference.key)) },
  };
}

let rendered: Rendered | undefined;
beforeEach(async () => {
  await Promise.all([db.models.clear(), db.settings.clear(), db.leadScores.clear()]);
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/** The section with `manifest`'s model active, once its summary shows. */
async function activeSection(manifest: Manifest): Promise<HTMLElement> {
  await storeModel(manifest, new Uint8Array([1]), 'trained');
  await activateModel(manifest.modelId);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(ActiveModelSection)));
  const { container } = rendered;
  await waitFor(() => container.querySelector('.model-summary')?.textContent?.includes(manifest.modelId) || null);
  return container;
}

const readingNote = (section: HTMLElement) => section.querySelector('[role="note"][data-testid="reading-changed-note"]');

it('tells that a model trained before the reading changed scores by the new reading, counting its fields that may read otherwise and naming three', async () => {
  const section = await activeSection({ ...older, modelId: 'older-1' });
  // Its fields read by a revised reading only (not a category as written: Lead source, Industry, Country), in its order.
  expect(readingNote(section)?.textContent).toBe(
    'older-1 was trained before this version of LeadLens changed how it reads some values: 14 of its fields may read differently now (Annual revenue, Employees, Title seniority and 11 more), and its scores use the new reading. Train it again so it learns from the reading it scores with.',
  );
});

it('names every field that may read otherwise when there are three or fewer', async () => {
  const section = await activeSection({ ...withFeatures(older, ['lead_source', 'title_seniority', 'last_page']), modelId: 'older-2' });
  expect(readingNote(section)?.textContent).toBe(
    'older-2 was trained before this version of LeadLens changed how it reads some values: 2 of its fields may read differently now (Title seniority and Last page seen), and its scores use the new reading. Train it again so it learns from the reading it scores with.',
  );
});

it('says nothing of it for a model trained with the current reading', async () => {
  const section = await activeSection({ ...older, modelId: 'current-1', derivedReadingVersion: DERIVED_READING_VERSION });
  expect(readingNote(section)).toBeNull();
});

it('says nothing of it for an older model that reads its fields as written only (categories)', async () => {
  const section = await activeSection({ ...withFeatures(older, ['lead_source', 'industry', 'country']), modelId: 'plain-1' });
  expect(section.querySelector('.model-summary')?.textContent).toContain('plain-1');
  expect(readingNote(section)).toBeNull();
});
