/**
 * The report's charts. Each has a text alternative (aria-label on a role="img" wrapper) and
 * marks thresholds with words, not colour alone.
 */
import { Bar, BarChart, CartesianGrid, Cell, Line, LineChart, ReferenceDot, XAxis, YAxis } from 'recharts';
import type { ReactNode } from 'react';
import { DrawWhenNear } from './DrawWhenNear';

export type Point = [number, number];
export interface Marker {
  label: string;
  point: Point;
}

const WIDTH = 300;
const HEIGHT = 220;
const pct = (v: number) => `${Math.round(v * 100)}`;

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
 * A titled chart; `textAlternative` (e.g. a <details> table) sits outside the image so screen
 * readers reach it. The chart itself is drawn when the reader scrolls near it (DrawWhenNear):
 * a report holds dozens of charts, too many to draw with the page.
 */
export function Figure({
  title,
  description,
  children,
  textAlternative,
  size = { width: WIDTH, height: HEIGHT },
}: {
  title: string;
  description: string;
  children: ReactNode;
  textAlternative?: ReactNode;
  size?: ChartSize;
}) {
  return (
    <figure>
      <figcaption>{title}</figcaption>
      <DrawWhenNear what={title} {...size}>
        <div role="img" aria-label={`${title}: ${description}`}>
          {children}
        </div>
      </DrawWhenNear>
      {textAlternative}
    </figure>
  );
}

/** A curve in the unit square (ROC, precision–recall, calibration) or any x–y curve, with labelled markers. */
export function CurveChart({
  title,
  description,
  points,
  xLabel,
  yLabel,
  markers = [],
  diagonal = false,
  percentAxes = true,
}: {
  title: string;
  description: string;
  points: readonly Point[];
  xLabel: string;
  yLabel: string;
  markers?: readonly Marker[];
  diagonal?: boolean;
  percentAxes?: boolean;
}) {
  const data = points.map(([x, y]) => ({ x, y, diagonal: diagonal ? x : undefined }));
  const tick = percentAxes ? pct : (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return (
    <Figure title={title} description={description}>
      <LineChart width={WIDTH} height={HEIGHT} data={data} margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
        <CartesianGrid stroke="#e6e6e6" />
        <XAxis dataKey="x" type="number" domain={percentAxes ? [0, 1] : ['auto', 'auto']} tickFormatter={tick} fontSize={11} label={{ value: xLabel, position: 'insideBottom', offset: -12, fontSize: 11 }} />
        <YAxis type="number" domain={percentAxes ? [0, 1] : ['auto', 'auto']} tickFormatter={tick} fontSize={11} label={{ value: yLabel, angle: -90, position: 'insideLeft', fontSize: 11, style: { textAnchor: 'middle' } }} />
        {diagonal && <Line dataKey="diagonal" stroke="#9e9e9e" strokeDasharray="4 4" dot={false} isAnimationActive={false} />}
        <Line dataKey="y" stroke="#1a5fb4" dot={false} strokeWidth={2} isAnimationActive={false} />
        {markers.map((marker) => (
          <ReferenceDot key={marker.label} x={marker.point[0]} y={marker.point[1]} r={5} fill="#1a1a1a" stroke="#fff" label={{ value: marker.label, position: 'top', fontSize: 11 }} />
        ))}
      </LineChart>
    </Figure>
  );
}

/** Labelled bars (lift by decile, term importance, a categorical shape function); negative bars in a second colour. */
export function BarsChart({
  title,
  description,
  bars,
  horizontal = false,
  format = (v: number) => v.toFixed(2),
}: {
  title: string;
  description: string;
  bars: readonly { label: string; value: number }[];
  horizontal?: boolean;
  format?: (value: number) => string;
}) {
  const rowHeight = bars.some((bar) => bar.label.length > ONE_LINE_CHARS) ? TWO_LINE_ROW_HEIGHT : ONE_LINE_ROW_HEIGHT;
  const size = { width: horizontal ? 420 : WIDTH, height: horizontal ? Math.max(HEIGHT, bars.length * rowHeight + 30) : HEIGHT };
  return (
    <Figure title={title} description={description} size={size}>
      <BarChart {...size} data={[...bars]} layout={horizontal ? 'vertical' : 'horizontal'} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke="#e6e6e6" />
        {horizontal ? (
          <>
            <XAxis type="number" tickFormatter={format} fontSize={11} />
            <YAxis type="category" dataKey="label" width={170} fontSize={11} interval={0} tickFormatter={axisLabel} />
          </>
        ) : (
          <>
            <XAxis dataKey="label" fontSize={11} interval={0} />
            <YAxis tickFormatter={format} fontSize={11} />
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

/** Rows × columns of numbers as a table (a pair's shape function, a confusion matrix). */
export function NumberGrid({ caption, rowLabels, columnLabels, values, format }: { caption: string; rowLabels: readonly string[]; columnLabels: readonly string[]; values: readonly (readonly number[])[]; format(value: number): string }) {
  return (
    <table>
      <caption style={{ textAlign: 'left', fontWeight: 600 }}>{caption}</caption>
      <thead>
        <tr>
          <td />
          {columnLabels.map((label) => (
            <th key={label} scope="col">
              {label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rowLabels.map((label, r) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            {values[r].map((value, c) => (
              <td key={c}>{format(value)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
