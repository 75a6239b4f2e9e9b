/**
 * Chrome stops an extension's service worker after 30 s without an extension event or API
 * call; IndexedDB work and timers do not count. Work that can outlast that without either
 * (a sync page, a database upgrade) calls an extension API to reset the timer.
 */
import { browser } from 'wxt/browser';

/** Below the 30 s idle limit with room for a busy main thread. */
export const KEEP_ALIVE_INTERVAL_MS = 20_000;

/** Resets the service worker's idle timer: the cheapest extension API call there is. */
export function resetWorkerIdleTimer(): void {
  void browser.runtime.getPlatformInfo();
}

/** Keeps the service worker alive until `work` settles, and returns it. */
export async function keepWorkerAliveDuring<T>(work: Promise<T>): Promise<T> {
  const timer = setInterval(resetWorkerIdleTimer, KEEP_ALIVE_INTERVAL_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
