/** Messages for the data LeadLens keeps (options page → background). */
import { z } from 'zod';
import { CrmKindSchema, okOr } from './schemas';

/**
 * The CRM fields write-back wrote to, per CRM, as the CRM names them: LeadLens deletes nothing in
 * the CRM, so a purge leaves in them what it wrote, unless the admin emptied them since.
 * `inOrgConnectedBefore`: written in the records of an org or portal connected before the one
 * connected at the purge (a production org before its sandbox), not in that one's.
 */
const FieldsLeftInCrmSchema = z
  .array(z.object({ crm: CrmKindSchema, fields: z.array(z.string().min(1)).min(1), inOrgConnectedBefore: z.literal(true).optional() }))
  .min(1);
export type FieldsLeftInCrm = z.infer<typeof FieldsLeftInCrmSchema>;

export const privacyProtocol = {
  /**
   * Stops every sync and write-back, then deletes everything stored (see lib/background/purge.ts).
   * `grantLeftLive`: a Salesforce sign-in LeadLens could not end, still live at Salesforce, and
   * where an admin revokes it (absent: none). `fieldsLeftInCrm`: the CRM fields still holding what
   * write-back wrote (absent: it wrote to none).
   */
  purgeEverything: {
    input: z.object({}),
    output: okOr({ grantLeftLive: z.string().optional(), fieldsLeftInCrm: FieldsLeftInCrmSchema.optional() }),
  },
} as const;
