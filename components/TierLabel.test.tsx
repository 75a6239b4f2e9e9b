// @vitest-environment happy-dom
import { afterEach, expect, it } from 'vitest';
import { TIER_LOOK } from '@/lib/presentation';
import { TIERS } from '@/lib/segments';
import { render, spokenText, type Rendered } from '@/test/render';
import { TierLabel } from './TierLabel';

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

it.each(TIERS)('shows the %s tier as icon and word, and a screen reader hears the word', (tier) => {
  rendered = render(<TierLabel tier={tier} />);
  const label = rendered.container.querySelector<HTMLElement>('.tier-label')!;
  expect(label.dataset.tier).toBe(tier);
  const icon = label.querySelector('svg')!;
  expect(icon.getAttribute('aria-hidden')).toBe('true');
  expect(icon.querySelector('path')!.getAttribute('d')).toBe(TIER_LOOK[tier].icon);
  expect(icon.querySelector('path')!.getAttribute('fill')).toBe(TIER_LOOK[tier].colour);
  expect(spokenText(label)).toBe(TIER_LOOK[tier].word);
});

it('never tells tiers apart by colour alone: each has its own icon and its own word', () => {
  expect(new Set(TIERS.map((tier) => TIER_LOOK[tier].icon)).size).toBe(TIERS.length);
  expect(TIERS.map((tier) => TIER_LOOK[tier].word)).toEqual(['Hot', 'Warm', 'Cold']);
});
