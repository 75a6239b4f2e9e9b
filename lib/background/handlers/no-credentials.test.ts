/**
 * No reply the background sends carries a credential. Structurally: no output schema of the
 * background protocol has a field that could hold one (the router sends each reply as its
 * schema parses it, and zod strips undeclared keys). At run time: with both CRMs connected,
 * the replies the router actually sends for the handlers that read connections (including
 * their failures) never contain the HubSpot token, the Salesforce session id or OAuth tokens.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { markReconnect, readConnection } from '../../connections/connections';
import { writeConnection } from '../../../test/fixtures/stored-connection';
import { generateDemoLeads } from '../../crm/demo-data';
import { backgroundProtocol } from '../../messaging/protocol';
import { registerHandlers } from '../../messaging/rpc';
import { defaultBehaviour } from '../../../test/demo-crm/behaviour';
import { demoFetch } from '../../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../../test/demo-crm/server';
import { salesforceOAuthConnection } from '../../../test/fixtures/salesforce-oauth-connection';
import { stubWebLocks } from '../../../test/web-locks';
import { backgroundHandlers } from './index';
import { syncHandlers } from './sync';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const TOKEN = 'pat-na1-unit-secret-0123456789';
const SID = '00D5g000004Demo!ARunit-session-secret';
const SALESFORCE_HOST = 'acme.my.salesforce.com';
/** Names a field carrying a credential would have. */
const CREDENTIAL_KEY = /token|secret|password|passwd|\bsid\b|session|cookie|credential|authori[sz]ation|bearer|api_?key|verifier/i;

/** Every object key anywhere in a zod schema (objects, unions, arrays, records, wrappers). */
function keysOf(schema: z.ZodType, seen = new Set<z.ZodType>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = schema.def as unknown as Record<string, unknown> & { type: string };
  const children: unknown[] = [];
  let keys: string[] = [];
  if (def.type === 'object') {
    const shape = def.shape as Record<string, z.ZodType>;
    keys = Object.keys(shape);
    children.push(...Object.values(shape));
  }
  if (def.catchall) children.push(def.catchall);
  for (const name of ['options', 'items']) if (Array.isArray(def[name])) children.push(...(def[name] as unknown[]));
  for (const name of ['innerType', 'element', 'valueType', 'in', 'out', 'left', 'right', 'rest']) if (def[name]) children.push(def[name]);
  return [...keys, ...children.flatMap((child) => keysOf(child as z.ZodType, seen))];
}

type BackgroundProtocol = typeof backgroundProtocol;
const fromOptionsPage = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/options.html') } as Browser.runtime.MessageSender;

/** Sends a message from the options page through the registered router; resolves with its reply as sent, serialised. */
function sent<K extends keyof BackgroundProtocol & string>(type: K, payload: z.input<BackgroundProtocol[K]['input']>): Promise<string> {
  return new Promise((resolve) => void fakeBrowser.runtime.onMessage.trigger({ target: 'background', type, payload }, fromOptionsPage, (reply: unknown) => resolve(JSON.stringify(reply))));
}

describe('background replies', () => {
  it('have no field that could carry a credential, in any message’s output schema', () => {
    const offending = Object.entries(backgroundProtocol).flatMap(([type, spec]) =>
      keysOf(spec.output).filter((key) => CREDENTIAL_KEY.test(key)).map((key) => `${type}.${key}`),
    );
    expect(offending).toEqual([]);
  });

  describe('with both CRMs connected', () => {
    const behaviour = defaultBehaviour();

    beforeEach(() => {
      fakeBrowser.reset();
      behaviour.revokedTokens.clear();
      fakeBrowser.permissions.contains = vi.fn(async () => true);
      fakeBrowser.permissions.remove = vi.fn(async () => true);
      stubWebLocks(); // connects and tests run under a Web Lock
      fakeBrowser.cookies.get = vi.fn(async ({ name }: { name: string }) => (name === 'sid' ? { value: SID } : null)) as never;
      vi.stubGlobal('fetch', demoFetch(createDemoCrmHandler(generateDemoLeads({ count: 20, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), behaviour)));
    });

    /** The replies, as sent, of the messages that read connections (a handler that throws is answered by the router). */
    async function replies(): Promise<string[]> {
      return [
        await sent('connectCrm', { crm: 'salesforce', host: SALESFORCE_HOST, apiVersion: '67.0' }),
        await sent('connectCrm', { crm: 'hubspot', token: TOKEN, apiVersion: 'v3' }),
        await sent('testConnection', { crm: 'salesforce' }),
        await sent('testConnection', { crm: 'hubspot' }),
        await sent('connectionStatus', {}),
        await sent('syncStatus', {}),
        await sent('writeBackStatus', {}),
      ];
    }

    it('never contain the token or the session id, connected or refused', async () => {
      registerHandlers(backgroundProtocol, 'background', backgroundHandlers);
      const connected = await replies();
      expect(connected.filter((reply) => reply.includes('"status":"connected"'))).toHaveLength(4 + 1);
      behaviour.revokedTokens.add(TOKEN).add(SID);
      // Connected again with the same credentials, now refused: a check of the stored connections, whose status it gives.
      const refused = await replies();
      expect(refused.filter((reply) => reply.includes('"status":"reconnect"')).length).toBeGreaterThanOrEqual(4);
      for (const reply of [...connected, ...refused]) {
        expect(reply).not.toContain(TOKEN);
        expect(reply).not.toContain(SID);
      }
    });

    it('never contain OAuth tokens, though the status tells the sign-in (its client id), connected or needing reconnecting', async () => {
      const connection = salesforceOAuthConnection({ accessToken: '00D5g000004Demo!AQunit-access', refreshToken: '5Aepunit-refresh' });
      const { auth } = connection;
      await writeConnection(connection);
      registerHandlers(backgroundProtocol, 'background', backgroundHandlers);
      const connected = [await sent('testConnection', { crm: 'salesforce' }), await sent('connectionStatus', {})].join();
      expect(connected).toContain('"status":"connected"');
      await markReconnect(connection, 'Salesforce refused the refresh token');
      const refused = await sent('connectionStatus', {});
      expect(refused).toContain('"status":"reconnect"');
      for (const serialised of [connected, refused]) {
        expect(serialised).toContain(`"clientId":"${auth.clientId}"`);
        expect(serialised).not.toContain(auth.accessToken);
        expect(serialised).not.toContain(auth.refreshToken);
      }
    });

    it('would not carry a connection a handler put in its reply by mistake: only what the reply schema declares is sent', async () => {
      registerHandlers(backgroundProtocol, 'background', {
        ...backgroundHandlers,
        connectionStatus: async (input, sender) => Object.assign(await syncHandlers.connectionStatus(input, sender), { leaked: await readConnection('hubspot') }),
      });
      expect(await sent('connectCrm', { crm: 'hubspot', token: TOKEN, apiVersion: 'v3' })).toContain('"status":"connected"');
      const reply = await sent('connectionStatus', {});
      expect(reply).toContain('"status":"connected"');
      expect(reply).not.toContain(TOKEN);
    });
  });
});
