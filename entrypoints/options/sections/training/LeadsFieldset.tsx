/** The leads a check and a training read: the history's source, and the window of creation dates. */
import type { SourceKind } from '@/lib/ml/featurize';
import type { TrainingWindow } from '@/lib/ml/train/training-set';
import { plural } from '@/lib/presentation';
import type { HistorySample } from './history-sample';

const DAY_MS = 86_400_000;

/** The longest minimum age the form takes: a year, beyond any sales cycle it is meant for. */
export const MAX_MIN_AGE_DAYS = 365;

/**
 * The minimum age typed in the form, in days: a whole number from 0 (no minimum age) to
 * `MAX_MIN_AGE_DAYS`; null for anything else, an emptied field among them (as a number it
 * would read 0 and quietly let in every lead however new).
 */
export function readMinAgeDays(typed: string): number | null {
  if (typed.trim() === '') return null;
  const days = Number(typed);
  return Number.isInteger(days) && days >= 0 && days <= MAX_MIN_AGE_DAYS ? days : null;
}

/**
 * The window the form's values give at `now` (epoch ms): leads created in the last `months`, at
 * least `minAgeDays` days ago. A history with no created date has none: every lead is read.
 */
export function trainingWindow(history: Pick<HistorySample, 'createdDates'>, months: number, minAgeDays: number, now: number): TrainingWindow {
  if (!history.createdDates) return { createdAfter: null, createdBefore: null };
  return { createdAfter: now - months * 30.44 * DAY_MS, createdBefore: now - minAgeDays * DAY_MS };
}

export const SOURCES: { value: SourceKind; label: string }[] = [
  { value: 'salesforce', label: 'Salesforce leads' },
  { value: 'hubspot', label: 'HubSpot contacts' },
  { value: 'csv', label: 'Imported CSV' },
];

/** How many leads the source's history has, and whether they are demo leads (used only while it has no other). */
function describeHistory({ leads, demo, demoLeftOut }: HistorySample): string {
  if (demo) return `${plural(leads, 'demo lead', 'demo leads')} (your own synced or imported leads take their place once stored)`;
  const stored = `${leads.toLocaleString('en-US')} stored`;
  return demoLeftOut > 0 ? `${stored} (${plural(demoLeftOut, 'demo lead is', 'demo leads are')} left out)` : stored;
}

interface Props {
  source: SourceKind;
  /** The source's history sample, once read. */
  history: HistorySample | undefined;
  months: number;
  /** The minimum age as typed (`readMinAgeDays` reads it): the form keeps the last valid one while it holds none. */
  minAgeDaysTyped: string;
  /** The id of the note saying the field holds no valid minimum age, shown beside it then: the buttons it holds back point to it. */
  minAgeProblemId: string;
  onSourceChange(source: SourceKind): void;
  onMonthsChange(months: number): void;
  onMinAgeDaysTyped(typed: string): void;
}

export function LeadsFieldset({ source, history, months, minAgeDaysTyped, minAgeProblemId, onSourceChange, onMonthsChange, onMinAgeDaysTyped }: Props) {
  const minAgeRefused = readMinAgeDays(minAgeDaysTyped) === null;
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
      {history && <span data-testid="history-count">{describeHistory(history)}</span>}
      {history && !history.createdDates ? (
        <p data-testid="no-created-dates">
          None of these leads has a created date, so no window of creation dates applies: every lead is read, however new. Nor can a minimum
          age keep out leads too new to have converted yet (below, tick what says a lead is still open or being worked), or the report measure
          how the model ranks the newest leads.
          {source === 'csv' && ' To choose leads by when they were created, import the file again with its created date column chosen.'}
        </p>
      ) : (
        <p>
          <label>
            Created in the last <input type="number" min={1} max={120} value={months} onChange={(event) => onMonthsChange(Number(event.target.value))} style={{ width: 60 }} /> months
          </label>
          ,{' '}
          <label>
            and at least{' '}
            <input
              type="number"
              required
              min={0}
              max={MAX_MIN_AGE_DAYS}
              step={1}
              value={minAgeDaysTyped}
              onChange={(event) => onMinAgeDaysTyped(event.target.value)}
              aria-invalid={minAgeRefused || undefined}
              aria-describedby={minAgeRefused ? minAgeProblemId : undefined}
              style={{ width: 60 }}
            />{' '}
            days ago
          </label>{' '}
          (old enough to have an outcome).
          {minAgeRefused && (
            <span id={minAgeProblemId} data-testid="min-age-problem">
              {' '}
              The minimum age is a whole number of days from 0 (none) to {MAX_MIN_AGE_DAYS}: checking the data and training wait for one.
            </span>
          )}
        </p>
      )}
    </fieldset>
  );
}
