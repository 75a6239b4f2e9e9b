/**
 * `npm run bench`: what a rep waits for, and how fast the engine is, in real Chromium.
 *
 * - Navigation → badge latency on both demo CRMs: client-side navigations to leads never
 *   scored (uncached) and to leads scored before (cached), timed in the page from the URL
 *   change (the CRM's pushState) to the scored badge, and from the click.
 * - Engine throughput (rows/s for 1, 1k and 100k rows) in the extension's offscreen
 *   document (onnxruntime-web, WASM, one thread) beside onnxruntime-node (one thread) on
 *   the same model and rows, as a ratio measured in the same run.
 *
 * Writes its section of BENCHMARKS.md. Options: --navigations N (default 60).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { Browser } from 'wxt/browser';
import * as ortNode from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import { parseManifest } from '../../lib/ml/manifest';
import { syntheticRows } from '../../lib/ml/synthetic-rows';
import { measureThroughput, type Throughput } from '../../lib/ml/throughput';
import { HUBSPOT_PORTAL, chromiumPath, hubspotContactUrl, salesforceLeadUrl, startHarness } from '../e2e/harness';
import { percentile, writeBenchmarkSection } from './report';

const navigations = Number(argument('--navigations') ?? 60);
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

const harness = await startHarness();
const leads = harness.crm.leads.slice(10, 10 + navigations);
const crms = [
  {
    name: 'Salesforce',
    first: salesforceLeadUrl(harness.crm.leads[0].salesforceId),
    pathOf: (lead: (typeof leads)[number]) => `/lightning/r/Lead/${lead.salesforceId}/view`,
  },
  {
    name: 'HubSpot',
    first: hubspotContactUrl(harness.crm.leads[0].hubspotId),
    pathOf: (lead: (typeof leads)[number]) => `/contacts/${HUBSPOT_PORTAL}/record/0-1/${lead.hubspotId}`,
  },
];

const latencyRows: string[] = [];
for (const crm of crms) {
  const page = await harness.context.newPage();
  await page.goto(crm.first);
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

// Engine throughput: extension (WASM, offscreen document) vs onnxruntime-node, same rows.
const extensionPage = await harness.context.newPage();
await extensionPage.goto(`chrome-extension://${harness.extensionId}/options.html`);
const web = (await extensionPage.evaluate(
  (payload) => (globalThis as unknown as { chrome: typeof Browser }).chrome.runtime.sendMessage({ target: 'background', type: 'engineBenchmark', payload }),
  { rowCounts: ROW_COUNTS, seed: SEED },
)) as { ok: true; modelId: string; results: Throughput[] } | { ok: false; error: string };
if (!web.ok) throw new Error(`engine benchmark failed in the browser: ${web.error}`);
await harness.close();

const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.error);
const { features } = parsed.manifest;
const session = await ortNode.InferenceSession.create('models/model.onnx', { intraOpNumThreads: 1, interOpNumThreads: 1 });
const throughputRows: string[] = [];
for (const [i, count] of ROW_COUNTS.entries()) {
  const rows = syntheticRows(features, count, SEED);
  const native = await measureThroughput(
    () => session.run({ features: new ortNode.Tensor('float32', rows, [count, features.length]) }),
    count,
  );
  const wasm = web.results[i];
  const ratio = wasm.rowsPerSecond / native.rowsPerSecond;
  throughputRows.push(
    `| ${count.toLocaleString('en-US')} | ${Math.round(wasm.rowsPerSecond).toLocaleString('en-US')} | ${Math.round(native.rowsPerSecond).toLocaleString('en-US')} | ${ratio.toFixed(2)}× | ${ratio >= 0.9 ? 'met' : 'not met'} |`,
  );
}
await session.release();

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
  `### Engine throughput (rows/s), model \`${web.modelId}\``,
  '',
  'The extension\'s offscreen engine (onnxruntime-web, WASM, 1 thread, including the run queue) beside onnxruntime-node (1 thread) on the same model and the same synthetic rows; median of repeated runs after a warm-up. Goal: WASM ≥ 0.9× native.',
  '',
  '| rows per run | WASM (extension) | native (node) | ratio | goal ≥ 0.9× |',
  '|---|---|---|---|---|',
  ...throughputRows,
].join('\n');
writeBenchmarkSection('engine', body);
console.log(body);
