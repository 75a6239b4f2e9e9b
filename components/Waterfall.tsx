import { Bar, BarChart, Cell, ReferenceLine, XAxis, YAxis } from 'recharts';
import type { Reason } from '@/lib/messaging/protocol';
import { axisLabel, TWO_LINE_ROW_HEIGHT } from './Charts';

const UP = '#2e7d32';
const DOWN = '#b3261e';
const formatPoints = (points: number) => `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)}`;

/**
 * How the lead's log-odds are built: from the model's starting point (intercept), every
 * term's contribution in turn, strongest first. The table below carries the same numbers.
 */
export function Waterfall({ intercept, reasons }: { intercept: number; reasons: readonly Reason[] }) {
  let running = intercept;
  const steps = reasons.map((reason) => {
    const start = running;
    running += reason.points;
    return { label: reason.label, range: [start, running] as [number, number], points: reason.points };
  });
  const data = [{ label: 'Starting point', range: [0, intercept] as [number, number], points: intercept }, ...steps];
  // The starting point is drawn from 0: the axis must always reach 0, or that bar is cut away.
  return (
    <figure style={{ margin: 0 }}>
      <div role="img" aria-label={`Log-odds from ${intercept.toFixed(2)} to ${running.toFixed(2)} over ${reasons.length} terms; the table below lists each`}>
        <BarChart width={340} height={data.length * TWO_LINE_ROW_HEIGHT + 40} data={data} layout="vertical" margin={{ left: 0, right: 12 }}>
          <XAxis type="number" domain={[(low: number) => Math.min(0, low), (high: number) => Math.max(0, high)]} tickFormatter={(v: number) => v.toFixed(1)} fontSize={11} interval={0} />
          <YAxis type="category" dataKey="label" width={150} fontSize={11} interval={0} tickFormatter={axisLabel} />
          <ReferenceLine x={0} stroke="#555" />
          <Bar dataKey="range" isAnimationActive={false}>
            {data.map((d, i) => (
              <Cell key={i} fill={i === 0 ? '#757575' : d.points >= 0 ? UP : DOWN} />
            ))}
          </Bar>
        </BarChart>
      </div>
      <details>
        <summary>Every term as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Term</th>
              <th scope="col">This lead</th>
              <th scope="col">Points</th>
            </tr>
          </thead>
          <tbody>
            {reasons.map((reason) => (
              <tr key={reason.label}>
                <td>{reason.label}</td>
                <td>{reason.value}</td>
                <td>{formatPoints(reason.points)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export { formatPoints };
