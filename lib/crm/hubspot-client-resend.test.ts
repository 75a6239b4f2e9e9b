import { expect, it } from 'vitest';
import { generateDemoLeads } from './demo-data';
import { createHubSpotClient } from './hubspot-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../test/demo-crm/server';

const leads = generateDemoLeads({ count: 20, seed: 5, now: new Date('2026-11-01T00:00:00Z') });

it('sends a search, a count or a batch read again when its answer is cut short, never a batch update: HubSpot took that', async () => {
  const handle = createDemoCrmHandler(leads);
  const posts: string[] = [];
  // Every other POST's answer is cut short on the way: the first of each request, when it is sent again.
  const fetch = demoFetch((request) => {
    const response = handle(request);
    if (request.method !== 'POST') return response;
    posts.push(request.url.pathname.replace('/crm/v3/objects/contacts', ''));
    return posts.length % 2 === 1 ? { ...response, body: response.body.slice(0, response.body.length / 2) } : response;
  });
  const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock: virtualClock(), fetch });
  const ids = leads.slice(0, 3).map((lead) => lead.hubspotId);

  expect((await client.listChanged(Date.parse('2020-01-01T00:00:00Z'), null)).records.length).toBeGreaterThan(0);
  expect((await client.batchRead(ids, { fields: ['jobtitle'] })).map((record) => record.id)).toEqual(ids);
  expect((await client.listPresent!()).ids.length).toBe(leads.length);
  const update = client.updateRecords([{ recordId: ids[0], fields: { leadlens_score: 90 } }]);
  await expect(update).rejects.toMatchObject({ kind: 'network', message: 'HubSpot answered update contacts with HTTP 200 but a body cut short; LeadLens did not send it again, as HubSpot may have done it already' });
  expect(posts).toEqual(['/search', '/search', '/batch/read', '/batch/read', '/search', '/search', '/batch/update']);
});
