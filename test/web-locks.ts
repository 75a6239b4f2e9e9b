/**
 * Web Locks for unit tests (Node 20 has none), as the browser's lock manager shared by every
 * context of the extension behaves for LeadLens's uses: exclusive locks granted in the order
 * asked, `ifAvailable`, `signal` (a pending request aborted leaves the queue), a lock released
 * when its task settles, and `query()` listing held locks and pending requests.
 */
import { vi } from 'vitest';

type Task = (lock: { name: string } | null) => unknown;
interface Pending {
  name: string;
  grant: () => void;
}

function fakeLockManager() {
  const held = new Set<string>();
  const queue: Pending[] = [];
  const grantNext = (name: string) => {
    const next = queue.find((pending) => pending.name === name);
    if (!next || held.has(name)) return;
    queue.splice(queue.indexOf(next), 1);
    held.add(name);
    next.grant();
  };
  async function request(name: string, optionsOrTask: LockOptions | Task, maybeTask?: Task): Promise<unknown> {
    const [options, task] = typeof optionsOrTask === 'function' ? [{}, optionsOrTask] : [optionsOrTask, maybeTask as Task];
    const { ifAvailable, signal } = options as LockOptions;
    signal?.throwIfAborted();
    if (ifAvailable && (held.has(name) || queue.some((pending) => pending.name === name))) return task(null);
    await new Promise<void>((resolve, reject) => {
      const pending = { name, grant: resolve };
      queue.push(pending);
      const onAbort = () => {
        if (!queue.includes(pending)) return; // granted already: the abort changes nothing
        queue.splice(queue.indexOf(pending), 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      grantNext(name);
    });
    try {
      return await task({ name });
    } finally {
      held.delete(name);
      grantNext(name);
    }
  }
  const query = async () => ({
    held: [...held].map((name) => ({ name, mode: 'exclusive' })),
    pending: queue.map(({ name }) => ({ name, mode: 'exclusive' })),
  });
  return { request, query };
}

/** Gives `navigator.locks` a fresh fake lock manager (undo with `vi.unstubAllGlobals()`). */
export function stubWebLocks(): void {
  vi.stubGlobal('navigator', { locks: fakeLockManager() });
}
