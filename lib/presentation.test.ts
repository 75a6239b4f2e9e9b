import { describe, expect, it } from 'vitest';
import { describeLikelihood, formatDistinctRates, formatShare, formatProbability, formatRate, formatVersusAverage, strengthOf, topReasons } from './presentation';

describe('formatProbability', () => {
  it.each([
    [0.004, '<1 %'],
    [0.12, '12 %'],
    [0.125, '13 %'],
    [0.995, '>99 %'],
  ])('%f → %s', (p, text) => expect(formatProbability(p)).toBe(text));
});

describe('formatRate', () => {
  it.each([
    [0, '0 %'],
    [0.0003, '0.03 %'],
    [0.008, '0.8 %'],
    [0.025, '2.5 %'],
    [0.0999, '10 %'],
    [0.125, '13 %'],
    [0.995, '100 %'],
    [1, '100 %'],
  ])('%f → %s', (rate, text) => expect(formatRate(rate)).toBe(text));
});

describe('formatShare', () => {
  it.each([
    [0, '0 %'],
    [0.00007, '<0.1 %'],
    [0.0004, '<0.1 %'],
    [0.0012, '0.1 %'],
    [0.075, '7.5 %'],
    [0.4, '40 %'],
    [0.995, '>99 %'],
    [0.9996, '>99 %'],
    [1, '100 %'],
  ])('%f → %s', (share, text) => expect(formatShare(share)).toBe(text));
});

describe('formatDistinctRates', () => {
  it('writes the edges of adjacent ranges as formatRate does when they read apart', () => {
    expect(formatDistinctRates([0.012, 0.05, 0.41])).toEqual(['1.2 %', '5 %', '41 %']);
  });

  it('gives every edge more digits when two would read the same, so no two ranges look alike', () => {
    expect(formatDistinctRates([0.0121, 0.0124, 0.2])).toEqual(['1.21 %', '1.24 %', '20 %']);
    expect(formatDistinctRates([0.4121, 0.4149])).toEqual(['41.2 %', '41.5 %']);
  });
});

describe('formatVersusAverage', () => {
  it.each([
    [0.3, 0.1, '3× the average lead'],
    [0.15, 0.1, '1.5× the average lead'],
    [0.04, 0.1, '0.4× the average lead'],
    [0.102, 0.1, 'about the average lead'],
    [0.9, 0.05, '18× the average lead'],
    [0.0049, 0.1, 'less than 0.1× the average lead'],
    [0.006, 0.1, '0.1× the average lead'],
  ])('%f vs %f → %s', (p, base, text) => expect(formatVersusAverage(p, base)).toBe(text));
});

it('describes likelihood in one sentence', () => {
  expect(describeLikelihood(0.12, 0.04)).toBe('12 % likely to convert, 3× the average lead');
});

it('words the strength of a reason', () => {
  expect([strengthOf(1.3), strengthOf(-0.5), strengthOf(0.1)]).toEqual(['strongly', 'moderately', 'slightly']);
});

it('picks the strongest reasons each way and drops negligible ones', () => {
  const reasons = [
    { label: 'a', value: '', points: 0.5 },
    { label: 'b', value: '', points: -1.2 },
    { label: 'c', value: '', points: 0.01 },
    { label: 'd', value: '', points: 1.5 },
    { label: 'e', value: '', points: -0.2 },
  ];
  const { up, down } = topReasons(reasons, 2);
  expect(up.map((r) => r.label)).toEqual(['d', 'a']);
  expect(down.map((r) => r.label)).toEqual(['b', 'e']);
});
