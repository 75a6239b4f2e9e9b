import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoLeads } from '../crm/demo-data';
import { parseManifest, type Manifest } from '../ml/manifest';
import type { ScoredLead } from '../messaging/protocol';
import { MODEL_GAVE_NO_SCORE, scoreCacheKey, scoredFields, scoreLead, type CachedScoreEntry } from './score-lead';
import { handMadeManifest } from '../../test/fixtures/manifest';
import { couldNotRead, modelReadsNoFieldOf, NO_FIELDS_SCORED, notShownBy, scoreLeadsById, type BatchScoringDeps, type KnownRecord, type KnownRecords } from './score-leads';

let manifest: Manifest;
let session: ort.InferenceSession;
const now = new Date('2026-11-01T00:00:00Z');
const leads = generateDemoLeads({ count: 5, seed: 11, now });

beforeAll(async () => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  manifest = parsed.manifest;
  session = await ort.InferenceSession.create('models/model.onnx');
});

/** The real model in onnxruntime-node; `runs` holds the row count of every engine run. */
function deps(known: KnownRecord[], { unread = [], absent = [] }: Partial<Omit<KnownRecords, 'records'>> = {}) {
  const cache = new Map<string, { fieldsHash: string; lead: ScoredLead }>();
  const runs: number[] = [];
  const value: BatchScoringDeps = {
    activeManifest: async () => manifest,
    runModel: async (_modelId, rows, featureCount) => {
      const n = rows.length / featureCount;
      runs.push(n);
      const out = await session.run({ features: new ort.Tensor('float32', rows, [n, featureCount]) });
      const contributions = out.contributions.data as Float32Array;
      const terms = contributions.length / n;
      return {
        probability: out.probability.data as Float32Array,
        contributions: Array.from({ length: n }, (_, i) => contributions.subarray(i * terms, (i + 1) * terms)),
      };
    },
    cache: { get: async (key) => cache.get(key), put: async (key, entry) => void cache.set(key, entry) },
    now: () => now,
    knownRecords: async (_crm, ids) => ({ records: known.filter((record) => ids.includes(record.recordId)), unread, absent }),
    forgetCachedScores: async (crm, ids) => forgetScoresOf(cache, crm, ids),
  };
  return { value, runs };
}

/** Deletes every model's entry of `crm`'s records `ids` from `cache`, as score-cache.ts does. */
function forgetScoresOf(cache: Map<string, unknown>, crm: string, ids: readonly string[]) {
  for (const key of [...cache.keys()]) if (ids.some((id) => key.endsWith(`|${crm}|${id}`))) cache.delete(key);
}

const known: KnownRecord[] = leads.slice(0, 3).map((lead) => ({ recordId: lead.salesforceId, fields: lead.salesforce }));
const unknownId = leads[4].salesforceId;

describe('scoreLeadsById', () => {
  it('scores every known record in one engine run, in the order asked, and marks the others unknown', async () => {
    const { value, runs } = deps(known);
    const ids = [known[2].recordId, unknownId, known[0].recordId, known[1].recordId];
    const rows = await scoreLeadsById('salesforce', ids, value);
    expect(rows.map((row) => [row.recordId, row.state])).toEqual([
      [known[2].recordId, 'scored'],
      [unknownId, 'unknown'],
      [known[0].recordId, 'scored'],
      [known[1].recordId, 'scored'],
    ]);
    expect(runs).toEqual([3]);
  });

  it('gives each row the score the record page gets for the same fields', async () => {
    const { value } = deps(known);
    const [row] = await scoreLeadsById('salesforce', [known[1].recordId], value);
    const single = await scoreLead(
      {
        crm: 'salesforce',
        recordId: known[1].recordId,
        fields: Object.fromEntries(Object.entries(known[1].fields).map(([k, v]) => [k, v == null ? '' : String(v)])),
      },
      deps([]).value,
    );
    if (row.state !== 'scored' || !single.ok) throw new Error('both should be scored');
    expect(row.lead.probability).toBeCloseTo(single.lead.probability, 6);
    expect(row.lead.tier).toBe(single.lead.tier);
    expect(row.lead.reasons).toEqual(single.lead.reasons);
    // Out of the fields a Salesforce lead can have, not every feature of the model (HubSpot's e-mail counts).
    expect(single.lead.featuresTotal).toBeLessThan(manifest.features.length);
    expect(row.lead.featuresTotal).toBe(single.lead.featuresTotal);
  });

  it('works out no plan for a list’s rows, which its record page’s badge gets: the list stays quick to score', async () => {
    const { value } = deps(known);
    const rows = await scoreLeadsById('salesforce', known.map((record) => record.recordId), value);
    const pages = await Promise.all(
      known.map((record) =>
        scoreLead(
          { crm: 'salesforce', recordId: record.recordId, fields: Object.fromEntries(Object.entries(record.fields).map(([k, v]) => [k, v == null ? '' : String(v)])) },
          deps([]).value,
        ),
      ),
    );
    expect(pages.some((page) => page.ok && page.lead.hotter)).toBe(true);
    for (const row of rows) {
      if (row.state !== 'scored') throw new Error('every known record is scored');
      expect(row.lead.hotter).toBeUndefined();
    }
  });

  it('answers from the cache the second time, and runs the engine again when a record changes', async () => {
    const records = known.map((record) => ({ ...record, fields: { ...record.fields } }));
    const { value, runs } = deps(records);
    const ids = records.map((record) => record.recordId);
    await scoreLeadsById('salesforce', ids, value);
    await scoreLeadsById('salesforce', ids, value);
    expect(runs).toEqual([3]);
    records[0].fields.Title = 'Chief Executive Officer';
    await scoreLeadsById('salesforce', ids, value);
    expect(runs).toEqual([3, 1]);
  });

  it('scores a record again once its cached score is older than "stale after", as a record page does: days since its last activity have grown', async () => {
    const { value, runs } = deps(known);
    const ids = [known[0].recordId];
    let today = now;
    const aging = { ...value, now: () => today, staleAfterMs: 24 * 3_600_000 };
    const cache = new Map<string, CachedScoreEntry>();
    aging.cache = { get: async (key) => cache.get(key), put: async (key, entry) => void cache.set(key, { ...entry, scoredAt: today.getTime() }) };
    await scoreLeadsById('salesforce', ids, aging);
    today = new Date(now.getTime() + 23 * 3_600_000);
    await scoreLeadsById('salesforce', ids, aging);
    expect(runs).toEqual([1]);
    today = new Date(now.getTime() + 25 * 3_600_000);
    await scoreLeadsById('salesforce', ids, aging);
    expect(runs).toEqual([1, 1]);
  });

  it('does not run the engine when nothing is known, nor score a record with no usable field', async () => {
    const { value, runs } = deps([{ recordId: known[0].recordId, fields: { Unrelated__c: 'x' } }]);
    const rows = await scoreLeadsById('salesforce', [known[0].recordId, unknownId], value);
    // Known without a field the model reads: said so, not "no data" (nor a score made of the intercept alone).
    expect(rows).toEqual([
      { recordId: known[0].recordId, state: 'unscorable', reason: NO_FIELDS_SCORED },
      { recordId: unknownId, state: 'unknown' },
    ]);
    expect(runs).toEqual([]);
  });

  it('tells every row the active model reads no field of this CRM (a CLI model trained without a feature spec), rather than to open the lead, and reads nothing from the CRM', async () => {
    const csvOnly = handMadeManifest({
      features: [{ key: 'title', label: 'Job title', type: 'categorical', vocabulary: ['VP Sales'], derive: { kind: 'value', from: { csv: 'title' } } }],
      terms: [{ features: [0], label: 'Job title' }],
      intercept: -2,
    });
    const { value, runs } = deps(known);
    let reads = 0;
    const csvModel: BatchScoringDeps = {
      ...value,
      activeManifest: async () => csvOnly,
      knownRecords: async (...args) => {
        reads++;
        return value.knownRecords(...args);
      },
    };
    const ids = [known[0].recordId, unknownId];
    expect(await scoreLeadsById('salesforce', ids, csvModel)).toEqual(ids.map((recordId) => ({ recordId, state: 'unscorable', reason: modelReadsNoFieldOf('salesforce') })));
    expect(modelReadsNoFieldOf('salesforce')).toBe(
      'The active model reads no Salesforce field, so LeadLens cannot score Salesforce leads with it, in lists or on their pages: ask your LeadLens admin.',
    );
    expect(modelReadsNoFieldOf('hubspot')).toContain('reads no HubSpot property');
    expect(reads).toBe(0);
    expect(runs).toEqual([]);
  });

  it('says the model gave no score for a record it gives no probability or no contribution (null from the offscreen engine), and still scores the others', async () => {
    const { value, runs } = deps(known);
    const ids = known.map((record) => record.recordId);
    const unscorable: BatchScoringDeps = {
      ...value,
      runModel: async (...args) => {
        const output = await value.runModel(...args);
        const probability = Array.from(output.probability, (p, i) => (i === 0 ? null : p));
        const contributions = output.contributions.map((row, i) => Array.from(row, (c, t) => (i === 1 && t === 0 ? null : c)));
        return { probability, contributions };
      },
    };
    const rows = await scoreLeadsById('salesforce', ids, unscorable);
    expect(rows.slice(0, 2)).toEqual([
      { recordId: ids[0], state: 'unscorable', reason: MODEL_GAVE_NO_SCORE },
      { recordId: ids[1], state: 'unscorable', reason: MODEL_GAVE_NO_SCORE },
    ]);
    const [alone] = await scoreLeadsById('salesforce', [ids[2]], deps(known).value);
    if (rows[2].state !== 'scored' || alone.state !== 'scored') throw new Error('the third record should be scored');
    expect(rows[2].lead.probability).toBeCloseTo(alone.lead.probability, 6);
    // Neither is cached: the next list asks the engine for them again (the third answers from the cache).
    await scoreLeadsById('salesforce', ids, unscorable);
    expect(runs).toEqual([3, 2]);
  });
});

/** A record page's cached score as a list row gets it: without its plan. */
const asListed = ({ hotter: _plan, ...lead }: ScoredLead): ScoredLead => lead;

/** A record page's request for `lead`: the fields its page shows, as text. */
const pageOf = (lead: (typeof leads)[number], fields: Record<string, unknown> = lead.salesforce) => ({
  crm: 'salesforce' as const,
  recordId: lead.salesforceId,
  fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v == null ? '' : String(v)])),
});

/** Record pages and lists sharing one cache that dates its entries, as IndexedDB's does. */
function sharedCache(value: BatchScoringDeps, today: () => Date, entries = new Map<string, CachedScoreEntry>()): BatchScoringDeps {
  return {
    ...value,
    now: today,
    staleAfterMs: 24 * 3_600_000,
    cache: { get: async (key: string) => entries.get(key), put: async (key: string, entry: Omit<CachedScoreEntry, 'scoredAt'>) => void entries.set(key, { ...entry, scoredAt: today().getTime() }) },
    forgetCachedScores: async (crm, ids) => forgetScoresOf(entries, crm, ids),
  };
}

describe('a row LeadLens has no fields of (neither stored nor read from the CRM)', () => {
  it('shows the score its record page just got from the page, without running the engine again', async () => {
    const { value, runs } = deps([]);
    const shared = sharedCache(value, () => now);
    const badge = await scoreLead(pageOf(leads[3]), shared);
    if (!badge.ok) throw new Error(badge.error);
    // Without the record page's plan: a list row's popover shows none, and the page's fields may have changed since.
    expect(badge.lead.hotter).toBeDefined();
    const rows = await scoreLeadsById('salesforce', [leads[3].salesforceId, unknownId], shared);
    expect(rows).toEqual([
      { recordId: leads[3].salesforceId, state: 'scored', lead: asListed(badge.lead) },
      { recordId: unknownId, state: 'unknown' },
    ]);
    expect(runs).toEqual([1]);
  });

  it('shows that score only while it is fresh ("stale after", as on the record page)', async () => {
    const { value } = deps([]);
    let today = now;
    const shared = sharedCache(value, () => today);
    const badge = await scoreLead(pageOf(leads[3]), shared);
    if (!badge.ok) throw new Error(badge.error);
    today = new Date(now.getTime() + 23 * 3_600_000);
    expect(await scoreLeadsById('salesforce', [leads[3].salesforceId], shared)).toEqual([{ recordId: leads[3].salesforceId, state: 'scored', lead: asListed(badge.lead) }]);
    today = new Date(now.getTime() + 25 * 3_600_000);
    expect(await scoreLeadsById('salesforce', [leads[3].salesforceId], shared)).toEqual([{ recordId: leads[3].salesforceId, state: 'unknown' }]);
  });

  it('shows only the active model’s score of it', async () => {
    const { value } = deps([]);
    const shared = sharedCache(value, () => now);
    const badge = await scoreLead(pageOf(leads[3]), shared);
    if (!badge.ok) throw new Error(badge.error);
    const otherModel = { ...shared, activeManifest: async () => ({ ...manifest, modelId: 'another-model' }) };
    expect(await scoreLeadsById('salesforce', [leads[3].salesforceId], otherModel)).toEqual([{ recordId: leads[3].salesforceId, state: 'unknown' }]);
    expect(await scoreLeadsById('salesforce', [leads[3].salesforceId], shared)).toEqual([{ recordId: leads[3].salesforceId, state: 'scored', lead: asListed(badge.lead) }]);
  });

  it('is scored from a stored lead when there is one, rather than from its page’s cached score', async () => {
    const { value, runs } = deps(known);
    const shared = sharedCache(value, () => now);
    // The page shows one field; the stored lead has them all.
    const badge = await scoreLead(pageOf(leads[0], { Title: leads[0].salesforce.Title }), shared);
    if (!badge.ok) throw new Error(badge.error);
    const [row] = await scoreLeadsById('salesforce', [known[0].recordId], shared);
    if (row.state !== 'scored') throw new Error('the stored lead should be scored');
    expect(row.lead.featuresKnown).toBeGreaterThan(badge.lead.featuresKnown);
    expect(runs).toEqual([1, 1]);
  });

  it('gets no score cached from its page once the CRM answered without it (deleted, or shared away), and that score is deleted', async () => {
    const { value, runs } = deps([], { absent: [leads[3].salesforceId] });
    const entries = new Map<string, CachedScoreEntry>();
    const shared = sharedCache(value, () => now, entries);
    for (const lead of [leads[3], leads[4]]) if (!(await scoreLead(pageOf(lead), shared)).ok) throw new Error('the record page should be scored');
    const otherModel = scoreCacheKey('another-model', 'salesforce', leads[3].salesforceId);
    entries.set(otherModel, { ...entries.get(scoreCacheKey(manifest.modelId, 'salesforce', leads[3].salesforceId))! });
    const rows = await scoreLeadsById('salesforce', [leads[3].salesforceId, leads[4].salesforceId], shared);
    expect(rows).toEqual([
      { recordId: leads[3].salesforceId, state: 'unscorable', reason: notShownBy('salesforce') },
      { recordId: leads[4].salesforceId, state: 'scored', lead: expect.anything() },
    ]);
    expect(notShownBy('salesforce')).toBe('Salesforce does not show LeadLens this lead (deleted, or not shared with you).');
    // Every model's score of it is gone (they quote its fields); the other record's page score stays.
    expect([...entries.keys()]).toEqual([scoreCacheKey(manifest.modelId, 'salesforce', leads[4].salesforceId)]);
    expect(runs).toEqual([1, 1]);
  });

  it('says the CRM could not be read for it, unless its page’s score is cached', async () => {
    const { value } = deps([], { unread: [leads[3].salesforceId, leads[4].salesforceId] });
    const shared = sharedCache(value, () => now);
    const badge = await scoreLead(pageOf(leads[3]), shared);
    if (!badge.ok) throw new Error(badge.error);
    expect(await scoreLeadsById('salesforce', [leads[3].salesforceId, leads[4].salesforceId], shared)).toEqual([
      { recordId: leads[3].salesforceId, state: 'scored', lead: asListed(badge.lead) },
      { recordId: leads[4].salesforceId, state: 'unscorable', reason: couldNotRead('salesforce') },
    ]);
  });
});

describe('a stored lead whose record page is open in another tab', () => {
  /** Its record page as a browser sends it: with its locale and time zone; `reads` counts its reads of the record from the CRM. */
  function recordPage(lead: (typeof leads)[number]) {
    const counter = { reads: 0 };
    const fetchRecord = async () => {
      counter.reads++;
      return lead.salesforce;
    };
    return { request: { ...pageOf(lead, { Company: lead.salesforce.Company }), locale: 'en-US', timeZone: 'UTC' }, fetchRecord, counter };
  }

  it('keeps the score its record page cached: neither its badge nor its side panel reads the record from the CRM again', async () => {
    const { value, runs } = deps(known);
    let today = now;
    const shared = sharedCache(value, () => today);
    const page = recordPage(leads[0]);
    const badge = await scoreLead(page.request, { ...shared, fetchRecord: page.fetchRecord });
    if (!badge.ok) throw new Error(badge.error);
    expect(page.counter.reads).toBe(1);

    // The list row shows the page's score, without running the engine: the page read the record from the CRM.
    expect(await scoreLeadsById('salesforce', [known[0].recordId], shared)).toEqual([{ recordId: known[0].recordId, state: 'scored', lead: asListed(badge.lead) }]);
    expect(runs).toEqual([1]);
    // The side panel explains the fields the badge scored, and the badge asked again answers from the cache.
    const explained = await scoredFields(manifest, page.request, { ...shared, fetchRecord: page.fetchRecord });
    expect(page.counter.reads).toBe(1);
    expect(explained.scoredAt).toBe(now.getTime());
    expect(await scoreLead(page.request, { ...shared, fetchRecord: page.fetchRecord })).toEqual(badge);
    expect(page.counter.reads).toBe(1);

    // Once the page's score is stale the list caches its own again, and answers from it.
    today = new Date(now.getTime() + 25 * 3_600_000);
    await scoreLeadsById('salesforce', [known[0].recordId], shared);
    await scoreLeadsById('salesforce', [known[0].recordId], shared);
    expect(runs).toEqual([1, 1]);
  });

  it('shows the tier its record page got from the CRM, not that of its values as the last sync stored them: one edited since shows one tier', async () => {
    // Records of two tiers, as scored in a list: the lead as the sync stored it, and as a colleague's edit left it in the CRM.
    const candidates = generateDemoLeads({ count: 40, seed: 3, now });
    const listed = await scoreLeadsById('salesforce', candidates.map((lead) => lead.salesforceId), deps(candidates.map((lead) => ({ recordId: lead.salesforceId, fields: lead.salesforce }))).value);
    const scored = listed.flatMap((row, i) => (row.state === 'scored' ? [{ fields: candidates[i].salesforce, lead: row.lead }] : []));
    const stored = scored.find(({ lead }) => lead.tier === 'cold')!;
    const edited = scored.find(({ lead }) => lead.tier === 'hot' && lead.featuresKnown >= stored.lead.featuresKnown)!;
    const recordId = leads[0].salesforceId;
    const { value, runs } = deps([{ recordId, fields: { ...stored.fields, Id: recordId } }]);
    const shared = sharedCache(value, () => now);
    const page = { crm: 'salesforce' as const, recordId, fields: { Company: String(stored.fields.Company) }, locale: 'en-US', timeZone: 'UTC' };
    const badge = await scoreLead(page, { ...shared, fetchRecord: async () => ({ ...edited.fields, Id: recordId }) });
    if (!badge.ok) throw new Error(badge.error);
    expect(badge.lead.tier).toBe('hot');

    expect(await scoreLeadsById('salesforce', [recordId], shared)).toEqual([{ recordId, state: 'scored', lead: asListed(badge.lead) }]);
    expect(runs).toEqual([1]);
  });

  it('shows the tier of a record the list read from the CRM just now, not an older score its record page cached: the list’s read is the newer', async () => {
    const candidates = generateDemoLeads({ count: 40, seed: 3, now });
    const listed = await scoreLeadsById('salesforce', candidates.map((lead) => lead.salesforceId), deps(candidates.map((lead) => ({ recordId: lead.salesforceId, fields: lead.salesforce }))).value);
    const scored = listed.flatMap((row, i) => (row.state === 'scored' ? [{ fields: candidates[i].salesforce, lead: row.lead }] : []));
    const before = scored.find(({ lead }) => lead.tier === 'cold')!;
    const after = scored.find(({ lead }) => lead.tier === 'hot' && lead.featuresKnown <= before.lead.featuresKnown)!;
    const recordId = leads[0].salesforceId;
    // Not stored: the list reads it from the CRM, as a colleague's edit left it since the page was scored.
    const { value } = deps([{ recordId, fields: { ...after.fields, Id: recordId }, readNow: true }]);
    const shared = sharedCache(value, () => now);
    const page = { crm: 'salesforce' as const, recordId, fields: { Company: String(before.fields.Company) }, locale: 'en-US', timeZone: 'UTC' };
    const badge = await scoreLead(page, { ...shared, fetchRecord: async () => ({ ...before.fields, Id: recordId }) });
    if (!badge.ok) throw new Error(badge.error);
    expect(badge.lead.tier).toBe('cold');

    const [row] = await scoreLeadsById('salesforce', [recordId], shared);
    expect(row.state === 'scored' && row.lead.tier).toBe('hot');
  });
});
