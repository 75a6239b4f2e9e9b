/**
 * Messages for CRM connections and sync (options page → background). Credentials go in
 * (the admin types a token); nothing that comes out carries one: replies are
 * `ConnectionReply` (crm, status, host, message), `ConnectionSummary` (that, and the sign-in
 * kind and API version) and sync progress.
 */
import { z } from 'zod';
import { ConnectionReplySchema, ConnectionStatusSchema, ConnectionSummarySchema, SalesforceApiVersionSchema, SalesforceClientIdSchema, SalesforceHostSchema } from '../connections/schema';
import { HubSpotApiVersionSchema } from '../crm/hubspot-client';
import { AutoSyncSchema, LastRunSchema, SkippedRecordsSchema, SyncStatusSchema } from '../sync/state';
import { CrmKindSchema, okOr } from './schemas';
import { PortalLifecycleStagesSchema } from '../crm/hubspot-lifecycle';

const TimeoutSeconds = z.number().int().min(1).max(300).optional();

/**
 * A HubSpot access token as pasted. It is sent as an HTTP header: a space, line break or other
 * character no token has would make every request fail as if the network were down. Each rule
 * stops the checks when it fails, so that only the first problem is said (nothing pasted, or
 * only spaces, fails every rule, and only the first says what to do).
 */
const HubSpotTokenSchema = z
  .string()
  .trim()
  .min(1, { error: 'paste the access token of your private app or service key', abort: true })
  .min(10, { abort: true })
  .max(500, { abort: true })
  .regex(/^[\x21-\x7e]+$/, 'a token is letters, digits and signs only: no spaces, line breaks or other characters (was something else pasted with it?)');

export const ConnectRequestSchema = z.discriminatedUnion('crm', [
  z.object({
    crm: z.literal('salesforce'),
    host: SalesforceHostSchema,
    apiVersion: SalesforceApiVersionSchema,
    /** Sign in with OAuth (PKCE) through this External Client App instead of reusing the browser's session. */
    oauthClientId: SalesforceClientIdSchema.optional(),
    timeoutSeconds: TimeoutSeconds,
  }),
  z.object({ crm: z.literal('hubspot'), token: HubSpotTokenSchema, apiVersion: HubSpotApiVersionSchema, timeoutSeconds: TimeoutSeconds }),
]);
export type ConnectRequest = z.infer<typeof ConnectRequestSchema>;

const ConnectionResponseSchema = okOr(ConnectionReplySchema.shape);

/**
 * The `errorKind` of a run stopped as the browser would store no more of LeadLens's data
 * (IndexedDB's QuotaExceededError: the disk full, or the share of it the browser gives LeadLens).
 */
export const STORAGE_FULL_ERROR_KIND = 'storage-full';

/**
 * The `errorKind` of a run stopped as LeadLens's data in this browser was deleted while it ran
 * (`SyncJobGoneError`: the browser's site data cleared): nothing it stored is left, and the next
 * sync reads every lead again, not from where it stopped.
 */
export const DATA_CLEARED_ERROR_KIND = 'data-cleared';

export const SyncSummarySchema = z.object({
  crm: CrmKindSchema,
  status: SyncStatusSchema,
  /** Records stored by the job in progress (or the last one). */
  synced: z.number(),
  /** What the CRM says is left, when it says. */
  remaining: z.number().nullable(),
  /** Leads synced from this CRM in the browser now (not Demo mode's, kept under its keys): those a connect to another org or portal removes. */
  stored: z.number(),
  error: z.string().nullable(),
  /**
   * What kind of error stopped the last run (`CrmErrorKind`, as the sync state keeps it): `auth`,
   * the CRM refused the credentials or none are stored, so syncing again fails the same way until
   * the CRM is connected again; `STORAGE_FULL_ERROR_KIND`, the browser's storage for LeadLens is
   * full; `DATA_CLEARED_ERROR_KIND`, LeadLens's data was deleted as it ran. Null or absent: none,
   * or not known.
   */
  errorKind: z.string().nullable().optional(),
  /**
   * The CRM's connection status now: a run stopped by refused credentials (`errorKind` auth) can
   * go on once it is `connected` again. Absent: not known.
   */
  connection: ConnectionStatusSchema.optional(),
  lastRun: LastRunSchema.nullable(),
  /** The records syncs left out, as they could not be read, and have not stored since (null: none). */
  leftOut: SkippedRecordsSchema.nullable(),
  /** When the last run ended, however it ended (epoch ms; null before the first). */
  endedAt: z.number().nullable(),
  /**
   * The org or portal the stored synced leads came from, as a connect compares the one it reads
   * with (connecting another removes them, also after a Disconnect): a Salesforce My Domain host
   * (id and name), a HubSpot portal (id, and its name). Null when not known: a connect then removes nothing.
   */
  syncedFrom: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type SyncSummary = z.infer<typeof SyncSummarySchema>;

/** How often syncs run by themselves, and when the next is due (epoch ms; null when off). */
export const AutoSyncStatusSchema = AutoSyncSchema.extend({ nextAt: z.number().nullable() });
export type AutoSyncStatus = z.infer<typeof AutoSyncStatusSchema>;

const SyncResponseSchema = okOr(SyncSummarySchema.shape);

/** Field → value the API gives → label the CRM's pages show, for choice fields whose labels differ (`CrmClient.optionLabels`). */
export const OptionLabelsByFieldSchema = z.record(z.string(), z.record(z.string(), z.string()));

export const syncProtocol = {
  connectCrm: { input: ConnectRequestSchema, output: ConnectionResponseSchema },
  testConnection: { input: z.object({ crm: CrmKindSchema }), output: ConnectionResponseSchema },
  disconnectCrm: { input: z.object({ crm: CrmKindSchema }), output: ConnectionResponseSchema },
  connectionStatus: {
    input: z.object({}),
    output: okOr({ connections: z.array(ConnectionSummarySchema) }),
  },
  startSync: { input: z.object({ crm: CrmKindSchema }), output: SyncResponseSchema },
  cancelSync: { input: z.object({ crm: CrmKindSchema }), output: SyncResponseSchema },
  syncStatus: {
    input: z.object({}),
    output: okOr({ syncs: z.array(SyncSummarySchema), autoSync: AutoSyncStatusSchema }),
  },
  /** How the connected CRM labels the options of these choice fields on its pages; none when it is not connected. */
  crmOptionLabels: {
    input: z.object({ crm: CrmKindSchema, fields: z.array(z.string().min(1).max(255)).max(200) }),
    output: okOr({ labels: OptionLabelsByFieldSchema }),
  },
  /**
   * The connected HubSpot portal's lifecycle stages, in its order, each with the label its pages
   * show as LeadLens shows it (the value when it has none); none when HubSpot is not connected.
   * A stage is one a model's rule can hold (`MAX_RULE_VALUES` of `MAX_RULE_VALUE_LENGTH`), never blank.
   */
  crmLifecycleStages: {
    input: z.object({}),
    output: okOr({ stages: PortalLifecycleStagesSchema }),
  },
  setAutoSync: { input: AutoSyncSchema, output: okOr({ autoSync: AutoSyncStatusSchema }) },
} as const;
