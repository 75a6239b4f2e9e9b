/** Messages about model versions: checking an imported model before it may be activated. */
import { z } from 'zod';
import { FailureSchema } from './schemas';
import { ModelIdRequestSchema } from './protocol-leads';

export const CheckModelResponseSchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true) }), FailureSchema]);

/** Load a stored model in the engine and run one synthetic row, checking output names and shapes. */
export const modelsProtocol = {
  checkModel: { input: ModelIdRequestSchema, output: CheckModelResponseSchema },
} as const;
