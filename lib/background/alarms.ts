/**
 * What the background does when one of its alarms fires. Chrome wakes the worker for the alarm,
 * then stops it after 30 s without an extension event or API call, which a HubSpot check of up
 * to a minute or a long database read does not make: each alarm's work keeps it alive until done.
 */
import { SYNC_WATCHDOG_ALARM, resumeSyncs } from '../sync/runner';
import { AUTO_SYNC_ALARM, runAutoSync } from '../sync/schedule';
import { learnPortalInBackground } from './hubspot-portal';
import { keepWorkerAliveDuring } from './keep-alive';
import { REFRESH_SCORES_ALARM, refreshStaleScores } from './refresh-scores';

/**
 * The automatic sync of every connected CRM. A HubSpot connection whose portal is not known yet
 * is checked first (its sync waits for that), in the check start-up and pages share: an alarm
 * firing during start-up's check waits for it rather than checking again, and after one that
 * could not reach HubSpot asks nothing until its back-off ends. A check that fails does not keep
 * Salesforce's sync from starting, and HubSpot's then says what is wrong.
 */
async function autoSync(): Promise<void> {
  await learnPortalInBackground(); // logs its own failure, never throws
  await runAutoSync();
}

/** Each alarm's work, and what its failure is logged as. */
const ALARM_WORK: Record<string, { run: () => Promise<unknown>; failure: string }> = {
  [SYNC_WATCHDOG_ALARM]: { run: resumeSyncs, failure: 'resuming an interrupted sync failed' },
  [AUTO_SYNC_ALARM]: { run: autoSync, failure: 'the automatic sync failed to start' },
  [REFRESH_SCORES_ALARM]: { run: () => refreshStaleScores(), failure: 'scoring the stored leads again failed' },
};

/** Runs the work of the alarm `name` (none for an alarm not LeadLens's), the worker kept alive meanwhile; a failure is logged. */
export async function handleAlarm(name: string): Promise<void> {
  const work = Object.hasOwn(ALARM_WORK, name) ? ALARM_WORK[name] : undefined;
  if (!work) return;
  try {
    await keepWorkerAliveDuring(work.run());
  } catch (error) {
    console.error(`LeadLens: ${work.failure}`, error);
  }
}
