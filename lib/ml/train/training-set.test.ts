import { describe, expect, it } from 'vitest';
import type { DayClock } from '../../presentation';
import { inTimeZone } from '../../../test/time-zone';
import { DEMO_FEATURE_SPECS, demoHistoryRows, generateDemoLeads } from '../../crm/demo-data';
import { demoStoredLead } from '../../crm/demo-leads';
import { parseDate } from '../derive';
import { featurizeRecords, readRaw, sourceSupplies, type RawRecord, type SourceKind } from '../featurize';
import type { FeatureSpec } from '../manifest';
import { mulberry32 } from '../random';
import type { Table } from '../../csv/parse';
import { buildFeatures } from './dataset';
import { TrainingDataError } from './errors';
import { describeOutcomeRule, outcomeOrWhyNot } from '../outcome-rule';
import { fewValuedColumns, openLookingStatuses, suggestOutcome } from './outcome-suggestions';
import {
  OUTCOME_COLUMN,
  candidateFeatures,
  checkedSelection,
  describeLeftOut,
  fieldOf,
  fieldsKeptFor,
  inspectTrainingData,
  isConverted,
  leadsInWindow,
  mapSpec,
  movedFieldNote,
  outcomeOf,
  suggestField,
  KEEPS_CHANGING_REASON,
  keepsChangingAfterOutcome,
  namesCreatedDate,
  trainingTableBuilder,
  undatedLeadAgeReason,
  trainServeSkew,
  windowCountedBackFrom,
  windowCountedFrom,
  type HistoryLead,
  type KeptFields,
  type OutcomeRule,
  type TrainingSelection,
  type TrainingTable,
  type TrainingWindow,
} from './training-set';
import { SOURCE_KINDS } from '../../crm/types';
import { HUBSPOT_CONTACT_PROPERTIES, SALESFORCE_LEAD_FIELDS } from '../../../test/demo-crm/fields';

const now = new Date('2026-11-01T00:00:00Z');
const salesforceLeads = generateDemoLeads({ count: 800, seed: 3, now }).map((lead) => demoStoredLead(lead, 'salesforce'));
const converted = { field: 'IsConverted', positiveValues: ['true'] };

/** The trainer's table of `leads`, built a lead at a time as the training job builds it while reading a history. */
function tableOf(leads: readonly HistoryLead[], rule: OutcomeRule, kept: KeptFields = 'every'): TrainingTable {
  const builder = trainingTableBuilder(rule, kept);
  for (const lead of leads) builder.add(lead);
  return builder.result();
}

/**
 * What the training job selects of a CRM's history held in memory: the leads inside `window`
 * (`leadsInWindow`), their table, checked against every lead stored (`checkedSelection`).
 */
function selectionOf(leads: readonly HistoryLead[], window: TrainingWindow, rule: OutcomeRule): TrainingSelection {
  const { leads: inWindow, withoutCreatedDate } = leadsInWindow(leads, window);
  return checkedSelection(tableOf(inWindow, rule), { window, stored: leads.length, withoutCreatedDate }, rule, 'browser');
}

describe('the window and the outcome', () => {
  it('keeps leads created inside the window, and leaves out and counts those with no known creation date', () => {
    const leads = [
      { createdAt: Date.UTC(2025, 0, 1), fields: {} },
      { createdAt: Date.UTC(2026, 3, 1), fields: {} },
      { createdAt: Date.UTC(2026, 9, 25), fields: {} },
      { createdAt: 0, fields: {} },
      { createdAt: 0, fields: {} },
    ];
    const window = { createdAfter: Date.UTC(2025, 10, 1), createdBefore: Date.UTC(2026, 9, 1) };
    expect(leadsInWindow(leads, window)).toEqual({ leads: [leads[1]], withoutCreatedDate: 2 });
    // No window: every lead is in, known date or not.
    expect(leadsInWindow(leads, { createdAfter: null, createdBefore: null })).toEqual({ leads, withoutCreatedDate: 0 });
  });

  it('reads the outcome from booleans, statuses and stages, as text', () => {
    expect(isConverted({ IsConverted: true }, converted)).toBe(true);
    expect(isConverted({ IsConverted: false }, converted)).toBe(false);
    const stages = { field: 'lifecyclestage', positiveValues: ['opportunity', 'customer'] };
    expect(isConverted({ lifecyclestage: 'Customer ' }, stages)).toBe(true);
    expect(isConverted({ lifecyclestage: 'lead' }, stages)).toBe(false);
    expect(isConverted({}, stages)).toBe(false);
  });

  it('tells an open lead (empty outcome field) from a lead that did not convert', () => {
    const stages = { field: 'lifecyclestage', positiveValues: ['customer'] };
    expect(outcomeOf({ lifecyclestage: 'customer' }, stages)).toBe(1);
    expect(outcomeOf({ lifecyclestage: 'lead' }, stages)).toBe(0);
    const open = [null, undefined, '', '  ', 'N/A', '(none)'].map((lifecyclestage) => ({ lifecyclestage }));
    for (const fields of [{}, ...open]) expect(outcomeOf(fields, stages)).toBeNull();
    // Salesforce's IsConverted is always a boolean: false is a known "not converted".
    expect(outcomeOf({ IsConverted: false }, converted)).toBe(0);
    expect(outcomeOf({ IsConverted: true }, converted)).toBe(1);
  });

  it('reads a lead as still open when its outcome field holds one of the rule’s open values', () => {
    const status = { field: 'Status', positiveValues: ['Closed - Converted'], openValues: ['Open - Not Contacted', 'Working - Contacted'] };
    expect(outcomeOf({ Status: 'Closed - Converted' }, status)).toBe(1);
    expect(outcomeOf({ Status: 'Closed - Not Converted' }, status)).toBe(0);
    expect(outcomeOf({ Status: ' working - contacted ' }, status)).toBeNull();
    expect(outcomeOf({ Status: 'Open - Not Contacted' }, status)).toBeNull();
    // Without open values, every other value is "not converted", as before.
    expect(outcomeOf({ Status: 'Working - Contacted' }, { field: 'Status', positiveValues: ['Closed - Converted'] })).toBe(0);
    expect(describeOutcomeRule(status)).toBe('"Status" is Closed - Converted (still open while Open - Not Contacted or Working - Contacted)');
    expect(describeOutcomeRule({ field: 'lifecyclestage', positiveValues: ['opportunity', 'customer', 'evangelist'] })).toBe('"lifecyclestage" is opportunity, customer or evangelist');
  });

  it('leaves out a lead that did not convert while its status says it is still being worked; a rule without a status reads it as before', () => {
    const withStatus = { ...converted, openStatus: { field: 'Status', values: ['Open - Not Contacted', 'Working - Contacted'] } };
    expect(outcomeOrWhyNot({ IsConverted: false, Status: 'Working - Contacted' }, withStatus)).toBe('being worked');
    expect(outcomeOf({ IsConverted: false, Status: ' open - not contacted ' }, withStatus)).toBeNull();
    expect(outcomeOf({ IsConverted: false, Status: 'Closed - Not Converted' }, withStatus)).toBe(0);
    expect(outcomeOf({ IsConverted: false }, withStatus)).toBe(0);
    // Converted is converted, whatever the status still says; an empty outcome field has no outcome yet.
    expect(outcomeOf({ IsConverted: true, Status: 'Working - Contacted' }, withStatus)).toBe(1);
    expect(outcomeOrWhyNot({ IsConverted: '', Status: 'Working - Contacted' }, withStatus)).toBe('open');
    // Rules stored before the status was part of them: every lead not converted is a 0.
    expect(outcomeOf({ IsConverted: false, Status: 'Working - Contacted' }, converted)).toBe(0);
    expect(describeOutcomeRule(withStatus)).toBe('"IsConverted" is true (still being worked while "Status" is Open - Not Contacted or Working - Contacted)');
    expect(describeOutcomeRule({ field: 'Status', positiveValues: ['Closed - Converted'], openValues: ['Open'], openStatus: { field: 'Rating', values: ['Hot'] } })).toBe(
      '"Status" is Closed - Converted (still open while Open; still being worked while "Rating" is Hot)',
    );
  });

  it('leaves leads without an outcome out of the trainer’s table, and counts them', () => {
    const rule = { field: 'converted', positiveValues: ['yes'] };
    const leads = [
      { key: 'csv|1', createdAt: 1, fields: { industry: 'Retail', converted: 'yes' } },
      { key: 'csv|2', createdAt: 1, fields: { industry: 'Retail', converted: '' } },
      { key: 'csv|3', createdAt: 1, fields: { industry: 'Energy', converted: 'no' } },
      { key: 'csv|4', createdAt: 1, fields: { industry: 'Energy', converted: '-' } },
      { key: 'csv|5', createdAt: 1, fields: { industry: 'Energy', notes: 'open' } },
    ];
    const { table, leadKeys, withoutOutcome } = tableOf(leads, rule);
    expect(withoutOutcome).toBe(3);
    // Each record's lead, so its held-out probability can be kept for it.
    expect(leadKeys).toEqual(['csv|1', 'csv|3']);
    expect(table.records.map((record) => [record.industry, record[OUTCOME_COLUMN]])).toEqual([
      ['Retail', '1'],
      ['Energy', '0'],
    ]);
    // Columns come from the leads trained on only.
    expect(table.columns).toEqual(['industry', 'converted', OUTCOME_COLUMN]);
  });

  it('builds the trainer’s table with the outcome as 1 / 0', () => {
    const { table, withoutOutcome, stillBeingWorked } = tableOf(salesforceLeads, converted);
    expect({ withoutOutcome, stillBeingWorked }).toEqual({ withoutOutcome: 0, stillBeingWorked: 0 });
    expect(table.columns.at(-1)).toBe(OUTCOME_COLUMN);
    expect(table.columns).toContain('LeadSource');
    const positives = table.records.filter((record) => record[OUTCOME_COLUMN] === '1').length;
    expect(positives).toBe(salesforceLeads.filter((lead) => lead.outcome === 1).length);
  });
});

describe('keeping only what the trainer reads of each lead', () => {
  const industry = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'industry')!;
  const stage = { field: 'lifecyclestage', positiveValues: ['customer'], openStatus: { field: 'hs_lead_status', values: ['IN_PROGRESS'] } };

  it('keeps of a wide lead only the fields its features and outcome rule read, matched ignoring case as a feature reads them', () => {
    // A CRM contact with 500 properties no feature reads.
    const unread = Object.fromEntries(Array.from({ length: 500 }, (_, p) => [`property_${p}`, `value ${p}`]));
    const leads = ['customer', 'lead', 'lead'].map((lifecyclestage, i) => ({
      key: `hubspot|${i}`,
      createdAt: 1,
      fields: { ...unread, Industry: 'Retail', lifecyclestage, hs_lead_status: 'CLOSED' },
    }));
    const kept = fieldsKeptFor([industry], 'hubspot', stage);
    expect(kept).toEqual(['industry', 'lifecyclestage', 'hs_lead_status']);
    const { table, leadKeys } = tableOf(leads, stage, kept);
    expect(leadKeys).toEqual(['hubspot|0', 'hubspot|1', 'hubspot|2']);
    for (const record of table.records) expect(Object.keys(record)).toEqual(['Industry', 'lifecyclestage', 'hs_lead_status', OUTCOME_COLUMN]);
    expect(table.columns).toEqual(['Industry', 'lifecyclestage', 'hs_lead_status', OUTCOME_COLUMN]);
    expect(table.records.map((record) => record[OUTCOME_COLUMN])).toEqual(['1', '0', '0']);
    // The feature reads "industry" from the kept record as from the whole lead.
    expect(readRaw(table.records[0], industry.derive.kind === 'ratio' ? {} : industry.derive.from, 'hubspot')).toBe('Retail');
  });

  it('keeps, for a check of the data, every field that holds a value, and every field’s name as a column, empty or not', () => {
    const rule = { field: 'converted', positiveValues: ['yes'] };
    const leads: HistoryLead[] = [
      { key: 'csv|1', createdAt: 1, fields: { converted: 'yes', industry: 'Retail', fax: null, notes: undefined, Email: null, email: 'ada@example.com' } },
      { key: 'csv|2', createdAt: 1, fields: { converted: 'no', industry: null, fax: null, website: 'example.com' } },
    ];
    const { table } = tableOf(leads, rule);
    // "Email" stays though empty: left out, reading it would find "email" instead.
    expect(table.records).toStrictEqual([
      { converted: 'yes', industry: 'Retail', Email: null, email: 'ada@example.com', [OUTCOME_COLUMN]: '1' },
      { converted: 'no', website: 'example.com', [OUTCOME_COLUMN]: '0' },
    ]);
    expect(readRaw(table.records[0], { csv: 'Email' }, 'csv')).toBeNull();
    // A column empty in every row is still one: the check says it is dropped as empty.
    expect(table.columns).toEqual(['converted', 'industry', 'fax', 'notes', 'Email', 'email', 'website', OUTCOME_COLUMN]);
  });

  /** The table as the trainer built it before it kept only what it reads: every lead's every field. */
  function wholeTable(leads: readonly HistoryLead[], rule: OutcomeRule): Table {
    const columns = new Set<string>();
    const records: RawRecord[] = [];
    for (const lead of leads) {
      const outcome = outcomeOf(lead.fields, rule);
      if (outcome === null) continue;
      for (const name of Object.keys(lead.fields)) columns.add(name);
      records.push({ ...lead.fields, [OUTCOME_COLUMN]: String(outcome) });
    }
    return { columns: [...columns, OUTCOME_COLUMN], records };
  }

  it('answers a check of the data and of features as the whole leads did: the same candidates, notes, counts, flags and feature values', () => {
    // HubSpot contacts with empty properties: one never filled, one filled on some leads, and an empty "jobtitle" beside a "JobTitle" on others.
    const hubspotLeads = generateDemoLeads({ count: 800, seed: 7, now }).map((lead, i) => {
      const stored = demoStoredLead(lead, 'hubspot');
      const sometimes = i % 3 === 0 ? { hs_persona: `persona_${i % 4}` } : { hs_persona: null };
      const typedOtherwise = i % 5 === 0 ? { jobtitle: null, JobTitle: 'VP Sales' } : {};
      return { ...stored, fields: { ...stored.fields, fax: null, ...sometimes, ...typedOtherwise } };
    });
    const rule = { field: 'lifecyclestage', positiveValues: ['opportunity', 'customer'] };
    const whole = wholeTable(hubspotLeads, rule);
    const { table: kept } = tableOf(hubspotLeads, rule);
    expect(kept.columns).toEqual(whole.columns);
    expect(kept.records.reduce((cells, record) => cells + Object.keys(record).length, 0)).toBeLessThan(whole.records.reduce((cells, record) => cells + Object.keys(record).length, 0));

    const offered = candidateFeatures(DEMO_FEATURE_SPECS, kept, 'hubspot', [rule.field]);
    expect(offered).toEqual(candidateFeatures(DEMO_FEATURE_SPECS, whole, 'hubspot', [rule.field]));
    expect(offered.notes.join(' ')).toContain('"fax" is empty in every row');
    const specs = offered.candidates.map((candidate) => candidate.spec);
    const history = { minAgeDays: 30, createdAt: hubspotLeads.map((lead) => lead.createdAt) };
    expect(inspectTrainingData(kept, specs, 'hubspot', now, history)).toEqual(inspectTrainingData(whole, specs, 'hubspot', now, history));

    // A feature check keeps only its features' fields: the same flags and the same feature values.
    const { table: read } = tableOf(hubspotLeads, rule, fieldsKeptFor(specs, 'hubspot', rule));
    expect(read.columns.length).toBeLessThan(whole.columns.length);
    expect(inspectTrainingData(read, specs, 'hubspot', now, history)).toEqual(inspectTrainingData(whole, specs, 'hubspot', now, history));
    const features = buildFeatures(specs, whole.records, 'hubspot', now);
    expect(buildFeatures(specs, read.records, 'hubspot', now)).toEqual(features);
    expect(featurizeRecords(read.records, features, 'hubspot', now)).toEqual(featurizeRecords(whole.records, features, 'hubspot', now));
  });
});

describe('the time a window is counted back from', () => {
  const DAY = 86_400_000;
  const training = Date.UTC(2026, 0, 1);
  const exported = Date.UTC(2025, 5, 30);

  it('counts a file’s window back from its latest created date, a CRM’s from now', () => {
    const created = [Date.UTC(2025, 0, 15), exported, 0, Date.UTC(2025, 3, 2)];
    expect(windowCountedFrom('csv', created, training)).toBe(exported);
    // A synced history is as of now, however old its newest lead.
    expect(windowCountedFrom('salesforce', created, training)).toBe(training);
    expect(windowCountedFrom('hubspot', created, training)).toBe(training);
  });

  it('passes over a file’s created dates that cannot be its export’s, and counts from now when it has no other', () => {
    // A year after the training: a typo, not the export.
    expect(windowCountedFrom('csv', [exported, Date.UTC(2027, 0, 1)], training)).toBe(exported);
    // Hours after it: a time zone ahead of UTC, today.
    expect(windowCountedFrom('csv', [exported, training + 10 * 3_600_000], training)).toBe(training);
    expect(windowCountedFrom('csv', [0, 0], training)).toBe(training);
    expect(windowCountedFrom('csv', [], training)).toBe(training);
  });

  it('moves both ends of a window by the same time, keeping its months and minimum age, and no end where it has none', () => {
    const form = { createdAfter: training - 365 * DAY, createdBefore: training - 30 * DAY };
    expect(windowCountedBackFrom(form, training, exported)).toEqual({ createdAfter: exported - 365 * DAY, createdBefore: exported - 30 * DAY });
    expect(windowCountedBackFrom({ createdAfter: null, createdBefore: training - 30 * DAY }, training, exported)).toEqual({ createdAfter: null, createdBefore: exported - 30 * DAY });
    expect(windowCountedBackFrom({ createdAfter: null, createdBefore: null }, training, exported)).toEqual({ createdAfter: null, createdBefore: null });
    // Counted from now: the window the form sent.
    expect(windowCountedBackFrom(form, training, training)).toEqual(form);
  });
});

describe('the training data selected: the window, then the outcome', () => {
  const rule = { field: 'converted', positiveValues: ['1'] };
  const window = { createdAfter: Date.UTC(2026, 0, 1), createdBefore: Date.UTC(2026, 9, 1) };
  let leadNumber = 0;
  const lead = (createdAt: number, converted: string) => ({ key: `csv|${++leadNumber}`, createdAt, fields: { converted } });
  const inside = Date.UTC(2026, 5, 1);

  it('counts the leads left out by the window (no readable created date) and by the outcome (still open)', () => {
    const leads = [lead(inside, '1'), lead(inside, '0'), lead(inside, ''), lead(0, '1'), lead(Date.UTC(2020, 0, 1), '0')];
    const { table, leadKeys, withoutCreatedDate, withoutOutcome } = selectionOf(leads, window, rule);
    expect(table.records).toHaveLength(2);
    expect(leadKeys).toEqual([leads[0].key, leads[1].key]);
    expect({ withoutCreatedDate, withoutOutcome }).toEqual({ withoutCreatedDate: 1, withoutOutcome: 1 });
  });

  it("names an empty window's days as a file wrote them, wherever the browser is, for a file's leads", async () => {
    // A file of date-times: its window's ends fall at a time of day, on the file's clock (read as if UTC).
    const fileWindow = { createdAfter: Date.UTC(2026, 0, 1, 23, 30), createdBefore: Date.UTC(2026, 9, 1, 23, 30) };
    const { leads: inWindow, withoutCreatedDate } = leadsInWindow([lead(Date.UTC(2020, 0, 1), '1')], fileWindow);
    const said = (clock: DayClock) => () => checkedSelection(tableOf(inWindow, rule), { window: fileWindow, stored: 1, withoutCreatedDate }, rule, clock);
    await inTimeZone('Pacific/Auckland', () => {
      expect(said('file')).toThrow(/none was created Jan 1, 2026 to Oct 1, 2026\./);
      expect(said('browser')).toThrow(/none was created Jan 2, 2026 to Oct 2, 2026\./);
    });
  });

  it('says the created dates were unreadable when no lead has one', () => {
    expect(() => selectionOf([lead(0, '1'), lead(0, '0')], window, rule)).toThrow(
      new TrainingDataError(
        'None of the 2 stored leads of this source has a readable created date, so none can be placed in the window. ' +
          'For a CSV import, choose the column that holds the created date (and check its dates read as dates).',
      ),
    );
  });

  it('says the window is empty, its dates, how many leads had no readable date, and what to change, when the readable ones fall outside it', () => {
    // As the too-few message (`describeDataSize`) asks for more history: here what widens the window.
    const advice = 'Train on more history: a wider window of creation dates (more months, or a smaller minimum age), or more leads synced or imported.';
    expect(() => selectionOf([lead(Date.UTC(2020, 0, 1), '1')], window, rule)).toThrow(
      new TrainingDataError(`No stored lead of this source is in the window: none was created Jan 1, 2026 to Oct 1, 2026. ${advice}`),
    );
    expect(() => selectionOf([lead(Date.UTC(2020, 0, 1), '1'), lead(0, '1')], window, rule)).toThrow(
      new TrainingDataError(`No stored lead of this source is in the window: none was created Jan 1, 2026 to Oct 1, 2026 (1 more lead has no readable created date). ${advice}`),
    );
    // A window with one end: the date it has.
    expect(() => selectionOf([lead(Date.UTC(2026, 9, 2), '1')], { createdAfter: null, createdBefore: Date.UTC(2026, 9, 1) }, rule)).toThrow(
      new TrainingDataError(`No stored lead of this source is in the window: none was created Oct 1, 2026 or earlier. ${advice}`),
    );
  });

  it('says the source has no stored lead, not that a window left none, when it has none', () => {
    for (const anyWindow of [window, { createdAfter: null, createdBefore: null }]) {
      expect(() => selectionOf([], anyWindow, rule)).toThrow(new TrainingDataError('No lead of this source is stored: sync its CRM or import a file to train on.'));
    }
  });

  it('names the values taken as still open when they leave no lead with an outcome', () => {
    const withOpen = { ...rule, openValues: ['Working', 'New'] };
    expect(() => selectionOf([lead(inside, 'Working'), lead(inside, '')], window, withOpen)).toThrow(
      new TrainingDataError(
        'None of the 2 leads in the window has an outcome yet: "converted" is empty on all of them or says they are still open (Working, New), so there is nothing to learn from. ' +
          'Choose the field that says whether a lead converted, or a window of older leads.',
      ),
    );
  });

  it('leaves out the demo leads still being worked when the admin chooses their statuses, and counts them: the base rate is that of leads with an outcome', () => {
    const demoNow = new Date('2026-06-01T00:00:00Z');
    const stored = generateDemoLeads({ count: 4000, seed: 42, now: demoNow }).map((lead) => demoStoredLead(lead, 'salesforce'));
    const twelveMonthsToThirtyDays = { createdAfter: demoNow.getTime() - 12 * 30.44 * 86_400_000, createdBefore: demoNow.getTime() - 30 * 86_400_000 };
    const sample = fewValuedColumns(Object.keys(stored[0].fields), stored.map((lead) => lead.fields));
    // The suggested outcome, with the status field chosen: its open-looking values ticked, as the form ticks them.
    const rule = { ...suggestOutcome('salesforce', sample)!, openStatus: { field: 'Status', values: openLookingStatuses(sample.Status) } };
    expect(rule).toEqual({ field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Open - Not Contacted', 'Working - Contacted'] } });

    const inWindow = leadsInWindow(stored, twelveMonthsToThirtyDays).leads;
    const conversions = inWindow.filter((lead) => lead.fields.IsConverted === true).length;
    const beingWorked = inWindow.filter((lead) => lead.fields.IsConverted === false && ['Open - Not Contacted', 'Working - Contacted'].includes(String(lead.fields.Status))).length;
    const notConverted = inWindow.length - conversions;
    // Most of the leads that did not convert are still being worked: taught as lost, they would sink the base rate.
    expect(beingWorked / notConverted).toBeGreaterThan(0.5);

    const selection = selectionOf(stored, twelveMonthsToThirtyDays, rule);
    expect(selection).toMatchObject({ stillBeingWorked: beingWorked, withoutOutcome: 0, withoutCreatedDate: 0 });
    const baseRate = ({ table }: { table: { records: Record<string, unknown>[] } }) => table.records.filter((record) => record[OUTCOME_COLUMN] === '1').length / table.records.length;
    expect(selection.table.records).toHaveLength(inWindow.length - beingWorked);
    expect(baseRate(selection)).toBeCloseTo(conversions / (inWindow.length - beingWorked), 12);
    // Without the status, every lead not converted was a 0.
    const before = selectionOf(stored, twelveMonthsToThirtyDays, converted);
    expect(before.stillBeingWorked).toBe(0);
    expect(baseRate(before)).toBeCloseTo(conversions / inWindow.length, 12);
    expect(describeLeftOut(selection, rule)).toEqual([
      `${beingWorked.toLocaleString('en-US')} leads still being worked are left out: "Status" is Open - Not Contacted or Working - Contacted.`,
    ]);
  });

  it('says so when every lead in the window is still being worked', () => {
    const withStatus = { ...rule, openStatus: { field: 'Status', values: ['Working'] } };
    const working = (outcome: string) => ({ ...lead(inside, outcome), fields: { converted: outcome, Status: 'Working' } });
    expect(() => selectionOf([working('0'), working('')], window, withStatus)).toThrow(
      new TrainingDataError(
        'None of the 2 leads in the window has an outcome yet: "converted" is empty on all of them, or they are still being worked ("Status" is Working), so there is nothing to learn from. ' +
          'Choose the field that says whether a lead converted, or a window of older leads.',
      ),
    );
  });

  it('says so when no lead in the window has an outcome yet', () => {
    expect(() => selectionOf([lead(inside, ''), lead(inside, 'n/a'), lead(inside, ' ')], window, rule)).toThrow(
      new TrainingDataError(
        'None of the 3 leads in the window has an outcome yet: "converted" is empty on all of them, so there is nothing to learn from. ' +
          'Choose the field that says whether a lead converted, or a window of older leads.',
      ),
    );
  });

  it('says what was left out in plain words', () => {
    const withStatus = { ...rule, openStatus: { field: 'Status', values: ['Open - Not Contacted', 'Working - Contacted'] } };
    expect(describeLeftOut({ withoutOutcome: 312, stillBeingWorked: 1432, withoutCreatedDate: 41 }, withStatus)).toEqual([
      '312 leads have no outcome yet and are left out.',
      '1,432 leads still being worked are left out: "Status" is Open - Not Contacted or Working - Contacted.',
      '41 leads have no readable created date and are outside the window.',
    ]);
    expect(describeLeftOut({ withoutOutcome: 0, stillBeingWorked: 1, withoutCreatedDate: 0 }, withStatus)).toEqual([
      '1 lead still being worked is left out: "Status" is Open - Not Contacted or Working - Contacted.',
    ]);
    expect(describeLeftOut({ withoutOutcome: 1, stillBeingWorked: 0, withoutCreatedDate: 0 }, rule)).toEqual(['1 lead has no outcome yet and is left out.']);
    expect(describeLeftOut({ withoutOutcome: 0, stillBeingWorked: 0, withoutCreatedDate: 0 }, rule)).toEqual([]);
  });
});

describe('candidate features', () => {
  it('suggests the data’s field for a catalogue feature by its names, ignoring case and punctuation', () => {
    const industry = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'industry')!;
    expect(suggestField(industry, 'salesforce', ['Industry', 'Name'])).toBe('Industry');
    expect(suggestField(industry, 'csv', ['Company Industry', 'INDUSTRY'])).toBe('INDUSTRY');
    expect(suggestField(industry, 'csv', ['Revenue'])).toBeNull();
  });

  it('compares names in any script, and never by a name with no letter or digit', () => {
    // Features inferred from a first file headed in Japanese; the next export renamed 売上 (revenue) to 売上高 and dropped 従業員数 (head count).
    const industry = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'industry')!;
    const readingColumn = (key: string, column: string): FeatureSpec => ({ ...industry, key, label: column, derive: { kind: 'value', from: { csv: column } } });
    const catalogue = [readingColumn('feature', '会社名'), readingColumn('feature_2', '業種'), readingColumn('feature_3', '売上'), readingColumn('feature_4', '従業員数')];
    const columns = ['会社名', '業種', '売上高'];
    expect(catalogue.map((spec) => suggestField(spec, 'csv', columns))).toEqual(['会社名', '業種', null, null]);
    const records = Array.from({ length: 40 }, (_, i) => ({ 会社名: `会社${i % 7}`, 業種: ['IT', '製造', '小売'][i % 3], 売上高: String(i * 37) }));
    const { candidates } = candidateFeatures(catalogue, { columns, records }, 'csv', []);
    expect(candidates.map(({ origin, spec }) => [origin, spec.label, fieldOf(spec, 'csv')])).toEqual([
      ['catalogue', '会社名', '会社名'],
      ['catalogue', '業種', '業種'],
      ['inferred', '売上高', '売上高'],
    ]);
    // Spacing and punctuation are ignored in any script; a name of punctuation alone matches nothing.
    expect(suggestField(readingColumn('feature', '売上 (円)'), 'csv', ['会社名', '売上（円）'])).toBe('売上（円）');
    expect(suggestField(readingColumn('feature', '#'), 'csv', ['—', '会社名'])).toBeNull();
  });

  it('suggests no field whose name differs from the feature’s only in its vowel signs (Devanagari)', () => {
    const industry = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'industry')!;
    const readingColumn = (key: string, column: string): FeatureSpec => ({ ...industry, key, label: column, derive: { kind: 'value', from: { csv: column } } });
    // "Total amount" and "Day" against "Call amount" and "Donation".
    expect(suggestField(readingColumn('feature', 'कुल राशि'), 'csv', ['कॉल राशि', 'दान'])).toBeNull();
    expect(suggestField(readingColumn('feature', 'दिन'), 'csv', ['कॉल राशि', 'दान'])).toBeNull();
    expect(suggestField(readingColumn('feature', 'कुल राशि'), 'csv', ['दान', 'कुल_राशि'])).toBe('कुल_राशि');
  });

  it('maps the catalogue to Salesforce fields, offers the other fields, and never the outcome', () => {
    const { table } = tableOf(salesforceLeads, converted);
    const { candidates } = candidateFeatures(DEMO_FEATURE_SPECS, table, 'salesforce', ['IsConverted']);
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

  describe('the one model scores both CRMs: a field whose values are the CRM’s own words is read only on the CRM trained on', () => {
    const hubspotLeads = generateDemoLeads({ count: 800, seed: 3, now }).map((lead) => demoStoredLead(lead, 'hubspot'));
    const hubspotStage = { field: 'lifecyclestage', positiveValues: ['opportunity', 'customer'] };
    const catalogueSpecs = (source: SourceKind, leads: readonly HistoryLead[], rule: OutcomeRule) => {
      const { candidates, notes } = candidateFeatures(DEMO_FEATURE_SPECS, tableOf(leads, rule).table, source, [rule.field]);
      const byKey = new Map(candidates.filter((c) => c.origin === 'catalogue').map((c) => [c.spec.key, c.spec]));
      return { from: (key: string) => byKey.get(key)?.derive, byKey, notes };
    };

    it('trained on Salesforce: lead source, industry and country read no HubSpot property; numbers and dates still do', () => {
      const { from, byKey, notes } = catalogueSpecs('salesforce', salesforceLeads, converted);
      expect(from('lead_source')).toEqual({ kind: 'value', from: { salesforce: 'LeadSource', csv: 'lead_source' } });
      expect(from('industry')).toEqual({ kind: 'value', from: { salesforce: 'Industry', csv: 'industry' } });
      expect(from('country')).toEqual({ kind: 'value', from: { salesforce: 'Country', csv: 'country' } });
      // So the scorer leaves lead source out on HubSpot pages rather than read HubSpot's sources as "other".
      expect(sourceSupplies(byKey.get('lead_source')!, 'hubspot')).toBe(false);
      expect(from('employees')).toEqual({ kind: 'value', from: { salesforce: 'NumberOfEmployees', hubspot: 'numemployees', csv: 'employees' } });
      expect(from('days_since_created')).toEqual({ kind: 'daysSince', from: { salesforce: 'CreatedDate', hubspot: 'createdate', csv: 'created_at' } });
      expect(from('email_opted_out')).toEqual({ kind: 'value', from: { salesforce: 'HasOptedOutOfEmail', hubspot: 'hs_email_optout', csv: 'email_opted_out' } });
      expect(from('title_seniority')).toEqual({ kind: 'titleSeniority', from: { salesforce: 'Title', hubspot: 'jobtitle', csv: 'title' } });
      expect(from('email_domain')).toEqual({ kind: 'emailDomainKind', from: { salesforce: 'Email', hubspot: 'email', csv: 'email' } });
      expect(notes).toContain("Lead source, Industry and Country are read on Salesforce pages only: HubSpot's values for them are not in this history.");
    });

    it('trained on HubSpot: lead source, industry and country read no Salesforce field; numbers and dates still do', () => {
      const { from, notes } = catalogueSpecs('hubspot', hubspotLeads, hubspotStage);
      expect(from('lead_source')).toEqual({ kind: 'value', from: { hubspot: 'hs_analytics_source', csv: 'lead_source' }, optionLabels: { hubspot: expect.objectContaining({ SOCIAL_MEDIA: 'Organic Social' }) } });
      expect(from('industry')).toEqual({ kind: 'value', from: { hubspot: 'industry', csv: 'industry' } });
      expect(from('country')).toEqual({ kind: 'value', from: { hubspot: 'country', csv: 'country' } });
      expect(from('employees')).toEqual({ kind: 'value', from: { salesforce: 'NumberOfEmployees', hubspot: 'numemployees', csv: 'employees' } });
      expect(from('days_since_created')).toEqual({ kind: 'daysSince', from: { salesforce: 'CreatedDate', hubspot: 'createdate', csv: 'created_at' } });
      expect(from('last_page')).toEqual({ kind: 'urlCategory', from: { hubspot: 'hs_analytics_last_url', csv: 'last_page_url' } });
      expect(notes).toContain("Lead source, Industry and Country are read on HubSpot pages only: Salesforce's values for them are not in this history.");
    });

    it("keeps a field's page labels with its field: a feature mapped to another field of the CRM has none of the old one's", () => {
      const leadSource = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'lead_source')!;
      expect(mapSpec(leadSource, 'hubspot', 'hs_analytics_source').derive).toEqual(leadSource.derive);
      expect(mapSpec(leadSource, 'hubspot', 'hs_latest_source').derive).toEqual({ kind: 'value', from: { hubspot: 'hs_latest_source' } });
      // A file's column under another of the catalogue's names: HubSpot's property, read as before, keeps its labels.
      expect(mapSpec(leadSource, 'csv', 'Lead Source').derive).toMatchObject({ from: { csv: 'Lead Source', hubspot: 'hs_analytics_source' }, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social' } } });
    });

    it('reads a feature moved to a field the catalogue does not name it by on the source trained on only, and says so; its own fields keep every source', () => {
      const revenue = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'annual_revenue')!;
      // An org keeping revenue in thousands in a custom field: HubSpot's annualrevenue and a file's annual_revenue hold dollars.
      const moved = mapSpec(revenue, 'salesforce', 'Revenue_k__c');
      expect(moved.derive).toEqual({ kind: 'value', from: { salesforce: 'Revenue_k__c' } });
      // So a HubSpot page's revenue, and an imported lead's, is left out of the score rather than read on the custom field's scale.
      expect(SOURCE_KINDS.map((source) => sourceSupplies(moved, source))).toEqual([true, false, false]);
      expect(movedFieldNote(revenue, 'salesforce', 'Revenue_k__c')).toBe(
        'Annual revenue is read on Salesforce pages only: its fields elsewhere need not hold what "Revenue_k__c" holds, so badges on HubSpot pages and leads imported from a file leave it out.',
      );
      // A file's column of its own: no CRM page reads it.
      expect(mapSpec(revenue, 'csv', 'rev_k').derive).toEqual({ kind: 'value', from: { csv: 'rev_k' } });
      expect(movedFieldNote(revenue, 'csv', 'rev_k')).toBe(
        'Annual revenue is read from imported files only: its fields elsewhere need not hold what "rev_k" holds, so badges on Salesforce and HubSpot pages leave it out.',
      );
      // A category moved keeps no page labels, nor the other CRM's field, nor the file's column.
      const leadSource = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'lead_source')!;
      expect(mapSpec(leadSource, 'csv', 'source').derive).toEqual({ kind: 'value', from: { csv: 'source' } });
      // The note names only the sources that read it before: Salesforce has no field for HubSpot's page visits.
      const visits = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'web_visits')!;
      expect(movedFieldNote(visits, 'hubspot', 'visits_custom')).toBe(
        'Website visits is read on HubSpot pages only: its field elsewhere need not hold what "visits_custom" holds, so leads imported from a file leave it out.',
      );
      expect(movedFieldNote(mapSpec(visits, 'hubspot', 'visits_custom'), 'hubspot', 'visits_other')).toBeNull();
      // The catalogue's own fields, under a name a report or an export heads them by too, keep every source, with no note.
      for (const [source, field] of [['salesforce', 'AnnualRevenue'], ['hubspot', 'annualrevenue'], ['csv', 'annual_revenue'], ['csv', 'Annual Revenue']] as const) {
        expect(mapSpec(revenue, source, field).derive, field).toEqual({ kind: 'value', from: { ...(revenue.derive.kind === 'value' && revenue.derive.from), [source]: field } });
        expect(movedFieldNote(revenue, source, field), field).toBeNull();
      }
    });

    it('names a single such feature in the singular, and says nothing when there is none', () => {
      const only = (keys: string[]) => DEMO_FEATURE_SPECS.filter((spec) => keys.includes(spec.key));
      const { table } = tableOf(salesforceLeads, converted);
      expect(candidateFeatures(only(['lead_source', 'employees']), table, 'salesforce', ['IsConverted']).notes).toContain(
        "Lead source is read on Salesforce pages only: HubSpot's values for it are not in this history.",
      );
      expect(candidateFeatures(only(['employees', 'days_since_created']), table, 'salesforce', ['IsConverted']).notes.join(' ')).not.toContain('pages only');
    });

    it('trained on a CSV file, whose CRM is unknown: every feature keeps every CRM’s field', () => {
      const rows = demoHistoryRows({ count: 800, seed: 3, now }).map((row, i) => ({ key: `csv|${i}`, createdAt: parseDate(row.created_at), fields: row }));
      const { byKey, notes } = catalogueSpecs('csv', rows, { field: 'converted', positiveValues: ['1'] });
      expect(byKey.size).toBeGreaterThan(10);
      for (const spec of byKey.values()) expect(spec, spec.key).toEqual(DEMO_FEATURE_SPECS.find((catalogued) => catalogued.key === spec.key));
      expect(byKey.get('lead_source')?.derive).toEqual({
        kind: 'value',
        from: { salesforce: 'LeadSource', hubspot: 'hs_analytics_source', csv: 'lead_source' },
        optionLabels: { hubspot: expect.objectContaining({ OFFLINE: 'Offline Sources' }) },
      });
      expect(notes.join(' ')).not.toContain('pages only');
    });
  });

  it('says why a field of the data is not offered', () => {
    const leads = salesforceLeads.map((lead, i) => ({ ...lead, fields: { ...lead.fields, Region: 'EMEA', Ref: `R-${i}` } }));
    const { table } = tableOf(leads, converted);
    const { candidates, notes } = candidateFeatures(DEMO_FEATURE_SPECS, table, 'salesforce', ['IsConverted']);
    expect(candidates.map((c) => c.spec.label)).not.toEqual(expect.arrayContaining(['Region']));
    expect(notes).toEqual(expect.arrayContaining([expect.stringMatching(/"Region".*dropped/), expect.stringMatching(/"Ref".*identifier.*dropped/)]));
  });
});

describe('inspectTrainingData', () => {
  it('counts leads and conversions and flags the fields filled after conversion', () => {
    const { table } = tableOf(salesforceLeads, converted);
    const specs = candidateFeatures(DEMO_FEATURE_SPECS, table, 'salesforce', ['IsConverted']).candidates.map((c) => c.spec);
    const inspection = inspectTrainingData(table, specs, 'salesforce', now);
    expect(inspection.rows).toBe(800);
    expect(inspection.conversions).toBe(salesforceLeads.filter((lead) => lead.outcome === 1).length);
    const flagged = inspection.leakage.map((flag) => flag.label);
    expect(flagged).toEqual(expect.arrayContaining(['Status']));
    expect(flagged).not.toContain('Industry');
    for (const flag of inspection.leakage) expect(flag.reason).toMatch(/conver/);
  });

  it('flags a "days since" feature that history at least the window’s minimum age never has below it', () => {
    const DAY = 86_400_000;
    // Leads 45 days old and more; some had activity last week.
    const history = salesforceLeads.map((lead, i) => {
      const createdAt = now.getTime() - (45 + (i % 300)) * DAY;
      return {
        ...lead,
        createdAt,
        fields: { ...lead.fields, CreatedDate: new Date(createdAt).toISOString(), LastActivityDate: new Date(now.getTime() - (i % 90) * DAY).toISOString().slice(0, 10) },
      };
    });
    const { table, createdAt } = tableOf(history, converted);
    const specs = candidateFeatures(DEMO_FEATURE_SPECS, table, 'salesforce', ['IsConverted']).candidates.map((c) => c.spec);
    const skewed = (minAgeDays: number) =>
      inspectTrainingData(table, specs, 'salesforce', now, { minAgeDays, createdAt }).leakage.filter((flag) => flag.reason.includes('never saw'));
    const [age] = skewed(30);
    expect(age).toEqual({
      key: 'days_since_created',
      label: 'Days since created',
      field: 'CreatedDate',
      reason: 'measured on the day you train, it is 30 or more for every one of these leads (all at least 30 days old), but 0 to 29 for new leads: the model would score them at values it never saw',
    });
    // Last activity has recent values too: a new lead's are not new to the model.
    expect(skewed(30)).toHaveLength(1);
    // No minimum age: history as young as the leads scored.
    expect(skewed(0)).toEqual([]);
  });

  it('judges skew by the share of known values below the minimum age', () => {
    const daysSince = { derive: { kind: 'daysSince' as const, from: { csv: 'created_at' } } };
    const values = (below: number, total: number) => Float32Array.from({ length: total + 5 }, (_, i) => (i >= total ? NaN : i < below ? 3 : 40));
    // Leads 400 days old: every date above falls in their own life.
    const oldLeads = new Float64Array(1005).fill(400);
    expect(trainServeSkew(daysSince, values(0, 1000), 30, oldLeads)).toMatch(/for every one of these leads/);
    expect(trainServeSkew(daysSince, values(9, 1000), 30, oldLeads)).toMatch(/for nearly all of these leads/);
    expect(trainServeSkew(daysSince, values(10, 1000), 30, oldLeads)).toBeNull(); // 1 % younger: seen enough
    expect(trainServeSkew(daysSince, values(0, 0), 30, oldLeads)).toBeNull(); // nothing known
    expect(trainServeSkew({ derive: { kind: 'value', from: { csv: 'age' } } }, values(0, 1000), 30, oldLeads)).toBeNull();
  });

  it('judges skew only for a date in the lead’s own life: a date from before it was created is no younger on a new lead', () => {
    const daysSince = { derive: { kind: 'daysSince' as const, from: { csv: 'company_founded' } } };
    // Every value 40 days or more, as for a lead's age in a window of leads at least 30 days old.
    const values = Float32Array.from({ length: 1000 }, (_, i) => 40 + i);
    const ages = (age: (row: number) => number) => Float64Array.from({ length: 1000 }, (_, row) => age(row));
    // On or after the created date (a day's slack for a date without a time): flagged.
    expect(trainServeSkew(daysSince, values, 30, ages((row) => 40 + row - 1))).toMatch(/never saw/);
    expect(trainServeSkew(daysSince, values, 30, ages((row) => (row < 10 ? 35 : 40 + row)))).toMatch(/never saw/); // 1 % before: nearly every lead
    // Before it for more than 1 % of the leads (a founding date, a funding round), or no created date known: not flagged.
    expect(trainServeSkew(daysSince, values, 30, ages((row) => (row < 11 ? 35 : 40 + row)))).toBeNull();
    expect(trainServeSkew(daysSince, values, 30, ages(() => 35))).toBeNull();
    expect(trainServeSkew(daysSince, values, 30, ages(() => NaN))).toBeNull();
  });

  it('does not flag enrichment dates from before a lead was created for skew, and still flags its age', () => {
    const DAY = 86_400_000;
    const YEAR = 365 * DAY;
    const rand = mulberry32(4);
    // The company's founding (2 to 42 years ago) and its last funding round (months to years ago), whatever the lead's age.
    const enriched = salesforceLeads.map((lead) => ({
      ...lead,
      fields: {
        ...lead.fields,
        Company_Founded_Date__c: new Date(now.getTime() - (2 + rand() * 40) * YEAR).toISOString().slice(0, 10),
        Last_Funding_Date__c: new Date(now.getTime() - (0.2 + rand() * 5) * YEAR).toISOString().slice(0, 10),
      },
    }));
    const window = { createdAfter: now.getTime() - 365 * DAY, createdBefore: now.getTime() - 30 * DAY };
    const { table, createdAt } = selectionOf(enriched, window, converted);
    const specs = candidateFeatures(DEMO_FEATURE_SPECS, table, 'salesforce', ['IsConverted']).candidates.map((c) => c.spec);
    const flags = new Map(inspectTrainingData(table, specs, 'salesforce', now, { minAgeDays: 30, createdAt }).leakage.map((flag) => [flag.field, flag.reason]));
    expect(specs.map((spec) => fieldOf(spec, 'salesforce'))).toEqual(expect.arrayContaining(['Company_Founded_Date__c', 'Last_Funding_Date__c']));
    expect(flags.get('Company_Founded_Date__c')).toBeUndefined();
    expect(flags.get('Last_Funding_Date__c')).toBeUndefined();
    expect(flags.get('CreatedDate')).toMatch(/^measured on the day you train, it is 30 or more .* values it never saw$/);
  });

  it('judges a yes/no feature by its values, named Yes and No as reps see them', () => {
    // A "closed won" checkbox of a file: true for 80 of the 100 converted leads, false for every other.
    const records = Array.from({ length: 1000 }, (_, row) => ({ [OUTCOME_COLUMN]: row < 100 ? '1' : '0', closed_won: row < 80 ? 'true' : 'false' }));
    const closedWon = { key: 'closed_won', label: 'Closed won', type: 'boolean' as const, derive: { kind: 'value' as const, from: { csv: 'closed_won' } }, missingValues: [], actionable: false };
    const { leakage } = inspectTrainingData({ columns: [OUTCOME_COLUMN, 'closed_won'], records }, [closedWon], 'csv', now);
    expect(leakage).toEqual([
      { key: 'closed_won', label: 'Closed won', field: 'closed_won', reason: 'set to "Yes" for 80% of the converted leads and for none of the 900 others: probably written when a lead converts' },
    ]);
  });

  it('refuses with the trainer’s own message when there are too few conversions', () => {
    const few = salesforceLeads.slice(0, 30);
    const { table } = tableOf(few, converted);
    expect(() => inspectTrainingData(table, DEMO_FEATURE_SPECS, 'salesforce', now)).toThrow(TrainingDataError);
  });
});

describe('the guards on stored history', () => {
  const DAY = 86_400_000;
  const today = new Date('2026-06-01T00:00:00Z');
  const demo = generateDemoLeads({ count: 4000, seed: 42, now: today });
  const window = (minAgeDays: number) => ({ createdAfter: today.getTime() - 12 * 30.44 * DAY, createdBefore: today.getTime() - minAgeDays * DAY });
  /** The guards' flags (key → reason) on `leads` in the default window (the last 12 months, at least `minAgeDays` old), every candidate checked. */
  const flagsOf = (leads: readonly { key: string; createdAt: number; fields: Record<string, unknown> }[], source: SourceKind, rule: { field: string; positiveValues: string[] }, minAgeDays = 30) => {
    const { table, createdAt } = selectionOf(leads as readonly HistoryLead[], window(minAgeDays), rule);
    const specs = candidateFeatures(DEMO_FEATURE_SPECS, table, source, [rule.field]).candidates.map((c) => c.spec);
    const { rows, leakage } = inspectTrainingData(table, specs, source, today, { minAgeDays, createdAt });
    return { rows, specs, flags: new Map(leakage.map((flag) => [flag.key, flag.reason])), byField: new Map(leakage.map((flag) => [flag.field, flag.reason])) };
  };
  const salesforce = demo.map((lead) => demoStoredLead(lead, 'salesforce'));
  const hubspot = demo.map((lead) => demoStoredLead(lead, 'hubspot'));
  const hubspotStage = { field: 'lifecyclestage', positiveValues: ['opportunity', 'customer'] };
  const csv = demoHistoryRows({ count: 4000, seed: 42, now: today }).map((row, i) => ({ key: `csv|${i}`, createdAt: parseDate(row.created_at), fields: row }));
  const known = ['lead_source', 'industry', 'annual_revenue', 'employees', 'title_seniority', 'country', 'email_domain', 'email_opted_out'];
  /** What an engagement count read from a CRM's export is flagged for. */
  const EXPORTED_REASON = /^it keeps changing after the outcome, and an export holds each value as it was on the day it was exported, after the outcome: on old leads/;

  it('flags on the demo history what reps and the CRM write after the outcome, and none of the fields known when a lead is created', () => {
    const { rows, flags } = flagsOf(salesforce, 'salesforce', converted);
    expect(rows).toBe(2532);
    expect([...flags.keys()].sort()).toEqual(
      ['converteddate_days_since', 'days_since_created', 'days_since_last_activity', 'lastmodifieddate_days_since', 'ownerid', 'rating', 'status', 'systemmodstamp_days_since'].sort(),
    );
    expect(flags.get('rating')).toMatch(/^"Rating" is a field the CRM writes as or after the outcome is known: Salesforce lead status and rating are set by sales reps/);
    expect(flags.get('systemmodstamp_days_since')).toMatch(/^"SystemModstamp" is a field the CRM writes .*edited, converting it included/);
    expect(flags.get('days_since_last_activity')).toMatch(/^"LastActivityDate" is a field the CRM writes/);
    const { flags: hubspotFlags } = flagsOf(hubspot, 'hubspot', hubspotStage);
    for (const key of known) {
      expect(flags.get(key), key).toBeUndefined();
      expect(hubspotFlags.get(key), key).toBeUndefined();
    }
  });

  it('flags a rating set after conversion by its numbers alone, under a name it does not know', () => {
    const renamed = salesforce.map(({ fields: { Rating, ...fields }, ...lead }) => ({ ...lead, fields: { ...fields, Lead_Grade__c: Rating } }));
    const { flags } = flagsOf(renamed, 'salesforce', converted);
    expect(flags.get('lead_grade_c')).toMatch(/^empty for \d+% of the leads that did not convert and for none of the \d+ converted: probably filled in when a lead converts/);
  });

  it('flags the counts that go on after the outcome in synced CRM history, not in a CSV the admin prepared', () => {
    const counts = ['web_visits', 'page_views', 'conversion_events', 'email_opens', 'email_clicks', 'email_click_rate', 'last_page'];
    const { flags } = flagsOf(hubspot, 'hubspot', hubspotStage);
    for (const key of counts) expect(flags.get(key), key).toMatch(/^it keeps changing after the outcome, and synced leads hold its value of today/);
    // HubSpot's last activity date is a field it knows: said as such.
    expect(flags.get('days_since_last_activity')).toMatch(/^"notes_last_updated" is a field the CRM writes/);
    // Without what Salesforce does with a converted lead's: a HubSpot property.
    expect(flags.get('days_since_last_activity')).not.toMatch(/Salesforce/);
    const { specs, flags: csvFlags } = flagsOf(csv, 'csv', { field: 'converted', positiveValues: ['1'] });
    expect(specs.map((spec) => spec.key)).toEqual(expect.arrayContaining(counts));
    for (const key of [...counts, 'days_since_last_activity', ...known]) expect(csvFlags.get(key), key).toBeUndefined();
  });

  it('flags HubSpot’s own last-engagement dates, engagement counts and scores, which go on after the outcome, whatever their numbers say', () => {
    const rand = mulberry32(3);
    const date = (from: number) => new Date(from + rand() * (today.getTime() - from)).toISOString();
    // Properties a HubSpot sync reads that the catalogue does not map, at values that say nothing of the outcome.
    const synced = hubspot.map((lead) => ({
      ...lead,
      fields: {
        ...lead.fields,
        hs_analytics_last_visit_timestamp: date(lead.createdAt),
        hs_email_last_open_date: date(lead.createdAt),
        hs_sales_email_last_replied: date(lead.createdAt),
        num_unique_conversion_events: String(Math.floor(rand() * 4)),
        hs_analytics_num_event_completions: String(Math.floor(rand() * 6)),
        hs_email_delivered: String(Math.floor(rand() * 30)),
        hs_predictivecontactscore_v2: String(Math.round(rand() * 100)),
      },
    }));
    const stamps = ['hs_analytics_last_visit_timestamp', 'hs_email_last_open_date', 'hs_sales_email_last_replied'];
    const counts = ['num_unique_conversion_events', 'hs_analytics_num_event_completions', 'hs_email_delivered'];
    const { specs, byField } = flagsOf(synced, 'hubspot', hubspotStage);
    expect(specs.map((spec) => fieldOf(spec, 'hubspot'))).toEqual(expect.arrayContaining([...stamps, ...counts, 'hs_predictivecontactscore_v2']));
    for (const field of stamps) expect(byField.get(field), field).toMatch(new RegExp(`^"${field}" is a field the CRM writes .*: HubSpot moves it on with each visit, e-mail, meeting or form`));
    for (const field of counts) expect(byField.get(field), field).toBe(KEEPS_CHANGING_REASON);
    expect(byField.get('hs_predictivecontactscore_v2')).toMatch(/^"hs_predictivecontactscore_v2" is a field the CRM writes .*predictive one .* is learned from past outcomes/);
    // The same exported to a CSV: the fields the CRM writes after the outcome as synced, the counts under HubSpot's names as an export holds them.
    const { byField: csvFlags } = flagsOf(synced, 'csv', hubspotStage);
    for (const field of [...stamps, 'hs_predictivecontactscore_v2']) expect(csvFlags.get(field), field).toBe(byField.get(field));
    for (const field of counts) expect(csvFlags.get(field), field).toMatch(EXPORTED_REASON);
  });

  it('flags the engagement counts of a HubSpot export under its labels, as a sync flags them under their API names, and not the other columns', () => {
    // A HubSpot contacts export: its headers are the properties' labels (Number of Sessions, Number of Pageviews, Marketing emails opened…).
    const labelOf = new Map(HUBSPOT_CONTACT_PROPERTIES.map((property) => [property.name as string, property.label]));
    const exported = hubspot.map((lead) => ({ ...lead, fields: Object.fromEntries(Object.entries(lead.fields).map(([name, value]) => [labelOf.get(name) ?? name, value])) }));
    const { specs, byField } = flagsOf(exported, 'csv', { field: 'Lifecycle stage', positiveValues: hubspotStage.positiveValues });
    const { byField: byApiName } = flagsOf(hubspot, 'hubspot', hubspotStage);
    const engagement = [
      ['hs_analytics_num_visits', 'Number of Sessions'],
      ['hs_analytics_num_page_views', 'Number of Pageviews'],
      ['num_conversion_events', 'Number of Form Submissions'],
      ['hs_email_open', 'Marketing emails opened'],
      ['hs_email_click', 'Marketing emails clicked'],
      ['hs_analytics_last_url', 'Last Page Seen'],
    ];
    for (const [name, label] of engagement) {
      expect(byApiName.get(name), name).toBe(KEEPS_CHANGING_REASON);
      expect(byField.get(label), label).toMatch(EXPORTED_REASON);
      // Both read as changing after the outcome where a flag's kind is asked (the training report's comparison).
      expect([byApiName.get(name), byField.get(label)].every((reason) => reason !== undefined && keepsChangingAfterOutcome(reason)), label).toBe(true);
    }
    for (const reason of byApiName.values()) if (!reason.startsWith('it keeps changing')) expect(keepsChangingAfterOutcome(reason), reason).toBe(false);
    const others = ['Industry', 'Annual Revenue', 'Number of Employees', 'Original Source', 'First Page Seen', 'Job title', 'Unsubscribed from all email'];
    expect(specs.map((spec) => fieldOf(spec, 'csv'))).toEqual(expect.arrayContaining([...engagement.map(([, label]) => label), ...others]));
    for (const label of others) expect(byField.get(label), label).toBeUndefined();
  });

  it('flags the fields of a CRM report exported under their labels as it flags their API names', () => {
    // A Salesforce leads report saved as CSV: its headers are the fields' labels (Lead Status, Last Activity, Converted Date…).
    const labelOf = new Map(SALESFORCE_LEAD_FIELDS.map((field) => [field.name as string, field.label]));
    const exported = salesforce.map((lead) => ({ ...lead, fields: Object.fromEntries(Object.entries(lead.fields).map(([name, value]) => [labelOf.get(name) ?? name, value])) }));
    const { byField } = flagsOf(exported, 'csv', { field: 'Converted', positiveValues: ['true'] });
    const { byField: byApiName } = flagsOf(salesforce, 'salesforce', converted);
    for (const [name, label] of [['Status', 'Lead Status'], ['Rating', 'Rating'], ['LastActivityDate', 'Last Activity'], ['LastModifiedDate', 'Last Modified Date'], ['SystemModstamp', 'System Modstamp'], ['ConvertedDate', 'Converted Date']]) {
      expect(byApiName.get(name), name).toMatch(new RegExp(`^"${name}" is a field the CRM writes as or after the outcome is known`));
      expect(byField.get(label), label).toMatch(new RegExp(`^"${label}" is a field the CRM writes as or after the outcome is known`));
    }
    for (const label of ['Lead Source', 'Industry', 'Annual Revenue', 'No. of Employees', 'Title', 'Country', 'Email Opt Out']) expect(byField.get(label), label).toBeUndefined();
  });

  it('flags the lead’s age with no minimum age too, and no other "days since" for being one', () => {
    // With a minimum age the skew check says more (see above); without one, the age is flagged all the same.
    expect(flagsOf(hubspot, 'hubspot', hubspotStage, 0).flags.get('days_since_created')).toMatch(/^it is the lead's age, counted from the created date the window is built on/);
    const { flags } = flagsOf(csv, 'csv', { field: 'converted', positiveValues: ['1'] }, 0);
    expect(flags.get('days_since_created')).toMatch(/^it is the lead's age/);
    // The last activity counts from another date.
    expect(flags.get('days_since_last_activity')).toBeUndefined();
    // Without stored history (a CSV handed to the trainer), the lead's age is the admin's to judge.
    const { table } = tableOf(csv, { field: 'converted', positiveValues: ['1'] });
    const age = DEMO_FEATURE_SPECS.filter((spec) => spec.key === 'days_since_created');
    expect(inspectTrainingData(table, age, 'csv', today).leakage).toEqual([]);
  });

  it('flags the lead’s age by its field when no lead has a created date (a file imported without choosing its created date column), and nothing else for it', () => {
    // A HubSpot export, its created date under the label "Create Date", imported with no created date column: every lead is read, undated.
    const rule = { field: 'converted', positiveValues: ['1'] };
    const undated = csv.map(({ fields: { created_at, ...fields }, ...lead }) => ({ ...lead, createdAt: 0, fields: { ...fields, 'Create Date': created_at } }));
    const { table, createdAt } = selectionOf(undated, { createdAfter: null, createdBefore: null }, rule);
    expect(createdAt.every(Number.isNaN)).toBe(true);
    const specs = candidateFeatures(DEMO_FEATURE_SPECS, table, 'csv', [rule.field]).candidates.map((c) => c.spec);
    const flags = new Map(inspectTrainingData(table, specs, 'csv', today, { minAgeDays: 0, createdAt }).leakage.map((flag) => [flag.key, flag]));
    expect(flags.get('days_since_created')).toEqual({ key: 'days_since_created', label: 'Days since created', field: 'Create Date', reason: undatedLeadAgeReason('Create Date') });
    expect(undatedLeadAgeReason('Create Date')).toMatch(/^it is the lead's age, read from "Create Date", .* the model would rank new leads low for being new, not for being unlikely to convert$/);
    // The last activity counts from another date, and the history's other fields are flagged as with created dates (none).
    expect([...flags.keys()]).toEqual(['days_since_created']);
    // Mapped to a column that is no created date, the feature is the admin's to judge; with a created date known, its values say (see above).
    const moved = specs.map((spec) => (spec.key === 'days_since_created' ? mapSpec(spec, 'csv', 'last_activity_at') : spec));
    expect(inspectTrainingData(table, moved, 'csv', today, { minAgeDays: 0, createdAt }).leakage).toEqual([]);
    // Whatever the source, the catalogue's created fields are read as created dates, as a file's usual headers are; other dates are not.
    const catalogued = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'days_since_created')!;
    expect(catalogued.derive.kind === 'daysSince' && Object.values(catalogued.derive.from)).toEqual(['CreatedDate', 'createdate', 'created_at']);
    for (const field of ['CreatedDate', 'createdate', 'created_at', 'Create Date', 'Created', 'Created On']) expect(namesCreatedDate(field), field).toBe(true);
    for (const field of ['last_activity_at', 'LastActivityDate', 'Close Date', 'Company_Founded_Date__c']) expect(namesCreatedDate(field), field).toBe(false);
  });

  it('flags the lead’s age by its field’s name in the languages CRM exports are headed in', () => {
    const rule = { field: 'converted', positiveValues: ['1'] };
    for (const created of ['Erstellt am', 'Date de création', '作成日']) {
      const undated = csv.map(({ fields: { created_at, ...fields }, ...lead }) => ({ ...lead, createdAt: 0, fields: { ...fields, [created]: created_at } }));
      const { table, createdAt } = selectionOf(undated, { createdAfter: null, createdBefore: null }, rule);
      const catalogued = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'days_since_created')!;
      const age = mapSpec(catalogued, 'csv', created);
      expect(inspectTrainingData(table, [age], 'csv', today, { minAgeDays: 0, createdAt }).leakage, created).toEqual([
        { key: 'days_since_created', label: 'Days since created', field: created, reason: undatedLeadAgeReason(created) },
      ]);
    }
  });
});
