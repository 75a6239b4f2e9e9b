/** Lists in words, for the messages LeadLens writes. */

/**
 * `items` as a list in words: "a", "a and b", "a, b and c"; beyond `most`, the first `most` and
 * how many more ("a, b, c and 4 more"), so a long list stays one short sentence. `conjunction`
 * 'or' lists alternatives: "a, b or c".
 */
export function listInWords(items: readonly string[], most = Infinity, conjunction: 'and' | 'or' = 'and'): string {
  if (items.length > most) return `${items.slice(0, most).join(', ')} ${conjunction} ${items.length - most} more`;
  return items.length <= 2 ? items.join(` ${conjunction} `) : `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}
