/** Where the sync engine keeps leads and its checkpoint: Dexie, one transaction per page. */
import type { CrmAccount } from '../crm/client';
import type { CrmKind } from '../crm/types';
import type { LeadLensDb, StoredLead } from '../db/db';
import { hasUnnamedOwner, looksLikeOwnerId } from './to-stored-lead';
import { INITIAL_SYNC_STATE, SyncStateSchema, syncStateKey, type SyncState } from './state';

export interface SyncStore {
  readState(crm: CrmKind): Promise<SyncState>;
  writeState(crm: CrmKind, state: SyncState): Promise<void>;
  /** Stores a page's leads and the state that follows it, atomically. */
  commitPage(crm: CrmKind, leads: StoredLead[], state: SyncState): Promise<void>;
  /** The owner ids stored in place of names on the CRM's synced leads (the CRM could not name them then). */
  unnamedOwnerIds(crm: CrmKind): Promise<string[]>;
  /** Replaces those owner ids by the names in `names` (id → name); returns how many leads changed. */
  nameOwners(crm: CrmKind, names: ReadonlyMap<string, string>): Promise<number>;
}

/**
 * Records `account` as the org or portal the CRM's stored leads come from, unless one is
 * recorded already (connecting another forgets them, and their state with its account).
 */
export async function recordSyncedAccount(db: LeadLensDb, crm: CrmKind, account: CrmAccount): Promise<void> {
  const store = dexieSyncStore(db);
  const state = await store.readState(crm);
  if (state.account === undefined) await store.writeState(crm, { ...state, account });
}

/** Leads renamed per transaction when owner ids get their names. */
const OWNER_RENAME_CHUNK = 2000;

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
      await db.transaction('rw', [...db.leadTables, db.settings], async () => {
        await db.putLeads(leads);
        await db.settings.put({ key: syncStateKey(crm), value: state });
      });
    },
    async unnamedOwnerIds(crm) {
      // The owner index's distinct values, a few hundred at most: no lead is read to find the ids.
      const owners = (await db.leads.orderBy('owner').uniqueKeys()) as string[];
      const candidates = owners.filter((owner) => looksLikeOwnerId(crm, owner));
      const unnamed = [];
      // One lead read per id (a filtered count would read every lead the owner has).
      for (const id of candidates) if ((await unnamedLeadsOf(crm, id).first()) !== undefined) unnamed.push(id);
      return unnamed;
    },
    async nameOwners(crm, names) {
      let renamed = 0;
      for (const [id, name] of names) {
        // A chunk at a time (an owner may have 100,000 leads); a renamed lead leaves the owner index's `id` entries.
        for (;;) {
          const leads = await unnamedLeadsOf(crm, id).limit(OWNER_RENAME_CHUNK).toArray();
          await db.putLeads(leads.map((lead) => ({ ...lead, owner: name })));
          renamed += leads.length;
          if (leads.length < OWNER_RENAME_CHUNK) break;
        }
      }
      return renamed;
    },
  };

  function unnamedLeadsOf(crm: CrmKind, ownerId: string) {
    return db.leads.where('owner').equals(ownerId).filter((lead) => hasUnnamedOwner(crm, lead));
  }
}
