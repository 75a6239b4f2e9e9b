import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { percentile, writeBenchmarkSection } from './report';

it('rewrites only its own section of the benchmarks file', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-')), 'BENCHMARKS.md');
  writeFileSync(file, '# Benchmarks\n\n<!-- accuracy:start -->\nold accuracy\n<!-- accuracy:end -->\n');
  writeBenchmarkSection('engine', 'first engine', file);
  writeBenchmarkSection('engine', 'second engine', file);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('old accuracy');
  expect(text).toContain('second engine');
  expect(text).not.toContain('first engine');
  expect(text.match(/engine:start/g)).toHaveLength(1);
});

it('takes percentiles by nearest rank', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
  expect(percentile(values, 50)).toBe(50);
  expect(percentile(values, 95)).toBe(95);
  expect(percentile(values, 100)).toBe(100);
  expect(percentile([7], 95)).toBe(7);
  expect(percentile([], 50)).toBeNaN();
});
