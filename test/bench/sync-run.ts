/** What one sync engine run hands back to `bench:sync` (test/bench/sync.ts). */
import type { CrmKind } from '../../lib/crm/types';

export type SyncBenchMode = 'extension' | 'node';

export interface EngineRun {
  mode: SyncBenchMode;
  /** What `peakHeapMb` is the heap of. */
  heapSource: string;
  peakHeapMb: number;
  /** Further memory figures, for context (MB). */
  memory: Record<string, number | null>;
  /** From starting both syncs until both finished. */
  seconds: number;
  /** Each CRM's own job, first request to last page, as its sync state records it. */
  crmSeconds: Record<CrmKind, number | null>;
  /** Where the time went, when known (seconds or counts, named). */
  timing: Record<string, number>;
  /** Stored record ids per CRM (duplicates included). */
  ids: Record<CrmKind, string[]>;
  errors: string[];
  requestTimeoutSeconds: number;
}
