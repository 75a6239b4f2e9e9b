/**
 * A clock for tests where waiting costs nothing: `sleep` moves time forward and resolves
 * at once, so rate limits, Retry-After and backoff can be checked by elapsed virtual time.
 */
import { cancelled, type Clock } from './http';

export interface VirtualClock extends Clock {
  /** Total ms slept. */
  readonly slept: number;
}

export function virtualClock(start = Date.parse('2026-11-01T00:00:00Z'), random: () => number = () => 0.5): VirtualClock {
  let now = start;
  let slept = 0;
  return {
    now: () => now,
    random,
    get slept() {
      return slept;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw cancelled();
      now += Math.max(0, ms);
      slept += Math.max(0, ms);
    },
  };
}
