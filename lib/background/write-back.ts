/**
 * Write-back: each lead's score, tier and top reason into CRM fields the admin chose (a
 * Salesforce custom field, a HubSpot custom property), in batches of the size the CRM's batch
 * API takes, one batch at a time so the client's rate limiter paces them. The job checks the
 * fields with the CRM client first (`checkWritableFields` with `fieldsToWrite`: not the CRM's
 * own, read-only, of another type, or too small), and fills them to fit (`checkedByCrm`). A
 * failed batch is reported with its records and the others still go, as are the records the CRM
 * refused one by one (those refused for a lock another process held, met by the write or by a
 * trigger or Flow it ran, are sent once more first, after a pause: `isLocked`); a refusal every
 * batch would get (credentials, permission, limits, every record of batch after batch refused for
 * one reason) stops it, as does a batch whose answer never came (network, a timeout, 5xx): the
 * CRM may have written it. It pauses before a batch once the
 * CRM says the org's API allowance is nearly used (`apiAllowancePause`). A field to empty is read from the
 * CRM first, and emptied only while it still holds what LeadLens wrote there (`stillWritten`).
 */
import { z } from 'zod';
import { apiAllowancePause, type CrmClient, type CrmRecord, type FieldToWrite, type FieldUpdate, type RecordUpdateFailure, type WritableField } from '../crm/client';
import { CrmError, isCrmError, realClock, type Clock } from '../crm/http';
import { CRM_LABEL, fieldIdentity, type CrmKind } from '../crm/types';
import { MAX_FAILURE_GROUPS_SHOWN } from '../messaging/protocol-write-back';
import { CrmKindSchema } from '../messaging/schemas';
import { clipWithEllipsis, visibleText } from '../ml/visible-text';
import { recordKey } from '../ml/featurize';
import { featuresReadingField, type Feature } from '../ml/manifest';
import { comparable } from '../db/written-back-fields';
import { plural, TIER_LOOK } from '../presentation';
import { listInWords } from '../list-in-words';
import type { Tier } from '../messaging/protocol';

/** Salesforce custom fields (`LeadLens_Score__c`, namespaced `ns__X__c`) and HubSpot property names. */
const FIELD_NAME: Record<CrmKind, RegExp> = {
  salesforce: /^[A-Za-z][A-Za-z0-9_]*__c$/,
  hubspot: /^[a-z][a-z0-9_]*$/,
};


/** One of a target's fields, with what the form calls it. */
interface NamedField {
  role: string;
  name: string;
}

const FIELD_ROLES = [
  ['scoreField', 'score field'],
  ['tierField', 'tier field'],
  ['reasonField', 'top reason field'],
] as const;

/** The fields `target` names, with their roles, in the form's order. */
function namedFields(target: Pick<WriteBackTarget, 'scoreField' | 'tierField' | 'reasonField'>): NamedField[] {
  return FIELD_ROLES.flatMap(([key, role]) => (target[key] === null ? [] : [{ role, name: target[key] }]));
}

/** The first of `named` that are one field of `crm` (two or three), or null when each is its own. */
function oneFieldTwice(crm: CrmKind, named: readonly NamedField[]): NamedField[] | null {
  for (const field of named) {
    const same = named.filter((other) => fieldIdentity(crm, other.name) === fieldIdentity(crm, field.name));
    if (same.length > 1) return same;
  }
  return null;
}


/** "the tier field and the top reason field". */
function rolesInWords(fields: readonly NamedField[]): string {
  return listInWords(fields.map((field) => `the ${field.role}`));
}

const DIFFERENT_FIELDS = 'score, tier and reason need different fields';

/** Why fields typed for `crm` are one field: the same name, or (Salesforce) the same name in another case. */
function typedAsOneField(crm: CrmKind, clash: readonly NamedField[]): string {
  const spellings = [...new Set(clash.map((field) => field.name))];
  if (spellings.length === 1) return `${rolesInWords(clash)} name the same field, "${spellings[0]}"`;
  return `${rolesInWords(clash)} name the same field, ${spellings.map((name) => `"${name}"`).join(' and ')}, which ${CRM_LABEL[crm]} takes as one (its API names ignore case)`;
}

export const WriteBackTargetSchema = z
  .object({
    crm: CrmKindSchema,
    scoreField: z.string().nullable(),
    tierField: z.string().nullable(),
    reasonField: z.string().nullable(),
  })
  .superRefine((target, ctx) => {
    const fields = [target.scoreField, target.tierField, target.reasonField];
    if (fields.every((field) => field === null)) ctx.addIssue({ code: 'custom', message: 'choose at least one field to write' });
    for (const field of fields) {
      if (field !== null && !FIELD_NAME[target.crm].test(field)) {
        ctx.addIssue({
          code: 'custom',
          message: target.crm === 'salesforce' ? `"${field}" is not a custom field API name (Name__c)` : `"${field}" is not a property name (lowercase_name)`,
        });
      }
    }
    const clash = oneFieldTwice(target.crm, namedFields(target));
    if (clash) ctx.addIssue({ code: 'custom', message: `${typedAsOneField(target.crm, clash)}: ${DIFFERENT_FIELDS}` });
  });
export type WriteBackTarget = z.infer<typeof WriteBackTargetSchema>;

/**
 * What write-back needs from a CRM client: a batch update of at most `maxBatch` records, a read of
 * the fields it would empty, and how much of the org's API allowance is used (`apiAllowancePause`).
 */
export type RecordWriter = Pick<CrmClient, 'maxBatch' | 'updateRecords' | 'batchRead' | 'apiUsage'>;

export interface ScoreToWrite {
  recordId: string;
  score: number;
  tier: Tier;
  /** As written to the CRM, with which way it moves the odds (`topReasonWithWay`). */
  topReason: string;
}

/**
 * A lead the active model cannot score whose fields, as last synced, held the values LeadLens
 * wrote there before: `clear` are emptied, each only if the CRM still holds what LeadLens wrote
 * there when its batch is sent (a rep may have typed their own since the sync).
 */
export interface ValuesToClear {
  recordId: string;
  clear: readonly string[];
  /** What LeadLens last wrote to the lead's fields and the CRM took, as text (`readWrittenValues`). */
  wrote: Readonly<Record<string, string>>;
}

export type RowToWrite = ScoreToWrite | ValuesToClear;

/** Scores run 1–99 (`percentileScore`): a number field needs room for two digits before the decimal point. */
const HIGHEST_SCORE = 99;

/** A reason is one line of a list view or report: cut to this, or shorter to fit its field. */
export const REASON_MAX_LENGTH = 255;

/** The target's fields and what `fieldUpdate` fills them with: the score a number, the tier one of its words, the reason any text. */
export function fieldsToWrite(target: WriteBackTarget): FieldToWrite[] {
  const fields: FieldToWrite[] = [];
  if (target.scoreField) fields.push({ name: target.scoreField, holds: 'number', largest: HIGHEST_SCORE });
  if (target.tierField) fields.push({ name: target.tierField, holds: 'text', values: Object.values(TIER_LOOK).map((look) => look.word) });
  if (target.reasonField) fields.push({ name: target.reasonField, holds: 'text' });
  return fields;
}

/** A target as the CRM's field check answered it (`checkedByCrm`): what `fieldUpdate` writes to. */
export interface CheckedTarget extends WriteBackTarget {
  /** The longest reason written: its field's length (a Salesforce Text(100) takes 100), at most REASON_MAX_LENGTH. */
  reasonMaxLength: number;
}

/**
 * `target` as the CRM has its fields: `checked` are `fieldsToWrite(target)`'s, in order, as the
 * CRM's check answered. Named as the CRM spells them: a sync stores a field under the CRM's name,
 * and compared under another spelling every lead would look changed, and training would not know
 * it as written back. A reason longer than its field would have the CRM refuse the whole lead
 * (score and tier too) on every write-back: it is cut to fit. Throws when the CRM answers two of
 * the fields as one: written in one update, the last would silently replace the other.
 */
export function checkedByCrm(target: WriteBackTarget, checked: readonly WritableField[]): CheckedTarget {
  const asChecked = new Map(fieldsToWrite(target).map((field, i) => [field.name, checked[i]]));
  const spelled = (field: string | null) => (field === null ? null : (asChecked.get(field)?.name ?? field));
  const reasonFieldLength = target.reasonField === null ? null : (asChecked.get(target.reasonField)?.maxLength ?? null);
  const resolved: CheckedTarget = {
    ...target,
    scoreField: spelled(target.scoreField),
    tierField: spelled(target.tierField),
    reasonField: spelled(target.reasonField),
    reasonMaxLength: Math.min(REASON_MAX_LENGTH, reasonFieldLength ?? REASON_MAX_LENGTH),
  };
  const clash = oneFieldTwice(target.crm, namedFields(resolved));
  if (clash) {
    const typed = namedFields(target).filter((field) => clash.some((same) => same.role === field.role));
    throw new Error(`${CRM_LABEL[target.crm]} answers ${rolesInWords(clash)} (${typed.map((field) => `"${field.name}"`).join(', ')}) as one field, "${clash[0].name}": ${DIFFERENT_FIELDS}`);
  }
  return resolved;
}

/**
 * Why the model of `features` forbids writing to `target`'s fields, in words the form shows, or
 * null when it reads none of them. Written with its scores, a field the model reads changes the
 * model's own input: the next sync reads it back, the scores change, and every write-back writes
 * them again, a loop that never settles.
 */
export function modelInputRefusal(target: WriteBackTarget, features: readonly Pick<Feature, 'label' | 'derive'>[]): string | null {
  const { crm } = target;
  const refusals = namedFields(target).flatMap(({ role, name }) => {
    const readBy = featuresReadingField(crm, name, features);
    if (readBy.length === 0) return [];
    return [`"${name}" (the ${role}): the active model reads it for ${readBy.map((feature) => `"${feature.label}"`).join(' and ')}`];
  });
  if (refusals.length === 0) return null;
  return `LeadLens will not write to ${refusals.join('; nor to ')}. Scores written there would change what the model reads, so every sync would change the scores and every write-back write them again: choose ${refusals.length === 1 ? 'a field' : 'fields'} the model does not read`;
}

export function fieldUpdate(row: RowToWrite, target: CheckedTarget): FieldUpdate {
  if ('clear' in row) return { recordId: row.recordId, fields: Object.fromEntries(row.clear.map((name) => [name, null])) };
  const fields: FieldUpdate['fields'] = {};
  if (target.scoreField) fields[target.scoreField] = row.score;
  if (target.tierField) fields[target.tierField] = TIER_LOOK[row.tier].word;
  // As plain text: the direction isolates a reason carries for LeadLens's own pages stay out of the CRM.
  if (target.reasonField) fields[target.reasonField] = clipWithEllipsis(visibleText(row.topReason), target.reasonMaxLength);
  return { recordId: row.recordId, fields };
}

/** How a write-back went, or how far it has gone. */
export interface WriteBackResult {
  /** Rows gone through: sent (taken or refused), or left out as gone meanwhile or with nothing to empty (`notCleared`). */
  done: number;
  total: number;
  /** Records the CRM took. */
  written: number;
  /** Of those, rows that emptied fields (`ValuesToClear`). */
  cleared: number;
  /** Records the CRM refused, by error, at most MAX_FAILURE_GROUPS_SHOWN errors. */
  failed: { recordIds: string[]; error: string }[];
  /** Records refused for errors beyond those in `failed`. */
  unlistedFailures: number;
  /**
   * Rows to clear with fields left as they are, by reason, at most MAX_FAILURE_GROUPS_SHOWN reasons:
   * the CRM no longer held what LeadLens wrote there, or could not say (`stillWritten`). A row whose
   * other fields were emptied is in `cleared` too.
   */
  notCleared: { recordIds: string[]; reason: string }[];
  /** Rows left as they are for reasons beyond those in `notCleared`. */
  unlistedNotCleared: number;
  /**
   * Records of the request under way when the write-back stopped without the CRM's answer (a
   * cancel, or `answerLost`): the CRM may or may not have taken them. Not in `written` nor `failed`.
   */
  unconfirmed: number;
}

/**
 * Adds `recordIds` to the group of `groups` whose `by` is `value`, or to a new group while there are
 * fewer than MAX_FAILURE_GROUPS_SHOWN; returns how many were left out of every group (none, or all of them).
 */
function addToGroup<K extends 'error' | 'reason'>(groups: ({ recordIds: string[] } & Record<K, string>)[], by: K, value: string, recordIds: readonly string[]): number {
  const same = groups.find((group) => group[by] === value);
  if (same) same.recordIds.push(...recordIds);
  else if (groups.length < MAX_FAILURE_GROUPS_SHOWN) groups.push({ recordIds: [...recordIds], [by]: value } as { recordIds: string[] } & Record<K, string>);
  else return recordIds.length;
  return 0;
}

/** Counts records refused with `error`, with the others refused so: each CRM message once, however many batches say it. */
function addFailure(result: WriteBackResult, recordIds: readonly string[], error: string): void {
  result.unlistedFailures += addToGroup(result.failed, 'error', error, recordIds);
}

/** Counts a row to clear whose fields were left as they are for `reason`, with the others left so. */
function addNotCleared(result: WriteBackResult, recordId: string, reason: string): void {
  result.unlistedNotCleared += addToGroup(result.notCleared, 'reason', reason, [recordId]);
}

/**
 * `batch` less what must not be emptied, read from the CRM in one request just before it is sent:
 * a row to clear keeps only the fields that still hold what LeadLens wrote there. Which those are
 * was chosen from the lead as last synced, and a rep may have typed their own value since: emptied,
 * it would be lost. A field holding anything else (emptied already too), a record the CRM no longer
 * returns, and every row to clear of a batch whose read failed are left as they are, and counted
 * in `notCleared`. A read failure every batch would get (`refusalForEveryBatch`) is thrown.
 */
async function stillWritten(batch: readonly RowToWrite[], writer: RecordWriter, crm: CrmKind, result: WriteBackResult, signal: AbortSignal | undefined): Promise<RowToWrite[]> {
  const toClear = batch.filter((row): row is ValuesToClear => 'clear' in row);
  if (toClear.length === 0) return [...batch];
  const label = CRM_LABEL[crm];
  let current: Map<string, CrmRecord['fields']>;
  try {
    const fields = [...new Set(toClear.flatMap((row) => row.clear))];
    const records = await writer.batchRead(toClear.map((row) => row.recordId), { fields, signal });
    current = new Map(records.map((record) => [record.id, record.fields]));
  } catch (error) {
    const stop = refusalForEveryBatch(error, signal, crm);
    if (stop !== null) throw stop;
    const reason = `its values in ${label} could not be read just before (${error instanceof Error ? error.message : String(error)}): nothing was emptied, as a rep may have typed their own since the last sync`;
    for (const row of toClear) addNotCleared(result, row.recordId, reason);
    return batch.filter((row) => !('clear' in row));
  }
  return batch.flatMap((row): RowToWrite[] => {
    if (!('clear' in row)) return [row];
    const fields = current.get(row.recordId);
    if (fields === undefined) {
      addNotCleared(result, row.recordId, `${label} did not return it (deleted or merged since the last sync, or no longer shared with this user): nothing was emptied`);
      return [];
    }
    const holdsWritten = (name: string) => {
      const key = recordKey(fields, name);
      return key !== undefined && comparable(fields[key]) === row.wrote[name];
    };
    const changed = row.clear.filter((name) => !holdsWritten(name));
    if (changed.length === 0) return [row];
    addNotCleared(result, row.recordId, `${listInWords(changed.map((name) => `"${name}"`))} no longer ${changed.length === 1 ? 'holds' : 'hold'} what LeadLens wrote there (changed in ${label} since the last sync): left as ${changed.length === 1 ? 'it is' : 'they are'}`);
    const clear = row.clear.filter((name) => !changed.includes(name));
    return clear.length === 0 ? [] : [{ ...row, clear }];
  });
}

/**
 * The error to stop the write-back with when every other batch would be refused as this one was,
 * or null when the next may be taken: a cancel, the credentials refused (401) or not renewed after
 * it (offline, the token endpoint's 5xx: nothing of the batch was written), a permission or limit
 * refused (403: a HubSpot token without the write scope, Salesforce's request limit), or the CRM's
 * rate limit outlasting every wait (HubSpot's daily limit). Sending the rest would only spend the
 * API budget syncs and badges share.
 */
function refusalForEveryBatch(error: unknown, signal: AbortSignal | undefined, crm: CrmKind): unknown {
  if (signal?.aborted || isCrmError(error, 'auth')) return error;
  if (isCrmError(error) && error.renewalFailed) {
    const label = CRM_LABEL[crm];
    return new CrmError(error.kind, `${label} refused the access token (HTTP 401), and a new one could not be had (${error.message}): nothing of the last batch was written, and no more were sent. Write back again later; if it happens again, reconnect ${label}`, error.status, error.crmCode, { renewalFailed: true });
  }
  // The client's words say what to do: HubSpot's names the missing scope, Salesforce's its request limit.
  return isCrmError(error, 'rate') || (isCrmError(error, 'request') && error.status === 403) ? error : null;
}

/**
 * Whether a batch failed with no answer to say what the CRM did: the connection dropped or the
 * CRM answered 5xx (after the client's retries), it did not answer in time or its 2xx answer was
 * cut short (not sent again: `RequestOptions.readOnly`), or that answer is not of the shape
 * expected. The CRM may have written it; and the next batch, sent to a CRM that does not answer,
 * would most likely fail the same way (hundreds of batches for 100,000 leads).
 */
function answerLost(error: unknown): error is CrmError {
  // A 401 whose token renewal failed so is answered: nothing written (`refusalForEveryBatch`).
  if (isCrmError(error) && error.renewalFailed) return false;
  return isCrmError(error, 'network') || isCrmError(error, 'server') || isCrmError(error, 'schema');
}

/**
 * Batches in a row whose every record the CRM refused for one reason before the write-back stops:
 * a Lead trigger or Flow throwing on every update, the field made read-only since the check. Each
 * record is refused on its own (sObject Collections with allOrNone false, HubSpot's batch update),
 * so the request as a whole is taken, and without this the other hundreds of batches would go and
 * spend the org's daily API requests for nothing written. Two, not one: a batch may be all of one
 * kind of lead that a validation rule refuses.
 */
const REFUSED_BATCHES_TO_STOP = 2;

/**
 * Salesforce's refusal of a record another process held locked (a trigger, a Flow, a data load
 * updating it or its Account): it waited up to 10 s for the lock, and the record was not written.
 */
const ROW_LOCKED = 'UNABLE_TO_LOCK_ROW';

/**
 * Whether `error` is a lock, met on the lead itself or by a Lead trigger or Flow updating related
 * records, which Salesforce answers with the trigger's or Flow's code and the lock in its message
 * (`CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: LeadTrigger: … first error: UNABLE_TO_LOCK_ROW, …`).
 */
const isLocked = (error: string): boolean => error.includes(ROW_LOCKED);

/**
 * Refusals of the write itself, which every lead after them would meet: the field read-only or
 * gone, the user's access, a trigger (CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY) or Flow
 * (CANNOT_EXECUTE_FLOW_TRIGGER) failing whatever the lead (Salesforce status codes); HubSpot's
 * VALIDATION_ERROR for a whole batch of the same properties. Not a refusal of the lead's own data
 * or state (a validation rule, a lead deleted or converted since the last sync): leads next to
 * each other by Id were created together, and a run of them says nothing of the next ones. Nor a
 * lock the trigger or Flow met (`isLocked`): it passes.
 */
const REFUSALS_OF_THE_WRITE = new Set([
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'INVALID_FIELD',
  'INSUFFICIENT_ACCESS_OR_READONLY',
  'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
  'CANNOT_EXECUTE_FLOW_TRIGGER',
  'VALIDATION_ERROR',
]);

/** The CRM's code a record refusal starts with (a Salesforce status code, a HubSpot category), else the whole refusal. */
const refusalCode = (error: string): string => /^([A-Z][A-Z0-9_]*):/.exec(error)?.[1] ?? error;

/** Whether `error` refuses the write itself (`REFUSALS_OF_THE_WRITE`), as every lead after it would be: not when a lock was met (`isLocked`). */
const refusesTheWrite = (error: string): boolean => REFUSALS_OF_THE_WRITE.has(refusalCode(error)) && !isLocked(error);

/** The first record's refusal, when the CRM refused every record of `updates` with one code of the write's (`refusesTheWrite`); else null. */
function sameRefusalForAll(updates: readonly FieldUpdate[], refused: readonly RecordUpdateFailure[]): RecordUpdateFailure | null {
  if (updates.length === 0 || refused.length === 0) return null;
  const code = refusalCode(refused[0].error);
  if (refused.some((failure) => !refusesTheWrite(failure.error) || refusalCode(failure.error) !== code)) return null;
  const refusedIds = new Set(refused.map((failure) => failure.recordId));
  return updates.every((update) => refusedIds.has(update.recordId)) ? (refused.find((failure) => failure.recordId === updates[0].recordId) ?? refused[0]) : null;
}

/** Batches in a row the CRM refused every record of for one code, with the first record's refusal. */
interface RefusedInARow {
  code: string;
  first: RecordUpdateFailure;
  batches: number;
  records: number;
}

/** The pause before records refused for a lock are sent once more: the other process has most likely finished by then. */
export const LOCKED_ROW_PAUSE_MS = 2_000;

/** Whether `ms` went by; false when cancelled meanwhile. */
const pausedUnlessCancelled = (clock: Pick<Clock, 'sleep'>, ms: number, signal: AbortSignal | undefined): Promise<boolean> =>
  clock.sleep(ms, signal).then(
    () => true,
    () => false,
  );

/** What one request of a batch came back with: the updates the CRM took, and its refusals (not yet counted). */
interface Sent {
  written: FieldUpdate[];
  refused: RecordUpdateFailure[];
  /** As `sameRefusalForAll`, or the CRM's code when it refused the request as a whole for one of the write's. */
  refusedForAll: RecordUpdateFailure | null;
}

/** What `sendUpdates` needs of the write-back under way. */
interface Sending {
  writer: RecordWriter;
  crm: CrmKind;
  result: WriteBackResult;
  /** Records of the batch whose fields are emptied. */
  clearing: ReadonlySet<string>;
  /** Rows of the write-back after this batch. */
  unsent: number;
  onProgress: ((sofar: WriteBackResult) => Promise<void> | void) | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Sends `updates` in one request, counting in `result` what the CRM took as written (and its
 * records `unconfirmed` while it is out). Throws to stop the write-back: a cancel, a refusal every
 * batch would get (`refusalForEveryBatch`), the answer lost (`answerLost`).
 */
async function sendUpdates(updates: readonly FieldUpdate[], { writer, crm, result, clearing, unsent, onProgress, signal }: Sending): Promise<Sent> {
  if (updates.length === 0) return { written: [], refused: [], refusedForAll: null };
  // In doubt from the moment it is sent: a job that dies before the answer (the browser restarted) has said so.
  result.unconfirmed = updates.length;
  await onProgress?.(result);
  // A cancel while that was saved sends nothing: nothing is in doubt.
  if (signal?.aborted) {
    result.unconfirmed = 0;
    await onProgress?.(result);
    signal.throwIfAborted();
  }
  try {
    const refused = await writer.updateRecords(updates, signal);
    result.unconfirmed = 0;
    // By record, not by failure: one record can be refused for more than one reason.
    const refusedIds = new Set(refused.map((failure) => failure.recordId));
    const written = updates.filter((update) => !refusedIds.has(update.recordId));
    result.written += written.length;
    result.cleared += written.filter((update) => clearing.has(update.recordId)).length;
    return { written, refused, refusedForAll: sameRefusalForAll(updates, refused) };
  } catch (error) {
    // Answered (a refusal took none of it) unless the answer was lost or a cancel cut the request: those stay in doubt.
    if (!answerLost(error) && !signal?.aborted) result.unconfirmed = 0;
    if (answerLost(error) && !signal?.aborted) {
      await onProgress?.(result);
      const rest = unsent === 0 ? '' : `, rather than send the ${unsent.toLocaleString('en-US')} ${unsent === 1 ? 'lead' : 'leads'} left, which would most likely fail the same way`;
      const label = CRM_LABEL[crm];
      throw new CrmError(error.kind, `${label} did not confirm the last batch (${error.message}): its leads may or may not have been written. Stopped there${rest}. Write back again once ${label} answers`, error.status, error.crmCode);
    }
    const stop = refusalForEveryBatch(error, signal, crm);
    if (stop !== null) {
      // Cancelled with the request out: the CRM may have taken it (still unconfirmed). A refusal took none of it.
      await onProgress?.(result);
      throw stop;
    }
    const message = error instanceof Error ? error.message : String(error);
    // A batch refused as a whole (HubSpot's answer to a property it will not take) counts as every lead refused.
    const refusal = isCrmError(error, 'request') && error.crmCode !== undefined ? `${error.crmCode}: ${error.message}` : null;
    const refusedForAll = refusal !== null && refusesTheWrite(refusal) ? { recordId: updates[0].recordId, error: refusal } : null;
    return { written: [], refused: updates.map((update) => ({ recordId: update.recordId, error: message })), refusedForAll };
  }
}

export async function writeBack(
  rows: readonly RowToWrite[],
  target: CheckedTarget,
  writer: RecordWriter,
  {
    current,
    onProgress,
    onWritten,
    signal,
    clock = realClock,
  }: {
    /**
     * Just before a batch is sent: its rows as they are now (a tier policy applied meanwhile
     * changes tiers and reasons), less those gone. Throws to stop the write-back.
     */
    current?: (rows: readonly RowToWrite[]) => Promise<RowToWrite[]>;
    /**
     * Just before each batch is sent (its records `unconfirmed` until the CRM answers), after each
     * batch, and when the write-back stops: how far it got (the object it keeps: read it at once).
     */
    onProgress?: (sofar: WriteBackResult) => Promise<void> | void;
    /** After each batch, with the updates the CRM took: the values sent. */
    onWritten?: (written: FieldUpdate[]) => Promise<void>;
    signal?: AbortSignal;
    /** Waits out the pause before records refused for a lock are sent once more (`LOCKED_ROW_PAUSE_MS`). */
    clock?: Pick<Clock, 'sleep'>;
  } = {},
): Promise<WriteBackResult> {
  const result: WriteBackResult = { done: 0, total: rows.length, written: 0, cleared: 0, failed: [], unlistedFailures: 0, notCleared: [], unlistedNotCleared: 0, unconfirmed: 0 };
  let refusedInARow: RefusedInARow | null = null;
  for (let start = 0; start < rows.length; start += writer.maxBatch) {
    signal?.throwIfAborted();
    // Before each batch's requests (its read, its update): the org's API allowance is every integration's.
    const pause = apiAllowancePause(target.crm, writer, 'write-back');
    if (pause) throw pause;
    const due = rows.slice(start, start + writer.maxBatch);
    const batch = current ? await current(due) : due;
    signal?.throwIfAborted();
    let toSend: RowToWrite[];
    try {
      toSend = await stillWritten(batch, writer, target.crm, result, signal);
    } catch (stop) {
      // Nothing of this batch was sent: nothing is in doubt.
      await onProgress?.(result);
      throw stop;
    }
    signal?.throwIfAborted(); // before the request: a cancel meanwhile leaves nothing in doubt
    const updates = toSend.map((row) => fieldUpdate(row, target));
    const unsent = rows.length - start - due.length;
    const clearing = new Set(toSend.flatMap((row) => ('clear' in row ? [row.recordId] : [])));
    const sending: Sending = { writer, crm: target.crm, result, clearing, unsent, onProgress, signal };
    const first = await sendUpdates(updates, sending);
    let { written, refusedForAll } = first;
    const locked = new Set(first.refused.filter((failure) => isLocked(failure.error)).map((failure) => failure.recordId));
    const settled = first.refused.filter((failure) => !locked.has(failure.recordId));
    for (const { recordId, error } of settled) addFailure(result, [recordId], error);
    if (locked.size > 0) {
      // The first answer counted, and what it took handed on, before the pause: the second's may be lost.
      await onProgress?.(result);
      await onWritten?.(written);
      // Once, after a pause; a cancel meanwhile sends nothing more: those stay refused, and the write-back stops before the next batch.
      const again = (await pausedUnlessCancelled(clock, LOCKED_ROW_PAUSE_MS, signal))
        ? await sendUpdates(updates.filter((update) => locked.has(update.recordId)), sending)
        : { written: [], refused: first.refused.filter((failure) => locked.has(failure.recordId)) };
      written = again.written;
      for (const { recordId, error } of again.refused) addFailure(result, [recordId], error);
      refusedForAll = sameRefusalForAll(updates, [...settled, ...again.refused]);
    }
    result.done = Math.min(start + writer.maxBatch, rows.length);
    await onProgress?.(result);
    // Outside the CRM's try: what the CRM took is written, whatever happens to it here.
    await onWritten?.(written);
    if (updates.length === 0) continue; // nothing sent: says nothing either way
    refusedInARow = refusedForAll === null ? null : oneMoreRefused(refusedInARow, refusedForAll, updates.length);
    if (refusedInARow && refusedInARow.batches >= REFUSED_BATCHES_TO_STOP && unsent > 0) throw refusalOfEveryRecord(target.crm, refusedInARow, unsent);
  }
  return result;
}

/** `sofar` with one more batch of `records`, all refused as `first` was: counted on when for the same code, else counted from it. */
function oneMoreRefused(sofar: RefusedInARow | null, first: RecordUpdateFailure, records: number): RefusedInARow {
  const code = refusalCode(first.error);
  return sofar?.code === code ? { ...sofar, batches: sofar.batches + 1, records: sofar.records + records } : { code, first, batches: 1, records };
}

/** The error to stop with after `refused`: the CRM's code and message for the first record, and that the rest was not sent. */
function refusalOfEveryRecord(crm: CrmKind, { code, first, batches, records }: RefusedInARow, unsent: number): CrmError {
  const label = CRM_LABEL[crm];
  return new CrmError(
    'request',
    `${label} refused every lead of the last ${batches} batches (${plural(records, 'lead', 'leads')}) for the same reason: ${first.error} (lead ${first.recordId}). Stopped there: the ${plural(unsent, 'lead', 'leads')} left were not sent, as they would most likely be refused the same way. Write back again once that is put right in ${label}`,
    undefined,
    code,
  );
}
