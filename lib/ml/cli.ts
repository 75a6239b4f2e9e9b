/**
 * Train a model from a CSV file (Node CLI over the same pipeline the options page runs in a Worker).
 *
 *   npm run train -- --csv PATH --target COLUMN [--positive VALUE] [--sep ';'] [--exclude a,b,c]
 *                    [--features SPEC.json] [--cv 5] [--seed 42] [--out DIR] [--json]
 *                    [--now ISO-DATE] [--interactions 20] [--bags 4] [--calibration auto|platt|isotonic|none]
 *                    [--class-weight none|balanced] [--missing 'Select,N/A']
 *                    [--policy capacity:HOT:WARM:INFLOW | value:REVENUE:COST] [--time-column NAME]
 *
 * --time-column adds an out-of-time check (train on the earliest 70% by that date or number
 * column, test on the latest 30%: `oot_roc_auc`). --json prints one JSON line of metrics (run it
 * as `npm run -s train -- …`: without -s, npm prints its banner on stdout first); --out writes model.onnx, manifest.json, MODEL_CARD.md
 * (all three or none: a failed write leaves the folder as it was; one that cannot be written is
 * an error before training). --quiet drops the progress lines.
 * Numeric dates are read in the order their column writes them (31/12/2025: day first), and
 * numbers with the decimal separator their column uses (2.713.067 and 0,125 with decimal commas),
 * as the CSV import reads them; stderr names the columns read day first or with decimal commas.
 * MODEL_CARD.md lists, under its data warnings, what stderr says about the file (those columns,
 * a report's footer left out, …) beside the trainer's warnings.
 * Bad input prints a clear error to stderr, exits 1 (2 for a wrong option) and writes nothing.
 */
import { describeSchemaIssues } from '../schema-issues';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { FeatureSpecListSchema, fieldSourcesOf, type FeatureSpec, type TierPolicy } from './manifest';
import { footerWarnings, parseCsv } from '../csv/parse';
import { buildLabels, EMPTY_THE_NOT_NUMBERS } from './train/dataset';
import { TooManyFoldsError, TrainingDataError } from './train/errors';
import { tableInFileOrder } from './train/date-order';
import { tableInFileFormat } from './train/number-format';
import { capacitySortsNoLead, valueSortsNoLead } from './tier-policy';
import { visibleText } from './visible-text';
import { listInWords } from '../list-in-words';
import { sentenceStart } from '../presentation';
import { trainModel, type CalibrationChoiceOption } from './train/index';

interface Args {
  [k: string]: string | boolean | undefined;
}

const USAGE = `usage: npm run train -- --csv PATH --target COLUMN [--positive VALUE] [--sep ';'] [--exclude a,b,c]
       [--features SPEC.json] [--cv 5] [--seed 42] [--out DIR] [--json] [--now ISO-DATE]
       [--interactions N] [--bags N] [--calibration auto|platt|isotonic|none] [--class-weight none|balanced]
       [--missing 'Select,N/A'] [--policy capacity:HOT:WARM:INFLOW|value:REVENUE:COST] [--time-column NAME] [--quiet]`;

const MB = 1024 * 1024;
/**
 * The largest CSV file read: the trainer holds the whole table in memory, so a much larger file
 * fills Node's heap and crawls or runs out of it, and text of 512 MB is more than a string holds.
 */
const MAX_CSV_BYTES = 100 * MB;

/** What `--help` prints below the usage: each option, what it does and its default. */
const OPTION_HELP = `
Trains a lead-scoring model (explainable boosting) on a CSV of past leads and their outcomes,
as the options page does in the browser. See models/README.md for the model and its files.

  --csv PATH            the leads, one per row, with a header row (UTF-8; BOM and Excel's sep= line read)
  --target COLUMN       the column saying whether each lead converted (every row needs a value)
  --positive VALUE      the target's value meaning "converted"; guessed (and named on stderr) only for a pair such as 1/0, yes/no,
                        true/false, won/lost: other pairs (2/1) need it
  --sep CHAR            the cell separator, one character other than a quote or a line break (default: guessed; \\t for tabs)
  --exclude a,b,c       columns not to learn from (ids, fields filled after the outcome; never the target), named as the header names them;
                        repeated, the lists add up (--exclude a --exclude b is --exclude a,b)
  --features SPEC.json  feature specs (the manifest's "features") instead of inferring them from the columns;
                        each reads CSV columns ("from": {"csv": …}) the file must have
  --missing 'Select,N/A' cell values meaning "left empty", beside the built-in ones; repeated, the lists add up
  --cv N                cross-validation folds, 2 or more (default 5); 0 for one 80/20 holdout instead
  --seed N              seed of folds, bagging and sampling, 0 to 4294967295 (default 42): same data and seed, same bytes
  --interactions N      pairwise interaction terms (default 20)
  --bags N              outer bags averaged (default 4)
  --class-weight none|balanced   weigh each class inversely to its share of the rows (default none); balanced needs a calibration, not --calibration none
  --calibration auto|platt|isotonic|none   probability calibration (default auto: the better on held-out leads)
  --policy capacity:HOT:WARM:INFLOW | value:REVENUE:COST   tier thresholds: hot and warm leads a week of an inflow,
                        or revenue per conversion and cost per contact (default capacity:10:20:100)
  --time-column NAME    a date or number column: adds an out-of-time check (earliest 70% train, latest 30% test)
  --now ISO-DATE        the day "days since" features are measured from (default: the data's latest date up to today):
                        YYYY-MM-DD (midnight UTC) or a date-time with its zone (2026-11-01T09:30:00Z, …+01:00)
  --out DIR             write model.onnx, manifest.json and MODEL_CARD.md there (all three or none)
  --json                print one JSON line of metrics (cv_roc_auc, cv_pr_auc, cv_log_loss, holdout_roc_auc, ece, rows, positives, train_seconds, …);
                        run \`npm run -s train -- … --json\` (or \`npx tsx lib/ml/cli.ts … --json\`): without -s, npm prints its banner on stdout first
  --quiet               no progress lines on stderr
  --help                this text

Every other option is given once, with a value that is not empty; --json, --quiet and --help take none.
The CSV file may be up to ${MAX_CSV_BYTES / MB} MB: sample the rows or export fewer columns of a larger one.
Bad input prints a clear error to stderr, exits 1 (2 for a wrong option) and writes nothing.`;

const FLAGS = new Set(['json', 'help', 'quiet']);
/** Options that take a value. Any other option is refused: a misspelt one (--postive) must not train with defaults. */
const VALUE_OPTIONS = new Set([
  'csv', 'target', 'positive', 'sep', 'exclude', 'features', 'cv', 'seed', 'out', 'now',
  'interactions', 'bags', 'calibration', 'class-weight', 'missing', 'policy', 'time-column',
]);

/** Options whose lists add up when repeated (`--exclude a --exclude b` is `--exclude a,b`): each names more of the same. */
const LIST_OPTIONS = new Set(['exclude', 'missing']);

function parseArgs(argv: string[]): Args {
  const args: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!FLAGS.has(name) && !VALUE_OPTIONS.has(name)) throw new UsageError(`unknown option --${name}`);
    if (FLAGS.has(name)) {
      // --json=false would switch it on
      if (eq >= 0) throw new UsageError(`--${name} takes no value, got "${a}"`);
      args[name] = true;
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    // an unset shell variable (--out=$DIR): --out would write into the current folder
    if (value === '') throw new UsageError(`--${name} needs a value, got an empty one`);
    const earlier = args[name];
    if (earlier !== undefined) {
      // the later one would silently replace the earlier (--exclude a --exclude b leaving a among the features)
      if (!LIST_OPTIONS.has(name)) throw new UsageError(`--${name} is given twice ("${earlier}", "${value}"): give it once`);
      args[name] = `${earlier},${value}`;
    } else args[name] = value;
  }
  return args;
}

class UsageError extends Error {}
/** The output folder could not be written (it is left as it was). */
class OutputError extends Error {}

type OutputFile = [name: string, content: string | Uint8Array];

/** "no space left on device" rather than "ENOSPC: no space left on device, write". */
function systemReason(e: unknown): string {
  const { errno, message } = e as NodeJS.ErrnoException;
  return (errno !== undefined && getSystemErrorMap().get(errno)?.[1]) || message;
}

/**
 * A fresh temporary folder for the files of the folder `target` (an absolute path): inside it
 * when it exists (it may keep other files, which are never touched), beside it when it is new,
 * the folders above it created first (`createdParent`, the first of them). Throws as the file
 * system does, having removed the folders it created.
 */
function stagingFolder(target: string): { staging: string; exists: boolean; createdParent: string | undefined } {
  const exists = statSync(target, { throwIfNoEntry: false }) !== undefined;
  const createdParent = exists ? undefined : mkdirSync(dirname(target), { recursive: true });
  try {
    return { staging: mkdtempSync(exists ? join(target, '.leadlens-tmp-') : `${target}.leadlens-tmp-`), exists, createdParent };
  } catch (e) {
    if (createdParent) rmSync(createdParent, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Throws `OutputError` unless `writeOutputs` can write into `dir`: checked before minutes of
 * training by making its temporary folder (and any folders above it), then removing them.
 */
function checkOutputFolder(dir: string): void {
  try {
    const { staging, createdParent } = stagingFolder(resolve(dir));
    rmSync(createdParent ?? staging, { recursive: true, force: true });
  } catch (e) {
    throw new OutputError(`cannot write ${dir}: ${systemReason(e)}`);
  }
}

/**
 * Write `files` into the folder `dir`, all of them or none. The files are first written into a
 * fresh temporary folder (`stagingFolder`), then renamed to `dir` when it is new, or moved into
 * it when it exists. Failures remove what was written (and folders created on the way) and throw
 * `OutputError`.
 */
function writeOutputs(dir: string, files: OutputFile[]): void {
  const target = resolve(dir);
  let createdParent: string | undefined; // the first folder created above `dir`
  let staging: string | undefined;
  try {
    const folder = stagingFolder(target);
    ({ staging, createdParent } = folder);
    for (const [name, content] of files) writeFileSync(join(staging, name), content);
    if (folder.exists) moveIntoPlace(staging, target, files.map(([name]) => name));
    else {
      renameSync(staging, target);
      staging = undefined;
      // mkdtemp makes its folder private (0700): the new folder gets a new folder's mode, as mkdir gives it
      chmodSync(target, 0o777 & ~process.umask());
    }
  } catch (e) {
    if (createdParent) rmSync(createdParent, { recursive: true, force: true });
    throw new OutputError(`cannot write ${dir}: ${systemReason(e)}`);
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true }); // the temporary folder, with the files replaced
  }
}

/**
 * Move `names` from `staging` into `dir`. The files they replace wait in `staging` until all
 * are moved; if one cannot be, those moved go back and the old files return (no new model
 * beside an old manifest).
 */
function moveIntoPlace(staging: string, dir: string, names: string[]): void {
  const undo: (() => void)[] = [];
  try {
    for (const name of names) {
      const [fresh, current, previous] = [join(staging, name), join(dir, name), join(staging, `${name}.previous`)];
      // a folder of that name is never moved aside (it would be removed with the staging folder): the rename below fails on it
      const existing = lstatSync(current, { throwIfNoEntry: false });
      if (existing && !existing.isDirectory()) {
        renameSync(current, previous);
        undo.push(() => renameSync(previous, current));
      }
      renameSync(fresh, current);
      undo.push(() => renameSync(current, fresh));
    }
  } catch (e) {
    for (const step of undo.reverse()) step();
    throw e;
  }
}

/** The number `text` writes in plain decimal digits (`10`, `2.5`); NaN for anything else, an empty text too (which `Number` reads as 0). */
const decimalNumber = (text: string): number => (/^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN);

/** The largest seed: the random numbers' state is 32 bits (`mulberry32`), which a larger seed would wrap around in silently. */
const MAX_SEED = 2 ** 32 - 1;

function intArg(args: Args, name: string, dflt: number | undefined, max = Infinity): number | undefined {
  const v = args[name];
  if (v === undefined) return dflt;
  const n = decimalNumber(String(v));
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${v}"`);
  if (n > max) throw new UsageError(`--${name} must be an integer from 0 to ${max}, got "${v}"`);
  return n;
}

/**
 * `--sep`: one character (`\\t` for a tab). A quote or a line break cannot separate cells (papaparse
 * would guess a comma in its place), nor can `;;` or `tab`.
 */
function sepArg(value: string): string {
  const sep = value === '\\t' ? '\t' : value;
  if (sep.length !== 1 || sep === '"' || sep === '\r' || sep === '\n') {
    throw new UsageError(`--sep must be one character other than a quote or a line break (\\t for a tab), got ${JSON.stringify(value)}`);
  }
  return sep;
}

const SMALLER_FILE = 'Train on a sample of its rows, or export fewer columns.';

/** The error for a CSV file of `bytes` bytes, more than the command reads. */
const fileTooLarge = (file: string, bytes: number) =>
  new TrainingDataError(`${file} is ${Math.ceil(bytes / MB)} MB, more than the ${MAX_CSV_BYTES / MB} MB a CSV file may be. ${SMALLER_FILE}`);

/** A day (midnight UTC) or a date-time with its zone: one moment wherever the command runs. */
const NOW_FORMAT = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/;

/**
 * `--now`: YYYY-MM-DD, read as midnight UTC, or an ISO date-time ending in Z or an offset. A time
 * without a zone would be read in the local zone (another model on another machine) and a day
 * such as 11/01/2026 either way round, so both are refused, as is a day the calendar lacks
 * (2026-02-30, which Date would move to March 2).
 */
function nowArg(value: string): Date {
  const now = NOW_FORMAT.test(value) ? new Date(value) : new Date(Number.NaN);
  const day = value.slice(0, 10);
  if (Number.isNaN(now.getTime()) || new Date(day).toISOString().slice(0, 10) !== day) {
    throw new UsageError(`--now must be a day (2026-11-01, midnight UTC) or a date-time with its zone (2026-11-01T09:30:00Z, 2026-11-01T09:30:00+01:00), got "${value}"`);
  }
  return now;
}

function policyArg(v: string | undefined): TierPolicy | undefined {
  if (v === undefined) return undefined;
  const [kind, ...nums] = v.split(':');
  const n = nums.map(decimalNumber);
  if (kind === 'capacity' && n.length === 3 && n.every((x) => Number.isInteger(x) && x >= 0) && n[0] > 0 && n[2] > 0) {
    const policy = { kind: 'capacity' as const, hotPerWeek: n[0], warmPerWeek: n[1], inflowPerWeek: n[2] };
    // As the options page refuses them: tiers that hold every lead say nothing.
    const problem = capacitySortsNoLead(policy);
    if (problem) throw new UsageError(`--policy ${v}: ${problem.message}`);
    return policy;
  }
  if (kind === 'value' && n.length === 2 && n[0] > 0 && n[1] >= 0) {
    const policy = { kind: 'value' as const, revenuePerConversion: n[0], costPerContact: n[1] };
    // Hot from the break-even probability, cost / revenue: at 0 every lead would be hot, from 1 every lead cold.
    const problem = valueSortsNoLead(policy);
    if (problem) throw new UsageError(`--policy ${v}: ${problem.message}`);
    return policy;
  }
  throw new UsageError(`--policy must be capacity:HOT:WARM:INFLOW or value:REVENUE:COST, got "${v}"`);
}

/** The command's advice for a column of numbers with too many notes in it (`EMPTY_THE_NOT_NUMBERS` on the options page): notes --missing names read as missing. */
const MISSING_NOT_NUMBERS = 'To have it read as numbers, list its values that are not numbers in --missing, or leave those cells empty.';

/** A trainer's warning in the command's words: the options page's advice to empty cells names --missing here. */
const inCommandWords = (warning: string) => warning.replace(EMPTY_THE_NOT_NUMBERS, MISSING_NOT_NUMBERS);

/** `items` joined with commas; beyond `most`, how many more. */

/** A CSV's columns for a message: the first 40, then how many more. */
const columnList = (columns: string[]) => listInWords(columns, 40);

/** The column of `columns` that `name` writes but for case, spaces, underscores and hyphens ("Record Id", "record_id": "Record ID"), if one does. */
function columnMeant(name: string, columns: string[]): string | undefined {
  const loose = (column: string) => column.toLowerCase().replace(/[\s_-]+/g, '');
  return columns.find((column) => loose(column) === loose(name));
}

/**
 * Throws `TrainingDataError` unless every column `--${option}` names is a column of the CSV,
 * suggesting the column a name may mean: a misspelt --exclude would leave the column it means (an
 * id, a field filled after the outcome) among the features, and the model would learn from it; a
 * misspelt --target or --time-column is found before training, with the column it may mean.
 */
function checkNamedColumns(option: string, names: string[], columns: string[]): void {
  const absent = names.filter((name) => !columns.includes(name));
  if (absent.length === 0) return;
  const named = absent.map((name) => {
    const meant = columnMeant(name, columns);
    return `"${name}"${meant === undefined ? '' : ` (did you mean "${meant}"?)`}`;
  });
  throw new TrainingDataError(
    `--${option} names ${absent.length === 1 ? 'a column' : `${absent.length} columns`} the CSV does not have: ${listInWords(named, 10)}. ` +
      `The CSV has the columns ${columnList(columns)}. Name ${LIST_OPTIONS.has(option) ? 'each column' : 'the column'} as the header writes it.`,
  );
}

/**
 * Throws `TrainingDataError` unless every feature of the spec file `file` reads columns the CSV
 * has: the trainer leaves a feature it cannot read out with a warning (the options page's
 * features map a catalogue to CRM fields, and a CRM may lack some), but a spec file written
 * for this CSV that names a column it lacks is a mistake, which would train a smaller model.
 */
function checkSpecColumns(specs: FeatureSpec[], columns: string[], file: string): void {
  const readersOf = new Map<string, string[]>(); // column not in the CSV → labels of the features reading it
  const crmOnly = new Set<string>(); // features reading a field without a CSV column, with the sources named instead
  for (const spec of specs) {
    for (const from of fieldSourcesOf(spec.derive)) {
      if (from.csv === undefined) {
        const named = Object.entries(from).flatMap(([source, field]) => (field === undefined ? [] : [source]));
        crmOnly.add(`"${spec.label}" (${named.length === 0 ? 'no field' : `${named.join(' and ')} fields only`})`);
      } else if (!columns.includes(from.csv)) {
        const readers = readersOf.get(from.csv) ?? [];
        if (!readers.includes(spec.label)) readersOf.set(from.csv, [...readers, spec.label]);
      }
    }
  }
  const problems: string[] = [];
  if (readersOf.size > 0) {
    const missing = [...readersOf].map(([column, readers]) => {
      const meant = columnMeant(column, columns);
      return `"${column}" (read by ${listInWords(readers.map((label) => `"${label}"`), 3)}${meant === undefined ? '' : `; did you mean "${meant}"?`})`;
    });
    problems.push(`reads ${readersOf.size === 1 ? 'a column' : `${readersOf.size} columns`} the CSV does not have: ${listInWords(missing, 10)}`);
  }
  if (crmOnly.size > 0) {
    const which = crmOnly.size === 1 ? 'a feature that names no CSV column, so it cannot' : `${crmOnly.size} features that name no CSV column, so they cannot`;
    problems.push(`has ${which} be read from one: ${listInWords([...crmOnly], 10)}`);
  }
  if (problems.length === 0) return;
  throw new TrainingDataError(
    `The feature spec ${file} ${problems.join(', and ')}. The CSV has the columns ${columnList(columns)}. ` +
      'Name a column of the CSV in each feature\'s "from": {"csv": …}, or leave the feature out of the spec.',
  );
}

function main(): number {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n${OPTION_HELP}\n`);
    return 0;
  }
  try {
    if (typeof args.csv !== 'string' || typeof args.target !== 'string') throw new UsageError('--csv and --target are required');
    const exclude = typeof args.exclude === 'string' ? args.exclude.split(',').map((s) => s.trim()).filter(Boolean) : [];
    if (exclude.includes(args.target)) {
      throw new UsageError(`--exclude names the target column "${args.target}": the target is what the model learns to predict, never a feature. Leave it out of --exclude.`);
    }
    const now = typeof args.now === 'string' ? nowArg(args.now) : undefined;
    const calibration = (args.calibration as CalibrationChoiceOption | undefined) ?? 'auto';
    if (!['auto', 'platt', 'isotonic', 'none'].includes(calibration)) throw new UsageError(`--calibration must be auto, platt, isotonic or none`);
    const classWeight = args['class-weight'];
    if (classWeight !== undefined && classWeight !== 'none' && classWeight !== 'balanced') throw new UsageError('--class-weight must be none or balanced');
    // The value policy's break-even (hot where a contact's expected revenue covers its cost) and the likelihood a rep reads take the probabilities as calibrated.
    if (classWeight === 'balanced' && calibration === 'none') {
      throw new UsageError(
        '--class-weight balanced with --calibration none would ship probabilities far too high: balanced weights train the model as if half the leads converted, ' +
          'and only a calibration brings its probabilities back to how often leads did. Leave out --calibration (auto) or give platt or isotonic, or leave out --class-weight.',
      );
    }
    const ebm: Record<string, unknown> = {};
    const inter = intArg(args, 'interactions', undefined);
    if (inter !== undefined) ebm.interactions = inter;
    const bags = intArg(args, 'bags', undefined);
    if (bags !== undefined) ebm.outerBags = Math.max(1, bags);
    if (classWeight) ebm.classWeight = classWeight;
    const policy = policyArg(args.policy as string | undefined);
    const cv = intArg(args, 'cv', 5);
    if (cv === 1) throw new UsageError(`--cv must be 0 (one 80/20 holdout) or 2 or more folds, got "${args.cv}"`);
    const sep = typeof args.sep === 'string' ? sepArg(args.sep) : undefined;
    const seed = intArg(args, 'seed', 42, MAX_SEED);
    // found before minutes of training, not after
    if (typeof args.out === 'string') checkOutputFolder(args.out);

    let bytes: Uint8Array | undefined;
    let size = 0;
    try {
      ({ size } = statSync(args.csv));
      // checked before reading it: a larger file ends in a crash out of memory, minutes later
      if (size <= MAX_CSV_BYTES) {
        bytes = new Uint8Array(readFileSync(args.csv));
        size = bytes.length; // it may have grown since
      }
    } catch (e) {
      throw new TrainingDataError(`Cannot read ${args.csv}: ${systemReason(e)}`);
    }
    if (bytes === undefined || size > MAX_CSV_BYTES) throw fileTooLarge(args.csv, size);
    const missingValues = typeof args.missing === 'string' ? args.missing.split(',').map((s) => s.trim()) : [];
    let read: ReturnType<typeof parseCsv>;
    try {
      read = parseCsv(bytes, { sep });
    } catch (e) {
      // the decoders throw RangeError on text longer than a string holds: no stack trace for it
      if (e instanceof RangeError) throw new TrainingDataError(`${args.csv} holds more text than can be read at once (${e.message}). ${SMALLER_FILE}`);
      throw e;
    }
    // said before anything reads the rows: guessing --positive from none would ask for it
    if (read.records.length === 0) throw new TrainingDataError('The CSV file has a header row but no data rows.');
    checkNamedColumns('exclude', exclude, read.columns);
    checkNamedColumns('target', [args.target], read.columns);
    const timeColumn = typeof args['time-column'] === 'string' ? args['time-column'] : undefined;
    if (timeColumn !== undefined) checkNamedColumns('time-column', [timeColumn], read.columns);
    // parseDate reads slashes month first (24/10/2026: no date) and dashes in no order: each column's own dates tell its order.
    const dated = tableInFileOrder(read);
    // parseNumber reads each number alone (2.713.067: no number, 0,125: 125): each column's own numbers tell its format.
    // The target keeps its text: --positive names its values as written.
    const numbers = tableInFileFormat(dated.table, { keepAsWritten: [args.target], missingValues });
    const { table, commaDecimalColumns } = numbers;
    const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');
    const formatNotes = [
      ...(dated.dayFirstColumns.length > 0 ? [`dates read day first (31/12/2025 is 31 December) in ${quoted(dated.dayFirstColumns)}: the file writes them that way.`] : []),
      ...(commaDecimalColumns.length > 0 ? [`numbers read with decimal commas (1.234,5 is 1234.5) in ${quoted(commaDecimalColumns)}: the file writes them that way.`] : []),
    ];
    for (const note of formatNotes) process.stderr.write(`note: ${note}\n`);
    const footerWithoutValues = new Map<string, string>();
    const fileWarnings = [...footerWarnings(read.footer, footerWithoutValues), ...dated.warnings, ...numbers.warnings];
    // Quoting cells of the file: one line each, no control a terminal would obey.
    for (const w of fileWarnings) process.stderr.write(`warning: ${visibleText(w)}\n`);
    // The card is read without this run's stderr: what it said about the file goes on it, as sentences.
    // It goes with the model beyond the admin: worded without the file's cells.
    const withoutValues = new Map([...footerWithoutValues, ...dated.warningsWithoutValues, ...numbers.warningsWithoutValues]);
    const cardFileWarnings = [...formatNotes.map(sentenceStart), ...fileWarnings.map((warning) => withoutValues.get(warning) ?? warning)];
    let specs;
    if (typeof args.features === 'string') {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(args.features, 'utf8'));
      } catch (e) {
        throw new TrainingDataError(`Cannot read the feature spec ${args.features}: ${systemReason(e)}`);
      }
      const list = Array.isArray(json) ? json : (json as { features?: unknown })?.features;
      const parsed = FeatureSpecListSchema.safeParse(list);
      if (!parsed.success) {
        throw new TrainingDataError(
          `The feature spec ${args.features} is invalid: ${describeSchemaIssues(parsed.error, 5)}`,
        );
      }
      specs = parsed.data;
      checkSpecColumns(specs, table.columns, args.features);
    }
    let positive = typeof args.positive === 'string' ? args.positive : undefined;
    if (positive === undefined) {
      // guessed from the target's two values (1/0, yes/no): said, as a wrong guess trains a model of who did not convert
      const guessed = buildLabels(table, args.target);
      positive = guessed.positive;
      process.stderr.write(`note: "${args.target}" read as converted when it is "${guessed.positive}" (not converted: "${guessed.negative}"); --positive chooses the other.\n`);
    }
    const started = performance.now();
    const result = trainModel({
      records: table.records,
      columns: table.columns,
      target: args.target,
      positive,
      specs,
      exclude,
      missingValues,
      sourceName: basename(args.csv),
      fileWarnings: cardFileWarnings,
      now,
      // without --now, a date after today (a contract's end) is not taken as the day the file was exported
      runTime: new Date(),
      timeColumn,
      options: {
        cv,
        seed,
        calibration,
        ...(policy ? { policy } : {}),
        ebm,
      },
      onProgress: args.json || args.quiet
        ? undefined
        : (() => {
            let last = '';
            return (p) => {
              const line = `${p.stage}${p.fold !== undefined ? ` fold ${p.fold + 1}` : ''}${p.boosting ? ` ${p.boosting}` : ''}`;
              if (line !== last) process.stderr.write(`… ${line}\n`);
              last = line;
            };
          })(),
    });
    for (const w of result.warnings) process.stderr.write(`warning: ${visibleText(inCommandWords(w))}\n`);
    if (typeof args.out === 'string') {
      writeOutputs(args.out, [
        ['model.onnx', result.onnx],
        ['manifest.json', `${JSON.stringify(result.manifest, null, 2)}\n`],
        ['MODEL_CARD.md', result.modelCard],
      ]);
    }
    const s = result.summary;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ...s, train_seconds: (performance.now() - started) / 1000, model_id: result.manifest.modelId, warnings: fileWarnings.length + result.warnings.length })}\n`);
    } else {
      process.stdout.write(
        `${result.manifest.modelId}: ${s.rows} rows, ${s.positives} positives, ${s.features} features, ${s.terms} terms (${s.interactions} interactions)\n` +
          `cv ROC-AUC ${s.cv_roc_auc.toFixed(4)}  PR-AUC ${s.cv_pr_auc.toFixed(4)}  log loss ${s.cv_log_loss.toFixed(4)}  ECE ${s.ece.toFixed(4)}  (${s.calibration})\n` +
          (s.oot_roc_auc === undefined ? '' : `out-of-time ROC-AUC ${s.oot_roc_auc.toFixed(4)}${s.oot_roc_auc_se === undefined ? '' : ` ± ${(2 * s.oot_roc_auc_se).toFixed(4)} (95% margin of chance)`}\n`) +
          `trained in ${s.train_seconds.toFixed(1)} s${typeof args.out === 'string' ? `; wrote ${args.out}/model.onnx, manifest.json, MODEL_CARD.md` : ''}\n`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof TooManyFoldsError) {
      process.stderr.write(`error: --cv ${e.folds} needs ${e.shortfall}. Pass --cv ${e.maxFolds} or less, or --cv 0 for one 80/20 holdout.\n`);
      return 1;
    }
    if (e instanceof TrainingDataError || e instanceof OutputError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main();
