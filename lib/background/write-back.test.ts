import { describe, expect, it } from 'vitest';
import type { FieldUpdate } from '../crm/client';
import { CrmError } from '../crm/http';
import { REASON_MAX_LENGTH, WriteBackTargetSchema, fieldUpdate, writeBack, type RecordWriter, type ScoreToWrite } from './write-back';

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

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(writeBack(rows, target, writer(2).value, { signal: controller.signal })).rejects.toThrow();
  });

  it('clips a long reason to what a text field holds', () => {
    const update = fieldUpdate({ ...rows[0], topReason: 'x'.repeat(400) }, { ...target, reasonField: 'LeadLens_Reason__c' });
    expect(String(update.fields.LeadLens_Reason__c)).toHaveLength(REASON_MAX_LENGTH);
  });
});
