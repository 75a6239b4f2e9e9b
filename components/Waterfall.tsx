import { Bar, BarChart, Cell, ReferenceLine, XAxis, YAxis } from 'recharts';
import type { Reason } from '@/lib/messaging/protocol';
import { axisLabel, numberAxis, ticksFromZero, TWO_LINE_ROW_HEIGHT } from './Charts';

const UP = '#2e7d32';
const DOWN = '#b3261e';
const formatPoints = (points: number) => `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)}`;

/** Terms drawn as their own bar; the rest share one ("24 smaller terms"), the table lists each. */
export const WATERFALL_BARS = 12;

interface Step {
  label: string;
  range: [number, number]; // [from, to] log-odds
  points: number;
}

/**
 * The chart's bars: the starting point (from 0; `startingPoint` in lib/ml/explain.ts), then the
 * strongest terms in turn, then the smaller ones summed into one bar, so the last bar ends at
 * the lead's log-odds.
 */
export function waterfallSteps(start: number, reasons: readonly Reason[], maxBars = WATERFALL_BARS): Step[] {
  const strongestFirst = [...reasons].sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
  const shown = strongestFirst.length > maxBars + 1 ? strongestFirst.slice(0, maxBars) : strongestFirst;
  const rest = strongestFirst.slice(shown.length);
  const bars = shown.map((reason) => ({ label: reason.label, points: reason.points }));
  if (rest.length > 0) bars.push({ label: `${rest.length} smaller terms`, points: rest.reduce((sum, reason) => sum + reason.points, 0) });
  let running = start;
  const steps = bars.map(({ label, points }): Step => {
    const from = running;
    running += points;
    return { label, range: [from, running], points };
  });
  return [{ label: 'Starting point', range: [0, start], points: start }, ...steps];
}

/**
 * How the lead's log-odds are built: from the starting point for the lead's source (the
 * model's intercept and the terms of fields the source lacks), every reason in turn,
 * strongest first. The table below carries every reason's numbers.
 */
export function Waterfall({ start, reasons }: { start: number; reasons: readonly Reason[] }) {
  const data = waterfallSteps(start, reasons);
  const total = data[data.length - 1].range[1];
  const ticks = ticksFromZero(data.flatMap((step) => step.range));
  // The starting point is drawn from 0: the axis always reaches 0 (ticksFromZero), or that bar is cut away.
  return (
    <figure style={{ margin: 0 }}>
      <div role="img" aria-label={`Log-odds from ${start.toFixed(2)} to ${total.toFixed(2)} over ${reasons.length} ${reasons.length === 1 ? 'term' : 'terms'}; the table below lists each`}>
        <BarChart width={340} height={data.length * TWO_LINE_ROW_HEIGHT + 40} data={data} layout="vertical" margin={{ left: 0, right: 12 }}>
          <XAxis {...numberAxis(ticks, (v: number) => v.toFixed(1))} />
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
                <td>
                  <bdi>{reason.value}</bdi>
                </td>
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
