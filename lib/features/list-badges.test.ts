// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScoredLead } from '../messaging/protocol';
import { hubspot } from '../crm/hubspot';
import { salesforce } from '../crm/salesforce';
import { badges, leaveHubSpotContactList, observerOptions, openHubSpotContactList, reportVisible, rowReadsAfterBadging, settle, states } from '../../test/fixtures/badge-page';

const scoreLeadsById = vi.hoisted(() => vi.fn());
vi.mock('../messaging/client', () => ({ background: { scoreLeadsById } }));
/** The background's broadcast events, fired by the test. */
const eventHandlers = vi.hoisted(() => new Map<string, (payload: object) => void>());
vi.mock('../messaging/events', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../messaging/events')>()),
  onEvent: (type: string, handler: (payload: object) => void) => eventHandlers.set(type, handler),
}));

const { badgeListRows } = await import('./list-badges');
const { EXTENSION_RELOADED } = await import('./navigation');
const { EVERYTHING_PURGED } = await import('../presentation');

const lead: ScoredLead = {
  probability: 0.3,
  score: 91,
  tier: 'hot',
  baseRate: 0.1,
  tiers: { hot: 0.25, warm: 0.1 },
  reasons: [{ label: 'Web visits', value: '14', points: 0.5 }],
  featuresKnown: 12,
  featuresTotal: 16,
  modelId: 'model-a',
  modelCreatedAt: '2026-11-01T00:00:00.000Z',
  modelLearntFromMadeUpLeads: false,
};

const row = (id: string, name: string) =>
  `<tr><td><a href="/contacts/4242424/record/0-1/${id}">${name}</a></td><td>x</td></tr>`;
function renderList(rows: string) {
  document.body.innerHTML = `<table data-test-id="contacts-table"><tbody>${rows}</tbody></table>`;
}

let page: AbortController;
beforeEach(() => {
  openHubSpotContactList(scoreLeadsById, (recordId) => (recordId === '2' ? { recordId, state: 'unknown' } : { recordId, state: 'scored', lead }));
  page = new AbortController();
});
afterEach(() => {
  page.abort();
  leaveHubSpotContactList();
});

describe('list badges', () => {
  it('badges every row, asks for the visible ones in one batch, and marks unknown records as not scored', async () => {
    renderList(row('1', 'Ada') + row('2', 'Grace') + row('3', 'Alan'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    expect(states()).toEqual([['1', 'loading'], ['2', 'loading'], ['3', 'loading']]);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(1);
    expect(scoreLeadsById).toHaveBeenCalledWith({ crm: 'hubspot', recordIds: ['1', '2', '3'] });
    expect(states()).toEqual([['1', 'scored'], ['2', 'unknown'], ['3', 'scored']]);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('hot');
    expect(badges()[0].hasAttribute('data-leadlens-compact')).toBe(true);
    expect(badges()[1].shadowRoot!.textContent).toContain('Not scored yet');
    // The badge sits beside the link, not in it: clicking it does not open the record.
    expect(badges()[0].closest('a')).toBeNull();
  });

  it('says why a row it knows was not scored, and asks again when the row comes back', async () => {
    const reason = 'LeadLens could not read this lead from HubSpot just now: open the lead, or reload the list.';
    scoreLeadsById.mockImplementationOnce(async ({ recordIds }: { recordIds: string[] }) => ({ ok: true, rows: recordIds.map((recordId) => ({ recordId, state: 'unscorable', reason })) }));
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    expect(states()).toEqual([['1', 'error']]);
    expect(badges()[0].shadowRoot!.textContent).toContain(reason);
    expect(badges()[0].shadowRoot!.textContent).not.toContain('Not scored yet');
    // Re-rendered by the CRM: asked again, and scored this time.
    document.querySelector('tbody')!.innerHTML = row('1', 'Ada');
    await settle();
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(2);
    expect(states()).toEqual([['1', 'scored']]);
  });

  it('badges rows the CRM renders later inside a shadow root (native shadow DOM), where an observer of the page alone cannot see', async () => {
    document.body.innerHTML = '<x-list></x-list>';
    const root = document.querySelector('x-list')!.attachShadow({ mode: 'open' });
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    await settle();
    expect(badges()).toHaveLength(0);
    root.innerHTML = `<table data-test-id="contacts-table"><tbody>${row('1', 'Ada') + row('3', 'Alan')}</tbody></table>`;
    await settle();
    const inRoot = [...root.querySelectorAll('leadlens-badge')].map((badge) => badge.getAttribute('data-leadlens-record'));
    expect(inRoot).toEqual(['1', '3']);
  });

  it.each([60, 150])('asks for rows that come into view %i ms apart, as a slow scroll brings them, in a few requests rather than one each', async (apart) => {
    const ids = Array.from({ length: 20 }, (_, i) => String(i + 10));
    renderList(ids.map((id) => row(id, `Lead ${id}`)).join(''));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    await settle();
    for (const cell of document.querySelectorAll('td:first-child')) {
      reportVisible([cell]);
      await vi.advanceTimersByTimeAsync(apart);
    }
    await settle();
    expect(scoreLeadsById.mock.calls.length).toBeLessThanOrEqual(Math.ceil((20 * apart) / 500) + 1);
    expect(scoreLeadsById.mock.calls.flatMap(([request]) => request.recordIds)).toEqual(ids);
    expect(states().every(([, state]) => state === 'scored')).toBe(true);
    // Rows half a window's height below the one shown count as in view: they are asked for before the rep gets there.
    expect(observerOptions()?.rootMargin).toBe('50% 0px');
  });

  it('asks for a row that came into view alone without waiting for others', async () => {
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await vi.advanceTimersByTimeAsync(250);
    expect(scoreLeadsById).toHaveBeenCalledWith({ crm: 'hubspot', recordIds: ['1'] });
  });

  it('asks only for rows that came into view', async () => {
    renderList(row('1', 'Ada') + row('3', 'Alan'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledWith({ crm: 'hubspot', recordIds: ['1'] });
    expect(states()).toEqual([['1', 'scored'], ['3', 'loading']]);
  });

  it('picks up rows the CRM renders later (filtering, paging) and drops badges of rows that left', async () => {
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    document.querySelector('tbody')!.innerHTML = row('3', 'Alan') + row('4', 'Ida');
    await settle();
    expect(states()).toEqual([['3', 'loading'], ['4', 'loading']]);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    expect(scoreLeadsById).toHaveBeenLastCalledWith({ crm: 'hubspot', recordIds: ['3', '4'] });
    expect(states()).toEqual([['3', 'scored'], ['4', 'scored']]);
  });

  it('re-badges a row the grid reuses for another record (only its link changes)', async () => {
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await settle();
    const link = document.querySelector('a')!;
    link.setAttribute('href', '/contacts/4242424/record/0-1/3');
    link.firstChild!.textContent = 'Alan';
    await settle();
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(states()).toEqual([['3', 'scored']]);
    expect(scoreLeadsById).toHaveBeenLastCalledWith({ crm: 'hubspot', recordIds: ['3'] });
  });

  it('keeps the focus on a row’s badge when the CRM re-renders the row, or reuses it for another lead', async () => {
    renderList(row('1', 'Ada') + row('3', 'Alan'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    const focusedRecord = () => document.activeElement?.getAttribute('data-leadlens-record');
    badges()[1].shadowRoot!.querySelector('button')!.focus();
    document.querySelector('tbody')!.innerHTML = row('1', 'Ada') + row('3', 'Alan');
    expect(document.activeElement).toBe(document.body);
    await settle();
    expect(focusedRecord()).toBe('3');
    expect(badges()[1].getAttribute('data-leadlens-state')).toBe('scored');
    // A virtualised grid reuses the row for another lead, our badge still in it.
    const link = document.querySelectorAll('a')[1];
    link.setAttribute('href', '/contacts/4242424/record/0-1/2');
    link.textContent = 'Grace';
    await settle();
    expect(focusedRecord()).toBe('2');
  });

  it('asks again for the rows in view when the tier policy changes', async () => {
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(1);
    eventHandlers.get('scoresChanged')!({});
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(2);
  });

  it('asks nothing again when another CRM’s scores change (its sync): the rows not stored would be read from the CRM again for nothing', async () => {
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await settle();
    eventHandlers.get('scoresChanged')!({ crm: 'salesforce' });
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(1);
    expect(states()).toEqual([['1', 'scored']]);
    eventHandlers.get('scoresChanged')!({ crm: 'hubspot' });
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(2);
  });

  it('tells the rows’ badges apart by the lead’s name for screen readers', async () => {
    renderList(row('1', 'Ada') + row('3', 'Alan'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    const labels = badges().map((badge) => badge.shadowRoot!.querySelector('button')!.getAttribute('aria-label'));
    expect(labels).toEqual(['Hot 91: LeadLens scores Ada 91 of 99, a hot lead. Show why.', 'Hot 91: LeadLens scores Alan 91 of 99, a hot lead. Show why.']);
  });

  it('names the lead anew for screen readers when the CRM renames it in place, without asking for its score again', async () => {
    renderList(row('1', 'Ada Byron') + row('3', 'Alan'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    const labels = () => badges().map((badge) => badge.shadowRoot!.querySelector('button')!.getAttribute('aria-label'));
    // React edits the text node's value (a characterData change, nothing added or removed).
    document.querySelector('a')!.firstChild!.nodeValue = 'Ada Lovelace';
    await settle();
    expect(labels()[0]).toBe('Hot 91: LeadLens scores Ada Lovelace 91 of 99, a hot lead. Show why.');
    // Or replaces the link's text.
    document.querySelectorAll('a')[1].textContent = 'Alan Turing';
    await settle();
    expect(labels()[1]).toBe('Hot 91: LeadLens scores Alan Turing 91 of 99, a hot lead. Show why.');
    expect(scoreLeadsById).toHaveBeenCalledTimes(1);
  });

  it('gives a contact listed twice (a grouped view) a badge in each row, asked for once', async () => {
    renderList(row('1', 'Ada') + row('3', 'Alan') + row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    expect([...document.querySelectorAll('tr')].map((tr) => tr.querySelectorAll('leadlens-badge').length)).toEqual([1, 1, 1]);
    expect(scoreLeadsById).toHaveBeenCalledTimes(1);
    expect(scoreLeadsById).toHaveBeenCalledWith({ crm: 'hubspot', recordIds: ['1', '3'] });
    expect(states()).toEqual([['1', 'scored'], ['3', 'scored'], ['1', 'scored']]);
  });

  it('shows a row’s last score at once when the CRM re-renders it, without asking again; a row not scored is asked again', async () => {
    renderList(row('1', 'Ada') + row('2', 'Grace'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(1);
    // The CRM renders the same rows again: new cells, our badges gone with the old ones.
    document.querySelector('tbody')!.innerHTML = row('1', 'Ada') + row('2', 'Grace');
    await settle();
    expect(badges()[0].getAttribute('data-leadlens-state')).toBe('scored');
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('hot');
    // "Not scored yet" may come from a CRM read that failed: only that row is asked again.
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(2);
    expect(scoreLeadsById).toHaveBeenLastCalledWith({ crm: 'hubspot', recordIds: ['2'] });
    expect(states()).toEqual([['1', 'scored'], ['2', 'unknown']]);
  });

  it('drops an answer to a request made before the scores changed: it would put the old tier back', async () => {
    let answerOld: (reply: unknown) => void = () => undefined;
    scoreLeadsById.mockImplementationOnce(() => new Promise((resolve) => (answerOld = resolve)));
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await settle();
    // The tier policy changes while the first request waits; the row is asked again and answered.
    eventHandlers.get('scoresChanged')!({});
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(2);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('hot');
    answerOld({ ok: true, rows: [{ recordId: '1', state: 'scored', lead: { ...lead, tier: 'cold' } }] });
    await settle();
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('hot');
  });

  /** Row 1 badged and asked for, its answer held (given by the function returned), then re-rendered by the CRM. */
  async function reRenderedWhileAsked(): Promise<(reply: unknown) => void> {
    let answerFirst: (reply: unknown) => void = () => undefined;
    scoreLeadsById.mockImplementationOnce(() => new Promise((resolve) => (answerFirst = resolve)));
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await settle();
    document.querySelector('tbody')!.innerHTML = row('1', 'Ada');
    await settle();
    return answerFirst;
  }

  it('keeps a row’s score when a failure answering an earlier request of it arrives after it', async () => {
    // The CRM re-renders the row while the first request waits: the new row is asked for, and scored.
    const failFirst = await reRenderedWhileAsked();
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(states()).toEqual([['1', 'scored']]);
    failFirst({ ok: false, error: 'LeadLens could not be reached just now: reload this page to see scores again.' });
    await settle();
    expect(states()).toEqual([['1', 'scored']]);
  });

  it('shows an answer that arrives after the CRM re-rendered the row on the row’s new badge', async () => {
    const answer = await reRenderedWhileAsked();
    answer({ ok: true, rows: [{ recordId: '1', state: 'scored', lead }] });
    await settle();
    expect(states()).toEqual([['1', 'scored']]);
  });

  it('forgets the answers when the scores change: a re-rendered row asks again', async () => {
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await settle();
    eventHandlers.get('scoresChanged')!({});
    document.querySelector('tbody')!.innerHTML = row('1', 'Ada');
    await settle();
    expect(states()).toEqual([['1', 'loading']]);
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledTimes(2);
    expect(states()).toEqual([['1', 'scored']]);
  });

  it('does not rescan in a loop because of its own badges: mounting, answering, opening', async () => {
    renderList(row('1', 'Ada') + row('2', 'Grace'));
    const readRows = vi.spyOn(hubspot, 'readListRows');
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    await settle();
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    expect(states()).toEqual([['1', 'scored'], ['2', 'unknown']]);
    badges()[0].shadowRoot!.querySelector('button')!.dispatchEvent(new FocusEvent('focus'));
    await settle();
    await settle();
    expect(readRows).toHaveBeenCalledTimes(1);
    readRows.mockRestore();
  });

  it('does not read the rows again for an attribute changed outside the list: a header animating by its class', async () => {
    document.body.innerHTML = `<header><span id="bell" class="idle"></span></header><div id="view"><table data-test-id="contacts-table"><tbody>${row('1', 'Ada') + row('3', 'Alan')}</tbody></table></div>`;
    const readRows = await rowReadsAfterBadging(() => badgeListRows(document, hubspot, 'hubspot', page.signal));
    const bell = document.getElementById('bell')!;
    for (let i = 0; i < 30; i++) {
      bell.className = i % 2 ? 'idle' : 'ringing';
      bell.style.opacity = String(i % 2);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(readRows).not.toHaveBeenCalled();
    // In the list, and around it, an attribute still may change the rows: each is read again.
    document.querySelector('tr')!.className = 'selected';
    await settle();
    expect(readRows).toHaveBeenCalledTimes(1);
    document.getElementById('view')!.setAttribute('hidden', '');
    await settle();
    expect(readRows).toHaveBeenCalledTimes(2);
    expect(badges()).toHaveLength(0);
    readRows.mockRestore();
  });

  it('badges the list view Lightning shows again on Back, after the record view it kept goes', async () => {
    const leadRow = (id: string, name: string) =>
      `<tr data-row-key-value="${id}"><th scope="row"><a data-recordid="${id}" href="/lightning/r/Lead/${id}/view">${name}</a></th><td>x</td></tr>`;
    // Back from a lead to the list: the URL is the list's, but the lead's view is still the active one.
    document.head.innerHTML = '<base href="https://acme.lightning.force.com/lightning/o/Lead/list">';
    document.body.innerHTML = `
      <div id="list" class="windowViewMode-normal oneContent" style="display: none"><table role="grid"><tbody>
        ${leadRow('00Q5e00000AbCdEEAV', 'Ada Lovelace')}${leadRow('00Q5e00000AbCdFEAV', 'Grace Hopper')}
      </tbody></table></div>
      <div id="record" class="windowViewMode-normal oneContent active"><h1 class="slds-page-header__title">Ada Lovelace</h1></div>`;
    badgeListRows(document, salesforce, 'salesforce', page.signal);
    await settle();
    expect(badges()).toHaveLength(0);
    // Lightning then re-shows the list it kept, by its classes and style alone.
    const [list, record] = [document.getElementById('list')!, document.getElementById('record')!];
    record.classList.remove('active');
    record.style.display = 'none';
    list.classList.add('active');
    list.style.removeProperty('display');
    await settle();
    expect(states()).toEqual([['00Q5e00000AbCdEEAV', 'loading'], ['00Q5e00000AbCdFEAV', 'loading']]);
    expect(badges().every((badge) => list.contains(badge))).toBe(true);
    reportVisible([...list.querySelectorAll('th')]);
    await settle();
    expect(scoreLeadsById).toHaveBeenCalledWith({ crm: 'salesforce', recordIds: ['00Q5e00000AbCdEEAV', '00Q5e00000AbCdFEAV'] });
  });

  it.each([
    ['hidden', (view: HTMLElement) => view.setAttribute('hidden', ''), (view: HTMLElement) => view.removeAttribute('hidden')],
    ['aria-hidden', (view: HTMLElement) => view.setAttribute('aria-hidden', 'true'), (view: HTMLElement) => view.removeAttribute('aria-hidden')],
    ['style', (view: HTMLElement) => (view.style.display = 'none'), (view: HTMLElement) => view.style.removeProperty('display')],
  ])('badges a list the CRM shows by its %s attribute alone', async (_, hide, show) => {
    document.body.innerHTML = `<div id="view"><table data-test-id="contacts-table"><tbody>${row('1', 'Ada')}</tbody></table></div>`;
    const view = document.getElementById('view')!;
    hide(view);
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    await settle();
    expect(badges()).toHaveLength(0);
    show(view);
    await settle();
    expect(states()).toEqual([['1', 'loading']]);
  });

  it('shows the failure on each badge when the background cannot answer', async () => {
    scoreLeadsById.mockRejectedValue(new Error('Extension context invalidated.'));
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await settle();
    expect(states()).toEqual([['1', 'error']]);
  });

  it('removes its badges when the user leaves the page', async () => {
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    page.abort();
    expect(badges()).toEqual([]);
  });

  it('keeps its badges when the extension is updated under the page, each saying to reload it', async () => {
    renderList(row('1', 'Ada') + row('3', 'Alan'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    page.abort(EXTENSION_RELOADED);
    expect(states()).toEqual([['1', 'error'], ['3', 'error']]);
    for (const badge of badges()) expect(badge.shadowRoot?.textContent).toContain('reload this page');
    // Rows the CRM renders afterwards are left alone: nothing is listening any more.
    document.querySelector('tbody')!.insertAdjacentHTML('beforeend', row('4', 'Grace'));
    await settle();
    expect(badges()).toHaveLength(2);
  });

  it('keeps its badges after "Purge everything", each saying all LeadLens stored was deleted and to reload the page', async () => {
    renderList(row('1', 'Ada') + row('3', 'Alan'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([...document.querySelectorAll('td:first-child')]);
    await settle();
    page.abort(EVERYTHING_PURGED);
    expect(states()).toEqual([['1', 'error'], ['3', 'error']]);
    for (const badge of badges()) expect(badge.shadowRoot?.textContent).toContain('LeadLens stopped on this page to delete everything it stored: reload the page to see scores again.');
  });

  it('names no lead on its badges once the extension is updated: a virtualised row reused for another lead is no longer followed', async () => {
    renderList(row('1', 'Ada'));
    badgeListRows(document, hubspot, 'hubspot', page.signal);
    reportVisible([document.querySelector('td')!]);
    await settle();
    page.abort(EXTENSION_RELOADED);
    const link = document.querySelector('a')!;
    link.setAttribute('href', '/contacts/4242424/record/0-1/7');
    link.textContent = 'Grace';
    await settle();
    const button = badges()[0].shadowRoot!.querySelector('button')!;
    expect(button.getAttribute('aria-label')).toBe('LeadLens could not score this lead. Show why.');
    expect(button.getAttribute('aria-label')).not.toContain('Ada');
  });
});
