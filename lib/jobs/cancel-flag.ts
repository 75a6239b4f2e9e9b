/**
 * A background job's cancel: a flag in `storage.session` that the cancel message sets, read by the
 * job in whichever worker runs it (a stopped worker's job is resumed by another, which must still
 * hear a cancel asked before it started listening).
 */
import { browser } from 'wxt/browser';

/** Whether a cancel was asked under `key` and not yet cleared. */
export async function cancelAsked(key: string): Promise<boolean> {
  return (await browser.storage.session.get(key))[key] === true;
}

/**
 * A signal that aborts once a cancel is asked under `key`: one asked before the listener was
 * added too. Call `stop` when the job ends (it removes the listener, not the flag).
 */
export async function listenForCancel(key: string): Promise<{ signal: AbortSignal; stop(): void }> {
  const controller = new AbortController();
  const onStorageChanged = (changes: Record<string, Browser.storage.StorageChange>, area: string) => {
    if (area === 'session' && changes[key]?.newValue === true) controller.abort();
  };
  browser.storage.onChanged.addListener(onStorageChanged);
  // A cancel asked after the caller's last look and before the listener was added is heard here.
  if (await cancelAsked(key)) controller.abort();
  return { signal: controller.signal, stop: () => browser.storage.onChanged.removeListener(onStorageChanged) };
}
