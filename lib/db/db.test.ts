import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, expect, it } from 'vitest';
import { LeadLensDb } from './db';

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
  expect(db.verno).toBe(3);
  await db.leads.put({
    key: 'hubspot|1',
    source: 'hubspot',
    id: '1',
    origin: 'demo',
    name: 'Ada',
    owner: 'Grace',
    leadSource: 'ORGANIC_SEARCH',
    createdAt: 10,
    modifiedAt: 20,
    outcome: null,
    fields: { jobtitle: 'CTO' },
  });
  await db.leadScores.bulkPut([
    { key: 'm|hubspot|1', modelId: 'm', leadKey: 'hubspot|1', probability: 0.4, score: 90, tier: 'hot', topReason: '', scoredAt: 1 },
    { key: 'n|hubspot|1', modelId: 'n', leadKey: 'hubspot|1', probability: 0.1, score: 20, tier: 'cold', topReason: '', scoredAt: 1 },
  ]);
  // The compound index answers "the hot leads of model m" without reading the others.
  expect(await db.leadScores.where('[modelId+tier]').equals(['m', 'hot']).count()).toBe(1);
  expect(await db.leadScores.where('[modelId+tier]').equals(['n', 'hot']).count()).toBe(0);
  db.close();
});
