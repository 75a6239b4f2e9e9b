/** Messages between the offscreen document and the model-check worker (`check-worker.ts`), parsed with zod on both sides. */
import { z } from 'zod';

/** Check the stored model `modelId`: the worker reads its manifest and bytes from IndexedDB itself. */
export const ModelCheckRequestSchema = z.object({ modelId: z.string().min(1) });
export type ModelCheckRequest = z.infer<typeof ModelCheckRequestSchema>;

/** The verdict: passed, or why not in words an admin can read. */
export const ModelCheckReplySchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: z.string() })]);
export type ModelCheckReply = z.infer<typeof ModelCheckReplySchema>;
