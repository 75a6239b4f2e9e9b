/** Background handler for the data LeadLens keeps: the purge runs here, beside the jobs it stops. */
import type { privacyProtocol } from '../../messaging/protocol-privacy';
import type { Handlers } from '../../messaging/rpc';
import { keepWorkerAliveDuring } from '../keep-alive';
import { purgeEverything } from '../purge';

export const privacyHandlers: Handlers<typeof privacyProtocol> = {
  async purgeEverything() {
    // It waits up to a minute for running jobs to stop, with no extension call: Chrome would stop
    // the worker at 30 s idle, and the page would get a closed channel instead of what was deleted.
    const { grantLeftLive, fieldsLeftInCrm } = await keepWorkerAliveDuring(purgeEverything());
    // Everything stored went, but not a sign-in Salesforce could not be told to end, nor what write-back
    // wrote to the CRM's records: the page says where to revoke the one and which fields hold the other.
    return { ok: true, ...(grantLeftLive ? { grantLeftLive } : {}), ...(fieldsLeftInCrm.length > 0 ? { fieldsLeftInCrm } : {}) };
  },
};
