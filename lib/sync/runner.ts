/**
 * Runs sync jobs in the background service worker, which Chrome may stop at any time.
 * Nothing lives in module variables: the job's state is its Dexie checkpoint, a Web Lock
 * keeps one job per CRM per worker, a cancel is a flag in `storage.session`, and a
 * 30-second alarm (plus every start-up of the worker) resumes a job marked running.
 */
import { browser } from 'wxt/browser';
import { clientFor } from '../connections/client-for';
import { readConnection, writeStatus } from '../connections/connections';
import { apiHostOf } from '../connections/schema';
import { CRM_KINDS, type CrmKind } from '../crm/types';
import { db } from '../db/db';
import { runSync } from './engine';
import { dexieSyncStore } from './store';

export const SYNC_WATCHDOG_ALARM = 'leadlens-sync-watchdog';
const cancelKey = (crm: CrmKind) => `sync-cancel:${crm}`;
/** Held by the job running the CRM's sync; whoever holds it keeps every other job of that CRM from starting. */
export const syncLockName = (crm: CrmKind) => `leadlens-sync:${crm}`;

async function cancelRequested(crm: CrmKind): Promise<boolean> {
  return (await browser.storage.session.get(cancelKey(crm)))[cancelKey(crm)] === true;
}

/** Runs (or resumes) the CRM's job to its end, unless this worker already runs it. */
async function runJob(crm: CrmKind): Promise<void> {
  await navigator.locks.request(syncLockName(crm), { ifAvailable: true }, async (lock) => {
    if (!lock) return;
    const store = dexieSyncStore(db);
    const state = await store.readState(crm);
    const client = await clientFor(crm);
    if (!client || (await cancelRequested(crm))) {
      const error = client ? null : 'Not connected: connect this CRM first';
      await store.writeState(crm, { ...state, status: client ? 'cancelled' : 'error', error, errorKind: client ? null : 'auth' });
      await browser.storage.session.remove(cancelKey(crm));
      return;
    }
    const controller = new AbortController();
    const onStorageChanged = (changes: Record<string, Browser.storage.StorageChange>, area: string) => {
      if (area === 'session' && changes[cancelKey(crm)]?.newValue === true) controller.abort();
    };
    browser.storage.onChanged.addListener(onStorageChanged);
    await browser.alarms.create(SYNC_WATCHDOG_ALARM, { periodInMinutes: 0.5 });
    try {
      const final = await runSync({
        client,
        store,
        signal: controller.signal,
        // Any extension API call resets the worker's idle timer: one per page keeps a running sync alive.
        onProgress: () => void browser.runtime.getPlatformInfo(),
      });
      const connection = await readConnection(crm);
      if (final.errorKind === 'auth' && connection) {
        await writeStatus({ crm, status: 'reconnect', host: apiHostOf(connection), message: final.error ?? 'The CRM refused the credentials' });
      }
    } finally {
      browser.storage.onChanged.removeListener(onStorageChanged);
      await browser.storage.session.remove(cancelKey(crm));
      const states = await Promise.all(CRM_KINDS.map((c) => store.readState(c)));
      if (!states.some((s) => s.status === 'running')) await browser.alarms.clear(SYNC_WATCHDOG_ALARM);
    }
  });
}

/** Starts the CRM's sync, or resumes its unfinished job; returns once it is marked running. */
export async function startSync(crm: CrmKind): Promise<void> {
  await browser.storage.session.remove(cancelKey(crm));
  const store = dexieSyncStore(db);
  const state = await store.readState(crm);
  // Marked before it starts, so a worker stopped right now still resumes it on its next start.
  await store.writeState(crm, { ...state, status: 'running', error: null, errorKind: null });
  void runJob(crm);
}

/** Asks the running job to stop after its current request; what it stored stays. */
export async function cancelSync(crm: CrmKind): Promise<void> {
  await browser.storage.session.set({ [cancelKey(crm)]: true });
  const store = dexieSyncStore(db);
  const state = await store.readState(crm);
  // No job holds the lock (the worker was stopped): settle the state here.
  const held = await navigator.locks.query();
  if (state.status === 'running' && !held.held?.some((lock) => lock.name === syncLockName(crm))) {
    await store.writeState(crm, { ...state, status: 'cancelled' });
    await browser.storage.session.remove(cancelKey(crm));
  }
}

/** On worker start-up and on the watchdog alarm: resume every job marked running. */
export async function resumeSyncs(): Promise<void> {
  const store = dexieSyncStore(db);
  for (const crm of CRM_KINDS) {
    if ((await store.readState(crm)).status === 'running') void runJob(crm);
  }
}
