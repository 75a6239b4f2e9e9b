/**
 * A page of records parsed one by one, so that one record in a shape LeadLens cannot read is
 * left out (and named) instead of failing its page: a sync failing there would fail at the same
 * page every time it resumed. Whether a page of nothing but such records is schema drift, to
 * fail on, the sync decides (engine.ts), as it also leaves out records it cannot store.
 */
import type { z } from 'zod';
import type { SkippedRecord } from './client';
import { describeSchemaIssues } from './http';

/** An id as safe to show as a CRM's own (letters, digits, a dash): anything else is not echoed. */
const SHOWABLE_ID = /^[A-Za-z0-9-]{1,40}$/;

/** `raw[idKey]` when it reads as an id, else null. */
export function showableId(raw: unknown, idKey: string): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[idKey] : undefined;
  return typeof id === 'string' && SHOWABLE_ID.test(id) ? id : null;
}

export function readEach<S extends z.ZodType>(raw: readonly unknown[], schema: S, idKey: string): { records: z.infer<S>[]; skipped: SkippedRecord[] } {
  const records: z.infer<S>[] = [];
  const skipped: SkippedRecord[] = [];
  for (const item of raw) {
    const parsed = schema.safeParse(item);
    if (parsed.success) records.push(parsed.data);
    else skipped.push({ id: showableId(item, idKey), reason: describeSchemaIssues(parsed.error) });
  }
  return { records, skipped };
}
