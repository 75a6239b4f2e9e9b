import { describe, expect, it } from 'vitest';
import { clipWithEllipsis } from './visible-text';

describe('clipWithEllipsis', () => {
  it('keeps a text that fits whole', () => {
    expect(clipWithEllipsis('abc', 3)).toBe('abc');
  });

  it('counts the "…" within `max`, so a clipped text is never longer than a field or schema allows', () => {
    expect(clipWithEllipsis('abcdef', 4)).toBe('abc…');
    expect(clipWithEllipsis('x'.repeat(1000), 80)).toHaveLength(80);
  });

  it('never cuts between the halves of a character, nor leaves a space before the "…"', () => {
    expect(clipWithEllipsis('ab😀cd', 4)).toBe('ab…');
    expect(clipWithEllipsis('ab cdef', 4)).toBe('ab…');
  });
});
