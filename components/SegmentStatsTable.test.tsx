// @vitest-environment happy-dom
import { afterEach, expect, it } from 'vitest';
import type { Tier } from '@/lib/messaging/protocol';
import type { TierStats } from '@/lib/segments';
import { render, type Rendered } from '@/test/render';
import { SegmentStatsTable } from './SegmentStatsTable';

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

const tierStats = (count: number, total: number): TierStats => ({ count, share: count / total, withOutcome: 0, conversionRate: null });
const shareColumn = () => [...rendered!.container.querySelectorAll('tbody tr')].map((row) => row.children[2].textContent);

it('shows shares that add up to 100 %: three equal tiers are not 33 % each', () => {
  const stats: Record<Tier, TierStats> = { hot: tierStats(1, 3), warm: tierStats(1, 3), cold: tierStats(1, 3) };
  rendered = render(<SegmentStatsTable stats={stats} learntFromHeldOut={false} />);
  expect(shareColumn()).toEqual(['34%', '33%', '33%']);
});

it('adds up to 100 % with a small tier too, to one decimal', () => {
  // 12.35, 7.05 and 80.6 %: only one of the two halves can round up, or the column reads 100.1 %
  const stats: Record<Tier, TierStats> = { hot: tierStats(247, 2000), warm: tierStats(141, 2000), cold: tierStats(1612, 2000) };
  rendered = render(<SegmentStatsTable stats={stats} learntFromHeldOut={false} />);
  expect(shareColumn()).toEqual(['12.4%', '7.0%', '80.6%']);
});

it('says in sight how many leads each conversion rate is of, and what it counts', () => {
  const stats: Record<Tier, TierStats> = {
    hot: { count: 10, share: 0.1, withOutcome: 2, conversionRate: 0.5 },
    warm: { count: 30, share: 0.3, withOutcome: 2000, conversionRate: 0.5 },
    cold: { count: 60, share: 0.6, withOutcome: 0, conversionRate: null },
  };
  rendered = render(<SegmentStatsTable stats={stats} learntFromHeldOut={false} />);
  const rates = [...rendered.container.querySelectorAll('tbody tr')].map((row) => row.children[3].textContent);
  expect(rates).toEqual(['50% of 2', '50% of 2,000', 'unknown']);
  expect(rendered.container.querySelector('tfoot')?.textContent).toContain("of the tier's leads with a known outcome, the share that converted");
});

const withOutcomes: Record<Tier, TierStats> = { hot: tierStats(1, 2), warm: tierStats(1, 2), cold: { count: 0, share: 0, withOutcome: 2, conversionRate: 0.5 } };

it("says how a lead the model learnt from counts in a rep's words, not by its held-out probability", () => {
  rendered = render(<SegmentStatsTable stats={withOutcomes} learntFromHeldOut />);
  const footer = rendered.container.querySelector('tfoot')!.textContent;
  expect(footer).toContain('a lead the model learnt from counts in the tier of the score a check model trained without it gave it, not of the score it shows');
  expect(footer).not.toMatch(/held[- ]out|probabilit/i);
});

it("says a model without a check model's scores (imported, the CLI's, or lost) counts every lead at the score it shows, which may flatter it, and claims no other counting", () => {
  rendered = render(<SegmentStatsTable stats={withOutcomes} learntFromHeldOut={false} />);
  const footer = rendered.container.querySelector('tfoot')!.textContent;
  expect(footer).toBe(
    "Converted: of the tier's leads with a known outcome, the share that converted, and of how many. A lead the model may have learnt from counts in the tier of the score it shows, which may make its rates look better than they will be on new leads.",
  );
  expect(footer).not.toMatch(/check model|held[- ]out|probabilit/i);
});
