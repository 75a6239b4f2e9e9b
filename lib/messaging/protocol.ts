/**
 * Every message between contexts, defined once: a zod schema for what goes in and what
 * comes out. Callers use the typed client (`client.ts`); each context handles its messages
 * in one place. Both directions are parsed, so a malformed message is an error, not a crash.
 */
import { z } from 'zod';
import { ThroughputSchema } from '../ml/throughput';
import { PAGE_FIELD_LIMITS } from '../crm/types';
import { CrmKindSchema, okOr, ScoredLeadSchema } from './schemas';
import { leadsProtocol, offscreenLeadsProtocol } from './protocol-leads';
import { modelsProtocol, offscreenModelsProtocol } from './protocol-models';
import { listProtocol } from './protocol-list';
import { privacyProtocol } from './protocol-privacy';
import { syncProtocol } from './protocol-sync';
import { writeBackProtocol } from './protocol-write-back';

export { CrmKindSchema, FailureSchema, ReasonSchema, ScoredLeadSchema, TierSchema, type Reason, type ScoredLead, type Tier } from './schemas';

const PageFieldsSchema = z
  .record(z.string().max(PAGE_FIELD_LIMITS.maxNameLength), z.string().max(PAGE_FIELD_LIMITS.maxValueLength))
  .refine((fields) => Object.keys(fields).length <= PAGE_FIELD_LIMITS.maxFields, `at most ${PAGE_FIELD_LIMITS.maxFields} fields`);

/** The longest lead name a score request carries: the badge and the page cut a longer one to it, without "…" (lib/crm/dom.ts `clipText`). */
export const MAX_LEAD_NAME_LENGTH = 200;

/**
 * How long a page may take to show a record's fields at all (a cold Lightning load often takes
 * longer than the badge's first wait). Until then, or until a field of the record is read, a
 * refusal of the request sent without fields (not connected, the background could read none) is
 * not shown: the badge keeps loading, and the side panel reads the lead as long.
 */
export const FIRST_RENDER_PATIENCE_MS = 15_000;

export const ScoreRequestSchema = z.object({
  crm: CrmKindSchema,
  recordId: z.string().min(1).max(64),
  fields: PageFieldsSchema,
  /** The record's name as its page shows it (the side panel's title for it). */
  name: z.string().max(MAX_LEAD_NAME_LENGTH).optional(),
  /** The locale the page writes numbers and dates in (a BCP 47 tag: `de-DE`); one that is none is ignored. */
  locale: z.string().max(35).optional(),
  /** The time zone the page shows times in (an IANA name: `Europe/Berlin`); one that is none is ignored. */
  timeZone: z.string().max(64).optional(),
});
export const ScoreResponseSchema = okOr({ lead: ScoredLeadSchema });
/** A lead a page asks to be scored. */
export type ScoreRequest = z.infer<typeof ScoreRequestSchema>;
/** A lead's score, or why it has none. */
export type ScoreOutcome = z.infer<typeof ScoreResponseSchema>;



/** Background → offscreen engine: features as plain rows so they survive structured cloning. */
export const EngineRunRequestSchema = z.object({
  /** Model bytes are read by the engine itself from the extension package or Dexie. */
  modelId: z.string().min(1),
  /** [N][F] */
  rows: z.array(z.array(z.number().nullable())),
});
export const EngineRunResponseSchema = okOr({
  /** [N]; null where the model gave NaN or ±Infinity (zod refuses those), so one such lead does not fail the others. */
  probability: z.array(z.number().nullable()),
  /** [N][T]; null as for `probability`. */
  contributions: z.array(z.array(z.number().nullable())),
});

/** Scoring speed of the engine on this computer, for `npm run bench` and diagnostics. */
export const EngineBenchmarkRequestSchema = z.object({
  rowCounts: z.array(z.number().int().positive().max(1_000_000)).min(1).max(10),
  seed: z.number().int(),
});
export const EngineBenchmarkResponseSchema = okOr({
  modelId: z.string(),
  /** The engine timed in its worker. */
  inWorker: z.array(ThroughputSchema),
  /** The engine as the offscreen document runs it: through its watchdog, to the worker and back. */
  results: z.array(ThroughputSchema),
});

export const offscreenProtocol = {
  engineRun: { input: EngineRunRequestSchema, output: EngineRunResponseSchema },
  engineBenchmark: { input: EngineBenchmarkRequestSchema, output: EngineBenchmarkResponseSchema },
  ...offscreenLeadsProtocol,
  ...offscreenModelsProtocol,
} as const;

/** Content script / pages → background. */
export const backgroundProtocol = {
  scoreLead: { input: ScoreRequestSchema, output: ScoreResponseSchema },
  /**
   * The content script's CRM page became visible (the rep switched to its tab or window): the tab
   * becomes the CRM tab used last, which the side panel's 'Open in CRM' navigates. The tab is the
   * sender's, as the browser names it: nothing else is sent.
   */
  crmPageVisible: { input: z.object({}), output: okOr({}) },
  engineBenchmark: { input: EngineBenchmarkRequestSchema, output: EngineBenchmarkResponseSchema },
  ...leadsProtocol,
  ...modelsProtocol,
  ...listProtocol,
  ...syncProtocol,
  ...writeBackProtocol,
  ...privacyProtocol,
} as const;

/** What the content script in a CRM tab may ask the background: scores, and to note its tab as the CRM tab used last; nothing else. */
export const CONTENT_SCRIPT_MESSAGES = ['scoreLead', 'scoreLeadsById', 'crmPageVisible'] as const satisfies readonly (keyof typeof backgroundProtocol)[];

export type Protocol = Record<string, { input: z.ZodType; output: z.ZodType }>;
