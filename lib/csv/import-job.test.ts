import 'fake-indexeddb/auto';
import { afterEach, assert, beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '../db/db';
import { missingIdsWarning, type LeadSink } from './import';
import { answerCsvRequest } from './import-job';
import { BLOCK_CHARS } from './record-blocks';
import { CSV_IMPORT_LOCK, dexieCsvSink } from './stored';
import type { CsvEvent, CsvRequest } from './worker-protocol';
import { stubWebLocks } from '../../test/web-locks';
import { rememberWrittenBackFields } from '../db/written-back-fields';

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
    const sink: LeadSink = {
      ...dexieCsvSink,
      commit: async (outcome) => {
        cancel.abort();
        return dexieCsvSink.commit(outcome);
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

/**
 * A CRM export sorted by `converted`, as an admin downloads one: 15,000 leads (2 MB), the 1,000
 * converted ones last, far past the first block the file is read in. `stage_code` has two values
 * until the converted leads, each of which has its own.
 */
const sortedExport = [
  'id,name,notes,email_opens,email_clicks,stage_code,converted',
  ...Array.from({ length: 15_000 }, (_, i) => {
    const converted = i >= 14_000;
    const notes = 'called and left a message; follow up next quarter '.repeat(2);
    return `L-${i},Lead ${i},${notes},${i % 5},${i % 3},${converted ? `C-${i}` : 'AB'[i % 2]},${converted ? 1 : 0}`;
  }),
  '',
].join('\n');
const fileOf = (text: string) => new File([text], 'leads.csv', { type: 'text/csv' });

async function previewOf(text: string) {
  const events: CsvEvent[] = [];
  await answerCsvRequest({ type: 'preview', file: fileOf(text) }, (event) => events.push(event), dexieCsvSink);
  return events;
}

describe('answerCsvRequest: the active model\'s columns', () => {
  it('says of a column the active model reads how many filled cells it reads as missing', async () => {
    const events: CsvEvent[] = [];
    await answerCsvRequest(importOf('id,last_activity_at,email_opted_out\nA,3/15/26,WAHR\nB,2026-03-15,yes\n'), (event) => events.push(event), dexieCsvSink);
    const imported = events.at(-1);
    assert(imported?.type === 'imported');
    expect(imported.warnings).toContainEqual(expect.stringMatching(/^Column "last_activity_at", which the active model reads: 1 of its 2 filled cells are not dates/));
    // Read by the same reader as scoring: a German Excel's yes is a yes.
    expect(imported.warnings.join(' ')).not.toMatch(/email_opted_out/);
  });
});

describe('answerCsvRequest: a preview', () => {
  it('offers an outcome column whose first converted lead is past the first block, with its values in the whole file, and suggests it', async () => {
    expect(sortedExport.indexOf('\nL-14000,')).toBeGreaterThan(BLOCK_CHARS);
    const events = await previewOf(sortedExport);
    const preview = events.at(-1);
    assert(preview?.type === 'preview', JSON.stringify(preview));
    expect(preview.outcomeValues).toEqual({ email_opens: ['0', '1', '2', '3', '4'], email_clicks: ['0', '1', '2'], converted: ['0', '1'] });
    expect(preview.suggestion.outcome).toEqual({ field: 'converted', positiveValues: ['1'] });
    // Read block by block, to the end of the file.
    const progress = events.filter((event) => event.type === 'progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ type: 'progress', rows: 15_000, fraction: 1 });

    // Imported as suggested, every converted lead has its outcome.
    await answerCsvRequest({ type: 'import', file: fileOf(sortedExport), mapping: preview.suggestion }, () => undefined, dexieCsvSink);
    const outcomes = (await db.leads.toArray()).map((lead) => lead.outcome);
    expect(outcomes.filter((outcome) => outcome === 1)).toHaveLength(1000);
    expect(outcomes.filter((outcome) => outcome === 0)).toHaveLength(14_000);
  });

  it('neither offers nor suggests as the outcome a column of scores LeadLens wrote back to a CRM, whose export this may be', async () => {
    await db.settings.clear();
    await rememberWrittenBackFields('salesforce', ['LeadLens_Tier__c']);
    const preview = (await previewOf('id,LeadLens Tier,Status\nA,Hot,Closed - Converted\nB,Cold,Open\n')).at(-1);
    assert(preview?.type === 'preview', JSON.stringify(preview));
    expect(preview.outcomeValues).toEqual({ id: ['A', 'B'], Status: ['Closed - Converted', 'Open'] });
    expect(preview.suggestion.outcome).toEqual({ field: 'Status', positiveValues: ['Closed - Converted'] });
    await db.settings.clear();
  });

  it('offers one value per spelling an outcome rule tells apart: not "Yes" and "yes", nor a placeholder for a missing value', async () => {
    const csv = 'id,won\nA,Yes\nB,yes\nC, YES \nD,No\nE,n/a\nF,no\n';
    const preview = (await previewOf(csv)).at(-1);
    assert(preview?.type === 'preview', JSON.stringify(preview));
    expect(preview.outcomeValues.won).toEqual(['No', 'Yes']);
    expect(preview.suggestion.outcome).toEqual({ field: 'won', positiveValues: ['Yes'] });
    // The one box ticked converts every spelling of it.
    await answerCsvRequest({ type: 'import', file: fileOf(csv), mapping: preview.suggestion }, () => undefined, dexieCsvSink);
    expect(Object.fromEntries((await db.leads.toArray()).map((lead) => [lead.id, lead.outcome]))).toEqual({ A: 1, B: 1, C: 1, D: 0, E: null, F: 0 });
  });

  it("says what the import will leave out: a report's footer after the last lead", async () => {
    const preview = (await previewOf('id,won\nA,1\nB,0\n""\n"Confidential Information - Do Not Distribute"\n')).at(-1);
    assert(preview?.type === 'preview', JSON.stringify(preview));
    expect(preview.warnings).toEqual([`The last line, one cell ("Confidential Information - Do Not Distribute"), is not a lead: a report's footer, left out.`]);
    expect((await previewOf('id,won\nA,1\n')).at(-1)).toMatchObject({ type: 'preview', warnings: [] });
  });

  it('counts every column’s rows without a value, so that the form warns of whichever id column is chosen as its import does, and says it in no other warning', async () => {
    const csv = 'Lead ID,Email,won\n,a@example.com,1\nA-2,,0\nN/A,n/a,1\nA-4,,0\n';
    const preview = (await previewOf(csv)).at(-1);
    assert(preview?.type === 'preview', JSON.stringify(preview));
    expect(preview.suggestion.idColumn).toBe('Lead ID');
    expect(preview.missingCells).toEqual({ 'Lead ID': 2, Email: 3, won: 0 });
    // The form adds it for the column chosen: here it would be said twice.
    expect(preview.warnings).toEqual([]);
    const importWarnings = async (idColumn: string) => {
      const events: CsvEvent[] = [];
      await answerCsvRequest({ type: 'import', file: fileOf(csv), mapping: { ...preview.suggestion, idColumn } }, (event) => events.push(event), dexieCsvSink);
      const imported = events.at(-1);
      assert(imported?.type === 'imported', JSON.stringify(imported));
      return imported.warnings;
    };
    // The suggested column, and another one chosen instead.
    expect(await importWarnings('Lead ID')).toEqual(missingIdsWarning('Lead ID', preview.missingCells['Lead ID']));
    expect(missingIdsWarning('Lead ID', preview.missingCells['Lead ID'])).toEqual(['2 rows have no record id in column "Lead ID": with it as the record id, they are numbered by their row.']);
    expect(await importWarnings('Email')).toEqual(missingIdsWarning('Email', preview.missingCells.Email));
    expect(missingIdsWarning('Email', preview.missingCells.Email)).toEqual(['3 rows have no record id in column "Email": with it as the record id, they are numbered by their row.']);
    // Filled in every row: nothing to say.
    expect((await previewOf('id,won\nA,1\nB,0\n')).at(-1)).toMatchObject({ type: 'preview', missingCells: { id: 0, won: 0 }, warnings: [] });
  });

  it('answers failed, with the row, when a row past the first block is malformed', async () => {
    expect(await previewOf(`${sortedExport}L-15000,too,few\n`)).toContainEqual({
      type: 'failed',
      error: expect.stringMatching(/^Counting from data row \d+: 1 CSV row\(s\) have a different number of cells than the header/),
    });
  });
});

describe('answerCsvRequest: a comparison with the stored import', () => {
  it('says with the preview how many CSV leads are stored and the rule they were read by, and what an import would do, storing nothing', async () => {
    const outcome = { field: 'won', positiveValues: ['1'] };
    const file = new File(['id,won\nOLD-1,1\nOLD-2,0\n'], 'leads.csv', { type: 'text/csv' });
    await answerCsvRequest({ type: 'import', file, mapping: { ...mapping, outcome } }, () => undefined, dexieCsvSink);
    expect((await previewOf('id,won\nOLD-2,1\nNEW-1,0\n')).at(-1)).toMatchObject({ type: 'preview', storedImport: { leads: 2, outcome } });

    const events: CsvEvent[] = [];
    await answerCsvRequest({ type: 'compare', file: importOf('id,won\nOLD-2,1\nNEW-1,0\n').file, mapping }, (event) => events.push(event), dexieCsvSink);
    expect(events.at(-1)).toEqual({ type: 'compared', replaced: { added: 1, updated: 1, removed: 1, heldOutLost: 0 } });
    expect(await storedIds()).toEqual(['OLD-1', 'OLD-2']);
  });
});

/** A file that counts its readings (`stream()`): the dialect's, of its start, then one per whole reading. */
class CountedFile extends File {
  streams = 0;
  override stream(): ReturnType<File['stream']> {
    this.streams++;
    return super.stream();
  }
}

describe('answerCsvRequest: how often a re-import reads its file', () => {
  async function answered(request: CsvRequest) {
    const events: CsvEvent[] = [];
    await answerCsvRequest(request, (event) => events.push(event), dexieCsvSink);
    return { last: events.at(-1), progress: events.filter((event) => event.type === 'progress') };
  }

  it('reads a file stored as written (month-first dates, decimal points) once after its start: to compare it with the stored import, then to import it', async () => {
    const file = new CountedFile(['id,created,amount,won\nNEW-1,12/31/2025,1234.5,1\nOLD-1,01/02/2025,12,0\n'], 'leads.csv', { type: 'text/csv' });
    const compared = await answered({ type: 'compare', file, mapping });
    expect(compared.last).toEqual({ type: 'compared', replaced: { added: 1, updated: 1, removed: 0, heldOutLost: 0 } });
    expect(file.streams).toBe(2);

    const imported = await answered({ type: 'import', file, mapping });
    expect(imported.last).toMatchObject({ type: 'imported', rows: 2, dayFirstColumns: [], commaDecimalColumns: [] });
    expect(file.streams).toBe(4);
    expect(imported.progress.at(-1)).toEqual({ type: 'progress', rows: 2, fraction: 1 });
    expect((await db.leads.toArray()).map((lead) => lead.fields)).toEqual([
      { id: 'NEW-1', created: '12/31/2025', amount: '1234.5', won: '1' },
      { id: 'OLD-1', created: '01/02/2025', amount: '12', won: '0' },
    ]);
  });

  it('reads a file whose dates are stored rewritten (day first) twice, storing them rewritten', async () => {
    const file = new CountedFile(['id,created,won\nNEW-1,31/12/2025,1\nOLD-1,01/02/2025,0\n'], 'leads.csv', { type: 'text/csv' });
    const imported = await answered({ type: 'import', file, mapping });
    expect(imported.last).toMatchObject({ type: 'imported', rows: 2, dayFirstColumns: ['created'] });
    expect(file.streams).toBe(3);
    expect(imported.progress.at(-1)).toEqual({ type: 'progress', rows: 2, fraction: 1 });
    expect((await db.leads.toArray()).map((lead) => lead.fields.created)).toEqual(['2025-12-31', '2025-02-01']);
  });

  it('never moves its progress back when a last row shows the dates day first, blocks after the rows staged as written', async () => {
    const notes = 'called and left a message '.repeat(16);
    const rows = Array.from({ length: 3000 }, (_, i) => `N-${i},0${(i % 9) + 1}/0${(i % 8) + 2}/2025,${notes}`);
    const text = `id,called,notes\n${rows.join('\n')}\nN-last,25/12/2025,${notes}\n`;
    expect(text.length).toBeGreaterThan(BLOCK_CHARS);
    const file = new CountedFile([text], 'leads.csv', { type: 'text/csv' });
    const imported = await answered({ type: 'import', file, mapping });
    expect(imported.last).toMatchObject({ type: 'imported', rows: 3001, dayFirstColumns: ['called'] });
    expect(file.streams).toBe(3);
    const progress = imported.progress.map((event) => (assert(event.type === 'progress'), event));
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toEqual({ type: 'progress', rows: 3001, fraction: 1 });
    progress.slice(1).forEach((event, i) => {
      expect(event.fraction).toBeGreaterThanOrEqual(progress[i].fraction);
      expect(event.rows).toBeGreaterThanOrEqual(progress[i].rows);
    });
  });

  it('never moves its progress back when the created column shows its dates day first, though most of its cells are no dates', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `N-${i},${i % 3 === 0 ? `13/0${(i % 8) + 2}/2025` : 'soon'},${'x'.repeat(400)}`);
    const file = new File([`id,created,notes\n${rows.join('\n')}\n`], 'leads.csv', { type: 'text/csv' });
    const imported = await answered({ type: 'import', file, mapping: { ...mapping, createdColumn: 'created' } });
    expect(imported.last).toMatchObject({ type: 'imported', rows: 3000, dayFirstColumns: ['created'] });
    const progress = imported.progress.map((event) => (assert(event.type === 'progress'), event));
    expect(progress.length).toBeGreaterThan(2);
    progress.slice(1).forEach((event, i) => expect(event.fraction).toBeGreaterThanOrEqual(progress[i].fraction));
  });
});
