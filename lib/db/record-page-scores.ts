/**
 * The score a record page cached for a stored lead (`db.scores`), and when a stored lead shows it
 * rather than a score of its stored fields: one rule for a list row's badge
 * (lib/background/score-leads.ts) and the side panel's counts and top leads (lib/ui/stored-data.ts),
 * so a lead shows one score wherever it is listed.
 */
import { z } from 'zod';
import { schemaOf, ScoredLeadSchema } from '../messaging/schemas';
import type { ScoredLead } from '../messaging/protocol';
import type { CachedScore } from './db';

/** A cached score as read back: an entry of another shape (an older version's) is a miss, scored again. */
export const CachedScoreSchema = schemaOf<Omit<CachedScore, 'key'>>()(
  z.object({
    fieldsHash: z.string(),
    lead: ScoredLeadSchema,
    scoredAt: z.number(),
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.undefined()])).optional(),
    account: z.string().optional(),
  }),
);

/** Whether a score cached at `scoredAt` (none: just now) is still reused at `now`: younger than "stale after" (the admin's `recordStaleHours`). */
export function reusedAt(scoredAt: number | undefined, now: number, staleAfterMs = Infinity): boolean {
  return now - (scoredAt ?? now) < staleAfterMs;
}

/**
 * What a stored lead shows rather than a score of its stored fields, which give the model
 * `featuresKnown` values: `recent`, the score cached of it while still reused (`reusedAt`), when
 * its record page cached it (with the fields it scored: a list's carries none) knowing as many of
 * the model's fields. The page read the record from the CRM after the last sync stored it (a sync
 * storing it changed deletes that score: store.ts); one scored from the page's fields alone (not
 * connected) that knew fewer is not shown over the stored lead's.
 */
export function pageScoreOfStoredLead<T extends Pick<CachedScore, 'fields'> & { lead: Pick<ScoredLead, 'featuresKnown'> }>(
  recent: T | undefined,
  featuresKnown: number,
): T | undefined {
  return recent?.fields !== undefined && recent.lead.featuresKnown >= featuresKnown ? recent : undefined;
}
