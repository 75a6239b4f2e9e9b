import type { Term } from '@/lib/ml/manifest';
import { BarsChart, NumberGrid } from './Charts';

/** A term's own shape function: bars per bin for one feature, a grid for a pair. */
export function ShapePlot({ term }: { term: Term }) {
  const shape = term.shape;
  if (!shape) return null;
  const [rows, columns] = shape.axes;
  if (!columns) {
    const bars = rows.labels.map((label, bin) => ({ label, value: shape.scores[bin] }));
    const best = bars.reduce((a, b) => (b.value > a.value ? b : a));
    return (
      <BarsChart
        title={term.label}
        description={`log-odds per bin; highest for ${best.label} (${best.value.toFixed(2)})`}
        bars={bars}
        horizontal={bars.length > 8}
      />
    );
  }
  const values = rows.labels.map((_, r) => columns.labels.map((_, c) => shape.scores[r * columns.labels.length + c]));
  return <NumberGrid caption={`${term.label} (log-odds)`} rowLabels={rows.labels} columnLabels={columns.labels} values={values} format={(v) => v.toFixed(2)} />;
}
