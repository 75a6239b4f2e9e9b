import { describe, expect, it } from 'vitest';
import type { CrmRecord, FieldUpdate } from '../crm/client';
import { generateDemoLeads, type DemoLead } from '../crm/demo-data';
import { CrmError, isCrmError } from '../crm/http';
import { createHubSpotClient } from '../crm/hubspot-client';
import { createSalesforceClient } from '../crm/salesforce-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { defaultBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrm } from '../../test/demo-crm/server';
import {
  LOCKED_ROW_PAUSE_MS,
  REASON_MAX_LENGTH,
  WriteBackTargetSchema,
  checkedByCrm,
  fieldUpdate,
  fieldsToWrite,
  modelInputRefusal,
  writeBack,
  type CheckedTarget,
  type RecordWriter,
  type RowToWrite,
  type ScoreToWrite,
  type WriteBackResult,
  type WriteBackTarget,
} from './write-back';

/** `target` as a CRM whose text fields state no length checked it. */
const checked = (target: WriteBackTarget): CheckedTarget => checkedByCrm(target, fieldsToWrite(target).map((field) => ({ name: field.name, maxLength: null })));
const target = checked(WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: 'LeadLens_Tier__c', reasonField: null }));
/** A write-back of all five rows that went through, with `outcome`. */
const ended = (outcome: Partial<WriteBackResult>): WriteBackResult => ({ done: 5, total: 5, written: 0, cleared: 0, failed: [], unlistedFailures: 0, notCleared: [], unlistedNotCleared: 0, unconfirmed: 0, ...outcome });
const rows: ScoreToWrite[] = Array.from({ length: 5 }, (_, i) => ({ recordId: `00Q${i}`, score: 90 - i, tier: i < 2 ? 'hot' : 'cold', topReason: 'Title seniority: VP Sales' }));
/** The read of a CRM writing rows with nothing to clear: never asked. */
const nothingRead: RecordWriter['batchRead'] = async () => [];

/**
 * A CRM whose batch update takes every record but `deleted` (and fails a batch holding `failOn`),
 * and whose records' fields are `crm` (a record it lacks, none), as a batch read returns them.
 */
function writer(maxBatch: number, failOn: string | null = null, deleted: readonly string[] = [], crm: Record<string, CrmRecord['fields']> = {}) {
  const batches: FieldUpdate[][] = [];
  const reads: { ids: readonly string[]; fields: readonly string[] | undefined }[] = [];
  const value: RecordWriter = {
    maxBatch,
    batchRead: async (ids, { fields } = {}) => {
      reads.push({ ids, fields });
      return ids.filter((id) => crm[id] !== undefined).map((id) => ({ id, modifiedAt: 0, fields: crm[id] }));
    },
    updateRecords: async (updates) => {
      if (failOn && updates.some((update) => update.recordId === failOn)) throw new Error('FIELD_INTEGRITY_EXCEPTION');
      batches.push([...updates]);
      return updates.filter((update) => deleted.includes(update.recordId)).map((update) => ({ recordId: update.recordId, error: 'ENTITY_IS_DELETED: entity is deleted' }));
    },
  };
  return { value, batches, reads };
}

/**
 * A demo Salesforce org of `leads` on a virtual clock, each Lead update (PATCH) answered by `answer`: told its number
 * (from 1), how the org itself would apply it, and the request. With the score-only target and every lead due a 77.
 */
function orgWhosePatches(
  leads: readonly DemoLead[],
  answer: (patch: number, apply: () => Promise<Response>, init: RequestInit) => Promise<Response>,
  { timeoutMs }: { timeoutMs?: number } = {},
) {
  const behaviour = defaultBehaviour();
  const clock = virtualClock();
  behaviour.now = clock.now;
  const demo = demoFetch(createDemoCrm([...leads], behaviour).handle);
  let patches = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => (init?.method === 'PATCH' ? answer(++patches, () => demo(input, init), init) : demo(input, init));
  const salesforce = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => 't', clock, fetch, ...(timeoutMs && { timeoutMs }) });
  const scoreOnly = checked(WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null }));
  const due: ScoreToWrite[] = leads.map((lead) => ({ recordId: lead.salesforceId, score: 77, tier: 'hot', topReason: 'x' }));
  return { salesforce, clock, scoreOnly, due, patches: () => patches };
}

/** Salesforce's answer to a Lead update (`init`) refusing every record of it with `error`. */
function refusedEveryRecord(init: RequestInit, error: { statusCode: string; message: string }): Response {
  const { records } = JSON.parse(String(init.body)) as { records: unknown[] };
  return new Response(JSON.stringify(records.map(() => ({ success: false, errors: [{ ...error, fields: [] }] }))), { status: 200 });
}

describe('write-back target', () => {
  it('accepts custom fields and properties, and refuses other names, duplicates and nothing', () => {
    expect(WriteBackTargetSchema.safeParse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }).success).toBe(true);
    const refusal = (candidate: object) => WriteBackTargetSchema.safeParse(candidate).error?.issues.map((issue) => issue.message);
    // Each CRM's own naming rule, in its own words.
    expect(refusal({ crm: 'salesforce', scoreField: 'Rating', tierField: null, reasonField: null })).toEqual(['"Rating" is not a custom field API name (Name__c)']);
    expect(refusal({ crm: 'hubspot', scoreField: 'LeadLens Score', tierField: null, reasonField: null })).toEqual(['"LeadLens Score" is not a property name (lowercase_name)']);
    expect(refusal({ crm: 'hubspot', scoreField: 'leadlens', tierField: 'leadlens', reasonField: null })).toEqual([
      'the score field and the tier field name the same field, "leadlens": score, tier and reason need different fields',
    ]);
    expect(refusal({ crm: 'hubspot', scoreField: null, tierField: null, reasonField: null })).toEqual(['choose at least one field to write']);
  });

  it('refuses one Salesforce field named twice in two spellings (API names ignore case), saying which fields', () => {
    const twice = WriteBackTargetSchema.safeParse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: 'LeadLens_Reason__c', reasonField: 'leadlens_reason__c' });
    expect(twice.success).toBe(false);
    expect(twice.error?.issues.map((issue) => issue.message)).toEqual([
      'the tier field and the top reason field name the same field, "LeadLens_Reason__c" and "leadlens_reason__c", which Salesforce takes as one (its API names ignore case): score, tier and reason need different fields',
    ]);
    const thrice = WriteBackTargetSchema.safeParse({ crm: 'hubspot', scoreField: 'leadlens', tierField: 'leadlens', reasonField: 'leadlens' });
    expect(thrice.error?.issues.map((issue) => issue.message)).toEqual([
      'the score field, the tier field and the top reason field name the same field, "leadlens": score, tier and reason need different fields',
    ]);
  });

  it('refuses, after the CRM’s check, fields it answers as one: written in one update, the tier would be lost', () => {
    const chosen = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: 'LeadLens_Tier__c', reasonField: 'ns__LeadLens_Tier__c' });
    const answered = [
      { name: 'LeadLens_Score__c', maxLength: null },
      { name: 'ns__LeadLens_Tier__c', maxLength: 255 },
      { name: 'ns__LeadLens_Tier__c', maxLength: 255 },
    ];
    expect(() => checkedByCrm(chosen, answered)).toThrow(
      'Salesforce answers the tier field and the top reason field ("LeadLens_Tier__c", "ns__LeadLens_Tier__c") as one field, "ns__LeadLens_Tier__c": score, tier and reason need different fields',
    );
  });

  it('refuses a field the active model reads, naming it and the feature: the write would change the model’s own input, every sync its scores', () => {
    const features = [
      { label: 'Annual revenue', derive: { kind: 'value' as const, from: { salesforce: 'AnnualRevenue', hubspot: 'annualrevenue' } } },
      { label: 'Fit score', derive: { kind: 'value' as const, from: { salesforce: 'Fit_Score__c', hubspot: 'fit_score' } } },
      { label: 'Fit per visit', derive: { kind: 'ratio' as const, numerator: { hubspot: 'fit_score' }, denominator: { hubspot: 'hs_analytics_num_visits' } } },
    ];
    const salesforce = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'fit_score__c', tierField: 'LeadLens_Tier__c', reasonField: null });
    expect(modelInputRefusal(salesforce, features)).toBe(
      'LeadLens will not write to "fit_score__c" (the score field): the active model reads it for "Fit score". Scores written there would change what the model reads, so every sync would change the scores and every write-back write them again: choose a field the model does not read',
    );
    const hubspot = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: 'fit_score' });
    expect(modelInputRefusal(hubspot, features)).toMatch(/^LeadLens will not write to "fit_score" \(the top reason field\): the active model reads it for "Fit score" and "Fit per visit"\./);
    expect(modelInputRefusal({ ...salesforce, scoreField: 'LeadLens_Score__c' }, features)).toBeNull();
  });
});

describe('writeBack', () => {
  it('leaves nothing in doubt when a cancel comes while a batch is being said out, before it is sent', async () => {
    const controller = new AbortController();
    const sent: string[][] = [];
    const cancelling: RecordWriter = {
      maxBatch: 2,
      batchRead: async () => [],
      // As the HTTP layer does: an aborted signal throws before anything is sent.
      updateRecords: async (updates, signal) => {
        if (signal?.aborted) throw new CrmError('cancelled', 'Cancelled');
        sent.push(updates.map((update) => update.recordId));
        return [];
      },
    };
    const saved: number[] = [];
    await writeBack(rows.slice(0, 4), target, cancelling, {
      signal: controller.signal,
      onProgress: async (sofar) => {
        saved.push(sofar.unconfirmed);
        // The admin presses Cancel while the second batch is said to be out.
        if (sofar.unconfirmed > 0 && sofar.written === 2) controller.abort();
      },
    }).catch(() => undefined);
    expect(sent).toEqual([['00Q0', '00Q1']]);
    expect(saved.at(-1)).toBe(0);
  });

  it('writes the chosen fields, tier as its word, in batches of the CRM’s size, saying each batch unconfirmed while it is out', async () => {
    const { value, batches } = writer(2);
    const progress: [done: number, unconfirmed: number][] = [];
    const result = await writeBack(rows, target, value, { onProgress: ({ done, unconfirmed }) => void progress.push([done, unconfirmed]) });
    expect(result).toEqual(ended({ written: 5 }));
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(batches[0][0]).toEqual({ recordId: '00Q0', fields: { LeadLens_Score__c: 90, LeadLens_Tier__c: 'Hot' } });
    // Before each request its records are in doubt (a job that dies then has said so), after its answer no longer.
    expect(progress).toEqual([[0, 2], [2, 0], [2, 2], [4, 0], [4, 1], [5, 0]]);
  });

  it('reports a failed batch with its records and goes on with the others', async () => {
    const { value, batches } = writer(2, '00Q2');
    const result = await writeBack(rows, target, value);
    expect(result).toEqual(ended({ written: 3, failed: [{ recordIds: ['00Q2', '00Q3'], error: 'FIELD_INTEGRITY_EXCEPTION' }] }));
    expect(batches).toHaveLength(2);
  });

  it('counts the records the CRM refused one by one as failed, grouped by error', async () => {
    const { value } = writer(2, null, ['00Q1', '00Q4']);
    const result = await writeBack(rows, target, value);
    expect(result).toEqual(ended({ written: 3, failed: [{ recordIds: ['00Q1', '00Q4'], error: 'ENTITY_IS_DELETED: entity is deleted' }] }));
  });

  it('counts a record the CRM refused for two reasons once, as not written', async () => {
    const twice: RecordWriter = {
      maxBatch: 5,
      batchRead: nothingRead,
      updateRecords: async () => [{ recordId: '00Q1', error: 'STRING_TOO_LONG: Reason' }, { recordId: '00Q1', error: 'INVALID_TYPE: Score' }],
    };
    expect(await writeBack(rows, target, twice)).toEqual(
      ended({
        written: 4,
        failed: [{ recordIds: ['00Q1'], error: 'STRING_TOO_LONG: Reason' }, { recordIds: ['00Q1'], error: 'INVALID_TYPE: Score' }],
      }),
    );
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
    const hubspotTarget = checked(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }));
    const contacts = ['101', '102', '103', '104'].map((recordId, i) => ({ ...rows[i], recordId }));
    expect(await writeBack(contacts, hubspotTarget, hubspot)).toEqual({
      ...ended({ done: 4, total: 4, written: 1 }),
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
      batchRead: nothingRead,
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
      { name: 'LeadLens_Score__c', holds: 'number', largest: 99 },
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
    const contacts = leads.map((lead, i) => ({ ...rows[i], recordId: lead.hubspotId }));
    expect(await writeBack(contacts, checkedByCrm(chosen, await hubspot.checkWritableFields(fieldsToWrite(chosen))), hubspot)).toEqual(ended({ written: 5 }));
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

  it('cuts a reason to its field’s length, on a character boundary: a longer one would have the CRM refuse the whole lead, score and tier too', () => {
    const chosen = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: 'LeadLens_Tier__c', reasonField: 'LeadLens_Reason__c' });
    const text100 = checkedByCrm(chosen, [
      { name: 'LeadLens_Score__c', maxLength: null },
      { name: 'LeadLens_Tier__c', maxLength: 4 },
      { name: 'LeadLens_Reason__c', maxLength: 100 },
    ]);
    // An emoji (two UTF-16 units) across the cut is left out whole, not halved.
    const reason = `Job title: ${'x'.repeat(87)}😀 and more`;
    const update = fieldUpdate({ ...rows[0], topReason: reason }, text100);
    expect(update.fields).toEqual({ LeadLens_Score__c: 90, LeadLens_Tier__c: 'Hot', LeadLens_Reason__c: `Job title: ${'x'.repeat(87)}…` });
    expect(fieldUpdate({ ...rows[0], topReason: 'Job title: VP Sales' }, text100).fields.LeadLens_Reason__c).toBe('Job title: VP Sales');
    // One exactly as long as the field fits it: written whole.
    const fitting = `Job title: ${'x'.repeat(89)}`;
    expect(fitting).toHaveLength(100);
    expect(fieldUpdate({ ...rows[0], topReason: fitting }, text100).fields.LeadLens_Reason__c).toBe(fitting);
    // A HubSpot string property holds 65,536 characters: a reason is still one line of a report.
    const hubspot = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: null, tierField: null, reasonField: 'leadlens_reason' });
    const long = fieldUpdate({ ...rows[0], topReason: 'x'.repeat(400) }, checkedByCrm(hubspot, [{ name: 'leadlens_reason', maxLength: 65_536 }]));
    expect(String(long.fields.leadlens_reason)).toHaveLength(REASON_MAX_LENGTH);
  });

  it('keeps at most MAX_FAILURE_GROUPS_SHOWN errors, counting the records refused for the others: a message naming each value would make one per record', async () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ ...rows[0], recordId: `00Q${i}` }));
    // Each batch's first lead is taken: batches refused whole would stop the write-back.
    const valueInMessage: RecordWriter = { maxBatch: 5, batchRead: nothingRead, updateRecords: async (batch) => batch.slice(1).map(({ recordId }) => ({ recordId, error: `STRING_TOO_LONG: Reason: data value too large: reason of ${recordId}` })) };
    const result = await writeBack(many, target, valueInMessage);
    expect(result.failed).toHaveLength(10);
    expect(result.failed[9]).toEqual({ recordIds: ['00Q12'], error: 'STRING_TOO_LONG: Reason: data value too large: reason of 00Q12' });
    expect(result).toMatchObject({ written: 3, unlistedFailures: 1 });
  });

  it('merges batches refused as a whole for the same reason into one failure, as records refused one by one', async () => {
    const refusal = 'Salesforce refused update Leads: HTTP 400 (MALFORMED_ID: bad id)';
    const locked: RecordWriter = {
      maxBatch: 2,
      batchRead: nothingRead,
      updateRecords: async (batch) => {
        if (batch[0].recordId !== '00Q4') throw new CrmError('request', refusal, 400, 'MALFORMED_ID');
        return [];
      },
    };
    expect(await writeBack(rows, target, locked)).toEqual(ended({ written: 1, failed: [{ recordIds: ['00Q0', '00Q1', '00Q2', '00Q3'], error: refusal }] }));
  });

  describe('a batch whose answer never came (network or 5xx after the client’s retries, no answer in time, an answer it cannot read)', () => {
    it('is counted as unconfirmed, not as refused, and no later batch is sent: the CRM may have written it', async () => {
      for (const lost of [
        new CrmError('network', 'Salesforce update Leads failed 6 times; last: could not reach https://acme.my.salesforce.com (TypeError)'),
        new CrmError('server', 'Salesforce update Leads failed 6 times; last: HTTP 503', 503),
        new CrmError('schema', 'Salesforce answered 1 results for 2 updated Leads'),
      ]) {
        const sent: string[][] = [];
        const progress: WriteBackResult[] = [];
        const dropping: RecordWriter = {
          maxBatch: 2,
          batchRead: nothingRead,
          updateRecords: async (batch) => {
            sent.push(batch.map((update) => update.recordId));
            if (sent.length === 2) throw lost;
            return [];
          },
        };
        const error = await writeBack(rows, target, dropping, { onProgress: (sofar) => void progress.push({ ...sofar, failed: [...sofar.failed] }) }).catch((e: unknown) => e);
        expect(sent).toEqual([['00Q0', '00Q1'], ['00Q2', '00Q3']]);
        expect(progress.at(-1)).toEqual(ended({ done: 2, written: 2, unconfirmed: 2 }));
        expect(isCrmError(error, lost.kind)).toBe(true);
        expect((error as Error).message).toBe(
          `Salesforce did not confirm the last batch (${lost.message}): its leads may or may not have been written. Stopped there, rather than send the 1 lead left, which would most likely fail the same way. Write back again once Salesforce answers`,
        );
      }
    });

    it('through the Salesforce client: the batch it applied, whose answer was lost, is unconfirmed; the network down, nothing more is sent', async () => {
      const leads = generateDemoLeads({ count: 40, seed: 3, now: new Date('2026-11-01T00:00:00Z') }).filter((lead) => !lead.salesforce.IsConverted).slice(0, 25);
      // Salesforce applies the first PATCH, then the connection drops before its answer arrives, and stays down.
      const { salesforce, scoreOnly, due, patches } = orgWhosePatches(leads, async (patch, apply) => {
        if (patch === 1) await apply();
        throw new TypeError('Failed to fetch');
      });
      const progress: WriteBackResult[] = [];
      const error = await writeBack(due, scoreOnly, { ...salesforce, maxBatch: 10 }, { onProgress: (sofar) => void progress.push({ ...sofar, failed: [...sofar.failed] }) }).catch((e: unknown) => e);
      expect(isCrmError(error, 'network')).toBe(true);
      expect((error as Error).message).toMatch(/^Salesforce did not confirm the last batch \(Salesforce update Leads failed 6 times; last: could not reach .*\): its leads may or may not have been written\. Stopped there, rather than send the 15 leads left/);
      // Out, then its answer lost: in doubt both times.
      expect(progress).toEqual([{ ...ended({ done: 0, total: 25 }), unconfirmed: 10 }, { ...ended({ done: 0, total: 25 }), unconfirmed: 10 }]);
      // The client's 6 attempts at the first batch, none at the 2 others.
      expect(patches()).toBe(6);
      expect((await salesforce.readRecord(leads[0].salesforceId, { fields: ['LeadLens_Score__c'] }))?.fields.LeadLens_Score__c).toBe(77);
    });

    it('through the Salesforce client: a batch Salesforce is still running when the wait ends is not sent again, so none of its leads is refused for its own locks', async () => {
      const leads = generateDemoLeads({ count: 80, seed: 3, now: new Date('2026-11-01T00:00:00Z') }).filter((lead) => !lead.salesforce.IsConverted).slice(0, 35);
      // After five quick batches, Salesforce takes the sixth and runs it past the client's wait (a row lock wait, a slow
      // trigger); a seventh PATCH of the same leads meanwhile would meet its locks.
      const lockedOut = { statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record or 1 records' };
      const { salesforce, clock, scoreOnly, due, patches } = orgWhosePatches(
        leads,
        async (patch, apply, init) => {
          if (patch === 7) return refusedEveryRecord(init, lockedOut);
          const answer = await apply();
          if (patch !== 6) return answer;
          return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
        },
        { timeoutMs: 300 },
      );
      const progress: WriteBackResult[] = [];
      const error = await writeBack(due, scoreOnly, { ...salesforce, maxBatch: 5 }, { clock, onProgress: (sofar) => void progress.push({ ...sofar, failed: [...sofar.failed] }) }).catch((e: unknown) => e);
      expect(patches()).toBe(6);
      expect(isCrmError(error, 'network')).toBe(true);
      expect((error as Error).message).toBe(
        'Salesforce did not confirm the last batch (Salesforce did not answer update Leads within 0.3 s; LeadLens did not send it again, as Salesforce may have done it already): its leads may or may not have been written. Stopped there, rather than send the 5 leads left, which would most likely fail the same way. Write back again once Salesforce answers',
      );
      // Not refused: in doubt, and Salesforce did write them.
      expect(progress.at(-1)).toEqual({ ...ended({ done: 25, total: 35, written: 25 }), unconfirmed: 5 });
      expect((await salesforce.readRecord(leads[29].salesforceId, { fields: ['LeadLens_Score__c'] }))?.fields.LeadLens_Score__c).toBe(77);
    });
  });

  describe('records Salesforce refused as locked by another process (UNABLE_TO_LOCK_ROW: a trigger, a Flow, a data load holding them)', () => {
    const locked = (recordId: string) => ({ recordId, error: 'UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record or 1 records' });
    /** A CRM whose answers to the batch updates are `answers`, in turn, with what it was sent. */
    function answering(maxBatch: number, ...answers: ((batch: readonly FieldUpdate[]) => ReturnType<RecordWriter['updateRecords']>)[]) {
      const sent: string[][] = [];
      const value: RecordWriter = {
        maxBatch,
        batchRead: nothingRead,
        updateRecords: async (batch) => {
          sent.push(batch.map((update) => update.recordId));
          return (answers[sent.length - 1] ?? (async () => []))(batch);
        },
      };
      return { value, sent };
    }

    it('are sent once more after a short pause, and counted as refused only when refused again', async () => {
      const deleted = { recordId: '00Q4', error: 'ENTITY_IS_DELETED: entity is deleted' };
      const { value, sent } = answering(5, async () => [locked('00Q1'), locked('00Q3'), deleted], async () => [locked('00Q3')]);
      const clock = virtualClock();
      const progress: [written: number, unconfirmed: number, done: number][] = [];
      const handedOn: string[][] = [];
      const result = await writeBack(rows, target, value, {
        clock,
        onProgress: ({ written, unconfirmed, done }) => void progress.push([written, unconfirmed, done]),
        onWritten: async (written) => void handedOn.push(written.map((update) => update.recordId)),
      });
      // Only the locked ones, once: 00Q3, locked again, is not sent a third time.
      expect(sent).toEqual([['00Q0', '00Q1', '00Q2', '00Q3', '00Q4'], ['00Q1', '00Q3']]);
      expect(clock.slept).toBe(LOCKED_ROW_PAUSE_MS);
      expect(result).toEqual(ended({ written: 3, failed: [{ recordIds: ['00Q4'], error: deleted.error }, { recordIds: ['00Q3'], error: locked('00Q3').error }] }));
      // What the first answer took is counted and handed on before the pause; the second's records are in doubt while it is out.
      expect(handedOn).toEqual([['00Q0', '00Q2'], ['00Q1']]);
      expect(progress).toEqual([[0, 5, 0], [2, 0, 0], [2, 2, 0], [3, 0, 5]]);
    });

    // A Lead trigger or Flow updating related records met a lock: Salesforce answers with the trigger's or Flow's code, the lock inside.
    const lockedInTrigger =
      'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: LeadTrigger: execution of AfterUpdate caused by: System.DmlException: Update failed. First exception on row 0 with id 0015g00000AbCdEAAV; first error: UNABLE_TO_LOCK_ROW, unable to obtain exclusive access to this record: []';
    const lockedInFlow =
      'CANNOT_EXECUTE_FLOW_TRIGGER: We can’t save this record because the “Lead - Sync Account” process failed. This error occurred when the flow tried to update records: UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record.';

    it('met by a Lead trigger or Flow (its code, the lock in its message) are sent once more, as a lock on the lead itself is', async () => {
      for (const error of [lockedInTrigger, lockedInFlow]) {
        const { value, sent } = answering(5, async (batch) => batch.map(({ recordId }) => ({ recordId, error })));
        expect(await writeBack(rows, target, value, { clock: virtualClock() })).toEqual(ended({ written: 5 }));
        expect(sent).toEqual([rows.map((row) => row.recordId), rows.map((row) => row.recordId)]);
      }
    });

    it('through the Salesforce client: a lock a trigger or Flow meets on batch after batch does not stop the write-back, as a lock on the lead does not', async () => {
      const leads = generateDemoLeads({ count: 80, seed: 3, now: new Date('2026-11-01T00:00:00Z') }).filter((lead) => !lead.salesforce.IsConverted).slice(0, 30);
      for (const [statusCode, message] of [
        ['CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY', lockedInTrigger.slice('CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: '.length)],
        ['CANNOT_EXECUTE_FLOW_TRIGGER', lockedInFlow.slice('CANNOT_EXECUTE_FLOW_TRIGGER: '.length)],
        ['UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record or 1 records'],
      ]) {
        // A concurrent data load holds the locks for the first three PATCHes: the first batch and its resend, the second batch.
        const { salesforce, clock, scoreOnly, due, patches } = orgWhosePatches(leads, async (patch, apply, init) => (patch > 3 ? apply() : refusedEveryRecord(init, { statusCode, message })));
        const result = await writeBack(due, scoreOnly, { ...salesforce, maxBatch: 10 }, { clock });
        // The first batch locked twice is refused; the second, taken when sent again; the third, at once.
        expect(patches()).toBe(5);
        expect(result).toEqual({ ...ended({ done: 30, total: 30, written: 20 }), failed: [{ recordIds: due.slice(0, 10).map((row) => row.recordId), error: `${statusCode}: ${message}` }] });
      }
    });

    it('are not sent again when the write-back is cancelled during the pause: they stay refused, and no other batch goes', async () => {
      const controller = new AbortController();
      const { value, sent } = answering(2, async () => [locked('00Q1')]);
      const cancelledDuringPause = { sleep: async (_ms: number, signal?: AbortSignal) => (controller.abort(), signal?.throwIfAborted()) };
      const progress: WriteBackResult[] = [];
      const error = await writeBack(rows, target, value, { clock: cancelledDuringPause, signal: controller.signal, onProgress: (sofar) => void progress.push({ ...sofar, failed: [...sofar.failed] }) }).catch((e: unknown) => e);
      expect((error as Error).name).toBe('AbortError');
      expect(sent).toEqual([['00Q0', '00Q1']]);
      expect(progress.at(-1)).toEqual(ended({ done: 2, written: 1, failed: [{ recordIds: ['00Q1'], error: locked('00Q1').error }] }));
    });

    it('sent again without an answer: what the first answer took stays written and handed on, those sent again are unconfirmed', async () => {
      const lost = new CrmError('network', 'Salesforce did not answer update Leads within 30 s; LeadLens did not send it again, as Salesforce may have done it already');
      const { value, sent } = answering(2, async () => [locked('00Q1')], async () => {
        throw lost;
      });
      const progress: WriteBackResult[] = [];
      const handedOn: string[][] = [];
      const error = await writeBack(rows, target, value, {
        clock: virtualClock(),
        onProgress: (sofar) => void progress.push({ ...sofar, failed: [...sofar.failed] }),
        onWritten: async (written) => void handedOn.push(written.map((update) => update.recordId)),
      }).catch((e: unknown) => e);
      expect(sent).toEqual([['00Q0', '00Q1'], ['00Q1']]);
      expect(isCrmError(error, 'network')).toBe(true);
      expect((error as Error).message).toBe(
        `Salesforce did not confirm the last batch (${lost.message}): its leads may or may not have been written. Stopped there, rather than send the 3 leads left, which would most likely fail the same way. Write back again once Salesforce answers`,
      );
      expect(handedOn).toEqual([['00Q0']]);
      expect(progress.at(-1)).toEqual(ended({ done: 0, written: 1, unconfirmed: 1 }));
    });
  });

  describe('batches whose every lead the CRM refused one by one for the same reason (a trigger throwing, a field made read-only since the check)', () => {
    const many: ScoreToWrite[] = Array.from({ length: 20 }, (_, i) => ({ ...rows[0], recordId: `00Q${String(i).padStart(2, '0')}` }));
    /**
     * Refuses every lead of each batch of 4 with `refusals(its number)`, or takes them all when it
     * gives null; of the batches numbered in `firstTakenIn`, it takes the first lead.
     */
    function refusingEach(refusals: (batch: number) => string | null, firstTakenIn: readonly number[] = []) {
      const sent: string[][] = [];
      const value: RecordWriter = {
        maxBatch: 4,
        batchRead: nothingRead,
        updateRecords: async (batch) => {
          sent.push(batch.map((update) => update.recordId));
          const error = refusals(sent.length);
          const refused = firstTakenIn.includes(sent.length) ? batch.slice(1) : batch;
          return error === null ? [] : refused.map(({ recordId }) => ({ recordId, error }));
        },
      };
      return { value, sent };
    }
    const readOnly = 'INVALID_FIELD_FOR_INSERT_UPDATE: Unable to create/update fields: LeadLens_Score__c. Please check the security settings of this field and verify that it is read/write for your profile or permission set.';

    it('stop the write-back after two in a row, naming the CRM’s code and message for the first lead, and saying nothing more was sent', async () => {
      const { value, sent } = refusingEach(() => readOnly);
      const progress: WriteBackResult[] = [];
      const error = await writeBack(many, target, value, { onProgress: (sofar) => void progress.push({ ...sofar, failed: sofar.failed.map((failure) => ({ ...failure, recordIds: [...failure.recordIds] })) }) }).catch((e: unknown) => e);
      expect(sent).toHaveLength(2);
      expect(isCrmError(error, 'request')).toBe(true);
      expect(error).toMatchObject({ crmCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' });
      expect((error as Error).message).toBe(
        `Salesforce refused every lead of the last 2 batches (8 leads) for the same reason: ${readOnly} (lead 00Q00). Stopped there: the 12 leads left were not sent, as they would most likely be refused the same way. Write back again once that is put right in Salesforce`,
      );
      // Both batches were answered: refused, not in doubt.
      expect(progress.at(-1)).toEqual({ ...ended({ done: 8, total: 20 }), failed: [{ recordIds: sent.flat(), error: readOnly }] });
    });

    it('stop so for a Flow failing on every update (CANNOT_EXECUTE_FLOW_TRIGGER), as for a trigger', async () => {
      const flowFails = 'CANNOT_EXECUTE_FLOW_TRIGGER: We can’t save this record because the “Lead Routing” process failed. Give your Salesforce admin these details. An unhandled fault has occurred in this flow';
      const { value, sent } = refusingEach(() => flowFails);
      const error = await writeBack(many, target, value).catch((e: unknown) => e);
      expect(sent).toHaveLength(2);
      expect(error).toMatchObject({ crmCode: 'CANNOT_EXECUTE_FLOW_TRIGGER' });
      expect((error as Error).message).toMatch(/^Salesforce refused every lead of the last 2 batches \(8 leads\) for the same reason: CANNOT_EXECUTE_FLOW_TRIGGER: /);
    });

    it('go on when a trigger meets a lock on every lead of batch after batch: another process’s lock passes, each batch is sent once more', async () => {
      const lockedInTrigger = 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: LeadTrigger: execution of AfterUpdate caused by: System.DmlException: Update failed. first error: UNABLE_TO_LOCK_ROW, unable to obtain exclusive access to this record: []';
      const { value, sent } = refusingEach(() => lockedInTrigger);
      const result = await writeBack(many, target, value, { clock: virtualClock() });
      expect(sent).toHaveLength(10);
      expect(result).toEqual({ ...ended({ done: 20, total: 20 }), failed: [{ recordIds: many.map((row) => row.recordId), error: lockedInTrigger }] });
    });

    it('go on while a batch between them has a lead written, or another reason', async () => {
      // Refused; one lead written; refused; refused for another code; refused.
      const reasons = [readOnly, readOnly, readOnly, 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Rating is required', readOnly];
      const { value, sent } = refusingEach((batch) => reasons[batch - 1], [2]);
      const result = await writeBack(many, target, value);
      expect(sent).toHaveLength(5);
      expect(result).toMatchObject({ done: 20, written: 1 });
    });

    it('end as any write-back when none is left to send', async () => {
      const { value, sent } = refusingEach(() => readOnly);
      expect(await writeBack(many.slice(0, 8), target, value)).toEqual({ ...ended({ done: 8, total: 8 }), failed: [{ recordIds: sent.flat(), error: readOnly }] });
    });

    it('go on when every lead of a run of batches fails a validation rule on its own data: leads created together, not the write', async () => {
      const { value, sent } = refusingEach((batch) => (batch <= 3 ? 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Industry is required' : null));
      const result = await writeBack(many, target, value);
      expect(sent).toHaveLength(5);
      expect(result).toMatchObject({ done: 20, written: 8 });
    });

    it('stop after two batches in a row refused as a whole for the same code of the write (HubSpot refusing a property)', async () => {
      const sent: string[][] = [];
      const refusing: RecordWriter = {
        maxBatch: 4,
        batchRead: nothingRead,
        updateRecords: async (batch) => {
          sent.push(batch.map((update) => update.recordId));
          throw new CrmError('request', 'Property values were not valid: leadlens_tier is read-only', 400, 'VALIDATION_ERROR');
        },
      };
      const error = await writeBack(many, target, refusing).catch((e: unknown) => e);
      expect(sent).toHaveLength(2);
      expect(error).toMatchObject({ crmCode: 'VALIDATION_ERROR' });
      expect((error as Error).message).toMatch(/^Salesforce refused every lead of the last 2 batches \(8 leads\) for the same reason: VALIDATION_ERROR: Property values were not valid: leadlens_tier is read-only \(lead 00Q00\)\. Stopped there: the 12 leads left were not sent/);
    });

    it('go on when every lead is one the CRM no longer has (deleted together since the last sync): the next leads are others', async () => {
      const { value, sent } = refusingEach((batch) => (batch <= 3 ? 'ENTITY_IS_DELETED: entity is deleted' : null));
      const result = await writeBack(many, target, value);
      expect(sent).toHaveLength(5);
      expect(result).toMatchObject({ done: 20, written: 8, failed: [{ error: 'ENTITY_IS_DELETED: entity is deleted' }] });
    });
  });

  it('a 401 whose token renewal fails (offline): nothing of the batch was written, not "may or may not", and no more are sent', async () => {
    let patches = 0;
    const fetch: typeof globalThis.fetch = async (_input, init) => {
      if (init?.method === 'PATCH') patches++;
      return new Response(JSON.stringify([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]), { status: 401 });
    };
    const salesforce = createSalesforceClient({
      instanceUrl: 'https://acme.my.salesforce.com',
      apiVersion: '67.0',
      clock: virtualClock(),
      fetch,
      accessToken: async () => 'old-token',
      renewAccessToken: async () => {
        throw new CrmError('network', 'Could not reach acme.my.salesforce.com for a Salesforce token (TypeError)');
      },
    });
    const leads = rows.map((row, i) => ({ ...row, recordId: `00Q${String(i).padStart(15, '0')}` }));
    const progress: WriteBackResult[] = [];
    const error = await writeBack(leads, target, { ...salesforce, maxBatch: 2 }, { onProgress: (sofar) => void progress.push({ ...sofar }) }).catch((e: unknown) => e);
    expect(patches).toBe(1);
    // In doubt while out; answered, nothing of it is.
    expect(progress).toEqual([ended({ done: 0, unconfirmed: 2 }), ended({ done: 0 })]);
    expect((error as Error).message).toBe(
      'Salesforce refused the access token (HTTP 401), and a new one could not be had (Could not reach acme.my.salesforce.com for a Salesforce token (TypeError)): nothing of the last batch was written, and no more were sent. Write back again later; if it happens again, reconnect Salesforce',
    );
  });

  describe('stops at the first batch refused for a reason every batch would get, as for the credentials', () => {
    /** Answers every request `status` with `body`, counting them. */
    function refusing(status: number, body: unknown) {
      const sent = { count: 0 };
      const fetch: typeof globalThis.fetch = async () => (sent.count++, new Response(JSON.stringify(body), { status }));
      return { sent, fetch };
    }
    const contacts = Array.from({ length: 5 }, (_, i) => ({ ...rows[i], recordId: String(101 + i) }));
    const hubspotTarget = checked(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }));

    it('a HubSpot token that reads contacts but lacks the write scope (403 MISSING_SCOPES): names the scope', async () => {
      const { sent, fetch } = refusing(403, { status: 'error', message: "This app hasn't been granted all required scopes to make this call.", category: 'MISSING_SCOPES', errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.contacts.write'] } }] });
      const hubspot = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch });
      const progress: WriteBackResult[] = [];
      const error = await writeBack(contacts, hubspotTarget, { ...hubspot, maxBatch: 2 }, { onProgress: (sofar) => void progress.push({ ...sofar }) }).catch((e: unknown) => e);
      expect(sent.count).toBe(1);
      expect(isCrmError(error, 'request')).toBe(true);
      expect((error as Error).message).toBe(
        'HubSpot refused to update contacts: the private app or service key whose token LeadLens uses lacks the scope crm.objects.contacts.write. Add it to that app or key in HubSpot (under Settings › Integrations, or Development), then try again',
      );
      // Nothing of the refused batch was taken, and it is not in doubt.
      expect(progress).toEqual([ended({ done: 0, unconfirmed: 2 }), ended({ done: 0 })]);
    });

    it('HubSpot’s daily limit used up (429 DAILY)', async () => {
      const { sent, fetch } = refusing(429, { status: 'error', message: 'You have reached your daily limit.', category: 'RATE_LIMITS', policyName: 'DAILY' });
      const hubspot = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', fetch });
      await expect(writeBack(contacts, hubspotTarget, { ...hubspot, maxBatch: 2 })).rejects.toThrow(/daily API limit is used up/);
      expect(sent.count).toBe(1);
    });

    it('Salesforce’s request limit (403 REQUEST_LIMIT_EXCEEDED)', async () => {
      const { sent, fetch } = refusing(403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
      const salesforce = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => '00Dsession!token', fetch });
      const leads = Array.from({ length: 5 }, (_, i) => ({ ...rows[i], recordId: `00Q${String(i).padStart(15, '0')}` }));
      const error = await writeBack(leads, target, { ...salesforce, maxBatch: 2 }).catch((e: unknown) => e);
      expect((error as Error).message).toBe(
        'Salesforce takes no more API requests from your org for now: the org has used all those Salesforce allows it in 24 hours, which all its integrations share. Requests older than 24 hours stop counting, so try again in a few hours (Salesforce refused update Leads: HTTP 403 (REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.))',
      );
      expect(sent.count).toBe(1);
    });
  });

  it('sends each batch as `current` has it just before, less the rows it leaves out, and hands on what was sent as written', async () => {
    const { value, batches } = writer(2);
    const kept: FieldUpdate[] = [];
    // A tier policy applied while the first batch was out: the later ones turn warm; 00Q3 is gone.
    let retiered = false;
    const current = async (due: readonly RowToWrite[]) => {
      const now = due.filter((row) => row.recordId !== '00Q3').map((row) => (retiered && 'tier' in row ? { ...row, tier: 'warm' as const } : row));
      retiered = true;
      return now;
    };
    const result = await writeBack(rows, target, value, { current, onWritten: async (written) => void kept.push(...written) });
    expect(batches.map((batch) => batch.map((update) => [update.recordId, update.fields.LeadLens_Tier__c]))).toEqual([
      [['00Q0', 'Hot'], ['00Q1', 'Hot']],
      [['00Q2', 'Warm']],
      [['00Q4', 'Warm']],
    ]);
    expect(kept).toEqual(batches.flat());
    expect(result).toEqual(ended({ written: 4 }));
  });

  it('empties the fields of a row to clear that still hold what LeadLens wrote, and counts it', async () => {
    // Salesforce answers a number field with a number: LeadLens remembers what it wrote as text.
    const { value, batches } = writer(5, null, [], { '00Q9': { Id: '00Q9', LeadLens_Score__c: 61, LeadLens_Tier__c: 'Warm' } });
    const clear: RowToWrite = { recordId: '00Q9', clear: ['LeadLens_Score__c', 'LeadLens_Tier__c'], wrote: { LeadLens_Score__c: '61', LeadLens_Tier__c: 'Warm' } };
    expect(await writeBack([rows[0], clear], target, value)).toEqual(ended({ done: 2, total: 2, written: 2, cleared: 1 }));
    expect(batches[0][1]).toEqual({ recordId: '00Q9', fields: { LeadLens_Score__c: null, LeadLens_Tier__c: null } });
  });

  describe('a field to empty that a rep may have changed since the last sync', () => {
    const wrote = { LeadLens_Score__c: '61', LeadLens_Tier__c: 'Warm' };
    const toClear = (recordId: string): RowToWrite => ({ recordId, clear: ['LeadLens_Score__c', 'LeadLens_Tier__c'], wrote });

    it('is read from the CRM just before, in one request per batch, and emptied only while it holds what LeadLens wrote', async () => {
      const { value, batches, reads } = writer(3, null, [], {
        '00QA': { Id: '00QA', LeadLens_Score__c: 61, LeadLens_Tier__c: 'Warm' },
        // A rep typed their own score since the last sync; the tier is still LeadLens's.
        '00QB': { Id: '00QB', LeadLens_Score__c: 85, LeadLens_Tier__c: 'Warm' },
        // A rep emptied the score and typed their own tier.
        '00QC': { Id: '00QC', LeadLens_Score__c: null, LeadLens_Tier__c: 'Hot' },
        // 00QD: deleted since the last sync.
      });
      const due = [rows[0], toClear('00QA'), toClear('00QB'), toClear('00QC'), toClear('00QD')];
      expect(await writeBack(due, target, value)).toEqual(
        ended({
          written: 3,
          cleared: 2,
          notCleared: [
            { recordIds: ['00QB'], reason: '"LeadLens_Score__c" no longer holds what LeadLens wrote there (changed in Salesforce since the last sync): left as it is' },
            { recordIds: ['00QC'], reason: '"LeadLens_Score__c" and "LeadLens_Tier__c" no longer hold what LeadLens wrote there (changed in Salesforce since the last sync): left as they are' },
            { recordIds: ['00QD'], reason: 'Salesforce did not return it (deleted or merged since the last sync, or no longer shared with this user): nothing was emptied' },
          ],
        }),
      );
      expect(reads).toEqual([
        { ids: ['00QA', '00QB'], fields: ['LeadLens_Score__c', 'LeadLens_Tier__c'] },
        { ids: ['00QC', '00QD'], fields: ['LeadLens_Score__c', 'LeadLens_Tier__c'] },
      ]);
      expect(batches).toEqual([
        [
          { recordId: '00Q0', fields: { LeadLens_Score__c: 90, LeadLens_Tier__c: 'Hot' } },
          { recordId: '00QA', fields: { LeadLens_Score__c: null, LeadLens_Tier__c: null } },
          { recordId: '00QB', fields: { LeadLens_Tier__c: null } },
        ],
      ]);
    });

    it('is left as it is when the read fails, and the batch’s scores are still written', async () => {
      const { value, batches } = writer(5);
      value.batchRead = async () => {
        throw new CrmError('request', 'Salesforce refused batch read Leads: HTTP 400 (MALFORMED_QUERY: unexpected token)', 400, 'MALFORMED_QUERY');
      };
      expect(await writeBack([rows[0], toClear('00QA'), rows[1]], target, value)).toEqual(
        ended({
          done: 3,
          total: 3,
          written: 2,
          notCleared: [
            {
              recordIds: ['00QA'],
              reason: 'its values in Salesforce could not be read just before (Salesforce refused batch read Leads: HTTP 400 (MALFORMED_QUERY: unexpected token)): nothing was emptied, as a rep may have typed their own since the last sync',
            },
          ],
        }),
      );
      expect(batches.flat().map((update) => update.recordId)).toEqual(['00Q0', '00Q1']);
    });

    it('stops the write-back when the read is refused as every batch would be (the credentials), sending nothing of the batch', async () => {
      const { value, batches } = writer(5);
      value.batchRead = async () => {
        throw new CrmError('auth', 'Salesforce refused the session (401): sign in again');
      };
      const progress: WriteBackResult[] = [];
      await expect(writeBack([rows[0], toClear('00QA')], target, value, { onProgress: (sofar) => void progress.push({ ...sofar }) })).rejects.toThrow(/refused the session/);
      expect(batches).toEqual([]);
      expect(progress).toEqual([ended({ done: 0, total: 2 })]);
    });

    it('through the Salesforce client: a score a rep typed since LeadLens wrote there stays, the one LeadLens wrote is emptied', async () => {
      const leads = generateDemoLeads({ count: 40, seed: 3, now: new Date('2026-11-01T00:00:00Z') }).filter((lead) => !lead.salesforce.IsConverted).slice(0, 2);
      const behaviour = defaultBehaviour();
      const clock = virtualClock();
      behaviour.now = clock.now;
      const salesforce = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => 't', clock, fetch: demoFetch(createDemoCrm(leads, behaviour).handle) });
      const scoreOnly = checked(WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null }));
      const [mine, edited] = leads.map((lead) => lead.salesforceId);
      expect(await writeBack([mine, edited].map((recordId) => ({ ...rows[0], recordId })), scoreOnly, salesforce)).toMatchObject({ written: 2 });
      // As last synced, both hold LeadLens's 90; then a rep types 42 into one in Salesforce.
      expect(await salesforce.updateRecords([{ recordId: edited, fields: { LeadLens_Score__c: 42 } }])).toEqual([]);
      const clears: RowToWrite[] = [mine, edited].map((recordId) => ({ recordId, clear: ['LeadLens_Score__c'], wrote: { LeadLens_Score__c: '90' } }));
      expect(await writeBack(clears, scoreOnly, salesforce)).toMatchObject({ written: 1, cleared: 1, notCleared: [{ recordIds: [edited] }] });
      const scoreOf = async (id: string) => (await salesforce.readRecord(id, { fields: ['LeadLens_Score__c'] }))?.fields.LeadLens_Score__c;
      expect(await scoreOf(mine)).toBeNull();
      expect(await scoreOf(edited)).toBe(42);
    });
  });

  it('cancelled while a request is out: says how many records the CRM may or may not have taken', async () => {
    const controller = new AbortController();
    const progress: WriteBackResult[] = [];
    const answerless: RecordWriter = {
      maxBatch: 2,
      batchRead: nothingRead,
      updateRecords: async (batch, signal) => {
        if (batch[0].recordId === '00Q0') return [];
        controller.abort();
        signal?.throwIfAborted();
        return [];
      },
    };
    await expect(writeBack(rows, target, answerless, { signal: controller.signal, onProgress: (sofar) => void progress.push({ ...sofar }) })).rejects.toThrow();
    expect(progress.at(-1)).toEqual(ended({ done: 2, written: 2, unconfirmed: 2 }));
  });
});
