// @vitest-environment happy-dom
/**
 * One lead, one score, also once a record page's score goes stale: the badges then show the
 * stored score again (the cache's "stale after"), and so does the side panel, though nothing
 * it listens to (a scoring or re-tier ending, a record page scoring, data deleted) happened.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { PAGE_QUERY_DEFAULTS } from '@/components/page-query-client';
import { DEMO_ACCOUNTS } from '@/lib/crm/demo-accounts';
import { db, scoreKeyOf, type CachedScore, type LeadScore, type StoredLead } from '@/lib/db/db';
import { recentCachedScore } from '@/lib/background/score-lead';
import { bundledModel } from '@/lib/ml/bundled-model';
import type { ScoredLead } from '@/lib/messaging/protocol';
import { recordStaleAfterMs, setRecordStaleHours } from '@/lib/settings/record-staleness';
import { loadScoredLeads } from '@/lib/ui/stored-data';
import { useScoredLeads } from './hooks';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
vi.mock('@/lib/ui/stored-data', async (importOriginal) => {
  const storedData = await importOriginal<typeof import('@/lib/ui/stored-data')>();
  return { ...storedData, loadScoredLeads: vi.fn(storedData.loadScoredLeads) };
});

const bundled = bundledModel.manifest();
if (!bundled.ok) throw new Error('the bundled model does not parse');
const manifest = bundled.manifest;
const modelId = manifest.modelId;
const HOUR = 3_600_000;
const julia = 'salesforce|00QJULIA';

const storedLead: StoredLead = {
  key: julia, source: 'salesforce', id: '00QJULIA', origin: 'demo', name: 'Julia Walker', owner: 'Grace', leadSource: 'Web', createdAt: 10, modifiedAt: 20, outcome: null,
  fields: { Title: 'VP Sales', LeadSource: 'Web', NumberOfEmployees: 500, Email: 'julia@acme.example', Industry: 'Technology' },
};
const storedScore: LeadScore = {
  key: scoreKeyOf(modelId, julia), modelId, leadKey: julia, probability: 0.93, score: 97, tier: 'hot', topReason: 'Title: VP Sales', reasonUp: 'Title: VP Sales', reasonDown: '', scoredAt: 1,
};
/** Her record page's score, edited to an intern in the CRM since the last sync: cold. */
const pageLead: ScoredLead = {
  probability: 0.004, score: 1, tier: 'cold', baseRate: 0.1, tiers: { hot: 0.5, warm: 0.2 },
  reasons: [{ label: 'Title', value: 'Intern', points: -2 }],
  featuresKnown: manifest.features.length, featuresTotal: manifest.features.length, modelId, modelCreatedAt: manifest.createdAt, modelLearntFromMadeUpLeads: true,
};

/** Julia's score as the panel lists her. */
function Panel() {
  const { leads } = useScoredLeads();
  const row = leads.data?.rows.find((shown) => shown.leadKey === julia);
  return createElement('p', { 'data-score': String(row?.score ?? 'none') });
}
const panelScore = () => container.querySelector('p')?.dataset.score;

let root: Root;
const container = document.createElement('div');
let pageScoredAt: number;

beforeEach(async () => {
  fakeBrowser.reset();
  // Timers too: the panel may wait for the cache's "stale after" by its own clock. Moving with real time, so react-query's and IndexedDB's run.
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
  await Promise.all(db.tables.map((table) => table.clear()));
  await db.putLeads([storedLead]);
  await db.leadScores.put(storedScore);
  pageScoredAt = Date.now() - HOUR;
  const cached: CachedScore = { key: scoreKeyOf(modelId, julia), fieldsHash: 'page', lead: pageLead, scoredAt: pageScoredAt, fields: { Title: 'Intern' }, account: DEMO_ACCOUNTS.salesforce };
  await db.scores.put(cached);
  vi.mocked(loadScoredLeads).mockClear();
});
afterEach(() => {
  root.unmount();
  vi.useRealTimers();
});

function renderPanel() {
  const queryClient = new QueryClient({ defaultOptions: { ...PAGE_QUERY_DEFAULTS, queries: { ...PAGE_QUERY_DEFAULTS.queries, retry: false } } });
  root = createRoot(container);
  root.render(createElement(QueryClientProvider, { client: queryClient }, createElement(Panel)));
}

/** Her score as her badge shows it now: the record page's while the cache reuses it (score-lead.ts), else the stored one. */
async function badgeScore(): Promise<number> {
  const deps = { cache: { get: (key: string) => db.scores.get(key), put: async () => undefined }, now: () => new Date(), staleAfterMs: await recordStaleAfterMs() };
  return (await recentCachedScore(scoreKeyOf(modelId, julia), deps))?.lead.score ?? storedScore.score;
}

it('lists a lead by its stored score again once its record page’s score is past "stale after", as its badge then shows it', async () => {
  renderPanel();
  await vi.waitFor(() => expect(panelScore()).toBe('1'), { timeout: 10_000 });
  expect(await badgeScore()).toBe(1);
  // A minute before the cached score goes stale: both still show it.
  await vi.advanceTimersByTimeAsync(pageScoredAt + (await recordStaleAfterMs()) - Date.now() - 60_000);
  expect(await badgeScore()).toBe(1);
  expect(panelScore()).toBe('1');
  // Past it: the badge shows the stored score, and so does the panel.
  await vi.advanceTimersByTimeAsync(2 * 60_000);
  expect(await badgeScore()).toBe(97);
  await vi.waitFor(() => expect(panelScore()).toBe('97'), { timeout: 5_000 });
});

it('waits for a "stale after" longer than a timer keeps (up to a year) without reading the leads again and again', async () => {
  await setRecordStaleHours(24 * 365);
  renderPanel();
  await vi.waitFor(() => expect(panelScore()).toBe('1'), { timeout: 10_000 });
  await vi.advanceTimersByTimeAsync(60_000);
  expect(loadScoredLeads).toHaveBeenCalledTimes(1);
  // Read again at the longest timer's end (24.8 days), still within it: the page's score stands.
  await vi.advanceTimersByTimeAsync(25 * 24 * HOUR);
  await vi.waitFor(() => expect(loadScoredLeads).toHaveBeenCalledTimes(2));
  expect(panelScore()).toBe('1');
});
