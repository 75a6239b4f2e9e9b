// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { CandidateSchema } from '@/lib/ml/train/worker-protocol';
import { render, type Rendered } from '@/test/render';
import { FeaturePicker, SharedFieldsAlert, verdictKey } from './FeaturePicker';

const CANDIDATES = [
  { spec: { key: 'status', label: 'Status', type: 'categorical', derive: { kind: 'value', from: { salesforce: 'Status' } } }, origin: 'catalogue' },
  { spec: { key: 'industry', label: 'Industry', type: 'categorical', derive: { kind: 'value', from: { salesforce: 'Industry' } } }, origin: 'catalogue' },
].map((candidate) => CandidateSchema.parse(candidate));

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

it('names each row by its feature, a row header as plain as the cells beside it, so a leakage warning read down the Notes column says which feature it is about', () => {
  const style = document.head.appendChild(document.createElement('style'));
  // A browser's own look of a header cell, which happy-dom does not apply, then the page's style sheet.
  style.textContent = `th { font-weight: bold; text-align: center; }\n${readFileSync('components/page.css', 'utf8')}`;
  try {
    rendered = render(
      createElement(FeaturePicker, {
        source: 'salesforce',
        candidates: CANDIDATES,
        fields: ['Status', 'Industry'],
        choices: {},
        verdicts: { [verdictKey('status', 'Status')]: 'it says "Closed - Converted" once a lead converts', [verdictKey('industry', 'Industry')]: null },
        checking: false,
        onChange: () => {},
      }),
    );
    const rows = [...rendered.container.querySelectorAll('tbody tr')];
    expect(rows.map((row) => [...row.children].map((cell) => `${cell.tagName} ${cell.getAttribute('scope') ?? ''}`.trim()))).toEqual([
      ['TD', 'TH row', 'TD', 'TD'],
      ['TD', 'TH row', 'TD', 'TD'],
    ]);
    // What a screen reader says with the warning: its row's header.
    const warning = rendered.container.querySelector('[data-leakage]')!;
    expect([warning.closest('tr')!.querySelector('th[scope="row"]')!.textContent, warning.textContent]).toEqual([
      'Status',
      'Left out: it says "Closed - Converted" once a lead converts.',
    ]);
    // The page's style sheet sets it plain and left, as its cells.
    const header = rows[0].children[1] as HTMLElement;
    expect([getComputedStyle(header).fontWeight, getComputedStyle(header).textAlign]).toEqual(['normal', 'left']);
  } finally {
    style.remove();
  }
});

it('keeps a long column name from widening the table past the page: selects capped, the name wrapped where shown as text, in full in the select’s title', () => {
  // A column named in 134 characters, no space in it: every Field select offers it.
  const long = `Lead_Qualification_Questionnaire_Response_${'Annual_Budget_Estimate_'.repeat(4)}In_USD`.padEnd(134, 'x');
  const inferred = CandidateSchema.parse({ spec: { key: 'long_column', label: long, type: 'categorical', derive: { kind: 'value', from: { salesforce: long } } }, origin: 'inferred' });
  const style = document.head.appendChild(document.createElement('style'));
  style.textContent = readFileSync('components/page.css', 'utf8');
  try {
    rendered = render(
      createElement(FeaturePicker, {
        source: 'salesforce',
        candidates: [...CANDIDATES, inferred],
        fields: ['Industry', long, 'Status'],
        choices: { industry: { included: true, field: long } },
        verdicts: { [verdictKey('long_column', long)]: `"${long}" is a field the CRM writes as or after the outcome is known` },
        checking: false,
        onChange: () => {},
      }),
    );
    const selects = [...rendered.container.querySelectorAll('select')];
    // Capped (happy-dom gives 16em in pixels of its own font sizes): no longer as wide as their longest option.
    for (const select of selects) expect(getComputedStyle(select).maxWidth).toMatch(/^\d+(\.\d+)?px$/);
    // The name cut short in a closed select is there in full: its title, and every option whole in the open list.
    expect(selects.map((select) => select.title)).toEqual(['Status', long]);
    expect([...selects[0].options].map((option) => option.textContent)).toContain(long);
    // Where it is text (its feature's name, the field it reads, a reason quoting it), it wraps anywhere; the other rows' text as before.
    const row = rendered.container.querySelector('tr[data-feature="long_column"]')!;
    const wrapped = [row.querySelector('th bdi')!, row.querySelector('code')!, row.querySelector('td:last-child')!];
    expect(wrapped.map((element) => [element.textContent?.includes(long), getComputedStyle(element).overflowWrap])).toEqual(Array(3).fill([true, 'anywhere']));
    expect(getComputedStyle(rendered.container.querySelector('tr[data-feature="status"] th bdi')!).overflowWrap).not.toBe('anywhere');
  } finally {
    style.remove();
  }
});

/** What a screen reader says after a control's name: the text of the elements its aria-describedby points at. */
const descriptionOf = (control: Element) =>
  (control.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

it('says a field is flagged at the checkbox and the field choice that would bring it in, before the admin ticks it, and after', () => {
  const inferred = CandidateSchema.parse({
    spec: { key: 'budget_band', label: 'Budget band', type: 'categorical', derive: { kind: 'value', from: { salesforce: 'Budget_Band__c' } } },
    origin: 'inferred',
  });
  const draw = (choices: Record<string, { included: boolean; field: string }>, verdicts: Record<string, string | null>) =>
    createElement(FeaturePicker, { source: 'salesforce', candidates: [...CANDIDATES, inferred], fields: ['Status', 'Industry'], choices, verdicts, checking: false, onChange: () => {} });
  const flagged = {
    [verdictKey('status', 'Status')]: 'it says "Closed - Converted" once a lead converts',
    [verdictKey('industry', 'Industry')]: null,
    [verdictKey('budget_band', 'Budget_Band__c')]: null,
  };
  rendered = render(draw({}, flagged));
  const row = (key: string) => rendered!.container.querySelector(`tr[data-feature="${key}"]`)!;
  const controls = (key: string) => [row(key).querySelector('input[type="checkbox"]')!, ...row(key).querySelectorAll('select')];

  expect(controls('status').map(descriptionOf)).toEqual(Array(2).fill('Left out: it says "Closed - Converted" once a lead converts.'));
  // Another field of the data: its note too. A field that passed, with no note: no description.
  expect(controls('budget_band').map(descriptionOf)).toEqual(['Another field of your data; off unless you tick it.']);
  expect(controls('industry').map((control) => control.hasAttribute('aria-describedby'))).toEqual([false, false]);

  // Ticked, the warning says so; moved to a field not checked yet, that is said at the controls.
  rendered.rerender(draw({ status: { included: true, field: 'Status' }, industry: { included: true, field: 'Status' } }, flagged));
  expect(controls('status').map(descriptionOf)).toEqual(Array(2).fill('Possible leakage: it says "Closed - Converted" once a lead converts.'));
  expect(controls('industry').map(descriptionOf)).toEqual(Array(2).fill('Not checked on this field yet: check the changed fields before training.'));
  // Each row's note its own: no two rows point at the same one.
  const ids = [...rendered.container.querySelectorAll('input[type="checkbox"]')].map((box) => box.getAttribute('aria-describedby'));
  expect(new Set(ids).size).toBe(ids.length);
});

it('shows the field a feature reads even when the history’s fields lack it, so the select never names another', () => {
  rendered = render(
    createElement(FeaturePicker, {
      source: 'salesforce',
      candidates: CANDIDATES,
      fields: ['City', 'Status'],
      choices: { status: { included: true, field: 'Status' }, industry: { included: true, field: 'Industry' } },
      verdicts: {},
      checking: false,
      onChange: () => {},
    }),
  );
  const select = rendered.container.querySelector<HTMLSelectElement>('select[aria-label="Field for Industry"]')!;
  expect(select.value).toBe('Industry');
  expect([...select.options].map((option) => option.value)).toEqual(['City', 'Industry', 'Status']);
  // A field in the list is not offered twice.
  expect([...rendered.container.querySelector<HTMLSelectElement>('select[aria-label="Field for Status"]')!.options].map((option) => option.value)).toEqual(['City', 'Status']);
});

it('says at the controls that a field of personal data moved to a feature keeping its values would be stored in the model, and not of the e-mail domain read from one', () => {
  const emailDomain = CandidateSchema.parse({
    spec: { key: 'email_domain', label: 'Email domain', type: 'categorical', derive: { kind: 'emailDomainKind', from: { salesforce: 'Email' } } },
    origin: 'catalogue',
  });
  const passed = { [verdictKey('industry', 'LastName')]: null, [verdictKey('status', 'Status')]: null, [verdictKey('email_domain', 'Email')]: null };
  rendered = render(
    createElement(FeaturePicker, {
      source: 'salesforce',
      candidates: [...CANDIDATES, emailDomain],
      fields: ['Email', 'Industry', 'LastName', 'Status'],
      choices: { industry: { included: true, field: 'LastName' } },
      verdicts: passed,
      checking: false,
      onChange: () => {},
    }),
  );
  const controls = (key: string) => [...rendered!.container.querySelectorAll(`tr[data-feature="${key}"] input, tr[data-feature="${key}"] select`)];
  expect(controls('industry').map(descriptionOf)).toEqual(Array(2).fill('Personal data: its values would be stored in the model.'));
  expect(controls('email_domain').some((control) => control.hasAttribute('aria-describedby'))).toBe(false);
  expect(controls('status').some((control) => control.hasAttribute('aria-describedby'))).toBe(false);
});

it('says at the controls that a feature moved to a field of the admin’s own is read on the source trained on only, and nothing on the catalogue’s field', () => {
  const revenue = CandidateSchema.parse({
    spec: { key: 'annual_revenue', label: 'Annual revenue', type: 'numeric', derive: { kind: 'value', from: { salesforce: 'AnnualRevenue', hubspot: 'annualrevenue', csv: 'annual_revenue' } } },
    origin: 'catalogue',
  });
  const draw = (field: string) =>
    createElement(FeaturePicker, {
      source: 'salesforce',
      candidates: [revenue],
      fields: ['AnnualRevenue', 'Revenue_k__c'],
      choices: { annual_revenue: { included: true, field } },
      verdicts: { [verdictKey('annual_revenue', 'AnnualRevenue')]: null, [verdictKey('annual_revenue', 'Revenue_k__c')]: null },
      checking: false,
      onChange: () => {},
    });
  rendered = render(draw('Revenue_k__c'));
  const controls = () => [...rendered!.container.querySelectorAll('tr[data-feature="annual_revenue"] input, tr[data-feature="annual_revenue"] select')];
  expect(controls().map(descriptionOf)).toEqual(
    Array(2).fill('Annual revenue is read on Salesforce pages only: its fields elsewhere need not hold what "Revenue_k__c" holds, so badges on HubSpot pages and leads imported from a file leave it out.'),
  );
  rendered.rerender(draw('AnnualRevenue'));
  expect(controls().some((control) => control.hasAttribute('aria-describedby'))).toBe(false);
});

it('reads a feature keyed by a name plain objects inherit (a column named constructor) on its own field, not as Object’s', () => {
  const fromColumn = (column: string, key: string) =>
    CandidateSchema.parse({ spec: { key, label: column, type: 'categorical', derive: { kind: 'value', from: { csv: column } } }, origin: 'inferred' });
  const candidates = [fromColumn('__proto__', 'proto'), fromColumn('constructor', 'constructor'), fromColumn('toString', 'tostring')];
  const checked = Object.fromEntries(candidates.map(({ spec }) => [verdictKey(spec.key, spec.derive.kind === 'ratio' ? null : spec.derive.from.csv!), null]));
  // No choice made yet for any of them: each reads the column it was inferred from.
  rendered = render(
    createElement(FeaturePicker, { source: 'csv', candidates, fields: ['__proto__', 'constructor', 'toString'], choices: {}, verdicts: checked, checking: false, onChange: () => {} }),
  );
  const cells = (key: string) => [...rendered!.container.querySelectorAll(`tr[data-feature="${key}"] td`)].map((cell) => cell.textContent);
  for (const [key, column] of [
    ['proto', '__proto__'],
    ['constructor', 'constructor'],
    ['tostring', 'toString'],
  ]) {
    expect(cells(key)).toEqual(['', column, 'Another field of your data, read from this file only: badges on Salesforce and HubSpot pages cannot use it; off unless you tick it.']);
  }
  expect(rendered.container.querySelector<HTMLInputElement>('tr[data-feature="constructor"] input')!.checked).toBe(false);
});

it('names the features reading one field and the field, as text, in the alert that holds Train', () => {
  rendered = render(
    createElement(SharedFieldsAlert, {
      id: 'shared',
      shared: [
        { field: 'lead_source', labels: ['Industry', 'Lead source'] },
        { field: '<b>Region</b>', labels: ['Country', 'Region', 'Territory'] },
      ],
    }),
  );
  const alert = rendered.container.querySelector('[role="alert"]')!;
  expect(alert.id).toBe('shared');
  expect(alert.textContent).toBe(
    'Industry and Lead source both read the field "lead_source": the model would learn the same thing twice under different names. Move one of them to another field, or untick it, to train. ' +
      'Country, Region and Territory all read the field "<b>Region</b>": the model would learn the same thing twice under different names. Move all but one to another field, or untick them, to train.',
  );
  expect(alert.querySelector('b')).toBeNull();
});
