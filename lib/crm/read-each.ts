/**
 * A page of records parsed one by one, so that one record in a shape LeadLens cannot read is
 * left out (and named) instead of failing its page: a sync failing there would fail at the same
 * page every time it resumed. A page of many records none of which can be read is no odd record
 * but a changed schema (a field renamed or retyped): that fails, naming the field, and a sync
 * resumes at that page once LeadLens reads it.
 */
import type { z } from 'zod';
import type { SkippedRecord } from './client';
import { describeSchemaIssues } from '../schema-issues';
import { CrmError } from './http';

/**
 * A page of at least this many records none of which can be read (or stored, engine.ts) is a
 * changed schema; fewer (the last changes of an incremental sync) may all be odd records.
 */
export const SCHEMA_CHANGE_MIN_RECORDS = 10;

/** An id as safe to show as a CRM's own (letters, digits, a dash): anything else is not echoed. */
const SHOWABLE_ID = /^[A-Za-z0-9-]{1,40}$/;

/** `raw[idKey]` when it reads as an id, else null. */
export function showableId(raw: unknown, idKey: string): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[idKey] : undefined;
  return typeof id === 'string' && SHOWABLE_ID.test(id) ? id : null;
}

/** `answered`: who answered what, for the error of a changed schema ("HubSpot answered search contacts"). */
export function readEach<S extends z.ZodType>(raw: readonly unknown[], schema: S, idKey: string, answered: string): { records: z.infer<S>[]; skipped: SkippedRecord[] } {
  const records: z.infer<S>[] = [];
  const skipped: SkippedRecord[] = [];
  for (const item of raw) {
    const parsed = schema.safeParse(item);
    if (parsed.success) records.push(parsed.data);
    else skipped.push({ id: showableId(item, idKey), reason: describeSchemaIssues(parsed.error) });
  }
  if (records.length === 0 && raw.length >= SCHEMA_CHANGE_MIN_RECORDS) {
    throw new CrmError('schema', `${answered} with none of its ${raw.length} records in the shape LeadLens reads: ${skipped[0].reason}`);
  }
  return { records, skipped };
}
