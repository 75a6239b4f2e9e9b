import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { db, scoreKeyOf, type StoredLead } from '../db/db';
import { leadsProtocol } from '../messaging/protocol-leads';
import { scoreAllStoredLeads } from '../ml/bulk-score';
import { whatWouldMakeHotter } from '../ml/insights';
import { bundledModelSession } from '../../test/bundled-model-session';
import { storedLead } from '../../test/fixtures/stored-lead';
import { explainStoredLead, NOT_A_FILE_LEAD, STORED_LEAD_GONE } from './open-lead';
import { NO_READABLE_FIELDS, type EngineRows } from './score-lead';

const { manifest, runModel } = bundledModelSession();

/** The bundled model as the offscreen engine answers the background: a row of contributions per lead. */
async function runOffscreenLike(_modelId: string, rows: Float32Array, featureCount: number): Promise<EngineRows> {
  const { probability, contributions, terms } = await runModel(rows, featureCount);
  return { probability, contributions: Array.from(probability, (_, i) => contributions.subarray(i * terms, (i + 1) * terms)) };
}

/** When the stored leads were scored, and a month later, when the panel asks. */
const scoredAt = new Date('2026-11-20T09:00:00Z');
const asked = new Date('2026-12-20T09:00:00Z');

/** A lead of an imported file, its columns those the bundled model reads of a file (and one it does not). */
const fileLead: StoredLead = storedLead({
  source: 'csv',
  id: 'L-7',
  origin: 'csv',
  name: 'Ada Lovelace',
  fields: {
    lead_id: 'L-7',
    title: 'Analyst',
    industry: 'Software',
    employees: '250',
    annual_revenue: '12000000',
    country: 'Germany',
    email: 'ada@analytical.example',
    lead_source: 'Web',
    created_at: '2026-10-01',
    last_activity_at: '2026-10-02',
    web_visits: '1',
    page_views: '1',
    email_opens: '2',
    email_clicks: '0',
    notes: 'Met at a conference',
  },
});

beforeEach(async () => {
  await Promise.all([db.leads.clear(), db.leadScores.clear()]);
});
afterEach(() => vi.useRealTimers());

/** Stores `leads` and scores them as the offscreen document's bulk scoring does, at `scoredAt`. */
async function storeAndScore(...leads: StoredLead[]): Promise<void> {
  await db.leads.bulkPut(leads);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(scoredAt);
  await scoreAllStoredLeads({ manifest, runModel, now: scoredAt, report: async () => {} });
  vi.useRealTimers();
}

const deps = { manifest, runModel: runOffscreenLike, now: () => asked };

it("explains a stored file lead from its stored fields with the active model, giving it the probability, score and tier it is listed with", async () => {
  await storeAndScore(fileLead);
  const stored = (await db.leadScores.get(scoreKeyOf(manifest.modelId, fileLead.key)))!;
  const outcome = await explainStoredLead(fileLead.key, deps);
  if (!outcome.ok) throw new Error(outcome.error);
  const { lead } = outcome;
  // The same up to float32 rounding: onnxruntime sums a batch's terms in another order than one row's.
  expect(lead.probability).toBeCloseTo(stored.probability, 6);
  expect({ score: lead.score, tier: lead.tier }).toEqual({ score: stored.score, tier: stored.tier });
  // As of its stored score, not of when the panel asks: 50 days from its created date to the scoring, not 80.
  expect(lead.row[manifest.features.findIndex((feature) => feature.key === 'days_since_created')]).toBe(50);
  expect(lead).toMatchObject({ name: 'Ada Lovelace', modelId: manifest.modelId, featuresTotal: manifest.features.length });
  // Its row is all LeadLens has of it: every field read, none "not on the page"; nothing only a CRM's lead has.
  expect(lead.fieldsRead).toEqual(manifest.features.map(() => true));
  expect(lead).not.toHaveProperty('converted');
  expect(lead).not.toHaveProperty('crm');
  expect(lead.reasons.length).toBe(manifest.terms.length);
  // What the side panel's reply checks it against.
  expect(leadsProtocol.explainStoredLead.output.parse(outcome)).toEqual(outcome);
  // Its plan reads the file's fields, as the panel works it out.
  const row = lead.row.map((value) => value ?? Number.NaN);
  expect(whatWouldMakeHotter(manifest, row, lead.contributions, 'csv', lead.tier, lead.fieldsRead, lead.valuesAsWritten)?.changes.length).toBeGreaterThan(0);
});

it('explains a file lead not scored yet as of now', async () => {
  await db.leads.put(fileLead);
  const outcome = await explainStoredLead(fileLead.key, deps);
  expect(outcome.ok && outcome.lead.row[manifest.features.findIndex((feature) => feature.key === 'days_since_created')]).toBe(80);
});

it("refuses a lead no longer stored, a CRM's lead, and a file lead with no field the model reads, in words a rep can read", async () => {
  const crmLead = storedLead({ source: 'salesforce', id: '00Q1', origin: 'sync', fields: { Title: 'VP Sales' } });
  const unreadable = storedLead({ source: 'csv', id: 'L-8', origin: 'csv', fields: { favourite_colour: 'green' } });
  await db.leads.bulkPut([crmLead, unreadable]);
  expect(await explainStoredLead('csv|gone', deps)).toEqual({ ok: false, error: STORED_LEAD_GONE });
  expect(await explainStoredLead(crmLead.key, deps)).toEqual({ ok: false, error: NOT_A_FILE_LEAD });
  expect(await explainStoredLead(unreadable.key, deps)).toEqual({ ok: false, error: NO_READABLE_FIELDS });
});
