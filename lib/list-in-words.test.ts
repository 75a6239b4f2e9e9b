import { expect, it } from 'vitest';
import { listInWords } from './list-in-words';

it('joins one, two and more items as a sentence does', () => {
  expect(listInWords([])).toBe('');
  expect(listInWords(['a'])).toBe('a');
  expect(listInWords(['a', 'b'])).toBe('a and b');
  expect(listInWords(['a', 'b', 'c'])).toBe('a, b and c');
});

it('names the first items and counts the rest beyond the most asked for', () => {
  expect(listInWords(['a', 'b', 'c'], 3)).toBe('a, b and c');
  expect(listInWords(['a', 'b', 'c', 'd', 'e'], 3)).toBe('a, b, c and 2 more');
  expect(listInWords(['a', 'b'], 1)).toBe('a and 1 more');
});

it('lists alternatives with "or"', () => {
  expect(listInWords(['a', 'b'], Infinity, 'or')).toBe('a or b');
  expect(listInWords(['a', 'b', 'c'], Infinity, 'or')).toBe('a, b or c');
  expect(listInWords(['a', 'b', 'c', 'd', 'e'], 3, 'or')).toBe('a, b, c or 2 more');
});
