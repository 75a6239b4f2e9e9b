/**
 * A load done once and shared: the first `get` starts it, later calls get the same promise
 * (so one request serves every caller, even concurrent ones). A load that fails is forgotten,
 * so the next `get` tries again instead of repeating a failure for the client's lifetime.
 * With `freshFor`, a load started that long ago is done again at the next `get`: a client
 * lives as long as its worker, and what it loaded (a CRM's properties, its owners) changes.
 * The load runs with the signal of the `get` that started it.
 */
import type { Clock } from './http';

export interface SharedLoad<T> {
  get(signal?: AbortSignal): Promise<T>;
  /** Drops the loaded value (or the load under way): the next `get` loads afresh. */
  forget(): void;
}

export function loadOnce<T>(load: (signal?: AbortSignal) => Promise<T>, freshFor?: { ms: number; clock: Pick<Clock, 'now'> }): SharedLoad<T> {
  let shared: Promise<T> | undefined;
  let startedAt = 0;
  return {
    get(signal) {
      if (shared !== undefined && freshFor && freshFor.clock.now() - startedAt >= freshFor.ms) shared = undefined;
      if (shared === undefined) {
        const loading = load(signal);
        shared = loading;
        startedAt = freshFor?.clock.now() ?? 0;
        // Only this load's own failure clears it: one started after `forget()` stays.
        loading.catch(() => {
          if (shared === loading) shared = undefined;
        });
      }
      return shared;
    },
    forget() {
      shared = undefined;
    },
  };
}
