/**
 * The errors training data is refused with: worded for the admin, so that the options page and the
 * training command show them as they are.
 */

/** A clear, user-facing training error (nothing is written when one is thrown). */
export class TrainingDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDataError';
  }
}

/** More cross-validation folds than one class has rows: a fold would have no converted (or no other) row to score. */
export class TooManyFoldsError extends TrainingDataError {
  constructor(
    readonly folds: number,
    /** What the folds need and what the data has ("at least 13 converted and 13 other rows; the data has 12 converted"). */
    readonly shortfall: string,
    /** The most folds the data allows. */
    readonly maxFolds: number,
  ) {
    super(`Cross-validation in ${folds} folds needs ${shortfall}. Use at most ${maxFolds} folds.`);
    this.name = 'TooManyFoldsError';
  }
}
