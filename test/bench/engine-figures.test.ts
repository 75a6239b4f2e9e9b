import { expect, it } from 'vitest';
import type { Throughput } from '../../lib/ml/throughput';
import { acrossRounds, assertBundledModel, hopPerCall, ratioToNative } from './engine-figures';

const timed = (ms: number, rows = 1000): Throughput => ({ rows, runs: 10, medianSeconds: ms / 1000, rowsPerSecond: rows / (ms / 1000) });
const pair = (inWorkerMs: number, throughDocumentMs: number) => ({ inWorker: timed(inWorkerMs), throughDocument: timed(throughDocumentMs) });

it('writes the hop as the median of the rounds\' differences when the document was slower in each', () => {
  expect(hopPerCall([pair(240, 280), pair(250, 285), pair(260, 330)])).toBe('40.00 (rounds 35.00–70.00)');
});

it('never writes a negative hop: rounds that go both ways are within noise', () => {
  // As a run under load drift wrote −17.20 ms: the document timed after the worker, on a quieter machine.
  expect(hopPerCall([pair(260, 242.8)])).toBe('within noise (±17.20)');
  expect(hopPerCall([pair(2, 2.4), pair(2.5, 2.1)])).toBe('within noise (±0.40)');
});

it('takes each side over the rounds as the median of their median call times', () => {
  const figure = acrossRounds([timed(300), timed(200), timed(250)]);
  expect(figure.medianSeconds).toBeCloseTo(0.25);
  expect(figure.rowsPerSecond).toBeCloseTo(4000);
  expect(figure.runs).toBe(30);
});

it('refuses figures of a model other than the bundled one', () => {
  expect(() => assertBundledModel('ebm-4be05ee504318e13', 'ebm-1f0c278811377fab')).toThrow(
    /measured model ebm-4be05ee504318e13, but models\/manifest.json bundles ebm-1f0c278811377fab.*Nothing was written/,
  );
  expect(() => assertBundledModel('ebm-1f0c278811377fab', 'ebm-1f0c278811377fab')).not.toThrow();
});

it("compares the engine with Node round by round, each ratio of timings under the same load", () => {
  // The machine three times as busy in the second round: each round's ratio is 0.5.
  const rounds = [
    { inWorker: timed(4), throughDocument: timed(5), native: timed(2) },
    { inWorker: timed(12), throughDocument: timed(15), native: timed(6) },
  ];
  expect(ratioToNative(rounds, 'inWorker')).toBeCloseTo(0.5);
  expect(ratioToNative(rounds, 'throughDocument')).toBeCloseTo(0.4);
});
