import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { Bar, BarChart, Cell, Rectangle, Text, XAxis, YAxis, type BarShapeProps, type YAxisTickContentProps } from 'recharts';
import type { Reason } from '@/lib/messaging/protocol';
import { sigmoid } from '@/lib/ml/train/calibration';
import type { TierThresholds } from '@/lib/ml/train/thresholds';
import { DIRECTION_LOOK, directionOf, formatProbabilityWithTiers, formatRate, movesTheOdds, oddsFactor, reasonInWords } from '@/lib/presentation';
import { axisLabel, TWO_LINE_ROW_HEIGHT } from './Charts';
import { SidewaysScroll } from './SidewaysScroll';
import { tableValueWrap } from './table-value-wrap';


/** Reasons drawn as their own bar; the rest share one ("24 smaller reasons"), the table lists each. */
export const WATERFALL_BARS = 12;

interface Step {
  label: string;
  range: [number, number]; // [from, to] log-odds of the calibrated probability
  points: number;
  /** A reason's bar, or a point drawn as a dot with its probability: where the reasons start, and where they leave the lead. */
  kind: 'start' | 'reason' | 'end';
}

/**
 * Where the reasons start: the model's own starting point for the lead's source (`startingPoint`
 * in lib/ml/explain.ts), not the average lead. Named so that it is not taken for the history's
 * conversion rate, which the headline compares the lead with ("1.7× the average lead"): a model
 * baseline of 5.5% under an average of 9.28% read as "3× the average" for a lead at 16%. Short
 * enough for two lines of the chart in Chrome's narrowest side panel.
 */
export const BASELINE_LABEL = 'Model baseline (before fields)';

/**
 * The chart's rows: the model baseline (`BASELINE_LABEL`), then the strongest terms in turn, then
 * the smaller ones summed into one bar, then the lead itself at the log-odds of the probability
 * shown, where the last bar ends (the reasons of `explainLead` are on those odds). The baseline
 * and the lead are points, no bars: neither is a reason.
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
    return { label, range: [from, running], points, kind: 'reason' };
  });
  return [{ label: BASELINE_LABEL, range: [start, start], points: 0, kind: 'start' }, ...steps, { label: 'This lead', range: [running, running], points: 0, kind: 'end' }];
}

/** Round probabilities the axis may mark, finest first: the finest set that marks the chart's span with few enough ticks is used. */
const PROBABILITY_TICKS: readonly (readonly number[])[] = [
  [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999],
  [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999],
  [0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 0.999],
  [0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999],
];
/** More ticks than this crowd a narrow panel's chart. */
const MOST_PROBABILITY_TICKS = 5;

const logOdds = (probability: number) => Math.log(probability / (1 - probability));

/**
 * The value axis for the log-odds `logits`: its domain from the round probability below the
 * lowest to the one above the highest (the data's own ends past 0.1 % and 99.9 %), and ticks
 * at round probabilities in it, at most MOST_PROBABILITY_TICKS. The bars stay on the log-odds,
 * where each reason adds its points; the ticks read them as the probability a rep is shown.
 */
export function probabilityAxis(logits: readonly number[]): { domain: [number, number]; ticks: number[] } {
  const low = Math.min(...logits);
  const high = Math.max(...logits);
  let axis: { domain: [number, number]; ticks: number[] } = { domain: [low, high], ticks: [] };
  for (const probabilities of PROBABILITY_TICKS) {
    const marks = probabilities.map(logOdds);
    const from = marks.findLast((mark) => mark < low) ?? low;
    const to = marks.find((mark) => mark > high) ?? high;
    axis = { domain: [from, to], ticks: marks.filter((mark) => mark >= from && mark <= to) };
    if (axis.ticks.length <= MOST_PROBABILITY_TICKS) return axis;
  }
  // A span more than five of even the coarsest ticks mark (from below 1 % to above 90 %): every other of them, or fewer.
  const every = Math.ceil(axis.ticks.length / MOST_PROBABILITY_TICKS);
  return { ...axis, ticks: axis.ticks.filter((_, i) => i % every === 0) };
}

const count = (n: number, verb: string) => `${n === 0 ? 'no reason' : n === 1 ? '1 reason' : `${n} reasons`} ${n > 1 ? verb : `${verb}s`}`;

/**
 * The chart in a rep's words, for those who cannot see it: the probability the reasons start
 * from (the model baseline, as the chart names it), how many raise and lower the odds of
 * converting (those the lists above the chart count: of one field, that move them,
 * `topReasons`), how many pairs of fields move them and how many more hardly change them, by how
 * much they change them together, and the lead's probability they end at. `probabilities` as the
 * chart's dots write them: the dots are drawn text inside the image, which a screen reader does
 * not read.
 */
export function describeWaterfall(reasons: readonly Reason[], probabilities: { start: string; lead: string }): string {
  const moving = reasons.filter(movesTheOdds);
  const ofOneField = moving.filter((reason) => !reason.pair);
  const raising = ofOneField.filter((reason) => reason.points > 0).length;
  const lowering = ofOneField.filter((reason) => reason.points < 0).length;
  const pairs = moving.length - ofOneField.length;
  const hardly = reasons.length - moving.length;
  const together = reasons.reduce((sum, reason) => sum + reason.points, 0);
  const change = `${together >= 0 ? 'multiply' : 'divide'} the odds by ${oddsFactor(together)}`;
  const parts = [
    `${count(raising, 'raise')} the odds of converting`,
    `${count(lowering, 'lower')} them`,
    ...(pairs > 0 ? [`${pairs === 1 ? '1 pair of fields moves' : `${pairs} pairs of fields move`} them`] : []),
    ...(hardly > 0 ? [`${hardly} more hardly ${hardly === 1 ? 'changes' : 'change'} them`] : []),
  ];
  const counts = `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `From the model baseline of ${probabilities.start} (before this lead's fields), ${counts}; together they ${change}, to ${probabilities.lead} for this lead. The table below lists each reason.`;
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

/** What the table under the chart is, as its <details> and its region name it. */
const REASONS_TABLE = 'Every reason as a table';

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
 * Words drawn in the chart (the axis title, a dot's probability): 7:1 on white, as the report's
 * charts draw theirs (Charts.tsx).
 */
const CHART_TEXT = '#595959';
/** The dots where the reasons start and end: neither raises nor lowers, so neither reason colour. */
const POINT_COLOUR = '#424242';
/** Room under the value axis for its title, which sits 4 px above the chart's bottom edge. */
const AXIS_TITLE_ROOM = 16;

/** A chart row as drawn: its step, its name with the reason's arrow, and for a dot its probability and on which side to write it. */
interface Row extends Step {
  name: string;
  probability: string;
  probabilityLeft: boolean;
}

/**
 * A reason's bar as Recharts draws one; the model baseline and the lead as a dot with its
 * probability beside it, written toward the middle of the chart so it stays inside it.
 */
function StepShape(props: BarShapeProps) {
  const row = props.payload as Row;
  if (row.kind === 'reason') return <Rectangle {...props} />;
  const centre = { x: props.x, y: props.y + props.height / 2 };
  const gap = row.probabilityLeft ? -9 : 9;
  return (
    <g className="waterfall-point">
      <circle cx={centre.x} cy={centre.y} r={5} fill={POINT_COLOUR} />
      <text x={centre.x + gap} y={centre.y} dy="0.35em" textAnchor={row.probabilityLeft ? 'end' : 'start'} fontSize={11} fill={CHART_TEXT}>
        {row.probability}
      </text>
    </g>
  );
}

/**
 * How the log-odds of the probability shown are built: from the model baseline for the lead's
 * source (the model's intercept and the terms of fields the source lacks, calibrated; not the
 * average lead's likelihood), every reason in turn, strongest first, to the lead's probability.
 * The axis marks probabilities at their log-odds, so each reason moves the lead by its odds
 * factor wherever it starts. Each reason's bar is marked ▲ or ▼ besides its colour; the table
 * below says how each moves the odds.
 */
export function Waterfall({ start, reasons, tiers }: { start: number; reasons: readonly Reason[]; tiers: TierThresholds }) {
  const steps = waterfallSteps(start, reasons);
  const axis = probabilityAxis(steps.flatMap((step) => step.range));
  const [low, high] = axis.domain;
  // Each reason's bar named with its arrow; the baseline and the lead go neither up nor down.
  const data = steps.map(
    (step): Row => ({
      ...step,
      name: step.kind === 'reason' ? `${DIRECTION_LOOK[directionOf(step.points)].arrow} ${step.label}` : step.label,
      // As the headline writes it: a lead at 49.96% under "hot from 50%" is not "50%".
      probability: formatProbabilityWithTiers(sigmoid(step.range[1]), tiers),
      probabilityLeft: step.range[1] - low > (high - low) / 2,
    }),
  );
  const [room, roomWidth] = useWidth<HTMLDivElement>(WATERFALL_WIDTH);
  const width = Math.min(WATERFALL_WIDTH, roomWidth);
  return (
    <figure style={{ margin: 0 }}>
      <div ref={room} role="img" aria-label={describeWaterfall(reasons, { start: data[0].probability, lead: data.at(-1)!.probability })}>
        <BarChart
          accessibilityLayer={false}
          width={width}
          height={data.length * TWO_LINE_ROW_HEIGHT + 40 + AXIS_TITLE_ROOM}
          data={data}
          layout="vertical"
          margin={{ left: 0, right: 12, bottom: AXIS_TITLE_ROOM }}
        >
          <XAxis
            type="number"
            domain={axis.domain}
            ticks={axis.ticks}
            interval={0}
            tickFormatter={(logit: number) => formatRate(sigmoid(logit))}
            fontSize={11}
            label={{ value: 'Likelihood of converting', position: 'insideBottom', offset: 4 - AXIS_TITLE_ROOM, fontSize: 11, fill: CHART_TEXT }}
          />
          <YAxis type="category" dataKey="name" width={Math.round(width * LABEL_SHARE)} fontSize={11} interval={0} tick={ReasonTick} />
          <Bar dataKey="range" isAnimationActive={false} shape={StepShape}>
            {data.map((d, i) => (
              <Cell key={i} fill={DIRECTION_LOOK[directionOf(d.points)].colour} />
            ))}
          </Bar>
        </BarChart>
      </div>
      <details>
        <summary>{REASONS_TABLE}</summary>
        <SidewaysScroll label={REASONS_TABLE}>
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
                  <th scope="row" className="row-name">
                    {reason.label}
                  </th>
                  <td>
                    {/* A CRM value with a long run without a space (an e-mail address) wraps, rather than widening the table past the side panel. */}
                    <bdi className={tableValueWrap(reason.value)}>{reason.value}</bdi>
                  </td>
                  <td>
                    <Effect reason={reason} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </SidewaysScroll>
      </details>
    </figure>
  );
}

