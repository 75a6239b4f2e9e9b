import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_ALLOWANCE_PAUSE_AT, apiAllowancePause } from './client';
import { HttpClient, isCrmError } from './http';
import { createHubSpotClient, hubspotApiUsage } from './hubspot-client';
import { createSalesforceClient, salesforceApiUsage } from './salesforce-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';

const headers = (values: Record<string, string>) => new Headers(values);
const salesforceSays = (value: string) => salesforceApiUsage(headers({ 'Sforce-Limit-Info': value }));
const hubspotSays = (daily: string | null, remaining: string | null) =>
  hubspotApiUsage(headers({ ...(daily !== null && { 'X-HubSpot-RateLimit-Daily': daily }), ...(remaining !== null && { 'X-HubSpot-RateLimit-Daily-Remaining': remaining }) }));

/** A fetch answering each request with the next of `answers` (status, body, headers), noting the paths asked. */
function answering(...answers: [number, unknown, Record<string, string>][]) {
  const paths: string[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    paths.push(new URL(String(input)).pathname);
    const [status, body, sent] = answers[Math.min(paths.length, answers.length) - 1];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...sent } });
  };
  return { fetch, paths };
}

const salesforceClientOn = (fetch: typeof globalThis.fetch) =>
  createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => 'sid', clock: virtualClock(), fetch });
const LEAD_ID = '00Q000000000001AAA';

describe('reading how much of the API allowance is used, from the answers’ headers', () => {
  it('Salesforce: Sforce-Limit-Info’s api-usage, its other parts left aside; over the limit too (Salesforce lets an org go over a while)', () => {
    expect(salesforceSays('api-usage=91200/100000')).toEqual({ used: 91_200, limit: 100_000 });
    expect(salesforceSays('api-usage=10018/100000; api-bursts=1/750')).toEqual({ used: 10_018, limit: 100_000 });
    expect(salesforceSays('per-app-api-usage=17/250(appName=sample-connected-app); api-usage=25/5000')).toEqual({ used: 25, limit: 5_000 });
    expect(salesforceSays('api-usage=110018/100000')).toEqual({ used: 110_018, limit: 100_000 });
  });

  it('Salesforce: a header absent or of another shape says nothing', () => {
    expect(salesforceApiUsage(headers({}))).toBeNull();
    for (const malformed of ['', 'api-usage=', 'api-usage=12', 'api-usage=12/0', 'api-usage=-1/100', 'api-usage=1.5/100', 'api-usage=1e3/100000', 'api-usage=12/5000x', 'api-usage=0x10/5000', 'api-usage=1/1234567890123', 'per-app-api-usage=17/250(appName=x)', 'api-usage=12 / 5000', 'API-USAGE=12/5000']) {
      expect(salesforceSays(malformed), malformed).toBeNull();
    }
  });

  it('HubSpot: the daily limit less what remains of it', () => {
    expect(hubspotSays('250000', '24000')).toEqual({ used: 226_000, limit: 250_000 });
    expect(hubspotSays('500000', '500000')).toEqual({ used: 0, limit: 500_000 });
  });

  it('HubSpot: either header missing (an OAuth app, a search), or not a count, or more remaining than allowed, says nothing', () => {
    for (const [daily, remaining] of [[null, null], ['250000', null], [null, '1000'], ['250000', '-5'], ['250000', '1,000'], ['2.5e5', '1000'], ['0', '0'], ['250000', '250001'], ['', '']] as const) {
      expect(hubspotSays(daily, remaining), `${daily} / ${remaining}`).toBeNull();
    }
  });

  it('the client keeps the latest reading, a refusal’s too; an answer saying nothing, or nothing readable, leaves it as it was', async () => {
    const { fetch } = answering(
      [200, { ok: true }, { 'sforce-limit-info': 'api-usage=100/1000' }],
      [200, { ok: true }, { 'sforce-limit-info': 'api-usage=lots/1000' }],
      [200, { ok: true }, {}],
      [404, { code: 'NOT_FOUND' }, { 'sforce-limit-info': 'api-usage=950/1000' }],
    );
    const http = new HttpClient({ crmLabel: 'Salesforce', origin: 'https://acme.my.salesforce.com', authorization: async () => 'Bearer sid', limitersFor: () => [], readErrorBody: () => ({}), readApiUsage: salesforceApiUsage, timeoutMs: 1_000, clock: virtualClock(), fetch });
    const read = () => http.request({ path: '/services/data/v67.0/limits', schema: z.unknown(), what: 'read' });
    expect(http.apiUsage()).toBeNull();
    await read();
    expect(http.apiUsage()).toEqual({ used: 100, limit: 1_000 });
    await read();
    await read();
    expect(http.apiUsage()).toEqual({ used: 100, limit: 1_000 });
    await expect(read()).rejects.toThrow(/HTTP 404/);
    expect(http.apiUsage()).toEqual({ used: 950, limit: 1_000 });
  });

  it('forgets a reading 15 minutes old, so a job it paused, resumed in the same worker with no answer saying more, is not paused by it again', async () => {
    const clock = virtualClock();
    const { fetch } = answering([200, { ok: true }, { 'sforce-limit-info': 'api-usage=950/1000' }]);
    const http = new HttpClient({ crmLabel: 'Salesforce', origin: 'https://acme.my.salesforce.com', authorization: async () => 'Bearer sid', limitersFor: () => [], readErrorBody: () => ({}), readApiUsage: salesforceApiUsage, timeoutMs: 1_000, clock, fetch });
    await http.request({ path: '/services/data/v67.0/limits', schema: z.unknown(), what: 'read' });
    await clock.sleep(15 * 60_000 - 1);
    expect(http.apiUsage()).toEqual({ used: 950, limit: 1_000 });
    await clock.sleep(1);
    expect(http.apiUsage()).toBeNull();
  });

  it('each client hands its reading on', async () => {
    const salesforce = answering([200, { records: [], totalSize: 0, done: true }, { 'sforce-limit-info': 'api-usage=91200/100000' }]);
    const salesforceClient = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => 'sid', clock: virtualClock(), fetch: salesforce.fetch });
    await salesforceClient.ownerNames(['005000000000001AAA']);
    expect(salesforceClient.apiUsage?.()).toEqual({ used: 91_200, limit: 100_000 });
    const { fetch } = answering([200, { results: [] }, { 'x-hubspot-ratelimit-daily': '250000', 'x-hubspot-ratelimit-daily-remaining': '1000' }]);
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock: virtualClock(), fetch });
    await client.batchRead(['101'], { fields: ['email'] });
    expect(client.apiUsage?.()).toEqual({ used: 249_000, limit: 250_000 });
  });
});

describe('pausing at 90 % of the allowance (apiAllowancePause)', () => {
  const reading = (used: number, limit: number) => ({ apiUsage: () => ({ used, limit }) });

  it('pauses from 90 % on, not below, and not when nothing is known', () => {
    expect(API_ALLOWANCE_PAUSE_AT).toBe(0.9);
    expect(apiAllowancePause('salesforce', reading(89_999, 100_000), 'sync')).toBeNull();
    expect(isCrmError(apiAllowancePause('salesforce', reading(90_000, 100_000), 'sync'), 'rate')).toBe(true);
    expect(isCrmError(apiAllowancePause('salesforce', reading(120_000, 100_000), 'sync'), 'rate')).toBe(true);
    expect(apiAllowancePause('hubspot', { apiUsage: () => null }, 'write-back')).toBeNull();
    expect(apiAllowancePause('hubspot', {}, 'write-back')).toBeNull();
  });

  it('says the figures, why it paused and what happens next, for each CRM and job', () => {
    expect(apiAllowancePause('salesforce', reading(91_200, 100_000), 'sync')?.message).toBe(
      'Salesforce: your org has used 91,200 of its 100,000 API requests of the last 24 hours; LeadLens paused this sync to leave the rest to your other integrations. Sync again in a few hours, as requests older than 24 hours stop counting: it goes on from where it stopped.',
    );
    expect(apiAllowancePause('hubspot', reading(225_000, 250_000), 'sync')?.message).toBe(
      'HubSpot: your account has used 225,000 of its 250,000 API requests for today; LeadLens paused this sync to leave the rest to your other integrations. Sync again tomorrow, when HubSpot counts them afresh: it goes on from where it stopped.',
    );
    expect(apiAllowancePause('salesforce', reading(95_000, 100_000), 'write-back')?.message).toBe(
      'Salesforce: your org has used 95,000 of its 100,000 API requests of the last 24 hours; LeadLens paused this write-back to leave the rest to your other integrations. The leads written so far stay written; write back again in a few hours, as requests older than 24 hours stop counting.',
    );
    expect(apiAllowancePause('hubspot', reading(240_000, 250_000), 'write-back')?.message).toBe(
      'HubSpot: your account has used 240,000 of its 250,000 API requests for today; LeadLens paused this write-back to leave the rest to your other integrations. The leads written so far stay written; write back again tomorrow, when HubSpot counts them afresh.',
    );
  });
});

describe('the weekly comparison with every HubSpot contact, a page per 100 contacts', () => {
  it('stops before its next page once an answer says 90 % of the day’s allowance is used, with the figures', async () => {
    const daily = (remaining: number) => ({ 'x-hubspot-ratelimit-daily': '250000', 'x-hubspot-ratelimit-daily-remaining': String(remaining) });
    const page = (id: string, after?: string) => ({ results: [{ id }], ...(after !== undefined && { paging: { next: { after } } }) });
    const { fetch, paths } = answering([200, page('101', 'p2'), daily(30_000)], [200, page('102', 'p3'), daily(25_000)], [200, page('103'), daily(24_000)]);
    const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock: virtualClock(), fetch });
    await expect(client.listPresent!()).rejects.toMatchObject({
      kind: 'rate',
      message: expect.stringContaining('HubSpot: your account has used 225,000 of its 250,000 API requests for today; LeadLens paused this sync'),
    });
    expect(paths).toEqual(['/crm/v3/objects/contacts', '/crm/v3/objects/contacts']);
  });
});

describe('Salesforce’s refusal once the org may make no more requests (403 REQUEST_LIMIT_EXCEEDED), in words', () => {
  it('its requests of the last 24 hours used up (TotalRequests): says so, and when to try again', async () => {
    const { fetch } = answering([403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], {}]);
    await expect(salesforceClientOn(fetch).readRecord(LEAD_ID, { fields: ['Id', 'SystemModstamp'] })).rejects.toMatchObject({
      kind: 'request',
      status: 403,
      crmCode: 'REQUEST_LIMIT_EXCEEDED',
      message:
        'Salesforce takes no more API requests from your org for now: the org has used all those Salesforce allows it in 24 hours, which all its integrations share. Requests older than 24 hours stop counting, so try again in a few hours (Salesforce refused describe Lead: HTTP 403 (REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.))',
    });
  });

  it('another of its request limits (too many long requests at once): says it is one or the other', async () => {
    const { fetch } = answering([403, [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], {}]);
    await expect(salesforceClientOn(fetch).readRecord(LEAD_ID, { fields: ['Id', 'SystemModstamp'] })).rejects.toThrow(
      'Salesforce takes no more API requests from your org for now: its daily request limit is used up, or too many requests run at once. Try again later (Salesforce refused describe Lead: HTTP 403 (REQUEST_LIMIT_EXCEEDED: ConcurrentPerOrgLongTxn Limit exceeded.))',
    );
  });
});
