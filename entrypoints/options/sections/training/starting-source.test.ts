/**
 * The History the training form starts on: the first source with leads of the user's own, else
 * the first with Demo mode's made-up leads (offered while a source has no other), else Salesforce;
 * and the sources with leads of the user's own, which a History of demo leads gives way to.
 */
import 'fake-indexeddb/auto';
import { beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db/db';
import type { SourceKind } from '@/lib/ml/featurize';
import { storedLead } from '../../../../test/fixtures/stored-lead';
import { storedLeadSources } from './history-sample';
import { SOURCES } from './LeadsFieldset';

const ORDER = SOURCES.map((option) => option.value);
const startingSource = async (order: readonly SourceKind[]) => (await storedLeadSources(order)).starting;
const withOwnLeads = async () => (await storedLeadSources(ORDER)).withOwnLeads;
const leadsOf = (source: SourceKind, origin: 'sync' | 'csv' | 'demo', count = 2) =>
  db.putLeads(Array.from({ length: count }, (_, row) => storedLead({ source, id: `${origin}-${row}`, origin, fields: { industry: 'Retail' } })));

beforeEach(() => Promise.all(db.leadTables.map((table) => table.clear())));

it('is Salesforce when no lead is stored', async () => {
  expect(await startingSource(ORDER)).toBe('salesforce');
});

it('is the first source with leads of its own, in the order of the History choices', async () => {
  await leadsOf('csv', 'csv');
  expect(await startingSource(ORDER)).toBe('csv');
  await leadsOf('hubspot', 'sync');
  expect(await startingSource(ORDER)).toBe('hubspot');
  await leadsOf('salesforce', 'sync');
  expect(await startingSource(ORDER)).toBe('salesforce');
});

it("offers Demo mode's leads when no source has leads of its own, and the user's own over them", async () => {
  // Demo mode stores its leads under both CRMs.
  await leadsOf('salesforce', 'demo');
  await leadsOf('hubspot', 'demo');
  expect(await startingSource(ORDER)).toBe('salesforce');
  await leadsOf('csv', 'csv');
  expect(await startingSource(ORDER)).toBe('csv');
});

it('is a source left with demo leads alone when the first has none', async () => {
  await leadsOf('hubspot', 'demo');
  expect(await startingSource(ORDER)).toBe('hubspot');
});

it("lists every source with leads of the user's own, in the order of the History choices, never one of demo leads alone", async () => {
  await leadsOf('salesforce', 'demo');
  await leadsOf('hubspot', 'demo');
  expect(await withOwnLeads()).toEqual([]);
  // HubSpot synced on the same page: its demo leads stay stored beside them.
  await leadsOf('hubspot', 'sync');
  expect(await withOwnLeads()).toEqual(['hubspot']);
  await leadsOf('csv', 'csv');
  expect(await withOwnLeads()).toEqual(['hubspot', 'csv']);
});
