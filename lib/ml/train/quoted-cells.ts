/**
 * Cells of the admin's file quoted in notes: cut to a readable length, and left out of the notes'
 * wording for the model card, which goes with the model beyond the admin.
 */
import { clipWithEllipsis, QUOTED_CELL_CHARS } from '../visible-text';

/** `cell` in quotes for a note, cut to QUOTED_CELL_CHARS. */
export const quoteCell = (cell: string) => `"${clipWithEllipsis(cell, QUOTED_CELL_CHARS)}"`;

/**
 * Warns, into `warnings`, with `note`, which quotes cells of the file through `cells`; and notes its
 * wording without them in `withoutValues` (warning → wording), for the model card, which goes with
 * the model beyond the admin. `cells(quoting, instead)` is `quoting` in the warning and `instead`
 * (nothing by default) in the card's wording.
 */
export function warnQuotingCells(
  warnings: string[],
  withoutValues: Map<string, string> | undefined,
  note: (cells: (quoting: string, instead?: string) => string) => string,
): void {
  const quoting = note((text) => text);
  warnings.push(quoting);
  withoutValues?.set(quoting, note((_, instead = '') => instead));
}
