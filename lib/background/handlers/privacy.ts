/** Background handler for the data LeadLens keeps: the purge runs here, beside the jobs it stops. */
import type { privacyProtocol } from '../../messaging/protocol-privacy';
import type { Handlers } from '../../messaging/rpc';
import { purgeEverything } from '../purge';

export const privacyHandlers: Handlers<typeof privacyProtocol> = {
  async purgeEverything() {
    const grantLeftLive = await purgeEverything();
    // Everything stored went, but not a sign-in Salesforce could not be told to end: the page says where to revoke it.
    return grantLeftLive ? { ok: true, grantLeftLive } : { ok: true };
  },
};
