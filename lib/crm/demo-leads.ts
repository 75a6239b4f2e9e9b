/**
 * Demo mode's data: the demo CRM's leads as LeadLens stores them (even-indexed from
 * Salesforce, odd-indexed from HubSpot, as the training history splits them), with their
 * known outcomes so the side panel can show each tier's conversion rate.
 */
import { db, demoLeadKeys, type StoredLead } from '../db/db';
import { withStoredScoresPaused } from '../jobs/progress';
import { toStoredLead } from '../sync/to-stored-lead';
import { parseCrmDateTime, type CrmRecord } from './client';
import { DEMO_OWNERS, generateDemoLeads, type DemoLead } from './demo-data';
import type { CrmKind } from './types';

/** The demo CRM serves the same seed, so a demo lead opens as a real page there. */
export const DEMO_SEED = 42;
export const DEMO_LEAD_COUNT = 2000;

/** The demo owners' names by their ids in either CRM: a demo lead's owner is stored by name, as a sync names it. */
const DEMO_OWNER_NAMES: ReadonlyMap<string, string> = new Map(
  DEMO_OWNERS.flatMap((owner) => [
    [owner.salesforceId, owner.name],
    [owner.hubspotId, owner.name],
  ]),
);

function epochOrZero(text: string | null): number {
  const ms = text ? parseCrmDateTime(text) : Number.NaN;
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * `lead` as `source`'s record, stored as a sync stores that record (`toStoredLead`: empty fields
 * left out, the owner by name), but as a demo lead: one change to how a lead is stored applies to both.
 */
export function demoStoredLead(lead: DemoLead, source: CrmKind): StoredLead {
  // Its modified time from the field the CRM clients read it from: Salesforce's SystemModstamp, HubSpot's lastmodifieddate.
  const record: CrmRecord =
    source === 'salesforce'
      ? { id: lead.salesforce.Id, modifiedAt: epochOrZero(lead.salesforce.SystemModstamp), fields: lead.salesforce }
      : { id: lead.hubspotId, modifiedAt: epochOrZero(lead.hubspot.lastmodifieddate), fields: lead.hubspot };
  return { ...toStoredLead(source, record, DEMO_OWNER_NAMES), origin: 'demo' };
}

export function demoStoredLeads(now: Date, count = DEMO_LEAD_COUNT): StoredLead[] {
  return generateDemoLeads({ count, seed: DEMO_SEED, now }).map((lead, index) =>
    demoStoredLead(lead, index % 2 === 0 ? 'salesforce' : 'hubspot'),
  );
}

/**
 * Replace the stored demo leads (and every model's scores of them); other leads are untouched: a
 * demo lead whose key a lead of the user's own holds (a synced HubSpot contact whose id is a
 * demo id) is left out, rather than take its place and leave with the demo. Resolves with how
 * many demo leads are stored.
 */
export async function replaceDemoLeads(leads: StoredLead[]): Promise<number> {
  return withStoredScoresPaused(() =>
    db.transaction('rw', db.leadReplacementTables, async () => {
      const oldKeys = await demoLeadKeys();
      const demoKeys = new Set(oldKeys);
      const taken = (await db.leads.where(':id').anyOf(leads.map((lead) => lead.key)).primaryKeys()) as string[];
      const ownKeys = new Set(taken.filter((key) => !demoKeys.has(key)));
      const stored = leads.filter((lead) => !ownKeys.has(lead.key));
      await db.replaceLeads(oldKeys, () => db.putLeads(stored));
      return stored.length;
    }),
  );
}

