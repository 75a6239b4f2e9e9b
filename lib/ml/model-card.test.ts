import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ManifestSchema } from './manifest';
import { renderModelCard } from './model-card';

const bundled = ManifestSchema.parse(JSON.parse(readFileSync('models/manifest.json', 'utf8')));

it('says what converted means: the outcome rule of a model trained on stored leads, else the target column', () => {
  const trainedHere = { ...bundled, target: { column: '__leadlens_converted', positive: '1' }, outcomeRule: { field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'], source: 'hubspot' as const } };
  expect(renderModelCard(trainedHere)).toContain('Predicts the probability that a lead converts ("lifecyclestage" is customer or evangelist, for HubSpot leads)');
  expect(renderModelCard(trainedHere)).not.toContain('__leadlens_converted');
  expect(renderModelCard(bundled)).toContain(`Predicts the probability that a lead converts (\`${bundled.target.column}\` = \`${bundled.target.positive}\`)`);
});

it('names the counts kept at or below others in "what would make it hotter", and says nothing of bounds a model has none of', () => {
  expect(renderModelCard(bundled)).toContain('Counts never above another in the training data, kept so by "what would make it hotter": Website visits ≤ Page views; Marketing e-mails clicked ≤ Marketing e-mails opened.');
  const unbounded = { ...bundled, reference: { ...bundled.reference, features: bundled.reference.features.map(({ atMost: _atMost, ...ref }) => ref) } };
  expect(renderModelCard(unbounded)).not.toContain('Counts never above');
});
