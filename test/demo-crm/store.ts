/** The demo CRM's records, indexed the ways its pages and APIs look them up. */
import type { DemoLead, DemoOwner } from '../../lib/crm/demo-data';

export interface DemoStore {
  readonly leads: readonly DemoLead[];
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
}

export function createDemoStore(leads: readonly DemoLead[], owners: readonly DemoOwner[]): DemoStore {
  const bySalesforce = new Map<string, DemoLead>();
  const byHubspot = new Map<string, DemoLead>();
  const position = new Map<DemoLead, number>();
  const byIndustry = new Map<string, DemoLead[]>();
  leads.forEach((lead, index) => {
    bySalesforce.set(lead.salesforceId, lead);
    bySalesforce.set(lead.salesforceId.slice(0, 15), lead);
    byHubspot.set(lead.hubspotId, lead);
    position.set(lead, index);
    const industry = lead.salesforce.Industry ?? '';
    byIndustry.set(industry, [...(byIndustry.get(industry) ?? []), lead]);
  });
  const custom = new Map<DemoLead, Record<string, string | number>>();
  const owner = new Map(owners.flatMap((o) => [[o.salesforceId, o.name], [o.hubspotId, o.name]]));

  return {
    leads,
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
  };
}
