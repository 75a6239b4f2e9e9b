import { expect, it } from 'vitest';
import { measureThroughput } from './throughput';

it('times calls in batches and reports rows per second from the median call', async () => {
  let calls = 0;
  // A call that takes ~2 ms: rows per second must come out near 1000 rows / 2 ms.
  const slow = () =>
    new Promise<void>((resolve) => {
      calls++;
      setTimeout(resolve, 2);
    });
  const result = await measureThroughput(slow, 1000, { minSeconds: 0.1, minBatches: 3 });
  expect(result.runs).toBe(calls - 2); // the warm-up and sizing calls are not counted
  expect(result.medianSeconds).toBeGreaterThan(0.0015);
  expect(result.medianSeconds).toBeLessThan(0.05);
  expect(result.rowsPerSecond).toBeCloseTo(1000 / result.medianSeconds, 6);
});

it('stays finite for calls faster than the clock', async () => {
  const instant = () => Promise.resolve();
  const result = await measureThroughput(instant, 1, { minSeconds: 0.05 });
  expect(Number.isFinite(result.rowsPerSecond)).toBe(true);
  expect(result.rowsPerSecond).toBeGreaterThan(0);
});
