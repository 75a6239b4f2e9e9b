// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadPage, parsePage } from '../../test/fixtures/pages/load.ts';
import { hubspot, hubspotPage, PREVIOUS_CONTACT_CARDS_MS, recogniseHubSpot } from './hubspot.ts';
import type { PageMatch } from './types.ts';

const APP = 'https://app.hubspot.com';
const record = (recordId: string): PageMatch => ({ kind: 'record', crm: 'hubspot', recordId });
const list: PageMatch = { kind: 'list', crm: 'hubspot' };
const other: PageMatch = { kind: 'other' };

describe('recogniseHubSpot', () => {
  it.each<[string, PageMatch]>([
    // contact records
    [`${APP}/contacts/4242424/record/0-1/12345`, record('12345')],
    [`${APP}/contacts/4242424/record/0-1/12345/`, record('12345')],
    [`${APP}/contacts/4242424/record/0-1/12345/view/1`, record('12345')],
    [`${APP}/contacts/4242424/record/0-1/12345?interaction=note`, record('12345')],
    [`${APP}/contacts/4242424/record/0-1/273899549679`, record('273899549679')],
    [`${APP}/contacts/4242424/contact/12345`, record('12345')], // older form
    [`${APP}/contacts/4242424/contact/12345/`, record('12345')],
    ['https://app-eu1.hubspot.com/contacts/4242424/record/0-1/12345', record('12345')],
    ['https://app-na2.hubspot.com/contacts/4242424/record/0-1/12345', record('12345')],
    ['https://app-ap1.hubspot.com/contacts/4242424/contact/12345', record('12345')],
    [`${APP}/contacts/4242424/record/0-1/9000001`, record('9000001')],
    // malformed record URLs
    [`${APP}/contacts/4242424/record/0-1/abc`, other],
    [`${APP}/contacts/4242424/record/0-1/012345`, other],
    [`${APP}/contacts/4242424/record/0-1/`, other],
    [`${APP}/contacts/4242424/record/0-1/12345/view/1/extra`, other],
    [`${APP}/contacts/4242424/record/0-1/12345/history`, other],
    [`${APP}/contacts/portal/record/0-1/12345`, other],
    [`${APP}/contacts/4242424/contact/12x45`, other],
    // other objects
    [`${APP}/contacts/4242424/record/0-2/12345`, other], // companies
    [`${APP}/contacts/4242424/record/0-3/12345`, other], // deals
    [`${APP}/contacts/4242424/record/2-1234567/12345`, other], // custom object
    [`${APP}/contacts/4242424/company/12345`, other],
    [`${APP}/contacts/4242424/deal/12345`, other],
    // contact index pages
    [`${APP}/contacts/4242424/objects/0-1/views/all/list`, list],
    [`${APP}/contacts/4242424/objects/0-1/views/12345678/list`, list],
    [`${APP}/contacts/4242424/objects/0-1/views/my/list?query=ada`, list],
    [`${APP}/contacts/4242424/contacts/list/view/all/`, list],
    [`${APP}/contacts/4242424/contacts`, list],
    ['https://app-eu1.hubspot.com/contacts/4242424/objects/0-1/views/all/list', list],
    [`${APP}/contacts/4242424/objects/0-2/views/all/list`, other], // companies index
    [`${APP}/contacts/4242424/objects/0-3/views/all/board`, other], // deals board
    [`${APP}/contacts/4242424/deals/board/view/all/`, other],
    [`${APP}/contacts/4242424/objects/0-1/views/all`, other],
    // other apps and hosts
    [`${APP}/contacts/4242424`, other],
    [`${APP}/reports-dashboard/4242424/view/1`, other],
    [`${APP}/settings/4242424/properties`, other],
    ['https://api.hubapi.com/crm/v3/objects/contacts/12345', other],
    ['https://www.hubspot.com/contacts/4242424/record/0-1/12345', other],
    ['https://app.hubspot.com.evil.example/contacts/4242424/record/0-1/12345', other],
    ['https://app-eu1.hubspotqa.com/contacts/4242424/record/0-1/12345', other],
    ['http://app.hubspot.com/contacts/4242424/record/0-1/12345', other],
    ['https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEEAV/view', other],
  ])('%s', (url, expected) => {
    expect(recogniseHubSpot(new URL(url))).toEqual(expected);
  });

  it('is the adapter’s recognise', () => {
    expect(hubspot.recognise).toBe(recogniseHubSpot);
    expect(hubspot.crm).toBe('hubspot');
  });
});

describe('HubSpot addresses', () => {
  const contact = `${APP}/contacts/4242424/record/0-1/12345`;

  it('names the portal of a contacts page, and none elsewhere', () => {
    expect(hubspot.accountOfPage(new URL(contact))).toBe('4242424');
    expect(hubspot.accountOfPage(new URL('https://app-eu1.hubspot.com/contacts/999/objects/0-1/views/all/list'))).toBe('999');
    expect(hubspot.accountOfPage(new URL(`${APP}/sales/4242424/deals`))).toBeNull();
    expect(hubspot.accountOfPage(new URL('https://acme.lightning.force.com/contacts/4242424/record/0-1/1'))).toBeNull();
  });

  it('names the portal of any app page for where a document loaded, and none for an address naming none', () => {
    expect(hubspot.accountOfAnyPage(new URL(contact))).toBe('4242424');
    expect(hubspot.accountOfAnyPage(new URL(`${APP}/sales/4242424/deals`))).toBe('4242424');
    expect(hubspot.accountOfAnyPage(new URL('https://app-eu1.hubspot.com/reports-dashboard/999/view/1'))).toBe('999');
    expect(hubspot.accountOfAnyPage(new URL(`${APP}/`))).toBeNull();
    expect(hubspot.accountOfAnyPage(new URL(`${APP}/myaccounts-beta`))).toBeNull();
    expect(hubspot.accountOfAnyPage(new URL('https://acme.lightning.force.com/contacts/4242424/record/0-1/1'))).toBeNull();
  });

  it('opens a contact on the host and portal of the page it was seen on, and gives that page back', () => {
    const home = hubspot.homeOfPage(new URL('https://app-eu1.hubspot.com/contacts/4242424/contact/12345'));
    expect(home).toEqual({ origin: 'https://app-eu1.hubspot.com', portal: '4242424' });
    expect(hubspot.recordUrl('12345', home)).toBe('https://app-eu1.hubspot.com/contacts/4242424/record/0-1/12345');
    expect(hubspot.recordUrl('a/b', home)).toBe('https://app-eu1.hubspot.com/contacts/4242424/record/0-1/a%2Fb');
  });

  it('knows no portal from a page outside /contacts/{portal}/, and then makes no contact’s address', () => {
    const home = hubspot.homeOfPage(new URL(`${APP}/reports-dashboard/4242424`));
    expect(home).toEqual({ origin: APP, portal: undefined });
    expect(() => hubspot.recordUrl('12345', home)).toThrow('LeadLens does not know your HubSpot portal yet: open any HubSpot contact once');
  });

  it('opens a portal’s contacts on the host HubSpot named, else the one its pages were seen on, else the US one', () => {
    const seenInEurope = { origin: 'https://app-eu1.hubspot.com', portal: '4242424' };
    expect(hubspot.homeOfAccount({ id: '4242424', uiDomain: 'app-na2.hubspot.com' }, seenInEurope)).toEqual({ origin: 'https://app-na2.hubspot.com', portal: '4242424' });
    expect(hubspot.homeOfAccount({ id: '4242424' }, seenInEurope)).toEqual(seenInEurope);
    expect(hubspot.homeOfAccount({ id: '777001' }, seenInEurope)).toEqual({ origin: APP, portal: '777001' });
    expect(hubspot.homeOfAccount({ id: '777001' }, null)).toEqual({ origin: APP, portal: '777001' });
  });
});

describe('HubSpot record page', () => {
  it('reads a contact record (PAGES.md)', () => {
    const doc = loadPage('hubspot-record.html');
    expect(hubspot.readRecordName(doc)).toBe('Ada Lovelace');
    expect(hubspot.readRecordFields(doc)).toEqual({
      jobtitle: 'VP Sales',
      company: 'Analytical Engines Ltd',
      lifecyclestage: 'Marketing Qualified Lead',
      hs_lead_status: '', // "--": shown, no value
      numemployees: '1,200',
      hs_email_optout: 'No', // HubSpot booleans stay as shown; the manifest maps them
      createdate: '11/03/2026 9:14 AM',
      hubspot_owner_id: 'Marc Benioff', // no value element: the row without its label
      website: 'https://analytical.example', // the control's value
      annualrevenue: '1200000',
    });
  });

  it('reads the name without LeadLens\'s own badge beside it', () => {
    const doc = loadPage('hubspot-record.html');
    const badge = doc.createElement('leadlens-badge');
    badge.attachShadow({ mode: 'open' }).append(doc.createTextNode('LeadLens …'));
    hubspot.findBadgeAnchor(doc)!.append(badge);
    expect(hubspot.readRecordName(doc)).toBe('Ada Lovelace');
  });

  it('tells no record view: one page, re-rendered in place for every contact (the record badge holds back what it shows as the URL changes)', () => {
    const { readRecordView } = hubspot;
    expect(readRecordView(loadPage('hubspot-record.html'))).toBeNull();
  });

  it('anchors the badge on the highlight title', () => {
    const doc = loadPage('hubspot-record.html');
    expect(hubspot.findBadgeAnchor(doc)?.getAttribute('data-selenium-test')).toBe('highlightTitle');
  });

  it('skips hidden tabs, stale renders and previews of other records', () => {
    const doc = loadPage('hubspot-record-hidden-tabs.html');
    expect(hubspot.readRecordName(doc)).toBe('Ada Lovelace');
    expect(hubspot.findBadgeAnchor(doc)?.textContent).toBe('Ada Lovelace');
    // Hidden by stylesheet class, `hidden`, inline display:none, aria-hidden; or in a preview panel.
    expect(hubspot.readRecordFields(doc)).toEqual({ jobtitle: 'VP Sales', company: 'Analytical Engines Ltd' });
  });

  it('returns hostile values as the literal text, parsing nothing', () => {
    const doc = loadPage('hubspot-record-xss.html');
    const hostile = '<img src=x onerror=alert(1)>';
    expect(hubspot.readRecordName(doc)).toBe(hostile);
    expect(hubspot.readRecordFields(doc)).toEqual({ jobtitle: hostile, company: hostile });
    expect(doc.querySelector('img')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
  });

  it('reads a record with a header and no properties', () => {
    const doc = loadPage('hubspot-record-empty.html');
    expect(hubspot.readRecordName(doc)).toBe('Empty Contact');
    expect(hubspot.readRecordFields(doc)).toEqual({});
  });

  it('floats the badge and has no name when the page shows no title', () => {
    const doc = parsePage('<!doctype html><title>Ada Lovelace</title><div data-test-id="middle-pane"></div>');
    expect(hubspot.findBadgeAnchor(doc)).toBeNull();
    expect(hubspot.readRecordName(doc)).toBeNull();
  });

  it('reads the live document and follows an in-place re-render', () => {
    document.body.replaceChildren();
    const card = document.createElement('div');
    card.setAttribute('data-selenium-test', 'contact-highlight-details');
    const title = document.createElement('h2');
    title.setAttribute('data-selenium-test', 'highlightTitle');
    title.textContent = 'Ada Lovelace';
    card.append(title);
    const row = document.createElement('div');
    row.setAttribute('data-selenium-test', 'property-input-jobtitle');
    const value = document.createElement('span');
    value.setAttribute('data-selenium-test', 'property-value');
    value.textContent = 'VP Sales';
    row.append(value);
    document.body.append(card, row);
    expect(hubspot.readRecordFields(document)).toEqual({ jobtitle: 'VP Sales' });

    title.textContent = 'Grace Hopper';
    value.textContent = '--';
    expect(hubspot.readRecordName(document)).toBe('Grace Hopper');
    expect(hubspot.readRecordFields(document)).toEqual({ jobtitle: '' });
    document.body.replaceChildren();
  });

  it('leaves out the property the rep is typing in (its row holds the focus), and names it as in edit; a control not focused is read', () => {
    const property = (name: string, value: string) =>
      `<div data-selenium-test="property-input-${name}"><label data-selenium-test="property-label">${name}</label>${value}</div>`;
    document.body.innerHTML =
      property('jobtitle', '<span data-selenium-test="property-value">VP Sales</span>') +
      property('message', '<textarea></textarea>') +
      '<div class="save-bar"><button>Save</button><button>Cancel</button></div>';
    const note = document.querySelector('textarea')!;
    note.value = 'Call me back';
    // HubSpot shows this property in a textarea while no one edits it: read as its value.
    expect(hubspot.readRecordFields(document)).toEqual({ jobtitle: 'VP Sales', message: 'Call me back' });
    expect(hubspot.readFieldsInEdit(document)).toEqual([]);

    // The rep clicks the job title: an input in its place, typed in, not saved.
    const input = Object.assign(document.createElement('input'), { value: 'Intern' });
    document.querySelector('[data-selenium-test="property-value"]')!.replaceWith(input);
    input.focus();
    expect(hubspot.readRecordFields(document)).toEqual({ message: 'Call me back' });
    expect(hubspot.readFieldsInEdit(document)).toEqual(['jobtitle']);

    // Then the note: the job title's input no longer has the focus, the note's does.
    note.value = 'Call me on Monday';
    note.focus();
    expect(hubspot.readRecordFields(document)).toEqual({ jobtitle: 'Intern' });
    expect(hubspot.readFieldsInEdit(document)).toEqual(['message']);

    // Focus on the Save button, outside the rows: every row is read.
    document.querySelector('button')!.focus();
    expect(hubspot.readRecordFields(document)).toEqual({ jobtitle: 'Intern', message: 'Call me on Monday' });
    expect(hubspot.readFieldsInEdit(document)).toEqual([]);
    document.body.replaceChildren();
  });

  it('has selectors that parse', () => {
    const { title, fieldRow, fieldLabel, fieldValue, skipText, excludeWithin } = hubspotPage;
    for (const selector of [title, fieldRow, fieldLabel, fieldValue, skipText, excludeWithin].flat()) {
      expect(() => document.querySelector(selector), selector).not.toThrow();
    }
  });

  it('anchors only on test ids, never on generated class names', () => {
    const { title, fieldRow, fieldLabel, fieldValue, excludeWithin } = hubspotPage;
    for (const selector of [title, fieldRow, fieldLabel, fieldValue, excludeWithin].flat()) {
      expect(selector, selector).not.toMatch(/\.[A-Za-z]/);
    }
  });
});

describe('HubSpot record page after a client-side navigation to another contact', () => {
  const contactUrl = (id: string) => `${APP}/contacts/4242424/record/0-1/${id}`;
  /** The tab's URL, as HubSpot's router sets it (pushState) before rendering the contact. */
  const goTo = (url: string) => (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);
  const property = (name: string, value: string) =>
    `<div data-selenium-test="property-input-${name}"><label data-selenium-test="property-label">${name}</label><span data-selenium-test="property-value">${value}</span></div>`;
  const card = (testId: string, fields: Record<string, string>) =>
    `<div data-test-id="${testId}">${Object.entries(fields).map(([name, value]) => property(name, value)).join('')}</div>`;
  /** HubSpot renders one card for the contact the URL names: a new element in place of the previous contact's. */
  const renderCard = (testId: string, fields: Record<string, string>) => {
    const rendered = document.createElement('template');
    rendered.innerHTML = card(testId, fields);
    document.querySelector(`[data-test-id="${testId}"]`)!.replaceWith(rendered.content);
  };
  /** HubSpot patches a card in place: the same elements, the values that differ rewritten. */
  const patchProperty = (name: string, value: string) => {
    document.querySelector(`[data-selenium-test="property-input-${name}"] [data-selenium-test="property-value"]`)!.textContent = value;
  };

  const aboutOfAda = { jobtitle: 'VP Sales', lifecyclestage: 'lead' };
  const overviewOfAda = { hs_analytics_num_visits: '14', hs_email_open: '9' };
  const aboutOfGrace = { jobtitle: 'CTO', lifecyclestage: 'customer' };
  const overviewOfGrace = { hs_analytics_num_visits: '3', hs_email_open: '0' };
  /** Ada's page, read as the record badge reads it while she is shown. */
  const showAda = () => {
    goTo(contactUrl('1601'));
    document.body.innerHTML = card('about-this-contact', aboutOfAda) + card('overview-card', overviewOfAda);
    expect(hubspot.readRecordFields(document)).toEqual({ ...aboutOfAda, ...overviewOfAda });
  };

  /** Imported afresh for each test, a page of its own: what the adapter remembers of the contacts and rows it read starts empty. */
  let hubspot: typeof import('./hubspot.ts').hubspot;
  beforeEach(async () => {
    vi.resetModules();
    ({ hubspot } = await import('./hubspot.ts'));
  });
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
    goTo('http://localhost:3000/');
  });

  it('reads the next contact card by card as HubSpot renders it, never a card still showing the previous one', () => {
    showAda();
    goTo(contactUrl('1602'));
    expect(hubspot.readRecordFields(document)).toEqual({});
    renderCard('about-this-contact', aboutOfGrace);
    expect(hubspot.readRecordFields(document)).toEqual(aboutOfGrace);
    renderCard('overview-card', overviewOfGrace);
    expect(hubspot.readRecordFields(document)).toEqual({ ...aboutOfGrace, ...overviewOfGrace });
  });

  it('reads a card patched in place: its changed properties at once, one of the same value once the cards have had time to render', () => {
    vi.useFakeTimers();
    showAda();
    goTo(contactUrl('1602'));
    // The record badge reads the page as the URL changes, before HubSpot renders Grace.
    expect(hubspot.readRecordFields(document)).toEqual({});
    // Grace is a lead too: her lifecycle stage reads as Ada's did, in the same element.
    patchProperty('jobtitle', 'CTO');
    expect(hubspot.readRecordFields(document)).toEqual({ jobtitle: 'CTO' });
    patchProperty('hs_analytics_num_visits', '3');
    patchProperty('hs_email_open', '0');
    vi.advanceTimersByTime(PREVIOUS_CONTACT_CARDS_MS - 1);
    expect(hubspot.readRecordFields(document)).toEqual({ jobtitle: 'CTO', ...overviewOfGrace });
    vi.advanceTimersByTime(1);
    expect(hubspot.readRecordFields(document)).toEqual({ jobtitle: 'CTO', lifecyclestage: 'lead', ...overviewOfGrace });
  });

  it('reads a contact come back to (Back before the next one rendered) as it shows, without the next one’s card already rendered', () => {
    showAda();
    goTo(contactUrl('1602'));
    expect(hubspot.readRecordFields(document)).toEqual({});
    renderCard('about-this-contact', aboutOfGrace);
    expect(hubspot.readRecordFields(document)).toEqual(aboutOfGrace);
    goTo(contactUrl('1601'));
    expect(hubspot.readRecordFields(document)).toEqual(overviewOfAda);
  });

  it('holds back, however long it takes, a row of the previous contact changed after her last read: no clock runs until a row renders for the next one', () => {
    vi.useFakeTimers();
    showAda();
    // HubSpot refreshes Ada's visit count just before the rep opens Grace; nothing of Grace has rendered yet.
    patchProperty('hs_analytics_num_visits', '15');
    goTo(contactUrl('1602'));
    expect(hubspot.readRecordFields(document)).toEqual({});
    vi.advanceTimersByTime(PREVIOUS_CONTACT_CARDS_MS * 5);
    expect(hubspot.readRecordFields(document)).toEqual({});
    // Grace's about card renders: the clock runs from then, and Ada's overview is read as Grace's only once it has run out.
    renderCard('about-this-contact', aboutOfGrace);
    expect(hubspot.readRecordFields(document)).toEqual(aboutOfGrace);
    vi.advanceTimersByTime(PREVIOUS_CONTACT_CARDS_MS - 1);
    expect(hubspot.readRecordFields(document)).toEqual(aboutOfGrace);
    vi.advanceTimersByTime(1);
    expect(hubspot.readRecordFields(document)).toEqual({ ...aboutOfGrace, ...overviewOfAda, hs_analytics_num_visits: '15' });
  });

  it('holds back a card of the previous contact rendered after her last read (lazily loaded) as hers, not the next one’s', () => {
    vi.useFakeTimers();
    goTo(contactUrl('1601'));
    document.body.innerHTML = card('about-this-contact', aboutOfAda) + '<div data-test-id="overview-card"></div>';
    expect(hubspot.readRecordFields(document)).toEqual(aboutOfAda);
    // Ada's overview card loads, and the rep opens Grace before it was read.
    renderCard('overview-card', overviewOfAda);
    goTo(contactUrl('1602'));
    expect(hubspot.readRecordFields(document)).toEqual({});
    vi.advanceTimersByTime(PREVIOUS_CONTACT_CARDS_MS * 5);
    expect(hubspot.readRecordFields(document)).toEqual({});
    // Back to Ada, still shown: the card is read as hers.
    goTo(contactUrl('1601'));
    expect(hubspot.readRecordFields(document)).toEqual({ ...aboutOfAda, ...overviewOfAda });
  });
});
