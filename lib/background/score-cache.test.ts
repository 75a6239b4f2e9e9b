/** The record pages' score cache, as read back from IndexedDB. */
import 'fake-indexeddb/auto';
import { beforeEach, expect, it } from 'vitest';
import { db } from '../db/db';
import { dexieScoreCache } from './score-cache';

const lead = {
  probability: 0.42, score: 42, tier: 'warm', reasons: [{ label: 'Title', value: 'CTO', points: 0.5 }], featuresKnown: 3, featuresTotal: 10, modelId: 'm', modelCreatedAt: '2026-12-01T00:00:00Z', baseRate: 0.1,
};

beforeEach(() => db.scores.clear());

it('reads back an entry it wrote, fields included', async () => {
  await dexieScoreCache.put('m|salesforce|00QA', { fieldsHash: 'h', lead: lead as never, fields: { Title: 'CTO', NumberOfEmployees: 40, IsConverted: false, Industry: null } });
  expect(await dexieScoreCache.get('m|salesforce|00QA')).toMatchObject({ fieldsHash: 'h', fields: { Title: 'CTO', NumberOfEmployees: 40 } });
});

it('misses an entry of another shape (an older version’s), so the lead is scored again rather than answered with it', async () => {
  await db.scores.put({ key: 'm|salesforce|00QA', fieldsHash: 'h', lead: { score: 'high' } as never, scoredAt: 1 });
  expect(await dexieScoreCache.get('m|salesforce|00QA')).toBeUndefined();
});
