// @vitest-environment happy-dom
import { afterEach, expect, it } from 'vitest';
import type { HotterPlan } from '@/lib/ml/insights';
import { render, type Rendered } from '@/test/render';
import { HotterPlanView } from './LeadInsights';

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

const plan: HotterPlan = {
  targetTier: 'warm',
  threshold: 0.012,
  changes: [
    { feature: 8, label: 'Days since last activity', from: '40 days', to: '≤ 0 days', points: 0.3, today: true },
    { feature: 9, label: 'Website visits', from: '0', to: '3', points: 0.5, today: false },
  ],
  probabilityBefore: 0.004,
  probabilityAfter: 0.0135,
  reaches: true,
};

it('gives the threshold and the probabilities to two digits, which a model with 1 % conversion needs', () => {
  rendered = render(<HotterPlanView plan={plan} />);
  expect(rendered.container.querySelector('.hotter-plan p')?.textContent).toBe('These changes would make it Warm (from 1.2 % likely): 0.4 % → 1.4 %.');
});

it('says a "days since" change is an activity today', () => {
  rendered = render(<HotterPlanView plan={plan} />);
  expect(Array.from(rendered.container.querySelectorAll('.hotter-plan li'), (li) => li.textContent)).toEqual([
    'Days since last activity: 40 days → ≤ 0 days, with an activity today (+0.30 points)',
    'Website visits: 0 → 3 (+0.50 points)',
  ]);
});
