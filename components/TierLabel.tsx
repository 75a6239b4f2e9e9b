import type { Tier } from '@/lib/messaging/protocol';
import { TIER_LOOK } from '@/lib/presentation';

/** A tier as icon + word (+ colour): never colour alone. */
export function TierLabel({ tier }: { tier: Tier }) {
  const look = TIER_LOOK[tier];
  return (
    <span className="tier-label" data-tier={tier} style={{ display: 'inline-flex', alignItems: 'center', gap: 4, whiteSpace: 'nowrap' }}>
      <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" focusable="false">
        <path d={look.icon} fill={look.colour} />
      </svg>
      {look.word}
    </span>
  );
}
