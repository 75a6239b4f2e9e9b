import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { isCrmError } from '../crm/http';
import { createSalesforceClient } from '../crm/salesforce-client';
import { generateDemoLeads } from '../crm/demo-data';
import { defaultBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { DEMO_OAUTH_CLIENT_ID } from '../../test/demo-crm/salesforce-oauth';
import { createDemoCrmHandler } from '../../test/demo-crm/server';
import { redirectingServer } from '../../test/redirecting-server';
import { createPkcePair, refreshSalesforceToken, revokeSalesforceToken, signInWithSalesforce, type OAuthDependencies } from './oauth';

const HOST = 'acme.my.salesforce.com';
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const leads = generateDemoLeads({ count: 5, seed: 2, now: new Date('2026-11-01T00:00:00Z') });

/** `identity.launchWebAuthFlow` played by following the demo org's redirect, as the browser window would. */
function demoIdentity(tamper: (redirect: URL) => void = () => undefined) {
  const behaviour = defaultBehaviour();
  const fetch = demoFetch(createDemoCrmHandler(leads, behaviour));
  const deps: OAuthDependencies = {
    redirectUri: REDIRECT,
    fetch,
    launchWebAuthFlow: async ({ url }) => {
      const response = await fetch(url, { redirect: 'manual' });
      const location = new URL(response.headers.get('location')!);
      tamper(location);
      return location.toString();
    },
  };
  return { deps, fetch, behaviour };
}

describe('Salesforce OAuth with PKCE', () => {
  it('makes an S256 challenge of a 43-character verifier', async () => {
    const { verifier, challenge } = await createPkcePair();
    expect(verifier).toMatch(/^[\w-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('signs in: consent, state check, code exchanged with the verifier, and the token reads the API', async () => {
    const { deps, fetch } = demoIdentity();
    const tokens = await signInWithSalesforce({ host: HOST, clientId: DEMO_OAUTH_CLIENT_ID }, deps);
    expect(tokens.refreshToken).toMatch(/^5Aep/);
    const client = createSalesforceClient({ instanceUrl: `https://${HOST}`, apiVersion: '67.0', accessToken: async () => tokens.accessToken, fetch });
    await expect(client.readRecord(leads[0].salesforceId, { fields: ['Title'] })).resolves.toMatchObject({ id: leads[0].salesforceId });
  });

  it('refuses an answer with another state, and a code exchanged with the wrong verifier', async () => {
    const forged = demoIdentity((redirect) => redirect.searchParams.set('state', 'attacker'));
    await expect(signInWithSalesforce({ host: HOST, clientId: DEMO_OAUTH_CLIENT_ID }, forged.deps)).rejects.toThrow(/wrong state/);
    // The demo checks the verifier: replay a code obtained with one challenge against another verifier.
    const { deps, fetch } = demoIdentity();
    const { challenge } = await createPkcePair();
    const authorize = `https://${HOST}/services/oauth2/authorize?response_type=code&client_id=${DEMO_OAUTH_CLIENT_ID}&redirect_uri=${encodeURIComponent(REDIRECT)}&code_challenge=${challenge}&code_challenge_method=S256&state=s`;
    const code = new URL((await deps.launchWebAuthFlow({ url: authorize, interactive: true }))!).searchParams.get('code')!;
    const response = await fetch(`https://${HOST}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: DEMO_OAUTH_CLIENT_ID, redirect_uri: REDIRECT, code_verifier: (await createPkcePair()).verifier }).toString(),
    });
    expect(await response.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid code verifier' });
  });

  it('says a refused sign-in is an auth error', async () => {
    const { deps } = demoIdentity();
    const error = await signInWithSalesforce({ host: HOST, clientId: 'not-the-client-id' }, { ...deps, launchWebAuthFlow: async () => `${REDIRECT}?error=access_denied&state=x` }).catch((e: unknown) => e);
    expect(isCrmError(error, 'auth')).toBe(true);
  });

  it('says in its own words how a sign-in window ended that never came back: Chrome\'s say only that it did', async () => {
    const app = { host: HOST, clientId: '3MVG9typoInConsumerKey' };
    const endedWith = (chromeSays: string) =>
      signInWithSalesforce(app, { redirectUri: REDIRECT, launchWebAuthFlow: async () => Promise.reject(new Error(chromeSays)) }).then(
        () => expect.unreachable('signed in'),
        (e: unknown) => e as Error,
      );
    // Closed, or Salesforce's error page for a wrong consumer key or callback URL: Chrome says the same.
    expect((await endedWith('The user did not approve access.')).message).toBe(
      `The Salesforce sign-in window closed before it finished. If Salesforce showed an error there, check the consumer key, and that the External Client App's callback URL is exactly ${REDIRECT}`,
    );
    expect((await endedWith('Authorization page could not be loaded.')).message).toBe(
      `The Salesforce sign-in page could not be loaded: check that ${HOST} is your org's My Domain and that it can be reached from this browser (VPN, proxy)`,
    );
  });

  it('renews the access token once after a 401, then calls again; a revoked refresh token means reconnect', async () => {
    const { deps, fetch, behaviour } = demoIdentity();
    const app = { host: HOST, clientId: DEMO_OAUTH_CLIENT_ID };
    let tokens = await signInWithSalesforce(app, deps);
    behaviour.revokedTokens.add(tokens.accessToken);
    let renewals = 0;
    const client = createSalesforceClient({
      instanceUrl: `https://${HOST}`,
      apiVersion: '67.0',
      fetch,
      accessToken: async () => tokens.accessToken,
      renewAccessToken: async () => {
        renewals++;
        tokens = await refreshSalesforceToken(app, tokens.refreshToken, fetch);
        return true;
      },
    });
    await expect(client.readRecord(leads[1].salesforceId, { fields: ['Title'] })).resolves.not.toBeNull();
    expect(renewals).toBe(1);
    behaviour.revokedTokens.add(tokens.accessToken);
    const stillRefused = createSalesforceClient({ instanceUrl: `https://${HOST}`, apiVersion: '67.0', fetch, accessToken: async () => tokens.accessToken, renewAccessToken: async () => true });
    await expect(stillRefused.readRecord(leads[1].salesforceId)).rejects.toMatchObject({ kind: 'auth' });
    await expect(refreshSalesforceToken(app, 'revoked-refresh-token', fetch)).rejects.toMatchObject({ kind: 'auth', crmCode: 'invalid_grant' });
  });

  it('revokes a grant: its refresh token renews nothing after; a token Salesforce does not know, or no answer, is false', async () => {
    const { deps, fetch } = demoIdentity();
    const app = { host: HOST, clientId: DEMO_OAUTH_CLIENT_ID };
    const tokens = await signInWithSalesforce(app, deps);
    await expect(refreshSalesforceToken(app, tokens.refreshToken, fetch)).resolves.toMatchObject({ refreshToken: tokens.refreshToken });
    expect(await revokeSalesforceToken(HOST, tokens.refreshToken, fetch)).toBe(true);
    await expect(refreshSalesforceToken(app, tokens.refreshToken, fetch)).rejects.toMatchObject({ kind: 'auth', crmCode: 'invalid_grant' });
    expect(await revokeSalesforceToken(HOST, tokens.refreshToken, fetch)).toBe(false);
    expect(await revokeSalesforceToken(HOST, 'x', () => Promise.reject(new TypeError('Failed to fetch')))).toBe(false);
  });

  it('says an unreachable or failing token endpoint is a network or server error, never "sign in again"', async () => {
    const app = { host: HOST, clientId: DEMO_OAUTH_CLIENT_ID };
    const offline: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(refreshSalesforceToken(app, '5Aep-refresh', offline)).rejects.toMatchObject({ kind: 'network' });
    const down: typeof fetch = async () => new Response('<html>Service Unavailable</html>', { status: 503 });
    await expect(refreshSalesforceToken(app, '5Aep-refresh', down)).rejects.toMatchObject({ kind: 'server', status: 503 });
  });

  it('says a refresh token Salesforce is still using for an earlier token request is a try-again-later, never "sign in again"', async () => {
    const app = { host: HOST, clientId: DEMO_OAUTH_CLIENT_ID };
    // Salesforce's answer while a token request with the same refresh token still runs there (one LeadLens stopped waiting for).
    const stillProcessing = (description: string): typeof fetch => async () =>
      new Response(JSON.stringify({ error: 'invalid_grant', error_description: description }), { status: 400, headers: { 'content-type': 'application/json' } });
    for (const description of ['token request is already being processed', 'Token request is already being processed.']) {
      await expect(refreshSalesforceToken(app, '5Aep-refresh', stillProcessing(description))).rejects.toMatchObject({
        kind: 'server',
        status: 400,
        crmCode: 'invalid_grant',
        message: `Salesforce is still working on an earlier renewal of LeadLens's sign-in (invalid_grant: ${description}): nothing needs reconnecting, try again in a few minutes`,
      });
    }
    // Any other invalid_grant still means the refresh token is no good.
    await expect(refreshSalesforceToken(app, '5Aep-refresh', stillProcessing('expired access/refresh token'))).rejects.toMatchObject({ kind: 'auth', crmCode: 'invalid_grant' });
  });
});

describe('a token request answered with a redirect', () => {
  it('is refused: the refresh token never reaches the host it names, nor are its tokens taken', async () => {
    const server = await redirectingServer({ access_token: 'chosen-elsewhere', instance_url: 'https://elsewhere.example' });
    // The org's host, served here by a local server that redirects.
    const toLocal: typeof fetch = (input, init) => fetch(String(input).replace('https://acme.my.salesforce.com', server.origin), init);
    try {
      await expect(refreshSalesforceToken({ host: 'acme.my.salesforce.com', clientId: 'client-1234' }, 'REFRESH-TOKEN-123', toLocal)).rejects.toThrow(
        'acme.my.salesforce.com answered the token request with a redirect, which LeadLens does not follow: it sends tokens to acme.my.salesforce.com only. If the org\'s address changed (its My Domain renamed), connect again with the new one',
      );
      expect(await revokeSalesforceToken('acme.my.salesforce.com', 'REFRESH-TOKEN-123', toLocal)).toBe(false);
      expect(server.otherHostSaw).toEqual([]);
    } finally {
      server.close();
    }
  });
});
