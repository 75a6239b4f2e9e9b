import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { forgetOwedRetier, owedRetiers } from '../jobs/progress';
import { bundledModel } from './bundled-model';
import { activeModelId, deleteModel, importLockName, manifestOf, setTiers } from './model-store';
import type { FieldSources, Manifest, Tiers } from './manifest';
import { storeModel } from '../../test/fixtures/stored-model';
import { storedLead } from '../../test/fixtures/stored-lead';
import { dexieSyncStore } from '../sync/store';
import { INITIAL_SYNC_STATE } from '../sync/state';
import { loopModel } from '../../test/fixtures/onnx-models';
import { MAX_CHECK_CELLS } from './check-model';
import { DERIVED_READING_VERSION } from './derive';
import { keepPolicyFigures, policyFiguresOf } from './policy-figures';
import { applyPolicyOn, readPolicyForm, reapplyPolicy } from './tier-policy';
import { formatThreshold } from '../presentation';
import { CUT_MARGIN, tierThresholds } from './train/thresholds';
import { describeModelOutcome } from './outcome-rule';
import {
  MAX_MANIFEST_BYTES,
  MAX_ONNX_BYTES,
  activateModel,
  addCheckedModel,
  crmFieldsNote,
  exportFileNames,
  exportFiles,
  importModel,
  importSizeError,
  keepHeldOutScores,
  listModelVersions,
  previousModelId,
  recordNewerReading,
  rollBack,
  setTiersIfUnchanged,
  takePolicyAppliedSince,
  takePolicyInForce,
  writtenBackFieldsNote,
  type TrainedModel,
} from './model-versions';
import { rememberWrittenBackFields } from '../db/written-back-fields';
import { mulberry32 } from './random';
import { trainModel } from './train';
import { confusionAt } from './train/metrics';
import { renderModelCard } from './model-card';

/** Leads with a weak signal in 3 of 5 numbers, about 12% converted. */
function weakSignalLeads(n: number): Record<string, string>[] {
  const random = mulberry32(7);
  return Array.from({ length: n }, () => {
    const x = Array.from({ length: 5 }, () => random() * 2 - 1);
    const logit = -2.2 + 0.5 * (1.6 * x[0] + 1.0 * x[1] + 0.6 * x[2]);
    return { ...Object.fromEntries(x.map((value, f) => [`x${f}`, value.toFixed(3)])), converted: random() < 1 / (1 + Math.exp(-logit)) ? '1' : '0' };
  });
}
import { modelInputRefusal, WriteBackTargetSchema } from '../background/write-back';

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();
const candidate = { ...bundled, modelId: 'imported-1' };
/** A model.onnx that passes the operator check; the engine's check is stubbed in these tests. */
const modelOnnx = new Uint8Array(readFileSync('models/model.onnx'));
const passes = async () => ({ ok: true as const });

/**
 * A capacity policy as Tier policy's Apply chooses it on the leads stored in a browser, which the
 * model ranks above its reference leads (each reference lead's probability x1.5, a stable
 * population otherwise): its thresholds put other shares of the reference leads in hot and warm.
 */
const capacityAppliedOnStoredLeads = (() => {
  const reference = [0, ...bundled.reference.probabilityPercentiles];
  const stored = Float64Array.from({ length: 2000 }, (_, i) => Math.min(1, reference[Math.floor((i / 2000) * 100)] * 1.5));
  return applyPolicyOn({ policy: { kind: 'capacity', hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 }, hot: 0, warm: 0 }, stored);
})();
const fails = async () => ({ ok: false as const, error: 'The model file could not be loaded: protobuf parsing failed' });

beforeEach(async () => {
  stubWebLocks(); // an import holds its model's import lock until the engine's verdict
  await Promise.all([db.models.clear(), db.settings.clear()]);
});
afterEach(() => vi.unstubAllGlobals());

describe('importModel', () => {
  it('refuses a new model whose id is not safe in keys and file names, before storing or checking anything', async () => {
    let checked = false;
    const check = async () => ((checked = true), { ok: true as const });
    await expect(importModel(JSON.stringify({ ...candidate, modelId: 'team a' }), new Uint8Array([1]), check)).rejects.toThrow(
      'The model id "team a" is not accepted: it must be 1 to 100 letters, digits, dots, dashes or underscores',
    );
    expect(checked).toBe(false);
    expect(await db.models.count()).toBe(0);
  });

  it('stores a model that passes the engine check, without activating it', async () => {
    await importModel(JSON.stringify(candidate), modelOnnx, passes);
    expect((await db.models.get('imported-1'))?.origin).toBe('imported');
    expect(await activeModelId()).toBe(bundled.modelId);
  });

  it("stores a value policy with the thresholds its revenue and cost give, not those the file says, which would make every lead hot", async () => {
    const edited = { policy: { kind: 'value' as const, revenuePerConversion: 100, costPerContact: 10 }, hot: 0, warm: 0 };
    const imported = await importModel(JSON.stringify({ ...candidate, tiers: edited }), modelOnnx, passes);
    // Break-even at $10 of $100: hot from 10 %, warm from half that.
    const own = { policy: edited.policy, hot: 0.1, warm: 0.05 };
    expect(imported).toEqual({ installed: 'added', manifest: { ...candidate, tiers: own }, thresholdsChosenAgain: null, writtenBackFieldsNote: null });
    expect((await manifestOf('imported-1')).tiers).toEqual(own);
  });

  it('refuses a capacity policy asking more hot and warm leads a week than come in, as the tier form does, storing and checking nothing', async () => {
    let checked = false;
    const tiers = { policy: { kind: 'capacity' as const, hotPerWeek: 500, warmPerWeek: 0, inflowPerWeek: 100 }, hot: 0.99, warm: 0.98 };
    await expect(importModel(JSON.stringify({ ...candidate, tiers }), modelOnnx, async () => ((checked = true), { ok: true as const }))).rejects.toThrow(
      'Nothing was imported: the tier policy in manifest.json cannot be applied. Hot and warm leads worked per week (500 + 0) are more than the 100 new leads per week: the team cannot work more leads than come in.',
    );
    expect(checked).toBe(false);
    expect(await db.models.count()).toBe(0);
  });

  it.each([
    [
      '$0 per contact (every lead hot)',
      { revenuePerConversion: 100, costPerContact: 0 },
      'Nothing was imported: the tier policy in manifest.json cannot be applied. Cost per contact is $0: every lead would be worth contacting, so every lead would be hot. Give what a contact costs, the time it takes included.',
    ],
    [
      'a contact costing more than a conversion brings (every lead cold)',
      { revenuePerConversion: 100, costPerContact: 300 },
      'Nothing was imported: the tier policy in manifest.json cannot be applied. Cost per contact ($300) is not below revenue per conversion ($100): no lead would pay for its contact, so every lead would be cold.',
    ],
  ])('refuses a value policy at %s, in the words of the tier form, storing and checking nothing', async (_what, economics, error) => {
    let checked = false;
    const tiers = { policy: { kind: 'value' as const, ...economics }, hot: 0.1, warm: 0.05 };
    await expect(importModel(JSON.stringify({ ...candidate, tiers }), modelOnnx, async () => ((checked = true), { ok: true as const }))).rejects.toThrow(error);
    expect(checked).toBe(false);
    expect(await db.models.count()).toBe(0);
    // The very words the form says of those figures.
    const form = { kind: 'value' as const, ...economics, leadsPerWeek: 100, hotPerWeek: 10, warmPerWeek: 20, hotPercent: 10, warmPercent: 5 };
    const read = readPolicyForm(form);
    expect(read.ok ? [] : read.problems.map((problem) => `Nothing was imported: the tier policy in manifest.json cannot be applied. ${problem.message}`)).toEqual([error]);
  });

  it.each([
    ['hot from 0% (every lead hot)', { hot: 0, warm: 0 }, { hotPercent: 0, warmPercent: 0 }, 'Hot from is 0%: every lead is at least that likely, so every lead would be hot. Give the likelihood from which a lead is worth working first.'],
    ['warm from 0% (no lead cold)', { hot: 0.3, warm: 0 }, { hotPercent: 30, warmPercent: 0 }, 'Warm from is 0%: every lead is at least that likely, so no lead would be cold. Give the likelihood below which a lead can wait.'],
  ])('refuses fixed thresholds at %s, in the words of the tier form, storing and checking nothing', async (_what, thresholds, percents, problem) => {
    let checked = false;
    const tiers = { policy: { kind: 'fixed' as const }, ...thresholds };
    const error = `Nothing was imported: the tier policy in manifest.json cannot be applied. ${problem}`;
    await expect(importModel(JSON.stringify({ ...candidate, tiers }), modelOnnx, async () => ((checked = true), { ok: true as const }))).rejects.toThrow(error);
    expect(checked).toBe(false);
    expect(await db.models.count()).toBe(0);
    // The very words the form says of those figures.
    const read = readPolicyForm({ kind: 'fixed', revenuePerConversion: 100, costPerContact: 10, leadsPerWeek: 100, hotPerWeek: 10, warmPerWeek: 20, ...percents });
    expect(read.ok ? [] : read.problems.map((p) => p.message)).toEqual([problem]);
  });

  it('chooses again on the reference leads capacity thresholds that put far other shares of them in hot and warm than the policy asks, saying so, and keeps ones that agree', async () => {
    const policy = { kind: 'capacity' as const, hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 };
    const agreeing = reapplyPolicy({ policy, hot: 0, warm: 0 }, candidate);
    // Hand-edited: hot from 0 % makes every lead hot, while the Tier policy section would say 10 a week.
    await expect(importModel(JSON.stringify({ ...candidate, tiers: { policy, hot: 0, warm: 0 } }), modelOnnx, passes)).resolves.toEqual({
      installed: 'added',
      manifest: { ...candidate, tiers: agreeing },
      thresholdsChosenAgain:
        "The file's capacity thresholds (hot from 0%, warm from 0% likely) put 100% of the leads the model was trained on in hot, where its policy asks 10% (10 of 100 new leads a week): they were chosen on other leads, or edited. " +
        `They were chosen again on the leads the model was trained on: hot from ${formatThreshold(agreeing.hot)}, warm from ${formatThreshold(agreeing.warm)} likely. ` +
        'With the model active, apply the policy again under Tier policy to choose them on the leads stored in this browser.',
      writtenBackFieldsNote: null,
    });
    expect((await manifestOf('imported-1')).tiers).toEqual(agreeing);
    // The thresholds the policy gives on those very leads agree with it: kept, and nothing said.
    await expect(importModel(JSON.stringify({ ...candidate, modelId: 'imported-2', tiers: agreeing }), modelOnnx, passes)).resolves.toMatchObject({
      installed: 'added',
      thresholdsChosenAgain: null,
    });
  });

  it('keeps the capacity thresholds of a model that tells no lead apart, which hold the whole tie of its leads just under their one probability', async () => {
    // A model that found no signal: every reference lead at one probability, the tie held by each cut (`thresholdHolding`).
    const p = 0.15067307651042938;
    const flat = { ...candidate, reference: { ...candidate.reference, probabilityPercentiles: candidate.reference.probabilityPercentiles.map(() => p) } };
    const tiers = reapplyPolicy({ policy: { kind: 'capacity', hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 }, hot: 0, warm: 0 }, flat);
    expect(tiers).toMatchObject({ hot: p - CUT_MARGIN, warm: p - CUT_MARGIN });
    await expect(importModel(JSON.stringify({ ...flat, tiers }), modelOnnx, passes)).resolves.toMatchObject({ installed: 'added', thresholdsChosenAgain: null });
    expect((await manifestOf('imported-1')).tiers).toEqual(tiers);
  });

  it("imports the export of a capacity policy Tier policy applied on a browser's stored leads, which rank above the reference leads, its thresholds chosen again", async () => {
    await storeModel({ ...candidate, modelId: 'team-1' }, modelOnnx, 'imported');
    const applied = capacityAppliedOnStoredLeads;
    expect(await setTiersIfUnchanged('team-1', applied, () => true)).toBe(true);
    const { manifestJson } = await exportFiles('team-1');
    const onReference = reapplyPolicy(applied, bundled);
    const chosenAgain = expect.stringMatching(
      new RegExp(
        `^The file's capacity thresholds \\(hot from ${formatThreshold(applied.hot)}, warm from ${formatThreshold(applied.warm)} likely\\) put \\d+% of the leads the model was trained on in hot and warm, where its policy asks 30%.*` +
          `chosen again on the leads the model was trained on: hot from ${formatThreshold(onReference.hot)}, warm from ${formatThreshold(onReference.warm)} likely\\.`,
      ),
    );

    // A rep's browser, without the model.
    await deleteModel('team-1');
    await expect(importModel(manifestJson, modelOnnx, passes)).resolves.toMatchObject({ installed: 'added', manifest: { tiers: onReference }, thresholdsChosenAgain: chosenAgain });
    // The file's policy applied to the model installed with another.
    await setTiers('team-1', bundled.tiers);
    await expect(importModel(manifestJson, modelOnnx, passes)).resolves.toMatchObject({ installed: 'tierPolicyDiffers', fileTiers: onReference, thresholdsChosenAgain: chosenAgain });
    await expect(importModel(manifestJson, modelOnnx, passes, { replaces: bundled.tiers })).resolves.toMatchObject({
      installed: 'tierPolicyApplied',
      tierPolicyChanged: true,
      thresholdsChosenAgain: chosenAgain,
    });
    expect((await manifestOf('team-1')).tiers).toEqual(onReference);
  });

  it('keeps a capacity policy the trainer cut above a tie just under its threshold, the tie left out as the policy allows', async () => {
    // The top 30 % spread from 60 % to 30 %, the rest on one calibration step at 2 %: 10 hot and 70 warm of 100 cannot be
    // cut in the tie, and the trainer cuts warm above it (30 % held where 80 % is asked).
    const probabilities = Float64Array.from({ length: 1000 }, (_, i) => (i < 300 ? 0.6 - (0.3 * i) / 300 : 0.02));
    const sorted = Float64Array.from(probabilities).sort();
    const percentiles = Array.from({ length: 99 }, (_, k) => sorted[Math.floor(((k + 1) / 100) * 1000)]);
    const policy = { kind: 'capacity' as const, hotPerWeek: 10, warmPerWeek: 70, inflowPerWeek: 100 };
    const tiers = { policy, ...tierThresholds(policy, new Uint8Array(1000), probabilities) };
    const tied = { ...candidate, tiers, reference: { ...candidate.reference, probabilityPercentiles: percentiles } };
    await expect(importModel(JSON.stringify(tied), modelOnnx, passes)).resolves.toMatchObject({ installed: 'added' });
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

  it('says which chosen file is not JSON, and when the two files seem swapped, storing nothing', async () => {
    const onnx = new Uint8Array([0x08, 0x07, 0x12, 0x04]); // a model.onnx starts as a binary protobuf
    await expect(importModel('\u0008\u0007 model bytes', onnx, passes)).rejects.toThrow(
      'The file chosen as manifest.json is not valid JSON: choose the manifest.json that came with the model.',
    );
    const manifestBytes = new TextEncoder().encode(`\uFEFF\n  ${JSON.stringify(candidate)}`);
    await expect(importModel('\u0008\u0007 model bytes', manifestBytes, passes)).rejects.toThrow(
      'The file chosen as manifest.json is not valid JSON, and the one chosen as model.onnx looks like JSON: the two files seem swapped. Choose each in its own field.',
    );
    expect(await db.models.count()).toBe(0);
  });

  it('deletes the candidate when the engine cannot run it, leaving the active model as it was', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([9]), 'trained');
    await activateModel('trained-1');
    await expect(importModel(JSON.stringify(candidate), modelOnnx, fails)).rejects.toThrow(/did not pass its check.*protobuf parsing failed/);
    expect(await db.models.get('imported-1')).toBeUndefined();
    expect(await activeModelId()).toBe('trained-1');
  });

  it('refuses a model.onnx that could run without end (a Loop) or is not ONNX, before storing or running it', async () => {
    let checked = false;
    const check = async () => ((checked = true), { ok: true as const });
    await expect(importModel(JSON.stringify(candidate), loopModel(2e9), check)).rejects.toThrow(
      'The model did not pass its check and was not imported: model.onnx uses the operator "Loop", which LeadLens does not run.',
    );
    await expect(importModel(JSON.stringify(candidate), new Uint8Array([0xde, 0xad]), check)).rejects.toThrow(
      'The model did not pass its check and was not imported: model.onnx is not an ONNX model (or is damaged)',
    );
    expect(checked).toBe(false);
    expect(await db.models.count()).toBe(0);
    expect(await activeModelId()).toBe(bundled.modelId);
  });

  it('refuses other files under the bundled model\'s id, saying to import them under another id', async () => {
    vi.stubGlobal('fetch', async () => new Response(modelOnnx)); // the bundled model.onnx, from the package
    await expect(importModel(JSON.stringify(bundled), new Uint8Array([...modelOnnx, 0]), passes)).rejects.toThrow(
      `Model ${bundled.modelId} is already installed, and these files are another model under the same id: the bundled model cannot be deleted, so import these files under another id (the "modelId" in their manifest.json).`,
    );
    expect(await db.models.count()).toBe(0);
  });

  it('is neither listed nor activatable until the engine check has passed', async () => {
    let pass = () => {};
    const check = () => new Promise<{ ok: true }>((resolve) => (pass = () => resolve({ ok: true })));
    const importing = importModel(JSON.stringify(candidate), modelOnnx, check);
    await expect.poll(() => db.models.get('imported-1')).toBeDefined();
    // Meanwhile, in another tab:
    expect((await listModelVersions()).map((model) => model.id)).toEqual([bundled.modelId]);
    await expect(activateModel('imported-1')).rejects.toThrow(/has not passed its check/);
    expect(await activeModelId()).toBe(bundled.modelId);
    pass();
    await importing;
    expect((await listModelVersions()).map((model) => model.id)).toEqual(['imported-1', bundled.modelId]);
    await activateModel('imported-1');
    expect(await activeModelId()).toBe('imported-1');
  });

  it('replaces an import left unchecked by a page closed during its check', async () => {
    // What the closed page left: the model stored, its check's verdict never recorded.
    await db.models.put({ id: 'imported-1', origin: 'imported', manifest: { ...candidate, intercept: 9 }, onnx: new Uint8Array([6]), addedAt: 1, checked: false });
    await importModel(JSON.stringify(candidate), modelOnnx, passes);
    expect(await db.models.get('imported-1')).toMatchObject({ manifest: candidate, onnx: modelOnnx, checked: true });
  });

  it('removes other imports left unchecked when an import starts, not one another tab is checking', async () => {
    const left = (id: string) => ({ id, origin: 'imported' as const, manifest: { ...candidate, modelId: id }, onnx: new Uint8Array([6]), addedAt: 1, checked: false });
    await db.models.bulkPut([left('left-behind'), left('checking-elsewhere')]);
    let endCheck = () => {};
    const elsewhere = navigator.locks.request(importLockName('checking-elsewhere'), () => new Promise<void>((resolve) => (endCheck = resolve)));
    await importModel(JSON.stringify(candidate), modelOnnx, passes);
    expect((await db.models.toCollection().primaryKeys()).sort()).toEqual(['checking-elsewhere', 'imported-1']);
    endCheck();
    await elsewhere;
  });

  it('refuses an id being imported in another tab', async () => {
    let endCheck = () => {};
    const elsewhere = navigator.locks.request(importLockName('imported-1'), () => new Promise<void>((resolve) => (endCheck = resolve)));
    await expect(importModel(JSON.stringify(candidate), modelOnnx, passes)).rejects.toThrow('Model imported-1 is being imported in another tab');
    endCheck();
    await elsewhere;
  });

  it('refuses the id of a stored model whose manifest no longer parses, and keeps that model', async () => {
    const damaged = { id: 'imported-1', origin: 'imported' as const, manifest: { modelId: 'imported-1' } as unknown as typeof candidate, onnx: new Uint8Array([6]), addedAt: 1 };
    await db.models.put(damaged);
    await expect(importModel(JSON.stringify(candidate), modelOnnx, passes)).rejects.toThrow('Model imported-1 is already installed');
    expect(await db.models.get('imported-1')).toEqual(damaged);
  });

  it('refuses files too large before reading them, and a model too large to check before storing it', async () => {
    expect(importSizeError(MAX_MANIFEST_BYTES, MAX_ONNX_BYTES)).toBeNull();
    expect(importSizeError(MAX_MANIFEST_BYTES + 1, 1)).toMatch(/^manifest\.json is too large/);
    expect(importSizeError(12.5 * 1024 * 1024, 1)).toBe("manifest.json is too large (12.5 MB; a model's manifest is at most 10.0 MB): choose the manifest.json of the model");
    expect(importSizeError(1, MAX_ONNX_BYTES + 1)).toMatch(/^model\.onnx is too large/);
    expect(importSizeError(1, 60 * 1024 * 1024)).toBe('model.onnx is too large (60.0 MB; at most 20.0 MB can be imported)');
    let checked = false;
    const check = async () => ((checked = true), { ok: true as const });
    await expect(importModel(JSON.stringify(candidate), new Uint8Array(MAX_ONNX_BYTES + 1), check)).rejects.toThrow(/model\.onnx is too large/);
    // One pair term over two numeric axes of 400 bins (398 edges, then "missing"): 160,000 check rows from a few MB of manifest.
    const labels = Array.from({ length: 400 }, (_, i) => `b${i}`);
    const edges = Array.from({ length: 398 }, (_, i) => i);
    const huge = {
      ...candidate,
      terms: [{ features: [2, 3], label: 'huge', importance: 0, shape: { axes: [{ labels, edges }, { labels, edges }], scores: Array(160_000).fill(0) } }],
    };
    expect(160_000).toBeGreaterThan(MAX_CHECK_CELLS);
    await expect(importModel(JSON.stringify(huge), new Uint8Array([1]), check)).rejects.toThrow(/too large to check: its shape functions have 160,000 bins/);
    expect(checked).toBe(false);
    expect(await db.models.count()).toBe(0);
  });
});

describe('importing a model installed already (its export, sent to reps)', () => {
  const teamModel = { ...bundled, modelId: 'team-model' };
  const newPolicy = { policy: { kind: 'capacity' as const, hotPerWeek: 5, warmPerWeek: 15, inflowPerWeek: 200 }, hot: 0.61, warm: 0.33 };
  const replaceIt =
    'to replace it with these files, delete team-model under Model versions (activate another model first if it is the active one; an export keeps a copy of the model and its tier policy, not the held-out probabilities of a model trained here), then import them again.';
  /** The admin's answer to the question asked before a file's policy replaces the one in force (the bundled model's, as stored). */
  const replacingBundled = { replaces: bundled.tiers };
  beforeEach(async () => {
    await storeModel(teamModel, modelOnnx, 'imported');
    await activateModel('team-model');
  });

  it('applies the tier policy of a new export of the active model to it once the admin chose to replace the one in force, without adding or checking it again', async () => {
    const { addedAt } = (await db.models.get('team-model'))!;
    let checked = false;
    const check = async () => ((checked = true), { ok: true as const });
    await keepPolicyFigures('team-model', { revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 400 });
    // Asked first: nothing changes until the admin says to replace the policy in force.
    await expect(importModel(JSON.stringify({ ...teamModel, tiers: newPolicy }), modelOnnx, check)).resolves.toEqual({
      installed: 'tierPolicyDiffers',
      manifest: teamModel,
      fileTiers: newPolicy,
      thresholdsChosenAgain: null,
    });
    expect((await manifestOf('team-model')).tiers).toEqual(bundled.tiers);
    expect(await policyFiguresOf('team-model')).not.toBeNull();
    expect(await owedRetiers()).toEqual([]);
    const imported = await importModel(JSON.stringify({ ...teamModel, tiers: newPolicy }), modelOnnx, check, replacingBundled);
    expect(imported).toEqual({ installed: 'tierPolicyApplied', manifest: { ...teamModel, tiers: newPolicy }, tierPolicyChanged: true, readingRecorded: false, thresholdsChosenAgain: null });
    // The figures kept were the replaced policy's: the form reads the file's policy, the defaults for the rest.
    expect(await policyFiguresOf('team-model')).toBeNull();
    expect((await manifestOf('team-model')).tiers).toEqual(newPolicy);
    // Owed in the policy's own write: a page closed before asking the background still gets its stored leads re-tiered.
    expect(await owedRetiers()).toEqual([{ modelId: 'team-model', owedAt: expect.any(Number) }]);
    expect(checked).toBe(false);
    expect((await db.models.get('team-model'))?.addedAt).toBe(addedAt);
    expect(await activeModelId()).toBe('team-model');
    // The same export again changes nothing, and says so.
    await expect(importModel(JSON.stringify({ ...teamModel, tiers: newPolicy }), modelOnnx, check)).resolves.toMatchObject({ tierPolicyChanged: false });
  });

  it('asks before an older export brings back the policy it was exported with over one applied since, and changes nothing until the admin says to replace it', async () => {
    const capacity = reapplyPolicy({ policy: { kind: 'capacity', hotPerWeek: 15, warmPerWeek: 25, inflowPerWeek: 100 }, hot: 0, warm: 0 }, teamModel);
    expect(await setTiersIfUnchanged('team-model', capacity, () => true)).toBe(true);
    const { manifestJson } = await exportFiles('team-model');
    // Then Tier policy applies a value policy, whose figures the form keeps.
    const valuePolicy = { kind: 'value' as const, revenuePerConversion: 500, costPerContact: 40 };
    const value = { policy: valuePolicy, ...tierThresholds(valuePolicy, new Uint8Array(0), new Float64Array(0)) };
    expect(await setTiersIfUnchanged('team-model', value, () => true)).toBe(true);
    const figures = { revenuePerConversion: 500, costPerContact: 40, leadsPerPeriod: 100 };
    await keepPolicyFigures('team-model', figures);
    // Re-tiered since, as the background does once asked.
    await forgetOwedRetier('team-model');

    // The old export: asked, naming both; nothing replaced, forgotten or owed.
    await expect(importModel(manifestJson, modelOnnx, passes)).resolves.toEqual({
      installed: 'tierPolicyDiffers',
      manifest: { ...teamModel, tiers: value },
      fileTiers: capacity,
      thresholdsChosenAgain: null,
    });
    expect((await manifestOf('team-model')).tiers).toEqual(value);
    expect(await policyFiguresOf('team-model')).toEqual(figures);
    expect(await owedRetiers()).toEqual([]);

    // Another tab applies another policy before the admin answers: the answer was about the one replaced since, so nothing is replaced.
    const hotter = { ...value, policy: { ...valuePolicy, costPerContact: 30 } };
    const applied = { ...hotter, ...tierThresholds(hotter.policy, new Uint8Array(0), new Float64Array(0)) };
    expect(await setTiersIfUnchanged('team-model', applied, () => true)).toBe(true);
    await expect(importModel(manifestJson, modelOnnx, passes, { replaces: value })).resolves.toMatchObject({ installed: 'tierPolicyDiffers', manifest: { tiers: applied } });
    expect((await manifestOf('team-model')).tiers).toEqual(applied);
    expect(await policyFiguresOf('team-model')).toEqual(figures);

    // Replacing the one in force, as asked: the file's policy, its figures forgotten, the re-tiering owed.
    await expect(importModel(manifestJson, modelOnnx, passes, { replaces: applied })).resolves.toEqual({
      installed: 'tierPolicyApplied',
      manifest: { ...teamModel, tiers: capacity },
      tierPolicyChanged: true,
      readingRecorded: false,
      thresholdsChosenAgain: null,
    });
    expect((await manifestOf('team-model')).tiers).toEqual(capacity);
    expect(await policyFiguresOf('team-model')).toBeNull();
    expect(await owedRetiers()).toEqual([{ modelId: 'team-model', owedAt: expect.any(Number) }]);
  });

  it("keeps the capacity thresholds Tier policy chose on this browser's stored leads when the model's own export is imported back, saying nothing changed", async () => {
    expect(await setTiersIfUnchanged('team-model', capacityAppliedOnStoredLeads, () => true)).toBe(true);
    const figures = { revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 100 };
    await keepPolicyFigures('team-model', figures);
    const { manifestJson } = await exportFiles('team-model');
    await forgetOwedRetier('team-model');
    // A backup restored over the installed model, or the admin checking the file: its thresholds are the ones in force.
    await expect(importModel(manifestJson, modelOnnx, passes)).resolves.toEqual({
      installed: 'tierPolicyApplied',
      manifest: { ...teamModel, tiers: capacityAppliedOnStoredLeads },
      tierPolicyChanged: false,
      readingRecorded: false,
      thresholdsChosenAgain: null,
    });
    expect((await manifestOf('team-model')).tiers).toEqual(capacityAppliedOnStoredLeads);
    expect(await policyFiguresOf('team-model')).toEqual(figures);
    // Nothing written: no re-tiering owed for a policy that did not change.
    expect(await owedRetiers()).toEqual([]);
  });

  it('applies the policy of the bundled model\'s export to it, storing no second copy of it', async () => {
    vi.stubGlobal('fetch', async () => new Response(modelOnnx));
    let checked = false;
    const check = async () => ((checked = true), { ok: true as const });
    await expect(importModel(JSON.stringify({ ...bundled, tiers: newPolicy }), modelOnnx, check)).resolves.toMatchObject({ installed: 'tierPolicyDiffers', fileTiers: newPolicy });
    expect((await manifestOf(bundled.modelId)).tiers).toEqual(bundled.tiers);
    await expect(importModel(JSON.stringify({ ...bundled, tiers: newPolicy }), modelOnnx, check, replacingBundled)).resolves.toMatchObject({
      installed: 'tierPolicyApplied',
      tierPolicyChanged: true,
    });
    expect((await manifestOf(bundled.modelId)).tiers).toEqual(newPolicy);
    expect(await owedRetiers()).toEqual([{ modelId: bundled.modelId, owedAt: expect.any(Number) }]);
    expect(checked).toBe(false);
    expect(await db.models.toCollection().primaryKeys()).toEqual(['team-model']);
    expect((await listModelVersions()).map((model) => model.id)).toEqual(['team-model', bundled.modelId]);
  });

  it("applies a value policy of an export with the thresholds its revenue and cost give, whatever the file says", async () => {
    const edited = { policy: { kind: 'value' as const, revenuePerConversion: 100, costPerContact: 10 }, hot: 0, warm: 0 };
    const own = { policy: edited.policy, hot: 0.1, warm: 0.05 };
    await expect(importModel(JSON.stringify({ ...teamModel, tiers: edited }), modelOnnx, passes, replacingBundled)).resolves.toEqual({
      installed: 'tierPolicyApplied',
      manifest: { ...teamModel, tiers: own },
      tierPolicyChanged: true,
      readingRecorded: false,
      thresholdsChosenAgain: null,
    });
    expect((await manifestOf('team-model')).tiers).toEqual(own);
    // The file with the right thresholds is the same policy: nothing changes.
    await expect(importModel(JSON.stringify({ ...teamModel, tiers: own }), modelOnnx, passes)).resolves.toMatchObject({ tierPolicyChanged: false });
  });

  it('refuses an export whose capacity policy asks more hot and warm leads a week than come in, keeping the policy in force', async () => {
    await setTiers('team-model', newPolicy);
    const tiers = { policy: { kind: 'capacity' as const, hotPerWeek: 80, warmPerWeek: 40, inflowPerWeek: 100 }, hot: 0.5, warm: 0.2 };
    await expect(importModel(JSON.stringify({ ...teamModel, tiers }), modelOnnx, passes)).rejects.toThrow(
      'Nothing was imported: the tier policy in manifest.json cannot be applied. Hot and warm leads worked per week (80 + 40) are more than the 100 new leads per week: the team cannot work more leads than come in.',
    );
    expect((await manifestOf('team-model')).tiers).toEqual(newPolicy);
  });

  // The bundled manifest.json as LeadLens shipped it before the reading's version was recorded (model.onnx the same bytes).
  const { derivedReadingVersion: _recorded, ...beforeReadingRecorded } = bundled;
  const hotter = (tiers: Tiers): Tiers => ({ ...tiers, hot: tiers.hot + 0.01 });

  it("applies the policy of the bundled model's export made by the previous LeadLens, whose manifest did not record the reading yet", async () => {
    vi.stubGlobal('fetch', async () => new Response(modelOnnx));
    const exported = { ...beforeReadingRecorded, tiers: hotter(bundled.tiers) };
    await expect(importModel(JSON.stringify(exported), modelOnnx, passes, replacingBundled)).resolves.toEqual({
      installed: 'tierPolicyApplied',
      manifest: { ...bundled, tiers: exported.tiers },
      tierPolicyChanged: true,
      readingRecorded: false,
      thresholdsChosenAgain: null,
    });
    expect((await manifestOf(bundled.modelId)).tiers).toEqual(exported.tiers);
    expect(await db.models.toCollection().primaryKeys()).toEqual(['team-model']);
  });

  it('applies the policy of a rebuild under the same id that records what the stored copy did not (the reading, the flags kept), which the copy then records too', async () => {
    const flags = [{ key: 'employees', reason: 'it is filled in for almost only one outcome' }];
    await db.models.update('team-model', { manifest: { ...beforeReadingRecorded, modelId: 'team-model' } });
    const rebuilt = { ...teamModel, tiers: newPolicy, provenance: { ...teamModel.provenance, leakageFlagsKept: flags } };
    const imported = await importModel(JSON.stringify(rebuilt), modelOnnx, passes, replacingBundled);
    expect(imported).toEqual({ installed: 'tierPolicyApplied', manifest: rebuilt, tierPolicyChanged: true, readingRecorded: true, thresholdsChosenAgain: null });
    expect(await manifestOf('team-model')).toEqual(rebuilt);
    // The stored manifest's own tiers stay as trained: the policy is kept apart from it.
    expect((await db.models.get('team-model'))?.manifest.tiers).toEqual(bundled.tiers);

    // An older export of it again: still that model, and its newer record stays.
    await expect(importModel(JSON.stringify({ ...beforeReadingRecorded, modelId: 'team-model', tiers: newPolicy }), modelOnnx, passes)).resolves.toMatchObject({
      tierPolicyChanged: false,
      readingRecorded: false,
    });
    expect(await manifestOf('team-model')).toEqual(rebuilt);
  });

  it('applies the policy of a rebuild whose leakage check could not run, and keeps the flags the stored copy records', async () => {
    const flags = [{ key: 'employees', reason: 'it is filled in for almost only one outcome' }];
    const storedCopy = { ...beforeReadingRecorded, modelId: 'team-model', provenance: { ...bundled.provenance, leakageFlagsKept: flags } };
    await db.models.update('team-model', { manifest: storedCopy });
    const rebuilt = { ...teamModel, tiers: newPolicy, provenance: { ...teamModel.provenance, leakageCheckNotRun: { reason: 'out of memory' } } };
    await expect(importModel(JSON.stringify(rebuilt), modelOnnx, passes, replacingBundled)).resolves.toMatchObject({ installed: 'tierPolicyApplied', tierPolicyChanged: true, readingRecorded: true });
    expect(await manifestOf('team-model')).toEqual({ ...storedCopy, derivedReadingVersion: bundled.derivedReadingVersion, tiers: newPolicy });
  });

  it("applies the policy of an export that says its leakage check ran where the stored copy's could not, and keeps the copy saying it did not: a file cannot show it ran", async () => {
    const flags = [{ key: 'employees', reason: 'it is filled in for almost only one outcome' }];
    const notRun = { ...teamModel, provenance: { ...bundled.provenance, leakageCheckNotRun: { reason: 'out of memory' } } };
    await db.models.update('team-model', { manifest: notRun });
    const checked = { ...teamModel, tiers: newPolicy, provenance: { ...teamModel.provenance, leakageFlagsKept: flags } };
    await expect(importModel(JSON.stringify(checked), modelOnnx, passes, replacingBundled)).resolves.toEqual({
      installed: 'tierPolicyApplied',
      manifest: { ...notRun, tiers: newPolicy },
      tierPolicyChanged: true,
      readingRecorded: false,
      thresholdsChosenAgain: null,
    });
    expect(await manifestOf('team-model')).toEqual({ ...notRun, tiers: newPolicy });
  });

  it('records from a hand-edited export no reading later than this LeadLens knows, and no warning taken away', async () => {
    const notRun = { ...bundled.provenance, leakageCheckNotRun: { reason: 'out of memory' } };
    const storedCopy = { ...beforeReadingRecorded, modelId: 'team-model', provenance: notRun };
    await db.models.update('team-model', { manifest: storedCopy });
    // Its export with the note deleted and the reading raised by hand.
    const edited = { ...teamModel, derivedReadingVersion: 9999 };
    await expect(importModel(JSON.stringify(edited), modelOnnx, passes)).resolves.toMatchObject({ installed: 'tierPolicyApplied', readingRecorded: true });
    expect(await manifestOf('team-model')).toEqual({ ...storedCopy, derivedReadingVersion: DERIVED_READING_VERSION });
  });

  it("applies the policy of an export that differs only in the labels of its rule's values, whose labels the stored copy then takes; an export with none keeps them", async () => {
    const rule = { field: 'lifecyclestage', positiveValues: ['1234567', 'customer'], source: 'hubspot' as const, settledAfterDays: 30 };
    const labels = { '1234567': 'Product Qualified Lead', customer: 'Customer' };
    // Trained while HubSpot did not answer; a colleague's training of the same history got the portal's labels.
    const storedCopy = { ...teamModel, outcomeRule: rule };
    await db.models.update('team-model', { manifest: storedCopy });
    const labelled = { ...storedCopy, outcomeRule: { ...rule, valueLabels: labels } };
    await expect(importModel(JSON.stringify({ ...labelled, tiers: newPolicy }), modelOnnx, passes, replacingBundled)).resolves.toEqual({
      installed: 'tierPolicyApplied',
      manifest: { ...labelled, tiers: newPolicy },
      tierPolicyChanged: true,
      readingRecorded: false,
      thresholdsChosenAgain: null,
    });
    expect(describeModelOutcome((await manifestOf('team-model')).outcomeRule!)).toBe('"Lifecycle stage" is Product Qualified Lead or Customer, for HubSpot leads');

    // The stored copy's own export from before: still that model, and the labels stay.
    await expect(importModel(JSON.stringify({ ...storedCopy, tiers: newPolicy }), modelOnnx, passes)).resolves.toMatchObject({ installed: 'tierPolicyApplied', tierPolicyChanged: false });
    expect(await manifestOf('team-model')).toEqual({ ...labelled, tiers: newPolicy });

    // Another rule, labelled or not, is another model.
    const otherRule = { ...rule, positiveValues: ['customer'], valueLabels: { customer: 'Customer' } };
    await expect(importModel(JSON.stringify({ ...storedCopy, outcomeRule: otherRule }), modelOnnx, passes)).rejects.toThrow(
      `Model team-model is already installed, and these files are another model under the same id: ${replaceIt}`,
    );
    expect(await manifestOf('team-model')).toEqual({ ...labelled, tiers: newPolicy });
  });

  it.each([
    ['another model.onnx', JSON.stringify(teamModel), new Uint8Array([...modelOnnx, 0])],
    ['another manifest', JSON.stringify({ ...teamModel, intercept: teamModel.intercept + 1, tiers: newPolicy }), modelOnnx],
  ])('refuses files with %s under its id, saying how to replace it, and keeps its policy', async (_what, manifestJson, onnx) => {
    await expect(importModel(manifestJson, onnx, passes)).rejects.toThrow(`Model team-model is already installed, and these files are another model under the same id: ${replaceIt}`);
    expect((await manifestOf('team-model')).tiers).toEqual(bundled.tiers);
    expect((await db.models.get('team-model'))?.onnx).toEqual(modelOnnx);
  });
});

/** `manifest` with each feature reading only `sources`' fields: the CLI without --features maps CSV columns alone. */
function readingOnly(manifest: Manifest, sources: (keyof FieldSources)[]): Manifest {
  const keep = (from: FieldSources): FieldSources => Object.fromEntries(sources.flatMap((source) => (from[source] ? [[source, from[source]]] : [])));
  const features = manifest.features.map((feature) => ({
    ...feature,
    derive: feature.derive.kind === 'ratio' ? { ...feature.derive, numerator: keep(feature.derive.numerator), denominator: keep(feature.derive.denominator) } : { ...feature.derive, from: keep(feature.derive.from) },
  }));
  return { ...manifest, features };
}

describe('a model that reads no field of a CRM', () => {
  const csvOnly = readingOnly({ ...bundled, modelId: 'csv-only' }, ['csv']);
  const howToMap = 'train it with --features SPEC.json, mapping each feature to its';
  const seeDocs = '(see "Training your own" in models/README.md; models/demo-features.json is an example).';

  it('is imported all the same (it scores CSV files), and listed saying it reads no Salesforce or HubSpot field and how to train one that does', async () => {
    const imported = await importModel(JSON.stringify(csvOnly), modelOnnx, passes);
    expect(imported).toEqual({ installed: 'added', manifest: csvOnly, thresholdsChosenAgain: null, writtenBackFieldsNote: null });
    const said =
      "csv-only reads no Salesforce or HubSpot field: it can only score CSV files (a CRM lead's badge says none of its fields could be read); " +
      `to score Salesforce or HubSpot leads, ${howToMap} Salesforce field and HubSpot property ${seeDocs}`;
    expect(crmFieldsNote(imported.manifest)).toBe(said);
    expect((await listModelVersions()).map(({ id, crmFieldsNote }) => [id, crmFieldsNote])).toEqual([
      ['csv-only', said],
      [bundled.modelId, null],
    ]);
  });

  it('says which CRM a model cannot score, and for a model trained here, to train one on that CRM\'s leads', () => {
    const salesforceOnly = readingOnly({ ...bundled, modelId: 'sf' }, ['salesforce', 'csv']);
    expect(crmFieldsNote(salesforceOnly)).toBe(
      `sf reads no HubSpot field: it cannot score HubSpot leads (their badges say none of their fields could be read); to score HubSpot leads, ${howToMap} HubSpot property ${seeDocs}`,
    );
    const trainedHere = { ...salesforceOnly, outcomeRule: { field: 'IsConverted', positiveValues: ['true'], source: 'salesforce' as const } };
    expect(crmFieldsNote(trainedHere)).toMatch(/^sf reads no HubSpot field: .*; to score HubSpot leads, train a model here on HubSpot leads\.$/);
    expect(crmFieldsNote(bundled)).toBeNull();
  });
});

/** `manifest` with the features labelled in `fields` reading the fields given there instead. */
function readingFields(manifest: Manifest, fields: Record<string, FieldSources>): Manifest {
  const features = manifest.features.map((feature) =>
    fields[feature.label] && feature.derive.kind !== 'ratio' ? { ...feature, derive: { ...feature.derive, from: fields[feature.label] } } : feature,
  );
  return { ...manifest, features };
}

describe('a model that reads a field LeadLens writes scores to', () => {
  const whatItDoes =
    'which LeadLens writes its scores to: it would score leads partly by the scores LeadLens wrote there before, not by facts about the leads. ' +
    'Write-back refuses to write scores to a field the active model reads, so while it is active ';
  const written = [
    { crm: 'salesforce', name: 'LeadLens_Tier__c' },
    { crm: 'hubspot', name: 'leadlens_score' },
  ] as const;
  beforeEach(async () => {
    for (const { crm, name } of written) await rememberWrittenBackFields(crm, [name]);
  });
  /** What the import of `manifest` says of the fields LeadLens writes scores to. */
  const noteOnImport = async (manifest: Manifest) => {
    const imported = await importModel(JSON.stringify(manifest), modelOnnx, passes);
    return imported.installed === 'added' ? imported.writtenBackFieldsNote : `not added: ${imported.installed}`;
  };

  it('is imported all the same, saying which field it reads, why that matters and what to do; listed saying so too', async () => {
    // Salesforce takes a field's API name in any case: an export or a hand-written spec may spell it otherwise.
    const colleagues = readingFields({ ...candidate, modelId: 'colleague-1' }, { 'Lead source': { salesforce: 'leadlens_tier__c', hubspot: 'hs_analytics_source' } });
    const said =
      `colleague-1 reads the Salesforce field "LeadLens_Tier__c" (for "Lead source"), ${whatItDoes}that field keeps the scores written last, if write-back still names it. ` +
      'Train a model here instead (training here leaves out the fields LeadLens writes to), or ask whoever made colleague-1 for a model that does not read it.';
    expect(await noteOnImport(colleagues)).toBe(said);
    expect((await listModelVersions()).map(({ id, writtenBackFieldsNote }) => [id, writtenBackFieldsNote])).toEqual([
      ['colleague-1', said],
      [bundled.modelId, null],
    ]);
  });

  it('names every such field, of either CRM, with the features that read it', async () => {
    const both = readingFields(
      { ...candidate, modelId: 'both' },
      { 'Lead source': { salesforce: 'LeadLens_Tier__c', hubspot: 'leadlens_score' }, 'Annual revenue': { salesforce: 'AnnualRevenue', hubspot: 'leadlens_score' } },
    );
    expect(await noteOnImport(both)).toBe(
      'both reads the Salesforce field "LeadLens_Tier__c" (for "Lead source") and the HubSpot property "leadlens_score" (for "Lead source" and "Annual revenue"), ' +
      `${whatItDoes}those fields keep the scores written last, if write-back still names them. ` +
      'Train a model here instead (training here leaves out the fields LeadLens writes to), or ask whoever made both for a model that does not read them.',
    );
  });

  it('says nothing of a model that reads none of them, nor of one reading a HubSpot property of another case (another property)', async () => {
    expect(await noteOnImport(candidate)).toBeNull();
    const otherCase = readingFields({ ...candidate, modelId: 'other-case' }, { 'Lead source': { salesforce: 'LeadSource', hubspot: 'LeadLens_Score' } });
    expect(await noteOnImport(otherCase)).toBeNull();
    expect((await listModelVersions()).map(({ writtenBackFieldsNote }) => writtenBackFieldsNote)).toEqual([null, null, null]);
  });

  it.each([
    [{ salesforce: 'LEADLENS_TIER__C' }, true],
    [{ hubspot: 'leadlens_score' }, true],
    [{ hubspot: 'LeadLens_Score' }, false],
    [{ salesforce: 'LeadSource', csv: 'LeadLens_Tier__c' }, false],
  ])('is noted exactly when write-back would refuse those fields with it active (one test decides both): reading %o, %s', (from, noted) => {
    const manifest = readingFields(candidate, { 'Lead source': from });
    const targets = written.map(({ crm, name }) => WriteBackTargetSchema.parse({ crm, scoreField: null, tierField: name, reasonField: null }));
    expect(targets.some((target) => modelInputRefusal(target, manifest.features) !== null)).toBe(noted);
    expect(writtenBackFieldsNote(manifest, written) !== null).toBe(noted);
  });
});

describe('listModelVersions', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads each model once: its notes come from the manifest read to list it, not from reading the model and its tier policy again', async () => {
    const csvOnly = readingOnly({ ...bundled, modelId: 'csv-only' }, ['csv']);
    await storeModel(csvOnly, modelOnnx, 'imported');
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([9]), 'trained');
    const modelReads = vi.spyOn(db.models, 'get');
    const settingReads = vi.spyOn(db.settings, 'get');
    const versions = await listModelVersions();
    expect(versions.map(({ id, crmFieldsNote: note }) => [id, note])).toEqual([
      ['trained-1', null],
      ['csv-only', crmFieldsNote(csvOnly)],
      [bundled.modelId, null],
    ]);
    expect(modelReads).not.toHaveBeenCalled();
    const tierPolicyReads = settingReads.mock.calls.map(([key]) => String(key)).filter((key) => key.startsWith('tiers:'));
    expect(tierPolicyReads.sort()).toEqual(['tiers:csv-only', 'tiers:trained-1', `tiers:${bundled.modelId}`].sort());
  });
});

describe('addCheckedModel (a model trained here)', () => {
  const trained = { ...bundled, modelId: 'ebm-0123456789abcdef' };

  it('keeps a trained model out of the list and unactivatable until its check passes', async () => {
    let listedDuringCheck: string[] = [];
    let activationDuringCheck: unknown;
    await addCheckedModel(trained, modelOnnx, 'trained', async () => {
      listedDuringCheck = (await listModelVersions()).map((model) => model.id);
      activationDuringCheck = await activateModel(trained.modelId).catch((error: unknown) => error);
      return { ok: true as const };
    });
    expect(listedDuringCheck).toEqual([bundled.modelId]);
    expect(String(activationDuringCheck)).toMatch(/has not passed its check yet/);
    expect((await listModelVersions()).find((model) => model.id === trained.modelId)?.origin).toBe('trained');
  });

  it('does not keep a trained model that fails its check, and says so', async () => {
    await expect(addCheckedModel(trained, modelOnnx, 'trained', fails)).rejects.toThrow(/did not pass its check and was not kept: .*protobuf/);
    expect(await db.models.count()).toBe(0);
    expect(await activeModelId()).toBe(bundled.modelId);
  });
});

describe('keepHeldOutScores', () => {
  const syncedLead = (id: string) => storedLead({ source: 'salesforce', id, origin: 'sync' });
  beforeEach(() => Promise.all([...db.leadTables, db.heldOutScores].map((table) => table.clear())));

  it('keeps a trained model’s held-out logits and cross-fitted probabilities beside its held-out probabilities, replacing what was kept before', async () => {
    await db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' }), storedLead({ source: 'csv', id: '2', origin: 'csv' })]);
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([9]), 'trained');
    // Kept by an older LeadLens: probabilities alone.
    await db.heldOutScores.put({ modelId: 'trained-1', leadKeys: ['csv|1'], probabilities: Float64Array.of(0.6) });
    const heldOut = { leadKeys: ['csv|1', 'csv|2'], probabilities: Float64Array.of(0.25, 0.25), logits: Float64Array.of(-1.5, -0.5), crossFittedProbabilities: Float64Array.of(0.2, 0.3) };
    await keepHeldOutScores('trained-1', heldOut);
    expect(await db.heldOutScores.get('trained-1')).toEqual({ modelId: 'trained-1', ...heldOut });
  });

  it('keeps no key of a lead a sync removed between the training’s read and Activate (a GDPR erasure leaves no trace)', async () => {
    await db.putLeads(['A', 'B', 'C'].map(syncedLead));
    // The training read A, B and C; then an hourly sync reads the CRM's deletion of B, and takes it out of every model's held-out scores.
    const heldOut = { leadKeys: ['salesforce|A', 'salesforce|B', 'salesforce|C'], probabilities: Float64Array.of(0.3, 0.6, 0.9), logits: Float64Array.of(-0.8, 0.4, 2.2), crossFittedProbabilities: Float64Array.of(0.35, 0.55, 0.85) };
    const finished = (removed: number) => ({ ...INITIAL_SYNC_STATE, status: 'done' as const, lastRun: { synced: 0, removed, finishedAt: 1, seconds: 0 } });
    await dexieSyncStore(db).finishSync('salesforce', { kind: 'deleted-since', coveredTo: 1000, records: [{ id: 'B', deletedAt: 300 }] }, finished);
    // The admin presses Activate on the training's report.
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([9]), 'trained');
    await keepHeldOutScores('trained-1', heldOut);
    // A and C keep their own probability, logit and cross-fitted probability.
    expect(await db.heldOutScores.get('trained-1')).toEqual({ modelId: 'trained-1', leadKeys: ['salesforce|A', 'salesforce|C'], probabilities: Float64Array.of(0.3, 0.9), logits: Float64Array.of(-0.8, 2.2), crossFittedProbabilities: Float64Array.of(0.35, 0.85) });
  });
});

describe('recordNewerReading (a model trained again to the same id)', () => {
  const { derivedReadingVersion: _recorded, ...olderReading } = { ...bundled, modelId: 'trained-1' };
  const flags = [{ key: 'employees', reason: 'it is filled in for almost only one outcome' }];
  const retrained: Manifest = { ...bundled, modelId: 'trained-1', provenance: { ...bundled.provenance, leakageFlagsKept: flags } };

  it("raises the stored copy's reading to the new training's, with the flags that training kept, leaving the rest (its tiers among it) as stored", async () => {
    const trainedTiers = { ...bundled.tiers, hot: 0.5 };
    await storeModel({ ...olderReading, tiers: trainedTiers }, modelOnnx, 'trained');
    const policy = { policy: { kind: 'fixed' as const }, hot: 0.7, warm: 0.3 };
    await setTiers('trained-1', policy);
    expect(await recordNewerReading('trained-1', retrained)).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest).toEqual({ ...retrained, tiers: trainedTiers });
    expect((await manifestOf('trained-1')).tiers).toEqual(policy);
  });

  it('drops flags an older training kept when the newer one kept none', async () => {
    await storeModel({ ...olderReading, provenance: { ...bundled.provenance, leakageFlagsKept: flags } }, modelOnnx, 'trained');
    expect(await recordNewerReading('trained-1', { ...retrained, provenance: bundled.provenance })).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest).toEqual({ ...bundled, modelId: 'trained-1' });
  });

  it('keeps what the stored copy records of leakage (its flags, or its own check not run) when the newer training\'s check could not run', async () => {
    const notRun = (reason: string) => ({ ...bundled.provenance, leakageCheckNotRun: { reason } });
    await storeModel({ ...olderReading, provenance: { ...bundled.provenance, leakageFlagsKept: flags } }, modelOnnx, 'trained');
    expect(await recordNewerReading('trained-1', { ...retrained, provenance: notRun('out of memory') })).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest).toEqual(retrained);

    await storeModel({ ...olderReading, provenance: notRun('an older failure') }, modelOnnx, 'trained');
    expect(await recordNewerReading('trained-1', { ...retrained, provenance: notRun('out of memory') })).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest).toEqual({ ...bundled, modelId: 'trained-1', provenance: notRun('an older failure') });
  });

  it('records that the check ran when the newer training\'s did, with the flags it kept', async () => {
    await storeModel({ ...olderReading, provenance: { ...bundled.provenance, leakageCheckNotRun: { reason: 'out of memory' } } }, modelOnnx, 'trained');
    expect(await recordNewerReading('trained-1', retrained)).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest).toEqual(retrained);
  });

  it("records that the check ran when the stored copy's could not, whatever the reading of the training that ran it", async () => {
    const notRun = { ...bundled.provenance, leakageCheckNotRun: { reason: 'out of memory' } };
    // Trained again with the same reading: its flags replace the note.
    await storeModel({ ...bundled, modelId: 'trained-1', provenance: notRun }, modelOnnx, 'trained');
    expect(await recordNewerReading('trained-1', retrained)).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest).toEqual(retrained);
    expect(await recordNewerReading('trained-1', retrained)).toBe(false);

    // A check that ran and flagged nothing: no flags, no note.
    await storeModel({ ...bundled, modelId: 'trained-1', provenance: notRun }, modelOnnx, 'trained');
    expect(await recordNewerReading('trained-1', { ...retrained, provenance: bundled.provenance })).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest).toEqual({ ...bundled, modelId: 'trained-1' });

    // Run with an older reading than the one recorded: the recorded reading stays.
    const newerReading = bundled.derivedReadingVersion! + 1;
    await storeModel({ ...bundled, modelId: 'trained-1', derivedReadingVersion: newerReading, provenance: notRun }, modelOnnx, 'trained');
    expect(await recordNewerReading('trained-1', retrained)).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest).toEqual({ ...retrained, derivedReadingVersion: newerReading });

    // A manifest recording no reading was written before LeadLens said whether its check ran: the note stays.
    await storeModel({ ...bundled, modelId: 'trained-1', provenance: notRun }, modelOnnx, 'trained');
    const { derivedReadingVersion: _none, ...recordsNoReading } = retrained;
    expect(await recordNewerReading('trained-1', recordsNoReading)).toBe(false);
    expect((await db.models.get('trained-1'))?.manifest.provenance).toEqual(notRun);
  });

  it('from an imported file, keeps the flags the stored copy records and adds the file\'s, and keeps its check not run', async () => {
    const otherFlag = { key: bundled.features.find((feature) => feature.key !== 'employees')!.key, reason: 'it is filled in for almost only one outcome' };
    await storeModel({ ...olderReading, provenance: { ...bundled.provenance, leakageFlagsKept: flags } }, modelOnnx, 'imported');
    expect(await recordNewerReading('trained-1', { ...retrained, provenance: bundled.provenance }, 'importedFile')).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest).toEqual(retrained);

    await storeModel({ ...olderReading, provenance: { ...bundled.provenance, leakageFlagsKept: flags } }, modelOnnx, 'imported');
    expect(await recordNewerReading('trained-1', { ...retrained, provenance: { ...bundled.provenance, leakageFlagsKept: [otherFlag] } }, 'importedFile')).toBe(true);
    expect((await db.models.get('trained-1'))?.manifest.provenance.leakageFlagsKept).toEqual([...flags, otherFlag]);

    const notRun = { ...bundled.provenance, leakageCheckNotRun: { reason: 'out of memory' } };
    await storeModel({ ...bundled, modelId: 'trained-1', provenance: notRun }, modelOnnx, 'imported');
    expect(await recordNewerReading('trained-1', retrained, 'importedFile')).toBe(false);
    expect((await db.models.get('trained-1'))?.manifest.provenance).toEqual(notRun);
  });

  describe("the labels the CRM's pages show for the outcome rule's values (they describe the rule, and are no part of the id)", () => {
    const rule = { field: 'lifecyclestage', positiveValues: ['1234567', 'customer'], source: 'hubspot' as const, settledAfterDays: 30 };
    const labels = { '1234567': 'Product Qualified Lead', customer: 'Customer' };
    const described = async () => describeModelOutcome((await manifestOf('trained-1')).outcomeRule!);

    it('describes the rule by the labels of a training again, over none or those of before a stage was renamed, and nothing else of the copy changes', async () => {
      // Trained first while HubSpot did not answer (or by a LeadLens before labels were recorded), with the same reading.
      const firstTrained = { ...bundled, modelId: 'trained-1', outcomeRule: rule };
      await storeModel(firstTrained, modelOnnx, 'trained');
      expect(await recordNewerReading('trained-1', { ...firstTrained, outcomeRule: { ...rule, valueLabels: labels } })).toBe(true);
      expect((await db.models.get('trained-1'))?.manifest).toEqual({ ...firstTrained, outcomeRule: { ...rule, valueLabels: labels } });
      expect(await described()).toBe('"Lifecycle stage" is Product Qualified Lead or Customer, for HubSpot leads');

      // The admin renamed the stage since: the labels of the training after it, whole.
      expect(await recordNewerReading('trained-1', { ...firstTrained, outcomeRule: { ...rule, valueLabels: { '1234567': 'Product Qualified' } } })).toBe(true);
      expect(await described()).toBe('"Lifecycle stage" is Product Qualified or customer, for HubSpot leads');
      // The same labels again record nothing.
      expect(await recordNewerReading('trained-1', { ...firstTrained, outcomeRule: { ...rule, valueLabels: { '1234567': 'Product Qualified' } } })).toBe(false);
    });

    it('keeps the labels recorded when a training again has none (HubSpot did not answer this time), with its newer reading', async () => {
      const labelled = { ...bundled, modelId: 'trained-1', outcomeRule: { ...rule, valueLabels: labels } };
      await storeModel(labelled, modelOnnx, 'trained');
      expect(await recordNewerReading('trained-1', { ...labelled, outcomeRule: rule })).toBe(false);
      expect((await db.models.get('trained-1'))?.manifest).toEqual(labelled);
      await storeModel({ ...olderReading, outcomeRule: { ...rule, valueLabels: labels } }, modelOnnx, 'trained');
      expect(await recordNewerReading('trained-1', { ...retrained, outcomeRule: rule })).toBe(true);
      expect((await db.models.get('trained-1'))?.manifest).toEqual({ ...retrained, outcomeRule: { ...rule, valueLabels: labels } });
    });

    it('takes the labels of the same rule with its values ticked in another order, and no empty labels over those recorded', async () => {
      const firstTrained = { ...bundled, modelId: 'trained-1', outcomeRule: rule };
      await storeModel(firstTrained, modelOnnx, 'trained');
      const reordered = { ...rule, positiveValues: [...rule.positiveValues].reverse(), valueLabels: labels };
      expect(await recordNewerReading('trained-1', { ...firstTrained, outcomeRule: reordered })).toBe(true);
      expect(await described()).toBe('"Lifecycle stage" is Product Qualified Lead or Customer, for HubSpot leads');
      expect(await recordNewerReading('trained-1', { ...firstTrained, outcomeRule: { ...rule, valueLabels: {} } })).toBe(false);
      expect(await described()).toBe('"Lifecycle stage" is Product Qualified Lead or Customer, for HubSpot leads');
    });

    it("takes no labels of another rule that trained the same model (a value no lead holds), which would label values the stored rule has not", async () => {
      const firstTrained = { ...bundled, modelId: 'trained-1', outcomeRule: rule };
      await storeModel(firstTrained, modelOnnx, 'trained');
      const otherRule = { ...rule, positiveValues: [...rule.positiveValues, 'evangelist'], valueLabels: { ...labels, evangelist: 'Evangelist' } };
      expect(await recordNewerReading('trained-1', { ...firstTrained, outcomeRule: otherRule })).toBe(false);
      expect((await db.models.get('trained-1'))?.manifest).toEqual(firstTrained);
    });
  });

  it('records nothing over a reading as new or newer, for a manifest that records none, nor for a model not stored', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1', derivedReadingVersion: bundled.derivedReadingVersion! + 1 }, modelOnnx, 'trained');
    expect(await recordNewerReading('trained-1', retrained)).toBe(false);
    await storeModel({ ...bundled, modelId: 'trained-1' }, modelOnnx, 'trained');
    expect(await recordNewerReading('trained-1', retrained)).toBe(false);
    await storeModel(olderReading, modelOnnx, 'trained');
    const { derivedReadingVersion: _none, ...recordsNone } = retrained;
    expect(await recordNewerReading('trained-1', recordsNone)).toBe(false);
    expect((await db.models.get('trained-1'))?.manifest).toEqual(olderReading);
    // The bundled model is read from the package.
    expect(await recordNewerReading(bundled.modelId, retrained)).toBe(false);
    expect(await db.models.count()).toBe(1);
  });
});

describe('activateModel and rollBack', () => {
  it('remembers the model it replaced and goes back to it', async () => {
    await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([9]), 'trained');
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
    await storeModel({ ...bundled, modelId: 'trained-1' }, bytes, 'trained');
    const policy = { policy: { kind: 'capacity' as const, hotPerWeek: 5, warmPerWeek: 15, inflowPerWeek: 200 }, hot: 0.61, warm: 0.33 };
    expect(policy).not.toEqual(bundled.tiers);
    await setTiers('trained-1', policy);
    const exported = await exportFiles('trained-1');
    expect(JSON.parse(exported.manifestJson)).toEqual({ ...bundled, modelId: 'trained-1', tiers: policy });
    expect(exported.onnx).toEqual(bytes);
  });
});

describe('exportFiles after a tier policy is applied to a model trained here', () => {
  // Trained with the default capacity policy; a value policy applied since counts its leads cross-fitted (`countedProbabilities`).
  const trained = trainModel({ records: weakSignalLeads(1000), target: 'converted', now: new Date(Date.UTC(2026, 0, 1)) });
  const { modelId } = trained.manifest;
  const heldOutLeads = { labels: trained.labels, probabilities: trained.heldOutProbabilities, crossFitted: trained.heldOutCrossFittedProbabilities };
  const valuePolicy = { kind: 'value' as const, revenuePerConversion: 1000, costPerContact: 200 };
  const applied = { policy: valuePolicy, ...tierThresholds(valuePolicy, new Uint8Array(0), new Float64Array(0)) };
  const countedAt = (threshold: number) => ({ threshold, ...confusionAt(trained.labels, trained.heldOutCrossFittedProbabilities, threshold) });
  beforeEach(async () => {
    await storeModel(trained.manifest, trained.onnx, 'trained');
    expect(applied.hot).not.toBe(trained.manifest.tiers.hot);
    await setTiers(modelId, applied);
  });

  it('counts its held-out tiers again at the thresholds it ships, from the leads it learnt from, so its model card agrees with them', async () => {
    const exported = JSON.parse((await exportFiles(modelId, heldOutLeads)).manifestJson);
    expect(exported.tiers).toEqual(applied);
    expect(exported.metrics.tierConfusion).toEqual({ hot: countedAt(applied.hot), warm: countedAt(applied.warm) });
    const card = renderModelCard(exported);
    expect(card).toContain(`| hot ≥ ${formatThreshold(applied.hot)} |`);
    expect(card).toContain("The thresholds come from the value policy's revenue and cost alone");
    expect(card).not.toContain('thresholds the model was trained with');
    // The rest as trained, and the stored copy too.
    expect({ ...exported, metrics: { ...exported.metrics, tierConfusion: undefined } }).toEqual(
      JSON.parse(JSON.stringify({ ...trained.manifest, tiers: applied, metrics: { ...trained.manifest.metrics, tierConfusion: undefined } })),
    );
    expect((await db.models.get(modelId))?.manifest.metrics.tierConfusion).toEqual(trained.manifest.metrics.tierConfusion);
  });

  it('keeps the counts of its training, each at its threshold, when the leads kept are not those it was trained on any more (an outcome changed since)', async () => {
    const changed = Uint8Array.from(trained.labels);
    changed[changed.indexOf(1)] = 0;
    const exported = JSON.parse((await exportFiles(modelId, { ...heldOutLeads, labels: changed })).manifestJson);
    expect(exported.metrics.tierConfusion).toEqual(trained.manifest.metrics.tierConfusion);
    expect(renderModelCard(exported)).toContain('Held-out leads at the thresholds the model was trained with (called = probability ≥ threshold), not at the tiers it ships');
    // And without the cross-fitted probabilities a value policy counts by (kept by an older LeadLens).
    const olderKept = JSON.parse((await exportFiles(modelId, { labels: trained.labels, probabilities: trained.heldOutProbabilities })).manifestJson);
    expect(olderKept.metrics.tierConfusion).toEqual(trained.manifest.metrics.tierConfusion);
  });

  it('is imported back as the model it is, with the thresholds applied: into the browser it was exported from, and into another', async () => {
    const { manifestJson, onnx } = await exportFiles(modelId, heldOutLeads);
    await expect(importModel(manifestJson, onnx, passes)).resolves.toMatchObject({ installed: 'tierPolicyApplied', tierPolicyChanged: false, thresholdsChosenAgain: null });
    expect((await manifestOf(modelId)).tiers).toEqual(applied);
    await deleteModel(modelId);
    await expect(importModel(manifestJson, onnx, passes)).resolves.toMatchObject({ installed: 'added', thresholdsChosenAgain: null });
    const imported = await manifestOf(modelId);
    expect(imported.tiers).toEqual(applied);
    expect(imported.metrics.tierConfusion).toEqual(JSON.parse(manifestJson).metrics.tierConfusion);
  });
});

describe('setTiersIfUnchanged', () => {
  const applied = { policy: { kind: 'fixed' as const }, hot: 0.4, warm: 0.2 };
  const elsewhere = { policy: { kind: 'value' as const, revenuePerConversion: 500, costPerContact: 25 }, hot: 0.05, warm: 0.025 };
  const unchangedSince = (read: Manifest['tiers']) => (inForce: Manifest['tiers']) => JSON.stringify(inForce) === JSON.stringify(read);

  it('puts the tiers in force while those in force are the ones read', async () => {
    await expect(setTiersIfUnchanged(bundled.modelId, applied, unchangedSince(bundled.tiers))).resolves.toBe(true);
    expect((await manifestOf(bundled.modelId)).tiers).toEqual(applied);
  });

  it('puts nothing in force over tiers put in force since they were read (another tab’s Apply)', async () => {
    await setTiers(bundled.modelId, elsewhere);
    await expect(setTiersIfUnchanged(bundled.modelId, applied, unchangedSince(bundled.tiers))).resolves.toBe(false);
    expect((await manifestOf(bundled.modelId)).tiers).toEqual(elsewhere);
  });
});

/**
 * A trained model takes the tier policy in force at its activation: read and written in one
 * transaction, and one applied to the model it replaced between that read and the switch is taken
 * after it, unless a policy was applied to the new model itself since, or it is no longer active.
 */
describe('takePolicyInForce and takePolicyAppliedSince (a model trained here, as it is activated)', () => {
  const VALUE: Tiers = { policy: { kind: 'value', revenuePerConversion: 5000, costPerContact: 40 }, hot: 0.3, warm: 0.1 };
  const CAPACITY: Tiers = { policy: { kind: 'capacity', hotPerWeek: 25, warmPerWeek: 50, inflowPerWeek: 400 }, hot: 0.42, warm: 0.17 };
  /** The capacity policy on the sixteen held-out leads below: the top 1/16 hot (80 %), the top 3/16 worked (70 % and more), each threshold just under its lead. */
  const CAPACITY_ON_THE_NEW_MODEL: Tiers = { ...CAPACITY, hot: 0.8 - CUT_MARGIN, warm: 0.7 - CUT_MARGIN };
  const FIXED: Tiers = { policy: { kind: 'fixed' }, hot: 0.6, warm: 0.2 };
  const manifest: Manifest = { ...bundled, modelId: 'trained-1', tiers: VALUE };
  const model: TrainedModel = { modelId: manifest.modelId, tiers: VALUE, heldOutProbabilities: Float64Array.from({ length: 16 }, (_, i) => (i + 1) / 20) };

  /** A record page's score of `modelId`, cached under the tiers it had then. */
  const cachedScoreOf = (modelId: string) => ({ key: `${modelId}|salesforce|00Q000000000001`, fieldsHash: 'h', lead: { tier: 'warm' } as never, scoredAt: Date.now() });

  beforeEach(async () => {
    await db.scores.clear();
    await storeModel(manifest, new Uint8Array(), 'trained');
    await setTiers(bundled.modelId, VALUE);
  });

  it('keeps the trained thresholds when the policy in force is the one it was trained with, and carries the figures it was applied with', async () => {
    await keepPolicyFigures(bundled.modelId, { revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 300 });
    expect(await takePolicyInForce(model)).toEqual({ replacedId: bundled.modelId, inForce: VALUE, applied: null });
    expect((await manifestOf(model.modelId)).tiers).toEqual(VALUE);
    expect(await policyFiguresOf(model.modelId)).toEqual({ revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 300 });
  });

  it('puts its trained thresholds in force over a policy applied to a model of its id before (trained again to the same id)', async () => {
    // Earlier: this id was active, the admin applied a fixed policy to it, a record page cached its score, then a roll back.
    await setTiers(model.modelId, FIXED);
    await db.scores.bulkPut([cachedScoreOf(model.modelId), cachedScoreOf(bundled.modelId)]);
    const taken = await takePolicyInForce(model);
    expect(taken).toEqual({ replacedId: bundled.modelId, inForce: VALUE, applied: null });
    expect((await manifestOf(model.modelId)).tiers).toEqual(VALUE);
    // Its badges score again with these tiers, not the fixed policy's for up to a day.
    expect(await db.scores.toCollection().primaryKeys()).toEqual([cachedScoreOf(bundled.modelId).key]);
    // So a policy applied to the replaced model between the read and the switch is given to it too.
    await setTiers(bundled.modelId, CAPACITY);
    await activateModel(model.modelId);
    expect(await takePolicyAppliedSince(model, taken)).toEqual(CAPACITY_ON_THE_NEW_MODEL);
  });

  it("keeps the thresholds in force, and its cached scores, when the active model is trained again to its own id (Tier policy chose them on the stored leads)", async () => {
    const trainedWithCapacity: TrainedModel = { ...model, modelId: 'trained-2', tiers: CAPACITY };
    await storeModel({ ...manifest, modelId: 'trained-2', tiers: CAPACITY }, new Uint8Array(), 'trained');
    await activateModel('trained-2');
    const onStoredLeads: Tiers = { ...CAPACITY, hot: 0.55, warm: 0.25 };
    await setTiers('trained-2', onStoredLeads);
    await db.scores.put(cachedScoreOf('trained-2'));
    // The same history and settings train the same model: the reading of its fields changed, or the admin trained it again.
    const taken = await takePolicyInForce(trainedWithCapacity);
    expect(taken).toEqual({ replacedId: 'trained-2', inForce: onStoredLeads, applied: null });
    expect((await manifestOf('trained-2')).tiers).toEqual(onStoredLeads);
    expect(await db.scores.count()).toBe(1);
    // Applied to it again under Tier policy while it was activated: in force already, not replaced.
    const appliedAgain: Tiers = { ...CAPACITY, hot: 0.6, warm: 0.3 };
    await setTiers('trained-2', appliedAgain);
    expect(await takePolicyAppliedSince(trainedWithCapacity, taken)).toBeNull();
    expect((await manifestOf('trained-2')).tiers).toEqual(appliedAgain);
  });

  it('gives the model a policy applied to the replaced model between the read and the switch, owing its stored scores a re-tiering', async () => {
    await setTiers(bundled.modelId, CAPACITY);
    const taken = await takePolicyInForce(model);
    expect(taken.applied).toEqual(CAPACITY_ON_THE_NEW_MODEL);
    // Another tab, which still showed the bundled model active, applies a fixed policy to it; then the switch.
    await setTiers(bundled.modelId, FIXED);
    await activateModel(model.modelId);
    expect(await takePolicyAppliedSince(model, taken)).toEqual(FIXED);
    expect((await manifestOf(model.modelId)).tiers).toEqual(FIXED);
    expect((await owedRetiers()).map((owed) => owed.modelId)).toEqual([model.modelId]);
  });

  it('takes nothing after the switch when the policy in force did not change, when one was applied to the new model itself since, or when it is no longer active', async () => {
    const taken = await takePolicyInForce(model);
    await activateModel(model.modelId);
    expect(await takePolicyAppliedSince(model, taken)).toBeNull();

    // Applied to the replaced model, and to the new one (the admin's Tier policy, on the model now active): that one stays.
    await setTiers(bundled.modelId, FIXED);
    await setTiers(model.modelId, CAPACITY_ON_THE_NEW_MODEL);
    expect(await takePolicyAppliedSince(model, taken)).toBeNull();
    expect((await manifestOf(model.modelId)).tiers).toEqual(CAPACITY_ON_THE_NEW_MODEL);

    // Another model was activated since.
    await setTiers(model.modelId, VALUE);
    await activateModel(bundled.modelId);
    expect(await activeModelId()).toBe(bundled.modelId);
    expect(await takePolicyAppliedSince(model, taken)).toBeNull();
    expect((await manifestOf(model.modelId)).tiers).toEqual(VALUE);
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
