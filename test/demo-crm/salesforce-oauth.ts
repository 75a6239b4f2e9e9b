/**
 * The demo org as an OAuth 2.0 authorization server, for the PKCE flow (no client secret):
 *   GET  /services/oauth2/authorize   consent is implied: 302 to `redirect_uri?code=…&state=…`
 *   POST /services/oauth2/token       `authorization_code` (checks the verifier against the
 *                                     S256 challenge) and `refresh_token` grants
 *   POST /services/oauth2/revoke      `token=<refresh token>`: ends its grant (400 for a token it does not know)
 * Errors are OAuth's `{error, error_description}`. Only `https://<id>.chromiumapp.org/…`
 * redirects are allowed, as an External Client App for an extension would list.
 */
import { createHash, randomBytes } from 'node:crypto';
import { json, type DemoHandler, type DemoRequest, type DemoResponse } from './http';

/** The consumer key of the demo org's External Client App for LeadLens. */
export const DEMO_OAUTH_CLIENT_ID = '3MVG9LeadLensDemoClientId';
const EXTENSION_REDIRECT = /^https:\/\/[a-p]{32}\.chromiumapp\.org\//;

interface PendingCode {
  challenge: string;
  redirectUri: string;
}

const oauthError = (status: number, error: string, description: string) => json(status, { error, error_description: description });
const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

export function salesforceOAuth(): DemoHandler {
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Set<string>();

  function authorize(request: DemoRequest): DemoResponse {
    const params = request.url.searchParams;
    const redirectUri = params.get('redirect_uri') ?? '';
    if (params.get('client_id') !== DEMO_OAUTH_CLIENT_ID) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
    if (!EXTENSION_REDIRECT.test(redirectUri)) return oauthError(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    const back = new URL(redirectUri);
    const state = params.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const challenge = params.get('code_challenge') ?? '';
    if (params.get('response_type') !== 'code' || params.get('code_challenge_method') !== 'S256' || !/^[\w-]{43}$/.test(challenge)) {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'PKCE with S256 is required');
    } else {
      const code = token('aPrx');
      codes.set(code, { challenge, redirectUri });
      back.searchParams.set('code', code);
    }
    return { status: 302, headers: { location: back.toString() }, body: '' };
  }

  function exchange(request: DemoRequest): DemoResponse {
    const form = new URLSearchParams(request.body);
    if (form.get('client_id') !== DEMO_OAUTH_CLIENT_ID) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
    const instance = `https://${request.host}`;
    const issued = (refreshToken: string | null) => json(200, {
      access_token: token('00D5g000004Demo!AQ'),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      instance_url: instance,
      id: `${instance}/id/00D5g000004DemoEAA/0055g00000DemoUAAA`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      scope: 'api refresh_token',
    });
    if (form.get('grant_type') === 'refresh_token') {
      return refreshTokens.has(form.get('refresh_token') ?? '') ? issued(null) : oauthError(400, 'invalid_grant', 'expired access/refresh token');
    }
    if (form.get('grant_type') !== 'authorization_code') return oauthError(400, 'unsupported_grant_type', 'grant type not supported');
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code); // a code is good once, whatever happens
    if (!pending || pending.redirectUri !== form.get('redirect_uri')) return oauthError(400, 'invalid_grant', 'invalid authorization code');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) return oauthError(400, 'invalid_grant', 'invalid code verifier');
    const refreshToken = token('5Aep');
    refreshTokens.add(refreshToken);
    return issued(refreshToken);
  }

  function revoke(request: DemoRequest): DemoResponse {
    const revoked = refreshTokens.delete(new URLSearchParams(request.body).get('token') ?? '');
    return revoked ? { status: 200, headers: {}, body: '' } : oauthError(400, 'unsupported_token_type', 'this token type is not supported');
  }

  return (request) => {
    const path = request.url.pathname.replace(/\/$/, '');
    if (path === '/services/oauth2/revoke' && request.method === 'POST') return revoke(request);
    if (path === '/services/oauth2/authorize' && request.method === 'GET') return authorize(request);
    if (path === '/services/oauth2/token' && request.method === 'POST') return exchange(request);
    return oauthError(404, 'not_found', 'unknown OAuth endpoint');
  };
}
