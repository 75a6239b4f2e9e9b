// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { loadPage, parsePage } from '../../test/fixtures/pages/load.ts';
import { PAGE_FIELD_LIMITS } from './types.ts';
import { parseLeadId, recogniseSalesforce, salesforce, salesforceId18, salesforcePage } from './salesforce.ts';
import type { PageMatch } from './types.ts';

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
      CreatedById: 'Marc Benioff, 11/3/2026, 9:14 AM',
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
