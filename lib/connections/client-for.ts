/**
 * `clientFor(crm)`: a REST client for the user's connection, in the background only (it
 * reads credentials). Salesforce session reuse reads the org's `sid` cookie at every call,
 * as Salesforce Inspector does: the session rotates and expires, so it is never copied.
 * An OAuth connection reads its access token from storage at every call too, because a
 * renewal after a 401 (by any client, in any context) replaces it there; a client takes it only
 * while the stored connection is still the org and app it was made for.
 */
import { browser } from 'wxt/browser';
import { z } from 'zod';
import type { CrmClient } from '../crm/client';
import { CrmError, isCrmError, isRedirect } from '../crm/http';
import { createHubSpotClient } from '../crm/hubspot-client';
import { createSalesforceClient, type Remembered } from '../crm/salesforce-client';
import type { CrmKind } from '../crm/types';
import { clearReconnect, connectionGeneration, markReconnect, readConnection, readConnectionWithGeneration, readStatus, writeConnectionUnlessRemovedSince } from './connections';
import { refreshSalesforceToken, revokeSalesforceToken, type OAuthApp } from './oauth';
import { rememberedInSession } from './remembered';
import type { Connection } from './schema';
import { sha256Hex } from '../sha256';

/** The org's `sid` cookie's value, or null when the browser holds no session for it (the user is not logged in). */
async function sessionCookie(host: string): Promise<string | null> {
  const cookie = await browser.cookies.get({ url: `https://${host}/`, name: 'sid' }).catch(() => null);
  return cookie?.value || null;
}

/**
 * What a session connection to `host` fails with when the browser holds no session for it: the
 * user is not logged in. Every request reads the session, a sync's right after the browser
 * started among them, and `host` may be proven by then: only a connection check says it may be
 * the wrong host (`checkSalesforceSession`).
 */
const noSessionFor = (host: string) => `No Salesforce session for ${host} in this browser: log in to Salesforce in this browser, then Reconnect`;

/** The org's session id from its `sid` cookie; an auth error when the user is not logged in. */
export async function salesforceSessionId(host: string): Promise<string> {
  const sessionId = await sessionCookie(host);
  if (!sessionId) throw new CrmError('auth', noSessionFor(host));
  return sessionId;
}

/**
 * Whether the browser holds a session for the org now (its `sid` cookie), as a session client
 * reads it: not whether Salesforce still takes it (it may have timed out).
 */
export async function hasSalesforceSession(host: string): Promise<boolean> {
  return (await sessionCookie(host)) !== null;
}

/** How long a connection check waits for a host with no session to list its API versions: a Salesforce org answers in well under a second. */
const MY_DOMAIN_ANSWER_TIMEOUT_MS = 10_000;

/** What a Salesforce org answers `/services/data/` with, to anyone: its API versions. */
const ApiVersionsSchema = z.array(z.looseObject({ version: z.string() })).min(1);

/** What asking a host for its API versions found (`whatHostIs`). */
type HostFound = { kind: 'salesforce' } | { kind: 'other' } | { kind: 'unreachable' } | { kind: 'failing'; status: number };

/**
 * What `host` is, as far as asking it for its API versions tells, without credentials (Salesforce
 * lists them to anyone): an org's API, something else, nothing that answers (a mistyped host no
 * one serves, or one this browser cannot reach), or a server failing (a 5xx: an org down or in
 * maintenance, a proxy's error page), which tells nothing of the host. Only `host` is asked.
 */
async function whatHostIs(host: string, signal: AbortSignal): Promise<HostFound> {
  let response: Response;
  try {
    response = await fetch(`https://${host}/services/data/`, {
      headers: { accept: 'application/json' },
      credentials: 'omit',
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(MY_DOMAIN_ANSWER_TIMEOUT_MS)]),
    });
  } catch {
    return { kind: 'unreachable' };
  }
  if (response.status >= 500) return { kind: 'failing', status: response.status };
  if (isRedirect(response) || !response.ok) return { kind: 'other' };
  const listed = ApiVersionsSchema.safeParse(await response.json().catch(() => null));
  return { kind: listed.success ? 'salesforce' : 'other' };
}

/**
 * For a connection check of a session connection: throws when the browser holds no session for
 * `host`, saying why as far as asking `host` tells. A host that does not answer, or answers as
 * no Salesforce org does, is a host to check, not a login to renew ("Not working", not "reconnect");
 * one failing (a 5xx) is to be tried again later. One that answers as an org may still be another
 * org than the admin's, who may be logged in to their own: both causes are told.
 */
export async function checkSalesforceSession(host: string, signal: AbortSignal): Promise<void> {
  if (await hasSalesforceSession(host)) return;
  const found = await whatHostIs(host, signal);
  if (found.kind === 'unreachable') {
    throw new CrmError('network', `Could not reach ${host}: check the My Domain host (Salesforce Setup › My Domain shows it), and that this browser can reach it (VPN, proxy)`);
  }
  if (found.kind === 'failing') {
    throw new CrmError('server', `${host} answered HTTP ${found.status}: Salesforce may be down or in maintenance — try again later`, found.status);
  }
  if (found.kind === 'other') {
    throw new CrmError('request', `${host} did not answer as a Salesforce org does: check the My Domain host (Salesforce Setup › My Domain shows it)`);
  }
  throw new CrmError('auth', `${noSessionFor(host)}. If you are logged in already, ${host} is not your org's My Domain: connect with the one Salesforce Setup › My Domain shows`);
}

/**
 * The stored Salesforce OAuth connection and its tokens, when it is still `app`'s (the org and
 * External Client App a client was made for); null when Salesforce is not connected with OAuth.
 * Another org or app connected meanwhile fails with an auth error: its tokens must never reach
 * this client's host, nor be renewed for it.
 */
async function storedOAuth(app: OAuthApp) {
  const connection = await readConnection('salesforce');
  if (connection?.crm !== 'salesforce' || connection.auth.kind !== 'oauth') return null;
  if (connection.host !== app.host) throw new CrmError('auth', `The connection changed: Salesforce is now connected to ${connection.host}, not ${app.host}`);
  if (connection.auth.clientId !== app.clientId) throw new CrmError('auth', `The connection changed: ${app.host} is now connected through another External Client App`);
  return { connection, tokens: connection.auth };
}

async function storedAccessToken(app: OAuthApp): Promise<string> {
  const stored = await storedOAuth(app);
  if (!stored) throw new CrmError('auth', 'Salesforce is no longer connected with OAuth: reconnect');
  return stored.tokens.accessToken;
}

/** Held while a CRM's OAuth tokens are renewed, by whichever context of the extension renews them. */
export const tokenRenewalLockName = (crm: CrmKind) => `leadlens-token-renewal:${crm}`;

/**
 * After a 401 to `refusedAccessToken`, sent by `app`'s client: a new access token, kept with its
 * refresh token; resolves whether to try again. Requests at once all get a 401 when the token
 * expires, and with refresh token rotation a refresh token is good once: so renewals take turns,
 * and one that finds another token of `app` stored than the one refused uses it as it is. Another
 * org or app connected meanwhile fails with an auth error (`storedOAuth`), its tokens untouched.
 * Only Salesforce refusing the refresh token (`invalid_grant`) resolves false ("reconnect"); any
 * other failure (offline, a server error) throws it, and the connection is kept for the next try.
 */
async function renewAccessToken(app: OAuthApp, refusedAccessToken: string): Promise<boolean> {
  return await navigator.locks.request(tokenRenewalLockName('salesforce'), async () => {
    // Before the connection is read: a Disconnect or purge from now on is not undone by the write below.
    const generation = await connectionGeneration('salesforce');
    const stored = await storedOAuth(app);
    if (!stored) return false;
    const { tokens } = stored;
    if (tokens.accessToken !== refusedAccessToken) return true; // renewed (or reconnected) meanwhile
    const renewed = await refreshSalesforceToken(app, tokens.refreshToken).catch((error: unknown) => {
      if (isCrmError(error, 'auth')) return null;
      throw error;
    });
    if (!renewed) return false; // the 401 stands: the connection shows "reconnect"
    // The admin may have disconnected, purged or connected another org while Salesforce answered: keep nothing then.
    const current = await storedOAuth(app);
    if (current !== null && current.tokens.refreshToken !== tokens.refreshToken) {
      await revokeUnlessHeld(app.host, renewed.refreshToken, current.tokens.refreshToken);
      return true;
    }
    if (current === null || !(await writeConnectionUnlessRemovedSince({ ...current.connection, auth: { ...current.tokens, ...renewed } }, generation))) {
      // The Disconnect ended the grant of the refresh token it read, rotated away by this renewal: this one's would stay live.
      await revokeUnlessHeld(app.host, renewed.refreshToken);
      throw new CrmError('auth', `Salesforce at ${app.host} was disconnected while LeadLens renewed its sign-in: nothing was kept`);
    }
    return true;
  });
}

/** Ends at Salesforce the grant of a renewed refresh token LeadLens does not keep, unless the stored connection holds it (`heldToken`). Best effort. */
async function revokeUnlessHeld(host: string, refreshToken: string, heldToken?: string): Promise<void> {
  if (refreshToken !== heldToken) await revokeSalesforceToken(host, refreshToken);
}

/** A new client for `connection`; a Salesforce one keeps what it read past its worker in `remembered`. */
export function clientForConnection(connection: Connection, remembered?: Remembered): CrmClient {
  const timeoutMs = connection.timeoutSeconds * 1000;
  if (connection.crm === 'salesforce') {
    const { host, auth } = connection;
    const app = auth.kind === 'oauth' ? { host, clientId: auth.clientId } : null;
    return createSalesforceClient({
      instanceUrl: `https://${host}`,
      apiVersion: connection.apiVersion,
      accessToken: app ? () => storedAccessToken(app) : () => salesforceSessionId(host),
      renewAccessToken: app ? (refused) => renewAccessToken(app, refused) : undefined,
      timeoutMs,
      remembered,
    });
  }
  const { token } = connection.auth;
  return createHubSpotClient({ accessToken: async () => token, apiVersion: connection.apiVersion, timeoutMs });
}

/**
 * Whether a record read's auth error says the CRM refused the credentials of `connection`,
 * rather than that the rep is logged out: a Salesforce session connection with no session in
 * the browser has nothing to refuse, and works again once the rep logs in (as `runAutoSync`
 * takes it). A session the browser holds and Salesforce refused is refused.
 */
async function refusedCredentials(connection: Connection): Promise<boolean> {
  if (connection.crm === 'salesforce' && connection.auth.kind === 'session') return await hasSalesforceSession(connection.host);
  return true;
}

/**
 * `client`, keeping the status of `connection` to what its record reads (a badge's, a list
 * page's) learn of its credentials. One the CRM answers ends a "reconnect": it took them, as a
 * sync's page shows; a session the rep logged in with since the sync that found none works at
 * once, and the options page must not go on saying otherwise. One refused with an auth error
 * makes it "reconnect" (see `refusedCredentials`): without it a rotated HubSpot token or a
 * revoked Salesforce grant would read "Connected" while every badge loses the API's fields.
 * Written once, not at every badge: reads refused at once share one mark, and a status that
 * says "reconnect" already is left as it is.
 */
function reportingCredentialsOnRead(client: CrmClient, connection: Connection): CrmClient {
  const answered = () => clearReconnect(connection, 'leads were read from it');
  let marking: Promise<void> | null = null;
  const mark = async (error: CrmError) => {
    if ((await readStatus(connection.crm)).status === 'reconnect' || !(await refusedCredentials(connection))) return;
    await markReconnect(connection, error);
  };
  const refused = async (error: unknown) => {
    if (!isCrmError(error, 'auth')) return;
    marking ??= mark(error).finally(() => (marking = null));
    await marking;
  };
  return {
    ...client,
    async readRecord(id, options) {
      const record = await client.readRecord(id, options).catch(async (error: unknown) => {
        await refused(error);
        throw error;
      });
      await answered();
      return record;
    },
    async batchRead(ids, options) {
      const records = await client.batchRead(ids, options).catch(async (error: unknown) => {
        await refused(error);
        throw error;
      });
      await answered();
      return records;
    },
  };
}

/**
 * The client `clientFor` made last per CRM, with the key of the connection it was made for.
 * Kept so that reads, syncs and write-backs share one client, its rate limiter (together they
 * stay within the CRM's limit) and what it learned (Salesforce's describe, HubSpot's property
 * list), rather than asking again for every badge. Lost with
 * the worker, and then made again: nothing depends on it (a Salesforce client's describe is
 * kept past it a while: `rememberedInSession`).
 */
const sharedClients = new Map<CrmKind, { key: string; client: CrmClient }>();

/**
 * What a client is made from. Another org (its host) or HubSpot portal, auth kind, External
 * Client App, API version or timeout makes another key; so does another HubSpot token, which
 * the client keeps (it does not rotate, and a new one may open another portal even when its
 * portal could not be learned): a job running with the old client goes on with the portal it
 * began with. Salesforce clients read their tokens at every call (OAuth tokens rotate, a session
 * expires), those of their own org and app only.
 */
async function clientKey(connection: Connection): Promise<string> {
  const { auth, ...settings } = connection;
  const credential = auth.kind === 'token' ? await sha256Hex(auth.token) : auth.kind === 'oauth' ? `oauth ${auth.clientId}` : auth.kind;
  return JSON.stringify({ ...settings, auth: credential });
}

/**
 * The user's connection to `crm` and its client, from one read of the connection, or null when
 * there is none: the same client while the connection stays the same, a new one once it changed
 * (a disconnect or purge leaves none). Jobs take both, so what they tell the connection's status
 * is of the connection their client talks to; its record reads tell it themselves (a "reconnect" ended or begun).
 * A Salesforce client takes up what the client before it kept past its worker (`rememberedInSession`)
 * only for the same connection: its key, and no Disconnect since (`connectionGeneration`), as the
 * org connected again may be signed in to as another user, who may read other fields.
 */
export async function connectedClient(crm: CrmKind): Promise<{ connection: Connection; client: CrmClient } | null> {
  // Read together: a removal counts itself before it removes the connection, so a connection read is never of a generation after it.
  const { connection, generation } = await readConnectionWithGeneration(crm);
  if (!connection) {
    sharedClients.delete(crm);
    return null;
  }
  const key = await clientKey(connection);
  const shared = sharedClients.get(crm);
  if (shared?.key === key) return { connection, client: shared.client };
  const client = reportingCredentialsOnRead(clientForConnection(connection, rememberedInSession(crm, `${generation} ${key}`)), connection);
  sharedClients.set(crm, { key, client });
  return { connection, client };
}

/** The client for the user's connection to `crm` (see `connectedClient`), or null when there is none. */
export async function clientFor(crm: CrmKind): Promise<CrmClient | null> {
  return (await connectedClient(crm))?.client ?? null;
}
