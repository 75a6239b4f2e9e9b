/**
 * The user's CRM connections: settings and credentials, kept in `storage.local` and read
 * only by background code (the storage area is restricted to trusted contexts at start-up,
 * see `restrictStorageToExtension`). Nothing here is ever put in a message reply: replies
 * are `ConnectionReply`, which carries no secret.
 */
import { browser } from 'wxt/browser';
import { z } from 'zod';
import { isCrmError } from '../crm/http';
import { CRM_KINDS, CRM_LABEL, type CrmKind } from '../crm/types';
import { broadcastToPages } from '../messaging/events';
import { revokeSalesforceToken } from './oauth';
import { ConnectionReplySchema, ConnectionSchema, apiHostOf, originPatternOf, type Connection, type ConnectionReply } from './schema';

/** The storage.local key of the CRM's connection: read with other keys (`connectionIn`), one storage read serves them all. */
export const connectionKey = (crm: CrmKind) => `connection:${crm}`;
const statusKey = (crm: CrmKind) => `connection-status:${crm}`;
const generationKey = (crm: CrmKind) => `connection-generation:${crm}`;

/**
 * Content scripts can read `storage.local` by default; credentials live there, so close it.
 * Supported from Chrome 140, the manifest's minimum (an e2e test reads it from a content script).
 */
export async function restrictStorageToExtension(): Promise<void> {
  try {
    await browser.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
  } catch (error) {
    throw new Error('Chrome did not let LeadLens keep its scripts on CRM pages out of the storage credentials go in, so none were stored: update Chrome and connect again.', { cause: error });
  }
}

/** The CRM's connection in `items`, what a storage.local read of `connectionKey(crm)` answered; null when none is stored, or it is damaged. */
export function connectionIn(crm: CrmKind, items: Record<string, unknown>): Connection | null {
  const parsed = ConnectionSchema.safeParse(items[connectionKey(crm)]);
  return parsed.success && parsed.data.crm === crm ? parsed.data : null;
}

export async function readConnection(crm: CrmKind): Promise<Connection | null> {
  return connectionIn(crm, await browser.storage.local.get(connectionKey(crm)));
}

/** Sets the stored connection to `connection`: its caller has closed storage.local to content scripts first (`restrictStorageToExtension`). */
const setStoredConnection = (connection: Connection) => browser.storage.local.set({ [connectionKey(connection.crm)]: ConnectionSchema.parse(connection) });

/**
 * How many times the CRM's connection was removed (a Disconnect, "Purge everything"). A connect
 * or check reads it before it waits (a sign-in, a check of up to a minute) and writes its
 * connection only while it is unchanged (`writeConnectionUnlessRemovedSince`): a removal
 * answered meanwhile is not undone. A purge keeps it (`connectionGenerationKeys`).
 */
export async function connectionGeneration(crm: CrmKind): Promise<number> {
  return generationIn(crm, await browser.storage.local.get(generationKey(crm)));
}

function generationIn(crm: CrmKind, items: Record<string, unknown>): number {
  const parsed = z.number().int().nonnegative().safeParse(items[generationKey(crm)]);
  return parsed.success ? parsed.data : 0;
}

/** `crm`'s connection and its `connectionGeneration`, read at once: what a client is made from, and for which connection it keeps what it read. */
export async function readConnectionWithGeneration(crm: CrmKind): Promise<{ connection: Connection | null; generation: number }> {
  const items = await browser.storage.local.get([connectionKey(crm), generationKey(crm)]);
  return { connection: connectionIn(crm, items), generation: generationIn(crm, items) };
}

/** The storage keys of every CRM's `connectionGeneration`: a purge clears all else, or a connect begun before it could not tell it came. */
export function connectionGenerationKeys(): string[] {
  return CRM_KINDS.map(generationKey);
}

/**
 * Writes `connection` unless its CRM's connection was removed since `generation` was read
 * (`connectionGeneration`); false, writing nothing, when it was. Every connection LeadLens stores
 * is written here, storage.local closed to content scripts first, whether or not start-up's call
 * has run yet in this worker: nothing when it cannot be closed. The write follows the read at
 * once, and a removal counts itself before it reads and removes the connection
 * (`removeConnection`): one this read missed removes what is written here.
 */
export async function writeConnectionUnlessRemovedSince(connection: Connection, generation: number): Promise<boolean> {
  // Closed before the read, so that nothing comes between the read and the write.
  await restrictStorageToExtension();
  if ((await connectionGeneration(connection.crm)) !== generation) return false;
  await setStoredConnection(connection);
  return true;
}

/**
 * Forgets the connection and its credentials, ends an OAuth grant at Salesforce (while the
 * site access lasts), and gives back the site access: a disconnected CRM needs none. Returns
 * what the admin must be told of a grant left live (`endGrantOf`), else ''.
 */
export async function removeConnection(crm: CrmKind): Promise<string> {
  // Counted first: a connect or check still running then stores nothing (`writeConnectionUnlessRemovedSince`).
  await browser.storage.local.set({ [generationKey(crm)]: (await connectionGeneration(crm)) + 1 });
  const connection = await readConnection(crm);
  await browser.storage.local.remove([connectionKey(crm), statusKey(crm)]);
  if (!connection) return '';
  const grantLeftLive = await endGrantOf(connection);
  await releaseHostAccess(apiHostOf(connection));
  return grantLeftLive;
}

/**
 * Ends at Salesforce the OAuth grant of `connection` unless `replacement` holds the same one
 * (a session or HubSpot token has no grant LeadLens could end). Best effort, as a disconnect
 * must not wait on it: a grant Salesforce could not be told to end stays live until an admin
 * revokes it, so this returns the sentence that tells them how (else ''), for the reply to
 * the page; it is noted in the worker's log too, never with its token.
 */
export async function endGrantOf(connection: Connection, replacement?: Connection): Promise<string> {
  if (connection.crm !== 'salesforce' || connection.auth.kind !== 'oauth') return '';
  if (replacement?.crm === 'salesforce' && replacement.auth.kind === 'oauth' && replacement.auth.refreshToken === connection.auth.refreshToken) return '';
  if (await revokeSalesforceToken(connection.host, connection.auth.refreshToken)) return '';
  const grantLeftLive = `Salesforce at ${connection.host} could not be told to end LeadLens's sign-in (offline?): an admin can revoke it under Setup → Connected Apps OAuth Usage`;
  console.warn(`LeadLens: ${grantLeftLive}.`);
  return grantLeftLive;
}

/** Gives back the access to an API host. */
export async function releaseHostAccess(host: string): Promise<void> {
  // Refused for a host the manifest itself grants (tests' copies of the extension): nothing to give back then.
  await browser.permissions.remove({ origins: [originPatternOf(host)] }).catch(() => undefined);
}

export async function readStatus(crm: CrmKind): Promise<ConnectionReply> {
  const connection = await readConnection(crm);
  if (!connection) return { crm, status: 'disconnected', host: '', message: 'Not connected' };
  const parsed = ConnectionReplySchema.safeParse((await browser.storage.local.get(statusKey(crm)))[statusKey(crm)]);
  return parsed.success ? { ...parsed.data, host: apiHostOf(connection) } : { crm, status: 'connected', host: apiHostOf(connection), message: 'Connected' };
}

/**
 * Whether `current` is still the connection `madeFor` (the one a job began with): the same host,
 * sign-in and credential, tokens that rotate aside. A job still running on a connection the
 * admin has replaced says nothing of the new one's credentials.
 */
export function isSameConnection(current: Connection, madeFor: Connection): boolean {
  if (current.crm !== madeFor.crm || apiHostOf(current) !== apiHostOf(madeFor) || current.auth.kind !== madeFor.auth.kind) return false;
  if (current.auth.kind === 'token' && madeFor.auth.kind === 'token') return current.auth.token === madeFor.auth.token;
  if (current.auth.kind === 'oauth' && madeFor.auth.kind === 'oauth') return current.auth.clientId === madeFor.auth.clientId;
  return true;
}

/** The stored connection of `madeFor`'s CRM when it is still `madeFor`, else null. */
export async function stillConnected(madeFor: Connection): Promise<Connection | null> {
  const current = await readConnection(madeFor.crm);
  return current && isSameConnection(current, madeFor) ? current : null;
}

/**
 * A failure of `connection` as its status says it: when the CRM refused its credentials (a 401),
 * the step that fixes it in plain words, with what the CRM said at the end (its reason tells
 * support, and an admin, more than its code); any other failure in its own words (no session in
 * the browser says why already: client-for.ts `noSessionFor`).
 */
export function failureInPlainWords(connection: Connection, error: unknown): string {
  if (!isCrmError(error, 'auth') || error.status !== 401 || error.renewalFailed) return error instanceof Error ? error.message : String(error);
  const said = error.crmSaid ?? error.crmCode;
  const crmSaid = `(HTTP 401${said ? ` ${said}` : ''})`;
  if (connection.crm === 'hubspot') {
    return `HubSpot did not accept the access token: paste a current access token of your private app (or service key), then Reconnect ${crmSaid}`;
  }
  if (connection.auth.kind === 'oauth') return `Salesforce did not accept LeadLens's sign-in to ${connection.host}: Reconnect to sign in again ${crmSaid}`;
  // An org can refuse API calls with a browser session however often the admin logs in: OAuth is its way in.
  return `Salesforce did not accept this browser's login to ${connection.host} (it may have timed out): log in to Salesforce in this browser, then Reconnect. If it goes on once you are logged in, your org may block session reuse: choose Sign in with OAuth, and connect again ${crmSaid}`;
}

/**
 * The CRM refused the credentials of `madeFor` with `error` (a sync's, a write-back's or a record
 * read's 401): while it is still the connection, its status says "reconnect", in the words of
 * `failureInPlainWords`, whichever job was refused.
 */
export async function markReconnect(madeFor: Connection, error: unknown): Promise<void> {
  const connection = await stillConnected(madeFor);
  if (connection) await writeStatus({ crm: connection.crm, status: 'reconnect', host: apiHostOf(connection), message: failureInPlainWords(connection, error) });
}

/**
 * The CRM took the credentials of `madeFor` and answered (a job's or a record read's request
 * succeeded): while it is still the connection, a "reconnect" or "error" status is over (a check
 * that failed while the CRM could not be reached, a VPN down, says nothing once it answers), and
 * says `how` it was shown, without the failed check's notes. A "connected" one keeps its words.
 */
export async function clearReconnect(madeFor: Connection, how: string): Promise<void> {
  // The status first: it is read after every record read (every badge), and is almost always "connected".
  const status = await readStatus(madeFor.crm);
  if (status.status !== 'reconnect' && status.status !== 'error') return;
  const current = await stillConnected(madeFor);
  // A failed check is of the stored connection as a whole: an answer through one at another API version (a read
  // begun before a reconnect with a mistyped version) says nothing of it.
  const answeredFor = status.status === 'reconnect' || current?.apiVersion === madeFor.apiVersion;
  if (current && answeredFor) await writeStatus({ ...status, status: 'connected', message: `Connected to ${CRM_LABEL[madeFor.crm]} at ${status.host}: ${how}` });
}

/**
 * Keeps `reply` as its CRM's connection status, and tells every page: that of a connect or check,
 * and a badge's read refused (`markReconnect`) or answered again (`clearReconnect`).
 */
export async function writeStatus(reply: ConnectionReply): Promise<void> {
  await browser.storage.local.set({ [statusKey(reply.crm)]: ConnectionReplySchema.parse(reply) });
  await broadcastToPages('connectionsOrRunsChanged', {});
}
