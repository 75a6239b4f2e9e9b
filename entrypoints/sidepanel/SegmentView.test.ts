// @vitest-environment happy-dom
import { createElement } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import type { ScoredLeadRow } from '@/lib/segments';
import { click, render, type Rendered } from '@/test/render';
import { SegmentView } from './SegmentView';

vi.mock('@/lib/messaging/client', () => ({ background: { openRecord: vi.fn() } }));

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

const csvLead: ScoredLeadRow = {
  leadKey: 'csv|row-3',
  source: 'csv',
  recordId: 'row-3',
  name: 'Ada \u202Eecalevol',
  owner: 'Grace',
  leadSource: 'Web',
  createdAt: 0,
  outcome: null,
  probability: 0.9,
  score: 95,
  tier: 'hot',
  topReason: 'Job title: VP Sales',
};

it('isolates a CSV lead\'s name in the message that it has no CRM page, so the name cannot reverse the message', () => {
  rendered = render(createElement(SegmentView, { rows: [csvLead] }));
  click(rendered.container.querySelector<HTMLButtonElement>('tbody .link-button')!);
  const alert = rendered.container.querySelector('[role="alert"]')!;
  expect(alert.querySelector('bdi')?.textContent).toBe(csvLead.name);
  expect(alert.textContent).toBe(`${csvLead.name} came from a CSV file: it has no CRM page to open.`);
});
