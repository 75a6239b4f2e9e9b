// @vitest-environment happy-dom
import { act } from 'react';
import { afterEach, expect, it } from 'vitest';
import type { Tier } from '@/lib/messaging/protocol';
import { TIER_LOOK } from '@/lib/presentation';
import { TIERS, type TierStats } from '@/lib/segments';
import { render, type Rendered } from '@/test/render';
import { TierDonut } from './TierDonut';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

const tier = (count: number): TierStats => ({ count, share: 0, withOutcome: 0, conversionRate: null });

/** The tier icons drawn on the ring (not the legend's): of which tier, in which colour, and how far their centre is from the ring's. */
const sliceIcons = (figure: Element) =>
  Array.from(figure.querySelectorAll('.recharts-surface path'))
    .filter((path) => TIERS.some((t) => TIER_LOOK[t].icon === path.getAttribute('d')))
    .map((icon) => {
      // Translated to its 16 px square's corner; the ring's centre is the 160 px chart's.
      const [x, y] = icon.getAttribute('transform')!.match(/-?[\d.]+/g)!.map(Number);
      return { tier: TIERS.find((t) => TIER_LOOK[t].icon === icon.getAttribute('d')), fill: icon.getAttribute('fill'), fromCentre: Math.round(Math.hypot(x + 8 - 80, y + 8 - 80)) };
    });

/** The donut's figure once Recharts has drawn the icons on its slices. */
async function drawn(stats: Record<Tier, TierStats>) {
  rendered = render(<TierDonut stats={stats} />);
  const figure = rendered.container.querySelector('figure')!;
  for (let tries = 0; tries < 50 && sliceIcons(figure).length === 0; tries++) await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
  return figure;
}

it('shows each tier as icon and word beside its colour, never colour alone, and a screen reader hears the counts once', async () => {
  const figure = await drawn({ hot: tier(10), warm: tier(30), cold: tier(60) });
  const legend = Array.from(figure.querySelectorAll<HTMLElement>('.tier-label'), (label) => [label.dataset.tier, label.textContent]);
  expect(legend).toEqual([
    ['hot', 'Hot'],
    ['warm', 'Warm'],
    ['cold', 'Cold'],
  ]);
  // Each slice carries its tier's icon, in the colour paired with the tier's for contrast, in the middle of the ring.
  expect(sliceIcons(figure)).toEqual(TIERS.map((t) => ({ tier: t, fill: TIER_LOOK[t].text, fromCentre: 60 })));
  // The legend is part of the picture: what is read is its text alternative, not the words again.
  expect(figure.getAttribute('role')).toBe('img');
  expect(figure.getAttribute('aria-label')).toBe('Leads by tier: Hot: 10, Warm: 30, Cold: 60');
  expect(figure.querySelectorAll('svg text')).toHaveLength(0);
});

it('leaves the icon off a slice too thin to hold it; the legend still names its tier', async () => {
  const figure = await drawn({ hot: tier(2), warm: tier(300), cold: tier(700) });
  expect(sliceIcons(figure).map((icon) => icon.tier)).toEqual(['warm', 'cold']);
  expect(Array.from(figure.querySelectorAll('.tier-label'), (label) => label.textContent)).toEqual(['Hot', 'Warm', 'Cold']);
});
