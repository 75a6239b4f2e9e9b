// @vitest-environment happy-dom
import { act, createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { HUBSPOT_LIFECYCLE_FIELD } from '@/lib/crm/hubspot-lifecycle';
import type { OutcomeRule } from '@/lib/ml/train/training-set';
import { render, type Rendered } from '@/test/render';
import { OutcomeFieldset } from './OutcomeFieldset';
import { PORTAL_STAGES } from '@/test/fixtures/hubspot-portal-stages';
import { MAX_LABEL_CHARS } from '@/lib/ml/visible-text';

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


/** The lifecycle fieldset for a portal whose stages are `lifecycleStages`, its sample at `sampled`; what it changed the rule to. */
function drawLifecycle(outcome: OutcomeRule, lifecycleStages: readonly { value: string; label: string }[], sampled: string[]) {
  const changes: OutcomeRule[] = [];
  rendered = render(
    createElement(OutcomeFieldset, {
      outcome,
      outcomeValues: { [HUBSPOT_LIFECYCLE_FIELD]: sampled },
      minimumAge: true,
      lifecycleStages,
      onChange: (changed) => changes.push(changed),
    }),
  );
  const stageReached = rendered.container.querySelector<HTMLSelectElement>('select[aria-label="Lifecycle stage reached"]')!;
  const stillOpen = () =>
    Array.from(rendered!.container.querySelectorAll('[aria-label="Values that mean still open"] label'), (label) => ({
      shown: label.textContent?.trim(),
      ticked: label.querySelector('input')!.checked,
    }));
  return { stageReached, stillOpen, changes };
}

const choose = (select: HTMLSelectElement, value: string) =>
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!.call(select, value);
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });

it("offers the portal's stages in its order by their labels, (this stage only) for those outside it alone", () => {
  const outcome = { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['other', '7654321'] };
  // 7654321: a stage contacts hold that the portal no longer lists.
  const { stageReached, stillOpen } = drawLifecycle(outcome, PORTAL_STAGES, ['lead', '1234567', 'other', '7654321']);
  expect(Array.from(stageReached.options, (option) => [option.value, option.textContent])).toEqual([
    ['subscriber', 'Subscriber'],
    ['lead', 'Lead'],
    ['marketingqualifiedlead', 'Marketing Qualified Lead'],
    ['salesqualifiedlead', 'Sales Qualified Lead'],
    ['1234567', 'Product Qualified Lead'],
    ['opportunity', 'Opportunity'],
    ['customer', 'Customer'],
    ['evangelist', 'Evangelist'],
    ['other', 'Other (this stage only)'],
    ['7654321', '7654321 (this stage only)'],
  ]);
  expect(stageReached.value).toBe('opportunity');
  // The portal's own stage is in its order: not offered as still open.
  expect(stillOpen()).toEqual([
    { shown: 'Other', ticked: true },
    { shown: '7654321', ticked: true },
  ]);
  expect(rendered!.container.textContent).toContain("in the order of your portal's lifecycle stages");
});

it("takes a stage reached in the portal's order: reaching its own stage counts the later ones", () => {
  const outcome = { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['other'] };
  const { stageReached, changes } = drawLifecycle(outcome, PORTAL_STAGES, ['lead']);
  choose(stageReached, '1234567');
  choose(stageReached, 'salesqualifiedlead');
  expect(changes).toEqual([
    { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['1234567', 'opportunity', 'customer', 'evangelist'], openValues: ['other'] },
    { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['salesqualifiedlead', '1234567', 'opportunity', 'customer', 'evangelist'], openValues: ['other'] },
  ]);
});

it("does not say this stage only of a portal's own stage the rule reaches with the stages after it, the order no longer placing it", () => {
  const outcome = { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['1234567', 'opportunity', 'customer', 'evangelist'], openValues: ['other'] };
  const { stageReached } = drawLifecycle(outcome, [], ['lead', '1234567', 'other']);
  expect(stageReached.selectedOptions[0]?.textContent).toBe('1234567');
  expect(Array.from(stageReached.options, (option) => option.textContent)).toContain('other (this stage only)');
});

it("without the portal's stages, keeps HubSpot's default order and its internal values, a stage of the portal's own as this stage only", () => {
  const outcome = { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['other', '1234567'] };
  const { stageReached, stillOpen } = drawLifecycle(outcome, [], ['lead', '1234567', 'other']);
  expect(Array.from(stageReached.options, (option) => option.textContent)).toEqual([
    'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', '1234567 (this stage only)', 'other (this stage only)',
  ]);
  expect(stillOpen()).toEqual([
    { shown: '1234567', ticked: true },
    { shown: 'other', ticked: true },
  ]);
});

it("counts a stage the order places as reached or not once another stage is chosen, as the order read does, not as still open", () => {
  // A rule made in HubSpot's default order, its portal's own stage left open, as the form may be
  // given it (the page follows the portal's order read since: `lifecycleRuleInOrder`).
  const outcome = { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['evangelist'], openValues: ['other', '1234567'] };
  const withoutEvangelist = PORTAL_STAGES.filter((stage) => stage.value !== 'evangelist');
  const { stageReached, changes } = drawLifecycle(outcome, withoutEvangelist, ['lead', '1234567', 'evangelist', 'other']);
  choose(stageReached, 'customer');
  // Its contacts, before customer in the portal's order, were left out of training, while the sync counts them not converted (`hubspotOutcome`).
  expect(changes).toEqual([{ field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['customer'], openValues: ['other', 'evangelist'] }]);
});

it('follows a stage label by its value where two stages would read alike: a shared label, or a label naming another stage', () => {
  const stages = [
    { value: 'lead', label: 'Lead' },
    { value: 'opportunity', label: 'Customer' },
    { value: 'customer', label: 'Customer' },
    { value: 'evangelist', label: 'other' },
  ];
  const outcome = { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['opportunity', 'customer', 'evangelist'], openValues: ['other'] };
  const { stageReached, stillOpen } = drawLifecycle(outcome, stages, ['lead', 'other']);
  expect(Array.from(stageReached.options, (option) => [option.value, option.textContent])).toEqual([
    ['lead', 'Lead'],
    ['opportunity', 'Customer (opportunity)'],
    ['customer', 'Customer (customer)'],
    ['evangelist', 'other (evangelist)'],
    ['other', 'other (this stage only)'],
  ]);
  expect(stillOpen()).toEqual([{ shown: 'other', ticked: true }]);
});

it('shows a stage label as LeadLens shows outside text: no direction controls, cut, the value when nothing of it is visible', () => {
  const stages = [
    { value: 'lead', label: 'Lead\u202E (reversed' },
    { value: 'opportunity', label: '\u200B' },
    { value: 'customer', label: 'C'.repeat(1_000) },
  ];
  const outcome = { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: ['opportunity', 'customer'], openValues: ['other'] };
  const { stageReached } = drawLifecycle(outcome, stages, ['lead']);
  expect(Array.from(stageReached.options, (option) => option.textContent)).toEqual(['Lead (reversed', 'opportunity', `${'C'.repeat(MAX_LABEL_CHARS - 1)}…`]);
});

it.each(['toString', 'constructor', 'valueOf'])('offers the values of an outcome field named %s that the sample has none of: no values, not Object’s', (field) => {
  const changes: OutcomeRule[] = [];
  rendered = render(
    createElement(OutcomeFieldset, {
      outcome: { field, positiveValues: [], openStatus: { field: 'hasOwnProperty', values: [] } },
      outcomeValues: { Status: ['Open', 'Converted'] },
      minimumAge: true,
      onChange: (outcome: OutcomeRule) => changes.push(outcome),
    }),
  );
  expect(rendered.container.querySelector<HTMLSelectElement>('select[aria-label="Outcome field"]')!.value).toBe(field);
  expect([...rendered.container.querySelectorAll('[aria-label="Values that mean converted"] input')]).toEqual([]);
  expect([...rendered.container.querySelectorAll('[aria-label="Values that mean still being worked"] input')]).toEqual([]);
  // A status field of that name chosen: no value of it looks open.
  const statusField = [...rendered.container.querySelectorAll('select')].find((select) => select.closest('label')?.textContent?.startsWith('Left out while still being worked'))!;
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!.call(statusField, 'hasOwnProperty');
    statusField.dispatchEvent(new Event('change', { bubbles: true }));
  });
  expect(changes.at(-1)?.openStatus).toEqual({ field: 'hasOwnProperty', values: [] });
});
