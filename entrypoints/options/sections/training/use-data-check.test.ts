/**
 * The catalogue the data check maps fields by: a model trained on Salesforce reads lead source on
 * Salesforce pages only, and retraining on HubSpot while it is active must still find HubSpot's field.
 */
import { expect, it } from 'vitest';
import { bundledModel } from '@/lib/ml/bundled-model';
import { candidateFeatures } from '@/lib/ml/train/training-set';
import { featureCatalogue, sharedFields } from './use-data-check';

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();

it('fills in the other CRM field an active feature trained on one CRM lacks, keeping the fields it was trained on', () => {
  const leadSource = bundled.features.find((feature) => feature.key === 'lead_source')!;
  expect(leadSource.derive.kind).toBe('value');
  if (leadSource.derive.kind !== 'value') return;
  const salesforceOnly = { ...leadSource, derive: { ...leadSource.derive, from: { salesforce: 'My_Source__c' } } };
  const active = { ...bundled, features: bundled.features.map((feature) => (feature.key === 'lead_source' ? salesforceOnly : feature)) };
  const spec = featureCatalogue(active).find((candidate) => candidate.key === 'lead_source')!;
  expect(spec.derive.kind === 'value' && spec.derive.from).toEqual({ ...leadSource.derive.from, salesforce: 'My_Source__c' });
  // Training on HubSpot maps it to the portal's field, not to an inferred copy of it.
  const table = { columns: ['hs_analytics_source', 'converted'], records: [{ hs_analytics_source: 'OFFLINE', converted: '1' }] };
  const { candidates } = candidateFeatures([spec], table, 'hubspot', []);
  expect(candidates.find((candidate) => candidate.spec.key === 'lead_source')?.origin).toBe('catalogue');
});

it("gives an active feature the catalogue's page labels of the fields it shares back, under its own: it kept those of its levels only", () => {
  const leadSource = bundled.features.find((feature) => feature.key === 'lead_source')!;
  if (leadSource.derive.kind !== 'value') throw new Error('lead source reads a value');
  const catalogued = leadSource.derive.optionLabels?.hubspot;
  const activeWith = (derive: typeof leadSource.derive) => ({ ...bundled, features: bundled.features.map((feature) => (feature.key === 'lead_source' ? { ...leadSource, derive } : feature)) });
  const derived = (derive: typeof leadSource.derive) => featureCatalogue(activeWith(derive)).find((candidate) => candidate.key === 'lead_source')!.derive;

  // Trained on Salesforce: the HubSpot labels were trimmed with HubSpot's field.
  expect(derived({ kind: 'value', from: { salesforce: 'LeadSource', csv: 'lead_source' } })).toEqual({ kind: 'value', from: leadSource.derive.from, optionLabels: { hubspot: catalogued } });
  // Trained on a portal that renamed one option: its word stays, the catalogue's fill in the others.
  expect(derived({ kind: 'value', from: { hubspot: 'hs_analytics_source' }, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Social (ours)' } } })).toMatchObject({
    optionLabels: { hubspot: { ...catalogued, SOCIAL_MEDIA: 'Social (ours)' } },
  });
  // Read from another property: the catalogue's labels are of another field.
  expect(derived({ kind: 'value', from: { hubspot: 'hs_latest_source' }, optionLabels: { hubspot: { PAID: 'Paid' } } })).toMatchObject({ optionLabels: { hubspot: { PAID: 'Paid' } } });
  expect(derived({ kind: 'value', from: { hubspot: 'hs_latest_source' } })).not.toHaveProperty('optionLabels');
});

it('finds the fields two features chosen read, naming both, but not the fields a ratio reads beside the features reading each', () => {
  const catalogue = featureCatalogue(undefined);
  const of = (key: string) => catalogue.find((candidate) => candidate.key === key)!;
  const industry = of('industry');
  if (industry.derive.kind !== 'value') throw new Error('industry reads a value');
  // Industry moved to the field Lead source reads.
  const industryOnLeadSource = { ...industry, derive: { ...industry.derive, from: { ...industry.derive.from, hubspot: 'hs_analytics_source' } } };
  const chosen = [industryOnLeadSource, of('lead_source'), of('email_clicks'), of('email_opens'), of('email_click_rate'), of('country')];
  expect(sharedFields(chosen, 'hubspot')).toEqual([{ field: 'hs_analytics_source', labels: ['Industry', of('lead_source').label] }]);
  // On another source each reads its own field.
  expect(sharedFields(chosen, 'salesforce')).toEqual([]);
  // Industry moved to the job title, which Title seniority reads otherwise: two signals, not one twice.
  const seniority = of('title_seniority');
  if (seniority.derive.kind !== 'titleSeniority') throw new Error('title seniority reads a title');
  const industryOnTitle = { ...industry, derive: { ...industry.derive, from: { ...industry.derive.from, hubspot: seniority.derive.from.hubspot } } };
  expect(sharedFields([industryOnTitle, seniority], 'hubspot')).toEqual([]);
});
