// @vitest-environment happy-dom
/**
 * The record badge on a busy CRM page: changes outside the record view (a notification bell, a
 * header's counter, a toast) must not read the whole record again, while everything a read depends
 * on still is: the view's own changes, a console tab switched, a view stacked before the one read,
 * a dialog opened or closed, and any change on a page that marks no view (HubSpot).
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScoreOutcome } from '../messaging/protocol';
import type { CrmAdapter, PageFields, PageMatch } from '../crm/types';
import { loadPage } from '../../test/fixtures/pages/load';

const scoreLead = vi.hoisted(() => vi.fn());
vi.mock('../messaging/client', () => ({ background: { scoreLead } }));
vi.mock('../messaging/events', () => ({ onEvent: () => undefined }));

let { recordBadge } = await import('./record-badge');
let { salesforce } = await import('../crm/salesforce');
let { hubspot } = await import('../crm/hubspot');
const { scoredLead: lead, stackedViewsAdapter, activeView, recordView: view } = await import('../../test/fixtures/record-views');


/** A saved page's body in this document (its head's styles left out: the adapters read no layout). */
const showPage = (fixture: string) => {
  const html = readFileSync(`test/fixtures/pages/${fixture}`, 'utf8');
  document.body.innerHTML = html.replace(/^[\s\S]*<body[^>]*>/, '').replace(/<\/body>[\s\S]*$/, '');
};
const badges = () => [...document.querySelectorAll<HTMLElement>('leadlens-badge')];
const isFloating = (badge: HTMLElement) => badge.hasAttribute('data-leadlens-floating');
const buttonTextOf = (badge: HTMLElement) => badge.shadowRoot!.querySelector('button')!.textContent;
const sentFields = () => scoreLead.mock.calls.map(([request]) => request.fields as PageFields);
const settle = () => vi.advanceTimersByTimeAsync(500);
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

let page: AbortController;
function run(adapter: CrmAdapter, match: Extract<PageMatch, { kind: 'record' }>) {
  void recordBadge.run({ document, adapter, match, previousMatch: null, signal: page.signal });
}

beforeEach(async () => {
  // Each test is a page of its own: what the badge remembers of records and views, and the adapters of rows read, starts empty.
  vi.resetModules();
  ({ recordBadge } = await import('./record-badge'));
  ({ salesforce } = await import('../crm/salesforce'));
  ({ hubspot } = await import('../crm/hubspot'));
  vi.useFakeTimers();
  document.body.innerHTML = '';
  scoreLead.mockReset();
  // Scored by lead source, so a rescored field shows in the tier.
  scoreLead.mockImplementation(async ({ fields }: { fields: PageFields }): Promise<ScoreOutcome> => ({
    ok: true,
    lead: fields.LeadSource === 'Partner Referral' || fields.Rating === 'Hot' ? lead('hot', 90) : lead('cold', 8),
  }));
  page = new AbortController();
});
afterEach(() => {
  page.abort();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const ada = { kind: 'record', crm: 'salesforce', recordId: '00Q000000000AAAAAA' } as const;
/** The Lead Source value in the record view of the saved Salesforce page (its text node, as React sets it). */
const leadSourceText = () => document.querySelector('.active [data-target-selection-name="sfdc:RecordField.Lead.LeadSource"] lightning-formatted-text')!.firstChild as Text;

describe('record badge on a Salesforce record page that changes outside the record view', () => {
  it('does not read the record again for a notification bell, a header’s counter or a toast, and still reads a change in the view', async () => {
    showPage('salesforce-record.html');
    document.body.insertAdjacentHTML('afterbegin', '<header class="utilitybar"><span id="bell" class="idle"></span><ul id="notifications"></ul></header>');
    const readFields = vi.spyOn(salesforce, 'readRecordFields');
    run(salesforce, ada);
    await settle();
    expect(scoreLead).toHaveBeenCalledTimes(1);
    readFields.mockClear();

    // 3 seconds of a bell ringing (its class) and a counter of notifications (nodes added and removed) every 100 ms.
    const bell = document.getElementById('bell')!;
    const notifications = document.getElementById('notifications')!;
    for (let i = 0; i < 30; i++) {
      bell.className = i % 2 ? 'idle' : 'ringing';
      if (i % 2) notifications.replaceChildren();
      else notifications.append(document.createElement('li'));
      await vi.advanceTimersByTimeAsync(100);
    }
    // A toast the CRM puts straight in the body, its text changing, then taken away.
    document.body.insertAdjacentHTML('beforeend', '<div id="toast" role="status">Saving…</div>');
    await settle();
    document.getElementById('toast')!.firstChild!.textContent = 'Lead saved';
    await settle();
    document.getElementById('toast')!.remove();
    await settle();
    expect(readFields).not.toHaveBeenCalled();
    expect(scoreLead).toHaveBeenCalledTimes(1);
    expect(badges().map(isFloating)).toEqual([false]);

    // The record's own change still is read.
    leadSourceText().data = 'Partner Referral';
    await settle();
    expect(readFields).toHaveBeenCalledTimes(1);
    expect(scoreLead).toHaveBeenCalledTimes(2);
  });

  it('scores a field that changes in the view again, its text or its row rendered anew', async () => {
    showPage('salesforce-record.html');
    run(salesforce, ada);
    await settle();
    const tier = () => badges()[0].getAttribute('data-leadlens-tier');
    expect(tier()).toBe('cold');

    leadSourceText().data = 'Partner Referral';
    await settle();
    expect(scoreLead).toHaveBeenLastCalledWith(expect.objectContaining({ recordId: ada.recordId, fields: expect.objectContaining({ LeadSource: 'Partner Referral', Title: 'VP Sales' }) }));
    expect(tier()).toBe('hot');

    // An inline edit saved: Lightning renders the row anew.
    const titleRow = document.querySelector('.active [data-target-selection-name="sfdc:RecordField.Lead.Title"]')!;
    titleRow.outerHTML =
      '<div data-target-selection-name="sfdc:RecordField.Lead.Title"><span class="test-id__field-label">Title</span><span class="test-id__field-value">CEO</span></div>';
    await settle();
    expect(sentFields().at(-1)).toEqual(expect.objectContaining({ LeadSource: 'Partner Referral', Title: 'CEO' }));
    expect(scoreLead).toHaveBeenCalledTimes(3);
  });
});

describe('record badge on a Salesforce record page rendered in native shadow roots', () => {
  it('scores a field that changes in a shadow root of the view read, and reads nothing for one in the view left hidden', async () => {
    // The saved page's nodes moved into this document, their shadow roots with them.
    document.body.replaceChildren(...loadPage('salesforce-record-shadow.html').body.childNodes);
    const readFields = vi.spyOn(salesforce, 'readRecordFields');
    run(salesforce, ada);
    await settle();
    expect(sentFields()).toEqual([{ LeadSource: 'Web', Title: 'Chief Analyst', HasOptedOutOfEmail: 'true' }]);
    readFields.mockClear();
    const valueIn = (view: string) => document.querySelector(`${view} records-lwc-detail-panel`)!.shadowRoot!.querySelector('.test-id__field-value')!;

    valueIn('[hidden]').textContent = 'Partner Referral';
    await settle();
    expect(readFields).not.toHaveBeenCalled();

    // Lead Source's value, two shadow roots down in the view read.
    valueIn('.active').querySelector('lightning-formatted-text')!.shadowRoot!.querySelector('span')!.firstChild!.textContent = 'Partner Referral';
    await settle();
    expect(sentFields().at(-1)).toEqual({ LeadSource: 'Partner Referral', Title: 'Chief Analyst', HasOptedOutOfEmail: 'true' });
  });
});

describe('record badge in a Salesforce console, a tab switched while the URL still names the lead', () => {
  /** The console fixture: Grace's tab first, Ada's (the selected one) second. */
  const tabOf = (name: string) => [...document.querySelectorAll('section.oneConsoleTab')].find((tab) => tab.textContent!.includes(name))!;
  const badgeIsInTabOf = (name: string) => tabOf(name).contains(badges()[0]);

  it.each([
    ['marks the tab shown and unmarks the one left at once', 0],
    ['marks the tab shown active 300 ms before it unmarks the one left', 300],
  ])('takes the badge off a tab left, floating it with its lead’s name, and back when the tab is shown again, when the console %s', async (_how, unmarkAfterMs) => {
    showPage('salesforce-record-console.html');
    run(salesforce, ada);
    await settle();
    expect(badges()).toHaveLength(1);
    expect(badgeIsInTabOf('Ada Lovelace')).toBe(true);
    expect(isFloating(badges()[0])).toBe(false);

    // Only the tabs' sections change, outside the record views: the one around the view read, and another.
    tabOf('Grace Hopper').classList.add('active');
    await vi.advanceTimersByTimeAsync(unmarkAfterMs);
    tabOf('Ada Lovelace').classList.remove('active');
    await vi.advanceTimersByTimeAsync(250);
    // Grace's tab is no view of Ada's: her badge floats, naming her, rather than sit in Grace's title.
    expect(badges()).toHaveLength(1);
    expect(isFloating(badges()[0])).toBe(true);
    expect(buttonTextOf(badges()[0])).toContain('Ada Lovelace');

    tabOf('Ada Lovelace').classList.add('active');
    tabOf('Grace Hopper').classList.remove('active');
    await vi.advanceTimersByTimeAsync(250);
    expect(badges()).toHaveLength(1);
    expect(badgeIsInTabOf('Ada Lovelace')).toBe(true);
    expect(isFloating(badges()[0])).toBe(false);
    expect(sentFields()).toHaveLength(1);
  });
});

/**
 * Record views stacked as Lightning's (the first `section.view.active` is read), the title looked up
 * as HubSpot's is: not under what a dialog hides from assistive technology (aria-hidden).
 */
const titleIn = (doc: Document) => activeView(doc)?.querySelector('h1') ?? null;
const viewsAdapter: CrmAdapter = {
  ...stackedViewsAdapter,
  readRecordName: (doc) => titleIn(doc)?.textContent ?? null,
  findBadgeAnchor: (doc) => {
    const title = titleIn(doc);
    return title && !title.closest('[aria-hidden="true"]') ? title : null;
  },
};
const fieldsOfAda: PageFields = { LeadSource: 'Web', Rating: 'Hot' };
const titleOf = (badge: HTMLElement) => badge.closest('h1')?.textContent ?? null;

describe('record badge as the page around the record view changes', () => {
  it('moves the badge to a view Lightning stacks before the one read, showing the lead again', async () => {
    document.body.innerHTML = `<div id="stage">${view('Ada A', fieldsOfAda)}</div>`;
    run(viewsAdapter, ada);
    await settle();
    // The view read is left as it was: only the node added before it tells.
    document.getElementById('stage')!.insertAdjacentHTML('afterbegin', view('Ada A', fieldsOfAda));
    await settle();
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(activeView(document)!.contains(badges()[0])).toBe(true);
    expect(scoreLead).toHaveBeenCalledTimes(1);
  });

  it('puts the badge back at the title once a dialog closes, after the CRM rendered the title anew under it', async () => {
    document.body.innerHTML = `<div id="app">${view('Ada A', fieldsOfAda)}</div>`;
    run(viewsAdapter, ada);
    await settle();
    const app = document.getElementById('app')!;
    // "Log a call" opens: the app behind it hidden from assistive technology (an attribute the badge does not watch).
    app.setAttribute('aria-hidden', 'true');
    document.body.insertAdjacentHTML('beforeend', '<div role="dialog" aria-modal="true"><h2>Log a call</h2></div>');
    await settle();
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    // The title rendered anew under the dialog: hidden, it cannot be found, and the badge floats meanwhile.
    activeView(document)!.querySelector('h1')!.replaceWith(Object.assign(document.createElement('h1'), { textContent: 'Ada A' }));
    await settle();
    expect(badges().map(isFloating)).toEqual([true]);

    app.removeAttribute('aria-hidden');
    document.querySelector('[role="dialog"]')!.remove();
    await settle();
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(scoreLead).toHaveBeenCalledTimes(1);
  });
});

describe('record badge on a HubSpot contact page, which marks no record view', () => {
  const contact = { kind: 'record', crm: 'hubspot', recordId: '1501' } as const;
  const property = (name: string, value: string) =>
    `<div data-selenium-test="property-input-${name}"><label data-selenium-test="property-label">${name}</label><span data-selenium-test="property-value">${value}</span></div>`;

  beforeEach(() => {
    document.body.innerHTML =
      `<div data-test-id="left-sidebar"><div data-selenium-test="contact-highlight-details"><h2 data-selenium-test="highlightTitle">Ada Lovelace</h2></div>` +
      `${property('jobtitle', 'VP Sales')}</div>` +
      `<div data-test-id="middle-pane"><section role="tabpanel" id="overview">${property('hs_analytics_num_visits', '14')}</section>` +
      `<section role="tabpanel" id="activities" hidden>${property('hs_lead_status', 'OPEN')}</section></div>`;
  });

  it('scores a tab switched to, a card rendered and a property edited, wherever on the page', async () => {
    run(hubspot, contact);
    await settle();
    expect(sentFields()).toEqual([{ jobtitle: 'VP Sales', hs_analytics_num_visits: '14' }]);

    // A tab switched by its hidden attribute: its property is scored, the other tab's as it was scored.
    document.getElementById('overview')!.setAttribute('hidden', '');
    document.getElementById('activities')!.removeAttribute('hidden');
    await settle();
    expect(sentFields().at(-1)).toEqual({ jobtitle: 'VP Sales', hs_lead_status: 'OPEN', hs_analytics_num_visits: '14' });

    // A card rendered late in the sidebar.
    document.querySelector('[data-test-id="left-sidebar"]')!.insertAdjacentHTML('beforeend', property('lifecyclestage', 'lead'));
    await settle();
    expect(sentFields().at(-1)).toEqual(expect.objectContaining({ lifecyclestage: 'lead', hs_lead_status: 'OPEN' }));

    document.querySelector('[data-selenium-test="property-input-jobtitle"] [data-selenium-test="property-value"]')!.textContent = 'CEO';
    await settle();
    expect(scoreLead).toHaveBeenLastCalledWith(expect.objectContaining({ crm: 'hubspot', recordId: contact.recordId, timeZone, fields: expect.objectContaining({ jobtitle: 'CEO' }) }));
    expect(scoreLead).toHaveBeenCalledTimes(4);
  });
});

/** A Salesforce record view as native shadow DOM renders it: `field`'s value and the title a text right in a shadow root. */
describe('record badge on a Salesforce page whose values are texts right in shadow roots (native LWC)', () => {
  const textInShadow = (tag: string, text: string) => {
    const host = document.createElement(tag);
    const node = document.createTextNode(text);
    host.attachShadow({ mode: 'open' }).append(node);
    return { host, node };
  };

  it('scores a value and a name its text node updates in place', async () => {
    document.body.innerHTML =
      '<div class="windowViewMode-normal oneContent active"><div class="slds-page-header"><h1 class="slds-page-header__title" id="title"></h1></div>' +
      '<records-record-layout-item><div data-target-selection-name="sfdc:RecordField.Lead.LeadSource"><span class="test-id__field-label">Lead Source</span>' +
      '<span class="test-id__field-value" id="value"></span></div></records-record-layout-item></div>';
    const name = textInShadow('lightning-formatted-name', 'Ada Lovelace');
    document.getElementById('title')!.append(name.host);
    const value = textInShadow('lightning-formatted-text', 'Web');
    document.getElementById('value')!.append(value.host);
    run(salesforce, ada);
    await settle();
    const sent = () => scoreLead.mock.calls.map(([request]) => [request.fields.LeadSource, request.name]);
    expect(sent()).toEqual([['Web', 'Ada Lovelace']]);

    // An inline edit saved, then the lead renamed: each text node updated in place.
    value.node.data = 'Partner Referral';
    await settle();
    name.node.data = 'Ada King';
    await settle();
    expect(sent()).toEqual([
      ['Web', 'Ada Lovelace'],
      ['Partner Referral', 'Ada Lovelace'],
      ['Partner Referral', 'Ada King'],
    ]);
  });
});
