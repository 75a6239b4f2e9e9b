// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { parseManifest } from '@/lib/ml/manifest';
import { trainingDeciles } from '@/lib/ml/score-drift';
import type { ScoresPerBin } from '@/lib/ui/stored-data';
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

/** The drift note for stored scores `perBin`, `trainedOn` of them of the model's training leads and not counted, of `crm`'s leads alone if given. */
function drift(perBin: number[], trainedOn = 0, crm?: ScoresPerBin['crm']): HTMLElement {
  return draw({ state: 'read', scores: { counts: perBin, trainedOn, ...(crm && { crm }) } }).querySelector<HTMLElement>('[data-testid="score-drift"]')!;
}

it('says a handful of scored leads are too few to tell a shift from chance, rather than "major shift: train it again"', () => {
  const note = drift([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  expect(note.dataset.level).toBe('too-few');
  expect(note.textContent).toBe("Only 5 stored leads have a score from this model: too few to tell a shift from chance. From 200 on, their spread is compared with its training leads'.");
});

it('reads the shift from 200 scored leads on', () => {
  const note = drift([200, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  expect(note.dataset.level).toBe('major');
  expect(note.textContent).toMatch(
    /^Over the 200 stored leads it scored, the population stability index, which compares how these leads spread over the model's probability ranges with how its training leads did \(0 when alike\), is \d+\.\d\d, a major shift: [^.]+\. Train it again on recent history\.$/,
  );
  expect(rendered!.container.querySelectorAll('table.score-drift tbody tr')).toHaveLength(10);
});

describe('a model that learnt from one CRM’s leads', () => {
  /** 1,107 leads spread as the training leads were, the largest remainder in the last bin. */
  const { expected } = trainingDeciles(manifest.reference.probabilityPercentiles);
  const asTrained = expected.map((share) => Math.floor(share * 1107));
  asTrained[asTrained.length - 1] += 1107 - asTrained.reduce((sum, count) => sum + count, 0);

  it('says the index was read over that CRM’s stored leads alone, and that the other sources’ are left out', () => {
    const note = drift(asTrained, 1895, 'salesforce');
    expect(note.dataset.level).toBe('stable');
    expect(note.textContent).toMatch(
      /^Over the 1,107 stored Salesforce leads it scored beyond the 1,895 leads it was trained on, the population stability index, which compares how these leads spread over the model's probability ranges with how its training leads did \(0 when alike\), is 0\.0\d, stable: the leads scored now look like those the model learnt from\. It learnt from Salesforce leads alone: the other sources' leads it scores are not compared\.$/,
    );
    expect([...rendered!.container.querySelectorAll('table.score-drift thead th')].map((th) => th.textContent)).toContain('stored Salesforce leads');
  });

  it('names them when they are too few, or none beyond its training leads', () => {
    expect(drift([3, 2, 0, 0, 0, 0, 0, 0, 0, 0], 0, 'hubspot').textContent).toBe(
      "Only 5 stored HubSpot leads have a score from this model: too few to tell a shift from chance. From 200 on, their spread is compared with its training leads'. It learnt from HubSpot leads alone: the other sources' leads it scores are not compared.",
    );
    rendered!.unmount();
    expect(drift([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 3, 'salesforce').textContent).toBe(
      "No stored Salesforce lead beyond the 3 leads it was trained on has a score from this model yet: sync newer leads to compare them with its training leads. It learnt from Salesforce leads alone: the other sources' leads it scores are not compared.",
    );
  });
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
