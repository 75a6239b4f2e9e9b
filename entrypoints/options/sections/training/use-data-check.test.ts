// @vitest-environment happy-dom
/**
 * The catalogue the data check maps fields by: a model trained on Salesforce reads lead source on
 * Salesforce pages only, and retraining on HubSpot while it is active must still find HubSpot's field.
 */
import { act, createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { SOURCE_KINDS } from '@/lib/crm/types';
import { bundledModel } from '@/lib/ml/bundled-model';
import type { SourceKind } from '@/lib/ml/featurize';
import type { Manifest } from '@/lib/ml/manifest';
import { candidateFeatures, mapSpec, OUTCOME_COLUMN } from '@/lib/ml/train/training-set';
import type { TrainingEvent, TrainingRequest } from '@/lib/ml/train/worker-protocol';
import { render, type Rendered } from '@/test/render';
import { FeaturePicker } from './FeaturePicker';
import type { HistorySample } from './history-sample';
import { featureCatalogue, movedFields, sharedFields, useDataCheck, type TrainingWorker } from './use-data-check';

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();

it('fills in the other CRM field an active feature trained on one CRM lacks, a field the admin moved it to kept as their choice, not as its name', () => {
  const leadSource = bundled.features.find((feature) => feature.key === 'lead_source')!;
  expect(leadSource.derive.kind).toBe('value');
  if (leadSource.derive.kind !== 'value') return;
  const salesforceOnly = { ...leadSource, derive: { ...leadSource.derive, from: { salesforce: 'My_Source__c' } } };
  const active = { ...bundled, features: bundled.features.map((feature) => (feature.key === 'lead_source' ? salesforceOnly : feature)) };
  const spec = featureCatalogue(active).find((candidate) => candidate.key === 'lead_source')!;
  // My_Source__c is no name of lead source's: the catalogue's field stays its Salesforce name, and the admin's field is where training on Salesforce starts.
  expect(spec.derive.kind === 'value' && spec.derive.from).toEqual(leadSource.derive.from);
  expect([...movedFields(active, 'salesforce')]).toEqual([['lead_source', 'My_Source__c']]);
  expect(movedFields(active, 'hubspot').size).toBe(0);
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
  // Moved to another property (`movedFields`): the catalogue's field, with its labels, not the other property's.
  expect(derived({ kind: 'value', from: { hubspot: 'hs_latest_source' }, optionLabels: { hubspot: { PAID: 'Paid' } } })).toEqual({ kind: 'value', from: leadSource.derive.from, optionLabels: { hubspot: catalogued } });
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

describe('retraining from an active model with a feature the admin moved to a field of their own', () => {
  const catalogueRevenue = featureCatalogue(undefined).find((spec) => spec.key === 'annual_revenue')!;
  // Trained on Salesforce with revenue moved to a custom field in thousands: the model reads it there only.
  const active: Manifest = {
    ...bundled,
    features: bundled.features.map((feature) => (feature.key === 'annual_revenue' ? { ...feature, derive: mapSpec(catalogueRevenue, 'salesforce', 'Revenue_k__c').derive } : feature)),
  };
  const FIELDS: Record<SourceKind, string[]> = { salesforce: ['AnnualRevenue', 'Revenue_k__c', 'IsConverted'], hubspot: ['annualrevenue', 'converted'], csv: ['annual_revenue', 'converted'] };
  const rowsOf = (source: SourceKind) =>
    Array.from({ length: 4 }, (_, row) => ({ ...Object.fromEntries(FIELDS[source].map((field) => [field, String(100 + row)])), [OUTCOME_COLUMN]: String(row % 2) }));

  let rendered: Rendered | undefined;
  afterEach(() => {
    rendered?.unmount();
    rendered = undefined;
  });

  /** The form's data check of `source` with `active` active, the worker answering as the training worker does (no field flagged), then its feature picker. */
  function checkedOn(source: SourceKind) {
    const requests: TrainingRequest[] = [];
    let dataCheck: ReturnType<typeof useDataCheck> | undefined;
    const history = { leads: 4, demo: false, demoLeftOut: 0, fields: FIELDS[source], outcomeValues: {} } as unknown as HistorySample;
    function Form({ state }: { state: TrainingWorker['state'] }) {
      const worker = { state, start: (request: TrainingRequest) => requests.push(request), cancel: () => {}, reset: () => {}, send: () => {} } as unknown as TrainingWorker;
      dataCheck = useDataCheck({ worker, source, history, activeModel: active, checkMovedFields: false });
      const { inspected, choices, verdicts } = dataCheck;
      return inspected && createElement(FeaturePicker, { source, candidates: inspected.candidates, fields: FIELDS[source], choices, verdicts, checking: false, onChange: dataCheck.chooseFeature });
    }
    const answer = (event: TrainingEvent) => rendered!.rerender(createElement(Form, { state: { kind: 'finished', event } as TrainingWorker['state'] }));
    rendered = render(createElement(Form, { state: { kind: 'idle' } }));
    act(() => dataCheck!.check({ source, window: { createdAfter: null, createdBefore: null }, outcome: { field: FIELDS[source][FIELDS[source].length - 1], positiveValues: ['1'] }, now: '2026-11-01T00:00:00.000Z' }));
    const inspect = requests.at(-1)!;
    if (inspect.type !== 'inspect') throw new Error('the check inspects the data');
    const table = { columns: [...FIELDS[source], OUTCOME_COLUMN], records: rowsOf(source) };
    const { candidates } = candidateFeatures(inspect.catalogue, table, source, [inspect.data.outcome.field]);
    answer({ type: 'inspected', rows: 4, conversions: 2, withoutCreatedDate: 0, withoutOutcome: 0, stillBeingWorked: 0, candidates, leakage: [], fieldNotes: [] });
    const revenue = () => dataCheck!.includedSpecs().find((spec) => spec.key === 'annual_revenue');
    // The note heard at the feature's checkbox.
    const note = () => {
      const id = rendered!.container.querySelector('tr[data-feature="annual_revenue"] input')?.getAttribute('aria-describedby');
      return id ? document.getElementById(id)?.textContent : null;
    };
    return { requests, dataCheck: () => dataCheck!, revenue, note, answer };
  }

  it('has none moved in a model trained on the catalogue’s fields', () => {
    expect(SOURCE_KINDS.map((source) => movedFields(bundled, source).size)).toEqual([0, 0, 0]);
  });

  it('starts a Salesforce retrain on the moved field, read on Salesforce only and saying so, as a fresh move', () => {
    const form = checkedOn('salesforce');
    expect(form.dataCheck().choices.annual_revenue).toEqual({ included: true, field: 'Revenue_k__c' });
    // The check read the catalogue's field: the moved one waits for a check of the changed fields, which reads Salesforce's field only.
    expect(form.dataCheck().unchecked.map(({ spec }) => spec.key)).toEqual(['annual_revenue']);
    act(() => form.dataCheck().checkChangedFields());
    expect(form.requests.at(-1)).toMatchObject({ type: 'check-features', specs: [{ key: 'annual_revenue', derive: { kind: 'value', from: { salesforce: 'Revenue_k__c' } } }] });
    form.answer({ type: 'features-checked', leakage: [] });
    expect(form.revenue()?.derive).toEqual({ kind: 'value', from: { salesforce: 'Revenue_k__c' } });
    expect(form.note()).toBe(
      'Annual revenue is read on Salesforce pages only: its fields elsewhere need not hold what "Revenue_k__c" holds, so badges on HubSpot pages and leads imported from a file leave it out.',
    );
  });

  it('retrains on HubSpot by the catalogue’s fields, Salesforce’s AnnualRevenue back in place of the custom field, with no note', () => {
    const form = checkedOn('hubspot');
    expect(form.dataCheck().unchecked).toEqual([]);
    expect(form.revenue()?.derive).toEqual(catalogueRevenue.derive);
    expect(form.note()).toBeNull();
  });
});
