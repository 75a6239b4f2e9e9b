/**
 * The training CLI end to end, as a child process (tsx) on a small generated CSV in a temp dir:
 * the `--json` line, the `--out` files, and bad input (exit ≠ 0, a clear message, nothing written).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest } from './manifest';
import { syntheticLeads } from './train/synthetic';

const CLI = resolve(__dirname, 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'leadlens-cli-'));
const csv = join(dir, 'leads.csv');
writeFileSync(csv, Papa.unparse(syntheticLeads(600, 9)));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function train(...args: string[]) {
  const fast = ['--cv', '2', '--bags', '1', '--interactions', '2', '--exclude', 'id'];
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--csv', csv, ...fast, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('lib/ml/cli.ts', () => {
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
    expect(card).toContain('out of time');
    expect(card).toContain('defaults, not this business');
  });

  it.each([
    ['a target that is not a column', ['--target', 'won'], /target column "won" is not in the CSV/],
    ['a time column that is not a column', ['--target', 'converted', '--time-column', 'created'], /time column "created" is not in the data/],
    ['a feature spec that is not JSON', ['--target', 'converted', '--features', csv], /Cannot read the feature spec/],
  ])('%s: exits non-zero with a clear message and writes nothing', (_, args, message) => {
    const out = join(dir, `bad-${args.join('-').replace(/[^a-z]/gi, '')}`);
    const run = train(...args, '--out', out, '--json');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});
