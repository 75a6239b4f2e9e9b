// @vitest-environment happy-dom
/**
 * The record badge where a record view is shown before its URL names its record (a Salesforce console tab), and where
 * Lightning renders the same record again in a new view, on the page of test/fixtures/record-views.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PageFields, PageMatch } from '../crm/types';
import { badges, hideActiveView, openRecordPage, renderNext, settle, timeZone, titleOf } from '../../test/fixtures/badge-page';

const scoreLead = vi.hoisted(() => vi.fn());
vi.mock('../messaging/client', () => ({ background: { scoreLead } }));
vi.mock('../messaging/events', () => ({ onEvent: () => undefined }));

let { recordBadge } = await import('./record-badge');
const { stackedViewsAdapter: adapter, activeView, recordView: view } = await import('../../test/fixtures/record-views');



/** The rep selects the console tab of the lead named `name`, already rendered. */
function selectTab(name: string) {
  hideActiveView();
  const tab = document.querySelector(`section.view[data-name="${name}"]`)!;
  tab.removeAttribute('hidden');
  tab.classList.add('active');
}

const buttonTextOf = (badge: HTMLElement) => badge.shadowRoot!.querySelector('button')!.textContent;

let page: AbortController;
function run(match: Extract<PageMatch, { kind: 'record' }>, previousMatch: PageMatch | null) {
  void recordBadge.run({ document, adapter, match, previousMatch, signal: page.signal });
}
/** The URL names another page: the run of the one left stops. */
function leave() {
  page.abort();
  page = new AbortController();
}

beforeEach(async () => {
  // Each test is a page of its own: what the badge remembers of the records and views the page showed starts empty.
  vi.resetModules();
  ({ recordBadge } = await import('./record-badge'));
  openRecordPage(scoreLead);
  page = new AbortController();
});
afterEach(() => {
  page.abort();
  vi.useRealTimers();
});

const eve = { kind: 'record', crm: 'salesforce', recordId: '00Q000000000EEEAAA' } as const;
const fay = { kind: 'record', crm: 'salesforce', recordId: '00Q000000000FFFAAA' } as const;
const fieldsOfEve: PageFields = { LeadSource: 'Webinar', Rating: 'Hot' };
const fieldsOfFay: PageFields = { LeadSource: 'Partner Referral', Rating: 'Cold' };
/** Each request for `lead`'s record, as the fields and name it sent. */
const sentFor = (lead: { recordId: string }) =>
  scoreLead.mock.calls.filter(([request]) => request.recordId === lead.recordId).map(([request]) => [request.fields, request.name]);
/** `lead`'s record was scored, every time with `fields` and `name`. */
function expectSentOnly(lead: { recordId: string }, fields: PageFields, name: string) {
  const sent = sentFor(lead);
  expect(sent.length).toBeGreaterThan(0);
  expect(sent).toEqual(sent.map(() => [fields, name]));
}

/** Eve's tab, scored; then a change on her page (the console's tab bar) that has her run read the page again 200 ms later. */
async function eveScoredWithAReadDueIn(ms: number) {
  document.body.innerHTML = `<nav class="tabs"></nav>${view('Eve E', fieldsOfEve)}`;
  run(eve, null);
  await settle();
  document.querySelector('nav')!.classList.add('focused');
  await vi.advanceTimersByTimeAsync(200 - ms);
}

/** The rep clicks a lead's tab: the console shows it (`show`) `gapMs` before the URL names `match`, the run of the lead before still on. */
async function showTabBeforeItsUrl(show: () => void, gapMs: number, match: typeof eve | typeof fay, previousMatch: typeof eve | typeof fay) {
  show();
  await vi.advanceTimersByTimeAsync(gapMs);
  leave();
  run(match, previousMatch);
  await vi.advanceTimersByTimeAsync(3100);
}

describe('record badge in a Salesforce console, a tab shown before its URL names its lead', () => {
  it.each([
    ['100 ms, the previous lead’s run reading the page again meanwhile', 100, 50],
    ['250 ms', 250, 200],
  ])('scores and badges each lead with its own fields and name when the tab shows %s before the URL', async (_gap, gapMs, readDueInMs) => {
    await eveScoredWithAReadDueIn(readDueInMs);
    renderNext('Fay F', fieldsOfFay);
    await vi.advanceTimersByTimeAsync(gapMs);
    // Until the URL names Fay, Eve's badge floats, naming Eve: it is not put in Fay's title.
    expect(badges().map(titleOf)).toEqual([null]);
    expect(buttonTextOf(badges()[0])).toContain('Eve E');

    leave();
    run(fay, eve);
    await vi.advanceTimersByTimeAsync(3100);
    expect(sentFor(eve)).toEqual([[fieldsOfEve, 'Eve E']]);
    expectSentOnly(fay, fieldsOfFay, 'Fay F');
    expect(scoreLead).toHaveBeenLastCalledWith({ crm: 'salesforce', locale: 'en-US', timeZone, recordId: fay.recordId, fields: fieldsOfFay, name: 'Fay F' });
    expect(badges().map(titleOf)).toEqual(['Fay F']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });

  it('keeps each lead’s badge on its own tab as the rep goes back and forth, each tab shown before its URL', async () => {
    await eveScoredWithAReadDueIn(200);
    await showTabBeforeItsUrl(() => renderNext('Fay F', fieldsOfFay), 250, fay, eve);
    await showTabBeforeItsUrl(() => selectTab('Eve E'), 250, eve, fay);
    expect(badges().map(titleOf)).toEqual(['Eve E']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('hot');

    await showTabBeforeItsUrl(() => selectTab('Fay F'), 250, fay, eve);
    expectSentOnly(eve, fieldsOfEve, 'Eve E');
    expectSentOnly(fay, fieldsOfFay, 'Fay F');
    expect(badges().map(titleOf)).toEqual(['Fay F']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });

  it('never takes the tab of a lead whose page shows the same fields for the previous lead’s: their names tell them apart', async () => {
    await eveScoredWithAReadDueIn(200);
    await showTabBeforeItsUrl(() => renderNext('Fay F', fieldsOfEve), 250, fay, eve);
    expect(sentFor(eve)).toEqual([[fieldsOfEve, 'Eve E']]);
    expect(sentFor(fay).at(-1)).toEqual([fieldsOfEve, 'Fay F']);
    expect(badges().map(titleOf)).toEqual(['Fay F']);
  });
});

describe('record badge as Lightning renders the lead again in a new view, its URL unchanged', () => {
  const ada = { kind: 'record', crm: 'salesforce', recordId: '00Q000000000AAAAAA' } as const;
  const fieldsOfAda: PageFields = { LeadSource: 'Web', Rating: 'Hot' };

  it('moves the badge to the new view at once, without scoring again, when it shows the lead as last read', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfAda);
    run(ada, null);
    await settle();
    renderNext('Ada A', fieldsOfAda);
    await settle();
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(activeView(document)!.contains(badges()[0])).toBe(true);
    expect(scoreLead).toHaveBeenCalledTimes(1);
  });

  it('keeps the badge at the title and scores the new fields at once when the new view shows the lead with a field changed (an edit saved)', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfAda);
    run(ada, null);
    await settle();
    renderNext('Ada A', { ...fieldsOfAda, Rating: 'Cold' });
    // The next look, 200 ms after the change, well before a second's grace.
    await vi.advanceTimersByTimeAsync(250);
    expect(scoreLead).toHaveBeenLastCalledWith({ crm: 'salesforce', locale: 'en-US', timeZone, recordId: ada.recordId, fields: { ...fieldsOfAda, Rating: 'Cold' }, name: 'Ada A' });
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(activeView(document)!.contains(badges()[0])).toBe(true);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
    await vi.advanceTimersByTimeAsync(1500);
    expect(scoreLead).toHaveBeenCalledTimes(2);
  });

  it('takes the new view for the lead’s once the URL has still named the lead a second later, and scores what it shows, when it shows another name (the lead renamed)', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfAda);
    run(ada, null);
    await settle();
    renderNext('Ada B', { ...fieldsOfAda, Rating: 'Cold' });
    await vi.advanceTimersByTimeAsync(1500);
    expect(scoreLead).toHaveBeenLastCalledWith({ crm: 'salesforce', locale: 'en-US', timeZone, recordId: ada.recordId, fields: { ...fieldsOfAda, Rating: 'Cold' }, name: 'Ada B' });
    expect(badges().map(titleOf)).toEqual(['Ada B']);
    expect(activeView(document)!.contains(badges()[0])).toBe(true);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });
});

describe('record badge in a Salesforce console tab shown before its URL, its title not rendered yet', () => {
  const row = (field: string, value: string) =>
    `<records-record-layout-item><div data-target-selection-name="sfdc:RecordField.Lead.${field}"><span class="test-id__field-label">${field}</span><span class="test-id__field-value">${value}</span></div></records-record-layout-item>`;
  const rowsOf = (fields: PageFields) => Object.entries(fields).map(([field, value]) => row(field, value)).join('');
  const lightningView = (name: string, fields: PageFields) =>
    `<div class="windowViewMode-normal oneContent active"><div class="slds-page-header"><h1 class="slds-page-header__title">${name && `<lightning-formatted-name>${name}</lightning-formatted-name>`}</h1></div>` +
    `<div class="detail">${rowsOf(fields)}</div></div>`;
  const activeLightningView = () => document.querySelector('div.windowViewMode-normal.active')!;

  it('does not take the tab for the lead the browser tab’s title still names', async () => {
    const { salesforce } = await import('../crm/salesforce');
    const runOn = (match: Extract<PageMatch, { kind: 'record' }>, previousMatch: PageMatch | null) =>
      void recordBadge.run({ document, adapter: salesforce, match, previousMatch, signal: page.signal });
    document.title = 'Eve E | Lead | Salesforce';
    document.body.innerHTML = `<div class="stage">${lightningView('Eve E', fieldsOfEve)}</div>`;
    runOn(eve, null);
    await settle();
    expect(sentFor(eve)).toEqual([[fieldsOfEve, 'Eve E']]);

    // Fay's tab: its view's shell first, then its fields; the URL and the browser tab's title still Eve's,
    // so the name read falls back to the browser tab's title, which names Eve.
    const eveView = activeLightningView();
    eveView.classList.remove('active');
    eveView.setAttribute('hidden', '');
    eveView.insertAdjacentHTML('afterend', lightningView('', {}));
    await vi.advanceTimersByTimeAsync(250);
    activeLightningView().querySelector('.detail')!.innerHTML = rowsOf(fieldsOfFay);
    await vi.advanceTimersByTimeAsync(250);

    leave();
    runOn(fay, eve);
    document.title = 'Fay F | Lead | Salesforce';
    activeLightningView().querySelector('h1')!.innerHTML = '<lightning-formatted-name>Fay F</lightning-formatted-name>';
    await vi.advanceTimersByTimeAsync(3000);
    expect(sentFor(eve)).toEqual([[fieldsOfEve, 'Eve E']]);
    expect(sentFor(fay).at(-1)).toEqual([fieldsOfFay, 'Fay F']);
    expect(badges().map(titleOf)).toEqual(['Fay F']);
  });
});
