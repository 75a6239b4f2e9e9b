import { describe, expect, it } from 'vitest';
import { FeatureSchema, type Feature } from '../manifest';
import { MIN_ROWS_FOR_BOUND, countBounds } from './count-bounds';

const count = (key: string, actionable = true): Feature =>
  FeatureSchema.parse({ key, label: key, type: 'numeric', derive: { kind: 'value', from: { csv: key } }, actionable });

/** X [N, F] from columns. */
const rowsOf = (columns: number[][]) => Float32Array.from({ length: columns[0].length * columns.length }, (_, k) => columns[k % columns.length][Math.floor(k / columns.length)]);

describe('countBounds', () => {
  const N = MIN_ROWS_FOR_BOUND + 2;
  const visits = Array.from({ length: N }, (_, i) => i % 7);
  const pageViews = visits.map((v, i) => v + (i % 3)); // never fewer than the visits
  const opens = Array.from({ length: N }, (_, i) => (i * 5) % 11); // above and below the visits

  it('bounds an actionable count by the counts it is never above, not by those it passes', () => {
    const bounds = countBounds([count('visits'), count('page_views'), count('opens')], rowsOf([visits, pageViews, opens]), N);
    expect(bounds).toEqual([['page_views'], [], []]);
  });

  it('reads only rows where both counts are known, and needs MIN_ROWS_FOR_BOUND of them', () => {
    const someUnknown = pageViews.map((v, i) => (i < 2 ? Number.NaN : v));
    const above = visits.map((v, i) => (i < 2 ? 100 : v)); // above the page views only where those are unknown
    expect(countBounds([count('visits'), count('page_views')], rowsOf([above, someUnknown]), N)).toEqual([['page_views'], []]);
    const fewKnown = pageViews.map((v, i) => (i < 3 ? Number.NaN : v));
    expect(countBounds([count('visits'), count('page_views')], rowsOf([visits, fewKnown]), N)).toEqual([[], []]);
  });

  it('bounds nothing by a copy of itself, and neither bounds nor is bounded by a number a rep cannot change', () => {
    expect(countBounds([count('visits'), count('visits_copy')], rowsOf([visits, visits]), N)).toEqual([[], []]);
    expect(countBounds([count('visits', false), count('page_views')], rowsOf([visits, pageViews]), N)).toEqual([[], []]);
    const revenue = visits.map((v) => 1_000_000 + v);
    expect(countBounds([count('visits'), count('annual_revenue', false)], rowsOf([visits, revenue]), N)).toEqual([[], []]);
  });
});
