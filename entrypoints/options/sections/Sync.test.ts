// @vitest-environment happy-dom
/**
 * What the Sync section tells a screen reader: that a CRM's sync runs, and how the run ended
 * (its changed and removed leads, or where a cancel stopped it), in a live region that is on the
 * page before; not the counts as they grow, nor a run that ended before the page was opened.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DATA_CLEARED_ERROR_KIND, STORAGE_FULL_ERROR_KIND, type SyncSummary } from '@/lib/messaging/protocol-sync';
import type { AutoSync } from '@/lib/sync/state';
import { queryKeys } from '@/lib/query-keys';
import { deferred } from '@/test/deferred';
import { click, followLiveRegions, pressEnter, render, waitFor, type Rendered } from '@/test/render';
import { apiAllowancePause } from '@/lib/crm/client';
import { SyncSection } from './Sync';

const background = vi.hoisted(() => ({ syncStatus: vi.fn(), connectionStatus: vi.fn(), startSync: vi.fn(), cancelSync: vi.fn(), setAutoSync: vi.fn() }));
vi.mock('@/lib/messaging/client', () => ({ background }));

const LAST_RUN = { synced: 40, removed: 0, finishedAt: 1_700_000_000_000, seconds: 3 };
const summary = (status: SyncSummary['status'], patch: Partial<SyncSummary> = {}): SyncSummary => ({
  crm: 'salesforce',
  status,
  synced: 0,
  remaining: null,
  stored: 500,
  error: null,
  lastRun: null,
  leftOut: null,
  endedAt: null,
  syncedFrom: null,
  ...patch,
});
let salesforce: SyncSummary;
/** What the Salesforce connection's status says (CRM connections shows it), in the status the sync summary gives. */
let connectionMessage: string;

let rendered: Rendered | undefined;
let queryClient: QueryClient;
beforeEach(() => {
  salesforce = summary('done', { lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt });
  connectionMessage = 'Connected to Salesforce at acme.my.salesforce.com: Leads readable through API 67.0';
  background.connectionStatus.mockReset().mockImplementation(async () => ({
    ok: true,
    connections: [{ crm: 'salesforce', status: salesforce.connection ?? 'connected', host: 'acme.my.salesforce.com', message: connectionMessage }],
  }));
  background.syncStatus.mockReset().mockImplementation(async () => ({ ok: true, syncs: [salesforce], autoSync: { everyMinutes: null, nextAt: null } }));
  background.startSync.mockReset().mockImplementation(async () => ({ ok: true, ...salesforce }));
  background.cancelSync.mockReset().mockImplementation(async () => ({ ok: true, ...salesforce }));
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

const row = () => rendered!.container.querySelector<HTMLElement>('[data-testid="sync-salesforce"]');
const button = (testId: string) => row()?.querySelector<HTMLButtonElement>(`[data-testid="${testId}"]`) ?? null;
const buttonNamed = (name: string) => Array.from(row()?.querySelectorAll('button') ?? []).find((candidate) => candidate.textContent === name) ?? null;
/** The running sync's Cancel sync…, which asks first. */
const cancelButton = () => row()?.querySelector<HTMLButtonElement>('[data-testid="cancel-salesforce"] button') ?? null;
/** Cancels the running sync as the admin does: Cancel sync…, then its question's Yes. */
function cancelTheSync() {
  click(cancelButton()!);
  click(buttonNamed('Yes, cancel syncing')!);
}

/** Renders the section, and waits for `shown` (the Salesforce row) to be on it. */
async function renderSection(shown: () => HTMLElement | null = row) {
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(SyncSection)));
  return waitFor(shown);
}

/** The sync's state moves on, and the page reads it (as its poll would). */
async function pollAnswers(next: SyncSummary) {
  salesforce = next;
  await act(() => queryClient.invalidateQueries({ queryKey: queryKeys.syncs() }));
}

it('announces that the sync runs, once, then that it finished and what it changed', async () => {
  await renderSection();
  const announced = followLiveRegions(row()!);
  // The run that ended before the page was opened is shown, not announced.
  expect(announced()).toEqual([]);

  salesforce = summary('running', { synced: 200, remaining: 800, lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt });
  click(button('start-salesforce')!);
  await waitFor(() => announced().includes('Syncing Salesforce…') || null);
  await pollAnswers({ ...salesforce, synced: 600, remaining: 400 });
  await waitFor(() => row()!.textContent!.includes('Syncing Salesforce: 600 of 1,000 (60%)') || null);
  expect(announced()).toEqual(['Syncing Salesforce…']);

  const finishedAt = LAST_RUN.finishedAt + 60_000;
  await pollAnswers(summary('done', { synced: 1_000, lastRun: { synced: 12, removed: 1, finishedAt, seconds: 9 }, endedAt: finishedAt }));
  await waitFor(() => (row()!.dataset.status === 'done' ? row() : null));
  expect(announced()).toEqual(['Salesforce sync finished: 12 changed leads; 1 lead deleted in Salesforce was removed from this browser.']);
});

it('announces a run that started and ended between two reads of its state', async () => {
  await renderSection();
  const announced = followLiveRegions(row()!);
  const finishedAt = LAST_RUN.finishedAt + 60_000;
  salesforce = summary('done', { lastRun: { synced: 1, removed: 0, finishedAt, seconds: 1 }, endedAt: finishedAt });
  click(button('start-salesforce')!);
  await waitFor(() => announced().includes('Salesforce sync finished: 1 changed lead.') || null);
});

it('announces where a cancel stopped the sync', async () => {
  salesforce = summary('running', { synced: 300 });
  await renderSection();
  const announced = followLiveRegions(row()!);
  salesforce = summary('cancelled', { synced: 300, endedAt: LAST_RUN.finishedAt });
  cancelTheSync();
  await waitFor(() => announced().includes('Salesforce sync cancelled after 300 leads; sync again to go on from there.') || null);
  expect(background.cancelSync).toHaveBeenCalledWith({ crm: 'salesforce' });
});

it('offers a new sync, not to resume, when a cancel came before the sync stored any lead (while it asked whom it signs in as)', async () => {
  salesforce = summary('running', { lastRun: LAST_RUN });
  await renderSection();
  const announced = followLiveRegions(row()!);
  salesforce = summary('cancelled', { lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt + 1 });
  cancelTheSync();
  await waitFor(() => announced().includes('Salesforce sync cancelled before it stored any lead.') || null);
  expect(row()!.querySelector('p')!.textContent).toMatch(/ Stopped before it stored any lead\.$/);
  expect(button('start-salesforce')!.textContent).toBe('Sync now');
});

it('offers to resume a cancelled sync that stored leads', async () => {
  salesforce = summary('cancelled', { synced: 300, lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt + 1 });
  await renderSection();
  expect(row()!.querySelector('p')!.textContent).toMatch(/ Stopped after 300 leads; sync again to go on from there\.$/);
  expect(button('start-salesforce')!.textContent).toBe('Resume sync');
});

it('says how many leads were synced from the CRM, in those words (Demo mode’s are not counted)', async () => {
  await renderSection();
  expect(row()!.querySelector('p')!.textContent).toMatch(/^500 leads synced from Salesforce in this browser\./);
});

it('notes, as a finished sync’s and not as an error, that HubSpot counted more contacts than it listed, so only archived contacts are removed until the next comparison', async () => {
  const refusedAt = LAST_RUN.finishedAt;
  salesforce = summary('done', { crm: 'hubspot', lastRun: { ...LAST_RUN, removed: 1, comparisonRefused: { at: refusedAt, listed: 1_699, counted: 1_710 } }, endedAt: refusedAt });
  const hubspot = await renderSection(() => rendered!.container.querySelector<HTMLElement>('[data-testid="sync-hubspot"]'));
  expect(hubspot.querySelector('[data-testid="sync-comparison-refused"]')!.textContent).toBe(
    `HubSpot counted 1,710 contacts but listed only 1,699 on ${new Date(refusedAt).toLocaleString()}, so LeadLens removed no lead missing from that list. ` +
      `Until the count and the list agree, syncs remove only the contacts HubSpot lists as archived or merged; the first sync after ${new Date(refusedAt + 86_400_000).toLocaleString()} compares them again.`,
  );
  expect(hubspot.querySelector('[role="alert"]')).toBeNull();
  expect(hubspot.querySelector('p')!.textContent).toContain('1 lead deleted in HubSpot was removed from this browser.');

  // A comparison that completes ends the note.
  await pollAnswers(summary('done', { crm: 'hubspot', lastRun: { ...LAST_RUN, finishedAt: refusedAt + 86_400_000 }, endedAt: refusedAt + 86_400_000 }));
  await waitFor(() => (hubspot.querySelector('[data-testid="sync-comparison-refused"]') === null ? hubspot : null));
});

it('notes, as a finished sync’s and not as an error, that the values the CRM computes were not refreshed, and why', async () => {
  const note = 'Could not refresh formula fields: Salesforce refused read formula fields of Leads: HTTP 400 (QUERY_TOO_COMPLICATED: Query is either selecting too many fields or the filter conditions are too complicated.). Each Lead keeps the values its formula fields had when it last changed; LeadLens tries again within a week';
  salesforce = summary('done', { lastRun: { ...LAST_RUN, calculatedNotRefreshed: note }, endedAt: LAST_RUN.finishedAt });
  await renderSection();
  expect(row()!.querySelector('[data-testid="sync-calculated-not-refreshed"]')!.textContent).toBe(`${note}.`);
  expect(row()!.querySelector('[role="alert"]')).toBeNull();
});

it('sends the admin to reconnect a CRM that refused the sync’s credentials, in the connection’s words, rather than offering to resume a sync that would fail the same way', async () => {
  // As an older LeadLens stored it: the CRM's HTTP text. The connection's status says the step that fixes it.
  const refused = 'Salesforce rejected the credentials: HTTP 401 (INVALID_SESSION_ID: Session expired or invalid)';
  connectionMessage =
    "Salesforce did not accept this browser's login to acme.my.salesforce.com (it may have timed out): log in to Salesforce in this browser, then Reconnect. " +
    'If it goes on once you are logged in, your org may block session reuse: choose Sign in with OAuth, and connect again (HTTP 401 INVALID_SESSION_ID: Session expired or invalid)';
  salesforce = summary('error', { synced: 300, error: refused, errorKind: 'auth', endedAt: 1, connection: 'reconnect' });
  await renderSection();
  await waitFor(() => row()!.querySelector('[data-testid="reconnect-salesforce"]'));
  await waitFor(() => (row()!.querySelector('[role="alert"]')!.textContent!.includes(connectionMessage) ? row() : null));
  expect(row()!.querySelector('[role="alert"]')!.textContent).toBe(
    `The Salesforce sync stopped: ${connectionMessage}. What it stored so far is kept; reconnect Salesforce under CRM connections, then sync again.`,
  );
  const link = row()!.querySelector<HTMLAnchorElement>('[data-testid="reconnect-salesforce"]')!;
  expect([link.getAttribute('href'), link.textContent]).toEqual(['#connections', 'Reconnect Salesforce under CRM connections']);
  expect(button('start-salesforce')).toBeNull();

  // Connected again (a connect reads the sync status again): the sync can go on.
  await pollAnswers({ ...salesforce, connection: 'connected' });
  await waitFor(() => button('start-salesforce'));
  expect(button('start-salesforce')!.textContent).toBe('Resume sync');
  // Not the step already taken, which CRM connections no longer asks.
  expect(row()!.querySelector('[role="alert"]')!.textContent).toBe(
    'The Salesforce sync stopped: Salesforce refused the credentials it had then (reconnected since). What it stored so far is kept; sync again to go on.',
  );
  expect(row()!.querySelector('[data-testid="reconnect-salesforce"]')).toBeNull();
});

it('says why a sync stopped other than by refused credentials in its own words, though the connection asks to reconnect since', async () => {
  const unreachable = 'could not reach https://acme.my.salesforce.com (TypeError)';
  // A badge's read refused since.
  connectionMessage = 'Salesforce did not accept LeadLens’s sign-in to acme.my.salesforce.com: Reconnect to sign in again (HTTP 401)';
  salesforce = summary('error', { synced: 300, error: unreachable, errorKind: 'network', endedAt: 1, connection: 'reconnect' });
  await renderSection();
  // Once the page has the connection's status (a render after it is read).
  await waitFor(() => queryClient.getQueryData(queryKeys.connections()));
  await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
  expect(row()!.querySelector('[role="alert"]')!.textContent).toBe(`The Salesforce sync stopped: ${unreachable}. What it stored so far is kept; sync again to go on.`);
});

it('offers to resume a sync stopped by another error', async () => {
  salesforce = summary('error', { synced: 300, error: 'could not reach https://acme.my.salesforce.com (TypeError)', errorKind: 'network', endedAt: 1, connection: 'connected' });
  await renderSection();
  expect(button('start-salesforce')!.textContent).toBe('Resume sync');
  expect(row()!.querySelector('[role="alert"]')!.textContent).toMatch(/sync again to go on\.$/);
});

it('says plainly that the browser’s storage for LeadLens is full when that stopped the sync, and what to do, not the browser’s words', async () => {
  salesforce = summary('running', { synced: 2000, remaining: 1000, connection: 'connected' });
  await renderSection();
  await pollAnswers(summary('error', { synced: 2000, error: 'QuotaExceededError Encountered disk full while committing transaction.', errorKind: STORAGE_FULL_ERROR_KIND, endedAt: 1, connection: 'connected' }));
  await waitFor(() => (row()!.dataset.status === 'error' ? row() : null));
  expect(row()!.textContent).not.toContain('Syncing Salesforce');
  expect(row()!.querySelector('[role="alert"]')!.textContent).toBe(
    "The Salesforce sync stopped: the browser's storage for LeadLens is full, as this computer's disk is nearly full. What it stored so far is kept; free disk space, then sync again.",
  );
  expect(button('start-salesforce')!.textContent).toBe('Resume sync');
});

it('says only that the next sync reads every lead again, and offers Sync now, not Resume, when LeadLens’s data was deleted as the sync ran', async () => {
  const cleared = "LeadLens's data in this browser was deleted while this sync ran (the browser's site data cleared): the next sync reads every Lead again";
  salesforce = summary('running', { synced: 500, remaining: 300, connection: 'connected' });
  await renderSection();
  await pollAnswers(summary('error', { synced: 0, stored: 0, error: cleared, errorKind: DATA_CLEARED_ERROR_KIND, endedAt: 1, connection: 'connected' }));
  await waitFor(() => (row()!.dataset.status === 'error' ? row() : null));
  expect(row()!.querySelector('[role="alert"]')!.textContent).toBe(`The Salesforce sync stopped: ${cleared}.`);
  expect(button('start-salesforce')!.textContent).toBe('Sync now');
});

it('points to Connections instead of offering a sync of a CRM that is not connected, and offers it once connected', async () => {
  salesforce = summary('idle', { stored: 0, connection: 'disconnected' });
  await renderSection();
  const link = row()!.querySelector<HTMLAnchorElement>('[data-testid="reconnect-salesforce"]')!;
  expect([link.getAttribute('href'), link.textContent]).toEqual(['#connections', 'Connect Salesforce under CRM connections']);
  expect(button('start-salesforce')).toBeNull();
  expect(row()!.querySelector('[role="alert"]')).toBeNull();

  await pollAnswers({ ...salesforce, connection: 'connected' });
  await waitFor(() => button('start-salesforce'));
  expect(button('start-salesforce')!.textContent).toBe('Sync now');
  expect(row()!.querySelector('[data-testid="reconnect-salesforce"]')).toBeNull();
});

it('keeps the focus on Sync now while the sync is asked for, moves it to the Cancel sync… that takes its place, there once a cancel is confirmed, and to Resume sync as the sync ends', async () => {
  await renderSection();
  const start = deferred<unknown>();
  background.startSync.mockReturnValue(start.promise);
  const syncNow = button('start-salesforce')!;
  act(() => syncNow.focus());
  click(syncNow);
  // Not disabled under the focus, which would drop it to the page: said unavailable, and a second press ignored.
  await waitFor(() => syncNow.disabled || syncNow.getAttribute('aria-disabled') === 'true' || null);
  expect(syncNow.disabled).toBe(false);
  expect(syncNow.getAttribute('aria-disabled')).toBe('true');
  expect(document.activeElement).toBe(syncNow);
  click(syncNow);
  expect(background.startSync).toHaveBeenCalledTimes(1);

  salesforce = summary('running', { synced: 10, lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt });
  await act(async () => start.resolve({ ok: true, ...salesforce }));
  const cancel = await waitFor(cancelButton);
  expect(cancel.textContent).toBe('Cancel sync…');
  expect(document.activeElement).toBe(cancel);

  // Confirmed, its question goes from under the focus: the focus goes back to Cancel sync…, until the sync ends.
  const cancelling = deferred<unknown>();
  background.cancelSync.mockReturnValue(cancelling.promise);
  cancelTheSync();
  await waitFor(() => background.cancelSync.mock.calls.length > 0 || null);
  await waitFor(() => document.activeElement === cancelButton() || null);
  // Pressed again meanwhile, it only asks again.
  click(cancelButton()!);
  expect(background.cancelSync).toHaveBeenCalledTimes(1);

  salesforce = summary('cancelled', { synced: 10, lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt + 1 });
  await act(async () => cancelling.resolve({ ok: true, ...salesforce }));
  const resume = await waitFor(() => (button('start-salesforce')?.getAttribute('aria-disabled') === 'false' ? button('start-salesforce') : null));
  expect(resume.textContent).toBe('Resume sync');
  expect(document.activeElement).toBe(resume);
});

it('asks before cancelling a sync, its Keep syncing focused: a second Enter on Sync now, or the key held down, never cancels the sync it started', async () => {
  await renderSection();
  salesforce = summary('running', { synced: 10, remaining: 3_990, lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt });
  pressEnter(button('start-salesforce')!);
  await waitFor(() => document.activeElement === cancelButton() || null);
  const pressAgain = () => pressEnter(document.activeElement as HTMLElement);

  pressAgain();
  await act(() => new Promise((resolve) => setTimeout(resolve, 50))); // time for a cancel to reach the background
  expect(background.cancelSync).not.toHaveBeenCalled();
  const question = row()!.querySelector('[role="group"][aria-label="Confirm cancelling the Salesforce sync"]');
  expect(question?.textContent).toContain('Cancelling stops the sync: the leads it has stored so far stay in this browser, and syncing again goes on from where it stopped.');
  await waitFor(() => document.activeElement === buttonNamed('Keep syncing') || null);
  pressAgain();
  await waitFor(() => document.activeElement === cancelButton() || null);
  pressAgain();
  await waitFor(() => document.activeElement === buttonNamed('Keep syncing') || null);
  expect(background.cancelSync).not.toHaveBeenCalled();
  expect(row()!.dataset.status).toBe('running');

  pressEnter(buttonNamed('Yes, cancel syncing')!);
  await waitFor(() => background.cancelSync.mock.calls.length > 0 || null);
  expect(background.cancelSync).toHaveBeenCalledTimes(1);
  expect(background.cancelSync).toHaveBeenCalledWith({ crm: 'salesforce' });
});

it('leaves the focus where it is when the page opens on a running sync, and when it ends', async () => {
  salesforce = summary('running', { synced: 10, lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt });
  await renderSection();
  await waitFor(cancelButton);
  expect(document.activeElement).toBe(document.body);
  await pollAnswers(summary('done', { synced: 20, lastRun: { ...LAST_RUN, finishedAt: LAST_RUN.finishedAt + 1 }, endedAt: LAST_RUN.finishedAt + 1 }));
  await waitFor(() => button('start-salesforce'));
  expect(document.activeElement).toBe(document.body);
});

describe('a sync paused as the CRM’s API allowance is nearly used, or stopped by its rate limit', () => {
  const alert = () => row()!.querySelector('[role="alert"]')!.textContent;
  const paused = apiAllowancePause('salesforce', { apiUsage: () => ({ used: 91_200, limit: 100_000 }) }, 'sync')!;

  it('says when to sync again, in whole sentences, and not to sync again now', async () => {
    salesforce = summary('error', { synced: 0, error: paused.message, errorKind: paused.kind, endedAt: 1, connection: 'connected' });
    await renderSection();
    expect(alert()).toBe(
      'The Salesforce sync stopped: Salesforce: your org has used 91,200 of its 100,000 API requests of the last 24 hours; LeadLens paused this sync to leave the rest to your other integrations. ' +
        'Sync again in a few hours, as requests older than 24 hours stop counting: it goes on from where it stopped. What it stored so far is kept.',
    );
  });

  it('says beside Resume sync that a sync before then stops again', async () => {
    salesforce = summary('error', { synced: 200, error: paused.message, errorKind: paused.kind, endedAt: 1, connection: 'connected' });
    await renderSection();
    const resume = button('start-salesforce')!;
    expect(resume.textContent).toBe('Resume sync');
    const note = rendered!.container.querySelector(`[id="${resume.getAttribute('aria-describedby')}"]`);
    expect(note?.textContent).toBe(' Before then, a sync stops again as this one did.');
    expect(row()!.textContent).toContain('Resume sync Before then, a sync stops again as this one did.');

    // A rate limit's 429 says when itself too.
    const rateLimited = 'Salesforce answered 429 (rate limit) to the list of changes, asking LeadLens to wait 2 hours: try again after 11/14/2023, 11:13:20 PM';
    await pollAnswers({ ...salesforce, error: rateLimited, endedAt: 2 });
    await waitFor(() => (alert()!.includes('429') ? row() : null));
    expect(alert()).toBe(`The Salesforce sync stopped: ${rateLimited}. What it stored so far is kept.`);
    expect(row()!.textContent).toContain('Before then, a sync stops again as this one did.');
  });

  it('offers a plain Resume sync after another error', async () => {
    salesforce = summary('error', { synced: 200, error: 'could not reach https://acme.my.salesforce.com (TypeError)', errorKind: 'network', endedAt: 1, connection: 'connected' });
    await renderSection();
    expect(button('start-salesforce')!.hasAttribute('aria-describedby')).toBe(false);
    expect(row()!.textContent).not.toContain('Before then');
  });
});

it('says no count of stored leads beside a running sync’s bar (read at most every 10 s, it lags behind), and says it again, read afresh, as the run ends', async () => {
  // A first sync: the count was read as it began.
  salesforce = summary('running', { synced: 791, remaining: 3_214, stored: 0 });
  await renderSection();
  expect(row()!.textContent).toContain('Syncing Salesforce: 791 of 4,005 (19%)');
  expect(row()!.textContent).not.toContain('synced from Salesforce in this browser');
  expect(row()!.querySelector('p')).toBeNull();

  // One with a complete sync before says that one's end still.
  await pollAnswers(summary('running', { synced: 791, remaining: 3_214, stored: 0, lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt }));
  await waitFor(() => row()!.querySelector('p'));
  expect(row()!.querySelector('p')!.textContent).toMatch(/^Last complete sync: 40 changed leads in 3 s, /);

  const finishedAt = LAST_RUN.finishedAt + 60_000;
  await pollAnswers(summary('done', { synced: 4_005, stored: 4_005, lastRun: { synced: 4_005, removed: 0, finishedAt, seconds: 40 }, endedAt: finishedAt }));
  await waitFor(() => (row()!.dataset.status === 'done' ? row() : null));
  expect(row()!.querySelector('p')!.textContent).toMatch(/^4,005 leads synced from Salesforce in this browser\. Last complete sync: 4,005 changed leads in 40 s, /);
});

describe('a run that ends with the CRM refusing the credentials, which puts the Reconnect link in place of the button', () => {
  const refused = () => summary('error', { synced: 10, error: 'Salesforce refused the session (401)', errorKind: 'auth', connection: 'reconnect', endedAt: LAST_RUN.finishedAt + 1 });
  const link = () => row()?.querySelector<HTMLAnchorElement>('[data-testid="reconnect-salesforce"]') ?? null;
  /** Once the focus is on what `find` finds (it fails when it never is). */
  const focusOn = (find: () => HTMLElement | null) => waitFor(() => (find() !== null && document.activeElement === find()) || null);

  it('moves the focus Cancel had to the link', async () => {
    await renderSection();
    salesforce = summary('running', { synced: 10, remaining: 90, lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt });
    pressEnter(button('start-salesforce')!);
    await focusOn(cancelButton);

    await pollAnswers(refused());
    await focusOn(link);
  });

  it('moves the focus Sync now had to the link, when the run was refused before the page saw it run', async () => {
    await renderSection();
    const start = deferred<unknown>();
    background.startSync.mockReturnValue(start.promise);
    pressEnter(button('start-salesforce')!);
    await waitFor(() => button('start-salesforce')?.getAttribute('aria-disabled') === 'true' || null);
    salesforce = refused();
    await act(async () => start.resolve({ ok: true, ...salesforce }));
    await focusOn(link);
  });

  it('moves the focus to the link of the CRM whose Sync now was refused, not to another CRM’s link', async () => {
    // A HubSpot-only install: Salesforce's row, first, asks to connect it.
    salesforce = summary('done', { connection: 'disconnected', stored: 0 });
    let hubspot = summary('done', { crm: 'hubspot', lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt });
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [salesforce, hubspot], autoSync: { everyMinutes: null, nextAt: null } }));
    const hubspotRow = () => rendered!.container.querySelector<HTMLElement>('[data-testid="sync-hubspot"]');
    const inHubspotRow = (testId: string) => hubspotRow()?.querySelector<HTMLElement>(`[data-testid="${testId}"]`) ?? null;
    await renderSection(() => inHubspotRow('start-hubspot'));
    expect(link()).not.toBeNull();
    const start = deferred<unknown>();
    background.startSync.mockReturnValue(start.promise);
    pressEnter(inHubspotRow('start-hubspot')!);
    await waitFor(() => inHubspotRow('start-hubspot')?.getAttribute('aria-disabled') === 'true' || null);
    hubspot = summary('error', { crm: 'hubspot', synced: 10, error: 'HubSpot refused the token (401)', errorKind: 'auth', connection: 'reconnect', endedAt: LAST_RUN.finishedAt + 1 });
    await act(async () => start.resolve({ ok: true, ...hubspot }));
    const focusedLink = await waitFor(() => (document.activeElement instanceof HTMLAnchorElement ? document.activeElement : null));
    expect(focusedLink.dataset.testid).toBe('reconnect-hubspot');
  });

  it('leaves the focus where the admin put it since', async () => {
    await renderSection();
    salesforce = summary('running', { synced: 10, remaining: 90, lastRun: LAST_RUN, endedAt: LAST_RUN.finishedAt });
    pressEnter(button('start-salesforce')!);
    await waitFor(() => button('cancel-salesforce'));
    const elsewhere = rendered!.container.querySelector<HTMLSelectElement>('[data-testid="auto-sync"] select')!;
    act(() => elsewhere.focus());

    await pollAnswers(refused());
    await waitFor(link);
    expect(document.activeElement).toBe(elsewhere);
  });
});

describe('Sync automatically', () => {
  const select = () => rendered!.container.querySelector<HTMLSelectElement>('[data-testid="auto-sync"] select')!;
  /** Chooses `value` as an arrow key on the closed select does, and lets the page take it in (a save's state reaches it a task later). */
  const choose = async (value: string) => {
    act(() => {
      select().value = value;
      select().dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
  };
  // What the background holds, and how many saves have ended. The first save is slow: it lands
  // when the test says, after any other asked meanwhile, which lands at once.
  let saved: AutoSync['everyMinutes'];
  let ended: number;
  let landFirstSave: () => void;
  beforeEach(() => {
    saved = null;
    ended = 0;
    const firstSaveLands = new Promise<void>((resolve) => (landFirstSave = resolve));
    background.syncStatus.mockImplementation(async () => ({ ok: true, syncs: [salesforce], autoSync: { everyMinutes: saved, nextAt: null } }));
    background.setAutoSync.mockReset().mockImplementation(async ({ everyMinutes }: AutoSync) => {
      if (background.setAutoSync.mock.calls.length === 1) await firstSaveLands;
      saved = everyMinutes;
      ended++;
      return { ok: true };
    });
  });

  it('keeps the focus on the select while a choice saves (the next arrow key moves on from it), and keeps the last of quick choices', async () => {
    await renderSection();
    act(() => select().focus());
    await choose('60');
    // Not disabled under the focus, which would drop it to the page; it shows the choice made, not the one saved before.
    expect(select().disabled).toBe(false);
    expect(document.activeElement).toBe(select());
    expect(select().value).toBe('60');
    await choose('1440');
    expect(select().value).toBe('1440');
    expect(saved).toBeNull();

    act(() => landFirstSave());
    // Both saved, and the status read again after them.
    await waitFor(() => (ended === 2 && queryClient.isMutating() === 0) || null);
    // Saved one after the other: the last choice is the one that stays, and the one shown once read back.
    expect(saved).toBe(1440);
    expect(background.setAutoSync.mock.calls).toEqual([[{ everyMinutes: 60 }], [{ everyMinutes: 1440 }]]);
    expect(select().value).toBe('1440');
    expect(document.activeElement).toBe(select());
  });
});
