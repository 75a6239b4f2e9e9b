// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
/**
 * The CSV import section's Cancel: it asks the import worker to stop and shows what the worker
 * answers, which is "imported" when the worker's commit had begun. Closing the page while an
 * import runs asks first; an Import held back says why, and so does an Export held back while no
 * lead is stored.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { importCsv, missingIdsWarning, type CsvReplacement, type LeadSink } from '@/lib/csv/import';
import type { CsvCancel, CsvEvent, CsvRequest } from '@/lib/csv/worker-protocol';
import type { StoredLead } from '@/lib/db/db';
import { db } from '@/lib/db/db';
import { oweScoringOfEveryLead, oweSourceScoring, writeJob } from '@/lib/jobs/progress';
import { queryKeys } from '@/lib/query-keys';
import { savedExportSeparator } from '@/lib/settings/export-separator';
import { dexieSyncStore, recordSyncedAccount } from '@/lib/sync/store';
import { storedLead } from '@/test/fixtures/stored-lead';
import { click, followLiveRegions, render, type Rendered } from '@/test/render';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { CsvImportSection } from './CsvImport';

const scoreStoredLeads = vi.hoisted(() => vi.fn(async (): Promise<{ ok: true } | { ok: false; error: string }> => ({ ok: true })));
vi.mock('@/lib/messaging/client', () => ({ background: { scoreStoredLeads } }));
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
// The active model's tier thresholds, as its tier policy set them: the export writes each probability to read on its tier's side of them.
const activeTiers = vi.hoisted(() => ({ hot: 0.4, warm: 0.15 }));
vi.mock('@/lib/ml/model-store', () => ({ activeModelId: async () => 'model-1', manifestOf: async () => ({ modelId: 'model-1', tiers: activeTiers }) }));
/** The active model's features (the columns it reads): none unless a test gives some. */
const activeModel = vi.hoisted(() => ({ features: [] as { derive: { kind: 'value'; from: { csv?: string; salesforce?: string } } }[] }));
// Read as the pages read it: a query of its own.
vi.mock('@/lib/ui/hooks', async () => {
  const { useQuery } = await import('@tanstack/react-query');
  return { useActiveManifest: () => useQuery({ queryKey: ['models', 'active'], queryFn: async () => ({ modelId: 'model-1', features: activeModel.features }) }) };
});
// The scored leads to export (three unless a test gives others), written as any CSV (the export's own tests check its cells); which leads it writes is the export's own choice.
// `held`: a promise their reading waits for, when a test holds the export.
const scored = vi.hoisted(() => ({ rows: [] as { leadKey?: string }[], held: null as Promise<void> | null }));
vi.mock('@/lib/ui/stored-data', () => ({
  loadScoredLeads: async () => {
    await scored.held;
    return { rows: scored.rows };
  },
}));
const scoresCsv = vi.hoisted(() => vi.fn((_rows: readonly { leadKey?: string }[], _format: unknown) => 'id\n'));
vi.mock('@/lib/csv/export', async (importOriginal) => ({ ...(await importOriginal<typeof import('@/lib/csv/export')>()), scoresCsv }));

/** Stands in for the import worker: keeps the requests, and answers what a test tells it to. */
class FakeWorker extends EventTarget {
  static latest: FakeWorker;
  readonly requests: (CsvRequest | CsvCancel)[] = [];
  terminated = false;
  constructor() {
    super();
    FakeWorker.latest = this;
  }
  postMessage(request: CsvRequest | CsvCancel) {
    this.requests.push(request);
  }
  terminate() {
    this.terminated = true;
  }
  answer(event: CsvEvent) {
    act(() => void this.dispatchEvent(new MessageEvent('message', { data: event })));
  }
}

let rendered: Rendered | undefined;
beforeEach(() => {
  vi.stubGlobal('Worker', FakeWorker);
  // Followed, an export's download link would take the page to its blob: address, where a later test's import could build no worker URL.
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
  scoreStoredLeads.mockClear();
  activeModel.features = [];
  scored.rows = [{}, {}, {}];
  scored.held = null;
  scoresCsv.mockClear();
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** A preview's stored import when no CSV lead is stored: nothing to compare the file with. */
const NOTHING_STORED = { leads: 0, outcome: null };
/** What an import into an empty store did. */
const allAdded = (rows: number) => ({ added: rows, updated: 0, removed: 0, heldOutLost: 0 });

const button = (name: string) => Array.from(rendered!.container.querySelectorAll('button')).find((b) => b.textContent === name)!;

/** The section (rendered here unless given) with a file chosen and its preview answered. */
function chooseFile(section?: Rendered): void {
  rendered = section ?? render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File(['id,won\nA,1\nB,0\n'], 'leads.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  FakeWorker.latest.answer({
    type: 'preview',
    storedImport: NOTHING_STORED,
    columns: ['id', 'won'],
    outcomeValues: { won: ['0', '1'] },
    suggestion: { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null },
    missingCells: { id: 0, won: 0 },
    warnings: [],
  });
}

/** Answers the comparison of the chosen file with the stored CSV leads, which the page asks of a worker of its own while some are stored. */
async function answerComparison(replaced: CsvReplacement): Promise<void> {
  await act(() => vi.waitFor(() => expect(FakeWorker.latest.requests).toEqual([expect.objectContaining({ type: 'compare' })])));
  FakeWorker.latest.answer({ type: 'compared', replaced });
  await act(() => vi.waitFor(() => expect(rendered!.container.textContent).not.toContain('Comparing this file')));
}

type StoredImport = { leads: number; outcome: { field: string; positiveValues: string[]; openValues?: string[] } | null };

/**
 * The section with `csv` chosen (as month-2.csv) and its preview answered, no cell missing: the
 * worker found `stored` stored, read `outcomeValues` from the file and suggested `outcome`.
 */
function previewFile(csv: string, stored: StoredImport, outcomeValues: Record<string, string[]>, outcome: { field: string; positiveValues: string[] } | null): void {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File([csv], 'month-2.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  const columns = csv.split('\n')[0].split(',');
  FakeWorker.latest.answer({
    type: 'preview',
    columns,
    outcomeValues,
    suggestion: { idColumn: 'id', nameColumn: null, createdColumn: null, outcome },
    missingCells: Object.fromEntries(columns.map((column) => [column, 0])),
    warnings: [],
    storedImport: stored,
  });
}

/** What is said beside `element`, each of its `aria-describedby` in turn. */
const eachDescribedBy = (element: Element) =>
  (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent?.trim());

/** The section (rendered here unless given) with a file chosen, its preview answered, Import pressed and a first progress event in. */
function startImport(section?: Rendered): void {
  chooseFile(section);
  click(button('Import'));
  expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['import']);
  FakeWorker.latest.answer({ type: 'progress', rows: 1, fraction: 0.9 });
}

it('asks the worker to stop, and shows the import and scores its leads when the worker had begun its commit', async () => {
  startImport();
  click(button('Cancel import'));
  expect(FakeWorker.latest.terminated).toBe(false);
  expect(button('Cancelling…').getAttribute('aria-disabled')).toBe('true');
  expect(FakeWorker.latest.requests.at(-1)).toEqual({ type: 'cancel' });

  FakeWorker.latest.answer({ type: 'imported', rows: 2, replaced: allAdded(2), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
  const text = rendered!.container.textContent;
  expect(text).toContain('Imported 2 leads: 2 added, 0 updated, 0 removed.');
  expect(text).toContain('Cancel came too late to stop it: the new leads were already being saved.');
  expect(text).not.toContain('nothing was imported');
  // Their scoring, owed as the commit stored them, with the model the background has active (another tab may have activated one since).
  await act(() => vi.waitFor(() => expect(scoreStoredLeads).toHaveBeenCalledWith({ source: 'csv' })));
});

it('says nothing was imported when the worker answers that it stopped', async () => {
  startImport();
  click(button('Cancel import'));
  expect(FakeWorker.latest.requests.at(-1)).toEqual({ type: 'cancel' });
  FakeWorker.latest.answer({ type: 'cancelled' });
  expect(rendered!.container.querySelector('[role="status"]')?.textContent).toBe(
    'Import cancelled: nothing was imported, and the previous import is unchanged.',
  );
  expect(scoreStoredLeads).not.toHaveBeenCalled();
});

it('does not promise the previous import is unchanged when "Purge everything" stopped the import', () => {
  startImport();
  // No Cancel pressed here: the purge's cancel reached the worker.
  FakeWorker.latest.answer({ type: 'cancelled' });
  const status = rendered!.container.querySelector('[role="status"]')?.textContent;
  expect(status).toBe('The import stopped because "Purge everything" is deleting all stored data: nothing of this file was imported.');
  expect(status).not.toContain('unchanged');
  expect(scoreStoredLeads).not.toHaveBeenCalled();
});

it('takes no other file while an import runs: the running import would stop unannounced', () => {
  startImport();
  expect(rendered!.container.querySelector<HTMLInputElement>('input[type="file"]')!.disabled).toBe(true);
  FakeWorker.latest.answer({ type: 'imported', rows: 2, replaced: allAdded(2), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
  expect(rendered!.container.querySelector<HTMLInputElement>('input[type="file"]')!.disabled).toBe(false);
});

it('announces the import once, not each block read, then how it ended, in a live region on the page before, with Cancel outside it', () => {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const announced = followLiveRegions(rendered.container);
  startImport(rendered);
  expect(announced()).toEqual(['Importing rows…']);
  FakeWorker.latest.answer({ type: 'progress', rows: 40_000, fraction: 0.95 });
  expect(announced()).toEqual(['Importing rows…']);
  // The count and the bar are read in place.
  const progress = rendered!.container.querySelector('[data-testid="import-progress"] progress')!;
  expect(progress.closest('label')?.textContent).toBe('Importing rows: 40,000 so far');
  expect(progress.getAttribute('value')).toBe('0.95');
  expect(button('Cancel import').closest('[role="status"], [role="alert"], [aria-live]:not([aria-live="off"])')).toBeNull();
  FakeWorker.latest.answer({ type: 'imported', rows: 2, replaced: allAdded(2), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
  expect(announced()).toEqual(['Imported 2 leads: 2 added, 0 updated, 0 removed. Train on them under "Train on your history".']);
});

it('shows how far the preview has read the file: it reads every row for the outcome values', () => {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File(['id,won\nA,1\nB,0\n'], 'leads.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['preview']);
  FakeWorker.latest.answer({ type: 'progress', rows: 12_000, fraction: 0.4 });
  const progress = rendered.container.querySelector('progress')!;
  expect(progress.closest('label')?.textContent).toBe('Reading rows: 12,000 so far');
  expect(progress.getAttribute('value')).toBe('0.4');
  FakeWorker.latest.answer({
    type: 'preview',
    storedImport: NOTHING_STORED,
    columns: ['id', 'won'],
    outcomeValues: { won: ['0', '1'] },
    suggestion: { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null },
    missingCells: { id: 0, won: 0 },
    warnings: [],
  });
  expect(rendered.container.querySelector('progress')).toBeNull();
  expect(rendered.container.querySelector('legend')?.textContent).toBe('Columns (2)');
});

it('keeps offering a chosen outcome value the preview’s sample lacks, so it can be unticked', () => {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File(['id,stage\nA,won\n'], 'leads.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  FakeWorker.latest.answer({
    type: 'preview',
    storedImport: NOTHING_STORED,
    columns: ['id', 'stage'],
    outcomeValues: { stage: ['lost', 'open'] },
    suggestion: { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: { field: 'stage', positiveValues: ['won'] } },
    missingCells: { id: 0, stage: 0 },
    warnings: [],
  });
  const converted = '[role="group"][aria-label="Values that mean converted"]';
  const boxes = () => Array.from(rendered!.container.querySelectorAll<HTMLInputElement>(`${converted} input[type="checkbox"]`), (box) => [box.closest('label')!.textContent!.trim(), box.checked]);
  expect(boxes()).toEqual([
    ['lost', false],
    ['open', false],
    ['won', true],
  ]);
  click(rendered.container.querySelector<HTMLInputElement>(`${converted} label:last-child input`)!);
  expect(boxes()).toEqual([
    ['lost', false],
    ['open', false],
  ]);
  expect(button('Import').getAttribute('aria-disabled')).toBe('true');
});

it('forgets what the check of the last file said once the file choice is cleared', () => {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  const chooseFiles = (files: File[]) => {
    Object.defineProperty(input, 'files', { value: files, configurable: true });
    act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  };
  chooseFiles([new File(['id\u0000'], 'photo.csv')]);
  FakeWorker.latest.answer({ type: 'failed', error: 'The file is not valid UTF-8 text.' });
  expect(rendered.container.querySelector('[role="alert"]')?.textContent).toContain('The file is not valid UTF-8 text.');
  chooseFiles([]);
  expect(rendered.container.querySelector('[role="alert"]')).toBeNull();
  expect(FakeWorker.latest.terminated).toBe(true);
});

it('offers owner and lead source columns beside the others, with the suggested ones chosen, and sends what is chosen with the import', () => {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File(['id,Lead Owner,Lead Source,Original Source\nA,Ada,Web,Direct\n'], 'leads.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  const suggestion = { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null, ownerColumn: 'Lead Owner', leadSourceColumn: 'Lead Source' };
  FakeWorker.latest.answer({ type: 'preview', columns: ['id', 'Lead Owner', 'Lead Source', 'Original Source'], outcomeValues: {}, suggestion, missingCells: { id: 0, 'Lead Owner': 0, 'Lead Source': 0, 'Original Source': 0 }, warnings: [], storedImport: NOTHING_STORED });
  const labels = Array.from(rendered.container.querySelectorAll('fieldset > label'));
  expect(labels.map((label) => label.firstChild?.textContent)).toEqual(['Record id', 'Name', 'Created date', 'Owner', 'Lead source', 'Outcome']);
  const select = (label: string) => labels.find((element) => element.firstChild?.textContent === label)!.querySelector('select')!;
  expect(select('Owner').value).toBe('Lead Owner');
  expect(select('Lead source').value).toBe('Lead Source');
  expect(Array.from(select('Lead source').options, (option) => option.text)).toEqual(['(none)', 'id', 'Lead Owner', 'Lead Source', 'Original Source']);

  const choose = (label: string, value: string) =>
    act(() => {
      select(label).value = value;
      select(label).dispatchEvent(new Event('change', { bubbles: true }));
    });
  choose('Lead source', 'Original Source');
  choose('Owner', '');
  click(button('Import'));
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({
    type: 'import',
    mapping: { ...suggestion, ownerColumn: null, leadSourceColumn: 'Original Source' },
  });
});

it('announces the reading of a chosen file in a live region on the page before, not each block read', () => {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const announced = followLiveRegions(rendered.container);
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File(['id,won\nA,1\n'], 'leads.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  FakeWorker.latest.answer({ type: 'progress', rows: 12_000, fraction: 0.4 });
  expect(announced()).toEqual(['Reading rows…']);
});

it('empties the file input once it has read the choice, so that choosing the same file again (fixed since) reads it again, and names the file', () => {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  // As a browser keeps it: Chrome fires no change event when the path chosen is the one the input already holds.
  let path = '';
  Object.defineProperty(input, 'value', { get: () => path, set: (value: string) => void (path = value), configurable: true });
  const chooseLeads = () => {
    Object.defineProperty(input, 'files', { value: [new File(['id,won\nA,1\n'], 'leads.csv')], configurable: true });
    path = 'C:\\fakepath\\leads.csv';
    act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  };
  chooseLeads();
  expect(path).toBe('');
  expect(rendered.container.querySelector('[data-testid="csv-file-name"]')?.textContent).toBe('File: leads.csv');
  FakeWorker.latest.answer({ type: 'failed', error: 'The file changed since it was chosen: choose it again.' });
  expect(rendered.container.querySelector('[role="alert"]')?.textContent).toContain('Nothing was imported. The file changed since it was chosen: choose it again.');
  const first = FakeWorker.latest;
  chooseLeads();
  expect(path).toBe('');
  expect(FakeWorker.latest).not.toBe(first);
  expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['preview']);
  expect(rendered.container.querySelector('[role="alert"]')).toBeNull();
});

it("says before the import what the file's check found and which of the active model's columns the file lacks, imports all the same, and says neither twice", async () => {
  activeModel.features = [
    { derive: { kind: 'value', from: { salesforce: 'Title', csv: 'title' } } },
    { derive: { kind: 'value', from: { csv: 'annual_revenue' } } },
    { derive: { kind: 'value', from: { csv: 'industry' } } },
    { derive: { kind: 'value', from: { salesforce: 'Rating' } } },
  ];
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File(['id,Job Title,Industry,won\nA,CTO,Retail,1\n'], 'leads.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  const footer = `The last line, one cell ("Acme Inc."), is not a lead: a report's footer, left out.`;
  FakeWorker.latest.answer({
    type: 'preview',
    storedImport: NOTHING_STORED,
    columns: ['id', 'Job Title', 'Industry', 'won'],
    outcomeValues: { won: ['0', '1'] },
    suggestion: { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null },
    missingCells: { id: 0, 'Job Title': 0, Industry: 0, won: 0 },
    warnings: [footer],
  });
  const items = (testId: string) => Array.from(rendered!.container.querySelectorAll(`[data-testid="${testId}"] li`), (item) => item.textContent);
  const lacking =
    'The active model reads 2 columns this file does not have: "title", "annual_revenue". Its leads will be scored without them. Rename the columns, or train a model on this file.';
  await act(() => vi.waitFor(() => expect(items('csv-preview-warnings')).toEqual([footer, lacking])));

  expect(button('Import').getAttribute('aria-disabled')).toBe('false');
  click(button('Import'));
  expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['import']);
  const dates = 'The created date column "created": 1 of its 1 filled cells are not dates LeadLens can read.';
  FakeWorker.latest.answer({ type: 'imported', rows: 1, replaced: allAdded(1), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [footer, dates] });
  expect(items('csv-preview-warnings')).toEqual([footer, lacking]);
  expect(items('csv-import-warnings')).toEqual([dates]);
});

it('says before the import which column the active model reads the lead source from when another is chosen as Lead source, and finds its columns however the file heads them', async () => {
  activeModel.features = [
    { derive: { kind: 'value', from: { salesforce: 'LeadSource', csv: 'lead_source' } } },
    { derive: { kind: 'value', from: { salesforce: 'AnnualRevenue', csv: 'annual_revenue' } } },
  ];
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File(['id,Source,Annual Revenue\nA,Partner,1000\n'], 'leads.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  FakeWorker.latest.answer({
    type: 'preview',
    storedImport: NOTHING_STORED,
    columns: ['id', 'Source', 'Annual Revenue'],
    outcomeValues: {},
    suggestion: { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null, ownerColumn: null, leadSourceColumn: null },
    missingCells: { id: 0, Source: 0, 'Annual Revenue': 0 },
    warnings: [],
  });
  const items = () => Array.from(rendered!.container.querySelectorAll('[data-testid="csv-preview-warnings"] li'), (item) => item.textContent);
  // "Annual Revenue" is the model's annual_revenue: only the lead source is said to be missing.
  const lacking = 'The active model reads 1 column this file does not have: "lead_source". Its leads will be scored without it. Rename the column, or train a model on this file.';
  await act(() => vi.waitFor(() => expect(items()).toEqual([lacking])));
  const leadSource = Array.from(rendered.container.querySelectorAll('fieldset > label')).find((label) => label.firstChild?.textContent === 'Lead source')!.querySelector('select')!;
  act(() => {
    leadSource.value = 'Source';
    leadSource.dispatchEvent(new Event('change', { bubbles: true }));
  });
  expect(items()).toEqual([
    lacking,
    '"Source", chosen as Lead source, is what the side panel filters by: the active model reads the lead source from a column "lead_source", ' +
      'which this file does not have, so it reads none. Rename "Source" to "lead_source" for the model to read it too.',
  ]);
});

it('warns before the import of the rows without a record id in whichever id column is chosen, once, in the import’s words', () => {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File(['id,Email,won\nA,,1\n,,0\nC,c@example.com,1\n'], 'leads.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  const footer = `The last line, one cell ("Acme Inc."), is not a lead: a report's footer, left out.`;
  FakeWorker.latest.answer({
    type: 'preview',
    storedImport: NOTHING_STORED,
    columns: ['id', 'Email', 'won'],
    outcomeValues: { won: ['0', '1'] },
    suggestion: { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null },
    missingCells: { id: 1, Email: 2, won: 0 },
    warnings: [footer],
  });
  const previewWarnings = () => Array.from(rendered!.container.querySelectorAll('[data-testid="csv-preview-warnings"] li'), (item) => item.textContent);
  const idSelect = Array.from(rendered.container.querySelectorAll('fieldset > label')).find((label) => label.firstChild?.textContent === 'Record id')!.querySelector('select')!;
  const chooseIdColumn = (column: string) =>
    act(() => {
      idSelect.value = column;
      idSelect.dispatchEvent(new Event('change', { bubbles: true }));
    });
  // The suggested column, said once.
  expect(previewWarnings()).toEqual([footer, '1 row has no record id in column "id": with it as the record id, it is numbered by its row.']);

  const emailMissing = '2 rows have no record id in column "Email": with it as the record id, they are numbered by their row.';
  chooseIdColumn('Email');
  expect(previewWarnings()).toEqual([footer, emailMissing]);
  expect(previewWarnings()).toEqual([footer, ...missingIdsWarning('Email', 2)]);
  // Filled in every row, or no id column: the rows are numbered as the admin sees.
  chooseIdColumn('won');
  expect(previewWarnings()).toEqual([footer]);
  chooseIdColumn('');
  expect(previewWarnings()).toEqual([footer]);

  chooseIdColumn('Email');
  click(button('Import'));
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'import', mapping: { idColumn: 'Email' } });
  // The import says it in the same words: not said twice.
  FakeWorker.latest.answer({ type: 'imported', rows: 3, replaced: allAdded(3), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [footer, emailMissing] });
  expect(previewWarnings()).toEqual([footer, emailMissing]);
  expect(rendered.container.querySelector('[data-testid="csv-import-warnings"]')).toBeNull();
});

it('offers the outcome column’s other values as still open, kept as the converted ones change, and the import stores those rows with no outcome and says how many', async () => {
  const csv = 'id,Status,Stage\nA,Won,x\nB,Lost,x\nC,Open,y\nD,Working,y\nE,Open,x\n';
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const input = rendered.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [new File([csv], 'leads.csv')] });
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  FakeWorker.latest.answer({
    type: 'preview',
    storedImport: NOTHING_STORED,
    columns: ['id', 'Status', 'Stage'],
    outcomeValues: { Status: ['Won', 'Lost', 'Open', 'Working'], Stage: ['x', 'y'] },
    suggestion: { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: { field: 'Status', positiveValues: ['Won'] } },
    missingCells: { id: 0, Status: 0, Stage: 0 },
    warnings: [],
  });
  const group = (meaning: string) => rendered!.container.querySelector(`[role="group"][aria-label="Values that mean ${meaning}"]`)!;
  const boxes = (meaning: string) => Array.from(group(meaning).querySelectorAll<HTMLInputElement>('input[type="checkbox"]'), (box) => [box.closest('label')!.textContent!.trim(), box.checked]);
  const tick = (meaning: string, value: string) =>
    click(Array.from(group(meaning).querySelectorAll<HTMLInputElement>('input[type="checkbox"]')).find((box) => box.closest('label')!.textContent!.trim() === value)!);
  expect(group('still open').textContent).toContain('Still open (left out) when:');
  // The converted value is not offered: a value cannot mean both.
  expect(boxes('still open')).toEqual([
    ['Lost', false],
    ['Open', false],
    ['Working', false],
  ]);
  tick('still open', 'Open');
  tick('still open', 'Working');

  // Ticked as converted, a value is no longer still open; the other open values stay.
  tick('converted', 'Working');
  expect(boxes('still open')).toEqual([
    ['Lost', false],
    ['Open', true],
  ]);
  tick('converted', 'Working');
  expect(boxes('still open')).toEqual([
    ['Lost', false],
    ['Open', true],
    ['Working', false],
  ]);
  tick('still open', 'Working');

  // Another column starts with nothing ticked: its values are not the last column's.
  const outcomeSelect = Array.from(rendered.container.querySelectorAll('fieldset > label')).find((label) => label.firstChild?.textContent === 'Outcome')!.querySelector('select')!;
  const chooseColumn = (column: string) =>
    act(() => {
      outcomeSelect.value = column;
      outcomeSelect.dispatchEvent(new Event('change', { bubbles: true }));
    });
  chooseColumn('Stage');
  expect(boxes('converted')).toEqual([
    ['x', false],
    ['y', false],
  ]);
  expect(boxes('still open')).toEqual([
    ['x', false],
    ['y', false],
  ]);
  chooseColumn('Status');
  tick('converted', 'Won');
  tick('still open', 'Open');
  tick('still open', 'Working');

  click(button('Import'));
  const request = FakeWorker.latest.requests.at(-1)!;
  expect(request).toMatchObject({ type: 'import', mapping: { outcome: { field: 'Status', positiveValues: ['Won'], openValues: ['Open', 'Working'] } } });

  // The worker's import, with the mapping the page sent.
  const staged: StoredLead[] = [];
  const memorySink: LeadSink = {
    discard: async () => void staged.splice(0),
    stage: async (leads) => void staged.push(...leads),
    stagedCount: async () => staged.length,
    commit: async () => allAdded(staged.length),
  };
  const { mapping } = request as Extract<CsvRequest, { type: 'import' }>;
  async function* fileText() {
    yield csv;
  }
  const result = await importCsv(fileText, mapping, memorySink);
  expect(staged.map((lead) => [lead.id, lead.outcome])).toEqual([
    ['A', 1],
    ['B', 0],
    ['C', null],
    ['D', null],
    ['E', null],
  ]);
  expect(result.withoutOutcome).toBe(3);

  FakeWorker.latest.answer({ type: 'imported', ...result });
  expect(rendered.container.querySelector('[data-testid="csv-without-outcome"]')?.textContent).toBe(
    '3 leads have no outcome yet (still open, or the outcome cell is empty): stored without one, they count neither as converted nor as not converted.',
  );
});

it('says nothing of leads without an outcome when every imported lead has one', () => {
  startImport();
  FakeWorker.latest.answer({ type: 'imported', rows: 2, replaced: allAdded(2), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
  expect(rendered!.container.querySelector('[data-testid="csv-without-outcome"]')).toBeNull();
});

/** `count` stored leads, the three scored ones among them. */
async function storeLeads(count: number) {
  await Promise.all([db.leads.clear(), db.settings.clear()]);
  await db.putLeads(Array.from({ length: count }, (_, i) => storedLead({ source: 'csv', id: `row-${i}`, origin: 'csv' })));
}

it('announces an export in a live region on the page before', async () => {
  await storeLeads(3);
  const download = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:scores');
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const announced = followLiveRegions(rendered.container);
  click(button('Export scores as CSV'));
  await act(() => vi.waitFor(() => expect(announced()).toEqual(['Exported 3 leads.'])));
  download.mockRestore();
});

it('keeps the focus on Export while the export runs, which a second press does not start again', async () => {
  await storeLeads(3);
  const download = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:scores');
  let release: () => void = () => {};
  scored.held = new Promise((resolve) => (release = resolve));
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const exportButton = button('Export scores as CSV');
  await act(() => vi.waitFor(() => expect(exportButton.disabled || exportButton.getAttribute('aria-disabled') === 'true').toBe(false)));
  act(() => exportButton.focus());
  click(exportButton);
  // Not disabled under the focus, which would drop it to the page: said unavailable.
  await act(() => vi.waitFor(() => expect(exportButton.disabled || exportButton.getAttribute('aria-disabled') === 'true').toBe(true)));
  expect(exportButton.disabled).toBe(false);
  expect(document.activeElement).toBe(exportButton);
  click(exportButton);
  release();
  await act(() => vi.waitFor(() => expect(exportButton.getAttribute('aria-disabled')).toBe('false')));
  expect(scoresCsv).toHaveBeenCalledTimes(1);
  expect(document.activeElement).toBe(exportButton);
  download.mockRestore();
});

describe('the export’s separator', () => {
  const separatorChoice = () => Array.from(rendered!.container.querySelectorAll('label')).find((label) => label.firstChild?.textContent === 'Separator')!.querySelector('select')!;
  const renderSection = () => (rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection))));
  /** Presses Export and waits for the file to be written: what `scoresCsv` was asked to write it with. */
  async function exportedWith(): Promise<unknown> {
    scoresCsv.mockClear();
    click(button('Export scores as CSV'));
    await act(() => vi.waitFor(() => expect(scoresCsv).toHaveBeenCalledTimes(1)));
    return scoresCsv.mock.calls[0][1];
  }

  beforeEach(async () => {
    await storeLeads(3);
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:scores');
  });

  it.each([
    ['de-DE', ';'],
    ['en-US', ','],
  ])('is, for a %s browser with none chosen, the one its language writes numbers for (%j)', async (language, separator) => {
    vi.spyOn(navigator, 'language', 'get').mockReturnValue(language);
    renderSection();
    expect(separatorChoice().value).toBe(separator);
    expect(await exportedWith()).toEqual({ locale: language, separator, tiers: activeTiers, leadSourceWord: expect.any(Function) });
  });

  it('is the one chosen beside Export, kept for the next visit whatever the browser’s language', async () => {
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('de-DE');
    renderSection();
    expect(Array.from(separatorChoice().options, (option) => option.text)).toEqual(['comma (,), numbers as 0.73', 'semicolon (;), numbers as 0,73']);
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!.call(separatorChoice(), ',');
      separatorChoice().dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(separatorChoice().value).toBe(',');
    expect(await exportedWith()).toEqual({ locale: 'de-DE', separator: ',', tiers: activeTiers, leadSourceWord: expect.any(Function) });
    await act(() => vi.waitFor(async () => expect(await savedExportSeparator()).toBe(',')));

    rendered!.unmount();
    renderSection();
    await act(() => vi.waitFor(() => expect(separatorChoice().value).toBe(',')));
    expect(await exportedWith()).toEqual({ locale: 'de-DE', separator: ',', tiers: activeTiers, leadSourceWord: expect.any(Function) });
  });

  it("words HubSpot's lead sources by the labels its portal's last sync kept, as the side panel's filter does", async () => {
    await recordSyncedAccount(db, 'hubspot', { id: '777001', name: 'HubSpot portal 777001' });
    await dexieSyncStore(db).keepLeadSourceLabels!({ SOCIAL_MEDIA: 'Organic Social' });
    renderSection();
    const { leadSourceWord } = (await exportedWith()) as { leadSourceWord: (value: string) => string };
    expect([leadSourceWord('SOCIAL_MEDIA'), leadSourceWord('Web')]).toEqual(['Organic Social', 'Web']);
  });
});

const NO_LEADS_TO_EXPORT =
  'No leads are stored yet, so there are no scores to export: sync a CRM under Sync, import a CSV file above, or load the demo data under Demo mode.';

/** What is said beside `control` (its `aria-describedby`), or null when nothing is. */
const describedBy = (control: HTMLElement) => document.getElementById(control.getAttribute('aria-describedby') ?? '')?.textContent?.trim() ?? null;

it('holds Export back while no lead is stored, saying beside it where leads come from, not as an error, and offers it once an import stored some', async () => {
  await storeLeads(0);
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  await act(() => vi.waitFor(() => expect(button('Export scores as CSV').getAttribute('aria-disabled')).toBe('true')));
  expect(describedBy(button('Export scores as CSV'))).toBe(NO_LEADS_TO_EXPORT);
  expect(rendered.container.querySelector('[role="alert"]')).toBeNull();

  // The worker stores the file's leads, then says it imported them.
  startImport(rendered);
  await db.putLeads([storedLead({ source: 'csv', id: 'row-0', origin: 'csv' })]);
  FakeWorker.latest.answer({ type: 'imported', rows: 1, replaced: allAdded(1), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
  await act(() => vi.waitFor(() => expect(button('Export scores as CSV').getAttribute('aria-disabled')).toBe('false')));
  expect(button('Export scores as CSV').hasAttribute('aria-describedby')).toBe(false);
  expect(rendered.container.textContent).not.toContain(NO_LEADS_TO_EXPORT);
});

it('says where leads come from, as a status and not an error, when the last leads went after the page counted them, and exports no empty file', async () => {
  await storeLeads(3);
  const download = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:scores');
  const client = new QueryClient();
  rendered = render(createElement(QueryClientProvider, { client }, createElement(CsvImportSection)));
  const announced = followLiveRegions(rendered.container);
  // Counted while three were stored; then another tab purges them.
  await act(() => vi.waitFor(() => expect(client.getQueryData(queryKeys.demoLeadMix())).toEqual({ demo: 0, own: 3 })));
  await storeLeads(0);
  scored.rows = [];
  click(button('Export scores as CSV'));
  await act(() => vi.waitFor(() => expect(announced()).toEqual([NO_LEADS_TO_EXPORT])));
  expect(rendered.container.querySelector('[role="alert"]')).toBeNull();
  expect(button('Export scores as CSV').getAttribute('aria-disabled')).toBe('true');
  expect(describedBy(button('Export scores as CSV'))).toBe(NO_LEADS_TO_EXPORT);
  expect(download).not.toHaveBeenCalled();
  download.mockRestore();
});

it('says how many stored leads the export leaves out for want of a score, and exports nothing while the active model is still scoring them', async () => {
  await storeLeads(5);
  await writeJob('scoring', { modelId: 'model-1', state: 'done', done: 5, total: 5, startedAt: 1, finishedAt: 2 });
  const download = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:scores');
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  const announced = followLiveRegions(rendered.container);
  click(button('Export scores as CSV'));
  await act(() =>
    vi.waitFor(() => expect(announced()).toEqual(["Exported 3 of 5 stored leads: the active model reads none of the others' fields, so they have no score."])),
  );
  expect(download).toHaveBeenCalledTimes(1);

  await writeJob('scoring', { modelId: 'model-1', state: 'running', done: 3, total: 5, startedAt: 1 });
  click(button('Export scores as CSV'));
  await act(() =>
    vi.waitFor(() => expect(rendered!.container.querySelector('[role="alert"]')?.textContent).toContain('The active model is still scoring the stored leads (3 of 5): export once it is done.')),
  );
  expect(download).toHaveBeenCalledTimes(1);
  download.mockRestore();
});

describe('Demo mode’s leads in an export', () => {
  const own = Array.from({ length: 4 }, (_, i) => storedLead({ source: 'salesforce', id: `own-${i}`, origin: 'sync' }));
  // Demo mode stores its leads under both CRMs.
  const demo = Array.from({ length: 4 }, (_, i) => storedLead({ source: i % 2 === 0 ? 'salesforce' : 'hubspot', id: `demo-${i}`, origin: 'demo' }));
  const scoredRows = (leads: StoredLead[]) => leads.map((lead) => ({ leadKey: lead.key }));

  /** Presses Export, and waits for the page to say `said`: in its live region once it has exported, in an alert when it cannot. */
  async function exportAndExpect(said: string): Promise<void> {
    rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
    const announced = followLiveRegions(rendered.container);
    click(button('Export scores as CSV'));
    await act(() => vi.waitFor(() => expect([...announced(), ...Array.from(rendered!.container.querySelectorAll('[role="alert"]'), (alert) => alert.textContent)]).toEqual([said])));
  }

  beforeEach(async () => {
    await Promise.all([db.leads.clear(), db.settings.clear()]);
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:scores');
  });

  it('leaves out every demo lead, of either CRM, once leads of your own are stored, and says how many beside the leads it left unscored', async () => {
    await db.putLeads([...own, ...demo]);
    await writeJob('scoring', { modelId: 'model-1', state: 'done', done: 6, total: 8, startedAt: 1, finishedAt: 2 });
    scored.rows = scoredRows([...own.slice(0, 3), ...demo.slice(0, 3)]);
    await exportAndExpect(
      "Exported 3 of 4 stored leads: the active model reads none of the others' fields, so they have no score. 4 demo leads were left out: Demo mode's made-up leads are not exported beside your own.",
    );
    expect(scoresCsv).toHaveBeenCalledTimes(1);
    expect(scoresCsv.mock.calls[0][0].map((row) => row.leadKey)).toEqual(own.slice(0, 3).map((lead) => lead.key));
  });

  it('leaves them out beside an imported file, which has no demo leads of its own', async () => {
    const imported = storedLead({ source: 'csv', id: 'row-0', origin: 'csv' });
    await db.putLeads([imported, ...demo]);
    scored.rows = scoredRows([imported, ...demo]);
    await exportAndExpect("Exported 1 lead. 4 demo leads were left out: Demo mode's made-up leads are not exported beside your own.");
    expect(scoresCsv.mock.calls[0][0].map((row) => row.leadKey)).toEqual([imported.key]);
  });

  it('exports the demo leads while they are all that is stored', async () => {
    await db.putLeads(demo);
    scored.rows = scoredRows(demo);
    await exportAndExpect('Exported 4 leads.');
    expect(scoresCsv.mock.calls[0][0].map((row) => row.leadKey)).toEqual(demo.map((lead) => lead.key));
  });

  it('exports nothing when only demo leads are scored beside leads of your own, and says why', async () => {
    await db.putLeads([...own, ...demo]);
    scored.rows = scoredRows(demo);
    await exportAndExpect("No lead of your own has a score from the active model yet: Demo mode's 4 demo leads are not exported beside your own.");
    expect(scoresCsv).not.toHaveBeenCalled();
  });
});

describe('an export with leads left unscored, when the last scoring with the active model did not finish', () => {
  beforeEach(() => storeLeads(5));

  /** Presses Export (in the section rendered here unless given), and waits for it to say `said` once it has exported. */
  async function expectExportToSay(said: string, section?: Rendered): Promise<void> {
    rendered = section ?? render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
    const download = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:scores');
    try {
      click(button('Export scores as CSV'));
      await act(() => vi.waitFor(() => expect(download).toHaveBeenCalledTimes(1)));
      await act(() => vi.waitFor(() => expect(Array.from(rendered!.container.querySelectorAll('[role="status"]'), (region) => region.textContent)).toContain(said)));
    } finally {
      download.mockRestore();
    }
  }

  it('says the last scoring failed, and why, not that the model cannot read the leads', async () => {
    await writeJob('scoring', { modelId: 'model-1', state: 'failed', done: 0, total: 5, startedAt: 1, finishedAt: 2, error: 'The model could not be loaded.' });
    await expectExportToSay('Exported 3 of 5 stored leads: 2 leads are not scored yet (the last scoring failed: The model could not be loaded.).');
  });

  it('says so of a run that failed part-way, with the engine’s message, while later runs of one CRM keep its failure', async () => {
    const failedRun = { modelId: 'model-1', done: 3, total: 5, finishedAt: 2, error: '2 leads could not be scored.', failedItems: { count: 2, error: 'The engine ran out of memory.' } };
    await writeJob('scoring', { ...failedRun, state: 'done', startedAt: 3, finishedAt: 4, source: 'salesforce', lastFailure: failedRun });
    await expectExportToSay('Exported 3 of 5 stored leads: 2 leads are not scored yet (the last scoring failed: The engine ran out of memory.).');
  });

  it('says the leads wait to be scored while a scoring of every lead is owed with the active model', async () => {
    await writeJob('scoring', { modelId: 'model-0', state: 'done', done: 5, total: 5, startedAt: 1, finishedAt: 2 });
    await oweScoringOfEveryLead('model-1');
    await expectExportToSay('Exported 3 of 5 stored leads: 2 leads are waiting to be scored: export again once they are.');
  });

  it('says the imported leads wait to be scored while their scoring is owed, asked by another page or the hourly check, or not yet (the import’s page closed first)', async () => {
    // The last run, done before the import.
    await writeJob('scoring', { modelId: 'model-1', state: 'done', done: 3, total: 3, startedAt: 1, finishedAt: 2 });
    await oweSourceScoring('csv');
    await expectExportToSay('Exported 3 of 5 stored leads: 2 leads are waiting to be scored: export again once they are.');
  });

  it('claims no reason when no scoring with the active model is known to have finished', async () => {
    await writeJob('scoring', { modelId: 'model-0', state: 'done', done: 5, total: 5, startedAt: 1, finishedAt: 2 });
    await expectExportToSay('Exported 3 of 5 stored leads: 2 leads have no score from the active model yet.');
  });

  it('says the imported leads wait to be scored while the import’s scoring has not begun, and why they are not scored once it failed before any run', async () => {
    // The last run, done before the import.
    await writeJob('scoring', { modelId: 'model-1', state: 'done', done: 5, total: 5, startedAt: 1, finishedAt: 2 });
    let answerScoring!: (reply: { ok: false; error: string }) => void;
    scoreStoredLeads.mockImplementationOnce(() => new Promise((resolve) => (answerScoring = resolve)));
    startImport();
    FakeWorker.latest.answer({ type: 'imported', rows: 2, replaced: allAdded(2), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
    await act(() => vi.waitFor(() => expect(scoreStoredLeads).toHaveBeenCalledTimes(1)));
    await expectExportToSay('Exported 3 of 5 stored leads: 2 leads are waiting to be scored: export again once they are.', rendered);

    await act(async () => answerScoring({ ok: false, error: 'The offscreen document could not be created.' }));
    await act(() => vi.waitFor(() => expect(rendered!.container.textContent).toContain('The leads were imported, but could not be scored')));
    await expectExportToSay('Exported 3 of 5 stored leads: 2 leads are not scored yet (the last scoring failed: The offscreen document could not be created.).', rendered);
  });
});

/** Whether closing or reloading the page asks first: a `beforeunload` as the browser sends it, cancelled by the page. */
function leavingAsks(): boolean {
  const leaving = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(leaving);
  return leaving.defaultPrevented;
}

it('asks before the page is closed or reloaded while an import runs, and no more once it ended', async () => {
  rendered = render(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(CsvImportSection)));
  expect(leavingAsks()).toBe(false);
  startImport(rendered);
  expect(leavingAsks()).toBe(true);
  FakeWorker.latest.answer({ type: 'imported', rows: 2, replaced: allAdded(2), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
  expect(leavingAsks()).toBe(false);
  // The file is the stored import now: imported again under the same columns, it is not compared with itself first.
  // Cancelled.
  click(button('Import'));
  expect(leavingAsks()).toBe(true);
  click(button('Cancel import'));
  FakeWorker.latest.answer({ type: 'cancelled' });
  expect(leavingAsks()).toBe(false);
});

it('keeps the focus on Import while the import runs, and on Cancel import once pressed, then gives it back to Import as Cancel goes', () => {
  chooseFile();
  const importButton = button('Import');
  act(() => importButton.focus());
  click(importButton);
  const worker = FakeWorker.latest;
  expect(worker.requests.map((request) => request.type)).toEqual(['import']);
  // Not disabled under the focus, which would drop it to the page: said unavailable, and a second press starts nothing.
  expect(importButton.disabled).toBe(false);
  expect(importButton.getAttribute('aria-disabled')).toBe('true');
  expect(document.activeElement).toBe(importButton);
  click(importButton);
  expect(FakeWorker.latest).toBe(worker);
  expect(worker.requests).toHaveLength(1);

  const cancel = button('Cancel import');
  act(() => cancel.focus());
  click(cancel);
  expect(cancel.textContent).toBe('Cancelling…');
  expect(cancel.disabled).toBe(false);
  expect(cancel.getAttribute('aria-disabled')).toBe('true');
  expect(document.activeElement).toBe(cancel);
  click(cancel);
  expect(worker.requests.map((request) => request.type)).toEqual(['import', 'cancel']);
  worker.answer({ type: 'cancelled' });
  expect(rendered!.container.querySelector('[data-testid="import-progress"]')).toBeNull();
  expect(document.activeElement).toBe(importButton);
  expect(importButton.getAttribute('aria-disabled')).toBe('false');
});

it('says beside a held-back Import that values meaning converted are to be ticked, in the training form’s words, and imports once one is', () => {
  chooseFile();
  // No outcome column: every lead is imported with no outcome, as it says nothing of one.
  expect(button('Import').getAttribute('aria-disabled')).toBe('false');
  expect(button('Import').hasAttribute('aria-describedby')).toBe(false);
  const outcomeColumn = Array.from(rendered!.container.querySelectorAll('label'))
    .find((label) => label.textContent?.startsWith('Outcome'))!
    .querySelector('select')!;
  act(() => {
    outcomeColumn.value = 'won';
    outcomeColumn.dispatchEvent(new Event('change', { bubbles: true }));
  });
  const importButton = button('Import');
  expect(importButton.getAttribute('aria-disabled')).toBe('true');
  const reason = document.getElementById(importButton.getAttribute('aria-describedby') ?? '');
  expect(reason?.textContent?.trim()).toBe('Choose which values mean converted.');

  const converted = '[role="group"][aria-label="Values that mean converted"]';
  click(Array.from(rendered!.container.querySelectorAll<HTMLInputElement>(`${converted} input[type="checkbox"]`)).find((box) => box.closest('label')!.textContent!.trim() === '1')!);
  expect(button('Import').getAttribute('aria-disabled')).toBe('false');
  expect(button('Import').hasAttribute('aria-describedby')).toBe(false);
  expect(rendered!.container.textContent).not.toContain('Choose which values mean converted.');
  click(button('Import'));
  expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'import', mapping: { outcome: { field: 'won', positiveValues: ['1'] } } });
});

describe('a file imported over stored CSV leads, which it replaces whole', () => {
  /** The section with `csv` chosen and its preview answered, `stored` being the stored import the worker found; its "converted" column suggested as the outcome. */
  function previewOver(stored: StoredImport, csv = 'id,Status,converted\nA,Won,1\n') {
    const columns = csv.split('\n')[0].split(',');
    previewFile(
      csv,
      stored,
      Object.fromEntries(columns.filter((column) => column !== 'id').map((column) => [column, column === 'Status' ? ['Won', 'Lost', 'Open'] : ['0', '1']])),
      columns.includes('converted') ? { field: 'converted', positiveValues: ['1'] } : null,
    );
  }
  const replacementNote = () => rendered!.container.querySelector('[data-testid="csv-replacement"]')?.textContent;
  const heldOutLoss =
    '2,740 leads a model trained here learnt from lose their held-out scores (this file has no row of theirs: not the same record id and name, nor the same cells): ' +
    'the model no longer counts them among the leads it was trained on, and if they are imported again, its tier preview, report and drift read them by its own scores, which flatter it, as it learnt from them.';

  it('says before Import how many stored leads the file removes and what a model loses, asks first, then says what it added, updated and removed', async () => {
    previewOver({ leads: 5250, outcome: null });
    // Compared as the import will read the file, under the mapping chosen.
    expect(FakeWorker.latest.requests).toEqual([{ type: 'compare', file: expect.any(File), mapping: expect.objectContaining({ idColumn: 'id' }) }]);
    expect(button('Import').getAttribute('aria-disabled')).toBe('true');
    expect(eachDescribedBy(button('Import'))).toEqual(['Comparing this file with the 5,250 stored CSV leads…']);
    await answerComparison({ added: 120, updated: 314, removed: 4816, heldOutLost: 2740 });
    const said = `This file updates 314 stored CSV leads and adds 120. 4,816 of the 5,250 stored CSV leads are not in this file (no row has their record id): the import removes them. ${heldOutLoss}`;
    expect(replacementNote()).toBe(said);

    // Asked first; Cancel imports nothing.
    click(button('Import…'));
    const question = rendered!.container.querySelector('[role="group"][aria-label="Confirm replacing the stored CSV leads"]')!;
    expect(question.textContent).toContain(said);
    click(button('Cancel'));
    expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['compare']);
    click(button('Import…'));
    click(button('Import and remove 4,816 leads'));
    expect(FakeWorker.latest.requests).toEqual([{ type: 'import', file: expect.any(File), mapping: expect.objectContaining({ idColumn: 'id' }) }]);
    // The question went with its buttons: the focus is on Import, unavailable while the import runs.
    expect(document.activeElement).toBe(button('Import'));

    FakeWorker.latest.answer({ type: 'imported', rows: 434, replaced: { added: 120, updated: 314, removed: 4816, heldOutLost: 2740 }, withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
    expect(rendered!.container.querySelector('[data-testid="csv-imported"]')?.textContent).toBe(
      `Imported 434 leads: 120 added, 314 updated, 4,816 removed (stored CSV leads not in this file). ${heldOutLoss.replace('lose their', 'lost their')} Train on them under "Train on your history".`,
    );
  });

  it('shows no comparison of the leads the import replaced once it is done, nor of the file with itself, nor after a purge, and asks nothing of them', async () => {
    previewOver({ leads: 5250, outcome: null });
    await answerComparison({ added: 120, updated: 314, removed: 4816, heldOutLost: 0 });
    click(button('Import…'));
    click(button('Import and remove 4,816 leads'));
    const importWorker = FakeWorker.latest;
    importWorker.answer({ type: 'imported', rows: 434, replaced: { added: 120, updated: 314, removed: 4816, heldOutLost: 0 }, withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
    // The same file, now the stored import, is not compared with itself: it would say it updates the 434 the result says it imported. Nothing of the 4,816 is said or asked.
    await act(() => vi.waitFor(() => expect(button('Import').getAttribute('aria-disabled')).toBe('false')));
    expect(FakeWorker.latest).toBe(importWorker);
    expect(replacementNote()).toBeUndefined();
    expect(button('Import…')).toBeUndefined();
    // A purge deletes them all: nothing is stored to compare with, or to remove.
    await act(() => fakeBrowser.runtime.onMessage.trigger({ target: 'event', type: 'storedDataDeleted', payload: { everything: true } }, {} as never, () => undefined));
    expect(replacementNote()).toBeUndefined();
    expect(button('Import').hasAttribute('aria-describedby')).toBe(false);
    expect(FakeWorker.latest).toBe(importWorker);
  });

  it('says nothing of what the file it just imported would update, under its result, until another column is chosen or leads are deleted', async () => {
    // 400 new leads, none stored before: nothing to compare them with.
    previewOver(NOTHING_STORED);
    click(button('Import'));
    const importWorker = FakeWorker.latest;
    importWorker.answer({ type: 'imported', rows: 400, replaced: allAdded(400), withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [] });
    expect(rendered!.container.querySelector('[data-testid="csv-imported"]')?.textContent).toContain('Imported 400 leads: 400 added, 0 updated, 0 removed.');
    await act(() => vi.waitFor(() => expect(scoreStoredLeads).toHaveBeenCalled()));
    // Not "This file updates 400 stored CSV leads and adds 0" above the result saying it added them: no comparison of the file with itself.
    expect(FakeWorker.latest).toBe(importWorker);
    expect(replacementNote()).toBeUndefined();
    expect(rendered!.container.textContent).not.toContain('This file updates');
    expect(button('Import').getAttribute('aria-disabled')).toBe('false');

    // Another record id column changes the leads it would store: what importing it that way would do to the 400 is said.
    const idSelect = Array.from(rendered!.container.querySelectorAll('fieldset > label')).find((label) => label.firstChild?.textContent === 'Record id')!.querySelector('select')!;
    act(() => {
      idSelect.value = 'Status';
      idSelect.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await answerComparison({ added: 400, updated: 0, removed: 400, heldOutLost: 0 });
    expect(replacementNote()).toContain('This file updates 0 stored CSV leads and adds 400. 400 of the 400 stored CSV leads are not in this file');
    // Back to the columns imported: nothing to say again.
    act(() => {
      idSelect.value = 'id';
      idSelect.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(replacementNote()).toBeUndefined();
    expect(button('Import').getAttribute('aria-disabled')).toBe('false');

    // Leads deleted since (demo data removed, a CRM's leads): the stored import may lack some it would add back, so it is compared again.
    const beforeDeletion = FakeWorker.latest;
    await act(() => fakeBrowser.runtime.onMessage.trigger({ target: 'event', type: 'storedDataDeleted', payload: { everything: false } }, {} as never, () => undefined));
    await act(() => vi.waitFor(() => expect(FakeWorker.latest).not.toBe(beforeDeletion)));
    await answerComparison({ added: 0, updated: 400, removed: 0, heldOutLost: 0 });
    expect(replacementNote()).toBe('This file updates 400 stored CSV leads and adds 0. It removes none.');
  });

  it('imports without asking when the file removes no stored lead, and says so', async () => {
    previewOver({ leads: 3, outcome: null });
    await answerComparison({ added: 1, updated: 3, removed: 0, heldOutLost: 0 });
    expect(replacementNote()).toBe('This file updates 3 stored CSV leads and adds 1. It removes none.');
    expect(button('Import').hasAttribute('aria-describedby')).toBe(false);
    click(button('Import'));
    expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['import']);
  });

  it('asks first, saying the import replaces every stored lead, when the comparison failed', async () => {
    previewOver({ leads: 3, outcome: null });
    await act(() => vi.waitFor(() => expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['compare'])));
    FakeWorker.latest.answer({ type: 'failed', error: 'The CSV file changed while it was being imported. Import it again.' });
    await act(() => vi.waitFor(() => expect(replacementNote()).toContain('Could not tell')));
    expect(replacementNote()).toBe(
      "Could not tell which of the 3 stored CSV leads this file keeps (The CSV file changed while it was being imported. Import it again.): the import replaces them all with this file's rows.",
    );
    click(button('Import…'));
    click(button('Import all the same'));
    expect(FakeWorker.latest.requests.map((request) => request.type)).toEqual(['import']);
  });

  it('compares again under another record id column: the leads it keeps depend on it', async () => {
    previewOver({ leads: 3, outcome: null }, 'id,Email,converted\nA,a@x.io,1\n');
    await answerComparison({ added: 0, updated: 1, removed: 2, heldOutLost: 0 });
    const idSelect = Array.from(rendered!.container.querySelectorAll('fieldset > label')).find((label) => label.firstChild?.textContent === 'Record id')!.querySelector('select')!;
    act(() => {
      idSelect.value = 'Email';
      idSelect.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(() => vi.waitFor(() => expect(FakeWorker.latest.requests).toEqual([expect.objectContaining({ type: 'compare', mapping: expect.objectContaining({ idColumn: 'Email' }) })])));
    expect(replacementNote()).toBe('Comparing this file with the 3 stored CSV leads…');
  });

  it('starts from the stored import’s outcome rule when the file has its column, saying so, and imports with it', async () => {
    const rule = { field: 'Status', positiveValues: ['Won'], openValues: ['Open'] };
    previewOver({ leads: 3, outcome: rule });
    await answerComparison({ added: 0, updated: 1, removed: 0, heldOutLost: 0 });
    const outcomeSelect = Array.from(rendered!.container.querySelectorAll('fieldset > label')).find((label) => label.firstChild?.textContent === 'Outcome')!.querySelector('select')!;
    expect(outcomeSelect.value).toBe('Status');
    const ticked = (meaning: string) =>
      Array.from(rendered!.container.querySelectorAll<HTMLInputElement>(`[role="group"][aria-label="Values that mean ${meaning}"] input:checked`), (box) => box.closest('label')!.textContent!.trim());
    expect(ticked('converted')).toEqual(['Won']);
    expect(ticked('still open')).toEqual(['Open']);
    expect(rendered!.container.querySelector('[data-testid="csv-outcome-carried"]')?.textContent).toBe(
      'Outcome column, converted and still-open values as the stored import read them: this file has its column "Status".',
    );
    expect(rendered!.container.querySelector('[data-testid="csv-outcome-left-out"]')).toBeNull();
    click(button('Import'));
    expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'import', mapping: { outcome: rule } });
  });

  it('warns beside Import when the outcome the stored import read is left out, or the file has no such column', async () => {
    previewOver({ leads: 3, outcome: { field: 'Status', positiveValues: ['Won'] } });
    await answerComparison({ added: 0, updated: 1, removed: 0, heldOutLost: 0 });
    const outcomeSelect = Array.from(rendered!.container.querySelectorAll('fieldset > label')).find((label) => label.firstChild?.textContent === 'Outcome')!.querySelector('select')!;
    act(() => {
      outcomeSelect.value = '';
      outcomeSelect.dispatchEvent(new Event('change', { bubbles: true }));
    });
    const leftOut =
      'The stored import\'s outcome column "Status" is left out: this file\'s leads would be stored with no outcome, and "Train on your history" would have none to learn from.';
    // A column read the more or the less changes the fields the import stores (numbers are read in the columns not mapped): compared again.
    await answerComparison({ added: 0, updated: 1, removed: 0, heldOutLost: 0 });
    expect(eachDescribedBy(button('Import'))).toEqual([leftOut]);
    // Said, not held back: a file may have no outcome to give.
    expect(button('Import').getAttribute('aria-disabled')).toBe('false');

    rendered!.unmount();
    previewOver({ leads: 3, outcome: { field: 'Status', positiveValues: ['Won'] } }, 'id,converted\nA,1\n');
    // The file's own outcome column is suggested: nothing is left out.
    expect(rendered!.container.querySelector('[data-testid="csv-outcome-left-out"]')).toBeNull();
    await answerComparison({ added: 0, updated: 1, removed: 0, heldOutLost: 0 });
    const select = Array.from(rendered!.container.querySelectorAll('fieldset > label')).find((label) => label.firstChild?.textContent === 'Outcome')!.querySelector('select')!;
    act(() => {
      select.value = '';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(rendered!.container.querySelector('[data-testid="csv-outcome-left-out"]')?.textContent).toBe(
      'This file has no column "Status", the stored import\'s outcome column: this file\'s leads would be stored with no outcome, and "Train on your history" would have none to learn from.',
    );
  });
});

describe('an outcome column of one value only', () => {
  const outcomeSelect = () => Array.from(rendered!.container.querySelectorAll('fieldset > label')).find((label) => label.firstChild?.textContent === 'Outcome')!.querySelector('select')!;
  const note = (testId: string) => rendered!.container.querySelector(`[data-testid="${testId}"]`)?.textContent;
  /** A 400-row file none of whose leads converted, previewed over `stored`. */
  function previewNoneConverted(stored: StoredImport) {
    // As the worker keeps a column of one value named as an outcome (outcomeCandidates).
    previewFile('id,industry,lead_source,converted\nA,Retail,Web,no\n', stored, { converted: ['no'], industry: ['Retail', 'Software'], lead_source: ['Event', 'Web'] }, null);
  }
  const oneValue = '"converted" has one value only ("no"); training needs converted and not-converted leads.';

  it('says beside the Outcome list why the column is not offered, in the CLI’s words', () => {
    previewNoneConverted(NOTHING_STORED);
    expect(Array.from(outcomeSelect().options, (option) => option.textContent)).toEqual(['(not known)', 'industry', 'lead_source']);
    expect(note('csv-outcome-one-value')).toBe(oneValue);
    expect(eachDescribedBy(outcomeSelect())).toEqual([oneValue]);
    // A file may have no outcome to give: Import is not held back.
    expect(button('Import').getAttribute('aria-disabled')).toBe('false');
  });

  it('shows the stored rule carried over among the choices, and says before Import, without holding it back, that no row has its values', async () => {
    const rule = { field: 'converted', positiveValues: ['yes'], openValues: ['open'] };
    previewNoneConverted({ leads: 400, outcome: rule });
    await answerComparison({ added: 0, updated: 400, removed: 0, heldOutLost: 0 });
    // The form shows the column it imports by, not "(not known)".
    expect(Array.from(outcomeSelect().options, (option) => option.value)).toEqual(['', 'industry', 'lead_source', 'converted']);
    expect(outcomeSelect().value).toBe('converted');
    expect(note('csv-outcome-carried')).toContain('this file has its column "converted"');
    expect(note('csv-outcome-one-value')).toBe(oneValue);
    const absent = 'No row of this file has "yes" in "converted": no lead would count as converted. No row of this file has "open" in "converted", ticked as still open.';
    expect(note('csv-outcome-values-absent')).toBe(absent);
    expect(eachDescribedBy(button('Import'))).toEqual([absent]);
    expect(button('Import').getAttribute('aria-disabled')).toBe('false');
    click(button('Import'));
    expect(FakeWorker.latest.requests.at(-1)).toMatchObject({ type: 'import', mapping: { outcome: rule } });
  });

  it('says which of the values ticked as converted the file lacks, when it has others, its values quoted as text and cut when long', () => {
    const long = `yes ${'x'.repeat(100)}`;
    previewNoneConverted({ leads: 0, outcome: null });
    act(() => {
      outcomeSelect().value = 'industry';
      outcomeSelect().dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(note('csv-outcome-values-absent')).toBeUndefined();
    rendered!.unmount();
    // The stored import's rule, as a previous file read it: "Retail" is in this one, the other is not.
    previewNoneConverted({ leads: 0, outcome: { field: 'industry', positiveValues: ['retail', `<b>${long}</b>`] } });
    expect(note('csv-outcome-values-absent')).toBe(`No row of this file has "<b>yes ${'x'.repeat(52)}…" in "industry", ticked as converted.`);
    expect(rendered!.container.querySelector('[data-testid="csv-outcome-values-absent"] b')).toBeNull();
  });

  it('counts a value as present as the rule compares it (trimmed, in any case), and words absent values as a list of alternatives, the first three named', () => {
    // " software " and "RETAIL" are "Software" and "Retail" to the rule: present, not said.
    previewNoneConverted({ leads: 0, outcome: { field: 'industry', positiveValues: [' software ', 'Energy', 'Finance', 'Health'], openValues: ['RETAIL'] } });
    expect(note('csv-outcome-values-absent')).toBe('No row of this file has "Energy", "Finance" or "Health" in "industry", ticked as converted.');
    rendered!.unmount();
    previewNoneConverted({ leads: 0, outcome: { field: 'industry', positiveValues: ['Retail'], openValues: ['Energy', 'Finance', 'Health', 'Media', 'Telecom'] } });
    expect(note('csv-outcome-values-absent')).toBe('No row of this file has "Energy", "Finance", "Health" or 2 more in "industry", ticked as still open.');
  });
});
