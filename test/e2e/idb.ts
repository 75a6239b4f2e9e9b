/**
 * Reading (or, rarely, writing) the extension's IndexedDB database ('leadlens') from one of
 * its pages with the plain IndexedDB API, as the e2e tests and benches check what it stored.
 */
import type { Page } from 'playwright-core';

/** What a `withLeadLensDb` body gets in the page. */
export interface LeadLensDb {
  /** The open connection; closed once the body has settled. */
  db: IDBDatabase;
  /** The named store, in a read-only transaction of its own. */
  store(name: string): IDBObjectStore;
  /** The request's result once it succeeds; rejects with its error. */
  request<T>(request: IDBRequest<T>): Promise<T>;
}

/**
 * Runs `body` in `page` (an extension page) with the extension's database open, closes the
 * database however the body ends, and returns what the body returned. Rejects when the
 * database cannot be opened (never creating it: before the extension has, that is an error)
 * and with whatever the body throws or rejects with.
 *
 * The body travels as source text, like any function given to `page.evaluate`: it sees the
 * page's globals, its `LeadLensDb` and `arg` (JSON-serialisable), never the variables or
 * imports of the module that wrote it. Named helpers inside it are fine, even under tsx.
 *
 * @example withLeadLensDb(page, ({ store, request }, key) => request(store('settings').get(key)), 'job:scoring')
 */
export function withLeadLensDb<R>(page: Page, body: (idb: LeadLensDb) => R | Promise<R>): Promise<R>;
export function withLeadLensDb<R, A>(page: Page, body: (idb: LeadLensDb, arg: A) => R | Promise<R>, arg: A): Promise<R>;
export function withLeadLensDb(page: Page, body: (idb: LeadLensDb, arg: unknown) => unknown, arg?: unknown): Promise<unknown> {
  // One expression (Playwright evaluates it and awaits its promise) calling both functions by
  // their source. tsx (the benches) wraps named functions, even an object literal's arrows, in
  // a `__name` helper that the page lacks: the expression supplies one that does nothing.
  return page.evaluate(`((__name) => (${inPage})(${body}, ${JSON.stringify(arg) ?? 'undefined'}))((target) => target)`);
}

/** The page side of `withLeadLensDb` (sent as source text). */
const inPage = async (body: (idb: LeadLensDb, arg: unknown) => unknown, arg: unknown): Promise<unknown> => {
  let missing = false;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('leadlens');
    // No version asked, so an upgrade means the database does not exist: abort rather than
    // leave an empty one that would fail later, less clearly, and get in the extension's way.
    open.onupgradeneeded = () => {
      missing = true;
      open.transaction!.abort();
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(missing ? new Error("The extension has not created its 'leadlens' database yet") : open.error);
  });
  try {
    return await body(
      {
        db,
        store: (name) => db.transaction(name).objectStore(name),
        request: (request) =>
          new Promise((resolve, reject) => {
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          }),
      },
      arg,
    );
  } finally {
    db.close();
  }
};
