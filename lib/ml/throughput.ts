/**
 * How many rows per second a scoring function handles, measured the same way in the
 * browser and in Node: one warm-up run, then runs until `minSeconds` have passed; the
 * median run time counts (these machines are shared and noisy).
 */
export interface Throughput {
  rows: number;
  runs: number;
  medianSeconds: number;
  rowsPerSecond: number;
}

export async function measureThroughput(
  score: () => Promise<unknown>,
  rows: number,
  { minSeconds = 1, minRuns = 5, maxRuns = 2000 } = {},
): Promise<Throughput> {
  await score(); // warm-up: session creation, first allocation
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - start < minSeconds * 1000)) {
    const before = performance.now();
    await score();
    times.push((performance.now() - before) / 1000);
  }
  times.sort((a, b) => a - b);
  const medianSeconds = times[Math.floor(times.length / 2)];
  return { rows, runs: times.length, medianSeconds, rowsPerSecond: rows / medianSeconds };
}
