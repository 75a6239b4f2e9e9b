/** The active model's CSV columns a file lacks, said at the import's preview. */
import { describe, expect, it } from 'vitest';
import { DEMO_HISTORY_COLUMNS } from '../crm/demo-data';
import manifestJson from '../../models/manifest.json';
import { parseManifest } from '../ml/manifest';
import { missingModelColumnsWarnings, modelColumnsMissing } from './model-columns';

const parsed = parseManifest(manifestJson);
if (!parsed.ok) throw new Error(parsed.error);
const bundled = parsed.manifest;

describe('modelColumnsMissing', () => {
  it('finds every column the bundled model reads in the history export it was trained on', () => {
    expect(modelColumnsMissing(bundled.features, DEMO_HISTORY_COLUMNS)).toEqual([]);
  });

  it('names the columns a re-export renamed, not those only written in another case (scoring finds those)', () => {
    const renamed: Record<string, string> = { title: 'Job Title', industry: 'Industry', annual_revenue: 'Annual Revenue', employees: 'Employees', country: 'Country', lead_source: 'Lead Source' };
    const columns = DEMO_HISTORY_COLUMNS.map((column) => renamed[column] ?? column);
    expect(modelColumnsMissing(bundled.features, columns)).toEqual(['lead_source', 'annual_revenue', 'title']);
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
