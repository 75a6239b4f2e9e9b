// @vitest-environment happy-dom
/**
 * The model report: the figures of a model trained on features the leakage guard flagged come
 * with those flags, long after the training report that named them is closed; the charts of
 * calibration, deciles and term importance carry their numbers as tables a screen reader reads.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, waitFor, type Rendered } from '@/test/render';
import { db } from '@/lib/db/db';
import { bundledModel } from '@/lib/ml/bundled-model';
import { activateModel } from '@/lib/ml/model-versions';
import { KEEPS_CHANGING_REASON } from '@/lib/ml/train/training-set';
import { describeReliabilityError, reliabilityError } from '@/lib/ml/reliability-error';
import { oweScoringOfEveryLead, settleOwedScoring, writeJob } from '@/lib/jobs/progress';
import { formatRate } from '@/lib/presentation';
import type { Labelled } from '../policy-protocol';
import { storeModel } from '../../../test/fixtures/stored-model';
import { ModelReportSection } from './ModelReport';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
// No stored lead has a known outcome unless a test says which do (the policy worker's answer, given in place: no worker here).
const stored = vi.hoisted(() => ({ labelled: null as Labelled | null, reads: 0 }));
vi.mock('../policy-client', async () => {
  const { queryOptions } = await import('@tanstack/react-query');
  const { queryKeys } = await import('@/lib/query-keys');
  const none = { labels: new Uint8Array(0), probabilities: new Float64Array(0), heldOut: 0, ranked: new Float64Array(0) };
  return {
    labelledQuery: (modelId: string) =>
      queryOptions({
        queryKey: queryKeys.labelledLeads(modelId),
        queryFn: async () => {
          stored.reads++;
          return stored.labelled ?? none;
        },
      }),
  };
});

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();
/**
 * The bundled model without its terms' shape functions: what the tests store, changed where each
 * says. The tables of its 37 shape plots are some 9,000 elements, drawn or not: most of a second
 * for every report rendered, and no test of a stored model reads them. The bundled model's own
 * report, shapes and all, is rendered once, for the tests that read it (below).
 */
const lean = { ...bundled, terms: bundled.terms.map(({ shape: _shape, ...term }) => term) };

// The report's charts are not drawn (happy-dom's IntersectionObserver never says they are near).
// What these tests read (captions, descriptions, tables, notes) is there before a chart is drawn,
// as for a screen reader reading ahead. With IntersectionObserver taken away, every chart was
// queued to draw, one per task (Recharts in happy-dom): most reports were read and unmounted
// before any was drawn, and a report kept mounted spent seconds drawing them.
let rendered: Rendered | undefined;
/**
 * The bundled model's report while the tests that read it run (below). They change nothing, so
 * there is nothing to start afresh from; and the stores cleared under it would re-render it,
 * outside act().
 */
let shared: Rendered | undefined;
async function startAfresh() {
  stored.labelled = null;
  stored.reads = 0;
  await Promise.all([db.models.clear(), db.settings.clear(), db.leadScores.clear(), db.leads.clear(), db.leadSummaries.clear()]);
}
beforeEach(async () => {
  if (shared === undefined) await startAfresh();
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/**
 * How long a report, or a chart of it, may take to show. The bundled model's report (its 37 shape
 * plots) takes seconds to render, a drawn chart about as long: on a loaded machine, past `waitFor`'s
 * 5 s and a beforeAll's 10 s (the bundled report's timed out so, its tests skipped).
 */
const REPORT_DRAWN_MS = 25_000;

/** The report of the active model rendered, once its figures show. */
async function renderReport(): Promise<Rendered> {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const report = render(createElement(QueryClientProvider, { client: queryClient }, createElement(ModelReportSection)));
  await waitFor(() => report.container.querySelector('.model-summary'), REPORT_DRAWN_MS);
  return report;
}

/** The report of the active model, once its figures show (unmounted after the test). */
async function activeReport(): Promise<HTMLElement> {
  rendered = await renderReport();
  return rendered.container;
}

it("dates a model the command line trained by its data's latest date, not as the day it was trained; one trained here by when it was", async () => {
  // The command line dates a model by its data's reference time, so the same data trains the same bytes: trained on Dec 7 from a file whose latest date is Feb 28.
  const provenance = { ...bundled.provenance, source: 'history.csv', referenceTime: '2026-02-28T00:00:00.000Z' };
  await storeModel({ ...lean, modelId: 'cli-1', createdAt: '2026-02-28T00:00:00.000Z', provenance }, new Uint8Array([1]), 'imported');
  await activateModel('cli-1');
  expect(dataLine(await activeReport())).toMatch(/^5,000 leads, 464 conversions, from history\.csv; data as of Feb 28, 2026; /);
  rendered?.unmount();
  rendered = undefined;

  await storeModel({ ...lean, modelId: 'trained-1', createdAt: '2026-12-07T15:00:00.000Z', provenance }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  expect(dataLine(await activeReport())).toMatch(/^5,000 leads, 464 conversions, from history\.csv; trained Dec 7, 2026; /);
});

it('names beside the figures the flagged features the admin trained on all the same, with why each was flagged', async () => {
  const provenance = { ...bundled.provenance, leakageFlagsKept: [{ key: 'web_visits', reason: KEEPS_CHANGING_REASON }] };
  await storeModel({ ...lean, modelId: 'trained-1', provenance }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  const note = (await activeReport()).querySelector('[role="note"][data-testid="kept-leakage"]');
  expect(note).not.toBeNull();
  expect(note!.textContent).toContain('These figures may be better than the model does on new leads: it reads features the leakage guard flagged');
  expect(Array.from(note!.querySelectorAll('li'), (item) => item.textContent)).toEqual([`Website visits: ${KEEPS_CHANGING_REASON}.`]);
});

it('says beside the figures that the leakage check did not run when the model was trained, and why', async () => {
  const provenance = { ...bundled.provenance, leakageCheckNotRun: { reason: 'out of memory' } };
  await storeModel({ ...lean, modelId: 'trained-1', provenance }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  const report = await activeReport();
  const note = report.querySelector('[role="note"][data-testid="leakage-check-not-run"]');
  expect(note?.textContent).toMatch(/^The check for fields filled in after a lead converted could not run when this model was trained \(out of memory\), so its cross-validated figures may be inflated/);
  expect(report.querySelector('[data-testid="kept-leakage"]')).toBeNull();
});

it('says above its figures and term importances that the active model tells no lead apart, as its training report did, and not of a model that does', async () => {
  // Platt scaling of slope 0: every lead at the one probability, whatever its terms (the bundled model's) say.
  await storeModel({ ...lean, modelId: 'trained-flat', calibration: { kind: 'platt', a: 0, b: -1.66 } }, new Uint8Array([1]), 'trained');
  await activateModel('trained-flat');
  const report = await activeReport();
  const warning = report.querySelector('[role="note"][data-testid="no-signal-warning"]');
  expect(warning?.textContent).toMatch(/^This model tells no lead apart\. It found nothing in these fields that ranks leads better than chance, .* As the active model, it helps no rep: /);
  // Before the figures and the term importances it speaks of.
  expect(warning!.compareDocumentPosition(report.querySelector('.model-summary')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  rendered?.unmount();

  await storeModel({ ...lean, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  expect((await activeReport()).querySelector('[data-testid="no-signal-warning"]')).toBeNull();
});

/** The rows (header first) of the table under the chart titled `title`, as the text of each cell. */
function tableUnder(report: HTMLElement, title: string): string[][] {
  const figure = Array.from(report.querySelectorAll('figure')).find((candidate) => candidate.querySelector('figcaption')?.textContent === title);
  const table = figure?.querySelector('details > table');
  if (!table) throw new Error(`no table under the chart "${title}"`);
  return Array.from(table.querySelectorAll('tr'), (row) => Array.from(row.cells, (cell) => cell.textContent ?? ''));
}

/** What the chart titled `title` says of itself, to a screen reader. */
const chartSays = (report: HTMLElement, title: string) =>
  Array.from(report.querySelectorAll('figure')).find((figure) => figure.querySelector('figcaption')?.textContent === title)?.querySelector('[role="img"]')?.getAttribute('aria-label');
/** What the calibration chart says of itself, to a screen reader. */
const calibrationChartSays = (report: HTMLElement) => chartSays(report, 'Calibration');

/** The calibration error the report's summary shows: its term and its description. */
function calibrationErrorShown(report: HTMLElement): [string | null, string | null] {
  const figure = report.querySelector('.model-summary [data-metric="calibration-error"]');
  return [figure?.previousElementSibling?.textContent ?? null, figure?.textContent ?? null];
}

/** The figure the report's summary gives under the term starting `term`. */
const figureUnder = (report: HTMLElement, term: string) =>
  Array.from(report.querySelectorAll('.model-summary dt')).find((dt) => dt.textContent?.startsWith(term))?.nextElementSibling?.textContent;

describe('the bundled model’s report', () => {
  // The heaviest report (its 37 shape plots and their tables), rendered once and read by every
  // test here; none of them changes what it shows.
  const bundledReport = () => shared!.container;
  beforeAll(async () => {
    await startAfresh();
    shared = await renderReport();
  }, 2 * REPORT_DRAWN_MS);
  afterAll(() => {
    shared?.unmount();
    shared = undefined;
  });

  it('adds no caveat to a model trained without flagged features', () => {
    expect(bundledReport().querySelector('[data-testid="kept-leakage"]')).toBeNull();
    expect(bundledReport().querySelector('[data-testid="leakage-check-not-run"]')).toBeNull();
  });

  it('gives the ranking quality what chance alone moves it by, and the precision–recall area the held-out conversions it rests on, as the training report does', () => {
    // 464 converted and 4,536 not, each held out once over the 5 folds: chance moves 0.792 by 0.026 (Hanley–McNeil, as the model card's ± 0.0255).
    expect(figureUnder(bundledReport(), 'Ranking quality')).toBe('0.792 (± 0.026: what chance alone moves it by, 95% of the time)');
    expect(figureUnder(bundledReport(), 'Precision–recall area')).toBe('0.345 (on 464 conversions held out: the fewer they are, the more chance alone moves it)');
  });

  it('says its ROC and precision–recall curves pool every held-out lead, and names the areas beside them the mean of the folds’ own, not the curves’', () => {
    // The curves rank all 5,000 leads at once (pooled ROC-AUC 0.7916); the report's areas average the 5 folds' (0.7921).
    expect(chartSays(bundledReport(), 'ROC curve')).toBe("ROC curve: every held-out lead of the 5 folds, pooled into one curve; the mean of the 5 folds' own ROC-AUCs 0.792");
    expect(chartSays(bundledReport(), 'Precision–recall')).toBe("Precision–recall: every held-out lead of the 5 folds, pooled into one curve; the mean of the 5 folds' own PR-AUCs 0.345");
  });

  it('lists every term with its importance under the term importance chart, strongest first', () => {
    const rows = tableUnder(bundledReport(), 'Term importance');
    const strongestFirst = [...bundled.terms].sort((a, b) => b.importance - a.importance);
    expect(rows[0]).toEqual(['Term', 'Importance']);
    expect(rows.slice(1)).toEqual(strongestFirst.map((term) => [term.label, formatRate(term.importance)]));
    expect(rows[1]).toEqual(['Title seniority', '15%']);
  });

  it("labels a derived feature's shape with its levels in words, not the model's codes", () => {
    const table = Array.from(bundledReport().querySelectorAll('table')).find((candidate) => candidate.caption?.textContent === 'Title seniority (log-odds per category)');
    expect(Array.from(table!.querySelectorAll('tbody th'), (th) => th.textContent)).toEqual([
      'Individual contributor', 'Manager', 'VP', 'Director', 'C-level', 'Student or intern', 'No current company role', '(other)', 'missing',
    ]);
  });

  it('lists the conversion rate of every score decile under its chart, best first', () => {
    const rows = tableUnder(bundledReport(), 'Conversion by score decile');
    const deciles = bundled.metrics.liftByDecile!;
    expect(rows[0]).toEqual(['Decile', 'Conversion rate']);
    expect(rows.slice(1)).toEqual(deciles.map((rate, i) => [String(i + 1), formatRate(rate)]));
    expect(rows[1]).toEqual(['1', '35%']);
  });

  it('lists every calibration bin, predicted against observed with its leads, under the calibration chart', () => {
    const rows = tableUnder(bundledReport(), 'Calibration');
    const { calibration, calibrationLeads } = bundled.metrics;
    expect(rows[0]).toEqual(['Bin', 'Predicted', 'Observed', 'Leads']);
    expect(rows.slice(1)).toEqual(calibration!.map(([predicted, observed], i) => [String(i + 1), formatRate(predicted), formatRate(observed), calibrationLeads![i].toLocaleString('en-US')]));
    expect(rows[1]).toEqual(['1', '0.64%', '0.8%', '500']);
  });

  it("shows the training report's calibration error, over the reliability bins of about equal lead counts, worded as it is there", () => {
    const error = reliabilityError(bundled.metrics)!;
    expect(calibrationErrorShown(bundledReport())).toEqual(['Calibration error (how far "12% likely" is from what happened)', describeReliabilityError(error)]);
    expect(describeReliabilityError(error)).toMatch(/^[\d.]+ percentage points: .* put in 10 groups of about 500 leads by likelihood/);
  });

  it('says the calibration bins hold about equal lead counts only for a model whose bins do, equal widths, with their ECE, for an older one', async () => {
    // Not the equal-width ECE beside bins it was not computed over: the calibration error above is over these.
    const equalCounts = calibrationChartSays(bundledReport());
    expect(equalCounts).toMatch(/in 10 bins of about equal lead counts, the groups the calibration error above is measured over; the dashed diagonal/);
    expect(equalCounts).not.toMatch(/ECE/);
    // Read no more, and unmounted before another model is activated: it would follow it.
    shared!.unmount();
    shared = undefined;
    await storeModel({ ...lean, modelId: 'older-1', metrics: { ...bundled.metrics, calibrationRanges: undefined } }, new Uint8Array([1]), 'imported');
    await activateModel('older-1');
    expect(calibrationChartSays(await activeReport())).toMatch(new RegExp(`in 10 bins of equal width, expected calibration error \\(ECE\\) over them ${bundled.metrics.ece!.toFixed(3)}; the dashed diagonal`));
  });
});

it('names an older model’s calibration error as the ECE over bins of equal width, which it is, for want of lead counts over equal-count bins', async () => {
  // Its bins are of equal width (no ranges): "groups of about N leads" would not be true of them.
  await storeModel({ ...lean, modelId: 'older-1', metrics: { ...bundled.metrics, calibrationRanges: undefined } }, new Uint8Array([1]), 'imported');
  await activateModel('older-1');
  const [term, words] = calibrationErrorShown(await activeReport());
  expect(term).toBe('Calibration error (how far "12% likely" is from what happened)');
  expect(words).toBe(
    `not measured: this model kept no lead counts for its reliability bins; its expected calibration error (ECE), over 10 bins of equal width, is ${bundled.metrics.ece!.toFixed(3)}, which at a low base rate says little more than how far its mean likelihood is from the base rate`,
  );
});

it('lists calibration bins without a leads column for a model that does not count them', async () => {
  const metrics = { ...bundled.metrics, calibrationLeads: undefined };
  await storeModel({ ...lean, modelId: 'imported-1', metrics }, new Uint8Array([1]), 'imported');
  await activateModel('imported-1');
  const rows = tableUnder(await activeReport(), 'Calibration');
  expect(rows[0]).toEqual(['Bin', 'Predicted', 'Observed']);
  expect(rows[1]).toEqual(['1', '0.64%', '0.8%']);
});

/** The model summary's Data line. */
const dataLine = (report: HTMLElement) => Array.from(report.querySelectorAll('.model-summary dt')).find((dt) => dt.textContent === 'Data')?.nextElementSibling?.textContent;

it('says in the Data line how the probabilities were calibrated, and what converted means when the model keeps its outcome rule', async () => {
  const outcomeRule = { source: 'hubspot' as const, field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'], settledAfterDays: 30 };
  const calibration = { kind: 'isotonic' as const, logits: [-3, 0], probabilities: [0.01, 0.2] };
  await storeModel({ ...lean, modelId: 'trained-1', outcomeRule, calibration }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  expect(dataLine(await activeReport())).toBe(
    '5,000 leads, 464 conversions, from demo-history.csv; data as of Nov 1, 2026; probabilities calibrated by isotonic regression. Converted means: "Lifecycle stage" is customer or evangelist, for HubSpot leads',
  );
});

it('says in the Data line how the probabilities were calibrated, and nothing of what converted means, for a model without its outcome rule', async () => {
  await storeModel({ ...lean, modelId: 'imported-1' }, new Uint8Array([1]), 'imported');
  await activateModel('imported-1');
  expect(dataLine(await activeReport())).toBe('5,000 leads, 464 conversions, from demo-history.csv; data as of Nov 1, 2026; probabilities calibrated by Platt scaling');
});

it('names in the Data line the leads a model trained by an older LeadLens learnt from as the pages do, as its rule names them', async () => {
  // Recorded as 'hubspot leads' before 0f42dd9; its manifest keeps it, beside a rule "for HubSpot leads".
  const outcomeRule = { source: 'hubspot' as const, field: 'lifecyclestage', positiveValues: ['customer'], settledAfterDays: 30 };
  await storeModel({ ...lean, modelId: 'trained-before-1', outcomeRule, provenance: { ...lean.provenance, source: 'hubspot leads' } }, new Uint8Array([1]), 'trained');
  await activateModel('trained-before-1');
  expect(dataLine(await activeReport())).toMatch(/^5,000 leads, 464 conversions, from HubSpot leads; trained .*, for HubSpot leads$/);
});

it('shows in the Data line a source recorded as free text as it is, though it reads like an older LeadLens name', async () => {
  await storeModel({ ...lean, modelId: 'imported-1', provenance: { ...lean.provenance, source: 'hubspot leads export.csv' } }, new Uint8Array([1]), 'imported');
  await activateModel('imported-1');
  expect(dataLine(await activeReport())).toMatch(/^5,000 leads, 464 conversions, from hubspot leads export\.csv; data as of /);
});

it('shows an imported model’s leakage reasons and data source without direction controls, and a reason of any length cut short', async () => {
  const longReason = `\u202Edetaerced si ledom siht ${'x'.repeat(100_000)}`;
  const kept = { ...bundled.provenance, source: '\u202Evsc.tsil', leakageFlagsKept: [{ key: 'web_visits', reason: `\u202Bfilled\u202C after \u2066conversion\u2069 ${'y'.repeat(100_000)}` }] };
  await storeModel({ ...lean, modelId: 'imported-1', provenance: kept }, new Uint8Array([1]), 'imported');
  await activateModel('imported-1');
  const report = await activeReport();
  const flagged = report.querySelector('[data-testid="kept-leakage"] li')?.textContent ?? '';
  expect(flagged).toMatch(/^Website visits: filled after conversion y+…\.$/);
  expect(flagged.length).toBeLessThan(1_000);
  expect(dataLine(report)).toMatch(/^5,000 leads, 464 conversions, from vsc\.tsil; data as of /);
  rendered?.unmount();

  const notRun = { ...bundled.provenance, leakageCheckNotRun: { reason: longReason } };
  await storeModel({ ...lean, modelId: 'imported-2', provenance: notRun }, new Uint8Array([1]), 'imported');
  await activateModel('imported-2');
  const note = (await activeReport()).querySelector('[data-testid="leakage-check-not-run"]')?.textContent ?? '';
  expect(note).toMatch(/^The check for fields filled in after a lead converted could not run when this model was trained \(detaerced si ledom siht x+…\), so its cross-validated figures/);
  expect(note.length).toBeLessThan(1_000);
});

// A CLI model trained with `--cv 0` has one 80/20 holdout: its figure was labelled cross-validated.
it.each([
  [5, 'Ranking quality (cross-validated ROC-AUC, averaged over 5 folds; 0.5 is chance, 1 is perfect)'],
  [1, 'Ranking quality (held-out ROC-AUC, one 20% holdout; 0.5 is chance, 1 is perfect)'],
])('names what the held-out figures of a model trained with %i fold(s) are measured on', async (folds, heading) => {
  await storeModel({ ...lean, modelId: 'trained-1', metrics: { ...bundled.metrics, folds } }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  const terms = Array.from((await activeReport()).querySelectorAll('.model-summary dt'), (dt) => dt.textContent);
  expect(terms).toContain(heading);
  // Precision–recall's chance level is the share converted (464 of 5,000), not ROC-AUC's 0.5.
  expect(terms).toContain('Precision–recall area (9.3% of these leads converted, about what a model no better than chance scores)');
});

it.each([
  ['one holdout, whose curves and areas are of the same leads', { folds: 1 }, 'the leads of one 20% holdout; their ROC-AUC 0.792', 'the leads of one 20% holdout; their PR-AUC 0.345'],
  [
    'no fold count recorded',
    { folds: undefined },
    'every held-out lead in one curve; ROC-AUC averaged over the cross-validation folds, or on one holdout, 0.792',
    'every held-out lead in one curve; PR-AUC averaged over the cross-validation folds, or on one holdout, 0.345',
  ],
  ['no areas recorded', { cvRocAuc: undefined, cvPrAuc: undefined }, 'every held-out lead of the 5 folds, pooled into one curve', 'every held-out lead of the 5 folds, pooled into one curve'],
])('says what the ROC and precision–recall curves are of, and which area, for a model with %s', async (_case, measured, roc, pr) => {
  await storeModel({ ...lean, modelId: 'trained-1', metrics: { ...bundled.metrics, ...measured } }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  const report = await activeReport();
  expect(chartSays(report, 'ROC curve')).toBe(`ROC curve: ${roc}`);
  expect(chartSays(report, 'Precision–recall')).toBe(`Precision–recall: ${pr}`);
});

it.each([
  ['90 days', 90, "a lead's outcome counts once it is 90 days old, or the model learnt from it"],
  ['no minimum age', 0, "a lead's outcome counts however new it is"],
  ['none recorded (a model stored before it was): 30 days', undefined, "a lead's outcome counts once it is 30 days old, or the model learnt from it"],
])('says from what age a lead’s outcome counts for the confusion matrices by the minimum age the model was trained with: %s', async (_trainedWith, settledAfterDays, words) => {
  const outcomeRule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'], ...(settledAfterDays !== undefined && { settledAfterDays }) };
  await storeModel({ ...lean, modelId: 'trained-1', outcomeRule }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  const report = await activeReport();
  const note = await waitFor(() => [...report.querySelectorAll('p')].find((p) => p.textContent?.startsWith('Confusion matrices need')) ?? null);
  expect(note.textContent).toContain(`; ${words}).`);
});

it.each([
  ['an imported file, to the file’s latest created date', 'csv', "a lead's outcome counts if it was created 30 or more days before Mar 12, 2024, the file's latest created date, or the model learnt from it"],
  ['a CRM, to today, whatever file is stored beside it', 'salesforce', "a lead's outcome counts once it is 30 days old, or the model learnt from it"],
] as const)('counts the ages of the leads of a model trained on %s, for the confusion matrices', async (_countedTo, source, words) => {
  // An imported file exported on Mar 12, 2024, read long after.
  const exported = Date.parse('2024-03-12T09:00:00Z');
  const row = (id: string, createdAt: number) => ({ key: `csv|${id}`, source: 'csv' as const, id, origin: 'csv' as const, name: id, owner: 'Grace', leadSource: 'Web', createdAt, modifiedAt: createdAt, outcome: 0 as const, fields: {} });
  await db.putLeads([row('1', exported - 90 * 86_400_000), row('2', exported)]);
  const outcomeRule = { source, field: 'Converted', positiveValues: ['yes'], settledAfterDays: 30 };
  await storeModel({ ...lean, modelId: 'trained-1', outcomeRule }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  const report = await activeReport();
  // The file's date is read after the stored outcomes: the words that wait for it.
  const note = await waitFor(() => [...report.querySelectorAll('p')].find((p) => p.textContent?.startsWith('Confusion matrices need') && p.textContent.includes(words)) ?? null);
  expect(note.textContent).toContain(`; ${words}).`);
});

/** Whether the confusion matrices show (their tables' captions). */
const confusionMatrixShown = (report: HTMLElement) => Array.from(report.querySelectorAll('caption')).some((caption) => caption.textContent?.startsWith('Called hot or above'));

/** The sentence above each confusion matrix, once they show. */
async function thresholdLines(report: HTMLElement): Promise<string[]> {
  await waitFor(() => confusionMatrixShown(report) || null);
  return Array.from(report.querySelectorAll('p'), (p) => p.textContent ?? '').filter((text) => text.startsWith('At the '));
}

it('says the precision at a threshold no lead with a known outcome is at or above is unknown, not 0 %, as the tier preview does', async () => {
  // 200 leads with known outcomes, all below 40 %: none is called hot; 20 % and above holds some.
  const probabilities = Float64Array.from({ length: 200 }, (_, i) => 0.01 + (0.3 * i) / 200);
  stored.labelled = { labels: Uint8Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 1 : 0)), probabilities, heldOut: 0, ranked: probabilities };
  const tiers = { policy: { kind: 'value' as const, revenuePerConversion: 100, costPerContact: 40 }, hot: 0.4, warm: 0.2 };
  await storeModel({ ...lean, modelId: 'trained-1', tiers }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  const [hot, warm] = await thresholdLines(await activeReport());
  expect(hot).toBe('At the Hot threshold (40%): precision unknown (no lead with a known outcome is at or above it), recall 0%');
  expect(warm).toMatch(/^At the Warm threshold \(20%\): precision \d/);
});

it.each([
  [
    'a value policy, cross-fitted, as the model card counts them',
    { kind: 'value' as const, revenuePerConversion: 100, costPerContact: 40 },
    ['precision 67%, recall 100%', 'precision 67%, recall 100%'],
    'through a calibration fitted without them too, as new leads meet the thresholds',
  ],
  [
    'a capacity policy, through the calibration shipped, where its cuts were made',
    { kind: 'capacity' as const, hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 },
    ['precision 50%, recall 50%', 'precision 50%, recall 50%'],
    'as the thresholds were chosen',
  ],
])('counts the leads a model learnt from under %s, and says so', async (_policy, policy, [hotWords, warmWords], readWith) => {
  // Two converted, two not: through the shipped isotonic map a lost lead is hot and a converted one cold; cross-fitted, both converted ones are hot, with a lost one.
  const probabilities = Float64Array.from([0.5, 0.1, 0.45, 0.05]);
  const crossFitted = Float64Array.from([0.45, 0.41, 0.4, 0.05]);
  stored.labelled = { labels: Uint8Array.from([1, 1, 0, 0]), probabilities, heldOut: 4, ranked: probabilities, crossFitted: { probabilities: crossFitted, ranked: crossFitted } };
  const calibration = { kind: 'isotonic' as const, logits: [-3, 0, 3], probabilities: [0.05, 0.2, 0.6] };
  await storeModel({ ...lean, modelId: 'trained-1', calibration, tiers: { policy, hot: 0.4, warm: 0.2 } }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  const report = await activeReport();
  expect(await thresholdLines(report)).toEqual([`At the Hot threshold (40%): ${hotWords}`, `At the Warm threshold (20%): ${warmWords}`]);
  expect(report.querySelector('[data-testid="labelled-leads"]')?.textContent).toContain(
    `the model learnt from all of them, so each is scored by a check model that never saw them, ${readWith} (its own scores`,
  );
});

it('says the recall is unknown, not 0 %, while no lead with a known outcome converted', async () => {
  // Known outcomes, none converted yet (a new model's first weeks); some leads at or above each threshold.
  const probabilities = Float64Array.from([0.9, 0.5, 0.3, 0.05]);
  stored.labelled = { labels: new Uint8Array(4), probabilities, heldOut: 0, ranked: probabilities };
  const tiers = { policy: { kind: 'value' as const, revenuePerConversion: 100, costPerContact: 40 }, hot: 0.4, warm: 0.2 };
  await storeModel({ ...lean, modelId: 'trained-1', tiers }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  expect(await thresholdLines(await activeReport())).toEqual([
    'At the Hot threshold (40%): precision 0%, recall unknown (no lead with a known outcome converted)',
    'At the Warm threshold (20%): precision 0%, recall unknown (no lead with a known outcome converted)',
  ]);
});

it('shows no confusion matrices of the first batches while the activation scores the stored leads, saying so, and reads them at its end', async () => {
  const probabilities = Float64Array.from([0.9, 0.6, 0.3, 0.1]);
  stored.labelled = { labels: Uint8Array.from([1, 1, 0, 0]), probabilities, heldOut: 0, ranked: probabilities };
  await storeModel({ ...lean, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
  await activateModel('trained-1');
  // Activation owes a scoring of every stored lead with it; its run is 200 leads in, one source's so far (key order).
  await oweScoringOfEveryLead('trained-1');
  const run = { modelId: 'trained-1', state: 'running' as const, done: 200, total: 2000, startedAt: Date.now() };
  await writeJob('scoring', run);
  const report = await activeReport();
  const note = await waitFor(() => report.querySelector('[data-testid="confusion-scoring"]'));
  expect(note.textContent).toBe('Scoring the stored leads with this model (200 of 2,000); the confusion matrices follow when it is done.');
  expect(confusionMatrixShown(report)).toBe(false);
  expect(stored.reads).toBe(0);

  // As the run's end is written: its row and the scoring owed settled in one write (progress.ts), which pages see at once.
  await act(async () => {
    await db.transaction('rw', db.settings, async () => {
      await writeJob('scoring', { ...run, state: 'done', done: 2000, finishedAt: Date.now() });
      await settleOwedScoring('trained-1');
    });
  });
  const [hot] = await thresholdLines(report);
  expect(hot).toMatch(/^At the Hot threshold/);
  expect(report.querySelector('[data-testid="confusion-scoring"]')).toBeNull();
  expect(stored.reads).toBe(1);
});

describe('the charts of a model of few conversions, drawn', () => {
  // Without an IntersectionObserver, the charts draw at once, in turn.
  beforeEach(() => vi.stubGlobal('IntersectionObserver', undefined));
  afterEach(() => vi.unstubAllGlobals());

  const figureTitled = (report: HTMLElement, title: string) => Array.from(report.querySelectorAll('figure')).find((candidate) => candidate.querySelector('figcaption')?.textContent === title)!;

  /** The tick labels of each axis of the chart titled `title`, once it is drawn. */
  async function ticksOf(report: HTMLElement, title: string): Promise<{ x: string[]; y: string[] }> {
    const figure = figureTitled(report, title);
    await waitFor(() => figure.querySelector('.recharts-yAxis-tick-labels text'), REPORT_DRAWN_MS);
    const labels = (axis: string) => Array.from(figure.querySelectorAll(`.recharts-${axis}Axis-tick-labels text`), (tick) => tick.textContent ?? '');
    return { x: labels('x'), y: labels('y') };
  }

  /** The axis titles of the chart titled `title`, once it is drawn. */
  async function axisTitlesOf(report: HTMLElement, title: string): Promise<string[]> {
    const figure = figureTitled(report, title);
    await waitFor(() => figure.querySelector('svg'), REPORT_DRAWN_MS);
    return Array.from(figure.querySelectorAll('.recharts-label'), (label) => label.textContent ?? '');
  }

  it('titles the axes of the deciles (decile 1 holds the highest scores, the usual reading reversed) and of the terms’ importance', async () => {
    await storeModel({ ...lean, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
    await activateModel('trained-1');
    const report = await activeReport();
    expect(await axisTitlesOf(report, 'Conversion by score decile')).toEqual(['Score decile (1 = highest scores)', 'Conversion rate']);
    expect(await axisTitlesOf(report, 'Term importance')).toEqual(['Share of mean absolute effect on score']);
  }, 2 * REPORT_DRAWN_MS);

  // 2 % conversion at best: whole percents read "0 % | 1 % | 1 % | 2 % | 2 %".
  const liftByDecile = [0.02, 0.012, 0.008, 0.006, 0.005, 0.004, 0.003, 0.0025, 0.0005, 0];
  // A 4 % base rate: every bin but the last under 10 %.
  const calibration: [number, number][] = [[0.005, 0.004], [0.01, 0.012], [0.015, 0.014], [0.02, 0.018], [0.025, 0.03], [0.03, 0.028], [0.035, 0.04], [0.045, 0.05], [0.06, 0.055], [0.12, 0.14]];

  // One report for both: drawing its charts takes most of a second or two.
  it('writes the score deciles’ axis in distinct rates, not "0 %" over and over, and zooms the calibration chart to its bins, not 0–100 %', async () => {
    await storeModel({ ...lean, modelId: 'trained-1', metrics: { ...bundled.metrics, liftByDecile, calibration } }, new Uint8Array([1]), 'trained');
    await activateModel('trained-1');
    const report = await activeReport();
    expect((await ticksOf(report, 'Conversion by score decile')).y).toEqual(['0%', '0.5%', '1%', '1.5%', '2%']);
    // Up to 14 % observed: 0 to 15 % in steps of 5 on both axes, the diagonal drawn across.
    expect(await ticksOf(report, 'Calibration')).toEqual({ x: ['0', '5', '10', '15'], y: ['0', '5', '10', '15'] });
    expect(figureTitled(report, 'Calibration').querySelector('.recharts-reference-line')).not.toBeNull();
  }, 2 * REPORT_DRAWN_MS);
});
