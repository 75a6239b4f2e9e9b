/**
 * Leakage check before training: columns that are only known after the outcome (a sales
 * rep's status tag, a call's duration) make a model that looks brilliant and fails on new
 * leads. Each column is judged on its own against the labels [N].
 */
import { stratifiedKFold } from './cv';
import { countPositives, rocAuc, type Labels } from './metrics';

export interface LeakageColumn {
  name: string;
  /** [N] numeric values or categorical codes; NaN = missing. */
  values: Float32Array;
  kind: 'numeric' | 'categorical';
}

export interface LeakageFinding {
  name: string;
  /**
   * Univariate ROC-AUC. Numeric: the value as a score, read in whichever direction
   * separates better (max(auc, 1 − auc)), missing placed at whichever end separates better.
   * Categorical: the level's conversion rate computed out of fold, so a level is never
   * scored with its own rows (missing is a level). NaN without both classes.
   */
  rocAuc: number;
  /** Share of converted leads with a value. */
  fillRatePositives: number;
  /** Share of other leads with a value. */
  fillRateNegatives: number;
  /** Set when the column looks like it was filled after conversion. */
  flag: { reason: string } | null;
}

/** A column this predictive on its own is almost never legitimate for lead scoring. */
export const LEAKY_AUC = 0.95;
/** Filled for at least this share of converted leads … */
export const LEAKY_FILL_POSITIVES = 0.9;
/** … but at most this share of the others. */
export const LEAKY_FILL_NEGATIVES = 0.3;
/**
 * And the mirror: filled for at least half of the leads that did not convert and almost none
 * of those that did (a disqualification date or reason, written when a lead is lost).
 */
export const LEAKY_FILL_LOST = 0.5;
export const LEAKY_FILL_LOST_CONVERTED = 0.05;

const TARGET_RATE_FOLDS = 5;
const TARGET_RATE_SEED = 7;

function oriented(auc: number): number {
  return Math.max(auc, 1 - auc);
}

function numericAuc(values: Float32Array, labels: Labels): number {
  const missingAt = (end: number) => Float64Array.from(values, (v) => (Number.isNaN(v) ? end : v));
  const missingLow = oriented(rocAuc(labels, missingAt(Number.NEGATIVE_INFINITY)));
  if (!values.some(Number.isNaN)) return missingLow;
  return Math.max(missingLow, oriented(rocAuc(labels, missingAt(Number.POSITIVE_INFINITY))));
}

interface LevelCounts {
  rows: number;
  conversions: number;
}

function countByLevel(values: Float32Array, labels: Labels, rows: Int32Array): Map<number, LevelCounts> {
  // Map keys compare with SameValueZero, so NaN (missing) is one level of its own.
  const counts = new Map<number, LevelCounts>();
  rows.forEach((row) => {
    const level = counts.get(values[row]) ?? { rows: 0, conversions: 0 };
    level.rows++;
    level.conversions += labels[row];
    counts.set(values[row], level);
  });
  return counts;
}

/**
 * [N] each row's level conversion rate among the rows of the other folds; a level unseen
 * there gets those rows' overall rate.
 */
function outOfFoldLevelRate(values: Float32Array, labels: Labels): Float64Array {
  const everyRow = Int32Array.from(values, (_, i) => i);
  const total = countByLevel(values, labels, everyRow);
  const totalConversions = countPositives(labels);
  const rates = new Float64Array(values.length);
  for (const fold of stratifiedKFold(labels, Math.min(TARGET_RATE_FOLDS, values.length), TARGET_RATE_SEED)) {
    const inFold = countByLevel(values, labels, fold);
    const foldConversions = fold.reduce((sum, row) => sum + labels[row], 0);
    const prior = (totalConversions - foldConversions) / (values.length - fold.length);
    fold.forEach((row) => {
      // Both maps hold the row's level: the row itself was counted in each.
      const all = total.get(values[row])!;
      const own = inFold.get(values[row])!;
      const outside = all.rows - own.rows;
      rates[row] = outside > 0 ? (all.conversions - own.conversions) / outside : prior;
    });
  }
  return rates;
}

function fillRates(values: Float32Array, labels: Labels): { positives: number; negatives: number } {
  const filled = [0, 0];
  const rows = [0, 0];
  for (let i = 0; i < values.length; i++) {
    const label = labels[i] ? 1 : 0;
    rows[label]++;
    if (!Number.isNaN(values[i])) filled[label]++;
  }
  return { positives: filled[1] / rows[1], negatives: filled[0] / rows[0] };
}

const percent = (share: number) => `${Math.round(share * 100)} %`;

/** One finding per column, in the columns' order. */
export function leakageReport(columns: LeakageColumn[], labels: Labels): LeakageFinding[] {
  return columns.map(({ name, values, kind }) => {
    if (values.length !== labels.length) {
      throw new Error(`column ${name} has ${values.length} rows but labels has ${labels.length}`);
    }
    let auc = Number.NaN;
    if (values.length >= 2) {
      auc = kind === 'numeric' ? numericAuc(values, labels) : rocAuc(labels, outOfFoldLevelRate(values, labels));
    }
    const fill = fillRates(values, labels);
    const reasons: string[] = [];
    if (auc >= LEAKY_AUC) {
      reasons.push(`predicts the outcome almost perfectly by itself (ROC-AUC ${auc.toFixed(2)}): probably filled after conversion`);
    }
    if (fill.positives >= LEAKY_FILL_POSITIVES && fill.negatives <= LEAKY_FILL_NEGATIVES) {
      reasons.push(
        `filled mostly for converted leads (${percent(fill.positives)} of them, ${percent(fill.negatives)} of the others)`,
      );
    }
    if (fill.negatives >= LEAKY_FILL_LOST && fill.positives <= LEAKY_FILL_LOST_CONVERTED) {
      reasons.push(
        `filled mostly for leads that did not convert (${percent(fill.negatives)} of them, ${percent(fill.positives)} of the converted): probably written when a lead is lost`,
      );
    }
    return {
      name,
      rocAuc: auc,
      fillRatePositives: fill.positives,
      fillRateNegatives: fill.negatives,
      flag: reasons.length > 0 ? { reason: reasons.join('; ') } : null,
    };
  });
}
