/** Plain-words reasons from the model's own per-term contributions (nothing approximated). */
import type { Reason } from '../messaging/protocol';
import { describeFeatureValue, type RawRecord, type SourceKind } from './featurize';
import type { Manifest } from './manifest';

/** A feature's value text is clipped to this many characters: CRM and CSV values can be any length. */
export const MAX_VALUE_CHARS = 80;

/** `text` cut to MAX_VALUE_CHARS with "…", never between the halves of a surrogate pair. */
function clip(text: string): string {
  if (text.length <= MAX_VALUE_CHARS) return text;
  return `${text.slice(0, MAX_VALUE_CHARS).replace(/[\uD800-\uDBFF]$/, '').trimEnd()}…`;
}

/**
 * Every term as a reason, strongest first.
 * `contributions` is one lead's row of the model output: [T] log-odds per term.
 */
export function explainLead(
  manifest: Manifest,
  contributions: ArrayLike<number>,
  record: RawRecord,
  source: SourceKind,
  now: Date,
): Reason[] {
  if (contributions.length !== manifest.terms.length) {
    throw new Error(`The model returned ${contributions.length} contributions for ${manifest.terms.length} terms`);
  }
  return manifest.terms
    .map((term, t) => ({
      label: term.label,
      value: term.features
        .map((f) => clip(describeFeatureValue(record, manifest.features[f], source, now)) || 'not known')
        .join(' · '),
      points: contributions[t],
    }))
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
}
