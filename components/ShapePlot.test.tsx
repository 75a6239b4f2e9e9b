import { expect, it } from 'vitest';
import { stepPoints } from './ShapePlot';

it('merges runs of equal contributions into their first bin, keeping the last bin', () => {
  expect(stepPoints(['a', 'b', 'c', 'd', 'e'], [1, 1, 2, 2, 2])).toEqual([
    { label: 'a', value: 1 },
    { label: 'c', value: 2 },
    { label: 'e', value: 2 },
  ]);
});

it('thins a curve that still changes at every bin to at most 200 points, first and last kept', () => {
  const labels = Array.from({ length: 255 }, (_, bin) => `bin ${bin}`);
  const points = stepPoints(labels, labels.map((_, bin) => bin));
  expect(points).toHaveLength(200);
  expect(points[0].label).toBe('bin 0');
  expect(points[199].label).toBe('bin 254');
});
