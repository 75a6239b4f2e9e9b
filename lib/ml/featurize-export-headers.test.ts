/**
 * A CRM's export scored by a model that reads the built-in features' own CSV columns (the bundled
 * model's `employees`, `lead_source`, …): its columns are found under the headers Salesforce's
 * reports and HubSpot's exports write for the features' CRM fields, the names training maps them by.
 */
import { describe, expect, it } from 'vitest';
import manifestJson from '../../models/manifest.json';
import { DEMO_FEATURE_SPECS, DEMO_HISTORY_COLUMNS, demoHistoryRows } from '../crm/demo-data';
import { featurizeRecord, featurizeRecords, knownFeatureCount, readRaw, sourceFieldKey, type RawRecord } from './featurize';
import { parseManifest } from './manifest';
import { candidateFeatures, trainingTableBuilder } from './train/training-set';

const parsed = parseManifest(manifestJson);
if (!parsed.ok) throw new Error(parsed.error);
const { features } = parsed.manifest;
const now = new Date('2026-11-01T00:00:00Z');
const rows = demoHistoryRows({ count: 80, seed: 7, now });

/** The bundled model's columns as a Salesforce lead report heads them; a report has no column of HubSpot's web and e-mail counts. */
const SALESFORCE_REPORT: Record<string, string> = {
  lead_source: 'Lead Source',
  industry: 'Industry',
  annual_revenue: 'Annual Revenue',
  employees: 'No. of Employees',
  title: 'Title',
  country: 'Country',
  email: 'Email',
  created_at: 'Create Date',
  last_activity_at: 'Last Activity',
  email_opted_out: 'Email Opt Out',
  converted: 'Converted',
};

/** The bundled model's columns as a HubSpot contacts export heads them. */
const HUBSPOT_EXPORT: Record<string, string> = {
  lead_source: 'Original Source',
  industry: 'Industry',
  annual_revenue: 'Annual Revenue',
  employees: 'Number of Employees',
  title: 'Job Title',
  country: 'Country/Region',
  email: 'Email',
  created_at: 'Create Date',
  last_activity_at: 'Last Activity Date',
  web_visits: 'Number of Sessions',
  page_views: 'Number of Pageviews',
  conversion_events: 'Number of Form Submissions',
  email_opens: 'Marketing emails opened',
  email_clicks: 'Marketing emails clicked',
  last_page_url: 'Last Page Seen',
  email_opted_out: 'Unsubscribed from all email',
  converted: 'Lifecycle Stage',
};

/** `row`'s cells of the columns `headers` names, under the model's own names (`asExported` false) or the export's. */
function cellsOf(row: Record<string, string>, headers: Record<string, string>, asExported: boolean): RawRecord {
  // No prototype, as the CSV parser makes a file's records.
  const record: RawRecord = Object.create(null);
  for (const [column, header] of Object.entries(headers)) record[asExported ? header : column] = row[column];
  return record;
}

describe('a CRM export scored by the bundled model', () => {
  it('heads in the HubSpot export every column the bundled model was trained on', () => {
    expect(Object.keys(HUBSPOT_EXPORT).filter((column) => column !== 'converted')).toEqual(DEMO_HISTORY_COLUMNS.slice(1, -1));
  });

  it.each([
    ['a Salesforce report', SALESFORCE_REPORT, 10],
    ['a HubSpot export', HUBSPOT_EXPORT, 17],
  ])('gives %s the same feature row as the same lead under the model’s own column names', (_file, headers, knownInAll) => {
    const exported = featurizeRecords(rows.map((row) => cellsOf(row, headers, true)), features, 'csv', now);
    const ownNames = featurizeRecords(rows.map((row) => cellsOf(row, headers, false)), features, 'csv', now);
    expect(Array.from(exported)).toEqual(Array.from(ownNames));
    // The lead with the most known features has every one the file holds known (no column is left unread).
    const known = rows.map((_, i) => knownFeatureCount(exported.subarray(i * features.length, (i + 1) * features.length)));
    expect(Math.max(...known)).toBe(knownInAll);
  });

  it('finds one lead’s columns record by record as well as in a batch', () => {
    const [row] = rows;
    expect(Array.from(featurizeRecord(cellsOf(row, SALESFORCE_REPORT, true), features, 'csv', now))).toEqual(
      Array.from(featurizeRecord(cellsOf(row, SALESFORCE_REPORT, false), features, 'csv', now)),
    );
  });
});

describe('sourceFieldKey for a CSV column', () => {
  const employees = { salesforce: 'NumberOfEmployees', hubspot: 'numemployees', csv: 'employees' };
  const fields = (...columns: string[]): RawRecord => Object.fromEntries(columns.map((column) => [column, column]));

  it('reads the column of the model’s own name first, then one of its spelling, then an export’s header, whatever their order', () => {
    expect(sourceFieldKey(fields('No. of Employees', 'EMPLOYEES', 'employees'), employees, 'csv')).toBe('employees');
    expect(sourceFieldKey(fields('No. of Employees', 'EMPLOYEES'), employees, 'csv')).toBe('EMPLOYEES');
    expect(sourceFieldKey(fields('Number of Employees', 'Employees #'), employees, 'csv')).toBe('Number of Employees');
    expect(sourceFieldKey(fields('Number of Employees', 'Employees!'), employees, 'csv')).toBe('Employees!');
    // The first of the file's columns that a CRM heads the field by, and its API name among them (a data export's header).
    expect(sourceFieldKey(fields('id', 'Number of Employees', 'No. of Employees'), employees, 'csv')).toBe('Number of Employees');
    expect(sourceFieldKey(fields('id', 'NumberOfEmployees'), employees, 'csv')).toBe('NumberOfEmployees');
    expect(sourceFieldKey(fields('id', 'Employee Count'), employees, 'csv')).toBeUndefined();
  });

  it('reads no export header for a column the feature reads from no CRM, nor for a CRM’s field without a CSV column', () => {
    expect(sourceFieldKey(fields('No. of Employees'), { csv: 'employees' }, 'csv')).toBeUndefined();
    expect(sourceFieldKey(fields('No. of Employees'), { salesforce: 'NumberOfEmployees' }, 'csv')).toBeUndefined();
    // A CRM's record is read by its field's name, as before.
    expect(sourceFieldKey(fields('No. of Employees'), employees, 'salesforce')).toBeUndefined();
  });

  it('reads each file by its own header when leads of several files come in turn, and a record given a column by it', () => {
    const salesforce = { 'No. of Employees': '50', Title: 'CTO' };
    const hubspot = { 'Number of Employees': '9', employees: '12' };
    for (let round = 0; round < 3; round++) {
      expect(readRaw(salesforce, employees, 'csv')).toBe('50');
      expect(readRaw(hubspot, employees, 'csv')).toBe('12');
      expect(readRaw({ 'Number of Employees': '7' }, employees, 'csv')).toBe('7');
    }
    const record: RawRecord = { 'No. of Employees': '50' };
    expect(readRaw(record, employees, 'csv')).toBe('50');
    record.Employees = '60';
    expect(readRaw(record, employees, 'csv')).toBe('60');
  });
});

it('leaves a model trained on an export reading the export’s own headers, the values the bundled model reads there', () => {
  const builder = trainingTableBuilder({ field: 'Converted', positiveValues: ['1'] });
  rows.forEach((row, i) => builder.add({ key: `csv|${i}`, createdAt: 0, fields: cellsOf(row, SALESFORCE_REPORT, true) }));
  const { table } = builder.result();
  const { candidates } = candidateFeatures(DEMO_FEATURE_SPECS, table, 'csv', ['Converted']);
  const trained = new Map(candidates.map(({ spec }) => [spec.key, spec]));
  const checked = features.filter((feature) => feature.derive.kind === 'value' && trained.has(feature.key));
  expect(checked.map((feature) => feature.key)).toEqual(expect.arrayContaining(['lead_source', 'employees', 'country', 'email_opted_out']));
  for (const feature of checked) {
    const spec = trained.get(feature.key)!;
    if (spec.derive.kind !== 'value' || feature.derive.kind !== 'value') throw new Error('a value feature');
    // Training maps the catalogue's feature to the file's own header, found by its name first.
    expect(spec.derive.from.csv, feature.key).toBe(SALESFORCE_REPORT[feature.derive.from.csv!]);
    for (const record of table.records) expect(readRaw(record, feature.derive.from, 'csv')).toBe(readRaw(record, spec.derive.from, 'csv'));
  }
});
