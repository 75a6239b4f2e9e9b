import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubWebLocks } from '../../test/web-locks';
import { db, type CachedScore } from '../db/db';
import { bundledModel } from './bundled-model';
import type { Manifest } from './manifest';
import { activateModel, importModel, rollBack, takePolicyInForce } from './model-versions';
import { PREVIOUS_MODEL_KEY, activeManifest, activeModelId, adoptRebuiltBundledModel, deleteModel, dropScoresOfRetiredModels, exportAsStored, manifestOf, importLockName, listModels, modelBytes, newerTierPolicy, setActiveModel, setTiers } from './model-store';
import { storeModel } from '../../test/fixtures/stored-model';
import { inJobsTurn, oweRetier, owedRetiers, writeJob } from '../jobs/progress';
import { keepPolicyFigures, policyFiguresOf } from './policy-figures';
import { CUT_MARGIN } from './train/thresholds';

/** The models listed, as the pages list them (`listModels` without the manifests). */
const listedSummaries = async () => (await listModels()).map(({ summary }) => summary);

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
    await storeModel(trained, trainedBytes, 'trained');
    expect(await activeModelId()).toBe(bundled.modelId); // saving does not activate
    await setActiveModel('trained-1');
    expect((await activeManifest()).modelId).toBe('trained-1');
    expect(await modelBytes('trained-1')).toEqual(trainedBytes);
    const listed = await listedSummaries();
    expect(listed.map((m) => [m.id, m.origin, m.active])).toEqual([
      ['trained-1', 'trained', true],
      [bundled.modelId, 'bundled', false],
    ]);
    await setActiveModel(bundled.modelId);
    expect(await activeModelId()).toBe(bundled.modelId);
  });

  it('lists what each model learnt from, the tier policy it scores with, and when an imported one was imported, without reading a model again', async () => {
    const outcomeRule = { field: 'Status', positiveValues: ['Closed - Converted'], source: 'salesforce' as const, settledAfterDays: 30 };
    await storeModel({ ...trained, outcomeRule, provenance: { ...trained.provenance, source: 'salesforce demo leads', demoLeads: true } }, trainedBytes, 'trained');
    const importedOn = Date.parse('2026-12-01T20:00:00.000Z');
    const now = vi.spyOn(Date, 'now').mockReturnValue(importedOn);
    await storeModel({ ...trained, modelId: 'colleague-1', provenance: { ...trained.provenance, source: 'q3-leads.csv' } }, trainedBytes, 'imported');
    now.mockRestore();
    const applied = { policy: { kind: 'fixed' as const }, hot: 0.5, warm: 0.2 };
    await setTiers('colleague-1', applied);
    const manifestReads = vi.spyOn(db.models, 'get');
    const listed = await listedSummaries();
    // One read of the table: not each model again (its row holds the ONNX bytes).
    expect(manifestReads).not.toHaveBeenCalled();
    manifestReads.mockRestore();
    expect(Object.fromEntries(listed.map(({ id, trainedOn, tiers, importedAt }) => [id, { trainedOn, tiers, importedAt }]))).toEqual({
      'colleague-1': { trainedOn: { source: 'q3-leads.csv', madeUpLeads: false }, tiers: applied, importedAt: importedOn },
      'trained-1': { trainedOn: { source: 'salesforce demo leads', outcomeRule, madeUpLeads: true }, tiers: trained.tiers, importedAt: undefined },
      [bundled.modelId]: { trainedOn: { source: 'demo-history.csv', madeUpLeads: true }, tiers: bundled.tiers, importedAt: undefined },
    });
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
    await storeModel(trained, trainedBytes, 'imported');
    await setActiveModel('trained-1');
    await expect(deleteModel('trained-1')).rejects.toThrow(/active model/);
    await setActiveModel(bundled.modelId);
    await expect(deleteModel(bundled.modelId)).rejects.toThrow(/active model/);
    await db.leadScores.put({ key: 'trained-1|x', modelId: 'trained-1', leadKey: 'x', probability: 0.1, score: 5, tier: 'cold', topReason: '', scoredAt: 0 });
    await keepPolicyFigures('trained-1', { revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 400 });
    await db.unscorableLeads.bulkPut([{ key: 'hubspot|1', modelId: 'trained-1' }, { key: 'hubspot|2', modelId: bundled.modelId }]);
    await deleteModel('trained-1');
    expect(await db.models.count()).toBe(0);
    expect(await db.leadScores.count()).toBe(0);
    // What its tier policy was applied with (revenue, cost: the admin's figures) and the leads it could not score go with it.
    expect(await policyFiguresOf('trained-1')).toBeNull();
    expect(await db.unscorableLeads.toArray()).toEqual([{ key: 'hubspot|2', modelId: bundled.modelId }]);
  });

  it('drops the re-tiering owed of the model it deletes with its scores (asked, it would only fail), not one owed of another model', async () => {
    await storeModel(trained, trainedBytes, 'imported');
    await oweRetier(bundled.modelId);
    await oweRetier('trained-1');
    await deleteModel('trained-1');
    expect(await owedRetiers()).toEqual([{ modelId: bundled.modelId, owedAt: expect.any(Number) }]);
  });

  it('lists a model whose stored manifest no longer parses as damaged, with the rest, and deletes it', async () => {
    await storeModel(trained, trainedBytes, 'trained');
    await storeModel({ ...trained, modelId: 'damaged-1' }, trainedBytes, 'imported');
    await db.models.update('damaged-1', { manifest: { ...trained, modelId: 'damaged-1', provenance: undefined } as never });
    const listed = await listedSummaries();
    expect(listed.map((m) => [m.id, m.damaged === undefined])).toEqual([
      ['damaged-1', false],
      ['trained-1', true],
      [bundled.modelId, true],
    ]);
    expect(listed[0].damaged).toMatch(/^The model manifest is invalid: provenance/);
    await expect(setActiveModel('damaged-1')).rejects.toThrow(/provenance/);
    await deleteModel('damaged-1');
    expect((await listedSummaries()).map((m) => m.id)).toEqual(['trained-1', bundled.modelId]);
  });

  describe('a model made by a newer LeadLens (after a downgrade): its manifest has a field this version does not know', () => {
    const newer = { ...trained, modelId: 'newer-1', scoreBands: [0.2, 0.5] } as Manifest;
    const unusable =
      "Model newer-1 was made by a newer version of LeadLens, so this version cannot score with it: update LeadLens to use it. Until then, another model can be activated under Model versions in LeadLens's options.";

    it('is listed as made by a newer LeadLens, kept to score again once LeadLens is updated, not as damaged', async () => {
      await storeModel(newer, trainedBytes, 'trained');
      await storeModel({ ...trained, modelId: 'damaged-1', terms: [] } as never, trainedBytes, 'trained');
      const listed = await listedSummaries();
      expect(listed.map((m) => [m.id, m.madeByNewerVersion ?? false])).toEqual([
        ['damaged-1', false],
        ['newer-1', true],
        [bundled.modelId, false],
      ]);
      // Still one that cannot score, for everything that asks so (activation, roll back, its CRM fields).
      expect(listed[1].damaged).toBe(
        'This model was made by a newer version of LeadLens: update LeadLens to use it (its manifest has fields this version does not know: (root): Unrecognized key: "scoreBands").',
      );
      expect(listed[0].damaged).toMatch(/^The model manifest is invalid: terms/);
    });

    it('cannot be activated, and as the active model every page that reads it is told to update LeadLens, or activate another', async () => {
      await storeModel(newer, trainedBytes, 'trained');
      await expect(setActiveModel('newer-1')).rejects.toThrow(unusable);
      expect(await activeModelId()).toBe(bundled.modelId);
      // Active when the newer LeadLens was downgraded.
      await db.settings.put({ key: 'activeModelId', value: 'newer-1' });
      await expect(activeManifest()).rejects.toThrow(unusable);
      await expect(manifestOf('newer-1')).rejects.toThrow(unusable);
    });

    it('is exported as stored, with the tier policy set for it, for the newer LeadLens to import', async () => {
      await storeModel(newer, trainedBytes, 'trained');
      expect(await exportAsStored('newer-1')).toEqual({ manifestJson: JSON.stringify(newer, null, 2), onnx: trainedBytes });
      const policy = { policy: { kind: 'fixed' as const }, hot: 0.5, warm: 0.2 };
      await setTiers('newer-1', policy);
      expect(JSON.parse((await exportAsStored('newer-1')).manifestJson)).toEqual({ ...newer, tiers: policy });
      await expect(exportAsStored('gone-1')).rejects.toThrow('Model gone-1 is not installed');
    });
  });

  describe('a tier policy a newer LeadLens set (after a downgrade): a kind this version does not know', () => {
    const newerPolicy = { policy: { kind: 'quota', perRep: 5 }, hot: 0.9, warm: 0.8 };
    const setNewerPolicy = (modelId: string) => db.settings.put({ key: `tiers:${modelId}`, value: newerPolicy });
    const policyKept = async (modelId: string) => (await db.settings.get(`tiers:${modelId}`))?.value;
    const newerPolicyWhy =
      "Its tier policy was set by a newer version of LeadLens: update LeadLens to use it (the policy has options this version does not know: policy.kind: Invalid discriminator value. Expected 'value' | 'capacity' | 'fixed').";

    it('scores with the thresholds the model came with, and it can be activated (trained again to its id too), the list saying why', async () => {
      await storeModel(trained, trainedBytes, 'trained');
      await storeModel({ ...trained, modelId: 'trained-2' }, trainedBytes, 'trained');
      await setNewerPolicy('trained-1');
      await setNewerPolicy(bundled.modelId);
      // One otherwise unreadable is passed over, as ever, and not said to be a newer LeadLens's: setTiers stores only what parses.
      await db.settings.put({ key: 'tiers:trained-2', value: { policy: { kind: 'fixed' }, hot: 'high', warm: 0.2 } });
      // The bundled model, active, which cannot be deleted: it scores.
      expect((await activeManifest()).tiers).toEqual(bundled.tiers);
      const listed = await listedSummaries();
      expect(listed.map((m) => [m.id, m.newerTierPolicy, m.damaged, m.madeByNewerVersion])).toEqual([
        ['trained-2', undefined, undefined, undefined],
        ['trained-1', newerPolicyWhy, undefined, undefined],
        [bundled.modelId, newerPolicyWhy, undefined, undefined],
      ]);
      expect(await newerTierPolicy('trained-2')).toBeUndefined();
      // Trained again to its id, then activated: with the thresholds it was trained with.
      await expect(takePolicyInForce({ modelId: 'trained-1', tiers: trained.tiers, heldOutProbabilities: new Float64Array() })).resolves.toMatchObject({ replacedId: bundled.modelId });
      await setActiveModel('trained-1');
      expect(await activeManifest()).toEqual(trained);
      // Reading it changes nothing stored: the newer LeadLens finds its policy again once updated.
      expect(await policyKept('trained-1')).toEqual(newerPolicy);
      expect(await policyKept(bundled.modelId)).toEqual(newerPolicy);
    });

    it('is replaced by a policy applied here, or by the policy of an export of the model this version can read, after which nothing more is said', async () => {
      await storeModel(trained, trainedBytes, 'trained');
      await setNewerPolicy(bundled.modelId);
      await setNewerPolicy('trained-1');
      expect((await listedSummaries()).map((m) => m.newerTierPolicy)).toEqual([newerPolicyWhy, newerPolicyWhy]);
      const applied = { policy: { kind: 'fixed' as const }, hot: 0.5, warm: 0.2 };
      await setTiers(bundled.modelId, applied);
      expect(await newerTierPolicy(bundled.modelId)).toBeUndefined();
      expect((await manifestOf(bundled.modelId)).tiers).toEqual(applied);

      const filePolicy = { policy: { kind: 'fixed' as const }, hot: 0.6, warm: 0.3 };
      // Asked first, the admin replaces what it scores with meanwhile: the thresholds it came with.
      const imported = await importModel(JSON.stringify({ ...trained, tiers: filePolicy }), trainedBytes, async () => ({ ok: true }), { replaces: trained.tiers });
      expect(imported).toMatchObject({ installed: 'tierPolicyApplied', tierPolicyChanged: true });
      expect(await newerTierPolicy('trained-1')).toBeUndefined();
      expect((await manifestOf('trained-1')).tiers).toEqual(filePolicy);
      expect((await listedSummaries()).map((m) => m.newerTierPolicy)).toEqual([undefined, undefined]);
    });

    it('exports the model with its policy as that LeadLens set it, the bundled model too', async () => {
      await storeModel(trained, trainedBytes, 'trained');
      await setNewerPolicy('trained-1');
      expect(await exportAsStored('trained-1')).toEqual({ manifestJson: JSON.stringify({ ...trained, tiers: newerPolicy }, null, 2), onnx: trainedBytes });
      await setNewerPolicy(bundled.modelId);
      const onnx = readFileSync('models/model.onnx');
      vi.stubGlobal('fetch', async () => new Response(onnx));
      try {
        const exported = await exportAsStored(bundled.modelId);
        expect(JSON.parse(exported.manifestJson)).toEqual({ ...bundled, tiers: newerPolicy });
        expect(exported.onnx.length).toBe(onnx.length);
      } finally {
        vi.unstubAllGlobals();
      }
    });
  });

  it('refuses to delete a model while a job is scoring or re-tiering with it, which would write its scores back afterwards', async () => {
    await storeModel(trained, trainedBytes, 'trained');
    for (const kind of ['scoring', 'retier'] as const) {
      await writeJob(kind, { modelId: 'trained-1', state: 'running', done: 10, total: 100, startedAt: 1 });
      await expect(deleteModel('trained-1')).rejects.toThrow('Model trained-1 is being scored or re-tiered now: delete it once that has finished');
      expect(await db.models.count()).toBe(1);
      // A job of another model, or one that has ended, is no reason to refuse.
      await writeJob(kind, { modelId: 'trained-1', state: 'done', done: 100, total: 100, startedAt: 1, finishedAt: 2 });
    }
    await writeJob('scoring', { modelId: bundled.modelId, state: 'running', done: 10, total: 100, startedAt: 1 });
    await deleteModel('trained-1');
    expect(await db.models.count()).toBe(0);
  });

  it("deletes the model's cached record-page scores and the roll back to it, and nothing of other models", async () => {
    await storeModel(trained, trainedBytes, 'trained');
    await storeModel({ ...trained, modelId: 'trained-10' }, trainedBytes, 'trained');
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

  it('deletes a model or activates it, never both: the active model is always installed', async () => {
    // From two pages at once, in either order.
    const remove = () => deleteModel('trained-1');
    const activate = () => activateModel('trained-1');
    for (const [first, second] of [[remove, activate], [activate, remove]]) {
      await storeModel(trained, trainedBytes, 'trained');
      const outcomes = await Promise.allSettled([first(), second()]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const active = await activeModelId();
      expect(active === bundled.modelId || (await db.models.get(active)) !== undefined).toBe(true);
      await setActiveModel(bundled.modelId);
      await db.models.clear();
    }
  });
});

describe('after an update that rebuilt the bundled model (a new id)', () => {
  const OLD_BUNDLED = 'ebm-0123456789abcdef';
  const score = (modelId: string, leadKey: string) => ({ key: `${modelId}|${leadKey}`, modelId, leadKey, probability: 0.1, score: 5, tier: 'cold' as const, topReason: '', scoredAt: 0 });
  const cached = (key: string): CachedScore => ({ key, fieldsHash: 'h', lead: {} as CachedScore['lead'], scoredAt: 0 });
  const policy = { policy: { kind: 'fixed' as const }, hot: 0.5, warm: 0.2 };
  /** Runs `use` as the version before the update, which shipped OLD_BUNDLED. */
  const beforeTheUpdate = async (use: () => Promise<void>) => {
    const shipped = vi.spyOn(bundledModel, 'manifest').mockReturnValue({ ok: true, manifest: { ...bundled, modelId: OLD_BUNDLED } });
    try {
      await use();
    } finally {
      shipped.mockRestore();
    }
  };

  beforeEach(async () => {
    await Promise.all([db.heldOutScores.clear()]);
    await db.leadScores.bulkPut([score(OLD_BUNDLED, 'salesforce|1'), score(OLD_BUNDLED, 'hubspot|2'), score(bundled.modelId, 'salesforce|1')]);
    await db.scores.bulkPut([cached(`${OLD_BUNDLED}|salesforce|1`), cached(`${bundled.modelId}|salesforce|1`)]);
  });

  it('scores with the new bundled model where the old one was active, under the policy the admin set, and drops what was kept for the old', async () => {
    await db.settings.bulkPut([{ key: 'activeModelId', value: OLD_BUNDLED }, { key: `tiers:${OLD_BUNDLED}`, value: policy }]);
    const figures = { revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 400 };
    await keepPolicyFigures(OLD_BUNDLED, figures);
    await expect(activeManifest()).rejects.toThrow(`Model ${OLD_BUNDLED} is not installed`);

    expect(await adoptRebuiltBundledModel()).toBe(true);
    expect(await activeModelId()).toBe(bundled.modelId);
    expect((await activeManifest()).tiers).toEqual(policy);
    // The figures the policy was applied with go along with it, for the form to reopen with them.
    expect(await policyFiguresOf(bundled.modelId)).toEqual(figures);
    expect(await policyFiguresOf(OLD_BUNDLED)).toBeNull();
    expect((await db.leadScores.toArray()).map((row) => row.key)).toEqual([`${bundled.modelId}|salesforce|1`]);
    expect(await db.scores.toCollection().primaryKeys()).toEqual([`${bundled.modelId}|salesforce|1`]);
    expect(await db.settings.get(`tiers:${OLD_BUNDLED}`)).toBeUndefined();
    // No roll back to itself.
    expect(await db.settings.get(PREVIOUS_MODEL_KEY)).toBeUndefined();
    // Once is enough: nothing changes at the next start.
    expect(await adoptRebuiltBundledModel()).toBe(false);
    expect(await activeModelId()).toBe(bundled.modelId);
  });

  it('drops a re-tiering owed of the old bundled model’s stored scores with them, not one owed of the new one’s', async () => {
    await db.settings.bulkPut([{ key: 'activeModelId', value: OLD_BUNDLED }, { key: `tiers:${OLD_BUNDLED}`, value: policy }]);
    await oweRetier(bundled.modelId);
    await oweRetier(OLD_BUNDLED);
    expect(await adoptRebuiltBundledModel()).toBe(true);
    expect(await owedRetiers()).toEqual([{ modelId: bundled.modelId, owedAt: expect.any(Number) }]);
  });

  it('takes over from the old bundled model that scored without being activated (none named active), with its policy', async () => {
    await beforeTheUpdate(async () => {
      // Activating the bundled model of a fresh install (the model already active) names none active.
      await activateModel(OLD_BUNDLED);
      await setTiers(OLD_BUNDLED, policy);
    });
    expect(await db.settings.get('activeModelId')).toBeUndefined();

    expect(await adoptRebuiltBundledModel()).toBe(true); // the stored leads are scored with the new one
    expect(await activeModelId()).toBe(bundled.modelId);
    expect((await activeManifest()).tiers).toEqual(policy);
    expect((await db.leadScores.toArray()).map((row) => row.key)).toEqual([`${bundled.modelId}|salesforce|1`]);
    expect(await db.settings.get(`tiers:${OLD_BUNDLED}`)).toBeUndefined();
    expect(await db.settings.get(PREVIOUS_MODEL_KEY)).toBeUndefined();
    expect(await adoptRebuiltBundledModel()).toBe(false);
    expect((await activeManifest()).tiers).toEqual(policy);
  });

  it('keeps the policy of an old bundled model no lead was scored with yet', async () => {
    await db.leadScores.clear();
    await db.scores.clear();
    await beforeTheUpdate(() => setTiers(OLD_BUNDLED, policy));

    expect(await adoptRebuiltBundledModel()).toBe(true);
    expect((await activeManifest()).tiers).toEqual(policy);
    expect(await db.settings.get(`tiers:${OLD_BUNDLED}`)).toBeUndefined();
  });

  it("keeps the admin's choice of policy, with capacity thresholds chosen again on the new model's reference leads", async () => {
    const percentile = (q: number) => bundled.reference.probabilityPercentiles[q - 1];
    const carried = (tiers: unknown) => db.settings.bulkPut([{ key: 'activeModelId', value: OLD_BUNDLED }, { key: `tiers:${OLD_BUNDLED}`, value: tiers }]);

    // Top 10 % hot, the next 20 % warm: on the old model's scores that was from 60 % and 40 % likely.
    const capacity = { kind: 'capacity' as const, hotPerWeek: 5, warmPerWeek: 10, inflowPerWeek: 50 };
    await carried({ policy: capacity, hot: 0.6, warm: 0.4 });
    expect(await adoptRebuiltBundledModel()).toBe(true);
    // Each just under its percentile (`thresholdHolding`).
    expect((await activeManifest()).tiers).toEqual({ policy: capacity, hot: percentile(90) - CUT_MARGIN, warm: percentile(70) - CUT_MARGIN });
    expect(percentile(90)).not.toBeCloseTo(0.6, 2);

    // Fixed thresholds are the admin's own probabilities, whatever the model.
    await carried(policy);
    await adoptRebuiltBundledModel();
    expect((await activeManifest()).tiers).toEqual(policy);

    // A value policy's thresholds are its break-even probability (cost / revenue) and half of it, whatever the model.
    const value = { kind: 'value' as const, revenuePerConversion: 1000, costPerContact: 100 };
    await carried({ policy: value, hot: 0.6, warm: 0.1 });
    await adoptRebuiltBundledModel();
    expect((await activeManifest()).tiers).toEqual({ policy: value, hot: 0.1, warm: 0.05 });
  });

  it('rolls back to the new bundled model where the roll back was to the old, and keeps a trained model active with its own', async () => {
    await storeModel(trained, trainedBytes, 'trained');
    await db.leadScores.put(score('trained-1', 'salesforce|1'));
    await db.heldOutScores.put({ modelId: 'trained-1', leadKeys: ['salesforce|1'], probabilities: new Float64Array([0.3]) });
    await db.settings.bulkPut([{ key: 'activeModelId', value: 'trained-1' }, { key: PREVIOUS_MODEL_KEY, value: OLD_BUNDLED }, { key: 'tiers:trained-1', value: policy }]);

    expect(await adoptRebuiltBundledModel()).toBe(false);
    expect(await activeModelId()).toBe('trained-1');
    expect((await db.settings.get(PREVIOUS_MODEL_KEY))?.value).toBe(bundled.modelId);
    expect((await manifestOf('trained-1')).tiers).toEqual(policy);
    expect((await db.leadScores.toArray()).map((row) => row.key).sort()).toEqual([`${bundled.modelId}|salesforce|1`, 'trained-1|salesforce|1']);
    expect(await db.heldOutScores.count()).toBe(1);
  });

  it('rolls back to the new bundled model under the policy set for the old one', async () => {
    const trainedPolicy = { policy: { kind: 'fixed' as const }, hot: 0.7, warm: 0.3 };
    await storeModel(trained, trainedBytes, 'trained');
    await beforeTheUpdate(async () => {
      await setTiers(OLD_BUNDLED, policy);
      await activateModel('trained-1');
      await setTiers('trained-1', trainedPolicy);
    });
    expect((await db.settings.get(PREVIOUS_MODEL_KEY))?.value).toBe(OLD_BUNDLED);

    expect(await adoptRebuiltBundledModel()).toBe(false);
    expect((await db.settings.get(PREVIOUS_MODEL_KEY))?.value).toBe(bundled.modelId);
    expect((await manifestOf('trained-1')).tiers).toEqual(trainedPolicy);
    expect(await rollBack()).toBe(bundled.modelId);
    expect((await activeManifest()).tiers).toEqual(policy);
    expect(await db.settings.get(`tiers:${OLD_BUNDLED}`)).toBeUndefined();
  });

  it('changes nothing when every model named is installed', async () => {
    await db.leadScores.clear();
    await db.scores.clear();
    await storeModel(trained, trainedBytes, 'trained');
    await db.leadScores.bulkPut([score('trained-1', 'x'), score(bundled.modelId, 'x')]);
    await db.settings.bulkPut([{ key: 'activeModelId', value: 'trained-1' }, { key: PREVIOUS_MODEL_KEY, value: bundled.modelId }]);
    expect(await adoptRebuiltBundledModel()).toBe(false);
    expect(await db.leadScores.count()).toBe(2);
    expect((await db.settings.get(PREVIOUS_MODEL_KEY))?.value).toBe(bundled.modelId);
  });
});

describe("a stored model under the id an update gives the bundled model (its export, imported before the update)", () => {
  const OLD_BUNDLED = 'ebm-0123456789abcdef';
  const adminPolicy = { policy: { kind: 'fixed' as const }, hot: 0.5, warm: 0.2 };
  const filePolicy = { policy: { kind: 'fixed' as const }, hot: 0.6, warm: 0.3 };
  const score = (leadKey: string) => ({ key: `${bundled.modelId}|${leadKey}`, modelId: bundled.modelId, leadKey, probability: 0.6, score: 90, tier: 'hot' as const, topReason: '', scoredAt: 0 });
  const heldOut = { modelId: bundled.modelId, leadKeys: ['csv|1'], probabilities: new Float64Array([0.6]) };
  const cachedKey = `${bundled.modelId}|salesforce|1`;
  beforeEach(async () => {
    await db.heldOutScores.clear();
    // Imported, its file carrying the tier policy of the admin who exported it, and scored with.
    await storeModel({ ...bundled, tiers: filePolicy }, trainedBytes, 'imported');
    await db.leadScores.put(score('csv|1'));
    await db.heldOutScores.put(heldOut);
    await db.scores.put({ key: cachedKey, fieldsHash: 'h', lead: {} as CachedScore['lead'], scoredAt: 0 });
  });
  const keptForTheBundledModel = async () => {
    expect(await db.leadScores.toCollection().primaryKeys()).toEqual([score('csv|1').key]);
    expect((await db.heldOutScores.get(bundled.modelId))?.probabilities).toEqual(heldOut.probabilities);
    expect(await db.scores.toCollection().primaryKeys()).toEqual([cachedKey]);
  };

  it("is dropped at start-up, and what was kept for it (the admin's policy, scores, held-out probabilities) is the bundled model's", async () => {
    await setActiveModel(bundled.modelId);
    await setTiers(bundled.modelId, adminPolicy);
    expect(await adoptRebuiltBundledModel()).toBe(false); // the same model stays active
    expect(await db.models.count()).toBe(0);
    expect(await activeModelId()).toBe(bundled.modelId);
    expect((await manifestOf(bundled.modelId)).tiers).toEqual(adminPolicy);
    await keptForTheBundledModel();
    expect((await listedSummaries()).map((m) => [m.id, m.origin, m.active])).toEqual([[bundled.modelId, 'bundled', true]]);
    expect(await adoptRebuiltBundledModel()).toBe(false);
  });

  it("keeps the policy of the copy's file, where no admin set one, over one carried from the old bundled model", async () => {
    await db.settings.bulkPut([{ key: 'activeModelId', value: OLD_BUNDLED }, { key: `tiers:${OLD_BUNDLED}`, value: adminPolicy }]);
    expect(await adoptRebuiltBundledModel()).toBe(true); // the old bundled one was active
    expect(await db.models.count()).toBe(0);
    expect(await activeModelId()).toBe(bundled.modelId);
    expect((await activeManifest()).tiers).toEqual(filePolicy);
    expect(await db.settings.get(`tiers:${OLD_BUNDLED}`)).toBeUndefined();
    await keptForTheBundledModel();
  });

  it('is listed once, as the bundled model, and cannot be deleted, before start-up has dropped it', async () => {
    await storeModel(trained, trainedBytes, 'trained');
    await setActiveModel('trained-1');
    await db.settings.put({ key: PREVIOUS_MODEL_KEY, value: bundled.modelId });
    await setTiers(bundled.modelId, adminPolicy);
    expect((await listedSummaries()).map((m) => [m.id, m.origin])).toEqual([
      ['trained-1', 'trained'],
      [bundled.modelId, 'bundled'],
    ]);
    await expect(deleteModel(bundled.modelId)).rejects.toThrow(`Model ${bundled.modelId} is the bundled model, which cannot be deleted`);
    expect((await manifestOf(bundled.modelId)).tiers).toEqual(adminPolicy);
    expect((await db.settings.get(PREVIOUS_MODEL_KEY))?.value).toBe(bundled.modelId);
    await keptForTheBundledModel();
  });
});

describe('an imported model not checked yet', () => {
  beforeEach(() => stubWebLocks());
  afterEach(() => vi.unstubAllGlobals());
  const unchecked = (id: string, addedAt = 1) => ({ id, origin: 'imported' as const, manifest: { ...bundled, modelId: id }, onnx: trainedBytes, addedAt, checked: false });

  it('is not listed and cannot be activated while its check runs', async () => {
    await storeModel(trained, trainedBytes, 'trained'); // stored before flags: no `checked`, usable
    let endCheck = () => {};
    const checking = navigator.locks.request(importLockName('imported-1'), () => new Promise<void>((resolve) => (endCheck = resolve)));
    await db.models.put(unchecked('imported-1'));
    expect((await listedSummaries()).map((model) => model.id)).toEqual(['trained-1', bundled.modelId]);
    await expect(setActiveModel('imported-1')).rejects.toThrow('Model imported-1 has not passed its check yet, so it cannot be activated');
    expect(await activeModelId()).toBe(bundled.modelId);
    expect(await db.models.get('imported-1')).toBeDefined(); // its import is still checking it
    endCheck();
    await checking;
  });

  it('is removed when the models are listed once the page importing it has closed', async () => {
    await db.models.bulkPut([unchecked('left-behind'), { ...unchecked('checked-1', 2), checked: true }]);
    expect((await listedSummaries()).map((model) => model.id)).toEqual(['checked-1', bundled.modelId]);
    expect(await db.models.toCollection().primaryKeys()).toEqual(['checked-1']);
  });
});

describe('the models with stored scores, looked for at every start of the service worker (adoptRebuiltBundledModel)', () => {
  const score = (modelId: string, leadKey: string, tier: 'hot' | 'warm' | 'cold') => ({ key: `${modelId}|${leadKey}`, modelId, leadKey, probability: 0.1, score: 5, tier, topReason: '', scoredAt: 0 });
  /** The count a getAll or getAllKeys asks for (after its range, or in its options, as Dexie passes it), if any. */
  const rowsAsked = ([first, second]: unknown[]) =>
    first !== null && typeof first === 'object' && !(first instanceof IDBKeyRange) ? (first as { count?: number }).count : (second as number | undefined);
  /** Each request `run` makes of the leadScores [modelId+tier] index, with how many rows it may return ("cursor step": one row). */
  async function readsOfScoreIndex(run: () => Promise<unknown>): Promise<string[]> {
    const onScoreIndex = (source: unknown) => source instanceof IDBIndex && source.objectStore.name === 'leadScores' && source.name === '[modelId+tier]';
    const spies = (['getAll', 'getAllKeys', 'openCursor', 'openKeyCursor', 'count'] as const).map((method) => [method, vi.spyOn(IDBIndex.prototype, method)] as const);
    const steps = vi.spyOn(IDBCursor.prototype, 'continue');
    try {
      await run();
      return [
        ...spies.flatMap(([method, spy]) => spy.mock.calls.flatMap((args, i) => (onScoreIndex(spy.mock.contexts[i]) ? [method.startsWith('getAll') ? `${method} of ${rowsAsked(args) ?? 'all'}` : method] : []))),
        ...steps.mock.contexts.flatMap((cursor) => (onScoreIndex((cursor as IDBCursor).source) ? ['cursor step'] : [])),
      ];
    } finally {
      for (const [, spy] of spies) spy.mockRestore();
      steps.mockRestore();
    }
  }

  // A dozen activations on 50,000 leads kept 600,000 scores, and their index's distinct keys were read
  // by walking every one of them (~3 s in Chromium at every start): now one score is read per model.
  it('reads one score per model, whatever its number of scores, and finds a model gone among many', async () => {
    const models = Array.from({ length: 12 }, (_, m) => `trained-${m + 1}`);
    for (const modelId of models) await storeModel({ ...trained, modelId }, trainedBytes, 'trained');
    await setActiveModel('trained-12');
    const tiers = ['hot', 'warm', 'cold'] as const;
    await db.leadScores.bulkPut(models.flatMap((modelId) => Array.from({ length: 300 }, (_, i) => score(modelId, `csv|${i}`, tiers[i % 3]))));
    expect(await readsOfScoreIndex(async () => expect(await adoptRebuiltBundledModel()).toBe(false))).toEqual(Array(models.length + 1).fill('getAll of 1'));
    expect(await db.leadScores.count()).toBe(12 * 300);

    // A model in the middle of the index, and one with a single tier, neither stored: both gone, the others kept.
    await db.leadScores.bulkPut([score('trained-10a', 'csv|1', 'warm'), score('trained-10a', 'csv|2', 'warm'), score('zz-old', 'csv|1', 'hot')]);
    expect(await adoptRebuiltBundledModel()).toBe(false);
    expect((await db.leadScores.where('modelId').equals('trained-10a').count()) + (await db.leadScores.where('modelId').equals('zz-old').count())).toBe(0);
    expect(await db.leadScores.count()).toBe(12 * 300);
  });
});

describe('dropping the stored scores of models neither active nor the roll back (after an activation has scored every lead)', () => {
  const scores = (modelId: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({ key: `${modelId}|csv|${i}`, modelId, leadKey: `csv|${i}`, probability: 0.1, score: 5, tier: 'cold' as const, topReason: '', scoredAt: 0 }));
  const scoresOf = async (modelId: string) => db.leadScores.where(':id').between(`${modelId}|`, `${modelId}|\uffff`).count();

  beforeEach(async () => {
    stubWebLocks();
    for (const modelId of ['trained-1', 'trained-2', 'trained-3']) await storeModel({ ...trained, modelId }, trainedBytes, 'trained');
    await db.leadScores.bulkPut([...scores(bundled.modelId, 10), ...scores('trained-1', 4500), ...scores('trained-2', 10), ...scores('trained-3', 10)]);
    // trained-2 active, then trained-3: the roll back is to trained-2.
    await activateModel('trained-2');
    await activateModel('trained-3');
  });
  afterEach(() => vi.unstubAllGlobals());

  it("drops only theirs, a few thousand per transaction, and keeps the models, rolled back to as before", async () => {
    const bulkDelete = vi.spyOn(db.leadScores, 'bulkDelete');
    expect(await dropScoresOfRetiredModels()).toBe(4510);
    // trained-1's 4,500 in three transactions, the bundled model's 10 in one.
    expect(bulkDelete.mock.calls.map(([keys]) => keys.length).sort((a, b) => a - b)).toEqual([10, 500, 2000, 2000]);
    bulkDelete.mockRestore();
    expect([await scoresOf(bundled.modelId), await scoresOf('trained-1'), await scoresOf('trained-2'), await scoresOf('trained-3')]).toEqual([0, 0, 10, 10]);
    expect((await listedSummaries()).map((model) => model.id).sort()).toEqual([bundled.modelId, 'trained-1', 'trained-2', 'trained-3'].sort());
    expect(await rollBack()).toBe('trained-2');
    expect(await dropScoresOfRetiredModels()).toBe(0);
  });

  it('keeps the scores of a model a job row says is scored or re-tiered (one left by a closed browser resumes at the next start)', async () => {
    await writeJob('retier', { modelId: 'trained-1', state: 'running', done: 0, total: 4500, startedAt: 1 });
    expect(await dropScoresOfRetiredModels()).toBe(10);
    expect([await scoresOf(bundled.modelId), await scoresOf('trained-1')]).toEqual([0, 4500]);
  });

  it('waits for the job running to end, and keeps the scores of a model made active or the roll back meanwhile', async () => {
    let endJob!: () => void;
    const job = inJobsTurn(() => new Promise<void>((end) => (endJob = end)));
    const dropping = dropScoresOfRetiredModels();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await db.leadScores.count()).toBe(4530);
    await activateModel('trained-1'); // the roll back is to trained-3 now
    endJob();
    await job;
    expect(await dropping).toBe(20);
    expect([await scoresOf(bundled.modelId), await scoresOf('trained-1'), await scoresOf('trained-2'), await scoresOf('trained-3')]).toEqual([0, 4500, 0, 10]);
  });

  it('does not wait for the jobs’ turn when there is nothing to drop', async () => {
    await db.leadScores.where(':id').between('trained-1|', 'trained-1|\uffff').delete();
    await db.leadScores.where(':id').between(`${bundled.modelId}|`, `${bundled.modelId}|\uffff`).delete();
    void inJobsTurn(() => new Promise<void>(() => undefined));
    expect(await dropScoresOfRetiredModels()).toBe(0);
  });
});
