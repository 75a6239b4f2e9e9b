/**
 * The demo CRM: one local HTTPS server that plays Salesforce Lightning, the Salesforce REST
 * API, HubSpot and the HubSpot API, chosen by the `Host` header (see PAGES.md). Tests and
 * the demo point Chromium's host resolver at it; the certificate is self-signed, made at
 * start-up.
 *
 *   npm run demo:serve -- --port 8443 [--host 127.0.0.1] [--count 5000] [--seed 42 (leads and faults)]
 *     [--faults 429=0.2,500=0.1,timeout=0.02,malformed=0.01] [--rate-limits] [--hubspot-empty-properties 0]
 *
 * Each fault is for both CRMs, or for the one its name is prefixed with (`hubspot:429=0.2`).
 * Salesforce answers the 429 fault as it answers its request limit: 403 REQUEST_LIMIT_EXCEEDED,
 * with nothing to wait out, which ends a sync.
 *
 * Visiting `https://<org>.my.salesforce.com/` logs in: it sets the `sid` session cookie on
 * that host and redirects to Lightning, as a real Salesforce login does.
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from 'selfsigned';
import { DEMO_ACCOUNTS } from '../../lib/crm/demo-accounts';
import { DEMO_OWNERS, generateDemoLeads, specialDemoLeads, type DemoLead } from '../../lib/crm/demo-data';
import { salesforceLightningOrigin } from '../../lib/crm/salesforce';
import { STALL_MS, defaultBehaviour, misbehavingApi, parseFaults, seededFaultRolls, type DemoBehaviour, type FaultRatesByCrm, type HubSpotLimits } from './behaviour';
import { json, text, type DemoHandler, type DemoRequest, type DemoResponse } from './http';
import { HUBSPOT_API_DEFAULTS, hubspotApi, type HubSpotApiOptions } from './hubspot-api';
import { HUBSPOT_PORTAL_ID, hubspotSite } from './hubspot-pages';
import { salesforceApi } from './salesforce-api';
import { salesforceOAuth } from './salesforce-oauth';
import { salesforceSite } from './salesforce-pages';
import { createDemoStore, type DemoStore } from './store';
import { handleUi } from './ui';

export const DEMO_HOSTS = {
  salesforceUi: new URL(salesforceLightningOrigin(DEMO_ACCOUNTS.salesforce)).hostname,
  salesforceApi: DEMO_ACCOUNTS.salesforce,
  hubspotUi: 'app.hubspot.com',
  hubspotApi: 'api.hubapi.com',
} as const;

const MAX_BODY_BYTES = 1_000_000;

export interface DemoCrmOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  count?: number;
  /** Seeds the generated leads and the fault rolls: the same run, the same faults. */
  seed?: number;
  faults?: FaultRatesByCrm;
  /** HubSpot's rate limits, enforced per token (off by default). */
  hubspotLimits?: HubSpotLimits;
  /** Properties the HubSpot portal has beyond the demo's, empty on every contact (`HubSpotApiOptions.emptyProperties`; none by default). */
  hubspotEmptyProperties?: number;
}

/** HubSpot's documented limits for a private app on a free or starter portal. */
export const HUBSPOT_DEFAULT_LIMITS: HubSpotLimits = { per10Seconds: 100, searchesPerSecond: 4 };

export interface DemoCrm {
  port: number;
  close(): Promise<void>;
  /** Generated leads followed by the special ones (PAGES.md), less those deleted. */
  readonly leads: readonly DemoLead[];
  /** Serve these leads from now on (the APIs' query cursors are dropped). */
  replaceLeads(leads: DemoLead[]): void;
  /** Deletes the lead from both CRMs, at `at` (epoch ms; now when omitted): the APIs list it as deleted. */
  deleteLead(lead: DemoLead, at?: number): void;
  /** Marks the lead changed in one CRM at `at` (now when omitted): the next sync reads it. */
  markModified(lead: DemoLead, crm: 'salesforce' | 'hubspot', at?: number): void;
  /** Faults, limits, drift, odd records and revoked tokens; change them while the server runs. */
  behaviour: DemoBehaviour;
}

/** Every site of the demo CRM behind one function, routed by host; no sockets involved. */
export function createDemoCrmHandler(leads: readonly DemoLead[], behaviour: DemoBehaviour = defaultBehaviour()): DemoHandler {
  return createDemoCrm(leads, behaviour).handle;
}

/** The demo CRM's handler and its store, for tests that change its records (delete them) while it serves. */
export function createDemoCrm(leads: readonly DemoLead[], behaviour: DemoBehaviour = defaultBehaviour(), hubspotOptions: HubSpotApiOptions = HUBSPOT_API_DEFAULTS): { handle: DemoHandler; store: DemoStore } {
  const store = createDemoStore(leads, DEMO_OWNERS);
  const salesforceUi = salesforceSite(store, () => behaviour.displayLocale);
  const hubspotUi = hubspotSite(store, () => behaviour.displayLocale);
  const salesforceRest = misbehavingApi('salesforce', salesforceApi(store, () => behaviour.now()), behaviour);
  const salesforceAuthorization = salesforceOAuth();
  const hubspotRest = misbehavingApi('hubspot', hubspotApi(store, (token) => behaviour.tokenPortals.get(token) ?? HUBSPOT_PORTAL_ID, () => behaviour.now(), hubspotOptions), behaviour);
  const handle: DemoHandler = (request) => {
    const { host } = request;
    if (host.endsWith('.lightning.force.com')) return handleUi(salesforceUi, request);
    if (host.endsWith('.my.salesforce.com')) {
      if (request.url.pathname === '/') return salesforceLogin(request);
      return request.url.pathname.startsWith('/services/oauth2/') ? salesforceAuthorization(request) : salesforceRest(request);
    }
    if (host === DEMO_HOSTS.hubspotUi) return handleUi(hubspotUi, request);
    if (host === DEMO_HOSTS.hubspotApi) return hubspotRest(request);
    return text(421, `The demo CRM does not serve ${host || 'requests without a Host header'}.`);
  };
  return { handle, store };
}

/**
 * The login redirect: a session id shaped like Salesforce's (`<org id>!<token>`) in a
 * host-only, HttpOnly `sid` cookie on the API host, then on to Lightning.
 */
function salesforceLogin(request: DemoRequest): DemoResponse {
  const orgName = request.host.replace(/\.my\.salesforce\.com$/, '');
  const sid = `00D5g000004Demo!AR${randomBytes(24).toString('base64url')}`;
  return {
    status: 302,
    headers: {
      'set-cookie': `sid=${sid}; Path=/; Secure; HttpOnly; SameSite=None`,
      location: `https://${orgName}.lightning.force.com/lightning/page/home`,
    },
    body: '',
  };
}

export async function startDemoCrm({ port = 0, host = '127.0.0.1', count = 5000, seed = 42, faults, hubspotLimits, hubspotEmptyProperties = 0 }: DemoCrmOptions = {}): Promise<DemoCrm> {
  const now = new Date();
  const behaviour = { ...defaultBehaviour(), ...(faults ? { faults } : {}), hubspotLimits: hubspotLimits ?? null, random: seededFaultRolls(seed) };
  const hubspotOptions = { ...HUBSPOT_API_DEFAULTS, emptyProperties: hubspotEmptyProperties };
  let crm = createDemoCrm([...generateDemoLeads({ count, seed, now }), ...specialDemoLeads(now)], behaviour, hubspotOptions);
  const handle: DemoHandler = (request) => crm.handle(request);
  const { private: key, cert } = await selfSignedCertificate();
  const server = createServer({ key, cert }, (req, res) => void serve(handle, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => closeServer(server),
    get leads() {
      return crm.store.leads;
    },
    replaceLeads(next) {
      crm = createDemoCrm(next, behaviour, hubspotOptions);
    },
    deleteLead(lead, at = behaviour.now()) {
      crm.store.deleteLead(lead, at);
    },
    markModified(lead, source, at = behaviour.now()) {
      crm.store.markModified(lead, source, at);
    },
    behaviour,
  };
}

function selfSignedCertificate() {
  const dns = [
    ...Object.values(DEMO_HOSTS),
    '*.lightning.force.com',
    '*.my.salesforce.com',
    'localhost',
  ].map((value) => ({ type: 2 as const, value }));
  return generate([{ name: 'commonName', value: 'LeadLens demo CRM' }], {
    keyType: 'ec', // fast to make, unlike a 2048-bit RSA key
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...dns, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
}

async function serve(handle: DemoHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: DemoResponse;
  try {
    const body = await readBody(req);
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));
    response = body === null
      ? text(413, 'Request body too large')
      : handle({ method: req.method ?? 'GET', host, url: new URL(req.url ?? '/', `https://${host || 'localhost'}`), headers, body });
  } catch (error) {
    response = json(500, { error: error instanceof Error ? error.message : 'internal error' });
  }
  if (response.stall) {
    setTimeout(() => res.destroy(), STALL_MS).unref();
    return;
  }
  res.writeHead(response.status, response.headers);
  res.end(req.method === 'HEAD' ? undefined : response.body);
}

/** The body as text, or null when it is larger than MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections(); // keep-alive sockets would hold close() open
  });
}

// ─── CLI ────────────────────────────────────────────────────────────────────────────────

function isMainModule(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(fileURLToPath(import.meta.url)) === realpathSync(resolvePath(process.argv[1]));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8443' },
      host: { type: 'string', default: '127.0.0.1' },
      count: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '42' },
      faults: { type: 'string', default: '' },
      'rate-limits': { type: 'boolean', default: false },
      'hubspot-empty-properties': { type: 'string', default: '0' },
    },
  });
  const crm = await startDemoCrm({
    port: Number(values.port),
    host: values.host,
    count: Number(values.count),
    seed: Number(values.seed),
    faults: parseFaults(values.faults),
    hubspotLimits: values['rate-limits'] ? HUBSPOT_DEFAULT_LIMITS : undefined,
    hubspotEmptyProperties: Number(values['hubspot-empty-properties']),
  });
  console.log(`Demo CRM ready on https://${values.host}:${crm.port} (${crm.leads.length} leads) for hosts: ${Object.values(DEMO_HOSTS).join(', ')}`);
  const stop = () => void crm.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (isMainModule()) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
