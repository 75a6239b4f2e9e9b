/** The active model's CSV columns a file lacks, said at the import's preview. */
import { describe, expect, it } from 'vitest';
import { DEMO_HISTORY_COLUMNS } from '../crm/demo-data';
import manifestJson from '../../models/manifest.json';
import { parseManifest } from '../ml/manifest';
import { leadSourceColumnWarnings, missingModelColumnsWarnings, modelColumnReadings, modelColumnsMissing } from './model-columns';

const parsed = parseManifest(manifestJson);
if (!parsed.ok) throw new Error(parsed.error);
const bundled = parsed.manifest;

describe('modelColumnsMissing', () => {
  it('finds every column the bundled model reads in the history export it was trained on', () => {
    expect(modelColumnsMissing(bundled.features, DEMO_HISTORY_COLUMNS)).toEqual([]);
  });

  it('names the columns a re-export renamed, not those only written another way, in case, spaces or punctuation (scoring finds those)', () => {
    const renamed: Record<string, string> = { title: 'Position', industry: 'Industry', annual_revenue: 'Annual Revenue', employees: 'Employees', country: 'Country', lead_source: 'Lead Source', email_opted_out: 'Email Opted-Out' };
    const columns = DEMO_HISTORY_COLUMNS.map((column) => renamed[column] ?? column);
    expect(modelColumnsMissing(bundled.features, columns)).toEqual(['title']);
  });

  it('finds the columns of a Salesforce report and a HubSpot export under their headers, as scoring finds them', () => {
    const salesforceReport = ['Lead ID', 'Lead Source', 'Industry', 'Annual Revenue', 'No. of Employees', 'Title', 'Country', 'Email', 'Create Date', 'Last Activity', 'Email Opt Out'];
    // A report has none of HubSpot's web and e-mail counts.
    expect(modelColumnsMissing(bundled.features, salesforceReport)).toEqual(['web_visits', 'page_views', 'conversion_events', 'email_opens', 'email_clicks', 'last_page_url']);
    const hubspotExport = [
      ...['Record ID', 'Original Source', 'Industry', 'Annual Revenue', 'Number of Employees', 'Job Title', 'Country/Region', 'Email', 'Create Date', 'Last Activity Date'],
      ...['Number of Sessions', 'Number of Pageviews', 'Number of Form Submissions', 'Marketing emails opened', 'Marketing emails clicked', 'Last Page Seen', 'Unsubscribed from all email'],
    ];
    expect(modelColumnsMissing(bundled.features, hubspotExport)).toEqual([]);
    expect(leadSourceColumnWarnings(bundled.features, hubspotExport, 'Original Source')).toEqual([]);
  });

  it('names both parts of a ratio, each once, and reads no CRM-only field', () => {
    const features = [
      { derive: { kind: 'ratio' as const, numerator: { csv: 'email_clicks' }, denominator: { csv: 'email_opens' } } },
      { derive: { kind: 'value' as const, from: { csv: 'email_opens' } } },
      { derive: { kind: 'value' as const, from: { salesforce: 'Rating' } } },
    ];
    expect(modelColumnsMissing(features, ['id', 'Email_Clicks'])).toEqual(['email_opens']);
    expect(modelColumnsMissing(features, ['id'])).toEqual(['email_clicks', 'email_opens']);
  });
});

describe('missingModelColumnsWarnings', () => {
  const reading = (...columns: string[]) => columns.map((csv) => ({ derive: { kind: 'value' as const, from: { csv } } }));
  it('names them, says what happens to the leads and what to do', () => {
    const model = reading('lead_source', 'annual_revenue', 'title', 'country');
    expect(missingModelColumnsWarnings(model, ['lead_source', 'annual_revenue', 'title', 'country'])).toEqual([]);
    expect(missingModelColumnsWarnings(model, ['lead_source', 'annual_revenue', 'country'])).toEqual([
      'The active model reads 1 column this file does not have: "title". Its leads will be scored without it. Rename the column, or train a model on this file.',
    ]);
    expect(missingModelColumnsWarnings(model, ['country'])).toEqual([
      'The active model reads 3 columns this file does not have: "lead_source", "annual_revenue", "title". Its leads will be scored without them. Rename the columns, or train a model on this file.',
    ]);
  });
  it('says none of the leads can be scored when the file has none of its columns', () => {
    expect(missingModelColumnsWarnings(reading('title', 'country'), ['Job Title', 'Land'])).toEqual([
      'The active model reads none of this file\'s columns (it reads "title", "country"): none of its leads can be scored by it. Rename the columns, or train a model on this file.',
    ]);
  });
});

describe('leadSourceColumnWarnings', () => {
  /** The review's file: the history export with a bare "Source" (chosen as Lead source), the revenue headed as a report heads it, and no opt-out. */
  const headed: Record<string, string> = { lead_source: 'Source', annual_revenue: 'Annual Revenue' };
  const reviewed = DEMO_HISTORY_COLUMNS.filter((column) => column !== 'email_opted_out').map((column) => headed[column] ?? column);

  it('says the model reads no lead source from the column chosen as Lead source when the file has none of its name, and how to make it read it', () => {
    expect(leadSourceColumnWarnings(bundled.features, reviewed, 'Source')).toEqual([
      '"Source", chosen as Lead source, is what the side panel filters by: the active model reads the lead source from a column "lead_source", ' +
        'which this file does not have, so it reads none. Rename "Source" to "lead_source" for the model to read it too.',
    ]);
    // The columns it lacks, found as scoring finds them: "Annual Revenue" is read.
    expect(missingModelColumnsWarnings(bundled.features, reviewed)).toEqual([
      'The active model reads 2 columns this file does not have: "lead_source", "email_opted_out". Its leads will be scored without them. Rename the columns, or train a model on this file.',
    ]);
  });

  it('says which column the model reads when the file has its lead source column and another is chosen', () => {
    expect(leadSourceColumnWarnings(bundled.features, [...reviewed, 'Lead Source'], 'Source')).toEqual([
      'The active model reads the lead source from "Lead Source", not from "Source", chosen as Lead source (what the side panel filters by). ' +
        'Choose "Lead Source" as Lead source for both to read the same column.',
    ]);
  });

  it('says nothing when the column chosen is the one the model reads, none is chosen, or the model reads no lead source', () => {
    expect(leadSourceColumnWarnings(bundled.features, ['id', 'Lead Source'], 'Lead Source')).toEqual([]);
    expect(leadSourceColumnWarnings(bundled.features, DEMO_HISTORY_COLUMNS, 'lead_source')).toEqual([]);
    expect(leadSourceColumnWarnings(bundled.features, reviewed, null)).toEqual([]);
    expect(leadSourceColumnWarnings(bundled.features, reviewed, undefined)).toEqual([]);
    expect(leadSourceColumnWarnings([{ derive: { kind: 'value', from: { csv: 'industry' } } }], reviewed, 'Source')).toEqual([]);
  });
});

describe('modelColumnReadings', () => {
  it('lists the columns the bundled model reads as dates, numbers or yes/no, found as scoring finds them, each once, and none it reads as any text', () => {
    const columns = DEMO_HISTORY_COLUMNS.map((column) => (column === 'last_activity_at' ? 'Last Activity At' : column));
    // email_clicks and email_opens are counts and a ratio's parts: read once each. Lead source, industry, title, country, e-mail and page: any text.
    expect(modelColumnReadings(bundled.features, columns).map(({ column, reading }) => `${column}: ${reading}`)).toEqual([
      'annual_revenue: number',
      'employees: number',
      'created_at: date',
      'Last Activity At: date',
      'web_visits: number',
      'page_views: number',
      'conversion_events: number',
      'email_opens: number',
      'email_clicks: number',
      'email_opted_out: yes/no',
    ]);
  });

  it('reads a cell as featurization does, the feature’s own placeholders as no value', () => {
    const [days, optedOut, ratioPart] = modelColumnReadings(
      [
        { type: 'numeric', derive: { kind: 'dayOfWeek', from: { csv: 'last_activity_at' } }, missingValues: ['unbekannt'] },
        { type: 'boolean', derive: { kind: 'value', from: { csv: 'email_opted_out' } } },
        { type: 'numeric', derive: { kind: 'ratio', numerator: { csv: 'email_clicks' }, denominator: { csv: 'email_opens' } } },
      ],
      ['last_activity_at', 'email_opted_out', 'email_clicks'],
    );
    expect(['2026-03-15', '3/15/26', 'unbekannt', ''].map((cell) => [days.filled(cell), days.unread(cell)])).toEqual([[true, false], [true, true], [false, true], [false, true]]);
    expect(['WAHR', 'Nein', '1.0', 'jawohl'].map(optedOut.unread)).toEqual([false, false, false, true]);
    // The ratio's part the file has: its denominator is missing, but the clicks are read all the same.
    expect(ratioPart).toMatchObject({ column: 'email_clicks', reading: 'number' });
    expect(['1,200', '5 clicks', 'five'].map(ratioPart.unread)).toEqual([false, false, true]);
  });
});
