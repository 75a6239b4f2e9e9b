import { describe, expect, it } from 'vitest';
import { NO_FAULTS, defaultBehaviour, misbehavingApi, parseFaults } from './behaviour';
import { json, type DemoRequest } from './http';

describe('the demo CRM’s faults', () => {
  it('reads a rate for both CRMs, or for the one its name is prefixed with, and refuses what it does not know', () => {
    expect(parseFaults('hubspot:429=0.2,500=0.1,salesforce:timeout=0.02')).toEqual({
      hubspot: { ...NO_FAULTS, rateLimited: 0.2, serverError: 0.1 },
      salesforce: { ...NO_FAULTS, serverError: 0.1, timeout: 0.02 },
    });
    expect(() => parseFaults('pipedrive:429=0.1')).toThrow('"pipedrive:429=0.1" is not one of');
    expect(() => parseFaults('503=0.1')).toThrow('"503=0.1" is not one of');
    expect(() => parseFaults('hubspot:429=0.6,500=0.5')).toThrow("hubspot's rates add up to more than 1");
  });

  it('answers a request over the limit as each CRM does: HubSpot 429 with a Retry-After, Salesforce 403 REQUEST_LIMIT_EXCEEDED with none', () => {
    const behaviour = defaultBehaviour();
    behaviour.faults = parseFaults('429=1');
    const request = (host: string): DemoRequest => ({ method: 'GET', host, url: new URL(`https://${host}/`), headers: {}, body: '' });
    const salesforce = misbehavingApi('salesforce', () => json(200, {}), behaviour)(request('acme.my.salesforce.com'));
    expect(salesforce).toEqual({ status: 403, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: '[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]' });
    const hubspot = misbehavingApi('hubspot', () => json(200, {}), behaviour)(request('api.hubapi.com'));
    expect(hubspot).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    expect(JSON.parse(hubspot.body)).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' });
    expect(behaviour.served.salesforce.rateLimited).toBe(1);
    expect(behaviour.served.hubspot.rateLimited).toBe(1);
  });
});

describe('the demo CRM’s API allowance', () => {
  const request = (host: string, path: string): DemoRequest => ({ method: 'GET', host, url: new URL(`https://${host}${path}`), headers: {}, body: '' });

  it('counts each request and says so as Salesforce does, in Sforce-Limit-Info, but for the list of versions', () => {
    const behaviour = defaultBehaviour();
    behaviour.apiAllowance.salesforce.used = 91_199;
    const api = misbehavingApi('salesforce', () => json(200, {}), behaviour);
    expect(api(request('acme.my.salesforce.com', '/services/data/v67.0/sobjects/Lead/describe')).headers['sforce-limit-info']).toBe('api-usage=91200/100000');
    expect(api(request('acme.my.salesforce.com', '/services/data/v67.0/query')).headers['sforce-limit-info']).toBe('api-usage=91201/100000');
    expect(api(request('acme.my.salesforce.com', '/services/data/')).headers['sforce-limit-info']).toBeUndefined();
    expect(behaviour.apiAllowance.salesforce).toEqual({ used: 91_201, limit: 100_000 });
  });

  it('counts each request and says so as HubSpot does to a private app, but not to a search', () => {
    const behaviour = defaultBehaviour();
    const api = misbehavingApi('hubspot', () => json(200, {}), behaviour);
    expect(api(request('api.hubapi.com', '/crm/v3/properties/contacts')).headers).toMatchObject({ 'x-hubspot-ratelimit-daily': '250000', 'x-hubspot-ratelimit-daily-remaining': '249999' });
    const search = api(request('api.hubapi.com', '/crm/v3/objects/contacts/search')).headers;
    expect(search['x-hubspot-ratelimit-daily']).toBeUndefined();
    expect(search['x-hubspot-ratelimit-daily-remaining']).toBeUndefined();
    expect(behaviour.apiAllowance.hubspot.used).toBe(2);
  });
});
