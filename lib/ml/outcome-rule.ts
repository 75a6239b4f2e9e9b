/**
 * What "converted" means in a lead's own fields: the admin's outcome rule, a lead's outcome
 * by it, and the rule in words. Kept apart from the training code (zod and the raw-value
 * reader only): the manifest records the rule of a model trained in the browser, and the
 * options page's policy worker labels stored leads by it.
 */
import { z } from 'zod';
import { isMissingRaw } from './derive';
import type { RawRecord } from './featurize';

/**
 * A lead converted when `field` holds one of `positiveValues`, and is still open (no outcome
 * yet) when it holds one of `openValues` (a Status of "Working - Contacted"); any other value
 * is "not converted". Values compare as trimmed text, case-insensitively.
 */
export const OutcomeRuleSchema = z.object({
  field: z.string().min(1),
  positiveValues: z.array(z.string()).min(1),
  openValues: z.array(z.string()).optional(),
});
export type OutcomeRule = z.infer<typeof OutcomeRuleSchema>;

/** A model's outcome rule, with the source of the leads it was trained on: another source's fields may mean something else. */
export const ModelOutcomeRuleSchema = OutcomeRuleSchema.extend({ source: z.enum(['salesforce', 'hubspot', 'csv']) });
export type ModelOutcomeRule = z.infer<typeof ModelOutcomeRuleSchema>;

/** Whether the field's value is one of `values`, as the rule compares them. */
function holdsOneOf(fields: RawRecord, field: string, values: readonly string[]): boolean {
  const value = fields[field];
  if (value === null || value === undefined) return false;
  const text = String(value).trim().toLowerCase();
  return values.some((candidate) => candidate.trim().toLowerCase() === text);
}

export function isConverted(fields: RawRecord, rule: OutcomeRule): boolean {
  return holdsOneOf(fields, rule.field, rule.positiveValues);
}

/**
 * 1 converted, 0 not, null when the lead is still open: its outcome field is empty (a
 * placeholder `isMissingRaw` knows) or holds one of the rule's `openValues`. Training an open
 * lead as "not converted" would teach the model that open leads never convert. A boolean
 * `false` (Salesforce `IsConverted`) is a known 0.
 */
export function outcomeOf(fields: RawRecord, rule: OutcomeRule): 0 | 1 | null {
  if (isMissingRaw(fields[rule.field])) return null;
  if (isConverted(fields, rule)) return 1;
  return rule.openValues && holdsOneOf(fields, rule.field, rule.openValues) ? null : 0;
}

/** "a", "a or b", "a, b or c" */
const eitherOf = (values: readonly string[]) => (values.length === 1 ? values[0] : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`);

/** The rule as an admin set it: `"Status" is Closed - Converted (still open while Working - Contacted)`. */
export function describeOutcomeRule({ field, positiveValues, openValues = [] }: OutcomeRule): string {
  return `"${field}" is ${eitherOf(positiveValues)}${openValues.length > 0 ? ` (still open while ${eitherOf(openValues)})` : ''}`;
}

const SOURCE_NAMES: Record<ModelOutcomeRule['source'], string> = { salesforce: 'Salesforce', hubspot: 'HubSpot', csv: 'imported CSV' };

/** A model's rule with the leads it applies to: `"lifecyclestage" is customer, for HubSpot leads`. */
export function describeModelOutcome(rule: ModelOutcomeRule): string {
  return `${describeOutcomeRule(rule)}, for ${SOURCE_NAMES[rule.source]} leads`;
}
