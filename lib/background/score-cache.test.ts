/** The record pages' score cache, as read back from IndexedDB. */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '../db/db';
import { RECORD_STALE_HOURS_SETTING } from '../settings/record-staleness';
import { dexieScoreCache, forgetScoresInFlight, recordScoreCache, scoreCacheFor } from './score-cache';

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

describe('scores forgotten while read (a sync storing leads changed, a connection replaced)', () => {
  const salesforcePage = { account: 'acme.my.salesforce.com', connection: 'same-org', synced: true, purgesBefore: 0 } as const;
  const hubspotPage = { account: '4242424', connection: 'same-org', synced: true, purgesBefore: 0 } as const;
  const entry = { fieldsHash: 'h', lead: lead as never, fields: { Title: 'CTO' } };
  const cachedKeys = async () => ((await db.scores.toCollection().primaryKeys()) as string[]).sort();

  it('drops the writes of reads begun before of the leads forgotten only: another CRM’s badges and untouched leads stay cached', async () => {
    const salesforceBadges = scoreCacheFor(salesforcePage);
    const hubspotBadges = scoreCacheFor(hubspotPage);
    // A Salesforce sync page storing 00QA changed.
    forgetScoresInFlight({ leadKeys: ['salesforce|00QA'] });
    await salesforceBadges.put('m|salesforce|00QA', entry);
    await salesforceBadges.put('m|salesforce|00QB', entry);
    await hubspotBadges.put('m|hubspot|1501', entry);
    expect(await cachedKeys()).toEqual(['m|hubspot|1501', 'm|salesforce|00QB']);
    // A read begun after is cached.
    await scoreCacheFor(salesforcePage).put('m|salesforce|00QA', entry);
    expect(await cachedKeys()).toEqual(['m|hubspot|1501', 'm|salesforce|00QA', 'm|salesforce|00QB']);
  });

  it('drops every lead’s of a CRM forgotten whole (fields it no longer shows), and every lead’s of all forgotten', async () => {
    const before = [scoreCacheFor(salesforcePage), scoreCacheFor(hubspotPage)] as const;
    forgetScoresInFlight({ crm: 'salesforce' });
    await before[0].put('m|salesforce|00QA', entry);
    await before[1].put('m|hubspot|1501', entry);
    expect(await cachedKeys()).toEqual(['m|hubspot|1501']);
    const beforeAll = scoreCacheFor(hubspotPage);
    forgetScoresInFlight();
    await beforeAll.put('m|hubspot|1502', entry);
    expect(await cachedKeys()).toEqual(['m|hubspot|1501']);
  });

  it('keeps dropping the leads forgotten past the most noted (a first sync of many leads), and keeps caching another CRM’s', async () => {
    const salesforceBadges = scoreCacheFor(salesforcePage);
    const hubspotBadges = scoreCacheFor(hubspotPage);
    for (let page = 0; page < 6; page++) forgetScoresInFlight({ leadKeys: Array.from({ length: 2_000 }, (_, i) => `salesforce|00Q${page}-${i}`) });
    await salesforceBadges.put('m|salesforce|00Q0-7', entry);
    await salesforceBadges.put('m|salesforce|00Q5-1999', entry);
    await hubspotBadges.put('m|hubspot|1501', entry);
    expect(await cachedKeys()).toEqual(['m|hubspot|1501']);
  });
});
