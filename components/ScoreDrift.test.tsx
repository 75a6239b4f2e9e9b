// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { parseManifest } from '@/lib/ml/manifest';
import { render, waitFor, type Rendered } from '@/test/render';
import { ScoreDrift } from './ScoreDrift';

const counts = vi.hoisted(() => ({ perBin: [] as number[] }));
vi.mock('@/lib/ui/stored-data', () => ({ scoresPerProbabilityBin: async () => ({ counts: counts.perBin, trainedOn: 0 }) }));
vi.mock('@/lib/ui/hooks', () => ({ useInvalidateWhenJobEnds: () => undefined }));

const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.error);
const manifest = parsed.manifest;

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

async function drift(perBin: number[]) {
  counts.perBin = perBin;
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(ScoreDrift, { manifest })));
  return waitFor(() => rendered!.container.querySelector<HTMLElement>('[data-testid="score-drift"]'));
}

it('says a handful of scored leads are too few to tell a shift from chance, rather than "major shift: train it again"', async () => {
  const note = await drift([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  expect(note.dataset.level).toBe('too-few');
  expect(note.textContent).toBe("Only 5 stored leads have a score from this model: too few to tell a shift from chance. From 200 on, their spread is compared with its training leads'.");
});

it('reads the shift from 200 scored leads on', async () => {
  const note = await drift([200, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  expect(note.dataset.level).toBe('major');
  expect(note.textContent).toMatch(/^Over the 200 stored leads it scored, the population stability index against its training leads is \d+\.\d\d, a major shift/);
});
