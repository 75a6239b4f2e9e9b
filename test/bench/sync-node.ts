/**
 * `bench:sync --engine node`: the sync core (same engine and CRM clients as the extension)
 * in this Node process, into Dexie on fake-indexeddb. Useful to time the engine without a
 * browser; its heap is NOT the extension's: fake-indexeddb keeps every stored row in the JS
 * heap, where Chromium keeps IndexedDB on disk, outside the worker.
 */
import 'fake-indexeddb/auto';
import { request } from 'node:https';
import { createHubSpotClient } from '../../lib/crm/hubspot-client';
import { createSalesforceClient } from '../../lib/crm/salesforce-client';
import type { CrmKind } from '../../lib/crm/types';
import { LeadLensDb } from '../../lib/db/db';
import { runSync } from '../../lib/sync/engine';
import { dexieSyncStore } from '../../lib/sync/store';
import { SALESFORCE_API } from '../e2e/harness';
import type { EngineRun } from './sync-run';

const HEAP_SAMPLE_MS = 100;

/** fetch over node:https to the local demo CRM, with the CRM's host name as SNI and Host. */
function demoCrmFetch(port: number): typeof fetch {
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(String(input));
      const req = request(
        { host: '127.0.0.1', port, path: url.pathname + url.search, method: init.method ?? 'GET', servername: url.hostname, rejectUnauthorized: false, headers: { ...Object.fromEntries(new Headers(init.headers).entries()), host: url.hostname }, signal: init.signal ?? undefined },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: res.headers as Record<string, string> })));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
}

export async function syncInNode(crmPort: number, requestTimeoutSeconds: number): Promise<EngineRun> {
  const fetch = demoCrmFetch(crmPort);
  const timeoutMs = requestTimeoutSeconds * 1000;
  const db = new LeadLensDb(`bench-sync-${Date.now()}`);
  const store = dexieSyncStore(db);
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), HEAP_SAMPLE_MS);
  const started = performance.now();
  const results = await Promise.all([
    runSync({ client: createSalesforceClient({ instanceUrl: `https://${SALESFORCE_API}`, apiVersion: '67.0', accessToken: async () => 'bench-session', timeoutMs, fetch }), store }),
    runSync({ client: createHubSpotClient({ accessToken: async () => 'bench-token', timeoutMs, fetch }), store }),
  ]);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const idsOf = async (crm: CrmKind) => ((await db.leads.where('source').equals(crm).primaryKeys()) as string[]).map((key) => key.slice(crm.length + 1));
  const run: EngineRun = {
    mode: 'node',
    heapSource: 'Node process: sync core + fake-indexeddb holding every row (not the extension)',
    peakHeapMb: peakHeap / 1e6,
    memory: {},
    timing: {},
    seconds,
    crmSeconds: { salesforce: results[0].lastRun?.seconds ?? null, hubspot: results[1].lastRun?.seconds ?? null },
    ids: { salesforce: await idsOf('salesforce'), hubspot: await idsOf('hubspot') },
    errors: results.filter((r) => r.status !== 'done').map((r) => `${r.status}: ${r.error}`),
    requestTimeoutSeconds,
  };
  db.close();
  return run;
}
