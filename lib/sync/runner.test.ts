/**
 * What a sync learns of the connection's credentials reaches its status before the sync's end
 * is stored (pages read the status again when they see the sync end): a 401 says "reconnect",
 * and a later sync the CRM answers (an automatic one too, once the rep logged in to Salesforce)
 * says the connection works again.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { readStatus, removeConnection, writeStatus } from '../connections/connections';
import { writeConnection } from '../../test/fixtures/stored-connection';
import type { ConnectionReply } from '../connections/schema';
import { generateDemoLeads } from '../crm/demo-data';
import type { CrmKind } from '../crm/types';
import { db } from '../db/db';
import { oweScoringOfEveryLead, oweSourceScoring, owedScoringModel, owedSourceScorings } from '../jobs/progress';
import { fullScoringRequested, requestFullScoring } from '../jobs/requests';
import { activeModelId } from '../ml/model-store';
import { scoreOwedSourceLeads } from '../background/activate-model';
import { scoreCacheFor } from '../background/score-cache';
import { defaultBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { DEMO_SALESFORCE_USERS, demoSessionIdAs } from '../../test/demo-crm/salesforce-api';
import { createDemoCrm, createDemoCrmHandler } from '../../test/demo-crm/server';
import { stubWebLocks } from '../../test/web-locks';
import { disk, installDiskThatFills } from '../../test/indexeddb-quota';
import { STORAGE_FULL_ERROR_KIND } from '../messaging/protocol-sync';
import { syncStateOf } from './kept-end';
import { SYNC_WATCHDOG_ALARM, cancelSync, resumeSyncs, startSync, syncLockName } from './runner';
import { runAutoSync } from './schedule';
import { INITIAL_SYNC_STATE, syncStateKey, type SyncState } from './state';
import { dexieSyncStore } from './store';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
/**
 * The stored leads scored and the CRM tabs told, each noted with `syncs.started` at that moment
 * (`tabsToldOf`: the CRM each telling named);
 * while `tellingTabs` or `scoring` is set, telling the tabs or the scoring's run waits for it.
 * `runs`: each scoring's run, noted as it is asked, settled once its end has settled what it covered.
 */
const syncs = vi.hoisted(() => ({ started: 0, after: [] as [number, string][], tabsToldOf: [] as (CrmKind | undefined)[], scoredSources: [] as (CrmKind | undefined)[], runs: [] as Promise<unknown>[], tellingTabs: null as Promise<void> | null, scoring: null as Promise<void> | null }));
// Scoring the synced leads is not what is tested here, only whether a sync asks for it: its run
// scores nothing, and its end settles what it covered, as the offscreen document's does.
vi.mock('../background/offscreen-engine', async () => {
  const { runJob } = await import('../jobs/progress');
  return {
    scoreStoredLeadsOffscreen: (modelId: string, source?: CrmKind) => {
      syncs.after.push([syncs.started, 'scored']);
      syncs.scoredSources.push(source);
      const run = (async () => {
        await syncs.scoring;
        return { ok: true, scored: await runJob('scoring', modelId, 0, async () => 0, { source }) };
      })();
      syncs.runs.push(run);
      return run;
    },
  };
});
/**
 * Once every scoring asked so far has ended. A scoring is noted "scored" as it is asked, before
 * its run begins: what its end settles (and when it began) is known only after this.
 */
const scoringsEnded = () => Promise.allSettled(syncs.runs);
vi.mock('../messaging/events', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../messaging/events')>()),
  sendToCrmTabs: async (type: string, payload: { crm?: CrmKind }) => {
    syncs.after.push([syncs.started, `told the tabs ${type}`]);
    syncs.tabsToldOf.push(payload.crm);
    await syncs.tellingTabs;
  },
}));

/** The connection's status at the moment each sync end was stored. */
const statusAtEnd = vi.hoisted(() => [] as { sync: SyncState['status']; connection: ConnectionReply['status']; message: string }[]);
vi.mock('./store', async (importOriginal) => {
  const original = await importOriginal<typeof import('./store')>();
  const { readStatus: statusOf } = await import('../connections/connections');
  const note = async (crm: CrmKind, state: SyncState) => {
    const { status, message } = await statusOf(crm);
    statusAtEnd.push({ sync: state.status, connection: status, message });
  };
  return {
    ...original,
    dexieSyncStore: (database: Parameters<typeof original.dexieSyncStore>[0]) => {
      const store = original.dexieSyncStore(database);
      return {
        ...store,
        async writeState(crm: CrmKind, state: SyncState) {
          if (state.status !== 'running') await note(crm, state);
          await store.writeState(crm, state);
        },
        finishSync: (crm: CrmKind, deletions: Parameters<typeof store.finishSync>[1], finished: (removed: number) => SyncState) =>
          store.finishSync(crm, deletions, (removed) => {
            const state = finished(removed);
            void note(crm, state);
            return state;
          }),
      };
    },
  };
});

const HOST = 'acme.my.salesforce.com';
const SESSION_ID = '00D5g000004Demo!ARsession';
let behaviour = defaultBehaviour();

beforeEach(async () => {
  fakeBrowser.reset();
  statusAtEnd.length = 0;
  Object.assign(syncs, { started: 0, after: [], tabsToldOf: [], scoredSources: [], runs: [], tellingTabs: null, scoring: null });
  fakeBrowser.cookies.get = vi.fn(async ({ name }: { name: string }) => (name === 'sid' ? { value: SESSION_ID } : null)) as never;
  fakeBrowser.runtime.getPlatformInfo = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
  stubWebLocks();
  behaviour = defaultBehaviour();
  vi.stubGlobal('fetch', demoFetch(createDemoCrmHandler(generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), behaviour)));
  await Promise.all(db.tables.map((table) => table.clear()));
  await writeConnection({ crm: 'salesforce', host: HOST, apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
});
afterEach(() => vi.unstubAllGlobals());

/** The Salesforce sync's end, once it is stored and no job holds a lock (the sync's, or the request of a scoring it asked as it ended). */
async function syncEnded(): Promise<SyncState> {
  let state = await dexieSyncStore(db).readState('salesforce');
  await vi.waitFor(async () => expect((state = await dexieSyncStore(db).readState('salesforce')).status).not.toBe('running'), { timeout: 5_000 });
  // The job lets go of its lock after its end is stored. A scoring it asks as it ends holds its
  // request's lock until its run ends: on a loaded machine, the file's first run outlasts
  // vi.waitFor's default second (it timed out so).
  await vi.waitFor(async () => expect((await navigator.locks.query()).held).toEqual([]), { timeout: 10_000 });
  return state;
}

async function syncToItsEnd(): Promise<SyncState> {
  syncs.started++;
  await startSync('salesforce');
  return syncEnded();
}

it('says "reconnect" before the refused sync says it stopped, and "connected" once a sync is answered again', async () => {
  behaviour.revokedTokens.add(SESSION_ID);
  expect(await syncToItsEnd()).toMatchObject({ status: 'error', errorKind: 'auth' });
  // What fixes it, as the connection check says it (`failureInPlainWords`), not the HTTP text the sync stopped with; what Salesforce said in brackets.
  const reconnect =
    `Salesforce did not accept this browser's login to ${HOST} (it may have timed out): log in to Salesforce in this browser, then Reconnect. ` +
    'If it goes on once you are logged in, your org may block session reuse: choose Sign in with OAuth, and connect again (HTTP 401 INVALID_SESSION_ID: Session expired or invalid)';
  expect(statusAtEnd).toEqual([{ sync: 'error', connection: 'reconnect', message: reconnect }]);
  // The Sync section says why it stopped in the same words.
  expect((await dexieSyncStore(db).readState('salesforce')).error).toBe(reconnect);

  // Logged in to Salesforce again: "Resume sync".
  behaviour.revokedTokens.clear();
  expect(await syncToItsEnd()).toMatchObject({ status: 'done' });
  expect(statusAtEnd.at(-1)).toEqual({ sync: 'done', connection: 'connected', message: `Connected to Salesforce at ${HOST}: the last sync read its leads` });
  expect(await readStatus('salesforce')).toMatchObject({ status: 'connected' });
});

it('syncs automatically once the rep logged in to Salesforce after an automatic sync found no session, and says "connected" again', async () => {
  // The browser has just started: its session cookie is gone, and the overdue alarm syncs before the rep logs in.
  let sessionId: string | null = null;
  fakeBrowser.cookies.get = vi.fn(async ({ name }: { name: string }) => (name === 'sid' && sessionId ? { value: sessionId } : null)) as never;
  const syncedAutomatically = async () => {
    const started = await runAutoSync();
    await syncEnded();
    return started;
  };
  expect(await syncedAutomatically()).toEqual(['salesforce']);
  const stopped = await dexieSyncStore(db).readState('salesforce');
  expect(stopped).toMatchObject({ status: 'error', errorKind: 'auth' });
  expect(await readStatus('salesforce')).toMatchObject({ status: 'reconnect', message: expect.stringContaining('No Salesforce session') });
  expect(stopped.error).toBe((await readStatus('salesforce')).message);

  // Logged in to Salesforce: the next hourly alarm.
  sessionId = SESSION_ID;
  expect(await syncedAutomatically()).toEqual(['salesforce']);
  expect(await dexieSyncStore(db).readState('salesforce')).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
  expect(await readStatus('salesforce')).toMatchObject({ status: 'connected', message: `Connected to Salesforce at ${HOST}: the last sync read its leads` });
});

it('refuses a sync through the browser session once it is another user’s ("Log in as" a rep), saying why where the Sync section shows it, and keeps every lead', async () => {
  let sessionId = SESSION_ID;
  fakeBrowser.cookies.get = vi.fn(async ({ name }: { name: string }) => (name === 'sid' ? { value: sessionId } : null)) as never;
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
  const leads = await db.leads.toArray();

  sessionId = demoSessionIdAs(DEMO_SALESFORCE_USERS.find((user) => user.Name === 'Marcus Oyelaran')!);
  const refused = await syncToItsEnd();
  expect(refused).toMatchObject({ status: 'error', errorKind: null, lastRun: { synced: 5 } });
  expect(refused.error).toMatch(/^Salesforce is signed in as Marcus Oyelaran \(.+\), not as Avery Lindqvist \(.+\), whom LeadLens synced as: /);
  expect(await db.leads.toArray()).toEqual(leads);
  // The session works: nothing says "reconnect"; and no watchdog is left for a sync that ended.
  expect((await readStatus('salesforce')).status).not.toBe('reconnect');
  expect(await fakeBrowser.alarms.get(SYNC_WATCHDOG_ALARM)).toBeUndefined();
});

it('ends a "Not working" a failed check left once the sync reads leads: the CRM answered', async () => {
  await writeStatus({ crm: 'salesforce', status: 'error', host: HOST, message: 'Salesforce query failed 6 times; last: could not reach https://acme.my.salesforce.com (TypeError)' });
  expect(await syncToItsEnd()).toMatchObject({ status: 'done' });
  expect(await readStatus('salesforce')).toEqual({ crm: 'salesforce', status: 'connected', host: HOST, message: `Connected to Salesforce at ${HOST}: the last sync read its leads` });
});

it('keeps the service worker alive for the whole job, while a request waits on the CRM with no page stored', async () => {
  // The CRM answers its first request only once released: no page, so nothing else calls an extension API meanwhile.
  let release = () => undefined as void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const answer = demoFetch(createDemoCrmHandler(generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), behaviour));
  let first = true;
  vi.stubGlobal('fetch', (async (input, init) => {
    if (first) {
      first = false;
      await held;
    }
    return answer(input, init);
  }) as typeof fetch);
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  try {
    await startSync('salesforce');
    while (first) await new Promise((resolve) => setTimeout(resolve, 5)); // the job is waiting on the CRM
    const idleResets = vi.mocked(fakeBrowser.runtime.getPlatformInfo);
    idleResets.mockClear();
    // Chrome stops an idle worker after 30 s: two resets in 45 s of waiting.
    await vi.advanceTimersByTimeAsync(45_000);
    expect(idleResets.mock.calls.length).toBeGreaterThanOrEqual(2);
  } finally {
    release();
    vi.useRealTimers();
  }
  await vi.waitFor(async () => expect((await dexieSyncStore(db).readState('salesforce')).status).toBe('done'), { timeout: 5_000 });
});

it('stops, as cancelled, a sync whose cancel came after its first check and before it listened for one', async () => {
  const listen = fakeBrowser.storage.onChanged.addListener.bind(fakeBrowser.storage.onChanged);
  const addListener = vi.spyOn(fakeBrowser.storage.onChanged, 'addListener').mockImplementationOnce((listener) => {
    // The rep presses Cancel in that moment: the flag is set, and its change told, before the listener is there to hear it.
    void fakeBrowser.storage.session.set({ 'sync-cancel:salesforce': true }).then(() => listen(listener));
  });
  try {
    expect(await syncToItsEnd()).toMatchObject({ status: 'cancelled' });
  } finally {
    addListener.mockRestore();
  }
});

it('clears the watchdog when a sync marked running is refused before it runs (not connected)', async () => {
  fakeBrowser.permissions.remove = vi.fn(async () => true);
  await removeConnection('salesforce');
  expect(await syncToItsEnd()).toMatchObject({ status: 'error', error: 'Not connected: connect this CRM first' });
  expect(await fakeBrowser.alarms.get(SYNC_WATCHDOG_ALARM)).toBeUndefined();
});

it('marks a sync running without putting back a checkpoint deleted as it starts (a purge, another org connected): the next sync reads every lead', async () => {
  const org = { id: '00D5g000004Demo', name: 'Acme' };
  await db.settings.put({ key: syncStateKey('salesforce'), value: { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: Date.UTC(2026, 10, 1), syncedFields: ['Id', 'Name'], account: org } });
  // The forgetting commits in its own transaction the moment the start has read the state.
  const read = db.settings.get.bind(db.settings);
  const forgetting: Promise<void>[] = [];
  vi.spyOn(db.settings, 'get').mockImplementationOnce((async (key: string) => {
    const row = await read(key);
    forgetting.push(Dexie.ignoreTransaction(() => db.settings.delete(syncStateKey('salesforce'))));
    return row;
  }) as never);
  fakeBrowser.permissions.remove = vi.fn(async () => true);
  await removeConnection('salesforce'); // so the job ends at once, refused, over the state as it then is
  await syncToItsEnd();
  await Promise.all(forgetting);
  const after = await dexieSyncStore(db).readState('salesforce');
  expect(after.completedCursor).toBeNull();
  expect(after.syncedFields).toBeUndefined();
});

// The decision itself, from every sync's state (the lock keeps two decisions from interleaving).
it('keeps the watchdog armed while any sync is marked running, and clears it once none is', async () => {
  const watchdog = () => fakeBrowser.alarms.get(SYNC_WATCHDOG_ALARM);
  // Another CRM's sync is marked running (by a worker about to run it) when this one ends.
  const store = dexieSyncStore(db);
  await store.writeState('hubspot', { ...(await store.readState('hubspot')), status: 'running' });
  await syncToItsEnd();
  expect(await watchdog()).toBeDefined();
  await store.writeState('hubspot', { ...(await store.readState('hubspot')), status: 'done' });
  await syncToItsEnd();
  expect(await watchdog()).toBeUndefined();
});

it('neither scores the leads again nor tells the CRM tabs after a sync that found no lead new or changed', async () => {
  const leads = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') });
  const { handle, store } = createDemoCrm(leads, behaviour);
  vi.stubGlobal('fetch', demoFetch(handle));
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
  await vi.waitFor(() => expect(syncs.after.at(-1)).toEqual([1, 'scored']));
  // Nothing changed in the CRM: the look-back reads the newest leads again, as they were.
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 0 } });
  // A lead edited: this sync scores, long after the one before would have.
  store.editLead(leads[2], 'salesforce', Date.now());
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 1 } });
  await vi.waitFor(() => expect(syncs.after.at(-1)).toEqual([3, 'scored']));
  expect(syncs.after).toEqual([[1, 'told the tabs scoresChanged'], [1, 'scored'], [3, 'told the tabs scoresChanged'], [3, 'scored']]);
  // Salesforce's tabs only: HubSpot's would ask for their rows again, reading those not stored from HubSpot.
  expect(syncs.tabsToldOf).toEqual(['salesforce', 'salesforce']);
});

it('neither scores the leads again nor tells the CRM tabs after a sync that read leads only stamped modified since, as an update writing the values they hold leaves them; stores the new stamps', async () => {
  const leads = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') });
  const { handle, store } = createDemoCrm(leads, behaviour);
  vi.stubGlobal('fetch', demoFetch(handle));
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
  await vi.waitFor(() => expect(syncs.after.at(-1)).toEqual([1, 'scored']));
  // The scoring here scores nothing: the leads stay owed the score of the first sync's write.
  const owed = await db.owedLeadScores.toArray();
  const stampedAt = Date.now();
  for (const lead of leads) store.markModified(lead, 'salesforce', stampedAt);
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 0 } });
  expect(syncs.after).toEqual([[1, 'told the tabs scoresChanged'], [1, 'scored']]);
  expect(await db.owedLeadScores.toArray()).toEqual(owed);
  // A deletion synced later is judged by the stamp the CRM has now.
  expect((await db.leads.toArray()).map((lead) => lead.modifiedAt)).toEqual(leads.map(() => Math.floor(stampedAt / 1000) * 1000));
});

it('deletes the record page’s cached score of a lead it stores changed and caches no badge read begun before; a sync storing nothing new or changed leaves both', async () => {
  const leads = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') });
  const { handle, store } = createDemoCrm(leads, behaviour);
  vi.stubGlobal('fetch', demoFetch(handle));
  const recordPage = { account: HOST, connection: 'same-org', synced: true, purgesBefore: 0 } as const;
  const key = `m|salesforce|${leads[2].salesforceId}`;
  const entry = { fieldsHash: 'h', lead: {} as never, fields: { Title: 'CEO' } };
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 5 } });

  // Nothing new or changed: a badge's read begun before the sync is cached as it is answered.
  const unchangedMeanwhile = scoreCacheFor(recordPage);
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 0 } });
  await unchangedMeanwhile.put(key, entry);
  expect(await db.scores.toCollection().primaryKeys()).toEqual([key]);

  // The lead edited in the CRM: its page's cached score goes as the sync stores it, and a read begun
  // before (of the record as it was then) is not cached once answered: the page scores it anew.
  const inFlight = scoreCacheFor(recordPage);
  store.editLead(leads[2], 'salesforce', Date.now());
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 1 } });
  expect(await db.scores.count()).toBe(0);
  await inFlight.put(key, entry);
  expect(await db.scores.count()).toBe(0);
  await scoreCacheFor(recordPage).put(key, entry);
  expect(await db.scores.toCollection().primaryKeys()).toEqual([key]);
});

it('caches a HubSpot badge’s read answered as a Salesforce sync stores a lead changed: only the leads the sync stores are forgotten', async () => {
  const leads = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') });
  const { handle, store } = createDemoCrm(leads, behaviour);
  vi.stubGlobal('fetch', demoFetch(handle));
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
  const hubspotBadge = scoreCacheFor({ account: '4242424', connection: 'same-org', synced: true, purgesBefore: 0 });
  store.editLead(leads[2], 'salesforce', Date.now());
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 1 } });
  await hubspotBadge.put('m|hubspot|1501', { fieldsHash: 'h', lead: {} as never, fields: { jobtitle: 'CTO' } });
  expect(await db.scores.toCollection().primaryKeys()).toEqual(['m|hubspot|1501']);
});

it('owes the scoring of the leads a sync stores from the page that stores them, and asks for it as it ends stopped by an error too, once', async () => {
  const leads = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') });
  const { handle, store } = createDemoCrm(leads, behaviour);
  const answer = demoFetch(handle);
  let owedWhenDeletionsAsked: Awaited<ReturnType<typeof owedSourceScorings>> | null = null;
  vi.stubGlobal('fetch', (async (input, init) => {
    // Once its pages are stored, the sync asks what the CRM deleted (or every id it has): the session ends there.
    const url = new URL(String(input));
    if (url.pathname.endsWith('/sobjects/Lead/deleted/') || url.searchParams.get('q') === 'SELECT Id FROM Lead') {
      owedWhenDeletionsAsked = await owedSourceScorings();
      behaviour.revokedTokens.add(SESSION_ID);
    }
    return answer(input, init);
  }) as typeof fetch);
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
  await vi.waitFor(async () => expect(await owedSourceScorings()).toEqual([]));
  const before = Date.now();
  store.editLead(leads[2], 'salesforce', Date.now());
  expect(await syncToItsEnd()).toMatchObject({ status: 'error', errorKind: 'auth' });
  // Owed before the sync ended: a browser closed then has it asked once the sync no longer runs.
  expect(owedWhenDeletionsAsked).toEqual([{ source: 'salesforce', owedAt: expect.any(Number) }]);
  expect(owedWhenDeletionsAsked![0].owedAt).toBeGreaterThanOrEqual(before);
  await vi.waitFor(() => expect(syncs.after.at(-1)).toEqual([2, 'scored']));
  await vi.waitFor(async () => expect(await owedSourceScorings()).toEqual([]));
  // Logged in again: the job resumes and ends done, storing nothing more; its lead is scored already.
  behaviour.revokedTokens.clear();
  vi.stubGlobal('fetch', answer);
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 1 } });
  expect(syncs.after).toEqual([[1, 'told the tabs scoresChanged'], [1, 'scored'], [2, 'told the tabs scoresChanged'], [2, 'scored'], [3, 'told the tabs scoresChanged']]);
});

it('asks as it ends for the scoring an earlier run of its job owed (the browser closed mid-sync), though it stored nothing more', async () => {
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
  await vi.waitFor(() => expect(syncs.after.at(-1)).toEqual([1, 'scored']));
  // The run before stored a page and the browser closed; this one reads the same leads again, unchanged.
  await scoringsEnded(); // owed after the last run began, which settles only what was owed before
  await oweSourceScoring('salesforce');
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 0 } });
  await vi.waitFor(() => expect(syncs.after.at(-1)).toEqual([2, 'scored']));
  await scoringsEnded();
  expect(await owedSourceScorings()).toEqual([]);
});

it('asks once for the scoring of the leads it stored when the hourly check comes as it ends: the one that decides first asks, and the other finds it asked', async () => {
  let tabsTold!: () => void;
  let scored!: () => void;
  syncs.tellingTabs = new Promise((resolve) => (tabsTold = resolve));
  syncs.scoring = new Promise((resolve) => (scored = resolve));
  syncs.started++;
  await startSync('salesforce');
  // Its end is stored (it no longer runs), and it tells the CRM tabs before it asks: the hourly check comes meanwhile.
  await vi.waitFor(() => expect(syncs.after).toEqual([[1, 'told the tabs scoresChanged']]), { timeout: 5_000 });
  const hourly = scoreOwedSourceLeads();
  await vi.waitFor(() => expect(syncs.after.at(-1)).toEqual([1, 'scored']));
  // The sync's end decides while that scoring waits for its turn.
  tabsTold();
  await new Promise((resolve) => setTimeout(resolve, 50));
  scored();
  await hourly;
  await vi.waitFor(async () => expect((await navigator.locks.query()).held).toEqual([]));
  expect(syncs.after).toEqual([[1, 'told the tabs scoresChanged'], [1, 'scored']]);
  expect(await owedSourceScorings()).toEqual([]);
});

it('asks for no scoring of the leads it stored as it ends when a scoring of every lead with the active model was asked since (a model made active during its deletion pass): that run scores them', async () => {
  const modelId = await activeModelId();
  const leads = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') });
  const { handle, store } = createDemoCrm(leads, behaviour);
  const answer = demoFetch(handle);
  let fullScoring: Promise<unknown> | null = null;
  let fullScoringAnswered!: () => void;
  vi.stubGlobal('fetch', (async (input, init) => {
    // Once its pages are stored, the sync asks what the CRM deleted (or every id it has).
    const url = new URL(String(input));
    if (syncs.started === 2 && !fullScoring && (url.pathname.endsWith('/sobjects/Lead/deleted/') || url.searchParams.get('q') === 'SELECT Id FROM Lead')) {
      fullScoring = requestFullScoring(modelId, () => new Promise<void>((resolve) => (fullScoringAnswered = resolve)));
      await vi.waitFor(async () => expect(await fullScoringRequested(modelId)).toBe(true));
    }
    return answer(input, init);
  }) as typeof fetch);
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
  await vi.waitFor(() => expect(syncs.after.at(-1)).toEqual([1, 'scored']));
  store.editLead(leads[2], 'salesforce', Date.now());
  syncs.started++;
  await startSync('salesforce');
  await vi.waitFor(() => expect(syncs.after).toContainEqual([2, 'told the tabs scoresChanged']), { timeout: 5_000 });
  expect(fullScoring).not.toBeNull();
  await new Promise((resolve) => setTimeout(resolve, 50)); // its end decides
  expect(syncs.after).toEqual([[1, 'told the tabs scoresChanged'], [1, 'scored'], [2, 'told the tabs scoresChanged']]);
  expect(await owedSourceScorings()).toEqual([{ source: 'salesforce', owedAt: expect.any(Number) }]);
  fullScoringAnswered();
  await fullScoring;
});

it('asks as it ends for an activation\'s scoring of every lead owed and not asked (its request lost), which covers the leads it stored', async () => {
  await oweScoringOfEveryLead(await activeModelId());
  expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
  await vi.waitFor(() => expect(syncs.scoredSources).toEqual([undefined]));
  await scoringsEnded();
  expect(await owedScoringModel()).toBeNull();
});

it('keeps the end of a sync that finishes as a Cancel comes (from a tab that still showed it running)', async () => {
  const store = dexieSyncStore(db);
  await store.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'running' });
  // This worker's job, about to store its end.
  let finish!: () => void;
  const finishing = new Promise<void>((resolve) => (finish = resolve));
  const job = navigator.locks.request(syncLockName('salesforce'), async () => {
    await finishing;
    await store.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'done', lastRun: { synced: 5, removed: 0, finishedAt: 1, seconds: 1 }, endedAt: 1 });
  });
  // The job ends while the Cancel looks at the locks.
  const locks = navigator.locks;
  vi.stubGlobal('navigator', {
    locks: {
      request: locks.request,
      query: async () => {
        finish();
        await job;
        return locks.query();
      },
    },
  });
  await cancelSync('salesforce');
  finish();
  await job;
  expect(await store.readState('salesforce')).toMatchObject({ status: 'done', lastRun: { synced: 5 } });
});

it('settles as cancelled a sync marked running that no job runs (the worker was stopped)', async () => {
  const store = dexieSyncStore(db);
  await store.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'running' });
  await cancelSync('salesforce');
  expect(await store.readState('salesforce')).toMatchObject({ status: 'cancelled' });
  expect(await fakeBrowser.storage.session.get('sync-cancel:salesforce')).toEqual({});
});

describe('the browser’s storage for LeadLens full (IndexedDB refuses every write)', () => {
  beforeAll(installDiskThatFills);
  afterEach(() => (disk.full = false));
  const watchdog = () => fakeBrowser.alarms.get(SYNC_WATCHDOG_ALARM);

  it('ends the sync whose page and end the full disk refuses, saying so; the watchdog no longer resumes it, nor asks the CRM, until a sync is started by hand; nothing stored before is lost', async () => {
    const leads = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') });
    const { handle, store } = createDemoCrm(leads, behaviour);
    const answer = demoFetch(handle);
    let requests = 0;
    let fillsAtQuery = false;
    vi.stubGlobal('fetch', (async (input, init) => {
      requests++;
      // The disk fills as the CRM answers the query of changed Leads: the sync is marked running, its job stored, its page not.
      if (fillsAtQuery && new URL(String(input)).searchParams.get('q')?.includes('FROM Lead WHERE')) disk.full = true;
      return answer(input, init);
    }) as typeof fetch);
    const done = await syncToItsEnd();
    expect(done).toMatchObject({ status: 'done', lastRun: { synced: 5 } });

    store.editLead(leads[2], 'salesforce', Date.now());
    fillsAtQuery = true;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await startSync('salesforce');
    await vi.waitFor(async () => expect((await syncStateOf('salesforce')).status).not.toBe('running'), { timeout: 5_000 });
    await vi.waitFor(async () => expect((await navigator.locks.query()).held).toEqual([]));
    warn.mockRestore();
    fillsAtQuery = false;
    // Ended as the Sync row reads it, with the browser's words, though IndexedDB still says it runs.
    const ended = await syncStateOf('salesforce');
    expect(ended).toMatchObject({ status: 'error', errorKind: STORAGE_FULL_ERROR_KIND, error: expect.stringContaining('disk full') });
    expect(ended.endedAt).toBeGreaterThan(done.endedAt!);
    expect((await dexieSyncStore(db).readState('salesforce')).status).toBe('running');
    expect(await watchdog()).toBeUndefined();
    // The watchdog's alarm, or a worker's start, resumes nothing: no request to the CRM.
    const asked = requests;
    await resumeSyncs();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toBe(asked);
    expect((await syncStateOf('salesforce')).endedAt).toBe(ended.endedAt);

    // Sync now while the disk is still full: it says so again at once, asking the CRM nothing.
    await startSync('salesforce');
    expect(await syncStateOf('salesforce')).toMatchObject({ status: 'error', errorKind: STORAGE_FULL_ERROR_KIND });
    expect(requests).toBe(asked);
    expect(await watchdog()).toBeUndefined();

    // Every lead and the checkpoint stored before stay; with disk space freed, Sync now goes on.
    disk.full = false;
    expect(await db.leads.count()).toBe(5);
    expect(await dexieSyncStore(db).readState('salesforce')).toMatchObject({ completedCursor: done.completedCursor, lastRun: done.lastRun });
    expect(await syncToItsEnd()).toMatchObject({ status: 'done', lastRun: { synced: 1 } });
    expect(await syncStateOf('salesforce')).toMatchObject({ status: 'done', error: null, errorKind: null });
  });

  it('cancels a sync marked running that no job runs, the disk full: the Cancel ends it, and the watchdog with it', async () => {
    await dexieSyncStore(db).writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'running' });
    await fakeBrowser.alarms.create(SYNC_WATCHDOG_ALARM, { periodInMinutes: 0.5 });
    disk.full = true;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await cancelSync('salesforce');
    warn.mockRestore();
    expect(await syncStateOf('salesforce')).toMatchObject({ status: 'cancelled', endedAt: expect.any(Number) });
    expect(await watchdog()).toBeUndefined();
  });
});
