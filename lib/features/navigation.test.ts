// @vitest-environment happy-dom
// @vitest-environment-options { "url": "https://app.hubspot.com/contacts/4242424/record/0-1/101" }
import { pageKey } from '../crm/adapters';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
import { scriptLifetime } from './lifetime';
import { EXTENSION_RELOADED, onEveryPage, type PageHandler } from './navigation';

const HUBSPOT_RECORD = 'https://app.hubspot.com/contacts/4242424/record/0-1/101';
/** The page's own client-side navigation, as the CRM does it, then the back/forward-style event we listen to. */
function navigate(url: string) {
  history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

const EXTENSION_ID = fakeBrowser.runtime.id;
let handler: ReturnType<typeof vi.fn<PageHandler>>;
beforeEach(() => {
  vi.useFakeTimers();
  history.replaceState(null, '', HUBSPOT_RECORD);
  handler = vi.fn<PageHandler>();
  onEveryPage(scriptLifetime(), pageKey, handler);
});
afterEach(() => {
  /** The extension reloaded: ends this test's navigation, as the next tick sees. */
  extensionReloaded();
  fakeBrowser.runtime.id = EXTENSION_ID;
  vi.useRealTimers();
});

/** What an extension reloaded under the page leaves its old content script: no runtime id, as the next tick of its check sees. */
function extensionReloaded() {
  fakeBrowser.runtime.id = undefined as never;
  vi.advanceTimersByTime(500);
}

const signalOf = (call: number) => handler.mock.calls[call]![2];

describe('onEveryPage', () => {
  it('runs the first page at once', () => {
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0]![0].href).toBe(HUBSPOT_RECORD);
    expect(handler.mock.calls[0]![1]).toBeNull();
  });

  it('keeps the page running while the URL changes within it (a record tab, a query string)', () => {
    navigate(`${HUBSPOT_RECORD}/view/2`);
    navigate(`${HUBSPOT_RECORD}/view/2?tab=activity`);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(signalOf(0).aborted).toBe(false);
  });

  it('leaves the page for another key, telling the next page the last URL of this one', () => {
    navigate(`${HUBSPOT_RECORD}/view/2`);
    navigate('https://app.hubspot.com/contacts/4242424/record/0-1/202');
    expect(signalOf(0).aborted).toBe(true);
    expect(handler).toHaveBeenCalledTimes(2);
    expect(handler.mock.calls[1]![0].href).toBe('https://app.hubspot.com/contacts/4242424/record/0-1/202');
    expect(handler.mock.calls[1]![1]?.href).toBe(`${HUBSPOT_RECORD}/view/2`);
    expect(signalOf(1).aborted).toBe(false);
  });

  it('notices a URL change without an event, on its fallback check', async () => {
    history.pushState(null, '', 'https://app.hubspot.com/contacts/4242424/record/0-1/202');
    expect(handler).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(handler).toHaveBeenCalledTimes(2);
    expect(signalOf(0).aborted).toBe(true);
  });

  it('aborts the page when the extension was reloaded under it, saying so, and then follows no navigation', () => {
    extensionReloaded();
    expect(signalOf(0).aborted).toBe(true);
    expect(signalOf(0).reason).toBe(EXTENSION_RELOADED);
    navigate('https://app.hubspot.com/contacts/4242424/record/0-1/102');
    vi.advanceTimersByTime(1000);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('keeps running when a script of the page forges WXT\'s "a newer content script started" event', () => {
    // WXT's own context ends on it; the CRM page's scripts share the document it is sent on.
    const forged = `${EXTENSION_ID}:crm:wxt:content-script-started`;
    document.dispatchEvent(new CustomEvent(forged, { detail: { contentScriptName: 'crm', messageId: 'forged' } }));
    vi.advanceTimersByTime(1000);
    expect(signalOf(0).aborted).toBe(false);
    navigate('https://app.hubspot.com/contacts/4242424/record/0-1/102');
    expect(handler).toHaveBeenCalledTimes(2);
  });
});

describe('pageKey', () => {
  it.each([
    ['a HubSpot record and its tabs', HUBSPOT_RECORD, `${HUBSPOT_RECORD}/view/2`],
    ['a HubSpot record and its query string', HUBSPOT_RECORD, `${HUBSPOT_RECORD}?tab=activity`],
    [
      'a Salesforce lead and its edit form',
      'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEEAV/view',
      'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEEAV/edit',
    ],
  ])('is the same for %s', (_, url, sameRecord) => {
    expect(pageKey(new URL(sameRecord))).toBe(pageKey(new URL(url)));
  });

  it.each([
    ['two HubSpot records', HUBSPOT_RECORD, 'https://app.hubspot.com/contacts/4242424/record/0-1/202'],
    [
      'two Salesforce list views',
      'https://acme.lightning.force.com/lightning/o/Lead/list?filterName=Recent',
      'https://acme.lightning.force.com/lightning/o/Lead/list?filterName=AllOpenLeads',
    ],
    ['two other pages', 'https://app.hubspot.com/reports/4242424', 'https://app.hubspot.com/reports/4242424#dashboards'],
  ])('differs between %s', (_, url, other) => {
    expect(pageKey(new URL(other))).not.toBe(pageKey(new URL(url)));
  });
});
