import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { generateDemoLeads } from '../crm/demo-data';
import { lifecycleOrder, type LifecycleStage } from '../crm/hubspot-lifecycle';
import type { CrmKind } from '../crm/types';
import { LeadLensDb } from '../db/db';
import { ScoreResponseSchema } from '../messaging/protocol';
import { OpenLeadSchema } from '../messaging/protocol-leads';
import type { RawRecord } from '../ml/featurize';
import { fieldsRead, parseManifest, type Manifest } from '../ml/manifest';
import type { ModelOutcomeRule } from '../ml/outcome-rule';
import { KEPT_LIFECYCLE_STAGES_KEY, dexieSyncStore, keptLifecycleStages, recordSyncedAccount } from '../sync/store';
import { toStoredLead } from '../sync/to-stored-lead';
import { explainInFull } from './open-lead';
import { convertedAlready, convertedRuleOf, scoreLead, type CachedScoreEntry, type ScoringDeps, type StoredOutcome } from './score-lead';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

let manifest: Manifest;
let session: ort.InferenceSession;
const now = new Date('2026-11-01T00:00:00Z');

beforeAll(async () => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  manifest = parsed.manifest;
  session = await ort.InferenceSession.create('models/model.onnx');
});

/** A portal's own stage before opportunity (Product Qualified Lead) and one after it (Closed Won). */
const PQL = '1234567';
const CLOSED_WON = '7654321';
const portalOrder = lifecycleOrder(['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', PQL, 'opportunity', CLOSED_WON, 'customer', 'evangelist']);
/** A portal that moved customer before opportunity: a sync stores its customers as not converted. */
const movedOrder = lifecycleOrder(['subscriber', 'lead', 'customer', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'evangelist']);

/** `portalOrder`'s stages as its last sync kept them (`keptLifecycleStages`), each with the label its pages show. */
const keptStages: LifecycleStage[] = [
  ['subscriber', 'Subscriber'],
  ['lead', 'Lead'],
  ['marketingqualifiedlead', 'Marketing Qualified Lead'],
  ['salesqualifiedlead', 'Sales Qualified Lead'],
  [PQL, 'Product Qualified Lead'],
  ['opportunity', 'Opportunity'],
  [CLOSED_WON, 'Closed Won'],
  ['customer', 'Customer'],
  ['evangelist', 'Evangelist'],
  ['other', 'Other'],
].map(([value, label]) => ({ value, label }));
/** Kept stages of `order`, labelled as HubSpot labels its own ("Customer"). */
const keptStagesOf = (order: readonly string[]): LifecycleStage[] => order.map((value) => ({ value, label: value.charAt(0).toUpperCase() + value.slice(1) }));

/** A HubSpot contact as a sync stores it, its outcome read in the portal's `order`. */
const syncedContact = (lifecyclestage: string, order: readonly string[]): StoredOutcome =>
  toStoredLead('hubspot', { id: '12', modifiedAt: 1, fields: { createdate: '2026-01-02T03:04:05.000Z', lifecyclestage } }, new Map(), order);

const withRule = (rule: ModelOutcomeRule): Manifest => ({ ...manifest, modelId: 'trained', outcomeRule: rule });
/** `convertedAlready` by the rule found for `fields`, as `recordConverted` finds it. */
const convertedOf = (m: Manifest, fields: RawRecord, crm: CrmKind, stored?: StoredOutcome, stages?: readonly LifecycleStage[]) =>
  convertedAlready(convertedRuleOf(m, fields, crm), fields, crm, stored, stages);

describe('convertedAlready: the record page says what the side panel counts as converted', () => {
  it("says a HubSpot contact at opportunity or later converted, by the lifecycle stage its page shows, as a sync stores it without the portal's order", () => {
    for (const stage of ['Customer', 'customer', ' Opportunity ', 'Evangelist']) {
      expect([stage, convertedOf(manifest, { lifecyclestage: stage }, 'hubspot')]).toEqual([stage, { field: 'Lifecycle stage', value: stage.trim() }]);
    }
    for (const stage of ['Lead', 'Sales Qualified Lead', 'marketingqualifiedlead', 'Other', 'Product Qualified Lead', '', '--']) {
      expect([stage, convertedOf(manifest, { lifecyclestage: stage }, 'hubspot')]).toEqual([stage, undefined]);
    }
  });

  it('claims nothing when neither the page nor the record read holds the field that says so', () => {
    expect(convertedOf(manifest, { jobtitle: 'CFO', hs_lead_status: 'OPEN_DEAL' }, 'hubspot')).toBeUndefined();
    // Salesforce's IsConverted is no field its pages show: a Status of its own is no rule LeadLens makes up.
    expect(convertedOf(manifest, { Title: 'CFO', Status: 'Closed - Converted' }, 'salesforce')).toBeUndefined();
    // Read from the CRM, as a sync reads it.
    expect(convertedOf(manifest, { Title: 'CFO', IsConverted: true }, 'salesforce')).toEqual({ field: 'Converted', value: 'true' });
    expect(convertedOf(manifest, { Title: 'CFO', IsConverted: false }, 'salesforce')).toBeUndefined();
  });

  it("takes the outcome a sync stored, read in the portal's own order, where it read the stage the contact has now; else HubSpot's default order", () => {
    // As the side panel counts them: a customer of a portal that placed customer before opportunity is not converted.
    expect(syncedContact('customer', movedOrder).outcome).toBe(0);
    expect(convertedOf(manifest, { lifecyclestage: 'Customer' }, 'hubspot', syncedContact('customer', movedOrder))).toBeUndefined();
    // The portal's own stage after opportunity, shown by its label, which HubSpot's default order does not place.
    expect(convertedOf(manifest, { lifecyclestage: 'Closed Won' }, 'hubspot')).toBeUndefined();
    // Moved on since the sync (a lead then, a customer now): the stage it has now, in the default order.
    expect(convertedOf(manifest, { lifecyclestage: 'Customer' }, 'hubspot', syncedContact('lead', portalOrder))).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
    expect(convertedOf(manifest, { lifecyclestage: 'Marketing Qualified Lead' }, 'hubspot', syncedContact('lead', portalOrder))).toBeUndefined();
  });

  it('takes a stage a sync stored as converted for converted, though the page shows it by a label other than the value the sync stored', () => {
    // The page shows the portal's own stage by its label, the sync stored its value.
    expect(syncedContact(CLOSED_WON, portalOrder).outcome).toBe(1);
    expect(convertedOf(manifest, { lifecyclestage: 'Closed Won' }, 'hubspot', syncedContact(CLOSED_WON, portalOrder))).toEqual({ field: 'Lifecycle stage', value: 'Closed Won' });
    // A portal without opportunity, where a sync counts Sales Qualified Lead as converted (`suggestedStageReached`).
    const withoutOpportunity = lifecycleOrder(['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'customer', 'evangelist']);
    expect(syncedContact('salesqualifiedlead', withoutOpportunity).outcome).toBe(1);
    expect(convertedOf(manifest, { lifecyclestage: 'Sales Qualified Lead' }, 'hubspot', syncedContact('salesqualifiedlead', withoutOpportunity))).toEqual({
      field: 'Lifecycle stage',
      value: 'Sales Qualified Lead',
    });
    expect(convertedOf(manifest, { lifecyclestage: 'Marketing Qualified Lead' }, 'hubspot', syncedContact('marketingqualifiedlead', withoutOpportunity))).toBeUndefined();
    // Still no claim without the field on the page.
    expect(convertedOf(manifest, { jobtitle: 'CFO' }, 'hubspot', syncedContact(CLOSED_WON, portalOrder))).toBeUndefined();
    // Salesforce's IsConverted read from the CRM as false is no label of a stage it converted at.
    const convertedLead: StoredOutcome = { fields: { IsConverted: true }, outcome: 1 };
    expect(convertedOf(manifest, { IsConverted: false }, 'salesforce', convertedLead)).toBeUndefined();
    expect(convertedOf(manifest, { IsConverted: true }, 'salesforce', convertedLead)).toEqual({ field: 'Converted', value: 'true' });
  });

  it("goes by the active model's outcome rule for a lead of the source it was trained on, its values read from the labels the page shows", () => {
    const reachedPql = withRule({ source: 'hubspot', field: 'lifecyclestage', positiveValues: [PQL, 'opportunity', CLOSED_WON, 'customer', 'evangelist'], valueLabels: { [PQL]: 'Product Qualified Lead' } });
    expect(convertedOf(reachedPql, { lifecyclestage: 'product qualified lead' }, 'hubspot')).toEqual({ field: 'Lifecycle stage', value: 'product qualified lead' });
    // Read from the CRM: its value, said by the label its pages show.
    expect(convertedOf(reachedPql, { lifecyclestage: PQL }, 'hubspot')).toEqual({ field: 'Lifecycle stage', value: 'Product Qualified Lead' });
    expect(convertedOf(reachedPql, { lifecyclestage: 'Sales Qualified Lead' }, 'hubspot')).toBeUndefined();
    // Trained on "customer": an opportunity is still a lead to work, as in the side panel's Top hot leads, whatever a sync stored.
    const reachedCustomer = withRule({ source: 'hubspot', field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'] });
    expect(convertedOf(reachedCustomer, { lifecyclestage: 'Opportunity' }, 'hubspot', syncedContact('opportunity', portalOrder))).toBeUndefined();
    expect(convertedOf(reachedCustomer, { lifecyclestage: 'Customer' }, 'hubspot', syncedContact('customer', movedOrder))).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
    // Another field, named as it is; a rule of another source leaves a contact to its CRM's own status.
    const byStatus = withRule({ source: 'salesforce', field: 'Status', positiveValues: ['Closed - Converted'] });
    expect(convertedOf(byStatus, { Status: 'Closed - Converted' }, 'salesforce')).toEqual({ field: 'Lead Status', value: 'Closed - Converted' });
    expect(convertedOf(byStatus, { Status: 'Working - Contacted' }, 'salesforce')).toBeUndefined();
    expect(convertedOf(byStatus, { lifecyclestage: 'Customer' }, 'hubspot')).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
  });

  it("reads the stage the page shows, by its label or value, in the portal's order its last sync kept: a contact moved back since is not converted at once", () => {
    expect(lifecycleOrder(keptStages.map(({ value }) => value))).toEqual(portalOrder);
    const convertedAtSync = syncedContact(CLOSED_WON, portalOrder);
    expect(convertedAtSync.outcome).toBe(1);
    // Moved back by hand since the sync that stored it converted: by its label on the page, its value from the API.
    for (const stage of ['Lead', ' lead ', 'Sales Qualified Lead', 'Product Qualified Lead', PQL]) {
      expect([stage, convertedOf(manifest, { lifecyclestage: stage }, 'hubspot', convertedAtSync, keptStages)]).toEqual([stage, undefined]);
    }
    // "other" is outside the order: reaching it says nothing, as a sync stores it.
    expect(convertedOf(manifest, { lifecyclestage: 'Other' }, 'hubspot', convertedAtSync, keptStages)).toBeUndefined();
    // Without kept stages (no sync since LeadLens keeps them), as before: converted until the next sync stores its outcome.
    expect(convertedOf(manifest, { lifecyclestage: 'Lead' }, 'hubspot', convertedAtSync)).toEqual({ field: 'Lifecycle stage', value: 'Lead' });
  });

  it("takes a stage at or after the one a sync counts from, in the kept order, for converted: a portal's own stage after opportunity too, with no stored lead to say so", () => {
    expect(convertedOf(manifest, { lifecyclestage: 'Closed Won' }, 'hubspot', undefined, keptStages)).toEqual({ field: 'Lifecycle stage', value: 'Closed Won' });
    // Read from the API by its value, said by the label the page shows.
    expect(convertedOf(manifest, { lifecyclestage: CLOSED_WON }, 'hubspot', undefined, keptStages)).toEqual({ field: 'Lifecycle stage', value: 'Closed Won' });
    // Moved on since the sync stored it a lead.
    expect(convertedOf(manifest, { lifecyclestage: 'Closed Won' }, 'hubspot', syncedContact('lead', portalOrder), keptStages)).toEqual({ field: 'Lifecycle stage', value: 'Closed Won' });
    // A portal that moved customer before opportunity: its customers are not converted, as a sync stores them.
    expect(convertedOf(manifest, { lifecyclestage: 'Customer' }, 'hubspot', undefined, keptStagesOf(movedOrder))).toBeUndefined();
    expect(convertedOf(manifest, { lifecyclestage: 'Opportunity' }, 'hubspot', undefined, keptStagesOf(movedOrder))).toEqual({ field: 'Lifecycle stage', value: 'Opportunity' });
    // A portal without opportunity: from the first stage past the middle of its order (`suggestedStageReached`).
    const withoutOpportunity = keptStagesOf(['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'customer', 'evangelist']);
    expect(convertedOf(manifest, { lifecyclestage: 'salesqualifiedlead' }, 'hubspot', undefined, withoutOpportunity)).toEqual({ field: 'Lifecycle stage', value: 'Salesqualifiedlead' });
    expect(convertedOf(manifest, { lifecyclestage: 'marketingqualifiedlead' }, 'hubspot', undefined, withoutOpportunity)).toBeUndefined();
  });

  it('reads a stage the kept stages do not name (added since the sync), or name twice either way, as before they were kept', () => {
    const convertedAtSync = syncedContact(CLOSED_WON, portalOrder);
    expect(convertedOf(manifest, { lifecyclestage: 'Won Twice' }, 'hubspot', convertedAtSync, keptStages)).toEqual({ field: 'Lifecycle stage', value: 'Won Twice' });
    expect(convertedOf(manifest, { lifecyclestage: 'Won Twice' }, 'hubspot', undefined, keptStages)).toBeUndefined();
    // A label shared by a stage before opportunity and one after it says neither.
    const twoCustomers = keptStages.map((stage) => (stage.value === 'subscriber' ? { ...stage, label: 'Customer' } : stage));
    for (const stored of [undefined, syncedContact('subscriber', portalOrder), syncedContact('customer', movedOrder)]) {
      expect(convertedOf(manifest, { lifecyclestage: 'Customer' }, 'hubspot', stored, twoCustomers)).toEqual(convertedOf(manifest, { lifecyclestage: 'Customer' }, 'hubspot', stored));
    }
    // Where the model's rule decides, it alone does.
    const reachedCustomer = withRule({ source: 'hubspot', field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'] });
    expect(convertedOf(reachedCustomer, { lifecyclestage: 'Closed Won' }, 'hubspot', undefined, keptStages)).toBeUndefined();
    expect(convertedOf(reachedCustomer, { lifecyclestage: 'Customer' }, 'hubspot', undefined, keptStagesOf(movedOrder))).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
  });

  it('gives the value as text a rep can see: markup stays text, a direction override is dropped', () => {
    const hostile = '<img src=x onerror=alert(1)>\u202E';
    const rule = withRule({ source: 'salesforce', field: 'Status', positiveValues: [hostile] });
    expect(convertedOf(rule, { Status: hostile }, 'salesforce')).toEqual({ field: 'Lead Status', value: '<img src=x onerror=alert(1)>' });
  });
});

describe("the badge's and the side panel's reply for a converted lead", () => {
  /** The bundled model in onnxruntime-node, a map as the cache, the stored lead the page's record is and its portal's kept stages (none by default). */
  function deps(stored?: StoredOutcome, portalStages?: readonly LifecycleStage[]): ScoringDeps {
    const cache = new Map<string, CachedScoreEntry>();
    return {
      activeManifest: async () => manifest,
      runModel: async (_modelId, rows, featureCount) => {
        const out = await session.run({ features: new ort.Tensor('float32', rows, [rows.length / featureCount, featureCount]) });
        return { probability: out.probability.data as Float32Array, contributions: [out.contributions.data as Float32Array] };
      },
      cache: { get: async (key) => cache.get(key), put: async (key, entry) => void cache.set(key, entry) },
      now: () => now,
      storedLead: async () => stored,
      portalLifecycleStages: async () => portalStages,
    };
  }
  const demoLeads = generateDemoLeads({ count: 40, seed: 3, now });
  /** A demo contact's page, its lifecycle stage shown as `stage`. */
  const pageOf = (demo: (typeof demoLeads)[number], stage: string) => ({
    crm: 'hubspot' as const,
    recordId: demo.hubspotId,
    fields: { ...Object.fromEntries(Object.entries(demo.hubspot).flatMap(([key, value]): [string, string][] => (value === null ? [] : [[key, String(value)]]))), lifecyclestage: stage },
  });
  /** A contact the model plans for while it is a lead. */
  async function plannedContact() {
    for (const demo of demoLeads) {
      const outcome = await scoreLead(pageOf(demo, 'Lead'), deps());
      if (outcome.ok && outcome.lead.hotter) return demo;
    }
    throw new Error('no demo contact with a plan');
  }

  it("says the contact is a customer already, with no plan to make it hotter, and keeps the model's score and tier", async () => {
    const demo = await plannedContact();
    const asLead = ScoreResponseSchema.parse(await scoreLead(pageOf(demo, 'Lead'), deps()));
    const asCustomer = ScoreResponseSchema.parse(await scoreLead(pageOf(demo, 'Customer'), deps()));
    if (!asLead.ok || !asCustomer.ok) throw new Error('both score');
    expect(asLead.lead.converted).toBeUndefined();
    expect(asLead.lead.hotter).toBeDefined();
    expect(asCustomer.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
    expect(asCustomer.lead.hotter).toBeUndefined();
    // The lifecycle stage is no field the model reads: the same score, tier and reasons.
    const { hotter: _plan, ...scored } = asLead.lead;
    expect({ ...asCustomer.lead, converted: undefined }).toEqual({ ...scored, converted: undefined });
  });

  it('says so from its cached score too, and not where the sync stored the contact as not converted in its portal’s order', async () => {
    const demo = await plannedContact();
    const cached = deps();
    const first = await scoreLead(pageOf(demo, 'Customer'), cached);
    expect(await scoreLead(pageOf(demo, 'Customer'), cached)).toEqual(first);
    expect(first.ok && first.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
    // Of a portal that placed customer before opportunity: the side panel lists it in Top hot leads, and the badge plans for it.
    const inMovedPortal = await scoreLead(pageOf(demo, 'Customer'), deps(syncedContact('customer', movedOrder)));
    if (!inMovedPortal.ok) throw new Error(inMovedPortal.error);
    expect(inMovedPortal.lead.converted).toBeUndefined();
    expect(inMovedPortal.lead.hotter).toBeDefined();
  });

  it('gives the side panel the same line for the open lead, and none for a lead still to work', async () => {
    const demo = await plannedContact();
    const explained = async (stage: string) => {
      const outcome = await explainInFull(pageOf(demo, stage), 'Ada', { ...deps(), manifest });
      if (!outcome.ok) throw new Error(outcome.error);
      return OpenLeadSchema.parse(outcome.lead);
    };
    expect((await explained('Customer')).converted).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
    expect((await explained('Lead')).converted).toBeUndefined();
  });

  it("reads the stored lead only where its outcome may decide: not for a Salesforce page, nor where the model's rule decides", async () => {
    const demo = await plannedContact();
    const asked = (stored?: StoredOutcome) => {
      const storedLead = vi.fn(async () => stored);
      return { storedLead, deps: { ...deps(), storedLead } };
    };
    // A Salesforce page shows no IsConverted: nothing to read it against, from a score or its cached one.
    const salesforce = asked({ fields: { IsConverted: true }, outcome: 1 });
    const salesforcePage = { crm: 'salesforce' as const, recordId: demo.salesforceId, fields: { Title: 'CFO', Company: 'Acme' } };
    expect((await scoreLead(salesforcePage, salesforce.deps)).ok).toBe(true);
    expect((await scoreLead(salesforcePage, salesforce.deps)).ok).toBe(true);
    expect(salesforce.storedLead).not.toHaveBeenCalled();
    // Decided by the model's rule, whatever a sync stored.
    const byModel = asked(syncedContact('customer', movedOrder));
    const reachedCustomer = withRule({ source: 'hubspot', field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'] });
    const outcome = await scoreLead(pageOf(demo, 'Customer'), { ...byModel.deps, activeManifest: async () => reachedCustomer });
    expect(outcome.ok && outcome.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
    expect(byModel.storedLead).not.toHaveBeenCalled();
    // The CRM's own status on the page, without a model's rule: read, once per reply.
    const byStatus = asked(syncedContact(CLOSED_WON, portalOrder));
    const closedWon = await scoreLead(pageOf(demo, 'Closed Won'), byStatus.deps);
    expect(closedWon.ok && closedWon.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Closed Won' });
    expect(closedWon.ok && closedWon.lead.hotter).toBeUndefined();
    expect(byStatus.storedLead).toHaveBeenCalledTimes(1);
  });

  it("says a contact moved back since its last sync is not converted, on the badge and in the side panel, by the portal's kept stages", async () => {
    const demo = await plannedContact();
    const movedBack = deps(syncedContact(CLOSED_WON, portalOrder), keptStages);
    const badge = await scoreLead(pageOf(demo, 'Lead'), movedBack);
    if (!badge.ok) throw new Error(badge.error);
    expect(badge.lead.converted).toBeUndefined();
    expect(badge.lead.hotter).toBeDefined();
    // From its cached score too.
    const cached = await scoreLead(pageOf(demo, 'Lead'), movedBack);
    expect(cached.ok && cached.lead.converted).toBeUndefined();
    const panel = await explainInFull(pageOf(demo, 'Lead'), 'Ada', { ...movedBack, manifest });
    expect(panel.ok && panel.lead.converted).toBeUndefined();
    // The portal's own stage after opportunity, though no sync stored the contact there.
    const closedWon = await scoreLead(pageOf(demo, 'Closed Won'), deps(undefined, keptStages));
    expect(closedWon.ok && closedWon.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Closed Won' });
  });

  it("reads the portal's kept stages once per reply, not for a Salesforce page nor where the model's rule decides; one that fails leaves the stored lead to say", async () => {
    const demo = await plannedContact();
    const asked = () => {
      const portalLifecycleStages = vi.fn(async () => keptStages);
      return { portalLifecycleStages, deps: { ...deps({ fields: { IsConverted: true }, outcome: 1 }), portalLifecycleStages } };
    };
    // A Salesforce lead's IsConverted, were its page to show it, is no HubSpot stage.
    const salesforce = asked();
    const salesforcePage = { crm: 'salesforce' as const, recordId: demo.salesforceId, fields: { Title: 'CFO', Company: 'Acme', IsConverted: 'true' } };
    const converted = await scoreLead(salesforcePage, salesforce.deps);
    expect(converted.ok && converted.lead.converted).toEqual({ field: 'Converted', value: 'true' });
    expect(salesforce.portalLifecycleStages).not.toHaveBeenCalled();
    const byModel = asked();
    const reachedCustomer = withRule({ source: 'hubspot', field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'] });
    expect((await scoreLead(pageOf(demo, 'Closed Won'), { ...byModel.deps, activeManifest: async () => reachedCustomer })).ok).toBe(true);
    expect(byModel.portalLifecycleStages).not.toHaveBeenCalled();
    const byStatus = asked();
    const closedWon = await scoreLead(pageOf(demo, 'Closed Won'), byStatus.deps);
    expect(closedWon.ok && closedWon.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Closed Won' });
    expect(byStatus.portalLifecycleStages).toHaveBeenCalledTimes(1);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const failing = { ...deps(syncedContact(CLOSED_WON, portalOrder)), portalLifecycleStages: () => Promise.reject(new Error('Dexie closed')) };
    const storedSays = await scoreLead(pageOf(demo, 'Closed Won'), failing);
    expect(storedSays.ok && storedSays.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Closed Won' });
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });

  it('reads the stage as before the stages were kept where the stored row does not parse, and by the stages a sync kept once it does', async () => {
    const demo = await plannedContact();
    const name = 'leadlens-score-lead-converted-test';
    const db = new LeadLensDb(name);
    try {
      await recordSyncedAccount(db, 'hubspot', { id: '777001', name: 'HubSpot portal 777001' });
      const fromStorage = { ...deps(syncedContact(CLOSED_WON, portalOrder)), portalLifecycleStages: () => keptLifecycleStages(db, '777001') };
      // Damaged: a stage without its label.
      await db.settings.put({ key: KEPT_LIFECYCLE_STAGES_KEY, value: { portalId: '777001', stages: [{ value: 'lead' }, ...keptStages] } });
      const damaged = await scoreLead(pageOf(demo, 'Lead'), fromStorage);
      expect(damaged.ok && damaged.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Lead' });
      await dexieSyncStore(db).keepLifecycleStages!(keptStages);
      const kept = await scoreLead(pageOf(demo, 'Lead'), fromStorage);
      expect(kept.ok && kept.lead.converted).toBeUndefined();
    } finally {
      db.close();
      await Dexie.delete(name);
    }
  });

  it("says a Salesforce lead converted by its record read, asking for IsConverted, which no Lightning page shows, with the model's fields in that one read", async () => {
    /** A demo lead's page as Lightning shows it: no IsConverted, whatever its status says. */
    const salesforcePage = (demo: (typeof demoLeads)[number]) => ({ crm: 'salesforce' as const, recordId: demo.salesforceId, fields: { Title: 'CFO', Status: 'Closed - Converted' } });
    /** The org connected: its record read from the API, `IsConverted` as given, and the fields each read asked for. */
    const connected = (demo: (typeof demoLeads)[number], IsConverted: boolean, activeManifest = manifest) => {
      const fieldsAsked: (readonly string[])[] = [];
      const storedLead = vi.fn(async (): Promise<StoredOutcome> => ({ fields: { IsConverted }, outcome: IsConverted ? 1 : 0 }));
      const fetchRecord = async (_crm: CrmKind, _recordId: string, fields: readonly string[]) => {
        fieldsAsked.push(fields);
        return { ...demo.salesforce, IsConverted } as RawRecord;
      };
      return { fieldsAsked, storedLead, deps: { ...deps(), activeManifest: async () => activeManifest, storedLead, fetchRecord } };
    };
    let demo: (typeof demoLeads)[number] | undefined;
    for (const candidate of demoLeads) {
      const outcome = await scoreLead(salesforcePage(candidate), connected(candidate, false).deps);
      if (outcome.ok && outcome.lead.hotter) {
        demo = candidate;
        break;
      }
    }
    if (!demo) throw new Error('no demo lead with a plan');
    const page = salesforcePage(demo);
    const open = connected(demo, false);
    const asOpen = ScoreResponseSchema.parse(await scoreLead(page, open.deps));
    const converted = connected(demo, true);
    const badge = ScoreResponseSchema.parse(await scoreLead(page, converted.deps));
    if (!asOpen.ok || !badge.ok) throw new Error('both score');
    expect(badge.lead.converted).toEqual({ field: 'Converted', value: 'true' });
    expect(badge.lead.hotter).toBeUndefined();
    // IsConverted is no field the model reads: the same score, tier and reasons.
    const { hotter: _plan, ...scored } = asOpen.lead;
    expect({ ...badge.lead, converted: undefined }).toEqual({ ...scored, converted: undefined });
    // One read, the model's fields and IsConverted; its stored outcome is that same IsConverted as of the last sync: not read.
    expect(converted.fieldsAsked).toEqual([[...fieldsRead(manifest.features, 'salesforce'), 'IsConverted']]);
    // From its cached score too, and in the side panel, from the badge's cache or a read of its own, with the same fields read.
    expect(await scoreLead(page, converted.deps)).toEqual(badge);
    const panelOf = async (asked: ReturnType<typeof connected>) => {
      const outcome = await explainInFull(page, 'Ada', { ...asked.deps, manifest: await asked.deps.activeManifest() });
      if (!outcome.ok) throw new Error(outcome.error);
      return OpenLeadSchema.parse(outcome.lead);
    };
    const panel = await panelOf(converted);
    expect(converted.fieldsAsked).toHaveLength(1);
    const panelReading = await panelOf(connected(demo, true));
    for (const said of [panel, panelReading]) {
      expect(said.converted).toEqual({ field: 'Converted', value: 'true' });
      expect(said.fieldsRead).toEqual((await panelOf(open)).fieldsRead);
    }
    expect(converted.storedLead).not.toHaveBeenCalled();
    // A model whose own rule decides reads its field on the page: the record read asks for the model's fields alone.
    const byModel = connected(demo, true, withRule({ source: 'salesforce', field: 'Status', positiveValues: ['Closed - Converted'] }));
    const byRule = await scoreLead(page, byModel.deps);
    expect(byRule.ok && byRule.lead.converted).toEqual({ field: 'Lead Status', value: 'Closed - Converted' });
    expect(byModel.fieldsAsked).toEqual([fieldsRead(manifest.features, 'salesforce')]);
  });

  it('claims nothing for a page that shows no lifecycle stage', async () => {
    const demo = await plannedContact();
    const { lifecyclestage: _stage, ...withoutStage } = pageOf(demo, 'Customer').fields;
    const outcome = await scoreLead({ ...pageOf(demo, 'Customer'), fields: withoutStage }, deps());
    expect(outcome.ok && outcome.lead.converted).toBeUndefined();
  });
});
