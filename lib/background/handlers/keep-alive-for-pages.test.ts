/**
 * What the options page asks and waits for that can take up to a minute with no extension call
 * (a CRM answering slowly, a purge waiting for jobs to stop) keeps the worker alive: Chrome stops
 * one idle for 30 s, and the page would get "message channel closed", the verdict never saved.
 * And no longer than the work: none once the reply is sent.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { deferred } from '../../../test/deferred';
import { stubWebLocks } from '../../../test/web-locks';
import { readConnection, readStatus } from '../../connections/connections';
import { writeConnection } from '../../../test/fixtures/stored-connection';
import { db } from '../../db/db';
import { STORED_SCORES_LOCK } from '../../jobs/progress';
import { startSync } from '../../sync/runner';
import { privacyHandlers } from './privacy';
import { learnPortalInBackground } from '../hubspot-portal';
import { syncHandlers } from './sync';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
/** The CRM's answer to the request under way, held until the test gives it. */
const crm = vi.hoisted(() => ({ answer: null as (() => void) | null }));
const PORTAL = { id: '123', name: 'HubSpot portal 123' };
vi.mock('../../connections/client-for', async (importOriginal) => {
  const slowly = <T>(value: T) => new Promise<T>((resolve) => (crm.answer = () => resolve(value)));
  const client = {
    checkAccess: () => slowly(PORTAL),
    optionLabels: () => slowly({ Status: { open: 'Open' } }),
    lifecycleStages: () => slowly([{ value: '1234567', label: 'Product Qualified Lead' }, { value: 'custom_no_label', label: null }]),
  };
  return { ...(await importOriginal<object>()), clientForConnection: () => client, clientFor: async () => client };
});
// The sync itself is not under test: only the portal check Sync now makes first. (Not the module
// itself spread here: it imports, through the scoring, the handlers that import it.)
vi.mock('../../sync/runner', () => ({ startSync: vi.fn(async () => undefined), cancelSync: vi.fn(async () => undefined), syncLockName: (crm: string) => `leadlens-sync:${crm}` }));

const sender = {} as Browser.runtime.MessageSender;
const idleResets = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
const HUBSPOT = { crm: 'hubspot', apiVersion: '2026-03', auth: { kind: 'token', token: 'pat-na1-0000-unit' }, timeoutSeconds: 30 } as const;

beforeEach(async () => {
  fakeBrowser.reset();
  stubWebLocks();
  crm.answer = null;
  idleResets.mockClear();
  fakeBrowser.runtime.getPlatformInfo = idleResets;
  (fakeBrowser as { permissions: unknown }).permissions = { contains: vi.fn(async () => true), getAll: vi.fn(async () => ({ origins: [] })), remove: vi.fn(async () => true) };
  await Promise.all(db.tables.map((table) => table.clear()));
  // Connected, its portal not known yet (HubSpot was down when it was connected).
  await writeConnection(HUBSPOT);
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/**
 * Asks `request`, lets a minute pass once `waiting` says it waits (a slow CRM: a request timing
 * out, retried after a back-off), then lets it end with `end`. Resolves with its reply and how many
 * times the worker's idle timer was reset meanwhile; checks none is once it replied.
 */
async function aMinuteLong<T>(request: () => Promise<T>, waiting: () => Promise<boolean> | boolean, end: () => void): Promise<{ resets: number; reply: T }> {
  const pending = request();
  await vi.waitFor(async () => expect(await waiting()).toBe(true));
  const before = idleResets.mock.calls.length;
  await vi.advanceTimersByTimeAsync(60_000);
  const resets = idleResets.mock.calls.length - before;
  end();
  const reply = await pending;
  const afterReply = idleResets.mock.calls.length;
  await vi.advanceTimersByTimeAsync(60_000);
  expect(idleResets).toHaveBeenCalledTimes(afterReply);
  return { resets, reply };
}
/** `aMinuteLong`, HubSpot taking that long to answer. */
const whileHubSpotAnswers = <T>(request: () => Promise<T>) => aMinuteLong(request, () => crm.answer !== null, () => crm.answer!());

it('Test connection: through a minute-long check, and its verdict is saved', async () => {
  const { resets, reply } = await whileHubSpotAnswers(() => syncHandlers.testConnection({ crm: 'hubspot' }, sender));
  expect(resets).toBeGreaterThanOrEqual(2);
  expect(reply).toMatchObject({ ok: true, status: 'connected' });
  expect((await readStatus('hubspot')).status).toBe('connected');
  expect(await readConnection('hubspot')).toMatchObject({ account: PORTAL });
});

it('Connect: through the check of the new token', async () => {
  const { resets, reply } = await whileHubSpotAnswers(() => syncHandlers.connectCrm({ crm: 'hubspot', apiVersion: '2026-03', token: 'pat-na1-1111-unit' }, sender));
  expect(resets).toBeGreaterThanOrEqual(2);
  expect(reply).toMatchObject({ ok: true, status: 'connected' });
  expect(await readConnection('hubspot')).toMatchObject({ auth: { token: 'pat-na1-1111-unit' }, account: PORTAL });
});

it('Sync now: through the portal check it makes first, the portal unknown', async () => {
  const { resets, reply } = await whileHubSpotAnswers(() => syncHandlers.startSync({ crm: 'hubspot' }, sender));
  expect(resets).toBeGreaterThanOrEqual(2);
  expect(reply).toMatchObject({ ok: true, crm: 'hubspot' });
  expect(startSync).toHaveBeenCalledWith('hubspot');
  expect(await readConnection('hubspot')).toMatchObject({ account: PORTAL });
});

it('and the same check asked by the background (start-up, a HubSpot page), as before', async () => {
  const { resets } = await whileHubSpotAnswers(() => learnPortalInBackground());
  expect(resets).toBeGreaterThanOrEqual(2);
  expect(await readConnection('hubspot')).toMatchObject({ account: PORTAL });
});

it('the CRM’s labels of option values, asked for up to a minute', async () => {
  const { resets, reply } = await whileHubSpotAnswers(() => syncHandlers.crmOptionLabels({ crm: 'hubspot', fields: ['Status'] }, sender));
  expect(resets).toBeGreaterThanOrEqual(2);
  expect(reply).toEqual({ ok: true, labels: { Status: { open: 'Open' } } });
});

it('the portal’s lifecycle stages, asked for up to a minute; a stage without a label named by its value', async () => {
  const { resets, reply } = await whileHubSpotAnswers(() => syncHandlers.crmLifecycleStages({}, sender));
  expect(resets).toBeGreaterThanOrEqual(2);
  expect(reply).toEqual({ ok: true, stages: [{ value: '1234567', label: 'Product Qualified Lead' }, { value: 'custom_no_label', label: 'custom_no_label' }] });
});

it('Purge everything: while it waits for a running job to stop', async () => {
  const job = deferred();
  void navigator.locks.request(STORED_SCORES_LOCK, () => job.promise); // a scoring finishing its batch
  const purgeWaits = async () => (await navigator.locks.query()).pending?.some((lock) => lock.name === STORED_SCORES_LOCK) ?? false;
  const { resets, reply } = await aMinuteLong(() => privacyHandlers.purgeEverything({}, sender), purgeWaits, job.resolve);
  expect(resets).toBeGreaterThanOrEqual(2);
  expect(reply).toEqual({ ok: true });
  expect(await readConnection('hubspot')).toBeNull();
});
