// @vitest-environment happy-dom
/**
 * What the options page reads again of the models when a job another context ran ends: a tier
 * policy applied in another tab (its re-tier), and another tab's training of the active model
 * again to its own id (its activation's scoring of every lead). The side panel reads them again then too.
 * And what it reads again when the background tells it of another context's change: the connections,
 * syncs and write-backs after a connect, Disconnect or a run's start; everything after "Purge everything".
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider, type QueryKey } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '@/lib/db/db';
import { writeJob, type JobKind } from '@/lib/jobs/progress';
import { broadcastToPages } from '@/lib/messaging/events';
import { bundledModel } from '@/lib/ml/bundled-model';
import { DERIVED_READING_VERSION } from '@/lib/ml/derive';
import type { Tiers } from '@/lib/ml/manifest';
import { setTiers } from '@/lib/ml/model-store';
import { activateModel, recordNewerReading } from '@/lib/ml/model-versions';
import { describeTierPolicy } from '@/lib/ml/tier-policy';
import { sentenceStart } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { render, waitFor, type Rendered } from '@/test/render';
import { storeModel } from '../../test/fixtures/stored-model';
import { App } from './App';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
// The Active model section alone: it shows the active model's thresholds and whether its reading is out of date.
vi.mock('./sections', async () => ({ optionsSections: [{ id: 'model', title: 'Active model', Component: (await import('./sections/ActiveModel')).ActiveModelSection }] }));

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();

let rendered: Rendered | undefined;
beforeEach(async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/** The page with model `modelId` active, once its summary shows it. */
async function openPageWithActive(modelId: string): Promise<HTMLElement> {
  await activateModel(modelId);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(App)));
  const { container } = rendered;
  await waitFor(() => container.querySelector('.model-summary')?.textContent?.includes(modelId) || null);
  return container;
}

/** A job of `kind` another context ran, from its start to its end. */
async function jobRunsElsewhere(kind: JobKind, modelId: string): Promise<void> {
  await act(() => writeJob(kind, { modelId, state: 'running', done: 0, total: 1, startedAt: 1 }));
  await act(() => writeJob(kind, { modelId, state: 'done', done: 1, total: 1, startedAt: 1, finishedAt: 2 }));
}

const summary = (page: HTMLElement) => page.querySelector('.model-summary')?.textContent ?? '';

it("shows the thresholds of a tier policy another tab applied once its re-tier ends, not those before", async () => {
  await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
  const page = await openPageWithActive('trained-1');
  const tiersShown = (tiers: Tiers) => summary(page).endsWith(`Tiers${sentenceStart(describeTierPolicy(tiers))}`);
  expect(tiersShown(bundled.tiers)).toBe(true);
  // Another tab's Apply: the policy saved, then the stored scores re-tiered by it.
  const applied: Tiers = { policy: { kind: 'fixed' }, hot: 0.25, warm: 0.05 };
  await act(() => setTiers('trained-1', applied));
  await jobRunsElsewhere('retier', 'trained-1');
  await waitFor(() => tiersShown(applied) || null);
});

it('says no more that the active model reads its fields otherwise once another tab trained it again to its own id and the activation’s scoring ends', async () => {
  const { derivedReadingVersion: _recorded, ...older } = bundled;
  await storeModel({ ...older, modelId: 'older-1' }, new Uint8Array([1]), 'trained');
  const page = await openPageWithActive('older-1');
  expect(page.querySelector('[data-testid="reading-changed-note"]')).not.toBeNull();
  // Another tab's training on the same history: its stored copy takes this version's reading, and its activation (of the model active already) scores every lead.
  expect(await act(() => recordNewerReading('older-1', { ...bundled, derivedReadingVersion: DERIVED_READING_VERSION }))).toBe(true);
  await jobRunsElsewhere('scoring', 'older-1');
  await waitFor(() => (page.querySelector('[data-testid="reading-changed-note"]') ? null : true));
});

describe("another context's change the background tells of", () => {
  const otherKeys = [queryKeys.connections(), queryKeys.syncs(), queryKeys.writeBacks(), queryKeys.models(), queryKeys.recordStaleHours(), queryKeys.leads()];
  /** The page open, with every key of `otherKeys` read (by sections not drawn here). */
  function openPage(): QueryClient {
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    for (const queryKey of otherKeys) queryClient.setQueryData(queryKey, 'read');
    rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(App)));
    return queryClient;
  }
  const invalidated = (queryClient: QueryClient, keys: readonly QueryKey[]) => keys.filter((queryKey) => queryClient.getQueryState(queryKey)?.isInvalidated);

  it('reads the connections, syncs and write-backs again after a connect, a Disconnect or a run started elsewhere, and nothing else', async () => {
    const queryClient = openPage();
    await act(() => broadcastToPages('connectionsOrRunsChanged', {}));
    await waitFor(() => (invalidated(queryClient, otherKeys).length > 0 ? true : null));
    expect(invalidated(queryClient, otherKeys)).toEqual([queryKeys.connections(), queryKeys.syncs(), queryKeys.writeBacks()]);
  });

  it('reads everything again after "Purge everything" in another tab, as the purging page does; only the leads after other deletions', async () => {
    const queryClient = openPage();
    await act(() => broadcastToPages('storedDataDeleted', {}));
    await waitFor(() => (invalidated(queryClient, otherKeys).length > 0 ? true : null));
    expect(invalidated(queryClient, otherKeys)).toEqual([queryKeys.leads()]);
    await act(() => broadcastToPages('storedDataDeleted', { everything: true }));
    await waitFor(() => (invalidated(queryClient, otherKeys).length === otherKeys.length ? true : null));
  });
});
