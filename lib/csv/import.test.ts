import 'fake-indexeddb/auto';
import Papa from 'papaparse';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_HISTORY_COLUMNS, demoHistoryRows } from '../crm/demo-data';
import { db, type StoredLead } from '../db/db';
import { TrainingDataError } from '../ml/train/dataset';
import { importCsv, previewCsv, type CsvMapping } from './import';
import { suggestCsvMapping } from './mapping';
import { BLOCK_CHARS } from './record-blocks';
import { dexieCsvSink as sink } from './stored';

const now = new Date('2026-11-01T00:00:00Z');
const historyCsv = `${Papa.unparse(demoHistoryRows({ count: 300, seed: 9, now }), { columns: [...DEMO_HISTORY_COLUMNS] })}\n`;
/** A second, different file: what an admin imports next. */
const nextCsv = `${Papa.unparse(demoHistoryRows({ count: 400, seed: 10, now }), { columns: [...DEMO_HISTORY_COLUMNS] })}\n`;

async function* chunksOf(text: string, size = 997) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** The stored leads by key (CSV and others), and how many rows are still staged. */
async function stored() {
  const leads = new Map((await db.leads.toArray()).map((lead) => [lead.key, lead]));
  return { leads, staged: await db.csvStaging.count() };
}

beforeEach(() => Promise.all([db.leads.clear(), db.csvStaging.clear()]));

const mapping: CsvMapping = {
  idColumn: null,
  nameColumn: null,
  createdColumn: 'created_at',
  outcome: { field: 'converted', positiveValues: ['1'] },
};

describe('suggestCsvMapping', () => {
  it('suggests the created date and the outcome of the demo history', async () => {
    const { columns, records } = await previewCsv(chunksOf(historyCsv));
    expect(suggestCsvMapping(columns, records)).toEqual(mapping);
  });

  it('suggests id and name columns by their usual names', () => {
    const suggestion = suggestCsvMapping(['Lead ID', 'Full Name', 'Create Date', 'Won'], [
      { Won: 'yes' },
      { Won: 'no' },
    ]);
    expect(suggestion).toEqual({
      idColumn: 'Lead ID',
      nameColumn: 'Full Name',
      createdColumn: 'Create Date',
      outcome: { field: 'Won', positiveValues: ['yes'] },
    });
  });
});

describe('importCsv', () => {
  it('stores every row as a CSV lead, in blocks, with creation date and outcome', async () => {
    const progress: number[] = [];
    // Small blocks: the file is read as it streams, several blocks deep.
    const rows = await importCsv(chunksOf(historyCsv), mapping, sink, { onProgress: (p) => progress.push(p.rows), blockChars: 4096 });
    const { leads } = await stored();
    expect(rows).toBe(300);
    expect(leads.size).toBe(300);
    const first = leads.get('csv|row-1')!;
    expect(first).toMatchObject({ source: 'csv', origin: 'csv', id: 'row-1' });
    expect(first.createdAt).toBeGreaterThan(Date.UTC(2025, 0, 1));
    expect([...leads.values()].filter((lead) => lead.outcome === 1).length).toBe(
      demoHistoryRows({ count: 300, seed: 9, now }).filter((row) => row.converted === '1').length,
    );
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(300);
  });

  it('reads ids from the id column, and a semicolon-separated file with a BOM', async () => {
    const csv = '\uFEFFid;title;converted\nA-1;"VP; Sales";1\nA-2;CTO;0\n';
    await importCsv(chunksOf(csv, 5), { ...mapping, idColumn: 'id', createdColumn: null }, sink);
    const { leads } = await stored();
    expect([...leads.keys()]).toEqual(['csv|A-1', 'csv|A-2']);
    expect(leads.get('csv|A-1')?.fields).toEqual({ id: 'A-1', title: 'VP; Sales', converted: '1' });
  });

  it('rejects a file the trainer would reject, and keeps nothing of it', async () => {
    const ragged = `${historyCsv}salesforce,too,few\n`;
    await expect(importCsv(chunksOf(ragged), mapping, sink, { blockChars: 4096 })).rejects.toThrow(
      /^Counting from data row \d+: 1 CSV row\(s\) have a different number of cells than the header/,
    );
    expect(await stored()).toEqual({ leads: new Map(), staged: 0 });
    await expect(importCsv(chunksOf('a,a\n1,2\n'), { ...mapping, createdColumn: null, outcome: null }, sink)).rejects.toThrow(
      'The CSV header names column "a" twice.',
    );
    await expect(importCsv(chunksOf('a,b\n'), { ...mapping, createdColumn: null, outcome: null }, sink)).rejects.toThrow(TrainingDataError);
  });

  it('says which mapped column is missing', async () => {
    await expect(importCsv(chunksOf('a,b\n1,2\n'), mapping, sink)).rejects.toThrow('The CSV has no column "created_at", "converted".');
  });
});

describe('importCsv over a previous import', () => {
  const idMapping: CsvMapping = { ...mapping, idColumn: 'id', createdColumn: null };
  const crmLead: StoredLead = {
    key: 'hubspot|1',
    source: 'hubspot',
    id: '1',
    origin: 'sync',
    name: 'Ada',
    owner: '',
    leadSource: '',
    createdAt: 0,
    modifiedAt: 0,
    outcome: null,
    fields: {},
  };

  /** The first import, and every stored lead (CSV and CRM) right after it. */
  async function importFirst() {
    await db.leads.put(crmLead);
    await importCsv(chunksOf(historyCsv), mapping, sink);
    const { leads } = await stored();
    expect(leads.size).toBe(301);
    return leads;
  }

  it('replaces the previous CSV import whole when the new one succeeds, and no other leads', async () => {
    await importFirst();
    const rows = await importCsv(chunksOf('id,converted\nA-1,1\nA-2,0\n'), idMapping, sink);
    const { leads, staged } = await stored();
    expect([...leads.keys()]).toEqual(['csv|A-1', 'csv|A-2', 'hubspot|1']);
    expect(rows).toBe(2);
    expect(staged).toBe(0);
  });

  it('keeps the previous import exactly as it was when a row near the end of the new file is malformed', async () => {
    const before = await importFirst();
    // Several blocks are read and staged before the bad row.
    await expect(importCsv(chunksOf(`${nextCsv}salesforce,too,few\n`), mapping, sink, { blockChars: 4096 })).rejects.toThrow(
      /^Counting from data row \d+: 1 CSV row\(s\) have a different number of cells than the header/,
    );
    expect(await stored()).toEqual({ leads: before, staged: 0 });
  });

  it('keeps the previous import exactly as it was when the new one is cancelled midway', async () => {
    const before = await importFirst();
    const cancel = new AbortController();
    const progress: number[] = [];
    const onProgress = ({ rows }: { rows: number }) => {
      progress.push(rows);
      if (progress.length === 2) cancel.abort();
    };
    await expect(importCsv(chunksOf(nextCsv), mapping, sink, { onProgress, blockChars: 4096, signal: cancel.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(progress.at(-1)).toBeLessThan(400);
    expect(await stored()).toEqual({ leads: before, staged: 0 });
  });

  it('keeps the previous import while rows of a stopped import wait staged, and leaves them out of the next import', async () => {
    const before = await importFirst();
    // What a worker terminated mid-file (Cancel import in the options page) leaves behind.
    await sink.stage([{ ...crmLead, key: 'csv|stale', source: 'csv', id: 'stale', origin: 'csv' }]);
    expect((await stored()).leads).toEqual(before);
    await importCsv(chunksOf('id,converted\nA-1,1\n'), idMapping, sink);
    expect([...(await stored()).leads.keys()]).toEqual(['csv|A-1', 'hubspot|1']);
  });

  it.each([
    ['in one block', BLOCK_CHARS],
    ['across blocks', 256],
  ])('refuses a file whose record ids repeat (%s), says how many rows repeat one, and keeps the previous import', async (_, blockChars) => {
    const before = await importFirst();
    // 300 rows, 150 distinct ids: each id twice, 150 rows apart.
    const csv = `id,converted\n${Array.from({ length: 300 }, (_, i) => `L-${i % 150},${i % 2}`).join('\n')}\n`;
    await expect(importCsv(chunksOf(csv), idMapping, sink, { blockChars })).rejects.toThrow(
      new TrainingDataError(
        '150 of 300 rows repeat a record id (column "id") that an earlier row already has. ' +
          'Each row must be one lead: choose a record id column whose values are all different, or "(none)" to number the rows.',
      ),
    );
    expect(await stored()).toEqual({ leads: before, staged: 0 });
  });

  it('stores as many leads as it reports', async () => {
    const rows = await importCsv(chunksOf(nextCsv), mapping, sink, { blockChars: 4096 });
    expect(rows).toBe(400);
    expect((await stored()).leads.size).toBe(rows);
  });
});
