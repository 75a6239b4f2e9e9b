/** The demo CRM's records, indexed the ways its pages and APIs look them up. */
import { salesforceDateTime, type DemoLead, type DemoOwner } from '../../lib/crm/demo-data';

/** A lead deleted from both CRMs (a Salesforce delete, a HubSpot archive), and when (epoch ms). */
export interface DemoDeletion {
  lead: DemoLead;
  at: number;
}

export interface DemoStore {
  /** The leads not deleted, in list order. */
  readonly leads: readonly DemoLead[];
  /** The leads HubSpot has: those not deleted, less those merged into another contact. */
  readonly hubspotLeads: readonly DemoLead[];
  /** Deleted leads, oldest deletion first: only the APIs' lists of deleted records show them. */
  readonly deletions: readonly DemoDeletion[];
  /** Changes with every deletion and update, so that what is computed from `leads` knows when to compute again. */
  readonly version: number;
  /** By 18-character Id, or its 15-character case-sensitive form (Salesforce accepts both). */
  bySalesforceId(id: string): DemoLead | undefined;
  byHubspotId(id: string): DemoLead | undefined;
  /** The lead after this one, in list order (wrapping round). */
  next(lead: DemoLead): DemoLead;
  /** A few other leads in the same industry. */
  similar(lead: DemoLead, count?: number): DemoLead[];
  ownerName(id: string): string;
  /** Values written to the custom fields / properties of a lead (write-back), by name; mutable. */
  customValues(lead: DemoLead): Record<string, string | number>;
  /** Deletes the lead from both CRMs at `at` (epoch ms): a rep deleting it, or a Salesforce GDPR erasure. */
  deleteLead(lead: DemoLead, at: number): void;
  /** Stamps the lead as modified at `at` (epoch ms) in one CRM, as any update through its API does (the same values written again too). */
  markModified(lead: DemoLead, crm: 'salesforce' | 'hubspot', at: number): void;
  /**
   * A rep's edit of the lead in one CRM at `at` (epoch ms): its phone number changed, and the lead
   * stamped modified (`markModified`). A stamp alone is no change a sync counts.
   */
  editLead(lead: DemoLead, crm: 'salesforce' | 'hubspot', at: number): void;
  /**
   * Merges the HubSpot contact of `merged` into that of `into` at `at`: `merged` leaves HubSpot
   * without being archived, and `into`, modified, names it in `hs_merged_object_ids`. Salesforce
   * keeps both leads.
   */
  mergeHubSpotContact(merged: DemoLead, into: DemoLead, at: number): void;
  /**
   * Deletes the lead's HubSpot contact for good at once, as a GDPR deletion does: it leaves
   * HubSpot without being archived. Salesforce keeps the lead.
   */
  eraseHubSpotContact(lead: DemoLead): void;
  /** The HubSpot ids merged into the lead's contact, as HubSpot writes them (`1;2`); null when none. */
  mergedHubSpotIds(lead: DemoLead): string | null;
}

export function createDemoStore(initial: readonly DemoLead[], owners: readonly DemoOwner[]): DemoStore {
  let leads = initial;
  const deletions: DemoDeletion[] = [];
  let version = 0;
  const bySalesforce = new Map<string, DemoLead>();
  const byHubspot = new Map<string, DemoLead>();
  let position = new Map<DemoLead, number>();
  const byIndustry = new Map<string, DemoLead[]>();
  initial.forEach((lead, index) => {
    bySalesforce.set(lead.salesforceId, lead);
    bySalesforce.set(lead.salesforceId.slice(0, 15), lead);
    byHubspot.set(lead.hubspotId, lead);
    position.set(lead, index);
    const industry = lead.salesforce.Industry ?? '';
    byIndustry.set(industry, [...(byIndustry.get(industry) ?? []), lead]);
  });
  const custom = new Map<DemoLead, Record<string, string | number>>();
  const mergedInto = new Map<DemoLead, string[]>();
  let hubspotLeads = leads;
  const owner = new Map(owners.flatMap((o) => [[o.salesforceId, o.name], [o.hubspotId, o.name]]));

  function markModified(lead: DemoLead, crm: 'salesforce' | 'hubspot', at: number) {
    if (crm === 'salesforce') lead.salesforce.LastModifiedDate = lead.salesforce.SystemModstamp = salesforceDateTime(at);
    else lead.hubspot.lastmodifieddate = lead.hubspot.hs_lastmodifieddate = new Date(Math.floor(at)).toISOString();
    version++;
  }

  /** Takes the lead's contact out of HubSpot, with no record of where it went. */
  function leaveHubSpot(lead: DemoLead) {
    if (!byHubspot.has(lead.hubspotId)) throw new Error(`The demo CRM has no HubSpot contact ${lead.hubspotId}`);
    byHubspot.delete(lead.hubspotId);
    hubspotLeads = hubspotLeads.filter((other) => other !== lead);
    version++;
  }

  return {
    get leads() {
      return leads;
    },
    get hubspotLeads() {
      return hubspotLeads;
    },
    deletions,
    get version() {
      return version;
    },
    bySalesforceId: (id) => bySalesforce.get(id),
    byHubspotId: (id) => byHubspot.get(id),
    next: (lead) => leads[((position.get(lead) ?? -1) + 1) % leads.length],
    similar(lead, count = 3) {
      const group = byIndustry.get(lead.salesforce.Industry ?? '') ?? [];
      const at = group.indexOf(lead);
      return Array.from({ length: Math.min(count, group.length - 1) }, (_, i) => group[(at + 1 + i) % group.length]);
    },
    ownerName: (id) => owner.get(id) ?? id,
    customValues(lead) {
      const values = custom.get(lead) ?? {};
      custom.set(lead, values);
      return values;
    },
    deleteLead(lead, at) {
      if (!position.has(lead)) throw new Error(`The demo CRM has no lead ${lead.salesforceId}`);
      leads = leads.filter((other) => other !== lead);
      hubspotLeads = hubspotLeads.filter((other) => other !== lead);
      position = new Map(leads.map((other, index) => [other, index]));
      bySalesforce.delete(lead.salesforceId);
      bySalesforce.delete(lead.salesforceId.slice(0, 15));
      byHubspot.delete(lead.hubspotId);
      const group = byIndustry.get(lead.salesforce.Industry ?? '') ?? [];
      group.splice(group.indexOf(lead), 1);
      deletions.push({ lead, at });
      deletions.sort((a, b) => a.at - b.at);
      version++;
    },
    mergeHubSpotContact(merged, into, at) {
      if (!byHubspot.has(merged.hubspotId) || !byHubspot.has(into.hubspotId)) throw new Error('The demo CRM merges only contacts it has');
      leaveHubSpot(merged);
      mergedInto.set(into, [...(mergedInto.get(into) ?? []), merged.hubspotId, ...(mergedInto.get(merged) ?? [])]);
      markModified(into, 'hubspot', at);
    },
    eraseHubSpotContact: leaveHubSpot,
    mergedHubSpotIds: (lead) => mergedInto.get(lead)?.join(';') ?? null,
    markModified,
    editLead(lead, crm, at) {
      const phone = `+1 555 0100 x${at}`;
      if (crm === 'salesforce') lead.salesforce.Phone = phone;
      else lead.hubspot.phone = phone;
      markModified(lead, crm, at);
    },
  };
}
