/** Demo mode's leads beside the user's own in the store: loading and removing them leaves the user's alone. */
import 'fake-indexeddb/auto';
import { beforeEach, expect, it } from 'vitest';
import { db } from '../db/db';
import { storedLead } from '../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../test/web-locks';
import { demoStoredLeads, replaceDemoLeads } from './demo-leads';

const now = new Date('2026-11-01T00:00:00Z');

beforeEach(async () => {
  stubWebLocks();
  await Promise.all(db.tables.map((table) => table.clear()));
});

it("leaves a synced contact whose id is a demo lead's as it is, loading the demo and removing it", async () => {
  const demo = demoStoredLeads(now, 4);
  const hubspotDemo = demo.find((lead) => lead.source === 'hubspot')!;
  const own = storedLead({ source: 'hubspot', id: hubspotDemo.id, origin: 'sync', name: 'Real Customer' });
  await db.putLeads([own]);

  expect(await replaceDemoLeads(demo)).toBe(demo.length - 1);
  expect(await db.leads.get(own.key)).toMatchObject({ origin: 'sync', name: 'Real Customer' });
  expect(await db.leads.where('origin').equals('demo').count()).toBe(demo.length - 1);

  // Loaded again (a new count), then removed: the contact stays.
  expect(await replaceDemoLeads(demoStoredLeads(now, 4))).toBe(demo.length - 1);
  expect(await replaceDemoLeads([])).toBe(0);
  expect(await db.leads.toArray()).toEqual([expect.objectContaining({ key: own.key, origin: 'sync', name: 'Real Customer' })]);
});
