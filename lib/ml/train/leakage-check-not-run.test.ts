/**
 * A training whose leakage guard throws: it goes on (the guard is advisory), but says the check did
 * not run, and records so in the manifest and the model card, where "checked, nothing found" was.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseManifest } from '../manifest';
import { renderModelCard } from '../model-card';
import { trainModel } from './index';
import { syntheticLeads } from './synthetic';

vi.mock('./training-set', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./training-set')>()),
  guardReasons: () => {
    throw new Error('out of memory');
  },
}));

describe('trainModel when the leakage guard throws', () => {
  const { manifest, warnings, leakage, modelCard } = trainModel({
    records: syntheticLeads(600, 1),
    target: 'converted',
    positive: '1',
    exclude: ['id'],
    options: { cv: 2, seed: 7, ebm: { outerBags: 1, interactions: 0 } },
  });
  const said = 'The check for fields filled in after a lead converted could not run when this model was trained (out of memory), so its cross-validated figures may be inflated by such a field';

  it('trains all the same and tells the admin, with the error, among the leakage warnings', () => {
    expect(leakage).toHaveLength(1);
    expect(leakage[0]).toContain(`${said}: check by hand`);
    expect(warnings).toContain(leakage[0]);
  });

  it('records in the manifest that the check did not run, and why, and flags no feature', () => {
    expect(manifest.provenance.leakageCheckNotRun).toEqual({ reason: 'out of memory' });
    expect(manifest.provenance).not.toHaveProperty('leakageFlagsKept');
    expect(parseManifest(JSON.parse(JSON.stringify(manifest))).ok).toBe(true);
  });

  it('says so once in the model card, under possible leakage, as the card rendered from the manifest alone does', () => {
    expect(modelCard).toContain(`## Possible leakage\n\n${said}`);
    expect(modelCard.split(said)).toHaveLength(2);
    expect(renderModelCard(manifest)).toContain(`## Possible leakage\n\n${said}`);
  });
});
