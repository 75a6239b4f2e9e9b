// @vitest-environment happy-dom
import { createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { HUBSPOT_LIFECYCLE_FIELD } from '@/lib/ml/train/outcome-suggestions';
import type { OutcomeRule } from '@/lib/ml/train/training-set';
import { render, type Rendered } from '@/test/render';
import { OutcomeFieldset } from './OutcomeFieldset';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/** The words of the label wrapping `select`, its own options left out. */
const visibleLabelOf = (select: HTMLSelectElement) =>
  Array.from(select.closest('label')!.childNodes, (node) => (node === select ? '' : node.textContent))
    .join('')
    .trim();
/** The name a screen reader or voice control gives `select`: its aria-label, else its label's words. */
const nameOf = (select: HTMLSelectElement) => select.getAttribute('aria-label') ?? visibleLabelOf(select);

const draw = (outcome: OutcomeRule) =>
  render(
    createElement(OutcomeFieldset, {
      outcome,
      outcomeValues: { Status: ['Open', 'Converted', 'Working'], [HUBSPOT_LIFECYCLE_FIELD]: ['lead', 'customer'], Rating: ['Hot', 'Cold'] },
      minimumAge: true,
      onChange: () => {},
    }),
  );

it('names the status field choice by the words it shows, so a voice user can say them', () => {
  rendered = draw({ field: 'Status', positiveValues: ['Converted'] });
  const statusField = Array.from(rendered.container.querySelectorAll('select')).find((select) => visibleLabelOf(select).startsWith('Left out while still being worked'))!;
  expect(statusField.hasAttribute('aria-label')).toBe(false);
  expect(statusField.hasAttribute('aria-labelledby')).toBe(false);
  expect(nameOf(statusField)).toBe('Left out while still being worked, by status field');
});

it.each<[string, OutcomeRule, number]>([
  ['a field of values', { field: 'Status', positiveValues: ['Converted'] }, 2],
  ["HubSpot's lifecycle stage", { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['customer'] }, 3],
])('with %s, every choice has the words it shows in its name (WCAG 2.5.3)', (_, outcome, choices) => {
  rendered = draw(outcome);
  const selects = Array.from(rendered.container.querySelectorAll('select'));
  expect(selects).toHaveLength(choices);
  const apart = selects.map((select) => ({ shown: visibleLabelOf(select), name: nameOf(select) })).filter(({ shown, name }) => !name.toLowerCase().includes(shown.toLowerCase()));
  expect(apart).toEqual([]);
});
