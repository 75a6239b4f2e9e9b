import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { DEMO_HISTORY_COLUMNS, demoHistoryRows } from '../crm/demo-data';
import type { StoredLead } from '../db/db';
import { TrainingDataError } from '../ml/train/dataset';
import { importCsv, previewCsv, type CsvMapping } from './import';
import { suggestCsvMapping } from './mapping';

const now = new Date('2026-11-01T00:00:00Z');
const historyCsv = `${Papa.unparse(demoHistoryRows({ count: 300, seed: 9, now }), { columns: [...DEMO_HISTORY_COLUMNS] })}\n`;

async function* chunksOf(text: string, size = 997) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

function memorySink() {
  const leads = new Map<string, StoredLead>();
  let clears = 0;
  return {
    leads,
    clears: () => clears,
    sink: {
      clear: async () => {
        clears++;
        leads.clear();
      },
      put: async (batch: StoredLead[]) => batch.forEach((lead) => leads.set(lead.key, lead)),
    },
  };
}

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
    const { sink, leads } = memorySink();
    const progress: number[] = [];
    // Small blocks: the file is read as it streams, several blocks deep.
    const rows = await importCsv(chunksOf(historyCsv), mapping, sink, { onProgress: (p) => progress.push(p.rows), blockChars: 4096 });
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
    const { sink, leads } = memorySink();
    const csv = '\uFEFFid;title;converted\nA-1;"VP; Sales";1\nA-2;CTO;0\n';
    await importCsv(chunksOf(csv, 5), { ...mapping, idColumn: 'id', createdColumn: null }, sink);
    expect([...leads.keys()]).toEqual(['csv|A-1', 'csv|A-2']);
    expect(leads.get('csv|A-1')?.fields).toEqual({ id: 'A-1', title: 'VP; Sales', converted: '1' });
  });

  it('rejects a file the trainer would reject, and keeps nothing of it', async () => {
    const { sink, leads, clears } = memorySink();
    const ragged = `${historyCsv}salesforce,too,few\n`;
    await expect(importCsv(chunksOf(ragged), mapping, sink, { blockChars: 4096 })).rejects.toThrow(
      /^Counting from data row \d+: 1 CSV row\(s\) have a different number of cells than the header/,
    );
    expect(leads.size).toBe(0);
    expect(clears()).toBe(2);
    await expect(importCsv(chunksOf('a,a\n1,2\n'), { ...mapping, createdColumn: null, outcome: null }, sink)).rejects.toThrow(
      'The CSV header names column "a" twice.',
    );
    await expect(importCsv(chunksOf('a,b\n'), { ...mapping, createdColumn: null, outcome: null }, sink)).rejects.toThrow(TrainingDataError);
  });

  it('says which mapped column is missing', async () => {
    const { sink } = memorySink();
    await expect(importCsv(chunksOf('a,b\n1,2\n'), mapping, sink)).rejects.toThrow('The CSV has no column "created_at", "converted".');
  });
});
