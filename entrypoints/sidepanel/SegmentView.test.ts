// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement, type ComponentProps } from 'react';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { dexieCsvSink } from '@/lib/csv/stored';
import { db, type StoredLead } from '@/lib/db/db';
import { background } from '@/lib/messaging/client';
import type { Manifest } from '@/lib/ml/manifest';
import type { OutcomeRule } from '@/lib/ml/outcome-rule';
import { formatDay } from '@/lib/presentation';
import type { LearntFromBasis } from '@/lib/ml/tier-policy';
import { collectFilterChoices, leadSourceWords, TIERS, type RuleOutcome, type ScoredLeadRow } from '@/lib/segments';
import { click, pressEnter, render, waitFor, type Rendered } from '@/test/render';
import { stubWebLocks } from '@/test/web-locks';
import { SegmentView } from './SegmentView';

vi.mock('@/lib/messaging/client', () => ({ background: { openRecord: vi.fn() } }));
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

let rendered: Rendered | undefined;
// The panel's queries (when an imported file's leads' ages count from), fresh for each test, as the side panel provides them.
let queryClient: QueryClient;
beforeEach(async () => {
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  await Promise.all([db.leads.clear(), db.leadSummaries.clear(), db.settings.clear()]);
});
/** What the side panel does with a file's lead chosen from the top leads (App explains it in the open lead's card). */
const leadChosen = vi.fn();
/** What the side panel is told of the file leads the top leads list (App's open lead card offers choosing one). */
const fileLeadsListed = vi.fn();
const view = (props: Omit<ComponentProps<typeof SegmentView>, 'onLeadChosen' | 'onFileLeadsListed'>) =>
  createElement(QueryClientProvider, { client: queryClient }, createElement(SegmentView, { onLeadChosen: leadChosen, onFileLeadsListed: fileLeadsListed, ...props }));
/** The leads as the side panel loads them: the rows, and the filter choices they offer. */
function leadsOf(rows: ScoredLeadRow[]) {
  const choices = collectFilterChoices();
  choices.add(rows);
  return { rows, choices: choices.choices() };
}
afterEach(() => rendered?.unmount());

const csvLead: ScoredLeadRow = {
  leadKey: 'csv|row-3',
  source: 'csv',
  recordId: 'row-3',
  name: 'Ada \u202Eecalevol',
  owner: 'Grace',
  leadSource: 'Web',
  createdAt: 0,
  outcome: null,
  probability: 0.9,
  score: 95,
  tier: 'hot',
  topReason: 'Job title: VP Sales',
};

it('asks the panel to explain a CSV lead chosen, which has no CRM page to open, and opens none', () => {
  leadChosen.mockClear();
  vi.mocked(background.openRecord).mockClear();
  rendered = render(view({ leads: leadsOf([csvLead]) }));
  click(rendered.container.querySelector<HTMLButtonElement>('tbody .link-button')!);
  expect(leadChosen.mock.calls).toEqual([[csvLead]]);
  expect(background.openRecord).not.toHaveBeenCalled();
  expect(rendered.container.querySelector('[role="alert"]')).toBeNull();
});

it('asks to open a CRM lead in the window of this panel: the background cannot tell which window asks', async () => {
  leadChosen.mockClear();
  vi.spyOn(fakeBrowser.windows, 'getCurrent').mockResolvedValue({ id: 2 } as never);
  vi.mocked(background.openRecord).mockResolvedValue({ ok: true });
  rendered = render(view({ leads: leadsOf([{ ...csvLead, leadKey: 'salesforce|00Q1', source: 'salesforce', recordId: '00Q1' }]) }));
  click(rendered.container.querySelector<HTMLButtonElement>('tbody .link-button')!);
  await waitFor(() => vi.mocked(background.openRecord).mock.calls.length > 0);
  expect(vi.mocked(background.openRecord).mock.calls).toEqual([[{ crm: 'salesforce', recordId: '00Q1', windowId: 2 }]]);
  await waitFor(() => leadChosen.mock.calls.length > 0);
  expect(leadChosen.mock.calls).toEqual([[expect.objectContaining({ leadKey: 'salesforce|00Q1' })]]); // the panel explains it as the tab's lead
  // The focus stays on the name: what happened is said, the lead's name without the control that reversed it.
  await waitFor(() => [...rendered!.container.querySelectorAll('[role="status"]')].some((region) => region.textContent !== ''));
  expect([...rendered.container.querySelectorAll('[role="status"]')].map((region) => region.textContent).filter(Boolean)).toEqual(['Opened Ada ecalevol in Salesforce: explained under Open lead.']);
  // Another list (the leads scored again) leaves it unsaid, not in the status for a reader to come on later.
  rendered.rerender(view({ leads: leadsOf([{ ...csvLead, leadKey: 'salesforce|00Q1', source: 'salesforce', recordId: '00Q1', score: 80 }]) }));
  expect([...rendered.container.querySelectorAll('[role="status"]')].map((region) => region.textContent).filter(Boolean)).toEqual([]);
});

it('says nothing of opening when the CRM page could not be opened, only why', async () => {
  leadChosen.mockClear();
  vi.spyOn(fakeBrowser.windows, 'getCurrent').mockResolvedValue({ id: 2 } as never);
  vi.mocked(background.openRecord).mockResolvedValue({ ok: false, error: 'Salesforce is not connected' });
  rendered = render(view({ leads: leadsOf([{ ...csvLead, leadKey: 'salesforce|00Q1', source: 'salesforce', recordId: '00Q1' }]) }));
  click(rendered.container.querySelector<HTMLButtonElement>('tbody .link-button')!);
  await waitFor(() => rendered!.container.querySelector('[role="alert"]'));
  expect(rendered.container.querySelector('[role="alert"]')?.textContent).toBe('Salesforce is not connected');
  expect(leadChosen).not.toHaveBeenCalled(); // a file's lead shown in the panel stays
  expect([...rendered.container.querySelectorAll('[role="status"]')].map((region) => region.textContent).filter(Boolean)).toEqual([]);
});

/** Chooses `value` in the select labelled `label`, as a rep does. */
function choose(container: HTMLElement, label: string, value: string): void {
  const select = [...container.querySelectorAll('label')].find((element) => element.firstChild?.textContent === label)!.querySelector('select')!;
  act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

it('says when no lead matches the filters, and shows every lead again from there with the keyboard still in the filters', () => {
  const rows = [csvLead, { ...csvLead, leadKey: 'csv|row-4', recordId: 'row-4', name: 'Bo', owner: 'Priya', leadSource: 'Webinar', tier: 'warm' as const }];
  rendered = render(view({ leads: leadsOf(rows) }));
  choose(rendered.container, 'Owner', 'Priya');
  choose(rendered.container, 'Lead source', 'Web');
  const text = rendered.container.textContent!;
  expect(text).toContain('Segments (0 of 2 leads)');
  expect(text).toContain('No leads match these filters');
  // No empty donut, zero table or empty table per tier beside it.
  expect(rendered.container.querySelector('[role="img"]')).toBeNull();
  expect(rendered.container.querySelector('table')).toBeNull();

  const showAll = [...rendered.container.querySelectorAll('button')].find((button) => button.textContent === 'Show all leads')!;
  pressEnter(showAll);
  expect(rendered.container.textContent).toContain('Segments (2 of 2 leads)');
  expect([...rendered.container.querySelectorAll('select')].map((select) => select.value)).toEqual(['', '', '']);
  expect(rendered.container.querySelectorAll('tbody .link-button')).toHaveLength(2);
  expect(document.activeElement).toBe(rendered.container.querySelector('select'));
});

/** The words of the options of the select labelled `label`. */
function optionsShown(container: HTMLElement, label: string): (string | null)[] {
  const select = [...container.querySelectorAll('label')].find((element) => element.firstChild?.textContent === label)!.querySelector('select')!;
  return [...select.options].map((option) => option.textContent);
}

/** Chooses the option showing `shown` in the select labelled `label`, as a rep does. */
function chooseShown(container: HTMLElement, label: string, shown: string): void {
  const select = [...container.querySelectorAll('label')].find((element) => element.firstChild?.textContent === label)!.querySelector('select')!;
  choose(container, label, [...select.options].find((option) => option.textContent === shown)!.value);
}

it('filters to the leads with no owner or no lead source, offering that only when some lead has none', () => {
  const hubspotLead = (id: string, owner: string, leadSource: string): ScoredLeadRow => ({ ...csvLead, leadKey: `hubspot|${id}`, source: 'hubspot', recordId: id, name: `Lead ${id}`, owner, leadSource });
  // Two HubSpot contacts nobody owns yet, one of them with no source either, beside Grace's CSV lead.
  const rows = [csvLead, hubspotLead('1', '', 'Web'), hubspotLead('2', '', '')];
  rendered = render(view({ leads: leadsOf(rows) }));
  expect(optionsShown(rendered.container, 'Owner')).toEqual(['All owners', 'No owner', 'Grace']);
  expect(optionsShown(rendered.container, 'Lead source')).toEqual(['All sources', 'No lead source', 'Web']);
  chooseShown(rendered.container, 'Owner', 'No owner');
  expect(rendered.container.textContent).toContain('Segments (2 of 3 leads)');
  chooseShown(rendered.container, 'Lead source', 'No lead source');
  expect(rendered.container.textContent).toContain('Segments (1 of 3 leads)');
  expect([...rendered.container.querySelectorAll('tbody .link-button')].map((button) => button.textContent)).toEqual(['Lead 2']);
  // "All" is still all: the choice of no owner is another option.
  chooseShown(rendered.container, 'Owner', 'All owners');
  chooseShown(rendered.container, 'Lead source', 'All sources');
  expect(rendered.container.textContent).toContain('Segments (3 of 3 leads)');

  rendered.rerender(view({ leads: leadsOf([csvLead]) }));
  expect(optionsShown(rendered.container, 'Owner')).toEqual(['All owners', 'Grace']);
  expect(optionsShown(rendered.container, 'Lead source')).toEqual(['All sources', 'Web']);
});

it('says why the Converted column goes when the filters leave no lead whose stored outcome counts (a recent Created), and not when no lead has one', () => {
  const lead = (id: string, daysOld: number, outcome: 0 | 1 | null): ScoredLeadRow => ({ ...csvLead, leadKey: `salesforce|${id}`, source: 'salesforce', recordId: id, name: `Lead ${id}`, createdAt: Date.now() - daysOld * 86_400_000, outcome });
  const note = () => rendered!.container.querySelector('[data-testid="converted-meaning"]')?.textContent;
  rendered = render(view({ leads: leadsOf([lead('1', 60, 1), lead('2', 10, 1)]), outcomeBasis: { kind: 'stored' } }));
  expect(note()).toMatch(/: 1 lead shown has a known outcome \(created 30 or more days ago\); other leads are left out\.$/);
  choose(rendered.container, 'Created', '30');
  expect(rendered.container.textContent).toContain('Segments (1 of 2 leads)');
  expect(rendered.container.querySelector('th:last-child')?.textContent).not.toBe('Converted');
  expect(note()).toMatch(/^Converted means the outcome stored with each lead: .*: no lead shown has a known outcome \(created 30 or more days ago\); other leads are left out\.$/);

  // No lead's outcome counts, filtered or not: no column, and nothing to explain.
  rendered.rerender(view({ leads: leadsOf([lead('1', 60, null), lead('2', 10, 1)]), outcomeBasis: { kind: 'stored' } }));
  expect(note()).toBeUndefined();
  choose(rendered.container, 'Created', '');
  expect(note()).toBeUndefined();
});

it("says Demo mode's made-up leads shown beside your own are not counted in Converted, not that they are too recent", () => {
  const lead = (id: string, owner: string, outcome: 0 | 1, madeUp?: true): ScoredLeadRow => ({
    ...csvLead, leadKey: `salesforce|${id}`, source: 'salesforce', recordId: id, name: `Lead ${id}`, owner, createdAt: Date.now() - 120 * 86_400_000, outcome, ...(madeUp && { madeUp }),
  });
  const rows = [lead('own1', 'Grace', 1), lead('own2', 'Grace', 0), lead('demo1', 'Dana Whitfield', 1, true), lead('demo2', 'Dana Whitfield', 0, true)];
  const note = () => rendered!.container.querySelector('[data-testid="converted-meaning"]')?.textContent;
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'stored' } }));
  expect(note()).toMatch(/: 2 leads shown have a known outcome \(created 30 or more days ago\); other leads are left out\. 2 leads shown are Demo mode's made-up leads, not counted in Converted\.$/);
  // Filtered to a demo owner: every lead shown is made up, however old.
  choose(rendered.container, 'Owner', 'Dana Whitfield');
  expect(rendered.container.textContent).toContain('Segments (2 of 4 leads)');
  expect(note()).toMatch(/^Converted means the outcome stored with each lead: .*: the 2 leads shown are Demo mode's made-up leads, not counted in Converted\.$/);
  // Beside a young lead of your own, each is told apart.
  rendered.rerender(view({ leads: leadsOf([...rows, { ...lead('own3', 'Dana Whitfield', 1), createdAt: Date.now() - 5 * 86_400_000 }]), outcomeBasis: { kind: 'stored' } }));
  expect(note()).toMatch(/: no lead shown has a known outcome \(created 30 or more days ago\); other leads are left out\. 2 leads shown are Demo mode's made-up leads, not counted in Converted\.$/);
  // One alone, and with no lead of your own shown that has an outcome at all: still said.
  rendered.rerender(view({ leads: leadsOf([lead('demo1', 'Dana Whitfield', 1, true), { ...lead('own4', 'Grace', 1), outcome: null }]), outcomeBasis: { kind: 'stored' } }));
  chooseShown(rendered.container, 'Owner', 'All owners');
  expect(note()).toMatch(/: no lead shown has a known outcome \(created 30 or more days ago\); other leads are left out\. 1 lead shown is one of Demo mode's made-up leads, not counted in Converted\.$/);
});

it('tells a screen reader how many leads a filter leaves, where the count is shown, and keeps the count in the heading\'s name', () => {
  const rows = [csvLead, { ...csvLead, leadKey: 'csv|row-4', recordId: 'row-4', name: 'Bo', owner: 'Priya' }];
  rendered = render(view({ leads: leadsOf(rows) }));
  const heading = rendered.container.querySelector('h2#stats-title')!;
  // A polite live region, said whole: not a role=status (nor any role), whose text Chromium leaves out of the heading's name.
  const live = () => heading.querySelector('[aria-live="polite"][aria-atomic="true"]:not([role])')?.textContent;
  expect(heading.querySelector('[role]')).toBeNull();
  expect(heading.textContent).toBe('Segments (2 of 2 leads)');
  expect(live()).toBe('2 of 2 leads');
  choose(rendered.container, 'Owner', 'Priya');
  expect(live()).toBe('1 of 2 leads');
});

it('shows the first page of the top leads a filter leaves, in the order the rep chose', () => {
  // 40 hot leads (four pages), 15 of them Priya's (two pages).
  const rows = Array.from({ length: 40 }, (_, i): ScoredLeadRow => ({
    ...csvLead,
    leadKey: `csv|row-${i}`,
    recordId: `row-${i}`,
    name: `Lead ${String(i).padStart(2, '0')}`,
    owner: i < 25 ? 'Grace' : 'Priya',
    probability: 0.99 - i / 100,
  }));
  rendered = render(view({ leads: leadsOf(rows) }));
  const hotTable = () => rendered!.container.querySelector('.lead-table')!;
  const button = (within: Element, text: string) => [...within.querySelectorAll('button')].find((b) => b.textContent?.startsWith(text))!;
  click(button(hotTable(), 'Lead')); // by name, A to Z
  click(button(hotTable(), 'Next'));
  click(button(hotTable(), 'Next'));
  expect(hotTable().textContent).toContain('Page 3 of 4');
  choose(rendered.container, 'Owner', 'Priya');
  expect(hotTable().textContent).toContain('Page 1 of 2');
  expect(hotTable().querySelector('tbody .link-button')?.textContent).toBe('Lead 25');
  expect(hotTable().querySelector('th[aria-sort="ascending"]')?.textContent).toContain('Lead');
});

it("words HubSpot's lead sources as its pages label them, in the order of the words shown, filtering by the values worded so", () => {
  const hubspotLead = (id: string, leadSource: string): ScoredLeadRow => ({ ...csvLead, leadKey: `hubspot|${id}`, source: 'hubspot', recordId: id, name: `Lead ${id}`, leadSource });
  const rows = [hubspotLead('1', 'SOCIAL_MEDIA'), hubspotLead('2', 'OFFLINE'), { ...csvLead, leadSource: 'Phone Inquiry' }];
  const manifest = { features: [{ derive: { kind: 'value', from: { hubspot: 'hs_analytics_source' }, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social', OFFLINE: 'Offline Sources' } } } }] } as unknown as Manifest;
  rendered = render(view({ leads: leadsOf(rows), sourceWord: leadSourceWords(manifest) }));
  const sourceSelect = [...rendered.container.querySelectorAll('label')].find((element) => element.firstChild?.textContent === 'Lead source')!.querySelector('select')!;
  expect([...sourceSelect.options].map((option) => [option.value, option.textContent])).toEqual([
    ['', 'All sources'],
    ['Offline Sources', 'Offline Sources'],
    ['Organic Social', 'Organic Social'],
    ['Phone Inquiry', 'Phone Inquiry'],
  ]);
  choose(rendered.container, 'Lead source', 'Organic Social');
  expect(rendered.container.textContent).toContain('Segments (1 of 3 leads)');
  // A model that knows no labels, or reads another field: the values as stored.
  expect(leadSourceWords(undefined)('SOCIAL_MEDIA')).toBe('SOCIAL_MEDIA');
  const otherField = { features: [{ derive: { kind: 'value', from: { hubspot: 'hs_latest_source' }, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social' } } } }] } as unknown as Manifest;
  expect(leadSourceWords(otherField)('SOCIAL_MEDIA')).toBe('SOCIAL_MEDIA');
});

it('offers one lead-source choice per word shown, keeping the leads of every value behind it: HubSpot\'s SOCIAL_MEDIA and a file\'s "Organic Social"', () => {
  const rows = [
    { ...csvLead, leadKey: 'hubspot|1', source: 'hubspot' as const, recordId: '1', leadSource: 'SOCIAL_MEDIA' },
    // A CSV exported from HubSpot: its lead source column holds the label.
    { ...csvLead, leadKey: 'csv|2', recordId: '2', leadSource: 'Organic Social' },
    { ...csvLead, leadKey: 'csv|3', recordId: '3', leadSource: 'Web' },
  ];
  const manifest = { features: [{ derive: { kind: 'value', from: { hubspot: 'hs_analytics_source' }, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social' } } } }] } as unknown as Manifest;
  rendered = render(view({ leads: leadsOf(rows), sourceWord: leadSourceWords(manifest) }));
  const sourceSelect = [...rendered.container.querySelectorAll('label')].find((element) => element.firstChild?.textContent === 'Lead source')!.querySelector('select')!;
  expect([...sourceSelect.options].map((option) => option.textContent)).toEqual(['All sources', 'Organic Social', 'Web']);
  choose(rendered.container, 'Lead source', 'Organic Social');
  expect(rendered.container.textContent).toContain('Segments (2 of 3 leads)');
  // A model without HubSpot's labels: each value as stored, its own choice.
  rendered.rerender(view({ leads: leadsOf(rows) }));
  expect([...sourceSelect.options].map((option) => option.textContent)).toEqual(['All sources', 'Organic Social', 'SOCIAL_MEDIA', 'Web']);
  expect(rendered.container.textContent).toContain('Segments (1 of 3 leads)');
});

it("keeps Salesforce's labels out of the lead-source filter: one choice per value, and a file's 'Web' is no Salesforce lead's", () => {
  const salesforceLabelled = { features: [{ derive: { kind: 'value', from: { salesforce: 'LeadSource' }, optionLabels: { salesforce: { Web: 'Website' } } } }] } as unknown as Manifest;
  expect(leadSourceWords(salesforceLabelled)('Web')).toBe('Web');
});

const thresholds = { hot: 0.5, warm: 0.2 };

it("counts conversions by the active model's rule once its outcomes are read, saying what converted means and of how many leads", () => {
  const salesforceLead = (id: string, outcome: 0 | 1): ScoredLeadRow => ({ ...csvLead, leadKey: `salesforce|${id}`, source: 'salesforce', recordId: id, outcome, createdAt: Date.now() - 200 * 86_400_000 });
  // Stored at sync as IsConverted: 1, 2 converted; 3, 4 not (still being worked, by the rule).
  const rows = [salesforceLead('1', 1), salesforceLead('2', 1), salesforceLead('3', 0), salesforceLead('4', 0)];
  const rule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Working - Contacted'] } };
  const hotRate = () => rendered!.container.querySelector('[data-tier-row="hot"] td:last-child')?.textContent;
  const note = () => rendered!.container.querySelector('[data-testid="converted-meaning"]')?.textContent;

  // While the outcomes by the rule are read: no rate, rather than one of the stored outcomes.
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'reading' } }));
  expect(rendered.container.querySelector('th:last-child')?.textContent).not.toBe('Converted');
  expect(rendered.container.querySelector('p[role="status"]')?.textContent).toBe("Reading the leads' outcomes for the conversion rates…");

  const outcomes = new Map([
    ['salesforce|1', { outcome: 1 as const, heldOutProbability: null }],
    ['salesforce|2', { outcome: 1 as const, heldOutProbability: null }],
  ]);
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect(hotRate()).toBe('100% of 2');
  expect(note()).toBe(
    'Converted means the lead was converted into an account and contact (still being worked while "Lead Status" is Working - Contacted), for Salesforce leads, the outcome the model was trained on: 2 leads shown have a known outcome (created 30 or more days ago); other leads are left out.',
  );

  // A model without a rule (the bundled model): the outcomes stored with the leads, as before.
  rendered.rerender(view({ leads: leadsOf(rows) }));
  expect(hotRate()).toBe('50% of 4');
  expect(note()).toMatch(/^Converted means the outcome stored with each lead: .*: 4 leads shown have a known outcome \(created 30 or more days ago\); other leads are left out\.$/);

  // A model trained with a 90-day minimum age: its outcomes (read in the worker) count from 90 days, and the note says so.
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule: { ...rule, settledAfterDays: 90 }, outcomes, thresholds, learntFrom: true, learntFromBy: 'cuts' } }));
  expect(note()).toMatch(/: 2 leads shown have a known outcome \(created 90 or more days ago, or learnt from\); other leads are left out\. A lead the model learnt from /);
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule: { ...rule, settledAfterDays: 0 }, outcomes, thresholds, learntFrom: true, learntFromBy: 'cuts' } }));
  expect(note()).toMatch(/: 2 leads shown have a known outcome \(however new\); other leads are left out\. A lead the model learnt from /);

  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'unreadable', error: 'The database is closed' } }));
  expect(rendered.container.querySelector('.card [role="alert"]')?.textContent).toBe("The leads' outcomes could not be read, so no conversion rate is shown: The database is closed");
});

it("shows a lead the model learnt from in the rate of the tier of its held-out probability, and says so, while it stays listed by its score", () => {
  const salesforceLead = (id: string, probability: number, tier: ScoredLeadRow['tier']): ScoredLeadRow => ({
    ...csvLead, leadKey: `salesforce|${id}`, source: 'salesforce', recordId: id, name: `Lead ${id}`, probability, tier, createdAt: Date.now() - 200 * 86_400_000,
  });
  // The model learnt that 1 converted and scores it hot since; a check model that never saw it gave it 0.05, cold.
  const rows = [salesforceLead('1', 0.9, 'hot'), salesforceLead('2', 0.8, 'hot'), salesforceLead('3', 0.05, 'cold')];
  const outcomes = new Map([
    ['salesforce|1', { outcome: 1 as const, heldOutProbability: 0.05 }],
    ['salesforce|2', { outcome: 0 as const, heldOutProbability: 0.7 }],
    ['salesforce|3', { outcome: 0 as const, heldOutProbability: null }],
  ]);
  const rule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'] };
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule, outcomes, thresholds, learntFrom: true, learntFromBy: 'cuts' } }));
  const cells = (tier: string) => [...rendered!.container.querySelectorAll(`[data-tier-row="${tier}"] td`)].map((cell) => cell.textContent);
  expect(cells('hot')).toEqual(['2', '67%', '0% of 1']);
  expect(cells('cold')).toEqual(['1', '33%', '50% of 2']);
  // Converted by the rule, it is left out of the list of its score's tier, hot, not of its held-out probability's.
  expect([...rendered.container.querySelectorAll('.lead-table tbody .link-button')].map((button) => button.textContent)).toEqual(['Lead 2']);
  expect(rendered.container.querySelector('[data-testid="converted-left-out-hot"]')?.textContent).toBe(
    '1 hot lead converted already, by the outcome the model was trained on: left out of this list (the counts above include it).',
  );
  expect(rendered.container.querySelector('[data-testid="converted-meaning"]')?.textContent).toMatch(
    /: 3 leads shown have a known outcome \(created 30 or more days ago, or learnt from\); other leads are left out\. A lead the model learnt from counts in the tier of the score a check model trained without it gave it, not of the score it shows \(the model knew its outcome, so that score would flatter it\), as the options page counts them; the lists show it in the tier of the score it shows\.$/,
  );
});

it("counts a lead the model learnt from in the tier the options page does under the model's policy: cross-fitted under a value policy, and says so of a model trained before it kept those", () => {
  const salesforceLead = (id: string, probability: number, tier: ScoredLeadRow['tier']): ScoredLeadRow => ({
    ...csvLead, leadKey: `salesforce|${id}`, source: 'salesforce', recordId: id, name: `Lead ${id}`, probability, tier, createdAt: Date.now() - 200 * 86_400_000,
  });
  const rows = [salesforceLead('1', 0.9, 'hot'), salesforceLead('2', 0.8, 'hot'), salesforceLead('3', 0.05, 'cold')];
  // Lead 1 converted: the check model's score of it is hot (0.6) through the calibration its outcome fitted, warm (0.3) through one fitted without it.
  const outcomes = new Map<string, RuleOutcome>([
    ['salesforce|1', { outcome: 1, heldOutProbability: 0.6, crossFittedProbability: 0.3 }],
    ['salesforce|2', { outcome: 0, heldOutProbability: 0.1, crossFittedProbability: 0.1 }],
    ['salesforce|3', { outcome: 0, heldOutProbability: null }],
  ]);
  const rule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'] };
  const basis = (learntFromBy: LearntFromBasis) => ({ kind: 'rule' as const, rule, outcomes, thresholds, learntFrom: true, learntFromBy });
  const cells = (tier: string) => [...rendered!.container.querySelectorAll(`[data-tier-row="${tier}"] td`)].map((cell) => cell.textContent);
  const note = () => rendered!.container.querySelector('[data-testid="converted-meaning"]')?.textContent ?? '';
  const notKept = 'The model was trained before LeadLens kept those scores on a scale their outcomes did not set, so its hot tier may convert more here than it will on new leads.';

  // A value policy: lead 1 in the warm tier's rate, as the options page counts it; the counts stay by the scores shown.
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: basis('cross-fitted') }));
  expect(TIERS.map(cells)).toEqual([
    ['2', '67%', 'unknown'],
    ['0', '0%', '100% of 1'],
    ['1', '33%', '0% of 2'],
  ]);
  expect(note()).toContain('as the options page counts them');
  expect(note()).not.toContain(notKept);
  // A capacity policy: by the shipped calibration, where its cuts are made.
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: basis('cuts') }));
  expect(TIERS.map(cells)).toEqual([
    ['2', '67%', '100% of 1'],
    ['0', '0%', 'unknown'],
    ['1', '33%', '0% of 2'],
  ]);
  // A value policy of a model trained before LeadLens kept the cross-fitted scores: by the shipped calibration too, as the options page says.
  const before = new Map([...outcomes].map(([leadKey, { outcome, heldOutProbability }]) => [leadKey, { outcome, heldOutProbability }]));
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { ...basis('not-kept'), outcomes: before } }));
  expect(cells('hot')).toEqual(['2', '67%', '100% of 1']);
  expect(note()).toContain(`as the options page counts them; the lists show it in the tier of the score it shows. ${notKept}`);
  expect(note()).not.toMatch(/IsConverted|held[- ]out|probabilit|calibrat/i);
});

it("says in a rep's words what Converted counts, naming no CRM API field and no statistician's term", () => {
  // Not "Salesforce's IsConverted" nor "held-out probability": a rep knows neither.
  const jargon = /IsConverted|held[- ]out|probabilit/i;
  const aged = (id: string, outcome: 0 | 1): ScoredLeadRow => ({
    ...csvLead, leadKey: `salesforce|${id}`, source: 'salesforce', recordId: id, name: `Lead ${id}`, outcome, createdAt: Date.now() - 200 * 86_400_000,
  });
  // A model without a rule: the stored outcomes, a converted lead left out of the hot list.
  rendered = render(view({ leads: leadsOf([aged('won', 1), aged('open', 0)]) }));
  const said = () => ['converted-meaning', 'converted-left-out-hot'].map((id) => rendered!.container.querySelector(`[data-testid="${id}"]`)?.textContent ?? '');
  const footer = () => rendered!.container.querySelector('.segment-stats tfoot')?.textContent ?? '';
  // Of Salesforce leads alone: no other source's outcome is said.
  expect(said()[0]).toContain('Converted means the outcome stored with each lead: a Salesforce lead converted into an account and contact: ');
  expect(said()[1]).toMatch(/^1 hot lead already past the lead stage in its CRM \(a Salesforce lead converted into an account and contact\)/);
  for (const text of said()) expect(text).not.toMatch(/HubSpot|file/);
  // No check model's scores of its leads (the bundled model, the CLI's): each counts at the score it shows, as the options page says.
  expect(footer()).toContain('A lead the model may have learnt from counts in the tier of the score it shows, which may make its rates look better');
  for (const text of [...said(), footer()]) expect(text).not.toMatch(jargon);
  // A model with a rule that learnt from the leads shown: how those count, said too.
  const rule = { source: 'salesforce' as const, field: 'Status', positiveValues: ['Closed - Converted'] };
  const outcomes = new Map([['salesforce|won', { outcome: 1 as const, heldOutProbability: 0.4 }], ['salesforce|open', { outcome: 0 as const, heldOutProbability: 0.1 }]]);
  rendered.rerender(view({ leads: leadsOf([aged('won', 1), aged('open', 0)]), outcomeBasis: { kind: 'rule', rule, outcomes, thresholds, learntFrom: true, learntFromBy: 'cuts' } }));
  expect(said()[0]).toContain('A lead the model learnt from counts in the tier of the score a check model trained without it gave it');
  expect(footer()).toContain('a lead the model learnt from counts in the tier of the score a check model trained without it gave it, not of the score it shows');
  for (const text of [...said(), footer()]) expect(text).not.toMatch(jargon);
});

it("says the rates count the leads a model learnt from by a check model's scores only while it has them: re-imported, it has none, and its rates count them as shown", () => {
  const salesforceLead = (id: string, probability: number, tier: ScoredLeadRow['tier']): ScoredLeadRow => ({
    ...csvLead, leadKey: `salesforce|${id}`, source: 'salesforce', recordId: id, name: `Lead ${id}`, probability, tier, createdAt: Date.now() - 200 * 86_400_000,
  });
  // The model learnt that 1 converted and scores it hot since; a check model that never saw it gave it 0.05, cold.
  const rows = [salesforceLead('1', 0.9, 'hot'), salesforceLead('2', 0.8, 'hot'), salesforceLead('3', 0.05, 'cold')];
  const rule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'] };
  const outcomesWith = (heldOut: (probability: number) => number | null) =>
    new Map<string, RuleOutcome>([
      ['salesforce|1', { outcome: 1, heldOutProbability: heldOut(0.05) }],
      ['salesforce|2', { outcome: 0, heldOutProbability: heldOut(0.7) }],
      ['salesforce|3', { outcome: 0, heldOutProbability: null }],
    ]);
  const hotRate = () => rendered!.container.querySelector('[data-tier-row="hot"] td:last-child')?.textContent;
  const footer = () => rendered!.container.querySelector('.segment-stats tfoot')?.textContent ?? '';
  const note = () => rendered!.container.querySelector('[data-testid="converted-meaning"]')?.textContent ?? '';

  // Trained here, its check model's scores kept: lead 1 counts cold, and both the footer and the note say how.
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule, outcomes: outcomesWith((p) => p), thresholds, learntFrom: true, learntFromBy: 'cuts' } }));
  expect(hotRate()).toBe('0% of 1');
  expect(footer()).toContain('(a lead the model learnt from counts in the tier of the score a check model trained without it gave it, not of the score it shows).');
  expect(note()).toContain('A lead the model learnt from counts in the tier of the score a check model trained without it gave it');

  // The same model exported, deleted and imported again: no check model's scores, so lead 1 counts hot, at the score it shows.
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule, outcomes: outcomesWith(() => null), thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect(hotRate()).toBe('50% of 2');
  expect(footer()).toBe(
    "Converted: of the tier's leads with a known outcome, the share that converted, and of how many. A lead the model may have learnt from counts in the tier of the score it shows, which may make its rates look better than they will be on new leads.",
  );
  expect(note()).not.toContain('check model');
});

it('lists no lead already past the lead stage by its stored status among the top leads a rep works, for a model without a rule, saying how many were left out, while the counts include them', () => {
  const lead = (name: string, outcome: 0 | 1 | null, probability: number) => ({ ...csvLead, leadKey: `csv|${name}`, recordId: name, name, outcome, probability });
  rendered = render(view({ leads: leadsOf([lead('Won', 1, 0.99), lead('Also won', 1, 0.97), lead('Open', null, 0.9), lead('Lost', 0, 0.85)]) }));
  const names = [...rendered.container.querySelectorAll('tbody .link-button')].map((button) => button.textContent);
  expect(names).toEqual(['Open', 'Lost']);
  expect(rendered.container.querySelector('[data-testid="converted-left-out-hot"]')?.textContent).toBe(
    "2 hot leads already past the lead stage in their file (a file's outcome column): left out of this list (the counts above include them).",
  );
  expect(rendered.container.textContent).toContain('Segments (4 of 4 leads)');
});

it('says every lead of a tier is past the lead stage already, not that the tier has none, when all of them are', () => {
  const won = (name: string) => ({ ...csvLead, leadKey: `csv|${name}`, recordId: name, name, outcome: 1 as const });
  rendered = render(view({ leads: leadsOf([won('Ann'), won('Bob')]) }));
  const text = rendered.container.textContent!;
  expect(text).toContain("All 2 hot leads already past the lead stage in their file (a file's outcome column): none left to work (the counts above include them).");
  expect(text.match(/No leads in this tier/g)).toHaveLength(1); // the warm tier's, which has none
  expect(rendered.container.querySelector('[data-testid="converted-left-out-hot"]')).toBeNull();
});

it("lists the leads a model with a rule ranks highest that have not converted by its rule, whatever their stored outcome, as its rates count them", () => {
  // A model trained on "lifecyclestage is customer": HubSpot contacts at "opportunity", stored as converted (opportunity or later), have not converted by it.
  const contact = (id: string, outcome: 0 | 1, probability: number): ScoredLeadRow => ({
    ...csvLead, leadKey: `hubspot|${id}`, source: 'hubspot', recordId: id, name: `Contact ${id}`, createdAt: Date.now() - 200 * 86_400_000, outcome, probability,
  });
  const rows = [contact('1', 1, 0.8), contact('2', 1, 0.7), contact('3', 1, 0.6), contact('customer', 1, 0.9), contact('MQL', 0, 0.55)];
  const rule = { source: 'hubspot' as const, field: 'lifecyclestage', positiveValues: ['customer'] };
  const outcomes = new Map(rows.map((row) => [row.leadKey, { outcome: row.leadKey === 'hubspot|customer' ? (1 as const) : (0 as const), heldOutProbability: null }]));
  const listed = () => [...rendered!.container.querySelectorAll('.lead-table tbody .link-button')].map((button) => button.textContent);
  const leftOut = () => rendered!.container.querySelector('[data-testid="converted-left-out-hot"]')?.textContent;

  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect([...rendered.container.querySelectorAll('[data-tier-row="hot"] td')].map((cell) => cell.textContent)).toEqual(['5', '100%', '20% of 5']);
  expect(listed()).toEqual(['Contact 1', 'Contact 2', 'Contact 3', 'Contact MQL']);
  expect(leftOut()).toBe('1 hot lead converted already, by the outcome the model was trained on: left out of this list (the counts above include it).');

  // Its outcomes still being read: the CRM's own status decides meanwhile, so no customer tops the list for that moment.
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'reading' } }));
  expect(listed()).toEqual(['Contact MQL']);
  expect(leftOut()).toMatch(/^4 hot leads already past the lead stage in their CRM \(a HubSpot lifecycle stage of opportunity or later in the portal's order, or past the middle of it in a portal without opportunity\):/);
});

it("leaves out another source's leads by their CRM's own status under a model with a rule, and says both", () => {
  const contact = (id: string, outcome: 0 | 1, probability: number): ScoredLeadRow => ({
    ...csvLead, leadKey: `hubspot|${id}`, source: 'hubspot', recordId: id, name: `Contact ${id}`, createdAt: Date.now() - 200 * 86_400_000, outcome, probability,
  });
  const salesforceWon: ScoredLeadRow = { ...csvLead, leadKey: 'salesforce|won', source: 'salesforce', recordId: 'won', name: 'Lead won', outcome: 1, probability: 0.95 };
  const rows = [contact('customer', 1, 0.9), contact('open', 0, 0.6), salesforceWon];
  const rule = { source: 'hubspot' as const, field: 'lifecyclestage', positiveValues: ['customer'] };
  const outcomes = new Map([['hubspot|customer', { outcome: 1 as const, heldOutProbability: null }], ['hubspot|open', { outcome: 0 as const, heldOutProbability: null }]]);
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect([...rendered.container.querySelectorAll('.lead-table tbody .link-button')].map((button) => button.textContent)).toEqual(['Contact open']);
  expect(rendered.container.querySelector('[data-testid="converted-left-out-hot"]')?.textContent).toBe(
    "2 hot leads converted already, by the outcome the model was trained on, or for another source's leads already past the lead stage in their CRM (a Salesforce lead converted into an account and contact): left out of this list (the counts above include them).",
  );
});

it("counts a file model's leads to the file's latest created date, written out, and a CRM model's to today, in what the note says of them", async () => {
  // An imported file exported on Mar 12, 2024, read long after.
  const exported = Date.parse('2024-03-12T09:00:00Z');
  const stored = (id: string, createdAt: number): StoredLead => ({ key: `csv|${id}`, source: 'csv', id, origin: 'csv', name: id, owner: 'Grace', leadSource: 'Web', createdAt, modifiedAt: createdAt, outcome: 1, fields: { Converted: 'yes' } });
  await db.putLeads([stored('1', exported - 90 * 86_400_000), stored('2', exported)]);
  const rows = [
    { ...csvLead, leadKey: 'csv|1', recordId: '1', outcome: 1 as const, createdAt: exported - 90 * 86_400_000 },
    { ...csvLead, leadKey: 'csv|2', recordId: '2', outcome: 1 as const, createdAt: exported - 60 * 86_400_000 },
  ];
  const outcomes = new Map([['csv|1', { outcome: 1 as const, heldOutProbability: null }]]);
  const fileRule = { source: 'csv' as const, field: 'Converted', positiveValues: ['yes'], settledAfterDays: 30 };
  /** The note once it says `words` (the file's date is read after the outcomes). */
  const noteSaying = (words: string) => waitFor(() => [rendered!.container.querySelector('[data-testid="converted-meaning"]')].find((note) => note?.textContent?.includes(words)));

  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule: fileRule, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect((await noteSaying('Mar 12, 2024')).textContent).toBe(
    'Converted means "Converted" is yes, for imported CSV leads, the outcome the model was trained on: 1 lead shown has a known outcome (created 30 or more days before Mar 12, 2024, the file\'s latest created date); other leads are left out.',
  );

  // A model without a rule: the outcomes stored with every source's leads, a CRM's by today, the file's by its date.
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'stored', fileAgesFrom: exported } }));
  expect((await noteSaying('outcome stored')).textContent).toMatch(
    /: 2 leads shown have a known outcome \(created 30 or more days ago, an imported file's leads 30 or more days before Mar 12, 2024, the file's latest created date\); other leads are left out\.$/,
  );

  // A model trained on a CRM: its leads are as of today, whatever file is stored beside them.
  const crmRule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'], settledAfterDays: 30 };
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule: crmRule, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect((await noteSaying('Salesforce')).textContent).toMatch(/: 1 lead shown has a known outcome \(created 30 or more days ago\); other leads are left out\.$/);
});

it("reads each lead's outcome by the rule once for both the rates and the note on leads with no created date", async () => {
  // Cold file leads with no created date, under a model trained on the file: the lists (hot and warm) read none of their outcomes.
  const undated = (id: string): ScoredLeadRow => ({ ...csvLead, leadKey: `csv|${id}`, recordId: id, name: `Lead ${id}`, tier: 'cold' });
  const reads: string[] = [];
  const outcomes = new (class extends Map<string, RuleOutcome> {
    override get(leadKey: string) {
      reads.push(leadKey);
      return super.get(leadKey);
    }
  })([
    ['csv|1', { outcome: 1, heldOutProbability: null }],
    ['csv|2', { outcome: 0, heldOutProbability: null }],
  ]);
  const rule = { source: 'csv' as const, field: 'Converted', positiveValues: ['yes'] };
  rendered = render(view({ leads: leadsOf([undated('1'), undated('2')]), outcomeBasis: { kind: 'rule', rule, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  const note = await waitFor(() => rendered!.container.querySelector('[data-testid="converted-meaning"]'));
  expect(note.textContent).toMatch(/: 2 leads shown have a known outcome \(with no created date\); other leads are left out\.$/);
  expect(reads.sort()).toEqual(['csv|1', 'csv|2']);
});

it('says that leads with no created date count too, whatever their age, when some or all of those counted have none', async () => {
  // A file imported without a created-date column: each of its leads is stored with createdAt 0.
  const undated = (id: string, outcome: 0 | 1, tier: ScoredLeadRow['tier']): ScoredLeadRow => ({ ...csvLead, leadKey: `csv|${id}`, recordId: id, name: `Lead ${id}`, outcome, tier });
  const rows = [undated('1', 1, 'hot'), undated('2', 0, 'hot'), undated('3', 0, 'cold')];
  const note = () => rendered!.container.querySelector('[data-testid="converted-meaning"]')?.textContent;
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'stored', fileAgesFrom: Date.now() } }));
  await waitFor(() => note() ?? null);
  expect(note()).toMatch(/: 3 leads shown have a known outcome \(with no created date\); other leads are left out\.$/);

  // Beside a CRM's dated leads: both kinds counted.
  const dated: ScoredLeadRow = { ...csvLead, leadKey: 'salesforce|9', source: 'salesforce', recordId: '9', outcome: 1, createdAt: Date.now() - 200 * 86_400_000 };
  rendered.rerender(view({ leads: leadsOf([...rows, dated]), outcomeBasis: { kind: 'stored', fileAgesFrom: Date.now() } }));
  expect(note()).toMatch(/: 4 leads shown have a known outcome \(created 30 or more days ago, or with no created date\); other leads are left out\.$/);

  // By a model's rule: only the leads whose outcome it counts (here the dated one) say whether undated leads are among them.
  const rule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'] };
  const outcomes = new Map([['salesforce|9', { outcome: 1 as const, heldOutProbability: null }]]);
  rendered.rerender(view({ leads: leadsOf([...rows, dated]), outcomeBasis: { kind: 'rule', rule, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect(note()).toMatch(/: 1 lead shown has a known outcome \(created 30 or more days ago\); other leads are left out\.$/);
});

it('keeps a long lead source from widening the side panel: its option shows the start of it, filtering by the whole of it', () => {
  const campaign = 'https://www.google.com/search?q=crm+lead+scoring+for+salesforce&utm_source=newsletter&utm_campaign=spring-2025-webinar-series-follow-up';
  const rows = [{ ...csvLead, leadSource: campaign }, { ...csvLead, leadKey: 'csv|row-4', recordId: 'row-4', name: 'Bo', leadSource: 'Web' }];
  rendered = render(view({ leads: leadsOf(rows) }));
  const option = [...rendered.container.querySelectorAll('option')].find((element) => element.value === campaign)!;
  expect(option.textContent).toBe('https://www.google.com/search?q=crm+lea…');
  expect(option.title).toBe(campaign);
  expect([...rendered.container.querySelectorAll('option')].find((element) => element.value === 'Web')!.title).toBe('');
  choose(rendered.container, 'Lead source', campaign);
  expect(rendered.container.textContent).toContain('Segments (1 of 2 leads)');
});

// happy-dom lays nothing out: this reads that the stylesheet's rules reach the filters (a real Chromium measured a 898 px select in a 500 px panel before them).
it('lets no filter be wider than the side panel', () => {
  const pageStyle = document.head.appendChild(document.createElement('style'));
  pageStyle.textContent = readFileSync('components/page.css', 'utf8');
  try {
    rendered = render(view({ leads: leadsOf([csvLead]) }));
    const select = rendered.container.querySelector('.filters select')!;
    expect(getComputedStyle(select).maxWidth).toBe('100%');
    const label = getComputedStyle(select.parentElement!);
    expect(parseFloat(label.minWidth)).toBe(0);
    expect(label.maxWidth).toBe('100%');
  } finally {
    pageStyle.remove();
  }
});

/** The names of the leads listed, hot then warm. */
const listed = (container: HTMLElement) => [...container.querySelectorAll('.lead-table tbody .link-button')].map((button) => button.textContent);

it("leaves out of the top leads a file's leads closed without converting by the rule of a model trained on it that names the values still open, saying how many", () => {
  // A model trained on the file by "Status" is Closed - Converted, still open while Open - Not Contacted or Working - Contacted.
  const fileLead = (id: string, probability: number): ScoredLeadRow => ({ ...csvLead, leadKey: `csv|${id}`, recordId: id, name: id, probability, createdAt: Date.now() - 200 * 86_400_000 });
  const rows = [fileLead('Won', 0.99), fileLead('Lost', 0.98), fileLead('Lost too', 0.97), fileLead('Lost last week', 0.96), fileLead('Working', 0.95)];
  const outcomes = new Map<string, RuleOutcome>([
    ['csv|Won', { outcome: 1, heldOutProbability: null }],
    ['csv|Lost', { outcome: 0, heldOutProbability: null }],
    ['csv|Lost too', { outcome: 0, heldOutProbability: null }],
    ['csv|Lost last week', { outcome: 0, heldOutProbability: null, uncounted: true }],
  ]);
  const rule = { source: 'csv' as const, field: 'Status', positiveValues: ['Closed - Converted'], openValues: ['Open - Not Contacted', 'Working - Contacted'], settledAfterDays: 30 };
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect(listed(rendered.container)).toEqual(['Working']);
  expect(rendered.container.querySelector('[data-testid="lost-left-out-hot"]')?.textContent).toBe(
    '3 hot leads closed without converting, by the outcome the model was trained on: left out of this list (the counts above include them).',
  );
  expect(rendered.container.querySelector('[data-testid="converted-left-out-hot"]')?.textContent).toBe(
    '1 hot lead converted already, by the outcome the model was trained on: left out of this list (the counts above include it).',
  );
  expect(rendered.container.textContent).toContain('Segments (5 of 5 leads)');

  // Without values still open, the rule's "not converted" may be a lead still worked: listed.
  const { openValues: _open, ...noneOpen } = rule;
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule: noneOpen, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect(listed(rendered.container)).toEqual(['Lost', 'Lost too', 'Lost last week', 'Working']);
  expect(rendered.container.querySelector('[data-testid="lost-left-out-hot"]')).toBeNull();
});

it("keeps a CRM's leads not converted among the top leads, whatever its rule names still being worked: they may be open", () => {
  const salesforceLead = (id: string, probability: number): ScoredLeadRow => ({
    ...csvLead, leadKey: `salesforce|${id}`, source: 'salesforce', recordId: id, name: id, outcome: 0, probability, createdAt: Date.now() - 200 * 86_400_000,
  });
  const rows = [salesforceLead('Not contacted', 0.9), salesforceLead('Closed - Not Converted', 0.8)];
  const rule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Working - Contacted'] } };
  const outcomes = new Map(rows.map((row): [string, RuleOutcome] => [row.leadKey, { outcome: 0, heldOutProbability: null }]));
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'rule', rule, outcomes, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect(listed(rendered.container)).toEqual(['Not contacted', 'Closed - Not Converted']);
  expect(rendered.container.querySelector('[data-testid="lost-left-out-hot"]')).toBeNull();
});

it("tells the panel whether the top leads list a file's lead: not when the file's leads are filtered out, cold, converted or lost, nor once gone", () => {
  const salesforceLead: ScoredLeadRow = { ...csvLead, leadKey: 'salesforce|00Q1', source: 'salesforce', recordId: '00Q1', name: 'Grace Hopper', owner: 'Priya' };
  const toldLast = () => fileLeadsListed.mock.lastCall?.[0];
  fileLeadsListed.mockClear();
  rendered = render(view({ leads: leadsOf([salesforceLead]) }));
  expect(toldLast()).toBe(false);
  rendered.rerender(view({ leads: leadsOf([salesforceLead, csvLead]) }));
  expect(toldLast()).toBe(true);
  // Filtered out: Top leads lists Priya's CRM lead alone.
  choose(rendered.container, 'Owner', 'Priya');
  expect(listed(rendered.container)).toEqual(['Grace Hopper']);
  expect(toldLast()).toBe(false);
  choose(rendered.container, 'Owner', '');
  expect(toldLast()).toBe(true);
  // Stored, but in no list: a cold lead, and one converted already or lost by the model's rule.
  rendered.rerender(view({ leads: leadsOf([salesforceLead, { ...csvLead, tier: 'cold' }]) }));
  expect(toldLast()).toBe(false);
  rendered.rerender(view({ leads: leadsOf([salesforceLead, { ...csvLead, outcome: 1 }]) }));
  expect(listed(rendered.container)).toEqual(['Grace Hopper']);
  expect(toldLast()).toBe(false);
  const rule = { source: 'csv' as const, field: 'Status', positiveValues: ['Closed - Converted'], openValues: ['Working - Contacted'] };
  const lost = new Map<string, RuleOutcome>([[csvLead.leadKey, { outcome: 0, heldOutProbability: null }]]);
  rendered.rerender(view({ leads: leadsOf([salesforceLead, csvLead]), outcomeBasis: { kind: 'rule', rule, outcomes: lost, thresholds, learntFrom: false, learntFromBy: 'cuts' } }));
  expect(listed(rendered.container)).toEqual(['Grace Hopper']);
  expect(toldLast()).toBe(false);
  rendered.rerender(view({ leads: leadsOf([salesforceLead, csvLead]) }));
  expect(toldLast()).toBe(true);
  // The top leads gone (no scored lead, a model read afresh): none listed.
  rendered.unmount();
  rendered = undefined;
  expect(toldLast()).toBe(false);
});

/** Stores `rule` as the stored import's outcome rule, as an import's commit does. */
async function importedWith(rule: OutcomeRule): Promise<void> {
  stubWebLocks();
  try {
    await dexieCsvSink.commit(rule);
  } finally {
    vi.unstubAllGlobals();
  }
}

it("leaves out a file's leads stored as not converted when its import ticked the values still open, for a model without a rule, and says when none is left", async () => {
  await importedWith({ field: 'Status', positiveValues: ['Closed - Converted'], openValues: ['Working - Contacted'] });
  const lead = (id: string, source: ScoredLeadRow['source'], outcome: 0 | 1 | null, probability: number): ScoredLeadRow => ({
    ...csvLead, leadKey: `${source}|${id}`, source, recordId: id, name: id, outcome, probability,
  });
  const rows = [lead('Lost', 'csv', 0, 0.99), lead('Working', 'csv', null, 0.98), lead('Salesforce not converted', 'salesforce', 0, 0.97)];
  rendered = render(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'stored' } }));
  const lostNote = await waitFor(() => rendered!.container.querySelector('[data-testid="lost-left-out-hot"]'));
  expect(lostNote.textContent).toBe("1 hot lead closed without converting, by the imported file's outcome column: left out of this list (the counts above include it).");
  expect(listed(rendered.container)).toEqual(['Working', 'Salesforce not converted']);

  // Every hot lead converted already or lost: none left to work, and why.
  rendered.rerender(view({ leads: leadsOf([lead('Lost', 'csv', 0, 0.99), lead('Won', 'csv', 1, 0.98)]), outcomeBasis: { kind: 'stored' } }));
  await waitFor(() => rendered!.container.textContent!.includes('none left to work') || null);
  expect(rendered.container.textContent).toContain(
    "All 2 hot leads left out, 1 already past the lead stage in its file (a file's outcome column), and 1 closed without converting, by the imported file's outcome column: none left to work (the counts above include them).",
  );

  // An import that ticked no value still open: its "not converted" may be a lead still worked.
  await importedWith({ field: 'Status', positiveValues: ['Closed - Converted'] });
  queryClient.clear();
  rendered.rerender(view({ leads: leadsOf(rows), outcomeBasis: { kind: 'stored' } }));
  await waitFor(() => (listed(rendered!.container).length === 3 ? true : null));
  expect(rendered.container.querySelector('[data-testid="lost-left-out-hot"]')).toBeNull();
});

it("counts the Created filter's days of a file's leads back from the file's latest created date, a CRM's from today, and says so", async () => {
  // The file was exported 8 days ago: by today, none of its leads is a week old.
  const fileDate = Date.now() - 8 * 86_400_000;
  const stored = (id: string, createdAt: number): StoredLead => ({ key: `csv|${id}`, source: 'csv', id, origin: 'csv', name: id, owner: 'Grace', leadSource: 'Web', createdAt, modifiedAt: createdAt, outcome: null, fields: {} });
  const fileLeads = [stored('latest', fileDate), stored('3 days before', fileDate - 3 * 86_400_000), stored('20 days before', fileDate - 20 * 86_400_000)];
  await db.putLeads(fileLeads);
  const rows = fileLeads.map((lead): ScoredLeadRow => ({ ...csvLead, leadKey: lead.key, recordId: lead.id, name: lead.name, createdAt: lead.createdAt }));
  rendered = render(view({ leads: leadsOf(rows) }));
  const lastWeek = `Last 7 days (to ${formatDay(fileDate)}, the file's date)`;
  await waitFor(() => optionsShown(rendered!.container, 'Created').includes(lastWeek) || null);
  expect(optionsShown(rendered.container, 'Created')).toEqual(['Any time', lastWeek, `Last 30 days (to ${formatDay(fileDate)}, the file's date)`, `Last 90 days (to ${formatDay(fileDate)}, the file's date)`, `Last year (to ${formatDay(fileDate)}, the file's date)`]);
  choose(rendered.container, 'Created', '7');
  expect(rendered.container.textContent).toContain('Segments (2 of 3 leads)');

  // Beside a CRM's leads, counted from today.
  const crmLead: ScoredLeadRow = { ...csvLead, leadKey: 'salesforce|1', source: 'salesforce', recordId: '1', name: 'CRM lead', createdAt: Date.now() - 2 * 86_400_000 };
  rendered.rerender(view({ leads: leadsOf([...rows, crmLead]) }));
  expect(optionsShown(rendered.container, 'Created')[1]).toBe(`Last 7 days (to ${formatDay(fileDate)} for the file's leads)`);
  expect(rendered.container.textContent).toContain('Segments (3 of 4 leads)');
  // Only a CRM's leads shown: no file date to say.
  rendered.rerender(view({ leads: leadsOf([crmLead]) }));
  expect(optionsShown(rendered.container, 'Created')[1]).toBe('Last 7 days');
});
