import { describe, expect, it } from 'vitest';
import { DEMO_FEATURE_SPECS, generateDemoLeads } from '../../crm/demo-data';
import { toStoredLead } from '../../crm/demo-leads';
import { TrainingDataError } from './dataset';
import {
  OUTCOME_COLUMN,
  candidateFeatures,
  inspectTrainingData,
  isConverted,
  leadsInWindow,
  suggestField,
  trainingTable,
} from './training-set';

const now = new Date('2026-11-01T00:00:00Z');
const salesforceLeads = generateDemoLeads({ count: 800, seed: 3, now }).map((lead) => toStoredLead(lead, 'salesforce'));
const converted = { field: 'IsConverted', positiveValues: ['true'] };

describe('the window and the outcome', () => {
  it('keeps leads created inside the window, and leaves out those with no known creation date', () => {
    const leads = [
      { createdAt: Date.UTC(2025, 0, 1), fields: {} },
      { createdAt: Date.UTC(2026, 3, 1), fields: {} },
      { createdAt: Date.UTC(2026, 9, 25), fields: {} },
      { createdAt: 0, fields: {} },
    ];
    const window = { createdAfter: Date.UTC(2025, 10, 1), createdBefore: Date.UTC(2026, 9, 1) };
    expect(leadsInWindow(leads, window)).toEqual([leads[1]]);
    expect(leadsInWindow(leads, { createdAfter: null, createdBefore: null })).toEqual(leads);
  });

  it('reads the outcome from booleans, statuses and stages, as text', () => {
    expect(isConverted({ IsConverted: true }, converted)).toBe(true);
    expect(isConverted({ IsConverted: false }, converted)).toBe(false);
    const stages = { field: 'lifecyclestage', positiveValues: ['opportunity', 'customer'] };
    expect(isConverted({ lifecyclestage: 'Customer ' }, stages)).toBe(true);
    expect(isConverted({ lifecyclestage: 'lead' }, stages)).toBe(false);
    expect(isConverted({}, stages)).toBe(false);
  });

  it('builds the trainer’s table with the outcome as 1 / 0', () => {
    const table = trainingTable(salesforceLeads, converted);
    expect(table.columns.at(-1)).toBe(OUTCOME_COLUMN);
    expect(table.columns).toContain('LeadSource');
    const positives = table.records.filter((record) => record[OUTCOME_COLUMN] === '1').length;
    expect(positives).toBe(salesforceLeads.filter((lead) => lead.outcome === 1).length);
  });
});

describe('candidate features', () => {
  it('suggests the data’s field for a catalogue feature by its names, ignoring case and punctuation', () => {
    const industry = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'industry')!;
    expect(suggestField(industry, 'salesforce', ['Industry', 'Name'])).toBe('Industry');
    expect(suggestField(industry, 'csv', ['Company Industry', 'INDUSTRY'])).toBe('INDUSTRY');
    expect(suggestField(industry, 'csv', ['Revenue'])).toBeNull();
  });

  it('maps the catalogue to Salesforce fields, offers the other fields, and never the outcome', () => {
    const table = trainingTable(salesforceLeads, converted);
    const candidates = candidateFeatures(DEMO_FEATURE_SPECS, table, 'salesforce', 'IsConverted');
    const catalogue = candidates.filter((c) => c.origin === 'catalogue').map((c) => c.spec.key);
    expect(catalogue).toEqual(expect.arrayContaining(['lead_source', 'industry', 'annual_revenue', 'title_seniority']));
    // HubSpot-only engagement features have no Salesforce field.
    expect(catalogue).not.toContain('web_visits');
    const inferred = candidates.filter((c) => c.origin === 'inferred');
    expect(inferred.map((c) => c.spec.label)).toEqual(expect.arrayContaining(['Status', 'Rating']));
    for (const { spec } of inferred) expect(Object.keys(spec.derive.kind === 'ratio' ? {} : spec.derive.from)).toEqual(['salesforce']);
    const read = candidates.flatMap((c) => (c.spec.derive.kind === 'ratio' ? [] : Object.values(c.spec.derive.from)));
    expect(read).not.toContain('IsConverted');
    expect(new Set(candidates.map((c) => c.spec.key)).size).toBe(candidates.length);
  });
});

describe('inspectTrainingData', () => {
  it('counts leads and conversions and flags the fields filled after conversion', () => {
    const table = trainingTable(salesforceLeads, converted);
    const specs = candidateFeatures(DEMO_FEATURE_SPECS, table, 'salesforce', 'IsConverted').map((c) => c.spec);
    const inspection = inspectTrainingData(table, specs, 'salesforce', now);
    expect(inspection.rows).toBe(800);
    expect(inspection.conversions).toBe(salesforceLeads.filter((lead) => lead.outcome === 1).length);
    const flagged = inspection.leakage.map((flag) => flag.label);
    expect(flagged).toEqual(expect.arrayContaining(['Status']));
    expect(flagged).not.toContain('Industry');
    for (const flag of inspection.leakage) expect(flag.reason).toMatch(/conver/);
  });

  it('refuses with the trainer’s own message when there are too few conversions', () => {
    const few = salesforceLeads.slice(0, 30);
    const table = trainingTable(few, converted);
    expect(() => inspectTrainingData(table, DEMO_FEATURE_SPECS, 'salesforce', now)).toThrow(TrainingDataError);
  });
});
