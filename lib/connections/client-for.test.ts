/**
 * A Salesforce OAuth renewal that is still waiting for Salesforce when the admin disconnects
 * must not write the connection (and its refresh token) back.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { expect, it, vi } from 'vitest';
import { syncHandlers } from '../background/handlers/sync';
import { clientFor } from './client-for';
import { readConnection, writeConnection } from './connections';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

it('keeps nothing a renewal brings back after the admin disconnected', async () => {
  fakeBrowser.reset();
  // Node has no Web Locks: no job holds one here.
  vi.stubGlobal('navigator', { locks: { query: async () => ({ held: [], pending: [] }) } });
  fakeBrowser.permissions.remove = vi.fn(async () => true);
  let answerToken!: () => void;
  const tokenAnswered = new Promise<void>((resolve) => (answerToken = resolve));
  let tokenAsked!: () => void;
  const tokenRequested = new Promise<void>((resolve) => (tokenAsked = resolve));
  vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
    if (String(input).endsWith('/services/oauth2/token')) {
      tokenAsked();
      await tokenAnswered;
      return new Response(JSON.stringify({ access_token: 'new-access' }), { status: 200 });
    }
    return new Response(JSON.stringify([{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired' }]), { status: 401 });
  });
  await writeConnection({
    crm: 'salesforce',
    host: 'acme.my.salesforce.com',
    apiVersion: '67.0',
    timeoutSeconds: 30,
    auth: { kind: 'oauth', clientId: '3MVG9LeadLensDemoClientId', accessToken: 'old-access', refreshToken: '5Aep-refresh-secret' },
  });
  const client = (await clientFor('salesforce'))!;
  const reading = client.readRecord('00Q5g00000AbCdEAAA', { fields: ['Title'] }).catch((error: unknown) => error);
  await tokenRequested;
  await syncHandlers.disconnectCrm({ crm: 'salesforce' }, {} as never);
  answerToken();
  await reading;
  expect(await readConnection('salesforce')).toBeNull();
  vi.unstubAllGlobals();
});
