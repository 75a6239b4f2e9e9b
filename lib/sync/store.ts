/** Where the sync engine keeps leads and its checkpoint: Dexie, one transaction per page. */
import { z } from 'zod';
import { accountOf, type Connection } from '../connections/schema';
import { portalOf, type ChoiceOption, type CrmAccount, type CrmRecord, type CrmUser, type Deletions } from '../crm/client';
import { lifecycleStagesOf, PortalLifecycleStagesSchema, type LifecycleStage } from '../crm/hubspot-lifecycle';
import type { CrmKind } from '../crm/types';
import { leadKeyOf, leadKeyOfCachedScore, leadKeyPrefix, type LeadLensDb, type StoredLead } from '../db/db';
import { withStoredScoresPaused } from '../jobs/progress';
import { forEachChunk, prefixRange } from '../db/chunks';
import { hasUnnamedOwner, looksLikeOwnerId, MODIFICATION_STAMP_FIELDS, withoutFields } from './to-stored-lead';
import { INITIAL_SYNC_STATE, SyncJobGoneError, SyncStateSchema, syncStateKey, type SyncJob, type SyncState } from './state';
import { writtenValuesKey, writtenValuesOf } from '../db/written-back-fields';
import { comparable } from '../db/written-back-fields';
import { MAX_OPTION_LABELS } from '../ml/manifest';
import { valueLabelAsShown } from '../ml/outcome-rule';
import { MAX_LABEL_CHARS } from '../ml/visible-text';
import { forgetRecordsInWriteBackReport } from '../db/write-back-report';

/**
 * The states a sync writes are the one it read at its start, moved on: the Dexie store writes
 * them with the fields others own (`account`, `portalToken`, `syncedAs`) as stored then
 * (`putSyncState`).
 */
export interface SyncStore {
  readState(crm: CrmKind): Promise<SyncState>;
  /** `cause`: the error that stopped the sync, when one did (its 401's code, which the state's message keeps only as text). */
  writeState(crm: CrmKind, state: SyncState, cause?: unknown): Promise<void>;
  /**
   * Records `user`, with the name they have now, as whom the CRM's stored leads are synced as
   * (`SyncState.syncedAs`), as a job starts signed in as them, if the stored one is still
   * `expected` (by id; none when absent), the one the start compared with, read and written in one
   * transaction; resolves with whether it did. A connect while the start asked whom it signs in as
   * forgot it, and it stays forgotten. Besides a connect's forgetting (`forgetSyncedAs`), the only
   * write of it: the states a running sync writes leave it as stored, so a connect meanwhile is not
   * undone. A store that writes states whole (a test's, in memory) needs none: they carry the user too.
   */
  recordSyncedAs?(crm: CrmKind, user: CrmUser, expected?: CrmUser): Promise<boolean>;
  /**
   * Of `ids`, those of the CRM's synced leads stored now, in one read: of the records a page names
   * as merged away, those the finish may have to remove (engine.ts `withMergesOf`). A store without
   * it (a test's, in memory) has the engine keep every merge it reads.
   */
  syncedIdsAmong?(crm: CrmKind, ids: readonly string[]): Promise<Set<string>>;
  /**
   * How many of `leads` are not stored, or differ from their stored copy: a lead read again
   * unchanged is not counted, nor one read again as a write-back of LeadLens's left it (`differsOnlyByWriteBack`).
   */
  countChanged(leads: readonly StoredLead[]): Promise<number>;
  /**
   * Stores a page's leads and the state that follows it, atomically, and deletes the record
   * pages' cached scores of those it stores new or changed (those `countChanged` counts). A state
   * with a job is refused (`SyncJobGoneError`), nothing stored, when the store no longer holds that job.
   */
  commitPage(crm: CrmKind, leads: StoredLead[], state: SyncState): Promise<void>;
  /**
   * Removes the CRM's synced leads that `deletions` say are gone, with every score of them (the
   * models' held-out probabilities too) and the values written back to them, and writes
   * `finished(removed)`, atomically; resolves with that state. Demo and CSV leads stay, whatever their ids.
   * `job`: the job it finishes, refused (`SyncJobGoneError`), nothing removed, when the store no longer holds it.
   */
  finishSync(crm: CrmKind, deletions: Deletions | null, finished: (removed: number) => SyncState, job?: SyncJob): Promise<SyncState>;
  /** The owner ids stored in place of names on the CRM's synced leads (the CRM could not name them then). */
  unnamedOwnerIds(crm: CrmKind): Promise<string[]>;
  /** Replaces those owner ids by the names in `names` (id → name); returns how many leads changed. */
  nameOwners(crm: CrmKind, names: ReadonlyMap<string, string>): Promise<number>;
  /**
   * Deletes `fields`, which the CRM no longer shows, from its synced leads (`withoutFields`), a
   * chunk at a time, asking the CRM nothing, and the record pages' cached scores of its records;
   * returns how many leads held one. `stageOrder`: HubSpot's lifecycle stages in the portal's
   * order (`lifecycleOrder`), in which the leads it changes have their outcome read again
   * (`withoutFields`); HubSpot's default order when not given.
   */
  dropFields(crm: CrmKind, fields: readonly string[], stageOrder?: readonly string[]): Promise<number>;
  /**
   * Gives the CRM's synced leads among `records` (by id) the records' values of their fields, the
   * others kept, and stores those whose values differ with `next(changed)`, how many they are,
   * and the record pages' cached scores of those deleted, atomically; resolves with that state. A
   * record not stored is left for a sync to store whole. `stageOrder` as `dropFields` takes it: a
   * lead whose outcome in that order differs from the one stored is stored again too.
   */
  refreshFields(crm: CrmKind, records: readonly Pick<CrmRecord, 'id' | 'fields'>[], next: (changed: number) => SyncState, stageOrder?: readonly string[]): Promise<SyncState>;
  /**
   * Keeps `stages`, the HubSpot portal's lifecycle stages a sync read, in its order, as those of
   * the stored contacts' portal (`SyncState.account`), for record pages (`keptLifecycleStages`);
   * none when that portal is not known, or when they do not parse as LeadLens keeps stages. A store
   * without it (a test's, in memory) keeps none.
   */
  keepLifecycleStages?(stages: readonly ChoiceOption[]): Promise<void>;
  /**
   * Keeps `labels` (value → label), how the HubSpot portal a sync read labels its contacts'
   * original sources, as `keepLifecycleStages` keeps its stages, for the side panel's lead-source
   * filter (`keptLeadSourceLabels`). A store without it (a test's, in memory) keeps none.
   */
  keepLeadSourceLabels?(labels: Readonly<Record<string, string>>): Promise<void>;
}

/** Where a HubSpot sync keeps the portal's lifecycle stages (`SyncStore.keepLifecycleStages`). */
export const KEPT_LIFECYCLE_STAGES_KEY = 'hubspot-lifecycle-stages';

/** The kept stages (a stage without a label as its value, as the Training form has it), with the id of the portal they are of. */
const KeptLifecycleStagesSchema = z.object({ portalId: z.string().min(1), stages: PortalLifecycleStagesSchema });

/**
 * The lifecycle stages the last HubSpot sync kept, in the portal's order (`keepLifecycleStages`),
 * when they are portal `portalId`'s (a page's); undefined when none are kept (no sync yet, or an
 * older LeadLens's), they are another portal's, or the row does not parse.
 */
export async function keptLifecycleStages(db: LeadLensDb, portalId: string | null): Promise<LifecycleStage[] | undefined> {
  if (portalId === null) return undefined;
  const kept = KeptLifecycleStagesSchema.safeParse((await db.settings.get(KEPT_LIFECYCLE_STAGES_KEY))?.value);
  return kept.success && kept.data.portalId === portalId ? kept.data.stages : undefined;
}

/** Where a HubSpot sync keeps the portal's labels of its original sources (`SyncStore.keepLeadSourceLabels`). */
export const KEPT_LEAD_SOURCE_LABELS_KEY = 'hubspot-lead-source-labels';

/** The kept labels (value → label as shown, `valueLabelAsShown`), as many as a manifest keeps for one field, with the id of the portal they are of. */
const KeptLeadSourceLabelsSchema = z.object({
  portalId: z.string().min(1),
  labels: z
    .record(z.string().min(1), z.string().min(1).max(MAX_LABEL_CHARS))
    .refine((labels) => Object.keys(labels).length <= MAX_OPTION_LABELS, `holds more than ${MAX_OPTION_LABELS} labels`),
});

/**
 * How the HubSpot portal whose contacts are stored labels their original sources, as its last
 * sync kept them (`keepLeadSourceLabels`); undefined when none are kept (no sync yet, or an older
 * LeadLens's), they are another portal's (or no portal's contacts are stored), or the row does
 * not parse. One read of two rows, whatever the number of leads.
 */
export async function keptLeadSourceLabels(db: LeadLensDb): Promise<Readonly<Record<string, string>> | undefined> {
  return db.transaction('r', db.settings, async () => {
    const kept = KeptLeadSourceLabelsSchema.safeParse((await db.settings.get(KEPT_LEAD_SOURCE_LABELS_KEY))?.value);
    return kept.success && kept.data.portalId === (await readSyncState(db, 'hubspot')).account?.id ? kept.data.labels : undefined;
  });
}

/** The token the stored leads' portal was last confirmed through (`SyncState.portalToken`). */
export type PortalToken = NonNullable<SyncState['portalToken']>;

async function readSyncState(db: LeadLensDb, crm: CrmKind): Promise<SyncState> {
  const row = await db.settings.get(syncStateKey(crm));
  if (!row) return INITIAL_SYNC_STATE;
  const parsed = SyncStateSchema.safeParse(row.value);
  // A state written by an older LeadLens (or damaged) starts a full sync: re-reading is safe, keys dedupe.
  return parsed.success ? parsed.data : INITIAL_SYNC_STATE;
}

/**
 * Writes what `change` makes of the CRM's sync state (nothing when it returns null), read and
 * written in one transaction: a sync's commits, which hold the settings table too, come before
 * or after, never between, so none is written over with an older state. Resolves with whether it wrote.
 */
async function changeSyncState(db: LeadLensDb, crm: CrmKind, change: (state: SyncState) => SyncState | null): Promise<boolean> {
  return db.transaction('rw', db.settings, async () => {
    const changed = change(await readSyncState(db, crm));
    if (changed) await db.settings.put({ key: syncStateKey(crm), value: changed });
    return changed !== null;
  });
}

/**
 * Marks the CRM's sync running, its last error cleared, in one read and write: written from a
 * state read before, it would put back one deleted between the two (a purge, another org's
 * connect forgetting the leads and their checkpoint), or one a sync wrote as it ended.
 */
export async function markSyncRunning(db: LeadLensDb, crm: CrmKind): Promise<void> {
  await changeSyncState(db, crm, (state) => ({ ...state, status: 'running', error: null, errorKind: null }));
}

/**
 * Records `account` as the org or portal the CRM's stored leads come from, unless one is
 * recorded already (connecting another forgets them, and their state with its account).
 */
export async function recordSyncedAccount(db: LeadLensDb, crm: CrmKind, account: CrmAccount): Promise<void> {
  await changeSyncState(db, crm, (state) => (state.account === undefined ? { ...state, account: portalOf(account) } : null));
}

/**
 * Records `account` in place of the recorded one when that has the id `recordedId`: the same
 * portal, named now (a HubSpot portal HubSpot would not name before). Only that field changes.
 */
export async function nameSyncedAccount(db: LeadLensDb, crm: CrmKind, recordedId: string, account: CrmAccount): Promise<void> {
  await changeSyncState(db, crm, (state) => (state.account?.id === recordedId ? { ...state, account: portalOf(account) } : null));
}

/**
 * Forgets whom the CRM's stored leads were synced as (`SyncState.syncedAs`): a connect is the
 * admin choosing the credentials, and the next sync records the user they sign in as (a sync
 * running now leaves it forgotten: `putSyncState`).
 */
export async function forgetSyncedAs(db: LeadLensDb, crm: CrmKind): Promise<void> {
  await changeSyncState(db, crm, (state) => (state.syncedAs === undefined ? null : { ...state, syncedAs: undefined }));
}

/** The token the CRM's stored leads' portal was last confirmed through (`PortalToken`); undefined when not known. */
export async function readPortalToken(db: LeadLensDb, crm: CrmKind): Promise<PortalToken | undefined> {
  return (await readSyncState(db, crm)).portalToken;
}

/** Records `portalToken` as the token the CRM's stored leads' portal was last confirmed through. */
export async function recordPortalToken(db: LeadLensDb, crm: CrmKind, portalToken: PortalToken): Promise<void> {
  await changeSyncState(db, crm, (state) =>
    state.portalToken?.portalId === portalToken.portalId && state.portalToken.sha256 === portalToken.sha256 ? null : { ...state, portalToken },
  );
}

/**
 * How an admin gets past contacts kept from a portal HubSpot would not name to a token whose
 * portal it will not name either (`otherAccountRefusal`, a connect's or test's note).
 */
export const WAYS_PAST_AN_UNNAMED_PORTAL =
  'connect the token that synced them again (with HubSpot\'s oauth scope given to its service key or private app, LeadLens can also ask which portal it reads); a token that names its portal otherwise counts as another portal\'s, and removes them. Or start afresh with Options › Data and privacy › Purge everything, which deletes every stored lead, model and connection';

/**
 * Why a job through `connection` may not sync into, or write back from, the CRM's stored synced
 * leads, synced from `storedFrom` (the sync state's account): they come from another org or
 * portal than the one it reads, or the portal it reads is not known yet (a HubSpot token whose
 * check failed, or whose portal HubSpot would not name: what it would store could not be told
 * from another portal's later). Null when it may.
 */
export function otherAccountRefusal(storedFrom: CrmAccount | undefined, connection: Connection): string | null {
  const account = accountOf(connection);
  if (!account) {
    const unknown = 'portal this token reads is not known yet: press "Test connection" to read it, then sync';
    return storedFrom ? `The stored leads come from ${storedFrom.name}, and which ${unknown}. If HubSpot will not say, ${WAYS_PAST_AN_UNNAMED_PORTAL}` : `Which ${unknown}`;
  }
  if (!storedFrom || account.id === storedFrom.id) return null;
  return `The stored leads come from ${storedFrom.name}, not ${account.name}: press "Test connection" to replace them, then sync`;
}

/** Leads renamed per transaction when owner ids get their names. */
const OWNER_RENAME_CHUNK = 2000;
/** Leads read, and those holding a dropped field rewritten, per transaction. */
const FIELD_DROP_CHUNK = 2000;

/** Whether `stored` holds `job`: a job is known by when it started. */
const holdsJob = (stored: SyncState, job: SyncJob): boolean => stored.job?.startedAt === job.startedAt;

/**
 * Whether a sync's `state`, moving `job` on, may be written over `stored`: where it holds that job;
 * or, as the job's first page, where none is stored and the last complete sync's cursor is the
 * job's (what it reads on from): nothing of the job was stored before, so nothing is lost.
 */
const followsOn = (stored: SyncState, state: SyncState, job: SyncJob): boolean =>
  holdsJob(stored, job) || (job.pages === 1 && stored.job === null && stored.completedCursor === state.completedCursor);

/**
 * Writes a sync's `state` with the fields a connect or test owns (`account`, `portalToken`), and
 * whom the leads were synced as (`syncedAs`, recorded as a job starts: `recordSyncedAs`), as
 * stored now: the engine writes the state it read at its start, and would put back an account or
 * token a Test connection recorded meanwhile, or a user a connect forgot (the next sync would then
 * refuse the user just connected as). `job`: the job the state moves on, refused when the store no
 * longer holds it (`SyncJobGoneError`). Within the caller's transaction (one over the settings
 * table); resolves with what it wrote.
 */
async function putSyncState(db: LeadLensDb, crm: CrmKind, state: SyncState, job?: SyncJob | null): Promise<SyncState> {
  const stored = await readSyncState(db, crm);
  if (job && !followsOn(stored, state, job)) throw new SyncJobGoneError(crm);
  const { account, portalToken, syncedAs } = stored;
  const written = { ...state, account, portalToken, syncedAs };
  await db.settings.put({ key: syncStateKey(crm), value: written });
  return written;
}

/**
 * Keeps `kept` under `key` in settings, tied to the HubSpot portal whose contacts are stored, once
 * `schema` passes it; deletes the row otherwise, so no row of another portal or shape is left.
 */
async function keepForStoredPortal<T extends object>(db: LeadLensDb, key: string, schema: z.ZodType<{ portalId: string } & T>, kept: T): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    const parsed = schema.safeParse({ portalId: (await readSyncState(db, 'hubspot')).account?.id, ...kept });
    if (parsed.success) await db.settings.put({ key, value: parsed.data });
    else await db.settings.delete(key);
  });
}

export function dexieSyncStore(db: LeadLensDb): SyncStore {
  return {
    readState: (crm) => readSyncState(db, crm),
    async writeState(crm, state) {
      await db.transaction('rw', db.settings, async () => {
        const stored = await readSyncState(db, crm);
        // The end of a job the store no longer holds (`SyncJobGoneError`), or never held (its start
        // could not be written): only how it ended is written, over what the store holds, not its checkpoint.
        const gone = state.status !== 'running' && state.job !== null && !holdsJob(stored, state.job);
        await putSyncState(db, crm, gone ? { ...stored, status: state.status, error: state.error, errorKind: state.errorKind, endedAt: state.endedAt } : state);
      });
    },
    recordSyncedAs: (crm, user, expected) => changeSyncState(db, crm, (state) => (state.syncedAs?.id === expected?.id ? { ...state, syncedAs: user } : null)),
    async syncedIdsAmong(crm, ids) {
      const stored = await db.leads.bulkGet(ids.map((id) => leadKeyOf(crm, id)));
      return new Set(ids.filter((_, i) => stored[i]?.origin === 'sync'));
    },
    countChanged: async (leads) => (await changesAmong(leads)).changed.length,
    async commitPage(crm, leads, state) {
      await db.transaction('rw', [...db.leadTables, db.scores, db.settings], async () => {
        // A lead read again as stored is not stored again: it would be owed a score it has. One
        // read again as a write-back left it is stored (its new stamps kept), owed nothing.
        const { changed, restamped } = await changesAmong(leads);
        await db.putLeads(changed);
        await db.restampLeads(restamped);
        await deleteRecordPageScoresOf(changed);
        await putSyncState(db, crm, state, state.job);
      });
    },
    async finishSync(crm, deletions, finished, job) {
      const goneNow = async () => (deletions === null ? [] : goneLeadKeys(crm, deletions));
      const candidates = new Set(await goneNow());
      const finish = () =>
        db.transaction('rw', [...db.leadTables, db.leadScores, db.scores, db.settings, db.heldOutScores], async () => {
          // Judged again as the leads are now: one written while the lock was awaited (a demo
          // reseed of the same key) stays. Only candidates go, as only they paused the bulk scoring.
          const keys = candidates.size === 0 ? [] : (await goneNow()).filter((key) => candidates.has(key));
          const gone = new Set(keys);
          await db.deleteLeads(keys);
          if (gone.size > 0) await deleteRecordPageScores((leadKey) => gone.has(leadKey));
          // A deletion is final here (a record restored later is synced as a new lead): the
          // models' held-out probabilities keep no key of it (a GDPR erasure leaves no trace).
          await db.forgetHeldOutScoresOf(gone);
          await db.settings.bulkDelete(keys.map(writtenValuesKey));
          // Nor does the last write-back's report list its record id among those refused or not emptied.
          await forgetRecordsInWriteBackReport(db, crm, keys.map((key) => key.slice(leadKeyPrefix(crm).length)));
          return putSyncState(db, crm, finished(keys.length), job);
        });
      // A bulk scoring running now would write its batch's scores back for leads deleted under it:
      // paused after its batch, as an import's swap pauses it.
      return candidates.size > 0 ? withStoredScoresPaused(finish) : finish();
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
    async dropFields(crm, fields, stageOrder) {
      const dropped = new Set(fields);
      let emptied = 0;
      await forEachChunk(
        db.leads,
        FIELD_DROP_CHUNK,
        async (leads) => {
          const holding = leads.filter((lead) => lead.origin === 'sync' && lead.source === crm && Object.keys(lead.fields).some((name) => dropped.has(name)));
          await db.putLeads(holding.map((lead) => withoutFields(crm, lead, dropped, stageOrder)));
          emptied += holding.length;
        },
        prefixRange(leadKeyPrefix(crm)),
      );
      // Record pages' cached scores hold the fields read (and their reasons quote them), served
      // without reading the record again: all of the CRM's go, as an entry cached before its
      // fields were kept quotes a dropped one only in its reasons. A page is scored again on its next visit.
      await db.transaction('rw', db.scores, () => deleteRecordPageScores((leadKey) => leadKey.startsWith(leadKeyPrefix(crm))));
      return emptied;
    },
    async refreshFields(crm, records, next, stageOrder) {
      return db.transaction('rw', [...db.leadTables, db.scores, db.settings], async () => {
        const stored = await db.leads.bulkGet(records.map((record) => leadKeyOf(crm, record.id)));
        const changed = records.flatMap((record, i) => {
          const lead = stored[i];
          if (lead?.origin !== 'sync') return [];
          // Dropping no field: the indexed ones read again from the new values, the owner's stored name kept.
          const refreshed = withoutFields(crm, { ...lead, fields: { ...lead.fields, ...record.fields } }, new Set(), stageOrder);
          return samePlainData(refreshed, lead) ? [] : [refreshed];
        });
        await db.putLeads(changed);
        await deleteRecordPageScoresOf(changed);
        const state = next(changed.length);
        return putSyncState(db, crm, state, state.job);
      });
    },
    // None rather than some: a list cut short would misplace the stages after the cut.
    keepLifecycleStages: (stages) => keepForStoredPortal(db, KEPT_LIFECYCLE_STAGES_KEY, KeptLifecycleStagesSchema, { stages: lifecycleStagesOf(stages) }),
    // None rather than the last sync's: those may be another portal's, or name options since renamed.
    keepLeadSourceLabels: (labels) =>
      keepForStoredPortal(db, KEPT_LEAD_SOURCE_LABELS_KEY, KeptLeadSourceLabelsSchema, {
        labels: Object.fromEntries(Object.entries(labels).map(([value, label]) => [value, valueLabelAsShown(label)]).filter(([, label]) => label !== '')),
      }),
  };

  /**
   * Of `leads` (of a key given twice, the last), those not stored or that differ from their stored
   * copy (`changed`), less those that differ only as a write-back of LeadLens's left their records
   * (`restamped`: `differsOnlyByWriteBack`). What LeadLens wrote is read for the leads stored and differing alone.
   */
  async function changesAmong(leads: readonly StoredLead[]): Promise<{ changed: StoredLead[]; restamped: StoredLead[] }> {
    const latest = [...new Map(leads.map((lead) => [lead.key, lead])).values()];
    const stored = await db.leads.bulkGet(latest.map((lead) => lead.key));
    const differing = latest.flatMap((lead, i) => (samePlainData(lead, stored[i]) ? [] : [{ lead, stored: stored[i] }]));
    const syncedBefore = differing.filter(({ stored }) => stored?.origin === 'sync');
    const wrote = new Map((await db.settings.bulkGet(syncedBefore.map(({ lead }) => writtenValuesKey(lead.key)))).map((row, i) => [syncedBefore[i].lead.key, writtenValuesOf(row)]));
    const changed: StoredLead[] = [];
    const restamped: StoredLead[] = [];
    for (const { lead, stored } of differing) {
      if (stored !== undefined && differsOnlyByWriteBack(lead, stored, wrote.get(lead.key) ?? {})) restamped.push(lead);
      else changed.push(lead);
    }
    return { changed, restamped };
  }

  function unnamedLeadsOf(crm: CrmKind, ownerId: string) {
    return db.leads.where('owner').equals(ownerId).filter((lead) => hasUnnamedOwner(crm, lead));
  }

  /** The keys of the CRM's synced leads that `deletions` say are gone. */
  async function goneLeadKeys(crm: CrmKind, deletions: Deletions): Promise<string[]> {
    const keyOf = (id: string) => leadKeyOf(crm, id);
    if (deletions.kind === 'all-present') {
      const present = new Set(deletions.ids.map(keyOf));
      // The origin index's keys: no lead is read.
      const synced = (await db.leads.where('origin').equals('sync').primaryKeys()) as string[];
      return synced.filter((key) => key.startsWith(keyOf('')) && !present.has(key));
    }
    // A record's last deletion counts (deleted, restored, deleted again).
    const deletedAt = new Map<string, number>();
    for (const record of deletions.records) {
      const key = keyOf(record.id);
      deletedAt.set(key, Math.max(record.deletedAt, deletedAt.get(key) ?? record.deletedAt));
    }
    const stored = await db.leads.bulkGet([...deletedAt.keys()]);
    // A lead stored as changed after its deletion was restored since (a Salesforce undelete keeps the Id): it stays.
    return stored.flatMap((lead) => (lead?.origin === 'sync' && lead.modifiedAt <= deletedAt.get(lead.key)! ? [lead.key] : []));
  }

  /** Record pages' cached scores (`scoreKeyOf`) of the leads `ofLead` picks by key: they hold the leads' fields too. */
  async function deleteRecordPageScores(ofLead: (leadKey: string) => boolean): Promise<void> {
    const cached = (await db.scores.toCollection().primaryKeys()) as string[];
    await db.scores.bulkDelete(cached.filter((key) => ofLead(leadKeyOfCachedScore(key))));
  }

  /**
   * The record pages' cached scores of `leads`, stored new or changed: a page whose fields did not
   * change would be answered its cached score, of the record before the change, for up to "stale
   * after", while its list row, the side panel, write-back and exports say the stored lead's
   * (a list row answers with a fresh page score: score-leads.ts). Its next visit scores it anew.
   */
  async function deleteRecordPageScoresOf(leads: readonly StoredLead[]): Promise<void> {
    if (leads.length === 0) return;
    const keys = new Set(leads.map((lead) => lead.key));
    await deleteRecordPageScores((leadKey) => keys.has(leadKey));
  }
}

/**
 * Whether `read`, a CRM's record read again by a sync, differs from `stored`, its stored copy,
 * only as a write-back of LeadLens's leaves a record: in the CRM's modification stamps
 * (`MODIFICATION_STAMP_FIELDS`, and `modifiedAt`), and in fields that hold, before and after, what
 * LeadLens remembers writing there (`wrote`: `readWrittenValues`) as write-back compares it
 * (`comparable`: HubSpot sends the number written as text), or nothing (a field emptied: stored
 * null as written, not sent by the CRM). Such a lead is no change: its score, and its record page's
 * cached one, still hold, as the model reads no written field (write-back refuses one it reads) and
 * a stamp only where the admin kept one past training's flag. A value other than LeadLens's in a
 * written field (a rep's) is a change.
 */
function differsOnlyByWriteBack(read: StoredLead, stored: StoredLead, wrote: Readonly<Record<string, string>>): boolean {
  if (read.source === 'csv' || read.origin !== 'sync' || stored.origin !== 'sync') return false;
  const { modifiedAt: _readAt, fields: readFields, ...readIndexed } = read;
  const { modifiedAt: _storedAt, fields: storedFields, ...storedIndexed } = stored;
  if (!samePlainData(readIndexed, storedIndexed)) return false;
  const stamps: ReadonlySet<string> = new Set(MODIFICATION_STAMP_FIELDS[read.source]);
  const heldAsWritten = (name: string) => {
    const value = comparable(readFields[name]);
    return value === comparable(storedFields[name]) && value === (wrote[name] ?? '');
  };
  const names = new Set([...Object.keys(readFields), ...Object.keys(storedFields)]);
  return [...names].every((name) => stamps.has(name) || samePlainData(readFields[name], storedFields[name]) || heldAsWritten(name));
}

/** Whether two values of plain data (what IndexedDB stores) are equal, member by member. */
function samePlainData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const entries = Object.entries(a);
  return entries.length === Object.keys(b).length && entries.every(([key, value]) => Object.hasOwn(b, key) && samePlainData(value, (b as Record<string, unknown>)[key]));
}
