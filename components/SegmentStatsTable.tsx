import type { Tier } from '@/lib/messaging/protocol';
import { formatRate, formatShares, plural } from '@/lib/presentation';
import { OUTCOME_SETTLED_DAYS } from '@/lib/ml/outcome-rule';
import { TIERS, type TierStats } from '@/lib/segments';
import { TierLabel } from './TierLabel';

/** Count, share and (when outcomes are known) conversion rate per tier (`segmentStats`). */
export function SegmentStatsTable({ stats }: { stats: Record<Tier, TierStats> }) {
  const anyOutcome = TIERS.some((tier) => stats[tier].withOutcome > 0);
  // Together, so the column adds up to 100 %.
  const shares = formatShares(TIERS.map((tier) => stats[tier].count));
  return (
    <table className="segment-stats">
      <caption className="visually-hidden">Leads per tier</caption>
      <thead>
        <tr>
          <th scope="col">Tier</th>
          <th scope="col">Leads</th>
          <th scope="col">Share</th>
          {anyOutcome && <th scope="col">Converted</th>}
        </tr>
      </thead>
      <tbody>
        {TIERS.map((tier, i) => {
          const { count, conversionRate, withOutcome } = stats[tier];
          return (
            <tr key={tier} data-tier-row={tier}>
              <th scope="row">
                <TierLabel tier={tier} />
              </th>
              <td>{count.toLocaleString('en-US')}</td>
              <td>{shares[i]}</td>
              {anyOutcome && (
                <td title={`Of ${plural(withOutcome, 'lead', 'leads')} created ${OUTCOME_SETTLED_DAYS} or more days ago with a known outcome`}>
                  {conversionRate === null ? 'unknown' : formatRate(conversionRate)}
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
