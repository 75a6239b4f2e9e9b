import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { listAllChanges } from '../../test/fixtures/list-all-changes';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_OWNERS, generateDemoLeads } from './demo-data';
import { HUBSPOT_SEARCH_CAP, createHubSpotClient, hubspotRateWindow } from './hubspot-client';
import { CLOCK_ALLOWANCE_MS, type CrmClient } from './client';
import { isCrmError } from './http';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { mulberry32 } from '../ml/random';
import { LeadLensDb } from '../db/db';
import { FULL_COMPARISON_EVERY_MS, SYNC_LOOKBACK_MS, runSync } from '../sync/engine';
import { dexieSyncStore } from '../sync/store';
import { stubWebLocks } from '../../test/web-locks';
import { defaultBehaviour, parseFaults } from '../../test/demo-crm/behaviour';
import { demoFetch, holdingFetch } from '../../test/demo-crm/fetch';
import { expectCancelledCheckLeavesSyncItsLoad } from '../../test/shared-load';
import { json } from '../../test/demo-crm/http';
import { ARCHIVED_DEMO_OWNERS, DEMO_PORTAL_LIFECYCLE_STAGE, HUBSPOT_API_DEFAULTS, hubspotApi, type HubSpotApiOptions } from '../../test/demo-crm/hubspot-api';
import { ANALYTICS_SOURCE_LABELS } from '../../test/demo-crm/fields';
import { createDemoCrm, createDemoCrmHandler, HUBSPOT_DEFAULT_LIMITS } from '../../test/demo-crm/server';
import { WriteBackTargetSchema, checkedByCrm, fieldsToWrite, writeBack, type WriteBackResult } from '../background/write-back';
import { backgroundProtocol } from '../messaging/protocol';
import { MAX_RULE_VALUE_LENGTH, MAX_RULE_VALUES } from '../ml/outcome-rule';
import { MAX_LABEL_CHARS } from '../ml/visible-text';
import { hubspotOutcome } from '../sync/to-stored-lead';
import { lifecycleOrder, suggestedStageReached } from './hubspot-lifecycle';

const NOW = new Date('2026-11-01T00:00:00Z');
const small = generateDemoLeads({ count: 700, seed: 5, now: NOW });

/** `latency`: ms between the client sending a request and the CRM receiving it (0 by default). */
function setup(leads = small, apiVersion: 'v3' | '2026-03' = 'v3', latency: () => number = () => 0) {
  const behaviour = defaultBehaviour();
  const clock = virtualClock();
  behaviour.now = clock.now;
  behaviour.hubspotLimits = HUBSPOT_DEFAULT_LIMITS;
  const { handle, store } = createDemoCrm(leads, behaviour);
  let rateLimited = 0;
  const requests: string[] = [];
  const reachCrm = demoFetch((request) => {
    requests.push(`${request.method} ${request.url.pathname}${request.url.search}`);
    const response = handle(request);
    if (response.status === 429) rateLimited++;
    return response;
  });
  const fetch: typeof globalThis.fetch = async (input, init) => {
    await clock.sleep(latency());
    return reachCrm(input, init);
  };
  const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', apiVersion, clock, fetch });
  return { client, behaviour, clock, store, requests, fetch, rateLimited: () => rateLimited };
}

describe('HubSpot client against the demo CRM', () => {
  it('reads one contact (v3 and date-versioned paths), or null when unknown', async () => {
    for (const version of ['v3', '2026-03'] as const) {
      const { client } = setup(small, version);
      const lead = small[3];
      const record = await client.readRecord(lead.hubspotId, { fields: ['jobtitle'] });
      expect(record).toMatchObject({ id: lead.hubspotId, modifiedAt: Date.parse(lead.hubspot.lastmodifieddate!) });
      expect(record?.fields.jobtitle).toBe(lead.hubspot.jobtitle);
      expect(await client.readRecord('999999999')).toBeNull();
    }
  });

  it('reads one contact by POST, so that hundreds of property names never reach the URL (HubSpot answers 414)', async () => {
    const handle = createDemoCrmHandler(small);
    const requests: string[] = [];
    const urlLimited = demoFetch((request) => {
      requests.push(`${request.method} ${request.url.pathname}`);
      return request.url.href.length > 8_000 ? { status: 414, headers: { 'content-type': 'text/html' }, body: '<h1>414 Request-URI Too Large</h1>' } : handle(request);
    });
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: urlLimited });
    const lead = small[3];
    const portalProperties = Array.from({ length: 600 }, (_, i) => `custom_contact_property_${i}`);
    const record = await client.readRecord(lead.hubspotId, { fields: [...portalProperties, 'jobtitle'] });
    expect(record?.fields.jobtitle).toBe(lead.hubspot.jobtitle);
    expect(requests).toEqual(['POST /crm/v3/objects/contacts/batch/read']);
  });

  it('batch-reads 100 at a time, and takes the found ones from a 207', async () => {
    const { client } = setup();
    const ids = small.slice(0, 250).map((l) => l.hubspotId);
    const records = await client.batchRead([...ids, '999999999']);
    expect(records.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(records[0].fields).toHaveProperty('lifecyclestage');
  });

  it('pages past the 10,000-result search cap by windowing on lastmodifieddate, within the limits', async () => {
    const leads = generateDemoLeads({ count: HUBSPOT_SEARCH_CAP + 1500, seed: 9, now: NOW });
    const { client, clock, rateLimited } = setup(leads);
    const started = clock.now();
    const { ids, pages } = await listAllChanges(client);
    expect(new Set(ids).size).toBe(leads.length);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(leads.length / 200));
    // The client's own limiter kept it under HubSpot's 4 searches per second: no 429 at all.
    expect(rateLimited()).toBe(0);
    expect(clock.now() - started).toBeGreaterThanOrEqual(((pages - 4) / 4) * 1000);
  });

  it('pages through a run of contacts sharing one modified date longer than a page (a bulk import), each once', async () => {
    const imported = small[350].hubspot.lastmodifieddate!;
    const leads = small.map((lead, index) => (index % 3 === 0 ? lead : { ...lead, hubspot: { ...lead.hubspot, hs_lastmodifieddate: imported, lastmodifieddate: imported } }));
    expect(leads.filter((lead) => lead.hubspot.lastmodifieddate === imported).length).toBeGreaterThan(400);
    const { client } = setup(leads);
    const { ids, pages } = await listAllChanges(client);
    expect(ids.length).toBe(leads.length);
    expect(new Set(ids)).toEqual(new Set(leads.map((lead) => lead.hubspotId)));
    // One search per 200 contacts, plus the run's first page read again by id.
    expect(pages).toBeLessThanOrEqual(Math.ceil(leads.length / 200) + 2);
  });

  it(`pages through more than ${HUBSPOT_SEARCH_CAP} contacts sharing one modified date`, async () => {
    const leads = generateDemoLeads({ count: HUBSPOT_SEARCH_CAP + 300, seed: 9, now: NOW });
    const imported = leads[150].hubspot.lastmodifieddate!;
    const sameDate = leads.map((lead, index) => (index < 150 || index >= HUBSPOT_SEARCH_CAP + 250 ? lead : { ...lead, hubspot: { ...lead.hubspot, hs_lastmodifieddate: imported, lastmodifieddate: imported } }));
    const { client, rateLimited } = setup(sameDate);
    const { ids } = await listAllChanges(client);
    expect(ids.length).toBe(sameDate.length);
    expect(new Set(ids).size).toBe(sameDate.length);
    expect(rateLimited()).toBe(0);
  });

  it('reads every contact when HubSpot’s `after` cursors are opaque strings, as documented: searches only note one, lists send it back encoded', async () => {
    const handle = createDemoCrmHandler(small);
    const queries: string[] = [];
    // The demo's offsets, dressed as an opaque cursor with characters a URL's query must encode.
    const opaque = (offset: string) => `c/${offset}+&=`;
    const opaqueCursors = demoFetch((request) => {
      queries.push(request.url.search);
      const sent = request.url.searchParams.get('after');
      if (sent !== null) request.url.searchParams.set('after', /^c\/(\d+)\+&=$/.exec(sent)?.[1] ?? 'not ours');
      const response = handle(request);
      const body = JSON.parse(response.body) as { paging?: { next: { after: string } } };
      if (body.paging) body.paging.next.after = opaque(body.paging.next.after);
      return { ...response, body: JSON.stringify(body) };
    });
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock: virtualClock(), fetch: opaqueCursors });
    const every = new Set(small.map((lead) => lead.hubspotId));
    expect(new Set((await listAllChanges(client)).ids)).toEqual(every);
    expect(new Set((await client.listPresent!()).ids)).toEqual(every);
    expect(queries).toContain(`?limit=100&properties=hs_object_id&after=${encodeURIComponent(opaque('100'))}`);
  });

  it('stays under the searches per second when requests reach HubSpot unevenly late (0–80 ms)', async () => {
    const random = mulberry32(3);
    const { client, rateLimited } = setup(generateDemoLeads({ count: 6000, seed: 9, now: NOW }), 'v3', () => 80 * random());
    const { pages } = await listAllChanges(client);
    expect(pages).toBeGreaterThanOrEqual(30);
    // HubSpot counts arrivals: a window of exactly one second would let some land too close.
    expect(rateLimited()).toBe(0);
  });

  it('slows down, rather than meeting 429s, when other LeadLens users share its token (reps of one role given one private app’s)', async () => {
    const { client, clock, fetch, rateLimited, requests } = setup();
    // Three reps' LeadLens, each pacing itself at 100 requests per 10 s: together they would send 300.
    const reps = [client, ...[1, 2].map(() => createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch }))];
    const ids = small.slice(0, 120).map((lead) => lead.hubspotId);
    const started = clock.now();
    const read = await Promise.all(reps.map(async (rep) => {
      const records = [];
      for (const id of ids) records.push(await rep.readRecord(id, { fields: ['jobtitle'] }));
      return records;
    }));
    expect(read.map((records) => records.filter(Boolean).length)).toEqual([120, 120, 120]);
    expect(rateLimited()).toBe(0);
    // HubSpot's 100 per 10 s, shared: 360 reads take at least 30 s.
    expect(requests.length).toBeGreaterThanOrEqual(360);
    expect(clock.now() - started).toBeGreaterThanOrEqual(30_000);
  });

  it('waits out the window a 429 without Retry-After names by its policy (10 s, or 1 s for searches), with a backoff, rather than a second', async () => {
    const refused = (policyName: string) => json(429, { status: 'error', message: 'You have reached your limit.', errorType: 'RATE_LIMIT', policyName });
    for (const [policyName, windowMs] of [['TEN_SECONDLY_ROLLING', 10_000], ['SECONDLY', 1_000]] as const) {
      const answers = [refused(policyName), refused(policyName), json(200, { results: [] })];
      let calls = 0;
      const clock = virtualClock();
      const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch: demoFetch(() => answers[calls++]) });
      await expect(client.batchRead(['101'], { fields: ['email'] })).resolves.toEqual([]);
      expect(calls).toBe(3);
      // Each wait is the window and half a backoff starting there (the clock's random() is 0.5): 1.5 windows, then 2.
      expect(clock.slept, policyName).toBe(3.5 * windowMs);
    }
  });

  it('gets every contact through 429s, 5xx, timeouts and truncated bodies', async () => {
    const { client, behaviour } = setup();
    behaviour.faults = parseFaults('429=0.2,500=0.1,timeout=0.02,malformed=0.05');
    behaviour.random = mulberry32(5);
    const { ids } = await listAllChanges(client);
    expect(new Set(ids).size).toBe(small.length);
  });

  it('checks access and names the token’s portal (v3 and date-versioned account details)', async () => {
    for (const version of ['v3', '2026-03'] as const) {
      const { client, behaviour } = setup(small, version);
      behaviour.tokenPortals.set('pat-na1-secret', '777001');
      await expect(client.checkAccess()).resolves.toEqual({ id: '777001', name: 'HubSpot portal 777001', uiDomain: 'app.hubspot.com' });
    }
  });

  it('keeps the host of the portal’s pages its account details name, when LeadLens runs on pages there', async () => {
    const handle = createDemoCrmHandler(small);
    const answeringUiDomain = (uiDomain: unknown) =>
      demoFetch((request) => {
        const response = handle(request);
        return request.url.pathname.startsWith('/account-info/') ? { ...response, body: JSON.stringify({ ...JSON.parse(response.body), uiDomain }) } : response;
      });
    const checked = (uiDomain: unknown) => createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: answeringUiDomain(uiDomain) }).checkAccess();
    await expect(checked('app-eu1.hubspot.com')).resolves.toEqual({ id: '4242424', name: 'HubSpot portal 4242424', uiDomain: 'app-eu1.hubspot.com' });
    // A data centre LeadLens has no page of, or a host that is no HubSpot page's: the portal still connects, without a host.
    for (const uiDomain of ['app-eu9.hubspot.com', 'evil.example', 'https://app.hubspot.com', 42]) {
      await expect(checked(uiDomain), String(uiDomain)).resolves.toEqual({ id: '4242424', name: 'HubSpot portal 4242424' });
    }
  });

  it('still connects when HubSpot refuses the account details (a missing scope): the portal is then unknown', async () => {
    const handle = createDemoCrmHandler(small);
    const refuseAccountDetails = demoFetch((request) =>
      request.url.pathname.startsWith('/account-info/')
        ? { status: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'error', category: 'MISSING_SCOPES', message: 'This app hasn’t been granted all required scopes' }) }
        : handle(request),
    );
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: refuseAccountDetails });
    await expect(client.checkAccess()).resolves.toBeNull();
  });

  it('names owners from the owners list (v3 and date-versioned), following `after`, by name or else e-mail', async () => {
    for (const version of ['v3', '2026-03'] as const) {
      const { client } = setup(small, version);
      const names = await client.ownerNames([DEMO_OWNERS[0].hubspotId, DEMO_OWNERS[5].hubspotId, '999']);
      expect(names).toEqual(new Map([[DEMO_OWNERS[0].hubspotId, DEMO_OWNERS[0].name], [DEMO_OWNERS[5].hubspotId, DEMO_OWNERS[5].name]]));
    }
    const handle = createDemoCrmHandler(small);
    const paths: string[] = [];
    // Pages of 2 owners, the second without a name: the client follows `after` and falls back to the e-mail.
    const smallPages = demoFetch((request) => {
      paths.push(request.url.pathname + request.url.search);
      request.url.searchParams.set('limit', '2');
      const response = handle(request);
      const body = JSON.parse(response.body) as { results: { firstName: string; lastName: string }[] };
      Object.assign(body.results[1] ?? {}, { firstName: '', lastName: '' });
      return { ...response, body: JSON.stringify(body) };
    });
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: smallPages });
    const names = await client.ownerNames(DEMO_OWNERS.map((o) => o.hubspotId));
    expect(paths).toEqual(['/crm/v3/owners?limit=500', '/crm/v3/owners?limit=500&after=2', '/crm/v3/owners?limit=500&after=4', '/crm/v3/owners?limit=500&archived=true']);
    expect([...names.values()]).toEqual([DEMO_OWNERS[0].name, 'marcus.oyelaran@northbeam-analytics.example', DEMO_OWNERS[2].name, 'tomas.echeverria@northbeam-analytics.example', DEMO_OWNERS[4].name, 'kenji.watanabe@northbeam-analytics.example']);
  });

  it('names archived owners too (v3 and date-versioned): contacts keep the ids of reps who have left', async () => {
    for (const version of ['v3', '2026-03'] as const) {
      const { client } = setup(small, version);
      const [left] = ARCHIVED_DEMO_OWNERS;
      const names = await client.ownerNames([left.hubspotId, DEMO_OWNERS[1].hubspotId]);
      expect(names).toEqual(new Map([[left.hubspotId, left.name], [DEMO_OWNERS[1].hubspotId, DEMO_OWNERS[1].name]]));
    }
    // Each list is paged on its own: `after` of the archived list goes with `archived=true`.
    const handle = createDemoCrmHandler(small);
    const paths: string[] = [];
    const onePerPage = demoFetch((request) => {
      paths.push(request.url.pathname + request.url.search);
      request.url.searchParams.set('limit', '1');
      return handle(request);
    });
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: onePerPage });
    const names = await client.ownerNames(ARCHIVED_DEMO_OWNERS.map((owner) => owner.hubspotId));
    expect([...names.values()]).toEqual(ARCHIVED_DEMO_OWNERS.map((owner) => owner.name));
    expect(paths.slice(-2)).toEqual(['/crm/v3/owners?limit=500&archived=true', '/crm/v3/owners?limit=500&archived=true&after=1']);
  });

  it('reads the owners list once per 10 minutes: later ids, known or not, ask nothing more meanwhile', async () => {
    const handle = createDemoCrmHandler(small);
    const ownerReads: string[] = [];
    const counting = demoFetch((request) => {
      if (request.url.pathname.startsWith('/crm/v3/owners')) ownerReads.push(request.url.search);
      return handle(request);
    });
    const clock = virtualClock();
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: counting, clock });
    await client.ownerNames([DEMO_OWNERS[0].hubspotId]);
    await clock.sleep(9 * 60_000);
    const later = await client.ownerNames([DEMO_OWNERS[3].hubspotId, 'no-such-owner']);
    expect(later).toEqual(new Map([[DEMO_OWNERS[3].hubspotId, DEMO_OWNERS[3].name]]));
    expect(ownerReads).toEqual(['?limit=500', '?limit=500&archived=true']);
    // A rep hired since is named once the list is 10 minutes old.
    await clock.sleep(60_000);
    await client.ownerNames([DEMO_OWNERS[3].hubspotId]);
    expect(ownerReads).toEqual(['?limit=500', '?limit=500&archived=true', '?limit=500', '?limit=500&archived=true']);
  });

  it('reads the owners list again after a failed read', async () => {
    const handle = createDemoCrmHandler(small);
    let failNext = true;
    const flaky = demoFetch((request) => {
      if (request.url.pathname.startsWith('/crm/v3/owners') && failNext) {
        failNext = false;
        return { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'error', category: 'VALIDATION_ERROR', message: 'bad request' }) };
      }
      return handle(request);
    });
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: flaky });
    await expect(client.ownerNames([DEMO_OWNERS[0].hubspotId])).rejects.toThrow();
    await expect(client.ownerNames([DEMO_OWNERS[0].hubspotId])).resolves.toEqual(new Map([[DEMO_OWNERS[0].hubspotId, DEMO_OWNERS[0].name]]));
  });

  it('lists the contact properties once per 10 minutes, and again after a failed list', async () => {
    const handle = createDemoCrmHandler(small);
    let propertyLists = 0;
    const flaky = demoFetch((request) => {
      if (!request.url.pathname.startsWith('/crm/v3/properties/')) return handle(request);
      if (++propertyLists === 1) return { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'error', category: 'VALIDATION_ERROR', message: 'bad request' }) };
      return handle(request);
    });
    const clock = virtualClock();
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: flaky, clock });
    await expect(client.listChanged(null, null)).rejects.toThrow(/VALIDATION_ERROR/);
    await expect(client.listChanged(null, null)).resolves.toMatchObject({ records: expect.any(Array) });
    await clock.sleep(9 * 60_000);
    await client.listChanged(null, null);
    expect(propertyLists).toBe(2);
    // Syncs share the client: a property created since is synced once the list is 10 minutes old.
    await clock.sleep(60_000);
    await client.listChanged(null, null);
    expect(propertyLists).toBe(3);
  });

  it('names no owner, without failing, when the token lacks the owners scope (403)', async () => {
    const handle = createDemoCrmHandler(small);
    const refuseOwners = demoFetch((request) =>
      request.url.pathname.startsWith('/crm/v3/owners')
        ? { status: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'error', category: 'MISSING_SCOPES', message: 'This app hasn’t been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.', errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.owners.read'] } }] }) }
        : handle(request),
    );
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: refuseOwners });
    await expect(client.ownerNames([DEMO_OWNERS[0].hubspotId])).resolves.toEqual(new Map());
  });

  it('reports a revoked token as an auth error, without retrying', async () => {
    const { client, behaviour } = setup();
    await expect(client.checkAccess()).resolves.toEqual({ id: '4242424', name: 'HubSpot portal 4242424', uiDomain: 'app.hubspot.com' });
    behaviour.revokedTokens.add('pat-na1-secret');
    const error = await client.listChanged(null, null).catch((e: unknown) => e);
    expect(isCrmError(error, 'auth')).toBe(true);
    expect(String(error)).toContain('EXPIRED_AUTHENTICATION');
    expect(String(error)).not.toContain('pat-na1-secret');
  });

  it('stops at the first 429 for a used-up daily limit, where waiting seconds would only spend more requests, and waits out a 10-second one', async () => {
    const rateLimited = (policyName: string) => json(429, { status: 'error', message: 'You have reached your limit.', errorType: 'RATE_LIMIT', policyName, category: 'RATE_LIMITS' });
    const answers = [rateLimited('TEN_SECONDLY_ROLLING'), json(200, { results: [] }), rateLimited('DAILY'), json(200, { results: [] })];
    let calls = 0;
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock: virtualClock(), fetch: demoFetch(() => answers[calls++]) });
    await expect(client.batchRead(['101'], { fields: ['email'] })).resolves.toEqual([]);
    expect(calls).toBe(2);
    const error = await client.batchRead(['101'], { fields: ['email'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rate', status: 429 });
    expect(String(error)).toMatch(/daily API limit is used up/);
    expect(calls).toBe(3);
  });

  it('updates custom properties 100 contacts per call, reports unknown ids from the 207, and reads them back', async () => {
    const { client } = setup();
    expect(client.maxBatch).toBe(100);
    const [first] = small;
    const failures = await client.updateRecords([
      { recordId: first.hubspotId, fields: { leadlens_score: 87, leadlens_tier: 'Hot' } },
      { recordId: '999999999', fields: { leadlens_score: 12 } },
    ]);
    expect(failures).toEqual([{ recordId: '999999999', error: 'OBJECT_NOT_FOUND: Could not update some CONTACT objects, they may be deleted or not exist.' }]);
    const written = await client.readRecord(first.hubspotId, { fields: ['leadlens_score', 'leadlens_tier'] });
    expect(written?.fields).toMatchObject({ leadlens_score: '87', leadlens_tier: 'Hot' });
    const tooMany = small.slice(0, 101).map((lead) => ({ recordId: lead.hubspotId, fields: { leadlens_score: 1 } }));
    await expect(client.updateRecords(tooMany)).rejects.toThrow(/At most 100/);
  });

  it('empties a property asked to hold null: HubSpot empties one given "", and would keep "null" as text', async () => {
    const sent: unknown[] = [];
    const fetch: typeof globalThis.fetch = async (_input, init) => {
      sent.push(JSON.parse(String(init?.body)));
      return new Response(JSON.stringify({ status: 'COMPLETE', results: [{ id: '101', properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z', archived: false }] }), { status: 200 });
    };
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch });
    expect(await client.updateRecords([{ recordId: '101', fields: { leadlens_score: null, leadlens_tier: 'Hot' } }])).toEqual([]);
    expect(sent).toEqual([{ inputs: [{ id: '101', properties: { leadlens_score: '', leadlens_tier: 'Hot' } }] }]);
  });

  it('reports as failed the contacts a 207 does not list when one of its errors names no ids, and only those', async () => {
    const answering = (results: string[]): typeof fetch => async () => new Response(JSON.stringify({
      status: 'COMPLETE',
      results: results.map((id) => ({ id, properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z', archived: false })),
      numErrors: 1,
      errors: [{ status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid', context: {} }],
    }), { status: 207, headers: { 'content-type': 'application/json' } });
    const updates = ['101', '102', '103'].map((recordId) => ({ recordId, fields: { leadlens_score: 50 } }));
    const partly = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: answering(['102']) });
    const error = 'VALIDATION_ERROR: Property values were not valid';
    expect(await partly.updateRecords(updates)).toEqual([{ recordId: '101', error }, { recordId: '103', error }]);
    const allWritten = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: answering(['101', '102', '103']) });
    expect(await allWritten.updateRecords(updates)).toEqual([]);
  });

  describe('when HubSpot’s answer to a batch update says nothing of some contacts: no result lists them, no error names them', () => {
    const contactResult = (id: string) => ({ id, properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z', archived: false });
    /** The demo portal, but for its batch updates, which it writes and answers with `answer`, and its batch reads, answered with `readBack` when given. */
    function answeringUpdates(answer: { status: number; body: unknown }, readBack?: { status: number; body: unknown }) {
      const clock = virtualClock();
      const { handle } = createDemoCrm(small);
      const requests: string[] = [];
      const fetch = demoFetch((request) => {
        requests.push(`${request.method} ${request.url.pathname}`);
        const response = handle(request);
        if (request.url.pathname.endsWith('/batch/update')) return json(answer.status, answer.body);
        if (readBack && request.url.pathname.endsWith('/batch/read')) return json(readBack.status, readBack.body);
        return response;
      });
      return { client: createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch }), requests };
    }
    const sent = small.slice(0, 3);
    const updates = sent.map((lead) => ({ recordId: lead.hubspotId, fields: { leadlens_score: 61 } }));
    const [first, second, third] = sent.map((lead) => lead.hubspotId);

    it('counts none of them written: contacts HubSpot still has make the batch unconfirmed, as an answer LeadLens cannot read does', async () => {
      const empty = answeringUpdates({ status: 200, body: { status: 'COMPLETE', results: [] } });
      await expect(empty.client.updateRecords(updates)).rejects.toMatchObject({ kind: 'schema', message: `HubSpot answered update contacts with neither a result nor an error for 3 of the 3 contacts sent (${first}, ${second} and ${third})` });
      // Read back to tell them from contacts gone meanwhile; nothing sent again.
      expect(empty.requests.filter((request) => request.includes('/batch/'))).toEqual(['POST /crm/v3/objects/contacts/batch/update', 'POST /crm/v3/objects/contacts/batch/read']);

      // A 207 whose errors name some of the others.
      const named = answeringUpdates({
        status: 207,
        body: { status: 'COMPLETE', results: [contactResult(first)], numErrors: 1, errors: [{ status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid', context: { ids: [second] } }] },
      });
      await expect(named.client.updateRecords(updates)).rejects.toMatchObject({ kind: 'schema', message: `HubSpot answered update contacts with neither a result nor an error for 1 of the 3 contacts sent (${third})` });
    });

    it('through the write-back: the batch is counted as maybe written, not written, and no later batch is sent', async () => {
      const { client, requests } = answeringUpdates({ status: 200, body: { status: 'COMPLETE', results: [contactResult(first)] } });
      const scoreOnly = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
      const target = checkedByCrm(scoreOnly, fieldsToWrite(scoreOnly).map((field) => ({ name: field.name, maxLength: null })));
      const rows = small.slice(0, 5).map((lead) => ({ recordId: lead.hubspotId, score: 61, tier: 'warm' as const, topReason: 'x' }));
      const progress: WriteBackResult[] = [];
      const error = await writeBack(rows, target, { ...client, maxBatch: 3 }, { onProgress: (sofar) => void progress.push({ ...sofar }) }).catch((e: unknown) => e);
      // The contact HubSpot listed too: an update's answer can only put the whole batch in doubt.
      expect(progress.at(-1)).toMatchObject({ done: 0, written: 0, failed: [], unconfirmed: 3 });
      expect((error as Error).message).toBe(
        `HubSpot did not confirm the last batch (HubSpot answered update contacts with neither a result nor an error for 2 of the 3 contacts sent (${second} and ${third})): its leads may or may not have been written. Stopped there, rather than send the 2 leads left, which would most likely fail the same way. Write back again once HubSpot answers`,
      );
      expect(requests.filter((request) => request.endsWith('/batch/update'))).toHaveLength(1);
    });

    it('keeps the batch unconfirmed when reading those contacts back fails: a refusal of that read is no refusal of the update', async () => {
      const refusedRead = { status: 400, body: { status: 'error', category: 'VALIDATION_ERROR', message: 'Invalid input JSON', correlationId: 'c0ffee' } };
      const { client, requests } = answeringUpdates({ status: 200, body: { status: 'COMPLETE', results: [] } }, refusedRead);
      await expect(client.updateRecords(updates)).rejects.toMatchObject({
        kind: 'schema',
        message: `HubSpot answered update contacts with neither a result nor an error for 3 of the 3 contacts sent (${first}, ${second} and ${third}), and reading them back failed (HubSpot refused batch read contacts: HTTP 400 (VALIDATION_ERROR: Invalid input JSON))`,
      });
      expect(requests.filter((request) => request.endsWith('/batch/update'))).toHaveLength(1);
    });

    it('reports the contacts it left out that it no longer has as gone, and the others as written (the demo’s `left-out`)', async () => {
      const clock = virtualClock();
      const { store } = createDemoCrm(small);
      const requests: string[] = [];
      const handle = hubspotApi(store, () => '4512345', clock.now, { ...HUBSPOT_API_DEFAULTS, missingInBatchUpdate: 'left-out' });
      const fetch = demoFetch((request) => {
        requests.push(`${request.method} ${request.url.pathname}`);
        return handle(request);
      });
      const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch });
      const [kept, deleted, alsoKept] = sent;
      store.deleteLead(deleted, clock.now());
      const failures = await client.updateRecords(updates);
      expect(failures).toEqual([{ recordId: deleted.hubspotId, error: 'OBJECT_NOT_FOUND: HubSpot no longer has this contact (deleted or merged since the last sync)' }]);
      expect(requests.filter((request) => request.includes('/batch/'))).toEqual(['POST /crm/v3/objects/contacts/batch/update', 'POST /crm/v3/objects/contacts/batch/read']);
      for (const lead of [kept, alsoKept]) expect((await client.readRecord(lead.hubspotId, { fields: ['leadlens_score'] }))?.fields.leadlens_score).toBe('61');
    });
  });

  it('refuses a write to a property the portal does not have, with HubSpot’s PROPERTY_DOESNT_EXIST', async () => {
    const { client } = setup();
    const error = await client.updateRecords([{ recordId: small[0].hubspotId, fields: { leadlens_missing: 1 } }]).catch((e: unknown) => e);
    expect(isCrmError(error, 'request')).toBe(true);
    expect(String(error)).toMatch(/VALIDATION_ERROR: Property values were not valid: .*PROPERTY_DOESNT_EXIST/);
  });

  describe('when HubSpot refuses a whole batch update for a contact it no longer has (it documents its 207 for batch create only)', () => {
    function refusingPortal() {
      const clock = virtualClock();
      const { store } = createDemoCrm(small);
      const requests: string[] = [];
      const handle = hubspotApi(store, () => '4512345', clock.now, { ...HUBSPOT_API_DEFAULTS, missingInBatchUpdate: 'refuse-batch' });
      const fetch = demoFetch((request) => {
        requests.push(`${request.method} ${request.url.pathname}`);
        return handle(request);
      });
      return { client: createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch }), store, clock, requests };
    }
    const gone = { error: 'OBJECT_NOT_FOUND: HubSpot no longer has this contact (deleted or merged since the last sync)' };

    it('writes the others of the batch, and reports only the contact deleted since the last sync', async () => {
      const { client, store, clock, requests } = refusingPortal();
      const [kept, deleted, alsoKept] = small;
      store.deleteLead(deleted, clock.now());
      const failures = await client.updateRecords([kept, deleted, alsoKept].map((lead) => ({ recordId: lead.hubspotId, fields: { leadlens_tier: 'Hot' } })));
      expect(failures).toEqual([{ recordId: deleted.hubspotId, ...gone }]);
      expect(requests.filter((request) => request.includes('/batch/'))).toEqual(['POST /crm/v3/objects/contacts/batch/update', 'POST /crm/v3/objects/contacts/batch/read', 'POST /crm/v3/objects/contacts/batch/update']);
      for (const lead of [kept, alsoKept]) expect((await client.readRecord(lead.hubspotId, { fields: ['leadlens_tier'] }))?.fields.leadlens_tier).toBe('Hot');
    });

    it('sends nothing again when every contact of the batch is gone, and throws a refusal that is not about gone contacts', async () => {
      const { client, store, clock, requests } = refusingPortal();
      for (const lead of small.slice(0, 2)) store.deleteLead(lead, clock.now());
      const failures = await client.updateRecords(small.slice(0, 2).map((lead) => ({ recordId: lead.hubspotId, fields: { leadlens_score: 40 } })));
      expect(failures).toEqual(small.slice(0, 2).map((lead) => ({ recordId: lead.hubspotId, ...gone })));
      expect(requests.filter((request) => request.endsWith('/batch/update'))).toHaveLength(1);
      const refused = await client.updateRecords([small[2], small[0]].map((lead) => ({ recordId: lead.hubspotId, fields: { leadlens_missing: 1 } }))).catch((e: unknown) => e);
      expect(String(refused)).toMatch(/VALIDATION_ERROR: Property values were not valid: .*PROPERTY_DOESNT_EXIST/);
    });
  });

  it('names the property when the schema drifts: renamed, or a number where HubSpot sends strings', async () => {
    const renamed = setup();
    renamed.behaviour.drift = { field: 'lastmodifieddate', renameTo: 'last_modified' };
    await expect(renamed.client.listChanged(null, null)).rejects.toThrow(/no property lastmodifieddate/);
    // A page none of whose contacts can be read is a changed schema.
    const retypedDate = setup();
    retypedDate.behaviour.drift = { field: 'lastmodifieddate', toType: 'number' };
    const error = await retypedDate.client.listChanged(null, null).catch((e: unknown) => e);
    expect(isCrmError(error, 'schema')).toBe(true);
    expect(String(error)).toMatch(/HubSpot answered search contacts with none of its 200 records in the shape LeadLens reads: properties\.lastmodifieddate: /);
    // Contacts that have the retyped property are left out by id (the sync decides whether that is drift).
    const retyped = setup();
    retyped.behaviour.drift = { field: 'hs_analytics_num_visits', toType: 'number' };
    const page = await retyped.client.listChanged(null, null);
    expect(page.skipped?.length).toBeGreaterThan(1);
    for (const skipped of page.skipped ?? []) expect(skipped).toEqual({ id: expect.stringMatching(/^\d+$/), reason: expect.stringMatching(/^properties\.hs_analytics_num_visits: /) });
  });

  it('leaves out one contact it cannot read, by id and property, and returns the rest of its page', async () => {
    const { client, behaviour } = setup();
    const odd = (await client.listChanged(null, null)).records[1].id;
    behaviour.oddRecords.set(odd, { field: 'hs_analytics_num_visits', value: 7 });
    const page = await client.listChanged(null, null);
    expect(page.skipped).toEqual([{ id: odd, reason: expect.stringMatching(/^properties\.hs_analytics_num_visits: /) }]);
    expect(page.records.map((record) => record.id)).not.toContain(odd);
    expect(page.records.length).toBeGreaterThan(1);
  });

  describe('a page of changes saying more are to come with no contact it can read, which cannot tell where the next page begins', () => {
    const noneReadable = 'HubSpot answered search contacts with more to come but no contact LeadLens can read';
    /** A client of a portal whose `n`th search answers `resultsOf(n)`, saying more are to come. */
    function moreToCome(resultsOf: (search: number) => unknown[]) {
      let searches = 0;
      const fetch: typeof globalThis.fetch = async (input) => {
        const url = new URL(String(input));
        const body = url.pathname.endsWith('/properties/contacts')
          ? { results: [{ name: 'lastmodifieddate' }, { name: 'email' }] }
          : { total: 500, results: resultsOf(++searches), paging: { next: { after: '200' } } };
        return new Response(JSON.stringify(body), { status: 200 });
      };
      return createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock: virtualClock(), fetch });
    }

    it('refuses it, saying why, whether it holds no contact or only contacts it cannot read', async () => {
      await expect(moreToCome(() => []).listChanged(null, null)).rejects.toMatchObject({ kind: 'schema', message: noneReadable });
      await expect(moreToCome(() => [{ id: '7' }, { id: '8' }]).listChanged(null, null)).rejects.toMatchObject({ kind: 'schema', message: expect.stringMatching(new RegExp(`^${noneReadable}: properties: `)) });
    });

    it('refuses it within a bulk import read by id, rather than taking the import as read to its end', async () => {
      const bulkImport = Array.from({ length: 200 }, (_, i) => ({ id: String(i + 1), properties: { lastmodifieddate: '2026-10-01T00:00:00.000Z' } }));
      const client = moreToCome((search) => (search === 1 ? bulkImport : []));
      const first = await client.listChanged(null, null);
      expect(first.records).toHaveLength(bulkImport.length);
      await expect(client.listChanged(null, first.next)).rejects.toMatchObject({ kind: 'schema', message: noneReadable });
    });
  });
});

describe('what is left of HubSpot’s 10-second window, from an answer’s headers', () => {
  const says = (values: Record<string, string>) => hubspotRateWindow(new Headers(values));
  const window = { 'X-HubSpot-RateLimit-Max': '190', 'X-HubSpot-RateLimit-Remaining': '4', 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000' };

  it('reads the requests left, the window’s length and its limit', () => {
    expect(says(window)).toEqual({ remaining: 4, intervalMs: 10_000, max: 190 });
    expect(says({ ...window, 'X-HubSpot-RateLimit-Remaining': '0' })).toEqual({ remaining: 0, intervalMs: 10_000, max: 190 });
  });

  it('says nothing when a header is missing (a search’s answer), not a count, more remaining than the maximum, or no window', () => {
    expect(says({})).toBeNull();
    for (const [name, value] of [['X-HubSpot-RateLimit-Max', null], ['X-HubSpot-RateLimit-Remaining', null], ['X-HubSpot-RateLimit-Interval-Milliseconds', null], ['X-HubSpot-RateLimit-Remaining', '-1'], ['X-HubSpot-RateLimit-Remaining', '191'], ['X-HubSpot-RateLimit-Remaining', '4.5'], ['X-HubSpot-RateLimit-Interval-Milliseconds', '0'], ['X-HubSpot-RateLimit-Interval-Milliseconds', '10s']] as const) {
      const headers: Record<string, string> = { ...window };
      if (value === null) delete headers[name];
      else headers[name] = value;
      expect(says(headers), `${name}: ${value}`).toBeNull();
    }
  });
});

describe('HubSpot refusing a token a scope (403 MISSING_SCOPES)', () => {
  /** HubSpot's answer to a token without the scopes a call needs; `errors` say which. */
  const missingScopes = (errors: unknown, more: Record<string, unknown> = {}) =>
    json(403, { status: 'error', message: 'This app hasn’t been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.', correlationId: 'c0ffee', errors, links: { scopes: 'https://developers.hubspot.com/scopes' }, category: 'MISSING_SCOPES', ...more });
  const oneOrMore = (scopes: unknown) => [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: scopes } }];
  const where = 'in HubSpot (under Settings › Integrations, or Development), then try again';
  const lacks = 'HubSpot refused to read contacts: the private app or service key whose token LeadLens uses lacks';
  const checkRefused = (answer: ReturnType<typeof json>) => createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: demoFetch(() => answer) }).checkAccess().catch((e: unknown) => e);

  it('names the scope a connection check lacks, as a refusal to fix in HubSpot: not credentials to reconnect with', async () => {
    const error = await checkRefused(missingScopes(oneOrMore(['crm.objects.contacts.read'])));
    expect(error).toMatchObject({
      kind: 'request',
      status: 403,
      crmCode: 'MISSING_SCOPES',
      message: `${lacks} the scope crm.objects.contacts.read. Add it to that app or key ${where}`,
    });
  });

  it('names it for any request, a sync’s search too', async () => {
    const handle = createDemoCrmHandler(small);
    const refuseSearch = demoFetch((request) => (request.url.pathname.endsWith('/search') ? missingScopes(oneOrMore(['crm.objects.contacts.read'])) : handle(request)));
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: refuseSearch });
    await expect(client.listChanged(null, null)).rejects.toMatchObject({
      kind: 'request',
      message: 'HubSpot refused to search contacts: the private app or service key whose token LeadLens uses lacks the scope crm.objects.contacts.read. Add it to that app or key in HubSpot (under Settings › Integrations, or Development), then try again',
    });
  });

  it.each([
    ['older answers’ `requiredScopes`', [{ message: 'One or more of the following scopes are required.', context: { requiredScopes: ['contacts'] } }], {}, 'the scope contacts. Add it to that app or key'],
    ['granular scopes before older ones', [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.owners.read'], requiredScopes: ['contacts'] } }], {}, 'the scope crm.objects.owners.read. Add it to that app or key'],
    ['every one of them, when HubSpot says all are required', [{ message: 'All of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.contacts.read', 'crm.schemas.contacts.read'] } }], {}, 'the scopes crm.objects.contacts.read and crm.schemas.contacts.read. Add them to that app or key'],
    ['one of them, when one or more are required', oneOrMore(['crm.objects.contacts.read', 'crm.objects.contacts.sensitive.read.v2', 'crm.objects.contacts.highly_sensitive.read.v2']), {}, 'a scope this needs: one of crm.objects.contacts.read, crm.objects.contacts.sensitive.read.v2 and crm.objects.contacts.highly_sensitive.read.v2. Add one to that app or key'],
    ['those named by the body itself', undefined, { context: { requiredGranularScopes: ['crm.objects.contacts.read'] } }, 'the scope crm.objects.contacts.read. Add it to that app or key'],
    ['five at most, counting the rest', oneOrMore(Array.from({ length: 8 }, (_, i) => `crm.objects.custom_${i}.read`)), {}, `a scope this needs: one of ${Array.from({ length: 5 }, (_, i) => `crm.objects.custom_${i}.read`).join(', ')} and 3 more. Add one to that app or key`],
    // Shown as text, never HTML, but still: only what looks like a scope's name, once, of a length to show.
    ['only names that look like a scope’s, each once', oneOrMore(['<img src=x onerror=alert(1)>', 'crm.objects.contacts.read', 'x'.repeat(101), 42, null, 'crm.objects.contacts.read', 'two words']), {}, 'the scope crm.objects.contacts.read. Add it to that app or key'],
    ['none, when HubSpot names none it can show', [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: 'crm.objects.contacts.read' } }, 'not an error'], {}, 'a scope this needs, which HubSpot did not name. Give it the scopes listed under Options › CRM connections'],
    ['none, when its errors are of no shape known', 'not a list', {}, 'a scope this needs, which HubSpot did not name. Give it the scopes listed under Options › CRM connections'],
  ])('says %s', async (_case, errors, more, said) => {
    const error = await checkRefused(missingScopes(errors, more));
    expect(error).toMatchObject({ kind: 'request', status: 403, crmCode: 'MISSING_SCOPES', message: `${lacks} ${said} ${where}` });
  });

  it('says other refusals as before: HubSpot’s category and message', async () => {
    const error = await checkRefused(json(404, { status: 'error', message: 'resource not found', category: 'OBJECT_NOT_FOUND' }));
    expect(error).toMatchObject({ kind: 'request', status: 404, message: 'HubSpot refused read contacts: HTTP 404 (OBJECT_NOT_FOUND: resource not found)' });
  });
});

describe('HubSpot lists whose next page is the one just read (`after` unchanged)', () => {
  const samePageAgain = (what: string) => `HubSpot answered ${what} with the same page again; LeadLens stopped reading to avoid looping`;
  /**
   * A client of a portal whose every list answers one more contact (or owner) and the same
   * `after`. The test's fetch gives up after 50 requests, where LeadLens of old asked for ever,
   * piling up ids until the service worker ran out of memory. Given more than one `after`, its
   * pages answer them in turn: A → B → A leads round the same pages as surely.
   */
  function stuckPortal(afters = ['100']) {
    let requests = 0;
    const fetch: typeof globalThis.fetch = async () => {
      if (++requests > 50) throw new Error('50 requests answered');
      const body = { results: [{ id: String(requests), email: `rep${requests}@example.com`, archivedAt: '2026-10-30T00:00:00Z' }], paging: { next: { after: afters[(requests - 1) % afters.length] } } };
      return new Response(JSON.stringify(body), { status: 200 });
    };
    const clock = virtualClock();
    return { client: createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch }), clock, requests: () => requests };
  }

  it('stops reading the list of every contact', async () => {
    const { client, requests } = stuckPortal();
    await expect(client.listPresent!()).rejects.toMatchObject({ kind: 'schema', message: samePageAgain('list contacts') });
    expect(requests()).toBe(2);
  });

  it('stops reading the archived list, read whole once a day', async () => {
    const { client, clock, requests } = stuckPortal();
    await expect(client.listDeleted(clock.now() - 3 * 86_400_000)).rejects.toMatchObject({ kind: 'schema', message: samePageAgain('list archived contacts') });
    expect(requests()).toBe(2);
  });

  it('stops reading the owners list', async () => {
    const { client, requests } = stuckPortal();
    await expect(client.ownerNames(['1'])).rejects.toMatchObject({ kind: 'schema', message: samePageAgain('list owners') });
    expect(requests()).toBe(2);
  });

  it('stops reading each list whose `after`s lead back to a page already read (A → B → A)', async () => {
    const cycling = () => stuckPortal(['100', '200']);
    const lists = [
      ['list contacts', (portal) => portal.client.listPresent!()],
      ['list archived contacts', (portal) => portal.client.listDeleted(portal.clock.now() - 3 * 86_400_000)],
      ['list owners', (portal) => portal.client.ownerNames(['1'])],
    ] as const satisfies readonly (readonly [string, (portal: ReturnType<typeof cycling>) => Promise<unknown>])[];
    for (const [what, read] of lists) {
      const portal = cycling();
      await expect(read(portal), what).rejects.toMatchObject({ kind: 'schema', message: samePageAgain(what) });
      expect(portal.requests(), what).toBe(3);
    }
  });
});

describe('HubSpot write-back targets', () => {
  const tier = { name: 'leadlens_tier', holds: 'text', values: ['Hot', 'Warm', 'Cold'] } as const;

  it('takes the properties the portal created for LeadLens, and refuses HubSpot’s own and those it lacks, naming each', async () => {
    const { client, requests } = setup();
    // A string property holds 65,536 characters (HubSpot's limit for every text property): a reason is cut to that at most,
    // or to the property's MAX_LENGTH validation rule (none in this portal).
    await expect(client.checkWritableFields([{ name: 'leadlens_score', holds: 'number', largest: 99 }, tier, { name: 'leadlens_reason', holds: 'text' }])).resolves.toEqual([
      { name: 'leadlens_score', maxLength: null },
      { name: 'leadlens_tier', maxLength: 65_536 },
      { name: 'leadlens_reason', maxLength: 65_536 },
    ]);
    const error = await client.checkWritableFields([{ name: 'jobtitle', holds: 'text' }, { name: 'hs_analytics_source', holds: 'text' }, { name: 'leadlens_scor', holds: 'number' }]).catch((e: unknown) => e);
    expect(isCrmError(error, 'request')).toBe(true);
    expect((error as Error).message).toBe(
      '"jobtitle" (Job title) is one of HubSpot\'s own properties: LeadLens writes only to custom properties, so it never overwrites your contacts\' data; ' +
        '"hs_analytics_source" (Original Source) is one of HubSpot\'s own properties: LeadLens writes only to custom properties, so it never overwrites your contacts\' data; ' +
        'HubSpot contacts have no property "leadlens_scor": create it in HubSpot, or check its internal name. Nothing was written.',
    );
    // Beyond the property list, the validation rules of the text properties taken: none for those refused.
    expect(requests.filter((request) => !request.startsWith('GET /crm/v3/properties/contacts'))).toEqual(['GET /crm/v3/property-validations/0-1/leadlens_tier', 'GET /crm/v3/property-validations/0-1/leadlens_reason']);
  });

  it('refuses custom properties HubSpot calculates or keeps read-only, and those whose type cannot hold the value', async () => {
    const custom = (name: string, type: string, more: object = {}) => ({ name, label: name.replace(/_/g, ' '), type, calculated: false, modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false }, ...more });
    const options = (...values: string[]) => ({ options: values.map((value, displayOrder) => ({ label: value, value, displayOrder, hidden: false })) });
    const properties = [
      { name: 'lastmodifieddate', label: 'Last Modified Date', type: 'datetime', hubspotDefined: true },
      custom('fit_formula', 'number', { calculated: true }),
      custom('fit_equation', 'number', { fieldType: 'calculation_equation' }),
      custom('fit_synced', 'number', { modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: true } }),
      custom('fit_date', 'date'),
      custom('fit_text', 'string'),
      custom('fit_number', 'number'),
      custom('tier_dropdown', 'enumeration', options('Hot', 'Warm', 'Cold', 'Frozen')),
      custom('tier_short_dropdown', 'enumeration', options('Hot', 'Warm')),
    ];
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: demoFetch(() => json(200, { results: properties })) });
    // Every value is sent as text: a text property holds the score too; a dropdown offering every tier holds the tier.
    await expect(client.checkWritableFields([{ name: 'fit_text', holds: 'number' }, { ...tier, name: 'tier_dropdown' }, { name: 'fit_number', holds: 'number', largest: 99 }])).resolves.toEqual([
      { name: 'fit_text', maxLength: 65_536 },
      { name: 'tier_dropdown', maxLength: null },
      { name: 'fit_number', maxLength: null },
    ]);
    const refusals = async (fields: Parameters<typeof client.checkWritableFields>[0]) => ((await client.checkWritableFields(fields).catch((e: unknown) => e)) as Error).message;
    expect(await refusals([{ name: 'fit_formula', holds: 'number' }])).toBe('"fit_formula" (fit formula) is calculated by HubSpot. Nothing was written.');
    // A portal's calculation property says so by its field type only.
    expect(await refusals([{ name: 'fit_equation', holds: 'number' }])).toBe('"fit_equation" (fit equation) is calculated by HubSpot. Nothing was written.');
    expect(await refusals([{ name: 'fit_synced', holds: 'number' }])).toBe('"fit_synced" (fit synced) is read-only in HubSpot. Nothing was written.');
    expect(await refusals([{ name: 'fit_date', holds: 'number' }])).toBe('"fit_date" (fit date) is a date property, which cannot hold a number. Nothing was written.');
    expect(await refusals([{ ...tier, name: 'fit_number' }])).toBe('"fit_number" (fit number) is a number property, which cannot hold text. Nothing was written.');
    expect(await refusals([{ ...tier, name: 'tier_short_dropdown' }])).toBe('"tier_short_dropdown" (tier short dropdown) is a dropdown without "Cold". Nothing was written.');
    expect(await refusals([{ name: 'tier_dropdown', holds: 'text' }])).toBe('"tier_dropdown" (tier dropdown) is a dropdown, which cannot hold text. Nothing was written.');
  });

  it('lists the properties afresh for each check: a property created a moment ago is taken', async () => {
    const handle = createDemoCrmHandler(small);
    let propertyLists = 0;
    const fetch = demoFetch((request) => {
      if (!request.url.pathname.startsWith('/crm/v3/properties/')) return handle(request);
      const { results } = JSON.parse(String(handle(request).body)) as { results: { name: string }[] };
      // The admin creates `leadlens_fit` between the two checks.
      const listed = ++propertyLists === 1 ? results : [...results, { ...results.find((property) => property.name === 'leadlens_score')!, name: 'leadlens_fit' }];
      return json(200, { results: listed });
    });
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch });
    await expect(client.checkWritableFields([{ name: 'leadlens_fit', holds: 'number' }])).rejects.toThrow(/no property "leadlens_fit"/);
    await expect(client.checkWritableFields([{ name: 'leadlens_fit', holds: 'number' }])).resolves.toEqual([{ name: 'leadlens_fit', maxLength: null }]);
    expect(propertyLists).toBe(2);
  });

  it('a check given up while the properties are listed is cancelled at once, and a sync waiting on that list still gets it', async () => {
    const holding = holdingFetch(demoFetch(createDemoCrmHandler(small)), (url) => url.includes('/crm/v3/properties/'));
    await expectCancelledCheckLeavesSyncItsLoad(createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: holding.fetch }), holding, tier);
  });
});

describe('HubSpot option labels', () => {
  it('answers the labels an enumeration’s values show as, from the property list a sync read, asking nothing more', async () => {
    const { client, requests } = setup();
    await client.listChanged(null, null);
    const listed = requests.length;
    // numemployees labels its values with themselves; jobtitle is text; the last one the portal lacks.
    await expect(client.optionLabels(['hs_analytics_source', 'numemployees', 'jobtitle', 'no_such_property'])).resolves.toEqual({
      hs_analytics_source: ANALYTICS_SOURCE_LABELS,
    });
    expect(ANALYTICS_SOURCE_LABELS).toMatchObject({ SOCIAL_MEDIA: 'Organic Social', OFFLINE: 'Offline Sources' });
    expect(requests).toHaveLength(listed);
    expect(requests.filter((request) => request.startsWith('GET /crm/v3/properties/contacts'))).toHaveLength(1);
  });

  it('keeps hidden options; skips options without a label or labelled as their value, and types other than enumeration; keys __proto__ as its own', async () => {
    const property = (name: string, type: string, options: object[]) => ({ name, label: name, type, options });
    const properties = [
      property('lastmodifieddate', 'datetime', []),
      property('hs_analytics_source', 'enumeration', [
        { label: 'Organic Social', value: 'SOCIAL_MEDIA', displayOrder: 0, hidden: false },
        // Hidden since: contacts set before still hold it.
        { label: 'Offline Sources', value: 'OFFLINE', displayOrder: 1, hidden: true },
        { label: 'REFERRALS', value: 'REFERRALS', displayOrder: 2, hidden: false },
        { value: 'NO_LABEL', displayOrder: 3, hidden: false },
        { label: null, value: 'NULL_LABEL', displayOrder: 4, hidden: false },
        { label: '', value: 'EMPTY_LABEL', displayOrder: 5, hidden: false },
        // A label of another shape reads as none, rather than failing the list every sync reads.
        { label: 7, value: 'NUMBER_LABEL', displayOrder: 6, hidden: false },
      ]),
      property('same_labels', 'enumeration', [{ label: 'Hot', value: 'Hot', displayOrder: 0, hidden: false }]),
      // A bool's Yes / No are not a choice list's labels.
      property('hs_email_optout', 'bool', [{ label: 'Yes', value: 'true', displayOrder: 0, hidden: false }, { label: 'No', value: 'false', displayOrder: 1, hidden: false }]),
      property('__proto__', 'enumeration', [{ label: 'Prototype', value: '__proto__', displayOrder: 0, hidden: false }]),
      // Multiple checkboxes: a value of several (`a;b`) shows as their labels joined, which no one label reads back.
      { ...property('interests', 'enumeration', [{ label: 'Machine learning', value: 'ML', displayOrder: 0, hidden: false }]), fieldType: 'checkbox' },
    ];
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: demoFetch(() => json(200, { results: properties })) });
    const labels = await client.optionLabels(['hs_analytics_source', 'same_labels', 'hs_email_optout', '__proto__', 'interests']);
    // Own keys, not prototypes: a label map keyed `__proto__` would otherwise vanish into one.
    expect(Object.entries(labels)).toEqual([
      ['hs_analytics_source', { SOCIAL_MEDIA: 'Organic Social', OFFLINE: 'Offline Sources' }],
      ['__proto__', expect.anything()],
    ]);
    expect(Object.entries(labels['__proto__'])).toEqual([['__proto__', 'Prototype']]);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });
});

describe('HubSpot lifecycle stages', () => {
  it("answers the portal's stages in its order, its own among them, with their labels, from the property list a sync read, asking nothing more", async () => {
    const { client, requests } = setup();
    await client.listChanged(null, null);
    const listed = requests.length;
    const stages = await client.lifecycleStages!();
    expect(stages.map((stage) => stage.value)).toEqual([
      'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', DEMO_PORTAL_LIFECYCLE_STAGE.value, 'opportunity', 'customer', 'evangelist', 'other',
    ]);
    expect(stages[4]).toEqual({ value: '1234567', label: 'Product Qualified Lead' });
    expect(stages[1]).toEqual({ value: 'lead', label: 'Lead' });
    expect(requests).toHaveLength(listed);
  });

  /** A client of a portal whose contact properties are a date and the lifecycle stage, with `options`. */
  const clientOfLifecycleOptions = (options: unknown[]) => {
    const properties = [
      { name: 'lastmodifieddate', label: 'Last modified', type: 'datetime', options: [] },
      { name: 'lifecyclestage', label: 'Lifecycle stage', type: 'enumeration', options },
    ];
    return createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: demoFetch(() => json(200, { results: properties })) });
  };

  it('orders them by displayOrder, keeps hidden ones, and puts one without a place (none, -1, of another shape) after the others, in the list order', async () => {
    const stage = (value: string, displayOrder: unknown, hidden = false) => ({ label: value.toUpperCase(), value, displayOrder, hidden });
    const client = clientOfLifecycleOptions([
      stage('customer', 5),
      stage('lead', 1),
      { value: 'no_place', label: 'No place' },
      stage('subscriber', 0),
      // Hidden since: contacts set before still hold it.
      stage('1234567', 3, true),
      stage('minus_one', -1),
      stage('opportunity', 4),
      stage('text_place', 'second'),
      // A tie keeps the list's order.
      stage('salesqualifiedlead', 3),
      { value: 'other' },
    ]);
    const stages = await client.lifecycleStages!();
    expect(stages.map((option) => option.value)).toEqual(['subscriber', 'lead', '1234567', 'salesqualifiedlead', 'opportunity', 'customer', 'no_place', 'minus_one', 'text_place', 'other']);
    expect(stages.at(-1)).toEqual({ value: 'other', label: undefined });
    // A place of another shape fails nothing: the same list still serves the option labels.
    await expect(client.optionLabels(['lifecyclestage'])).resolves.toMatchObject({ lifecyclestage: { lead: 'LEAD', text_place: 'TEXT_PLACE' } });
  });

  it('leaves out a stage of no value, and answers each label as LeadLens shows it, none when nothing of it is visible', async () => {
    const client = clientOfLifecycleOptions([
      { value: 'subscriber', label: 'Subscriber', displayOrder: 0 },
      { value: 'lead', label: ' Lead\u202E (reversed ', displayOrder: 1 },
      // A blank stage would be the one suggested (the first past the middle), and a sync would store contacts without a stage as converted.
      { value: '', displayOrder: 2 },
      { value: '  ', label: 'Blank', displayOrder: 3 },
      { value: 'customer', label: 'C'.repeat(10_000), displayOrder: 4 },
      { value: 'evangelist', label: '\u200B\u2066', displayOrder: 5 },
    ]);
    const stages = await client.lifecycleStages!();
    expect(stages).toEqual([
      { value: 'subscriber', label: 'Subscriber' },
      { value: 'lead', label: 'Lead (reversed' },
      { value: 'customer', label: `${'C'.repeat(MAX_LABEL_CHARS - 1)}…` },
      { value: 'evangelist', label: undefined },
    ]);
    const order = lifecycleOrder(stages.map((stage) => stage.value));
    expect(suggestedStageReached(order)).toBe('customer');
    expect(hubspotOutcome('', order)).toBeNull();
    // As the background answers them (the value for a stage of no label), which the Training form's request takes.
    const reply = { ok: true, stages: stages.map(({ value, label }) => ({ value, label: label || value })) };
    expect(backgroundProtocol.crmLifecycleStages.output.parse(reply)).toEqual(reply);
    // What it refuses: a blank stage, a label longer than LeadLens shows, more stages than a model's rule may list.
    const refuses = (stages: unknown[]) => expect(backgroundProtocol.crmLifecycleStages.output.safeParse({ ok: true, stages }).success).toBe(false);
    refuses([{ value: ' ', label: 'Blank' }]);
    refuses([{ value: 'lead', label: 'L'.repeat(MAX_RULE_VALUE_LENGTH + 1) }]);
    refuses([{ value: 'x'.repeat(MAX_RULE_VALUE_LENGTH + 1), label: 'Long' }]);
    refuses(Array.from({ length: MAX_RULE_VALUES + 1 }, (_, i) => ({ value: `${i}`, label: `Stage ${i}` })));
  });

  it('answers none for a portal without the property', async () => {
    const properties = [{ name: 'lastmodifieddate', label: 'Last modified', type: 'datetime', options: [] }];
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: demoFetch(() => json(200, { results: properties })) });
    await expect(client.lifecycleStages!()).resolves.toEqual([]);
  });
});

describe('HubSpot archived contacts', () => {
  const DAY = 86_400_000;
  /** The requests of a list of every contact `pages` long, then of HubSpot's count, which the list must reach. */
  const everyContactRequests = (pages: number) => [
    ...Array.from({ length: pages }, (_, page) => `GET /crm/v3/objects/contacts?limit=100&properties=hs_object_id${page === 0 ? '' : `&after=${page * 100}`}`),
    'POST /crm/v3/objects/contacts/search',
  ];

  it('lists the contacts archived since a date, with when, paging the archived list 100 at a time (v3 and date-versioned)', async () => {
    for (const version of ['v3', '2026-03'] as const) {
      const { client, clock, store, requests } = setup(small, version);
      const since = clock.now() - 3 * DAY;
      const before = small.slice(0, 30);
      const after = small.slice(30, 150);
      before.forEach((lead, i) => store.deleteLead(lead, since - (i + 1) * 60_000));
      after.forEach((lead, i) => store.deleteLead(lead, since + i * 60_000));
      const deletions = await client.listDeleted(since);
      // Said to reach a day short of the browser's clock, which may run fast: the next sync asks from there.
      expect(deletions).toEqual({ kind: 'deleted-since', records: after.map((lead, i) => ({ id: lead.hubspotId, deletedAt: since + i * 60_000 })), coveredTo: clock.now() - DAY });
      const objects = version === 'v3' ? '/crm/v3/objects/contacts' : '/crm/objects/2026-03/contacts';
      expect(requests).toEqual([`GET ${objects}?limit=100&properties=hs_object_id&archived=true`, `GET ${objects}?limit=100&properties=hs_object_id&archived=true&after=100`]);
    }
  });

  it('lists every contact instead when the last sync is older than archived contacts are kept (90 days)', async () => {
    const { client, clock, store, requests } = setup();
    store.deleteLead(small[3], clock.now() - 95 * DAY);
    store.deleteLead(small[4], clock.now() - DAY);
    const deletions = await client.listDeleted(clock.now() - 100 * DAY);
    expect(deletions).toEqual({ kind: 'all-present', ids: small.filter((_, i) => i !== 3 && i !== 4).map((lead) => lead.hubspotId), coveredTo: clock.now() - DAY });
    expect(requests).toEqual(everyContactRequests(7)); // 698 contacts, 100 a page
    expect(requests.every((request) => !request.includes('archived'))).toBe(true);
  });

  it('lists every contact, which alone shows a contact deleted for good at once (a GDPR deletion), never archived', async () => {
    const { client, clock, store, requests } = setup();
    store.eraseHubSpotContact(small[5]);
    store.deleteLead(small[6], clock.now() - DAY);
    expect(await client.listDeleted(clock.now() - 3 * DAY)).toEqual({ kind: 'deleted-since', records: [{ id: small[6].hubspotId, deletedAt: clock.now() - DAY }], coveredTo: clock.now() - DAY });
    requests.length = 0;
    const present = await client.listPresent!();
    expect(present).toEqual({ kind: 'all-present', ids: small.filter((_, i) => i !== 5 && i !== 6).map((lead) => lead.hubspotId), coveredTo: clock.now() - DAY });
    expect(requests).toEqual(everyContactRequests(7)); // 698 contacts, 100 a page
    expect(requests.every((request) => !request.includes('archived'))).toBe(true);
  });

  describe('read whole about once a day when longer than 10 pages: a clean-up costs no hourly sync thousands of requests', () => {
    const HOUR = 3_600_000;
    const many = generateDemoLeads({ count: 1_230, seed: 5, now: NOW });
    const archivedListReads = (requests: string[]) => requests.filter((request) => request.includes('archived=true')).length;

    it('reads a list of 10 pages or fewer whole at every sync: a contact archived since the last sync is gone at the next', async () => {
      const { client, clock, store, requests } = setup(many);
      many.slice(0, 999).forEach((lead) => store.deleteLead(lead, clock.now() - 60 * DAY));
      store.deleteLead(many[999], clock.now() - 10 * 60_000);
      const deletions = await client.listDeleted(clock.now() - DAY - HOUR);
      expect(deletions).toEqual({ kind: 'deleted-since', records: [{ id: many[999].hubspotId, deletedAt: clock.now() - 10 * 60_000 }], coveredTo: clock.now() - DAY });
      expect(archivedListReads(requests)).toBe(10);
    });

    it('reads 10 pages of a longer list at a sync, saying it covered nothing past its date, and the whole list once the last whole read is a day old', async () => {
      const { client, clock, store, requests } = setup(many);
      // A clean-up two months ago, and a contact archived this morning: 13 pages.
      many.slice(0, 1_200).forEach((lead) => store.deleteLead(lead, clock.now() - 60 * DAY));
      store.deleteLead(many[1_200], clock.now() - 30 * 60_000);
      const first = await client.listDeleted(clock.now() - 3 * DAY);
      expect(first).toEqual({ kind: 'deleted-since', records: [{ id: many[1_200].hubspotId, deletedAt: clock.now() - 30 * 60_000 }], coveredTo: clock.now() - DAY });
      expect(archivedListReads(requests)).toBe(13);
      // Hourly syncs, each after a contact was archived, each asking from where the last read ended (as the sync engine does).
      let since = first.coveredTo - SYNC_LOOKBACK_MS;
      const archivedSinceWholeRead = [many[1_200].hubspotId];
      const syncs: { pagesRead: number; found: string[] }[] = [];
      for (let hour = 1; hour <= 24; hour++) {
        await clock.sleep(HOUR);
        // Listed last (the demo CRM lists the archived contacts oldest first): no read of 10 pages sees it.
        store.deleteLead(many[1_200 + hour], clock.now() - 10 * 60_000);
        archivedSinceWholeRead.push(many[1_200 + hour].hubspotId);
        requests.length = 0;
        const deletions = await client.listDeleted(since);
        if (deletions.kind !== 'deleted-since') throw new Error(`expected deletions, got ${deletions.kind}`);
        const pagesRead = archivedListReads(requests);
        // Cut short, a read leaves the next where it was; a whole one moves it on.
        expect(deletions.coveredTo).toBe(pagesRead === 10 ? since : clock.now() - DAY);
        syncs.push({ pagesRead, found: deletions.records.map((record) => record.id) });
        since = deletions.coveredTo - SYNC_LOOKBACK_MS;
      }
      // Each cut-short read leaves its date 5 minutes earlier (the look-back): the whole read comes at the 23rd hour, not the 24th.
      const wholeAt = 22;
      expect(syncs.map((sync) => sync.pagesRead)).toEqual([...Array<number>(wholeAt).fill(10), 13, 10]);
      expect(syncs.slice(0, wholeAt).every((sync) => sync.found.length === 0)).toBe(true);
      // Every contact archived since the last whole read (the one before it too: its date is within the look-back).
      expect(syncs[wholeAt].found).toEqual(archivedSinceWholeRead.slice(0, wholeAt + 2));
    });

    it('counts the day from where a whole read would have left it after a first sync, whose date is fresher', async () => {
      const { client, clock, store, requests } = setup(many);
      many.slice(0, 1_200).forEach((lead) => store.deleteLead(lead, clock.now() - 60 * DAY));
      // A first sync leaves the next asking from when it began.
      const deletions = await client.listDeleted(clock.now() - HOUR - SYNC_LOOKBACK_MS);
      expect(deletions).toEqual({ kind: 'deleted-since', records: [], coveredTo: clock.now() - DAY });
      expect(archivedListReads(requests)).toBe(10);
    });
  });

  it('refuses an archived contact without the date it was archived', async () => {
    const noDate = demoFetch(() => json(200, { results: [{ id: '101', properties: {}, archived: true }] }));
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock: virtualClock(), fetch: noDate });
    await expect(client.listDeleted(Date.parse('2026-10-30T00:00:00Z'))).rejects.toMatchObject({ kind: 'schema', message: expect.stringContaining('results.0.archivedAt') });
  });
});

describe('HubSpot calculated properties, which change without lastmodifieddate', () => {
  /** Every page of `listCalculated`, from the first to the last. */
  async function readAllCalculated(client: ReturnType<typeof createHubSpotClient>) {
    const pages: NonNullable<Awaited<ReturnType<NonNullable<typeof client.listCalculated>>>>[] = [];
    let pageToken: string | null = null;
    do {
      const page = await client.listCalculated!(pageToken);
      if (page === null) throw new Error('no calculated property');
      pages.push(page);
      pageToken = page.next;
    } while (pageToken !== null);
    return pages;
  }

  /** A property definition as HubSpot lists it. */
  const definition = (name: string, more: object = {}) => ({ name, label: name, type: 'number', fieldType: 'number', calculated: false, ...more });

  /**
   * A portal whose contact properties are `properties`, answering lists and batch reads with
   * `${id}:${name}` for every property asked (and the three HubSpot adds to every contact): no
   * value for `unanswered`, none for contacts of `gone` in a batch read.
   */
  function portal(properties: object[], { ids = ['101', '102'], unanswered = '', gone = [] as string[], maxUrl = Infinity } = {}) {
    const requests: { method: string; url: URL; asked: string[] }[] = [];
    const contact = (id: string, asked: readonly string[]) => ({
      id,
      properties: { ...Object.fromEntries(asked.filter((name) => name !== unanswered).map((name) => [name, `${id}:${name}`])), createdate: '2026-01-05T10:00:00.000Z', lastmodifieddate: '2026-02-05T10:00:00.000Z', hs_object_id: id },
      createdAt: '2026-01-05T10:00:00.000Z',
      updatedAt: '2026-02-05T10:00:00.000Z',
      archived: false,
    });
    const fetch = demoFetch((request) => {
      if (request.url.href.length > maxUrl) return { status: 414, headers: { 'content-type': 'text/html' }, body: '<h1>414 Request-URI Too Large</h1>' };
      if (request.url.pathname === '/crm/v3/properties/contacts') return json(200, { results: properties });
      if (request.method === 'POST') {
        const body = JSON.parse(request.body) as { properties: string[]; inputs: { id: string }[] };
        requests.push({ method: 'POST', url: request.url, asked: body.properties });
        const found = body.inputs.map((input) => input.id).filter((id) => !gone.includes(id));
        return json(found.length === body.inputs.length ? 200 : 207, { status: 'COMPLETE', results: found.map((id) => contact(id, body.properties)), startedAt: '2026-11-01T00:00:00Z', completedAt: '2026-11-01T00:00:01Z' });
      }
      const asked = request.url.searchParams.get('properties')!.split(',');
      requests.push({ method: 'GET', url: request.url, asked });
      const after = request.url.searchParams.get('after');
      // Two pages of one contact each, the second after an opaque cursor.
      const [id, next] = after === null ? [ids[0], 'c/1+&='] : [ids[1], null];
      return json(200, { results: [contact(id, asked)], ...(next && { paging: { next: { after: next, link: `https://api.hubapi.com/crm/v3/objects/contacts?after=${encodeURIComponent(next)}` } } }) });
    });
    return { client: createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock: virtualClock(), fetch }), requests };
  }

  it('reads every contact’s calculated properties from the list, 100 contacts a page, with those properties only (v3 and date-versioned)', async () => {
    for (const version of ['v3', '2026-03'] as const) {
      const { client, requests } = setup(small, version);
      const pages = await readAllCalculated(client);
      expect(pages).toHaveLength(Math.ceil(small.length / 100));
      // The demo's num_conversion_events, a count HubSpot keeps itself; no lastmodifieddate, createdate or hs_object_id, which HubSpot adds to every contact.
      const read = pages.flatMap((page) => page.records);
      expect(read).toEqual(small.map((lead) => ({ id: lead.hubspotId, fields: { num_conversion_events: lead.hubspot.num_conversion_events } })));
      const list = version === 'v3' ? '/crm/v3/objects/contacts' : '/crm/objects/2026-03/contacts';
      expect(requests.filter((request) => !request.includes('/properties/'))).toEqual(
        pages.map((_, page) => `GET ${list}?limit=100&properties=num_conversion_events${page === 0 ? '' : `&after=${page * 100}`}`),
      );
    }
  });

  it('takes HubSpot’s calculated properties and the portal’s calculation properties, never lastmodifieddate; follows the opaque `after`', async () => {
    const { client, requests } = portal([
      definition('lastmodifieddate', { type: 'datetime', fieldType: 'date', calculated: true, hubspotDefined: true }),
      definition('hs_time_in_lead', { calculated: true, hubspotDefined: true }),
      definition('jobtitle', { type: 'string', fieldType: 'text', hubspotDefined: true }),
      definition('deals_total', { fieldType: 'calculation_rollup' }),
      definition('fit_equation', { type: 'string', fieldType: 'calculation_equation' }),
      definition('leadlens_score'),
    ], { unanswered: 'fit_equation' });
    const pages = await readAllCalculated(client);
    expect(requests.map(({ method, url }) => `${method} ${url.search}`)).toEqual([
      'GET ?limit=100&properties=hs_time_in_lead%2Cdeals_total%2Cfit_equation',
      `GET ?limit=100&properties=hs_time_in_lead%2Cdeals_total%2Cfit_equation&after=${encodeURIComponent('c/1+&=')}`,
    ]);
    // A property HubSpot leaves out of its answer is not emptied. Each page lists its ids, as the list of every contact does.
    const coveredTo = virtualClock().now() - CLOCK_ALLOWANCE_MS;
    expect(pages).toEqual([
      { records: [{ id: '101', fields: { hs_time_in_lead: '101:hs_time_in_lead', deals_total: '101:deals_total' } }], next: 'c/1+&=', listed: { ids: ['101'], coveredTo } },
      { records: [{ id: '102', fields: { hs_time_in_lead: '102:hs_time_in_lead', deals_total: '102:deals_total' } }], next: null, listed: { ids: ['102'], coveredTo } },
    ]);
  });

  it('answers null, asking for no contact, when the portal has no calculated property', async () => {
    const { client, requests } = portal([definition('lastmodifieddate', { type: 'datetime', calculated: true }), definition('leadlens_score')]);
    await expect(client.listCalculated!(null)).resolves.toBeNull();
    expect(requests).toEqual([]);
  });

  it('asks the list for as many names as a URL takes, and the page’s contacts for the rest by POST; one gone meanwhile keeps those', async () => {
    const names = Array.from({ length: 400 }, (_, i) => `hs_v2_cumulative_time_in_${1_000_000 + i}`);
    const { client, requests } = portal([definition('lastmodifieddate', { type: 'datetime' }), ...names.map((name) => definition(name, { calculated: true }))], { maxUrl: 8_000, gone: ['102'] });
    const pages = await readAllCalculated(client);
    expect(requests.map(({ method, url }) => `${method} ${url.pathname}`)).toEqual([
      'GET /crm/v3/objects/contacts',
      'POST /crm/v3/objects/contacts/batch/read',
      'GET /crm/v3/objects/contacts',
      'POST /crm/v3/objects/contacts/batch/read',
    ]);
    const [listed, posted] = requests;
    expect(listed.url.href.length).toBeLessThanOrEqual(5_200);
    expect([...listed.asked, ...posted.asked]).toEqual(names);
    expect(pages[0].records).toEqual([{ id: '101', fields: Object.fromEntries(names.map((name) => [name, `101:${name}`])) }]);
    expect(pages[1].records).toEqual([{ id: '102', fields: Object.fromEntries(listed.asked.map((name) => [name, `102:${name}`])) }]);
  });

  it('refuses a malformed page, naming what is wrong, and leaves out a contact it cannot read', async () => {
    const properties = [definition('lastmodifieddate', { type: 'datetime' }), definition('deals_total', { fieldType: 'calculation_rollup' })];
    const answering = (page: object) => createHubSpotClient({
      accessToken: async () => 'pat-na1-secret',
      clock: virtualClock(),
      fetch: demoFetch((request) => json(200, request.url.pathname.includes('/properties/') ? { results: properties } : page)),
    });
    const contact = (id: string, value: unknown) => ({ id, properties: { deals_total: value, hs_object_id: id }, archived: false });
    await expect(answering({ results: [contact('101', '3')], paging: { next: { link: 'https://api.hubapi.com/crm/v3/objects/contacts?after=2' } } }).listCalculated!(null)).rejects.toMatchObject({ kind: 'schema', message: expect.stringContaining('paging.next.after') });
    await expect(answering({ contacts: [contact('101', '3')] }).listCalculated!(null)).rejects.toMatchObject({ kind: 'schema', message: expect.stringContaining('results') });
    // A page none of whose contacts can be read is a changed schema; one odd contact among others is left out.
    const numbers = Array.from({ length: 10 }, (_, i) => contact(String(101 + i), 3));
    await expect(answering({ results: numbers }).listCalculated!(null)).rejects.toMatchObject({ kind: 'schema', message: expect.stringMatching(/none of its 10 records .*properties\.deals_total/) });
    await expect(answering({ results: [contact('101', '3'), contact('102', 4), contact('x', '5')] }).listCalculated!(null)).resolves.toEqual({ records: [{ id: '101', fields: { deals_total: '3' } }], next: null });
  });

  it('waits out a 429 and refuses a redirect, as every request of the client', async () => {
    const properties = [definition('lastmodifieddate', { type: 'datetime' }), definition('deals_total', { fieldType: 'calculation_rollup' })];
    const answers = [
      json(429, { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', category: 'RATE_LIMITS' }),
      json(200, { results: [{ id: '101', properties: { deals_total: '3' } }] }),
      { status: 301, headers: { location: 'https://elsewhere.example/crm/v3/objects/contacts' }, body: '' },
    ];
    let lists = 0;
    const clock = virtualClock();
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch: demoFetch((request) => (request.url.pathname.includes('/properties/') ? json(200, { results: properties }) : answers[lists++])) });
    // Deletions are covered from before the wait.
    await expect(client.listCalculated!(null)).resolves.toEqual({ records: [{ id: '101', fields: { deals_total: '3' } }], next: null, listed: { ids: ['101'], coveredTo: virtualClock().now() - CLOCK_ALLOWANCE_MS } });
    expect(lists).toBe(2);
    expect(clock.slept).toBeGreaterThan(0);
    await expect(client.listCalculated!(null)).rejects.toMatchObject({ kind: 'request', message: expect.stringContaining('redirect') });
  });
});

describe(`a HubSpot list of every contact of a portal past the search cap, whose count may stop at ${HUBSPOT_SEARCH_CAP.toLocaleString('en-US')}`, () => {
  const big = generateDemoLeads({ count: HUBSPOT_SEARCH_CAP + 2_000, seed: 11, now: NOW });

  /** The demo CRM counting as `searchTotal` says, whose list of every contact ends after `listedPages` pages (Infinity: its end). */
  function portal(searchTotal: HubSpotApiOptions['searchTotal'], listedPages = Infinity) {
    const clock = virtualClock();
    const { store } = createDemoCrm(big);
    const handle = hubspotApi(store, () => '4512345', clock.now, { ...HUBSPOT_API_DEFAULTS, searchTotal });
    let pages = 0;
    let searches = 0;
    const fetch = demoFetch((request) => {
      const response = handle(request);
      if (request.url.pathname.endsWith('/search')) searches++;
      const everyContact = request.method === 'GET' && request.url.searchParams.get('properties') === 'hs_object_id' && !request.url.searchParams.has('archived');
      if (!everyContact || ++pages < listedPages) return response;
      const body = JSON.parse(response.body);
      delete body.paging;
      return { ...response, body: JSON.stringify(body) };
    });
    return { client: createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch }), searches: () => searches };
  }

  it('refuses a list cut short that a count stopped at the cap would pass, removing no lead', async () => {
    await expect(portal('capped', 105).client.listPresent!()).rejects.toMatchObject({ kind: 'schema', listed: 10_500, counted: big.length, message: expect.stringContaining('HubSpot listed 10,500 contacts of the 12,000 it counts: LeadLens removed no lead') });
    await expect(portal('capped', 40).client.listPresent!()).rejects.toMatchObject({ kind: 'schema', message: expect.stringContaining('HubSpot listed 4,000 contacts of the 10,000 or more it counts') });
    await expect(portal('exact', 105).client.listPresent!()).rejects.toMatchObject({ listed: 10_500, counted: big.length });
  });

  it('takes the whole list, whether the count stops at the cap or not, counting it in spans of ids', async () => {
    for (const searchTotal of ['capped', 'exact'] as const) {
      const { client, searches } = portal(searchTotal);
      const { ids } = await client.listPresent!();
      expect(new Set(ids)).toEqual(new Set(big.map((lead) => lead.hubspotId)));
      // The portal's count, then one per span of 5,000 listed contacts and the open span after the last.
      expect(searches()).toBe(1 + 3);
    }
  });
});

describe('a HubSpot list of every contact cut short (a page answered without its `paging`)', () => {
  const DB = 'leadlens-hubspot-cut-short-test';
  const DAY = 86_400_000;
  beforeEach(stubWebLocks);
  afterEach(async () => {
    vi.unstubAllGlobals();
    await Dexie.delete(DB);
  });

  /**
   * A client of the demo CRM whose list of every contact (of their ids, or of their calculated
   * properties, which a sync's comparison takes for it) ends after its first page while
   * `cut(true)`, and whose searches count `countedToo` contacts more than it has, as HubSpot's
   * index does for a few minutes after contacts are deleted (or for good, `countToo`: contacts
   * deleted that its index never dropped). `contactLists`: the pages of lists of every contact
   * (their ids, or their calculated properties) asked for so far.
   */
  function portal({ countedToo = 0 } = {}) {
    const behaviour = defaultBehaviour();
    const clock = virtualClock();
    behaviour.now = clock.now;
    const { handle, store: crm } = createDemoCrm(small, behaviour);
    let cutShort = false;
    let contactLists = 0;
    const fetch = demoFetch((request) => {
      const response = handle(request);
      const listsContacts = request.method === 'GET' && request.url.pathname.endsWith('/objects/contacts') && !request.url.searchParams.has('archived');
      if (listsContacts) contactLists++;
      const search = request.url.pathname.endsWith('/search');
      if (!(cutShort && listsContacts) && !(search && countedToo > 0)) return response;
      const body = JSON.parse(response.body);
      if (search) body.total += countedToo;
      else delete body.paging;
      return { ...response, body: JSON.stringify(body) };
    });
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch });
    return { client, clock, crm, cut: (on: boolean) => void (cutShort = on), countToo: (more: number) => void (countedToo = more), contactLists: () => contactLists };
  }
  const cutShortRefusal = { kind: 'schema', message: expect.stringContaining('HubSpot listed 100 contacts of the 700 it counts: LeadLens removed no lead') };
  const HOUR = 3_600_000;

  it('refuses it, as the list of every contact and as the fallback of an archived list that no longer reaches back to the last sync', async () => {
    const { client, clock, cut } = portal();
    cut(true);
    await expect(client.listPresent!()).rejects.toMatchObject(cutShortRefusal);
    await expect(client.listDeleted(clock.now() - 100 * DAY)).rejects.toMatchObject(cutShortRefusal);
  });

  it('takes a list up to 10 contacts short of the count, which may hold contacts deleted minutes ago, and refuses one 11 short', async () => {
    expect((await portal({ countedToo: 10 }).client.listPresent!()).ids).toHaveLength(small.length);
    await expect(portal({ countedToo: 11 }).client.listPresent!()).rejects.toMatchObject({ kind: 'schema', message: expect.stringContaining('HubSpot listed 700 contacts of the 711 it counts') });
  });

  it('refuses the weekly comparison of a sync, removing no lead, which ends done with a note; the first sync a day later compares', async () => {
    const { client, clock, cut } = portal();
    const db = new LeadLensDb(DB);
    const store = dexieSyncStore(db);
    const first = await runSync({ client, store, now: clock.now });
    expect(first.status).toBe('done');
    await clock.sleep(first.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    cut(true);
    const refusedAt = clock.now();
    const refused = await runSync({ client, store, now: clock.now });
    expect(refused).toMatchObject({ status: 'done', error: null, idsComparedAt: first.idsComparedAt, lastRun: { removed: 0, comparisonRefused: { at: refusedAt, listed: 100, counted: 700 } } });
    expect(await db.leads.count()).toBe(small.length);
    cut(false);
    await clock.sleep(DAY - 1);
    const before = await runSync({ client, store, now: clock.now });
    expect(before).toMatchObject({ status: 'done', idsComparedAt: first.idsComparedAt, lastRun: { comparisonRefused: refused.lastRun!.comparisonRefused } });
    await clock.sleep(1);
    const compared = await runSync({ client, store, now: clock.now });
    expect(compared).toMatchObject({ status: 'done', lastRun: { removed: 0 } });
    expect(compared.lastRun!.comparisonRefused).toBeUndefined();
    expect(compared.idsComparedAt).toBeGreaterThan(first.idsComparedAt!);
    expect(await db.leads.count()).toBe(small.length);
    db.close();
  });

  it('a count above the list for good: every sync ends done, removes the contacts HubSpot archives and no other, and lists every contact only once a day', async () => {
    const { client, clock, crm, countToo, contactLists } = portal();
    const db = new LeadLensDb(DB);
    const store = dexieSyncStore(db);
    const sync = () => runSync({ client, store, now: clock.now });
    const first = await sync();
    expect(first.status).toBe('done');
    await clock.sleep(first.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    countToo(11); // 11 contacts HubSpot's index counts and its list never returns
    const [archived, archivedLater] = [small[3], small[4]];
    crm.deleteLead(archived, clock.now());
    const keyOf = (lead: (typeof small)[number]) => `hubspot|${lead.hubspotId}`;

    const listsBefore = contactLists();
    const refusedAt = clock.now();
    const refused = await sync();
    const refusal = { at: refusedAt, listed: small.length - 1, counted: small.length - 1 + 11 };
    expect(refused).toMatchObject({ status: 'done', error: null, idsComparedAt: first.idsComparedAt, lastRun: { removed: 1, comparisonRefused: refusal } });
    expect(contactLists()).toBeGreaterThan(listsBefore);
    expect(await db.leads.get(keyOf(archived))).toBeUndefined();
    expect(await db.leads.count()).toBe(small.length - 1);

    // Hourly syncs within the day list no contact, and still remove those HubSpot archives.
    await clock.sleep(HOUR);
    crm.deleteLead(archivedLater, clock.now());
    const listsAfterRefusal = contactLists();
    for (let hour = 1; hour < 24; hour++) {
      expect(await sync()).toMatchObject({ status: 'done', idsComparedAt: first.idsComparedAt, lastRun: { comparisonRefused: refusal } });
      await clock.sleep(HOUR);
    }
    expect(contactLists()).toBe(listsAfterRefusal);
    expect(await db.leads.get(keyOf(archivedLater))).toBeUndefined();
    expect(await db.leads.count()).toBe(small.length - 2);

    // A day after the refusal, the next sync compares again, and is refused again.
    const againAt = clock.now();
    expect(againAt).toBeGreaterThanOrEqual(refusedAt + DAY);
    expect(await sync()).toMatchObject({ status: 'done', lastRun: { removed: 0, comparisonRefused: { at: againAt, listed: small.length - 2, counted: small.length - 2 + 11 } } });
    expect(contactLists()).toBeGreaterThan(listsAfterRefusal);
    expect(await db.leads.count()).toBe(small.length - 2);
    db.close();
  });

  it('after 100 days without a sync, a comparison cut short removes the contacts archived in the last 90 days and no other, and the next sync reads the archived list from there', async () => {
    const { client, clock, crm, cut, contactLists } = portal();
    const db = new LeadLensDb(DB);
    const store = dexieSyncStore(db);
    expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
    await clock.sleep(100 * DAY);
    crm.deleteLead(small[5], clock.now() - DAY);
    cut(true);
    const refusedAt = clock.now();
    const refused = await runSync({ client, store, now: clock.now });
    expect(refused).toMatchObject({ status: 'done', lastRun: { removed: 1, comparisonRefused: { at: refusedAt, listed: 100, counted: small.length - 1 } } });
    expect(await db.leads.get(`hubspot|${small[5].hubspotId}`)).toBeUndefined();
    expect(await db.leads.count()).toBe(small.length - 1);
    // The archived list, read whole, reaches back to the next sync: it lists no contact.
    expect(refused.deletionCursor).toBeGreaterThan(clock.now() - 2 * DAY);
    const lists = contactLists();
    await clock.sleep(HOUR);
    expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
    expect(contactLists()).toBe(lists);
    db.close();
  });
});

describe('HubSpot calculated properties in a sync', () => {
  const DB = 'leadlens-hubspot-calculated-test';
  beforeEach(stubWebLocks);
  afterEach(async () => {
    vi.unstubAllGlobals();
    await Dexie.delete(DB);
  });

  it('reads again at the weekly comparison a value HubSpot calculated anew without changing lastmodifieddate, which the daily syncs miss', async () => {
    const leads = generateDemoLeads({ count: 450, seed: 12, now: NOW });
    const { client, clock } = setup(leads);
    const db = new LeadLensDb(DB);
    const store = dexieSyncStore(db);
    const first = await runSync({ client, store, now: clock.now });
    expect(first.status).toBe('done');
    // New form submissions: HubSpot counts them in num_conversion_events, leaving lastmodifieddate as it was.
    const converted = leads.filter((_, index) => index % 90 === 7);
    for (const lead of converted) lead.hubspot.num_conversion_events = String(Number(lead.hubspot.num_conversion_events ?? 0) + 1);
    const stored = async () => (await db.leads.bulkGet(converted.map((lead) => `hubspot|${lead.hubspotId}`))).map((lead) => lead?.fields.num_conversion_events);
    const now = converted.map((lead) => lead.hubspot.num_conversion_events);
    await clock.sleep(86_400_000);
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', lastRun: { synced: 0 } });
    expect((await stored()).filter((value, i) => value === now[i])).toEqual([]);
    await clock.sleep(first.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    // Each is stored again, and counted as changed (so scored again).
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', lastRun: { synced: converted.length, removed: 0 } });
    expect(await stored()).toEqual(now);
    db.close();
  });

  it('lists every contact once at the weekly comparison: the ids of that read are the list it compares with, checked against the count as that list is', async () => {
    const leads = generateDemoLeads({ count: 450, seed: 12, now: NOW });
    const { client, clock, store: crm, requests } = setup(leads);
    const db = new LeadLensDb(DB);
    const store = dexieSyncStore(db);
    const first = await runSync({ client, store, now: clock.now });
    expect(first.status).toBe('done');
    const [erased, converted] = [leads[40], leads[41]];
    crm.eraseHubSpotContact(erased);
    converted.hubspot.num_conversion_events = String(Number(converted.hubspot.num_conversion_events ?? 0) + 1);
    await clock.sleep(first.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    requests.length = 0;
    const compared = await runSync({ client, store, now: clock.now });
    expect(compared).toMatchObject({ status: 'done', lastRun: { synced: 1, removed: 1 } });
    expect(compared.idsComparedAt).toBeGreaterThan(first.idsComparedAt!);
    expect(await db.leads.get(`hubspot|${erased.hubspotId}`)).toBeUndefined();
    expect((await db.leads.get(`hubspot|${converted.hubspotId}`))?.fields.num_conversion_events).toBe(converted.hubspot.num_conversion_events);
    expect(await db.leads.count()).toBe(leads.length - 1);
    // One read of the list of every contact, 100 a page: the calculated properties'. Then one count of the portal.
    const lists = requests.filter((request) => /^GET \/crm\/v3\/objects\/contacts\?/.test(request) && !request.includes('archived='));
    expect(lists).toHaveLength(Math.ceil((leads.length - 1) / 100));
    expect(lists.every((request) => request.includes('properties=num_conversion_events'))).toBe(true);
    // The search for changes, and the count.
    expect(requests.filter((request) => request.startsWith('POST /crm/v3/objects/contacts/search'))).toHaveLength(2);
    db.close();
  });

  it('lists every contact’s id itself at the weekly comparison when a page of calculated properties could not list its ids', async () => {
    const leads = generateDemoLeads({ count: 450, seed: 12, now: NOW });
    const { client, clock, store: crm, requests } = setup(leads);
    // Its pages after the first list no ids, as a page holding a contact without a readable id does.
    const unlisting: CrmClient = {
      ...client,
      listCalculated: async (token, signal) => {
        const page = await client.listCalculated!(token, signal);
        if (page === null || token === null) return page;
        const { listed: _, ...values } = page;
        return values;
      },
    };
    const db = new LeadLensDb(DB);
    const store = dexieSyncStore(db);
    const first = await runSync({ client: unlisting, store, now: clock.now });
    expect(first.status).toBe('done');
    crm.eraseHubSpotContact(leads[40]);
    await clock.sleep(first.idsComparedAt! + FULL_COMPARISON_EVERY_MS - clock.now());
    requests.length = 0;
    expect(await runSync({ client: unlisting, store, now: clock.now })).toMatchObject({ status: 'done', lastRun: { removed: 1 } });
    expect(await db.leads.count()).toBe(leads.length - 1);
    const idLists = requests.filter((request) => /^GET \/crm\/v3\/objects\/contacts\?.*properties=hs_object_id/.test(request) && !request.includes('archived='));
    expect(idLists).toHaveLength(Math.ceil((leads.length - 1) / 100));
    db.close();
  });
});
