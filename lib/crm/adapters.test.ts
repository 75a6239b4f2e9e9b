import { describe, expect, it } from 'vitest';
import { accountOfPage, adapters, recognisePage } from './adapters.ts';
import { hubspot } from './hubspot.ts';
import { CRM_MATCH_PATTERNS, HUBSPOT_MATCH_PATTERNS, SALESFORCE_MATCH_PATTERNS } from './match-patterns.ts';

/**
 * Chrome's match-pattern rules, enough for these patterns: scheme, then host (`*.` matches
 * the domain and any subdomain at any depth), then path with `*` wildcards.
 */
function matchesPattern(pattern: string, url: URL): boolean {
  const parsed = /^(https?):\/\/(\*|(?:\*\.)?[^/*]+)(\/.*)$/.exec(pattern);
  if (!parsed) throw new Error(`unsupported pattern ${pattern}`);
  const [, scheme, host = '', path = ''] = parsed;
  if (url.protocol !== `${scheme}:`) return false;
  const hostOk =
    host === '*' ||
    (host.startsWith('*.') ? url.hostname === host.slice(2) || url.hostname.endsWith(host.slice(1)) : url.hostname === host);
  const pathRegExp = new RegExp(`^${path.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return hostOk && pathRegExp.test(url.pathname + url.search);
}
const covered = (url: string): boolean => CRM_MATCH_PATTERNS.some((pattern) => matchesPattern(pattern, new URL(url)));

const RECORD_AND_LIST_PAGES = [
  'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEEAV/view',
  'https://acme--uat.sandbox.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEEAV/view',
  'https://leadlens-demo.lightning.force.com/lightning/o/Lead/list?filterName=Recent',
  'https://app.hubspot.com/contacts/4242424/record/0-1/12345',
  'https://app-eu1.hubspot.com/contacts/4242424/record/0-1/12345/view/1',
  'https://app-na2.hubspot.com/contacts/4242424/objects/0-1/views/all/list',
  'https://app-na3.hubspot.com/contacts/4242424/contact/12345',
  'https://app-ap1.hubspot.com/contacts/4242424/contacts/list/view/all/',
];

describe('recognisePage', () => {
  it('lists one adapter per CRM', () => {
    expect(adapters.map((adapter) => adapter.crm)).toEqual(['salesforce', 'hubspot']);
  });

  it.each([
    ['https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEEAV/view', 'salesforce', { kind: 'record', crm: 'salesforce', recordId: '00Q5e00000AbCdEEAV' }],
    ['https://acme.lightning.force.com/lightning/o/Lead/home', 'salesforce', { kind: 'list', crm: 'salesforce' }],
    ['https://app.hubspot.com/contacts/4242424/record/0-1/12345', 'hubspot', { kind: 'record', crm: 'hubspot', recordId: '12345' }],
    ['https://app-eu1.hubspot.com/contacts/4242424/objects/0-1/views/all/list', 'hubspot', { kind: 'list', crm: 'hubspot' }],
  ])('%s → %s', (url, crm, match) => {
    const page = recognisePage(new URL(url));
    expect(page?.adapter.crm).toBe(crm);
    expect(page?.match).toEqual(match);
  });

  it.each([
    'https://acme.lightning.force.com/lightning/setup/SetupOneHome/home',
    'https://acme.lightning.force.com/lightning/r/Account/0015e00000AbCdEAAB/view',
    'https://app.hubspot.com/contacts/4242424/record/0-2/12345',
    'https://example.com/',
  ])('%s → null', (url) => {
    expect(recognisePage(new URL(url))).toBeNull();
  });
});

describe('accountOfPage', () => {
  it('names a page’s org or portal as its connection’s account does, and nothing for other pages', () => {
    const of = (crm: 'salesforce' | 'hubspot', url: string) => accountOfPage(crm, new URL(url));
    expect(of('salesforce', 'https://acme.lightning.force.com/lightning/r/Lead/00Q5g00000AbCdEAAZ/view')).toBe('acme.my.salesforce.com');
    expect(of('salesforce', 'https://acme--uat.sandbox.lightning.force.com/lightning/o/Lead/list')).toBe('acme--uat.sandbox.my.salesforce.com');
    expect(of('salesforce', 'https://acme.my.salesforce.com/lightning/r/Lead/00Q5g00000AbCdEAAZ/view')).toBeNull();
    expect(of('salesforce', 'https://lightning.force.com.evil.example/lightning/r/Lead/00Q5g00000AbCdEAAZ/view')).toBeNull();
    expect(of('hubspot', 'https://app.hubspot.com/contacts/4242424/record/0-1/100001')).toBe('4242424');
    expect(of('hubspot', 'https://app-eu1.hubspot.com/contacts/999/objects/0-1/views/all/list')).toBe('999');
    expect(of('hubspot', 'https://app.hubspot.com/sales/4242424/deals')).toBeNull();
    expect(of('hubspot', 'https://acme.lightning.force.com/contacts/4242424/record/0-1/1')).toBeNull();
  });
});

describe('content-script match patterns', () => {
  it.each(RECORD_AND_LIST_PAGES)('cover %s', (url) => {
    expect(recognisePage(new URL(url))).not.toBeNull();
    expect(covered(url)).toBe(true);
  });

  it.each([
    'https://acme.my.salesforce.com/lightning/r/Lead/00Q5e00000AbCdEEAV/view', // the API host
    'https://api.hubapi.com/crm/v3/objects/contacts/12345',
    'https://www.hubspot.com/',
    'https://example.com/',
    'http://app.hubspot.com/contacts/4242424/record/0-1/12345',
    'https://lightning.force.com.evil.example/',
  ])('do not cover %s', (url) => {
    expect(covered(url)).toBe(false);
  });

  it('are https CRM UI hosts only, never all URLs', () => {
    expect(CRM_MATCH_PATTERNS).toEqual([...SALESFORCE_MATCH_PATTERNS, ...HUBSPOT_MATCH_PATTERNS]);
    for (const pattern of CRM_MATCH_PATTERNS) {
      expect(pattern).toMatch(/^https:\/\/(\*\.lightning\.force\.com|app(-[a-z]{2,3}\d{1,2})?\.hubspot\.com)\/\*$/);
    }
    expect(new Set(CRM_MATCH_PATTERNS).size).toBe(CRM_MATCH_PATTERNS.length);
  });

  it('cover only hosts the adapters recognise', () => {
    for (const pattern of HUBSPOT_MATCH_PATTERNS) {
      const host = pattern.slice('https://'.length, -'/*'.length);
      expect(hubspot.recognise(new URL(`https://${host}/contacts/1/record/0-1/2`)).kind, host).toBe('record');
    }
  });
});
