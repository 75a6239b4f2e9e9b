import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ManifestSchema } from './manifest';
import { renderModelCard } from './model-card';
import { formatThreshold } from '../presentation';
import { describeReliabilityError, reliabilityError } from './reliability-error';

const bundled = ManifestSchema.parse(JSON.parse(readFileSync('models/manifest.json', 'utf8')));

it('says what converted means: the outcome rule of a model trained on stored leads, else the target column', () => {
  const trainedHere = { ...bundled, target: { column: '__leadlens_converted', positive: '1' }, outcomeRule: { field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'], source: 'hubspot' as const } };
  expect(renderModelCard(trainedHere)).toContain('Predicts the probability that a lead converts ("Lifecycle stage" is customer or evangelist, for HubSpot leads)');
  expect(renderModelCard(trainedHere)).not.toContain('__leadlens_converted');
  expect(renderModelCard(bundled)).toContain(`Predicts the probability that a lead converts (\`${bundled.target.column}\` = \`${bundled.target.positive}\`)`);
});

it("says what converted means by the labels the CRM's pages show for the rule's values, written as text", () => {
  const rule = { field: 'lifecyclestage', positiveValues: ['1234567', 'customer'], source: 'hubspot' as const };
  const trainedHere = { ...bundled, target: { column: '__leadlens_converted', positive: '1' }, outcomeRule: { ...rule, valueLabels: { '1234567': 'Product Qualified Lead', customer: 'Customer' } } };
  expect(renderModelCard(trainedHere)).toContain('Predicts the probability that a lead converts ("Lifecycle stage" is Product Qualified Lead or Customer, for HubSpot leads)');
  // A label is the portal admin's text: it makes no link, HTML, heading or table cell of its own.
  const hostile = { ...trainedHere, outcomeRule: { ...rule, valueLabels: { '1234567': '*PQL* | [click](https://attacker.example) <img src=x>\n# Approved' } } };
  expect(renderModelCard(hostile)).toContain(
    'Predicts the probability that a lead converts ("Lifecycle stage" is *PQL* \\| \\[click\\](https://attacker.example) \\<img src=x\\> # Approved or customer, for HubSpot leads)',
  );
});

it('names the counts kept at or below others in "what would make it hotter", and says nothing of bounds a model has none of', () => {
  expect(renderModelCard(bundled)).toContain('Counts never above another in the training data, kept so by "what would make it hotter": Website visits ≤ Page views; Marketing e-mails clicked ≤ Marketing e-mails opened.');
  const unbounded = { ...bundled, reference: { ...bundled.reference, features: bundled.reference.features.map(({ atMost: _atMost, ...ref }) => ref) } };
  expect(renderModelCard(unbounded)).not.toContain('Counts never above');
});

it('gives the cross-validated ROC-AUC its chance margin, from the held-out leads its tier confusion counts', () => {
  // 464 converted and 4,536 not, all held out once over the 5 folds: chance moves 0.7921 by 0.0255 (Hanley–McNeil, by hand).
  expect(renderModelCard(bundled)).toContain('| ROC-AUC (mean over folds) | 0.7921 ± 0.0255 (twice its standard error) |');
  const uncounted = { ...bundled, metrics: { ...bundled.metrics, tierConfusion: undefined } };
  expect(renderModelCard(uncounted)).toContain('| ROC-AUC (mean over folds) | 0.7921 |');
});

it('says only the holdout was scored unseen when there was no cross-validation', () => {
  expect(renderModelCard(bundled)).toContain('Cross-validation: 5-fold stratified; every row is scored by a model that did not see it.');
  const card = renderModelCard({ ...bundled, metrics: { ...bundled.metrics, folds: 1 } });
  expect(card).toContain('No cross-validation: one 80/20 stratified holdout; only the 20% held out are scored by a model that did not see them');
  expect(card).not.toContain('every row is scored');
  expect(card).toContain('| ROC-AUC (the holdout) | 0.7921 ± ');
  expect(card).not.toContain('mean over folds');
});

it('says what chose the tier thresholds beside the held-out counts at them', () => {
  expect(renderModelCard(bundled)).toContain("The thresholds are where these leads' ranks come nearest the policy's hot and warm shares (what each tier holds is below;");
  // Trained with another policy: its counts are at that policy's thresholds (here the bundled model's).
  const { hot, warm } = bundled.tiers;
  const byValue = { ...bundled, tiers: { policy: { kind: 'value' as const, revenuePerConversion: 100, costPerContact: 20 }, hot, warm } };
  expect(renderModelCard(byValue)).toContain("The thresholds come from the value policy's revenue and cost alone");
  expect(renderModelCard({ ...bundled, tiers: { policy: { kind: 'fixed' as const }, hot, warm } })).toContain("the admin's own probabilities");
});

it("says what each of a capacity policy's tiers holds of the held-out leads beside what it asks, and when they differ by how much and why", () => {
  // The bundled model's 5,000 held-out leads: no tie at a cut, every tier holds what was asked.
  const card = renderModelCard(bundled);
  expect(card).toContain(
    'What each tier holds of the 5,000 held-out leads, beside what the policy asks (10 hot and 20 warm of 100 a week):\n\n| tier | asked | holds |\n|---|---|---|\n' +
      '| hot | 10.0% (500 leads) | 10.0% (500 leads) |\n| warm | 20.0% (1,000 leads) | 20.0% (1,000 leads) |\n| cold | 70.0% (3,500 leads) | 70.0% (3,500 leads) |\n\nThe profit curve',
  );
  expect(card).not.toContain('exact here by construction');
  // 1,000 held-out leads, 10 converted, isotonic: a tie at the hot cut left 11 hot of the 100 asked, 271 warm of the 200.
  const confusion = (threshold: number, tp: number, fp: number) => ({ threshold, tp, fp, fn: 10 - tp, tn: 990 - fp, precision: tp / (tp + fp), recall: tp / 10 });
  const tied = {
    ...bundled,
    calibration: { kind: 'isotonic' as const, logits: [-3, 0], probabilities: [0.01, 0.2] },
    tiers: { ...bundled.tiers, hot: 0.18, warm: 0.0127 },
    metrics: { ...bundled.metrics, tierConfusion: { hot: confusion(0.18, 2, 9), warm: confusion(0.0127, 7, 275) } },
  };
  expect(renderModelCard(tied)).toContain(
    '| hot | 10.0% (100 leads) | 1.1% (11 leads): 89 fewer than asked |\n' +
      '| warm | 20.0% (200 leads) | 27.1% (271 leads): 71 more than asked |\n' +
      '| cold | 70.0% (700 leads) | 71.8% (718 leads): 18 more than asked |\n\n' +
      'The tiers hold more or fewer leads than asked because leads with the same probability always share a tier: where many leads share the probability at a cut, the cut goes above or below all of them. ' +
      'The isotonic calibration gives every lead on one of its steps the same probability, so new leads will share tiers the same way.',
  );
  // Another policy's thresholds ask no share.
  expect(renderModelCard({ ...bundled, tiers: { policy: { kind: 'fixed' as const }, hot: 0.3, warm: 0.1 } })).not.toContain('| tier | asked | holds |');
});

it('names the flagged features a model reads all the same, as its manifest records them', () => {
  const kept = { ...bundled, provenance: { ...bundled.provenance, leakageFlagsKept: [{ key: 'web_visits', reason: 'it keeps changing after the outcome' }] } };
  expect(renderModelCard(kept)).toContain('## Possible leakage');
  expect(renderModelCard(kept)).toContain('- Possible leakage in "Website visits": it keeps changing after the outcome.');
  expect(renderModelCard(bundled)).not.toContain('Possible leakage');
});

it('says the leakage check did not run for a model whose manifest records so, and why, in place of "nothing flagged"', () => {
  const unchecked = { ...bundled, provenance: { ...bundled.provenance, leakageCheckNotRun: { reason: 'out of memory' } } };
  const card = renderModelCard(unchecked);
  expect(card).toContain(
    '## Possible leakage\n\nThe check for fields filled in after a lead converted could not run when this model was trained (out of memory), so its cross-validated figures may be inflated by such a field: check by hand',
  );
  expect(card).not.toContain('The leakage guard flagged these features');
});

it('writes low conversion rates and thresholds as the extension does, never "0 %" for some nor one figure for two', () => {
  // 2,000 leads a decile, 6, 5 and 1 of them converted: not "0 %"; thresholds of 0.94 % and 0.86 %: not both "≥ 0.9 %".
  const hot = { ...bundled.metrics.tierConfusion!.hot, threshold: 0.0094 };
  const warm = { ...bundled.metrics.tierConfusion!.warm, threshold: 0.0086 };
  const lowRates = {
    ...bundled,
    tiers: { policy: { kind: 'fixed' as const }, hot: 0.0094, warm: 0.0086 },
    metrics: { ...bundled.metrics, tierConfusion: { hot, warm }, liftByDecile: [0.02, 0.012, 0.008, 0.006, 0.005, 0.004, 0.003, 0.0025, 0.0005, 0] },
  };
  const card = renderModelCard(lowRates);
  expect(card).toContain('Conversion by score decile (best first): 2%, 1.2%, 0.8%, 0.6%, 0.5%, 0.4%, 0.3%, 0.25%, 0.05%, 0%.');
  expect(card).toContain('| tiers | policy `fixed`: hot ≥ 0.94%, warm ≥ 0.86% |');
  expect(card).toContain('| hot ≥ 0.94% | 179 |');
  expect(card).toContain('| warm ≥ 0.86% | 321 |');
  // The bundled model's: a capacity policy's thresholds as the extension writes them.
  expect(renderModelCard(bundled)).toContain('hot ≥ 21.7%, warm ≥ 10.29%');
});

it("writes the data's text as text: a hostile cell or column name makes no link, image, HTML, heading or table cell of its own", () => {
  const footer = 'The last line, one cell ("Total\n\n# Approved: safe to ship\n\n![x](https://attacker.example/t.png) <img src=https://attacker.example/p.gif>"), is not a lead: a report\'s footer, left out.';
  const hostile = { ...bundled, features: bundled.features.map((feature, i) => (i === 0 ? { ...feature, label: 'Title | [click](https://attacker.example) `x`' } : feature)) };
  const card = renderModelCard(hostile, { warnings: [footer] });
  expect(card).not.toContain('\n# Approved');
  expect(card).not.toContain('![x](');
  expect(card).not.toMatch(/(?<!\\)<img/);
  expect(card).not.toContain('[click](');
  expect(card).toContain('- The last line, one cell ("Total # Approved: safe to ship !\\[x\\](https://attacker.example/t.png) \\<img src=https://attacker.example/p.gif\\>"), is not a lead: a report\'s footer, left out.');
  // Its table rows keep their cells (three in the terms' table, five in the features'): the label's bar is escaped.
  const cells = (line: string) => line.split(/(?<!\\)\|/).length - 2;
  expect(new Set(card.split('\n').filter((line) => line.startsWith('|') && line.includes('click')).map(cells))).toEqual(new Set([3, 5]));
  // Plain warnings read as they did.
  expect(renderModelCard(bundled, { warnings: ['Dates read day first (31/12/2025 is 31 December) in "visited".'] })).toContain('\n- Dates read day first (31/12/2025 is 31 December) in "visited".\n');
});

it('reports the calibration error the Model report shows, worded as it is there, and the equal-width ECE after it, named so', () => {
  // The card gave the equal-width ECE alone: on 1,000 leads with 112 converted it said 0.0077 where the report said 2.7 points.
  const card = renderModelCard(bundled);
  const calibrationError = describeReliabilityError(reliabilityError(bundled.metrics)!);
  expect(card).toContain(`\n| Calibration error (how far "12% likely" is from what happened) | ${calibrationError} |\n| equal-width ECE (10 bins: `);
  expect(calibrationError).toMatch(/^0\.7 percentage points: the leads trained on, each scored by a model that did not learn from it, are put in 10 groups of about 500 leads/);
  expect(card).toContain(`at a low base rate most leads fall in the first, so it says little) | ${bundled.metrics.ece!.toFixed(4)} |`);
  expect(card).not.toContain('ECE (calibrated, 10 bins)');
});

it('says how many held-out conversions the PR-AUC rests on, counted as the ROC-AUC margin counts them', () => {
  // 179 + 285 of the 464 converted, every one held out once over the 5 folds.
  expect(renderModelCard(bundled)).toContain('| PR-AUC (mean over folds) | 0.3451 (on 464 held-out conversions) |');
  // One 80/20 holdout: only its conversions, as the tier confusion counts them.
  const holdout = { tp: 30, fp: 70, tn: 830, fn: 63, precision: 0.3, recall: 30 / 93 };
  const heldOutFifth = { ...bundled, metrics: { ...bundled.metrics, folds: 1, tierConfusion: { hot: { threshold: 0.2, ...holdout }, warm: { threshold: 0.1, ...holdout } } } };
  expect(renderModelCard(heldOutFifth)).toContain('| PR-AUC (the holdout) | 0.3451 (on 93 held-out conversions) |');
  const uncounted = { ...bundled, metrics: { ...bundled.metrics, tierConfusion: undefined } };
  expect(renderModelCard(uncounted)).toContain('| PR-AUC (mean over folds) | 0.3451 |');
});

it("gives a derived feature's ideal level in the words the pages use, not the model's code; a CRM's own value as it is", () => {
  const card = renderModelCard(bundled);
  expect(card).toContain('| Title seniority | 14.9% | VP (+0.95) |');
  expect(card).toContain('| E-mail domain | 9.1% | Company e-mail (+0.21) |');
  expect(card).toContain('| Last page seen | 3.4% | Contact page (+0.51) |');
  expect(card).toContain('| Industry | 9.1% | Technology (+0.59) |');
});

it('says plainly that its held-out tier counts are at the thresholds it was trained with when it ships others (a tier policy set after training), and does not size those tiers by them', () => {
  const applied = { policy: { kind: 'capacity' as const, hotPerWeek: 5, warmPerWeek: 15, inflowPerWeek: 200 }, hot: 0.61, warm: 0.33 };
  const card = renderModelCard({ ...bundled, tiers: applied });
  expect(card).toContain('| tiers | policy `capacity`: hot ≥ 61%, warm ≥ 33% |');
  expect(card).toContain(
    'Held-out leads at the thresholds the model was trained with (called = probability ≥ threshold), not at the tiers it ships (hot ≥ 61%, warm ≥ 33%): ' +
      'its tier policy was set after training, and these leads could not be counted again at its thresholds.',
  );
  expect(card).toContain(`| hot ≥ ${formatThreshold(bundled.tiers.hot)} | 179 | 321 | 285 | 4215 |`);
  // Neither the new policy's words for how its thresholds were chosen, nor its asked shares beside the old thresholds' counts.
  expect(card).not.toContain('come nearest the policy');
  expect(card).not.toContain('What each tier holds');
  // As trained, the card reads as before.
  expect(renderModelCard(bundled)).toContain('What each tier holds of the 5,000 held-out leads, beside what the policy asks (10 hot and 20 warm of 100 a week):');
});

it("names the value policy's figures as those it was trained with when another policy was set after training", () => {
  const value = { kind: 'value' as const, revenuePerConversion: 1000, costPerContact: 250 };
  const trainedWithValue = { ...bundled, metrics: { ...bundled.metrics, profitAssumptions: { ...value, source: 'policy' as const } } };
  expect(renderModelCard({ ...trainedWithValue, tiers: { policy: value, hot: 0.25, warm: 0.125 } })).toContain('assumes 1000 revenue per conversion and 250 cost per contact (the value policy\'s figures).');
  expect(renderModelCard(trainedWithValue)).toContain('assumes 1000 revenue per conversion and 250 cost per contact (the figures of the value policy it was trained with).');
});
