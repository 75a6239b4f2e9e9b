/**
 * Demo mode's data: the demo CRM's leads as LeadLens stores them (even-indexed from
 * Salesforce, odd-indexed from HubSpot, as the training history splits them), with their
 * known outcomes so the side panel can show each tier's conversion rate.
 */
import { db, demoLeadKeys, leadKeyOf, type StoredLead } from '../db/db';
import { withStoredScoresPaused } from '../jobs/progress';
import { DEMO_OWNERS, generateDemoLeads, type DemoLead } from './demo-data';

/** The demo CRM serves the same seed, so a demo lead opens as a real page there. */
export const DEMO_SEED = 42;
export const DEMO_LEAD_COUNT = 2000;

/** The owner's name; '' for none, as a sync stores a lead nobody owns, so the side panel's "No owner" filter keeps demo and synced leads alike. */
function ownerName(id: string | null): string {
  return DEMO_OWNERS.find((owner) => owner.salesforceId === id || owner.hubspotId === id)?.name ?? '';
}

function epochOrZero(text: string | null): number {
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) ? ms : 0;
}

export function toStoredLead(lead: DemoLead, source: 'salesforce' | 'hubspot'): StoredLead {
  const outcome = lead.converted ? 1 : 0;
  if (source === 'salesforce') {
    const sf = lead.salesforce;
    return {
      key: leadKeyOf('salesforce', sf.Id),
      source,
      id: sf.Id,
      origin: 'demo',
      name: sf.Name,
      owner: ownerName(sf.OwnerId),
      leadSource: sf.LeadSource ?? '',
      createdAt: epochOrZero(sf.CreatedDate),
      modifiedAt: epochOrZero(sf.LastModifiedDate),
      outcome,
      fields: { ...sf },
    };
  }
  const hs = lead.hubspot;
  return {
    key: leadKeyOf('hubspot', lead.hubspotId),
    source,
    id: lead.hubspotId,
    origin: 'demo',
    name: [hs.firstname, hs.lastname].filter(Boolean).join(' ') || `Contact ${lead.hubspotId}`,
    owner: ownerName(hs.hubspot_owner_id),
    leadSource: hs.hs_analytics_source ?? '',
    createdAt: epochOrZero(hs.createdate),
    modifiedAt: epochOrZero(hs.lastmodifieddate),
    outcome,
    fields: { ...hs },
  };
}

export function demoStoredLeads(now: Date, count = DEMO_LEAD_COUNT): StoredLead[] {
  return generateDemoLeads({ count, seed: DEMO_SEED, now }).map((lead, index) =>
    toStoredLead(lead, index % 2 === 0 ? 'salesforce' : 'hubspot'),
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

