/**
 * The report's charts. Each has a text alternative (aria-label on a role="img" wrapper) and
 * marks thresholds with words, not colour alone.
 */
import { Bar, BarChart, CartesianGrid, Cell, DefaultZIndexes, Line, LineChart, ReferenceLine, useXAxisScale, useYAxisScale, XAxis, YAxis, ZIndexLayer } from 'recharts';
import { useMemo, useRef, type CSSProperties, type ReactNode } from 'react';
import { niceTicks, UNIT_TICKS } from '@/lib/ui/axis-ticks';
import { DrawWhenNear } from './DrawWhenNear';
import { SidewaysScroll } from './SidewaysScroll';

export type Point = [number, number];
export interface Marker {
  label: string;
  point: Point;
}

const WIDTH = 300;
const HEIGHT = 220;
/** A tick in percent, exactly: zoomed axes have ticks such as 0.5 and 1.25. */
const pct = (v: number) => String(Number((v * 100).toPrecision(12)));
/**
 * Words drawn in a chart (axis titles, marker labels): 7:1 on white. Recharts' own grey for
 * them, #808080, is 3.9:1, too faint for 11 px text (WCAG asks 4.5:1).
 */
const CHART_TEXT = '#595959';

/** A vertical axis's title, as every chart writes it. */
export const yAxisTitle = (value: string) => ({ value, angle: -90, position: 'insideLeft' as const, fontSize: 11, fill: CHART_TEXT, style: { textAnchor: 'middle' as const } });
/** A horizontal axis's title, under its ticks: the chart's bottom margin leaves it room (TITLED_BOTTOM_MARGIN). */
const xAxisTitle = (value: string) => ({ value, position: 'insideBottom' as const, offset: -12, fontSize: 11, fill: CHART_TEXT });
/** The bottom margin of a chart with a title under its horizontal axis. */
const TITLED_BOTTOM_MARGIN = 24;

/** Category labels of horizontal bar charts: a row fits two 11 px lines; longer labels are cut (tables carry them in full). */
const ONE_LINE_ROW_HEIGHT = 18;
export const TWO_LINE_ROW_HEIGHT = 30;
const ONE_LINE_CHARS = 28;
const MAX_LABEL_CHARS = 44;
export const axisLabel = (label: string) => (label.length > MAX_LABEL_CHARS ? `${label.slice(0, MAX_LABEL_CHARS - 1)}…` : label);

/** Drawn size of a chart; until it is drawn, its placeholder takes this much room. */
export interface ChartSize {
  width: number;
  height: number;
}

/**
 * The style of a chart drawn at `size` (Recharts' `style`, its wrapper's) that shrinks to a
 * narrower container, its drawing scaled to keep its aspect: a page zoomed in (the options page
 * at 400 % is 320 CSS px wide) reflows rather than scrolls sideways.
 */
export const shrinksToFit = ({ width, height }: ChartSize): CSSProperties => ({ maxWidth: '100%', height: 'auto', aspectRatio: `${width} / ${height}` });
const CURVE_CHART_STYLE = shrinksToFit({ width: WIDTH, height: HEIGHT });

/**
 * A titled chart; `notes` (what its units mean, which axis is which) and `textAlternative` (e.g.
 * a <details> table) sit outside the image: screen readers read a role="img" element's label,
 * never what it holds. The chart itself is drawn when the reader scrolls near it (DrawWhenNear):
 * a report holds dozens of charts, too many to draw with the page. Its description is there
 * from the start, so a screen reader reading ahead hears what the chart shows, not that it is
 * not drawn yet.
 */
export function Figure({
  title,
  description,
  children,
  notes,
  textAlternative,
  size = { width: WIDTH, height: HEIGHT },
}: {
  title: string;
  description: string;
  /** The drawing only: any words a reader needs go in `notes` or `textAlternative`. */
  children: ReactNode;
  notes?: ReactNode;
  textAlternative?: ReactNode;
  size?: ChartSize;
}) {
  return (
    <figure>
      <figcaption>{title}</figcaption>
      <div role="img" aria-label={`${title}: ${description}`}>
        <DrawWhenNear what={title} {...size}>
          {children}
        </DrawWhenNear>
      </div>
      {notes}
      {textAlternative}
    </figure>
  );
}

export interface CurveChartProps {
  title: string;
  description: string;
  points: readonly Point[];
  xLabel: string;
  yLabel: string;
  markers?: readonly Marker[];
  diagonal?: boolean;
  /** Which axes read 0–1 as percent: both (ROC, precision–recall), x only (a probability against money), or none. */
  percentAxes?: boolean | 'x';
  /**
   * Percent axes from 0 to the curve's highest value on either axis, the same round ticks on
   * both (the diagonal stays at 45°), not the whole unit square: a calibration curve at a 4 %
   * base rate sits in the square's bottom-left corner, where any model looks calibrated.
   */
  zoomed?: boolean;
  /** The curve's numbers as text, e.g. a <details> table (see Figure). */
  textAlternative?: ReactNode;
}

/** A curve in the unit square (ROC, precision–recall, calibration) or any x–y curve, with labelled markers. */
export function CurveChart({ title, description, points, xLabel, yLabel, markers = [], diagonal = false, percentAxes = true, zoomed = false, textAlternative }: CurveChartProps) {
  // Recharts recomputes a whole chart when its data or an axis prop is a new object. Kept the same
  // while the curve is (a new tier policy moves only the markers), a redraw costs a fraction.
  const curve = useSamePoints(points);
  const data = useMemo(() => curve.map(([x, y]) => ({ x, y })), [curve]);
  const percentTicks = useMemo(() => (zoomed ? zoomedPercentTicks(curve) : UNIT_TICKS), [curve, zoomed]);
  const xAxis = useMemo(
    () => curveAxis(curve, 0, percentAxes !== false ? percentTicks : undefined, xAxisTitle(xLabel)),
    [curve, percentAxes, percentTicks, xLabel],
  );
  const yAxis = useMemo(
    () => curveAxis(curve, 1, percentAxes === true ? percentTicks : undefined, yAxisTitle(yLabel)),
    [curve, percentAxes, percentTicks, yLabel],
  );
  const diagonalSegment = useMemo(() => diagonalTo(percentTicks[percentTicks.length - 1]), [percentTicks]);
  return (
    <Figure title={title} description={description} textAlternative={textAlternative}>
      <LineChart accessibilityLayer={false} width={WIDTH} height={HEIGHT} style={CURVE_CHART_STYLE} data={data} margin={CURVE_MARGIN}>
        <GridAt xTicks={xAxis.ticks} yTicks={yAxis.ticks} />
        <XAxis dataKey="x" {...xAxis} />
        <YAxis {...yAxis} />
        {diagonal && <ReferenceLine segment={diagonalSegment} stroke="#9e9e9e" strokeDasharray="4 4" />}
        <Line dataKey="y" stroke="#1a5fb4" dot={false} strokeWidth={2} isAnimationActive={false} />
        <MarkerDots markers={markers} />
      </LineChart>
    </Figure>
  );
}

/**
 * Labelled dots at data coordinates, placed with the chart's own scales and drawn above its
 * lines. Lighter than a ReferenceDot each, which registers with the chart's store and makes
 * the whole chart recompute its axes when it mounts or moves.
 */
function MarkerDots({ markers }: { markers: readonly Marker[] }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  if (!x || !y) return null;
  return (
    <ZIndexLayer zIndex={DefaultZIndexes.label}>
      {markers.map((marker) => {
        const cx = x(marker.point[0]);
        const cy = y(marker.point[1]);
        if (cx === undefined || cy === undefined) return null;
        return (
          <g key={marker.label} className="chart-marker">
            <circle cx={cx} cy={cy} r={5} fill="#1a1a1a" stroke="#fff" />
            <text x={cx} y={cy - 9} textAnchor="middle" fontSize={11} fill={CHART_TEXT}>
              {marker.label}
            </text>
          </g>
        );
      })}
    </ZIndexLayer>
  );
}

type AxisScale = { map(value: unknown): number | undefined } | undefined;
const linesAt = (ticks: readonly (number | string)[], scale: AxisScale) => (scale ? ticks.map((tick) => scale.map(tick)).filter((at): at is number => at !== undefined && Number.isFinite(at)) : []);

/**
 * Grid lines at the axes' ticks, placed by the axes' scales. Recharts' own placement measures
 * every tick label in the page, and on a chart's first pass (before its axes are registered)
 * that is one label per data point. `undefined` ticks: no lines along that axis.
 */
export function GridAt({ xTicks, yTicks }: { xTicks?: readonly (number | string)[]; yTicks?: readonly (number | string)[] }) {
  return (
    <CartesianGrid
      stroke="#e6e6e6"
      vertical={xTicks !== undefined}
      horizontal={yTicks !== undefined}
      verticalCoordinatesGenerator={({ xAxis }) => linesAt(xTicks ?? [], xAxis?.scale)}
      horizontalCoordinatesGenerator={({ yAxis }) => linesAt(yTicks ?? [], yAxis?.scale)}
    />
  );
}

const CURVE_MARGIN = { top: 8, right: 16, bottom: TITLED_BOTTOM_MARGIN, left: 8 };
/** The line y = x from the origin to (top, top): drawn past the axes' end, Recharts would leave it out. */
const diagonalTo = (top: number): [{ x: number; y: number }, { x: number; y: number }] => [{ x: 0, y: 0 }, { x: top, y: top }];
const plainNumber = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 });

/**
 * Props of a numeric axis with the given ticks, from the first to the last: charts choose their
 * ticks themselves (niceTicks), as Recharts' own choice measures tick text in the page on every redraw.
 */
export function numberAxis(ticks: readonly number[], tickFormatter: (value: number) => string) {
  return { type: 'number' as const, domain: [ticks[0], ticks[ticks.length - 1]], ticks, interval: 0, tickFormatter, fontSize: 11 };
}

/** Most ticks on a value axis; fewer when `format` writes two of them the same. */
const MOST_VALUE_TICKS = 6;

/**
 * Round ticks from min(0, values) to max(0, values): value axes that show where zero is. With a
 * `format`, the most ticks (up to 6) whose labels all differ: "1 % | 1 % | 2 %" says nothing.
 */
export function ticksFromZero(values: readonly number[], format?: (value: number) => string): number[] {
  const min = Math.min(0, ...values);
  const max = Math.max(0, ...values);
  for (let count = MOST_VALUE_TICKS; count > 3; count--) {
    const ticks = niceTicks(min, max, count);
    if (!format || new Set(ticks.map((tick) => format(tick))).size === ticks.length) return ticks;
  }
  return niceTicks(min, max, 3);
}

/** Round ticks from 0 to the highest x or y of `points` (the unit interval's when none is above 0), for both axes of a zoomed chart. */
function zoomedPercentTicks(points: readonly Point[]): readonly number[] {
  const top = Math.max(0, ...points.flat());
  return top > 0 ? niceTicks(0, top) : UNIT_TICKS;
}

/** A curve chart's axis (0 = x, 1 = y): `percentTicks` in percent, or round ticks over the points' range. */
function curveAxis(points: readonly Point[], axis: 0 | 1, percentTicks: readonly number[] | undefined, label: object) {
  if (percentTicks) return { ...numberAxis(percentTicks, pct), label };
  if (points.length === 0) return { ...numberAxis(UNIT_TICKS, plainNumber), label };
  const values = points.map((point) => point[axis]);
  return { ...numberAxis(niceTicks(Math.min(...values), Math.max(...values)), plainNumber), label };
}

/** `points`, or the previous array while its points are equal: a recomputed preview often repeats a curve. */
function useSamePoints(points: readonly Point[]): readonly Point[] {
  const kept = useRef(points);
  const same = kept.current.length === points.length && kept.current.every((point, i) => point[0] === points[i][0] && point[1] === points[i][1]);
  if (!same) kept.current = points;
  return kept.current;
}

/** Labelled bars (lift by decile, term importance, a categorical shape function); negative bars in a second colour. */
export function BarsChart({
  title,
  description,
  bars,
  horizontal = false,
  format = (v: number) => v.toFixed(2),
  labelAxisTitle,
  valueAxisTitle,
  textAlternative,
}: {
  title: string;
  description: string;
  bars: readonly { label: string; value: number }[];
  horizontal?: boolean;
  format?: (value: number) => string;
  /** Titles of the axis of the bars' labels and of the axis of their values, whichever way the bars run (a curve chart's `xLabel`, `yLabel`). */
  labelAxisTitle?: string;
  valueAxisTitle?: string;
  /** The bars' numbers as text, e.g. a <details> table (see Figure). */
  textAlternative?: ReactNode;
}) {
  const rowHeight = bars.some((bar) => bar.label.length > ONE_LINE_CHARS) ? TWO_LINE_ROW_HEIGHT : ONE_LINE_ROW_HEIGHT;
  const size = { width: horizontal ? 420 : WIDTH, height: horizontal ? Math.max(HEIGHT, bars.length * rowHeight + 30) : HEIGHT };
  const ticks = ticksFromZero(bars.map((bar) => bar.value), format);
  const valueAxis = numberAxis(ticks, format);
  const [xTitle, yTitle] = horizontal ? [valueAxisTitle, labelAxisTitle] : [labelAxisTitle, valueAxisTitle];
  const xAxisLabel = xTitle === undefined ? undefined : xAxisTitle(xTitle);
  // Horizontal bars' labels can fill their axis's width: its title goes left of them, in a margin of its own.
  const yAxisLabel = yTitle === undefined ? undefined : { ...yAxisTitle(yTitle), ...(horizontal && { position: 'left' as const }) };
  const margin = { top: 8, right: 16, bottom: xTitle === undefined ? 8 : TITLED_BOTTOM_MARGIN, left: horizontal && yTitle !== undefined ? 28 : 8 };
  return (
    <Figure title={title} description={description} size={size} textAlternative={textAlternative}>
      <BarChart accessibilityLayer={false} {...size} style={shrinksToFit(size)} data={[...bars]} layout={horizontal ? 'vertical' : 'horizontal'} margin={margin}>
        {horizontal ? (
          <>
            <GridAt xTicks={ticks} />
            <XAxis {...valueAxis} label={xAxisLabel} />
            <YAxis type="category" dataKey="label" width={170} fontSize={11} interval={0} tickFormatter={axisLabel} label={yAxisLabel} />
          </>
        ) : (
          <>
            <GridAt yTicks={ticks} />
            <XAxis dataKey="label" fontSize={11} interval={0} label={xAxisLabel} />
            <YAxis {...valueAxis} label={yAxisLabel} />
          </>
        )}
        <Bar dataKey="value" isAnimationActive={false}>
          {bars.map((bar, i) => (
            <Cell key={i} fill={bar.value >= 0 ? '#1a5fb4' : '#b3261e'} />
          ))}
        </Bar>
      </BarChart>
    </Figure>
  );
}

/**
 * Rows × columns of numbers as a table (a pair's shape function, a confusion matrix, score
 * drift). `corner` heads the row labels' column; `format` gets each value's column, for
 * columns of different units. `scrollsSideways`: a table of many columns (a pair's, one per bin)
 * scrolls in a region of its own rather than widen the page.
 */
export interface NumberGridProps {
  caption: string;
  corner?: string;
  rowLabels: readonly string[];
  columnLabels: readonly string[];
  values: readonly (readonly number[])[];
  format(value: number, column: number): string;
  className?: string;
  scrollsSideways?: boolean;
}

export function NumberGrid({ caption, corner, rowLabels, columnLabels, values, format, className, scrollsSideways = false }: NumberGridProps) {
  const table = (
    <table className={className}>
      <caption style={{ textAlign: 'left', fontWeight: 600 }}>{caption}</caption>
      <thead>
        <tr>
          {corner === undefined ? <td /> : <th scope="col">{corner}</th>}
          {/* Keyed by place: two labels may read alike once shown (`shownLabel` strips what told them apart). */}
          {columnLabels.map((label, c) => (
            <th key={c} scope="col">
              {label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rowLabels.map((label, r) => (
          <tr key={r}>
            <th scope="row">{label}</th>
            {values[r].map((value, c) => (
              <td key={c}>{format(value, c)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return scrollsSideways ? (
    <SidewaysScroll label={caption}>
      {table}
    </SidewaysScroll>
  ) : (
    table
  );
}

/** A chart's numbers as a table folded under it (a Figure's `textAlternative`): read by screen readers, opened by whoever wants the figures. */
export function FoldedNumberGrid({ summary, ...grid }: NumberGridProps & { summary: string }) {
  return (
    <details>
      <summary>{summary}</summary>
      <NumberGrid {...grid} />
    </details>
  );
}
