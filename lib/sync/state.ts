/**
 * A CRM's sync state, kept in Dexie `settings` under `sync:<crm>` and written in the same
 * transaction as the leads of the page it covers: a worker killed at any point resumes from
 * the last committed page, re-reading at most one page, losing and duplicating nothing.
 */
import { z } from 'zod';
import type { SkippedRecord } from '../crm/client';
import { CRM_TERMS, type CrmKind } from '../crm/types';

/** A record a sync left out because it could not be read or stored (crm/client.ts `SkippedRecord`). */
export const SkippedRecordSchema: z.ZodType<SkippedRecord> = z.object({ id: z.string().nullable(), reason: z.string() });

/**
 * The records syncs left out and have not stored since: how many, and the first
 * `MAX_LEFT_OUT_NAMED` of them by id and reason (one entry per id), for the admin to look up
 * in the CRM. Those beyond are kept by id alone in the state's `leftOutUnnamed`.
 */
export const SkippedRecordsSchema = z.object({ count: z.number().int().nonnegative(), named: z.array(SkippedRecordSchema) });
export type SkippedRecords = z.infer<typeof SkippedRecordsSchema>;
export const MAX_LEFT_OUT_NAMED = 1000;
/**
 * Left-out records kept by id beyond the named ones, so that the state, written with every
 * page, stays a few hundred kB at most. Past them a record is counted each time a page skips
 * it, until a read of every record counts them afresh (engine.ts `withFieldsCompared`).
 */
export const MAX_LEFT_OUT_UNNAMED = 20_000;

export const SyncJobSchema = z.object({
  startedAt: z.number(),
  /**
   * Where a restart begins (epoch ms): the CRM's `resumeFrom` of the last page, else the largest
   * modification time stored by this job from before it began (see engine.ts `checkpointOf`).
   */
  cursor: z.number().nullable(),
  /**
   * How far the job has read (epoch ms): the CRM's `resumeFrom` of the last page, else the
   * largest modification time stored by this job; null until it stores a record (or while the
   * CRM's `resumeFrom` says it has read no date in order). The next sync
   * begins a few minutes before it, or before this job began if that is earlier (engine.ts
   * `nextSyncCursor`). Absent in jobs of an older LeadLens, whose `cursor` it was.
   */
  reached: z.number().nullable().optional(),
  /** Id of the last record stored (ties on `cursor` are re-read, harmlessly). */
  lastId: z.string().nullable(),
  /** The CRM's token for the next page, or null to query from `cursor`. */
  pageToken: z.string().nullable(),
  /** Leads the job stored, changed or not (its progress). */
  synced: z.number().int().nonnegative(),
  /**
   * Of those, the leads that were new or differed from their stored copy: a lead read again
   * unchanged (the look-back of every sync reads some) is not counted. Absent in jobs of an
   * older LeadLens, which counted every lead stored.
   */
  changed: z.number().int().nonnegative().optional(),
  pages: z.number().int().nonnegative(),
  /** The CRM's own count of what is left, when it gives one. */
  remaining: z.number().int().nonnegative().nullable(),
  /**
   * Records the job read as merged into another (HubSpot), with when: gone from the CRM without
   * being deleted, they are removed with its deletions when the job finishes. Only those stored,
   * or left out, as the job read them (engine.ts `withMergesOf`): a merge of a record never stored,
   * or removed long ago, leaves nothing to remove. Absent in jobs of an older LeadLens.
   */
  mergedAway: z.array(z.object({ id: z.string(), deletedAt: z.number() })).default([]),
});
export type SyncJob = z.infer<typeof SyncJobSchema>;

export const SyncStatusSchema = z.enum(['idle', 'running', 'done', 'cancelled', 'error']);

/**
 * A comparison of the stored leads with every record the CRM has that was refused, the list
 * being clearly shorter than the CRM counts (crm/client.ts `ListShortOfCountError`): when (epoch
 * ms, the sync's clock), and how many records the CRM listed and counted.
 */
const ComparisonRefusalSchema = z.object({ at: z.number(), listed: z.number().int().nonnegative(), counted: z.number().int().nonnegative() });
export type ComparisonRefusal = z.infer<typeof ComparisonRefusalSchema>;

/**
 * How long after a refused comparison a sync compares again: each attempt lists every record
 * (HubSpot: a request per 100 contacts), so an hourly sync does not make it every hour.
 */
export const COMPARISON_RETRY_AFTER_MS = 86_400_000;

/**
 * A complete sync: the leads it stored new or changed (the job's `changed`; an older LeadLens
 * counted every lead it stored), the synced leads it removed as the CRM deleted them (absent in
 * runs of an older LeadLens), and when it finished. `comparisonRefused`: the last comparison,
 * this sync's or an earlier one's, was refused, and none has completed since (absent: none
 * refused); syncs meanwhile remove only what the CRM lists as deleted (engine.ts `readDeletions`).
 * `calculatedNotRefreshed`: in words, why the last read again of the values the CRM computes
 * (formula fields, calculated properties) was not made, the CRM having refused it, when none has
 * completed since (absent: none refused); it is made again with the next comparison (engine.ts
 * `calculatedNotRefreshedNote`).
 */
export const LastRunSchema = z.object({
  synced: z.number(),
  removed: z.number().optional(),
  finishedAt: z.number(),
  seconds: z.number(),
  comparisonRefused: ComparisonRefusalSchema.optional().catch(undefined),
  calculatedNotRefreshed: z.string().optional().catch(undefined),
});

export const SyncStateSchema = z.object({
  status: SyncStatusSchema,
  /** Cursor of the last complete sync: the next sync asks only for changes since. */
  completedCursor: z.number().nullable(),
  /**
   * Where the next sync starts reading the CRM's deletions (epoch ms), set by every complete
   * sync; absent before the first, and in states of an older LeadLens (`completedCursor` then).
   */
  deletionCursor: z.number().optional(),
  /**
   * When the stored leads were last compared with every record the CRM has (epoch ms, the
   * sync's clock): when the list of them was asked for, or a first sync started. A CRM that
   * deletes without listing it (HubSpot GDPR deletions) is compared again a week later (engine.ts
   * `FULL_COMPARISON_EVERY_MS`). Absent in states of an older LeadLens: the next HubSpot sync compares.
   */
  idsComparedAt: z.number().optional(),
  /**
   * The fields (API names / property names, sorted) the job in progress, or the last, reads of
   * every record (`CrmClient.syncedFields`), compared as a job starts: one that finds a field
   * not among them reads every record again, so that every stored lead gets it (engine.ts
   * `withFieldsCompared`). A job is never dropped unfinished, so that read completes. Absent in
   * states of an older LeadLens, which synced a field added after its first sync only to the
   * leads changed since: the next sync reads every record again.
   */
  syncedFields: z.array(z.string()).optional(),
  /**
   * Whether the job in progress, or the last, reads the records' amounts converted to one
   * currency (`CrmClient.amountsInCorporateCurrency`), recorded with `syncedFields`: a job that
   * finds them converted where this is not true reads every record again, as for a new field, so
   * that no stored lead keeps an amount in its own currency. Absent in states of an older
   * LeadLens, which stored a multi-currency Salesforce org's amounts unconverted: the next sync
   * of such an org reads every record again (a single-currency org's, none).
   */
  amountsInCorporateCurrency: z.boolean().optional(),
  /** The job in progress (also after a cancel or an error: starting again resumes it). */
  job: SyncJobSchema.nullable(),
  lastRun: LastRunSchema.nullable(),
  /**
   * When the last run ended, however it ended (done, error, cancelled; epoch ms): a page polling
   * the state sees a run that began and ended between two looks, even one failing as the last did.
   * Absent in states of an older LeadLens.
   */
  endedAt: z.number().optional(),
  /**
   * The records syncs left out, unreadable or unstorable (engine.ts `storablePage`), and not
   * stored since: a sync reads each again when it next changes in the CRM. Written with each
   * page; absent when there are none.
   */
  leftOut: SkippedRecordsSchema.optional(),
  /**
   * The left-out records beyond those `leftOut` names, by id (`(no id) <reason>` for one
   * without a readable id), up to `MAX_LEFT_OUT_UNNAMED`: each is counted once, and no longer
   * once stored or deleted. Absent when there are none, and in states of an older LeadLens,
   * which counted those beyond the named without their ids until a read of every record.
   */
  leftOutUnnamed: z.array(z.string()).optional(),
  /** What stopped the job, in words (never a field value). */
  error: z.string().nullable(),
  /** `auth` means the connection needs "reconnect". */
  errorKind: z.string().nullable(),
  /**
   * The org or portal the stored leads and checkpoint come from, kept when the CRM is
   * disconnected (while connected, the connection says): connecting another one forgets them.
   */
  account: z.object({ id: z.string(), name: z.string() }).optional(),
  /**
   * The token of the last HubSpot connection whose portal a connect or test found to be the
   * stored contacts' (or took as theirs, none being stored), and that portal's id ('' for one
   * HubSpot would not name): one token reads one portal, so that token connected again after
   * another is that portal's, whatever HubSpot says. Kept as its SHA-256 in hex, never in clear:
   * this state is in IndexedDB, credentials only in `storage.local` with their connection. It goes
   * with the contacts (another portal connected, Purge everything). Unknown when absent or damaged.
   */
  portalToken: z.object({ portalId: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional().catch(undefined),
  /**
   * The CRM user the stored leads were synced as (`CrmClient.currentUser`): a sync as another
   * reads what that one may see, and would drop what only this one sees (engine.ts
   * `otherUserRefusal`). Unknown when absent (a state of an older LeadLens; a CRM without users)
   * or damaged: the next sync records it.
   */
  syncedAs: z.object({ id: z.string().min(1), name: z.string(), username: z.string() }).optional().catch(undefined),
});
export type SyncState = z.infer<typeof SyncStateSchema>;

export const INITIAL_SYNC_STATE: SyncState = { status: 'idle', completedCursor: null, job: null, lastRun: null, error: null, errorKind: null };

export const syncStateKey = (crm: CrmKind) => `sync:${crm}`;

/**
 * Refuses a sync's write of a page or a finish for a job the store no longer holds: the browser's
 * site data was cleared (or the database deleted) while it ran, and Dexie opened a new, empty
 * database by itself. Written there, the job's checkpoint would have every later sync go on from
 * it, never reading again the leads stored before; refused, the job ends, and as its end is written
 * without it (`dexieSyncStore`'s `writeState`), the next sync reads every lead. Here, beside the
 * state, so that the engine, which imports no store, knows it (its run ends as data cleared).
 */
export class SyncJobGoneError extends Error {
  constructor(crm: CrmKind) {
    super(`LeadLens's data in this browser was deleted while this sync ran (the browser's site data cleared): the next sync reads every ${CRM_TERMS[crm].record} again`);
    this.name = 'SyncJobGoneError';
  }
}

/** Minutes between automatic syncs (./schedule.ts): every hour, every 4 hours, every day; null = off. */
export const AutoSyncSchema = z.object({ everyMinutes: z.union([z.literal(60), z.literal(240), z.literal(1440)]).nullable() });
export type AutoSync = z.infer<typeof AutoSyncSchema>;

/**
 * Whether IndexedDB refused a write as the browser's storage for LeadLens is full (the disk, or
 * LeadLens's share of it): Dexie's error bears the browser's name, or holds the browser's error.
 */
export function isStorageFull(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'QuotaExceededError' || isStorageFull((error as { inner?: unknown }).inner) || isStorageFull(error.cause);
}
