import type { SyncState } from '../lib/sync/state';

/** How many leads a run stored (read, changed or not), from its job's count as `onProgress` tells it. */
export function readCounter() {
  let before: number | null = null;
  let read = 0;
  const onProgress = ({ job }: SyncState) => {
    if (!job) return;
    before ??= job.synced; // a resumed job counts what it stored before too
    read = job.synced - before;
  };
  return { onProgress, read: () => read };
}
