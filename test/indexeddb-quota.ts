/**
 * A disk that fills, for fake-indexeddb: while `disk.full`, every IndexedDB put and add throws
 * QuotaExceededError, as Chromium's does once the disk (or the share of it the browser gives the
 * extension) is full; reads and deletes go on. Installed once per test file, after fake-indexeddb.
 */
export const disk = { full: false };

export function installDiskThatFills(): void {
  const proto = (globalThis as unknown as { IDBObjectStore: { prototype: Record<string, (...args: unknown[]) => unknown> } }).IDBObjectStore.prototype;
  for (const name of ['put', 'add'] as const) {
    const write = proto[name];
    proto[name] = function (this: unknown, ...args: unknown[]) {
      if (disk.full) throw new DOMException('Encountered disk full while committing transaction.', 'QuotaExceededError');
      return write.apply(this, args);
    };
  }
}
