import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, expect, it } from 'vitest';
import { expectSummariesInStep } from '../../test/fixtures/lead-summaries';
import { storedLead } from '../../test/fixtures/stored-lead';
import { countStoredLeadsByOrigin, db as extensionDb, LeadLensDb, summaryOf } from './db';

const NAME = 'leadlens-upgrade-test';

afterEach(async () => {
  await Dexie.delete(NAME);
});

it('upgrades version 1 (score cache only) to version 2 and keeps the cached scores', async () => {
  const v1 = new Dexie(NAME);
  v1.version(1).stores({ scores: 'key, scoredAt' });
  await v1.table('scores').put({ key: 'm|salesforce|00Q1', fieldsHash: 'abc', lead: { score: 50 }, scoredAt: 1 });
  v1.close();

  const db = new LeadLensDb(NAME);
  expect(await db.scores.get('m|salesforce|00Q1')).toMatchObject({ fieldsHash: 'abc' });
  expect(db.verno).toBe(5);
  await db.putLeads([storedLead({ source: 'hubspot', id: '1', origin: 'demo' })]);
  await db.leadScores.bulkPut([
    { key: 'm|hubspot|1', modelId: 'm', leadKey: 'hubspot|1', probability: 0.4, score: 90, tier: 'hot', topReason: '', scoredAt: 1 },
    { key: 'n|hubspot|1', modelId: 'n', leadKey: 'hubspot|1', probability: 0.1, score: 20, tier: 'cold', topReason: '', scoredAt: 1 },
  ]);
  // The compound index answers "the hot leads of model m" without reading the others.
  expect(await db.leadScores.where('[modelId+tier]').equals(['m', 'hot']).count()).toBe(1);
  expect(await db.leadScores.where('[modelId+tier]').equals(['n', 'hot']).count()).toBe(0);
  db.close();
});

/** The stores as version 3 declared them (versions 1 to 3, merged). */
const V3_STORES = {
  scores: 'key, scoredAt',
  leads: 'key, source, origin, createdAt, modifiedAt, owner, leadSource',
  leadScores: 'key, leadKey, [modelId+tier], [modelId+probability]',
  models: 'id, addedAt',
  settings: 'key',
  csvStaging: 'key',
};

it('upgrades version 3 to version 4 and fills the lead summaries from the stored leads', async () => {
  const v3 = new Dexie(NAME);
  v3.version(3).stores(V3_STORES);
  // More than one chunk of the fill.
  const leads = Array.from({ length: 2500 }, (_, i) =>
    storedLead({
      key: `csv|${String(i).padStart(4, '0')}`,
      source: 'csv',
      id: String(i),
      origin: 'csv',
      name: `Lead ${i}`,
      owner: `Owner ${i % 3}`,
      leadSource: i % 2 ? 'Web' : '',
      createdAt: i,
      outcome: i % 5 === 0 ? null : ((i % 2) as 0 | 1),
      fields: { title: 'CTO', company: `Company ${i}` },
    }),
  );
  await v3.table('leads').bulkPut(leads);
  v3.close();

  const db = new LeadLensDb(NAME);
  expect(db.verno).toBe(5);
  expect(await db.leadSummaries.toArray()).toEqual(leads.map(summaryOf));
  expect(await db.leadSummaries.get('csv|0001')).toEqual({
    key: 'csv|0001', source: 'csv', id: '1', name: 'Lead 1', owner: 'Owner 1', leadSource: 'Web', createdAt: 1, outcome: 1,
  });
  expect(await db.leads.count()).toBe(2500);
  db.close();
});

it('upgrades version 4 to version 5 with a store of held-out probabilities, keeping the models', async () => {
  const v4 = new Dexie(NAME);
  v4.version(4).stores({ ...V3_STORES, leadSummaries: 'key' });
  await v4.table('models').put({ id: 'ebm-1', origin: 'trained', manifest: {}, onnx: new Uint8Array([1, 2]), addedAt: 3 });
  v4.close();

  const db = new LeadLensDb(NAME);
  expect(db.verno).toBe(5);
  expect((await db.models.get('ebm-1'))?.addedAt).toBe(3);
  await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: ['csv|1', 'csv|2'], probabilities: Float64Array.from([0.25, 0.5]) });
  const kept = await db.heldOutScores.get('ebm-1');
  expect(kept?.leadKeys).toEqual(['csv|1', 'csv|2']);
  expect([...(kept?.probabilities ?? [])]).toEqual([0.25, 0.5]);
  db.close();
});

it('writes and deletes leads with their summaries, and refuses a transaction without the summaries', async () => {
  const db = new LeadLensDb(NAME);
  await db.putLeads([
    storedLead({ source: 'csv', id: 'a', origin: 'csv', outcome: 1 }),
    storedLead({ source: 'csv', id: 'b', origin: 'csv', outcome: 1 }),
    storedLead({ source: 'csv', id: 'c', origin: 'csv', outcome: 1 }),
  ]);
  await db.deleteLeads(['csv|b']);
  await expectSummariesInStep(db);
  expect(await db.leadSummaries.count()).toBe(2);

  // A writer that forgets the summaries in its scope fails, and writes nothing.
  await expect(db.transaction('rw', db.leads, () => db.putLeads([storedLead({ source: 'csv', id: 'd', origin: 'csv', outcome: 1 })]))).rejects.toThrow(/leadSummaries not included/);
  expect(await db.leads.count()).toBe(2);
  db.close();
});

it('counts demo leads apart from each source’s own, though Demo mode stores them under the CRMs’ keys', async () => {
  await extensionDb.putLeads([
    storedLead({ source: 'salesforce', id: 'd1', origin: 'demo' }),
    storedLead({ source: 'salesforce', id: '00QA', origin: 'sync' }),
    storedLead({ source: 'salesforce', id: '00QB', origin: 'sync' }),
    storedLead({ source: 'hubspot', id: 'd1', origin: 'demo' }),
    storedLead({ source: 'hubspot', id: 'd2', origin: 'demo' }),
    storedLead({ source: 'csv', id: 'row-1', origin: 'csv' }),
  ]);
  expect(await countStoredLeadsByOrigin()).toEqual({ own: { salesforce: 2, hubspot: 0, csv: 1 }, demo: 3 });
  await extensionDb.delete();
});
