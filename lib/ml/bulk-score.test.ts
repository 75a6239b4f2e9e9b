import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db, type StoredLead } from '../db/db';
import { demoStoredLeads, replaceDemoLeads } from '../crm/demo-leads';
import { strongestReasons, topReasonFor } from '../presentation';
import { resumeUnfinishedScoringJob, runScoringJob, scoreAllStoredLeads } from './bulk-score';
import { readJob } from '../jobs/progress';
import type { EngineOutput } from './engine';
import { featurizeRecord } from './featurize';
import { parseManifest, type Manifest } from './manifest';
import { scoreAndTier } from './score';

let session: ort.InferenceSession;
let manifest: Manifest;
const now = new Date('2026-11-20T00:00:00Z');

beforeAll(async () => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  manifest = parsed.manifest;
  session = await ort.InferenceSession.create('models/model.onnx', { intraOpNumThreads: 1 });
});
afterAll(() => session.release());
beforeEach(() => Promise.all([db.leads.clear(), db.leadScores.clear(), db.settings.clear()]));

async function runModel(rows: Float32Array, featureCount: number): Promise<EngineOutput> {
  const n = rows.length / featureCount;
  const out = await session.run({ features: new ort.Tensor('float32', rows, [n, featureCount]) });
  const contributions = out.contributions.data as Float32Array;
  return { probability: out.probability.data as Float32Array, contributions, terms: contributions.length / n };
}

const scoredLeadKeys = async () => (await db.leadScores.toArray()).map((score) => score.leadKey).sort();
const keysOf = (leads: StoredLead[], source: StoredLead['source']) => leads.filter((lead) => lead.source === source).map((lead) => lead.key).sort();

it('scores every stored lead of both CRMs in batches, reporting progress, as one-lead scoring does', async () => {
  const leads = demoStoredLeads(now, 25);
  await replaceDemoLeads(leads);
  const reports: number[] = [];
  const scored = await scoreAllStoredLeads({ manifest, runModel, now, report: async (done) => void reports.push(done) }, 10);
  expect(scored).toBe(25);
  expect(reports).toEqual([10, 20, 25]);
  expect(await db.leadScores.count()).toBe(25);
  // Lead 0 is a Salesforce lead, lead 1 a HubSpot contact: each featurized with its own field names.
  for (const lead of leads.slice(0, 2)) {
    const single = await runModel(featurizeRecord(lead.fields, manifest.features, lead.source, now), manifest.features.length);
    const stored = await db.leadScores.get(`${manifest.modelId}|${lead.key}`);
    expect(stored?.probability).toBe(single.probability[0]);
    expect(stored).toMatchObject({ modelId: manifest.modelId, leadKey: lead.key, ...scoreAndTier(single.probability[0], manifest) });
    expect(stored?.topReason).toMatch(/^.+: .+$/);
  }
  expect(leads.map((lead) => lead.source).slice(0, 4)).toEqual(['salesforce', 'hubspot', 'salesforce', 'hubspot']);
});

describe('scoring one source’s stored leads (a write-back’s)', () => {
  it('scores only that source’s leads, not the other CRM’s', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    await db.leads.put({ ...leads[0], key: 'csv|x', id: 'x', source: 'csv', origin: 'csv' });
    const reports: number[] = [];
    const scored = await scoreAllStoredLeads({ manifest, runModel, now, report: async (done) => void reports.push(done) }, 5, { source: 'salesforce' });
    expect(scored).toBe(13);
    expect(reports).toEqual([5, 10, 13]);
    expect(await scoredLeadKeys()).toEqual(keysOf(leads, 'salesforce'));
  });

  it('runs as the scoring job with that source’s total, and records the source', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    expect(await runScoringJob({ manifest, runModel, now }, { source: 'hubspot', batchSize: 5 })).toBe(12);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 12, total: 12, source: 'hubspot' });
    expect(await scoredLeadKeys()).toEqual(keysOf(leads, 'hubspot'));
    // A run over every lead afterwards records no source.
    expect(await runScoringJob({ manifest, runModel, now }, { batchSize: 10 })).toBe(25);
    expect((await readJob('scoring'))?.source).toBeUndefined();
  });
});

it('replaces earlier demo leads and their scores, keeping other leads', async () => {
  await db.leads.put({ ...demoStoredLeads(now, 1)[0], key: 'csv|x', source: 'csv', origin: 'csv' });
  await replaceDemoLeads(demoStoredLeads(now, 5));
  await scoreAllStoredLeads({ manifest, runModel, now, report: async () => undefined });
  await replaceDemoLeads(demoStoredLeads(now, 3));
  expect(await db.leads.count()).toBe(4);
  expect(await db.leadScores.where('leadKey').equals('csv|x').count()).toBe(1);
  expect(await db.leadScores.count()).toBe(1);
});

it('gives a cold lead its strongest reason down and a hot lead its strongest reason up', () => {
  const reasons = [
    { label: 'Title seniority', value: 'VP', points: 0.8 },
    { label: 'Industry', value: 'Retail', points: -1.2 },
  ];
  expect(topReasonFor('hot', strongestReasons(reasons))).toBe('Title seniority: VP');
  expect(topReasonFor('cold', strongestReasons(reasons))).toBe('Industry: Retail');
  expect(topReasonFor('warm', strongestReasons([]))).toBe('');
});

describe('a scoring job whose offscreen document closed mid-way', () => {
  /** Scores batches until `batchesBeforeDying`, then hangs as a closed document does: no failure is recorded. */
  function dyingAfter(batchesBeforeDying: number) {
    let batches = 0;
    return (rows: Float32Array, featureCount: number) => (++batches > batchesBeforeDying ? new Promise<EngineOutput>(() => undefined) : runModel(rows, featureCount));
  }
  const until = async (condition: () => Promise<boolean>) => {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('continues after the last batch it scored instead of starting over', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    void runScoringJob({ manifest, runModel: dyingAfter(1), now }, { batchSize: 10 });
    await until(async () => (await readJob('scoring'))?.done === 10);
    const lastScored = [...leads].map((lead) => lead.key).sort()[9];
    expect(await readJob('scoring')).toMatchObject({ state: 'running', done: 10, total: 25, resumeAfter: lastScored });

    const rowsScored: number[] = [];
    const counting = (rows: Float32Array, featureCount: number) => {
      rowsScored.push(rows.length / featureCount);
      return runModel(rows, featureCount);
    };
    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel: counting, now }), 10)).toBe(25);
    expect(rowsScored).toEqual([10, 5]);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 25, total: 25 });
    expect(await db.leadScores.count()).toBe(25);
    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel: counting, now }), 10)).toBeNull();
  });

  it('starts over when it died before its first batch', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 12));
    void runScoringJob({ manifest, runModel: dyingAfter(0), now }, { batchSize: 10 });
    await until(async () => (await readJob('scoring'))?.state === 'running');
    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel, now }), 10)).toBe(12);
    expect(await db.leadScores.count()).toBe(12);
  });

  it('continues a one-source run over that source only, not over every lead', async () => {
    const leads = demoStoredLeads(now, 25);
    await replaceDemoLeads(leads);
    // HubSpot's keys sort before Salesforce's: a resume over every key after its cursor would score Salesforce's too.
    void runScoringJob({ manifest, runModel: dyingAfter(1), now }, { source: 'hubspot', batchSize: 5 });
    await until(async () => (await readJob('scoring'))?.done === 5);
    expect(await readJob('scoring')).toMatchObject({ state: 'running', done: 5, total: 12, source: 'hubspot' });

    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel, now }), 5)).toBe(12);
    expect(await readJob('scoring')).toMatchObject({ state: 'done', done: 12, total: 12, source: 'hubspot' });
    expect(await scoredLeadKeys()).toEqual(keysOf(leads, 'hubspot'));
  });

  it('starts a one-source run over when it died before its first batch, still over that source only', async () => {
    await replaceDemoLeads(demoStoredLeads(now, 12));
    void runScoringJob({ manifest, runModel: dyingAfter(0), now }, { source: 'hubspot', batchSize: 5 });
    await until(async () => (await readJob('scoring'))?.state === 'running');
    expect(await resumeUnfinishedScoringJob(async () => ({ manifest, runModel, now }), 5)).toBe(6);
    expect(await db.leadScores.count()).toBe(6);
  });
});
