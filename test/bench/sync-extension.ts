/**
 * `bench:sync --engine extension` (the default): the built extension in headless Chromium,
 * connected to the demo CRM through the options page as an admin does, syncing both CRMs in
 * its own service worker into the browser's IndexedDB, while the worker's heap is sampled.
 */
import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { DEFAULT_TIMEOUT_SECONDS } from '../../lib/connections/schema';
import type { CrmKind } from '../../lib/crm/types';
import { syncProtocol, type SyncSummary } from '../../lib/messaging/protocol-sync';
import { CRMS, connectDemoCrms, startSyncs, storedLeadIds } from '../e2e/connect';
import { launchExtension } from '../e2e/harness';
import { sampleExtensionMemory, type MemorySampler } from './extension-memory';
import { requestTiming } from './netlog-timing';
import type { EngineRun } from './sync-run';

const BENCH_TOKEN = 'pat-na1-bench-0123456789';
/**
 * syncStatus counts each CRM's stored leads (an index scan): the options page already asks
 * every second while a sync runs, so the bench asks rarely, not to slow what it measures.
 */
const POLL_MS = 5_000;
const PROGRESS_EVERY_MS = 30_000;
const GIVE_UP_MS = 60 * 60_000;

/** The background's `syncStatus`, asked from an extension page as the options page asks it. */
async function syncStatus(page: Page): Promise<SyncSummary[]> {
  const raw = await page.evaluate(() => {
    const { chrome } = globalThis as unknown as { chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } } };
    return chrome.runtime.sendMessage({ target: 'background', type: 'syncStatus', payload: {} });
  });
  const reply = syncProtocol.syncStatus.output.parse(raw);
  if (!reply.ok) throw new Error(`syncStatus: ${reply.error}`);
  return reply.syncs;
}

/** Polls until no CRM is idle (not started yet) or running; returns the final summaries. */
async function waitForSyncs(page: Page, startedAt: number, memory: MemorySampler): Promise<SyncSummary[]> {
  let lastProgress = startedAt;
  for (;;) {
    const syncs = await syncStatus(page);
    if (syncs.every((s) => s.status !== 'idle' && s.status !== 'running')) return syncs;
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      const progress = syncs.map((s) => `${s.crm} ${s.stored} stored (${s.status})`).join(', ');
      console.error(`[bench:sync] ${Math.round((lastProgress - startedAt) / 1000)} s: ${progress}; worker heap peak ${Math.round(memory.peaks().serviceWorkerHeapMb)} MB`);
    }
    if (Date.now() - startedAt > GIVE_UP_MS) throw new Error(`Sync still running after ${GIVE_UP_MS / 60_000} min`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Connects, starts both syncs and waits for them, sampling memory meanwhile. */
async function syncBothCrms(context: BrowserContext, extensionId: string, profile: string): Promise<Omit<EngineRun, 'timing'>> {
  const options = await connectDemoCrms(context, extensionId, BENCH_TOKEN);
  const memory = await sampleExtensionMemory(context, extensionId, profile);
  const startedAt = Date.now();
  await startSyncs(options);
  const syncs = await waitForSyncs(options, startedAt, memory);
  const peaks = await memory.stop();
  const crmSeconds = (crm: CrmKind) => syncs.find((s) => s.crm === crm)?.lastRun?.seconds ?? null;
  // Both jobs start together: the later one's own time, not the poll that noticed it (up to POLL_MS late).
  const jobSeconds = CRMS.map(crmSeconds);
  const seconds = jobSeconds.every((s) => s !== null) ? Math.max(...(jobSeconds as number[])) : (Date.now() - startedAt) / 1000;
  return {
    mode: 'extension',
    heapSource: 'service worker (CDP Runtime.getHeapUsage usedSize, every 250 ms)',
    peakHeapMb: peaks.serviceWorkerHeapMb,
    memory: {
      offscreen_heap_mb: peaks.offscreenHeapMb,
      browser_process_rss_mb: peaks.browserProcessRssMb,
      chromium_tree_rss_mb: peaks.chromiumTreeRssMb,
    },
    seconds,
    crmSeconds: { salesforce: crmSeconds('salesforce'), hubspot: crmSeconds('hubspot') },
    ids: await storedLeadIds(options),
    errors: syncs.filter((s) => s.status !== 'done').map((s) => `${s.crm}: ${s.status}${s.error ? `: ${s.error}` : ''}`),
    // The options page sends no timeout, so the connection gets the product's default.
    requestTimeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
  };
}

const HUBSPOT_SEARCH_PATH = '/crm/v3/objects/contacts/search';

export async function syncInExtension(crmPort: number): Promise<EngineRun> {
  const { context, extensionId, profile, netLog } = await launchExtension(crmPort, { grantApiHosts: true });
  try {
    let run: Omit<EngineRun, 'timing'>;
    try {
      run = await syncBothCrms(context, extensionId, profile);
    } finally {
      await context.close();
    }
    // The net log is complete once the browser has closed.
    const search = requestTiming(netLog, HUBSPOT_SEARCH_PATH);
    return {
      ...run,
      timing: {
        hubspot_search_requests: search.requests,
        hubspot_search_in_flight_s: search.inFlightSeconds,
        // Serial: each page is asked for after the last one is stored, so the rest is the worker's (and its limiters') time.
        hubspot_between_searches_s: search.spanSeconds - search.inFlightSeconds,
      },
    };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
