/** How long a record page's badge trusts its cached score before reading the record from the CRM again. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { FocusKeepingButton } from '@/components/KeepFocus';
import { ErrorState, Loading, StatusRegion } from '@/components/StatusMessage';
import { queryKeys } from '@/lib/query-keys';
import { RecordStaleHoursSchema, recordStaleHours, setRecordStaleHours } from '@/lib/settings/record-staleness';
import { readTypedNumber, readWholeNumber } from '@/lib/typed-number';

// The setting's range, which its schema sets.
const MIN_HOURS = RecordStaleHoursSchema.minValue!;
const MAX_HOURS = RecordStaleHoursSchema.maxValue!;

/** Why the typed hours are refused (`readWholeNumber` reads none from them), said beside the field; how to write them when they hold no number ("1,5"). */
function hoursProblem(typed: string): string {
  const takes = `a whole number of hours from ${MIN_HOURS} to ${MAX_HOURS.toLocaleString('en-US')}`;
  return Number.isNaN(readTypedNumber(typed)) ? `Write the hours in digits only, without a comma: ${takes}.` : `Enter ${takes}.`;
}

export function RecordPagesSection() {
  const queryClient = useQueryClient();
  const saved = useQuery({ queryKey: queryKeys.recordStaleHours(), queryFn: recordStaleHours });
  // The field's text as typed: a cleared field stays empty (as a number it would read 0, then "048").
  const [hours, setHours] = useState<string | null>(null);
  useEffect(() => {
    if (saved.data !== undefined) setHours(String(saved.data));
  }, [saved.data]);
  const save = useMutation({
    mutationFn: setRecordStaleHours,
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.recordStaleHours() }),
  });
  // Why the last Save was refused, until the field is edited; `attempt` counts the Saves refused in a row, each said again.
  const [problem, setProblem] = useState<{ text: string; attempt: number } | null>(null);
  const explanationId = useId();
  const problemId = useId();
  if (saved.isError) return <ErrorState message={`The setting could not be read: ${saved.error.message}`} />;
  if (hours === null) return <Loading what="the setting" />;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (save.isPending) return; // Enter in the field while Save is unavailable
        const read = readWholeNumber(hours, MIN_HOURS, MAX_HOURS);
        if (read === null) {
          setProblem((last) => ({ text: hoursProblem(hours), attempt: (last?.attempt ?? 0) + 1 }));
          return;
        }
        save.mutate(read);
      }}
    >
      <p id={explanationId}>
        When a CRM is connected, a lead's badge scores the full record from the CRM's API together with what the page shows. The score (and a
        list row's) is kept and reused until the lead shows different values, or until it is older than the hours set here (its "days since"
        features age).
      </p>
      <label>
        Reuse a score for at most{' '}
        {/* A text field: a number field reads "1,5" as another number (Chromium in English: 15), unflagged. Not `required`: the browser's own
            "Please fill out this field." would stop the Save before the form says beside the field what it takes. */}
        <input
          aria-describedby={problem ? `${problemId} ${explanationId}` : explanationId}
          aria-invalid={problem ? true : undefined}
          aria-required
          type="text"
          inputMode="numeric"
          value={hours}
          onChange={(event) => {
            setHours(event.target.value);
            setProblem(null); // said of the hours before this edit
            save.reset(); // "Saved." was of the value before this edit
          }}
          style={{ width: 80 }}
        />{' '}
        hours
      </label>{' '}
      <FocusKeepingButton type="submit" unavailable={save.isPending}>
        Save
      </FocusKeepingButton>
      {problem && <ErrorState key={problem.attempt} id={problemId} message={problem.text} />}
      <StatusRegion>{save.isSuccess && 'Saved.'}</StatusRegion>
      {save.isError && <ErrorState message={save.error.message} />}
    </form>
  );
}
