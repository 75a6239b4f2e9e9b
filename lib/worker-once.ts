/**
 * A request to a Web Worker of its own, answered once: the asking side (`askWorkerOnce`) and the
 * answering side (`answerEachRequest`). Free of React and of any page, so pages and the offscreen
 * document's model check share it.
 */
import type { z } from 'zod';

/** What an ask uses of a Web Worker (a test stands a thread of its own in for one). */
export type AskedWorker = Pick<Worker, 'addEventListener' | 'postMessage' | 'terminate'>;

/** How an ask reads its worker's messages, and words the worker's failures. */
export interface WorkerReplies<Answer extends object> {
  /**
   * The answer `data` carries, or undefined for a message that comes before it (progress). Throws
   * the error the ask rejects with for a failure the worker reports, or a message it should not send.
   */
  read(data: unknown): Answer | undefined;
  /** The ask's error when the worker failed: `message` is its uncaught error's ('' when it has none). */
  crashed(message: string): string;
  /** The ask's error when a reply could not be deserialised (a `messageerror`): no answer is coming. */
  unreadable: string;
}

/**
 * Posts `request` to a new worker and settles with its answer as `replies` reads it. The worker is
 * terminated once the ask settles: answered, failed, or `signal` aborted (rejecting with its reason).
 */
export function askWorkerOnce<Answer extends object>(
  createWorker: () => AskedWorker,
  request: unknown,
  replies: WorkerReplies<Answer>,
  signal?: AbortSignal,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const worker = createWorker();
    const end = (settle: () => void) => {
      worker.terminate();
      signal?.removeEventListener('abort', abort);
      settle();
    };
    const abort = () => end(() => reject(signal?.reason));
    signal?.addEventListener('abort', abort);
    worker.addEventListener('message', (message) => {
      let answer: Answer | undefined;
      try {
        answer = replies.read(message.data);
      } catch (error) {
        return end(() => reject(error));
      }
      if (answer !== undefined) end(() => resolve(answer));
    });
    worker.addEventListener('error', (event) => end(() => reject(new Error(replies.crashed(event.message ?? '')))));
    worker.addEventListener('messageerror', () => end(() => reject(new Error(replies.unreadable))));
    worker.postMessage(request);
  });
}

/**
 * `read` for a worker that replies `{ ok: true, … }` or `{ ok: false, error }`: the reply when it is
 * ok; throws its error when not, and `unexpected`'s words for a reply `schema` refuses.
 */
export function okReply<Success extends { ok: true }>(
  schema: z.ZodType<Success | { ok: false; error: string }, unknown>,
  unexpected: (error: z.ZodError) => string,
): (data: unknown) => Success {
  return (data) => {
    const reply = schema.safeParse(data);
    if (!reply.success) throw new Error(unexpected(reply.error));
    if (!reply.data.ok) throw new Error(reply.data.error);
    return reply.data;
  };
}

/** A worker's reply, and the buffers it hands over rather than copies. */
export interface WorkerAnswer<Reply> {
  reply: Reply;
  transfer?: Transferable[];
}

/**
 * Answers every message this worker receives with `answer`'s reply. A request it fails on (malformed,
 * a read that failed) is answered with `failure`'s, from the error's message: the asker never waits
 * for a reply that is not coming.
 */
export function answerEachRequest<Reply>(answer: (data: unknown) => Promise<WorkerAnswer<Reply>>, failure: (error: string, data: unknown) => Reply): void {
  self.onmessage = async (event: MessageEvent) => {
    try {
      const { reply, transfer = [] } = await answer(event.data);
      self.postMessage(reply, { transfer });
    } catch (error) {
      self.postMessage(failure(error instanceof Error ? error.message : String(error), event.data));
    }
  };
}
