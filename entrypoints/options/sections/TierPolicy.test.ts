// @vitest-environment happy-dom
/** Applying a tier policy: what the admin is told when the stored leads could not be re-tiered. */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { render, waitFor, type Rendered } from '@/test/render';
import { db } from '@/lib/db/db';
import { activeManifest, manifestOf, setActiveModel } from '@/lib/ml/model-store';
import { formatRate } from '@/lib/presentation';
import type { previewInWorker } from '../policy-client';
import { TierPolicySection } from './TierPolicy';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
const retierStoredScores = vi.hoisted(() => vi.fn());
vi.mock('@/lib/messaging/client', () => ({ background: { retierStoredScores } }));
// Four stored outcomes (unless a test says none), previewed as the policy worker would (in place: no worker here).
const FOUR_OUTCOMES = { labels: Uint8Array.from([1, 0, 1, 0]), probabilities: Float64Array.from([0.9, 0.1, 0.6, 0.3]), heldOut: 0 };
const stored = vi.hoisted(() => ({ labelled: undefined as unknown }));
vi.mock('../policy-client', async () => {
  const { queryOptions } = await import('@tanstack/react-query');
  const { previewPolicy } = await import('@/lib/ml/tier-policy');
  return {
    labelledQuery: (modelId: string) => queryOptions({ queryKey: ['labelled', modelId], queryFn: async () => stored.labelled }),
    previewInWorker: async (...[data, policy, economics, fixed]: Parameters<typeof previewInWorker>) => previewPolicy(policy, data.labels, data.probabilities, economics, fixed),
  };
});

let rendered: Rendered | undefined;
beforeEach(async () => {
  stored.labelled = FOUR_OUTCOMES;
  await Promise.all([db.settings.clear(), db.models.clear()]);
  retierStoredScores.mockReset();
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

it('says the policy is saved when the stored leads could not be re-tiered, so the admin can retry', async () => {
  retierStoredScores.mockResolvedValue({ ok: false, error: 'The offscreen document could not be created' });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  const fixed = await waitFor(() => container.querySelector<HTMLInputElement>('input[value="fixed"]'));
  act(() => fixed.click());
  const apply = await waitFor(() => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Apply this policy' && !b.disabled));
  act(() => apply.click());
  const alert = await waitFor(() => container.querySelector('[role="alert"]'));
  expect(alert.textContent).toContain('The policy is saved and badges use it, but the stored leads could not be re-tiered (The offscreen document could not be created): apply it again to retry.');
  expect((await activeManifest()).tiers.policy).toEqual({ kind: 'fixed' });
});

it('follows the model made active meanwhile (another tab, an activation still scoring), and applies its policy to it', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  await waitFor(() => container.querySelector<HTMLInputElement>('input[value="fixed"]'));
  // Another model becomes active without this page asking.
  const bundled = await activeManifest();
  const other = { ...bundled, modelId: 'trained-2' };
  await db.models.put({ id: other.modelId, origin: 'trained', manifest: other, onnx: new Uint8Array([1]), addedAt: 1, checked: true });
  await act(() => setActiveModel(other.modelId));
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const fixed = await waitFor(() => container.querySelector<HTMLInputElement>('input[value="fixed"]'));
  act(() => fixed.click());
  const apply = await waitFor(() => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Apply this policy' && !b.disabled));
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  expect(retierStoredScores).toHaveBeenCalledWith({ modelId: 'trained-2' });
  expect((await manifestOf('trained-2')).tiers.policy).toEqual({ kind: 'fixed' });
  expect((await manifestOf(bundled.modelId)).tiers.policy).not.toEqual({ kind: 'fixed' });
});

it('applies a value policy before any stored lead has an outcome (its thresholds are cost and revenue alone), not a capacity one', async () => {
  stored.labelled = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0 };
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  const applyButton = () => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Apply this policy');
  await waitFor(() => container.querySelector<HTMLInputElement>('input[value="capacity"]'));
  expect(applyButton()?.disabled ?? true).toBe(true);
  act(() => container.querySelector<HTMLInputElement>('input[value="value"]')!.click());
  const apply = await waitFor(() => (applyButton()?.disabled === false ? applyButton()! : null));
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  expect((await activeManifest()).tiers.policy.kind).toBe('value');
});

it('says which thresholds are in force beside the preview, which chooses them again on the stored leads', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const inForce = await waitFor(() => rendered!.container.querySelector('[data-testid="policy-in-force"]'));
  const { tiers } = await activeManifest();
  expect(inForce.textContent).toContain(`In force now: Hot from ${formatRate(tiers.hot)} likely, Warm from ${formatRate(tiers.warm)} likely.`);
});

it('previews a policy without outcomes as its thresholds alone, not tiers of 0 contacts and 0 %', async () => {
  stored.labelled = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0 };
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  // The bundled model's capacity policy needs outcomes: the page says when one counts.
  const capacityNote = await waitFor(() => [...container.querySelectorAll('p')].find((p) => p.textContent?.includes('A capacity policy')) ?? null);
  expect(capacityNote.textContent).toContain('once it is 30 days old');
  expect(capacityNote.textContent).not.toContain('$');
  act(() => container.querySelector<HTMLInputElement>('input[value="value"]')!.click());
  const note = await waitFor(() => container.querySelector('[data-testid="policy-no-outcomes"]'));
  expect(note.textContent).toContain('No stored lead has a known outcome yet');
  expect(container.querySelector('[data-testid="policy-thresholds"]')).not.toBeNull();
  expect(container.querySelector('[data-testid="policy-outcomes"]')).toBeNull();
  expect(container.textContent).not.toContain('expected profit');
});

it('says when the outcomes are too few to go by, and calls an empty tier\u2019s rate unknown', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  const fixed = await waitFor(() => container.querySelector<HTMLInputElement>('input[value="fixed"]'));
  act(() => fixed.click());
  // Hot from 95 %: none of the four leads (0.9 at most) is hot.
  const hotField = await waitFor(() => [...container.querySelectorAll('label')].find((label) => label.textContent?.startsWith('Hot'))?.querySelector('input') ?? null);
  act(() => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    setValue.call(hotField, '95');
    hotField.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const few = await waitFor(() => container.querySelector('[data-testid="policy-few-outcomes"]'));
  expect(few.textContent).toContain('Only 4 stored leads have a known outcome');
  const hotRow = await waitFor(() => {
    const row = [...container.querySelectorAll('[data-testid="policy-outcomes"] tbody tr')][0];
    return row?.textContent?.includes('unknown') ? row : null;
  });
  expect(hotRow.textContent).toContain('unknown (no lead)');
});
