/** Messages for the data LeadLens keeps (options page → background). */
import { z } from 'zod';
import { FailureSchema } from './schemas';

export const privacyProtocol = {
  /** Stops every sync and write-back, then deletes everything stored (see lib/background/purge.ts). */
  purgeEverything: { input: z.object({}), output: z.union([z.object({ ok: z.literal(true) }), FailureSchema]) },
} as const;
