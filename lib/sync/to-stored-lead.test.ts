import { describe, expect, it } from 'vitest';
import { HUBSPOT_LIFECYCLE_ORDER, lifecycleOrder } from '../crm/hubspot-lifecycle';
import { hubspotOutcome, ownerIdOf, toStoredLead, withoutFields } from './to-stored-lead';

describe('hubspotOutcome', () => {
  it.each([
    ['subscriber', 0],
    ['salesqualifiedlead', 0],
    ['opportunity', 1],
    ['customer', 1],
    ['evangelist', 1],
    ['other', null],
    [null, null],
  ] as const)('%s → %s', (stage, outcome) => {
    expect(hubspotOutcome(stage)).toBe(outcome);
  });

  it('takes another conversion stage when the admin chooses one', () => {
    expect(hubspotOutcome('opportunity', HUBSPOT_LIFECYCLE_ORDER, 'customer')).toBe(0);
  });
});

describe("a HubSpot contact's outcome in the portal's own order of lifecycle stages", () => {
  const PQL = '1234567';
  const CLOSED_WON = '7654321';
  /** A portal with a stage of its own before opportunity (Product Qualified Lead) and one after it (Closed Won), as `lifecycleStages` lists them. */
  const portalOrder = lifecycleOrder(['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', PQL, 'opportunity', CLOSED_WON, 'customer', 'evangelist', 'other']);
  const contact = (lifecyclestage: string | null) => ({ id: '12', modifiedAt: 1, fields: { createdate: '2026-01-02T03:04:05.000Z', lifecyclestage } });

  it("stores a contact at the portal's own stage as converted from opportunity on, and as not converted before it, where it stored none", () => {
    expect(toStoredLead('hubspot', contact(PQL), new Map(), portalOrder).outcome).toBe(0);
    expect(toStoredLead('hubspot', contact(CLOSED_WON), new Map(), portalOrder).outcome).toBe(1);
    expect(toStoredLead('hubspot', contact('opportunity'), new Map(), portalOrder).outcome).toBe(1);
    expect(toStoredLead('hubspot', contact('salesqualifiedlead'), new Map(), portalOrder).outcome).toBe(0);
  });

  it('stores no outcome for "other", a stage the portal does not list, or none', () => {
    for (const stage of ['other', '999', null]) expect([stage, toStoredLead('hubspot', contact(stage), new Map(), portalOrder).outcome]).toEqual([stage, null]);
  });

  it("follows a portal that moved a stage: customer before opportunity is not converted", () => {
    const moved = lifecycleOrder(['subscriber', 'lead', 'customer', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'evangelist']);
    expect(hubspotOutcome('customer', moved)).toBe(0);
    expect(hubspotOutcome('evangelist', moved)).toBe(1);
  });

  it("counts from the stage the Training form suggests in a portal without opportunity: the first past the middle of its order", () => {
    const withoutOpportunity = lifecycleOrder(['subscriber', 'lead', PQL, 'salesqualifiedlead', CLOSED_WON, 'other']);
    expect(['subscriber', 'lead', PQL, 'salesqualifiedlead', CLOSED_WON].map((stage) => hubspotOutcome(stage, withoutOpportunity))).toEqual([0, 0, 0, 1, 1]);
    // Not a default stage the portal does not list.
    expect(hubspotOutcome('opportunity', withoutOpportunity)).toBeNull();
  });

  it("follows HubSpot's default order without the portal's stages: its own stages say nothing there", () => {
    expect(toStoredLead('hubspot', contact(PQL)).outcome).toBeNull();
    expect(toStoredLead('hubspot', contact('opportunity')).outcome).toBe(1);
    expect(toStoredLead('hubspot', contact('lead'), new Map(), lifecycleOrder([])).outcome).toBe(0);
    expect(toStoredLead('hubspot', contact(PQL), new Map(), lifecycleOrder(['other'])).outcome).toBeNull();
  });

  it("reads the outcome again in the portal's order as fields are dropped or read again", () => {
    const stored = toStoredLead('hubspot', { ...contact(PQL), fields: { ...contact(PQL).fields, jobtitle: 'CTO' } });
    expect(stored.outcome).toBeNull();
    expect(withoutFields('hubspot', stored, new Set(['jobtitle']), portalOrder)).toMatchObject({ outcome: 0, fields: { lifecyclestage: PQL } });
    expect(withoutFields('hubspot', stored, new Set(), portalOrder).outcome).toBe(0);
    expect(withoutFields('hubspot', stored, new Set()).outcome).toBeNull();
  });
});

describe('toStoredLead', () => {
  it('reads the indexed Salesforce fields', () => {
    const lead = toStoredLead('salesforce', {
      id: '00Q5g00000008HDEAY',
      modifiedAt: 5,
      fields: { Id: '00Q5g00000008HDEAY', Name: 'Ada Lovelace', OwnerId: '005A', LeadSource: null, CreatedDate: '2026-01-02T03:04:05.000+0000', IsConverted: true },
    });
    expect(lead).toMatchObject({ key: 'salesforce|00Q5g00000008HDEAY', name: 'Ada Lovelace', owner: '005A', leadSource: '', createdAt: Date.parse('2026-01-02T03:04:05Z'), modifiedAt: 5, outcome: 1, origin: 'sync' });
  });

  it('stores the owner by name when it is known, else by id', () => {
    const record = (OwnerId: string | null) => ({ id: '00Q5g00000008HDEAY', modifiedAt: 5, fields: { Name: 'Ada Lovelace', OwnerId, CreatedDate: '2026-01-02T03:04:05Z', IsConverted: false } });
    const names = new Map([['005Dn000001abcXYZ', 'Dana Whitfield']]);
    expect(toStoredLead('salesforce', record('005Dn000001abcXYZ'), names).owner).toBe('Dana Whitfield');
    expect(toStoredLead('salesforce', record('005Dn000001abcXYA'), names).owner).toBe('005Dn000001abcXYA');
    expect(toStoredLead('salesforce', record(null), names).owner).toBe('');
    const contact = { id: '12', modifiedAt: 1, fields: { hubspot_owner_id: '81234567', createdate: '2026-01-02T03:04:05.000Z' } };
    expect(toStoredLead('hubspot', contact, new Map([['81234567', 'Marcus Oyelaran']])).owner).toBe('Marcus Oyelaran');
    expect(ownerIdOf('hubspot', contact)).toBe('81234567');
    expect(ownerIdOf('salesforce', record(null))).toBeNull();
  });

  it('names the field, never the value, when a type changed', () => {
    const convert = () => toStoredLead('salesforce', { id: '00Q5g00000008HDEAY', modifiedAt: 5, fields: { Name: 'Ada Lovelace', CreatedDate: '2026-01-02T03:04:05Z', IsConverted: 'yes' } });
    expect(convert).toThrow(/IsConverted/);
    expect(convert).not.toThrow(/Ada/);
  });

  it('names a HubSpot contact by first and last name, or e-mail', () => {
    const lead = toStoredLead('hubspot', { id: '12', modifiedAt: 1, fields: { email: 'a@b.example', createdate: '2026-01-02T03:04:05.000Z', lifecyclestage: 'lead', hs_lastmodifieddate: '2026-01-02T03:04:05.000Z' } });
    expect(lead).toMatchObject({ key: 'hubspot|12', name: 'a@b.example', outcome: 0 });
  });

  it('names a HubSpot contact with no name or e-mail (only a phone number) as the demo does, never blank', () => {
    const lead = toStoredLead('hubspot', { id: '42', modifiedAt: 0, fields: { createdate: '2025-01-01T00:00:00Z', phone: '+1 555 0100', firstname: null, lastname: null, email: null } });
    expect(lead.name).toBe('Contact 42');
  });
});

describe('fields without a value', () => {
  it('are not stored: a HubSpot contact keeps only its filled properties of those asked for', () => {
    const fields = { createdate: '2026-01-02T03:04:05.000Z', firstname: 'Ada', lastname: null, email: null, jobtitle: 'CTO', hs_analytics_source: null, custom_score: 0, custom_opt_in: false, custom_notes: '' };
    const lead = toStoredLead('hubspot', { id: '12', modifiedAt: 1, fields });
    expect(lead.fields).toEqual({ createdate: '2026-01-02T03:04:05.000Z', firstname: 'Ada', jobtitle: 'CTO', custom_score: 0, custom_opt_in: false, custom_notes: '' });
    expect(lead).toMatchObject({ name: 'Ada', leadSource: '', owner: '' });
  });

  it('are not stored of a Salesforce Lead either, and a lead is the same whatever empty fields the CRM was asked for', () => {
    const record = (extra: Record<string, null>) => ({ id: '00Q5g00000008HDEAY', modifiedAt: 5, fields: { Name: 'Ada Lovelace', CreatedDate: '2026-01-02T03:04:05Z', IsConverted: false, OwnerId: null, ...extra } });
    const lead = toStoredLead('salesforce', record({}));
    expect(lead.fields).toEqual({ Name: 'Ada Lovelace', CreatedDate: '2026-01-02T03:04:05Z', IsConverted: false });
    expect(toStoredLead('salesforce', record({ New_Field__c: null, Rating: null }))).toEqual(lead);
  });

  it('go when a lead’s fields are read again, whether its indexed fields can be read or not', () => {
    const stored = toStoredLead('salesforce', { id: '00Q5g00000008HDEAY', modifiedAt: 5, fields: { Name: 'Ada Lovelace', CreatedDate: '2026-01-02T03:04:05Z', IsConverted: false, Days_Open__c: 3 } });
    const emptied = { ...stored, fields: { ...stored.fields, Days_Open__c: null } };
    expect(withoutFields('salesforce', emptied, new Set()).fields).toEqual({ Name: 'Ada Lovelace', CreatedDate: '2026-01-02T03:04:05Z', IsConverted: false });
    expect(withoutFields('salesforce', emptied, new Set(['Name'])).fields).toEqual({ CreatedDate: '2026-01-02T03:04:05Z', IsConverted: false });
  });
});

describe('withoutFields', () => {
  const fields = { Id: '00Q5g00000008HDEAY', Name: 'Ada Lovelace', OwnerId: '005A', LeadSource: 'Web', CreatedDate: '2026-01-02T03:04:05.000+0000', IsConverted: true, AnnualRevenue: 5e6 };
  const stored = toStoredLead('salesforce', { id: '00Q5g00000008HDEAY', modifiedAt: 5, fields }, new Map([['005A', 'Grace Hopper']]));

  it('drops the fields, and what is indexed from them; the owner keeps its name', () => {
    const { AnnualRevenue: _revenue, LeadSource: _source, ...kept } = fields;
    expect(withoutFields('salesforce', stored, new Set(['AnnualRevenue', 'LeadSource']))).toEqual({ ...stored, leadSource: '', fields: kept });
    expect(withoutFields('salesforce', stored, new Set(['OwnerId'])).owner).toBe('');
  });

  it('keeps what is indexed when it cannot be read without them', () => {
    const { Name: _name, ...kept } = fields;
    expect(withoutFields('salesforce', stored, new Set(['Name']))).toEqual({ ...stored, fields: kept });
  });
});
