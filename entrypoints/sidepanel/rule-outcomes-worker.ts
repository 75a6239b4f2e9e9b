/**
 * Reads the outcomes of the stored leads by the active model's outcome rule off the side panel's
 * main thread: the leads are read whole (see ./rule-outcomes.ts). One request per worker.
 */
import { answerEachRequest } from '@/lib/worker-once';
import { readRuleOutcomes, RuleOutcomesRequestSchema, type RuleOutcomesReply } from './rule-outcomes';

answerEachRequest<RuleOutcomesReply>(
  async (data) => {
    const outcomes = await readRuleOutcomes(RuleOutcomesRequestSchema.parse(data));
    return { reply: { ok: true, outcomes }, transfer: [outcomes.outcomes, outcomes.uncounted, outcomes.heldOutProbabilities, outcomes.crossFittedProbabilities].flatMap((array) => (array ? [array.buffer] : [])) };
  },
  (error) => ({ ok: false, error }),
);
