/**
 * Messages for list views: a content script sends the record ids of the rows it shows and
 * gets a score for each record LeadLens knows (never fields, never credentials).
 */
import { z } from 'zod';
import { CrmKindSchema, okOr, ScoredLeadSchema } from './schemas';

/** A batch is the rows in view; a list page shows at most a few hundred. */
export const MAX_LIST_BATCH = 200;

export const ScoreLeadsByIdRequestSchema = z.object({
  crm: CrmKindSchema,
  recordIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_LIST_BATCH),
});

/** `unknown`: LeadLens has nothing on this record (not synced, not imported, no fresh score from its record page in this org): no score is made up. */
export const ListRowScoreSchema = z.discriminatedUnion('state', [
  z.object({ recordId: z.string(), state: z.literal('scored'), lead: ScoredLeadSchema }),
  z.object({ recordId: z.string(), state: z.literal('unknown') }),
  /**
   * Known, but not scored: none of the fields the model reads, an active model that reads no field
   * of this CRM, the CRM read failed, the CRM's answer left it out (deleted, not shared), or a list
   * of another org or portal than the connected one; `reason` says which, for the rep.
   */
  z.object({ recordId: z.string(), state: z.literal('unscorable'), reason: z.string().max(500) }),
]);
export type ListRowScore = z.infer<typeof ListRowScoreSchema>;

export const ScoreLeadsByIdResponseSchema = okOr({ rows: z.array(ListRowScoreSchema) });

export const listProtocol = {
  scoreLeadsById: { input: ScoreLeadsByIdRequestSchema, output: ScoreLeadsByIdResponseSchema },
} as const;
