/**
 * The training CLI end to end on a small generated CSV in a temp dir: the `--json` line, the
 * `--out` files (and the mode of a new folder), warnings on the data, and bad input (exit ≠ 0, a
 * clear message, nothing written), including output folders that cannot be written.
 *
 * Tests about the process itself (its exit status, its stdout, a file-size limit, its umask, its
 * time zone) run it as a child process (tsx); the others run cli.ts in this process (`trainHere`),
 * which saves each a process start-up of a second or two.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import Papa from 'papaparse';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseManifest } from './manifest';
import { syntheticLeads } from './train/synthetic';

const CLI = resolve(__dirname, 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'leadlens-cli-'));
const csv = join(dir, 'leads.csv');
writeFileSync(csv, Papa.unparse(syntheticLeads(600, 9)));
/** The first 200 of those leads (the same columns), for tests whose claim does not depend on the number of rows: faster to train on. */
const smallCsv = join(dir, 'small-leads.csv');
writeFileSync(smallCsv, Papa.unparse(syntheticLeads(200, 9)));
/** The same leads with 12 converted: too few for 13 folds. */
const twelveConvertedCsv = join(dir, 'twelve-converted.csv');
let convertedSoFar = 0;
writeFileSync(twelveConvertedCsv, Papa.unparse(syntheticLeads(600, 9).map((r) => ({ ...r, converted: r.converted === '1' && convertedSoFar++ < 12 ? '1' : '0' }))));
/** The same leads with two more dates: one written day first with slashes (24/10/2026), one with dashes (24-10-2026). */
const dayFirstCsv = join(dir, 'day-first.csv');
const dayMonthYear = (iso: string, separator: string) => iso.split('-').reverse().join(separator);
writeFileSync(
  dayFirstCsv,
  Papa.unparse(syntheticLeads(200, 9).map((r) => ({ ...r, visited: dayMonthYear(String(r.last_activity), '/'), renewal: dayMonthYear(String(r.last_activity), '-') }))),
);
/** The same leads as a German spreadsheet writes them: semicolons, revenue with thousands dots ($1,234,567 → 1.234.567). */
const germanCsv = join(dir, 'german.csv');
writeFileSync(
  germanCsv,
  Papa.unparse(
    syntheticLeads(200, 9).map((r) => ({ ...r, revenue: String(r.revenue).replace(/^\$/, '').replace(/,/g, '.') })),
    { delimiter: ';' },
  ),
);
/** The same leads active in 2023, and a contract that ends in 2099: a date after the day of training. */
const contractEndCsv = join(dir, 'contract-end.csv');
const leads2023 = syntheticLeads(200, 9).map((r, i) => ({ ...r, last_activity: String(r.last_activity).replace(/^2026-/, '2023-'), contract_end: i === 7 ? '2099-12-31' : '' }));
writeFileSync(contractEndCsv, Papa.unparse(leads2023));
/** 200 leads, every 4th converted, created a day apart: all in the US but one (row 57), or but the latest 60; all on one plan. */
const fewCountriesCsv = (name: string, country: (i: number) => string) => {
  const path = join(dir, name);
  const created = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
  writeFileSync(path, Papa.unparse(Array.from({ length: 200 }, (_, i) => ({ country: country(i), plan: 'pro', created: created(i), converted: i % 4 === 0 ? '1' : '0' }))));
  return path;
};
const oneCanadianCsv = fewCountriesCsv('one-canadian.csv', (i) => (i === 57 ? 'CA' : 'US'));
const lateCanadiansCsv = fewCountriesCsv('late-canadians.csv', (i) => (i >= 140 ? 'CA' : 'US'));
/** The same leads as leads.csv with a third outcome in one row. */
const maybeCsv = join(dir, 'maybe.csv');
writeFileSync(maybeCsv, Papa.unparse(syntheticLeads(600, 9).map((r, i) => ({ ...r, converted: i === 3 ? 'maybe' : r.converted }))));
/** A feature spec file of `features` (each: key, label → where it reads from). */
const specFile = (name: string, features: [key: string, label: string, from: Record<string, string>][]) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(features.map(([key, label, from]) => ({ key, label, type: 'categorical', derive: { kind: 'value', from } }))));
  return path;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fast = ['--cv', '2', '--bags', '1', '--interactions', '2', '--exclude', 'id'];
/** `args` after leads.csv and `fast`, but for those of them `args` gives itself (a repeated option is refused, or adds up). */
function withCsv(args: string[]): string[] {
  const defaults = ['--csv', csv, ...fast];
  const given = new Set(args.map((arg) => arg.split('=')[0]));
  return [...defaults.flatMap((arg, i) => (i % 2 === 0 && !given.has(arg) ? [arg, defaults[i + 1]] : [])), ...args];
}
const cliCommand = (args: string[]) => [process.execPath, '--import', 'tsx', CLI, ...withCsv(args)];

function run([command, ...args]: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const train = (...args: string[]) => run(cliCommand(args));
/** The CLI in the time zone `timeZone` (TZ), which a date-time without a zone would be read in. */
const trainInTimeZone = (timeZone: string, ...args: string[]) => run(cliCommand(args), { ...process.env, TZ: timeZone });
/** `trainInTimeZone` without waiting for it: several such processes run at once. */
const trainInTimeZoneAsync = (timeZone: string, ...args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const [command, ...rest] = cliCommand(args);
    const child = spawn(command, rest, { env: { ...process.env, TZ: timeZone }, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });

let runsHere = 0;
/**
 * The CLI with the arguments `args`, in this process: cli.ts runs `process.exitCode = main()` when
 * imported, so each run imports a fresh copy of it (a new query string; the modules it imports are
 * shared) with `process.argv` set to the arguments, and its writes to stdout and stderr captured. The exit
 * code is the `process.exitCode` it sets (a child process exits with it); an exception main() does not
 * handle (a stack trace and exit 1 in a child process) rejects the import and fails the test.
 */
async function runHere(args: string[]): Promise<{ code: number | string | undefined; stdout: string; stderr: string }> {
  const [argv, exitCode] = [process.argv, process.exitCode];
  const output = { stdout: '', stderr: '' };
  const capture = (stream: 'stdout' | 'stderr') =>
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      output[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    });
  const spies = [capture('stdout'), capture('stderr')];
  process.argv = [process.execPath, CLI, ...args];
  process.exitCode = undefined;
  try {
    await import(/* @vite-ignore */ `${CLI}?run=${++runsHere}`);
    return { code: process.exitCode, ...output };
  } finally {
    for (const spy of spies) spy.mockRestore();
    [process.argv, process.exitCode] = [argv, exitCode];
  }
}
/** `train` in this process (`runHere`): the same arguments. */
const trainHere = (...args: string[]) => runHere(withCsv(args));
/** The CLI under `ulimit -f`: writing a file larger than `kib` KiB fails (EFBIG), as writing to a full disk does. */
const trainWithFileSizeLimit = (kib: number, ...args: string[]) => run(['bash', '-c', `ulimit -f ${kib} && exec "$@"`, 'bash', ...cliCommand(args)]);
/** The CLI under `umask mask` (octal), which new folders and files take their mode from. */
const trainWithUmask = (mask: string, ...args: string[]) => run(['bash', '-c', `umask ${mask} && exec "$@"`, 'bash', ...cliCommand(args)]);

/** The section of a model card under the heading `## title`, heading included, up to the next section. */
const section = (card: string, title: string) => card.slice(card.indexOf(`\n## ${title}\n`) + 1).split(/\n(?=## )/)[0];
/** A folder's files: name → bytes. */
const filesIn = (folder: string) => Object.fromEntries(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name))]));
const STACK_TRACE = /^\s+at /m;

describe('lib/ml/cli.ts', () => {
  it('--help says what every option in the usage does', () => {
    const help = run([process.execPath, '--import', 'tsx', CLI, '--help']);
    expect(help.code).toBe(0);
    const [usage, ...rest] = help.stdout.split('\n\n');
    const described = rest.join('\n\n');
    const options = [...new Set(usage.match(/--[a-z-]+/g))];
    expect(options.length).toBeGreaterThan(15);
    for (const option of [...options, '--help']) expect(described, option).toMatch(new RegExp(`^  ${option} .*\\S`, 'm'));
  });

  it('--json prints one line of metrics, --out writes the model, its manifest and card', () => {
    const out = join(dir, 'model');
    const run = train('--target', 'converted', '--json', '--out', out, '--time-column', 'last_activity', '--now', '2026-11-01T00:00:00Z');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    for (const key of ['cv_roc_auc', 'cv_pr_auc', 'cv_log_loss', 'holdout_roc_auc', 'ece', 'oot_roc_auc', 'train_seconds', 'model_id']) {
      expect(summary, key).toHaveProperty(key);
    }
    expect(summary.rows).toBe(600);
    expect(summary.cv_roc_auc).toBeGreaterThan(0.7);
    expect(summary.oot_roc_auc).toBeGreaterThan(0.6);
    // 180 latest rows: chance alone moves the figure by a few hundredths.
    expect(summary.oot_roc_auc_se).toBeGreaterThan(0.01);
    expect(summary.oot_roc_auc_se).toBeLessThan(0.1);

    expect(readdirSync(out).sort()).toEqual(['MODEL_CARD.md', 'manifest.json', 'model.onnx']);
    const parsed = parseManifest(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    if (!parsed.ok) throw new Error(parsed.error);
    const { manifest } = parsed;
    expect(manifest.modelId).toBe(summary.model_id);
    expect(manifest.metrics.outOfTimeRocAuc).toBe(summary.oot_roc_auc);
    expect(manifest.metrics.outOfTime).toMatchObject({ column: 'last_activity', trainRows: 420, testRows: 180, undatedRows: 0 });
    expect(manifest.metrics.profitAssumptions).toEqual({ revenuePerConversion: 100, costPerContact: 10, source: 'default' });
    expect(manifest.metrics.profit?.length).toBeGreaterThan(1);
    const { hot, warm } = manifest.metrics.tierConfusion!;
    expect(hot.threshold).toBe(manifest.tiers.hot);
    expect(hot.tp + hot.fp + hot.tn + hot.fn).toBe(600);
    expect(warm.tp + warm.fp).toBeGreaterThanOrEqual(hot.tp + hot.fp);
    expect(manifest.terms.every((t) => t.shape !== undefined)).toBe(true);
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain(`| ${manifest.metrics.outOfTimeRocAuc!.toFixed(4)} ± ${(2 * summary.oot_roc_auc_se).toFixed(4)} (twice its standard error) |`);
    expect(card).toContain('defaults, not this business');
  });

  it('reads dates written day first, with slashes or dashes, as dates: days-since features, and says so on stderr and on the model card', async () => {
    const out = join(dir, 'day-first-model');
    const run = await trainHere('--csv', dayFirstCsv, '--target', 'converted', '--json', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('note: dates read day first (31/12/2025 is 31 December) in "visited", "renewal": the file writes them that way.\n');
    expect(section(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8'), 'Data warnings')).toContain('\n- Dates read day first (31/12/2025 is 31 December) in "visited", "renewal": the file writes them that way.\n');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const features = new Map(manifest.features.map((f: { key: string }) => [f.key, f]));
    for (const column of ['visited', 'renewal']) {
      expect(features.get(`${column}_days_since`), column).toMatchObject({ type: 'numeric', unit: 'days', derive: { kind: 'daysSince', from: { csv: column } } });
      expect(features.has(column), column).toBe(false);
    }
  });

  it('reads numbers written with thousands dots as numbers, not as an identifier, and says so on stderr and on the model card', async () => {
    const out = join(dir, 'german-model');
    const run = await trainHere('--csv', germanCsv, '--sep', ';', '--target', 'converted', '--json', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('note: numbers read with decimal commas (1.234,5 is 1234.5) in "revenue": the file writes them that way.\n');
    expect(run.stderr).not.toContain('"revenue" has');
    expect(section(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8'), 'Data warnings')).toContain('\n- Numbers read with decimal commas (1.234,5 is 1234.5) in "revenue": the file writes them that way.\n');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const revenue = manifest.features.find((f: { key: string }) => f.key === 'revenue');
    expect(revenue).toMatchObject({ type: 'numeric', derive: { kind: 'value', from: { csv: 'revenue' } } });
  });

  it('without --now, measures "days since" from the latest date up to today, not from a contract end in 2099, and says so', async () => {
    const out = join(dir, 'contract-end-model');
    const run = await trainHere('--csv', contractEndCsv, '--target', 'converted', '--json', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^warning: "contract_end" has dates after the day of training \(\d{4}-\d\d-\d\d\), such as 2099-12-31, which cannot be when the data was exported: /m);
    const latestActivity = leads2023.map((r) => r.last_activity).sort().at(-1);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.provenance.referenceTime).toBe(`${latestActivity}T00:00:00.000Z`);
  });

  it.each([
    ['a target that is not a column', ['--target', 'won'], /^error: --target names a column the CSV does not have: "won"\. /],
    ['a time column that is not a column', ['--target', 'converted', '--time-column', 'created'], /^error: --time-column names a column the CSV does not have: "created"\. /],
    ['a feature spec that is not JSON', ['--target', 'converted', '--features', csv], /Cannot read the feature spec/],
  ])('%s: exits non-zero with a clear message and writes nothing', async (_, args, message) => {
    const out = join(dir, `bad-${args.join('-').replace(/[^a-z]/gi, '')}`);
    const run = await trainHere(...args, '--out', out, '--json');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['--postive', ['--postive', '0']],
    ['--output', ['--output', join(dir, 'typo')]],
    ['--seeed', ['--seeed=4']],
  ])('refuses an unknown option (%s): exit 2 naming it, the usage, nothing trained', async (option, args) => {
    const out = join(dir, 'typo-out');
    const run = await trainHere('--target', 'converted', ...args, '--out', out);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^unknown option ${option}\nusage: npm run train`));
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it.each([
    ['--policy', 'value:100:', '--policy must be capacity:HOT:WARM:INFLOW or value:REVENUE:COST, got "value:100:"'],
    ['--policy', 'capacity:10::100', '--policy must be capacity:HOT:WARM:INFLOW or value:REVENUE:COST, got "capacity:10::100"'],
    ['--policy', 'value:100: ', '--policy must be capacity:HOT:WARM:INFLOW or value:REVENUE:COST, got "value:100: "'],
    ['--policy', 'value:Infinity:10', '--policy must be capacity:HOT:WARM:INFLOW or value:REVENUE:COST, got "value:Infinity:10"'],
    ['--policy', 'value:100:0', '--policy value:100:0: Cost per contact is $0: every lead would be worth contacting, so every lead would be hot. Give what a contact costs, the time it takes included.'],
    ['--policy', 'value:100:150', '--policy value:100:150: Cost per contact ($150) is not below revenue per conversion ($100): no lead would pay for its contact, so every lead would be cold.'],
    ['--policy', 'capacity:60:50:100', '--policy capacity:60:50:100: Hot and warm leads worked per week (60 + 50) are more than the 100 new leads per week: the team cannot work more leads than come in.'],
    ['--policy', 'capacity:100:0:100', '--policy capacity:100:0:100: Hot leads worked per week (100) are all the 100 new leads per week: every lead would be hot. Give how many the team works first, fewer than come in.'],
    ['--policy', 'capacity:50:50:100', '--policy capacity:50:50:100: Hot and warm leads worked per week (50 + 50) are all the 100 new leads per week: no lead would be cold, so the tiers would not say which leads can wait. Give fewer, so some leads are left cold.'],
  ])('refuses %s "%s" (an empty or non-numeric part is no 0; economics or capacities that sort no lead): exit 2 with the usage, nothing trained', async (option, value, message) => {
    const out = join(dir, `bad-number-${option}-${value.replace(/[^a-z0-9]/gi, '_')}`);
    const run = await trainHere('--target', 'converted', `${option}=${value}`, '--out', out);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${message}\nusage: npm run train`);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --class-weight balanced with --calibration none, whose probabilities would be far too high for the tiers and the reps: exit 2, nothing trained', async () => {
    const out = join(dir, 'balanced-uncalibrated');
    const run = await trainHere('--target', 'converted', '--class-weight', 'balanced', '--calibration', 'none', '--policy', 'value:1000:100', '--out', out);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--class-weight balanced with --calibration none would ship probabilities far too high: balanced weights train the model as if half the leads converted, .* Leave out --calibration \(auto\) or give platt or isotonic, or leave out --class-weight\.\nusage: npm run train/);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['13', 'the data has 12 converted.'],
    ['700', 'the data has 12 converted and 588 other.'],
  ])('--cv %s with 12 converted rows: exit 1 saying what it needs, no stack trace, nothing written', async (cv, has) => {
    const out = join(dir, `cv-${cv}`);
    const run = await trainHere('--csv', twelveConvertedCsv, '--target', 'converted', '--cv', cv, '--out', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: --cv ${cv} needs at least ${cv} converted and ${cv} other rows; ${has} Pass --cv 12 or less, or --cv 0 for one 80/20 holdout.\n`);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['one lead of another country: the cross-validation fold testing it', [oneCanadianCsv, '--cv', '5', '--exclude', 'created'], /^error: The model of cross-validation fold [1-5] trains on 160 of the 200 rows, and no feature varies among them, .*\("country" differs from its most common value in 1 row\)\. Training needs a feature that differs from its most common value in more rows than that model leaves out \(40\): add a column that tells more of the leads apart\.$/m],
    ['the latest leads of another country: the out-of-time check (--time-column)', [lateCanadiansCsv, '--cv', '5', '--time-column', 'created', '--exclude', 'created'], /^error: The model of the out-of-time check by "created" trains on 140 of the 200 rows, and no feature varies among them, .*in 60 rows\)\. .* than that model leaves out \(60\): /m],
  ])('a feature varying in too few rows for %s: exit 1 saying which and what is needed, no stack trace, nothing written', async (_, [csvPath, ...args], message) => {
    const out = join(dir, `few-countries-${basename(csvPath, '.csv')}`);
    const run = await trainHere('--csv', csvPath, '--target', 'converted', ...args, '--out', out, '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('a target of three values and no --positive: asks to map it to two, naming them, not for --positive', async () => {
    const run = await trainHere('--csv', maybeCsv, '--target', 'converted', '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: The target column "converted" has 3 values: "0" \(\d+\), "1" \(\d+\) and "maybe" \(1\); training needs two, converted and not converted\. Map it to two values first\.$/m);
    expect(run.stderr).not.toContain('--positive');
  });

  it.each([
    [
      'a column the CSV does not have',
      specFile('absent-spec.json', [['source', 'Lead source', { csv: 'source' }], ['revenue', 'Revenue', { csv: 'annual_revenue' }], ['tier', 'Tier', { csv: 'annual_revenue' }]]),
      'reads a column the CSV does not have: "annual_revenue" (read by "Revenue" and "Tier").',
    ],
    [
      'only columns the CSV does not have',
      specFile('all-absent-spec.json', [['revenue', 'Revenue', { csv: 'annual_revenue' }], ['stage', 'Stage', { csv: 'stage' }]]),
      'reads 2 columns the CSV does not have: "annual_revenue" (read by "Revenue") and "stage" (read by "Stage").',
    ],
    [
      'a column the CSV writes in another case',
      specFile('case-spec.json', [['source', 'Lead source', { csv: 'Source' }], ['visited', 'Last visit', { csv: 'Last Activity' }]]),
      'reads 2 columns the CSV does not have: "Source" (read by "Lead source"; did you mean "source"?) and "Last Activity" (read by "Last visit"; did you mean "last_activity"?).',
    ],
    [
      'CRM fields and no CSV column',
      specFile('crm-spec.json', [['source', 'Lead source', { csv: 'source' }], ['crm_source', 'CRM source', { salesforce: 'LeadSource', hubspot: 'hs_analytics_source' }]]),
      'has a feature that names no CSV column, so it cannot be read from one: "CRM source" (salesforce and hubspot fields only).',
    ],
  ])('a --features spec naming %s: exit 1 naming them and the CSV\'s columns, nothing trained or written', async (_, spec, problem) => {
    const out = join(dir, `spec-${basename(spec, '.json')}`);
    const run = await trainHere('--target', 'converted', '--features', spec, '--out', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: The feature spec ${spec} ${problem} The CSV has the columns id, source, industry, title, email, visits, revenue, last_activity, opted_in, constant, empty and converted. ` +
        'Name a column of the CSV in each feature\'s "from": {"csv": …}, or leave the feature out of the spec.\n',
    );
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an --exclude naming a column the CSV does not have, suggesting the one it may mean: exit 1, nothing trained or written (with --features too)', async () => {
    const spec = specFile('source-spec.json', [['source', 'Lead source', { csv: 'source' }]]);
    const columns = 'id, source, industry, title, email, visits, revenue, last_activity, opted_in, constant, empty and converted';
    for (const args of [[], ['--features', spec]]) {
      const out = join(dir, 'misspelt-exclude');
      const one = await trainHere('--target', 'converted', '--exclude', 'ID', ...args, '--out', out);
      expect(one.code).toBe(1);
      // no progress line: nothing trained
      expect(one.stderr).toBe(`error: --exclude names a column the CSV does not have: "ID" (did you mean "id"?). The CSV has the columns ${columns}. Name each column as the header writes it.\n`);
      expect(existsSync(out)).toBe(false);
      const two = await trainHere('--target', 'converted', '--exclude', 'id,Last Activity,lead_id', ...args);
      expect(two.code).toBe(1);
      expect(two.stderr).toBe(`error: --exclude names 2 columns the CSV does not have: "Last Activity" (did you mean "last_activity"?) and "lead_id". The CSV has the columns ${columns}. Name each column as the header writes it.\n`);
    }
  });

  it('refuses a --target or --time-column written but for case or spaces, suggesting the column it may mean: exit 1, nothing trained or written', async () => {
    const columns = 'id, source, industry, title, email, visits, revenue, last_activity, opted_in, constant, empty and converted';
    const out = join(dir, 'misspelt-target');
    const target = await trainHere('--target', 'Converted', '--out', out);
    expect(target.code).toBe(1);
    // no progress line, no note of a guessed --positive: nothing read as the target
    expect(target.stderr).toBe(`error: --target names a column the CSV does not have: "Converted" (did you mean "converted"?). The CSV has the columns ${columns}. Name the column as the header writes it.\n`);
    expect(existsSync(out)).toBe(false);
    const timeColumn = await trainHere('--target', 'converted', '--time-column', 'Last Activity', '--out', out);
    expect(timeColumn.code).toBe(1);
    expect(timeColumn.stderr).toBe(
      `error: --time-column names a column the CSV does not have: "Last Activity" (did you mean "last_activity"?). The CSV has the columns ${columns}. Name the column as the header writes it.\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('drops a whole-number column named as an identifier (HubSpot\'s "Record ID"), saying so', async () => {
    const withRecordId = join(dir, 'record-id.csv');
    writeFileSync(withRecordId, Papa.unparse(syntheticLeads(200, 9).map((r, i) => ({ 'Record ID': String(5_000_065 + 37 * i), ...r }))));
    const out = join(dir, 'record-id-model');
    const run = await trainHere('--csv', withRecordId, '--target', 'converted', '--quiet', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('warning: Column "Record ID" is named as an identifier and every row has its own whole number (200 distinct in 200 rows): dropped.\n');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.features.map((f: { label: string }) => f.label)).not.toContain('Record ID');
  });

  it('says to list the notes in a number column in --missing, and reads the column as numbers once they are', async () => {
    const notes = ['unknown', 'ask sales', 'tbd'];
    const withNotes = join(dir, 'visits-with-notes.csv');
    writeFileSync(withNotes, Papa.unparse(syntheticLeads(200, 9).map((r, i) => ({ ...r, visits: i % 10 === 4 ? notes[i % 3] : r.visits }))));
    const asCategories = await trainHere('--csv', withNotes, '--target', 'converted', '--quiet');
    expect(asCategories.code, asCategories.stderr).toBe(0);
    expect(asCategories.stderr).toContain(
      'warning: Column "visits" is not read as numbers: 20 of its 200 values are not numbers, such as "ask sales", "tbd", "unknown". It is read as categories instead. ' +
        'To have it read as numbers, list its values that are not numbers in --missing, or leave those cells empty.\n',
    );
    const out = join(dir, 'visits-with-notes-model');
    const asNumbers = await trainHere('--csv', withNotes, '--target', 'converted', '--quiet', '--missing', notes.join(','), '--out', out);
    expect(asNumbers.code, asNumbers.stderr).toBe(0);
    expect(asNumbers.stderr).not.toContain('"visits"');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.features.find((f: { key: string }) => f.key === 'visits')).toMatchObject({ type: 'numeric' });
  });

  it.each([
    ['without --positive (not asking for it: there is no value to tell it by)', []],
    ['with --positive', ['--positive', '1']],
  ])('refuses a CSV file of a header row alone %s: exit 1 saying so, nothing written', async (_, args) => {
    const headerOnly = join(dir, 'header-only.csv');
    writeFileSync(headerOnly, 'id,source,visits,converted\r\n');
    const out = join(dir, 'header-only-model');
    const run = await trainHere('--csv', headerOnly, '--target', 'converted', '--out', out, ...args);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: The CSV file has a header row but no data rows.\n');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a UTF-16 file (no byte order mark) saying so, not with a header of spaced-out names', async () => {
    const utf16 = join(dir, 'utf16.csv');
    writeFileSync(utf16, Buffer.from(readFileSync(csv, 'utf8'), 'utf16le'));
    const run = await trainHere('--csv', utf16, '--target', 'converted');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: The CSV file holds NUL characters, so it looks like UTF-16 text (or not text at all), not UTF-8. Re-export it as UTF-8 CSV (e.g. "CSV UTF-8" in Excel).\n');
  });

  it('refuses a --seed beyond 32 bits (it would wrap around to another seed): exit 2 with the usage, nothing trained', async () => {
    const run = await trainHere('--target', 'converted', '--seed', '4294967338');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--seed must be an integer from 0 to 4294967295, got "4294967338"\nusage: npm run train/);
    expect(run.stdout).toBe('');
  });

  it.each([
    ['a date-time without a zone (read in the local zone, another model in another)', '2026-11-01T00:00:00'],
    ['a day written with slashes (either way round)', '11/01/2026'],
    ['a day the calendar lacks (Date would move it to March 2)', '2026-02-30'],
    ['a date in words', 'Nov 1, 2026'],
  ])('refuses a --now of %s: exit 2 naming --now and the forms it takes, nothing trained', (_, value) => {
    const out = join(dir, `bad-now-${value.replace(/[^0-9]/g, '_')}`);
    const run = trainInTimeZone('America/Los_Angeles', '--target', 'converted', '--now', value, '--out', out);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`^--now must be a day \\(2026-11-01, midnight UTC\\) or a date-time with its zone \\(2026-11-01T09:30:00Z, 2026-11-01T09:30:00\\+01:00\\), got "${value}"\nusage: npm run train`),
    );
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('reads --now as the same moment in every time zone: a day as midnight UTC, a date-time at its offset', async () => {
    // the three processes at once; the reference time does not depend on the number of rows (smallCsv)
    const referenceTime = async (timeZone: string, now: string) => {
      const out = join(dir, `now-${timeZone.replace(/\W/g, '_')}-${now.replace(/\W/g, '_')}`);
      const result = await trainInTimeZoneAsync(timeZone, '--csv', smallCsv, '--target', 'converted', '--quiet', '--now', now, '--out', out);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).provenance.referenceTime;
    };
    const [laDay, laOffset, tokyo] = await Promise.all([
      referenceTime('America/Los_Angeles', '2026-11-01'),
      referenceTime('America/Los_Angeles', '2026-11-01T09:30:00+01:00'),
      referenceTime('Asia/Tokyo', '2026-11-01T08:30Z'),
    ]);
    expect(laDay).toBe('2026-11-01T00:00:00.000Z');
    expect(laOffset).toBe('2026-11-01T08:30:00.000Z');
    expect(tokyo).toBe('2026-11-01T08:30:00.000Z');
  });

  it("leaves a Salesforce report's footer out, saying so on stderr and on the model card, and trains on the leads above it", async () => {
    // 200 leads (smallCsv): the footer and the rows above it do not depend on how many there are
    const withFooter = join(dir, 'report-with-footer.csv');
    const footer = ['""', '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."', '"Confidential Information - Do Not Distribute"', '"Generated By: Ada Admin 12/1/2026 9:00 AM"', '"Acme, Inc."'];
    // Papa writes \r\n line ends, as a report does: its footer too.
    writeFileSync(withFooter, `${readFileSync(smallCsv, 'utf8').trimEnd()}\r\n${footer.join('\r\n')}\r\n`);
    const [out, again] = [join(dir, 'footer-model'), join(dir, 'footer-model-again')];
    const run = await trainHere('--target', 'converted', '--csv', withFooter, '--json', '--quiet', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    const footerWarning = run.stderr.match(/^warning: (The last \d lines, one cell each \(.*\), are not leads: a report's footer, left out\.)$/m)?.[1];
    expect(footerWarning, run.stderr).toBeDefined();
    expect(JSON.parse(run.stdout).rows).toBe(JSON.parse((await trainHere('--target', 'converted', '--csv', smallCsv, '--json', '--quiet')).stdout).rows);
    // the trainer, given the rows above the footer, never sees it: the card says it all the same, first among the data warnings, without the footer's cell (the card goes with the model)
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8');
    expect(section(card, 'Data warnings').split('\n').slice(0, 3)).toEqual(['## Data warnings', '', "- The last 4 lines, one cell each, are not leads: a report's footer, left out."]);
    expect(card).not.toContain('Copyright');
    // the same file and seed: the same bytes, the card too
    expect((await trainHere('--target', 'converted', '--csv', withFooter, '--json', '--quiet', '--out', again)).code).toBe(0);
    expect(filesIn(again)).toEqual(filesIn(out));
  });

  it('quotes a hostile footer as text on stderr, with no terminal control, and not on the card: no link, image or HTML there', async () => {
    const withFooter = join(dir, 'report-with-hostile-footer.csv');
    writeFileSync(withFooter, `${readFileSync(smallCsv, 'utf8').trimEnd()}\r\n"<img src=x> \u001b]8;;https://a.ex/\u0007 ![x](https://a.ex/t.png)"\r\n`);
    const out = join(dir, 'hostile-footer-model');
    const run = await trainHere('--target', 'converted', '--csv', withFooter, '--json', '--quiet', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(run.stderr).toContain('warning: The last line, one cell ("<img src=x> ]8;;https://a.ex/ ![x](https://a.ex/t.png)"), is not a lead');
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain("- The last line, one cell, is not a lead: a report's footer, left out.\n");
    expect(card).not.toMatch(/img|a\.ex/);
  });

  it("puts what reading the file warned of on the card without the file's cells, which stderr quotes: a birth date, a number, a footer", async () => {
    // A birth date written day first and month first (kept as written: warned of, quoting one of each), a number column with
    // a decimal point and a decimal comma, and a report's footer naming who generated it.
    const born = ['24/10/1985', '03/15/1990', '01/02/1979'];
    const rows = syntheticLeads(200, 9).map((r, i) => ({ ...r, 'Date of Birth': born[i % 3], weight: ['1,5', '2.75', '3', '4'][i % 4] }));
    const withCells = join(dir, 'cells-on-the-card.csv');
    writeFileSync(withCells, `${Papa.unparse(rows)}\r\n"Generated By: Ada Admin 12/1/2026 9:00 AM"\r\n`);
    const out = join(dir, 'cells-on-the-card-model');
    const run = await trainHere('--target', 'converted', '--csv', withCells, '--json', '--quiet', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('warning: The last line, one cell ("Generated By: Ada Admin 12/1/2026 9:00 AM"), is not a lead');
    expect(run.stderr).toContain('warning: Column "Date of Birth" has 67 dates written day first (like 24/10/1985) and 67 dates written month first (like 03/15/1990)');
    expect(run.stderr).toContain('warning: Column "weight" has 50 numbers written with a decimal point (like 2.75) and 50 numbers written with a decimal comma (like 1,5)');
    const warnings = section(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8'), 'Data warnings');
    expect(warnings).toContain("\n- The last line, one cell, is not a lead: a report's footer, left out.\n");
    expect(warnings).toContain(
      '\n- Column "Date of Birth" has 67 dates written day first and 67 dates written month first: its dates are kept as written, ' +
        'and those that read both ways may be misread. Write them in one order (or as YYYY-MM-DD).\n',
    );
    expect(warnings).toContain('\n- Column "weight" has 50 numbers written with a decimal point and 50 numbers written with a decimal comma: its numbers are kept as written, ');
    expect(warnings).not.toMatch(/Ada|1985|1990|2\.75|1,5/);
  });

  it('refuses an --exclude naming the target: exit 2 with the usage, before reading the data', async () => {
    const run = await trainHere('--csv', join(dir, 'no-such-file.csv'), '--target', 'converted', '--exclude', 'id,converted');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--exclude names the target column "converted": the target is what the model learns to predict, never a feature\. Leave it out of --exclude\.\nusage: npm run train/);
    expect(run.stdout).toBe('');
  });

  it('says why a file cannot be read in words, not an error code', async () => {
    const missing = join(dir, 'no-such-file.csv');
    expect((await trainHere('--csv', missing, '--target', 'converted')).stderr).toBe(`error: Cannot read ${missing}: no such file or directory\n`);
    const missingSpec = join(dir, 'no-such-spec.json');
    expect((await trainHere('--target', 'converted', '--features', missingSpec)).stderr).toBe(`error: Cannot read the feature spec ${missingSpec}: no such file or directory\n`);
  });

  it('adds up repeated --exclude lists (the first is not dropped, leaving its column among the features)', async () => {
    const out = join(dir, 'repeated-exclude-model');
    const run = await trainHere('--csv', smallCsv, '--target', 'converted', '--quiet', '--exclude', 'visits', '--exclude', 'last_activity', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    const read = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).features.map((f: { derive: { from?: { csv?: string } } }) => f.derive.from?.csv);
    expect(read).not.toContain('visits');
    expect(read).not.toContain('last_activity');
    expect(read).toContain('source');
  });

  /** A CSV path that does not exist: a refusal must come first (the command before these checks failed on the file, exit 1, trying nothing else). */
  const noFile = join(dir, 'no-such-file.csv');
  it.each([
    ['a value option given twice', ['--target', 'converted', '--target', 'won'], '--target is given twice ("converted", "won"): give it once'],
    ['--out given twice', ['--target', 'converted', '--out', join(dir, 'first-out')], `--out is given twice ("${join(dir, 'first-out')}", "${join(dir, 'refused-out')}"): give it once`],
    ['an empty --out (an unset shell variable: the current folder)', ['--target', 'converted', '--out='], '--out needs a value, got an empty one'],
    ['an empty --csv', ['--target', 'converted', '--csv='], '--csv needs a value, got an empty one'],
    ['an empty --target', ['--target='], '--target needs a value, got an empty one'],
    ['an empty --sep', ['--target', 'converted', '--sep', ''], '--sep needs a value, got an empty one'],
    ['an empty --cv', ['--target', 'converted', '--cv='], '--cv needs a value, got an empty one'],
    ['a --sep of a quote', ['--target', 'converted', '--sep', '"'], '--sep must be one character other than a quote or a line break (\\t for a tab), got "\\""'],
    ['a --sep of a carriage return', ['--target', 'converted', '--sep', '\r'], '--sep must be one character other than a quote or a line break (\\t for a tab), got "\\r"'],
    ['a --sep of a line feed', ['--target', 'converted', '--sep', '\n'], '--sep must be one character other than a quote or a line break (\\t for a tab), got "\\n"'],
    ['a --sep of two characters', ['--target', 'converted', '--sep', ';;'], '--sep must be one character other than a quote or a line break (\\t for a tab), got ";;"'],
    ['a --sep of a word', ['--target', 'converted', '--sep', 'tab'], '--sep must be one character other than a quote or a line break (\\t for a tab), got "tab"'],
    ['--cv 1 (no folds: the holdout, labelled cv_roc_auc)', ['--target', 'converted', '--cv', '1'], '--cv must be 0 (one 80/20 holdout) or 2 or more folds, got "1"'],
    ['--json=false (it would switch --json on)', ['--target', 'converted', '--json=false'], '--json takes no value, got "--json=false"'],
    ['--quiet=0', ['--target', 'converted', '--quiet=0'], '--quiet takes no value, got "--quiet=0"'],
  ])('refuses %s: exit 2 naming it, with the usage, before reading the data, nothing written', async (_, args, message) => {
    const out = join(dir, 'refused-out');
    const run = await runHere(['--csv', noFile, ...args, '--out', out]);
    expect(run.code).toBe(2);
    const [said, usage] = run.stderr.split('\nusage: ');
    expect(said).toBe(message);
    expect(usage).toMatch(/^npm run train/);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'first-out'))).toBe(false);
  });

  it('reads --sep \\t as a tab', async () => {
    const tabbed = join(dir, 'tabbed.csv');
    writeFileSync(tabbed, Papa.unparse(syntheticLeads(200, 9), { delimiter: '\t' }));
    const run = await trainHere('--csv', tabbed, '--sep', '\\t', '--target', 'converted', '--json', '--quiet');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).rows).toBe(200);
  });

  it('refuses a CSV file over 100 MB before reading it: exit 1 saying to sample it, nothing written', async () => {
    const huge = join(dir, 'huge.csv');
    writeFileSync(huge, '');
    truncateSync(huge, 100 * 1024 * 1024 + 1); // a sparse file: no disk space, no time
    const out = join(dir, 'huge-model');
    const run = await trainHere('--csv', huge, '--target', 'converted', '--out', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ${huge} is 101 MB, more than the 100 MB a CSV file may be. Train on a sample of its rows, or export fewer columns.\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('says a file holds more text than can be read, not a stack trace, when decoding it runs out of string length', async () => {
    // a 540 MB file's text is longer than a string holds: both decoders then throw RangeError, as here
    const decode = vi.spyOn(TextDecoder.prototype, 'decode').mockImplementation(() => {
      throw new RangeError('Cannot create a string longer than 0x1fffffe8 characters');
    });
    const out = join(dir, 'long-text-model');
    try {
      const run = await trainHere('--csv', smallCsv, '--target', 'converted', '--out', out);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`error: ${smallCsv} holds more text than can be read at once (Cannot create a string longer than 0x1fffffe8 characters). Train on a sample of its rows, or export fewer columns.\n`);
    } finally {
      decode.mockRestore();
    }
    expect(existsSync(out)).toBe(false);
  });

  it('says on stderr which target value it took as converted when it guessed (the --json line stays one line)', async () => {
    const run = await trainHere('--csv', smallCsv, '--target', 'converted', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('note: "converted" read as converted when it is "1" (not converted: "0"); --positive chooses the other.\n');
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const named = await trainHere('--csv', smallCsv, '--target', 'converted', '--positive', '1', '--json');
    expect(named.stderr).not.toContain('read as converted');
  });

  it('asks for --positive when the target is 1 = lost, 2 = won (not guessing 1), naming both values; trains with it', async () => {
    const lostWon = join(dir, 'lost-won.csv');
    writeFileSync(lostWon, Papa.unparse(syntheticLeads(200, 9).map((r) => ({ ...r, converted: r.converted === '1' ? '2' : '1' }))));
    const out = join(dir, 'lost-won-model');
    const run = await trainHere('--csv', lostWon, '--target', 'converted', '--out', out, '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: Cannot tell which value of "converted" means converted: "1" \(\d+\) and "2" \(\d+\)\. Pass --positive VALUE\.\n$/);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    const won = await trainHere('--csv', lostWon, '--target', 'converted', '--positive', '2', '--json', '--quiet');
    expect(won.code, won.stderr).toBe(0);
    const converted = syntheticLeads(200, 9).filter((r) => r.converted === '1').length;
    expect(JSON.parse(won.stdout).positives).toBe(converted);
  });

  it('--help says how to get the --json line alone from npm (npm run -s)', async () => {
    const help = await runHere(['--help']);
    expect(help.stdout).toContain('npm run -s train -- … --json');
  });
});

describe('--out writes its three files or none', () => {
  it('makes a new folder as mkdir would (0777 less the umask), not private to its owner, with its files 0666 less the umask', () => {
    const out = join(dir, 'new-folder', 'model');
    const run = trainWithUmask('022', '--csv', smallCsv, '--target', 'converted', '--quiet', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o755);
    for (const name of readdirSync(out)) expect(statSync(join(out, name)).mode & 0o777, name).toBe(0o644);
    expect(statSync(join(dir, 'new-folder')).mode & 0o777).toBe(0o755);
  });

  it('refuses a file, or a path under one, before training: "cannot write", exit 1, nothing written', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'mine');
    for (const out of [file, join(file, 'sub', 'model')]) {
      const run = await trainHere('--target', 'converted', '--out', out);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`error: cannot write ${out}: not a directory\n`); // no progress line: nothing trained
    }
    expect(readFileSync(file, 'utf8')).toBe('mine');
    expect(readdirSync(dir).filter((name) => name.includes('tmp'))).toEqual([]);
  });

  it('keeps other files in an existing folder; a write that fails halfway leaves the old model, manifest and card as they were', async () => {
    // 200 leads (smallCsv): the size limit is taken from the files this data gives, and checked to fall between them
    const out = join(dir, 'kept');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expect((await trainHere('--csv', smallCsv, '--target', 'converted', '--out', out)).code).toBe(0);
    const before = filesIn(out);
    expect(Object.keys(before).sort()).toEqual(['MODEL_CARD.md', 'manifest.json', 'model.onnx', 'notes.txt']);
    // the new set (training is deterministic) and a size limit its model.onnx fits under and its manifest.json does not
    const newModel = ['--csv', smallCsv, '--target', 'converted', '--seed', '7'];
    const scratch = join(dir, 'kept-new');
    expect((await trainHere(...newModel, '--out', scratch)).code).toBe(0);
    const fresh = filesIn(scratch);
    expect(fresh['model.onnx']).not.toEqual(before['model.onnx']);
    const limitKiB = Math.ceil(fresh['model.onnx'].length / 1024) + 1;
    expect(fresh['manifest.json'].length).toBeGreaterThan(limitKiB * 1024);
    const run = trainWithFileSizeLimit(limitKiB, ...newModel, '--out', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: cannot write ${out}: file too large\n`);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(filesIn(out)).toEqual(before); // no temporary files either
  });

  it('leaves nothing of its check of the folder when training then fails: no new folders, no temporary ones', async () => {
    const kept = join(dir, 'kept-when-failing');
    mkdirSync(kept);
    writeFileSync(join(kept, 'notes.txt'), 'mine');
    for (const out of [kept, join(dir, 'new-parent', 'model')]) {
      const run = await trainHere('--target', 'won', '--out', out);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('error: --target names a column the CSV does not have: "won".');
    }
    expect(readdirSync(kept)).toEqual(['notes.txt']);
    expect(existsSync(join(dir, 'new-parent'))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes('tmp'))).toEqual([]);
  });

  it('replaces no file when one of them cannot be replaced (a folder named manifest.json)', async () => {
    const out = join(dir, 'in-the-way');
    mkdirSync(join(out, 'manifest.json'), { recursive: true });
    writeFileSync(join(out, 'model.onnx'), 'old model');
    const run = await trainHere('--csv', smallCsv, '--target', 'converted', '--out', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: cannot write ${out}: `);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'model.onnx']);
    expect(readFileSync(join(out, 'model.onnx'), 'utf8')).toBe('old model');
  });
});
