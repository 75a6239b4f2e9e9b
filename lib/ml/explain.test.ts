import { describe, expect, it } from 'vitest';
import { explainLead, MAX_VALUE_CHARS } from './explain';
import type { Manifest } from './manifest';
import { handMadeManifest } from '../../test/fixtures/manifest';

const manifest: Manifest = handMadeManifest({
  features: [
    { key: 'title', label: 'Job title', type: 'categorical', vocabulary: ['VP Sales'], derive: { kind: 'value', from: { csv: 'title' } } },
    { key: 'industry', label: 'Industry', type: 'categorical', vocabulary: ['Tech'], derive: { kind: 'value', from: { csv: 'industry' } } },
  ],
  terms: [
    { features: [0], label: 'Job title' },
    { features: [0, 1], label: 'Job title × Industry' },
  ],
  intercept: -2,
});
const now = new Date('2026-11-01T00:00:00Z');

describe('explainLead', () => {
  it('clips a huge CRM value, so a reason stays a line a rep can read', () => {
    const title = 'VP '.repeat(20_000) + 'Sales';
    const [single, pair] = explainLead(manifest, [0.9, 0.1], { title, industry: 'Tech' }, 'csv', now);
    expect(single.value).toBe(`${title.slice(0, MAX_VALUE_CHARS).trimEnd()}…`);
    expect(single.value.length).toBeLessThanOrEqual(MAX_VALUE_CHARS + 1);
    expect(pair.value).toBe(`${single.value} · Tech`);
  });

  it('keeps short values whole, and says "not known" for missing ones', () => {
    const reasons = explainLead(manifest, [0.9, 0.1], { title: 'VP Sales' }, 'csv', now);
    expect(reasons.map((r) => r.value)).toEqual(['VP Sales', 'VP Sales · not known']);
  });

  it('never cuts between the halves of a character', () => {
    const [single] = explainLead(manifest, [0.9, 0.1], { title: `${'a'.repeat(MAX_VALUE_CHARS - 1)}😀 and more` }, 'csv', now);
    expect(single.value).toBe(`${'a'.repeat(MAX_VALUE_CHARS - 1)}…`);
  });
});
