/**
 * A HubSpot connection stored with no portal recorded (by a LeadLens that did not record portals,
 * or one whose check HubSpot did not answer) is checked when a page of a portal asks, rather than
 * refusing the rep's own portal's lists and records as another portal's until a sync or a Test
 * connection: one check for the pages asking at once, and after one that could not tell, none for
 * a while (a list page asks as it scrolls).
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
import { PORTAL_RECHECK_AFTER_MS, pageAccess } from './page-access';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

/** How many times the HubSpot connection was checked: each check takes its connection lock once. */
let checks = 0;

/** The demo CRM's portal, which the demo token reads. */
const PORTAL = '4242424';
const listPage = (portal: string) => new URL(`https://app.hubspot.com/contacts/${portal}/objects/0-1/views/all/list`);

let testStartsAt = Date.now();
/** HubSpot answers nothing but 503 while set. */
let hubspotDown = false;

/** As a LeadLens before portals were recorded stored it: no `account`. */
const connectionWithoutPortal = () => writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-0123456789abcdef' }, timeoutSeconds: 30 });

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  stubWebLocks(); // a check runs under the connection's Web Lock
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
  const handle = createDemoCrmHandler(generateDemoLeads({ count: 3, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), defaultBehaviour());
  vi.stubGlobal(
    'fetch',
    demoFetch((request) => (hubspotDown ? { status: 503, headers: {}, body: 'Service Unavailable' } : handle(request))),
  );
  await Promise.all(db.tables.map((table) => table.clear()));
  // Leads synced by that LeadLens, whose sync state recorded no portal either.
  await db.settings.put({ key: syncStateKey('hubspot'), value: { status: 'done', completedCursor: 1, job: null, lastRun: { synced: 1, finishedAt: 1, seconds: 3 }, error: null, errorKind: null } });
  await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
});
afterEach(() => {
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

it('checks once for the pages that ask at the same time', async () => {
  await connectionWithoutPortal();
  const answers = await Promise.all([pageAccess('hubspot', listPage(PORTAL)), pageAccess('hubspot', listPage(PORTAL)), pageAccess('hubspot', listPage(PORTAL))]);
  expect(answers.map((access) => access.connection)).toEqual(['same-org', 'same-org', 'same-org']);
  expect(checks).toBe(1);
});

describe('when HubSpot does not answer the check', () => {
  beforeEach(() => {
    hubspotDown = true;
    vi.spyOn(Math, 'random').mockReturnValue(0); // the client's retries wait 0 s (full jitter may draw it)
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

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
