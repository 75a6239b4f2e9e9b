/** What "converted" means: a field and its values (for HubSpot's lifecycle stage, the stage reached), and which values are still open. */
import { OutcomeValuesPicker } from '@/components/OutcomeValuesPicker';
import { HUBSPOT_LIFECYCLE_ORDER } from '@/lib/crm/hubspot-lifecycle';
import { HUBSPOT_LIFECYCLE_FIELD, stagesReached } from '@/lib/ml/train/outcome-suggestions';
import type { OutcomeRule } from '@/lib/ml/train/training-set';

/** The rule the form shows; a value cannot mean both, so one ticked as converted is no longer open. */
function outcomeRule(field: string, positiveValues: string[], openValues: readonly string[]): OutcomeRule {
  const stillOpen = openValues.filter((value) => !positiveValues.includes(value));
  return { field, positiveValues, ...(stillOpen.length > 0 && { openValues: stillOpen }) };
}

interface Props {
  /** The rule chosen; null until the admin chooses one or the history suggests one. */
  outcome: OutcomeRule | null;
  /** The values each field has in the history sample. */
  outcomeValues: Record<string, string[]>;
  onChange(outcome: OutcomeRule): void;
}

export function OutcomeFieldset({ outcome, outcomeValues, onChange }: Props) {
  return (
    <fieldset>
      <legend>Outcome: a lead converted when…</legend>
      <label>
        Field{' '}
        <select value={outcome?.field ?? ''} onChange={(event) => onChange({ field: event.target.value, positiveValues: [] })} aria-label="Outcome field">
          <option value="">(choose)</option>
          {Object.keys(outcomeValues).map((field) => (
            <option key={field} value={field}>
              {field}
            </option>
          ))}
        </select>
      </label>
      {outcome?.field === HUBSPOT_LIFECYCLE_FIELD ? (
        <label>
          {' '}
          reached{' '}
          <select
            aria-label="Lifecycle stage reached"
            value={outcome.positiveValues[0] ?? ''}
            onChange={(event) => onChange({ field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: stagesReached(event.target.value) })}
          >
            {HUBSPOT_LIFECYCLE_ORDER.map((stage) => (
              <option key={stage} value={stage}>
                {stage}
              </option>
            ))}
          </select>
        </label>
      ) : (
        outcome && (
          <>
            <OutcomeValuesPicker
              sampleValues={outcomeValues[outcome.field] ?? []}
              chosen={outcome.positiveValues}
              onChange={(positiveValues) => onChange(outcomeRule(outcome.field, positiveValues, outcome.openValues ?? []))}
            />
            <OutcomeValuesPicker
              meaning="still open"
              sampleValues={outcomeValues[outcome.field] ?? []}
              chosen={outcome.openValues ?? []}
              unavailable={outcome.positiveValues}
              onChange={(openValues) => onChange(outcomeRule(outcome.field, outcome.positiveValues, openValues))}
            />
          </>
        )
      )}
    </fieldset>
  );
}
