/**
 * Connecting a CRM and checking its connection: the connection a connect stores (after its
 * check, when it can be checked first), the step a check says failed, and the leads of another
 * org or portal forgotten when one is found. Each runs alone among the CRM's connects and checks
 * (`withConnectionLock`). The message handlers (handlers/sync.ts) and the HubSpot portal's
 * checks (hubspot-portal.ts) call these.
 */
import { browser } from 'wxt/browser';
import { checkSalesforceSession, clientForConnection } from '../connections/client-for';
import { signInWithSalesforce } from '../connections/oauth';
import { connectionGeneration, endGrantOf, failureInPlainWords, isSameConnection, readConnection, readStatus, releaseHostAccess, stillConnected, writeConnectionUnlessRemovedSince, writeStatus } from '../connections/connections';
import { DEFAULT_TIMEOUT_SECONDS, accountOf, apiHostOf, originPatternOf, type Connection, type ConnectionReply } from '../connections/schema';
import type { CrmAccount } from '../crm/client';
import { abortedByTimeout, isCrmError } from '../crm/http';
import { CRM_LABEL, CRM_TERMS, type CrmKind } from '../crm/types';
import { db, syncedLeadsOf } from '../db/db';
import type { ConnectRequest } from '../messaging/protocol-sync';
import { forgetRecentCount, syncedFrom } from '../sync/summaries';
import { WAYS_PAST_AN_UNNAMED_PORTAL, forgetSyncedAs, nameSyncedAccount, readPortalToken, recordPortalToken, recordSyncedAccount } from '../sync/store';
import { sha256Hex } from '../sha256';
import { keepWorkerAliveDuring } from './keep-alive';
import { forgetSyncedLeads } from './purge';

/** The connection to store; an OAuth one signs in first (the consent window opens here). */
export async function connectionOf(request: ConnectRequest): Promise<Connection> {
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
export const mayReach = (host: string) => browser.permissions.contains({ origins: [originPatternOf(host)] });

/** What a connect or check says when the admin refused the site access `mayReach` tells. */
export const mayNotReach = (host: string) => `LeadLens may not reach https://${host}: allow access to that site when asked (press Connect again)`;

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
export async function check(connection: Connection): Promise<{ reply: ConnectionReply; account: CrmAccount | null }> {
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

/** Keeps `reply` (with `note` after it) as the connection's status (`writeStatus` tells every page). */
export async function remember(reply: ConnectionReply, note = ''): Promise<ConnectionReply & { ok: true }> {
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
  forgetRecentCount(crm);
  // None stored (all deleted, or none synced yet): nothing to tell.
  const note = removed > 0 ? `${syncedLeads(removed, storedFrom, 'removed')}: sync to read this ${CRM_TERMS[crm].account}'s` : '';
  return { note, account: learned };
}

/**
 * Records the token of a HubSpot connection whose portal was compared with the synced leads (it
 * has one) as the one their portal was confirmed through: connected again after another token,
 * while HubSpot still will not name its portal, it is theirs (`tokenConfirmedFor`).
 */
export async function rememberPortalToken(connection: Connection): Promise<void> {
  if (connection.crm === 'hubspot' && connection.account) await recordPortalToken(db, 'hubspot', { portalId: connection.account.id, sha256: await sha256Hex(connection.auth.token) });
}

/** Whether `connection` holds the token the portal of the leads synced from `storedFrom` was last confirmed through (`rememberPortalToken`). */
async function tokenConfirmedFor(connection: Connection, storedFrom: CrmAccount | null): Promise<boolean> {
  if (connection.crm !== 'hubspot' || storedFrom === null) return false;
  const recorded = await readPortalToken(db, 'hubspot');
  return recorded !== undefined && recorded.portalId === storedFrom.id && recorded.sha256 === (await sha256Hex(connection.auth.token));
}

/**
 * Gives back the access to `host`, asked for on a Connect click, unless the CRM's stored
 * connection talks to it: only that connection's client calls a CRM. Leads kept from an org
 * need none (they are read from IndexedDB, their pages through the content script's own
 * hosts), and access held for no connection would let the `cookies` permission read that
 * org's session. Connecting that org again asks for it again. HubSpot's one API host is always
 * its connection's.
 */
export async function releaseUnlessConnected(crm: CrmKind, host: string): Promise<void> {
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
export async function withConnectionLock<T>(crm: CrmKind, task: () => Promise<T>): Promise<T> {
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
export async function checkAndRemember(connection: Connection): Promise<ConnectionReply & { ok: true }> {
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
export async function storeConnection(connection: Connection, generation: number): Promise<StoredConnection | { refused: string }> {
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
export async function discardUnstored(connection: Connection): Promise<string> {
  const grantLeftLive = await endGrantOf(connection);
  await releaseUnlessConnected(connection.crm, apiHostOf(connection));
  return grantLeftLive;
}
