/**
 * One lead's score, as the background computes it: featurize the fields with the active
 * model's manifest, run the engine, turn the probability into score, tier and reasons,
 * and cache the result by record, model and fields.
 *
 * Dependencies come in as arguments so the whole path runs in unit tests with
 * onnxruntime-node, and in the extension with the offscreen engine and Dexie.
 */
import { learntFromMadeUpLeads } from '../ml/bundled-model';
import { isMissingRaw } from '../ml/derive';
import { explainLead, featuresTracked, valueAsShown, valuesAsWritten, type PageRead } from '../ml/explain';
import { featurizeRecord, knownFeatureCount, recordKey, type RawRecord, type SourceKind } from '../ml/featurize';
import { featuresNotRead, modelHasShapes, whatWouldMakeHotter } from '../ml/insights';
import { fieldSourcesOf, fieldsRead, type Feature, type Manifest } from '../ml/manifest';
import { datedByItsData, fieldInWords, holdsOneOf, outcomeOf } from '../ml/outcome-rule';
import { pageConventions, pageFieldsAsData, type InApiCurrency } from '../ml/page-values';
import { scoreAndTier } from '../ml/score';
import { suggestOutcome } from '../ml/train/outcome-suggestions';
import type { ScoredLead, ScoreOutcome, ScoreRequest } from '../messaging/protocol';
import { HOTTER_CHANGES_MAX } from '../messaging/schemas';
import { isolatedText, planChangeInWords } from '../presentation';
import { amountInCorporateCurrency } from '../crm/client';
import type { CrmKind } from '../crm/types';
import { hashFields } from '../crm/fields-hash';
import { HUBSPOT_LIFECYCLE_FIELD, lifecycleOrder, type LifecycleStage } from '../crm/hubspot-lifecycle';
import { leadKeyOf, scoreKeyOf, type CachedScore, type StoredLead } from '../db/db';
import { reusedAt } from '../db/record-page-scores';
import { hubspotOutcome } from '../sync/to-stored-lead';

/** The engine's output; a value the model gave as NaN or ±Infinity may come as null (the offscreen engine's reply). */
export interface EngineRows {
  /** [N] */
  probability: ArrayLike<number | null>;
  /** [N][T] */
  contributions: ArrayLike<number | null>[];
}

const isFiniteNumber = (value: number | null | undefined): value is number => Number.isFinite(value);

/**
 * Row `i` of the engine's output, or null when the model gave that lead no probability or some
 * term no contribution (an imported model's NaN for a missing field, say): such a lead gets no
 * score rather than a made-up one, as in bulk scoring, and the other leads of the run keep theirs.
 */
export function engineRow(output: EngineRows, i: number): { probability: number; contributions: number[] } | null {
  const probability = output.probability[i];
  const contributions = Array.from(output.contributions[i] ?? []);
  return isFiniteNumber(probability) && contributions.every(isFiniteNumber) ? { probability, contributions } : null;
}

/** A cached score as stored (db.ts), without its key; `scoredAt` (epoch ms) lets it go stale, and without it a cached score stays fresh. */
export type CachedScoreEntry = Omit<CachedScore, 'key' | 'scoredAt'> & { scoredAt?: number };

export interface ScoreCache {
  get(key: string): Promise<CachedScoreEntry | undefined>;
  put(key: string, entry: Omit<CachedScoreEntry, 'scoredAt'>): Promise<void>;
}

export interface ScoringDeps {
  /** The active model's manifest; throws a message a person can read when there is none. */
  activeManifest(): Promise<Manifest>;
  /** Run model `modelId` on `rows` ([N * F], NaN = missing). */
  runModel(modelId: string, rows: Float32Array, featureCount: number): Promise<EngineRows>;
  cache: ScoreCache;
  now(): Date;
  /** The record's `fields` (those the model reads) from the CRM API when connected; null when not connected or not found. */
  fetchRecord?(crm: CrmKind, recordId: string, fields: readonly string[]): Promise<RawRecord | null>;
  /**
   * The rates the CRM's API converts records' amounts at (`CrmClient.corporateCurrencyRates`); null
   * when it hands them on as the records hold them (HubSpot, a single-currency org) or is not connected.
   */
  currencyRates?(crm: CrmKind): Promise<ReadonlyMap<string, number> | null>;
  /** A cached score older than this is recomputed, re-reading the record (default: never stale). */
  staleAfterMs?: number;
  /** The stored lead of the record, when it is the one the asking page shows (`storedLeadServes`): its outcome as a sync stored it (`convertedAlready`). */
  storedLead?(crm: CrmKind, recordId: string): Promise<StoredOutcome | undefined>;
  /** The lifecycle stages of the HubSpot portal the asking page shows, as its last sync kept them, in its order (`convertedAlready`); undefined when none are kept. */
  portalLifecycleStages?(): Promise<readonly LifecycleStage[] | undefined>;
}

/** A lead a page asks to be scored (the `scoreLead` message's input). */
export type LeadToScore = ScoreRequest;

export const NO_READABLE_FIELDS =
  "LeadLens could not read any of this lead's fields on the page. Open the lead's details, or check that the page shows its fields.";

/** A lead the active model gives no probability or no contribution for (see `engineRow`). */
export const MODEL_GAVE_NO_SCORE = "The active model could not compute a score from this lead's fields. Ask your LeadLens admin to check the model.";

type CacheDeps = Pick<ScoringDeps, 'cache' | 'now' | 'staleAfterMs'>;

/** A lead's score is cached per model and record. */
export const scoreCacheKey = (modelId: string, crm: CrmKind, recordId: string) => scoreKeyOf(modelId, leadKeyOf(crm, recordId));

/** Where `request`'s score is cached under model `modelId`, and the hash of what it was asked for, kept with it. */
function scoreCacheSlot(modelId: string, request: LeadToScore): { key: string; fieldsHash: string } {
  // The same text reads as other numbers in another locale (1.500 employees), as another time in another time zone.
  const fieldsHash = [hashFields(request.fields), request.locale, request.timeZone].filter(Boolean).join(' ');
  return { key: scoreCacheKey(modelId, request.crm, request.recordId), fieldsHash };
}

/**
 * The cached score of `request` under model `modelId`, when it was asked for the same fields and
 * is not stale (`fresh`); `recent`: the one cached under `key` while not stale, whatever its fields.
 */
export async function freshCachedScore(
  modelId: string,
  request: LeadToScore,
  deps: CacheDeps,
): Promise<{ key: string; fieldsHash: string; fresh?: CachedScoreEntry; recent?: CachedScoreEntry }> {
  const { key, fieldsHash } = scoreCacheSlot(modelId, request);
  const recent = await recentCachedScore(key, deps);
  const fresh = recent?.fieldsHash === fieldsHash ? recent : undefined;
  return { key, fieldsHash, fresh, recent };
}

/** The score cached under `key`, whatever fields it was asked for, unless it is older than "stale after". */
export async function recentCachedScore(key: string, deps: CacheDeps): Promise<CachedScoreEntry | undefined> {
  const cached = await deps.cache.get(key);
  return cached && reusedAt(cached.scoredAt, deps.now().getTime(), deps.staleAfterMs) ? cached : undefined;
}

export async function scoreLead(request: LeadToScore, deps: ScoringDeps): Promise<ScoreOutcome> {
  const manifest = await deps.activeManifest();
  const { fresh } = await freshCachedScore(manifest.modelId, request, deps);
  // Whether it converted is not cached: a sync may have stored its outcome since.
  if (fresh) return { ok: true, lead: withConverted(fresh.lead, await recordConverted(manifest, request, fresh.fields ?? {}, deps)) };

  const now = deps.now();
  const pageReading = readPage(request, manifest, deps);
  const read = await withRecordFields(request, manifest, deps, pageReading);
  const page = await pageReading;
  const scored = await scoreRecord(manifest, read.fields, request.crm, now, page, deps.runModel);
  if (!scored.ok) return scored;
  const lead = await cacheBadgeScore(manifest, request, scored, read, now, page, deps.cache);
  return { ok: true, lead: withConverted(lead, await recordConverted(manifest, request, read.fields, deps)) };
}

/** `lead` said converted already (`converted`), without its plan to make it hotter: a rep is not to chase a customer. */
function withConverted(lead: ScoredLead, converted: ScoredLead['converted']): ScoredLead {
  if (!converted) return lead;
  const { hotter: _plan, ...scored } = lead;
  return { ...scored, converted };
}

/** A stored lead's outcome, as a sync stored it, and the fields it read it from. */
export type StoredOutcome = Pick<StoredLead, 'fields' | 'outcome'>;

/** The field holding a CRM's own status, which a sync stores each lead's outcome by (lib/sync `toStoredLead`). */
const CRM_STATUS_FIELDS = { salesforce: 'IsConverted', hubspot: HUBSPOT_LIFECYCLE_FIELD } as const satisfies Record<CrmKind, string>;

/**
 * The rule that tells whether a record of `crm` converted, and the key its field has in `fields`:
 * the active model's outcome rule when it was trained on this CRM's leads (`byModel`), else the
 * CRM's own status (`suggestOutcome`). Undefined when `fields` do not hold that field.
 */
export function convertedRuleOf(manifest: Manifest, fields: RawRecord, crm: CrmKind) {
  const byModel = manifest.outcomeRule?.source === crm ? manifest.outcomeRule : undefined;
  const rule = byModel ?? suggestOutcome(crm, { [CRM_STATUS_FIELDS[crm]]: [] });
  const key = rule ? recordKey(fields, rule.field) : undefined;
  return rule && key !== undefined && !isMissingRaw(fields[key]) ? { rule, byModel, key } : undefined;
}

/**
 * Whether the record whose fields are `fields` converted already, by the rule `found` for them
 * (`convertedRuleOf`), as the side panel counts a stored lead (`leadsToWork`): by the active model's outcome rule when it was trained on this CRM's leads
 * (`outcomeOf`; a value the page shows by its label, as the model recorded it, `valueLabels`); else
 * by the CRM's own status, as a sync stores it: Salesforce's IsConverted, a HubSpot lifecycle stage
 * of opportunity or later in the portal's own order (`hubspotOutcome`). A page shows a stage by its
 * label ("Closed Won"), a sync reads its value (7654321) in an order the page does not show: the
 * `portalStages` the last sync kept name the page's stage and decide (`convertedInPortalOrder`),
 * so a contact moved back since reads as not converted at once. Where they do not (none kept, a
 * stage added since), the outcome the sync `stored` for this record does: either way where it read
 * the stage the page holds now; else converted if it stored so (a stage moves forward, mostly), or
 * by HubSpot's default order, as without it. The field that says so and its value, as text
 * (`fieldInWords`, `valueAsShown`); undefined when not converted, or when `fields` do not hold that
 * field: no claim without the field.
 */
export function convertedAlready(
  found: ReturnType<typeof convertedRuleOf>,
  fields: RawRecord,
  crm: CrmKind,
  stored?: StoredOutcome,
  portalStages?: readonly LifecycleStage[],
): ScoredLead['converted'] {
  if (!found) return undefined;
  const { rule, byModel, key } = found;
  const text = String(fields[key]);
  const labels = byModel?.valueLabels ?? {};
  // A page shows a choice by its label ("Product Qualified Lead"), the API by its value (1234567).
  const labelled = Object.keys(labels).find((value) => holdsOneOf(fields, key, [labels[value]]));
  const value = labelled ?? text;
  const inPortalOrder = !byModel && crm === 'hubspot' && portalStages ? convertedInPortalOrder(fields, key, portalStages) : undefined;
  const storedDecides = !byModel && stored !== undefined;
  const sameStage = storedDecides && holdsOneOf(stored.fields, rule.field, [value]);
  // Only HubSpot's stage is shown by a label: Salesforce's IsConverted is read as the API gives it, as a sync stores it.
  const convertedAtSync = storedDecides && crm === 'hubspot' && stored.outcome === 1;
  const converted = inPortalOrder?.converted ?? (sameStage ? stored?.outcome === 1 : convertedAtSync || outcomeOf({ [rule.field]: value }, rule) === 1);
  if (!converted) return undefined;
  // Said as the page shows it: a value read from the API by its label, where the model recorded one, or a kept stage's.
  const shown = labelled === undefined && Object.hasOwn(labels, text) ? labels[text] : (inPortalOrder?.labelOfValue ?? text);
  return { field: fieldInWords(rule.field, crm), value: valueAsShown(shown.trim()) };
}

/**
 * Whether the HubSpot stage `fields[key]` shows converted in the order of the portal's `stages`, as
 * a sync stores it (`hubspotOutcome`): the stages it names by value or label (as `holdsOneOf`
 * compares); undefined when it names none, or some converted and some not (two stages labelled alike).
 * With it, the label of the stage it names by value (read from the API), to say it as the page does.
 */
function convertedInPortalOrder(fields: RawRecord, key: string, stages: readonly LifecycleStage[]): { converted: boolean; labelOfValue?: string } | undefined {
  const order = lifecycleOrder(stages.map(({ value }) => value));
  const named = stages.filter(({ value, label }) => holdsOneOf(fields, key, [value]) || holdsOneOf(fields, key, [label]));
  const verdicts = new Set(named.map(({ value }) => hubspotOutcome(value, order) === 1));
  if (verdicts.size !== 1) return undefined;
  return { converted: verdicts.has(true), labelOfValue: named.find(({ value }) => holdsOneOf(fields, key, [value]))?.label };
}

/**
 * Whether `request`'s record converted already (`convertedAlready`), by the fields it was scored
 * from that its score keeps (`scored`; those its cached score keeps: `fieldsScoreKeeps`, a record
 * read's Salesforce IsConverted among them), the page's filling the rest (`withPageFilling`): the
 * outcome field of a model's rule is no field it reads. The badge, from its score or its cached
 * one, and the side panel's explanation ask so, of the same fields. The stored lead, and a HubSpot
 * portal's kept stages, are read only when they may decide, once each, side by side: not for a
 * Salesforce lead, whose stored outcome is no more than its IsConverted as of the last sync, nor
 * where the model's rule decides.
 */
export async function recordConverted(
  manifest: Manifest,
  request: LeadToScore,
  scored: RawRecord,
  deps: Pick<ScoringDeps, 'storedLead' | 'portalLifecycleStages'>,
): Promise<ScoredLead['converted']> {
  const fields = withPageFilling(fieldsScoreKeeps(scored, manifest, request.crm), request.fields);
  const found = convertedRuleOf(manifest, fields, request.crm);
  // Without the CRM's status in `fields`, where the model's rule decides, or for Salesforce, nothing a sync stored says more.
  if (found === undefined || found.byModel !== undefined || request.crm === 'salesforce') return convertedAlready(found, fields, request.crm);
  // What a sync stored must not cost the badge its score: without it, its fields alone say (a stage in HubSpot's default order).
  const unlessFailed = <T>(read: Promise<T> | undefined, what: string) =>
    read?.catch((error: unknown) => {
      console.warn(`LeadLens: could not read ${what}; telling whether it converted without it`, error instanceof Error ? error.message : '');
      return undefined;
    });
  const [stored, portalStages] = await Promise.all([
    unlessFailed(deps.storedLead?.(request.crm, request.recordId), 'the stored lead'),
    request.crm === 'hubspot' ? unlessFailed(deps.portalLifecycleStages?.(), "the portal's lifecycle stages") : undefined,
  ]);
  return convertedAlready(found, fields, request.crm, stored, portalStages);
}

/**
 * The badge's score of `request`, `scored` from the fields `read` for it (`withRecordFields`) as
 * of `now`: with what would make it hotter, and cached unless the CRM did not answer. The badge
 * keeps its score so, and so does the side panel's explanation when it read the fields itself.
 */
export async function cacheBadgeScore(
  manifest: Manifest,
  request: LeadToScore,
  scored: Extract<ScoredRecord, { ok: true }>,
  read: RecordFields,
  now: Date,
  page: PageRead,
  cache: ScoreCache,
): Promise<ScoredLead> {
  const hotter = hotterInWords(manifest, scored, read.fields, request.crm, now, page, read.recordRead);
  const lead: ScoredLead = hotter ? { ...scored.lead, hotter } : scored.lead;
  // A score of the page's fields alone because the CRM did not answer is not kept: the next visit reads the record again.
  if (!read.readFailed) {
    const { key, fieldsHash } = scoreCacheSlot(manifest.modelId, request);
    await cache.put(key, { fieldsHash, lead, fields: fieldsScoreKeeps(read.fields, manifest, request.crm) });
  }
  return lead;
}

/**
 * Per feature, whether its fields were read (`FieldsRead`): those `fields` hold, empty or not, as
 * featurization finds them (`recordKey`): a field the page does not show is not known, not empty.
 * When the CRM's record was read, all but those with a field it left out (a rate's clicks or its
 * opens): its API gives each field it has, empty or not, and leaves out one it no longer gives
 * (deleted, renamed, hidden by field-level security, an archived property), which is not known
 * either, not empty on the lead.
 * A file's stored row is its whole row. The side panel's explanation (`explainInFull`) reads them so too.
 */
export function fieldsReadOf(manifest: Manifest, fields: RawRecord, source: SourceKind, recordRead: boolean): boolean[] {
  const held = (name: string | undefined) => name !== undefined && recordKey(fields, name) !== undefined;
  const namesOf = (feature: Feature) => fieldSourcesOf(feature.derive).map((from) => from[source]);
  const leftOutOfRecord = (feature: Feature) => source !== 'csv' && namesOf(feature).some((name) => name !== undefined && !held(name));
  return manifest.features.map((feature) => (recordRead ? !leftOutOfRecord(feature) : namesOf(feature).every(held)));
}

/**
 * The badge's short "what would make it hotter": the side panel's plan for the lead, worked out on
 * the same inputs (the tier it was scored with, the fields read, its values as the CRM wrote them),
 * so the two never disagree, each change in the side panel's words. None for a hot lead, a model
 * without shape functions, or a plan with no change (the side panel says why).
 */
function hotterInWords(
  manifest: Manifest,
  scored: Extract<ScoredRecord, { ok: true }>,
  fields: RawRecord,
  crm: CrmKind,
  now: Date,
  page: PageRead,
  recordRead: boolean,
): ScoredLead['hotter'] {
  if (scored.lead.tier === 'hot' || !modelHasShapes(manifest)) return undefined;
  const read = fieldsReadOf(manifest, fields, crm, recordRead);
  const plan = whatWouldMakeHotter(manifest, scored.row, scored.contributions, crm, scored.lead.tier, read, valuesAsWritten(manifest, fields, crm, now, page));
  if (!plan || plan.changes.length === 0) return undefined;
  // As the side panel says beside its plan: what it could not weigh, the page not showing it.
  const notOnPage = featuresNotRead(manifest, scored.row, crm, read).planned;
  return {
    targetTier: plan.targetTier,
    reaches: plan.reaches,
    changes: plan.changes.slice(0, HOTTER_CHANGES_MAX).map((change) => planChangeInWords(change, isolatedText).join('')),
    ...(notOnPage.length > 0 && { notOnPage: notOnPage.map(isolatedText) }),
  };
}

/** A record scored (`scoreRecord`): its score as the badge shows it, with the model's input and output behind it. */
export type ScoredRecord = { ok: true; lead: ScoredLead; row: Float32Array; contributions: number[] } | { ok: false; error: string };

/**
 * Score one record's `fields` as of `now`: featurize them, run the model, and turn its output into
 * the score a rep sees (`toScoredLead`); a record with no field known, or that the model gives no
 * score (`engineRow`), is refused in words a rep can read. The badge and the side panel's
 * explanation both score a lead here, so they give it the same score and refuse it alike. `page`:
 * the CRM page `fields` were read from; none for a stored lead's fields (a file's lead: `explainStoredLead`).
 */
export async function scoreRecord(
  manifest: Manifest,
  fields: RawRecord,
  source: SourceKind,
  now: Date,
  page: PageRead | undefined,
  runModel: ScoringDeps['runModel'],
): Promise<ScoredRecord> {
  const row = featurizeRecord(fields, manifest.features, source, now); // [F]
  const featuresKnown = knownFeatureCount(row);
  if (featuresKnown === 0) return { ok: false, error: NO_READABLE_FIELDS };
  const scored = engineRow(await runModel(manifest.modelId, row, manifest.features.length), 0);
  if (!scored) return { ok: false, error: MODEL_GAVE_NO_SCORE };
  const lead = toScoredLead(manifest, scored.probability, scored.contributions, fields, source, now, featuresKnown, page);
  return { ok: true, lead, row, contributions: scored.contributions };
}

/**
 * The fields a lead's score asks the CRM's record for (`withRecordFields`) and keeps: those the
 * model reads, and, where no outcome rule of the model's decides whether it converted
 * (`convertedRuleOf`), a Salesforce lead's IsConverted, which a Lightning page never shows, so the
 * badge and the side panel say a converted lead so (`recordConverted`) when the record is read.
 * Scoring reads only the model's (`featurizeRecord`); HubSpot's lifecycle stage is on its page.
 */
function fieldsScoreReads(manifest: Manifest, crm: CrmKind): string[] {
  const byCrmStatus = crm === 'salesforce' && manifest.outcomeRule?.source !== crm;
  return [...new Set([...fieldsRead(manifest.features, crm), ...(byCrmStatus ? [CRM_STATUS_FIELDS.salesforce] : [])])];
}

/**
 * Of a record's fields, those its score reads (`fieldsScoreReads`): all the side panel's
 * explanation and `recordConverted` need. The page offers every field it shows (descriptions,
 * notes): the cache keeps no more than it must.
 */
function fieldsScoreKeeps(fields: RawRecord, manifest: Manifest, crm: CrmKind): RawRecord {
  return Object.fromEntries(fieldsScoreReads(manifest, crm).flatMap((name) => (Object.hasOwn(fields, name) ? [[name, fields[name]]] : [])));
}

/**
 * The fields the badge scored for this lead and when, from its fresh cached score; without
 * one, read them as it would (withRecordFields), scoredAt null, and how (`readNow`). The side panel explains these, so it neither reads the
 * record from the CRM a second time nor scores other fields than the badge. With them, the page
 * they were read from (`pageReadOf`), for the reasons to word its values as the badge's do: a
 * fresh cached score was asked for the same page fields, locale and time zone (`freshCachedScore`),
 * so they read as they did then. A badge whose record read failed cached nothing (`scoreLead`):
 * the panel reads the record again, and may get what the badge could not.
 */
export async function scoredFields(
  manifest: Manifest,
  request: LeadToScore,
  deps: CacheDeps & Pick<ScoringDeps, 'fetchRecord' | 'currencyRates'>,
): Promise<{ fields: RawRecord; scoredAt: number | null; page: PageRead; readNow?: RecordFields }> {
  const pageReading = readPage(request, manifest, deps);
  const { fresh } = await freshCachedScore(manifest.modelId, request, deps);
  if (fresh?.fields) return { fields: fresh.fields, scoredAt: fresh.scoredAt ?? null, page: await pageReading };
  const readNow = await withRecordFields(request, manifest, deps, pageReading);
  return { fields: readNow.fields, scoredAt: null, page: await pageReading, readNow };
}

/**
 * How a page's amounts written with a currency's ISO code read (`pageFieldsAsData`): at the
 * `rates` the CRM's API converts records' amounts at, as it converts them (`amountInCorporateCurrency`;
 * only a multi-currency Salesforce org's API converts). Otherwise as the page shows them in the
 * user's own currency: where the API converts none (`rates` null), and where the rates are not
 * known (not connected, not read), every lead's amount then in the user's currency, most often the
 * corporate one, rather than each in its own: ¥300,000,000 is not $300,000,000.
 */
function inApiCurrencyOf(rates: ReadonlyMap<string, number> | null | undefined): InApiCurrency | undefined {
  if (!rates) return undefined;
  return (amount, currency) => amountInCorporateCurrency(amount, currency, rates);
}

/**
 * The page `request` was read from: its fields as it shows them ("€1.200.000") and as read as
 * data (1200000) in its locale (1.500 employees on a German page are 1500), its times in its
 * time zone, and its amounts in another currency in the one the CRM's API hands amounts on in, at
 * `rates` (`ScoringDeps.currencyRates`; `inApiCurrencyOf`) (`pageFieldsAsData`).
 */
export function pageReadOf(request: LeadToScore, manifest: Manifest, rates?: ReadonlyMap<string, number> | null): PageRead {
  const read = pageFieldsAsData(request.fields, manifest.features, request.crm, pageConventions(request.locale), request.timeZone, inApiCurrencyOf(rates));
  return { shown: request.fields, read };
}

/**
 * The page `request` was read from (`pageReadOf`), with the rates the CRM converts amounts at when
 * they can be read: read alongside the record (`withRecordFields`), whose read takes the same
 * rates, and given up with it (a CRM that does not answer).
 */
async function readPage(request: LeadToScore, manifest: Manifest, deps: Pick<ScoringDeps, 'currencyRates'>): Promise<PageRead> {
  const rates = await deps.currencyRates?.(request.crm).catch((error: unknown) => {
    console.warn("LeadLens: could not read the CRM's currency rates; reading the page's amounts in the user's currency", error instanceof Error ? error.message : '');
    return undefined;
  });
  return pageReadOf(request, manifest, rates);
}

/** A lead's fields as read for scoring (`withRecordFields`). */
export interface RecordFields {
  fields: RawRecord;
  readFailed: boolean;
  recordRead: boolean;
}

/**
 * The record's fields `manifest`'s score reads (`fieldsScoreReads`), from the API (when
 * connected), with the page's fields filling those the API has no value for (hidden from the API
 * user, say). The API's value wins: it is what sync stored and the model learned from (a
 * picklist's value, not the label the page shows: HubSpot's OFFLINE, not "Offline Sources"; a
 * number or date as data). Without the API (or if reading fails), the page's fields alone: those
 * of `request` as `page` read them
 * (`pageReadOf`; its reading may still be under way: `readPage`). Either way an amount is in the
 * currency the API hands amounts on in: the page's amount in another currency is read at the API's
 * rates, and is missing where its currency has none, as the API empties it (so it fills no amount
 * the API emptied on purpose). The badge and the side panel's explanation both score these, so
 * they agree.
 * `readFailed`: the CRM was asked and did not answer (an error, or no answer in time), unlike a
 * CRM not connected or a record it does not have, which asking again would not change.
 * `recordRead`: the CRM's record was read, so every field the model reads was, but those it left
 * out, the CRM no longer giving them (`fieldsReadOf`).
 */
export async function withRecordFields(
  request: LeadToScore,
  manifest: Manifest,
  deps: Pick<ScoringDeps, 'fetchRecord'>,
  page: PageRead | Promise<PageRead>,
): Promise<RecordFields> {
  let readFailed = false;
  const api = await deps.fetchRecord?.(request.crm, request.recordId, fieldsScoreReads(manifest, request.crm)).catch((error: unknown) => {
    console.warn('LeadLens: could not read the record from the CRM; scoring the fields on the page', error instanceof Error ? error.message : '');
    readFailed = true;
    return null;
  });
  const { read } = await page;
  if (!api) return { fields: read, readFailed, recordRead: false };
  return { fields: withPageFilling(api, read), readFailed, recordRead: true };
}

/** `record`'s fields, `page`'s filling those it has no value for (`withRecordFields`). */
function withPageFilling(record: RawRecord, page: RawRecord): RawRecord {
  const merged: RawRecord = { ...record };
  for (const [name, value] of Object.entries(page)) if (record[name] === undefined || record[name] === null || record[name] === '') merged[name] = value;
  return merged;
}

/**
 * One engine output row as the score, tier and reasons a rep sees (shared by single and batch
 * scoring). `page` is the CRM page `fields` were read from, when they were (a record page's badge,
 * not a list's rows): the reasons word its numbers as it shows them ("€1.200.000", not "$1,200,000").
 */
export function toScoredLead(
  manifest: Manifest,
  probability: number,
  contributions: ArrayLike<number>,
  fields: RawRecord,
  source: SourceKind,
  now: Date,
  featuresKnown: number,
  page?: PageRead,
): ScoredLead {
  return {
    probability,
    ...scoreAndTier(probability, manifest),
    baseRate: manifest.reference.baseRate,
    tiers: { hot: manifest.tiers.hot, warm: manifest.tiers.warm },
    reasons: explainLead(manifest, contributions, fields, source, now, page),
    featuresKnown,
    featuresTotal: featuresTracked(manifest, source),
    modelId: manifest.modelId,
    modelCreatedAt: manifest.createdAt,
    modelDatedByData: datedByItsData(manifest),
    modelLearntFromMadeUpLeads: learntFromMadeUpLeads(manifest),
  };
}
