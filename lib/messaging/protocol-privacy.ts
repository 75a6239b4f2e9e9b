/** Messages for the data LeadLens keeps (options page → background). */
import { z } from 'zod';
import { FailureSchema } from './schemas';

export const privacyProtocol = {
  /**
   * Stops every sync and write-back, then deletes everything stored (see lib/background/purge.ts).
   * `grantLeftLive`: a Salesforce sign-in LeadLens could not end, still live at Salesforce, and
   * where an admin revokes it (absent: none).
   */
  purgeEverything: { input: z.object({}), output: z.union([z.object({ ok: z.literal(true), grantLeftLive: z.string().optional() }), FailureSchema]) },
} as const;
