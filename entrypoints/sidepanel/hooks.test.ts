// @vitest-environment happy-dom
/**
 * What the side panel reads again, and when: the open lead of its own window's active tab;
 * the open lead and the model's manifest after a tier-policy change or another active model;
 * the leads, the open lead and the manifest after a purge (or "connect another org"); the open
 * lead after the tab's navigations on CRM pages only (those that do not load included), unless the
 * panel shows or reads a lead or refusal of the tab's page: then after the next one wherever it goes.
 */
import 'fake-indexeddb/auto';
import { onlineManager, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { PAGE_QUERY_DEFAULTS } from '@/components/page-query-client';
import { createElement, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CRM_URL_FILTERS } from '@/lib/crm/match-patterns';
import { db } from '@/lib/db/db';
import { writeJob } from '@/lib/jobs/progress';
import { broadcastToPages } from '@/lib/messaging/events';
import { bundledModel } from '@/lib/ml/bundled-model';
import { activeModelId, manifestOf, setActiveModel } from '@/lib/ml/model-store';
import { storeModel } from '../../test/fixtures/stored-model';
import { loadScoredLeads, recordPageScoresDifferFrom } from '@/lib/ui/stored-data';
import { NO_READABLE_FIELDS } from '@/lib/background/score-lead';
import { FIRST_RENDER_PATIENCE_MS } from '@/lib/messaging/protocol';
import { useManifest, useOpenLead, useScoredLeads } from './hooks';
import { OpenLeadView } from './OpenLeadView';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
const openLead = vi.hoisted(() => vi.fn());
vi.mock('@/lib/messaging/client', () => ({ background: { openLead } }));
vi.mock('@/lib/ui/stored-data', () => ({
  loadScoredLeads: vi.fn(async () => ({ rows: [], choices: { owner: [], leadSource: [] } })),
  recordPageScoresDifferFrom: vi.fn(async () => true),
}));
vi.mock('@/lib/ml/model-store', async (importOriginal) => {
  const store = await importOriginal<typeof import('@/lib/ml/model-store')>();
  return { ...store, manifestOf: vi.fn(store.manifestOf) };
});

/** A navigation as webNavigation reports it. */
interface Navigation {
  tabId: number;
  frameId: number;
  url: string;
}
type NavigationListener = (details: Navigation) => void;

/**
 * A webNavigation event as Chrome dispatches it (the fake browser's ignores filters): to each
 * listener whose URL filters, when it has any, let the URL through. Host filters only, by
 * Chrome's rules: the host compared with a dot put before it. A listener added while the event
 * is dispatched hears the next one, as in Chrome (which dispatches to a copy of its listeners).
 */
function filteringEvent() {
  const listeners = new Map<NavigationListener, Browser.webNavigation.WebNavigationEventFilter | undefined>();
  const passes = (filter: Browser.events.UrlFilter, url: URL) =>
    (!filter.schemes || filter.schemes.includes(url.protocol.slice(0, -1))) &&
    (filter.hostEquals === undefined || url.hostname === filter.hostEquals) &&
    (filter.hostSuffix === undefined || `.${url.hostname}`.endsWith(filter.hostSuffix));
  return {
    // Chrome's binding refuses a filter argument given as undefined (the side panel's effect threw in the built extension).
    addListener: (...args: [NavigationListener] | [NavigationListener, Browser.webNavigation.WebNavigationEventFilter]) => {
      if (args.length > 1 && args[1] === undefined) throw new TypeError('Error in invocation of webNavigation.onCommitted.addListener: no matching signature');
      listeners.set(args[0], args[1]);
    },
    removeListener: (listener: NavigationListener) => void listeners.delete(listener),
    /** The filters of each listener, `undefined` for one that hears every URL. */
    filters: () => [...listeners.values()],
    trigger(details: Navigation) {
      for (const [listener, filters] of [...listeners]) if (!filters || filters.url.some((filter) => passes(filter, new URL(details.url)))) listener(details);
    },
  };
}
let committed: ReturnType<typeof filteringEvent>;
let historyUpdated: ReturnType<typeof filteringEvent>;
/** A page that did not load: Chrome shows its error page, and reports no commit. */
let loadFailed: ReturnType<typeof filteringEvent>;
const CRM_PAGES = { url: CRM_URL_FILTERS };

const PANEL_WINDOW = 1;
const OTHER_WINDOW = 2;

/** The side panel's reads, as its views make them; `data-answered` once each has its answer. */
function Panel() {
  const { leads } = useScoredLeads();
  const { lead, tabId } = useOpenLead();
  const manifest = useManifest(lead.data?.lead?.modelId);
  const answered = [leads, lead, manifest].every((read) => read.data !== undefined);
  return createElement('p', { 'data-tier': lead.data?.lead?.tier ?? 'none', 'data-answered': String(answered) }, `tab ${tabId}`);
}
/** The tier of the lead the panel shows, `none` when it shows none. */
const shownTier = () => container.querySelector('p')?.dataset.tier;

// Rendered outside act(): the panel updates from IndexedDB and react-query's own scheduling, which the tests wait for.
let root: Root;
const container = document.createElement('div');
function renderPanel(view: () => ReactNode = Panel) {
  // The pages' own defaults (offline, as online), but that a failed read is not tried again.
  const queryClient = new QueryClient({ defaultOptions: { ...PAGE_QUERY_DEFAULTS, queries: { ...PAGE_QUERY_DEFAULTS.queries, retry: false } } });
  root = createRoot(container);
  root.render(createElement(QueryClientProvider, { client: queryClient }, createElement(view)));
}

/** How often the panel has read each of its data so far. */
const readsOf = () => ({ openLead: openLead.mock.calls.length, manifest: vi.mocked(manifestOf).mock.calls.length, leads: vi.mocked(loadScoredLeads).mock.calls.length });
/** Waits until the panel has read each of `which` again since `before`. */
async function readAgain(before: ReturnType<typeof readsOf>, which: (keyof ReturnType<typeof readsOf>)[]) {
  await vi.waitFor(() => {
    const now = readsOf();
    for (const read of which) expect(now[read], read).toBeGreaterThan(before[read]);
  });
}
const openLeadTabs = () => openLead.mock.calls.map(([request]) => request.tabId);

beforeEach(async () => {
  fakeBrowser.reset();
  await Promise.all(db.tables.map((table) => table.clear()));
  vi.clearAllMocks();
  openLead.mockImplementation(async () => ({ ok: true, lead: { modelId: await activeModelId(), tier: 'warm' }, reading: false }));
  fakeBrowser.tabs.getCurrent = vi.fn(async () => undefined) as never;
  fakeBrowser.windows.getCurrent = vi.fn(async () => ({ id: PANEL_WINDOW })) as never;
  fakeBrowser.tabs.query = vi.fn(async () => [{ id: 10, windowId: PANEL_WINDOW }]) as never;
  committed = filteringEvent();
  historyUpdated = filteringEvent();
  loadFailed = filteringEvent();
  fakeBrowser.webNavigation.onCommitted = committed as never;
  fakeBrowser.webNavigation.onHistoryStateUpdated = historyUpdated as never;
  fakeBrowser.webNavigation.onErrorOccurred = loadFailed as never;
  renderPanel();
  // Each read once, and answered: a first read still unanswered is joined, not made again, by
  // what invalidates it (react-query), and a test would wait for a read that never comes. The
  // first render of the file takes longer than vi.waitFor's default second on a loaded machine;
  // the hook, longer still, so that a panel that never reads fails here, saying which.
  await vi.waitFor(
    () => {
      expect(readsOf()).toMatchObject({ openLead: 1, manifest: 1, leads: 1 });
      expect(container.querySelector('p')?.dataset.answered).toBe('true');
    },
    { timeout: 10_000 },
  );
}, 20_000);
afterEach(() => root.unmount());

it('follows tab switches in its own window only', async () => {
  await vi.waitFor(() => expect(container.textContent).toBe('tab 10'));
  await fakeBrowser.tabs.onActivated.trigger({ tabId: 20, windowId: OTHER_WINDOW });
  await new Promise((resolve) => setTimeout(resolve, 50)); // time to render a switch it should not make
  expect(container.textContent).toBe('tab 10');
  await fakeBrowser.tabs.onActivated.trigger({ tabId: 30, windowId: PANEL_WINDOW });
  await vi.waitFor(() => expect(container.textContent).toBe('tab 30'));
  expect(openLeadTabs()).toEqual([10, 30]);
});

describe('switching back to a tab', () => {
  /** The tier each read of the open lead answers from now on. */
  const answering = (tier: string) => openLead.mockImplementation(async () => ({ ok: true, lead: { modelId: await activeModelId(), tier }, reading: false }));
  /** Switches to `tabId`, whose lead the background takes its time to read: answer it with `answer`. */
  async function switchToWhileReadIsSlow(tabId: number) {
    let answer!: (reply: unknown) => void;
    openLead.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    await fakeBrowser.tabs.onActivated.trigger({ tabId, windowId: PANEL_WINDOW });
    await vi.waitFor(() => expect(container.textContent).toBe(`tab ${tabId}`));
    await vi.waitFor(() => expect(openLeadTabs().at(-1)).toBe(tabId));
    return answer;
  }
  /** Tab 10 showed a warm lead (beforeEach); the rep switched to tab 30, a hot lead, and its lead is cold from now on. */
  async function awayOnTab30() {
    await vi.waitFor(() => expect(shownTier()).toBe('warm'));
    answering('hot');
    await fakeBrowser.tabs.onActivated.trigger({ tabId: 30, windowId: PANEL_WINDOW });
    await vi.waitFor(() => expect(shownTier()).toBe('hot'));
    answering('cold');
  }

  it('shows its lead at once while the lead is read again, when nothing said it changed', async () => {
    await awayOnTab30();
    const answer = await switchToWhileReadIsSlow(10);
    expect(shownTier()).toBe('warm');
    answer({ ok: true, lead: { modelId: await activeModelId(), tier: 'cold' }, reading: false });
    await vi.waitFor(() => expect(shownTier()).toBe('cold'));
  });

  // Whether the change concerns every tab: the followed one's lead is read again then, which tells the change was heard.
  it.each<[string, () => unknown, boolean]>([
    ['it scored another lead', () => broadcastToPages('openLeadChanged', { tabId: 10 }), false],
    ['it left the lead for another CRM page', () => committed.trigger({ tabId: 10, frameId: 0, url: 'https://app.hubspot.com/contacts/4242424/record/0-1/100001' }), false],
    ['stored data were deleted (a purge, a disconnect)', () => broadcastToPages('storedDataDeleted', {}), true],
    [
      'a tier policy was applied',
      async () => {
        await writeJob('retier', { modelId: 'm', state: 'running', done: 0, total: 1, startedAt: 1 });
        await writeJob('retier', { modelId: 'm', state: 'done', done: 1, total: 1, startedAt: 1, finishedAt: 2 });
      },
      true,
    ],
  ])('shows no lead of the last visit while it reads the tab’s lead again, once %s', async (_what, change, everyTab) => {
    await awayOnTab30();
    const before = readsOf();
    await change();
    if (everyTab) await readAgain(before, ['openLead']);
    else await new Promise((resolve) => setTimeout(resolve, 50)); // time to hear it
    const answer = await switchToWhileReadIsSlow(10);
    await new Promise((resolve) => setTimeout(resolve, 50)); // time to show an answer it should not show
    expect(shownTier()).toBe('none');
    answer({ ok: true, lead: { modelId: await activeModelId(), tier: 'cold' }, reading: false });
    await vi.waitFor(() => expect(shownTier()).toBe('cold'));
  });

  // Said out of date while the panel still followed the tab: a later change (a purge) does not say so again.
  const HUBSPOT_RECORD = 'https://app.hubspot.com/contacts/4242424/record/0-1/100001';
  it.each<[string, () => Promise<unknown>]>([
    [
      'the rep switched away while it was read again (the read cancelled)',
      async () => {
        openLead.mockImplementationOnce(() => new Promise(() => undefined));
        historyUpdated.trigger({ tabId: 10, frameId: 0, url: HUBSPOT_RECORD });
        await vi.waitFor(() => expect(openLeadTabs()).toEqual([10, 10]));
        await awayOnTab30();
      },
    ],
    [
      'the tab navigated as the rep switched away, before the panel followed',
      async () => {
        openLead.mockImplementationOnce(() => new Promise(() => undefined));
        answering('hot');
        const switched = fakeBrowser.tabs.onActivated.trigger({ tabId: 30, windowId: PANEL_WINDOW });
        historyUpdated.trigger({ tabId: 10, frameId: 0, url: HUBSPOT_RECORD });
        await switched;
        await vi.waitFor(() => expect(shownTier()).toBe('hot'));
        answering('cold');
      },
    ],
    [
      'its next page could not be scored',
      async () => {
        openLead.mockResolvedValueOnce({ ok: false, error: NO_READABLE_FIELDS });
        historyUpdated.trigger({ tabId: 10, frameId: 0, url: HUBSPOT_RECORD });
        await vi.waitFor(() => expect(openLeadTabs()).toEqual([10, 10]));
        await new Promise((resolve) => setTimeout(resolve, 50)); // time to hear the refusal
        await awayOnTab30();
      },
    ],
  ])('shows no lead of the last visit, even after a purge, once %s', async (_what, outdateThenSwitchAway) => {
    await outdateThenSwitchAway();
    const before = readsOf();
    await broadcastToPages('storedDataDeleted', {});
    await readAgain(before, ['openLead']);
    const answer = await switchToWhileReadIsSlow(10);
    await new Promise((resolve) => setTimeout(resolve, 50)); // time to show an answer it should not show
    expect(shownTier()).toBe('none');
    answer({ ok: true, lead: { modelId: await activeModelId(), tier: 'cold' }, reading: false });
    await vi.waitFor(() => expect(shownTier()).toBe('cold'));
  });
});

describe('reads the open lead and the manifest again', () => {
  it('when a tier policy is applied (which re-tiers the stored scores)', async () => {
    const before = readsOf();
    await writeJob('retier', { modelId: 'm', state: 'running', done: 0, total: 1, startedAt: 1 });
    await writeJob('retier', { modelId: 'm', state: 'done', done: 1, total: 1, startedAt: 1, finishedAt: 2 });
    await readAgain(before, ['openLead', 'manifest']);
  });

  it('when another model becomes active (activation, roll back)', async () => {
    const bundled = bundledModel.manifest();
    if (!bundled.ok) throw new Error(bundled.error);
    await storeModel({ ...bundled.manifest, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
    const before = readsOf();
    await setActiveModel('trained-2');
    await readAgain(before, ['openLead', 'manifest']);
    expect(vi.mocked(manifestOf)).toHaveBeenLastCalledWith('trained-2');
  });
});

it('reads the leads, the open lead and the manifest again when stored data are deleted', async () => {
  const before = readsOf();
  await broadcastToPages('storedDataDeleted', {});
  await readAgain(before, ['leads', 'openLead', 'manifest']);
});

it('reads the leads again when a sync names the owners of stored leads', async () => {
  const before = readsOf();
  await broadcastToPages('ownersNamed', {});
  await readAgain(before, ['leads']);
});

it('reads the leads again when a record page’s score is cached that lists its lead otherwise: the lead is counted and listed by it', async () => {
  const before = readsOf();
  await broadcastToPages('openLeadChanged', { tabId: 10 });
  await readAgain(before, ['leads']);
});

it('reads no lead again when the record page’s score lists its lead as the panel does: not 100,000 leads at each lead opened', async () => {
  vi.mocked(recordPageScoresDifferFrom).mockResolvedValueOnce(false);
  const before = readsOf();
  await broadcastToPages('openLeadChanged', { tabId: 10 });
  await vi.waitFor(() => expect(recordPageScoresDifferFrom).toHaveBeenCalled());
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(readsOf().leads).toBe(before.leads);
});

it('compares a record page’s score cached during the first read with the rows that read brings, which may have missed it', async () => {
  root.unmount();
  let release!: () => void;
  const heldRows = [{ leadKey: 'salesforce|00Q1' }] as never;
  vi.mocked(loadScoredLeads).mockImplementationOnce(
    () => new Promise((resolve) => (release = () => resolve({ rows: heldRows, choices: { owner: [], leadSource: [] } }))),
  );
  const before = readsOf();
  renderPanel();
  await vi.waitFor(() => expect(readsOf().leads).toBe(before.leads + 1));
  await broadcastToPages('openLeadChanged', { tabId: 10 });
  release();
  await vi.waitFor(() => expect(recordPageScoresDifferFrom).toHaveBeenCalledWith(expect.any(String), heldRows));
  await readAgain({ ...readsOf(), leads: before.leads + 1 }, ['leads']);
});

describe('hears the tab’s navigations', () => {
  const SALESFORCE_LIST = 'https://leadlens-demo.lightning.force.com/lightning/o/Lead/list';
  const HUBSPOT_RECORD = 'https://app.hubspot.com/contacts/4242424/record/0-1/100001';
  const OTHER_SITE = 'https://example.com/';
  /** Waits until the open lead was read again, or checks a while later that it was not. */
  async function readsOpenLeadAgainAfter(navigate: () => void, expected: boolean) {
    const before = readsOf();
    navigate();
    if (expected) await readAgain(before, ['openLead']);
    else {
      await new Promise((resolve) => setTimeout(resolve, 50)); // time for a read it should not make
      expect(readsOf().openLead).toBe(before.openLead);
    }
  }

  it('on CRM pages only (the demo CRM’s included) while no lead is open', async () => {
    openLead.mockResolvedValue({ ok: true, lead: null, reading: false });
    await readsOpenLeadAgainAfter(() => committed.trigger({ tabId: 10, frameId: 0, url: SALESFORCE_LIST }), true);
    await vi.waitFor(() => expect(committed.filters()).toEqual([CRM_PAGES]));
    expect(historyUpdated.filters()).toEqual([CRM_PAGES]);
    expect(loadFailed.filters()).toEqual([CRM_PAGES]);
    await readsOpenLeadAgainAfter(() => committed.trigger({ tabId: 10, frameId: 0, url: OTHER_SITE }), false);
    await readsOpenLeadAgainAfter(() => loadFailed.trigger({ tabId: 10, frameId: 0, url: OTHER_SITE }), false);
    await readsOpenLeadAgainAfter(() => historyUpdated.trigger({ tabId: 10, frameId: 0, url: `${OTHER_SITE}next` }), false);
    await readsOpenLeadAgainAfter(() => historyUpdated.trigger({ tabId: 10, frameId: 0, url: HUBSPOT_RECORD }), true);
    // A frame inside the page, or another tab, is not the tab's page.
    await readsOpenLeadAgainAfter(() => committed.trigger({ tabId: 10, frameId: 3, url: HUBSPOT_RECORD }), false);
    await readsOpenLeadAgainAfter(() => committed.trigger({ tabId: 11, frameId: 0, url: HUBSPOT_RECORD }), false);
    await readsOpenLeadAgainAfter(() => loadFailed.trigger({ tabId: 10, frameId: 3, url: HUBSPOT_RECORD }), false);
  });

  it('when the tab’s next page does not load (the browser offline), which commits nothing, so the lead shown before is not explained over Chrome’s error page', async () => {
    // The lead of beforeEach is shown: its page's next one may be any site's, loaded or not.
    await vi.waitFor(() => expect(loadFailed.filters()).toEqual([undefined]));
    onlineManager.setOnline(false);
    try {
      // The rep opens another lead offline: the background says Chrome's error page shows none.
      openLead.mockResolvedValue({ ok: true, lead: null, reading: false });
      await readsOpenLeadAgainAfter(() => loadFailed.trigger({ tabId: 10, frameId: 0, url: HUBSPOT_RECORD }), true);
      await vi.waitFor(() => expect(shownTier()).toBe('none'));
      // No lead left: CRM pages only, loaded or not.
      await vi.waitFor(() => expect(loadFailed.filters()).toEqual([CRM_PAGES]));
      await readsOpenLeadAgainAfter(() => loadFailed.trigger({ tabId: 10, frameId: 0, url: OTHER_SITE }), false);
      await readsOpenLeadAgainAfter(() => loadFailed.trigger({ tabId: 10, frameId: 0, url: SALESFORCE_LIST }), true);
    } finally {
      onlineManager.setOnline(true);
    }
  });

  it('wherever the tab goes while a lead is open, so leaving the CRM clears it', async () => {
    // The lead of beforeEach is shown: the next page may be any site's.
    await vi.waitFor(() => expect(committed.filters()).toEqual([undefined]));
    expect(historyUpdated.filters()).toEqual([CRM_PAGES]);
    expect(loadFailed.filters()).toEqual([undefined]);
    openLead.mockResolvedValue({ ok: true, lead: null, reading: false });
    await readsOpenLeadAgainAfter(() => committed.trigger({ tabId: 10, frameId: 0, url: OTHER_SITE }), true);
    // No lead left: back to CRM pages only.
    await vi.waitFor(() => expect(committed.filters()).toEqual([CRM_PAGES]));
    await readsOpenLeadAgainAfter(() => committed.trigger({ tabId: 10, frameId: 0, url: `${OTHER_SITE}next` }), false);
  });

  it('wherever the tab goes while its record page has not asked to score its lead yet, so leaving the CRM clears the wait', async () => {
    openLead.mockResolvedValue({ ok: true, lead: null, reading: true });
    await readsOpenLeadAgainAfter(() => historyUpdated.trigger({ tabId: 10, frameId: 0, url: HUBSPOT_RECORD }), true);
    await vi.waitFor(() => expect(committed.filters()).toEqual([undefined]));
    openLead.mockResolvedValue({ ok: true, lead: null, reading: false });
    await readsOpenLeadAgainAfter(() => committed.trigger({ tabId: 10, frameId: 0, url: OTHER_SITE }), true);
    await vi.waitFor(() => expect(committed.filters()).toEqual([CRM_PAGES]));
  });

  it.each([
    ['leaves the CRM', () => committed],
    ['goes to another site that does not load', () => loadFailed],
  ])('wherever the tab goes while the panel reads its lead, so the answer about the page it left is not shown: the tab %s', async (_, leaving) => {
    openLead.mockResolvedValue({ ok: true, lead: null, reading: false });
    await readsOpenLeadAgainAfter(() => committed.trigger({ tabId: 10, frameId: 0, url: SALESFORCE_LIST }), true);
    await vi.waitFor(() => expect(committed.filters()).toEqual([CRM_PAGES]));
    // The rep opens a lead, and the background takes a while to read its record...
    let answer!: (reply: unknown) => void;
    openLead.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    await readsOpenLeadAgainAfter(() => historyUpdated.trigger({ tabId: 10, frameId: 0, url: HUBSPOT_RECORD }), true);
    // ...while the tab leaves the CRM, then the answer about the record page comes.
    const beforeLeaving = readsOf();
    leaving().trigger({ tabId: 10, frameId: 0, url: OTHER_SITE });
    answer({ ok: true, lead: { modelId: await activeModelId(), tier: 'hot' }, reading: false });
    await readAgain(beforeLeaving, ['openLead']);
    await new Promise((resolve) => setTimeout(resolve, 50)); // time to show an answer it should not show
    expect(shownTier()).toBe('none');
  });
});

it('stops saying the lead is being read once its badge’s wait for the page’s fields is over, though the background never says so', async () => {
  root.unmount();
  // setImmediate stays real: IndexedDB's fake runs on it.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  try {
    // The page asked without fields and was refused: its badge waits for them, and so does the panel.
    openLead.mockResolvedValueOnce({ ok: true, lead: null, reading: true, readingUntil: Date.now() + FIRST_RENDER_PATIENCE_MS });
    openLead.mockResolvedValue({ ok: false, error: NO_READABLE_FIELDS });
    renderPanel(OpenLeadView);
    await vi.waitFor(() => expect(container.querySelector('[role="status"]')?.textContent).toBe('Loading the lead this tab shows…'));
    // The service worker was stopped during the wait: no `openLeadChanged` comes.
    vi.advanceTimersByTime(FIRST_RENDER_PATIENCE_MS);
    // As when the background announced it: the refusal, in the badge's words.
    await vi.waitFor(() => expect(container.textContent).toContain(`LeadLens could not score this lead: ${NO_READABLE_FIELDS}`));
    expect(container.textContent).not.toContain('Loading the lead this tab shows');
  } finally {
    vi.useRealTimers();
  }
});
