/**
 * Every message between contexts, defined once: a zod schema for what goes in and what
 * comes out. Callers use the typed client (`client.ts`); each context handles its messages
 * in one place. Both directions are parsed, so a malformed message is an error, not a crash.
 */
import { z } from 'zod';

export const TierSchema = z.enum(['hot', 'warm', 'cold']);
export type Tier = z.infer<typeof TierSchema>;

export const CrmKindSchema = z.enum(['salesforce', 'hubspot']);

/** One plain-words reason: a term, the lead's value(s) for it, and how far it moves the odds. */
export const ReasonSchema = z.object({
  label: z.string(),
  value: z.string(),
  /** Log-odds contribution of the term; > 0 pushes the lead up. */
  points: z.number(),
});
export type Reason = z.infer<typeof ReasonSchema>;

export const ScoredLeadSchema = z.object({
  probability: z.number().min(0).max(1),
  /** 1–99: percentile of the probability among the model's reference leads. */
  score: z.number().int().min(1).max(99),
  tier: TierSchema,
  /** Average conversion rate the model was trained on, for "3× the average". */
  baseRate: z.number().min(0).max(1),
  /** Every term's reason, strongest first. */
  reasons: z.array(ReasonSchema),
  /** How many of the model's features the page (or record) gave a value for. */
  featuresKnown: z.number().int().nonnegative(),
  featuresTotal: z.number().int().nonnegative(),
  modelId: z.string(),
  modelCreatedAt: z.string(),
});
export type ScoredLead = z.infer<typeof ScoredLeadSchema>;

/** A failure the user can read; never a stack trace, never a field value. */
export const FailureSchema = z.object({ ok: z.literal(false), error: z.string() });

const PageFieldsSchema = z.record(z.string().max(200), z.string().max(10_000));

export const ScoreRequestSchema = z.object({
  crm: CrmKindSchema,
  recordId: z.string().min(1).max(64),
  fields: PageFieldsSchema,
});
export const ScoreResponseSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), lead: ScoredLeadSchema }),
  FailureSchema,
]);



/** Background → offscreen engine: features as plain rows so they survive structured cloning. */
export const EngineRunRequestSchema = z.object({
  /** Model bytes are read by the engine itself from the extension package or Dexie. */
  modelId: z.string().min(1),
  /** [N][F] */
  rows: z.array(z.array(z.number().nullable())),
});
export const EngineRunResponseSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** [N] */
    probability: z.array(z.number()),
    /** [N][T] */
    contributions: z.array(z.array(z.number())),
  }),
  FailureSchema,
]);

/** Scoring speed of the engine on this computer, for `npm run bench` and diagnostics. */
export const EngineBenchmarkRequestSchema = z.object({
  rowCounts: z.array(z.number().int().positive().max(1_000_000)).min(1).max(10),
  seed: z.number().int(),
});
export const EngineBenchmarkResponseSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    modelId: z.string(),
    results: z.array(z.object({ rows: z.number(), runs: z.number(), medianSeconds: z.number(), rowsPerSecond: z.number() })),
  }),
  FailureSchema,
]);

export const offscreenProtocol = {
  engineRun: { input: EngineRunRequestSchema, output: EngineRunResponseSchema },
  engineBenchmark: { input: EngineBenchmarkRequestSchema, output: EngineBenchmarkResponseSchema },
} as const;

/** Content script / pages → background. */
export const backgroundProtocol = {
  scoreLead: { input: ScoreRequestSchema, output: ScoreResponseSchema },
  engineBenchmark: { input: EngineBenchmarkRequestSchema, output: EngineBenchmarkResponseSchema },
} as const;

export type Protocol = Record<string, { input: z.ZodType; output: z.ZodType }>;
