import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '../db/db';
import { answerCsvRequest } from './import-job';
import { CSV_IMPORT_LOCK, dexieCsvSink } from './stored';
import type { CsvEvent, CsvRequest } from './worker-protocol';
import { stubWebLocks } from '../../test/web-locks';

const mapping = { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null };
const importOf = (text: string): CsvRequest => ({ type: 'import', file: new File([text], 'leads.csv', { type: 'text/csv' }), mapping });
const storedIds = async () => (await db.leads.toArray()).map((lead) => lead.id);

beforeEach(async () => {
  stubWebLocks(); // a commit pauses the jobs writing stored scores
  await Promise.all([...db.leadTables, db.leadScores, db.csvStaging].map((table) => table.clear()));
  await answerCsvRequest(importOf('id,won\nOLD-1,1\n'), () => undefined, dexieCsvSink);
});
afterEach(() => vi.unstubAllGlobals());

describe('answerCsvRequest: a cancelled import', () => {
  it('answers cancelled when the cancel comes before the commit, and keeps the previous import', async () => {
    const cancel = new AbortController();
    const events: CsvEvent[] = [];
    const post = (event: CsvEvent) => {
      events.push(event);
      if (event.type === 'progress') cancel.abort();
    };
    await answerCsvRequest(importOf('id,won\nNEW-1,1\nNEW-2,0\n'), post, dexieCsvSink, cancel.signal);
    expect(events.at(-1)).toEqual({ type: 'cancelled' });
    expect(await storedIds()).toEqual(['OLD-1']);
    expect(await db.csvStaging.count()).toBe(0);
  });

  it('answers imported when the cancel comes once the commit has begun: the new leads are stored', async () => {
    const cancel = new AbortController();
    const events: CsvEvent[] = [];
    const sink = {
      ...dexieCsvSink,
      commit: async () => {
        cancel.abort();
        await dexieCsvSink.commit();
      },
    };
    await answerCsvRequest(importOf('id,won\nNEW-1,1\nNEW-2,0\n'), (event) => events.push(event), sink, cancel.signal);
    expect(events.at(-1)).toMatchObject({ type: 'imported', rows: 2 });
    expect(await storedIds()).toEqual(['NEW-1', 'NEW-2']);
  });

  it('refuses an import while another runs (another tab’s): they would share one staging table', async () => {
    let finishOther!: () => void;
    const other = navigator.locks.request(CSV_IMPORT_LOCK, () => new Promise<void>((resolve) => (finishOther = resolve)));
    const events: CsvEvent[] = [];
    await answerCsvRequest(importOf('id,won\nNEW-1,1\n'), (event) => events.push(event), dexieCsvSink);
    expect(events).toEqual([{ type: 'failed', error: expect.stringMatching(/Another CSV import, or a purge, is running/) }]);
    expect(await storedIds()).toEqual(['OLD-1']);
    finishOther();
    await other;
  });

  it('answers failed, with the reason, when the file is bad and nothing cancelled it', async () => {
    const events: CsvEvent[] = [];
    await answerCsvRequest(importOf('id,id\n1,2\n'), (event) => events.push(event), dexieCsvSink, new AbortController().signal);
    expect(events).toEqual([{ type: 'failed', error: 'The CSV header names column "id" twice.' }]);
    expect(await storedIds()).toEqual(['OLD-1']);
  });
});
