// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { CandidateSchema } from '@/lib/ml/train/worker-protocol';
import { render, type Rendered } from '@/test/render';
import { FeaturePicker, verdictKey } from './FeaturePicker';

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
