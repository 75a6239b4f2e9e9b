/** Background handlers for model versions. */
import { offscreen } from '../../messaging/client';
import type { modelsProtocol } from '../../messaging/protocol-models';
import type { Handlers } from '../../messaging/rpc';
import { activateStoredModel, rollBackModel } from '../activate-model';
import { ensureOffscreenDocument } from '../offscreen-engine';

export const modelsHandlers: Handlers<typeof modelsProtocol> = {
  checkModel: async (request) => {
    await ensureOffscreenDocument();
    return offscreen.checkModel(request);
  },
  activateModel: ({ modelId }) => activateStoredModel(modelId),
  rollBackModel: () => rollBackModel(),
};
