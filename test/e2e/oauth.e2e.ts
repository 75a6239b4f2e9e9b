/**
 * Salesforce OAuth with PKCE in the real browser: the admin picks OAuth, enters the External
 * Client App's consumer key and presses Connect; `identity.launchWebAuthFlow` opens the demo
 * org's authorize page, which redirects to `https://<extension-id>.chromiumapp.org/` with a
 * code; the background exchanges it with the verifier. A revoked access token is renewed
 * with the refresh token on the next call, no token reaches the page, and disconnecting ends
 * the grant at Salesforce.
 */
import { request as httpsRequest } from 'node:https';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_OAUTH_CLIENT_ID } from '../demo-crm/salesforce-oauth';
import { expectNoSecretIn } from './connect';
import { SALESFORCE_API, startHarness, type Harness } from './harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ grantApiHosts: true, count: 50 });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

/** The extension id the manifest's key gives, which the README names in the callback URL. */
const LEADLENS_ID = 'njlamdficlmcjibagiikoohclpaenejh';

it('shows the one callback URL every install has, wherever it was loaded from (this one from a copy in the profile)', async () => {
  expect(harness.extensionId).toBe(LEADLENS_ID);
  const options = await harness.context.newPage();
  await options.goto(`chrome-extension://${harness.extensionId}/options.html#connections`);
  await options.check('input[name="salesforce-sign-in"][value="oauth"]');
  await expect.poll(() => options.locator('code', { hasText: 'chromiumapp.org' }).textContent()).toBe(`https://${LEADLENS_ID}.chromiumapp.org/`);
  await options.close();
});

/** The stored Salesforce tokens, read as only extension pages can (a test's look behind the curtain). */
function storedTokens(options: Page): Promise<{ kind: string; accessToken?: string; refreshToken?: string }> {
  return options.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: { storage: { local: { get(key: string): Promise<Record<string, { auth: { kind: string } }>> } } } };
    return (await chrome.storage.local.get('connection:salesforce'))['connection:salesforce'].auth;
  });
}

it('connects Salesforce through launchWebAuthFlow with PKCE, and renews a revoked access token', async () => {
  const options = await harness.context.newPage();
  await options.goto(`chrome-extension://${harness.extensionId}/options.html#connections`);
  await options.check('input[name="salesforce-sign-in"][value="oauth"]');
  await options.fill('input[name="salesforce-oauth-client-id"]', DEMO_OAUTH_CLIENT_ID);
  await options.fill('input[name="salesforce-host"]', SALESFORCE_API);
  await options.click('[data-testid="connect-salesforce"]');
  await expect.poll(() => options.textContent('[data-testid="connection-salesforce"]'), { timeout: 30_000 }).toMatch(/^Connected: /);

  const first = await storedTokens(options);
  expect(first).toMatchObject({ kind: 'oauth', accessToken: expect.stringMatching(/^00D/), refreshToken: expect.stringMatching(/^5Aep/) });
  harness.crm.behaviour.revokedTokens.add(first.accessToken!);
  await options.click('[data-testid="test-salesforce"]');
  await expect.poll(async () => (await storedTokens(options)).accessToken, { timeout: 20_000 }).not.toBe(first.accessToken);
  await expect.poll(() => options.getAttribute('[data-testid="connection-salesforce"]', 'data-status')).toBe('connected');

  const second = await storedTokens(options);
  expectNoSecretIn({ 'options page': await options.content() }, [first.accessToken!, second.accessToken!, second.refreshToken!]);

  // Disconnecting ends the grant at Salesforce: the refresh token no longer renews anything.
  expect(await renewWith(second.refreshToken!)).toBe(200);
  await options.getByRole('button', { name: 'Disconnect Salesforce' }).click();
  await expect.poll(() => options.getAttribute('[data-testid="connection-salesforce"]', 'data-status')).toBe('disconnected');
  expect(await renewWith(second.refreshToken!)).toBe(400);
}, 120_000);

/** The demo org's answer to a refresh-token grant, asked from outside the browser: 200 while the grant lives. */
function renewWith(refreshToken: string): Promise<number> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: DEMO_OAUTH_CLIENT_ID }).toString();
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: '127.0.0.1', port: harness.crm.port, method: 'POST', path: '/services/oauth2/token', servername: SALESFORCE_API, rejectUnauthorized: false, headers: { host: SALESFORCE_API, 'content-type': 'application/x-www-form-urlencoded' } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
