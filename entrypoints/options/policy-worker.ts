/**
 * Reads the labelled scores of a model and previews tier policies on them, off the options
 * page's main thread (100,000 leads block a thread for seconds). See ./policy-protocol.ts.
 */
import { manifestOf } from '@/lib/ml/model-store';
import { previewLabelled } from '@/lib/ml/tier-policy';
import { labelledProbabilities } from '@/lib/ui/stored-data';
import { answerEachRequest } from '@/lib/worker-once';
import { PolicyRequestSchema, type Labelled, type PolicyReply, type PolicyRequest } from './policy-protocol';

/** Labelled by what the model was trained to predict: its outcome rule (read from its parsed manifest), when it has one. */
async function labelled(modelId: string): Promise<Labelled> {
  const { outcomeRule } = await manifestOf(modelId);
  return labelledProbabilities(modelId, outcomeRule);
}

/** The id of a request, or -1 for one too malformed to have one: its failure is answered all the same. */
const requestId = (data: unknown) => (typeof data === 'object' && data !== null && 'id' in data && typeof data.id === 'number' ? data.id : -1);

async function answer(request: PolicyRequest): Promise<PolicyReply> {
  if (request.type === 'labelled') return { type: 'labelled', id: request.id, data: await labelled(request.modelId) };
  const { data, policy, calibration, economics, fixed } = request;
  return { type: 'preview', id: request.id, preview: previewLabelled(data, policy, calibration, economics, fixed) };
}

answerEachRequest<PolicyReply>(
  async (data) => {
    const reply = await answer(PolicyRequestSchema.parse(data));
    const transfer = reply.type === 'labelled' ? [reply.data.labels, reply.data.probabilities, reply.data.ranked, reply.data.learntFromScores, reply.data.crossFitted?.probabilities, reply.data.crossFitted?.ranked].flatMap((array) => (array ? [array.buffer] : [])) : [];
    return { reply, transfer };
  },
  (message, data) => ({ type: 'error', id: requestId(data), message }),
);
