import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storedLead } from '../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { ScoringSuperseded, oweScoringOfEveryLead, owedScoringModel, owedSourceScorings, oweSourceScoring, preparingRun, readJob, runJob, standingFailure, writeJob } from '../jobs/progress';
import { fullScoringRequested, holdingFullScoringRequest, requestOwedScoringOf } from '../jobs/requests';
import { INITIAL_SYNC_STATE } from '../sync/state';
import { dexieSyncStore } from '../sync/store';
import { keepEnd } from '../sync/kept-end';
import { STORAGE_FULL_ERROR_KIND } from '../messaging/protocol-sync';
import { dexieCsvSink } from '../csv/stored';
import { bundledModel } from '../ml/bundled-model';
import { activeModelId } from '../ml/model-store';
import { storeModel } from '../../test/fixtures/stored-model';
import { activateStoredModel, rollBackModel, scoreStoredLeadsIfAny, startStoredScoring } from './activate-model';
import { OffscreenJobInterrupted } from './offscreen-engine';
import { refreshStaleScores } from './refresh-scores';

const { scoreStoredLeadsOffscreen, retierStoredScoresOffscreen, resumeOffscreenJobs, sendToCrmTabs, steps } = vi.hoisted(() => {
  const steps: string[] = [];
  return {
    steps,
    scoreStoredLeadsOffscreen: vi.fn(async (modelId: string, source?: 'salesforce' | 'hubspot' | 'csv'): Promise<{ ok: true; scored: number }> => {
      steps.push(source ? `score ${modelId} ${source}` : `score ${modelId}`);
      // As the offscreen document's job ends, for its progress row (the leads' scores are bulk-score.test.ts's).
      return { ok: true, scored: await runJob('scoring', modelId, 1, async () => 1, { source }) };
    }),
    retierStoredScoresOffscreen: vi.fn(async (modelId: string): Promise<{ ok: true; changed: number }> => {
      steps.push(`retier ${modelId}`);
      return { ok: true, changed: await runJob('retier', modelId, 1, async () => 0) };
    }),
    resumeOffscreenJobs: vi.fn(async () => void steps.push('resume jobs')),
    sendToCrmTabs: vi.fn(async (type: string) => void steps.push(`tabs ${type}`)),
  };
});
vi.mock('./offscreen-engine', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./offscreen-engine')>()),
  scoreStoredLeadsOffscreen,
  retierStoredScoresOffscreen,
  resumeOffscreenJobs,
}));
vi.mock('../messaging/events', () => ({ sendToCrmTabs }));
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();

beforeEach(async () => {
  steps.length = 0;
  vi.clearAllMocks();
  scoreStoredLeadsOffscreen.mockReset(); // back to its own implementation, for tests that replaced it
  stubWebLocks(); // a job's progress report asks the lock manager whether a purge waits
  await Promise.all(db.tables.map((table) => table.clear()));
  await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
});
afterEach(() => vi.unstubAllGlobals());

/** The browser closes on the scoring asked: it waits for another job's turn (a sync's, a retier) and never begins. */
const neverBegins = () => scoreStoredLeadsOffscreen.mockImplementationOnce(() => new Promise(() => undefined));

describe('scoreStoredLeadsIfAny', () => {
  it('starts no job without a stored lead, and scores them when there are some', async () => {
    expect(await scoreStoredLeadsIfAny('trained-1')).toEqual({ ok: true, scored: 0 });
    expect(scoreStoredLeadsOffscreen).not.toHaveBeenCalled();
    await db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' })]);
    expect(await scoreStoredLeadsIfAny('trained-1')).toEqual({ ok: true, scored: 1 });
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith('trained-1');
  });

  it('owes no scoring once it found no stored lead to score', async () => {
    await oweScoringOfEveryLead('trained-1');
    await scoreStoredLeadsIfAny('trained-1');
    expect(await owedScoringModel()).toBeNull();
  });
});

describe('switching the active model', () => {
  beforeEach(() => db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' })]));

  it('activates, then scores the stored leads with the new model, telling CRM tabs meanwhile', async () => {
    expect(await activateStoredModel('trained-1')).toEqual({ ok: true, modelId: 'trained-1', scored: 1, stored: 1 });
    expect(await activeModelId()).toBe('trained-1');
    expect(steps).toEqual(['tabs scoresChanged', 'score trained-1']);
  });

  it('asks for the scoring without waiting for CRM tabs to be told (one message per tab)', async () => {
    sendToCrmTabs.mockImplementationOnce(() => new Promise(() => undefined));
    void activateStoredModel('trained-1');
    // Asked once the model is made active and its scoring owed and requested: on a loaded machine, past vi.waitFor's default second.
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith('trained-1'), { timeout: 10_000 });
    expect(sendToCrmTabs).toHaveBeenCalledWith('scoresChanged', {});
  });

  it('rolls back to the model active before, the same way', async () => {
    await activateStoredModel('trained-1');
    steps.length = 0;
    expect(await rollBackModel()).toEqual({ ok: true, modelId: bundled.modelId, scored: 1, stored: 1 });
    expect(await activeModelId()).toBe(bundled.modelId);
    expect(steps).toEqual(['tabs scoresChanged', `score ${bundled.modelId}`]);
  });

  it('says the model could not be activated, and tells and scores nothing, when it is not installed', async () => {
    const reply = await activateStoredModel('missing-1');
    expect(reply).toMatchObject({ ok: false, error: expect.stringMatching(/^The model could not be activated: .*missing-1/) });
    expect(await activeModelId()).toBe(bundled.modelId);
    expect(steps).toEqual([]);
    expect(await owedScoringModel()).toBeNull();
  });

  // A failure reply made the pages offer to activate a model already active.
  it('succeeds when only its scoring failed, saying what went wrong with the scoring', async () => {
    scoreStoredLeadsOffscreen.mockResolvedValueOnce({ ok: false as const, error: 'The offscreen document is gone' } as never);
    expect(await activateStoredModel('trained-1')).toEqual({
      ok: true,
      modelId: 'trained-1',
      scored: 0,
      stored: 1,
      scoringProblem: 'The stored leads could not be scored with it: The offscreen document is gone',
    });
    expect(await activeModelId()).toBe('trained-1');
  });

  it('says calmly that the leads are scored with another model made active since, when that activation stopped its scoring', async () => {
    // The admin activates the bundled model (another tab, Demo mode) while trained-1's scoring runs: trained-1's stops.
    scoreStoredLeadsOffscreen.mockImplementationOnce(async (modelId: string) => {
      await activateStoredModel(bundled.modelId);
      return { ok: false as const, error: new ScoringSuperseded(modelId, bundled.modelId).message } as never;
    });
    expect(await activateStoredModel('trained-1')).toEqual({
      ok: true,
      modelId: 'trained-1',
      scored: 0,
      stored: 1,
      scoringProblem: 'Another model was made active since, and the stored leads are scored with it instead.',
    });
  });

  describe("the scores of models neither active nor the roll back (a dozen activations on 50,000 leads kept 600,000)", () => {
    const scoreOf = (modelId: string) => ({ key: `${modelId}|csv|1`, modelId, leadKey: 'csv|1', probability: 0.1, score: 5, tier: 'cold' as const, topReason: '', scoredAt: 0 });
    const scoredModels = async () => [...new Set((await db.leadScores.toArray()).map((score) => score.modelId))].sort();

    beforeEach(async () => {
      await storeModel({ ...bundled, modelId: 'trained-0' }, new Uint8Array([1]), 'trained');
      await db.leadScores.bulkPut([scoreOf('trained-0'), scoreOf('trained-1'), scoreOf(bundled.modelId)]);
    });

    it('are dropped once an activation has scored every stored lead; the roll back keeps its own', async () => {
      expect(await activateStoredModel('trained-1')).toMatchObject({ ok: true, scored: 1 });
      await vi.waitFor(async () => expect(await scoredModels()).toEqual([bundled.modelId, 'trained-1'].sort()));
      expect((await db.models.toCollection().primaryKeys()).sort()).toEqual(['trained-0', 'trained-1']);
    });

    it('are kept while the activation’s scoring failed: its own are not all there', async () => {
      scoreStoredLeadsOffscreen.mockResolvedValueOnce({ ok: false as const, error: 'The offscreen document is gone' } as never);
      expect(await activateStoredModel('trained-1')).toMatchObject({ ok: true, scoringProblem: expect.any(String) });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await scoredModels()).toEqual([bundled.modelId, 'trained-0', 'trained-1'].sort());
    });
  });

  describe('when the page running the scoring closes mid-way', () => {
    // A run begun as it is asked (after the activation owed it).
    const cutShort = (modelId: string) => ({ modelId, state: 'running' as const, done: 3, total: 7, startedAt: Date.now() });

    it('says in plain words that the model is active and its scoring goes on', async () => {
      // Its run began, as its row says, and the page running it closed.
      scoreStoredLeadsOffscreen.mockImplementationOnce(async () => {
        const run = cutShort('trained-1');
        await writeJob('scoring', run);
        throw new OffscreenJobInterrupted('scoring', run);
      });
      expect(await activateStoredModel('trained-1')).toEqual({
        ok: true,
        modelId: 'trained-1',
        scored: 0,
        stored: 1,
        scoringProblem: 'Scoring the stored leads with it was interrupted, and goes on where it stopped.',
      });
      expect(await activeModelId()).toBe('trained-1');
    });

    it("does not say its scoring goes on when what goes on is a run of the model begun before (an update's resumed run), which does not settle it", async () => {
      scoreStoredLeadsOffscreen.mockImplementationOnce(async () => {
        const run = { ...cutShort('trained-1'), startedAt: 1 };
        await writeJob('scoring', run);
        throw new OffscreenJobInterrupted('scoring', run);
      });
      const { scoringProblem } = (await activateStoredModel('trained-1')) as { scoringProblem: string };
      expect(scoringProblem).toMatch(/^Scoring the stored leads with it was cut short before it began/);
      expect(await owedScoringModel()).toBe('trained-1');
    });

    it('says the stored leads could not be scored when what goes on is another model’s scoring', async () => {
      const interrupted = new OffscreenJobInterrupted('scoring', cutShort(bundled.modelId));
      scoreStoredLeadsOffscreen.mockRejectedValueOnce(interrupted);
      expect(await activateStoredModel('trained-1')).toEqual({
        ok: true,
        modelId: 'trained-1',
        scored: 0,
        stored: 1,
        scoringProblem: `The stored leads could not be scored with it: ${interrupted.message}`,
      });
    });
  });
});

describe('an activation while start-up or the hourly refresh looks for a scoring of every lead owed', () => {
  beforeEach(async () => {
    await db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' }), storedLead({ source: 'csv', id: '2', origin: 'csv' })]);
    // As the offscreen document: it takes the request's lock once it has the message, and runs the job (50 ms).
    scoreStoredLeadsOffscreen.mockImplementation(async (modelId: string) => {
      steps.push(`score ${modelId}`);
      return holdingFullScoringRequest(modelId, async () => ({ ok: true as const, scored: await runJob('scoring', modelId, 2, () => new Promise<number>((resolve) => setTimeout(() => resolve(2), 50))) }));
    });
    // Telling every open CRM tab takes a while: one message per tab.
    sendToCrmTabs.mockImplementation(() => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20)));
  });
  afterEach(() => sendToCrmTabs.mockReset()); // back to its own implementation
  const scoringsAsked = () => steps.filter((step) => step === 'score trained-1').length;

  it('asks once when an Activate click wakes the stopped worker, whose start-up finds the activation’s scoring owed', async () => {
    // The worker's start-up begins, and the click's message is handled in the same turn.
    await Promise.all([startStoredScoring(), activateStoredModel('trained-1')]);
    expect(scoringsAsked()).toBe(1);
    expect(await owedScoringModel()).toBeNull();
  });

  it('asks once when the hourly refresh looks while the activation is under way', async () => {
    const activation = activateStoredModel('trained-1');
    await new Promise((resolve) => setTimeout(resolve, 5)); // its transaction committed, CRM tabs being told
    const [activated, refreshed] = await Promise.all([activation, refreshStaleScores()]);
    expect(activated).toEqual({ ok: true, modelId: 'trained-1', scored: 2, stored: 2 });
    expect(refreshed).toBe(false);
    expect(scoringsAsked()).toBe(1);
  });

  it('keeps start-up waiting no longer than its request: it goes on while the scoring waits for its turn', async () => {
    // The activation's request waits in the document behind another job, and never begins.
    scoreStoredLeadsOffscreen.mockImplementationOnce((modelId) => holdingFullScoringRequest(modelId, () => new Promise(() => undefined)));
    void activateStoredModel('trained-1');
    await startStoredScoring();
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
  });
});

describe('at start-up', () => {
  beforeEach(() => db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' })]));

  it('scores the stored leads with the bundled model an update rebuilt, when the old one was active, after resuming the jobs left running', async () => {
    await db.settings.put({ key: 'activeModelId', value: 'ebm-0123456789abcdef' });
    await startStoredScoring();
    expect(await activeModelId()).toBe(bundled.modelId);
    expect(steps).toEqual(['resume jobs', 'tabs scoresChanged', `score ${bundled.modelId}`]);
  });

  it('resumes the jobs left running even when the bundled model cannot be read to adopt it', async () => {
    vi.spyOn(bundledModel, 'manifest').mockReturnValueOnce({ ok: false, error: 'The bundled manifest is damaged' });
    vi.spyOn(console, 'error').mockImplementationOnce(() => undefined);
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs']);
  });

  it('scores the stored leads with the model activated when the browser closed before its scoring began, queued behind another job', async () => {
    neverBegins();
    void activateStoredModel('trained-1');
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith('trained-1'));
    expect(await readJob('scoring')).toBeNull(); // nothing but the request said it was asked
    // The browser starts again: a new worker, a new document, and none of their locks.
    stubWebLocks();
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', 'score trained-1']);
    // Once a run over every lead with it has ended, none is owed.
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs']);
  });

  it('asks for no second scoring of every lead when only the service worker restarted, the activation’s still waiting its turn in the offscreen document; asks again once the browser closed on it', async () => {
    // The offscreen document holds the request while a sync's scoring or a re-tiering has the turn.
    scoreStoredLeadsOffscreen.mockImplementationOnce((modelId) => holdingFullScoringRequest(modelId, () => new Promise(() => undefined)));
    void activateStoredModel('trained-1');
    await vi.waitFor(async () => expect(await fullScoringRequested('trained-1')).toBe(true));
    // A new worker, the same document: its request will score every lead.
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs']);
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
    // The browser starts again: the document, its locks and the request are gone.
    stubWebLocks();
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', 'score trained-1']);
  });

  it('asks once when start-up and another caller in the same worker both find the scoring owed, before the document has the request', async () => {
    await db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' })]);
    await oweScoringOfEveryLead(bundled.modelId);
    // The document has not taken the request's lock yet: only the worker's own says it is asked.
    neverBegins();
    void startStoredScoring();
    void startStoredScoring();
    void scoreStoredLeadsIfAny(bundled.modelId, { unlessRequested: true });
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1);
    expect(await fullScoringRequested(bundled.modelId)).toBe(true);
  });

  it('leaves the scoring owed to its own run left running (resumed, it goes on), not to a run over one CRM’s leads', async () => {
    neverBegins();
    void activateStoredModel('trained-1');
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledWith('trained-1'));
    // Its run, begun once the activation owed it.
    await writeJob('scoring', { modelId: 'trained-1', state: 'running', done: 0, total: 1, startedAt: Date.now() });
    // The browser starts again on the run left running.
    stubWebLocks();
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs']);
    // A sync's scoring with the model covers only its CRM's leads: the others are still owed theirs.
    await runJob('scoring', 'trained-1', 1, async () => 1, { source: 'salesforce' });
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', 'score trained-1']);
  });

  it('scores with the model activated last when the browser closed on two activations’ scorings', async () => {
    neverBegins();
    void activateStoredModel('trained-1');
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(1));
    neverBegins();
    void rollBackModel();
    await vi.waitFor(() => expect(scoreStoredLeadsOffscreen).toHaveBeenCalledTimes(2));
    // The browser starts again.
    stubWebLocks();
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', `score ${bundled.modelId}`]);
  });

  it('asks again for the scoring a sync owed when the browser closed before its run began, once, and not while its request waits or a run covering it goes on', async () => {
    // The sync's request waits behind another job in the document when the browser closes.
    await oweSourceScoring('salesforce');
    void requestOwedScoringOf('salesforce', bundled.modelId, () => new Promise(() => undefined));
    await vi.waitFor(async () => expect(await owedSourceScorings()).toHaveLength(1));
    // Only the worker restarted... (here: the same worker, its request still waiting for a reply)
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs']);
    // The browser starts again, on a run over every lead begun before the sync owed its scoring: it does not cover the sync's leads.
    stubWebLocks();
    await writeJob('scoring', { modelId: bundled.modelId, state: 'running', done: 0, total: 1, startedAt: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2)); // the run asked now begins after the scoring was owed
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', `score ${bundled.modelId} salesforce`]);
    expect(await owedSourceScorings()).toEqual([]);
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs']);
    // Owed again, while a run over every lead begun since goes on: its end settles it.
    await oweSourceScoring('hubspot');
    await new Promise((resolve) => setTimeout(resolve, 2));
    await writeJob('scoring', { modelId: bundled.modelId, state: 'running', done: 0, total: 1, startedAt: Date.now() });
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs']);
    await runJob('scoring', bundled.modelId, 1, async () => 1);
    expect(await owedSourceScorings()).toEqual([]);
  });

  it('leaves the scoring a sync owes to that sync while it runs (its end asks for it), and asks for it once the sync no longer runs', async () => {
    // A sync stored a page (owing its CRM's scoring) when the browser closed: it resumes at start, and asks as it ends.
    const syncs = dexieSyncStore(db);
    await syncs.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'running' });
    await oweSourceScoring('salesforce');
    await new Promise((resolve) => setTimeout(resolve, 2)); // a run asked now begins after it was owed
    await startStoredScoring();
    await refreshStaleScores();
    expect(steps).toEqual(['resume jobs', 'resume jobs']);
    // It ended without asking (its worker stopped as it ended): the hourly check asks.
    await syncs.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'error' });
    steps.length = 0;
    await refreshStaleScores();
    expect(steps).toEqual(['resume jobs', `score ${bundled.modelId} salesforce`]);
    expect(await owedSourceScorings()).toEqual([]);
  });

  it('asks for the scoring a sync owes once its end, which the full disk kept from being stored, is kept in memory: the stored state, still running, asks nothing of it', async () => {
    const syncs = dexieSyncStore(db);
    await syncs.writeState('salesforce', { ...INITIAL_SYNC_STATE, status: 'running', endedAt: 1 });
    await oweSourceScoring('salesforce');
    await keepEnd('salesforce', { status: 'error', error: 'QuotaExceededError', errorKind: STORAGE_FULL_ERROR_KIND, endedAt: 2 });
    await new Promise((resolve) => setTimeout(resolve, 2)); // a run asked now begins after it was owed
    steps.length = 0;
    await refreshStaleScores();
    await fakeBrowser.storage.session.clear();
    expect(steps).toEqual(['resume jobs', `score ${bundled.modelId} salesforce`]);
    expect(await owedSourceScorings()).toEqual([]);
  });

  it('reads each CRM’s owed scoring again in its turn: one settled while the CRM before was scored is not asked, nor one owed again since (by a sync, which asks itself)', async () => {
    const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
    const scoringSalesforce = (meanwhile: (modelId: string) => Promise<unknown>) =>
      scoreStoredLeadsOffscreen.mockImplementationOnce(async (modelId, source) => {
        steps.push(`score ${modelId} ${source}`);
        await meanwhile(modelId);
        return { ok: true, scored: await runJob('scoring', modelId, 1, async () => 1, { source }) };
      });
    await oweSourceScoring('salesforce');
    await oweSourceScoring('hubspot');
    await pause();
    // A write-back's run over HubSpot's leads, begun after they were owed, ends while Salesforce's are scored.
    scoringSalesforce(async (modelId) => runJob('scoring', modelId, 1, async () => 1, { source: 'hubspot' }));
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', `score ${bundled.modelId} salesforce`]);
    expect(await owedSourceScorings()).toEqual([]);

    await oweSourceScoring('salesforce');
    await oweSourceScoring('hubspot');
    await pause();
    // A HubSpot sync stores a page meanwhile: it asks for that scoring as it ends.
    scoringSalesforce(async () => {
      await pause();
      await oweSourceScoring('hubspot');
    });
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', `score ${bundled.modelId} salesforce`]);
    expect(await owedSourceScorings()).toEqual([{ source: 'hubspot', owedAt: expect.any(Number) }]);
  });

  it('scores the leads of a CSV import committed when its page never asked (closed first): start-up asks for their scoring once, and the hourly check when no start-up came', async () => {
    const commitImport = async (...ids: string[]) => {
      await dexieCsvSink.stage(ids.map((id) => storedLead({ source: 'csv', id, origin: 'csv' })));
      await dexieCsvSink.commit(null);
    };
    await commitImport('1', '2');
    await new Promise((resolve) => setTimeout(resolve, 2)); // a run asked now begins after it was owed
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', `score ${bundled.modelId} csv`]);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', modelId: bundled.modelId, source: 'csv' });
    expect(await owedSourceScorings()).toEqual([]);
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs']);

    // Another import, and the browser stays open: the hourly check asks, with no stale score to see.
    await commitImport('3');
    await new Promise((resolve) => setTimeout(resolve, 2));
    steps.length = 0;
    expect(await refreshStaleScores()).toBe(false);
    expect(steps).toEqual(['resume jobs', `score ${bundled.modelId} csv`]);
    expect(await owedSourceScorings()).toEqual([]);
  });

  it('asks again for the re-tiering a tier policy owed when the browser closed before its run began, once, and not while a scoring of every lead with the active model is owed: that run settles it', async () => {
    const active = await activeModelId();
    // Applied, its re-tiering asked and waiting behind another job when the browser closed.
    const oweRetier = () => db.settings.put({ key: 'job:scoring:owed', value: { sources: {}, retier: { modelId: active, owedAt: Date.now() } } });
    await oweRetier();
    await new Promise((resolve) => setTimeout(resolve, 2)); // the run asked now begins after it was owed
    await startStoredScoring();
    // Record pages' badges told first: their cached scores, under the old tiers, were dropped.
    expect(steps).toEqual(['resume jobs', 'tabs scoresChanged', `retier ${active}`]);
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs']);
    // Owed again, beside the scoring of every lead an activation owes: that run tiers every score as the policy is now.
    await oweRetier();
    await oweScoringOfEveryLead(active);
    await new Promise((resolve) => setTimeout(resolve, 2));
    steps.length = 0;
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', `score ${active}`]);
    expect(await db.settings.get('job:scoring:owed')).toBeUndefined();
  });

  it('only resumes the jobs left running when every model named is installed', async () => {
    await activateStoredModel('trained-1');
    steps.length = 0;
    await startStoredScoring();
    expect(await activeModelId()).toBe('trained-1');
    expect(steps).toEqual(['resume jobs']);
  });
});

describe('an owed scoring of every lead whose request fails before the offscreen document has it', () => {
  /** Whether the offscreen document is open: the faked `getContexts` lists it. */
  let documentOpen = false;
  const createDocument = vi.fn(async () => void (documentOpen = true));
  const sendMessage = vi.fn();

  beforeEach(async () => {
    fakeBrowser.reset();
    documentOpen = false;
    createDocument.mockReset().mockImplementation(async () => void (documentOpen = true));
    sendMessage.mockReset();
    fakeBrowser.runtime.getContexts = vi.fn(async () => (documentOpen ? [{}] : [])) as never;
    fakeBrowser.runtime.sendMessage = sendMessage as never;
    (fakeBrowser as unknown as { offscreen: unknown }).offscreen = { createDocument };
    // The worker's own request, as it reaches (or not) the faked document.
    const engine = await vi.importActual<typeof import('./offscreen-engine')>('./offscreen-engine');
    scoreStoredLeadsOffscreen.mockImplementation(async (modelId: string) => {
      steps.push(`score ${modelId}`);
      return (await engine.scoreStoredLeadsOffscreen(modelId)) as never;
    });
    await db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' }), storedLead({ source: 'csv', id: '2', origin: 'csv' })]);
    await oweScoringOfEveryLead(bundled.modelId);
  });

  const failures = [
    {
      how: 'the document cannot be opened',
      error: 'Offscreen documents are not available',
      fail: () => createDocument.mockRejectedValue(new Error('Offscreen documents are not available')),
    },
    {
      how: 'the open document takes no message (its script failed to load)',
      error: 'Could not establish connection. Receiving end does not exist.',
      fail: () => {
        documentOpen = true;
        sendMessage.mockRejectedValue(new Error('Could not establish connection. Receiving end does not exist.'));
      },
    },
    {
      how: 'the document closes before the run begins',
      error: 'The page running the scoring of the stored leads closed before it answered: try again.',
      fail: () =>
        sendMessage.mockImplementation(async () => {
          documentOpen = false;
          throw new Error('A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received');
        }),
    },
  ];

  it.each(failures)('is recorded as a failed run over every lead, saying why, when $how, and asked no more at each start', async ({ error, fail }) => {
    fail();
    await expect(startStoredScoring()).rejects.toThrow(error);
    const asked = sendMessage.mock.calls.length + createDocument.mock.calls.length;
    // As the side panel and the export show a failed run: over every lead, none scored, and why.
    const failed = await readJob('scoring');
    expect(failed).toMatchObject({ modelId: bundled.modelId, state: 'failed', done: 0, total: 2, error });
    expect(failed && standingFailure(failed)).toMatchObject({ modelId: bundled.modelId, error, finishedAt: expect.any(Number) });
    expect(await owedScoringModel()).toBeNull();
    // The worker starts again: the failure stands, to be tried again hours later (refresh-scores.test.ts), not now.
    steps.length = 0;
    await startStoredScoring();
    await startStoredScoring();
    expect(steps).toEqual(['resume jobs', 'resume jobs']);
    expect(sendMessage.mock.calls.length + createDocument.mock.calls.length).toBe(asked);
  });

  it('is asked again at once when something changes: the admin scores them again, or activates a model', async () => {
    createDocument.mockRejectedValue(new Error('Offscreen documents are not available'));
    await expect(startStoredScoring()).rejects.toThrow('Offscreen documents are not available');
    await expect(scoreStoredLeadsIfAny(bundled.modelId)).rejects.toThrow('Offscreen documents are not available');
    expect(createDocument).toHaveBeenCalledTimes(2);
    // Mended, the activation's scoring reaches the document, which answers with its run.
    createDocument.mockImplementation(async () => void (documentOpen = true));
    sendMessage.mockImplementation(async () => ({ ok: true, scored: await runJob('scoring', 'trained-1', 2, async () => 2) }));
    expect(await activateStoredModel('trained-1')).toEqual({ ok: true, modelId: 'trained-1', scored: 2, stored: 2 });
    expect(await readJob('scoring')).toMatchObject({ modelId: 'trained-1', state: 'done', done: 2, total: 2 });
  });

  it('says an activation’s scoring is asked again by the hourly check, still owed, when the document closed on its request waiting behind a sync’s run of the model over one CRM’s leads', async () => {
    documentOpen = true;
    const syncsRun = { modelId: 'trained-1', state: 'running' as const, done: 0, total: 1, startedAt: 1, source: 'salesforce' as const };
    await writeJob('scoring', syncsRun);
    sendMessage.mockImplementationOnce(async () => {
      documentOpen = false;
      throw new Error('A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received');
    });
    expect(await activateStoredModel('trained-1')).toEqual({
      ok: true,
      modelId: 'trained-1',
      scored: 0,
      stored: 2,
      scoringProblem:
        'Scoring the stored leads with it was cut short before it began (the page running it closed): the hourly check asks for it again once no other scoring of the stored leads runs.',
    });
    expect(await owedScoringModel()).toBe('trained-1');
    expect(createDocument).toHaveBeenCalledTimes(1); // opened again: the sync's run goes on
    // So the hourly check does: not while that run goes on, then once it ended.
    expect(await refreshStaleScores()).toBe(false);
    await writeJob('scoring', { ...syncsRun, state: 'done', done: 1, finishedAt: 2 });
    sendMessage.mockImplementationOnce(async () => ({ ok: true, scored: await runJob('scoring', 'trained-1', 2, async () => 2) }));
    expect(await refreshStaleScores()).toBe(true);
    expect(await owedScoringModel()).toBeNull();
  });

  it('leaves what the document recorded when the run began there: its failure (the model unreadable) and a run cut short', async () => {
    const UNREADABLE = 'The manifest of the active model cannot be read';
    // The document records the run failed before its first lead (settling the debt), and answers so.
    documentOpen = true;
    sendMessage.mockImplementationOnce(async ({ payload }: { payload: { modelId: string } }) => {
      await preparingRun('scoring', payload.modelId, () => Promise.reject(new Error(UNREADABLE)), { countItems: async () => 2 }).catch(() => undefined);
      return { ok: false, error: UNREADABLE };
    });
    await expect(startStoredScoring()).rejects.toThrow(UNREADABLE);
    const recorded = await readJob('scoring');
    expect(recorded).toMatchObject({ state: 'failed', done: 0, total: 2, error: UNREADABLE });
    expect(await owedScoringModel()).toBeNull();
    // Its run cut short by the document closing: left running, to go on, and still owed until it ends.
    await oweScoringOfEveryLead(bundled.modelId);
    sendMessage.mockImplementationOnce(async () => {
      await writeJob('scoring', { modelId: bundled.modelId, state: 'running', done: 1, total: 2, startedAt: 1, resumeAfter: 'csv|1' });
      documentOpen = false;
      throw new Error('A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received');
    });
    await expect(scoreStoredLeadsIfAny(bundled.modelId)).rejects.toThrow('goes on where it stopped');
    expect(await readJob('scoring')).toMatchObject({ state: 'running', done: 1, total: 2 });
    expect(await owedScoringModel()).toBe(bundled.modelId);
  });
});
