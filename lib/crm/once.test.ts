import { describe, expect, it } from 'vitest';
import { loadOnce } from './once';

/** A load whose calls are counted, each settled by hand. */
function controlledLoad() {
  const calls: { resolve(value: string): void; reject(error: Error): void; signal: AbortSignal }[] = [];
  const load = (signal: AbortSignal) => new Promise<string>((resolve, reject) => calls.push({ resolve, reject, signal }));
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
    // Not the first caller's: its giving up must not fail the others.
    expect(calls[0].signal).not.toBe(signal);
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

  it('with freshFor, loads again once the last load started that long ago, and not before', async () => {
    const { calls, load } = controlledLoad();
    let now = 1_000;
    const shared = loadOnce(load, { ms: 600_000, clock: { now: () => now } });
    const first = shared.get();
    calls[0].resolve('old');
    await expect(first).resolves.toBe('old');
    now += 599_999;
    await expect(shared.get()).resolves.toBe('old');
    expect(calls).toHaveLength(1);
    now += 1;
    const second = shared.get();
    expect(calls).toHaveLength(2);
    calls[1].resolve('new');
    await expect(second).resolves.toBe('new');
    await expect(shared.get()).resolves.toBe('new');
    expect(calls).toHaveLength(2);
  });

  it('with freshFor.readAt, counts from when what a load answered was read: a copy kept by an earlier worker', async () => {
    let now = 1_000_000;
    let loads = 0;
    // What the load answers was read 9 minutes before it started.
    const shared = loadOnce(async () => ({ loads: ++loads, readAt: now - 540_000 }), { ms: 600_000, clock: { now: () => now }, readAt: (loaded) => loaded.readAt });
    expect(await shared.get()).toMatchObject({ loads: 1 });
    now += 59_999;
    expect(await shared.get()).toMatchObject({ loads: 1 });
    now += 1;
    expect(await shared.get()).toMatchObject({ loads: 2 });
  });

  it('rejects a caller whose signal aborts at once as cancelled, and goes on loading for the others', async () => {
    const { calls, load } = controlledLoad();
    const shared = loadOnce(load);
    const [writeBack, sync] = [new AbortController(), new AbortController()];
    const first = shared.get(writeBack.signal);
    const second = shared.get(sync.signal);
    const third = shared.get();
    writeBack.abort();
    await expect(first).rejects.toMatchObject({ kind: 'cancelled', message: 'Cancelled' });
    expect(calls[0].signal.aborted).toBe(false);
    calls[0].resolve('value');
    await expect(second).resolves.toBe('value');
    await expect(third).resolves.toBe('value');
    await expect(shared.get()).resolves.toBe('value');
    expect(calls).toHaveLength(1);
  });

  it('stops the load once every caller has given up, and the next get loads afresh', async () => {
    const { calls, load } = controlledLoad();
    const shared = loadOnce(load);
    const [one, other] = [new AbortController(), new AbortController()];
    const first = shared.get(one.signal);
    const second = shared.get(other.signal);
    one.abort();
    expect(calls[0].signal.aborted).toBe(false);
    other.abort();
    expect(calls[0].signal.aborted).toBe(true);
    await expect(first).rejects.toMatchObject({ kind: 'cancelled' });
    await expect(second).rejects.toMatchObject({ kind: 'cancelled' });
    const fresh = shared.get();
    expect(calls).toHaveLength(2);
    calls[0].reject(new Error('aborted'));
    calls[1].resolve('fresh');
    await expect(fresh).resolves.toBe('fresh');
  });

  it('does not start a load for a caller that has given up already', async () => {
    const { calls, load } = controlledLoad();
    const shared = loadOnce(load);
    await expect(shared.get(AbortSignal.abort())).rejects.toMatchObject({ kind: 'cancelled' });
    expect(calls).toHaveLength(0);
  });
});
