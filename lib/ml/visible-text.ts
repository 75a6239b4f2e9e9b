/**
 * Text from outside (CRM values, a CSV's cells, an imported model's labels) as LeadLens shows it:
 * without what a reader cannot see but would reorder or break the words around it.
 */

/** Line breaks and tabs: a reason is one line, so they read as the space a page shows them as. */
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;

/**
 * What a CRM value can carry that a rep cannot see: C0 / C1 controls; the direction controls
 * (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E, U+200F
 * and U+061C, the deprecated U+206A–U+206F), which would reorder LeadLens's own words next to
 * the value; zero-width spaces and invisible operators. The joiners U+200C and U+200D stay:
 * emoji and some scripts need them.
 */
const INVISIBLE_CONTROLS = /[\p{Cc}\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/gu;

/** `text` without the controls a rep cannot see, line breaks as spaces, otherwise as it is. */
export function visibleText(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(INVISIBLE_CONTROLS, '');
}

/** The most characters of a model's label (a feature's or term's name) shown: a manifest from elsewhere can hold any length. */
export const MAX_LABEL_CHARS = 200;

/** The most characters of a feature's value text shown (lib/ml/explain.ts `valueAsShown`): CRM and CSV values can be any length. */
export const MAX_VALUE_CHARS = 80;

/** The most characters of a cell a warning or an error quotes: one cell may hold megabytes of notes. */
export const QUOTED_CELL_CHARS = 60;

/**
 * `text` cut to at most `max` UTF-16 code units, the "…" that marks the cut included, never
 * between the halves of a surrogate pair. (lib/crm/dom.ts `clipText` cuts without a mark.)
 */
export function clipWithEllipsis(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '').trimEnd()}…`;
}

/**
 * A model's label as every page shows it: visible text (`visibleText`), cut to MAX_LABEL_CHARS.
 * A model trained here has short, plain labels: unchanged.
 */
export const shownLabel = (label: string): string => clipWithEllipsis(visibleText(label), MAX_LABEL_CHARS);
