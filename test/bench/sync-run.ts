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
  /** Per CRM, bytes per stored lead beside the CRM's answer per record (the Node engine only: it reads the rows back). */
  storage?: Record<CrmKind, StoredSize>;
}

/** Means over a CRM's stored leads, in bytes. */
export interface StoredSize {
  leads: number;
  /** The record as the CRM answered it (its JSON, every field it sent, empty ones as null). */
  answeredJson: number;
  /** The stored lead row, as IndexedDB stores it (V8's structured clone). */
  storedClone: number;
  /** The same row as JSON. */
  storedJson: number;
  /** The row with the record's empty fields kept as null, as leads were stored before those were dropped (structured clone). */
  storedCloneWithEmpties: number;
}
