import { MIN_CHANGE_POINTS, type Deviation, type HotterPlan } from '@/lib/ml/insights';
import { formatDistinctRates, formatProbability, oddsFactor } from '@/lib/presentation';
import { TierLabel } from './TierLabel';

// Values come from CRM data (a category, a number as the CRM wrote it): each sits in <bdi>, so
// right-to-left text or a direction override in one cannot reorder the words around it.

/**
 * What the ideal would do to the lead's odds: its factor only from MIN_CHANGE_POINTS (×1.05), the
 * least the plan offers as a change, so no row reads "×1" beside an ideal that differs.
 */
function oddsIfIdeal(pointsLost: number): string {
  if (pointsLost === 0) return 'no change';
  return pointsLost < MIN_CHANGE_POINTS ? 'no visible change' : `×${oddsFactor(pointsLost)}`;
}

/** Per feature: this lead's value, the ideal customer's, and what the ideal would do to its odds. */
export function DeviationsTable({ deviations }: { deviations: readonly Deviation[] }) {
  return (
    <>
      <table className="deviations">
        <caption style={{ textAlign: 'left', fontWeight: 600 }}>Compared with the ideal customer</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">This lead</th>
            <th scope="col">Ideal</th>
            <th scope="col">Odds if ideal</th>
          </tr>
        </thead>
        <tbody>
          {deviations.map((d) => (
            <tr key={d.feature}>
              <td>{d.label}</td>
              <td>
                <bdi>{d.leadValue}</bdi>
              </td>
              <td>
                <bdi>{d.idealValue}</bdi>
              </td>
              <td>{oddsIfIdeal(d.pointsLost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="deviations-note" style={{ fontSize: 12, margin: '4px 0' }}>
        Ideal: the value (or range) that would score highest for this lead, its other features as they are. Odds if ideal: how many
        times changing only this feature to it would multiply the lead's odds of converting, counting how it works together with the
        others; no visible change below ×1.05. Not compared: how long ago the lead was created or last active, whether it takes
        e-mail (its choice, not a rep's), e-mail engagement when no marketing e-mail reaches it, and counts it already has more of than
        the ideal (they only grow).
      </p>
    </>
  );
}

/**
 * The plan's threshold, probability before and after, each as the header writes a probability
 * ("12 %", "<1 %"), except figures that would read alike though they differ (a shortfall as
 * "11 % → 11 %"): those with the digits that tell them apart ("11.3 %", "11.1 %"). Before and
 * after differ by odds ×1.05 or more (MIN_CHANGE_POINTS), which a digit more shows below 97 %:
 * further digits only tell a figure from a threshold it sits next to ("11.059 %", "11.063 %").
 */
function planFigures({ threshold, probabilityBefore, probabilityAfter }: HotterPlan): string[] {
  const figures = [threshold, probabilityBefore, probabilityAfter];
  const asHeader = figures.map(formatProbability);
  const readsAlike = figures.map((a, i) => figures.some((b, j) => a !== b && asHeader[i] === asHeader[j]));
  const alike = [...new Set(figures.filter((_, i) => readsAlike[i]))];
  const apart = formatDistinctRates(alike);
  return figures.map((figure, i) => (readsAlike[i] ? apart[alike.indexOf(figure)] : asHeader[i]));
}

/** The smallest changes a rep can make happen that move the lead to the next tier. */
export function HotterPlanView({ plan }: { plan: HotterPlan | null }) {
  if (!plan) return <p>This lead is already hot: nothing to change.</p>;
  // Changes too small to see are never offered: when none is left, say so rather than "only raise it".
  if (plan.changes.length === 0) {
    return <p>No change to engagement would noticeably raise this lead's score: its fit decides it.</p>;
  }
  const [threshold, before, after] = planFigures(plan);
  return (
    <div className="hotter-plan">
      <p>
        {plan.reaches ? 'These changes would make it ' : 'The changes that help most would not make it '}
        <TierLabel tier={plan.targetTier} /> (from {threshold} likely){plan.reaches ? ': ' : ', only raise it: '}
        {before} → {after}.
      </p>
      <ol>
        {plan.changes.map((change) => (
          <li key={change.feature}>
            {change.label}: <bdi>{change.from}</bdi> → <bdi>{change.to}</bdi>
            {change.today && ', with an activity today'}
            {change.alsoChanges.map((follower) => (
              <span key={follower.feature}>
                , which takes {follower.label} from <bdi>{follower.from}</bdi> to <bdi>{follower.to}</bdi>
              </span>
            ))}{' '}
            (odds ×{oddsFactor(change.calibratedPoints)})
          </li>
        ))}
      </ol>
    </div>
  );
}
