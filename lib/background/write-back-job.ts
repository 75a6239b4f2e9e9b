/**
 * Runs a write-back in the background service worker, which Chrome may stop at any time.
 * No module state: the job's progress is a Dexie `settings` row per CRM, a cancel is a
 * `storage.session` flag, and a Web Lock marks the job as alive. A job whose worker was stopped,
 * or whose browser or extension restarted (which clear `storage.session`), is not resumed (a
 * write-back is cheap to repeat and writes the same values): its state says so, with what it
 * wrote and was refused until then, and the admin starts it again.
 */
import { browser } from 'wxt/browser';
import { connectedClient } from '../connections/client-for';
import { clearReconnect, failureInPlainWords, markReconnect } from '../connections/connections';
import type { Connection } from '../connections/schema';
import type { CrmUser, FieldUpdate } from '../crm/client';
import { isCrmError } from '../crm/http';
import { CRM_LABEL, type CrmKind } from '../crm/types';
import { forEachChunk, prefixRange } from '../db/chunks';
import { db, leadKeyOf, leadKeyPrefix, scoreKeyOf, syncedLeadsOf, type LeadScore, type StoredLead } from '../db/db';
import {
  comparable,
  heldValuesRemembered,
  readWrittenValues,
  rememberFieldsWritten,
  rememberFieldsWrittenBefore,
  rememberWrittenBackFields,
  setHeldValuesRemembered,
  targetFields,
  writtenValuesKey,
} from '../db/written-back-fields';
import {
  fieldsHeldKey,
  FieldsHeldSchema,
  recordIdsListed,
  reportWithoutRecords,
  storedFieldsHeld,
  storedWriteBackReport,
  writeBackReportKey,
  type FieldsHeld,
} from '../db/write-back-report';
import { listenForCancel } from '../jobs/cancel-flag';
import { broadcastToPages } from '../messaging/events';
import { otherUserMessage } from '../sync/engine';
import { dexieSyncStore, otherAccountRefusal } from '../sync/store';
import { keepWorkerAliveDuring } from './keep-alive';
import { scoreStoredLeadsOffscreen } from './offscreen-engine';
import { idleWriteBack, isUnderway, MAX_FAILED_IDS_SHOWN, WriteBackSummarySchema, type WriteBackSummary, type WrittenWith } from '../messaging/protocol-write-back';
import { activeModelId, manifestOf } from '../ml/model-store';
import { tierOf, type ScoreScale } from '../ml/score';
import { storedScoreOnScale } from '../ml/retier';
import type { TierThresholds } from '../ml/train/thresholds';
import { lastSyncOutcome, topReasonRaises, topReasonWithWay } from '../presentation';
import { datedByItsData } from '../ml/outcome-rule';
import {
  checkedByCrm,
  fieldUpdate,
  fieldsToWrite,
  modelInputRefusal,
  writeBack,
  type CheckedTarget,
  type RowToWrite,
  type ScoreToWrite,
  type WriteBackResult,
  type WriteBackTarget,
} from './write-back';

const cancelKey = (crm: CrmKind) => `write-back-cancel:${crm}`;
/** Held while the CRM's write-back is under way. */
export const writeBackLockName = (crm: CrmKind) => `leadlens-write-back:${crm}`;

/** Stored leads read at a time when choosing what to write: their fields are not all held at once. */
const LEADS_CHUNK = 2000;

/** Forgets the CRM's last write-back report (its counts and lead ids are the previous org's) and what it says its fields hold, in the caller's transaction if any. */
export async function forgetWriteBackReport(crm: CrmKind): Promise<void> {
  await db.settings.bulkDelete([writeBackReportKey(crm), fieldsHeldKey(crm)]);
}

/**
 * Saves the write-back's state and, when it knows what its fields hold, that too: an attempt
 * that knows nothing of them (a field mistyped and refused, other fields whose check failed)
 * leaves what the fields it did not write hold as it was.
 */
async function writeState(summary: WriteBackSummary): Promise<void> {
  const { crm, target, writtenWith } = summary;
  // The leads read in the same transaction as the write: a sync's removal lands before the check or after the write.
  await db.transaction('rw', [db.settings, db.leads], async () => {
    await db.settings.put({ key: writeBackReportKey(crm), value: WriteBackSummarySchema.parse(await withoutLeadsRemoved(summary)) });
    if (target && writtenWith) await db.settings.put({ key: fieldsHeldKey(crm), value: FieldsHeldSchema.parse({ target, writtenWith } satisfies FieldsHeld) });
  });
}

/**
 * `summary` less the records it lists whose lead is no longer stored: a sync that removed them
 * (deleted or merged away in the CRM, maybe a GDPR erasure) took their ids out of the stored report
 * (`forgetRecordsInWriteBackReport`), and the job's own failures would otherwise put them back.
 * Only the ids listed are looked up, keys only: at most MAX_FAILED_IDS_SHOWN of each group shown.
 */
async function withoutLeadsRemoved(summary: WriteBackSummary): Promise<WriteBackSummary> {
  const listed = recordIdsListed(summary);
  if (listed.length === 0) return summary;
  const keys = listed.map((id) => leadKeyOf(summary.crm, id));
  const stored = new Set((await db.leads.where(':id').anyOf(keys).primaryKeys()) as string[]);
  return reportWithoutRecords(summary, new Set(listed.filter((_, i) => !stored.has(keys[i]))));
}

async function isAlive(crm: CrmKind): Promise<boolean> {
  const { held = [] } = await navigator.locks.query();
  return held.some((lock) => lock.name === writeBackLockName(crm));
}

/** The CRM's last write-back; one under way whose job is gone (its worker stopped, the browser or LeadLens restarted) reads as an error. */
export async function readWriteBack(crm: CrmKind): Promise<WriteBackSummary> {
  const parsed = await storedWriteBackReport(db, crm);
  if (!parsed.success) return idleWriteBack(crm);
  if (isUnderway(parsed.data.status) && !(await isAlive(crm))) {
    return { ...parsed.data, status: 'error', error: 'Stopped before the end (the browser or LeadLens restarted, or the browser stopped LeadLens’s background worker): write back again' };
  }
  return parsed.data;
}

/**
 * Whether the CRM takes a write to this synced lead. A converted Salesforce Lead is read-only
 * (CANNOT_UPDATE_CONVERTED_LEAD, unless the user has the rarely granted "View and Edit Converted
 * Leads" permission): sent, each would be a failure and a wasted update. A HubSpot contact that
 * converted (opportunity, customer) is still an ordinary editable contact, and its owner keeps
 * working it: it is written.
 */
function takesWriteBack(crm: CrmKind, lead: StoredLead): boolean {
  return !(crm === 'salesforce' && lead.outcome === 1);
}

/** Whether a lead's fields, as last synced or written, hold the values an update would write. */
const holdsAlready = (fields: StoredLead['fields'], update: FieldUpdate['fields']) =>
  Object.entries(update).every(([name, value]) => comparable(fields[name]) === comparable(value));

/** What LeadLens remembers having written to a lead (`readWrittenValues`) once `update` is in: an emptied field, nothing. */
function rememberedAfter(before: Readonly<Record<string, string>>, update: FieldUpdate): Record<string, string> {
  const wrote = { ...before };
  for (const [name, value] of Object.entries(update.fields)) {
    if (comparable(value) === '') delete wrote[name];
    else wrote[name] = comparable(value);
  }
  return wrote;
}

/**
 * Remembers as LeadLens's the values leads already hold that it would write (`held`), for those it
 * remembers nothing of: written by a version before it remembered them, or by a batch whose answer
 * never came (the sync read them back). Else they could never be emptied. Done until every lead
 * has been gone through once (`heldValuesRemembered`), and again after a batch left unanswered.
 */
async function rememberHeldValues(crm: CrmKind, held: readonly FieldUpdate[]): Promise<void> {
  if (held.length === 0) return;
  const known = await readWrittenValues(crm, held.map((update) => update.recordId));
  const unknown = held.filter((_, i) => Object.keys(known[i]).length === 0);
  const rows = unknown.map((update) => ({ key: writtenValuesKey(leadKeyOf(crm, update.recordId)), value: rememberedAfter({}, update) }));
  await db.settings.bulkPut(rows.filter(({ value }) => Object.keys(value).length > 0));
}

/** `modelId`'s scale as it is now (`ScoreScale`): a tier policy applied since changes its tier thresholds. */
async function scaleNow(modelId: string): Promise<ScoreScale> {
  const { reference, tiers } = await manifestOf(modelId);
  return { reference, tiers: { hot: tiers.hot, warm: tiers.warm } };
}

/**
 * A stored score as written on `scale`: its score and tier from its probability (and the top
 * reason of that tier), as the re-tiering gives them, so that the thresholds recorded are those
 * of every tier written, and each score its tier's, even of a score the re-tiering of a policy
 * just applied has not reached yet.
 */
function toWrite(recordId: string, stored: LeadScore, scale: ScoreScale): ScoreToWrite {
  const onScale = storedScoreOnScale(stored, scale);
  const { score, tier, topReason } = onScale;
  return { recordId, score, tier, topReason: topReasonWithWay(topReason, topReasonRaises(onScale)) };
}

/**
 * What to write to the leads synced from `crm` that it takes (demo and CSV leads are not the CRM's
 * records; those it does not take are counted, `converted`, for the page to say so): `modelId`'s
 * scores on `scale` (its tier thresholds as now), less those the leads' fields already
 * hold as last synced or written back (`keepWritten`), since writing the same values would spend API calls and stamp
 * every lead as modified, so the next sync would read them all again (counted as `unchanged`).
 * A lead the model cannot score (it reads none of its fields) has the target's fields emptied
 * where they still hold what LeadLens wrote there (`readWrittenValues`): no longer its score,
 * which the CRM would otherwise go on showing, and its reports and workflows using, as current.
 * Until every lead synced in full has been gone through, values held are remembered (`rememberHeldValues`).
 */
export async function scoresToWrite(
  crm: CrmKind,
  modelId: string,
  target: CheckedTarget,
  scale: ScoreScale,
): Promise<{ rows: RowToWrite[]; unchangedProbabilities: number[]; converted: number }> {
  const rows: RowToWrite[] = [];
  let converted = 0;
  // Of the leads counted unchanged: their tiers are those of `scale`'s thresholds.
  const unchangedProbabilities: number[] = [];
  const clearable = fieldsToWrite(target).map((field) => field.name);
  const rememberHeld = !(await heldValuesRemembered(crm));
  // Read before the leads: a first sync under way stores more of them, which may hold values too.
  const everyLeadStored = (await dexieSyncStore(db).readState(crm)).completedCursor !== null;
  await forEachChunk(
    db.leads,
    LEADS_CHUNK,
    async (chunk) => {
      const synced = chunk.filter((lead) => lead.origin === 'sync');
      const leads = synced.filter((lead) => takesWriteBack(crm, lead));
      converted += synced.length - leads.length;
      const scores = await db.leadScores.bulkGet(leads.map((lead) => scoreKeyOf(modelId, lead.key)));
      const unscored = leads.filter((_, index) => !scores[index]);
      const wroteOf = new Map((await readWrittenValues(crm, unscored.map((lead) => lead.id))).map((wrote, i) => [unscored[i].id, wrote]));
      const held: FieldUpdate[] = [];
      leads.forEach((lead, index) => {
        const score = scores[index];
        if (!score) {
          const wrote = wroteOf.get(lead.id) ?? {};
          const clear = clearable.filter((name) => wrote[name] !== undefined && comparable(lead.fields[name]) === wrote[name]);
          if (clear.length > 0) rows.push({ recordId: lead.id, clear, wrote });
          return;
        }
        const row = toWrite(lead.id, score, scale);
        const update = fieldUpdate(row, target);
        if (holdsAlready(lead.fields, update.fields)) {
          unchangedProbabilities.push(score.probability);
          if (rememberHeld) held.push(update);
        } else rows.push(row);
      });
      await rememberHeldValues(crm, held);
    },
    prefixRange(leadKeyPrefix(crm)),
  );
  if (rememberHeld && everyLeadStored) await setHeldValuesRemembered(crm, true);
  return { rows, unchangedProbabilities, converted };
}

/**
 * `rows` with `modelId`'s scores as they are now, just before they are sent, tiered with the
 * thresholds in force now (returned with them): a tier policy applied meanwhile re-tiers them (a
 * new tier, its top reason), and those written are the values in the CRM. A lead removed
 * meanwhile is left out. When the active model is no longer `modelId`, its scores are not the
 * ones to write: the write-back stops.
 */
async function asScoredNow(crm: CrmKind, modelId: string, rows: readonly RowToWrite[]): Promise<{ rows: RowToWrite[]; thresholds: TierThresholds; probabilities: Map<string, number> }> {
  if ((await activeModelId()) !== modelId) {
    throw new Error('Another model was made active while the scores were being written: write back again to write its scores to every lead');
  }
  const scale = await scaleNow(modelId);
  const scores = await db.leadScores.bulkGet(rows.map((row) => scoreKeyOf(modelId, leadKeyOf(crm, row.recordId))));
  const probabilities = new Map<string, number>();
  const now = rows.flatMap((row, i): RowToWrite[] => {
    const score = scores[i];
    if (score) {
      probabilities.set(row.recordId, score.probability);
      return [toWrite(row.recordId, score, scale)];
    }
    return 'clear' in row ? [row] : [];
  });
  return { rows: now, thresholds: scale.tiers, probabilities };
}

/** The tier thresholds of the tiers the CRM's fields hold: the last ones written with, and whether others were too. */
type TiersHeld = Pick<WrittenWith, 'hot' | 'warm' | 'tiersMixed'>;

/** The tiers the CRM's fields hold (`sofar`, none yet when null) once tiers of `thresholds` joined them: mixed once two thresholds differ. */
function tiersAlsoWith(sofar: TiersHeld | null, thresholds: TierThresholds): TiersHeld {
  const differ = sofar !== null && (sofar.hot !== thresholds.hot || sofar.warm !== thresholds.warm);
  return { hot: thresholds.hot, warm: thresholds.warm, tiersMixed: (sofar?.tiersMixed ?? false) || differ };
}

/** Probabilities of the leads whose tiers the CRM's fields hold from this write-back, by the thresholds they were tiered with. */
type TieredLeads = Map<string, { thresholds: TierThresholds; probabilities: number[] }>;

function addTiered(tiered: TieredLeads, thresholds: TierThresholds, probabilities: readonly number[]): void {
  const key = `${thresholds.hot}|${thresholds.warm}`;
  const group = tiered.get(key) ?? { thresholds, probabilities: [] };
  for (const probability of probabilities) group.probabilities.push(probability);
  tiered.set(key, group);
}

/**
 * Whether some lead tiered with other thresholds than `last` would get another tier under them:
 * the fields hold tiers of more than one set of thresholds. A policy that moves no lead across a
 * threshold leaves every tier as `last` gives it.
 */
const tiersDifferUnder = (tiered: TieredLeads, last: TierThresholds) =>
  [...tiered.values()].some(({ thresholds, probabilities }) => probabilities.some((p) => tierOf(p, thresholds) !== tierOf(p, last)));

/**
 * What the CRM's fields hold after a write-back that wrote `now` stopped short of leads it meant
 * to write scores to, which still hold the previous write-back's values (`before`): a mix of both
 * when their thresholds or models differ.
 */
function alongsideEarlier(now: WrittenWith, before: WrittenWith): WrittenWith {
  const tiersMixed = now.tiersMixed || before.tiersMixed || now.hot !== before.hot || now.warm !== before.warm;
  const modelsMixed = now.modelsMixed === true || before.modelsMixed === true || now.modelId !== before.modelId;
  return { ...now, tiersMixed, ...(modelsMixed && { modelsMixed }) };
}

function summaryFailures(failed: WriteBackResult['failed']): WriteBackSummary['failures'] {
  return failed.map(({ error, recordIds }) => ({ error, count: recordIds.length, recordIds: recordIds.slice(0, MAX_FAILED_IDS_SHOWN) }));
}

function summaryNotCleared(notCleared: WriteBackResult['notCleared']): WriteBackSummary['notCleared'] {
  return notCleared.map(({ reason, recordIds }) => ({ reason, count: recordIds.length, recordIds: recordIds.slice(0, MAX_FAILED_IDS_SHOWN) }));
}

/** The `running` state with how far the writing has got. */
function withProgress(running: WriteBackSummary, { done, written, cleared, failed, unlistedFailures, notCleared, unlistedNotCleared, unconfirmed }: WriteBackResult): WriteBackSummary {
  return { ...running, done, written, cleared, failures: summaryFailures(failed), unlistedFailures, notCleared: summaryNotCleared(notCleared), unlistedNotCleared, unconfirmed };
}

/** Why no lead is synced from `crm`, as its last sync tells (`lastSyncOutcome`), or that none ended yet. */
async function noneSynced(crm: CrmKind): Promise<string> {
  const { status, lastRun, endedAt } = await dexieSyncStore(db).readState(crm);
  // None stored: it is asked only when no lead is synced from `crm`.
  const lastSync = lastSyncOutcome({ crm, status, lastRun, endedAt: endedAt ?? null, stored: 0 }, 'its last sync');
  const noLeads = `No leads synced from ${CRM_LABEL[crm]}`;
  if (lastSync.kind === 'stopped') return `${noLeads}: ${lastSync.clause} (see why under Sync)`;
  if (lastSync.kind === 'found-none') return `${noLeads}: ${lastSync.clause}. ${lastSync.askAdmin}, then sync again`;
  return `${noLeads}: sync first`;
}

/** Why a write-back found no lead to write: none synced, or none of those synced with a score the CRM takes. */
async function nothingToWrite(crm: CrmKind): Promise<string> {
  const synced = await syncedLeadsOf(crm).count();
  if (synced === 0) return noneSynced(crm);
  const label = CRM_LABEL[crm];
  if (synced === 1) {
    const converted = crm === 'salesforce' ? ', or it is a converted Lead, which Salesforce lets no one update' : '';
    return `The 1 lead synced from ${label} has no score to write: the active model reads none of its fields${converted}`;
  }
  const converted = crm === 'salesforce' ? ', or they are converted Leads, which Salesforce lets no one update' : '';
  return `None of the ${synced.toLocaleString('en-US')} leads synced from ${label} has a score to write: the active model reads none of their fields${converted}`;
}

/**
 * Starts writing `target` for every scored synced lead the CRM takes (`takesWriteBack`); resolves
 * once the job is marked `checking`, before it asks the CRM anything: checking the fields and
 * scoring the leads can take minutes, shown as its state, and a cancel stops them too. Why it
 * cannot go on (not connected, a field refused) is its state's error. The job takes its lock
 * before it reads the connection: a cancel, disconnect or purge meanwhile sees it alive and
 * stops it, and two starts at once run it once.
 */
export function startWriteBack(target: WriteBackTarget): Promise<WriteBackSummary> {
  const { crm } = target;
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(writeBackLockName(crm), { ifAvailable: true }, async (lock) => {
        if (!lock) return resolve(await readWriteBack(crm)); // already under way
        await browser.storage.session.remove(cancelKey(crm));
        const cancel = await listenForCancel(cancelKey(crm));
        try {
          const last = await readWriteBack(crm);
          await rememberFieldsOfReport(last);
          // Before anything is asked: the last write-back's end is not shown as this one's meanwhile.
          const { scoreField, tierField, reasonField } = target;
          const checking: WriteBackSummary = { ...idleWriteBack(crm), status: 'checking', target: { scoreField, tierField, reasonField }, writtenWith: stillHeld(target, await storedFieldsHeld(db, last)) };
          await writeState(checking);
          resolve(checking);
          // Other pages poll a write-back only once they read it under way.
          await broadcastToPages('connectionsOrRunsChanged', {});
          // Chrome stops a worker 30 s without an extension call: a batch retried with back-off, or
          // a slow field check, goes longer, and the job would stop with nobody to say so.
          await keepWorkerAliveDuring(runWriteBack(checking, target, cancel.signal));
        } finally {
          cancel.stop();
          await browser.storage.session.remove(cancelKey(crm));
        }
      })
      .catch(reject);
  });
}

/**
 * Records the fields the CRM's last write-back (its stored report) wrote scores to, with its end
 * as their last write, where nothing is recorded of them: a write-back of an older LeadLens did
 * not record them as it wrote (`keepWritten`). Before a write-back starts (once it writes to other
 * fields the page says what they hold), and before what the connected org's fields hold is
 * forgotten or named by a purge. Within the caller's transaction, if any.
 */
export async function rememberLastFieldsWritten(crm: CrmKind): Promise<void> {
  const last = await storedWriteBackReport(db, crm);
  if (last.success) await rememberFieldsOfReport(last.data);
}

/** `rememberLastFieldsWritten` of the report `last`, read already. */
async function rememberFieldsOfReport({ crm, target, written, cleared, finishedAt }: WriteBackSummary): Promise<void> {
  if (target && finishedAt !== null && written > cleared) await rememberFieldsWrittenBefore(crm, targetFields(target), finishedAt);
}

/**
 * What the CRM's fields hold (`held`), when they are the fields `target` names: they hold it until
 * this write-back writes a batch, however it ends before (a field refused, no connection,
 * cancelled while scoring), and the page goes on saying when it is no longer the active model's.
 */
function stillHeld({ scoreField, tierField, reasonField }: WriteBackTarget, held: FieldsHeld | null): WrittenWith | undefined {
  const sameFields = held?.target.scoreField === scoreField && held.target.tierField === tierField && held.target.reasonField === reasonField;
  return sameFields ? held.writtenWith : undefined;
}

/**
 * The active model's scores to write of the leads synced from the target's CRM, after scoring
 * them: leads synced or changed since they were last scored are written with their score from
 * their current fields, and tiered with the thresholds in force once they are scored (returned).
 * Only its own: the other CRM's (maybe 100,000) are not scored here.
 */
async function scoreLeadsToWrite(
  target: CheckedTarget,
  modelId: string,
  signal: AbortSignal,
): Promise<{ rows: RowToWrite[]; unchangedProbabilities: number[]; converted: number; thresholds: TierThresholds }> {
  const { crm } = target;
  const scored = await scoreStoredLeadsOffscreen(modelId, crm, signal);
  if (!scored.ok) throw new Error(`The stored leads could not be scored: ${scored.error}`);
  const scale = await scaleNow(modelId);
  const { rows, unchangedProbabilities, converted } = await scoresToWrite(crm, modelId, target, scale);
  if (rows.length + unchangedProbabilities.length === 0) throw new Error(await nothingToWrite(crm));
  return { rows, unchangedProbabilities, converted, thresholds: scale.tiers };
}

/**
 * Stores what the CRM took into its synced leads' fields, as the next sync would read them: the
 * next write-back compares with these, not with values from before this one (another model's).
 * Remembers it too as what LeadLens wrote there (`readWrittenValues`); an emptied field, nothing.
 * Once scores were written, records when the target's fields were last written to (`rememberFieldsWritten`).
 */
async function keepWritten(target: CheckedTarget, written: readonly FieldUpdate[]): Promise<void> {
  if (written.length === 0) return;
  const { crm } = target;
  await db.transaction('rw', [...db.leadTables, db.settings], async () => {
    // A lead emptied only wrote nothing new: the fields hold what was written before.
    const scoresWritten = written.some((update) => Object.values(update.fields).some((value) => value !== null));
    if (scoresWritten) await rememberFieldsWritten(crm, targetFields(target), Date.now());
    const leads = await db.leads.bulkGet(written.map((update) => leadKeyOf(crm, update.recordId)));
    // A lead removed meanwhile (a deletion synced, a purge) stays removed, and nothing of it is kept.
    const kept = written.filter((_, i) => leads[i] !== undefined);
    // No score is owed for it: the model reads no field write-back writes to (it refuses those), and no page shows them.
    await db.restampLeads(leads.flatMap((lead, i) => (lead ? [{ ...lead, fields: { ...lead.fields, ...written[i].fields } }] : [])));
    const wroteBefore = await readWrittenValues(crm, kept.map((update) => update.recordId));
    const wroteNow = kept.map((update, i) => ({ key: writtenValuesKey(leadKeyOf(crm, update.recordId)), value: rememberedAfter(wroteBefore[i], update) }));
    await db.settings.bulkPut(wroteNow.filter(({ value }) => Object.keys(value).length > 0));
    await db.settings.bulkDelete(wroteNow.filter(({ value }) => Object.keys(value).length === 0).map(({ key }) => key));
  });
}

/**
 * Why a write-back signed in as `signedIn` may not write the leads synced as `syncedAs` (an
 * admin's "Log in as" a rep): every lead it writes would be stamped as modified by that user, and
 * it would fail on the leads they may not edit. Null when the user is the same.
 */
function otherUserWriteBackRefusal(crm: CrmKind, syncedAs: CrmUser, signedIn: CrmUser): string | null {
  if (syncedAs.id === signedIn.id) return null;
  return otherUserMessage(crm, syncedAs, signedIn, {
    job: 'a write-back',
    harm: `stamp every lead it writes as modified by ${signedIn.name}, and fail on the leads ${signedIn.name} may not edit`,
    stopped: 'wrote nothing',
    again: 'Write back again',
    fromNowOn: 'sync and write back',
    afterConnect: ', then sync',
  });
}

/**
 * The job itself, inside its lock, from its `checking` state: checks the fields, scores the
 * leads, writes them; its progress and end go to its `settings` row, and what the CRM made of
 * the credentials to the connection's status.
 */
async function runWriteBack(checking: WriteBackSummary, chosen: WriteBackTarget, signal: AbortSignal): Promise<void> {
  const { crm } = checking;
  let connection: Connection | undefined;
  // The state written last: a stop ends the job with it, with what was written and refused so far.
  let reached = checking;
  const advance = (state: WriteBackSummary) => writeState((reached = state));
  // What the fields hold once it ends, from how far it got: the last write-back's values until it knows what it writes.
  let heldAtEnd = (ended: WriteBackSummary) => ended.writtenWith;
  try {
    const connected = await connectedClient(crm);
    if (!connected) throw new Error(`${CRM_LABEL[crm]} is not connected`);
    ({ connection } = connected);
    const { client } = connected;
    const { account, syncedAs } = await dexieSyncStore(db).readState(crm);
    // Another org's or portal's leads (a connect whose check failed forgot nothing) are not written into this one's records.
    const refusedFor = otherAccountRefusal(account, connection);
    if (refusedFor) throw new Error(refusedFor);
    // Whom the credentials sign in as, asked once, before anything is written: not another user than the leads were synced as.
    const signedInAsOther = syncedAs && client.currentUser && otherUserWriteBackRefusal(crm, syncedAs, await client.currentUser(signal));
    if (signedInAsOther) throw new Error(signedInAsOther);
    // Fields it must not fill (the CRM's own, read-only, of another type, too small, two as one,
    // one the active model reads) are refused first: nothing is scored, written, or remembered
    // as written-back (kept out of training).
    const target = checkedByCrm(chosen, await client.checkWritableFields(fieldsToWrite(chosen), signal));
    const modelId = await activeModelId();
    const manifest = await manifestOf(modelId);
    const readByModel = modelInputRefusal(target, manifest.features);
    if (readByModel) throw new Error(readByModel);
    const fields = fieldsToWrite(target);
    signal.throwIfAborted();
    await advance({ ...checking, status: 'scoring' });
    const { rows, unchangedProbabilities, converted, thresholds } = await scoreLeadsToWrite(target, modelId, signal);
    const unchanged = unchangedProbabilities.length;
    signal.throwIfAborted();
    // What the CRM's fields hold, which the page compares with the active model and tiers: the last
    // write-back's values (`checking`'s) until a batch is written; from then this model's, with the
    // thresholds of each batch written, and of the leads found holding their values already.
    const model = { modelId, modelCreatedAt: manifest.createdAt, modelDatedByData: datedByItsData(manifest) };
    let tiersHeld = unchanged > 0 ? tiersAlsoWith(null, thresholds) : null;
    let writtenWith = rows.length === 0 && tiersHeld ? { ...model, ...tiersHeld } : checking.writtenWith;
    let batchThresholds = thresholds;
    let batchProbabilities = new Map<string, number>();
    let writtenCounted = 0;
    const tiered: TieredLeads = new Map();
    addTiered(tiered, thresholds, unchangedProbabilities);
    // Leads to write scores to, less those removed meanwhile: any left unwritten at the end hold the last write-back's values still.
    let scoresToSend = rows.filter((row) => !('clear' in row)).length;
    // This model's values once some were written, with the last write-back's on the leads not (yet) written.
    const withEarlierLeft = (held: WrittenWith, sofar: Pick<WriteBackSummary, 'written' | 'cleared'>) => {
      const scoresLeft = scoresToSend - (sofar.written - sofar.cleared) > 0;
      return scoresLeft && checking.writtenWith ? alongsideEarlier(held, checking.writtenWith) : held;
    };
    // While it writes, thresholds that changed say the tiers are mixed; at the end, only if some lead's tier would change.
    heldAtEnd = (ended) => {
      if (!writtenWith || writtenWith === checking.writtenWith) return writtenWith;
      return withEarlierLeft({ ...writtenWith, tiersMixed: tiersDifferUnder(tiered, writtenWith) }, ended);
    };
    const running: WriteBackSummary = { ...checking, status: 'running', total: rows.length, unchanged, converted };
    // Before anything is written: training must never learn from these fields.
    await rememberWrittenBackFields(crm, fields.map((field) => field.name));
    await advance(running);
    // A batch the CRM takes without its answer read (a connection dropped, a cancel, the worker
    // stopped) leaves values unremembered, which the next sync reads back: until every batch is
    // answered, the next write-back looks for held values again.
    const heldRemembered = await heldValuesRemembered(crm);
    if (heldRemembered) await setHeldValuesRemembered(crm, false);
    const result = await writeBack(rows, target, client, {
      signal,
      current: async (due) => {
        const now = await asScoredNow(crm, modelId, due);
        batchThresholds = now.thresholds;
        batchProbabilities = now.probabilities;
        scoresToSend -= due.length - now.rows.length;
        return now.rows;
      },
      onProgress: (sofar) => {
        if (sofar.written > writtenCounted) {
          writtenCounted = sofar.written;
          tiersHeld = tiersAlsoWith(tiersHeld, batchThresholds);
          writtenWith = { ...model, ...tiersHeld };
        }
        // Saved as the fields hold it so far: a job that dies (the browser restarted) is read with it.
        const held = !writtenWith || writtenWith === checking.writtenWith ? writtenWith : withEarlierLeft(writtenWith, sofar);
        return advance({ ...withProgress(running, sofar), writtenWith: held });
      },
      onWritten: (written) => {
        addTiered(tiered, batchThresholds, written.flatMap((update) => batchProbabilities.get(update.recordId) ?? []));
        return keepWritten(target, written);
      },
    });
    if (heldRemembered && result.unconfirmed === 0) await setHeldValuesRemembered(crm, true);
    // The connection's status first: pages read it again when they see the write-back end.
    // Nothing to write sent nothing, so it says nothing of the credentials.
    if (result.written > 0) await clearReconnect(connection, 'the last write-back wrote to it');
    const ended = { ...withProgress(running, result), writtenWith };
    await writeState({ ...ended, writtenWith: heldAtEnd(ended), status: 'done', finishedAt: Date.now() });
  } catch (error) {
    const cancelled = signal.aborted;
    // Credentials refused at the first request (whom they sign in as, or the field check) say "reconnect" too,
    // and the write-back says why as the connection does: the step that fixes it, not the HTTP text.
    const refusedBy = connection && isCrmError(error, 'auth') ? connection : null;
    if (refusedBy) await markReconnect(refusedBy, error);
    const message = refusedBy ? failureInPlainWords(refusedBy, error) : error instanceof Error ? error.message : String(error);
    await writeState({
      ...reached,
      writtenWith: heldAtEnd(reached),
      status: cancelled ? 'cancelled' : 'error',
      error: cancelled ? null : message,
      ...(refusedBy && !cancelled && { stoppedBySignInRefusal: true as const }),
      finishedAt: Date.now(),
    });
  }
}

/** Asks a write-back under way to stop (after its current batch, when writing); what was written stays written. */
export async function cancelWriteBack(crm: CrmKind): Promise<WriteBackSummary> {
  if (await isAlive(crm)) await browser.storage.session.set({ [cancelKey(crm)]: true });
  return readWriteBack(crm);
}
