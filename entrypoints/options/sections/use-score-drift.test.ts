// @vitest-environment happy-dom
/**
 * The stored scores the drift check reads: none compared while the model's activation owes its
 * scoring of every stored lead (running, or waiting for its turn); compared during a routine
 * re-score, one CRM's, or another model's. The live reads are stood in for, to step through a
 * run's states.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { readFileSync } from 'node:fs';
import { createElement, type ReactElement } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { ScoreDrift } from '@/components/ScoreDrift';
import type { JobProgress } from '@/lib/jobs/progress';
import { parseManifest } from '@/lib/ml/manifest';
import { render, waitFor, type Rendered } from '@/test/render';
import { useScoreDrift } from './use-score-drift';

const counts = vi.hoisted(() => ({ perBin: [] as number[] }));
const scoring = vi.hoisted(() => ({ job: null as JobProgress | null }));
vi.mock('@/lib/ui/stored-data', () => ({ scoresPerProbabilityBin: async () => ({ counts: counts.perBin, trainedOn: 0 }) }));
// The model whose scoring of every lead is owed: an activation's, until its run ends (read live, as the hook reads it).
const owed = vi.hoisted(() => ({ model: null as string | null }));
// The scoring job's row, the model owed, and whether the run is the one owed (owed with no time here: any run of its model over every lead), as the one live read gives them.
const coversOwed = (job: JobProgress | null) => job !== null && job.source === undefined && job.modelId === owed.model;
vi.mock('@/lib/ui/hooks', () => ({ useLiveValue: () => ({ scoring: scoring.job, owedModel: owed.model, covers: coversOwed(scoring.job) }) }));

const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.error);
const manifest = parsed.manifest;

let rendered: Rendered | undefined;
let drawn: () => ReactElement;
afterEach(() => {
  rendered?.unmount();
  scoring.job = null;
  owed.model = null;
});

/** The drift as the options page draws it: the component, from what the hook reads. */
function Drift() {
  return createElement(ScoreDrift, { manifest, read: useScoreDrift(manifest) });
}

async function drift(perBin: number[]) {
  counts.perBin = perBin;
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  drawn = () => createElement(QueryClientProvider, { client }, createElement(Drift));
  rendered = render(drawn());
  return waitFor(() => rendered!.container.querySelector<HTMLElement>('[data-testid="score-drift"]'));
}

it('reads the stored scores per bin, and compares them', async () => {
  const note = await drift([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  expect(note.dataset.level).toBe('too-few');
  rendered!.unmount();
  expect((await drift([200, 0, 0, 0, 0, 0, 0, 0, 0, 0])).dataset.level).toBe('major');
});

it('says the model is still scoring the stored leads while its activation scores them, not "sync or import leads"', async () => {
  scoring.job = { modelId: manifest.modelId, state: 'running', done: 2_500, total: 100_000, startedAt: Date.now() };
  owed.model = manifest.modelId;
  const note = await drift([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  expect(note.textContent).toBe('Scoring the stored leads with this model (2,500 of 100,000); the comparison follows when it is done.');
  expect(rendered!.container.querySelector('table')).toBeNull();

  // The run ended with every lead scored: the stored scores are read, and compared.
  counts.perBin = [200, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  scoring.job = { ...scoring.job, state: 'done', done: 100_000, finishedAt: Date.now() };
  owed.model = null;
  rendered!.rerender(drawn());
  const verdict = await waitFor(() => rendered!.container.querySelector<HTMLElement>('[data-testid="score-drift"][data-level="major"]'));
  expect(verdict.textContent).toMatch(/^Over the 200 stored leads it scored/);
});

it('says the activation\'s scoring waits for its turn behind another job, not "sync or import leads", and compares once its own run ends', async () => {
  // A sync's run of one CRM's leads with the model active before holds the turn; the activation owes its scoring meanwhile.
  scoring.job = { modelId: 'model-before', state: 'running', done: 10, total: 50, startedAt: Date.now(), source: 'salesforce' };
  owed.model = manifest.modelId;
  const note = await drift([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  expect(note.dataset.level).toBe('scoring');
  expect(note.textContent).toBe('Scoring the stored leads with this model (waiting for its turn); the comparison follows when it is done.');

  // That run ended; the owed one has not begun: still waiting.
  scoring.job = { ...scoring.job, state: 'done', done: 50, finishedAt: Date.now() };
  rendered!.rerender(drawn());
  expect(rendered!.container.querySelector('[data-testid="score-drift"]')!.textContent).toBe(note.textContent);

  // Its own run begins, then ends with every lead scored.
  scoring.job = { modelId: manifest.modelId, state: 'running', done: 2_500, total: 100_000, startedAt: Date.now() };
  rendered!.rerender(drawn());
  await waitFor(() => rendered!.container.querySelector('[data-testid="score-drift"]')!.textContent!.startsWith('Scoring the stored leads with this model (2,500 of 100,000)') || null);
  counts.perBin = [200, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  scoring.job = { ...scoring.job, state: 'done', done: 100_000, finishedAt: Date.now() };
  owed.model = null;
  rendered!.rerender(drawn());
  await waitFor(() => rendered!.container.querySelector('[data-testid="score-drift"][data-level="major"]'));
});

it('gives no verdict from the old scores of a model rolled back to while its scoring waits for its turn', async () => {
  // No scoring run at all yet (the old model's daily re-score ended, or the browser closed before the owed run began).
  owed.model = manifest.modelId;
  const note = await drift([200, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  expect(note.textContent).toBe('Scoring the stored leads with this model (waiting for its turn); the comparison follows when it is done.');
  expect(rendered!.container.querySelector('table')).toBeNull();
});

it('compares the stored scores during a routine re-score of every lead (daily, a retry), which keeps the scores it replaces', async () => {
  scoring.job = { modelId: manifest.modelId, state: 'running', done: 2_500, total: 100_000, startedAt: Date.now() };
  expect((await drift([200, 0, 0, 0, 0, 0, 0, 0, 0, 0])).dataset.level).toBe('major');
});

it('reads the stored scores while only one CRM\'s leads, or another model\'s, are being scored', async () => {
  scoring.job = { modelId: manifest.modelId, state: 'running', done: 10, total: 50, startedAt: Date.now(), source: 'salesforce' };
  expect((await drift([200, 0, 0, 0, 0, 0, 0, 0, 0, 0])).dataset.level).toBe('major');
  rendered!.unmount();
  scoring.job = { modelId: 'another-model', state: 'running', done: 10, total: 50, startedAt: Date.now() };
  expect((await drift([200, 0, 0, 0, 0, 0, 0, 0, 0, 0])).dataset.level).toBe('major');
});
