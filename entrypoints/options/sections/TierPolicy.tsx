import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { memo, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { CurveChart, type CurveChartProps } from '@/components/Charts';
import { FocusKeepingButton } from '@/components/KeepFocus';
import { ErrorState, JobProgressBar, Loading, StatusRegion } from '@/components/StatusMessage';
import { TierLabel } from '@/components/TierLabel';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { replyOrReadBack } from '@/lib/messaging/rpc';
import { owedRetiers, readJob } from '@/lib/jobs/progress';
import type { Manifest, Tiers } from '@/lib/ml/manifest';
import { describeWhenOutcomeCounts, settledDaysOf, type AgesCountedTo, type ModelOutcomeRule } from '@/lib/ml/outcome-rule';
import { newerTierPolicy } from '@/lib/ml/model-store';
import { keepPolicyFigures, policyFiguresOf } from '@/lib/ml/policy-figures';
import {
  appliedFormOf,
  countedLabelled,
  describeShownTiers,
  describeTierPolicy,
  formEconomicsOf,
  learntFromBasisWords,
  panelLeadsOf,
  POLICY_FIELDS,
  POLICY_FORM_FIELDS,
  policyFormOf,
  precisionAt,
  readPolicyForm,
  recallAt,
  sortsNoScoredLead,
  tierProfitPerPeriod,
  type CountedLabelled,
  type Economics,
  type PanelLeads,
  type PolicyChoice,
  type PolicyField,
  type PolicyForm,
  type PolicyPreview,
  type PolicyProblem,
} from '@/lib/ml/tier-policy';
import type { TierOutcome } from '@/lib/ml/train/thresholds';
import { setTiersIfUnchanged } from '@/lib/ml/model-versions';
import { FEW_LEADS_FOR_A_RATE, formatMoney, formatRate, formatThreshold, plural } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { TIERS } from '@/lib/segments';
import { readTypedNumber, typedNumberOf } from '@/lib/typed-number';
import { useActiveManifest, useJob } from '@/lib/ui/hooks';
import { loadScoredLeads, rankedCrmOf } from '@/lib/ui/stored-data';
import { CRM_LABEL } from '@/lib/crm/types';
import { scoringEveryLeadProgress, useOwedScoringOfEveryLead } from '@/lib/ui/owed-scoring';
import { useInTurn } from '@/lib/ui/near-viewport';
import { labelledQuery, previewInWorker } from '../policy-client';
import type { Labelled } from '../policy-protocol';
import { LabelledLeadsNote, useAgesCountedTo } from './LabelledLeadsNote';

/**
 * One number of the form, in a text field read by `readTypedNumber`: an emptied field is null
 * (not 0), so it is reported instead of previewed. So is one holding what is not a number
 * ("2,5", "1,000"), which a number field would read as another number (Chromium in English:
 * 25; happy-dom: 2): `onChange` says which it is. `problemIds`: the problems said about it
 * (`children`, beside it, are those said here); `noteId`: a warning about it, which does not make it invalid.
 */
function NumberField({
  field,
  value,
  problemIds,
  noteId,
  onChange,
  onBlur,
  children,
}: {
  field: PolicyField;
  value: number | null;
  problemIds: string | undefined;
  noteId?: string;
  onChange(value: number | null, notANumber: boolean): void;
  onBlur(): void;
  children: ReactNode;
}) {
  const { name, unit, whole } = POLICY_FIELDS[field];
  // As typed ("0.50", "2,5"), and the form's value it gave: a value set otherwise (a refill, the thresholds an Apply left) is shown as it is.
  const [typed, setTyped] = useState({ text: typedNumberOf(value), gave: value });
  if (typed.gave !== value) setTyped({ text: typedNumberOf(value), gave: value });
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 4, maxWidth: 280 }}>
      <label style={{ display: 'flex', flexDirection: 'column', fontSize: 12 }}>
        {unit ? `${name} (${unit})` : name}
        <input
          type="text"
          inputMode={whole ? 'numeric' : 'decimal'}
          value={typed.text}
          onChange={(event) => {
            const read = readTypedNumber(event.currentTarget.value);
            const notANumber = Number.isNaN(read);
            const gave = notANumber ? null : read;
            setTyped({ text: event.currentTarget.value, gave });
            onChange(gave, notANumber);
          }}
          onBlur={onBlur}
          aria-invalid={problemIds ? true : undefined}
          aria-describedby={[problemIds, noteId].filter(Boolean).join(' ') || undefined}
          style={{ width: 120 }}
        />
      </label>
      {children}
    </div>
  );
}

/**
 * Leads or conversions a week, a share of the new leads: grouped as the caption's count
 * ("25,000"), a decimal only where fractional ("42.9"), and "<0.1" where that would read as none.
 */
const weeklyCount = (count: number) => (count > 0 && count < 0.05 ? '<0.1' : count.toLocaleString('en-US', { maximumFractionDigits: 1 }));
const conversionsOrUnknown = (conversions: number | null) => (conversions === null ? 'unknown' : weeklyCount(conversions));
/**
 * A tier's conversion rate and how many of its leads it is of (0 % of 1 lead is not 0 % of 1,000), too few to go by below
 * `FEW_LEADS_FOR_A_RATE` however many are known overall; said of no lead when the tier holds none, unknown (not 0 %) when none
 * of its leads has a known outcome.
 */
const rateOf = ({ share, conversionRate, withOutcome }: TierOutcome) =>
  share === 0
    ? 'no leads in this tier'
    : conversionRate === null
      ? 'unknown (no lead with a known outcome)'
      : `${formatRate(conversionRate)} of ${plural(withOutcome, 'lead', 'leads')}${withOutcome < FEW_LEADS_FOR_A_RATE ? ' (too few to go by)' : ''}`;
/** Said after a tier's profit when the leads it is read from are too few to go by, as its rate says in the table. */
const fewBehindProfit = (tierWord: 'hot' | 'warm', { withOutcome }: TierOutcome) =>
  withOutcome < FEW_LEADS_FOR_A_RATE ? ` Only ${plural(withOutcome, `${tierWord} lead has`, `${tierWord} leads have`)} a known outcome: too few to go by.` : '';

/**
 * A preview, and the outcomes and economics it was computed from (undefined outcomes: not loaded,
 * the policy needs none), with those outcomes as its policy counts them (`countedLabelled`).
 */
interface ShownPreview {
  preview: PolicyPreview;
  economics: Economics;
  labelled: Labelled | undefined;
  counted: CountedLabelled | undefined;
}

/** What a value or fixed policy, needing no stored score, is previewed on while the stored ones are not loaded: its thresholds alone. */
const NO_OUTCOMES: Labelled = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0, ranked: new Float64Array(0) };

/** The tiers in force as a key: the same for the same policy and thresholds, whatever order their fields were stored in. */
const tiersKey = ({ policy, hot, warm }: Tiers) => JSON.stringify([hot, warm, Object.entries(policy).sort(([a], [b]) => (a < b ? -1 : 1))]);

/** Whether two fillings of the form are the same: the policy chosen and every field, shown or not. */
const sameForm = (a: PolicyForm, b: PolicyForm) => (Object.keys(a) as (keyof PolicyForm)[]).every((key) => a[key] === b[key]);

/**
 * Whether two fillings of the form show the same: the same choice and the fields it shows (an Apply refills the hidden
 * ones). A field shown that the policy does not rest on (a value policy's new leads a week) counts too: edited, the
 * preview beside it is another's.
 */
const samePolicyShown = (a: PolicyForm, b: PolicyForm) => a.kind === b.kind && POLICY_FORM_FIELDS[a.kind].every((field) => a[field] === b[field]);

/** A field holding what is not a number ("2,5", "1,000"), which the form holds as empty: "is empty" beside it would not explain it. */
function notANumber(field: PolicyField): string {
  const { name, unit, whole } = POLICY_FIELDS[field];
  const howToWrite = whole ? 'write digits only, without separators (1500)' : unit === '$' ? 'write decimals with a point and no thousands separators (1500.50)' : 'write decimals with a point (1.5)';
  return `${name} is not a number: ${howToWrite}.`;
}

/** Said when Apply finds the policy in force changed since the page read it: applying would have put back the one it replaced, unseen. */
const CHANGED_UNSEEN = 'Nothing was applied: the policy in force changed since this page read it (imported, or applied in another tab). It is read again here: look at it, then apply again.';

/**
 * What came of the re-tiering an Apply asked for: done, with how many stored leads changed tier
 * (null when only the stored rows tell: a run's row keeps no count once it ends, and a scoring of
 * every lead with the model, which tiers them too, settles it as well), or unfinished: its run
 * goes on (`running`), or it is owed and runs in its turn (`owed`).
 */
type Retiered = { changed: number | null } | { unfinished: 'running' | 'owed' };

/**
 * The re-tiering of `modelId`'s stored scores that an Apply saving its policy at `savedAt` owes,
 * read from what is stored, when LeadLens's background stopped before it answered (Chrome stopped
 * its worker): owed until a run of it begun since ends, done or failed (thrown, with why).
 * Meanwhile it goes on in the offscreen document, or is asked again as the next worker starts (or
 * at the hourly check).
 */
async function retierReadBack(modelId: string, savedAt: number): Promise<Retiered> {
  const [run, owed] = await Promise.all([readJob('retier'), owedRetiers()]);
  const itsRun = run?.modelId === modelId && run.startedAt >= savedAt ? run : null;
  if (owed.some((retier) => retier.modelId === modelId)) return { unfinished: itsRun?.state === 'running' ? 'running' : 'owed' };
  if (itsRun?.state === 'failed') throw new Error(itsRun.error ?? 'its run failed');
  return { changed: null };
}

/** What an Apply says of the stored leads when LeadLens's background stopped before re-tiering them was done. */
const RETIER_UNFINISHED = {
  running: "LeadLens's background stopped while it re-tiered the stored leads: re-tiering them goes on where it stopped.",
  owed: "LeadLens's background stopped before it re-tiered the stored leads: they are re-tiered in their turn, when it starts again or at its hourly check at the latest.",
};

/** Why the form was filled in again from the policy in force: it changed (an import, another tab's Apply) while the form had no edits, or the admin loaded it. */
interface Refill {
  reason: 'changed' | 'loaded';
}

/**
 * The tier form. `keptFigures`: the figures the policy in force was applied with that it does not
 * hold itself (`policyFiguresOf`), which fill those fields instead of the defaults.
 */
function PolicyEditor({ manifest, keptFigures }: { manifest: Manifest; keptFigures: Economics | null }) {
  const queryClient = useQueryClient();
  // The policy in force the form was filled in from (when it opened, or was loaded) or that this
  // form applied, and the form then: the form has edits while it differs from that form.
  const [filled, setFilled] = useState(() => ({ tiers: manifest.tiers, form: policyFormOf(manifest.tiers, keptFigures) }));
  const [form, setForm] = useState(filled.form);
  // The fields holding what is not a number (null in the form, as an empty field is).
  const [unreadable, setUnreadable] = useState<ReadonlySet<PolicyField>>(new Set());
  // A new object at each refill (the focus follows each); null again once the form is edited.
  const [refilled, setRefilled] = useState<Refill | null>(null);
  const set = (patch: Partial<PolicyForm>) => {
    setForm((current) => ({ ...current, ...patch }));
    setRefilled(null);
  };
  // A field the chosen policy does not show is taken off the page: shown again, it is empty, not "1,5".
  const choose = (kind: PolicyForm['kind']) => {
    set({ kind });
    setUnreadable((current) => new Set([...current].filter((field) => POLICY_FORM_FIELDS[kind].includes(field))));
  };
  const labelledOptions = labelledQuery(manifest.modelId);
  // The leads the side panel counts, read as it reads them (`loadScoredLeads`, a chunk at a time),
  // kept as their probabilities alone: each preview counts their tiers in one pass.
  // By their stored scores: Apply clears the record pages' scores, which the panel shows until then.
  // Under the scored leads' key, so read again whenever the panel's would be (a scoring or re-tier ends, leads deleted).
  // Not read again as the page regains focus, which the query client's default would do: every stored lead each time.
  const panelLeadsOptions = {
    queryKey: [...queryKeys.scoredLeads(manifest.modelId), 'panel-leads'] as const,
    queryFn: async () => panelLeadsOf((await loadScoredLeads(manifest.modelId, { withRecordPageScores: false })).rows),
    staleTime: Infinity,
  };
  // Until the activation's scoring of every stored lead ends, the model's scores are its first
  // batches' (one source's): a capacity policy's ranks and every tier's yield would be read from
  // them. Not read meanwhile, and read again at its end.
  const scoring = useOwedScoringOfEveryLead(manifest.modelId);
  const labelled = useQuery({ ...labelledOptions, enabled: scoring.settled });
  const storedOutcomes = scoring.settled ? labelled.data : undefined;
  const panelLeads = useQuery({ ...panelLeadsOptions, enabled: scoring.settled });
  const scoringId = useId();
  const countedTo = useAgesCountedTo(manifest);
  const retier = useJob('retier');
  // The problems are said when a field is left or Apply pressed, not at each keystroke (an alert
  // then interrupts a screen reader mid-word); each goes once it is fixed, or once its words would
  // change (its numbers edited) until the field is left again. `refusals` counts the Applys
  // refused: each says the problems again.
  const [found, setFound] = useState({ messages: new Set<string>(), refusals: 0 });
  // The policy in force can change under the form: an import of this model's files, Apply in
  // another options tab (read again when this tab regains focus). A form without edits follows
  // it; one with edits keeps them and says so, until the admin loads it or applies over it.
  const inForceKey = tiersKey(manifest.tiers);
  const [seenInForceKey, setSeenInForceKey] = useState(inForceKey);
  // What this form's Apply saved, the form it submitted and the form that leaves (`appliedFormOf`), until read back as the policy in force.
  const [saved, setSaved] = useState<{ key: string; submitted: PolicyForm; form: PolicyForm } | null>(null);
  const edited = !sameForm(form, filled.form);
  const refill = (reason: Refill['reason']) => {
    const refilledForm = policyFormOf(manifest.tiers, keptFigures);
    setFilled({ tiers: manifest.tiers, form: refilledForm });
    setForm(refilledForm);
    setUnreadable(new Set());
    setFound({ messages: new Set(), refusals: 0 });
    setRefilled({ reason });
  };
  // Adjusted while rendering (not in an effect): the page never shows the form beside a policy in force it has not taken in.
  if (saved?.key === inForceKey) {
    setFilled({ tiers: manifest.tiers, form: saved.form });
    // The hidden thresholds, unless edited since the Apply, now show those it applied, as the form it left does.
    const { submitted, form: left } = saved;
    setForm((current) => ({
      ...current,
      hotPercent: current.hotPercent === submitted.hotPercent ? left.hotPercent : current.hotPercent,
      warmPercent: current.warmPercent === submitted.warmPercent ? left.warmPercent : current.warmPercent,
    }));
    setSaved(null);
  } else if (inForceKey !== seenInForceKey && inForceKey !== tiersKey(filled.tiers) && !edited) {
    refill('changed');
  }
  if (inForceKey !== seenInForceKey) setSeenInForceKey(inForceKey);
  const changedSinceFilled = inForceKey !== tiersKey(filled.tiers);
  // The figures kept with the policy are read apart from it, so another tab's Apply can reach this
  // page in two steps: a form without edits takes them too (the policy's own figures still win).
  // Not when this render refilled the form or took in its Apply: that form has them already.
  const [seenKeptFigures, setSeenKeptFigures] = useState(keptFigures);
  if (keptFigures !== seenKeptFigures) {
    setSeenKeptFigures(keptFigures);
    if (!edited && !changedSinceFilled) {
      const followed = { ...filled.form, ...formEconomicsOf(filled.tiers.policy, keptFigures) };
      setFilled({ tiers: filled.tiers, form: followed });
      setForm(followed);
    }
  }
  // A reload can take away the element that had the focus (a field the other policy has not, the
  // Load button itself): the focus then goes to the policy chosen, where the form starts again.
  const formRef = useRef<HTMLFormElement>(null);
  const lastFocused = useRef<Element | null>(null);
  useLayoutEffect(() => {
    const lost = lastFocused.current;
    const focusGone = document.activeElement === null || document.activeElement === document.body || document.activeElement === lost;
    if (refilled && lost && !lost.isConnected && focusGone) formRef.current?.querySelector<HTMLInputElement>('input[name="policy"]:checked')?.focus();
  }, [refilled]);
  // Memoized: the preview view is redrawn only when the form changes, not on each re-tiering step.
  const checked = useMemo(() => readPolicyForm(form, filled.tiers), [form, filled.tiers]);
  const choice = checked.ok ? checked.choice : null;
  // A field holding what is not a number is said to be so, not empty (its only problem: it reads as NaN in the rest).
  const problems = checked.ok
    ? []
    : checked.problems.map((problem) => (problem.fields.length === 1 && unreadable.has(problem.fields[0]) ? { ...problem, message: notANumber(problem.fields[0]) } : problem));
  const checkForm = (refused = false) => setFound({ messages: new Set(problems.map((problem) => problem.message)), refusals: found.refusals + (refused ? 1 : 0) });
  // Thresholds under which every lead the model scored would be hot, or none cold: said beside the fields, not refused (`sortsNoScoredLead`).
  // Of the leads as the preview counts them, whose shares say so too.
  const sortsNoScored = useMemo(
    () => (choice && storedOutcomes ? sortsNoScoredLead(choice, countedLabelled(storedOutcomes, choice.policy, manifest.calibration).ranked) : null),
    [choice, storedOutcomes, manifest.calibration],
  );
  const sortsNoScoredId = useId();
  const problemsId = useId();
  // By the field it is said beside: a field with a problem of its own is in no other (see readPolicyForm).
  const problemId = (problem: PolicyProblem) => `${problemsId}-${problem.fields[0]}`;
  // Unedited, the form shows the policy in force: one it refuses (every lead hot, none cold: applied
  // before the form refused it, or made on the command line) is said at once, or it would show no preview and no reason.
  const shown = problems.filter((problem) => !edited || found.messages.has(problem.message));
  // A capacity policy's thresholds are chosen by the ranks of the leads the model scored, outcome
  // known or not: it waits for their scores to be read, and for one at least. A value policy's
  // come from cost and revenue alone and fixed ones are given, so those apply without any, before
  // the stored scores are read or when reading them failed (their preview then has no outcomes to
  // show), or while the model scores the stored leads. Without a known outcome, any policy's
  // preview says what its tiers hold, not what they yield.
  const needsScoredLeads = form.kind === 'capacity';
  const outcomes = storedOutcomes ?? (needsScoredLeads ? undefined : NO_OUTCOMES);
  const canChoose = outcomes !== undefined && (outcomes.ranked.length > 0 || !needsScoredLeads);
  const canPreview = choice !== null && canChoose;
  // A field with a problem, said or not yet (typing 0 on the way to 0.5): the last preview stays,
  // framed as the previous one under a line saying why it is not this form's, rather than vanishing without a word.
  const unfinished = choice === null && canChoose;
  // A preview is a pure function of its key (dataUpdatedAt is 0 until the outcomes are read): computed once in the worker, never stale.
  const previewOptions = {
    queryKey: queryKeys.tierPolicyPreview(manifest.modelId, storedOutcomes ? labelled.dataUpdatedAt : 0, choice),
    queryFn: async (): Promise<ShownPreview> => {
      if (!outcomes) throw new Error('The stored outcomes are not loaded yet');
      if (!choice) throw new Error('The policy form has problems');
      const preview = await previewInWorker(outcomes, choice.policy, manifest.calibration, choice.economics, choice.fixed);
      const counted = storedOutcomes && countedLabelled(storedOutcomes, choice.policy, manifest.calibration);
      return { preview, economics: choice.economics, labelled: storedOutcomes, counted };
    },
    staleTime: Infinity,
    retry: false,
  };
  // While the worker computes a new preview, the last one stays on screen.
  const preview = useQuery({ ...previewOptions, enabled: canPreview, placeholderData: keepPreviousData });
  const apply = useMutation({
    mutationFn: async ({ choice: { policy, economics }, inForce, form: applied }: { choice: PolicyChoice; inForce: Tiers; form: PolicyForm }) => {
      // The preview of the form as submitted (usually cached), not one still on screen from before;
      // first, as computing it can take seconds, in which another tab's Apply can land.
      const { thresholds } = (await queryClient.fetchQuery(previewOptions)).preview;
      const tiers = { policy, ...thresholds };
      // No later than the save: a re-tiering run begun since is this Apply's (`retierReadBack`).
      const savedAt = Date.now();
      // Changed where this page has not read it yet (another tab's Apply): the admin sees it before
      // replacing it. Compared and saved in one transaction, so no Apply elsewhere lands between.
      if (!(await setTiersIfUnchanged(manifest.modelId, tiers, (current) => tiersKey(current) === tiersKey(inForce)))) throw new Error(CHANGED_UNSEEN);
      // Read back, it is the form's own policy, not one that changed under it.
      setSaved({ key: tiersKey(tiers), submitted: applied, form: appliedFormOf(applied, tiers) });
      // What the form opened again fills in beside the policy's own figures. Applied already, the
      // re-tiering must follow even if this fails: the form would then reopen with the defaults.
      await keepPolicyFigures(manifest.modelId, economics).catch(() => undefined);
      // The background re-scores open badges and re-tiers the stored scores (the `retier` job, in the
      // offscreen document) now, not at the next start or hourly check that would ask for it owed.
      // Saved already: a failure here says so, or the admin would think the policy was not applied at all.
      const retiered = await replyOrReadBack<Retiered>(succeeded(background.retierStoredScores({ modelId: manifest.modelId })), () =>
        retierReadBack(manifest.modelId, savedAt),
      ).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`The policy is saved and badges in this browser use it, but the stored leads could not be re-tiered (${reason}): apply it again to retry.`);
      });
      return { ...retiered, thresholds };
    },
    // Only the manifest's tiers changed here (or elsewhere, if refused); the stored probabilities and outcomes did not.
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.models() }),
  });
  const retiering = apply.isPending && retier?.state === 'running';
  // Said while the form shows the policy applied: beside another one's preview it would read as that one applied, and "In force now" says what is.
  const appliedShown = apply.isSuccess && samePolicyShown(form, apply.variables.form);
  const applyUnavailable = apply.isPending || !canChoose || preview.isError;
  return (
    <form
      ref={formRef}
      onFocus={(event) => (lastFocused.current = event.target)}
      onSubmit={(event) => {
        event.preventDefault();
        // Enter in a field submits too: not while Apply cannot be used.
        if (applyUnavailable) return;
        if (choice) apply.mutate({ choice, inForce: manifest.tiers, form });
        else checkForm(true);
      }}
    >
      <fieldset>
        <legend>How to choose the hot and warm tiers</legend>
        {(
          [
            ['value', 'By business value: the threshold that earns the most'],
            ['capacity', 'By capacity: as many hot and warm leads as the team can work each week'],
            ['fixed', 'Fixed probabilities'],
          ] as const
        ).map(([kind, label]) => (
          <label key={kind} style={{ display: 'block' }}>
            <input type="radio" name="policy" value={kind} checked={form.kind === kind} onChange={() => choose(kind)} /> {label}
          </label>
        ))}
      </fieldset>
      <div className="filters">
        {POLICY_FORM_FIELDS[form.kind].map((field) => (
          <NumberField
            key={field}
            field={field}
            value={form[field]}
            problemIds={
              shown
                .filter((problem) => problem.fields.includes(field))
                .map(problemId)
                .join(' ') || undefined
            }
            onChange={(value, isNotANumber) => {
              set({ [field]: value });
              setUnreadable((current) => new Set([...current].filter((other) => other !== field).concat(isNotANumber ? [field] : [])));
            }}
            noteId={sortsNoScored?.fields.includes(field) ? sortsNoScoredId : undefined}
            onBlur={() => checkForm()}
          >
            {shown
              .filter((problem) => problem.fields[0] === field)
              .map((problem) => (
                // Keyed by the refusals too: the alert comes again, and is said again, at each refused Apply.
                <ErrorState key={`${found.refusals}-${problem.message}`} id={problemId(problem)} message={problem.message} />
              ))}
            {sortsNoScored?.fields[0] === field && (
              <p role="note" id={sortsNoScoredId} data-testid="policy-sorts-no-scored-lead">
                {sortsNoScored.message}
              </p>
            )}
          </NumberField>
        ))}
      </div>
      {/* The thresholds were chosen on other leads (the trainer's, or those stored when last applied): the preview's may differ a little for the same policy. */}
      <p data-testid="policy-in-force">
        In force now: <TierLabel tier="hot" /> from {formatThreshold(manifest.tiers.hot)} likely, <TierLabel tier="warm" /> from {formatThreshold(manifest.tiers.warm)} likely.
        The preview below chooses the thresholds again, on the stored leads: even for the same policy they can differ a little, and applying it moves the tiers to them.
      </p>
      {scoring.run && (
        <p id={scoringId} data-testid="policy-scoring">
          {scoringEveryLeadProgress(scoring.run)}; the preview follows when it is done.{' '}
          {needsScoredLeads
            ? 'A capacity policy waits for it: its thresholds are chosen by the ranks of every lead the model scores.'
            : 'A value or fixed policy applies meanwhile: its thresholds come from the policy alone.'}
        </p>
      )}
      {!scoring.run && (!scoring.settled || labelled.isPending) && <Loading what="stored outcomes" />}
      {scoring.settled && labelled.isError && (
        <ErrorState
          message={`The stored outcomes could not be read (${labelled.error.message}). A capacity policy waits for them; a value or fixed policy applies without them.`}
          action={
            <button type="button" onClick={() => void labelled.refetch()}>
              Try again
            </button>
          }
        />
      )}
      {scoring.settled && labelled.isSuccess && !canChoose && (
        <p data-testid="policy-no-scored-leads">
          A capacity policy's thresholds are chosen by the ranks of the leads the model scored, and it has scored none yet: load the demo data, sync your leads or
          import a file first.
        </p>
      )}
      {canPreview && preview.isPending && <Loading what="the policy preview" />}
      {preview.isError && <ErrorState message={preview.error.message} />}
      {unfinished && (
        <p data-testid="policy-unfinished">
          Finish the fields above to see this policy's preview{preview.data ? '; the one in the dashed frame below is the previous one' : ''}.
        </p>
      )}
      {canChoose && preview.data && (
        <div data-testid="policy-preview" className={unfinished ? 'previous-preview' : undefined}>
          <MemoPolicyPreviewView
            shown={preview.data}
            panelLeads={scoring.settled ? panelLeads.data : undefined}
            outcomeRule={manifest.outcomeRule}
            agesCountedTo={countedTo}
            scoring={scoring.run !== null}
          />
        </div>
      )}
      {/* Just before Apply, which puts the form's policy in place of the one in force: seen, and said, first. */}
      <StatusRegion>
        {changedSinceFilled ? (
          <div data-testid="policy-changed">
            <p>
              The policy in force changed since you opened this form (imported, or applied in another tab): it is now {describeTierPolicy(manifest.tiers)}. The form
              still shows the policy you were editing, and Apply puts it in place of that one.
            </p>
            <button type="button" onClick={() => refill('loaded')}>
              Load the policy in force
            </button>
          </div>
        ) : (
          refilled && (
            <p data-testid="policy-refilled">
              {refilled.reason === 'changed'
                ? `The policy in force changed (imported, or applied in another tab): the form now shows it, ${describeTierPolicy(manifest.tiers)}.`
                : `The form now shows the policy in force, ${describeTierPolicy(manifest.tiers)}.`}
            </p>
          )
        )}
      </StatusRegion>
      {/* Offered with problems in the form too: Apply then says them (and applies nothing). */}
      <FocusKeepingButton type="submit" unavailable={applyUnavailable} aria-describedby={scoring.run && needsScoredLeads ? scoringId : undefined}>
        {apply.isPending ? 'Applying…' : 'Apply this policy'}
      </FocusKeepingButton>
      {retiering && <JobProgressBar label="Re-tiering stored leads" done={retier.done} total={retier.total} />}
      {/* On the page before, so that the re-tiering and its end are announced; the bar's label says the first in sight. */}
      <StatusRegion>
        {retiering && <p className="visually-hidden">Re-tiering stored leads…</p>}
        {appliedShown && (
          <p data-testid="policy-applied">
            {/* The thresholds as applied: a preview on screen can still be the last form's while the new one is computed. */}
            {'unfinished' in apply.data ? (
              <>
                Applied (hot from {formatThreshold(apply.data.thresholds.hot)}, warm from {formatThreshold(apply.data.thresholds.warm)} likely): badges in this
                browser use it. {RETIER_UNFINISHED[apply.data.unfinished]}
              </>
            ) : (
              <>
                Applied: {apply.data.changed === null ? 'the stored leads are tiered by it' : `${plural(apply.data.changed, 'stored lead', 'stored leads')} changed tier`} (hot
                from {formatThreshold(apply.data.thresholds.hot)}, warm from {formatThreshold(apply.data.thresholds.warm)} likely); open badges update.
              </>
            )}
          </p>
        )}
      </StatusRegion>
      {apply.isError && <ErrorState message={apply.error.message} />}
    </form>
  );
}

/** The thresholds a policy gives, what each tier yields, and the curves they sit on. */
function PolicyPreviewView({
  shown: { preview, economics, labelled, counted },
  panelLeads,
  outcomeRule,
  agesCountedTo,
  scoring,
}: {
  shown: ShownPreview;
  /** The leads the side panel counts (`panelLeadsOf`); undefined until read. */
  panelLeads: PanelLeads | undefined;
  /** Whether the model is scoring the stored leads, which the page says above: their outcomes wait for it, the reason they are not loaded. */
  scoring: boolean;
  /** The model's own meaning of "converted", which labelled the leads; absent, their stored outcome did. */
  outcomeRule: ModelOutcomeRule | undefined;
  /** What the leads' ages count to (`useAgesCountedTo`). */
  agesCountedTo: AgesCountedTo;
}) {
  // The curves are of the leads of known outcome: none to chart without them.
  const charted = labelled ? preview : null;
  const thresholds = (
    <>
      <p data-testid="policy-thresholds">
        <TierLabel tier="hot" /> from {formatThreshold(preview.thresholds.hot)} likely, <TierLabel tier="warm" /> from {formatThreshold(preview.thresholds.warm)} likely.
      </p>
      {/* A tie at a cut: the tiers hold more (or fewer) leads than the team said it can work. */}
      {preview.capacityNotes.length > 0 && (
        <p role="note" data-testid="policy-capacity-off">
          {preview.capacityNotes.join(' ')}
        </p>
      )}
    </>
  );
  // A value or fixed policy applies without outcomes; what its tiers would yield has nothing to be read from.
  if (labelled === undefined || counted === undefined) {
    if (scoring) return thresholds;
    return (
      <>
        {thresholds}
        <p data-testid="policy-no-outcomes">
          The stored outcomes are not loaded, so what each tier would yield cannot be previewed: these thresholds come from the policy alone.
        </p>
      </>
    );
  }
  const known = labelled.labels.length;
  // "Salesforce leads" when a CRM's leads alone are ranked (`rankedCrmOf`), as the counts are.
  const rankedCrm = rankedCrmOf(outcomeRule);
  const rankedCrmWord = rankedCrm ? `${CRM_LABEL[rankedCrm]} ` : '';
  // What the side panel will count once applied, of every stored lead it tiers, beside what the preview counts of the leads it ranks.
  const shownTiers = panelLeads ? describeShownTiers({ ...counted, learntFromScores: labelled.learntFromScores }, rankedCrmWord, panelLeads, preview.thresholds) : null;
  const shownTiersNote = shownTiers && (
    <p role="note" data-testid="policy-side-panel">
      {shownTiers}
    </p>
  );
  if (known === 0) {
    const whenOutcomeCounts = describeWhenOutcomeCounts(settledDaysOf(outcomeRule), false, agesCountedTo);
    // No lead scored either: its tiers' shares have nothing to be read from.
    if (preview.scoredLeads === 0) {
      return (
        <>
          {thresholds}
          <p data-testid="policy-no-outcomes">
            No stored lead has a known outcome yet ({whenOutcomeCounts}), so what each tier would yield cannot be previewed: these thresholds come from the policy alone.
          </p>
        </>
      );
    }
    return (
      <>
        {thresholds}
        <p data-testid="policy-no-outcomes">
          No stored lead has a known outcome yet ({whenOutcomeCounts}), so each tier's conversions, conversion rate and profit are unknown; its contacts are its share
          of the {plural(preview.scoredLeads, 'lead', 'leads')} the model scored.
        </p>
        <TierYields preview={preview} economics={economics}>
          {shownTiersNote}
        </TierYields>
      </>
    );
  }
  return (
    <>
      {thresholds}
      {known < FEW_LEADS_FOR_A_RATE && (
        <p role="note" data-testid="policy-few-outcomes">
          Only {plural(known, 'stored lead has', 'stored leads have')} a known outcome: the rates and profit below could be far off by chance.
        </p>
      )}
      <TierYields preview={preview} economics={economics}>
        <p data-testid="policy-sources">
          Contacts are each tier's share of the {plural(preview.scoredLeads, `${rankedCrmWord}lead`, `${rankedCrmWord}leads`)} the model scored, outcome known or not; conversions, rates and profit are
          read from the {known.toLocaleString('en-US')} of them whose outcome is known, each tier's from those in it (counted beside its rate).
          {labelled.heldOut > 0 &&
            ` The leads the model learnt from count by the probability a check model trained without them gave them${learntFromBasisWords(counted.learntFromBy)}, not by the score they show.`}
          {chartBasisNote(preview, known)}
        </p>
        {shownTiersNote}
      </TierYields>
      {charted && (
        <div className="chart-grid">
          {Object.entries(POLICY_CHARTS).map(([name, chart]) => (
            <PolicyChart key={name} charted={charted} chart={chart} />
          ))}
        </div>
      )}
      <LabelledLeadsNote
        labelled={labelled}
        learntFromBy={counted.learntFromBy}
        outcomeRule={outcomeRule}
        agesCountedTo={agesCountedTo}
        computed="Conversions, rates, profit and the curves are computed"
      />
    </>
  );
}

/**
 * What each tier holds and yields a week, and what working it earns: unknown, as the table and
 * the profit say, for a tier with no lead of known outcome, and too few to go by for one with a
 * handful (the page's note on few outcomes counts them all, and 200 known can leave hot 1).
 * `children`: said between the two.
 */
function TierYields({ preview, economics, children }: { preview: PolicyPreview; economics: Economics; children?: ReactNode }) {
  const [hotProfit, warmProfit] = [tierProfitPerPeriod(preview.outcomes.hot, economics), tierProfitPerPeriod(preview.outcomes.warm, economics)];
  return (
    <>
      <table data-testid="policy-outcomes">
        <caption style={{ textAlign: 'left', fontWeight: 600 }}>Expected per week ({plural(economics.leadsPerPeriod, 'new lead', 'new leads')})</caption>
        <thead>
          <tr>
            <th scope="col">Tier</th>
            <th scope="col">Contacts</th>
            <th scope="col">Conversions</th>
            <th scope="col">Conversion rate</th>
          </tr>
        </thead>
        <tbody>
          {TIERS.map((tier) => (
            <tr key={tier}>
              <th scope="row">
                <TierLabel tier={tier} />
              </th>
              <td>{weeklyCount(preview.outcomes[tier].expectedContacts)}</td>
              <td>{conversionsOrUnknown(preview.outcomes[tier].expectedConversions)}</td>
              <td>{rateOf(preview.outcomes[tier])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {children}
      {/* Each tier's apart: a value policy's warm leads are below break-even, so working them too loses money. */}
      <p data-testid="policy-profit-hot">
        {preview.outcomes.hot.share === 0
          ? 'Working the hot leads: no lead would be hot, so there are none to work.'
          : hotProfit === null
            ? 'Working the hot leads: the expected profit is unknown, as no hot lead has a known outcome to read its conversions from.'
            : `Working the hot leads: expected profit ${formatMoney(hotProfit)} a week (at ${formatMoney(economics.revenuePerConversion, { asTyped: true })} per conversion, ${formatMoney(economics.costPerContact, { asTyped: true })} per contact).${fewBehindProfit('hot', preview.outcomes.hot)}`}
      </p>
      <p data-testid="policy-profit-warm">
        {preview.outcomes.warm.share === 0
          ? 'Working the warm leads too: no lead would be warm, so there are none to work.'
          : warmProfit === null
            ? 'Working the warm leads too: the expected profit is unknown, as no warm lead has a known outcome to read its conversions from.'
            : `Working the warm leads too: ${formatMoney(warmProfit, { signed: true })} a week${warmProfit < 0 ? ' (they convert too rarely to pay for their contacts: nurture them rather than work them).' : '.'}${fewBehindProfit('warm', preview.outcomes.warm)}`}
      </p>
    </>
  );
}

/**
 * Why the profit chart's dots are not the weekly profits per lead: the chart counts the leads of
 * known outcome, the contacts every scored lead, and the tiers' shares of the two can differ far
 * (a file of leads still open beside a synced history). Nothing to say when the two are one.
 */
function chartBasisNote({ outcomes, scoredLeads }: PolicyPreview, known: number): string {
  if (known === scoredLeads) return '';
  const shareOfKnown = (tier: 'hot' | 'warm') => formatRate(outcomes[tier].withOutcome / known);
  return (
    ` The profit chart below is per lead of those ${known.toLocaleString('en-US')}, of whom ${shareOfKnown('hot')} are hot and ${shareOfKnown('warm')} warm` +
    ` (of every lead scored, ${formatRate(outcomes.hot.share)} and ${formatRate(outcomes.warm.share)}), so its dots are not the weekly profits above per lead.`
  );
}

/** The policy's curves, as charts of a preview; a rate no lead with a known outcome can tell is said unknown, as the model report says it. */
const POLICY_CHARTS: Record<string, (preview: PolicyPreview) => CurveChartProps> = {
  profit: (preview) => ({
    title: 'Profit by threshold',
    description: `profit per lead if every lead above the threshold is contacted; hot at ${formatThreshold(preview.thresholds.hot)}, warm at ${formatThreshold(preview.thresholds.warm)}`,
    points: preview.profit,
    xLabel: 'Contact threshold %',
    yLabel: 'Profit per lead ($)',
    percentAxes: 'x',
    markers: [
      { label: 'Hot', point: [preview.thresholds.hot, profitAt(preview.profit, preview.thresholds.hot)] },
      { label: 'Warm', point: [preview.thresholds.warm, profitAt(preview.profit, preview.thresholds.warm)] },
    ],
  }),
  precisionRecall: ({ pr, markers: { hot, warm } }) => ({
    title: 'Precision–recall',
    description: `hot: recall ${recallAt(hot.confusion)}, precision ${precisionAt(hot.confusion)}; hot and warm together: recall ${recallAt(warm.confusion)}, precision ${precisionAt(warm.confusion)}`,
    points: pr,
    xLabel: 'Recall %',
    yLabel: 'Precision %',
    markers: [{ label: 'Hot', point: hot.pr }, { label: 'Warm', point: warm.pr }],
  }),
  roc: ({ roc, markers: { hot, warm } }) => ({
    title: 'ROC',
    description: `conversions caught (recall): hot ${recallAt(hot.confusion)}, hot and warm together ${recallAt(warm.confusion)}`,
    points: roc,
    xLabel: 'False-positive rate %',
    yLabel: 'True-positive rate %',
    diagonal: true,
    markers: [{ label: 'Hot', point: hot.roc }, { label: 'Warm', point: warm.roc }],
  }),
};

// Each policy curve redraws in its own task when the preview changes: drawn together with
// 100,000 stored leads they block the page for a quarter of a second.
const PolicyChart = memo(function PolicyChart({ charted, chart }: { charted: PolicyPreview; chart: (preview: PolicyPreview) => CurveChartProps }) {
  const shown = useInTurn(charted);
  return <CurveChart {...chart(shown)} />;
});

/** Its charts are costly to redraw: not on every progress step of a re-tiering job, only when the preview or the form changes. */
const MemoPolicyPreviewView = memo(PolicyPreviewView);

/** The profit curve's value nearest a threshold (for placing its marker). */
function profitAt(curve: readonly [number, number][], threshold: number): number {
  if (curve.length === 0) return 0;
  return curve.reduce((best, point) => (Math.abs(point[0] - threshold) < Math.abs(best[0] - threshold) ? point : best))[1];
}

export function TierPolicySection() {
  const manifest = useActiveManifest();
  const modelId = manifest.data?.modelId;
  // Under the manifest's key: read again whenever it is (an Apply here or in another tab, this tab regaining focus).
  const keptFigures = useQuery({ queryKey: queryKeys.tierPolicyFigures(modelId ?? ''), queryFn: () => policyFiguresOf(modelId!), enabled: modelId !== undefined });
  // A policy a newer LeadLens set is passed over (`newerTierPolicy`): the form shows, and Apply replaces, the thresholds the model came with.
  const setByNewerVersion = useQuery({
    queryKey: queryKeys.newerTierPolicy(modelId ?? ''),
    queryFn: async () => (await newerTierPolicy(modelId!)) !== undefined,
    enabled: modelId !== undefined,
  });
  if (manifest.isPending) return <Loading what="the tier policy" />;
  if (manifest.isError) return <ErrorState message={manifest.error.message} />;
  if (keptFigures.isPending) return <Loading what="the tier policy" />;
  if (keptFigures.isError) return <ErrorState message={keptFigures.error.message} />;
  return (
    <>
      {setByNewerVersion.data && (
        <p data-testid="newer-tier-policy">
          The tier policy kept for the active model, {manifest.data.modelId}, was set by a newer version of LeadLens, which this version cannot read. Until LeadLens is
          updated, the model scores with the thresholds it came with (in force now, below). Applying a policy here replaces the newer one: to keep a copy of it,
          export the model under Model versions first.
        </p>
      )}
      <PolicyEditor key={manifest.data.modelId} manifest={manifest.data} keptFigures={keptFigures.data} />
    </>
  );
}
