/**
 * Chrome stops LeadLens's worker after about 30 idle seconds, and its clients with it: what a
 * Salesforce client read of Lead's describe (and a multi-currency org's rates) is kept past it
 * (`Remembered`), so that the next worker's first badge reads the lead at once, asking no
 * describe of the org's daily allowance, for as long as a worker that never stopped would have
 * used it, counted from when it was read. What is kept is checked as it is read back, and a
 * describe done afresh (a field Salesforce refuses, a write-back check) is never undone by it.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_OWNERS, generateDemoLeads } from './demo-data';
import { createSalesforceClient, type Remembered, type SalesforceClientOptions } from './salesforce-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { demoFetch } from '../../test/demo-crm/fetch';
import { defaultSalesforceOptions, salesforceApi, type DemoCurrency, type DemoExtraLeadField, type DemoSalesforceOptions } from '../../test/demo-crm/salesforce-api';
import { createDemoStore } from '../../test/demo-crm/store';

const NOW = new Date('2026-11-01T00:00:00Z');
const MINUTE = 60_000;
const leads = generateDemoLeads({ count: 20, seed: 5, now: NOW });
const lead = leads.find((demo) => demo.salesforce.AnnualRevenue !== null)!;
const LEAD_DESCRIBE = '/services/data/v67.0/sobjects/Lead/describe';

/**
 * A demo org, what its clients asked (host and path), and `worker()`: a client as a worker makes
 * it, sharing with the clients of earlier workers only what they kept (`kept`, JSON as storage keeps it).
 */
function org(salesforce: Partial<DemoSalesforceOptions> = {}) {
  const clock = virtualClock(NOW.getTime());
  const options = { ...defaultSalesforceOptions(), ...salesforce };
  const api = salesforceApi(createDemoStore(leads, DEMO_OWNERS), clock.now, options);
  const asked: string[] = [];
  const fetch = demoFetch((request) => {
    asked.push(decodeURIComponent(request.url.pathname + request.url.search));
    return api(request);
  });
  const kept = new Map<string, unknown>();
  const remembered: Remembered = {
    read: async (key) => (kept.has(key) ? JSON.parse(JSON.stringify(kept.get(key))) : undefined),
    write: async (key, value) => void kept.set(key, JSON.parse(JSON.stringify(value))),
  };
  const worker = (more: Partial<SalesforceClientOptions> = {}) =>
    createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => '00Dsession!token', clock, fetch, remembered, ...more });
  const describes = () => asked.filter((url) => url.endsWith('/sobjects/Lead/describe')).length;
  return { options, clock, asked, kept, remembered, worker, describes };
}

const readTitle = (client: ReturnType<typeof createSalesforceClient>) => client.readRecord(lead.salesforceId, { fields: ['Title'] });

describe('Salesforce describe kept past the worker', () => {
  it('a new worker reads a lead asking no describe while the last one is less than 10 minutes old, and describes again after', async () => {
    const { worker, clock, asked, describes } = org();
    await readTitle(worker());
    expect(describes()).toBe(1);
    await clock.sleep(10 * MINUTE - 1);
    asked.length = 0;
    // Names spelled as the model spells them, answered as describe spells them: the describe taken up serves the read.
    const record = await worker().readRecord(lead.salesforceId, { fields: ['title', 'leadsource'] });
    expect(record?.fields).toEqual({ Id: lead.salesforceId, SystemModstamp: lead.salesforce.SystemModstamp, Title: lead.salesforce.Title, LeadSource: lead.salesforce.LeadSource });
    expect(asked).toEqual([`/services/data/v67.0/sobjects/Lead/${lead.salesforceId}?fields=Id,SystemModstamp,Title,LeadSource`]);
    await clock.sleep(1);
    asked.length = 0;
    await readTitle(worker());
    expect(asked).toEqual([LEAD_DESCRIBE, `/services/data/v67.0/sobjects/Lead/${lead.salesforceId}?fields=Id,SystemModstamp,Title`]);
  });

  it('a new worker signed in as someone else (a "Log in as", another rep in the browser session) describes afresh, and keeps no token', async () => {
    const { worker, kept, describes } = org();
    await readTitle(worker({ accessToken: async () => '00Dsession!admin' }));
    await readTitle(worker({ accessToken: async () => '00Dsession!rep' }));
    expect(describes()).toBe(2);
    // The same sign-in takes up the copy the last one kept.
    await readTitle(worker({ accessToken: async () => '00Dsession!rep' }));
    expect(describes()).toBe(2);
    expect(JSON.stringify([...kept])).not.toContain('00Dsession');
  });

  it('reads the access token once to tell who is signed in, for both taking up a copy and keeping one, and once per request', async () => {
    const { worker, kept, asked } = org();
    let tokenReads = 0;
    const counted = () => worker({ accessToken: async () => ((tokenReads += 1), '00Dsession!token') });
    // A cold describe: no copy to take up, so the describe read is kept.
    await readTitle(counted());
    expect(kept.has('lead-describe')).toBe(true);
    expect(asked).toEqual([LEAD_DESCRIBE, `/services/data/v67.0/sobjects/Lead/${lead.salesforceId}?fields=Id,SystemModstamp,Title`]);
    expect(tokenReads).toBe(1 + asked.length);
    // The next worker takes it up, with the same sign-in, and only reads the lead.
    [tokenReads, asked.length] = [0, 0];
    await readTitle(counted());
    expect(asked).toHaveLength(1);
    expect(tokenReads).toBe(1 + asked.length);
  });

  it('counts its age from when it was read, not from the worker taking it up: a sync 10 minutes after the read describes again', async () => {
    const score: DemoExtraLeadField = { name: 'Fit_Score__c', type: 'double' };
    const { options, worker, clock, asked, describes } = org();
    await readTitle(worker());
    await clock.sleep(5 * MINUTE);
    const next = worker();
    await readTitle(next);
    expect(describes()).toBe(1);
    // The admin creates a field: a sync sees it once the describe it has is 10 minutes old.
    options.extraLeadFields = [score];
    await clock.sleep(5 * MINUTE);
    await next.listChanged(null, null);
    expect(describes()).toBe(2);
    expect(asked.filter((url) => url.includes('/query?q=')).at(-1)).toContain(`,${score.name} FROM Lead`);
  });

  it('keeps only what the client reads of each field, not the whole describe Salesforce answers', async () => {
    const { worker, kept } = org();
    await readTitle(worker());
    const { value } = kept.get('lead-describe') as { value: Record<string, unknown>[] };
    expect(value.find((field) => field.name === 'Status')).toEqual({ name: 'Status', type: 'picklist', label: 'Lead Status', custom: false, updateable: true, calculated: false, picklistValues: expect.any(Array) });
    const keys = new Set(value.flatMap((field) => Object.keys(field)));
    expect([...keys].filter((key) => !['name', 'type', 'label', 'custom', 'updateable', 'calculated', 'picklistValues', 'length', 'precision', 'scale', 'digits'].includes(key))).toEqual([]);
    expect(JSON.stringify(value)).not.toMatch(/soapType|nillable|defaultValue/);
  });

  it('is not taken up by a client of another API version or org host', async () => {
    const { worker, asked, describes } = org();
    await readTitle(worker());
    await readTitle(worker({ apiVersion: '66.0' }));
    expect(asked.filter((url) => url.endsWith('/describe'))).toEqual([LEAD_DESCRIBE, '/services/data/v66.0/sobjects/Lead/describe']);
    await readTitle(worker({ instanceUrl: 'https://globex.my.salesforce.com' }));
    expect(describes()).toBe(3);
  });

  it.each([
    ['not what a client keeps', 'garbage'],
    ['no time it was read', { instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', value: [] }],
    ['a field without its type', { instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', readAt: NOW.getTime(), value: [{ name: 'Id' }, { name: 'SystemModstamp', type: 'datetime' }] }],
    ['no Id field', { instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', readAt: NOW.getTime(), value: [{ name: 'SystemModstamp', type: 'datetime' }] }],
    ['a read time to come (the clock was set back)', { instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', readAt: NOW.getTime() + MINUTE, value: [{ name: 'Id', type: 'id' }, { name: 'SystemModstamp', type: 'datetime' }] }],
  ])('reads a describe kept with %s as none, and describes', async (_what, stored) => {
    const { worker, kept, describes } = org();
    kept.set('lead-describe', stored);
    expect((await readTitle(worker()))?.fields.Title).toBe(lead.salesforce.Title);
    expect(describes()).toBe(1);
  });

  it('reads the lead when what it read cannot be kept (storage full) or read back, and the next worker describes again', async () => {
    const { worker, remembered, describes } = org();
    const full: Remembered = { read: remembered.read, write: async () => Promise.reject(new Error('Session storage quota bytes exceeded')) };
    expect((await readTitle(worker({ remembered: full })))?.fields.Title).toBe(lead.salesforce.Title);
    const unreadable: Remembered = { read: async () => Promise.reject(new Error('storage unavailable')), write: remembered.write };
    expect((await readTitle(worker({ remembered: unreadable })))?.fields.Title).toBe(lead.salesforce.Title);
    expect(describes()).toBe(2);
  });
});

describe('a describe done afresh is not undone by the one kept', () => {
  const gone: DemoExtraLeadField = { name: 'Gone__c', type: 'string' };
  /** Each request a read made: a describe, or a read naming Gone__c or not. */
  const kinds = (asked: readonly string[]) => asked.map((url) => (url.endsWith('/describe') ? 'describe' : url.includes('Gone__c') ? 'naming Gone__c' : 'without it'));
  const readWithGone = (client: ReturnType<typeof createSalesforceClient>) => client.readRecord(lead.salesforceId, { fields: ['Title', 'Gone__c'] });

  it('a field deleted since: the worker Salesforce refuses it describes at once, and the next takes up that describe', async () => {
    const { options, worker, asked } = org({ extraLeadFields: [gone] });
    const first = worker();
    await readWithGone(first);
    options.extraLeadFields = [];
    asked.length = 0;
    expect((await readWithGone(first))?.fields).not.toHaveProperty('Gone__c');
    expect(kinds(asked)).toEqual(['naming Gone__c', 'describe', 'without it']);
    asked.length = 0;
    expect((await readWithGone(worker()))?.fields.Title).toBe(lead.salesforce.Title);
    expect(kinds(asked)).toEqual(['without it']);
  });

  it('a field deleted while no worker ran: the describe taken up still lists it, and the refusal has the client describe afresh, not read it back', async () => {
    const { options, worker, asked } = org({ extraLeadFields: [gone] });
    await readWithGone(worker());
    options.extraLeadFields = [];
    asked.length = 0;
    const next = worker();
    expect((await readWithGone(next))?.fields.Title).toBe(lead.salesforce.Title);
    expect(kinds(asked)).toEqual(['naming Gone__c', 'describe', 'without it']);
    asked.length = 0;
    await readWithGone(next);
    expect(kinds(asked)).toEqual(['without it']);
  });

  it("a new worker's write-back check and connection check describe afresh: a field created a moment ago counts", async () => {
    const { worker, describes } = org();
    await readTitle(worker());
    await worker().checkWritableFields([{ name: 'LeadLens_Score__c', holds: 'number' }]);
    expect(describes()).toBe(2);
    await worker().checkAccess();
    expect(describes()).toBe(3);
  });
});

describe('a multi-currency org’s rates kept past the worker', () => {
  const CURRENCIES: readonly DemoCurrency[] = [
    { IsoCode: 'USD', ConversionRate: 1, IsCorporate: true, IsActive: true },
    { IsoCode: 'JPY', ConversionRate: 150, IsCorporate: false, IsActive: true },
  ];

  it('are taken up by a new worker, and read again 10 minutes after they were read, not after the worker took them up', async () => {
    const currencies = CURRENCIES.map((currency) => ({ ...currency }));
    const { worker, clock, asked, describes } = org({ multiCurrency: { currencies, leadCurrency: () => 'JPY' } });
    const ratesRead = () => asked.filter((url) => url.includes('FROM CurrencyType')).length;
    const revenue = async (client: ReturnType<typeof createSalesforceClient>) => (await client.readRecord(lead.salesforceId, { fields: ['AnnualRevenue'] }))?.fields.AnnualRevenue;
    expect(await revenue(worker())).toBe(lead.salesforce.AnnualRevenue! / 150);
    // An admin updates the rate: a worker that never stopped uses the one it read for 10 minutes.
    currencies[1].ConversionRate = 100;
    await clock.sleep(5 * MINUTE);
    const next = worker();
    expect(await revenue(next)).toBe(lead.salesforce.AnnualRevenue! / 150);
    expect([ratesRead(), describes()]).toEqual([1, 1]);
    await clock.sleep(5 * MINUTE);
    expect(await revenue(next)).toBe(lead.salesforce.AnnualRevenue! / 100);
    expect(ratesRead()).toBe(2);
  });
});
