/**
 * `npm run bench`: what a rep waits for, and how fast the engine is, in real Chromium.
 *
 * - Navigation → badge latency on both demo CRMs: client-side navigations to leads never
 *   scored (uncached) and to leads scored before (cached), timed in the page from the URL
 *   change (the CRM's pushState) to the scored badge, and from the click.
 * - Engine throughput (rows/s for 1, 1k and 100k rows) in the extension's offscreen
 *   document (onnxruntime-web, WASM, one thread) beside onnxruntime-node (one thread) on
 *   the same model and rows, as a ratio measured in the same run.
 * - With both demo CRMs connected (a browser of its own, after the first closes), badges that
 *   read the lead through the CRM's API: latency and API requests per navigation by kind, with
 *   the service worker stopped before each navigation (as Chrome stops it after ~30 s idle)
 *   and with it left running.
 *
 * Writes its section of BENCHMARKS.md, only when the extension measured the model models/ bundles.
 * Options: --navigations N (default 60), --cold-navigations N (default 20, per CRM and per worker
 * state), --engine-rounds N (default 3: rounds of engine timings, each over every row count).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { Browser } from 'wxt/browser';
import * as ortNode from 'onnxruntime-node';
import type { CDPSession, Page, Request } from 'playwright-core';
import type { CrmKind } from '../../lib/crm/types';
import { parseManifest } from '../../lib/ml/manifest';
import { LARGEST_SCORING_BATCH } from '../../lib/ml/scoring-batch';
import { syntheticRows } from '../../lib/ml/synthetic-rows';
import { measureThroughput, type Throughput } from '../../lib/ml/throughput';
import { connectDemoCrms, recordIdentity } from '../e2e/connect';
import { HUBSPOT_API, HUBSPOT_PORTAL, SALESFORCE_API, chromiumPath, hubspotContactUrl, salesforceLeadUrl, startHarness, type Harness } from '../e2e/harness';
import { acrossRounds, assertBundledModel, hopPerCall, ratioToNative, type EngineRound } from './engine-figures';
import { percentile, writeBenchmarkSection } from './report';

const navigations = Number(argument('--navigations') ?? 60);
const coldNavigations = Number(argument('--cold-navigations') ?? 20);
const engineRounds = Number(argument('--engine-rounds') ?? 3);
const ROW_COUNTS = [1, 1000, 100_000];
const SEED = 7;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

interface Timing {
  fromUrlChange: number;
  fromClick: number;
}

/**
 * Navigate client-side to `path` (as a click on an in-app link does) and time the badge.
 * The observer runs in the page's main world; the badge's attributes are shared DOM.
 */
async function timeNavigation(page: Page, path: string): Promise<Timing> {
  // No named inner functions: tsx would wrap them in a helper the page does not have.
  return page.evaluate(async (target) => {
    const previous = document.querySelector('leadlens-badge');
    const link = document.createElement('a');
    link.href = target;
    link.textContent = 'bench';
    document.body.append(link);
    let urlChangedAt = Number.NaN;
    (window as unknown as { navigation: EventTarget }).navigation.addEventListener(
      'currententrychange',
      () => {
        urlChangedAt = performance.now();
      },
      { once: true },
    );
    const scored = new Promise<number>((resolve, reject) => {
      const observer = new MutationObserver(() => {
        const badge = document.querySelector('leadlens-badge');
        if (badge && badge !== previous && badge.getAttribute('data-leadlens-state') !== 'loading') {
          observer.disconnect();
          resolve(performance.now());
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-leadlens-state'] });
      setTimeout(() => reject(new Error(`no badge for ${target}`)), 15_000);
    });
    const clickedAt = performance.now();
    link.click();
    const badgeAt = await scored;
    link.remove();
    return { fromUrlChange: badgeAt - urlChangedAt, fromClick: badgeAt - clickedAt };
  }, path);
}

function summarise(timings: Timing[]) {
  const fromUrl = timings.map((t) => t.fromUrlChange);
  const fromClick = timings.map((t) => t.fromClick);
  return {
    n: timings.length,
    p50: percentile(fromUrl, 50),
    p95: percentile(fromUrl, 95),
    clickP50: percentile(fromClick, 50),
    clickP95: percentile(fromClick, 95),
  };
}

type DemoLead = Harness['crm']['leads'][number];

/** A demo CRM's record page of a lead: its address, and the path a client-side navigation takes to it. */
interface CrmRecordPages {
  name: string;
  kind: CrmKind;
  idOf(lead: DemoLead): string;
  url(lead: DemoLead): string;
  pathOf(lead: DemoLead): string;
}

const crms: CrmRecordPages[] = [
  {
    name: 'Salesforce',
    kind: 'salesforce',
    idOf: (lead: DemoLead) => lead.salesforceId,
    url: (lead: DemoLead) => salesforceLeadUrl(lead.salesforceId),
    pathOf: (lead: DemoLead) => `/lightning/r/Lead/${lead.salesforceId}/view`,
  },
  {
    name: 'HubSpot',
    kind: 'hubspot',
    idOf: (lead: DemoLead) => lead.hubspotId,
    url: (lead: DemoLead) => hubspotContactUrl(lead.hubspotId),
    pathOf: (lead: DemoLead) => `/contacts/${HUBSPOT_PORTAL}/record/0-1/${lead.hubspotId}`,
  },
];

/**
 * What a request to a CRM's API is for: the list of fields (Salesforce's Lead describe,
 * HubSpot's contact properties), a read of records, or something else.
 */
type ApiRequestKind = 'fieldList' | 'recordRead' | 'other';

interface ApiRequest {
  crm: CrmKind;
  kind: ApiRequestKind;
  /** The records a read asks for, as the request spells their ids. */
  recordIds: string[];
  /** Method and path (with the object a query reads), to say what an "other" request was. */
  label: string;
}

const RECORD_ID = '[0-9A-Za-z]{15,18}';

/** The browser's request as an API request of a demo CRM, or null when it is not one. */
function apiRequestOf(request: Request): ApiRequest | null {
  const url = new URL(request.url());
  const crm = url.hostname === SALESFORCE_API ? 'salesforce' : url.hostname === HUBSPOT_API ? 'hubspot' : null;
  if (!crm) return null;
  const label = `${request.method()} ${url.pathname.replace(new RegExp(`/${RECORD_ID}$`), '/{id}')}`;
  if (crm === 'salesforce') {
    if (/\/sobjects\/Lead\/describe\/?$/.test(url.pathname)) return { crm, kind: 'fieldList', recordIds: [], label };
    const byId = new RegExp(`/sobjects/Lead/(${RECORD_ID})$`).exec(url.pathname);
    if (byId) return { crm, kind: 'recordRead', recordIds: [byId[1]], label };
    // A read by Id list (a long field list, or a list page) is a query of Lead naming the Ids.
    const soql = url.searchParams.get('q') ?? '';
    const from = /\bFROM\s+(\w+)/i.exec(soql)?.[1];
    if (from === 'Lead' && /\bId\s+IN\b/i.test(soql)) {
      return { crm, kind: 'recordRead', recordIds: [...soql.matchAll(new RegExp(`'(${RECORD_ID})'`, 'g'))].map((match) => match[1]), label };
    }
    return { crm, kind: 'other', recordIds: [], label: from ? `${label} (${from})` : label };
  }
  if (/\/properties\/(\w+\/)?contacts\/?$/.test(url.pathname)) return { crm, kind: 'fieldList', recordIds: [], label };
  if (/\/contacts\/batch\/read$/.test(url.pathname)) {
    const inputs = (JSON.parse(request.postData() ?? '{}') as { inputs?: { id: string }[] }).inputs ?? [];
    return { crm, kind: 'recordRead', recordIds: inputs.map((input) => input.id), label };
  }
  return { crm, kind: 'other', recordIds: [], label };
}

/**
 * The extension's service worker as DevTools' ServiceWorker domain reports it: its running status,
 * and how often it has started. Playwright's Worker cannot tell: its target outlives a stop, so a
 * worker started again is the same Worker to it.
 */
async function watchServiceWorker(cdp: CDPSession, extensionId: string): Promise<{ status: string; starts: number }> {
  const worker = { status: 'unknown', starts: 0 };
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const version of versions) {
      if (!version.scriptURL.startsWith(`chrome-extension://${extensionId}/`)) continue;
      if (version.runningStatus === 'running' && worker.status !== 'running') worker.starts++;
      worker.status = version.runningStatus;
    }
  });
  await cdp.send('ServiceWorker.enable');
  return worker;
}

/** Resolves once `done()` holds, or throws `failure` after `ms`. */
async function waitUntil(done: () => boolean, failure: () => string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const harness = await startHarness();
const leads = harness.crm.leads.slice(10, 10 + navigations);
const latencyRows: string[] = [];
for (const crm of crms) {
  const page = await harness.context.newPage();
  await page.goto(crm.url(harness.crm.leads[0]));
  await page.locator('leadlens-badge[data-leadlens-state="scored"]').waitFor({ timeout: 20_000 });
  const uncached: Timing[] = [];
  for (const lead of leads) uncached.push(await timeNavigation(page, crm.pathOf(lead)));
  const cached: Timing[] = [];
  for (const lead of leads) cached.push(await timeNavigation(page, crm.pathOf(lead)));
  for (const [kind, timings, goal] of [
    ['uncached', uncached, 250],
    ['cached', cached, 100],
  ] as const) {
    const s = summarise(timings);
    latencyRows.push(
      `| ${crm.name} | ${kind} | ${s.n} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ≤ ${goal} | ${s.p95 <= goal ? 'met' : 'not met'} | ${s.clickP50.toFixed(1)} / ${s.clickP95.toFixed(1)} |`,
    );
  }
  await page.close();
}

// Engine throughput: extension (WASM, offscreen document) vs onnxruntime-node, same rows, in rounds:
// in each, the worker and the document time each count back to back, then Node does (the browser
// idle), so that the hop and the ratios are told from timings taken under the same load.
const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.error);
const { features, modelId: bundledModelId } = parsed.manifest;
const session = await ortNode.InferenceSession.create('models/model.onnx', { intraOpNumThreads: 1, interOpNumThreads: 1 });
const syntheticRowsOf = ROW_COUNTS.map((count) => syntheticRows(features, count, SEED));
/** onnxruntime-node on `rows` in the parts the extension's engine runs (at most LARGEST_SCORING_BATCH rows each): the same runs on both sides. */
const nativeThroughput = (rows: Float32Array, count: number) =>
  measureThroughput(async () => {
    for (let start = 0; start < count; start += LARGEST_SCORING_BATCH) {
      const part = rows.subarray(start * features.length, Math.min(count, start + LARGEST_SCORING_BATCH) * features.length);
      await session.run({ features: new ortNode.Tensor('float32', part, [part.length / features.length, features.length]) });
    }
  }, count);
const extensionPage = await harness.context.newPage();
await extensionPage.goto(`chrome-extension://${harness.extensionId}/options.html`);
/** Per row count, its timings in each round. */
const engineRoundsOf: EngineRound[][] = ROW_COUNTS.map(() => []);
for (let round = 0; round < engineRounds; round++) {
  const web = (await extensionPage.evaluate(
    (payload) => (globalThis as unknown as { chrome: typeof Browser }).chrome.runtime.sendMessage({ target: 'background', type: 'engineBenchmark', payload }),
    { rowCounts: ROW_COUNTS, seed: SEED },
  )) as { ok: true; modelId: string; inWorker: Throughput[]; results: Throughput[] } | { ok: false; error: string };
  if (!web.ok) throw new Error(`engine benchmark failed in the browser: ${web.error}`);
  assertBundledModel(web.modelId, bundledModelId);
  for (const [i, count] of ROW_COUNTS.entries()) {
    engineRoundsOf[i].push({ inWorker: web.inWorker[i], throughDocument: web.results[i], native: await nativeThroughput(syntheticRowsOf[i], count) });
  }
}
await harness.close();
await session.release();

const throughputRows: string[] = [];
for (const [i, count] of ROW_COUNTS.entries()) {
  const rounds = engineRoundsOf[i];
  const [wasm, document, native] = (['inWorker', 'throughDocument', 'native'] as const).map((side) => acrossRounds(rounds.map((timed) => timed[side])));
  const ratio = ratioToNative(rounds, 'inWorker');
  const rowsPerSecond = (throughput: Throughput) => Math.round(throughput.rowsPerSecond).toLocaleString('en-US');
  throughputRows.push(
    `| ${count.toLocaleString('en-US')} | ${rowsPerSecond(wasm)} | ${rowsPerSecond(native)} | ${ratio.toFixed(2)}× | ${ratio >= 0.9 ? 'met' : 'not met'} | ${rowsPerSecond(document)} | ${ratioToNative(rounds, 'throughDocument').toFixed(2)}× | ${hopPerCall(rounds)} |`,
  );
}

// Connected: badges read the lead through the CRM's API, with the worker stopped before each
// navigation (a rep opening a lead after a pause) and left running. A browser of its own, so
// that the rows above are measured as before.
const connected = await startHarness({ grantApiHosts: true });
const apiRequests: ApiRequest[] = [];
const apiFailures: string[] = [];
connected.context.on('request', (request) => {
  const api = apiRequestOf(request);
  if (api) apiRequests.push(api);
});
connected.context.on('response', (response) => {
  const api = response.status() >= 400 ? apiRequestOf(response.request()) : null;
  if (api) apiFailures.push(`${response.status()} ${api.label}`);
});
connected.context.on('requestfailed', (request) => {
  const api = apiRequestOf(request);
  if (api) apiFailures.push(`${request.failure()?.errorText} ${api.label}`);
});
// Closed: nothing but the CRM pages talks to the worker while it is measured.
await (await connectDemoCrms(connected.context, connected.extensionId)).close();
// A page of the extension's origin without scripts (as bench:upgrade stops the worker from).
const workerControl = await connected.context.newPage();
await workerControl.goto(`chrome-extension://${connected.extensionId}/manifest.json`);
const cdp = await connected.context.newCDPSession(workerControl);
const serviceWorker = await watchServiceWorker(cdp, connected.extensionId);

const readLeads = {
  stopped: connected.crm.leads.slice(10, 10 + coldNavigations),
  running: connected.crm.leads.slice(10 + coldNavigations, 10 + 2 * coldNavigations),
};
const connectedRows: string[] = [];
const otherRequests = new Map<string, number>();
for (const crm of crms) {
  const page = await connected.context.newPage();
  // Scored through the API once, by the worker that read the connection: the field list is read then.
  await page.goto(crm.url(connected.crm.leads[0]));
  await page.locator('leadlens-badge[data-leadlens-state="scored"]').waitFor({ timeout: 20_000 });
  for (const worker of ['stopped', 'running'] as const) {
    const phaseLeads = readLeads[worker];
    const firstRequest = apiRequests.length;
    const firstFailure = apiFailures.length;
    const servedBefore = { ...connected.crm.behaviour.requests };
    const startsBefore = serviceWorker.starts;
    const timings: Timing[] = [];
    for (const lead of phaseLeads) {
      if (worker === 'stopped') {
        // As Chrome stops it after ~30 s idle: the badge then wakes a new worker, holding only what storage kept.
        await cdp.send('ServiceWorker.stopAllWorkers');
        await waitUntil(() => serviceWorker.status === 'stopped', () => `The service worker did not stop (${serviceWorker.status}): a "stopped" figure would be a running worker's`);
      }
      const started = serviceWorker.starts;
      timings.push(await timeNavigation(page, crm.pathOf(lead)));
      const expected = worker === 'stopped' ? 1 : 0;
      if (serviceWorker.starts - started !== expected) {
        throw new Error(`${crm.name}: the service worker started ${serviceWorker.starts - started} times during a navigation with it ${worker}, not ${expected}`);
      }
    }
    // Every API request the demo CRM answered was seen leaving the browser, by kind.
    const served = () => Object.values(connected.crm.behaviour.requests).reduce((a, b) => a + b, 0) - Object.values(servedBefore).reduce((a, b) => a + b, 0);
    await waitUntil(
      () => apiRequests.length - firstRequest === served(),
      () => `${crm.name}: the demo CRM answered ${served()} API requests, the browser was seen making ${apiRequests.length - firstRequest}`,
    );
    const requests = apiRequests.slice(firstRequest);
    const failures = apiFailures.slice(firstFailure);
    if (failures.length > 0) throw new Error(`${crm.name}: API requests failed, badges may have scored the page's fields alone: ${failures.join('; ')}`);
    const read = new Set(requests.filter((r) => r.crm === crm.kind && r.kind === 'recordRead').flatMap((r) => r.recordIds.map((id) => recordIdentity(crm.kind, id))));
    const unread = phaseLeads.filter((lead) => !read.has(recordIdentity(crm.kind, crm.idOf(lead))));
    if (unread.length > 0) throw new Error(`${crm.name}: ${unread.length} of ${phaseLeads.length} badges were scored without reading their lead through the API`);
    const perNavigation = (kind: ApiRequestKind) => (requests.filter((r) => r.kind === kind).length / phaseLeads.length).toFixed(2);
    for (const other of requests.filter((r) => r.kind === 'other')) {
      const where = `${other.label} (${crm.name} pages, worker ${worker})`;
      otherRequests.set(where, (otherRequests.get(where) ?? 0) + 1);
    }
    const s = summarise(timings);
    connectedRows.push(
      `| ${crm.name} | ${worker === 'stopped' ? 'stopped before each' : 'left running'} | ${s.n} | ${serviceWorker.starts - startsBefore} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.clickP50.toFixed(1)} / ${s.clickP95.toFixed(1)} | ${perNavigation('fieldList')} | ${perNavigation('recordRead')} | ${perNavigation('other')} |`,
    );
  }
  await page.close();
}
await connected.close();

const body = [
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\` (headless ${execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).trim()}, Node ${process.version}, ${os.cpus().length} shared cores; figures vary run to run).`,
  '',
  `### Navigation → badge latency (ms), ${navigations} client-side navigations per row`,
  '',
  'Timed in the page from the URL change (the CRM\'s `pushState`) to the scored badge; the last column is from the click, including the demo CRM fetching and rendering the record.',
  '',
  '| CRM | scores | navigations | p50 | p95 | goal (p95) | | from click p50 / p95 |',
  '|---|---|---|---|---|---|---|---|',
  ...latencyRows,
  '',
  `### Badges read through the connected CRM's API, ${coldNavigations} navigations per row`,
  '',
  "Both demo CRMs connected (a browser of their own), each navigation to a lead not scored before, so its badge reads the lead through the CRM's API. *Stopped before each*: the service worker is stopped (DevTools' `ServiceWorker.stopAllWorkers`) before each navigation, as Chrome stops it after ~30 s idle, so a new worker answers the badge: a rep opening a lead after a pause (the new worker also waits once for the bench's DevTools client as it starts, a round trip of a few ms). *Left running*: one worker throughout. Latency (ms) is timed as above; API requests are those the browser made to the CRM's API hosts during the row's navigations, checked against the demo CRM's own count; the field list is Salesforce's Lead describe, HubSpot's contact property list. The demo CRM answers on this machine: a real CRM adds its network time to each request, so the requests per navigation are the figure that carries over. Navigations follow one another at once, and Salesforce's client allows itself 10 requests a second: about one left-running Salesforce navigation in ten waits for it, up to half a second, which shows in that row's p95.",
  '',
  '| CRM | service worker | navigations | workers started | p50 | p95 | from click p50 / p95 | field lists per navigation | record reads per navigation | other API requests per navigation |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...connectedRows,
  ...(otherRequests.size > 0 ? ['', `Other API requests: ${[...otherRequests].map(([label, count]) => `${label} ×${count}`).join('; ')}.`] : []),
  '',
  `### Engine throughput (rows/s), model \`${bundledModelId}\``,
  '',
  `The extension's engine (onnxruntime-web, WASM, 1 thread, including its run queue), timed in the worker it runs in, beside onnxruntime-node (1 thread) on the same model and the same synthetic rows, in the same runs: the engine runs a model on at most ${LARGEST_SCORING_BATCH.toLocaleString('en-US')} rows at a time, at the numbers of rows its check ran (RUN_SIZES), so 100,000 rows are ${(100_000 / LARGEST_SCORING_BATCH).toLocaleString('en-US')} runs on both sides; median of repeated runs after a warm-up. ${engineRounds} rounds, each timing every number of rows in the worker, as the document runs it, as the document runs it again and in the worker again, back to back (each side the mean of its two), then in Node (the browser idle); rows/s are the medians over the rounds, ratios the medians of the rounds' ratios (each of timings taken under the same load). Goal: WASM ≥ 0.9× native. The offscreen document runs the engine in that worker under a deadline per run, which stops a stalled run by terminating the worker (lib/ml/engine-in-worker.ts): the last columns are the engine as the document runs it, each run sent to the worker and its outputs back, and what that hop adds to a call of that many rows (one message each way): the median of the rounds' differences (document − worker) and their range, when the document was slower in every round; otherwise "within noise", the rounds' differences going both ways, with the largest of them.`,
  '',
  '| rows | WASM (engine, in its worker) | native (node) | ratio | goal ≥ 0.9× | WASM (as the offscreen document runs it) | its ratio | hop per call (ms) |',
  '|---|---|---|---|---|---|---|---|',
  ...throughputRows,
].join('\n');
writeBenchmarkSection('engine', body);
console.log(body);
