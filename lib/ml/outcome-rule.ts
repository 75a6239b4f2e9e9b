/**
 * What "converted" means in a lead's own fields: the admin's outcome rule, a lead's outcome
 * by it, and the rule in words. Kept apart from the training code (zod and the raw-value
 * reader only): the manifest records the rule of a model trained in the browser, and the
 * options page's policy worker labels stored leads by it.
 */
import { z } from 'zod';
import { isMissingRaw } from './derive';
import type { RawRecord } from './featurize';

/** A lead converted when `field` holds one of `positiveValues` (compared as trimmed text, case-insensitively). */
export const OutcomeRuleSchema = z.object({
  field: z.string().min(1),
  positiveValues: z.array(z.string()).min(1),
});
export type OutcomeRule = z.infer<typeof OutcomeRuleSchema>;

/** A model's outcome rule, with the source of the leads it was trained on: another source's fields may mean something else. */
export const ModelOutcomeRuleSchema = OutcomeRuleSchema.extend({ source: z.enum(['salesforce', 'hubspot', 'csv']) });
export type ModelOutcomeRule = z.infer<typeof ModelOutcomeRuleSchema>;

export function isConverted(fields: RawRecord, rule: OutcomeRule): boolean {
  const value = fields[rule.field];
  if (value === null || value === undefined) return false;
  const text = String(value).trim().toLowerCase();
  return rule.positiveValues.some((positive) => positive.trim().toLowerCase() === text);
}

/**
 * 1 converted, 0 not, null when the outcome field is empty (a placeholder `isMissingRaw` knows):
 * the lead is still open, and training it as "not converted" would teach the model that open
 * leads never convert. A boolean `false` (Salesforce `IsConverted`) is a known 0.
 */
export function outcomeOf(fields: RawRecord, rule: OutcomeRule): 0 | 1 | null {
  if (isMissingRaw(fields[rule.field])) return null;
  return isConverted(fields, rule) ? 1 : 0;
}

/** The rule as an admin set it: `"lifecyclestage" is customer or evangelist`. */
export function describeOutcomeRule({ field, positiveValues }: OutcomeRule): string {
  const values = positiveValues.length === 1 ? positiveValues[0] : `${positiveValues.slice(0, -1).join(', ')} or ${positiveValues.at(-1)}`;
  return `"${field}" is ${values}`;
}

const SOURCE_NAMES: Record<ModelOutcomeRule['source'], string> = { salesforce: 'Salesforce', hubspot: 'HubSpot', csv: 'imported CSV' };

/** A model's rule with the leads it applies to: `"lifecyclestage" is customer, for HubSpot leads`. */
export function describeModelOutcome(rule: ModelOutcomeRule): string {
  return `${describeOutcomeRule(rule)}, for ${SOURCE_NAMES[rule.source]} leads`;
}
