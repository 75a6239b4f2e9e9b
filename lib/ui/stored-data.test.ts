/**
 * The pages' reads of stored leads: the scored leads' display columns and the known outcomes,
 * read from the lead summaries, never from the whole leads (their fields can be hundreds of MB).
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db, type LeadScore, type StoredLead } from '../db/db';
import { driftLevel, populationStability, trainingDeciles } from '../ml/score-drift';
import { segmentFigures } from '../segments';
import { SAME_PROBABILITY_TOLERANCE } from '../ml/score';
import { capacityCuts, CUT_MARGIN, thresholdsOfCuts } from '../ml/train/thresholds';
import {
  crmLearntFrom,
  fileLeadsAsOf,
  labelledProbabilities,
  leadAgesCountedFrom,
  loadScoredLeads,
  PAGE_CHUNK,
  probabilitiesOf,
  scoresPerProbabilityBin,
  unscorableLeadCounts,
} from './stored-data';

const lead = (key: string, name: string, outcome: StoredLead['outcome']): StoredLead => {
  const [source, id] = key.split('|') as [StoredLead['source'], string];
  return { key, source, id, origin: 'sync', name, owner: 'Grace', leadSource: 'Web', createdAt: 10, modifiedAt: 20, outcome, fields: { title: 'CTO' } };
};
const score = (modelId: string, leadKey: string, probability: number): LeadScore => ({
  key: `${modelId}|${leadKey}`, modelId, leadKey, probability, score: Math.round(probability * 100), tier: probability > 0.5 ? 'hot' : 'cold', topReason: 'Title: CTO', scoredAt: 1,
});

beforeEach(async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
  await db.putLeads([lead('hubspot|1', 'Ada', 1), lead('salesforce|00QA', 'Alan', null), lead('salesforce|00QB', 'Barbara', 0)]);
  // Model m scored two of the three leads; model n another one.
  await db.leadScores.bulkPut([score('m', 'hubspot|1', 0.9), score('m', 'salesforce|00QA', 0.2), score('n', 'salesforce|00QB', 0.4)]);
});

const scoredByM = [
  { leadKey: 'hubspot|1', source: 'hubspot', recordId: '1', name: 'Ada', owner: 'Grace', leadSource: 'Web', createdAt: 10, outcome: 1, probability: 0.9, score: 90, tier: 'hot', topReason: 'Title: CTO' },
  { leadKey: 'salesforce|00QA', source: 'salesforce', recordId: '00QA', name: 'Alan', owner: 'Grace', leadSource: 'Web', createdAt: 10, outcome: null, probability: 0.2, score: 20, tier: 'cold', topReason: 'Title: CTO' },
];

it('loads the leads a model scored, with their display columns, from the lead summaries alone', async () => {
  expect((await loadScoredLeads('m')).rows).toEqual(scoredByM);
  // Without the whole leads, the same rows: the page never reads them.
  await db.leads.clear();
  expect((await loadScoredLeads('m')).rows).toEqual(scoredByM);
});

it('says which way each top reason moves the score, when the score kept its reasons up and down', async () => {
  await db.leadScores.bulkPut([
    { ...score('m', 'hubspot|1', 0.9), topReason: 'Title: CTO', reasonUp: 'Title: CTO', reasonDown: 'Industry: Retail' },
    { ...score('m', 'salesforce|00QA', 0.2), topReason: 'Industry: Retail', reasonUp: 'Title: CTO', reasonDown: 'Industry: Retail' },
  ]);
  await db.leadScores.put(score('m', 'salesforce|00QB', 0.5)); // stored without them
  const { rows } = await loadScoredLeads('m');
  expect(rows.map((row) => [row.name, row.topReasonRaises])).toEqual([['Ada', true], ['Barbara', undefined], ['Alan', false]]);
});

it('loads them the most likely first, whatever order they are stored in', async () => {
  // Barbara is stored last (by key) but is the likeliest.
  await db.leadScores.put(score('m', 'salesforce|00QB', 0.95));
  expect((await loadScoredLeads('m')).rows.map((row) => row.name)).toEqual(['Barbara', 'Ada', 'Alan']);
});

it('loads every scored lead over many chunks, and only those, joined with their own summaries, with the owners and sources they have', async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
  const keys = Array.from({ length: 2 * PAGE_CHUNK + 500 }, (_, i) => `salesforce|${String(i).padStart(5, '0')}`);
  await db.putLeads(keys.map((key, i) => ({ ...lead(key, `Lead ${i}`, null), owner: `Owner ${i % 7}` })));
  // Every 7th lead unscored (and its owner not offered); a score whose lead is gone (deleted since) is left out.
  const scored = keys.filter((_, i) => i % 7 !== 0);
  const probabilityOf = (i: number) => ((i * 37) % 101) / 101;
  await db.leadScores.bulkPut([...scored.map((key) => score('m', key, probabilityOf(Number(key.split('|')[1])))), score('m', 'salesforce|gone', 0.99)]);
  const { rows, choices } = await loadScoredLeads('m');
  expect(rows.map((row) => row.leadKey).sort()).toEqual(scored);
  expect(rows.every((row) => row.name === `Lead ${Number(row.recordId)}` && row.probability === probabilityOf(Number(row.recordId)))).toBe(true);
  const expectedOrder = [...scored].sort((a, b) => probabilityOf(Number(b.split('|')[1])) - probabilityOf(Number(a.split('|')[1])));
  expect(rows.map((row) => row.leadKey)).toEqual(expectedOrder);
  expect(choices).toEqual({ owner: ['Owner 1', 'Owner 2', 'Owner 3', 'Owner 4', 'Owner 5', 'Owner 6'], leadSource: ['Web'] });
});

it('reads the known outcomes of a model’s scored leads from the lead summaries alone', async () => {
  await db.leads.clear();
  const { labels, probabilities } = await labelledProbabilities('m');
  expect([...labels]).toEqual([1]);
  expect([...probabilities]).toEqual([0.9]);
});

it("gives every scored lead's probability to rank, outcome known or not, held-out for those the model was trained on", async () => {
  await db.putLeads([lead('hubspot|won', 'won', 1), lead('hubspot|open', 'open', null), lead('hubspot|trained', 'trained', 0)]);
  await db.leadScores.bulkPut([score('k', 'hubspot|won', 0.8), score('k', 'hubspot|open', 0.3), score('k', 'hubspot|trained', 0.99)]);
  await db.heldOutScores.put({ modelId: 'k', leadKeys: ['hubspot|trained'], probabilities: Float64Array.from([0.2]) });
  const { ranked, probabilities } = await labelledProbabilities('k');
  expect([...ranked].sort()).toEqual([0.2, 0.3, 0.8]);
  expect([...probabilities].sort()).toEqual([0.2, 0.8]);
});

it('ranks no lead deleted since the model was trained, and its held-out probability again once it is restored', async () => {
  const trained = lead('hubspot|trained', 'trained', 0);
  await db.putLeads([lead('hubspot|open', 'open', null), trained]);
  await db.leadScores.bulkPut([score('k', 'hubspot|open', 0.3), score('k', 'hubspot|trained', 0.99)]);
  await db.heldOutScores.put({ modelId: 'k', leadKeys: ['hubspot|trained', 'hubspot|deleted'], probabilities: Float64Array.from([0.2, 0.7]) });
  // hubspot|deleted: the CRM deleted it after training; a capacity policy sorts the leads there are.
  expect([...(await labelledProbabilities('k')).ranked].sort()).toEqual([0.2, 0.3]);

  // hubspot|trained deleted, then restored in the CRM and synced again: ranked by its held-out probability, not its flattering stored score.
  await db.deleteLeads(['hubspot|trained']);
  expect([...(await labelledProbabilities('k')).ranked]).toEqual([0.3]);
  await db.putLeads([trained]);
  await db.leadScores.put(score('k', 'hubspot|trained', 0.99));
  expect([...(await labelledProbabilities('k')).ranked].sort()).toEqual([0.2, 0.3]);
});

it('labels the leads by the model’s outcome rule when it has one, leaving out those open by it', async () => {
  const atStage = (key: string, outcome: StoredLead['outcome'], lifecyclestage: string): StoredLead => ({ ...lead(key, key, outcome), fields: { lifecyclestage } });
  // Stored at sync as "reached opportunity"; model r was trained on "reached customer".
  await db.putLeads([atStage('hubspot|cust', 1, 'customer'), atStage('hubspot|lead', null, 'lead'), atStage('hubspot|open', 0, ''), atStage('hubspot|opp', 1, 'opportunity')]);
  await db.leadScores.bulkPut([score('r', 'hubspot|cust', 0.8), score('r', 'hubspot|lead', 0.1), score('r', 'hubspot|open', 0.3), score('r', 'hubspot|opp', 0.6)]);
  // A Salesforce lead scored by the same model, whose field of that name means something else: left out.
  await db.putLeads([{ ...atStage('salesforce|00QC', 1, 'customer'), source: 'salesforce' }]);
  await db.leadScores.put(score('r', 'salesforce|00QC', 0.7));
  const byRule = await labelledProbabilities('r', { field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'], source: 'hubspot' });
  // The opportunity is not a conversion by the rule; the lead with no stage is open, whatever was stored.
  expect([...byRule.labels]).toEqual([1, 0, 0]);
  expect([...byRule.probabilities]).toEqual([0.8, 0.1, 0.6]);
  const byStoredOutcome = await labelledProbabilities('r');
  expect([...byStoredOutcome.labels]).toEqual([1, 0, 1, 1]);
  expect([...byStoredOutcome.probabilities]).toEqual([0.8, 0.3, 0.6, 0.7]);
});

it('leaves out leads it did not learn from created in the last 30 days, with or without an outcome rule: not converted yet, they may still', async () => {
  const DAY = 86_400_000;
  const now = 400 * DAY;
  const createdDaysAgo = (key: string, days: number, outcome: StoredLead['outcome']): StoredLead => ({ ...lead(key, key, outcome), createdAt: now - days * DAY, fields: { IsConverted: outcome === 1 } });
  await db.putLeads([createdDaysAgo('salesforce|old-won', 90, 1), createdDaysAgo('salesforce|old-lost', 45, 0), createdDaysAgo('salesforce|young', 5, 0), createdDaysAgo('salesforce|trained', 3, 1)]);
  await db.leadScores.bulkPut(['old-won', 'old-lost', 'young', 'trained'].map((id, i) => score('w', `salesforce|${id}`, 0.9 - i / 10)));
  // A lead it was trained on counts whatever its age: its window let it in.
  await db.heldOutScores.put({ modelId: 'w', leadKeys: ['salesforce|trained'], probabilities: Float64Array.of(0.55) });
  const rule = { field: 'IsConverted', positiveValues: ['true'], source: 'salesforce' as const };
  for (const labelled of [await labelledProbabilities('w', rule, now), await labelledProbabilities('w', undefined, now)]) {
    // The held-out one first, then the others in key order: old-lost, old-won.
    expect([...labelled.labels]).toEqual([1, 0, 1]);
    expect([...labelled.probabilities]).toEqual([0.55, 0.8, 0.9]);
    expect(labelled.heldOut).toBe(1);
  }
});

it('counts outcomes from the minimum age the model was trained with: 90 days leave out a lead of 45 not converted yet; a rule stored without one, 30', async () => {
  const DAY = 86_400_000;
  const now = 400 * DAY;
  const createdDaysAgo = (key: string, days: number, converted: boolean): StoredLead => ({ ...lead(key, key, converted ? 1 : 0), createdAt: now - days * DAY, fields: { IsConverted: converted } });
  await db.putLeads([createdDaysAgo('salesforce|old-won', 120, true), createdDaysAgo('salesforce|young-lost', 45, false), createdDaysAgo('salesforce|new', 5, false)]);
  await db.leadScores.bulkPut(['old-won', 'young-lost', 'new'].map((id, i) => score('s', `salesforce|${id}`, 0.9 - i / 10)));
  const rule = { field: 'IsConverted', positiveValues: ['true'], source: 'salesforce' as const };
  // In key order: new, old-won, young-lost.
  const ninetyDays = await labelledProbabilities('s', { ...rule, settledAfterDays: 90 }, now);
  expect([...ninetyDays.labels]).toEqual([1]);
  expect([...ninetyDays.probabilities]).toEqual([0.9]);
  const beforeTheField = await labelledProbabilities('s', rule, now);
  expect([...beforeTheField.labels]).toEqual([1, 0]);
  expect([...beforeTheField.probabilities]).toEqual([0.9, 0.8]);
  // No minimum age: every lead's outcome counts, however new.
  expect([...(await labelledProbabilities('s', { ...rule, settledAfterDays: 0 }, now)).labels]).toEqual([0, 1, 0]);
});

describe('an imported file’s leads, counted from the file’s latest created date as the trainer counts its window', () => {
  const DAY = 86_400_000;
  const exported = Date.UTC(2025, 5, 30);
  // Five months after the export.
  const now = exported + 150 * DAY;
  const row = (id: string, createdAt: number, converted: boolean, origin: StoredLead['origin'] = 'csv'): StoredLead => ({
    ...lead(`csv|${id}`, id, converted ? 1 : 0),
    origin,
    createdAt,
    fields: { Converted: converted ? 'yes' : 'no' },
  });

  beforeEach(async () => {
    await Promise.all(db.tables.map((table) => table.clear()));
  });

  it('reads the file’s latest created date from its summaries over many chunks, passing over one that cannot be its export’s, and its demo rows', async () => {
    // The latest row is in the last chunk; a row with no created date, and one dated a year after today (a typo).
    const rows = Array.from({ length: 2 * PAGE_CHUNK + 10 }, (_, i) => row(`row-${String(i).padStart(5, '0')}`, exported - (2 * PAGE_CHUNK + 9 - i) * 3_600_000, false));
    await db.putLeads([...rows, row('undated', 0, false), row('typo', now + 365 * DAY, false)]);
    expect(await leadAgesCountedFrom('csv', now)).toBe(exported);
    // Demo rows are not the file's, once it has rows of its own.
    await db.putLeads([row('zz-demo', exported + 10 * DAY, false, 'demo')]);
    expect(await leadAgesCountedFrom('csv', now)).toBe(exported);
    // A CRM's leads are as of now; a file with no dated row, too.
    expect(await leadAgesCountedFrom('salesforce', now)).toBe(now);
    await db.leads.clear();
    await db.leadSummaries.clear();
    await db.putLeads([row('undated', 0, false)]);
    expect(await leadAgesCountedFrom('csv', now)).toBe(now);
  });

  it('gives the file’s latest created date to say the figures count to it, none when its leads count to today as a CRM’s do', async () => {
    await db.putLeads([row('old', exported - 90 * DAY, true), row('latest', exported, false), lead('salesforce|00QA', 'Alan', 0)]);
    expect(await fileLeadsAsOf(now)).toBe(exported);
    // Dated within the day after now (a time zone ahead): the file is as of now.
    await db.putLeads([row('ahead', now + 10 * 3_600_000, false)]);
    expect(await fileLeadsAsOf(now)).toBeNull();
    // No dated file lead, or none at all.
    await db.deleteLeads(['csv|old', 'csv|latest', 'csv|ahead']);
    expect(await fileLeadsAsOf(now)).toBeNull();
    await db.putLeads([row('undated', 0, false)]);
    expect(await fileLeadsAsOf(now)).toBeNull();
  });

  it('leaves out a row created days before the export, not converted then, months later; a synced lead’s age still counts from today', async () => {
    await db.putLeads([
      row('old-won', exported - 90 * DAY, true),
      row('old-lost', exported - 60 * DAY, false),
      // Too young at the export to have converted: the training left it out, and so do the figures.
      row('young-lost', exported - 5 * DAY, false),
      row('latest', exported, false),
      { ...lead('salesforce|recent', 'recent', 0), createdAt: now - 10 * DAY },
      { ...lead('salesforce|settled', 'settled', 1), createdAt: now - 45 * DAY },
    ]);
    await db.leadScores.bulkPut(['csv|latest', 'csv|old-lost', 'csv|old-won', 'csv|young-lost', 'salesforce|recent', 'salesforce|settled'].map((key, i) => score('f', key, (i + 1) / 10)));
    const rule = { field: 'Converted', positiveValues: ['yes'], source: 'csv' as const, settledAfterDays: 30 };
    // In key order: old-lost (0.2), old-won (0.3).
    const byRule = await labelledProbabilities('f', rule, now);
    expect([...byRule.labels]).toEqual([0, 1]);
    expect([...byRule.probabilities]).toEqual([0.2, 0.3]);
    // Without a rule, by the stored outcomes of every source: the synced lead of 45 days counts, the one of 10 does not.
    const byStoredOutcome = await labelledProbabilities('f', undefined, now);
    expect([...byStoredOutcome.labels]).toEqual([0, 1, 1]);
    expect([...byStoredOutcome.probabilities]).toEqual([0.2, 0.3, 0.6]);
  });

  it('counts a row the model learnt from by its held-out probability, however young it was at the export', async () => {
    await db.putLeads([row('old-won', exported - 90 * DAY, true), row('young-won', exported - 5 * DAY, true)]);
    await db.leadScores.bulkPut([score('f', 'csv|old-won', 0.8), score('f', 'csv|young-won', 0.7)]);
    await db.heldOutScores.put({ modelId: 'f', leadKeys: ['csv|young-won'], probabilities: Float64Array.of(0.4) });
    const labelled = await labelledProbabilities('f', { field: 'Converted', positiveValues: ['yes'], source: 'csv', settledAfterDays: 30 }, now);
    expect([...labelled.labels]).toEqual([1, 1]);
    expect([...labelled.probabilities]).toEqual([0.4, 0.8]);
    expect(labelled.heldOut).toBe(1);
  });
});

it('counts a model’s stored scores per probability bin, lower cut included, upper excluded', async () => {
  await db.leadScores.bulkPut([score('m', 'csv|a', 0.5), score('m', 'csv|b', 1), score('m', 'csv|c', 0)]);
  // m: 0, 0.2, 0.5, 0.9, 1; n's 0.4 is not counted.
  expect(await scoresPerProbabilityBin('m', [0.2, 0.5])).toEqual({ counts: [1, 1, 3], trainedOn: 0 });
  expect(await scoresPerProbabilityBin('m', [])).toEqual({ counts: [5], trainedOn: 0 });
  expect(await scoresPerProbabilityBin('none', [0.5])).toEqual({ counts: [0, 0], trainedOn: 0 });
});

it('counts the stored scores of a model that tells no lead apart in its training leads’ bin, where the engine rounds a few float32 steps under them: stable, not a major shift', async () => {
  // The reviewer's model: every training lead at the trainer's float32 probability, every stored lead at ONNX Runtime's, 2^-25 under it.
  const { cuts, expected } = trainingDeciles(Array<number>(99).fill(0.16003257036209106));
  await db.leadScores.bulkPut(['csv|a', 'csv|b', 'csv|c'].map((leadKey) => score('flat', leadKey, 0.16003254055976868)));
  const { counts } = await scoresPerProbabilityBin('flat', cuts);
  expect(counts).toEqual([0, 3]);
  expect(driftLevel(populationStability(expected, counts))).toBe('stable');
  // A lead it was trained on is taken off the bin it was counted in.
  await db.heldOutScores.put({ modelId: 'flat', leadKeys: ['csv|a'], probabilities: Float64Array.from([0.16]) });
  expect(await scoresPerProbabilityBin('flat', cuts)).toEqual({ counts: [0, 2], trainedOn: 1 });
});

describe('a model trained on a source with leads of its own', () => {
  const rule = { field: 'IsConverted', positiveValues: ['true'], source: 'salesforce' as const };
  /** The manifest of t, as the drift check reads it: trained here on Salesforce leads by `rule`. */
  const trainedOnSalesforce = { outcomeRule: rule, provenance: { source: 'Salesforce leads' } };
  const salesforce = (id: string, origin: StoredLead['origin'], converted: boolean): StoredLead => ({ ...lead(`salesforce|${id}`, id, null), origin, fields: { IsConverted: converted } });

  beforeEach(async () => {
    await db.putLeads([salesforce('real1', 'sync', true), salesforce('real2', 'sync', false), salesforce('demo1', 'demo', true), salesforce('demo2', 'demo', false)]);
    await db.leadScores.bulkPut([score('t', 'salesforce|real1', 0.7), score('t', 'salesforce|real2', 0.2), score('t', 'salesforce|demo1', 0.9), score('t', 'salesforce|demo2', 0.05)]);
  });

  it('leaves its demo leads out of the labelled scores that tier policies are previewed on', async () => {
    const { labels, probabilities } = await labelledProbabilities('t', rule);
    expect([...labels]).toEqual([1, 0]);
    expect([...probabilities]).toEqual([0.7, 0.2]);
  });

  it('leaves the demo leads of either CRM out of the leads a capacity policy ranks, held out or not, as the drift check leaves them out', async () => {
    // Demo mode's HubSpot contacts, scored by t too; 00QA, a real lead still open.
    await db.putLeads([{ ...lead('hubspot|demo3', 'demo3', 1), origin: 'demo' }]);
    await db.leadScores.bulkPut([score('t', 'hubspot|demo3', 0.3), score('t', 'salesforce|00QA', 0.4)]);
    // Trained on real1 and on demo1 (while the demo leads were all the source had).
    await db.heldOutScores.put({ modelId: 't', leadKeys: ['salesforce|real1', 'salesforce|demo1'], probabilities: Float64Array.from([0.6, 0.8]) });
    // real1 by its held-out probability, then 00QA and real2: no demo lead, so their cuts and each tier's contacts are the real leads'.
    expect([...(await labelledProbabilities('t', rule)).ranked]).toEqual([0.6, 0.4, 0.2]);
    // Without a rule (the bundled model, an import) too, once there are leads of your own: its default capacity policy would rank the demo's otherwise.
    expect([...(await labelledProbabilities('t')).ranked]).toEqual([0.6, 0.4, 0.2]);
  });

  it("gives the stored scores of the ranked leads it learnt from beside their held-out probabilities, as the side panel tiers them", async () => {
    // Trained on real1 (stored 0.7, held out 0.6), on demo1 (made up: not ranked) and on real3 (stored, not scored yet).
    await db.putLeads([salesforce('real3', 'sync', false)]);
    await db.heldOutScores.put({ modelId: 't', leadKeys: ['salesforce|real1', 'salesforce|demo1', 'salesforce|real3'], probabilities: Float64Array.from([0.6, 0.8, 0.1]) });
    const { ranked, learntFromScores } = await labelledProbabilities('t', rule);
    // The ranked leads learnt from come first: real1 and real3 held out, then real2 by its stored score.
    expect([...ranked]).toEqual([0.6, 0.1, 0.2]);
    expect([...learntFromScores]).toEqual([0.7, Number.NaN]);
  });

  it('leaves its demo leads out of the scores the drift check counts', async () => {
    // salesforce|00QA (0.2) was scored by t too: not a demo lead, it counts.
    await db.leadScores.put(score('t', 'salesforce|00QA', 0.2));
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5], trainedOnSalesforce)).toEqual({ counts: [0, 2, 1], trainedOn: 0, crm: 'salesforce' });
    // Without a rule (the bundled model, an import) too, once there are leads of your own.
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5])).toEqual({ counts: [0, 2, 1], trainedOn: 0 });
  });

  it('leaves the other CRM’s demo leads out of the drift check too, as it does for a model trained on a CSV file', async () => {
    // Demo mode stores made-up contacts under HubSpot as well, which t (trained on Salesforce) scored too.
    await db.putLeads([{ ...lead('hubspot|demo3', 'demo3', 1), origin: 'demo' }]);
    await db.leadScores.put(score('t', 'hubspot|demo3', 0.3));
    // Only real1 (0.7) and real2 (0.2) count.
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5], trainedOnSalesforce)).toEqual({ counts: [0, 1, 1], trainedOn: 0, crm: 'salesforce' });
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5], { outcomeRule: { ...rule, source: 'csv' }, provenance: { source: 'imported CSV leads' } })).toEqual({
      counts: [0, 1, 1],
      trainedOn: 0,
    });
  });

  it("leaves Demo mode's made-up outcomes out of the default model's labelled scores, once there are leads of your own", async () => {
    // The default model d (no rule) scored a real converted lead (hubspot|1 of the outer set-up), a real lost one, and two demo leads that converted.
    await db.putLeads([{ ...lead('salesforce|demoWon1', 'x', 1), origin: 'demo' }, { ...lead('salesforce|demoWon2', 'y', 1), origin: 'demo' }]);
    await db.leadScores.bulkPut([score('d', 'hubspot|1', 0.9), score('d', 'salesforce|00QB', 0.2), score('d', 'salesforce|demoWon1', 0.8), score('d', 'salesforce|demoWon2', 0.7)]);
    const { labels, probabilities, ranked } = await labelledProbabilities('d');
    expect([...labels].sort()).toEqual([0, 1]);
    expect([...probabilities].sort()).toEqual([0.2, 0.9]);
    expect([...ranked].sort()).toEqual([0.2, 0.9]);
  });

  it("marks Demo mode's scored leads made up once there are leads of your own, and the default model's panel rates leave their outcomes out as Options does", async () => {
    // As the options page: d scored a real converted lead, a real lost one, and two demo leads that converted.
    await db.putLeads([{ ...lead('salesforce|demoWon1', 'x', 1), origin: 'demo' }, { ...lead('salesforce|demoWon2', 'y', 1), origin: 'demo' }]);
    await db.leadScores.bulkPut([score('d', 'hubspot|1', 0.9), score('d', 'salesforce|00QB', 0.7), score('d', 'salesforce|demoWon1', 0.8), score('d', 'salesforce|demoWon2', 0.7)]);
    const { rows } = await loadScoredLeads('d');
    expect(rows.filter((row) => row.madeUp).map((row) => row.leadKey).sort()).toEqual(['salesforce|demoWon1', 'salesforce|demoWon2']);
    // All four hot; of the real two, one converted: 1 in 2, not 3 in 4.
    expect(segmentFigures(rows, 10 + 365 * 86_400_000).stats.hot).toMatchObject({ count: 4, withOutcome: 2, conversionRate: 0.5 });
    // Demo mode alone: nothing is made up beside it.
    await db.deleteLeads(['salesforce|real1', 'salesforce|real2', 'salesforce|00QA', 'salesforce|00QB', 'hubspot|1']);
    expect((await loadScoredLeads('d')).rows.some((row) => row.madeUp)).toBe(false);
  });

  it('keeps a synced lead\'s owner "Unassigned" (a CRM user or queue) beside demo leads with no owner (Demo mode stored those as "Unassigned" until database version 7)', async () => {
    await db.leadScores.bulkPut([score('t', 'salesforce|real1', 0.7), score('t', 'salesforce|demo1', 0.9), score('t', 'salesforce|demo2', 0.05)]);
    await db.putLeads([{ ...salesforce('demo1', 'demo', true), owner: '' }, { ...salesforce('demo2', 'demo', false), owner: '' }, { ...salesforce('real1', 'sync', true), owner: 'Unassigned' }]);
    const { rows, choices } = await loadScoredLeads('t');
    expect(rows.map((row) => [row.leadKey, row.owner])).toEqual([['salesforce|demo1', ''], ['salesforce|real1', 'Unassigned'], ['salesforce|real2', 'Grace'], ['salesforce|demo2', '']]);
    // One "No owner" choice for both demo leads; a CRM's own "Unassigned" user stays one.
    expect(choices.owner).toEqual(['', 'Grace', 'Unassigned']);
  });

  it("counts the stored leads a model gave no score, Demo mode's among them apart, not another model's", async () => {
    await db.unscorableLeads.bulkPut([
      { key: 'salesforce|real1', modelId: 'u' },
      { key: 'salesforce|demo1', modelId: 'u' },
      { key: 'salesforce|demo2', modelId: 'other' },
    ]);
    expect(await unscorableLeadCounts('u')).toEqual({ total: 2, demo: 1 });
  });

  it('keeps the demo leads while they are all the source has: the demo is previewed on them', async () => {
    await db.deleteLeads(['salesforce|real1', 'salesforce|real2', 'salesforce|00QA', 'salesforce|00QB']);
    const { labels, probabilities } = await labelledProbabilities('t', rule);
    expect([...labels]).toEqual([1, 0]);
    expect([...probabilities]).toEqual([0.9, 0.05]);
    expect([...(await labelledProbabilities('t', rule)).ranked]).toEqual([0.9, 0.05]);
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5], trainedOnSalesforce)).toEqual({ counts: [1, 0, 1], trainedOn: 0, crm: 'salesforce' });
    // So for a model without a rule, once Demo mode is all there is (the HubSpot contact of Ada gone too).
    await db.deleteLeads(['hubspot|1']);
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5])).toEqual({ counts: [1, 0, 1], trainedOn: 0 });
    expect([...(await labelledProbabilities('t')).ranked]).toEqual([0.9, 0.05]);
  });

  it('counts, for drift, only the leads it scores beyond those it was trained on, each left out once', async () => {
    await db.leadScores.put(score('t', 'salesforce|00QA', 0.2));
    // Trained on real1 and on demo1 (while the demo leads were all the source had), not yet on 00QA.
    await db.heldOutScores.put({ modelId: 't', leadKeys: ['salesforce|real1', 'salesforce|demo1'], probabilities: Float64Array.from([0.6, 0.8]) });
    // real2 (0.2) and 00QA (0.2) count; demo1 is both a training lead and a demo lead left out: taken off once.
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5], trainedOnSalesforce)).toEqual({ counts: [0, 2, 0], trainedOn: 2, crm: 'salesforce' });
  });
});

it('joins a chunk of scores whose range of keys holds many more leads than it scored (a CRM synced but not scored yet)', async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
  // Scored: CSV rows and Salesforce leads; between them in key order, 5,000 HubSpot contacts not scored yet.
  const scoredKeys = [...Array.from({ length: 3 }, (_, i) => `csv|row-${i}`), ...Array.from({ length: 3 }, (_, i) => `salesforce|00Q${i}`)];
  const unscored = Array.from({ length: 5000 }, (_, i) => `hubspot|${i}`);
  await db.putLeads([...scoredKeys, ...unscored].map((key) => lead(key, key, null)));
  await db.leadScores.bulkPut(scoredKeys.map((key, i) => score('m', key, (i + 1) / 10)));
  const { rows } = await loadScoredLeads('m');
  expect(rows.map((row) => row.leadKey)).toEqual([...scoredKeys].reverse());
});

it('gives a model’s probability of each lead: held out for the leads it was trained on, else its stored score, NaN without either', async () => {
  // Model m scored hubspot|1 (0.9) and salesforce|00QA (0.2); it was trained on salesforce|00QA, held out at 0.35.
  await db.heldOutScores.put({ modelId: 'm', leadKeys: ['salesforce|00QA'], probabilities: Float64Array.from([0.35]) });
  const ofM = await probabilitiesOf('m', ['hubspot|1', 'salesforce|00QA', 'salesforce|00QB', 'csv|gone']);
  expect([...ofM.probabilities]).toEqual([0.9, 0.35, Number.NaN, Number.NaN]);
  expect(ofM.heldOut).toBe(true);
  const ofN = await probabilitiesOf('n', ['salesforce|00QB']);
  expect([...ofN.probabilities]).toEqual([0.4]);
  expect(ofN.heldOut).toBe(false);
  // Trained in LeadLens, but none of these leads is held out (a re-import renamed them, and their held-out probabilities went): its stored scores, said so.
  expect((await probabilitiesOf('m', ['hubspot|1'])).heldOut).toBe(false);
  await db.heldOutScores.put({ modelId: 'm', leadKeys: [], probabilities: new Float64Array(0) });
  expect((await probabilitiesOf('m', ['hubspot|1', 'salesforce|00QA'])).heldOut).toBe(false);
});

describe("Demo mode's leads alone, as the side panel loads them: no read of the whole store that does not change its rows", () => {
  const demo = (id: string, owner: string): StoredLead => ({ ...lead(`salesforce|${id}`, id, null), origin: 'demo', owner });
  /** The `equals` values asked of each index of `db.leads` (`db.leads.where(index).equals(value)`), while spied. */
  let equalsAsked: string[];
  beforeEach(async () => {
    await Promise.all(db.tables.map((table) => table.clear()));
    equalsAsked = [];
    const where = db.leads.where.bind(db.leads);
    vi.spyOn(db.leads, 'where').mockImplementation(((index: string) => {
      const clause = where(index);
      const equals = clause.equals.bind(clause);
      clause.equals = ((value: string) => {
        equalsAsked.push(`${index}=${value}`);
        return equals(value);
      }) as typeof clause.equals;
      return clause;
    }) as typeof db.leads.where);
  });
  afterEach(() => vi.restoreAllMocks());

  it('reads no demo lead’s key when none is beside leads of your own', async () => {
    await db.putLeads([demo('d1', 'Grace'), demo('d2', '')]);
    await db.leadScores.bulkPut([score('m', 'salesforce|d1', 0.9), score('m', 'salesforce|d2', 0.1)]);
    const { rows } = await loadScoredLeads('m');
    expect(rows.map((row) => [row.leadKey, row.owner, row.madeUp])).toEqual([['salesforce|d1', 'Grace', undefined], ['salesforce|d2', '', undefined]]);
    expect(equalsAsked).toEqual([]);
  });

  it('reads none for a lead owned by "Unassigned" either: the owner shown is the one stored (version 7 of the database gave the demo leads stored so no owner)', async () => {
    await db.putLeads([demo('d1', 'Unassigned'), demo('d2', 'Grace')]);
    await db.leadScores.bulkPut([score('m', 'salesforce|d1', 0.9), score('m', 'salesforce|d2', 0.1)]);
    const { rows, choices } = await loadScoredLeads('m');
    expect(rows.map((row) => [row.leadKey, row.owner, row.madeUp])).toEqual([['salesforce|d1', 'Unassigned', undefined], ['salesforce|d2', 'Grace', undefined]]);
    expect(choices.owner).toEqual(['Grace', 'Unassigned']);
    expect(equalsAsked).toEqual([]);
  });

  it('counts nothing for the file’s latest created date when no file lead is stored', async () => {
    await db.putLeads([demo('d1', 'Grace')]);
    const now = Date.UTC(2025, 5, 30);
    expect(await leadAgesCountedFrom('csv', now)).toBe(now);
    expect(await fileLeadsAsOf(now)).toBe(null);
    expect(db.leads.where).not.toHaveBeenCalled();
  });
});

describe('a model trained on Salesforce leads, with HubSpot contacts synced and a file imported beside them', () => {
  const rule = { field: 'IsConverted', positiveValues: ['true'], source: 'salesforce' as const };
  const trainedOnSalesforce = { outcomeRule: rule, provenance: { source: 'Salesforce leads' } };
  const salesforce = Array.from({ length: 10 }, (_, i) => `salesforce|s${i}`);
  const hubspot = Array.from({ length: 9 }, (_, i) => `hubspot|h${i}`);
  const csv = ['csv|r0', 'csv|r1'];
  /** Held-out probabilities of the six Salesforce leads it was trained on. */
  const heldOutProbabilities = [0.05, 0.15, 0.55, 0.65, 0.75, 0.95];

  beforeEach(async () => {
    await Promise.all(db.tables.map((table) => table.clear()));
    await db.putLeads([...salesforce, ...hubspot, ...csv].map((key, i) => ({ ...lead(key, key, null), fields: { IsConverted: i % 2 === 0 } })));
    // Its Salesforce leads beyond training (s6–s9) at 0.2, 0.3, 0.6, 0.7; the HubSpot contacts, read through few of its fields, all under 0.1; the file's rows at 0.5.
    await db.leadScores.bulkPut([
      ...salesforce.map((key, i) => score('t', key, i < 6 ? 0.5 : [0.2, 0.3, 0.6, 0.7][i - 6])),
      ...hubspot.map((key, i) => score('t', key, (i + 1) / 100)),
      ...csv.map((key) => score('t', key, 0.5)),
    ]);
    await db.heldOutScores.put({ modelId: 't', leadKeys: salesforce.slice(0, 6), probabilities: Float64Array.from(heldOutProbabilities) });
  });

  it('measures its drift over its Salesforce leads beyond training alone, not the HubSpot contacts or file rows it scored too', async () => {
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5], trainedOnSalesforce)).toEqual({ counts: [0, 2, 2], trainedOn: 6, crm: 'salesforce' });
    // Trained by an older LeadLens, before its rule was recorded: the CRM its provenance names.
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5], { provenance: { source: 'salesforce leads' } })).toEqual({ counts: [0, 2, 2], trainedOn: 6, crm: 'salesforce' });
  });

  it('measures the drift of a model trained on a file, or of the default model, over every source’s leads, as before', async () => {
    const everySource = { counts: [9, 2, 4], trainedOn: 6 };
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5], { outcomeRule: { ...rule, source: 'csv' }, provenance: { source: 'imported CSV leads' } })).toEqual(everySource);
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5], { provenance: { source: 'demo-history.csv' } })).toEqual(everySource);
    expect(await scoresPerProbabilityBin('t', [0.1, 0.5])).toEqual(everySource);
  });

  it('ranks its Salesforce leads alone for a capacity policy: the same policy cuts where the trainer cut its training leads', async () => {
    // Every Salesforce lead was trained on, as the trainer ranked them.
    await db.heldOutScores.put({ modelId: 't', leadKeys: salesforce, probabilities: Float64Array.from([...heldOutProbabilities, 0.25, 0.35, 0.45, 0.85]) });
    const { ranked, labels } = await labelledProbabilities('t', rule);
    expect([...ranked].sort()).toEqual([0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]);
    expect(labels).toHaveLength(10);
    const policy = { kind: 'capacity' as const, hotPerWeek: 2, warmPerWeek: 3, inflowPerWeek: 10 };
    const trainers = thresholdsOfCuts(capacityCuts(Float64Array.from([...heldOutProbabilities, 0.25, 0.35, 0.45, 0.85]), policy));
    expect(thresholdsOfCuts(capacityCuts(ranked, policy))).toEqual(trainers);
    expect(trainers).toEqual({ hot: 0.85 - CUT_MARGIN, warm: 0.55 - CUT_MARGIN });
  });

  it('ranks every source’s leads for a model of a file’s rows, or without a rule, as before', async () => {
    expect((await labelledProbabilities('t', { ...rule, source: 'csv' })).ranked).toHaveLength(21);
    expect((await labelledProbabilities('t')).ranked).toHaveLength(21);
  });
});

it('bins one CRM’s scores, read from their range of keys over several chunks, as the index bins every source’s: lower cut included, a score just under a cut at it', async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
  const cuts = [0.2, 0.5];
  const probabilities = [0, 0.2, 0.2 - SAME_PROBABILITY_TOLERANCE / 2, 0.2 - 2 * SAME_PROBABILITY_TOLERANCE, 0.5, 0.7, 1];
  const keys = Array.from({ length: PAGE_CHUNK + 300 }, (_, i) => `salesforce|${String(i).padStart(5, '0')}`);
  await db.leadScores.bulkPut(keys.map((key, i) => score('one', key, probabilities[i % probabilities.length])));
  const everySource = await scoresPerProbabilityBin('one', cuts);
  expect(everySource.counts.reduce((sum, count) => sum + count, 0)).toBe(keys.length);
  expect((await scoresPerProbabilityBin('one', cuts, { provenance: { source: 'Salesforce leads' } })).counts).toEqual(everySource.counts);
});

describe('crmLearntFrom', () => {
  const rule = { field: 'IsConverted', positiveValues: ['true'] };
  it('is the CRM a model learnt from the leads of alone: its rule’s, else the one its provenance names, Demo mode’s leads or its own', () => {
    expect(crmLearntFrom({ outcomeRule: { ...rule, source: 'hubspot' }, provenance: { source: 'HubSpot leads' } })).toBe('hubspot');
    expect(crmLearntFrom({ outcomeRule: { ...rule, source: 'salesforce' }, provenance: { source: 'Salesforce demo leads' } })).toBe('salesforce');
    expect(['Salesforce leads', 'salesforce leads', 'HubSpot demo leads', 'hubspot demo leads'].map((source) => crmLearntFrom({ provenance: { source } }))).toEqual([
      'salesforce',
      'salesforce',
      'hubspot',
      'hubspot',
    ]);
  });

  it('is none for a file’s rows, the default model or a CLI model', () => {
    expect(crmLearntFrom({ outcomeRule: { ...rule, source: 'csv' }, provenance: { source: 'imported CSV leads' } })).toBeUndefined();
    expect(['demo-history.csv', 'imported CSV leads', 'Salesforce export.csv', ''].map((source) => crmLearntFrom({ provenance: { source } }))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
