/** Background handler for the data LeadLens keeps: the purge runs here, beside the jobs it stops. */
import type { privacyProtocol } from '../../messaging/protocol-privacy';
import type { Handlers } from '../../messaging/rpc';
import { purgeEverything } from '../purge';

export const privacyHandlers: Handlers<typeof privacyProtocol> = {
  async purgeEverything() {
    await purgeEverything();
    return { ok: true };
  },
};
