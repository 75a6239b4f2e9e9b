/**
 * What the options page shows of each CRM's synced leads: its sync's progress, how many of its
 * own leads are stored (counted at most every RUNNING_COUNT_MAX_AGE_MS while a sync runs) and
 * the org or portal they came from, which a connect compares the one it reads with.
 */
import { readConnection, readStatus } from '../connections/connections';
import { accountOf, type Connection } from '../connections/schema';
import type { CrmAccount } from '../crm/client';
import type { CrmKind } from '../crm/types';
import { countOwnLeadsOf, db } from '../db/db';
import type { SyncSummary } from '../messaging/protocol-sync';
import { syncStateOf } from './kept-end';
import type { SyncState } from './state';
import { dexieSyncStore } from './store';

/**
 * The org or portal the CRM's synced leads came from: as recorded by their syncs (or at a
 * disconnect or connect), else the stored connection's; null when unknown. The record first:
 * a connection stored though its check failed (a mistyped host) is not where they came from.
 */
export async function syncedFrom(crm: CrmKind, connection: Connection | null): Promise<CrmAccount | null> {
  return (await dexieSyncStore(db).readState(crm)).account ?? (connection && accountOf(connection));
}

/**
 * Counting a CRM's leads walks all their keys, and the options page asks for the status every
 * second while a sync runs: counted each time, the counts held the store against the sync's
 * own writes (bench:sync, 100,000 HubSpot contacts: 322 s counting each time, 196 s so). So
 * while a job runs the count may be this old. Lost with the worker: then it is counted again.
 */
const RUNNING_COUNT_MAX_AGE_MS = 10_000;
/** Each CRM's own leads as last counted, and when its last sync had ended then (what changes its leads ends a sync, or runs one). */
const recentCounts = new Map<CrmKind, { at: number; stored: number; endedAt: number | null }>();

/** Forgets the CRM's count: its leads were deleted outside a sync (a connect forgetting another org's), which the count's `endedAt` would not tell. */
export function forgetRecentCount(crm: CrmKind): void {
  recentCounts.delete(crm);
}

/**
 * How many of each CRM's own leads are stored, in the order of `crms`: those not counted recently
 * counted together (`countOwnLeadsOf` reads Demo mode's keys once for them all). While a sync
 * runs, which the options page follows every second, a count up to RUNNING_COUNT_MAX_AGE_MS old
 * serves for its CRM, and for another CRM whose last sync has not ended since.
 */
async function storedCounts(crms: readonly { crm: CrmKind; state: SyncState }[]): Promise<number[]> {
  const syncing = crms.some(({ state }) => state.status === 'running');
  const recent = crms.map(({ crm, state }) => {
    const counted = recentCounts.get(crm);
    const unchanged = state.status === 'running' || (state.endedAt ?? null) === counted?.endedAt;
    return syncing && counted && unchanged && Date.now() - counted.at < RUNNING_COUNT_MAX_AGE_MS ? counted.stored : undefined;
  });
  const toCount = crms.filter((_, i) => recent[i] === undefined);
  const counted = toCount.length === 0 ? [] : await countOwnLeadsOf(toCount.map(({ crm }) => crm));
  toCount.forEach(({ crm, state }, i) => recentCounts.set(crm, { at: Date.now(), stored: counted[i], endedAt: state.endedAt ?? null }));
  return crms.map((entry, i) => recent[i] ?? counted[toCount.indexOf(entry)]);
}

/** The CRMs' sync progress, their synced leads and the org or portal they came from: the options page warns before a connect removes them. */
export async function summaries(crms: readonly CrmKind[]): Promise<SyncSummary[]> {
  // With the end of a run IndexedDB could not store (the browser's storage full), which the stored state says still runs.
  const states = await Promise.all(crms.map(syncStateOf));
  const stored = await storedCounts(crms.map((crm, i) => ({ crm, state: states[i] })));
  return Promise.all(crms.map((crm, i) => summary(crm, states[i], stored[i])));
}

/** `crm`'s summary from its sync state and its own leads' count. */
async function summary(crm: CrmKind, state: SyncState, stored: number): Promise<SyncSummary> {
  // A run in progress or cancelled counts its own job's leads: none before its job began (the start asks whom it signs in as), not the last run's.
  const ofThisRun = state.status === 'running' || state.status === 'cancelled';
  return {
    crm,
    status: state.status,
    synced: state.job?.synced ?? (ofThisRun ? 0 : (state.lastRun?.synced ?? 0)),
    remaining: state.job?.remaining ?? null,
    stored,
    error: state.error,
    errorKind: state.errorKind,
    connection: (await readStatus(crm)).status,
    lastRun: state.lastRun,
    leftOut: state.leftOut ?? null,
    endedAt: state.endedAt ?? null,
    // What `storeConnection` compares the org or portal a connect reads with.
    syncedFrom: await syncedFrom(crm, await readConnection(crm)),
  };
}
