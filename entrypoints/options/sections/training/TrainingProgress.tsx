import { useLayoutEffect, useRef, type RefObject } from 'react';
import type { TrainingEvent, TrainingStage } from '@/lib/ml/train/worker-protocol';
import { ConfirmButton } from '../ConfirmedAction';

type ProgressEvent = Extract<TrainingEvent, { type: 'progress' }>;

/** What each stage of a training is doing, in the admin's words. */
const STAGE_WORDS: Record<TrainingStage, string> = {
  read: 'Reading the stored leads',
  validate: 'Checking the data',
  featurize: 'Preparing the features',
  cv: 'Cross-validating',
  'out-of-time': 'Testing a model of the earlier leads on the newest',
  calibrate: 'Calibrating the probabilities',
  fit: 'Fitting the final model',
  export: 'Writing the model',
  compare: 'Comparing it with the active model',
};

/** What a fit boosts, in the admin's words: each field alone, then pairs of fields (their rounds counted apart), having chosen the pairs. */
const BOOSTING_WORDS: Record<NonNullable<ProgressEvent['boosting']>, string> = {
  mains: 'fields alone',
  interactions: 'choosing pairs of fields',
  pairs: 'pairs of fields',
};

/** The stage of `progress` (null: not begun) in words, with its fold of `folds` when cross-validating. */
export function describeTrainingStage(progress: ProgressEvent | null, folds: number): string {
  if (progress === null) return 'Starting';
  return `${STAGE_WORDS[progress.stage]}${progress.fold === undefined ? '' : `, fold ${progress.fold + 1} of ${folds}`}`;
}

/**
 * Where a fit's boosting is (its bag, what it boosts), then its round and validation loss: a
 * round starts again with each bag and each of fields alone and pairs, so it is shown with them.
 */
export function describeBoosting({ bag, bags, boosting, round, validationLoss }: ProgressEvent): string {
  const bagSaid = bag !== undefined && bags !== undefined ? `, bag ${bag + 1} of ${bags}` : '';
  const boostingSaid = boosting === undefined ? '' : `, ${BOOSTING_WORDS[boosting]}`;
  const roundSaid = round === undefined ? '' : `: round ${round}${validationLoss === undefined ? '' : `, validation loss ${validationLoss.toFixed(4)}`}`;
  return bagSaid + boostingSaid + roundSaid;
}

interface Props {
  /** The last progress event of the training; null before the first. */
  progress: ProgressEvent | null;
  /** Cross-validation folds the training was asked for. */
  folds: number;
  /** The form the training locks (disabled): the focus it had, on Train, goes to Cancel as the training starts. */
  lockedForm: RefObject<HTMLElement | null>;
  onCancel(): void;
}

/**
 * A running training's stage, where its boosting is (bag, round, validation loss) and share done, with its cancel
 * button, which asks first: a training takes minutes, and a cancelled one keeps nothing of them.
 */
export function TrainingProgress({ progress, folds, lockedForm, onCancel }: Props) {
  const container = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const focused = document.activeElement;
    // A control disabled under the focus drops it to the page (in a browser; the focus may not have left it yet).
    if (focused === null || focused === document.body || lockedForm.current?.contains(focused)) container.current?.querySelector('button')?.focus();
  }, [lockedForm]);
  return (
    <div ref={container} data-testid="training-progress">
      <label style={{ display: 'block' }}>
        {describeTrainingStage(progress, folds)}
        {progress && describeBoosting(progress)}
        <progress value={progress?.fraction ?? 0} max={1} style={{ display: 'block', width: '100%' }} />
      </label>
      <ConfirmButton label="Cancel training…" question="Confirm cancelling the training" confirmLabel="Yes, cancel training" keepLabel="Keep training" disabled={false} onConfirm={onCancel}>
        Cancelling throws away the training done so far: nothing is saved, and training again starts from the beginning.
      </ConfirmButton>
    </div>
  );
}
