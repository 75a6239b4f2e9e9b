/**
 * Automatic syncs: the admin's choice schedules one Chrome alarm of that period (kept across a
 * restart of the worker, not pushed back by it), and the alarm syncs each connected CRM that
 * neither asks to be reconnected (unless a Salesforce session it was refused for may be back)
 * nor is syncing already.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { writeStatus } from '../connections/connections';
import { writeConnection } from '../../test/fixtures/stored-connection';
import { db } from '../db/db';
import { AUTO_SYNC_ALARM, nextAutoSyncAt, readAutoSync, runAutoSync, scheduleAutoSync, setAutoSync } from './schedule';
import { INITIAL_SYNC_STATE } from './state';
import { dexieSyncStore } from './store';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
const startSync = vi.hoisted(() => vi.fn(async (_crm: string) => undefined));
vi.mock('./runner', () => ({ startSync }));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

beforeEach(async () => {
  fakeBrowser.reset();
  startSync.mockClear();
  await Promise.all(db.tables.map((table) => table.clear()));
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.UTC(2026, 11, 3, 9));
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

it('is off until the admin chooses, then schedules one alarm of that period, the first sync one period away', async () => {
  expect(await readAutoSync()).toEqual({ everyMinutes: null });
  await scheduleAutoSync();
  expect(await nextAutoSyncAt()).toBeNull();

  await setAutoSync({ everyMinutes: 240 });
  expect(await readAutoSync()).toEqual({ everyMinutes: 240 });
  const alarm = await fakeBrowser.alarms.get(AUTO_SYNC_ALARM);
  expect(alarm?.periodInMinutes).toBe(240);
  expect(await nextAutoSyncAt()).toBe(Date.now() + 4 * HOUR);

  await setAutoSync({ everyMinutes: null });
  expect(await fakeBrowser.alarms.get(AUTO_SYNC_ALARM)).toBeUndefined();
  expect(await nextAutoSyncAt()).toBeNull();
});

it('keeps the alarm it finds on a start of the worker, so restarts do not put the next sync off; makes it again when missing', async () => {
  await setAutoSync({ everyMinutes: 60 });
  const first = await nextAutoSyncAt();
  vi.setSystemTime(Date.now() + HOUR / 2);
  await scheduleAutoSync();
  expect(await nextAutoSyncAt()).toBe(first);

  // A browser restart lost it: due an hour after the last complete sync, ten minutes ago.
  await dexieSyncStore(db).writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'done', lastRun: { synced: 3, finishedAt: Date.now() - 10 * MINUTE, seconds: 2 } });
  await fakeBrowser.alarms.clearAll();
  await scheduleAutoSync();
  expect(await nextAutoSyncAt()).toBe(Date.now() + 50 * MINUTE);
  expect((await fakeBrowser.alarms.get(AUTO_SYNC_ALARM))?.periodInMinutes).toBe(60);

  // Closed all night: the sync it missed runs a minute after the background starts.
  vi.setSystemTime(Date.now() + 12 * HOUR);
  await fakeBrowser.alarms.clearAll();
  await scheduleAutoSync();
  expect(await nextAutoSyncAt()).toBe(Date.now() + MINUTE);
});

it('reads a setting it does not know as off', async () => {
  await db.settings.put({ key: 'auto-sync', value: { everyMinutes: 5 } });
  expect(await readAutoSync()).toEqual({ everyMinutes: null });
});

it('syncs the connected CRMs only: not one to reconnect, not one syncing already, not one not connected', async () => {
  await writeConnection({ crm: 'hubspot', apiVersion: '2026-03', auth: { kind: 'token', token: 'pat-na1-0000-unit' }, timeoutSeconds: 30 });
  expect(await runAutoSync()).toEqual(['hubspot']);
  expect(startSync).toHaveBeenCalledWith('hubspot');

  startSync.mockClear();
  await dexieSyncStore(db).writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'running' });
  expect(await runAutoSync()).toEqual([]);

  await dexieSyncStore(db).writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'done' });
  await writeStatus({ crm: 'hubspot', status: 'reconnect', host: 'api.hubapi.com', message: 'HubSpot refused the token' });
  expect(await runAutoSync()).toEqual([]);
  expect(startSync).not.toHaveBeenCalled();

  // A check that failed otherwise (a timeout) asks no reconnect: the sync is tried.
  await writeStatus({ crm: 'hubspot', status: 'error', host: 'api.hubapi.com', message: 'HubSpot did not answer within 30 s' });
  expect(await runAutoSync()).toEqual(['hubspot']);
});

it('tries a Salesforce session connection asking to reconnect while the browser holds a session for its org; a refused OAuth grant stays left', async () => {
  const host = 'acme.my.salesforce.com';
  const cookies = new Map<string, string>();
  fakeBrowser.cookies.get = vi.fn(async ({ url, name }: { url: string; name: string }) => {
    const value = cookies.get(`${url} ${name}`);
    return value === undefined ? null : { value };
  }) as never;
  await writeConnection({ crm: 'salesforce', host, apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
  // The sync the overdue alarm ran at browser start, before the rep had logged in:
  await writeStatus({ crm: 'salesforce', status: 'reconnect', host, message: `No Salesforce session for ${host} in this browser: log in to Salesforce, then reconnect` });
  expect(await runAutoSync()).toEqual([]);
  cookies.set('https://globex.my.salesforce.com/ sid', '00D-globex-session'); // another org's
  expect(await runAutoSync()).toEqual([]);

  // The rep logged in to the org: the next alarm syncs, and a sync the org answers ends the "reconnect".
  cookies.set(`https://${host}/ sid`, '00D5g000004Demo!ARsession');
  expect(await runAutoSync()).toEqual(['salesforce']);
  expect(startSync).toHaveBeenCalledWith('salesforce');

  // Salesforce refused the OAuth refresh token: only the admin reconnecting helps, whatever session the browser holds.
  startSync.mockClear();
  await writeConnection({ crm: 'salesforce', host, apiVersion: '67.0', auth: { kind: 'oauth', clientId: '3MVG9LeadLensDemoClientId', accessToken: 'access', refreshToken: '5Aep-refresh' }, timeoutSeconds: 30 });
  await writeStatus({ crm: 'salesforce', status: 'reconnect', host, message: 'Salesforce refused the refresh token' });
  expect(await runAutoSync()).toEqual([]);
  expect(startSync).not.toHaveBeenCalled();
});

it('starts the other CRMs when one fails to start', async () => {
  await writeConnection({ crm: 'hubspot', apiVersion: '2026-03', auth: { kind: 'token', token: 'pat-na1-0000-unit' }, timeoutSeconds: 30 });
  await writeConnection({ crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  startSync.mockImplementationOnce(async () => {
    throw new Error('QuotaExceededError');
  });
  expect(await runAutoSync()).toEqual(['hubspot']);
  expect(startSync.mock.calls.map(([crm]) => crm)).toEqual(['salesforce', 'hubspot']);
});
