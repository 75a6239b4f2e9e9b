import type { Tier } from '@/lib/messaging/protocol';
import { formatRate, formatShares } from '@/lib/presentation';
import { TIERS, type TierStats } from '@/lib/segments';
import { SidewaysScroll } from './SidewaysScroll';
import { TierLabel } from './TierLabel';

/** How a lead the model learnt from counts in the conversion rates, in a rep's words (the side panel says it again, at more length). */
export const LEARNT_FROM_TIER = 'the model learnt from counts in the tier of the score a check model trained without it gave it, not of the score it shows';

/**
 * How the leads a model may have learnt from count when LeadLens holds no check model's scores of them (a model it did not
 * train here, or one whose were lost), in a rep's words, as the options page says it of its figures (LabelledLeadsNote).
 */
const MAY_HAVE_LEARNT_FROM = 'A lead the model may have learnt from counts in the tier of the score it shows, which may make its rates look better than they will be on new leads.';

const CAPTION = 'Leads per tier';

/**
 * Count, share and (when outcomes are known) conversion rate per tier (`segmentFigures`); `learntFromHeldOut`: whether the
 * rates count the leads the model learnt from by a check model's scores of them (`OutcomeBasis` 'rule' with `learntFrom`).
 */
export function SegmentStatsTable({ stats, learntFromHeldOut }: { stats: Record<Tier, TierStats>; learntFromHeldOut: boolean }) {
  const anyOutcome = TIERS.some((tier) => stats[tier].withOutcome > 0);
  // Together, so the column adds up to 100 %.
  const shares = formatShares(TIERS.map((tier) => stats[tier].count));
  return (
    <SidewaysScroll label={CAPTION} widthFrom="content">
      <table className="segment-stats">
        <caption className="visually-hidden">{CAPTION}</caption>
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
                  <td>
                    {conversionRate === null ? (
                      'unknown'
                    ) : (
                      <>
                        {formatRate(conversionRate)}
                        {/* How many leads the rate is of, in sight: 50 % of 2 leads is not 50 % of 2,000. */}
                        <span className="rate-basis"> of {withOutcome.toLocaleString('en-US')}</span>
                      </>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
        {anyOutcome && (
          <tfoot>
            <tr>
              <td colSpan={4} className="rate-basis">
                Converted: of the tier's leads with a known outcome, the share that converted, and of how many
                {learntFromHeldOut ? ` (a lead ${LEARNT_FROM_TIER}).` : `. ${MAY_HAVE_LEARNT_FROM}`}
              </td>
            </tr>
          </tfoot>
        )}
      </table>
    </SidewaysScroll>
  );
}
