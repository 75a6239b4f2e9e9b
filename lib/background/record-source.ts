/**
 * Records from the CRM's API for scoring, through the user's connection (background only:
 * `clientFor` reads the credentials; only fields ever leave this module, never a token).
 */
import { clientFor } from '../connections/client-for';
import type { CrmKind } from '../crm/types';
import type { RawRecord } from '../ml/featurize';
import { activeManifest } from '../ml/model-store';
import type { KnownRecord } from './score-leads';

/**
 * The fields of `crm` the active model reads: all that its score and explanation show (a lead's
 * name comes from its page or stored lead). Naming only these keeps the request short: an org's
 * hundreds of fields overflow a URL. A field the record lacks reads as missing.
 */
async function fieldsTheModelReads(crm: CrmKind): Promise<string[]> {
  const { features } = await activeManifest();
  const sources = features.flatMap(({ derive }) => (derive.kind === 'ratio' ? [derive.numerator, derive.denominator] : [derive.from]));
  return [...new Set(sources.flatMap((from) => from[crm] ?? []))];
}

/** One record's fields from the API, or null when `crm` is not connected or the record is gone. */
export async function fetchRecordFields(crm: CrmKind, recordId: string): Promise<RawRecord | null> {
  const client = await clientFor(crm);
  if (!client) return null;
  return (await client.readRecord(recordId, { fields: await fieldsTheModelReads(crm) }))?.fields ?? null;
}

/** Many records from the API in one batch read; none when `crm` is not connected. */
export async function fetchRecordsFields(crm: CrmKind, recordIds: readonly string[]): Promise<KnownRecord[]> {
  const client = await clientFor(crm);
  if (!client || recordIds.length === 0) return [];
  const records = await client.batchRead(recordIds, { fields: await fieldsTheModelReads(crm) });
  return records.map((record) => ({ recordId: record.id, fields: record.fields }));
}
