import { useMemo, useState, type ReactNode } from 'react';
import { LeadTable } from '@/components/LeadTable';
import { SegmentStatsTable } from '@/components/SegmentStatsTable';
import { TierDonut } from '@/components/TierDonut';
import { background } from '@/lib/messaging/client';
import type { Tier } from '@/lib/messaging/protocol';
import { TIER_LOOK } from '@/lib/presentation';
import {
  filterChoices,
  filterLeads,
  leadsOfTier,
  NO_FILTERS,
  offeredFilters,
  segmentStats,
  type FilterChoices,
  type ScoredLeadRow,
  type SegmentFilters,
  type SortOrder,
} from '@/lib/segments';

const CREATED_WITHIN = [
  { days: null, label: 'Any time' },
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 365, label: 'Last year' },
] as const;

function Select({ label, value, options, onChange }: { label: string; value: string; options: { value: string; label: string }[]; onChange(value: string): void }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function Filters({ choices, filters, onChange }: { choices: FilterChoices; filters: SegmentFilters; onChange(filters: SegmentFilters): void }) {
  const options = (values: string[], all: string) => [{ value: '', label: all }, ...values.map((value) => ({ value, label: value }))];
  return (
    <div className="filters" role="group" aria-label="Filters">
      <Select label="Owner" value={filters.owner ?? ''} options={options(choices.owner, 'All owners')} onChange={(owner) => onChange({ ...filters, owner: owner || null })} />
      <Select
        label="Lead source"
        value={filters.leadSource ?? ''}
        options={options(choices.leadSource, 'All sources')}
        onChange={(leadSource) => onChange({ ...filters, leadSource: leadSource || null })}
      />
      <Select
        label="Created"
        value={String(filters.createdWithinDays ?? '')}
        options={CREATED_WITHIN.map(({ days, label }) => ({ value: String(days ?? ''), label }))}
        onChange={(days) => onChange({ ...filters, createdWithinDays: days ? Number(days) : null })}
      />
    </div>
  );
}

function TopLeads({ rows, tier, onOpen }: { rows: readonly ScoredLeadRow[]; tier: Exclude<Tier, 'cold'>; onOpen(row: ScoredLeadRow): void }) {
  const [order, setOrder] = useState<SortOrder>({ key: 'score', descending: true });
  const sorted = useMemo(() => leadsOfTier(rows, tier, order), [rows, tier, order]);
  return <LeadTable caption={`Top ${TIER_LOOK[tier].word.toLowerCase()} leads`} rows={sorted} order={order} onSort={setOrder} onOpen={onOpen} />;
}

/** Segment stats, filters and the top hot and warm leads of the active model. */
export function SegmentView({ rows }: { rows: readonly ScoredLeadRow[] }) {
  const [chosen, setFilters] = useState<SegmentFilters>(NO_FILTERS);
  const [openError, setOpenError] = useState<ReactNode>(null);
  const choices = useMemo(() => filterChoices(rows), [rows]);
  const filters = useMemo(() => offeredFilters(chosen, choices), [chosen, choices]);
  const filtered = useMemo(() => filterLeads(rows, filters, Date.now()), [rows, filters]);
  const stats = useMemo(() => segmentStats(filtered), [filtered]);
  const open = async (row: ScoredLeadRow) => {
    setOpenError(null);
    if (row.source === 'csv') {
      return setOpenError(
        <>
          <bdi>{row.name}</bdi> came from a CSV file: it has no CRM page to open.
        </>,
      );
    }
    const reply = await background.openRecord({ crm: row.source, recordId: row.recordId }).catch((error: Error) => ({ ok: false as const, error: error.message }));
    if (!reply.ok) setOpenError(reply.error);
  };
  return (
    <>
      <section aria-labelledby="stats-title" className="card">
        <h2 id="stats-title" style={{ fontSize: 16, margin: 0 }}>
          Segments ({filtered.length.toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')} leads)
        </h2>
        <Filters choices={choices} filters={filters} onChange={setFilters} />
        <div style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
          <TierDonut stats={stats} />
          <SegmentStatsTable stats={stats} />
        </div>
      </section>
      <section aria-labelledby="top-title" className="card">
        <h2 id="top-title" style={{ fontSize: 16, margin: 0 }}>
          Top leads
        </h2>
        {openError && <p role="alert">{openError}</p>}
        <TopLeads rows={filtered} tier="hot" onOpen={open} />
        <TopLeads rows={filtered} tier="warm" onOpen={open} />
      </section>
    </>
  );
}
