// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { act, createElement } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { Waterfall } from '@/components/Waterfall';
import { NO_READABLE_FIELDS, pageReadOf } from '@/lib/background/score-lead';
import type { OpenLead } from '@/lib/messaging/protocol-leads';
import { explainLead, featuresTracked, valuesAsWritten, type PageRead } from '@/lib/ml/explain';
import { featurizeRecord, type RawRecord } from '@/lib/ml/featurize';
import { whatWouldMakeHotter } from '@/lib/ml/insights';
import type { Manifest } from '@/lib/ml/manifest';
import { EVERYTHING_PURGED, MADE_UP_LEADS_MODEL_WORDS, fewSignalsInWords } from '@/lib/presentation';
import { handMadeManifest } from '@/test/fixtures/manifest';
import { click, pressEnter, render, spokenText, type Rendered } from '@/test/render';
import { OpenLeadView, READING_PATIENCE_MS } from './OpenLeadView';

// What the side panel's queries hold: by default the open-lead query as it ends when the background refuses the lead.
const queries = vi.hoisted(() => ({
  openLead: { tabId: 7, lead: { isPending: false, isError: true, error: new Error() } } as unknown,
  manifest: { isPending: true } as unknown,
}));
vi.mock('./hooks', () => ({ useOpenLead: () => queries.openLead, useManifest: () => queries.manifest }));
// The real waterfall, watched: where it starts is no number it shows in words.
vi.mock('@/components/Waterfall', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/components/Waterfall')>();
  return { ...actual, Waterfall: vi.fn(actual.Waterfall) };
});

// The real plan, watched: how often the panel works it out.
vi.mock('@/lib/ml/insights', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/ml/insights')>();
  return { ...actual, whatWouldMakeHotter: vi.fn(actual.whatWouldMakeHotter) };
});

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

it('says why a lead was not scored in the words of its badge, and shows no score', () => {
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: true, error: new Error(NO_READABLE_FIELDS) } };
  rendered = render(createElement(OpenLeadView));
  expect(rendered.container.querySelector('[role="alert"] p')?.textContent).toBe(`LeadLens could not score this lead: ${NO_READABLE_FIELDS}`);
  expect(rendered.container.textContent).not.toMatch(/score \d/);
});

it('lets the rep read a lead again after a failure (nothing retries it), and shows it being read rather than the old failure', () => {
  const refetch = vi.fn(async () => undefined);
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: true, isFetching: false, error: new Error('The offscreen engine stopped'), refetch } };
  rendered = render(createElement(OpenLeadView));
  const tryAgain = [...rendered.container.querySelectorAll<HTMLButtonElement>('[role="alert"] button')].find((button) => button.textContent === 'Try again');
  click(tryAgain!);
  expect(refetch).toHaveBeenCalledTimes(1);
  // As react-query holds it while the lead is read again: still the error, now fetching.
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: true, isFetching: true, error: new Error('The offscreen engine stopped'), refetch } };
  rendered.rerender(createElement(OpenLeadView));
  expect(rendered.container.querySelector('[role="alert"]')).toBeNull();
  expect(rendered.container.querySelector('[role="status"]')?.textContent).toBe('Loading the open lead…');
});

it('says of a page "Purge everything" stopped what its badge says, not that its lead is being read', () => {
  vi.useFakeTimers();
  try {
    queries.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead: null, reading: false, purged: true }, dataUpdatedAt: 1 } };
    rendered = render(createElement(OpenLeadView));
    act(() => vi.advanceTimersByTime(READING_PATIENCE_MS));
    expect(rendered.container.querySelector('[data-testid="open-lead-purged"]')?.textContent).toBe(EVERYTHING_PURGED);
    expect(rendered.container.textContent).not.toContain('Loading');
    expect(rendered.container.textContent).not.toContain('No lead open');
    expect(rendered.container.textContent).not.toContain('no LeadLens badge');
  } finally {
    vi.useRealTimers();
  }
});

it('says the lead a record page is loading is being read, not that no lead is open, and why it may not be once the page has had its time', () => {
  vi.useFakeTimers();
  try {
    queries.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead: null, reading: true }, dataUpdatedAt: 1 } };
    rendered = render(createElement(OpenLeadView));
    expect(rendered.container.querySelector('[role="status"]')?.textContent).toBe('Loading the lead this tab shows…');
    expect(rendered.container.textContent).not.toContain('No lead open');
    expect(rendered.container.textContent).not.toContain('reload the page');
    act(() => vi.advanceTimersByTime(READING_PATIENCE_MS));
    expect(rendered.container.textContent).toContain('LeadLens has not read this lead yet. If the page shows no LeadLens badge beside its name, reload the page');
    // The tab shows no record page any more: no lead, as before.
    queries.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead: null, reading: false }, dataUpdatedAt: 2 } };
    rendered.rerender(createElement(OpenLeadView));
    expect(rendered.container.textContent).toContain('No lead open');
  } finally {
    vi.useRealTimers();
  }
});

it('offers choosing a CSV lead in Top leads, with no lead open, only while the top leads list one', () => {
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead: null, reading: false }, dataUpdatedAt: 1 } };
  rendered = render(createElement(OpenLeadView));
  expect(rendered.container.textContent).toBe('Open leadNo lead openOpen a Salesforce Lead or a HubSpot contact in this window: its full explanation appears here.');
  rendered.rerender(createElement<NonNullable<Parameters<typeof OpenLeadView>[0]>>(OpenLeadView, { fileLeadsListed: true }));
  expect(rendered.container.textContent).toBe(
    'Open leadNo lead openOpen a Salesforce Lead or a HubSpot contact in this window, or choose a CSV lead in Top leads: its full explanation appears here.',
  );
  // Said in place, as the rest of the card: nothing announced of it.
  expect(rendered.container.querySelector('[role="status"], [role="alert"], [aria-live]')).toBeNull();
});

it('keeps the focus in the card when another lead replaces what the rep had focused: on its heading, not the top of the page', () => {
  const refetch = vi.fn(async () => undefined);
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: true, isFetching: false, error: new Error('The offscreen engine stopped'), refetch } };
  rendered = render(createElement(OpenLeadView));
  const tryAgain = [...rendered.container.querySelectorAll<HTMLButtonElement>('[role="alert"] button')].find((button) => button.textContent === 'Try again')!;
  tryAgain.focus();
  expect(document.activeElement).toBe(tryAgain);
  // The tab went on to a page that is no lead's: the body holding the focused button is gone.
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead: null, reading: false }, dataUpdatedAt: 2 } };
  rendered.rerender(createElement(OpenLeadView));
  expect(rendered.container.textContent).toContain('No lead open');
  expect(document.activeElement).toBe(rendered.container.querySelector('#open-lead-title'));
  // Focus elsewhere stays there.
  const outside = document.body.appendChild(document.createElement('button'));
  outside.focus();
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: true, isFetching: false, error: new Error('The offscreen engine stopped'), refetch } };
  rendered.rerender(createElement(OpenLeadView));
  expect(document.activeElement).toBe(outside);
  outside.remove();
});

// A model with a field Salesforce has (the title) and one it has not (marketing e-mails opened).
const manifest = handMadeManifest({
  features: [
    { key: 'title', label: 'Job title', type: 'categorical', vocabulary: ['VP Sales'], derive: { kind: 'value', from: { salesforce: 'Title', hubspot: 'jobtitle' } } },
    { key: 'opens', label: 'Marketing e-mails opened', type: 'numeric', derive: { kind: 'value', from: { hubspot: 'hs_email_open' } } },
  ],
  terms: [
    { features: [0], label: 'Job title' },
    { features: [1], label: 'Marketing e-mails opened' },
  ],
  intercept: -2,
});

const now = new Date('2026-11-01T00:00:00Z');

/**
 * A lead as the background answers it: scored by `model`, explained from the `fields` read
 * (`page`, when read from the page alone), with the score and anything else the test sets.
 */
function leadScoredBy(
  model: Manifest,
  crm: OpenLead['crm'],
  fields: RawRecord,
  scored: Pick<OpenLead, 'recordId' | 'probability' | 'score' | 'tier' | 'row' | 'fieldsRead' | 'contributions' | 'featuresKnown'> & Partial<OpenLead>,
  page?: PageRead,
): OpenLead {
  return {
    crm,
    name: 'Ada',
    modelId: model.modelId,
    tiers: { hot: model.tiers.hot, warm: model.tiers.warm },
    baseRate: 0.1,
    reasons: explainLead(model, scored.contributions, fields, crm, now, page),
    valuesAsWritten: valuesAsWritten(model, fields, crm, now, page),
    featuresTotal: featuresTracked(model, crm), // as the background counts it
    modelLearntFromMadeUpLeads: false,
    ...scored,
  };
}

/** The side panel's queries as they end once the tab's lead, and the model it is explained by, are read. */
function showLead(lead: OpenLead, model: Manifest): void {
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead, reading: false } } };
  queries.manifest = { isPending: false, isError: false, data: model };
}

function openSalesforceLead(name: string, title: string, overrides: Partial<OpenLead> = {}): void {
  const lead = leadScoredBy(manifest, 'salesforce', { Title: title }, {
    recordId: '00Q1',
    name,
    probability: 0.3,
    score: 80,
    tier: 'warm',
    row: [0, null],
    fieldsRead: [true, true],
    contributions: [1.5, 0.25],
    valuesAsWritten: [null, null],
    featuresKnown: 1,
    ...overrides,
  });
  showLead(lead, manifest);
}

it('isolates the lead\'s name and values, so a direction override in them cannot reverse LeadLens\'s own words', () => {
  const name = 'Ada \u202Eecalevol';
  openSalesforceLead(name, 'VP Sales');
  rendered = render(createElement(OpenLeadView));
  const header = rendered.container.querySelector('strong')!;
  expect(header.querySelector('bdi')?.textContent).toBe(name);
  expect(header.parentElement!.textContent).toMatch(/ · Warm · score 80 of 99$/);
  expect([...rendered.container.querySelectorAll('td bdi')].map((bdi) => bdi.textContent)).toEqual(['VP Sales']);
});

it('says of a lead with under half its signals known that its score rests on what is missing, and nothing of one known enough', () => {
  openSalesforceLead('Ada Lovelace', 'VP Sales', { featuresKnown: 0 });
  rendered = render(createElement(OpenLeadView));
  const total = featuresTracked(manifest, 'salesforce');
  expect(rendered.container.querySelector('[data-testid="open-lead-few-signals"]')?.textContent).toBe(fewSignalsInWords(0, total));
  rendered.unmount();
  openSalesforceLead('Ada Lovelace', 'VP Sales', { featuresKnown: total });
  rendered = render(createElement(OpenLeadView));
  expect(rendered.container.querySelector('[data-testid="open-lead-few-signals"]')).toBeNull();
});

it('says a lead was scored by LeadLens’s default model, learnt from made-up leads, and says nothing of another model', () => {
  openSalesforceLead('Ada Lovelace', 'VP Sales', { modelLearntFromMadeUpLeads: true });
  rendered = render(createElement(OpenLeadView));
  expect(rendered.container.querySelector('[data-testid="default-model-note"]')?.textContent).toBe(`Scored by ${MADE_UP_LEADS_MODEL_WORDS}.`);
  rendered.unmount();
  openSalesforceLead('Ada Lovelace', 'VP Sales');
  rendered = render(createElement(OpenLeadView));
  expect(rendered.container.querySelector('[data-testid="default-model-note"]')).toBeNull();
  expect(rendered.container.textContent).not.toContain('demo leads');
});

it('wraps a long name or value with no space anywhere, rather than widening the side panel', () => {
  const pageStyle = document.head.appendChild(document.createElement('style'));
  pageStyle.textContent = readFileSync('components/page.css', 'utf8');
  try {
    openSalesforceLead('procurement.department.northamerica@verylongcompanydomain-holdings.com', 'VP Sales');
    rendered = render(createElement(OpenLeadView));
    expect(getComputedStyle(rendered.container.querySelector('strong > bdi')!).overflowWrap).toBe('anywhere');
    expect(getComputedStyle(rendered.container.querySelector('li[data-reason] bdi')!).overflowWrap).toBe('anywhere');
  } finally {
    pageStyle.remove();
  }
});

it('counts and explains only the fields a Salesforce lead can have, from a starting point that still adds up', () => {
  openSalesforceLead('Ada Lovelace', 'VP Sales');
  rendered = render(createElement(OpenLeadView));
  const text = rendered.container.textContent!;
  // In the badge's words: the values come from the CRM record too, not only from the page.
  expect(text).toContain('1 of 1 signals known.');
  expect(text).not.toContain('Read from the page');
  expect(text).not.toContain('Marketing e-mails opened');
  // the term Salesforce has no field for starts the waterfall: -2 + 0.25, then +1.5 to the lead's log-odds
  expect(vi.mocked(Waterfall).mock.lastCall?.[0].start).toBeCloseTo(-1.75, 12);
  expect(rendered.container.querySelector('[role="img"]')?.getAttribute('aria-label')).toBe(
    "From the model baseline of 15% (before this lead's fields), 1 reason raises the odds of converting and no reason lowers them; together they multiply the odds by 4.5, to 44% for this lead. The table below lists each reason.",
  );
});

it('says the reasons up and down in plain words, as the badge does, before the waterfall; CRM values as isolated text', () => {
  const hostile = '<img src=x onerror=alert(1)>';
  openSalesforceLead('Ada Lovelace', 'VP Sales', {
    reasons: [
      { label: 'Web visits', value: '14', points: 0.5 },
      { label: 'Days since last activity', value: '40 \u202Esyad', points: -0.7 },
      { label: 'Job title seniority', value: hostile, points: 1.2 },
      { label: 'Country', value: 'France', points: 0.01 }, // barely moves the odds: left out, as in the badge
    ],
  });
  rendered = render(createElement(OpenLeadView));
  const view = rendered.container;
  expect([...view.querySelectorAll('h3')].map((h3) => h3.textContent).slice(0, 3)).toEqual(['Raising the score', 'Lowering the score', 'How the score adds up']);
  const said = (direction: string) => [...view.querySelectorAll(`li[data-reason="${direction}"]`)].map((li) => li.textContent);
  expect(said('up')).toEqual([`▲Job title seniority: ${hostile} (strongly raises the odds)`, '▲Web visits: 14 (moderately raises the odds)']);
  expect(said('down')).toEqual(['▼Days since last activity: 40 \u202Esyad (moderately lowers the odds)']);
  expect(view.querySelector('img')).toBeNull();
  const down = view.querySelector('li[data-reason="down"]')!;
  expect(down.querySelector('bdi')?.textContent).toBe('40 \u202Esyad');
  expect(spokenText(down)).toBe('Days since last activity: 40 \u202Esyad (moderately lowers the odds)');
  // before the waterfall
  expect(down.compareDocumentPosition(view.querySelector('[role="img"]')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  expect(view.querySelector('[data-reasons-more]')).toBeNull();
});

it('says the five strongest reasons each way in words, and counts the weaker ones the table under the chart lists', () => {
  const reasons = Array.from({ length: 8 }, (_, i) => ({ label: `Field ${i + 1}`, value: String(i + 1), points: -(i + 1) / 10 }));
  openSalesforceLead('Ada Lovelace', 'VP Sales', { reasons });
  rendered = render(createElement(OpenLeadView));
  const said = [...rendered.container.querySelectorAll('li[data-reason="down"] strong')].map((strong) => strong.textContent);
  expect(said).toEqual(['Field 8', 'Field 7', 'Field 6', 'Field 5', 'Field 4']);
  expect(rendered.container.querySelector('[data-reasons-more="down"]')?.textContent).toBe('3 weaker reasons lower it too: every reason is in the table under the chart.');
  rendered.unmount();
  openSalesforceLead('Ada Lovelace', 'VP Sales', { reasons: reasons.slice(0, 6) });
  rendered = render(createElement(OpenLeadView));
  expect(rendered.container.querySelector('[data-reasons-more="down"]')?.textContent).toBe('1 weaker reason lowers it too: every reason is in the table under the chart.');
});

it('says everything about the lead by the thresholds it was tiered by, while the manifest read before a tier-policy change has the old ones', () => {
  // The admin raised hot from 25 % to 40 %: the badges score again and the lead is read again at once, tiered
  // by the new policy; the manifest is read again only once the stored scores have been re-tiered.
  const probability = 0.3996; // warm by the new policy, hot by the old
  const opens = handMadeManifest({
    features: [{ key: 'opens', label: 'Marketing e-mails opened', type: 'numeric', actionable: true, derive: { kind: 'value', from: { hubspot: 'hs_email_open' } } }],
    terms: [{ features: [0], label: 'Marketing e-mails opened', shape: { axes: [{ edges: [2.5, 5.5], labels: ['≤ 2', '3 – 5', '≥ 6', 'missing'] }], scores: [-1.2, -0.85, 0.5, -1.5] } }],
    intercept: Math.log(probability / (1 - probability)) + 0.85,
  });
  const manifestBeforeTheChange = { ...opens, tiers: { ...opens.tiers, hot: 0.25, warm: 0.1 } };
  const lead = leadScoredBy(opens, 'hubspot', { hs_email_open: '4' }, {
    recordId: '1',
    probability,
    score: 70,
    tier: 'warm',
    tiers: { hot: 0.4, warm: 0.1 },
    row: [4],
    fieldsRead: [true],
    contributions: [-0.85], // 3 – 5 opens
    valuesAsWritten: [null],
    featuresKnown: 1,
  });
  showLead(lead, manifestBeforeTheChange);
  rendered = render(createElement(OpenLeadView));
  const text = rendered.container.textContent!;
  expect(text).toContain('Ada · Warm · score 70 of 99');
  // Not "40 % likely" beside "Warm" and "hot from 40 %".
  expect(text).toContain('39.96% likely to convert, 4× the average lead.');
  expect(rendered.container.querySelector('.hotter-plan p')?.textContent).toBe('This change would make it Hot (from 40% likely): 39.96% → 72%.');
});

/** The panel open on a cold lead of 1.51%, with a calibration band of 1.1%–1.9% and a plan to raise it. */
function renderLeadAtOnePointFiveOnePercent(): HTMLElement {
  const probability = 0.0151;
  const opens = handMadeManifest({
    features: [{ key: 'opens', label: 'Marketing e-mails opened', type: 'numeric', actionable: true, derive: { kind: 'value', from: { hubspot: 'hs_email_open' } } }],
    terms: [{ features: [0], label: 'Marketing e-mails opened', shape: { axes: [{ edges: [2.5, 5.5], labels: ['≤ 2', '3 – 5', '≥ 6', 'missing'] }], scores: [-0.4, -0.2, 0.034, -0.5] } }],
    intercept: Math.log(probability / (1 - probability)) + 0.2,
  });
  const model: Manifest = { ...opens, metrics: { calibration: [[0.015, 0.016]], calibrationRanges: [[0.011, 0.019]], calibrationLeads: [500] } };
  const lead = leadScoredBy(model, 'hubspot', { hs_email_open: '4' }, {
    recordId: '1',
    probability,
    score: 20,
    tier: 'cold',
    row: [4],
    fieldsRead: [true],
    contributions: [-0.2], // 3 – 5 opens
    valuesAsWritten: [null],
    featuresKnown: 1,
  });
  showLead(lead, model);
  rendered = render(createElement(OpenLeadView));
  return rendered.container;
}

it('writes the lead\'s likelihood alike in the header, the chart and the plan\'s "before", inside the range of its calibration band', () => {
  // Before: a demo lead of 1.51 % read "2 % likely" in the header and on the chart, beside "scored 1.1 %–1.9 %" and a plan of "1.5 % → 2 %".
  const view = renderLeadAtOnePointFiveOnePercent();
  const header = [...view.querySelectorAll('p')].map((p) => p.textContent!.match(/^(.+) likely to convert/)?.[1]).find(Boolean);
  const chart = [...view.querySelectorAll('.waterfall-point text')].map((label) => label.textContent).at(-1);
  const plan = view.querySelector('.hotter-plan p')!.textContent!;
  const planBefore = plan.match(/: ([\d.]+%) → /)![1];
  expect([header, chart, planBefore]).toEqual(['1.5%', '1.5%', '1.5%']);
  expect(view.textContent).toContain('Of the 500 leads the model scored 1.1%–1.9%');
  // Opens 4 → 6: +0.234 to the log-odds, 1.9 %, still cold.
  expect(plan).toBe('The change that helps most would not make it Warm (from 20% likely), only raise it: 1.5% → 1.9%.');
});

it('writes every percentage with its sign right after the figure, so the narrow panel never breaks a line between them', () => {
  // At 320–400 px Chromium broke "scored 1.1 %–1.9 %" after "1.1" and "Warm (from 20 % likely)" after "20": the space was a break opportunity.
  const text = renderLeadAtOnePointFiveOnePercent().textContent!;
  expect(text).not.toMatch(/\D%/);
  expect(text.match(/\d%/g)?.length).toBeGreaterThanOrEqual(6);
});

it("compares the lead with the ideal customer in its CRM's words: a HubSpot range as written, its ideal one of HubSpot's ranges, an amount in euros beside the model's dollars named", () => {
  const model = handMadeManifest({
    features: [
      { key: 'employees', label: 'Employees', type: 'numeric', derive: { kind: 'value', from: { hubspot: 'numemployees' } } },
      { key: 'revenue', label: 'Annual revenue', type: 'numeric', unit: 'USD', derive: { kind: 'value', from: { hubspot: 'annualrevenue' } } },
    ],
    terms: [
      { features: [0], label: 'Employees', shape: { axes: [{ edges: [10.5, 50.5, 200.5, 1000.5], labels: ['≤ 10', '11 – 50', '51 – 200', '201 – 1,000', '≥ 1,001', 'missing'] }], scores: [-0.5, 0.2, 0.6, 0.6, 0.1, 0] } },
      { features: [1], label: 'Annual revenue', shape: { axes: [{ edges: [500000, 2000000], labels: ['< $500,000', '$500,000 – $2,000,000', '> $2,000,000', 'missing'] }], scores: [-0.5, 0.5, 0.1, 0] } },
    ],
    intercept: -2,
  });
  // As the background explains a German HubSpot page (open-lead.ts explainInFull): read as 5 employees and 1200000.
  const request = { crm: 'hubspot' as const, recordId: '1501', fields: { numemployees: '5-25', annualrevenue: '€1.200.000' }, locale: 'de-DE' };
  const page = pageReadOf(request, model);
  const row = Array.from(featurizeRecord(page.read, model.features, 'hubspot', now));
  expect(row).toEqual([5, 1200000]);
  const lead = leadScoredBy(model, 'hubspot', page.read, { recordId: '1501', probability: 0.12, score: 40, tier: 'cold', row, fieldsRead: [true, true], contributions: [-0.5, 0.5], featuresKnown: 2 }, page);
  showLead(lead, model);
  rendered = render(createElement(OpenLeadView));
  const compared = [...rendered.container.querySelectorAll('table.deviations tbody tr')].map((tr) => [...tr.children].map((cell) => cell.textContent));
  // Before: "Employees: ≤ 10" (the bin of the 5 read from "5-25") and "$500,000 – $2,000,000" (its bin) beside no euros.
  // Its ideal, before "51 – 1,000": HubSpot holds no 51 to 99 employees, only "50-100" (read as 50, scoring as ≤ 50) and "100-500".
  expect(compared).toEqual([
    ['Employees', '5-25', '100-500', '×3'],
    // Fit, compared rather than changed: the odds of leads with the ideal are "the same", not "no change".
    ['Annual revenue', '€1.200.000', '$500,001 – $2,000,000 (USD)', 'the same'],
  ]);
  const said = [...rendered.container.querySelectorAll('li[data-reason]')].map((li) => li.textContent);
  expect(said).toEqual(expect.arrayContaining([expect.stringContaining('Employees: 5-25'), expect.stringContaining('Annual revenue: €1.200.000')]));
});

it('plans and compares a lead read from its page alone on the fields the page shows, and says which it does not show', () => {
  // Marketing e-mails opened and website visits, both raised by a rep's work; the page shows the opens (4), not the visits.
  const model = handMadeManifest({
    features: [
      { key: 'opens', label: 'Marketing e-mails opened', type: 'numeric', actionable: true, derive: { kind: 'value', from: { hubspot: 'hs_email_open' } } },
      { key: 'visits', label: 'Website visits', type: 'numeric', actionable: true, derive: { kind: 'value', from: { hubspot: 'hs_analytics_num_visits' } } },
    ],
    terms: [
      { features: [0], label: 'Marketing e-mails opened', shape: { axes: [{ edges: [2.5, 5.5], labels: ['≤ 2', '3 – 5', '≥ 6', 'missing'] }], scores: [-1.2, -0.85, 0.5, -1.5] } },
      { features: [1], label: 'Website visits', shape: { axes: [{ edges: [0.5, 8.5], labels: ['0', '1 – 8', '≥ 9', 'missing'] }], scores: [-1, 0, 2, -0.5] } },
    ],
    intercept: -1,
  });
  const lead = leadScoredBy(model, 'hubspot', { hs_email_open: '4' }, {
    recordId: '1501',
    probability: 0.0871, // −1 − 0.85 − 0.5 = −2.35
    score: 10,
    tier: 'cold',
    row: [4, null],
    fieldsRead: [true, false],
    contributions: [-0.85, -0.5],
    valuesAsWritten: [null, null],
    featuresKnown: 1,
  });
  showLead(lead, model);
  rendered = render(createElement(OpenLeadView));
  const view = rendered.container;
  // Before: "Website visits: missing → ≥ 9", and "Website visits | not known | ≥ 9" in the table, of a lead that may have had 25.
  expect([...view.querySelectorAll('.hotter-plan li')].map((li) => li.textContent)).toEqual(['Marketing e-mails opened: 4 → ≥ 6 (odds ×3.9)']);
  expect(view.querySelector('.plan-not-on-page')?.textContent).toBe('Not suggested, as this page does not show them: Website visits.');
  expect([...view.querySelectorAll('table.deviations tbody tr')].map((tr) => tr.querySelector('th')?.textContent)).toEqual(['Marketing e-mails opened']);
  expect(view.querySelector('.not-on-page')?.textContent).toBe(
    'Not read, so not compared: Website visits. LeadLens compares a field this page shows, or one it reads from HubSpot itself: connected to this portal under CRM connections in the LeadLens options, the record and the field readable.',
  );
  rendered.unmount();
  // Its record read: every field, the visits it has none of ("") planned and compared as before.
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead: { ...lead, fieldsRead: [true, true] }, reading: false } } };
  rendered = render(createElement(OpenLeadView));
  expect([...rendered.container.querySelectorAll('table.deviations tbody tr')].map((tr) => tr.querySelector('th')?.textContent)).toEqual(['Website visits', 'Marketing e-mails opened']);
  expect(rendered.container.querySelector('.not-on-page')).toBeNull();
  expect(rendered.container.querySelector('.plan-not-on-page')).toBeNull();
});

it("gives the comparison with the ideal customer a heading of its own after the plan, the lead's fit apart from what a rep's work can change", () => {
  // A HubSpot contact from a purchased list, with 2 visits: its lead source is far from the ideal, nothing a rep can change.
  const model = handMadeManifest({
    features: [
      { key: 'source', label: 'Lead source', type: 'categorical', vocabulary: ['Purchased List', 'Web'], derive: { kind: 'value', from: { hubspot: 'hs_analytics_source' } } },
      { key: 'visits', label: 'Website visits', type: 'numeric', actionable: true, derive: { kind: 'value', from: { hubspot: 'hs_analytics_num_visits' } } },
    ],
    terms: [
      { features: [0], label: 'Lead source', shape: { axes: [{ edges: [], labels: ['Purchased List', 'Web', 'missing'] }], scores: [-1, 1, 0] } },
      { features: [1], label: 'Website visits', shape: { axes: [{ edges: [0.5, 8.5], labels: ['0', '1 – 8', '≥ 9', 'missing'] }], scores: [-1, 0, 1, 0] } },
    ],
    intercept: -1,
  });
  const fields = { hs_analytics_source: 'Purchased List', hs_analytics_num_visits: '2' };
  const row = Array.from(featurizeRecord(fields, model.features, 'hubspot', now));
  const lead = leadScoredBy(model, 'hubspot', fields, {
    recordId: '1501',
    probability: 0.1192, // −1 − 1 + 0 = −2
    score: 15,
    tier: 'cold',
    row,
    fieldsRead: [true, true],
    contributions: [-1, 0],
    featuresKnown: 2,
  });
  showLead(lead, model);
  rendered = render(createElement(OpenLeadView));
  const view = rendered.container;
  const headings = [...view.querySelectorAll('h3')];
  // Before: the table sat under "What would make this lead hotter", "Lead source: Purchased List → Web" above the plan's visits.
  expect(headings.map((h3) => h3.textContent).slice(-2)).toEqual(['What would make this lead hotter', 'How this lead compares with the ideal customer']);
  const [planHeading, comparisonHeading] = headings.slice(-2);
  const follows = (a: Node, b: Node) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
  expect(follows(planHeading, view.querySelector('.hotter-plan')!) && follows(view.querySelector('.hotter-plan')!, comparisonHeading)).toBe(true);
  expect([...view.querySelectorAll('.hotter-plan li')].map((li) => li.textContent)).toEqual(['Website visits: 2 → ≥ 9 (odds ×2.7)']);
  const tables = [...view.querySelectorAll<HTMLElement>('table.deviations')];
  expect(tables.every((table) => follows(comparisonHeading, table))).toBe(true);
  expect(tables.map((table) => [table.dataset.group, [...table.querySelectorAll('tbody th')].map((th) => th.textContent)])).toEqual([
    ['engagement', ['Website visits']],
    ['fit', ['Lead source']],
  ]);
});

it('plans in the words of the reasons and the comparison beside it: a page the model never learned is "Other page", never "(other)"', () => {
  const model = handMadeManifest({
    features: [
      {
        key: 'last_page',
        label: 'Last page seen',
        type: 'categorical',
        vocabulary: ['blog', 'contact', '(other)'],
        otherCode: 2,
        actionable: true,
        derive: { kind: 'urlCategory', from: { hubspot: 'hs_analytics_last_url' } },
      },
    ],
    terms: [{ features: [0], label: 'Last page seen', shape: { axes: [{ edges: [], labels: ['blog', 'contact', '(other)', 'missing'] }], scores: [-0.5, 1.5, -0.5, -1] } }],
    intercept: -1,
  });
  const fields = { hs_analytics_last_url: 'https://www.example.com/about-us' };
  const row = Array.from(featurizeRecord(fields, model.features, 'hubspot', now));
  expect(row).toEqual([2]); // "(other)"
  const lead = leadScoredBy(model, 'hubspot', fields, {
    recordId: '1501',
    probability: 0.1824, // −1 − 0.5 = −1.5
    score: 20,
    tier: 'cold',
    row,
    fieldsRead: [true],
    contributions: [-0.5],
    featuresKnown: 1,
  });
  showLead(lead, model);
  rendered = render(createElement(OpenLeadView));
  const view = rendered.container;
  expect(lead.reasons.map((reason) => reason.value)).toEqual(['Other page']);
  expect([...view.querySelectorAll('table.deviations tbody tr')].map((tr) => [...tr.children].map((cell) => cell.textContent))).toEqual([
    ['Last page seen', 'Other page', 'Contact page', '×7.4'],
  ]);
  // Before: "Last page seen: (other) → contact", the model's name for the pages it pools; then its codes, "other → contact".
  expect([...view.querySelectorAll('.hotter-plan li')].map((li) => li.textContent)).toEqual(['Last page seen: Other page → Contact page (odds ×7.4)']);
});

it('moves the focus from Try again, which Loading takes the place of, to the heading above, and leaves it there with the answer', () => {
  const refetch = vi.fn(async () => undefined);
  const failed = { isPending: false, isError: true, isFetching: false, error: new Error('The offscreen engine stopped'), refetch };
  queries.openLead = { tabId: 7, lead: failed };
  rendered = render(createElement(OpenLeadView));
  const tryAgain = [...rendered.container.querySelectorAll<HTMLButtonElement>('[role="alert"] button')].find((button) => button.textContent === 'Try again')!;
  pressEnter(tryAgain);
  queries.openLead = { tabId: 7, lead: { ...failed, isFetching: true } };
  rendered.rerender(createElement(OpenLeadView));
  expect(tryAgain.isConnected).toBe(false);
  const heading = rendered.container.querySelector('h2')!;
  expect(document.activeElement).toBe(heading);
  expect(heading.textContent).toBe('Open lead');
  expect(heading.tabIndex).toBe(-1);

  // Read: the lead's explanation comes under the heading that has the focus.
  openSalesforceLead('Ada', 'VP Sales');
  rendered.rerender(createElement(OpenLeadView));
  expect(document.activeElement).toBe(heading);
});

/** A cold HubSpot lead of a model of one count a rep can raise (e-mails opened: 4 of "≥ 6" at best), so it has a plan. */
function coldLeadOfOpens() {
  const opens = handMadeManifest({
    features: [{ key: 'opens', label: 'Marketing e-mails opened', type: 'numeric', actionable: true, derive: { kind: 'value', from: { hubspot: 'hs_email_open' } } }],
    terms: [{ features: [0], label: 'Marketing e-mails opened', shape: { axes: [{ edges: [2.5, 5.5], labels: ['≤ 2', '3 – 5', '≥ 6', 'missing'] }], scores: [-1.2, -0.85, 0.5, -1.5] } }],
    intercept: -1,
  });
  const lead = leadScoredBy(opens, 'hubspot', { hs_email_open: '4' }, {
    recordId: '1',
    probability: 0.14,
    score: 14,
    tier: 'cold',
    row: [4],
    fieldsRead: [true],
    contributions: [-0.85], // 3 – 5 opens
    valuesAsWritten: [null],
    featuresKnown: 1,
  });
  return { opens, lead };
}

it('works out the plan once per lead and model, not again on every render: a plan can search thousands of sets of changes', () => {
  const { opens, lead } = coldLeadOfOpens();
  showLead(lead, opens);
  vi.mocked(whatWouldMakeHotter).mockClear();
  rendered = render(createElement(OpenLeadView));
  expect(rendered.container.querySelector('.hotter-plan')).not.toBeNull();
  rendered.rerender(createElement(OpenLeadView));
  rendered.rerender(createElement(OpenLeadView));
  expect(whatWouldMakeHotter).toHaveBeenCalledTimes(1);
  // The lead read again: a new plan.
  queries.openLead = { tabId: 7, lead: { isPending: false, isError: false, data: { lead: { ...lead, row: [1], contributions: [-1.2] }, reading: false } } };
  rendered.rerender(createElement(OpenLeadView));
  expect(whatWouldMakeHotter).toHaveBeenCalledTimes(2);
});

it('says first of a HubSpot contact converted already that it is, and offers no plan to make it hotter; a lead still to work reads as before', () => {
  const { opens, lead } = coldLeadOfOpens();
  const headings = () => [...rendered!.container.querySelectorAll('h3')].map((h3) => h3.textContent);

  // Still a lead: the plan, and no such line.
  showLead(lead, opens);
  rendered = render(createElement(OpenLeadView));
  expect(rendered.container.querySelector('[data-testid="open-lead-converted"]')).toBeNull();
  expect(headings()).toContain('What would make this lead hotter');
  expect(rendered.container.querySelector('.hotter-plan li')).not.toBeNull();
  rendered.unmount();

  // As the background answers a customer: the line after the lead's name and score, no plan worked out or shown.
  showLead({ ...lead, converted: { field: 'Lifecycle stage', value: 'Customer' } }, opens);
  vi.mocked(whatWouldMakeHotter).mockClear();
  rendered = render(createElement(OpenLeadView));
  const said = rendered.container.querySelector('[data-testid="open-lead-converted"]')!;
  expect(said.textContent).toBe('Already converted: Lifecycle stage is Customer. The score is shown for reference.');
  expect(said.previousElementSibling?.textContent).toBe('Ada · Cold · score 14 of 99');
  expect(said.querySelector('bdi')?.textContent).toBe('Customer');
  expect(whatWouldMakeHotter).not.toHaveBeenCalled();
  expect(headings()).not.toContain('What would make this lead hotter');
  expect(rendered.container.querySelector('.hotter-plan')).toBeNull();
  // Its score stays, and so does how it compares with the ideal customer.
  expect(rendered.container.textContent).toContain('score 14 of 99');
  expect(headings()).toContain('How this lead compares with the ideal customer');
});
