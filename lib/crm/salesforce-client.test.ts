import { listAllChanges } from '../../test/fixtures/list-all-changes';
import { describe, expect, it } from 'vitest';
import { DEMO_OWNERS, generateDemoLeads } from './demo-data';
import { salesforceId18 } from './salesforce';
import { CLOCK_ALLOWANCE_MS, ListShortOfCountError, type CrmClient } from './client';
import { isCrmError } from './http';
import { createSalesforceClient, soqlDateTime } from './salesforce-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { mulberry32 } from '../ml/random';
import { defaultBehaviour, parseFaults } from '../../test/demo-crm/behaviour';
import { demoFetch, holdingFetch } from '../../test/demo-crm/fetch';
import { expectCancelledCheckLeavesSyncItsLoad } from '../../test/shared-load';
import { json, type DemoRequest, type DemoResponse } from '../../test/demo-crm/http';
import { DEMO_LEAD_QUEUE, DEMO_SALESFORCE_ADMIN, DEMO_SALESFORCE_USERS, demoSessionIdAs } from '../../test/demo-crm/salesforce-api';
import { createDemoCrm } from '../../test/demo-crm/server';

const leads = generateDemoLeads({ count: 4500, seed: 3, now: new Date('2026-11-01T00:00:00Z') });

/** `answer`: the reply to a request instead of the demo's, when it gives one. */
function setup(apiVersion = '67.0', answer: (request: DemoRequest) => DemoResponse | undefined = () => undefined) {
  const behaviour = defaultBehaviour();
  const clock = virtualClock();
  behaviour.now = clock.now;
  const { handle, store } = createDemoCrm(leads, behaviour);
  const requests: string[] = [];
  const fetch = demoFetch((request) => {
    requests.push(decodeURIComponent(request.url.pathname + request.url.search));
    return answer(request) ?? handle(request);
  });
  const client = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion, accessToken: async () => '00Dsession!token', clock, fetch });
  return { client, behaviour, clock, store, requests };
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

  it('names only the asked-for fields describe lists, as it spells them, so a field the org lacks is left out', async () => {
    const { client, requests } = setup();
    const [lead] = leads;
    // Another org's model: a custom field this org does not have, and names spelled in lower case.
    const fields = ['Title', 'leadsource', 'Fit_Score__c'];
    const record = await client.readRecord(lead.salesforceId, { fields });
    expect(record?.fields).toEqual({ Id: lead.salesforceId, SystemModstamp: lead.salesforce.SystemModstamp, Title: lead.salesforce.Title, LeadSource: lead.salesforce.LeadSource });
    const [batched] = await client.batchRead([lead.salesforceId], { fields });
    expect(batched.fields).toEqual(record?.fields);
    expect(requests.filter((request) => !request.endsWith('/describe'))).toEqual([
      `/services/data/v67.0/sobjects/Lead/${lead.salesforceId}?fields=Id,SystemModstamp,Title,LeadSource`,
      `/services/data/v67.0/query?q=SELECT Id,SystemModstamp,Title,LeadSource FROM Lead WHERE Id IN ('${lead.salesforceId}')`,
    ]);
    expect(requests.filter((request) => request.endsWith('/describe'))).toHaveLength(1);
  });

  it('describes Lead again for a field it did not list, at most every 10 minutes: the field may be new', async () => {
    let fitScoreCreated = false;
    const { client, clock, requests } = setup('67.0', (request) => {
      // This org has the field once created (the demo org never has it).
      if (request.url.searchParams.get('fields')?.includes('Fit_Score__c')) {
        return json(200, { attributes: { type: 'Lead' }, Id: leads[0].salesforceId, SystemModstamp: leads[0].salesforce.SystemModstamp, Title: 'CTO', Fit_Score__c: 80 });
      }
      if (!request.url.pathname.endsWith('/sobjects/Lead/describe')) return undefined;
      const fields = [{ name: 'Id', type: 'id' }, { name: 'SystemModstamp', type: 'datetime' }, { name: 'Title', type: 'string' }];
      return json(200, { fields: fitScoreCreated ? [...fields, { name: 'Fit_Score__c', type: 'double' }] : fields });
    });
    const describes = () => requests.filter((request) => request.endsWith('/describe')).length;
    const lastRead = () => requests.filter((request) => !request.endsWith('/describe')).at(-1);
    const lead = leads[0].salesforceId;
    await client.readRecord(lead, { fields: ['Title', 'Fit_Score__c'] });
    expect(lastRead()).toBe(`/services/data/v67.0/sobjects/Lead/${lead}?fields=Id,SystemModstamp,Title`);
    // The admin creates the field; within 10 minutes the client does not ask again.
    fitScoreCreated = true;
    await clock.sleep(5 * 60_000);
    await client.readRecord(lead, { fields: ['Title', 'Fit_Score__c'] });
    expect(describes()).toBe(1);
    await clock.sleep(5 * 60_000);
    await client.readRecord(lead, { fields: ['Title', 'Fit_Score__c'] });
    expect(describes()).toBe(2);
    expect(lastRead()).toBe(`/services/data/v67.0/sobjects/Lead/${lead}?fields=Id,SystemModstamp,Title,Fit_Score__c`);
    // Fields it lists ask nothing more.
    await clock.sleep(60 * 60_000);
    await client.readRecord(lead, { fields: ['Title'] });
    expect(describes()).toBe(2);
  });

  it('syncs a field created since describe was read once describe is 10 minutes old: syncs share the client', async () => {
    let fitScoreCreated = false;
    const { client, clock, requests } = setup('67.0', (request) => {
      // This org has the field once created (the demo org never has it).
      if (request.url.searchParams.get('q')?.includes('Fit_Score__c')) return json(200, { totalSize: 0, done: true, records: [] });
      if (!request.url.pathname.endsWith('/sobjects/Lead/describe')) return undefined;
      const fields = [{ name: 'Id', type: 'id' }, { name: 'SystemModstamp', type: 'datetime' }, { name: 'Title', type: 'string' }];
      return json(200, { fields: fitScoreCreated ? [...fields, { name: 'Fit_Score__c', type: 'double' }] : fields });
    });
    const lastQuery = () => requests.filter((request) => request.includes('/query?q=')).at(-1);
    await client.listChanged(null, null);
    expect(lastQuery()).toContain('SELECT Id,SystemModstamp,Title FROM Lead');
    fitScoreCreated = true;
    await clock.sleep(9 * 60_000);
    await client.listChanged(null, null);
    expect(lastQuery()).toContain('SELECT Id,SystemModstamp,Title FROM Lead');
    await clock.sleep(60_000);
    await client.listChanged(null, null);
    expect(lastQuery()).toContain('SELECT Id,SystemModstamp,Title,Fit_Score__c FROM Lead');
    expect(requests.filter((request) => request.endsWith('/describe'))).toHaveLength(2);
  });

  describe('a field describe listed, deleted or hidden by field-level security since', () => {
    const describeListing = (gone: () => boolean) => (request: DemoRequest) => {
      if (!request.url.pathname.endsWith('/sobjects/Lead/describe')) return undefined;
      const fields = [{ name: 'Id', type: 'id' }, { name: 'SystemModstamp', type: 'datetime' }, { name: 'Title', type: 'string' }];
      // The demo org has no Gone__c: Salesforce refuses a request naming it (400 INVALID_FIELD).
      return json(200, { fields: gone() ? fields : [...fields, { name: 'Gone__c', type: 'string' }] });
    };
    const lead = leads[0];
    const reads = {
      readRecord: (client: CrmClient) => client.readRecord(lead.salesforceId, { fields: ['Title', 'Gone__c'] }).then((record) => [record!]),
      batchRead: (client: CrmClient) => client.batchRead([lead.salesforceId], { fields: ['Title', 'Gone__c'] }),
      listChanged: async (client: CrmClient) => (await client.listChanged(null, null)).records,
    };

    it.each(Object.keys(reads) as (keyof typeof reads)[])('%s describes Lead again at once when Salesforce refuses it, and asks once more without it', async (read) => {
      let gone = false;
      const { client, requests } = setup('67.0', describeListing(() => gone));
      await client.readRecord(lead.salesforceId, { fields: ['Title'] });
      gone = true;
      requests.length = 0;
      const records = await reads[read](client);
      expect(records.find((record) => record.id === lead.salesforceId)?.fields).toMatchObject({ Title: lead.salesforce.Title });
      expect(records.every((record) => !('Gone__c' in record.fields))).toBe(true);
      expect(requests.map((request) => (request.endsWith('/describe') ? 'describe' : request.includes('Gone__c') ? 'naming Gone__c' : 'without it'))).toEqual(['naming Gone__c', 'describe', 'without it']);
    });

    it('fails with the refusal when describe still lists the field: asked once more, not again and again', async () => {
      const { client, requests } = setup('67.0', describeListing(() => false));
      await expect(reads.readRecord(client)).rejects.toMatchObject({ kind: 'request', status: 400, crmCode: 'INVALID_FIELD' });
      expect(requests.filter((request) => request.endsWith('/describe'))).toHaveLength(2);
      expect(requests.filter((request) => request.includes('Gone__c'))).toHaveLength(2);
    });
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

  it('reads every Lead’s formula fields (describe says `calculated`), paged through nextRecordsUrl, answering only their values', async () => {
    const locator = '/services/data/v67.0/query/01gD0000000001AAA-2';
    const lead = (i: number, daysOpen: number) => ({ attributes: { type: 'Lead' }, Id: leads[i].salesforceId, SystemModstamp: leads[i].salesforce.SystemModstamp, Days_Open__c: daysOpen, Owner_Region__c: 'EMEA' });
    const { client, requests } = setup('67.0', (request) => {
      if (request.url.pathname.endsWith('/sobjects/Lead/describe')) {
        return json(200, { fields: [
          { name: 'Id', type: 'id', calculated: false }, { name: 'SystemModstamp', type: 'datetime' }, { name: 'Title', type: 'string', calculated: false },
          { name: 'Days_Open__c', type: 'double', calculated: true }, { name: 'Owner_Region__c', type: 'string', calculated: true },
          // Compound fields are not synced, calculated or not.
          { name: 'Address', type: 'address', calculated: true },
        ] });
      }
      if (request.url.searchParams.get('q')?.includes('Days_Open__c')) return json(200, { totalSize: 3, done: false, nextRecordsUrl: locator, records: [lead(0, 10), lead(1, 11)] });
      if (request.url.pathname === locator) return json(200, { totalSize: 3, done: true, records: [lead(2, 12)] });
      return undefined;
    });
    const first = await client.listCalculated!(null);
    expect(first).toEqual({ records: [{ id: leads[0].salesforceId, fields: { Days_Open__c: 10, Owner_Region__c: 'EMEA' } }, { id: leads[1].salesforceId, fields: { Days_Open__c: 11, Owner_Region__c: 'EMEA' } }], next: locator });
    expect(await client.listCalculated!(first!.next)).toEqual({ records: [{ id: leads[2].salesforceId, fields: { Days_Open__c: 12, Owner_Region__c: 'EMEA' } }], next: null });
    expect(requests.filter((request) => !request.endsWith('/describe'))).toEqual(['/services/data/v67.0/query?q=SELECT Id,SystemModstamp,Days_Open__c,Owner_Region__c FROM Lead', locator]);
    await expect(client.listCalculated!('/services/data/v67.0/query/01gD0000000009AAA-2000')).rejects.toMatchObject({ kind: 'cursor-expired' });
  });

  it('reads no formula field of an org whose Leads have none, asking nothing but describe', async () => {
    const { client, requests } = setup();
    expect(await client.listCalculated!(null)).toBeNull();
    expect(requests).toEqual(['/services/data/v67.0/sobjects/Lead/describe']);
  });

  it('says when, by Salesforce’s clock (its Date header), a query of changes ran, on its first page only, and nothing without the header', async () => {
    const behaviour = defaultBehaviour();
    const clock = virtualClock(Date.parse('2026-11-01T12:00:00.750Z'));
    behaviour.now = clock.now;
    const { handle } = createDemoCrm(leads, behaviour);
    const clientSending = (dated: boolean) => {
      const reachOrg = demoFetch(handle);
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const response = await reachOrg(input, init);
        if (dated) response.headers.set('date', new Date(clock.now()).toUTCString());
        await clock.sleep(60_000); // each answer a minute after the one before
        return response;
      };
      return createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => '00Dsession!token', clock, fetch });
    };
    const client = clientSending(true);
    await client.syncedFields(); // describe, answered first
    const queried = clock.now();
    const first = await client.listChanged(null, null);
    // To the second, as the header has it.
    expect(first.queriedAt).toBe(Math.floor(queried / 1000) * 1000);
    const second = await client.listChanged(null, first.next);
    expect(second.records.length).toBeGreaterThan(0);
    expect(second).not.toHaveProperty('queriedAt');
    expect(await clientSending(false).listChanged(null, null)).not.toHaveProperty('queriedAt');
  });

  it('names owners, Users and queues, 200 Ids per query, leaving out unknown and malformed Ids', async () => {
    const { client, behaviour } = setup();
    const unknownUsers = Array.from({ length: 400 }, (_, i) => salesforceId18(`0055g00000Z${String(i).padStart(4, '0')}`));
    const names = await client.ownerNames([...unknownUsers, ...DEMO_OWNERS.map((o) => o.salesforceId), DEMO_LEAD_QUEUE.Id, "005' OR Name != '"]);
    expect(names).toEqual(new Map([...DEMO_OWNERS.map((o): [string, string] => [o.salesforceId, o.name]), [DEMO_LEAD_QUEUE.Id, 'Inbound Leads Queue']]));
    // 406 User Ids: 3 queries; the queue: 1 query on Group.
    expect(behaviour.requests.salesforce).toBe(4);
    await expect(client.ownerNames([])).resolves.toEqual(new Map());
    expect(behaviour.requests.salesforce).toBe(4);
  });

  it('writes SOQL date-times floored to the second', () => {
    expect(soqlDateTime(Date.parse('2026-03-14T09:26:53.589Z'))).toBe('2026-03-14T09:26:53Z');
  });

  it('says a forgotten query locator is an expired cursor', async () => {
    const { client } = setup();
    await expect(client.listChanged(null, '/services/data/v67.0/query/01gD0000000zzzzAAA-2000')).rejects.toMatchObject({ kind: 'cursor-expired' });
    await expect(client.listChanged(null, 'https://elsewhere.test/steal')).rejects.toMatchObject({ kind: 'cursor-expired' });
  });

  it('gets every lead through 5xx answers and truncated bodies', async () => {
    const { client, behaviour } = setup();
    // Salesforce's passing faults; its request limit is no 429 to wait out (next test).
    behaviour.faults = parseFaults('500=0.3,timeout=0.02,malformed=0.05');
    behaviour.random = mulberry32(4);
    const all = await listAllChanges(client, null);
    expect(new Set(all.ids).size).toBe(leads.length);
    expect(behaviour.served.salesforce.serverError).toBeGreaterThan(0);
    expect(behaviour.served.salesforce.malformed).toBeGreaterThan(0);
  });

  it('stops at Salesforce\'s request limit (403 REQUEST_LIMIT_EXCEEDED, no Retry-After): nothing to wait out, nothing asked again', async () => {
    const { client, behaviour, clock, requests } = setup();
    behaviour.faults = parseFaults('429=1');
    const startedAt = clock.now();
    await expect(listAllChanges(client, null)).rejects.toMatchObject({
      kind: 'request',
      status: 403,
      crmCode: 'REQUEST_LIMIT_EXCEEDED',
      message: expect.stringContaining('HTTP 403 (REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.)'),
    });
    expect(requests).toHaveLength(1);
    expect(clock.now()).toBe(startedAt);
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

  it('names the user the credentials sign in as, by the identity URL Resources by Version lists and their User record: a "Log in as" session is the rep’s', async () => {
    const { client, requests } = setup();
    expect(await client.currentUser!()).toEqual({ id: DEMO_SALESFORCE_ADMIN.Id, name: 'Avery Lindqvist', username: 'avery.lindqvist@northbeam-analytics.example' });
    expect(requests).toEqual(['/services/data/v67.0/', `/services/data/v67.0/sobjects/User/${DEMO_SALESFORCE_ADMIN.Id}?fields=Id,Name,Username`]);

    const rep = DEMO_SALESFORCE_USERS.find((user) => user.Name === 'Tomás Echeverría')!;
    const { handle } = createDemoCrm(leads, defaultBehaviour());
    const asRep = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => demoSessionIdAs(rep), fetch: demoFetch(handle) });
    expect(await asRep.currentUser!()).toEqual({ id: rep.Id, name: 'Tomás Echeverría', username: 'tomas.echeverria@northbeam-analytics.example' });
  });

  it('reads the User record again only when the identity URL names another user: a sync asks as it starts and again before it removes leads', async () => {
    const { client, requests } = setup();
    await client.currentUser!();
    requests.length = 0;
    expect(await client.currentUser!()).toEqual({ id: DEMO_SALESFORCE_ADMIN.Id, name: 'Avery Lindqvist', username: 'avery.lindqvist@northbeam-analytics.example' });
    expect(requests).toEqual(['/services/data/v67.0/']);
  });

  it('answers the 18-character Id of a user the identity URL names by 15, and refuses a resources list without an identity URL', async () => {
    const rep = DEMO_SALESFORCE_USERS[1];
    let identity: string | undefined = `https://login.salesforce.com/id/00D5g000004Demo/${rep.Id.slice(0, 15)}`;
    const { client } = setup('67.0', (request) => (request.url.pathname === '/services/data/v67.0/' ? json(200, { sobjects: '/services/data/v67.0/sobjects', identity }) : undefined));
    expect((await client.currentUser!()).id).toBe(rep.Id);
    identity = undefined;
    const error = await client.currentUser!().catch((e: unknown) => e);
    expect(isCrmError(error, 'schema')).toBe(true);
    expect(String(error)).toContain('identity');
  });

  it('updates custom fields 200 records per call, with per-record results, and reads them back', async () => {
    const { client } = setup();
    expect(client.maxBatch).toBe(200);
    const [first, second] = leads;
    const ownerBefore = first.salesforce.OwnerId;
    const failures = await client.updateRecords([
      { recordId: first.salesforceId, fields: { LeadLens_Score__c: 87, LeadLens_Tier__c: 'Hot' } },
      { recordId: '00Q000000000000AAA', fields: { LeadLens_Score__c: 12 } },
      { recordId: second.salesforceId, fields: { LeadLens_Reason__c: 'x'.repeat(256) } },
    ]);
    expect(failures).toEqual([
      { recordId: '00Q000000000000AAA', error: 'INVALID_CROSS_REFERENCE_KEY: invalid cross reference id' },
      { recordId: second.salesforceId, error: 'STRING_TOO_LONG: LeadLens_Reason__c: value does not fit the field' },
    ]);
    const written = await client.readRecord(first.salesforceId, { fields: ['LeadLens_Score__c', 'LeadLens_Tier__c', 'OwnerId'] });
    // Salesforce reassigns a Lead updated without Sforce-Auto-Assign: FALSE; the rep keeps it.
    expect(written?.fields).toMatchObject({ LeadLens_Score__c: 87, LeadLens_Tier__c: 'Hot', OwnerId: ownerBefore });
    expect(ownerBefore).not.toBe(DEMO_LEAD_QUEUE.Id);
    const tooMany = leads.slice(0, 201).map((lead) => ({ recordId: lead.salesforceId, fields: { LeadLens_Score__c: 1 } }));
    await expect(client.updateRecords(tooMany)).rejects.toThrow(/At most 200/);
  });

  it('empties a custom field written null, as Salesforce does', async () => {
    const { client } = setup();
    const [first] = leads;
    await client.updateRecords([{ recordId: first.salesforceId, fields: { LeadLens_Score__c: 87, LeadLens_Tier__c: 'Hot' } }]);
    expect(await client.updateRecords([{ recordId: first.salesforceId, fields: { LeadLens_Score__c: null, LeadLens_Tier__c: null } }])).toEqual([]);
    const emptied = await client.readRecord(first.salesforceId, { fields: ['LeadLens_Score__c', 'LeadLens_Tier__c'] });
    expect(emptied?.fields).toMatchObject({ LeadLens_Score__c: null, LeadLens_Tier__c: null });
  });

  it('refuses a write to a field the org does not have, with Salesforce’s INVALID_FIELD', async () => {
    const { client } = setup();
    const error = await client.updateRecords([{ recordId: leads[0].salesforceId, fields: { Missing__c: 1 } }]).catch((e: unknown) => e);
    expect(isCrmError(error, 'request')).toBe(true);
    expect(String(error)).toContain("INVALID_FIELD: No such column 'Missing__c' on sobject of type Lead");
  });

  it('names the field when the schema drifts: renamed cursor field, changed type in every Lead of a page', async () => {
    const renamed = setup();
    renamed.behaviour.drift = { field: 'SystemModstamp', renameTo: 'SystemModStamp2' };
    await expect(renamed.client.listChanged(null, null)).rejects.toThrow(/no field SystemModstamp/);
    const retyped = setup();
    retyped.behaviour.drift = { field: 'SystemModstamp', toType: 'number' };
    const error = await retyped.client.listChanged(null, null).catch((e: unknown) => e);
    expect(isCrmError(error, 'schema')).toBe(true);
    expect(String(error)).toMatch(/Salesforce answered query changed Leads with none of its \d+ records in the shape LeadLens reads: SystemModstamp: /);
  });

  it('leaves out one Lead it cannot read, by id and field, and returns the rest of its page', async () => {
    const { client, behaviour } = setup();
    const odd = (await client.listChanged(null, null)).records[1].id;
    behaviour.oddRecords.set(odd, { field: 'IsConverted', value: { converted: true } });
    const page = await client.listChanged(null, null);
    expect(page.skipped).toEqual([{ id: odd, reason: expect.stringMatching(/^IsConverted: /) }]);
    expect(page.records.map((record) => record.id)).not.toContain(odd);
    expect(page.records.length).toBeGreaterThan(1);
  });
});

describe('Salesforce write-back targets', () => {
  const tier = { name: 'LeadLens_Tier__c', holds: 'text', values: ['Hot', 'Warm', 'Cold'] } as const;
  const refusal = async (client: ReturnType<typeof setup>['client'], fields: Parameters<ReturnType<typeof setup>['client']['checkWritableFields']>[0]) =>
    ((await client.checkWritableFields(fields).catch((e: unknown) => e)) as Error).message;

  it('takes the custom fields the org created for LeadLens (names without case), and refuses standard fields, those it lacks and another type', async () => {
    const { client, requests } = setup();
    // Answered as Salesforce spells them: a sync stores them so.
    // The demo org's describe states no lengths: write-back cuts a reason to its own limit then.
    await expect(client.checkWritableFields([{ name: 'leadlens_score__c', holds: 'number', largest: 99 }, tier, { name: 'LeadLens_Reason__c', holds: 'text' }])).resolves.toEqual([
      { name: 'LeadLens_Score__c', maxLength: null },
      { name: 'LeadLens_Tier__c', maxLength: null },
      { name: 'LeadLens_Reason__c', maxLength: null },
    ]);
    const error = await client.checkWritableFields([{ name: 'Title', holds: 'text' }, { name: 'Missing_Score__c', holds: 'number' }]).catch((e: unknown) => e);
    expect(isCrmError(error, 'request')).toBe(true);
    expect((error as Error).message).toBe(
      '"Title" (Title) is a standard Salesforce field: LeadLens writes only to custom fields, so it never overwrites your Leads\' data; ' +
        'Salesforce Leads have no field "Missing_Score__c" that you can see: create it, or check its API name and field-level security. Nothing was written.',
    );
    // A number goes as a JSON number, which a text field refuses.
    expect(await refusal(client, [{ name: 'LeadLens_Tier__c', holds: 'number' }])).toBe('"LeadLens_Tier__c" (LeadLens Tier) is a string field, which cannot hold a number. Nothing was written.');
    expect(await refusal(client, [{ ...tier, name: 'LeadLens_Score__c' }])).toBe('"LeadLens_Score__c" (LeadLens Score) is a double field, which cannot hold text. Nothing was written.');
    expect(requests.filter((request) => !request.endsWith('/sobjects/Lead/describe'))).toEqual([]);
  });

  it('refuses custom fields the user cannot update (a formula), and picklists lacking a tier', async () => {
    const picklist = (...values: string[]) => values.map((value) => ({ value, label: value, active: value !== 'Retired', defaultValue: false }));
    const fields = [
      { name: 'Id', type: 'id', custom: false, updateable: false },
      { name: 'SystemModstamp', type: 'datetime', custom: false, updateable: false },
      { name: 'Fit_Formula__c', label: 'Fit formula', type: 'double', custom: true, updateable: false, calculated: true },
      { name: 'Fit_Unsaid__c', label: 'Fit unsaid', type: 'double', custom: true },
      { name: 'Tier__c', label: 'Tier', type: 'picklist', custom: true, updateable: true, picklistValues: picklist('Hot', 'Warm', 'Cold') },
      { name: 'Old_Tier__c', label: 'Old tier', type: 'picklist', custom: true, updateable: true, picklistValues: picklist('Hot', 'Warm', 'Retired') },
    ];
    const { client } = setup('67.0', (request) => (request.url.pathname.endsWith('/sobjects/Lead/describe') ? json(200, { fields }) : undefined));
    await expect(client.checkWritableFields([{ ...tier, name: 'Tier__c' }])).resolves.toEqual([{ name: 'Tier__c', maxLength: null }]);
    expect(await refusal(client, [{ name: 'Fit_Formula__c', holds: 'number' }])).toBe('"Fit_Formula__c" (Fit formula) is read-only for you (a formula field, or field-level security). Nothing was written.');
    // Describe always says whether a field is updateable: one that does not say is not written.
    expect(await refusal(client, [{ name: 'Fit_Unsaid__c', holds: 'number' }])).toMatch(/^"Fit_Unsaid__c" \(Fit unsaid\) is read-only for you/);
    expect(await refusal(client, [{ ...tier, name: 'Old_Tier__c' }])).toBe('"Old_Tier__c" (Old tier) is a picklist without "Cold". Nothing was written.');
    expect(await refusal(client, [{ name: 'Tier__c', holds: 'text' }])).toBe('"Tier__c" (Tier) is a picklist, which cannot hold text. Nothing was written.');
  });

  it('answers a text field’s length, and refuses a text field too short for a tier or a number field with too few digits for a score', async () => {
    // As Salesforce describes them: `length` for text, `precision` and `scale` for numbers (Number(3,2): one digit before the point).
    const custom = (name: string, type: string, sizes: object) => ({ name, label: name.replace(/__c$/, '').replace(/_/g, ' '), type, custom: true, updateable: true, length: 0, precision: 0, scale: 0, digits: 0, ...sizes });
    const fields = [
      { name: 'Id', type: 'id', custom: false, updateable: false },
      { name: 'SystemModstamp', type: 'datetime', custom: false, updateable: false },
      custom('Reason_100__c', 'string', { length: 100 }),
      custom('Reason_Long__c', 'textarea', { length: 32_768 }),
      custom('Tier_3__c', 'string', { length: 3 }),
      custom('Tier_4__c', 'string', { length: 4 }),
      custom('Score_3_2__c', 'double', { precision: 3, scale: 2 }),
      custom('Score_2_0__c', 'double', { precision: 2, scale: 0 }),
      custom('Score_Percent__c', 'percent', { precision: 5, scale: 4 }),
    ];
    const { client } = setup('67.0', (request) => (request.url.pathname.endsWith('/sobjects/Lead/describe') ? json(200, { fields }) : undefined));
    const score = (name: string) => ({ name, holds: 'number', largest: 99 }) as const;
    await expect(client.checkWritableFields([{ name: 'Reason_100__c', holds: 'text' }, { name: 'Reason_Long__c', holds: 'text' }, { ...tier, name: 'Tier_4__c' }, score('Score_2_0__c')])).resolves.toEqual([
      { name: 'Reason_100__c', maxLength: 100 },
      { name: 'Reason_Long__c', maxLength: 32_768 },
      { name: 'Tier_4__c', maxLength: 4 },
      { name: 'Score_2_0__c', maxLength: null },
    ]);
    expect(await refusal(client, [{ ...tier, name: 'Tier_3__c' }])).toBe('"Tier_3__c" (Tier 3) holds at most 3 characters, too few for "Warm", "Cold": give it a length of 4 or more. Nothing was written.');
    expect(await refusal(client, [score('Score_3_2__c'), score('Score_Percent__c')])).toBe(
      '"Score_3_2__c" (Score 3 2) holds 1 digit before the decimal point, too few for 99: give it a length of 2 or more; ' +
        '"Score_Percent__c" (Score Percent) holds 1 digit before the decimal point, too few for 99: give it a length of 2 or more. Nothing was written.',
    );
  });

  it('refuses a currency field for the score: a multi-currency org’s syncs read it back converted, never as written', async () => {
    const fields = [
      { name: 'Id', type: 'id', custom: false, updateable: false },
      { name: 'SystemModstamp', type: 'datetime', custom: false, updateable: false },
      { name: 'Score_Amount__c', label: 'Score amount', type: 'currency', custom: true, updateable: true, precision: 18, scale: 2 },
    ];
    const { client } = setup('67.0', (request) => (request.url.pathname.endsWith('/sobjects/Lead/describe') ? json(200, { fields }) : undefined));
    expect(await refusal(client, [{ name: 'Score_Amount__c', holds: 'number', largest: 99 }])).toBe(
      '"Score_Amount__c" (Score amount) is a currency field, which an org with more than one currency reads back converted to its corporate currency, not as the score LeadLens wrote (every write-back would write it again): use a Number field. Nothing was written.',
    );
    expect(await refusal(client, [{ ...tier, name: 'Score_Amount__c' }])).toBe('"Score_Amount__c" (Score amount) is a currency field, which cannot hold text. Nothing was written.');
  });

  it('describes Lead afresh for each check: a field created a moment ago is taken', async () => {
    let fitScoreCreated = false;
    const { client, requests } = setup('67.0', (request) => {
      if (!request.url.pathname.endsWith('/sobjects/Lead/describe')) return undefined;
      const fields = [{ name: 'Id', type: 'id' }, { name: 'SystemModstamp', type: 'datetime' }];
      return json(200, { fields: fitScoreCreated ? [...fields, { name: 'Fit_Score__c', label: 'Fit score', type: 'double', custom: true, updateable: true }] : fields });
    });
    await expect(client.checkWritableFields([{ name: 'Fit_Score__c', holds: 'number' }])).rejects.toThrow(/no field "Fit_Score__c"/);
    fitScoreCreated = true;
    await expect(client.checkWritableFields([{ name: 'Fit_Score__c', holds: 'number' }])).resolves.toEqual([{ name: 'Fit_Score__c', maxLength: null }]);
    expect(requests.filter((request) => request.endsWith('/describe'))).toHaveLength(2);
  });

  it('a check given up while describe runs is cancelled at once, and a sync waiting on that describe still gets it', async () => {
    const { handle } = createDemoCrm(leads, defaultBehaviour());
    const holding = holdingFetch(demoFetch(handle), (url) => url.endsWith('/sobjects/Lead/describe'));
    const client = createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => '00Dsession!token', fetch: holding.fetch });
    await expectCancelledCheckLeavesSyncItsLoad(client, holding, tier);
  });
});

describe('Salesforce option labels', () => {
  it('answers the labels picklist values show as, inactive ones too, from the describe a read made, asking nothing more', async () => {
    const fields = [
      { name: 'Id', label: 'Lead ID', type: 'id', picklistValues: [] },
      { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', picklistValues: [] },
      { name: 'Title', label: 'Title', type: 'string', picklistValues: [] },
      {
        name: 'LeadSource',
        label: 'Lead Source',
        type: 'picklist',
        picklistValues: [
          { active: true, defaultValue: false, label: 'Website', value: 'Web', validFor: null },
          { active: true, defaultValue: false, label: 'Partner Referral', value: 'Partner Referral', validFor: null },
          // Deactivated since: Leads set before still hold it.
          { active: false, defaultValue: false, label: 'Salon', value: 'Trade Show', validFor: null },
          // Salesforce sends a null label now and then.
          { active: true, defaultValue: false, label: null, value: 'Seminar', validFor: null },
          // A label of another shape reads as none, rather than failing the describe every sync reads.
          { active: true, defaultValue: false, label: 7, value: 'Webinar', validFor: null },
        ],
      },
      { name: 'Interests__c', label: 'Interests', type: 'multipicklist', custom: true, picklistValues: [{ active: true, defaultValue: false, label: 'Machine learning', value: 'ML', validFor: null }] },
      { name: 'Rating', label: 'Rating', type: 'picklist', picklistValues: [{ active: true, defaultValue: false, label: 'Hot', value: 'Hot', validFor: null }] },
    ];
    const { client, requests } = setup('67.0', (request) => {
      if (request.url.pathname.endsWith('/sobjects/Lead/describe')) return json(200, { fields });
      return json(200, { attributes: { type: 'Lead' }, Id: leads[0].salesforceId, SystemModstamp: leads[0].salesforce.SystemModstamp, Title: 'CTO' });
    });
    await client.readRecord(leads[0].salesforceId, { fields: ['Title'] });
    const asked = requests.length;
    // Names matched without case, answered as asked; Title is text, Rating's labels are its values, the last one Lead lacks;
    // a multi-select's page shows several labels joined, which no one label reads back.
    await expect(client.optionLabels(['leadsource', 'Interests__c', 'Title', 'Rating', 'Fit_Score__c'])).resolves.toEqual({
      leadsource: { Web: 'Website', 'Trade Show': 'Salon' },
    });
    expect(requests).toHaveLength(asked);
    expect(requests.filter((request) => request.endsWith('/describe'))).toHaveLength(1);
  });

  it('answers none for the demo org, whose picklist values are their own labels', async () => {
    const { client } = setup();
    await expect(client.optionLabels(['LeadSource', 'Industry', 'Status', 'Rating'])).resolves.toEqual({});
  });
});

describe('Salesforce deleted Leads', () => {
  const DAY = 86_400_000;
  const isDeletedRequest = (request: DemoRequest) => request.url.pathname.endsWith('/sobjects/Lead/deleted/');

  it('lists the Leads deleted since a date, with when, and up to when Salesforce covers', async () => {
    const { client, clock, store, requests } = setup();
    const since = clock.now() - 2 * DAY;
    store.deleteLead(leads[0], since - 60_000);
    store.deleteLead(leads[1], since + 3_600_000);
    store.deleteLead(leads[2], clock.now() - 90_500);
    await clock.sleep(30_000);
    expect(await client.listDeleted(since)).toEqual({
      kind: 'deleted-since',
      records: [
        { id: leads[1].salesforceId, deletedAt: since + 3_600_000 },
        { id: leads[2].salesforceId, deletedAt: clock.now() - 121_000 }, // to the second, as Salesforce stamps it
      ],
      coveredTo: clock.now() - 30_000, // to the minute
    });
    expect(requests).toEqual(['/services/data/v67.0/sobjects/Lead/deleted/?start=2026-10-30T00:00:00Z&end=2026-11-01T00:00:30Z']);
  });

  it('starts a window Salesforce would find too short (a minute or less) two minutes before its end', async () => {
    const { client, clock, requests } = setup();
    await clock.sleep(DAY);
    expect(await client.listDeleted(clock.now() - 10_000)).toMatchObject({ kind: 'deleted-since', records: [] });
    // Also a date ahead of Salesforce's clock (this browser's runs fast).
    expect(await client.listDeleted(clock.now() + 3_600_000)).toMatchObject({ kind: 'deleted-since', records: [] });
    expect(requests).toEqual(Array(2).fill('/services/data/v67.0/sobjects/Lead/deleted/?start=2026-11-01T23:58:00Z&end=2026-11-02T00:00:00Z'));
  });

  it('lists every Lead instead when Salesforce no longer keeps deletions that old: refused before 15 days, not asked before 30', async () => {
    for (const [daysAgo, askedForDeleted] of [[20, true], [40, false]] as const) {
      const { client, clock, store, requests } = setup();
      store.deleteLead(leads[5], clock.now() - 19 * DAY);
      store.deleteLead(leads[6], clock.now() - DAY);
      const asked = clock.now();
      const deletions = await client.listDeleted(asked - daysAgo * DAY);
      expect(deletions.kind).toBe('all-present');
      const ids = deletions.kind === 'all-present' ? deletions.ids : [];
      expect(ids).toHaveLength(leads.length - 2);
      expect(new Set(ids)).toEqual(new Set(leads.filter((_, i) => i !== 5 && i !== 6).map((lead) => lead.salesforceId)));
      // A Lead deleted while they are listed may be listed: the next sync's deletions start before,
      // and a day before, as the browser's clock may run fast (a Lead deleted meanwhile would be missed).
      expect(deletions.coveredTo).toBe(asked - CLOCK_ALLOWANCE_MS);
      expect(requests.some((path) => path.includes('/sobjects/Lead/deleted/'))).toBe(askedForDeleted);
      // 4,498 Ids: three batches of 2,000.
      expect(requests.filter((path) => path.includes('/query'))).toEqual(['/services/data/v67.0/query?q=SELECT Id FROM Lead', expect.stringMatching(/-2000$/), expect.stringMatching(/-4000$/)]);
    }
  });

  it('lists every Lead instead when Salesforce has more than 600,000 deletions to list, or a log that starts after the date', async () => {
    const tooMany = setup('67.0', (request) => (isDeletedRequest(request) ? json(400, [{ errorCode: 'EXCEEDED_ID_LIMIT', message: 'Too many ids' }]) : undefined));
    expect((await tooMany.client.listDeleted(tooMany.clock.now() - DAY)).kind).toBe('all-present');
    const purged = setup('67.0', (request) =>
      isDeletedRequest(request) ? json(200, { deletedRecords: [], earliestDateAvailable: '2026-10-31T12:00:00.000+0000', latestDateCovered: '2026-11-01T00:00:00.000+0000' }) : undefined,
    );
    expect((await purged.client.listDeleted(purged.clock.now() - DAY)).kind).toBe('all-present');
  });

  it('covers up to a day before the end asked when Salesforce gives no latestDateCovered (the browser’s clock may run fast), and names the path of a malformed answer', async () => {
    const bare = setup('67.0', (request) => (isDeletedRequest(request) ? json(200, { deletedRecords: [] }) : undefined));
    expect(await bare.client.listDeleted(bare.clock.now() - DAY)).toEqual({ kind: 'deleted-since', records: [], coveredTo: bare.clock.now() - CLOCK_ALLOWANCE_MS });
    const malformed = setup('67.0', (request) => (isDeletedRequest(request) ? json(200, { deletedRecords: [{ id: '00Q', deletedDate: '2026-10-31T12:00:00.000+0000' }] }) : undefined));
    await expect(malformed.client.listDeleted(malformed.clock.now() - DAY)).rejects.toMatchObject({ kind: 'schema', message: expect.stringContaining('deletedRecords.0.id') });
  });

  it('lists every Lead the user can see, for syncs to compare now and then: Get Deleted leaves out those shared away', async () => {
    const { client, clock, store, requests } = setup();
    store.deleteLead(leads[5], clock.now() - DAY);
    const present = await client.listPresent!();
    expect(present.kind).toBe('all-present');
    expect(new Set(present.ids)).toEqual(new Set(leads.filter((_, i) => i !== 5).map((lead) => lead.salesforceId)));
    expect(present.coveredTo).toBe(clock.now() - CLOCK_ALLOWANCE_MS);
    expect(requests.every((path) => path.includes('/query'))).toBe(true);
  });

  it('refuses a list of every Lead cut short, which would have a sync remove the Leads left off: more to come without a locator, or fewer Ids than counted', async () => {
    const ids = (count: number) => leads.slice(0, count).map((lead) => ({ attributes: { type: 'Lead' }, Id: lead.salesforceId }));
    const answering = (page: object) => setup('67.0', (request) => (request.url.searchParams.get('q') === 'SELECT Id FROM Lead' ? json(200, page) : undefined));
    const withoutLocator = answering({ totalSize: leads.length, done: false, records: ids(100) });
    await expect(withoutLocator.client.listPresent!()).rejects.toMatchObject({ kind: 'schema', message: expect.stringContaining('nextRecordsUrl: missing while done is false') });
    const short = answering({ totalSize: leads.length, done: true, records: ids(100) });
    // Refused as short of the count, which a sync answers by removing only the deletions Get Deleted lists (`listKeptDeletions`).
    const shortRefusal = { kind: 'schema', listed: 100, counted: 4_500, message: 'Salesforce listed 100 Leads of the 4,500 it counted: LeadLens removed no lead missing from that list' };
    await expect(short.client.listPresent!()).rejects.toThrow(ListShortOfCountError);
    await expect(short.client.listPresent!()).rejects.toMatchObject(shortRefusal);
    // Also as the fallback of Get Deleted, which no longer reaches back 40 days.
    await expect(short.client.listDeleted(short.clock.now() - 40 * DAY)).rejects.toMatchObject(shortRefusal);
  });

  it('counts a list of every Lead without repeats, which could stand in for Ids left off, and takes one longer than counted, which removes no Lead', async () => {
    const ids = (from: number, to: number) => leads.slice(from, to).map((lead) => ({ attributes: { type: 'Lead' }, Id: lead.salesforceId }));
    const answering = (page: object) => setup('67.0', (request) => (request.url.searchParams.get('q') === 'SELECT Id FROM Lead' ? json(200, page) : undefined));
    const repeating = answering({ totalSize: leads.length, done: true, records: [...ids(0, 4_400), ...ids(0, 100)] });
    await expect(repeating.client.listPresent!()).rejects.toMatchObject({ listed: 4_400, counted: 4_500, message: expect.stringContaining('Salesforce listed 4,400 Leads of the 4,500 it counted') });
    const longer = answering({ totalSize: 100, done: true, records: ids(0, 101) });
    expect((await longer.client.listPresent!()).ids).toEqual(leads.slice(0, 101).map((lead) => lead.salesforceId));
  });

  it('stops following a query whose next page is the one just read (its locator names itself), where it would read that page forever', async () => {
    const locator = '/services/data/v67.0/query/01gX-2000';
    let pagesAnswered = 0;
    const { client } = setup('67.0', (request) => {
      if (request.url.searchParams.get('q') !== 'SELECT Id FROM Lead' && request.url.pathname !== locator) return undefined;
      // Bounds the test: LeadLens of old asked for the page again and again.
      if (++pagesAnswered > 50) throw new Error('50 pages answered');
      return json(200, { totalSize: leads.length, done: false, nextRecordsUrl: locator, records: [{ attributes: { type: 'Lead' }, Id: leads[0].salesforceId }] });
    });
    await expect(client.listPresent!()).rejects.toMatchObject({ kind: 'schema', message: 'Salesforce answered list Lead Ids with the same page again; LeadLens stopped reading to avoid looping' });
    expect(pagesAnswered).toBe(2);
  });

  it('stops following a query whose locators lead back to a page already read (A → B → A)', async () => {
    const locators = ['/services/data/v67.0/query/01gX-2000', '/services/data/v67.0/query/01gX-4000'];
    let pagesAnswered = 0;
    const { client } = setup('67.0', (request) => {
      const asked = locators.indexOf(request.url.pathname);
      if (request.url.searchParams.get('q') !== 'SELECT Id FROM Lead' && asked === -1) return undefined;
      if (++pagesAnswered > 50) throw new Error('50 pages answered');
      // The query's page leads to the first locator, the first to the second, the second back to the first.
      return json(200, { totalSize: leads.length, done: false, nextRecordsUrl: locators[(asked + 1) % 2], records: [{ attributes: { type: 'Lead' }, Id: leads[0].salesforceId }] });
    });
    await expect(client.listPresent!()).rejects.toMatchObject({ kind: 'schema', message: 'Salesforce answered list Lead Ids with the same page again; LeadLens stopped reading to avoid looping' });
    expect(pagesAnswered).toBe(3);
  });

  it('refuses a page of changes saying more are to come without a locator, rather than ending the changes there', async () => {
    const { client } = setup('67.0', (request) =>
      request.url.searchParams.get('q')?.includes('ORDER BY SystemModstamp') ? json(200, { totalSize: leads.length, done: false, records: [] }) : undefined,
    );
    await expect(client.listChanged(null, null)).rejects.toMatchObject({ kind: 'schema', message: expect.stringContaining('nextRecordsUrl') });
  });

  it('fails on a session Salesforce rejects, rather than listing every Lead', async () => {
    const { client, behaviour, clock } = setup();
    behaviour.revokedTokens.add('00Dsession!token');
    await expect(client.listDeleted(clock.now() - DAY)).rejects.toMatchObject({ kind: 'auth' });
  });
});

describe('Salesforce deletions it still lists, while a list of every Lead is refused', () => {
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  const deletedPath = '/services/data/v67.0/sobjects/Lead/deleted/';
  const isDeletedRequest = (request: DemoRequest) => request.url.pathname.endsWith('/sobjects/Lead/deleted/');

  it('lists the Leads deleted since a date as listDeleted does, up to when Salesforce covers', async () => {
    const { client, clock, store, requests } = setup();
    const since = clock.now() - 2 * DAY;
    store.deleteLead(leads[0], since - 60_000);
    store.deleteLead(leads[1], since + HOUR);
    expect(await client.listKeptDeletions!(since)).toEqual({ kind: 'deleted-since', records: [{ id: leads[1].salesforceId, deletedAt: since + HOUR }], coveredTo: clock.now() });
    expect(requests).toEqual([`${deletedPath}?start=2026-10-30T00:00:00Z&end=2026-11-01T00:00:00Z`]);
  });

  it('lists those Salesforce still keeps, never every Lead, when it purged those since the date (20 days) or would not look that far back (40)', async () => {
    for (const [daysAgo, firstStart] of [[20, '2026-10-12T00:00:00Z'], [40, '2026-10-02T00:00:00Z']] as const) {
      const { client, clock, store, requests } = setup();
      store.deleteLead(leads[5], clock.now() - 19 * DAY);
      store.deleteLead(leads[6], clock.now() - DAY);
      expect(await client.listKeptDeletions!(clock.now() - daysAgo * DAY)).toEqual({ kind: 'deleted-since', records: [{ id: leads[6].salesforceId, deletedAt: clock.now() - DAY }], coveredTo: clock.now() });
      // From the date, or 30 days back; refused, the last minutes say the log keeps 15 days, and it is read from there.
      expect(requests).toEqual([
        `${deletedPath}?start=${firstStart}&end=2026-11-01T00:00:00Z`,
        `${deletedPath}?start=2026-10-31T23:58:00Z&end=2026-11-01T00:00:00Z`,
        `${deletedPath}?start=2026-10-17T00:00:00Z&end=2026-11-01T00:00:00Z`,
      ]);
    }
  });

  it('takes an answer whose log starts after the date as what Salesforce keeps, asking once', async () => {
    const deletedRecords = [{ id: leads[3].salesforceId, deletedDate: '2026-10-31T18:00:00.000+0000' }];
    const { client, clock, requests } = setup('67.0', (request) =>
      isDeletedRequest(request) ? json(200, { deletedRecords, earliestDateAvailable: '2026-10-31T12:00:00.000+0000', latestDateCovered: '2026-10-31T23:59:00.000+0000' }) : undefined,
    );
    expect(await client.listKeptDeletions!(clock.now() - DAY)).toEqual({
      kind: 'deleted-since',
      records: [{ id: leads[3].salesforceId, deletedAt: Date.parse('2026-10-31T18:00:00Z') }],
      coveredTo: Date.parse('2026-10-31T23:59:00Z'),
    });
    expect(requests).toHaveLength(1);
  });

  it('asks the log from the minute after the earliest date Salesforce names, and lists the last minutes alone when it names none', async () => {
    const refusingOld = (earliestDateAvailable?: string) => (request: DemoRequest) => {
      if (!isDeletedRequest(request)) return undefined;
      if (request.url.searchParams.get('start') === '2026-10-25T00:00:00Z') return json(400, [{ errorCode: 'INVALID_REPLICATION_DATE', message: 'startDate is before the earliest date available' }]);
      return json(200, { deletedRecords: [{ id: leads[3].salesforceId, deletedDate: '2026-10-31T23:59:00.000+0000' }], ...(earliestDateAvailable && { earliestDateAvailable }) });
    };
    const named = setup('67.0', refusingOld('2026-10-28T06:30:15.000+0000'));
    await named.client.listKeptDeletions!(named.clock.now() - 7 * DAY);
    expect(named.requests.at(-1)).toBe(`${deletedPath}?start=2026-10-28T06:31:00Z&end=2026-11-01T00:00:00Z`);
    const unnamed = setup('67.0', refusingOld());
    expect(await unnamed.client.listKeptDeletions!(unnamed.clock.now() - 7 * DAY)).toEqual({
      kind: 'deleted-since',
      records: [{ id: leads[3].salesforceId, deletedAt: Date.parse('2026-10-31T23:59:00Z') }],
      coveredTo: unnamed.clock.now() - CLOCK_ALLOWANCE_MS, // no latestDateCovered: the browser's clock may run fast
    });
    expect(unnamed.requests).toEqual([`${deletedPath}?start=2026-10-25T00:00:00Z&end=2026-11-01T00:00:00Z`, `${deletedPath}?start=2026-10-31T23:58:00Z&end=2026-11-01T00:00:00Z`]);
  });

  it('halves a window with more deletions than Salesforce lists at once (600,000) until it lists them, covering only to its end: the next read goes on from there', async () => {
    // More than Salesforce lists in any window longer than 4 days.
    const { client, clock, store, requests } = setup('67.0', (request) => {
      if (!isDeletedRequest(request)) return undefined;
      const [start, end] = ['start', 'end'].map((name) => Date.parse(request.url.searchParams.get(name)!));
      return end - start > 4 * DAY ? json(400, [{ errorCode: 'EXCEEDED_ID_LIMIT', message: 'Too many ids' }]) : undefined;
    });
    const since = clock.now() - 10 * DAY;
    store.deleteLead(leads[1], since + DAY);
    store.deleteLead(leads[2], since + 3 * DAY);
    const first = await client.listKeptDeletions!(since);
    expect(first).toEqual({ kind: 'deleted-since', records: [{ id: leads[1].salesforceId, deletedAt: since + DAY }], coveredTo: since + 2.5 * DAY });
    expect(requests.map((path) => path.replace(/^.*end=/, ''))).toEqual(['2026-11-01T00:00:00Z', '2026-10-27T00:00:00Z', '2026-10-24T12:00:00Z']);
    const next = await client.listKeptDeletions!(first.coveredTo);
    expect(next.records).toEqual([{ id: leads[2].salesforceId, deletedAt: since + 3 * DAY }]);
    // A window of minutes Salesforce still cannot list fails the read.
    const { client: tooMany, clock: tooManyClock } = setup('67.0', (request) => (isDeletedRequest(request) ? json(400, [{ errorCode: 'EXCEEDED_ID_LIMIT', message: 'Too many ids' }]) : undefined));
    await expect(tooMany.listKeptDeletions!(tooManyClock.now() - HOUR)).rejects.toMatchObject({ kind: 'request', crmCode: 'EXCEEDED_ID_LIMIT' });
  });

  it('fails on a session Salesforce rejects, asking nothing more', async () => {
    const { client, behaviour, clock, requests } = setup();
    behaviour.revokedTokens.add('00Dsession!token');
    await expect(client.listKeptDeletions!(clock.now() - DAY)).rejects.toMatchObject({ kind: 'auth' });
    expect(requests).toHaveLength(1);
    expect(requests[0].startsWith(deletedPath)).toBe(true);
  });
});

describe('Salesforce OAuth renewal', () => {
  it('names to the renewal the token each refused request sent, so two 401s to one expired token renew it once', async () => {
    // T1 has expired; its renewals are good.
    let current = 'T1';
    let renewals = 0;
    const refusedTokens: string[] = [];
    let retried!: () => void;
    const firstRetried = new Promise<void>((resolve) => (retried = resolve));
    const fetch: typeof globalThis.fetch = async (_input, init) => {
      const token = new Headers(init?.headers).get('authorization')!.replace('Bearer ', '');
      const body = JSON.parse(String(init?.body)) as { records: { id: string }[] };
      const [{ id }] = body.records;
      if (token === 'T1') {
        // The second request's 401 arrives once the first was renewed and sent again.
        if (id === leads[1].salesforceId) await firstRetried;
        return new Response(JSON.stringify([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]), { status: 401 });
      }
      if (id === leads[0].salesforceId) retried();
      return new Response(JSON.stringify([{ id, success: true, errors: [] }]), { status: 200 });
    };
    const client = createSalesforceClient({
      instanceUrl: 'https://acme.my.salesforce.com',
      apiVersion: '67.0',
      fetch,
      accessToken: async () => current,
      // As the connection's renewal does: a token other than the refused one is stored already, so it is used as it is.
      renewAccessToken: async (refused) => {
        refusedTokens.push(refused);
        if (refused === current) current = `T${++renewals + 1}`;
        return true;
      },
    });
    const update = (lead: (typeof leads)[number]) => client.updateRecords([{ recordId: lead.salesforceId, fields: { LeadLens_Score__c: 50 } }]);
    await expect(Promise.all([update(leads[0]), update(leads[1])])).resolves.toEqual([[], []]);
    expect(refusedTokens).toEqual(['T1', 'T1']);
    expect(renewals).toBe(1);
  });
});
