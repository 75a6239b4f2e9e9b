/** The stored leads' handlers where they meet the record-page score cache. */
import 'fake-indexeddb/auto';
import { beforeEach, expect, it, vi } from 'vitest';
import { db } from '../../db/db';
import { scoreCacheFor } from '../score-cache';
import { leadsHandlers } from './leads';

const { retierStoredScoresOffscreen, sendToCrmTabs } = vi.hoisted(() => ({
  retierStoredScoresOffscreen: vi.fn(async () => ({ ok: true as const, retiered: 0, changed: 0 })),
  sendToCrmTabs: vi.fn(async () => undefined),
}));
vi.mock('../offscreen-engine', () => ({ retierStoredScoresOffscreen, runOffscreen: vi.fn() }));
vi.mock('../../messaging/events', () => ({ sendToCrmTabs }));

const sender = {} as Browser.runtime.MessageSender;
const entry = (tier: 'hot' | 'cold') => ({ fieldsHash: 'h', lead: { tier } as never });

beforeEach(() => db.scores.clear());

it('applying a tier policy keeps a badge score read under the old one out of the cache, as well as those cached before', async () => {
  await db.scores.put({ key: 'm|salesforce|00Q1', ...entry('hot'), scoredAt: 0 });
  // A record page's score in flight: its CRM read began before the policy was applied.
  const inFlight = scoreCacheFor({ account: 'acme.my.salesforce.com', connection: 'same-org', synced: true });

  await leadsHandlers.retierStoredScores({ modelId: 'm' }, sender);
  expect(await db.scores.count()).toBe(0);
  expect(sendToCrmTabs).toHaveBeenCalledWith('scoresChanged', {});
  await inFlight.put('m|salesforce|00Q2', entry('hot'));
  expect(await db.scores.count()).toBe(0);

  // One begun after it is cached as usual.
  await scoreCacheFor({ account: 'acme.my.salesforce.com', connection: 'same-org', synced: true }).put('m|salesforce|00Q2', entry('cold'));
  expect(await db.scores.count()).toBe(1);
});
