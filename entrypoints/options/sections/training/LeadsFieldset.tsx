/** The leads a check and a training read: the history's source, and the window of creation dates. */
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { SourceKind } from '@/lib/ml/featurize';
import { OUTCOME_SETTLED_DAYS } from '@/lib/ml/outcome-rule';
import type { TrainingWindow } from '@/lib/ml/train/training-set';
import { listInWords } from '@/lib/list-in-words';
import { formatDay, plural } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { readTypedNumber, readWholeNumber } from '@/lib/typed-number';
import { leadAgesCountedFrom } from '@/lib/ui/stored-data';
import type { HistorySample } from './history-sample';

const DAY_MS = 86_400_000;
/** A month of the window, in days: a year's average. */
const DAYS_PER_MONTH = 30.44;

/**
 * The window's whole days for `months` (1 month is 31 days, 12 months 366): whole, so that it starts
 * at the time of day it is counted from, and its first day is one it lets in. A file of created
 * dates alone, counted from its latest (midnight UTC), then starts at a day's midnight: 12 months
 * from Nov 29, 2026 let in Nov 28, 2025 and after, as the window is described, not from 5 pm on Nov 28.
 */
const windowDays = (months: number): number => Math.ceil(months * DAYS_PER_MONTH);

/**
 * A whole number the form reads from a field of its own: the first value, the range it takes, and
 * what it is, as the field's note says while the field holds none in it.
 */
export interface WholeNumberSpec {
  initial: number;
  min: number;
  max: number;
  /** What the field takes, in words the note starts with: "The minimum age is a whole number of days from 0 (none) to 365". */
  takes: string;
}

/** The longest window the form takes: ten years, more history than any sales process keeps alike. */
const MAX_WINDOW_MONTHS = 120;
/** The longest minimum age the form takes: a year, beyond any sales cycle it is meant for. */
const MAX_MIN_AGE_DAYS = 365;

/** "Created in the last N months": an empty window (0 months) would read no lead. */
export const WINDOW_MONTHS: WholeNumberSpec = { initial: 12, min: 1, max: MAX_WINDOW_MONTHS, takes: `The window is a whole number of months from 1 to ${MAX_WINDOW_MONTHS}` };
/** "At least N days ago": 0 is no minimum age. */
export const MIN_AGE_DAYS: WholeNumberSpec = {
  initial: OUTCOME_SETTLED_DAYS,
  min: 0,
  max: MAX_MIN_AGE_DAYS,
  takes: `The minimum age is a whole number of days from 0 (none) to ${MAX_MIN_AGE_DAYS}`,
};

/** A whole-number field of the form (`useWholeNumberField`). */
export interface WholeNumberField {
  spec: WholeNumberSpec;
  /** As typed: the field shows it, valid or not. */
  typed: string;
  /** The last valid number typed (at first the spec's): what the form uses while the field holds none. */
  value: number;
  /** Whether the field holds no valid number now: it is marked, its note says why, and checking and training wait. */
  refused: boolean;
  /** The id of the note beside the field while it is refused: the buttons it holds back point to it too. */
  problemId: string;
  type(typed: string): void;
}

/**
 * A field of `spec` as the admin types it: what is typed is kept and read (`readWholeNumber`),
 * and the last valid number kept meanwhile. `onNewValue` is called when the field comes to hold
 * another valid number (the form's check of the old one is dropped then); one typed again as it
 * was is no change.
 */
export function useWholeNumberField(spec: WholeNumberSpec, onNewValue: () => void): WholeNumberField {
  const [typed, setTyped] = useState(String(spec.initial));
  const [value, setValue] = useState(spec.initial);
  const problemId = useId();
  return {
    spec,
    typed,
    value,
    refused: readWholeNumber(typed, spec.min, spec.max) === null,
    problemId,
    type: (next) => {
      setTyped(next);
      const read = readWholeNumber(next, spec.min, spec.max);
      if (read === null || read === value) return;
      onNewValue();
      setValue(read);
    },
  };
}

/** Why the window's two fields together are refused, said beside them (`emptyWindowProblem`); `id` names the note. */
export interface WindowProblem {
  id: string;
  text: string;
}

/**
 * The input of a whole-number field: as typed, marked invalid and pointing to its note while it
 * holds no valid number, or to the window's note while the window's fields together are refused.
 * A text field: a number field reads "1,5" as another number (Chromium in English: 15), unflagged.
 */
function WholeNumberInput({ field, windowProblem }: { field: WholeNumberField; windowProblem: WindowProblem | null }) {
  return (
    <input
      type="text"
      inputMode="numeric"
      required
      value={field.typed}
      onChange={(event) => field.type(event.target.value)}
      aria-invalid={field.refused || windowProblem !== null || undefined}
      aria-describedby={field.refused ? field.problemId : windowProblem?.id}
      style={{ width: 60 }}
    />
  );
}

/** What a refused field takes, said beside it (outside its label, which names the input); how to write it when it holds no number ("1,5"). */
function ProblemNote({ field, testId }: { field: WholeNumberField; testId: string }) {
  if (!field.refused) return null;
  const howToWrite = Number.isNaN(readTypedNumber(field.typed)) ? ', written in digits only (no comma)' : '';
  return (
    <span id={field.problemId} data-testid={testId}>
      {' '}
      {field.spec.takes}
      {howToWrite}: checking the data and training wait for one.
    </span>
  );
}

/**
 * The window the form's values give at `now` (epoch ms): leads created in the last `months`, at
 * least `minAgeDays` days ago. A history with no created date has none: every lead is read. The
 * training job counts an imported file's back from the file's latest created date instead
 * (`windowCountedFrom`): the file holds its leads as they were when it was exported.
 */
export function trainingWindow(history: Pick<HistorySample, 'createdDates'>, months: number, minAgeDays: number, now: number): TrainingWindow {
  if (!history.createdDates) return { createdAfter: null, createdBefore: null };
  return { createdAfter: now - windowDays(months) * DAY_MS, createdBefore: now - minAgeDays * DAY_MS };
}

/**
 * Why the minimum age leaves nothing of the window (every lead created in it is newer:
 * `trainingWindow` would end before it starts), naming both fields; null when some of the window
 * is left, or while either field holds no valid number (its own note says why).
 */
export function emptyWindowProblem(monthsField: WholeNumberField, minAgeField: WholeNumberField): string | null {
  if (monthsField.refused || minAgeField.refused) return null;
  const { value: months } = monthsField;
  const { value: minAgeDays } = minAgeField;
  const days = windowDays(months);
  if (minAgeDays < days) return null;
  const longestMinAge = days - 1;
  return (
    `A minimum age of ${plural(minAgeDays, 'day', 'days')} leaves nothing of a window of ${plural(months, 'month', 'months')} (${days} days): ` +
    `every lead created in it is newer than that. Make "at least … days ago" ${longestMinAge} or fewer, or "Created in the last … months" longer: checking the data and training wait until some of the window is left.`
  );
}

/** What the window's numbers are counted back from, said beside them for an imported file: not today, unlike a CRM's. */
function FileWindowNote() {
  // Under the history's key: read again whenever the stored leads are.
  const countedFrom = useQuery({ queryKey: queryKeys.fileWindowCountedFrom(), queryFn: () => leadAgesCountedFrom('csv', Date.now()) });
  const date = countedFrom.data === undefined ? '' : `, ${formatDay(countedFrom.data, 'file')}`;
  return (
    <span data-testid="window-counted-from">
      {' '}
      Both are counted back from the file's latest created date{date}, not from today: the file holds its leads as they were when it was exported.
    </span>
  );
}

export const SOURCES: { value: SourceKind; label: string }[] = [
  { value: 'salesforce', label: 'Salesforce leads' },
  { value: 'hubspot', label: 'HubSpot contacts' },
  { value: 'csv', label: 'Imported CSV' },
];

/**
 * Whether `history` has leads and none of them has a created date: no window of creation dates,
 * nor minimum age, applies. An empty history has no lead to say that of: the form shows the
 * window it will apply once leads are stored.
 */
export function undatedHistory(history: HistorySample | undefined): boolean {
  return history !== undefined && history.leads > 0 && !history.createdDates;
}

/** The History choice's name of `source` ("HubSpot contacts"). */
export const historyLabel = (source: SourceKind): string => SOURCES.find((option) => option.value === source)?.label ?? source;

/**
 * How many leads `source`'s history has, and whether they are demo leads (used only while it has no
 * other): then where the admin's own leads are, when another History holds them (`ownLeadsElsewhere`),
 * else what takes their place (a CRM's own synced leads: an import goes to Imported CSV).
 */
function describeHistory(source: SourceKind, { leads, demo, demoLeftOut }: HistorySample, ownLeadsElsewhere: readonly SourceKind[]): string {
  if (demo && ownLeadsElsewhere.length > 0) {
    return `${plural(leads, 'demo lead', 'demo leads')}, not yours: your own leads are under ${listInWords(ownLeadsElsewhere.map(historyLabel))} (choose ${ownLeadsElsewhere.length === 1 ? 'it' : 'one'} above to train on them)`;
  }
  if (demo) return `${plural(leads, 'demo lead', 'demo leads')} (your own ${source === 'csv' ? 'imported leads' : `synced ${historyLabel(source)}`} take their place once stored)`;
  const stored = `${leads.toLocaleString('en-US')} stored`;
  return demoLeftOut > 0 ? `${stored} (${plural(demoLeftOut, 'demo lead is', 'demo leads are')} left out)` : stored;
}

interface Props {
  source: SourceKind;
  /** The source's history sample, once read. */
  history: HistorySample | undefined;
  /** The other sources with leads of the admin's own: named beside a history of demo leads. */
  ownLeadsElsewhere: readonly SourceKind[];
  /** The window's fields (`WINDOW_MONTHS`, `MIN_AGE_DAYS`), shown where the history has created dates. */
  months: WholeNumberField;
  minAgeDays: WholeNumberField;
  /** Set while the minimum age leaves nothing of the window (`emptyWindowProblem`). */
  windowProblem: WindowProblem | null;
  onSourceChange(source: SourceKind): void;
}

export function LeadsFieldset({ source, history, ownLeadsElsewhere, months, minAgeDays, windowProblem, onSourceChange }: Props) {
  return (
    <fieldset>
      <legend>Leads</legend>
      <label>
        History{' '}
        <select value={source} onChange={(event) => onSourceChange(event.target.value as SourceKind)}>
          {SOURCES.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>{' '}
      {history && <span data-testid="history-count">{describeHistory(source, history, ownLeadsElsewhere)}</span>}
      {undatedHistory(history) ? (
        <p data-testid="no-created-dates">
          None of these leads has a created date, so no window of creation dates applies: every lead is read, however new. Nor can a minimum
          age keep out leads too new to have converted yet (below, tick what says a lead is still open or being worked), or the report measure
          how the model ranks the newest leads.
          {source === 'csv' && ' To choose leads by when they were created, import the file again with its created date column chosen.'}
        </p>
      ) : (
        <p>
          <label>
            Created in the last <WholeNumberInput field={months} windowProblem={windowProblem} /> months
          </label>
          ,{' '}
          <label>
            and at least <WholeNumberInput field={minAgeDays} windowProblem={windowProblem} /> days ago
          </label>{' '}
          (old enough to have an outcome).
          {/* Not before a file is imported: there is no file to count back from. */}
          {source === 'csv' && history && history.leads > 0 && <FileWindowNote />}
          <ProblemNote field={months} testId="months-problem" />
          <ProblemNote field={minAgeDays} testId="min-age-problem" />
          {windowProblem && (
            <span id={windowProblem.id} data-testid="window-problem">
              {' '}
              {windowProblem.text}
            </span>
          )}
        </p>
      )}
    </fieldset>
  );
}
