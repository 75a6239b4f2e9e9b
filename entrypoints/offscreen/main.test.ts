/**
 * The offscreen document's `engineRun`, answered through the router as the background gets it:
 * a model's NaN or ±Infinity for one lead comes back as null for that lead, and the other leads
 * of the run keep their numbers.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeAll, expect, it, vi } from 'vitest';
import type { EngineOutput } from '@/lib/ml/engine';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
/** Three leads of two terms: the second gets no probability, the third no contribution for its second term. */
const engineOutput = vi.hoisted(
  (): EngineOutput => ({
    probability: Float32Array.of(0.25, Number.NaN, 0.5),
    contributions: Float32Array.of(0.5, -0.25, 1, 2, 0.75, Number.POSITIVE_INFINITY),
    terms: 2,
  }),
);
vi.mock('@/lib/ml/engine', () => ({ configureEngine: vi.fn(), runEngine: vi.fn(async () => engineOutput), checkModelSession: vi.fn() }));
// No job to resume when the document starts.
vi.mock('@/lib/jobs/progress', () => ({ runStoredScoresJob: vi.fn(async () => null) }));
vi.mock('@/lib/ml/model-store', () => ({ activeManifest: vi.fn(), manifestOf: vi.fn(), modelBytes: vi.fn(async () => new Uint8Array()) }));

const fromBackground = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/background.js') };

/** Sends `engineRun` through the registered router and resolves with its reply as sent. */
function engineRun(payload: { modelId: string; rows: (number | null)[][] }): Promise<unknown> {
  return new Promise((resolve) => void fakeBrowser.runtime.onMessage.trigger({ target: 'offscreen', type: 'engineRun', payload }, fromBackground as never, resolve));
}

beforeAll(async () => {
  await import('./main');
});

it('answers a run in which the model gives one lead NaN or ±Infinity, with null for those values only', async () => {
  const reply = await engineRun({ modelId: 'imported', rows: [[1], [null], [3]] });
  expect(reply).toEqual({
    ok: true,
    probability: [0.25, null, 0.5],
    contributions: [
      [0.5, -0.25],
      [1, 2],
      [0.75, null],
    ],
  });
});
