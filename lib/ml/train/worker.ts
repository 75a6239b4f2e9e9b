/**
 * The training Web Worker, started by the options page. It reads the source's history from
 * IndexedDB itself (no big payload crosses to it) and posts progress and the result back.
 */
import { writtenBackFields } from '../../db/written-back-fields';
import { probabilitiesOf } from '../../ui/stored-data';
import { readHistoryLeads } from './history-leads';
import { runTrainingRequest } from './training-job';
import { TrainingEventSchema, TrainingRequestSchema, type TrainingEvent } from './worker-protocol';

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
