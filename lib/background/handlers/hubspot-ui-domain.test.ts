/**
 * Where a HubSpot portal's pages are (`uiDomain`, one host per data centre), which Open in CRM
 * opens: a connection stored before LeadLens kept it learns it on its next check, and the sync
 * state records the portal alone.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, expect, it, vi } from 'vitest';
import { readConnection } from '../../connections/connections';
import { writeConnection } from '../../../test/fixtures/stored-connection';
import { generateDemoLeads } from '../../crm/demo-data';
import { db } from '../../db/db';
import { dexieSyncStore } from '../../sync/store';
import { defaultBehaviour } from '../../../test/demo-crm/behaviour';
import { demoFetch } from '../../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../../test/demo-crm/server';
import { stubWebLocks } from '../../../test/web-locks';
import { learnPortalInBackground } from '../hubspot-portal';
import { syncHandlers } from './sync';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const PORTAL = { id: '4242424', name: 'HubSpot portal 4242424' };
/** How many times the account details were asked for. */
let accountReads = 0;

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  fakeBrowser.tabs.query = vi.fn(async () => []) as never;
  stubWebLocks();
  const handle = createDemoCrmHandler(generateDemoLeads({ count: 3, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), defaultBehaviour());
  // A portal in HubSpot's EU data centre: its account details name app-eu1 as the host of its pages.
  vi.stubGlobal(
    'fetch',
    demoFetch((request) => {
      const response = handle(request);
      if (request.url.pathname.startsWith('/account-info/')) accountReads++;
      return request.url.pathname.startsWith('/account-info/') ? { ...response, body: JSON.stringify({ ...JSON.parse(response.body), uiDomain: 'app-eu1.hubspot.com' }) } : response;
    }),
  );
  await Promise.all(db.tables.map((table) => table.clear()));
  accountReads = 0;
});

it('a connection stored with its portal but no host learns the host on Test connection; the sync state records the portal alone', async () => {
  // As LeadLens stored one before it kept the host (3ec93cc).
  await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-0123456789abcdef' }, timeoutSeconds: 30, account: PORTAL });
  const reply = await syncHandlers.testConnection({ crm: 'hubspot' }, { id: 'test' } as never);
  expect(reply.ok && reply.status).toBe('connected');
  const stored = await readConnection('hubspot');
  expect(stored?.crm === 'hubspot' && stored.account).toEqual({ ...PORTAL, uiDomain: 'app-eu1.hubspot.com' });
  expect((await dexieSyncStore(db).readState('hubspot')).account).toEqual(PORTAL);
  expect(JSON.stringify((await db.settings.toArray()).filter(({ key }) => key.startsWith('sync')))).not.toContain('uiDomain');
});

it('such a connection learns the host in the background too (start-up, the hourly alarm), asked once per browser session, not at each worker start', async () => {
  const stored = { crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-0123456789abcdef' }, timeoutSeconds: 30, account: PORTAL } as const;
  await writeConnection(stored);
  await learnPortalInBackground();
  const learnt = await readConnection('hubspot');
  expect(learnt?.crm === 'hubspot' && learnt.account).toEqual({ ...PORTAL, uiDomain: 'app-eu1.hubspot.com' });
  // HubSpot naming no host LeadLens runs on would leave it unknown: not asked again at every start,
  // of this worker or of the next (the module loaded anew, storage.session kept).
  await writeConnection(stored);
  const asked = accountReads;
  await learnPortalInBackground();
  vi.resetModules();
  const nextWorker = await import('../hubspot-portal');
  await nextWorker.learnPortalInBackground();
  expect(accountReads).toBe(asked);
});
