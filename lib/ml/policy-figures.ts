/**
 * The figures an admin applied a tier policy with that the policy itself does not hold, kept per
 * model (`policyFigures:{modelId}` in the settings). The preview reads revenue per conversion,
 * cost per contact and new leads per week for every policy, but a value policy keeps only the
 * first two and a capacity policy only the last (a fixed one none): without these, the form
 * opened again would fill the rest with the defaults and preview other contacts, conversions and
 * profit than the policy was applied by. `policyFormOf` fills the form from them.
 *
 * They go with the model (`deleteModel` forgets them with its tier policy): imported again, it
 * brings its file's policy, and the form opens with that policy's own figures, the rest at their defaults.
 */
import { z } from 'zod';
import { db } from '../db/db';
import { POLICY_FIELDS, type Economics, type PolicyField } from './tier-policy';

const policyFiguresKey = (modelId: string) => `policyFigures:${modelId}`;

/** A figure as the form's field accepts it: so a kept one fills the form with no problem to say. */
const figure = (field: PolicyField) =>
  z.number().refine((value) => {
    const { accepts, whole, max } = POLICY_FIELDS[field];
    return accepts(value) && value <= max && (!whole || Number.isInteger(value));
  });

const PolicyFiguresSchema = z.object({
  revenuePerConversion: figure('revenuePerConversion'),
  costPerContact: figure('costPerContact'),
  leadsPerPeriod: figure('leadsPerWeek'),
});

/** The figures `modelId`'s policy was last applied with here, or null: none kept, or a stored value that does not parse. */
export async function policyFiguresOf(modelId: string): Promise<Economics | null> {
  const parsed = PolicyFiguresSchema.safeParse((await db.settings.get(policyFiguresKey(modelId)))?.value);
  return parsed.success ? parsed.data : null;
}

/** Keeps the figures a policy was applied with on `modelId`, replacing any kept before. */
export async function keepPolicyFigures(modelId: string, economics: Economics): Promise<void> {
  await db.settings.put({ key: policyFiguresKey(modelId), value: PolicyFiguresSchema.parse(economics) });
}

/**
 * Gives `toId` the figures kept with the first of `fromIds` that has some: a model that takes
 * over another's policy (a trained model activated with the policy in force, a rebuilt default
 * model) takes the figures it was applied with too, or the form would reopen at the defaults.
 * Within the caller's transaction, if any.
 */
export async function carryPolicyFigures(fromIds: readonly string[], toId: string): Promise<void> {
  for (const fromId of fromIds) {
    const figures = await policyFiguresOf(fromId);
    if (figures) return keepPolicyFigures(toId, figures);
  }
}

/** Forgets the figures kept with `modelId`: its policy was replaced by another's (an imported file's), or the model is gone. */
export async function forgetPolicyFigures(modelId: string): Promise<void> {
  await db.settings.delete(policyFiguresKey(modelId));
}
