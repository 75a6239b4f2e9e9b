/**
 * The small schemas every protocol file shares. They live apart from `protocol.ts` so the
 * per-domain protocol files (which `protocol.ts` spreads in) can use them without an import
 * cycle.
 */
import { z } from 'zod';
import { CRM_KINDS, SOURCE_KINDS } from '../crm/types';
import { MAX_LABEL_CHARS, MAX_VALUE_CHARS } from '../ml/visible-text';

export const TierSchema = z.enum(['hot', 'warm', 'cold']);
/** The most changes a badge's "what would make it hotter" lists: all a plan has (MAX_CHANGES), and no more for a compact popover. */
export const HOTTER_CHANGES_MAX = 3;
export type Tier = z.infer<typeof TierSchema>;

export const CrmKindSchema = z.enum(CRM_KINDS);
export const SourceKindSchema = z.enum(SOURCE_KINDS);

/**
 * `schema`, checked at compile time to parse into `T` and to name every key of `T`, its optional
 * ones too: annotated `z.ZodType<T>` alone, a schema that leaves out an optional field compiles,
 * and its parse drops that field without a word. Use: `schemaOf<Stored>()(z.object({ … }))`.
 */
export const schemaOf =
  <T>() =>
  <S extends z.ZodType<T>>(schema: S & (Exclude<keyof T, keyof z.infer<S>> extends never ? unknown : { missingKeys: Exclude<keyof T, keyof z.infer<S>> })): S =>
    schema;

/** Typed arrays in a worker's message: structured cloning keeps their type, which zod checks. */
export const Float32ArraySchema = z.custom<Float32Array>((value) => value instanceof Float32Array, 'a Float32Array');
export const Float64ArraySchema = z.custom<Float64Array>((value) => value instanceof Float64Array, 'a Float64Array');
export const Uint8ArraySchema = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'a Uint8Array');

/** One plain-words reason: a term, the lead's value(s) for it, and how far it moves the odds. */
export const ReasonSchema = z.object({
  label: z.string(),
  value: z.string(),
  /** What the term adds to the log-odds of the calibrated probability (lib/ml/explain.ts `explainLead`); > 0 pushes the lead up. */
  points: z.number(),
  /**
   * Whether the reason is a pair of fields together (an interaction term: what they do beyond
   * each alone); absent for one field, and in a reason from an older LeadLens.
   */
  pair: z.boolean().optional(),
});
export type Reason = z.infer<typeof ReasonSchema>;

/** A failure the user can read; never a stack trace, never a field value. */
export const FailureSchema = z.object({ ok: z.literal(false), error: z.string() });

/** A reply that is `{ ok: true }` with `shape`'s fields, or a `FailureSchema` (which the router also sends for any request it cannot answer). */
export const okOr = <T extends z.ZodRawShape>(shape: T) => z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), ...shape }), FailureSchema]);

export const ScoredLeadSchema = z.object({
  probability: z.number().min(0).max(1),
  /** 1–99: percentile of the probability among the model's reference leads, kept within its tier's own scores (`scoreAndTier`). */
  score: z.number().int().min(1).max(99),
  tier: TierSchema,
  /** Average conversion rate the model was trained on, for "3× the average". */
  baseRate: z.number().min(0).max(1),
  /** The model's tier thresholds `tier` was set by: its probability is worded not to contradict them as the admin reads them. */
  tiers: z.object({ hot: z.number().min(0).max(1), warm: z.number().min(0).max(1) }),
  /** Every term's reason, strongest first. */
  reasons: z.array(ReasonSchema),
  /** How many of the model's features the page (or record) gave a value for. */
  featuresKnown: z.number().int().nonnegative(),
  featuresTotal: z.number().int().nonnegative(),
  modelId: z.string(),
  modelCreatedAt: z.string(),
  /** Whether `modelCreatedAt` is its data's date (`datedByItsData`: a command-line model's), shown as its file wrote it (formatDay's 'file' clock). */
  modelDatedByData: z.boolean().optional(),
  /** Whether the model learnt from made-up demo leads (`learntFromMadeUpLeads`: the default one, or one trained on Demo mode's leads): the badge and side panel say so. */
  modelLearntFromMadeUpLeads: z.boolean(),
  /**
   * What would make the lead hotter, for a record page's badge (`whatWouldMakeHotter`, as the side panel
   * works it out): the tier aimed at, whether the changes reach it, and each change in the side panel's
   * words (`planChangeInWords`, its values isolated), and the fields a rep could change it left out
   * as the page does not show them (`featuresNotRead`, labels; absent when none). Absent for a hot
   * lead, a lead converted already (`converted`), a list's rows, a model without shape functions, a
   * plan with no change, and scores cached before badges had it.
   */
  hotter: z
    .object({
      targetTier: TierSchema.exclude(['cold']),
      reaches: z.boolean(),
      changes: z.array(z.string()).min(1).max(HOTTER_CHANGES_MAX),
      notOnPage: z.array(z.string()).min(1).optional(),
    })
    .optional(),
  /**
   * The lead converted already, as the side panel counts a stored lead (lib/background/score-lead.ts
   * `convertedAlready`): the field of its record that says so, as its CRM's pages name it where
   * LeadLens knows the name ("Lifecycle stage"), and its value, both as text. The badge and the side
   * panel say so first and offer no plan to make it hotter; the score and tier stay the model's.
   * Absent when it has not converted, when neither the page nor the CRM record read for the score
   * holds that field, and on a list's rows.
   */
  converted: z.object({ field: z.string().max(MAX_LABEL_CHARS), value: z.string().max(MAX_VALUE_CHARS) }).optional(),
});
export type ScoredLead = z.infer<typeof ScoredLeadSchema>;
