import { describe, expect, it } from 'vitest';
import { generateDemoLeads } from './demo-data';
import { createHubSpotClient, type HubSpotApiVersion } from './hubspot-client';
import type { FieldUpdate } from './client';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { demoFetch } from '../../test/demo-crm/fetch';
import { json, type DemoRequest, type DemoResponse } from '../../test/demo-crm/http';
import { HUBSPOT_API_DEFAULTS } from '../../test/demo-crm/hubspot-api';
import { createDemoCrm, createDemoCrmHandler } from '../../test/demo-crm/server';
import { checkedByCrm, fieldsToWrite, writeBack, WriteBackTargetSchema, type ScoreToWrite, type WriteBackResult } from '../background/write-back';

// A portal's validation rules (Settings › Properties › Rules) hold for API writes too, and HubSpot's
// batch update refuses the whole batch, naming the property but not the contact, for one value
// breaking one (400 VALIDATION_ERROR).
const RULE_MAX = 100;
const leads = generateDemoLeads({ count: 60, seed: 5, now: new Date('2026-11-01T00:00:00Z') }).slice(0, 30);
const LONG_REASON = `Job title: ${'Senior Vice President, '.repeat(6)}EMEA`;
const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: 'leadlens_reason' });
/** One lead in ten has a reason longer than the rule takes (a long job title in it). */
const due: ScoreToWrite[] = leads.map((lead, i) => ({ recordId: lead.hubspotId, score: 60, tier: 'warm', topReason: i % 10 === 3 ? LONG_REASON : 'Job title: VP Sales' }));
const longReasonIds = due.filter((row) => row.topReason === LONG_REASON).map((row) => row.recordId);

/** The demo portal with MAX_LENGTH rules (`maxLengths`: on leadlens_reason unless told); `answer` may answer a request in its place. */
function portal(
  answer: (request: DemoRequest) => DemoResponse | undefined = () => undefined,
  apiVersion: HubSpotApiVersion = 'v3',
  maxLengths: Record<string, number> = { leadlens_reason: RULE_MAX },
) {
  const { handle } = createDemoCrm(leads, undefined, { ...HUBSPOT_API_DEFAULTS, maxLengths });
  const updates: string[][] = [];
  const requests: string[] = [];
  const fetch = demoFetch((request) => {
    requests.push(`${request.method} ${request.url.pathname}`);
    if (request.url.pathname.endsWith('/batch/update')) updates.push((JSON.parse(request.body) as { inputs: { id: string }[] }).inputs.map((input) => input.id));
    return answer(request) ?? handle(request);
  });
  return { client: createHubSpotClient({ accessToken: async () => 'pat-na1-secret', apiVersion, clock: virtualClock(), fetch }), updates, requests };
}

const reasonUpdates = (reasons: readonly string[]): FieldUpdate[] => reasons.map((reason, i) => ({ recordId: leads[i].hubspotId, fields: { leadlens_reason: reason } }));

describe('HubSpot refusing a whole batch update for a value a validation rule does not take', () => {
  it('writes the batch’s other contacts, and refuses those values alone, each with HubSpot’s refusal', async () => {
    const { client, updates } = portal();
    const reasons = Array.from({ length: 10 }, (_, i) => (i === 2 || i === 7 ? LONG_REASON : `Reason ${i}`));
    const failures = await client.updateRecords(reasonUpdates(reasons));
    expect(failures).toEqual([2, 7].map((i) => ({ recordId: leads[i].hubspotId, error: expect.stringMatching(/^VALIDATION_ERROR: HubSpot refused update contacts: HTTP 400 \(VALIDATION_ERROR: Property values were not valid: .*Enter no more than 100 characters/) })));
    const written = await client.batchRead(leads.slice(0, 10).map((lead) => lead.hubspotId), { fields: ['leadlens_reason'] });
    expect(written.map((record) => record.fields.leadlens_reason ?? null)).toEqual(reasons.map((reason) => (reason === LONG_REASON ? null : reason)));
    // The batch, then halves: 2·log2(10) requests at most per contact refused.
    expect(updates.length).toBeLessThanOrEqual(1 + 2 * 2 * Math.ceil(Math.log2(10)));
  });

  it('sends a part no more once the other part of a refused one was taken: it holds the value refused', async () => {
    const { client, updates } = portal();
    const reasons = ['a', 'b', 'c', LONG_REASON];
    expect(await client.updateRecords(reasonUpdates(reasons))).toEqual([{ recordId: leads[3].hubspotId, error: expect.stringMatching(/^VALIDATION_ERROR: /) }]);
    const id = (i: number) => leads[i].hubspotId;
    expect(updates).toEqual([[id(0), id(1), id(2), id(3)], [id(0), id(1)], [id(2)]]);
  });

  it('sends no more requests again than the batch has contacts, when a rule refuses most of its values; the parts left are refused whole', async () => {
    const { client, updates } = portal();
    const failures = await client.updateRecords(reasonUpdates(Array.from({ length: 16 }, () => LONG_REASON)));
    expect(failures.map((failure) => failure.recordId)).toEqual(leads.slice(0, 16).map((lead) => lead.hubspotId));
    expect(failures.every((failure) => failure.error.startsWith('VALIDATION_ERROR: '))).toBe(true);
    expect(updates.length).toBe(1 + 16);
  });

  it('refuses a batch of one as before, and sends nothing again for a refusal of another kind', async () => {
    const { client, updates } = portal();
    await expect(client.updateRecords(reasonUpdates([LONG_REASON]))).rejects.toMatchObject({ kind: 'request', status: 400, crmCode: 'VALIDATION_ERROR' });
    expect(updates).toHaveLength(1);
    const { client: conflicted, updates: sent } = portal((request) => (request.url.pathname.endsWith('/batch/update') ? json(409, { status: 'error', category: 'CONFLICT', message: 'Conflict' }) : undefined));
    await expect(conflicted.updateRecords(reasonUpdates(['a', 'b']))).rejects.toMatchObject({ kind: 'request', status: 409 });
    expect(sent).toHaveLength(1);
  });

  it('sends nothing again when the refusal is one every contact gets: a property deleted or made read-only since the check', async () => {
    for (const code of ['PROPERTY_DOESNT_EXIST', 'READ_ONLY_VALUE']) {
      const refused = (request: DemoRequest) =>
        request.url.pathname.endsWith('/batch/update')
          ? json(400, { status: 'error', category: 'VALIDATION_ERROR', message: `Property values were not valid: [{"isValid":false,"message":"leadlens_reason","error":"${code}","name":"leadlens_reason"}]` })
          : undefined;
      const { client, updates } = portal(refused);
      await expect(client.updateRecords(reasonUpdates(Array.from({ length: 10 }, (_, i) => `Reason ${i}`)))).rejects.toMatchObject({ kind: 'request', status: 400, crmCode: 'VALIDATION_ERROR' });
      expect(updates, code).toHaveLength(1);
    }
  });

  it('writes back every lead but those whose reason breaks the rule, when the portal’s rules cannot be read: no batch is lost, nor the write-back stopped', async () => {
    // As the reviewer found it: HubSpot's answer to the rules read is a refusal (a token of other scopes).
    const { client, updates } = portal((request) => (request.url.pathname.includes('/property-validations/') ? json(403, { status: 'error', category: 'MISSING_SCOPES', message: 'This app hasn’t been granted all required scopes to make this call.' }) : undefined));
    const checked = checkedByCrm(target, await client.checkWritableFields(fieldsToWrite(target)));
    expect(checked.reasonMaxLength).toBe(255);
    let last: WriteBackResult | undefined;
    await writeBack(due, checked, { ...client, maxBatch: 10 }, { onProgress: (sofar) => void (last = { ...sofar, failed: sofar.failed.map((f) => ({ ...f, recordIds: [...f.recordIds] })) }) });
    expect(last).toMatchObject({ written: 27, done: 30, total: 30 });
    expect(last?.failed.flatMap((failure) => failure.recordIds).sort()).toEqual([...longReasonIds].sort());
    // Three batches of ten, each with one reason refused: 2·log2(10) requests more at most for each.
    expect(updates.length).toBeLessThanOrEqual(3 * (1 + 2 * Math.ceil(Math.log2(10))));
  });
});

describe('HubSpot write-back targets with a maximum length rule', () => {
  it.each(['v3', '2026-03'] as const)('cuts each reason to the rule’s maximum, so that every lead is written (%s)', async (apiVersion) => {
    const { client, updates, requests } = portal(undefined, apiVersion);
    const checked = checkedByCrm(target, await client.checkWritableFields(fieldsToWrite(target)));
    const rulesPath = apiVersion === 'v3' ? '/crm/v3/property-validations/0-1/leadlens_reason' : '/crm/property-validations/2026-03/0-1/leadlens_reason';
    expect(requests).toContain(`GET ${rulesPath}`);
    // The score is a number property: no rule is read for it.
    expect(requests.filter((request) => request.includes('/property-validations/'))).toHaveLength(1);
    expect(checked.reasonMaxLength).toBe(RULE_MAX);
    let last: WriteBackResult | undefined;
    await writeBack(due, checked, { ...client, maxBatch: 10 }, { onProgress: (sofar) => void (last = sofar) });
    expect(last).toMatchObject({ written: 30, done: 30, failed: [] });
    expect(updates).toHaveLength(3);
    const [written] = await client.batchRead([longReasonIds[0]], { fields: ['leadlens_reason'] });
    expect(written.fields.leadlens_reason).toHaveLength(RULE_MAX);
  });

  it.each([
    ['the tier words', { scoreField: null, tierField: 'leadlens_tier' }, /"leadlens_tier" \(.*\) holds at most 3 characters, too few for "Warm", "Cold": raise its maximum-length rule to 4 characters or more, or remove it\. Nothing was written\./],
    ['the score', { scoreField: 'leadlens_tier', tierField: null }, /"leadlens_tier" \(.*\) holds at most 1 character, too few for "99": raise its maximum-length rule to 2 characters or more, or remove it\./],
  ] as const)('refuses a text property whose rule leaves no room for %s, as a Salesforce text field too short is, writing nothing', async (_, fields, refusal) => {
    const { client, updates } = portal(undefined, 'v3', { leadlens_tier: fields.tierField ? 3 : 1 });
    const written = WriteBackTargetSchema.parse({ crm: 'hubspot', reasonField: null, ...fields });
    await expect(client.checkWritableFields(fieldsToWrite(written))).rejects.toThrow(refusal);
    expect(updates).toHaveLength(0);
  });

  it('takes a text property of no rule, or of rules of other types, as holding what any text property holds', async () => {
    const rules = (results: unknown[]) => (request: DemoRequest) => (request.url.pathname.includes('/property-validations/') ? json(200, { results }) : undefined);
    for (const results of [[], [{ ruleType: 'MIN_LENGTH', ruleArguments: ['3'] }, { ruleType: 'MAX_LENGTH', ruleArguments: ['none'] }, { ruleType: 'MAX_LENGTH' }]]) {
      const { client } = portal(rules(results));
      expect(await client.checkWritableFields([{ name: 'leadlens_reason', holds: 'text' }])).toEqual([{ name: 'leadlens_reason', maxLength: 65_536 }]);
    }
  });
});

it('the demo portal has no rule by default', async () => {
  const plain = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock: virtualClock(), fetch: demoFetch(createDemoCrmHandler(leads)) });
  expect(await plain.checkWritableFields([{ name: 'leadlens_reason', holds: 'text' }])).toEqual([{ name: 'leadlens_reason', maxLength: 65_536 }]);
});
