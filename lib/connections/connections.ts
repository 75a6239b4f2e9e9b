/**
 * The user's CRM connections: settings and credentials, kept in `storage.local` and read
 * only by background code (the storage area is restricted to trusted contexts at start-up,
 * see `restrictStorageToExtension`). Nothing here is ever put in a message reply: replies
 * are `ConnectionReply`, which carries no secret.
 */
import { browser } from 'wxt/browser';
import type { CrmKind } from '../crm/types';
import { ConnectionReplySchema, ConnectionSchema, apiHostOf, originPatternOf, type Connection, type ConnectionReply } from './schema';

const connectionKey = (crm: CrmKind) => `connection:${crm}`;
const statusKey = (crm: CrmKind) => `connection-status:${crm}`;

/**
 * Content scripts can read `storage.local` by default; credentials live there, so close it.
 * Supported from Chrome 140, the manifest's minimum (an e2e test reads it from a content script).
 */
export async function restrictStorageToExtension(): Promise<void> {
  await browser.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => undefined);
}

export async function readConnection(crm: CrmKind): Promise<Connection | null> {
  const value = (await browser.storage.local.get(connectionKey(crm)))[connectionKey(crm)];
  const parsed = ConnectionSchema.safeParse(value);
  return parsed.success && parsed.data.crm === crm ? parsed.data : null;
}

export async function writeConnection(connection: Connection): Promise<void> {
  await browser.storage.local.set({ [connectionKey(connection.crm)]: ConnectionSchema.parse(connection) });
}

/** Forgets the connection and its credentials, and gives back the site access: a disconnected CRM needs none. */
export async function removeConnection(crm: CrmKind): Promise<void> {
  const connection = await readConnection(crm);
  await browser.storage.local.remove([connectionKey(crm), statusKey(crm)]);
  if (connection) await releaseHostAccess(connection);
}

/** Gives back the access to a connection's API host. */
export async function releaseHostAccess(connection: Connection): Promise<void> {
  // Refused for a host the manifest itself grants (tests' copies of the extension): nothing to give back then.
  await browser.permissions.remove({ origins: [originPatternOf(apiHostOf(connection))] }).catch(() => undefined);
}

export async function readStatus(crm: CrmKind): Promise<ConnectionReply> {
  const connection = await readConnection(crm);
  if (!connection) return { crm, status: 'disconnected', host: '', message: 'Not connected' };
  const parsed = ConnectionReplySchema.safeParse((await browser.storage.local.get(statusKey(crm)))[statusKey(crm)]);
  return parsed.success ? { ...parsed.data, host: apiHostOf(connection) } : { crm, status: 'connected', host: apiHostOf(connection), message: 'Connected' };
}

/** The CRM refused the connection's credentials (a job's 401): its status says "reconnect", with the CRM's words. */
export async function markReconnect(crm: CrmKind, message: string): Promise<void> {
  const connection = await readConnection(crm);
  if (connection) await writeStatus({ crm, status: 'reconnect', host: apiHostOf(connection), message });
}

export async function writeStatus(reply: ConnectionReply): Promise<void> {
  await browser.storage.local.set({ [statusKey(reply.crm)]: ConnectionReplySchema.parse(reply) });
}
