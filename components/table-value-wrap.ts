/**
 * The longest run of characters without a space that a table of the side panel keeps whole:
 * "Telecommunications" (Salesforce's longest industry) and "$100,000,000,000" are no longer. Such
 * a run can be over a third as wide as the table of a 420 px panel, so a row with two of them
 * beside its other columns may be a little wider than the panel: whole words are kept there all
 * the same, as breaking them is what this avoids.
 */
export const LONGEST_WHOLE_RUN = 18;

/**
 * The class of a CRM value in a table cell: `wraps-anywhere` for a value with a run longer than
 * LONGEST_WHOLE_RUN (an e-mail as a lead's name, a URL, a hostile 10,000 characters), so it cannot
 * widen the table past the side panel; none for any other value. An automatic table layout sizes
 * a column from the narrowest its cells can wrap to, and counts a value that may break anywhere
 * as a letter wide: beside wider columns, one of ordinary words was shrunk until they broke
 * mid-word ("Nakamu/ra").
 */
export function tableValueWrap(value: string): 'wraps-anywhere' | undefined {
  return value.split(/\s+/u).some((run) => run.length > LONGEST_WHOLE_RUN) ? 'wraps-anywhere' : undefined;
}
