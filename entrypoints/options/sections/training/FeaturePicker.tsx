import { useId } from 'react';
import type { z } from 'zod';
import { ErrorState } from '@/components/StatusMessage';
import { tableValueWrap } from '@/components/table-value-wrap';
import { CRM_KINDS, CRM_LABEL } from '@/lib/crm/types';
import { listInWords } from '@/lib/list-in-words';
import type { SourceKind } from '@/lib/ml/featurize';
import type { Derive } from '@/lib/ml/manifest';
import { namesPersonalData } from '@/lib/ml/train/dataset';
import { fieldOf, movedFieldNote } from '@/lib/ml/train/training-set';
import type { CandidateSchema } from '@/lib/ml/train/worker-protocol';

export type Candidate = z.infer<typeof CandidateSchema>;

/** The admin's choice for one candidate feature: used or not, and which field it reads. */
export interface FeatureChoice {
  included: boolean;
  field: string | null;
}

/**
 * The choice made for the feature `key`, if any. An own entry only: a feature inferred from a
 * column named `constructor` has that key, which a plain object otherwise answers with Object's own.
 */
export const choiceOf = (choices: Readonly<Record<string, FeatureChoice>>, key: string): FeatureChoice | undefined =>
  Object.hasOwn(choices, key) ? choices[key] : undefined;

/** A field two or more of the features chosen read, with those features' labels. */
export interface SharedField {
  field: string;
  labels: string[];
}

/**
 * What the guards said of a feature reading a field (`verdictKey`): why it was flagged, or null
 * when it passed. A feature moved to a field not in here has not been checked on it.
 */
export type FieldVerdicts = Record<string, string | null>;

export const verdictKey = (featureKey: string, field: string | null) => JSON.stringify([featureKey, field]);

/**
 * What a feature keeps of the field it reads as the field's own values (its categories, number
 * ranges, day spans), unlike a seniority or an e-mail domain's kind read from it: of a field of
 * personal data (a name, an e-mail address, a phone number), the model would hold some.
 */
const KEEPS_FIELD_VALUES: ReadonlySet<Derive['kind']> = new Set(['value', 'daysSince']);

/**
 * The note of another field of the data. A file's is read from the file only: no CRM page has
 * the column, so a badge there leaves it out of the score.
 */
const inferredNote = (source: SourceKind): string =>
  source === 'csv'
    ? `Another field of your data, read from this file only: badges on ${listInWords(CRM_KINDS.map((crm) => CRM_LABEL[crm]))} pages cannot use it; off unless you tick it.`
    : 'Another field of your data; off unless you tick it.';

interface Props {
  source: SourceKind;
  candidates: Candidate[];
  fields: string[];
  choices: Record<string, FeatureChoice>;
  verdicts: FieldVerdicts;
  /** A check of changed fields runs. */
  checking: boolean;
  onChange(key: string, choice: FeatureChoice): void;
}

/**
 * Candidate features as a table: tick to use, pick the field, read why the field it reads is flagged.
 * A field's or a feature's name with a long run (a column named in 134 characters) wraps anywhere
 * (`tableValueWrap`), and its select is capped (`.feature-table select`, page.css), so the table
 * stays within the page; the select's title names the field chosen in full.
 */
export function FeaturePicker({ source, candidates, fields, choices, verdicts, checking, onChange }: Props) {
  const noteIds = useId();
  return (
    <table aria-label="Features" className="feature-table">
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
          const choice = choiceOf(choices, spec.key) ?? { included: false, field: fieldOf(spec, source) };
          const verdict = verdicts[verdictKey(spec.key, choice.field)];
          // A feature moved to a field the catalogue does not name it by is read on this source only (`mapSpec`).
          const movedNote = origin === 'catalogue' && choice.field !== null ? movedFieldNote(spec, source, choice.field) : null;
          const note =
            verdict === undefined ? (
              <span data-unchecked="">{checking ? 'Checking this field…' : 'Not checked on this field yet: check the changed fields before training.'}</span>
            ) : verdict !== null ? (
              <span role="note" data-leakage="">
                {choice.included ? 'Possible leakage' : 'Left out'}: {verdict}.
              </span>
            ) : choice.field !== null && KEEPS_FIELD_VALUES.has(spec.derive.kind) && namesPersonalData(choice.field) ? (
              <span role="note" data-personal-data="">
                Personal data: its values would be stored in the model.
              </span>
            ) : movedNote !== null ? (
              movedNote
            ) : origin === 'inferred' ? (
              inferredNote(source)
            ) : null;
          // The note is heard at the checkbox and the field choice, where the admin decides, not only read down the Notes column.
          // A feature key is letters, digits and underscores (its schema): no space to split an id reference.
          const noteId = note === null ? undefined : `${noteIds}-note-${spec.key}`;
          // The field the feature reads is offered even when the history's list lacks it: a select
          // without it would show another field than the one read, and the admin could not pick it back.
          const fieldOptions = choice.field === null || fields.includes(choice.field) ? fields : [...fields, choice.field].sort();
          const fieldRead = spec.derive.kind === 'ratio' ? `${spec.derive.numerator[source]} / ${spec.derive.denominator[source]}` : choice.field;
          return (
            <tr key={spec.key} data-feature={spec.key}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Use ${spec.label}`}
                  aria-describedby={noteId}
                  checked={choice.included}
                  onChange={(event) => onChange(spec.key, { ...choice, included: event.target.checked })}
                />
              </td>
              {/* A leakage warning in Notes is read with its feature's name. */}
              <th scope="row" className="row-name">
                <bdi className={tableValueWrap(spec.label)}>{spec.label}</bdi>
              </th>
              <td>
                {origin === 'catalogue' && spec.derive.kind !== 'ratio' ? (
                  <select
                    aria-label={`Field for ${spec.label}`}
                    aria-describedby={noteId}
                    title={choice.field ?? undefined}
                    value={choice.field ?? ''}
                    onChange={(event) => onChange(spec.key, { ...choice, field: event.target.value })}
                  >
                    {fieldOptions.map((field) => (
                      <option key={field} value={field}>
                        {field}
                      </option>
                    ))}
                  </select>
                ) : (
                  <code className={fieldRead === null ? undefined : tableValueWrap(fieldRead)}>{fieldRead}</code>
                )}
              </td>
              {/* A reason quoting a long field name wraps too. */}
              <td id={noteId} className={typeof verdict === 'string' ? tableValueWrap(verdict) : undefined}>
                {note}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * Why Train waits while two features chosen read one field: the model would learn one signal
 * twice, under two names. Each such field, with the features reading it.
 */
export function SharedFieldsAlert({ id, shared }: { id: string; shared: readonly SharedField[] }) {
  const sentences = shared.map(({ field, labels }) => {
    const two = labels.length === 2;
    return `${listInWords(labels)} ${two ? 'both' : 'all'} read the field "${field}": the model would learn the same thing twice under different names. Move ${two ? 'one of them' : 'all but one'} to another field, or untick ${two ? 'it' : 'them'}, to train.`;
  });
  return <ErrorState id={id} message={sentences.join(' ')} />;
}
