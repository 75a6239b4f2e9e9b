/**
 * `bench:sync --engine node`: the sync core (same engine and CRM clients as the extension)
 * in this Node process, into Dexie on fake-indexeddb. Useful to time the engine without a
 * browser; its heap is NOT the extension's: fake-indexeddb keeps every stored row in the JS
 * heap, where Chromium keeps IndexedDB on disk, outside the worker.
 *
 * It also sizes what is stored per lead against what the CRM answered per record
 * (`StoredSize`): the rows are the extension's (same sync core and store), read back here.
 */
import 'fake-indexeddb/auto';
import { request } from 'node:https';
import { serialize } from 'node:v8';
import { createHubSpotClient } from '../../lib/crm/hubspot-client';
import { createSalesforceClient } from '../../lib/crm/salesforce-client';
import type { CrmKind } from '../../lib/crm/types';
import { LeadLensDb, leadKeyOf } from '../../lib/db/db';
import { runSync } from '../../lib/sync/engine';
import { dexieSyncStore } from '../../lib/sync/store';
import { SALESFORCE_API } from '../e2e/harness';
import type { EngineRun, StoredSize } from './sync-run';

const HEAP_SAMPLE_MS = 100;

/** What the CRM answered of one record, sized (bytes), keyed as its stored lead (`${crm}|${id}`). */
interface AnsweredRecord {
  /** The record's JSON in the answer, every field as the CRM sent it. */
  json: number;
  /** Structured-clone size of its fields' entries without a value (null), as a lead kept them before empty fields were dropped. */
  emptyEntries: number;
}

/** V8's serialization, the structured clone IndexedDB stores a value as (Chromium writes it so, before any compression). */
const cloneBytes = (value: unknown) => serialize(value).byteLength;

/**
 * Records in a CRM answer: HubSpot's `results` (`properties`), Salesforce's `records` (their
 * fields beside `attributes`). Another object's records (owners, currencies) are sized too, and
 * never looked up.
 */
function answeredRecords(crm: CrmKind, body: unknown): { id: string; json: unknown; fields: Record<string, unknown> }[] {
  if (typeof body !== 'object' || body === null) return [];
  if (crm === 'hubspot') {
    const { results } = body as { results?: unknown };
    if (!Array.isArray(results)) return [];
    return results.filter((r): r is { id: string; properties: Record<string, unknown> } => typeof r?.id === 'string' && typeof r?.properties === 'object').map((r) => ({ id: r.id, json: r, fields: r.properties }));
  }
  const { records } = body as { records?: unknown };
  if (!Array.isArray(records)) return [];
  return records
    .filter((r): r is Record<string, unknown> & { Id: string } => typeof r?.Id === 'string')
    .map((record) => {
      const { attributes: _attributes, ...fields } = record;
      return { id: record.Id, json: record, fields };
    });
}

/**
 * Sizes each record of a CRM answer into `answered`, keeping the largest answer of each (its read
 * with every field: other reads of it, for ids or a few fields, are smaller).
 */
function sizeAnswer(crm: CrmKind, text: string, answered: Map<string, AnsweredRecord>): void {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return; // not JSON (a fault's cut-short body): the sync retries it
  }
  for (const record of answeredRecords(crm, body)) {
    const key = leadKeyOf(crm, record.id);
    const json = Buffer.byteLength(JSON.stringify(record.json));
    if ((answered.get(key)?.json ?? 0) >= json) continue;
    const withValue = Object.fromEntries(Object.entries(record.fields).filter(([, value]) => value !== null));
    answered.set(key, { json, emptyEntries: cloneBytes(record.fields) - cloneBytes(withValue) });
  }
}

/** fetch over node:https to the local demo CRM, with the CRM's host name as SNI and Host; `onAnswer` sees each answer's text. */
function demoCrmFetch(port: number, onAnswer: (host: string, text: string) => void): typeof fetch {
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(String(input));
      const req = request(
        { host: '127.0.0.1', port, path: url.pathname + url.search, method: init.method ?? 'GET', servername: url.hostname, rejectUnauthorized: false, headers: { ...Object.fromEntries(new Headers(init.headers).entries()), host: url.hostname }, signal: init.signal ?? undefined },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            if (res.statusCode === 200) onAnswer(url.hostname, body.toString('utf8'));
            resolve(new Response(body, { status: res.statusCode ?? 0, headers: res.headers as Record<string, string> }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
}

/** Per CRM, the stored leads' sizes beside the sizes of the records the CRM answered for them (means over the leads). */
async function storedSizes(db: LeadLensDb, crm: CrmKind, answered: ReadonlyMap<string, AnsweredRecord>): Promise<StoredSize> {
  const size: StoredSize = { leads: 0, answeredJson: 0, storedClone: 0, storedJson: 0, storedCloneWithEmpties: 0 };
  await db.leads.where('source').equals(crm).each((lead) => {
    const answer = answered.get(lead.key);
    if (answer === undefined) throw new Error(`${lead.key} is stored, but no answer of the CRM carried it`);
    const stored = cloneBytes(lead);
    size.leads++;
    size.answeredJson += answer.json;
    size.storedClone += stored;
    size.storedJson += Buffer.byteLength(JSON.stringify(lead));
    size.storedCloneWithEmpties += stored + answer.emptyEntries;
  });
  const mean = (total: number) => total / Math.max(1, size.leads);
  return { leads: size.leads, answeredJson: mean(size.answeredJson), storedClone: mean(size.storedClone), storedJson: mean(size.storedJson), storedCloneWithEmpties: mean(size.storedCloneWithEmpties) };
}

export async function syncInNode(crmPort: number, requestTimeoutSeconds: number): Promise<EngineRun> {
  const answered = new Map<string, AnsweredRecord>();
  const fetch = demoCrmFetch(crmPort, (host, text) => sizeAnswer(host === SALESFORCE_API ? 'salesforce' : 'hubspot', text, answered));
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
    storage: { salesforce: await storedSizes(db, 'salesforce', answered), hubspot: await storedSizes(db, 'hubspot', answered) },
    errors: results.filter((r) => r.status !== 'done').map((r) => `${r.status}: ${r.error}`),
    requestTimeoutSeconds,
  };
  db.close();
  return run;
}
