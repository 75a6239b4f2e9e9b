/**
 * Messages between the offscreen document and its engine worker (`engine-worker.ts`), parsed with
 * zod on both sides. Typed arrays cross the thread by structured clone, as themselves: values as
 * float32, NaN kept.
 */
import { z } from 'zod';
import { Float32ArraySchema } from '../messaging/schemas';
import { ThroughputSchema } from './throughput';

export const EngineWorkerRequestSchema = z.discriminatedUnion('kind', [
  /** Score `rows` ([N * F] row-major, NaN = missing) with the stored model `modelId`: the worker reads its bytes from IndexedDB. */
  z.object({ kind: z.literal('run'), modelId: z.string().min(1), rows: Float32ArraySchema, featureCount: z.number().int().positive() }),
  /** Drop the session of `modelId`, so its next run loads the bytes stored then. */
  z.object({ kind: z.literal('forget'), modelId: z.string().min(1) }),
  /** The engine's own throughput with `modelId` on synthetic rows, timed in the worker (`npm run bench`). */
  z.object({ kind: z.literal('benchmark'), modelId: z.string().min(1), rowCounts: z.array(z.number().int().positive()), seed: z.number().int() }),
]);
export type EngineWorkerRequest = z.infer<typeof EngineWorkerRequestSchema>;
export type EngineWorkerRequestKind = EngineWorkerRequest['kind'];

/**
 * The engine's failure by its error's name and message: a `ModelRunError` stays one across the
 * thread, as bulk scoring tells it by name (bulk-score.ts).
 */
const EngineFailureSchema = z.object({ ok: z.literal(false), name: z.string(), message: z.string() });
const replyOf = <Shape extends z.ZodRawShape>(shape: Shape) => z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), ...shape }), EngineFailureSchema]);

/** The worker's reply to each kind of request. */
export const EngineWorkerReplySchemas = {
  run: replyOf({
    output: z.object({
      /** [N] */
      probability: Float32ArraySchema,
      /** [N * T] */
      contributions: Float32ArraySchema,
      terms: z.number().int().nonnegative(),
    }),
  }),
  forget: replyOf({}),
  benchmark: replyOf({ results: z.array(ThroughputSchema) }),
} satisfies Record<EngineWorkerRequestKind, z.ZodType>;
export type EngineWorkerReply<Kind extends EngineWorkerRequestKind> = z.infer<(typeof EngineWorkerReplySchemas)[Kind]>;
