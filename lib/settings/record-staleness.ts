/** How long a record page's score stays fresh before the record is read and scored again (a setting). */
import { z } from 'zod';
import { db } from '../db/db';

export const RECORD_STALE_HOURS_SETTING = 'recordStaleHours';
export const DEFAULT_RECORD_STALE_HOURS = 24;
const MAX_RECORD_STALE_HOURS = 24 * 365;
export const RecordStaleHoursSchema = z.number().min(1).max(MAX_RECORD_STALE_HOURS);

export async function recordStaleHours(): Promise<number> {
  const parsed = RecordStaleHoursSchema.safeParse((await db.settings.get(RECORD_STALE_HOURS_SETTING))?.value);
  return parsed.success ? parsed.data : DEFAULT_RECORD_STALE_HOURS;
}

/** The setting in milliseconds: how long a record page's (or a list row's) cached score is reused. */
export async function recordStaleAfterMs(): Promise<number> {
  return (await recordStaleHours()) * 3_600_000;
}

/** Throws a readable error for a value out of range (nothing is saved), or the database's error. */
export async function setRecordStaleHours(hours: number): Promise<void> {
  const parsed = RecordStaleHoursSchema.safeParse(hours);
  if (!parsed.success) throw new Error(`Enter a number of hours between 1 and ${MAX_RECORD_STALE_HOURS.toLocaleString('en-US')}.`);
  await db.settings.put({ key: RECORD_STALE_HOURS_SETTING, value: parsed.data });
}
