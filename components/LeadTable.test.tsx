// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { useState } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { compareRows, type ScoredLeadRow, type SortOrder } from '@/lib/segments';
import { click, pressEnter, render, type Rendered } from '@/test/render';
import { LeadTable } from './LeadTable';

const LEADS: ScoredLeadRow[] = Array.from({ length: 23 }, (_, i) => ({
  leadKey: `salesforce|00Q${i}`,
  source: 'salesforce',
  recordId: `00Q${i}`,
  // Names run against scores, so sorting by name and by score give different orders.
  name: `Lead ${String.fromCharCode(97 + i)}`,
  owner: 'Ada',
  leadSource: 'Web',
  createdAt: 0,
  outcome: null,
  probability: 0.01 * (23 - i),
  score: 23 - i + 50,
  tier: 'hot',
  topReason: `Reason ${i % 3}`,
}));

/** The table as the side panel uses it: the parent keeps the order and sorts the rows. */
function SortedLeadTable({ onOpen }: { onOpen(row: ScoredLeadRow): void }) {
  const [order, setOrder] = useState<SortOrder>({ key: 'score', descending: true });
  const rows = [...LEADS].sort((a, b) => compareRows(a, b, order));
  return <LeadTable caption="Top hot leads" rows={rows} order={order} onSort={setOrder} onOpen={onOpen} />;
}

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

const table = () => rendered!.container;
const header = (label: string) => Array.from(table().querySelectorAll<HTMLElement>('th')).find((th) => th.textContent?.startsWith(label))!;
const sortButton = (label: string) => header(label).querySelector('button')!;
const column = (index: number) => Array.from(table().querySelectorAll('tbody tr'), (row) => row.children[index].textContent);
const pageButton = (label: 'Previous' | 'Next') => Array.from(table().querySelectorAll('nav button')).find((button) => button.textContent === label) as HTMLButtonElement;

it('shows one page of ten leads, best score first, with the order announced on the header', () => {
  rendered = render(<SortedLeadTable onOpen={vi.fn()} />);
  expect(column(1)).toEqual(['73', '72', '71', '70', '69', '68', '67', '66', '65', '64']);
  expect(header('Score (1–99)').getAttribute('aria-sort')).toBe('descending');
  expect(header('Lead').getAttribute('aria-sort')).toBe('none');
  expect(table().querySelector('nav')?.textContent).toContain('Page 1 of 3 (23 leads)');
});

it('sorts from the keyboard: Enter on a header flips or changes the order and returns to the first page', () => {
  rendered = render(<SortedLeadTable onOpen={vi.fn()} />);
  click(pageButton('Next'));
  expect(table().querySelector('nav')?.textContent).toContain('Page 2 of 3');

  pressEnter(sortButton('Score (1–99)'));
  expect(header('Score (1–99)').getAttribute('aria-sort')).toBe('ascending');
  expect(column(1).slice(0, 3)).toEqual(['51', '52', '53']);
  expect(table().querySelector('nav')?.textContent).toContain('Page 1 of 3');
  // Said: the button keeps its name and the focus, and the header's new order is not read out by itself.
  expect(table().querySelector('[role="status"]')?.textContent).toBe('Top hot leads: sorted by Score (1–99), ascending');

  pressEnter(sortButton('Lead'));
  expect(header('Lead').getAttribute('aria-sort')).toBe('ascending');
  expect(header('Score (1–99)').getAttribute('aria-sort')).toBe('none');
  expect(column(0).slice(0, 3)).toEqual(['Lead a', 'Lead b', 'Lead c']);

  pressEnter(sortButton('Lead'));
  expect(header('Lead').getAttribute('aria-sort')).toBe('descending');
  expect(column(0)[0]).toBe('Lead w');
  expect(table().querySelector('[role="status"]')?.textContent).toBe('Top hot leads: sorted by Lead, descending');
});

it('pages with buttons that do nothing at either end and keep the keyboard’s focus there, announcing the page reached', () => {
  rendered = render(<SortedLeadTable onOpen={vi.fn()} />);
  // Nothing said before the rep turns a page: filters and rescoring change the counts of every table at once.
  expect(table().querySelector('[role="status"]')?.textContent).toBe('');
  expect(table().querySelector('[aria-live]')).toBeNull();
  expect(pageButton('Previous').getAttribute('aria-disabled')).toBe('true');
  const next = pageButton('Next');
  next.focus();
  click(next);
  click(pageButton('Next'));
  expect(column(1)).toEqual(['53', '52', '51']);
  expect(pageButton('Next').getAttribute('aria-disabled')).toBe('true');
  // Still focusable on the last page: focus stays on Next, not lost to the page.
  expect(pageButton('Next').disabled).toBe(false);
  expect(document.activeElement).toBe(pageButton('Next'));
  click(pageButton('Next'));
  expect(column(1)).toEqual(['53', '52', '51']);
  expect(table().querySelector('[role="status"]')?.textContent).toBe('Top hot leads: page 3 of 3');
});

it('opens a lead with Enter on its name', () => {
  const onOpen = vi.fn();
  rendered = render(<SortedLeadTable onOpen={onOpen} />);
  const firstName = table().querySelector<HTMLButtonElement>('tbody tr .link-button')!;
  expect(firstName.title).toBe('Open Lead a in Salesforce');
  pressEnter(firstName);
  expect(onOpen).toHaveBeenCalledWith(LEADS[0]);
});

it('titles each lead by what opening it does: its CRM page, or its explanation for a CSV lead, which has none', () => {
  const rows: ScoredLeadRow[] = [
    LEADS[0],
    { ...LEADS[1], leadKey: 'hubspot|51', source: 'hubspot', recordId: '51', name: 'Grace Hopper' },
    { ...LEADS[2], leadKey: 'csv|row-3', source: 'csv', recordId: 'row-3', name: 'Lead row-3' },
  ];
  rendered = render(<LeadTable caption="Top hot leads" rows={rows} order={{ key: 'score', descending: true }} onSort={vi.fn()} onOpen={vi.fn()} />);
  expect(Array.from(table().querySelectorAll<HTMLButtonElement>('tbody .link-button'), (button) => button.title)).toEqual([
    'Open Lead a in Salesforce',
    'Open Grace Hopper in HubSpot',
    'Explain Lead row-3 in full: a CSV lead has no CRM page to open',
  ]);
});

it('isolates the CRM\'s words, so a direction override in a name or a reason cannot reverse the table\'s or the tooltip\'s own', () => {
  const name = 'Ada \u202Eecalevol';
  const topReason = 'Job title: VP \u202Eselas';
  const rows: ScoredLeadRow[] = [{ ...LEADS[0], name, topReason }];
  rendered = render(<LeadTable caption="Top hot leads" rows={rows} order={{ key: 'score', descending: true }} onSort={vi.fn()} onOpen={vi.fn()} />);
  const [nameCell, , reasonCell] = Array.from(table().querySelector('tbody tr')!.children);
  expect(nameCell.querySelector('.link-button > bdi')?.textContent).toBe(name);
  expect(reasonCell.querySelector('bdi')?.textContent).toBe(topReason);
  expect(nameCell.querySelector<HTMLButtonElement>('.link-button')!.title).toBe('Open Ada ecalevol in Salesforce');
});

it('names a lead stored without a name (a HubSpot contact with only a phone number) by its id, so the rep can see and open it', () => {
  const onOpen = vi.fn();
  const rows: ScoredLeadRow[] = [{ ...LEADS[0], leadKey: 'hubspot|42', source: 'hubspot', recordId: '42', name: '' }];
  rendered = render(<LeadTable caption="Top hot leads" rows={rows} order={{ key: 'score', descending: true }} onSort={vi.fn()} onOpen={onOpen} />);
  const name = table().querySelector<HTMLButtonElement>('tbody .link-button')!;
  expect(name.textContent).toBe('Contact 42');
  expect(name.title).toBe('Open Contact 42 in HubSpot');
  click(name);
  expect(onOpen).toHaveBeenCalledWith(rows[0]);
});

/** How the name and the top reason of the table's first row may break, under the side panel's style sheet. */
function valueWrapping(row: ScoredLeadRow): string[] {
  const pageStyle = document.head.appendChild(document.createElement('style'));
  pageStyle.textContent = readFileSync('components/page.css', 'utf8');
  try {
    rendered = render(<LeadTable caption="Top hot leads" rows={[row]} order={{ key: 'score', descending: true }} onSort={vi.fn()} onOpen={vi.fn()} />);
    const [nameCell, , reasonCell] = Array.from(table().querySelector('tbody tr')!.children);
    return [nameCell, reasonCell].map((cell) => getComputedStyle(cell.querySelector('bdi')!).overflowWrap);
  } finally {
    pageStyle.remove();
  }
}

it('wraps a long name or reason with no space anywhere, rather than widening the table past the side panel', () => {
  const row = { ...LEADS[0], name: 'procurement.department.northamerica@verylongcompanydomain-holdings.com', topReason: 'Website: https://verylongcompanydomain-holdings.com/procurement' };
  expect(valueWrapping(row)).toEqual(['anywhere', 'anywhere']);
});

it('breaks an ordinary name or reason only between words: a column that may break anywhere is shrunk until its words break ("Nakamu/ra")', () => {
  expect(valueWrapping({ ...LEADS[0], name: 'Felix Nakamura', topReason: 'Industry: Telecommunications' })).not.toContain('anywhere');
});

it('says so when no lead matches the filters, without a pager', () => {
  rendered = render(<LeadTable caption="Top warm leads" rows={[]} order={{ key: 'score', descending: true }} onSort={vi.fn()} onOpen={vi.fn()} filtersApplied />);
  expect(table().textContent).toContain('No leads in this tier with these filters.');
  expect(table().querySelector('nav')).toBeNull();
});

it('blames no filter for an empty tier when none is chosen', () => {
  rendered = render(<LeadTable caption="Top warm leads" rows={[]} order={{ key: 'score', descending: true }} onSort={vi.fn()} onOpen={vi.fn()} />);
  expect(table().querySelector('p')?.textContent).toBe('No leads in this tier.');
});

it('starts another list (another filter) on its first page, and keeps the page when the same list is read again', () => {
  const order: SortOrder = { key: 'score', descending: true };
  const leadTable = (rows: readonly ScoredLeadRow[], listKey: string) => (
    <LeadTable caption="Top hot leads" rows={rows} order={order} onSort={vi.fn()} onOpen={vi.fn()} listKey={listKey} />
  );
  rendered = render(leadTable(LEADS, 'all'));
  click(pageButton('Next'));
  // The same leads read again after a sync (new rows, same list): the rep stays on the page.
  rendered.rerender(leadTable(LEADS.map((lead) => ({ ...lead })), 'all'));
  expect(table().querySelector('nav')?.textContent).toContain('Page 2 of 3');

  // e.g. an owner chosen: 15 of the leads are left
  const fewer = LEADS.slice(0, 15);
  rendered.rerender(leadTable(fewer, 'owner: Grace'));
  expect(table().querySelector('nav')?.textContent).toContain('Page 1 of 2 (15 leads)');
  expect(column(1)[0]).toBe('73');
});

it('says which way each top reason moves the score, to the eye and to screen readers, and nothing when that is not known', () => {
  const rows: ScoredLeadRow[] = [
    { ...LEADS[0], tier: 'warm', topReason: 'Title seniority: VP Sales', topReasonRaises: true },
    { ...LEADS[1], tier: 'warm', topReason: 'Days since created: 9 days', topReasonRaises: false },
    { ...LEADS[2], tier: 'warm', topReason: 'Industry: Retail' },
  ];
  rendered = render(<LeadTable caption="Top warm leads" rows={rows} order={{ key: 'score', descending: true }} onSort={vi.fn()} onOpen={vi.fn()} />);
  expect(column(2)).toEqual(['▲ Raising the score: Title seniority: VP Sales', '▼ Lowering the score: Days since created: 9 days', 'Industry: Retail']);
  const arrows = Array.from(table().querySelectorAll('tbody td:nth-child(3) [aria-hidden="true"]'), (arrow) => arrow.textContent);
  expect(arrows).toEqual(['▲ ', '▼ ']);
});
