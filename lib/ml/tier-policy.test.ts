import { expect, it } from 'vitest';
import { previewPolicy } from './tier-policy';

// Ten leads: the top two convert, one more further down.
const probs = [0.9, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.01];
const labels = [1, 1, 0, 0, 1, 0, 0, 0, 0, 0];
const economics = { revenuePerConversion: 1000, costPerContact: 100, leadsPerPeriod: 100 };

it('marks a capacity policy on the curves and says what each tier yields per period', () => {
  const preview = previewPolicy({ kind: 'capacity', hotPerWeek: 2, warmPerWeek: 3, inflowPerWeek: 10 }, labels, probs, economics);
  expect(preview.thresholds).toEqual({ hot: 0.8, warm: 0.4 });
  // Hot (p ≥ 0.8) catches 2 of 3 conversions and no non-conversion.
  expect(preview.markers.hot.roc).toEqual([0, 2 / 3]);
  expect(preview.markers.hot.pr).toEqual([2 / 3, 1]);
  // Warm threshold 0.4: 5 leads called, 3 conversions of 3; 2 of 7 non-conversions.
  expect(preview.markers.warm.roc).toEqual([2 / 7, 1]);
  expect(preview.outcomes.hot).toEqual({ share: 0.2, expectedContacts: 20, expectedConversions: 20, conversionRate: 1 });
  expect(preview.outcomes.warm.expectedContacts).toBeCloseTo(30, 10);
  expect(preview.outcomes.warm.expectedConversions).toBeCloseTo(10, 10);
  // (20 + 10) conversions × 1000 − (20 + 30) contacts × 100
  expect(preview.profitPerPeriod).toBeCloseTo(25_000, 6);
  expect(preview.profit.length).toBeGreaterThan(0);
});

it('uses the admin’s own probabilities for a fixed policy', () => {
  const preview = previewPolicy({ kind: 'fixed' }, labels, probs, economics, { hot: 0.55, warm: 0.25 });
  expect(preview.thresholds).toEqual({ hot: 0.55, warm: 0.25 });
  expect(preview.outcomes.hot.share).toBeCloseTo(0.3, 10);
});
