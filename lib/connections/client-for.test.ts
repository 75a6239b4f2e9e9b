/**
 * Salesforce OAuth renewals after a 401: one at a time, so requests refused at once renew once
 * (a rotated refresh token is good once); only Salesforce refusing the refresh token means
 * "reconnect"; and a renewal still waiting for Salesforce when the admin disconnects must not
 * write the connection (and its refresh token) back. A client uses and renews only the tokens of
 * the org and app it was made for, never another's connected meanwhile. And `clientFor` gives
 * one client per connection: the same while it stays the same, another once it changed; its
 * record reads the CRM answers end a "reconnect", and those it refuses the credentials of begin one
 * (once, and not for a rep logged out of Salesforce).
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubWebLocks } from '../../test/web-locks';
import { syncHandlers } from '../background/handlers/sync';
import { clientFor, clientForConnection } from './client-for';
import { clearReconnect, readConnection, readStatus, removeConnection, writeStatus } from './connections';
import { writeConnection } from '../../test/fixtures/stored-connection';
import type { Connection } from './schema';
import type { CrmClient } from '../crm/client';
import { salesforceOAuthConnection } from '../../test/fixtures/salesforce-oauth-connection';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const LEAD_ID = '00Q5g00000AbCdEAAA';
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
const sessionExpired = () => json(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired' }]);
const isTokenRequest = (input: RequestInfo | URL) => String(input).endsWith('/services/oauth2/token');
const isDescribe = (input: RequestInfo | URL) => String(input).endsWith('/sobjects/Lead/describe');
const describeLead = () => json(200, { fields: ['Id', 'SystemModstamp', 'Title'].map((name) => ({ name, type: 'string' })) });

const salesforce = salesforceOAuthConnection({ accessToken: 'old-access', refreshToken: '5Aep-refresh-secret' });

beforeEach(async () => {
  fakeBrowser.reset();
  // Asked with nothing connected, `clientFor` forgets the clients the test before made.
  expect(await clientFor('salesforce')).toBeNull();
  expect(await clientFor('hubspot')).toBeNull();
  stubWebLocks();
  await writeConnection(salesforce);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const storedTokens = async () => {
  const connection = await readConnection('salesforce');
  return connection?.crm === 'salesforce' && connection.auth.kind === 'oauth' ? { accessToken: connection.auth.accessToken, refreshToken: connection.auth.refreshToken } : null;
};

it('renews once when requests at once get a 401, though each refresh token is good once', async () => {
  // Salesforce with refresh token rotation: each refresh spends the refresh token and issues a new one.
  // The stored access token has expired: no access token is good yet.
  let tokens = { access: '', refresh: '5Aep-refresh-secret' };
  const refreshTokensSent: string[] = [];
  let refusals = 0;
  let bothRefused!: () => void;
  const refusedTwice = new Promise<void>((resolve) => (bothRefused = resolve));
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    if (isTokenRequest(input)) {
      const sent = new URLSearchParams(String(init.body)).get('refresh_token') ?? '';
      refreshTokensSent.push(sent);
      await refusedTwice;
      await new Promise((resolve) => setTimeout(resolve, 20)); // answers after every other request has read the stored tokens
      if (sent !== tokens.refresh) return json(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
      tokens = { access: `access-${refreshTokensSent.length}`, refresh: `5Aep-rotated-${refreshTokensSent.length}` };
      return json(200, { access_token: tokens.access, refresh_token: tokens.refresh });
    }
    if (new Headers(init.headers).get('authorization') !== `Bearer ${tokens.access}`) {
      if (++refusals === 2) bothRefused();
      return sessionExpired();
    }
    if (isDescribe(input)) return describeLead();
    return json(200, { attributes: { type: 'Lead' }, Id: LEAD_ID, SystemModstamp: '2026-11-01T00:00:00.000+0000', Title: 'CEO' });
  });
  // Two clients: a sync's own, and the one badge reads share.
  const [syncing, scoring] = [clientForConnection(salesforce), (await clientFor('salesforce'))!];
  const read = (client: typeof syncing) => client.readRecord(LEAD_ID, { fields: ['Title'] });

  const records = await Promise.all([read(syncing), read(scoring)]);
  expect(records.map((record) => record?.fields.Title)).toEqual(['CEO', 'CEO']);
  expect(refreshTokensSent).toEqual(['5Aep-refresh-secret']);
  expect(await storedTokens()).toEqual({ accessToken: 'access-1', refreshToken: '5Aep-rotated-1' });
});

it('says a renewal that cannot reach Salesforce is a network error, and keeps the connection', async () => {
  vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
    if (isTokenRequest(input)) throw new TypeError('Failed to fetch');
    return sessionExpired();
  });
  const client = (await clientFor('salesforce'))!;
  await expect(client.readRecord(LEAD_ID, { fields: ['Title'] })).rejects.toMatchObject({ kind: 'network' });
  expect(await storedTokens()).toEqual({ accessToken: 'old-access', refreshToken: '5Aep-refresh-secret' });
});

it('leaves the 401 standing ("reconnect") when Salesforce refuses the refresh token', async () => {
  vi.stubGlobal('fetch', async (input: RequestInfo | URL) =>
    isTokenRequest(input) ? json(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' }) : sessionExpired(),
  );
  const client = (await clientFor('salesforce'))!;
  await expect(client.readRecord(LEAD_ID, { fields: ['Title'] })).rejects.toMatchObject({ kind: 'auth', status: 401 });
});

it('keeps nothing a renewal brings back after the admin disconnected', async () => {
  fakeBrowser.permissions.remove = vi.fn(async () => true);
  let answerToken!: () => void;
  const tokenAnswered = new Promise<void>((resolve) => (answerToken = resolve));
  let tokenAsked!: () => void;
  const tokenRequested = new Promise<void>((resolve) => (tokenAsked = resolve));
  vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
    if (isTokenRequest(input)) {
      tokenAsked();
      await tokenAnswered;
      return json(200, { access_token: 'new-access' });
    }
    return sessionExpired();
  });
  const client = (await clientFor('salesforce'))!;
  const reading = client.readRecord(LEAD_ID, { fields: ['Title'] }).catch((error: unknown) => error);
  await tokenRequested;
  await syncHandlers.disconnectCrm({ crm: 'salesforce' }, {} as never);
  answerToken();
  await reading;
  expect(await readConnection('salesforce')).toBeNull();
});

it('keeps nothing, ends the renewed grant and fails as disconnected when the admin disconnects between the renewal\'s read of the connection and its write', async () => {
  fakeBrowser.permissions.remove = vi.fn(async () => true);
  let refreshed = false;
  const revoked: string[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    if (isTokenRequest(input)) {
      refreshed = true;
      return json(200, { access_token: 'new-access', refresh_token: '5Aep-rotated' });
    }
    if (String(input).endsWith('/services/oauth2/revoke')) {
      const token = new URLSearchParams(String(init.body)).get('token') ?? '';
      revoked.push(token);
      // The Disconnect's refresh token was rotated away by the renewal: Salesforce no longer knows it.
      return new Response(null, { status: token === '5Aep-rotated' ? 200 : 400 });
    }
    return sessionExpired();
  });
  // The Disconnect lands on the renewal's read of the connection once Salesforce answered: after that read, before its write.
  const get = fakeBrowser.storage.local.get.bind(fakeBrowser.storage.local);
  let disconnected = false;
  fakeBrowser.storage.local.get = (async (keys: Parameters<typeof get>[0]) => {
    const answer = await get(keys);
    if (refreshed && !disconnected && JSON.stringify(keys).includes('connection:salesforce')) {
      disconnected = true;
      await removeConnection('salesforce');
    }
    return answer;
  }) as typeof get;
  const client = (await clientFor('salesforce'))!;
  const error = await client.readRecord(LEAD_ID, { fields: ['Title'] }).catch((e: unknown) => e);
  expect(disconnected).toBe(true);
  expect(await readConnection('salesforce')).toBeNull();
  expect(error).toMatchObject({ kind: 'auth', message: expect.stringContaining('was disconnected while LeadLens renewed its sign-in') });
  expect(revoked).toEqual(['5Aep-refresh-secret', '5Aep-rotated']);
});

describe('a client made before another org or app was connected', () => {
  const others: [string, Connection][] = [
    ['another org', { ...salesforce, host: 'globex.my.salesforce.com', auth: { ...salesforce.auth, accessToken: 'globex-access', refreshToken: '5Aep-globex-refresh' } }],
    ['another External Client App', { ...salesforce, auth: { ...salesforce.auth, clientId: '3MVG9OtherAppClientId', accessToken: 'globex-access', refreshToken: '5Aep-globex-refresh' } }],
  ];

  it.each(others)('sends nothing once %s is connected, and says the connection changed', async (_, other) => {
    const sent: string[] = [];
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
      sent.push(`${new URL(String(input)).host} ${new Headers(init.headers).get('authorization')}`);
      return json(200, [{ version: '67.0' }]);
    });
    const client = clientForConnection(salesforce); // held by a read in flight
    await writeConnection(other);
    await expect(client.checkAccess()).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/^The connection changed: /) });
    expect(sent).toEqual([]);
  });

  it.each(others)('neither renews nor sends the tokens of %s, connected while a request was refused', async (_, other) => {
    const sent: string[] = [];
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
      sent.push(`${new URL(String(input)).host} ${new Headers(init.headers).get('authorization') ?? 'token request'}`);
      // The access token expired, and the admin connects the other org or app before the renewal.
      await writeConnection(other);
      return sessionExpired();
    });
    const client = clientForConnection(salesforce);
    await expect(client.readRecord(LEAD_ID, { fields: ['Title'] })).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/^The connection changed: /) });
    expect(sent).toEqual(['acme.my.salesforce.com Bearer old-access']);
    expect(await readConnection('salesforce')).toEqual(other);
  });
});

it('gives the same client while the connection stays the same, though its tokens rotate, and another once it changed', async () => {
  const client = await clientFor('salesforce');
  expect(await clientFor('salesforce')).toBe(client);
  await writeConnection({ ...salesforce, auth: { ...salesforce.auth, accessToken: 'renewed-access', refreshToken: '5Aep-rotated' } });
  expect(await clientFor('salesforce')).toBe(client);
  // Each compared with the one before: the first with the connection the client was made for.
  const changes: Connection[] = [
    { ...salesforce, auth: { ...salesforce.auth, clientId: '3MVG9OtherAppClientId' } },
    { ...salesforce, host: 'globex.my.salesforce.com' },
    { ...salesforce, apiVersion: '66.0' },
    { ...salesforce, auth: { kind: 'session' } },
  ];
  for (const changed of changes) {
    await writeConnection(changed);
    const other = await clientFor('salesforce');
    expect(other).not.toBe(client);
    expect(await clientFor('salesforce')).toBe(other);
  }
  await removeConnection('salesforce');
  expect(await clientFor('salesforce')).toBeNull();
});

it('gives another HubSpot client for another token, even said to open the same portal; a client made keeps its own token', async () => {
  const sent: (string | null)[] = [];
  vi.stubGlobal('fetch', async (_input: RequestInfo | URL, init: RequestInit = {}) => {
    sent.push(new Headers(init.headers).get('authorization'));
    return json(200, { results: [] });
  });
  const hubspot = {
    crm: 'hubspot',
    apiVersion: 'v3',
    timeoutSeconds: 30,
    auth: { kind: 'token', token: 'pat-na1-first-token' },
    account: { id: '123', name: 'HubSpot portal 123' },
  } satisfies Connection;
  await writeConnection(hubspot);
  const client = (await clientFor('hubspot'))!;
  expect(await clientFor('hubspot')).toBe(client);
  // A new token whose portal could not be learned keeps the old account: it may open another portal.
  await writeConnection({ ...hubspot, auth: { kind: 'token', token: 'pat-na1-second-token' } });
  const next = (await clientFor('hubspot'))!;
  expect(next).not.toBe(client);
  // A job that began with the first client (a write-back) goes on with the portal it began with.
  await client.batchRead(['1'], { fields: ['email'] });
  await next.batchRead(['1'], { fields: ['email'] });
  expect(sent).toEqual(['Bearer pat-na1-first-token', 'Bearer pat-na1-second-token']);
  await writeConnection({ ...hubspot, account: { id: '456', name: 'HubSpot portal 456' } });
  expect(await clientFor('hubspot')).not.toBe(client);
});

describe('a record read (a badge\'s) the CRM answers', () => {
  it('ends the "reconnect" a sync left while the rep was logged out of Salesforce; one refused leaves it', async () => {
    const host = 'acme.my.salesforce.com';
    const sessionId = '00D5g000004Demo!ARsession';
    fakeBrowser.cookies.get = vi.fn(async ({ name }: { name: string }) => (name === 'sid' ? { value: sessionId } : null)) as never;
    let loggedIn = false;
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
      if (!loggedIn || new Headers(init.headers).get('authorization') !== `Bearer ${sessionId}`) return sessionExpired();
      if (isDescribe(input)) return describeLead();
      return json(200, { attributes: { type: 'Lead' }, Id: LEAD_ID, SystemModstamp: '2026-11-01T00:00:00.000+0000', Title: 'CEO' });
    });
    await writeConnection({ crm: 'salesforce', host, apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
    await writeStatus({ crm: 'salesforce', status: 'reconnect', host, message: 'Salesforce refused the session (HTTP 401)' });
    const client = (await clientFor('salesforce'))!;
    await expect(client.readRecord(LEAD_ID, { fields: ['Title'] })).rejects.toMatchObject({ kind: 'auth', status: 401 });
    expect(await readStatus('salesforce')).toMatchObject({ status: 'reconnect' });

    loggedIn = true;
    expect((await client.readRecord(LEAD_ID, { fields: ['Title'] }))?.fields.Title).toBe('CEO');
    expect(await readStatus('salesforce')).toEqual({ crm: 'salesforce', status: 'connected', host, message: `Connected to Salesforce at ${host}: leads were read from it` });
  });

  it('ends a "reconnect" when it reads a batch (a list page\'s badges) too', async () => {
    vi.stubGlobal('fetch', async () => json(200, { results: [] }));
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', timeoutSeconds: 30, auth: { kind: 'token', token: 'pat-na1-unit-token' } });
    await writeStatus({ crm: 'hubspot', status: 'reconnect', host: 'api.hubapi.com', message: 'HubSpot refused the token (HTTP 401)' });
    expect(await (await clientFor('hubspot'))!.batchRead(['1'], { fields: ['email'] })).toEqual([]);
    expect(await readStatus('hubspot')).toMatchObject({ status: 'connected' });
  });

  it('ends the "Not working" of a connect made while Salesforce could not be reached (a VPN down), the failed check\'s words with it', async () => {
    const host = 'acme.my.salesforce.com';
    fakeBrowser.cookies.get = vi.fn(async ({ name }: { name: string }) => (name === 'sid' ? { value: '00D5g000004Demo!ARsession' } : null)) as never;
    fakeBrowser.permissions.contains = vi.fn(async () => true);
    vi.spyOn(Math, 'random').mockReturnValue(0); // the check's retries, without their waits
    // In place of a connection that did not work: one that did is kept through a connect whose check fails.
    await writeConnection({ crm: 'salesforce', host, apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
    await writeStatus({ crm: 'salesforce', status: 'reconnect', host, message: 'Salesforce refused the session (HTTP 401)' });
    let reachable = false;
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
      if (!reachable) throw new TypeError('Failed to fetch');
      if (isDescribe(input)) return describeLead();
      return json(200, { attributes: { type: 'Lead' }, Id: LEAD_ID, SystemModstamp: '2026-11-01T00:00:00.000+0000', Title: 'CEO' });
    });
    expect(await syncHandlers.connectCrm({ crm: 'salesforce', host, apiVersion: '67.0' }, {} as Browser.runtime.MessageSender)).toMatchObject({ status: 'error', message: expect.stringContaining('could not reach') });

    reachable = true;
    expect((await (await clientFor('salesforce'))!.readRecord(LEAD_ID, { fields: ['Title'] }))?.fields.Title).toBe('CEO');
    expect(await readStatus('salesforce')).toEqual({ crm: 'salesforce', status: 'connected', host, message: `Connected to Salesforce at ${host}: leads were read from it` });
  });
});

it('keeps the "Not working" of a reconnect at an API version the org lacks when a read begun through the previous version answers', async () => {
  const previous: Connection = { crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '60.0', auth: { kind: 'session' }, timeoutSeconds: 30 };
  const mistyped: Connection = { ...previous, apiVersion: '99.0' };
  await writeConnection(mistyped);
  const failedCheck = { crm: 'salesforce' as const, status: 'error' as const, host: previous.host, message: 'API version 99.0 is not available on acme.my.salesforce.com; it offers 31.0–62.0' };
  await writeStatus(failedCheck);
  await clearReconnect(previous, 'leads were read from it');
  expect(await readStatus('salesforce')).toEqual(failedCheck);
  // A read through the stored connection itself ends it.
  await clearReconnect(mistyped, 'leads were read from it');
  expect(await readStatus('salesforce')).toMatchObject({ status: 'connected' });
});

describe('a record read (a badge\'s) the CRM refuses the credentials of', () => {
  const hubspot = { crm: 'hubspot', apiVersion: 'v3', timeoutSeconds: 30, auth: { kind: 'token', token: 'pat-na1-rotated-later' } } satisfies Connection;
  const tokenRefused = () => json(401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' });
  /** The connection statuses written to storage, in order. */
  const statusesWritten = (crm: string) => {
    const set = vi.spyOn(fakeBrowser.storage.local, 'set');
    return () => set.mock.calls.flatMap(([items]) => (items as Record<string, { status: string }>)[`connection-status:${crm}`]?.status ?? []);
  };

  it('says "reconnect", with what to do and the CRM\'s code, when HubSpot refuses the token, and writes it no more for the badges refused after', async () => {
    vi.stubGlobal('fetch', async () => tokenRefused());
    await writeConnection(hubspot);
    const written = statusesWritten('hubspot');
    const client = (await clientFor('hubspot'))!;
    const read = () => client.readRecord('101', { fields: ['email'] });
    await expect(read()).rejects.toMatchObject({ kind: 'auth', status: 401 });
    expect(await readStatus('hubspot')).toEqual({
      crm: 'hubspot',
      status: 'reconnect',
      host: 'api.hubapi.com',
      message: 'HubSpot did not accept the access token: paste a current access token of your private app (or service key), then Reconnect (HTTP 401 INVALID_AUTHENTICATION: Authentication credentials not found.)',
    });

    // Another badge and a list page's batch, refused too: nothing is written again.
    await expect(read()).rejects.toMatchObject({ kind: 'auth' });
    await expect(client.batchRead(['101', '102'], { fields: ['email'] })).rejects.toMatchObject({ kind: 'auth' });
    expect(written()).toEqual(['reconnect']);
  });

  it('writes "reconnect" once for badges refused at once', async () => {
    vi.stubGlobal('fetch', async () => tokenRefused());
    await writeConnection(hubspot);
    const written = statusesWritten('hubspot');
    const client = (await clientFor('hubspot'))!;
    const reads = [1, 2, 3].map((id) => client.readRecord(String(id), { fields: ['email'] }));
    await Promise.all(reads.map((reading) => expect(reading).rejects.toMatchObject({ kind: 'auth' })));
    expect(written()).toEqual(['reconnect']);
  });

  it('says "reconnect" when Salesforce refuses the refresh token of an OAuth connection, for a list page\'s batch too', async () => {
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) =>
      isTokenRequest(input) ? json(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' }) : sessionExpired(),
    );
    await expect((await clientFor('salesforce'))!.batchRead([LEAD_ID], { fields: ['Title'] })).rejects.toMatchObject({ kind: 'auth', status: 401 });
    expect(await readStatus('salesforce')).toMatchObject({
      status: 'reconnect',
      host: 'acme.my.salesforce.com',
      message: "Salesforce did not accept LeadLens's sign-in to acme.my.salesforce.com: Reconnect to sign in again (HTTP 401 INVALID_SESSION_ID: Session expired)",
    });
    expect(await readConnection('salesforce')).toEqual(salesforce); // the admin reconnects: nothing is forgotten
  });

  it.each([
    ['a server error', async () => json(500, { status: 'error', message: 'internal error' }), 'server'],
    ['no network', async () => Promise.reject(new TypeError('Failed to fetch')), 'network'],
    ['a missing scope', async () => json(403, { status: 'error', category: 'MISSING_SCOPES', message: 'This app hasn’t been granted all required scopes' }), 'request'],
  ] as const)('leaves the status alone for %s: the CRM did not refuse the token', async (_, answer, kind) => {
    vi.spyOn(Math, 'random').mockReturnValue(0); // retries without waiting
    vi.stubGlobal('fetch', answer);
    await writeConnection(hubspot);
    const written = statusesWritten('hubspot');
    await expect((await clientFor('hubspot'))!.readRecord('101', { fields: ['email'] })).rejects.toMatchObject({ kind });
    expect(await readStatus('hubspot')).toMatchObject({ status: 'connected' });
    expect(written()).toEqual([]);
  });

  describe('through the browser\'s Salesforce session', () => {
    const host = 'acme.my.salesforce.com';
    const loggedInAs = (sessionId: string | null) =>
      vi.spyOn(fakeBrowser.cookies, 'get').mockImplementation((async ({ name }: { name: string }) => (name === 'sid' && sessionId ? { value: sessionId } : null)) as never);
    beforeEach(async () => {
      vi.stubGlobal('fetch', async () => sessionExpired());
      await writeConnection({ crm: 'salesforce', host, apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
    });

    it('leaves the status alone while the rep is logged out: nothing is broken, logging in fixes it (not the host, which reads and syncs proved)', async () => {
      loggedInAs(null);
      const written = statusesWritten('salesforce');
      await expect((await clientFor('salesforce'))!.readRecord(LEAD_ID, { fields: ['Title'] })).rejects.toMatchObject({
        kind: 'auth',
        message: 'No Salesforce session for acme.my.salesforce.com in this browser: log in to Salesforce in this browser, then Reconnect',
      });
      expect(await readStatus('salesforce')).toMatchObject({ status: 'connected' });
      expect(written()).toEqual([]);
    });

    it('says "reconnect" when Salesforce refuses the session the browser holds', async () => {
      loggedInAs('00D5g000004Demo!ARsession');
      await expect((await clientFor('salesforce'))!.readRecord(LEAD_ID, { fields: ['Title'] })).rejects.toMatchObject({ kind: 'auth', status: 401 });
      expect(await readStatus('salesforce')).toMatchObject({
        status: 'reconnect',
        message:
          "Salesforce did not accept this browser's login to acme.my.salesforce.com (it may have timed out): log in to Salesforce in this browser, then Reconnect. If it goes on once you are logged in, your org may block session reuse: choose Sign in with OAuth, and connect again (HTTP 401 INVALID_SESSION_ID: Session expired)",
      });
    });
  });
});

describe("a new worker's Salesforce client (Chrome stops an idle worker, and its clients with it)", () => {
  let describes = 0;
  beforeEach(() => {
    describes = 0;
    fakeBrowser.permissions.remove = vi.fn(async () => true);
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
      if (isDescribe(input)) {
        describes++;
        return describeLead();
      }
      return json(200, { attributes: { type: 'Lead' }, Id: LEAD_ID, SystemModstamp: '2026-11-01T00:00:00.000+0000', Title: 'CEO' });
    });
  });
  /** `clientFor` of the client-for module loaded anew, as a new worker loads it: storage.session kept. */
  const newWorkerClient = async () => {
    vi.resetModules();
    return (await (await import('./client-for')).clientFor('salesforce'))!;
  };
  const readTitle = async (client: Pick<CrmClient, 'readRecord'>) => (await client.readRecord(LEAD_ID, { fields: ['Title'] }))?.fields.Title;

  it('reads a lead asking no describe: the worker before kept it in storage.session', async () => {
    expect(await readTitle((await clientFor('salesforce'))!)).toBe('CEO');
    expect(await readTitle(await newWorkerClient())).toBe('CEO');
    expect(describes).toBe(1);
  });

  it('describes again after a Disconnect, though the same org is connected again (perhaps signed in to as another user), and for another API version', async () => {
    await readTitle((await clientFor('salesforce'))!);
    await removeConnection('salesforce');
    await writeConnection(salesforce);
    await readTitle(await newWorkerClient());
    expect(describes).toBe(2);
    await writeConnection({ ...salesforce, apiVersion: '66.0' });
    await readTitle(await newWorkerClient());
    expect(describes).toBe(3);
  });

  it('reads the lead when storage.session is full, and the next worker describes again', async () => {
    vi.spyOn(fakeBrowser.storage.session, 'set').mockRejectedValue(new Error('Session storage quota bytes exceeded. Values were not stored.'));
    expect(await readTitle((await clientFor('salesforce'))!)).toBe('CEO');
    expect(await readTitle(await newWorkerClient())).toBe('CEO');
    expect(describes).toBe(2);
  });
});

describe("a new worker's HubSpot client (Chrome stops an idle worker, and its clients with it)", () => {
  const hubspot = { crm: 'hubspot', apiVersion: 'v3', timeoutSeconds: 30, auth: { kind: 'token', token: 'pat-na1-unit-token' } } satisfies Connection;
  const contact = (id: string) => ({ id, properties: { lastmodifieddate: '2026-11-01T00:00:00Z', jobtitle: 'CEO' } });
  let asked: string[] = [];
  beforeEach(async () => {
    asked = [];
    // The whole portal answered as HubSpot would, so that a read which listed its properties or owners first would count those requests, not fail.
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const { pathname } = new URL(String(input));
      asked.push(`${init.method ?? 'GET'} ${pathname}`);
      if (pathname === '/crm/v3/objects/contacts/batch/read') return json(200, { results: (JSON.parse(String(init.body)) as { inputs: { id: string }[] }).inputs.map(({ id }) => contact(id)) });
      if (pathname === '/crm/v3/properties/contacts') return json(200, { results: ['lastmodifieddate', 'jobtitle'].map((name) => ({ name, type: 'string' })) });
      if (pathname === '/crm/v3/owners') return json(200, { results: [{ id: '7', firstName: 'Ada', lastName: 'Rep' }] });
      return json(404, { category: 'OBJECT_NOT_FOUND', message: 'not served here' });
    });
    await writeConnection(hubspot);
  });
  /** record-source.ts, what a badge and a list page read through, loaded anew as a new worker loads it. */
  const newWorker = async () => {
    vi.resetModules();
    return import('../background/record-source');
  };

  it("reads a badge's contact, and a list page's, with one request each: neither waits for the property list or the owners a sync reads", async () => {
    expect(await (await newWorker()).fetchRecordFields('hubspot', '101', ['jobtitle', 'lifecyclestage'])).toEqual(contact('101').properties);
    expect(asked).toEqual(['POST /crm/v3/objects/contacts/batch/read']);
    asked = [];
    expect(await (await newWorker()).fetchRecordsFields('hubspot', ['101', '102'], ['jobtitle'])).toHaveLength(2);
    expect(asked).toEqual(['POST /crm/v3/objects/contacts/batch/read']);
  });
});
