/** Background handlers for model versions. */
import { offscreen } from '../../messaging/client';
import type { modelsProtocol } from '../../messaging/protocol-models';
import type { Handlers } from '../../messaging/rpc';
import { activateStoredModel, rollBackModel } from '../activate-model';
import { keepWorkerAliveDuring } from '../keep-alive';
import { ensureOffscreenDocument } from '../offscreen-engine';

export const modelsHandlers: Handlers<typeof modelsProtocol> = {
  // Up to a minute (its deadline) with no extension call: Chrome would stop an idle worker at 30 s,
  // and the page would read the closed channel as a failed check.
  checkModel: async (request) => {
    await ensureOffscreenDocument();
    return keepWorkerAliveDuring(offscreen.checkModel(request));
  },
  activateModel: ({ modelId }) => activateStoredModel(modelId),
  rollBackModel: () => rollBackModel(),
};
