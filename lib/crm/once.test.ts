import { describe, expect, it } from 'vitest';
import { loadOnce } from './once';

/** A load whose calls are counted, each settled by hand. */
function controlledLoad() {
  const calls: { resolve(value: string): void; reject(error: Error): void; signal?: AbortSignal }[] = [];
  const load = (signal?: AbortSignal) => new Promise<string>((resolve, reject) => calls.push({ resolve, reject, signal }));
  return { calls, load };
}

describe('loadOnce', () => {
  it('loads on the first get and shares that promise with every later one', async () => {
    const { calls, load } = controlledLoad();
    const shared = loadOnce(load);
    const signal = new AbortController().signal;
    const first = shared.get(signal);
    const second = shared.get();
    expect(calls).toHaveLength(1);
    expect(calls[0].signal).toBe(signal);
    calls[0].resolve('value');
    await expect(first).resolves.toBe('value');
    await expect(second).resolves.toBe('value');
    await expect(shared.get()).resolves.toBe('value');
    expect(calls).toHaveLength(1);
  });

  it('gives the failure to every caller waiting for it, then loads again', async () => {
    const { calls, load } = controlledLoad();
    const shared = loadOnce(load);
    const [first, second] = [shared.get(), shared.get()];
    calls[0].reject(new Error('down'));
    await expect(first).rejects.toThrow('down');
    await expect(second).rejects.toThrow('down');
    const retried = shared.get();
    expect(calls).toHaveLength(2);
    calls[1].resolve('value');
    await expect(retried).resolves.toBe('value');
  });

  it('loads afresh after forget, and a forgotten load failing later does not drop the new one', async () => {
    const { calls, load } = controlledLoad();
    const shared = loadOnce(load);
    const forgotten = shared.get();
    shared.forget();
    const fresh = shared.get();
    expect(calls).toHaveLength(2);
    calls[0].reject(new Error('stale'));
    await expect(forgotten).rejects.toThrow('stale');
    calls[1].resolve('fresh');
    await expect(fresh).resolves.toBe('fresh');
    await expect(shared.get()).resolves.toBe('fresh');
    expect(calls).toHaveLength(2);
  });
});
