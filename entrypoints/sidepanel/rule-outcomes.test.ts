// @vitest-environment happy-dom
/**
 * The side panel's conversion rates by the active model's outcome rule: the leads and outcomes
 * the options page counts (`labelledProbabilities`), read in a worker and looked up per tier.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { db, type StoredLead } from '@/lib/db/db';
import { bundledModel } from '@/lib/ml/bundled-model';
import type { Manifest } from '@/lib/ml/manifest';
import type { ModelOutcomeRule } from '@/lib/ml/outcome-rule';
import { segmentStats } from '@/lib/segments';
import { labelledProbabilities, loadScoredLeads } from '@/lib/ui/stored-data';
import { storeModel } from '../../test/fixtures/stored-model';
import { queryKeys } from '@/lib/query-keys';
import { useOutcomeBasis, type OutcomeBasis } from './hooks';
import { byLead, readRuleOutcomes, RuleOutcomesRequestSchema } from './rule-outcomes';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const DAY = 86_400_000;
const now = Date.parse('2026-11-20T00:00:00Z');

beforeEach(async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
});

const storedLead = (key: string, fields: StoredLead['fields'], overrides: Partial<StoredLead> = {}): StoredLead => {
  const [source, id] = key.split('|') as [StoredLead['source'], string];
  return { key, source, id, origin: 'sync', name: `Lead ${id}`, owner: 'Grace', leadSource: 'Web', createdAt: now - 60 * DAY, modifiedAt: 0, outcome: null, fields, ...overrides };
};

/** `leads`, all scored hot by model `m`. */
async function storeHot(leads: StoredLead[]): Promise<void> {
  await db.putLeads(leads);
  await db.leadScores.bulkPut(leads.map((lead) => ({ key: `m|${lead.key}`, modelId: 'm', leadKey: lead.key, probability: 0.5, score: 90, tier: 'hot' as const, topReason: '', scoredAt: 1 })));
}

/** The hot tier's conversion rate and its basis in the side panel, beside the options page's over the same leads. */
async function panelAndOptions(rule: ModelOutcomeRule) {
  const { rows } = await loadScoredLeads('m');
  const hot = segmentStats(rows, now, byLead(await readRuleOutcomes({ modelId: 'm', rule, now }))).hot;
  const { labels } = await labelledProbabilities('m', rule, now);
  return {
    panel: { rate: hot.conversionRate, of: hot.withOutcome },
    options: { rate: labels.length > 0 ? labels.reduce((sum, label) => sum + label, 0) / labels.length : null, of: labels.length },
  };
}

it("counts the leads the rule marks as still being worked as the options page does: left out, not lost", async () => {
  // As the Salesforce sync stores them: outcome = IsConverted ? 1 : 0.
  const sf = (id: string, converted: boolean, status: string) => storedLead(`salesforce|${id}`, { IsConverted: converted, Status: status }, { outcome: converted ? 1 : 0 });
  await storeHot([...['1', '2', '3', '4', '5'].map((id) => sf(id, true, 'Closed - Converted')), ...['6', '7', '8', '9', '10'].map((id) => sf(id, false, 'Working - Contacted'))]);
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Working - Contacted'] } };
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 1, of: 5 }, options: { rate: 1, of: 5 } });
});

it("reads a HubSpot rule's own stage, and leaves out other sources' leads and the demo leads of a source with leads of its own", async () => {
  const contact = (id: string, stage: string, overrides: Partial<StoredLead> = {}) => storedLead(`hubspot|${id}`, { lifecyclestage: stage }, { outcome: 1, ...overrides });
  await storeHot([
    contact('1', 'customer'),
    // Stored as converted (opportunity or later), not a customer by the rule.
    contact('2', 'opportunity'),
    contact('3', 'salesqualifiedlead', { outcome: 0 }),
    // Demo mode's made-up contacts: not the portal's history.
    contact('4', 'customer', { origin: 'demo' }),
    contact('5', 'customer', { origin: 'demo' }),
    // Another source: its fields may mean something else.
    storedLead('salesforce|6', { IsConverted: true }, { outcome: 1 }),
    storedLead('csv|7', { lifecyclestage: 'customer' }, { outcome: 1 }),
  ]);
  const rule: ModelOutcomeRule = { source: 'hubspot', field: 'lifecyclestage', positiveValues: ['customer'] };
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 1 / 3, of: 3 }, options: { rate: 1 / 3, of: 3 } });
});

it('leaves out leads created in the last 30 days, but counts those the model learnt from whatever their age, as the options page does', async () => {
  const sf = (id: string, converted: boolean, daysOld: number) => storedLead(`salesforce|${id}`, { IsConverted: converted }, { outcome: converted ? 1 : 0, createdAt: now - daysOld * DAY });
  await storeHot([sf('old', false, 45), sf('young', false, 5), sf('learnt', true, 3)]);
  await db.heldOutScores.put({ modelId: 'm', leadKeys: ['salesforce|learnt'], probabilities: Float64Array.of(0.55) });
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 0.5, of: 2 }, options: { rate: 0.5, of: 2 } });
  expect((await readRuleOutcomes({ modelId: 'm', rule, now })).learntFrom).toBe(true);
});

it('leaves out the leads younger than the minimum age the model was trained with (90 days), as the options page does; 30 for a rule stored without one', async () => {
  const sf = (id: string, converted: boolean, daysOld: number) => storedLead(`salesforce|${id}`, { IsConverted: converted }, { outcome: converted ? 1 : 0, createdAt: now - daysOld * DAY });
  await storeHot([sf('won', true, 120), sf('lost', false, 100), sf('not-yet', false, 45)]);
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  expect(await panelAndOptions({ ...rule, settledAfterDays: 90 })).toEqual({ panel: { rate: 0.5, of: 2 }, options: { rate: 0.5, of: 2 } });
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 1 / 3, of: 3 }, options: { rate: 1 / 3, of: 3 } });
});

/** A worker as the side panel starts it, answering in this thread as ./rule-outcomes-worker.ts does. */
class InThreadWorker {
  static started = 0;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  constructor() {
    InThreadWorker.started++;
  }
  postMessage(request: unknown) {
    void readRuleOutcomes(RuleOutcomesRequestSchema.parse(request)).then((outcomes) => this.onmessage?.({ data: { ok: true, outcomes } } as MessageEvent));
  }
  terminate() {}
}

let root: Root | undefined;
afterEach(() => {
  root?.unmount();
  vi.unstubAllGlobals();
});

/** What `useOutcomeBasis` gives for the model of `modelId`, once it has settled. */
async function outcomeBasisOf(modelId: string, queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })): Promise<OutcomeBasis> {
  InThreadWorker.started = 0;
  vi.stubGlobal('Worker', InThreadWorker);
  let basis: OutcomeBasis = { kind: 'reading' };
  function Probe() {
    basis = useOutcomeBasis(modelId);
    return null;
  }
  root = createRoot(document.createElement('div'));
  root.render(createElement(QueryClientProvider, { client: queryClient }, createElement(Probe)));
  await vi.waitFor(() => expect(basis.kind).not.toBe('reading'));
  return basis;
}

function bundledManifest(): Manifest {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
}

it("reads the outcomes by the active model's rule in a worker, and keeps the stored outcomes of a model without one (the bundled model)", async () => {
  await storeHot([storedLead('salesforce|1', { IsConverted: false, Status: 'Working - Contacted' }, { outcome: 0 }), storedLead('salesforce|2', { IsConverted: true }, { outcome: 1 })]);
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Working - Contacted'] } };
  await storeModel({ ...bundledManifest(), modelId: 'trained', outcomeRule: rule }, new Uint8Array([1]), 'trained');
  expect(await outcomeBasisOf('trained')).toEqual({ kind: 'rule', rule, outcomes: new Map([['salesforce|2', 1]]), learntFrom: false });
  root?.unmount();

  expect(await outcomeBasisOf(bundledManifest().modelId)).toEqual({ kind: 'stored' });
  expect(InThreadWorker.started).toBe(0);
});

it("sends the worker the model's minimum age with its rule, so the panel counts a lead of 45 days as the options page does for a 90-day model", async () => {
  // The panel asks as of today.
  const today = Date.now();
  await storeHot([storedLead('salesforce|won', { IsConverted: true }, { outcome: 1, createdAt: today - 120 * DAY }), storedLead('salesforce|not-yet', { IsConverted: false }, { outcome: 0, createdAt: today - 45 * DAY })]);
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'], settledAfterDays: 90 };
  await storeModel({ ...bundledManifest(), modelId: 'trained', outcomeRule: rule }, new Uint8Array([1]), 'trained');
  expect(await outcomeBasisOf('trained')).toEqual({ kind: 'rule', rule, outcomes: new Map([['salesforce|won', 1]]), learntFrom: false });
});

it('reads the outcomes again when the leads may have changed, not when only their tiers or owners did', async () => {
  await storeHot([storedLead('salesforce|2', { IsConverted: true }, { outcome: 1 })]);
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  await storeModel({ ...bundledManifest(), modelId: 'trained', outcomeRule: rule }, new Uint8Array([1]), 'trained');
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  await outcomeBasisOf('trained', queryClient);
  expect(InThreadWorker.started).toBe(1);
  // What a re-tier's end or owners named invalidate: every lead's score and summary, not their outcomes.
  await queryClient.invalidateQueries({ queryKey: queryKeys.leads() });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(InThreadWorker.started).toBe(1);
  await queryClient.invalidateQueries({ queryKey: queryKeys.ruleOutcomes('trained') });
  await vi.waitFor(() => expect(InThreadWorker.started).toBe(2));
});
