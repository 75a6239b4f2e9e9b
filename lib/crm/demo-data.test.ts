import { salesforceId18 } from './salesforce';
import { describe, expect, it } from 'vitest';
import { FeatureSpecListSchema } from '../ml/manifest';
import demoFeatureSpecJson from '../../models/demo-features.json';
import {
  DEMO_HISTORY_COLUMNS,
  HUBSPOT_PROPERTY_NAMES,
  SPECIAL_LEAD_IDS,
  XSS_PAYLOAD,
  demoHistoryRows,
  employeeRange,
  generateDemoLeads,
  specialDemoLeads,
  type DemoLead,
} from './demo-data';

const now = new Date('2026-11-01T00:00:00Z');
const leads = generateDemoLeads({ count: 5000, seed: 42, now });

const conversionRate = (group: DemoLead[]): number => group.filter((l) => l.converted).length / group.length;
const logit = (p: number): number => Math.log(p / (1 - p));
const share = <T>(items: T[], predicate: (item: T) => boolean): number => items.filter(predicate).length / items.length;

describe('generateDemoLeads', () => {
  it('gives the same leads for the same seed and now, and different leads for another seed', () => {
    expect(generateDemoLeads({ count: 200, seed: 42, now })).toEqual(leads.slice(0, 200));
    const other = generateDemoLeads({ count: 200, seed: 43, now });
    expect(other.map((l) => l.salesforce.Name)).not.toEqual(leads.slice(0, 200).map((l) => l.salesforce.Name));
  });

  it('converts about 10 % of leads', () => {
    expect(conversionRate(leads)).toBeGreaterThan(0.08);
    expect(conversionRate(leads)).toBeLessThan(0.12);
  });

  it('makes unique, well-formed ids in both CRMs', () => {
    const salesforceIds = new Set(leads.map((l) => l.salesforceId));
    const hubspotIds = new Set(leads.map((l) => l.hubspotId));
    expect(salesforceIds.size).toBe(leads.length);
    expect(hubspotIds.size).toBe(leads.length);
    for (const lead of leads.slice(0, 500)) {
      expect(lead.salesforceId).toMatch(/^00Q[0-9A-Za-z]{15}$/);
      expect(salesforceId18(lead.salesforceId.slice(0, 15))).toBe(lead.salesforceId);
      expect(lead.salesforce.Id).toBe(lead.salesforceId);
      expect(lead.hubspotId).toMatch(/^\d+$/);
      expect(lead.hubspot.hs_object_id).toBe(lead.hubspotId);
    }
  });

  it('gives HubSpot properties as strings or null, and Salesforce no web-engagement fields', () => {
    for (const lead of leads.slice(0, 500)) {
      expect(Object.keys(lead.hubspot).sort()).toEqual([...HUBSPOT_PROPERTY_NAMES].sort());
      for (const value of Object.values(lead.hubspot)) expect(value === null || typeof value === 'string').toBe(true);
      expect(Object.keys(lead.salesforce).some((k) => /visit|page|open|click/i.test(k))).toBe(false);
    }
  });

  it('fills the after-the-fact fields consistently with the outcome', () => {
    for (const { converted, salesforce: sf, hubspot: hs } of leads) {
      expect(sf.IsConverted).toBe(converted);
      expect(sf.ConvertedDate !== null).toBe(converted);
      expect(sf.Status === 'Closed - Converted').toBe(converted);
      expect(['opportunity', 'customer'].includes(hs.lifecyclestage ?? '')).toBe(converted);
      if (sf.Status === 'Open - Not Contacted') expect(sf.Rating).toBeNull();
      if (sf.ConvertedDate) expect(sf.ConvertedDate >= sf.CreatedDate.slice(0, 10)).toBe(true);
    }
  });

  it('spreads creation dates over ~18 months before now and keeps every date in the past', () => {
    const created = leads.map((l) => Date.parse(l.hubspot.createdate ?? ''));
    const days = created.map((ms) => (now.getTime() - ms) / 86_400_000);
    expect(Math.min(...days)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...days)).toBeGreaterThan(500);
    expect(Math.max(...days)).toBeLessThanOrEqual(550);
    for (const { salesforce: sf } of leads) {
      expect(sf.CreatedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
      expect(Date.parse(sf.LastModifiedDate)).toBeGreaterThanOrEqual(Date.parse(sf.CreatedDate));
      expect(Date.parse(sf.SystemModstamp)).toBeLessThanOrEqual(now.getTime());
    }
  });

  it('leaves many fields blank, and blanks carry information', () => {
    const sf = leads.map((l) => l.salesforce);
    for (const field of ['Title', 'Phone', 'Industry', 'AnnualRevenue', 'NumberOfEmployees', 'Country', 'LastActivityDate'] as const) {
      const missing = share(sf, (r) => r[field] === null);
      expect(missing, field).toBeGreaterThan(0.1);
      expect(missing, field).toBeLessThan(0.45);
    }
    const small = sf.filter((r) => r.NumberOfEmployees !== null && r.NumberOfEmployees < 20);
    const large = sf.filter((r) => r.NumberOfEmployees !== null && r.NumberOfEmployees >= 200);
    expect(share(small, (r) => r.AnnualRevenue === null)).toBeGreaterThan(share(large, (r) => r.AnnualRevenue === null) + 0.2);
    for (const { hubspot: hs } of leads) {
      if (hs.hs_analytics_num_visits === null) {
        expect(hs.hs_analytics_num_page_views).toBeNull();
        expect(hs.hs_analytics_last_url).toBeNull();
      } else {
        expect(Number(hs.hs_analytics_num_page_views)).toBeGreaterThanOrEqual(Number(hs.hs_analytics_num_visits));
      }
      if (hs.hs_email_click !== null) expect(Number(hs.hs_email_click)).toBeLessThanOrEqual(Number(hs.hs_email_open));
    }
  });

  it('makes conversion depend on fit and engagement, engagement more so for senior buyers', () => {
    const freeMail = /@(gmail|yahoo|outlook|hotmail|icloud|proton)\./;
    expect(conversionRate(leads.filter((l) => freeMail.test(l.salesforce.Email ?? '')))).toBeLessThan(
      conversionRate(leads.filter((l) => l.salesforce.Email !== null && !freeMail.test(l.salesforce.Email))),
    );
    const onPricingOrDemo = (l: DemoLead) => /\/(pricing|plans|demo|request-demo)/.test(l.hubspot.hs_analytics_last_url ?? '');
    expect(conversionRate(leads.filter(onPricingOrDemo))).toBeGreaterThan(1.5 * conversionRate(leads));

    const senior = (l: DemoLead) => /CEO|Chief|VP|Vice President|Director|Head of|CTO|CFO|COO|Founder/.test(l.salesforce.Title ?? '');
    const engaged = (l: DemoLead) => Number(l.hubspot.hs_analytics_num_visits ?? 0) >= 4;
    const lift = (group: DemoLead[]) => logit(conversionRate(group.filter(engaged))) - logit(conversionRate(group.filter((l) => !engaged(l))));
    const many = generateDemoLeads({ count: 20_000, seed: 1, now });
    expect(lift(many.filter(senior))).toBeGreaterThan(lift(many.filter((l) => !senior(l))) + 0.2);
  });

  it('maps head counts to HubSpot ranges', () => {
    expect([1, 5, 24, 25, 99, 100, 999, 1000, 50_000].map(employeeRange)).toEqual([
      '1-5', '5-25', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+', '1000+',
    ]);
  });
});

describe('specialDemoLeads', () => {
  const [xss, noDetails] = specialDemoLeads(now);

  it('has the XSS lead PAGES.md promises', () => {
    expect(xss.salesforceId).toBe(SPECIAL_LEAD_IDS.xss.salesforce);
    expect(xss.hubspotId).toBe(SPECIAL_LEAD_IDS.xss.hubspot);
    expect(xss.salesforce).toMatchObject({ Id: '00Q000000000XSSAAA', Title: XSS_PAYLOAD, Company: XSS_PAYLOAD });
    expect(xss.hubspot).toMatchObject({ hs_object_id: '9000001', jobtitle: XSS_PAYLOAD, company: XSS_PAYLOAD });
  });

  it('has the lead shown without details', () => {
    expect(noDetails.salesforce.Id).toBe('00Q000000000EMPAAA');
    expect(noDetails.hubspot.hs_object_id).toBe('9000002');
  });

  it('does not collide with generated ids', () => {
    const ids = new Set(leads.flatMap((l) => [l.salesforceId, l.hubspotId]));
    for (const lead of [xss, noDetails]) {
      expect(ids.has(lead.salesforceId)).toBe(false);
      expect(ids.has(lead.hubspotId)).toBe(false);
    }
  });
});

describe('demo features and history', () => {
  it('the feature spec validates and never reads leakage fields', () => {
    const specs = FeatureSpecListSchema.parse(demoFeatureSpecJson);
    const text = JSON.stringify(specs);
    for (const leak of ['Status', 'Rating', 'IsConverted', 'ConvertedDate', 'lifecyclestage', 'hs_lead_status']) {
      expect(text).not.toContain(`"${leak}"`);
    }
    expect(new Set(specs.map((s) => s.key)).size).toBe(specs.length);
  });

  it('writes one row per lead, half per CRM, blank where that CRM lacks the field', () => {
    const rows = demoHistoryRows({ count: 400, seed: 42, now });
    expect(rows).toHaveLength(400);
    expect(share(rows, (r) => r.crm === 'salesforce')).toBe(0.5);
    for (const row of rows) expect(Object.keys(row)).toEqual(DEMO_HISTORY_COLUMNS);
    const salesforceRows = rows.filter((r) => r.crm === 'salesforce');
    const hubspotRows = rows.filter((r) => r.crm === 'hubspot');
    expect(salesforceRows.every((r) => r.web_visits === '' && r.last_page_url === '')).toBe(true);
    expect(hubspotRows.some((r) => r.web_visits !== '')).toBe(true);
    expect(salesforceRows[0].lead_source).toMatch(/^[A-Z][a-z]/); // Salesforce picklist value, e.g. "Web"
    expect(hubspotRows.every((r) => /^[A-Z_]+$/.test(r.lead_source))).toBe(true); // e.g. ORGANIC_SEARCH
    const converted = generateDemoLeads({ count: 400, seed: 42, now }).map((l) => (l.converted ? '1' : '0'));
    expect(rows.map((r) => r.converted)).toEqual(converted);
  });
});
