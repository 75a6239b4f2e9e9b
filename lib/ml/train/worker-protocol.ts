/**
 * Messages between the options page and the training worker, parsed with zod on both sides.
 * Cancelling is `worker.terminate()`: training is one synchronous computation, so the worker
 * could not read a "cancel" message until it had finished anyway.
 */
import { z } from 'zod';
import { FeatureSpecSchema, ManifestSchema, TiersSchema } from '../manifest';
import { OutcomeRuleSchema, TrainingWindowSchema } from './training-set';

/** Which stored leads to train on: their source (how their fields are named), window and outcome. */
export const TrainingDataSchema = z.object({
  source: z.enum(['salesforce', 'hubspot', 'csv']),
  window: TrainingWindowSchema,
  outcome: OutcomeRuleSchema,
  /** ISO date-time "days since" features are measured from. */
  now: z.string().datetime(),
});
export type TrainingData = z.infer<typeof TrainingDataSchema>;

export const TrainingRequestSchema = z.discriminatedUnion('type', [
  /** The candidate features for the data (catalogue mapped + other fields), counts and leakage flags. */
  z.object({ type: z.literal('inspect'), data: TrainingDataSchema, catalogue: z.array(FeatureSpecSchema) }),
  z.object({
    type: z.literal('train'),
    data: TrainingDataSchema,
    specs: z.array(FeatureSpecSchema).min(1),
    cv: z.number().int().min(0).max(10),
    /** The active model's tiers: the new model chooses its thresholds by the same policy the admin set. */
    tiers: TiersSchema.optional(),
  }),
]);
export type TrainingRequest = z.infer<typeof TrainingRequestSchema>;

export const CandidateSchema = z.object({ spec: FeatureSpecSchema, origin: z.enum(['catalogue', 'inferred']) });

/** Leads of the source left out of the rows counted, by why (see `selectTrainingData`). */
const LeftOutShape = {
  /** A window is set and their created date is missing or unreadable. */
  withoutCreatedDate: z.number().int().nonnegative(),
  /** Their outcome field is empty: still open, neither converted nor not. */
  withoutOutcome: z.number().int().nonnegative(),
};

export const TrainingEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('inspected'),
    rows: z.number().int().nonnegative(),
    conversions: z.number().int().nonnegative(),
    ...LeftOutShape,
    candidates: z.array(CandidateSchema),
    leakage: z.array(z.object({ key: z.string(), label: z.string(), reason: z.string() })),
    /** Why some of the data's fields are not offered (constant, empty, identifiers), or how they are read. */
    fieldNotes: z.array(z.string()),
  }),
  z.object({
    type: z.literal('progress'),
    stage: z.string(),
    fraction: z.number().min(0).max(1),
    fold: z.number().int().optional(),
    round: z.number().int().optional(),
    validationLoss: z.number().optional(),
  }),
  z.object({
    type: z.literal('trained'),
    manifest: ManifestSchema,
    onnx: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'model bytes'),
    summary: z.object({
      rows: z.number(),
      positives: z.number(),
      cvRocAuc: z.number(),
      cvPrAuc: z.number(),
      ece: z.number(),
      features: z.number(),
      trainSeconds: z.number(),
    }),
    warnings: z.array(z.string()),
    ...LeftOutShape,
  }),
  /** A message a person can read (the trainer's `TrainingDataError`s say what is wrong and what is needed). */
  z.object({ type: z.literal('failed'), error: z.string() }),
]);
export type TrainingEvent = z.infer<typeof TrainingEventSchema>;
