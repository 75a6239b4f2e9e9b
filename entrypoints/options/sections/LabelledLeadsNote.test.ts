// @vitest-environment happy-dom
/** The note under the model report's and tier preview's figures: which leads, read with which probabilities. */
import { createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { AGES_COUNTED_TO_TODAY, agesCountedTo, type AgesCountedTo, type ModelOutcomeRule } from '@/lib/ml/outcome-rule';
import { render, type Rendered } from '@/test/render';
import { LabelledLeadsNote } from './LabelledLeadsNote';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

function noteFor(heldOut: number, outcomeRule?: ModelOutcomeRule, countedTo: AgesCountedTo = AGES_COUNTED_TO_TODAY): string {
  rendered?.unmount();
  const labelled = { labels: Uint8Array.from([1, 0, 1, 0]), probabilities: Float64Array.from([0.9, 0.1, 0.6, 0.3]), heldOut, ranked: Float64Array.from([0.9, 0.1, 0.6, 0.3]) };
  rendered = render(createElement(LabelledLeadsNote, { labelled, learntFromBy: 'cuts', outcomeRule, agesCountedTo: countedTo }));
  return rendered.container.querySelector('[data-testid="labelled-leads"]')?.textContent ?? '';
}

it('warns that a model’s own scores flatter it when LeadLens cannot tell which leads it learnt from (bundled or imported)', () => {
  expect(noteFor(0)).toBe(
    'Computed from the 4 stored leads with a known outcome (created 30 or more days ago), scored by this model. If it was trained on any of these leads, these figures make it look better than it will do on new leads (LeadLens knows which leads a model learnt from only when it trained the model).',
  );
});

it('reads the leads a model trained here learnt from with its check model’s probabilities, without that warning', () => {
  expect(noteFor(3)).toBe(
    'Computed from the 4 stored leads with a known outcome (created 30 or more days ago, or learnt from): the 3 it learnt from are scored by a check model that never saw them, as the thresholds were chosen (its own scores of leads it learnt from would flatter it); the other 1 by this model.',
  );
});

it('says the minimum age the model was trained with, and that every lead counts when it had none', () => {
  const rule: ModelOutcomeRule = { source: 'salesforce', field: 'IsConverted', positiveValues: ['true'] };
  expect(noteFor(3, { ...rule, settledAfterDays: 90 })).toMatch(/^Computed from the 4 stored leads with a known outcome \(created 90 or more days ago, or learnt from\): /);
  expect(noteFor(0, { ...rule, settledAfterDays: 0 })).toMatch(/^Computed from the 4 stored leads with a known outcome \(however new\), scored by this model\./);
  // A model stored before it recorded one: 30 days, as before.
  expect(noteFor(0, rule)).toMatch(/^Computed from the 4 stored leads with a known outcome \(created 30 or more days ago\), /);
});

it('counts a file model’s leads to the file’s latest created date, written out, and a CRM model’s to today', () => {
  const exported = Date.parse('2024-03-12T00:00:00Z');
  const fileRule: ModelOutcomeRule = { source: 'csv', field: 'Converted', positiveValues: ['yes'], settledAfterDays: 30 };
  expect(noteFor(3, fileRule, agesCountedTo(fileRule, exported))).toMatch(
    /^Computed from the 4 stored leads with a known outcome \(created 30 or more days before Mar 12, 2024, the file's latest created date, or learnt from\): /,
  );
  // The bundled model reads every source's stored outcomes: a CRM's leads by today, the file's by its date.
  expect(noteFor(0, undefined, agesCountedTo(undefined, exported))).toMatch(
    /^Computed from the 4 stored leads with a known outcome \(created 30 or more days ago, an imported file's leads 30 or more days before Mar 12, 2024, the file's latest created date\), scored by this model\./,
  );
  const crmRule: ModelOutcomeRule = { source: 'hubspot', field: 'lifecyclestage', positiveValues: ['customer'], settledAfterDays: 30 };
  expect(noteFor(3, crmRule, agesCountedTo(crmRule, exported))).toMatch(/^Computed from the 4 stored leads with a known outcome \(created 30 or more days ago, or learnt from\): /);
});
