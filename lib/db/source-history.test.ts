/**
 * A source's history is its own leads; its demo leads count only while it has no other lead.
 */
import 'fake-indexeddb/auto';
import { beforeEach, expect, it } from 'vitest';
import { storedLead } from '../../test/fixtures/stored-lead';
import { db, type StoredLead } from './db';
import { historyKeys, historyRule } from './source-history';

const lead = (source: StoredLead['source'], id: string, origin: StoredLead['origin']) => storedLead({ source, id, origin });

beforeEach(() => Promise.all(db.leadTables.map((table) => table.clear())));

it('is the demo leads alone while the source has no other lead, so the demo trains on them', async () => {
  // The other CRM's real leads do not make Salesforce's demo leads less its history.
  await db.putLeads([lead('salesforce', 'd1', 'demo'), lead('salesforce', 'd2', 'demo'), lead('hubspot', '1', 'sync')]);
  expect(await historyRule('salesforce')).toEqual({ demoOnly: true, demoLeftOut: new Set() });
  expect((await historyKeys('salesforce')).keys.sort()).toEqual(['salesforce|d1', 'salesforce|d2']);
  expect((await historyKeys('salesforce')).keys.sort()).toEqual(['salesforce|d1', 'salesforce|d2']);
});

it('leaves the demo leads out once the source has leads of its own, synced or imported', async () => {
  await db.putLeads([lead('salesforce', 'd1', 'demo'), lead('salesforce', 'r1', 'sync'), lead('salesforce', 'r2', 'sync'), lead('hubspot', 'd2', 'demo')]);
  const rule = await historyRule('salesforce');
  expect(rule).toEqual({ demoOnly: false, demoLeftOut: new Set(['salesforce|d1']) });
  expect((await historyKeys('salesforce')).keys.sort()).toEqual(['salesforce|r1', 'salesforce|r2']);
  expect((await historyKeys('salesforce')).keys.sort()).toEqual(['salesforce|r1', 'salesforce|r2']);
  // HubSpot has only its demo lead: that is its history.
  expect((await historyKeys('hubspot')).keys.sort()).toEqual(['hubspot|d2']);

  // An imported CSV is a history of its own too (no demo lead is ever stored under csv).
  await db.putLeads([lead('csv', 'row-1', 'csv')]);
  expect((await historyKeys('csv')).keys.sort()).toEqual(['csv|row-1']);
});

it('has nothing for a source with no stored lead', async () => {
  expect(await historyRule('hubspot')).toEqual({ demoOnly: false, demoLeftOut: new Set() });
  expect((await historyKeys('hubspot')).keys).toEqual([]);
});

it('tells from counts alone when every lead stored is a demo lead (Demo mode), or none is', async () => {
  await db.putLeads([lead('salesforce', 'd1', 'demo'), lead('hubspot', 'd2', 'demo'), lead('hubspot', 'd3', 'demo')]);
  expect(await historyRule('salesforce')).toEqual({ demoOnly: true, demoLeftOut: new Set() });
  expect((await historyKeys('hubspot')).keys.sort()).toEqual(['hubspot|d2', 'hubspot|d3']);
  // A CSV import beside the demo leads: its own history, the demo leads still each CRM's.
  await db.putLeads([lead('csv', 'row-1', 'csv')]);
  expect(await historyRule('csv')).toEqual({ demoOnly: false, demoLeftOut: new Set() });
  expect((await historyKeys('csv')).keys.sort()).toEqual(['csv|row-1']);
  expect(await historyRule('hubspot')).toEqual({ demoOnly: true, demoLeftOut: new Set() });
  await Promise.all(db.leadTables.map((table) => table.clear()));
  await db.putLeads([lead('salesforce', 'r1', 'sync')]);
  expect(await historyRule('salesforce')).toEqual({ demoOnly: false, demoLeftOut: new Set() });
});
