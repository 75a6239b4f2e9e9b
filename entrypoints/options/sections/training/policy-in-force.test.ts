/**
 * A trained model takes the tier policy in force at its activation: read and written in one
 * transaction, and one applied to the model it replaced between that read and the switch is taken
 * after it, unless a policy was applied to the new model itself since, or it is no longer active.
 */
import 'fake-indexeddb/auto';
import { beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db/db';
import { owedRetier } from '@/lib/jobs/progress';
import { bundledModel } from '@/lib/ml/bundled-model';
import type { Manifest, Tiers } from '@/lib/ml/manifest';
import { activeModelId, manifestOf, setTiers } from '@/lib/ml/model-store';
import { activateModel } from '@/lib/ml/model-versions';
import { keepPolicyFigures, policyFiguresOf } from '@/lib/ml/policy-figures';
import { storeModel } from '@/test/fixtures/stored-model';
import { takePolicyAppliedSince, takePolicyInForce, type TrainedModel } from './policy-in-force';

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();
const VALUE: Tiers = { policy: { kind: 'value', revenuePerConversion: 5000, costPerContact: 40 }, hot: 0.3, warm: 0.1 };
const CAPACITY: Tiers = { policy: { kind: 'capacity', hotPerWeek: 25, warmPerWeek: 50, inflowPerWeek: 400 }, hot: 0.42, warm: 0.17 };
/** The capacity policy on the sixteen held-out leads below: the top 1/16 hot (80 %), the top 3/16 worked (70 % and more). */
const CAPACITY_ON_THE_NEW_MODEL: Tiers = { ...CAPACITY, hot: 0.8, warm: 0.7 };
const FIXED: Tiers = { policy: { kind: 'fixed' }, hot: 0.6, warm: 0.2 };
const manifest: Manifest = { ...bundled, modelId: 'trained-1', tiers: VALUE };
const model: TrainedModel = { modelId: manifest.modelId, tiers: VALUE, heldOutProbabilities: Float64Array.from({ length: 16 }, (_, i) => (i + 1) / 20) };

beforeEach(async () => {
  await db.settings.clear();
  await db.models.clear();
  await storeModel(manifest, new Uint8Array(), 'trained');
  await setTiers(bundled.modelId, VALUE);
});

it('keeps the trained thresholds when the policy in force is the one it was trained with, and carries the figures it was applied with', async () => {
  await keepPolicyFigures(bundled.modelId, { revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 300 });
  expect(await takePolicyInForce(model)).toEqual({ replacedId: bundled.modelId, inForce: VALUE, applied: null });
  expect((await manifestOf(model.modelId)).tiers).toEqual(VALUE);
  expect(await policyFiguresOf(model.modelId)).toEqual({ revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 300 });
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
  expect((await owedRetier())?.modelId).toBe(model.modelId);
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
