/**
 * A term's shape function, each kind drawn so it stays readable and ≤ ~300 px tall: a numeric
 * feature as a step line over its bins, a categorical one as its strongest bars, a pair as a
 * heat-map grid. Every plot carries its full numbers in a table under a <details>.
 */
import type { CSSProperties } from 'react';
import { Line, LineChart, ReferenceLine, XAxis, YAxis } from 'recharts';
import { levelAsShown } from '@/lib/ml/featurize';
import type { Feature, Term, TermShape } from '@/lib/ml/manifest';
import { downsampleCurve } from '@/lib/ml/train/metrics';
import { shownLabel } from '@/lib/ml/visible-text';
import { plural } from '@/lib/presentation';
import { BarsChart, Figure, FoldedNumberGrid, GridAt, numberAxis, shrinksToFit, ticksFromZero, yAxisTitle } from './Charts';

type Axis = TermShape['axes'][number];

const PLOT_WIDTH = 420;
const PLOT_HEIGHT = 220;
/** Recharts draws at most this many points per curve. */
const MAX_PLOT_POINTS = 200;
/** Labelled bins on a numeric shape's value axis. */
const VALUE_TICKS = 5;
/** Categorical terms show their strongest bins; the table lists every one. */
const TOP_CATEGORIES = 10;
const HEAT_MAP_HEIGHT = 200;
const COLUMN_LABEL_HEIGHT = 64;
const LINE_PLOT_STYLE = shrinksToFit({ width: PLOT_WIDTH, height: PLOT_HEIGHT });
/** As wide as a plot, or its container where that is narrower: the bins' columns then narrow (their labels are cut, the table has them whole). */
const heatMapStyle: CSSProperties = { display: 'grid', width: PLOT_WIDTH, maxWidth: '100%', fontSize: 10, lineHeight: 1 };
const columnLabelStyle: CSSProperties = { writingMode: 'vertical-rl', transform: 'rotate(180deg)', overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis' };
const rowLabelStyle: CSSProperties = { overflow: 'visible', whiteSpace: 'nowrap', textOverflow: 'ellipsis', paddingRight: 4, textAlign: 'right' };
const noteStyle: CSSProperties = { margin: 0, fontSize: 12, maxWidth: PLOT_WIDTH };
/**
 * Forced colours (Windows high contrast) would paint every cell in the page's background and
 * leave the heat map blank: the cells keep their colours. They hold no text to lose against them.
 */
const heatCellStyle: CSSProperties = { forcedColorAdjust: 'none' };
const POSITIVE_RGB = '26, 95, 180';
const NEGATIVE_RGB = '179, 38, 30';

/** Log-odds to two decimals; one that rounds to zero reads "0.00", not "-0.00": no effect has no sign. */
function logOdds(value: number): string {
  const shown = value.toFixed(2);
  return Number(shown) === 0 ? (0).toFixed(2) : shown;
}
/** Numeric bins read "a – b" or "≤ b": the tick shows where the bin starts. */
const binStart = (label: string) => label.split(' – ')[0];

/** A number as bin labels write one past 999, its thousands grouped: "16,500,000,000". */
const GROUPED_NUMBER = /\d{1,3}(?:,\d{3})+(?:\.\d+)?/g;
/** Significant digits of a compact tick: "$16.5B", "$4.05M"; more only to tell two ticks apart. */
const COMPACT_DIGITS = 3;
const MOST_COMPACT_DIGITS = 6;

/**
 * The tick texts of bins that start at `starts`: their grouped numbers compact ("> $16.5B" for
 * "> $16,500,000,000"), so that five fit under a plot, with the fewest significant digits (3 at
 * least) that keep every two ticks apart; as written when 6 do not. The bin table has the figures in full.
 */
export function compactTicks(starts: readonly string[]): string[] {
  for (let digits = COMPACT_DIGITS; digits <= MOST_COMPACT_DIGITS; digits++) {
    const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: digits });
    const texts = starts.map((start) => start.replace(GROUPED_NUMBER, (written) => compact.format(Number(written.replace(/,/g, '')))));
    if (new Set(texts).size === new Set(starts).size) return texts;
  }
  return [...starts];
}

function BinTable({ caption, axis, scores }: { caption: string; axis: Axis; scores: readonly number[] }) {
  return (
    <FoldedNumberGrid summary="Every bin as a table" caption={caption} rowLabels={axis.labels} columnLabels={['Log-odds']} values={scores.map((score) => [score])} format={logOdds} />
  );
}

/**
 * The bins of a numeric axis (without "missing") as plot points: runs of equal scores merged
 * into their first bin, then thinned evenly to MAX_PLOT_POINTS, always keeping the last bin.
 */
export function stepPoints(labels: readonly string[], scores: readonly number[]): { label: string; value: number }[] {
  const changes = labels
    .map((label, bin) => ({ label, value: scores[bin] }))
    .filter((point, bin, all) => bin === 0 || bin === all.length - 1 || point.value !== all[bin - 1].value);
  return downsampleCurve(changes, MAX_PLOT_POINTS);
}

/** Names the closing point's category: after every bin, never one of their labels (they are ranges or "≤ b"). */
const CLOSING_LABEL = '(end)';

/**
 * `points` and a closing point at the last one's level: a stepAfter line draws each level from
 * its point to the next, so without it the last bin's level would be a bare corner.
 */
export function withClosingPoint(points: readonly { label: string; value: number }[]): { label: string; value: number }[] {
  const last = points[points.length - 1];
  return last ? [...points, { label: CLOSING_LABEL, value: last.value }] : [];
}

/** What a shape plot's y-axis is, beside it. */
const EFFECT_AXIS_LABEL = 'Effect on score (log-odds)';
/** What its numbers mean, under it: 0.50 there is not 50 %. */
const LOG_ODDS_MEANING = 'Log-odds, not a probability: above 0 raises the odds of converting, below 0 lowers them; +0.69 doubles the odds, −0.69 halves them.';

function NumericShape({ term, shape }: { term: Term; shape: TermShape }) {
  const axis = shape.axes[0];
  const missing = axis.labels.length - 1;
  const points = stepPoints(axis.labels.slice(0, missing), shape.scores.slice(0, missing));
  const best = points.reduce((a, b) => (b.value > a.value ? b : a));
  // Ticks chosen here, not by Recharts: its own choice measures the text of every bin's label.
  // It measures only these (interval "preserveStartEnd") to keep the first and last inside the
  // plot and leave out any other that would overlap them.
  const xTicks = downsampleCurve(points, VALUE_TICKS).map((point) => point.label);
  const compact = compactTicks(xTicks.map(binStart));
  const tickText = new Map(xTicks.map((label, i) => [label, compact[i]]));
  const yTicks = ticksFromZero(points.map((point) => point.value));
  const line = withClosingPoint(points);
  return (
    <Figure
      title={term.label}
      description={`log-odds by value, from ${axis.labels[0]} to ${axis.labels[missing - 1]}; highest for ${best.label} (${logOdds(best.value)}); missing ${logOdds(shape.scores[missing])}`}
      notes={
        <>
          <p style={noteStyle}>{LOG_ODDS_MEANING}</p>
          <p style={noteStyle}>Missing: {logOdds(shape.scores[missing])}</p>
        </>
      }
      textAlternative={<BinTable caption={`${term.label} (log-odds per bin)`} axis={axis} scores={shape.scores} />}
      size={{ width: PLOT_WIDTH, height: PLOT_HEIGHT }}
    >
      <LineChart accessibilityLayer={false} width={PLOT_WIDTH} height={PLOT_HEIGHT} style={LINE_PLOT_STYLE} data={line} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <GridAt xTicks={xTicks} yTicks={yTicks} />
        <XAxis dataKey="label" fontSize={11} ticks={xTicks} interval="preserveStartEnd" tickFormatter={(label: string) => tickText.get(label) ?? binStart(label)} />
        <YAxis {...numberAxis(yTicks, logOdds)} width={60} label={yAxisTitle(EFFECT_AXIS_LABEL)} />
        <ReferenceLine y={0} stroke="#9e9e9e" />
        <Line dataKey="value" type="stepAfter" stroke="#1a5fb4" dot={false} strokeWidth={2} isAnimationActive={false} />
      </LineChart>
    </Figure>
  );
}

function CategoricalShape({ term, shape }: { term: Term; shape: TermShape }) {
  const axis = shape.axes[0];
  const ranked = axis.labels.map((label, bin) => ({ label, value: shape.scores[bin] })).sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const shown = ranked.slice(0, TOP_CATEGORIES);
  const others = ranked.length - shown.length;
  return (
    <div>
      <BarsChart
        title={term.label}
        description={`log-odds per category, strongest first: ${shown.slice(0, 3).map((bar) => `${bar.label} ${logOdds(bar.value)}`).join(', ')}`}
        bars={shown}
        horizontal
      />
      {others > 0 && <p style={noteStyle}>{plural(others, 'weaker category', 'weaker categories')} not drawn (all in the table).</p>}
      <BinTable caption={`${term.label} (log-odds per category)`} axis={axis} scores={shape.scores} />
    </div>
  );
}

/**
 * A pair's two features, rows then columns, from its label "A × B" (as training writes it); an
 * imported model's pair may be labelled otherwise.
 */
function pairFeatures(label: string): [rows: string, columns: string] {
  const names = label.split(' × ');
  return names.length === 2 ? [names[0], names[1]] : ['the first feature', 'the second feature'];
}

function PairShape({ term, shape }: { term: Term; shape: TermShape }) {
  const [rows, columns] = shape.axes;
  const [rowFeature, columnFeature] = pairFeatures(term.label);
  const values = rows.labels.map((_, r) => columns.labels.map((_, c) => shape.scores[r * columns.labels.length + c]));
  const strongest = Math.max(...shape.scores.map(Math.abs)) || 1;
  const cellHeight = Math.max(6, Math.min(18, Math.floor(HEAT_MAP_HEIGHT / rows.labels.length)));
  // Rows too thin for a label get one every few rows.
  const rowLabelEvery = Math.ceil(12 / cellHeight);
  const cellColour = (value: number) => `rgba(${value >= 0 ? POSITIVE_RGB : NEGATIVE_RGB}, ${(Math.abs(value) / strongest).toFixed(2)})`;
  const size = { width: PLOT_WIDTH, height: COLUMN_LABEL_HEIGHT + rows.labels.length * cellHeight };
  return (
    <Figure
      title={term.label}
      description={`interaction heat map, ${rows.labels.length} × ${columns.labels.length} bins; blue raises the log-odds, red lowers them, strongest ±${logOdds(strongest)}`}
      notes={
        <p style={noteStyle}>
          Rows: {rowFeature}; columns: {columnFeature}. Blue raises, red lowers (strongest ±{logOdds(strongest)}).
        </p>
      }
      textAlternative={
        <FoldedNumberGrid
          summary="Every cell as a table"
          caption={`${term.label} (log-odds)`}
          corner={`${rowFeature} ↓ / ${columnFeature} →`}
          rowLabels={rows.labels}
          columnLabels={columns.labels}
          values={values}
          format={logOdds}
          scrollsSideways
        />
      }
      size={size}
    >
      <div style={{ ...heatMapStyle, gridTemplateColumns: `120px repeat(${columns.labels.length}, minmax(0, 1fr))`, gridTemplateRows: `${COLUMN_LABEL_HEIGHT}px repeat(${rows.labels.length}, ${cellHeight}px)` }}>
        <span />
        {columns.labels.map((label, c) => (
          <span key={c} style={columnLabelStyle} title={label}>
            {binStart(label)}
          </span>
        ))}
        {values.map((row, r) => [
          <span key={`label-${r}`} style={rowLabelStyle} title={rows.labels[r]}>
            {r % rowLabelEvery === 0 ? binStart(rows.labels[r]) : ''}
          </span>,
          ...row.map((value, c) => <span key={`${r}-${c}`} style={{ ...heatCellStyle, background: cellColour(value) }} title={`${rows.labels[r]}, ${columns.labels[c]}: ${logOdds(value)}`} />),
        ])}
      </div>
    </Figure>
  );
}

/**
 * `shape` with its bins labelled as an admin reads them: a level LeadLens derives in words ("VP"
 * for vp: `levelAsShown`), a CRM's value as the CRM stores it, every label without the controls
 * that would make one read as another (`shownLabel`: "\u202EygolonhceT" drawn as "Technology").
 * `features`: the manifest's.
 */
function shapeAsShown(term: Term, shape: TermShape, features: readonly Feature[]): TermShape {
  return {
    ...shape,
    axes: shape.axes.map((axis, a) => {
      const feature = features[term.features[a]];
      return { ...axis, labels: axis.labels.map((label) => shownLabel(feature ? levelAsShown(label, feature) : label)) };
    }),
  };
}

/**
 * A term's own shape function; nothing when the manifest lacks it. `features`: the manifest's,
 * to word the levels LeadLens derives; without them every bin is labelled as the manifest stores it.
 */
export function ShapePlot({ term, features = [] }: { term: Term; features?: readonly Feature[] }) {
  if (!term.shape) return null;
  const shape = shapeAsShown(term, term.shape, features);
  if (shape.axes.length === 2) return <PairShape term={term} shape={shape} />;
  return shape.axes[0].edges.length > 0 ? <NumericShape term={term} shape={shape} /> : <CategoricalShape term={term} shape={shape} />;
}
