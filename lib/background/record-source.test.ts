/**
 * Badge and list reads through the user's connection, against the demo CRM: they share one
 * client (Salesforce describes Lead once, HubSpot lists no properties) and name only the
 * fields the active model reads.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientFor } from '../connections/client-for';
import { writeConnection } from '../../test/fixtures/stored-connection';
import { generateDemoLeads } from '../crm/demo-data';
import { fieldsRead } from '../ml/manifest';
import { activeManifest } from '../ml/model-store';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../test/demo-crm/server';
import { salesforceOAuthConnection } from '../../test/fixtures/salesforce-oauth-connection';
import { RECORD_READ_TIMEOUT_MS, fetchRecordFields, fetchRecordsFields } from './record-source';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const leads = generateDemoLeads({ count: 5, seed: 8, now: new Date('2026-11-01T00:00:00Z') });
let requests: { method: string; path: string; body: string }[];

/** The fields of `crm` the active model reads, as scoring names them. */
const modelFields = async (crm: 'salesforce' | 'hubspot') => fieldsRead((await activeManifest()).features, crm);
const namedByTheModel = async (crm: 'salesforce' | 'hubspot') => new Set(await modelFields(crm));

beforeEach(async () => {
  fakeBrowser.reset();
  // Nothing connected: `clientFor` forgets the clients the test before made.
  await Promise.all([clientFor('salesforce'), clientFor('hubspot')]);
  const handle = createDemoCrmHandler(leads);
  requests = [];
  vi.stubGlobal(
    'fetch',
    demoFetch((request) => {
      requests.push({ method: request.method, path: decodeURIComponent(request.url.pathname + request.url.search), body: request.body });
      return handle(request);
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

it('reads no list records when the CRM is not connected, and says none were read rather than that none exist', async () => {
  expect(await fetchRecordsFields('salesforce', [leads[0].salesforceId], await modelFields('salesforce'))).toBeNull();
  expect(requests).toEqual([]);
});

/** A Salesforce connection through OAuth: the record reads send its token, with no browser session to look up. */
const SALESFORCE_OAUTH = salesforceOAuthConnection({ accessToken: '00Daccess', refreshToken: '5Aep-refresh' });

describe('Salesforce', () => {
  beforeEach(async () => {
    await writeConnection(SALESFORCE_OAUTH);
  });

  it('describes Lead once for two badge reads, and reads only the fields the model reads', async () => {
    const [first, second] = leads;
    const fields = await fetchRecordFields('salesforce', first.salesforceId, await modelFields('salesforce'));
    expect(await fetchRecordFields('salesforce', second.salesforceId, await modelFields('salesforce'))).toMatchObject({ Id: second.salesforceId });
    expect(requests.filter((request) => request.path.endsWith('/sobjects/Lead/describe'))).toHaveLength(1);
    expect(fields).toMatchObject({ Title: first.salesforce.Title, Industry: first.salesforce.Industry });
    const named = await namedByTheModel('salesforce');
    expect(Object.keys(fields!).filter((name) => !named.has(name))).toEqual(['Id', 'SystemModstamp']);
  });

  it('batch-reads a list’s records with the fields the model reads', async () => {
    const records = await fetchRecordsFields('salesforce', leads.map((lead) => lead.salesforceId), await modelFields('salesforce'));
    expect(records?.map((record) => record.recordId).sort()).toEqual(leads.map((lead) => lead.salesforceId).sort());
    const named = await namedByTheModel('salesforce');
    expect(Object.keys(records![0].fields).filter((name) => !named.has(name))).toEqual(['Id', 'SystemModstamp']);
  });
});

describe('HubSpot', () => {
  it('reads a contact’s model properties by name, listing no properties, however many badges read', async () => {
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', timeoutSeconds: 30, auth: { kind: 'token', token: 'pat-na1-demo-token' } });
    const [first, second] = leads;
    const fields = await fetchRecordFields('hubspot', first.hubspotId, await modelFields('hubspot'));
    await fetchRecordFields('hubspot', second.hubspotId, await modelFields('hubspot'));
    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual(Array(2).fill('POST /crm/v3/objects/contacts/batch/read'));
    expect(fields).toMatchObject({ jobtitle: first.hubspot.jobtitle });
    const named = await namedByTheModel('hubspot');
    const asked: string[] = JSON.parse(requests[0].body).properties;
    expect(asked.filter((name) => !named.has(name))).toEqual(['lastmodifieddate']);
  });
});

describe('a CRM that never answers', () => {
  /** Time runs a hundred times faster for timeouts (a page's read gives up after 0.1 s, an attempt after 0.3 s), and retries do not wait. */
  const SPEED_UP = 100;
  /** Requests sent, and whether they go unanswered (dropped packets: given up only when their signal aborts, as fetch does). */
  let stalled: boolean;
  let sent: string[];

  beforeEach(() => {
    const timeout = AbortSignal.timeout.bind(AbortSignal);
    vi.spyOn(AbortSignal, 'timeout').mockImplementation((ms) => timeout(ms / SPEED_UP));
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const handle = createDemoCrmHandler(leads);
    const answer = demoFetch(handle);
    stalled = true;
    sent = [];
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
      sent.push(new URL(String(input)).pathname);
      if (!stalled) return answer(input, init);
      return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    });
  });
  afterEach(() => vi.restoreAllMocks());

  // Given up, a read fails as any other does: the badge and side panel score the page's fields (`withRecordFields`), a list's rows say they were not read.
  it('gives a badge\'s read up after its time, at its first attempt, not after every retry of the HTTP layer', async () => {
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', timeoutSeconds: 30, auth: { kind: 'token', token: 'pat-na1-demo-token' } });
    const startedAt = performance.now();
    await expect(fetchRecordFields('hubspot', leads[0].hubspotId, await modelFields('hubspot'))).rejects.toMatchObject({
      kind: 'network',
      message: 'HubSpot did not answer batch read contacts in the time it was given',
    });
    expect(sent).toHaveLength(1);
    // Well before the HTTP layer's own end (6 attempts of the connection's 30 s, here 1.8 s).
    expect(performance.now() - startedAt).toBeLessThan((6 * 30_000) / SPEED_UP);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(RECORD_READ_TIMEOUT_MS / SPEED_UP - 5);
  });

  it('gives a list page\'s batch read up after its time too', async () => {
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', timeoutSeconds: 30, auth: { kind: 'token', token: 'pat-na1-demo-token' } });
    await expect(fetchRecordsFields('hubspot', leads.map((lead) => lead.hubspotId), await modelFields('hubspot'))).rejects.toMatchObject({ kind: 'network' });
    expect(sent).toHaveLength(1);
  });

  it('keeps no failure of a read given up: the next page\'s read, the CRM answering again, describes Lead afresh and gets the record', async () => {
    await writeConnection(SALESFORCE_OAUTH);
    const [first] = leads;
    await expect(fetchRecordFields('salesforce', first.salesforceId, await modelFields('salesforce'))).rejects.toMatchObject({ kind: 'cancelled' });
    expect(sent).toEqual(['/services/data/v67.0/sobjects/Lead/describe']);
    stalled = false;
    expect(await fetchRecordFields('salesforce', first.salesforceId, await modelFields('salesforce'))).toMatchObject({ Id: first.salesforceId });
  });
});
