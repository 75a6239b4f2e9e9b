/**
 * Background handlers for CRM connections and sync. Credentials come in with `connectCrm`
 * and go only to `storage.local`; every reply is a `ConnectionReply`, a `ConnectionSummary` or
 * sync progress.
 */
import { browser } from 'wxt/browser';
import { z } from 'zod';
import { checkSalesforceSession, clientFor, clientForConnection } from '../../connections/client-for';
import { signInWithSalesforce } from '../../connections/oauth';
import { connectionGeneration, endGrantOf, failureInPlainWords, isSameConnection, readConnection, readStatus, releaseHostAccess, removeConnection, stillConnected, writeConnectionUnlessRemovedSince, writeStatus } from '../../connections/connections';
import { DEFAULT_TIMEOUT_SECONDS, accountOf, apiHostOf, originPatternOf, settingsOf, type Connection, type ConnectionReply, type ConnectionSummary } from '../../connections/schema';
import type { CrmAccount } from '../../crm/client';
import { lifecycleStagesOf } from '../../crm/hubspot-lifecycle';
import { abortedByTimeout, isCrmError } from '../../crm/http';
import { CRM_KINDS, CRM_LABEL, type CrmKind } from '../../crm/types';
import { countOwnLeadsOf, db, syncedLeadsOf } from '../../db/db';
import { sendToCrmTabs } from '../../messaging/events';
import type { AutoSyncStatus, ConnectRequest, SyncSummary, syncProtocol } from '../../messaging/protocol-sync';
import type { Handlers } from '../../messaging/rpc';
import { cancelSync, startSync } from '../../sync/runner';
import { nextAutoSyncAt, readAutoSync, setAutoSync } from '../../sync/schedule';
import type { SyncState } from '../../sync/state';
import { forgetSyncedLeads, purgePending } from '../purge';
import { keepWorkerAliveDuring } from '../keep-alive';
import { forgetOpenLeadsOf } from '../open-lead';
import { deleteCachedScoresOf, forgetScoresInFlight } from '../score-cache';
import { cancelWriteBack } from '../write-back-job';
import { WAYS_PAST_AN_UNNAMED_PORTAL, dexieSyncStore, forgetSyncedAs, nameSyncedAccount, readPortalToken, recordPortalToken, recordSyncedAccount } from '../../sync/store';
import { sha256Hex } from '../../sha256';

/** The connection to store; an OAuth one signs in first (the consent window opens here). */
async function connectionOf(request: ConnectRequest): Promise<Connection> {
  const timeoutSeconds = request.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (request.crm === 'hubspot') return { crm: 'hubspot', apiVersion: request.apiVersion, auth: { kind: 'token', token: request.token }, timeoutSeconds };
  const { host, apiVersion, oauthClientId } = request;
  if (oauthClientId === undefined) return { crm: 'salesforce', host, apiVersion, auth: { kind: 'session' }, timeoutSeconds };
  const tokens = await signInWithSalesforce(
    { host, clientId: oauthClientId },
    { launchWebAuthFlow: (details) => browser.identity.launchWebAuthFlow(details), redirectUri: browser.identity.getRedirectURL() },
  );
  return { crm: 'salesforce', host, apiVersion, auth: { kind: 'oauth', clientId: oauthClientId, ...tokens }, timeoutSeconds };
}

/** Whether the admin let LeadLens reach `host` (the site access a Connect click asks for). */
const mayReach = (host: string) => browser.permissions.contains({ origins: [originPatternOf(host)] });

/** What a connect or check says when the admin refused the site access `mayReach` tells. */
const mayNotReach = (host: string) => `LeadLens may not reach https://${host}: allow access to that site when asked (press Connect again)`;

/** The longest a connection check may take: a CRM that never answers must not hold Connect or Test forever. */
const CHECK_TIMEOUT_MS = 60_000;

/**
 * What a failed check of `connection` says: a check that ran out of time says so (any request of
 * it may have been the one waiting, a shared describe too, which ends as a cancel), not
 * "Cancelled"; credentials the CRM refused, the step that fixes it (`failureInPlainWords`).
 */
function checkFailure(connection: Connection, error: unknown, signal: AbortSignal): string {
  if (abortedByTimeout(signal) && (isCrmError(error, 'cancelled') || isCrmError(error, 'network'))) return `${CRM_LABEL[connection.crm]} did not answer within ${CHECK_TIMEOUT_MS / 1000} s`;
  return failureInPlainWords(connection, error);
}

/** Checks, in order, what a connection needs, and says exactly which step failed; `account` when it got that far. */
async function check(connection: Connection): Promise<{ reply: ConnectionReply; account: CrmAccount | null }> {
  const { crm } = connection;
  const host = apiHostOf(connection);
  const reply = (status: ConnectionReply['status'], message: string): ConnectionReply => ({ crm, status, host, message });
  if (!(await mayReach(host))) return { reply: reply('error', mayNotReach(host)), account: null };
  let account: CrmAccount | null;
  const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
  try {
    if (connection.crm === 'salesforce' && connection.auth.kind === 'session') await checkSalesforceSession(connection.host, signal);
    account = await clientForConnection(connection).checkAccess(signal);
  } catch (error) {
    return { reply: reply(isCrmError(error, 'auth') ? 'reconnect' : 'error', checkFailure(connection, error, signal)), account: null };
  }
  const what =
    connection.crm === 'salesforce'
      ? `Leads readable through API ${connection.apiVersion}`
      : account
        ? `contacts of ${account.name} readable`
        : 'contacts readable, but not which portal they are in (HubSpot refused the account details)';
  return { reply: reply('connected', `Connected to ${CRM_LABEL[crm]} at ${host}: ${what}`), account };
}

/** Keeps `reply` (with `note` after it) as the connection's status. */
async function remember(reply: ConnectionReply, note = ''): Promise<ConnectionReply & { ok: true }> {
  const result = note ? { ...reply, message: `${reply.message}. ${note}` } : reply;
  await writeStatus(result);
  return { ok: true, ...result };
}

/** "1 lead synced from X was kept", "5 leads synced from X were removed". */
function syncedLeads(count: number, from: CrmAccount, what: 'removed' | 'kept'): string {
  return count === 1 ? `1 lead synced from ${from.name} was ${what}` : `${count.toLocaleString('en-US')} leads synced from ${from.name} were ${what}`;
}

/** Whether HubSpot named the portal (see `UNNAMED_PORTAL`); a Salesforce org always is, by its host. */
const isNamed = (account: CrmAccount) => account.id !== UNNAMED_PORTAL.id;

/**
 * How `learned`, the org or portal a check read, stands to `storedFrom`, the one the synced leads
 * came from. Only two names that differ tell another portal. A portal HubSpot would not name
 * tells nothing: through a token their portal was confirmed through (`sameToken`: one token reads
 * one portal) it is theirs; through a new token it is 'unconfirmed'. Leads of a portal HubSpot never
 * named are another's to a new token's named portal: no check could ever tell them its.
 */
function compareAccounts(storedFrom: CrmAccount, learned: CrmAccount, sameToken: boolean): 'same' | 'other' | 'unconfirmed' {
  if (isNamed(storedFrom) && isNamed(learned)) return storedFrom.id === learned.id ? 'same' : 'other';
  if (sameToken) return 'same';
  return isNamed(learned) ? 'other' : 'unconfirmed';
}

/**
 * Compares `learned` with `storedFrom` (`compareAccounts`; nothing to compare when unknown) and
 * acts on it: leads of another org or portal are forgotten, with their scores and the sync
 * checkpoint. Unconfirmed, they are kept, and the connection gets no portal, so syncs and
 * write-backs wait for a check that can tell (`otherAccountRefusal`); with none synced there is
 * nothing to keep, and they are forgotten as another's. Resolves with what to tell the admin and
 * the portal a HubSpot connection keeps: the named one of the two when they are the same (the
 * sync state's unnamed one named too). Throws when a job did not stop: then nothing was deleted.
 */
async function reconcileWithSyncedLeads(crm: CrmKind, storedFrom: CrmAccount | null, learned: CrmAccount, sameToken: boolean): Promise<{ note: string; account: CrmAccount | undefined }> {
  if (storedFrom === null) return { note: '', account: learned };
  const verdict = compareAccounts(storedFrom, learned, sameToken);
  if (verdict === 'same') {
    const account = isNamed(learned) ? learned : storedFrom;
    // Where the sync state has the portal HubSpot would not name: the same portal, now named.
    if (isNamed(account)) await nameSyncedAccount(db, crm, UNNAMED_PORTAL.id, account);
    return { note: '', account };
  }
  const kept = verdict === 'unconfirmed' ? await syncedLeadsOf(crm).count() : 0;
  if (kept > 0) {
    const note = `${syncedLeads(kept, storedFrom, 'kept')}, as HubSpot would not say whether this token reads that portal: syncs and write-backs wait until it does. To go on, ${WAYS_PAST_AN_UNNAMED_PORTAL}`;
    return { note, account: undefined };
  }
  const removed = await forgetSyncedLeads(crm);
  recentCounts.delete(crm);
  // None stored (all deleted, or none synced yet): nothing to tell.
  const note = removed > 0 ? `${syncedLeads(removed, storedFrom, 'removed')}: sync to read this ${crm === 'salesforce' ? 'org' : 'portal'}'s` : '';
  return { note, account: learned };
}

/**
 * Records the token of a HubSpot connection whose portal was compared with the synced leads (it
 * has one) as the one their portal was confirmed through: connected again after another token,
 * while HubSpot still will not name its portal, it is theirs (`tokenConfirmedFor`).
 */
async function rememberPortalToken(connection: Connection): Promise<void> {
  if (connection.crm === 'hubspot' && connection.account) await recordPortalToken(db, 'hubspot', { portalId: connection.account.id, sha256: await sha256Hex(connection.auth.token) });
}

/** Whether `connection` holds the token the portal of the leads synced from `storedFrom` was last confirmed through (`rememberPortalToken`). */
async function tokenConfirmedFor(connection: Connection, storedFrom: CrmAccount | null): Promise<boolean> {
  if (connection.crm !== 'hubspot' || storedFrom === null) return false;
  const recorded = await readPortalToken(db, 'hubspot');
  return recorded !== undefined && recorded.portalId === storedFrom.id && recorded.sha256 === (await sha256Hex(connection.auth.token));
}

/**
 * The org or portal the CRM's synced leads came from: as recorded by their syncs (or at a
 * disconnect or connect), else the stored connection's; null when unknown. The record first:
 * a connection stored though its check failed (a mistyped host) is not where they came from.
 */
async function syncedFrom(crm: CrmKind, connection: Connection | null): Promise<CrmAccount | null> {
  return (await dexieSyncStore(db).readState(crm)).account ?? (connection && accountOf(connection));
}

/**
 * Gives back the access to `host`, asked for on a Connect click, unless the CRM's stored
 * connection talks to it: only that connection's client calls a CRM. Leads kept from an org
 * need none (they are read from IndexedDB, their pages through the content script's own
 * hosts), and access held for no connection would let the `cookies` permission read that
 * org's session. Connecting that org again asks for it again. HubSpot's one API host is always
 * its connection's.
 */
async function releaseUnlessConnected(crm: CrmKind, host: string): Promise<void> {
  const stored = await readConnection(crm);
  if (stored === null || apiHostOf(stored) !== host) await releaseHostAccess(host);
}

/**
 * The portal of a HubSpot token its check found working but whose portal HubSpot would not name
 * (account details refused): no evidence of any portal, the stored leads' or another's (`compareAccounts`).
 */
const UNNAMED_PORTAL: CrmAccount = { id: '', name: 'a portal HubSpot would not name' };

/** What a check's account is compared with the stored leads' as: the one learned, an unnamed portal, or nothing (the check failed). */
function comparableAccount({ reply, account }: { reply: ConnectionReply; account: CrmAccount | null }): CrmAccount | null {
  if (account !== null) return account;
  return reply.crm === 'hubspot' && reply.status === 'connected' ? UNNAMED_PORTAL : null;
}

/** Held while a CRM's connection is stored, checked or its check remembered (see `withConnectionLock`). */
const connectionLockName = (crm: CrmKind) => `leadlens-connection:${crm}`;

/**
 * Runs `task` alone among the CRM's connects, tests and portal checks, in whichever tab or alarm
 * they began: each reads the stored connection, checks it (up to a minute) and writes what it
 * learned. Interleaved, a check of the previous connection ending after a connect wrote its
 * account and status over the new one's, and two connects each ended the grant of the
 * connection both read, not of the one the other stored. A Disconnect or purge does not wait
 * for it: a connect or check then writes no connection (`connectionGeneration`). Keeps the
 * worker alive meanwhile, its wait for the lock included: a CRM answering slowly makes no
 * extension call for up to a minute, and Chrome would stop the worker at 30 s, the page that
 * asked getting a closed channel and the check's verdict never saved.
 */
async function withConnectionLock<T>(crm: CrmKind, task: () => Promise<T>): Promise<T> {
  return await keepWorkerAliveDuring(navigator.locks.request(connectionLockName(crm), { mode: 'exclusive' }, task));
}

/** The status of the CRM's stored connection, as a reply. */
async function storedStatus(crm: CrmKind): Promise<ConnectionReply & { ok: true }> {
  return { ok: true, ...(await readStatus(crm)) };
}

/**
 * Checks the stored connection (under the CRM's connection lock). The org or portal it reads,
 * once a check learns it, is compared with the one the synced leads came from (a connect whose
 * check failed compared nothing), and a HubSpot connection keeps the portal that comparison
 * gives (`reconcileWithSyncedLeads`). When the connection was disconnected during the check, it
 * forgets and writes nothing, and answers the status now stored.
 */
async function checkAndRemember(connection: Connection): Promise<ConnectionReply & { ok: true }> {
  const generation = await connectionGeneration(connection.crm);
  const checked = await check(connection);
  const { reply } = checked;
  if (!(await stillConnected(connection))) return storedStatus(connection.crm);
  const compared = comparableAccount(checked);
  if (compared === null) return remember(reply);
  const storedFrom = await syncedFrom(connection.crm, connection);
  // A HubSpot connection with a portal had it compared with the synced leads before: they are its token's.
  const sameToken = connection.crm === 'hubspot' && (connection.account !== undefined || (await tokenConfirmedFor(connection, storedFrom)));
  const { note, account } = await reconcileWithSyncedLeads(connection.crm, storedFrom, compared, sameToken);
  // Read again after the forgetting, which can wait a while for jobs to stop.
  const current = await stillConnected(connection);
  if (!current) return storedStatus(connection.crm);
  // Unless a Disconnect came since the read just above, which a write could undo. Another host of the
  // same portal (a connection stored before LeadLens kept it, a portal moved) is kept too, for Open in CRM.
  const keepsPortal = current.crm === 'hubspot' && (account?.id !== current.account?.id || (account?.uiDomain !== undefined && account.uiDomain !== current.account?.uiDomain));
  if (keepsPortal && !(await writeConnectionUnlessRemovedSince({ ...current, account }, generation))) return storedStatus(connection.crm);
  if (current.crm === 'hubspot') {
    await rememberPortalToken({ ...current, account });
    // Unless the sync state names one: leads synced by a LeadLens that recorded no portal are this
    // connection's (another portal's were just forgotten), and serve its pages (`pageAccess`) from now, not from the next sync.
    if (account) await recordSyncedAccount(db, 'hubspot', account);
  }
  return remember(reply, note);
}

/** Checks the CRM's stored connection if `needsCheck` says so, alone among its connects and checks; null when it is not checked. */
function checkStoredConnection(crm: CrmKind, needsCheck: (connection: Connection) => boolean | Promise<boolean> = () => true): Promise<(ConnectionReply & { ok: true }) | null> {
  return withConnectionLock(crm, async () => {
    // Read once the lock is held: a connect it waited for may have replaced it.
    const connection = await readConnection(crm);
    if (!connection || !(await needsCheck(connection))) return null;
    let reply: (ConnectionReply & { ok: true }) | null = null;
    try {
      reply = await checkAndRemember(connection);
      return reply;
    } finally {
      if (connection.crm === 'hubspot') await recordPortalCheck(connection, reply);
    }
  });
}

const portalUnknown = (connection: Connection) => connection.crm === 'hubspot' && connection.account === undefined;

/**
 * Checks a stored HubSpot connection no check has read the portal of (HubSpot was down when it
 * was connected, or it was stored by a LeadLens that did not record portals): its syncs and
 * write-backs wait for that (`otherAccountRefusal`), and a sync started by hand should not fail
 * for want of a check the admin never knew to ask for. Unlike `learnPortalInBackground`, it checks
 * whatever an earlier check found: the admin asked.
 */
export async function learnPortalIfUnknown(): Promise<void> {
  await checkStoredConnection('hubspot', portalUnknown);
}

/** How long after a check that could not reach HubSpot start-up, automatic syncs and pages wait before they ask for another: a list page asks as it scrolls, and a worker may start every few minutes. */
export const PORTAL_RECHECK_AFTER_MS = 5 * 60_000;

/**
 * What the last check of the HubSpot connection found when it left its portal unknown: when it
 * ended, and whether HubSpot answered without naming the portal (`unconfirmed`). In
 * storage.session: it outlives the worker (stopped after idling, started again by the next page
 * or alarm), not the browser, whose next start checks again.
 */
const PORTAL_CHECK_KEY = 'hubspot-portal-check';
const PortalCheckSchema = z.object({ endedAt: z.number(), unconfirmed: z.boolean() });
type PortalCheck = z.infer<typeof PortalCheckSchema>;

/**
 * The same, kept in this worker's memory too: with storage.session full it is the only record,
 * and without it every page asking would start another check with the stored token.
 */
let lastPortalCheck: PortalCheck | null = null;

/**
 * Records what a check (or connect) of the HubSpot connection left of its portal (`PORTAL_CHECK_KEY`):
 * when it is known, nothing; when it became known, CRM tabs are told, as their pages of it were
 * answered as another portal's (`pageAccess`) and their badges should ask again.
 */
async function recordPortalCheck(before: Connection | null, reply: ConnectionReply | null): Promise<void> {
  const after = await readConnection('hubspot');
  if (after !== null && portalUnknown(after)) {
    lastPortalCheck = { endedAt: Date.now(), unconfirmed: reply?.status === 'connected' };
    // storage.session may be full: the check's own reply must not fail for the back-off it could not record there.
    await browser.storage.session
      .set({ [PORTAL_CHECK_KEY]: lastPortalCheck })
      .catch((error: unknown) => console.warn('LeadLens: recording the HubSpot portal check failed', error));
    return;
  }
  lastPortalCheck = null;
  await browser.storage.session.remove(PORTAL_CHECK_KEY);
  if (after !== null && (before === null || portalUnknown(before))) await sendToCrmTabs('scoresChanged', { crm: 'hubspot' });
}

/**
 * Whether `last` holds off another check: one HubSpot answered without naming the portal, until
 * a check of the admin's (Connect, Test connection, Sync now) says otherwise, as asking again only
 * gets the same answer; one that could not reach HubSpot, for PORTAL_RECHECK_AFTER_MS. One that
 * ended "in the future" was recorded while the clock ran fast: it holds off nothing, or it would
 * until the clock caught up.
 */
function backsOff(last: PortalCheck): boolean {
  const age = Date.now() - last.endedAt;
  return last.unconfirmed || (age >= 0 && age < PORTAL_RECHECK_AFTER_MS);
}

/** Whether start-up, automatic syncs and pages wait before checking the portal again, by the last check this worker or an earlier one recorded (`backsOff`). */
async function portalCheckBacksOff(): Promise<boolean> {
  if (lastPortalCheck !== null && backsOff(lastPortalCheck)) return true;
  const stored = PortalCheckSchema.safeParse((await browser.storage.session.get(PORTAL_CHECK_KEY))[PORTAL_CHECK_KEY]);
  return stored.success && backsOff(stored.data);
}

/**
 * Whether start-up, automatic syncs and pages leave the portal unchecked for now: while a purge
 * deletes the token (`purgePending`: one cut short is finished at the next start, and a restored
 * HubSpot tab may ask before), and while `portalCheckBacksOff`.
 */
async function portalCheckWaits(): Promise<boolean> {
  return (await purgePending()) || (await portalCheckBacksOff());
}

let portalCheckInFlight: Promise<void> | null = null;

/**
 * Set in storage.session once the background asked HubSpot for the host of a known portal's pages:
 * once per browser session, not at every worker start, as HubSpot may name no host LeadLens runs on.
 */
const HOST_ASKED_KEY = 'hubspot-host-asked';

/**
 * Whether a HubSpot connection knows its portal but not the host of its pages (stored before
 * LeadLens kept it: Open in CRM would send the rep to app.hubspot.com), not asked this browser
 * session (`HOST_ASKED_KEY`).
 */
async function hostUnknown(connection: Connection): Promise<boolean> {
  if (connection.crm !== 'hubspot' || connection.account === undefined || connection.account.uiDomain !== undefined) return false;
  return (await browser.storage.session.get(HOST_ASKED_KEY))[HOST_ASKED_KEY] !== true;
}

/**
 * `learnPortalIfUnknown` for start-up, the automatic sync's alarm and HubSpot pages finding the
 * portal unknown, and for a portal's host unknown (`hostUnknown`): one check at a time, which every caller shares, and none while
 * `portalCheckWaits`. The worker is kept alive while it runs (`withConnectionLock`); a failure
 * is logged, never thrown.
 */
export function learnPortalInBackground(): Promise<void> {
  portalCheckInFlight ??= (async () => {
    if (await portalCheckWaits()) return;
    // Asked again once the lock is held: a check it waited for (a sync's, Test connection) may have just ended, a purge begun.
    await checkStoredConnection('hubspot', async (connection) => {
      const forPortal = portalUnknown(connection);
      if (!forPortal && !(await hostUnknown(connection))) return false;
      if (await portalCheckWaits()) return false;
      // Not recorded (storage.session full), it is asked again at the next worker start: nothing worse.
      if (!forPortal) await browser.storage.session.set({ [HOST_ASKED_KEY]: true }).catch(() => undefined);
      return true;
    });
  })()
    .catch((error: unknown) => console.error('LeadLens: checking which HubSpot portal the connection reads failed', error))
    .finally(() => (portalCheckInFlight = null));
  return portalCheckInFlight;
}

/**
 * Counting a CRM's leads walks all their keys, and the options page asks for the status every
 * second while a sync runs: counted each time, the counts held the store against the sync's
 * own writes (bench:sync, 100,000 HubSpot contacts: 322 s counting each time, 196 s so). So
 * while a job runs the count may be this old. Lost with the worker: then it is counted again.
 */
const RUNNING_COUNT_MAX_AGE_MS = 10_000;
/** Each CRM's own leads as last counted, and when its last sync had ended then (what changes its leads ends a sync, or runs one). */
const recentCounts = new Map<CrmKind, { at: number; stored: number; endedAt: number | null }>();

/**
 * How many of each CRM's own leads are stored, in the order of `crms`: those not counted recently
 * counted together (`countOwnLeadsOf` reads Demo mode's keys once for them all). While a sync
 * runs, which the options page follows every second, a count up to RUNNING_COUNT_MAX_AGE_MS old
 * serves for its CRM, and for another CRM whose last sync has not ended since.
 */
async function storedCounts(crms: readonly { crm: CrmKind; state: SyncState }[]): Promise<number[]> {
  const syncing = crms.some(({ state }) => state.status === 'running');
  const recent = crms.map(({ crm, state }) => {
    const counted = recentCounts.get(crm);
    const unchanged = state.status === 'running' || (state.endedAt ?? null) === counted?.endedAt;
    return syncing && counted && unchanged && Date.now() - counted.at < RUNNING_COUNT_MAX_AGE_MS ? counted.stored : undefined;
  });
  const toCount = crms.filter((_, i) => recent[i] === undefined);
  const counted = toCount.length === 0 ? [] : await countOwnLeadsOf(toCount.map(({ crm }) => crm));
  toCount.forEach(({ crm, state }, i) => recentCounts.set(crm, { at: Date.now(), stored: counted[i], endedAt: state.endedAt ?? null }));
  return crms.map((entry, i) => recent[i] ?? counted[toCount.indexOf(entry)]);
}

/** The CRMs' sync progress, their synced leads and the org or portal they came from: the options page warns before a connect removes them. */
async function summaries(crms: readonly CrmKind[]): Promise<SyncSummary[]> {
  const states = await Promise.all(crms.map((crm) => dexieSyncStore(db).readState(crm)));
  const stored = await storedCounts(crms.map((crm, i) => ({ crm, state: states[i] })));
  return Promise.all(crms.map((crm, i) => summary(crm, states[i], stored[i])));
}

/** `crm`'s summary from its sync state and its own leads' count. */
async function summary(crm: CrmKind, state: SyncState, stored: number): Promise<SyncSummary> {
  // A run in progress or cancelled counts its own job's leads: none before its job began (the start asks whom it signs in as), not the last run's.
  const ofThisRun = state.status === 'running' || state.status === 'cancelled';
  return {
    crm,
    status: state.status,
    synced: state.job?.synced ?? (ofThisRun ? 0 : (state.lastRun?.synced ?? 0)),
    remaining: state.job?.remaining ?? null,
    stored,
    error: state.error,
    errorKind: state.errorKind,
    connection: (await readStatus(crm)).status,
    lastRun: state.lastRun,
    leftOut: state.leftOut ?? null,
    endedAt: state.endedAt ?? null,
    // What `storeConnection` compares the org or portal a connect reads with.
    syncedFrom: await syncedFrom(crm, await readConnection(crm)),
  };
}

/** A connection's status with its settings: the options page starts its form from them, so "Reconnect" signs in the same way. */
async function connectionSummary(crm: CrmKind): Promise<ConnectionSummary> {
  const connection = await readConnection(crm);
  return { ...(await readStatus(crm)), settings: connection && settingsOf(connection) };
}

type SyncProtocol = typeof syncProtocol;

async function autoSyncStatus(): Promise<AutoSyncStatus> {
  return { ...(await readAutoSync()), nextAt: await nextAutoSyncAt() };
}

/** What a connect throws when the CRM's connection was removed since it began (`connectionGeneration`). */
function removedDuringConnect(crm: CrmKind): Error {
  return new Error(`${CRM_LABEL[crm]} was disconnected, or everything deleted, while it was connecting: nothing was stored`);
}

/**
 * What a connect answers when the check of its new credential failed while the CRM's connection
 * worked: the check's own words, and that the working connection is kept (the options page shows
 * it under the forms, below the status line that still says "Connected").
 */
function keptWorkingConnection(connection: Connection, failure: string): string {
  const credential = connection.crm === 'hubspot' ? 'HubSpot token' : `Salesforce connection to ${connection.host}`;
  return `The new ${credential} failed its check: ${failure}. It was not stored: the previous connection, working when last checked, is kept`;
}

/** A connection a connect stored, with the one it replaced, its check when made before storing, and what to tell the admin of the synced leads. */
interface StoredConnection {
  previous: Connection | null;
  checked: Awaited<ReturnType<typeof check>> | null;
  note: string;
  stored: Connection;
}

/**
 * Stores `connection` in place of the previous one, after checking what it can be checked on
 * before (a HubSpot token, a Salesforce session) and forgetting the leads of another org or
 * portal. Resolves with `refused` (the reply's words), storing nothing, when that check failed
 * while the previous connection was working. Throws, storing nothing, when a job of the previous
 * connection does not stop, or when the CRM's connection was removed (Disconnect, "Purge
 * everything") since `generation` was read.
 */
async function storeConnection(connection: Connection, generation: number): Promise<StoredConnection | { refused: string }> {
  const { crm } = connection;
  const previous = await readConnection(crm);
  const storedFrom = await syncedFrom(crm, previous);
  // The org or portal it reads, learned before anything is stored, so a mistyped host or token
  // forgets nothing: a HubSpot token and a Salesforce session are checked now (the org is the
  // host). An OAuth connection is checked only once stored (its client reads its tokens from
  // storage), so it replaces the previous one whatever its check says: its sign-in has just
  // succeeded at its host.
  const checkedFirst = connection.crm === 'hubspot' || connection.auth.kind === 'session';
  const checked = checkedFirst ? await check(connection) : null;
  // A removal during the sign-in or the check: the leads stay with the rest, as this connect stores nothing.
  if ((await connectionGeneration(crm)) !== generation) throw removedDuringConnect(crm);
  // A mistyped token or host must not cost the admin a connection that works: its syncs and
  // write-backs would fail. One that did not work anyway is replaced, to be retried ("Test
  // connection") once what failed is fixed.
  // The same credentials connected again are a check of the stored connection: what it found is its status.
  const sameCredentials = previous !== null && isSameConnection(previous, connection) && previous.apiVersion === connection.apiVersion;
  if (checked && checked.reply.status !== 'connected' && !sameCredentials && (await readStatus(crm)).status === 'connected') {
    return { refused: keptWorkingConnection(connection, checked.reply.message) };
  }
  // Kept through this connect if it forgets nothing (its check may have failed), for the next one to
  // compare, with the token that portal was confirmed through (recorded by an older LeadLens too).
  if (storedFrom) await recordSyncedAccount(db, crm, storedFrom);
  if (previous) await rememberPortalToken(previous);
  // A token whose portal HubSpot would not name is compared as one (`comparableAccount`).
  const learned = checked ? comparableAccount(checked) : accountOf(connection);
  // The previous connection's portal, when it holds the same token and had its portal compared with the synced leads: one token reads one portal.
  const sameTokenAccount = previous?.crm === 'hubspot' && connection.crm === 'hubspot' && previous.auth.token === connection.auth.token ? previous.account : undefined;
  // Or the synced leads' own portal, when this is the token it was confirmed through before another was connected.
  const sameToken = sameTokenAccount !== undefined || (await tokenConfirmedFor(connection, storedFrom));
  // Before the connection is stored: if a job does not stop, this throws and the previous
  // connection stays, so connecting again retries the forgetting. A failed check compares
  // nothing, and a new token's portal is then not known: syncs and write-backs wait for a check
  // to tell (`otherAccountRefusal`).
  const { note, account } = learned ? await reconcileWithSyncedLeads(crm, storedFrom, learned, sameToken) : { note: '', account: sameTokenAccount };
  const stored: Connection = connection.crm === 'hubspot' && account ? { ...connection, account } : connection;
  if (!(await writeConnectionUnlessRemovedSince(stored, generation))) throw removedDuringConnect(crm);
  await rememberPortalToken(stored);
  // The admin chose these credentials: the next sync records whom they sign in as (a Salesforce user other than before is no "Log in as").
  await forgetSyncedAs(db, crm);
  return { previous, checked, note, stored };
}

/**
 * Ends a connection a connect made but did not store: a sign-in just made is LeadLens's only to
 * end, and the access asked for its host goes back unless the kept connection uses it. Returns
 * what the admin must be told of a grant left live (`endGrantOf`), else ''.
 */
async function discardUnstored(connection: Connection): Promise<string> {
  const grantLeftLive = await endGrantOf(connection);
  await releaseUnlessConnected(connection.crm, apiHostOf(connection));
  return grantLeftLive;
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
