import 'fake-indexeddb/auto';
import { beforeEach, expect, it, vi } from 'vitest';
import { db } from '@/lib/db/db';
import { storedLead } from '../../../../test/fixtures/stored-lead';
import { INITIAL_SYNC_STATE } from '@/lib/sync/state';
import { dexieSyncStore, recordSyncedAccount } from '@/lib/sync/store';
import { PAGE_CHUNK } from '@/lib/ui/stored-data';
import { rememberWrittenBackFields } from '@/lib/db/written-back-fields';
import { historySample } from './history-sample';

beforeEach(() => Promise.all(db.leadTables.map((table) => table.clear())));

it("offers fields with a few values as outcomes, blanks not counting as a value, and only the source's leads", async () => {
  await db.putLeads([
    storedLead({ source: 'salesforce', id: '1', origin: 'sync', fields: { IsConverted: true, Rating: 'Hot', Notes: '' } }),
    storedLead({ source: 'salesforce', id: '2', origin: 'sync', fields: { IsConverted: false, Rating: ' ', Notes: 'call back' } }),
    storedLead({ source: 'salesforce', id: '3', origin: 'sync', fields: { IsConverted: false, Rating: null, Notes: '' } }),
    storedLead({ source: 'hubspot', id: '4', origin: 'sync', fields: { lifecyclestage: 'lead' } }),
  ]);
  expect(await historySample('salesforce')).toEqual({
    leads: 3,
    demo: false,
    demoLeftOut: 0,
    fields: ['IsConverted', 'Notes', 'Rating'],
    // Rating and Notes have one value each besides blanks: nothing to tell converted from not.
    outcomeValues: { IsConverted: ['false', 'true'] },
    createdDates: false,
    fingerprint: expect.any(String),
    keysName: 'synced from nowhere yet',
    importedOutcome: null,
  });
});

it("samples the demo leads while the source has no other, and leaves them out of the count and the sample once it has", async () => {
  const demo = Array.from({ length: 4 }, (_, row) => storedLead({ source: 'salesforce', id: `demo-${row}`, origin: 'demo', fields: { IsConverted: row % 2 === 0, Rating: 'Made up' } }));
  await db.putLeads(demo);
  expect(await historySample('salesforce')).toMatchObject({ leads: 4, demo: true, demoLeftOut: 0, fields: ['IsConverted', 'Rating'] });

  // The CRM connected and synced: its leads are the history, and the demo leads' fields and values are not offered.
  await db.putLeads([
    storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync', fields: { IsConverted: true, Status: 'Closed - Converted' } }),
    storedLead({ source: 'salesforce', id: '00Q2', origin: 'sync', fields: { IsConverted: false, Status: 'Open' } }),
  ]);
  expect(await historySample('salesforce')).toMatchObject({
    leads: 2,
    demo: false,
    demoLeftOut: 4,
    fields: ['IsConverted', 'Status'],
    outcomeValues: { IsConverted: ['false', 'true'], Status: ['Closed - Converted', 'Open'] },
  });
});

it('tells a new import of the same columns and rows from the same history read again', async () => {
  const importOf = (outcomes: string[]) =>
    db.putLeads(outcomes.map((converted, row) => storedLead({ source: 'csv', id: String(row), origin: 'csv', fields: { industry: 'Retail', converted } })));
  await importOf(['yes', 'no', 'no']);
  const first = await historySample('csv');
  expect((await historySample('csv')).fingerprint).toBe(first.fingerprint);

  await importOf(['no', 'no', 'yes']);
  const reimported = await historySample('csv');
  // Same count, fields and outcome values: only the fingerprint says the leads changed, and that their keys name other leads.
  expect({ ...reimported, fingerprint: first.fingerprint, keysName: first.keysName }).toEqual(first);
  expect(reimported.fingerprint).not.toBe(first.fingerprint);
  expect(reimported.keysName).not.toBe(first.keysName);
});

it('says a CRM’s lead keys name the records of the org they were synced from: a sync changes what they hold, another org what they name', async () => {
  await db.putLeads([storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync', fields: { IsConverted: true } })]);
  await recordSyncedAccount(db, 'salesforce', { id: 'acme.my.salesforce.com', name: 'acme.my.salesforce.com' });
  const first = await historySample('salesforce');
  expect(first.keysName).toBe('synced from acme.my.salesforce.com');

  await db.putLeads([storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync', fields: { IsConverted: false } })]);
  const synced = await historySample('salesforce');
  expect(synced.fingerprint).not.toBe(first.fingerprint);
  expect(synced.keysName).toBe(first.keysName);

  // A sandbox connected (its leads forgotten, its sync state with them), then synced.
  await db.settings.clear();
  await recordSyncedAccount(db, 'salesforce', { id: 'acme--uat.sandbox.my.salesforce.com', name: 'acme--uat.sandbox.my.salesforce.com' });
  expect((await historySample('salesforce')).keysName).toBe('synced from acme--uat.sandbox.my.salesforce.com');
});

it("offers outcome values from across the whole source, reading at most 1,000 leads' fields", async () => {
  // An export sorted by status: the first 1,000 leads in key order are all still open.
  const status = (row: number) => (row < 3000 ? 'Open' : row < 4000 ? 'Working' : 'Converted');
  await db.putLeads(
    Array.from({ length: 5000 }, (_, row) => storedLead({ source: 'csv', id: String(row).padStart(4, '0'), origin: 'csv', fields: { status: status(row) } })),
  );
  let leadsRead = 0;
  const countRead = (lead: unknown) => {
    leadsRead += 1;
    return lead;
  };
  db.leads.hook('reading', countRead);
  try {
    const sample = await historySample('csv');
    expect(sample.leads).toBe(5000);
    expect(sample.outcomeValues).toEqual({ status: ['Converted', 'Open', 'Working'] });
  } finally {
    db.leads.hook('reading').unsubscribe(countRead);
  }
  expect(leadsRead).toBeGreaterThan(0);
  expect(leadsRead).toBeLessThanOrEqual(1000);
});

it('says whether any lead of the history has a created date, also one outside the sample, and not counting other sources’ dates', async () => {
  // An import with no created date column: 2,500 leads, none dated; a synced Salesforce lead is.
  const undated = Array.from({ length: 2500 }, (_, row) => storedLead({ source: 'csv', id: String(row).padStart(4, '0'), origin: 'csv', fields: { converted: 'no' } }));
  await db.putLeads([...undated, storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync', createdAt: Date.UTC(2026, 0, 5) })]);
  const none = await historySample('csv');
  expect(none.createdDates).toBe(false);

  // One lead the sample (every 3rd) does not read has a date: the window can choose leads.
  await db.putLeads([{ ...undated[1], createdAt: Date.UTC(2026, 0, 5) }]);
  const one = await historySample('csv');
  expect(one.createdDates).toBe(true);
  expect(one.fingerprint).not.toBe(none.fingerprint);
});

/** Counts the leads whose fields `read` reads. */
async function leadsReadBy<T>(read: () => Promise<T>): Promise<{ result: T; leadsRead: number }> {
  let leadsRead = 0;
  const countRead = (lead: unknown) => {
    leadsRead += 1;
    return lead;
  };
  db.leads.hook('reading', countRead);
  try {
    return { result: await read(), leadsRead };
  } finally {
    db.leads.hook('reading').unsubscribe(countRead);
  }
}

it('offers the converted values of a big history whose few converted leads a sample spread over all would miss, reading at most 1,000 leads', async () => {
  // 5,000 leads, 4 converted (0.08 %), none of them every 5th lead.
  const converted = new Set([1, 1234, 2718, 4999]);
  await db.putLeads(
    Array.from({ length: 5000 }, (_, row) =>
      storedLead({
        source: 'salesforce',
        id: `00Q${String(row).padStart(4, '0')}`,
        origin: 'sync',
        outcome: converted.has(row) ? 1 : 0,
        fields: { IsConverted: converted.has(row), Status: converted.has(row) ? 'Closed - Converted' : row < 2500 ? 'Open' : 'Working' },
      }),
    ),
  );
  const { result: sample, leadsRead } = await leadsReadBy(() => historySample('salesforce'));
  expect(sample.outcomeValues).toEqual({ IsConverted: ['false', 'true'], Status: ['Closed - Converted', 'Open', 'Working'] });
  expect(leadsRead).toBeLessThanOrEqual(1000);
  // The same history sampled again is the same sample.
  expect((await historySample('salesforce')).fingerprint).toBe(sample.fingerprint);
});

it("offers the sample's own values of a CRM's outcome field only: the form adds every value it can hold, with the portal's stages (Training.test)", async () => {
  await db.putLeads([
    storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync', outcome: 0, fields: { IsConverted: false } }),
    storedLead({ source: 'salesforce', id: '00Q2', origin: 'sync', outcome: 0, fields: { IsConverted: false } }),
    storedLead({ source: 'hubspot', id: '1', origin: 'sync', outcome: 0, fields: { lifecyclestage: 'lead' } }),
    storedLead({ source: 'hubspot', id: '2', origin: 'sync', outcome: 1, fields: { lifecyclestage: 'customer' } }),
  ]);
  // No lead converted: one value tells nothing apart, and the form says so of a field named as an outcome, as the sample is the whole history (changed on purpose: it was left out unsaid).
  expect((await historySample('salesforce')).outcomeValues).toEqual({ IsConverted: ['false'] });
  // HubSpot's default stages are not added here, where the portal's own are not known.
  expect((await historySample('hubspot')).outcomeValues).toEqual({ lifecyclestage: ['customer', 'lead'] });
});

it("samples the HubSpot contacts the sync stores no outcome for, so that a portal's own stage is offered", async () => {
  // 3,000 contacts at "lead"; 3 at the portal's own stage, none of them every 3rd contact.
  const ownStage = new Set([1, 1501, 2999]);
  await db.putLeads(
    Array.from({ length: 3000 }, (_, row) =>
      storedLead({
        source: 'hubspot',
        id: String(row).padStart(4, '0'),
        origin: 'sync',
        outcome: ownStage.has(row) ? null : 0,
        fields: { lifecyclestage: ownStage.has(row) ? '1234567' : 'lead' },
      }),
    ),
  );
  const { result: sample, leadsRead } = await leadsReadBy(() => historySample('hubspot'));
  expect(sample.outcomeValues.lifecyclestage).toContain('1234567');
  expect(leadsRead).toBeLessThanOrEqual(1000);
});

it('reads a big history’s summaries a chunk at a time, sampling the same leads as one read of them all', async () => {
  // Converted leads and leads with no outcome stored in each chunk of summaries, none of them every 5th lead.
  const leads = 2 * PAGE_CHUNK + 500;
  const converted = new Set([1, PAGE_CHUNK + 1, leads - 1]);
  const withoutOutcome = new Set([7, PAGE_CHUNK + 3, 2 * PAGE_CHUNK + 3]);
  const padded = (row: number) => String(row).padStart(4, '0');
  // Each lead has a field of its own: the fields offered name the leads sampled.
  await db.putLeads(
    Array.from({ length: leads }, (_, row) =>
      storedLead({ source: 'salesforce', id: `00Q${padded(row)}`, origin: 'sync', outcome: converted.has(row) ? 1 : withoutOutcome.has(row) ? null : 0, fields: { [`f${padded(row)}`]: 'x' } }),
    ),
  );
  const toArray = vi.spyOn(db.Collection.prototype, 'toArray');
  try {
    const sample = await historySample('salesforce');
    // The 6 rare leads, and every 5th of all (4,500 spread over the 994 places they leave).
    const sampled = Array.from({ length: leads }, (_, row) => row).filter((row) => row % 5 === 0 || converted.has(row) || withoutOutcome.has(row));
    expect(sample.fields).toEqual(sampled.map((row) => `f${padded(row)}`));
    const rowsPerRead = (await Promise.all(toArray.mock.results.map((result) => result.value))).map((rows: unknown[]) => rows.length);
    expect(rowsPerRead.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...rowsPerRead)).toBeLessThanOrEqual(PAGE_CHUNK);
  } finally {
    toArray.mockRestore();
  }
});

it('offers every field a CRM sync reads, also one no sampled lead fills, but not to a history of demo leads', async () => {
  // A stored lead keeps only the fields it fills: one contact in 1,500 has an annual revenue, none sampled.
  await db.putLeads(Array.from({ length: 3 }, (_, row) => storedLead({ source: 'hubspot', id: `demo-${row}`, origin: 'demo', fields: { lifecyclestage: 'lead', city: 'Lyon' } })));
  await dexieSyncStore(db).writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'done', syncedFields: ['annualrevenue', 'city', 'lifecyclestage'] });
  // An empty portal synced: the demo leads are the history, with their own fields.
  expect((await historySample('hubspot')).fields).toEqual(['city', 'lifecyclestage']);

  await db.putLeads([storedLead({ source: 'hubspot', id: '1', origin: 'sync', fields: { lifecyclestage: 'lead', city: 'Paris' } })]);
  expect((await historySample('hubspot')).fields).toEqual(['annualrevenue', 'city', 'lifecyclestage']);
});

it('is the same history after a write-back and the sync reading it back: the fields written to and the CRM’s stamps are nothing training reads', async () => {
  await db.settings.clear();
  const leads = [1, 2, 3].map((i) => storedLead({ source: 'hubspot', id: String(i), origin: 'sync', fields: { jobtitle: 'CTO', lastmodifieddate: '2026-11-01T00:00:00Z' } }));
  await db.putLeads(leads);
  const before = await historySample('hubspot');
  await rememberWrittenBackFields('hubspot', ['leadlens_score']);
  await db.restampLeads(leads.map((lead) => ({ ...lead, fields: { ...lead.fields, leadlens_score: '14', lastmodifieddate: '2026-12-01T00:00:00Z' } })));
  expect((await historySample('hubspot')).fingerprint).toBe(before.fingerprint);
  // A field training reads, changed, is another history.
  await db.putLeads(leads.map((lead) => ({ ...lead, fields: { ...lead.fields, jobtitle: 'CEO' } })));
  expect((await historySample('hubspot')).fingerprint).not.toBe(before.fingerprint);
});

it('keeps a field of one value named as an outcome only when the sample is the whole history: a bigger one may hold another value the sample missed', async () => {
  const leads = (count: number) =>
    Array.from({ length: count }, (_, row) => storedLead({ source: 'csv', id: String(row).padStart(4, '0'), origin: 'csv', fields: { converted: 'no', region: 'EU', status: row % 2 ? 'Open' : 'Lost' } }));
  await db.putLeads(leads(400));
  // A constant column not named as an outcome (region) is not kept: a file may have dozens.
  expect((await historySample('csv')).outcomeValues).toEqual({ converted: ['no'], status: ['Lost', 'Open'] });
  await db.putLeads(leads(1500));
  expect((await historySample('csv')).outcomeValues).toEqual({ status: ['Lost', 'Open'] });
});

it('offers no field LeadLens wrote its scores to as an outcome: a model would learn its own earlier tiers', async () => {
  await db.settings.clear();
  await rememberWrittenBackFields('salesforce', ['LeadLens_Tier__c']);
  await db.putLeads(
    ['Hot', 'Warm', 'Cold'].map((tier, row) => storedLead({ source: 'salesforce', id: String(row), origin: 'sync', fields: { IsConverted: row === 0, leadlens_tier__c: tier, Rating: tier } })),
  );
  const { fields, outcomeValues } = await historySample('salesforce');
  // Still a field of the history (training leaves it out and says so), under any spelling the sync stored it.
  expect(fields).toContain('leadlens_tier__c');
  expect(outcomeValues).toEqual({ IsConverted: ['false', 'true'], Rating: ['Cold', 'Hot', 'Warm'] });
});
