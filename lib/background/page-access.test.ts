/**
 * A HubSpot connection stored with no portal recorded (by a LeadLens that did not record portals,
 * or one whose check HubSpot did not answer) is checked when a page of a portal asks, rather than
 * refusing the rep's own portal's lists and records as another portal's until a sync or a Test
 * connection: one check for the pages asking at once, start-up and the automatic sync's alarm, a
 * page waiting for it a few seconds at most; after one that could not reach HubSpot, none for a
 * while (a list page asks as it scrolls, a worker may start every few minutes), and after one
 * HubSpot answered without naming the portal, none until the admin's own check. Nor while a purge
 * deletes the token. The portal learned is the synced leads' too: they serve its pages at once.
 * A Connect that learns the portal tells CRM tabs, as their pages were answered as another
 * portal's; one that could not reach HubSpot replaces the back-off of an earlier check HubSpot
 * answered without naming the portal, so a later background check runs; and a background check
 * that waited for the lock behind a check that could not reach HubSpot sends HubSpot nothing more.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readConnection } from '../connections/connections';
import { writeConnection } from '../../test/fixtures/stored-connection';
import type { CrmAccount } from '../crm/client';
import { generateDemoLeads } from '../crm/demo-data';
import { db } from '../db/db';
import { defaultBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../test/demo-crm/server';
import { storedLead } from '../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../test/web-locks';
import { AUTO_SYNC_ALARM } from '../sync/schedule';
import { syncStateKey } from '../sync/state';
import { handleAlarm } from './alarms';
import { syncHandlers } from './handlers/sync';
import { PORTAL_RECHECK_AFTER_MS, learnPortalInBackground } from './hubspot-portal';
import { KEEP_ALIVE_INTERVAL_MS } from './keep-alive';
import { PORTAL_CHECK_WAIT_MS, mayReadApi, pageAccess } from './page-access';
import { finishUnfinishedPurge } from './purge';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
// The automatic sync's alarm is here for the HubSpot check it runs first, not the syncs it starts after (which would outlive the test).
vi.mock('../sync/schedule', async (importOriginal) => ({ ...(await importOriginal<typeof import('../sync/schedule')>()), runAutoSync: vi.fn(async () => []) }));

/** How many times the HubSpot connection was checked: each check, Test connection and Connect takes its connection lock once. */
let checks = 0;

/** The demo CRM's portal, which the demo token reads. */
const PORTAL = '4242424';
const listPage = (portal: string) => new URL(`https://app.hubspot.com/contacts/${portal}/objects/0-1/views/all/list`);
const TOKEN = 'pat-na1-0123456789abcdef';

let testStartsAt = Date.now();
/** HubSpot answers nothing but 503 while set. */
let hubspotDown = false;
/** HubSpot answers each request once this settles (slow, or its answers held by a test: `hubspotHoldsAnswers`). */
let hubspotAnswers: Promise<void> = Promise.resolve();
let releaseHubspot = () => undefined as void;
/** Requests sent to HubSpot. */
let hubspotRequests = 0;
/** HubSpot refuses the account details (a token without their scope): it will not name the portal. */
let refuseAccountDetails = false;

/** As a LeadLens before portals were recorded stored it: no `account`. */
const connectionWithoutPortal = () => writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: TOKEN }, timeoutSeconds: 30 });
const connect = () => syncHandlers.connectCrm({ crm: 'hubspot', apiVersion: 'v3', token: TOKEN }, {});

/** HubSpot answers 503 to every request, and the client's retries wait 0 s (full jitter may draw it). */
function takeHubspotDown() {
  hubspotDown = true;
  vi.spyOn(Math, 'random').mockReturnValue(0);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
}

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  stubWebLocks(); // a check and a Connect run under the connection's Web Lock
  checks = 0;
  const { request } = navigator.locks;
  navigator.locks.request = ((name: string, ...rest: unknown[]) => {
    if (name === 'leadlens-connection:hubspot') checks++;
    return (request as (...args: unknown[]) => Promise<unknown>)(name, ...rest);
  }) as LockManager['request'];
  // Later than any time a test before set: the previous test's check is not the one pages share.
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
  // Leads synced by that LeadLens, whose sync state recorded no portal either.
  await db.settings.put({ key: syncStateKey('hubspot'), value: { status: 'done', completedCursor: 1, job: null, lastRun: { synced: 1, finishedAt: 1, seconds: 3 }, error: null, errorKind: null } });
  await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
});
afterEach(() => {
  // A test failing while HubSpot held its answers leaves no check running into the next.
  releaseHubspot();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

it('reads a page of the connection’s own portal as its own when the connection was stored without its portal', async () => {
  await connectionWithoutPortal();
  const access = await pageAccess('hubspot', listPage(PORTAL));
  expect(access.connection).toBe('same-org');
  expect(await readConnection('hubspot')).toMatchObject({ account: { id: PORTAL } });
  // Another portal's page is still another portal's.
  expect((await pageAccess('hubspot', listPage('777001'))).connection).toBe('other-org');
  expect(checks).toBe(1);
});

it('serves the leads that LeadLens synced to the pages of the portal start-up learns, before the next sync', async () => {
  await connectionWithoutPortal();
  await learnPortalInBackground();
  expect(await pageAccess('hubspot', listPage(PORTAL))).toMatchObject({ connection: 'same-org', synced: true });
  expect((await pageAccess('hubspot', listPage('777001'))).synced).toBe(false);
});

it('reads storage.local once for a page: the purge marker with the connection', async () => {
  await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: TOKEN }, timeoutSeconds: 30, account: { id: PORTAL, name: 'Demo portal' } });
  const reads = vi.spyOn(fakeBrowser.storage.local, 'get');
  expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('same-org');
  expect(reads).toHaveBeenCalledTimes(1);
});

it('checks once for the pages that ask at the same time', async () => {
  await connectionWithoutPortal();
  const answers = await Promise.all([pageAccess('hubspot', listPage(PORTAL)), pageAccess('hubspot', listPage(PORTAL)), pageAccess('hubspot', listPage(PORTAL))]);
  expect(answers.map((access) => access.connection)).toEqual(['same-org', 'same-org', 'same-org']);
  expect(checks).toBe(1);
});

describe('when HubSpot does not answer the check', () => {
  beforeEach(takeHubspotDown);

  it('answers the page as another portal’s, checks again for no page for a while, then does', async () => {
    await connectionWithoutPortal();
    expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('other-org');
    expect(checks).toBe(1);

    hubspotDown = false;
    vi.setSystemTime(Date.now() + PORTAL_RECHECK_AFTER_MS - 1000);
    expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('other-org');
    expect(checks).toBe(1);

    vi.setSystemTime(Date.now() + 1000);
    expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('same-org');
    expect(checks).toBe(2);
  });

  it('checks again for no page for a while though storage.session is too full to record that HubSpot did not answer', async () => {
    await connectionWithoutPortal();
    vi.spyOn(fakeBrowser.storage.session, 'set').mockRejectedValue(new Error('Session storage quota bytes exceeded'));
    for (let page = 0; page < 20; page++) expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('other-org');
    expect(checks).toBe(1);
  });

  it('checks again once the clock, fast when the check ended, is put right, not only once it catches up', async () => {
    await connectionWithoutPortal();
    const rightTime = Date.now();
    vi.setSystemTime(rightTime + 24 * 3_600_000);
    expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('other-org');
    expect(checks).toBe(1);

    // An hour later, with the clock right and HubSpot answering.
    hubspotDown = false;
    vi.setSystemTime(rightTime + 60 * 60_000);
    expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('same-org');
    expect(checks).toBe(2);
  });
});

it('checks nothing when the connection’s portal is known, or the page’s URL names no portal', async () => {
  await connectionWithoutPortal();
  expect((await pageAccess('hubspot', new URL('https://app.hubspot.com/'))).account).toBeNull();
  expect(checks).toBe(0);
  await pageAccess('hubspot', listPage(PORTAL));
  expect(checks).toBe(1);
  vi.setSystemTime(Date.now() + PORTAL_RECHECK_AFTER_MS);
  expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('same-org');
  expect(checks).toBe(1);
});

describe('when a "Purge everything" was cut short (the browser closed mid-way)', () => {
  beforeEach(async () => {
    await fakeBrowser.storage.local.set({ 'purge-pending': true });
    fakeBrowser.permissions.getAll = vi.fn(async () => ({ origins: [] })) as never;
    fakeBrowser.permissions.remove = vi.fn(async () => true) as never;
    fakeBrowser.runtime.sendMessage = vi.fn(async () => undefined) as never;
  });

  it('sends HubSpot nothing with the token being deleted for a page asking while start-up finishes the purge', async () => {
    await connectionWithoutPortal();
    await Promise.all([finishUnfinishedPurge(), pageAccess('hubspot', listPage(PORTAL))]);
    expect(hubspotRequests).toBe(0);
    expect(await readConnection('hubspot')).toBeNull();
  });

  it('checks no portal before start-up has finished the purge', async () => {
    await connectionWithoutPortal();
    await learnPortalInBackground();
    expect(checks).toBe(0);
    expect(hubspotRequests).toBe(0);
  });

  it('reads no record of a page of the connection’s portal through it', async () => {
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: TOKEN }, timeoutSeconds: 30, account: { id: PORTAL, name: 'Demo portal' } });
    expect(mayReadApi(await pageAccess('hubspot', listPage(PORTAL)))).toBe(false);
  });
});

/** Whether CRM tabs were told their HubSpot badges' scores changed (they ask again; Salesforce's need not). */
const tabsToldScoresChanged = () =>
  vi.mocked(fakeBrowser.tabs.sendMessage).mock.calls.some(([tabId, message]) => {
    const event = message as { type?: string; payload?: { crm?: string } };
    return tabId === 7 && event.type === 'scoresChanged' && event.payload?.crm === 'hubspot';
  });

/** HubSpot holds its answers until the returned function is called. */
function hubspotHoldsAnswers(): () => void {
  hubspotAnswers = new Promise((resolve) => (releaseHubspot = resolve));
  return releaseHubspot;
}

it('answers a page from what is stored when the check outlasts PORTAL_CHECK_WAIT_MS, and tells CRM tabs once the check learns the portal', async () => {
  await connectionWithoutPortal();
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: Date.now() });
  const release = hubspotHoldsAnswers();
  let answered: string | null = null;
  void pageAccess('hubspot', listPage(PORTAL)).then((access) => (answered = access.connection));
  await vi.waitFor(() => expect(hubspotRequests).toBe(1));
  await vi.advanceTimersByTimeAsync(PORTAL_CHECK_WAIT_MS);
  await vi.waitFor(() => expect(answered).toBe('other-org'));
  expect(tabsToldScoresChanged()).toBe(false);

  release();
  // The check the page asked for goes on, and is the one shared: no second check.
  await learnPortalInBackground();
  expect(await readConnection('hubspot')).toMatchObject({ account: { id: PORTAL } });
  expect(tabsToldScoresChanged()).toBe(true);
  expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('same-org');
  expect(checks).toBe(1);
});

it('shares start-up’s check with the pages asking meanwhile', async () => {
  await connectionWithoutPortal();
  const startUpCheck = learnPortalInBackground();
  const page = pageAccess('hubspot', listPage(PORTAL));
  await startUpCheck;
  expect((await page).connection).toBe('same-org');
  expect(checks).toBe(1);
});

it('keeps the worker alive while the check runs (up to a minute of HubSpot requests, no extension call), not after', async () => {
  await connectionWithoutPortal();
  const idleResets = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
  fakeBrowser.runtime.getPlatformInfo = idleResets;
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'], now: Date.now() });
  const release = hubspotHoldsAnswers();
  const check = learnPortalInBackground();
  await vi.waitFor(() => expect(hubspotRequests).toBe(1));
  await vi.advanceTimersByTimeAsync(KEEP_ALIVE_INTERVAL_MS * 3);
  expect(idleResets).toHaveBeenCalledTimes(3);
  release();
  await check;
  await vi.advanceTimersByTimeAsync(KEEP_ALIVE_INTERVAL_MS * 3);
  expect(idleResets).toHaveBeenCalledTimes(3);
});

it('answers Test connection though storage.session is too full to record that HubSpot did not answer', async () => {
  hubspotDown = true;
  vi.spyOn(Math, 'random').mockReturnValue(0);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  await connectionWithoutPortal();
  vi.spyOn(fakeBrowser.storage.session, 'set').mockRejectedValue(new Error('Session storage quota bytes exceeded'));
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, {});
  expect(tested).toEqual({ ok: true, crm: 'hubspot', status: 'error', host: 'api.hubapi.com', message: 'HubSpot read contacts failed 6 times; last: HTTP 503' });
  expect(warn).toHaveBeenCalledWith('LeadLens: recording the HubSpot portal check failed', expect.objectContaining({ message: 'Session storage quota bytes exceeded' }));
});

it('sends HubSpot nothing more for a background check that waited for the lock behind a check that could not reach HubSpot', async () => {
  await connectionWithoutPortal();
  takeHubspotDown();
  const release = hubspotHoldsAnswers();
  const tested = syncHandlers.testConnection({ crm: 'hubspot' }, {});
  await vi.waitFor(() => expect(hubspotRequests).toBe(1));
  // Start-up's check, asked for while Test connection holds the lock: nothing recorded yet says to wait.
  const background = learnPortalInBackground();
  await vi.waitFor(() => expect(checks).toBe(2));
  release();
  const reply = await tested;
  expect(reply.ok && reply.status).toBe('error');
  const requestsByTest = hubspotRequests;
  await background;
  expect(hubspotRequests).toBe(requestsByTest);
  expect(await readConnection('hubspot')).not.toHaveProperty('account');
});

describe('when HubSpot does not answer the check at start-up', () => {
  beforeEach(takeHubspotDown);

  it('sends HubSpot nothing more for the automatic sync’s alarm firing during that check: the alarm shares it', async () => {
    await connectionWithoutPortal();
    const release = hubspotHoldsAnswers();
    const startUpCheck = learnPortalInBackground();
    await vi.waitFor(() => expect(hubspotRequests).toBe(1));
    const alarm = handleAlarm(AUTO_SYNC_ALARM);
    release();
    await startUpCheck;
    const requestsByStartUp = hubspotRequests;
    await alarm;
    expect(hubspotRequests).toBe(requestsByStartUp);
    expect(checks).toBe(1);
  });

  it('sends HubSpot nothing for the automatic sync’s alarm until PORTAL_RECHECK_AFTER_MS have passed', async () => {
    await connectionWithoutPortal();
    await learnPortalInBackground();
    const requestsByStartUp = hubspotRequests;
    hubspotDown = false;
    vi.setSystemTime(Date.now() + PORTAL_RECHECK_AFTER_MS - 1000);
    await handleAlarm(AUTO_SYNC_ALARM);
    expect(hubspotRequests).toBe(requestsByStartUp);
    expect(checks).toBe(1);
  });

  it('checks again at no worker start, and for no page, until PORTAL_RECHECK_AFTER_MS have passed', async () => {
    await connectionWithoutPortal();
    await learnPortalInBackground();
    expect(checks).toBe(1);
    // The worker stops after idling; a page or an alarm starts a new one, with nothing in memory.
    vi.resetModules();
    const restarted = await import('./hubspot-portal');
    const restartedPageAccess = (await import('./page-access')).pageAccess;
    hubspotDown = false;
    vi.setSystemTime(Date.now() + PORTAL_RECHECK_AFTER_MS - 1000);
    await restarted.learnPortalInBackground();
    expect((await restartedPageAccess('hubspot', listPage(PORTAL))).connection).toBe('other-org');
    expect(checks).toBe(1);

    vi.setSystemTime(Date.now() + 1000);
    await restarted.learnPortalInBackground();
    expect(checks).toBe(2);
    expect((await restartedPageAccess('hubspot', listPage(PORTAL))).connection).toBe('same-org');
  });
});

describe('when HubSpot answers the check without naming the portal, and leads synced from a named one are stored', () => {
  const SYNCED_FROM: CrmAccount = { id: PORTAL, name: 'Demo portal' };

  beforeEach(async () => {
    refuseAccountDetails = true;
    const state = (await db.settings.get(syncStateKey('hubspot')))!.value as object;
    await db.settings.put({ key: syncStateKey('hubspot'), value: { ...state, account: SYNCED_FROM } });
  });

  it('checks no more for pages or worker starts, until the admin’s own check tells the portal', async () => {
    await connectionWithoutPortal();
    expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('other-org');
    expect(checks).toBe(1);
    const stored = await readConnection('hubspot');
    expect(stored?.crm === 'hubspot' && stored.account).toBeUndefined();

    vi.setSystemTime(Date.now() + 2 * PORTAL_RECHECK_AFTER_MS);
    await learnPortalInBackground();
    expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('other-org');
    expect(checks).toBe(1);
    expect(tabsToldScoresChanged()).toBe(false);

    // The admin gives the token the scope and presses Test connection.
    refuseAccountDetails = false;
    const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, {});
    expect(tested.ok && tested.status).toBe('connected');
    expect(checks).toBe(2);
    expect(tabsToldScoresChanged()).toBe(true);
    expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('same-org');
  });

  describe('Connect after a check HubSpot answered without naming the portal', () => {
    beforeEach(async () => {
      await connectionWithoutPortal();
      expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('other-org');
      expect(checks).toBe(1);
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
      expect((await pageAccess('hubspot', listPage(PORTAL))).connection).toBe('same-org');
      expect(checks).toBe(3);
    });
  });
});
