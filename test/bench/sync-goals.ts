/** `bench:sync`'s goals (issue 4) and their verdicts on one run (test/bench/sync.ts). */
import type { SyncBenchMode } from './sync-run';

export const PEAK_HEAP_GOAL_MB = 300;

export interface SyncGoal {
  goal: string;
  figure: number;
  met: boolean;
}

/**
 * Every record stored once, none lost, none the CRM does not have; and in the extension, the
 * service worker's peak heap within `PEAK_HEAP_GOAL_MB`. The Node engine's heap is its process's,
 * holding every stored row in fake-indexeddb: not the extension's, so not judged against it.
 */
export function syncGoals(mode: SyncBenchMode, run: { duplicates: number; lost: number; unexpected: number; peakHeapMb: number }): SyncGoal[] {
  const goals: SyncGoal[] = [
    { goal: '0 duplicates', figure: run.duplicates, met: run.duplicates === 0 },
    { goal: '0 lost', figure: run.lost, met: run.lost === 0 },
    { goal: '0 stored records the CRM does not have', figure: run.unexpected, met: run.unexpected === 0 },
  ];
  if (mode === 'extension') goals.push({ goal: `peak heap ≤ ${PEAK_HEAP_GOAL_MB} MB (service worker)`, figure: Math.round(run.peakHeapMb), met: run.peakHeapMb <= PEAK_HEAP_GOAL_MB });
  return goals;
}
