/**
 * The data check of the training form: which leads the form's history and outcome give, what the
 * leakage guard flags, and the candidate features with the admin's choice for each. A check
 * answers only for the leads and outcome it read, and a feature moved to another field is checked
 * again on it. A new check of the same source keeps the feature choices the admin made (a sync
 * must not put back a field they left out), and nothing else: the guard's flags are each check's
 * own. The check runs in the training worker, which the section shares with training.
 */
import { useEffect, useRef, useState } from 'react';
import type { SourceKind } from '@/lib/ml/featurize';
import { SOURCE_KINDS, type CrmKind } from '@/lib/crm/types';
import { FeatureSpecListSchema, withOptionLabels, type FeatureSpec, type FieldSources, type Manifest, type ValueDerive } from '@/lib/ml/manifest';
import { fieldOf, mapSpec, namesCatalogueField, type LeakageFlag } from '@/lib/ml/train/training-set';
import type { TrainingData, TrainingEvent, TrainingRequest } from '@/lib/ml/train/worker-protocol';
import demoFeatureSpecs from '@/models/demo-features.json';
import type { useWorkerJob } from '../use-worker-job';
import { choiceOf, verdictKey, type FeatureChoice, type FieldVerdicts, type SharedField } from './FeaturePicker';
import type { HistorySample } from './history-sample';

export type TrainingWorker = ReturnType<typeof useWorkerJob<TrainingRequest, TrainingEvent>>;
export type Inspected = Extract<TrainingEvent, { type: 'inspected' }> & { data: TrainingData };

/**
 * An active feature's `derive` reading `from`, its page labels under the catalogue's for the
 * fields they share: the active model kept those of the levels it learned only, and the next
 * training may learn others. Its own labels go with the fields it read, not with the catalogue's.
 */
function withCatalogueLabels(active: ValueDerive, from: FieldSources, catalogue: ValueDerive): ValueDerive {
  const labelsFor = (crm: CrmKind) => ({
    ...(from[crm] === catalogue.from[crm] ? catalogue.optionLabels?.[crm] : undefined),
    ...(from[crm] === active.from[crm] ? active.optionLabels?.[crm] : undefined),
  });
  return withOptionLabels({ ...active, from }, { salesforce: labelsFor('salesforce'), hubspot: labelsFor('hubspot') });
}

interface ActiveFeature {
  spec: FeatureSpec;
  /** The catalogue's feature of its key reading a field as it does; none for a ratio, or a feature of the active model's own (inferred from a file). */
  same?: FeatureSpec;
  /** The fields it reads that the catalogue does not name `same` by (`namesCatalogueField`): fields the admin moved it to. */
  moved: FieldSources;
}

/** The active model's features as specs to train from (without what training learned), each with its catalogue twin and the fields it was moved to. */
function activeFeatures(active: Manifest | undefined, known: ReadonlyMap<string, FeatureSpec>): ActiveFeature[] {
  return (active?.features ?? []).map(({ vocabulary: _vocabulary, otherCode: _otherCode, ...spec }) => {
    const same = known.get(spec.key);
    if (spec.derive.kind === 'ratio' || same === undefined || same.derive.kind !== spec.derive.kind) return { spec, moved: {} };
    const { from } = spec.derive;
    const moved = SOURCE_KINDS.flatMap((source) => {
      const field = from[source];
      return field !== undefined && !namesCatalogueField(same, source, field) ? [[source, field]] : [];
    });
    return { spec, same, moved: Object.fromEntries(moved) };
  });
}

const catalogueByKey = () => new Map(FeatureSpecListSchema.parse(demoFeatureSpecs).map((spec) => [spec.key, spec]));

/**
 * The features LeadLens knows how to read: the active model's, then the demo catalogue's. An
 * active feature trained on one CRM reads its own words on that CRM only (candidateFeatures):
 * the catalogue's names for the other sources fill in what it lacks, so training on the other
 * CRM still finds its field (the training trims them again), and so do its page labels. A field
 * the admin moved it to is not one of its names: the catalogue's stays in its place, so a move
 * kept (`movedFields`) is read on its source only, as a fresh one is (`mapSpec`).
 */
export function featureCatalogue(active: Manifest | undefined): FeatureSpec[] {
  const known = catalogueByKey();
  const fromActive = activeFeatures(active, known).map(({ spec, same, moved }): FeatureSpec => {
    if (same === undefined || spec.derive.kind === 'ratio' || same.derive.kind === 'ratio') return spec;
    const own = Object.fromEntries(Object.entries(spec.derive.from).filter(([source]) => !(source in moved)));
    const from = { ...same.derive.from, ...own };
    if (spec.derive.kind !== 'value' || same.derive.kind !== 'value') return { ...spec, derive: { ...spec.derive, from } };
    return { ...spec, derive: withCatalogueLabels(spec.derive, from, same.derive) };
  });
  const keys = new Set(fromActive.map((spec) => spec.key));
  return [...fromActive, ...[...known.values()].filter((spec) => !keys.has(spec.key))];
}

/**
 * The field, by feature key, each active feature the admin moved to a field of their own for
 * `source` (an org's revenue in thousands in Revenue_k__c) starts on when training on `source`
 * again: their choice, kept as a choice, so it is read there only and its note says so.
 */
export function movedFields(active: Manifest | undefined, source: SourceKind): Map<string, string> {
  return new Map(activeFeatures(active, catalogueByKey()).flatMap(({ spec, moved }) => (moved[source] === undefined ? [] : [[spec.key, moved[source]]])));
}

/** The spec as the admin chose it: reading the field picked for it. */
function chosenSpec(spec: FeatureSpec, choice: FeatureChoice | undefined, source: SourceKind): FeatureSpec {
  return choice?.field && spec.derive.kind !== 'ratio' ? mapSpec(spec, source, choice.field) : spec;
}

/**
 * The fields two or more of `specs` read the same way on `source` (the same derivation: two
 * values, two "days since"), each with their labels, in the order of `specs`: the model would
 * learn one signal twice. Other readings of one field are signals of their own: a title's
 * seniority beside the title, a date's weekday beside the days since it, and a ratio beside the
 * fields it divides.
 */
export function sharedFields(specs: readonly FeatureSpec[], source: SourceKind): SharedField[] {
  const readings = new Map<string, SharedField>();
  for (const spec of specs) {
    const field = fieldOf(spec, source);
    if (field === null) continue;
    const reading = JSON.stringify([spec.derive.kind, field]);
    readings.set(reading, { field, labels: [...(readings.get(reading)?.labels ?? []), spec.label] });
  }
  return [...readings.values()].filter(({ labels }) => labels.length > 1);
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

/** A feature the leakage guard flagged and the form leaves out of training (not ticked), as chosen: reading the field it was flagged on. */
export interface FlaggedLeftOut {
  spec: FeatureSpec;
  reason: string;
}

/** How the leads changed under the form: under the check it shows, or before a check or training began. */
export type LeadsChange = 'under-check' | 'before-start' | null;

interface Options {
  worker: TrainingWorker;
  /** The source the form shows. */
  source: SourceKind;
  /** The source's history sample, once read. */
  history: HistorySample | undefined;
  /** The active model, once read: its features join the catalogue. */
  activeModel: Manifest | undefined;
  /** Whether a feature moved to another field is checked on it at once (else the admin does it). */
  checkMovedFields: boolean;
}

export function useDataCheck({ worker, source, history, activeModel, checkMovedFields }: Options) {
  const [inspected, setInspected] = useState<Inspected | null>(null);
  const [choices, setChoices] = useState<Record<string, FeatureChoice>>({});
  // The source `choices` were made for: another source has other fields, so its check starts afresh.
  const choicesSource = useRef<SourceKind | null>(null);
  // The choices the admin made themselves (ticking, moving to a field), by feature key: the ones a
  // new check keeps. A feature the guard left out was not left out by the admin: a new check that
  // no longer flags it gives it back its suggestion, or the admin's own choice.
  const adminChoices = useRef<Record<string, FeatureChoice>>({});
  const [verdicts, setVerdicts] = useState<FieldVerdicts>({});
  // Whether the leads changed under a check ('under-check'), or before a check or training began
  // ('before-start': the form had not heard of them), said until the admin changes the form or checks again.
  const [leadsChanged, setLeadsChanged] = useState<LeadsChange>(null);
  // The check or training waiting for the stored history to be read again before it starts
  // (`startOnStoredHistory`), and whether one waits: any change to the form drops it, as it drops a check.
  const waitingStart = useRef<object | null>(null);
  const [readingHistory, setReadingHistory] = useState(false);
  // Nor once the page is left: its worker would outlive it.
  useEffect(
    () => () => {
      waitingStart.current = null;
    },
    [],
  );
  // What the running check was asked about (the data; for a check of changed fields, their specs;
  // for a check of the data, the fields the active model's features were moved to: `movedFields`),
  // so the result is kept with it; null when none runs.
  const pendingCheck = useRef<{ data: TrainingData; specs?: FeatureSpec[]; moved?: ReadonlyMap<string, string> } | null>(null);

  // Stops the running check, if any: its answer is dropped. A job waiting to start does not start.
  const stopCheck = () => {
    if (pendingCheck.current) worker.cancel();
    pendingCheck.current = null;
    waitingStart.current = null;
    setReadingHistory(false);
  };
  // A check answers for the leads and outcome it read: any change to them drops it, and stops
  // one still running (Train must never train on a rule the form no longer shows, and a check
  // of 100,000 leads must not hold the form). `leadsChange` when the admin did not make the
  // change: the leads changed under the form.
  const dropCheck = (leadsChange: LeadsChange = null) => {
    stopCheck();
    setInspected(null);
    setLeadsChanged(leadsChange);
  };
  /** The setter of a form value the check answers for: setting it drops the check. */
  const changing =
    <Value>(set: (value: Value) => void) =>
    (value: Value) => {
      dropCheck();
      set(value);
    };

  // The sample is read again after syncs, imports and deletions, and on window focus. Query keeps
  // `history` the same object while the sample reads the same, so this runs on a source's first
  // read and when its history changed: a check of the history before is dropped, saying so. A check
  // starts on the history read again as it starts (`startOnStoredHistory`), so the page's hearing late
  // of the leads it read changes nothing here.
  useEffect(() => {
    if (!history) return;
    if (inspected || pendingCheck.current) dropCheck('under-check');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [history]);

  const finished = worker.state.kind === 'finished' ? worker.state.event : null;
  // Only when a check ends (a check of one source must not come back when the admin returns to
  // it), and only if the form has not changed since it began (`dropCheck`).
  useEffect(() => {
    const pending = pendingCheck.current;
    if (!finished || !pending) return;
    // However it ended, no check runs now.
    pendingCheck.current = null;
    const { data, specs, moved } = pending;
    if (finished.type === 'inspected') {
      const checked = verdictsOf(finished.candidates.map((candidate) => candidate.spec), finished.leakage, data.source);
      setInspected({ ...finished, data });
      setVerdicts(checked);
      // Each feature as the admin chose it for this source, on a field the leads still have (one
      // moved off the field checked here waits for a check of the changed fields); the
      // suggestion for the others (the field the active model's was moved to, if the leads have
      // it: it waits for a check too), and for one whose chosen field is gone (no longer the
      // admin's then). A flagged one is left out, as the first check leaves it out.
      // As they are when the check ends: the admin may change one while it runs.
      const fields = new Set(history?.fields);
      const made = choicesSource.current === data.source ? adminChoices.current : {};
      choicesSource.current = data.source;
      const kept = Object.fromEntries(
        finished.candidates.flatMap(({ spec }) => {
          const chosen = choiceOf(made, spec.key);
          const onField = chosen && (chosen.field === fieldOf(spec, data.source) || (chosen.field !== null && fields.has(chosen.field)));
          return onField ? [[spec.key, chosen]] : [];
        }),
      );
      adminChoices.current = kept;
      setChoices(
        Object.fromEntries(
          finished.candidates.map(({ spec, origin }) => {
            const movedTo = origin === 'catalogue' ? moved?.get(spec.key) : undefined;
            const field = movedTo !== undefined && fields.has(movedTo) ? movedTo : fieldOf(spec, data.source);
            const choice = choiceOf(kept, spec.key) ?? { included: origin === 'catalogue', field };
            return [spec.key, { ...choice, included: choice.included && !checked[verdictKey(spec.key, choice.field)] }];
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

  /**
   * Runs `start` (a check, or a training of the check shown) once `readStored` has read the stored
   * history again and found the one the form shows: the job then reads the leads the form was filled
   * from, and is stamped with their history. The page hears of an import's or a sync's leads only when
   * their scoring ends, seconds after they are stored: a job started on the history it still showed
   * would read the new leads under the old history's name. A history found changed starts nothing:
   * the form now shows it (its outcome may follow a new import's), and a check of the history before
   * is dropped, saying so. A change the page hears of after the start drops the check (above) or holds
   * the trained model back, as before.
   */
  const startOnStoredHistory = async (readStored: () => Promise<HistorySample | undefined>, start: () => void) => {
    const shown = history;
    const waiting = {};
    waitingStart.current = waiting;
    setReadingHistory(true);
    // A failed read is said by the history's own error; nothing starts.
    const stored = await readStored().catch(() => undefined);
    // The form changed meanwhile, or another job was asked for.
    if (waitingStart.current !== waiting) return;
    waitingStart.current = null;
    setReadingHistory(false);
    // The query keeps the history object while it reads the same.
    if (stored === shown) start();
    else if (stored) dropCheck(inspected ? 'under-check' : 'before-start');
  };

  /** Checks `data`: its counts, the leakage guard's flags and the candidate features. */
  const check = (data: TrainingData) => {
    dropCheck();
    pendingCheck.current = { data, moved: movedFields(activeModel, data.source) };
    worker.start({ type: 'inspect', data, catalogue: featureCatalogue(activeModel) });
  };

  // The features as chosen, and those the guards have not checked on the field they read now.
  const chosen = (current: Record<string, FeatureChoice>) =>
    (inspected?.candidates ?? []).map(({ spec }) => {
      const choice = choiceOf(current, spec.key);
      return { spec: chosenSpec(spec, choice, source), included: choice?.included ?? false };
    });
  const includedSpecs = () => chosen(choices).flatMap(({ spec, included }) => (included ? [spec] : []));
  const flaggedLeftOut = (): FlaggedLeftOut[] =>
    chosen(choices).flatMap(({ spec, included }) => {
      const reason = verdicts[verdictKey(spec.key, fieldOf(spec, source))];
      return !included && reason ? [{ spec, reason }] : [];
    });
  const notChecked = (current: Record<string, FeatureChoice>) =>
    chosen(current).filter(({ spec }) => verdicts[verdictKey(spec.key, fieldOf(spec, source))] === undefined);

  // A flag holds for the field that was checked: a feature moved to another field is checked again on it.
  const checkChangedFields = (current: Record<string, FeatureChoice>) => {
    const specs = notChecked(current).map(({ spec }) => spec);
    if (!inspected || specs.length === 0) return;
    pendingCheck.current = { data: inspected.data, specs };
    worker.start({ type: 'check-features', data: inspected.data, specs });
  };

  const chooseFeature = (key: string, choice: FeatureChoice) => {
    adminChoices.current = { ...adminChoices.current, [key]: choice };
    const next = { ...choices, [key]: choice };
    setChoices(next);
    if (choice.field !== choiceOf(choices, key)?.field && checkMovedFields) checkChangedFields(next);
  };

  return {
    /** The last check's answer, with the data it read; null when none answers for the form. */
    inspected,
    choices,
    verdicts,
    leadsChanged,
    /** Whether a check or training waits for the stored history to be read again (`startOnStoredHistory`). */
    readingHistory,
    /** The features the guards have not checked on the field they read now. */
    unchecked: notChecked(choices),
    /** The specs of the features chosen, each reading the field picked for it. */
    includedSpecs,
    /** The features the guard flagged that training leaves out: the report names those of them the active model reads. */
    flaggedLeftOut,
    /** The fields two or more of the features chosen read: Train waits until each is read by one. */
    sharedFields: sharedFields(includedSpecs(), source),
    check,
    startOnStoredHistory,
    checkChangedFields: () => checkChangedFields(choices),
    chooseFeature,
    stopCheck,
    dropCheck,
    changing,
  };
}
