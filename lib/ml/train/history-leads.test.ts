import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, expect, it } from 'vitest';
import { demoStoredLeads, replaceDemoLeads } from '../../crm/demo-leads';
import { db, type StoredLead } from '../../db/db';
import { stubWebLocks } from '../../../test/web-locks';
import { readHistoryLeads } from './history-leads';

const NOW = Date.parse('2026-11-01T00:00:00Z');
const contact = (id: number): StoredLead => ({
  key: `hubspot|${id}`,
  source: 'hubspot',
  id: String(id),
  origin: 'sync',
  name: `C${id}`,
  owner: '',
  leadSource: '',
  createdAt: NOW - 100 * 86_400_000,
  modifiedAt: NOW,
  outcome: id % 3 === 0 ? 1 : 0,
  fields: { lifecyclestage: 'lead', jobtitle: 'VP' },
});
const WHOLE_HISTORY = () => ({ createdAfter: null, createdBefore: null });

afterEach(async () => {
  await db.delete();
  await db.open();
});

it("refuses a read of the company's own history during which Demo mode's leads were loaded, rather than train on both", async () => {
  stubWebLocks();
  // Keys on both sides of the demo leads', so some demo leads lie ahead of the read when they are loaded.
  await db.putLeads([...Array.from({ length: 500 }, (_, i) => contact(1_000_000 + i)), ...Array.from({ length: 5000 }, (_, i) => contact(2_000_000 + i))]);
  let loading: Promise<unknown> | null = null;
  const read = readHistoryLeads('hubspot', {
    window: WHOLE_HISTORY,
    add: () => {
      // "Load demo data" pressed on the Options page while the history is read.
      loading ??= Dexie.ignoreTransaction(() => replaceDemoLeads(demoStoredLeads(new Date(NOW))));
    },
  });
  await expect(read).rejects.toThrow(/Demo mode's made-up leads were loaded or removed, or leads of your own stored for the first time, while the history was read: check the data again/);
  await loading;
});

it('reads the whole history when nothing changes its rule meanwhile', async () => {
  await db.putLeads(Array.from({ length: 300 }, (_, i) => contact(1_000_000 + i)));
  const added: StoredLead[] = [];
  await readHistoryLeads('hubspot', { window: WHOLE_HISTORY, add: (lead) => added.push(lead as StoredLead) });
  expect(added.map((lead) => lead.key)).toEqual(Array.from({ length: 300 }, (_, i) => `hubspot|${1_000_000 + i}`));
});
