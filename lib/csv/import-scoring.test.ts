import 'fake-indexeddb/auto';
/**
 * A CSV file's leads as the active model reads them once imported: its columns found by name as
 * the import's mapping and training find them ("Annual Revenue" is the model's `annual_revenue`),
 * through the one featurization training and scoring share.
 */
import Papa from 'papaparse';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { DEMO_FEATURE_SPECS, DEMO_HISTORY_COLUMNS, demoHistoryRows } from '../crm/demo-data';
import { db } from '../db/db';
import { scoreAllStoredLeads } from '../ml/bulk-score';
import { featurizeRecord, readRaw } from '../ml/featurize';
import { candidateFeatures, trainingTableBuilder } from '../ml/train/training-set';
import { importCsv, type CsvMapping } from './import';
import { dexieCsvSink } from './stored';
import { bundledModelSession } from '../../test/bundled-model-session';
import { stubWebLocks } from '../../test/web-locks';

const { manifest, runModel } = bundledModelSession();
const now = new Date('2026-11-01T00:00:00Z');

beforeEach(async () => {
  stubWebLocks(); // a commit pauses the jobs writing stored scores
  await Promise.all([...db.leadTables, db.leadScores, db.csvStaging, db.heldOutScores, db.settings].map((table) => table.clear()));
});
afterEach(() => vi.unstubAllGlobals());

/** The history the bundled model was trained on, its columns headed as a CRM report heads them; a bare "Source" holds the lead source. */
const HEADED: Record<string, string> = { lead_source: 'Source', annual_revenue: 'Annual Revenue', email_opted_out: 'Email Opted Out' };
const rows = demoHistoryRows({ count: 60, seed: 4, now });
const headedCsv = `${Papa.unparse(
  rows.map((row) => Object.fromEntries(Object.entries(row).map(([column, value]) => [HEADED[column] ?? column, value]))),
  { columns: DEMO_HISTORY_COLUMNS.map((column) => HEADED[column] ?? column) },
)}\n`;
const file = () =>
  (async function* () {
    yield headedCsv;
  })();
const mapping: CsvMapping = { idColumn: null, nameColumn: null, createdColumn: 'created_at', outcome: { field: 'converted', positiveValues: ['1'] }, ownerColumn: null, leadSourceColumn: 'Source' };

/** The stored CSV leads in the file's row order (keyed by row: `csv|row-1`…). */
async function importedLeads() {
  await importCsv(file, mapping, dexieCsvSink);
  return Promise.all(rows.map(async (_, i) => (await db.leads.get(`csv|row-${i + 1}`))!));
}

it('scores a lead of columns headed "Annual Revenue" and "Email Opted Out" on their values, as the same row under the model’s own names, lead source aside', async () => {
  const leads = await importedLeads();
  const revenue = manifest.features.findIndex((feature) => feature.key === 'annual_revenue');
  const optedOut = manifest.features.findIndex((feature) => feature.key === 'email_opted_out');
  const leadSource = manifest.features.findIndex((feature) => feature.key === 'lead_source');
  // The row as the model's own columns head it, but for the lead source: "Source" is no lead_source column (the page says so).
  const asNamed = rows.map(({ lead_source: _chosenAsLeadSource, ...row }) => featurizeRecord(row, manifest.features, 'csv', now));
  leads.forEach((lead, i) => {
    // The side panel filters by the column chosen as Lead source.
    expect(lead.leadSource).toBe(rows[i].lead_source);
    expect(Array.from(featurizeRecord(lead.fields, manifest.features, 'csv', now)), `row ${i + 1}`).toEqual(Array.from(asNamed[i]));
  });
  // Read, not missing alike: most rows hold a revenue and an opt-out, which the model reads.
  expect(asNamed.filter((row) => !Number.isNaN(row[revenue]) && !Number.isNaN(row[optedOut])).length).toBeGreaterThan(30);
  expect(asNamed.every((row) => Number.isNaN(row[leadSource]))).toBe(true);

  // Scored as the import asks after it, each lead's probability is that of its row under the model's own names.
  await scoreAllStoredLeads({ manifest, runModel, now, report: async () => undefined }, 25);
  const expected = await runModel(Float32Array.from(asNamed.flatMap((row) => Array.from(row))), manifest.features.length);
  for (const [i, lead] of leads.entries()) {
    const score = await db.leadScores.get(`${manifest.modelId}|${lead.key}`);
    // The same up to float32 rounding: onnxruntime sums a batch's terms in another order.
    expect(score?.probability, `row ${i + 1}`).toBeCloseTo(expected.probability[i], 6);
  }
});

it('gives a model trained on the file the same values the bundled model reads: no skew between a trained column and a found one', async () => {
  const leads = await importedLeads();
  const builder = trainingTableBuilder(mapping.outcome!);
  for (const lead of leads) builder.add({ key: lead.key, createdAt: lead.createdAt, fields: lead.fields });
  const { table, leadKeys } = builder.result();
  const { candidates } = candidateFeatures(DEMO_FEATURE_SPECS, table, 'csv', ['converted']);
  const trained = candidates.find(({ spec }) => spec.key === 'annual_revenue')!.spec;
  // Training maps the catalogue's feature to the file's own column, and reads it by that name.
  expect(trained.derive.kind === 'value' && trained.derive.from.csv).toBe('Annual Revenue');
  const bundledRevenue = manifest.features.find((feature) => feature.key === 'annual_revenue')!;
  if (trained.derive.kind !== 'value' || bundledRevenue.derive.kind !== 'value') throw new Error('a value feature');
  const [trainedFrom, bundledFrom] = [trained.derive.from, bundledRevenue.derive.from];
  const fieldsOf = new Map(leads.map((lead) => [lead.key, lead.fields]));
  expect(table.records.length).toBeGreaterThan(30);
  table.records.forEach((record, i) => expect(readRaw(fieldsOf.get(leadKeys[i])!, bundledFrom, 'csv')).toBe(readRaw(record, trainedFrom, 'csv')));
});
