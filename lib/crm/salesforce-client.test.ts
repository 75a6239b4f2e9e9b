import { listAllChanges } from './list-all-changes';
import { describe, expect, it } from 'vitest';
import { DEMO_OWNERS, generateDemoLeads, salesforceIdChecksum } from './demo-data';
import { isCrmError } from './http';
import { createSalesforceClient, soqlDateTime } from './salesforce-client';
import { virtualClock } from './virtual-clock';
import { mulberry32 } from '../ml/random';
import { defaultBehaviour, parseFaults } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { DEMO_LEAD_QUEUE } from '../../test/demo-crm/salesforce-api';
import { createDemoCrmHandler } from '../../test/demo-crm/server';

const leads = generateDemoLeads({ count: 4500, seed: 3, now: new Date('2026-11-01T00:00:00Z') });

function setup(apiVersion = '67.0') {
  const behaviour = defaultBehaviour();
  const clock = virtualClock();
  behaviour.now = clock.now;
  const fetch = demoFetch(createDemoCrmHandler(leads, behaviour));
  const client = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion, accessToken: async () => '00Dsession!token', clock, fetch });
  return { client, behaviour, clock };
}

describe('Salesforce client against the demo CRM', () => {
  it('reads one lead with all its fields, or only those asked for, and null for an unknown Id', async () => {
    const { client } = setup();
    const lead = leads[7];
    const record = await client.readRecord(lead.salesforceId);
    expect(record).toMatchObject({ id: lead.salesforceId, modifiedAt: Date.parse(lead.salesforce.SystemModstamp.replace('+0000', 'Z')) });
    expect(record?.fields).toMatchObject({ Name: lead.salesforce.Name, IsConverted: lead.salesforce.IsConverted });
    expect(record?.fields).not.toHaveProperty('attributes');
    const some = await client.readRecord(lead.salesforceId, { fields: ['Title'] });
    expect(Object.keys(some!.fields).sort()).toEqual(['Id', 'SystemModstamp', 'Title']);
    expect(await client.readRecord('00Q000000000000AAA')).toBeNull();
  });

  it('batch-reads in chunks of IN lists and leaves out unknown Ids', async () => {
    const { client } = setup();
    const ids = leads.slice(0, 450).map((l) => l.salesforceId);
    const records = await client.batchRead([...ids, '00Q000000000000AAA']);
    expect(records.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it('pages every change through nextRecordsUrl, oldest first, and from a cursor', async () => {
    const { client } = setup();
    const all = await listAllChanges(client, null);
    expect(all.pages).toBe(3);
    expect(new Set(all.ids).size).toBe(leads.length);
    const cut = leads.map((l) => Date.parse(l.salesforce.SystemModstamp.replace('+0000', 'Z'))).sort((a, b) => a - b)[4000];
    const later = await listAllChanges(client, cut);
    const expected = leads.filter((l) => Date.parse(l.salesforce.SystemModstamp.replace('+0000', 'Z')) >= Math.floor(cut / 1000) * 1000);
    expect(later.ids.sort()).toEqual(expected.map((l) => l.salesforceId).sort());
  });

  it('names owners, Users and queues, 200 Ids per query, leaving out unknown and malformed Ids', async () => {
    const { client, behaviour } = setup();
    const unknownUsers = Array.from({ length: 400 }, (_, i) => salesforceIdChecksum(`0055g00000Z${String(i).padStart(4, '0')}`));
    const names = await client.ownerNames([...unknownUsers, ...DEMO_OWNERS.map((o) => o.salesforceId), DEMO_LEAD_QUEUE.Id, "005' OR Name != '"]);
    expect(names).toEqual(new Map([...DEMO_OWNERS.map((o): [string, string] => [o.salesforceId, o.name]), [DEMO_LEAD_QUEUE.Id, 'Inbound Leads Queue']]));
    // 406 User Ids: 3 queries; the queue: 1 query on Group.
    expect(behaviour.requests.salesforce).toBe(4);
    await expect(client.ownerNames([])).resolves.toEqual(new Map());
    expect(behaviour.requests.salesforce).toBe(4);
  });

  it('says a request naming more Lead fields than a URL holds is too long for Salesforce, and why', async () => {
    const { client } = setup();
    // An org's Lead can have hundreds of custom fields: 700 of these make a URL of ~19,000 bytes.
    const fields = Array.from({ length: 700 }, (_, i) => `Marketing_Attribute_${String(i).padStart(3, '0')}__c`);
    const tooLong = { kind: 'request', status: 414, message: expect.stringMatching(/names 702 Lead fields, .*at most 16,384 bytes of URL and headers/) };
    await expect(client.readRecord(leads[0].salesforceId, { fields })).rejects.toMatchObject(tooLong);
    await expect(client.batchRead([leads[0].salesforceId], { fields })).rejects.toMatchObject(tooLong);
  });

  it('writes SOQL date-times floored to the second', () => {
    expect(soqlDateTime(Date.parse('2026-03-14T09:26:53.589Z'))).toBe('2026-03-14T09:26:53Z');
  });

  it('says a forgotten query locator is an expired cursor', async () => {
    const { client } = setup();
    await expect(client.listChanged(null, '/services/data/v67.0/query/01gD0000000zzzzAAA-2000')).rejects.toMatchObject({ kind: 'cursor-expired' });
    await expect(client.listChanged(null, 'https://elsewhere.test/steal')).rejects.toMatchObject({ kind: 'cursor-expired' });
  });

  it('gets every lead through 429s, 5xx, timeouts and truncated bodies', async () => {
    const { client, behaviour } = setup();
    behaviour.faults = parseFaults('429=0.2,500=0.1,timeout=0.02,malformed=0.05');
    behaviour.random = mulberry32(11);
    const all = await listAllChanges(client, null);
    expect(new Set(all.ids).size).toBe(leads.length);
  });

  it('checks access: a version the org lacks, a revoked session', async () => {
    const { client } = setup('99.0');
    await expect(client.checkAccess()).rejects.toThrow(/API version 99\.0 is not available on acme\.my\.salesforce\.com; it offers 31\.0–67\.0/);
    const ok = setup();
    // The org is its My Domain host.
    await expect(ok.client.checkAccess()).resolves.toEqual({ id: 'acme.my.salesforce.com', name: 'acme.my.salesforce.com' });
    ok.behaviour.revokedTokens.add('00Dsession!token');
    const error = await ok.client.readRecord(leads[0].salesforceId).catch((e: unknown) => e);
    expect(isCrmError(error, 'auth')).toBe(true);
    expect(String(error)).toContain('INVALID_SESSION_ID');
  });

  it('updates custom fields 200 records per call, with per-record results, and reads them back', async () => {
    const { client } = setup();
    expect(client.maxBatch).toBe(200);
    const [first, second] = leads;
    const failures = await client.updateRecords([
      { recordId: first.salesforceId, fields: { LeadLens_Score__c: 87, LeadLens_Tier__c: 'Hot' } },
      { recordId: '00Q000000000000AAA', fields: { LeadLens_Score__c: 12 } },
      { recordId: second.salesforceId, fields: { LeadLens_Reason__c: 'x'.repeat(256) } },
    ]);
    expect(failures).toEqual([
      { recordId: '00Q000000000000AAA', error: 'INVALID_CROSS_REFERENCE_KEY: invalid cross reference id' },
      { recordId: second.salesforceId, error: 'STRING_TOO_LONG: LeadLens_Reason__c: value does not fit the field' },
    ]);
    const written = await client.readRecord(first.salesforceId, { fields: ['LeadLens_Score__c', 'LeadLens_Tier__c'] });
    expect(written?.fields).toMatchObject({ LeadLens_Score__c: 87, LeadLens_Tier__c: 'Hot' });
    const tooMany = leads.slice(0, 201).map((lead) => ({ recordId: lead.salesforceId, fields: { LeadLens_Score__c: 1 } }));
    await expect(client.updateRecords(tooMany)).rejects.toThrow(/At most 200/);
  });

  it('refuses a write to a field the org does not have, with Salesforce’s INVALID_FIELD', async () => {
    const { client } = setup();
    const error = await client.updateRecords([{ recordId: leads[0].salesforceId, fields: { Missing__c: 1 } }]).catch((e: unknown) => e);
    expect(isCrmError(error, 'request')).toBe(true);
    expect(String(error)).toContain("INVALID_FIELD: No such column 'Missing__c' on sobject of type Lead");
  });

  it('names the field when the schema drifts: renamed cursor field, changed type', async () => {
    const renamed = setup();
    renamed.behaviour.drift = { field: 'SystemModstamp', renameTo: 'SystemModStamp2' };
    await expect(renamed.client.listChanged(null, null)).rejects.toThrow(/no field SystemModstamp/);
    const retyped = setup();
    retyped.behaviour.drift = { field: 'SystemModstamp', toType: 'number' };
    const error = await retyped.client.listChanged(null, null).catch((e: unknown) => e);
    expect(isCrmError(error, 'schema')).toBe(true);
    expect(String(error)).toMatch(/records\.0\.SystemModstamp/);
  });
});
