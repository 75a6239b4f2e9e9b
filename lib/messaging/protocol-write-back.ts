/**
 * Messages for writing scores back to the CRM (options page → background): start, cancel,
 * and the progress of each CRM's write-back. Field names are checked again in the background
 * (`WriteBackTargetSchema`); replies carry counts, record ids and the CRM's error messages.
 */
import { z } from 'zod';
import { CrmKindSchema, okOr } from './schemas';
import type { CrmKind } from '../crm/types';

const FieldName = z.string().trim().min(1).max(80);

export const WriteBackRequestSchema = z.object({
  crm: CrmKindSchema,
  scoreField: FieldName,
  tierField: FieldName.optional(),
  reasonField: FieldName.optional(),
});
export type WriteBackRequest = z.infer<typeof WriteBackRequestSchema>;

/**
 * A write-back under way first checks that the CRM lets it fill the fields (`checking`), then
 * scores the CRM's stored leads and chooses those to write (`scoring`), then writes (`running`).
 */
export const WriteBackStatusSchema = z.enum(['idle', 'checking', 'scoring', 'running', 'done', 'cancelled', 'error']);
export type WriteBackStatus = z.infer<typeof WriteBackStatusSchema>;

/** Whether a write-back in this state is under way: it can be cancelled, and its end is still to come. */
export const isUnderway = (status: WriteBackStatus) => status === 'checking' || status === 'scoring' || status === 'running';

/** Record ids kept per error in a summary: enough to look a few up, small enough to message. */
export const MAX_FAILED_IDS_SHOWN = 20;
/** Errors kept in a summary, each with its records: a CRM whose message names each record's value would make one per record. */
export const MAX_FAILURE_GROUPS_SHOWN = 10;

/** What a write-back's values came from: the active model when it scored the leads (its id, when it was trained) and the tier thresholds of the tiers it wrote. */
export const WrittenWithSchema = z.object({
  modelId: z.string(),
  /** ISO date-time the model was trained (its manifest's `createdAt`). */
  modelCreatedAt: z.string(),
  /** Whether `modelCreatedAt` is its data's date (`datedByItsData`: a command-line model's); absent from records written before it was kept. */
  modelDatedByData: z.boolean().optional(),
  /** The tier thresholds of the last batch written (or, with nothing to write, of the leads found holding their values). */
  hot: z.number(),
  warm: z.number(),
  /**
   * Whether the fields hold tiers of more than one set of thresholds: some written with others than
   * `hot` and `warm` that tier them otherwise (a tier policy applied while it wrote), or an earlier
   * write-back's of other thresholds left on leads one that stopped early did not reach. False in
   * states kept by an older LeadLens.
   */
  tiersMixed: z.boolean().default(false),
  /**
   * Whether some leads hold another model's scores than `modelId`'s: a write-back stopped before
   * it wrote every lead, which kept an earlier write-back's values of another model. Absent when not.
   */
  modelsMixed: z.boolean().optional(),
});
export type WrittenWith = z.infer<typeof WrittenWithSchema>;

export const WriteBackSummarySchema = z.object({
  crm: CrmKindSchema,
  status: WriteBackStatusSchema,
  /** The fields of the last write-back, so the form shows what was used. */
  target: z.object({ scoreField: z.string().nullable(), tierField: z.string().nullable(), reasonField: z.string().nullable() }).nullable(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Records the CRM took, of `total` (in every state: a write-back stopped or cancelled keeps what it wrote). */
  written: z.number().int().nonnegative(),
  /**
   * Of `written`, leads the active model cannot score whose fields still held the values LeadLens
   * wrote there, which were emptied (0 in a state kept by an older LeadLens, as for the counts below).
   */
  cleared: z.number().int().nonnegative().default(0),
  /** Leads left out because their fields already held these values when last synced. */
  unchanged: z.number().int().nonnegative().default(0),
  /** Synced leads left out, not in `total`, because the CRM lets no one update them: converted Salesforce Leads. */
  converted: z.number().int().nonnegative().default(0),
  failures: z.array(z.object({ error: z.string(), count: z.number().int().positive(), recordIds: z.array(z.string()).max(MAX_FAILED_IDS_SHOWN) })).max(MAX_FAILURE_GROUPS_SHOWN),
  /** Records the CRM refused for errors other than those in `failures`. */
  unlistedFailures: z.number().int().nonnegative().default(0),
  /**
   * Leads whose fields were to be emptied with fields left as they are, by reason: the CRM, read
   * just before, no longer held what LeadLens wrote there (a rep's value typed since the last
   * sync), or could not say. A lead with other fields emptied is in `cleared` too.
   */
  notCleared: z.array(z.object({ reason: z.string(), count: z.number().int().positive(), recordIds: z.array(z.string()).max(MAX_FAILED_IDS_SHOWN) })).max(MAX_FAILURE_GROUPS_SHOWN).default([]),
  /** Leads left as they are for reasons other than those in `notCleared`. */
  unlistedNotCleared: z.number().int().nonnegative().default(0),
  /**
   * Records of the request under way when the job stopped (a cancel, or a failure with no answer:
   * none in time, one cut short, network, 5xx after the client's retries): the CRM may or may not
   * have written them. Not in
   * `written` nor `failures`.
   */
  unconfirmed: z.number().int().nonnegative().default(0),
  /** Why the whole job stopped (not connected, a field refused, no scores, the service worker was stopped). */
  error: z.string().nullable(),
  /** It stopped because the CRM refused the credentials (`error` says the step that fixes it); absent otherwise, and from an older LeadLens. */
  stoppedBySignInRefusal: z.literal(true).optional(),
  finishedAt: z.number().nullable(),
  /**
   * The model whose scores it wrote, and the tier thresholds their tiers came from: the CRM's
   * fields hold them until the next write-back writes a batch, whatever model or tier policy is
   * active since. Until then (and if it never does) the last write-back's to the same fields;
   * absent before any wrote, and from states kept by an older LeadLens.
   */
  writtenWith: WrittenWithSchema.optional(),
});
export type WriteBackSummary = z.infer<typeof WriteBackSummarySchema>;

/** A CRM's write-back before any has run: nothing counted, no target. */
export const idleWriteBack = (crm: CrmKind): WriteBackSummary => ({
  crm,
  status: 'idle',
  target: null,
  done: 0,
  total: 0,
  written: 0,
  cleared: 0,
  unchanged: 0,
  converted: 0,
  failures: [],
  unlistedFailures: 0,
  notCleared: [],
  unlistedNotCleared: 0,
  unconfirmed: 0,
  error: null,
  finishedAt: null,
});

const SummaryResponseSchema = okOr(WriteBackSummarySchema.shape);

export const writeBackProtocol = {
  /** Write the active model's score (and tier, top reason) of every synced lead of `crm` to the chosen fields. */
  writeBackScores: { input: WriteBackRequestSchema, output: SummaryResponseSchema },
  cancelWriteBack: { input: z.object({ crm: CrmKindSchema }), output: SummaryResponseSchema },
  writeBackStatus: {
    input: z.object({}),
    output: okOr({ writeBacks: z.array(WriteBackSummarySchema) }),
  },
} as const;
