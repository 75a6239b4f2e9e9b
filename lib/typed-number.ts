/**
 * Numbers as an admin types them into a form's text field, and as such a field shows them.
 *
 * Digits with a point for decimals only (`1500`, `1.5`, `.5`, `-3`; `1e-7`, as `String` writes a
 * tiny figure the form shows). A comma is refused, not read: `1,500` is 1.5 to an admin who
 * writes decimal commas and 1500 to one who groups thousands with them, and a browser's number
 * field silently picks one (Chromium in English reads `2,5` as 25). So is a space, an apostrophe,
 * a currency or a unit: the form says beside the field how to write it. `parseNumber`
 * (lib/ml/derive.ts) is not this: it reads a CRM's values, with all of those, and guesses.
 */

/** A sign, digits with at most one point, and an exponent: what `String` writes for any finite number, and no more. */
const TYPED_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** The number `text` holds: null when it is empty (or blank), NaN when it holds what is no number (`2,5`, `1,000`, `$5`, `1e400`). */
export function readTypedNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = TYPED_NUMBER.test(trimmed) ? Number(trimmed) : Number.NaN;
  return Number.isFinite(value) ? value : Number.NaN;
}

/** A form's number as its field shows it, which `readTypedNumber` reads back as the same number; '' for none. */
export const typedNumberOf = (value: number | null): string => (value === null ? '' : String(value));

/**
 * The whole number from `min` to `max` typed in a field (`readTypedNumber`); null for anything
 * else: an emptied field (as a number it would read 0: no minimum age, or an empty window), a
 * fraction, or one with a comma ("1,5", which Chromium's number field read as 15).
 */
export function readWholeNumber(typed: string, min: number, max: number): number | null {
  const number = readTypedNumber(typed);
  return number !== null && Number.isInteger(number) && number >= min && number <= max ? number : null;
}
