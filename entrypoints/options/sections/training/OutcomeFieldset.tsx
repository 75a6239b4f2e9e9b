/**
 * What "converted" means: a field and its values (for HubSpot's lifecycle stage, the stage
 * reached, in the portal's own order when it is known, else HubSpot's default one), which values
 * are still open (for the lifecycle stage, those outside that order), and which statuses of
 * another field say a lead is still being worked.
 */
import { useId } from 'react';
import { OutcomeValuesPicker } from '@/components/OutcomeValuesPicker';
import { valuesAsShown, type OpenStatus } from '@/lib/ml/outcome-rule';
import { HUBSPOT_LIFECYCLE_FIELD, HUBSPOT_LIFECYCLE_ORDER, lifecycleOrder } from '@/lib/crm/hubspot-lifecycle';
import { lifecycleRule, lifecycleRuleReaching, offeredOutcomeFields, oneValueOutcomeNotes, openLookingStatuses, stagesOutsideOrder } from '@/lib/ml/train/outcome-suggestions';
import type { OutcomeRule } from '@/lib/ml/train/training-set';

/** `rule` with these values; a value cannot mean both, so one ticked as converted is no longer open. */
export function withValues({ openStatus, field }: OutcomeRule, positiveValues: string[], openValues: readonly string[]): OutcomeRule {
  const stillOpen = openValues.filter((value) => !positiveValues.includes(value));
  return { field, positiveValues, ...(stillOpen.length > 0 && { openValues: stillOpen }), ...(openStatus && { openStatus }) };
}

/** `rule` with this status field and values, or with none. */
function withOpenStatus({ openStatus: _old, ...rule }: OutcomeRule, openStatus: OpenStatus | undefined): OutcomeRule {
  return openStatus ? { ...rule, openStatus } : rule;
}

/** The sample's values of `field`. An own entry only: a column may be named `toString` or `constructor`. */
const sampledValues = (outcomeValues: Record<string, string[]>, field: string): string[] => (Object.hasOwn(outcomeValues, field) ? outcomeValues[field] : []);

/**
 * The rule a newly chosen field starts from. The lifecycle stage starts at the stage reached
 * LeadLens suggests in `stageOrder` (its list has no empty choice, so the stage it shows is then
 * the one chosen), the stages outside the order still open. Another field starts with no values:
 * the admin ticks them.
 */
function ruleOfField(field: string, outcomeValues: Record<string, string[]>, stageOrder: readonly string[]): OutcomeRule {
  return field === HUBSPOT_LIFECYCLE_FIELD ? lifecycleRule(sampledValues(outcomeValues, field), stageOrder) : { field, positiveValues: [] };
}

/**
 * The stages offered: those of the order, in it, then the stages the sample has outside it, and
 * the chosen one if it is neither (a rare stage falls out of samples). Where a stage outside the
 * order falls is not known: reaching it means being at it, as its option says.
 */
function stagesOffered(stageOrder: readonly string[], sampleValues: readonly string[], chosen: string | undefined): string[] {
  return [...new Set([...stageOrder, ...sampleValues, ...(chosen === undefined ? [] : [chosen])])];
}

/**
 * Whether `rule` reaches `stage` and the stages after it, though the order followed does not place
 * it (a portal's own stage, its order no longer read): the stages it was chosen with stay converted.
 */
const reachesPast = (rule: OutcomeRule, stage: string) => rule.positiveValues[0] === stage && rule.positiveValues.length > 1;

/**
 * The values of `outcome`'s field ticked as still open: offered `values`, but those ticked as
 * converted; each shown as its label where the CRM gives one (`labels`).
 */
export function StillOpenPicker({
  outcome,
  values,
  labels,
  onChange,
}: {
  outcome: OutcomeRule;
  values: readonly string[];
  labels?: ReadonlyMap<string, string>;
  onChange(outcome: OutcomeRule): void;
}) {
  return (
    <OutcomeValuesPicker
      meaning="still open"
      sampleValues={values}
      chosen={outcome.openValues ?? []}
      unavailable={outcome.positiveValues}
      labels={labels}
      onChange={(openValues) => onChange(withValues(outcome, outcome.positiveValues, openValues))}
    />
  );
}

/** Why the rule cannot be checked yet, in words; null when it can. */
export function outcomeMissing(outcome: OutcomeRule | null): string | null {
  if (!outcome?.field) return 'Choose the field that says whether a lead converted.';
  if (outcome.positiveValues.length === 0) return 'Choose which values mean converted.';
  if (outcome.openStatus?.values.length === 0) return `Choose which values of "${outcome.openStatus.field}" mean still being worked, or no field.`;
  return null;
}

/**
 * The field whose statuses say a lead is still being worked, and those statuses: choosing a
 * field ticks its values that look open. Offered: the sample's fields of few values (two or more)
 * but the outcome field (its own open values are ticked above), and the chosen one.
 */
function OpenStatusPicker({
  outcome,
  outcomeValues,
  minimumAge,
  onChange,
}: {
  outcome: OutcomeRule;
  outcomeValues: Record<string, string[]>;
  minimumAge: boolean;
  onChange(outcome: OutcomeRule): void;
}) {
  const { openStatus } = outcome;
  const fields = offeredOutcomeFields(outcomeValues, openStatus?.field).filter((field) => field !== outcome.field);
  const chooseField = (field: string) =>
    onChange(withOpenStatus(outcome, field === '' ? undefined : { field, values: openLookingStatuses(sampledValues(outcomeValues, field)) }));
  return (
    <>
      <p style={{ margin: '8px 0 2px' }}>
        {minimumAge
          ? 'A lead not converted by the minimum age counts as not converted, whatever its status.'
          : 'A lead not converted counts as not converted however new (these leads have no created date, so no minimum age applies), whatever its status.'}{' '}
        If your team works leads for longer, leave
        out those still being worked (leads never contacted stay open for good: leaving them out leaves the model few that did not convert).
      </p>
      {/* Named by the words it shows, no aria-label over them: a voice user says what they read. */}
      <label style={{ display: 'block' }}>
        Left out while still being worked, by status field{' '}
        <select value={openStatus?.field ?? ''} onChange={(event) => chooseField(event.target.value)}>
          <option value="">(no field)</option>
          {fields.map((field) => (
            <option key={field} value={field}>
              {field}
            </option>
          ))}
        </select>
      </label>
      {openStatus && (
        <OutcomeValuesPicker
          meaning="still being worked"
          sampleValues={sampledValues(outcomeValues, openStatus.field)}
          chosen={openStatus.values}
          onChange={(values) => onChange(withOpenStatus(outcome, { field: openStatus.field, values }))}
        />
      )}
    </>
  );
}

interface Props {
  /** The rule chosen; null until the admin chooses one or the history suggests one. */
  outcome: OutcomeRule | null;
  /** The values each field has in the history sample. */
  outcomeValues: Record<string, string[]>;
  /** Whether the window's minimum age leaves out leads too new to have converted (false: the history has no created date). */
  minimumAge: boolean;
  /**
   * The connected HubSpot portal's own lifecycle stages, in its order, with the labels its pages
   * show; none when not known (HubSpot's default order is then followed).
   */
  lifecycleStages?: readonly { value: string; label: string }[];
  onChange(outcome: OutcomeRule): void;
}

export function OutcomeFieldset({ outcome, outcomeValues, minimumAge, lifecycleStages = [], onChange }: Props) {
  // The chosen field too: a new sample may hold one value of it, or none (rare ones fall out of samples).
  const fields = offeredOutcomeFields(outcomeValues, outcome?.field);
  // A field looked for and not offered, said beside the list: else it just is not there.
  const oneValueNotes = oneValueOutcomeNotes(outcomeValues, outcome?.field);
  const oneValueId = useId();
  const stageOrder = lifecycleOrder(lifecycleStages.map((stage) => stage.value));
  const sampledStages = sampledValues(outcomeValues, HUBSPOT_LIFECYCLE_FIELD);
  // Every stage either list offers, as it reads beside the others: no two options read alike.
  const stageLabels = valuesAsShown(
    [...stageOrder, ...sampledStages, ...(outcome?.positiveValues ?? []), ...(outcome?.openValues ?? [])],
    Object.fromEntries(lifecycleStages.map(({ value, label }) => [value, label])),
  );
  // Whether the portal's order is followed: `lifecycleOrder` falls back to HubSpot's own list itself (a portal of "other" alone has none).
  const portalOrder = stageOrder !== HUBSPOT_LIFECYCLE_ORDER;
  return (
    <fieldset>
      <legend>Outcome: a lead converted when…</legend>
      <label>
        Field{' '}
        <select
          value={outcome?.field ?? ''}
          onChange={(event) => onChange(ruleOfField(event.target.value, outcomeValues, stageOrder))}
          aria-label="Outcome field"
          aria-describedby={oneValueNotes.length > 0 ? oneValueId : undefined}
        >
          <option value="">(choose)</option>
          {fields.map((field) => (
            <option key={field} value={field}>
              {field}
            </option>
          ))}
        </select>
      </label>
      {oneValueNotes.length > 0 && (
        <p id={oneValueId} data-testid="outcome-one-value" style={{ margin: '4px 0' }}>
          {oneValueNotes.join(' ')}
        </p>
      )}
      {outcome?.field === HUBSPOT_LIFECYCLE_FIELD ? (
        <>
          <label>
            {' '}
            reached{' '}
            <select
              aria-label="Lifecycle stage reached"
              value={outcome.positiveValues[0] ?? ''}
              onChange={(event) => onChange(lifecycleRuleReaching(outcome, event.target.value, stageOrder))}
            >
              {stagesOffered(stageOrder, sampledStages, outcome.positiveValues[0]).map((stage) => (
                <option key={stage} value={stage}>
                  {stageOrder.includes(stage) || reachesPast(outcome, stage) ? (stageLabels.get(stage) ?? stage) : `${stageLabels.get(stage) ?? stage} (this stage only)`}
                </option>
              ))}
            </select>
          </label>
          <p style={{ margin: '8px 0 2px' }}>
            {portalOrder
              ? `Reaching a stage means being at it or at a stage after it, in the order of your portal's lifecycle stages. Contacts at a stage outside that order ("other") are left out while it is ticked:`
              : `Contacts at a stage outside HubSpot's order ("other", or a stage of your own) are left out while it is ticked:`}{' '}
            a vendor or a partner is not a lead that failed to convert. Untick a stage to count its contacts as not converted.
          </p>
          <StillOpenPicker
            outcome={outcome}
            values={stagesOutsideOrder(sampledStages, stageOrder)}
            labels={stageLabels}
            onChange={onChange}
          />
        </>
      ) : (
        outcome && (
          <>
            <OutcomeValuesPicker
              sampleValues={sampledValues(outcomeValues, outcome.field)}
              chosen={outcome.positiveValues}
              onChange={(positiveValues) => onChange(withValues(outcome, positiveValues, outcome.openValues ?? []))}
            />
            <StillOpenPicker outcome={outcome} values={sampledValues(outcomeValues, outcome.field)} onChange={onChange} />
          </>
        )
      )}
      {outcome?.field && <OpenStatusPicker outcome={outcome} outcomeValues={outcomeValues} minimumAge={minimumAge} onChange={onChange} />}
    </fieldset>
  );
}
