import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { generateDemoLeads } from '../crm/demo-data';
import type { RawRecord } from '../ml/featurize';
import { featuresNotRead, whatWouldMakeHotter } from '../ml/insights';
import { fieldsRead, parseManifest, type Manifest } from '../ml/manifest';
import type { ScoredLead } from '../messaging/protocol';
import type { OpenLead } from '../messaging/protocol-leads';
import { isolatedText, planChangeInWords } from '../presentation';
import { explainInFull } from './open-lead';
import { scoreLead, type CachedScoreEntry, type ScoringDeps } from './score-lead';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

let manifest: Manifest;
let session: ort.InferenceSession;
// A contact whose record has an industry and a country, for the merge's checks.
const lead = generateDemoLeads({ count: 50, seed: 21, now: new Date('2026-11-01T00:00:00Z') }).find(
  (demo) => demo.hubspot.industry !== null && demo.hubspot.country !== null,
)!;
const HOUR = 3_600_000;

beforeAll(async () => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  manifest = parsed.manifest;
  session = await ort.InferenceSession.create('models/model.onnx');
});

/** The real model, a cache that keeps `scoredAt`, a clock the test moves, and an API that counts its reads. */
function setup(api: RawRecord | null | Error) {
  const cache = new Map<string, CachedScoreEntry>();
  const calls = { api: 0, engine: 0 };
  const fieldsAsked: (readonly string[])[] = [];
  let clock = Date.UTC(2026, 10, 2);
  const deps: ScoringDeps = {
    activeManifest: async () => manifest,
    runModel: async (_id, rows, featureCount) => {
      calls.engine++;
      const out = await session.run({ features: new ort.Tensor('float32', rows, [1, featureCount]) });
      return { probability: out.probability.data as Float32Array, contributions: [out.contributions.data as Float32Array] };
    },
    cache: {
      get: async (key) => cache.get(key),
      put: async (key, entry) => void cache.set(key, { ...entry, scoredAt: clock }),
    },
    now: () => new Date(clock),
    fetchRecord: async (_crm, _recordId, fields) => {
      calls.api++;
      fieldsAsked.push(fields);
      if (api instanceof Error) throw api;
      return api;
    },
    staleAfterMs: 24 * HOUR,
  };
  return { deps, cache, calls, fieldsAsked, advance: (ms: number) => void (clock += ms) };
}

/** The side panel's explanation of a lead that has fields to score. */
async function explained(...args: Parameters<typeof explainInFull>) {
  const outcome = await explainInFull(...args);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.lead;
}

const reasonValue = (scored: Pick<ScoredLead, 'reasons'>, label: string) => scored.reasons.find((reason) => reason.label === label)?.value;
const request = (fields: Record<string, string>) => ({ crm: 'hubspot' as const, recordId: lead.hubspotId, fields });

describe('scoreLead with the CRM API', () => {
  it('scores the full record from the API, not only the fields the page shows', async () => {
    const pageOnly = await scoreLead(request({ jobtitle: 'VP Sales' }), { ...setup(null).deps, fetchRecord: undefined });
    const api = setup(lead.hubspot);
    const withApi = await scoreLead(request({ jobtitle: 'VP Sales' }), api.deps);
    if (!pageOnly.ok || !withApi.ok) throw new Error('both should score');
    // Asked for the fields the scoring model reads, each once, and no other.
    expect(api.fieldsAsked).toEqual([fieldsRead(manifest.features, 'hubspot')]);
    expect(api.fieldsAsked[0]).toEqual(expect.arrayContaining(['jobtitle', 'industry']));
    expect(withApi.lead.featuresKnown).toBeGreaterThan(pageOnly.lead.featuresKnown);
    expect(reasonValue(withApi.lead, 'Industry')).toBe(lead.hubspot.industry);
  });

  it('scores the API’s value over the text the page shows, and the page’s where the API has none', async () => {
    // The page shows a picklist's label and a number in the viewer's locale; the API has the data the model learned from.
    const { deps } = setup({ ...lead.hubspot, industry: 'Retail', numemployees: '1200', country: null });
    const outcome = await scoreLead(request({ industry: 'Retail trade', numemployees: '1.200', country: 'France' }), deps);
    if (!outcome.ok) throw new Error(outcome.error);
    expect(reasonValue(outcome.lead, 'Industry')).toBe('Retail');
    expect(reasonValue(outcome.lead, 'Employees')).toBe('1,200');
    expect(reasonValue(outcome.lead, 'Country')).toBe('France');
  });

  it("words a synced number as the model's dollars, and as the page shows it only where the page shows the number scored", async () => {
    const revenueSaid = async (api: RawRecord, page: Record<string, string>) => {
      const outcome = await scoreLead({ ...request(page), locale: 'de-DE' }, setup({ ...lead.hubspot, ...api }).deps);
      if (!outcome.ok) throw new Error(outcome.error);
      return reasonValue(outcome.lead, 'Annual revenue');
    };
    // The API's number, the page showing none or another (the API's value wins): as LeadLens words the model's numbers.
    expect(await revenueSaid({ annualrevenue: 1200000 }, { jobtitle: 'VP Sales' })).toBe('$1,200,000');
    expect(await revenueSaid({ annualrevenue: '1200000' }, { annualrevenue: '€1.300.000' })).toBe('$1,200,000');
    // The page shows the number scored, or fills the API's empty value: as the page shows it.
    expect(await revenueSaid({ annualrevenue: 1200000 }, { annualrevenue: '€1.200.000' })).toBe('€1.200.000');
    expect(await revenueSaid({ annualrevenue: null }, { annualrevenue: '€1.200.000' })).toBe('€1.200.000');
  });

  it('answers from the cache until the score is stale, then reads the record again', async () => {
    const { deps, calls, advance } = setup(lead.hubspot);
    await scoreLead(request({ jobtitle: 'VP Sales' }), deps);
    advance(23 * HOUR);
    await scoreLead(request({ jobtitle: 'VP Sales' }), deps);
    expect(calls).toEqual({ api: 1, engine: 1 });
    advance(2 * HOUR);
    await scoreLead(request({ jobtitle: 'VP Sales' }), deps);
    expect(calls).toEqual({ api: 2, engine: 2 });
  });

  it('scores the page’s fields when the API cannot be read, or the record is not there', async () => {
    for (const api of [new Error('network down'), null]) {
      const { deps } = setup(api);
      const outcome = await scoreLead(request({ jobtitle: 'VP Sales', industry: 'Banking' }), deps);
      if (!outcome.ok) throw new Error(outcome.error);
      expect(reasonValue(outcome.lead, 'Industry')).toBe('Banking');
      expect(reasonValue(outcome.lead, 'Country')).toBe('not known');
    }
  });

  it('keeps no score of the page’s fields after the record read failed: the next visit reads the record again', async () => {
    const { deps, calls } = setup(new Error('The CRM did not answer within 10 s'));
    const page = request({ jobtitle: 'VP Sales', industry: 'Banking' });
    const failed = await scoreLead(page, deps);
    if (!failed.ok) throw new Error(failed.error);
    expect(reasonValue(failed.lead, 'Industry')).toBe('Banking');
    // The CRM answers again: the same page fields are scored from the record, and that score is kept.
    const answering = { ...deps, fetchRecord: async () => (calls.api++, { ...lead.hubspot, industry: 'Retail' }) };
    const read = await scoreLead(page, answering);
    if (!read.ok) throw new Error(read.error);
    expect(calls.api).toBe(2);
    expect(reasonValue(read.lead, 'Industry')).toBe('Retail');
    await scoreLead(page, answering);
    expect(calls).toEqual({ api: 2, engine: 2 });
  });

  it('keeps the score of the page’s fields when the CRM is not connected or has no such record: asking again would not change it', async () => {
    const { deps, calls } = setup(null);
    const page = request({ jobtitle: 'VP Sales', industry: 'Banking' });
    await scoreLead(page, deps);
    await scoreLead(page, deps);
    expect(calls).toEqual({ api: 1, engine: 1 });
  });

  it('explains the open lead in the side panel from the fields its badge scored, without reading the record again', async () => {
    const { deps, calls } = setup({ ...lead.hubspot, industry: 'Retail' });
    const page = request({ jobtitle: 'VP Sales', industry: 'Banking' });
    const badge = await scoreLead(page, deps);
    if (!badge.ok) throw new Error(badge.error);
    const explainDeps = { ...deps, manifest };
    const panel = await explained(page, 'A lead', explainDeps);
    expect(calls).toEqual({ api: 1, engine: 2 });
    expect(panel.probability).toBe(badge.lead.probability);
    expect(panel.score).toBe(badge.lead.score);
    expect(panel.featuresKnown).toBe(badge.lead.featuresKnown);
    expect(panel.reasons).toEqual(badge.lead.reasons);
    expect(reasonValue(panel, 'Industry')).toBe('Retail');
    // Nothing cached and no API: the page's fields alone, as the badge would score them.
    const pageOnly = await explained(page, 'A lead', { ...setup(null).deps, fetchRecord: undefined, manifest });
    expect(pageOnly.featuresKnown).toBeLessThan(panel.featuresKnown);
  });

  it('reads the record itself when the badge has no fresh score with its fields for these page fields', async () => {
    const { deps, cache, calls, advance } = setup({ ...lead.hubspot, industry: 'Retail' });
    const page = request({ jobtitle: 'VP Sales' });
    const explainDeps = { ...deps, manifest };
    await scoreLead(page, deps);
    // the page now shows other fields than the badge scored
    expect(reasonValue(await explained(request({ jobtitle: 'CEO' }), 'A lead', explainDeps), 'Industry')).toBe('Retail');
    expect(calls.api).toBe(2);
    // the badge's score went stale
    advance(25 * HOUR);
    await explained(page, 'A lead', explainDeps);
    expect(calls.api).toBe(3);
    // a score cached before the fields were kept with it
    advance(-25 * HOUR);
    for (const [key, entry] of cache) cache.set(key, { ...entry, fields: undefined });
    await explained(page, 'A lead', explainDeps);
    expect(calls.api).toBe(4);
  });

  it('gives the badge the side panel’s plan, from the record the API read and from the page alone, which knows fewer fields', async () => {
    /** The side panel's plan for its lead (OpenLeadView's call), in the badge's words. */
    const panelPlan = (open: OpenLead) => {
      // As OpenLeadView: none for a lead converted already (a demo contact at opportunity or customer).
      if (open.converted) return undefined;
      const plan = whatWouldMakeHotter(
        { ...manifest, tiers: { ...manifest.tiers, ...open.tiers } },
        open.row.map((cell) => cell ?? Number.NaN),
        open.contributions,
        open.crm,
        open.tier,
        open.fieldsRead,
        open.valuesAsWritten,
      );
      if (!plan || plan.changes.length === 0) return undefined;
      // As the side panel says beside it: the fields it could not weigh, the page not showing them.
      const notOnPage = featuresNotRead(manifest, open.row.map((cell) => cell ?? Number.NaN), open.crm, open.fieldsRead).planned;
      return {
        targetTier: plan.targetTier,
        reaches: plan.reaches,
        changes: plan.changes.map((change) => planChangeInWords(change, isolatedText).join('')),
        ...(notOnPage.length > 0 && { notOnPage: notOnPage.map(isolatedText) }),
      };
    };
    const demoLeads = generateDemoLeads({ count: 30, seed: 5, now: new Date('2026-11-01T00:00:00Z') });
    let planned = 0;
    let differ = 0;
    let withFieldsNotShown = 0;
    for (const demo of demoLeads) {
      const page = { crm: 'hubspot' as const, recordId: demo.hubspotId, fields: { jobtitle: demo.hubspot.jobtitle ?? '', hs_analytics_num_visits: String(demo.hubspot.hs_analytics_num_visits ?? '') } };
      const withApi = setup(demo.hubspot).deps;
      const pageAlone = { ...setup(null).deps, fetchRecord: undefined };
      const badges = [await scoreLead(page, withApi), await scoreLead(page, pageAlone)];
      const panels = [await explained(page, 'A lead', { ...withApi, manifest }), await explained(page, 'A lead', { ...pageAlone, manifest })];
      badges.forEach((badge, i) => {
        if (!badge.ok) throw new Error(badge.error);
        expect(badge.lead.hotter).toEqual(panelPlan(panels[i]));
        if (badge.lead.hotter) planned++;
      });
      if (badges[0].ok && badges[1].ok && JSON.stringify(badges[0].lead.hotter) !== JSON.stringify(badges[1].lead.hotter)) differ++;

      // A page showing every property but the e-mail counts, scored from it alone: the plan says it left those out.
      const withoutEmailCounts = Object.fromEntries(Object.entries(demo.hubspot).flatMap(([name, value]) => (/^hs_email_(open|click)$/.test(name) ? [] : [[name, String(value ?? '')]])));
      const fuller = { ...page, fields: withoutEmailCounts };
      const badge = await scoreLead(fuller, pageAlone);
      if (!badge.ok) throw new Error(badge.error);
      expect(badge.lead.hotter).toEqual(panelPlan(await explained(fuller, 'A lead', { ...pageAlone, manifest })));
      if (badge.lead.hotter?.notOnPage) withFieldsNotShown++;
    }
    expect(planned).toBeGreaterThan(0);
    // The page alone shows few fields: its plan, changing none it does not show, is another, and says which it left out.
    expect(differ).toBeGreaterThan(0);
    expect(withFieldsNotShown).toBeGreaterThan(0);
  });
});
