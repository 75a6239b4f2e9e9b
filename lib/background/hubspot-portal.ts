/**
 * Checks of the stored connection, and what they leave of the HubSpot connection's portal. Every
 * check of a stored connection runs through `checkStoredConnection` (Test connection's of either
 * CRM too), as a HubSpot one records whether it left the portal unknown. A HubSpot connection no
 * check has read the portal of (or the host of its pages) is checked in the background
 * (start-up, the automatic sync's alarm, HubSpot pages), one check at a time, backing off after
 * one that could not tell (recorded in this worker's memory and in storage.session).
 */
import { browser } from 'wxt/browser';
import { z } from 'zod';
import { readConnection } from '../connections/connections';
import type { Connection, ConnectionReply } from '../connections/schema';
import type { CrmKind } from '../crm/types';
import { sendToCrmTabs } from '../messaging/events';
import { checkAndRemember, withConnectionLock } from './connect';
import { purgePending } from './purge-mark';

/** Checks the CRM's stored connection if `needsCheck` says so, alone among its connects and checks, recording what a HubSpot check left of the portal (`recordPortalCheck`); null when it is not checked. */
export function checkStoredConnection(crm: CrmKind, needsCheck: (connection: Connection) => boolean | Promise<boolean> = () => true): Promise<(ConnectionReply & { ok: true }) | null> {
  return withConnectionLock(crm, async () => {
    // Read once the lock is held: a connect it waited for may have replaced it.
    const connection = await readConnection(crm);
    if (!connection || !(await needsCheck(connection))) return null;
    let reply: (ConnectionReply & { ok: true }) | null = null;
    try {
      reply = await checkAndRemember(connection);
      return reply;
    } finally {
      if (connection.crm === 'hubspot') await recordPortalCheck(connection, reply);
    }
  });
}

const portalUnknown = (connection: Connection) => connection.crm === 'hubspot' && connection.account === undefined;

/**
 * Checks a stored HubSpot connection no check has read the portal of (HubSpot was down when it
 * was connected, or it was stored by a LeadLens that did not record portals): its syncs and
 * write-backs wait for that (`otherAccountRefusal`), and a sync started by hand should not fail
 * for want of a check the admin never knew to ask for. Unlike `learnPortalInBackground`, it checks
 * whatever an earlier check found: the admin asked.
 */
export async function learnPortalIfUnknown(): Promise<void> {
  await checkStoredConnection('hubspot', portalUnknown);
}

/** How long after a check that could not reach HubSpot start-up, automatic syncs and pages wait before they ask for another: a list page asks as it scrolls, and a worker may start every few minutes. */
export const PORTAL_RECHECK_AFTER_MS = 5 * 60_000;

/**
 * What the last check of the HubSpot connection found when it left its portal unknown: when it
 * ended, and whether HubSpot answered without naming the portal (`unconfirmed`). In
 * storage.session: it outlives the worker (stopped after idling, started again by the next page
 * or alarm), not the browser, whose next start checks again.
 */
const PORTAL_CHECK_KEY = 'hubspot-portal-check';
const PortalCheckSchema = z.object({ endedAt: z.number(), unconfirmed: z.boolean() });
type PortalCheck = z.infer<typeof PortalCheckSchema>;

/**
 * The same, kept in this worker's memory too: with storage.session full it is the only record,
 * and without it every page asking would start another check with the stored token.
 */
let lastPortalCheck: PortalCheck | null = null;

/**
 * Records what a check (or connect) of the HubSpot connection left of its portal (`PORTAL_CHECK_KEY`):
 * when it is known, nothing; when it became known, CRM tabs are told, as their pages of it were
 * answered as another portal's (`pageAccess`) and their badges should ask again.
 */
export async function recordPortalCheck(before: Connection | null, reply: ConnectionReply | null): Promise<void> {
  const after = await readConnection('hubspot');
  if (after !== null && portalUnknown(after)) {
    lastPortalCheck = { endedAt: Date.now(), unconfirmed: reply?.status === 'connected' };
    // storage.session may be full: the check's own reply must not fail for the back-off it could not record there.
    await browser.storage.session
      .set({ [PORTAL_CHECK_KEY]: lastPortalCheck })
      .catch((error: unknown) => console.warn('LeadLens: recording the HubSpot portal check failed', error));
    return;
  }
  lastPortalCheck = null;
  await browser.storage.session.remove(PORTAL_CHECK_KEY);
  if (after !== null && (before === null || portalUnknown(before))) await sendToCrmTabs('scoresChanged', { crm: 'hubspot' });
}

/**
 * Whether `last` holds off another check: one HubSpot answered without naming the portal, until
 * a check of the admin's (Connect, Test connection, Sync now) says otherwise, as asking again only
 * gets the same answer; one that could not reach HubSpot, for PORTAL_RECHECK_AFTER_MS. One that
 * ended "in the future" was recorded while the clock ran fast: it holds off nothing, or it would
 * until the clock caught up.
 */
function backsOff(last: PortalCheck): boolean {
  const age = Date.now() - last.endedAt;
  return last.unconfirmed || (age >= 0 && age < PORTAL_RECHECK_AFTER_MS);
}

/** Whether start-up, automatic syncs and pages wait before checking the portal again, by the last check this worker or an earlier one recorded (`backsOff`). */
async function portalCheckBacksOff(): Promise<boolean> {
  if (lastPortalCheck !== null && backsOff(lastPortalCheck)) return true;
  const stored = PortalCheckSchema.safeParse((await browser.storage.session.get(PORTAL_CHECK_KEY))[PORTAL_CHECK_KEY]);
  return stored.success && backsOff(stored.data);
}

/**
 * Whether start-up, automatic syncs and pages leave the portal unchecked for now: while a purge
 * deletes the token (`purgePending`: one cut short is finished at the next start, and a restored
 * HubSpot tab may ask before), and while `portalCheckBacksOff`.
 */
async function portalCheckWaits(): Promise<boolean> {
  return (await purgePending()) || (await portalCheckBacksOff());
}

let portalCheckInFlight: Promise<void> | null = null;

/**
 * Set in storage.session once the background asked HubSpot for the host of a known portal's pages:
 * once per browser session, not at every worker start, as HubSpot may name no host LeadLens runs on.
 */
const HOST_ASKED_KEY = 'hubspot-host-asked';

/**
 * Whether a HubSpot connection knows its portal but not the host of its pages (stored before
 * LeadLens kept it: Open in CRM would send the rep to app.hubspot.com), not asked this browser
 * session (`HOST_ASKED_KEY`).
 */
async function hostUnknown(connection: Connection): Promise<boolean> {
  if (connection.crm !== 'hubspot' || connection.account === undefined || connection.account.uiDomain !== undefined) return false;
  return (await browser.storage.session.get(HOST_ASKED_KEY))[HOST_ASKED_KEY] !== true;
}

/**
 * `learnPortalIfUnknown` for start-up, the automatic sync's alarm and HubSpot pages finding the
 * portal unknown, and for a portal's host unknown (`hostUnknown`): one check at a time, which every caller shares, and none while
 * `portalCheckWaits`. The worker is kept alive while it runs (`withConnectionLock`); a failure
 * is logged, never thrown.
 */
export function learnPortalInBackground(): Promise<void> {
  portalCheckInFlight ??= (async () => {
    if (await portalCheckWaits()) return;
    // Asked again once the lock is held: a check it waited for (a sync's, Test connection) may have just ended, a purge begun.
    await checkStoredConnection('hubspot', async (connection) => {
      const forPortal = portalUnknown(connection);
      if (!forPortal && !(await hostUnknown(connection))) return false;
      if (await portalCheckWaits()) return false;
      // Not recorded (storage.session full), it is asked again at the next worker start: nothing worse.
      if (!forPortal) await browser.storage.session.set({ [HOST_ASKED_KEY]: true }).catch(() => undefined);
      return true;
    });
  })()
    .catch((error: unknown) => console.error('LeadLens: checking which HubSpot portal the connection reads failed', error))
    .finally(() => (portalCheckInFlight = null));
  return portalCheckInFlight;
}
