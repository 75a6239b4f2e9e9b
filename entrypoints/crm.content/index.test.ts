// @vitest-environment happy-dom
// @vitest-environment-options { "url": "https://app.hubspot.com/contacts/4242424/record/0-2/555" }
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { FeatureContext } from '@/lib/features/types';

/** The features, replaced by one that records what each run was told. */
const runs = vi.hoisted(() => [] as FeatureContext[]);
vi.mock('@/lib/features/registry', () => ({
  contentFeatures: [
    {
      id: 'recorder',
      runsOn: () => true,
      run: async (context: FeatureContext) => void runs.push(context),
    },
  ],
}));

/** The background's events to this tab, delivered by `tell`. */
const eventHandlers = vi.hoisted(() => new Map<string, () => void>());
vi.mock('@/lib/messaging/events', () => ({ onEvent: (type: string, handler: () => void) => eventHandlers.set(type, handler) }));
const tell = (type: string) => eventHandlers.get(type)!();
/** What the content script asks the background (features aside). */
const crmPageVisible = vi.hoisted(() => vi.fn(async () => ({ ok: true })));
vi.mock('@/lib/messaging/client', () => ({ background: { crmPageVisible } }));
const { EVERYTHING_PURGED } = await import('@/lib/presentation');

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

/** WXT's `defineContentScript` (auto-imported in the build) hands back its definition. */
vi.stubGlobal('defineContentScript', <T>(definition: T) => definition);
const { default: contentScript } = (await import('./index')) as unknown as {
  default: { main(): void };
};

const COMPANY = 'https://app.hubspot.com/contacts/4242424/record/0-2/555';
const CONTACT = 'https://app.hubspot.com/contacts/4242424/record/0-1/101';

const EXTENSION_ID = fakeBrowser.runtime.id;

beforeEach(() => {
  vi.useFakeTimers();
  crmPageVisible.mockClear();
  runs.length = 0;
  eventHandlers.clear();
  history.replaceState(null, '', COMPANY);
});
afterEach(() => {
  // The extension reloaded under the page, as the script's next check sees: what each test's run listens with goes.
  fakeBrowser.runtime.id = undefined as never;
  vi.advanceTimersByTime(500);
  fakeBrowser.runtime.id = EXTENSION_ID;
  vi.useRealTimers();
});

describe('the CRM content script', () => {
  it('tells a record page that the user came from a page no adapter recognises (not that it is the first page)', () => {
    contentScript.main();
    expect(runs).toEqual([]); // a company page: nothing to badge
    history.pushState(null, '', CONTACT);
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(runs).toHaveLength(1);
    expect(runs[0].match).toEqual({ kind: 'record', crm: 'hubspot', recordId: '101' });
    expect(runs[0].previousMatch).toEqual({ kind: 'other' });
  });

  it('ends the page’s features after "Purge everything", their badges saying why, and runs none again until the page reloads', () => {
    history.replaceState(null, '', CONTACT);
    contentScript.main();
    expect(runs).toHaveLength(1);
    tell('everythingPurged');
    expect(runs[0].signal.aborted).toBe(true);
    expect(runs[0].signal.reason).toBe(EVERYTHING_PURGED);
    // Another lead opened in the CRM: scoring it would store it again, just after the admin was told all was deleted.
    history.pushState(null, '', 'https://app.hubspot.com/contacts/4242424/record/0-1/102');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(runs).toHaveLength(1);
  });

  it('tells the first page that there was none', () => {
    history.replaceState(null, '', CONTACT);
    contentScript.main();
    expect(runs).toHaveLength(1);
    expect(runs[0].previousMatch).toBeNull();
  });
});

describe('the CRM content script, its page shown or hidden', () => {
  /** The page's visibility as the browser says it, and the event it fires. */
  function pageBecomes(state: DocumentVisibilityState) {
    Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }
  afterEach(() => Reflect.deleteProperty(document, 'visibilityState'));

  it('tells the background when its page becomes visible (the rep switched to its tab), whichever page of the CRM it shows, and not when it is hidden', () => {
    history.replaceState(null, '', CONTACT);
    contentScript.main();
    pageBecomes('hidden');
    expect(crmPageVisible).not.toHaveBeenCalled();
    pageBecomes('visible');
    expect(crmPageVisible.mock.calls).toEqual([[{}]]);
    // A list page is told as a record page is: one listener for the tab, not one per feature.
    history.pushState(null, '', 'https://app.hubspot.com/contacts/4242424/objects/0-1/views/all/list');
    pageBecomes('hidden');
    pageBecomes('visible');
    expect(crmPageVisible).toHaveBeenCalledTimes(2);
  });

  it('tells it once when a switch to its tab in a focused window both shows the page and focuses it, and again after the window lost focus', () => {
    history.replaceState(null, '', CONTACT);
    const focused = vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    contentScript.main();
    pageBecomes('hidden');
    pageBecomes('visible');
    window.dispatchEvent(new Event('focus'));
    expect(crmPageVisible).toHaveBeenCalledTimes(1);
    // The rep went to another window and came back: the tab is the one used last again.
    window.dispatchEvent(new Event('blur'));
    window.dispatchEvent(new Event('focus'));
    expect(crmPageVisible).toHaveBeenCalledTimes(2);
    focused.mockRestore();
  });

  it('tells the background when its window is focused with the page visible already (a CRM window beside another), not when the page lacks focus', () => {
    history.replaceState(null, '', CONTACT);
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    const focused = vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    contentScript.main();
    window.dispatchEvent(new Event('focus')); // dispatched by the page's own scripts, the window not focused
    expect(crmPageVisible).not.toHaveBeenCalled();
    focused.mockReturnValue(true);
    window.dispatchEvent(new Event('focus'));
    expect(crmPageVisible.mock.calls).toEqual([[{}]]);
    focused.mockRestore();
  });

  it('does not for a page no adapter recognises, nor for an event the page dispatches while hidden', () => {
    contentScript.main(); // a HubSpot company
    pageBecomes('visible');
    history.replaceState(null, '', CONTACT);
    pageBecomes('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    expect(crmPageVisible).not.toHaveBeenCalled();
  });
});
