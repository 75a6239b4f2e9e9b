// @vitest-environment happy-dom
/** Load demo data activates the default model: it takes its turn with the page's other changes of the models. */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider, useMutation } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { click, focusedMessage, followLiveRegions, pressEnter, render, waitFor, type Rendered } from '@/test/render';
import { writeJob } from '@/lib/jobs/progress';
import { demoStoredLeads } from '@/lib/crm/demo-leads';
import { db } from '@/lib/db/db';
import { bundledModel } from '@/lib/ml/bundled-model';
import { MODEL_CHANGE_MUTATION } from '@/lib/ui/hooks';
import { deferred } from '@/test/deferred';
import { DemoModeSection } from './DemoMode';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
const { loadDemoData, removeDemoData } = vi.hoisted(() => ({ loadDemoData: vi.fn(), removeDemoData: vi.fn() }));
vi.mock('@/lib/messaging/client', () => ({ background: { loadDemoData, removeDemoData } }));

let rendered: Rendered | undefined;
// The default model active, as in a new install; a test that needs the admin's own model active says so.
beforeEach(() => db.settings.clear());
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/** Another section's change of the models (Training's Activate, Model versions), until `finish`. */
function OtherChange({ change }: { change: { finish?: () => void } }) {
  const run = useMutation({ mutationKey: MODEL_CHANGE_MUTATION, mutationFn: () => new Promise<void>((resolve) => (change.finish = resolve)) });
  return createElement('button', { type: 'button', onClick: () => run.mutate() }, 'Activate this model');
}

const button = (container: HTMLElement, name: string) => Array.from(container.querySelectorAll('button')).find((b) => b.textContent === name) ?? null;
/** The button named `name` once it can be clicked (Load waits for the active model to be read). */
const enabledButton = (container: HTMLElement, name: string) => waitFor(() => (button(container, name)?.disabled === false ? button(container, name) : null));

it('waits, saying why, while another section changes the models, and runs under the key they wait on', async () => {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const change: { finish?: () => void } = {};
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DemoModeSection), createElement(OtherChange, { change })));
  const { container } = rendered;
  await enabledButton(container, 'Load demo data');
  click(button(container, 'Activate this model')!);
  await waitFor(() => button(container, 'Load demo data')?.disabled);
  const note = document.getElementById(button(container, 'Load demo data')!.getAttribute('aria-describedby')!);
  expect(note?.textContent).toBe("Another section is changing the models (a trained model's activation, Model versions): load the demo data once it is done.");
  act(() => change.finish!());
  await waitFor(() => button(container, 'Load demo data')?.disabled === false);

  let answer!: () => void;
  loadDemoData.mockImplementation(() => new Promise((resolve) => (answer = () => resolve({ ok: true, leads: 2000 }))));
  click(button(container, 'Load demo data')!);
  await waitFor(() => queryClient.isMutating({ mutationKey: MODEL_CHANGE_MUTATION }) === 1);
  act(() => answer());
  await waitFor(() => container.querySelector('[data-testid="demo-loaded"]'));
});

/** Renders the section with a background whose removal deletes the 4 demo leads stored: its query client and container. */
function renderRemovingFourDemoLeads(): { queryClient: QueryClient; container: HTMLElement } {
  removeDemoData.mockImplementation(async () => {
    await db.leads.where('origin').equals('demo').delete();
    return { ok: true, removed: 4 };
  });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DemoModeSection)));
  return { queryClient, container: rendered.container };
}

it('says how many demo leads are stored beside your own, and removes them through the background', async () => {
  await db.leads.clear();
  const demo = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 4);
  await db.putLeads([...demo, { ...demo[0], key: 'salesforce|own-1', id: 'own-1', origin: 'sync' }]);
  const { container } = renderRemovingFourDemoLeads();
  const stored = await waitFor(() => container.querySelector('[data-testid="demo-stored"]'));
  expect(stored.textContent).toContain('4 demo leads are stored, beside 1 lead of your own: the side panel counts them together.');
  const removeButton = button(container, 'Remove demo data')!;
  act(() => removeButton.focus());
  click(removeButton);
  const removed = await waitFor(() => container.querySelector('[data-testid="demo-removed"]'));
  // It re-activates nothing: the model the load made active (the default one) stays, which "the models are untouched" did not say.
  expect(removed.textContent).toBe('Removed 4 demo leads and their scores; your own leads stay stored, and the active model stays as it is.');
  expect(removeDemoData).toHaveBeenCalledWith({});
  // Read again after the removal: nothing left to remove. The focus the Remove button had is on
  // the result, not dropped to the page with the line the button was in.
  await waitFor(() => container.querySelector('[data-testid="demo-stored"]') === null || null);
  expect(document.activeElement?.textContent).toBe(removed.textContent);
  expect(removed.contains(document.activeElement)).toBe(true);
});

it('keeps the focus the disabled Remove button had on a line saying the removal runs, then on its result, rather than drop it to the page', async () => {
  await db.leads.clear();
  await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 4));
  const { container } = renderRemovingFourDemoLeads();
  // The background's removal, held until the test lets it run.
  const removal = deferred<void>();
  const removeFour = removeDemoData.getMockImplementation()!;
  removeDemoData.mockImplementationOnce(async () => {
    await removal.promise;
    return removeFour();
  });
  pressEnter(await waitFor(() => button(container, 'Remove demo data')));
  expect((await focusedMessage(/^Removing demo data…$/)).getAttribute('role')).toBe('status');
  await act(async () => removal.resolve());
  await focusedMessage(/^Removed 4 demo leads and their scores;/);
});

/** Load demo data as the admin starts it: at once with the default model active, else confirmed in place of the admin's model (`activeModel`). */
it.each<[string, string | null, (container: HTMLElement) => Promise<void>]>([
  ['at once', null, async (container) => pressEnter(await enabledButton(container, 'Load demo data'))],
  [
    'confirmed',
    'trained-7',
    async (container) => {
      pressEnter(await enabledButton(container, 'Load demo data…'));
      pressEnter(await waitFor(() => button(container, 'Yes, load demo data')));
    },
  ],
])('keeps the focus on a line saying the load runs, %s, then on its result, rather than drop it to the page', async (_how, activeModel, start) => {
  if (activeModel) await db.settings.put({ key: 'activeModelId', value: activeModel });
  const answer = deferred<{ ok: true; leads: number }>();
  loadDemoData.mockReset();
  loadDemoData.mockReturnValue(answer.promise);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DemoModeSection)));
  await start(rendered.container);
  expect((await focusedMessage(/^Loading demo data…$/)).getAttribute('role')).toBe('status');
  await act(async () => answer.resolve({ ok: true, leads: 2000 }));
  await focusedMessage(/^Loaded /);
});

it('announces the scoring of the demo leads, then that they are loaded, in a live region on the page before', async () => {
  let answer!: () => void;
  loadDemoData.mockImplementation(() => new Promise((resolve) => (answer = () => resolve({ ok: true, leads: 2000 }))));
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DemoModeSection)));
  const { container } = rendered;
  const load = await enabledButton(container, 'Load demo data');
  const announced = followLiveRegions(container);
  click(load);
  await act(() => writeJob('scoring', { modelId: 'model-1', state: 'running', done: 500, total: 2_000, startedAt: 1 }));
  await waitFor(() => container.textContent?.includes('Scoring demo leads: 500 of 2,000 (25%)'));
  expect(announced()).toEqual(['Scoring demo leads…']);
  act(() => answer());
  // Said where the focus the disabled button had goes.
  await focusedMessage(/^Loaded and scored 2,000 demo leads\. Open the side panel to see them\.$/);
  expect(announced()).toEqual([]);
});

it('says a load whose scoring went wrong loaded the demo leads and activated the model, not that the demo data could not be loaded', async () => {
  loadDemoData.mockResolvedValue({ ok: true, leads: 2000, scoringProblem: 'Scoring the stored leads with it was interrupted, and goes on where it stopped.' });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DemoModeSection)));
  const { container } = rendered;
  click(await enabledButton(container, 'Load demo data'));
  const loaded = await waitFor(() => container.querySelector('[data-testid="demo-loaded"]'));
  expect(loaded.textContent).toBe('Loaded 2,000 demo leads; the default model is active. Scoring the stored leads with it was interrupted, and goes on where it stopped.');
  expect(container.querySelector('[role="alert"]')).toBeNull();
});

it('shows one result at a time: a removal hides the load\'s, a load the removal\'s', async () => {
  await db.leads.clear();
  loadDemoData.mockImplementation(async () => {
    await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 4));
    return { ok: true, leads: 4 };
  });
  const { queryClient, container } = renderRemovingFourDemoLeads();
  click(await enabledButton(container, 'Load demo data'));
  await waitFor(() => container.querySelector('[data-testid="demo-loaded"]'));
  // The App reads the leads again when the scoring job ends.
  await act(() => queryClient.invalidateQueries());

  click((await waitFor(() => button(container, 'Remove demo data')))!);
  await waitFor(() => container.querySelector('[data-testid="demo-removed"]'));
  expect(container.querySelector('[data-testid="demo-loaded"]')).toBeNull();
  expect(container.textContent).not.toContain('Loaded and scored');

  click(button(container, 'Load demo data')!);
  await waitFor(() => container.querySelector('[data-testid="demo-loaded"]'));
  expect(container.querySelector('[data-testid="demo-removed"]')).toBeNull();
});

const defaultModelId = () => {
  const bundled = bundledModel.manifest();
  if (!bundled.ok) throw new Error(bundled.error);
  return bundled.manifest.modelId;
};

/** Renders the section with the admin's trained model `trained-7` active, and a background whose load makes the default model active. */
async function renderWithTrainedModelActive(): Promise<HTMLElement> {
  await db.settings.put({ key: 'activeModelId', value: 'trained-7' });
  loadDemoData.mockReset();
  loadDemoData.mockImplementation(async () => {
    await db.settings.put({ key: 'activeModelId', value: defaultModelId() });
    return { ok: true, leads: 2000 };
  });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DemoModeSection)));
  return rendered.container;
}

it('asks first, naming the trained model the default one would replace, and Cancel loads nothing', async () => {
  const container = await renderWithTrainedModelActive();
  // By its start: the ellipsis says a question comes, but it is the click's outcome that matters.
  const loadButton = await waitFor(() => Array.from(container.querySelectorAll('button')).find((b) => b.textContent?.startsWith('Load demo data') && !b.disabled));
  act(() => loadButton.focus());
  click(loadButton);
  // Time for a load the click started to reach the background.
  await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
  expect(loadDemoData).not.toHaveBeenCalled();
  const question = await waitFor(() => container.querySelector('[role="group"]'));
  expect(question.getAttribute('aria-label')).toBe('Confirm making the default model active in place of trained-7');
  expect(document.getElementById(question.getAttribute('aria-describedby')!)?.textContent).toBe(
    'Loading demo data makes the default model active in place of your model trained-7, and scores every stored lead with it, your own included. ' +
      'Model versions → Roll back to trained-7 brings yours back.',
  );
  // The safe choice has the focus, as in the page's other questions.
  expect(document.activeElement?.textContent).toBe('Cancel');
  click(button(container, 'Cancel')!);
  expect(container.querySelector('[role="group"]')).toBeNull();
  // Back on the Load button (drawn anew once the question closes).
  expect(document.activeElement).toBe(button(container, 'Load demo data…'));
  expect(loadDemoData).not.toHaveBeenCalled();
  expect(container.querySelector('[data-testid="demo-loaded"]')).toBeNull();
});

it('loads once confirmed, and says the default model is active in place of the trained one, which Roll back brings back', async () => {
  const container = await renderWithTrainedModelActive();
  click(await enabledButton(container, 'Load demo data…'));
  click(await waitFor(() => button(container, 'Yes, load demo data')));
  await focusedMessage(
    /^Loaded 2,000 demo leads; the default model is active in place of trained-7 \(Model versions → Roll back to trained-7 brings it back\), and every stored lead, your own included, was scored with it\. Open the side panel to see them\.$/,
  );
  expect(loadDemoData).toHaveBeenCalledTimes(1);
  // The default model is active now: loading again asks nothing.
  await enabledButton(container, 'Load demo data');
});

it('says none was loaded and why, and that the trained model stays active, when synced leads hold every demo id', async () => {
  const container = await renderWithTrainedModelActive();
  // The background stores none and activates nothing (a sync of the demo CRM holds every demo id).
  loadDemoData.mockReset();
  loadDemoData.mockResolvedValue({ ok: true, leads: 0, skipped: 2000 });
  click(await enabledButton(container, 'Load demo data…'));
  click(await waitFor(() => button(container, 'Yes, load demo data')));
  await focusedMessage(
    /^No demo lead was loaded: your synced leads already have the demo leads' ids \(as after a sync of the demo CRM\), so your model trained-7 stays active\.$/,
  );
  expect(container.textContent).not.toMatch(/default model is active|Loaded 0/);
  // Still the admin's model: loading again asks first.
  await enabledButton(container, 'Load demo data…');
});

it('says how many demo leads were left out, and why, beside those loaded', async () => {
  loadDemoData.mockReset();
  loadDemoData.mockResolvedValue({ ok: true, leads: 1500, skipped: 500 });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DemoModeSection)));
  const { container } = rendered;
  click(await enabledButton(container, 'Load demo data'));
  const loaded = await waitFor(() => container.querySelector('[data-testid="demo-loaded"]'));
  expect(loaded.textContent).toBe('Loaded and scored 1,500 demo leads (500 others were left out: your synced leads already have their ids). Open the side panel to see them.');
});

it('loads at once, saying nothing of other models, when the default model is active', async () => {
  loadDemoData.mockReset();
  loadDemoData.mockResolvedValue({ ok: true, leads: 2000 });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DemoModeSection)));
  const { container } = rendered;
  click(await enabledButton(container, 'Load demo data'));
  expect(container.querySelector('[role="group"]')).toBeNull();
  const loaded = await waitFor(() => container.querySelector('[data-testid="demo-loaded"]'));
  expect(loadDemoData).toHaveBeenCalledTimes(1);
  expect(loaded.textContent).toBe('Loaded and scored 2,000 demo leads. Open the side panel to see them.');
  expect(container.textContent).not.toMatch(/in place of|Roll back/);
});

it('says the load scores the admin\'s own leads with the default model too, not that they are untouched', async () => {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DemoModeSection)));
  const { container } = rendered;
  await enabledButton(container, 'Load demo data');
  expect(container.textContent).not.toContain('untouched');
  expect(container.textContent).toContain('makes the default model the active one and scores every stored lead with it, your own included');
});
