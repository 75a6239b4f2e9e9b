import { describe, expect, it } from 'vitest';
import type { FieldUpdate } from '../crm/client';
import { generateDemoLeads } from '../crm/demo-data';
import { CrmError, isCrmError } from '../crm/http';
import { createHubSpotClient } from '../crm/hubspot-client';
import { defaultBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrm } from '../../test/demo-crm/server';
import { REASON_MAX_LENGTH, WriteBackTargetSchema, fieldUpdate, fieldsToWrite, writeBack, type RecordWriter, type ScoreToWrite } from './write-back';

const target = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: 'LeadLens_Tier__c', reasonField: null });
const rows: ScoreToWrite[] = Array.from({ length: 5 }, (_, i) => ({ recordId: `00Q${i}`, score: 90 - i, tier: i < 2 ? 'hot' : 'cold', topReason: 'Title seniority: VP Sales' }));

function writer(maxBatch: number, failOn: string | null = null, deleted: readonly string[] = []) {
  const batches: FieldUpdate[][] = [];
  const value: RecordWriter = {
    maxBatch,
    updateRecords: async (updates) => {
      if (failOn && updates.some((update) => update.recordId === failOn)) throw new Error('FIELD_INTEGRITY_EXCEPTION');
      batches.push([...updates]);
      return updates.filter((update) => deleted.includes(update.recordId)).map((update) => ({ recordId: update.recordId, error: 'ENTITY_IS_DELETED: entity is deleted' }));
    },
  };
  return { value, batches };
}

describe('write-back target', () => {
  it('accepts custom fields and properties, and refuses other names, duplicates and nothing', () => {
    expect(WriteBackTargetSchema.safeParse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }).success).toBe(true);
    const refused = [
      { crm: 'salesforce', scoreField: 'Rating', tierField: null, reasonField: null },
      { crm: 'hubspot', scoreField: 'LeadLens Score', tierField: null, reasonField: null },
      { crm: 'hubspot', scoreField: 'leadlens', tierField: 'leadlens', reasonField: null },
      { crm: 'hubspot', scoreField: null, tierField: null, reasonField: null },
    ];
    for (const candidate of refused) expect(WriteBackTargetSchema.safeParse(candidate).success).toBe(false);
  });
});

describe('writeBack', () => {
  it('writes the chosen fields, tier as its word, in batches of the CRM’s size', async () => {
    const { value, batches } = writer(2);
    const progress: number[] = [];
    const result = await writeBack(rows, target, value, { onProgress: (done) => progress.push(done) });
    expect(result).toEqual({ written: 5, failed: [] });
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(batches[0][0]).toEqual({ recordId: '00Q0', fields: { LeadLens_Score__c: 90, LeadLens_Tier__c: 'Hot' } });
    expect(progress).toEqual([2, 4, 5]);
  });

  it('reports a failed batch with its records and goes on with the others', async () => {
    const { value, batches } = writer(2, '00Q2');
    const result = await writeBack(rows, target, value);
    expect(result).toEqual({ written: 3, failed: [{ recordIds: ['00Q2', '00Q3'], error: 'FIELD_INTEGRITY_EXCEPTION' }] });
    expect(batches).toHaveLength(2);
  });

  it('counts the records the CRM refused one by one as failed, grouped by error', async () => {
    const { value } = writer(2, null, ['00Q1', '00Q4']);
    const result = await writeBack(rows, target, value);
    expect(result).toEqual({ written: 3, failed: [{ recordIds: ['00Q1', '00Q4'], error: 'ENTITY_IS_DELETED: entity is deleted' }] });
  });

  it('counts a record the CRM refused for two reasons once, as not written', async () => {
    const twice: RecordWriter = {
      maxBatch: 5,
      updateRecords: async () => [{ recordId: '00Q1', error: 'STRING_TOO_LONG: Reason' }, { recordId: '00Q1', error: 'INVALID_TYPE: Score' }],
    };
    expect(await writeBack(rows, target, twice)).toEqual({
      written: 4,
      failed: [{ recordIds: ['00Q1'], error: 'STRING_TOO_LONG: Reason' }, { recordIds: ['00Q1'], error: 'INVALID_TYPE: Score' }],
    });
  });

  it('counts as failed, not written, the HubSpot contacts a 207 leaves unlisted when an error names no ids', async () => {
    // One contact written, one refused by id, and an error that names no contact.
    const partly: typeof fetch = async () => new Response(JSON.stringify({
      status: 'COMPLETE',
      results: [{ id: '101', properties: { leadlens_score: '90' }, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z', archived: false }],
      numErrors: 2,
      errors: [
        { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not update some CONTACT objects, they may be deleted or not exist.', context: { ids: ['102'] } },
        { status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid', context: {} },
      ],
    }), { status: 207, headers: { 'content-type': 'application/json' } });
    const hubspot = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch: partly });
    const hubspotTarget = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
    const contacts = ['101', '102', '103', '104'].map((recordId, i) => ({ ...rows[i], recordId }));
    expect(await writeBack(contacts, hubspotTarget, hubspot)).toEqual({
      written: 1,
      failed: [
        { recordIds: ['102'], error: 'OBJECT_NOT_FOUND: Could not update some CONTACT objects, they may be deleted or not exist.' },
        { recordIds: ['103', '104'], error: 'VALIDATION_ERROR: Property values were not valid' },
      ],
    });
  });

  it('stops at the first batch the CRM refuses for its credentials: the others would be refused too', async () => {
    let calls = 0;
    const refusing: RecordWriter = {
      maxBatch: 2,
      updateRecords: async () => {
        calls++;
        throw new CrmError('auth', 'Salesforce refused the session (401): sign in again');
      },
    };
    await expect(writeBack(rows, target, refusing)).rejects.toThrow(/refused the session/);
    expect(calls).toBe(1);
  });

  it('names each field it writes with what it holds: the score a number, the tier one of its words, the reason text', () => {
    expect(fieldsToWrite({ ...target, reasonField: 'LeadLens_Reason__c' })).toEqual([
      { name: 'LeadLens_Score__c', holds: 'number' },
      { name: 'LeadLens_Tier__c', holds: 'text', values: ['Hot', 'Warm', 'Cold'] },
      { name: 'LeadLens_Reason__c', holds: 'text' },
    ]);
    expect(fieldsToWrite({ ...target, scoreField: null, tierField: null, reasonField: 'LeadLens_Reason__c' })).toEqual([{ name: 'LeadLens_Reason__c', holds: 'text' }]);
  });

  it('never overwrites HubSpot’s own properties: the client refuses a tier or reason typed as jobtitle or lastname, without writing', async () => {
    const leads = generateDemoLeads({ count: 5, seed: 7, now: new Date('2026-11-01T00:00:00Z') });
    const { handle } = createDemoCrm(leads, defaultBehaviour());
    const requests: string[] = [];
    const fetch = demoFetch((request) => (requests.push(`${request.method} ${request.url.pathname}`), handle(request)));
    const hubspot = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch });
    const mistyped = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: 'jobtitle', reasonField: 'lastname' });
    const error = await hubspot.checkWritableFields(fieldsToWrite(mistyped)).catch((e: unknown) => e);
    expect(isCrmError(error, 'request')).toBe(true);
    expect(String(error)).toContain('"jobtitle" (Job title) is one of HubSpot\'s own properties');
    expect(String(error)).toContain('"lastname" (Last name) is one of HubSpot\'s own properties');
    expect(requests.filter((request) => request.startsWith('POST'))).toEqual([]);
    // The LeadLens properties the portal created are written.
    const chosen = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: 'leadlens_reason' });
    await hubspot.checkWritableFields(fieldsToWrite(chosen));
    const contacts = leads.map((lead, i) => ({ ...rows[i], recordId: lead.hubspotId }));
    expect(await writeBack(contacts, chosen, hubspot)).toEqual({ written: 5, failed: [] });
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(writeBack(rows, target, writer(2).value, { signal: controller.signal })).rejects.toThrow();
  });

  it('clips a long reason to what a text field holds', () => {
    const update = fieldUpdate({ ...rows[0], topReason: 'x'.repeat(400) }, { ...target, reasonField: 'LeadLens_Reason__c' });
    expect(String(update.fields.LeadLens_Reason__c)).toHaveLength(REASON_MAX_LENGTH);
  });

  it('writes a reason as plain text, without the direction isolates a pair reason carries for LeadLens’s pages', () => {
    const update = fieldUpdate({ ...rows[0], topReason: 'Industry × Employees: \u2068تعليم\u2069 · \u2068not known\u2069' }, { ...target, reasonField: 'LeadLens_Reason__c' });
    expect(update.fields.LeadLens_Reason__c).toBe('Industry × Employees: تعليم · not known');
  });
});
