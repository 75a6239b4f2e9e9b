// @vitest-environment happy-dom
/**
 * The training section's form: a check answers only for the form and the history it was run on,
 * a re-read of the same history keeps the admin's choices, a changed one keeps the outcome values
 * it still has, progress is announced by stage, nothing starts without the active model (its
 * tier policy) or while a model is being activated, a trained model whose leads changed since
 * is not activated, and a history with no created date is checked and trained on with no window.
 * An activation says what it is doing where the focus goes, with the scoring's progress, that it
 * holds in this browser, and what CRM's leads the model cannot score (its report says so first), and
 * gives the new model the tier policy in force at the switch. Train says why it waits for a feature. A training, or a trained model
 * waiting to be activated, is not lost to one click or a closed page. Controls that go keep the
 * keyboard's focus on the page.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { importCsv } from '@/lib/csv/import';
import { dexieCsvSink } from '@/lib/csv/stored';
import { db } from '@/lib/db/db';
import { writeJob } from '@/lib/jobs/progress';
import { DERIVED_READING_VERSION } from '@/lib/ml/derive';
import { FeatureSpecListSchema, readingChangedNote, type Manifest, type Tiers } from '@/lib/ml/manifest';
import { manifestOf, setTiers } from '@/lib/ml/model-store';
import { activateModel as switchActiveModel, setTiersIfUnchanged } from '@/lib/ml/model-versions';
import { policyFiguresOf, keepPolicyFigures } from '@/lib/ml/policy-figures';
import { sameTierPolicy } from '@/lib/ml/tier-policy';
import { mulberry32 } from '@/lib/ml/random';
import { CUT_MARGIN } from '@/lib/ml/train/thresholds';
import { compareModels, runTrainingRequest } from '@/lib/ml/train/training-job';
import { KEEPS_CHANGING_REASON, type HistoryLead } from '@/lib/ml/train/training-set';
import type { TrainingEvent, TrainingRequest } from '@/lib/ml/train/worker-protocol';
import bundledManifest from '@/models/manifest.json';
import demoFeatureSpecs from '@/models/demo-features.json';
import { queryKeys } from '@/lib/query-keys';
import { handMadeManifest } from '@/test/fixtures/manifest';
import { storeModel } from '@/test/fixtures/stored-model';
import { trainedEvent } from '@/test/fixtures/trained-event';
import { click, focusedMessage, followLiveRegions, pressEnter, render, type Rendered } from '@/test/render';
import { stubWebLocks } from '@/test/web-locks';
import type { SyncSummary } from '@/lib/messaging/protocol-sync';
import type { HistorySample } from './training/history-sample';
import type { SourceKind } from '@/lib/ml/featurize';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { TrainingSection } from './Training';
import { PORTAL_STAGES } from '@/test/fixtures/hubspot-portal-stages';

const historySample = vi.hoisted(() => vi.fn<(source: string) => Promise<HistorySample>>());
// The source the form starts on, as the stored leads' counts give it, and those with leads of the admin's own (see starting-source.test's own).
const startingSource = vi.hoisted(() => vi.fn<() => Promise<SourceKind>>());
const sourcesWithOwnLeads = vi.hoisted(() => vi.fn<() => Promise<SourceKind[]>>());
// The active model's manifest as the page's query reads it; the activation reads the model store itself.
const activeManifest = vi.hoisted(() => vi.fn<() => Promise<Manifest>>());
type ActivateReply = { ok: true; scored: number; stored: number; scoringProblem?: string } | { ok: false; error: string };
const activateModel = vi.hoisted(() => vi.fn<() => Promise<ActivateReply>>());
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
vi.mock('./training/history-sample', () => ({
  historySample,
  storedLeadSources: async () => ({ starting: await startingSource(), withOwnLeads: await sourcesWithOwnLeads() }),
}));
// The active model's manifest as the mock says, read as the pages read it (a query of its own).
vi.mock('@/lib/ui/hooks', async (importOriginal) => {
  const { useQuery } = await import('@tanstack/react-query');
  const { MODEL_CHANGE_MUTATION, useJob, useModelChangeRunning } = await importOriginal<typeof import('@/lib/ui/hooks')>();
  return {
    MODEL_CHANGE_MUTATION,
    useJob,
    useModelChangeRunning,
    useReplacedSinceActive: () => false,
    useActiveManifest: () => useQuery({ queryKey: ['models', 'active'], queryFn: activeManifest }),
  };
});
const crmOptionLabels = vi.hoisted(() => vi.fn<() => Promise<{ ok: true; labels: Record<string, Record<string, string>> } | { ok: false; error: string }>>());
const retierStoredScores = vi.hoisted(() => vi.fn<() => Promise<{ ok: true; changed: number } | { ok: false; error: string }>>());
const syncStatus = vi.hoisted(() => vi.fn<() => Promise<{ ok: true; syncs: SyncSummary[] }>>());
const crmLifecycleStages = vi.hoisted(() => vi.fn<() => Promise<{ ok: true; stages: { value: string; label: string }[] } | { ok: false; error: string }>>());
vi.mock('@/lib/messaging/client', () => ({ background: { activateModel, checkModel: vi.fn(), crmLifecycleStages, crmOptionLabels, retierStoredScores, syncStatus } }));
const modelExists = vi.hoisted(() => vi.fn<() => Promise<boolean>>());
vi.mock('@/lib/ml/model-exists', () => ({ modelExists }));
// The engine's check of a new model, and keeping its held-out probabilities, stand-ins; the rest is the model store's own.
const addCheckedModel = vi.hoisted(() => vi.fn<() => Promise<void>>());
const keepHeldOutScores = vi.hoisted(() => vi.fn<(modelId: string, heldOut: unknown) => Promise<void>>());
vi.mock('@/lib/ml/model-versions', async (importOriginal) => ({ ...(await importOriginal<typeof import('@/lib/ml/model-versions')>()), addCheckedModel, keepHeldOutScores }));

/** Stands in for the training worker: keeps the requests, and answers what a test tells it to. */
class FakeWorker extends EventTarget {
  static latest: FakeWorker;
  readonly requests: TrainingRequest[] = [];
  terminated = false;
  constructor() {
    super();
    FakeWorker.latest = this;
  }
  postMessage(request: TrainingRequest) {
    this.requests.push(request);
  }
  terminate() {
    this.terminated = true;
  }
  answer(event: TrainingEvent) {
    act(() => void this.dispatchEvent(new MessageEvent('message', { data: event })));
  }
}

// The active model, with the tier policy its admin picked.
const ACTIVE: Manifest = {
  ...(bundledManifest as unknown as Manifest),
  tiers: { policy: { kind: 'value', revenuePerConversion: 5000, costPerContact: 40 }, hot: 0.3, warm: 0.1 },
};
const SAMPLE: HistorySample = {
  leads: 120,
  demo: false,
  demoLeftOut: 0,
  fields: ['Industry', 'IsConverted', 'LeadSource', 'Status'],
  outcomeValues: { IsConverted: ['false', 'true'], Status: ['Closed - Converted', 'Open', 'Working'] },
  createdDates: true,
  fingerprint: 'salesforce-1',
  keysName: 'synced from acme.my.salesforce.com',
  importedOutcome: null,
};
const CSV_SAMPLE: HistorySample = {
  leads: 80,
  demo: false,
  demoLeftOut: 0,
  fields: ['converted', 'industry'],
  outcomeValues: { converted: ['no', 'yes'] },
  createdDates: true,
  fingerprint: 'import-1',
  keysName: 'import-1',
  importedOutcome: null,
};
/** The same file imported again, its rows in another order: the row keys name other leads. */
const CSV_REIMPORTED: HistorySample = { ...CSV_SAMPLE, fingerprint: 'import-2', keysName: 'import-2' };
const HUBSPOT_SAMPLE: HistorySample = {
  leads: 50,
  demo: false,
  demoLeftOut: 0,
  fields: ['industry', 'lifecyclestage'],
  outcomeValues: { lifecyclestage: ['customer', 'lead', 'opportunity'] },
  createdDates: true,
  fingerprint: 'hubspot-1',
  keysName: 'synced from 4242424',
  importedOutcome: null,
};
const spec = (key: string) => FeatureSpecListSchema.parse(demoFeatureSpecs).find((candidate) => candidate.key === key)!;
const INSPECTED: TrainingEvent = {
  type: 'inspected',
  rows: 120,
  conversions: 30,
  withoutCreatedDate: 0,
  withoutOutcome: 0,
  stillBeingWorked: 0,
  candidates: [
    { spec: spec('industry'), origin: 'catalogue' },
    { spec: spec('lead_source'), origin: 'catalogue' },
  ],
  leakage: [],
  fieldNotes: [],
};
const TRAINED = trainedEvent({
  data: {
    source: 'salesforce',
    window: { createdAfter: Date.UTC(2025, 11, 1), createdBefore: Date.UTC(2026, 9, 2) },
    outcome: { field: 'IsConverted', positiveValues: ['true'] },
    now: '2026-11-01T00:00:00.000Z',
  },
  manifest: { ...ACTIVE, modelId: 'trained-2026-11-01' },
  summary: { rows: 120, positives: 30, cvRocAuc: 0.8, cvPrAuc: 0.5, ece: 0.02, features: 2, trainSeconds: 1 },
});

const TRAINED_ID = TRAINED.manifest.modelId;

let rendered: Rendered | undefined;
let queryClient: QueryClient;
beforeEach(async () => {
  // The scoring job's progress row, the tier policies and the active model.
  await db.settings.clear();
  // The active model is the bundled one, with the admin's tier policy; the trained model is stored (its check passed).
  await setTiers(ACTIVE.modelId, ACTIVE.tiers);
  await db.models.clear();
  await storeModel(TRAINED.manifest, TRAINED.onnx, 'trained');
  vi.stubGlobal('Worker', FakeWorker);
  historySample.mockReset().mockImplementation(async (source) => ({ csv: CSV_SAMPLE, hubspot: HUBSPOT_SAMPLE })[source] ?? SAMPLE);
  startingSource.mockReset().mockResolvedValue('salesforce');
  sourcesWithOwnLeads.mockReset().mockResolvedValue([]);
  activeManifest.mockReset().mockResolvedValue(ACTIVE);
  activateModel.mockReset().mockResolvedValue({ ok: true, scored: 0, stored: 0 });
  keepHeldOutScores.mockReset().mockResolvedValue();
  modelExists.mockReset().mockResolvedValue(true);
  addCheckedModel.mockReset().mockResolvedValue();
  retierStoredScores.mockReset().mockResolvedValue({ ok: true, changed: 0 });
  crmOptionLabels.mockReset().mockResolvedValue({ ok: true, labels: {} });
  // HubSpot not connected: its default order.
  crmLifecycleStages.mockReset().mockResolvedValue({ ok: true, stages: [] });
  syncStatus.mockReset().mockResolvedValue({ ok: true, syncs: [] });
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  vi.unstubAllGlobals();
});

const container = () => rendered!.container;
const button = (name: string | RegExp) =>
  Array.from(container().querySelectorAll('button')).find((b) => (typeof name === 'string' ? b.textContent === name : name.test(b.textContent ?? '')));
const trainButton = () => button(/^Train on/);
const checkbox = (name: string) =>
  Array.from(container().querySelectorAll<HTMLInputElement>('input[type="checkbox"]')).find(
    (box) => box.getAttribute('aria-label') === name || box.closest('label')?.textContent?.trim() === name,
  )!;
const historySource = () =>
  Array.from(container().querySelectorAll('label'))
    .find((element) => element.textContent?.startsWith('History'))!
    .querySelector('select')!;
const leadsChangedNote = () => container().querySelector('[data-testid="leads-changed"]')!.textContent;
const outcomeField = () => container().querySelector<HTMLSelectElement>('select[aria-label="Outcome field"]')!;
/** The checkbox of `name` in the group of values that mean `meaning`. */
const inGroup = (meaning: string, name: string) =>
  Array.from(container().querySelectorAll<HTMLInputElement>(`[aria-label="Values that mean ${meaning}"] input`)).find((box) => box.closest('label')?.textContent?.trim() === name);
const numberInput = (label: string) =>
  Array.from(container().querySelectorAll('label'))
    .find((element) => element.textContent?.startsWith(label))!
    .querySelector('input')!;
/** The text of the element `control` is described by (aria-describedby), or null. */
const describedBy = (control: Element) => {
  const id = control.getAttribute('aria-describedby');
  return id === null ? null : (document.getElementById(id)?.textContent ?? null);
};
/** The text of everything a screen reader announces on change. */
const liveText = () =>
  Array.from(container().querySelectorAll('[role="status"], [role="alert"], [aria-live]:not([aria-live="off"])'), (region) => region.textContent).join(' | ');

/** A change the way a browser makes it: through the element's own value setter, then the event React listens to. */
function change(element: HTMLInputElement | HTMLSelectElement, value: string) {
  const prototype = element instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  act(() => {
    Object.getOwnPropertyDescriptor(prototype, 'value')!.set!.call(element, value);
    element.dispatchEvent(new Event(element instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

/**
 * Waits until `assertion` holds, letting the queries answer and React render in between: always
 * inside act(), so that no update lands outside it (unlike vi.waitFor, which waits between tries).
 */
async function eventually(assertion: () => void) {
  for (let tried = 1; ; tried++) {
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
    try {
      return assertion();
    } catch (error) {
      if (tried >= 100) throw error;
    }
  }
}

/** Presses `target` and lets what it starts begin: Check the data and Train first read the stored history again. */
async function press(target: HTMLElement) {
  click(target);
  await eventually(() => expect(container().querySelector('[data-testid="reading-history"]')).toBeNull());
}

/** The section with its history and the active model read, the suggested outcome in place. */
async function renderSection() {
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(TrainingSection)));
  await eventually(() => expect(outcomeField().value).toBe('IsConverted'));
}

/** Until the button `name` can be used: aria-disabled, not disabled, it keeps the focus while it cannot. */
async function waitUntilEnabled(name: string) {
  await eventually(() => expect(button(name)?.getAttribute('aria-disabled')).toBe('false'));
}

/** Check the data, answered with `INSPECTED`; returns the inspect request. */
async function checkTheData() {
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  const request = FakeWorker.latest.requests.at(-1)!;
  expect(request.type).toBe('inspect');
  FakeWorker.latest.answer(INSPECTED);
  // Once the CRM said how it labels the chosen fields' options.
  await eventually(() => expect(trainButton()?.disabled).toBe(false));
  return request;
}

/** Re-reads the history sample (as a sync's or an import's end or window focus does), answered with `sample`. */
async function historyReadAgain(sample: HistorySample) {
  historySample.mockResolvedValue(sample);
  await act(() => queryClient.invalidateQueries());
  await eventually(() => expect(container().querySelector('[data-testid="history-count"]')?.textContent).toBe(`${sample.leads} stored`));
}

it.each([
  ['the months of history', () => change(numberInput('Created in the last'), '6')],
  ['the minimum age', () => change(numberInput('and at least'), '60')],
  [
    'the outcome field',
    () => {
      change(outcomeField(), 'Status');
      click(checkbox('Closed - Converted'));
    },
  ],
  ['the values that mean converted', () => click(checkbox('false'))],
])('drops the check when the admin changes %s, and checks the form as it is now', async (_what, edit) => {
  await renderSection();
  const first = await checkTheData();
  edit();
  expect(trainButton()).toBeUndefined();
  expect(container().querySelector('[data-testid="data-size"]')).toBeNull();

  const second = await checkTheData();
  expect(second.data).not.toEqual(first.data);
  await press(trainButton()!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', data: second.data });
});

/** `field` holds `typed` as typed (an emptied one not read as 0), refused beside it (`note`), holding back checking and training. */
function expectRefused(field: HTMLInputElement, typed: string, note: RegExp, problem: () => Element | null) {
  change(field, typed);
  expect(field.value).toBe(typed);
  expect(field.getAttribute('aria-invalid')).toBe('true');
  expect(describedBy(field)).toMatch(note);
  expect(button('Check the data')!.getAttribute('aria-disabled')).toBe('true');
  expect(describedBy(button('Check the data')!)).toBe(problem()!.textContent);
  expect(trainButton()!.disabled).toBe(true);
  expect(describedBy(trainButton()!)).toBe(problem()!.textContent);
}

/** `field` typed back to the number the check read: refused no more, and training offered at once. */
function expectTakenBack(field: HTMLInputElement, typed: string, problem: () => Element | null) {
  change(field, typed);
  expect(problem()).toBeNull();
  expect(field.hasAttribute('aria-invalid')).toBe(false);
  expect(trainButton()!.disabled).toBe(false);
}

/** `field` changed to a new valid number: the check is dropped; a new one, and a training, read it. Resolves with the check's request. */
async function checkedAndTrainedWith(field: HTMLInputElement, typed: string): Promise<TrainingRequest> {
  change(field, typed);
  expect(trainButton()).toBeUndefined();
  const checked = await checkTheData();
  await press(trainButton()!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', data: checked.data });
  return checked;
}

it('refuses an emptied, negative or fractional minimum age beside the field, checks and trains nothing until it is whole, and keeps the last one meanwhile', async () => {
  const DAY = 86_400_000;
  const minAgeOf = (request: TrainingRequest) => (Date.parse(request.data.now) - request.data.window.createdBefore!) / DAY;
  await renderSection();
  expect(minAgeOf(await checkTheData())).toBe(30);
  const field = numberInput('and at least');
  const problem = () => container().querySelector('[data-testid="min-age-problem"]');
  for (const typed of ['', '-5', '2.5']) expectRefused(field, typed, /^ ?The minimum age is a whole number of days from 0 \(none\) to 365: checking the data and training wait for one\.$/, problem);
  // The same age typed again: the check of it stands.
  expectTakenBack(field, '30', problem);
  // A 90-day sales cycle: a new check of the leads 90 or more days old.
  expect(minAgeOf(await checkedAndTrainedWith(field, '90'))).toBe(90);
  FakeWorker.latest.answer(TRAINED);
  // 0 is no minimum age: every lead, however new (leads still open are left out by the outcome's values).
  change(field, '0');
  expect(problem()).toBeNull();
  expect(minAgeOf(await checkTheData())).toBe(0);
});

it('refuses an emptied, zero, negative, fractional or too long window beside its field, checks and trains nothing until it is whole, and keeps the last one meanwhile', async () => {
  const MONTH = 30.44 * 86_400_000;
  const monthsOf = (request: TrainingRequest) => Math.round((Date.parse(request.data.now) - request.data.window.createdAfter!) / MONTH);
  await renderSection();
  expect(monthsOf(await checkTheData())).toBe(12);
  const field = numberInput('Created in the last');
  const problem = () => container().querySelector('[data-testid="months-problem"]');
  for (const typed of ['', '0', '-3', '2.5', '121']) {
    expectRefused(field, typed, /^ ?The window is a whole number of months from 1 to 120: checking the data and training wait for one\.$/, problem);
    // The minimum age beside it is fine.
    expect(container().querySelector('[data-testid="min-age-problem"]')).toBeNull();
  }
  // The same window typed again: the check of it stands.
  expectTakenBack(field, '12', problem);
  expect(monthsOf(await checkedAndTrainedWith(field, '120'))).toBe(120);
});

it('refuses a minimum age that leaves nothing of the window beside both fields, naming them, and checks and trains nothing until some is left', async () => {
  await renderSection();
  await checkTheData();
  const months = numberInput('Created in the last');
  const minAge = numberInput('and at least');
  const problem = () => container().querySelector('[data-testid="window-problem"]');
  change(months, '1');
  // 30 days of a 1-month window (30.44 days) leave some of it.
  expect(problem()).toBeNull();
  change(minAge, '45');
  const note = /^ ?A minimum age of 45 days leaves nothing of a window of 1 month \(31 days\): every lead created in it is newer than that\. Make "at least … days ago" 30 or fewer, or "Created in the last … months" longer: checking the data and training wait until some of the window is left\.$/;
  expect(problem()?.textContent).toMatch(note);
  for (const field of [months, minAge]) {
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(describedBy(field)).toMatch(note);
  }
  // Neither field alone holds an invalid number.
  expect(container().querySelector('[data-testid="months-problem"], [data-testid="min-age-problem"]')).toBeNull();
  expect(button('Check the data')!.getAttribute('aria-disabled')).toBe('true');
  expect(describedBy(button('Check the data')!)).toMatch(note);
  expect(trainButton()).toBeUndefined();

  // A longer window leaves some: the check reads a window that ends after it starts.
  change(months, '2');
  expect(problem()).toBeNull();
  for (const field of [months, minAge]) expect(field.hasAttribute('aria-invalid')).toBe(false);
  const { window } = (await checkTheData()).data;
  expect(window.createdBefore!).toBeGreaterThan(window.createdAfter!);
  await press(trainButton()!);
  FakeWorker.latest.answer(TRAINED);

  // A minimum age past the window again: nothing is checked or trained on it.
  change(minAge, '90');
  expect(problem()?.textContent).toMatch(/A minimum age of 90 days leaves nothing of a window of 2 months \(61 days\)[^]* 60 or fewer/);
  expect(button('Check the data')!.getAttribute('aria-disabled')).toBe('true');
  expect(trainButton()).toBeUndefined();
  change(minAge, '60');
  expect(problem()).toBeNull();
  await waitUntilEnabled('Check the data');
});

it('drops the answer of a check that ends after the form changed', async () => {
  await renderSection();
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  click(checkbox('false'));
  FakeWorker.latest.answer(INSPECTED);
  expect(trainButton()).toBeUndefined();
  expect(container().querySelector('[data-testid="data-size"]')).toBeNull();
});

it("keeps the admin's outcome, check and feature choices when the same history is read again", async () => {
  await renderSection();
  change(outcomeField(), 'Status');
  click(checkbox('Closed - Converted'));
  await checkTheData();
  click(checkbox('Use Lead source'));

  await historyReadAgain(structuredClone(SAMPLE));
  expect(leadsChangedNote()).toBe('');
  expect(outcomeField().value).toBe('Status');
  expect(checkbox('Closed - Converted').checked).toBe(true);
  expect(checkbox('Use Lead source').checked).toBe(false);
  await press(trainButton()!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({
    type: 'train',
    data: { outcome: { field: 'Status', positiveValues: ['Closed - Converted'] } },
    specs: [{ key: 'industry' }],
  });
});

it("suggests an outcome again, dropping the check, when the chosen outcome's field is gone from the history", async () => {
  await renderSection();
  change(outcomeField(), 'Status');
  click(checkbox('Closed - Converted'));
  await checkTheData();

  await historyReadAgain({ ...SAMPLE, leads: 90, fields: ['Industry', 'IsConverted', 'LeadSource'], outcomeValues: { IsConverted: ['false', 'true'] }, fingerprint: 'salesforce-2' });
  expect(outcomeField().value).toBe('IsConverted');
  expect(checkbox('true').checked).toBe(true);
  expect(trainButton()).toBeUndefined();
  expect(leadsChangedNote()).toBe('The leads changed since the check: check the data again (your feature choices are kept).');
});

it('keeps chosen values a new sample lacks (rare ones fall out of samples), shown so they can be unticked; the check is dropped', async () => {
  await renderSection();
  change(outcomeField(), 'Status');
  click(checkbox('Closed - Converted'));
  click(checkbox('Working'));
  await checkTheData();

  // A sync changed the leads; the new sample happens to hold no "Closed - Converted" lead.
  await historyReadAgain({ ...SAMPLE, leads: 100, outcomeValues: { ...SAMPLE.outcomeValues, Status: ['Open', 'Working'] }, fingerprint: 'salesforce-2' });
  expect(trainButton()).toBeUndefined();
  expect(container().querySelector('[data-testid="data-size"]')).toBeNull();
  expect(leadsChangedNote()).toBe('The leads changed since the check: check the data again (your feature choices are kept).');
  expect(outcomeField().value).toBe('Status');
  expect(checkbox('Closed - Converted').checked).toBe(true);
  expect(checkbox('Working').checked).toBe(true);

  const again = await checkTheData();
  expect(again.data.outcome).toEqual({ field: 'Status', positiveValues: ['Closed - Converted', 'Working'] });
  expect(leadsChangedNote()).toBe('');
  // Unticked, the value the sample lacks is no longer offered.
  click(checkbox('Closed - Converted'));
  expect(checkbox('Closed - Converted')).toBeUndefined();
});

it('keeps the chosen outcome, and lists its field, when a new sample holds a single value of it (the rare one fell out of the sample)', async () => {
  await renderSection();
  change(outcomeField(), 'Status');
  click(checkbox('Closed - Converted'));
  await checkTheData();

  // The leads still have "Status", but the sampled ones are all "Open": one value is no outcome candidate.
  await historyReadAgain({ ...SAMPLE, leads: 100, outcomeValues: { IsConverted: ['false', 'true'] }, fingerprint: 'salesforce-2' });
  expect(Array.from(outcomeField().options, (option) => option.value)).toContain('Status');
  expect(outcomeField().value).toBe('Status');
  expect(checkbox('Closed - Converted').checked).toBe(true);
  expect((await checkTheData()).data.outcome).toEqual({ field: 'Status', positiveValues: ['Closed - Converted'] });
});

it('leaves leads whose outcome field says they are still open out, as the admin ticks those values', async () => {
  await renderSection();
  change(outcomeField(), 'Status');
  click(inGroup('converted', 'Closed - Converted')!);
  // A value taken as converted is not offered as open.
  expect(inGroup('still open', 'Closed - Converted')).toBeUndefined();
  click(inGroup('still open', 'Open')!);
  click(inGroup('still open', 'Working')!);
  expect((await checkTheData()).data.outcome).toEqual({ field: 'Status', positiveValues: ['Closed - Converted'], openValues: ['Open', 'Working'] });
  // Ticked as converted after all, "Working" is open no more.
  click(inGroup('converted', 'Working')!);
  expect(inGroup('still open', 'Working')).toBeUndefined();
  expect((await checkTheData()).data.outcome).toEqual({ field: 'Status', positiveValues: ['Closed - Converted', 'Working'], openValues: ['Open'] });
});

it('drops the check, saying why, when a new import of the same columns changed the leads under it', async () => {
  await renderSection();
  change(historySource(), 'csv');
  await eventually(() => expect(outcomeField().value).toBe('converted'));
  await checkTheData();

  // The same columns, count and values: other rows.
  await historyReadAgain(CSV_REIMPORTED);
  expect(trainButton()).toBeUndefined();
  expect(container().querySelector('[data-testid="data-size"]')).toBeNull();
  expect(leadsChangedNote()).toBe('The leads changed since the check: check the data again (your feature choices are kept).');
  expect(checkbox('yes').checked).toBe(true);

  const again = await checkTheData();
  expect(leadsChangedNote()).toBe('');
  await press(trainButton()!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', data: again.data });
});

it('keeps a lifecycle rule whole when the history changes: it names stages reached, not values the leads have', async () => {
  await renderSection();
  change(historySource(), 'hubspot');
  await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
  const first = await checkTheData();

  await historyReadAgain({ ...HUBSPOT_SAMPLE, leads: 51, fingerprint: 'hubspot-2' });
  expect(leadsChangedNote()).toBe('The leads changed since the check: check the data again (your feature choices are kept).');
  const again = await checkTheData();
  expect(again.data.outcome).toEqual(first.data.outcome);
});

describe("a model of a CRM's leads knows how the CRM's pages label its choice fields' options", () => {
  /** Checks the HubSpot history and waits for the CRM's answer on its labels; returns the specs trained on. */
  async function trainOnHubSpot() {
    await renderSection();
    change(historySource(), 'hubspot');
    await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
    await checkTheData();
    // The features' choice fields, and the outcome rule's field: the model describes its rule by the labels of its values.
    await eventually(() => expect(queryClient.getQueryState(['connections', 'option-labels', 'hubspot', ['industry', 'hs_analytics_source', 'lifecyclestage']])?.status).not.toBe('pending'));
    expect(crmOptionLabels).toHaveBeenCalledWith({ crm: 'hubspot', fields: ['industry', 'hs_analytics_source', 'lifecyclestage'] });
    await press(trainButton()!);
    const request = FakeWorker.latest.requests.at(-1)!;
    if (request.type !== 'train') throw new Error(`sent ${request.type}`);
    return request;
  }
  const derivesOf = (request: Extract<TrainingRequest, { type: 'train' }>) => new Map(request.specs.map((trained) => [trained.key, trained.derive]));

  it("takes the connected CRM's labels over the catalogue's: an admin may have renamed an option", async () => {
    crmOptionLabels.mockResolvedValue({ ok: true, labels: { hs_analytics_source: { SOCIAL_MEDIA: 'Social (ours)' }, industry: { COMPUTER_SOFTWARE: 'Computer Software' } } });
    const derive = derivesOf(await trainOnHubSpot());
    expect(derive.get('lead_source')).toMatchObject({ optionLabels: { hubspot: { SOCIAL_MEDIA: 'Social (ours)' } } });
    expect(derive.get('lead_source')).not.toMatchObject({ optionLabels: { hubspot: { OFFLINE: 'Offline Sources' } } });
    expect(derive.get('industry')).toMatchObject({ optionLabels: { hubspot: { COMPUTER_SOFTWARE: 'Computer Software' } } });
  });

  it('holds Train while the CRM is asked, saying so: the same history then trains the same model', async () => {
    let answer: (reply: { ok: true; labels: Record<string, Record<string, string>> }) => void = () => undefined;
    crmOptionLabels.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    await renderSection();
    change(historySource(), 'hubspot');
    await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
    await waitUntilEnabled('Check the data');
    await press(button('Check the data')!);
    FakeWorker.latest.answer(INSPECTED);
    await eventually(() => expect(crmOptionLabels).toHaveBeenCalled());
    expect(trainButton()?.disabled).toBe(true);
    expect(describedBy(trainButton()!)).toBe(' Reading how HubSpot labels the options of these fields…');
    await act(async () => answer({ ok: true, labels: { hs_analytics_source: { SOCIAL_MEDIA: 'Social (ours)' } } }));
    await eventually(() => expect(trainButton()?.disabled).toBe(false));
    expect(container().querySelector('[data-testid="reading-labels"]')).toBeNull();
  });

  it("keeps the catalogue's labels, and trains, when the CRM cannot say", async () => {
    crmOptionLabels.mockResolvedValue({ ok: false, error: 'HubSpot answered 503' });
    const request = await trainOnHubSpot();
    const derive = derivesOf(request);
    expect(derive.get('lead_source')).toEqual(spec('lead_source').derive);
    expect(derive.get('industry')).toEqual(spec('industry').derive);
    // Nor of the outcome rule's values: its model is described by them.
    expect(request.valueLabelsByField).toBeUndefined();
  });

  it("sends the trainer how the CRM's pages label the outcome field's values, which the model describes its rule by", async () => {
    const stages = { '1234567': 'Product Qualified Lead', opportunity: 'Opportunity', customer: 'Customer' };
    crmOptionLabels.mockResolvedValue({ ok: true, labels: { lifecyclestage: stages, industry: { COMPUTER_SOFTWARE: 'Computer Software' } } });
    const request = await trainOnHubSpot();
    expect(request.data.outcome.field).toBe('lifecyclestage');
    expect(request.valueLabelsByField).toEqual({ lifecyclestage: stages, industry: { COMPUTER_SOFTWARE: 'Computer Software' } });
  });
});

const stageReached = () => container().querySelector<HTMLSelectElement>('select[aria-label="Lifecycle stage reached"]')!;
/** The words next to "Check the data" that say why it is disabled, if any. */
const outcomeMissingNote = () => container().querySelector('[data-testid="outcome-missing"]')?.textContent;

it('starts the lifecycle stage at the suggested stage reached when the admin switches back to it, so the stage shown is the one checked', async () => {
  await renderSection();
  historySample.mockResolvedValue({ ...HUBSPOT_SAMPLE, outcomeValues: { ...HUBSPOT_SAMPLE.outcomeValues, hs_lead_status: ['CONNECTED', 'NEW', 'OPEN'] } });
  change(historySource(), 'hubspot');
  await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
  change(stageReached(), 'customer');

  change(outcomeField(), 'hs_lead_status');
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');
  expect(outcomeMissingNote()).toBe('Choose which values mean converted.');
  change(outcomeField(), 'lifecyclestage');
  expect(stageReached().value).toBe('opportunity');
  expect(stageReached().selectedOptions[0]?.textContent).toBe('opportunity');
  expect(outcomeMissingNote()).toBeUndefined();
  expect((await checkTheData()).data.outcome).toEqual({ field: 'lifecyclestage', positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['other'] });
});

it("offers the portal's own lifecycle stages, shows one chosen even when a new sample lacks it, and takes reaching it as being at it", async () => {
  await renderSection();
  historySample.mockResolvedValue({ ...HUBSPOT_SAMPLE, outcomeValues: { lifecyclestage: ['1234567', 'customer', 'lead'] } });
  change(historySource(), 'hubspot');
  await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
  change(stageReached(), '1234567');
  expect(stageReached().value).toBe('1234567');
  expect(stageReached().selectedOptions[0]?.textContent).toBe('1234567 (this stage only)');
  expect((await checkTheData()).data.outcome).toEqual({ field: 'lifecyclestage', positiveValues: ['1234567'], openValues: ['other'] });

  await historyReadAgain({ ...HUBSPOT_SAMPLE, leads: 51, fingerprint: 'hubspot-2' });
  expect(stageReached().value).toBe('1234567');
  expect(stageReached().selectedOptions[0]?.textContent).toBe('1234567 (this stage only)');
});

it("leaves HubSpot contacts at a stage outside HubSpot's order out as still open, as the sync does, unless the admin unticks the stage", async () => {
  await renderSection();
  historySample.mockResolvedValue({ ...HUBSPOT_SAMPLE, outcomeValues: { lifecyclestage: ['1234567', 'customer', 'lead', 'other'] } });
  change(historySource(), 'hubspot');
  await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
  // HubSpot's own stages are not offered as open: the stage reached says which converted.
  expect(inGroup('still open', 'lead')).toBeUndefined();
  expect([inGroup('still open', 'other')?.checked, inGroup('still open', '1234567')?.checked]).toEqual([true, true]);
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({
    type: 'inspect',
    data: { outcome: { field: 'lifecyclestage', positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['other', '1234567'] } },
  });
  FakeWorker.latest.answer({ ...INSPECTED, withoutOutcome: 12 });
  expect(container().querySelector('[data-testid="left-out"]')?.textContent).toBe('12 leads have no outcome yet and are left out.');

  // Unticked, the vendors and partners at "other" count as not converted.
  click(inGroup('still open', 'other')!);
  expect((await checkTheData()).data.outcome).toEqual({ field: 'lifecyclestage', positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['1234567'] });
  // The portal's own stage chosen as converted is not open; another stage reached, it is open again, as it started.
  change(stageReached(), '1234567');
  expect(inGroup('still open', '1234567')).toBeUndefined();
  change(stageReached(), 'customer');
  expect([inGroup('still open', 'other')?.checked, inGroup('still open', '1234567')?.checked]).toEqual([false, true]);
  expect((await checkTheData()).data.outcome).toEqual({ field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'], openValues: ['1234567'] });
});

describe("a HubSpot portal's own lifecycle stages", () => {
  const readingStagesNote = () => container().querySelector('[data-testid="reading-stages"]')?.textContent;

  /** The HubSpot history shown, its contacts at the portal's own stage among others, the portal's stages not answered yet; gives them. */
  async function hubspotWhileStagesAreRead() {
    let answer!: (reply: { ok: true; stages: typeof PORTAL_STAGES }) => void;
    crmLifecycleStages.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    await renderSection();
    historySample.mockResolvedValue({ ...HUBSPOT_SAMPLE, outcomeValues: { lifecyclestage: ['1234567', 'customer', 'lead', 'other'], hs_lead_status: ['NEW', 'OPEN', 'UNQUALIFIED'] } });
    change(historySource(), 'hubspot');
    await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
    return async () => {
      await act(async () => answer({ ok: true, stages: PORTAL_STAGES }));
      await eventually(() => expect(readingStagesNote()).toBeUndefined());
    };
  }

  it('makes the suggested rule again in the portal\'s order once its stages are read, the check waiting for them', async () => {
    const stagesRead = await hubspotWhileStagesAreRead();
    // Meanwhile HubSpot's default order: the portal's stage is outside it, and left out.
    expect(stageReached().selectedOptions[0]?.textContent).toBe('opportunity');
    expect(inGroup('still open', '1234567')?.checked).toBe(true);
    expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');
    expect(readingStagesNote()).toBe("Reading your HubSpot portal's lifecycle stages…");
    expect(describedBy(button('Check the data')!)).toBe("Reading your HubSpot portal's lifecycle stages…");

    await stagesRead();
    expect(crmLifecycleStages).toHaveBeenCalledWith({});
    expect(stageReached().selectedOptions[0]?.textContent).toBe('Opportunity');
    // In the portal's order, contacts at its own stage before opportunity did not convert: no longer left out.
    expect(inGroup('still open', 'Product Qualified Lead')).toBeUndefined();
    expect(inGroup('still open', 'Other')?.checked).toBe(true);
    expect((await checkTheData()).data.outcome).toEqual({ field: 'lifecyclestage', positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['other'] });
  });

  it("keeps the admin's stage reached and other choices when the stages arrive after them, reaching it in the portal's order", async () => {
    const stagesRead = await hubspotWhileStagesAreRead();
    change(stageReached(), 'salesqualifiedlead');
    click(inGroup('still open', 'other')!);
    change(statusField(), 'hs_lead_status');
    await stagesRead();
    expect(stageReached().value).toBe('salesqualifiedlead');
    expect((await checkTheData()).data.outcome).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['salesqualifiedlead', '1234567', 'opportunity', 'customer', 'evangelist'],
      openStatus: { field: 'hs_lead_status', values: ['NEW', 'OPEN'] },
    });
  });

  it("keeps the portal's stages when HubSpot is disconnected on the page: a rule reaching a stage before the portal's own keeps it converted, by its label", async () => {
    const stagesRead = await hubspotWhileStagesAreRead();
    await stagesRead();
    change(stageReached(), 'salesqualifiedlead');
    // Disconnect reads the connections' queries again: HubSpot, no longer connected, answers no stage.
    crmLifecycleStages.mockResolvedValue({ ok: true, stages: [] });
    await act(() => queryClient.invalidateQueries({ queryKey: ['connections'] }));
    await eventually(() => expect(crmLifecycleStages).toHaveBeenCalledTimes(2));
    expect(stageReached().selectedOptions[0]?.textContent).toBe('Sales Qualified Lead');
    expect((await checkTheData()).data.outcome).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['salesqualifiedlead', '1234567', 'opportunity', 'customer', 'evangelist'],
      openValues: ['other'],
    });
  });

  it("keeps HubSpot's default order, and checks, when the portal's stages cannot be read", async () => {
    crmLifecycleStages.mockResolvedValue({ ok: false, error: 'HubSpot answered 503' });
    await renderSection();
    historySample.mockResolvedValue({ ...HUBSPOT_SAMPLE, outcomeValues: { lifecyclestage: ['1234567', 'customer', 'lead'] } });
    change(historySource(), 'hubspot');
    await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
    expect((await checkTheData()).data.outcome).toEqual({ field: 'lifecyclestage', positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['other', '1234567'] });
  });
});

it("offers the CRM's own outcome field with all its values, however rare conversions are: a sample that has none of them offers it all the same", async () => {
  // The samples' own fields (`historySample`): no sampled lead converted, and IsConverted and lifecyclestage held one value each.
  historySample.mockImplementation(async (source): Promise<HistorySample> =>
    source === 'hubspot' ? { ...HUBSPOT_SAMPLE, outcomeValues: { hs_lead_status: ['NEW', 'OPEN'] } } : { ...SAMPLE, outcomeValues: { Status: ['Open', 'Working'] } },
  );
  crmLifecycleStages.mockResolvedValue({ ok: true, stages: PORTAL_STAGES });
  await renderSection();
  expect([inGroup('converted', 'false')?.checked, inGroup('converted', 'true')?.checked]).toEqual([false, true]);

  // HubSpot's: the portal's own stages, by their labels, "other" left out as still open.
  change(historySource(), 'hubspot');
  await eventually(() => expect(stageReached().selectedOptions[0]?.textContent).toBe('Opportunity'));
  expect(outcomeField().value).toBe('lifecyclestage');
  expect(Array.from(stageReached().options, (option) => option.textContent)).toEqual([
    ...PORTAL_STAGES.filter(({ value }) => value !== 'other').map(({ label }) => label),
    'Other (this stage only)',
  ]);
  expect(inGroup('still open', 'Other')?.checked).toBe(true);
  expect((await checkTheData()).data.outcome).toEqual({ field: 'lifecyclestage', positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['other'] });
});

it('says next to the disabled "Check the data" what the outcome still needs', async () => {
  await renderSection();
  expect(outcomeMissingNote()).toBeUndefined();
  change(outcomeField(), 'Status');
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');
  expect(outcomeMissingNote()).toBe('Choose which values mean converted.');
  click(checkbox('Working'));
  expect(outcomeMissingNote()).toBeUndefined();
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('false');

  change(outcomeField(), '');
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');
  expect(outcomeMissingNote()).toBe('Choose the field that says whether a lead converted.');
});

/** Found by its label's words, as a voice user names it. */
const statusField = () =>
  Array.from(container().querySelectorAll('label'))
    .find((element) => element.textContent?.startsWith('Left out while still being worked, by status field'))!
    .querySelector('select')!;

it('leaves out the leads still being worked by the status field the admin chooses, its open-looking values ticked, and says how many the check left out', async () => {
  await renderSection();
  // None by default: leads not converted by the minimum age count as not converted.
  expect(statusField().value).toBe('');
  change(statusField(), 'Status');
  expect([inGroup('still being worked', 'Closed - Converted')?.checked, inGroup('still being worked', 'Open')?.checked, inGroup('still being worked', 'Working')?.checked]).toEqual([
    false,
    true,
    true,
  ]);
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({
    type: 'inspect',
    data: { outcome: { field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Open', 'Working'] } } },
  });
  FakeWorker.latest.answer({ ...INSPECTED, withoutOutcome: 3, stillBeingWorked: 1432 });
  expect(container().querySelector('[data-testid="left-out"]')?.textContent).toBe(
    '3 leads have no outcome yet and are left out. 1,432 leads still being worked are left out: "Status" is Open or Working.',
  );

  // Unticked, a status is no longer left out; the values that mean converted keep the status part.
  click(inGroup('still being worked', 'Working')!);
  click(inGroup('converted', 'false')!);
  expect((await checkTheData()).data.outcome).toEqual({ field: 'IsConverted', positiveValues: ['true', 'false'], openStatus: { field: 'Status', values: ['Open'] } });
  // With none ticked, the check waits for one, or for no field.
  click(inGroup('still being worked', 'Open')!);
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');
  expect(outcomeMissingNote()).toBe('Choose which values of "Status" mean still being worked, or no field.');
  change(statusField(), '');
  expect(inGroup('still being worked', 'Open')).toBeUndefined();
  expect((await checkTheData()).data.outcome).toEqual({ field: 'IsConverted', positiveValues: ['true', 'false'] });
  // Chosen again, the field comes with its open-looking values ticked.
  change(statusField(), 'Status');
  expect((await checkTheData()).data.outcome).toEqual({ field: 'IsConverted', positiveValues: ['true', 'false'], openStatus: { field: 'Status', values: ['Open', 'Working'] } });
});

it('ticks the statuses of HubSpot contacts still being worked when the admin chooses their field, and keeps them when the stage changes', async () => {
  await renderSection();
  historySample.mockResolvedValue({ ...HUBSPOT_SAMPLE, outcomeValues: { ...HUBSPOT_SAMPLE.outcomeValues, hs_lead_status: ['BAD_TIMING', 'IN_PROGRESS', 'NEW', 'UNQUALIFIED'] } });
  change(historySource(), 'hubspot');
  await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
  expect(statusField().value).toBe('');
  change(statusField(), 'hs_lead_status');
  change(stageReached(), 'customer');
  expect((await checkTheData()).data.outcome).toEqual({
    field: 'lifecyclestage',
    positiveValues: ['customer', 'evangelist'],
    openValues: ['other'],
    openStatus: { field: 'hs_lead_status', values: ['IN_PROGRESS', 'NEW'] },
  });
});

it("keeps each History's outcome rule, its status field and ticked statuses, when the admin switches to another History and back", async () => {
  await renderSection();
  change(statusField(), 'Status');
  click(inGroup('still being worked', 'Working')!);
  change(historySource(), 'hubspot');
  await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
  change(stageReached(), 'customer');

  change(historySource(), 'salesforce');
  await eventually(() => expect(outcomeField().value).toBe('IsConverted'));
  expect(statusField().value).toBe('Status');
  expect([inGroup('still being worked', 'Open')?.checked, inGroup('still being worked', 'Working')?.checked]).toEqual([true, false]);
  expect((await checkTheData()).data.outcome).toEqual({ field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Open'] } });

  change(historySource(), 'hubspot');
  await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
  expect(stageReached().value).toBe('customer');
});

it("starts a History's outcome again on switching back when its leads lost the rule's field meanwhile", async () => {
  await renderSection();
  change(outcomeField(), 'Status');
  click(checkbox('Closed - Converted'));
  change(historySource(), 'hubspot');
  await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
  // A sync while HubSpot is shown: the Salesforce leads no longer have a Status.
  const withoutStatus: HistorySample = { ...SAMPLE, fields: ['Industry', 'IsConverted', 'LeadSource'], outcomeValues: { IsConverted: ['false', 'true'] }, fingerprint: 'salesforce-2' };
  historySample.mockImplementation(async (source) => (source === 'hubspot' ? HUBSPOT_SAMPLE : withoutStatus));
  await act(() => queryClient.invalidateQueries());

  change(historySource(), 'salesforce');
  await eventually(() => expect(outcomeField().value).toBe('IsConverted'));
  expect((await checkTheData()).data.outcome).toEqual({ field: 'IsConverted', positiveValues: ['true'] });
});

it('announces the training stage and its end, never the rounds, with Cancel outside the live region', async () => {
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer({ type: 'progress', stage: 'cv', fold: 0, round: 10, validationLoss: 0.5, fraction: 0.1 });
  const duringFold = liveText();
  expect(duringFold).toContain('Training: cross-validating, fold 1 of 5');
  expect(duringFold).not.toMatch(/round|loss/);
  FakeWorker.latest.answer({ type: 'progress', stage: 'cv', fold: 0, round: 20, validationLoss: 0.4, fraction: 0.2 });
  expect(liveText()).toBe(duringFold);
  // The rounds are still on screen, read on demand.
  const progress = container().querySelector('[data-testid="training-progress"]')!;
  expect(progress.textContent).toContain('Cross-validating, fold 1 of 5: round 20, validation loss 0.4000');
  expect(progress.querySelector('progress')?.getAttribute('value')).toBe('0.2');
  const cancel = button('Cancel training…')!;
  expect(cancel.closest('[role="status"], [role="alert"], [aria-live]:not([aria-live="off"])')).toBeNull();

  FakeWorker.latest.answer({ type: 'progress', stage: 'fit', round: 5, fraction: 0.85 });
  expect(liveText()).not.toBe(duringFold);
  expect(liveText()).toContain('Training: fitting the final model');
  // What follows the trainer's own stages is said too: a comparison over 100,000 leads takes a moment.
  FakeWorker.latest.answer({ type: 'progress', stage: 'compare', fraction: 0.98 });
  expect(liveText()).toContain('Training: comparing it with the active model');
  expect(progress.textContent).not.toMatch(/round|loss/);
  FakeWorker.latest.answer(TRAINED);
  expect(liveText()).toContain('Training finished: the report is below.');

  await press(trainButton()!);
  click(button('Cancel training…')!);
  click(button('Yes, cancel training')!);
  expect(liveText()).toContain('Training cancelled. Nothing was saved.');
});

it('shows the bag and the part of the boosting beside the round, which starts again with each, and no round while the pairs are chosen', async () => {
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  const progressLine = () => container().querySelector('[data-testid="training-progress"] label')!.textContent;
  FakeWorker.latest.answer({ type: 'progress', stage: 'cv', fold: 0, bag: 3, bags: 4, boosting: 'mains', round: 60, validationLoss: 0.41, fraction: 0.1 });
  expect(progressLine()).toBe('Cross-validating, fold 1 of 5, bag 4 of 4, fields alone: round 60, validation loss 0.4100');
  FakeWorker.latest.answer({ type: 'progress', stage: 'cv', fold: 0, boosting: 'interactions', fraction: 0.12 });
  expect(progressLine()).toBe('Cross-validating, fold 1 of 5, choosing pairs of fields');
  FakeWorker.latest.answer({ type: 'progress', stage: 'cv', fold: 0, bag: 0, bags: 4, boosting: 'pairs', round: 10, validationLoss: 0.4, fraction: 0.13 });
  expect(progressLine()).toBe('Cross-validating, fold 1 of 5, bag 1 of 4, pairs of fields: round 10, validation loss 0.4000');
  FakeWorker.latest.answer({ type: 'progress', stage: 'fit', bag: 1, bags: 4, boosting: 'mains', round: 1, validationLoss: 0.6, fraction: 0.85 });
  expect(progressLine()).toBe('Fitting the final model, bag 2 of 4, fields alone: round 1, validation loss 0.6000');
  // The announcement stays with the stage: the bags change several times a fold.
  expect(liveText()).toContain('Training: fitting the final model');
  expect(liveText()).not.toMatch(/bag|fields alone/);
});

it('stops a running check on Cancel, saying so, and frees the form', async () => {
  await renderSection();
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  const checkWorker = FakeWorker.latest;
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');
  const cancel = button('Cancel the check')!;
  expect(cancel.closest('[role="status"], [role="alert"], [aria-live]:not([aria-live="off"])')).toBeNull();

  click(cancel);
  expect(checkWorker.terminated).toBe(true);
  expect(liveText()).toContain('Check cancelled.');
  expect(liveText()).not.toContain('Training');
  expect(button('Cancel the check')).toBeUndefined();
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('false');
  await checkTheData();
});

it('stops a running check when the form changes under it, so the form is free at once', async () => {
  await renderSection();
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  const checkWorker = FakeWorker.latest;
  change(numberInput('Created in the last'), '6');
  expect(checkWorker.terminated).toBe(true);
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('false');
  const again = await checkTheData();
  expect(again.data.window.createdAfter).toBeGreaterThan(Date.now() - 7 * 30.44 * 86_400_000);
});

it("waits for the active model, and gives the new model the admin's tier policy", async () => {
  let resolveActive: (manifest: Manifest) => void = () => {};
  activeManifest.mockReturnValue(new Promise((resolve) => (resolveActive = resolve)));
  await renderSection();
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');

  await act(async () => resolveActive(ACTIVE));
  await checkTheData();
  await press(trainButton()!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', tiers: ACTIVE.tiers });
});

it('says when the active model cannot be read, and trains nothing until it can', async () => {
  activeManifest.mockRejectedValueOnce(new Error('Model m-1 is not installed'));
  await renderSection();
  await eventually(() => expect(container().querySelector('[role="alert"]')?.textContent).toContain('The active model could not be read (Model m-1 is not installed)'));
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');

  click(button('Try again')!);
  await checkTheData();
  expect(container().querySelector('[role="alert"]')).toBeNull();
});

it('says when the stored leads cannot be read, and reads them again on request', async () => {
  historySample.mockRejectedValueOnce(new Error('The IndexedDB database was closed'));
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(TrainingSection)));
  await eventually(() => expect(container().querySelector('[role="alert"]')?.textContent).toContain('The stored leads could not be read: The IndexedDB database was closed'));
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');
  click(button('Try again')!);
  await checkTheData();
});

it('says where the leads of an empty history come from, for a CRM and for a file', async () => {
  const empty = (sample: HistorySample): HistorySample => ({ ...sample, leads: 0, fields: [], outcomeValues: {} });
  historySample.mockImplementation(async (source) => empty(({ csv: CSV_SAMPLE, hubspot: HUBSPOT_SAMPLE })[source] ?? SAMPLE));
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(TrainingSection)));
  const advice = () => container().querySelector('[data-testid="no-history"]')?.textContent;
  await eventually(() =>
    expect(advice()).toBe('No Salesforce leads are stored yet: connect Salesforce under CRM connections and sync it under Sync, load the demo data, or choose another History above.'),
  );
  change(container().querySelector('select')!, 'csv');
  await eventually(() => expect(advice()).toBe('No Imported CSV leads are stored yet: import a file under Import and export CSV, or choose another History above.'));
});

it('speaks of no created dates only for a history with leads: an empty one shows the window it will apply, and its outcome a minimum age', async () => {
  // As an empty history reads: no lead, so none with a created date; a CRM's own outcome field offered still.
  historySample.mockImplementation(async (source) =>
    source === 'csv' ? { ...CSV_SAMPLE, leads: 0, fields: [], outcomeValues: {}, createdDates: false } : { ...SAMPLE, leads: 0, fields: [], createdDates: false },
  );
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(TrainingSection)));
  await eventually(() => expect(container().querySelector('[data-testid="no-history"]')).not.toBeNull());
  await eventually(() => expect(outcomeField().value).toBe('IsConverted'));
  expect(container().querySelector('[data-testid="no-created-dates"]')).toBeNull();
  expect(numberInput('Created in the last').value).toBe('12');
  expect(numberInput('and at least').value).toBe('30');
  expect(container().textContent).not.toContain('no created date');
  expect(container().textContent).toContain('A lead not converted by the minimum age counts as not converted, whatever its status.');

  change(historySource(), 'csv');
  await eventually(() => expect(container().querySelector('[data-testid="no-history"]')?.textContent).toMatch(/^No Imported CSV leads are stored yet/));
  expect(container().querySelector('[data-testid="no-created-dates"]')).toBeNull();
  expect(container().textContent).not.toContain('import the file again');
  expect(numberInput('Created in the last').value).toBe('12');
  // No file to count the window back from yet.
  expect(container().querySelector('[data-testid="window-counted-from"]')).toBeNull();
});

describe('the History the form starts on', () => {
  const count = () => container().querySelector('[data-testid="history-count"]')?.textContent;
  const renderUnwaited = () => {
    queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(TrainingSection)));
  };

  it.each([
    ['csv', 'after a CSV import', `${CSV_SAMPLE.leads} stored`],
    ['hubspot', 'with HubSpot alone synced', `${HUBSPOT_SAMPLE.leads} stored`],
  ] as const)('is the first source with stored leads: %s %s, never a Salesforce history read first', async (first, _when, stored) => {
    startingSource.mockResolvedValue(first);
    renderUnwaited();
    await eventually(() => expect(count()).toBe(stored));
    expect(historySource().value).toBe(first);
    expect(historySample.mock.calls.map(([source]) => source)).toEqual([first]);
    expect(container().querySelector('[data-testid="no-history"]')).toBeNull();
  });

  it('is picked once: a source the admin chose before the leads were counted stays, and so does the pick when they are counted again', async () => {
    let counted!: (source: SourceKind) => void;
    startingSource.mockReturnValue(new Promise((resolve) => (counted = resolve)));
    renderUnwaited();
    change(historySource(), 'hubspot');
    await eventually(() => expect(count()).toBe(`${HUBSPOT_SAMPLE.leads} stored`));
    await act(async () => counted('csv'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(historySource().value).toBe('hubspot');
    expect(count()).toBe(`${HUBSPOT_SAMPLE.leads} stored`);

    rendered!.unmount();
    startingSource.mockResolvedValue('csv');
    renderUnwaited();
    await eventually(() => expect(historySource().value).toBe('csv'));
    // A sync stored Salesforce leads since: the form stays where it started.
    startingSource.mockResolvedValue('salesforce');
    await act(() => queryClient.invalidateQueries());
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(historySource().value).toBe('csv');
    expect(count()).toBe(`${CSV_SAMPLE.leads} stored`);
  });

  it('moves, until the admin chooses, from an empty History to the first with leads when the leads change (an import or a sync on this page)', async () => {
    // The page opened on an empty store: every section at once, before the admin imported anything.
    historySample.mockImplementation(async (source) => (source === 'csv' ? CSV_SAMPLE : { ...SAMPLE, leads: 0, fields: [], outcomeValues: {}, createdDates: false }));
    renderUnwaited();
    await eventually(() => expect(count()).toBe('0 stored'));
    expect(historySource().value).toBe('salesforce');

    // A CSV import on the same page stored its leads; its scoring job's end reads the leads again (App).
    startingSource.mockResolvedValue('csv');
    await act(() => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }));
    await eventually(() => expect(count()).toBe(`${CSV_SAMPLE.leads} stored`));
    expect(historySource().value).toBe('csv');
    // Its own outcome, not the Salesforce one suggested on the empty history.
    await eventually(() => expect(outcomeField().value).toBe('converted'));
  });

  it('does not move from an empty History the admin chose when the leads change', async () => {
    historySample.mockImplementation(async (source) => (source === 'csv' ? CSV_SAMPLE : { ...HUBSPOT_SAMPLE, leads: 0, fields: [], outcomeValues: {}, createdDates: false }));
    renderUnwaited();
    await eventually(() => expect(historySource().value).toBe('salesforce'));
    change(historySource(), 'hubspot');
    await eventually(() => expect(count()).toBe('0 stored'));

    startingSource.mockResolvedValue('csv');
    await act(() => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }));
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(historySource().value).toBe('hubspot');
    expect(count()).toBe('0 stored');
  });

  /** The Salesforce demo leads Demo mode stored, and an empty file history. */
  const demoOrEmpty = async (source: string): Promise<HistorySample> => (source === 'csv' ? { ...CSV_SAMPLE, leads: 0 } : { ...SAMPLE, leads: 1000, demo: true, fingerprint: `${source}-demo` });
  /** Demo mode loaded (its made-up leads stored under both CRMs), HubSpot not synced yet: the page opens on the Salesforce demo leads. */
  const renderOnDemoLeads = async () => {
    historySample.mockImplementation(demoOrEmpty);
    renderUnwaited();
    await eventually(() => expect(count()).toBe('1,000 demo leads (your own synced Salesforce leads take their place once stored)'));
    expect(historySource().value).toBe('salesforce');
  };
  /** HubSpot connected and synced on the same page: its 50 contacts stored beside Demo mode's, and the leads read again (App). */
  const hubspotSynced = async () => {
    historySample.mockImplementation(async (source) => (source === 'hubspot' ? { ...HUBSPOT_SAMPLE, demoLeftOut: 1000 } : demoOrEmpty(source)));
    startingSource.mockResolvedValue('hubspot');
    sourcesWithOwnLeads.mockResolvedValue(['hubspot']);
    await act(() => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }));
  };

  it("moves, until the admin chooses, from a History of demo leads to the one of the admin's own leads once they are stored (a sync on this page), as a reload would", async () => {
    await renderOnDemoLeads();
    // Demo leads alone are stored: no History of made-up leads gives way to another.
    startingSource.mockResolvedValue('hubspot');
    await act(() => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }));
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(historySource().value).toBe('salesforce');

    await hubspotSynced();
    await eventually(() => expect(count()).toBe(`${HUBSPOT_SAMPLE.leads} stored (1,000 demo leads are left out)`));
    expect(historySource().value).toBe('hubspot');
    // HubSpot's own outcome, not Salesforce's IsConverted.
    await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
    await checkTheData();
    expect(FakeWorker.latest.requests.find((request) => request.type === 'inspect')).toMatchObject({ data: { source: 'hubspot', demo: false } });
  });

  it('waits for a training of the demo leads to end before it moves, the form locked meanwhile; the report stays', async () => {
    await renderOnDemoLeads();
    await checkTheData();
    await press(trainButton()!);
    await hubspotSynced();
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(historySource().value).toBe('salesforce');

    FakeWorker.latest.answer(TRAINED);
    await eventually(() => expect(historySource().value).toBe('hubspot'));
    expect(container().querySelector('[data-testid="training-report"]')).not.toBeNull();
  });

  it('stays on a History of demo leads the admin chose, naming the History that holds their own leads', async () => {
    await renderOnDemoLeads();
    change(historySource(), 'salesforce');
    await hubspotSynced();
    await eventually(() => expect(count()).toBe('1,000 demo leads, not yours: your own leads are under HubSpot contacts (choose it above to train on them)'));
    expect(historySource().value).toBe('salesforce');
    expect(outcomeField().value).toBe('IsConverted');
  });

  it('is Salesforce when the stored leads cannot be counted', async () => {
    startingSource.mockRejectedValue(new Error('The IndexedDB database was closed'));
    renderUnwaited();
    await eventually(() => expect(count()).toBe(`${SAMPLE.leads} stored`));
    expect(historySource().value).toBe('salesforce');
  });
});

it("says why a connected CRM's history is empty when its last sync ended: it found none this connection can read, or it stopped", async () => {
  const december1 = Date.parse('2026-12-01T12:00:00Z');
  const idle: SyncSummary = { crm: 'salesforce', status: 'idle', synced: 0, remaining: null, stored: 0, error: null, connection: 'connected', lastRun: null, leftOut: null, endedAt: null, syncedFrom: null };
  // An org whose Leads this user may not see: the sync ended as it should, with nothing to store.
  syncStatus.mockResolvedValue({ ok: true, syncs: [{ ...idle, status: 'done', lastRun: { synced: 0, finishedAt: december1, seconds: 2 }, endedAt: december1 }] });
  historySample.mockImplementation(async (source) => ({ ...(({ csv: CSV_SAMPLE, hubspot: HUBSPOT_SAMPLE })[source] ?? SAMPLE), leads: 0, fields: [], outcomeValues: {} }));
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(TrainingSection)));
  const advice = () => container().querySelector('[data-testid="no-history"]')?.textContent;
  await eventually(() =>
    expect(advice()).toBe(
      "No Salesforce leads are stored: the last Salesforce sync, on Dec 1, 2026, found no leads this connection can read. Ask your Salesforce admin to check the connection's access to your leads, then sync again under Sync; or load the demo data, or choose another History above.",
    ),
  );
  syncStatus.mockResolvedValue({ ok: true, syncs: [{ ...idle, status: 'error', error: 'Salesforce refused the request: REQUEST_LIMIT_EXCEEDED', errorKind: 'rate-limit', endedAt: december1 }] });
  await act(() => queryClient.invalidateQueries({ queryKey: queryKeys.syncs() }));
  await eventually(() =>
    expect(advice()).toBe(
      'No Salesforce leads are stored: the last Salesforce sync stopped on Dec 1, 2026, before it stored any lead. See why under Sync, load the demo data, or choose another History above.',
    ),
  );
});

it('drops a trained model not activated yet once everything stored is purged, saying so; a sync that deleted leads keeps it', async () => {
  await renderSection();
  const storedDataDeleted = (payload: object) =>
    act(() => fakeBrowser.runtime.onMessage.trigger({ target: 'event', type: 'storedDataDeleted', payload }, {} as never, () => undefined));
  // Nothing trained yet: nothing dropped to tell of.
  await storedDataDeleted({ everything: true });
  expect(liveText()).not.toContain('purged');

  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer(TRAINED);
  expect(button('Activate this model')).toBeTruthy();

  await storedDataDeleted({});
  expect(button('Activate this model')).toBeTruthy();

  await storedDataDeleted({ everything: true });
  await eventually(() => expect(button('Activate this model')).toBeUndefined());
  expect(liveText()).toContain('Everything LeadLens stored was purged: the training, and any model it trained on those leads, were dropped.');
  expect(activateModel).not.toHaveBeenCalled();
});

it('starts no check or training while a model is being activated', async () => {
  let finishActivation: (answer: ActivateReply) => void = () => {};
  activateModel.mockReturnValue(new Promise((resolve) => (finishActivation = resolve)));
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer(TRAINED);
  click(button('Activate this model')!);
  await eventually(() => expect(activateModel).toHaveBeenCalled());
  // Kept before the switch, so the tier policy of the new model is previewed on them from the first.
  expect(keepHeldOutScores).toHaveBeenCalledWith(TRAINED_ID, TRAINED.heldOut);
  expect(keepHeldOutScores.mock.invocationCallOrder[0]).toBeLessThan(activateModel.mock.invocationCallOrder[0]);
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('true');
  expect(trainButton()?.disabled).toBe(true);

  finishActivation({ ok: true, scored: 0, stored: 0 });
  await eventually(() => expect(container().querySelector('[data-testid="model-activated"]')?.textContent).toContain(`Model ${TRAINED_ID} is active`));
  expect(button('Check the data')?.getAttribute('aria-disabled')).toBe('false');
  expect(trainButton()?.disabled).toBe(false);
});

/** Trains a model, activates it, and resolves with what the section then says of the activation. */
async function activatedSaying(): Promise<string> {
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer(TRAINED);
  click(button('Activate this model')!);
  const said = () => container().querySelector('[data-testid="model-activated"]')?.textContent ?? '';
  await eventually(() => expect(said()).toMatch(/is active/));
  return said();
}

it("says how many stored leads the activated model left without a score: another source's, whose fields it does not read", async () => {
  activateModel.mockResolvedValue({ ok: true, scored: 1200, stored: 2000 });
  expect(await activatedSaying()).toBe(
    `Model ${TRAINED_ID} is active: CRM badges in this browser use it now, and 1,200 stored leads were scored with it. 800 of the 2,000 stored leads have no score with it: it reads none of their fields (or a sync stored them as it scored, and scores them itself).`,
  );
});

// The background once answered this as a failure: the section kept offering to activate a model already active.
it('says the trained model is active when only scoring the stored leads with it went wrong, and offers no second activation', async () => {
  activateModel.mockResolvedValue({ ok: true, scored: 0, stored: 5, scoringProblem: 'The stored leads could not be scored with it: the engine stopped.' });
  expect(await activatedSaying()).toBe(`Model ${TRAINED_ID} is active: CRM badges in this browser use it now. The stored leads could not be scored with it: the engine stopped.`);
  expect(button('Activate this model')?.disabled).toBe(true);
});

/** A model of a file's leads: each feature reads a CSV column, none a CRM field (answered with the training request's data). */
const CSV_ONLY_TRAINED: typeof TRAINED = {
  ...TRAINED,
  manifest: {
    ...TRAINED.manifest,
    modelId: 'csv-model',
    outcomeRule: { source: 'csv', field: 'converted', positiveValues: ['yes'] },
    features: TRAINED.manifest.features.map((feature) => ({ ...feature, derive: { kind: 'value' as const, from: { csv: feature.key } } })),
  },
};
const CSV_ONLY_NOTE =
  'csv-model reads no Salesforce or HubSpot field: it can only score CSV files (a CRM lead\'s badge says none of its fields could be read); to score Salesforce or HubSpot leads, train a model here on Salesforce or HubSpot leads.';

it('says before Activate, and again once it is active, that a model reading no CRM field cannot score CRM leads, as Model versions says it', async () => {
  activateModel.mockResolvedValue({ ok: true, scored: 80, stored: 80 });
  await storeModel(CSV_ONLY_TRAINED.manifest, CSV_ONLY_TRAINED.onnx, 'trained');
  await renderSection();
  change(historySource(), 'csv');
  await eventually(() => expect(outcomeField().value).toBe('converted'));
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer({ ...CSV_ONLY_TRAINED, data: (FakeWorker.latest.requests.at(-1) as Extract<TrainingRequest, { type: 'train' }>).data });
  const report = container().querySelector('[data-testid="training-report"]')!;
  const note = report.querySelector('[role="note"][data-testid="crm-fields-note"]')!;
  expect(note.textContent).toBe(CSV_ONLY_NOTE);
  expect(note.compareDocumentPosition(button('Activate this model')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

  click(button('Activate this model')!);
  const said = () => container().querySelector('[data-testid="model-activated"]')?.textContent ?? '';
  await eventually(() => expect(said()).toMatch(/is active/));
  expect(said()).toBe(`Model csv-model is active: CRM badges in this browser use it now, and 80 stored leads were scored with it. ${CSV_ONLY_NOTE}`);
});

it('says nothing of CRM fields for a model that reads fields of both CRMs', async () => {
  const report = await reportOfTraining(TRAINED);
  expect(report.querySelector('[data-testid="crm-fields-note"]')).toBeNull();
});

it('says beside the held-back Train why it waits when no feature is ticked, tied to it, and nothing once one is', async () => {
  const noFeatureNote = () => container().querySelector('[data-testid="no-feature-chosen"]');
  await renderSection();
  await checkTheData();
  expect(noFeatureNote()).toBeNull();
  expect(trainButton()!.hasAttribute('aria-describedby')).toBe(false);

  click(checkbox('Use Industry'));
  click(checkbox(`Use ${spec('lead_source').label}`));
  expect(trainButton()!.disabled).toBe(true);
  expect(noFeatureNote()?.textContent?.trim()).toBe('Tick at least one feature in the table to train on.');
  // Once the CRM said how it labels the outcome field's values, which it is asked with the ticked fields'.
  await eventually(() => expect(container().querySelector('[data-testid="reading-labels"]')).toBeNull());
  expect(describedBy(trainButton()!)).toBe(noFeatureNote()!.textContent);

  click(checkbox('Use Industry'));
  expect(noFeatureNote()).toBeNull();
  // Once the CRM said how it labels the ticked field's options.
  await eventually(() => expect(trainButton()!.disabled).toBe(false));
  expect(trainButton()!.hasAttribute('aria-describedby')).toBe(false);
});

it('says why Train waits at once when the check suggests no feature (every candidate inferred from the data, none pre-ticked)', async () => {
  await renderSection();
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  const { candidates } = INSPECTED as Extract<TrainingEvent, { type: 'inspected' }>;
  FakeWorker.latest.answer({ ...INSPECTED, candidates: candidates.map((candidate) => ({ ...candidate, origin: 'inferred' as const })) } as TrainingEvent);
  await eventually(() => expect(trainButton()?.disabled).toBe(true));
  expect(describedBy(trainButton()!)?.trim()).toBe('Tick at least one feature in the table to train on.');
});

it('says when the history is demo leads, and how many demo leads a history of its own leaves out', async () => {
  historySample.mockResolvedValue({ ...SAMPLE, leads: 1000, demo: true });
  await renderSection();
  const count = () => container().querySelector('[data-testid="history-count"]')?.textContent;
  expect(count()).toBe('1,000 demo leads (your own synced Salesforce leads take their place once stored)');

  // The CRM connected and synced.
  historySample.mockResolvedValue({ ...SAMPLE, leads: 4000, demoLeftOut: 1000, fingerprint: 'salesforce-synced' });
  await act(() => queryClient.invalidateQueries());
  await eventually(() => expect(count()).toBe('4,000 stored (1,000 demo leads are left out)'));
});

it("tells the worker when the leads are Demo mode's made-up ones, and says so of the model before Activate", async () => {
  historySample.mockResolvedValue({ ...SAMPLE, leads: 1000, demo: true });
  await renderSection();
  expect((await checkTheData()).data).toMatchObject({ demo: true });
  await press(trainButton()!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', data: { demo: true } });
  // As the worker records it in the model it trained.
  FakeWorker.latest.answer({ ...TRAINED, manifest: { ...TRAINED.manifest, provenance: { ...TRAINED.manifest.provenance, source: 'salesforce demo leads', demoLeads: true } } });
  const note = container().querySelector('[data-testid="training-report"] [role="note"][data-testid="demo-leads-note"]')!;
  expect(note.textContent).toMatch(/^These were Demo mode's made-up leads, not yours\./);
  expect(note.compareDocumentPosition(button('Activate this model')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

  // A history of the company's own leads.
  rendered!.unmount();
  historySample.mockResolvedValue(SAMPLE);
  await renderSection();
  expect((await checkTheData()).data).toMatchObject({ demo: false });
});

const featureField = (label: string) => container().querySelector<HTMLSelectElement>(`select[aria-label="Field for ${label}"]`)!;
const featureNote = (key: string) => container().querySelector(`tr[data-feature="${key}"] td:last-child`)!.textContent;

it('checks a feature again when the admin moves it to another field, and holds Train until it is checked', async () => {
  await renderSection();
  await checkTheData();
  change(featureField('Industry'), 'Status');
  const recheck = FakeWorker.latest.requests.at(-1)!;
  expect(recheck).toMatchObject({ type: 'check-features', specs: [{ key: 'industry', derive: { from: { salesforce: 'Status' } } }] });
  expect(featureNote('industry')).toBe('Checking this field…');
  expect(trainButton()?.disabled).toBe(true);

  FakeWorker.latest.answer({ type: 'features-checked', leakage: [{ key: 'industry', label: 'Industry', field: 'Status', reason: 'filled almost only for leads that converted' }] });
  // Flagged on its new field: left out, as the first check leaves flagged features out.
  expect(checkbox('Use Industry').checked).toBe(false);
  expect(featureNote('industry')).toBe('Left out: filled almost only for leads that converted.');
  click(checkbox('Use Industry'));
  expect(featureNote('industry')).toBe('Possible leakage: filled almost only for leads that converted.');

  // Back on the field checked first: its verdict is known, no check runs.
  const requests = FakeWorker.latest.requests.length;
  change(featureField('Industry'), 'Industry');
  expect(FakeWorker.latest.requests).toHaveLength(requests);
  expect(featureNote('industry')).toBe('');
  await press(trainButton()!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', specs: [{ key: 'industry', derive: { from: { salesforce: 'Industry' } } }, { key: 'lead_source' }] });
});

it('drops the "Left out" note of a flagged feature moved to a field that passes the check', async () => {
  await renderSection();
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  FakeWorker.latest.answer({ ...INSPECTED, leakage: [{ key: 'lead_source', label: 'Lead source', field: 'LeadSource', reason: 'almost perfectly separates converted leads' }] });
  expect(checkbox('Use Lead source').checked).toBe(false);
  expect(featureNote('lead_source')).toBe('Left out: almost perfectly separates converted leads.');

  change(featureField('Lead source'), 'Status');
  FakeWorker.latest.answer({ type: 'features-checked', leakage: [] });
  // Moved to a field of the admin's own, it is read on Salesforce pages only, which its note says instead.
  expect(featureNote('lead_source')).toBe(
    'Lead source is read on Salesforce pages only: its fields elsewhere need not hold what "Status" holds, so badges on HubSpot pages and leads imported from a file leave it out.',
  );
  click(checkbox('Use Lead source'));
  // The CRM is asked how it labels the newly chosen field's options first.
  await eventually(() => expect(trainButton()?.disabled).toBe(false));
  await press(trainButton()!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', specs: [{ key: 'industry' }, { key: 'lead_source', derive: { from: { salesforce: 'Status' } } }] });
  // Neither HubSpot's property nor the file's column of the catalogue.
  const trained = FakeWorker.latest.requests.at(-1);
  expect(trained?.type === 'train' && trained.specs[1].derive).toEqual({ kind: 'value', from: { salesforce: 'Status' } });
});

it('holds Train while two features chosen read one field, saying which and where beside it, until one is moved or unticked', async () => {
  const sharedFieldsAlert = () => container().querySelector('[role="alert"]');
  const saidOfLeadSource =
    'Industry and Lead source both read the field "LeadSource": the model would learn the same thing twice under different names. Move one of them to another field, or untick it, to train.';
  await renderSection();
  await checkTheData();
  expect(sharedFieldsAlert()).toBeNull();

  change(featureField('Industry'), 'LeadSource');
  FakeWorker.latest.answer({ type: 'features-checked', leakage: [] });
  expect(featureNote('industry')).toBe(
    'Industry is read on Salesforce pages only: its fields elsewhere need not hold what "LeadSource" holds, so badges on HubSpot pages and leads imported from a file leave it out.',
  );
  expect(sharedFieldsAlert()?.textContent).toBe(saidOfLeadSource);
  // Once the CRM said how it labels the newly chosen field's options, Train still waits for the admin.
  await eventually(() => expect(container().querySelector('[data-testid="reading-labels"]')).toBeNull());
  expect(trainButton()!.disabled).toBe(true);
  expect(describedBy(trainButton()!)).toBe(saidOfLeadSource);
  const requests = FakeWorker.latest.requests.length;
  await press(trainButton()!);
  expect(FakeWorker.latest.requests).toHaveLength(requests);

  // Unticked, Lead source no longer reads it for the model.
  click(checkbox('Use Lead source'));
  expect(sharedFieldsAlert()).toBeNull();
  await eventually(() => expect(trainButton()!.disabled).toBe(false));
  expect(trainButton()!.hasAttribute('aria-describedby')).toBe(false);

  // Ticked again, then Industry moved back to its own field.
  click(checkbox('Use Lead source'));
  expect(trainButton()!.disabled).toBe(true);
  change(featureField('Industry'), 'Industry');
  expect(sharedFieldsAlert()).toBeNull();
  await eventually(() => expect(trainButton()!.disabled).toBe(false));
  await press(trainButton()!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', specs: [{ key: 'industry', derive: { from: { salesforce: 'Industry' } } }, { key: 'lead_source' }] });
});

it('keeps a feature whose re-check was cancelled unchecked, and out of training until it is checked', async () => {
  await renderSection();
  await checkTheData();
  change(featureField('Industry'), 'Status');
  const recheck = FakeWorker.latest;
  click(button('Cancel the check')!);
  expect(recheck.terminated).toBe(true);
  // The first check still stands for the other features.
  expect(container().querySelector('[data-testid="data-size"]')).not.toBeNull();
  expect(featureNote('industry')).toBe('Not checked on this field yet: check the changed fields before training.');
  expect(trainButton()?.disabled).toBe(true);

  click(button('Check the changed fields')!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'check-features', specs: [{ key: 'industry' }] });
  FakeWorker.latest.answer({ type: 'features-checked', leakage: [] });
  await eventually(() => expect(trainButton()?.disabled).toBe(false));
});

describe("the admin's feature choices through a check of changed leads (a sync stored more of them)", () => {
  const SYNCED_MORE: HistorySample = { ...SAMPLE, leads: 121, fingerprint: 'salesforce-2' };
  /** Clicks Check the data and answers it with `inspected`, without waiting for Train (a moved field holds it). */
  async function checkAgain(inspected: TrainingEvent = INSPECTED) {
    await waitUntilEnabled('Check the data');
    await press(button('Check the data')!);
    expect(FakeWorker.latest.requests.at(-1)!.type).toBe('inspect');
    FakeWorker.latest.answer(inspected);
    await eventually(() => expect(container().querySelector('[data-testid="data-size"]')).not.toBeNull());
  }

  it('keeps a feature left out out, and one moved to another field on it, checked there again before Train', async () => {
    await renderSection();
    await checkTheData();
    click(checkbox('Use Lead source'));
    change(featureField('Industry'), 'Status');
    FakeWorker.latest.answer({ type: 'features-checked', leakage: [] });

    await historyReadAgain(SYNCED_MORE);
    expect(trainButton()).toBeUndefined();
    expect(leadsChangedNote()).not.toBe('');
    await checkAgain();
    expect(leadsChangedNote()).toBe('');
    expect(checkbox('Use Lead source').checked).toBe(false);
    expect(checkbox('Use Industry').checked).toBe(true);
    expect(featureField('Industry').value).toBe('Status');
    // The new check read Industry's suggested field: the one the admin chose is checked on the new leads first.
    expect(featureNote('industry')).toBe('Not checked on this field yet: check the changed fields before training.');
    expect(trainButton()?.disabled).toBe(true);

    click(button('Check the changed fields')!);
    expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'check-features', specs: [{ key: 'industry', derive: { from: { salesforce: 'Status' } } }] });
    FakeWorker.latest.answer({ type: 'features-checked', leakage: [] });
    await eventually(() => expect(trainButton()?.disabled).toBe(false));
    await press(trainButton()!);
    expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', specs: [{ key: 'industry', derive: { from: { salesforce: 'Status' } } }] });
    expect((FakeWorker.latest.requests.at(-1) as Extract<TrainingRequest, { type: 'train' }>).specs).toHaveLength(1);
  });

  it('keeps a feature of another field of the data ticked (off unless ticked)', async () => {
    const { candidates } = INSPECTED as Extract<TrainingEvent, { type: 'inspected' }>;
    const inferred = { ...INSPECTED, candidates: candidates.map((candidate) => ({ ...candidate, origin: 'inferred' as const })) } as TrainingEvent;
    await renderSection();
    await checkAgain(inferred);
    expect(checkbox('Use Industry').checked).toBe(false);
    click(checkbox('Use Industry'));

    await historyReadAgain(SYNCED_MORE);
    await checkAgain(inferred);
    expect(checkbox('Use Industry').checked).toBe(true);
    expect(checkbox('Use Lead source').checked).toBe(false);
    await eventually(() => expect(trainButton()?.disabled).toBe(false));
    await press(trainButton()!);
    expect((FakeWorker.latest.requests.at(-1) as Extract<TrainingRequest, { type: 'train' }>).specs.map((chosen) => chosen.key)).toEqual(['industry']);
  });

  const FLAGGED_LEAD_SOURCE = { ...INSPECTED, leakage: [{ key: 'lead_source', label: 'Lead source', field: 'LeadSource', reason: 'almost perfectly separates converted leads' }] } as TrainingEvent;
  const trainedKeys = () => (FakeWorker.latest.requests.at(-1) as Extract<TrainingRequest, { type: 'train' }>).specs.map((chosen) => chosen.key);

  it.each([
    ['a sync stored more leads', () => historyReadAgain(SYNCED_MORE)],
    ['the admin changed the minimum age', async () => change(numberInput('and at least'), '0')],
  ])('puts back a feature the guard, not the admin, left out, once a new check no longer flags it: %s', async (_change, changeTheLeads) => {
    await renderSection();
    await checkAgain(FLAGGED_LEAD_SOURCE);
    expect(checkbox('Use Lead source').checked).toBe(false);
    expect(featureNote('lead_source')).toBe('Left out: almost perfectly separates converted leads.');

    await changeTheLeads();
    await checkAgain();
    expect(checkbox('Use Lead source').checked).toBe(true);
    expect(featureNote('lead_source')).toBe('');
    await eventually(() => expect(trainButton()?.disabled).toBe(false));
    await press(trainButton()!);
    expect(trainedKeys()).toEqual(['industry', 'lead_source']);
  });

  it("keeps the admin's own choices through a check that flags one and the next that does not", async () => {
    await renderSection();
    await checkAgain(FLAGGED_LEAD_SOURCE);
    // The admin uses Lead source despite the flag, and leaves Industry out.
    click(checkbox('Use Lead source'));
    click(checkbox('Use Industry'));

    await historyReadAgain(SYNCED_MORE);
    await checkAgain(FLAGGED_LEAD_SOURCE);
    expect(checkbox('Use Lead source').checked).toBe(false);
    expect(checkbox('Use Industry').checked).toBe(false);

    await historyReadAgain({ ...SYNCED_MORE, leads: 122, fingerprint: 'salesforce-3' });
    await checkAgain();
    expect(checkbox('Use Lead source').checked).toBe(true);
    expect(checkbox('Use Industry').checked).toBe(false);
    await eventually(() => expect(trainButton()?.disabled).toBe(false));
    await press(trainButton()!);
    expect(trainedKeys()).toEqual(['lead_source']);
  });

  it('leaves out a kept feature the new check flags, and suggests the field again for one whose chosen field is gone', async () => {
    await renderSection();
    await checkTheData();
    change(featureField('Industry'), 'Status');
    FakeWorker.latest.answer({ type: 'features-checked', leakage: [] });

    // The leads no longer have Status; Lead source now gives the outcome away.
    await historyReadAgain({ ...SYNCED_MORE, fields: ['Industry', 'IsConverted', 'LeadSource'], outcomeValues: { IsConverted: ['false', 'true'] } });
    await checkAgain({ ...INSPECTED, leakage: [{ key: 'lead_source', label: 'Lead source', field: 'LeadSource', reason: 'almost perfectly separates converted leads' }] } as TrainingEvent);
    expect(featureField('Industry').value).toBe('Industry');
    expect(checkbox('Use Industry').checked).toBe(true);
    expect(featureNote('industry')).toBe('');
    expect(checkbox('Use Lead source').checked).toBe(false);
    expect(featureNote('lead_source')).toBe('Left out: almost perfectly separates converted leads.');
  });

  it("does not carry one source's choices to another's check, even where their fields share names", async () => {
    // A file exported from the CRM: its columns under the CRM's names.
    const csvExport: HistorySample = { ...CSV_SAMPLE, fields: ['converted', 'Industry', 'LeadSource'] };
    historySample.mockImplementation(async (source) => (source === 'csv' ? csvExport : SAMPLE));
    await renderSection();
    await checkTheData();
    click(checkbox('Use Lead source'));
    change(featureField('Industry'), 'LeadSource');
    FakeWorker.latest.answer({ type: 'features-checked', leakage: [] });

    change(historySource(), 'csv');
    await eventually(() => expect(outcomeField().value).toBe('converted'));
    // The check finds the catalogue's features in the file's columns of the same names.
    const readingColumn = (key: string, column: string) => {
      const { derive, ...rest } = spec(key);
      if (derive.kind !== 'value') throw new Error(`${key} reads a value`);
      return { spec: { ...rest, derive: { ...derive, from: { ...derive.from, csv: column } } }, origin: 'catalogue' as const };
    };
    await checkAgain({ ...INSPECTED, candidates: [readingColumn('industry', 'Industry'), readingColumn('lead_source', 'LeadSource')] } as TrainingEvent);
    expect(checkbox('Use Lead source').checked).toBe(true);
    expect(featureField('Industry').value).toBe('Industry');
  });
});

/** Disabled itself, or inside a disabled fieldset (as a browser disables it). */
const isDisabled = (control: Element) => (control as HTMLInputElement).disabled || control.closest('fieldset[disabled]') !== null;

/** Whether closing or reloading the page asks first: a `beforeunload` as the browser sends it, cancelled by the page. */
function leavingAsks(): boolean {
  const leaving = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(leaving);
  return leaving.defaultPrevented;
}

it('asks before the page is closed or reloaded while a model trains or waits to be activated, and no more once it is active or cancelled', async () => {
  await renderSection();
  await checkTheData();
  // A check takes seconds, and is run again as easily.
  expect(leavingAsks()).toBe(false);
  await press(trainButton()!);
  FakeWorker.latest.answer({ type: 'progress', stage: 'cv', fold: 1, round: 120, fraction: 0.4 });
  expect(leavingAsks()).toBe(true);
  FakeWorker.latest.answer(TRAINED);
  expect(leavingAsks()).toBe(true);
  let finishActivation: (answer: ActivateReply) => void = () => {};
  activateModel.mockReturnValue(new Promise((resolve) => (finishActivation = resolve)));
  click(button('Activate this model')!);
  // Once the background scores the stored leads with it, the model is active: nothing is left to lose.
  await eventually(() => expect(activateModel).toHaveBeenCalled());
  expect(leavingAsks()).toBe(false);
  finishActivation({ ok: true, scored: 0, stored: 0 });
  await eventually(() => expect(container().querySelector('[data-testid="model-activated"]')).not.toBeNull());
  expect(leavingAsks()).toBe(false);

  // Cancelled, a training leaves nothing to lose.
  await checkTheData();
  await press(trainButton()!);
  expect(leavingAsks()).toBe(true);
  click(button('Cancel training…')!);
  click(button('Yes, cancel training')!);
  expect(leavingAsks()).toBe(false);
});

it('asks before cancelling a training, saying that what it has done is lost, and goes on training on Keep training', async () => {
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer({ type: 'progress', stage: 'cv', fold: 2, round: 40, fraction: 0.5 });
  const worker = FakeWorker.latest;
  click(button('Cancel training…')!);
  expect(worker.terminated).toBe(false);
  const question = container().querySelector('[role="group"][aria-label="Confirm cancelling the training"]')!;
  expect(describedBy(question)).toBe(
    'Cancelling throws away the training done so far: nothing is saved, and training again starts from the beginning.',
  );
  // The safe choice has the focus, named for what it does: a "Cancel" beside "Yes, cancel training" would read as cancelling it.
  expect(document.activeElement).toBe(button('Keep training'));
  expect(button('Cancel')).toBeUndefined();

  click(button('Keep training')!);
  expect(worker.terminated).toBe(false);
  expect(container().querySelector('[data-testid="training-progress"]')).not.toBeNull();
  expect(document.activeElement).toBe(button('Cancel training…'));
  FakeWorker.latest.answer(TRAINED);
  expect(button('Activate this model')).toBeDefined();
  expect(liveText()).toContain('Training finished: the report is below.');
});

it('locks the form while a model trains, Cancel aside, and frees it when training ends', async () => {
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  const form = container().querySelector('[data-testid="training-form"]')!;
  const controls = Array.from(form.querySelectorAll('input, select, button'));
  expect(controls.length).toBeGreaterThan(8);
  expect(controls.filter((control) => !isDisabled(control))).toEqual([]);
  expect(isDisabled(button('Cancel training…')!)).toBe(false);

  FakeWorker.latest.answer(TRAINED);
  expect(isDisabled(outcomeField())).toBe(false);
  expect(isDisabled(numberInput('Created in the last'))).toBe(false);
});

it('keeps the focus on Check the data while the check runs, which a second press does not start again', async () => {
  await renderSection();
  const check = button('Check the data')!;
  await eventually(() => expect(check.disabled || check.getAttribute('aria-disabled') === 'true').toBe(false));
  const workerBefore = FakeWorker.latest;
  act(() => check.focus());
  click(check);
  // Unavailable from the press, while the stored leads are read again, saying so.
  expect(check.getAttribute('aria-disabled')).toBe('true');
  expect(describedBy(check)).toBe(' Reading the stored leads…');
  expect(document.activeElement).toBe(check);
  await eventually(() => expect(FakeWorker.latest).not.toBe(workerBefore));
  expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['inspect']);
  // Not disabled under the focus, which would drop it to the page: said unavailable.
  expect(check.disabled).toBe(false);
  expect(check.getAttribute('aria-disabled')).toBe('true');
  expect(document.activeElement).toBe(check);
  const worker = FakeWorker.latest;
  click(check);
  expect(FakeWorker.latest).toBe(worker);
  expect(worker.requests).toHaveLength(1);
  worker.answer(INSPECTED);
  expect(check.getAttribute('aria-disabled')).toBe('false');
  expect(document.activeElement).toBe(check);
});

it('moves the focus from Train, locked with the form, to the training’s Cancel, and back to Train when the training ends', async () => {
  await renderSection();
  await checkTheData();
  act(() => trainButton()!.focus());
  await press(trainButton()!);
  expect(document.activeElement).toBe(button('Cancel training…'));
  // Cancelled: Cancel goes with the progress, and the focus comes back to Train.
  click(button('Cancel training…')!);
  click(button('Yes, cancel training')!);
  expect(container().querySelector('[data-testid="training-progress"]')).toBeNull();
  expect(document.activeElement).toBe(trainButton());

  // Trained: the same, the report announced in the live region.
  await press(trainButton()!);
  expect(document.activeElement).toBe(button('Cancel training…'));
  FakeWorker.latest.answer(TRAINED);
  expect(document.activeElement).toBe(trainButton());
});

it('hands the focus of Cancel the check, which goes with the check, back to Check the data', async () => {
  await renderSection();
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  const cancel = button('Cancel the check')!;
  act(() => cancel.focus());
  click(cancel);
  expect(button('Cancel the check')).toBeUndefined();
  expect(document.activeElement).toBe(button('Check the data'));
});

it('keeps the focus on Check the changed fields while its check runs, back on it when Cancel the check goes, and on Train once the fields are checked', async () => {
  await renderSection();
  await checkTheData();
  // Moved: checked at once; cancelled from the keyboard, the button that checks it comes back with the focus.
  change(featureField('Industry'), 'Status');
  act(() => button('Cancel the check')!.focus());
  click(button('Cancel the check')!);
  const checkFields = button('Check the changed fields')!;
  expect(document.activeElement).toBe(checkFields);

  click(checkFields);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'check-features', specs: [{ key: 'industry' }] });
  // Kept in place, unavailable, while its check runs: a second press starts nothing.
  expect(button('Check the changed fields')).toBe(checkFields);
  expect(checkFields.getAttribute('aria-disabled')).toBe('true');
  expect(document.activeElement).toBe(checkFields);
  const requests = FakeWorker.latest.requests.length;
  click(checkFields);
  expect(FakeWorker.latest.requests).toHaveLength(requests);

  // How the CRM labels the options of the newly chosen field is read meanwhile.
  await eventually(() => expect(container().querySelector('[data-testid="reading-labels"]')).toBeNull());
  FakeWorker.latest.answer({ type: 'features-checked', leakage: [] });
  await eventually(() => expect(button('Check the changed fields')).toBeUndefined());
  expect(document.activeElement).toBe(trainButton());
});

it('gives the focus to what the check of the changed fields said when Train cannot take it yet', async () => {
  await renderSection();
  await checkTheData();
  // How the CRM labels the options of the newly chosen field is still being read: Train waits for it.
  crmOptionLabels.mockReturnValue(new Promise(() => {}));
  change(featureField('Industry'), 'Status');
  click(button('Cancel the check')!);
  const checkFields = button('Check the changed fields')!;
  act(() => checkFields.focus());
  click(checkFields);
  FakeWorker.latest.answer({ type: 'features-checked', leakage: [] });
  await eventually(() => expect(button('Check the changed fields')).toBeUndefined());
  expect(trainButton()?.disabled).toBe(true);
  expect(document.activeElement?.textContent).toBe('The changed fields are checked: see their notes.');
  expect(document.activeElement?.closest('[role="status"]')).not.toBeNull();
});

it('hands the focus of Check the data again, which goes with the trained model as its check starts, to Check the data', async () => {
  await renderSection();
  await trainOnTheFile();
  await historyReadAgain(CSV_REIMPORTED);
  const again = button('Check the data again')!;
  act(() => again.focus());
  await press(again);
  expect(button('Check the data again')).toBeUndefined();
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'inspect', data: { source: 'csv' } });
  expect(document.activeElement).toBe(button('Check the data'));
});

it('names the outcome and the window the model was trained on in its report, and shows leakage warnings above Activate', async () => {
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  const leakage = 'Possible leakage in "Status": almost perfectly separates converted leads.';
  FakeWorker.latest.answer({ ...TRAINED, leakage: [leakage], warnings: ['"Notes" is empty in every row: dropped.'] });
  // The form changes after training: the report still says what the model was trained on.
  change(outcomeField(), 'Status');
  const report = container().querySelector('[data-testid="training-report"]')!;
  expect(report.querySelector('[data-testid="trained-outcome"]')?.textContent).toBe('the lead was converted into an account and contact, for Salesforce leads');
  expect(report.querySelector('[data-testid="trained-window"]')?.textContent).toBe('created Dec 1, 2025 to Oct 2, 2026');

  const warning = report.querySelector('[data-testid="leakage-warning"]')!;
  expect(warning.textContent).toContain(leakage);
  expect(warning.closest('details')).toBeNull();
  expect(warning.compareDocumentPosition(button('Activate this model')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  // Said once: the collapsed notes hold the other warnings.
  expect(report.querySelector('details')?.textContent).not.toContain('Possible leakage');
});

it('reports the out-of-time ranking quality, says when it falls below the cross-validated one by more than chance explains, and why it is missing when it is', async () => {
  const reportOf = async (summary: Partial<(typeof TRAINED)['summary']>) => {
    rendered?.unmount();
    await renderSection();
    await checkTheData();
    await press(trainButton()!);
    FakeWorker.latest.answer({ ...TRAINED, summary: { ...TRAINED.summary, ...summary } });
    return container().querySelector('[data-testid="training-report"]')!;
  };
  const holding = await reportOf({ cvRocAuc: 0.8, outOfTimeRocAuc: 0.78, outOfTimeStandardError: 0.02 });
  expect(holding.querySelector('[data-metric="out-of-time-roc-auc"]')?.textContent).toBe('0.780');
  expect(holding.querySelector('[data-metric="out-of-time-roc-auc"]')?.parentElement?.textContent).toContain('0.780 (± 0.040: what chance alone moves it by, 95% of the time)');
  expect(holding.querySelector('[data-testid="out-of-time-gap"]')).toBeNull();
  const drifting = await reportOf({ cvRocAuc: 0.8, outOfTimeRocAuc: 0.7, outOfTimeStandardError: 0.02 });
  expect(drifting.querySelector('[data-testid="out-of-time-gap"]')?.textContent).toMatch(/^The newest leads are ranked less well than cross-validation says/);
  // The same gap on a few newest leads, where chance alone moves the figure by 0.068: no alarm.
  const few = await reportOf({ cvRocAuc: 0.8, outOfTimeRocAuc: 0.7, outOfTimeStandardError: 0.068 });
  expect(few.querySelector('[data-testid="out-of-time-gap"]')).toBeNull();
  const missing = await reportOf({ cvRocAuc: 0.8 });
  expect(missing.querySelector('[data-metric="out-of-time-roc-auc"]')?.textContent).toBe('not measured (see the trainer notes)');
});

/** An imported file with no created date column: `count` leads, about a quarter converted, none with a created date (0, as the import stores it). */
function undatedImport(count: number): HistoryLead[] {
  const industries = ['Retail', 'Software', 'Finance', 'Health'];
  return Array.from({ length: count }, (_, row) => {
    const industry = industries[row % industries.length];
    const employees = 10 + ((row * 37) % 990);
    // Software companies and big ones convert more often than the rest.
    const converted = (industry === 'Software' ? row % 3 === 0 : row % 9 === 0) || employees > 850;
    return { key: `csv|row-${row}`, createdAt: 0, fields: { industry, employees: String(employees), converted: converted ? 'yes' : 'no' } };
  });
}

/** What the real training worker answers `request` with, reading `leads` as the imported file's history. */
async function workerAnswers(request: TrainingRequest, leads: HistoryLead[]): Promise<TrainingEvent[]> {
  const events: TrainingEvent[] = [];
  const history = {
    leads: async (source: string) => (source === 'csv' ? leads : []),
    writtenBackFields: async () => [],
    probabilitiesOf: async (_modelId: string, keys: readonly string[]) => ({ probabilities: new Float64Array(keys.length).fill(Number.NaN), heldOut: false }),
  };
  await runTrainingRequest(request, history, (event) => events.push(event));
  return events;
}

it('offers and trains the features of columns named as plain objects’ own properties (__proto__, constructor, toString), each on its column', async () => {
  const columns = ['__proto__', 'constructor', 'toString'];
  const leads = undatedImport(400).map((lead, row) => ({
    ...lead,
    fields: { ...lead.fields, ...Object.fromEntries(columns.map((column, i) => [column, ['North', 'South', 'East'][(row + i) % 3]])) },
  }));
  const file: HistorySample = { ...CSV_SAMPLE, leads: 400, fields: ['converted', 'employees', 'industry', ...columns].sort(), createdDates: false, fingerprint: 'import-odd-columns' };
  historySample.mockImplementation(async (source) => (source === 'csv' ? file : SAMPLE));
  await renderSection();
  change(historySource(), 'csv');
  await eventually(() => expect(outcomeField().value).toBe('converted'));
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  for (const event of await workerAnswers(FakeWorker.latest.requests.at(-1)!, leads)) FakeWorker.latest.answer(event);

  // A file's own column: no CRM page reads it, and the note says so.
  const fileOnly = 'Another field of your data, read from this file only: badges on Salesforce and HubSpot pages cannot use it; off unless you tick it.';
  const cells = (key: string) => Array.from(container().querySelectorAll(`tr[data-feature="${key}"] td`), (cell) => cell.textContent);
  expect(cells('constructor')).toEqual(['', 'constructor', fileOnly]);
  expect(cells('proto')).toEqual(['', '__proto__', fileOnly]);
  expect(cells('tostring')).toEqual(['', 'toString', fileOnly]);
  click(checkbox('Use constructor'));
  expect(featureNote('constructor')).toBe(fileOnly);
  await eventually(() => expect(trainButton()?.disabled).toBe(false));
  await press(trainButton()!);
  const train = FakeWorker.latest.requests.at(-1) as Extract<TrainingRequest, { type: 'train' }>;
  expect(train.specs.map((chosen) => [chosen.key, chosen.derive.kind === 'ratio' ? null : chosen.derive.from.csv])).toEqual([
    ['industry', 'industry'],
    ['employees', 'employees'],
    ['constructor', 'constructor'],
  ]);
});

it('trains on an imported file with no created date: the form offers no window and sends none, and the report says the out-of-time check was not made', async () => {
  const leads = undatedImport(400);
  const undated: HistorySample = { ...CSV_SAMPLE, leads: 400, fields: ['converted', 'employees', 'industry'], createdDates: false, fingerprint: 'import-undated' };
  historySample.mockImplementation(async (source) => (source === 'csv' ? undated : SAMPLE));
  await renderSection();
  change(historySource(), 'csv');
  await eventually(() => expect(outcomeField().value).toBe('converted'));
  expect(container().querySelector('[data-testid="no-created-dates"]')?.textContent).toBe(
    'None of these leads has a created date, so no window of creation dates applies: every lead is read, however new. Nor can a minimum age keep out ' +
      'leads too new to have converted yet (below, tick what says a lead is still open or being worked), or the report measure how the model ranks the newest leads. ' +
      'To choose leads by when they were created, import the file again with its created date column chosen.',
  );
  expect(container().querySelector('input[inputmode="numeric"]')).toBeNull();
  expect(container().textContent).toContain('A lead not converted counts as not converted however new (these leads have no created date, so no minimum age applies)');

  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  const inspect = FakeWorker.latest.requests.at(-1)!;
  expect(inspect.data.window).toEqual({ createdAfter: null, createdBefore: null });
  for (const event of await workerAnswers(inspect, leads)) FakeWorker.latest.answer(event);
  expect(container().querySelector('[data-testid="data-size"]')?.textContent).toMatch(/^400 leads, \d+ conversions:/);
  expect(container().querySelector('[data-testid="left-out"]')).toBeNull();

  await press(trainButton()!);
  const train = FakeWorker.latest.requests.at(-1)!;
  for (const event of await workerAnswers(train, leads)) FakeWorker.latest.answer(event);
  const report = container().querySelector('[data-testid="training-report"]')!;
  expect(report.querySelector('[data-testid="trained-rows"]')?.textContent).toBe('400');
  expect(report.querySelector('[data-testid="trained-window"]')?.textContent).toBe('all, whatever their created date');
  expect(report.querySelector('[data-metric="out-of-time-roc-auc"]')?.textContent).toBe('not measured (see the trainer notes)');
  // Why, in the trainer's notes (as when the newest leads have too few conversions to measure it).
  expect(report.querySelector('details')?.textContent).toMatch(/^Trainer notes \(1\)The out-of-time check by created date .*\b400 rows\b.* The model is reported without it\.$/);
  expect(button('Activate this model')?.disabled).toBe(false);
});

describe('an imported file: the form starts from the outcome rule its import chose', () => {
  const storedLeadTables = () => [...db.leadTables, db.leadScores, db.csvStaging, db.heldOutScores];
  beforeEach(() => Promise.all(storedLeadTables().map((table) => table.clear())));
  afterEach(() => Promise.all(storedLeadTables().map((table) => table.clear())));

  it('ticks the values the import left out as still open, and the check leaves those leads out as open, not as lost', async () => {
    // January's leads: won, lost and still open in turn; a lead won in June is the file's present, which the minimum age counts back from.
    const january = Array.from({ length: 12 }, (_, i) => `lead-${i}@example.com,2025-01-${String(i + 1).padStart(2, '0')},${['Won', 'Lost', 'Open'][i % 3]}`);
    const csv = `Email,Create Date,Outcome\n${[...january, 'june@example.com,2025-06-30,Won'].join('\n')}\n`;
    const importRule = { field: 'Outcome', positiveValues: ['Won'], openValues: ['Open'] };
    stubWebLocks(); // the import's commit pauses the jobs writing stored scores
    await importCsv(
      async function* () {
        yield csv;
      },
      { idColumn: 'Email', nameColumn: null, createdColumn: 'Create Date', outcome: importRule },
      dexieCsvSink,
    );
    expect((await db.leads.toArray()).filter((lead) => lead.outcome === null)).toHaveLength(4);
    const { historySample: storedHistorySample } = await vi.importActual<typeof import('./training/history-sample')>('./training/history-sample');
    historySample.mockImplementation(async (source) => (source === 'csv' ? storedHistorySample('csv') : SAMPLE));

    await renderSection();
    change(historySource(), 'csv');
    await eventually(() => expect(outcomeField().value).toBe('Outcome'));
    expect(inGroup('converted', 'Won')?.checked).toBe(true);
    expect(inGroup('still open', 'Open')?.checked).toBe(true);
    expect(inGroup('still open', 'Lost')?.checked).toBe(false);

    await waitUntilEnabled('Check the data');
    await press(button('Check the data')!);
    const inspect = FakeWorker.latest.requests.at(-1)!;
    expect(inspect.data.outcome).toEqual(importRule);
    const leads = (await db.leads.toArray()).map(({ key, createdAt, fields }) => ({ key, createdAt, fields }));
    for (const event of await workerAnswers(inspect, leads)) FakeWorker.latest.answer(event);
    // January's 4 won and 4 lost: the 4 still open are neither.
    expect(container().querySelector('[data-testid="data-size"]')?.textContent).toMatch(/^8 leads, 4 conversions:/);
    expect(container().querySelector('[data-testid="left-out"]')?.textContent).toBe('4 leads have no outcome yet and are left out.');
  });

  /** A file imported as "open" still open, on the form: the admin counts its open leads as not converted after all. */
  const importedWithOpenUnticked = async (): Promise<HistorySample> => {
    const imported: HistorySample = {
      ...CSV_SAMPLE,
      outcomeValues: { converted: ['no', 'open', 'yes'] },
      importedOutcome: { field: 'converted', positiveValues: ['yes'], openValues: ['open'] },
    };
    historySample.mockImplementation(async (source) => (source === 'csv' ? imported : SAMPLE));
    await renderSection();
    change(historySource(), 'csv');
    await eventually(() => expect(inGroup('still open', 'open')?.checked).toBe(true));
    click(inGroup('still open', 'open')!);
    return imported;
  };

  it("keeps the admin's change to the import's rule while the file's history is read again, and takes a new import's other rule", async () => {
    const imported = await importedWithOpenUnticked();

    // A file of one more row imported under the same rule: the admin's outcome stays.
    await historyReadAgain({ ...imported, leads: 81, fingerprint: 'import-2', keysName: 'import-2' });
    expect((await checkTheData()).data.outcome).toEqual({ field: 'converted', positiveValues: ['yes'] });

    // Imported again, open leads taken as converted: the form starts from that rule.
    await historyReadAgain({ ...imported, leads: 82, fingerprint: 'import-3', keysName: 'import-3', importedOutcome: { field: 'converted', positiveValues: ['open', 'yes'] } });
    expect(inGroup('converted', 'open')?.checked).toBe(true);
    expect((await checkTheData()).data.outcome).toEqual({ field: 'converted', positiveValues: ['open', 'yes'] });
  });

  it("keeps the admin's change to the import's rule when the admin switches to another History and back: the import chose no new rule", async () => {
    await importedWithOpenUnticked();

    change(historySource(), 'salesforce');
    await eventually(() => expect(outcomeField().value).toBe('IsConverted'));
    change(historySource(), 'csv');
    await eventually(() => expect(outcomeField().value).toBe('converted'));
    expect(inGroup('still open', 'open')?.checked).toBe(false);
    expect((await checkTheData()).data.outcome).toEqual({ field: 'converted', positiveValues: ['yes'] });
  });
});

/** The report of a model with 30 converted and 90 other leads held out, as the summary's 120: chance moves a ROC-AUC of 0.8 by 0.104 on them. */
/** The report of a model trained afresh on a newly rendered section, the worker answering `trained`. */
const reportOfTraining = async (trained: typeof TRAINED) => {
  rendered?.unmount();
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer(trained);
  return container().querySelector('[data-testid="training-report"]')!;
};

const fewHeldOutReport = async (summary: Partial<(typeof TRAINED)['summary']>) => {
  const counts = { tp: 10, fp: 5, tn: 85, fn: 20, precision: 10 / 15, recall: 1 / 3 };
  const manifest = { ...ACTIVE, metrics: { ...ACTIVE.metrics, tierConfusion: { hot: { threshold: 0.3, ...counts }, warm: { threshold: 0.1, ...counts } } } };
  return reportOfTraining({ ...TRAINED, manifest, summary: { ...TRAINED.summary, ...summary } });
};

it('shows the cross-validated ranking quality with what chance alone moves it by on the held-out leads', async () => {
  const report = await fewHeldOutReport({ cvRocAuc: 0.8 });
  expect(report.querySelector('[data-metric="roc-auc"]')?.textContent).toBe('0.800');
  expect(report.querySelector('[data-metric="roc-auc"]')?.parentElement?.textContent).toBe('0.800 (± 0.104: what chance alone moves it by, 95% of the time)');
});

it('explains the ranking quality from chance to perfect, and gives the share of leads that converted as a percent', async () => {
  const report = await reportOfTraining(TRAINED);
  const terms = Array.from(report.querySelectorAll('dt'), (term) => term.textContent);
  expect(terms).toContain('Ranking quality (cross-validated ROC-AUC, averaged over 5 folds; 0.5 is chance, 1 is perfect)');
  // 30 of 120 converted.
  expect(terms).toContain('Precision–recall area (25% of these leads converted, about what a model no better than chance scores)');
});

it('says in full view when the model tells no lead apart (its calibration gives every lead the base rate), and not otherwise', async () => {
  const reportWith = async (calibration: (typeof ACTIVE)['calibration']) =>
    (await reportOfTraining({ ...TRAINED, manifest: { ...TRAINED.manifest, calibration } })).querySelector('[data-testid="no-signal-warning"]')?.textContent ?? null;
  expect(await reportWith({ kind: 'platt', a: 0, b: -1.2 })).toMatch(/^This model tells no lead apart\. It found nothing in these fields that ranks leads/);
  expect(await reportWith({ kind: 'platt', a: 0.9, b: -1.2 })).toBeNull();
});

it('says the newest leads rank worse only when the gap is beyond both figures’ chance margins combined', async () => {
  // 0.1 apart: beyond the newest leads' margin alone (0.04), within the two combined (2 · hypot(0.052, 0.02) = 0.111).
  expect((await fewHeldOutReport({ cvRocAuc: 0.8, outOfTimeRocAuc: 0.7, outOfTimeStandardError: 0.02 })).querySelector('[data-testid="out-of-time-gap"]')).toBeNull();
  expect((await fewHeldOutReport({ cvRocAuc: 0.8, outOfTimeRocAuc: 0.68, outOfTimeStandardError: 0.02 })).querySelector('[data-testid="out-of-time-gap"]')).not.toBeNull();
});

it("names the fields the active (default) model reads that this training's leakage guard left out, and does not say its stored scores may be of leads it learnt from", async () => {
  // A HubSpot-only admin: the default model, trained on made-up leads, is active, with its visits, page views and last activity.
  startingSource.mockResolvedValue('hubspot');
  sourcesWithOwnLeads.mockResolvedValue(['hubspot']);
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(TrainingSection)));
  await eventually(() => expect(outcomeField().value).toBe('lifecyclestage'));
  await waitUntilEnabled('Check the data');
  await press(button('Check the data')!);
  const flag = (key: string, field: string, reason: string) => ({ key, label: spec(key).label, field, reason });
  const lastActivity = '"notes_last_updated" is a field the CRM writes as or after the outcome is known: the CRM moves it on with each activity';
  FakeWorker.latest.answer({
    ...INSPECTED,
    candidates: ['industry', 'web_visits', 'page_views', 'days_since_last_activity'].map((key) => ({ spec: spec(key), origin: 'catalogue' as const })),
    leakage: [
      flag('web_visits', 'hs_analytics_num_visits', KEEPS_CHANGING_REASON),
      flag('page_views', 'hs_analytics_num_page_views', KEEPS_CHANGING_REASON),
      flag('days_since_last_activity', 'notes_last_updated', lastActivity),
    ],
  });
  await eventually(() => expect(trainButton()?.disabled).toBe(false));
  await press(trainButton()!);
  // The new model reads Industry alone: the flagged features were left out, unticked.
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', specs: [{ key: 'industry' }] });
  const newModel = handMadeManifest({
    features: [{ key: 'industry', label: 'Industry', type: 'categorical', vocabulary: ['Retail'], derive: { kind: 'value', from: { hubspot: 'industry' } } }],
    terms: [{ features: [0], label: 'Industry' }],
    intercept: -2,
  });
  const compared = { kind: 'compared' as const, activeModelId: ACTIVE.modelId, rows: 1502, newRocAuc: 0.685, activeRocAuc: 0.792, differenceStandardError: 0.02, activeHeldOut: false };
  FakeWorker.latest.answer({ ...TRAINED, data: { ...TRAINED.data, source: 'hubspot', outcome: { field: 'lifecyclestage', positiveValues: ['customer'] } }, manifest: newModel, comparison: compared });
  await eventually(() =>
    expect(container().querySelector('[data-testid="model-comparison"]')?.textContent).toBe(
      `on the 1,502 leads of this history the active model (${ACTIVE.modelId}) has scored, this model ranks them less well: ROC-AUC 0.685 (its held-out scores of these leads pooled across the folds, not averaged over them) ` +
        "against 0.792 (from its stored scores: it learnt from made-up demo leads, not from these); the active model's figure rests on Website visits and Page views, " +
        "which this training left out as changing after the outcome, and may flatter it; the active model also reads Days since last activity, which this training's leakage guard left out",
    ),
  );
});

it('compares the new model with the active one on the same leads, and says when it cannot', async () => {
  const reportOf = async (comparison: (typeof TRAINED)['comparison']) => (await reportOfTraining({ ...TRAINED, comparison })).querySelector('[data-testid="model-comparison"]')?.textContent;
  // The model compared is the one active as Train was pressed, and still: one trained on the company's leads.
  activeManifest.mockResolvedValue({ ...ACTIVE, modelId: 'ebm-old', provenance: { ...ACTIVE.provenance, source: 'Salesforce leads' } });
  const compared = { kind: 'compared' as const, activeModelId: 'ebm-old', rows: 1234, newRocAuc: 0.812, activeRocAuc: 0.756, differenceStandardError: 0.02, activeHeldOut: true };
  expect(await reportOf(compared)).toBe(
    'on the 1,234 leads of this history the active model (ebm-old) has scored, this model ranks them better: ROC-AUC 0.812 (its held-out scores of these leads pooled across the folds, not averaged over them) against 0.756 (its own held-out figure for the leads it learnt from)',
  );
  expect(await reportOf({ ...compared, newRocAuc: 0.7, activeRocAuc: 0.75, activeHeldOut: false })).toBe(
    'on the 1,234 leads of this history the active model (ebm-old) has scored, this model ranks them less well: ROC-AUC 0.700 (its held-out scores of these leads pooled across the folds, not averaged over them) against 0.750 (from its stored scores, which flatter it if it learnt from these same leads)',
  );
  // A difference within twice its standard error is no verdict either way.
  expect(await reportOf({ ...compared, newRocAuc: 0.77, activeRocAuc: 0.756, differenceStandardError: 0.01 })).toMatch(/this model ranks them about as well \(the difference is within what chance moves it by\): ROC-AUC 0\.770/);
  expect(await reportOf({ kind: 'not-compared', reason: 'there is no active model to compare it with' })).toBe('not compared: there is no active model to compare it with');
});

it('says the model compared was active when training began, and that the one active now was not compared, when another was activated meanwhile', async () => {
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  // Meanwhile Model versions (this page or another) activates another model.
  activeManifest.mockResolvedValue({ ...ACTIVE, modelId: 'ebm-activated-meanwhile' });
  await act(() => queryClient.invalidateQueries());
  const compared = { kind: 'compared' as const, activeModelId: ACTIVE.modelId, rows: 120, newRocAuc: 0.8, activeRocAuc: 0.7, differenceStandardError: 0.01, activeHeldOut: false };
  FakeWorker.latest.answer({ ...TRAINED, comparison: compared });
  const comparison = () => container().querySelector('[data-testid="model-comparison"]');
  await eventually(() =>
    expect(comparison()?.textContent).toBe(
      `on the 120 leads of this history ${ACTIVE.modelId}, which was active when training began (ebm-activated-meanwhile is active now, and was not compared), has scored, ` +
        'this model ranks them better: ROC-AUC 0.800 (its held-out scores of these leads pooled across the folds, not averaged over them) against 0.700 (from its stored scores: it learnt from made-up demo leads, not from these)',
    ),
  );
  expect(comparison()?.previousElementSibling?.textContent).toBe('Compared with the model active when training began');
  // Activating it is the admin's choice all the same.
  expect(button('Activate this model')?.disabled).toBe(false);

  // Once this model is active, the model compared is the one it replaced, and nothing else is said.
  activeManifest.mockResolvedValue(TRAINED.manifest);
  await act(() => queryClient.invalidateQueries());
  await eventually(() => expect(comparison()?.textContent).toContain(`on the 120 leads of this history ${ACTIVE.modelId}, which was active when training began, has scored, this model ranks them better:`));
});

it('says a model that ranks the same leads better by more than chance moves their difference ranks them better, and one that does not about as well', async () => {
  // 1,000 leads the active model ranks by one signal; the new model adds a second one, or noise only. Both figures move
  // together with the leads' outcomes: 0.040 apart is four times what chance moves the difference by (paired), though less than
  // the 0.057 the two figures' margins taken as independent would have given.
  const random = mulberry32(3);
  const labels = Uint8Array.from({ length: 1000 }, () => (random() < 0.2 ? 1 : 0));
  const active = { probabilities: Float64Array.from(labels, (label) => label + 3 * random()), heldOut: true };
  const secondSignal = Float64Array.from(active.probabilities, (score, row) => score + 0.2 * (labels[row] + 3 * random()));
  const noiseOnly = Float64Array.from(active.probabilities, (score) => score + 0.6 * random());
  const verdictOf = async (newScores: Float64Array, activeScores = active) =>
    (await reportOfTraining({ ...TRAINED, comparison: compareModels('ebm-old', labels, newScores, activeScores) })).querySelector('[data-testid="model-comparison"]')?.textContent;
  expect(await verdictOf(secondSignal)).toMatch(/this model ranks them better: ROC-AUC 0\.810 \(its held-out scores of these leads pooled across the folds, not averaged over them\) against 0\.770/);
  expect(await verdictOf(active.probabilities, { ...active, probabilities: secondSignal })).toMatch(/this model ranks them less well: ROC-AUC 0\.770 \(its held-out scores of these leads pooled across the folds, not averaged over them\) against 0\.810/);
  expect(await verdictOf(noiseOnly)).toMatch(/this model ranks them about as well \(the difference is within what chance moves it by\)/);
});

it('shows the calibration error over the equal-count reliability bins, saying over how many groups of how many leads and what chance alone gives, not the equal-width ECE', async () => {
  // (40 · |0.02 − 0.01| + 40 · |0.03 − 0.05| + 40 · |0.26 − 0.2|) / 120 = 0.03; the summary's equal-width ECE says 0.02.
  // On 120 leads a perfectly calibrated model shows about as much: chance alone.
  const metrics = { ...ACTIVE.metrics, calibration: [[0.01, 0.02], [0.05, 0.03], [0.2, 0.26]] as [number, number][], calibrationLeads: [40, 40, 40], calibrationRanges: [[0.001, 0.03], [0.031, 0.1], [0.11, 0.6]] as [number, number][] };
  const report = await reportOfTraining({ ...TRAINED, manifest: { ...ACTIVE, metrics }, summary: { ...TRAINED.summary, ece: 0.02 } });
  const figure = Array.from(report.querySelectorAll('dt')).find((term) => term.textContent?.startsWith('Calibration error'))?.nextElementSibling;
  expect(figure?.textContent).toBe(
    '3 percentage points: the leads trained on, each scored by a model that did not learn from it, are put in 3 groups of about 40 leads by likelihood, lowest to highest; ' +
      "this is how far each group's mean likelihood is from the share of it that converted, averaged over the groups by their lead count; " +
      'a perfectly calibrated model would show about 3 percentage points on this many leads: this is within what chance alone gives, 95% of the time',
  );
  expect(figure?.getAttribute('data-metric')).toBe('calibration-error');
});

it("keeps the thin-data caution under a waiting report, from the trained model's own counts, when the check is dropped", async () => {
  const cautions = () => Array.from(container().querySelectorAll('p'), (paragraph) => paragraph.textContent ?? '').filter((text) => text.includes('Expect unstable scores'));
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  // The model's counts, not the check's (120 leads, 30 conversions).
  FakeWorker.latest.answer({ ...TRAINED, summary: { ...TRAINED.summary, rows: 118, positives: 29 } });
  const caution = /^118 leads, 29 conversions: fewer conversions than the ~120 commonly asked for by CRM lead-scoring tools\. Expect unstable scores/;
  expect(cautions().filter((text) => caution.test(text))).toHaveLength(1);

  // A history read again (a sync, then the window's focus) drops the check: the report, and its caution, stay.
  await historyReadAgain({ ...SAMPLE, leads: 130, fingerprint: 'salesforce-2' });
  expect(container().querySelector('[data-testid="data-size"]')).toBeNull();
  expect(container().querySelector('[data-testid="training-report"]')).not.toBeNull();
  expect(cautions()).toHaveLength(1);
  expect(cautions()[0]).toMatch(caution);

  // So does another outcome.
  change(outcomeField(), 'Status');
  expect(cautions()).toHaveLength(1);
  expect(cautions()[0]).toMatch(caution);
  expect(button('Activate this model')?.disabled).toBe(false);
});

it('warns before "Check the data" or training again would take the place of a trained model not activated yet, and no more once it is active', async () => {
  await renderSection();
  await checkTheData();
  expect(describedBy(button('Check the data')!)).toBeNull();
  await press(trainButton()!);
  FakeWorker.latest.answer(TRAINED);
  const warning = 'Checking the data replaces the report of the model trained below: activate it first to keep it.';
  expect(describedBy(button('Check the data')!)).toBe(warning);
  const shown = Array.from(container().querySelectorAll('p')).find((paragraph) => paragraph.textContent === warning)!;
  expect(shown.compareDocumentPosition(button('Check the data')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  // Training again would take its place too.
  expect(describedBy(trainButton()!)).toBe('Training again replaces the report of the model trained below: activate it first to keep it.');

  click(button('Activate this model')!);
  await eventually(() => expect(container().querySelector('[data-testid="model-activated"]')).not.toBeNull());
  expect(describedBy(button('Check the data')!)).toBeNull();
  expect(describedBy(trainButton()!)).toBeNull();
  expect(container().textContent).not.toContain(warning);
});

it('keeps a trained model waiting to be activated when a feature is moved to another field: the check waits for the admin', async () => {
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer(TRAINED);
  const requests = FakeWorker.latest.requests.length;
  change(featureField('Industry'), 'Status');
  expect(FakeWorker.latest.requests).toHaveLength(requests);
  expect(button('Activate this model')).toBeTruthy();
  expect(describedBy(button('Check the changed fields')!)).toBe(
    'Checking the changed fields replaces the report of the model trained below: activate it first to keep it.',
  );
  click(button('Check the changed fields')!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'check-features', specs: [{ key: 'industry' }] });
});

const LEADS_CHANGED_SINCE_TRAINING = 'The leads changed since this model was trained: check the data and train again to activate a model of them.';

/** Checks the data and trains, answered as the worker answers: a model of the data it was asked to train on, with `heldOut`. */
async function trainAModel(heldOut = TRAINED.heldOut) {
  await checkTheData();
  await press(trainButton()!);
  const request = FakeWorker.latest.requests.at(-1)!;
  expect(request.type).toBe('train');
  FakeWorker.latest.answer({ ...TRAINED, data: request.data, heldOut });
  expect(button('Activate this model')?.disabled).toBe(false);
}

/** Sixteen held-out leads, from 5 % to 80 % likely. */
const SIXTEEN_HELD_OUT = {
  leadKeys: Array.from({ length: 16 }, (_, i) => `salesforce|00Q${i}`),
  probabilities: Float64Array.from({ length: 16 }, (_, i) => (i + 1) / 20),
  logits: Float64Array.from({ length: 16 }, (_, i) => Math.log((i + 1) / (19 - i))),
  crossFittedProbabilities: Float64Array.from({ length: 16 }, (_, i) => (i + 1.5) / 20),
};
const CAPACITY = { kind: 'capacity' as const, hotPerWeek: 25, warmPerWeek: 50, inflowPerWeek: 400 };
/** The capacity policy on the sixteen held-out leads: the top 1/16 hot (80 %), the top 3/16 worked (70 % and more), each threshold just under its lead. */
const CAPACITY_ON_THE_NEW_MODEL: Tiers = { policy: CAPACITY, hot: 0.8 - CUT_MARGIN, warm: 0.7 - CUT_MARGIN };
const CAPACITY_TAKEN =
  'It takes the tier policy applied since its training began: by capacity, 25 hot and 50 warm leads worked a week of 400 new (hot from 80%, warm from 70% likely).';

/** Tier policy's Apply of the capacity policy on the active model, as another tab does it: compared with the policy it read, and saved. */
async function capacityAppliedOnTheActiveModel() {
  const applied = await setTiersIfUnchanged(ACTIVE.modelId, { policy: CAPACITY, hot: 0.42, warm: 0.17 }, (inForce) => sameTierPolicy(inForce, ACTIVE.tiers));
  expect(applied).toBe(true);
  await keepPolicyFigures(ACTIVE.modelId, { revenuePerConversion: 6000, costPerContact: 50, leadsPerPeriod: 400 });
}

/** The trained model's tiers when the background is asked to switch to it (which scores the stored leads with them). */
function tiersAtTheSwitch(): () => Tiers | undefined {
  let tiers: Tiers | undefined;
  activateModel.mockImplementation(async () => {
    tiers = (await manifestOf(TRAINED_ID)).tiers;
    return { ok: true, scored: 0, stored: 0 };
  });
  return () => tiers;
}

const activatedText = () => container().querySelector('[data-testid="model-activated"]')?.textContent ?? '';

it('gives the activated model the tier policy applied since its training began, its thresholds chosen on its held-out leads, and says so', async () => {
  const atTheSwitch = tiersAtTheSwitch();
  await renderSection();
  await trainAModel(SIXTEEN_HELD_OUT);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'train', tiers: ACTIVE.tiers });
  // While it trained, Tier policy applied a capacity policy to the active model: the page has not read it again.
  await capacityAppliedOnTheActiveModel();

  click(button('Activate this model')!);
  await eventually(() => expect(activatedText()).toMatch(/is active/));
  // Before the switch, which scores the stored leads with it.
  expect(atTheSwitch()).toEqual(CAPACITY_ON_THE_NEW_MODEL);
  expect(activatedText()).toBe(`Model ${TRAINED_ID} is active: CRM badges in this browser use it now. ${CAPACITY_TAKEN}`);
});

it("records this training's reading of fields on a model trained again to an id stored before the reading was recorded, so it is no longer told to train it again", async () => {
  const { derivedReadingVersion: _recorded, ...olderReading } = TRAINED.manifest;
  await storeModel(olderReading, TRAINED.onnx, 'trained');
  expect(readingChangedNote(await manifestOf(TRAINED_ID))).not.toBeNull();
  const flags = [{ key: 'industry', reason: 'it is filled in for almost only one outcome' }];
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer({ ...TRAINED, manifest: { ...TRAINED.manifest, provenance: { ...TRAINED.manifest.provenance, leakageFlagsKept: flags } } });
  click(button('Activate this model')!);
  await eventually(() => expect(activatedText()).toMatch(/is active/));
  expect(addCheckedModel).not.toHaveBeenCalled();
  const stored = (await db.models.get(TRAINED_ID))!.manifest;
  expect(stored.derivedReadingVersion).toBe(DERIVED_READING_VERSION);
  expect(stored.provenance.leakageFlagsKept).toEqual(flags);
  expect(stored.tiers).toEqual(olderReading.tiers);
  expect(readingChangedNote(await manifestOf(TRAINED_ID))).toBeNull();
});

it('takes the tier policy another tab applied while the engine checked the new model, with its figures', async () => {
  const atTheSwitch = tiersAtTheSwitch();
  let checkDone: () => void = () => {};
  modelExists.mockResolvedValue(false);
  addCheckedModel.mockReturnValue(new Promise((resolve) => (checkDone = resolve)));
  await renderSection();
  await trainAModel(SIXTEEN_HELD_OUT);
  click(button('Activate this model')!);
  await eventually(() => expect(addCheckedModel).toHaveBeenCalled());

  // The check takes seconds: another tab's Tier policy applies a capacity policy meanwhile.
  await capacityAppliedOnTheActiveModel();
  act(() => checkDone());
  await eventually(() => expect(activatedText()).toMatch(/is active/));
  expect(atTheSwitch()).toEqual(CAPACITY_ON_THE_NEW_MODEL);
  // The form reopens with the figures it was applied with.
  expect(await policyFiguresOf(TRAINED_ID)).toEqual({ revenuePerConversion: 6000, costPerContact: 50, leadsPerPeriod: 400 });
  expect(activatedText()).toBe(`Model ${TRAINED_ID} is active: CRM badges in this browser use it now. ${CAPACITY_TAKEN}`);
});

it.each([
  ['re-tiers its stored leads with it', { ok: true as const, changed: 12 }, ''],
  ['says when its stored leads could not be re-tiered yet', { ok: false as const, error: 'The offscreen document closed' }, ' The stored leads could not be re-tiered with it yet (The offscreen document closed): the hourly check does it.'],
])('takes a tier policy applied to the model it replaced between the read and the switch, and %s', async (_what, retiered, said) => {
  retierStoredScores.mockResolvedValue(retiered);
  activateModel.mockImplementation(async () => {
    // Another tab, which still showed the model replaced active, applies a policy to it just before the switch.
    await capacityAppliedOnTheActiveModel();
    await switchActiveModel(TRAINED_ID);
    return { ok: true, scored: 0, stored: 0 };
  });
  await renderSection();
  await trainAModel(SIXTEEN_HELD_OUT);
  click(button('Activate this model')!);
  await eventually(() => expect(activatedText()).toMatch(/is active/));
  expect((await manifestOf(TRAINED_ID)).tiers).toEqual(CAPACITY_ON_THE_NEW_MODEL);
  expect(retierStoredScores).toHaveBeenCalledExactlyOnceWith({ modelId: TRAINED_ID });
  expect(activatedText()).toBe(`Model ${TRAINED_ID} is active: CRM badges in this browser use it now. ${CAPACITY_TAKEN}${said}`);
});

it('keeps the thresholds the trained model chose when the tier policy did not change while it trained', async () => {
  const atTheSwitch = tiersAtTheSwitch();
  await renderSection();
  await trainAModel();
  // Applied again as it was: the active model's thresholds moved, its policy did not.
  await setTiers(ACTIVE.modelId, { ...ACTIVE.tiers, hot: 0.25 });
  click(button('Activate this model')!);
  await eventually(() => expect(activatedText()).toBe(`Model ${TRAINED_ID} is active: CRM badges in this browser use it now.`));
  expect(atTheSwitch()).toEqual(TRAINED.manifest.tiers);
  expect(retierStoredScores).not.toHaveBeenCalled();
});

it('does not activate a model whose leads changed since it was trained, says why, and offers to check the data again', async () => {
  await renderSection();
  await trainOnTheFile();

  // The same export imported again, its rows in another order: the row keys name other leads.
  await historyReadAgain(CSV_REIMPORTED);
  const activateButton = button('Activate this model')!;
  expect(activateButton.disabled).toBe(true);
  expect(describedBy(activateButton)).toBe(LEADS_CHANGED_SINCE_TRAINING);
  expect(liveText()).toContain(LEADS_CHANGED_SINCE_TRAINING);
  // The model cannot be kept: nothing warns that a new check replaces it.
  expect(describedBy(button('Check the data')!)).toBeNull();
  expect(container().textContent).not.toContain('activate it first to keep it');

  await press(button('Check the data again')!);
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'inspect', data: { source: 'csv' } });
  const heldOut = { leadKeys: ['csv|row-1', 'csv|row-2'], probabilities: Float64Array.of(0.2, 0.7), logits: Float64Array.of(-1.4, 0.8), crossFittedProbabilities: Float64Array.of(0.25, 0.65) };
  FakeWorker.latest.answer(INSPECTED);
  await press(trainButton()!);
  FakeWorker.latest.answer({ ...TRAINED, data: FakeWorker.latest.requests.at(-1)!.data, heldOut });
  expect(container().textContent).not.toContain(LEADS_CHANGED_SINCE_TRAINING);
  click(button('Activate this model')!);
  await eventually(() => expect(container().querySelector('[data-testid="model-activated"]')).not.toBeNull());
  expect(keepHeldOutScores).toHaveBeenCalledTimes(1);
  expect(keepHeldOutScores).toHaveBeenCalledWith(TRAINED_ID, heldOut);
});

/** A model trained on the imported file's leads, the form showing that source. */
async function trainOnTheFile() {
  change(historySource(), 'csv');
  await eventually(() => expect(outcomeField().value).toBe('converted'));
  await trainAModel({ leadKeys: ['csv|row-1', 'csv|row-2'], probabilities: Float64Array.of(0.9, 0.1), logits: Float64Array.of(2.2, -2.2), crossFittedProbabilities: Float64Array.of(0.85, 0.15) });
}

it('reads the history again on activation, and activates nothing when the file was imported again before the form heard of it', async () => {
  await renderSection();
  await trainOnTheFile();
  // An import ended; the form's history has not been read again yet.
  historySample.mockResolvedValue(CSV_REIMPORTED);
  click(button('Activate this model')!);
  await eventually(() => expect(describedBy(button('Activate this model')!)).toBe(LEADS_CHANGED_SINCE_TRAINING));
  expect(button('Activate this model')?.disabled).toBe(true);
  expect(keepHeldOutScores).not.toHaveBeenCalled();
  expect(activateModel).not.toHaveBeenCalled();
  // Said once, by the note: not as an error too.
  expect(container().querySelector('[role="alert"]')).toBeNull();
  expect(container().querySelector('[data-testid="model-activated"]')).toBeNull();
});

describe('an import the form has not heard of yet (it hears when the scoring of its leads ends)', () => {
  it('puts the focus on Check the data when a Train pressed on leads changed since the check starts nothing and goes with the check', async () => {
    await renderSection();
    change(historySource(), 'csv');
    await eventually(() => expect(outcomeField().value).toBe('converted'));
    await checkTheData();
    historySample.mockImplementation(async (source) => (source === 'csv' ? IMPORTED_UNHEARD : SAMPLE));
    const train = trainButton()!;
    train.focus();
    await press(train);
    expect(trainButton()).toBeUndefined();
    expect(document.activeElement?.textContent).toBe('Check the data');
  });

  // 900 rows imported over the stored file: the row keys name other leads.
  const IMPORTED_UNHEARD: HistorySample = { ...CSV_REIMPORTED, leads: 900 };
  const historyCount = () => container().querySelector('[data-testid="history-count"]')?.textContent;
  const BEFORE_START_NOTE = 'The stored leads changed since the form read them: it shows them now. Check the data again (your feature choices are kept).';

  it('checks and trains on the leads stored, not the history the form showed: the check stays and the model is activated once the form hears of them', async () => {
    await renderSection();
    change(historySource(), 'csv');
    await eventually(() => expect(outcomeField().value).toBe('converted'));
    await waitUntilEnabled('Check the data');
    const workerBefore = FakeWorker.latest;
    // The import ended: its leads are stored, the form still shows the file before.
    historySample.mockImplementation(async (source) => (source === 'csv' ? structuredClone(IMPORTED_UNHEARD) : SAMPLE));
    expect(historyCount()).toBe(`${CSV_SAMPLE.leads} stored`);

    // Check the data reads the stored history first: the form takes the new leads, and checks nothing of the history before.
    await press(button('Check the data')!);
    expect(FakeWorker.latest).toBe(workerBefore);
    expect(historyCount()).toBe('900 stored');
    expect(leadsChangedNote()).toBe(BEFORE_START_NOTE);

    await press(button('Check the data')!);
    expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'inspect', data: { source: 'csv' } });
    expect(leadsChangedNote()).toBe('');
    FakeWorker.latest.answer(INSPECTED);
    await eventually(() => expect(trainButton()?.disabled).toBe(false));
    // The scoring of the imported leads ends: the history is read again, the leads the check read.
    await historyReadAgain(structuredClone(IMPORTED_UNHEARD));
    expect(trainButton()?.disabled).toBe(false);
    expect(leadsChangedNote()).toBe('');

    await press(trainButton()!);
    const request = FakeWorker.latest.requests.at(-1)!;
    expect(request.type).toBe('train');
    FakeWorker.latest.answer({ ...TRAINED, data: request.data });
    await historyReadAgain(structuredClone(IMPORTED_UNHEARD));
    expect(container().textContent).not.toContain(LEADS_CHANGED_SINCE_TRAINING);
    expect(button('Activate this model')?.disabled).toBe(false);
    click(button('Activate this model')!);
    await eventually(() => expect(container().querySelector('[data-testid="model-activated"]')).not.toBeNull());
    expect(activateModel).toHaveBeenCalledTimes(1);
  });

  it('trains nothing on a check of the history before: the check is dropped, saying so', async () => {
    await renderSection();
    change(historySource(), 'csv');
    await eventually(() => expect(outcomeField().value).toBe('converted'));
    await checkTheData();
    // The import ended after the check: the form still shows the file the check read.
    historySample.mockImplementation(async (source) => (source === 'csv' ? IMPORTED_UNHEARD : SAMPLE));

    await press(trainButton()!);
    expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['inspect']);
    expect(trainButton()).toBeUndefined();
    expect(historyCount()).toBe('900 stored');
    expect(leadsChangedNote()).toBe('The leads changed since the check: check the data again (your feature choices are kept).');
  });

  it('starts nothing when the admin changes the form while the stored history is read', async () => {
    await renderSection();
    await waitUntilEnabled('Check the data');
    const workerBefore = FakeWorker.latest;
    let answerRead: (sample: HistorySample) => void = () => {};
    historySample.mockImplementation(() => new Promise((resolve) => (answerRead = resolve)));
    click(button('Check the data')!);
    expect(describedBy(button('Check the data')!)).toBe(' Reading the stored leads…');
    change(numberInput('and at least'), '60');
    await act(async () => answerRead(SAMPLE));
    await eventually(() => expect(container().querySelector('[data-testid="reading-history"]')).toBeNull());
    expect(FakeWorker.latest).toBe(workerBefore);
    expect(button('Check the data')!.getAttribute('aria-disabled')).toBe('false');
  });
});

it('does not activate a model of CRM leads once another org’s leads took their place (a sandbox reuses production’s record ids)', async () => {
  await renderSection();
  await trainAModel();
  // Before Activate: a sandbox refreshed from production was connected and synced.
  await historyReadAgain({ ...SAMPLE, fingerprint: 'salesforce-sandbox', keysName: 'synced from acme--uat.sandbox.my.salesforce.com' });
  expect(button('Activate this model')?.disabled).toBe(true);
  expect(describedBy(button('Activate this model')!)).toBe(LEADS_CHANGED_SINCE_TRAINING);

  // The form had not heard of it yet: the activation reads the history again and activates nothing.
  await historyReadAgain(SAMPLE);
  historySample.mockResolvedValue({ ...SAMPLE, fingerprint: 'salesforce-sandbox', keysName: 'synced from acme--uat.sandbox.my.salesforce.com' });
  click(button('Activate this model')!);
  await eventually(() => expect(describedBy(button('Activate this model')!)).toBe(LEADS_CHANGED_SINCE_TRAINING));
  expect(keepHeldOutScores).not.toHaveBeenCalled();
  expect(activateModel).not.toHaveBeenCalled();
});

it("keeps a model of CRM leads activatable when a sync changed them since (each lead keeps its key), or the form moves to another source's", async () => {
  await renderSection();
  await trainAModel();
  change(historySource(), 'csv');
  await eventually(() => expect(outcomeField().value).toBe('converted'));
  // A sync changed the Salesforce leads the model was trained on; both histories read again.
  historySample.mockImplementation(async (source) => (source === 'csv' ? CSV_SAMPLE : { ...SAMPLE, fingerprint: 'salesforce-2' }));
  await act(() => queryClient.invalidateQueries());
  expect(container().textContent).not.toContain(LEADS_CHANGED_SINCE_TRAINING);

  click(button('Activate this model')!);
  await eventually(() => expect(container().querySelector('[data-testid="model-activated"]')?.textContent).toContain(`Model ${TRAINED_ID} is active`));
  expect(activateModel).toHaveBeenCalledTimes(1);
});

it('keeps an activated model of the file as it is when the file is imported again: its held-out probabilities are the import’s to clean up', async () => {
  await renderSection();
  await trainOnTheFile();
  click(button('Activate this model')!);
  await eventually(() => expect(container().querySelector('[data-testid="model-activated"]')).not.toBeNull());
  await historyReadAgain(CSV_REIMPORTED);
  expect(container().textContent).not.toContain(LEADS_CHANGED_SINCE_TRAINING);
});

it("watches the trained model's own history while the form shows another source's", async () => {
  await renderSection();
  await trainOnTheFile();
  change(historySource(), 'salesforce');
  await eventually(() => expect(container().querySelector('[data-testid="history-count"]')?.textContent).toBe(`${SAMPLE.leads} stored`));

  // The file was imported again while the form shows the Salesforce leads.
  historySample.mockImplementation(async (source) => (source === 'csv' ? CSV_REIMPORTED : SAMPLE));
  await act(() => queryClient.invalidateQueries());
  await eventually(() => expect(button('Activate this model')?.disabled).toBe(true));
  expect(describedBy(button('Activate this model')!)).toBe(LEADS_CHANGED_SINCE_TRAINING);
});

it('announces what the check found, and the activation, in live regions on the page before', async () => {
  activateModel.mockResolvedValue({ ok: true, scored: 0, stored: 0 });
  await renderSection();
  const beforeTheCheck = followLiveRegions(container());
  await checkTheData();
  expect(beforeTheCheck()).toEqual([container().querySelector('[data-testid="data-size"]')!.textContent]);
  expect(beforeTheCheck()[0]).toMatch(/^\d+ leads, \d+ conversions:/);

  let finishActivation: (answer: ActivateReply) => void = () => {};
  activateModel.mockReturnValue(new Promise((resolve) => (finishActivation = resolve)));
  await press(trainButton()!);
  FakeWorker.latest.answer(TRAINED);
  await eventually(() => expect(button('Activate this model')?.disabled).toBe(false));
  click(button('Activate this model')!);
  // The activation's line is on the page from the click: its end is said in it.
  await eventually(() => expect(activationLine()).toMatch(/^Activating /));
  const beforeTheEnd = followLiveRegions(container());
  finishActivation({ ok: true, scored: 0, stored: 0 });
  await eventually(() => expect(beforeTheEnd()).toContain(`Model ${TRAINED_ID} is active: CRM badges in this browser use it now.`));
});

/** The line that says what the activation does, then how it ended. */
const activationLine = () => container().querySelector('[data-testid="model-activating"], [data-testid="model-activated"]')?.textContent ?? null;

it('says what the activation is doing where the focus goes, with how far the scoring of the stored leads is, then how it ended', async () => {
  let modelKept: () => void = () => {};
  keepHeldOutScores.mockReturnValue(new Promise((resolve) => (modelKept = resolve)));
  let finishActivation: (answer: ActivateReply) => void = () => {};
  activateModel.mockReturnValue(new Promise((resolve) => (finishActivation = resolve)));
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer(TRAINED);
  const activate = button('Activate this model')!;
  pressEnter(activate);

  // The button is disabled: the line saying what runs has the focus.
  const line = await focusedMessage(/^Checking the model…$/);
  expect(line.getAttribute('role')).toBe('status');
  expect(activate.disabled).toBe(true);
  const bar = () => container().querySelector('.job-progress')?.textContent ?? null;

  act(() => modelKept());
  await eventually(() => expect(line.textContent).toBe(`Activating ${TRAINED_ID}: scoring the stored leads with it…`));
  expect(document.activeElement).toBe(line);
  // A write-back's scoring of one CRM's leads, or another model's, is not this activation's.
  await act(() => writeJob('scoring', { modelId: TRAINED_ID, state: 'running', done: 100, total: 600, startedAt: 1, source: 'hubspot' }));
  await act(() => writeJob('scoring', { modelId: 'another-model', state: 'running', done: 100, total: 600, startedAt: 1 }));
  await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
  expect(bar()).toBeNull();
  await act(() => writeJob('scoring', { modelId: TRAINED_ID, state: 'running', done: 300, total: 1_200, startedAt: 1 }));
  await eventually(() => expect(bar()).toBe(`Scoring stored leads with ${TRAINED_ID}: 300 of 1,200 (25%)`));

  finishActivation({ ok: true, scored: 1_200, stored: 1_200 });
  // Said on the same line, which keeps the focus.
  await eventually(() => expect(container().querySelector('[data-testid="model-activated"]')?.textContent).toBe(`Model ${TRAINED_ID} is active: CRM badges in this browser use it now, and 1,200 stored leads were scored with it.`));
  expect(document.activeElement).toBe(line);
  expect(bar()).toBeNull();
});

it('says why an activation failed where the focus goes', async () => {
  activateModel.mockResolvedValue({ ok: false, error: 'The engine could not load the model' });
  await renderSection();
  await checkTheData();
  await press(trainButton()!);
  FakeWorker.latest.answer(TRAINED);
  pressEnter(button('Activate this model')!);
  const said = await focusedMessage(/The engine could not load the model/);
  expect(said.querySelector('[role="alert"]')).not.toBeNull();
  expect(button('Activate this model')?.disabled).toBe(false);
});

it('says beside the outcome field that a column named as an outcome has one value only, in the CLI’s words, instead of leaving it out unsaid', async () => {
  // A file of 400 leads none of which converted: its "converted" column holds "no" alone (history-sample.test).
  const noneConverted: HistorySample = {
    ...CSV_SAMPLE,
    leads: 400,
    fields: ['converted', 'industry', 'lead_source'],
    outcomeValues: { converted: ['no'], industry: ['Retail', 'Software'], lead_source: ['Event', 'Web'] },
  };
  historySample.mockImplementation(async (source) => (source === 'csv' ? noneConverted : SAMPLE));
  await renderSection();
  expect(container().querySelector('[data-testid="outcome-one-value"]')).toBeNull();
  change(historySource(), 'csv');
  await eventually(() => expect(container().querySelector('[data-testid="history-count"]')?.textContent).toBe('400 stored'));
  // Not offered, as it tells nothing apart; said, where the admin looks for it.
  expect(Array.from(outcomeField().options, (option) => option.textContent)).toEqual(['(choose)', 'industry', 'lead_source']);
  const said = '"converted" has one value only ("no"); training needs converted and not-converted leads.';
  expect(container().querySelector('[data-testid="outcome-one-value"]')?.textContent).toBe(said);
  expect(describedBy(outcomeField())).toBe(said);
  expect(outcomeMissingNote()).toBe('Choose the field that says whether a lead converted.');
});
