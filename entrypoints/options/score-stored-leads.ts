import { db } from '@/lib/db/db';
import { background } from '@/lib/messaging/client';

/**
 * Scores the stored leads with `modelId` (after it became active, or after new leads were
 * imported), in the offscreen document; progress shows in the side panel and the options page.
 * Throws the background's error; with no stored lead, asks nothing.
 */
export async function scoreStoredLeadsWith(modelId: string): Promise<void> {
  if ((await db.leads.count()) === 0) return;
  const reply = await background.scoreStoredLeads({ modelId });
  if (!reply.ok) throw new Error(reply.error);
}
