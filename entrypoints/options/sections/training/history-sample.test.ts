import 'fake-indexeddb/auto';
import { beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db/db';
import { storedLead } from '../../../../test/fixtures/stored-lead';
import { historySample } from './history-sample';

beforeEach(() => Promise.all(db.leadTables.map((table) => table.clear())));

it("offers fields with a few values as outcomes, blanks not counting as a value, and only the source's leads", async () => {
  await db.putLeads([
    storedLead({ source: 'salesforce', id: '1', origin: 'sync', fields: { IsConverted: true, Rating: 'Hot', Notes: '' } }),
    storedLead({ source: 'salesforce', id: '2', origin: 'sync', fields: { IsConverted: false, Rating: ' ', Notes: 'call back' } }),
    storedLead({ source: 'salesforce', id: '3', origin: 'sync', fields: { IsConverted: false, Rating: null, Notes: '' } }),
    storedLead({ source: 'hubspot', id: '4', origin: 'sync', fields: { lifecyclestage: 'lead' } }),
  ]);
  expect(await historySample('salesforce')).toEqual({
    leads: 3,
    fields: ['IsConverted', 'Notes', 'Rating'],
    // Rating and Notes have one value each besides blanks: nothing to tell converted from not.
    outcomeValues: { IsConverted: ['false', 'true'] },
  });
});
