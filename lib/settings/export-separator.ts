/** The separator the admin chose for exported scores (Export scores), kept so the next export uses it too (a setting). */
import { CsvSeparatorSchema, type CsvSeparator } from '../csv/export';
import { db } from '../db/db';

export const EXPORT_SEPARATOR_SETTING = 'exportSeparator';

/** The separator chosen; null while none was (the export follows the browser's language). */
export async function savedExportSeparator(): Promise<CsvSeparator | null> {
  const parsed = CsvSeparatorSchema.safeParse((await db.settings.get(EXPORT_SEPARATOR_SETTING))?.value);
  return parsed.success ? parsed.data : null;
}

export async function saveExportSeparator(separator: CsvSeparator): Promise<void> {
  await db.settings.put({ key: EXPORT_SEPARATOR_SETTING, value: CsvSeparatorSchema.parse(separator) });
}
