/**
 * Train a model on the company's own history: choose the leads (source and window) and what
 * "converted" means, check the data (counts, the leakage guard's flags, candidate features
 * mapped with suggestions), train in a Web Worker with progress and cancel, read the report,
 * activate. Too little data is said plainly, with what it means.
 *
 * The form's parts are in ./training: the leads and the outcome (LeadsFieldset, OutcomeFieldset),
 * the data check and the feature choices it answers with (useDataCheck, FeaturePicker), the
 * training's progress and report (TrainingProgress, TrainingReport). This file keeps the form's
 * values, training and activation, and the layout.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { FocusKeepingButton, useFocusBackWhenJobEnds } from '@/components/KeepFocus';
import { ErrorState, StatusRegion } from '@/components/StatusMessage';
import { CRM_LABEL, type CrmKind } from '@/lib/crm/types';
import type { SourceKind } from '@/lib/ml/featurize';
import type { Tiers } from '@/lib/ml/manifest';
import { background } from '@/lib/messaging/client';
import type { SyncSummary } from '@/lib/messaging/protocol-sync';
import { onEvent } from '@/lib/messaging/events';
import { succeeded } from '@/lib/messaging/reply';
import { MODEL_CHANGE_MUTATION, useActiveManifest, useModelChangeRunning, useReplacedSinceActive } from '@/lib/ui/hooks';
import { useLeaveWarning } from '@/lib/ui/use-leave-warning';
import { modelExists } from '@/lib/ml/model-exists';
import {
  addCheckedModel,
  crmFieldsNote,
  keepHeldOutScores,
  recordNewerReading,
  takePolicyAppliedSince,
  takePolicyInForce,
  type PolicyTaken,
  type TrainedModel,
} from '@/lib/ml/model-versions';
import { fieldsOfRule } from '@/lib/ml/outcome-rule';
import { describeTierPolicy } from '@/lib/ml/tier-policy';
import { describeDataSize } from '@/lib/ml/train/data-size';
import { HUBSPOT_LIFECYCLE_FIELD, lifecycleOrder } from '@/lib/crm/hubspot-lifecycle';
import { lifecycleRuleInOrder, suggestOutcome, withKnownOutcomeFields } from '@/lib/ml/train/outcome-suggestions';
import { choiceFieldsOf, describeLeftOut, withCrmOptionLabels, type LeftOut, type OutcomeRule } from '@/lib/ml/train/training-set';
import { TrainingEventSchema, type TrainingData, type TrainingEvent, type TrainingRequest } from '@/lib/ml/train/worker-protocol';
import { lastSyncOutcome } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { FeaturePicker, SharedFieldsAlert } from './training/FeaturePicker';
import { historySample, storedLeadSources } from './training/history-sample';
import { emptyWindowProblem, historyLabel, LeadsFieldset, MIN_AGE_DAYS, SOURCES, trainingWindow, undatedHistory, useWholeNumberField, WINDOW_MONTHS } from './training/LeadsFieldset';
import { OutcomeFieldset, outcomeMissing } from './training/OutcomeFieldset';
import { describeTrainingStage, TrainingProgress } from './training/TrainingProgress';
import { TrainingReport, type ComparedWith } from './training/TrainingReport';
import { useDataCheck } from './training/use-data-check';
import { useWorkerJob, type WorkerJobState } from './use-worker-job';
import { ActionStatus } from './ConfirmedAction';
import { activationDone, ActivationScoringProgress } from './Versions';

const PURGED_NOTE = 'Everything LeadLens stored was purged: the training, and any model it trained on those leads, were dropped.';
const CROSS_VALIDATION_FOLDS = 5;
const LEADS_CHANGED_SINCE_TRAINING = 'The leads changed since this model was trained: check the data and train again to activate a model of them.';

/**
 * Where the leads of `source` come from, said when it has none: each source fills differently. A
 * connected CRM's last sync may tell why it filled none (`lastSyncOutcome`).
 */
function noHistoryAdvice(source: SourceKind, syncs: readonly SyncSummary[] | undefined): string {
  const label = historyLabel(source);
  if (source === 'csv') return `No ${label} leads are stored yet: import a file under Import and export CSV, or choose another History above.`;
  const crm = CRM_LABEL[source];
  const sync = syncs?.find((summary) => summary.crm === source && summary.stored === 0 && summary.connection !== 'disconnected');
  const lastSync = lastSyncOutcome(sync, `the last ${crm} sync`);
  if (lastSync.kind === 'stopped') return `No ${label} are stored: ${lastSync.clause}. See why under Sync, load the demo data, or choose another History above.`;
  if (lastSync.kind === 'found-none') {
    return `No ${label} are stored: ${lastSync.clause}. ${lastSync.askAdmin}, then sync again under Sync; or load the demo data, or choose another History above.`;
  }
  return `No ${label} are stored yet: connect ${crm} under CRM connections and sync it under Sync, load the demo data, or choose another History above.`;
}

/** `noHistoryAdvice`, with the syncs' state as the Sync section reads it (its polling and a run's end read it again). */
function NoHistoryAdvice({ source }: { source: SourceKind }) {
  const syncs = useQuery({ queryKey: queryKeys.syncs(), queryFn: () => succeeded(background.syncStatus({})), enabled: source !== 'csv' });
  return <p data-testid="no-history">{noHistoryAdvice(source, syncs.data?.syncs)}</p>;
}

/** The stored history of `source`, as the form samples it (read again after syncs, imports and deletions). */
const historyQuery = (source: SourceKind) => queryOptions({ queryKey: queryKeys.trainingHistory(source), queryFn: () => historySample(source) });

/** The History the form starts on (the first source with stored leads), and the sources with the admin's own leads (`storedLeadSources`). */
const storedLeadSourcesQuery = queryOptions({
  queryKey: queryKeys.trainingStartingSource(),
  queryFn: () => storedLeadSources(SOURCES.map((option) => option.value)),
});

/**
 * How `crm` labels the options of its choice `fields` on its pages (none when it is not
 * connected): kept in the model, so a badge reading a page's label scores the value the model
 * learned. Without an answer the catalogue's labels stay, and training goes on.
 */
const optionLabelsQuery = (crm: CrmKind | null, fields: readonly string[]) =>
  queryOptions({
    queryKey: queryKeys.crmOptionLabels(crm, fields),
    queryFn: async () => (await succeeded(background.crmOptionLabels({ crm: crm!, fields: [...fields] }))).labels,
    enabled: crm !== null && fields.length > 0,
    staleTime: 10 * 60_000,
    retry: false,
  });

/**
 * The connected HubSpot portal's own lifecycle stages, in its order (none when it is not
 * connected): the lifecycle rule follows them. Without an answer HubSpot's default order stays.
 */
const lifecycleStagesQuery = (enabled: boolean) =>
  queryOptions({
    queryKey: queryKeys.crmLifecycleStages(),
    queryFn: async () => (await succeeded(background.crmLifecycleStages({}))).stages,
    enabled,
    staleTime: 10 * 60_000,
    retry: false,
  });

type Trained = Extract<TrainingEvent, { type: 'trained' }>;

/**
 * What the worker job's live region says: the check running, the training's stage (and fold),
 * and how training ended. Never the boosting rounds: they change ~10 times a second.
 */
function jobAnnouncement(state: WorkerJobState<TrainingRequest, TrainingEvent>): string {
  if (state.kind === 'running' && state.request === 'inspect') return 'Checking the data…';
  if (state.kind === 'running' && state.request === 'check-features') return 'Checking the changed fields…';
  if (state.kind === 'running') {
    return `Training: ${describeTrainingStage(state.progress, CROSS_VALIDATION_FOLDS).toLowerCase()}`;
  }
  if (state.kind === 'cancelled') return state.request === 'train' ? 'Training cancelled. Nothing was saved.' : 'Check cancelled.';
  if (state.kind === 'finished' && state.event.type === 'trained') return 'Training finished: the report is below.';
  if (state.kind === 'finished' && state.event.type === 'features-checked') return 'The changed fields are checked: see their notes.';
  // A failure is announced by its alert.
  return '';
}

/** How many leads the window and the outcome left out, and why, beside the counts they are missing from. */
function LeftOutNote({ counts, outcome }: { counts: LeftOut; outcome: OutcomeRule }) {
  const sentences = describeLeftOut(counts, outcome);
  return sentences.length > 0 ? <p data-testid="left-out">{sentences.join(' ')}</p> : null;
}

/** Said before a job's button while a trained model waits: the job's answer takes the place of the model's report, and of the model. */
function ReplacesTrainedModelNote({ id, job }: { id: string; job: string }) {
  return (
    <p id={id}>
      {job} replaces the report of the model trained below: activate it first to keep it.
    </p>
  );
}

/**
 * After the switch: a tier policy applied to the model replaced since `takePolicyInForce` read it
 * is given to the new model too (`takePolicyAppliedSince`), and its stored scores re-tiered with
 * it, as Tier policy's Apply does. The model is active whatever comes of this: a failure is said
 * (`problem`), not thrown, or the page would offer to activate a model already active.
 */
async function takePolicyAppliedDuringActivation(model: TrainedModel, taken: PolicyTaken): Promise<{ applied: Tiers | null; problem: string }> {
  const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
  let applied: Tiers | null;
  try {
    applied = await takePolicyAppliedSince(model, taken);
  } catch (error) {
    return { applied: null, problem: ` Whether a tier policy was applied while it was activated could not be read (${reasonOf(error)}): check it under Tier policy.` };
  }
  if (!applied) return { applied, problem: '' };
  // Owed already (saved with it): a failure here leaves it to the next start or hourly check.
  const retiered = await succeeded(background.retierStoredScores({ modelId: model.modelId })).then(
    () => '',
    (error: unknown) => ` The stored leads could not be re-tiered with it yet (${reasonOf(error)}): the hourly check does it.`,
  );
  return { applied, problem: retiered };
}

const createTrainingWorker = () => new Worker(new URL('../../../lib/ml/train/worker.ts', import.meta.url), { type: 'module' });
const WORKER_FAILED = { type: 'failed', error: 'The training worker stopped unexpectedly.' } as const;

export function TrainingSection() {
  const queryClient = useQueryClient();
  // The History shown: the one the stored leads give (`storedLeadSources`, below) until the admin chooses one.
  const [shownSource, setShownSource] = useState<SourceKind | null>(null);
  const [adminChose, setAdminChose] = useState(false);
  const source = shownSource ?? SOURCES[0].value;
  // Read once a History is shown: not a history the form would leave at once.
  const history = useQuery({ ...historyQuery(source), enabled: shownSource !== null });
  const active = useActiveManifest();
  const [outcome, setOutcome] = useState<OutcomeRule | null>(null);
  // One worker for the check and the training: one job at a time.
  const worker = useWorkerJob<TrainingRequest, TrainingEvent>(createTrainingWorker, TrainingEventSchema, WORKER_FAILED);
  const finished = worker.state.kind === 'finished' ? worker.state.event : null;
  const trained = finished?.type === 'trained' ? finished : null;
  // What the keys of the leads the last training read named (`HistorySample.keysName`): its held-out probabilities are kept by key.
  const [trainedOn, setTrainedOn] = useState<string | null>(null);
  // The active model the last training was compared with, and the features its leakage guard left out, as it began: the report's comparison reads them.
  const [comparedWith, setComparedWith] = useState<ComparedWith | undefined>(undefined);
  // The trained model's own history: the form may show another source since.
  const trainedHistory = useQuery({ ...historyQuery(trained?.data.source ?? source), enabled: trained !== null });

  // What the activation is doing: checking the model (and installing it), then waiting for the background to score every stored lead with it (minutes).
  const [activationStage, setActivationStage] = useState<'checking' | 'scoring'>('checking');
  const activate = useMutation({
    mutationKey: MODEL_CHANGE_MUTATION,
    // `trigger`: the button that started it, whose focus the activation's status line takes (`ActionStatus`).
    mutationFn: async ({ model, keysName }: { model: Trained; keysName: string | null; trigger: Element }) => {
      const { modelId } = model.manifest;
      // Read again, not taken from the page: the form may not have heard yet of an import that just ended.
      if ((await queryClient.fetchQuery({ ...historyQuery(model.data.source), staleTime: 0 })).keysName !== keysName) throw new Error(LEADS_CHANGED_SINCE_TRAINING);
      // Usable only once the engine has loaded it and run check rows, as an imported model. The
      // same history and settings train the same model (same id): then it is installed already,
      // and its stored copy takes this training's record of the reading of its fields (one trained
      // before a reading changed is told to train it again: this is that training).
      if (await modelExists(modelId)) await recordNewerReading(modelId, model.manifest);
      else await addCheckedModel(model.manifest, model.onnx, 'trained', (id) => background.checkModel({ modelId: id }));
      // Before the switch, so its tier policy is first previewed on the probabilities its thresholds were chosen on.
      await keepHeldOutScores(modelId, model.heldOut);
      // The policy in force, read after the check (seconds, in which another tab may apply one) and
      // just before the switch, which scores the stored leads, and tiers badges, with it.
      const trainedModel = { modelId, tiers: model.manifest.tiers, heldOutProbabilities: model.heldOut.probabilities };
      const taken = await takePolicyInForce(trainedModel);
      // Remembers the model it replaces (Roll back), tells CRM tabs, scores the stored leads.
      setActivationStage('scoring');
      const scoring = await succeeded(background.activateModel({ modelId }));
      // One applied to the replaced model between the read and the switch is not lost either.
      const appliedSince = await takePolicyAppliedDuringActivation(trainedModel, taken);
      const policyApplied = appliedSince.applied ?? taken.applied;
      const policyTaken = (policyApplied ? ` It takes the tier policy applied since its training began: ${describeTierPolicy(policyApplied)}.` : '') + appliedSince.problem;
      // A model trained on one source's fields scores none of another's leads: said, as Model versions says it.
      return { modelId, said: activationDone(`Model ${modelId} is active`, scoring, crmFieldsNote(model.manifest), policyTaken) };
    },
    // The leads are read again when the activation's scoring job ends (App).
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.models() }),
  });
  // Model versions' activate, roll back or delete runs: the one to land last would be the active model.
  const versionsChangeRuns = useModelChangeRunning() && !activate.isPending;
  const activatedThenReplaced = useReplacedSinceActive(activate.isSuccess ? activate.data.modelId : undefined);
  // The activation's stage while it runs, then how it ended.
  let activationSaid = '';
  if (activate.isPending) {
    activationSaid = activationStage === 'checking' ? 'Checking the model…' : `Activating ${activate.variables.model.manifest.modelId}: scoring the stored leads with it…`;
  } else if (activate.isSuccess) {
    activationSaid = activatedThenReplaced ? `Model ${activate.data.modelId} is no longer active: another model was activated since.` : activate.data.said;
  }

  // "Purge everything" deleted the leads a training reads: a running one stops, and a model
  // trained on them (it holds their values, and their keys) is no longer offered.
  const [purged, setPurged] = useState(false);
  const { reset: resetWorker } = worker;
  const { reset: resetActivation } = activate;
  // Whether a training runs or its report is shown: only then does the purge drop something to tell of.
  const trainingShown = useRef(false);
  trainingShown.current = (worker.state.kind === 'running' && worker.state.request === 'train') || finished?.type === 'trained';
  useEffect(() => {
    const controller = new AbortController();
    onEvent(
      'storedDataDeleted',
      ({ everything }) => {
        if (!everything) return;
        setPurged(trainingShown.current);
        resetWorker();
        resetActivation();
      },
      controller.signal,
    );
    return () => controller.abort();
  }, [resetWorker, resetActivation]);

  // A trained model not activated yet whose leads' keys name other leads since it was trained (a
  // new import of the same file in another order, another org's sync) is not activated: its
  // held-out probabilities, kept by lead key, would be paired with other leads' outcomes.
  const leadsChangedSinceTraining = trained !== null && !activate.isSuccess && trainedHistory.data !== undefined && trainedHistory.data.keysName !== trainedOn;
  // A trained model not activated yet: a new job would take the place of its report (and the model with it).
  const trainedModelWaits = trained !== null && !activate.isSuccess && !leadsChangedSinceTraining;
  const noteIds = useId();
  const checkWarningId = `${noteIds}-check`;
  const checkFieldsWarningId = `${noteIds}-check-fields`;
  const trainWarningId = `${noteIds}-train`;
  const leadsChangedId = `${noteIds}-leads-changed`;
  const versionsWaitId = `${noteIds}-versions-wait`;
  const readingLabelsId = `${noteIds}-reading-labels`;
  const readingStagesId = `${noteIds}-reading-stages`;
  const readingHistoryId = `${noteIds}-reading-history`;
  const noFeatureId = `${noteIds}-no-feature`;
  const sharedFieldsId = `${noteIds}-shared-fields`;
  const windowProblemId = `${noteIds}-window`;

  const dataCheck = useDataCheck({
    worker,
    source,
    history: history.data,
    activeModel: active.data,
    // While a trained model waits, or is being activated, the admin checks changed fields when ready.
    checkMovedFields: !activate.isPending && !trainedModelWaits,
  });
  const { inspected, changing } = dataCheck;
  const checkedCrm = inspected && inspected.data.source !== 'csv' ? inspected.data.source : null;
  // The fields the features take a category from, and the outcome rule's: the model describes its rule by the labels of its values.
  const labelledFields = inspected && checkedCrm ? [...new Set([...choiceFieldsOf(dataCheck.includedSpecs(), checkedCrm), ...fieldsOfRule(inspected.data.outcome)])] : [];
  const optionLabels = useQuery(optionLabelsQuery(checkedCrm, labelledFields));
  // Training waits for the answer (at most the background's timeout): the same history then trains the same model.
  const readingLabels = optionLabels.isLoading;
  const changeOutcome = changing(setOutcome);
  const lifecycleStages = useQuery(lifecycleStagesQuery(source === 'hubspot'));
  // The portal's stages last read on this page: a Disconnect answers none, while the stored
  // contacts are still that portal's, and the rule would lose its own stages' place (another
  // portal connected answers its own).
  const lastPortalStages = useRef(lifecycleStages.data ?? []);
  if (lifecycleStages.data && lifecycleStages.data.length > 0) lastPortalStages.current = lifecycleStages.data;
  const portalStages = source === 'hubspot' ? lastPortalStages.current : [];
  const stageOrder = lifecycleOrder(portalStages.map((stage) => stage.value));
  // The check counts conversions by the rule: a lifecycle rule's check waits for the portal's
  // order (at most the background's timeout), which may change the rule (below).
  const readingStages = lifecycleStages.isLoading && outcome?.field === HUBSPOT_LIFECYCLE_FIELD;
  // The sample's values with the CRM's own outcome field and every value it can hold, merged here
  // where the portal's stages are known (its own stages then, else HubSpot's defaults): a rare
  // conversion falls out of a sample, the field with it.
  const outcomeValues = history.data ? withKnownOutcomeFields(source, history.data.outcomeValues, portalStages.map((stage) => stage.value)) : {};
  // The window's numbers as typed: an emptied, negative, fractional or out-of-range field is
  // refused, not read as 0 (an empty window; every lead, however new), and the last valid number stays.
  const months = useWholeNumberField(WINDOW_MONTHS, () => dataCheck.dropCheck());
  const minAgeDays = useWholeNumberField(MIN_AGE_DAYS, () => dataCheck.dropCheck());
  // The outcome rule each History had when the form left it, while the page is open: switching
  // back gives the admin's rule again, held to that source's leads as any rule (the effect below).
  const outcomeBySource = useRef<Partial<Record<SourceKind, OutcomeRule | null>>>({});
  // A source not shown yet on this page starts from its suggested outcome, once its history is read.
  const showSource = changing((next: SourceKind) => {
    outcomeBySource.current[source] = outcome;
    setOutcome(outcomeBySource.current[next] ?? null);
    setShownSource(next);
  });
  const changeSource = (next: SourceKind) => {
    setAdminChose(true);
    showSource(next);
  };

  // Until the admin chooses, the stored leads choose, as a reload would: first when the page opens
  // (all its sections at once, often before any lead is stored), then again while the History shown
  // has no lead, or only demo leads, so a CSV import or a sync on this page brings the form to its
  // leads (Demo mode's leads stay stored beside them). The query is read again whenever the leads
  // change. Never over the admin's choice, nor away from a History of the admin's own leads, nor
  // while a training locks the form (it moves once the training ends).
  const shownDemo = history.data?.demo === true;
  const trainingRun = worker.state.kind === 'running' && worker.state.request === 'train' ? worker.state : null;
  const mayMove = !adminChose && trainingRun === null && (shownSource === null || history.data?.leads === 0 || shownDemo);
  // Read too while the History shown is demo leads the admin chose: its note names where their own are.
  const storedSources = useQuery({ ...storedLeadSourcesQuery, enabled: mayMove || shownDemo });
  const withOwnLeads = storedSources.data?.withOwnLeads ?? [];
  // Salesforce, the first History, when the leads cannot be counted: its history says what it can.
  const startingPick = storedSources.data?.starting ?? (storedSources.isError ? SOURCES[0].value : null);
  // From demo leads only to the admin's own: never from one History of made-up leads to another.
  const movesTo = shownDemo && !(startingPick !== null && withOwnLeads.includes(startingPick)) ? null : startingPick;
  useEffect(() => {
    if (mayMove && movesTo !== null && movesTo !== shownSource) showSource(movesTo);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mayMove, movesTo, shownSource]);

  // The rule each source's imported file's import chose, as last read (JSON; null: none), to tell a new import's other rule.
  const importedOutcomeRead = useRef<Partial<Record<SourceKind, string | null>>>({});
  // On a source's first read and when its history changed (see useDataCheck, which drops the
  // check of the history before), the form starts from the rule the import chose for an imported
  // file (its still-open values left out as the import left them out), else from the suggested
  // one. The admin's outcome is then kept while the leads have its field (started again when it
  // is gone), even when the new sample holds one value of it, unless a new import chose another rule;
  // so is the rule a source had when the admin switches back to it (`outcomeBySource`).
  // A lifecycle rule follows the portal's order, read after it or changed since (`lifecycleRuleInOrder`).
  useEffect(() => {
    if (!history.data) return;
    const { fields, importedOutcome } = history.data;
    const importChose = importedOutcome ? JSON.stringify(importedOutcome) : null;
    const importChoseAnew = importChose !== null && importChose !== importedOutcomeRead.current[source];
    importedOutcomeRead.current[source] = importChose;
    if (!outcome || importChoseAnew || !(Object.hasOwn(outcomeValues, outcome.field) || fields.includes(outcome.field))) {
      setOutcome(importedOutcome ?? suggestOutcome(source, outcomeValues, stageOrder));
      return;
    }
    const inOrder = source === 'hubspot' ? lifecycleRuleInOrder(outcome, stageOrder) : outcome;
    // Through `changeOutcome`: a check of the rule before is dropped.
    if (inOrder !== outcome) changeOutcome(inOrder);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [history.data, stageOrder.join('\n')]);

  const trainingData = (): TrainingData | null => {
    if (!outcome || !history.data) return null;
    const now = Date.now();
    // Demo mode's made-up leads (the source has no others) go with the model: it is then said to be learnt from them, not from yours.
    return { source, outcome, window: trainingWindow(history.data, months.value, minAgeDays.value, now), now: new Date(now).toISOString(), demo: history.data.demo };
  };

  // The history of `of` read again now, as the page's query holds it: the page hears of an import's
  // or a sync's leads only when their scoring ends (App), so the history it shows may be older.
  const readStoredHistory = async (of: SourceKind) => {
    const { queryKey } = historyQuery(of);
    // Not a read begun before the leads changed.
    await queryClient.cancelQueries({ queryKey, exact: true });
    await queryClient.fetchQuery({ ...historyQuery(of), staleTime: 0 });
    return queryClient.getQueryData(queryKey);
  };

  const check = () => {
    const data = trainingData();
    if (!data) return;
    dataCheck.startOnStoredHistory(
      () => readStoredHistory(data.source),
      () => {
        setPurged(false);
        activate.reset();
        dataCheck.check(data);
      },
    );
  };

  const train = () => {
    if (!inspected || !active.data || !history.data) return;
    const { keysName } = history.data;
    const specs = dataCheck.includedSpecs();
    const request: TrainingRequest = {
      type: 'train',
      data: inspected.data,
      specs: checkedCrm && optionLabels.data ? withCrmOptionLabels(specs, checkedCrm, optionLabels.data) : specs,
      cv: CROSS_VALIDATION_FOLDS,
      tiers: active.data.tiers,
      activeModelId: active.data.modelId,
      ...(optionLabels.data && { valueLabelsByField: optionLabels.data }),
    };
    dataCheck.startOnStoredHistory(
      () => readStoredHistory(inspected.data.source),
      () => {
        activate.reset();
        // The history just read again, which the check read: the check was dropped had it changed since.
        setTrainedOn(keysName);
        setComparedWith({ activeModel: active.data, flaggedLeftOut: dataCheck.flaggedLeftOut() });
        worker.start(request);
      },
    );
  };

  // Nothing starts while the worker or an activation runs (its outcome would be lost), nor before
  // the active model is read: its features join the catalogue, its tier policy goes to the new model.
  const blocked = worker.state.kind === 'running' || activate.isPending || !active.isSuccess;
  // Both live only in this page: closing or reloading it would throw away minutes of training, or the model it made.
  // Not once its activation scores the stored leads: the model is active by then, and the background scores them.
  useLeaveWarning(trainingRun !== null || (trainedModelWaits && !(activate.isPending && activationStage === 'scoring')));
  // The form is locked while a model trains (below): the focus on its Train button goes to the training's
  // Cancel meanwhile (TrainingProgress), and comes back to Train when the training ends, as Cancel goes.
  const trainingForm = useRef<HTMLFieldSetElement>(null);
  const trainButton = useRef<HTMLButtonElement>(null);
  const trainingRuns = trainingRun !== null;
  useFocusBackWhenJobEnds(trainingRuns, trainButton);
  const checking = worker.state.kind === 'running' && worker.state.request === 'inspect';
  const checkingFields = worker.state.kind === 'running' && worker.state.request === 'check-features';
  // Controls that go while the focus may be on them keep it on the page. Cancel the check goes with
  // its check: the focus goes back to the button that started it. Check the changed fields stays
  // (unavailable) while its check runs, and goes once the fields are checked: the focus goes on to
  // Train, or to what the check said when Train cannot be used. Check the data again goes with the
  // trained model as its check starts: the focus goes to Check the data, which runs it.
  const checkButton = useRef<HTMLButtonElement>(null);
  const checkFieldsButton = useRef<HTMLButtonElement>(null);
  const announcementLine = useRef<HTMLParagraphElement>(null);
  const changedFieldsOffered = dataCheck.unchecked.length > 0 && (!blocked || checkingFields);
  useFocusBackWhenJobEnds(checking, checkButton);
  // A Train pressed on leads changed since the check starts nothing and takes Train away with the check: the focus goes to Check the data.
  useFocusBackWhenJobEnds(dataCheck.readingHistory, checkButton);
  useFocusBackWhenJobEnds(checkingFields, checkFieldsButton);
  useFocusBackWhenJobEnds(changedFieldsOffered, trainButton, announcementLine);
  useFocusBackWhenJobEnds(leadsChangedSinceTraining, checkButton);
  const announcement = purged && worker.state.kind === 'idle' ? PURGED_NOTE : jobAnnouncement(worker.state);
  const size = inspected ? describeDataSize(inspected.rows, inspected.conversions) : null;
  // The trained model's own counts: the check is dropped when the form or the history changes, and the report stays.
  // Never under the trainer's minimums (it refuses): at most the caution.
  const trainedSize = trained ? describeDataSize(trained.summary.rows, trained.summary.positives) : null;
  const chosenCount = Object.values(dataCheck.choices).filter((choice) => choice.included).length;
  // Said beside Train, which waits for it: every feature unticked, or none pre-ticked (every candidate was inferred, or flagged).
  const noFeatureChosen = chosenCount === 0;
  const { unchecked, sharedFields } = dataCheck;
  // Said beside Train, which waits for it: two features chosen reading one field.
  const fieldShared = sharedFields.length > 0;
  const outcomeToChoose = outcomeMissing(outcome);
  // A new check or training would take the place of the trained model's report (and the model).
  const warnBeforeCheck = trainedModelWaits && !blocked;
  // Where the window's fields are shown (a history with created dates, or none yet), nothing starts while one
  // holds no valid number, or while the minimum age leaves nothing of the window (it would read no lead).
  // The minimum age keeps out leads too new to have converted where the window applies.
  const windowShown = !undatedHistory(history.data);
  const refusedFields = windowShown ? [months, minAgeDays].filter((field) => field.refused) : [];
  const windowProblemText = windowShown ? emptyWindowProblem(months, minAgeDays) : null;
  const windowProblem = windowProblemText === null ? null : { id: windowProblemId, text: windowProblemText };
  const fieldProblemIds = [...refusedFields.map((field) => field.problemId), ...(windowProblem ? [windowProblem.id] : [])];
  const { readingHistory } = dataCheck;
  const checkDisabled = blocked || outcomeToChoose !== null || !history.data?.leads || fieldProblemIds.length > 0 || readingStages || readingHistory;

  return (
    <>
      <p>
        Train a model on your own leads: the ones synced from your CRM, or imported from a CSV file. Demo leads are used only while a source has
        no other.
      </p>
      {/* Locked while a model trains: its report must answer for the form as it is. */}
      <fieldset ref={trainingForm} disabled={trainingRuns} data-testid="training-form" style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
        <LeadsFieldset
          source={source}
          history={history.data}
          ownLeadsElsewhere={withOwnLeads.filter((other) => other !== source)}
          months={months}
          minAgeDays={minAgeDays}
          windowProblem={windowProblem}
          onSourceChange={changeSource}
        />

        <OutcomeFieldset
          outcome={outcome}
          outcomeValues={outcomeValues}
          minimumAge={windowShown}
          lifecycleStages={portalStages}
          onChange={changeOutcome}
        />

        {warnBeforeCheck && <ReplacesTrainedModelNote id={checkWarningId} job="Checking the data" />}
        <FocusKeepingButton
          ref={checkButton}
          type="button"
          onClick={check}
          unavailable={checkDisabled}
          aria-describedby={
            [warnBeforeCheck && checkWarningId, readingStages && readingStagesId, readingHistory && readingHistoryId, ...fieldProblemIds].filter(Boolean).join(' ') ||
            undefined
          }
        >
          Check the data
        </FocusKeepingButton>{' '}
        {/* Why the button waits; with no leads stored, the note below says why. */}
        {outcomeToChoose && history.data?.leads ? <span data-testid="outcome-missing">{outcomeToChoose}</span> : null}
        {readingStages && (
          <span id={readingStagesId} data-testid="reading-stages">
            Reading your HubSpot portal&apos;s lifecycle stages…
          </span>
        )}
        {readingHistory && (
          <span id={readingHistoryId} data-testid="reading-history">
            {' '}
            Reading the stored leads…
          </span>
        )}
        {(checking || checkingFields) && (
          // A check of changed fields stops alone: the features keep their fields, unchecked.
          <button type="button" onClick={() => (checking ? dataCheck.dropCheck() : dataCheck.stopCheck())}>
            Cancel the check
          </button>
        )}
        {/* In the page before it says anything, so that a change of the leads is announced. */}
        <div role="status" data-testid="leads-changed">
          {dataCheck.leadsChanged === 'under-check' && <p>The leads changed since the check: check the data again (your feature choices are kept).</p>}
          {dataCheck.leadsChanged === 'before-start' && (
            <p>The stored leads changed since the form read them: it shows them now. Check the data again (your feature choices are kept).</p>
          )}
        </div>
        {active.isError && (
          <ErrorState
            message={`The active model could not be read (${active.error.message}). A new model takes over its tier policy, so checking and training wait for it.`}
            action={
              <button type="button" onClick={() => void active.refetch()}>
                Try again
              </button>
            }
          />
        )}
        {history.isError && (
          <ErrorState
            message={`The stored leads could not be read: ${history.error.message}`}
            action={
              <button type="button" onClick={() => void history.refetch()}>
                Try again
              </button>
            }
          />
        )}
        {history.data?.leads === 0 && <NoHistoryAdvice source={source} />}

        {/* On the page before the check ends, so that what it found is announced. */}
        <StatusRegion>
          {size && (
            <p data-testid="data-size" data-level={size.level}>
              {size.message}
            </p>
          )}
        </StatusRegion>
        {inspected && <LeftOutNote counts={inspected} outcome={inspected.data.outcome} />}
        {inspected && size?.level !== 'too-little' && (
          <>
            <h3>Features</h3>
            <p>
              Suggested fields are pre-selected, except those the leakage guard flags, left out with the reason beside them: a model that reads a
              field filled in after a lead&apos;s outcome looks brilliant in testing and fails on new leads. The guard flags the CRM fields it knows
              are written as or after the outcome (status, rating, lifecycle stage, last modified and last activity dates…), fields whose values
              alone nearly give the outcome away, the lead&apos;s age and, for leads synced from a CRM or exported from one (a file&apos;s
              columns under the CRM&apos;s own names, such as &quot;Number of Sessions&quot;), counts such as visits and e-mail opens, which go
              on after the outcome. It catches strong cases only: a field it does not flag is not proven safe, so leave out any field
              your team fills in while or after working a lead. A feature moved to another field is checked again on it.
            </p>
            <FeaturePicker
              source={source}
              candidates={inspected.candidates}
              fields={history.data?.fields ?? []}
              choices={dataCheck.choices}
              verdicts={dataCheck.verdicts}
              checking={checkingFields}
              onChange={dataCheck.chooseFeature}
            />
            {inspected.fieldNotes.length > 0 && (
              <details data-testid="field-notes">
                <summary>Fields not offered, or read with care ({inspected.fieldNotes.length})</summary>
                <ul>
                  {inspected.fieldNotes.map((note) => (
                    <li key={note}>{note}</li>
                  ))}
                </ul>
              </details>
            )}
            {changedFieldsOffered && (
              <>
                {trainedModelWaits && <ReplacesTrainedModelNote id={checkFieldsWarningId} job="Checking the changed fields" />}
                <FocusKeepingButton
                  ref={checkFieldsButton}
                  type="button"
                  onClick={dataCheck.checkChangedFields}
                  unavailable={blocked || readingHistory}
                  aria-describedby={trainedModelWaits ? checkFieldsWarningId : undefined}
                >
                  Check the changed fields
                </FocusKeepingButton>
              </>
            )}{' '}
            {warnBeforeCheck && <ReplacesTrainedModelNote id={trainWarningId} job="Training again" />}
            <button
              ref={trainButton}
              type="button"
              onClick={train}
              disabled={blocked || noFeatureChosen || fieldShared || unchecked.some(({ included }) => included) || readingLabels || fieldProblemIds.length > 0}
              aria-describedby={
                [
                  warnBeforeCheck && trainWarningId,
                  noFeatureChosen && noFeatureId,
                  fieldShared && sharedFieldsId,
                  readingLabels && readingLabelsId,
                  readingHistory && readingHistoryId,
                  ...fieldProblemIds,
                ]
                  .filter(Boolean)
                  .join(' ') || undefined
              }
            >
              Train on {inspected.rows.toLocaleString('en-US')} leads
            </button>
            {noFeatureChosen && (
              <span id={noFeatureId} data-testid="no-feature-chosen">
                {' '}
                Tick at least one feature in the table to train on.
              </span>
            )}
            {fieldShared && <SharedFieldsAlert id={sharedFieldsId} shared={sharedFields} />}
            {readingLabels && checkedCrm && (
              <span id={readingLabelsId} data-testid="reading-labels">
                {' '}
                Reading how {CRM_LABEL[checkedCrm]} labels the options of these fields…
              </span>
            )}
          </>
        )}
      </fieldset>

      {/* Always in the page, so that each change is announced; the details below are read on demand. */}
      <div role="status">
        {announcement && (
          <p ref={announcementLine} tabIndex={-1}>
            {announcement}
          </p>
        )}
      </div>
      {trainingRun && <TrainingProgress progress={trainingRun.progress} folds={CROSS_VALIDATION_FOLDS} lockedForm={trainingForm} onCancel={worker.cancel} />}
      {finished?.type === 'failed' && <ErrorState message={finished.error} />}
      {trained && (
        <>
          <TrainingReport trained={trained} comparedWith={comparedWith} activeNowId={active.data?.modelId} />
          <LeftOutNote counts={trained} outcome={trained.data.outcome} />
          {trainedSize?.level === 'thin' && <p data-testid="trained-data-size">{trainedSize.message}</p>}
          {/* In the page before it says anything, so that the change of the leads is announced. */}
          <div role="status">{leadsChangedSinceTraining && <p id={leadsChangedId}>{LEADS_CHANGED_SINCE_TRAINING}</p>}</div>
          {versionsChangeRuns && <p id={versionsWaitId}>Another section is changing the models (Model versions, or the demo data): activate this model once it is done.</p>}
          {/* Held while a check or a training, which would take its place, waits for the stored leads to be read. */}
          <button
            type="button"
            onClick={(event) => {
              setActivationStage('checking');
              activate.mutate({ model: trained, keysName: trainedOn, trigger: event.currentTarget });
            }}
            disabled={activate.isPending || activate.isSuccess || leadsChangedSinceTraining || versionsChangeRuns || readingHistory}
            aria-describedby={leadsChangedSinceTraining ? leadsChangedId : versionsChangeRuns ? versionsWaitId : undefined}
          >
            Activate this model
          </button>
          {leadsChangedSinceTraining && (
            <>
              {' '}
              <button type="button" onClick={check} disabled={checkDisabled}>
                Check the data again
              </button>
            </>
          )}
          {/* One line from the click to the end: it takes the focus from the button the activation disables, says each
              stage while it runs (minutes), then how it ended, as a live region on the page since the click. */}
          {(activate.isPending || activate.isSuccess) && (
            <div data-testid={activate.isSuccess ? 'model-activated' : 'model-activating'}>
              <ActionStatus text={activationSaid} trigger={activate.variables.trigger} />
            </div>
          )}
          {activate.isPending && activationStage === 'scoring' && <ActivationScoringProgress modelId={activate.variables.model.manifest.modelId} />}
          {/* An activation refused as the leads changed is explained by the note above. */}
          {activate.isError && !leadsChangedSinceTraining && <ActionStatus failed text={activate.error.message} trigger={activate.variables?.trigger ?? null} />}
        </>
      )}
    </>
  );
}
