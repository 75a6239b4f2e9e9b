import { describe, expect, it } from 'vitest';
import { readTypedNumber, readWholeNumber, typedNumberOf } from './typed-number';

describe('readTypedNumber', () => {
  it.each([
    ['40', 40],
    ['2.5', 2.5],
    ['0.004', 0.004],
    ['.5', 0.5],
    ['5.', 5],
    ['1500', 1500],
    ['-5', -5],
    ['+5', 5],
    ['1e3', 1000],
    ['1E-7', 1e-7],
    [' 40 ', 40],
  ] as const)('reads %j as %s', (typed, want) => expect(readTypedNumber(typed)).toBe(want));

  it.each(['', '   '])('reads %j as empty (null), not 0', (typed) => expect(readTypedNumber(typed)).toBeNull());

  // A comma is never read: neither as a decimal comma (2,5 → 2.5) nor as grouping (2,5 → 25, as Chromium's English number field reads it; 1,000 → 1, as parseFloat does).
  it.each(['2,5', '1,5', '0,125', '1,000', '1,500', '12,500.50', '1.000,50', '1,'])('refuses %j, which holds a comma', (typed) => expect(readTypedNumber(typed)).toBeNaN());

  it.each(['1 000', "1'000", '1.2.3', '$5', '5 $', '12%', '5k', 'abc', '.', '-', 'e3', '0x10', 'Infinity', 'NaN', '1e400', '−5'])('refuses %j, which is no number as typed', (typed) =>
    expect(readTypedNumber(typed)).toBeNaN(),
  );
});

describe('typedNumberOf', () => {
  it('shows no number as an empty field', () => expect(typedNumberOf(null)).toBe(''));

  // What the form fills in (percentages to 4 decimals, kept figures, the most a field takes) is read back as itself, not refused.
  it.each([0, 40, 0.0001, 12.3456, 1e-7, 5e-324, 0.1 + 0.2, 1e12, 1e7, 1e21, -3.5])('shows %s as text read back as the same number', (value) => {
    expect(readTypedNumber(typedNumberOf(value))).toBe(value);
  });
});

it('reads a whole number as typed: digits, nothing a comma, a fraction, or another notation makes of them', () => {
  expect(readWholeNumber('12', 1, 120)).toBe(12);
  expect(readWholeNumber(' 6 ', 1, 120)).toBe(6);
  expect(readWholeNumber('0', 0, 365)).toBe(0);
  for (const typed of ['1,5', '3,0', '1,000', '1.5', '', ' ', '0x10', '0b11', '0o7', 'Infinity', '121', '0']) expect(readWholeNumber(typed, 1, 120)).toBeNull();
});
