/**
 * How Connect and the admin's own checks settle the background check of a HubSpot connection
 * stored without its portal (page-access.test.ts has the pages' side): a Connect that learns the
 * portal tells CRM tabs, as their pages were answered as another portal's; one that could not
 * reach HubSpot replaces the back-off of an earlier check HubSpot answered without naming the
 * portal, so a later background check runs; and a background check that waited for the lock
 * behind a check that could not reach HubSpot sends HubSpot nothing more.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readConnection, writeConnection } from '../connections/connections';
import { generateDemoLeads } from '../crm/demo-data';
import { db } from '../db/db';
import { defaultBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../test/demo-crm/server';
import { storedLead } from '../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../test/web-locks';
import { syncStateKey } from '../sync/state';
import { PORTAL_RECHECK_AFTER_MS, learnPortalInBackground, syncHandlers } from './handlers/sync';
import { pageAccess } from './page-access';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

/** How many times the HubSpot connection's lock was asked for: once by each check and Connect. */
let connectionLocks = 0;

/** The demo CRM's portal, which the demo token reads. */
const PORTAL = '4242424';
const listPage = new URL(`https://app.hubspot.com/contacts/${PORTAL}/objects/0-1/views/all/list`);
const TOKEN = 'pat-na1-0123456789abcdef';

let testStartsAt = Date.now();
/** HubSpot answers nothing but 503 while set. */
let hubspotDown = false;
/** HubSpot answers each request once this settles (`hubspotHoldsAnswers`). */
let hubspotAnswers: Promise<void> = Promise.resolve();
let releaseHubspot = () => undefined as void;
/** Requests sent to HubSpot. */
let hubspotRequests = 0;
/** HubSpot refuses the account details (a token without their scope): it will not name the portal. */
let refuseAccountDetails = false;

/** As a LeadLens before portals were recorded stored it: no `account`. */
const connectionWithoutPortal = () => writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: TOKEN }, timeoutSeconds: 30 });
const connect = () => syncHandlers.connectCrm({ crm: 'hubspot', apiVersion: 'v3', token: TOKEN }, {});

/** HubSpot holds its answers until the returned function is called. */
function hubspotHoldsAnswers(): () => void {
  hubspotAnswers = new Promise((resolve) => (releaseHubspot = resolve));
  return releaseHubspot;
}

/** HubSpot answers 503 to every request, and the client's retries wait 0 s (full jitter may draw it). */
function takeHubspotDown() {
  hubspotDown = true;
  vi.spyOn(Math, 'random').mockReturnValue(0);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
}

/** Whether CRM tabs were told their badges' scores changed (they ask again). */
const tabsToldScoresChanged = () => vi.mocked(fakeBrowser.tabs.sendMessage).mock.calls.some(([tabId, message]) => tabId === 7 && (message as { type?: string }).type === 'scoresChanged');

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  stubWebLocks(); // a check and a Connect run under the connection's Web Lock
  connectionLocks = 0;
  const { request } = navigator.locks;
  navigator.locks.request = ((name: string, ...rest: unknown[]) => {
    if (name === 'leadlens-connection:hubspot') connectionLocks++;
    return (request as (...args: unknown[]) => Promise<unknown>)(name, ...rest);
  }) as LockManager['request'];
  // Later than any time a test before set: no back-off of the previous test's check holds.
  vi.useFakeTimers({ toFake: ['Date'] });
  testStartsAt += 10 * PORTAL_RECHECK_AFTER_MS;
  vi.setSystemTime(testStartsAt);
  hubspotDown = false;
  hubspotAnswers = Promise.resolve();
  hubspotRequests = 0;
  refuseAccountDetails = false;
  const handle = createDemoCrmHandler(generateDemoLeads({ count: 3, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), defaultBehaviour());
  const missingScope = { status: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'error', category: 'MISSING_SCOPES', message: 'This app lacks the required scope' }) };
  const answer = demoFetch((request) =>
    hubspotDown
      ? { status: 503, headers: {}, body: 'Service Unavailable' }
      : refuseAccountDetails && request.url.pathname.startsWith('/account-info/')
        ? missingScope
        : handle(request),
  );
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    hubspotRequests++;
    await hubspotAnswers;
    return answer(input, init);
  });
  // CRM tabs: one, with LeadLens's content script.
  fakeBrowser.tabs.query = vi.fn(async () => [{ id: 7 }]) as never;
  fakeBrowser.tabs.sendMessage = vi.fn(async () => undefined) as never;
  await Promise.all(db.tables.map((table) => table.clear()));
  // Leads synced from the demo portal, by a LeadLens that stored the connection without it.
  await db.settings.put({
    key: syncStateKey('hubspot'),
    value: { status: 'done', completedCursor: 1, job: null, lastRun: { synced: 1, finishedAt: 1, seconds: 3 }, error: null, errorKind: null, account: { id: PORTAL, name: 'Demo portal' } },
  });
  await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
});
afterEach(() => {
  // A test failing while HubSpot held its answers leaves no check running into the next.
  releaseHubspot();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('Connect after a check HubSpot answered without naming the portal', () => {
  beforeEach(async () => {
    refuseAccountDetails = true;
    await connectionWithoutPortal();
    expect((await pageAccess('hubspot', listPage)).connection).toBe('other-org');
    expect(connectionLocks).toBe(1);
  });

  it('tells CRM tabs once Connect learns the portal', async () => {
    expect(tabsToldScoresChanged()).toBe(false);
    // The admin gives the token the scope and connects again.
    refuseAccountDetails = false;
    const reply = await connect();
    expect(reply.ok && reply.status).toBe('connected');
    expect(await readConnection('hubspot')).toMatchObject({ account: { id: PORTAL } });
    expect(tabsToldScoresChanged()).toBe(true);
  });

  it('a later background check runs after a Connect that could not reach HubSpot', async () => {
    takeHubspotDown();
    const reply = await connect();
    expect(reply.ok && reply.status).toBe('error');
    // HubSpot is back and names the portal: the earlier check's "asking again gets the same answer" no longer holds.
    hubspotDown = false;
    refuseAccountDetails = false;
    vi.setSystemTime(Date.now() + PORTAL_RECHECK_AFTER_MS + 1000);
    expect((await pageAccess('hubspot', listPage)).connection).toBe('same-org');
    expect(connectionLocks).toBe(3);
  });
});

it('sends HubSpot nothing more for a background check that waited for the lock behind a check that could not reach HubSpot', async () => {
  await connectionWithoutPortal();
  takeHubspotDown();
  const release = hubspotHoldsAnswers();
  const tested = syncHandlers.testConnection({ crm: 'hubspot' }, {});
  await vi.waitFor(() => expect(hubspotRequests).toBe(1));
  // Start-up's check, asked for while Test connection holds the lock: nothing recorded yet says to wait.
  const background = learnPortalInBackground();
  await vi.waitFor(() => expect(connectionLocks).toBe(2));
  release();
  const reply = await tested;
  expect(reply.ok && reply.status).toBe('error');
  const requestsByTest = hubspotRequests;
  await background;
  expect(hubspotRequests).toBe(requestsByTest);
  expect(await readConnection('hubspot')).not.toHaveProperty('account');
});
