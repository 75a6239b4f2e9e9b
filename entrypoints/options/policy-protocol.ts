/**
 * Messages between the options page and the policy worker, parsed with zod on both sides.
 * The worker reads the stored (probability, outcome) pairs and computes policy previews, so
 * neither 100,000 lead rows nor their sorting ever touch the page's main thread.
 */
import { z } from 'zod';
import { Float64ArraySchema, schemaOf, Uint8ArraySchema } from '@/lib/messaging/schemas';
import { CalibrationSchema, ConfusionSchema, TierPolicySchema } from '@/lib/ml/manifest';
import type { PolicyPreview } from '@/lib/ml/tier-policy';

const ThresholdsSchema = z.object({ hot: z.number(), warm: z.number() });

/** See `LabelledProbabilities` (lib/ui/stored-data.ts); `learntFromScores` absent: no lead ranked is one the model learnt from. */
export const LabelledSchema = z
  .object({
    labels: Uint8ArraySchema,
    probabilities: Float64ArraySchema,
    heldOut: z.number().int().nonnegative(),
    ranked: Float64ArraySchema,
    learntFromScores: Float64ArraySchema.optional(),
    crossFitted: z.object({ probabilities: Float64ArraySchema, ranked: Float64ArraySchema }).optional(),
  })
  .refine(({ labels, probabilities, heldOut }) => labels.length === probabilities.length && heldOut <= labels.length, 'one probability per outcome')
  .refine(({ ranked, learntFromScores }) => (learntFromScores?.length ?? 0) <= ranked.length, 'a stored score per ranked lead learnt from at most')
  .refine(
    ({ probabilities, ranked, crossFitted }) => !crossFitted || (crossFitted.probabilities.length === probabilities.length && crossFitted.ranked.length === ranked.length),
    'a cross-fitted probability per probability and per ranked lead',
  );
export type Labelled = z.infer<typeof LabelledSchema>;

export const PolicyRequestSchema = z.discriminatedUnion('type', [
  /** Stored probabilities and known outcomes (by the model's outcome rule, when it has one) of one model's scored leads. */
  z.object({ type: z.literal('labelled'), id: z.number(), modelId: z.string() }),
  z.object({
    type: z.literal('preview'),
    id: z.number(),
    data: LabelledSchema,
    policy: TierPolicySchema,
    /** The model's calibration, which says with the policy what the leads it learnt from are counted by (`countedLabelled`). */
    calibration: CalibrationSchema,
    economics: z.object({ revenuePerConversion: z.number(), costPerContact: z.number(), leadsPerPeriod: z.number() }),
    fixed: ThresholdsSchema,
  }),
]);
export type PolicyRequest = z.infer<typeof PolicyRequestSchema>;

const PointSchema = z.tuple([z.number(), z.number()]);
// The counts as the manifest keeps them, less the threshold, which the marker holds.
const MarkerSchema = z.object({ threshold: z.number(), roc: PointSchema, pr: PointSchema, confusion: ConfusionSchema.omit({ threshold: true }) });
const OutcomeSchema = z.object({ share: z.number(), expectedContacts: z.number(), expectedConversions: z.number().nullable(), conversionRate: z.number().nullable(), withOutcome: z.number().int().nonnegative() });

/** Of `PolicyPreview`, every key named (`schemaOf`): a field the worker computes that this left out would be dropped by the parse without a word. */
const PolicyPreviewSchema = schemaOf<PolicyPreview>()(
  z.object({
    thresholds: ThresholdsSchema,
    markers: z.object({ hot: MarkerSchema, warm: MarkerSchema }),
    roc: z.array(PointSchema),
    pr: z.array(PointSchema),
    profit: z.array(PointSchema),
    outcomes: z.object({ hot: OutcomeSchema, warm: OutcomeSchema, cold: OutcomeSchema }),
    scoredLeads: z.number().int().nonnegative(),
    capacityNotes: z.array(z.string()),
  }),
);

export const PolicyReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('labelled'), id: z.number(), data: LabelledSchema }),
  z.object({ type: z.literal('preview'), id: z.number(), preview: PolicyPreviewSchema }),
  z.object({ type: z.literal('error'), id: z.number(), message: z.string() }),
]);
export type PolicyReply = z.infer<typeof PolicyReplySchema>;
