import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../db/db';
import { bundledModel } from './bundled-model';
import { activeModelId, saveModel, setTiers } from './model-store';
import { activateModel, exportFileNames, exportFiles, importModel, previousModelId, rollBack } from './model-versions';

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();
const candidate = { ...bundled, modelId: 'imported-1' };
const passes = async () => ({ ok: true as const });
const fails = async () => ({ ok: false as const, error: 'The model file could not be loaded: protobuf parsing failed' });

beforeEach(() => Promise.all([db.models.clear(), db.settings.clear()]));

describe('importModel', () => {
  it('stores a model that passes the engine check, without activating it', async () => {
    await importModel(JSON.stringify(candidate), new Uint8Array([1, 2]), passes);
    expect((await db.models.get('imported-1'))?.origin).toBe('imported');
    expect(await activeModelId()).toBe(bundled.modelId);
  });

  it.each([
    ['not JSON', '{oops', /not valid JSON/],
    ['a manifest missing its terms', JSON.stringify({ ...candidate, terms: undefined }), /manifest is invalid: terms/],
  ])('refuses %s and stores nothing', async (_what, text, error) => {
    let checked = false;
    await expect(importModel(text, new Uint8Array([1]), async () => ((checked = true), { ok: true as const }))).rejects.toThrow(error);
    expect(checked).toBe(false);
    expect(await db.models.count()).toBe(0);
  });

  it('deletes the candidate when the engine cannot run it, leaving the active model as it was', async () => {
    await saveModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([9]), 'trained');
    await activateModel('trained-1');
    await expect(importModel(JSON.stringify(candidate), new Uint8Array([0xde, 0xad]), fails)).rejects.toThrow(/did not pass its check.*protobuf parsing failed/);
    expect(await db.models.get('imported-1')).toBeUndefined();
    expect(await activeModelId()).toBe('trained-1');
  });

  it('refuses a model id that is already installed', async () => {
    await expect(importModel(JSON.stringify(bundled), new Uint8Array([1]), passes)).rejects.toThrow(/already installed/);
  });
});

describe('activateModel and rollBack', () => {
  it('remembers the model it replaced and goes back to it', async () => {
    await saveModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([9]), 'trained');
    expect(await previousModelId()).toBeNull();
    await activateModel('trained-1');
    expect(await previousModelId()).toBe(bundled.modelId);
    expect(await rollBack()).toBe(bundled.modelId);
    expect(await activeModelId()).toBe(bundled.modelId);
    expect(await previousModelId()).toBe('trained-1');
  });
});

describe('exportFiles', () => {
  it('exports the manifest as the model scores: with the tier policy the admin applied', async () => {
    const bytes = new Uint8Array([7, 8, 9]);
    await saveModel({ ...bundled, modelId: 'trained-1' }, bytes, 'trained');
    const policy = { policy: { kind: 'capacity' as const, hotPerWeek: 5, warmPerWeek: 15, inflowPerWeek: 200 }, hot: 0.61, warm: 0.33 };
    expect(policy).not.toEqual(bundled.tiers);
    await setTiers('trained-1', policy);
    const exported = await exportFiles('trained-1');
    expect(JSON.parse(exported.manifestJson)).toEqual({ ...bundled, modelId: 'trained-1', tiers: policy });
    expect(exported.onnx).toEqual(bytes);
  });
});

describe('exportFileNames', () => {
  it('names both files after the model, so two models’ files cannot be taken for one pair', () => {
    expect(exportFileNames('ebm-1b204c695f60ce81')).toEqual({ manifest: 'ebm-1b204c695f60ce81.manifest.json', onnx: 'ebm-1b204c695f60ce81.model.onnx' });
  });
  it('keeps the names safe as file names', () => {
    expect(exportFileNames('team/a: v2')).toEqual({ manifest: 'team_a__v2.manifest.json', onnx: 'team_a__v2.model.onnx' });
  });
});
