/**
 * Messages about stored leads and the lead open in a CRM tab: demo data, bulk scoring, the
 * side panel's open lead, opening a record, and telling CRM tabs that tiers changed.
 */
import { z } from 'zod';
import { MAX_VALUE_CHARS } from '../ml/visible-text';
import { CrmKindSchema, okOr, ScoredLeadSchema, SourceKindSchema } from './schemas';

export const MAX_DEMO_LEADS = 200_000;

export const ModelIdRequestSchema = z.object({ modelId: z.string().min(1) });

export const ScoreStoredLeadsResponseSchema = okOr({ scored: z.number().int().nonnegative() });
/** How many stored scores changed tier. */
const RetierResponseSchema = okOr({ changed: z.number().int().nonnegative() });

/**
 * A lead with everything its full explanation needs: its score, checked as a badge's is (all but
 * `modelCreatedAt` and `modelDatedByData`, which the panel does not show; `tiers` the thresholds its tier was set by, so
 * the panel words the lead by them, not by a manifest it read before a tier-policy change), and the
 * model's input and output behind it.
 */
const ExplainedLeadSchema = ScoredLeadSchema.omit({ modelCreatedAt: true, modelDatedByData: true }).extend({
  name: z.string(),
  /** The model input row [F]; null = missing. */
  row: z.array(z.number().nullable()),
  /**
   * Per feature [F], whether the field(s) it reads were read at all: every one when the CRM's
   * record was read through its API, and for a stored lead of a file (its whole row), else those the page shows. A null in `row` is then a field the
   * record has empty (true) or one the page did not show (false), of a value LeadLens does not know.
   */
  fieldsRead: z.array(z.boolean()),
  /** Log-odds per term [T], in manifest term order. */
  contributions: z.array(z.number()),
  /**
   * Per feature [F], the lead's value as its CRM wrote it where that is no plain number ("5-25",
   * "€1.200.000"), as a reason shows it; null for any other (lib/ml/explain.ts `valuesAsWritten`).
   * At most MAX_VALUE_CHARS characters, a clipped one's "…" included (`valueAsShown`).
   */
  valuesAsWritten: z.array(z.string().max(MAX_VALUE_CHARS).nullable()),
});
export type ExplainedLead = z.infer<typeof ExplainedLeadSchema>;

/** The lead a CRM tab shows, explained in full as its badge scored it. */
export const OpenLeadSchema = ExplainedLeadSchema.extend({ crm: CrmKindSchema, recordId: z.string() });
export type OpenLead = z.infer<typeof OpenLeadSchema>;

export const leadsProtocol = {
  /**
   * Store the demo leads (half Salesforce, half HubSpot), activate the default model (the one active
   * before is kept to roll back to), and score every stored lead with it, the user's own included.
   * `count` defaults to the demo CRM's 2,000; benchmarks ask for more. Once the leads are stored
   * and the model active it succeeded: `scoringProblem` says what went wrong with the scoring, and
   * whether it goes on. `skipped`: the demo leads left out as leads of the user's own (synced) hold
   * their ids; with none stored (`leads` 0), the active model stays and nothing is scored.
   */
  loadDemoData: {
    input: z.object({ count: z.number().int().positive().max(MAX_DEMO_LEADS).optional() }),
    output: okOr({ leads: z.number().int().nonnegative(), skipped: z.number().int().nonnegative(), scoringProblem: z.string().optional() }),
  },
  /** Delete Demo mode's leads and every model's scores of them; the user's own leads and the models stay. */
  removeDemoData: { input: z.object({}), output: okOr({ removed: z.number().int().nonnegative() }) },
  /**
   * Tell CRM tabs (list badges score stored leads), and score stored leads (progress in the
   * `job:scoring` setting): every one with `modelId` (a failed scoring tried again), or `source`'s
   * with the model active in the background when their scoring is owed and nothing asked covers
   * it (a CSV import owes it as it commits, and its page asks; start-up or the hourly check asks
   * one the page did not, and never both). `scored` is 0 when nothing was asked.
   */
  scoreStoredLeads: { input: z.union([ModelIdRequestSchema, z.object({ source: SourceKindSchema })]), output: ScoreStoredLeadsResponseSchema },
  /**
   * The lead the tab last scored, explained in full; null when the tab shows no lead, or one its
   * page has not asked to score yet (`reading`: the tab is on a record page, still loading).
   * `readingUntil` (epoch ms): its page asked without fields, and its badge waits until then for
   * the page to show them (FIRST_RENDER_PATIENCE_MS); the panel asks again then, by its own clock.
   * `purged`: "Purge everything" stopped the tab's page, which asks for no lead until it reloads.
   */
  openLead: {
    input: z.object({ tabId: z.number().int() }),
    output: okOr({ lead: OpenLeadSchema.nullable(), reading: z.boolean(), readingUntil: z.number().optional(), purged: z.boolean().optional() }),
  },
  /**
   * A stored lead of an imported file (`csv|…`, `leadKey`), explained in full from its stored fields
   * with the active model, as of its stored score (`explainStoredLead`). A file's lead has no CRM
   * page: the side panel shows this when it is chosen from its top leads.
   */
  explainStoredLead: { input: z.object({ leadKey: z.string().min(1) }), output: okOr({ lead: ExplainedLeadSchema }) },
  /**
   * Open a record in a CRM tab of `windowId`, the asking side panel's window (the background cannot
   * tell which window a panel is in): `openRecordInCrmTab`.
   */
  openRecord: { input: z.object({ crm: CrmKindSchema, recordId: z.string().min(1).max(64), windowId: z.number().int().optional() }), output: okOr({}) },
  /**
   * The model's tier policy changed (already stored): badges score again with it, and its
   * stored scores are re-tiered (the `retier` job, which outlives the page that asked).
   */
  retierStoredScores: { input: ModelIdRequestSchema, output: RetierResponseSchema },
} as const;

/**
 * A job the background asks of the offscreen document, and when it asked (epoch ms): one still
 * waiting for its turn when "Purge everything" deletes what it was asked of does not run after it.
 */
const JobRequestSchema = ModelIdRequestSchema.extend({ askedAt: z.number() });

/** Background → offscreen: bulk scoring reads the leads from IndexedDB itself. */
export const offscreenLeadsProtocol = {
  /** Score every stored lead, or only `source`'s (a write-back needs its own CRM's leads scored, a sync or an import those it stored, not every lead). */
  scoreStoredLeads: { input: JobRequestSchema.extend({ source: SourceKindSchema.optional() }), output: ScoreStoredLeadsResponseSchema },
  retierStoredScores: { input: JobRequestSchema, output: RetierResponseSchema },
} as const;
