import type { Deviation, HotterPlan } from '@/lib/ml/insights';
import { formatRate } from '@/lib/presentation';
import { TierLabel } from './TierLabel';
import { formatPoints } from './Waterfall';

/** Per feature: this lead's value, the ideal customer's, and the points lost. */
export function DeviationsTable({ deviations }: { deviations: readonly Deviation[] }) {
  return (
    <table className="deviations">
      <caption style={{ textAlign: 'left', fontWeight: 600 }}>Compared with the ideal customer</caption>
      <thead>
        <tr>
          <th scope="col">Feature</th>
          <th scope="col">This lead</th>
          <th scope="col">Ideal</th>
          <th scope="col">Points lost</th>
        </tr>
      </thead>
      <tbody>
        {deviations.map((d) => (
          <tr key={d.feature}>
            <td>{d.label}</td>
            <td>{d.leadValue}</td>
            <td>{d.idealValue}</td>
            <td>{d.pointsLost < 0.005 ? 'none' : d.pointsLost.toFixed(2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The smallest changes a rep can make happen that move the lead to the next tier. */
export function HotterPlanView({ plan }: { plan: HotterPlan | null }) {
  if (!plan) return <p>This lead is already hot: nothing to change.</p>;
  if (plan.changes.length === 0) {
    return <p>No change to engagement would raise this lead's score: its fit decides it.</p>;
  }
  return (
    <div className="hotter-plan">
      <p>
        {plan.reaches ? 'These changes would make it ' : 'Even these changes would not quite make it '}
        <TierLabel tier={plan.targetTier} /> (from {formatRate(plan.threshold)} likely): {formatRate(plan.probabilityBefore)} →{' '}
        {formatRate(plan.probabilityAfter)}.
      </p>
      <ol>
        {plan.changes.map((change) => (
          <li key={change.feature}>
            {change.label}: {change.from} → {change.to}
            {change.today && ', with an activity today'} ({formatPoints(change.points)} points)
          </li>
        ))}
      </ol>
    </div>
  );
}
