/**
 * The background's start-up: after an update, what the previous version scored is scored again
 * (its cached record-page scores deleted, a scoring of every stored lead owed and asked for); a
 * HubSpot connection stored without its portal is checked, before a sync left running resumes;
 * each step kept alive as long as it runs, and its failure logged without stopping the others.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storedLead } from '../../test/fixtures/stored-lead';
import { deferred } from '../../test/deferred';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { owedScoringModel, readJob, runJob } from '../jobs/progress';
import { holdingFullScoringRequest } from '../jobs/requests';
import { bundledModel } from '../ml/bundled-model';
import { activeModelId, adoptRebuiltBundledModel } from '../ml/model-store';
import { resumeSyncs } from '../sync/runner';
import { scheduleAutoSync } from '../sync/schedule';
import { startStoredScoring } from './activate-model';
import { resumeOffscreenJobs } from './offscreen-engine';
import { handleAlarm } from './alarms';
import { learnPortalInBackground } from './hubspot-portal';
import { KEEP_ALIVE_INTERVAL_MS } from './keep-alive';
import { finishUnfinishedPurge } from './purge';
import { REFRESH_SCORES_ALARM, scheduleScoreRefresh } from './refresh-scores';
import { SCORED_BY_VERSION_KEY } from './scored-by-version';
import { scoreAgainAfterUpdate, startUp } from './start-up';

const { scoreStoredLeadsOffscreen } = vi.hoisted(() => ({
  // As the offscreen document's run over every lead ends, for its progress row (the scores themselves are bulk-score.test.ts's).
  scoreStoredLeadsOffscreen: vi.fn(async (modelId: string) => ({ ok: true as const, scored: await runJob('scoring', modelId, 1, async () => 1) })),
}));
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
vi.mock('./offscreen-engine', async (importOriginal) => ({ ...(await importOriginal<typeof import('./offscreen-engine')>()), scoreStoredLeadsOffscreen, resumeOffscreenJobs: vi.fn() }));
vi.mock('./activate-model', async (importOriginal) => {
  const original = await importOriginal<typeof import('./activate-model')>();
  return { ...original, startStoredScoring: vi.fn(original.startStoredScoring) };
});
vi.mock('../ml/model-store', async (importOriginal) => {
  const original = await importOriginal<typeof import('../ml/model-store')>();
  return { ...original, activeModelId: vi.fn(original.activeModelId), adoptRebuiltBundledModel: vi.fn(original.adoptRebuiltBundledModel) };
});
vi.mock('./hubspot-portal', () => ({ learnPortalInBackground: vi.fn() }));
vi.mock('./purge', () => ({ finishUnfinishedPurge: vi.fn() }));
vi.mock('../sync/runner', async (importOriginal) => ({ ...(await importOriginal<typeof import('../sync/runner')>()), resumeSyncs: vi.fn() }));
vi.mock('../sync/schedule', async (importOriginal) => ({ ...(await importOriginal<typeof import('../sync/schedule')>()), scheduleAutoSync: vi.fn() }));
vi.mock('./refresh-scores', async (importOriginal) => ({ ...(await importOriginal<typeof import('./refresh-scores')>()), scheduleScoreRefresh: vi.fn() }));

/** The version the installed LeadLens's manifest says. */
let installedVersion = '2.0.0';
/** Extension API calls that reset the worker's idle timer (`resetWorkerIdleTimer`). */
const idleResets = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);


/** A record page's cached score, of the active model. */
async function cacheScoreOf(recordId: string) {
  await db.scores.put({ key: `${await activeModelId()}|hubspot|${recordId}`, fieldsHash: 'h', lead: {} as never, scoredAt: Date.now(), account: '4242424' });
}
const recordVersion = (version: string) => db.settings.put({ key: SCORED_BY_VERSION_KEY, value: version });
const recordedVersion = async () => (await db.settings.get(SCORED_BY_VERSION_KEY))?.value;

beforeEach(async () => {
  fakeBrowser.reset();
  vi.clearAllMocks();
  stubWebLocks(); // scoring requests are Web Locks
  installedVersion = '2.0.0';
  fakeBrowser.runtime.getManifest = (() => ({ manifest_version: 3, name: 'LeadLens', version: installedVersion })) as never;
  fakeBrowser.runtime.getPlatformInfo = idleResets;
  fakeBrowser.storage.local.setAccessLevel = vi.fn(async () => undefined);
  vi.mocked(finishUnfinishedPurge).mockResolvedValue(undefined);
  vi.mocked(learnPortalInBackground).mockResolvedValue(undefined);
  vi.mocked(resumeSyncs).mockResolvedValue(undefined);
  vi.mocked(scheduleAutoSync).mockResolvedValue(undefined);
  vi.mocked(scheduleScoreRefresh).mockResolvedValue(undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  await Promise.all(db.tables.map((table) => table.clear()));
});
afterEach(async () => {
  // Start-up's scoring work ends before the Web Locks it uses go.
  await Promise.allSettled(vi.mocked(startStoredScoring).mock.results.map((result) => result.value));
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.mocked(console.error).mockRestore();
});

describe('scoreAgainAfterUpdate', () => {
  it('after an update, deletes the cached record-page scores and owes a scoring of every stored lead with the active model', async () => {
    await recordVersion('1.9.0');
    await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
    await cacheScoreOf('501');
    await scoreAgainAfterUpdate('2.0.0');
    expect(await db.scores.count()).toBe(0);
    expect(await owedScoringModel()).toBe(await activeModelId());
    expect(await recordedVersion()).toBe('2.0.0');
  });

  it('does nothing when the version is the one recorded', async () => {
    await recordVersion('2.0.0');
    await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
    await cacheScoreOf('501');
    await scoreAgainAfterUpdate('2.0.0');
    expect(await db.scores.count()).toBe(1);
    expect(await owedScoringModel()).toBeNull();
  });

  it('at a first start (nothing recorded, no lead stored), records the version and owes nothing', async () => {
    await scoreAgainAfterUpdate('2.0.0');
    expect(await recordedVersion()).toBe('2.0.0');
    expect(await owedScoringModel()).toBeNull();
  });

  it('with no version recorded but leads stored (an update from a LeadLens that did not record it), scores them again', async () => {
    await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
    await cacheScoreOf('501');
    await scoreAgainAfterUpdate('2.0.0');
    expect(await db.scores.count()).toBe(0);
    expect(await owedScoringModel()).toBe(await activeModelId());
  });

  it('records the version only with the scoring owed: a failure between leaves both to the next start', async () => {
    await recordVersion('1.9.0');
    await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
    await cacheScoreOf('501');
    vi.mocked(activeModelId).mockRejectedValueOnce(new Error('The database was closed'));
    await expect(scoreAgainAfterUpdate('2.0.0')).rejects.toThrow('The database was closed');
    expect(await recordedVersion()).toBe('1.9.0');
    expect(await db.scores.count()).toBe(1);
    await scoreAgainAfterUpdate('2.0.0');
    expect(await owedScoringModel()).toBe(await activeModelId());
    expect(await recordedVersion()).toBe('2.0.0');
  });
});

describe('startUp', () => {
  it('after an update, scores every stored lead again with the active model', async () => {
    await recordVersion('1.9.0');
    await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
    await startUp();
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1));
    const model = await activeModelId();
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(model);
    await vi.waitFor(async () => expect((await readJob('scoring'))?.state).toBe('done'));
    expect(await owedScoringModel()).toBeNull();
  });

  it('scores nothing again when started by the version that scored what is stored', async () => {
    await recordVersion('2.0.0');
    await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
    await startUp();
    await vi.waitFor(() => expect(startStoredScoring).toHaveBeenCalledTimes(1));
    await vi.mocked(startStoredScoring).mock.results[0].value;
    expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
  });

  it('resumes the stored-score jobs when scoring again after the update failed, and logs that failure', async () => {
    await recordVersion('1.9.0');
    await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
    vi.mocked(activeModelId).mockRejectedValueOnce(new Error('The database was closed'));
    await startUp();
    await vi.waitFor(() => expect(startStoredScoring).toHaveBeenCalledTimes(1));
    // Scoring again after the update is start-up's stored scoring's first step (one decision with it).
    await vi.mocked(startStoredScoring).mock.results[0].value;
    expect(resumeOffscreenJobs).toHaveBeenCalledTimes(1);
    expect(console.error).toHaveBeenCalledWith('LeadLens: scoring again what the previous version scored failed', new Error('The database was closed'));
  });

  it('resolves once an interrupted purge is finished, not before: alarm work waits for it', async () => {
    const purge = deferred();
    vi.mocked(finishUnfinishedPurge).mockReturnValue(purge.promise);
    let resolved = false;
    const started = startUp().then(() => {
      resolved = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(resolved).toBe(false);
    purge.resolve();
    await started;
  });

  describe('keeps the worker alive', () => {
    /** Chrome's idle timer reset while `KEEP_ALIVE_INTERVAL_MS` passes three times. */
    async function idleResetsOverThreeIntervals() {
      const before = idleResets.mock.calls.length;
      await vi.advanceTimersByTimeAsync(KEEP_ALIVE_INTERVAL_MS * 3);
      return idleResets.mock.calls.length - before;
    }
    /** Start-up's scoring step ends (it keeps the worker alive while it runs, too). */
    async function storedScoringEnded() {
      await vi.waitFor(() => expect(startStoredScoring).toHaveBeenCalledTimes(1));
      await vi.mocked(startStoredScoring).mock.results[0].value;
    }

    beforeEach(async () => {
      await recordVersion('2.0.0');
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    });

    it('while the database opens (after an update, an upgrade can outlast the idle limit), not after', async () => {
      const opening = deferred();
      const open = vi.spyOn(db, 'open').mockReturnValueOnce(opening.promise as never);
      await startUp();
      await storedScoringEnded();
      expect(await idleResetsOverThreeIntervals()).toBeGreaterThanOrEqual(3);
      opening.resolve();
      await new Promise((resolve) => setTimeout(resolve, 0)); // what waited on the opening goes on
      expect(await idleResetsOverThreeIntervals()).toBe(0);
      open.mockRestore();
    });

    it('while an interrupted purge is finished, not after', async () => {
      const purge = deferred();
      vi.mocked(finishUnfinishedPurge).mockReturnValue(purge.promise);
      const started = startUp();
      expect(await idleResetsOverThreeIntervals()).toBeGreaterThanOrEqual(3);
      purge.resolve();
      await started;
      await storedScoringEnded();
      expect(await idleResetsOverThreeIntervals()).toBe(0);
    });
  });

  describe('after an update that rebuilt the bundled model (another id), while the hourly check runs during start-up', () => {
    const OLD_BUNDLED = 'ebm-0123456789abcdef';
    const newBundled = () => {
      const parsed = bundledModel.manifest();
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.manifest.modelId;
    };

    beforeEach(async () => {
      await recordVersion('1.9.0');
      await db.putLeads([storedLead({ source: 'hubspot', id: '501', origin: 'sync' })]);
      // What the old bundled model scored: start-up's adoption of the new one finds it.
      await db.leadScores.put({ key: `${OLD_BUNDLED}|hubspot|501`, modelId: OLD_BUNDLED, leadKey: 'hubspot|501', probability: 0.2, score: 20, tier: 'cold', topReason: '', scoredAt: Date.now() });
      // As the offscreen document: it takes the request's lock once it has the message, and runs the job (50 ms: minutes on 100,000 leads).
      scoreStoredLeadsOffscreen.mockImplementation(async (modelId: string) =>
        holdingFullScoringRequest(modelId, async () => ({ ok: true as const, scored: await runJob('scoring', modelId, 1, () => new Promise<number>((resolve) => setTimeout(() => resolve(1), 50))) })),
      );
    });
    afterEach(() => scoreStoredLeadsOffscreen.mockReset()); // back to its own implementation

    /** Starts up with the hourly alarm firing while the old bundled model's scores are dropped (adoption takes seconds on a large store); resolves once both are over. */
    async function startUpWithAlarmDuringAdoption() {
      const adoption = deferred();
      const adopt = vi.mocked(adoptRebuiltBundledModel).getMockImplementation()!;
      vi.mocked(adoptRebuiltBundledModel).mockImplementationOnce(async () => {
        await adoption.promise;
        return adopt();
      });
      await startUp();
      await vi.waitFor(() => expect(adoptRebuiltBundledModel).toHaveBeenCalledTimes(1));
      // As background.ts runs alarm work: once an interrupted purge is finished (none here).
      const alarmWork = handleAlarm(REFRESH_SCORES_ALARM);
      await new Promise((resolve) => setTimeout(resolve, 20));
      adoption.resolve();
      await Promise.all([alarmWork, vi.mocked(startStoredScoring).mock.results[0].value]);
    }

    it('scores every stored lead once, with the new bundled model, when the old one was never named active', async () => {
      await startUpWithAlarmDuringAdoption();
      expect(scoreStoredLeadsOffscreen.mock.calls).toEqual([[newBundled()]]);
      expect(await activeModelId()).toBe(newBundled());
      expect(await owedScoringModel()).toBeNull();
      expect(console.error).not.toHaveBeenCalled();
    });

    it('scores every stored lead once, with the new bundled model, when the old one was named active (none with the old, no longer installed)', async () => {
      await db.settings.put({ key: 'activeModelId', value: OLD_BUNDLED });
      await startUpWithAlarmDuringAdoption();
      expect(scoreStoredLeadsOffscreen.mock.calls).toEqual([[newBundled()]]);
      expect(await owedScoringModel()).toBeNull();
    });

    it('still scores with the new bundled model when the hourly check, deciding first, asked a scoring with the old one (its scores stale)', async () => {
      await db.settings.put({ key: 'activeModelId', value: OLD_BUNDLED });
      await db.leadScores.update(`${OLD_BUNDLED}|hubspot|501`, { scoredAt: Date.now() - 2 * 24 * 3_600_000 }); // stale
      const alarmWork = handleAlarm(REFRESH_SCORES_ALARM);
      await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith(OLD_BUNDLED));
      await startUp();
      await vi.waitFor(() => expect(startStoredScoring).toHaveBeenCalledTimes(1));
      await Promise.all([alarmWork, vi.mocked(startStoredScoring).mock.results[0].value]);
      expect(scoreStoredLeadsOffscreen.mock.calls).toEqual([[OLD_BUNDLED], [newBundled()]]);
      expect(await activeModelId()).toBe(newBundled());
      expect(await owedScoringModel()).toBeNull();
    });
  });

  describe('a HubSpot connection whose portal is not known', () => {
    it('is checked once an interrupted purge is finished, and a sync left running resumes after that check', async () => {
      const purge = deferred();
      vi.mocked(finishUnfinishedPurge).mockReturnValue(purge.promise);
      const check = deferred();
      vi.mocked(learnPortalInBackground).mockReturnValue(check.promise);
      const purgeFinished = startUp();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(learnPortalInBackground).not.toHaveBeenCalled();
      purge.resolve();
      await purgeFinished;
      await vi.waitFor(() => expect(learnPortalInBackground).toHaveBeenCalledTimes(1));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(resumeSyncs).not.toHaveBeenCalled();
      check.resolve();
      await vi.waitFor(() => expect(resumeSyncs).toHaveBeenCalledTimes(1));
    });

    it('resumes syncs (Salesforce’s among them) when the check fails, and logs that failure', async () => {
      vi.mocked(learnPortalInBackground).mockRejectedValue(new Error('HubSpot did not answer'));
      await startUp();
      await vi.waitFor(() => expect(resumeSyncs).toHaveBeenCalledTimes(1));
      expect(console.error).toHaveBeenCalledWith('LeadLens: checking which HubSpot portal the connection reads failed', new Error('HubSpot did not answer'));
    });
  });
});
