// @vitest-environment happy-dom
/**
 * The training report's precision–recall area comes with the held-out conversions it rests on:
 * chance moves it far on few, and unlike the ranking quality's its margin has no formula to give.
 * Its comparison with the active model names the fields that model reads which this training left
 * out as leaking, and says its stored scores may flatter it only where it may have learnt from these leads.
 */
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { bundledModel } from '@/lib/ml/bundled-model';
import { FeatureSpecListSchema } from '@/lib/ml/manifest';
import { KEEPS_CHANGING_REASON } from '@/lib/ml/train/training-set';
import demoFeatureSpecs from '@/models/demo-features.json';
import { handMadeManifest } from '@/test/fixtures/manifest';
import { trainedEvent } from '@/test/fixtures/trained-event';
import { describeComparison, TrainingReport } from './TrainingReport';

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();

const TRAINED = trainedEvent({
  data: { source: 'csv', window: { createdAfter: null, createdBefore: null }, outcome: { field: 'converted', positiveValues: ['1'] }, now: '2026-11-01T00:00:00.000Z' },
  manifest: bundled,
  summary: { rows: 5000, positives: 464, cvRocAuc: bundled.metrics.cvRocAuc!, cvPrAuc: bundled.metrics.cvPrAuc!, ece: bundled.metrics.ece!, features: 17, trainSeconds: 1 },
});

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/** The figure the report gives under the term starting `term`. */
function figureUnder(trained: typeof TRAINED, term: string): string | null | undefined {
  rendered = render(createElement(TrainingReport, { trained }));
  return Array.from(rendered.container.querySelectorAll('dt')).find((dt) => dt.textContent?.startsWith(term))?.nextElementSibling?.textContent;
}

it('gives the precision–recall area the held-out conversions it rests on, counted as the ranking quality’s margin counts them', () => {
  expect(figureUnder(TRAINED, 'Precision–recall area')).toBe('0.345 (on 464 conversions held out: the fewer they are, the more chance alone moves it)');
  rendered?.unmount();
  // 12 converted of 120 held out: a precision–recall area chance alone moves from about 0.19 to 0.66.
  const few = { tp: 5, fp: 10, tn: 98, fn: 7, precision: 1 / 3, recall: 5 / 12 };
  const manifest = { ...bundled, metrics: { ...bundled.metrics, tierConfusion: { hot: { threshold: 0.3, ...few }, warm: { threshold: 0.1, ...few } } } };
  expect(figureUnder({ ...TRAINED, manifest, summary: { ...TRAINED.summary, cvPrAuc: 0.4 } }, 'Precision–recall area')).toBe(
    '0.400 (on 12 conversions held out: the fewer they are, the more chance alone moves it)',
  );
});

it("says before Activate that the leads trained on were Demo mode's made-up ones, and nothing of it for the company's own", () => {
  const onDemoLeads = { ...TRAINED, manifest: { ...bundled, provenance: { ...bundled.provenance, source: 'salesforce demo leads', demoLeads: true as const } } };
  rendered = render(createElement(TrainingReport, { trained: onDemoLeads }));
  expect(rendered.container.querySelector('[role="note"][data-testid="demo-leads-note"]')?.textContent).toBe(
    "These were Demo mode's made-up leads, not yours. The figures below show how training works, not which of your leads convert. " +
      'Made active, it is named in badges, the side panel and Options as a model trained on made-up demo leads, not on yours.',
  );
  rendered.unmount();
  rendered = render(createElement(TrainingReport, { trained: { ...TRAINED, manifest: { ...bundled, provenance: { ...bundled.provenance, source: 'salesforce leads' } } } }));
  expect(rendered.container.querySelector('[data-testid="demo-leads-note"]')).toBeNull();
});

it("says what converted means as the model recorded it: by the labels the CRM's pages show for the rule's values", () => {
  const outcomeRule = { source: 'hubspot' as const, field: 'lifecyclestage', positiveValues: ['1234567', 'opportunity', 'customer'], settledAfterDays: 30 };
  const hubspot = { ...TRAINED, data: { ...TRAINED.data, source: 'hubspot' as const, outcome: { field: outcomeRule.field, positiveValues: outcomeRule.positiveValues } } };
  const trainedOutcome = (manifest: typeof bundled) => {
    rendered = render(createElement(TrainingReport, { trained: { ...hubspot, manifest } }));
    const said = rendered.container.querySelector('[data-testid="trained-outcome"]')?.textContent;
    rendered.unmount();
    rendered = undefined;
    return said;
  };
  expect(trainedOutcome({ ...bundled, outcomeRule: { ...outcomeRule, valueLabels: { '1234567': 'Product Qualified Lead', opportunity: 'Opportunity', customer: 'Customer' } } })).toBe(
    '"Lifecycle stage" is Product Qualified Lead, Opportunity or Customer, for HubSpot leads',
  );
  // The CRM could not say: by the values.
  expect(trainedOutcome({ ...bundled, outcomeRule })).toBe('"Lifecycle stage" is 1234567, opportunity or customer, for HubSpot leads');
});

describe("the comparison with the active model says what its figure rests on, as far as the training knew the active model", () => {
  const catalogue = FeatureSpecListSchema.parse(demoFeatureSpecs);
  const spec = (key: string) => catalogue.find((candidate) => candidate.key === key)!;
  const reading = (...keys: string[]) =>
    handMadeManifest({
      features: keys.map((key) => ({ key, label: spec(key).label, type: 'numeric', derive: { kind: 'value', from: { hubspot: (spec(key).derive as { from: { hubspot: string } }).from.hubspot } } })),
      terms: keys.map((key, i) => ({ features: [i], label: spec(key).label })),
      intercept: -2,
    });
  const onHubspot = { ...TRAINED, data: { ...TRAINED.data, source: 'hubspot' as const, outcome: { field: 'lifecyclestage', positiveValues: ['customer'] } }, manifest: reading('employees') };
  const compared = { kind: 'compared' as const, activeModelId: bundled.modelId, rows: 1502, newRocAuc: 0.685, activeRocAuc: 0.792, differenceStandardError: 0.02, activeHeldOut: false };
  const leftOut = [
    { spec: spec('web_visits'), reason: KEEPS_CHANGING_REASON },
    { spec: spec('page_views'), reason: KEEPS_CHANGING_REASON },
  ];
  const figureOf = (said: string) => said.slice(said.indexOf('against 0.792'));

  it("names the default model's features reading a field the guard left out, and says it learnt from made-up leads, not these", () => {
    expect(figureOf(describeComparison({ ...onHubspot, comparison: compared }, { activeModel: bundled, flaggedLeftOut: leftOut }))).toBe(
      "against 0.792 (from its stored scores: it learnt from made-up demo leads, not from these); the active model's figure rests on Website visits and Page views, which this training left out as changing after the outcome, and may flatter it",
    );
  });

  it('names no field the new model reads all the same (the admin ticked a flagged feature), and nothing when none is left out', () => {
    const keptVisits = { ...onHubspot, manifest: reading('employees', 'web_visits'), comparison: compared };
    expect(figureOf(describeComparison(keptVisits, { activeModel: bundled, flaggedLeftOut: leftOut }))).toMatch(/figure rests on Page views, which this training left out as changing after the outcome, and may flatter it$/);
    expect(figureOf(describeComparison({ ...onHubspot, comparison: compared }, { activeModel: bundled, flaggedLeftOut: [] }))).toBe(
      'against 0.792 (from its stored scores: it learnt from made-up demo leads, not from these)',
    );
  });

  it('keeps the caveat of stored scores where the active model may have learnt from these leads: an imported model, or one trained here on the demo leads read again', () => {
    const imported = { ...bundled, modelId: 'ebm-imported', provenance: { ...bundled.provenance, source: 'hubspot-export.csv' } };
    expect(figureOf(describeComparison({ ...onHubspot, comparison: { ...compared, activeModelId: imported.modelId } }, { activeModel: imported, flaggedLeftOut: [] }))).toBe(
      'against 0.792 (from its stored scores, which flatter it if it learnt from these same leads)',
    );
    const onDemoLeads = { ...bundled, modelId: 'ebm-demo', provenance: { ...bundled.provenance, source: 'hubspot demo leads', demoLeads: true as const } };
    const demoAgain = { ...onHubspot, data: { ...onHubspot.data, demo: true }, comparison: { ...compared, activeModelId: onDemoLeads.modelId } };
    expect(figureOf(describeComparison(demoAgain, { activeModel: onDemoLeads, flaggedLeftOut: [] }))).toMatch(/which flatter it if it learnt from these same leads\)$/);
    // The company's own leads: not those it learnt from.
    expect(figureOf(describeComparison({ ...demoAgain, data: onHubspot.data }, { activeModel: onDemoLeads, flaggedLeftOut: [] }))).toMatch(/it learnt from made-up demo leads, not from these\)$/);
  });

  it('names the model compared by its id, not as the active model, once another is active', () => {
    expect(describeComparison({ ...onHubspot, comparison: compared }, { activeModel: bundled, flaggedLeftOut: leftOut.slice(0, 1) }, 'ebm-activated-since')).toBe(
      `on the 1,502 leads of this history ${bundled.modelId}, which was active when training began (ebm-activated-since is active now, and was not compared), has scored, ` +
        'this model ranks them less well: ROC-AUC 0.685 (its held-out scores of these leads pooled across the folds, not averaged over them) ' +
        `against 0.792 (from its stored scores: it learnt from made-up demo leads, not from these); ${bundled.modelId}'s figure rests on Website visits, which this training left out as changing after the outcome, and may flatter it`,
    );
  });

  it('says nothing it cannot know of a model compared that is not the one the training read as active', () => {
    expect(figureOf(describeComparison({ ...onHubspot, comparison: { ...compared, activeModelId: 'ebm-other' } }, { activeModel: bundled, flaggedLeftOut: leftOut }))).toBe(
      'against 0.792 (from its stored scores, which flatter it if it learnt from these same leads)',
    );
  });
});
