/**
 * One lead, one score: the side panel's counts and top leads show a stored lead by the score its
 * badge and list row show, its record page's while that is reused (lib/db/record-page-scores.ts),
 * not its stored batch score of the fields the last sync stored.
 */
import 'fake-indexeddb/auto';
import { beforeEach, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../crm/demo-accounts';
import { db, scoreKeyOf, type CachedScore, type LeadScore, type StoredLead } from '../db/db';
import type { ScoredLead } from '../messaging/protocol';
import { bundledModel } from '../ml/bundled-model';
import { leadsToWork, segmentFigures } from '../segments';
import { setRecordStaleHours } from '../settings/record-staleness';
import { recordSyncedAccount } from '../sync/store';
import { loadScoredLeads, recordPageScoresDifferFrom } from './stored-data';

const bundled = bundledModel.manifest();
if (!bundled.ok) throw new Error('the bundled model does not parse');
const manifest = bundled.manifest;
const modelId = manifest.modelId;
const HOUR = 3_600_000;

const julia = 'salesforce|00QJULIA';
const ken = 'salesforce|00QKEN';
const fields = { Title: 'VP Sales', LeadSource: 'Web', NumberOfEmployees: 500, Email: 'julia@acme.example', Industry: 'Technology' };
const storedLead = (key: string, name: string, origin: StoredLead['origin']): StoredLead => {
  const [source, id] = key.split('|') as [StoredLead['source'], string];
  return { key, source, id, origin, name, owner: 'Grace', leadSource: 'Web', createdAt: 10, modifiedAt: 20, outcome: null, fields };
};
const batchScore = (leadKey: string, probability: number, score: number, tier: LeadScore['tier'], byModel = modelId): LeadScore => ({
  key: scoreKeyOf(byModel, leadKey), modelId: byModel, leadKey, probability, score, tier, topReason: 'Title: VP Sales', reasonUp: 'Title: VP Sales', reasonDown: '', scoredAt: 1,
});
const pageLead = (probability: number, score: number, tier: ScoredLead['tier'], featuresKnown = manifest.features.length): ScoredLead => ({
  probability, score, tier, baseRate: 0.1, tiers: { hot: 0.5, warm: 0.2 },
  reasons: tier === 'cold' ? [{ label: 'Title', value: 'Intern', points: -2 }, { label: 'Source', value: 'Web', points: 0.5 }] : [{ label: 'Title', value: 'CEO', points: 2 }],
  featuresKnown, featuresTotal: manifest.features.length, modelId, modelCreatedAt: manifest.createdAt, modelLearntFromMadeUpLeads: true,
});
/** What a record page caches of a lead's score (score-lead.ts `cacheBadgeScore`): with the fields it scored. */
const pageScore = (leadKey: string, lead: ScoredLead, overrides: Partial<CachedScore> = {}): CachedScore => ({
  key: scoreKeyOf(modelId, leadKey), fieldsHash: 'page', lead, scoredAt: Date.now() - HOUR, fields: { Title: 'Intern' }, account: DEMO_ACCOUNTS.salesforce, ...overrides,
});

const hotList = async () => leadsToWork((await loadScoredLeads(modelId)).rows, 'hot', { key: 'score', descending: true }).leads.map((row) => row.name);
const tierCounts = async () => {
  const { stats } = segmentFigures((await loadScoredLeads(modelId)).rows, Date.now());
  return { hot: stats.hot.count, warm: stats.warm.count, cold: stats.cold.count };
};

beforeEach(async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
  // Demo mode: Julia stored hot, Ken cold, by the last scoring of the stored leads.
  await db.putLeads([storedLead(julia, 'Julia Walker', 'demo'), storedLead(ken, 'Ken Ito', 'demo')]);
  await db.leadScores.bulkPut([batchScore(julia, 0.93, 97, 'hot'), batchScore(ken, 0.02, 6, 'cold')]);
});

it('counts and lists a lead by the score its record page got since, as its badge and list row show it', async () => {
  expect(await hotList()).toEqual(['Julia Walker']);
  // Edited in the CRM to an intern, her page scored her cold; Ken, edited the other way, hot.
  await db.scores.bulkPut([pageScore(julia, pageLead(0.004, 1, 'cold')), pageScore(ken, pageLead(0.95, 97, 'hot'))]);
  const rows = (await loadScoredLeads(modelId)).rows;
  expect(rows.find((row) => row.leadKey === julia)).toMatchObject({ probability: 0.004, score: 1, tier: 'cold', topReason: 'Title: Intern', topReasonRaises: false });
  expect(rows.find((row) => row.leadKey === ken)).toMatchObject({ probability: 0.95, score: 97, tier: 'hot', topReason: 'Title: CEO', topReasonRaises: true });
  expect(await hotList()).toEqual(['Ken Ito']);
  expect(await tierCounts()).toEqual({ hot: 1, warm: 0, cold: 1 });
  // Most likely first still, by the scores shown.
  expect(rows.map((row) => row.name)).toEqual(['Ken Ito', 'Julia Walker']);
});

it('keeps the stored score over a record page score past the reuse period the options set', async () => {
  await setRecordStaleHours(2);
  await db.scores.put(pageScore(julia, pageLead(0.004, 1, 'cold'), { scoredAt: Date.now() - 3 * HOUR }));
  expect(await hotList()).toEqual(['Julia Walker']);
  expect(await tierCounts()).toEqual({ hot: 1, warm: 0, cold: 1 });
  // Within the period, it is shown.
  await setRecordStaleHours(4);
  expect(await hotList()).toEqual([]);
});

it("keeps the stored score over another model's record page score", async () => {
  await db.scores.put(pageScore(julia, { ...pageLead(0.004, 1, 'cold'), modelId: 'other' }, { key: scoreKeyOf('other', julia) }));
  expect(await hotList()).toEqual(['Julia Walker']);
  expect(await tierCounts()).toEqual({ hot: 1, warm: 0, cold: 1 });
});

it('keeps the stored score over what its list row would not show either: a list’s own score, a page that knew fewer fields, another org’s page', async () => {
  await db.scores.put(pageScore(julia, pageLead(0.004, 1, 'cold'), { fields: undefined }));
  expect(await hotList()).toEqual(['Julia Walker']);
  await db.scores.put(pageScore(julia, pageLead(0.004, 1, 'cold', 0)));
  expect(await hotList()).toEqual(['Julia Walker']);
  await db.scores.put(pageScore(julia, pageLead(0.004, 1, 'cold'), { account: 'acme.my.salesforce.com' }));
  expect(await hotList()).toEqual(['Julia Walker']);
});

it('shows a synced lead by a record page score of the org it was synced from', async () => {
  await db.putLeads([storedLead(julia, 'Julia Walker', 'sync')]);
  await recordSyncedAccount(db, 'salesforce', { id: 'acme.my.salesforce.com', name: 'Acme' });
  await db.scores.put(pageScore(julia, pageLead(0.004, 1, 'cold'), { account: DEMO_ACCOUNTS.salesforce }));
  expect(await hotList()).toEqual(['Julia Walker']);
  await db.scores.put(pageScore(julia, pageLead(0.004, 1, 'cold'), { account: 'acme.my.salesforce.com' }));
  expect(await hotList()).toEqual([]);
});

it('says the leads need reading again only when a record page score lists a lead otherwise than the rows the panel shows', async () => {
  const shown = (await loadScoredLeads(modelId)).rows;
  expect(await recordPageScoresDifferFrom(modelId, shown)).toBe(false);
  // Her page scored her as the stored score does: the panel's rows stand, also when its top reason's words
  // moved with the day or the page's number format alone (they come right at the next read).
  await db.scores.put(pageScore(julia, { ...pageLead(0.93, 97, 'hot'), reasons: [{ label: 'Title', value: 'VP Sales', points: 2 }] }));
  expect(await recordPageScoresDifferFrom(modelId, shown)).toBe(false);
  await db.scores.put(pageScore(julia, { ...pageLead(0.931, 97, 'hot'), reasons: [{ label: 'Days since created', value: '10 days', points: 2 }] }));
  expect(await recordPageScoresDifferFrom(modelId, shown)).toBe(false);
  // Edited to an intern, her page scored her cold: the rows shown are out of date, those read again are not.
  await db.scores.put(pageScore(julia, pageLead(0.004, 1, 'cold')));
  expect(await recordPageScoresDifferFrom(modelId, shown)).toBe(true);
  expect(await recordPageScoresDifferFrom(modelId, (await loadScoredLeads(modelId)).rows)).toBe(false);
});

it('lists every lead by its stored score when asked to leave the record pages’ scores out, as the panel lists them once a tier policy applied clears those', async () => {
  await db.scores.bulkPut([pageScore(julia, pageLead(0.004, 1, 'cold'))]);
  const byStored = (await loadScoredLeads(modelId, { withRecordPageScores: false })).rows;
  expect(byStored.map((row) => [row.name, row.probability])).toEqual([['Julia Walker', 0.93], ['Ken Ito', 0.02]]);
  expect((await loadScoredLeads(modelId)).rows.find((row) => row.name === 'Julia Walker')?.probability).toBe(0.004);
});

it('says when the first record page score that lists a lead otherwise goes stale, its badge then showing the stored score: for the panel to read the leads again', async () => {
  expect((await loadScoredLeads(modelId)).listedOtherwiseUntil).toBeUndefined();
  // Scored by her page as the stored score lists her: nothing to read again for when it goes stale.
  await db.scores.put(pageScore(julia, pageLead(0.93, 97, 'hot'), { scoredAt: Date.now() - 2 * HOUR }));
  expect((await loadScoredLeads(modelId)).listedOtherwiseUntil).toBeUndefined();
  // Ken's page scored him hot an hour ago, Julia's cold three hours ago: hers goes stale first, at "stale after" (default 24 hours).
  const juliaScoredAt = Date.now() - 3 * HOUR;
  await db.scores.bulkPut([pageScore(julia, pageLead(0.004, 1, 'cold'), { scoredAt: juliaScoredAt }), pageScore(ken, pageLead(0.95, 97, 'hot'))]);
  expect((await loadScoredLeads(modelId)).listedOtherwiseUntil).toBe(juliaScoredAt + 24 * HOUR);
  // Left out, the record pages' scores put no time on the list.
  expect((await loadScoredLeads(modelId, { withRecordPageScores: false })).listedOtherwiseUntil).toBeUndefined();
});
