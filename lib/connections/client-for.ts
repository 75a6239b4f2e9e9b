/**
 * `clientFor(crm)`: a REST client for the user's connection, in the background only (it
 * reads credentials). Salesforce session reuse reads the org's `sid` cookie at every call,
 * as Salesforce Inspector does: the session rotates and expires, so it is never copied.
 * An OAuth connection reads its access token from storage at every call too, because a
 * renewal after a 401 (by any client, in any context) replaces it there.
 */
import { browser } from 'wxt/browser';
import type { CrmClient } from '../crm/client';
import { CrmError, isCrmError } from '../crm/http';
import { createHubSpotClient } from '../crm/hubspot-client';
import { createSalesforceClient } from '../crm/salesforce-client';
import type { CrmKind } from '../crm/types';
import { readConnection, writeConnection } from './connections';
import { refreshSalesforceToken } from './oauth';
import type { Connection } from './schema';

/** The org's session id from its `sid` cookie; an auth error when the user is not logged in. */
export async function salesforceSessionId(host: string): Promise<string> {
  const cookie = await browser.cookies.get({ url: `https://${host}/`, name: 'sid' }).catch(() => null);
  if (!cookie?.value) throw new CrmError('auth', `No Salesforce session for ${host} in this browser: log in to Salesforce, then reconnect`);
  return cookie.value;
}

/** The stored Salesforce connection and its OAuth tokens; null when Salesforce is not connected with OAuth. */
async function storedOAuth() {
  const connection = await readConnection('salesforce');
  if (connection?.crm !== 'salesforce' || connection.auth.kind !== 'oauth') return null;
  return { connection, tokens: connection.auth };
}

async function storedAccessToken(): Promise<string> {
  const stored = await storedOAuth();
  if (!stored) throw new CrmError('auth', 'Salesforce is no longer connected with OAuth: reconnect');
  return stored.tokens.accessToken;
}

/** Held while a CRM's OAuth tokens are renewed, by whichever context of the extension renews them. */
export const tokenRenewalLockName = (crm: CrmKind) => `leadlens-token-renewal:${crm}`;

/**
 * After a 401 to `refusedAccessToken`: a new access token, kept with its refresh token; resolves
 * whether to try again. Requests at once all get a 401 when the token expires, and with refresh
 * token rotation a refresh token is good once: so renewals take turns, and one that finds another
 * token stored than the one refused uses it as it is. Only Salesforce refusing the refresh token
 * (`invalid_grant`) resolves false ("reconnect"); any other failure (offline, a server error)
 * throws it, and the connection is kept for the next try.
 */
async function renewAccessToken(refusedAccessToken: string): Promise<boolean> {
  return await navigator.locks.request(tokenRenewalLockName('salesforce'), async () => {
    const stored = await storedOAuth();
    if (!stored) return false;
    const { connection, tokens } = stored;
    if (tokens.accessToken !== refusedAccessToken) return true; // renewed (or reconnected) meanwhile
    const renewed = await refreshSalesforceToken({ host: connection.host, clientId: tokens.clientId }, tokens.refreshToken).catch((error: unknown) => {
      if (isCrmError(error, 'auth')) return null;
      throw error;
    });
    if (!renewed) return false; // the 401 stands: the connection shows "reconnect"
    // The admin may have disconnected (or purged) while Salesforce answered: keep nothing then.
    const current = await storedOAuth();
    if (current?.tokens.refreshToken !== tokens.refreshToken) return current !== null;
    await writeConnection({ ...current.connection, auth: { ...current.tokens, ...renewed } });
    return true;
  });
}

export function clientForConnection(connection: Connection): CrmClient {
  const timeoutMs = connection.timeoutSeconds * 1000;
  if (connection.crm === 'salesforce') {
    const oauth = connection.auth.kind === 'oauth';
    return createSalesforceClient({
      instanceUrl: `https://${connection.host}`,
      apiVersion: connection.apiVersion,
      accessToken: oauth ? storedAccessToken : () => salesforceSessionId(connection.host),
      renewAccessToken: oauth ? renewAccessToken : undefined,
      timeoutMs,
    });
  }
  const { token } = connection.auth;
  return createHubSpotClient({ accessToken: async () => token, apiVersion: connection.apiVersion, timeoutMs });
}

/** The client for the user's connection to `crm`, or null when there is none. */
export async function clientFor(crm: CrmKind): Promise<CrmClient | null> {
  const connection = await readConnection(crm);
  return connection ? clientForConnection(connection) : null;
}
