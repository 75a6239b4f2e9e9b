/**
 * Messages between the options page and the training worker, parsed with zod on both sides.
 * Cancelling is `worker.terminate()`: training is one synchronous computation, so the worker
 * could not read a "cancel" message until it had finished anyway.
 */
import { z } from 'zod';
import { Float64ArraySchema, SourceKindSchema, Uint8ArraySchema } from '../../messaging/schemas';
import { FeatureSpecSchema, ManifestSchema, TiersSchema } from '../manifest';
import { LeakageFlagSchema, LeftOutSchema, OutcomeRuleSchema, TrainingWindowSchema } from './training-set';

/** Which stored leads to train on: their source (how their fields are named), window and outcome. */
export const TrainingDataSchema = z.object({
  source: SourceKindSchema,
  window: TrainingWindowSchema,
  outcome: OutcomeRuleSchema,
  /** ISO date-time "days since" features are measured from. */
  now: z.string().datetime(),
  /** The leads are Demo mode's made-up ones (`HistorySample.demo`): the model records it (`provenance.demoLeads`). */
  demo: z.boolean().optional(),
});
export type TrainingData = z.infer<typeof TrainingDataSchema>;

/**
 * A training's stages, in order: the trainer's own (`TrainProgress`) between reading the stored
 * leads and comparing the new model with the active one.
 */
export const TrainingStageSchema = z.enum(['read', 'validate', 'featurize', 'cv', 'out-of-time', 'calibrate', 'fit', 'export', 'compare']);
export type TrainingStage = z.infer<typeof TrainingStageSchema>;

export const TrainingRequestSchema = z.discriminatedUnion('type', [
  /** The candidate features for the data (catalogue mapped + other fields), counts and leakage flags. */
  z.object({ type: z.literal('inspect'), data: TrainingDataSchema, catalogue: z.array(FeatureSpecSchema) }),
  /** The guards again, for features whose field the admin changed after the check: a flag holds for one field only. */
  z.object({ type: z.literal('check-features'), data: TrainingDataSchema, specs: z.array(FeatureSpecSchema).min(1) }),
  z.object({
    type: z.literal('train'),
    data: TrainingDataSchema,
    specs: z.array(FeatureSpecSchema).min(1),
    cv: z.number().int().min(0).max(10),
    /** The active model's tiers: the new model chooses its thresholds by the same policy the admin set. */
    tiers: TiersSchema.optional(),
    /** The active model, which the new one is compared with on the same leads. */
    activeModelId: z.string().optional(),
    /**
     * How the CRM's pages label its choice fields' values, where a label is not its value (field →
     * value → label, as `crmOptionLabels` answers): the model records those of its outcome rule's own
     * values (`ruleValueLabels`), and the rule is described by them. None for a file's leads.
     */
    valueLabelsByField: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  }),
]);
export type TrainingRequest = z.infer<typeof TrainingRequestSchema>;

/**
 * The leads trained on and each one's probability from the model of the fold that held it out:
 * what the tier policy is previewed on for these leads (their scores by the final model, which
 * trained on them, would flatter it). With each one's held-out logit, which a later training's
 * comparison ranks them by: the probabilities went through the shipped calibration, and an
 * isotonic one, fitted on these same leads, ties those it found out of order, which lifts a ROC-AUC.
 * And each one's cross-fitted probability, which a value or fixed policy's tiers of these leads are
 * counted by (`countedProbabilities`), as the model card counts them.
 */
export const HeldOutProbabilitiesSchema = z
  .object({
    leadKeys: z.array(z.string()),
    probabilities: Float64ArraySchema,
    logits: Float64ArraySchema,
    crossFittedProbabilities: Float64ArraySchema,
  })
  .refine(({ leadKeys, probabilities }) => leadKeys.length === probabilities.length, 'one held-out probability per lead')
  .refine(({ leadKeys, logits }) => leadKeys.length === logits.length, 'one held-out logit per lead')
  .refine(({ leadKeys, crossFittedProbabilities }) => leadKeys.length === crossFittedProbabilities.length, 'one cross-fitted probability per lead');
export type HeldOutProbabilities = z.infer<typeof HeldOutProbabilitiesSchema>;

/**
 * The new model (ranked by its held-out logits) and the active model (its stored scores, or its own
 * held-out scores for leads it was trained on) on the same leads, against the same outcome; or
 * why they were not compared.
 */
export const ModelComparisonSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('compared'),
    activeModelId: z.string(),
    /** The leads trained on that the active model has a probability for. */
    rows: z.number().int().positive(),
    newRocAuc: z.number(),
    activeRocAuc: z.number(),
    /**
     * The difference's standard error: DeLong's paired one (both figures are of the same leads against
     * the same outcomes); with fewer than two leads of an outcome, the two figures' own (Hanley &
     * McNeil) taken as independent, which errs towards "about as well".
     */
    differenceStandardError: z.number().nonnegative(),
    /**
     * The active model was trained in LeadLens, so the leads it learnt from are read with their
     * held-out probabilities, their ties broken by its held-out logits (the leads' order by the
     * logits: its shipped calibration, an isotonic one fitted on them, ties leads it found out of
     * order). One kept by an older LeadLens has no logits: its ties count half, which flatters
     * its ROC-AUC a little if its calibration is isotonic. Else (bundled, imported) its stored
     * scores: they flatter it if it learnt from these same leads.
     */
    activeHeldOut: z.boolean(),
  }),
  z.object({ kind: z.literal('not-compared'), reason: z.string() }),
]);
export type ModelComparison = z.infer<typeof ModelComparisonSchema>;

export const CandidateSchema = z.object({ spec: FeatureSpecSchema, origin: z.enum(['catalogue', 'inferred']) });

export const TrainingEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('inspected'),
    rows: z.number().int().nonnegative(),
    conversions: z.number().int().nonnegative(),
    ...LeftOutSchema.shape,
    candidates: z.array(CandidateSchema),
    leakage: z.array(LeakageFlagSchema),
    /** Why some of the data's fields are not offered (constant, empty, identifiers), or how they are read. */
    fieldNotes: z.array(z.string()),
  }),
  /** The flags of the specs a `check-features` request named (a spec not flagged passed). */
  z.object({ type: z.literal('features-checked'), leakage: z.array(LeakageFlagSchema) }),
  z.object({
    type: z.literal('progress'),
    stage: TrainingStageSchema,
    fraction: z.number().min(0).max(1),
    fold: z.number().int().optional(),
    /** The bag boosted (from 0) of `bags`: each fit boosts its bags in turn, and the rounds start again with each. */
    bag: z.number().int().nonnegative().optional(),
    bags: z.number().int().positive().optional(),
    /** What is boosted: each field alone ('mains'), then pairs of fields, their rounds counted apart; 'interactions' chooses the pairs, in no round. */
    boosting: z.enum(['mains', 'interactions', 'pairs']).optional(),
    round: z.number().int().optional(),
    validationLoss: z.number().optional(),
  }),
  z.object({
    type: z.literal('trained'),
    /** The leads and outcome it was trained on, for the report. */
    data: TrainingDataSchema,
    manifest: ManifestSchema,
    onnx: Uint8ArraySchema,
    summary: z.object({
      rows: z.number(),
      positives: z.number(),
      cvRocAuc: z.number(),
      cvPrAuc: z.number(),
      ece: z.number(),
      /** ROC-AUC on the newest 30 % of the leads by created date, of a model of the earlier 70 %; absent when the data could not make the check. */
      outOfTimeRocAuc: z.number().optional(),
      /** Its standard error: how far the newest leads' count lets it move by chance. */
      outOfTimeStandardError: z.number().optional(),
      features: z.number(),
      trainSeconds: z.number(),
    }),
    /** The trainer's leakage guard's warnings, to be seen before activating; not repeated in `warnings`. */
    leakage: z.array(z.string()),
    warnings: z.array(z.string()),
    heldOut: HeldOutProbabilitiesSchema,
    /** How the new and the active model rank the leads trained on that the active model has a probability for, or why they were not compared. */
    comparison: ModelComparisonSchema,
    ...LeftOutSchema.shape,
  }),
  /** A message a person can read (the trainer's `TrainingDataError`s say what is wrong and what is needed). */
  z.object({ type: z.literal('failed'), error: z.string() }),
]);
export type TrainingEvent = z.infer<typeof TrainingEventSchema>;
