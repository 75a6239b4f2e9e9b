/**
 * What "converted" usually means in each source, as a starting point the admin can change:
 * Salesforce's `IsConverted`, HubSpot's lifecycle stage reaching a stage, or a CSV column
 * that looks like an outcome. Leads not converted by the window's minimum age count as not
 * converted, whatever their status (the usual "converted within N days" label): leaving out
 * those a status calls open is the admin's choice (`openLookingStatuses` ticks them), as old
 * leads never contacted stay "open" for good and would take most of the negatives with them.
 */
import type { RawRecord, SourceKind } from '../featurize';
import type { OutcomeRule } from './training-set';
import { HUBSPOT_LIFECYCLE_ORDER, type HubSpotLifecycleStage } from '../../crm/hubspot-lifecycle';

export const HUBSPOT_LIFECYCLE_FIELD = 'lifecyclestage';
export const DEFAULT_STAGE_REACHED = 'opportunity';

/** Stages at or after `stage`: "reached `stage`". */
export function stagesReached(stage: string): string[] {
  const at = HUBSPOT_LIFECYCLE_ORDER.indexOf(stage as HubSpotLifecycleStage);
  return at < 0 ? [stage] : HUBSPOT_LIFECYCLE_ORDER.slice(at);
}

const OUTCOME_NAME = /convert|outcome|won|target|label|closed/i;
const POSITIVE_VALUES = new Set(['1', 'true', 'yes', 'y', 'converted', 'won', 'closed won', 'closed - converted', 'customer']);

/** Columns with more distinct values than this in the sample are not offered as outcomes. */
const MAX_OUTCOME_VALUES = 30;

/**
 * Column → its distinct values in `records` (blanks are not values: an outcome is unknown
 * there), for columns with few of them: the outcome candidates of a CSV file or of stored leads.
 */
export function fewValuedColumns(columns: readonly string[], records: readonly RawRecord[]): Record<string, string[]> {
  const distinct: Record<string, string[]> = {};
  for (const column of columns) {
    const values = new Set<string>();
    for (const record of records) {
      const value = record[column];
      if (value !== null && value !== undefined && String(value).trim() !== '') values.add(String(value).trim());
      if (values.size > MAX_OUTCOME_VALUES) break;
    }
    distinct[column] = [...values];
  }
  return outcomeCandidates(distinct);
}

/** Of column → its distinct values, the columns with few enough to be an outcome (2 to MAX_OUTCOME_VALUES), values sorted. */
export function outcomeCandidates(distinct: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  // No prototype: a column named `__proto__` is an ordinary key.
  const out = Object.create(null) as Record<string, string[]>;
  for (const [column, values] of Object.entries(distinct)) {
    if (values.length >= 2 && values.length <= MAX_OUTCOME_VALUES) out[column] = [...values].sort();
  }
  return out;
}

/**
 * A status that says a lead was given up: Salesforce's "Closed - Not Converted" (any status
 * starting with "Closed"), a converted one, HubSpot's "UNQUALIFIED" and "BAD_TIMING". Any other
 * ("Open - Not Contacted", "Working - Contacted", "IN_PROGRESS", a custom one) looks open.
 */
const CLOSED_STATUS = /^closed|convert|unqualified|disqualified|bad[ _]timing/i;

/** The statuses among `values` that look like a lead still being worked (see `CLOSED_STATUS`). */
export function openLookingStatuses(values: readonly string[]): string[] {
  return values.filter((value) => !CLOSED_STATUS.test(value.trim()));
}

/** The suggested outcome for a source given its fields' values (see `historySample`), or null. */
export function suggestOutcome(source: SourceKind, outcomeValues: Record<string, string[]>): OutcomeRule | null {
  if (source === 'salesforce' && outcomeValues.IsConverted) return { field: 'IsConverted', positiveValues: ['true'] };
  if (source === 'hubspot' && outcomeValues[HUBSPOT_LIFECYCLE_FIELD]) {
    return { field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: stagesReached(DEFAULT_STAGE_REACHED) };
  }
  for (const [field, values] of Object.entries(outcomeValues)) {
    if (!OUTCOME_NAME.test(field)) continue;
    const positives = values.filter((value) => POSITIVE_VALUES.has(value.toLowerCase()));
    if (positives.length > 0) return { field, positiveValues: positives };
  }
  return null;
}
