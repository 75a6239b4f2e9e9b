import { plural } from '@/lib/presentation';
import { describeModelOutcome, describeSettledLeads, settledDaysOf, type ModelOutcomeRule } from '@/lib/ml/outcome-rule';
import type { Labelled } from '../policy-protocol';

/** How the leads a model learnt from are read: its own scores of them would flatter it. */
const CHECKED = 'scored by a check model that never saw them, as when its thresholds were chosen (its own scores of leads it learnt from would flatter it)';
/** Without held-out probabilities (the bundled model, an imported one) LeadLens cannot tell which of these leads the model learnt from. */
const OWN_SCORES =
  ', scored by this model. If it was trained on any of these leads, these figures make it look better than it will do on new leads (LeadLens knows which leads a model learnt from only when it trained the model).';

/**
 * Which leads a tier preview or confusion matrix was computed from (those old enough by the
 * minimum age the model was trained with), and which probability each was read with;
 * `computed`: what of it they are (a tier preview reads its contacts off every scored lead).
 */
export function LabelledLeadsNote({ labelled, outcomeRule, computed = 'Computed' }: { labelled: Labelled; outcomeRule: ModelOutcomeRule | undefined; computed?: string }) {
  const { labels, heldOut } = labelled;
  const others = labels.length - heldOut;
  const readWith =
    heldOut === 0
      ? OWN_SCORES
      : others === 0
        ? `: the model learnt from all of them, so each is ${CHECKED}.`
        : `: the ${heldOut.toLocaleString('en-US')} it learnt from are ${CHECKED}; the other ${others.toLocaleString('en-US')} by this model.`;
  return (
    <p style={{ flexBasis: '100%', fontSize: 12 }} data-testid="labelled-leads">
      {computed} from the {plural(labels.length, 'stored lead', 'stored leads')} with a known outcome ({describeSettledLeads(settledDaysOf(outcomeRule), heldOut > 0)}){readWith}
      {outcomeRule && ` Converted means ${describeModelOutcome(outcomeRule)}, the outcome the model was trained on; other leads are left out.`}
    </p>
  );
}
