import 'fake-indexeddb/auto';
import Papa from 'papaparse';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_FEATURE_SPECS, DEMO_HISTORY_COLUMNS, demoHistoryRows } from '../crm/demo-data';
import { db, type StoredLead } from '../db/db';
import { featureValue } from '../ml/featurize';
import { parseManifest } from '../ml/manifest';
import { inferFeatureSpecs } from '../ml/train/dataset';
import { TrainingDataError } from '../ml/train/errors';
import { trainModel } from '../ml/train';
import { outcomeCandidates } from '../ml/train/outcome-suggestions';
import { candidateFeatures, leadsInWindow, OUTCOME_COLUMN, trainingTableBuilder, type OutcomeRule, type TrainingWindow } from '../ml/train/training-set';
import { importCsv, previewCsv, type CsvMapping } from './import';
import { suggestCsvMapping } from './mapping';
import { InvalidQuotedCellError, parseCsv, UnclosedQuotedCellError } from './parse';
import { BLOCK_CHARS } from './record-blocks';
import { CSV_IMPORT_LOCK, dexieCsvSink as sink, discardAbandonedImport, importedOutcomeRule } from './stored';
import { expectSummariesInStep } from '../../test/fixtures/lead-summaries';
import { storedLead } from '../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../test/web-locks';
import manifestJson from '../../models/manifest.json';

const now = new Date('2026-11-01T00:00:00Z');
const parsedManifest = parseManifest(manifestJson);
if (!parsedManifest.ok) throw new Error(parsedManifest.error);
const bundledManifest = parsedManifest.manifest;
const historyCsv = `${Papa.unparse(demoHistoryRows({ count: 300, seed: 9, now }), { columns: [...DEMO_HISTORY_COLUMNS] })}\n`;
/** A second, different file: what an admin imports next. */
const nextCsv = `${Papa.unparse(demoHistoryRows({ count: 400, seed: 10, now }), { columns: [...DEMO_HISTORY_COLUMNS] })}\n`;

async function* chunksOf(text: string, size = 997) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** A file whose text can be read from the start again, as `importCsv` reads it. */
const fileOf = (text: string, size?: number) => () => chunksOf(text, size);

/** The stored leads by key (CSV and others), and how many rows are still staged; their summaries must match them. */
async function stored() {
  await expectSummariesInStep(db);
  const leads = new Map((await db.leads.toArray()).map((lead) => [lead.key, lead]));
  return { leads, staged: await db.csvStaging.count() };
}

/** The trainer's table of the `leads` inside `window`, built a lead at a time as the training job builds it while reading a history. */
function trainingTableOf(leads: readonly StoredLead[], window: TrainingWindow, rule: OutcomeRule) {
  const builder = trainingTableBuilder(rule);
  for (const lead of leadsInWindow(leads, window).leads) builder.add(lead);
  return builder.result();
}

beforeEach(async () => {
  stubWebLocks(); // a commit pauses the jobs writing stored scores
  await Promise.all([...db.leadTables, db.leadScores, db.csvStaging, db.heldOutScores].map((table) => table.clear()));
});
afterEach(() => vi.unstubAllGlobals());

const mapping: CsvMapping = {
  idColumn: null,
  nameColumn: null,
  createdColumn: 'created_at',
  outcome: { field: 'converted', positiveValues: ['1'] },
};

describe('suggestCsvMapping', () => {
  it('suggests the created date and the outcome of the demo history', async () => {
    const { columns, values } = await previewCsv(fileOf(historyCsv));
    expect(suggestCsvMapping(columns, outcomeCandidates(values))).toEqual({ ...mapping, ownerColumn: null, leadSourceColumn: 'lead_source' });
  });

  it('suggests id and name columns by their usual names', () => {
    const suggestion = suggestCsvMapping(['Lead ID', 'Full Name', 'Create Date', 'Won'], { Won: ['no', 'yes'] });
    expect(suggestion).toEqual({
      idColumn: 'Lead ID',
      nameColumn: 'Full Name',
      createdColumn: 'Create Date',
      outcome: { field: 'Won', positiveValues: ['yes'] },
      ownerColumn: null,
      leadSourceColumn: null,
    });
  });

  it('suggests owner and lead source columns as Salesforce and HubSpot exports head them, in any case', () => {
    const suggested = (columns: string[]) => {
      const { ownerColumn, leadSourceColumn } = suggestCsvMapping(columns, {});
      return { ownerColumn, leadSourceColumn };
    };
    expect(suggested(['Lead ID', 'Lead Owner', 'Company', 'Lead Source'])).toEqual({ ownerColumn: 'Lead Owner', leadSourceColumn: 'Lead Source' });
    expect(suggested(['Record ID', 'Contact owner', 'Original Source', 'Create Date'])).toEqual({ ownerColumn: 'Contact owner', leadSourceColumn: 'Original Source' });
    expect(suggested(['id', 'OWNER', 'LeadSource'])).toEqual({ ownerColumn: 'OWNER', leadSourceColumn: 'LeadSource' });
    // An owner id is no name to filter by; a bare "Source" may be the CRM a row came from.
    expect(suggested(['OwnerId', 'Source'])).toEqual({ ownerColumn: null, leadSourceColumn: null });
  });
});

describe('previewCsv', () => {
  it('reads each column’s values over every block, under any column name', async () => {
    const csv = 'id,__proto__,won\nA,x,no\nB,x,no\nC,x,no\nD,y,yes\n';
    const { columns, values } = await previewCsv(fileOf(csv, 3), { blockChars: 8 });
    expect(columns).toEqual(['id', '__proto__', 'won']);
    // An own key named __proto__, as a literal cannot write one.
    expect(outcomeCandidates(values)).toEqual(Object.fromEntries([['id', ['A', 'B', 'C', 'D']], ['__proto__', ['x', 'y']], ['won', ['no', 'yes']]]));
    expect(Object.getPrototypeOf(outcomeCandidates(values))).toBeNull();
  });

  it('refuses a file the import would refuse', async () => {
    await expect(previewCsv(fileOf('a,b\n'))).rejects.toThrow('The CSV file has a header but no rows.');
    await expect(previewCsv(fileOf('a,b\n1,2\n3,4,5\n'), { blockChars: 4 })).rejects.toThrow(/^Counting from data row 2: /);
  });
});

describe('importCsv', () => {
  it('stores every row as a CSV lead, in blocks, with creation date and outcome', async () => {
    const progress: number[] = [];
    // Small blocks: the file is read as it streams, several blocks deep.
    const { rows } = await importCsv(fileOf(historyCsv), mapping, sink, { onProgress: (p) => progress.push(p.rows), blockChars: 4096 });
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
    await importCsv(fileOf(csv, 5), { ...mapping, idColumn: 'id', createdColumn: null }, sink);
    const { leads } = await stored();
    expect([...leads.keys()]).toEqual(['csv|A-1', 'csv|A-2']);
    expect(leads.get('csv|A-1')?.fields).toEqual({ id: 'A-1', title: 'VP; Sales', converted: '1' });
  });

  it('reads an Excel file that starts with a sep=; line, and ends its rows with empty columns, in any number of blocks', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `L${i};"Name; ${i}";${i % 3 === 0 ? 1 : 0};;`).join('\r\n');
    const csv = `\uFEFFsep=;\r\nid;name;converted;;\r\n${rows}\r\n`;
    for (const blockChars of [1, 40, 1 << 20]) {
      await importCsv(fileOf(csv, 7), { ...mapping, idColumn: 'id', createdColumn: null }, sink, { blockChars });
      const { leads } = await stored();
      expect(leads.size, `blocks of ${blockChars}`).toBe(12);
      expect(leads.get('csv|L4')?.fields).toEqual({ id: 'L4', name: 'Name; 4', converted: '0' });
      expect([...leads.values()].filter((lead) => lead.outcome === 1)).toHaveLength(4);
    }
  });

  it('rejects a file the trainer would reject, and keeps nothing of it', async () => {
    const ragged = `${historyCsv}salesforce,too,few\n`;
    await expect(importCsv(fileOf(ragged), mapping, sink, { blockChars: 4096 })).rejects.toThrow(
      /^Counting from data row \d+: 1 CSV row\(s\) have a different number of cells than the header/,
    );
    expect(await stored()).toEqual({ leads: new Map(), staged: 0 });
    await expect(importCsv(fileOf('a,a\n1,2\n'), { ...mapping, createdColumn: null, outcome: null }, sink)).rejects.toThrow(
      'The CSV header names column "a" twice.',
    );
    await expect(importCsv(fileOf('a,b\n'), { ...mapping, createdColumn: null, outcome: null }, sink)).rejects.toThrow(TrainingDataError);
  });

  it.each([
    ['in one block', BLOCK_CHARS],
    ['across blocks', 16],
  ])('refuses a file with a quoted cell never closed (%s), naming its row, instead of reading the rest of the file into it', async (_, blockChars) => {
    const csv = 'id,note\nA-1,fine\nA-2,"forgot to close\nA-3,lost\nA-4,lost too\n';
    const idMapping: CsvMapping = { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null };
    // The row of the file, whichever block it was read in.
    await expect(importCsv(fileOf(csv), idMapping, sink, { blockChars })).rejects.toThrow(new UnclosedQuotedCellError(2));
    await expect(importCsv(fileOf(csv), idMapping, sink, { blockChars })).rejects.toThrow(
      'Data row 2 opens a quoted cell (with ") that is never closed, so everything after it, to the end of the file, would be read as that one cell. ' +
        'Add the missing closing quote, or remove the opening one.',
    );
    expect(await stored()).toEqual({ leads: new Map(), staged: 0 });
    await expect(importCsv(fileOf('id,"note\nA-1,x\n'), idMapping, sink)).rejects.toThrow(/^The header row opens a quoted cell/);
  });

  it.each([
    ['in one block', BLOCK_CHARS],
    ['across blocks', 16],
  ])('refuses a file with a cell that goes on after its closing quote (%s), naming its row, instead of reading the rows after it into it', async (_, blockChars) => {
    const csv = 'id,company\nA-1,fine\nA-2,"Big" Deal Inc\nA-3,lost\nA-4,"Globex, Ltd"\n';
    const idMapping: CsvMapping = { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null };
    // The row of the file, whichever block it was read in.
    await expect(importCsv(fileOf(csv), idMapping, sink, { blockChars })).rejects.toThrow(new InvalidQuotedCellError(2, '"Big"'));
    expect(await stored()).toEqual({ leads: new Map(), staged: 0 });
  });

  it('says which mapped column is missing', async () => {
    await expect(importCsv(fileOf('a,b\n1,2\n'), mapping, sink)).rejects.toThrow('The CSV has no column "created_at", "converted".');
  });
});

describe('importCsv: where records end', () => {
  // A BOM, CRLF line ends, a quoted header cell, stray quotes in unquoted cells (27" monitor:
  // text, as papaparse reads it), quoted cells with line breaks, `""` escapes and lines that
  // look like records, a closing quote with a space before the separator, and a bare LF in an
  // unquoted cell (text in a CRLF file).
  const csv = [
    '\uFEFF"id",name,product,notes',
    '1,A,27" monitor,"first ""quoted"" line\r\nsecond, line"',
    '2,B,"24"" screen" ,plain',
    '3,C,5" cable,"a\n4,Z,made up,"" lead\nend"',
    '4,D,x,"a\n5,E,x,fine"',
    '5,E,19" rack,last',
    '6,F,x,bare\nLF',
    '',
  ].join('\r\n');
  const idMapping: CsvMapping = { idColumn: 'id', nameColumn: 'name', createdColumn: null, outcome: null };
  const fieldsOf = async () => [...(await stored()).leads.values()].map((lead) => lead.fields);

  it('stores the leads papaparse reads in the whole file, for every block size', async () => {
    await importCsv(fileOf(csv), idMapping, sink);
    const whole = await fieldsOf();
    expect(whole).toEqual([
      { id: '1', name: 'A', product: '27" monitor', notes: 'first "quoted" line\r\nsecond, line' },
      { id: '2', name: 'B', product: '24" screen', notes: 'plain' },
      { id: '3', name: 'C', product: '5" cable', notes: 'a\n4,Z,made up," lead\nend' },
      { id: '4', name: 'D', product: 'x', notes: 'a\n5,E,x,fine' },
      // The line end is no part of the last cell.
      { id: '5', name: 'E', product: '19" rack', notes: 'last' },
      { id: '6', name: 'F', product: 'x', notes: 'bare\nLF' },
    ]);
    for (let blockChars = 1; blockChars <= csv.length; blockChars++) {
      await importCsv(fileOf(csv, 7), idMapping, sink, { blockChars });
      expect(await fieldsOf(), `blocks of ${blockChars} characters`).toEqual(whole);
    }
  });

  it('reads a header after blank lines, in any block', async () => {
    const blankFirst = `\r\n \r\n${csv.slice(1)}`;
    for (const blockChars of [1, 4, 64, BLOCK_CHARS]) {
      const { rows } = await importCsv(fileOf(blankFirst), idMapping, sink, { blockChars });
      expect(rows).toBe(6);
      expect((await stored()).leads.get('csv|5')?.fields).toEqual({ id: '5', name: 'E', product: '19" rack', notes: 'last' });
    }
  });
});

describe('importCsv: the separator', () => {
  // The header alone has three cells with commas as with semicolons; the rows say semicolons.
  const csv = 'Name;Revenue (USD, k);Employees (FTE, approx)\nAcme;12,5;40\nBeta;7;12\n';
  const noMapping: CsvMapping = { idColumn: null, nameColumn: 'Name', createdColumn: null, outcome: null };

  it('reads the columns the preview shows', async () => {
    const { columns } = await previewCsv(fileOf(csv));
    expect(columns).toEqual(['Name', 'Revenue (USD, k)', 'Employees (FTE, approx)']);
    const { rows } = await importCsv(fileOf(csv), noMapping, sink);
    expect(rows).toBe(2);
    expect((await stored()).leads.get('csv|row-1')?.fields).toEqual({ Name: 'Acme', 'Revenue (USD, k)': '12.5', 'Employees (FTE, approx)': '40' });
  });
});

describe("importCsv: a report's footer", () => {
  // Salesforce Classic's "Export Details": after the leads, a blank line and one-cell lines.
  const leads = Array.from({ length: 6 }, (_, i) => `"00Q${i}","Acme ${i}","3/${i + 13}/2025","${i % 2}"`);
  const footer = ['Grand Totals (6 records)', 'Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.', 'Confidential Information - Do Not Distribute', 'Acme Inc.'];
  const report = ['"Lead ID","Company","Created Date","Converted"', ...leads, '""', ...footer.map((line) => `"${line}"`), ''].join('\r\n');
  const leadMapping: CsvMapping = { idColumn: 'Lead ID', nameColumn: null, createdColumn: 'Created Date', outcome: { field: 'Converted', positiveValues: ['1'] } };
  const leftOut = `The last 4 lines, one cell each ("Grand Totals (6 records)", …), are not leads: a report's footer, left out.`;

  it('leaves it out, saying so in the preview and the import, wherever the blocks end', async () => {
    for (let blockChars = 1; blockChars <= report.length; blockChars++) {
      const preview = await previewCsv(fileOf(report, 7), { blockChars });
      expect(preview.warnings, `blocks of ${blockChars} characters`).toEqual([leftOut]);
      expect(preview.values.Converted).toEqual(['0', '1']);
      const { rows, warnings } = await importCsv(fileOf(report, 7), leadMapping, sink, { blockChars });
      expect(rows).toBe(6);
      expect(warnings).toEqual([leftOut]);
      expect([...(await stored()).leads.keys()]).toEqual(leads.map((_, i) => `csv|00Q${i}`));
    }
  });

  it('still refuses one-cell lines with leads after them, naming the line, wherever the blocks end', async () => {
    const misplaced = ['"Lead ID","Company","Created Date","Converted"', ...leads.slice(0, 3), '"Copyright"', ...leads.slice(3), ''].join('\n');
    const refusal = /^(?:Counting from data row (\d+): )?1 CSV row\(s\) have a different number of cells than the header's 4 \(first: data row (\d+)\)/;
    for (let blockChars = 1; blockChars <= misplaced.length; blockChars++) {
      const error: Error = await importCsv(fileOf(misplaced, 7), leadMapping, sink, { blockChars }).then(() => new Error('imported'), (thrown: Error) => thrown);
      const [, from = '1', first] = refusal.exec(error.message) ?? [];
      expect(Number(from) + Number(first) - 1, `blocks of ${blockChars} characters: ${error.message}`).toBe(4);
    }
    expect(await stored()).toEqual({ leads: new Map(), staged: 0 });
  });
});

describe('importCsv: a two-column file whose last lead misses its last cell', () => {
  const csv = 'name,email\nAnn,a@x\nBob\n';

  it('refuses it, storing nothing, instead of leaving that lead out as a footer, wherever the blocks end', async () => {
    for (let blockChars = 1; blockChars <= csv.length; blockChars++) {
      const imported = importCsv(fileOf(csv, 3), { idColumn: 'name', nameColumn: null, createdColumn: null, outcome: null }, sink, { blockChars });
      await expect(imported, `blocks of ${blockChars} characters`).rejects.toThrow(/1 CSV row\(s\) have a different number of cells than the header's 2/);
    }
    expect(await stored()).toEqual({ leads: new Map(), staged: 0 });
  });
});

describe('importCsv: owner and lead source', () => {
  const csv = 'id,Lead Owner,Lead Source,won\nA-1, Ada Lovelace ,Web,1\nA-2,,N/A,0\nA-3,Grace Hopper, Trade Show ,0\n';
  const ownerAndSource: CsvMapping = { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null, ownerColumn: 'Lead Owner', leadSourceColumn: 'Lead Source' };

  it('stores the mapped owner and lead source as trimmed text, empty where the cell is, and keeps every column in the fields', async () => {
    await importCsv(fileOf(csv), ownerAndSource, sink);
    const { leads } = await stored();
    expect([...leads.values()].map(({ id, owner, leadSource }) => ({ id, owner, leadSource }))).toEqual([
      { id: 'A-1', owner: 'Ada Lovelace', leadSource: 'Web' },
      { id: 'A-2', owner: '', leadSource: '' },
      { id: 'A-3', owner: 'Grace Hopper', leadSource: 'Trade Show' },
    ]);
    expect(leads.get('csv|A-1')?.fields).toEqual({ id: 'A-1', 'Lead Owner': ' Ada Lovelace ', 'Lead Source': 'Web', won: '1' });
  });

  it('stores none when no column is mapped, as a mapping from before they were offered', async () => {
    await importCsv(fileOf(csv), { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null }, sink);
    expect([...(await stored()).leads.values()].map(({ owner, leadSource }) => owner + leadSource)).toEqual(['', '', '']);
  });

  it('says when the mapped owner or lead source column is missing', async () => {
    await expect(importCsv(fileOf('id,won\nA-1,1\n'), ownerAndSource, sink)).rejects.toThrow('The CSV has no column "Lead Owner", "Lead Source".');
  });
});

describe('importCsv: lead names', () => {
  it('names a lead without a name by its id', async () => {
    // A-6's name is only controls a rep cannot see (a zero-width space, a direction mark).
    const csv = 'id,name,won\nA-1,Ada Lovelace,1\nA-2,,0\nA-3,None,0\nA-4,NA,1\nA-5, - ,0\nA-6,\u200B\u200E,1\n';
    const names = async () => [...(await stored()).leads.values()].map((lead) => lead.name);
    await importCsv(fileOf(csv), { idColumn: 'id', nameColumn: 'name', createdColumn: null, outcome: null }, sink);
    expect(await names()).toEqual(['Ada Lovelace', 'Lead A-2', 'Lead A-3', 'Lead A-4', 'Lead A-5', 'Lead A-6']);
    // No name column: every lead by its id, the row number when no id column either.
    await importCsv(fileOf(csv), { idColumn: null, nameColumn: null, createdColumn: null, outcome: null }, sink);
    expect(await names()).toEqual(['Lead row-1', 'Lead row-2', 'Lead row-3', 'Lead row-4', 'Lead row-5', 'Lead row-6']);
  });
});

describe('importCsv over a previous import', () => {
  const idMapping: CsvMapping = { ...mapping, idColumn: 'id', createdColumn: null };
  const crmLead = storedLead({ key: 'hubspot|1', source: 'hubspot', id: '1', origin: 'sync' });

  /** The first import, and every stored lead (CSV and CRM) right after it. */
  async function importFirst() {
    await db.putLeads([crmLead]);
    await importCsv(fileOf(historyCsv), mapping, sink);
    const { leads } = await stored();
    expect(leads.size).toBe(301);
    return leads;
  }

  it('replaces the previous CSV import whole when the new one succeeds, with its scores, and no other leads', async () => {
    const first = await importFirst();
    const scoreOf = (leadKey: string) => ({ key: `m|${leadKey}`, modelId: 'm', leadKey, probability: 0.5, score: 50, tier: 'warm' as const, topReason: '', scoredAt: 0 });
    await db.leadScores.bulkPut([...first.keys()].map(scoreOf));
    const { rows } = await importCsv(fileOf('id,converted\nA-1,1\nA-2,0\n'), idMapping, sink);
    const { leads, staged } = await stored();
    expect([...leads.keys()]).toEqual(['csv|A-1', 'csv|A-2', 'hubspot|1']);
    expect(rows).toBe(2);
    expect(staged).toBe(0);
    // The previous import's scores went with its leads; the CRM lead's stayed.
    expect(await db.leadScores.toCollection().primaryKeys()).toEqual(['m|hubspot|1']);
  });

  it('takes the previous import out of trained models’ held-out probabilities: a new file numbered by row reuses its keys for other leads', async () => {
    await importFirst();
    await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: ['csv|row-1', 'csv|row-2', 'hubspot|1'], probabilities: Float64Array.from([0.9, 0.1, 0.4]) });
    await importCsv(fileOf(nextCsv), mapping, sink);
    expect((await db.leads.get('csv|row-1'))?.origin).toBe('csv'); // the same key, now another file's lead
    const kept = await db.heldOutScores.get('ebm-1');
    expect(kept?.leadKeys).toEqual(['hubspot|1']);
    expect([...(kept?.probabilities ?? [])]).toEqual([0.4]);
  });

  it('keeps them for leads an id column brings back under the same name (an export of the same records), not for one that names another lead', async () => {
    const withNames: CsvMapping = { ...idMapping, nameColumn: 'name' };
    await importCsv(fileOf('id,name,converted\nA-1,Ada,1\nA-2,Alan,0\nA-3,Grace,0\n'), withNames, sink);
    await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: ['csv|A-1', 'csv|A-2', 'csv|A-3'], probabilities: Float64Array.from([0.9, 0.1, 0.3]) });
    // The same records exported again, Alan's outcome known now; A-3 is someone else in this file.
    await importCsv(fileOf('id,name,converted\nA-1,Ada,1\nA-2,Alan,1\nA-3,Barbara,0\n'), withNames, sink);
    const kept = await db.heldOutScores.get('ebm-1');
    expect(kept?.leadKeys).toEqual(['csv|A-1', 'csv|A-2']);
    expect([...(kept?.probabilities ?? [])]).toEqual([0.9, 0.1]);
  });

  /** Model ebm-1's held-out probabilities, by lead key. */
  async function heldOutByKey() {
    const kept = await db.heldOutScores.get('ebm-1');
    return Object.fromEntries((kept?.leadKeys ?? []).map((key, i) => [key, kept!.probabilities[i]]));
  }

  const contacts = 'Lead ID,Email,Full Name,First Name,converted\nA-1,ada@x.io,Ada Lovelace,Ada,1\nA-2,alan@x.io,Alan Turing,Alan,0\nA-3,grace@x.io,Grace Hopper,Grace,0\n';
  const byLeadId: CsvMapping = { ...mapping, idColumn: 'Lead ID', nameColumn: 'First Name', createdColumn: null };

  it('keeps them when the same file is imported again with another name column: the same rows under the same ids', async () => {
    await importCsv(fileOf(contacts), byLeadId, sink);
    await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: ['csv|A-1', 'csv|A-2', 'csv|A-3'], probabilities: Float64Array.from([0.9, 0.1, 0.3]) });
    await importCsv(fileOf(contacts), { ...byLeadId, nameColumn: 'Full Name' }, sink);
    expect((await db.leads.get('csv|A-2'))?.name).toBe('Alan Turing');
    expect(await heldOutByKey()).toEqual({ 'csv|A-1': 0.9, 'csv|A-2': 0.1, 'csv|A-3': 0.3 });
  });

  it('moves them to the new keys when the same file is imported again with another record id column, or none', async () => {
    await importCsv(fileOf(contacts), byLeadId, sink);
    await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: ['csv|A-1', 'hubspot|1', 'csv|A-2', 'csv|A-3'], probabilities: Float64Array.from([0.9, 0.4, 0.1, 0.3]) });
    await importCsv(fileOf(contacts), { ...byLeadId, idColumn: 'Email' }, sink);
    expect(await heldOutByKey()).toEqual({ 'csv|ada@x.io': 0.9, 'hubspot|1': 0.4, 'csv|alan@x.io': 0.1, 'csv|grace@x.io': 0.3 });
    // Numbered by row, then by an id column again.
    await importCsv(fileOf(contacts), { ...byLeadId, idColumn: null }, sink);
    expect(await heldOutByKey()).toEqual({ 'csv|row-1': 0.9, 'hubspot|1': 0.4, 'csv|row-2': 0.1, 'csv|row-3': 0.3 });
    await importCsv(fileOf(contacts), byLeadId, sink);
    expect(await heldOutByKey()).toEqual({ 'csv|A-1': 0.9, 'hubspot|1': 0.4, 'csv|A-2': 0.1, 'csv|A-3': 0.3 });
  });

  it('moves them with their rows when a file numbered by row comes back in another order, and drops those of rows it no longer has', async () => {
    const [header, ada, alan] = contacts.trim().split('\n');
    const byRow: CsvMapping = { ...byLeadId, idColumn: null };
    await importCsv(fileOf(contacts), byRow, sink);
    await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: ['csv|row-1', 'csv|row-2', 'csv|row-3'], probabilities: Float64Array.from([0.9, 0.1, 0.3]) });
    // Grace's row is gone; a new lead takes row 3, which no model learnt from.
    await importCsv(fileOf(`${[header, alan, ada, 'A-4,barbara@x.io,Barbara Liskov,Barbara,1'].join('\n')}\n`), byRow, sink);
    expect(await heldOutByKey()).toEqual({ 'csv|row-2': 0.9, 'csv|row-1': 0.1 });
  });

  it('moves one probability per row when rows repeat word for word', async () => {
    const twins = 'team,converted\nred,1\nred,1\nblue,0\n';
    const byRow: CsvMapping = { ...mapping, createdColumn: null };
    await importCsv(fileOf(twins), byRow, sink);
    await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: ['csv|row-1', 'csv|row-2', 'csv|row-3'], probabilities: Float64Array.from([0.8, 0.7, 0.2]) });
    // One of the twins is gone, and the blue row comes first.
    await importCsv(fileOf('team,converted\nblue,0\nred,1\n'), byRow, sink);
    const kept = await heldOutByKey();
    expect(Object.keys(kept).sort()).toEqual(['csv|row-1', 'csv|row-2']);
    expect(kept['csv|row-1']).toBe(0.2);
    expect([0.8, 0.7]).toContain(kept['csv|row-2']);
  });

  it('keeps the previous import exactly as it was when a row near the end of the new file is malformed', async () => {
    const before = await importFirst();
    // Several blocks are read and staged before the bad row.
    await expect(importCsv(fileOf(`${nextCsv}salesforce,too,few\n`), mapping, sink, { blockChars: 4096 })).rejects.toThrow(
      /^Counting from data row \d+: 1 CSV row\(s\) have a different number of cells than the header/,
    );
    expect(await stored()).toEqual({ leads: before, staged: 0 });
  });

  it('keeps the previous import exactly as it was when the new one is cancelled midway', async () => {
    const before = await importFirst();
    const cancel = new AbortController();
    const progress: number[] = [];
    // Cancelled while rows are being staged (by the first reading, when it stages them as written, or else by the second).
    const onProgress = ({ rows }: { rows: number }) => {
      if (rows === 0) return;
      progress.push(rows);
      if (progress.length === 2) cancel.abort();
    };
    await expect(importCsv(fileOf(nextCsv), mapping, sink, { onProgress, blockChars: 4096, signal: cancel.signal })).rejects.toMatchObject({
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
    await importCsv(fileOf('id,converted\nA-1,1\n'), idMapping, sink);
    expect([...(await stored()).leads.keys()]).toEqual(['csv|A-1', 'hubspot|1']);
  });

  it.each([
    ['in one block', BLOCK_CHARS],
    ['across blocks', 256],
  ])('refuses a file whose record ids repeat (%s), says how many rows repeat one, and keeps the previous import', async (_, blockChars) => {
    const before = await importFirst();
    // 300 rows, 150 distinct ids: each id twice, 150 rows apart.
    const csv = `id,converted\n${Array.from({ length: 300 }, (_, i) => `L-${i % 150},${i % 2}`).join('\n')}\n`;
    await expect(importCsv(fileOf(csv), idMapping, sink, { blockChars })).rejects.toThrow(
      new TrainingDataError(
        '150 of 300 rows repeat a record id (column "id") that an earlier row already has. ' +
          'Each row must be one lead: choose a record id column whose values are all different, or "(none)" to number the rows.',
      ),
    );
    expect(await stored()).toEqual({ leads: before, staged: 0 });
  });

  it('stores as many leads as it reports', async () => {
    const { rows } = await importCsv(fileOf(nextCsv), mapping, sink, { blockChars: 4096 });
    expect(rows).toBe(400);
    expect((await stored()).leads.size).toBe(rows);
  });
});

describe('importCsv: dates written day first', () => {
  const datesMapping: CsvMapping = { idColumn: 'id', nameColumn: null, createdColumn: 'created', outcome: { field: 'won', positiveValues: ['yes'] } };
  const lead = (leads: Map<string, StoredLead>, id: string) => leads.get(`csv|${id}`)!;

  it('reads a created date column the file writes day first, ambiguous dates included, and says so', async () => {
    const csv = 'id,created,won\nA,31/12/2025,yes\nB,03/04/2025 14:30,no\nC,05/05/2025,no\nD,,yes\n';
    const result = await importCsv(fileOf(csv), datesMapping, sink);
    expect(result).toEqual({ rows: 4, replaced: { added: 4, updated: 0, removed: 0, heldOutLost: 0 }, withoutOutcome: 0, dayFirstColumns: ['created'], commaDecimalColumns: [], warnings: [] });
    const { leads } = await stored();
    expect(lead(leads, 'A').createdAt).toBe(Date.UTC(2025, 11, 31));
    // Read month first, this would be 4 March.
    expect(lead(leads, 'B').createdAt).toBe(Date.UTC(2025, 3, 3, 14, 30));
    expect(lead(leads, 'B').fields.created).toBe('2025-04-03T14:30:00');
    expect(lead(leads, 'C').fields.created).toBe('2025-05-05');
    expect(lead(leads, 'D').createdAt).toBe(0);
  });

  it('says how many created dates it cannot read (spreadsheet serial numbers, text): those leads have no created date', async () => {
    const csv = 'id,created,won\nA,2025-12-31,yes\nB,12/30/2025 9:15 AM,no\nC,45000,no\nD,,yes\nE,last spring,no\nF,45100,yes\n';
    const result = await importCsv(fileOf(csv), datesMapping, sink, { blockChars: 16 });
    expect(result.warnings).toEqual([
      'The created date column "created": 3 of its 5 filled cells are not dates LeadLens can read (like "45000"), so those leads have no created date ' +
        'and a training window by date leaves them out. Write the dates as YYYY-MM-DD (like 2025-12-31). ' +
        'A spreadsheet writes dates as numbers like 45000 when their column is not formatted as dates.',
    ]);
    const { leads } = await stored();
    expect(['A', 'B', 'C', 'D', 'E', 'F'].map((id) => lead(leads, id).createdAt > 0)).toEqual([true, true, false, false, false, false]);
    // Every created date read: nothing to say.
    expect((await importCsv(fileOf('id,created,won\nA,2025-12-31,yes\nB,,no\n'), datesMapping, sink)).warnings).toEqual([]);
  });

  it('learns the order from rows far apart, across blocks', async () => {
    // The only date that tells the order is the last row's, many blocks after the ambiguous ones.
    const rows = Array.from({ length: 200 }, (_, i) => `L-${i},0${(i % 9) + 1}/0${(i % 8) + 2}/2025,no`);
    const csv = `id,created,won\n${rows.join('\n')}\nL-last,25/12/2025,yes\n`;
    const result = await importCsv(fileOf(csv), datesMapping, sink, { blockChars: 256 });
    expect(result.dayFirstColumns).toEqual(['created']);
    const { leads } = await stored();
    expect(lead(leads, 'L-0').createdAt).toBe(Date.UTC(2025, 1, 1)); // 01/02/2025: 1 February
    expect(lead(leads, 'L-last').createdAt).toBe(Date.UTC(2025, 11, 25));
  });

  it('reads other columns of dates in their own order: day first with dashes or dots, month first left as written', async () => {
    const csv = [
      'id,created,last_call,renewal,us_date,signed_up,notes,won',
      'A,2025-01-10,31-12-2025,31.12.2025,12/31/2025,12-31-2025,called 13/01/2026,yes',
      'B,2025-01-11,01-02-2026,01.02.2026,03/04/2025,03-04-2025,left a message,no',
      'C,2025-01-12,,,,,,no',
    ].join('\n');
    const result = await importCsv(fileOf(`${csv}\n`), datesMapping, sink);
    expect(result.dayFirstColumns).toEqual(['last_call', 'renewal']);
    expect(result.warnings).toEqual([]);
    const { fields } = lead((await stored()).leads, 'B');
    expect(fields).toEqual({
      id: 'B',
      created: '2025-01-11',
      last_call: '2026-02-01',
      renewal: '2026-02-01',
      // Month first: read by parseDate as written; with dashes parseDate reads no order, so it is written out.
      us_date: '03/04/2025',
      signed_up: '2025-03-04',
      // Mostly not dates: not a date column.
      notes: 'left a message',
      won: 'no',
    });
    expect(lead((await stored()).leads, 'A').fields.notes).toBe('called 13/01/2026');
  });

  it('refuses a created date column with both orders, naming it, and keeps the previous import', async () => {
    await importCsv(fileOf('id,created,won\nP-1,2025-01-01,yes\n'), datesMapping, sink);
    const before = await stored();
    const csv = 'id,created,won\nA,31/12/2025,yes\nB,12/30/2025,no\nC,03/04/2025,no\n';
    await expect(importCsv(fileOf(csv), datesMapping, sink)).rejects.toThrow(
      new TrainingDataError(
        'The created date column "created" has 1 date written day first (like 31/12/2025) and 1 date written month first (like 12/30/2025), ' +
          'so a date such as 03/04/2025 in it could be either. Write its dates in one order (or as YYYY-MM-DD) and import again.',
      ),
    );
    expect(await stored()).toEqual(before);
    // Counting every row's dates, though the rows read so far show both orders blocks before the file's end (rows staged as written until then).
    const later = 'id,created,won\nB,12/30/2025,no\nA,31/12/2025,yes\nD,13/01/2026,no\nE,01/13/2026,no\n';
    await expect(importCsv(fileOf(later), datesMapping, sink, { blockChars: 16 })).rejects.toThrow(
      /^The created date column "created" has 2 dates written day first \(like 31\/12\/2025\) and 2 dates written month first/,
    );
  });

  it('stops staging rows as written at the first block that shows the created column day first, though most of its cells are no dates', async () => {
    // A third of the created cells are dates: a date column only as the created one.
    const rows = Array.from({ length: 3000 }, (_, i) => `L-${i},${i % 3 === 0 ? `13/0${(i % 8) + 2}/2025` : 'soon'},no`);
    const csv = `id,created,won\n${rows.join('\n')}\n`;
    const blockChars = 4096;
    let staged = 0;
    let discarded = 0;
    const counting = {
      ...sink,
      stage: async (leads: StoredLead[]) => {
        staged += leads.length;
        await sink.stage(leads);
      },
      discard: async () => {
        discarded += staged;
        staged = 0;
        await sink.discard();
      },
    };
    const result = await importCsv(fileOf(csv), datesMapping, counting, { blockChars });
    expect(result.dayFirstColumns).toEqual(['created']);
    expect(lead((await stored()).leads, 'L-0').fields.created).toBe('2025-02-13');
    // At most one block's rows (rows of 12 characters or more) were staged, then discarded.
    expect(discarded).toBeLessThanOrEqual(blockChars / 12);
  });

  it('warns about another column with both orders, and one whose dates all read both ways, naming them', async () => {
    const csv = 'id,created,visited,met,due,won\nA,2025-01-01,31/12/2025,03/04/2025,03-04-2025,yes\nB,2025-01-02,12/30/2025,05/06/2025,05-06-2025,no\n';
    const result = await importCsv(fileOf(csv), datesMapping, sink);
    expect(result.dayFirstColumns).toEqual([]);
    expect(result.warnings).toEqual([
      'Column "visited" has 1 date written day first (like 31/12/2025) and 1 date written month first (like 12/30/2025): ' +
        'its dates are kept as written, and those that read both ways may be misread. Write them in one order (or as YYYY-MM-DD).',
      'Column "met": every date in it reads both day first and month first (like 03/04/2025), so they were read month first. ' +
        'Written as YYYY-MM-DD, they would read one way only.',
      // Dashes have no usual order.
      'Column "due": every date in it reads both day first and month first (like 03-04-2025), so they could not be read. ' +
        'Written as YYYY-MM-DD, they would read one way only.',
    ]);
    expect(lead((await stored()).leads, 'A').fields.visited).toBe('31/12/2025');
  });

  it('imports dates with a zone after their time that all read both ways, in the created date column or another, quoting them as written', async () => {
    // Salesforce's export of a date-time: its user's zone after the time.
    const csv = 'id,created,Email Opened,won\nA,11/03/2026 9:14 AM EST,11/03/2026 9:14 AM EST,yes\nB,,,no\nC,02/05/2026 4:20 PM PST,02/05/2026 4:20 PM PST,no\n';
    const result = await importCsv(fileOf(csv), datesMapping, sink);
    const readMonthFirst = (column: string) =>
      `Column "${column}": every date in it reads both day first and month first (like 11/03/2026 9:14 AM EST), so they were read month first. ` +
      'Written as YYYY-MM-DD, they would read one way only.';
    expect(result).toEqual({ rows: 3, replaced: { added: 3, updated: 0, removed: 0, heldOutLost: 0 }, withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns: [], warnings: [readMonthFirst('created'), readMonthFirst('Email Opened')] });
    const { leads } = await stored();
    expect(lead(leads, 'A').createdAt).toBe(Date.UTC(2026, 10, 3, 14, 14));
    expect(lead(leads, 'C').createdAt).toBe(Date.UTC(2026, 1, 6, 0, 20));
    expect(lead(leads, 'A').fields['Email Opened']).toBe('11/03/2026 9:14 AM EST');
  });

  it('quotes the start of a long created date it cannot read', async () => {
    const long = 'x'.repeat(1 << 20);
    const result = await importCsv(fileOf(`id,created,won\nA,2025-12-31,yes\nB,${long},no\n`, 65536), datesMapping, sink);
    expect(result.warnings).toEqual([
      `The created date column "created": 1 of its 2 filled cells are not dates LeadLens can read (like "${'x'.repeat(59)}…"), so those leads have no created date ` +
        'and a training window by date leaves them out. Write the dates as YYYY-MM-DD (like 2025-12-31).',
    ]);
  });
});

describe('importCsv: numbers written with decimal commas', () => {
  /** 1234567.25 as a German spreadsheet writes it: 1.234.567,25. */
  const german = (n: number) => n.toLocaleString('en-US').replace(/[,.]/g, (separator) => (separator === ',' ? '.' : ','));
  const two = (n: number) => String(n).padStart(2, '0');
  // A German export: semicolons, dates with dots (day first), revenue with decimal commas and thousands dots,
  // head counts with thousands dots only (1.036 reads both ways), ids that look like numbers.
  const rows = Array.from(
    { length: 120 },
    (_, i) => `1.000.${String(i).padStart(3, '0')};${two((i % 28) + 1)}.${two((i % 12) + 1)}.2025;${german(100 * i * i + 0.25)};${german(37 * i)};${i % 3 ? 'nein' : 'ja'}`,
  );
  const csv = `id;created;umsatz;mitarbeiter;won\n${rows.join('\n')}\n`;
  const germanMapping: CsvMapping = { idColumn: 'id', nameColumn: null, createdColumn: 'created', outcome: { field: 'won', positiveValues: ['ja'] } };

  it('stores decimal-comma columns as plain numbers and says so, reading a column of thousands dots only (1.036) as thousands in this file', async () => {
    expect(rows[5]).toBe('1.000.005;06.06.2025;2.500,25;185;nein');
    expect(rows[28]).toContain(';1.036;');
    const result = await importCsv(fileOf(csv), germanMapping, sink, { blockChars: 1024 });
    // The file writes decimal commas (umsatz) and no decimal point anywhere: 1.036 head counts are 1036.
    expect(result).toEqual({ rows: 120, replaced: { added: 120, updated: 0, removed: 0, heldOutLost: 0 }, withoutOutcome: 0, dayFirstColumns: ['created'], commaDecimalColumns: ['umsatz', 'mitarbeiter'], warnings: [] });
    const { leads } = await stored();
    // The mapped id keeps its text: it is the lead's key.
    expect(leads.get('csv|1.000.005')?.fields).toEqual({ id: '1.000.005', created: '2025-06-06', umsatz: '2500.25', mitarbeiter: '185', won: 'nein' });
    expect(leads.get('csv|1.000.028')?.fields.mitarbeiter).toBe('1036');
    expect(leads.get('csv|1.000.119')?.fields.umsatz).toBe('1416100.25');
  });

  it('lets training read the decimal-comma column as numbers, not drop it as an identifier', async () => {
    await importCsv(fileOf(csv), germanMapping, sink);
    const { table } = trainingTableOf([...(await stored()).leads.values()], { createdAfter: null, createdBefore: null }, germanMapping.outcome!);
    const { candidates, notes } = candidateFeatures([], table, 'csv', ['won']);
    expect(candidates.find(({ spec }) => spec.label === 'umsatz')?.spec).toMatchObject({ type: 'numeric', derive: { kind: 'value', from: { csv: 'umsatz' } } });
    expect(notes).toEqual(['Column "id" has 120 distinct values in 120 rows (an identifier or free text?): dropped.']);
  });

  it('keeps a column with both decimal points and decimal commas as written, and names it', async () => {
    const mixed = 'id,created,amount,won\nA,2025-01-01,"1,234.5",ja\nB,2025-01-02,2.713.067,nein\nC,2025-01-03,1.234,nein\n';
    const result = await importCsv(fileOf(mixed), germanMapping, sink);
    expect(result.commaDecimalColumns).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(/^Column "amount" has 1 number written with a decimal point \(like 1,234\.5\) and 1 number written with a decimal comma \(like 2\.713\.067\)/)]);
    expect((await stored()).leads.get('csv|B')?.fields.amount).toBe('2.713.067');
  });
});

describe('importCsv: dates as spreadsheets and CRM exports write them', () => {
  // A day of December 2025 each row: in words (Excel's mmm d, yyyy), with a two-digit year (m/d/yy), as epoch
  // milliseconds (HubSpot's), as a spreadsheet's serial number in a column named as a date. Ids in the
  // file's order: the stored leads come back in their order, and the notes quote the first values.
  const rows = Array.from({ length: 120 }, (_, i) => {
    const day = (i % 28) + 1;
    return [String(i).padStart(3, '0'), `"Dec ${day}, 2025"`, `12/${day}/25`, Date.UTC(2025, 11, day, 9), 45992 + day, i % 3 ? 'no' : 'yes'].join(',');
  });
  const csv = `id,Last Activity Date,First Touch Date,Recent Conversion Date,Close Date,won\n${rows.join('\n')}\n`;
  const datesMapping: CsvMapping = { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: { field: 'won', positiveValues: ['yes'] } };

  it('lets the options page infer the same features and notes from the imported leads as the training command from the file', async () => {
    await importCsv(fileOf(csv), datesMapping, sink);
    const { table } = trainingTableOf([...(await stored()).leads.values()], { createdAfter: null, createdBefore: null }, datesMapping.outcome!);
    const { candidates, notes } = candidateFeatures([], table, 'csv', ['won']);
    const cli = inferFeatureSpecs(parseCsv(csv), 'won', ['id']);
    expect(candidates.map(({ spec }) => [spec.label, spec.derive.kind])).toEqual([
      ['Days since Last Activity Date', 'daysSince'],
      ['Days since Recent Conversion Date', 'daysSince'],
    ]);
    expect(candidates.map(({ spec }) => spec)).toEqual(cli.specs);
    expect(notes.filter((note) => !note.startsWith('Column "id"'))).toEqual(cli.warnings);
    expect(cli.warnings).toEqual([
      expect.stringMatching(/^Column "First Touch Date" is not read as dates: 120 of its 120 values write the year in two digits/),
      expect.stringMatching(/^Column "Close Date" is named as a date and holds whole numbers such as "45993"/),
    ]);
  });
});

describe('importCsv: cells the active model reads as missing', () => {
  const { features } = bundledManifest;
  const modelMapping: CsvMapping = { idColumn: 'id', nameColumn: null, createdColumn: 'created_at', outcome: null };
  /** The bundled model's feature reading `csvColumn` (the first, when several do), as scoring reads it. */
  const featureOf = (csvColumn: string) => features.find(({ derive }) => derive.kind !== 'ratio' && derive.from.csv === csvColumn)!;

  it('says, column by column, how many filled cells of the dates, numbers and yes/no it reads are read as missing, with the first as an example', async () => {
    // Last activity as a spreadsheet's serial number, with a two-digit year, with a zone LeadLens does not know; a yes in German
    // words it does not know; a count in words (a ratio's numerator too: said once). An unknown industry is a level like any other.
    const csv =
      'id,created_at,Last Activity At,employees,email_opens,email_clicks,email_opted_out,industry\n' +
      'A,2026-03-01,46090,250,8,about four,WAHR,Technology\n' +
      'B,2026-03-02,3/15/26,n/a,10,2,jawohl,???\n' +
      'C,2026-03-03,2026-03-15 10:00 MEZ,1000+,,1,no,Retail\n' +
      'D,2026-03-04,2026-03-15,12,5,1,,Finance\n';
    const result = await importCsv(fileOf(csv), modelMapping, sink, { features, blockChars: 64 });
    expect(result.warnings).toEqual([
      'Column "Last Activity At", which the active model reads: 3 of its 4 filled cells are not dates LeadLens can read (like "46090"), ' +
        "so the model reads them as not known and those leads' scores leave that value out. Write the dates as YYYY-MM-DD (like 2025-12-31). " +
        'A spreadsheet writes dates as numbers like 45000 when their column is not formatted as dates.',
      'Column "email_clicks", which the active model reads: 1 of its 4 filled cells are not numbers LeadLens can read (like "about four"), ' +
        "so the model reads them as not known and those leads' scores leave that value out. Write them as plain numbers (like 1250000).",
      'Column "email_opted_out", which the active model reads: 1 of its 3 filled cells are not yes/no values LeadLens can read (like "jawohl"), ' +
        "so the model reads them as not known and those leads' scores leave that value out. Write them as yes or no (or true and false, 1 and 0).",
    ]);
    // Imported all the same; and the cells said are those scoring reads as missing, though filled.
    const leads = [...(await stored()).leads.values()];
    expect(leads).toHaveLength(4);
    const unreadIds = (csvColumn: string) =>
      leads.filter((lead) => Number.isNaN(featureValue(lead.fields, featureOf(csvColumn), 'csv', now))).map((lead) => lead.id);
    expect(unreadIds('last_activity_at')).toEqual(['A', 'B', 'C']);
    expect(unreadIds('email_opted_out')).toEqual(['B', 'D']); // D's is empty
    // Without a model to read the file by, nothing to say.
    expect((await importCsv(fileOf(csv), modelMapping, sink)).warnings).toEqual([]);
  });

  it('says the created date column’s unread dates once, as created dates the model reads too', async () => {
    const csv = 'id,created_at,employees\nA,15/3/26,250\nB,2026-03-02,12\n';
    expect((await importCsv(fileOf(csv), modelMapping, sink, { features })).warnings).toEqual([
      'The created date column "created_at": 1 of its 2 filled cells are not dates LeadLens can read (like "15/3/26"), so those leads have no created date: ' +
        'a training window by date leaves them out, and the active model reads it as not known, so their scores leave it out. Write the dates as YYYY-MM-DD (like 2025-12-31).',
    ]);
  });

  it('reads the cells as stored, dates written day first and numbers with decimal commas rewritten: nothing to say of a German export', async () => {
    const csv = 'id;created_at;last_activity_at;annual_revenue;employees\nA;13.03.2026;31/03/2026;1.500.000;1.000\nB;14.03.2026;04/03/2026;250.000,50;2.500\nC;15.03.2026;;75.000;12\n';
    const result = await importCsv(fileOf(csv), modelMapping, sink, { features });
    expect(result).toMatchObject({ dayFirstColumns: ['created_at', 'last_activity_at'], commaDecimalColumns: ['annual_revenue', 'employees'], warnings: [] });
    // As written, 1.500.000 is no number: stored, it is one.
    expect((await stored()).leads.get('csv|A')?.fields).toMatchObject({ last_activity_at: '2026-03-31', annual_revenue: '1500000' });
  });
});

describe('importCsv: amounts with a currency parseNumber does not know', () => {
  it('keeps codes and letters beside numbers not written as amounts as written (COP 28, RM 101, PHP 8.1), and reads reais with thousands dots as Brazil writes them', async () => {
    const rows = [
      ['1', 'Acme', 'COP 28', 'RM 101', 'PHP 8.1', 'R$ 1.500', 'yes'],
      ['2', 'Beta', 'Webinar', '(RM 204)', 'PHP 7.4', 'R$ 25.000', 'no'],
      ['3', 'Gamma', 'COP 27', 'RM 12', 'PHP 8.2', 'R$ 3.200', 'no'],
      ['4', 'Delta', 'Trade show', 'RM 3', 'PHP 8.1', 'R$ 800', 'yes'],
    ];
    const csv = `id,company,event,room,stack,budget,converted\n${rows.map((row) => row.join(',')).join('\n')}\n`;
    const result = await importCsv(fileOf(csv), { idColumn: 'id', nameColumn: 'company', createdColumn: null, outcome: { field: 'converted', positiveValues: ['yes'] } }, sink);
    expect(result.commaDecimalColumns).toEqual(['budget']);
    expect(result.warnings).toEqual([
      'Column "budget": no number in it shows whether its dots are decimal points or thousands separators (like R$ 1.500), so they were read as thousands separators, ' +
        'as the countries of its currency write them (R$ 1.500 as 1500, not 1.5). If they are decimal points, write the numbers with a decimal comma (1,5).',
    ]);
    const { leads } = await stored();
    expect(rows.map(([id]) => leads.get(`csv|${id}`)?.fields)).toEqual(
      rows.map(([id, company, event, room, stack, , converted], i) => ({ id, company, event, room, stack, budget: ['1500', '25000', '3200', '800'][i], converted })),
    );
  });
});

describe('importCsv: amounts in more than one currency', () => {
  // A multi-currency Salesforce org's report: each lead's amount in its own currency, most in the corporate one.
  const rows = Array.from({ length: 60 }, (_, i) => `${i},"${i % 4 === 3 ? 'JPY 74,693,100.00' : `USD ${(1000 * (i + 1)).toLocaleString('en-US')}.00`}",${10 + (i % 7)},${i % 2 ? 'Yes' : 'No'}`);
  const csv = `Lead ID,Annual Revenue,Employees,Converted\n${rows.join('\n')}\n`;
  const revenueMapping: CsvMapping = { idColumn: 'Lead ID', nameColumn: null, createdColumn: null, outcome: { field: 'Converted', positiveValues: ['Yes'] } };
  const mixed =
    'Column "Annual Revenue" holds amounts in 2 currencies (USD in 45 rows and JPY in 15): read as numbers, an amount in one would count as the same amount in another, ' +
    `so the column is left out of training. Use a column with every amount converted to one currency instead, such as a Salesforce report's converted amount ("Annual Revenue (converted)").`;

  it('says so, keeps the amounts as written, and training leaves the column out rather than read yen as dollars', async () => {
    const result = await importCsv(fileOf(csv), revenueMapping, sink);
    expect(result.warnings).toEqual([mixed]);
    const { leads } = await stored();
    expect(leads.get('csv|3')?.fields['Annual Revenue']).toBe('JPY 74,693,100.00');
    // The catalogue's annual revenue finds the column, as the options page's training offers it.
    const { table } = trainingTableOf([...leads.values()], { createdAfter: null, createdBefore: null }, revenueMapping.outcome!);
    const { candidates } = candidateFeatures(DEMO_FEATURE_SPECS, table, 'csv', ['Converted']);
    expect(candidates.find(({ spec }) => spec.key === 'annual_revenue')?.spec.derive).toMatchObject({ kind: 'value', from: { csv: 'Annual Revenue' } });
    const { manifest, warnings } = trainModel({
      records: table.records,
      columns: table.columns,
      target: OUTCOME_COLUMN,
      positive: '1',
      specs: candidates.map(({ spec }) => spec),
      exclude: ['Converted'],
      source: 'csv',
      now,
      options: { cv: 2, ebm: { outerBags: 1, interactions: 0 } },
    });
    expect(manifest.features.map(({ key }) => key)).not.toContain('annual_revenue');
    expect(warnings).toContain(mixed);
  });

  it('says nothing of a converted column, in one currency', async () => {
    const converted = csv.replace(/JPY 74,693,100\.00/g, 'USD 497,954.00');
    expect((await importCsv(fileOf(converted), revenueMapping, sink)).warnings).toEqual([]);
  });
});

describe('importCsv: rows with no outcome yet', () => {
  it('stores a row whose outcome cell is blank as an open lead, which training leaves out and counts', async () => {
    const csv = `id,created,won\n${['yes', 'no', '', 'n/a', 'no'].map((won, i) => `L-${i},2026-0${i + 1}-01,${won}`).join('\n')}\n`;
    await importCsv(fileOf(csv), { idColumn: 'id', nameColumn: null, createdColumn: 'created', outcome: { field: 'won', positiveValues: ['yes'] } }, sink);
    const leads = [...(await stored()).leads.values()];
    expect(leads.map((lead) => lead.outcome)).toEqual([1, 0, null, null, 0]);
    const { table, withoutOutcome } = trainingTableOf(leads, { createdAfter: Date.UTC(2026, 0, 1), createdBefore: null }, { field: 'won', positiveValues: ['yes'] });
    expect(withoutOutcome).toBe(2);
    expect(table.records.map((record) => record.id)).toEqual(['L-0', 'L-1', 'L-4']);
  });

  it('stores a row whose outcome is a value ticked as still open with no outcome, not as lost, and counts the rows stored without one', async () => {
    const csv = 'id,Status\nA,Won\nB,Lost\nC,Open\nD,open \nE,\nF,Lost\n';
    const statusMapping = (outcome: CsvMapping['outcome']): CsvMapping => ({ idColumn: 'id', nameColumn: null, createdColumn: null, outcome });
    const outcomes = async () => [...(await stored()).leads.values()].map((lead) => [lead.id, lead.outcome]);

    const withOpen = await importCsv(fileOf(csv), statusMapping({ field: 'Status', positiveValues: ['Won'], openValues: ['Open'] }), sink);
    expect(await outcomes()).toEqual([
      ['A', 1],
      ['B', 0],
      ['C', null],
      ['D', null],
      ['E', null],
      ['F', 0],
    ]);
    expect(withOpen).toMatchObject({ rows: 6, withoutOutcome: 3 });

    // Nothing ticked as still open: an open lead counts as not converted, and only the empty cell has no outcome.
    expect(await importCsv(fileOf(csv), statusMapping({ field: 'Status', positiveValues: ['Won'] }), sink)).toMatchObject({ withoutOutcome: 1 });
    expect((await outcomes()).find(([id]) => id === 'C')).toEqual(['C', 0]);
    // No outcome column: no lead has one, as the admin chose; none is counted as left out.
    expect(await importCsv(fileOf(csv), statusMapping(null), sink)).toMatchObject({ withoutOutcome: 0 });
  });

  it('keeps the rule it read the outcomes by with the leads, for training to start from: the next import replaces it, or drops it choosing none, and a failed one keeps it', async () => {
    await db.settings.clear();
    const csv = 'id,Status\nA,Won\nB,Lost\nC,Open\n';
    const statusMapping = (outcome: CsvMapping['outcome']): CsvMapping => ({ idColumn: 'id', nameColumn: null, createdColumn: null, outcome });
    const withOpen = { field: 'Status', positiveValues: ['Won'], openValues: ['Open'] };
    expect(await importedOutcomeRule()).toBeNull();

    await importCsv(fileOf(csv), statusMapping(withOpen), sink);
    expect(await importedOutcomeRule()).toEqual(withOpen);
    // A settings row: "Purge everything" clears it with every other table. (The other: the leads' scoring the commit owes.)
    expect((await db.settings.toCollection().primaryKeys()).sort()).toEqual(['csvImport:outcomeRule', 'job:scoring:owed']);

    await expect(importCsv(fileOf('id,Status\nA,Won\nA,Lost\n'), statusMapping({ field: 'Status', positiveValues: ['Lost'] }), sink)).rejects.toThrow(TrainingDataError);
    expect(await importedOutcomeRule()).toEqual(withOpen);

    await importCsv(fileOf(csv), statusMapping({ field: 'Status', positiveValues: ['Won', 'Open'] }), sink);
    expect(await importedOutcomeRule()).toEqual({ field: 'Status', positiveValues: ['Won', 'Open'] });

    await importCsv(fileOf(csv), statusMapping(null), sink);
    expect(await importedOutcomeRule()).toBeNull();
  });
});

describe('an import its page left half-staged', () => {
  it('is dropped when no import holds the lock, and kept while one does', async () => {
    const staged = [storedLead({ source: 'csv', id: 'row-1', origin: 'csv' }), storedLead({ source: 'csv', id: 'row-2', origin: 'csv' })];
    await db.csvStaging.bulkPut(staged);
    let release = () => undefined as void;
    const importing = navigator.locks.request(CSV_IMPORT_LOCK, () => new Promise<void>((resolve) => (release = resolve)));
    await discardAbandonedImport();
    expect(await db.csvStaging.count()).toBe(2);
    release();
    await importing;
    await discardAbandonedImport();
    expect(await db.csvStaging.count()).toBe(0);
  });
});

describe('importCsv: rows with no record id', () => {
  const byId: CsvMapping = { idColumn: 'id', nameColumn: 'name', createdColumn: null, outcome: { field: 'won', positiveValues: ['1'] } };

  it('numbers a row whose id cell is empty by its row, and says how many, in the preview’s words', async () => {
    const csv = 'id,name,won\n,Ada,1\n5,Alan,0\n';
    const result = await importCsv(fileOf(csv), byId, sink);
    expect([...(await stored()).leads.keys()]).toEqual(['csv|5', 'csv|row-1']);
    expect(result.warnings).toEqual(['1 row has no record id in column "id": with it as the record id, it is numbered by its row.']);
    // The preview counts them in every column, over every block, placeholders for a missing value included.
    const { missingCells } = await previewCsv(fileOf('id,name,won\n,Ada,1\n5, ,0\nN/A,Grace,1\n', 3), { blockChars: 8 });
    expect(missingCells).toEqual({ id: 2, name: 1, won: 0 });
    // No id column: every row is numbered, as the admin chose.
    expect((await importCsv(fileOf(csv), { ...byId, idColumn: null }, sink)).warnings).toEqual([]);
  });

  it('keys a record id that starts like a row’s key apart from the rows numbered, instead of refusing it as a repeated id', async () => {
    const csv = 'id,name,won\n,Ada,1\n,Alan,0\nrow-1,Grace,1\nid:row-1,Barbara,0\n';
    const result = await importCsv(fileOf(csv), byId, sink);
    expect(result).toMatchObject({ rows: 4, warnings: ['2 rows have no record id in column "id": with it as the record id, they are numbered by their row.'] });
    const { leads } = await stored();
    expect(Object.fromEntries([...leads.values()].map((lead) => [lead.key, lead.id]))).toEqual({
      'csv|row-1': 'row-1',
      'csv|row-2': 'row-2',
      'csv|id:row-1': 'row-1',
      'csv|id:id:row-1': 'id:row-1',
    });
    expect(leads.get('csv|id:row-1')?.name).toBe('Grace');
  });

  it('keeps trained models’ held-out probabilities of leads whose record ids start like a row’s key (a LeadLens export): they are leads, not positions', async () => {
    const exported = (alanWon: number) => `id,name,won\nrow-1,Ada,1\nrow-2,Alan,${alanWon}\n`;
    await importCsv(fileOf(exported(0)), byId, sink);
    const keys = [...(await stored()).leads.keys()];
    await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: keys, probabilities: Float64Array.from([0.9, 0.1]) });
    // The same records again, Alan's outcome known since: his row changed, his id and name did not.
    await importCsv(fileOf(exported(1)), byId, sink);
    const kept = await db.heldOutScores.get('ebm-1');
    expect(kept?.leadKeys).toEqual(keys);
    expect([...(kept?.probabilities ?? [])]).toEqual([0.9, 0.1]);
  });
});
