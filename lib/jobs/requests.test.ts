import 'fake-indexeddb/auto';
import { beforeEach, expect, it, vi } from 'vitest';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { owedRetier } from './progress';
import { fullScoringRequested, requestFullScoring, requestRetierOf } from './requests';

beforeEach(async () => {
  stubWebLocks();
  await Promise.all(db.tables.map((table) => table.clear()));
});

/** Holds the lock `name` until the returned release is called, as another context of the extension would. */
async function holding(name: string): Promise<() => void> {
  let release!: () => void;
  void navigator.locks.request(name, () => new Promise<void>((resolve) => (release = resolve)));
  await vi.waitFor(async () => expect((await navigator.locks.query()).held?.some((lock) => lock.name === name)).toBe(true));
  return release;
}

it('asks for no second scoring of every lead with a model while the offscreen document holds one (under the name it has always held it by), and calls `onRequestHeld` once its own is held', async () => {
  const release = await holding(`leadlens-full-scoring-request|"model-a"|${crypto.randomUUID()}`);
  expect(await fullScoringRequested('model-a')).toBe(true);
  expect(await fullScoringRequested('model')).toBe(false); // the id JSON-quoted: no model's name starts another's
  const ask = vi.fn(async () => 'asked');
  expect(await requestFullScoring('model-a', ask, { unlessRequested: true })).toBeNull();
  expect(ask).not.toHaveBeenCalled();

  const onRequestHeld = vi.fn();
  const askB = vi.fn(async () => {
    expect(onRequestHeld).toHaveBeenCalledOnce();
    return (await fullScoringRequested('model-b')) ? 'asked, its request seen' : 'asked unseen';
  });
  expect(await requestFullScoring('model-b', askB, { unlessRequested: true, onRequestHeld })).toBe('asked, its request seen');
  expect(await fullScoringRequested('model-b')).toBe(false);
  release();
  await vi.waitFor(async () => expect(await fullScoringRequested('model-a')).toBe(false));
  expect(await requestFullScoring('model-a', ask, { unlessRequested: true })).toBe('asked');
});

it('owes and asks for a re-tiering only once no one holds the asking lock (by the name a running LeadLens holds it): looking, owing and asking are one step', async () => {
  const release = await holding('leadlens-full-scoring-asking');
  const asked = requestRetierOf('model-a', async () => 'asked', { owe: true });
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect(await owedRetier()).toBeNull();
  release();
  expect(await asked).toBe('asked');
  expect(await owedRetier()).toEqual({ modelId: 'model-a', owedAt: expect.any(Number) });
});
