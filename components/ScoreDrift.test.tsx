// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { parseManifest } from '@/lib/ml/manifest';
import { render, type Rendered } from '@/test/render';
import { ScoreDrift, type ScoreDriftRead } from './ScoreDrift';

const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.error);
const manifest = parsed.manifest;

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

function draw(read: ScoreDriftRead): HTMLElement {
  rendered = render(createElement(ScoreDrift, { manifest, read }));
  return rendered.container;
}

/** The drift note for stored scores `perBin`, `trainedOn` of them of the model's training leads and not counted. */
function drift(perBin: number[], trainedOn = 0): HTMLElement {
  return draw({ state: 'read', scores: { counts: perBin, trainedOn } }).querySelector<HTMLElement>('[data-testid="score-drift"]')!;
}

it('says a handful of scored leads are too few to tell a shift from chance, rather than "major shift: train it again"', () => {
  const note = drift([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  expect(note.dataset.level).toBe('too-few');
  expect(note.textContent).toBe("Only 5 stored leads have a score from this model: too few to tell a shift from chance. From 200 on, their spread is compared with its training leads'.");
});

it('reads the shift from 200 scored leads on', () => {
  const note = drift([200, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  expect(note.dataset.level).toBe('major');
  expect(note.textContent).toMatch(/^Over the 200 stored leads it scored, the population stability index against its training leads is \d+\.\d\d, a major shift/);
  expect(rendered!.container.querySelectorAll('table.score-drift tbody tr')).toHaveLength(10);
});

it('asks for newer leads when every stored score is of a lead the model was trained on', () => {
  expect(drift([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 3).textContent).toBe(
    'No stored lead beyond the 3 leads it was trained on has a score from this model yet: sync or import newer leads to compare them with its training leads.',
  );
});

it('says how far the scoring of every stored lead is, with no comparison, while it is owed', () => {
  const note = draw({ state: 'scoring', progress: 'Scoring the stored leads with this model (2,500 of 100,000)' }).querySelector<HTMLElement>('[data-testid="score-drift"]')!;
  expect(note.dataset.level).toBe('scoring');
  expect(note.textContent).toBe('Scoring the stored leads with this model (2,500 of 100,000); the comparison follows when it is done.');
  expect(rendered!.container.querySelector('table')).toBeNull();
});

it('says the stored scores are being read, then why they could not be', () => {
  expect(draw({ state: 'reading' }).textContent).toBe('Reading the stored scores…');
  rendered!.unmount();
  expect(draw({ state: 'failed', message: 'The stored scores could not be read' }).querySelector('[role="alert"]')?.textContent).toBe('The stored scores could not be read');
});
