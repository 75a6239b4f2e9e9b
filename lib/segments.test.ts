import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  collectFilterChoices,
  compareRows,
  filterLeads,
  leadSourceChoices,
  leadSourceWords,
  leadsToWork,
  mostLikelyFirst,
  NO_FILTERS,
  offeredFilters,
  readsNotConvertedAsLost,
  segmentFigures,
  shownName,
  TIERS,
  type RuleOutcome,
  type ScoredLeadRow,
} from './segments';
import type { Manifest } from './ml/manifest';
import { outcomeOf, outcomeSettled } from './ml/outcome-rule';
import { outcomeCandidates } from './ml/train/outcome-suggestions';
import { suggestCsvMapping } from './csv/mapping';

const DAY = 86_400_000;
const NOW = 100 * DAY;

function row(overrides: Partial<ScoredLeadRow>): ScoredLeadRow {
  return {
    leadKey: 'salesforce|1', source: 'salesforce', recordId: '1', name: 'Ada', owner: 'Dana', leadSource: 'Web',
    createdAt: NOW - DAY, outcome: null, probability: 0.5, score: 50, tier: 'warm', topReason: 'x', ...overrides,
  };
}

const rows = [
  row({ name: 'Bo', tier: 'hot', probability: 0.6, outcome: 1 }),
  row({ name: 'Al', tier: 'hot', probability: 0.8, outcome: 0, owner: 'Priya' }),
  row({ name: 'Cy', tier: 'hot', probability: 0.7, outcome: null, leadSource: 'Webinar', createdAt: NOW - 40 * DAY }),
  row({ name: 'Di', tier: 'cold', probability: 0.01, outcome: 0 }),
];

describe('segmentFigures', () => {
  const thresholds = { hot: 0.5, warm: 0.2 };
  const settled = NOW - 45 * DAY;
  const old = rows.map((r) => ({ ...r, createdAt: settled }));

  it('counts each tier with its share and the conversion rate among leads with a known outcome', () => {
    const stats = segmentFigures(old, NOW).stats;
    expect(stats.hot).toEqual({ count: 3, share: 0.75, withOutcome: 2, conversionRate: 0.5 });
    expect(stats.warm).toEqual({ count: 0, share: 0, withOutcome: 0, conversionRate: null });
    expect(stats.cold).toEqual({ count: 1, share: 0.25, withOutcome: 1, conversionRate: 0 });
  });

  it('leaves leads created in the last 30 days out of the conversion rate: not converted yet, they may still', () => {
    const hot = [
      row({ tier: 'hot', outcome: 1, createdAt: settled }),
      row({ tier: 'hot', outcome: 0, createdAt: settled }),
      // Being worked: stored as not converted (IsConverted false), a week old.
      row({ tier: 'hot', outcome: 0, createdAt: NOW - 7 * DAY }),
      row({ tier: 'hot', outcome: 0, createdAt: NOW - 29 * DAY }),
      // Converted already: left out too, or young leads would raise the rate as the others lowered it.
      row({ tier: 'hot', outcome: 1, createdAt: NOW - 2 * DAY }),
      // No created date (a file without one): counted, as training counts it.
      row({ tier: 'hot', outcome: 1, createdAt: 0 }),
    ];
    expect(segmentFigures(hot, NOW).stats.hot).toEqual({ count: 6, share: 1, withOutcome: 3, conversionRate: 2 / 3 });
  });

  it("counts an imported file's lead by its age at the file's latest created date, a synced one by its age now", () => {
    const exported = NOW - 200 * DAY;
    const leads = [
      // A week old at the export, months old now: its 'not converted' is of then.
      row({ source: 'csv', tier: 'hot', outcome: 0, createdAt: exported - 7 * DAY }),
      row({ source: 'csv', tier: 'hot', outcome: 1, createdAt: exported - 90 * DAY }),
      // A week old at the file's date, months old now: synced, its outcome counts. Converted, unlike the
      // young imported lead, so that counting each by the other's date gives another rate.
      row({ source: 'salesforce', tier: 'hot', outcome: 1, createdAt: exported - 7 * DAY }),
    ];
    expect(segmentFigures(leads, NOW, undefined, exported).stats.hot).toMatchObject({ withOutcome: 2, conversionRate: 1 });
    expect(segmentFigures(leads, NOW).stats.hot).toMatchObject({ withOutcome: 3, conversionRate: 2 / 3 });
  });

  it("counts the outcomes by the model's rule when given, not the stored ones nor their age: those say which leads count", () => {
    const warm = [
      row({ leadKey: 'a', outcome: 0, createdAt: settled }),
      row({ leadKey: 'b', outcome: 1, createdAt: settled }),
      row({ leadKey: 'c', outcome: 0, createdAt: NOW - DAY }),
    ];
    // By the rule: a converted (stored 0), b still being worked (stored 1), c converted and learnt from (a day old, held out at 0.3: warm).
    const outcomes = new Map([
      ['a', { outcome: 1 as const, heldOutProbability: null }],
      ['c', { outcome: 1 as const, heldOutProbability: 0.3 }],
    ]);
    expect(segmentFigures(warm, NOW, { outcomes, thresholds }).stats.warm).toEqual({ count: 3, share: 1, withOutcome: 2, conversionRate: 1 });
    // A model without a rule (the bundled model): the stored outcomes of the leads 30 or more days old.
    expect(segmentFigures(warm, NOW).stats.warm).toEqual({ count: 3, share: 1, withOutcome: 2, conversionRate: 0.5 });
    // The outcomes by the rule not read yet: no rate, rather than the stored outcomes.
    expect(segmentFigures(warm, NOW, null).stats.warm).toEqual({ count: 3, share: 1, withOutcome: 0, conversionRate: null });
  });

  it('counts a lead the model learnt from in the rate of the tier of its held-out probability, by the thresholds given, while its stored tier keeps it in the counts', () => {
    const learntFrom = [
      // Scored hot by the model that learnt it converted; a check model that never saw it put it at 0.05: cold.
      row({ leadKey: 'flattered', tier: 'hot', probability: 0.9 }),
      row({ leadKey: 'held-hot', tier: 'hot', probability: 0.8 }),
      row({ leadKey: 'new', tier: 'cold', probability: 0.05 }),
    ];
    const outcomes = new Map([
      ['flattered', { outcome: 1 as const, heldOutProbability: 0.05 }],
      ['held-hot', { outcome: 0 as const, heldOutProbability: 0.7 }],
      ['new', { outcome: 0 as const, heldOutProbability: null }],
    ]);
    const stats = segmentFigures(learntFrom, NOW, { outcomes, thresholds }).stats;
    expect(stats.hot).toEqual({ count: 2, share: 2 / 3, withOutcome: 1, conversionRate: 0 });
    expect(stats.warm).toEqual({ count: 0, share: 0, withOutcome: 0, conversionRate: null });
    expect(stats.cold).toEqual({ count: 1, share: 1 / 3, withOutcome: 2, conversionRate: 0.5 });
    // The model's thresholds now (a tier policy applied since): 0.05 is warm by them.
    expect(segmentFigures(learntFrom, NOW, { outcomes, thresholds: { hot: 0.5, warm: 0.01 } }).stats.warm).toEqual({ count: 0, share: 0, withOutcome: 1, conversionRate: 1 });
  });

  it('counts a lead the model learnt from by its cross-fitted probability when told to, as a value or fixed policy is counted, and by its held-out one otherwise', () => {
    const learntFrom = [row({ leadKey: 'flattered', tier: 'hot', probability: 0.9 }), row({ leadKey: 'new', tier: 'cold', probability: 0.05 })];
    // Hot (0.6) through the calibration its outcome fitted; warm (0.3) through one fitted without its fold.
    const outcomes = new Map<string, RuleOutcome>([
      ['flattered', { outcome: 1, heldOutProbability: 0.6, crossFittedProbability: 0.3 }],
      ['new', { outcome: 0, heldOutProbability: null }],
    ]);
    const rates = (crossFitted: boolean) => {
      const { stats } = segmentFigures(learntFrom, NOW, { outcomes, thresholds, crossFitted });
      return TIERS.map((tier) => [stats[tier].count, stats[tier].withOutcome]);
    };
    expect(rates(true)).toEqual([[1, 0], [0, 1], [1, 1]]);
    expect(rates(false)).toEqual([[1, 1], [0, 0], [1, 1]]);
  });

  it('says whether leads with no created date are among those whose outcome counts, as the rates count them', () => {
    const undated = row({ leadKey: 'csv|u', source: 'csv', createdAt: 0, outcome: 1 });
    const dated = row({ createdAt: NOW - 40 * DAY, outcome: 0 });
    expect(segmentFigures([undated], NOW).undated).toBe('all');
    expect(segmentFigures([undated, dated], NOW).undated).toBe('some');
    expect(segmentFigures([dated, { ...undated, outcome: null }], NOW).undated).toBe('none');
    // By a rule: only the leads it gives a counted outcome.
    const outcomes = new Map([[dated.leadKey, { outcome: 0 as const, heldOutProbability: null }]]);
    expect(segmentFigures([undated, dated], NOW, { outcomes, thresholds: { hot: 0.5, warm: 0.2 } }).undated).toBe('none');
    expect(segmentFigures([undated, dated], NOW, null).undated).toBe('none');
  });
});

describe('filterLeads', () => {
  it('keeps the leads of an owner, a lead source, and a creation window', () => {
    expect(filterLeads(rows, { ...NO_FILTERS, owner: 'Priya' }, NOW).map((r) => r.name)).toEqual(['Al']);
    expect(filterLeads(rows, { ...NO_FILTERS, leadSource: 'Webinar' }, NOW).map((r) => r.name)).toEqual(['Cy']);
    expect(filterLeads(rows, { ...NO_FILTERS, createdWithinDays: 30 }, NOW).map((r) => r.name)).toEqual(['Bo', 'Al', 'Di']);
    // No filter: the rows themselves, not a copy of 100,000 of them.
    expect(filterLeads(rows, NO_FILTERS, NOW)).toBe(rows);
  });

  it("counts an imported file's leads' days back from the file's latest created date, a CRM's from now", () => {
    // The file was exported 8 days ago: its leads are as they were then.
    const fileDate = NOW - 8 * DAY;
    const mixed = [
      row({ name: 'File, 3 days before its date', leadKey: 'csv|1', source: 'csv', createdAt: fileDate - 3 * DAY }),
      row({ name: 'File, 20 days before its date', leadKey: 'csv|2', source: 'csv', createdAt: fileDate - 20 * DAY }),
      row({ name: 'CRM, 2 days ago', createdAt: NOW - 2 * DAY }),
      row({ name: 'CRM, 9 days ago', createdAt: NOW - 9 * DAY }),
    ];
    const lastWeek = { ...NO_FILTERS, createdWithinDays: 7 };
    expect(filterLeads(mixed, lastWeek, NOW, undefined, fileDate).map((r) => r.name)).toEqual(['File, 3 days before its date', 'CRM, 2 days ago']);
    // No file date (none stored, or its latest is of today): every lead from now.
    expect(filterLeads(mixed, lastWeek, NOW).map((r) => r.name)).toEqual(['CRM, 2 days ago']);
  });

  it("keeps in the last N days a file of created dates alone's N days, none of them N or more days old, as the figures count it", () => {
    // A file of dates alone, each read as midnight UTC, its latest Nov 29: the last 7 days are Nov 23 to 29.
    const fileDate = Date.UTC(2026, 10, 29);
    const dayOfFile = (day: number) => row({ name: `Nov ${day}`, leadKey: `csv|${day}`, source: 'csv', createdAt: Date.UTC(2026, 10, day) });
    const days = [21, 22, 23, 29].map(dayOfFile);
    const lastWeek = filterLeads(days, { ...NO_FILTERS, createdWithinDays: 7 }, Date.UTC(2026, 11, 15), undefined, fileDate);
    expect(lastWeek.map((r) => r.name)).toEqual(['Nov 23', 'Nov 29']);
    // Each lead is either in the last 7 days or 7 or more days old, never both.
    for (const lead of days) expect(lastWeek.includes(lead), lead.name).toBe(!outcomeSettled(lead.createdAt, fileDate, 7));
  });

  it('keeps, for a lead source as the filter words it, the leads of every stored value worded so', () => {
    const word = (value: string) => (value === 'SOCIAL_MEDIA' ? 'Organic Social' : value);
    const sources = [row({ name: 'Hu', leadSource: 'SOCIAL_MEDIA' }), row({ name: 'Cs', leadSource: 'Organic Social' }), row({ name: 'We', leadSource: 'Web' })];
    expect(leadSourceChoices(['Organic Social', 'SOCIAL_MEDIA', 'Web'], word)).toEqual(['Organic Social', 'Web']);
    expect(filterLeads(sources, { ...NO_FILTERS, leadSource: 'Organic Social' }, NOW, word).map((r) => r.name)).toEqual(['Hu', 'Cs']);
    expect(offeredFilters({ ...NO_FILTERS, leadSource: 'Organic Social' }, { owner: [], leadSource: ['SOCIAL_MEDIA'] }, word).leadSource).toBe('Organic Social');
    // The stored value is no choice of its own once worded otherwise.
    expect(offeredFilters({ ...NO_FILTERS, leadSource: 'SOCIAL_MEDIA' }, { owner: [], leadSource: ['SOCIAL_MEDIA'] }, word).leadSource).toBeNull();
  });
});

describe('leadSourceWords', () => {
  const portalLabels = { SOCIAL_MEDIA: 'Organic Social', OFFLINE: 'Offline Sources' };
  const readingSources = (labels: Record<string, string>) =>
    ({ features: [{ derive: { kind: 'value', from: { hubspot: 'hs_analytics_source' }, optionLabels: { hubspot: labels } } }] }) as unknown as Manifest;
  // A model trained on Salesforce: it reads LeadSource, and knows no HubSpot label.
  const salesforceTrained = { features: [{ derive: { kind: 'value', from: { salesforce: 'LeadSource' } } }] } as unknown as Manifest;

  it("words HubSpot's sources by the labels its portal's last sync kept, whichever model is active, one that never read the property too", () => {
    const word = leadSourceWords(salesforceTrained, portalLabels);
    expect(['SOCIAL_MEDIA', 'OFFLINE', 'Web', 'PAID_SOCIAL'].map(word)).toEqual(['Organic Social', 'Offline Sources', 'Web', 'PAID_SOCIAL']);
    expect(leadSourceChoices(['OFFLINE', 'SOCIAL_MEDIA', 'Web'], word)).toEqual(['Offline Sources', 'Organic Social', 'Web']);
    expect(leadSourceWords(undefined, portalLabels)('SOCIAL_MEDIA')).toBe('Organic Social');
  });

  it("prefers the portal's labels to the model's, which word the values the portal labels none", () => {
    const word = leadSourceWords(readingSources({ SOCIAL_MEDIA: 'Social Media', PAID_SOCIAL: 'Paid Social' }), portalLabels);
    expect(['SOCIAL_MEDIA', 'PAID_SOCIAL', 'OFFLINE'].map(word)).toEqual(['Organic Social', 'Paid Social', 'Offline Sources']);
    // No labels kept (no sync by this version, another portal's): the model's alone, as before.
    expect(leadSourceWords(readingSources({ SOCIAL_MEDIA: 'Social Media' }))('SOCIAL_MEDIA')).toBe('Social Media');
    expect(leadSourceWords(salesforceTrained)('SOCIAL_MEDIA')).toBe('SOCIAL_MEDIA');
  });
});

describe('mostLikelyFirst', () => {
  it('orders rows the most likely first, keeping equal ones in their order, without changing its input', () => {
    const input = [row({ name: 'a', probability: 0.5 }), row({ name: 'b', probability: 0.9 }), row({ name: 'c', probability: 0.1 }), row({ name: 'd', probability: 0.5 })];
    expect(mostLikelyFirst(input).map((r) => r.name)).toEqual(['b', 'a', 'd', 'c']);
    expect(input.map((r) => r.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(mostLikelyFirst([])).toEqual([]);
  });

  it('orders many rows as a stable sort of the rows would', () => {
    let probability = 0.123;
    const many = Array.from({ length: 350 }, (_, i) => row({ name: String(i), probability: (probability = Math.round(((probability * 9301 + 0.49297) % 1) * 40) / 40) }));
    expect(mostLikelyFirst(many).map((r) => r.name)).toEqual([...many].sort((a, b) => b.probability - a.probability).map((r) => r.name));
  });
});

describe('leadsToWork', () => {
  it('leaves out the leads of the tier that converted already, counting them, and keeps those not known to have', () => {
    const tier = [row({ name: 'Won', probability: 0.95, outcome: 1 }), row({ name: 'Lost', probability: 0.9, outcome: 0 }), row({ name: 'Open', probability: 0.8, outcome: null })];
    const { leads, converted } = leadsToWork([...tier, row({ name: 'Cold won', tier: 'cold', outcome: 1 })], 'warm', { key: 'score', descending: true });
    expect(leads.map((r) => r.name)).toEqual(['Lost', 'Open']);
    expect(converted).toBe(1);
  });

  it("leaves out the leads converted by the active model's rule, not by their stored outcome, as the rates count them", () => {
    // A model trained on HubSpot's "customer": contacts at "opportunity" are stored as converted (opportunity or later) but have not converted by its rule.
    const contact = (id: string, outcome: 0 | 1 | null, probability: number) => row({ leadKey: `hubspot|${id}`, source: 'hubspot', recordId: id, name: id, outcome, probability, tier: 'hot' });
    const tier = [contact('Opportunity', 1, 0.9), contact('Customer', 1, 0.8), contact('Customer stored as not', 0, 0.7), contact('Too new to know', 1, 0.6), row({ name: 'Salesforce', tier: 'hot', outcome: 1, probability: 0.5 })];
    const byRule = new Map([
      ['hubspot|Opportunity', { outcome: 0 as const, heldOutProbability: null }],
      ['hubspot|Customer', { outcome: 1 as const, heldOutProbability: 0.3 }],
      ['hubspot|Customer stored as not', { outcome: 1 as const, heldOutProbability: null }],
    ]);
    const order = { key: 'score', descending: true } as const;
    const { leads, converted, byStatus } = leadsToWork(tier, 'hot', order, { source: 'hubspot', outcomes: byRule });
    // Not known converted by the rule (open by it, or too new and not converted): still to work. Another source's lead goes by its CRM's status.
    expect(leads.map((r) => r.name)).toEqual(['Opportunity', 'Too new to know']);
    expect({ converted, byStatus }).toEqual({ converted: 3, byStatus: 1 });
    // A model without a rule, or while its rule's outcomes are read: the stored outcomes.
    expect(leadsToWork(tier, 'hot', order)).toMatchObject({ converted: 4, byStatus: 4 });
    expect(leadsToWork(tier, 'hot', order).leads.map((r) => r.name)).toEqual(['Customer stored as not']);
  });

  it("reads the stored outcome of a lead of the rule's source that has none by the rule (a demo lead outside its history), and leaves it out of the rates", () => {
    const contact = (id: string, outcome: 0 | 1) => row({ leadKey: `hubspot|${id}`, source: 'hubspot', recordId: id, name: id, outcome, tier: 'hot' });
    const tier = [contact('Demo customer', 1), contact('Demo lead', 0), contact('Own lead', 0)];
    const outcomes = new Map([
      ['hubspot|Demo customer', { outcome: null, heldOutProbability: null }],
      ['hubspot|Demo lead', { outcome: null, heldOutProbability: null }],
      ['hubspot|Own lead', { outcome: 0 as const, heldOutProbability: null }],
    ]);
    const { leads, converted, byStatus } = leadsToWork(tier, 'hot', { key: 'score', descending: true }, { source: 'hubspot', outcomes });
    expect(leads.map((r) => r.name).sort()).toEqual(['Demo lead', 'Own lead']);
    expect({ converted, byStatus }).toEqual({ converted: 1, byStatus: 1 });
    expect(segmentFigures(tier, NOW, { outcomes, thresholds: { hot: 0.5, warm: 0.2 } }).stats.hot).toEqual({ count: 3, share: 1, withOutcome: 1, conversionRate: 0 });
  });

  it("leaves out a file's leads closed without converting by a rule that names the values still open, counting them, and keeps a CRM's leads not converted", () => {
    const fileLead = (id: string, outcome: 0 | 1 | null, probability: number, madeUp?: true) =>
      row({ leadKey: `csv|${id}`, source: 'csv', recordId: id, name: id, outcome, probability, tier: 'hot', ...(madeUp && { madeUp }) });
    const tier = [
      fileLead('Won', 1, 0.99),
      fileLead('Closed - Not Converted', 0, 0.98),
      fileLead('Lost last week', 0, 0.97),
      fileLead('Working', null, 0.96),
      fileLead('Demo lead', 0, 0.95, true),
      // Salesforce's IsConverted false: maybe still being worked.
      row({ name: 'Salesforce not converted', tier: 'hot', outcome: 0, probability: 0.94 }),
    ];
    const order = { key: 'score', descending: true } as const;
    // A model trained on the file by `"Status" is Closed - Converted (still open while Working)`: too new to count, the lead lost last week is still no lead to work.
    const outcomes = new Map([
      ['csv|Won', { outcome: 1 as const, heldOutProbability: null }],
      ['csv|Closed - Not Converted', { outcome: 0 as const, heldOutProbability: null }],
      ['csv|Lost last week', { outcome: 0 as const, heldOutProbability: null, uncounted: true as const }],
      ['csv|Demo lead', { outcome: null, heldOutProbability: null }],
    ]);
    const byRule = leadsToWork(tier, 'hot', order, { source: 'csv', outcomes, notConvertedIsLost: true });
    expect(byRule.leads.map((r) => r.name)).toEqual(['Working', 'Demo lead', 'Salesforce not converted']);
    expect(byRule).toMatchObject({ converted: 1, byStatus: 0, lost: 2, lostByStatus: 0 });
    // A rule that names no value still open: its "not converted" may be open, and stays.
    expect(leadsToWork(tier, 'hot', order, { source: 'csv', outcomes }).leads.map((r) => r.name)).toEqual([
      'Closed - Not Converted', 'Lost last week', 'Working', 'Demo lead', 'Salesforce not converted',
    ]);
    // A model without a rule: by the outcomes stored at import, closed when the import's rule named the values still open.
    const byImport = leadsToWork(tier, 'hot', order, undefined, true);
    expect(byImport.leads.map((r) => r.name)).toEqual(['Working', 'Demo lead', 'Salesforce not converted']);
    expect(byImport).toMatchObject({ converted: 1, byStatus: 1, lost: 2, lostByStatus: 2 });
    expect(leadsToWork(tier, 'hot', order)).toMatchObject({ converted: 1, lost: 0 });
  });

  it("reads a rule's not converted as lost only for a file's leads, and only when the rule names the values still open", () => {
    expect(readsNotConvertedAsLost({ openValues: ['Working'] }, 'csv')).toBe(true);
    expect(readsNotConvertedAsLost({ openStatus: { field: 'Lead Status', values: ['Working - Contacted'] } }, 'csv')).toBe(true);
    expect(readsNotConvertedAsLost({}, 'csv')).toBe(false);
    expect(readsNotConvertedAsLost({ openValues: [] }, 'csv')).toBe(false);
    // A CRM's "not converted" may be a lead still worked: a HubSpot lifecycle rule names "other" open, not the stages before opportunity.
    expect(readsNotConvertedAsLost({ openValues: ['other'] }, 'hubspot')).toBe(false);
    expect(readsNotConvertedAsLost({ openStatus: { field: 'Status', values: ['Working - Contacted'] } }, 'salesforce')).toBe(false);
  });

  it("keeps a HubSpot export's contacts before opportunity to work when its suggested rule leaves out one at Other, which names no lead being worked", () => {
    const stages = ['Subscriber', 'Lead', 'Marketing Qualified Lead', 'Sales Qualified Lead', 'Opportunity', 'Customer', 'Other'];
    const rule = suggestCsvMapping(['Record ID', 'First Name', 'Lifecycle Stage'], outcomeCandidates({ 'Lifecycle Stage': stages })).outcome!;
    expect(rule.openValues).toEqual(['Other']);
    expect(readsNotConvertedAsLost(rule, 'csv')).toBe(false);
    const contact = (id: string, stage: string): ScoredLeadRow =>
      row({ leadKey: `csv|${id}`, source: 'csv', recordId: id, name: stage, tier: 'hot', outcome: outcomeOf({ 'Lifecycle Stage': stage }, rule) });
    const listed = leadsToWork([contact('1', 'Sales Qualified Lead'), contact('2', 'Lead'), contact('3', 'Customer')], 'hot', { key: 'score', descending: true }, undefined, readsNotConvertedAsLost(rule, 'csv'));
    expect(listed.leads.map((lead) => lead.recordId)).toEqual(['1', '2']);
    expect(listed).toMatchObject({ converted: 1, lost: 0 });
  });

  it('sorts a tier by score or by name, either way', () => {
    const open = rows.map((r) => ({ ...r, outcome: null }));
    expect(leadsToWork(open, 'hot', { key: 'score', descending: true }).leads.map((r) => r.name)).toEqual(['Al', 'Cy', 'Bo']);
    expect(leadsToWork(open, 'hot', { key: 'score', descending: false }).leads.map((r) => r.name)).toEqual(['Bo', 'Cy', 'Al']);
    expect(leadsToWork(open, 'hot', { key: 'name', descending: false }).leads.map((r) => r.name)).toEqual(['Al', 'Bo', 'Cy']);
  });
  it('sorts by name as the lists show it: a lead stored without a visible name by its fallback ("Contact 100002")', () => {
    const contact = (id: string, name: string, probability: number) => row({ leadKey: `hubspot|${id}`, source: 'hubspot', recordId: id, name, probability });
    const tier = [contact('1', 'Aaron Abbott', 0.9), contact('2', 'Zoe Zhang', 0.8), contact('100002', '', 0.7), contact('3', 'Bea Berg', 0.6), contact('4', '\u200B', 0.65)];
    const shownAtoZ = leadsToWork(tier, 'warm', { key: 'name', descending: false }).leads.map(shownName);
    expect(shownAtoZ).toEqual(['Aaron Abbott', 'Bea Berg', 'Contact 100002', 'Contact 4', 'Zoe Zhang']);
    expect(leadsToWork(tier, 'warm', { key: 'name', descending: true }).leads.map(shownName)).toEqual([...shownAtoZ].reverse());
    // Compared one pair at a time (the table's own test does so), the same order.
    expect([...tier].sort((a, b) => compareRows(a, b, { key: 'name', descending: false })).map(shownName)).toEqual(shownAtoZ);
  });

  it('orders ties by probability, most likely first', () => {
    const tied = [row({ name: 'X', probability: 0.2 }), row({ name: 'X', probability: 0.9 })];
    expect(leadsToWork(tied, 'warm', { key: 'name', descending: true }).leads.map((r) => r.probability)).toEqual([0.9, 0.2]);
  });

  describe('by a text column', () => {
    afterEach(() => vi.restoreAllMocks());
    const names = ['émile', 'Bo', 'al', 'Émile', 'Zoë', 'zoe'].map((name, i) => row({ name, topReason: name, probability: i / 10 }));

    it('ignores case and accents, ties going to the more likely lead', () => {
      const expected = ['al', 'Bo', 'Émile', 'émile', 'zoe', 'Zoë'];
      expect(leadsToWork(names, 'warm', { key: 'name', descending: false }).leads.map((r) => r.name)).toEqual(expected);
      expect(leadsToWork(names, 'warm', { key: 'topReason', descending: false }).leads.map((r) => r.topReason)).toEqual(expected);
    });

    it('compares with one shared collator: localeCompare with options builds one per call (seconds for 40,000 leads)', () => {
      const localeCompare = vi.spyOn(String.prototype, 'localeCompare');
      leadsToWork(names, 'warm', { key: 'name', descending: true });
      expect(localeCompare).not.toHaveBeenCalled();
    });
  });
});

/** The filter choices of `rows`, added in two chunks as the side panel loads them. */
function choicesOf(rows: readonly ScoredLeadRow[]) {
  const collected = collectFilterChoices();
  collected.add(rows.slice(0, 2));
  collected.add(rows.slice(2));
  return collected.choices();
}

it('lists the distinct owners and lead sources for the filters, over every chunk added, sorted', () => {
  expect(choicesOf(rows)).toEqual({ owner: ['Dana', 'Priya'], leadSource: ['Web', 'Webinar'] });
});

it('offers the leads with no owner or no lead source as a choice of their own (first), only when some lead has none', () => {
  const unowned = [...rows, row({ name: 'Ed', owner: '', leadSource: '' })];
  const choices = choicesOf(unowned);
  expect(choices).toEqual({ owner: ['', 'Dana', 'Priya'], leadSource: ['', 'Web', 'Webinar'] });
  // Every lead is under one owner choice: the owners' counts add up to all the leads.
  expect(choices.owner.map((owner) => filterLeads(unowned, { ...NO_FILTERS, owner }, NOW).length)).toEqual([1, 3, 1]);
  expect(filterLeads(unowned, { ...NO_FILTERS, leadSource: '' }, NOW).map((r) => r.name)).toEqual(['Ed']);
  expect(offeredFilters({ ...NO_FILTERS, owner: '', leadSource: '' }, choices)).toEqual({ ...NO_FILTERS, owner: '', leadSource: '' });
  // Once every lead has an owner and a source again, the choice goes, and so does the filter.
  expect(offeredFilters({ ...NO_FILTERS, owner: '', leadSource: '' }, choicesOf(rows))).toEqual(NO_FILTERS);
});

it('drops a chosen owner or source the leads no longer have, so the filter applies what its select shows', () => {
  // The owner was chosen while the sync had stored ids; the leads now carry names.
  const chosen = { owner: '005000000000001', leadSource: 'Webinar', createdWithinDays: 30 };
  const offered = offeredFilters(chosen, choicesOf(rows));
  expect(offered).toEqual({ owner: null, leadSource: 'Webinar', createdWithinDays: 30 });
  expect(offeredFilters({ ...chosen, leadSource: 'Trade show' }, choicesOf(rows)).leadSource).toBeNull();
  expect(offeredFilters({ ...NO_FILTERS, owner: 'Priya' }, choicesOf(rows)).owner).toBe('Priya');
});
