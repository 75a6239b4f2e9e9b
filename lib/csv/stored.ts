/** The imported CSV leads in IndexedDB: one import at a time, replaced as a whole. */
import { db, type StoredLead } from '../db/db';
import type { LeadSink } from './import';

export async function clearCsvLeads(): Promise<void> {
  await db.leads.where('origin').equals('csv').delete();
}

export const dexieCsvSink: LeadSink = {
  clear: clearCsvLeads,
  put: async (leads: StoredLead[]) => void (await db.leads.bulkPut(leads)),
};
