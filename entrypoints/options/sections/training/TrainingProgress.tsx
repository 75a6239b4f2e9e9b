import type { TrainingEvent } from '@/lib/ml/train/worker-protocol';

interface Props {
  /** The last progress event of the training; null before the first. */
  progress: Extract<TrainingEvent, { type: 'progress' }> | null;
  onCancel(): void;
}

/** A running training's boosting round, validation loss and share done, with its cancel button. */
export function TrainingProgress({ progress, onCancel }: Props) {
  return (
    <div data-testid="training-progress">
      <label style={{ display: 'block' }}>
        Progress
        {progress?.round !== undefined && `: round ${progress.round}`}
        {progress?.validationLoss !== undefined && `, validation loss ${progress.validationLoss.toFixed(4)}`}
        <progress value={progress?.fraction ?? 0} max={1} style={{ display: 'block', width: '100%' }} />
      </label>
      <button type="button" onClick={onCancel}>
        Cancel training
      </button>
    </div>
  );
}
