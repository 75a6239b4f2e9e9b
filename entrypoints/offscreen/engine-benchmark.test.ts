/**
 * The offscreen document's `engineBenchmark` (`npm run bench`): each row count is timed in the
 * engine's worker and through the document back to back, worker, document, document, worker, so
 * that the two sides' difference is the hop, not the machine's load drifting between two sweeps.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeAll, expect, it, vi } from 'vitest';
import { stubWebLocks } from '@/test/web-locks';
import { activeManifest } from '@/lib/ml/model-store';
import type { Throughput } from '@/lib/ml/throughput';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
/** Each timing in the order taken, and the time it gives: the worker and the document alternate. */
const timings = vi.hoisted(() => ({ taken: [] as string[], ms: [] as number[] }));
const timed = vi.hoisted(() => (rows: number, ms: number): Throughput => ({ rows, runs: 10, medianSeconds: ms / 1000, rowsPerSecond: rows / (ms / 1000) }));
const engine = vi.hoisted(() => ({
  run: vi.fn(),
  forget: vi.fn(),
  benchmark: vi.fn(async (_modelId: string, [count]: number[]) => {
    timings.taken.push(`worker ${count}`);
    return [timed(count, timings.ms.shift()!)];
  }),
}));
vi.mock('@/lib/ml/engine-in-worker', () => ({ engineWatchdog: () => engine }));
vi.mock('@/lib/ml/check-in-worker', () => ({ checkModelInWorker: vi.fn() }));
vi.mock('@/lib/ml/model-store', () => ({ activeManifest: vi.fn(), manifestOf: vi.fn(), modelBytes: vi.fn(async () => new Uint8Array()) }));
vi.mock('@/lib/ml/synthetic-rows', () => ({
  syntheticThroughput: vi.fn(async (_features: unknown, [count]: number[]) => {
    timings.taken.push(`document ${count}`);
    return [timed(count, timings.ms.shift()!)];
  }),
}));

const fromBackground = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/background.js') };

beforeAll(async () => {
  stubWebLocks();
  await import('./main');
});

it('times each count in the worker and through the document back to back, the document between two of the worker', async () => {
  vi.mocked(activeManifest).mockResolvedValue({ modelId: 'bundled', features: [] } as never);
  // The machine slows down by 2 ms a timing: the hop (1 ms) still comes out as the sides' difference.
  timings.ms.push(10, 13, 15, 16, 20, 23, 25, 26);
  const reply = await new Promise((resolve) =>
    void fakeBrowser.runtime.onMessage.trigger({ target: 'offscreen', type: 'engineBenchmark', payload: { rowCounts: [1, 1000], seed: 7 } }, fromBackground as never, resolve),
  );
  expect(timings.taken).toEqual(['worker 1', 'document 1', 'document 1', 'worker 1', 'worker 1000', 'document 1000', 'document 1000', 'worker 1000']);
  const { inWorker, results } = reply as { inWorker: Throughput[]; results: Throughput[] };
  expect(results.map((result, i) => (result.medianSeconds - inWorker[i].medianSeconds) * 1000)).toEqual([expect.closeTo(1), expect.closeTo(1)]);
});
