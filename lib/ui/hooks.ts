/** React hooks shared by the extension pages (side panel, options). */
import { hashKey, useIsMutating, useQuery, useQueryClient, type QueryClient, type QueryKey, type UseQueryResult } from '@tanstack/react-query';
import { liveQuery } from 'dexie';
import { useEffect, useRef, useState } from 'react';
import { readJob, type JobKind, type JobProgress } from '../jobs/progress';
import { onEvent, type EventName } from '../messaging/events';
import type { Manifest } from '../ml/manifest';
import { activeModelId, manifestOf } from '../ml/model-store';
import { queryKeys } from '../query-keys';

/**
 * The value of a Dexie query, kept current across extension contexts; undefined until first
 * read. A failed read is thrown while drawing, for the part's `PartBoundary` to say: read as
 * "not yet read", it would leave the part loading forever.
 */
export function useLiveValue<T>(query: () => Promise<T>, deps: readonly unknown[] = []): T | undefined {
  const [state, setState] = useState<{ value?: T; error?: unknown }>({});
  useEffect(() => {
    setState((current) => (current.error === undefined ? current : {}));
    const subscription = liveQuery(query).subscribe({ next: (value) => setState({ value }), error: (error: unknown) => setState({ error }) });
    return () => subscription.unsubscribe();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  if (state.error !== undefined) throw new Error(`The extension's stored data could not be read (${state.error instanceof Error ? state.error.message : String(state.error)})`);
  return state.value;
}

export function useJob(kind: JobKind): JobProgress | null | undefined {
  return useLiveValue(() => readJob(kind));
}

export function useActiveModelId(): string | undefined {
  return useLiveValue(activeModelId);
}

/**
 * Whether model `modelId`, once seen active, is no longer (a roll back, another section's or
 * tab's activation since): a line saying it is active would be untrue. Not before it is seen
 * active: the live id may catch up after the reply of the activation that made it so. Pass
 * undefined while no activation has ended, which forgets the model seen.
 */
export function useReplacedSinceActive(modelId: string | undefined): boolean {
  const activeId = useActiveModelId();
  const seenActive = useRef<string | undefined>(undefined);
  if (modelId === undefined || activeId === modelId) seenActive.current = modelId;
  return modelId !== undefined && seenActive.current === modelId && activeId !== undefined && activeId !== modelId;
}

/**
 * Model `modelId`'s manifest, under the one key both pages read it by (`queryKeys.manifest`, under
 * `queryKeys.models()`, which each change of the models on a page invalidates). A change made in
 * another context is heard by the job that follows it: each page reads the manifest again when a
 * re-tier (a tier policy applied) or a scoring of the stored leads (an activation) ends.
 */
export function useManifest(modelId: string | undefined): UseQueryResult<Manifest> {
  return useQuery({ queryKey: queryKeys.manifest(modelId ?? ''), queryFn: () => manifestOf(modelId!), enabled: modelId !== undefined });
}

/**
 * The active model's manifest, following whichever model becomes active: another tab's
 * activation, or one still scoring the stored leads (its reply comes only after). Keyed by the
 * active id, which IndexedDB reports live.
 */
export function useActiveManifest(): UseQueryResult<Manifest> {
  return useManifest(useActiveModelId());
}

/**
 * The mutation key of every change of the models on a page: Training's activation, and Model
 * versions' activate, roll back and delete. One runs at a time: one that landed last would
 * leave another's "is active" untrue.
 */
export const MODEL_CHANGE_MUTATION = ['modelChange'] as const;

/** Whether a change of the models (`MODEL_CHANGE_MUTATION`) runs on this page. */
export function useModelChangeRunning(): boolean {
  return useIsMutating({ mutationKey: MODEL_CHANGE_MUTATION }) > 0;
}

function invalidateAll(queryClient: QueryClient, keys: readonly QueryKey[]): void {
  for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
}

/** Invalidate `keys` each time a job finishes (in any context), so pages show its results. */
export function useInvalidateWhenJobEnds(kind: JobKind, keys: readonly QueryKey[]): JobProgress | null | undefined {
  const job = useJob(kind);
  useInvalidateWhenFinished(job, keys);
  return job;
}

/**
 * Invalidate `keys` each time `job`, a job's row as read live (undefined until read), finishes:
 * for a page that reads the row together with other settings, in one read.
 */
export function useInvalidateWhenFinished(job: JobProgress | null | undefined, keys: readonly QueryKey[]): void {
  const queryClient = useQueryClient();
  // undefined until the job row is first read; then its finishedAt (null while none).
  const seen = useRef<number | null | undefined>(undefined);
  useEffect(() => {
    if (job === undefined) return;
    const finishedAt = job?.finishedAt ?? null;
    if (seen.current !== undefined && finishedAt !== null && finishedAt !== seen.current) invalidateAll(queryClient, keys);
    seen.current = finishedAt;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job]);
}

/** Read every query again when "Purge everything" ran (in any context): as the purging page itself does. */
export function useReadEverythingAgainWhenPurged(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const controller = new AbortController();
    onEvent('storedDataDeleted', ({ everything }) => everything && void queryClient.invalidateQueries(), controller.signal);
    return () => controller.abort();
  }, [queryClient]);
}

/** Invalidate `keys` each time event `type` arrives (from the background or another page). */
export function useInvalidateOnEvent(type: EventName, keys: readonly QueryKey[]): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const controller = new AbortController();
    onEvent(type, () => invalidateAll(queryClient, keys), controller.signal);
    return () => controller.abort();
    // Listens afresh when the keys change, not each time a render builds them again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [type, queryClient, hashKey(keys)]);
}
