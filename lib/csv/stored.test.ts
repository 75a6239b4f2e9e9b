import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storedLead } from '../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { owedScoringModel, owedSourceScorings } from '../jobs/progress';
import { importCsv, type CsvMapping } from './import';
import { BLOCK_CHARS } from './record-blocks';
import { compareWithStoredImport, dexieCsvSink, storedImport } from './stored';

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

it('says what it did to the previous import: leads added, updated (the same key) and removed', async () => {
  await commitImport('1', '2', '3');
  await dexieCsvSink.stage(['3', '4'].map((id) => storedLead({ source: 'csv', id, origin: 'csv' })));
  expect(await dexieCsvSink.commit(null)).toEqual({ added: 1, updated: 1, removed: 2, heldOutLost: 0 });
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

describe('compareWithStoredImport: what an import would do to the stored CSV leads, said before it', () => {
  const fileOf = (text: string) => () =>
    (async function* () {
      yield text;
    })();
  const contacts = 'Lead ID,Email,Name,converted\nA-1,ada@x.io,Ada,1\nA-2,alan@x.io,Alan,0\nA-3,grace@x.io,Grace,0\nA-4,barbara@x.io,Barbara,1\n';
  const byLeadId: CsvMapping = { idColumn: 'Lead ID', nameColumn: 'Name', createdColumn: null, outcome: null };
  const [header, ada, alan, grace, barbara] = contacts.trim().split('\n');
  const lines = (...rows: string[]) => `${[header, ...rows].join('\n')}\n`;

  /** Imports `contacts` under `mapping`, and has model ebm-1 learn from its leads and a CRM lead. */
  async function storeLearntFrom(mapping: CsvMapping) {
    await importCsv(fileOf(contacts), mapping, dexieCsvSink);
    const keys = (await db.leads.toCollection().primaryKeys()) as string[];
    await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: [...keys, 'hubspot|1'], probabilities: Float64Array.from([...keys, 'hubspot|1'], () => 0.5) });
  }

  it.each([
    {
      // Month 2's changed and new leads alone: the others would go, and with them what the model learnt from.
      case: 'a partial file of changed and new leads',
      mapping: byLeadId,
      next: { file: lines('A-4,barbara@x.io,Barbara,0', 'A-5,edsger@x.io,Edsger,1'), mapping: byLeadId },
      expected: { added: 1, updated: 1, removed: 3, heldOutLost: 3 },
    },
    {
      case: 'the same file under another record id column: its rows come back under new keys',
      mapping: byLeadId,
      next: { file: contacts, mapping: { ...byLeadId, idColumn: 'Email' } },
      expected: { added: 4, updated: 0, removed: 4, heldOutLost: 0 },
    },
    {
      case: 'a file numbered by row, in another order and without one row: every key back, one lead gone',
      mapping: { ...byLeadId, idColumn: null },
      next: { file: lines(barbara, alan, ada, 'A-5,edsger@x.io,Edsger,1'), mapping: { ...byLeadId, idColumn: null } },
      expected: { added: 0, updated: 4, removed: 0, heldOutLost: 1 },
    },
    {
      case: 'an id column bringing back another lead under a key learnt from',
      mapping: byLeadId,
      next: { file: lines(ada, alan, grace, 'A-4,edsger@x.io,Edsger,1'), mapping: byLeadId },
      expected: { added: 0, updated: 4, removed: 0, heldOutLost: 1 },
    },
  ])('counts $case as the import then does it, and stores nothing', async ({ mapping, next, expected }) => {
    await storeLearntFrom(mapping);
    const leadsBefore = await db.leads.toArray();
    const heldOutBefore = await db.heldOutScores.toArray();

    expect(await compareWithStoredImport(fileOf(next.file), next.mapping)).toEqual(expected);
    expect(await db.leads.toArray()).toEqual(leadsBefore);
    expect(await db.heldOutScores.toArray()).toEqual(heldOutBefore);
    expect(await db.csvStaging.count()).toBe(0);

    const { replaced } = await importCsv(fileOf(next.file), next.mapping, dexieCsvSink);
    expect(replaced).toEqual(expected);
    // The CRM lead and the leads the commit matched keep theirs.
    expect((await db.heldOutScores.get('ebm-1'))?.leadKeys).toHaveLength(4 + 1 - expected.heldOutLost);
  });

  it('counts a file whose rows were staged as written, then read again with its dates rewritten, as the import then does it, reading the held-out scores once', async () => {
    const byRow: CsvMapping = { idColumn: null, nameColumn: null, createdColumn: null, outcome: null };
    const notes = 'called and left a message '.repeat(16);
    // Dates that read both ways, kept as written, over more than the first block.
    const rows = Array.from({ length: 3000 }, (_, i) => `0${(i % 9) + 1}/0${(i % 8) + 2}/2025,${notes}`);
    const first = `called,notes\n${rows.join('\n')}\n`;
    expect(first.length).toBeGreaterThan(BLOCK_CHARS);
    await importCsv(fileOf(first), byRow, dexieCsvSink);
    const keys = (await db.leads.toCollection().primaryKeys()) as string[];
    await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: keys, probabilities: Float64Array.from(keys, () => 0.5) });

    // A last row shows them day first: every row is stored rewritten, none the row the model learnt from.
    const next = `${first}25/12/2025,${notes}\n`;
    const expected = { added: 1, updated: 3000, removed: 0, heldOutLost: 3000 };
    const succession = vi.spyOn(db, 'heldOutSuccession');
    expect(await compareWithStoredImport(fileOf(next), byRow)).toEqual(expected);
    expect(succession).toHaveBeenCalledTimes(1);
    expect((await importCsv(fileOf(next), byRow, dexieCsvSink)).replaced).toEqual(expected);
    expect((await db.leads.get('csv|row-1'))?.fields.called).toBe('2025-02-01');
  });

  it('fails as the import would, on a file the import refuses', async () => {
    await storeLearntFrom(byLeadId);
    await expect(compareWithStoredImport(fileOf(lines(ada, ada)), byLeadId)).rejects.toThrow(/repeat a record id/);
  });
});

describe('storedImport: the stored import as a new file is compared with it', () => {
  it('counts the stored CSV leads alone, with the rule the import read them by', async () => {
    await db.putLeads([storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync' })]);
    expect(await storedImport()).toEqual({ leads: 0, outcome: null });
    await dexieCsvSink.stage(['1', '2'].map((id) => storedLead({ source: 'csv', id, origin: 'csv' })));
    const outcome = { field: 'Status', positiveValues: ['Won'], openValues: ['Open'] };
    await dexieCsvSink.commit(outcome);
    expect(await storedImport()).toEqual({ leads: 2, outcome });
  });
});
