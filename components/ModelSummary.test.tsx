// @vitest-environment happy-dom
import { afterEach, expect, it } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { handMadeManifest } from '@/test/fixtures/manifest';
import { ModelSummary } from './ModelSummary';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

it('names the tier policy as the tier form and Model versions do, not by its code name', () => {
  const manifest = handMadeManifest({
    features: [{ key: 'title', label: 'Job title', type: 'categorical', vocabulary: ['VP Sales'], derive: { kind: 'value', from: { csv: 'title' } } }],
    terms: [{ features: [0], label: 'Job title' }],
    intercept: -2,
  });
  const byValue = { ...manifest, tiers: { policy: { kind: 'value' as const, revenuePerConversion: 200, costPerContact: 10 }, hot: 0.05, warm: 0.025 } };
  rendered = render(<ModelSummary manifest={byValue} />);
  const tiers = [...rendered.container.querySelectorAll('dt')].find((term) => term.textContent === 'Tiers')!.nextElementSibling!;
  expect(tiers.textContent).toBe('By business value, at $200 per conversion and $10 per contact (hot from 5%, warm from 2.5% likely)');
});
