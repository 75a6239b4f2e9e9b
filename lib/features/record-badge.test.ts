// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScoreOutcome } from '../messaging/protocol';
import type { CrmAdapter, PageFields, PageMatch } from '../crm/types';
import { badges, openRecordPage, renderNext, settle, timeZone, titleOf } from '../../test/fixtures/badge-page';

const scoreLead = vi.hoisted(() => vi.fn());
vi.mock('../messaging/client', () => ({ background: { scoreLead } }));
const eventHandlers = vi.hoisted(() => new Map<string, Set<(payload: object) => void>>());
vi.mock('../messaging/events', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../messaging/events')>()),
  onEvent(type: string, handler: (payload: object) => void, signal: AbortSignal) {
    const handlers = eventHandlers.get(type) ?? new Set();
    eventHandlers.set(type, handlers);
    handlers.add(handler);
    signal.addEventListener('abort', () => handlers.delete(handler));
  },
}));

let { recordBadge } = await import('./record-badge');
let { hubspot } = await import('../crm/hubspot');
const { salesforce } = await import('../crm/salesforce');
const { EXTENSION_RELOADED } = await import('./navigation');
const { EVERYTHING_PURGED } = await import('../presentation');
const { scoredLead: lead, stackedViewsAdapter: adapter, activeView, fieldRows: rowsOf, recordView: view } = await import('../../test/fixtures/record-views');



const A = { kind: 'record', crm: 'salesforce', recordId: '00Q000000000AAAAAA' } as const;
const B = { kind: 'record', crm: 'salesforce', recordId: '00Q000000000BBBAAA' } as const;
const fieldsOfA: PageFields = { LeadSource: 'Web', Rating: 'Hot' };
const fieldsOfB: PageFields = { LeadSource: 'Trade Show', Rating: 'Cold' };

const callsWith = (fields: PageFields) => scoreLead.mock.calls.filter(([request]) => JSON.stringify(request.fields) === JSON.stringify(fields));

let page: AbortController;
function run(match: Extract<PageMatch, { kind: 'record' }>, previousMatch: PageMatch | null) {
  void recordBadge.run({ document, adapter, match, previousMatch, signal: page.signal });
}

beforeEach(async () => {
  // Each test is a page of its own: what the badge remembers of the records the page showed, and the HubSpot adapter of the rows it read, starts empty.
  vi.resetModules();
  ({ recordBadge } = await import('./record-badge'));
  ({ hubspot } = await import('../crm/hubspot'));
  eventHandlers.clear();
  openRecordPage(scoreLead);
  page = new AbortController();
});
afterEach(() => {
  page.abort();
  vi.useRealTimers();
});

describe('record badge', () => {
  it("sends the page's locale and time zone with its fields, so its numbers, dates and times are read in them", async () => {
    document.documentElement.lang = 'de-DE';
    // A browser in Berlin: Intl's dates and times are in its zone
    const { DateTimeFormat } = Intl;
    const inBerlin = vi.spyOn(Intl, 'DateTimeFormat').mockImplementation((locales, options) => new DateTimeFormat(locales, { timeZone: 'Europe/Berlin', ...options }));
    try {
      document.body.innerHTML = view('Ada A', fieldsOfA);
      run(A, null);
      await settle();
      expect(scoreLead.mock.calls).toEqual([[{ crm: 'salesforce', locale: 'de-DE', timeZone: 'Europe/Berlin', recordId: A.recordId, fields: fieldsOfA, name: 'Ada A' }]]);
    } finally {
      document.documentElement.lang = '';
      inBerlin.mockRestore();
    }
  });

  it('scores the record the page shows and puts the badge in its title', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    expect(scoreLead.mock.calls).toEqual([[{ crm: 'salesforce', locale: 'en-US', timeZone, recordId: A.recordId, fields: fieldsOfA, name: 'Ada A' }]]);
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('hot');
  });

  it('scores the next record as soon as it renders, without waiting for the page to settle', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(B, A);
    await vi.advanceTimersByTimeAsync(50);
    expect(scoreLead).not.toHaveBeenCalled();
    renderNext('Bob B', fieldsOfB);
    await vi.advanceTimersByTimeAsync(10);
    expect(scoreLead.mock.calls).toEqual([[{ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: fieldsOfB, name: 'Bob B' }]]);
    expect(badges().map(titleOf)).toEqual(['Bob B']);
  });

  it('never scores the previous record’s fields when the next one renders late, and badges it once it does', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(B, A);
    await vi.advanceTimersByTimeAsync(3100);
    // Without its own fields the background reads the record itself; the badge is not put in A's title.
    expect(callsWith(fieldsOfA)).toEqual([]);
    expect(scoreLead.mock.calls).toEqual([[{ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: {} }]]);
    expect(badges().map(titleOf)).toEqual([null]);

    renderNext('Bob B', fieldsOfB);
    await settle();
    expect(callsWith(fieldsOfB)).toHaveLength(1);
    expect(callsWith(fieldsOfA)).toEqual([]);
    expect(badges().map(titleOf)).toEqual(['Bob B']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });

  it('badges a record come back to while the page still shows it (Back before the next lead rendered), with its own fields', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    // To B, which does not render in time, then Back to A: the page showed A all along.
    page.abort();
    page = new AbortController();
    run(B, A);
    await vi.advanceTimersByTimeAsync(100);
    page.abort();
    page = new AbortController();
    run(A, B);
    await vi.advanceTimersByTimeAsync(3100);
    expect(scoreLead.mock.calls.filter(([request]) => request.recordId === A.recordId).map(([request]) => request.fields)).toEqual([fieldsOfA, fieldsOfA]);
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('hot');
  });

  it('reads the page at most every 200 ms while the next record loads under a shimmer, and still scores it soon after it renders', async () => {
    document.body.innerHTML = `${view('Ada A', fieldsOfA)}<div id="skeleton" class="loading"></div>`;
    const readFields = vi.spyOn(adapter, 'readRecordFields');
    run(B, A);
    readFields.mockClear();
    const skeleton = document.getElementById('skeleton')!;
    // 100 changes, one every 10 ms: each read walks the page (HubSpot's look for shadow roots).
    for (let i = 0; i < 100; i++) {
      skeleton.classList.toggle('pulse');
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(readFields.mock.calls.length).toBeGreaterThan(0);
    expect(readFields.mock.calls.length).toBeLessThanOrEqual(6);
    expect(scoreLead).not.toHaveBeenCalled();
    // B renders amid the shimmer: seen at the end of the interval, not when the wait for it runs out.
    skeleton.classList.toggle('pulse');
    renderNext('Bob B', fieldsOfB);
    await vi.advanceTimersByTimeAsync(200);
    expect(scoreLead.mock.calls).toEqual([[{ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: fieldsOfB, name: 'Bob B' }]]);
    readFields.mockRestore();
  });

  it('never scores what a page of another kind showed (a HubSpot company) as the contact’s, and scores the contact once it renders', async () => {
    // A company page: its properties read like a contact's fields, but it is not a lead page.
    const fieldsOfCompany: PageFields = { industry: 'Software', Rating: 'Hot' };
    document.body.innerHTML = view('Acme Inc', fieldsOfCompany);
    run(B, { kind: 'other' });
    await vi.advanceTimersByTimeAsync(50);
    expect(callsWith(fieldsOfCompany)).toEqual([]);
    expect(badges().map(titleOf)).not.toContain('Acme Inc');

    renderNext('Bob B', fieldsOfB);
    await settle();
    expect(callsWith(fieldsOfCompany)).toEqual([]);
    expect(scoreLead.mock.calls).toEqual([[{ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: fieldsOfB, name: 'Bob B' }]]);
    expect(badges().map(titleOf)).toEqual(['Bob B']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });

  it('never scores what is left of the previous record while the CRM unmounts it', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(B, A);
    await vi.advanceTimersByTimeAsync(50);
    // The CRM takes the previous record's view apart before rendering the next one.
    document.querySelector('[data-field="LeadSource"]')!.remove();
    await vi.advanceTimersByTimeAsync(50);
    expect(scoreLead).not.toHaveBeenCalled();

    renderNext('Bob B', fieldsOfB);
    await settle();
    expect(scoreLead.mock.calls).toEqual([[{ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: fieldsOfB, name: 'Bob B' }]]);
    expect(badges().map(titleOf)).toEqual(['Bob B']);
  });

  /** From A to B as HubSpot re-renders one view in place: B's properties first, the header (still A's title) later. */
  async function fieldsOfBInAsView() {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(B, A);
    await vi.advanceTimersByTimeAsync(50);
    document.querySelector('dl')!.innerHTML = rowsOf(fieldsOfB);
  }

  it('never sends or badges the previous record’s title when the CRM renders the next record’s fields first, in place', async () => {
    await fieldsOfBInAsView();
    await vi.advanceTimersByTimeAsync(10);
    expect(scoreLead.mock.calls).toEqual([[{ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: fieldsOfB, name: undefined }]]);
    expect(badges().map(titleOf)).toEqual([null]);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');

    document.querySelector('h1')!.textContent = 'Bob B';
    await settle();
    expect(scoreLead).toHaveBeenLastCalledWith({ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: fieldsOfB, name: 'Bob B' });
    expect(badges().map(titleOf)).toEqual(['Bob B']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });

  it('takes a title that reads as the previous record’s for this one’s once its fields have shown a while: the next lead has the same name', async () => {
    await fieldsOfBInAsView();
    await vi.advanceTimersByTimeAsync(500);
    expect(scoreLead.mock.calls).toEqual([[{ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: fieldsOfB, name: undefined }]]);
    expect(badges().map(titleOf)).toEqual([null]);

    await vi.advanceTimersByTimeAsync(600);
    expect(scoreLead).toHaveBeenLastCalledWith({ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: fieldsOfB, name: 'Ada A' });
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });

  it('stops waiting for the title when the rep leaves during the wait: no score and no badge afterwards', async () => {
    await fieldsOfBInAsView();
    await vi.advanceTimersByTimeAsync(500);
    page.abort();
    const calls = scoreLead.mock.calls.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(scoreLead).toHaveBeenCalledTimes(calls);
    expect(badges()).toEqual([]);
  });

  it('does not score again when the title is gone for a moment as the CRM re-renders it', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    const title = document.querySelector('h1')!;
    title.remove();
    await settle();
    document.querySelector('section')!.prepend(title);
    await settle();
    expect(scoreLead).toHaveBeenCalledTimes(1);
    expect(badges().map(titleOf)).toEqual(['Ada A']);
  });

  it('puts the badge back when the CRM re-renders the title, without scoring again', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    const title = document.querySelector('h1')!;
    const newTitle = document.createElement('h1');
    newTitle.textContent = 'Ada A';
    title.replaceWith(newTitle);
    await settle();
    expect(badges()).toHaveLength(1);
    expect(badges()[0].parentElement).toBe(newTitle);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('hot');
    expect(scoreLead).toHaveBeenCalledTimes(1);

    // The CRM dropping only our badge (a reconciling re-render) is noticed too.
    badges()[0].remove();
    await settle();
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(scoreLead).toHaveBeenCalledTimes(1);
  });

  it('keeps the focus on the badge when the CRM re-renders the title with it, rather than drop it to the top of the page', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    badges()[0].shadowRoot!.querySelector('button')!.focus();
    const newTitle = document.createElement('h1');
    newTitle.textContent = 'Ada A';
    document.querySelector('h1')!.replaceWith(newTitle);
    expect(document.activeElement).toBe(document.body);
    await settle();
    expect(badges()[0].parentElement).toBe(newTitle);
    expect(document.activeElement).toBe(badges()[0]);
    expect(badges()[0].shadowRoot!.activeElement).toBe(badges()[0].shadowRoot!.querySelector('button'));
  });

  it('moves the focus with the badge from floating to the title once the record renders', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(B, A);
    await vi.advanceTimersByTimeAsync(3100);
    const floating = badges()[0];
    expect(floating.hasAttribute('data-leadlens-floating')).toBe(true);
    floating.shadowRoot!.querySelector('button')!.focus();
    renderNext('Bob B', fieldsOfB);
    await settle();
    expect(badges().map(titleOf)).toEqual(['Bob B']);
    expect(document.activeElement).toBe(badges()[0]);
  });

  it('scores again after an inline edit changes the record’s fields', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    document.querySelector('[data-field="Rating"]')!.textContent = 'Cold';
    await settle();
    expect(scoreLead).toHaveBeenCalledTimes(2);
    expect(scoreLead).toHaveBeenLastCalledWith({ crm: 'salesforce', locale: 'en-US', timeZone, recordId: A.recordId, fields: { ...fieldsOfA, Rating: 'Cold' }, name: 'Ada A' });
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });

  it('does not watch itself in a loop', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    const readFields = vi.spyOn(adapter, 'readRecordFields');
    run(A, null);
    await settle();
    // The CRM re-renders the title: we put the badge back, which must not make us look again.
    document.querySelector('h1')!.replaceWith(Object.assign(document.createElement('h1'), { textContent: 'Ada A' }));
    await settle();
    const reads = readFields.mock.calls.length;
    await settle();
    await settle();
    expect(readFields).toHaveBeenCalledTimes(reads);
    readFields.mockRestore();
  });

  it('scores again when the scores of every CRM or of its own change, not when another CRM’s do (its sync)', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    const scoresChanged = (change: object) => eventHandlers.get('scoresChanged')?.forEach((handler) => handler(change));
    scoresChanged({ crm: 'hubspot' });
    await settle();
    expect(scoreLead).toHaveBeenCalledTimes(1);
    scoresChanged({ crm: 'salesforce' });
    await settle();
    expect(scoreLead).toHaveBeenCalledTimes(2);
    scoresChanged({});
    await settle();
    expect(scoreLead).toHaveBeenCalledTimes(3);
  });

  it('shows the reply of the latest request when an older one arrives last', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    let answerFirst: (outcome: ScoreOutcome) => void = () => undefined;
    scoreLead.mockImplementationOnce(() => new Promise<ScoreOutcome>((resolve) => (answerFirst = resolve)));
    scoreLead.mockImplementationOnce(async () => ({ ok: true, lead: lead('cold', 40) }));
    run(A, null);
    await vi.advanceTimersByTimeAsync(10);
    // A new tier policy arrives while the first score is on its way.
    for (const handler of eventHandlers.get('scoresChanged') ?? []) handler({});
    await vi.advanceTimersByTimeAsync(10);
    answerFirst({ ok: true, lead: lead('hot', 90) });
    await vi.advanceTimersByTimeAsync(10);
    expect(scoreLead).toHaveBeenCalledTimes(2);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });

  it('removes its badge and stops watching when the user leaves the page', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    page.abort();
    expect(badges()).toEqual([]);
    document.querySelector('h1')!.replaceWith(document.createElement('h1'));
    await settle();
    expect(badges()).toEqual([]);
  });

  it('names the lead on a floating badge: by its id while the page shows another lead, by its name once known', async () => {
    const buttonOf = (badge: HTMLElement) => badge.shadowRoot!.querySelector('button')!;
    // B does not render in time: the badge floats over A's page, and must not read as A's.
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(B, A);
    await vi.advanceTimersByTimeAsync(3100);
    expect(badges()).toHaveLength(1);
    expect(badges()[0].hasAttribute('data-leadlens-floating')).toBe(true);
    expect(buttonOf(badges()[0]).getAttribute('aria-label')).toMatch(new RegExp(`^lead ${B.recordId}[,:] `));
    expect(buttonOf(badges()[0]).textContent).toContain(B.recordId);
    page.abort();

    // B's page, where the badge finds no title to sit at: the name the page reads is on the badge.
    page = new AbortController();
    document.body.innerHTML = view('Bob B', fieldsOfB);
    void recordBadge.run({ document, adapter: { ...adapter, findBadgeAnchor: () => null }, match: B, previousMatch: null, signal: page.signal });
    await settle();
    expect(badges()).toHaveLength(1);
    expect(buttonOf(badges()[0]).getAttribute('aria-label')).toBe('Bob B, Cold 8: LeadLens scores this lead 8 of 99, a cold lead. Show why.');
    expect(buttonOf(badges()[0]).textContent).toContain('Bob B');
  });

  it('sends a long name cut whole: never half of a character written with two UTF-16 units', async () => {
    const longName = `${'a'.repeat(199)}😀 b`;
    // A record of its own: the page remembers the fields it last scored of each record.
    document.body.innerHTML = view(longName, { LeadSource: 'Phone Inquiry', Rating: 'Hot' });
    run({ ...A, recordId: '00Q000000000CCCAAA' }, null);
    await settle();
    expect(scoreLead.mock.calls[0][0].name).toBe('a'.repeat(199));
  });

  it('scores a record the page already shows when its URL comes (a Salesforce console tab rendered in the background), not as the previous lead’s', async () => {
    const eve = { ...A, recordId: '00Q000000000EEEAAA' };
    const fay = { ...A, recordId: '00Q000000000FFFAAA' };
    const fieldsOfFay: PageFields = { LeadSource: 'Partner Referral', Rating: 'Cold' };
    document.body.innerHTML = view('Eve E', { LeadSource: 'Webinar', Rating: 'Hot' });
    run(eve, null);
    await settle();
    page.abort();
    page = new AbortController();
    // The rep clicks the tab of Fay, opened in the background: the console shows it, then the URL names her.
    renderNext('Fay F', fieldsOfFay);
    run(fay, eve);
    await vi.advanceTimersByTimeAsync(3100);
    const requestsOfFay = scoreLead.mock.calls.filter(([request]) => request.recordId === fay.recordId).map(([request]) => request);
    expect(requestsOfFay.map((request) => request.fields)).not.toContainEqual({});
    expect(requestsOfFay.at(-1)).toEqual({ crm: 'salesforce', locale: 'en-US', timeZone, recordId: fay.recordId, fields: fieldsOfFay, name: 'Fay F' });
    expect(badges().map(titleOf)).toEqual(['Fay F']);
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('cold');
  });

  /** Ada scored, then one of her fields changes (an inline edit saved, a lookup filled) and the rep opens B within the 200 ms before the page is read again. */
  async function editAThenOpenB(on: CrmAdapter) {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    void recordBadge.run({ document, adapter: on, match: A, previousMatch: null, signal: page.signal });
    await settle();
    document.querySelector('[data-field="Rating"]')!.textContent = 'Warm';
    await vi.advanceTimersByTimeAsync(100);
    page.abort();
    page = new AbortController();
    void recordBadge.run({ document, adapter: on, match: B, previousMatch: A, signal: page.signal });
  }
  const requestsOfB = () => scoreLead.mock.calls.filter(([request]) => request.recordId === B.recordId).map(([request]) => request);

  it.each([
    ['in the view it was read in (Lightning)', adapter],
    ['on a page without record views', { ...adapter, readRecordView: () => null }],
  ])('never scores the previous lead’s page as the next one’s when one of its fields changed just before the rep left, %s', async (_page, on) => {
    await editAThenOpenB(on);
    await vi.advanceTimersByTimeAsync(3100);
    expect(requestsOfB().map((request) => request.fields)).toEqual([{}]);
    expect(requestsOfB().map((request) => request.name)).not.toContain('Ada A');
    expect(badges().map(titleOf)).toEqual([null]);

    renderNext('Bob B', fieldsOfB);
    await settle();
    expect(requestsOfB().at(-1)).toEqual({ crm: 'salesforce', locale: 'en-US', timeZone, recordId: B.recordId, fields: fieldsOfB, name: 'Bob B' });
    expect(badges().map(titleOf)).toEqual(['Bob B']);
  });

  it('badges a record come back to in the view its fields were read in, though a field changed since (Back before the next lead rendered)', async () => {
    await editAThenOpenB(adapter);
    await vi.advanceTimersByTimeAsync(100);
    page.abort();
    page = new AbortController();
    run(A, B);
    await settle();
    expect(scoreLead.mock.calls.filter(([request]) => request.recordId === A.recordId).at(-1)![0]).toEqual({
      crm: 'salesforce',
      locale: 'en-US',
      timeZone,
      recordId: A.recordId,
      fields: { ...fieldsOfA, Rating: 'Warm' },
      name: 'Ada A',
    });
    expect(badges().map(titleOf)).toEqual(['Ada A']);
  });

  /** A lead shown earlier in the page (Hal), then Gil; from Gil to Hal, then to Ida before Hal renders: the page still shows Gil. */
  const gil = { ...A, recordId: '00Q000000000GGGAAA' };
  const hal = { ...A, recordId: '00Q000000000HHHAAA' };
  const ida = { ...A, recordId: '00Q000000000IIIAAA' };
  const fieldsOfGil: PageFields = { LeadSource: 'Seminar', Rating: 'Hot' };
  const fieldsOfHal: PageFields = { LeadSource: 'Purchased List', Rating: 'Cold' };
  const leave = () => {
    page.abort();
    page = new AbortController();
  };
  const requestsOf = (lead: { recordId: string }) => scoreLead.mock.calls.filter(([request]) => request.recordId === lead.recordId).map(([request]) => request);
  async function fromGilToIdaBeforeHalRenders() {
    document.body.innerHTML = view('Hal H', fieldsOfHal);
    run(hal, null);
    await settle();
    leave();
    document.body.innerHTML = view('Gil G', fieldsOfGil);
    run(gil, null);
    await settle();
    leave();
    run(hal, gil);
    await vi.advanceTimersByTimeAsync(100);
    leave();
    run(ida, hal);
  }

  it('never scores the lead the page still shows as the next one’s when the rep moves on again before the one between renders', async () => {
    await fromGilToIdaBeforeHalRenders();
    await vi.advanceTimersByTimeAsync(3100);
    expect(requestsOf(ida).map((request) => request.fields)).toEqual([{}]);
    expect(badges().map(titleOf)).toEqual([null]);
    renderNext('Ida I', fieldsOfB);
    await settle();
    expect(requestsOf(ida).map((request) => request.fields)).toEqual([{}, fieldsOfB]);
    expect(badges().map(titleOf)).toEqual(['Ida I']);
  });

  it('keeps its badge when the extension is updated under the page, saying to reload it', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    page.abort(EXTENSION_RELOADED);
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(badges()[0].shadowRoot?.textContent).toContain('reload this page');
  });

  it('keeps its badge after "Purge everything", saying all LeadLens stored was deleted and to reload the page', async () => {
    document.body.innerHTML = view('Ada A', fieldsOfA);
    run(A, null);
    await settle();
    page.abort(EVERYTHING_PURGED);
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(badges()[0].getAttribute('data-leadlens-state')).toBe('error');
    expect(badges()[0].shadowRoot?.textContent).toContain('LeadLens stopped on this page to delete everything it stored: reload the page to see scores again.');
  });
});

describe('record badge on a first load slower than the wait for the record to render', () => {
  const state = () => badges()[0].getAttribute('data-leadlens-state');
  /** Lightning's first load, under a spinner; not connected to the CRM: asked without fields, the background could read none. */
  const loadSlowly = async (ms: number) => {
    document.body.innerHTML = '<div class="spinner">Loading</div>';
    run(A, null);
    await vi.advanceTimersByTimeAsync(ms);
  };

  it('keeps loading while the page shows no field of the record, not saying it could read none, and scores the record once it renders', async () => {
    await loadSlowly(3500);
    // Asked without fields all the same: a connected CRM would read the record itself.
    expect(scoreLead.mock.calls.map(([request]) => request.fields)).toEqual([{}]);
    expect(badges()).toHaveLength(1);
    expect(state()).toBe('loading');
    await vi.advanceTimersByTimeAsync(5000);
    expect(state()).toBe('loading');

    document.body.innerHTML = view('Ada A', fieldsOfA);
    await settle();
    expect(scoreLead.mock.calls.map(([request]) => request.fields)).toEqual([{}, fieldsOfA]);
    expect(badges().map(titleOf)).toEqual(['Ada A']);
    expect(state()).toBe('scored');
  });

  it('says why it could not score once the page has shown no field of the record for 15 s', async () => {
    await loadSlowly(14_900);
    expect(state()).toBe('loading');
    await vi.advanceTimersByTimeAsync(200);
    expect(state()).toBe('error');
    expect(badges()[0].shadowRoot!.textContent).toContain('no fields');
  });

  it('shows at once the score a connected CRM gives without the page’s fields', async () => {
    scoreLead.mockImplementation(async () => ({ ok: true, lead: lead('warm', 40) }));
    await loadSlowly(3100);
    expect(scoreLead.mock.calls.map(([request]) => request.fields)).toEqual([{}]);
    expect(state()).toBe('scored');
    expect(badges()[0].getAttribute('data-leadlens-tier')).toBe('warm');
  });

  it('shows at once why it could not score the fields the page shows', async () => {
    document.body.innerHTML = view('Ada A', { LeadSource: 'Web' });
    run(A, null);
    await settle();
    expect(state()).toBe('error');
  });
});

describe('record badge under a dialog', () => {
  it('stays at the title while a dialog hides the page behind it (aria-hidden), not floating over the dialog', async () => {
    const { readFileSync } = await import('node:fs');
    const { hubspot } = await import('../crm/hubspot');
    const html = readFileSync('test/fixtures/pages/hubspot-record.html', 'utf8');
    document.body.innerHTML = html.replace(/^[\s\S]*<body[^>]*>/, '').replace(/<\/body>[\s\S]*$/, '');
    scoreLead.mockResolvedValue({ ok: true, lead: lead('warm', 50) });
    void recordBadge.run({ document, adapter: hubspot, match: { kind: 'record', crm: 'hubspot', recordId: '1' }, previousMatch: null, signal: page.signal });
    await settle();
    const placed = () => badges().map((badge) => [badge.parentElement?.localName, badge.hasAttribute('data-leadlens-floating')]);
    const atTitle = placed();
    expect(atTitle).toHaveLength(1);
    expect(atTitle[0][1]).toBe(false);
    const calls = scoreLead.mock.calls.length;

    // The CRM opens "Log a call": the app behind it is hidden from assistive technology.
    const app = document.querySelector<HTMLElement>('.q2w9e')!;
    app.setAttribute('aria-hidden', 'true');
    document.body.insertAdjacentHTML('beforeend', '<div role="dialog" aria-modal="true"><h2>Log a call</h2></div>');
    await settle();
    expect(placed()).toEqual(atTitle);

    app.removeAttribute('aria-hidden');
    document.querySelector('[role="dialog"]')!.remove();
    await settle();
    expect(placed()).toEqual(atTitle);
    expect(scoreLead.mock.calls.length).toBe(calls);
  });
});

describe('record badge while the rep edits the record in place (Salesforce inline edit)', () => {
  /** A Lightning record view: each field's row names it; Rating's value is the one the mock scores by. */
  const lightningRow = (field: string, value: string) =>
    `<records-record-layout-item><div data-target-selection-name="sfdc:RecordField.Lead.${field}"><span class="test-id__field-label">${field}</span><span class="test-id__field-value">${value}</span></div></records-record-layout-item>`;
  const row = (field: string) => document.querySelector(`[data-target-selection-name="sfdc:RecordField.Lead.${field}"]`)!;
  const tier = () => badges()[0].getAttribute('data-leadlens-tier');
  /** Company's row has no editor: a field the rep cannot edit (or a formula) is read all along. */
  const saved: PageFields = { ...fieldsOfA, Company: 'Acme' };

  beforeEach(async () => {
    document.body.innerHTML =
      `<div class="windowViewMode-normal active"><div class="slds-page-header__title"><lightning-formatted-name>Ada A</lightning-formatted-name></div>` +
      `${Object.entries(saved).map(([field, value]) => lightningRow(field, value)).join('')}</div>`;
    void recordBadge.run({ document, adapter: salesforce, match: A, previousMatch: null, signal: page.signal });
    await settle();
    expect(scoreLead.mock.calls.map(([request]) => request.fields)).toEqual([saved]);
    expect(tier()).toBe('hot');
  });

  /** The rep clicks the pencil: every editable row turns into a control, Rating's picklist showing what they pick, not what is saved. */
  const openEditors = async (ratingPicked: string) => {
    row('LeadSource').querySelector('.test-id__field-value')!.outerHTML = '<input type="text" value="Web">';
    row('Rating').querySelector('.test-id__field-value')!.outerHTML = `<select><option>--None--</option><option>Hot</option><option>Cold</option></select>`;
    row('Rating').querySelector('select')!.value = ratingPicked;
    await settle();
  };
  const closeEditors = async (rating: string) => {
    row('LeadSource').querySelector('input')!.outerHTML = '<span class="test-id__field-value">Web</span>';
    row('Rating').querySelector('select')!.outerHTML = `<span class="test-id__field-value">${rating}</span>`;
    await settle();
  };

  it('keeps its score and tier while the fields are in edit, and scores the saved value once the rep saves', async () => {
    await openEditors('--None--');
    // The fields it was scored with stand for the rows in edit: nothing to score again, nothing scored without them.
    expect(scoreLead).toHaveBeenCalledTimes(1);
    expect(tier()).toBe('hot');
    row('Rating').querySelector('select')!.value = 'Cold';
    row('Rating').querySelector('select')!.dispatchEvent(new Event('change'));
    row('LeadSource').insertAdjacentHTML('beforeend', '<span class="slds-form-element__help">Unsaved</span>');
    await settle();
    expect(scoreLead).toHaveBeenCalledTimes(1);
    expect(tier()).toBe('hot');

    await closeEditors('Cold');
    expect(scoreLead).toHaveBeenCalledTimes(2);
    expect(scoreLead).toHaveBeenLastCalledWith({ crm: 'salesforce', locale: 'en-US', timeZone, recordId: A.recordId, fields: { ...saved, Rating: 'Cold' }, name: 'Ada A' });
    expect(tier()).toBe('cold');
  });

  it('scores nothing again when the rep cancels the edit', async () => {
    await openEditors('Cold');
    await closeEditors('Hot');
    expect(scoreLead).toHaveBeenCalledTimes(1);
    expect(tier()).toBe('hot');
  });

  it('holds only the rows in edit: another row that changes meanwhile is scored as the page shows it', async () => {
    await openEditors('--None--');
    row('LeadSource').outerHTML = `<div data-target-selection-name="sfdc:RecordField.Lead.LeadSource"><span class="test-id__field-value">Phone Inquiry</span></div>`;
    await settle();
    expect(scoreLead).toHaveBeenLastCalledWith(expect.objectContaining({ fields: { ...saved, LeadSource: 'Phone Inquiry' } }));
    expect(tier()).toBe('hot');
  });
});

describe('record badge on a page of native shadow roots', () => {
  // As Lightning renders with native shadow DOM: the record's title and fields inside a component's root.
  const inShadow = (doc: Document) => doc.querySelector('x-record')?.shadowRoot ?? null;
  const shadowAdapter: CrmAdapter = {
    ...adapter,
    readRecordName: (doc) => inShadow(doc)?.querySelector('h1')?.textContent ?? null,
    readRecordFields: (doc) => Object.fromEntries([...(inShadow(doc)?.querySelectorAll<HTMLElement>('[data-field]') ?? [])].map((field) => [field.dataset.field!, field.textContent!])),
    findBadgeAnchor: (doc) => inShadow(doc)?.querySelector('h1') ?? null,
  };

  it('scores the record as soon as it renders inside a shadow root, not when the wait for it runs out', async () => {
    document.body.innerHTML = '<x-record></x-record>';
    const root = document.querySelector('x-record')!.attachShadow({ mode: 'open' });
    void recordBadge.run({ document, adapter: shadowAdapter, match: A, previousMatch: null, signal: page.signal });
    await vi.advanceTimersByTimeAsync(10);
    expect(scoreLead).not.toHaveBeenCalled();
    root.innerHTML = `<h1>Ada A</h1><dl>${rowsOf(fieldsOfA)}</dl>`;
    await vi.advanceTimersByTimeAsync(50);
    expect(callsWith(fieldsOfA)).toHaveLength(1);
    // An inline edit inside the root is seen too.
    root.querySelector('[data-field="Rating"]')!.textContent = 'Cold';
    await settle();
    expect(callsWith({ ...fieldsOfA, Rating: 'Cold' })).toHaveLength(1);
  });
});

describe('record badge on a page that reads only the fields it shows (HubSpot)', () => {
  const property = (name: string, value: string) =>
    `<div data-selenium-test="property-input-${name}"><label data-selenium-test="property-label">${name}</label><span data-selenium-test="property-value">${value}</span></div>`;
  const contact = { kind: 'record', crm: 'hubspot', recordId: '1501' } as const;
  const requests = () => scoreLead.mock.calls.map(([request]) => request.fields as PageFields);

  beforeEach(() => {
    document.body.innerHTML =
      `<div data-test-id="left-sidebar"><div data-selenium-test="contact-highlight-details"><h2 data-selenium-test="highlightTitle">Ada Lovelace</h2></div>` +
      `${property('jobtitle', 'VP Sales')}${property('lifecyclestage', 'lead')}</div>` +
      `<div data-test-id="middle-pane"><section role="tabpanel" id="overview">${property('hs_analytics_num_visits', '14')}${property('hs_email_open', '9')}</section>` +
      `<section role="tabpanel" id="activities" hidden>No activities</section></div>`;
  });
  const showTab = (id: 'overview' | 'activities') => {
    for (const tab of document.querySelectorAll('[role="tabpanel"]')) tab.toggleAttribute('hidden', tab.id !== id);
  };

  const editProperty = (name: string, value: string) => {
    document.querySelector(`[data-selenium-test="property-input-${name}"] [data-selenium-test="property-value"]`)!.textContent = value;
  };
  const tier = () => badges()[0].getAttribute('data-leadlens-tier');
  const start = async () => {
    // As the model would: the engagement counts known make this contact hot; without them it reads cold.
    scoreLead.mockImplementation(async ({ fields }: { fields: PageFields }) => ({ ok: true, lead: 'hs_analytics_num_visits' in fields ? lead('hot', 88) : lead('cold', 12) }));
    void recordBadge.run({ document, adapter: hubspot, match: contact, previousMatch: null, signal: page.signal });
    await settle();
  };

  it('does not score again with fewer fields when a tab is switched away from, and scores an edit with the hidden fields as scored', async () => {
    await start();
    expect(requests()).toEqual([{ jobtitle: 'VP Sales', lifecyclestage: 'lead', hs_analytics_num_visits: '14', hs_email_open: '9' }]);
    showTab('activities');
    await settle();
    showTab('overview');
    await settle();
    expect(requests()).toHaveLength(1);
    // A value changed says something new: scored, the fields another tab hides as they were scored.
    showTab('activities');
    editProperty('lifecyclestage', 'opportunity');
    await settle();
    expect(requests().at(-1)).toEqual({ jobtitle: 'VP Sales', lifecyclestage: 'opportunity', hs_analytics_num_visits: '14', hs_email_open: '9' });
    expect(tier()).toBe('hot');
  });

  it('keeps a property’s scored value while the rep types in it (unsaved), scores nothing when they cancel, and scores what they save', async () => {
    await start();
    const valueOf = (name: string) => document.querySelector(`[data-selenium-test="property-input-${name}"] [data-selenium-test="property-value"]`)!;
    /** The rep clicks the job title: HubSpot shows an input in its place; they type, a Save bar appears. */
    const typeJobTitle = async (typed: string) => {
      const input = Object.assign(document.createElement('input'), { value: 'VP Sales' });
      valueOf('jobtitle').replaceWith(input);
      input.focus();
      input.value = typed;
      document.body.insertAdjacentHTML('beforeend', '<div id="save-bar"><button>Save</button><button>Cancel</button></div>');
      await settle();
      return input;
    };
    const closeEditor = async (input: HTMLInputElement, shown: string) => {
      input.insertAdjacentHTML('afterend', `<span data-selenium-test="property-value">${shown}</span>`);
      input.remove();
      document.getElementById('save-bar')!.remove();
      await settle();
    };

    await closeEditor(await typeJobTitle('Intern'), 'VP Sales');
    expect(requests()).toHaveLength(1);
    const input = await typeJobTitle('Intern');
    expect(requests()).toHaveLength(1);
    expect(tier()).toBe('hot');
    await closeEditor(input, 'Intern');
    expect(requests()).toEqual([
      { jobtitle: 'VP Sales', lifecyclestage: 'lead', hs_analytics_num_visits: '14', hs_email_open: '9' },
      { jobtitle: 'Intern', lifecyclestage: 'lead', hs_analytics_num_visits: '14', hs_email_open: '9' },
    ]);
  });

  it('sends a property the rep empties while another tab is open as empty, not its old value', async () => {
    await start();
    showTab('activities');
    editProperty('jobtitle', '--');
    await settle();
    expect(requests().at(-1)).toEqual({ jobtitle: '', lifecyclestage: 'lead', hs_analytics_num_visits: '14', hs_email_open: '9' });
  });

  it('badges a contact come back to while the page still shows it with another tab open (Back before the next contact rendered), not floating with no fields', async () => {
    const other = { kind: 'record', crm: 'hubspot', recordId: '1502' } as const;
    const again = (match: typeof contact | typeof other, previousMatch: PageMatch) => {
      page.abort();
      page = new AbortController();
      void recordBadge.run({ document, adapter: hubspot, match, previousMatch, signal: page.signal });
    };
    await start();
    // The Activities tab hides the Overview's properties (scored as they were), then another contact is opened and Back before it renders.
    showTab('activities');
    await settle();
    again(other, contact);
    await vi.advanceTimersByTimeAsync(100);
    scoreLead.mockClear();
    again(contact, other);
    await vi.advanceTimersByTimeAsync(3100);
    expect(requests()).toEqual([{ jobtitle: 'VP Sales', lifecyclestage: 'lead' }]);
    expect(badges()).toHaveLength(1);
    expect(badges()[0].hasAttribute('data-leadlens-floating')).toBe(false);
    expect(badges()[0].closest('h2')?.textContent).toBe('Ada Lovelace');
  });

  it('never sends more fields than a request carries: those shown first, then the hidden ones as scored', async () => {
    const many = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => property(`${prefix}${i}`, String(i))).join('');
    // The overview shows 400 more properties; the Activities tab, 200 others: 604 with the sidebar's, more than 500.
    document.getElementById('overview')!.insertAdjacentHTML('beforeend', many('overview_', 400));
    document.getElementById('activities')!.innerHTML = many('activity_', 200);
    await start();
    showTab('activities');
    editProperty('lifecyclestage', 'opportunity');
    await settle();
    const sent = requests().at(-1)!;
    expect(Object.keys(sent)).toHaveLength(500);
    expect(sent).toMatchObject({ jobtitle: 'VP Sales', lifecyclestage: 'opportunity', activity_0: '0', activity_199: '199', hs_analytics_num_visits: '14' });
  });
});

describe('record badge on a page that reads hidden fields too (Salesforce)', () => {
  it('scores again when a field’s row goes: the layout drops a field emptied', async () => {
    document.body.innerHTML = view('Ada A', { ...fieldsOfA, Industry: 'Retail' });
    run(A, null);
    await settle();
    activeView(document)!.querySelector('[data-field="Industry"]')!.remove();
    await settle();
    expect(scoreLead.mock.calls.map(([request]) => request.fields)).toEqual([{ ...fieldsOfA, Industry: 'Retail' }, fieldsOfA]);
  });
});

describe('record badge on HubSpot, from one contact to the next as HubSpot renders it card by card', () => {
  const contactUrl = (id: string) => `https://app.hubspot.com/contacts/4242424/record/0-1/${id}`;
  const goTo = (url: string) => (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);
  const ada = { kind: 'record', crm: 'hubspot', recordId: '1601' } as const;
  const grace = { kind: 'record', crm: 'hubspot', recordId: '1602' } as const;
  const property = (name: string, value: string) =>
    `<div data-selenium-test="property-input-${name}"><label data-selenium-test="property-label">${name}</label><span data-selenium-test="property-value">${value}</span></div>`;
  const card = (testId: string, fields: PageFields) => `<div data-test-id="${testId}">${Object.entries(fields).map(([name, value]) => property(name, value)).join('')}</div>`;
  const title = (name: string) => `<div data-selenium-test="contact-highlight-details"><h2 data-selenium-test="highlightTitle">${name}</h2></div>`;
  /** HubSpot renders one card for the contact the URL names: a new element in place of the previous contact's. */
  const renderCard = (testId: string, fields: PageFields) => {
    const rendered = document.createElement('template');
    rendered.innerHTML = card(testId, fields);
    document.querySelector(`[data-test-id="${testId}"]`)!.replaceWith(rendered.content);
  };
  const patch = (selector: string, text: string) => (document.querySelector(selector)!.textContent = text);
  const requestsFor = ({ recordId }: { recordId: string }) => scoreLead.mock.calls.filter(([request]) => request.recordId === recordId).map(([request]) => request.fields as PageFields);
  /** Whether `fields` holds any of `of`'s values: a property reading as the previous contact's. */
  const holdsValueOf = (fields: PageFields, of: PageFields) => Object.entries(fields).some(([name, value]) => of[name] === value);

  const aboutOfAda: PageFields = { jobtitle: 'VP Sales', lifecyclestage: 'lead' };
  const overviewOfAda: PageFields = { hs_analytics_num_visits: '14', hs_email_open: '9' };
  const overviewOfGrace: PageFields = { hs_analytics_num_visits: '3', hs_email_open: '0' };

  /** Ada scored on her page, then the rep opens Grace: the URL names her while the page still shows Ada. */
  async function fromAdaToGrace() {
    goTo(contactUrl(ada.recordId));
    document.body.innerHTML = `<div data-test-id="left-sidebar">${title('Ada Lovelace')}${card('about-this-contact', aboutOfAda)}</div>${card('overview-card', overviewOfAda)}`;
    void recordBadge.run({ document, adapter: hubspot, match: ada, previousMatch: null, signal: page.signal });
    await settle();
    expect(requestsFor(ada)).toEqual([{ ...aboutOfAda, ...overviewOfAda }]);
    page.abort();
    page = new AbortController();
    goTo(contactUrl(grace.recordId));
    void recordBadge.run({ document, adapter: hubspot, match: grace, previousMatch: ada, signal: page.signal });
    await vi.advanceTimersByTimeAsync(50);
  }

  afterEach(() => goTo('http://localhost:3000/'));

  it('scores the next contact first with the cards rendered for it, none still showing the previous contact', async () => {
    await fromAdaToGrace();
    const aboutOfGrace: PageFields = { jobtitle: 'CTO', lifecyclestage: 'customer' };
    // The sidebar first: the overview card still shows Ada's engagement.
    patch('[data-selenium-test="highlightTitle"]', 'Grace Hopper');
    renderCard('about-this-contact', aboutOfGrace);
    await vi.advanceTimersByTimeAsync(300);
    renderCard('overview-card', overviewOfGrace);
    await vi.advanceTimersByTimeAsync(3100);
    expect(requestsFor(grace)[0]).toEqual(aboutOfGrace);
    expect(requestsFor(grace).filter((fields) => holdsValueOf(fields, { ...aboutOfAda, ...overviewOfAda }))).toEqual([]);
    expect(requestsFor(grace).at(-1)).toEqual({ ...aboutOfGrace, ...overviewOfGrace });
  });

  it('scores a property HubSpot leaves untouched in a card patched in place (the same value as the previous contact’s) once the cards have had time to render', async () => {
    await fromAdaToGrace();
    // Grace is a lead too: her card is patched in place, the lifecycle stage left as it was.
    patch('[data-selenium-test="highlightTitle"]', 'Grace Hopper');
    patch('[data-selenium-test="property-input-jobtitle"] [data-selenium-test="property-value"]', 'CTO');
    await vi.advanceTimersByTimeAsync(300);
    expect(requestsFor(grace)).toEqual([{ jobtitle: 'CTO' }]);
    renderCard('overview-card', overviewOfGrace);
    await vi.advanceTimersByTimeAsync(300);
    expect(requestsFor(grace).at(-1)).toEqual({ jobtitle: 'CTO', ...overviewOfGrace });
    // When the wait for the record's render runs out, the page is read again: the lifecycle stage is Grace's.
    await vi.advanceTimersByTimeAsync(2500);
    expect(requestsFor(grace).at(-1)).toEqual({ jobtitle: 'CTO', lifecyclestage: 'lead', ...overviewOfGrace });
    expect(badges()).toHaveLength(1);
    expect(badges()[0].closest('h2')?.textContent).toBe('Grace Hopper');
  });

  it('holds back the cards still showing the previous contact for as long after the next one began rendering, however late it began', async () => {
    await fromAdaToGrace();
    // A loading shimmer for 2.4 s, then Grace's sidebar; her overview card half a second later.
    for (let t = 0; t < 2400; t += 200) {
      document.body.insertAdjacentHTML('beforeend', '<i class="shimmer"></i>');
      await vi.advanceTimersByTimeAsync(200);
    }
    const aboutOfGrace: PageFields = { jobtitle: 'CTO', lifecyclestage: 'customer' };
    renderCard('about-this-contact', aboutOfGrace);
    await vi.advanceTimersByTimeAsync(500);
    renderCard('overview-card', overviewOfGrace);
    await vi.advanceTimersByTimeAsync(3000);
    expect(requestsFor(grace).filter((fields) => holdsValueOf(fields, overviewOfAda))).toEqual([]);
    expect(requestsFor(grace).at(-1)).toEqual({ ...aboutOfGrace, ...overviewOfGrace });
  });

  it('never scores a card of the previous contact rendered after her last read as the next one’s, however long HubSpot takes to begin rendering it', async () => {
    goTo(contactUrl(ada.recordId));
    document.body.innerHTML = `<div data-test-id="left-sidebar">${title('Ada Lovelace')}${card('about-this-contact', aboutOfAda)}</div><div data-test-id="overview-card"></div>`;
    void recordBadge.run({ document, adapter: hubspot, match: ada, previousMatch: null, signal: page.signal });
    await settle();
    // Ada's overview card (lazily loaded) renders; the rep opens Grace 100 ms later, before the page is read again.
    renderCard('overview-card', overviewOfAda);
    await vi.advanceTimersByTimeAsync(100);
    page.abort();
    page = new AbortController();
    goTo(contactUrl(grace.recordId));
    void recordBadge.run({ document, adapter: hubspot, match: grace, previousMatch: ada, signal: page.signal });
    // Ada's page stays for 3.4 s, a loading shimmer coming and going.
    for (let t = 0; t < 3400; t += 200) {
      document.body.insertAdjacentHTML('beforeend', '<i class="shimmer"></i>');
      await vi.advanceTimersByTimeAsync(200);
    }
    expect(requestsFor(grace)).toEqual([{}]);
    expect(scoreLead.mock.calls.filter(([request]) => request.recordId === grace.recordId).map(([request]) => request.name)).toEqual([undefined]);
    renderCard('about-this-contact', { jobtitle: 'CTO', lifecyclestage: 'customer' });
    renderCard('overview-card', overviewOfGrace);
    await vi.advanceTimersByTimeAsync(300);
    expect(requestsFor(grace).at(-1)).toEqual({ jobtitle: 'CTO', lifecyclestage: 'customer', ...overviewOfGrace });
    expect(requestsFor(grace).filter((fields) => holdsValueOf(fields, { ...aboutOfAda, ...overviewOfAda }))).toEqual([]);
  });

  it('never scores the previous contact’s cards as the next one’s, however long HubSpot takes to begin rendering it', async () => {
    await fromAdaToGrace();
    // A loading shimmer comes and goes (changes to the page), Ada's cards stay for 3.4 s.
    for (let t = 0; t < 3400; t += 200) {
      document.body.insertAdjacentHTML('beforeend', '<i class="shimmer"></i>');
      await vi.advanceTimersByTimeAsync(200);
    }
    // Nothing of Ada's: when its wait runs out, the badge asks with no fields (the CRM's say).
    expect(requestsFor(grace)).toEqual([{}]);
    renderCard('about-this-contact', { jobtitle: 'CTO', lifecyclestage: 'customer' });
    renderCard('overview-card', overviewOfGrace);
    await vi.advanceTimersByTimeAsync(300);
    expect(requestsFor(grace).at(-1)).toEqual({ jobtitle: 'CTO', lifecyclestage: 'customer', ...overviewOfGrace });
  });
});
