/**
 * The end of a sync run that IndexedDB refused to store (the browser's storage for LeadLens
 * full, which fails the write of the error too), kept in `storage.session`, in memory, until a
 * sync is started by hand or the browser closes; and the sync state read with it.
 */
import { browser } from 'wxt/browser';
import { z } from 'zod';
import type { CrmKind } from '../crm/types';
import { db } from '../db/db';
import { SyncStateSchema, type SyncState } from './state';
import { dexieSyncStore } from './store';

/** Where the end of the CRM's last run is kept when IndexedDB refused to store it (`keepingEndsInMemory`). */
const keptEndKey = (crm: CrmKind) => `sync-end:${crm}`;
/** What is kept of such an end: how the run ended, and when. */
const KeptEndSchema = SyncStateSchema.pick({ status: true, error: true, errorKind: true }).extend({ endedAt: z.number() });
type KeptEnd = z.infer<typeof KeptEndSchema>;

export const keepEnd = (crm: CrmKind, end: KeptEnd) => browser.storage.session.set({ [keptEndKey(crm)]: KeptEndSchema.parse(end) });

/**
 * The CRM's sync state as the Sync row, the watchdog and a cancel go by: the stored one, or the
 * end of a later run that could not be stored (`keepingEndsInMemory`), the stored one still
 * saying it runs.
 */
export async function syncStateOf(crm: CrmKind): Promise<SyncState> {
  const state = await dexieSyncStore(db).readState(crm);
  const kept = KeptEndSchema.safeParse((await browser.storage.session.get(keptEndKey(crm)))[keptEndKey(crm)]);
  return kept.success && kept.data.endedAt > (state.endedAt ?? 0) ? { ...state, ...kept.data } : state;
}

/** A sync started by hand: the end kept of the one before is over. */
export const forgetKeptEnd = (crm: CrmKind) => browser.storage.session.remove(keptEndKey(crm));
