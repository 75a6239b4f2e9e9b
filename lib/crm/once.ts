/**
 * A load done once and shared: the first `get` starts it, later calls get the same result
 * (so one request serves every caller, even concurrent ones). A load that fails is forgotten,
 * so the next `get` tries again instead of repeating a failure for the client's lifetime.
 * With `freshFor`, a load started that long ago is done again at the next `get`: a client
 * lives as long as its worker, and what it loaded (a CRM's properties, its owners) changes.
 * `freshFor.readAt` tells when what a load answered was read, when that was before it started:
 * a copy an earlier worker kept is as old as its read, not as the load that took it up.
 *
 * Each `get` waits under its own signal: a caller that gives up rejects at once as cancelled,
 * and the load goes on for the others. The load runs under no caller's signal (one caller
 * cancelling would fail them all), only under one aborted once every caller has given up.
 */
import { cancelled, type Clock } from './http';

export interface SharedLoad<T> {
  get(signal?: AbortSignal): Promise<T>;
  /** Drops the loaded value (or the load under way): the next `get` loads afresh. */
  forget(): void;
}

interface Load<T> {
  result: Promise<T>;
  /** When what it loads was read: as it started, unless `freshFor.readAt` says otherwise once it is loaded. */
  readAt: number;
  /** Callers still waiting for it; one without a signal never gives up. */
  waiting: number;
  settled: boolean;
  stop: AbortController;
}

export function loadOnce<T>(load: (signal: AbortSignal) => Promise<T>, freshFor?: { ms: number; clock: Pick<Clock, 'now'>; readAt?: (loaded: T) => number }): SharedLoad<T> {
  let shared: Load<T> | undefined;

  function start(): Load<T> {
    const stop = new AbortController();
    const started: Load<T> = { result: load(stop.signal), readAt: freshFor?.clock.now() ?? 0, waiting: 0, settled: false, stop };
    started.result.then(
      (loaded) => {
        started.settled = true;
        if (freshFor?.readAt) started.readAt = freshFor.readAt(loaded);
      },
      () => {
        started.settled = true;
        // Only this load's own failure clears it: one started after `forget()` stays.
        if (shared === started) shared = undefined;
      },
    );
    return started;
  }

  /** The load's result for one caller, or `cancelled()` as soon as its signal aborts. */
  function waitFor(loading: Load<T>, signal: AbortSignal | undefined): Promise<T> {
    loading.waiting++;
    if (!signal) return loading.result;
    return new Promise<T>((resolve, reject) => {
      const giveUp = () => {
        reject(cancelled());
        if (--loading.waiting > 0 || loading.settled) return;
        // Nobody waits any more: stop the requests, and let the next caller start afresh.
        if (shared === loading) shared = undefined;
        loading.stop.abort();
      };
      signal.addEventListener('abort', giveUp, { once: true });
      loading.result
        .finally(() => signal.removeEventListener('abort', giveUp))
        .then(resolve, reject);
    });
  }

  return {
    get(signal) {
      if (signal?.aborted) return Promise.reject(cancelled());
      if (shared !== undefined && freshFor && freshFor.clock.now() - shared.readAt >= freshFor.ms) shared = undefined;
      shared ??= start();
      return waitFor(shared, signal);
    },
    forget() {
      shared = undefined;
    },
  };
}
