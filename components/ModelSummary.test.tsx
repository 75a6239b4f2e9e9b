// @vitest-environment happy-dom
import { afterEach, expect, it } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { handMadeManifest } from '@/test/fixtures/manifest';
import { inTimeZone } from '@/test/time-zone';
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

it("dates a model the command line trained by its data ('data as of'), not as trained that day, and one trained here by when it was", () => {
  const manifest = handMadeManifest({
    features: [{ key: 'title', label: 'Job title', type: 'categorical', vocabulary: ['VP Sales'], derive: { kind: 'value', from: { csv: 'title' } } }],
    terms: [{ features: [0], label: 'Job title' }],
    intercept: -2,
  });
  // The command line's: dated by the file's latest date (its reference time), so that the same data trains the same bytes.
  const provenance = { ...manifest.provenance, source: 'history.csv', referenceTime: '2026-02-28T00:00:00.000Z' };
  const model = () => [...rendered!.container.querySelectorAll('dt')].find((term) => term.textContent === 'Model')!.nextElementSibling!.textContent;
  rendered = render(<ModelSummary manifest={{ ...manifest, createdAt: '2026-02-28T00:00:00.000Z', provenance }} />);
  expect(model()).toBe(`${manifest.modelId}, trained on 10 leads (1 conversion) from history.csv, data as of Feb 28, 2026`);
  rendered.unmount();
  // Trained here: dated when its training ended, after the reference time it measured from.
  rendered = render(<ModelSummary manifest={{ ...manifest, createdAt: '2026-12-07T00:00:00.000Z', provenance }} />);
  expect(model()).toBe(`${manifest.modelId}, trained Dec 7, 2026 on 10 leads (1 conversion) from history.csv`);
});

it("dates a model by its data on the data's clock: a file's latest date-time, written without a zone, is the day the file wrote wherever the browser is", () =>
  // The file's latest date `2026-02-28 18:30`, read as if UTC: Mar 1 in Auckland.
  inTimeZone('Pacific/Auckland', () => {
    const manifest = handMadeManifest({
      features: [{ key: 'title', label: 'Job title', type: 'categorical', vocabulary: ['VP Sales'], derive: { kind: 'value', from: { csv: 'title' } } }],
      terms: [{ features: [0], label: 'Job title' }],
      intercept: -2,
    });
    const latest = '2026-02-28T18:30:00.000Z';
    rendered = render(<ModelSummary manifest={{ ...manifest, createdAt: latest, provenance: { ...manifest.provenance, source: 'history.csv', referenceTime: latest } }} />);
    const model = [...rendered.container.querySelectorAll('dt')].find((term) => term.textContent === 'Model')!.nextElementSibling!.textContent;
    expect(model).toBe(`${manifest.modelId}, trained on 10 leads (1 conversion) from history.csv, data as of Feb 28, 2026`);
  }));
