// @vitest-environment happy-dom
/** Applying a tier policy: what the admin is told when the stored leads could not be re-tiered. */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { click, followLiveRegions, pressEnter, render, waitFor, type Rendered } from '@/test/render';
import { db, scoreKeyOf } from '@/lib/db/db';
import { forgetOwedRetier, oweScoringOfEveryLead, owedRetiers, settleOwedScoring, writeJob } from '@/lib/jobs/progress';
import { backgroundProtocol } from '@/lib/messaging/protocol';
import { createClient } from '@/lib/messaging/rpc';
import { retierOwedScores } from '@/lib/background/retier';
import { stubWebLocks } from '@/test/web-locks';
import { activeManifest, manifestOf, setActiveModel, setTiers } from '@/lib/ml/model-store';
import { formatRate, formatThreshold } from '@/lib/presentation';
import { keepPolicyFigures } from '@/lib/ml/policy-figures';
import { describeTierPolicy, previewPolicy } from '@/lib/ml/tier-policy';
import { CUT_MARGIN } from '@/lib/ml/train/thresholds';
import { queryKeys } from '@/lib/query-keys';
import type { previewInWorker } from '../policy-client';
import { TierPolicySection } from './TierPolicy';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
const retierStoredScores = vi.hoisted(() => vi.fn());
vi.mock('@/lib/messaging/client', () => ({ background: { retierStoredScores } }));
// Where start-up's check (`retierOwedScores`) asks for a re-tiering owed: the offscreen document.
const retierStoredScoresOffscreen = vi.hoisted(() => vi.fn(async () => ({ ok: true as const, changed: 0 })));
vi.mock('@/lib/background/offscreen-engine', () => ({ retierStoredScoresOffscreen }));
// Four stored outcomes (unless a test says none, or that reading them fails or takes long), previewed as the policy worker would (in place: no worker here).
const FOUR_OUTCOMES = { labels: Uint8Array.from([1, 0, 1, 0]), probabilities: Float64Array.from([0.9, 0.1, 0.6, 0.3]), heldOut: 0, ranked: Float64Array.from([0.9, 0.1, 0.6, 0.3]) };
/** Ten scored leads, none with a known outcome yet (a new org's first sync). */
const SCORED_NO_OUTCOME = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0, ranked: Float64Array.from([0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.25, 0.15, 0.05]) };
// `previewsHeld`: a promise each preview waits for (a worker busy for seconds), when a test holds them.
// `previews` and `confusions`: how many previews were computed, and confusions counted (in a preview or on the page).
const stored = vi.hoisted(() => ({ labelled: undefined as unknown, readFailure: null as Error | null, reads: 0, previewsHeld: null as Promise<void> | null, previews: 0, confusions: 0 }));
vi.mock('@/lib/ml/train/metrics', async (importOriginal) => {
  const metrics = await importOriginal<typeof import('@/lib/ml/train/metrics')>();
  return {
    ...metrics,
    confusionAt: (...args: Parameters<typeof metrics.confusionAt>) => {
      stored.confusions++;
      return metrics.confusionAt(...args);
    },
  };
});
vi.mock('../policy-client', async () => {
  const { queryOptions } = await import('@tanstack/react-query');
  const { queryKeys } = await import('@/lib/query-keys');
  const { previewLabelled } = await import('@/lib/ml/tier-policy');
  return {
    labelledQuery: (modelId: string) =>
      queryOptions({
        queryKey: queryKeys.labelledLeads(modelId),
        queryFn: async () => {
          stored.reads++;
          if (stored.readFailure) throw stored.readFailure;
          return stored.labelled;
        },
      }),
    previewInWorker: async (...[data, policy, calibration, economics, fixed]: Parameters<typeof previewInWorker>) => {
      await stored.previewsHeld;
      stored.previews++;
      return previewLabelled(data, policy, calibration, economics, fixed);
    },
  };
});

let rendered: Rendered | undefined;
beforeEach(async () => {
  stored.labelled = FOUR_OUTCOMES;
  stored.readFailure = null;
  stored.reads = 0;
  stored.previewsHeld = null;
  stored.previews = 0;
  stored.confusions = 0;
  await Promise.all([db.settings.clear(), db.models.clear(), db.leads.clear(), db.leadSummaries.clear(), db.leadScores.clear()]);
  retierStoredScores.mockReset();
  retierStoredScoresOffscreen.mockClear();
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
  const apply = await waitFor(() => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Apply this policy' && b.getAttribute('aria-disabled') === 'false'));
  act(() => apply.click());
  const alert = await waitFor(() => container.querySelector('[role="alert"]'));
  expect(alert.textContent).toContain('The policy is saved and badges in this browser use it, but the stored leads could not be re-tiered (The offscreen document could not be created): apply it again to retry.');
  expect((await activeManifest()).tiers.policy).toEqual({ kind: 'fixed' });
});

/** Chrome's rejection when it stopped the background's worker before it answered (`ServiceWorker.stopAllWorkers` in the e2e). */
const CHANNEL_CLOSED = 'A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received';

/** The page's own client for `request`, over a `runtime.sendMessage` that Chrome rejects so, once `meanwhile` (what the background did before it was stopped) is done. */
function stoppedBeforeAnswering(meanwhile: (modelId: string) => Promise<unknown>) {
  return async ({ modelId }: { modelId: string }) => {
    await meanwhile(modelId);
    vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockRejectedValueOnce(new Error(CHANNEL_CLOSED));
    return createClient(backgroundProtocol, 'background').retierStoredScores({ modelId });
  };
}

/** What Apply says of the stored leads, once it said it. */
async function appliedSaid(container: HTMLElement) {
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.click());
  return (await waitFor(() => container.querySelector('[data-testid="policy-applied"], [role="alert"]'))).textContent;
}

it('says the policy is applied and its re-tiering goes on, not Chrome’s words, when the background was stopped while it re-tiered', async () => {
  retierStoredScores.mockImplementation(stoppedBeforeAnswering((modelId) => writeJob('retier', { modelId, state: 'running', done: 2, total: 10, startedAt: Date.now() })));
  const said = await appliedSaid(await renderPolicy('fixed'));
  expect(said).toMatch(
    /^Applied \(hot from [^)]+ likely\): badges in this browser use it\. LeadLens's background stopped while it re-tiered the stored leads: re-tiering them goes on where it stopped\.$/,
  );
  expect((await activeManifest()).tiers.policy).toEqual({ kind: 'fixed' });
});

it('says the stored leads are re-tiered in their turn when the background was stopped before their re-tiering began, and tiered when it ended', async () => {
  retierStoredScores.mockImplementation(stoppedBeforeAnswering(async () => undefined));
  expect(await appliedSaid(await renderPolicy('fixed'))).toMatch(
    /^Applied \(hot from [^)]+ likely\): badges in this browser use it\. LeadLens's background stopped before it re-tiered the stored leads: they are re-tiered in their turn, when it starts again or at its hourly check at the latest\.$/,
  );
  rendered?.unmount();
  // Its run ended before the page read what is stored: the run's row keeps no count.
  retierStoredScores.mockImplementation(
    stoppedBeforeAnswering(async (modelId) => {
      await writeJob('retier', { modelId, state: 'done', done: 10, total: 10, startedAt: Date.now(), finishedAt: Date.now() });
      await forgetOwedRetier(modelId);
    }),
  );
  expect(await appliedSaid(await renderPolicy('value'))).toMatch(/^Applied: the stored leads are tiered by it \(hot from [^)]+ likely\); open badges update\.$/);
});

it('owes the re-tiering in the save of the policy: with the page closed before the background was asked, start-up asks for it', async () => {
  // The tab closes while the message is on its way: no answer ever comes, and the background never had it.
  retierStoredScores.mockReturnValue(new Promise(() => undefined));
  const container = await renderPolicy('fixed');
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  const { modelId, tiers } = await activeManifest();
  expect(tiers.policy).toEqual({ kind: 'fixed' });
  expect(await owedRetiers()).toEqual([{ modelId, owedAt: expect.any(Number) }]);
  rendered?.unmount();
  rendered = undefined;
  stubWebLocks();
  try {
    await retierOwedScores();
  } finally {
    vi.unstubAllGlobals();
  }
  expect(retierStoredScoresOffscreen.mock.calls).toEqual([[modelId]]);
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
  const apply = await waitFor(() => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Apply this policy' && b.getAttribute('aria-disabled') === 'false'));
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  expect(retierStoredScores).toHaveBeenCalledWith({ modelId: 'trained-2' });
  expect((await manifestOf('trained-2')).tiers.policy).toEqual({ kind: 'fixed' });
  expect((await manifestOf(bundled.modelId)).tiers.policy).not.toEqual({ kind: 'fixed' });
});

it('applies a value policy before any stored lead is scored (its thresholds are cost and revenue alone), not a capacity one (chosen by the scored leads\u2019 ranks)', async () => {
  stored.labelled = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0, ranked: new Float64Array(0) };
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  const applyButton = () => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Apply this policy');
  await waitFor(() => container.querySelector<HTMLInputElement>('input[value="capacity"]'));
  expect(applyButton()?.getAttribute('aria-disabled') ?? 'true').toBe('true');
  act(() => container.querySelector<HTMLInputElement>('input[value="value"]')!.click());
  const apply = await waitFor(() => (applyButton()?.getAttribute('aria-disabled') === 'false' ? applyButton()! : null));
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  expect((await activeManifest()).tiers.policy.kind).toBe('value');
});

it('previews and applies a capacity policy before any stored lead has an outcome, on the ranks of the scored leads, their conversions and profit unknown', async () => {
  // A new org: ten leads scored (95 %, 85 % … 5 %), none settled. The bundled model's policy: 10 hot and 20 warm of 100 a week.
  stored.labelled = SCORED_NO_OUTCOME;
  retierStoredScores.mockResolvedValue({ ok: true, changed: 3 });
  const container = await renderPolicy('capacity');
  const note = await waitFor(() => container.querySelector('[data-testid="policy-no-outcomes"]'));
  expect(note.textContent).toBe(
    "No stored lead has a known outcome yet (a lead's outcome counts once it is 30 days old), so each tier's conversions, conversion rate and profit are unknown; its contacts are its share of the 10 leads the model scored.",
  );
  expect(container.querySelector('[data-testid="policy-thresholds"]')!.textContent).toBe(`Hot from ${formatThreshold(0.95)} likely, Warm from ${formatThreshold(0.75)} likely.`);
  const cells = (row: number) => [...container.querySelectorAll('[data-testid="policy-outcomes"] tbody tr')[row].querySelectorAll('td')].map((cell) => cell.textContent);
  expect(cells(0)).toEqual(['10', 'unknown', 'unknown (no lead with a known outcome)']);
  expect(cells(1)).toEqual(['20', 'unknown', 'unknown (no lead with a known outcome)']);
  expect(container.querySelector('[data-testid="policy-profit-hot"]')!.textContent).toContain('the expected profit is unknown');
  // Nothing read off outcomes there are none of: no curves, no note on how few they are.
  expect(container.querySelector('[data-testid="policy-few-outcomes"]')).toBeNull();
  expect(container.querySelector('[data-testid="labelled-leads"]')).toBeNull();
  expect(container.querySelector('[data-testid="policy-no-scored-leads"]')).toBeNull();

  const hot = numberField(container, 'Hot leads worked per week');
  typeInto(hot, '20');
  await waitFor(() => (cells(0)[0] === '20' ? true : null));
  act(() => applyButton(container).click());
  await waitFor(() => container.querySelector('[data-testid="policy-applied"]'));
  // Each threshold just under its lead's probability.
  expect((await activeManifest()).tiers).toEqual({ policy: { kind: 'capacity', hotPerWeek: 20, warmPerWeek: 20, inflowPerWeek: 100 }, hot: 0.85 - CUT_MARGIN, warm: 0.65 - CUT_MARGIN });
});

it('takes the line saying what was applied away once the form shows another policy, beside whose preview it would read as applied', async () => {
  stored.labelled = SCORED_NO_OUTCOME;
  retierStoredScores.mockResolvedValue({ ok: true, changed: 3 });
  const container = await renderPolicy('capacity');
  await waitFor(() => container.querySelector('[data-testid="policy-no-outcomes"]'));
  const cells = (row: number) => [...container.querySelectorAll('[data-testid="policy-outcomes"] tbody tr')[row].querySelectorAll('td')].map((cell) => cell.textContent);
  typeInto(numberField(container, 'Hot leads worked per week'), '20');
  await waitFor(() => (cells(0)[0] === '20' ? true : null));
  act(() => applyButton(container).click());
  const appliedLine = () => container.querySelector('[data-testid="policy-applied"]');
  await waitFor(appliedLine);
  // Read back as the policy in force (its hidden fixed thresholds refilled), the form still shows it: the line stays.
  await waitFor(() => (container.querySelector('[data-testid="policy-in-force"]')?.textContent?.includes(formatThreshold(0.85 - CUT_MARGIN)) ? true : null));
  expect(appliedLine()!.textContent).toBe(`Applied: 3 stored leads changed tier (hot from ${formatThreshold(0.85 - CUT_MARGIN)}, warm from ${formatThreshold(0.65 - CUT_MARGIN)} likely); open badges update.`);
  // Another policy chosen, with other thresholds: nothing of it is applied.
  act(() => radio(container, 'value').click());
  await waitFor(() => (container.querySelector('[data-testid="policy-thresholds"]')?.textContent?.includes(`Hot from ${formatThreshold(0.1)} likely`) ? true : null));
  expect(appliedLine()).toBeNull();
  // Back to the policy applied, as applied: said again.
  act(() => radio(container, 'capacity').click());
  expect(appliedLine()).not.toBeNull();
  // A field of it edited: another policy too.
  typeInto(numberField(container, 'Hot leads worked per week'), '30');
  expect(appliedLine()).toBeNull();
});

it('applies nothing over a policy another tab applies while this one computes the preview it applies, even though it was unchanged when Apply was pressed', async () => {
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const { container, client } = await renderWithClient();
  act(() => radio(container, 'fixed').click());
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]'));
  // The preview of the edited form takes long: Apply waits for it.
  let releasePreviews!: () => void;
  stored.previewsHeld = new Promise((resolve) => (releasePreviews = resolve));
  typeInto(numberField(container, 'Hot from'), '40');
  act(() => applyButton(container).click());
  await waitFor(() => (container.textContent?.includes('Applying…') ? true : null));
  // Meanwhile another tab applies its policy, which this tab has not read.
  await changePolicyInForce(client, { read: false });
  await act(async () => releasePreviews());
  const refused = await waitFor(() => [...container.querySelectorAll('[role="alert"]')].find((alert) => alert.textContent?.startsWith('Nothing was applied')));
  expect(refused).toBeDefined();
  expect((await activeManifest()).tiers).toEqual(VALUE_TIERS);
  expect(retierStoredScores).not.toHaveBeenCalled();
  expect(await owedRetiers()).toEqual([]);
});

it('says which thresholds are in force beside the preview, which chooses them again on the stored leads', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const inForce = await waitFor(() => rendered!.container.querySelector('[data-testid="policy-in-force"]'));
  const { tiers } = await activeManifest();
  expect(inForce.textContent).toContain(`In force now: Hot from ${formatThreshold(tiers.hot)} likely, Warm from ${formatThreshold(tiers.warm)} likely.`);
});

it('previews a policy without outcomes as its thresholds alone, not tiers of 0 contacts and 0 %', async () => {
  stored.labelled = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0, ranked: new Float64Array(0) };
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  // The bundled model's capacity policy needs scored leads to rank: the page says so.
  const capacityNote = await waitFor(() => container.querySelector('[data-testid="policy-no-scored-leads"]'));
  expect(capacityNote.textContent).toBe(
    "A capacity policy's thresholds are chosen by the ranks of the leads the model scored, and it has scored none yet: load the demo data, sync your leads or import a file first.",
  );
  act(() => container.querySelector<HTMLInputElement>('input[value="value"]')!.click());
  const note = await waitFor(() => container.querySelector('[data-testid="policy-no-outcomes"]'));
  expect(note.textContent).toBe(
    "No stored lead has a known outcome yet (a lead's outcome counts once it is 30 days old), so what each tier would yield cannot be previewed: these thresholds come from the policy alone.",
  );
  expect(container.querySelector('[data-testid="policy-thresholds"]')).not.toBeNull();
  expect(container.querySelector('[data-testid="policy-outcomes"]')).toBeNull();
  expect(container.textContent).not.toContain('expected profit');
});

it('says from what age a lead\u2019s outcome counts by the minimum age the active model was trained with', async () => {
  stored.labelled = SCORED_NO_OUTCOME;
  const bundled = await activeManifest();
  const trained = { ...bundled, modelId: 'trained-90', outcomeRule: { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'], settledAfterDays: 90 } };
  await db.models.put({ id: trained.modelId, origin: 'trained', manifest: trained, onnx: new Uint8Array([1]), addedAt: 1, checked: true });
  await setActiveModel(trained.modelId);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  const capacityNote = await waitFor(() => container.querySelector('[data-testid="policy-no-outcomes"]'));
  expect(capacityNote.textContent).toContain("No stored lead has a known outcome yet (a lead's outcome counts once it is 90 days old), so");
  act(() => container.querySelector<HTMLInputElement>('input[value="value"]')!.click());
  const note = await waitFor(() => container.querySelector('[data-testid="policy-no-outcomes"]'));
  expect(note.textContent).toContain("No stored lead has a known outcome yet (a lead's outcome counts once it is 90 days old), so");
});

it('counts a file model\u2019s leads to the file\u2019s latest created date, written out, and a CRM model\u2019s to today, in each of its notes', async () => {
  // An imported file exported on Mar 12, 2024, read long after.
  const exported = Date.parse('2024-03-12T09:00:00Z');
  const row = (id: string, createdAt: number) => ({ key: `csv|${id}`, source: 'csv' as const, id, origin: 'csv' as const, name: id, owner: 'Grace', leadSource: 'Web', createdAt, modifiedAt: createdAt, outcome: 0 as const, fields: {} });
  await db.putLeads([row('1', exported - 90 * 86_400_000), row('2', exported)]);
  const bundled = await activeManifest();
  const activate = async (source: 'csv' | 'salesforce') => {
    const trained = { ...bundled, modelId: `trained-${source}`, outcomeRule: { source, field: 'Converted', positiveValues: ['yes'], settledAfterDays: 30 } };
    await db.models.put({ id: trained.modelId, origin: 'trained', manifest: trained, onnx: new Uint8Array([1]), addedAt: 1, checked: true });
    await setActiveModel(trained.modelId);
  };
  const chooseValue = async (container: HTMLElement) => {
    const value = await waitFor(() => container.querySelector<HTMLInputElement>('input[value="value"]'));
    act(() => value.click());
  };
  const renderSection = () => {
    rendered?.unmount();
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
    return rendered.container;
  };
  /** The note that appears once the section reads the words `when` (the file's date is read after the model). */
  const noteSaying = (container: HTMLElement, selector: string, when: string) => waitFor(() => [...container.querySelectorAll(selector)].find((note) => note.textContent?.includes(when)) ?? null);
  const fileWords = "created 30 or more days before Mar 12, 2024, the file's latest created date";
  const crmWords = "once it is 30 days old";
  const NONE = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0, ranked: new Float64Array(0) };

  stored.labelled = SCORED_NO_OUTCOME;
  await activate('csv');
  let container = renderSection();
  expect((await noteSaying(container, '[data-testid="policy-no-outcomes"]', fileWords)).textContent).toContain(`No stored lead has a known outcome yet (a lead's outcome counts if it was ${fileWords}), so`);
  stored.labelled = NONE;
  container = renderSection();
  await chooseValue(container);
  expect((await noteSaying(container, '[data-testid="policy-no-outcomes"]', 'No stored lead')).textContent).toContain(`No stored lead has a known outcome yet (a lead's outcome counts if it was ${fileWords}), so`);
  // With outcomes, the note under the preview says it too.
  stored.labelled = FOUR_OUTCOMES;
  container = renderSection();
  expect((await noteSaying(container, '[data-testid="labelled-leads"]', 'Mar 12, 2024')).textContent).toMatch(
    /^Conversions, rates, profit and the curves are computed from the 4 stored leads with a known outcome \(created 30 or more days before Mar 12, 2024, the file's latest created date\), /,
  );

  // A model trained on a CRM: its leads are as of today, whatever file is stored beside them.
  stored.labelled = SCORED_NO_OUTCOME;
  await activate('salesforce');
  container = renderSection();
  expect((await noteSaying(container, '[data-testid="policy-no-outcomes"]', 'No stored lead')).textContent).toContain(`(a lead's outcome counts ${crmWords}), so`);
  stored.labelled = NONE;
  container = renderSection();
  await chooseValue(container);
  expect((await noteSaying(container, '[data-testid="policy-no-outcomes"]', 'No stored lead')).textContent).toContain(`No stored lead has a known outcome yet (a lead's outcome counts ${crmWords}), so`);
});

it('says when the outcomes are too few to go by, and that an empty tier holds no lead, not that its rate is unknown', async () => {
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
  const hotCells = await waitFor(() => {
    const cells = [...container.querySelectorAll('[data-testid="policy-outcomes"] tbody tr')][0]?.querySelectorAll('td');
    return cells && cells[2].textContent === 'no leads in this tier' ? [...cells].map((cell) => cell.textContent) : null;
  });
  expect(hotCells).toEqual(['0', '0', 'no leads in this tier']);
  expect(container.querySelector('[data-testid="policy-profit-hot"]')!.textContent).toBe('Working the hot leads: no lead would be hot, so there are none to work.');
});

it('says a tier\u2019s rate is of how many leads, and too few to go by when a handful, though enough leads are known overall for no note', async () => {
  // 200 settled leads: one at 50 % (not converted) is the whole hot tier; the 199 at 5 % are warm, 10 of them converted.
  const probabilities = Float64Array.from({ length: 200 }, (_, i) => (i === 0 ? 0.5 : 0.05));
  stored.labelled = { labels: Uint8Array.from(probabilities, (_, i) => (i >= 1 && i <= 10 ? 1 : 0)), probabilities, heldOut: 0, ranked: probabilities };
  // The form's value defaults: $100 a conversion, $10 a contact: hot from 10 %, warm from 5 %; 100 new leads a week.
  const container = await renderPolicy('value');
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]')?.textContent?.includes(`Hot from ${formatRate(0.1)} likely`) || null);
  const hot = await waitFor(() => container.querySelector('[data-testid="policy-profit-hot"]'));
  const cells = (row: number) => [...container.querySelectorAll('[data-testid="policy-outcomes"] tbody tr')[row].querySelectorAll('td')].map((cell) => cell.textContent);
  expect(cells(0)).toEqual(['0.5', '0', `${formatRate(0)} of 1 lead (too few to go by)`]);
  expect(cells(1)).toEqual(['99.5', '5', `${formatRate(10 / 199)} of 199 leads`]);
  // 0.5 contacts, no conversion: a loss that one other outcome would turn into a gain.
  expect(hot.textContent).toBe('Working the hot leads: expected profit -$5.00 a week (at $100 per conversion, $10 per contact). Only 1 hot lead has a known outcome: too few to go by.');
  expect(container.querySelector('[data-testid="policy-profit-warm"]')!.textContent).toBe(
    'Working the warm leads too: -$495 a week (they convert too rarely to pay for their contacts: nurture them rather than work them).',
  );
  // 200 known: the note on few outcomes overall stays away; the tiers say it of themselves.
  expect(container.querySelector('[data-testid="policy-few-outcomes"]')).toBeNull();
});

/** The section with the fixed policy chosen and its preview shown. */
async function renderFixedPolicy() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  const fixed = await waitFor(() => container.querySelector<HTMLInputElement>('input[value="fixed"]'));
  act(() => fixed.click());
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]'));
  return container;
}

const numberField = (container: HTMLElement, name: string) =>
  [...container.querySelectorAll('label')].find((label) => label.textContent?.startsWith(name))!.querySelector('input')!;

/** Types into a field as a user does: React hears an input event. */
function typeInto(input: HTMLInputElement, text: string) {
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** Focus leaves the field, as Tab does. */
const leave = (input: HTMLInputElement) => act(() => void input.dispatchEvent(new FocusEvent('focusout', { bubbles: true })));

/** The text of what `element` is described by (aria-describedby), or null. */
const description = (element: HTMLElement) =>
  element.hasAttribute('aria-describedby')
    ? element.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)?.textContent).join(' ')
    : null;

/** The preview on the page, and whether it is framed as the last one while the form has a problem (with the line saying so), or null. */
const shownPreview = (container: HTMLElement) => {
  const thresholds = container.querySelector('[data-testid="policy-thresholds"]');
  if (!thresholds) return null;
  const framed = thresholds.closest<HTMLElement>('[data-testid="policy-preview"]')?.classList.contains('previous-preview') === true;
  return { thresholds: thresholds.textContent, framed, line: container.querySelector('[data-testid="policy-unfinished"]')?.textContent ?? null };
};

it('says what is wrong with a field beside it once the field is left, not at each keystroke, and previews and applies nothing meanwhile', async () => {
  const container = await renderFixedPolicy();
  const hot = numberField(container, 'Hot from');
  const before = shownPreview(container)!.thresholds;
  typeInto(hot, '');
  // Backspacing the field empty: nothing interrupts the screen reader yet, and the last preview stays, framed as the previous one, saying why.
  expect(container.querySelector('[role="alert"]')).toBeNull();
  expect(hot.getAttribute('aria-invalid')).toBeNull();
  expect(shownPreview(container)).toEqual({ thresholds: before, framed: true, line: "Finish the fields above to see this policy's preview; the one in the dashed frame below is the previous one." });

  leave(hot);
  const alert = container.querySelector('[role="alert"]')!;
  expect(alert.textContent).toBe('Hot from is empty: it must be between 0% and 100%.');
  expect(alert.closest('label')).toBeNull(); // not part of the field's name
  expect(hot.getAttribute('aria-invalid')).toBe('true');
  expect(description(hot)).toBe(alert.textContent);
  expect(numberField(container, 'Warm from').getAttribute('aria-invalid')).toBeNull();

  // Fixed: the problem goes at once.
  typeInto(hot, '40');
  expect(container.querySelector('[role="alert"]')).toBeNull();
  expect(hot.getAttribute('aria-invalid')).toBeNull();
  expect(description(hot)).toBeNull();
});

it('keeps the last preview, framed as the previous one, with a line saying to finish the fields, while a field holds what it refuses but is not left yet', async () => {
  const container = await renderPolicy('value');
  await waitFor(() => shownPreview(container));
  const before = shownPreview(container)!.thresholds;
  const leads = numberField(container, 'New leads per week');
  for (const typed of ['0', '0.5']) {
    typeInto(leads, typed);
    expect(container.querySelector('[role="alert"]')).toBeNull();
    expect(shownPreview(container)).toEqual({ thresholds: before, framed: true, line: "Finish the fields above to see this policy's preview; the one in the dashed frame below is the previous one." });
  }
  leave(leads);
  expect(container.querySelector('[role="alert"]')!.textContent).toContain('New leads per week');
  expect(shownPreview(container)).toMatchObject({ framed: true });
  // Fixed: this form's preview, in full, and the line goes.
  typeInto(leads, '250');
  await waitFor(() => container.querySelector('[data-testid="policy-outcomes"] caption')?.textContent?.includes('250 new leads') || null);
  expect(shownPreview(container)).toMatchObject({ framed: false, line: null });
});

it('says to finish the fields when the form opens with a problem and has no preview to show yet', async () => {
  const { modelId } = await activeManifest();
  await setTiers(modelId, { policy: { kind: 'capacity', hotPerWeek: 50, warmPerWeek: 50, inflowPerWeek: 100 }, hot: 0.6, warm: 0.1 });
  const { container } = await renderWithClient();
  // Once the scored leads a capacity policy is chosen by are read.
  const line = await waitFor(() => container.querySelector('[data-testid="policy-unfinished"]'));
  expect(line.textContent).toBe("Finish the fields above to see this policy's preview.");
  expect(shownPreview(container)).toBeNull();
});

it('says the problems again at each Apply, and applies nothing', async () => {
  const container = await renderFixedPolicy();
  const hot = numberField(container, 'Hot from');
  typeInto(hot, '150');
  const apply = () => click([...container.querySelectorAll('button')].find((b) => b.textContent === 'Apply this policy')!);
  apply();
  const first = container.querySelector('[role="alert"]')!;
  expect(first.textContent).toBe('Hot from must be between 0% and 100%.');
  expect(description(hot)).toBe(first.textContent);
  // The same problem, Apply pressed again: a new alert, which a screen reader says again.
  apply();
  const second = container.querySelector('[role="alert"]')!;
  expect(second).not.toBe(first);
  expect(second.textContent).toBe(first.textContent);
  await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  expect(retierStoredScores).not.toHaveBeenCalled();
  expect((await activeManifest()).tiers.policy.kind).not.toBe('fixed');
});

it('marks both fields of a problem between them, saying it beside the field it names first', async () => {
  const container = await renderFixedPolicy();
  const [hot, warm] = [numberField(container, 'Hot from'), numberField(container, 'Warm from')];
  typeInto(hot, '20');
  typeInto(warm, '30');
  leave(warm);
  const alert = container.querySelector('[role="alert"]')!;
  expect(alert.textContent).toBe('Warm from (30%) must not be above hot from (20%).');
  expect(alert.parentElement).toBe(warm.closest('label')!.parentElement);
  for (const field of [hot, warm]) {
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(description(field)).toBe(alert.textContent);
  }
});

it('announces the re-tiering and what applying changed in a live region on the page before', async () => {
  retierStoredScores.mockResolvedValue({ ok: true, changed: 3 });
  const container = await renderFixedPolicy();
  const announced = followLiveRegions(container);
  const apply = await waitFor(() => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Apply this policy' && b.getAttribute('aria-disabled') === 'false'));
  act(() => apply.click());
  await waitFor(() => announced().some((said) => said.startsWith('Applied: 3 stored leads changed tier')) || null);
});

it('describes where both hot and warm sit on the precision–recall and ROC curves, as both are marked', async () => {
  const container = await renderFixedPolicy();
  const { tiers } = await activeManifest();
  const { markers } = previewPolicy({ kind: 'fixed' }, FOUR_OUTCOMES.labels, FOUR_OUTCOMES.probabilities, { revenuePerConversion: 1, costPerContact: 0, leadsPerPeriod: 1 }, tiers);
  // Each chart takes up a new preview in its turn: until then it may describe the last policy's.
  const described = (title: string, description: string) =>
    waitFor(() => container.querySelector(`[role="img"][aria-label="${title}: ${description}"]`));
  await described(
    'Precision–recall',
    `hot: recall ${formatRate(markers.hot.pr[0])}, precision ${formatRate(markers.hot.pr[1])}; hot and warm together: recall ${formatRate(markers.warm.pr[0])}, precision ${formatRate(markers.warm.pr[1])}`,
  );
  await described('ROC', `conversions caught (recall): hot ${formatRate(markers.hot.roc[1])}, hot and warm together ${formatRate(markers.warm.roc[1])}`);
});

it('describes the curves by the confusion each preview counted at its thresholds, counting none again on the page', async () => {
  const container = await renderFixedPolicy();
  await waitFor(() => container.querySelector('[role="img"][aria-label^="ROC: "]'));
  expect(stored.previews).toBeGreaterThan(0);
  // Two a preview, its hot and its warm marker's.
  expect(stored.confusions).toBe(2 * stored.previews);
});

it('describes a precision or recall no lead with a known outcome can tell as unknown, as the model report does, not 0 %', async () => {
  const described = (container: HTMLElement, title: string, description: string) =>
    waitFor(() => container.querySelector(`[role="img"][aria-label="${title}: ${description}"]`));
  // Hot from 95 %: none of the four leads (0.9 at most) is at or above it, so its precision is unknown; its recall is 0 % (two conversions, neither caught).
  let container = await renderPolicy('fixed');
  typeInto(numberField(container, 'Hot from'), '95');
  typeInto(numberField(container, 'Warm from'), '50');
  await described(
    container,
    'Precision–recall',
    `hot: recall ${formatRate(0)}, precision unknown (no lead with a known outcome is at or above it); hot and warm together: recall ${formatRate(1)}, precision ${formatRate(1)}`,
  );
  await described(container, 'ROC', `conversions caught (recall): hot ${formatRate(0)}, hot and warm together ${formatRate(1)}`);

  // No lead with a known outcome converted: no recall to tell; hot from 80 % holds one of them, none converted (precision 0 %).
  rendered?.unmount();
  stored.labelled = { ...FOUR_OUTCOMES, labels: new Uint8Array(4) };
  container = await renderPolicy('fixed');
  typeInto(numberField(container, 'Hot from'), '80');
  typeInto(numberField(container, 'Warm from'), '50');
  const noConversion = 'unknown (no lead with a known outcome converted)';
  await described(
    container,
    'Precision–recall',
    `hot: recall ${noConversion}, precision ${formatRate(0)}; hot and warm together: recall ${noConversion}, precision ${formatRate(0)}`,
  );
  await described(container, 'ROC', `conversions caught (recall): hot ${noConversion}, hot and warm together ${noConversion}`);
});

it("says when a tie makes a capacity tier hold other than asked, and reads contacts off every scored lead and conversions off the settled ones", async () => {
  // A hundred scored leads, two settled; twelve share 0.5 across the 10th rank. The bundled model's policy: 10 hot and 20 warm of 100 a week.
  const ranked = Float64Array.from([0.95, 0.93, 0.92, 0.91, ...new Array(12).fill(0.5), ...Array.from({ length: 84 }, (_, i) => 0.4 - i * 0.004)]);
  stored.labelled = { labels: Uint8Array.from([1, 0]), probabilities: Float64Array.from([0.95, 0.1]), heldOut: 0, ranked };
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  const note = await waitFor(() => container.querySelector('[data-testid="policy-capacity-off"]'));
  expect(note.getAttribute('role')).toBe('note');
  expect(note.textContent).toContain('Hot holds 4% of the leads (about 4 a week), not the 10% asked (10 a week): 12 leads share the probability at the cut, 50%');
  expect(note.textContent).toContain('So warm holds 26% of the leads (about 26 a week), not the 20% asked (20 a week).');
  const cells = (row: number) => [...container.querySelectorAll('[data-testid="policy-outcomes"] tbody tr')[row].querySelectorAll('td')].map((cell) => cell.textContent);
  // Hot: 4 of the 100 scored, its one settled lead converted; warm: 26, none settled.
  expect(cells(0)).toEqual(['4', '4', `${formatRate(1)} of 1 lead (too few to go by)`]);
  expect(cells(1)).toEqual(['26', 'unknown', 'unknown (no lead with a known outcome)']);
  expect(container.querySelector('[data-testid="policy-sources"]')!.textContent).toBe(
    "Contacts are each tier's share of the 100 leads the model scored, outcome known or not; conversions, rates and profit are read from the 2 of them whose outcome is known, each tier's from those in it (counted beside its rate)." +
      // The chart's basis said, as its tiers' shares of the 2 differ far from those of the 100: its hot dot is not the weekly profit per lead.
      ` The profit chart below is per lead of those 2, of whom ${formatRate(0.5)} are hot and ${formatRate(0)} warm (of every lead scored, ${formatRate(0.04)} and ${formatRate(0.26)}), so its dots are not the weekly profits above per lead.`,
  );
  expect(container.textContent).toContain('the expected profit is unknown');
  // The note on the labelled leads claims only what they are read for.
  expect(container.querySelector('[data-testid="labelled-leads"]')!.textContent).toMatch(/^Conversions, rates, profit and the curves are computed from the 2 stored leads with a known outcome/);
});

it("names the CRM whose leads alone a model trained on them ranks, as the counts are", async () => {
  stored.labelled = { labels: Uint8Array.from([1, 0]), probabilities: Float64Array.from([0.95, 0.1]), heldOut: 0, ranked: Float64Array.from(Array.from({ length: 100 }, (_, i) => 1 - i / 100)) };
  const bundled = await activeManifest();
  const trained = { ...bundled, modelId: 'trained-sf', outcomeRule: { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'], settledAfterDays: 0 } };
  await db.models.put({ id: trained.modelId, origin: 'trained', manifest: trained, onnx: new Uint8Array([1]), addedAt: 1, checked: true });
  await setActiveModel(trained.modelId);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const sources = await waitFor(() => rendered!.container.querySelector('[data-testid="policy-sources"]'));
  expect(sources.textContent).toMatch(/^Contacts are each tier's share of the 100 Salesforce leads the model scored, outcome known or not;/);
  // None of these leads was one it learnt from: nothing to say of their held-out probabilities.
  expect(sources.textContent).not.toContain('check model');
});

/** Synced leads of `source` the active model scored at `probabilities`, as the side panel reads them (`loadScoredLeads`). */
async function storeScoredLeads(source: 'salesforce' | 'hubspot', probabilities: readonly number[]) {
  const { modelId } = await activeManifest();
  const keys = probabilities.map((_, i) => `${source}|${String(i).padStart(4, '0')}`);
  await db.putLeads(keys.map((key) => ({ key, source, id: key.split('|')[1], origin: 'sync' as const, name: key, owner: '', leadSource: '', createdAt: 10, modifiedAt: 20, outcome: null, fields: {} })));
  await db.leadScores.bulkPut(
    keys.map((leadKey, i) => ({ key: scoreKeyOf(modelId, leadKey), modelId, leadKey, probability: probabilities[i], score: 50, tier: 'cold' as const, topReason: '', scoredAt: 1 })),
  );
}

it('says what the side panel will count of the leads the model learnt from, by the scores they show, beside what the preview counts by their held-out probabilities, and why', async () => {
  // 100 ranked leads, 100% down to 1%; the first 20 the model learnt from, held out at 100%–81%, which it scores 95% itself.
  const ranked = Array.from({ length: 100 }, (_, i) => 1 - i / 100);
  stored.labelled = {
    labels: Uint8Array.from([1, 0]),
    probabilities: Float64Array.from([0.95, 0.1]),
    heldOut: 2,
    ranked: Float64Array.from(ranked),
    learntFromScores: new Float64Array(20).fill(0.95),
  };
  // The side panel's leads: the same 100, the first 20 at their stored 95%.
  await storeScoredLeads('salesforce', ranked.map((probability, i) => (i < 20 ? 0.95 : probability)));
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const sources = await waitFor(() => rendered!.container.querySelector('[data-testid="policy-sources"]'));
  expect(sources.textContent).toContain(
    'The leads the model learnt from count by the probability a check model trained without them gave them, as the thresholds were chosen, not by the score they show.',
  );
  // Not "a little": 10 hot a week of 100 is the top 10 held out; by the scores shown, the 20 learnt from are all hot.
  expect(sources.textContent).not.toContain('a little');
  const sidePanel = await waitFor(() => rendered!.container.querySelector('[data-testid="policy-side-panel"]'));
  expect(sidePanel.textContent).toBe(
    'Once applied, the side panel will count 20 hot (20%), 10 warm and 70 cold of the 100 stored Salesforce leads it tiers, each by the score it shows, with no filter chosen. ' +
      "The preview's contacts are shares of the 100 leads the model scored, of which it counts 10 hot (10%), 20 warm and 70 cold. " +
      'The 20 leads this model learnt from score higher by its own scores than on leads it never saw: ' +
      'the preview counts them by the probability a check model trained without them gave them, as the thresholds were chosen. New leads are tiered as previewed.',
  );
});

it("counts what the side panel will show over every stored lead it tiers, another CRM's too, not only the leads of the model's CRM the preview ranks", async () => {
  // A Salesforce model: the preview ranks its 100 Salesforce leads (100% down to 1%), none learnt from; 100 HubSpot leads are stored and scored too, lower.
  const salesforce = Array.from({ length: 100 }, (_, i) => 1 - i / 100);
  const hubspot = Array.from({ length: 100 }, (_, i) => (1 - i / 100) / 4);
  stored.labelled = { labels: Uint8Array.from([1, 0]), probabilities: Float64Array.from([0.95, 0.1]), heldOut: 0, ranked: Float64Array.from(salesforce) };
  const bundled = await activeManifest();
  const trained = { ...bundled, modelId: 'trained-sf', outcomeRule: { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'], settledAfterDays: 0 } };
  await db.models.put({ id: trained.modelId, origin: 'trained', manifest: trained, onnx: new Uint8Array([1]), addedAt: 1, checked: true });
  await setActiveModel(trained.modelId);
  await storeScoredLeads('salesforce', salesforce);
  await storeScoredLeads('hubspot', hubspot);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  // The bundled policy, 10 hot and 20 warm of 100 a week: hot from 91%, warm from 71% of the Salesforce leads; no HubSpot lead is above 25%.
  const sidePanel = await waitFor(() => rendered!.container.querySelector('[data-testid="policy-side-panel"]'));
  expect(sidePanel.textContent).toBe(
    'Once applied, the side panel will count 10 hot (5%), 20 warm and 170 cold of the 200 stored leads it tiers (100 Salesforce, 100 HubSpot), each by the score it shows, with no filter chosen. ' +
      "The preview's contacts are shares of the 100 Salesforce leads the model scored, of which it counts 10 hot (10%), 20 warm and 70 cold.",
  );
});

/** The section, its form filled in as `kind` gives (the bundled model's policy is by capacity). */
async function renderPolicy(kind: 'value' | 'capacity' | 'fixed') {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  const radio = await waitFor(() => container.querySelector<HTMLInputElement>(`input[value="${kind}"]`));
  act(() => radio.click());
  return container;
}

const applyButton = (container: HTMLElement) => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Apply this policy')!;

it("shows a value policy's hot and warm profit apart: its warm leads, below break-even, lose money", async () => {
  // Ten scored leads, all settled: four at 50 % (two converted), four at 7 % (none), two at 1 %.
  const probabilities = Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.07, 0.07, 0.07, 0.07, 0.01, 0.01]);
  stored.labelled = { labels: Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), probabilities, heldOut: 0, ranked: probabilities };
  // At $100 a conversion and $10 a contact (the form's defaults), hot from 10 %, warm from 5 %; 100 new leads a week.
  const container = await renderPolicy('value');
  // The capacity policy's preview stays on screen until the value policy's is computed.
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]')?.textContent?.includes(`Hot from ${formatRate(0.1)} likely`) || null);
  // What each tier yields follows the stored outcomes, read once the scoring job's row says no activation is scoring the leads.
  const hot = await waitFor(() => container.querySelector('[data-testid="policy-profit-hot"]'));
  // Hot: 40 contacts, 20 conversions: $2,000 − $400. Warm: 40 contacts, no conversion.
  // Each read from four leads of known outcome: too few to go by.
  expect(hot.textContent).toBe('Working the hot leads: expected profit $1,600 a week (at $100 per conversion, $10 per contact). Only 4 hot leads have a known outcome: too few to go by.');
  expect(container.querySelector('[data-testid="policy-profit-warm"]')!.textContent).toBe(
    'Working the warm leads too: -$400 a week (they convert too rarely to pay for their contacts: nurture them rather than work them). Only 4 warm leads have a known outcome: too few to go by.',
  );
  // Not the two together, which a loss on warm makes smaller than what hot alone earns.
  expect(container.textContent).not.toContain('$1,200');
  // Every scored lead has a known outcome: the chart and the weekly figures count the same leads, nothing to explain.
  expect(container.querySelector('[data-testid="policy-sources"]')!.textContent).not.toContain('profit chart');
});

it("sizes a value policy's tiers and counts their conversions on the same cross-fitted probabilities of the leads the model learnt from, as its model card counts them, and says so", async () => {
  // Ten leads the model learnt from, all settled. Through the shipped isotonic map, fitted on their outcomes, four are at 50 % (two
  // converted); through one fitted without each one's fold, two more lost ones are too.
  const probabilities = Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.07, 0.07, 0.07, 0.07, 0.01, 0.01]);
  const crossFitted = Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.07, 0.07, 0.01, 0.01]);
  stored.labelled = { labels: Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), probabilities, heldOut: 10, ranked: probabilities, crossFitted: { probabilities: crossFitted, ranked: crossFitted } };
  const bundled = await activeManifest();
  const calibration = { kind: 'isotonic' as const, logits: [-3, 0, 3], probabilities: [0.01, 0.07, 0.5] };
  await db.models.put({ id: 'trained-1', origin: 'trained', manifest: { ...bundled, modelId: 'trained-1', calibration }, onnx: new Uint8Array([1]), addedAt: 1, checked: true });
  await setActiveModel('trained-1');
  // At $100 a conversion and $10 a contact (the form's defaults), hot from 10 %, warm from 5 %; 100 new leads a week.
  const container = await renderPolicy('value');
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]')?.textContent?.includes(`Hot from ${formatRate(0.1)} likely`) || null);
  const cells = (row: number) => [...container.querySelectorAll('[data-testid="policy-outcomes"] tbody tr')[row].querySelectorAll('td')].map((cell) => cell.textContent);
  // Hot: 6 of the 10 a week, 2 of whose 6 converted (not 40 contacts, nor 50 % of 4 through the shipped map).
  await waitFor(() => container.querySelector('[data-testid="policy-outcomes"]'));
  expect(cells(0)).toEqual(['60', '20', `${formatRate(2 / 6)} of 6 leads (too few to go by)`]);
  expect(cells(1)).toEqual(['20', '0', `${formatRate(0)} of 2 leads (too few to go by)`]);
  const throughCrossFitted = ', through a calibration fitted without them too, as new leads meet the thresholds';
  expect(container.querySelector('[data-testid="policy-sources"]')!.textContent).toContain(
    `The leads the model learnt from count by the probability a check model trained without them gave them${throughCrossFitted}, not by the score they show.`,
  );
  expect(container.querySelector('[data-testid="labelled-leads"]')!.textContent).toContain(`so each is scored by a check model that never saw them${throughCrossFitted} (its own`);
  // Its profit, from the same leads: 20 conversions × $100 − 60 contacts × $10.
  expect(container.querySelector('[data-testid="policy-profit-hot"]')!.textContent).toMatch(/^Working the hot leads: expected profit \$1,400 a week/);
});

it('says a gain on warm leads with its sign, and money below $10 in cents', async () => {
  // Of the four outcomes, hot from 80 % and warm from 50 % hold one lead each, both converted.
  const container = await renderPolicy('fixed');
  typeInto(numberField(container, 'Hot from'), '80');
  typeInto(numberField(container, 'Warm from'), '50');
  typeInto(numberField(container, 'Revenue per conversion'), '5.5');
  typeInto(numberField(container, 'Cost per contact'), '0.4');
  // 25 contacts and 25 conversions a week in each tier: 25 × $5.50 − 25 × $0.40.
  const hot = await waitFor(() => {
    const found = container.querySelector('[data-testid="policy-profit-hot"]');
    return found?.textContent?.includes('$0.40') ? found : null;
  });
  expect(hot.textContent).toBe('Working the hot leads: expected profit $128 a week (at $5.50 per conversion, $0.40 per contact). Only 1 hot lead has a known outcome: too few to go by.');
  expect(container.querySelector('[data-testid="policy-profit-warm"]')!.textContent).toBe('Working the warm leads too: +$128 a week. Only 1 warm lead has a known outcome: too few to go by.');
});

it('writes money below a cent in significant digits and counts as the caption does, grouped, a decimal only where fractional', async () => {
  // Ten scored leads, all settled: four at 50 % (two converted), four at 7 %, two at 1 %.
  const probabilities = Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.07, 0.07, 0.07, 0.07, 0.01, 0.01]);
  stored.labelled = { labels: Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), probabilities, heldOut: 0, ranked: probabilities };
  // $40 a conversion, $0.004 a contact: hot from 0.01 %, so all ten are hot, warm and cold hold none.
  const container = await renderPolicy('value');
  typeInto(numberField(container, 'Revenue per conversion'), '40');
  typeInto(numberField(container, 'Cost per contact'), '0.004');
  typeInto(numberField(container, 'New leads per week'), '25000');
  const cells = (row: number) => [...container.querySelectorAll('[data-testid="policy-outcomes"] tbody tr')[row].querySelectorAll('td')].map((cell) => cell.textContent);
  await waitFor(() => (container.querySelector('[data-testid="policy-outcomes"] caption')?.textContent === 'Expected per week (25,000 new leads)' && cells(0)[0] === '25,000') || null);
  expect(cells(0)).toEqual(['25,000', '5,000', `${formatRate(0.2)} of 10 leads (too few to go by)`]);
  expect(cells(1)).toEqual(['0', '0', 'no leads in this tier']);
  expect(cells(2)).toEqual(['0', '0', 'no leads in this tier']);
  // 5,000 × $40 − 25,000 × $0.004.
  expect(container.querySelector('[data-testid="policy-profit-hot"]')!.textContent).toBe(
    'Working the hot leads: expected profit $199,900 a week (at $40 per conversion, $0.004 per contact). Only 10 hot leads have a known outcome: too few to go by.',
  );
  expect(container.querySelector('[data-testid="policy-profit-warm"]')!.textContent).toBe('Working the warm leads too: no lead would be warm, so there are none to work.');
  // 33 new leads a week: a tier's share of them is fractional, and says one decimal.
  typeInto(numberField(container, 'Cost per contact'), '10');
  typeInto(numberField(container, 'New leads per week'), '33');
  await waitFor(() => (cells(0)[0] === '13.2' ? true : null));
  expect(cells(0)).toEqual(['13.2', '6.6', `${formatRate(0.5)} of 4 leads (too few to go by)`]);
});

it('says beside the cost per contact when it is so far below the revenue that every lead the model scored would be hot, and still applies it', async () => {
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  // Four scored leads, the least likely 10%; $5,000 a conversion and $0.004 a contact: hot from 0.00008%.
  const container = await renderPolicy('value');
  typeInto(numberField(container, 'Revenue per conversion'), '5000');
  typeInto(numberField(container, 'Cost per contact'), '0.004');
  const note = await waitFor(() => container.querySelector('[data-testid="policy-sorts-no-scored-lead"]'));
  expect(note.textContent).toBe(
    'At $0.004 per contact and $5,000 per conversion, hot is from 0.00008% likely: all 4 leads the model scored are at least that likely (the least likely is 10%), so every lead would be hot, as at $0 per contact. Check what a contact costs, the time it takes included.',
  );
  // Beside the cost, which it describes, without marking it wrong: a warning, not a refusal.
  const cost = numberField(container, 'Cost per contact');
  expect(cost.getAttribute('aria-describedby')).toBe(note.id);
  expect(cost.getAttribute('aria-invalid')).toBeNull();
  expect(numberField(container, 'Revenue per conversion').getAttribute('aria-describedby')).toBe(note.id);
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]')?.textContent?.includes('Hot from 0.00008% likely') || null);
  // $750 a contact: hot from 15%, warm from 7.5%, every lead at least warm.
  typeInto(numberField(container, 'Cost per contact'), '750');
  await waitFor(() => container.querySelector('[data-testid="policy-sorts-no-scored-lead"]')?.textContent?.includes('no lead would be cold') || null);
  expect(container.querySelector('[data-testid="policy-sorts-no-scored-lead"]')!.textContent).toBe(
    'At $750 per contact and $5,000 per conversion, warm is from 7.5% likely: all 4 leads the model scored are at least that likely (the least likely is 10%), so no lead would be cold, and the tiers would not say which leads can wait. Check what a contact costs, the time it takes included.',
  );
  // $1,500 a contact: hot from 30%, warm from 15%, the least likely lead cold.
  typeInto(numberField(container, 'Cost per contact'), '1500');
  await waitFor(() => (container.querySelector('[data-testid="policy-sorts-no-scored-lead"]') ? null : true));
  typeInto(numberField(container, 'Cost per contact'), '0.004');
  await waitFor(() => container.querySelector('[data-testid="policy-sorts-no-scored-lead"]'));
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  expect((await activeManifest()).tiers).toMatchObject({ policy: { kind: 'value', revenuePerConversion: 5000, costPerContact: 0.004 } });
});

it('says a tier holding under a tenth of a lead a week as "<0.1", not as none', async () => {
  // Thirty scored and settled leads, one of them hot (it converted); one new lead a week.
  const probabilities = Float64Array.from([0.96, ...new Array(29).fill(0.1)]);
  stored.labelled = { labels: Uint8Array.from([1, ...new Array(29).fill(0)]), probabilities, heldOut: 0, ranked: probabilities };
  const container = await renderPolicy('fixed');
  typeInto(numberField(container, 'Hot from'), '95');
  typeInto(numberField(container, 'Warm from'), '50');
  typeInto(numberField(container, 'New leads per week'), '1');
  const cells = (row: number) => [...container.querySelectorAll('[data-testid="policy-outcomes"] tbody tr')[row].querySelectorAll('td')].map((cell) => cell.textContent);
  await waitFor(() => (container.querySelector('[data-testid="policy-outcomes"] caption')?.textContent === 'Expected per week (1 new lead)' && cells(0)[0] === '<0.1') || null);
  expect(cells(0)).toEqual(['<0.1', '<0.1', `${formatRate(1)} of 1 lead (too few to go by)`]);
  expect(cells(1)).toEqual(['0', '0', 'no leads in this tier']);
  expect(cells(2)).toEqual(['1', '0', `${formatRate(0)} of 29 leads (too few to go by)`]);
});

it('says at once why the form refuses the policy in force when it would leave no lead cold, and the model it is stored with still reads', async () => {
  // Applied before the form refused it, or made on the command line: 50 hot and 50 warm of 100 new leads a week.
  const { modelId } = await activeManifest();
  const tiers = { policy: { kind: 'capacity' as const, hotPerWeek: 50, warmPerWeek: 50, inflowPerWeek: 100 }, hot: 0.6, warm: 0.1 };
  await setTiers(modelId, tiers);
  const { container } = await renderWithClient();
  const alert = await waitFor(() => container.querySelector('[role="alert"]'));
  expect(alert.textContent).toBe(
    'Hot and warm leads worked per week (50 + 50) are all the 100 new leads per week: no lead would be cold, so the tiers would not say which leads can wait. Give fewer, so some leads are left cold.',
  );
  expect(numberField(container, 'Hot leads worked per week').getAttribute('aria-invalid')).toBe('true');
  expect(container.querySelector('[data-testid="policy-thresholds"]')).toBeNull();
  expect(container.querySelector('[data-testid="policy-in-force"]')!.textContent).toContain(`from ${formatThreshold(0.6)} likely`);
  // Apply puts nothing in its place until it is fixed; the policy stays in force, read as stored.
  act(() => applyButton(container).click());
  await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  expect(retierStoredScores).not.toHaveBeenCalled();
  expect((await activeManifest()).tiers).toEqual(tiers);
  // Fixed, the problem goes and the preview follows.
  typeInto(numberField(container, 'Warm leads worked per week'), '40');
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]'));
  expect(container.querySelector('[role="alert"]')).toBeNull();
});

it('applies a fixed or value policy when the stored outcomes cannot be read, and reads them again at Try again', async () => {
  stored.readFailure = new Error('QuotaExceededError: reading stored scores failed');
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const container = await renderPolicy('capacity');
  const alert = await waitFor(() => container.querySelector('[role="alert"]'));
  expect(alert.textContent).toContain('The stored outcomes could not be read (QuotaExceededError: reading stored scores failed)');
  // A capacity policy is chosen by the stored leads' ranks: it waits for them.
  expect(applyButton(container).getAttribute('aria-disabled')).toBe('true');

  act(() => container.querySelector<HTMLInputElement>('input[value="fixed"]')!.click());
  const note = await waitFor(() => container.querySelector('[data-testid="policy-no-outcomes"]'));
  expect(note.textContent).toContain('The stored outcomes are not loaded');
  expect(container.querySelector('[data-testid="policy-thresholds"]')).not.toBeNull();
  expect(container.querySelector('[data-testid="policy-outcomes"]')).toBeNull();
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  expect((await activeManifest()).tiers.policy).toEqual({ kind: 'fixed' });

  // Read again: the error goes, and the preview shows what each tier yields.
  stored.readFailure = null;
  const tryAgain = [...alert.querySelectorAll('button')].find((b) => b.textContent === 'Try again')!;
  expect(tryAgain.type).toBe('button'); // not the form's submit
  act(() => tryAgain.click());
  await waitFor(() => container.querySelector('[data-testid="policy-outcomes"]'));
  expect([...container.querySelectorAll('[role="alert"]')].some((shown) => shown.textContent?.includes('could not be read'))).toBe(false);
});

it('applies a value policy while the stored outcomes are still being read', async () => {
  stored.labelled = new Promise(() => {}); // a read that does not end
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const container = await renderPolicy('value');
  expect(container.textContent).toContain('Loading stored outcomes');
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  expect((await activeManifest()).tiers).toMatchObject({ policy: { kind: 'value' }, hot: 0.1, warm: 0.05 });
});

/** The section and its query client (to read the models again, as an import or this tab regaining focus does). */
async function renderWithClient() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(TierPolicySection)));
  const container = rendered.container;
  await waitFor(() => container.querySelector<HTMLInputElement>('input[value="capacity"]'));
  return { container, client };
}

/** A value policy, as an imported file of the active model or another tab's Apply puts in force. */
const VALUE_TIERS = { policy: { kind: 'value' as const, revenuePerConversion: 500, costPerContact: 25 }, hot: 0.05, warm: 0.025 };

/** Puts `VALUE_TIERS` in force elsewhere; `read`: this page reads the models again, as after an import (not yet, as a tab without focus). */
async function changePolicyInForce(client: QueryClient, { read }: { read: boolean }) {
  const { modelId } = await activeManifest();
  await act(async () => {
    await setTiers(modelId, VALUE_TIERS);
    if (read) await client.invalidateQueries({ queryKey: queryKeys.models() });
  });
}

const radio = (container: HTMLElement, kind: string) => container.querySelector<HTMLInputElement>(`input[name="policy"][value="${kind}"]`)!;

it('fills the form in again from the policy in force when it changes (an import) before any edit, says so, and applies that one', async () => {
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const { container, client } = await renderWithClient();
  const announced = followLiveRegions(container);
  await changePolicyInForce(client, { read: true });
  await waitFor(() => radio(container, 'value').checked || null);
  expect(numberField(container, 'Revenue per conversion').value).toBe('500');
  expect(numberField(container, 'Cost per contact').value).toBe('25');
  expect(container.querySelector('[data-testid="policy-changed"]')).toBeNull();
  expect(announced()).toContain(`The policy in force changed (imported, or applied in another tab): the form now shows it, ${describeTierPolicy(VALUE_TIERS)}.`);
  // Apply keeps the imported policy, not the one the form was first filled in from.
  act(() => applyButton(container).click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  expect((await activeManifest()).tiers.policy).toEqual(VALUE_TIERS.policy);
});

it('keeps the admin\u2019s edits when the policy in force changes, says so before Apply, and loads that policy on request', async () => {
  const { container, client } = await renderWithClient();
  act(() => radio(container, 'fixed').click());
  typeInto(numberField(container, 'Hot from'), '40');
  const announced = followLiveRegions(container);
  await changePolicyInForce(client, { read: true });
  const notice = await waitFor(() => container.querySelector<HTMLElement>('[data-testid="policy-changed"]'));
  expect(notice.textContent).toContain(
    `The policy in force changed since you opened this form (imported, or applied in another tab): it is now ${describeTierPolicy(VALUE_TIERS)}. The form still shows the policy you were editing, and Apply puts it in place of that one.`,
  );
  expect(announced().some((said) => said.includes('The policy in force changed since you opened this form'))).toBe(true);
  // Seen on the way to Apply: just before it.
  expect(notice.compareDocumentPosition(applyButton(container)) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  expect(radio(container, 'fixed').checked).toBe(true);
  expect(numberField(container, 'Hot from').value).toBe('40');

  const load = [...notice.querySelectorAll('button')].find((b) => b.textContent === 'Load the policy in force')!;
  expect(load.type).toBe('button'); // not the form's submit
  pressEnter(load);
  expect(radio(container, 'value').checked).toBe(true);
  expect(numberField(container, 'Revenue per conversion').value).toBe('500');
  expect(container.querySelector('[data-testid="policy-changed"]')).toBeNull();
  expect(announced()).toContain(`The form now shows the policy in force, ${describeTierPolicy(VALUE_TIERS)}.`);
  // The button went with the notice: the focus goes to where the form starts, not to the page's body.
  expect(document.activeElement).toBe(radio(container, 'value'));
});

it('applies nothing over a policy put in force where this page has not read it (another tab\u2019s Apply), until it has been shown', async () => {
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const { container, client } = await renderWithClient();
  act(() => radio(container, 'fixed').click());
  typeInto(numberField(container, 'Hot from'), '40');
  await changePolicyInForce(client, { read: false });
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.click());
  const refused = await waitFor(() => [...container.querySelectorAll('[role="alert"]')].find((alert) => alert.textContent?.startsWith('Nothing was applied')));
  expect(refused.textContent).toBe(
    'Nothing was applied: the policy in force changed since this page read it (imported, or applied in another tab). It is read again here: look at it, then apply again.',
  );
  expect((await activeManifest()).tiers).toEqual(VALUE_TIERS);
  expect(retierStoredScores).not.toHaveBeenCalled();
  // Read again: the edits stay, beside what is in force now.
  await waitFor(() => container.querySelector('[data-testid="policy-changed"]'));
  expect(numberField(container, 'Hot from').value).toBe('40');

  // Applied knowingly: the form's policy replaces it, and is not taken for a change made elsewhere.
  act(() => applyButton(container).click());
  await waitFor(() => container.querySelector('[data-testid="policy-applied"]'));
  expect((await activeManifest()).tiers).toMatchObject({ policy: { kind: 'fixed' }, hot: 0.4 });
  expect(container.querySelector('[data-testid="policy-changed"]')).toBeNull();
  expect(container.querySelector('[data-testid="policy-refilled"]')).toBeNull();
  expect(numberField(container, 'Hot from').value).toBe('40');
});

it('says a field holding what is not a number (a decimal comma) is not a number, not that it is empty', async () => {
  const container = await renderPolicy('value');
  const revenue = numberField(container, 'Revenue per conversion');
  typeInto(revenue, '1,5');
  leave(revenue);
  const alert = container.querySelector('[role="alert"]')!;
  expect(alert.textContent).toBe('Revenue per conversion is not a number: write decimals with a point and no thousands separators (1500.50).');
  expect(description(revenue)).toBe(alert.textContent);
  expect(revenue.value).toBe('1,5'); // kept as typed, to be corrected

  // Emptied then: the field is empty indeed.
  typeInto(revenue, '');
  leave(revenue);
  expect(container.querySelector('[role="alert"]')!.textContent).toBe('Revenue per conversion is empty: it must be more than $0.');
  typeInto(revenue, '1.5');
  expect(container.querySelector('[role="alert"]')).toBeNull();
});

// Chromium's number field in English read "2,5" as 25 and "1,5" as 15, badInput false: the preview said "Hot from 25 %" and Apply applied it.
// happy-dom's reads them as 2 and 1 (parseFloat): as silently, and as wrong.
it('refuses decimal commas in the fixed thresholds (2,5 and 1,5), saying to write a point, and previews and applies nothing read from them', async () => {
  const container = await renderFixedPolicy();
  const [hot, warm] = [numberField(container, 'Hot from'), numberField(container, 'Warm from')];
  const before = shownPreview(container)!.thresholds;
  typeInto(hot, '2,5');
  typeInto(warm, '1,5');
  expect(shownPreview(container)).toEqual({ thresholds: before, framed: true, line: "Finish the fields above to see this policy's preview; the one in the dashed frame below is the previous one." });
  expect([hot.value, warm.value]).toEqual(['2,5', '1,5']); // kept as typed, to be corrected
  leave(hot);
  leave(warm);
  const alerts = [...container.querySelectorAll('[role="alert"]')].map((alert) => alert.textContent);
  expect(alerts).toEqual(['Hot from is not a number: write decimals with a point (1.5).', 'Warm from is not a number: write decimals with a point (1.5).']);
  for (const [field, said] of [[hot, alerts[0]], [warm, alerts[1]]] as const) {
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(description(field)).toBe(said);
  }
  click(applyButton(container));
  await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  expect(retierStoredScores).not.toHaveBeenCalled();
  expect((await activeManifest()).tiers.policy.kind).not.toBe('fixed');

  // Written with a point: read as written.
  typeInto(hot, '2.5');
  typeInto(warm, '1.5');
  expect(container.querySelector('[role="alert"]')).toBeNull();
  const thresholds = `Hot from ${formatThreshold(0.025)} likely, Warm from ${formatThreshold(0.015)} likely.`;
  await waitFor(() => shownPreview(container)?.thresholds === thresholds || null);
  expect(shownPreview(container)).toMatchObject({ framed: false, line: null });
  // A text field: a number field cannot hold "2,5" as typed.
  expect([hot.type, hot.inputMode]).toEqual(['text', 'decimal']);
});

it('refuses thousands commas in money and lead counts (1,000 is not read as 1), saying to write digits alone', async () => {
  const container = await renderPolicy('value');
  await waitFor(() => shownPreview(container));
  const [revenue, leads] = [numberField(container, 'Revenue per conversion'), numberField(container, 'New leads per week')];
  typeInto(revenue, '1,000');
  typeInto(leads, '1,000');
  leave(revenue);
  leave(leads);
  expect([...container.querySelectorAll('[role="alert"]')].map((alert) => alert.textContent)).toEqual([
    'Revenue per conversion is not a number: write decimals with a point and no thousands separators (1500.50).',
    'New leads per week is not a number: write digits only, without separators (1500).',
  ]);
  typeInto(revenue, '1000');
  typeInto(leads, '1000');
  expect(container.querySelector('[role="alert"]')).toBeNull();
  await waitFor(() => container.querySelector('[data-testid="policy-outcomes"] caption')?.textContent?.includes('1,000 new leads') || null);
  expect(leads.inputMode).toBe('numeric');
});

it('keeps a number as it is being typed ("0.", "0.50"), not as the form holds it', async () => {
  const container = await renderPolicy('value');
  const cost = numberField(container, 'Cost per contact');
  for (const typed of ['0.', '0.50', '.5']) {
    typeInto(cost, typed);
    expect(cost.value).toBe(typed);
  }
});

/** The active model's scoring of every stored lead, 200 of 2,000 leads in; `owed`: its activation's (a roll back's), not a routine re-score. */
async function scoringEveryLead({ owed }: { owed: boolean }) {
  const { modelId } = await activeManifest();
  if (owed) await oweScoringOfEveryLead(modelId);
  const run = { modelId, state: 'running' as const, done: 200, total: 2000, startedAt: Date.now() };
  await writeJob('scoring', run);
  return {
    async end() {
      await act(async () => {
        await writeJob('scoring', { ...run, state: 'done', done: 2000, finishedAt: Date.now() });
        await settleOwedScoring(modelId);
      });
    },
  };
}

it('previews and applies no capacity policy while an activation scores the stored leads, saying so, and previews it on every lead once it ends', async () => {
  const scoring = await scoringEveryLead({ owed: true });
  const container = await renderPolicy('capacity');
  const note = await waitFor(() => container.querySelector('[data-testid="policy-scoring"]'));
  expect(note.textContent).toBe(
    'Scoring the stored leads with this model (200 of 2,000); the preview follows when it is done. A capacity policy waits for it: its thresholds are chosen by the ranks of every lead the model scores.',
  );
  // No figures of the first batches: not even read.
  expect(container.querySelector('[data-testid="policy-thresholds"]')).toBeNull();
  expect(container.querySelector('[data-testid="policy-outcomes"]')).toBeNull();
  expect(container.textContent).not.toContain('Loading stored outcomes');
  expect(stored.reads).toBe(0);
  // Apply waits too, and says why.
  expect(applyButton(container).getAttribute('aria-disabled')).toBe('true');
  expect(description(applyButton(container))).toBe(note.textContent);

  // The run ends: the outcomes of every lead are read, and previewed.
  await scoring.end();
  await waitFor(() => container.querySelector('[data-testid="policy-outcomes"]'));
  expect(container.querySelector('[data-testid="policy-scoring"]')).toBeNull();
  expect(stored.reads).toBe(1);
  expect(applyButton(container).getAttribute('aria-disabled')).toBe('false');
  expect(applyButton(container).getAttribute('aria-describedby')).toBeNull();
});

it('applies a value policy while an activation scores the stored leads (its thresholds are cost and revenue alone), showing no tier yields meanwhile', async () => {
  await scoringEveryLead({ owed: true });
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const container = await renderPolicy('value');
  const note = await waitFor(() => container.querySelector('[data-testid="policy-scoring"]'));
  expect(note.textContent).toBe(
    'Scoring the stored leads with this model (200 of 2,000); the preview follows when it is done. A value or fixed policy applies meanwhile: its thresholds come from the policy alone.',
  );
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]'));
  expect(container.querySelector('[data-testid="policy-outcomes"]')).toBeNull();
  expect(container.querySelector('[data-testid="policy-no-outcomes"]')).toBeNull();
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  expect((await activeManifest()).tiers).toMatchObject({ policy: { kind: 'value' }, hot: 0.1, warm: 0.05 });
  expect(stored.reads).toBe(0);
});

it('previews a capacity policy as ever during a routine re-score of every lead, which keeps the scores it replaces', async () => {
  await scoringEveryLead({ owed: false });
  const container = await renderPolicy('capacity');
  await waitFor(() => container.querySelector('[data-testid="policy-outcomes"]'));
  expect(container.querySelector('[data-testid="policy-scoring"]')).toBeNull();
  expect(applyButton(container).getAttribute('aria-disabled')).toBe('false');
});

/** Renders the section again, as opening the options page again does: a new page, nothing kept but what is stored. */
async function reopen(kind: 'value' | 'capacity') {
  rendered?.unmount();
  const { container } = await renderWithClient();
  await waitFor(() => radio(container, kind).checked || null);
  return container;
}

it('reopens a value policy with the new leads a week it was applied with, not the default 100, and previews the same contacts', async () => {
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const container = await renderPolicy('value');
  typeInto(numberField(container, 'Revenue per conversion'), '5000');
  typeInto(numberField(container, 'Cost per contact'), '40');
  typeInto(numberField(container, 'New leads per week'), '400');
  const caption = () => container.querySelector('[data-testid="policy-outcomes"] caption')?.textContent;
  await waitFor(() => (caption() === 'Expected per week (400 new leads)' ? true : null));
  const hotContacts = () => container.querySelector('[data-testid="policy-outcomes"] tbody tr td')?.textContent;
  const applied = hotContacts();
  act(() => applyButton(container).click());
  await waitFor(() => container.querySelector('[data-testid="policy-applied"]'));

  const reopened = await reopen('value');
  expect(numberField(reopened, 'Revenue per conversion').value).toBe('5000');
  expect(numberField(reopened, 'Cost per contact').value).toBe('40');
  expect(numberField(reopened, 'New leads per week').value).toBe('400');
  await waitFor(() => reopened.querySelector('[data-testid="policy-outcomes"] caption'));
  expect(reopened.querySelector('[data-testid="policy-outcomes"] caption')!.textContent).toBe('Expected per week (400 new leads)');
  expect(reopened.querySelector('[data-testid="policy-outcomes"] tbody tr td')!.textContent).toBe(applied);
});

it('reopens a capacity policy with the revenue and cost it was applied with, so its warm tier still pays, not the defaults', async () => {
  // A hundred scored leads, all settled: the bundled policy's 10 hot and 20 warm of 100 a week hold the top 10 and the 20 below, one of whom converted.
  const probabilities = Float64Array.from({ length: 100 }, (_, i) => (100 - i) / 101);
  stored.labelled = { labels: Uint8Array.from(probabilities, (_, i) => (i < 5 || i === 15 ? 1 : 0)), probabilities, heldOut: 0, ranked: probabilities };
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const container = await renderPolicy('capacity');
  typeInto(numberField(container, 'Revenue per conversion'), '5000');
  typeInto(numberField(container, 'Cost per contact'), '40');
  // Warm: 20 contacts and 1 conversion a week, $5,000 − 20 × $40 (at $100 and $10 it would lose $100, and the page would say to nurture them); read from its 20 settled leads.
  const warmProfit = 'Working the warm leads too: +$4,200 a week. Only 20 warm leads have a known outcome: too few to go by.';
  const warm = () => container.querySelector('[data-testid="policy-profit-warm"]')?.textContent;
  await waitFor(() => (warm() === warmProfit ? true : null));
  act(() => applyButton(container).click());
  await waitFor(() => container.querySelector('[data-testid="policy-applied"]'));

  const reopened = await reopen('capacity');
  expect(numberField(reopened, 'Revenue per conversion').value).toBe('5000');
  expect(numberField(reopened, 'Cost per contact').value).toBe('40');
  const reopenedWarm = await waitFor(() => reopened.querySelector('[data-testid="policy-profit-warm"]'));
  expect(reopenedWarm.textContent).toBe(warmProfit);
});

it('fills the form unedited with the figures kept with the policy in force when they are read after it (another tab\u2019s Apply), the policy\u2019s own winning', async () => {
  const { container, client } = await renderWithClient();
  await changePolicyInForce(client, { read: true });
  await waitFor(() => radio(container, 'value').checked || null);
  expect(numberField(container, 'New leads per week').value).toBe('100');
  // Its figures land a moment later, revenue and cost among them: the policy's own ($500, $25) stay.
  const { modelId } = await activeManifest();
  await act(async () => {
    await keepPolicyFigures(modelId, { revenuePerConversion: 9000, costPerContact: 90, leadsPerPeriod: 400 });
    await client.invalidateQueries({ queryKey: queryKeys.models() });
  });
  await waitFor(() => (numberField(container, 'New leads per week').value === '400' ? true : null));
  expect(numberField(container, 'Revenue per conversion').value).toBe('500');
  expect(numberField(container, 'Cost per contact').value).toBe('25');
  // Taken in as the policy in force's: the form has no edits, and says of no change beyond the policy's.
  expect(container.querySelector('[data-testid="policy-changed"]')).toBeNull();
});

it('shows the thresholds just applied when switching to fixed afterwards, and applying them unchanged keeps them exactly', async () => {
  // Ten scored leads at float32 probabilities, which the percent fields show rounded to 4 decimals.
  const ranked = Float64Array.from({ length: 10 }, (_, i) => Math.fround(0.951234567 - i * 0.1));
  stored.labelled = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0, ranked };
  retierStoredScores.mockResolvedValue({ ok: true, changed: 1 });
  const container = await renderPolicy('capacity');
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]'));
  // 20 hot and 20 warm of 100 a week: the top 2 of these 10 leads, then the next 2.
  typeInto(numberField(container, 'Hot leads worked per week'), '20');
  await waitFor(() => (container.querySelector('[data-testid="policy-thresholds"]')?.textContent?.includes(formatThreshold(ranked[1])) ? true : null));
  act(() => applyButton(container).click());
  await waitFor(() => container.querySelector('[data-testid="policy-applied"]'));
  const applied = { hot: ranked[1] - CUT_MARGIN, warm: ranked[3] - CUT_MARGIN };
  expect((await activeManifest()).tiers).toMatchObject(applied);
  await waitFor(() => (container.querySelector('[data-testid="policy-in-force"]')?.textContent?.includes(formatThreshold(applied.hot)) ? true : null));

  act(() => radio(container, 'fixed').click());
  expect(numberField(container, 'Hot from').value).toBe(String(Math.round(applied.hot * 1e6) / 1e4));
  expect(numberField(container, 'Warm from').value).toBe(String(Math.round(applied.warm * 1e6) / 1e4));
  await waitFor(() => container.querySelector('[data-testid="policy-thresholds"]')?.textContent?.includes(`Hot from ${formatThreshold(applied.hot)} likely, Warm from ${formatThreshold(applied.warm)} likely.`) || null);
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.click());
  await waitFor(() => (retierStoredScores.mock.calls.length === 2 ? true : null));
  expect((await activeManifest()).tiers).toEqual({ policy: { kind: 'fixed' }, ...applied });
});

it('keeps the focus on Apply while the policy is applied and the leads re-tiered, and applies nothing more meanwhile', async () => {
  let answer: (reply: { ok: true; changed: number }) => void = () => {};
  retierStoredScores.mockReturnValue(new Promise((resolve) => (answer = resolve)));
  const container = await renderPolicy('fixed');
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.focus());
  act(() => apply.click());
  await waitFor(() => retierStoredScores.mock.calls.length > 0 || null);
  // Not disabled under the focus, which would drop it to the page: said unavailable.
  expect(apply.textContent).toBe('Applying…');
  expect(apply.disabled).toBe(false);
  expect(apply.getAttribute('aria-disabled')).toBe('true');
  expect(document.activeElement).toBe(apply);
  // Pressed again, or Enter in a field (which submits the form without a click): nothing more is applied.
  act(() => apply.click());
  act(() => void container.querySelector('form')!.requestSubmit());
  await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  await act(async () => answer({ ok: true, changed: 0 }));
  await waitFor(() => container.querySelector('[data-testid="policy-applied"]'));
  expect(retierStoredScores).toHaveBeenCalledTimes(1);
  expect(apply.textContent).toBe('Apply this policy');
  expect(document.activeElement).toBe(apply);
});

it('says when the tier policy kept for the active model was set by a newer LeadLens, and applying a policy here replaces it', async () => {
  const { modelId, tiers: cameWith } = await activeManifest();
  await db.settings.put({ key: `tiers:${modelId}`, value: { policy: { kind: 'quota', perRep: 5 }, hot: 0.9, warm: 0.8 } });
  retierStoredScores.mockResolvedValue({ ok: true, changed: 0 });
  const container = await renderPolicy('fixed');
  const note = await waitFor(() => container.querySelector('[data-testid="newer-tier-policy"]'));
  expect(note.textContent).toBe(
    `The tier policy kept for the active model, ${modelId}, was set by a newer version of LeadLens, which this version cannot read. Until LeadLens is updated, the model ` +
      'scores with the thresholds it came with (in force now, below). Applying a policy here replaces the newer one: to keep a copy of it, export the model under Model versions first.',
  );
  expect(container.querySelector('[data-testid="policy-in-force"]')?.textContent).toContain(`from ${formatThreshold(cameWith.hot)} likely`);
  const apply = await waitFor(() => (applyButton(container).getAttribute('aria-disabled') === 'true' ? null : applyButton(container)));
  act(() => apply.click());
  await waitFor(() => container.querySelector('[data-testid="policy-applied"]'));
  expect((await activeManifest()).tiers.policy).toEqual({ kind: 'fixed' });
  await waitFor(() => (container.querySelector('[data-testid="newer-tier-policy"]') ? null : true));
});
