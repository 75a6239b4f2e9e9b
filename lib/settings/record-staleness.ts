/** How long a record page's score stays fresh before the record is read and scored again (a setting). */
import { z } from 'zod';
import { db } from '../db/db';

export const RECORD_STALE_HOURS_SETTING = 'recordStaleHours';
export const DEFAULT_RECORD_STALE_HOURS = 24;
export const RecordStaleHoursSchema = z.number().positive().max(24 * 365);

export async function recordStaleHours(): Promise<number> {
  const parsed = RecordStaleHoursSchema.safeParse((await db.settings.get(RECORD_STALE_HOURS_SETTING))?.value);
  return parsed.success ? parsed.data : DEFAULT_RECORD_STALE_HOURS;
}

export async function setRecordStaleHours(hours: number): Promise<void> {
  await db.settings.put({ key: RECORD_STALE_HOURS_SETTING, value: RecordStaleHoursSchema.parse(hours) });
}
