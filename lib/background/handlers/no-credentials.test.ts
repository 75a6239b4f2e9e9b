/**
 * No reply the background sends carries a credential. Structurally: no output schema of the
 * background protocol has a field that could hold one (zod strips undeclared keys, so a
 * reply can only carry what its schema declares). At run time: with both CRMs connected, the
 * replies of the handlers that read connections (including their failures) never contain
 * the HubSpot token or the Salesforce session id.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { markReconnect, writeConnection } from '../../connections/connections';
import { generateDemoLeads } from '../../crm/demo-data';
import { backgroundProtocol } from '../../messaging/protocol';
import { defaultBehaviour } from '../../../test/demo-crm/behaviour';
import { demoFetch } from '../../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../../test/demo-crm/server';
import { syncHandlers } from './sync';
import { writeBackHandlers } from './write-back';

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
      fakeBrowser.cookies.get = vi.fn(async ({ name }: { name: string }) => (name === 'sid' ? { value: SID } : null)) as never;
      vi.stubGlobal('fetch', demoFetch(createDemoCrmHandler(generateDemoLeads({ count: 20, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), behaviour)));
    });

    /** Each reply parsed with its protocol schema (as the caller does) and serialised. */
    async function replies(): Promise<string[]> {
      const sender = {} as Browser.runtime.MessageSender;
      const calls: [keyof typeof backgroundProtocol, () => Promise<unknown>][] = [
        ['connectCrm', () => syncHandlers.connectCrm({ crm: 'salesforce', host: SALESFORCE_HOST, apiVersion: '67.0' }, sender)],
        ['connectCrm', () => syncHandlers.connectCrm({ crm: 'hubspot', token: TOKEN, apiVersion: 'v3' }, sender)],
        ['testConnection', () => syncHandlers.testConnection({ crm: 'salesforce' }, sender)],
        ['testConnection', () => syncHandlers.testConnection({ crm: 'hubspot' }, sender)],
        ['connectionStatus', () => syncHandlers.connectionStatus({}, sender)],
        ['syncStatus', () => syncHandlers.syncStatus({}, sender)],
        ['writeBackStatus', () => writeBackHandlers.writeBackStatus({}, sender)],
      ];
      const serialised: string[] = [];
      for (const [type, call] of calls) {
        // A handler that throws is answered `{ok: false, error: message}` by the router.
        const reply = await call().catch((error: unknown) => ({ ok: false, error: error instanceof Error ? error.message : String(error) }));
        serialised.push(JSON.stringify(backgroundProtocol[type].output.parse(reply)));
      }
      return serialised;
    }

    it('never contain the token or the session id, connected or refused', async () => {
      const connected = await replies();
      expect(connected.filter((reply) => reply.includes('"status":"connected"'))).toHaveLength(4 + 1);
      behaviour.revokedTokens.add(TOKEN).add(SID);
      const refused = await replies();
      expect(refused.filter((reply) => reply.includes('"status":"reconnect"')).length).toBeGreaterThanOrEqual(4);
      for (const reply of [...connected, ...refused]) {
        expect(reply).not.toContain(TOKEN);
        expect(reply).not.toContain(SID);
      }
    });

    it('never contain OAuth tokens, though the status tells the sign-in (its client id), connected or needing reconnecting', async () => {
      const auth = { kind: 'oauth', clientId: '3MVG9LeadLensDemoClientId', accessToken: '00D5g000004Demo!AQunit-access', refreshToken: '5Aepunit-refresh' } as const;
      const connection = { crm: 'salesforce', host: SALESFORCE_HOST, apiVersion: '67.0', auth, timeoutSeconds: 30 } as const;
      await writeConnection(connection);
      const sender = {} as Browser.runtime.MessageSender;
      const connected = JSON.stringify([await syncHandlers.testConnection({ crm: 'salesforce' }, sender), await syncHandlers.connectionStatus({}, sender)]);
      expect(connected).toContain('"status":"connected"');
      await markReconnect(connection, 'Salesforce refused the refresh token');
      const refused = JSON.stringify(await syncHandlers.connectionStatus({}, sender));
      expect(refused).toContain('"status":"reconnect"');
      for (const serialised of [connected, refused]) {
        expect(serialised).toContain(`"clientId":"${auth.clientId}"`);
        expect(serialised).not.toContain(auth.accessToken);
        expect(serialised).not.toContain(auth.refreshToken);
      }
    });
  });
});
