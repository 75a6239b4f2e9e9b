import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { Bar, BarChart, Cell, ReferenceLine, Text, XAxis, YAxis, type YAxisTickContentProps } from 'recharts';
import type { Reason } from '@/lib/messaging/protocol';
import { DIRECTION_LOOK, directionOf, movesTheOdds, oddsFactor, reasonInWords } from '@/lib/presentation';
import { axisLabel, numberAxis, ticksFromZero, TWO_LINE_ROW_HEIGHT } from './Charts';


/** Reasons drawn as their own bar; the rest share one ("24 smaller reasons"), the table lists each. */
export const WATERFALL_BARS = 12;

interface Step {
  label: string;
  range: [number, number]; // [from, to] log-odds of the calibrated probability
  points: number;
}

/**
 * The chart's bars: the starting point (from 0; `startingPoint` in lib/ml/explain.ts), then the
 * strongest terms in turn, then the smaller ones summed into one bar, so the last bar ends at
 * the log-odds of the probability shown (the reasons of `explainLead` are on those odds).
 */
export function waterfallSteps(start: number, reasons: readonly Reason[], maxBars = WATERFALL_BARS): Step[] {
  const strongestFirst = [...reasons].sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
  const shown = strongestFirst.length > maxBars + 1 ? strongestFirst.slice(0, maxBars) : strongestFirst;
  const rest = strongestFirst.slice(shown.length);
  const bars = shown.map((reason) => ({ label: reason.label, points: reason.points }));
  if (rest.length > 0) bars.push({ label: `${rest.length} smaller reasons`, points: rest.reduce((sum, reason) => sum + reason.points, 0) });
  let running = start;
  const steps = bars.map(({ label, points }): Step => {
    const from = running;
    running += points;
    return { label, range: [from, running], points };
  });
  return [{ label: 'Starting point', range: [0, start], points: start }, ...steps];
}

const count = (n: number, verb: string) => `${n === 0 ? 'no reason' : n === 1 ? '1 reason' : `${n} reasons`} ${n > 1 ? verb : `${verb}s`}`;

/**
 * The chart in a rep's words, for those who cannot see it: how many reasons raise and lower
 * the odds of converting, and by how much they change them together.
 */
export function describeWaterfall(reasons: readonly Reason[]): string {
  const raising = reasons.filter((reason) => reason.points > 0).length;
  const lowering = reasons.filter((reason) => reason.points < 0).length;
  const together = reasons.reduce((sum, reason) => sum + reason.points, 0);
  const change = `${together >= 0 ? 'multiply' : 'divide'} the odds by ${oddsFactor(together)}`;
  return `From the starting point, ${count(raising, 'raise')} the odds of converting and ${count(lowering, 'lower')} them; together they ${change}. The table below lists each reason.`;
}

/** A reason's effect in the table: "▲ strongly raises the odds (×4.5)", the arrow for the eye only; "hardly changes the odds" below what the badge counts as a reason. */
function Effect({ reason }: { reason: Reason }) {
  if (!movesTheOdds(reason)) return <>hardly changes the odds</>;
  const { effect, direction } = reasonInWords(reason);
  const sign = direction === 'up' ? '×' : '÷';
  return (
    <>
      <span aria-hidden="true">{DIRECTION_LOOK[direction].arrow} </span>
      {`${effect} (${sign}${oddsFactor(reason.points)})`}
    </>
  );
}

/** The chart's width where the side panel has room for it; a narrower panel (Chrome's narrowest is 320 px) gets a narrower chart. */
const WATERFALL_WIDTH = 340;
/** The reasons' names take this share of the chart's width: 150 px at its full width. */
const LABEL_SHARE = 150 / WATERFALL_WIDTH;

/**
 * The width of the element given `ref`, followed as the side panel is resized; `fallback` until
 * it is laid out (0 wide: not in a page yet, or hidden). Measured before the first paint, so a
 * narrow panel never shows the chart wider than itself.
 */
function useWidth<E extends HTMLElement>(fallback: number): [RefObject<E | null>, number] {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      if (element.clientWidth > 0) setWidth(element.clientWidth);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/**
 * A bar's name on at most two lines, the row's height; a longer one is cut with "…" and kept
 * whole in its tooltip (the table below the chart names each reason in full).
 */
function ReasonTick({ payload, ...tick }: YAxisTickContentProps) {
  const name = String(payload.value);
  return (
    <g>
      <title>{name}</title>
      <Text {...tick} maxLines={2}>
        {axisLabel(name)}
      </Text>
    </g>
  );
}

/**
 * How the log-odds of the probability shown are built: from the starting point for the lead's
 * source (the model's intercept and the terms of fields the source lacks, calibrated), every
 * reason in turn, strongest first. Each reason's bar is marked ▲ or ▼ besides its colour; the
 * table below says how each moves the odds.
 */
export function Waterfall({ start, reasons }: { start: number; reasons: readonly Reason[] }) {
  // Each reason's bar named with its arrow; the starting point goes neither up nor down, it is where the reasons start.
  const data = waterfallSteps(start, reasons).map((step, i) => ({
    ...step,
    name: i === 0 ? step.label : `${DIRECTION_LOOK[directionOf(step.points)].arrow} ${step.label}`,
  }));
  const ticks = ticksFromZero(data.flatMap((step) => step.range));
  const [room, roomWidth] = useWidth<HTMLDivElement>(WATERFALL_WIDTH);
  const width = Math.min(WATERFALL_WIDTH, roomWidth);
  // The starting point is drawn from 0: the axis always reaches 0 (ticksFromZero), or that bar is cut away.
  return (
    <figure style={{ margin: 0 }}>
      <div ref={room} role="img" aria-label={describeWaterfall(reasons)}>
        <BarChart accessibilityLayer={false} width={width} height={data.length * TWO_LINE_ROW_HEIGHT + 40} data={data} layout="vertical" margin={{ left: 0, right: 12 }}>
          <XAxis {...numberAxis(ticks, (v: number) => v.toFixed(1))} />
          <YAxis type="category" dataKey="name" width={Math.round(width * LABEL_SHARE)} fontSize={11} interval={0} tick={ReasonTick} />
          <ReferenceLine x={0} stroke="#555" />
          <Bar dataKey="range" isAnimationActive={false}>
            {data.map((d, i) => (
              <Cell key={i} fill={i === 0 ? '#757575' : DIRECTION_LOOK[directionOf(d.points)].colour} />
            ))}
          </Bar>
        </BarChart>
      </div>
      <details>
        <summary>Every reason as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col">This lead</th>
              <th scope="col">How it moves the odds of converting</th>
            </tr>
          </thead>
          <tbody>
            {reasons.map((reason) => (
              <tr key={reason.label}>
                <td>{reason.label}</td>
                <td>
                  <bdi>{reason.value}</bdi>
                </td>
                <td>
                  <Effect reason={reason} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

