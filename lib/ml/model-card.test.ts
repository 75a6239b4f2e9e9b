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
