/**
 * Reads of the stored leads and their scores: for the extension pages, a chunk at a time so
 * the main thread never blocks for long, whatever the number of leads; for the training and
 * policy workers, without yielding (those say so). Pages read leads as their summaries
 * (`db.leadSummaries`), never whole with their fields, apart from the few a record page scored
 * (`recordPageScores`); only the workers read every lead whole (the options page's policy worker,
 * the side panel's rule-outcomes worker), for a model's own outcome rule.
 */
import { DEMO_ACCOUNTS } from '../crm/demo-accounts';
import { CRM_KINDS, SOURCE_KINDS, type CrmKind } from '../crm/types';
import { db, demoLeadKeys, leadKeyOfCachedScore, leadKeyPrefix, ownLeadStored, scoreKeyOf, scoreKeyPrefix, type LeadScore, type LeadSummary, type StoredLead } from '../db/db';
import { ALL_KEYS, forEachChunk, prefixRange, yieldToEventLoop } from '../db/chunks';
import { CachedScoreSchema, pageScoreOfStoredLead, reusedAt } from '../db/record-page-scores';
import { historyRule, inHistory, type HistoryRule } from '../db/source-history';
import type { ScoredLead } from '../messaging/protocol';
import { featurizeRecord, knownFeatureCount, type SourceKind } from '../ml/featurize';
import type { Manifest } from '../ml/manifest';
import { manifestOf } from '../ml/model-store';
import {
  latestExportDate,
  modelOutcomeOf,
  modelSourceName,
  outcomeSettled,
  settledDaysOf,
  trainedSourceName,
  windowCountedFrom,
  type ModelOutcomeRule,
} from '../ml/outcome-rule';
import { SAME_PROBABILITY_TOLERANCE } from '../ml/score';
import { strongestReasons, topReasonFor, topReasonRaises } from '../presentation';
import { collectFilterChoices, mostLikelyFirst, type ScoredLeadRow, type ScoredLeads } from '../segments';
import { recordStaleAfterMs } from '../settings/record-staleness';
import { dexieSyncStore } from '../sync/store';
import type { ActiveModelScores } from '../ml/train/training-job';

export const PAGE_CHUNK = 2000;

/**
 * The most summaries read as one range for a chunk of scores. A range can hold many more leads
 * than the chunk has scores (a CRM's leads synced but not scored yet, between two scored
 * sources): its summaries are then read by key, so no read holds more than a few chunks.
 */
const SUMMARY_RANGE_LIMIT = 2 * PAGE_CHUNK;

/** The summaries of the leads of `scores` (in lead-key order), by key; a lead no longer stored has none. */
async function summariesOf(scores: readonly LeadScore[]): Promise<Map<string, LeadSummary>> {
  const inRange = await db.leadSummaries
    .where(':id')
    .between(scores[0].leadKey, scores[scores.length - 1].leadKey, true, true)
    .limit(SUMMARY_RANGE_LIMIT)
    .toArray();
  const summaries = inRange.length < SUMMARY_RANGE_LIMIT ? inRange : await db.leadSummaries.bulkGet(scores.map((score) => score.leadKey));
  return new Map(summaries.flatMap((lead) => (lead ? [[lead.key, lead]] : [])));
}

/** What a row shows of a lead's score: the stored score's, or its record page's (`recordPageScores`). */
type ShownScore = Pick<LeadScore, 'probability' | 'score' | 'tier' | 'topReason' | 'reasonUp' | 'reasonDown'>;

/** A record page's score as `recordPageScores` reads it; `reusedUntil`: when `reusedAt` stops reusing it (epoch ms; Infinity: never). */
type PageScore = ShownScore & { reusedUntil: number };

/** Whether `shown` lists a lead at another score or tier than `listed`: not for its top reason's words alone (`recordPageScoresDifferFrom`). */
const listsOtherwise = (shown: ShownScore, listed: Pick<ShownScore, 'score' | 'tier'>): boolean => shown.score !== listed.score || shown.tier !== listed.tier;

/** A record page's score of a lead as a stored score would hold it, its top reason picked as a scoring of the stored leads picks it (bulk-score.ts). */
function asShownScore({ probability, score, tier, reasons }: ScoredLead): ShownScore {
  const strongest = strongestReasons(reasons);
  return { probability, score, tier, topReason: topReasonFor(tier, strongest), ...strongest };
}

/**
 * The org or portal whose record pages show a stored lead, as a CRM page is served one
 * (`storedLeadServes`, page-access.ts): a synced lead's, the one it was synced from; a demo
 * lead's, the demo CRM's unless leads are synced from that one; none for an imported file's.
 */
function pageAccountOf({ origin, source }: Pick<StoredLead, 'origin' | 'source'>, syncedFrom: ReadonlyMap<CrmKind, string | undefined>): string | undefined {
  if (source === 'csv') return undefined;
  if (origin === 'sync') return syncedFrom.get(source);
  return origin === 'demo' && syncedFrom.get(source) !== DEMO_ACCOUNTS[source] ? DEMO_ACCOUNTS[source] : undefined;
}

/**
 * The scores model `modelId`'s record pages cached of stored leads that those leads' badges and
 * list rows show (`pageScoreOfStoredLead`), by lead key: still reused at `now` by the admin's
 * "stale after", and cached for a page of the org the lead is stored from (a cached score answers
 * its own org's pages alone: score-cache.ts). A rep who edited a lead in the CRM sees its new
 * score there before the next sync stores it, and the panel counts and lists it by that score too.
 * One read of the model's cached scores; the few stored leads a record page scored are read
 * whole, for how many of the model's fields their stored fields give.
 */
async function recordPageScores(modelId: string, now: number): Promise<Map<string, PageScore>> {
  const [cached, staleAfterMs] = await Promise.all([db.scores.where(':id').between(...prefixRange(scoreKeyPrefix(modelId)), true, true).toArray(), recordStaleAfterMs()]);
  const recent = cached.flatMap((entry) => {
    const parsed = CachedScoreSchema.safeParse(entry);
    // A list's own cached scores keep no fields (`pageScoreOfStoredLead` never shows them): their leads are not read.
    return parsed.success && parsed.data.fields !== undefined && reusedAt(parsed.data.scoredAt, now, staleAfterMs) ? [{ leadKey: leadKeyOfCachedScore(entry.key), entry: parsed.data }] : [];
  });
  const shown = new Map<string, PageScore>();
  if (recent.length === 0) return shown;
  const [leads, manifest, syncedFrom] = await Promise.all([
    db.leads.bulkGet(recent.map(({ leadKey }) => leadKey)),
    manifestOf(modelId),
    Promise.all(CRM_KINDS.map(async (crm) => [crm, (await dexieSyncStore(db).readState(crm)).account?.id] as const)).then((accounts) => new Map(accounts)),
  ]);
  const at = new Date(now);
  recent.forEach(({ leadKey, entry }, i) => {
    const lead = leads[i];
    if (!lead || entry.account === undefined || entry.account !== pageAccountOf(lead, syncedFrom)) return;
    const featuresKnown = knownFeatureCount(featurizeRecord(lead.fields, manifest.features, lead.source, at));
    const pageScore = pageScoreOfStoredLead(entry, featuresKnown);
    if (pageScore) shown.set(leadKey, { ...asShownScore(pageScore.lead), reusedUntil: entry.scoredAt === undefined ? Infinity : entry.scoredAt + staleAfterMs });
  });
  return shown;
}

/**
 * Whether a record page's score of model `modelId` puts a lead of `rows` at another score or tier
 * than they do (`recordPageScores`): the side panel reads every lead again only then, not at each
 * lead a rep opens, which would read 100,000 of them at each record page. Not for its top reason's
 * words alone, which move with the day ("9 days" since created, then "10 days") and the page's
 * number format, and come right at the next read.
 */
export async function recordPageScoresDifferFrom(modelId: string, rows: readonly ScoredLeadRow[]): Promise<boolean> {
  const pageScores = await recordPageScores(modelId, Date.now());
  if (pageScores.size === 0) return false;
  return rows.some((row) => {
    const shown = pageScores.get(row.leadKey);
    return shown !== undefined && listsOtherwise(shown, row);
  });
}

/** Which way a stored score's top reason moves the odds, when its reasons up and down say. */
function topReasonDirection(score: Pick<LeadScore, 'topReason' | 'reasonUp' | 'reasonDown'>): { topReasonRaises?: boolean } {
  const raises = topReasonRaises(score);
  return raises === undefined ? {} : { topReasonRaises: raises };
}

/**
 * `loadScoredLeads`'s leads; `listedOtherwiseUntil` (epoch ms): when the first record page's score
 * that lists a lead otherwise than its stored score stops being reused, its badge then showing the
 * stored score again, which nothing announces (absent: no such score, or none that goes stale).
 */
export interface ListedScoredLeads extends ScoredLeads {
  listedOtherwiseUntil?: number;
}

/**
 * Every stored lead that model `modelId` has scored, without its fields, the most likely first
 * (the order the side panel shows first, so its sorts, adaptive, find the rows in order
 * already), with the owners and lead sources its filters offer, collected chunk by chunk.
 * A model's scores (keys `${modelId}|${leadKey}`) and the summaries (keys `leadKey`) are both in
 * lead-key order: each chunk of scores is joined with the summaries of its range of keys, so no
 * map of every score is held (100,000 of them, six strings each) while the leads load.
 * Demo mode's leads stored beside your own are marked `madeUp` (`madeUpLeads` for a model without
 * a rule): the rates by stored outcomes leave them out, and the panel counts them.
 * A lead whose record page's score its badge and list rows show (`recordPageScores`) is listed with
 * that score rather than its stored one: one lead, one score. Not `withRecordPageScores`: by its
 * stored score alone, as the panel lists it once a tier policy applied clears the record pages' scores.
 */
export async function loadScoredLeads(modelId: string, { withRecordPageScores = true } = {}): Promise<ListedScoredLeads> {
  const rows: ScoredLeadRow[] = [];
  const choices = collectFilterChoices();
  // Every demo lead's key is a read as long as a few chunks, needed only for demo leads made up beside
  // your own: read beside the chunks, not before the first. Demo mode alone (100,000 leads) reads none.
  const madeUpRead: Promise<ReadonlySet<string>> = madeUpLeads(undefined).then((keys) => new Set(keys));
  const pageScoresRead = withRecordPageScores ? recordPageScores(modelId, Date.now()) : Promise.resolve(new Map<string, PageScore>());
  let listedOtherwiseUntil = Infinity;
  // Awaited by the first chunk; a failed chunk read would leave their rejections unheard.
  madeUpRead.catch(() => undefined);
  pageScoresRead.catch(() => undefined);
  await forEachChunk(
    db.leadScores,
    PAGE_CHUNK,
    async (storedScores) => {
      const [summaryOf, madeUp, pageScores] = await Promise.all([summariesOf(storedScores), madeUpRead, pageScoresRead]);
      const chunkRows: ScoredLeadRow[] = [];
      for (const stored of storedScores) {
        const lead = summaryOf.get(stored.leadKey);
        if (!lead) continue;
        const pageScore = pageScores.get(lead.key);
        if (pageScore && listsOtherwise(pageScore, stored)) listedOtherwiseUntil = Math.min(listedOtherwiseUntil, pageScore.reusedUntil);
        const score = pageScore ?? stored;
        chunkRows.push({
          leadKey: lead.key,
          source: lead.source,
          recordId: lead.id,
          name: lead.name,
          owner: lead.owner,
          leadSource: lead.leadSource,
          createdAt: lead.createdAt,
          outcome: lead.outcome,
          probability: score.probability,
          score: score.score,
          tier: score.tier,
          topReason: score.topReason,
          ...topReasonDirection(score),
          ...(madeUp.has(lead.key) && { madeUp: true as const }),
        });
      }
      for (const row of chunkRows) rows.push(row);
      choices.add(chunkRows);
      await yieldToEventLoop();
    },
    prefixRange(scoreKeyPrefix(modelId)),
  );
  return { rows: mostLikelyFirst(rows), choices: choices.choices(), ...(Number.isFinite(listedOtherwiseUntil) && { listedOtherwiseUntil }) };
}

/**
 * How many stored leads model `modelId` gave no score when it last went through them
 * (`db.unscorableLeads`: it reads none of their fields), and how many of those are Demo mode's.
 * Two key reads, one request each, matched in memory: a `bulkGet` of every demo lead's mark
 * made one IndexedDB request per demo lead (100,000 in Demo mode), which held the side
 * panel's main thread for seconds and queued its leads' read behind them.
 */
export function unscorableLeadCounts(modelId: string): Promise<{ total: number; demo: number }> {
  return db.transaction('r', [db.leads, db.unscorableLeads], async () => {
    const unscorableKeys = (await db.unscorableLeads
      .where('[modelId+key]')
      .between([modelId, ALL_KEYS[0]], [modelId, ALL_KEYS[1]], true, true)
      .primaryKeys()) as string[];
    if (unscorableKeys.length === 0) return { total: 0, demo: 0 };
    const demo = new Set(await demoLeadKeys());
    return { total: unscorableKeys.length, demo: unscorableKeys.filter((key) => demo.has(key)).length };
  });
}

/**
 * The time (epoch ms) the ages of `source`'s stored leads are counted from at `now`, as the
 * trainer counts its window (`windowCountedFrom`): now for a CRM's; for an imported file's, its
 * latest created date, from the summaries of its history (demo leads left out as `historyRule`
 * says), a chunk at a time: nothing else is held whatever the number of leads. A lead created days
 * before an export months ago had had days to convert, not months.
 */
export async function leadAgesCountedFrom(source: SourceKind, now: number): Promise<number> {
  let latest = Number.NEGATIVE_INFINITY;
  // Only a file's leads are as of another time than now: a CRM's are not read.
  if (source === 'csv') {
    // Read with the first of them: with no file lead stored (Demo mode, a CRM's leads), the rule's
    // counts of the whole store would be for nothing, and the side panel asks this on every load.
    let history: HistoryRule | undefined;
    await forEachChunk(
      db.leadSummaries,
      PAGE_CHUNK,
      async (summaries) => {
        const rule = (history ??= await historyRule(source));
        latest = latestExportDate(
          summaries.filter((summary) => inHistory(rule, summary.key)).map((summary) => summary.createdAt),
          now,
          latest,
        );
      },
      prefixRange(leadKeyPrefix(source)),
    );
  }
  return windowCountedFrom(source, [latest], now);
}

/**
 * The stored file's latest created date at `now` when its leads' ages are counted to it
 * (`leadAgesCountedFrom`) rather than to now, for saying so beside the figures that count them
 * (`agesCountedTo`); null when they count to now: no dated file lead is stored, or its latest is
 * dated up to a day after now (a time zone ahead).
 */
export async function fileLeadsAsOf(now: number): Promise<number | null> {
  const countedFrom = await leadAgesCountedFrom('csv', now);
  return countedFrom < now ? countedFrom : null;
}

export interface LabelledProbabilities {
  /** [N] 1 converted, 0 not */
  labels: Uint8Array;
  /** [N] */
  probabilities: Float64Array;
  /** How many of them, first, are held-out probabilities of leads the model was trained on. */
  heldOut: number;
  /**
   * [M] the model's probability of every stored lead it scored, outcome known or not (held-out for
   * those it was trained on), apart from the made-up ones the drift check leaves out too
   * (`madeUpLeads`): a capacity policy, which reads no outcome, ranks these, not the few
   * whose outcome is known, and each tier's contacts are its share of them. For a model whose rule
   * is of a CRM, that CRM's leads alone: the trainer chose the tiers in force on its leads, and the
   * other CRM's, read through few of the fields it learnt from, would move the cuts of the same policy.
   */
  ranked: Float64Array;
  /**
   * [K] the stored scores of `ranked`'s first K leads, those the model learnt from (ranked by their
   * held-out probability), NaN for one it has not scored: what the side panel, lead lists and badges
   * tier them by. Its own scores of the leads it learnt from are surer than a check model's, so a
   * tier's count there can be well off its share of `ranked` (86 hot leads of 1,000 where 63 were
   * previewed); the rest of `ranked` are their stored scores already.
   */
  learntFromScores: Float64Array;
  /**
   * `probabilities` [N] and `ranked` [M] with those of the leads the model learnt from read through
   * a calibration fitted again without each one's fold (cross-fitted, `db.heldOutScores`): what a
   * value or fixed policy counts every figure of them by (`countedLabelled`), as the model card does.
   * Absent for a model whose held-out probabilities were kept without them (trained by an older LeadLens).
   */
  crossFitted?: { probabilities: Float64Array; ranked: Float64Array };
}

/**
 * Probabilities [N] and known outcomes [N] of one model's leads, for choosing thresholds: for
 * the leads it was trained on, their held-out probabilities (`db.heldOutScores`: what the
 * trainer chose its thresholds on); for the others, their stored scores. With the model's
 * `outcomeRule` a lead's outcome is the rule's on its fields (as the model was trained to
 * predict it), read from the whole leads a chunk at a time, and only for leads of the history
 * of the source it was trained on (`historyRule`: its demo leads are left out once it has
 * leads of its own); without one, the outcome stored at sync or import, read from the lead
 * summaries. Leads whose outcome is unknown (open, another source's, or not trained on and
 * not `outcomeSettled` by the minimum age the model was trained with (`settledDaysOf` its rule),
 * counted from `now`, or an imported file's from its latest created date (`leadAgesCountedFrom`):
 * not converted yet, it may still, as the training window left it out) or that are
 * no longer stored are left out. Demo mode's leads are left out of the ranked leads too once
 * there are leads of your own (`madeUpLeads`): 2,000 made-up leads ranked with the real ones
 * would move a capacity policy's cuts. It reads every
 * scored lead without yielding: call it from a worker (the options page's policy worker), not a page.
 */
export async function labelledProbabilities(modelId: string, outcomeRule?: ModelOutcomeRule, now = Date.now()): Promise<LabelledProbabilities> {
  const labels: number[] = [];
  const probabilities: number[] = [];
  const crossFittedProbabilities: number[] = [];
  const outcomeByRule = outcomeRule && (await ruleOutcome(outcomeRule));
  const settledAfterDays = settledDaysOf(outcomeRule);
  // A rule labels the leads of its source alone; without one, every source's stored outcomes count.
  const sources: SourceKind[] = outcomeRule ? [outcomeRule.source] : [...SOURCE_KINDS];
  const countedFrom = new Map(await Promise.all(sources.map(async (source) => [source, await leadAgesCountedFrom(source, now)] as const)));
  const outcomesOf = async (keys: string[], settledOnly: boolean) => {
    // `?? now`: a lead of another source than the rule's, which has no outcome by it anyway.
    const known = (lead: { source: SourceKind; createdAt: number } | undefined) =>
      lead !== undefined && (!settledOnly || outcomeSettled(lead.createdAt, countedFrom.get(lead.source) ?? now, settledAfterDays));
    return outcomeByRule
      ? (await db.leads.bulkGet(keys)).map((lead) => (known(lead) ? outcomeByRule(lead!) : null))
      : (await db.leadSummaries.bulkGet(keys)).map((lead) => (known(lead) ? lead!.outcome : null));
  };
  // As the drift check counts them: a lead learnt from while the demo was all its source had is made up all the same.
  const madeUp = new Set(await madeUpLeads(outcomeRule));
  const heldOut = await db.heldOutScores.get(modelId);
  const trainedOn = new Set(heldOut?.leadKeys);
  // Kept by this LeadLens beside the held-out probabilities; an older one kept none.
  const crossFitted = heldOut?.crossFittedProbabilities;
  // The leads it was trained on were old enough by its window: their outcomes count whatever their age. Made-up outcomes never.
  const add = async (keys: string[], probabilityOf: (i: number) => number, settledOnly: boolean, crossFittedOf = probabilityOf) => {
    const outcomes = await outcomesOf(keys, settledOnly);
    outcomes.forEach((outcome, i) => {
      if (outcome === undefined || outcome === null || madeUp.has(keys[i])) return;
      labels.push(outcome);
      probabilities.push(probabilityOf(i));
      if (crossFitted) crossFittedProbabilities.push(crossFittedOf(i));
    });
  };

  const ranked: number[] = [];
  const crossFittedRanked: number[] = [];
  const learntFromScores: number[] = [];
  const rankedCrm = rankedCrmOf(outcomeRule);
  const isRanked = ofCrm(rankedCrm);
  await forEachSlice(heldOut?.leadKeys ?? [], PAGE_CHUNK, async (leadKeys, start) => {
    // Only the leads still stored: the list may name one deleted since (a sync removed it while the
    // model trained, or before a sync's deletions were taken out of these lists), which no policy sorts.
    const [stored, scores] = await Promise.all([db.leadSummaries.bulkGet(leadKeys), db.leadScores.bulkGet(leadKeys.map((leadKey) => scoreKeyOf(modelId, leadKey)))]);
    leadKeys.forEach((leadKey, i) => {
      if (stored[i] === undefined || madeUp.has(leadKey) || !isRanked(leadKey)) return;
      ranked.push(heldOut!.probabilities[start + i]);
      if (crossFitted) crossFittedRanked.push(crossFitted[start + i]);
      learntFromScores.push(scores[i]?.probability ?? Number.NaN);
    });
    await add(leadKeys, (i) => heldOut!.probabilities[start + i], false, crossFitted && ((i) => crossFitted[start + i]));
  });
  const heldOutCount = labels.length;
  await forEachChunk(
    db.leadScores,
    PAGE_CHUNK,
    async (chunk) => {
      const scores = chunk.filter((score) => !trainedOn.has(score.leadKey));
      for (const score of scores) {
        if (madeUp.has(score.leadKey)) continue;
        ranked.push(score.probability);
        if (crossFitted) crossFittedRanked.push(score.probability);
      }
      await add(
        scores.map((score) => score.leadKey),
        (i) => scores[i].probability,
        true,
      );
    },
    scoresOf(modelId, rankedCrm),
  );
  return {
    labels: Uint8Array.from(labels),
    probabilities: Float64Array.from(probabilities),
    heldOut: heldOutCount,
    ranked: Float64Array.from(ranked),
    learntFromScores: Float64Array.from(learntFromScores),
    ...(crossFitted && { crossFitted: { probabilities: Float64Array.from(crossFittedProbabilities), ranked: Float64Array.from(crossFittedRanked) } }),
  };
}

/**
 * Model `modelId`'s probability of each of `leadKeys` [N], NaN where it has none: for the leads
 * it was trained on, their held-out probabilities (a model's scores of its own training leads
 * flatter it), else its stored scores; and whether any of them is held out (a model trained in
 * LeadLens, whose training leads are still stored as it knew them), with their held-out logits
 * when it kept them (not one trained by an older LeadLens). Reads every key without yielding: for a worker.
 */
export async function probabilitiesOf(modelId: string, leadKeys: readonly string[]): Promise<ActiveModelScores> {
  const probabilities = new Float64Array(leadKeys.length).fill(Number.NaN); // [N]
  const heldOutLogits = new Float64Array(leadKeys.length).fill(Number.NaN); // [N]
  const heldOut = await db.heldOutScores.get(modelId);
  const trainedOn = new Map(heldOut?.leadKeys.map((key, i) => [key, i]));
  await forEachSlice(leadKeys, PAGE_CHUNK, async (keys, start) => {
    const scores = await db.leadScores.bulkGet(keys.map((key) => scoreKeyOf(modelId, key)));
    keys.forEach((key, i) => {
      const row = trainedOn.get(key);
      probabilities[start + i] = row !== undefined ? heldOut!.probabilities[row] : (scores[i]?.probability ?? Number.NaN);
      if (row !== undefined && heldOut!.logits) heldOutLogits[start + i] = heldOut!.logits[row];
    });
  });
  // Held out for some of these leads: an import that renamed them (or another org's sync) may have emptied the list.
  return { probabilities, heldOut: leadKeys.some((key) => trainedOn.has(key)), ...(heldOut?.logits && { heldOutLogits }) };
}

/** A lead's outcome by a model's rule (`modelOutcomeOf`), with the history of the source it was trained on read once. */
async function ruleOutcome(rule: ModelOutcomeRule): Promise<(lead: StoredLead) => 0 | 1 | null> {
  const history = await historyRule(rule.source);
  return (lead) => modelOutcomeOf(lead, rule, (leadKey) => inHistory(history, leadKey));
}

/** Stored scores of a model per probability bin, for the drift check. */
export interface ScoresPerBin {
  /** [B] */
  counts: number[];
  /** Stored scores of leads the model was trained on, not counted. */
  trainedOn: number;
  /** The CRM whose leads alone were counted (`crmLearntFrom`); absent when every source's were. */
  crm?: CrmKind;
}

/** What a model's manifest says of the leads it learnt from: its outcome rule, and its `provenance.source`. */
export type TrainedOnLeads = Pick<Manifest, 'outcomeRule'> & { provenance: Pick<Manifest['provenance'], 'source'> };

/**
 * The CRM a model learnt from the leads of alone, its own or Demo mode's: its outcome rule's
 * source, or for one trained here before its rule was recorded, the CRM its provenance names
 * (`Salesforce leads`, `HubSpot demo leads`, or as an older LeadLens wrote them: `modelSourceName`).
 * None for a file's rows (imported here or given to the CLI: often another system's export, meant
 * for leads of any source) or the default model's.
 */
export function crmLearntFrom({ outcomeRule, provenance }: TrainedOnLeads): CrmKind | undefined {
  if (outcomeRule) return rankedCrmOf(outcomeRule);
  const named = modelSourceName(provenance.source);
  return CRM_KINDS.find((crm) => named === trainedSourceName(crm) || named === trainedSourceName(crm, true));
}

/** The CRM whose leads alone a capacity policy ranks (`LabelledProbabilities.ranked`): a rule's labels are its source's leads alone; of a CRM, so are the ranked ones. */
export function rankedCrmOf(outcomeRule: ModelOutcomeRule | undefined): CrmKind | undefined {
  return outcomeRule && CRM_KINDS.find((crm) => crm === outcomeRule.source);
}

/** Whether a lead key is of `crm`: every lead is, without one. */
const ofCrm =
  (crm: CrmKind | undefined) =>
  (leadKey: string): boolean =>
    crm === undefined || leadKey.startsWith(leadKeyPrefix(crm));

/** The keys of `modelId`'s stored scores of `crm`'s leads, or of every lead without one. */
const scoresOf = (modelId: string, crm: CrmKind | undefined): [string, string] => prefixRange(crm ? scoreKeyOf(modelId, leadKeyPrefix(crm)) : scoreKeyPrefix(modelId));

/**
 * How many stored scores of `modelId` fall in each probability bin (bin b = [cuts[b − 1],
 * cuts[b]), `cuts` ascending, a score within `SAME_PROBABILITY_TOLERANCE` under a cut counting
 * as at it), apart from the leads it learnt from and made-up ones; for a model that learnt from
 * one CRM's leads (`crmLearntFrom` of `model`), of that CRM's leads alone: the other CRM's, read
 * through few of the fields it learnt from, would read as a shift of the leads it is meant for.
 * Every source's are counted on the [modelId+probability] index; one CRM's are read from their
 * range of keys, the index knowing no source. Then the scores of the leads it was trained on
 * (`db.heldOutScores`) and of the made-up leads (`madeUpLeads`) among them are read, to take
 * them off. Drift is about the real leads it scores beyond its training leads: counting the
 * others would hide it.
 */
export async function scoresPerProbabilityBin(modelId: string, cuts: readonly number[], model?: TrainedOnLeads): Promise<ScoresPerBin> {
  // The cuts are the trainer's float32 arithmetic, the scores the engine's: a score a few float32 steps under a cut is
  // at it, in the bin from it as the training leads at the cut are (every lead of a model that tells no lead apart is so).
  const lowerEdges = cuts.map((cut) => cut - SAME_PROBABILITY_TOLERANCE);
  const crm = model && crmLearntFrom(model);
  const counted = ofCrm(crm);
  return db.transaction('r', [db.leadScores, db.leads, db.heldOutScores], async () => {
    const [counts, demoLeftOut, heldOut] = await Promise.all([
      crm ? countsInRange(scoresOf(modelId, crm), lowerEdges) : countsOnIndex(modelId, lowerEdges),
      madeUpLeads(model?.outcomeRule),
      db.heldOutScores.get(modelId),
    ]);
    const trainedOn = new Set(heldOut?.leadKeys.filter(counted));
    const notCounted = new Set([...demoLeftOut.filter(counted), ...trainedOn]);
    let trainedOnScored = 0;
    await forEachSlice([...notCounted], PAGE_CHUNK, async (leadKeys) => {
      const scores = await db.leadScores.bulkGet(leadKeys.map((leadKey) => scoreKeyOf(modelId, leadKey)));
      scores.forEach((score, i) => {
        if (!score) return;
        counts[binOf(score.probability, lowerEdges)] -= 1;
        if (trainedOn.has(leadKeys[i])) trainedOnScored++;
      });
    });
    return { counts, trainedOn: trainedOnScored, ...(crm && { crm }) };
  });
}

/** How many of `modelId`'s stored scores, of every lead, are in each bin of `lowerEdges`, counted on the [modelId+probability] index: no score is read. */
function countsOnIndex(modelId: string, lowerEdges: readonly number[]): Promise<number[]> {
  const bounds = [-Infinity, ...lowerEdges, Infinity];
  return Promise.all(
    bounds.slice(1).map((upper, b) =>
      db.leadScores
        .where('[modelId+probability]')
        .between([modelId, bounds[b]], [modelId, upper], true, upper === Infinity)
        .count(),
    ),
  );
}

/** How many of the stored scores of `range` (of keys) are in each bin of `lowerEdges`, as `binOf` bins them, read a chunk at a time. */
async function countsInRange(range: [string, string], lowerEdges: readonly number[]): Promise<number[]> {
  const counts = new Array<number>(lowerEdges.length + 1).fill(0);
  await forEachChunk(
    db.leadScores,
    PAGE_CHUNK,
    (scores) => {
      for (const score of scores) counts[binOf(score.probability, lowerEdges)] += 1;
    },
    range,
  );
  return counts;
}

/**
 * The demo leads, of every source, a model trained on `source` did not learn from: all of them
 * once its history is real leads (Demo mode's made-up contacts of the other CRM are no leads it
 * scores beyond its history); none while its history is demo leads alone (`historyRule`), the
 * demo then being what it is tried on.
 */
async function demoLeadsNotLearntFrom(source: SourceKind): Promise<string[]> {
  if ((await historyRule(source)).demoOnly) return [];
  return demoLeadKeys();
}

/**
 * The stored leads that are made up, for figures read from a model's scores of real leads: the
 * demo leads a model with an outcome rule did not learn from (`demoLeadsNotLearntFrom`); for a
 * model without one (the default model, a CLI model), every demo lead once any lead of your own
 * is stored, none while the demo is all there is.
 */
async function madeUpLeads(outcomeRule: ModelOutcomeRule | undefined): Promise<string[]> {
  if (outcomeRule) return demoLeadsNotLearntFrom(outcomeRule.source);
  // Asked first: with Demo mode's leads alone, their keys (100,000 of them) are not read for nothing.
  return (await ownLeadStored()) ? demoLeadKeys() : [];
}

/** `body` on each slice of `items` of at most `size` (with the index of its first item), one after the other. */
async function forEachSlice<T>(items: readonly T[], size: number, body: (slice: T[], start: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) await body(items.slice(start, start + size), start);
}

/** The bin of `probability`, as `scoresPerProbabilityBin` counts it on its bins' `lowerEdges`: lower edge included, upper excluded. */
function binOf(probability: number, lowerEdges: readonly number[]): number {
  const above = lowerEdges.findIndex((edge) => probability < edge);
  return above === -1 ? lowerEdges.length : above;
}
