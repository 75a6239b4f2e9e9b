/**
 * Purging everything, or forgetting a CRM's synced leads, tells the extension pages once the
 * data are gone: no job ends to tell them, and the side panel would go on showing deleted leads.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { readFileSync } from 'node:fs';
import Dexie from 'dexie';
import { afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { generateDemoLeads } from '../crm/demo-data';
import { demoStoredLeads } from '../crm/demo-leads';
import type { CrmKind } from '../crm/types';
import { db } from '../db/db';
import { fieldsNoLongerWritten, forgetFieldsWritten, heldValuesRemembered, readWrittenValues, rememberFieldsWritten, rememberWrittenBackFields, setHeldValuesRemembered, writtenBackFields } from '../db/written-back-fields';
import { expectSummariesInStep } from '../../test/fixtures/lead-summaries';
import { storedLead } from '../../test/fixtures/stored-lead';
import { owedScoringModel, purgedSince, readJob, runJob, runStoredScoresJob, STORED_SCORES_LOCK } from '../jobs/progress';
import { resumeUnfinishedScoringJob, runScoringJob } from '../ml/bulk-score';
import { parseManifest, type Manifest } from '../ml/manifest';
import { stubWebLocks } from '../../test/web-locks';
import { deferred } from '../../test/deferred';
import { onEvent } from '../messaging/events';
import { CSV_IMPORT_CANCEL_CHANNEL, CSV_IMPORT_LOCK } from '../csv/stored';
import { startSync } from '../sync/runner';
import { AUTO_SYNC_ALARM, setAutoSync } from '../sync/schedule';
import { defaultBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../test/demo-crm/server';
import { connectionGeneration, readConnection } from '../connections/connections';
import { writeConnection } from '../../test/fixtures/stored-connection';
import { idleWriteBack } from '../messaging/protocol-write-back';
import { finishUnfinishedPurge, forgetSyncedLeads, purgeEverything } from './purge';
import { readWriteBack } from './write-back-job';
import { awaitPageFields, forgetOpenLead, leadBeingRead, rememberedLeadOf, rememberOpenLead } from './open-lead';
import { pageAccess, type PageAccess } from './page-access';
import { scoreCacheFor } from './score-cache';
import { SCORED_BY_VERSION_KEY } from './scored-by-version';
import { scoreAgainAfterUpdate } from './start-up';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
/** The CRMs whose leads the offscreen document was asked to score (`scoreStoredLeadsOffscreen`), while a test stands in for it (`standIn`). */
const offscreenScoring = vi.hoisted(() => ({ standIn: false, asked: [] as string[] }));
// Standing in, a one-CRM scoring runs as the offscreen document runs it: in its turn, holding the stored scores' lock.
vi.mock('./offscreen-engine', async (importOriginal) => {
  const original = await importOriginal<typeof import('./offscreen-engine')>();
  return {
    ...original,
    scoreStoredLeadsOffscreen: async (modelId: string, source?: CrmKind, signal?: AbortSignal) => {
      if (!offscreenScoring.standIn) return original.scoreStoredLeadsOffscreen(modelId, source, signal);
      offscreenScoring.asked.push(source ?? 'every lead');
      return { ok: true, scored: await runStoredScoresJob(() => runJob('scoring', modelId, 0, async () => 0, { source }), async () => null) };
    },
  };
});

/** Called each time a sync or an import records a scoring owed, once it is recorded (`oweSourceScoring`). */
const scoringOwed = vi.hoisted(() => ({ listener: null as (() => void) | null }));
vi.mock('../jobs/progress', async (importOriginal) => {
  const original = await importOriginal<typeof import('../jobs/progress')>();
  return {
    ...original,
    oweSourceScoring: async (source: Parameters<typeof original.oweSourceScoring>[0]) => {
      await original.oweSourceScoring(source);
      // Told outside the caller's transaction: what the listener runs is not part of it.
      Dexie.ignoreTransaction(() => scoringOwed.listener?.());
    },
  };
});

/** The leads stored each time pages are told that stored data were deleted. */
function pagesTold(): string[][] {
  const told: string[][] = [];
  onEvent('storedDataDeleted', () => void db.leads.toCollection().primaryKeys().then((keys) => told.push(keys as string[])));
  return told;
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
const SALESFORCE_RECORD = 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEAAV/view';
/** What a badge's request on SALESFORCE_RECORD may use, read as the request begins. */
const recordPageAccess = () => pageAccess('salesforce', new URL(SALESFORCE_RECORD));
/** The request of that page's badge, with the fields it read. */
const RECORD_REQUEST = { crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields: { Email: 'ada@acme.example' } } as const;
const CACHED_KEY = 'm|salesforce|00Q5e00000AbCdEAAV';

/** The events each CRM tab (one, here) is sent from now on: type and payload. */
function crmTabsTold(): [string, unknown][] {
  const told: [string, unknown][] = [];
  const { query, sendMessage } = fakeBrowser.tabs;
  fakeBrowser.tabs.query = vi.fn(async () => [{ id: 7 }]) as never;
  fakeBrowser.tabs.sendMessage = vi.fn(async (_tabId: number, message: { type: string; payload: unknown }) => void told.push([message.type, message.payload])) as never;
  onTestFinished(() => void Object.assign(fakeBrowser.tabs, { query, sendMessage }));
  return told;
}

/** The lead each tab showed, remembered for the side panel with its page fields: tab 7 a Salesforce lead, tab 8 a HubSpot contact. */
const openLeads = {
  'openLead:7': { crm: 'salesforce', recordId: '00QA', account: 'acme--uat.sandbox.my.salesforce.com', fields: { Email: 'ada@acme.example', Phone: '+1 555 0100' } },
  'openLead:8': { crm: 'hubspot', recordId: '101', account: '4242424', fields: { email: 'bo@beta.example' } },
};

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.remove = vi.fn(async () => true);
  fakeBrowser.permissions.getAll = vi.fn(async () => ({ permissions: [], origins: [] }));
  stubWebLocks();
  Object.assign(offscreenScoring, { standIn: false, asked: [] });
  scoringOwed.listener = null;
  await Promise.all(db.tables.map((table) => table.clear()));
  await db.putLeads([
    storedLead({ source: 'salesforce', id: '00QA', origin: 'sync' }),
    storedLead({ source: 'salesforce', id: '00QB', origin: 'demo' }),
    storedLead({ source: 'hubspot', id: '101', origin: 'sync' }),
  ]);
});
afterEach(() => vi.unstubAllGlobals());

describe('purgeEverything', () => {
  it('tells the pages once everything is deleted', async () => {
    const told = pagesTold();
    const everything: boolean[] = [];
    onEvent('storedDataDeleted', (payload) => everything.push(payload.everything));
    await setAutoSync({ everyMinutes: 60 });
    await setHeldValuesRemembered('hubspot', true);
    // Write-back wrote to no CRM field: none is left holding what it wrote.
    expect((await purgeEverything()).fieldsLeftInCrm).toEqual([]);
    // What write-back wrote went with the settings: a LeadLens connected again looks for it in the leads.
    expect(await heldValuesRemembered('hubspot')).toBe(false);
    // The automatic syncs' choice went with the settings, and their alarm with it.
    expect(await fakeBrowser.alarms.get(AUTO_SYNC_ALARM)).toBeUndefined();
    await settle();
    expect(told).toEqual([[]]);
    expect(everything).toEqual([true]);
    expect(await db.leadSummaries.count()).toBe(0);
  });

  it('tells the CRM tabs to stop scoring until their page reloads, not to score again: that would store the leads they show right back', async () => {
    const told = crmTabsTold();
    await purgeEverything();
    expect(told).toEqual([['everythingPurged', {}]]);
  });

  it('tells the CRM tabs before it deletes anything: a badge asking while a large store is deleted would store its lead after', async () => {
    const leadsWhenTold: number[] = [];
    fakeBrowser.tabs.query = vi.fn(async () => [{ id: 7 }]) as never;
    fakeBrowser.tabs.sendMessage = vi.fn(async () => void leadsWhenTold.push(await db.leads.count())) as never;
    onTestFinished(() => fakeBrowser.reset());
    await purgeEverything();
    expect(leadsWhenTold).toEqual([3]);
  });

  it('neither caches the score nor remembers the lead of a badge that asks while it deletes (its tab not told yet)', async () => {
    const page = new URL(SALESFORCE_RECORD);
    fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url: SALESFORCE_RECORD })) as never;
    // Asked once the connections are deleted, before the tables are cleared: scored from its page alone, answered once the purge is done.
    let access: PageAccess | undefined;
    fakeBrowser.permissions.getAll = vi.fn(async () => ((access = await recordPageAccess()), { permissions: [], origins: [] }));
    await purgeEverything();
    await scoreCacheFor(access!).put(CACHED_KEY, { fieldsHash: 'h', lead: {} as never, fields: { Email: 'ada@acme.example' } });
    await rememberOpenLead(RECORD_REQUEST, page, access!, 7);
    expect(await db.scores.count()).toBe(0);
    expect(await rememberedLeadOf(7)).toBeNull();
    // Once it is done, a page reloaded asks again and is remembered as before.
    await rememberOpenLead(RECORD_REQUEST, page, await recordPageAccess(), 7);
    expect((await rememberedLeadOf(7))?.lead.recordId).toBe('00Q5e00000AbCdEAAV');
  });

  it('neither caches the score nor remembers the lead of a badge whose request began just before it, answered once it is done', async () => {
    const page = new URL(SALESFORCE_RECORD);
    fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url: SALESFORCE_RECORD })) as never;
    // The request read "no purge" as it began; scored from its page meanwhile, it stores after the purge deleted everything.
    const access = await recordPageAccess();
    await purgeEverything();
    await scoreCacheFor(access).put(CACHED_KEY, { fieldsHash: 'h', lead: {} as never, fields: { Email: 'ada@acme.example' } });
    await rememberOpenLead(RECORD_REQUEST, page, access, 7);
    expect(await db.scores.count()).toBe(0);
    expect(await rememberedLeadOf(7)).toBeNull();
  });

  it('does not write back the lead of a badge waiting for its page’s fields once it forgot it (the wait read it just before)', async () => {
    const page = new URL(SALESFORCE_RECORD);
    fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url: SALESFORCE_RECORD, documentId: 'doc-7' })) as never;
    fakeBrowser.tabs.query = vi.fn(async () => [{ id: 7 }]) as never;
    const withoutFields = { ...RECORD_REQUEST, fields: {} };
    const access = await recordPageAccess();
    await rememberOpenLead(withoutFields, page, access, 7);
    // Refused without fields: the wait reads the lead remembered, and the purge runs before it is written back.
    const { get } = fakeBrowser.storage.session;
    vi.spyOn(fakeBrowser.storage.session, 'get').mockImplementationOnce((async (keys: string) => {
      const read = await get(keys);
      await purgeEverything();
      return read;
    }) as never);
    await awaitPageFields(withoutFields, access, 7);
    expect(await fakeBrowser.storage.session.get(null)).toEqual({ 'purgedPage:7': { documentId: 'doc-7' } });
  });

  it('neither caches the score nor remembers the lead of a badge asking while a purge cut short waits for the next start to finish it', async () => {
    const page = new URL(SALESFORCE_RECORD);
    fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url: SALESFORCE_RECORD })) as never;
    // A new worker: the purge is pending in storage only, none begun in its memory.
    await fakeBrowser.storage.local.set({ 'purge-pending': true });
    const access = await recordPageAccess();
    await scoreCacheFor(access).put(CACHED_KEY, { fieldsHash: 'h', lead: {} as never, fields: { Email: 'ada@acme.example' } });
    await rememberOpenLead(RECORD_REQUEST, page, access, 7);
    expect(await db.scores.count()).toBe(0);
    expect(await rememberedLeadOf(7)).toBeNull();
  });

  it('has the side panel say of each CRM page it stopped what its badge says, until that page reloads or its tab leaves it', async () => {
    const page = new URL(SALESFORCE_RECORD);
    fakeBrowser.tabs.query = vi.fn(async () => [{ id: 7 }, { id: 8 }, { id: 9 }]) as never;
    const documents: Record<number, { url: string; documentId: string }> = {
      7: { url: SALESFORCE_RECORD, documentId: 'doc-7' },
      8: { url: 'https://example.com/', documentId: 'doc-8' },
      9: { url: SALESFORCE_RECORD, documentId: 'doc-9' },
    };
    fakeBrowser.webNavigation.getFrame = vi.fn(async ({ tabId }: { tabId: number }) => documents[tabId]) as never;
    await rememberOpenLead(RECORD_REQUEST, page, await recordPageAccess(), 7);
    await purgeEverything();
    expect(await leadBeingRead(7)).toEqual({ reading: false, purged: true });
    // Tab 8 was on another site when told: on a CRM record page since, its lead is being read.
    documents[8] = { url: SALESFORCE_RECORD, documentId: 'doc-8b' };
    expect(await leadBeingRead(8)).toEqual({ reading: true });
    // Reloaded (another document), before its badge asks: being read.
    documents[7] = { url: SALESFORCE_RECORD, documentId: 'doc-7b' };
    expect(await leadBeingRead(7)).toEqual({ reading: true });
    // Its badge asks: the lead is remembered, and the mark of the stopped page is gone.
    await rememberOpenLead(RECORD_REQUEST, page, await recordPageAccess(), 7);
    expect(await fakeBrowser.storage.session.get('purgedPage:7')).toEqual({});
    // A closed tab's mark goes with it.
    expect(await leadBeingRead(9)).toEqual({ reading: false, purged: true });
    await forgetOpenLead(9);
    expect(await fakeBrowser.storage.session.get('purgedPage:9')).toEqual({});
  });

  it('has the side panel say of each CRM page it stopped what its badge says as soon as it is told, also when the purge then fails', async () => {
    const page = new URL(SALESFORCE_RECORD);
    fakeBrowser.tabs.query = vi.fn(async () => [{ id: 7 }, { id: 9 }]) as never;
    const documents: Record<number, { url: string; documentId: string }> = {
      7: { url: SALESFORCE_RECORD, documentId: 'doc-7' },
      9: { url: SALESFORCE_RECORD, documentId: 'doc-9' },
    };
    fakeBrowser.webNavigation.getFrame = vi.fn(async ({ tabId }: { tabId: number }) => documents[tabId]) as never;
    // Tab 7's lead was remembered before the purge; tab 9's badge had not asked yet.
    await rememberOpenLead(RECORD_REQUEST, page, await recordPageAccess(), 7);
    const panelsTold: number[] = [];
    onEvent('openLeadChanged', ({ tabId }) => panelsTold.push(tabId));
    // A step of the deletion fails, after the tabs were told to stop.
    fakeBrowser.permissions.getAll = vi.fn(async () => {
      throw new Error('Extension context is busy');
    });
    await expect(purgeEverything()).rejects.toThrow('Extension context is busy');
    expect(await rememberedLeadOf(7)).toBeNull();
    expect(await leadBeingRead(7)).toEqual({ reading: false, purged: true });
    expect(await leadBeingRead(9)).toEqual({ reading: false, purged: true });
    // A panel showing either tab reads it again: no event of the purge's end comes.
    await settle();
    expect(panelsTold.sort()).toEqual([7, 9]);
  });

  it('keeps the names of the fields write-back wrote to, which training leaves out, and deletes every other setting', async () => {
    // A custom field not named LeadLens's: only this list tells training, after a new sync, that it holds an earlier model's scores.
    await rememberWrittenBackFields('salesforce', ['AI_Score__c', 'AI_Reason__c']);
    await rememberFieldsWritten('salesforce', [{ name: 'AI_Score__c', holds: 'score' }, { name: 'AI_Reason__c', holds: 'reason' }], Date.now());
    await db.settings.put({ key: 'written-back-values:salesforce|00QA', value: { AI_Score__c: '87' } });
    await setAutoSync({ everyMinutes: 60 });
    await db.leadScores.put({ key: 'm|salesforce|00QA', modelId: 'm', leadKey: 'salesforce|00QA', probability: 0.4, score: 87, tier: 'hot', topReason: '', scoredAt: 1 });
    // LeadLens deletes nothing in the CRM: the admin is told which fields still hold what it wrote.
    expect((await purgeEverything()).fieldsLeftInCrm).toEqual([{ crm: 'salesforce', fields: ['AI_Score__c', 'AI_Reason__c'] }]);
    expect(await writtenBackFields('salesforce')).toEqual(['AI_Score__c', 'AI_Reason__c']);
    // A CSV export of the CRM is read with both CRMs' lists.
    expect(await writtenBackFields('csv')).toEqual(['AI_Score__c', 'AI_Reason__c']);
    expect(await writtenBackFields('hubspot')).toEqual([]);
    // What was written to each lead is lead data: it goes, with every other setting, lead and score.
    expect(await readWrittenValues('salesforce', ['00QA'])).toEqual([{}]);
    // And when it purged: a time, no data (a scoring asked before and still waiting for its turn does not run after it).
    expect(await db.settings.toArray()).toEqual([
      { key: 'purged-at', value: expect.any(Number) },
      { key: 'written-back-fields:salesforce', value: ['AI_Score__c', 'AI_Reason__c'] },
    ]);
    expect(await db.leads.count()).toBe(0);
    expect(await db.leadScores.count()).toBe(0);
  });

  it('names only the fields values were written to, not those a write-back meant to write to (refused on its first batch, cancelled) nor those the admin said were emptied', async () => {
    // Kept out of training before anything is written; a field may hold the org's own data, LeadLens having written nothing there.
    await rememberWrittenBackFields('salesforce', ['Rating__c', 'AI_Score__c', 'AI_Tier__c']);
    await rememberWrittenBackFields('hubspot', ['hs_lead_rating']);
    const writtenAt = Date.now();
    await rememberFieldsWritten('salesforce', [{ name: 'AI_Score__c', holds: 'score' }, { name: 'AI_Tier__c', holds: 'tier' }], writtenAt);
    // The admin emptied the tier field in Salesforce and said so under Write-back.
    await forgetFieldsWritten('salesforce', [{ name: 'AI_Tier__c', lastWrittenAt: writtenAt }]);
    expect((await purgeEverything()).fieldsLeftInCrm).toEqual([{ crm: 'salesforce', fields: ['AI_Score__c'] }]);
    // Training still leaves every one of them out.
    expect(await writtenBackFields('salesforce')).toEqual(['Rating__c', 'AI_Score__c', 'AI_Tier__c']);
    expect(await writtenBackFields('hubspot')).toEqual(['hs_lead_rating']);
  });

  it('names the fields written in an org connected before, apart from the connected one’s: its records still hold what LeadLens wrote', async () => {
    await rememberWrittenBackFields('salesforce', ['AI_Score__c', 'AI_Tier__c']);
    await rememberFieldsWritten('salesforce', [{ name: 'AI_Score__c', holds: 'score' }, { name: 'AI_Tier__c', holds: 'tier' }], Date.now());
    // A sandbox connected after production: the Write-back section speaks of the sandbox's fields only.
    await forgetSyncedLeads('salesforce');
    expect(await fieldsNoLongerWritten('salesforce', { scoreField: null, tierField: null, reasonField: null })).toEqual([]);
    // Written in the sandbox too, then production connected again.
    await rememberFieldsWritten('salesforce', [{ name: 'ai_score__c', holds: 'score' }, { name: 'AI_Reason__c', holds: 'reason' }], Date.now());
    await forgetSyncedLeads('salesforce');
    await rememberFieldsWritten('salesforce', [{ name: 'AI_Score__c', holds: 'score' }], Date.now());
    expect((await purgeEverything()).fieldsLeftInCrm).toEqual([
      { crm: 'salesforce', fields: ['AI_Score__c'] },
      { crm: 'salesforce', fields: ['AI_Score__c', 'AI_Tier__c', 'AI_Reason__c'], inOrgConnectedBefore: true },
    ]);
    // Told once: the purge deletes them with the rest.
    expect((await purgeEverything()).fieldsLeftInCrm).toEqual([]);
  });

  it('names the fields an older LeadLens wrote to, known from its last write-back only, in the connected org or one connected before', async () => {
    const older = (crm: CrmKind, scoreField: string) => ({
      key: `write-back:${crm}`,
      value: { crm, status: 'done', target: { scoreField, tierField: null, reasonField: null }, done: 3, total: 3, written: 3, failures: [], error: null, finishedAt: 1_700_000_000_000 },
    });
    await db.settings.bulkPut([older('salesforce', 'LeadLens_Score__c'), older('hubspot', 'leadlens_score')]);
    // Another HubSpot portal connected since: its report went, not what the previous portal's records hold.
    await forgetSyncedLeads('hubspot');
    expect((await purgeEverything()).fieldsLeftInCrm).toEqual([
      { crm: 'salesforce', fields: ['LeadLens_Score__c'] },
      { crm: 'hubspot', fields: ['leadlens_score'], inOrgConnectedBefore: true },
    ]);
  });

  it('keeps which LeadLens version scored what is stored: the first start after a purge and a new sync is no update', async () => {
    await scoreAgainAfterUpdate('2.0.0');
    await purgeEverything();
    expect(await db.settings.get(SCORED_BY_VERSION_KEY)).toEqual({ key: SCORED_BY_VERSION_KEY, value: '2.0.0' });
    // Synced again, scored, a record page's score cached; then the worker starts again, no update between.
    await db.putLeads([storedLead({ source: 'hubspot', id: '101', origin: 'sync' })]);
    await db.scores.put({ key: 'm|hubspot|101', fieldsHash: 'h', lead: {} as never, scoredAt: Date.now(), account: '4242424' });
    await scoreAgainAfterUpdate('2.0.0');
    expect(await owedScoringModel()).toBeNull();
    expect(await db.scores.count()).toBe(1);
  });

  it('gives back every site access granted at run time, a connection’s or not, and keeps the manifest’s', async () => {
    // A Salesforce org's access asked for on a Connect click whose sign-in failed: no connection uses it.
    const MANIFEST_ORIGIN = 'https://*.lightning.force.com/*';
    const granted = new Set(['https://acme.my.salesforce.com/*', 'https://api.hubapi.com/*', MANIFEST_ORIGIN]);
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-unit' }, timeoutSeconds: 30 });
    fakeBrowser.permissions.getAll = vi.fn(async () => ({ permissions: [], origins: [...granted] }));
    fakeBrowser.permissions.remove = vi.fn(async ({ origins = [] }: Browser.permissions.Permissions) => {
      if (origins.includes(MANIFEST_ORIGIN)) throw new Error('You cannot remove required permissions.');
      origins.forEach((origin) => granted.delete(origin));
      return true;
    });
    await purgeEverything();
    expect([...granted]).toEqual([MANIFEST_ORIGIN]);
  });

  it('tells them nothing when a job does not stop and nothing is deleted', async () => {
    void navigator.locks.request(STORED_SCORES_LOCK, () => new Promise(() => undefined)); // a job that never lets go
    const told = pagesTold();
    await expect(purgeEverything(10)).rejects.toThrow(/nothing was deleted/);
    await settle();
    expect(told).toEqual([]);
    expect(await db.leads.count()).toBe(3);
  });
});

describe('a purge the browser closed on before it was done', () => {
  /**
   * Purges until the browser closes, once the connections are deleted and before the tables are
   * cleared: a step that never ends and no error, the purge left pending. Then the next start:
   * the closed browser's locks are gone with it.
   */
  async function purgeStoppedMidway(): Promise<void> {
    const getAll = fakeBrowser.permissions.getAll;
    let reachedStop!: () => void;
    const stopped = new Promise<void>((resolve) => (reachedStop = resolve));
    fakeBrowser.permissions.getAll = vi.fn(() => {
      reachedStop();
      return new Promise<never>(() => undefined);
    });
    const purge = purgeEverything();
    await stopped;
    stubWebLocks();
    fakeBrowser.permissions.getAll = getAll;
    // Not one more step: it neither finished nor failed.
    expect(await Promise.race([purge.then(() => 'ended', () => 'ended'), settle().then(() => 'pending')])).toBe('pending');
  }

  /** A step failing as the page that asked for the purge is told: it ends with an error, the browser still open. */
  async function purgeFailedMidway(): Promise<void> {
    const getAll = fakeBrowser.permissions.getAll;
    fakeBrowser.permissions.getAll = vi.fn(async () => {
      throw new Error('Extension context is busy');
    });
    await expect(purgeEverything()).rejects.toThrow('Extension context is busy');
    fakeBrowser.permissions.getAll = getAll;
  }

  /** What an admin who saw the purge fail does next: connect again and sync. */
  async function connectAndSyncAgain(): Promise<void> {
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-after' }, timeoutSeconds: 30 });
    await db.putLeads([storedLead({ source: 'hubspot', id: '202', origin: 'sync' })]);
  }

  it('is finished at the next start: the leads and scores stored when it stopped are deleted', async () => {
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-unit' }, timeoutSeconds: 30 });
    await db.leadScores.put({ key: 'm|salesforce|00QA', modelId: 'm', leadKey: 'salesforce|00QA', probability: 0.4, score: 87, tier: 'hot', topReason: '', scoredAt: 1 });
    // A scoring asked before the purge, still waiting for its turn when the browser closed.
    const askedAt = Date.now();
    await purgeStoppedMidway();
    expect(await readConnection('hubspot')).toBeNull();
    expect(await db.leads.count()).toBe(3);
    const told = pagesTold();

    await finishUnfinishedPurge();
    expect(await db.leads.count()).toBe(0);
    expect(await db.leadScores.count()).toBe(0);
    // It does not run on what is left: the purge is recorded as done after it was asked.
    expect(await purgedSince(askedAt)).toBe(true);
    expect(await fakeBrowser.storage.local.get(null)).toEqual({ 'connection-generation:salesforce': 2, 'connection-generation:hubspot': 2 });
    await settle();
    expect(told).toEqual([[]]);
  });

  it('is finished once: a later start deletes nothing stored since', async () => {
    await purgeStoppedMidway();
    await finishUnfinishedPurge();
    await db.putLeads([storedLead({ source: 'csv', id: 'row-1', origin: 'csv' })]);
    await finishUnfinishedPurge();
    expect(await db.leads.count()).toBe(1);
  });

  it('leaves nothing to finish when it failed with an error the admin saw: what they connected and synced since stays', async () => {
    await purgeFailedMidway();
    expect(await readConnection('hubspot')).toBeNull();
    await connectAndSyncAgain();
    await finishUnfinishedPurge();
    expect(await readConnection('hubspot')).toMatchObject({ auth: { token: 'pat-na1-after' } });
    expect(await db.leads.count()).toBe(4);
  });

  it('leaves nothing to finish when finishing it at the next start failed: a later connect stays', async () => {
    await purgeStoppedMidway();
    const getAll = fakeBrowser.permissions.getAll;
    fakeBrowser.permissions.getAll = vi.fn(async () => {
      throw new Error('Extension context is busy');
    });
    await expect(finishUnfinishedPurge()).rejects.toThrow('Extension context is busy');
    fakeBrowser.permissions.getAll = getAll;
    await connectAndSyncAgain();
    await finishUnfinishedPurge();
    expect(await readConnection('hubspot')).toMatchObject({ auth: { token: 'pat-na1-after' } });
    expect(await db.leads.count()).toBe(4);
  });

  it('leaves nothing to finish when it completed, or gave up before deleting anything (a job did not stop)', async () => {
    await purgeEverything();
    await db.putLeads([storedLead({ source: 'csv', id: 'row-1', origin: 'csv' })]);
    await finishUnfinishedPurge();
    expect(await db.leads.count()).toBe(1);

    void navigator.locks.request(STORED_SCORES_LOCK, () => new Promise(() => undefined)); // a job that never lets go
    await expect(purgeEverything(10)).rejects.toThrow(/nothing was deleted/);
    stubWebLocks(); // the next start: that job is gone with the browser
    await finishUnfinishedPurge();
    expect(await db.leads.count()).toBe(1);
  });
});

describe('purgeEverything and a Salesforce sign-in', () => {
  const HOST = 'acme.my.salesforce.com';
  const LEFT_LIVE = `Salesforce at ${HOST} could not be told to end LeadLens's sign-in (offline?): an admin can revoke it under Setup → Connected Apps OAuth Usage`;
  /** The refresh tokens Salesforce was asked to revoke. */
  let revokeAsked: string[];
  beforeEach(async () => {
    revokeAsked = [];
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await writeConnection({ crm: 'salesforce', host: HOST, apiVersion: '67.0', auth: { kind: 'oauth', clientId: '3MVG9LeadLensDemoClientId', accessToken: 'AT', refreshToken: '5Aep-live-refresh' }, timeoutSeconds: 30 });
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-unit' }, timeoutSeconds: 30 });
  });
  afterEach(() => vi.mocked(console.warn).mockRestore());
  /** Salesforce's revoke endpoint: `answer` gives its response, or throws as an offline fetch does. */
  const stubRevoke = (answer: () => Response) =>
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      expect(String(input)).toBe(`https://${HOST}/services/oauth2/revoke`);
      revokeAsked.push(new URLSearchParams(String(init?.body)).get('token') ?? '');
      return answer();
    });

  it('says in its reply that a sign-in Salesforce could not be told to end is still live, and where to revoke it', async () => {
    stubRevoke(() => {
      throw new TypeError('Failed to fetch');
    });
    expect((await purgeEverything()).grantLeftLive).toBe(LEFT_LIVE);
    expect(revokeAsked).toEqual(['5Aep-live-refresh']);
    // Deleted all the same: nothing of it is kept to try again with, only how many times each CRM's connection was removed.
    expect(await fakeBrowser.storage.local.get(null)).toEqual({ 'connection-generation:salesforce': 1, 'connection-generation:hubspot': 1 });
  });

  it('keeps how many times each CRM’s connection was removed, one more, for a connect under way to see that it came', async () => {
    stubRevoke(() => new Response(null, { status: 200 }));
    await purgeEverything();
    await writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-unit' }, timeoutSeconds: 30 });
    await purgeEverything();
    expect(await connectionGeneration('hubspot')).toBe(2);
    expect(await connectionGeneration('salesforce')).toBe(2);
  });

  it('says nothing of a sign-in Salesforce ended', async () => {
    stubRevoke(() => new Response(null, { status: 200 }));
    expect((await purgeEverything()).grantLeftLive).toBe('');
    expect(revokeAsked).toEqual(['5Aep-live-refresh']);
  });
});

describe('purgeEverything and a CSV import', () => {
  it('asks a running import to stop, waits for it to let go, and only then deletes: nothing of the file is left', async () => {
    // The import (in a page's worker) stops when told on the channel, dropping what it staged, then lets go of its lock.
    const stopped = new AbortController();
    const channel = new BroadcastChannel(CSV_IMPORT_CANCEL_CHANNEL);
    channel.onmessage = () => stopped.abort();
    let releasedAt = 0;
    const importing = navigator.locks.request(CSV_IMPORT_LOCK, async () => {
      await db.csvStaging.bulkPut([storedLead({ source: 'csv', id: 'row-1', origin: 'csv' })]);
      if (!stopped.signal.aborted) await new Promise((resolve) => stopped.signal.addEventListener('abort', resolve));
      await db.csvStaging.clear();
      releasedAt = performance.now();
    });
    await purgeEverything();
    const purgedAt = performance.now();
    channel.close();
    await importing;
    expect(releasedAt).toBeGreaterThan(0);
    expect(releasedAt).toBeLessThanOrEqual(purgedAt);
    expect(await db.leads.count()).toBe(0);
    expect(await db.csvStaging.count()).toBe(0);
  });
});

describe('scores computed while cached scores are forgotten', () => {
  it('are not cached: a record read before a purge, answered after, leaves nothing behind', async () => {
    const cache = scoreCacheFor(await recordPageAccess());
    await purgeEverything();
    await cache.put('m|salesforce|00QA', { fieldsHash: 'h', lead: {} as never, fields: { Title: 'CEO' } });
    expect(await db.scores.count()).toBe(0);
    // A cache made since writes as before.
    await scoreCacheFor(await recordPageAccess()).put('m|salesforce|00QA', { fieldsHash: 'h', lead: {} as never });
    expect(await db.scores.count()).toBe(1);
  });

  /**
   * Caches a score with `cache` as the purge starts deleting cached scores by `method`, as another
   * message's handler would, outside its transaction. Spied on every table (the transaction's own
   * table objects are others than `db.scores`), acting on the scores table's.
   */
  function cachedWhileDeleting(method: 'clear' | 'bulkDelete', cache: ReturnType<typeof scoreCacheFor>): () => Promise<void> {
    let cached: Promise<void> | undefined;
    const tables = Object.getPrototypeOf(db.scores) as Record<typeof method, (...args: unknown[]) => Promise<unknown>>;
    const original = tables[method];
    vi.spyOn(tables, method).mockImplementation(function (this: { name: string }, ...args: unknown[]) {
      if (this.name === 'scores') cached ??= Dexie.ignoreTransaction(() => cache.put('m|salesforce|00QA', { fieldsHash: 'h', lead: {} as never, fields: { Email: 'ceo@acme.example', Title: 'CEO' } }));
      return original.apply(this, args);
    });
    return async () => {
      expect(cached).toBeDefined();
      await cached;
      vi.restoreAllMocks();
    };
  }

  it('are not cached: a record read before a purge, answered while it clears the tables, leaves nothing behind', async () => {
    const settled = cachedWhileDeleting('clear', scoreCacheFor(await recordPageAccess()));
    await purgeEverything();
    await settled();
    expect(await db.scores.toArray()).toEqual([]);
  });

  it('are not cached: a record read through the previous org, answered while its cached scores are deleted, is not kept', async () => {
    const settled = cachedWhileDeleting('bulkDelete', scoreCacheFor(await recordPageAccess()));
    await forgetSyncedLeads('salesforce');
    await settled();
    expect(await db.scores.toArray()).toEqual([]);
  });

  it('connecting another org forgets the record pages’ scores read through the previous one, of that CRM only', async () => {
    await db.scores.bulkPut([
      { key: 'm|salesforce|00QA', fieldsHash: 'h', lead: {} as never, scoredAt: 1 },
      { key: 'm|hubspot|101', fieldsHash: 'h', lead: {} as never, scoredAt: 1 },
    ]);
    await forgetSyncedLeads('salesforce');
    expect(await db.scores.toCollection().primaryKeys()).toEqual(['m|hubspot|101']);
  });
});

describe('forgetSyncedLeads', () => {
  it('tells the pages once the CRM’s synced leads are deleted, as not everything', async () => {
    const told = pagesTold();
    const everything: boolean[] = [];
    onEvent('storedDataDeleted', (payload) => everything.push(payload.everything));
    expect(await forgetSyncedLeads('salesforce')).toBe(1);
    await settle();
    expect(told).toEqual([['hubspot|101', 'salesforce|00QB']]);
    // A training on the CSV and demo leads left goes on (the Training section drops its work on a purge only).
    expect(everything).toEqual([false]);
    await expectSummariesInStep(db);
    expect(await db.leadSummaries.count()).toBe(2);
  });

  it('tells that CRM’s tabs to score again: their cached scores of that CRM are gone (another CRM’s tabs have nothing new to ask for)', async () => {
    const told = crmTabsTold();
    await forgetSyncedLeads('salesforce');
    expect(told).toEqual([['scoresChanged', { crm: 'salesforce' }]]);
  });

  it('tells that CRM’s tabs to score again with no synced lead deleted: the leads they showed the side panel were forgotten', async () => {
    await db.deleteLeads(['salesforce|00QA']);
    const told = crmTabsTold();
    expect(await forgetSyncedLeads('salesforce')).toBe(0);
    expect(told).toEqual([['scoresChanged', { crm: 'salesforce' }]]);
  });

  it("forgets the lead each tab on that CRM's pages showed, remembered for the side panel with the previous org's page fields, and only that CRM's", async () => {
    await fakeBrowser.storage.session.set({ ...openLeads, lastCrmTabId: 7 });
    await forgetSyncedLeads('salesforce');
    const session = await fakeBrowser.storage.session.get(null);
    expect(Object.keys(session).filter((key) => key.startsWith('openLead:'))).toEqual(['openLead:8']);
    expect(session['openLead:8']).toEqual(openLeads['openLead:8']);
  });

  it("forgets what write-back wrote to the previous org's records, and only that CRM's", async () => {
    await db.settings.bulkPut([
      { key: 'written-back-values:salesforce|00QA', value: { LeadLens_Score__c: '88' } },
      { key: 'written-back-values:hubspot|101', value: { leadlens_score: '40' } },
    ]);
    await setHeldValuesRemembered('salesforce', true);
    await setHeldValuesRemembered('hubspot', true);
    await forgetSyncedLeads('salesforce');
    expect(await db.settings.where('key').startsWith('written-back-values:').primaryKeys()).toEqual(['written-back-values:hubspot|101']);
    // The new org's records may hold what an earlier LeadLens wrote: the next write-back looks for them.
    expect(await heldValuesRemembered('salesforce')).toBe(false);
    expect(await heldValuesRemembered('hubspot')).toBe(true);
  });

  it("forgets the previous org's write-back report (its counts and lead ids), and only that CRM's", async () => {
    const report = (crm: 'salesforce' | 'hubspot') => ({ ...idleWriteBack(crm), status: 'done' as const, written: 1, failures: [{ error: 'refused', count: 1, recordIds: ['00QA'] }] });
    await db.settings.bulkPut([
      { key: 'write-back:salesforce', value: report('salesforce') },
      { key: 'write-back:hubspot', value: report('hubspot') },
    ]);
    await forgetSyncedLeads('salesforce');
    expect(await readWriteBack('salesforce')).toEqual(idleWriteBack('salesforce'));
    expect((await readWriteBack('hubspot')).written).toBe(1);
  });

  it('takes the forgotten leads out of the held-out probabilities of models trained on them, and nothing else', async () => {
    await db.heldOutScores.bulkPut([
      { modelId: 'ebm-a', leadKeys: ['salesforce|00QA', 'salesforce|00QB', 'hubspot|101'], probabilities: Float64Array.from([0.1, 0.2, 0.3]) },
      { modelId: 'ebm-b', leadKeys: ['hubspot|101'], probabilities: Float64Array.from([0.4]) },
    ]);
    await forgetSyncedLeads('salesforce');
    const kept = await db.heldOutScores.get('ebm-a');
    // 00QA was synced from the previous org (a sandbox reuses its ids); 00QB is a demo lead, kept.
    expect(kept?.leadKeys).toEqual(['salesforce|00QB', 'hubspot|101']);
    expect([...(kept?.probabilities ?? [])]).toEqual([0.2, 0.3]);
    expect([...((await db.heldOutScores.get('ebm-b'))?.probabilities ?? [])]).toEqual([0.4]);
  });

  it('tells them nothing when no lead was deleted', async () => {
    await db.deleteLeads(['salesforce|00QA']);
    const told = pagesTold();
    expect(await forgetSyncedLeads('salesforce')).toBe(0);
    await settle();
    expect(told).toEqual([]);
  });
});

describe('purgeEverything and a sync', () => {
  it('stops the sync, which then asks for no scoring of the leads it stored: none runs after the purge, on the emptied store', async () => {
    offscreenScoring.standIn = true;
    fakeBrowser.cookies.get = vi.fn(async ({ name }: { name: string }) => (name === 'sid' ? { value: 'SID!x' } : null)) as never;
    fakeBrowser.runtime.getPlatformInfo = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
    // A CRM with many pages, each answered after a moment: the purge comes mid-sync.
    const answer = demoFetch(createDemoCrmHandler(generateDemoLeads({ count: 600, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), defaultBehaviour()));
    vi.stubGlobal('fetch', async (...args: Parameters<typeof fetch>) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return answer(...args);
    });
    await writeConnection({ crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
    // The purge takes a moment between the sync's end and the clearing of the tables (it gives back site access first).
    fakeBrowser.permissions.getAll = vi.fn(async () => (await new Promise((resolve) => setTimeout(resolve, 100)), { permissions: [], origins: [] }));
    const owed = deferred();
    scoringOwed.listener = owed.resolve;
    await startSync('salesforce');
    // It stored a page: it owes its CRM's scoring, and would ask for it as it ends. The purge
    // begins right then, not at a poll that may come once the sync has ended and its scoring run.
    await owed.promise;
    await purgeEverything();
    await settle();
    await vi.waitFor(async () => expect(await navigator.locks.query()).toEqual({ held: [], pending: [] }));
    expect(offscreenScoring.asked).toEqual([]);
    expect(await db.settings.toArray()).toEqual([{ key: 'purged-at', value: expect.any(Number) }]);
  });
});

describe('with a bulk scoring running in the offscreen document', () => {
  const now = new Date('2026-11-20T00:00:00Z');
  let manifest: Manifest;
  beforeAll(() => {
    const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
    if (!parsed.ok) throw new Error(parsed.error);
    manifest = parsed.manifest;
  });
  beforeEach(async () => {
    // The three leads above with a field the model reads (a lead it reads nothing of gets no score).
    await db.putLeads((await db.leads.toArray()).map((stored) => ({ ...stored, fields: stored.source === 'hubspot' ? { jobtitle: 'CEO' } : { Title: 'CEO' } })));
    // With them: 16 HubSpot leads (whose keys sort first), 16 synced from Salesforce, 1 demo one.
    await db.putLeads(demoStoredLeads(now, 30).map((stored) => (stored.source === 'salesforce' ? { ...stored, origin: 'sync' as const } : stored)));
  });

  /**
   * The bulk scoring as the offscreen document runs it, in batches of 10; while the model scores
   * batch n, `during(n)` runs and the batch waits for it. Every lead gets the same odds: which
   * leads are scored matters here, not their scores.
   */
  function scoringJob(batches: number[], during: (batch: number) => Promise<unknown> = async () => undefined) {
    const terms = manifest.terms.length;
    const runModel = async (rows: Float32Array, featureCount: number) => {
      const n = rows.length / featureCount;
      batches.push(n);
      await during(batches.length);
      return { probability: new Float32Array(n).fill(0.5) /* [N] */, contributions: new Float32Array(n * terms) /* [N * T] */, terms };
    };
    const deps = { manifest, runModel, now };
    return runStoredScoresJob(() => runScoringJob(deps, { batchSize: 10 }), () => resumeUnfinishedScoringJob(async () => deps, 10));
  }
  const until = async (condition: () => Promise<boolean> | boolean) => {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 2));
  };
  /** Once a purge waits for the stored scores' lock: it has asked the job to stop. */
  const purgeWaits = () => until(async () => (await navigator.locks.query()).pending?.some((lock) => lock.name === STORED_SCORES_LOCK) === true);
  const leadKeys = async () => ((await db.leads.toCollection().primaryKeys()) as string[]).sort();
  const scoredLeadKeys = async () => (await db.leadScores.toArray()).map((score) => score.leadKey).sort();

  it('forgetting a CRM’s synced leads does not wait for the run, which then scores each lead left once', async () => {
    const batches: number[] = [];
    let forgetting: Promise<number> | undefined;
    const job = scoringJob(batches, async (batch) => {
      if (batch > 1) return forgetting; // a purge that waited for the whole run would time out here
      forgetting = forgetSyncedLeads('salesforce', 5_000); // another org connected mid-run
      await purgeWaits();
    });

    expect(await job).toBe(17);
    expect(await forgetting).toBe(16);
    const left = await leadKeys();
    expect(left).toHaveLength(17);
    expect(await scoredLeadKeys()).toEqual(left);
    expect(batches).toEqual([10, 7]);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 17, total: 17 });
  });

  it('purging everything does not wait for the run, which does not continue: its row went with the rest', async () => {
    const batches: number[] = [];
    let purging: ReturnType<typeof purgeEverything> | undefined;
    const job = scoringJob(batches, async (batch) => {
      if (batch > 1) return purging;
      purging = purgeEverything(5_000);
      await purgeWaits();
    });

    expect(await job).toBeNull();
    await purging;
    expect(batches).toEqual([10]);
    expect(await db.leads.count()).toBe(0);
    expect(await db.leadScores.count()).toBe(0);
    expect(await readJob('scoring')).toBeNull();
  });

  it('gives up on a run that does not stop in time, deleting nothing, and the run then goes to its end', async () => {
    const batches: number[] = [];
    let finishBatch = () => undefined as void;
    const job = scoringJob(batches, (batch) => (batch === 1 ? new Promise<void>((resolve) => (finishBatch = resolve)) : Promise.resolve()));
    await until(() => batches.length === 1);

    await expect(purgeEverything(50)).rejects.toThrow(/nothing was deleted/);
    finishBatch();
    expect(await job).toBe(33);
    expect(batches).toEqual([10, 10, 10, 3]);
    expect(await db.leadScores.count()).toBe(33);
  });

  it('a purge’s request to stop does not stop the next run', async () => {
    expect(await forgetSyncedLeads('salesforce')).toBe(16);
    const batches: number[] = [];
    expect(await scoringJob(batches)).toBe(17);
    expect(batches).toEqual([10, 7]);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 17, total: 17 });
  });
});
