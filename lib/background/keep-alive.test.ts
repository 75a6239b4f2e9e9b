import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { KEEP_ALIVE_INTERVAL_MS, keepWorkerAliveDuring } from './keep-alive';
import { deferred } from '../../test/deferred';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const apiCalls = vi.fn(async () => ({ os: 'linux' as const, arch: 'x86-64' as const, nacl_arch: 'x86-64' as const }));

beforeEach(() => {
  fakeBrowser.reset();
  apiCalls.mockClear();
  fakeBrowser.runtime.getPlatformInfo = apiCalls;
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => vi.useRealTimers());


it('calls an extension API within every idle window while the work runs, and stops when it ends', async () => {
  const work = deferred<string>();
  const kept = keepWorkerAliveDuring(work.promise);
  vi.advanceTimersByTime(KEEP_ALIVE_INTERVAL_MS * 3);
  expect(apiCalls).toHaveBeenCalledTimes(3);
  expect(KEEP_ALIVE_INTERVAL_MS).toBeLessThan(30_000);
  work.resolve('open');
  await expect(kept).resolves.toBe('open');
  vi.advanceTimersByTime(KEEP_ALIVE_INTERVAL_MS * 3);
  expect(apiCalls).toHaveBeenCalledTimes(3);
});

it('passes a failure on and stops calling', async () => {
  const work = deferred<never>();
  const kept = keepWorkerAliveDuring(work.promise);
  vi.advanceTimersByTime(KEEP_ALIVE_INTERVAL_MS);
  work.reject(new Error('upgrade failed'));
  await expect(kept).rejects.toThrow('upgrade failed');
  vi.advanceTimersByTime(KEEP_ALIVE_INTERVAL_MS * 2);
  expect(apiCalls).toHaveBeenCalledTimes(1);
});
