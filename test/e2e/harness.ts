/**
 * Real headless Chromium with the built extension, pointed at the demo CRM through
 * `--host-resolver-rules`, so the content script runs on its real match patterns. Every
 * network request the browser makes (pages, service worker, offscreen document) is written
 * to a net log, which `Harness.close()` reads back (`hostsInNetLog`).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { startDemoCrm } from '../demo-crm/server';

export const EXTENSION_DIR = resolve('.output/chrome-mv3');
export const SALESFORCE_UI = 'leadlens-demo.lightning.force.com';
export const SALESFORCE_API = 'leadlens-demo.my.salesforce.com';
export const HUBSPOT_UI = 'app.hubspot.com';
export const HUBSPOT_API = 'api.hubapi.com';
export const DEMO_HOSTS = [SALESFORCE_UI, SALESFORCE_API, HUBSPOT_UI, HUBSPOT_API];
export const HUBSPOT_PORTAL = '4242424';

export interface RequestedHosts {
  /** Requests that pages or the extension made (they have an initiating origin). */
  byPagesAndExtension: Set<string>;
  /** Chromium's own background requests (no initiating origin), for the record. */
  byBrowser: Set<string>;
}

export interface Harness {
  context: BrowserContext;
  crm: Awaited<ReturnType<typeof startDemoCrm>>;
  serviceWorker: Worker;
  extensionId: string;
  /** Closes the browser and the demo CRM; returns the hosts requested, from the net log. */
  close(): Promise<RequestedHosts>;
}

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`Chromium not found at ${path}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return path;
}

export interface HarnessOptions {
  headless?: boolean;
  /**
   * Start with the demo CRM's API hosts already granted, as the user's "Allow" on connecting
   * leaves them (Playwright cannot answer Chrome's site-access prompt): a copy of the built
   * extension whose manifest lists them.
   */
  grantApiHosts?: boolean;
  /** Generated leads the demo CRM serves (before its special ones); the demo's default when omitted. */
  count?: number;
}

/** A copy of the built extension with the demo API hosts granted. */
function extensionWithApiHosts(profile: string): string {
  const extension = join(profile, 'leadlens-extension');
  cpSync(EXTENSION_DIR, extension, { recursive: true });
  const manifestPath = join(extension, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.host_permissions = [...(manifest.host_permissions ?? []), `https://${SALESFORCE_API}/*`, `https://${HUBSPOT_API}/*`];
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return extension;
}

export interface ExtensionBrowser {
  context: BrowserContext;
  serviceWorker: Worker;
  extensionId: string;
  /** User data, net log and extension copy: remove it once the context is closed. */
  profile: string;
  netLog: string;
}

function assertExtensionBuilt(): void {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) throw new Error('Build the extension first: npm run build');
}

/**
 * Chromium with the built extension, every demo host resolved to the demo CRM listening on
 * 127.0.0.1:`crmPort` (in this process or its own, as the sync bench runs it).
 */
export async function launchExtension(crmPort: number, options: HarnessOptions = {}): Promise<ExtensionBrowser> {
  assertExtensionBuilt();
  const profile = mkdtempSync(join(tmpdir(), 'leadlens-profile-'));
  const extension = options.grantApiHosts ? extensionWithApiHosts(profile) : EXTENSION_DIR;
  const netLog = join(profile, 'netlog.json');
  const target = `127.0.0.1:${crmPort}`;
  const hostRules = [
    `MAP *.lightning.force.com ${target}`,
    `MAP *.my.salesforce.com ${target}`,
    `MAP ${HUBSPOT_UI} ${target}`,
    `MAP ${HUBSPOT_API} ${target}`,
    'MAP * ~NOTFOUND',
    'EXCLUDE localhost',
  ].join(', ');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: options.headless ?? true,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 860 },
    // The demo CRM shows times in UTC: the browser reads them as its user's zone, so the user is in UTC on every machine.
    env: { ...process.env, TZ: 'UTC' },
    args: [
      `--disable-extensions-except=${extension}`,
      `--load-extension=${extension}`,
      `--host-resolver-rules=${hostRules}`,
      `--log-net-log=${netLog}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // The service worker's own API calls are not covered by `ignoreHTTPSErrors` (pages only).
      ...(options.grantApiHosts ? ['--ignore-certificate-errors'] : []),
    ],
  });
  const serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(serviceWorker.url()).host;
  return { context, serviceWorker, extensionId, profile, netLog };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  assertExtensionBuilt();
  const crm = await startDemoCrm({ port: 0, count: options.count });
  const { context, serviceWorker, extensionId, profile, netLog } = await launchExtension(crm.port, options);
  return {
    context,
    crm,
    serviceWorker,
    extensionId,
    async close() {
      await context.close();
      await crm.close();
      const hosts = hostsInNetLog(netLog);
      rmSync(profile, { recursive: true, force: true });
      return hosts;
    },
  };
}

/**
 * Hosts of every URL request in a Chromium net log (`URL_REQUEST_START_JOB` events). The
 * browser's own requests (update checks, account look-ups) have the initiator
 * "not an origin"; everything a page, a content script or the extension asks for has one.
 */
function hostsInNetLog(path: string): RequestedHosts {
  const hosts: RequestedHosts = { byPagesAndExtension: new Set(), byBrowser: new Set() };
  const log = JSON.parse(readFileSync(path, 'utf8')) as {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: { url?: string; initiator?: string } }[];
  };
  const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  for (const event of log.events) {
    const url = event.type === startJob ? event.params?.url : undefined;
    if (!url || !/^(https?|wss?):/.test(url)) continue;
    const ownRequest = event.params?.initiator === 'not an origin';
    (ownRequest ? hosts.byBrowser : hosts.byPagesAndExtension).add(new URL(url).hostname);
  }
  return hosts;
}

export function salesforceLeadUrl(id: string): string {
  return `https://${SALESFORCE_UI}/lightning/r/Lead/${id}/view`;
}

export function hubspotContactUrl(id: string): string {
  return `https://${HUBSPOT_UI}/contacts/${HUBSPOT_PORTAL}/record/0-1/${id}`;
}
