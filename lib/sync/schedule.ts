/**
 * Automatic syncs: the admin chooses how often (off, hourly, every 4 hours, daily), kept in
 * the settings table; a Chrome alarm of that period wakes the background, which then syncs
 * each connected CRM whose credentials were not refused (or may work again: a Salesforce
 * session the rep has logged in with since) and whose sync is not running. Alarms
 * outlive the service worker but not every browser restart, so the background schedules the
 * alarm again each time it starts.
 */
import { browser } from 'wxt/browser';
import { hasSalesforceSession } from '../connections/client-for';
import { readConnection, readStatus } from '../connections/connections';
import { CRM_KINDS, type CrmKind } from '../crm/types';
import { db } from '../db/db';
import { startSync } from './runner';
import { AutoSyncSchema, type AutoSync } from './state';
import { dexieSyncStore } from './store';

export const AUTO_SYNC_ALARM = 'leadlens-auto-sync';
const SETTING_KEY = 'auto-sync';

const OFF: AutoSync = { everyMinutes: null };

export async function readAutoSync(): Promise<AutoSync> {
  const parsed = AutoSyncSchema.safeParse((await db.settings.get(SETTING_KEY))?.value);
  return parsed.success ? parsed.data : OFF;
}

/** Keeps the admin's choice and schedules it: the first automatic sync comes one period after the last complete one (see `scheduleAutoSync`). */
export async function setAutoSync(setting: AutoSync): Promise<void> {
  await db.settings.put({ key: SETTING_KEY, value: AutoSyncSchema.parse(setting) });
  await browser.alarms.clear(AUTO_SYNC_ALARM);
  await scheduleAutoSync();
}

/** How soon after the background starts a sync that was due while the browser was closed runs. */
const OVERDUE_DELAY_MS = 60_000;

/**
 * The alarm as the setting says, made again only when missing or of another period (so a
 * restart does not put the next sync off). A missing one (a browser restart or an extension
 * update clears alarms) is due one period after the last complete sync, or in a minute if that
 * has passed: a browser closed every evening still gets its daily sync.
 */
export async function scheduleAutoSync(): Promise<void> {
  const { everyMinutes } = await readAutoSync();
  if (everyMinutes === null) {
    await browser.alarms.clear(AUTO_SYNC_ALARM);
    return;
  }
  const alarm = await browser.alarms.get(AUTO_SYNC_ALARM);
  if (alarm?.periodInMinutes === everyMinutes) return;
  const period = everyMinutes * 60_000;
  const lastSync = await lastCompleteSync();
  const when = Math.max(Date.now() + OVERDUE_DELAY_MS, (lastSync ?? Date.now()) + period);
  await browser.alarms.create(AUTO_SYNC_ALARM, { when, periodInMinutes: everyMinutes });
}

/** When the latest complete sync of any CRM finished (epoch ms), or null before the first. */
async function lastCompleteSync(): Promise<number | null> {
  const store = dexieSyncStore(db);
  const finished = (await Promise.all(CRM_KINDS.map((crm) => store.readState(crm)))).flatMap((state) => state.lastRun?.finishedAt ?? []);
  return finished.length > 0 ? Math.max(...finished) : null;
}

/** When the next automatic sync is due (epoch ms), or null when they are off. */
export async function nextAutoSyncAt(): Promise<number | null> {
  return (await browser.alarms.get(AUTO_SYNC_ALARM))?.scheduledTime ?? null;
}

/**
 * Whether a CRM asking to be reconnected may take its credentials again without the admin: a
 * Salesforce connection through the browser's session does once the browser holds a session for
 * its org, since its "reconnect" most often only says the rep was logged out (the browser had
 * just started, the session timed out) when a sync ran. A token or OAuth grant the CRM refused
 * stays refused until the admin reconnects: trying it again would fail the same way, and could
 * lock the account.
 */
async function mayTakeCredentialsAgain(crm: CrmKind): Promise<boolean> {
  const connection = await readConnection(crm);
  return connection?.crm === 'salesforce' && connection.auth.kind === 'session' && (await hasSalesforceSession(connection.host));
}

/**
 * On the alarm: syncs the CRMs that are connected, not refusing their credentials (a sync
 * would only fail again: the admin reconnects first; but see `mayTakeCredentialsAgain`), and
 * not syncing already. A sync the CRM answers ends the "reconnect". A connection whose last
 * check failed otherwise (a timeout) is synced: the sync says how it goes. Returns those it
 * started; one that fails to start does not keep the others from theirs.
 */
export async function runAutoSync(): Promise<CrmKind[]> {
  const store = dexieSyncStore(db);
  const started: CrmKind[] = [];
  for (const crm of CRM_KINDS) {
    const { status } = await readStatus(crm);
    if (status === 'disconnected') continue;
    if (status === 'reconnect' && !(await mayTakeCredentialsAgain(crm))) continue;
    // The stored state, not `syncStateOf`: a run whose end the full disk kept from being stored is still stored as running,
    // and no automatic sync tries again to fail the same way (the Sync row asks to free disk space; a sync by hand goes on).
    if ((await store.readState(crm)).status === 'running') continue;
    try {
      await startSync(crm);
      started.push(crm);
    } catch (error) {
      console.error(`LeadLens: the automatic ${crm} sync failed to start`, error);
    }
  }
  return started;
}
