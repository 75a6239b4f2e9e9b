/**
 * Records from the CRM's API for scoring, through the user's connection (background only:
 * `clientFor` reads the credentials; only fields ever leave this module, never a token).
 * Callers name the fields the scoring model reads (`fieldsRead`), and a Salesforce Lead's
 * IsConverted for "Already converted" (score-lead.ts `fieldsScoreReads`): all that its score and
 * explanation show (a lead's name comes from its page or stored lead). Naming only these keeps
 * the request short (an org's hundreds of fields overflow a URL); a field the record lacks
 * reads as missing.
 */
import { clientFor } from '../connections/client-for';
import type { CrmKind } from '../crm/types';
import type { RawRecord } from '../ml/featurize';
import type { KnownRecord } from './score-leads';

/**
 * The longest a page's record read may take. A badge says "Scoring this lead…" and the side
 * panel "Loading the open lead…" until it ends, and a CRM that never answers would otherwise
 * hold them through every retry of the HTTP layer (minutes); given up, the page's own fields
 * score the lead (the callers' fallback for any failed read).
 */
export const RECORD_READ_TIMEOUT_MS = 10_000;

/** One record's `fields` from the API, or null when `crm` is not connected or the record is gone. */
export async function fetchRecordFields(crm: CrmKind, recordId: string, fields: readonly string[]): Promise<RawRecord | null> {
  const client = await clientFor(crm);
  if (!client) return null;
  return (await client.readRecord(recordId, { fields, signal: AbortSignal.timeout(RECORD_READ_TIMEOUT_MS) }))?.fields ?? null;
}

/**
 * The rates `crm`'s API converts records' amounts at (`CrmClient.corporateCurrencyRates`): null when
 * it hands them on as the records hold them, or `crm` is not connected. Given up with a record read
 * that takes too long.
 */
export async function fetchCurrencyRates(crm: CrmKind): Promise<ReadonlyMap<string, number> | null> {
  return (await (await clientFor(crm))?.corporateCurrencyRates?.(AbortSignal.timeout(RECORD_READ_TIMEOUT_MS))) ?? null;
}

/**
 * Many records' `fields` from the API in one batch read: those the CRM answered with (it leaves
 * out the records gone or not shared with the user); null when `crm` is not connected (none read).
 */
export async function fetchRecordsFields(crm: CrmKind, recordIds: readonly string[], fields: readonly string[]): Promise<KnownRecord[] | null> {
  const client = await clientFor(crm);
  if (!client) return null;
  if (recordIds.length === 0) return [];
  const records = await client.batchRead(recordIds, { fields, signal: AbortSignal.timeout(RECORD_READ_TIMEOUT_MS) });
  return records.map((record) => ({ recordId: record.id, fields: record.fields }));
}
