/** Messages about model versions: checking a model before it may be activated, activating one, rolling back. */
import { z } from 'zod';
import { okOr } from './schemas';
import { ModelIdRequestSchema } from './protocol-leads';

export const CheckModelResponseSchema = okOr({});

/**
 * The model now active, how many stored leads it scored of how many are stored (it scores none
 * whose fields it reads none of); `scoringProblem`: it is active, but scoring the stored leads
 * with it failed or was interrupted (said as a sentence).
 */
const SwitchModelResponseSchema = okOr({
  modelId: z.string().min(1),
  scored: z.number().int().nonnegative(),
  stored: z.number().int().nonnegative(),
  scoringProblem: z.string().min(1).optional(),
});

/** Background → offscreen: the engine's check of a model. */
export const offscreenModelsProtocol = {
  /** Load a stored model in the engine and run check rows: output names and shapes, and (with shape functions) the manifest's own model (check-model.ts). */
  checkModel: { input: ModelIdRequestSchema, output: CheckModelResponseSchema },
} as const;

/** Pages → background. */
export const modelsProtocol = {
  ...offscreenModelsProtocol,
  /** Make a stored (or the bundled) model the active one, tell CRM tabs, score the stored leads with it. */
  activateModel: { input: ModelIdRequestSchema, output: SwitchModelResponseSchema },
  /** Make the model active before the last change active again, as `activateModel` does. */
  rollBackModel: { input: z.object({}), output: SwitchModelResponseSchema },
} as const;
