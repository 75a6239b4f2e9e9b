/**
 * Reads the labelled scores of a model and previews tier policies on them, off the options
 * page's main thread (100,000 leads block a thread for seconds). See ./policy-protocol.ts.
 */
import { manifestOf } from '@/lib/ml/model-store';
import { previewPolicy } from '@/lib/ml/tier-policy';
import { labelledProbabilities } from '@/lib/ui/stored-data';
import { PolicyRequestSchema, type Labelled, type PolicyReply, type PolicyRequest } from './policy-protocol';

/** Labelled by what the model was trained to predict: its outcome rule (read from its parsed manifest), when it has one. */
async function labelled(modelId: string): Promise<Labelled> {
  const { outcomeRule } = await manifestOf(modelId);
  return labelledProbabilities(modelId, outcomeRule);
}

async function answer(request: PolicyRequest): Promise<PolicyReply> {
  if (request.type === 'labelled') return { type: 'labelled', id: request.id, data: await labelled(request.modelId) };
  const { data, policy, economics, fixed } = request;
  return { type: 'preview', id: request.id, preview: previewPolicy(policy, data.labels, data.probabilities, economics, fixed, data.ranked) };
}

self.onmessage = async (event: MessageEvent) => {
  const id = typeof event.data?.id === 'number' ? event.data.id : -1;
  try {
    const reply = await answer(PolicyRequestSchema.parse(event.data));
    const transfer = reply.type === 'labelled' ? [reply.data.labels, reply.data.probabilities, reply.data.ranked, reply.data.learntFromScores].flatMap((array) => (array ? [array.buffer] : [])) : [];
    self.postMessage(reply, { transfer });
  } catch (error) {
    self.postMessage({ type: 'error', id, message: error instanceof Error ? error.message : String(error) } satisfies PolicyReply);
  }
};
