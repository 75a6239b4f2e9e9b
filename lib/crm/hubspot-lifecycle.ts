import { z } from 'zod';
import { MAX_RULE_VALUE_LENGTH, MAX_RULE_VALUES } from '../ml/outcome-rule';
import { MAX_LABEL_CHARS } from '../ml/visible-text';
import type { ChoiceOption } from './client';

/** The HubSpot contact property holding a contact's lifecycle stage. */
export const HUBSPOT_LIFECYCLE_FIELD = 'lifecyclestage';

/** HubSpot's default lifecycle stages (internal values), in the order a contact moves through them. */
export const HUBSPOT_LIFECYCLE_ORDER = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
] as const;
export type HubSpotLifecycleStage = (typeof HUBSPOT_LIFECYCLE_ORDER)[number];

/** HubSpot's default stage outside its order: vendors, partners, anyone not a prospect. */
export const HUBSPOT_OTHER_STAGE = 'other';

/**
 * The order lifecycle stages are read in: the portal's own stages, in the portal's order (custom
 * ones and moved ones in their place), when they are known; else HubSpot's default order.
 * "other" is never in it: reaching it says nothing.
 */
export function lifecycleOrder(portalStages: readonly string[] = []): readonly string[] {
  const ordered = portalStages.filter((stage) => stage !== HUBSPOT_OTHER_STAGE);
  return ordered.length > 0 ? ordered : HUBSPOT_LIFECYCLE_ORDER;
}

/** Stages at or after `stage` in `order`: "reached `stage`"; only `stage` itself when it is outside the order. */
export function stagesReached(stage: string, order: readonly string[] = HUBSPOT_LIFECYCLE_ORDER): string[] {
  const at = order.indexOf(stage);
  return at < 0 ? [stage] : order.slice(at);
}

/**
 * The stage reached that means converted unless the admin chooses another: opportunity. A portal
 * that has none gets the first stage past the middle of its order, where opportunity is in
 * HubSpot's seven: a later one would leave the model few conversions, an earlier one would call
 * mere leads converted. The Training form suggests it, and a sync stores each contact's outcome by it.
 */
export function suggestedStageReached(order: readonly string[]): string {
  return order.includes('opportunity') ? 'opportunity' : order[Math.min(order.length - 1, Math.ceil(order.length / 2))];
}

/**
 * A portal's lifecycle stage as LeadLens offers it (the Training form) and keeps it (a sync, for
 * record pages): a value a model's rule can hold, never blank (a contact at a blank stage has
 * none), and its label as shown (`valueLabelAsShown`, at most MAX_LABEL_CHARS), or the value
 * itself when it has none.
 */
export const LifecycleStageSchema = z.object({
  value: z.string().regex(/\S/, 'a stage has a value').max(MAX_RULE_VALUE_LENGTH),
  label: z.string().min(1).max(Math.max(MAX_LABEL_CHARS, MAX_RULE_VALUE_LENGTH)),
});
export type LifecycleStage = z.infer<typeof LifecycleStageSchema>;

/** A portal's lifecycle stages in its order: as many as a model's rule can list (`MAX_RULE_VALUES`). */
export const PortalLifecycleStagesSchema = z.array(LifecycleStageSchema).max(MAX_RULE_VALUES);

/** A portal's stage options as LeadLens offers and keeps them: a stage without a label under its value. */
export const lifecycleStagesOf = (options: readonly ChoiceOption[]): LifecycleStage[] => options.map(({ value, label }) => ({ value, label: label || value }));
