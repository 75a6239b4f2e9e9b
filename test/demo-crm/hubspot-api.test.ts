import { describe, expect, it } from 'vitest';
import { DEMO_OWNERS, generateDemoLeads, type DemoLead } from '../../lib/crm/demo-data';
import { HUBSPOT_API_DEFAULTS, SEARCH_RESULT_CAP, hubspotApi, type HubSpotApiOptions } from './hubspot-api';
import { createDemoStore } from './store';

const NOW = Date.parse('2026-11-01T00:00:00Z');

/** The demo's HubSpot API over `leads` as `options` say, and a POST to it. */
function api(leads: readonly DemoLead[], options: Partial<HubSpotApiOptions> = {}) {
  const store = createDemoStore(leads, DEMO_OWNERS);
  const handle = hubspotApi(store, () => '4512345', () => NOW, { ...HUBSPOT_API_DEFAULTS, ...options });
  const post = (path: string, body: unknown) => {
    const url = new URL(`https://api.hubapi.com/crm/v3/objects/contacts${path}`);
    const reply = handle({ method: 'POST', host: url.hostname, url, headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: reply.status, json: JSON.parse(reply.body) };
  };
  const get = (path: string) => {
    const url = new URL(`https://api.hubapi.com${path}`);
    const reply = handle({ method: 'GET', host: url.hostname, url, headers: { authorization: 'Bearer test-token' }, body: '' });
    return { status: reply.status, json: JSON.parse(reply.body) };
  };
  return { store, post, get };
}

describe('a wide portal (emptyProperties)', () => {
  const leads = generateDemoLeads({ count: 3, seed: 4, now: new Date(NOW) });
  const propertyNames = (portal: ReturnType<typeof api>) => (portal.get('/crm/v3/properties/contacts').json.results as { name: string }[]).map((property) => property.name);

  it('lists its extra properties with the others, as custom ones, and answers null for them on every contact', () => {
    const plain = api(leads);
    const wide = api(leads, { emptyProperties: 3 });
    const extra = ['portal_property_0001', 'portal_property_0002', 'portal_property_0003'];
    expect(propertyNames(wide)).toEqual([...propertyNames(plain), ...extra]);
    expect(wide.get('/crm/v3/properties/contacts').json.results.slice(-3)).toEqual(extra.map((name) => expect.objectContaining({ name, type: 'string', calculated: false })));
    const read = wide.post('/search', { properties: ['firstname', ...extra], limit: 3 });
    expect(read.json.results).toHaveLength(3);
    for (const contact of read.json.results) expect(contact.properties).toMatchObject({ firstname: expect.any(String), ...Object.fromEntries(extra.map((name) => [name, null])) });
    const batch = wide.post('/batch/read', { properties: extra, inputs: [{ id: leads[0].hubspotId }] });
    expect(batch.json.results[0].properties).toMatchObject(Object.fromEntries(extra.map((name) => [name, null])));
  });

  it('has none by default: a portal without them ignores their names, as HubSpot does unknown ones', () => {
    expect(HUBSPOT_API_DEFAULTS.emptyProperties).toBe(0);
    const read = api(leads).post('/search', { properties: ['firstname', 'portal_property_0001'], limit: 1 });
    expect(read.json.results[0].properties).not.toHaveProperty('portal_property_0001');
  });
});

describe('what the demo HubSpot API does where HubSpot documents nothing, either way', () => {
  it(`counts every contact a search matches, or (capped) at most ${SEARCH_RESULT_CAP.toLocaleString('en-US')}`, () => {
    const leads = generateDemoLeads({ count: SEARCH_RESULT_CAP + 50, seed: 4, now: new Date(NOW) });
    const search = { filterGroups: [], properties: ['hs_object_id'], limit: 1 };
    expect(HUBSPOT_API_DEFAULTS.searchTotal).toBe('exact');
    expect(api(leads).post('/search', search).json.total).toBe(SEARCH_RESULT_CAP + 50);
    const capped = api(leads, { searchTotal: 'capped' });
    expect(capped.post('/search', search).json.total).toBe(SEARCH_RESULT_CAP);
    // Under the cap, a count is the same either way.
    const some = { ...search, filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'LTE', value: leads[99].hubspotId }] }] };
    expect(capped.post('/search', some).json.total).toBe(api(leads).post('/search', some).json.total);
  });

  it('writes the contacts of a batch update it has and answers 207 naming the others, refuses the whole batch with 404, writing none, or answers 200 without the others', () => {
    const leads = generateDemoLeads({ count: 20, seed: 4, now: new Date(NOW) });
    const update = { inputs: [{ id: leads[0].hubspotId, properties: { leadlens_tier: 'Hot' } }, { id: '999999999', properties: { leadlens_tier: 'Cold' } }] };
    const errors = [expect.objectContaining({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999999'] } })];

    const multiStatus = api(leads);
    expect(HUBSPOT_API_DEFAULTS.missingInBatchUpdate).toBe('multi-status');
    const partly = multiStatus.post('/batch/update', update);
    expect(partly).toMatchObject({ status: 207, json: { results: [{ id: leads[0].hubspotId }], errors } });
    expect(multiStatus.store.customValues(leads[0])).toEqual({ leadlens_tier: 'Hot' });

    const refusing = api(leads, { missingInBatchUpdate: 'refuse-batch' });
    const refused = refusing.post('/batch/update', update);
    expect(refused).toMatchObject({ status: 404, json: { status: 'error', category: 'OBJECT_NOT_FOUND', correlationId: expect.any(String) } });
    expect(refusing.store.customValues(leads[0])).toEqual({});
    expect(refusing.post('/batch/update', { inputs: update.inputs.slice(0, 1) }).status).toBe(200);
    expect(refusing.store.customValues(leads[0])).toEqual({ leadlens_tier: 'Hot' });

    const leavingOut = api(leads, { missingInBatchUpdate: 'left-out' });
    const silent = leavingOut.post('/batch/update', update);
    expect(silent).toMatchObject({ status: 200, json: { status: 'COMPLETE', results: [{ id: leads[0].hubspotId }] } });
    expect(silent.json).not.toHaveProperty('errors');
    expect(leavingOut.store.customValues(leads[0])).toEqual({ leadlens_tier: 'Hot' });
  });
});
