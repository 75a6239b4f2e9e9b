import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { onEvent } from './events';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

let controller: AbortController;
beforeEach(() => {
  fakeBrowser.reset();
  controller = new AbortController();
});
afterEach(() => controller.abort());

const storedDataDeleted = { target: 'event', type: 'storedDataDeleted', payload: {} };

it('hears the background’s events, and drops one a content script sends', async () => {
  const heard: string[] = [];
  onEvent('storedDataDeleted', () => heard.push('deleted'), controller.signal);
  // From a CRM tab's content script: the sender has a tab.
  await fakeBrowser.runtime.onMessage.trigger(storedDataDeleted, { id: fakeBrowser.runtime.id, tab: { id: 3 } } as never, () => undefined);
  expect(heard).toEqual([]);
  // From the background: no tab.
  await fakeBrowser.runtime.onMessage.trigger(storedDataDeleted, { id: fakeBrowser.runtime.id } as never, () => undefined);
  expect(heard).toEqual(['deleted']);
});

it('drops a malformed payload', async () => {
  const heard: number[] = [];
  onEvent('openLeadChanged', ({ tabId }) => heard.push(tabId), controller.signal);
  await fakeBrowser.runtime.onMessage.trigger({ target: 'event', type: 'openLeadChanged', payload: { tabId: 'x' } }, {} as never, () => undefined);
  await fakeBrowser.runtime.onMessage.trigger({ target: 'event', type: 'openLeadChanged', payload: { tabId: 4 } }, {} as never, () => undefined);
  expect(heard).toEqual([4]);
});
