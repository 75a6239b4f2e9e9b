/**
 * `clientFor(crm)`: a REST client for the user's connection, in the background only (it
 * reads credentials). Salesforce session reuse reads the org's `sid` cookie at every call,
 * as Salesforce Inspector does: the session rotates and expires, so it is never copied.
 */
import { browser } from 'wxt/browser';
import type { CrmClient } from '../crm/client';
import { CrmError } from '../crm/http';
import { createHubSpotClient } from '../crm/hubspot-client';
import { createSalesforceClient } from '../crm/salesforce-client';
import type { CrmKind } from '../crm/types';
import { readConnection } from './connections';
import type { Connection } from './schema';

/** The org's session id from its `sid` cookie; an auth error when the user is not logged in. */
export async function salesforceSessionId(host: string): Promise<string> {
  const cookie = await browser.cookies.get({ url: `https://${host}/`, name: 'sid' }).catch(() => null);
  if (!cookie?.value) throw new CrmError('auth', `No Salesforce session for ${host} in this browser: log in to Salesforce, then reconnect`);
  return cookie.value;
}

export function clientForConnection(connection: Connection): CrmClient {
  const timeoutMs = connection.timeoutSeconds * 1000;
  if (connection.crm === 'salesforce') {
    return createSalesforceClient({
      instanceUrl: `https://${connection.host}`,
      apiVersion: connection.apiVersion,
      accessToken: () => salesforceSessionId(connection.host),
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
