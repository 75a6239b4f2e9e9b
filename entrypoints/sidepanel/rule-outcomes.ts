/**
 * The outcomes of the stored leads by the active model's outcome rule, for the side panel's
 * conversion rates: read in a worker (./rule-outcomes-worker.ts), which reads the leads whole,
 * with their fields, as the options page's policy worker does. The page itself reads only lead
 * summaries: 100,000 whole leads are hundreds of MB. Messages are parsed with zod on both sides.
 */
import { z } from 'zod';
import { forEachChunk, prefixRange } from '@/lib/db/chunks';
import { db, leadKeyPrefix } from '@/lib/db/db';
import { historyRule, inHistory } from '@/lib/db/source-history';
import { Float64ArraySchema, Uint8ArraySchema } from '@/lib/messaging/schemas';
import { modelOutcomeOf, ModelOutcomeRuleSchema, outcomeSettled, settledDaysOf } from '@/lib/ml/outcome-rule';
import { readsNotConvertedAsLost, type RuleOutcome, type RuleOutcomes } from '@/lib/segments';
import { leadAgesCountedFrom, PAGE_CHUNK } from '@/lib/ui/stored-data';

export const RuleOutcomesRequestSchema = z.object({ modelId: z.string(), rule: ModelOutcomeRuleSchema, now: z.number() });
export type RuleOutcomesRequest = z.infer<typeof RuleOutcomesRequestSchema>;

/** Whether `probabilities` hold `leads` values, each 0–1 or NaN (a lead the model did not learn from). */
const oneProbabilityEach = (probabilities: Float64Array, leads: number) =>
  probabilities.length === leads && probabilities.every((probability) => Number.isNaN(probability) || (probability >= 0 && probability <= 1));

/**
 * The leads whose outcome counts, and those too new to count that converted already (or, by a rule
 * that reads not converted as lost, `readsNotConvertedAsLost`, were closed without converting),
 * their outcomes (1 converted, 0 not), whether each is too new to count (1) and, for those the model
 * learnt from, their held-out probabilities (NaN for the others), as four arrays: one message,
 * the typed arrays transferred; `crossFittedProbabilities`: a fifth, those leads' cross-fitted
 * probabilities (NaN for the others), absent for a model trained before LeadLens kept them;
 * `learntFrom`: whether LeadLens knows which leads the model learnt
 * from (it trained it), which count whatever their age; `outsideHistory`: the demo leads of the
 * rule's source that its history leaves out (`historyRule`), which have no outcome by the rule.
 */
export const RuleOutcomeListSchema = z
  .object({
    leadKeys: z.array(z.string()),
    outcomes: Uint8ArraySchema,
    uncounted: Uint8ArraySchema,
    heldOutProbabilities: Float64ArraySchema,
    crossFittedProbabilities: Float64ArraySchema.optional(),
    learntFrom: z.boolean(),
    outsideHistory: z.array(z.string()),
  })
  .refine(
    ({ leadKeys, outcomes, uncounted, heldOutProbabilities, crossFittedProbabilities }) =>
      leadKeys.length === outcomes.length &&
      leadKeys.length === uncounted.length &&
      outcomes.every((outcome) => outcome <= 1) &&
      uncounted.every((flag) => flag <= 1) &&
      oneProbabilityEach(heldOutProbabilities, leadKeys.length) &&
      (crossFittedProbabilities === undefined || oneProbabilityEach(crossFittedProbabilities, leadKeys.length)),
    'one outcome, 0 or 1, one too-new flag, 0 or 1, and one held-out probability (and cross-fitted one, when sent), 0–1 or NaN, per lead',
  );
export type RuleOutcomeList = z.infer<typeof RuleOutcomeListSchema>;

export const RuleOutcomesReplySchema = z.union([z.object({ ok: z.literal(true), outcomes: RuleOutcomeListSchema }), z.object({ ok: z.literal(false), error: z.string() })]);
export type RuleOutcomesReply = z.infer<typeof RuleOutcomesReplySchema>;

/**
 * The leads whose outcome the options page counts for the model of `modelId` (`labelledProbabilities`
 * with its rule), with their outcomes: each lead's by `modelOutcomeOf` (another source's leads, and
 * demo leads outside the source's history, have none), if the model learnt from it
 * (`db.heldOutScores`) or once it is `outcomeSettled` by the minimum age the model was trained
 * with (`settledDaysOf` its rule), counted from `now`, or an imported file's from its latest
 * created date (`leadAgesCountedFrom`, as the trainer counted its window). The leads it learnt
 * from come with their held-out probabilities, and their cross-fitted ones when kept, which the
 * options page reads them with by its policy (`countedLabelled`; the model's own scores of them
 * flatter it), read here in one go rather than per lead on the page. The demo leads outside the
 * history are named apart: the lists read their stored outcomes, as another source's leads'. One pass over the rule's source's
 * leads, a range of keys a chunk at a time; no other source's lead is read. Reads without yielding: for the worker.
 */
export async function readRuleOutcomes({ modelId, rule, now }: RuleOutcomesRequest): Promise<RuleOutcomeList> {
  const [history, heldOut, countedFrom] = await Promise.all([historyRule(rule.source), db.heldOutScores.get(modelId), leadAgesCountedFrom(rule.source, now)]);
  const heldOutIndexOf = new Map(heldOut?.leadKeys.map((leadKey, i) => [leadKey, i]));
  // Kept by this LeadLens beside the held-out probabilities; an older one kept none.
  const crossFitted = heldOut?.crossFittedProbabilities;
  const settledAfterDays = settledDaysOf(rule);
  const notConvertedIsLost = readsNotConvertedAsLost(rule, rule.source);
  const leadKeys: string[] = [];
  const outcomes: number[] = [];
  const uncounted: number[] = [];
  const heldOutProbabilities: number[] = [];
  const crossFittedProbabilities: number[] = [];
  const outsideHistory: string[] = [];
  await forEachChunk(
    db.leads,
    PAGE_CHUNK,
    (leads) => {
      for (const lead of leads) {
        const outcome = modelOutcomeOf(lead, rule, (leadKey) => inHistory(history, leadKey));
        const heldOutIndex = heldOutIndexOf.get(lead.key);
        if (outcome === null) {
          if (!inHistory(history, lead.key)) outsideHistory.push(lead.key);
          continue;
        }
        const counted = heldOutIndex !== undefined || outcomeSettled(lead.createdAt, countedFrom, settledAfterDays);
        // A lead too new to count in the rates that converted already, or was lost by a rule that says so, is no lead to work: the lists leave it out.
        if (!counted && outcome !== 1 && !notConvertedIsLost) continue;
        leadKeys.push(lead.key);
        outcomes.push(outcome);
        uncounted.push(counted ? 0 : 1);
        heldOutProbabilities.push(heldOutIndex === undefined ? Number.NaN : heldOut!.probabilities[heldOutIndex]);
        if (crossFitted) crossFittedProbabilities.push(heldOutIndex === undefined ? Number.NaN : crossFitted[heldOutIndex]);
      }
    },
    prefixRange(leadKeyPrefix(rule.source)),
  );
  return {
    leadKeys,
    outcomes: Uint8Array.from(outcomes),
    uncounted: Uint8Array.from(uncounted),
    heldOutProbabilities: Float64Array.from(heldOutProbabilities),
    ...(crossFitted && { crossFittedProbabilities: Float64Array.from(crossFittedProbabilities) }),
    learntFrom: heldOutIndexOf.size > 0,
    outsideHistory,
  };
}

/** The outcomes as the side panel looks them up, by lead key; a demo lead outside the history with a null outcome. */
export function byLead({ leadKeys, outcomes, uncounted, heldOutProbabilities, crossFittedProbabilities, outsideHistory }: RuleOutcomeList): RuleOutcomes {
  const outcomesByLead = new Map<string, RuleOutcome>(
    leadKeys.map((leadKey, i) => {
      const heldOutProbability = Number.isNaN(heldOutProbabilities[i]) ? null : heldOutProbabilities[i];
      const crossFittedProbability = crossFittedProbabilities?.[i];
      return [
        leadKey,
        {
          outcome: outcomes[i] === 1 ? 1 : 0,
          heldOutProbability,
          ...(crossFittedProbability !== undefined && !Number.isNaN(crossFittedProbability) && { crossFittedProbability }),
          ...(uncounted[i] === 1 && { uncounted: true as const }),
        },
      ];
    }),
  );
  for (const leadKey of outsideHistory) outcomesByLead.set(leadKey, { outcome: null, heldOutProbability: null });
  return outcomesByLead;
}
