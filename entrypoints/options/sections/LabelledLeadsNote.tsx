import { describeModelOutcome, type ModelOutcomeRule } from '@/lib/ml/outcome-rule';
import { plural } from '@/lib/ml/train/data-size';
import type { Labelled } from '../policy-protocol';

const HELD_OUT = "with the probability from the cross-validation model that did not train on it (as the trainer chose the thresholds: the model's own fit to them would flatter it)";

/** Which leads a tier preview or confusion matrix was computed from, and which probability each was read with. */
export function LabelledLeadsNote({ labelled, outcomeRule }: { labelled: Labelled; outcomeRule: ModelOutcomeRule | undefined }) {
  const { labels, heldOut } = labelled;
  const others = labels.length - heldOut;
  const readWith =
    heldOut === 0
      ? ', scored by this model.'
      : others === 0
        ? `: the model was trained on all of them, so each is read ${HELD_OUT}.`
        : `: the ${heldOut.toLocaleString('en-US')} it was trained on are read ${HELD_OUT}, the other ${others.toLocaleString('en-US')} with this model's score.`;
  return (
    <p style={{ flexBasis: '100%', fontSize: 12 }} data-testid="labelled-leads">
      Computed from the {plural(labels.length, 'stored lead', 'stored leads')} with a known outcome{readWith}
      {outcomeRule && ` Converted means ${describeModelOutcome(outcomeRule)}, the outcome the model was trained on; other leads are left out.`}
    </p>
  );
}
