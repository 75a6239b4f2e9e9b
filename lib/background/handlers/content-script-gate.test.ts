import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, expect, it, vi } from 'vitest';
import { CONTENT_SCRIPT_MESSAGES, backgroundProtocol } from '../../messaging/protocol';
import { registerHandlers } from '../../messaging/rpc';
import { stubWebLocks } from '../../../test/web-locks';
import { backgroundHandlers } from './index';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const LEAD_PAGE = 'https://acme.lightning.force.com/lightning/r/Lead/00Q5g00000AAAAAAAA/view';
/** A content script's sender: a CRM tab. */
const crmTab = { id: fakeBrowser.runtime.id, url: LEAD_PAGE, tab: { id: 7, active: true, url: LEAD_PAGE } };
/** A web page whose address holds the extension's page address: no page of LeadLens's own. */
const lookalike = { id: fakeBrowser.runtime.id, url: `https://evil.example/${fakeBrowser.runtime.getURL('/options.html')}`, tab: { id: 8 } };

const send = (type: string, sender: object) =>
  new Promise<{ ok: boolean; error?: string }>((resolve) => void fakeBrowser.runtime.onMessage.trigger({ target: 'background', type, payload: {} }, sender as never, resolve));
const refusedForPages = (type: string) => ({ ok: false, error: `${type} is answered only for LeadLens's own pages` });

beforeEach(() => {
  fakeBrowser.reset();
  stubWebLocks();
  vi.stubGlobal('fetch', vi.fn(async (url: string) => Promise.reject(new Error(`no request expected: ${url}`))));
  registerHandlers(backgroundProtocol, 'background', backgroundHandlers, CONTENT_SCRIPT_MESSAGES);
});

it('answers a content script only its page’s scores and its visibility: every other message of the real protocol is refused', async () => {
  expect([...CONTENT_SCRIPT_MESSAGES].sort()).toEqual(['crmPageVisible', 'scoreLead', 'scoreLeadsById']);
  const answered: string[] = [];
  for (const type of Object.keys(backgroundProtocol)) {
    const reply = await send(type, crmTab);
    if (JSON.stringify(reply) !== JSON.stringify(refusedForPages(type))) answered.push(type);
  }
  expect(answered.sort()).toEqual([...CONTENT_SCRIPT_MESSAGES].sort());
  expect(fetch).not.toHaveBeenCalled();
});

it('takes no web page for one of LeadLens’s own because its address holds the extension’s', async () => {
  const pageOnly = Object.keys(backgroundProtocol).filter((type) => !(CONTENT_SCRIPT_MESSAGES as readonly string[]).includes(type));
  expect(pageOnly.length).toBeGreaterThan(10);
  for (const type of pageOnly) expect(await send(type, lookalike)).toEqual(refusedForPages(type));
});
