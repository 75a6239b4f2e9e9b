// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoStoredLeads } from '@/lib/crm/demo-leads';
import { db } from '@/lib/db/db';
import { oweScoringOfEveryLead, oweSourceScoring, writeJob, type JobProgress } from '@/lib/jobs/progress';
import { broadcastToPages } from '@/lib/messaging/events';
import { bundledModel } from '@/lib/ml/bundled-model';
import { dexieSyncStore, recordSyncedAccount } from '@/lib/sync/store';
import type { Manifest } from '@/lib/ml/manifest';
import { MADE_UP_LEADS_MODEL_WORDS } from '@/lib/presentation';
import type { ScoredLeadRow } from '@/lib/segments';
import { explainStoredLead, STORED_LEAD_GONE } from '@/lib/background/open-lead';
import { deferred } from '@/test/deferred';
import { click, followLiveRegions, pressEnter, render, waitFor, type Rendered } from '@/test/render';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { App } from './App';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
const background = vi.hoisted(() => ({
  scoreStoredLeads: vi.fn(),
  openRecord: vi.fn(),
  explainStoredLead: vi.fn(),
  connectionStatus: vi.fn(async () => ({ ok: true, connections: [] as unknown[] })),
  syncStatus: vi.fn(async () => ({ ok: true, syncs: [] as { status: string }[] })),
}));
vi.mock('@/lib/messaging/client', () => ({ background }));

// What the side panel's queries hold: the open lead (none by default); the active model's scored leads, its scoring job and its manifest (read or not) as each test sets them.
// A file's lead chosen from the top leads is read as the panel reads it, from the background.
const NO_TAB = { tabId: null, lead: { isPending: true, isError: false } };
const panel = vi.hoisted(() => ({
  openLead: null as unknown,
  leads: [] as unknown[],
  choices: { owner: [] as string[], leadSource: [] as string[] },
  job: null as unknown,
  manifest: { isPending: true } as unknown,
}));
vi.mock('./hooks', async (importOriginal) => ({
  useStoredLeadExplained: (await importOriginal<typeof import('./hooks')>()).useStoredLeadExplained,
  useOpenLead: () => panel.openLead,
  useManifest: () => panel.manifest,
  useOutcomeBasis: () => ({ kind: 'stored' }),
  useScoredLeads: () => ({ leads: { isPending: false, isError: false, data: { rows: panel.leads, choices: panel.choices } }, job: panel.job, modelId: 'model-2' }),
}));

const lead: ScoredLeadRow = {
  leadKey: 'salesforce|1', source: 'salesforce', recordId: '1', name: 'Ada', owner: 'Grace', leadSource: 'Web',
  createdAt: 0, outcome: null, probability: 0.9, score: 95, tier: 'hot', topReason: 'Job title: VP Sales',
};
const failedRun: JobProgress = { modelId: 'model-2', state: 'failed', done: 1_200, total: 5_000, startedAt: 1, finishedAt: 2, error: 'The engine ran out of memory' };

let rendered: Rendered | undefined;
beforeEach(() => {
  background.scoreStoredLeads.mockReset();
  panel.openLead = NO_TAB;
  panel.leads = [];
  panel.choices = { owner: [], leadSource: [] };
  panel.job = null;
  panel.manifest = { isPending: true };
});
afterEach(() => rendered?.unmount());

const renderApp = () => render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(App)));
const alertText = () => rendered!.container.querySelector('[role="alert"] p')?.textContent;

it('says that scoring the stored leads failed, not that there are none to score, and scores them again on request', async () => {
  panel.job = failedRun;
  background.scoreStoredLeads.mockResolvedValue({ ok: false, error: 'The scoring engine could not start' });
  rendered = renderApp();
  expect(alertText()).toBe('Scoring the stored leads stopped after 1,200 of 5,000: The engine ran out of memory. LeadLens tries again after about 6 hours, while the browser is open.');
  expect(rendered.container.textContent).not.toContain('No scored leads yet');
  const again = [...rendered.container.querySelectorAll('button')].find((button) => button.textContent === 'Score them again')!;
  await act(async () => {
    again.click();
    await new Promise((resolve) => setTimeout(resolve, 0)); // the reply
  });
  expect(background.scoreStoredLeads).toHaveBeenCalledWith({ modelId: 'model-2' });
  // Refused before a run started (the job row still tells of the last one): the refusal is the reason now.
  expect(alertText()).toBe('Scoring the stored leads stopped after 1,200 of 5,000: The scoring engine could not start. LeadLens tries again after about 6 hours, while the browser is open.');
});

it("names the CRM of a run that scored one CRM's leads, whose failure leaves the others' scores counted", () => {
  panel.job = { ...failedRun, source: 'hubspot' };
  panel.leads = [lead];
  rendered = renderApp();
  expect(alertText()).toBe('Scoring the HubSpot leads new or changed since they were last scored stopped after 1,200 of 5,000: The engine ran out of memory.');
});

it('says that the numbers count only the leads scored before the run failed', () => {
  panel.job = failedRun;
  panel.leads = [lead];
  rendered = renderApp();
  expect(alertText()).toBe('Scoring the stored leads stopped after 1,200 of 5,000: The engine ran out of memory. LeadLens tries again after about 6 hours, while the browser is open. The numbers below count only the leads scored so far.');
  expect(rendered.container.textContent).toContain('Segments (1 of 1 lead)');
});

it('says nothing of a failed run of another model: the active model\'s leads are all scored', () => {
  panel.job = { ...failedRun, modelId: 'model-1' };
  panel.leads = [lead];
  rendered = renderApp();
  expect(rendered.container.querySelector('[role="alert"]')).toBeNull();
});

describe('a run over every lead stopped because another model was made active (its model made active again since: rolled back to)', () => {
  const superseded: JobProgress = {
    ...failedRun,
    error: 'Stopped: another model was made active, and the stored leads are scored with it instead',
    supersededBy: 'model-3',
  };

  it('is no failure: nothing broke, and the model made active again scores every lead', () => {
    panel.job = superseded;
    panel.leads = [lead];
    rendered = renderApp();
    expect(rendered.container.querySelector('[role="alert"]')).toBeNull();
    expect(rendered.container.textContent).not.toContain('Stopped');
    expect(rendered.container.textContent).toContain('Segments (1 of 1 lead)');
  });

  it('leaves told a failure of the model from before it', () => {
    panel.job = { ...superseded, lastFailure: engineFailed };
    panel.leads = [lead];
    rendered = renderApp();
    expect(alertText()).toBe('10 of the 60 stored leads could not be scored: Non-zero status code returned while running Gather node. LeadLens tries again after about 6 hours, while the browser is open. The numbers below count only the leads scored so far.');
  });
});

const engineFailed = {
  modelId: 'model-2', done: 60, total: 60,
  failedItems: { count: 10, error: 'Non-zero status code returned while running Gather node' },
  error: '10 leads could not be scored: Non-zero status code returned while running Gather node',
};

it('says how many leads the engine could not score when the run went on past them, and why', () => {
  panel.job = { ...engineFailed, state: 'failed', startedAt: 1, finishedAt: 2 } satisfies JobProgress;
  panel.leads = [lead];
  rendered = renderApp();
  expect(alertText()).toBe('10 of the 60 stored leads could not be scored: Non-zero status code returned while running Gather node. LeadLens tries again after about 6 hours, while the browser is open. The numbers below count only the leads scored so far.');
});

it("keeps telling of a failed run over every lead once a later run of one CRM's leads is done, and scores them all again on request", async () => {
  panel.job = { modelId: 'model-2', state: 'done', done: 30, total: 30, startedAt: 3, finishedAt: 4, source: 'hubspot', lastFailure: engineFailed } satisfies JobProgress;
  panel.leads = [lead];
  background.scoreStoredLeads.mockResolvedValue({ ok: true, scored: 60 });
  rendered = renderApp();
  expect(alertText()).toBe('10 of the 60 stored leads could not be scored: Non-zero status code returned while running Gather node. LeadLens tries again after about 6 hours, while the browser is open. The numbers below count only the leads scored so far.');
  const again = [...rendered.container.querySelectorAll('button')].find((button) => button.textContent === 'Score them again')!;
  await act(async () => again.click());
  expect(background.scoreStoredLeads).toHaveBeenCalledWith({ modelId: 'model-2' });
});

it("tells of a failed run over every lead before a later one-CRM run's failure, which leaves fewer leads unscored", () => {
  panel.job = { ...failedRun, source: 'salesforce', lastFailure: engineFailed } satisfies JobProgress;
  panel.leads = [lead];
  rendered = renderApp();
  expect(alertText()).toBe('10 of the 60 stored leads could not be scored: Non-zero status code returned while running Gather node. LeadLens tries again after about 6 hours, while the browser is open. The numbers below count only the leads scored so far.');
});

const csvFailed = { modelId: 'model-2', done: 0, total: 2, error: 'Model failed to load', source: 'csv' as const, finishedAt: 2 };
const csvFailedTold = 'Scoring the CSV leads new or changed since they were last scored stopped after 0 of 2: Model failed to load. LeadLens tries again after about 6 hours, while the browser is open.';

it("names the CSV leads of an import's failed run, and says LeadLens tries again: no sync scores them again", () => {
  panel.job = { ...csvFailed, state: 'failed', startedAt: 1 } satisfies JobProgress;
  panel.leads = [lead];
  rendered = renderApp();
  expect(alertText()).toBe(csvFailedTold);
});

it("says nothing of another model's failed run over every lead, kept on the row", () => {
  panel.job = { modelId: 'model-2', state: 'done', done: 30, total: 30, startedAt: 3, source: 'hubspot', lastFailure: { ...engineFailed, modelId: 'model-1' } } satisfies JobProgress;
  panel.leads = [lead];
  rendered = renderApp();
  expect(rendered.container.querySelector('[role="alert"]')).toBeNull();
});

it('shows the progress of scoring the stored leads, without telling the rep to connect a CRM they have', () => {
  panel.job = { modelId: 'model-2', state: 'running', done: 500, total: 2_000, startedAt: 1 };
  rendered = renderApp();
  expect(rendered.container.textContent).toContain('Scoring stored leads: 500 of 2,000 (25%)');
  expect(rendered.container.textContent).not.toContain('No scored leads yet');
});

it('announces a scoring run in a live region on the panel before it starts, not its counts', () => {
  const client = new QueryClient();
  const app = () => createElement(QueryClientProvider, { client }, createElement(App));
  rendered = render(app());
  const announced = followLiveRegions(rendered.container);
  panel.job = { modelId: 'model-2', state: 'running', done: 500, total: 2_000, startedAt: 1 };
  rendered.rerender(app());
  expect(announced()).toEqual(['Scoring stored leads…']);
});

it("words HubSpot's lead sources in the filter by the labels its portal's last sync kept, with a model that never read them active", async () => {
  await recordSyncedAccount(db, 'hubspot', { id: '777001', name: 'HubSpot portal 777001' });
  await dexieSyncStore(db).keepLeadSourceLabels!({ SOCIAL_MEDIA: 'Organic Social' });
  panel.leads = [{ ...lead, leadKey: 'hubspot|7', source: 'hubspot', recordId: '7', leadSource: 'SOCIAL_MEDIA' }];
  panel.choices = { owner: [], leadSource: ['SOCIAL_MEDIA'] };
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  panel.manifest = { isPending: false, isSuccess: true, data: { ...parsed.manifest, features: [] } };
  rendered = renderApp();
  const sourceOptions = () => [...rendered!.container.querySelectorAll('select option')].map((option) => option.textContent);
  await waitFor(() => sourceOptions().includes('Organic Social') || null);
  expect(sourceOptions()).not.toContain('SOCIAL_MEDIA');
});

it('points to Options when no lead is stored at all, once the stored leads are counted', async () => {
  rendered = renderApp();
  expect(rendered.container.textContent).toContain('Loading scored leads');
  await waitFor(() => rendered!.container.textContent?.includes('No scored leads yet') || null);
  expect([...rendered.container.querySelectorAll('button')].some((button) => button.textContent === 'Open Options')).toBe(true);
});

it('says when demo leads are counted with your own, and where to remove them', async () => {
  panel.leads = [lead];
  await db.leads.clear();
  const demo = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 3);
  await db.putLeads(demo);
  rendered = renderApp();
  // Demo leads alone are what Demo mode shows: nothing to say.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(rendered.container.querySelector('[data-testid="demo-leads-mixed"]')).toBeNull();
  rendered.unmount();
  await db.putLeads([{ ...demo[0], key: 'salesforce|own-1', id: 'own-1', origin: 'sync' }]);
  // Beside a lead of your own, the scored demo leads are read marked made up (`loadScoredLeads`).
  panel.leads = [lead, ...demo.map((stored): ScoredLeadRow => ({ ...lead, leadKey: stored.key, recordId: stored.id, madeUp: true }))];
  rendered = renderApp();
  const note = await waitFor(() => rendered!.container.querySelector('[data-testid="demo-leads-mixed"]'));
  expect(note.textContent).toBe('3 demo leads are counted here in the tiers with your own, not in the conversion rates. Remove them in Options (Demo mode)');
});

it("says above the segments and top leads when they are scores of a model learnt from made-up demo leads, as the open lead's note says it", () => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  const defaultModel = parsed.manifest;
  const ownLeads = { ...defaultModel, provenance: { ...defaultModel.provenance, source: 'salesforce leads', referenceTime: '2026-12-03T00:00:00.000Z' } };
  const onDemoLeads = { ...ownLeads, provenance: { ...ownLeads.provenance, source: 'salesforce demo leads', demoLeads: true as const } };
  const noteAboveSegments = (manifest: Manifest) => {
    rendered?.unmount();
    panel.manifest = { isPending: false, isSuccess: true, data: manifest };
    rendered = renderApp();
    const segments = [...rendered.container.querySelectorAll('h2, h3')].find((heading) => heading.textContent?.startsWith('Segments'))!;
    const note = rendered.container.querySelector('[role="note"][data-testid="default-model-note"]');
    if (note) expect(note.compareDocumentPosition(segments) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    return note?.textContent ?? null;
  };
  panel.leads = [lead];
  expect(noteAboveSegments(defaultModel)).toBe(`Scored by ${MADE_UP_LEADS_MODEL_WORDS}.`);
  expect(noteAboveSegments(onDemoLeads)).toBe(`Scored by ${MADE_UP_LEADS_MODEL_WORDS}.`);
  expect(noteAboveSegments(ownLeads)).toBeNull();
});

it('tells a rep whose CRM is connected but not synced yet to sync it, not to connect it again', async () => {
  const advice = async () => (await waitFor(() => rendered!.container.querySelector('[data-testid="no-leads-advice"]'))).textContent;
  rendered = renderApp();
  await waitFor(() => background.connectionStatus.mock.calls.length > 0 || null);
  expect(await advice()).toBe('Connect HubSpot or Salesforce in Options, import a CSV there, or load the demo data to see LeadLens at work.');
  rendered.unmount();
  background.connectionStatus.mockResolvedValue({
    ok: true,
    connections: [{ crm: 'hubspot', status: 'connected', host: 'api.hubapi.com', message: 'Connected', settings: null }],
  });
  rendered = renderApp();
  const connected = await waitFor(() => {
    const text = rendered!.container.querySelector('[data-testid="no-leads-advice"]')?.textContent;
    return text?.startsWith('Connected') ? text : null;
  });
  expect(connected).toBe('Connected to HubSpot: sync it under Options › Sync to store and score its leads.');
});

describe('a change made in another page (an options page: a Disconnect, Sync now, "Purge everything")', () => {
  const advice = () => rendered!.container.querySelector('[data-testid="no-leads-advice"]')?.textContent;
  const hubspot = { crm: 'hubspot', host: 'api.hubapi.com', message: 'Connected', settings: null };
  afterEach(() => {
    background.connectionStatus.mockImplementation(async () => ({ ok: true, connections: [] }));
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [] }));
  });

  it('is shown when the background tells of it: HubSpot disconnected, then a sync running', async () => {
    background.connectionStatus.mockResolvedValue({ ok: true, connections: [{ ...hubspot, status: 'connected' }] });
    rendered = renderApp();
    expect(await waitFor(() => (advice()?.startsWith('Connected') ? advice() : null))).toBe('Connected to HubSpot: sync it under Options › Sync to store and score its leads.');
    background.connectionStatus.mockResolvedValue({ ok: true, connections: [] });
    await act(() => broadcastToPages('connectionsOrRunsChanged', {}));
    expect(await waitFor(() => (advice()?.startsWith('Connect HubSpot or') ? advice() : null))).toBe(
      'Connect HubSpot or Salesforce in Options, import a CSV there, or load the demo data to see LeadLens at work.',
    );

    background.connectionStatus.mockResolvedValue({ ok: true, connections: [{ ...hubspot, status: 'connected' }] });
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [{ crm: 'hubspot', status: 'running', synced: 0, remaining: null, endedAt: null, error: null }] }));
    await act(() => broadcastToPages('connectionsOrRunsChanged', {}));
    expect(await waitFor(() => (advice()?.startsWith('Syncing') ? advice() : null))).toBe('Syncing HubSpot: its leads are scored when the sync ends.');
  });

  it('reads the connections again after "Purge everything", not after other deletions (a sync removing leads)', async () => {
    background.connectionStatus.mockResolvedValue({ ok: true, connections: [{ ...hubspot, status: 'connected' }] });
    rendered = renderApp();
    await waitFor(() => (advice()?.startsWith('Connected') ? true : null));
    background.connectionStatus.mockResolvedValue({ ok: true, connections: [] });
    await act(() => broadcastToPages('storedDataDeleted', {}));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(advice()).toBe('Connected to HubSpot: sync it under Options › Sync to store and score its leads.');
    await act(() => broadcastToPages('storedDataDeleted', { everything: true }));
    expect(await waitFor(() => (advice()?.startsWith('Connect HubSpot or') ? true : null))).toBe(true);
  });
});

describe('a CRM connection that needs reconnecting or is not working', () => {
  const advice = () => rendered!.container.querySelector('[data-testid="no-leads-advice"]')?.textContent;
  const hubspot = { crm: 'hubspot', host: 'api.hubapi.com', settings: null };
  afterEach(() => background.connectionStatus.mockImplementation(async () => ({ ok: true, connections: [] })));

  it('names it in the options page\'s words, rather than asking to connect a CRM', async () => {
    background.connectionStatus.mockResolvedValue({ ok: true, connections: [{ ...hubspot, status: 'reconnect', message: 'HubSpot refused the token (401)' }] });
    rendered = renderApp();
    expect(await waitFor(() => (advice()?.startsWith('HubSpot') ? advice() : null))).toBe('HubSpot needs reconnecting under Options › CRM connections.');
    rendered.unmount();
    background.connectionStatus.mockResolvedValue({ ok: true, connections: [{ ...hubspot, status: 'error', message: 'HubSpot did not answer' }] });
    rendered = renderApp();
    expect(await waitFor(() => (advice()?.startsWith('HubSpot') ? advice() : null))).toBe('HubSpot is not working: see Options › CRM connections.');
  });

  it('is named after the advice to sync a CRM that is connected', async () => {
    background.connectionStatus.mockResolvedValue({
      ok: true,
      connections: [
        { ...hubspot, status: 'reconnect', message: 'HubSpot refused the token (401)' },
        { crm: 'salesforce', status: 'connected', host: 'acme.my.salesforce.com', message: 'Connected', settings: null },
      ],
    });
    rendered = renderApp();
    expect(await waitFor(() => (advice()?.startsWith('Connected') ? advice() : null))).toBe(
      'Connected to Salesforce: sync it under Options › Sync to store and score its leads. HubSpot needs reconnecting under Options › CRM connections.',
    );
  });
});

describe('while a sync runs', () => {
  const hubspotConnected = { ok: true, connections: [{ crm: 'hubspot', status: 'connected', host: 'api.hubapi.com', message: 'Connected', settings: null }] };
  // The first sync of the portal: 40,000 contacts stored page by page, scored once it ends.
  let sync = { crm: 'hubspot', status: 'running', synced: 1_200, remaining: 38_800, endedAt: null as number | null, error: null };
  beforeEach(() => {
    background.connectionStatus.mockResolvedValue(hubspotConnected);
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [sync] }));
  });
  afterEach(() => {
    background.connectionStatus.mockImplementation(async () => ({ ok: true, connections: [] }));
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [] }));
  });
  const advice = () => rendered!.container.querySelector('[data-testid="no-leads-advice"]')?.textContent;

  it('says its leads are scored when it ends, with its progress, read again until it ends, rather than to sync the CRM', async () => {
    rendered = renderApp();
    expect(await waitFor(() => (advice()?.startsWith('Syncing') ? advice() : null))).toBe('Syncing HubSpot: its leads are scored when the sync ends.');
    expect(rendered.container.textContent).toContain('Syncing HubSpot: 1,200 of 40,000 (3%)');
    expect(rendered.container.textContent).not.toContain('sync it under Options');
    sync = { ...sync, synced: 2_400, remaining: 37_600 };
    await waitFor(() => rendered!.container.textContent?.includes('Syncing HubSpot: 2,400 of 40,000 (6%)'));
    // Its end: what it changed is read again (the connection's status among it), and the panel no longer says it runs.
    const connectionReads = background.connectionStatus.mock.calls.length;
    sync = { ...sync, status: 'done', synced: 40_000, remaining: 0, endedAt: 5 };
    expect(await waitFor(() => (advice()?.startsWith('Connected') ? advice() : null))).toBe('Connected to HubSpot: sync it under Options › Sync to store and score its leads.');
    await waitFor(() => background.connectionStatus.mock.calls.length > connectionReads || null);
  });
});

describe('a connected CRM whose last sync left no lead scored', () => {
  const connections = (...crms: string[]) => ({ ok: true, connections: crms.map((crm) => ({ crm, status: 'connected', host: 'api.hubapi.com', message: 'Connected', settings: null })) });
  const december1 = Date.parse('2026-12-01T12:00:00Z');
  const idle = { crm: 'salesforce', status: 'idle', synced: 0, remaining: null, stored: 0, error: null, lastRun: null, leftOut: null, endedAt: null, syncedFrom: null };
  // An empty portal: the sync ended as it should, with nothing to store.
  const foundNone = { ...idle, crm: 'hubspot', status: 'done', lastRun: { synced: 0, finishedAt: december1, seconds: 2 }, endedAt: december1 };
  const stopped = { ...idle, crm: 'hubspot', status: 'error', error: 'HubSpot refused the request: too many requests (429)', errorKind: 'rate-limit', endedAt: december1 };
  afterEach(() => {
    background.connectionStatus.mockImplementation(async () => ({ ok: true, connections: [] }));
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [] }));
  });
  const advice = () => rendered!.container.querySelector('[data-testid="no-leads-advice"]')?.textContent;
  /** The advice once it says `expected`; else as it stands when waiting gives up, for the assertion to show. */
  const adviceOnceIt = (expected: string) => waitFor(() => (advice() === expected ? expected : null)).catch(() => advice());

  it('says when it ran and that it found no leads the connection can read, rather than to sync it', async () => {
    background.connectionStatus.mockResolvedValue(connections('hubspot'));
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [foundNone] }));
    rendered = renderApp();
    const foundNoneAdvice =
      "The last HubSpot sync, on Dec 1, 2026, found no leads this connection can read. Ask your HubSpot admin to check the connection's access to your leads, then sync again under Options › Sync.";
    expect(await adviceOnceIt(foundNoneAdvice)).toBe(foundNoneAdvice);
  });

  it('says that it stopped, and where to see why, rather than to sync it', async () => {
    background.connectionStatus.mockResolvedValue(connections('hubspot'));
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [stopped] }));
    rendered = renderApp();
    const stoppedAdvice = 'The last HubSpot sync stopped on Dec 1, 2026, before it stored any lead: see why under Options › Sync.';
    expect(await adviceOnceIt(stoppedAdvice)).toBe(stoppedAdvice);
  });

  it('says how many leads it stored before it stopped, and that syncing again finishes it and scores them', async () => {
    background.connectionStatus.mockResolvedValue(connections('hubspot'));
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [{ ...stopped, synced: 1_200, stored: 1_200 }] }));
    rendered = renderApp();
    const storedAdvice = 'The last HubSpot sync stopped on Dec 1, 2026, with 1,200 leads stored: see why under Options › Sync, and sync again there to finish it and score them.';
    expect(await adviceOnceIt(storedAdvice)).toBe(storedAdvice);
  });

  it('asks to sync it once reconnected after the CRM refused the credentials, as the Sync section offers it', async () => {
    const refused = { ...stopped, error: 'HubSpot rejected the credentials: HTTP 401', errorKind: 'auth', connection: 'connected' };
    background.connectionStatus.mockResolvedValue(connections('hubspot'));
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [refused] }));
    rendered = renderApp();
    const syncIt = 'Connected to HubSpot: sync it under Options › Sync to store and score its leads.';
    expect(await adviceOnceIt(syncIt)).toBe(syncIt);
  });

  it('still asks to sync another connected CRM never synced', async () => {
    background.connectionStatus.mockResolvedValue(connections('salesforce', 'hubspot'));
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [idle, foundNone] }));
    rendered = renderApp();
    const bothAdvice =
      "Connected to Salesforce: sync it under Options › Sync to store and score its leads. The last HubSpot sync, on Dec 1, 2026, found no leads this connection can read. Ask your HubSpot admin to check the connection's access to your leads, then sync again under Options › Sync.";
    expect(await adviceOnceIt(bothAdvice)).toBe(bothAdvice);
  });
});

describe('stored leads the active model could not score', () => {
  const doneRun: JobProgress = { modelId: 'model-2', state: 'done', done: 3, total: 3, startedAt: 1, finishedAt: 2 };
  beforeEach(async () => {
    await Promise.all(db.tables.map((table) => table.clear()));
    await db.putLeads(demoStoredLeads(new Date('2026-11-01T00:00:00Z'), 3));
    // The syncs are asked for only once the stored leads are counted: a test waits for its own call.
    background.syncStatus.mockClear();
  });
  /** Records that the active model, going through them, gave `count` of the stored leads no score (`db.unscorableLeads`), as a scoring run does. */
  const markUnreadable = async (count: number) => {
    const keys = (await db.leads.toCollection().primaryKeys()).slice(0, count);
    await db.unscorableLeads.bulkPut(keys.map((key) => ({ key, modelId: 'model-2' })));
  };

  it('says how many stored leads have no score and why, when its scoring is done', async () => {
    await markUnreadable(1);
    panel.job = doneRun;
    panel.leads = [lead, { ...lead, leadKey: 'salesforce|2', recordId: '2' }];
    rendered = renderApp();
    const note = await waitFor(() => rendered!.container.querySelector('[data-testid="unscored-leads"]'));
    expect(note.textContent).toBe(
      '1 stored lead has no score, left out below: the active model reads none of their fields (a file whose columns it does not know, a CRM it has no fields of). Train a model on them in Options, under Train on your history.',
    );
  });

  it('says none could be scored, instead of advising a source of leads, when it scored none', async () => {
    await markUnreadable(3);
    panel.job = doneRun;
    rendered = renderApp();
    await waitFor(() => rendered!.container.textContent?.includes('No stored lead could be scored'));
    expect(rendered.container.querySelector('[data-testid="no-leads-advice"]')?.textContent).toMatch(/^3 leads are stored, but the active model reads none of their fields/);
  });

  it('asks the background for no sync, and says nothing, when every stored lead is scored', async () => {
    panel.job = doneRun;
    panel.leads = [1, 2, 3].map((i) => ({ ...lead, leadKey: `salesforce|${i}`, recordId: String(i) }));
    rendered = renderApp();
    await waitFor(() => rendered!.container.textContent?.includes('Segments'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 100)));
    // The syncs are read for the note alone (the background counts each CRM's own leads), which more leads scored than stored leaves out.
    expect(background.syncStatus).not.toHaveBeenCalled();
    expect(rendered.container.querySelector('[data-testid="unscored-leads"]')).toBeNull();
  });

  it('says nothing of it while a sync has stored leads it has not scored yet', async () => {
    background.syncStatus.mockResolvedValueOnce({ ok: true, syncs: [{ status: 'running' }] });
    panel.job = doneRun;
    panel.leads = [lead];
    rendered = renderApp();
    await waitFor(() => rendered!.container.textContent?.includes('Segments'));
    await waitFor(() => background.syncStatus.mock.calls.length > 0 || null);
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(rendered.container.querySelector('[data-testid="unscored-leads"]')).toBeNull();
  });

  describe('after a sync that stopped (an error, a Cancel), which scores none of the leads it stored', () => {
    const stoppedSync = (crm: string, status: 'error' | 'cancelled', endedAt: number) => ({ crm, status, synced: 0, remaining: null, endedAt, error: status === 'error' ? 'The CRM refused the credentials' : null });
    afterEach(() => background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [] })));
    const unscoredNote = async () => (await waitFor(() => rendered!.container.querySelector('[data-testid="unscored-leads"]'))).textContent;
    /** The note once the panel has read the syncs and the stored leads: none. */
    const noUnscoredNote = async () => {
      await waitFor(() => rendered!.container.textContent?.includes('Segments'));
      await waitFor(() => background.syncStatus.mock.calls.length > 0 || null);
      await act(() => new Promise((resolve) => setTimeout(resolve, 100)));
      return rendered!.container.querySelector('[data-testid="unscored-leads"]');
    };

    it('tells of them once a run over every lead finished after it stopped, however long ago', async () => {
      // HubSpot's last sync, weeks ago, ended on refused credentials; a CSV imported since, and every lead scored after.
      background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [stoppedSync('hubspot', 'error', 1), stoppedSync('salesforce', 'cancelled', 2)] }));
      await markUnreadable(2);
      panel.job = doneRun;
      panel.leads = [lead];
      rendered = renderApp();
      expect(await unscoredNote()).toMatch(/^2 stored leads have no score, left out below/);
    });

    it('says none could be scored rather than to import a CSV, when it scored none', async () => {
      background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [stoppedSync('hubspot', 'error', 1)] }));
      await markUnreadable(3);
      panel.job = doneRun;
      rendered = renderApp();
      await waitFor(() => rendered!.container.textContent?.includes('No stored lead could be scored'));
      expect(rendered.container.querySelector('[data-testid="no-leads-advice"]')?.textContent).toMatch(/^3 leads are stored, but the active model reads none of their fields/);
    });

    it('tells of them after a run over its own CRM\'s leads that finished after it stopped', async () => {
      background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [stoppedSync('hubspot', 'cancelled', 1)] }));
      await markUnreadable(2);
      panel.job = { ...doneRun, source: 'hubspot' } satisfies JobProgress;
      panel.leads = [lead];
      rendered = renderApp();
      expect(await unscoredNote()).toMatch(/^2 stored leads have no score/);
    });

    it('says nothing of them when it stopped after the last run finished, or before a run over another CRM\'s leads only', async () => {
      background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [stoppedSync('hubspot', 'error', 3)] }));
      panel.job = doneRun;
      panel.leads = [lead];
      rendered = renderApp();
      expect(await noUnscoredNote()).toBeNull();
      rendered.unmount();
      background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [stoppedSync('hubspot', 'error', 1)] }));
      panel.job = { ...doneRun, source: 'salesforce' } satisfies JobProgress;
      rendered = renderApp();
      expect(await noUnscoredNote()).toBeNull();
    });
  });

  it("tells of a failed scoring of the CSV leads kept on a later one-CRM run's row, not that the model reads none of their fields", async () => {
    panel.job = { modelId: 'model-2', state: 'done', done: 1, total: 1, startedAt: 3, finishedAt: 4, source: 'hubspot', lastFailure: csvFailed } satisfies JobProgress;
    panel.leads = [lead];
    rendered = renderApp();
    await waitFor(() => rendered!.container.textContent?.includes('Segments'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(alertText()).toBe(csvFailedTold);
    expect(rendered.container.querySelector('[data-testid="unscored-leads"]')).toBeNull();
  });

  it("says nothing of it after another model's scoring", async () => {
    panel.leads = [lead];
    panel.job = { ...doneRun, modelId: 'model-1' };
    rendered = renderApp();
    await waitFor(() => rendered!.container.textContent?.includes('Segments'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(rendered.container.querySelector('[data-testid="unscored-leads"]')).toBeNull();
  });
});

it('keeps the focus on Score them again while it is asked for (said unavailable, not disabled), and ignores another press meanwhile', async () => {
  panel.job = failedRun;
  const asked = deferred<unknown>();
  background.scoreStoredLeads.mockReturnValue(asked.promise);
  rendered = renderApp();
  const again = [...rendered.container.querySelectorAll('button')].find((button) => button.textContent === 'Score them again')!;
  pressEnter(again);
  await waitFor(() => again.getAttribute('aria-disabled') === 'true' || again.disabled || null);
  expect(again.disabled).toBe(false);
  expect(document.activeElement).toBe(again);
  pressEnter(again);

  await act(async () => asked.resolve({ ok: false, error: 'The scoring engine could not start' }));
  await waitFor(() => again.getAttribute('aria-disabled') === 'false' || null);
  expect(document.activeElement).toBe(again);
  expect(background.scoreStoredLeads).toHaveBeenCalledTimes(1);
});

describe('when the run Score them again asked for starts, and its progress takes the failure box\'s place', () => {
  const running: JobProgress = { modelId: 'model-2', state: 'running', done: 0, total: 5_000, startedAt: 3 };
  const client = new QueryClient();
  const app = () => createElement(QueryClientProvider, { client }, createElement(App));
  afterEach(() => client.clear());

  it('moves the focus the button had to the progress, not to the page\'s body', async () => {
    panel.job = failedRun;
    background.scoreStoredLeads.mockResolvedValue({ ok: true, scored: 5_000 });
    rendered = render(app());
    const again = [...rendered.container.querySelectorAll('button')].find((button) => button.textContent === 'Score them again')!;
    pressEnter(again);
    await waitFor(() => again.getAttribute('aria-disabled') === 'false' || null);
    panel.job = running;
    rendered.rerender(app());
    expect(again.isConnected).toBe(false);
    expect(document.activeElement).not.toBe(document.body);
    const focused = document.activeElement as HTMLElement;
    expect(focused.textContent).toBe('Scoring stored leads: 0 of 5,000 (0%)');
    expect(focused.tabIndex).toBe(-1);
  });

  it('leaves the focus alone when the button did not have it: on another control the rep moved to, or nowhere (a run the hourly refresh starts)', () => {
    panel.job = failedRun;
    panel.leads = [lead];
    rendered = render(app());
    const again = [...rendered.container.querySelectorAll('button')].find((button) => button.textContent === 'Score them again')!;
    act(() => again.focus());
    const elsewhere = [...rendered.container.querySelectorAll('button')].find((button) => button.textContent !== 'Score them again')!;
    act(() => elsewhere.focus());
    panel.job = running;
    rendered.rerender(app());
    expect(document.activeElement).toBe(elsewhere);
    rendered.unmount();

    panel.job = failedRun;
    rendered = render(app());
    expect(document.activeElement).toBe(document.body);
    panel.job = running;
    rendered.rerender(app());
    expect(rendered.container.textContent).toContain('Scoring stored leads: 0 of 5,000 (0%)');
    expect(document.activeElement).toBe(document.body);
  });
});

describe("the active model's scoring of every stored lead, owed since it was made active", () => {
  beforeEach(async () => {
    await Promise.all(db.tables.map((table) => table.clear()));
    await db.putLeads(demoStoredLeads(new Date('2026-11-01T00:00:00Z'), 3));
    await oweScoringOfEveryLead('model-2');
  });
  afterEach(() => Promise.all(db.tables.map((table) => table.clear())));
  const scoredSoFar = async () => (await waitFor(() => rendered!.container.querySelector('[data-testid="scored-so-far"]'))).textContent;

  it('says the stored leads wait for it before its run starts (behind a sync, a write-back), not to connect a CRM or import a CSV', async () => {
    // The scoring job's row is still the last run's, of the model active before.
    panel.job = { modelId: 'model-1', state: 'done', done: 6, total: 6, startedAt: 1, finishedAt: 2 };
    rendered = renderApp();
    // Every text the panel shows on the way, not only the last: the stored leads are counted after the (no) scored ones are read.
    const shown: string[] = [];
    const observer = new MutationObserver(() => shown.push(rendered!.container.textContent ?? ''));
    observer.observe(rendered.container, { childList: true, subtree: true, characterData: true });
    shown.push(rendered.container.textContent ?? '');
    await waitFor(() => rendered!.container.textContent?.includes('waiting their turn') || null);
    observer.disconnect();
    expect(rendered.container.querySelector('[data-testid="no-leads-advice"]')?.textContent).toBe('The stored leads are waiting their turn to be scored with the active model.');
    expect(shown.filter((text) => text.includes('Connect HubSpot or Salesforce'))).toEqual([]);
  });

  it('says the figures count only the leads scored so far while its run goes', async () => {
    const running: JobProgress = { modelId: 'model-2', state: 'running', done: 2, total: 6, startedAt: Date.now() };
    await writeJob('scoring', running);
    panel.job = running;
    panel.leads = [lead, { ...lead, leadKey: 'salesforce|2', recordId: '2' }];
    rendered = renderApp();
    expect(await scoredSoFar()).toBe('The numbers below count only the 2 leads scored so far.');
    expect(rendered.container.textContent).toContain('Scoring stored leads: 2 of 6');
  });

  it('says the leads wait for it, and that the figures count only those scored, when some are scored before its run starts', async () => {
    panel.leads = [lead];
    rendered = renderApp();
    expect(await scoredSoFar()).toBe('The stored leads are waiting their turn to be scored with the active model. The numbers below count only the 1 lead scored so far.');
  });

  it("says the figures are the model's earlier scores, not of only some leads, when it scored every stored lead before (rolled back to)", async () => {
    const earlier = (await db.leads.toArray()).map((stored): ScoredLeadRow => ({ ...lead, leadKey: stored.key, recordId: stored.id }));
    panel.leads = earlier;
    rendered = renderApp();
    expect(await scoredSoFar()).toBe("The stored leads are waiting their turn to be scored with the active model. The numbers below are the active model's earlier scores until its scoring of every lead ends.");
    rendered.unmount();
    const running: JobProgress = { modelId: 'model-2', state: 'running', done: 1, total: 3, startedAt: Date.now() };
    await writeJob('scoring', running);
    panel.job = running;
    rendered = renderApp();
    expect(await scoredSoFar()).toBe("The numbers below are the active model's earlier scores until its scoring of every lead ends.");
    expect(rendered.container.textContent).toContain('Scoring stored leads: 1 of 3');
  });

  it('says nothing of it once it is done', async () => {
    panel.leads = [lead];
    await Promise.all(db.tables.map((table) => table.clear()));
    rendered = renderApp();
    await waitFor(() => rendered!.container.textContent?.includes('Segments') || null);
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(rendered.container.querySelector('[data-testid="scored-so-far"]')).toBeNull();
  });
});

describe('stored leads without a score, beside leads of your own', () => {
  const doneRun: JobProgress = { modelId: 'model-2', state: 'done', done: 5, total: 5, startedAt: 1, finishedAt: 2 };
  const demo = demoStoredLeads(new Date('2026-11-01T00:00:00Z'), 4);
  const own = demo.slice(0, 3).map((stored, i) => ({ ...stored, key: `csv|row-${i}`, id: `row-${i}`, source: 'csv' as const, origin: 'csv' as const }));
  const ownRows = own.map((stored): ScoredLeadRow => ({ ...lead, leadKey: stored.key, source: 'csv', recordId: stored.id }));
  beforeEach(async () => {
    await Promise.all(db.tables.map((table) => table.clear()));
    await db.putLeads([...demo, ...own]);
  });
  afterEach(() => Promise.all(db.tables.map((table) => table.clear())));
  const unscoredNote = async () => (await waitFor(() => rendered!.container.querySelector('[data-testid="unscored-leads"]'))).textContent;

  it('says demo leads the active model cannot read are made up, neither counted here nor to train on', async () => {
    await db.unscorableLeads.bulkPut(demo.map(({ key }) => ({ key, modelId: 'model-2' })));
    panel.job = doneRun;
    panel.leads = ownRows;
    rendered = renderApp();
    expect(await unscoredNote()).toBe(
      '4 demo leads have no score, left out below: the active model reads none of their fields. They are made-up examples: remove them in Options (Demo mode) rather than train on them.',
    );
    expect(rendered.container.querySelector('[data-testid="demo-leads-mixed"]')).toBeNull();
  });

  it('counts among the figures only the demo leads the active model scored', async () => {
    await db.unscorableLeads.bulkPut(demo.slice(1).map(({ key }) => ({ key, modelId: 'model-2' })));
    panel.job = doneRun;
    panel.leads = [...ownRows, { ...lead, leadKey: demo[0].key, madeUp: true }];
    rendered = renderApp();
    const note = await waitFor(() => rendered!.container.querySelector('[data-testid="demo-leads-mixed"]'));
    expect(note.textContent).toBe('1 demo lead is counted here in the tiers with your own, not in the conversion rates. Remove them in Options (Demo mode)');
    expect(await unscoredNote()).toMatch(/^3 demo leads have no score/);
  });

  it("says leads whose scoring is owed (a sync's or an import's, not run yet) wait to be scored, not that the model reads none of their fields", async () => {
    await oweSourceScoring('csv');
    // Of the 4 demo leads, 1 the model reads nothing of; the 3 others and 1 CSV lead are still to score.
    await db.unscorableLeads.put({ key: demo[0].key, modelId: 'model-2' });
    panel.job = doneRun;
    panel.leads = ownRows.slice(0, 2);
    rendered = renderApp();
    expect(await unscoredNote()).toBe(
      '1 demo lead has no score, left out below: the active model reads none of their fields. They are made-up examples: remove them in Options (Demo mode) rather than train on them. 4 stored leads are waiting to be scored, left out below until they are.',
    );
  });
});

it("offers choosing a CSV lead in Top leads, with no lead open, only while they list one, as the top leads tell it", async () => {
  const noLeadOpen = 'Open a Salesforce Lead or a HubSpot contact in this window: its full explanation appears here.';
  const orAFileLead = 'Open a Salesforce Lead or a HubSpot contact in this window, or choose a CSV lead in Top leads: its full explanation appears here.';
  const emptyCard = () => rendered!.container.querySelector('[data-testid="open-lead"] .status-empty p:last-child')?.textContent;
  panel.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead: null, reading: false }, dataUpdatedAt: 1 } };
  // No lead stored at all.
  const queryClient = new QueryClient();
  const app = () => createElement(QueryClientProvider, { client: queryClient }, createElement(App));
  rendered = render(app());
  await waitFor(() => rendered!.container.textContent?.includes('No scored leads yet') || null);
  expect(emptyCard()).toBe(noLeadOpen);
  // A CRM's leads alone.
  panel.leads = [lead];
  rendered.rerender(app());
  expect(rendered.container.textContent).toContain('Top leads');
  expect(emptyCard()).toBe(noLeadOpen);
  // A file's lead listed beside them.
  const fileRow: ScoredLeadRow = { ...lead, leadKey: 'csv|L-7', source: 'csv', recordId: 'L-7', name: 'Grace', tier: 'warm' };
  panel.leads = [lead, fileRow];
  rendered.rerender(app());
  expect(emptyCard()).toBe(orAFileLead);
  // Converted already: stored, scored, but in no list to choose it from.
  panel.leads = [lead, { ...fileRow, outcome: 1 }];
  rendered.rerender(app());
  expect(emptyCard()).toBe(noLeadOpen);
});

describe('a CSV lead chosen from the top leads', () => {
  const bundled = (() => {
    const read = bundledModel.manifest();
    if (!read.ok) throw new Error(read.error);
    return read.manifest;
  })();
  // A name a file may hold: shown as text, never as markup, and isolated.
  const fileName = '<img src=x onerror=alert(1)> Ada \u202Eecalevol';
  const fileLead = {
    key: 'csv|L-7', source: 'csv' as const, id: 'L-7', origin: 'csv' as const, name: fileName, owner: 'Grace', leadSource: 'Web',
    createdAt: 0, modifiedAt: 0, outcome: null,
    fields: { lead_id: 'L-7', title: 'Analyst', industry: 'Software', employees: '250', country: 'Germany', email: 'ada@analytical.example', created_at: '2026-10-01', web_visits: '1' },
  };
  const fileRow: ScoredLeadRow = { ...lead, leadKey: fileLead.key, source: 'csv', recordId: fileLead.id, name: fileName, probability: 0.15, score: 60, tier: 'warm' };
  /** The background's answer, from the stored lead: the bundled model's manifest, a made-up engine (a warm lead). */
  const explainDeps = {
    manifest: bundled,
    runModel: async () => ({ probability: [0.15], contributions: [bundled.terms.map((_, t) => (t % 2 === 0 ? 0.1 : -0.1))] }),
    now: () => new Date('2026-11-20T00:00:00Z'),
  };
  beforeEach(async () => {
    await Promise.all(db.tables.map((table) => table.clear()));
    await db.leads.put(fileLead);
    background.explainStoredLead.mockReset();
    background.explainStoredLead.mockImplementation(({ leadKey }: { leadKey: string }) => explainStoredLead(leadKey, explainDeps));
    panel.manifest = { isPending: false, isError: false, data: bundled };
    panel.leads = [fileRow];
  });
  afterEach(() => Promise.all(db.tables.map((table) => table.clear())));

  const card = () => rendered!.container.querySelector<HTMLElement>('[data-testid="open-lead"]')!;
  const heading = () => card().querySelector('h2')!;
  const chooseFileLead = async () =>
    click(await waitFor(() => [...rendered!.container.querySelectorAll<HTMLButtonElement>('tbody .link-button')].find((button) => button.textContent === fileName)));

  it('explains it in full in the open lead card, from the background, and goes back to the lead open in the CRM tab', async () => {
    const explained = await explainStoredLead(fileLead.key, explainDeps);
    if (!explained.ok) throw new Error(explained.error);
    const crmLead = { ...explained.lead, crm: 'salesforce' as const, recordId: '00Q1', name: 'Grace Hopper', score: 77 };
    panel.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead: crmLead, reading: false } } };
    rendered = renderApp();
    expect(heading().textContent).toBe('Open lead');
    expect(card().textContent).toContain('Grace Hopper');

    await chooseFileLead();
    await waitFor(() => card().textContent?.includes('How the score adds up') && !card().textContent.includes('Grace Hopper ·') ? true : null);
    expect(background.explainStoredLead.mock.calls).toEqual([[{ leadKey: fileLead.key }]]);
    expect(heading().textContent).toBe('CSV lead chosen from Top leads');
    expect(document.activeElement).toBe(heading());
    // Its name as text, isolated; no markup of it.
    expect(card().querySelector('img')).toBeNull();
    expect([...card().querySelectorAll('bdi')].some((bdi) => bdi.textContent === fileName)).toBe(true);
    expect(card().textContent).toContain(`score ${explained.lead.score} of 99`);
    for (const part of ['What would make this lead hotter', 'How this lead compares with the ideal customer']) expect(card().textContent).toContain(part);
    // Nothing only a CRM page has.
    expect(card().textContent).not.toMatch(/on this page|does not show/);
    expect(card().querySelector('[data-testid="open-lead-converted"]')).toBeNull();
    expect(rendered.container.querySelector('[role="alert"]')).toBeNull();

    const back = card().querySelector<HTMLButtonElement>('[data-testid="back-to-open-lead"]')!;
    expect(back.textContent).toBe('Back to Grace Hopper, open in Salesforce');
    click(back);
    expect(heading().textContent).toBe('Open lead');
    expect(card().textContent).toContain('Grace Hopper · Warm · score 77 of 99');
    expect(card().textContent).not.toContain(fileName);
    expect(document.activeElement).toBe(heading());
  });

  it('explains a CRM lead opened from the top leads as the tab’s lead: the file’s lead shown before gives way, as the panel says', async () => {
    vi.spyOn(fakeBrowser.windows, 'getCurrent').mockResolvedValue({ id: 2 } as never);
    background.openRecord.mockResolvedValue({ ok: true });
    panel.leads = [fileRow, lead];
    rendered = renderApp();
    await chooseFileLead();
    expect(heading().textContent).toBe('CSV lead chosen from Top leads');
    const crmName = [...rendered.container.querySelectorAll<HTMLButtonElement>('tbody .link-button')].find((button) => button.textContent === 'Ada')!;
    click(crmName);
    await waitFor(() => (heading().textContent === 'Open lead' ? true : null));
    expect(background.openRecord).toHaveBeenLastCalledWith({ crm: 'salesforce', recordId: '1', windowId: 2 });
    expect(card().textContent).not.toContain(fileName);
    expect([...rendered.container.querySelectorAll('[role="status"]')].some((region) => region.textContent === 'Opened Ada in Salesforce: explained under Open lead.')).toBe(true);
  });

  it('says why a lead no longer stored cannot be explained, and goes back when no CRM lead is open', async () => {
    await db.leads.clear();
    rendered = renderApp();
    await chooseFileLead();
    const alert = await waitFor(() => card().querySelector('[role="alert"]'));
    expect(alert.textContent).toBe(`LeadLens could not score this lead: ${STORED_LEAD_GONE}`);
    const back = card().querySelector<HTMLButtonElement>('[data-testid="back-to-open-lead"]')!;
    expect(back.textContent).toBe('Back to the lead open in your CRM');
    click(back);
    expect(heading().textContent).toBe('Open lead');
    expect(card().querySelector('[role="alert"]')).toBeNull();
  });
});
