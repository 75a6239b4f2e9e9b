/** How long a record page's badge trusts its cached score before reading the record from the CRM again. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { FocusKeepingButton } from '@/components/KeepFocus';
import { ErrorState, Loading, StatusRegion } from '@/components/StatusMessage';
import { queryKeys } from '@/lib/query-keys';
import { recordStaleHours, setRecordStaleHours } from '@/lib/settings/record-staleness';

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
  const explanationId = useId();
  if (saved.isError) return <ErrorState message={`The setting could not be read: ${saved.error.message}`} />;
  if (hours === null) return <Loading what="the setting" />;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (save.isPending) return; // Enter in the field while Save is unavailable
        save.mutate(Number(hours));
      }}
    >
      <p id={explanationId}>
        When a CRM is connected, a lead's badge scores the full record from the CRM's API together with what the page shows. The score (and a
        list row's) is kept and reused until the lead shows different values, or until it is older than the hours set here (its "days since"
        features age).
      </p>
      <label>
        Reuse a score for at most{' '}
        <input
          aria-describedby={explanationId}
          type="number"
          required
          min={1}
          max={8760}
          value={hours}
          onChange={(event) => {
            setHours(event.target.value);
            save.reset(); // "Saved." was of the value before this edit
          }}
          style={{ width: 80 }}
        />{' '}
        hours
      </label>{' '}
      <FocusKeepingButton type="submit" unavailable={save.isPending}>
        Save
      </FocusKeepingButton>
      <StatusRegion>{save.isSuccess && 'Saved.'}</StatusRegion>
      {save.isError && <ErrorState message={save.error.message} />}
    </form>
  );
}
