// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { loadPage, parsePage } from '../../test/fixtures/pages/load.ts';
import { PAGE_FIELD_LIMITS } from './types.ts';
import { parseLeadId, recogniseSalesforce, salesforce, salesforceId18, salesforcePage, withAuditDates } from './salesforce.ts';
import type { PageMatch } from './types.ts';
import manifestJson from '../../models/manifest.json';
import { parseManifest } from '../ml/manifest';
import { featurizeRecord } from '../ml/featurize';
import { pageConventions, pageFieldsAsData } from '../ml/page-values';

const HOST = 'https://acme.lightning.force.com';
const ID18 = '00Q5e00000AbCdEEAV';
const ID15 = '00Q5e00000AbCdE';
const record = (recordId: string): PageMatch => ({ kind: 'record', crm: 'salesforce', recordId });
const list: PageMatch = { kind: 'list', crm: 'salesforce' };
const other: PageMatch = { kind: 'other' };

describe('recogniseSalesforce', () => {
  it.each<[string, PageMatch]>([
    // Lead record pages
    [`${HOST}/lightning/r/Lead/${ID18}/view`, record(ID18)],
    [`${HOST}/lightning/r/Lead/${ID18}/view?ws=%2Flightning%2Fr%2FLead%2F${ID18}%2Fview`, record(ID18)],
    [`${HOST}/lightning/r/Lead/${ID18}/view?0.source=alohaHeader`, record(ID18)],
    [`${HOST}/lightning/r/Lead/${ID18}/view#details`, record(ID18)],
    [`${HOST}/lightning/r/Lead/${ID18}/view/`, record(ID18)],
    [`${HOST}/lightning/r/Lead/${ID18}`, record(ID18)],
    [`${HOST}/lightning/r/Lead/${ID18}/edit`, record(ID18)],
    [`${HOST}/lightning/r/lead/${ID18}/view`, record(ID18)],
    [`${HOST}/lightning/r/${ID18}/view`, record(ID18)], // short form: the id says Lead
    // 15-character ids come back in their 18-character form
    [`${HOST}/lightning/r/Lead/${ID15}/view`, record(ID18)],
    // hosts: sandbox, demo CRM
    [`https://acme--uat.sandbox.lightning.force.com/lightning/r/Lead/${ID18}/view`, record(ID18)],
    ['https://leadlens-demo.lightning.force.com/lightning/r/Lead/00Q000000000XSSAAA/view', record('00Q000000000XSSAAA')],
    // record URLs without the record header, or with unknown trailing segments
    [`${HOST}/lightning/r/Lead/${ID18}/related/Histories/view`, other],
    [`${HOST}/lightning/r/Lead/${ID18}/view/extra`, other],
    [`${HOST}/lightning/r/Lead`, other],
    // other objects
    [`${HOST}/lightning/r/Account/0015e00000AbCdEAAB/view`, other],
    [`${HOST}/lightning/r/Contact/0035e00000AbCdEAAB/view`, other],
    [`${HOST}/lightning/r/0035e00000AbCdEAAB/view`, other],
    [`${HOST}/lightning/r/Lead/0015e00000AbCdEAAB/view`, other], // a Lead URL with an Account id
    // malformed ids
    [`${HOST}/lightning/r/Lead/00Q5e00000AbCd/view`, other], // 14
    [`${HOST}/lightning/r/Lead/00Q5e00000AbCdEE/view`, other], // 16
    [`${HOST}/lightning/r/Lead/00Q5e00000AbCdEEA/view`, other], // 17
    [`${HOST}/lightning/r/Lead/00Q5e00000AbCdEEAVX/view`, other], // 19
    [`${HOST}/lightning/r/Lead/00Q5e00000AbCd-EAV/view`, other],
    [`${HOST}/lightning/r/Lead/00Q5e00000AbCd%20EAV/view`, other],
    // list pages
    [`${HOST}/lightning/o/Lead/list?filterName=Recent`, list],
    [`${HOST}/lightning/o/Lead/list?filterName=00B5e00000AbCdEEAV&navigationLocation=LIST_VIEW`, list],
    [`${HOST}/lightning/o/Lead/list`, list],
    [`${HOST}/lightning/o/Lead/list/`, list],
    [`${HOST}/lightning/o/Lead/home`, list],
    [`${HOST}/lightning/o/Lead/new`, other],
    [`${HOST}/lightning/o/Account/list?filterName=Recent`, other],
    [`${HOST}/lightning/o/Contact/home`, other],
    // setup and other Lightning pages
    [`${HOST}/lightning/setup/SetupOneHome/home`, other],
    [`${HOST}/lightning/setup/ObjectManager/Lead/view`, other],
    [`${HOST}/lightning/page/home`, other],
    [`${HOST}/lightning`, other],
    [`${HOST}/`, other],
    // not a Lightning UI host, or not https
    [`https://acme.my.salesforce.com/lightning/r/Lead/${ID18}/view`, other],
    [`https://acme.my.salesforce.com/${ID15}`, other],
    [`https://lightning.force.com.evil.example/lightning/r/Lead/${ID18}/view`, other],
    [`https://evillightning.force.com/lightning/r/Lead/${ID18}/view`, other],
    [`http://acme.lightning.force.com/lightning/r/Lead/${ID18}/view`, other],
    ['https://app.hubspot.com/contacts/4242424/record/0-1/12345', other],
  ])('%s', (url, expected) => {
    expect(recogniseSalesforce(new URL(url))).toEqual(expected);
  });

  it('is the adapter’s recognise', () => {
    expect(salesforce.recognise).toBe(recogniseSalesforce);
    expect(salesforce.crm).toBe('salesforce');
  });
});

describe('Salesforce addresses', () => {
  const lead = `${HOST}/lightning/r/Lead/${ID18}/view`;

  it('names the org of a Lightning page by its My Domain API host, and none off Lightning', () => {
    expect(salesforce.accountOfPage(new URL(lead))).toBe('acme.my.salesforce.com');
    expect(salesforce.accountOfPage(new URL('https://acme--uat.sandbox.lightning.force.com/lightning/o/Lead/list'))).toBe('acme--uat.sandbox.my.salesforce.com');
    expect(salesforce.accountOfPage(new URL(`https://acme.my.salesforce.com/${ID15}`))).toBeNull();
    expect(salesforce.accountOfPage(new URL('https://app.hubspot.com/contacts/4242424/record/0-1/12345'))).toBeNull();
  });

  it('opens a lead on the Lightning origin of the page it was seen on, and gives that page back', () => {
    const home = salesforce.homeOfPage(new URL(`${lead}?0.source=alohaHeader`));
    expect(home).toEqual({ origin: HOST });
    expect(salesforce.recordUrl(ID18, home)).toBe(lead);
    expect(salesforce.recordUrl('a/b?c', home)).toBe(`${HOST}/lightning/r/Lead/a%2Fb%3Fc/view`);
  });

  it('makes an org’s home from its My Domain host, keeping the remembered one only when it is that org’s', () => {
    const sandbox = { origin: 'https://acme--uat.sandbox.lightning.force.com' };
    expect(salesforce.homeOfAccount({ id: 'acme.my.salesforce.com' }, null)).toEqual({ origin: HOST });
    expect(salesforce.homeOfAccount({ id: 'acme.my.salesforce.com' }, sandbox)).toEqual({ origin: HOST });
    expect(salesforce.homeOfAccount({ id: 'acme--uat.sandbox.my.salesforce.com' }, sandbox)).toBe(sandbox);
    expect(salesforce.homeOfAccount({ id: 'acme.my.salesforce.com', uiDomain: 'elsewhere.example' }, null)).toEqual({ origin: HOST });
  });
});

describe('Salesforce ids', () => {
  it.each([
    [ID15, ID18],
    ['0015000000Gv7qJ', '0015000000Gv7qJAAR'],
    ['00Q000000000000', '00Q000000000000EAA'],
    [ID18, ID18],
  ])('salesforceId18(%s) = %s', (id, expected) => {
    expect(salesforceId18(id)).toBe(expected);
  });

  it('accepts only Lead ids', () => {
    expect(parseLeadId(ID15)).toBe(ID18);
    expect(parseLeadId('0015000000Gv7qJ')).toBeNull();
    expect(parseLeadId('00q5e00000AbCdE')).toBeNull(); // key prefixes are case-sensitive
  });
});

describe('Salesforce record page', () => {
  it('reads the active view of a standard record page (PAGES.md)', () => {
    const doc = loadPage('salesforce-record.html');
    expect(salesforce.readRecordName(doc)).toBe('Ada Lovelace');
    expect(salesforce.readRecordFields(doc)).toEqual({
      LeadSource: 'Web', // not "Web Edit Lead Source": assistive text and icons are skipped
      Company: 'Analytical Engines Ltd',
      Title: 'VP Sales',
      AnnualRevenue: '$1,200,000',
      NumberOfEmployees: '1,200',
      Industry: '',
      HasOptedOutOfEmail: 'false',
      Demo_Requested__c: 'true',
      LastActivityDate: '11/3/2026',
      // The row shows the date after the name, read as CreatedDate where the page shows whether 11/3 is 3 November or 11 March (not here: see below).
      CreatedById: 'Marc Benioff',
      Address: "12 St James's Square London SW1Y 4JH United Kingdom",
      Description: 'Met at the Royal Society.', // a hidden tab of the same record
    });
    // The previous record's view is still in the DOM: none of it is read.
    expect(salesforce.readRecordFields(doc)).not.toHaveProperty('Rating');
  });

  it('anchors the badge on the active view’s title', () => {
    const doc = loadPage('salesforce-record.html');
    const anchor = salesforce.findBadgeAnchor(doc);
    expect(anchor?.localName).toBe('lightning-formatted-name');
    expect(anchor?.closest('.windowViewMode-normal')?.classList.contains('active')).toBe(true);
  });

  it('follows client-side navigation: a new active view replaces the old one', () => {
    const doc = loadPage('salesforce-record.html');
    const [previous, current] = Array.from(doc.querySelectorAll('.windowViewMode-normal'));
    current?.classList.remove('active');
    current?.setAttribute('style', 'display:none');
    previous?.classList.add('active');
    previous?.removeAttribute('style');
    expect(salesforce.readRecordName(doc)).toBe('Grace Hopper');
    expect(salesforce.readRecordFields(doc)).toEqual({ LeadSource: 'Trade Show', Rating: 'Hot' });
  });

  it('with no view marked active, reads only what is visible', () => {
    const doc = loadPage('salesforce-record.html');
    doc.querySelector('.windowViewMode-normal.active')?.classList.remove('active');
    const fields = salesforce.readRecordFields(doc);
    expect(fields.LeadSource).toBe('Web');
    expect(fields).not.toHaveProperty('Rating'); // the hidden previous view
    expect(fields).not.toHaveProperty('Description'); // a hidden tab: visibility is all we have
    expect(salesforce.readRecordName(doc)).toBe('Ada Lovelace');
  });

  it('reads the selected workspace tab of a console app', () => {
    const doc = loadPage('salesforce-record-console.html');
    expect(salesforce.readRecordName(doc)).toBe('Ada Lovelace'); // without the "Lead" object label
    expect(salesforce.findBadgeAnchor(doc)?.localName).toBe('lightning-formatted-text');
    expect(salesforce.readRecordFields(doc)).toEqual({
      LeadSource: 'Web',
      Status: 'Working - Contacted',
      Industry: 'Technology', // .forcePageBlockItemView, API name on the wrapper
      NumberOfEmployees: '250', // no value element: the row without its label
    });
  });

  it('tells the view it reads a record in: the selected console tab’s, another once another tab is selected', () => {
    const doc = loadPage('salesforce-record-console.html');
    // The record badge tells which record the page shows by the view element (record-badge.ts): not part of CrmAdapter.
    const { readRecordView } = salesforce;
    const [first, second] = Array.from(doc.querySelectorAll('section.oneConsoleTab'));
    expect(readRecordView(doc)).toBe(second.querySelector('.lafPageHost'));
    second.classList.remove('active');
    first.classList.add('active');
    expect(readRecordView(doc)).toBe(first.querySelector('.lafPageHost'));
    expect(salesforce.readRecordName(doc)).toBe('Grace Hopper');
  });

  it('in a console app without an `active` tab section, picks the rendered view', () => {
    const doc = loadPage('salesforce-record-console.html');
    const [first, second] = Array.from(doc.querySelectorAll('section.oneConsoleTab'));
    doc.querySelector('style')?.remove();
    second?.classList.remove('active');
    first?.setAttribute('style', 'display: none');
    expect(salesforce.readRecordName(doc)).toBe('Ada Lovelace');
    expect(salesforce.readRecordFields(doc).LeadSource).toBe('Web');
  });

  it('walks open shadow roots when the light DOM has nothing (native shadow LWC)', () => {
    const doc = loadPage('salesforce-record-shadow.html');
    expect(doc.querySelector('[data-target-selection-name]')).toBeNull(); // all of it is in shadow roots
    expect(salesforce.readRecordName(doc)).toBe('Ada Lovelace');
    expect(salesforce.findBadgeAnchor(doc)?.localName).toBe('lightning-formatted-name');
    expect(salesforce.readRecordFields(doc)).toEqual({
      LeadSource: 'Web',
      Title: 'Chief Analyst', // slotted light children
      HasOptedOutOfEmail: 'true', // checkbox inside a nested shadow root
    });
  });

  it('falls back to the browser-tab title for the name, and floats the badge', () => {
    const doc = loadPage('salesforce-record-no-title.html');
    expect(salesforce.readRecordName(doc)).toBe('Ada Lovelace');
    expect(salesforce.findBadgeAnchor(doc)).toBeNull();
    expect(salesforce.readRecordFields(doc)).toEqual({ LeadSource: 'Web' });
  });

  it.each([
    ['Ada Lovelace | Lead | Salesforce', 'Ada Lovelace'],
    ['Ada Lovelace | Salesforce', 'Ada Lovelace'],
    ['Ada | Lovelace | Interessent | Salesforce', 'Ada | Lovelace'],
    ['Lightning Experience | Salesforce', null],
    ['Salesforce', null],
    ['Ada Lovelace', null],
    ['', null],
  ])('name from document.title %j → %j', (title, expected) => {
    expect(salesforcePage.nameFromDocumentTitle?.(title)).toBe(expected);
  });

  it('returns hostile values as the literal text, parsing nothing', () => {
    const doc = loadPage('salesforce-record-xss.html');
    const hostile = '<img src=x onerror=alert(1)>';
    expect(salesforce.readRecordName(doc)).toBe(hostile);
    expect(salesforce.readRecordFields(doc)).toEqual({ Title: hostile, Company: hostile });
    expect(doc.querySelector('img')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
  });

  it('reads a record with a header and no details', () => {
    const doc = loadPage('salesforce-record-empty.html');
    expect(salesforce.readRecordName(doc)).toBe('Empty Lead');
    expect(salesforce.readRecordFields(doc)).toEqual({});
    expect(salesforce.findBadgeAnchor(doc)).not.toBeNull();
  });

  it('finds nothing on a page that is not a record page', () => {
    const doc = parsePage('<!doctype html><title>Setup | Salesforce</title><body><div class="setupcontent"></div></body>');
    expect(salesforce.readRecordName(doc)).toBe('Setup'); // only ever asked on record pages
    expect(salesforce.readRecordFields(doc)).toEqual({});
    expect(salesforce.findBadgeAnchor(doc)).toBeNull();
  });

  it('returns at most 500 fields with values of at most 10,000 characters', () => {
    const rows = Array.from(
      { length: 600 },
      (_, i) => `<records-record-layout-item><div data-target-selection-name="sfdc:RecordField.Lead.F${i}__c">
        <span class="test-id__field-label">F${i}</span><span class="test-id__field-value">${i === 0 ? 'x'.repeat(20_000) : `v${i}`}</span>
      </div></records-record-layout-item>`,
    ).join('');
    const doc = parsePage(`<div class="windowViewMode-normal active">${rows}</div>`);
    const fields = salesforce.readRecordFields(doc);
    expect(Object.keys(fields)).toHaveLength(PAGE_FIELD_LIMITS.maxFields);
    expect(fields.F0__c).toHaveLength(PAGE_FIELD_LIMITS.maxValueLength);
    expect(fields.F499__c).toBe('v499');
    expect(fields).not.toHaveProperty('F500__c');
  });

  it('keeps field names as plain keys, whatever they are called', () => {
    const doc = parsePage(`<div class="windowViewMode-normal active">
      <div data-target-selection-name="sfdc:RecordField.Lead.constructor"><span class="test-id__field-value">a</span></div>
      <div data-target-selection-name="sfdc:RecordField.Lead.toString"><span class="test-id__field-value">b</span></div>
    </div>`);
    const fields = salesforce.readRecordFields(doc);
    expect(Object.keys(fields)).toEqual(['constructor', 'toString']);
    expect(fields.constructor).toBe('a');
  });

  it('has selectors that parse', () => {
    const { activeView, title, fieldRow, fieldLabel, fieldValue, skipText, excludeWithin } = salesforcePage;
    // happy-dom rejects type selectors with "_" (Aura namespaces, valid CSS that Chrome parses):
    // those are skipped by the reader in happy-dom and covered by later fallbacks.
    const happyDomCannotParse = /(?:^|[\s>+~])[a-z]+_[a-z-]+/;
    for (const selector of [activeView, title, fieldRow, fieldLabel, fieldValue, skipText, excludeWithin].flat()) {
      if (happyDomCannotParse.test(selector)) continue;
      expect(() => document.querySelector(selector), selector).not.toThrow();
    }
  });
});

/** The fixture's "Created By" row (a lookup to the user, then the date-time). */
const createdByRow = (doc: Document) => doc.querySelector('.active [data-target-selection-name="sfdc:RecordField.Lead.CreatedById"]')!;

describe('Salesforce record page: created and last-modified dates', () => {
  const bundled = parseManifest(manifestJson);
  if (!bundled.ok) throw new Error(bundled.error);
  const { features } = bundled.manifest;
  const daysSinceCreated = features.findIndex((feature) => feature.key === 'days_since_created');
  /** The page's fields as data, as the background reads them: a rep in Berlin, whose page shows times in CET (UTC+1). */
  const asData = (fields: Record<string, string>, locale: string) => pageFieldsAsData(fields, features, 'salesforce', pageConventions(locale), 'Europe/Berlin');
  /** The model's input, a week after the lead was created (3 November 2026, 9:14 in Berlin). */
  const scoredRow = (fields: Record<string, string>, locale: string) => featurizeRecord(asData(fields, locale), features, 'salesforce', new Date('2026-11-10T08:14:00Z'));

  /** The fixture with its Last Activity row showing `shown`, a date of the page's own. */
  const showingLastActivity = (doc: Document, shown: string) => {
    doc.querySelector('.active [data-target-selection-name="sfdc:RecordField.Lead.LastActivityDate"] lightning-formatted-text')!.textContent = shown;
    return doc;
  };

  it('reads the created date out of the Created By row once a date on the page shows which of day and month comes first, so days since created is known (the real fixture)', () => {
    const fields = salesforce.readRecordFields(showingLastActivity(loadPage('salesforce-record.html'), '10/30/2026'));
    expect(fields.CreatedById).toBe('Marc Benioff');
    expect(fields.CreatedDate).toBe('11/3/2026, 9:14 AM');
    expect(scoredRow(fields, 'en-US')[daysSinceCreated]).toBe(7); // was NaN: the model reads CreatedDate
  });

  it('leaves the created date out, missing as before these rows were read, when its day and month could be swapped and nothing on the page says which comes first', () => {
    // The real fixture: 11/3/2026 is 3 November in a US Locale, 11 March in a British one.
    const fixture = salesforce.readRecordFields(loadPage('salesforce-record.html'));
    expect(fixture.CreatedById).toBe('Marc Benioff');
    expect(fixture).not.toHaveProperty('CreatedDate');
    expect(scoredRow(fixture, 'en-US')[daysSinceCreated]).toBeNaN();
    // A British Locale on a page in US English: read in the language's order, 3 November would be 11 March (244 days, not 7).
    for (const fields of [
      { CreatedById: 'Marc Benioff, 03/11/2026, 09:14', LastActivityDate: '03/11/2026' } as Record<string, string>,
      { CreatedById: 'Marc Benioff, 03/11/2026, 09:14', LastModifiedById: 'Ada Admin, 09/11/2026, 16:05' },
      { CreatedById: 'Marc Benioff, 03-11-2026 09:14' },
    ]) {
      const read = withAuditDates(fields);
      expect(read, fields.CreatedById).toMatchObject({ CreatedById: 'Marc Benioff' });
      expect(read).not.toHaveProperty('CreatedDate');
      expect(read).not.toHaveProperty('LastModifiedDate');
      expect(scoredRow(read, 'en-US')[daysSinceCreated]).toBeNaN();
    }
  });

  it('reads the created date whose order the other audit row shows, in that order whatever the language', () => {
    const fields = withAuditDates({ CreatedById: 'Marc Benioff, 03/11/2026, 09:14', LastModifiedById: 'Ada Admin, 19/11/2026, 16:05' });
    expect(fields).toEqual({ CreatedById: 'Marc Benioff', CreatedDate: '03/11/2026, 09:14', LastModifiedById: 'Ada Admin', LastModifiedDate: '19/11/2026, 16:05' });
    expect(scoredRow(fields, 'en-US')[daysSinceCreated]).toBe(7);
  });

  it('reads a created date that is the same day in either order', () => {
    expect(withAuditDates({ CreatedById: 'Marc Benioff, 3/3/2026, 9:14 AM' })).toEqual({ CreatedById: 'Marc Benioff', CreatedDate: '3/3/2026, 9:14 AM' });
  });

  it.each([
    ['de-DE', '03.11.2026, 09:14'],
    ['ja-JP', '2026/11/03 9:14'],
    ['fi-FI', '3.11.2026 klo 9.14'],
  ])('in a %s Locale ("%s"), whose dates show their order themselves, the date is passed on as the page writes it and read as 3 November 2026, 9:14 in Berlin', (locale, shown) => {
    const doc = loadPage('salesforce-record.html');
    createdByRow(doc).querySelector('lightning-formatted-text')!.textContent = shown;
    const fields = salesforce.readRecordFields(doc);
    expect(fields).toMatchObject({ CreatedById: 'Marc Benioff', CreatedDate: shown });
    expect(asData(fields, locale).CreatedDate).toBe('2026-11-03T08:14:00.000Z');
    expect(scoredRow(fields, locale)[daysSinceCreated]).toBe(7);
  });

  it.each([
    ['en-US', '11/3/2026, 9:14 AM', '10/30/2026'],
    ['en-GB', '3/11/2026 9:14', '30/10/2026'],
  ])('in a %s Locale ("%s"), with another date on the page ("%s") showing the order, the date is passed on as the page writes it and read as 3 November 2026, 9:14 in Berlin', (locale, shown, lastActivity) => {
    const doc = showingLastActivity(loadPage('salesforce-record.html'), lastActivity);
    createdByRow(doc).querySelector('lightning-formatted-text')!.textContent = shown;
    const fields = salesforce.readRecordFields(doc);
    expect(fields).toMatchObject({ CreatedById: 'Marc Benioff', CreatedDate: shown });
    expect(asData(fields, locale).CreatedDate).toBe('2026-11-03T08:14:00.000Z');
    expect(scoredRow(fields, locale)[daysSinceCreated]).toBe(7);
  });

  it('reads the last-modified date out of the Last Modified By row', () => {
    const doc = loadPage('salesforce-record.html');
    const row = createdByRow(doc).cloneNode(true) as Element;
    row.setAttribute('data-target-selection-name', 'sfdc:RecordField.Lead.LastModifiedById');
    row.querySelector('a')!.lastChild!.textContent = 'Ada Admin';
    row.querySelector('lightning-formatted-text')!.textContent = '11/19/2026, 4:05 PM';
    createdByRow(doc).parentElement!.after(row);
    expect(salesforce.readRecordFields(doc)).toMatchObject({
      CreatedById: 'Marc Benioff',
      CreatedDate: '11/3/2026, 9:14 AM',
      LastModifiedById: 'Ada Admin',
      LastModifiedDate: '11/19/2026, 4:05 PM',
    });
  });

  it('keeps a created date the page shows in a row of its own, and fills in one it shows empty', () => {
    const doc = showingLastActivity(loadPage('salesforce-record.html'), '10/30/2026');
    const own = doc.createElement('div');
    own.setAttribute('data-target-selection-name', 'sfdc:RecordField.Lead.CreatedDate');
    own.innerHTML = '<span class="test-id__field-label">Created Date</span><span class="test-id__field-value">11/2/2026, 8:00 AM</span>';
    createdByRow(doc).parentElement!.after(own);
    expect(salesforce.readRecordFields(doc)).toMatchObject({ CreatedById: 'Marc Benioff', CreatedDate: '11/2/2026, 8:00 AM' });
    own.querySelector('.test-id__field-value')!.textContent = '';
    expect(salesforce.readRecordFields(doc)).toMatchObject({ CreatedById: 'Marc Benioff', CreatedDate: '11/3/2026, 9:14 AM' });
  });

  it('leaves a Created By row that shows no date (still rendering) as it is', () => {
    const doc = loadPage('salesforce-record.html');
    createdByRow(doc).querySelector('lightning-formatted-text')!.remove();
    const fields = salesforce.readRecordFields(doc);
    expect(fields.CreatedById).toBe('Marc Benioff,');
    expect(fields).not.toHaveProperty('CreatedDate');
  });

  it('splits at the comma before the date only, whatever the name', () => {
    expect(withAuditDates({ CreatedById: 'Benioff, Marc, 03.11.2026, 09:14' })).toEqual({ CreatedById: 'Benioff, Marc', CreatedDate: '03.11.2026, 09:14' });
    expect(withAuditDates({ CreatedById: 'Integration User' })).toEqual({ CreatedById: 'Integration User' });
    expect(withAuditDates({ Description: 'Met Marc, 11/3/2026' })).toEqual({ Description: 'Met Marc, 11/3/2026' });
  });

  it('splits a name with a comma before a digit in it before the date, not inside the name', () => {
    expect(withAuditDates({ CreatedById: 'Ops Bot, 3rd shift, 11/13/2026, 9:14 AM' })).toEqual({ CreatedById: 'Ops Bot, 3rd shift', CreatedDate: '11/13/2026, 9:14 AM' });
    expect(withAuditDates({ CreatedById: 'Ops Bot, 3rd shift, 03.11.2026 09:14' })).toEqual({ CreatedById: 'Ops Bot, 3rd shift', CreatedDate: '03.11.2026 09:14' });
    expect(withAuditDates({ CreatedById: 'Team 4, 2026. 11. 3. 오전 9:14' })).toEqual({ CreatedById: 'Team 4', CreatedDate: '2026. 11. 3. 오전 9:14' });
    // A date left out for its order still leaves the name whole.
    expect(withAuditDates({ CreatedById: 'Ops Bot, 3rd shift, 11/3/2026, 9:14 AM' })).toEqual({ CreatedById: 'Ops Bot, 3rd shift' });
  });

  it('adds no date beyond the field limit', () => {
    const full = Object.fromEntries(Array.from({ length: PAGE_FIELD_LIMITS.maxFields - 1 }, (_, i) => [`F${i}__c`, 'v']));
    const { F0__c: _, ...roomFor1 } = full;
    expect(withAuditDates({ ...roomFor1, CreatedById: 'Marc Benioff, 11/13/2026, 9:14 AM' })).toHaveProperty('CreatedDate', '11/13/2026, 9:14 AM');
    const fields = withAuditDates({ ...full, CreatedById: 'Marc Benioff, 11/13/2026, 9:14 AM' });
    expect(Object.keys(fields)).toHaveLength(PAGE_FIELD_LIMITS.maxFields);
    expect(fields.CreatedById).toBe('Marc Benioff');
    expect(fields).not.toHaveProperty('CreatedDate');
  });
});

describe('Salesforce record page in inline edit', () => {
  /** The fixture with its detail in inline edit (the pencil clicked): Lead Source's row holds an empty picklist, Title's a text box being typed in. */
  const pageInInlineEdit = () => {
    const doc = loadPage('salesforce-record.html');
    const row = (field: string) => doc.querySelector(`.active [data-target-selection-name="sfdc:RecordField.Lead.${field}"]`)!;
    // A sketch of lightning-combobox (an empty picklist) and lightning-input (a text field) in edit mode.
    row('LeadSource').innerHTML = `<lightning-combobox class="slds-form-element">
        <label class="slds-form-element__label">Lead Source</label>
        <div class="slds-form-element__control"><div class="slds-combobox">
          <button role="combobox" aria-expanded="false" class="slds-combobox__input"><span class="slds-truncate">--None--</span></button>
        </div></div>
      </lightning-combobox>`;
    row('Title').innerHTML = `<lightning-input class="slds-form-element">
        <label class="slds-form-element__label">Title</label>
        <div class="slds-form-element__control"><input type="text" class="slds-input"></div>
      </lightning-input>`;
    (row('Title').querySelector('input') as HTMLInputElement).value = 'CEO (unsaved)';
    return doc;
  };

  it('does not read a row whose editor is open: an empty picklist is no "--None--" lead source, a half-typed title no title', () => {
    const fields = salesforce.readRecordFields(pageInInlineEdit());
    expect(fields).not.toHaveProperty('LeadSource');
    expect(fields).not.toHaveProperty('Title');
    // Rows not being edited are read as ever: read-only ones, and a view-mode checkbox (disabled).
    expect(fields).toMatchObject({ Company: 'Analytical Engines Ltd', HasOptedOutOfEmail: 'false', Demo_Requested__c: 'true', CreatedById: 'Marc Benioff' });
  });

  it.each([
    ['a select', '<select><option>--None--</option><option>Web</option></select>'],
    ['a text area', '<textarea>Met at the Royal Society, and again at</textarea>'],
    ['a checkbox that can be ticked', '<input type="checkbox" checked>'],
    ['a lookup search box', '<input type="search" role="combobox" aria-autocomplete="list">'],
    ['a rich text editor', '<div class="ql-editor" contenteditable="true"><p>Notes</p></div>'],
  ])('does not read a row holding %s', (_, editor) => {
    const doc = parsePage(`<div class="windowViewMode-normal active">
      <div data-target-selection-name="sfdc:RecordField.Lead.Edited__c"><span class="slds-form-element__label">Edited</span>${editor}</div>
      <div data-target-selection-name="sfdc:RecordField.Lead.Rating"><span class="test-id__field-value">Hot</span></div>
    </div>`);
    expect(salesforce.readRecordFields(doc)).toEqual({ Rating: 'Hot' });
  });

  it('names the rows whose editor is open, so what was scored can stand for them until the rep saves or cancels', () => {
    expect(salesforce.readFieldsInEdit(pageInInlineEdit())).toEqual(['LeadSource', 'Title']);
    // Not in edit: nothing to name.
    expect(salesforce.readFieldsInEdit(loadPage('salesforce-record.html'))).toEqual([]);
  });

  it('names only the active view’s rows in edit: not the previous record’s view, nor an edit form in a dialog', () => {
    const doc = parsePage(`<div class="windowViewMode-normal" style="display:none">
      <div data-target-selection-name="sfdc:RecordField.Lead.Rating"><select><option>Hot</option></select></div>
    </div>
    <div class="windowViewMode-normal active">
      <div data-target-selection-name="sfdc:RecordField.Lead.Industry"><select><option>--None--</option></select></div>
      <div data-target-selection-name="sfdc:RecordField.Lead.LeadSource"><span class="test-id__field-value">Web</span></div>
      <div role="dialog"><div data-target-selection-name="sfdc:RecordField.Lead.Title"><input type="text" value="CEO"></div></div>
    </div>`);
    expect(salesforce.readFieldsInEdit(doc)).toEqual(['Industry']);
    expect(salesforce.readRecordFields(doc)).toEqual({ LeadSource: 'Web' });
  });

  it('reads a row whose control cannot be changed: it shows what is saved', () => {
    const doc = parsePage(`<div class="windowViewMode-normal active">
      <div data-target-selection-name="sfdc:RecordField.Lead.Website"><span class="test-id__field-value"><input type="text" readonly value="example.com"></span></div>
      <div data-target-selection-name="sfdc:RecordField.Lead.DoNotCall"><span class="test-id__field-value"><input type="checkbox" disabled checked></span></div>
    </div>`);
    expect(salesforce.readRecordFields(doc)).toEqual({ Website: 'example.com', DoNotCall: 'true' });
  });

  it.each(['--None--', 'Select an Option'])('reads a picklist placeholder %j shown as text as empty', (placeholder) => {
    // Aura's picklist trigger is a plain link (no combobox role): its row is read, its placeholder is no value.
    const doc = parsePage(`<div class="windowViewMode-normal active">
      <div class="forcePageBlockItemView" data-target-selection-name="sfdc:RecordField.Lead.Industry">
        <span class="test-id__field-label">Industry</span>
        <div class="uiPopupTrigger"><a class="select" role="button" aria-haspopup="true">${placeholder}</a></div>
      </div>
    </div>`);
    expect(salesforce.readRecordFields(doc)).toEqual({ Industry: '' });
  });
});
