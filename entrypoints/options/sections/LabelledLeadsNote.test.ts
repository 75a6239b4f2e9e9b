// @vitest-environment happy-dom
/** The note under the model report's and tier preview's figures: which leads, read with which probabilities. */
import { createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import type { ModelOutcomeRule } from '@/lib/ml/outcome-rule';
import { render, type Rendered } from '@/test/render';
import { LabelledLeadsNote } from './LabelledLeadsNote';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

function noteFor(heldOut: number, outcomeRule?: ModelOutcomeRule): string {
  rendered?.unmount();
  const labelled = { labels: Uint8Array.from([1, 0, 1, 0]), probabilities: Float64Array.from([0.9, 0.1, 0.6, 0.3]), heldOut, ranked: Float64Array.from([0.9, 0.1, 0.6, 0.3]) };
  rendered = render(createElement(LabelledLeadsNote, { labelled, outcomeRule }));
  return rendered.container.querySelector('[data-testid="labelled-leads"]')?.textContent ?? '';
}

it('warns that a model’s own scores flatter it when LeadLens cannot tell which leads it learnt from (bundled or imported)', () => {
  expect(noteFor(0)).toBe(
    'Computed from the 4 stored leads with a known outcome (created 30 or more days ago), scored by this model. If it was trained on any of these leads, these figures make it look better than it will do on new leads (LeadLens knows which leads a model learnt from only when it trained the model).',
  );
});

it('reads the leads a model trained here learnt from with its check model’s probabilities, without that warning', () => {
  expect(noteFor(3)).toBe(
    'Computed from the 4 stored leads with a known outcome (created 30 or more days ago, or learnt from): the 3 it learnt from are scored by a check model that never saw them, as when its thresholds were chosen (its own scores of leads it learnt from would flatter it); the other 1 by this model.',
  );
});

it('says the minimum age the model was trained with, and that every lead counts when it had none', () => {
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  expect(noteFor(3, { ...rule, settledAfterDays: 90 })).toMatch(/^Computed from the 4 stored leads with a known outcome \(created 90 or more days ago, or learnt from\): /);
  expect(noteFor(0, { ...rule, settledAfterDays: 0 })).toMatch(/^Computed from the 4 stored leads with a known outcome \(however new\), scored by this model\./);
  // A model stored before it recorded one: 30 days, as before.
  expect(noteFor(0, rule)).toMatch(/^Computed from the 4 stored leads with a known outcome \(created 30 or more days ago\), /);
});
