/**
 * Salesforce OAuth 2.0 authorization code flow with PKCE (S256), for orgs that block
 * session reuse: the admin registers an External Client App and enters its client id (no
 * secret: an extension cannot keep one). The browser window is `identity.launchWebAuthFlow`
 * (injected here so the flow is testable); the code is exchanged at the org's own
 * `/services/oauth2/token`, and the refresh token renews the access token after a 401.
 */
import { z } from 'zod';
import { CrmError, isRedirect } from '../crm/http';
import { describeSchemaIssues } from '../schema-issues';

export interface OAuthApp {
  /** The org's My Domain host: `acme.my.salesforce.com`. */
  host: string;
  /** The External Client App's consumer key. */
  clientId: string;
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
}

export interface OAuthDependencies {
  /** `identity.launchWebAuthFlow`: opens `url`, resolves with the redirect URL it ended on. */
  launchWebAuthFlow(details: { url: string; interactive: boolean }): Promise<string | undefined>;
  /** `identity.getRedirectURL()`: `https://<extension-id>.chromiumapp.org/`. */
  redirectUri: string;
  fetch?: typeof fetch;
}

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.string().optional(),
  token_type: z.string().optional(),
});
const TokenErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** RFC 7636: a 43-character verifier from 32 random bytes, and its S256 challenge. */
export async function createPkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return { verifier, challenge: base64Url(digest) };
}

export function authorizeUrl(app: OAuthApp, redirectUri: string, challenge: string, state: string): string {
  const url = new URL(`https://${app.host}/services/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString();
  return url.toString();
}

/** A renewal waits for this one request (other requests wait for the renewal): never forever. */
const TOKEN_REQUEST_TIMEOUT_MS = 30_000;

/** Salesforce's description of that `invalid_grant`: "token request is already being processed". */
const STILL_PROCESSING = /token request is already being processed/i;

async function tokenRequest(app: OAuthApp, form: Record<string, string>, fetchImpl: typeof fetch): Promise<z.infer<typeof TokenResponseSchema>> {
  let response: Response;
  let body: unknown;
  try {
    response = await fetchImpl(`https://${app.host}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      credentials: 'omit',
      // Followed, a redirect would send the code or refresh token to whatever host it names.
      redirect: 'manual',
      signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
    });
    body = await response.json().catch(() => undefined);
  } catch (error) {
    // Offline, dropped or timed out: the tokens may well be good, so this is no "sign in again".
    // The error's class name only: its message can carry a URL.
    throw new CrmError('network', `Could not reach ${app.host} for a Salesforce token (${error instanceof Error ? error.name : 'unknown error'})`);
  }
  if (isRedirect(response)) throw new CrmError('request', `${app.host} answered the token request with a redirect, which LeadLens does not follow: it sends tokens to ${app.host} only. If the org's address changed (its My Domain renamed), connect again with the new one`, response.status);
  if (!response.ok) {
    const refusal = TokenErrorSchema.safeParse(body);
    const said = refusal.success ? `${refusal.data.error}${refusal.data.error_description ? `: ${refusal.data.error_description}` : ''}` : `HTTP ${response.status}`;
    const refusedGrant = refusal.success && refusal.data.error === 'invalid_grant';
    // invalid_grant is also Salesforce's answer while an earlier request with the same refresh
    // token still runs there (one this side stopped waiting for): nothing is revoked, so try again later.
    if (refusedGrant && STILL_PROCESSING.test(refusal.data.error_description ?? '')) {
      throw new CrmError('server', `Salesforce is still working on an earlier renewal of LeadLens's sign-in (${said}): nothing needs reconnecting, try again in a few minutes`, response.status, refusal.data.error);
    }
    // Any other invalid_grant: the code or refresh token is used up, expired or revoked → sign in again.
    // A server error says nothing of the tokens: try again later.
    const kind = refusedGrant ? 'auth' : response.status >= 500 ? 'server' : 'request';
    throw new CrmError(kind, `Salesforce refused the token request (${said})`, response.status, refusal.success ? refusal.data.error : undefined);
  }
  const parsed = TokenResponseSchema.safeParse(body);
  if (!parsed.success) throw new CrmError('schema', `Salesforce answered the token request in an unexpected shape: ${describeSchemaIssues(parsed.error)}`, response.status);
  return parsed.data;
}

/**
 * Ends the grant of `refreshToken` at Salesforce, its access tokens with it: deleting LeadLens's
 * copy alone leaves the grant live (until revoked, by default) for any copy taken before.
 * Best effort, as a disconnect must not wait on it: false when Salesforce could not be reached
 * or refused (a token revoked or expired already is refused).
 */
export async function revokeSalesforceToken(host: string, refreshToken: string, fetchImpl: typeof fetch = fetch): Promise<boolean> {
  try {
    const response = await fetchImpl(`https://${host}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken }).toString(),
      credentials: 'omit',
      redirect: 'manual', // a redirect is no revocation, and the token goes nowhere else (isRedirect: not ok)
      signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** A disconnect waits this long at most for Salesforce to end the grant. */
const REVOKE_TIMEOUT_MS = 10_000;

/**
 * What a sign-in window that ended without coming back to LeadLens tells the admin. Chrome says
 * "Authorization page could not be loaded." when the page never opened, and "The user did not
 * approve access." for every other end: the window closed, and also Salesforce's own error page
 * (a wrong consumer key, a callback URL that is not LeadLens's), which never redirects.
 */
function signInEnded(app: OAuthApp, redirectUri: string, chromeSaid: string): CrmError {
  if (/could not be loaded/i.test(chromeSaid)) {
    return new CrmError('network', `The Salesforce sign-in page could not be loaded: check that ${app.host} is your org's My Domain and that it can be reached from this browser (VPN, proxy)`);
  }
  return new CrmError(
    'auth',
    `The Salesforce sign-in window closed before it finished. If Salesforce showed an error there, check the consumer key, and that the External Client App's callback URL is exactly ${redirectUri}`,
  );
}

/** The whole sign-in: consent window, state check, code exchange with the verifier. */
export async function signInWithSalesforce(app: OAuthApp, deps: OAuthDependencies): Promise<OAuthTokens> {
  const { verifier, challenge } = await createPkcePair();
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const finalUrl = await deps.launchWebAuthFlow({ url: authorizeUrl(app, deps.redirectUri, challenge, state), interactive: true }).catch((error: unknown) => {
    throw signInEnded(app, deps.redirectUri, error instanceof Error ? error.message : String(error));
  });
  if (!finalUrl) throw signInEnded(app, deps.redirectUri, '');
  const returned = new URL(finalUrl);
  if (!finalUrl.startsWith(deps.redirectUri)) throw new CrmError('auth', 'Salesforce sign-in ended on an unexpected page');
  // A state we did not send means the answer is not to our request: never exchange its code.
  if (returned.searchParams.get('state') !== state) throw new CrmError('auth', 'Salesforce sign-in answered with the wrong state; try again');
  const refused = returned.searchParams.get('error');
  if (refused) throw new CrmError('auth', `Salesforce sign-in refused: ${refused}${returned.searchParams.get('error_description') ? ` (${returned.searchParams.get('error_description')})` : ''}`);
  const code = returned.searchParams.get('code');
  if (!code) throw new CrmError('auth', 'Salesforce sign-in returned no authorization code');
  const tokens = await tokenRequest(app, { grant_type: 'authorization_code', code, client_id: app.clientId, redirect_uri: deps.redirectUri, code_verifier: verifier }, deps.fetch ?? fetch);
  if (!tokens.refresh_token) throw new CrmError('request', 'Salesforce gave no refresh token: add the "refresh_token, offline_access" scope to the External Client App');
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}

/** A new access token from the refresh token (Salesforce keeps the refresh token unless rotation is on). */
export async function refreshSalesforceToken(app: OAuthApp, refreshToken: string, fetchImpl: typeof fetch = fetch): Promise<OAuthTokens> {
  const tokens = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: app.clientId }, fetchImpl);
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? refreshToken };
}
