/**
 * A Web Worker that does one job per request (check, train, preview, import): a fresh worker
 * each time, its events parsed with zod, progress kept apart from the final event, and
 * cancel = terminate (the work inside is synchronous or streaming; terminating stops it at once).
 * A job that must finish what it has begun (the CSV import's commit) is asked instead, with
 * `send`, and answers how it ended.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { z } from 'zod';

interface JobEvent {
  type: string;
}

export type WorkerJobState<Request extends JobEvent, Event extends JobEvent> =
  | { kind: 'idle' }
  | { kind: 'running'; request: Request['type']; progress: Extract<Event, { type: 'progress' }> | null }
  | { kind: 'finished'; event: Exclude<Event, { type: 'progress' }> }
  | { kind: 'cancelled'; request: Request['type'] };

export function useWorkerJob<Request extends JobEvent, Event extends JobEvent>(
  createWorker: () => Worker,
  eventSchema: z.ZodType<Event>,
  malformed: Exclude<Event, { type: 'progress' }>,
) {
  const [state, setState] = useState<WorkerJobState<Request, Event>>({ kind: 'idle' });
  const worker = useRef<Worker | null>(null);

  const stop = useCallback(() => {
    worker.current?.terminate();
    worker.current = null;
  }, []);
  useEffect(() => stop, [stop]);

  const start = useCallback(
    (request: Request) => {
      stop();
      const started = createWorker();
      worker.current = started;
      setState({ kind: 'running', request: request.type, progress: null });
      const finish = (event: Exclude<Event, { type: 'progress' }>) => {
        stop();
        setState({ kind: 'finished', event });
      };
      started.addEventListener('message', (message: MessageEvent) => {
        if (worker.current !== started) return;
        const parsed = eventSchema.safeParse(message.data);
        if (!parsed.success) return finish(malformed);
        const event = parsed.data;
        if (event.type === 'progress') setState({ kind: 'running', request: request.type, progress: event as Extract<Event, { type: 'progress' }> });
        else finish(event as Exclude<Event, { type: 'progress' }>);
      });
      started.addEventListener('error', () => {
        if (worker.current === started) finish(malformed);
      });
      started.postMessage(request);
    },
    [stop, createWorker, eventSchema, malformed],
  );

  /** Stops the running job; nothing when none runs. */
  const cancel = useCallback(() => {
    stop();
    setState((current) => (current.kind === 'running' ? { kind: 'cancelled', request: current.request } : current));
  }, [stop]);

  /** Back to idle: stops a running job and forgets how the last one ended (its answer no longer applies). */
  const reset = useCallback(() => {
    stop();
    setState({ kind: 'idle' });
  }, [stop]);

  /** A message to the running job's worker (none when no job runs). */
  const send = useCallback((message: unknown) => worker.current?.postMessage(message), []);

  return { state, start, cancel, reset, send };
}
