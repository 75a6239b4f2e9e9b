/**
 * npm run bench:sync -- --leads 100000 [--faults hubspot:429=0.2,hubspot:500=0.1,salesforce:500=0.3,timeout=0.02] [--engine extension|node] [--timeout-seconds 30] [--hubspot-empty-properties 0] [--json]
 *
 * Syncs every lead of both CRMs at once from the demo CRM (its own process, HTTPS, HubSpot's
 * rate limits on, `--count N --faults …`) and checks what was stored against the demo CRM's
 * ids: duplicates (a record under two keys) and lost records.
 *
 *   --engine extension (default): the built extension in headless Chromium, connected through
 *     the options page, syncing in its service worker into real IndexedDB; `peak_heap_mb` is
 *     the service worker's V8 heap (see sync-extension.ts).
 *   --engine node: the sync core in this process into fake-indexeddb; `peak_heap_mb` is this
 *     process's heap, which holds every stored row (see sync-node.ts). It also sizes the stored
 *     leads against the records the CRM answered (bytes per lead).
 *   --hubspot-empty-properties N: the HubSpot portal has N more properties, empty on every
 *     contact, as real portals' hundreds are (a wide portal).
 *
 * Prints one JSON line and writes the `sync` (or `sync-faults`; `-node` for the Node engine;
 * `-wide` with empty properties) section of BENCHMARKS.md, with a verdict per goal (sync-goals.ts).
 * Exits 1 when a goal is not met or the run had errors.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_TIMEOUT_SECONDS } from '../../lib/connections/schema';
import { generateDemoLeads, specialDemoLeads } from '../../lib/crm/demo-data';
import type { CrmKind } from '../../lib/crm/types';
import { DEMO_PORTAL_PROPERTY_COUNT } from '../demo-crm/hubspot-api';
import { CRMS, recordIdentity } from '../e2e/connect';
import { writeBenchmarkSection } from './report';
import { syncGoals } from './sync-goals';
import type { EngineRun, SyncBenchMode } from './sync-run';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '100000' },
    faults: { type: 'string', default: '' },
    engine: { type: 'string', default: 'extension' },
    'timeout-seconds': { type: 'string', default: String(DEFAULT_TIMEOUT_SECONDS) },
    'hubspot-empty-properties': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const leads = Number(values.leads);
const emptyProperties = Number(values['hubspot-empty-properties']);
if (!Number.isInteger(emptyProperties) || emptyProperties < 0) throw new Error(`--hubspot-empty-properties: "${values['hubspot-empty-properties']}" is not a count`);
const mode = values.engine as SyncBenchMode;
if (mode !== 'extension' && mode !== 'node') throw new Error(`--engine: "${values.engine}" is not extension or node`);
if (mode === 'extension' && process.argv.includes('--timeout-seconds')) {
  throw new Error('--timeout-seconds is for --engine node: the extension uses its connection default');
}
const SEED = 42;
/** HubSpot search, the slowest limit both syncs meet: 4 searches per second, 200 contacts a page. */
const HUBSPOT_SEARCHES_PER_SECOND = 4;
const HUBSPOT_SEARCH_PAGE = 200;

async function startDemoCrmProcess(): Promise<{ port: number; stop(): void }> {
  const args = ['--import', 'tsx', 'test/demo-crm/server.ts', '--port', '0', '--count', String(leads), '--seed', String(SEED), '--rate-limits', '--hubspot-empty-properties', String(emptyProperties), ...(values.faults ? ['--faults', values.faults] : [])];
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

/** The ids the demo CRM serves: its generated leads (ids depend on seed and index only) and the special ones. */
function expectedIdentities(): Record<CrmKind, Set<string>> {
  const all = [...generateDemoLeads({ count: leads, seed: SEED }), ...specialDemoLeads(new Date())];
  return {
    salesforce: new Set(all.map((lead) => recordIdentity('salesforce', lead.salesforceId))),
    hubspot: new Set(all.map((lead) => recordIdentity('hubspot', lead.hubspotId))),
  };
}

interface CrmTally {
  stored: number;
  duplicates: number;
  lost: number;
  /** Stored records the CRM does not have (should never happen). */
  unexpected: number;
}

function tally(crm: CrmKind, ids: string[], expected: Set<string>): CrmTally {
  const identities = new Set(ids.map((id) => recordIdentity(crm, id)));
  let lost = 0;
  for (const id of expected) if (!identities.has(id)) lost++;
  let unexpected = 0;
  for (const id of identities) if (!expected.has(id)) unexpected++;
  return { stored: ids.length, duplicates: ids.length - identities.size, lost, unexpected };
}

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

const crm = await startDemoCrmProcess();
// Times depend on what else the machine runs: keep the load next to them.
const loadSamples = [loadavg()[0]];
const loadSampler = setInterval(() => loadSamples.push(loadavg()[0]), 10_000);
let run: EngineRun;
try {
  run = mode === 'extension'
    ? await (await import('./sync-extension')).syncInExtension(crm.port)
    : await (await import('./sync-node')).syncInNode(crm.port, Number(values['timeout-seconds']));
} finally {
  crm.stop();
  clearInterval(loadSampler);
}

const expected = expectedIdentities();
const perCrm = { salesforce: tally('salesforce', run.ids.salesforce, expected.salesforce), hubspot: tally('hubspot', run.ids.hubspot, expected.hubspot) };
const leadsPerCrm = expected.hubspot.size;
const floorSeconds = Math.ceil(leadsPerCrm / HUBSPOT_SEARCH_PAGE) / HUBSPOT_SEARCHES_PER_SECOND;
const sum = (key: keyof CrmTally) => CRMS.reduce((total, c) => total + perCrm[c][key], 0);
const report = {
  mode,
  heap_source: run.heapSource,
  synced: sum('stored'),
  duplicates: sum('duplicates'),
  lost: sum('lost'),
  unexpected: sum('unexpected'),
  seconds: round1(run.seconds),
  peak_heap_mb: Math.round(run.peakHeapMb),
  leads_per_crm: leadsPerCrm,
  faults: values.faults || 'none',
  rate_limit_floor_seconds: floorSeconds,
  crm_seconds: { salesforce: round1(run.crmSeconds.salesforce), hubspot: round1(run.crmSeconds.hubspot) },
  request_timeout_seconds: run.requestTimeoutSeconds,
  ...Object.fromEntries(Object.entries(run.timing).map(([name, value]) => [name, round1(value)])),
  mean_load_average: round1(loadSamples.reduce((a, b) => a + b, 0) / Math.max(1, loadSamples.length)),
  cpus: availableParallelism(),
  ...Object.fromEntries(Object.entries(run.memory).map(([name, mb]) => [name, mb === null ? null : Math.round(mb)])),
  per_crm: perCrm,
  hubspot_properties: DEMO_PORTAL_PROPERTY_COUNT + emptyProperties,
  ...(run.storage && { stored_bytes_per_lead: run.storage }),
  errors: run.errors,
};
console.log(JSON.stringify(report));
const goals = syncGoals(mode, { duplicates: report.duplicates, lost: report.lost, unexpected: report.unexpected, peakHeapMb: run.peakHeapMb });

const command = `npm run bench:sync -- --leads ${leads}${values.faults ? ` --faults ${values.faults}` : ''}${mode === 'node' ? ' --engine node' : ''}${emptyProperties > 0 ? ` --hubspot-empty-properties ${emptyProperties}` : ''}`;
const where = mode === 'extension'
  ? 'the built extension in headless Chromium, connected through the options page, syncing in its service worker into IndexedDB; heap: the service worker\'s V8 heap over CDP (`Runtime.getHeapUsage`, every 250 ms)'
  : 'the sync core in Node into fake-indexeddb; heap: the Node process, which holds every stored row (fake-indexeddb), so not the extension\'s';
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
/** Bytes per lead, each beside the record the CRM answered (the anchor: the same on any machine). */
const storageSection = (storage: NonNullable<EngineRun['storage']>) => [
  '',
  `### Stored size per synced lead (HubSpot portal of ${report.hubspot_properties} contact properties)`,
  '',
  'Means over every stored lead of the CRM. Anchor: the record as the CRM answered it (its JSON in the answer, every field it sent, empty ones as null; of the reads carrying it, the largest, the one with every field). The stored lead is the row the sync wrote (the extension\'s sync core and store, here on fake-indexeddb), sized as IndexedDB stores it, V8\'s structured clone (`v8.serialize`; the format Chromium\'s IndexedDB writes, before any compression), and as JSON. "Empty fields kept": the same row with the record\'s empty fields added back as null, as leads were stored before `toStoredLead` dropped them. Sizing the answers runs in the bench\'s fetch, inside the sync times above.',
  '',
  '| CRM | leads | CRM answer per record | stored lead (structured clone) | stored / answer | stored lead (JSON) | empty fields kept (structured clone) | kept / answer | stored / kept |',
  '|---|---|---|---|---|---|---|---|---|',
  ...CRMS.map((crm) => {
    const size = storage[crm];
    return `| ${crm === 'hubspot' ? 'HubSpot' : 'Salesforce'} | ${size.leads} | ${kb(size.answeredJson)} | ${kb(size.storedClone)} | ${(size.storedClone / size.answeredJson).toFixed(2)}× | ${kb(size.storedJson)} | ${kb(size.storedCloneWithEmpties)} | ${(size.storedCloneWithEmpties / size.answeredJson).toFixed(2)}× | ${(size.storedClone / size.storedCloneWithEmpties).toFixed(2)}× |`;
  }),
];
const memoryNote = Object.entries(report).filter(([name]) => name.endsWith('_rss_mb') || name === 'offscreen_heap_mb').map(([name, mb]) => `${name.replace(/_/g, ' ')}: ${mb ?? 'none'}`);
writeBenchmarkSection(
  `sync${values.faults ? '-faults' : ''}${mode === 'node' ? '-node' : ''}${emptyProperties > 0 ? '-wide' : ''}`,
  [
    `## Sync${values.faults ? ` with faults (${values.faults})` : ' (no faults)'}, ${mode === 'extension' ? 'extension' : 'Node core'}${emptyProperties > 0 ? `, HubSpot portal with ${emptyProperties} empty properties` : ''}`,
    '',
    `\`${command}\`, ${new Date().toISOString().slice(0, 10)}: both CRMs at once from the demo CRM (own process, HTTPS, HubSpot limits on${values.faults ? `, fault rolls seeded with ${SEED}` : ''}${emptyProperties > 0 ? `; the HubSpot portal lists ${report.hubspot_properties} contact properties, ${emptyProperties} of them empty on every contact` : ''}); ${where}; request timeout ${run.requestTimeoutSeconds} s. Floor: HubSpot search at ${HUBSPOT_SEARCHES_PER_SECOND}/s × ${HUBSPOT_SEARCH_PAGE} contacts a page = ${floorSeconds} s for ${leadsPerCrm} contacts.`,
    '',
    '| mode | leads per CRM | stored | duplicates | lost | seconds (both) | Salesforce job (s) | HubSpot job (s) | HubSpot rate-limit floor (s) | peak heap (MB) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${mode} | ${leadsPerCrm} | ${report.synced} | ${report.duplicates} | ${report.lost} | ${report.seconds} | ${report.crm_seconds.salesforce ?? '–'} | ${report.crm_seconds.hubspot ?? '–'} | ${floorSeconds} | ${report.peak_heap_mb} |`,
    '',
    `Goals (issue 4)${mode === 'node' ? "; the peak heap goal is the extension's service worker's, not judged on this Node process, which holds every stored row" : ''}:`,
    '',
    '| goal | this run | |',
    '|---|---|---|',
    ...goals.map(({ goal, figure, met }) => `| ${goal} | ${figure} | ${met ? 'met' : 'not met'} |`),
    ...(memoryNote.length > 0 ? ['', `Also (peaks, MB): ${memoryNote.join('; ')}.`] : []),
    ...(Object.keys(run.timing).length > 0 ? ['', `Where the HubSpot time went (Chromium net log): ${Object.entries(run.timing).map(([name, value]) => `${name.replace(/_/g, ' ')} ${round1(value)}`).join('; ')}.`] : []),
    '',
    `Machine: ${report.cpus} CPUs, mean 1-minute load average ${report.mean_load_average} during the run (other jobs included): times vary with it.`,
    ...(run.errors.length > 0 ? ['', `Errors: ${run.errors.join('; ')}`] : []),
    ...(run.storage ? storageSection(run.storage) : []),
  ].join('\n'),
);
process.exit(run.errors.length > 0 || goals.some((goal) => !goal.met) ? 1 : 0);
