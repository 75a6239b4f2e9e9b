/**
 * The CRM fields LeadLens has written its scores to (write-back), remembered for training:
 * synced back with the leads, they hold an earlier model's output, not facts about the leads,
 * so a new model must not learn from them. Every field ever written counts: one no longer
 * chosen still holds the scores written then.
 */
import { z } from 'zod';
import type { CrmKind } from '../crm/types';
import type { SourceKind } from '../ml/featurize';
import { db } from './db';

const key = (crm: CrmKind) => `written-back-fields:${crm}`;

async function readFields(crm: CrmKind): Promise<string[]> {
  const parsed = z.array(z.string()).safeParse((await db.settings.get(key(crm)))?.value);
  return parsed.success ? parsed.data : [];
}

export async function rememberWrittenBackFields(crm: CrmKind, fields: readonly string[]): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    await db.settings.put({ key: key(crm), value: [...new Set([...(await readFields(crm)), ...fields])] });
  });
}

/** The fields LeadLens wrote to in `source`; for a CSV import, in either CRM (it may be an export of one). */
export async function writtenBackFields(source: SourceKind): Promise<string[]> {
  const crms: CrmKind[] = source === 'csv' ? ['salesforce', 'hubspot'] : [source];
  return [...new Set((await Promise.all(crms.map(readFields))).flat())];
}

/**
 * What LeadLens last wrote to one synced lead's fields and the CRM took, by field name (one small
 * settings row per lead written): write-back empties a field only while it still holds this. It
 * holds the lead's score and top reason, lead data: it goes with the lead (a deletion synced,
 * another org connected, a purge).
 */
const writtenValuesPrefix = (crm: CrmKind) => `written-back-values:${crm}|`;
/** The row of the stored lead `leadKey` (`${crm}|${id}`). */
export const writtenValuesKey = (leadKey: string) => `written-back-values:${leadKey}`;

/** Forgets what LeadLens wrote to `crm`'s records (another org's records may have the same ids). Within the caller's transaction, if any. */
export async function forgetWrittenValues(crm: CrmKind): Promise<void> {
  await db.settings.where('key').startsWith(writtenValuesPrefix(crm)).delete();
}
