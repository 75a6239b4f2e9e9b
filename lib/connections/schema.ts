/**
 * Shapes of the user's CRM connections (stored by `connections.ts`, background only) and of
 * what pages are told about them (`ConnectionReply`, `ConnectionSummary`: never a credential).
 * Kept free of browser APIs so the message protocol can import it anywhere.
 */
import { z } from 'zod';
import { portalOf, type CrmAccount } from '../crm/client';
import { HubSpotApiVersionSchema, HubSpotAppHostSchema } from '../crm/hubspot-client';
import { CrmKindSchema } from '../messaging/schemas';

/** A Salesforce My Domain API host: `acme.my.salesforce.com`, `acme--uat.sandbox.my.salesforce.com`. */
export const SalesforceHostSchema = z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*\.my\.salesforce\.com$/, 'expected your My Domain host, like acme.my.salesforce.com');
/**
 * The My Domain API host that what an admin pasted names, as `SalesforceHostSchema` takes it: a
 * whole URL (http or https, a path, query or port) is cut to its host, and the address bar's hosts
 * of the same org, Lightning's (`acme.lightning.force.com`) and Setup's
 * (`acme.my.salesforce-setup.com`), sandboxes' too, become its API host (`acme.my.salesforce.com`).
 * Anything else is left for the schema to refuse.
 */
export function myDomainHostOf(typed: string): string {
  return typed
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d*$/, '')
    .replace(/\.$/, '')
    .replace(/\.lightning\.force\.com$|\.my\.salesforce-setup\.com$/, '.my.salesforce.com');
}

/** An External Client App's consumer key (no secret: an extension cannot keep one). */
export const SalesforceClientIdSchema = z.string().regex(/^[\w.]{10,256}$/, 'expected the consumer key of your External Client App');
export const SalesforceApiVersionSchema = z.string().regex(/^\d{2,3}\.0$/, 'expected an API version like 67.0');
const TimeoutSecondsSchema = z.number().int().min(1).max(300);

export const SalesforceConnectionSchema = z.object({
  crm: z.literal('salesforce'),
  host: SalesforceHostSchema,
  apiVersion: SalesforceApiVersionSchema,
  auth: z.discriminatedUnion('kind', [
    /** The user's own Lightning session (the `sid` cookie), read at each call, never stored. */
    z.object({ kind: z.literal('session') }),
    /** OAuth with PKCE through the org's External Client App; the tokens are renewed after a 401. */
    z.object({ kind: z.literal('oauth'), clientId: SalesforceClientIdSchema, accessToken: z.string().min(1), refreshToken: z.string().min(1) }),
  ]),
  timeoutSeconds: TimeoutSecondsSchema,
});

export const HUBSPOT_API_HOST = 'api.hubapi.com';

export const HubSpotConnectionSchema = z.object({
  crm: z.literal('hubspot'),
  apiVersion: HubSpotApiVersionSchema,
  /** Private-app token or service key. */
  auth: z.object({ kind: z.literal('token'), token: z.string().min(10).max(500) }),
  timeoutSeconds: TimeoutSecondsSchema,
  /**
   * The portal the token reads, learned when the connection is checked; absent until then. Id ''
   * when HubSpot would not say which (account details refused): syncs go on, compared as one.
   * `uiDomain`: the host of its pages, as HubSpot named it (absent from a connection checked by an
   * older LeadLens, or a host it runs on no page of).
   */
  account: z.object({ id: z.string().regex(/^(\d+)?$/), name: z.string(), uiDomain: HubSpotAppHostSchema }).optional(),
});

export const ConnectionSchema = z.discriminatedUnion('crm', [SalesforceConnectionSchema, HubSpotConnectionSchema]);
export type Connection = z.infer<typeof ConnectionSchema>;

export const DEFAULT_TIMEOUT_SECONDS = 30;

/**
 * The org or portal a connection reads, as far as it is known: a Salesforce My Domain host is
 * one org; every HubSpot portal shares one API host, so its portal is the one checked.
 */
export function accountOf(connection: Connection): CrmAccount | null {
  if (connection.crm === 'salesforce') return { id: connection.host, name: connection.host };
  return connection.account ? portalOf(connection.account) : null;
}

/** The API host a connection talks to (and needs a host permission for). */
export const apiHostOf = (connection: Connection): string => (connection.crm === 'salesforce' ? connection.host : HUBSPOT_API_HOST);
export const originPatternOf = (host: string): string => `https://${host}/*`;

/** What the connection looks like to pages: never a credential. */
export const ConnectionStatusSchema = z.enum(['connected', 'reconnect', 'error', 'disconnected']);

export const ConnectionReplySchema = z.object({
  crm: CrmKindSchema,
  status: ConnectionStatusSchema,
  host: z.string(),
  /** What was checked, or exactly what failed. */
  message: z.string(),
});
export type ConnectionReply = z.infer<typeof ConnectionReplySchema>;

/**
 * How a connection signs in and which API version it calls, without its credentials: what the
 * options page needs to connect it the same way again ("Reconnect" after a refused token).
 */
export const ConnectionSettingsSchema = z.discriminatedUnion('crm', [
  z.object({
    crm: z.literal('salesforce'),
    apiVersion: SalesforceApiVersionSchema,
    signIn: z.discriminatedUnion('kind', [z.object({ kind: z.literal('session') }), z.object({ kind: z.literal('oauth'), clientId: SalesforceClientIdSchema })]),
  }),
  z.object({ crm: z.literal('hubspot'), apiVersion: HubSpotApiVersionSchema }),
]);
export type ConnectionSettings = z.infer<typeof ConnectionSettingsSchema>;

/** What the options page is shown of a connection: its status, and its settings (null when not connected). */
export const ConnectionSummarySchema = ConnectionReplySchema.extend({ settings: ConnectionSettingsSchema.nullable() });
export type ConnectionSummary = z.infer<typeof ConnectionSummarySchema>;

/** A connection's settings, picked one by one: the tokens beside them never leave the background. */
export function settingsOf(connection: Connection): ConnectionSettings {
  if (connection.crm === 'hubspot') return { crm: 'hubspot', apiVersion: connection.apiVersion };
  const { auth } = connection;
  return { crm: 'salesforce', apiVersion: connection.apiVersion, signIn: auth.kind === 'oauth' ? { kind: 'oauth', clientId: auth.clientId } : { kind: 'session' } };
}
