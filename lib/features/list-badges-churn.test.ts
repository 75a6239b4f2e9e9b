// @vitest-environment happy-dom
/**
 * List badges on a busy CRM page: changes outside the list (toasts, hover cards, a header's
 * counter) must not read a long list again, while the list's own changes still are; and a row a
 * virtualised grid reuses for another record never shows the previous record's score.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScoredLead } from '../messaging/protocol';
import { hubspot } from '../crm/hubspot';
import { salesforce } from '../crm/salesforce';
import { badges, leaveHubSpotContactList, openHubSpotContactList, reportVisible, rowReadsAfterBadging, settle, states } from '../../test/fixtures/badge-page';

const scoreLeadsById = vi.hoisted(() => vi.fn());
vi.mock('../messaging/client', () => ({ background: { scoreLeadsById } }));
vi.mock('../messaging/events', () => ({ onEvent: () => undefined }));

const { badgeListRows } = await import('./list-badges');

/** A lead scored `score`, hot above 50: each record its own score, so a stale badge shows. */
const scored = (score: number): ScoredLead => ({
  probability: score / 100,
  score,
  tier: score > 50 ? 'hot' : 'cold',
  baseRate: 0.1,
  tiers: { hot: 0.25, warm: 0.1 },
  reasons: [],
  featuresKnown: 1,
  featuresTotal: 2,
  modelId: 'model-a',
  modelCreatedAt: '2026-11-01T00:00:00.000Z',
  modelLearntFromMadeUpLeads: false,
});
const scoreOf = (recordId: string) => Number(recordId.replace(/\D/g, '').slice(-2)) || 1;

const contactRow = (id: string, name: string) => `<tr><td><a href="/contacts/4242424/record/0-1/${id}">${name}</a></td><td>x</td></tr>`;
const contactRows = (ids: string[]) => ids.map((id) => contactRow(id, `Lead ${id}`)).join('');
const leadRow = (id: string, name: string) =>
  `<tr data-row-key-value="${id}"><th scope="row"><a data-recordid="${id}" href="/lightning/r/Lead/${id}/view">${name}</a></th><td>x</td></tr>`;
/** What each row shows: its link's text, then its badge's record and score. */
const rowsShown = () =>
  [...document.querySelectorAll('tbody tr')].map((tr) => {
    const badge = tr.querySelector('leadlens-badge');
    return [tr.querySelector('a')!.textContent, badge?.getAttribute('data-leadlens-record') ?? null, badge?.getAttribute('data-leadlens-score') ?? null];
  });
const firstCells = () => [...document.querySelectorAll('tbody tr > :first-child')];

let page: AbortController;
beforeEach(() => {
  openHubSpotContactList(scoreLeadsById, (recordId) => ({ recordId, state: 'scored', lead: scored(scoreOf(recordId)) }));
  page = new AbortController();
});
afterEach(() => {
  page.abort();
  leaveHubSpotContactList();
  vi.restoreAllMocks();
});

describe('list badges on a page that changes around the list', () => {
  it('does not read the list again for nodes added and removed outside it: a header counter, a toast, a hover card', async () => {
    document.body.innerHTML = `<header><ul id="notifications"></ul></header><div id="view"><table data-test-id="contacts-table"><tbody>${contactRows(['1', '3'])}</tbody></table></div>`;
    const readRows = await rowReadsAfterBadging(() => badgeListRows(document, hubspot, 'hubspot', page.signal));
    const notifications = document.getElementById('notifications')!;
    // 3 seconds of a header counter changing every 100 ms.
    for (let i = 0; i < 30; i++) {
      if (i % 2) notifications.replaceChildren();
      else notifications.append(document.createElement('li'));
      await vi.advanceTimersByTimeAsync(100);
    }
    // A toast and a hover card the CRM puts straight in the body (around the list, not in it), then takes away.
    document.body.insertAdjacentHTML('beforeend', '<div id="toast" role="status">Contact saved</div><div id="card" role="dialog"><p>Ada, Acme</p></div>');
    await settle();
    document.getElementById('toast')!.remove();
    document.getElementById('card')!.remove();
    await settle();
    expect(readRows).not.toHaveBeenCalled();
    // Nodes added in the list still are read.
    document.querySelector('td')!.append(document.createElement('span'));
    await settle();
    expect(readRows).toHaveBeenCalledTimes(1);
  });

  it('badges rows a list grown by scrolling adds, in a table', async () => {
    document.body.innerHTML = `<header id="header"></header><table data-test-id="contacts-table"><tbody>${contactRows(['1', '3'])}</tbody></table>`;
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible(firstCells());
    await settle();
    // Rows parsed in a table of their own (a row's markup outside one is no row).
    const more = document.createElement('tbody');
    more.innerHTML = contactRows(['4', '5']);
    document.querySelector('tbody')!.append(...more.children);
    await settle();
    expect(states()).toEqual([['1', 'scored'], ['3', 'scored'], ['4', 'loading'], ['5', 'loading']]);
    reportVisible(firstCells());
    await settle();
    expect(scoreLeadsById).toHaveBeenLastCalledWith({ crm: 'hubspot', recordIds: ['4', '5'] });
  });

  it('badges rows added to a one-row grid that is no table: the rows added are outside the one read', async () => {
    const gridRow = (id: string) => `<div role="row"><div role="gridcell"><a href="/contacts/4242424/record/0-1/${id}">Lead ${id}</a></div></div>`;
    document.body.innerHTML = `<div data-test-id="contacts-table">${gridRow('1')}</div>`;
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    await settle();
    expect(states()).toEqual([['1', 'loading']]);
    document.querySelector('[data-test-id="contacts-table"]')!.insertAdjacentHTML('beforeend', gridRow('3'));
    await settle();
    expect(states()).toEqual([['1', 'loading'], ['3', 'loading']]);
  });

  it('badges another list view Lightning stacks before the one read, which stays in the page', async () => {
    document.head.innerHTML = '<base href="https://acme.lightning.force.com/lightning/o/Lead/list">';
    const view = (id: string, rows: string) => `<div id="${id}" class="windowViewMode-normal oneContent active"><table role="grid"><tbody>${rows}</tbody></table></div>`;
    document.body.innerHTML = `<div id="stack">${view('first', leadRow('00Q5e00000AbCdEEAV', 'Ada Lovelace'))}</div>`;
    badgeListRows(document, salesforce, 'salesforce', page.signal);
    await settle();
    expect(states()).toEqual([['00Q5e00000AbCdEEAV', 'loading']]);
    document.getElementById('stack')!.insertAdjacentHTML('afterbegin', view('next', leadRow('00Q5e00000AbCdFEAV', 'Grace Hopper')));
    await settle();
    expect(states()).toEqual([['00Q5e00000AbCdFEAV', 'loading']]);
    expect(document.getElementById('next')!.querySelector('leadlens-badge')).not.toBeNull();
  });

  it('keeps badging the list behind a modal that hides the page, never the contacts in the modal', async () => {
    document.body.innerHTML = `<div id="app"><table data-test-id="contacts-table"><tbody>${contactRows(['1', '3'])}</tbody></table></div>`;
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    await settle();
    const app = document.getElementById('app')!;
    // A picker of other contacts opens: the app behind it hidden from assistive technology.
    app.setAttribute('aria-hidden', 'true');
    document.body.insertAdjacentHTML('beforeend', `<div id="modal" role="dialog" aria-modal="true"><table><tbody>${contactRows(['77'])}</tbody></table></div>`);
    await settle();
    expect(states()).toEqual([['1', 'loading'], ['3', 'loading']]);
    document.getElementById('modal')!.remove();
    app.removeAttribute('aria-hidden');
    await settle();
    expect(states()).toEqual([['1', 'loading'], ['3', 'loading']]);
    // The page hidden a moment before the modal shows: its badges go, and come back with the modal.
    app.setAttribute('aria-hidden', 'true');
    await settle();
    expect(badges()).toHaveLength(0);
    document.body.insertAdjacentHTML('beforeend', '<div role="dialog" aria-modal="true"><p>Log a call</p></div>');
    await settle();
    expect(states()).toEqual([['1', 'loading'], ['3', 'loading']]);
  });
});

describe('list badges on a row reused for another record', () => {
  it('shows no score of the previous record once a row’s link changes, and the new record’s after the rows are read', async () => {
    document.body.innerHTML = `<table data-test-id="contacts-table"><tbody>${contactRow('1', 'Ada') + contactRow('9', 'Grace')}</tbody></table>`;
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible(firstCells());
    await settle();
    expect(rowsShown()).toEqual([['Ada', '1', '1'], ['Grace', '9', '9']]);
    // A sort in a grid keyed by position: the same cells now show the other contacts.
    const [first, second] = document.querySelectorAll('a');
    first.setAttribute('href', '/contacts/4242424/record/0-1/9');
    first.textContent = 'Grace';
    second.setAttribute('href', '/contacts/4242424/record/0-1/1');
    second.textContent = 'Ada';
    await vi.advanceTimersByTimeAsync(0);
    expect(rowsShown()).toEqual([['Grace', null, null], ['Ada', null, null]]);
    expect(states()).toEqual([[null, 'loading'], [null, 'loading']]);
    await settle();
    expect(rowsShown()).toEqual([['Grace', '9', '9'], ['Ada', '1', '1']]);
    expect(scoreLeadsById).toHaveBeenCalledTimes(1);
  });

  it('shows no score of the previous record once a Lightning row’s key changes', async () => {
    document.head.innerHTML = '<base href="https://acme.lightning.force.com/lightning/o/Lead/list">';
    const [ada, grace] = ['00Q5e00000AbCdEEAV', '00Q5e00000AbCdFEAV'];
    document.body.innerHTML = `<table role="grid"><tbody>${leadRow(ada, 'Ada Lovelace')}</tbody></table>`;
    badgeListRows(document, salesforce, 'salesforce', page.signal);
    reportVisible(firstCells());
    await settle();
    expect(states()).toEqual([[ada, 'scored']]);
    const reused = document.querySelector('tr')!;
    reused.setAttribute('data-row-key-value', grace);
    await vi.advanceTimersByTimeAsync(0);
    expect(states()).toEqual([[null, 'loading']]);
    const link = reused.querySelector('a')!;
    link.setAttribute('data-recordid', grace);
    link.setAttribute('href', `/lightning/r/Lead/${grace}/view`);
    link.textContent = 'Grace Hopper';
    await settle();
    reportVisible(firstCells());
    await settle();
    expect(states()).toEqual([[grace, 'scored']]);
    expect(scoreLeadsById).toHaveBeenLastCalledWith({ crm: 'salesforce', recordIds: [grace] });
  });

  it('shows the row’s score again when its link changes and changes back before the rows are read', async () => {
    document.body.innerHTML = `<table data-test-id="contacts-table"><tbody>${contactRow('1', 'Ada')}</tbody></table>`;
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible(firstCells());
    await settle();
    const link = document.querySelector('a')!;
    link.setAttribute('href', '/contacts/4242424/record/0-1/9');
    await vi.advanceTimersByTimeAsync(50);
    link.setAttribute('href', '/contacts/4242424/record/0-1/1');
    await settle();
    expect(rowsShown()).toEqual([['Ada', '1', '1']]);
    expect(scoreLeadsById).toHaveBeenCalledTimes(1);
  });
});
