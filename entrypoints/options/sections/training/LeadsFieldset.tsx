/** The leads a check and a training read: the history's source, and the window of creation dates. */
import type { SourceKind } from '@/lib/ml/featurize';
import type { TrainingWindow } from '@/lib/ml/train/training-set';
import { plural } from '@/lib/presentation';
import type { HistorySample } from './history-sample';

const DAY_MS = 86_400_000;

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
  minAgeDays: number;
  onSourceChange(source: SourceKind): void;
  onMonthsChange(months: number): void;
  onMinAgeDaysChange(days: number): void;
}

export function LeadsFieldset({ source, history, months, minAgeDays, onSourceChange, onMonthsChange, onMinAgeDaysChange }: Props) {
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
            and at least <input type="number" min={0} max={365} value={minAgeDays} onChange={(event) => onMinAgeDaysChange(Number(event.target.value))} style={{ width: 60 }} /> days ago
          </label>{' '}
          (old enough to have an outcome).
        </p>
      )}
    </fieldset>
  );
}
