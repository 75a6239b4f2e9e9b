import { describe, expect, it } from 'vitest';
import { exportHeadersOf } from '../../crm/export-headers';
import { namesCreatedColumn, namesLeadSourceColumn } from '../../csv/mapping';
import { DEMO_FEATURE_SPECS, generateDemoLeads } from '../../crm/demo-data';
import { sourceSupplies, type RawRecord } from '../featurize';
import type { FeatureSpec } from '../manifest';
import { trainModel } from './index';
import { OUTCOME_COLUMN, candidateFeatures, fieldOf, suggestField, trainingTableBuilder, type OutcomeRule } from './training-set';

const now = new Date('2026-11-01T00:00:00Z');
const demo = generateDemoLeads({ count: 1500, seed: 11, now });

/** A Salesforce lead report saved as CSV: its columns headed as the report heads them, every cell text. */
const SALESFORCE_REPORT: Record<string, string> = {
  Company: 'Company / Account',
  Title: 'Title',
  LeadSource: 'Lead Source',
  Industry: 'Industry',
  AnnualRevenue: 'Annual Revenue',
  NumberOfEmployees: 'No. of Employees',
  Country: 'Country',
  Email: 'Email',
  HasOptedOutOfEmail: 'Email Opt Out',
  CreatedDate: 'Create Date',
  LastActivityDate: 'Last Activity',
  IsConverted: 'Converted',
};

/** A HubSpot contacts export: its columns headed by the properties' labels. */
const HUBSPOT_EXPORT: Record<string, string> = {
  jobtitle: 'Job Title',
  industry: 'Industry',
  annualrevenue: 'Annual Revenue',
  numemployees: 'Number of Employees',
  country: 'Country/Region',
  hs_analytics_source: 'Original Source',
  email: 'Email',
  hs_analytics_num_visits: 'Number of Sessions',
  hs_analytics_num_page_views: 'Number of Pageviews',
  num_conversion_events: 'Number of Form Submissions',
  hs_email_open: 'Marketing emails opened',
  hs_email_click: 'Marketing emails clicked',
  hs_analytics_last_url: 'Last Page Seen',
  notes_last_updated: 'Last Activity Date',
  createdate: 'Create Date',
  hs_email_optout: 'Unsubscribed from all email',
  lifecyclestage: 'Lifecycle Stage',
};

/** `fields` as a file exported under `headers` holds them: only those columns, each value as text. */
const exported = (fields: Record<string, unknown>, headers: Record<string, string>): RawRecord =>
  Object.fromEntries(Object.entries(headers).map(([name, header]) => [header, fields[name] === null || fields[name] === undefined ? '' : String(fields[name])]));

function fileOf(records: readonly RawRecord[], rule: OutcomeRule) {
  const builder = trainingTableBuilder(rule);
  records.forEach((fields, i) => builder.add({ key: `csv|${i}`, createdAt: 0, fields }));
  return builder.result().table;
}

/** The catalogue's own spec of `key`. */
const catalogueSpec = (key: string): FeatureSpec => DEMO_FEATURE_SPECS.find((spec) => spec.key === key)!;

/** The CRM fields a spec reads, by CRM: what Salesforce's and HubSpot's pages read it by. */
const crmFieldsOf = ({ derive }: FeatureSpec) =>
  derive.kind === 'ratio'
    ? { numerator: [derive.numerator.salesforce, derive.numerator.hubspot], denominator: [derive.denominator.salesforce, derive.denominator.hubspot] }
    : [derive.from.salesforce, derive.from.hubspot];

/** Trains `specs` on `table` as the training job trains a file's history, and gives the model's features. */
const trainedFeatures = (table: ReturnType<typeof fileOf>, specs: FeatureSpec[]) =>
  trainModel({ records: table.records, columns: table.columns, target: OUTCOME_COLUMN, positive: '1', specs, source: 'csv', now, options: { cv: 3, seed: 7, ebm: { outerBags: 2, interactions: 0 } } }).manifest.features;

describe('a CRM export’s columns under their standard headers', () => {
  it('map a Salesforce lead report’s columns to the built-in features, which keep their Salesforce and HubSpot fields when trained', () => {
    const table = fileOf(
      demo.map((lead) => exported(lead.salesforce, SALESFORCE_REPORT)),
      { field: 'Converted', positiveValues: ['true'] },
    );
    const { candidates } = candidateFeatures(DEMO_FEATURE_SPECS, table, 'csv', ['Converted']);
    const catalogue = new Map(candidates.filter(({ origin }) => origin === 'catalogue').map(({ spec }) => [spec.key, spec]));
    const expected = {
      lead_source: 'Lead Source',
      industry: 'Industry',
      annual_revenue: 'Annual Revenue',
      employees: 'No. of Employees',
      title_seniority: 'Title',
      country: 'Country',
      email_domain: 'Email',
      days_since_created: 'Create Date',
      days_since_last_activity: 'Last Activity',
      email_opted_out: 'Email Opt Out',
    };
    for (const [key, header] of Object.entries(expected)) {
      expect(catalogue.get(key) && fieldOf(catalogue.get(key)!, 'csv'), key).toBe(header);
      expect(crmFieldsOf(catalogue.get(key)!), key).toEqual(crmFieldsOf(catalogueSpec(key)));
    }
    // None of them is left to be "another field of your data", read from the file only.
    const inferred = candidates.filter(({ origin }) => origin === 'inferred').map(({ spec }) => fieldOf(spec, 'csv'));
    for (const header of Object.values(expected)) expect(inferred, header).not.toContain(header);

    const features = trainedFeatures(table, ['employees', 'email_opted_out', 'lead_source', 'country'].map((key) => catalogue.get(key)!));
    for (const feature of features) {
      expect(crmFieldsOf(feature), feature.key).toEqual(crmFieldsOf(catalogueSpec(feature.key)));
      expect([sourceSupplies(feature, 'salesforce'), sourceSupplies(feature, 'hubspot')], feature.key).toEqual([true, true]);
    }
    expect(features.find((feature) => feature.key === 'employees')!.derive).toMatchObject({ from: { csv: 'No. of Employees', salesforce: 'NumberOfEmployees', hubspot: 'numemployees' } });
  });

  it('map a HubSpot contacts export’s columns to the built-in features, a ratio’s two parts included, which keep their CRM fields when trained', () => {
    const table = fileOf(
      demo.map((lead) => exported(lead.hubspot, HUBSPOT_EXPORT)),
      { field: 'Lifecycle Stage', positiveValues: ['opportunity', 'customer'] },
    );
    const { candidates } = candidateFeatures(DEMO_FEATURE_SPECS, table, 'csv', ['Lifecycle Stage']);
    const catalogue = new Map(candidates.filter(({ origin }) => origin === 'catalogue').map(({ spec }) => [spec.key, spec]));
    const expected = {
      lead_source: 'Original Source',
      industry: 'Industry',
      annual_revenue: 'Annual Revenue',
      employees: 'Number of Employees',
      title_seniority: 'Job Title',
      country: 'Country/Region',
      email_domain: 'Email',
      days_since_created: 'Create Date',
      days_since_last_activity: 'Last Activity Date',
      web_visits: 'Number of Sessions',
      page_views: 'Number of Pageviews',
      conversion_events: 'Number of Form Submissions',
      email_opens: 'Marketing emails opened',
      email_clicks: 'Marketing emails clicked',
      last_page: 'Last Page Seen',
      email_opted_out: 'Unsubscribed from all email',
    };
    for (const [key, header] of Object.entries(expected)) {
      expect(catalogue.get(key) && fieldOf(catalogue.get(key)!, 'csv'), key).toBe(header);
      expect(crmFieldsOf(catalogue.get(key)!), key).toEqual(crmFieldsOf(catalogueSpec(key)));
    }
    const rate = catalogue.get('email_click_rate');
    expect(rate?.derive).toMatchObject({ numerator: { csv: 'Marketing emails clicked', hubspot: 'hs_email_click' }, denominator: { csv: 'Marketing emails opened', hubspot: 'hs_email_open' } });

    const features = trainedFeatures(table, ['employees', 'country', 'lead_source', 'email_opted_out', 'web_visits'].map((key) => catalogue.get(key)!));
    for (const feature of features) {
      expect(crmFieldsOf(feature), feature.key).toEqual(crmFieldsOf(catalogueSpec(feature.key)));
      expect(sourceSupplies(feature, 'hubspot'), feature.key).toBe(true);
    }
    expect(features.find((feature) => feature.key === 'country')!.derive).toMatchObject({ from: { csv: 'Country/Region', salesforce: 'Country', hubspot: 'country' } });
  });

  it('knows each header by its CRM field’s API name in any case, and none for a field it does not list', () => {
    expect(exportHeadersOf('salesforce', 'NumberOfEmployees')).toContain('No. of Employees');
    expect(exportHeadersOf('salesforce', 'numberofemployees')).toContain('No. of Employees');
    expect(exportHeadersOf('hubspot', 'country')).toEqual(['Country/Region']);
    expect(exportHeadersOf('hubspot', 'NumberOfEmployees')).toEqual([]);
    expect(exportHeadersOf('salesforce', 'constructor')).toEqual([]);
  });

  it('knows a lead source and a created date under every header the CSV import suggests them by, a German export’s included', () => {
    for (const crm of ['salesforce', 'hubspot'] as const) {
      const [leadSource, created] = crm === 'salesforce' ? ['LeadSource', 'CreatedDate'] : ['hs_analytics_source', 'createdate'];
      for (const header of ['Leadquelle', 'Lead Source Type', 'Original Source']) {
        expect(exportHeadersOf(crm, leadSource).filter(namesLeadSourceColumn), crm).toContain(header);
      }
      for (const header of ['Erstellt am', 'Created On', 'Create Date']) {
        expect(exportHeadersOf(crm, created).filter(namesCreatedColumn), crm).toContain(header);
      }
    }
    // So a German export's columns reach the features, not "Another field of your data".
    expect(suggestField(catalogueSpec('lead_source'), 'csv', ['Firma', 'Leadquelle'])).toBe('Leadquelle');
    expect(suggestField(catalogueSpec('days_since_created'), 'csv', ['Firma', 'Erstellt am'])).toBe('Erstellt am');
  });
});
