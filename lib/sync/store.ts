/** Where the sync engine keeps leads and its checkpoint: Dexie, one transaction per page. */
import type { CrmKind } from '../crm/types';
import type { LeadLensDb, StoredLead } from '../db/db';
import { INITIAL_SYNC_STATE, SyncStateSchema, syncStateKey, type SyncState } from './state';

export interface SyncStore {
  readState(crm: CrmKind): Promise<SyncState>;
  writeState(crm: CrmKind, state: SyncState): Promise<void>;
  /** Stores a page's leads and the state that follows it, atomically. */
  commitPage(crm: CrmKind, leads: StoredLead[], state: SyncState): Promise<void>;
}

export function dexieSyncStore(db: LeadLensDb): SyncStore {
  return {
    async readState(crm) {
      const row = await db.settings.get(syncStateKey(crm));
      if (!row) return INITIAL_SYNC_STATE;
      const parsed = SyncStateSchema.safeParse(row.value);
      // A state written by an older LeadLens (or damaged) starts a full sync: re-reading is safe, keys dedupe.
      return parsed.success ? parsed.data : INITIAL_SYNC_STATE;
    },
    async writeState(crm, state) {
      await db.settings.put({ key: syncStateKey(crm), value: state });
    },
    async commitPage(crm, leads, state) {
      await db.transaction('rw', db.leads, db.settings, async () => {
        await db.leads.bulkPut(leads);
        await db.settings.put({ key: syncStateKey(crm), value: state });
      });
    },
  };
}
