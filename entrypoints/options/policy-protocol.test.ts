/** The policy worker's replies as the options page parses them. */
import { expect, it } from 'vitest';
import { previewPolicy } from '@/lib/ml/tier-policy';
import { confusionAt } from '@/lib/ml/train/metrics';
import { PolicyReplySchema } from './policy-protocol';

it("keeps a preview whole through the page's parse, with the confusion counted at each threshold, so the page need not count it again", () => {
  const labels = Uint8Array.from([1, 0, 1, 0]);
  const probabilities = Float64Array.from([0.9, 0.1, 0.6, 0.3]);
  const preview = previewPolicy({ kind: 'fixed' }, labels, probabilities, { revenuePerConversion: 100, costPerContact: 10, leadsPerPeriod: 50 }, { hot: 0.8, warm: 0.5 });
  const reply = PolicyReplySchema.parse({ type: 'preview', id: 1, preview });
  expect(reply).toEqual({ type: 'preview', id: 1, preview });
  expect(reply.type === 'preview' && reply.preview.markers).toMatchObject({ hot: { confusion: confusionAt(labels, probabilities, 0.8) }, warm: { confusion: confusionAt(labels, probabilities, 0.5) } });
});

it("keeps the stored scores of the leads the model learnt from through the page's parse, which the side panel's counts are read from", () => {
  const data = { labels: Uint8Array.from([1]), probabilities: Float64Array.from([0.6]), heldOut: 1, ranked: Float64Array.from([0.6, 0.2]), learntFromScores: Float64Array.from([0.8]) };
  expect(PolicyReplySchema.parse({ type: 'labelled', id: 2, data })).toEqual({ type: 'labelled', id: 2, data });
  // One stored score per ranked lead learnt from, at most.
  expect(PolicyReplySchema.safeParse({ type: 'labelled', id: 2, data: { ...data, learntFromScores: Float64Array.from([0.8, 0.3, 0.1]) } }).success).toBe(false);
});
