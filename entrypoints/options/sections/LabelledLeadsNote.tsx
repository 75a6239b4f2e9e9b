import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Manifest } from '@/lib/ml/manifest';
import { plural } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { agesCountedTo, describeModelOutcome, describeSettledLeads, settledDaysOf, type AgesCountedTo, type ModelOutcomeRule } from '@/lib/ml/outcome-rule';
import { fileLeadsAsOf } from '@/lib/ui/stored-data';
import { learntFromBasisWords, type LearntFromBasis } from '@/lib/ml/tier-policy';
import type { Labelled } from '../policy-protocol';

/** How the leads a model learnt from are read, by what `basis` says: its own scores of them would flatter it. */
const checked = (basis: LearntFromBasis) => `scored by a check model that never saw them${learntFromBasisWords(basis)} (its own scores of leads it learnt from would flatter it)`;
/** Without held-out probabilities (the bundled model, an imported one) LeadLens cannot tell which of these leads the model learnt from. */
const OWN_SCORES =
  ', scored by this model. If it was trained on any of these leads, these figures make it look better than it will do on new leads (LeadLens knows which leads a model learnt from only when it trained the model).';

/**
 * What the ages of the stored leads the figures on the model of `manifest` read are counted to
 * (`agesCountedTo`): for a model that reads a file's leads, the file's latest created date, read
 * under the stored outcomes' key, so again whenever they are; today while it is read (or could not
 * be), and for a model trained on a CRM, for which nothing is read.
 */
export function useAgesCountedTo({ modelId, outcomeRule }: Pick<Manifest, 'modelId' | 'outcomeRule'>): AgesCountedTo {
  const fileDate = useQuery({
    queryKey: queryKeys.labelledFileLeadsAsOf(modelId),
    queryFn: () => fileLeadsAsOf(Date.now()),
    enabled: outcomeRule === undefined || outcomeRule.source === 'csv',
  }).data;
  // The same object while nothing changes: the tier preview it is given to is memoized.
  return useMemo(() => agesCountedTo(outcomeRule, fileDate ?? null), [outcomeRule, fileDate]);
}

/**
 * Which leads a tier preview or confusion matrix was computed from (those old enough by the
 * minimum age the model was trained with, counted to `agesCountedTo`), and which probability each
 * was read with; `computed`: what of it they are (a tier preview reads its contacts off every scored lead).
 */
export function LabelledLeadsNote({
  labelled,
  learntFromBy,
  outcomeRule,
  agesCountedTo: countedTo,
  computed = 'Computed',
}: {
  labelled: Labelled;
  /** What the leads it learnt from were counted by (`countedLabelled`), under the policy the figures are of. */
  learntFromBy: LearntFromBasis;
  outcomeRule: ModelOutcomeRule | undefined;
  /** What the leads' ages count to (`useAgesCountedTo`). */
  agesCountedTo: AgesCountedTo;
  computed?: string;
}) {
  const { labels, heldOut } = labelled;
  const others = labels.length - heldOut;
  const readWith =
    heldOut === 0
      ? OWN_SCORES
      : others === 0
        ? `: the model learnt from all of them, so each is ${checked(learntFromBy)}.`
        : `: the ${heldOut.toLocaleString('en-US')} it learnt from are ${checked(learntFromBy)}; the other ${others.toLocaleString('en-US')} by this model.`;
  return (
    <p style={{ flexBasis: '100%', fontSize: 12 }} data-testid="labelled-leads">
      {computed} from the {plural(labels.length, 'stored lead', 'stored leads')} with a known outcome ({describeSettledLeads(settledDaysOf(outcomeRule), heldOut > 0, countedTo)}){readWith}
      {outcomeRule && ` Converted means ${describeModelOutcome(outcomeRule)}, the outcome the model was trained on; other leads are left out.`}
    </p>
  );
}
