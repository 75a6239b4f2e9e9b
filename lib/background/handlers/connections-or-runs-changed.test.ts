/**
 * Extension pages are told (`connectionsOrRunsChanged`) when a CRM connection is made, checked or
 * removed, and when a sync or write-back starts: another options page, or the side panel, shows
 * them otherwise as it last read them (still connected after a Disconnect, a sync it never saw start
 * left unpolled). A connect that stores nothing tells no one.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, expect, it, vi } from 'vitest';
import { clearReconnect, markReconnect } from '../../connections/connections';
import { generateDemoLeads } from '../../crm/demo-data';
import { db } from '../../db/db';
import { onEvent } from '../../messaging/events';
import { isUnderway } from '../../messaging/protocol-write-back';
import { startSync } from '../../sync/runner';
import { dexieSyncStore } from '../../sync/store';
import { demoFetch } from '../../../test/demo-crm/fetch';
import { defaultBehaviour } from '../../../test/demo-crm/behaviour';
import { createDemoCrmHandler } from '../../../test/demo-crm/server';
import { writeConnection } from '../../../test/fixtures/stored-connection';
import { stubWebLocks } from '../../../test/web-locks';
import { WriteBackTargetSchema } from '../write-back';
import { cancelWriteBack, readWriteBack, startWriteBack } from '../write-back-job';
import { syncHandlers } from './sync';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const sender = {} as Browser.runtime.MessageSender;
const HUBSPOT_TOKEN = 'pat-na1-0000-unit';
const REVOKED_TOKEN = 'pat-na1-0000-revoked';

/** How many times pages were told, counted from now. */
function pagesTold(): { count: () => number } {
  let count = 0;
  onEvent('connectionsOrRunsChanged', () => count++);
  return { count: () => count };
}

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  fakeBrowser.permissions.remove = vi.fn(async () => true);
  fakeBrowser.runtime.getPlatformInfo = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
  stubWebLocks();
  const behaviour = defaultBehaviour();
  behaviour.revokedTokens.add(REVOKED_TOKEN);
  vi.stubGlobal('fetch', demoFetch(createDemoCrmHandler(generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), behaviour)));
  await Promise.all(db.tables.map((table) => table.clear()));
});

it('tells pages when a CRM is connected, and its connection tested', async () => {
  const told = pagesTold();
  const connected = await syncHandlers.connectCrm({ crm: 'hubspot', apiVersion: 'v3', token: HUBSPOT_TOKEN }, sender);
  expect(connected.ok && connected.status).toBe('connected');
  expect(told.count()).toBe(1);

  await syncHandlers.testConnection({ crm: 'hubspot' }, sender);
  expect(told.count()).toBe(2);
});

it('tells pages when a CRM is disconnected', async () => {
  await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: HUBSPOT_TOKEN }, timeoutSeconds: 30 });
  const told = pagesTold();
  await syncHandlers.disconnectCrm({ crm: 'hubspot' }, sender);
  expect(told.count()).toBe(1);
});

it('tells no page of a connect that stored nothing', async () => {
  // A token HubSpot refuses, while the working connection is kept.
  await syncHandlers.connectCrm({ crm: 'hubspot', apiVersion: 'v3', token: HUBSPOT_TOKEN }, sender);
  const told = pagesTold();
  const refused = await syncHandlers.connectCrm({ crm: 'hubspot', apiVersion: 'v3', token: REVOKED_TOKEN }, sender);
  expect(refused.ok).toBe(false);
  expect(told.count()).toBe(0);
});

it('tells pages when a sync starts (Sync now, and the schedule: both start it here), once it reads as running', async () => {
  const told = pagesTold();
  let statusWhenTold: string | undefined;
  onEvent('connectionsOrRunsChanged', () => void dexieSyncStore(db).readState('hubspot').then((state) => (statusWhenTold ??= state.status)));
  // Not connected: the job ends at once, refused, after it was marked running.
  await startSync('hubspot');
  expect(told.count()).toBe(1);
  await vi.waitFor(() => expect(statusWhenTold).toBe('running'));
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('hubspot')).status).toBe('error'));
});

it('tells pages when a write-back starts, once it reads as under way', async () => {
  await writeConnection({ crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
  let statusWhenTold: string | undefined;
  onEvent('connectionsOrRunsChanged', () => void readWriteBack('salesforce').then((writeBack) => (statusWhenTold ??= writeBack.status)));
  await startWriteBack(WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null }));
  await vi.waitFor(() => expect(statusWhenTold).toBe('checking'));
  await cancelWriteBack('salesforce');
  await vi.waitFor(async () => expect(isUnderway((await readWriteBack('salesforce')).status)).toBe(false), { timeout: 5000 });
});

it("tells pages when a badge's read finds the connection refused, and when one is answered again", async () => {
  const connection = { crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: HUBSPOT_TOKEN }, timeoutSeconds: 30 } as const;
  await writeConnection(connection);
  const told = pagesTold();
  await markReconnect(connection, new Error('401'));
  expect(told.count()).toBe(1);
  await clearReconnect(connection, 'contacts readable');
  expect(told.count()).toBe(2);
});
