// @vitest-environment happy-dom
/**
 * The training report's precision–recall area comes with the held-out conversions it rests on:
 * chance moves it far on few, and unlike the ranking quality's its margin has no formula to give.
 */
import { createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { bundledModel } from '@/lib/ml/bundled-model';
import { trainedEvent } from '@/test/fixtures/trained-event';
import { TrainingReport } from './TrainingReport';

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
