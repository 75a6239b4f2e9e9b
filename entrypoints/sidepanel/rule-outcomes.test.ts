// @vitest-environment happy-dom
/**
 * The side panel's conversion rates by the active model's outcome rule: the leads and outcomes
 * the options page counts (`labelledProbabilities`), read in a worker and looked up per tier,
 * the leads the model learnt from in the tier of their held-out probability.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { db, type StoredLead } from '@/lib/db/db';
import { writeJob } from '@/lib/jobs/progress';
import { bundledModel } from '@/lib/ml/bundled-model';
import { DEFAULT_POLICY, type Calibration, type Manifest, type TierPolicy } from '@/lib/ml/manifest';
import type { ModelOutcomeRule } from '@/lib/ml/outcome-rule';
import { tierOf } from '@/lib/ml/score';
import { countedLabelled } from '@/lib/ml/tier-policy';
import type { TierThresholds } from '@/lib/ml/train/thresholds';
import type { Tier } from '@/lib/messaging/protocol';
import { leadsToWork, segmentFigures, TIERS, type RuleOutcomes } from '@/lib/segments';
import { labelledProbabilities, loadScoredLeads } from '@/lib/ui/stored-data';
import { storeModel } from '../../test/fixtures/stored-model';
import { queryKeys } from '@/lib/query-keys';
import { useOutcomeBasis, type OutcomeBasis } from './hooks';
import { byLead, readRuleOutcomes, RuleOutcomeListSchema, RuleOutcomesRequestSchema } from './rule-outcomes';

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

/** Model `m`'s thresholds in these tests: a stored score of 0.5 is hot. */
const THRESHOLDS: TierThresholds = { hot: 0.5, warm: 0.2 };

/** `leads`, scored by model `m` at `probability` (each in its tier by `THRESHOLDS`), hot by default. */
async function storeScored(leads: StoredLead[], probability = 0.5): Promise<void> {
  await db.putLeads(leads);
  const tier = tierOf(probability, THRESHOLDS);
  await db.leadScores.bulkPut(leads.map((lead) => ({ key: `m|${lead.key}`, modelId: 'm', leadKey: lead.key, probability, score: 90, tier, topReason: '', scoredAt: 1 })));
}
const storeHot = (leads: StoredLead[]) => storeScored(leads);

/** Model `m`'s calibration in these tests: one that ranks the leads, so a value or fixed policy counts those it learnt from cross-fitted (`countsCrossFitted`). */
const CALIBRATION: Calibration = { kind: 'platt', a: 1, b: 0 };

/**
 * Each tier's conversion rate and its basis in the side panel, beside the options page's (its tier preview's, `expectedOutcomes`)
 * over the same leads, as each counts the leads the model learnt from under `policy` (`countedLabelled`): the panel told by
 * which probability, as its outcome basis tells it (`learntFromBy`).
 */
async function panelAndOptionsByTier(rule: ModelOutcomeRule, policy: TierPolicy = DEFAULT_POLICY) {
  const { rows } = await loadScoredLeads('m');
  const labelled = await labelledProbabilities('m', rule, now);
  const { labels } = labelled;
  const { probabilities, learntFromBy } = countedLabelled(labelled, policy, CALIBRATION);
  const outcomes = byLead(await readRuleOutcomes({ modelId: 'm', rule, now }));
  const panel = segmentFigures(rows, now, { outcomes, thresholds: THRESHOLDS, crossFitted: learntFromBy === 'cross-fitted' }).stats;
  const options = new Map<Tier, number[]>(TIERS.map((tier) => [tier, []]));
  labels.forEach((label, i) => options.get(tierOf(probabilities[i], THRESHOLDS))!.push(label));
  const rate = (outcomes: number[]) => (outcomes.length > 0 ? outcomes.reduce((sum, outcome) => sum + outcome, 0) / outcomes.length : null);
  return Object.fromEntries(
    TIERS.map((tier) => [tier, { panel: { rate: panel[tier].conversionRate, of: panel[tier].withOutcome }, options: { rate: rate(options.get(tier)!), of: options.get(tier)!.length } }]),
  ) as Record<Tier, { panel: { rate: number | null; of: number }; options: { rate: number | null; of: number } }>;
}

/** The hot tier's conversion rate and its basis in the side panel, beside the options page's over the same leads. */
async function panelAndOptions(rule: ModelOutcomeRule) {
  return (await panelAndOptionsByTier(rule)).hot;
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

it("lists a demo lead of the rule's source outside its history as another source's lead: by its stored outcome, and not in the rates", async () => {
  // A model trained on the portal's own contacts; Demo mode's contacts stored beside them, and Demo mode's Salesforce leads.
  const contact = (id: string, stage: string, overrides: Partial<StoredLead> = {}) => storedLead(`hubspot|${id}`, { lifecyclestage: stage }, { outcome: stage === 'lead' ? 0 : 1, ...overrides });
  await storeHot([
    contact('own-customer', 'customer'),
    contact('own-lead', 'lead'),
    contact('demo-customer', 'customer', { origin: 'demo' }),
    contact('demo-lead', 'lead', { origin: 'demo' }),
    storedLead('salesforce|demo-won', { IsConverted: true }, { origin: 'demo', outcome: 1 }),
  ]);
  const rule: ModelOutcomeRule = { source: 'hubspot', field: 'lifecyclestage', positiveValues: ['customer'] };
  const list = await readRuleOutcomes({ modelId: 'm', rule, now });
  expect(RuleOutcomeListSchema.safeParse(list).success).toBe(true);
  expect(list.outsideHistory.sort()).toEqual(['hubspot|demo-customer', 'hubspot|demo-lead']);
  const outcomes = byLead(list);
  expect(outcomes.get('hubspot|demo-customer')).toEqual({ outcome: null, heldOutProbability: null });
  // The rates count the portal's own contacts only, as the options page does.
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 0.5, of: 2 }, options: { rate: 0.5, of: 2 } });
  // The hot list: Demo mode's customers of either CRM left out by their stored status, the portal's by the rule.
  const { rows } = await loadScoredLeads('m');
  const work = leadsToWork(rows, 'hot', { key: 'score', descending: true }, { source: 'hubspot', outcomes });
  expect(work.leads.map((row) => row.leadKey).sort()).toEqual(['hubspot|demo-lead', 'hubspot|own-lead']);
  expect({ converted: work.converted, byStatus: work.byStatus }).toEqual({ converted: 3, byStatus: 2 });
});

it('leaves out leads created in the last 30 days, but counts those the model learnt from whatever their age, as the options page does', async () => {
  const sf = (id: string, converted: boolean, daysOld: number) => storedLead(`salesforce|${id}`, { IsConverted: converted }, { outcome: converted ? 1 : 0, createdAt: now - daysOld * DAY });
  await storeHot([sf('old', false, 45), sf('young', false, 5), sf('learnt', true, 3)]);
  await db.heldOutScores.put({ modelId: 'm', leadKeys: ['salesforce|learnt'], probabilities: Float64Array.of(0.55) });
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 0.5, of: 2 }, options: { rate: 0.5, of: 2 } });
  expect((await readRuleOutcomes({ modelId: 'm', rule, now })).learntFrom).toBe(true);
});

it('knows a lead too new to count that converted already by the rule, for the lists to leave out, without counting it in the rates', async () => {
  const sf = (id: string, converted: boolean, daysOld: number) => storedLead(`salesforce|${id}`, { IsConverted: converted }, { outcome: converted ? 1 : 0, createdAt: now - daysOld * DAY });
  await storeHot([sf('old-lost', false, 45), sf('young-won', true, 5), sf('young-open', false, 5)]);
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 0, of: 1 }, options: { rate: 0, of: 1 } });
  const list = await readRuleOutcomes({ modelId: 'm', rule, now });
  expect(RuleOutcomeListSchema.safeParse(list).success).toBe(true);
  const outcomes = byLead(list);
  expect(outcomes.get('salesforce|young-won')).toEqual({ outcome: 1, heldOutProbability: null, uncounted: true });
  expect(outcomes.has('salesforce|young-open')).toBe(false);
  // The rep's hot list: the lead converted last week is no lead to work.
  const { rows } = await loadScoredLeads('m');
  expect(leadsToWork(rows, 'hot', { key: 'score', descending: true }, { source: 'salesforce', outcomes }).leads.map((row) => row.leadKey).sort()).toEqual(['salesforce|old-lost', 'salesforce|young-open']);
  // A too-new flag other than 0 or 1 is refused at the worker's boundary (a lead not converted may carry one: a file's lead lost by a rule that says so).
  const flagged = Uint8Array.from(list.leadKeys, (leadKey) => (leadKey === 'salesforce|old-lost' ? 2 : 0));
  expect(RuleOutcomeListSchema.safeParse({ ...list, uncounted: flagged }).success).toBe(false);
});

it("knows a file's lead too new to count that its rule reads as closed without converting, for the lists to leave out, without counting it in the rates", async () => {
  // The file was exported on `now`; its Status column's "Working" leads the admin ticked as still open.
  const row = (id: string, status: string, daysOld: number) =>
    storedLead(`csv|${id}`, { Status: status }, { origin: 'csv', outcome: status === 'Converted' ? 1 : status === 'Working' ? null : 0, createdAt: now - daysOld * DAY });
  await storeHot([row('old-lost', 'Closed - Not Converted', 45), row('young-lost', 'Closed - Not Converted', 5), row('young-open', 'Working', 5), row('young-won', 'Converted', 5)]);
  const rule: ModelOutcomeRule = { source: 'csv', field: 'Status', positiveValues: ['Converted'], openValues: ['Working'], settledAfterDays: 30 };
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 0, of: 1 }, options: { rate: 0, of: 1 } });
  const list = await readRuleOutcomes({ modelId: 'm', rule, now });
  expect(RuleOutcomeListSchema.safeParse(list).success).toBe(true);
  const outcomes = byLead(list);
  expect(outcomes.get('csv|young-lost')).toEqual({ outcome: 0, heldOutProbability: null, uncounted: true });
  expect(outcomes.has('csv|young-open')).toBe(false);
  const { rows } = await loadScoredLeads('m');
  const work = leadsToWork(rows, 'hot', { key: 'score', descending: true }, { source: 'csv', outcomes, notConvertedIsLost: true });
  expect(work.leads.map((lead) => lead.leadKey)).toEqual(['csv|young-open']);
  expect({ converted: work.converted, lost: work.lost }).toEqual({ converted: 1, lost: 2 });
  // A rule naming no value still open: its young leads not converted may still convert, and are not sent.
  const noneOpen: ModelOutcomeRule = { source: 'csv', field: 'Status', positiveValues: ['Converted'], settledAfterDays: 30 };
  expect((await readRuleOutcomes({ modelId: 'm', rule: noneOpen, now })).leadKeys.sort()).toEqual(['csv|old-lost', 'csv|young-won']);
});

it('counts a lead the model learnt from in the tier of its held-out probability, as the options page does, not in the tier its own score lists it in', async () => {
  const sf = (id: string, converted: boolean) => storedLead(`salesforce|${id}`, { IsConverted: converted }, { outcome: converted ? 1 : 0 });
  // The model learnt that 'learnt-won' converted, and scores it hot (0.9) since; a check model that never saw it gave it 0.05, cold.
  await storeScored([sf('learnt-won', true), sf('learnt-lost', false)], 0.9);
  await storeScored([sf('new-lost', false)], 0.05);
  await db.heldOutScores.put({ modelId: 'm', leadKeys: ['salesforce|learnt-won', 'salesforce|learnt-lost'], probabilities: Float64Array.of(0.05, 0.7) });
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  expect(await panelAndOptionsByTier(rule)).toEqual({
    hot: { panel: { rate: 0, of: 1 }, options: { rate: 0, of: 1 } },
    warm: { panel: { rate: null, of: 0 }, options: { rate: null, of: 0 } },
    cold: { panel: { rate: 0.5, of: 2 }, options: { rate: 0.5, of: 2 } },
  });
  // The tiers' counts, and the leads listed, stay by the stored scores: what reps work.
  const { rows } = await loadScoredLeads('m');
  const stats = segmentFigures(rows, now, { outcomes: byLead(await readRuleOutcomes({ modelId: 'm', rule, now })), thresholds: THRESHOLDS }).stats;
  expect(TIERS.map((tier) => stats[tier].count)).toEqual([2, 0, 1]);
  // In the worker's one message: the held-out probability of each lead it learnt from, NaN for the others.
  const list = await readRuleOutcomes({ modelId: 'm', rule, now });
  expect(Object.fromEntries(list.leadKeys.map((leadKey, i) => [leadKey, list.heldOutProbabilities[i]]))).toEqual({
    'salesforce|learnt-won': 0.05,
    'salesforce|learnt-lost': 0.7,
    'salesforce|new-lost': Number.NaN,
  });
  expect(RuleOutcomeListSchema.safeParse(list).success).toBe(true);
  expect(RuleOutcomeListSchema.safeParse({ ...list, heldOutProbabilities: list.heldOutProbabilities.subarray(1) }).success).toBe(false);
});

it('counts a lead the model learnt from as the options page does under its policy: cross-fitted under a value policy, by its held-out probability under a capacity one or for a model trained before', async () => {
  const sf = (id: string, converted: boolean) => storedLead(`salesforce|${id}`, { IsConverted: converted }, { outcome: converted ? 1 : 0 });
  await storeScored([sf('learnt-won', true), sf('learnt-lost', false)], 0.9);
  await storeScored([sf('new-lost', false)], 0.05);
  // A check model that never saw 'learnt-won' put it hot (0.6) through the calibration fitted on these same leads, which
  // knew it converted; warm (0.3) through one fitted without its fold, as a new lead meets a value policy's thresholds.
  const heldOut = { modelId: 'm', leadKeys: ['salesforce|learnt-won', 'salesforce|learnt-lost'], probabilities: Float64Array.of(0.6, 0.1) };
  await db.heldOutScores.put({ ...heldOut, crossFittedProbabilities: Float64Array.of(0.3, 0.15) });
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  const value: TierPolicy = { kind: 'value', revenuePerConversion: 100, costPerContact: 10 };
  expect(await panelAndOptionsByTier(rule, value)).toEqual({
    hot: { panel: { rate: null, of: 0 }, options: { rate: null, of: 0 } },
    warm: { panel: { rate: 1, of: 1 }, options: { rate: 1, of: 1 } },
    cold: { panel: { rate: 0, of: 2 }, options: { rate: 0, of: 2 } },
  });
  // A capacity policy's cuts are of the shipped calibration's probabilities: the hot tier holds it there.
  const byHeldOut = {
    hot: { panel: { rate: 1, of: 1 }, options: { rate: 1, of: 1 } },
    warm: { panel: { rate: null, of: 0 }, options: { rate: null, of: 0 } },
    cold: { panel: { rate: 0, of: 2 }, options: { rate: 0, of: 2 } },
  };
  expect(await panelAndOptionsByTier(rule, DEFAULT_POLICY)).toEqual(byHeldOut);
  // In the worker's message: the cross-fitted probability of each lead it learnt from, NaN for the others.
  const list = await readRuleOutcomes({ modelId: 'm', rule, now });
  expect(Object.fromEntries(list.leadKeys.map((leadKey, i) => [leadKey, list.crossFittedProbabilities?.[i]]))).toEqual({
    'salesforce|learnt-won': 0.3,
    'salesforce|learnt-lost': 0.15,
    'salesforce|new-lost': Number.NaN,
  });
  expect(RuleOutcomeListSchema.safeParse(list).success).toBe(true);
  expect(RuleOutcomeListSchema.safeParse({ ...list, crossFittedProbabilities: list.crossFittedProbabilities?.subarray(1) }).success).toBe(false);

  // A model trained before LeadLens kept them: under a value policy too, by the held-out probability, as the options page counts it.
  await db.heldOutScores.put(heldOut);
  expect((await readRuleOutcomes({ modelId: 'm', rule, now })).crossFittedProbabilities).toBeUndefined();
  expect(await panelAndOptionsByTier(rule, value)).toEqual(byHeldOut);
});

it('leaves out the leads younger than the minimum age the model was trained with (90 days), as the options page does; 30 for a rule stored without one', async () => {
  const sf = (id: string, converted: boolean, daysOld: number) => storedLead(`salesforce|${id}`, { IsConverted: converted }, { outcome: converted ? 1 : 0, createdAt: now - daysOld * DAY });
  await storeHot([sf('won', true, 120), sf('lost', false, 100), sf('not-yet', false, 45)]);
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  expect(await panelAndOptions({ ...rule, settledAfterDays: 90 })).toEqual({ panel: { rate: 0.5, of: 2 }, options: { rate: 0.5, of: 2 } });
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 1 / 3, of: 3 }, options: { rate: 1 / 3, of: 3 } });
});

it('counts an imported file’s rows by their age at its export, as the trainer did and the options page does: a row days old then has no outcome yet, months later', async () => {
  // The file was exported five months before today; its rows are as they were then.
  const exported = now - 150 * DAY;
  const row = (id: string, converted: boolean, daysOldAtExport: number) =>
    storedLead(`csv|${id}`, { Converted: converted ? 'yes' : 'no' }, { origin: 'csv', outcome: converted ? 1 : 0, createdAt: exported - daysOldAtExport * DAY });
  await storeHot([row('won', true, 90), row('lost', false, 60), row('too-young', false, 5), row('latest', false, 0), row('learnt', true, 2)]);
  await db.heldOutScores.put({ modelId: 'm', leadKeys: ['csv|learnt'], probabilities: Float64Array.of(0.6) });
  const rule: ModelOutcomeRule = { source: 'csv', field: 'Converted', positiveValues: ['yes'], settledAfterDays: 30 };
  expect(await panelAndOptions(rule)).toEqual({ panel: { rate: 2 / 3, of: 3 }, options: { rate: 2 / 3, of: 3 } });
  expect((await readRuleOutcomes({ modelId: 'm', rule, now })).leadKeys).toEqual(['csv|learnt', 'csv|lost', 'csv|won']);
});

/** A worker as the side panel starts it, answering in this thread as ./rule-outcomes-worker.ts does. */
class InThreadWorker extends EventTarget {
  static started = 0;
  constructor() {
    super();
    InThreadWorker.started++;
  }
  postMessage(request: unknown) {
    void readRuleOutcomes(RuleOutcomesRequestSchema.parse(request)).then((outcomes) => this.dispatchEvent(new MessageEvent('message', { data: { ok: true, outcomes } })));
  }
  terminate() {}
}

let root: Root | undefined;
afterEach(() => {
  root?.unmount();
  vi.unstubAllGlobals();
});

/** What `useOutcomeBasis` gives for the model of `modelId` as it changes, once it has settled. */
async function watchOutcomeBasis(modelId: string, queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })): Promise<() => OutcomeBasis> {
  InThreadWorker.started = 0;
  vi.stubGlobal('Worker', InThreadWorker);
  let basis: OutcomeBasis = { kind: 'reading' };
  function Probe() {
    basis = useOutcomeBasis(modelId, true);
    return null;
  }
  root = createRoot(document.createElement('div'));
  root.render(createElement(QueryClientProvider, { client: queryClient }, createElement(Probe)));
  // The worker reads the leads and the model from IndexedDB: on a loaded machine, the file's first read outlasts vi.waitFor's default second.
  await vi.waitFor(() => expect(basis.kind).not.toBe('reading'), { timeout: 10_000 });
  return () => basis;
}

/** What `useOutcomeBasis` gives for the model of `modelId`, once it has settled. */
async function outcomeBasisOf(modelId: string, queryClient?: QueryClient): Promise<OutcomeBasis> {
  return (await watchOutcomeBasis(modelId, queryClient))();
}

/** The outcomes of leads the model did not learn from, as `byLead` gives them. */
const notLearntFrom = (outcomes: [string, 0 | 1][]) => new Map(outcomes.map(([leadKey, outcome]) => [leadKey, { outcome, heldOutProbability: null }]));

function bundledManifest(): Manifest {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
}

it("reads the outcomes by the active model's rule in a worker, and keeps the stored outcomes of a model without one (the bundled model)", async () => {
  await storeHot([storedLead('salesforce|1', { IsConverted: false, Status: 'Working - Contacted' }, { outcome: 0 }), storedLead('salesforce|2', { IsConverted: true }, { outcome: 1 })]);
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Working - Contacted'] } };
  await storeModel({ ...bundledManifest(), modelId: 'trained', outcomeRule: rule }, new Uint8Array([1]), 'trained');
  expect(await outcomeBasisOf('trained')).toEqual({ kind: 'rule', rule, outcomes: notLearntFrom([['salesforce|2', 1]]), thresholds: bundledManifest().tiers, learntFrom: false, learntFromBy: 'cuts' });
  root?.unmount();

  // No file imported: every lead's age counts from now.
  const stored = await outcomeBasisOf(bundledManifest().modelId);
  expect(stored).toEqual({ kind: 'stored', fileAgesFrom: expect.any(Number) });
  expect(Math.abs((stored as { fileAgesFrom: number }).fileAgesFrom - Date.now())).toBeLessThan(60_000);
  expect(InThreadWorker.started).toBe(0);
});

it("sends the worker the model's minimum age with its rule, so the panel counts a lead of 45 days as the options page does for a 90-day model", async () => {
  // The panel asks as of today.
  const today = Date.now();
  await storeHot([storedLead('salesforce|won', { IsConverted: true }, { outcome: 1, createdAt: today - 120 * DAY }), storedLead('salesforce|not-yet', { IsConverted: false }, { outcome: 0, createdAt: today - 45 * DAY })]);
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'], settledAfterDays: 90 };
  await storeModel({ ...bundledManifest(), modelId: 'trained', outcomeRule: rule }, new Uint8Array([1]), 'trained');
  expect(await outcomeBasisOf('trained')).toEqual({ kind: 'rule', rule, outcomes: notLearntFrom([['salesforce|won', 1]]), thresholds: bundledManifest().tiers, learntFrom: false, learntFromBy: 'cuts' });
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

it("tiers the leads the model learnt from by its thresholds as a tier policy leaves them, once the re-tier ends, without reading the outcomes again", async () => {
  const learnt = storedLead('salesforce|learnt', { IsConverted: true }, { outcome: 1 });
  await storeHot([learnt]);
  await db.heldOutScores.put({ modelId: 'trained', leadKeys: [learnt.key], probabilities: Float64Array.of(0.3) });
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  const manifest = { ...bundledManifest(), modelId: 'trained', outcomeRule: rule };
  await storeModel(manifest, new Uint8Array([1]), 'trained');
  const basis = await watchOutcomeBasis('trained');
  expect(basis()).toMatchObject({ kind: 'rule', outcomes: new Map([[learnt.key, { outcome: 1, heldOutProbability: 0.3 }]]), thresholds: manifest.tiers, learntFrom: true });
  // A tier policy applied: the manifest's thresholds change, then a re-tier of the stored scores by them ends.
  const thresholds = { ...manifest.tiers, hot: 0.25, warm: 0.1 };
  await storeModel({ ...manifest, tiers: thresholds }, new Uint8Array([1]), 'trained');
  await writeJob('retier', { modelId: 'trained', state: 'done', done: 1, total: 1, startedAt: 1, finishedAt: 2 });
  await vi.waitFor(() => expect(basis()).toMatchObject({ kind: 'rule', thresholds }));
  expect(InThreadWorker.started).toBe(1);
});

it("tells the rates which probability the leads the model learnt from count by under its policy now, as the options page counts them: read again with the policy, not the outcomes", async () => {
  const learnt = storedLead('salesforce|learnt', { IsConverted: true }, { outcome: 1 });
  await storeHot([learnt]);
  const heldOut = { modelId: 'trained', leadKeys: [learnt.key], probabilities: Float64Array.of(0.6) };
  await db.heldOutScores.put({ ...heldOut, crossFittedProbabilities: Float64Array.of(0.3) });
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  const value: TierPolicy = { kind: 'value', revenuePerConversion: 100, costPerContact: 10 };
  const manifest = { ...bundledManifest(), modelId: 'trained', outcomeRule: rule, tiers: { ...bundledManifest().tiers, policy: value } };
  await storeModel(manifest, new Uint8Array([1]), 'trained');
  const basis = await watchOutcomeBasis('trained');
  expect(basis()).toMatchObject({ kind: 'rule', learntFrom: true, learntFromBy: 'cross-fitted' });
  expect((basis() as { outcomes: RuleOutcomes }).outcomes.get(learnt.key)).toEqual({ outcome: 1, heldOutProbability: 0.6, crossFittedProbability: 0.3 });
  // A capacity policy applied: its cuts are of the shipped calibration's probabilities, once the re-tier ends.
  await storeModel({ ...manifest, tiers: { ...manifest.tiers, policy: DEFAULT_POLICY } }, new Uint8Array([1]), 'trained');
  await writeJob('retier', { modelId: 'trained', state: 'done', done: 1, total: 1, startedAt: 1, finishedAt: 2 });
  await vi.waitFor(() => expect(basis()).toMatchObject({ kind: 'rule', learntFromBy: 'cuts' }));
  expect(InThreadWorker.started).toBe(1);
  root?.unmount();

  // A model trained before LeadLens kept the cross-fitted probabilities, under a value policy: by the held-out ones, said so.
  await db.heldOutScores.put(heldOut);
  await storeModel(manifest, new Uint8Array([1]), 'trained');
  const before = await outcomeBasisOf('trained');
  expect(before).toMatchObject({ kind: 'rule', learntFrom: true, learntFromBy: 'not-kept' });
  expect((before as { outcomes: RuleOutcomes }).outcomes.get(learnt.key)).toEqual({ outcome: 1, heldOutProbability: 0.6 });
});

it("describes the model's rule with the labels its training again to its own id recorded, once that activation's scoring of every lead ends", async () => {
  await storeHot([storedLead('hubspot|1', { lifecyclestage: '1234567' }, { outcome: 1 })]);
  const rule: ModelOutcomeRule = { source: 'hubspot', field: 'lifecyclestage', positiveValues: ['1234567'] };
  const manifest = { ...bundledManifest(), modelId: 'trained', outcomeRule: rule };
  await storeModel(manifest, new Uint8Array([1]), 'trained');
  const basis = await watchOutcomeBasis('trained');
  expect(basis()).toMatchObject({ kind: 'rule', rule });
  // The options page trains the active model again on the same history (the same id): its stored copy takes the
  // portal's label of the stage (`recordNewerReading`), and the activation, of the model already active, scores every stored lead.
  const labelled = { ...rule, valueLabels: { '1234567': 'Product Qualified Lead' } };
  await storeModel({ ...manifest, outcomeRule: labelled }, new Uint8Array([1]), 'trained');
  await writeJob('scoring', { modelId: 'trained', state: 'done', done: 1, total: 1, startedAt: 1, finishedAt: 2 });
  await vi.waitFor(() => expect(basis()).toMatchObject({ kind: 'rule', rule: labelled }));
});
