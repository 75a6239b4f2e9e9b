import { describe, expect, it } from 'vitest';
import { CRM_MATCH_PATTERNS, CRM_URL_FILTERS, urlFilterOf } from './match-patterns.ts';

/**
 * Chrome's `events.UrlFilter` rules, enough for these filters: scheme, and host compared with a
 * dot put before it (Chromium's url_matcher), so `hostSuffix: '.x'` matches `x` itself too.
 */
function passes(filter: Browser.events.UrlFilter, url: URL): boolean {
  const host = `.${url.hostname}`;
  if (filter.schemes && !filter.schemes.includes(url.protocol.slice(0, -1))) return false;
  if (filter.hostEquals !== undefined && host !== `.${filter.hostEquals}`) return false;
  return filter.hostSuffix === undefined || host.endsWith(filter.hostSuffix);
}
const letThrough = (url: string): boolean => CRM_URL_FILTERS.some((filter) => passes(filter, new URL(url)));

describe('urlFilterOf', () => {
  it('keeps a pattern’s scheme, and its host with every subdomain or alone', () => {
    expect(urlFilterOf('https://*.lightning.force.com/*')).toEqual({ schemes: ['https'], hostSuffix: '.lightning.force.com' });
    expect(urlFilterOf('https://app-eu1.hubspot.com/*')).toEqual({ schemes: ['https'], hostEquals: 'app-eu1.hubspot.com' });
  });

  it.each(['<all_urls>', 'https://*/*', 'https://app.hubspot.com/contacts/*', '*://app.hubspot.com/*'])('refuses %s, which a host filter cannot say', (pattern) => {
    expect(() => urlFilterOf(pattern)).toThrow(pattern);
  });
});

describe('CRM_URL_FILTERS', () => {
  it('are one per content-script match pattern', () => {
    expect(CRM_URL_FILTERS).toEqual(CRM_MATCH_PATTERNS.map(urlFilterOf));
  });

  it.each([
    'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEEAV/view',
    'https://acme--uat.sandbox.lightning.force.com/lightning/o/Lead/list',
    'https://lightning.force.com/', // `*.lightning.force.com` matches the domain itself too
    'https://app.hubspot.com/contacts/4242424/record/0-1/12345',
    'https://app-eu1.hubspot.com/contacts/4242424/objects/0-1/views/all/list',
    // The demo CRM (`npm run demo`, e2e), whose hosts Chromium resolves to the local server.
    'https://leadlens-demo.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEEAV/view',
    'https://app.hubspot.com/contacts/4242424/record/0-1/100001',
  ])('let %s through', (url) => {
    expect(letThrough(url)).toBe(true);
  });

  it.each([
    'https://example.com/',
    'https://www.hubspot.com/',
    'https://api.hubapi.com/crm/v3/objects/contacts/12345',
    'https://acme.my.salesforce.com/lightning/r/Lead/00Q5e00000AbCdEEAV/view',
    'https://notlightning.force.com/',
    'https://lightning.force.com.evil.example/',
    'https://app.hubspot.com.evil.example/',
    'http://app.hubspot.com/contacts/4242424/record/0-1/12345',
  ])('keep %s out', (url) => {
    expect(letThrough(url)).toBe(false);
  });
});
