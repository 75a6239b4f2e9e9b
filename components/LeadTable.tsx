import { useState } from 'react';
import { visibleText } from '@/lib/ml/visible-text';
import { DIRECTION_LOOK, REASONS_HEADING } from '@/lib/presentation';
import { shownName, type ScoredLeadRow, type SortKey, type SortOrder } from '@/lib/segments';
import { FocusKeepingButton } from './KeepFocus';
import { SidewaysScroll } from './SidewaysScroll';
import { tableValueWrap } from './table-value-wrap';
import { TierLabel } from './TierLabel';

const PAGE_SIZE = 10;
const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Lead' },
  { key: 'score', label: 'Score (1–99)' },
  { key: 'topReason', label: 'Top reason' },
];

/**
 * What a click on a lead's name does (the side panel opens a CRM lead's page, and explains a CSV
 * lead, which has none), as a tooltip: a tooltip cannot isolate the name, so `name` comes without
 * its direction controls (`visibleText`).
 */
const OPEN_TITLE: Record<ScoredLeadRow['source'], (name: string) => string> = {
  salesforce: (name) => `Open ${name} in Salesforce`,
  hubspot: (name) => `Open ${name} in HubSpot`,
  csv: (name) => `Explain ${name} in full: a CSV lead has no CRM page to open`,
};

interface LeadTableProps {
  caption: string;
  /** Already sorted by `order`. */
  rows: readonly ScoredLeadRow[];
  order: SortOrder;
  onSort(order: SortOrder): void;
  onOpen(row: ScoredLeadRow): void;
  /** Whether `rows` are what filters left: an empty table then blames the filters, not the tier. */
  filtersApplied?: boolean;
  /** What an empty table says when it is not that the tier (or the filters) left no lead. */
  emptyNote?: string;
  /**
   * Which list `rows` are (e.g. the filters that left them): another list starts on its first
   * page; the same list read again (new scores after a sync) keeps the page the rep is on.
   */
  listKey?: string;
}

/** ▲ or ▼ before a top reason, read as the words it stands for: a warm lead's reason can be its strongest one down. */
function ReasonDirection({ raises }: { raises: boolean }) {
  const direction = raises ? 'up' : 'down';
  return (
    <>
      <span aria-hidden="true" style={{ color: DIRECTION_LOOK[direction].colour }}>
        {DIRECTION_LOOK[direction].arrow}{' '}
      </span>
      <span className="visually-hidden">{REASONS_HEADING[direction]}: </span>
    </>
  );
}

/**
 * A sortable, paged table of leads: headers are buttons (keyboard: Tab + Enter), only one
 * page of rows is in the DOM however many leads there are. Another list (`listKey`) or order
 * starts on its first page.
 */
export function LeadTable({ caption, rows, order, onSort, onOpen, filtersApplied = false, emptyNote, listKey = '' }: LeadTableProps) {
  const [page, setPage] = useState(0);
  // Set while rendering, as React advises for state that follows a prop: no frame shows the old page of another list.
  const [pagedList, setPagedList] = useState(listKey);
  if (pagedList !== listKey) {
    setPagedList(listKey);
    setPage(0);
  }
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const visible = rows.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  // Said only when the rep turns a page or sorts: a new filter or a background rescore changes the counts of both tables at once.
  const [turned, setTurned] = useState('');
  const turnTo = (target: number) => {
    setPage(target);
    setTurned(`${caption}: page ${target + 1} of ${pages}`);
  };
  // Said too: the header's button keeps its name and the focus, and a reader does not read out its header's new order.
  const sortBy = (key: SortKey) => {
    const descending = order.key === key ? !order.descending : key === 'score';
    setPage(0);
    onSort({ key, descending });
    setTurned(`${caption}: sorted by ${COLUMNS.find((column) => column.key === key)!.label}, ${descending ? 'descending' : 'ascending'}`);
  };
  return (
    <div className="lead-table">
      <SidewaysScroll label={caption}>
        <table>
          <caption style={{ textAlign: 'left', fontWeight: 600 }}>{caption}</caption>
          <thead>
            <tr>
              {COLUMNS.map(({ key, label }) => (
                <th key={key} scope="col" aria-sort={order.key === key ? (order.descending ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" className="sort-button" onClick={() => sortBy(key)}>
                    {label}
                    <span aria-hidden="true">{order.key === key ? (order.descending ? ' ▼' : ' ▲') : ''}</span>
                  </button>
                </th>
              ))}
              <th scope="col">Tier</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((row) => {
              // A lead stored without a name (HubSpot, before names had a fallback) would be a button no one sees.
              const name = shownName(row);
              return (
                <tr key={row.leadKey} data-lead-key={row.leadKey}>
                  <td>
                    <button type="button" className="link-button" onClick={() => onOpen(row)} title={OPEN_TITLE[row.source](visibleText(name))}>
                      <bdi className={tableValueWrap(name)}>{name}</bdi>
                    </button>
                  </td>
                  <td>{row.score}</td>
                  <td>
                    {row.topReasonRaises !== undefined && <ReasonDirection raises={row.topReasonRaises} />}
                    <bdi className={tableValueWrap(row.topReason)}>{row.topReason}</bdi>
                  </td>
                  <td>
                    <TierLabel tier={row.tier} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </SidewaysScroll>
      {rows.length === 0 && <p>{emptyNote ?? (filtersApplied ? 'No leads in this tier with these filters.' : 'No leads in this tier.')}</p>}
      {pages > 1 && (
        // Keeping the focus at either end: Next onto the last page must not drop it to the page; the page reached is announced.
        <nav aria-label={`${caption}: pages`} style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
          <FocusKeepingButton type="button" onClick={() => turnTo(current - 1)} unavailable={current === 0}>
            Previous
          </FocusKeepingButton>
          {/* Its words wrap before the row does: Next goes under the rest only where the three cannot sit side by side (a panel zoomed in). */}
          <span style={{ flex: '1 1 0', maxWidth: 'max-content' }}>
            Page {current + 1} of {pages} ({rows.length.toLocaleString('en-US')} leads)
          </span>
          <FocusKeepingButton type="button" onClick={() => turnTo(current + 1)} unavailable={current === pages - 1}>
            Next
          </FocusKeepingButton>
        </nav>
      )}
      <span className="visually-hidden" role="status">
        {turned}
      </span>
    </div>
  );
}
