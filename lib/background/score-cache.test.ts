/** The record pages' score cache, as read back from IndexedDB. */
import 'fake-indexeddb/auto';
import { beforeEach, expect, it, vi } from 'vitest';
import { db } from '../db/db';
import { RECORD_STALE_HOURS_SETTING } from '../settings/record-staleness';
import { dexieScoreCache, recordScoreCache } from './score-cache';

const lead = {
  probability: 0.42, score: 42, tier: 'warm', reasons: [{ label: 'Title', value: 'CTO', points: 0.5 }], featuresKnown: 3, featuresTotal: 10, modelId: 'm', modelCreatedAt: '2026-12-01T00:00:00Z', modelLearntFromMadeUpLeads: false, baseRate: 0.1, tiers: { hot: 0.5, warm: 0.2 },
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

it('misses a score cached before scored leads carried their tier thresholds: the badge words the likelihood by them', async () => {
  await db.scores.put({ key: 'm|salesforce|00QA', fieldsHash: 'h', lead: { ...lead, tiers: undefined } as never, scoredAt: 1 });
  expect(await dexieScoreCache.get('m|salesforce|00QA')).toBeUndefined();
});

it('deletes cached scores once stale, as record pages are answered: they hold the fields of records opened, and are never read again', async () => {
  const HOUR = 3_600_000;
  const t0 = Date.parse('2026-12-01T09:00:00Z');
  vi.useFakeTimers({ toFake: ['Date'], now: t0 });
  try {
    await db.settings.put({ key: RECORD_STALE_HOURS_SETTING, value: 24 });
    await dexieScoreCache.put('m|salesforce|00QA', { fieldsHash: 'h', lead: lead as never, fields: { Email: 'ada@example.org' } });
    vi.setSystemTime(t0 + 20 * HOUR);
    await dexieScoreCache.put('m|salesforce|00QB', { fieldsHash: 'h', lead: lead as never, fields: { Email: 'grace@example.org' } });
    const page = { account: 'acme.my.salesforce.com', connection: 'none', synced: false, purgesBefore: 0 } as const;
    // Within a day of the first: both kept.
    await recordScoreCache(page);
    expect(await db.scores.count()).toBe(2);
    // A day after the first, less than one after the second (and ten minutes since the last look).
    vi.setSystemTime(t0 + 25 * HOUR);
    await recordScoreCache(page);
    expect((await db.scores.toCollection().primaryKeys()).sort()).toEqual(['m|salesforce|00QB']);
  } finally {
    vi.useRealTimers();
    await db.settings.clear();
  }
});
