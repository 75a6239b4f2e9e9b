import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { storedLead } from '../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { owedScoringModel, owedSourceScorings } from '../jobs/progress';
import { dexieCsvSink } from './stored';

const OWED_WORK_KEY = 'job:scoring:owed';

beforeEach(async () => {
  stubWebLocks(); // a commit pauses the jobs writing stored scores
  await Promise.all(db.tables.map((table) => table.clear()));
});
afterEach(() => vi.unstubAllGlobals());

async function commitImport(...ids: string[]): Promise<void> {
  await dexieCsvSink.stage(ids.map((id) => storedLead({ source: 'csv', id, origin: 'csv' })));
  await dexieCsvSink.commit(null);
}

it('owes a scoring of the imported leads with the active model as it commits them, from the commit on', async () => {
  const before = Date.now();
  await commitImport('1', '2');
  expect(await db.leads.count()).toBe(2);
  const owed = await owedSourceScorings();
  expect(owed).toEqual([{ source: 'csv', owedAt: expect.any(Number) }]);
  expect(owed[0].owedAt).toBeGreaterThanOrEqual(before);
  // Not a scoring of every lead: a sync's leads keep theirs.
  expect(await owedScoringModel()).toBeNull();
});

it('owes a score to each lead it commits, and none to a lead of the previous import no longer stored, in the commit’s transaction', async () => {
  await db.putLeads([storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync' })]);
  await commitImport('1', '2');
  await db.owedLeadScores.bulkDelete(['salesforce|00Q1', 'csv|1', 'csv|2']); // scored
  await commitImport('2', '3');
  expect(await db.owedLeadScores.toCollection().primaryKeys()).toEqual(['csv|2', 'csv|3']);

  await dexieCsvSink.stage([storedLead({ source: 'csv', id: '4', origin: 'csv' })]);
  vi.spyOn(db.csvStaging, 'clear').mockRejectedValueOnce(new Error('the worker stopped'));
  await expect(dexieCsvSink.commit(null)).rejects.toThrow('the worker stopped');
  expect(await db.owedLeadScores.toCollection().primaryKeys()).toEqual(['csv|2', 'csv|3']);
});

it('owes nothing when the commit fails: the previous import stays, and so does what was owed before', async () => {
  await db.settings.put({ key: OWED_WORK_KEY, value: { sources: { salesforce: 5 } } });
  await dexieCsvSink.stage([storedLead({ source: 'csv', id: '1', origin: 'csv' })]);
  vi.spyOn(db.csvStaging, 'clear').mockRejectedValueOnce(new Error('the worker stopped'));
  await expect(dexieCsvSink.commit(null)).rejects.toThrow('the worker stopped');
  expect(await db.leads.count()).toBe(0);
  expect(await owedSourceScorings()).toEqual([{ source: 'salesforce', owedAt: 5 }]);
});

it('adds its scoring to the work an older LeadLens stored as owed: a CRM’s scoring, or a model’s id alone', async () => {
  await db.settings.put({ key: OWED_WORK_KEY, value: { sources: { salesforce: 5 } } });
  await commitImport('1');
  expect(await owedSourceScorings()).toEqual([
    { source: 'salesforce', owedAt: 5 },
    { source: 'csv', owedAt: expect.any(Number) },
  ]);

  await db.settings.put({ key: OWED_WORK_KEY, value: 'model-a' });
  await commitImport('2');
  expect(await owedScoringModel()).toBe('model-a');
  expect(await owedSourceScorings()).toEqual([{ source: 'csv', owedAt: expect.any(Number) }]);
});
