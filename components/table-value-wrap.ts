/**
 * The longest run of characters without a space that a table of the side panel keeps whole:
 * "Telecommunications" (Salesforce's longest industry) and "$100,000,000,000" are no longer. Such
 * a run can be over a third as wide as the table of a 420 px panel, so a row with two of them
 * beside its other columns may reach into the card's margin: whole words are kept there all the
 * same, as breaking them is what this avoids. Narrower than 420 px, the panel gives its tables more
 * room (page.css): the comparison's row of "Telecommunications" beside a money figure fits whole
 * down to Chrome's default width, 360 px.
 */
export const LONGEST_WHOLE_RUN = 18;

/**
 * The longest run the comparison with the ideal keeps whole in a side panel narrower than Chrome's
 * default 360 px (page.css), down to its narrowest, 320 px: "Manufacturing", "$285,000,000". Its
 * row of "Telecommunications" beside a money figure is wider than a 320 px panel however its
 * columns are drawn, so there a longer run wraps anywhere; the other tables' rows of demo leads fit
 * such a panel whole.
 */
export const LONGEST_WHOLE_RUN_WHEN_NARROW = 13;

/**
 * The class of a CRM value in a table cell: `wraps-anywhere` for a value with a run longer than
 * LONGEST_WHOLE_RUN (an e-mail as a lead's name, a URL, a hostile 10,000 characters), so it cannot
 * widen the table past the side panel; `wraps-when-narrow` for one with a run longer than
 * `longestWholeRunWhenNarrow` (the comparison's LONGEST_WHOLE_RUN_WHEN_NARROW), which wraps anywhere
 * only in a panel narrower than 360 px; none for any other value. An automatic table layout sizes a
 * column from the narrowest its cells can wrap to, and counts a value that may break anywhere as a
 * letter wide: beside wider columns, one of ordinary words was shrunk until they broke mid-word
 * ("Nakamu/ra"). So only the comparison, whose rows cannot all fit a 320 px panel whole, lets any
 * run of LONGEST_WHOLE_RUN or fewer wrap, and only there.
 */
export function tableValueWrap(value: string, longestWholeRunWhenNarrow = LONGEST_WHOLE_RUN): 'wraps-anywhere' | 'wraps-when-narrow' | undefined {
  const longestRun = value.split(/\s+/u).reduce((longest, run) => Math.max(longest, run.length), 0);
  if (longestRun > LONGEST_WHOLE_RUN) return 'wraps-anywhere';
  return longestRun > longestWholeRunWhenNarrow ? 'wraps-when-narrow' : undefined;
}
