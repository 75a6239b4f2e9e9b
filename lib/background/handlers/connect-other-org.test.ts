/**
 * Connecting a CRM to another org or portal (Salesforce production after a sandbox, a HubSpot
 * token of another portal): the leads synced from the previous one, their scores and its sync
 * checkpoint go; demo and CSV leads stay; the admin is told. Reconnecting to the same org or
 * portal keeps everything, and so does a portal that cannot be told.
 */
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import Dexie from 'dexie';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { generateDemoLeads } from '../../crm/demo-data';
import { readConnection, readStatus } from '../../connections/connections';
import { writeConnection } from '../../../test/fixtures/stored-connection';
import { accountOf } from '../../connections/schema';
import { db } from '../../db/db';
import { INITIAL_SYNC_STATE, syncStateKey } from '../../sync/state';
import { expectSummariesInStep } from '../../../test/fixtures/lead-summaries';
import { salesforceOAuthConnection } from '../../../test/fixtures/salesforce-oauth-connection';
import { storedLead } from '../../../test/fixtures/stored-lead';
import { WAYS_PAST_AN_UNNAMED_PORTAL, dexieSyncStore } from '../../sync/store';
import { defaultBehaviour } from '../../../test/demo-crm/behaviour';
import { demoFetch } from '../../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../../test/demo-crm/server';
import { stubWebLocks } from '../../../test/web-locks';
import { purgeEverything } from '../purge';
import { learnPortalIfUnknown } from '../hubspot-portal';
import { syncHandlers } from './sync';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const sender = {} as Browser.runtime.MessageSender;
const SANDBOX = 'acme--uat.sandbox.my.salesforce.com';
const PRODUCTION = 'acme.my.salesforce.com';

const connectHubSpot = (token: string) => syncHandlers.connectCrm({ crm: 'hubspot', apiVersion: 'v3', token }, sender);
const connectSalesforce = (host: string, options: { oauthClientId?: string } = {}) => syncHandlers.connectCrm({ crm: 'salesforce', host, apiVersion: '67.0', ...options }, sender);

/** Salesforce connected with its session at `host`, and one lead synced from it. */
async function connectSalesforceWithASyncedLead(host: string) {
  await connectSalesforce(host);
  await db.putLeads([storedLead({ source: 'salesforce', id: '00QA', origin: 'sync' })]);
}

/**
 * Free locks, as the beforeEach stubs them. `request` takes both forms, with and without options:
 * a job of an earlier test still ending (its watchdog asks `request(name, task)`) meets these.
 */
const freeLocks = {
  query: async () => ({ held: [], pending: [] }),
  request: async (_name: string, optionsOrTask: unknown, task?: () => unknown) => (typeof optionsOrTask === 'function' ? optionsOrTask() : task!()),
};

/**
 * The demo org's OAuth sign-in redirecting to the extension, and its grants watched: the refresh
 * tokens its token endpoint issues, and those revoked.
 */
function watchSalesforceGrants(): { issued: string[]; revoked: string[] } {
  const demo = globalThis.fetch;
  const issued: string[] = [];
  const revoked: string[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await demo(input, init);
    const path = new URL(String(input)).pathname;
    if (path === '/services/oauth2/token') issued.push(((await response.clone().json()) as { refresh_token?: string }).refresh_token ?? '');
    if (path === '/services/oauth2/revoke') revoked.push(new URLSearchParams(String(init?.body)).get('token') ?? '');
    return response;
  });
  fakeBrowser.identity.getRedirectURL = () => 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
  return { issued, revoked };
}

/** A job of the previous connection does not stop: its locks stay held, and waiting for them times out (the connect's own lock is free). */
function jobsDoNotStop() {
  const timedOut = () => Promise.reject(new DOMException('timed out', 'TimeoutError'));
  const request = async (name: string, options: LockOptions, task: (lock: Lock | null) => unknown) =>
    name.startsWith('leadlens-connection:') ? task({ name } as Lock) : options.ifAvailable ? task(null) : timedOut();
  vi.stubGlobal('navigator', { locks: { ...freeLocks, request } });
}

let behaviour = defaultBehaviour();
let refuseAccountDetails = false;
/** HubSpot answers nothing but 503 (down for maintenance). */
let hubspotDown = false;

/**
 * HubSpot goes down (see `hubspotDown`) until the returned function brings it back. A check then
 * fails after its 6 attempts, the waits between them drawn at random (full jitter) up to 0.5, 1,
 * 2, 4 and 8 s: drawn at 0 here, as they may be, so the check fails as it would, without some 8 s
 * of real time.
 */
function hubspotGoesDown(): () => void {
  hubspotDown = true;
  const noWaits = vi.spyOn(Math, 'random').mockReturnValue(0);
  onTestFinished(() => noWaits.mockRestore());
  return () => {
    hubspotDown = false;
    noWaits.mockRestore();
  };
}

/** The HubSpot token was revoked in HubSpot: a test finds it refused, and the connection needs reconnecting. */
async function tokenRevoked(token: string) {
  behaviour.revokedTokens.add(token);
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.status).toBe('reconnect');
}

/** The admin took the HubSpot site access back (and gives it no more): a test finds the connection not working. */
async function siteAccessTakenBack() {
  fakeBrowser.permissions.contains = vi.fn(async () => false);
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.status).toBe('error');
}

/** The browser holds a Salesforce session at these hosts only. */
function sessionsOnlyAt(...hosts: string[]) {
  fakeBrowser.cookies.get = vi.fn(async ({ url, name }: { url: string; name: string }) =>
    name === 'sid' && hosts.some((host) => url === `https://${host}/`) ? { value: '00D5g000004Demo!ARsession' } : null,
  ) as never;
}

/** The admin logged out of Salesforce: a test finds the session connection needing reconnecting. */
async function loggedOutOfSalesforce() {
  sessionsOnlyAt();
  const tested = await syncHandlers.testConnection({ crm: 'salesforce' }, sender);
  expect(tested.ok && tested.status).toBe('reconnect');
}

/** Logged out of Salesforce, the admin connects a mistyped host of the org: the browser holds no session there, only at PRODUCTION. */
async function connectMistypedHost(host: string) {
  await loggedOutOfSalesforce();
  sessionsOnlyAt(PRODUCTION);
  return connectSalesforce(host);
}

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  fakeBrowser.permissions.remove = vi.fn(async () => true);
  fakeBrowser.cookies.get = vi.fn(async ({ name }: { name: string }) => (name === 'sid' ? { value: '00D5g000004Demo!ARsession' } : null)) as never;
  // Node has no Web Locks: no job runs here, so every lock is free.
  vi.stubGlobal('navigator', { locks: freeLocks });
  behaviour = defaultBehaviour();
  refuseAccountDetails = false;
  hubspotDown = false;
  const handle = createDemoCrmHandler(generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), behaviour);
  // HubSpot's answer to a token without the scope its account details need.
  const missingScope = { status: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'error', category: 'MISSING_SCOPES', message: 'This app lacks the required scope' }) };
  const down = { status: 503, headers: {}, body: 'Service Unavailable' };
  vi.stubGlobal(
    'fetch',
    demoFetch((request) => (hubspotDown ? down : refuseAccountDetails && request.url.pathname.startsWith('/account-info/') ? missingScope : handle(request))),
  );
  await Promise.all(db.tables.map((table) => table.clear()));
});

it('forgets whom the leads were synced as when the admin connects the same org again: the next sync records the user the new credentials sign in as', async () => {
  await connectSalesforce(PRODUCTION);
  const syncedAs = { id: '0055g00000DemoUAAA', name: 'Avery Lindqvist', username: 'avery@example.com' };
  await db.settings.put({ key: syncStateKey('salesforce'), value: { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: 5, account: { id: PRODUCTION, name: PRODUCTION }, syncedAs } });
  expect((await dexieSyncStore(db).readState('salesforce')).syncedAs).toEqual(syncedAs);
  const reply = await connectSalesforce(PRODUCTION);
  if (!reply.ok) throw new Error(reply.error);
  const state = await dexieSyncStore(db).readState('salesforce');
  expect(state.syncedAs).toBeUndefined();
  // The rest of the state, the checkpoint included, stays: the same org's leads.
  expect(state.completedCursor).toBe(5);
});

it('forgets the previous org’s synced leads, their scores and its checkpoint, and says so', async () => {
  await connectSalesforce(SANDBOX);
  await db.putLeads([
    storedLead({ source: 'salesforce', id: '00QA', origin: 'sync' }),
    storedLead({ source: 'salesforce', id: '00QB', origin: 'sync' }),
    storedLead({ source: 'salesforce', id: '00QD', origin: 'demo' }),
  ]);
  await db.leadScores.put({ key: 'm|salesforce|00QA', leadKey: 'salesforce|00QA', modelId: 'm', probability: 0.3, score: 80, tier: 'hot', topReason: '', scoredAt: 0 });
  await dexieSyncStore(db).writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: 1_800_000_000_000 });

  const reply = await connectSalesforce(PRODUCTION);
  if (!reply.ok) throw new Error(reply.error);
  expect(reply.status).toBe('connected');
  expect(reply.message).toMatch(new RegExp(`2 leads synced from ${SANDBOX.replace(/\./g, '\\.')} were removed: sync to read this org's$`));
  expect((await db.leads.toArray()).map((stored) => stored.key)).toEqual(['salesforce|00QD']);
  await expectSummariesInStep(db);
  expect(await db.leadScores.count()).toBe(0);
  expect(await dexieSyncStore(db).readState('salesforce')).toEqual(INITIAL_SYNC_STATE);
  expect(fakeBrowser.permissions.remove).toHaveBeenCalledWith({ origins: [`https://${SANDBOX}/*`] });
  // The status the Connections section shows says it too.
  const status = await syncHandlers.connectionStatus({}, sender);
  expect(status.ok && status.connections.find((c) => c.crm === 'salesforce')?.message).toContain('were removed');
});

it('keeps everything when the same org is connected again', async () => {
  await connectSalesforceWithASyncedLead(PRODUCTION);
  const reply = await connectSalesforce(PRODUCTION);
  expect(reply.ok && reply.message).not.toContain('removed');
  expect(await db.leads.count()).toBe(1);
});

it('forgets the previous portal’s contacts when a HubSpot token of another portal is connected, and keeps the site access', async () => {
  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  await connectHubSpot('pat-na1-portal-a');
  await db.putLeads([
    storedLead({ source: 'hubspot', id: '101', origin: 'sync' }),
    storedLead({ source: 'hubspot', id: '102', origin: 'sync' }),
    storedLead({ source: 'salesforce', id: '00QA', origin: 'sync' }),
  ]);
  await dexieSyncStore(db).writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: 1_800_000_000_000 });

  const reply = await connectHubSpot('pat-na1-portal-b');
  if (!reply.ok) throw new Error(reply.error);
  expect(reply.status).toBe('connected');
  expect(reply.message).toBe('Connected to HubSpot at api.hubapi.com: contacts of HubSpot portal 777001 readable. 2 leads synced from HubSpot portal 4242424 were removed: sync to read this portal\'s');
  // Salesforce's leads are another CRM's: they stay.
  expect((await db.leads.toArray()).map((stored) => stored.key)).toEqual(['salesforce|00QA']);
  // The checkpoint went; what is left is the new token, as its SHA-256, and the portal it reads.
  expect(await dexieSyncStore(db).readState('hubspot')).toEqual({ ...INITIAL_SYNC_STATE, portalToken: { portalId: '777001', sha256: sha256('pat-na1-portal-b') } });
  // Both portals are read through api.hubapi.com: its access stays.
  expect(fakeBrowser.permissions.remove).not.toHaveBeenCalled();
});

it('keeps the contacts when a new token of the same portal is connected (a rotated token)', async () => {
  await connectHubSpot('pat-na1-old');
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  const reply = await connectHubSpot('pat-na1-rotated');
  expect(reply.ok && reply.message).toBe('Connected to HubSpot at api.hubapi.com: contacts of HubSpot portal 4242424 readable');
  expect(await db.leads.count()).toBe(1);
});

it('keeps the contacts when the previous portal is unknown (stored before portals were recorded, or its check failed)', async () => {
  fakeBrowser.permissions.contains = vi.fn(async () => false);
  await connectHubSpot('pat-na1-portal-a');
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  const reply = await connectHubSpot('pat-na1-portal-b');
  expect(reply.ok && reply.message).not.toContain('removed');
  expect(await db.leads.count()).toBe(1);
});

it('learns the portal when the stored connection is tested: a token of another portal then forgets its contacts', async () => {
  fakeBrowser.permissions.contains = vi.fn(async () => false);
  await connectHubSpot('pat-na1-portal-a');
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.status).toBe('connected');
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);

  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  const other = await connectHubSpot('pat-na1-portal-b');
  expect(other.ok && other.message).toMatch(/\. 1 lead synced from HubSpot portal 4242424 was removed: sync to read this portal's$/);
  expect(await db.leads.count()).toBe(0);
});

it('keeps the previous connection when its leads could not be forgotten (a job did not stop), so connecting again forgets them', async () => {
  await connectSalesforceWithASyncedLead(SANDBOX);
  jobsDoNotStop();
  await expect(connectSalesforce(PRODUCTION)).rejects.toThrow(/did not stop .* the previous leads were kept: try again/);
  expect((await readConnection('salesforce'))?.crm === 'salesforce' && (await readConnection('salesforce'))).toMatchObject({ host: SANDBOX });
  expect(await db.leads.count()).toBe(1);

  vi.stubGlobal('navigator', { locks: freeLocks });
  const retried = await connectSalesforce(PRODUCTION);
  expect(retried.ok && retried.message).toContain(`1 lead synced from ${SANDBOX} was removed`);
  expect(await db.leads.count()).toBe(0);
});

it('ends the grant of a new OAuth sign-in that is not kept (the previous connection’s job did not stop)', async () => {
  await connectSalesforceWithASyncedLead(SANDBOX);
  // The demo org's sign-in, followed as the browser's window would.
  const { issued, revoked } = watchSalesforceGrants();
  fakeBrowser.identity.launchWebAuthFlow = vi.fn(async ({ url }: { url: string }) => (await fetch(url, { redirect: 'manual' })).headers.get('location')!) as never;
  jobsDoNotStop();

  await expect(connectSalesforce(PRODUCTION, { oauthClientId: '3MVG9LeadLensDemoClientId' })).rejects.toThrow(/did not stop/);
  expect(issued).toHaveLength(1);
  expect(revoked).toEqual(issued);
  expect(await readConnection('salesforce')).toMatchObject({ host: SANDBOX, auth: { kind: 'session' } });
});

it('remembers the portal the contacts came from through a failed connect in place of a connection that did not work: the right token of another portal then forgets them', async () => {
  await connectHubSpot('pat-na1-portal-a');
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  await tokenRevoked('pat-na1-portal-a');
  behaviour.revokedTokens.add('pat-na1-mistyped');
  const mistyped = await connectHubSpot('pat-na1-mistyped');
  expect(mistyped.ok && mistyped.status).toBe('reconnect');
  expect(await db.leads.count()).toBe(1);

  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  const right = await connectHubSpot('pat-na1-portal-b');
  expect(right.ok && right.message).toContain('1 lead synced from HubSpot portal 4242424 was removed');
  expect(await db.leads.count()).toBe(0);
});

describe('a connect whose check fails while the connection works (a mistyped token or host, or the CRM unreachable)', () => {
  const KEPT = 'It was not stored: the previous connection, working when last checked, is kept';
  /** What a check says of a token HubSpot refuses (the demo answers an expired one): what to do, then what HubSpot said, for support. */
  const HUBSPOT_TOKEN_REFUSED =
    'HubSpot did not accept the access token: paste a current access token of your private app (or service key), then Reconnect (HTTP 401 EXPIRED_AUTHENTICATION: The OAuth token used to make this call expired 2 minute(s) ago.)';
  /** What a check says of a Salesforce host the browser holds no session for, though it answers as an org: the login to make, or the host to correct. */
  const notLoggedIn = (host: string) =>
    `No Salesforce session for ${host} in this browser: log in to Salesforce in this browser, then Reconnect. If you are logged in already, ${host} is not your org's My Domain: connect with the one Salesforce Setup › My Domain shows`;
  const NEW_TOKEN = 'pat-na1-new-token';

  /** What must stay as it was: the connection, its status, the CRM's leads and sync state. */
  async function kept(crm: 'salesforce' | 'hubspot') {
    return { connection: await readConnection(crm), status: await readStatus(crm), leads: await db.leads.toArray(), state: await dexieSyncStore(db).readState(crm) };
  }

  it.each([
    ['refuses the token', () => void behaviour.revokedTokens.add(NEW_TOKEN), HUBSPOT_TOKEN_REFUSED],
    ['is down', () => void hubspotGoesDown(), 'HubSpot read contacts failed 6 times; last: HTTP 503'],
  ])('keeps the working HubSpot connection, its status and contacts, and says so, when HubSpot %s', async (_, fails, said) => {
    // Another portal's, as HubSpot would say: its check would forget the contacts.
    behaviour.tokenPortals.set(NEW_TOKEN, '777001');
    await connectHubSpot('pat-na1-portal-a');
    await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' }), storedLead({ source: 'hubspot', id: '102', origin: 'sync' })]);
    await dexieSyncStore(db).writeState('hubspot', { ...(await dexieSyncStore(db).readState('hubspot')), status: 'done', completedCursor: 1_800_000_000_000 });
    const before = await kept('hubspot');
    expect(before.status.status).toBe('connected');
    fails();

    const reply = await connectHubSpot(NEW_TOKEN);
    expect(reply).toEqual({ ok: false, error: `The new HubSpot token failed its check: ${said}. ${KEPT}` });
    expect(await kept('hubspot')).toEqual(before);
    // Its one API host is the kept connection's: its access stays.
    expect(fakeBrowser.permissions.remove).not.toHaveBeenCalled();
  });

  it.each([
    ['no session there (a mistyped host)', () => sessionsOnlyAt(PRODUCTION), notLoggedIn],
    [
      'the host unreachable',
      (host: string) => {
        sessionsOnlyAt(PRODUCTION, host);
        const answer = globalThis.fetch;
        vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => (new URL(String(input)).hostname === host ? Promise.reject(new TypeError('Failed to fetch')) : answer(input, init)));
        const noWaits = vi.spyOn(Math, 'random').mockReturnValue(0); // the check's retries, without their waits
        onTestFinished(() => noWaits.mockRestore());
      },
      (host: string) => `Salesforce list API versions failed 6 times; last: could not reach https://${host} (TypeError)`,
    ],
  ])('keeps the working Salesforce connection, its status and leads, and says so, for a new host with %s; the access asked for that host goes back', async (_, fails, said) => {
    const MISTYPED = 'acmee.my.salesforce.com';
    await connectSalesforceWithASyncedLead(PRODUCTION);
    await dexieSyncStore(db).writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: 1_800_000_000_000, account: { id: PRODUCTION, name: PRODUCTION } });
    const before = await kept('salesforce');
    expect(before.status.status).toBe('connected');
    fails(MISTYPED);

    const reply = await connectSalesforce(MISTYPED);
    expect(reply).toEqual({ ok: false, error: `The new Salesforce connection to ${MISTYPED} failed its check: ${said(MISTYPED)}. ${KEPT}` });
    expect(await kept('salesforce')).toEqual(before);
    expect(vi.mocked(fakeBrowser.permissions.remove).mock.calls).toEqual([[{ origins: [`https://${MISTYPED}/*`] }]]);
  });

  it('keeps a working OAuth connection through a session connect to its org that finds no session, and its grant and site access with it', async () => {
    const oauth = salesforceOAuthConnection({ accessToken: 'AT', refreshToken: '5Aep-kept' });
    await writeConnection(oauth);
    const answer = globalThis.fetch;
    const paths: string[] = [];
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => (paths.push(new URL(String(input)).pathname), answer(input, init)));
    sessionsOnlyAt();
    const reply = await connectSalesforce(PRODUCTION);
    expect(reply).toEqual({ ok: false, error: `The new Salesforce connection to ${PRODUCTION} failed its check: ${notLoggedIn(PRODUCTION)}. ${KEPT}` });
    expect(await readConnection('salesforce')).toEqual(oauth);
    expect(paths).not.toContain('/services/oauth2/revoke');
    expect(fakeBrowser.permissions.remove).not.toHaveBeenCalled();
  });

  it.each([
    ['none', async () => undefined],
    ['one needing reconnecting', async () => {
      await connectHubSpot('pat-na1-portal-a');
      await tokenRevoked('pat-na1-portal-a');
    }],
  ])('stores a token whose check HubSpot refuses when no connection worked before (%s), to be tested again once fixed', async (_, before) => {
    await before();
    behaviour.revokedTokens.add('pat-na1-mistyped');
    const reply = await connectHubSpot('pat-na1-mistyped');
    expect(reply).toMatchObject({ ok: true, status: 'reconnect', message: HUBSPOT_TOKEN_REFUSED });
    expect(await readConnection('hubspot')).toMatchObject({ auth: { token: 'pat-na1-mistyped' } });
    expect(await readStatus('hubspot')).toMatchObject({ status: 'reconnect' });
  });

  it('takes the same credentials connected again as a check of the stored connection, not as a new one refused: its status says what the check found', async () => {
    await connectHubSpot('pat-na1-portal-a');
    // Revoked in HubSpot, and no sync or test since: the stored status still says connected.
    behaviour.revokedTokens.add('pat-na1-portal-a');
    const hubspot = await connectHubSpot('pat-na1-portal-a');
    expect(hubspot).toMatchObject({ ok: true, status: 'reconnect', message: HUBSPOT_TOKEN_REFUSED });
    expect(await readStatus('hubspot')).toMatchObject({ status: 'reconnect' });

    await connectSalesforce(PRODUCTION);
    // Logged out of Salesforce since: Connect pressed again for the same host and version.
    sessionsOnlyAt();
    const salesforce = await connectSalesforce(PRODUCTION);
    expect(salesforce).toMatchObject({ ok: true, status: 'reconnect' });
    expect(await readStatus('salesforce')).toMatchObject({ status: 'reconnect' });
  });
});

describe('after a disconnect', () => {
  it('still forgets the leads of an org when another org is connected', async () => {
    await connectSalesforceWithASyncedLead(SANDBOX);
    await dexieSyncStore(db).writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: 1_800_000_000_000 });
    await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);

    const reply = await connectSalesforce(PRODUCTION);
    expect(reply.ok && reply.message).toContain(`1 lead synced from ${SANDBOX} was removed`);
    expect(await db.leads.count()).toBe(0);
    // The next sync reads the new org from the start, not from the old org's checkpoint.
    expect(await dexieSyncStore(db).readState('salesforce')).toEqual(INITIAL_SYNC_STATE);
  });

  it('still forgets the contacts of a portal when a token of another portal is connected', async () => {
    await connectHubSpot('pat-na1-portal-a');
    await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
    await syncHandlers.disconnectCrm({ crm: 'hubspot' }, sender);
    behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
    const reply = await connectHubSpot('pat-na1-portal-b');
    expect(reply.ok && reply.message).toContain('1 lead synced from HubSpot portal 4242424 was removed');
    expect(await db.leads.count()).toBe(0);
  });

  it('tells the options page, in the sync status, which org or portal the kept leads came from: the one a connect compares with', async () => {
    const syncedFrom = async () => {
      const reply = await syncHandlers.syncStatus({}, sender);
      if (!reply.ok) throw new Error(reply.error);
      return Object.fromEntries(reply.syncs.map((sync) => [sync.crm, sync.syncedFrom]));
    };
    expect(await syncedFrom()).toEqual({ salesforce: null, hubspot: null });
    await connectSalesforce(SANDBOX);
    await connectHubSpot('pat-na1-portal-a');
    await db.putLeads([storedLead({ source: 'salesforce', id: '00QA', origin: 'sync' }), storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
    const connected = await syncedFrom();
    expect(connected).toEqual({ salesforce: { id: SANDBOX, name: SANDBOX }, hubspot: { id: '4242424', name: 'HubSpot portal 4242424' } });

    await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);
    await syncHandlers.disconnectCrm({ crm: 'hubspot' }, sender);
    expect(await syncedFrom()).toEqual(connected);

    // Another org connected: the sandbox's leads are gone, the new org's are synced next.
    await connectSalesforce(PRODUCTION);
    expect((await syncedFrom()).salesforce).toEqual({ id: PRODUCTION, name: PRODUCTION });
  });

  it("forgets the lead each tab on that CRM's pages showed, remembered for the side panel with its page fields, and only that CRM's", async () => {
    await connectSalesforceWithASyncedLead(SANDBOX);
    const contact = { crm: 'hubspot', recordId: '101', account: '4242424', fields: { email: 'bo@beta.example' } };
    await fakeBrowser.storage.session.set({
      'openLead:7': { crm: 'salesforce', recordId: '00QA', account: SANDBOX, fields: { Email: 'ada@acme.example', Phone: '+1 555 0100' } },
      'openLead:8': contact,
    });
    const told: [string, unknown][] = [];
    const { query, sendMessage } = fakeBrowser.tabs;
    fakeBrowser.tabs.query = vi.fn(async () => [{ id: 7 }]) as never;
    fakeBrowser.tabs.sendMessage = vi.fn(async (_tabId: number, message: { type: string; payload: unknown }) => void told.push([message.type, message.payload])) as never;
    onTestFinished(() => void Object.assign(fakeBrowser.tabs, { query, sendMessage }));
    await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);
    const session = await fakeBrowser.storage.session.get(null);
    expect(Object.keys(session).filter((key) => key.startsWith('openLead:'))).toEqual(['openLead:8']);
    expect(session['openLead:8']).toEqual(contact);
    // Its badges ask again, each telling the side panel its lead anew: the panel does not wait for a lead forgotten.
    // HubSpot's tabs ask nothing: their cached scores and open leads stay.
    expect(told).toEqual([['scoresChanged', { crm: 'salesforce' }]]);
  });

  it('keeps the leads when the same org is connected again', async () => {
    await connectSalesforceWithASyncedLead(PRODUCTION);
    await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);
    const reply = await connectSalesforce(PRODUCTION);
    expect(reply.ok && reply.status).toBe('connected');
    expect(reply.ok && reply.message).not.toContain('removed');
    expect(await db.leads.count()).toBe(1);
  });
});

it('forgets nothing for a mistyped Salesforce host (no session there) in place of a connection that did not work, and gives the org’s site access back: no connection uses it', async () => {
  await connectSalesforceWithASyncedLead(PRODUCTION);
  const MISTYPED = 'acmee.my.salesforce.com';
  const mistyped = await connectMistypedHost(MISTYPED);
  expect(mistyped.ok && mistyped.status).toBe('reconnect');
  expect(mistyped.ok && mistyped.message).not.toContain('removed');
  expect(await db.leads.count()).toBe(1);
  // The sync status says where they came from, not the mistyped host now stored: the options page compares with it.
  const status = await syncHandlers.syncStatus({}, sender);
  expect(status.ok && status.syncs.find((sync) => sync.crm === 'salesforce')?.syncedFrom).toEqual({ id: PRODUCTION, name: PRODUCTION });
  // The kept leads need no access to their org; connecting it again asks for it again.
  expect(vi.mocked(fakeBrowser.permissions.remove).mock.calls).toEqual([[{ origins: [`https://${PRODUCTION}/*`] }]]);

  // The right host again: its leads are still its own.
  const fixed = await connectSalesforce(PRODUCTION);
  expect(fixed.ok && fixed.status).toBe('connected');
  expect(fixed.ok && fixed.message).not.toContain('removed');
  expect(await db.leads.count()).toBe(1);
});

it('gives the mistyped host’s site access back when the right org is connected again, and keeps the org’s', async () => {
  await connectSalesforceWithASyncedLead(PRODUCTION);
  const MISTYPED = 'acme1.my.salesforce.com';
  const mistyped = await connectMistypedHost(MISTYPED);
  expect(mistyped.ok && mistyped.status).toBe('reconnect');
  vi.mocked(fakeBrowser.permissions.remove).mockClear();

  const fixed = await connectSalesforce(PRODUCTION);
  expect(fixed.ok && fixed.status).toBe('connected');
  expect(vi.mocked(fakeBrowser.permissions.remove).mock.calls).toEqual([[{ origins: [`https://${MISTYPED}/*`] }]]);
});

it('gives back the site access asked for a host whose OAuth sign-in failed, unless the stored connection uses it', async () => {
  await connectSalesforce(PRODUCTION);
  fakeBrowser.identity.getRedirectURL = () => 'https://extension-id.chromiumapp.org/';
  fakeBrowser.identity.launchWebAuthFlow = vi.fn(async () => {
    throw new Error('Authorization page could not be loaded.');
  });
  const oauth = { oauthClientId: '3MVG9LeadLensDemoClientId' };
  await connectSalesforce(PRODUCTION, oauth);
  expect(fakeBrowser.permissions.remove).not.toHaveBeenCalled();

  const MISTYPED = 'acme1.my.salesforce.com';
  const failed = await connectSalesforce(MISTYPED, oauth);
  expect(failed.ok).toBe(false);
  expect(fakeBrowser.permissions.remove).toHaveBeenCalledTimes(1);
  expect(fakeBrowser.permissions.remove).toHaveBeenCalledWith({ origins: [`https://${MISTYPED}/*`] });
});

it('gives back the site access asked for an org whose OAuth reconnect failed, though leads synced from it are kept: no connection uses it', async () => {
  await connectSalesforceWithASyncedLead(PRODUCTION);
  await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);
  vi.mocked(fakeBrowser.permissions.remove).mockClear();
  fakeBrowser.identity.getRedirectURL = () => 'https://extension-id.chromiumapp.org/';
  fakeBrowser.identity.launchWebAuthFlow = vi.fn(async () => {
    throw new Error('The user did not approve access.');
  });

  const failed = await connectSalesforce(PRODUCTION, { oauthClientId: '3MVG9LeadLensDemoClientId' });
  expect(failed.ok).toBe(false);
  expect(await db.leads.count()).toBe(1);
  expect(vi.mocked(fakeBrowser.permissions.remove).mock.calls).toEqual([[{ origins: [`https://${PRODUCTION}/*`] }]]);
});

it('gives back the site access asked for another org whose connect was not stored (the previous connection’s job did not stop)', async () => {
  await connectSalesforceWithASyncedLead(SANDBOX);
  jobsDoNotStop();

  await expect(connectSalesforce(PRODUCTION)).rejects.toThrow(/did not stop/);
  expect(await readConnection('salesforce')).toMatchObject({ host: SANDBOX });
  expect(vi.mocked(fakeBrowser.permissions.remove).mock.calls).toEqual([[{ origins: [`https://${PRODUCTION}/*`] }]]);
});

/** What a sync needs to run here: Web Locks (Node has none) and the call that keeps the service worker alive. */
function letSyncsRun() {
  stubWebLocks();
  fakeBrowser.runtime.getPlatformInfo = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
}

it('records the org a sync reads, so the leads stay tied to it whatever is connected next', async () => {
  letSyncsRun();
  await connectSalesforce(SANDBOX);
  await syncHandlers.startSync({ crm: 'salesforce' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('salesforce')).status).toBe('done'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('salesforce')).account).toEqual({ id: SANDBOX, name: SANDBOX });
  expect(await db.leads.where('source').equals('salesforce').count()).toBe(5);
});

it('after a connect to another org whose check failed, refuses to sync into the old org’s leads until a test forgets them', async () => {
  letSyncsRun();
  await connectSalesforceWithASyncedLead(SANDBOX);
  await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);
  // Not logged in to production yet: its check fails, so nothing is forgotten.
  const cookies = fakeBrowser.cookies.get;
  fakeBrowser.cookies.get = vi.fn(async () => null) as never;
  const failed = await connectSalesforce(PRODUCTION);
  expect(failed.ok && failed.status).toBe('reconnect');
  fakeBrowser.cookies.get = cookies;

  await syncHandlers.startSync({ crm: 'salesforce' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('salesforce')).status).toBe('error'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('salesforce')).error).toContain(`The stored leads come from ${SANDBOX}, not ${PRODUCTION}`);
  expect(await db.leads.count()).toBe(1);

  // Logged in now: the test learns the org and forgets the sandbox's leads.
  const tested = await syncHandlers.testConnection({ crm: 'salesforce' }, sender);
  expect(tested.ok && tested.message).toContain(`1 lead synced from ${SANDBOX} was removed`);
  expect(await db.leads.count()).toBe(0);
});

/** What a connect or test says when HubSpot would not name the portal of a new token. */
const UNCONFIRMED = `as HubSpot would not say whether this token reads that portal: syncs and write-backs wait until it does. To go on, ${WAYS_PAST_AN_UNNAMED_PORTAL}`;
/** What a sync says while the portal a token reads is not known and contacts of `portal` are stored. */
const waitsForPortalOf = (portal: string) =>
  `The stored leads come from ${portal}, and which portal this token reads is not known yet: press "Test connection" to read it, then sync. If HubSpot will not say, ${WAYS_PAST_AN_UNNAMED_PORTAL}`;
/** A token as the sync state keeps it. */
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
/** What a connect or test says of a token whose portal HubSpot will not name, and nothing more. */
const UNNAMED_READABLE = 'Connected to HubSpot at api.hubapi.com: contacts readable, but not which portal they are in (HubSpot refused the account details)';

it('keeps the contacts for a new token whose portal HubSpot will not name, and syncs nothing into them until a check names it: another portal then forgets them', async () => {
  letSyncsRun();
  await connectHubSpot('pat-na1-portal-a');
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  refuseAccountDetails = true;
  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  const connected = await connectHubSpot('pat-na1-portal-b');
  expect(connected.ok && connected.message).toBe(
    `Connected to HubSpot at api.hubapi.com: contacts readable, but not which portal they are in (HubSpot refused the account details). 1 lead synced from HubSpot portal 4242424 was kept, ${UNCONFIRMED}`,
  );
  expect(await db.leads.count()).toBe(1);
  // Neither the previous token's portal nor an unnamed one: the portal this token reads is not known.
  const stored = await readConnection('hubspot');
  expect(stored?.crm === 'hubspot' && stored.account).toBeUndefined();

  // A sync checks it first, and HubSpot still will not name it: the sync waits, the contacts stay.
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('error'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('hubspot')).error).toBe(waitsForPortalOf('HubSpot portal 4242424'));
  expect((await db.leads.toArray()).map((lead) => lead.key)).toEqual(['hubspot|101']);

  // HubSpot names it: another portal, so the contacts go.
  refuseAccountDetails = false;
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.message).toMatch(/: contacts of HubSpot portal 777001 readable\. 1 lead synced from HubSpot portal 4242424 was removed: sync to read this portal's$/);
  expect(await db.leads.count()).toBe(0);
});

it('keeps a named portal’s contacts, and its name, when the same token is tested or connected again while HubSpot refuses the account details', async () => {
  await connectHubSpot('pat-na1-portal-a');
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' }), storedLead({ source: 'hubspot', id: '102', origin: 'sync' })]);
  await dexieSyncStore(db).writeState('hubspot', { ...(await dexieSyncStore(db).readState('hubspot')), status: 'done', completedCursor: 1_800_000_000_000 });
  const portalKept = async () => {
    const connection = await readConnection('hubspot');
    // The portal: where its pages are (`uiDomain`) is not told by a check whose account details HubSpot refused.
    expect(connection && accountOf(connection)).toEqual({ id: '4242424', name: 'HubSpot portal 4242424' });
    expect(await db.leads.count()).toBe(2);
    expect((await dexieSyncStore(db).readState('hubspot')).completedCursor).toBe(1_800_000_000_000);
  };

  // A scope taken from the private app: its token stays the same, its account details are refused.
  refuseAccountDetails = true;
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.message).toBe('Connected to HubSpot at api.hubapi.com: contacts readable, but not which portal they are in (HubSpot refused the account details)');
  await portalKept();
  const again = await connectHubSpot('pat-na1-portal-a');
  expect(again.ok && again.message).not.toMatch(/removed|kept/);
  await portalKept();

  // The scope given back: the same portal, named again.
  refuseAccountDetails = false;
  const named = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(named.ok && named.message).toBe('Connected to HubSpot at api.hubapi.com: contacts of HubSpot portal 4242424 readable');
  await portalKept();
});

it('keeps the portal of a token connected again whose check fails, the connection not working: one token reads one portal, so its syncs need not wait', async () => {
  await connectHubSpot('pat-na1-portal-a');
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  await siteAccessTakenBack();
  const failed = await connectHubSpot('pat-na1-portal-a');
  expect(failed.ok && failed.status).toBe('error');
  const stored = await readConnection('hubspot');
  expect(stored?.crm === 'hubspot' && stored.account).toEqual({ id: '4242424', name: 'HubSpot portal 4242424', uiDomain: 'app.hubspot.com' });
  expect(await db.leads.count()).toBe(1);
});

it('keeps the contacts when a sync checks a token whose connect could not, and HubSpot will not name its portal: the sync waits for a test that does', async () => {
  letSyncsRun();
  await connectHubSpot('pat-na1-portal-a');
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  // A rotated token, whose connect's check failed (no site access, whose loss stopped the connection working too): its portal is not known.
  await siteAccessTakenBack();
  expect((await connectHubSpot('pat-na1-rotated')).ok).toBe(true);
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  refuseAccountDetails = true;
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('error'), { timeout: 5_000 });
  expect((await db.leads.toArray()).map((lead) => lead.key)).toEqual(['hubspot|101']);
  expect((await readStatus('hubspot')).message).toContain(`1 lead synced from HubSpot portal 4242424 was kept, ${UNCONFIRMED}`);

  // Named: the same portal. Its contacts stay, and syncs go on.
  refuseAccountDetails = false;
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.message).toBe('Connected to HubSpot at api.hubapi.com: contacts of HubSpot portal 4242424 readable');
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  expect(await db.leads.where('source').equals('hubspot').count()).toBe(6);
});

it('names the portal of contacts synced while HubSpot would not, once it does through the same token, and keeps them', async () => {
  letSyncsRun();
  refuseAccountDetails = true;
  await connectHubSpot('pat-na1-portal-a');
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('hubspot')).account).toEqual({ id: '', name: 'a portal HubSpot would not name' });

  refuseAccountDetails = false;
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.message).toBe('Connected to HubSpot at api.hubapi.com: contacts of HubSpot portal 4242424 readable');
  expect(await db.leads.where('source').equals('hubspot').count()).toBe(5);
  expect((await dexieSyncStore(db).readState('hubspot')).account).toEqual({ id: '4242424', name: 'HubSpot portal 4242424' });
  // Named so, the contacts go on syncing.
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('hubspot')).error).toBeNull();
});

it.each([
  ['a named portal: nothing could ever tell them its, so they go', false, /\. 5 leads synced from a portal HubSpot would not name were removed: sync to read this portal's$/, 0],
  ['a portal HubSpot will not name either: nothing tells them apart, so they stay', true, /\. 5 leads synced from a portal HubSpot would not name were kept, as HubSpot would not say/, 5],
])('syncs the contacts of a portal HubSpot will not name and keeps them through the same token; for the token of %s', async (_, otherUnnamed, said, left) => {
  letSyncsRun();
  refuseAccountDetails = true;
  await connectHubSpot('pat-na1-portal-a');
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  expect(await db.leads.where('source').equals('hubspot').count()).toBe(5);

  // The same token tested, then connected again: the portal it synced, whatever HubSpot names.
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.message).not.toContain('removed');
  const again = await connectHubSpot('pat-na1-portal-a');
  expect(again.ok && again.message).not.toContain('removed');
  expect(await db.leads.where('source').equals('hubspot').count()).toBe(5);

  refuseAccountDetails = otherUnnamed;
  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  const other = await connectHubSpot('pat-na1-portal-b');
  expect(other.ok && other.message).toMatch(said);
  expect(await db.leads.where('source').equals('hubspot').count()).toBe(left);
});

it.each([
  ['in its place', false],
  ['after a Disconnect', true],
])('keeps the contacts of a portal HubSpot never named for the token that synced them, connected again after a token HubSpot will not name either (%s): syncs go on', async (_, disconnectFirst) => {
  letSyncsRun();
  refuseAccountDetails = true;
  await connectHubSpot('pat-na1-portal-a');
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  // IndexedDB keeps a digest of the token, never the token.
  const settings = JSON.stringify(await db.settings.toArray());
  expect(settings).not.toContain('pat-na1-portal-a');
  expect(settings).toContain(sha256('pat-na1-portal-a'));
  if (disconnectFirst) await syncHandlers.disconnectCrm({ crm: 'hubspot' }, sender);

  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  const other = await connectHubSpot('pat-na1-portal-b');
  expect(other.ok && other.message).toBe(`${UNNAMED_READABLE}. 5 leads synced from a portal HubSpot would not name were kept, ${UNCONFIRMED}`);
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('error'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('hubspot')).error).toBe(waitsForPortalOf('a portal HubSpot would not name'));

  // As the reply says: the token that synced them, connected again. One token reads one portal.
  const back = await connectHubSpot('pat-na1-portal-a');
  expect(back.ok && back.message).toBe(UNNAMED_READABLE);
  const stored = await readConnection('hubspot');
  expect(stored?.crm === 'hubspot' && stored.account).toEqual({ id: '', name: 'a portal HubSpot would not name' });
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.message).toBe(UNNAMED_READABLE);
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('hubspot')).error).toBeNull();
  expect(await db.leads.where('source').equals('hubspot').count()).toBe(5);
});

it('keeps a named portal’s contacts for its token connected again after a token whose portal HubSpot will not name, while HubSpot names neither', async () => {
  await connectHubSpot('pat-na1-portal-a');
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  refuseAccountDetails = true;
  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  const other = await connectHubSpot('pat-na1-portal-b');
  expect(other.ok && other.message).toBe(`${UNNAMED_READABLE}. 1 lead synced from HubSpot portal 4242424 was kept, ${UNCONFIRMED}`);

  const back = await connectHubSpot('pat-na1-portal-a');
  expect(back.ok && back.message).toBe(UNNAMED_READABLE);
  const stored = await readConnection('hubspot');
  expect(stored?.crm === 'hubspot' && stored.account).toEqual({ id: '4242424', name: 'HubSpot portal 4242424' });
  expect(await db.leads.count()).toBe(1);
});

it('keeps contacts of a portal HubSpot never named from a token of another portal HubSpot will not name, though it was connected before them', async () => {
  // Token B reads another portal, and was connected (and replaced) before A synced anything.
  letSyncsRun();
  refuseAccountDetails = true;
  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  await connectHubSpot('pat-na1-portal-b');
  await connectHubSpot('pat-na1-portal-a');
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });

  const other = await connectHubSpot('pat-na1-portal-b');
  expect(other.ok && other.message).toBe(`${UNNAMED_READABLE}. 5 leads synced from a portal HubSpot would not name were kept, ${UNCONFIRMED}`);
  const stored = await readConnection('hubspot');
  expect(stored?.crm === 'hubspot' && stored.account).toBeUndefined();
});

it.each([
  ['names', false, 'Connected to HubSpot at api.hubapi.com: contacts of HubSpot portal 777001 readable'],
  ['will not name', true, UNNAMED_READABLE],
])('says nothing of contacts removed when none were stored: a Disconnect, then a token of another portal HubSpot %s', async (_, refused, said) => {
  await connectHubSpot('pat-na1-portal-a');
  await syncHandlers.disconnectCrm({ crm: 'hubspot' }, sender);
  refuseAccountDetails = refused;
  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  const connected = await connectHubSpot('pat-na1-portal-b');
  expect(connected.ok && connected.message).toBe(said);
});

it('names the portal of contacts synced while HubSpot would not without writing over a sync’s commit that lands meanwhile', async () => {
  letSyncsRun();
  refuseAccountDetails = true;
  await connectHubSpot('pat-na1-portal-a');
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  refuseAccountDetails = false;

  // A sync running through the test: each time the test reads the sync state, the sync commits a
  // page just after (its state as the sync holds it, one more page along).
  const store = dexieSyncStore(db);
  const atStart = await store.readState('hubspot');
  const job = { startedAt: 1, cursor: null, reached: null, lastId: null, pageToken: null, synced: 0, changed: 0, pages: 0, remaining: null, mergedAway: [] };
  const commits: Promise<void>[] = [];
  const get = db.settings.get.bind(db.settings);
  // A commit reads the state too (the fields a test owns): that read starts no other commit.
  let committing = 0;
  const commit = async (pages: number) => {
    committing++;
    try {
      await Dexie.ignoreTransaction(() => store.commitPage('hubspot', [], { ...atStart, status: 'running', job: { ...job, pages } }));
    } finally {
      committing--;
    }
  };
  vi.spyOn(db.settings, 'get').mockImplementation((async (key: string) => {
    const row = await get(key);
    if (key === 'sync:hubspot' && committing === 0) commits.push(commit(commits.length + 1));
    return row;
  }) as never);
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  await Promise.all(commits);
  vi.mocked(db.settings.get).mockRestore();

  expect(tested.ok && tested.message).toBe('Connected to HubSpot at api.hubapi.com: contacts of HubSpot portal 4242424 readable');
  expect(commits.length).toBeGreaterThan(0);
  // The sync's last commit is the state: none was written over with what the test read before it.
  expect((await store.readState('hubspot')).job?.pages).toBe(commits.length);
  // Nor did the sync's commits, holding the state of its start, write the portal the test named back to the unnamed one.
  expect((await store.readState('hubspot')).account).toEqual({ id: '4242424', name: 'HubSpot portal 4242424' });
});

it('forgets the empty state of the previous portal for a new token HubSpot will not name: with no contacts synced, there is nothing to keep, nor to say', async () => {
  letSyncsRun();
  await connectHubSpot('pat-na1-portal-a');
  await syncHandlers.disconnectCrm({ crm: 'hubspot' }, sender);
  refuseAccountDetails = true;
  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  const connected = await connectHubSpot('pat-na1-portal-b');
  expect(connected.ok && connected.message).toBe(UNNAMED_READABLE);
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  expect(await db.leads.where('source').equals('hubspot').count()).toBe(5);
});

it('checks a HubSpot connection stored without its portal (by an older LeadLens) when a sync starts, keeping its contacts, rather than refusing the sync', async () => {
  letSyncsRun();
  await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-old-install' }, timeoutSeconds: 30 });
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  expect((await readConnection('hubspot'))?.crm === 'hubspot' && (await readConnection('hubspot'))).toMatchObject({ account: { id: '4242424' } });
  expect((await dexieSyncStore(db).readState('hubspot')).account).toEqual({ id: '4242424', name: 'HubSpot portal 4242424' });
  expect(await db.leads.where('source').equals('hubspot').count()).toBe(6);
});

it('lets no sync run for a first HubSpot connection whose check failed: its contacts could not be told from another portal’s later', async () => {
  letSyncsRun();
  fakeBrowser.permissions.contains = vi.fn(async () => false);
  const failed = await connectHubSpot('pat-na1-portal-a');
  expect(failed.ok && failed.status).toBe('error');
  fakeBrowser.permissions.contains = vi.fn(async () => true);

  // Still no check gets through when the sync starts (HubSpot is down): the sync waits.
  const hubspotUp = hubspotGoesDown();
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('error'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('hubspot')).error).toBe('Which portal this token reads is not known yet: press "Test connection" to read it, then sync');
  expect(await db.leads.count()).toBe(0);
  hubspotUp();

  // Another portal's token, checked: its own contacts are synced, under its portal.
  behaviour.tokenPortals.set('pat-na1-portal-b', '777001');
  await connectHubSpot('pat-na1-portal-b');
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('hubspot')).account).toEqual({ id: '777001', name: 'HubSpot portal 777001' });
});

it('lets no sync into the contacts of a portal while a connect’s check has not said which portal it reads, until a test does', async () => {
  letSyncsRun();
  await connectHubSpot('pat-na1-portal-a');
  await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
  // The check fails (no site access, whose loss stopped the connection working too): the new token's portal is not known.
  await siteAccessTakenBack();
  const failed = await connectHubSpot('pat-na1-rotated');
  expect(failed.ok && failed.status).toBe('error');
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  const stored = await readConnection('hubspot');
  expect(stored?.crm === 'hubspot' && stored.account).toBeUndefined();

  // No check gets through when the sync starts either (HubSpot is down): the sync waits.
  const hubspotUp = hubspotGoesDown();
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('error'), { timeout: 5_000 });
  expect((await dexieSyncStore(db).readState('hubspot')).error).toBe(waitsForPortalOf('HubSpot portal 4242424'));
  expect((await db.leads.toArray()).map((lead) => lead.key)).toEqual(['hubspot|101']);
  hubspotUp();

  // The test reads the same portal (a rotated token): the contacts stay, and syncs go on.
  const tested = await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(tested.ok && tested.message).not.toContain('removed');
  expect((await readConnection('hubspot'))?.crm === 'hubspot' && (await readConnection('hubspot'))).toMatchObject({ account: { id: '4242424' } });
  await syncHandlers.startSync({ crm: 'hubspot' }, sender);
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('done'), { timeout: 5_000 });
  expect(await db.leads.where('source').equals('hubspot').count()).toBe(6);
});

it('answers a failed OAuth sign-in with its error, storing nothing: the stored status could not say it', async () => {
  await connectSalesforce(PRODUCTION);
  fakeBrowser.identity.getRedirectURL = () => 'https://extension-id.chromiumapp.org/';
  fakeBrowser.identity.launchWebAuthFlow = vi.fn(async () => {
    throw new Error('The user did not approve access.');
  });
  const reply = await connectSalesforce(PRODUCTION, { oauthClientId: '3MVG9LeadLensDemoClientId' });
  expect(reply).toEqual({ ok: false, error: expect.stringMatching(/sign-in|approve/i) });
  // The session connection made before stays as it was.
  expect(await readConnection('salesforce')).toMatchObject({ host: PRODUCTION, auth: { kind: 'session' } });
});

it('opens no OAuth sign-in when the admin refused the site access: it says so, as a check would, and stores nothing', async () => {
  await connectSalesforce(PRODUCTION);
  fakeBrowser.permissions.contains = vi.fn(async () => false);
  fakeBrowser.identity.getRedirectURL = () => 'https://extension-id.chromiumapp.org/';
  const signIn = vi.fn(async () => 'https://extension-id.chromiumapp.org/?code=never');
  fakeBrowser.identity.launchWebAuthFlow = signIn as never;
  const reply = await connectSalesforce(SANDBOX, { oauthClientId: '3MVG9LeadLensDemoClientId' });
  expect(reply).toEqual({ ok: false, error: `LeadLens may not reach https://${SANDBOX}: allow access to that site when asked (press Connect again)` });
  expect(signIn).not.toHaveBeenCalled();
  expect(await readConnection('salesforce')).toMatchObject({ host: PRODUCTION, auth: { kind: 'session' } });
});

it('forgets the scores cached through a connection when it is disconnected, of that CRM only', async () => {
  await connectSalesforce(PRODUCTION);
  await db.scores.bulkPut([
    { key: 'm|salesforce|00QA', fieldsHash: 'h', lead: {} as never, scoredAt: 1 },
    { key: 'm|hubspot|101', fieldsHash: 'h', lead: {} as never, scoredAt: 1 },
  ]);
  await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['m|hubspot|101']);
});

describe('crmOptionLabels: how the connected CRM labels its choice fields on its pages', () => {
  it('answers the connected HubSpot portal’s labels, and none for a CRM not connected', async () => {
    const fields = ['hs_analytics_source', 'jobtitle'];
    expect(await syncHandlers.crmOptionLabels({ crm: 'hubspot', fields }, sender)).toEqual({ ok: true, labels: {} });
    await connectHubSpot('pat-na1-portal-a-0123456789');
    const reply = await syncHandlers.crmOptionLabels({ crm: 'hubspot', fields }, sender);
    if (!reply.ok) throw new Error(reply.error);
    expect(Object.keys(reply.labels)).toEqual(['hs_analytics_source']);
    expect(reply.labels.hs_analytics_source).toMatchObject({ SOCIAL_MEDIA: 'Organic Social', OFFLINE: 'Offline Sources' });
    expect(await syncHandlers.crmOptionLabels({ crm: 'salesforce', fields: ['LeadSource'] }, sender)).toEqual({ ok: true, labels: {} });
  });
});

describe("crmLifecycleStages: the connected HubSpot portal's own lifecycle stages", () => {
  it("answers the portal's stages in its order with their labels, and none when HubSpot is not connected", async () => {
    expect(await syncHandlers.crmLifecycleStages({}, sender)).toEqual({ ok: true, stages: [] });
    await connectHubSpot('pat-na1-portal-a-0123456789');
    const reply = await syncHandlers.crmLifecycleStages({}, sender);
    if (!reply.ok) throw new Error(reply.error);
    expect(reply.stages.map((stage) => stage.value)).toEqual([
      'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', '1234567', 'opportunity', 'customer', 'evangelist', 'other',
    ]);
    expect(reply.stages[4]).toEqual({ value: '1234567', label: 'Product Qualified Lead' });
  });
});

/**
 * Holds the CRM's answer to the first request sent with `token` until `release()`: a check that
 * takes a while (HubSpot is slow; a check may take a minute). `asked` resolves once it is sent.
 */
function holdFirstRequestWith(token: string) {
  const answer = globalThis.fetch;
  let markAsked!: () => void;
  let release!: () => void;
  const asked = new Promise<void>((resolve) => (markAsked = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    if (!held && new Headers(init?.headers).get('authorization')?.includes(token)) {
      held = true;
      markAsked();
      await released;
    }
    return answer(input, init);
  });
  return { asked, release };
}

describe('a check of the stored connection that ends after it was replaced or disconnected', () => {
  const OLD_TOKEN = 'pat-na1-old-token';
  const NEW_TOKEN = 'pat-na1-new-token';

  beforeEach(async () => {
    stubWebLocks();
    // Stored with no portal known (HubSpot was down at connect time): the next sync checks it first.
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: OLD_TOKEN }, timeoutSeconds: 30 });
  });

  it('does not write the previous token over a new one connected meanwhile: the connect waits for it', async () => {
    await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
    behaviour.tokenPortals.set(NEW_TOKEN, '777001');
    const check = holdFirstRequestWith(OLD_TOKEN);
    const learning = learnPortalIfUnknown(); // "Sync now"
    await check.asked;
    const connecting = connectHubSpot(NEW_TOKEN);
    // Time for a connect that would not wait (HubSpot answers the new token at once).
    await Promise.race([connecting, new Promise((resolve) => setTimeout(resolve, 200))]);
    check.release();
    await learning;
    const connected = await connecting;

    expect(await readConnection('hubspot')).toMatchObject({ auth: { token: NEW_TOKEN }, account: { id: '777001' } });
    // The check it waited for learned the previous token's portal (4242424): this one reads another.
    expect(connected.ok && connected.message).toMatch(/^Connected to HubSpot at api\.hubapi\.com: contacts of HubSpot portal 777001 readable\. 1 lead synced from HubSpot portal 4242424 was removed/);
    expect(await readStatus('hubspot')).toMatchObject({ status: 'connected', message: connected.ok && connected.message });
  });

  it('does not bring back a connection disconnected during a test of it', async () => {
    const check = holdFirstRequestWith(OLD_TOKEN);
    const testing = syncHandlers.testConnection({ crm: 'hubspot' }, sender);
    await check.asked;
    await syncHandlers.disconnectCrm({ crm: 'hubspot' }, sender);
    check.release();
    const tested = await testing;

    expect(await readConnection('hubspot')).toBeNull();
    expect(tested.ok && tested.status).toBe('disconnected');
    expect(await readStatus('hubspot')).toMatchObject({ status: 'disconnected' });
  });
});

describe('a Disconnect or "Purge everything" answered while a connect waits (its check, an OAuth sign-in)', () => {
  const NEW_TOKEN = 'pat-na1-new-token';
  const NOTHING_STORED = /^HubSpot was disconnected, or everything deleted, while it was connecting: nothing was stored$/;

  beforeEach(() => {
    stubWebLocks();
    fakeBrowser.permissions.getAll = vi.fn(async () => ({ permissions: [], origins: [] }));
    behaviour.tokenPortals.set(NEW_TOKEN, '777001');
  });

  it('is not undone by a connect whose check it came during: nothing is stored, the previous portal’s contacts stay, and the connect says so', async () => {
    await connectHubSpot('pat-na1-portal-a');
    await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
    const check = holdFirstRequestWith(NEW_TOKEN);
    const connecting = connectHubSpot(NEW_TOKEN);
    await check.asked;
    const disconnected = await syncHandlers.disconnectCrm({ crm: 'hubspot' }, sender);
    check.release();

    await expect(connecting).rejects.toThrow(NOTHING_STORED);
    expect(disconnected).toMatchObject({ ok: true, status: 'disconnected', message: 'HubSpot disconnected' });
    expect(await readConnection('hubspot')).toBeNull();
    expect(await readStatus('hubspot')).toMatchObject({ status: 'disconnected' });
    // The connect to another portal was not made: its contacts are not forgotten for it.
    expect((await db.leads.toArray()).map((stored) => stored.key)).toEqual(['hubspot|101']);
  });

  it('is not undone by a connect whose check a purge came during: the token is not stored after the purge', async () => {
    const check = holdFirstRequestWith(NEW_TOKEN);
    const connecting = connectHubSpot(NEW_TOKEN);
    await check.asked;
    await purgeEverything(1000);
    check.release();

    await expect(connecting).rejects.toThrow(NOTHING_STORED);
    expect(await readConnection('hubspot')).toBeNull();
    // Only the counts of removals are left, which this connect compared.
    expect(Object.keys(await fakeBrowser.storage.local.get(null)).sort()).toEqual(['connection-generation:hubspot', 'connection-generation:salesforce']);
  });

  it('ends the grant of a Salesforce sign-in whose consent window a Disconnect came during, and stores nothing', async () => {
    await connectSalesforce(PRODUCTION);
    const { issued, revoked } = watchSalesforceGrants();
    // The admin presses Disconnect in the options page while Salesforce's consent window is open.
    fakeBrowser.identity.launchWebAuthFlow = vi.fn(async ({ url }: { url: string }) => {
      await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);
      return (await fetch(url, { redirect: 'manual' })).headers.get('location')!;
    }) as never;

    await expect(connectSalesforce(PRODUCTION, { oauthClientId: '3MVG9LeadLensDemoClientId' })).rejects.toThrow(
      /^Salesforce was disconnected, or everything deleted, while it was connecting: nothing was stored$/,
    );
    expect(issued).toHaveLength(1);
    expect(revoked).toEqual(issued);
    expect(await readConnection('salesforce')).toBeNull();
  });

  it('is not undone by a portal check that read the connection just before it: the portal it learned is not written back', async () => {
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: NEW_TOKEN }, timeoutSeconds: 30 });
    // The check's last read of the connection (before writing the portal it learned): a Disconnect is answered right after it.
    const read = fakeBrowser.storage.local.get.bind(fakeBrowser.storage.local);
    let connectionReads = 0;
    fakeBrowser.storage.local.get = (async (keys: string) => {
      const value = await read(keys);
      if (keys === 'connection:hubspot' && ++connectionReads === 3) await syncHandlers.disconnectCrm({ crm: 'hubspot' }, sender);
      return value;
    }) as never;

    await learnPortalIfUnknown();
    expect(connectionReads).toBeGreaterThanOrEqual(3);
    expect(await readConnection('hubspot')).toBeNull();
  });
});

describe('an OAuth sign-in Salesforce cannot be told to end (offline, or Salesforce down)', () => {
  const OAUTH = salesforceOAuthConnection({ accessToken: 'AT', refreshToken: '5Aep-live-refresh' });
  const LEFT_LIVE = `Salesforce at ${PRODUCTION} could not be told to end LeadLens's sign-in (offline?): an admin can revoke it under Setup → Connected Apps OAuth Usage`;
  let revokes = 0;

  beforeEach(() => {
    revokes = 0;
    const answer = globalThis.fetch;
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      if (new URL(String(input)).pathname !== '/services/oauth2/revoke') return answer(input, init);
      revokes++;
      throw new TypeError('Failed to fetch');
    });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  it('is said in the reply to the Disconnect, with where to revoke it', async () => {
    await writeConnection(OAUTH);
    const reply = await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);
    expect(revokes).toBe(1);
    expect(reply.ok && reply.message).toBe(`Salesforce disconnected. ${LEFT_LIVE}`);
    expect(await readConnection('salesforce')).toBeNull();
  });

  it('is said in the reply to a connect that replaces it, and in the status shown', async () => {
    await writeConnection(OAUTH);
    const reply = await connectSalesforce(PRODUCTION);
    expect(revokes).toBe(1);
    expect(reply.ok && reply.message).toBe(`Connected to Salesforce at ${PRODUCTION}: Leads readable through API 67.0. ${LEFT_LIVE}`);
    expect((await readStatus('salesforce')).message).toBe(reply.ok && reply.message);
  });

  it('says nothing more when Salesforce ends it', async () => {
    vi.unstubAllGlobals();
    vi.stubGlobal('navigator', { locks: freeLocks });
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) => (new URL(String(input)).pathname === '/services/oauth2/revoke' ? (revokes++, new Response(null, { status: 200 })) : Promise.reject(new TypeError('unexpected'))));
    await writeConnection(OAUTH);
    const reply = await syncHandlers.disconnectCrm({ crm: 'salesforce' }, sender);
    expect(revokes).toBe(1);
    expect(reply.ok && reply.message).toBe('Salesforce disconnected');
  });
});
