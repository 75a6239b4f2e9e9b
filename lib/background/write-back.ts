/**
 * Write-back: each lead's score, tier and top reason into CRM fields the admin chose (a
 * Salesforce custom field, a HubSpot custom property), in batches of the size the CRM's batch
 * API takes, one batch at a time so the client's rate limiter paces them. The job checks the
 * fields with the CRM client first (`checkWritableFields` with `fieldsToWrite`: not the CRM's
 * own, read-only, or of another type). A failed batch is reported with its records and the
 * others still go, as are the records the CRM refused one by one.
 */
import { z } from 'zod';
import type { CrmClient, FieldToWrite, FieldUpdate } from '../crm/client';
import { isCrmError } from '../crm/http';
import type { CrmKind } from '../crm/types';
import { CrmKindSchema } from '../messaging/schemas';
import { visibleText } from '../ml/explain';
import { TIER_LOOK } from '../presentation';
import type { Tier } from '../messaging/protocol';

/** Salesforce custom fields (`LeadLens_Score__c`, namespaced `ns__X__c`) and HubSpot property names. */
const FIELD_NAME: Record<CrmKind, RegExp> = {
  salesforce: /^[A-Za-z][A-Za-z0-9_]*__c$/,
  hubspot: /^[a-z][a-z0-9_]*$/,
};

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
    if (new Set(fields.filter((field) => field !== null)).size !== fields.filter((field) => field !== null).length) {
      ctx.addIssue({ code: 'custom', message: 'score, tier and reason need different fields' });
    }
  });
export type WriteBackTarget = z.infer<typeof WriteBackTargetSchema>;

/** What write-back needs from a CRM client: a batch update of at most `maxBatch` records. */
export type RecordWriter = Pick<CrmClient, 'maxBatch' | 'updateRecords'>;

export interface ScoreToWrite {
  recordId: string;
  score: number;
  tier: Tier;
  topReason: string;
}

/** Text fields hold 255 characters in a default Salesforce text field and a HubSpot single-line property. */
export const REASON_MAX_LENGTH = 255;

/** The target's fields and what `fieldUpdate` fills them with: the score a number, the tier one of its words, the reason any text. */
export function fieldsToWrite(target: WriteBackTarget): FieldToWrite[] {
  const fields: FieldToWrite[] = [];
  if (target.scoreField) fields.push({ name: target.scoreField, holds: 'number' });
  if (target.tierField) fields.push({ name: target.tierField, holds: 'text', values: Object.values(TIER_LOOK).map((look) => look.word) });
  if (target.reasonField) fields.push({ name: target.reasonField, holds: 'text' });
  return fields;
}

/**
 * `target` with its fields named as the CRM spells them: `names` are `fieldsToWrite(target)`'s, in
 * order, as the CRM's check answered. A sync stores a field under the CRM's name: compared under
 * another spelling, every lead would look changed, and training would not know it as written back.
 */
export function spelledByCrm(target: WriteBackTarget, names: readonly string[]): WriteBackTarget {
  const crmName = new Map(fieldsToWrite(target).map((field, i) => [field.name, names[i]]));
  const spelled = (field: string | null) => (field === null ? null : (crmName.get(field) ?? field));
  return { ...target, scoreField: spelled(target.scoreField), tierField: spelled(target.tierField), reasonField: spelled(target.reasonField) };
}

export function fieldUpdate(row: ScoreToWrite, target: WriteBackTarget): FieldUpdate {
  const fields: Record<string, string | number> = {};
  if (target.scoreField) fields[target.scoreField] = row.score;
  if (target.tierField) fields[target.tierField] = TIER_LOOK[row.tier].word;
  if (target.reasonField) {
    // As plain text: the direction isolates a reason carries for LeadLens's own pages stay out of the CRM.
    const reason = visibleText(row.topReason);
    fields[target.reasonField] = reason.length > REASON_MAX_LENGTH ? `${reason.slice(0, REASON_MAX_LENGTH - 1)}…` : reason;
  }
  return { recordId: row.recordId, fields };
}

export interface WriteBackResult {
  written: number;
  failed: { recordIds: string[]; error: string }[];
}

export async function writeBack(
  rows: readonly ScoreToWrite[],
  target: WriteBackTarget,
  writer: RecordWriter,
  {
    onProgress,
    onWritten,
    signal,
  }: {
    /** After each batch, with what the CRM took and refused so far. */
    onProgress?: (done: number, total: number, sofar: WriteBackResult) => void;
    /** After each batch, with the updates the CRM took. */
    onWritten?: (written: FieldUpdate[]) => Promise<void>;
    signal?: AbortSignal;
  } = {},
): Promise<WriteBackResult> {
  const result: WriteBackResult = { written: 0, failed: [] };
  for (let start = 0; start < rows.length; start += writer.maxBatch) {
    signal?.throwIfAborted();
    const batch = rows.slice(start, start + writer.maxBatch).map((row) => fieldUpdate(row, target));
    let written: FieldUpdate[] = [];
    try {
      const refused = await writer.updateRecords(batch, signal);
      // By record, not by failure: one record can be refused for more than one reason.
      const refusedIds = new Set(refused.map((failure) => failure.recordId));
      written = batch.filter((update) => !refusedIds.has(update.recordId));
      result.written += written.length;
      for (const { recordId, error } of refused) {
        const same = result.failed.find((failure) => failure.error === error);
        if (same) same.recordIds.push(recordId);
        else result.failed.push({ recordIds: [recordId], error });
      }
    } catch (error) {
      // Cancelled, or the CRM refused the credentials: every other batch would be refused too.
      if (signal?.aborted || isCrmError(error, 'auth')) throw error;
      result.failed.push({ recordIds: batch.map((update) => update.recordId), error: error instanceof Error ? error.message : String(error) });
    }
    // Outside the CRM's try: what the CRM took is written, whatever happens to it here.
    await onWritten?.(written);
    onProgress?.(Math.min(start + writer.maxBatch, rows.length), rows.length, result);
  }
  return result;
}
