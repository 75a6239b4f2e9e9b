import { Cell, Pie, PieChart } from 'recharts';
import type { Tier } from '@/lib/messaging/protocol';
import { TIER_LOOK } from '@/lib/presentation';
import { TIERS, type TierStats } from '@/lib/segments';

/** The hot / warm / cold split as a donut; the stats table beside it carries the same numbers as text. */
export function TierDonut({ stats }: { stats: Record<Tier, TierStats> }) {
  const data = TIERS.map((tier) => ({ tier, name: TIER_LOOK[tier].word, value: stats[tier].count }));
  const description = data.map((d) => `${d.name}: ${d.value.toLocaleString('en-US')}`).join(', ');
  return (
    <figure role="img" aria-label={`Leads by tier: ${description}`} style={{ margin: 0, width: 160, height: 160 }}>
      <PieChart accessibilityLayer={false} width={160} height={160}>
        <Pie rootTabIndex={-1} data={data} dataKey="value" nameKey="name" innerRadius={45} outerRadius={75} isAnimationActive={false} stroke="#fff">
          {data.map((d) => (
            <Cell key={d.tier} fill={TIER_LOOK[d.tier].colour} />
          ))}
        </Pie>
      </PieChart>
    </figure>
  );
}
