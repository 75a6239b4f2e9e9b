/**
 * The connection status the options page is sent carries each connection's settings (how it
 * signs in, its API version), so its form connects it the same way again, and nothing else
 * of the stored connection: no credential.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { markReconnect, writeConnection } from '../../connections/connections';
import type { Connection } from '../../connections/schema';
import { syncProtocol } from '../../messaging/protocol-sync';
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
  const oauth: Connection = {
    crm: 'salesforce',
    host: 'acme.my.salesforce.com',
    apiVersion: '65.0',
    auth: { kind: 'oauth', clientId: '3MVG9LeadLensDemoClientId', accessToken: '00D5g000004Demo!AQunit-access', refreshToken: '5Aepunit-refresh' },
    timeoutSeconds: 30,
  };
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
