/**
 * The mark of a "Purge everything" under way, apart from the purge itself (purge.ts): a CRM
 * page's request and the connection's checks read it to leave alone what a purge deletes. A leaf
 * of the background: the purge imports the jobs it stops, which import these.
 */
import { browser } from 'wxt/browser';
import { connectionIn, connectionKey } from '../connections/connections';
import type { Connection } from '../connections/schema';
import type { CrmKind } from '../crm/types';

/**
 * Set in storage.local (it outlives a browser closed mid-way) from the purge's first deletion to
 * its last, or to its failure: the connections go before the tables are cleared, and a browser
 * closed between would leave the leads and scores stored with nothing saying so. The next start
 * finishes the purge.
 */
export const PURGE_PENDING_KEY = 'purge-pending';

/** Whether `items`, what a storage.local read of PURGE_PENDING_KEY answered, say a purge is pending (`purgePending`). */
const isPurgePending = (items: Record<string, unknown>) => items[PURGE_PENDING_KEY] === true;

/**
 * Whether a "Purge everything" is deleting, or was cut short deleting (finished at the next start):
 * the credentials it deletes are not to be used meanwhile.
 */
export async function purgePending(): Promise<boolean> {
  return isPurgePending(await browser.storage.local.get(PURGE_PENDING_KEY));
}

/**
 * How many purges this worker has begun: a CRM page's request notes it as it begins
 * (`connectionForPage`), and stores nothing once a purge began since (`noPurgeSince`). The
 * worker's memory suffices: a request ends with its worker, and a new worker's requests read the
 * mark of a purge cut short.
 */
let purgesBegun = 0;

/**
 * For the purge, once every job has stopped: counts it begun and stores its mark, in the same step,
 * so a page's request begun before stores nothing from now on, and one begun after reads the mark
 * (`connectionForPage`).
 */
export function markPurgeBegun(): Promise<void> {
  purgesBegun++;
  return browser.storage.local.set({ [PURGE_PENDING_KEY]: true });
}

/**
 * For a CRM page's request as it begins: the CRM's stored connection, or null while a purge
 * deletes it (`purgePending`: its credentials are not to be used meanwhile); and the purges this
 * worker had begun, or null while one is pending (`PageAccess.purgesBefore`). One storage read
 * for both, as every CRM page asks.
 */
export async function connectionForPage(crm: CrmKind): Promise<{ connection: Connection | null; purgesBefore: number | null }> {
  // Noted before the read: a purge counted after it has its mark stored before the read answers.
  const purgesBefore = purgesBegun;
  const items = await browser.storage.local.get([PURGE_PENDING_KEY, connectionKey(crm)]);
  return isPurgePending(items) ? { connection: null, purgesBefore: null } : { connection: connectionIn(crm, items), purgesBefore };
}

/**
 * Whether a request that noted `purgesBefore` as it began (`connectionForPage`) may still store
 * what it read of its page (a cached score, the lead remembered for the side panel): no purge was
 * pending then, nor has one begun since, which would have deleted it or be deleting it.
 */
export function noPurgeSince(purgesBefore: number | null): boolean {
  return purgesBefore === purgesBegun;
}
