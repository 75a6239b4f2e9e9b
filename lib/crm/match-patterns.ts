/**
 * Where the content script runs: the hosts that serve the CRMs' record and list pages, and
 * nothing else (the manifest turns these into host permissions, so each one is a warning
 * users read). API hosts (`*.my.salesforce.com`, `api.hubapi.com`) are reached by the
 * background through its own host permissions, not here. Never `<all_urls>`.
 *
 * Chrome match patterns allow `*` only as a whole leading host label, and `*.example.com`
 * matches every subdomain at any depth.
 */

export const SALESFORCE_MATCH_PATTERNS: readonly string[] = [
  // Lightning Experience on My Domain: `{domain}.lightning.force.com`, and at deeper levels
  // sandboxes `{domain}--{sbx}.sandbox.lightning.force.com`, scratch orgs `….scratch.…`,
  // developer orgs `….develop.…`.
  'https://*.lightning.force.com/*',
];

export const HUBSPOT_MATCH_PATTERNS: readonly string[] = [
  // na1, the original data centre.
  'https://app.hubspot.com/*',
  // Data-centre ("hublet") hosts; a pattern cannot say `app-*`, so each is listed. A new
  // data centre needs a line here (recognition in hubspot.ts already accepts `app-{dc}`).
  'https://app-na1.hubspot.com/*',
  'https://app-na2.hubspot.com/*',
  'https://app-na3.hubspot.com/*', // Canada
  'https://app-eu1.hubspot.com/*',
  'https://app-ap1.hubspot.com/*', // Australia
];

/** Every CRM page pattern, for `defineContentScript({ matches })`. */
export const CRM_MATCH_PATTERNS: string[] = [...SALESFORCE_MATCH_PATTERNS, ...HUBSPOT_MATCH_PATTERNS];

/**
 * The `events.UrlFilter` of a pattern here (`https://{host}/*`), for events that filter by URL
 * (webNavigation) where match patterns are not accepted. Chrome tests `hostSuffix` against the
 * host with a dot put before it, so `.x` matches `x` and its every subdomain, as `*.x` does.
 */
export function urlFilterOf(pattern: string): Browser.events.UrlFilter {
  const parsed = /^(https?):\/\/(\*\.)?([^/*]+)\/\*$/.exec(pattern);
  if (!parsed) throw new Error(`No URL filter for the match pattern ${pattern}: only scheme://host/* and scheme://*.host/* have one`);
  const [, scheme, anySubdomain, host] = parsed;
  return anySubdomain ? { schemes: [scheme], hostSuffix: `.${host}` } : { schemes: [scheme], hostEquals: host };
}

/** The URL filters of the CRM pages (`CRM_MATCH_PATTERNS`): one per pattern, any of which lets a URL through. */
export const CRM_URL_FILTERS: Browser.events.UrlFilter[] = CRM_MATCH_PATTERNS.map(urlFilterOf);
