import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

/**
 * Invalidates `keys` when `running` turns false: a job this page watched (a sync, a write-back)
 * ended, and what it changed is stale here. Not on the first read: the page reads it all then.
 */
export function useInvalidateWhenRunEnds(running: boolean, keys: readonly QueryKey[]): void {
  const queryClient = useQueryClient();
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !running) for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
    wasRunning.current = running;
    // Only when `running` changes, not each time a render builds the keys again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [running, queryClient]);
}
