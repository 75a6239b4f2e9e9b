/**
 * The out-of-time check: a model trained on the earliest rows, scored on the latest, tells
 * whether what it learnt still holds for the leads that come next.
 */
import { parseDate, parseNumber } from '../derive';
import type { RawRecord } from '../featurize';
import { TrainingDataError } from './errors';
import type { TrainInput } from './index';

/** Share of rows, earliest first, an out-of-time check trains on; it tests on the rest. */
const OUT_OF_TIME_TRAIN_SHARE = 0.7;
/**
 * Converted and unconverted leads each needed among the latest rows when the check is made only
 * if the data allow it (`rowTimes`): fewer rank by chance (one conversion scores 0 or 1).
 */
const OUT_OF_TIME_MIN_PER_OUTCOME = 10;
/** Converted and unconverted leads each needed among the earliest rows: a model of one conversion has learnt nothing to rank by. */
const OUT_OF_TIME_MIN_TRAIN_PER_OUTCOME = 2;

/**
 * Each row's time [N] read from `column`: dates, or numbers such as a sequential lead id
 * (whichever reads more cells); NaN where the cell reads as neither.
 */
export function timeKeys(records: RawRecord[], columns: string[], column: string): number[] {
  if (!columns.includes(column)) throw new TrainingDataError(`The time column "${column}" is not in the data.`);
  const asDates = records.map((r) => parseDate(r[column]));
  const asNumbers = records.map((r) => parseNumber(r[column]));
  const readable = (a: number[]) => a.filter(Number.isFinite).length;
  return readable(asDates) >= readable(asNumbers) ? asDates : asNumbers;
}

/**
 * The cut nearest `target` in `sorted` times (`dated` [M] ordered by `keys`) that no run of equal
 * times crosses (a bulk import gives many leads one created date: cutting through it would split
 * them by row order, not time); null when every dated row has one time.
 */
function cutBetweenTimes(dated: Int32Array, keys: readonly number[], target: number): number | null {
  const splitsTies = (cut: number) => keys[dated[cut - 1]] === keys[dated[cut]];
  for (let step = 0; step < dated.length; step++) {
    for (const cut of [target + step, target - step]) if (cut > 0 && cut < dated.length && !splitsTies(cut)) return cut;
  }
  return null;
}

/**
 * Rows in time order (`keys` [N]; NaN rows left out) split into the earliest ~70% and the latest
 * ~30%, cut between two times. Throws `TrainingDataError` unless the earliest part holds at
 * least OUT_OF_TIME_MIN_TRAIN_PER_OUTCOME converted and unconverted leads and the latest at least
 * `minPerOutcome` of each; `what` names the time in that message.
 */
export function outOfTimeSplit(keys: readonly number[], labels: Uint8Array, what: string, minPerOutcome = 1): { train: Int32Array; test: Int32Array; undated: number } {
  const dated = Int32Array.from(keys.flatMap((k, i) => (Number.isFinite(k) ? [i] : [])));
  dated.sort((a, b) => keys[a] - keys[b] || a - b);
  const undated = keys.length - dated.length;
  const undatedNote = undated > 0 ? ` (${undated} rows have no readable date or number there)` : '';
  if (dated.length === 0) throw new TrainingDataError(`The out-of-time check by ${what} needs rows that have one; none of the ${keys.length} rows has a readable date or number there.`);
  const cut = cutBetweenTimes(dated, keys, Math.round(dated.length * OUT_OF_TIME_TRAIN_SHARE));
  if (cut === null) throw new TrainingDataError(`The out-of-time check by ${what} needs rows of more than one time; every row${undatedNote} has the same.`);
  const train = dated.slice(0, cut);
  const test = dated.slice(cut);
  for (const [part, rows, least] of [['earliest 70%', train, OUT_OF_TIME_MIN_TRAIN_PER_OUTCOME], ['latest 30%', test, minPerOutcome]] as const) {
    let positives = 0;
    for (const r of rows) positives += labels[r];
    if (positives < least || rows.length - positives < least) {
      const needs = least === 1 ? 'converted and unconverted leads' : `at least ${least} converted and ${least} unconverted leads`;
      throw new TrainingDataError(`The out-of-time check by ${what} needs ${needs} in the ${part} of the rows; it has ${positives} converted of ${rows.length}${undatedNote}.`);
    }
  }
  return { train, test, undated };
}

/** The out-of-time split `input` asks for (see `timeColumn`, `rowTimes`), with what it splits by; null when none is asked for or can be made. */
export function outOfTimeCheck(input: Pick<TrainInput, 'records' | 'timeColumn' | 'rowTimes'>, columns: string[], labels: Uint8Array, warnings: string[]): (ReturnType<typeof outOfTimeSplit> & { by: string }) | null {
  if (input.timeColumn !== undefined) {
    return { ...outOfTimeSplit(timeKeys(input.records, columns, input.timeColumn), labels, `"${input.timeColumn}"`), by: input.timeColumn };
  }
  if (input.rowTimes === undefined) return null;
  try {
    return { ...outOfTimeSplit(input.rowTimes.times, labels, input.rowTimes.label, OUT_OF_TIME_MIN_PER_OUTCOME), by: input.rowTimes.label };
  } catch (error) {
    if (!(error instanceof TrainingDataError)) throw error;
    warnings.push(`${error.message} The model is reported without it.`);
    return null;
  }
}
