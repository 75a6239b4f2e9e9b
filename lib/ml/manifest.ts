/**
 * The model contract: `manifest.json` beside `model.onnx`.
 *
 * The ONNX graph takes `features` float32 [N, F] (F = manifest.features.length, in order)
 * and returns `probability` float32 [N] (calibrated) and `contributions` float32 [N, T]
 * (T = manifest.terms.length, log-odds per term) with intercept + Σ contributions = logit.
 *
 * Everything else a consumer needs (how to read each feature from a CRM, how to turn a
 * probability into a score and a tier, what the ideal customer looks like) lives here.
 */
import { fieldIdentity, type CrmKind } from '../crm/types';
import { describeSchemaIssues } from '../schema-issues';
import { z } from 'zod';
import { DERIVED_READING_VERSION } from './derive';
import { listInWords } from '../list-in-words';
import { ModelOutcomeRuleSchema } from './outcome-rule';
import { shownLabel } from './visible-text';
import { MAX_VALUE_BINS } from './train/binning';

/** A feature's or term's label, as shown: an imported model's may hold invisible controls or be of any length (`shownLabel`). */
const LabelSchema = z.string().transform(shownLabel).pipe(z.string().min(1));

export const MANIFEST_SCHEMA_VERSION = 1;

/**
 * What the id of a model added from now on (imported or trained) may be made of: safe in key
 * prefixes and file names. The trainer's ids (`ebm-` + 16 hex digits) pass. Models stored
 * before this rule keep their ids (`ManifestSchema.modelId` refuses only what is unsafe).
 */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
export const MODEL_ID_RULE = 'must be 1 to 100 letters, digits, dots, dashes or underscores';

/** Where a raw value comes from, per data source: a field API name / property name / CSV column. */
export const FieldSourcesSchema = z
  .object({
    salesforce: z.string().min(1).optional(),
    hubspot: z.string().min(1).optional(),
    csv: z.string().min(1).optional(),
  })
  .strict();
export type FieldSources = z.infer<typeof FieldSourcesSchema>;

/**
 * The most labels a manifest keeps for one field: those of the levels the model learned, which its
 * vocabulary bounds. A spec to train from may carry a CRM's whole list (thousands of options):
 * the trainer keeps the learned levels' only.
 */
export const MAX_OPTION_LABELS = 1_000;
const LabelByValueSchema = z.record(z.string().min(1), z.string().min(1));
const labelsWithinBound = ({ derive }: { derive: Derive }) =>
  derive.kind !== 'value' || Object.values(derive.optionLabels ?? {}).every((labels) => Object.keys(labels ?? {}).length <= MAX_OPTION_LABELS);

/**
 * How each CRM's pages show a choice field's values, where its label is not its value: value the
 * API gives → label (HubSpot's `SOCIAL_MEDIA` shows as "Organic Social"). The model learns the
 * values; a page that shows labels is read back into them (`pageFieldsAsData`).
 */
export const OptionLabelsSchema = z.object({ salesforce: LabelByValueSchema.optional(), hubspot: LabelByValueSchema.optional() }).strict();
export type OptionLabels = z.infer<typeof OptionLabelsSchema>;

/**
 * How a feature's number is made from raw values.
 * - `value`: the raw field itself (numeric / boolean / categorical by `type`); a categorical one
 *   may say how CRM pages label its values (`optionLabels`).
 * - `daysSince`: whole days between a date field and the scoring time; for a date alone, calendar
 *   days to the rep's today (`daysSince` in derive.ts).
 * - `dayOfWeek`: 0 (Sunday) … 6 of a date field, categorical.
 * - `ratio`: numerator / denominator (e.g. email clicks per open); NaN when the denominator is 0 or missing.
 * - `titleSeniority`: job title → c-level / vp / director / manager / individual / student / other; missing when no rule reads it.
 * - `urlCategory`: page URL → pricing / demo / docs / blog / careers / contact / product / home / other.
 * - `emailDomainKind`: e-mail address → free / corporate.
 */
export const DeriveSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value'), from: FieldSourcesSchema, optionLabels: OptionLabelsSchema.optional() }).strict(),
  z.object({ kind: z.literal('daysSince'), from: FieldSourcesSchema }).strict(),
  z.object({ kind: z.literal('dayOfWeek'), from: FieldSourcesSchema }).strict(),
  z
    .object({ kind: z.literal('ratio'), numerator: FieldSourcesSchema, denominator: FieldSourcesSchema })
    .strict(),
  z.object({ kind: z.literal('titleSeniority'), from: FieldSourcesSchema }).strict(),
  z.object({ kind: z.literal('urlCategory'), from: FieldSourcesSchema }).strict(),
  z.object({ kind: z.literal('emailDomainKind'), from: FieldSourcesSchema }).strict(),
]);
export type Derive = z.infer<typeof DeriveSchema>;
export type ValueDerive = Extract<Derive, { kind: 'value' }>;

/** `derive` with `labels` as its page labels (`optionLabels`): a CRM with none left out, and the key with no CRM. */
export function withOptionLabels(derive: ValueDerive, labels: Partial<Record<keyof OptionLabels, Record<string, string> | undefined>>): ValueDerive {
  const { optionLabels: _before, ...rest } = derive;
  const kept = Object.fromEntries(Object.entries(labels).filter(([, byValue]) => byValue !== undefined && Object.keys(byValue).length > 0));
  return Object.keys(kept).length === 0 ? rest : { ...rest, optionLabels: kept };
}

/** Every field reference a derivation makes (a ratio names two). */
export function fieldSourcesOf(derive: Derive): FieldSources[] {
  return derive.kind === 'ratio' ? [derive.numerator, derive.denominator] : [derive.from];
}

/**
 * Those of `features` that read `crm`'s field `name`, under any spelling the CRM takes as that
 * field (`fieldIdentity`). The one test of a model reading a field LeadLens writes scores to:
 * write-back's refusal (`modelInputRefusal`) and Model versions' note on such a model
 * (model-versions.ts `writtenBackFieldsNote`) must agree on it.
 */
export function featuresReadingField<F extends { derive: Derive }>(crm: CrmKind, name: string, features: readonly F[]): F[] {
  return features.filter((feature) => fieldSourcesOf(feature.derive).some((from) => from[crm] !== undefined && fieldIdentity(crm, from[crm]) === fieldIdentity(crm, name)));
}

/** The fields (API names, property names, columns) `features` read from `source`, each once. */
export function fieldsRead(features: readonly { derive: Derive }[], source: keyof FieldSources): string[] {
  return [...new Set(features.flatMap(({ derive }) => fieldSourcesOf(derive).flatMap((from) => from[source] ?? [])))];
}

export const FeatureTypeSchema = z.enum(['numeric', 'boolean', 'categorical']);

/** A count as messages write it: 1,024. */
const count = (n: number) => n.toLocaleString('en-US');

/**
 * The most bins a shape axis may have, "missing" included: four times the trainer's most
 * (`MAX_VALUE_BINS` and "missing", 256). The side panel's ideal and the badge's plan rank an
 * axis's ranges of bins (shape.ts `bestSupportedRange`) in time growing as its bins squared: an
 * imported axis of 50,000 bins passes every other check, then holds up every badge for seconds.
 */
export const MAX_AXIS_BINS = 4 * (MAX_VALUE_BINS + 1);

/**
 * The most levels a categorical feature's vocabulary may have: as many as a shape axis holds besides
 * "missing" (`MAX_AXIS_BINS`), four times the trainer's most (dataset.ts `MAX_LEVELS` and "(other)",
 * `MAX_VALUE_BINS`). The axis check bounds only the vocabularies a term's shape reads, and a feature
 * no term reads is still the model's input: one of 1.4 million levels passed (9 MB of manifest), and
 * featurization then mapped every level anew on each score (2.6 s and 300 MB), the engine check ran
 * each code.
 */
export const MAX_VOCABULARY_LEVELS = MAX_AXIS_BINS - 1;

/**
 * The most placeholders a feature may list as meaning "missing" (`missingValues`): every raw value
 * read is compared with each, on every lead scored, and a list of a million (7 MB of manifest) made
 * featurizing a lead 45 times slower (18 ms instead of 0.4). People list a few; the defaults
 * (`DEFAULT_MISSING_VALUES`) apply besides.
 */
export const MAX_MISSING_VALUES = 1_000;
const MissingValuesSchema = z
  .array(z.string())
  .max(MAX_MISSING_VALUES, `may list at most ${count(MAX_MISSING_VALUES)} placeholders for missing`)
  .default([]);

/**
 * A feature's stable machine key, e.g. `annual_revenue`, `売上_usd`: lower-case letters (with their
 * accents and vowel signs), digits and underscores of any script, starting with a letter, as the
 * trainer makes them from column names (`keyOf`). Every key of the ASCII-only rule before passes.
 */
const FeatureKeySchema = z
  .string()
  .regex(/^\p{L}[\p{L}\p{M}\p{N}_]*$/u, 'must be letters, digits and underscores, starting with a letter')
  .refine((key) => key === key.toLowerCase(), 'must be lower case');

export const FeatureSchema = z
  .object({
    key: FeatureKeySchema,
    /** Plain words for reps, e.g. "Annual revenue". */
    label: LabelSchema,
    type: FeatureTypeSchema,
    unit: z.string().optional(),
    /** Categorical only: code i ↔ vocabulary[i]. Unseen levels map to `otherCode`. */
    vocabulary: z.array(z.string()).optional(),
    otherCode: z.number().int().nonnegative().optional(),
    derive: DeriveSchema,
    /** Raw values that mean "missing" (e.g. "Select", "N/A"), compared case-insensitively after trim. */
    missingValues: MissingValuesSchema,
    /** Whether a rep can change it (engagement) or not (industry, country): drives "what would make it hotter". */
    actionable: z.boolean().default(false),
  })
  .strict()
  .refine(labelsWithinBound, { message: `holds more than ${MAX_OPTION_LABELS} labels for one CRM`, path: ['derive', 'optionLabels'] })
  .refine((f) => f.type !== 'categorical' || (f.vocabulary !== undefined && f.vocabulary.length > 0), {
    message: 'categorical features need a non-empty vocabulary',
    path: ['vocabulary'],
  })
  .superRefine(({ key, vocabulary = [] }, ctx) => {
    if (vocabulary.length <= MAX_VOCABULARY_LEVELS) return;
    ctx.addIssue({
      code: 'custom',
      message: `"${key}" has ${count(vocabulary.length)} levels, at most ${count(MAX_VOCABULARY_LEVELS)} are allowed (LeadLens trains at most ${count(MAX_VALUE_BINS)})`,
      path: ['vocabulary'],
    });
  });
export type Feature = z.infer<typeof FeatureSchema>;

/**
 * A term's shape function, the glass-box model's own curve: the contribution of every bin.
 * The report plots it; "ideal customer" and "what would make this lead hotter" read it.
 */
export const TermShapeSchema = z
  .object({
    /** One axis per feature of the term. The last bin of every axis is "missing". */
    axes: z
      .array(
        z
          .object({
            /** Bins as a rep reads them ("$1M – $5M", "Finance", "missing"). */
            labels: z.array(z.string()).min(2),
            /**
             * Numeric and yes/no features: upper edges of all bins but the last two (value ≤
             * edges[i] → bin i; above the last edge → the bin before "missing"), so
             * labels.length − 2 of them, strictly increasing (and finite: `z.number()` refuses
             * JSON's 1e999). Categorical: empty (bin = code). `ManifestSchema` checks the axis
             * against its feature.
             */
            edges: z.array(z.number()),
          })
          .strict()
          // A bin is found by binary search over the edges: out of order, a value lands in the wrong bin.
          .refine((axis) => axis.edges.every((edge, i) => i === 0 || edge > axis.edges[i - 1]), { message: 'edges must strictly increase', path: ['edges'] }),
      )
      .min(1)
      .max(2),
    /** Log-odds contribution per bin, row-major over the axes: [B0] or [B0 × B1]. */
    scores: z.array(z.number()),
  })
  .strict()
  .refine((s) => s.scores.length === s.axes.reduce((n, axis) => n * axis.labels.length, 1), {
    message: 'needs one score per bin',
    path: ['scores'],
  });
export type TermShape = z.infer<typeof TermShapeSchema>;

/** One additive term: a single feature's shape function or a pair's interaction. */
export const TermSchema = z
  .object({
    /** Indices into `features`: one for a main effect, two for an interaction. */
    features: z.array(z.number().int().nonnegative()).min(1).max(2),
    label: LabelSchema,
    /** Share of mean |contribution| over the training data, for ordering and the report. */
    importance: z.number().nonnegative().default(0),
    /** Present for models trained by LeadLens; imported models may lack it. */
    shape: TermShapeSchema.optional(),
  })
  .strict();
export type Term = z.infer<typeof TermSchema>;

/** Calibration maps the raw logit to a probability; the ONNX graph applies the same map. */
export const CalibrationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  /**
   * p = sigmoid(a · logit + b). The slope is never negative, as the trainer fits it (`fitPlatt`): a
   * higher logit is a likelier lead, or with a = 0 every lead alike (the calibration ranks no lead).
   * A negative one would turn the ranking upside down, and the ideal and the plan with it.
   */
  z.object({ kind: z.literal('platt'), a: z.number().nonnegative('the slope a must not be negative: a higher score must not make a lead less likely'), b: z.number() }).strict(),
  /** Piecewise-linear interpolation of (logit → p) through the knots, clamped at the ends. */
  z
    .object({
      kind: z.literal('isotonic'),
      logits: z.array(z.number()).min(2),
      probabilities: z.array(z.number().min(0).max(1)).min(2),
    })
    .strict()
    .refine((c) => c.logits.length === c.probabilities.length, { message: 'needs one probability per logit knot', path: ['probabilities'] })
    .refine((c) => c.logits.every((x, i) => i === 0 || x > c.logits[i - 1]), { message: 'knots must strictly increase', path: ['logits'] })
    .refine((c) => c.probabilities.every((p, i) => i === 0 || p >= c.probabilities[i - 1]), { message: 'probabilities must not decrease', path: ['probabilities'] }),
]);
export type Calibration = z.infer<typeof CalibrationSchema>;

export const TierPolicySchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('value'),
      revenuePerConversion: z.number().positive(),
      costPerContact: z.number().nonnegative(),
    })
    .strict(),
  /** The team works `hotPerWeek` (+ `warmPerWeek`) of the `inflowPerWeek` new leads. */
  z
    .object({
      kind: z.literal('capacity'),
      hotPerWeek: z.number().int().positive(),
      warmPerWeek: z.number().int().nonnegative(),
      inflowPerWeek: z.number().int().positive(),
    })
    .strict(),
  z.object({ kind: z.literal('fixed') }).strict(),
]);
export type TierPolicy = z.infer<typeof TierPolicySchema>;

/** The policy a model is trained with unless told otherwise, and what the tier form offers first. */
export const DEFAULT_POLICY = { kind: 'capacity', hotPerWeek: 10, warmPerWeek: 20, inflowPerWeek: 100 } as const satisfies TierPolicy;
/**
 * Revenue per conversion and cost per contact assumed when the policy does not give them (break-even
 * at a 10 % conversion probability): by the trainer's profit curve and model card, and offered first
 * by the tier form.
 */
export const DEFAULT_PROFIT_ASSUMPTIONS = { revenuePerConversion: 100, costPerContact: 10 } as const;

export const TiersSchema = z
  .object({
    policy: TierPolicySchema,
    /** Calibrated-probability thresholds: p ≥ hot → hot, p ≥ warm → warm, else cold. */
    hot: z.number().min(0).max(1),
    warm: z.number().min(0).max(1),
  })
  .strict()
  .refine((t) => t.warm <= t.hot, { message: 'warm threshold must not exceed hot', path: ['warm'] });
export type Tiers = z.infer<typeof TiersSchema>;

/** Per-feature summary of the training data, for the ideal customer and drift. */
export const FeatureReferenceSchema = z
  .object({
    key: z.string(),
    missingShare: z.number().min(0).max(1),
    /**
     * The ideal as a rep reads it (`idealOf` in the trainer, by `supportedIdeal`): among the values
     * enough training leads hold, those that score best and alike (within ×1.05); for a number a
     * range of bins, or the best-supported range whole where no such run holds enough leads; a
     * category's level. Labelled as the side panel labels it (`rangeLabel`). Empty when none holds
     * enough; older models name the single best bin.
     */
    idealValue: z.string(),
    /** Its mean contribution over its training leads, in log-odds. */
    idealContribution: z.number(),
    /**
     * Keys of the counts this count was never above in the training data (website visits ≤ page
     * views): "what would make it hotter" keeps it so. Absent when there are none.
     */
    atMost: z.array(z.string()).min(1).optional(),
    /**
     * Training leads per bin of the axis of the feature's own (single-feature) term, "missing"
     * last: what the side panel's ideal must rest on, as the one here does. Absent for a feature
     * without such a term, and in models trained before they were recorded.
     */
    binRows: z.array(z.number().int().nonnegative()).optional(),
  })
  .strict();

/**
 * A probability, a rate, a share or an area under a curve of them: from 0 to 1 (and finite, as
 * every `z.number()`), give or take a sum's rounding, which a model trained before the trainer
 * clamped its decile rates holds (1.0000000000000004): it must not read as damaged.
 */
const UnitIntervalSchema = z.number().min(-1e-9).max(1 + 1e-9);

/**
 * A point of a curve both of whose axes are such figures: ROC's [fpr, tpr], PR's [recall,
 * precision], calibration's [mean predicted, observed]. An imported manifest's are shown as they
 * are (the Model report plots them), so one off the unit square is refused, not drawn.
 */
export const CurvePointSchema = z.tuple([UnitIntervalSchema, UnitIntervalSchema]);

/** The points of a curve: at least one, as the trainer writes (a curve with none is an empty chart). */
const curveOf = <Point extends z.ZodType>(point: Point) => z.array(point).min(1);

/** Held-out leads counted when everyone with probability ≥ `threshold` is called a conversion. */
export const ConfusionSchema = z
  .object({
    /** A tier's threshold (`TiersSchema`): a probability. */
    threshold: UnitIntervalSchema,
    tp: z.number().int().nonnegative(),
    fp: z.number().int().nonnegative(),
    tn: z.number().int().nonnegative(),
    fn: z.number().int().nonnegative(),
    /** tp / (tp + fp); 0 when nobody is called. */
    precision: UnitIntervalSchema,
    /** tp / (tp + fn). */
    recall: UnitIntervalSchema,
  })
  .strict();

/**
 * What the model measured on held-out leads, as the trainer writes it (lib/ml/train). Each figure
 * is bounded by its meaning: the Model report, the model card and the versions list show an
 * imported model's as they are, and the engine check never reads them.
 */
export const MetricsSchema = z
  .object({
    /** How many folds `cvRocAuc` and `cvPrAuc` are the mean over; 1: one 80/20 holdout (the CLI's `--cv 0`), not cross-validation. */
    folds: z.number().int().positive().optional(),
    cvRocAuc: UnitIntervalSchema.optional(),
    cvPrAuc: UnitIntervalSchema.optional(),
    /** Mean negative log-likelihood of the calibrated held-out probabilities. */
    cvLogLoss: z.number().nonnegative().optional(),
    /** The same of the probabilities before calibration. Absent in older models. */
    uncalibratedLogLoss: z.number().nonnegative().optional(),
    holdoutRocAuc: UnitIntervalSchema.optional(),
    /** Expected calibration error: a mean gap between predicted and observed probability. */
    ece: UnitIntervalSchema.optional(),
    /** Mean squared gap between probability and outcome. Absent in older models. */
    brier: UnitIntervalSchema.optional(),
    outOfTimeRocAuc: UnitIntervalSchema.optional(),
    /** [fpr, tpr] */
    roc: curveOf(CurvePointSchema).optional(),
    /** [recall, precision] */
    pr: curveOf(CurvePointSchema).optional(),
    /** [threshold, profit per lead]: a probability, and money of either sign. */
    profit: curveOf(z.tuple([UnitIntervalSchema, z.number()])).optional(),
    /** [mean predicted, observed] per bin */
    calibration: curveOf(CurvePointSchema).optional(),
    /** How many held-out leads each `calibration` bin holds. Absent in older models. */
    calibrationLeads: z.array(z.number().int().positive()).optional(),
    /** [lowest, highest] held-out probability in each `calibration` bin, low to high. Absent in older models. */
    calibrationRanges: z.array(z.tuple([UnitIntervalSchema, UnitIntervalSchema])).optional(),
    /** Conversion rate per score decile, best first: ten of them. */
    liftByDecile: z.array(UnitIntervalSchema).length(10).optional(),
    /** The held-out confusion at the hot and at the warm threshold (the warm one counts hot leads too). */
    tierConfusion: z.object({ hot: ConfusionSchema, warm: ConfusionSchema }).strict().optional(),
    /** What `profit` assumes: the value policy's figures, or defaults when the policy is another. */
    profitAssumptions: z
      .object({
        revenuePerConversion: z.number().positive(),
        costPerContact: z.number().nonnegative(),
        source: z.enum(['policy', 'default']),
      })
      .strict()
      .optional(),
    /** How `outOfTimeRocAuc` was measured: trained on the earliest rows by `column`, tested on the latest. */
    outOfTime: z
      .object({
        column: z.string(),
        trainRows: z.number().int().nonnegative(),
        testRows: z.number().int().nonnegative(),
        /** Rows without a readable time, left out of this evaluation. */
        undatedRows: z.number().int().nonnegative(),
        /** The standard error of `outOfTimeRocAuc` (Hanley & McNeil): how far the latest rows' count lets it move by chance. Absent in older models. */
        standardError: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),
  })
  .passthrough();

/**
 * Adds an issue under `path` for each way a shape axis does not bin `feature` as the trainer
 * writes it, so that `axisBin` puts a value in the bin the ONNX trees do: a categorical axis has
 * the vocabulary's levels in order, then "missing", and no edges (bin = code); any other axis has
 * one value bin per edge and one above the last, then "missing". An edge too many or too few
 * passes the engine check, which tries values inside the manifest's own bins only, yet shifts
 * the bins above it.
 */
function checkAxisBins(axis: TermShape['axes'][number], feature: Feature, path: (string | number)[], ctx: z.RefinementCtx): void {
  const { labels, edges } = axis;
  if (labels.length > MAX_AXIS_BINS) {
    ctx.addIssue({
      code: 'custom',
      message: `"${feature.key}" has ${count(labels.length)} bins, at most ${count(MAX_AXIS_BINS)} are allowed (LeadLens trains at most ${count(MAX_VALUE_BINS + 1)})`,
      path: [...path, 'labels'],
    });
    return;
  }
  if (feature.type === 'categorical') {
    const vocabulary = feature.vocabulary ?? [];
    if (edges.length > 0) ctx.addIssue({ code: 'custom', message: `"${feature.key}" is categorical: its bins are its levels, so its axis has no edges`, path: [...path, 'edges'] });
    if (labels.length !== vocabulary.length + 1) {
      ctx.addIssue({ code: 'custom', message: `${labels.length} bin labels, but "${feature.key}" needs ${vocabulary.length + 1}: its ${vocabulary.length} levels, then "missing"`, path: [...path, 'labels'] });
    } else {
      const differs = vocabulary.findIndex((level, bin) => labels[bin] !== level);
      if (differs >= 0) ctx.addIssue({ code: 'custom', message: `bin ${differs} is not labelled as "${feature.key}"'s level ${differs}: the labels are its vocabulary in order, then "missing"`, path: [...path, 'labels', differs] });
    }
  } else if (labels.length !== edges.length + 2) {
    ctx.addIssue({ code: 'custom', message: `${edges.length} edges make ${edges.length + 1} value bins and "missing", so ${edges.length + 2} bin labels, not ${labels.length}`, path: [...path, 'edges'] });
  }
}

export const ManifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    /**
     * Stored scores are keyed `${modelId}|…` and a model's scores are read and deleted by that
     * key prefix, so an id with `|` would reach into another model's scores. New models must
     * also match `MODEL_ID_PATTERN` (model-versions.ts); a stored model's id is only kept safe,
     * and up to 200 characters, as ids stored before that rule may be. An id refused here breaks
     * the rule too, so it is told the rule: one message for every bad id of an imported model.
     */
    modelId: z
      .string()
      .min(1, MODEL_ID_RULE)
      .max(200, MODEL_ID_RULE)
      .refine((id) => !id.includes('|'), MODEL_ID_RULE),
    /** ISO date-time the model was trained. */
    createdAt: z.string().datetime(),
    trainer: z.object({ name: z.string(), version: z.string() }).strict(),
    /**
     * How derived features read raw values when it was trained (`DERIVED_READING_VERSION`). Absent
     * in models trained before it was recorded (read as older than every version) and in those of
     * another trainer that does not write it.
     */
    derivedReadingVersion: z.number().int().positive().optional(),
    target: z.object({ column: z.string(), positive: z.string() }).strict(),
    /**
     * What "converted" meant in the leads' own fields, for a model trained in LeadLens on
     * stored leads (its `target` is then a column made from this rule), and their source.
     * Previews on stored leads label that source's leads by it (and leave out the others).
     * Absent for the bundled model, CLI-trained models (their `target` is the CSV's own column)
     * and models stored before it was recorded.
     */
    outcomeRule: ModelOutcomeRuleSchema.strict().optional(),
    features: z.array(FeatureSchema).min(1),
    terms: z.array(TermSchema).min(1),
    intercept: z.number(),
    calibration: CalibrationSchema,
    tiers: TiersSchema,
    reference: z
      .object({
        /** Share of positives in the training data. */
        baseRate: z.number().min(0).max(1),
        /** 99 calibrated-probability cut points: the 1st … 99th percentile over the reference leads. */
        probabilityPercentiles: z.array(z.number().min(0).max(1)).length(99),
        features: z.array(FeatureReferenceSchema),
      })
      .strict(),
    metrics: MetricsSchema,
    provenance: z
      .object({
        rows: z.number().int().nonnegative(),
        positives: z.number().int().nonnegative(),
        source: z.string(),
        /** The "now" that dates were measured against when training (ISO date-time). */
        referenceTime: z.string().datetime(),
        /**
         * The leakage guard's flags on features the model reads all the same (the admin kept
         * them): the metrics may look better than the model does on new leads. Absent when
         * there are none, and in models trained before they were recorded.
         */
        leakageFlagsKept: z
          .array(z.object({ key: z.string(), reason: z.string() }).strict())
          .min(1)
          .optional(),
        /**
         * Set when the leakage guard could not run when the model was trained (`reason`: the
         * error it stopped on): no feature was checked, so the metrics may look better than the
         * model does on new leads and nothing says so. Absent when it ran, and in models trained
         * before it was recorded.
         */
        leakageCheckNotRun: z.object({ reason: z.string() }).strict().optional(),
        /**
         * Set when the model was trained in LeadLens on Demo mode's made-up leads (the source had no
         * others): its scores are learnt from no lead of the company's, and every note on the default
         * model's says so of it too (`learntFromMadeUpLeads`). Absent otherwise, and in models
         * trained before it was recorded.
         */
        demoLeads: z.literal(true).optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((m, ctx) => {
    m.terms.forEach((term, i) => {
      for (const f of term.features) {
        if (f >= m.features.length) {
          ctx.addIssue({ code: 'custom', message: `term ${i} names feature ${f}, but there are ${m.features.length}`, path: ['terms', i, 'features'] });
        }
      }
      if (term.features.length === 2 && term.features[0] === term.features[1]) {
        ctx.addIssue({ code: 'custom', message: `term ${i} pairs feature ${term.features[0]} with itself`, path: ['terms', i, 'features'] });
      }
      // Explanations read a shape's axes as the term's features, one each.
      if (term.shape && term.shape.axes.length !== term.features.length) {
        ctx.addIssue({ code: 'custom', message: `term ${i} has ${term.features.length} feature(s) but its shape has ${term.shape.axes.length} axes`, path: ['terms', i, 'shape', 'axes'] });
      }
      term.shape?.axes.forEach((axis, a) => {
        const feature = m.features[term.features[a]];
        if (feature) checkAxisBins(axis, feature, ['terms', i, 'shape', 'axes', a], ctx);
      });
    });
    // The side panel names a calibration bin's count beside its rate: one count per bin.
    const { calibration, calibrationLeads, calibrationRanges } = m.metrics;
    if (calibrationLeads && calibrationLeads.length !== (calibration?.length ?? 0)) {
      ctx.addIssue({ code: 'custom', message: `${calibrationLeads.length} lead counts for ${calibration?.length ?? 0} calibration bins`, path: ['metrics', 'calibrationLeads'] });
    }
    // …and picks the bin whose range holds a lead's probability: one range per bin, in order, none overlapping the next.
    if (calibrationRanges && calibrationRanges.length !== (calibration?.length ?? 0)) {
      ctx.addIssue({ code: 'custom', message: `${calibrationRanges.length} probability ranges for ${calibration?.length ?? 0} calibration bins`, path: ['metrics', 'calibrationRanges'] });
    }
    calibrationRanges?.forEach(([lowest, highest], i) => {
      if (lowest > highest) ctx.addIssue({ code: 'custom', message: 'a range must not end below its start', path: ['metrics', 'calibrationRanges', i] });
      else if (i > 0 && lowest < calibrationRanges[i - 1][1]) ctx.addIssue({ code: 'custom', message: 'ranges must not decrease', path: ['metrics', 'calibrationRanges', i] });
    });
    // Features are found by key (tier-policy previews, count bounds, the report): one feature per key.
    const indexOfKey = new Map<string, number>();
    m.features.forEach((feature, i) => {
      if (indexOfKey.has(feature.key)) ctx.addIssue({ code: 'custom', message: `feature key "${feature.key}" is used twice`, path: ['features', i, 'key'] });
      else indexOfKey.set(feature.key, i);
    });
    // The score is a lead's place among these cut points, found by binary search: they must not decrease.
    if (m.reference.probabilityPercentiles.some((p, i, all) => i > 0 && p < all[i - 1])) {
      ctx.addIssue({ code: 'custom', message: 'percentiles must not decrease', path: ['reference', 'probabilityPercentiles'] });
    }
    // The versions list and the model card say "N leads, P conversions": no more converted than there were.
    // (`reference.baseRate` is not held to P / N: another trainer may round it, weight its leads, or give the rate of the leads it scores.)
    const { rows, positives } = m.provenance;
    if (positives > rows) ctx.addIssue({ code: 'custom', message: `${positives} conversions among ${rows} leads: more than there were`, path: ['provenance', 'positives'] });
    // The report names a kept flag's feature by its label: the flag must be on one of the features.
    m.provenance.leakageFlagsKept?.forEach((flag, i) => {
      if (!indexOfKey.has(flag.key)) ctx.addIssue({ code: 'custom', message: `flags "${flag.key}", which is no feature`, path: ['provenance', 'leakageFlagsKept', i, 'key'] });
    });
    // The report would say both that the guard flagged features and that it did not run.
    if (m.provenance.leakageCheckNotRun && m.provenance.leakageFlagsKept) {
      ctx.addIssue({ code: 'custom', message: 'a leakage check that did not run flagged no feature', path: ['provenance', 'leakageCheckNotRun'] });
    }
    // The side panel reads a feature's bin counts beside its own term's bins: one count per bin.
    // Looked up in maps built once: a search per reference feature made parsing quadratic (seconds at 30,000 features).
    const ownTermOf = new Map<number, Term>();
    for (const term of m.terms) if (term.features.length === 1 && !ownTermOf.has(term.features[0])) ownTermOf.set(term.features[0], term);
    m.reference.features.forEach((reference, i) => {
      const feature = indexOfKey.get(reference.key);
      const axis = feature === undefined ? undefined : ownTermOf.get(feature)?.shape?.axes[0];
      if (reference.binRows && axis && reference.binRows.length !== axis.labels.length) {
        ctx.addIssue({ code: 'custom', message: `${reference.binRows.length} lead counts for ${axis.labels.length} bins`, path: ['reference', 'features', i, 'binRows'] });
      }
    });
    // A count bound compares two numbers as they are: both must be numeric features, and two.
    const typeOf = new Map(m.features.map((feature) => [feature.key, feature.type]));
    m.reference.features.forEach((reference, i) => {
      const path = ['reference', 'features', i, 'atMost'];
      if (reference.atMost && typeOf.get(reference.key) !== 'numeric') ctx.addIssue({ code: 'custom', message: `bounds "${reference.key}", which is no numeric feature`, path });
      // Named once each, so a bound list is no longer than the features: "what would make it hotter" walks it for every lead.
      if (reference.atMost && new Set(reference.atMost).size < reference.atMost.length) ctx.addIssue({ code: 'custom', message: `bounds "${reference.key}" by a count named twice`, path });
      for (const key of reference.atMost ?? []) {
        if (!typeOf.has(key)) ctx.addIssue({ code: 'custom', message: `bounds a count by "${key}", which is no feature`, path });
        else if (typeOf.get(key) !== 'numeric' || key === reference.key) ctx.addIssue({ code: 'custom', message: `bounds a count by "${key}", which is not another numeric feature`, path });
      }
    });
  });
export type Manifest = z.infer<typeof ManifestSchema>;

/**
 * Whether a feature's value comes out of a reading LeadLens revises (`DERIVED_READING_VERSION`):
 * every feature's but a categorical `value`'s, whose level is the field's text as written (trimmed).
 * - `titleSeniority`, `urlCategory`, `emailDomainKind`: their rules, which words make a title
 *   c-level, which paths a pricing page, which domains free mail ("Ex-CFO" once read as c-level).
 * - `daysSince`, `dayOfWeek`: the dates `parseDate` reads (formats, a zone after the time, placeholder years).
 * - a numeric `value` and a `ratio`'s two numbers: `parseNumber`'s size words, units and digit
 *   grouping ("1.2M USD" read a million times too small).
 * - a yes/no `value`: the words `parseBoolean` reads as yes and no.
 * A categorical `value` would read otherwise only with a new "no value" placeholder
 * (`DEFAULT_MISSING_VALUES`), and then for that placeholder's text alone: not flagged for it.
 */
function readByRevisedRules(feature: Pick<Feature, 'derive' | 'type'>): boolean {
  return feature.derive.kind !== 'value' || feature.type !== 'categorical';
}

/**
 * The features of `manifest` whose raw values may read differently now than when it was trained,
 * in its order: those read by a revised reading (`readByRevisedRules`) of a model trained before
 * the current `DERIVED_READING_VERSION` (or before versions were recorded). None, so the model
 * scores as it learnt, for one trained with the current reading or one that reads text as written
 * only; none either for one of a later version (an export of a newer LeadLens), which was trained
 * after, not before, a change.
 */
export function featuresReadDifferentlyNow(manifest: Pick<Manifest, 'features' | 'derivedReadingVersion'>): Feature[] {
  if (manifest.derivedReadingVersion !== undefined && manifest.derivedReadingVersion >= DERIVED_READING_VERSION) return [];
  return manifest.features.filter(readByRevisedRules);
}

/** How many fields `readingChangedNote` names: the rest are counted, so a model of many fields is told in one short sentence. */
const FIELDS_NAMED = 3;


/**
 * What an admin is told of a model whose fields may read differently now (`featuresReadDifferentlyNow`):
 * how many, naming a few; null when none may. "May": a revised reading changes only some values
 * ("Ex-CFO", "1.2M USD"), which the model's leads may never hold.
 */
export function readingChangedNote(manifest: Pick<Manifest, 'modelId' | 'features' | 'derivedReadingVersion'>): string | null {
  const changed = featuresReadDifferentlyNow(manifest).map((feature) => feature.label);
  if (changed.length === 0) return null;
  const count = changed.length === 1 ? 'one' : changed.length.toLocaleString('en-US');
  return (
    `${manifest.modelId} was trained before this version of LeadLens changed how it reads some values: ` +
    `${count} of its fields may read differently now (${listInWords(changed, FIELDS_NAMED)}), and its scores use the new reading. ` +
    'Train it again so it learns from the reading it scores with.'
  );
}

/** The fields every LeadLens manifest has: JSON without one of them is some other file, not a damaged manifest. */
const MANIFEST_MARKS = ['schemaVersion', 'modelId', 'features'];

/** What JSON that is not an object holds, in words. */
function kindOf(json: unknown): string {
  if (Array.isArray(json)) return 'a list';
  if (typeof json === 'string') return 'text';
  if (typeof json === 'number') return 'a number';
  if (typeof json === 'boolean') return 'only true or false';
  return 'nothing (null)';
}

const quoted = (names: string[]) => names.map((name) => `"${name}"`);

/** Why `json` is plainly not a LeadLens manifest (some other JSON file), or null when it looks like one. */
function notAManifest(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return `This JSON is not a LeadLens model manifest: it holds ${kindOf(json)}, not a manifest's fields (${quoted(MANIFEST_MARKS).join(', ')}, …).`;
  }
  const missing = quoted(MANIFEST_MARKS.filter((mark) => (json as Record<string, unknown>)[mark] === undefined));
  if (missing.length === 0) return null;
  const listed = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} or ${missing.at(-1)}`;
  return `This JSON is not a LeadLens model manifest: it has no ${listed}.`;
}

/**
 * Where LeadLens adds options as it grows, under a manifest: a derivation's kind, a calibration's,
 * a tier policy's, a feature's type (`*`: any index of a list). An option this version does not
 * know there was written by a newer LeadLens; anywhere else, an unknown value is a fault.
 */
const MANIFEST_OPTION_PLACES = [['features', '*', 'derive', 'kind'], ['features', '*', 'type'], ['calibration', 'kind'], ['tiers', 'policy', 'kind']];
/** The same place under a tier policy as an admin set it (`tiers:{modelId}`, `parseStoredTiers`). */
const TIERS_OPTION_PLACES = [['policy', 'kind']];

/** An option's name as LeadLens writes them (`daysSince`, `capacity`): anything else there (a number, "Numeric", none) is malformed, not newer. */
const OPTION_NAME = /^[a-z][A-Za-z0-9]*$/;

/** The value of `json` at a zod issue's path, or undefined where there is none. */
function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined), json);
}

/** Whether `issue` is a name this version does not know at one of `places`, where a newer LeadLens may have added it. */
function isUnknownOption(issue: z.core.$ZodIssue, json: unknown, places: readonly string[][]): boolean {
  // A discriminated union whose discriminator matches none of its kinds names no member's errors.
  const unknownValue = issue.code === 'invalid_value' || (issue.code === 'invalid_union' && issue.discriminator !== undefined && issue.errors.length === 0);
  const atPlace = places.some((place) => place.length === issue.path.length && place.every((key, i) => (key === '*' ? typeof issue.path[i] === 'number' : key === issue.path[i])));
  const value = valueAt(json, issue.path);
  return unknownValue && atPlace && typeof value === 'string' && OPTION_NAME.test(value);
}

/**
 * What of `json` this version does not know, when that is all `error` finds in it: fields (a
 * strict object's unrecognized keys), options at `places` (`isUnknownOption`), or both. A newer
 * LeadLens wrote such JSON. Null when anything else is wrong with it.
 */
function knownOnlyToNewerVersion(error: z.ZodError, json: unknown, places: readonly string[][]): string | null {
  const fields = error.issues.filter((issue) => issue.code === 'unrecognized_keys');
  const options = error.issues.filter((issue) => isUnknownOption(issue, json, places));
  if (fields.length + options.length < error.issues.length) return null;
  return fields.length === 0 ? 'options' : options.length === 0 ? 'fields' : 'fields and options';
}

/**
 * Parse untrusted JSON into a manifest. JSON that is plainly some other file gets an error
 * saying so; a manifest with wrong fields gets one that names the failing paths (never values).
 *
 * A manifest's objects are strict (all but `metrics`, whose own parts are), and LeadLens adds
 * fields to them and options to some of them (`MANIFEST_OPTION_PLACES`) as it grows: one whose
 * only faults are fields or options this version does not know (`madeByNewerVersion`) was
 * written by a newer LeadLens, which reads it, as was one of a later `schemaVersion`, whatever
 * else it holds. It is refused all the same (this version cannot tell what they change of its
 * scores), saying to update LeadLens rather than calling it invalid.
 */
export function parseManifest(json: unknown): { ok: true; manifest: Manifest } | { ok: false; error: string; madeByNewerVersion?: true } {
  const other = notAManifest(json);
  if (other) return { ok: false, error: other };
  const madeByNewerVersion = (why: string) => ({ ok: false as const, error: `This model was made by a newer version of LeadLens: update LeadLens to use it (${why}).`, madeByNewerVersion: true as const });
  // A later schema may shape every other field anew: its version alone says why this one cannot read it.
  const { schemaVersion } = json as { schemaVersion: unknown };
  if (Number.isInteger(schemaVersion) && (schemaVersion as number) > MANIFEST_SCHEMA_VERSION) {
    return madeByNewerVersion(`its manifest's schema version is ${schemaVersion}; this version reads ${MANIFEST_SCHEMA_VERSION}`);
  }
  const result = ManifestSchema.safeParse(json);
  if (result.success) return { ok: true, manifest: result.data };
  const issues = describeSchemaIssues(result.error, 5);
  const unknown = knownOnlyToNewerVersion(result.error, json, MANIFEST_OPTION_PLACES);
  if (unknown) return madeByNewerVersion(`its manifest has ${unknown} this version does not know: ${issues}`);
  return { ok: false, error: `The model manifest is invalid: ${issues}` };
}

/**
 * Parse the tier policy kept for a model (`tiers:{modelId}`, stored data). One whose only faults
 * are fields or a policy kind this version does not know was set by a newer LeadLens
 * (`madeByNewerVersion`, as `parseManifest` tells a manifest's), as after going back a version.
 */
export function parseStoredTiers(json: unknown): { ok: true; tiers: Tiers } | { ok: false; error: string; madeByNewerVersion?: true } {
  const result = TiersSchema.safeParse(json);
  if (result.success) return { ok: true, tiers: result.data };
  const issues = describeSchemaIssues(result.error, 5);
  const unknown = knownOnlyToNewerVersion(result.error, json, TIERS_OPTION_PLACES);
  if (unknown) {
    return { ok: false, error: `Its tier policy was set by a newer version of LeadLens: update LeadLens to use it (the policy has ${unknown} this version does not know: ${issues}).`, madeByNewerVersion: true };
  }
  return { ok: false, error: `Its stored tier policy is invalid: ${issues}` };
}

/**
 * What a person (or `models/demo-features.json`) declares before training: the features
 * without what training learns (vocabulary, other code). The trainer turns it into `Feature`s.
 */
export const FeatureSpecSchema = z
  .object({
    key: FeatureKeySchema,
    label: LabelSchema,
    type: FeatureTypeSchema,
    unit: z.string().optional(),
    derive: DeriveSchema,
    missingValues: MissingValuesSchema,
    actionable: z.boolean().default(false),
  })
  .strict();
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;
export const FeatureSpecListSchema = z.array(FeatureSpecSchema).min(1);
