import type { z } from 'zod';
import type { FeatureSpec } from '@/lib/ml/manifest';
import type { SourceKind } from '@/lib/ml/featurize';
import type { CandidateSchema } from '@/lib/ml/train/worker-protocol';

export type Candidate = z.infer<typeof CandidateSchema>;

/** The admin's choice for one candidate feature: used or not, and which field it reads. */
export interface FeatureChoice {
  included: boolean;
  field: string | null;
}

/** The field a single-field spec reads for `source` (null for a ratio of two fields). */
export function fieldOf(spec: FeatureSpec, source: SourceKind): string | null {
  return spec.derive.kind === 'ratio' ? null : (spec.derive.from[source] ?? null);
}

interface Props {
  source: SourceKind;
  candidates: Candidate[];
  fields: string[];
  choices: Record<string, FeatureChoice>;
  leakage: Record<string, string>;
  onChange(key: string, choice: FeatureChoice): void;
}

/** Candidate features as a table: tick to use, pick the field, read why a field is flagged. */
export function FeaturePicker({ source, candidates, fields, choices, leakage, onChange }: Props) {
  return (
    <table aria-label="Features">
      <thead>
        <tr>
          <th scope="col">Use</th>
          <th scope="col">Feature</th>
          <th scope="col">Field</th>
          <th scope="col">Notes</th>
        </tr>
      </thead>
      <tbody>
        {candidates.map(({ spec, origin }) => {
          const choice = choices[spec.key] ?? { included: false, field: fieldOf(spec, source) };
          const flagged = leakage[spec.key];
          return (
            <tr key={spec.key} data-feature={spec.key}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Use ${spec.label}`}
                  checked={choice.included}
                  onChange={(event) => onChange(spec.key, { ...choice, included: event.target.checked })}
                />
              </td>
              <td>{spec.label}</td>
              <td>
                {origin === 'catalogue' && spec.derive.kind !== 'ratio' ? (
                  <select
                    aria-label={`Field for ${spec.label}`}
                    value={choice.field ?? ''}
                    onChange={(event) => onChange(spec.key, { ...choice, field: event.target.value })}
                  >
                    {fields.map((field) => (
                      <option key={field} value={field}>
                        {field}
                      </option>
                    ))}
                  </select>
                ) : (
                  <code>{spec.derive.kind === 'ratio' ? `${spec.derive.numerator[source]} / ${spec.derive.denominator[source]}` : choice.field}</code>
                )}
              </td>
              <td>
                {flagged ? (
                  <span role="note" data-leakage="">
                    Left out: {flagged}.
                  </span>
                ) : origin === 'inferred' ? (
                  'Another field of your data; off unless you tick it.'
                ) : (
                  ''
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
