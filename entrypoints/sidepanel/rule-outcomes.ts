/**
 * The outcomes of the stored leads by the active model's outcome rule, for the side panel's
 * conversion rates: read in a worker (./rule-outcomes-worker.ts), which reads the leads whole,
 * with their fields, as the options page's policy worker does. The page itself reads only lead
 * summaries: 100,000 whole leads are hundreds of MB. Messages are parsed with zod on both sides.
 */
import { z } from 'zod';
import { forEachChunk, prefixRange } from '@/lib/db/chunks';
import { db } from '@/lib/db/db';
import { historyRule, inHistory } from '@/lib/db/source-history';
import { modelOutcomeOf, ModelOutcomeRuleSchema, outcomeSettled, settledDaysOf } from '@/lib/ml/outcome-rule';
import type { RuleOutcomes } from '@/lib/segments';
import { PAGE_CHUNK } from '@/lib/ui/stored-data';

export const RuleOutcomesRequestSchema = z.object({ modelId: z.string(), rule: ModelOutcomeRuleSchema, now: z.number() });
export type RuleOutcomesRequest = z.infer<typeof RuleOutcomesRequestSchema>;

const Uint8ArraySchema = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'a Uint8Array');

/**
 * The leads whose outcome counts, and their outcomes (1 converted, 0 not), as two arrays: one
 * message, the outcomes transferred; `learntFrom`: whether LeadLens knows which leads the model
 * learnt from (it trained it), which count whatever their age.
 */
export const RuleOutcomeListSchema = z
  .object({ leadKeys: z.array(z.string()), outcomes: Uint8ArraySchema, learntFrom: z.boolean() })
  .refine(({ leadKeys, outcomes }) => leadKeys.length === outcomes.length && outcomes.every((outcome) => outcome <= 1), 'one outcome, 0 or 1, per lead');
export type RuleOutcomeList = z.infer<typeof RuleOutcomeListSchema>;

export const RuleOutcomesReplySchema = z.union([z.object({ ok: z.literal(true), outcomes: RuleOutcomeListSchema }), z.object({ ok: z.literal(false), error: z.string() })]);
export type RuleOutcomesReply = z.infer<typeof RuleOutcomesReplySchema>;

/**
 * The leads whose outcome the options page counts for the model of `modelId` (`labelledProbabilities`
 * with its rule), with their outcomes: each lead's by `modelOutcomeOf` (another source's leads, and
 * demo leads outside the source's history, have none), if the model learnt from it
 * (`db.heldOutScores`) or once it is `outcomeSettled` at `now` by the minimum age the model was
 * trained with (`settledDaysOf` its rule). One pass over the rule's source's
 * leads, a range of keys a chunk at a time; no other source's lead is read. Reads without yielding: for the worker.
 */
export async function readRuleOutcomes({ modelId, rule, now }: RuleOutcomesRequest): Promise<RuleOutcomeList> {
  const [history, heldOut] = await Promise.all([historyRule(rule.source), db.heldOutScores.get(modelId)]);
  const learntFrom = new Set(heldOut?.leadKeys);
  const settledAfterDays = settledDaysOf(rule);
  const leadKeys: string[] = [];
  const outcomes: number[] = [];
  await forEachChunk(
    db.leads,
    PAGE_CHUNK,
    (leads) => {
      for (const lead of leads) {
        const outcome = modelOutcomeOf(lead, rule, (leadKey) => inHistory(history, leadKey));
        if (outcome === null || !(learntFrom.has(lead.key) || outcomeSettled(lead.createdAt, now, settledAfterDays))) continue;
        leadKeys.push(lead.key);
        outcomes.push(outcome);
      }
    },
    prefixRange(`${rule.source}|`),
  );
  return { leadKeys, outcomes: Uint8Array.from(outcomes), learntFrom: learntFrom.size > 0 };
}

/** The outcomes as the side panel looks them up, by lead key. */
export function byLead({ leadKeys, outcomes }: RuleOutcomeList): RuleOutcomes {
  return new Map(leadKeys.map((leadKey, i) => [leadKey, outcomes[i] === 1 ? 1 : 0]));
}
