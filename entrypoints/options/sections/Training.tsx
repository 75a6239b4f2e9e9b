/**
 * Train a model on the company's own history: choose the leads (source and window) and what
 * "converted" means, check the data (counts, the leakage guard's flags, candidate features
 * mapped with suggestions), train in a Web Worker with progress and cancel, read the report,
 * activate. Too little data is said plainly, with what it means.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { OutcomeValuesPicker } from '@/components/OutcomeValuesPicker';
import { ErrorState } from '@/components/StatusMessage';
import type { SourceKind } from '@/lib/ml/featurize';
import { FeatureSpecListSchema, type FeatureSpec, type Manifest } from '@/lib/ml/manifest';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { activeManifest } from '@/lib/ml/model-store';
import { modelExists } from '@/lib/ml/model-exists';
import { addCheckedModel, keepHeldOutScores } from '@/lib/ml/model-versions';
import { describeDataSize } from '@/lib/ml/train/data-size';
import { plural } from '@/lib/presentation';
import { HUBSPOT_LIFECYCLE_ORDER } from '@/lib/crm/hubspot-lifecycle';
import { HUBSPOT_LIFECYCLE_FIELD, stagesReached, suggestOutcome } from '@/lib/ml/train/outcome-suggestions';
import { describeLeftOut, fieldOf, mapSpec, type LeakageFlag, type LeftOut, type OutcomeRule } from '@/lib/ml/train/training-set';
import { TrainingEventSchema, type TrainingData, type TrainingEvent, type TrainingRequest } from '@/lib/ml/train/worker-protocol';
import { queryKeys } from '@/lib/query-keys';
import demoFeatureSpecs from '@/models/demo-features.json';
import { FeaturePicker, verdictKey, type FeatureChoice, type FieldVerdicts } from './training/FeaturePicker';
import { historySample, type HistorySample } from './training/history-sample';
import { TrainingReport } from './training/TrainingReport';
import { useWorkerJob, type WorkerJobState } from './use-worker-job';

const SOURCES: { value: SourceKind; label: string }[] = [
  { value: 'salesforce', label: 'Salesforce leads' },
  { value: 'hubspot', label: 'HubSpot contacts' },
  { value: 'csv', label: 'Imported CSV' },
];
const DAY_MS = 86_400_000;
const CROSS_VALIDATION_FOLDS = 5;

/** The features LeadLens knows how to read: the active model's, then the demo catalogue's. */
function featureCatalogue(active: Manifest | undefined): FeatureSpec[] {
  const catalogue = FeatureSpecListSchema.parse(demoFeatureSpecs);
  const fromActive = (active?.features ?? []).map(({ vocabulary: _vocabulary, otherCode: _otherCode, ...spec }) => spec);
  const keys = new Set(fromActive.map((spec) => spec.key));
  return [...fromActive, ...catalogue.filter((spec) => !keys.has(spec.key))];
}

type Inspected = Extract<TrainingEvent, { type: 'inspected' }> & { data: TrainingData };

/** The spec as the admin chose it: reading the field picked for it. */
function chosenSpec(spec: FeatureSpec, choice: FeatureChoice | undefined, source: SourceKind): FeatureSpec {
  return choice?.field && spec.derive.kind !== 'ratio' ? mapSpec(spec, source, choice.field) : spec;
}

/** The verdicts of a check of `specs`: the reason of each one flagged, null for the others. */
function verdictsOf(specs: readonly FeatureSpec[], leakage: readonly LeakageFlag[], source: SourceKind): FieldVerdicts {
  const flags = new Map(leakage.map((flag) => [verdictKey(flag.key, flag.field), flag.reason]));
  return Object.fromEntries(
    specs.map((spec) => {
      const key = verdictKey(spec.key, fieldOf(spec, source));
      return [key, flags.get(key) ?? null];
    }),
  );
}

/** How many leads the source's history has, and whether they are demo leads (used only while it has no other). */
function describeHistory({ leads, demo, demoLeftOut }: HistorySample): string {
  if (demo) return `${plural(leads, 'demo lead', 'demo leads')} (your own synced or imported leads take their place once stored)`;
  const stored = `${leads.toLocaleString('en-US')} stored`;
  return demoLeftOut > 0 ? `${stored} (${plural(demoLeftOut, 'demo lead is', 'demo leads are')} left out)` : stored;
}

/**
 * What the worker job's live region says: the check running, the training's stage (and fold),
 * and how training ended. Never the boosting rounds: they change ~10 times a second.
 */
function jobAnnouncement(state: WorkerJobState<TrainingRequest, TrainingEvent>): string {
  if (state.kind === 'running' && state.request === 'inspect') return 'Checking the data…';
  if (state.kind === 'running' && state.request === 'check-features') return 'Checking the changed fields…';
  if (state.kind === 'running') {
    const { progress } = state;
    return `Training: ${progress?.stage ?? 'starting'}${progress?.fold === undefined ? '' : `, fold ${progress.fold + 1} of ${CROSS_VALIDATION_FOLDS}`}`;
  }
  if (state.kind === 'cancelled') return state.request === 'train' ? 'Training cancelled. Nothing was saved.' : 'Check cancelled.';
  if (state.kind === 'finished' && state.event.type === 'trained') return 'Training finished: the report is below.';
  if (state.kind === 'finished' && state.event.type === 'features-checked') return 'The changed fields are checked: see their notes.';
  // A failure is announced by its alert.
  return '';
}

/** The rule the form shows; a value cannot mean both, so one ticked as converted is no longer open. */
function outcomeRule(field: string, positiveValues: string[], openValues: readonly string[]): OutcomeRule {
  const stillOpen = openValues.filter((value) => !positiveValues.includes(value));
  return { field, positiveValues, ...(stillOpen.length > 0 && { openValues: stillOpen }) };
}

/** How many leads the window and the outcome left out, and why, beside the counts they are missing from. */
function LeftOutNote({ counts }: { counts: LeftOut }) {
  const sentences = describeLeftOut(counts);
  return sentences.length > 0 ? <p data-testid="left-out">{sentences.join(' ')}</p> : null;
}

const createTrainingWorker = () => new Worker(new URL('../../../lib/ml/train/worker.ts', import.meta.url), { type: 'module' });
const WORKER_FAILED = { type: 'failed', error: 'The training worker stopped unexpectedly.' } as const;

export function TrainingSection() {
  const queryClient = useQueryClient();
  const [source, setSource] = useState<SourceKind>('salesforce');
  const history = useQuery({ queryKey: queryKeys.trainingHistory(source), queryFn: () => historySample(source) });
  const active = useQuery({ queryKey: queryKeys.activeModel(), queryFn: activeManifest });
  const [outcome, setOutcome] = useState<OutcomeRule | null>(null);
  const [months, setMonths] = useState(12);
  const [minAgeDays, setMinAgeDays] = useState(30);
  const [inspected, setInspected] = useState<Inspected | null>(null);
  const [choices, setChoices] = useState<Record<string, FeatureChoice>>({});
  const [verdicts, setVerdicts] = useState<FieldVerdicts>({});
  // Whether the leads changed under a check, said until the admin changes the form or checks again.
  const [leadsChanged, setLeadsChanged] = useState(false);
  const worker = useWorkerJob<TrainingRequest, TrainingEvent>(createTrainingWorker, TrainingEventSchema, WORKER_FAILED);
  // What the running check was asked about (the data; for a check of changed fields, their specs),
  // so the result is kept with it; null when none runs.
  const pendingCheck = useRef<{ data: TrainingData; specs?: FeatureSpec[] } | null>(null);

  // Stops the running check, if any: its answer is dropped.
  const stopCheck = () => {
    if (pendingCheck.current) worker.cancel();
    pendingCheck.current = null;
  };
  // A check answers for the leads and outcome it read: any change to them drops it, and stops
  // one still running (Train must never train on a rule the form no longer shows, and a check
  // of 100,000 leads must not hold the form). `leadsChanged` when the admin did not make the
  // change: the leads changed under the form.
  const dropCheck = (leadsChangedUnderIt = false) => {
    stopCheck();
    setInspected(null);
    setLeadsChanged(leadsChangedUnderIt);
  };
  const changing =
    <Value,>(set: (value: Value) => void) =>
    (value: Value) => {
      dropCheck();
      set(value);
    };
  const changeOutcome = changing(setOutcome);
  const changeMonths = changing(setMonths);
  const changeMinAgeDays = changing(setMinAgeDays);
  // A new source starts from its suggested outcome, once its history is read.
  const changeSource = changing((next: SourceKind) => {
    setOutcome(null);
    setSource(next);
  });

  // The sample is read again after syncs, imports and deletions, and on window focus. Query keeps
  // `history.data` the same object while the sample reads the same, so this runs on a source's
  // first read and when its history changed: a check of the history before is dropped, saying
  // so, and the admin's outcome is kept (suggested again when its field is gone).
  useEffect(() => {
    if (!history.data) return;
    const { outcomeValues } = history.data;
    if (inspected || pendingCheck.current) dropCheck(true);
    if (!outcome || !Object.hasOwn(outcomeValues, outcome.field)) setOutcome(suggestOutcome(source, outcomeValues));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [history.data]);

  const finished = worker.state.kind === 'finished' ? worker.state.event : null;
  // Only when a check ends (a check of one source must not come back when the admin returns to
  // it), and only if the form has not changed since it began (`dropCheck`).
  useEffect(() => {
    const pending = pendingCheck.current;
    if (!finished || !pending) return;
    // However it ended, no check runs now.
    pendingCheck.current = null;
    const { data, specs } = pending;
    if (finished.type === 'inspected') {
      const checked = verdictsOf(finished.candidates.map((candidate) => candidate.spec), finished.leakage, data.source);
      setInspected({ ...finished, data });
      setVerdicts(checked);
      setChoices(
        Object.fromEntries(
          finished.candidates.map(({ spec, origin }) => {
            const field = fieldOf(spec, data.source);
            return [spec.key, { included: origin === 'catalogue' && !checked[verdictKey(spec.key, field)], field }];
          }),
        ),
      );
    } else if (finished.type === 'features-checked' && specs) {
      const checked = verdictsOf(specs, finished.leakage, data.source);
      setVerdicts((current) => ({ ...current, ...checked }));
      // A feature moved to a flagged field is left out, as the first check leaves flagged ones out.
      setChoices((current) =>
        Object.fromEntries(Object.entries(current).map(([key, choice]) => [key, checked[verdictKey(key, choice.field)] ? { ...choice, included: false } : choice])),
      );
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [finished]);

  const activate = useMutation({
    mutationFn: async (trained: Extract<TrainingEvent, { type: 'trained' }>) => {
      const { modelId } = trained.manifest;
      // Usable only once the engine has loaded it and run check rows, as an imported model. The
      // same history and settings train the same model (same id): then it is installed already.
      if (!(await modelExists(modelId))) await addCheckedModel(trained.manifest, trained.onnx, 'trained', (id) => background.checkModel({ modelId: id }));
      // Before the switch, so its tier policy is first previewed on the probabilities its thresholds were chosen on.
      await keepHeldOutScores(modelId, trained.heldOut);
      // Remembers the model it replaces (Roll back), tells CRM tabs, scores the stored leads.
      await succeeded(background.activateModel({ modelId }));
      return modelId;
    },
    // The leads are read again when the activation's scoring job ends (App).
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.models() }),
  });

  const trainingData = (): TrainingData | null => {
    if (!outcome) return null;
    const now = Date.now();
    return {
      source,
      outcome,
      window: { createdAfter: now - months * 30.44 * DAY_MS, createdBefore: now - minAgeDays * DAY_MS },
      now: new Date(now).toISOString(),
    };
  };

  const check = () => {
    const data = trainingData();
    if (!data) return;
    dropCheck();
    pendingCheck.current = { data };
    activate.reset();
    worker.start({ type: 'inspect', data, catalogue: featureCatalogue(active.data) });
  };

  // The features as chosen, and those the guards have not checked on the field they read now.
  const chosen = (current: Record<string, FeatureChoice>) =>
    (inspected?.candidates ?? []).map(({ spec }) => ({ spec: chosenSpec(spec, current[spec.key], source), included: current[spec.key]?.included ?? false }));
  const notChecked = (current: Record<string, FeatureChoice>) =>
    chosen(current).filter(({ spec }) => verdicts[verdictKey(spec.key, fieldOf(spec, source))] === undefined);

  // A flag holds for the field that was checked: a feature moved to another field is checked again on it.
  const checkChangedFields = (current: Record<string, FeatureChoice>) => {
    const specs = notChecked(current).map(({ spec }) => spec);
    if (!inspected || specs.length === 0) return;
    pendingCheck.current = { data: inspected.data, specs };
    worker.start({ type: 'check-features', data: inspected.data, specs });
  };

  // A trained model not activated yet: a new job would take the place of its report (and the model with it).
  const trainedModelWaits = finished?.type === 'trained' && !activate.isSuccess;

  const chooseFeature = (key: string, choice: FeatureChoice) => {
    const next = { ...choices, [key]: choice };
    setChoices(next);
    // While a trained model waits, or is being activated, the admin checks changed fields when ready.
    if (choice.field !== choices[key]?.field && !activate.isPending && !trainedModelWaits) checkChangedFields(next);
  };

  const train = () => {
    if (!inspected || !active.data) return;
    const specs = chosen(choices).flatMap(({ spec, included }) => (included ? [spec] : []));
    activate.reset();
    worker.start({ type: 'train', data: inspected.data, specs, cv: CROSS_VALIDATION_FOLDS, tiers: active.data.tiers });
  };

  // Nothing starts while the worker or an activation runs (its outcome would be lost), nor before
  // the active model is read: its features join the catalogue, its tier policy goes to the new model.
  const blocked = worker.state.kind === 'running' || activate.isPending || !active.isSuccess;
  const trainingRun = worker.state.kind === 'running' && worker.state.request === 'train' ? worker.state : null;
  const checking = worker.state.kind === 'running' && worker.state.request === 'inspect';
  const checkingFields = worker.state.kind === 'running' && worker.state.request === 'check-features';
  const announcement = jobAnnouncement(worker.state);
  const outcomeValues = history.data?.outcomeValues ?? {};
  const size = inspected ? describeDataSize(inspected.rows, inspected.conversions) : null;
  const chosenCount = Object.values(choices).filter((choice) => choice.included).length;
  const unchecked = notChecked(choices);

  return (
    <>
      <p>
        Train a model on your own leads: the ones synced from your CRM, or imported from a CSV file. Demo leads are used only while a source has
        no other.
      </p>
      {/* Locked while a model trains: its report must answer for the form as it is. */}
      <fieldset disabled={trainingRun !== null} data-testid="training-form" style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
        <fieldset>
          <legend>Leads</legend>
          <label>
            History{' '}
            <select value={source} onChange={(event) => changeSource(event.target.value as SourceKind)}>
              {SOURCES.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>{' '}
          {history.data && <span data-testid="history-count">{describeHistory(history.data)}</span>}
          <p>
            <label>
              Created in the last <input type="number" min={1} max={120} value={months} onChange={(event) => changeMonths(Number(event.target.value))} style={{ width: 60 }} /> months
            </label>
            ,{' '}
            <label>
              and at least <input type="number" min={0} max={365} value={minAgeDays} onChange={(event) => changeMinAgeDays(Number(event.target.value))} style={{ width: 60 }} /> days ago
            </label>{' '}
            (old enough to have an outcome).
          </p>
        </fieldset>

        <fieldset>
          <legend>Outcome: a lead converted when…</legend>
          <label>
            Field{' '}
            <select
              value={outcome?.field ?? ''}
              onChange={(event) => changeOutcome({ field: event.target.value, positiveValues: [] })}
              aria-label="Outcome field"
            >
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
                onChange={(event) => changeOutcome({ field: HUBSPOT_LIFECYCLE_FIELD, positiveValues: stagesReached(event.target.value) })}
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
                  onChange={(positiveValues) => changeOutcome(outcomeRule(outcome.field, positiveValues, outcome.openValues ?? []))}
                />
                <OutcomeValuesPicker
                  meaning="still open"
                  sampleValues={outcomeValues[outcome.field] ?? []}
                  chosen={outcome.openValues ?? []}
                  unavailable={outcome.positiveValues}
                  onChange={(openValues) => changeOutcome(outcomeRule(outcome.field, outcome.positiveValues, openValues))}
                />
              </>
            )
          )}
        </fieldset>

        <button type="button" onClick={check} disabled={blocked || !outcome || outcome.positiveValues.length === 0 || !history.data?.leads}>
          Check the data
        </button>{' '}
        {(checking || checkingFields) && (
          // A check of changed fields stops alone: the features keep their fields, unchecked.
          <button type="button" onClick={() => (checking ? dropCheck() : stopCheck())}>
            Cancel the check
          </button>
        )}
        {/* In the page before it says anything, so that a change of the leads is announced. */}
        <div role="status" data-testid="leads-changed">
          {leadsChanged && <p>The leads changed since the check: check again.</p>}
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
        {history.data?.leads === 0 && <p>No {SOURCES.find((s) => s.value === source)?.label} are stored yet: connect the CRM, load the demo data or import a CSV.</p>}

        {size && (
          <p role="status" data-testid="data-size" data-level={size.level}>
            {size.message}
          </p>
        )}
        {inspected && <LeftOutNote counts={inspected} />}
        {inspected && size?.level !== 'too-little' && (
          <>
            <h3>Features</h3>
            <p>
              Suggested fields are pre-selected. Fields the leakage guard thinks are filled only after conversion are left out: a model that reads
              them looks brilliant in testing and fails on new leads. So are "days since" fields that new leads have at values your history never
              has (a lead&apos;s age, when the history is all older than the leads it will score). A feature moved to another field is checked
              again on it.
            </p>
            <FeaturePicker
              source={source}
              candidates={inspected.candidates}
              fields={history.data?.fields ?? []}
              choices={choices}
              verdicts={verdicts}
              checking={checkingFields}
              onChange={chooseFeature}
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
            {unchecked.length > 0 && !blocked && (
              <>
                {trainedModelWaits && <p>Checking the changed fields replaces the report of the model trained below: activate it first to keep it.</p>}
                <button type="button" onClick={() => checkChangedFields(choices)}>
                  Check the changed fields
                </button>
              </>
            )}{' '}
            <button type="button" onClick={train} disabled={blocked || chosenCount === 0 || unchecked.some(({ included }) => included)}>
              Train on {inspected.rows.toLocaleString('en-US')} leads
            </button>
          </>
        )}
      </fieldset>

      {/* Always in the page, so that each change is announced; the details below are read on demand. */}
      <div role="status">
        {announcement && <p>{announcement}</p>}
      </div>
      {trainingRun && (
        <div data-testid="training-progress">
          <label style={{ display: 'block' }}>
            Progress
            {trainingRun.progress?.round !== undefined && `: round ${trainingRun.progress.round}`}
            {trainingRun.progress?.validationLoss !== undefined && `, validation loss ${trainingRun.progress.validationLoss.toFixed(4)}`}
            <progress value={trainingRun.progress?.fraction ?? 0} max={1} style={{ display: 'block', width: '100%' }} />
          </label>
          <button type="button" onClick={worker.cancel}>
            Cancel training
          </button>
        </div>
      )}
      {finished?.type === 'failed' && <ErrorState message={finished.error} />}
      {finished?.type === 'trained' && (
        <>
          <TrainingReport trained={finished} />
          <LeftOutNote counts={finished} />
          {size && size.level !== 'enough' && <p>{size.message}</p>}
          <button type="button" onClick={() => activate.mutate(finished)} disabled={activate.isPending || activate.isSuccess}>
            Activate this model
          </button>
          {activate.isSuccess && (
            <p role="status" data-testid="model-activated">
              Model {activate.data} is active: badges now use it.
            </p>
          )}
          {activate.isError && <ErrorState message={activate.error.message} />}
        </>
      )}
    </>
  );
}
