import { Cell, Pie, PieChart, type PieLabelRenderProps } from 'recharts';
import type { Tier } from '@/lib/messaging/protocol';
import { TIER_LOOK } from '@/lib/presentation';
import { TIERS, type TierStats } from '@/lib/segments';
import { shrinksToFit } from './Charts';
import { TierLabel } from './TierLabel';

const SIZE = 160;
const INNER_RADIUS = 45;
const OUTER_RADIUS = 75;
const ICON_SIZE = 16;
/** The share of the ring a slice needs to hold its icon: about 22°, 23 px along the ring's middle for the 16 px icon. */
const ICON_MIN_SHARE = 0.06;
/** Narrower in a side panel zoomed in (180 CSS px at 200 %), where its card has 146 px for it. */
const DONUT_STYLE = shrinksToFit({ width: SIZE, height: SIZE });

/**
 * A slice's tier icon at the middle of the slice, in the tier's text colour (the contrast its
 * colour is paired with): slices are told apart by more than colour, as hot and cold are about
 * as dark. A slice too thin for it has none; the legend still names the tier.
 */
function SliceIcon({ cx, cy, midAngle = 0, percent = 0, payload }: PieLabelRenderProps) {
  if (percent < ICON_MIN_SHARE) return null;
  const look = TIER_LOOK[(payload as { tier: Tier }).tier];
  const angle = (-midAngle * Math.PI) / 180;
  const ringMiddle = (INNER_RADIUS + OUTER_RADIUS) / 2;
  const x = Number(cx) + ringMiddle * Math.cos(angle) - ICON_SIZE / 2;
  const y = Number(cy) + ringMiddle * Math.sin(angle) - ICON_SIZE / 2;
  return <path d={look.icon} fill={look.text} transform={`translate(${x} ${y}) scale(${ICON_SIZE / 24})`} />;
}

/**
 * The hot / warm / cold split as a donut, each tier as icon, word and colour (a legend under the
 * ring, the icon on its slice); the stats table beside it carries the same numbers as text.
 */
export function TierDonut({ stats }: { stats: Record<Tier, TierStats> }) {
  const data = TIERS.map((tier) => ({ tier, name: TIER_LOOK[tier].word, value: stats[tier].count }));
  const description = data.map((d) => `${d.name}: ${d.value.toLocaleString('en-US')}`).join(', ');
  return (
    <figure role="img" aria-label={`Leads by tier: ${description}`} style={{ margin: 0, width: SIZE, maxWidth: '100%' }}>
      <PieChart accessibilityLayer={false} width={SIZE} height={SIZE} style={DONUT_STYLE}>
        <Pie
          rootTabIndex={-1}
          data={data}
          dataKey="value"
          nameKey="name"
          innerRadius={INNER_RADIUS}
          outerRadius={OUTER_RADIUS}
          isAnimationActive={false}
          stroke="#fff"
          label={SliceIcon}
          labelLine={false}
        >
          {data.map((d) => (
            <Cell key={d.tier} fill={TIER_LOOK[d.tier].colour} />
          ))}
        </Pie>
      </PieChart>
      {/* Inside role="img": a screen reader reads the figure's label, not these words again. */}
      <div className="tier-legend" style={{ display: 'flex', flexWrap: 'wrap', justifyContent: 'center', columnGap: 8, fontSize: 12 }}>
        {TIERS.map((tier) => (
          <TierLabel key={tier} tier={tier} />
        ))}
      </div>
    </figure>
  );
}
