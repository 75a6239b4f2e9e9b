import { describe, expect, it } from 'vitest';
import type { Feature } from '../manifest';
import { axisBin, labelsNameTheirBins } from '../shape';
import { binLabels } from './term-shapes';

const rate: Feature = { key: 'rate', label: 'Rate', type: 'numeric', derive: { kind: 'value', from: { csv: 'rate' } }, missingValues: [], actionable: false };

describe("binLabels holding a lead's number", () => {
  // The bundled model's click rate (0.262 and 0.264 give the axis its third decimal).
  const edges = [0.14835165441036224, 0.16025641560554504, 0.17424243688583374, 0.2052631676197052, 0.2620137333869934, 0.26393190026283264];
  const labels = binLabels(rate, edges);

  it('writes an end the number lies beyond, short of its bin\'s edge, with the digits that hold it, and no other', () => {
    expect(labels.slice(0, 4)).toEqual(['≤ 0.148', '0.149 – 0.16', '0.161 – 0.174', '0.175 – 0.205']);
    // 9 clicks of 56 opens, 0.1607, is above the edge 0.1603 (0.16026); 0.1602 at most it; 39 of 190, 0.20526, at most 0.2052632; 0.1483 at most 0.14835.
    const held = [[0.1607, 2, '0.1603 – 0.174'], [0.1602, 1, '0.149 – 0.1602'], [0.20526, 3, '0.175 – 0.20526'], [0.1483, 0, '≤ 0.1483']] as const;
    for (const [holding, bin, label] of held) {
      const holdingLabels = binLabels(rate, edges, false, holding);
      expect(holdingLabels).toEqual(labels.map((shown, b) => (b === bin ? label : shown)));
      expect(axisBin({ labels: holdingLabels, edges }, holding)).toBe(bin);
      expect(labelsNameTheirBins({ labels: holdingLabels, edges })).toBe(true);
    }
    // Within the ends written, or in a bin below or above them: as without it.
    for (const holding of [0.161, 0.17, 0.155, 0.27]) expect(binLabels(rate, edges, false, holding)).toEqual(labels);
  });

  it('writes an amount past 16,777,216 in whole units where the number lies between the tens float32 tells apart and the edge', () => {
    const revenue = { ...rate, unit: 'USD' };
    const amounts = [13_500_000, 30_500_000, 31_500_000];
    // No "$30,500,000 – …" nor "$30,500,001 – …": float32 holds even dollars only there, and reads both as the edge, in the bin below.
    expect(binLabels(revenue, amounts, true)[2]).toBe('$30,500,010 – $31,500,000');
    expect([30_500_000, 30_500_001, 30_500_002].map((amount) => axisBin({ labels: binLabels(revenue, amounts, true), edges: amounts }, amount))).toEqual([1, 1, 2]);
    expect(binLabels(revenue, amounts, true, 30_500_004)[2]).toBe('$30,500,002 – $31,500,000');
    expect(labelsNameTheirBins({ labels: binLabels(revenue, amounts, true, 30_500_004), edges: amounts })).toBe(true);
  });

  it('holds it from the least number above the top edge', () => {
    // Of whole numbers, a lead's 6.75 is above the edge 6.5, below "≥ 7"; above a top edge written, it is above that.
    expect(binLabels(rate, [2.5, 5.5, 6.5], true, 6.75)).toEqual(['≤ 2', '3 – 5', '6', '≥ 6.6', 'missing']);
    expect(binLabels(rate, [0.25, 1.5], false, 1.51)).toEqual(binLabels(rate, [0.25, 1.5], false));
  });
});
