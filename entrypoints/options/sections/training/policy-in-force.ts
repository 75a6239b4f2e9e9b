/**
 * The tier policy a model trained here takes as it is activated: the one in force then, not the one
 * it was trained with. Tier policy may apply another while it trains (minutes), or in another tab
 * while its activation checks it (seconds); it takes that one, its thresholds chosen on its held-out
 * leads, as the trainer chose them.
 */
import { db } from '@/lib/db/db';
import type { Tiers } from '@/lib/ml/manifest';
import { activeManifest, activeModelId, manifestOf, setTiers } from '@/lib/ml/model-store';
import { setTiersIfUnchanged } from '@/lib/ml/model-versions';
import { carryPolicyFigures } from '@/lib/ml/policy-figures';
import { applyPolicyOn, sameTierPolicy } from '@/lib/ml/tier-policy';

export interface TrainedModel {
  modelId: string;
  /** The tiers it was trained with. */
  tiers: Tiers;
  /** Its held-out leads' probabilities, which a value or capacity policy's thresholds are chosen on. */
  heldOutProbabilities: Float64Array;
}

/** What `takePolicyInForce` read and wrote. */
export interface PolicyTaken {
  /** The active model it replaces, and its tiers as they were read. */
  replacedId: string;
  inForce: Tiers;
  /** The tiers it was given; null when it keeps its own (trained with the policy in force). */
  applied: Tiers | null;
}

/** `inForce`'s policy as `model` takes it, or null when it was trained with that policy. */
const policyFor = (model: TrainedModel, inForce: Tiers): Tiers | null =>
  sameTierPolicy(inForce, model.tiers) ? null : applyPolicyOn(inForce, model.heldOutProbabilities);

const sameTiers = (a: Tiers, b: Tiers) => sameTierPolicy(a, b) && a.hot === b.hot && a.warm === b.warm;

/**
 * Gives `model` the tier policy in force, with the figures it was applied with (the form reopens
 * with them). Read and written in one transaction: no Apply lands between the two. Called just
 * before the switch, which scores the stored leads with it.
 */
export async function takePolicyInForce(model: TrainedModel): Promise<PolicyTaken> {
  return db.transaction('rw', [db.models, db.settings], async () => {
    const replaced = await activeManifest();
    const applied = policyFor(model, replaced.tiers);
    if (applied) await setTiers(model.modelId, applied);
    await carryPolicyFigures([replaced.modelId], model.modelId);
    return { replacedId: replaced.modelId, inForce: replaced.tiers, applied };
  });
}

/**
 * After the switch: a policy applied to the model `model` replaced since `takePolicyInForce` read
 * it (another tab's Tier policy, which still showed that model active) is given to `model` too,
 * as it would have been had it landed before. Not once `model` is no longer the active one, nor
 * over a policy applied to `model` itself since (compared and saved in one transaction, its
 * stored scores then owed a re-tiering). Resolves with the tiers given, or null.
 */
export async function takePolicyAppliedSince(model: TrainedModel, taken: PolicyTaken): Promise<Tiers | null> {
  return db.transaction('rw', [db.models, db.settings], async () => {
    if ((await activeModelId()) !== model.modelId) return null;
    // Deleted since (it is no longer active): nothing was applied to it that is still in force.
    const replaced = await manifestOf(taken.replacedId).catch(() => null);
    if (!replaced || sameTiers(replaced.tiers, taken.inForce)) return null;
    const given = taken.applied ?? model.tiers;
    const newer = policyFor(model, replaced.tiers) ?? model.tiers;
    if (sameTiers(newer, given) || !(await setTiersIfUnchanged(model.modelId, newer, (current) => sameTiers(current, given)))) return null;
    await carryPolicyFigures([taken.replacedId], model.modelId);
    return newer;
  });
}
