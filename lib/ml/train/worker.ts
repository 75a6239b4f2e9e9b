/**
 * The training Web Worker, started by the options page. It reads the source's history from
 * IndexedDB itself (no big payload crosses to it) and posts progress and the result back.
 */
import { readLeadsForTraining } from '../../db/db';
import { historyRule, inHistory } from '../../db/source-history';
import { writtenBackFields } from '../../db/written-back-fields';
import type { SourceKind } from '../featurize';
import { probabilitiesOf } from '../../ui/stored-data';
import { runTrainingRequest, type HistoryRead } from './training-job';
import { TrainingEventSchema, TrainingRequestSchema, type TrainingEvent } from './worker-protocol';

/**
 * `source`'s history (its demo leads left out once it has leads of its own), read for `read`: its
 * rule, then its leads a chunk at a time, each read in a short transaction of its own, so a sync's
 * commit, and the badges' reads queued behind it, wait for one chunk, not for the whole history.
 */
async function readHistoryLeads(source: SourceKind, read: HistoryRead): Promise<void> {
  const rule = await historyRule(source);
  await readLeadsForTraining(source, (key) => inHistory(rule, key), read);
}

const post = (event: TrainingEvent) => {
  const checked = TrainingEventSchema.parse(event);
  self.postMessage(checked, { transfer: checked.type === 'trained' ? [checked.onnx.buffer, checked.heldOut.probabilities.buffer, checked.heldOut.logits.buffer] : [] });
};

self.addEventListener('message', (message: MessageEvent) => {
  const request = TrainingRequestSchema.safeParse(message.data);
  if (!request.success) {
    post({ type: 'failed', error: 'The training request was malformed.' });
    return;
  }
  void runTrainingRequest(request.data, { leads: readHistoryLeads, writtenBackFields, probabilitiesOf }, post);
});
