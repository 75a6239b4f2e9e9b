/**
 * npm run bench:sync -- --leads 100000 [--faults 429=0.2,500=0.1,timeout=0.02] [--timeout-seconds 5] [--json]
 *
 * Syncs every lead of both CRMs from the demo CRM (its own process, over HTTPS, with
 * HubSpot's rate limits enforced) into Dexie (fake-indexeddb), with the same engine and
 * clients as the extension. The sync core runs in Node here, so `peak_heap_mb` is this
 * process's peak V8 heap (sampled every 100 ms), demo CRM excluded. Prints one JSON line
 * and writes the `sync` section of BENCHMARKS.md.
 */
import 'fake-indexeddb/auto';
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { parseArgs } from 'node:util';
import { createHubSpotClient } from '../../lib/crm/hubspot-client';
import { createSalesforceClient } from '../../lib/crm/salesforce-client';
import { LeadLensDb } from '../../lib/db/db';
import { runSync } from '../../lib/sync/engine';
import { dexieSyncStore } from '../../lib/sync/store';
import { writeBenchmarkSection } from './report';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '100000' },
    faults: { type: 'string', default: '' },
    'timeout-seconds': { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const leads = Number(values.leads);
const SF_HOST = 'leadlens-demo.my.salesforce.com';

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

async function startServer(): Promise<{ port: number; stop(): void }> {
  const args = ['--import', 'tsx', 'test/demo-crm/server.ts', '--port', '0', '--count', String(leads), '--rate-limits', ...(values.faults ? ['--faults', values.faults] : [])];
  // Node itself as the child (not npx), so that stopping it stops the server.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      const match = /:(\d+) \(/.exec(data.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error('demo CRM exited')));
  });
  return { port, stop: () => child.kill() };
}

const server = await startServer();
const crmFetch = demoCrmFetch(server.port);
const timeoutMs = Number(values['timeout-seconds']) * 1000;
const db = new LeadLensDb(`bench-sync-${Date.now()}`);
const store = dexieSyncStore(db);
let peakHeap = 0;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 100);
const started = performance.now();
const results = await Promise.all([
  runSync({ client: createSalesforceClient({ instanceUrl: `https://${SF_HOST}`, apiVersion: '67.0', accessToken: async () => 'bench-session', timeoutMs, fetch: crmFetch }), store }),
  runSync({ client: createHubSpotClient({ accessToken: async () => 'bench-token', timeoutMs, fetch: crmFetch }), store }),
]);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
server.stop();

const expected = leads + 2; // the demo's two special leads
let synced = 0;
let duplicates = 0;
let lost = 0;
for (const source of ['salesforce', 'hubspot'] as const) {
  const keys = (await db.leads.where('source').equals(source).primaryKeys()) as string[];
  // Same record under two keys (15- vs 18-character Ids) would be a duplicate.
  const unique = new Set(keys.map((key) => key.slice(0, source === 'salesforce' ? source.length + 16 : undefined)));
  synced += keys.length;
  duplicates += keys.length - unique.size;
  lost += Math.max(0, expected - unique.size);
}
const errors = results.filter((r) => r.status !== 'done').map((r) => r.error);
// HubSpot is the floor: 4 searches per second, 200 contacts per page.
const floorSeconds = Math.ceil(expected / 200) / 4;
const report = { synced, duplicates, lost, seconds: Number(seconds.toFixed(1)), peak_heap_mb: Math.round(peakHeap / 1e6), leads_per_crm: expected, faults: values.faults || 'none', rate_limit_floor_seconds: floorSeconds, errors };
console.log(JSON.stringify(report));
writeBenchmarkSection(
  `sync${values.faults ? '-faults' : ''}`,
  [
    `## Sync${values.faults ? ` with faults (${values.faults})` : ' (no faults)'}`,
    '',
    `\`npm run bench:sync -- --leads ${leads}${values.faults ? ` --faults ${values.faults}` : ''}\`, ${new Date().toISOString().slice(0, 10)}: both CRMs at once from the demo CRM (own process, HTTPS, HubSpot limits on), sync core in Node into fake-indexeddb; request timeout ${values['timeout-seconds']} s.`,
    '',
    '| leads per CRM | stored | duplicates | lost | seconds | HubSpot rate-limit floor (s) | peak heap (MB, Node) |',
    '|---|---|---|---|---|---|---|',
    `| ${expected} | ${synced} | ${duplicates} | ${lost} | ${report.seconds} | ${floorSeconds} | ${report.peak_heap_mb} |`,
  ].join('\n'),
);
db.close();
process.exit(errors.length > 0 || duplicates > 0 || lost > 0 ? 1 : 0);
