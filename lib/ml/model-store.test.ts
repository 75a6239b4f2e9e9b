import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { db, type CachedScore } from '../db/db';
import { bundledModel } from './bundled-model';
import type { Manifest } from './manifest';
import {
  PREVIOUS_MODEL_KEY,
  activeManifest,
  activeModelId,
  deleteModel,
  listModels,
  modelBytes,
  saveModel,
  setActiveModel,
  setTiers,
} from './model-store';

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();
const trained: Manifest = { ...bundled, modelId: 'trained-1', createdAt: '2026-11-20T00:00:00.000Z' };
const trainedBytes = new Uint8Array([1, 2, 3]);

beforeEach(async () => {
  await Promise.all([db.models.clear(), db.settings.clear(), db.leadScores.clear(), db.scores.clear()]);
});

describe('model store', () => {
  it('scores with the bundled model until another is activated', async () => {
    expect(await activeModelId()).toBe(bundled.modelId);
    expect((await activeManifest()).modelId).toBe(bundled.modelId);
    const bytes = await modelBytes(bundled.modelId, async () => new Response(readFileSync('models/model.onnx')));
    expect(bytes.length).toBe(readFileSync('models/model.onnx').length);
  });

  it('activates a saved model, rolls back, and lists both', async () => {
    await saveModel(trained, trainedBytes, 'trained');
    expect(await activeModelId()).toBe(bundled.modelId); // saving does not activate
    await setActiveModel('trained-1');
    expect((await activeManifest()).modelId).toBe('trained-1');
    expect(await modelBytes('trained-1')).toEqual(trainedBytes);
    const listed = await listModels();
    expect(listed.map((m) => [m.id, m.origin, m.active])).toEqual([
      ['trained-1', 'trained', true],
      [bundled.modelId, 'bundled', false],
    ]);
    await setActiveModel(bundled.modelId);
    expect(await activeModelId()).toBe(bundled.modelId);
  });

  it('refuses to activate an unknown model and keeps the active one', async () => {
    await expect(setActiveModel('nope')).rejects.toThrow(/not installed/);
    expect(await activeModelId()).toBe(bundled.modelId);
  });

  it("applies an admin's tier policy on top of the model's own", async () => {
    await setTiers(bundled.modelId, { policy: { kind: 'fixed' }, hot: 0.5, warm: 0.2 });
    const manifest = await activeManifest();
    expect(manifest.tiers).toEqual({ policy: { kind: 'fixed' }, hot: 0.5, warm: 0.2 });
    await expect(setTiers(bundled.modelId, { policy: { kind: 'fixed' }, hot: 0.1, warm: 0.2 })).rejects.toThrow();
    expect((await activeManifest()).tiers.hot).toBe(0.5);
  });

  it('deletes stored models, their policy and scores, but never the active or the bundled one', async () => {
    await saveModel(trained, trainedBytes, 'imported');
    await setActiveModel('trained-1');
    await expect(deleteModel('trained-1')).rejects.toThrow(/active model/);
    await setActiveModel(bundled.modelId);
    await expect(deleteModel(bundled.modelId)).rejects.toThrow(/active model/);
    await db.leadScores.put({ key: 'trained-1|x', modelId: 'trained-1', leadKey: 'x', probability: 0.1, score: 5, tier: 'cold', topReason: '', scoredAt: 0 });
    await deleteModel('trained-1');
    expect(await db.models.count()).toBe(0);
    expect(await db.leadScores.count()).toBe(0);
  });

  it("deletes the model's cached record-page scores and the roll back to it, and nothing of other models", async () => {
    await saveModel(trained, trainedBytes, 'trained');
    await saveModel({ ...trained, modelId: 'trained-10' }, trainedBytes, 'trained');
    const cached = (key: string): CachedScore => ({ key, fieldsHash: 'h', lead: {} as CachedScore['lead'], scoredAt: 0 });
    await db.scores.bulkPut([cached('trained-1|salesforce|001'), cached('trained-1|hubspot|7'), cached('trained-10|salesforce|001')]);
    await db.settings.put({ key: PREVIOUS_MODEL_KEY, value: 'trained-1' });
    await deleteModel('trained-1');
    expect(await db.scores.toCollection().primaryKeys()).toEqual(['trained-10|salesforce|001']);
    expect(await db.settings.get(PREVIOUS_MODEL_KEY)).toBeUndefined();

    await db.settings.put({ key: PREVIOUS_MODEL_KEY, value: bundled.modelId });
    await deleteModel('trained-10');
    expect(await db.scores.count()).toBe(0);
    expect((await db.settings.get(PREVIOUS_MODEL_KEY))?.value).toBe(bundled.modelId);
  });
});
