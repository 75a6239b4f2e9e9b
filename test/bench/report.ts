/**
 * BENCHMARKS.md is shared by several benchmark commands: each owns one section between
 * `<!-- NAME:start -->` and `<!-- NAME:end -->` and rewrites only that.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const FILE = 'BENCHMARKS.md';
const HEADER = '# Benchmarks\n\nWritten by the `npm run bench…` commands; each section says which command wrote it and when.\n';

export function writeBenchmarkSection(name: string, body: string, file = FILE): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + section + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
