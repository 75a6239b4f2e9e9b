/**
 * Records from the CRM's API for scoring, through the user's connection (background only:
 * `clientFor` reads the credentials; only fields ever leave this module, never a token).
 */
import { clientFor } from '../connections/client-for';
import type { CrmKind } from '../crm/types';
import type { RawRecord } from '../ml/featurize';
import type { KnownRecord } from './score-leads';

/** One record's fields from the API, or null when `crm` is not connected or the record is gone. */
export async function fetchRecordFields(crm: CrmKind, recordId: string): Promise<RawRecord | null> {
  const client = await clientFor(crm);
  return client ? ((await client.readRecord(recordId))?.fields ?? null) : null;
}

/** Many records from the API in one batch read; none when `crm` is not connected. */
export async function fetchRecordsFields(crm: CrmKind, recordIds: readonly string[]): Promise<KnownRecord[]> {
  const client = await clientFor(crm);
  if (!client || recordIds.length === 0) return [];
  return (await client.batchRead(recordIds)).map((record) => ({ recordId: record.id, fields: record.fields }));
}
