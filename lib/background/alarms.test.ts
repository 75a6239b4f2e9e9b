/**
 * The background's alarms: each one's work keeps the worker alive until it ends, and a failure
 * is logged without keeping the rest of that alarm's work from running.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SYNC_WATCHDOG_ALARM, resumeSyncs } from '../sync/runner';
import { AUTO_SYNC_ALARM, runAutoSync } from '../sync/schedule';
import { handleAlarm } from './alarms';
import { learnPortalInBackground } from './hubspot-portal';
import { KEEP_ALIVE_INTERVAL_MS } from './keep-alive';
import { REFRESH_SCORES_ALARM, refreshStaleScores } from './refresh-scores';
import { deferred } from '../../test/deferred';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
vi.mock('../sync/runner', async (importOriginal) => ({ ...(await importOriginal<typeof import('../sync/runner')>()), resumeSyncs: vi.fn() }));
vi.mock('../sync/schedule', async (importOriginal) => ({ ...(await importOriginal<typeof import('../sync/schedule')>()), runAutoSync: vi.fn() }));
vi.mock('./hubspot-portal', () => ({ learnPortalInBackground: vi.fn() }));
vi.mock('./refresh-scores', async (importOriginal) => ({ ...(await importOriginal<typeof import('./refresh-scores')>()), refreshStaleScores: vi.fn() }));

/** Extension API calls that reset the worker's idle timer (`resetWorkerIdleTimer`). */
const idleResets = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);


beforeEach(() => {
  fakeBrowser.reset();
  vi.clearAllMocks();
  fakeBrowser.runtime.getPlatformInfo = idleResets;
  vi.mocked(learnPortalInBackground).mockResolvedValue(undefined);
  vi.mocked(runAutoSync).mockResolvedValue([]);
  vi.mocked(resumeSyncs).mockResolvedValue(undefined);
  vi.mocked(refreshStaleScores).mockResolvedValue(true);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.mocked(console.error).mockRestore();
});

describe('keeps the worker alive until the alarm’s work is done', () => {
  const alarms = [
    // A HubSpot connection whose portal is unknown is checked first: up to a minute of HubSpot requests, no extension call.
    { name: AUTO_SYNC_ALARM, step: 'checking the HubSpot connection', slowStep: () => vi.mocked(learnPortalInBackground) },
    { name: AUTO_SYNC_ALARM, step: 'starting the syncs', slowStep: () => vi.mocked(runAutoSync) },
    { name: REFRESH_SCORES_ALARM, step: 'scoring stale leads again', slowStep: () => vi.mocked(refreshStaleScores) },
    { name: SYNC_WATCHDOG_ALARM, step: 'resuming syncs', slowStep: () => vi.mocked(resumeSyncs) },
  ];
  it.each(alarms)('$name, $step', async ({ name, slowStep }) => {
    const step = deferred();
    slowStep().mockReturnValue(step.promise as never);
    const handled = handleAlarm(name);
    await vi.advanceTimersByTimeAsync(KEEP_ALIVE_INTERVAL_MS * 3);
    expect(idleResets).toHaveBeenCalledTimes(3);
    step.resolve();
    await handled;
    await vi.advanceTimersByTimeAsync(KEEP_ALIVE_INTERVAL_MS * 3);
    expect(idleResets).toHaveBeenCalledTimes(3);
  });
});

it('starts the automatic syncs (Salesforce’s among them) once the HubSpot check has ended, which logs its own failure', async () => {
  const check = deferred();
  vi.mocked(learnPortalInBackground).mockReturnValue(check.promise);
  const handled = handleAlarm(AUTO_SYNC_ALARM);
  await vi.advanceTimersByTimeAsync(0);
  expect(runAutoSync).not.toHaveBeenCalled();
  check.resolve();
  await handled;
  expect(runAutoSync).toHaveBeenCalledTimes(1);
});

it('logs a failure of the alarm’s work, and stops keeping the worker alive', async () => {
  vi.mocked(refreshStaleScores).mockRejectedValue(new Error('The model could not be loaded'));
  await expect(handleAlarm(REFRESH_SCORES_ALARM)).resolves.toBeUndefined();
  expect(console.error).toHaveBeenCalledWith('LeadLens: scoring the stored leads again failed', new Error('The model could not be loaded'));
  await vi.advanceTimersByTimeAsync(KEEP_ALIVE_INTERVAL_MS * 3);
  expect(idleResets).not.toHaveBeenCalled();
});

it('does nothing for an alarm that is not LeadLens’s', async () => {
  await handleAlarm('toString');
  expect([learnPortalInBackground, runAutoSync, refreshStaleScores, resumeSyncs].flatMap((fn) => vi.mocked(fn).mock.calls)).toEqual([]);
});
