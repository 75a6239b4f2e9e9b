/**
 * Background handlers for CRM connections and sync. Credentials come in with `connectCrm`
 * and go only to `storage.local`; every reply is a `ConnectionReply`, a `ConnectionSummary` or
 * sync progress. How a connection is checked and stored is connect.ts's; the HubSpot portal's
 * checks, hubspot-portal.ts's; the sync summaries, lib/sync/summaries.ts's.
 */
import { clientFor } from '../../connections/client-for';
import { connectionGeneration, endGrantOf, readConnection, readStatus, removeConnection } from '../../connections/connections';
import { accountOf, apiHostOf, settingsOf, type Connection, type ConnectionSummary } from '../../connections/schema';
import { lifecycleStagesOf } from '../../crm/hubspot-lifecycle';
import { CRM_KINDS, CRM_LABEL, type CrmKind } from '../../crm/types';
import { db } from '../../db/db';
import { broadcastToPages, sendToCrmTabs } from '../../messaging/events';
import type { AutoSyncStatus, syncProtocol } from '../../messaging/protocol-sync';
import type { Handlers } from '../../messaging/rpc';
import { cancelSync, startSync } from '../../sync/runner';
import { nextAutoSyncAt, readAutoSync, setAutoSync } from '../../sync/schedule';
import { recordSyncedAccount } from '../../sync/store';
import { summaries } from '../../sync/summaries';
import { check, connectionOf, discardUnstored, mayNotReach, mayReach, releaseUnlessConnected, remember, rememberPortalToken, storeConnection, withConnectionLock } from '../connect';
import { checkStoredConnection, learnPortalIfUnknown, recordPortalCheck } from '../hubspot-portal';
import { keepWorkerAliveDuring } from '../keep-alive';
import { forgetOpenLeadsOf } from '../open-lead';
import { deleteCachedScoresOf, forgetScoresInFlight } from '../score-cache';
import { cancelWriteBack } from '../write-back-job';

/** A connection's status with its settings: the options page starts its form from them, so "Reconnect" signs in the same way. */
async function connectionSummary(crm: CrmKind): Promise<ConnectionSummary> {
  const connection = await readConnection(crm);
  return { ...(await readStatus(crm)), settings: connection && settingsOf(connection) };
}

type SyncProtocol = typeof syncProtocol;

async function autoSyncStatus(): Promise<AutoSyncStatus> {
  return { ...(await readAutoSync()), nextAt: await nextAutoSyncAt() };
}

export const syncHandlers: Handlers<SyncProtocol> = {
  async connectCrm(request) {
    // Before the sign-in: a Disconnect or purge answered from now on is not undone by this connect.
    const generation = await connectionGeneration(request.crm);
    // An OAuth sign-in (login, MFA) is for nothing without the site access: its token exchange would fail, said as an unreachable host.
    if (request.crm === 'salesforce' && request.oauthClientId !== undefined && !(await mayReach(request.host))) return { ok: false, error: mayNotReach(request.host) };
    let connection: Connection;
    try {
      connection = await connectionOf(request);
    } catch (error) {
      // The OAuth sign-in failed (closed, refused, a missing scope): nothing was stored, so
      // the stored status would not say it. A failure reply does, on the page. The access to
      // its host was asked for all the same (a mistyped host's too).
      if (request.crm === 'salesforce') await releaseUnlessConnected('salesforce', request.host);
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    // After the sign-in (its window may stay open for minutes): alone among the CRM's connects and checks from here.
    return withConnectionLock(request.crm, async () => {
      // Not stored (a failure below, or a check refused while the previous connection worked): it is discarded.
      const outcome = await storeConnection(connection, generation).catch(async (error: unknown) => {
        const grantLeftLive = await discardUnstored(connection);
        throw grantLeftLive ? new Error(`${error instanceof Error ? error.message : String(error)}. ${grantLeftLive}`) : error;
      });
      if ('refused' in outcome) {
        // A token or a session: no grant is left live, only the access asked for a host the kept connection does not use goes.
        await discardUnstored(connection);
        return { ok: false, error: outcome.refused };
      }
      const { previous, checked, note, stored } = outcome;
      // A badge's read begun through the previous connection, answered from now on, is not cached.
      forgetScoresInFlight();
      // The previous connection's site access, unless this one talks to the same host. Whatever
      // the check said: a connection to a mistyped host is stored too when none worked before,
      // and connecting the right one again must give the mistyped host's access back.
      let grantLeftLive = '';
      if (previous) {
        // A sign-in replaced by another (or by a session) ends at Salesforce, before its host's access goes.
        grantLeftLive = await endGrantOf(previous, stored);
        await releaseUnlessConnected(request.crm, apiHostOf(previous));
      }
      const { reply } = checked ?? (await check(stored));
      const remembered = await remember(reply, [note, grantLeftLive].filter(Boolean).join('. '));
      if (stored.crm === 'hubspot') await recordPortalCheck(previous, reply);
      return remembered;
    });
  },
  async testConnection({ crm }) {
    return (await checkStoredConnection(crm)) ?? { ok: true, crm, status: 'disconnected', host: '', message: `${CRM_LABEL[crm]} is not connected` };
  },
  async disconnectCrm({ crm }) {
    // A running job holds its client, credentials included: stop both kinds before forgetting them.
    await Promise.all([cancelSync(crm), cancelWriteBack(crm)]);
    const connection = await readConnection(crm);
    const account = connection && accountOf(connection);
    // The synced leads stay; which org or portal they came from must too, or connecting another one
    // would keep them; and the token it was confirmed through, or connecting it again would not.
    if (account) await recordSyncedAccount(db, crm, account);
    if (connection) await rememberPortalToken(connection);
    const grantLeftLive = await removeConnection(crm);
    // Scores read through it hold its records' fields: another org's page with the same ids must not get them.
    forgetScoresInFlight();
    await deleteCachedScoresOf(crm);
    // And so do the open leads remembered for the side panel: what its pages showed.
    await forgetOpenLeadsOf(crm);
    // Their badges ask again, and each tells the side panel its lead anew.
    await sendToCrmTabs('scoresChanged', { crm });
    // Other pages still show it connected, its sync or write-back maybe running.
    await broadcastToPages('connectionsOrRunsChanged', {});
    return { ok: true, crm, status: 'disconnected', host: '', message: [`${CRM_LABEL[crm]} disconnected`, grantLeftLive].filter(Boolean).join('. ') };
  },
  async crmOptionLabels({ crm, fields }) {
    const client = await clientFor(crm);
    // Up to a minute of CRM requests: the worker is kept alive for the page waiting (`withConnectionLock` says why).
    return { ok: true, labels: client ? await keepWorkerAliveDuring(client.optionLabels(fields, { signal: AbortSignal.timeout(60_000) })) : {} };
  },
  async crmLifecycleStages() {
    const client = await clientFor('hubspot');
    const stages = client?.lifecycleStages ? await keepWorkerAliveDuring(client.lifecycleStages({ signal: AbortSignal.timeout(60_000) })) : [];
    return { ok: true, stages: lifecycleStagesOf(stages) };
  },
  async connectionStatus() {
    return { ok: true, connections: await Promise.all(CRM_KINDS.map(connectionSummary)) };
  },
  async startSync({ crm }) {
    if (!(await readConnection(crm))) return { ok: false, error: `${CRM_LABEL[crm]} is not connected` };
    if (crm === 'hubspot') await learnPortalIfUnknown();
    await startSync(crm);
    return { ok: true, ...(await summaries([crm]))[0] };
  },
  async cancelSync({ crm }) {
    await cancelSync(crm);
    return { ok: true, ...(await summaries([crm]))[0] };
  },
  async syncStatus() {
    return { ok: true, syncs: await summaries(CRM_KINDS), autoSync: await autoSyncStatus() };
  },
  async setAutoSync(setting) {
    await setAutoSync(setting);
    return { ok: true, autoSync: await autoSyncStatus() };
  },
};
