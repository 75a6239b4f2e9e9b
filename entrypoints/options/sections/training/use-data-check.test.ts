/**
 * The catalogue the data check maps fields by: a model trained on Salesforce reads lead source on
 * Salesforce pages only, and retraining on HubSpot while it is active must still find HubSpot's field.
 */
import { expect, it } from 'vitest';
import { bundledModel } from '@/lib/ml/bundled-model';
import { candidateFeatures } from '@/lib/ml/train/training-set';
import { featureCatalogue } from './use-data-check';

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
