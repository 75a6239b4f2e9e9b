import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

/**
 * How a CRM's last run ended, as its polled status says: values that change when another run
 * ends (its status, when it finished, its error). Null while one runs.
 */
export type RunEnd = readonly unknown[] | null;

/**
 * Invalidates `keys` when a job this page watches (a sync, a write-back) ends: what it changed is
 * stale here. Seen by a CRM's `endOf` changing from one read of `runs` to the next, not only
 * by a run seen running: a run may start and end between two polls (an automatic sync refused
 * at its first request). Not on the first read: the page reads it all then.
 */
export function useInvalidateWhenRunEnds<Run extends { crm: string }>(runs: readonly Run[] | undefined, endOf: (run: Run) => RunEnd, keys: readonly QueryKey[]): void {
  const queryClient = useQueryClient();
  const ends: Record<string, string | null> | undefined =
    runs &&
    Object.fromEntries(
      runs.map((run) => {
        const end = endOf(run);
        return [run.crm, end && JSON.stringify(end)];
      }),
    );
  const lastEnds = useRef<Record<string, string | null>>(undefined);
  useEffect(() => {
    if (!ends) return;
    const before = lastEnds.current;
    lastEnds.current = ends;
    // An end unlike the last read's, or one after a run seen running (null).
    if (before && Object.entries(ends).some(([crm, end]) => end !== null && end !== before[crm])) {
      for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
    }
    // Only when an end changes, not each time a render builds the ends and keys again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(ends), queryClient]);
}
