/**
 * Reads the outcomes of the stored leads by the active model's outcome rule off the side panel's
 * main thread: the leads are read whole (see ./rule-outcomes.ts). One request per worker.
 */
import { readRuleOutcomes, RuleOutcomesRequestSchema, type RuleOutcomesReply } from './rule-outcomes';

self.onmessage = async (event: MessageEvent) => {
  try {
    const outcomes = await readRuleOutcomes(RuleOutcomesRequestSchema.parse(event.data));
    self.postMessage({ ok: true, outcomes } satisfies RuleOutcomesReply, { transfer: [outcomes.outcomes.buffer, outcomes.uncounted.buffer, outcomes.heldOutProbabilities.buffer] });
  } catch (error) {
    self.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies RuleOutcomesReply);
  }
};
