import { describe, expect, it } from 'vitest';
import { generateDemoLeads } from '../crm/demo-data';
import { isCrmError } from '../crm/http';
import { createHubSpotClient } from '../crm/hubspot-client';
import { defaultBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrm } from '../../test/demo-crm/server';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { WriteBackTargetSchema, checkedByCrm, fieldsToWrite, writeBack, type ScoreToWrite, type WriteBackResult } from './write-back';

const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
const scoreOnly = checkedByCrm(target, fieldsToWrite(target).map((field) => ({ name: field.name, maxLength: null })));
const leads = generateDemoLeads({ count: 30, seed: 3, now: new Date('2026-11-01T00:00:00Z') });

describe('a HubSpot write-back when the account’s daily API allowance is nearly used (X-HubSpot-RateLimit-Daily-Remaining at 10 % or less)', () => {
  it('stops before its next batch, the batches written staying written, and says why and when to write back again', async () => {
    const behaviour = defaultBehaviour();
    const clock = virtualClock();
    behaviour.now = clock.now;
    const demo = demoFetch(createDemoCrm(leads, behaviour).handle);
    const updates: string[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => (init?.method === 'POST' && updates.push(new URL(String(input)).pathname), demo(input, init));
    const hubspot = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch });
    // The account's other integrations have used most of its 250,000 requests of the day: the first batch's answer says 225,000.
    behaviour.apiAllowance.hubspot.used = 224_999;
    const due: ScoreToWrite[] = leads.map((lead) => ({ recordId: lead.hubspotId, score: 77, tier: 'hot', topReason: 'x' }));
    const progress: WriteBackResult[] = [];
    const error = await writeBack(due, scoreOnly, { ...hubspot, maxBatch: 10 }, { onProgress: (sofar) => void progress.push({ ...sofar }) }).catch((e: unknown) => e);
    expect(isCrmError(error, 'rate')).toBe(true);
    expect((error as Error).message).toBe(
      'HubSpot: your account has used 225,000 of its 250,000 API requests for today; LeadLens paused this write-back to leave the rest to your other integrations. The leads written so far stay written; write back again tomorrow, when HubSpot counts them afresh.',
    );
    expect(updates).toEqual(['/crm/v3/objects/contacts/batch/update']);
    expect(progress.at(-1)).toMatchObject({ done: 10, total: 30, written: 10, unconfirmed: 0 });
    const [written, notSent] = await hubspot.batchRead([leads[0].hubspotId, leads[10].hubspotId], { fields: ['leadlens_score'] }).then((records) => [leads[0], leads[10]].map((lead) => records.find((record) => record.id === lead.hubspotId)?.fields.leadlens_score));
    expect([written, notSent]).toEqual(['77', null]);
  });
});
