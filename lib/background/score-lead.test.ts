import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoLeads } from '../crm/demo-data';
import { startingPoint } from '../ml/explain';
import { featuresNotRead, modelHasShapes, whatWouldMakeHotter } from '../ml/insights';
import { fieldsRead, parseManifest, type Manifest } from '../ml/manifest';
import { ScoreResponseSchema, type ScoredLead } from '../messaging/protocol';
import { isolatedText, planChangeInWords } from '../presentation';
import { explainInFull } from './open-lead';
import { MODEL_GAVE_NO_SCORE, NO_READABLE_FIELDS, scoreLead, scoredFields, type CachedScoreEntry, type EngineRows, type ScoringDeps } from './score-lead';

let manifest: Manifest;
let session: ort.InferenceSession;
const now = new Date('2026-11-01T00:00:00Z');
const [lead] = generateDemoLeads({ count: 1, seed: 7, now });

beforeAll(async () => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  manifest = parsed.manifest;
  session = await ort.InferenceSession.create('models/model.onnx');
});

/** The bundled model's run on one row, in onnxruntime-node. */
async function runBundled(rows: Float32Array, featureCount: number) {
  const out = await session.run({ features: new ort.Tensor('float32', rows, [rows.length / featureCount, featureCount]) });
  return { probability: out.probability.data as Float32Array, contributions: [out.contributions.data as Float32Array] };
}

/** The real model in onnxruntime-node, a map as the cache, and a count of engine runs. */
function deps() {
  const cache = new Map<string, { fieldsHash: string; lead: ScoredLead }>();
  const runs: number[] = [];
  const value: ScoringDeps = {
    activeManifest: async () => manifest,
    runModel: async (_modelId, rows, featureCount) => {
      runs.push(rows.length / featureCount);
      return runBundled(rows, featureCount);
    },
    cache: { get: async (key) => cache.get(key), put: async (key, entry) => void cache.set(key, entry) },
    now: () => now,
  };
  return { value, runs };
}

const fields = Object.fromEntries(
  Object.entries(lead.hubspot).flatMap(([key, value]) => (value === null ? [] : [[key, String(value)]])),
);

describe('scoreLead', () => {
  it('says whether LeadLens’s default model scored the lead, through the message to the badge', async () => {
    const { value } = deps();
    const request = { crm: 'hubspot' as const, recordId: lead.hubspotId, fields };
    const byDefault = await scoreLead(request, value);
    // A model trained in LeadLens names the leads it learned from, not the demo file.
    const trained: Manifest = { ...manifest, modelId: 'trained', provenance: { ...manifest.provenance, source: 'hubspot leads' } };
    const byTrained = await scoreLead(request, { ...value, activeManifest: async () => trained });
    expect(ScoreResponseSchema.parse(byDefault)).toMatchObject({ ok: true, lead: { modelLearntFromMadeUpLeads: true } });
    expect(ScoreResponseSchema.parse(byTrained)).toMatchObject({ ok: true, lead: { modelLearntFromMadeUpLeads: false } });
  });

  it("says so of a model trained in LeadLens on Demo mode's made-up leads too: the badge names it as it names the default model", async () => {
    const { value } = deps();
    const onDemoLeads: Manifest = { ...manifest, modelId: 'trained-on-demo', provenance: { ...manifest.provenance, source: 'hubspot demo leads', referenceTime: now.toISOString(), demoLeads: true } };
    const scored = await scoreLead({ crm: 'hubspot', recordId: lead.hubspotId, fields }, { ...value, activeManifest: async () => onDemoLeads });
    expect(ScoreResponseSchema.parse(scored)).toMatchObject({ ok: true, lead: { modelLearntFromMadeUpLeads: true } });
  });

  it('scores a lead with the model and explains every term', async () => {
    const { value } = deps();
    const outcome = await scoreLead({ crm: 'hubspot', recordId: lead.hubspotId, fields }, value);
    if (!outcome.ok) throw new Error(outcome.error);
    expect(outcome.lead.score).toBeGreaterThanOrEqual(1);
    expect(outcome.lead.score).toBeLessThanOrEqual(99);
    expect(outcome.lead.reasons).toHaveLength(manifest.terms.length);
    // Strongest first.
    const sizes = outcome.lead.reasons.map((r) => Math.abs(r.points));
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    expect(outcome.lead.featuresKnown).toBeGreaterThan(manifest.features.length / 2);
    expect(outcome.lead.modelId).toBe(manifest.modelId);
    // The thresholds its tier was set by, for the badge to word its probability by.
    expect(outcome.lead.tiers).toEqual({ hot: manifest.tiers.hot, warm: manifest.tiers.warm });
  });

  it('gives the badge reasons on the odds of the probability it shows: from the starting point they add up to its log-odds', async () => {
    const { value } = deps();
    let contributions: ArrayLike<number> = [];
    const outcome = await scoreLead(
      { crm: 'hubspot', recordId: lead.hubspotId, fields },
      {
        ...value,
        runModel: async (_modelId, rows, featureCount) => {
          const output = await runBundled(rows, featureCount);
          contributions = output.contributions[0];
          return output;
        },
      },
    );
    if (!outcome.ok) throw new Error(outcome.error);
    const { probability, reasons } = outcome.lead;
    // The bundled model's Platt calibration (a = 0.85) is not the identity: the model's own points would miss it.
    expect(manifest.calibration.kind).toBe('platt');
    const end = reasons.reduce((sum, reason) => sum + reason.points, startingPoint(manifest, contributions, 'hubspot'));
    expect(end).toBeCloseTo(Math.log(probability / (1 - probability)), 5);
  });

  it('answers from the cache while fields and model are unchanged, and rescores when a field changes', async () => {
    const { value, runs } = deps();
    const request = { crm: 'hubspot' as const, recordId: lead.hubspotId, fields };
    const first = await scoreLead(request, value);
    const second = await scoreLead(request, value);
    expect(second).toEqual(first);
    expect(runs).toEqual([1]);
    await scoreLead({ ...request, fields: { ...fields, hs_analytics_num_visits: '40' } }, value);
    expect(runs).toEqual([1, 1]);
  });

  it('caches only the fields the model reads, and the side panel explains the lead the same from them', async () => {
    const cache = new Map<string, CachedScoreEntry>();
    const value = { ...deps().value, cache: { get: async (key: string) => cache.get(key), put: async (key: string, entry: CachedScoreEntry) => void cache.set(key, entry) } };
    const request = { crm: 'hubspot' as const, recordId: lead.hubspotId, fields: { ...fields, notes: 'Called about her divorce; wants a quote', hs_persona: 'persona_1' } };
    await scoreLead(request, value);
    const [entry] = cache.values();
    const read = fieldsRead(manifest.features, 'hubspot');
    expect(Object.keys(entry.fields ?? {}).length).toBeGreaterThan(0);
    expect(Object.keys(entry.fields ?? {}).every((name) => read.includes(name))).toBe(true);
    expect(JSON.stringify(entry)).not.toContain('divorce');
    // What the side panel explains: the cached fields, scored as the badge scored them.
    const { fields: explained } = await scoredFields(manifest, request, value);
    const rescored = await scoreLead({ ...request, recordId: 'other', fields: explained as Record<string, string> }, value);
    if (!rescored.ok) throw new Error(rescored.error);
    expect(rescored.lead.probability).toBe(entry.lead.probability);
    expect(rescored.lead.reasons).toEqual(entry.lead.reasons);
  });

  it("reads a page's numbers and dates in the page's locale: a German page scores as the same lead's data", async () => {
    const big = generateDemoLeads({ count: 300, seed: 7, now }).find(
      ({ salesforce: sf }) => Number(sf.NumberOfEmployees) >= 1000 && sf.AnnualRevenue !== null && sf.LastActivityDate !== null,
    )!;
    const sf = big.salesforce;
    const asData = { AnnualRevenue: String(sf.AnnualRevenue), NumberOfEmployees: String(sf.NumberOfEmployees), CreatedDate: String(sf.CreatedDate), LastActivityDate: String(sf.LastActivityDate) };
    const german = new Intl.NumberFormat('de-DE');
    const day = (iso: string) => new Date(iso).toLocaleDateString('de-DE', { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' });
    const page = {
      AnnualRevenue: `${german.format(Number(sf.AnnualRevenue))} $`, // e.g. 2.500.000 $
      NumberOfEmployees: german.format(Number(sf.NumberOfEmployees)),
      CreatedDate: `${day(String(sf.CreatedDate))}, 00:00`,
      LastActivityDate: day(`${String(sf.LastActivityDate)}T00:00:00Z`),
    };
    const { value: sharedCache } = deps();
    const score = async (fields: Record<string, string>, locale?: string) => {
      const outcome = await scoreLead({ crm: 'salesforce', recordId: big.salesforceId, fields, locale }, sharedCache);
      if (!outcome.ok) throw new Error(outcome.error);
      return outcome.lead.probability;
    };
    // CreatedDate as data carries its time; the page shows the day at midnight: compare it so.
    const expected = await score({ ...asData, CreatedDate: `${String(sf.CreatedDate).slice(0, 10)}T00:00:00Z` });
    expect(await score(page, 'de-DE')).toBeCloseTo(expected, 6);
    // Without a locale, its revenue (2.500.000) shows the page's decimal comma.
    expect(await score(page)).toBeCloseTo(expected, 6);
    // Nothing showing it, read alone (or the score cached for the German page taken for it), 1.234 employees are 1.234
    const withoutRevenue = { NumberOfEmployees: page.NumberOfEmployees, CreatedDate: page.CreatedDate, LastActivityDate: page.LastActivityDate };
    const germanWithoutRevenue = await score(withoutRevenue, 'de-DE');
    expect(await score(withoutRevenue)).not.toBeCloseTo(germanWithoutRevenue, 3);
  });

  it("words the popover's numbers as a German page shows them, not as the model's dollars and en-US digits restate them", async () => {
    const { value } = deps();
    const score = async (fields: Record<string, string>, locale: string) => {
      const outcome = await scoreLead({ crm: 'salesforce', recordId: '00Q000000000EURAAA', fields, locale }, value);
      if (!outcome.ok) throw new Error(outcome.error);
      return (label: string) => outcome.lead.reasons.find((reason) => reason.label === label)?.value;
    };
    const german = await score({ AnnualRevenue: '€1.200.000', NumberOfEmployees: '1.500', Title: 'VP Sales' }, 'de-DE');
    // Before: "$1,200,000", and "1,500", which a German reader takes for 1.5.
    expect(german('Annual revenue')).toBe('€1.200.000');
    expect(german('Employees')).toBe('1.500');
    expect(german('Annual revenue with Employees')).toBe('€1.200.000 · 1.500');
    // Scored as the same lead's data: the page's text is only how a reason words it.
    const asData = await scoreLead({ crm: 'salesforce', recordId: '00Q000000000USDAAA', fields: { AnnualRevenue: '1200000', NumberOfEmployees: '1500', Title: 'VP Sales' }, locale: 'en-US' }, value);
    const asGerman = await scoreLead({ crm: 'salesforce', recordId: '00Q000000000EURAAA', fields: { AnnualRevenue: '€1.200.000', NumberOfEmployees: '1.500', Title: 'VP Sales' }, locale: 'de-DE' }, value);
    if (!asData.ok || !asGerman.ok) throw new Error('both should score');
    expect(asGerman.lead.probability).toBe(asData.lead.probability);
    expect(asData.lead.reasons.find((reason) => reason.label === 'Annual revenue')?.value).toBe('$1,200,000');
  });

  it("reads a page's times in the page's time zone, as the instants the API sends, and scores them anew in another zone", async () => {
    const { value, runs } = deps();
    // 7 PM on 1 March in Los Angeles is 3 AM on 2 March UTC; in Kolkata, 7 PM on 1 March is 13:30 UTC.
    const page = { Company: 'Acme', NumberOfEmployees: '120', CreatedDate: '3/1/2026, 7:00 PM' };
    const inZone = (timeZone: string) => ({ crm: 'salesforce' as const, recordId: '00Q000000000TZAAAA', fields: page, locale: 'en-US', timeZone });
    expect((await scoredFields(manifest, inZone('America/Los_Angeles'), value)).fields.CreatedDate).toBe('2026-03-02T03:00:00.000Z');
    expect((await scoredFields(manifest, inZone('Asia/Kolkata'), value)).fields.CreatedDate).toBe('2026-03-01T13:30:00.000Z');
    await scoreLead(inZone('America/Los_Angeles'), value);
    await scoreLead(inZone('America/Los_Angeles'), value);
    expect(runs).toHaveLength(1);
    await scoreLead(inZone('Asia/Kolkata'), value);
    expect(runs).toHaveLength(2);
  });

  it('says so when the page gave no field the model reads, without running the model', async () => {
    const { value, runs } = deps();
    const outcome = await scoreLead({ crm: 'salesforce', recordId: '00Q000000000EMPAAA', fields: { Name: 'Empty Details' } }, value);
    expect(outcome).toEqual({ ok: false, error: NO_READABLE_FIELDS });
    expect(runs).toEqual([]);
  });

  // An imported model's NaN for a lead missing a field: NaN in process, null from the offscreen engine.
  it.each<[string, (output: EngineRows) => EngineRows]>([
    ['a NaN probability', (output) => ({ ...output, probability: [Number.NaN] })],
    ['an infinite probability', (output) => ({ ...output, probability: [Number.POSITIVE_INFINITY] })],
    ['a null probability', (output) => ({ ...output, probability: [null] })],
    ['a NaN contribution', (output) => ({ ...output, contributions: [Array.from(output.contributions[0], (c, t) => (t === 1 ? Number.NaN : c))] })],
    ['a null contribution', (output) => ({ ...output, contributions: [Array.from(output.contributions[0], (c, t) => (t === 1 ? null : c))] })],
  ])('says the model gave no score, and caches none, for %s', async (_case, alter) => {
    const { value, runs } = deps();
    const unscorable = { ...value, runModel: async (...args: Parameters<ScoringDeps['runModel']>) => alter(await value.runModel(...args)) };
    const request = { crm: 'hubspot' as const, recordId: lead.hubspotId, fields };
    expect(await scoreLead(request, unscorable)).toEqual({ ok: false, error: MODEL_GAVE_NO_SCORE });
    await scoreLead(request, unscorable);
    expect(runs).toEqual([1, 1]);
  });

  describe('what would make the lead hotter, for the badge', () => {
    const demoLeads = generateDemoLeads({ count: 40, seed: 3, now });
    const requestOf = (demo: (typeof demoLeads)[number]) => ({
      crm: 'hubspot' as const,
      recordId: demo.hubspotId,
      fields: Object.fromEntries(Object.entries(demo.hubspot).flatMap(([key, value]) => (value === null ? [] : [[key, String(value)]]))),
    });
    /** Each demo lead's badge reply, and the plan the side panel works out for it (OpenLeadView's call, on `explainInFull`'s lead). */
    async function badgeAndPanel() {
      const { value } = deps();
      return Promise.all(
        demoLeads.map(async (demo) => {
          const request = requestOf(demo);
          const badge = await scoreLead(request, value);
          const open = await explainInFull(request, 'A lead', { ...value, manifest });
          if (!badge.ok || !open.ok) throw new Error('every demo lead scores');
          const { lead } = open;
          const tieredAsTheLead: Manifest = { ...manifest, tiers: { ...manifest.tiers, ...lead.tiers } };
          const row = lead.row.map((cell) => cell ?? Number.NaN);
          // As OpenLeadView: no plan for a lead converted already (a demo contact at opportunity or customer).
          const plan = lead.converted ? null : whatWouldMakeHotter(tieredAsTheLead, row, lead.contributions, lead.crm, lead.tier, lead.fieldsRead, lead.valuesAsWritten);
          // What the side panel says beside the plan: the fields it could not weigh, the page not showing them.
          const notOnPage = featuresNotRead(manifest, row, lead.crm, lead.fieldsRead).planned;
          return { badge: ScoreResponseSchema.parse(badge), plan, notOnPage };
        }),
      );
    }

    it('sends the side panel’s plan for a record, its target tier and each change in the panel’s words', async () => {
      expect(modelHasShapes(manifest)).toBe(true);
      const scored = await badgeAndPanel();
      const planned = scored.filter(({ plan }) => plan && plan.changes.length > 0);
      expect(planned.length).toBeGreaterThan(0);
      for (const { badge, plan, notOnPage } of scored) {
        if (!badge.ok) throw new Error('scored');
        if (!plan || plan.changes.length === 0) {
          expect(badge.lead.hotter).toBeUndefined();
          continue;
        }
        expect(badge.lead.hotter).toEqual({
          targetTier: plan.targetTier,
          reaches: plan.reaches,
          changes: plan.changes.map((change) => planChangeInWords(change, isolatedText).join('')),
          ...(notOnPage.length > 0 && { notOnPage: notOnPage.map(isolatedText) }),
        });
      }
    });

    it('sends none for a hot lead, nor for a model without shape functions', async () => {
      const scored = await badgeAndPanel();
      const hot = scored.filter(({ badge }) => badge.ok && badge.lead.tier === 'hot');
      expect(hot.length).toBeGreaterThan(0);
      for (const { badge } of hot) expect(badge.ok && badge.lead.hotter).toBeUndefined();

      const planned = demoLeads.find((_, i) => scored[i].plan?.changes.length);
      const shapeless: Manifest = { ...manifest, modelId: 'shapeless', terms: manifest.terms.map(({ shape: _shape, ...term }) => term) };
      const outcome = await scoreLead(requestOf(planned!), { ...deps().value, activeManifest: async () => shapeless });
      if (!outcome.ok) throw new Error(outcome.error);
      expect(outcome.lead.hotter).toBeUndefined();
    });

    it('keeps the plan with the cached score, and a reply cached before badges had one still parses', async () => {
      const { value } = deps();
      const planned = (await badgeAndPanel()).findIndex(({ plan }) => plan?.changes.length);
      const request = requestOf(demoLeads[planned]);
      const first = await scoreLead(request, value);
      expect(first.ok && first.lead.hotter).toBeTruthy();
      expect(await scoreLead(request, value)).toEqual(first);
      if (!first.ok) throw new Error('scored');
      const { hotter: _hotter, ...older } = first.lead;
      expect(ScoreResponseSchema.parse({ ok: true, lead: older })).toEqual({ ok: true, lead: older });
    });
  });
});
