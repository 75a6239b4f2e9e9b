/**
 * MODEL_CARD.md for a trained model: what it predicts, from what, how well, how it was
 * trained, what it should not be used for. Pure text generation (no Node APIs), deterministic
 * (no wall-clock times, only the manifest's).
 */
import type { Manifest } from './manifest';
import { formatRate, formatThreshold, percentText } from '../presentation';
import { visibleText } from './visible-text';
import { levelAsShown } from './featurize';
import { describeModelOutcome } from './outcome-rule';
import { chanceMargin, rocAucStandardError } from './train/metrics';
import { askedLeadCount, capacityPolicyShares } from './train/thresholds';
import { CALIBRATION_ERROR_TERM, describeCalibrationError } from './reliability-error';

export interface ModelCardExtras {
  summary?: {
    cv_roc_auc: number;
    cv_pr_auc: number;
    cv_log_loss: number;
    holdout_roc_auc: number;
    ece: number;
    brier?: number;
    final_fit_seconds?: number;
  };
  warnings?: string[];
  model?: { rounds: { mains: number[]; pairs: number[] } };
  ebm?: object;
}

/** A model's held-out leads, converted or not, counted by its tier confusion (which counts every one of them); undefined for a manifest without it. */
function heldOutCounts({ tierConfusion }: Manifest['metrics']): { converted: number; notConverted: number } | undefined {
  if (!tierConfusion) return undefined;
  const { tp, fp, tn, fn } = tierConfusion.hot;
  return { converted: tp + fn, notConverted: fp + tn };
}

/**
 * How many of a model's held-out leads converted: what its held-out ROC-AUC and PR-AUC rest on,
 * and the fewer they are the more chance moves them. Undefined for a manifest without its tier confusion.
 */
export const heldOutConversions = (metrics: Manifest['metrics']): number | undefined => heldOutCounts(metrics)?.converted;

/**
 * The standard error (Hanley & McNeil) of a ROC-AUC of `auc` measured on a model's held-out
 * leads (`heldOutCounts`); undefined for a manifest without its tier confusion.
 */
export function heldOutRocAucStandardError(auc: number, metrics: Manifest['metrics']): number | undefined {
  const counts = heldOutCounts(metrics);
  return counts && rocAucStandardError(auc, counts.converted, counts.notConverted);
}

/** What each policy's thresholds were chosen from, so the held-out counts at them can be read for what they are. */
const THRESHOLDS_CHOSEN_FROM: Record<Manifest['tiers']['policy']['kind'], string> = {
  value:
    'The thresholds come from the value policy\'s revenue and cost alone (hot from where a contact\'s expected revenue covers its cost, ' +
    'warm from where it covers half), not from these leads, so the counts test them as new leads would.',
  capacity:
    'The thresholds are where these leads\' ranks come nearest the policy\'s hot and warm shares (what each tier holds is below; ' +
    'new leads\' shares move by chance); no outcome chose the thresholds, so precision and recall at them are fair.',
  fixed: 'The thresholds are the admin\'s own probabilities: no lead chose them.',
};

/**
 * What each policy's held-out counts read as a lead's probability (the trainer's `countedProbabilities`):
 * a capacity policy's cuts hold the leads ranked by the shipped calibration; a probability no lead
 * chose is tested by a calibration the lead's outcome did not fit, as a new lead's.
 */
const CROSS_FITTED_PROBABILITY =
  'the probability is the lead\'s held-out logit through the same kind of calibration fitted again without the lead\'s fold (cross-fitted), ' +
  'so no lead\'s own outcome put it above or below a threshold, as none puts a new lead';
const PROBABILITY_COUNTED: Record<Manifest['tiers']['policy']['kind'], string> = {
  value: CROSS_FITTED_PROBABILITY,
  capacity: 'the probability is the lead\'s held-out logit through the calibration above, as the model scores new leads',
  fixed: CROSS_FITTED_PROBABILITY,
};

/**
 * Whether the held-out tier confusion was counted at the thresholds the manifest tiers by: not when a
 * tier policy was set after training and its leads could not be counted again (model-versions.ts
 * `exportFiles`), when the counts are of the thresholds it was trained with, which each names.
 */
const countedAtItsTiers = ({ tiers, metrics: { tierConfusion } }: Manifest) => tierConfusion?.hot.threshold === tiers.hot && tierConfusion.warm.threshold === tiers.warm;

/**
 * A capacity policy's tiers on the held-out leads its thresholds were chosen on (counted by the
 * tier confusion): the share each tier was asked and the share it holds, and when they differ, by
 * how much and why. Empty for another policy, or a manifest without the counts or whose counts are
 * at other thresholds (`countedAtItsTiers`).
 */
function capacityShares(m: Manifest): string[] {
  const { policy } = m.tiers;
  const counts = heldOutCounts(m.metrics);
  if (policy.kind !== 'capacity' || !counts || !countedAtItsTiers(m)) return [];
  const { hot, warm } = m.metrics.tierConfusion!;
  const leads = counts.converted + counts.notConverted;
  // As `capacityCuts` aims its cuts; hot and warm together at least what hot asks.
  const { hot: hotShare, worked: workedShare } = capacityPolicyShares(policy);
  const hotAsked = askedLeadCount(hotShare, leads);
  const workedAsked = workedShare > hotShare ? askedLeadCount(workedShare, leads) : hotAsked;
  const hotHeld = hot.tp + hot.fp;
  const workedHeld = warm.tp + warm.fp; // called at the warm threshold: hot and warm together
  const tiers = [
    { tier: 'hot', share: hotShare, asked: hotAsked, held: hotHeld },
    { tier: 'warm', share: workedShare - hotShare, asked: workedAsked - hotAsked, held: workedHeld - hotHeld },
    { tier: 'cold', share: 1 - workedShare, asked: leads - workedAsked, held: leads - workedHeld },
  ];
  const count = (figure: number) => figure.toLocaleString('en-US');
  const leadCount = (figure: number) => `${count(figure)} ${figure === 1 ? 'lead' : 'leads'}`;
  const lines = [
    `What each tier holds of the ${leads.toLocaleString('en-US')} held-out leads, beside what the policy asks (${count(policy.hotPerWeek)} hot and ${count(policy.warmPerWeek)} warm of ${count(policy.inflowPerWeek)} a week):`,
    '',
    '| tier | asked | holds |',
    '|---|---|---|',
    ...tiers.map(({ tier, share, asked, held }) => {
      const off = held === asked ? '' : `: ${Math.abs(held - asked).toLocaleString('en-US')} ${held > asked ? 'more' : 'fewer'} than asked`;
      return `| ${tier} | ${pct(share)} (${leadCount(asked)}) | ${pct(held / leads)} (${leadCount(held)})${off} |`;
    }),
  ];
  if (tiers.some(({ asked, held }) => asked !== held)) {
    lines.push('');
    lines.push(
      'The tiers hold more or fewer leads than asked because leads with the same probability always share a tier: where many leads share the ' +
        'probability at a cut, the cut goes above or below all of them.' +
        (m.calibration.kind === 'isotonic' ? ' The isotonic calibration gives every lead on one of its steps the same probability, so new leads will share tiers the same way.' : ''),
    );
  }
  return lines;
}

/**
 * The leakage guard's flags on features the model reads all the same, as recorded when it was
 * trained (`provenance.leakageFlagsKept`), each with its feature's label.
 */
export function keptLeakageFlags(m: Manifest): { label: string; reason: string }[] {
  return (m.provenance.leakageFlagsKept ?? []).map(({ key, reason }) => ({ label: m.features.find((feature) => feature.key === key)?.label ?? key, reason }));
}

/**
 * What the admin is told of a model whose leakage guard could not run when it was trained
 * (`reason`: the error it stopped on), in the training's warnings, its model card and the Model
 * report: without it, the figures read as checked with nothing found.
 */
export function leakageCheckNotRunWarning(reason: string): string {
  return (
    `The check for fields filled in after a lead converted could not run when this model was trained (${reason}), so its cross-validated ` +
    'figures may be inflated by such a field: check by hand that no field it reads is filled in, or keeps changing, after a lead converts or is lost.'
  );
}

/**
 * Text from the data (a column's name, a cell a warning quotes, a category) as Markdown shows it
 * as written: on one line, without controls, and with the characters that would make it a link,
 * an image a viewer fetches, HTML or a table cell's end escaped. A hostile CSV cell would otherwise
 * be one, or with a line break, a heading of its own. Other Markdown (emphasis) does no harm and is
 * left, so the card reads plainly as text too.
 */
const md = (text: string) => visibleText(text).replace(/[\\[\]<>|]/g, '\\$&');
/** Text from the data inside a code span, which no escape reaches: backticks taken out. */
const code = (text: string) => `\`${visibleText(text).replace(/`/g, "'")}\``;

const pct = (x: number, digits = 1) => percentText((x * 100).toFixed(digits));
const num = (x: number | undefined, digits = 4) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

/** Whether the profit curve's figures are those of the value policy the manifest tiers by (not when another policy was set after training). */
const profitFromTiers = ({ revenuePerConversion, costPerContact }: NonNullable<Manifest['metrics']['profitAssumptions']>, policy: Manifest['tiers']['policy']) =>
  policy.kind === 'value' && policy.revenuePerConversion === revenuePerConversion && policy.costPerContact === costPerContact;

export function renderModelCard(m: Manifest, extras: ModelCardExtras = {}): string {
  const s = extras.summary;
  const lines: string[] = [];
  lines.push(`# Model card: ${m.modelId}`);
  lines.push('');
  // A model trained on stored leads has a made-up target column: its rule says what converted means.
  const converted = m.outcomeRule ? md(describeModelOutcome(m.outcomeRule)) : `${code(m.target.column)} = ${code(m.target.positive)}`;
  lines.push(`Predicts the probability that a lead converts (${converted}), with the`);
  lines.push('log-odds contribution of every term, so each score comes with its reasons.');
  lines.push('');
  lines.push('| | |');
  lines.push('|---|---|');
  lines.push(`| trainer | ${m.trainer.name} ${m.trainer.version} (explainable boosting: shape functions + pairwise interactions) |`);
  lines.push(`| trained on | ${m.provenance.rows.toLocaleString('en-US')} leads, ${m.provenance.positives.toLocaleString('en-US')} converted (${pct(m.reference.baseRate)}), source ${code(m.provenance.source)} |`);
  lines.push(`| reference time | ${m.provenance.referenceTime} (what "days since" was measured from) |`);
  lines.push(`| created | ${m.createdAt} |`);
  lines.push(`| features / terms | ${m.features.length} features, ${m.terms.length} terms (${m.terms.filter((t) => t.features.length === 2).length} interactions) |`);
  lines.push(`| calibration | ${m.calibration.kind} |`);
  lines.push(`| tiers | policy \`${m.tiers.policy.kind}\`: hot ≥ ${formatThreshold(m.tiers.hot)}, warm ≥ ${formatThreshold(m.tiers.warm)} |`);
  lines.push('');
  lines.push('## Quality (held-out)');
  lines.push('');
  const folds = m.metrics.folds;
  const crossValidated = folds !== undefined && folds > 1;
  lines.push(
    crossValidated
      ? `Cross-validation: ${folds}-fold stratified; every row is scored by a model that did not see it.`
      : 'No cross-validation: one 80/20 stratified holdout; only the 20% held out are scored by a model that did not see them, so the held-out figures below are on those leads alone.',
  );
  lines.push('');
  lines.push('| metric | value |');
  lines.push('|---|---|');
  const cvStandardError = m.metrics.cvRocAuc === undefined ? undefined : heldOutRocAucStandardError(m.metrics.cvRocAuc, m.metrics);
  const cvChance = cvStandardError === undefined ? '' : ` ± ${num(chanceMargin(cvStandardError))} (twice its standard error)`;
  const over = crossValidated ? 'mean over folds' : 'the holdout';
  lines.push(`| ROC-AUC (${over}) | ${num(m.metrics.cvRocAuc)}${cvChance} |`);
  // PR-AUC's margin of chance has no formula as ROC-AUC's has: what it rests on, at least.
  const conversions = heldOutConversions(m.metrics);
  const prAucRestsOn = conversions === undefined ? '' : ` (on ${conversions.toLocaleString('en-US')} held-out conversions)`;
  lines.push(`| PR-AUC (${over}) | ${num(m.metrics.cvPrAuc)}${prAucRestsOn} |`);
  lines.push(`| ROC-AUC (pooled held-out) | ${num(m.metrics.holdoutRocAuc)} |`);
  lines.push(`| log loss (calibrated) | ${num(m.metrics.cvLogLoss)} |`);
  // The figure the Model report shows, worded as it is there; the equal-width ECE after it, named for what it is.
  lines.push(`| ${CALIBRATION_ERROR_TERM} | ${md(describeCalibrationError(m.metrics))} |`);
  lines.push(`| equal-width ECE (10 bins: at a low base rate most leads fall in the first, so it says little) | ${num(m.metrics.ece)} |`);
  if (s?.brier !== undefined) lines.push(`| Brier | ${num(s.brier)} |`);
  const oot = m.metrics.outOfTime;
  if (m.metrics.outOfTimeRocAuc !== undefined && oot) {
    const chance = oot.standardError === undefined ? '' : ` ± ${num(chanceMargin(oot.standardError))} (twice its standard error)`;
    lines.push(`| ROC-AUC out of time (trained on the earliest ${oot.trainRows.toLocaleString('en-US')} rows by "${md(oot.column)}", tested on the latest ${oot.testRows.toLocaleString('en-US')}) | ${num(m.metrics.outOfTimeRocAuc)}${chance} |`);
  }
  const confusion = m.metrics.tierConfusion;
  if (confusion) {
    lines.push('');
    lines.push(
      countedAtItsTiers(m)
        ? `Held-out leads at each tier threshold (called = probability ≥ threshold; ${PROBABILITY_COUNTED[m.tiers.policy.kind]}). ${THRESHOLDS_CHOSEN_FROM[m.tiers.policy.kind]}`
        : `Held-out leads at the thresholds the model was trained with (called = probability ≥ threshold), not at the tiers it ships (hot ≥ ${formatThreshold(m.tiers.hot)}, warm ≥ ${formatThreshold(m.tiers.warm)}): ` +
            'its tier policy was set after training, and these leads could not be counted again at its thresholds.',
    );
    lines.push('');
    lines.push('| threshold | called and converted | called, not converted | not called, converted | not called, not converted | precision | recall |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const [tier, c] of [['hot', confusion.hot], ['warm', confusion.warm]] as const) {
      lines.push(`| ${tier} ≥ ${formatThreshold(c.threshold)} | ${c.tp} | ${c.fp} | ${c.fn} | ${c.tn} | ${pct(c.precision)} | ${pct(c.recall)} |`);
    }
    const shares = capacityShares(m);
    if (shares.length > 0) lines.push('', ...shares);
  }
  const profit = m.metrics.profitAssumptions;
  if (profit) {
    lines.push('');
    lines.push(
      `The profit curve assumes ${profit.revenuePerConversion} revenue per conversion and ${profit.costPerContact} cost per contact` +
        (profit.source === 'default'
          ? ' (defaults, not this business\'s figures: choose the value policy to set them).'
          : profitFromTiers(profit, m.tiers.policy)
            ? ' (the value policy\'s figures).'
            : ' (the figures of the value policy it was trained with).'),
    );
  }
  if (m.metrics.liftByDecile?.length) {
    lines.push('');
    lines.push(`Conversion by score decile (best first): ${m.metrics.liftByDecile.map((rate) => formatRate(rate)).join(', ')}.`);
  }
  lines.push('');
  lines.push('## What drives the score');
  lines.push('');
  lines.push('| term | importance | ideal value (contribution) |');
  lines.push('|---|---|---|');
  const order = m.terms.map((t, i) => i).sort((a, b) => m.terms[b].importance - m.terms[a].importance);
  for (const i of order) {
    const t = m.terms[i];
    let ideal = '';
    if (t.features.length === 1) {
      const feature = m.features[t.features[0]];
      const ref = m.reference.features.find((r) => r.key === feature.key);
      // A level LeadLens derives in the words its pages use ("VP", "Company e-mail"), not the model's code.
      if (ref && ref.idealValue) ideal = `${md(levelAsShown(ref.idealValue, feature))} (${ref.idealContribution >= 0 ? '+' : ''}${ref.idealContribution.toFixed(2)})`;
    }
    lines.push(`| ${md(t.label)} | ${pct(t.importance)} | ${ideal} |`);
  }
  lines.push('');
  lines.push('## Features');
  lines.push('');
  lines.push('| key | label | type | derived | missing |');
  lines.push('|---|---|---|---|---|');
  m.features.forEach((f) => {
    const ref = m.reference.features.find((r) => r.key === f.key);
    const levels = f.type === 'categorical' ? ` (${f.vocabulary?.length ?? 0} levels)` : '';
    lines.push(`| ${code(f.key)} | ${md(f.label)} | ${f.type}${levels} | ${f.derive.kind} | ${ref ? pct(ref.missingShare) : ''} |`);
  });
  const labelOf = (key: string) => m.features.find((f) => f.key === key)?.label ?? key;
  const bounds = m.reference.features.flatMap((ref) => (ref.atMost ?? []).map((bound) => `${md(labelOf(ref.key))} ≤ ${md(labelOf(bound))}`));
  if (bounds.length > 0) {
    lines.push('');
    lines.push(`Counts never above another in the training data, kept so by "what would make it hotter": ${bounds.join('; ')}.`);
  }
  // As the manifest records them (the trainer does, in LeadLens and on the command line), so card and Model report agree.
  const leakage = keptLeakageFlags(m).map(({ label, reason }) => `Possible leakage in "${label}": ${reason}.`);
  const checkNotRun = m.provenance.leakageCheckNotRun;
  if (checkNotRun) {
    lines.push('');
    lines.push('## Possible leakage');
    lines.push('');
    lines.push(md(leakageCheckNotRunWarning(checkNotRun.reason)));
  } else if (leakage.length > 0) {
    lines.push('');
    lines.push('## Possible leakage');
    lines.push('');
    lines.push('The leakage guard flagged these features and the model reads them all the same. A feature filled in, or still changing, after a lead\'s outcome makes the figures above look better than the model will do on new leads: check each before trusting them.');
    lines.push('');
    for (const flag of leakage) lines.push(`- ${md(flag)}`);
  }
  if (extras.warnings && extras.warnings.length > 0) {
    lines.push('');
    lines.push('## Data warnings');
    lines.push('');
    for (const w of extras.warnings) lines.push(`- ${md(w)}`);
  }
  lines.push('');
  lines.push('## Training');
  lines.push('');
  if (extras.model) {
    lines.push(`Boosting rounds per bag (early stopping): mains ${extras.model.rounds.mains.join(', ')}; interactions ${extras.model.rounds.pairs.join(', ') || 'none'}.`);
  }
  if (extras.ebm) {
    lines.push('');
    lines.push('```json');
    lines.push(JSON.stringify(extras.ebm));
    lines.push('```');
  }
  lines.push('');
  lines.push('## Limits');
  lines.push('');
  lines.push('- It learned from this history only: leads from new channels, markets or products are scored by analogy.');
  lines.push('- Random cross-validation flatters data whose columns drift with time; re-check on recent leads and retrain regularly.');
  lines.push('- Contributions explain the model, not the world: a feature that helps the score is associated with conversion, not proven to cause it.');
  lines.push('- Do not use it to decide anything about a person beyond prioritising sales follow-up.');
  lines.push('');
  return lines.join('\n');
}
