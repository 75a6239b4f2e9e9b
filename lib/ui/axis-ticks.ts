/**
 * Axis ticks computed once here rather than by the chart library: Recharts' own "nice" ticks
 * (decimal arithmetic and text measuring on every redraw) are most of a curve chart's redraw.
 */

/** Ticks of the unit interval, for axes in percent. */
export const UNIT_TICKS: readonly number[] = [0, 0.25, 0.5, 0.75, 1];

/** Steps tried per power of ten: 1, 2, 2.5, 5 (×10ⁿ), the usual round axis steps. */
const ROUND_STEPS = [1, 2, 2.5, 5];

/**
 * Round ticks covering [min, max], at most `maxTicks` of them: equally spaced by the smallest
 * round step (1, 2, 2.5 or 5 × 10ⁿ) that fits, from a multiple of the step at or below `min` to
 * one at or above `max`. The first and last ticks are the axis domain.
 */
export function niceTicks(min: number, max: number, maxTicks = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`axis range must be finite, got [${min}, ${max}]`);
  // a range straddling 0 always needs 3 ticks (below, 0, above)
  if (maxTicks < 3) throw new Error(`an axis needs at least 3 ticks, got ${maxTicks}`);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    // a flat curve: a small range around its value
    const pad = min === 0 ? 1 : Math.abs(min) / 10;
    min -= pad;
    max += pad;
  }
  // Steps grow from the smallest that could fit; once a step exceeds max − min the range spans at
  // most two of them (3 ticks), so the loop ends.
  for (let magnitude = 10 ** Math.floor(Math.log10((max - min) / (maxTicks - 1))); ; magnitude *= 10) {
    for (const round of ROUND_STEPS) {
      const step = round * magnitude;
      const first = Math.floor(min / step);
      const last = Math.ceil(max / step);
      // multiples of the step, rounded so 0.1 · 3 shows as 0.3
      if (last - first + 1 <= maxTicks) return Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toPrecision(12)));
    }
  }
}
