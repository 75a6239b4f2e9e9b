/**
 * The connection status the options page is sent carries each connection's settings (how it
 * signs in, its API version), so its form connects it the same way again, and nothing else
 * of the stored connection: no credential.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { markReconnect } from '../../connections/connections';
import { writeConnection } from '../../../test/fixtures/stored-connection';
import type { Connection } from '../../connections/schema';
import { syncProtocol } from '../../messaging/protocol-sync';
import { salesforceOAuthConnection } from '../../../test/fixtures/salesforce-oauth-connection';
import { stubWebLocks } from '../../../test/web-locks';
import { syncHandlers } from './sync';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const sender = {} as Browser.runtime.MessageSender;

/** The connections as the page gets them: through the protocol's output schema. */
async function connectionsShown() {
  const reply = syncProtocol.connectionStatus.output.parse(await syncHandlers.connectionStatus({}, sender));
  if (!reply.ok) throw new Error(reply.error);
  return reply.connections;
}

beforeEach(() => {
  fakeBrowser.reset();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

it('tells an OAuth connection needing reconnecting by its sign-in, client id and API version, and no more', async () => {
  const oauth = salesforceOAuthConnection({ accessToken: '00D5g000004Demo!AQunit-access', refreshToken: '5Aepunit-refresh' }, '65.0');
  await writeConnection(oauth);
  await markReconnect(oauth, 'Salesforce refused the refresh token');
  expect((await connectionsShown())[0]).toEqual({
    crm: 'salesforce',
    status: 'reconnect',
    host: 'acme.my.salesforce.com',
    message: 'Salesforce refused the refresh token',
    settings: { crm: 'salesforce', apiVersion: '65.0', signIn: { kind: 'oauth', clientId: '3MVG9LeadLensDemoClientId' } },
  });
});

it('tells a session connection and a HubSpot connection by their sign-in and API version; a CRM not connected has none', async () => {
  await writeConnection({ crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '66.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
  expect((await connectionsShown()).map((connection) => connection.settings)).toEqual([{ crm: 'salesforce', apiVersion: '66.0', signIn: { kind: 'session' } }, null]);

  await writeConnection({ crm: 'hubspot', apiVersion: '2026-03', auth: { kind: 'token', token: 'pat-na1-0000-unit' }, timeoutSeconds: 30 });
  expect((await connectionsShown())[1]).toEqual({
    crm: 'hubspot',
    status: 'connected',
    host: 'api.hubapi.com',
    message: 'Connected',
    settings: { crm: 'hubspot', apiVersion: '2026-03' },
  });
});

it('says a CRM that never answers did not answer within the check\'s minute, not "Cancelled"', async () => {
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  fakeBrowser.cookies.get = vi.fn(async () => ({ value: '00D5g000004Demo!ARsession' })) as never;
  vi.stubGlobal('navigator', { locks: { request: async (_name: string, _options: unknown, task: () => unknown) => task() } });
  // The check's minute, and the retries' waits, run out a thousand times faster.
  const timeout = AbortSignal.timeout.bind(AbortSignal);
  vi.spyOn(AbortSignal, 'timeout').mockImplementation((ms) => timeout(ms / 1000));
  vi.spyOn(Math, 'random').mockReturnValue(0);
  // Packets dropped: no answer, until the request's signal gives up, as fetch does.
  vi.stubGlobal('fetch', (_input: unknown, init?: RequestInit) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))));
  expect(await syncHandlers.connectCrm({ crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '67.0' }, sender)).toEqual({ ok: true, crm: 'salesforce', status: 'error', host: 'acme.my.salesforce.com', message: 'Salesforce did not answer within 60 s' });
  expect(await syncHandlers.testConnection({ crm: 'salesforce' }, sender)).toMatchObject({ status: 'error', message: 'Salesforce did not answer within 60 s' });
});

it('says which scope a HubSpot token lacks, to be added in HubSpot: not working, rather than needing reconnecting', async () => {
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  vi.stubGlobal('navigator', { locks: { request: async (_name: string, _options: unknown, task: () => unknown) => task() } });
  const missingScope = { status: 'error', message: 'This app hasn’t been granted all required scopes to make this call.', errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.contacts.read'] } }], category: 'MISSING_SCOPES' };
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(missingScope), { status: 403, headers: { 'content-type': 'application/json' } }));
  expect(await syncHandlers.connectCrm({ crm: 'hubspot', token: 'pat-na1-0000-unit', apiVersion: 'v3' }, sender)).toEqual({
    ok: true,
    crm: 'hubspot',
    status: 'error',
    host: 'api.hubapi.com',
    message: 'HubSpot refused to read contacts: the private app or service key whose token LeadLens uses lacks the scope crm.objects.contacts.read. Add it to that app or key in HubSpot (under Settings › Integrations, or Development), then try again',
  });
});

describe('a Salesforce host the browser holds no session for (the default sign-in)', () => {
  const MISTYPED = 'leadlens-dmeo.my.salesforce.com';
  /** The requests the check sent, with their credentials. */
  let sent: { url: string; credentials?: RequestCredentials; authorization: string | null }[];

  beforeEach(() => {
    fakeBrowser.permissions.contains = vi.fn(async () => true);
    fakeBrowser.cookies.get = vi.fn(async () => null) as never; // no `sid` cookie for the host
    stubWebLocks();
    sent = [];
  });

  /** `fetch` answering with `answer`, recording what the check sent. */
  const answering = (answer: () => Promise<Response>) =>
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
      sent.push({ url: String(input), credentials: init.credentials, authorization: new Headers(init.headers).get('authorization') });
      return answer();
    });

  it('is a host to check, not a login to renew, when it does not answer at all (a mistyped My Domain); only that host is asked, with no credentials', async () => {
    answering(() => Promise.reject(new TypeError('Failed to fetch')));
    const reply = await syncHandlers.connectCrm({ crm: 'salesforce', host: MISTYPED, apiVersion: '67.0' }, sender);
    expect(reply).toEqual({
      ok: true,
      crm: 'salesforce',
      status: 'error',
      host: MISTYPED,
      message: `Could not reach ${MISTYPED}: check the My Domain host (Salesforce Setup › My Domain shows it), and that this browser can reach it (VPN, proxy)`,
    });
    expect(sent).toEqual([{ url: `https://${MISTYPED}/services/data/`, credentials: 'omit', authorization: null }]);
  });

  it('is a host to check when it answers, but not as a Salesforce org does', async () => {
    answering(async () => new Response('<html>Not here</html>', { status: 404, headers: { 'content-type': 'text/html' } }));
    expect(await syncHandlers.connectCrm({ crm: 'salesforce', host: MISTYPED, apiVersion: '67.0' }, sender)).toMatchObject({
      status: 'error',
      message: `${MISTYPED} did not answer as a Salesforce org does: check the My Domain host (Salesforce Setup › My Domain shows it)`,
    });
  });

  it.each([502, 503])('is a CRM to try again later, not a host to check, when it answers HTTP %i (an org down or in maintenance, a proxy\'s error page)', async (status) => {
    answering(async () => new Response('<html>Down for maintenance</html>', { status, headers: { 'content-type': 'text/html' } }));
    expect(await syncHandlers.connectCrm({ crm: 'salesforce', host: MISTYPED, apiVersion: '67.0' }, sender)).toEqual({
      ok: true,
      crm: 'salesforce',
      status: 'error',
      host: MISTYPED,
      message: `${MISTYPED} answered HTTP ${status}: Salesforce may be down or in maintenance — try again later`,
    });
  });

  it('names both causes, the login to make and the host to correct, when the host answers as an org: the admin may be logged in to their own', async () => {
    answering(async () => new Response(JSON.stringify([{ label: "Summer '26", url: '/services/data/v67.0', version: '67.0' }]), { status: 200 }));
    expect(await syncHandlers.connectCrm({ crm: 'salesforce', host: MISTYPED, apiVersion: '67.0' }, sender)).toMatchObject({
      status: 'reconnect',
      message: `No Salesforce session for ${MISTYPED} in this browser: log in to Salesforce in this browser, then Reconnect. If you are logged in already, ${MISTYPED} is not your org's My Domain: connect with the one Salesforce Setup › My Domain shows`,
    });
    expect(sent.map((request) => request.authorization)).toEqual([null]);
  });
});

describe('credentials the CRM refuses (a 401) say, in plain words, the step that fixes them, with what the CRM said at the end', () => {
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const sessionExpired = () => json(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]);

  beforeEach(() => {
    fakeBrowser.permissions.contains = vi.fn(async () => true);
    fakeBrowser.cookies.get = vi.fn(async () => ({ value: '00D5g000004Demo!ARsession' })) as never;
    stubWebLocks(); // an OAuth renewal takes its turn under a Web Lock
  });

  it.each([
    [
      "the browser's Salesforce session",
      { crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 },
      sessionExpired,
      "Salesforce did not accept this browser's login to acme.my.salesforce.com (it may have timed out): log in to Salesforce in this browser, then Reconnect. If it goes on once you are logged in, your org may block session reuse: choose Sign in with OAuth, and connect again (HTTP 401 INVALID_SESSION_ID: Session expired or invalid)",
    ],
    [
      "the browser's Salesforce session, in an org that blocks session reuse: its reason is kept, and OAuth named as the way in",
      { crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 },
      () => json(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'This session is not valid for use with the REST API' }]),
      "Salesforce did not accept this browser's login to acme.my.salesforce.com (it may have timed out): log in to Salesforce in this browser, then Reconnect. If it goes on once you are logged in, your org may block session reuse: choose Sign in with OAuth, and connect again (HTTP 401 INVALID_SESSION_ID: This session is not valid for use with the REST API)",
    ],
    [
      'an OAuth sign-in whose refresh token Salesforce refuses too',
      {
        crm: 'salesforce',
        host: 'acme.my.salesforce.com',
        apiVersion: '67.0',
        auth: { kind: 'oauth', clientId: '3MVG9LeadLensDemoClientId', accessToken: '00D5g000004Demo!AQexpired', refreshToken: '5Aep-revoked' },
        timeoutSeconds: 30,
      },
      sessionExpired,
      "Salesforce did not accept LeadLens's sign-in to acme.my.salesforce.com: Reconnect to sign in again (HTTP 401 INVALID_SESSION_ID: Session expired or invalid)",
    ],
    [
      'a HubSpot token that expired (an OAuth token pasted for a private app’s)',
      { crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-0000-unit' }, timeoutSeconds: 30 },
      () => json(401, { status: 'error', message: 'The OAuth token used to make this call expired 2 minute(s) ago.', category: 'EXPIRED_AUTHENTICATION' }),
      'HubSpot did not accept the access token: paste a current access token of your private app (or service key), then Reconnect (HTTP 401 EXPIRED_AUTHENTICATION: The OAuth token used to make this call expired 2 minute(s) ago.)',
    ],
  ] satisfies [string, Connection, () => Response, string][])('%s', async (_, connection, refused, message) => {
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) =>
      String(input).endsWith('/services/oauth2/token') ? json(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' }) : refused(),
    );
    await writeConnection(connection);
    expect(await syncHandlers.testConnection({ crm: connection.crm }, sender)).toMatchObject({ status: 'reconnect', message });
    expect((await connectionsShown()).find((shown) => shown.crm === connection.crm)).toMatchObject({ status: 'reconnect', message });
  });
});
