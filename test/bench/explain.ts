/**
 * npm run bench:explain — how long the side panel's explanation of one lead takes: the plan of
 * what would make it hotter (`whatWouldMakeHotter`) and its comparison with the ideal customer
 * (`deviationsFromIdeal`), both pure TypeScript over the manifest's shape functions, called as
 * the side panel calls them. Node only: no browser, no build.
 *
 * Two sets of leads: the bundled model (models/manifest.json) over demo leads of each CRM as the
 * side panel gets them (the CRM record featurized, every field read, the values as the CRM wrote
 * them); and a hand-made model that is the worst case for the plan's search: many counts a rep's
 * work raises, each with many bins, pairs between them, no bin counts (so every higher bin is a
 * target), and the tiers far apart.
 *
 * The machine is shared: figures are ratios to an anchor timed in the same run, interleaved lead
 * by lead with what is measured — what scoring the lead already costs beyond the model run, its
 * featurization and its reasons (`featurizeRecord` + `explainLead`). Each lead is timed ROUNDS
 * times after a warm-up and keeps its fastest. Writes the `explain` section of BENCHMARKS.md.
 *
 *   npm run bench:explain [-- --demo-leads N] [--synthetic-leads N]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { generateDemoLeads } from '../../lib/crm/demo-data';
import { explainLead, valuesAsWritten } from '../../lib/ml/explain';
import { featurizeRecord, type RawRecord, type SourceKind } from '../../lib/ml/featurize';
import { deviationsFromIdeal, whatWouldMakeHotter } from '../../lib/ml/insights';
import { parseManifest, type Manifest } from '../../lib/ml/manifest';
import { mulberry32 } from '../../lib/ml/random';
import { tierOf } from '../../lib/ml/score';
import { termContribution } from '../../lib/ml/shape';
import { applyCalibration } from '../../lib/ml/train/calibration';
import { DEFAULT_EBM_OPTIONS } from '../../lib/ml/train/ebm';
import type { Tier } from '../../lib/messaging/protocol';
import { handMadeManifest } from '../fixtures/manifest';
import { percentile, writeBenchmarkSection } from './report';

const NOW = new Date('2026-11-20T00:00:00Z');
/** Timed passes over every lead; each lead keeps its fastest, the least disturbed by the machine's other jobs. */
const ROUNDS = 3;
/** Leads run once, untimed, before the timing: the JIT has compiled what is timed by then. */
const WARM_UP_LEADS = 100;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A lead as the side panel gets it (lib/background/open-lead.ts `explainInFull`), with the record it was read from. */
interface PanelLead {
  record: RawRecord;
  source: SourceKind;
  /** The model input, missing as NaN, as the panel rebuilds it from the lead's `row`. */
  row: number[];
  contributions: number[];
  tier: Tier;
  valuesAsWritten: (string | null)[];
}

/** The lead scored by the shape functions in TypeScript, as the plan scores (the extension's ONNX model gives the same to float32). */
function panelLead(manifest: Manifest, record: RawRecord, source: SourceKind): PanelLead {
  const row = Array.from(featurizeRecord(record, manifest.features, source, NOW));
  const contributions = manifest.terms.map((term) => termContribution(term.shape!, term.features.map((f) => row[f])));
  const probability = applyCalibration(manifest.calibration, contributions.reduce((sum, points) => sum + points, manifest.intercept));
  return { record, source, row, contributions, tier: tierOf(probability, manifest.tiers), valuesAsWritten: valuesAsWritten(manifest, record, source, NOW) };
}

/** What is timed per lead, each a call as its caller makes it. */
const MEASURES = {
  /** The anchor: what scoring the lead costs besides the model run (lib/background/score-lead.ts). */
  anchor: (manifest: Manifest, lead: PanelLead) => {
    featurizeRecord(lead.record, manifest.features, lead.source, NOW);
    return explainLead(manifest, lead.contributions, lead.record, lead.source, NOW);
  },
  // The side panel hands the plan a manifest of its own per lead (the tiers the lead was tiered by): nothing worked out per manifest carries over.
  plan: (manifest: Manifest, lead: PanelLead) =>
    whatWouldMakeHotter({ ...manifest, tiers: { ...manifest.tiers } }, lead.row, lead.contributions, lead.source, lead.tier, undefined, lead.valuesAsWritten),
  comparison: (manifest: Manifest, lead: PanelLead) => deviationsFromIdeal(manifest, lead.row, lead.source, lead.valuesAsWritten, undefined),
};
type Measure = keyof typeof MEASURES;

/** Per measure, each lead's fastest ms over ROUNDS passes, the measures interleaved lead by lead so the machine's load falls on all alike. */
function timeLeads(manifest: Manifest, leads: readonly PanelLead[]): Record<Measure, number[]> {
  const names = Object.keys(MEASURES) as Measure[];
  for (const lead of leads.slice(0, WARM_UP_LEADS)) for (const name of names) MEASURES[name](manifest, lead);
  const fastest = Object.fromEntries(names.map((name) => [name, leads.map(() => Number.POSITIVE_INFINITY)])) as Record<Measure, number[]>;
  for (let round = 0; round < ROUNDS; round++) {
    leads.forEach((lead, i) => {
      for (const name of names) {
        const start = performance.now();
        MEASURES[name](manifest, lead);
        fastest[name][i] = Math.min(fastest[name][i], performance.now() - start);
      }
    });
  }
  return fastest;
}

/**
 * The worst case for the plan's search: COUNTS counts a rep's work raises, each with nine value
 * bins (every higher one a target: no bin counts), the trainer's default number of pairs between
 * them, scores that mostly rise with the count, and warm at 5 % where hot is at 50 %: the
 * intercept puts the median lead at WORST_CASE_MEDIAN, so most leads are warm and need several
 * large moves to be hot, and the search tries every order of them before it falls short.
 */
const COUNTS = 30;
const COUNT_AXIS = { labels: ['0', '1', '2', '3 – 4', '5 – 7', '8 – 12', '13 – 20', '21 – 40', '≥ 41', 'missing'], edges: [0.5, 1.5, 2.5, 4.5, 7.5, 12.5, 20.5, 40.5] };
const WORST_CASE_TIERS = { warm: 0.05, hot: 0.5 };
const WORST_CASE_MEDIAN = 0.06;

/** The worst-case model and `count` of its leads, as a file's rows: small counts, now and then one not known. */
function worstCase(count: number): { manifest: Manifest; leads: PanelLead[] } {
  const random = mulberry32(2026);
  const jitter = (size: number) => (random() * 2 - 1) * size;
  const features = Array.from({ length: COUNTS }, (_, k) => ({
    key: `count_${k}`,
    label: `Count ${k}`,
    type: 'numeric',
    actionable: true,
    derive: { kind: 'value', from: { csv: `count_${k}` } },
  }));
  const bins = COUNT_AXIS.labels.length;
  const mains = features.map((feature, k) => {
    const step = 0.03 + 0.09 * random();
    return { features: [k], label: feature.label, shape: { axes: [COUNT_AXIS], scores: Array.from({ length: bins }, (_, bin) => (bin === bins - 1 ? -step : step * (bin - 2) + jitter(0.1))) } };
  });
  const pairs: number[][] = [];
  while (pairs.length < DEFAULT_EBM_OPTIONS.interactions) {
    const [a, b] = [Math.floor(random() * COUNTS), Math.floor(random() * COUNTS)].sort((x, y) => x - y);
    if (a !== b && !pairs.some(([x, y]) => x === a && y === b)) pairs.push([a, b]);
  }
  const pairTerms = pairs.map(([a, b]) => ({
    features: [a, b],
    label: `Count ${a} × Count ${b}`,
    shape: { axes: [COUNT_AXIS, COUNT_AXIS], scores: Array.from({ length: bins * bins }, () => jitter(0.2)) },
  }));
  const unplaced = handMadeManifest({ features, terms: [...mains, ...pairTerms], intercept: 0 });
  const records: RawRecord[] = Array.from({ length: count }, () =>
    Object.fromEntries(features.map((feature) => [feature.key, random() < 0.1 ? '' : String(Math.floor(-Math.log(1 - random()) * 2))])),
  );
  const termSums = records.map((record) => panelLead(unplaced, record, 'csv').contributions.reduce((sum, points) => sum + points, 0));
  const intercept = Math.log(WORST_CASE_MEDIAN / (1 - WORST_CASE_MEDIAN)) - percentile(termSums, 50);
  const manifest: Manifest = { ...unplaced, modelId: 'worst-case-plan-search', intercept, tiers: { ...unplaced.tiers, ...WORST_CASE_TIERS } };
  return { manifest, leads: records.map((record) => panelLead(manifest, record, 'csv')) };
}

interface Result {
  name: string;
  leads: PanelLead[];
  times: Record<Measure, number[]>;
  plans: string;
}

const MEASURE_LABELS: [string, (r: Result) => number[]][] = [
  ['anchor: featurization + reasons (`featurizeRecord` + `explainLead`)', (r) => r.times.anchor],
  ['plan (`whatWouldMakeHotter`)', (r) => r.times.plan],
  ['comparison with the ideal customer (`deviationsFromIdeal`)', (r) => r.times.comparison],
  ['plan + comparison (the side panel\'s explanation)', (r) => r.times.plan.map((ms, i) => ms + r.times.comparison[i])],
];
const STATS: [string, (ms: number[]) => number][] = [
  ['median', (ms) => percentile(ms, 50)],
  ['p90', (ms) => percentile(ms, 90)],
  ['p99', (ms) => percentile(ms, 99)],
  ['max', (ms) => Math.max(...ms)],
];

const formatMs = (ms: number) => (ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(2) : ms.toFixed(0));
const formatRatio = (ratio: number) => (ratio < 10 ? ratio.toFixed(1) : ratio.toFixed(0));

function tierCounts(leads: readonly PanelLead[]): string {
  const count = (tier: Tier) => leads.filter((lead) => lead.tier === tier).length.toLocaleString('en-US');
  return `${count('hot')} hot (no plan), ${count('warm')} warm, ${count('cold')} cold`;
}

/** What the plans of `leads` came to, untimed: how hard their search was (a plan that falls short tried every set of changes). */
function planOutcomes(manifest: Manifest, leads: readonly PanelLead[]): string {
  const plans = leads.flatMap((lead) => MEASURES.plan(manifest, lead) ?? []);
  const reaching = (changes: number) => plans.filter((plan) => plan.reaches && plan.changes.length === changes).length;
  const short = plans.filter((plan) => !plan.reaches);
  return (
    `plans reaching the next tier with 1, 2, 3 changes: ${reaching(1)}, ${reaching(2)}, ${reaching(3)}; ` +
    `falling short: ${short.filter((plan) => plan.changes.length > 0).length}; no change to offer: ${short.filter((plan) => plan.changes.length === 0).length}`
  );
}

function main(): void {
  const demoLeads = arg('demo-leads', 2000);
  const syntheticLeads = arg('synthetic-leads', 500);
  const started = performance.now();
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  const bundled = parsed.manifest;
  const demo = generateDemoLeads({ count: demoLeads, seed: 3, now: NOW });
  const synthetic = worstCase(syntheticLeads);
  // The bundled model's sets name it, as the bench's engine section does: a section measured on a model since rebuilt shows it.
  const sets: { name: string; manifest: Manifest; leads: PanelLead[] }[] = [
    { name: `Salesforce demo leads, bundled model \`${bundled.modelId}\``, manifest: bundled, leads: demo.map((lead) => panelLead(bundled, lead.salesforce as RawRecord, 'salesforce')) },
    { name: `HubSpot demo leads, bundled model \`${bundled.modelId}\``, manifest: bundled, leads: demo.map((lead) => panelLead(bundled, lead.hubspot as RawRecord, 'hubspot')) },
    { name: `worst case for the plan: ${COUNTS} counts, ${DEFAULT_EBM_OPTIONS.interactions} pairs, warm ${WORST_CASE_TIERS.warm * 100} % / hot ${WORST_CASE_TIERS.hot * 100} %`, ...synthetic },
  ];
  const results: Result[] = [];
  for (const set of sets) {
    process.stderr.write(`${set.name}: ${set.leads.length} leads (${tierCounts(set.leads)}), ${ROUNDS} rounds…\n`);
    const result = { name: set.name, leads: set.leads, times: timeLeads(set.manifest, set.leads), plans: planOutcomes(set.manifest, set.leads) };
    results.push(result);
    const summary = Object.fromEntries(MEASURE_LABELS.map(([label, times]) => [label.split(' (')[0], Object.fromEntries(STATS.map(([stat, of]) => [stat, Number(formatMs(of(times(result))))]))]));
    process.stdout.write(`${JSON.stringify({ set: set.name, leads: set.leads.length, plans: result.plans, ms: summary })}\n`);
  }
  const seconds = (performance.now() - started) / 1000;

  const lines: string[] = [];
  lines.push('## Side panel explanation of one lead (`npm run bench:explain`)');
  lines.push('');
  lines.push(`Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:explain\` (Node ${process.version}, ${os.cpus().length} shared cores; one run of ${seconds.toFixed(0)} s, figures vary run to run).`);
  lines.push('');
  lines.push('What it measures: per lead, the side panel\'s plan of what would make it hotter and its comparison with the ideal customer (lib/ml/insights.ts, pure TypeScript over the shape functions), beside what scoring the lead already costs besides the model run.');
  lines.push('');
  lines.push(
    `Each lead is timed ${ROUNDS} times after a warm-up and keeps its fastest; the anchor (featurizing the lead's record and its reasons, \`featurizeRecord\` + \`explainLead\`) is timed lead by lead with the rest, in the same run. ` +
      'Every figure is ms per lead, then its ratio to the anchor\'s median of the same leads. Demo leads: `generateDemoLeads` (seed 3, as lib/ml/insights.model.test.ts), each lead\'s plan from the tier and contributions the shape functions give it, every field read, the values as the CRM wrote them, as the side panel gets them from a record read. ' +
      'The plan gets a manifest of its own per lead, as the side panel hands it one (the tiers the lead was tiered by). ' +
      `Worst case: a hand-made model with ${COUNTS} counts a rep's work raises, each with ${COUNT_AXIS.edges.length + 1} value bins and no bin counts (every higher bin is a change to try), ${DEFAULT_EBM_OPTIONS.interactions} pairs between them, warm at ${WORST_CASE_TIERS.warm * 100} % and hot at ${WORST_CASE_TIERS.hot * 100} % (the median lead at ${WORST_CASE_MEDIAN * 100} %): a warm lead needs several large changes, and the plan tries every order of up to three before it falls short.`,
  );
  for (const result of results) {
    const anchorMedian = percentile(result.times.anchor, 50);
    lines.push('');
    lines.push(`### ${result.name[0].toUpperCase()}${result.name.slice(1)} — ${result.leads.length.toLocaleString('en-US')} leads (${tierCounts(result.leads)})`);
    lines.push('');
    lines.push(`| per lead | ${STATS.map(([stat]) => stat).join(' | ')} |`);
    lines.push(`|---|${STATS.map(() => '---|').join('')}`);
    for (const [label, times] of MEASURE_LABELS) {
      const ms = times(result);
      lines.push(`| ${label} | ${STATS.map(([, of]) => `${formatMs(of(ms))} ms (${formatRatio(of(ms) / anchorMedian)}×)`).join(' | ')} |`);
    }
    lines.push('');
    lines.push(`${result.plans[0].toUpperCase()}${result.plans.slice(1)}.`);
  }
  writeBenchmarkSection('explain', lines.join('\n'));
  process.stderr.write(`Wrote the explain section of BENCHMARKS.md (${seconds.toFixed(0)} s)\n`);
}

main();
