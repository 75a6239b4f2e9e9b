import 'fake-indexeddb/auto';
import { beforeEach, expect, it, vi } from 'vitest';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { oweScoringOfEveryLead, owedRetiers, oweSourceScoring } from './progress';
import { fullScoringRequested, requestFullScoring, requestOwedScoringOf, requestRetierOf } from './requests';

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
  expect(await owedRetiers()).toEqual([]);
  release();
  expect(await asked).toBe('asked');
  expect(await owedRetiers()).toEqual([{ modelId: 'model-a', owedAt: expect.any(Number) }]);
});

it('asks for a CRM’s owed scoring past a request taken before it was owed (its run may have passed the leads stored since), not while one taken since waits, nor while a scoring of every lead with the active model is owed and not asked', async () => {
  const waitingRequest = async () => {
    let answer: (() => void) | undefined;
    const asked = requestOwedScoringOf('salesforce', 'model-a', () => new Promise<string>((resolve) => (answer = () => resolve('asked'))));
    await vi.waitFor(() => expect(answer).toBeDefined());
    return { asked, answered: () => answer?.() };
  };
  expect(await requestOwedScoringOf('salesforce', 'model-a', async () => 'asked')).toBeNull(); // nothing owed
  await oweSourceScoring('salesforce');
  const before = await waitingRequest();
  await new Promise((resolve) => setTimeout(resolve, 2));
  await oweSourceScoring('salesforce'); // a sync stores more leads while that request is not answered
  const since = await waitingRequest();
  expect(await requestOwedScoringOf('salesforce', 'model-a', async () => 'asked')).toBeNull();
  before.answered();
  since.answered();
  expect([await before.asked, await since.asked]).toEqual(['asked', 'asked']);
  // Their runs settled nothing here: asked again once no request covers it, but not while a scoring of every lead is owed with the model.
  await oweScoringOfEveryLead('model-a');
  expect(await requestOwedScoringOf('salesforce', 'model-a', async () => 'asked')).toBeNull();
  expect(await requestOwedScoringOf('salesforce', 'model-b', async () => 'asked')).toBe('asked');
});
