/**
 * A write-back scores its own CRM's stored leads before writing them, not every stored lead:
 * with the other CRM's leads stored too, only its leads are scored (and written). It writes only
 * the records the CRM takes: no converted Salesforce Lead. It answers before it checks the
 * fields or scores a lead; its state says which it is doing, and why it stopped.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readStatus } from '../connections/connections';
import { writeConnection } from '../../test/fixtures/stored-connection';
import type { CrmClient, CrmRecord, CrmUser, FieldUpdate } from '../crm/client';
import { CrmError } from '../crm/http';
import { demoStoredLeads } from '../crm/demo-leads';
import type { CrmKind } from '../crm/types';
import { storeModel } from '../../test/fixtures/stored-model';
import { db, type StoredLead } from '../db/db';
import { forgetRecordsInWriteBackReport } from '../db/write-back-report';
import { fieldsNoLongerWritten, forgetFieldsWritten, forgetWrittenValues, setHeldValuesRemembered, writtenBackFields } from '../db/written-back-fields';
import { readJob } from '../jobs/progress';
import { bundledModel } from '../ml/bundled-model';
import { setTiers } from '../ml/model-store';
import { scoreAndTier } from '../ml/score';
import { activateModel } from '../ml/model-versions';
import { DEMO_SALESFORCE_ADMIN, DEMO_SALESFORCE_USERS, type DemoSalesforceUser } from '../../test/demo-crm/salesforce-api';
import { INITIAL_SYNC_STATE } from '../sync/state';
import { dexieSyncStore, recordSyncedAccount } from '../sync/store';
import { cancelWriteBack, forgetWriteBackReport, readWriteBack, startWriteBack } from './write-back-job';
import { WriteBackTargetSchema, type RecordWriter, type WriteBackTarget } from './write-back';
import { isUnderway, type WriteBackSummary } from '../messaging/protocol-write-back';
import { deferred } from '../../test/deferred';
import { datedByItsData } from '../ml/outcome-rule';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

/**
 * When `until` is set, scoring starts only once it resolves, or stops at a cancel as the real wait
 * for the offscreen document does; when `topReason` is set, every score gets it as its top reason;
 * when `reasonsOf` is, each score its strongest reasons up and down, and the top one of its tier.
 */
const scoringHeld = vi.hoisted(() => ({
  until: null as Promise<void> | null,
  topReason: null as string | null,
  reasonsOf: null as ((leadKey: string) => { reasonUp: string; reasonDown: string }) | null,
}));
// The offscreen document's handler run in place (same bulk-scoring job, no messaging), with a
// model that gives every lead the same odds: what is scored matters here, not the scores.
vi.mock('./offscreen-engine', () => ({
  scoreStoredLeadsOffscreen: async (modelId: string, source?: CrmKind, signal?: AbortSignal) => {
    const held = scoringHeld.until;
    if (held) await new Promise<void>((resolve, reject) => {
      void held.then(resolve);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    const { manifestOf } = await import('../ml/model-store');
    const { runScoringJob } = await import('../ml/bulk-score');
    const manifest = await manifestOf(modelId);
    const terms = manifest.terms.length;
    const runModel = async (rows: Float32Array, featureCount: number) => {
      const n = rows.length / featureCount;
      return { probability: new Float32Array(n).fill(0.5) /* [N] */, contributions: new Float32Array(n * terms) /* [N * T] */, terms };
    };
    const scored = await runScoringJob({ manifest, runModel, now: new Date() }, { source });
    const { topReason } = scoringHeld;
    if (topReason !== null) await (await import('../db/db')).db.leadScores.toCollection().modify((score) => void (score.topReason = topReason));
    const { reasonsOf } = scoringHeld;
    const { topReasonFor } = await import('../presentation');
    if (reasonsOf) await (await import('../db/db')).db.leadScores.toCollection().modify((score) => void Object.assign(score, reasonsOf(score.leadKey), { topReason: topReasonFor(score.tier, reasonsOf(score.leadKey)) }));
    return { ok: true as const, scored };
  },
}));

const updates: FieldUpdate[] = [];
/** Fields a rep changed in the CRM since the last sync, by record id: the CRM's records are the stored leads, but for these. */
const editedInCrm = new Map<string, CrmRecord['fields']>();
/** Whom the credentials sign in as (`CrmClient.currentUser`) is asked only where a test gives it (a Salesforce session's); a HubSpot token is no user's. */
const writer: RecordWriter & Pick<CrmClient, 'checkWritableFields' | 'currentUser'> = {
  maxBatch: 200,
  checkWritableFields: async (fields) => fields.map((field) => ({ name: field.name, maxLength: null })),
  batchRead: async (ids) => {
    const stored = await db.leads.bulkGet(ids.flatMap((id) => [`salesforce|${id}`, `hubspot|${id}`]));
    return stored.flatMap((lead) => (lead ? [{ id: lead.id, modifiedAt: lead.modifiedAt, fields: { ...lead.fields, ...editedInCrm.get(lead.id) } }] : []));
  },
  updateRecords: async (batch) => {
    updates.push(...batch);
    return [];
  },
};
// The stored connection, with the writer as its client.
vi.mock('../connections/client-for', () => ({
  connectedClient: async (crm: CrmKind) => {
    const { readConnection } = await import('../connections/connections');
    const connection = await readConnection(crm);
    return connection && { connection, client: writer };
  },
}));

beforeEach(async () => {
  fakeBrowser.reset();
  // The job keeps the worker alive (`keepWorkerAliveDuring`): fakeBrowser has no such call.
  fakeBrowser.runtime.getPlatformInfo = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
  updates.length = 0;
  editedInCrm.clear();
  delete writer.currentUser;
  scoringHeld.until = null;
  scoringHeld.topReason = null;
  scoringHeld.reasonsOf = null;
  // Node has no Web Locks: each lock is free and reads as held while its task runs (the job's "alive" check).
  const held = new Set<string>();
  vi.stubGlobal('navigator', {
    locks: {
      query: async () => ({ held: [...held].map((name) => ({ name })), pending: [] }),
      request: async (name: string, _options: unknown, task: (lock: { name: string }) => unknown) => {
        held.add(name);
        try {
          return await task({ name });
        } finally {
          held.delete(name);
        }
      },
    },
  });
  await Promise.all(db.tables.map((table) => table.clear()));
  // The connections write-backs run on (their client is the writer above).
  await writeConnection({ crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
  await writeConnection(HUBSPOT_CONNECTION);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** A token no check has read the portal of yet. */
const UNCHECKED_HUBSPOT_CONNECTION = { crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-0123456789' }, timeoutSeconds: 30 } as const;
const HUBSPOT_CONNECTION = { ...UNCHECKED_HUBSPOT_CONNECTION, account: { id: '4242424', name: 'HubSpot portal 4242424' } };

it('scores only the leads of the CRM it writes back to, then writes them', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30).map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  const salesforce = leads.filter((lead) => lead.source === 'salesforce');

  const target = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null });
  // Converted Leads are scored but not written (see the next test).
  const unconverted = salesforce.filter((lead) => lead.outcome !== 1);
  expect(await startWriteBack(target)).toMatchObject({ status: 'checking', target: { scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null } });
  await writeBackFinished('salesforce');

  expect(await readWriteBack('salesforce')).toMatchObject({ status: 'done', total: unconverted.length, written: unconverted.length });
  expect((await db.leadScores.toArray()).map((score) => score.leadKey).sort()).toEqual(salesforce.map((lead) => lead.key).sort());
  expect(updates.map((update) => update.recordId).sort()).toEqual(unconverted.map((lead) => lead.id).sort());
  expect(await readJob('scoring')).toMatchObject({ state: 'done', done: salesforce.length, total: salesforce.length, source: 'salesforce' });
});

it('leaves out converted Salesforce Leads, which Salesforce refuses to update, but writes converted HubSpot contacts', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 40).map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  const converted = (crm: CrmKind) => leads.filter((lead) => lead.source === crm && lead.outcome === 1);
  expect(converted('salesforce').length).toBeGreaterThan(0);
  expect(converted('hubspot').length).toBeGreaterThan(0);

  await startWriteBack(WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null }));
  await writeBackFinished('salesforce');
  const sentToSalesforce = new Set(updates.map((update) => update.recordId));
  expect(converted('salesforce').filter((lead) => sentToSalesforce.has(lead.id))).toEqual([]);
  // Counted, for the page to say why they are not among those written.
  expect(await readWriteBack('salesforce')).toMatchObject({
    status: 'done',
    failures: [],
    total: leads.filter((lead) => lead.source === 'salesforce' && lead.outcome !== 1).length,
    converted: converted('salesforce').length,
  });

  updates.length = 0;
  await startWriteBack(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }));
  await writeBackFinished('hubspot');
  expect(updates.map((update) => update.recordId).sort()).toEqual(leads.filter((lead) => lead.source === 'hubspot').map((lead) => lead.id).sort());
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'done', converted: 0 });
});

it('counts the converted Salesforce Leads it left out in a write-back stopped part way too', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 40).map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  const converted = leads.filter((lead) => lead.source === 'salesforce' && lead.outcome === 1).length;
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  vi.spyOn(writer, 'updateRecords')
    .mockImplementationOnce(async () => [])
    .mockRejectedValue(new CrmError('network', 'Salesforce did not answer'));
  const target = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null });
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'error', written: 5, converted });
});

it('leaves out leads whose fields already held these values when last synced, and counts them', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30)
    .filter((lead) => lead.source === 'hubspot')
    .map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: null });
  await startWriteBack(target);
  await writeBackFinished('hubspot');
  expect(updates).toHaveLength(leads.length);

  // The next sync stores what was written (HubSpot sends numbers as text); one lead's tier was edited in HubSpot since.
  const written = new Map(updates.map((update) => [update.recordId, update.fields]));
  const [edited, ...rest] = leads;
  await db.putLeads([
    { ...edited, fields: { ...edited.fields, ...written.get(edited.id), leadlens_tier: 'Edited in HubSpot' } },
    ...rest.map((lead) => ({ ...lead, fields: { ...lead.fields, leadlens_score: String(written.get(lead.id)!.leadlens_score), leadlens_tier: written.get(lead.id)!.leadlens_tier } })),
  ]);
  updates.length = 0;
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', total: 1, written: 1, unchanged: rest.length });
  expect(updates.map((update) => update.recordId)).toEqual([edited.id]);

  // Nothing left to write is no error: every lead already holds its values.
  await db.putLeads([{ ...edited, fields: { ...edited.fields, ...written.get(edited.id) } }]);
  updates.length = 0;
  await startWriteBack(target);
  await writeBackFinished('hubspot');
  expect(updates).toEqual([]);
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'done', written: 0, total: 0, unchanged: leads.length, error: null });
});

it('compares and remembers a field as the CRM spells it, however the admin typed it (Salesforce takes names in any case)', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30)
    .filter((lead) => lead.source === 'salesforce')
    .map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  vi.spyOn(writer, 'checkWritableFields').mockImplementation(async (fields) => fields.map((field) => ({ name: field.name.toLowerCase() === 'fit_score__c' ? 'Fit_Score__c' : field.name, maxLength: null })));
  const typed = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'fit_score__c', tierField: null, reasonField: null });
  // Converted Leads left out (Salesforce refuses to update them).
  const first = await writeBackToEnd(typed);
  expect(first).toMatchObject({ status: 'done', written: updates.length });
  expect(updates.length).toBeGreaterThan(10);
  expect(updates.every((update) => Object.keys(update.fields).join() === 'Fit_Score__c')).toBe(true);
  // Kept out of training under the name a sync stores it by.
  expect(await writtenBackFields('salesforce')).toEqual(['Fit_Score__c']);

  // The next sync stores what was written, under Salesforce's name: nothing to write again.
  const written = new Map(updates.map((update) => [update.recordId, update.fields.Fit_Score__c]));
  await db.putLeads(leads.map((lead) => ({ ...lead, fields: { ...lead.fields, Fit_Score__c: written.get(lead.id) ?? null } })));
  updates.length = 0;
  expect(await writeBackToEnd(typed)).toMatchObject({ status: 'done', written: 0, unchanged: written.size });
  expect(updates).toEqual([]);
});

it('keeps what it wrote in the stored leads, so the next write-back compares with that, not with values from before it', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30)
    .filter((lead) => lead.source === 'hubspot')
    .map((lead) => ({ ...lead, origin: 'sync' as const, fields: { ...lead.fields, leadlens_tier: 'Written by an earlier model' } }));
  await db.putLeads(leads);
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: null, tierField: 'leadlens_tier', reasonField: null });
  await startWriteBack(target);
  await writeBackFinished('hubspot');
  expect(updates).toHaveLength(leads.length);
  const written = new Map(updates.map((update) => [update.recordId, update.fields.leadlens_tier]));
  for (const lead of await db.leads.bulkGet(leads.map((lead) => lead.key))) expect(lead?.fields.leadlens_tier).toBe(written.get(lead!.id));
  // What it wrote is no field a model reads (write-back refuses those): the leads owe no new score for it.
  expect(await db.owedLeadScores.count()).toBe(0);

  // No sync in between: the stored leads say what the CRM holds now.
  updates.length = 0;
  await startWriteBack(target);
  await writeBackFinished('hubspot');
  expect(updates).toEqual([]);
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'done', written: 0, unchanged: leads.length });
});

it('remembers every field it wrote to, so training leaves them out; a CSV import may carry either CRM’s', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30).map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  await startWriteBack(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'ai_fit', tierField: null, reasonField: null }));
  await writeBackFinished('hubspot');
  await startWriteBack(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'ai_fit_v2', tierField: 'ai_tier', reasonField: null }));
  await writeBackFinished('hubspot');
  await startWriteBack(WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'Fit__c', tierField: null, reasonField: null }));
  await writeBackFinished('salesforce');
  // A field no longer chosen still holds the scores written then.
  expect(await writtenBackFields('hubspot')).toEqual(['ai_fit', 'ai_fit_v2', 'ai_tier']);
  expect(await writtenBackFields('salesforce')).toEqual(['Fit__c']);
  expect(await writtenBackFields('csv')).toEqual(['Fit__c', 'ai_fit', 'ai_fit_v2', 'ai_tier']);
});

describe('the fields it no longer writes to, which the page names with what they still hold', () => {
  const scoreAndTier = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: null });
  const scoreOnly = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
  const tierOnly = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: null, tierField: 'leadlens_tier', reasonField: null });
  const aMomentLater = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('are the fields written before that the target leaves out, with when values were last written there: not when it only empties them', async () => {
    const leads = await syncedHubSpotLeads();
    const before = Date.now();
    expect(await writeBackToEnd(scoreAndTier)).toMatchObject({ status: 'done', written: leads.length });
    const after = Date.now();
    expect(await fieldsNoLongerWritten('hubspot', scoreAndTier)).toEqual([]);
    await aMomentLater();

    // The score only from now on; one lead the model can no longer score still holds what LeadLens wrote to both fields.
    const wrote = new Map(updates.map((update) => [update.recordId, update.fields]));
    const [first] = leads;
    const { leadlens_score, leadlens_tier } = wrote.get(first.id)!;
    await db.putLeads([{ ...first, fields: { hs_persona: 'x', leadlens_score: String(leadlens_score), leadlens_tier } }]);
    updates.length = 0;
    expect(await writeBackToEnd(scoreOnly)).toMatchObject({ status: 'done', cleared: 1 });
    // Its score emptied, its tier left as LeadLens wrote it: the tier field is no longer LeadLens's to update.
    expect(updates).toEqual([{ recordId: first.id, fields: { leadlens_score: null } }]);
    const [tier] = await fieldsNoLongerWritten('hubspot', scoreOnly);
    expect(tier).toEqual({ name: 'leadlens_tier', holds: 'tier', lastWrittenAt: expect.any(Number) });
    expect(tier.lastWrittenAt).toBeGreaterThanOrEqual(before);
    expect(tier.lastWrittenAt).toBeLessThanOrEqual(after);
    // Emptying one lead's score wrote no score: the field's last write is the first write-back's.
    const [score] = await fieldsNoLongerWritten('hubspot', tierOnly);
    expect(score).toMatchObject({ name: 'leadlens_score', holds: 'score' });
    expect(score.lastWrittenAt).toBeLessThanOrEqual(after);

    // Written to again: no longer left out.
    expect(await writeBackToEnd(scoreAndTier)).toMatchObject({ status: 'done' });
    expect(await fieldsNoLongerWritten('hubspot', scoreAndTier)).toEqual([]);
    // Another org connected: what LeadLens wrote there is not in its records.
    await forgetWrittenValues('hubspot');
    expect(await fieldsNoLongerWritten('hubspot', scoreOnly)).toEqual([]);
  });

  it('are compared as the CRM spells them: a Salesforce field typed in another case is the same field', async () => {
    const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30).map((lead) => ({ ...lead, origin: 'sync' as const }));
    await db.putLeads(leads);
    vi.spyOn(writer, 'checkWritableFields').mockImplementation(async (fields) => fields.map((field) => ({ name: field.name.toLowerCase() === 'fit_tier__c' ? 'Fit_Tier__c' : field.name, maxLength: null })));
    const typed = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'Fit_Score__c', tierField: 'fit_tier__c', reasonField: null });
    expect(await writeBackToEnd(typed)).toMatchObject({ status: 'done' });
    expect(await fieldsNoLongerWritten('salesforce', typed)).toEqual([]);
    expect(await fieldsNoLongerWritten('salesforce', { ...typed, tierField: null })).toEqual([{ name: 'Fit_Tier__c', holds: 'tier', lastWrittenAt: expect.any(Number) }]);
  });

  it('include those a write-back of an older LeadLens wrote, which did not record them, as last written when it ended', async () => {
    await syncedHubSpotLeads();
    const older = { crm: 'hubspot', status: 'done', target: { scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: 'leadlens_reason' }, done: 3, total: 3, written: 3, failures: [], error: null, finishedAt: 1_700_000_000_000 };
    await db.settings.put({ key: 'write-back:hubspot', value: older });
    expect(await writeBackToEnd(scoreOnly)).toMatchObject({ status: 'done' });
    expect(await fieldsNoLongerWritten('hubspot', scoreOnly)).toEqual([
      { name: 'leadlens_tier', holds: 'tier', lastWrittenAt: 1_700_000_000_000 },
      { name: 'leadlens_reason', holds: 'reason', lastWrittenAt: 1_700_000_000_000 },
    ]);
    // Those recorded since keep the later write: the score field was written just now.
    const [score] = await fieldsNoLongerWritten('hubspot', tierOnly);
    expect(score.lastWrittenAt).toBeGreaterThan(1_700_000_000_000);
  });

  it('go once the admin forgets them (emptied or deleted in the CRM), as the CRM spells them, and stay gone at the next write-back; training still leaves them out', async () => {
    const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30).map((lead) => ({ ...lead, origin: 'sync' as const }));
    await db.putLeads(leads);
    const all = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'Fit_Score__c', tierField: 'Fit_Tier__c', reasonField: 'Fit_Reason__c' });
    const scoreOnlySf = { ...all, tierField: null, reasonField: null };
    expect(await writeBackToEnd(all)).toMatchObject({ status: 'done' });
    expect(await writeBackToEnd(scoreOnlySf)).toMatchObject({ status: 'done' });
    const [tier, reason] = await fieldsNoLongerWritten('salesforce', scoreOnlySf);
    expect([tier.name, reason.name]).toEqual(['Fit_Tier__c', 'Fit_Reason__c']);

    // Typed in another case, it is the same Salesforce field; the other is still named.
    await forgetFieldsWritten('salesforce', [{ name: 'fit_tier__c', lastWrittenAt: tier.lastWrittenAt }]);
    expect(await fieldsNoLongerWritten('salesforce', scoreOnlySf)).toEqual([reason]);
    // The next write-back records the last one's fields where nothing is recorded of them: not the field forgotten.
    expect(await writeBackToEnd(scoreOnlySf)).toMatchObject({ status: 'done' });
    expect(await fieldsNoLongerWritten('salesforce', scoreOnlySf)).toEqual([reason]);
    // Leads synced before hold what was written there: not learnt from.
    expect(await writtenBackFields('salesforce')).toEqual(expect.arrayContaining(['Fit_Tier__c', 'Fit_Reason__c']));
    // Another CRM's field of the same name is another field.
    await forgetFieldsWritten('hubspot', [{ name: 'Fit_Reason__c', lastWrittenAt: Date.now() }]);
    expect(await fieldsNoLongerWritten('salesforce', scoreOnlySf)).toEqual([reason]);
  });

  it('stay named when written to again since the page read them: a forgetting from a page read before is not of that write', async () => {
    const [first] = await syncedHubSpotLeads();
    expect(await writeBackToEnd(scoreAndTier)).toMatchObject({ status: 'done' });
    await aMomentLater();
    expect(await writeBackToEnd(scoreOnly)).toMatchObject({ status: 'done' });
    const [seen] = await fieldsNoLongerWritten('hubspot', scoreOnly);
    await aMomentLater();
    // Named again (another tab), then left out again: LeadLens wrote a tier there after the page read it.
    const synced = (await db.leads.get(`hubspot|${first.id}`))!;
    await db.putLeads([{ ...synced, fields: { ...synced.fields, leadlens_tier: 'typed by a rep' } }]);
    expect(await writeBackToEnd(scoreAndTier)).toMatchObject({ status: 'done', written: 1 });
    expect(await writeBackToEnd(scoreOnly)).toMatchObject({ status: 'done' });
    await forgetFieldsWritten('hubspot', [seen]);
    const [tier] = await fieldsNoLongerWritten('hubspot', scoreOnly);
    expect(tier).toMatchObject({ name: 'leadlens_tier', holds: 'tier' });
    expect(tier.lastWrittenAt).toBeGreaterThan(seen.lastWrittenAt);
  });
});

it('says "reconnect" when the CRM refuses the credentials, and "connected" once a write-back is taken again', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30)
    .filter((lead) => lead.source === 'hubspot')
    .map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
  vi.spyOn(writer, 'updateRecords').mockRejectedValueOnce(new CrmError('auth', 'HubSpot rejected the credentials: HTTP 401', 401));
  await startWriteBack(target);
  await writeBackFinished('hubspot');
  // The write-back and the connection say what fixes it, as its check does (`failureInPlainWords`), not the HTTP text.
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'error', error: 'HubSpot did not accept the access token: paste a current access token of your private app (or service key), then Reconnect (HTTP 401)', stoppedBySignInRefusal: true });
  expect(await readStatus('hubspot')).toMatchObject({ status: 'reconnect', message: 'HubSpot did not accept the access token: paste a current access token of your private app (or service key), then Reconnect (HTTP 401)' });

  // A new token of the same portal, or the portal's app allowed again: written.
  await startWriteBack(target);
  await writeBackFinished('hubspot');
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'done', written: leads.length });
  expect(await readStatus('hubspot')).toEqual({
    crm: 'hubspot',
    status: 'connected',
    host: 'api.hubapi.com',
    message: 'Connected to HubSpot at api.hubapi.com: the last write-back wrote to it',
  });
});

it('says why it has nothing to write: no lead synced, or none of those synced with a score (a model of other fields)', async () => {
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'error', error: 'No leads synced from HubSpot: sync first' });
  // Synced, but with none of the fields the model reads: bulk scoring leaves them unscored.
  await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 10).filter((lead) => lead.source === 'hubspot').map((lead) => ({ ...lead, origin: 'sync' as const, fields: { hs_persona: 'x' } })));
  expect(await writeBackToEnd(target)).toMatchObject({
    status: 'error',
    error: 'None of the 5 leads synced from HubSpot has a score to write: the active model reads none of their fields',
  });
  expect(updates).toEqual([]);
});

it('says why no lead is synced when a sync ended: it found none this connection can read, or it stopped', async () => {
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
  const december1 = Date.parse('2026-12-01T12:00:00Z');
  // An empty portal: the sync ended as it should, with nothing to store.
  await dexieSyncStore(db).writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: december1, lastRun: { synced: 0, finishedAt: december1, seconds: 2 }, endedAt: december1 });
  expect(await writeBackToEnd(target)).toMatchObject({
    status: 'error',
    error: "No leads synced from HubSpot: its last sync, on Dec 1, 2026, found no leads this connection can read. Ask your HubSpot admin to check the connection's access to your leads, then sync again",
  });
  await dexieSyncStore(db).writeState('hubspot', { ...INITIAL_SYNC_STATE, status: 'error', error: 'HubSpot refused the request: too many requests (429)', errorKind: 'rate-limit', endedAt: december1 });
  expect(await writeBackToEnd(target)).toMatchObject({
    status: 'error',
    error: 'No leads synced from HubSpot: its last sync stopped on Dec 1, 2026, before it stored any lead (see why under Sync)',
  });
  expect(updates).toEqual([]);
});

it('says so of a single synced lead without a score in the singular', async () => {
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
  const [lead] = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 2).filter((stored) => stored.source === 'hubspot');
  await db.putLeads([{ ...lead, origin: 'sync' as const, fields: { hs_persona: 'x' } }]);
  expect(await writeBackToEnd(target)).toMatchObject({
    status: 'error',
    error: 'The 1 lead synced from HubSpot has no score to write: the active model reads none of its fields',
  });
});

it('keeps what the CRM refused in batches before the job stopped, with how many it took', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30)
    .filter((lead) => lead.source === 'hubspot')
    .map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  const refusal = 'INVALID_OPTION: leadlens_score is not a number';
  vi.spyOn(writer, 'updateRecords')
    .mockImplementationOnce(async (batch) => [{ recordId: batch[0].recordId, error: refusal }])
    .mockRejectedValueOnce(new CrmError('auth', 'HubSpot rejected the credentials: HTTP 401', 401));
  await startWriteBack(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }));
  await writeBackFinished('hubspot');
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'error', done: 5, written: 4, failures: [{ error: refusal, count: 1 }] });
});

it('stops once two batches in a row had every lead refused for the same reason, and says so with what was refused', async () => {
  await syncedHubSpotLeads();
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  const refusal = 'VALIDATION_ERROR: Property values were not valid';
  const update = vi.spyOn(writer, 'updateRecords').mockImplementation(async (batch) => batch.map(({ recordId }) => ({ recordId, error: refusal })));
  expect(await writeBackToEnd(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }))).toMatchObject({
    status: 'error',
    error: expect.stringMatching(/^HubSpot refused every lead of the last 2 batches \(10 leads\) for the same reason: VALIDATION_ERROR: Property values were not valid \(lead \d+\)\. Stopped there: the 5 leads left were not sent/),
    total: 15,
    done: 10,
    written: 0,
    failures: [{ error: refusal, count: 10 }],
  });
  expect(update).toHaveBeenCalledTimes(2);
  expect((await readStatus('hubspot')).status).toBe('connected');
});

it('says nothing of a connection the admin replaced while it ran: the refused token was the previous one', async () => {
  await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 10).map((lead) => ({ ...lead, origin: 'sync' as const })));
  vi.spyOn(writer, 'updateRecords').mockImplementationOnce(async () => {
    await writeConnection({ ...HUBSPOT_CONNECTION, auth: { kind: 'token', token: 'pat-na1-the-new-token' } });
    throw new CrmError('auth', 'HubSpot rejected the credentials: HTTP 401', 401);
  });
  await startWriteBack(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }));
  await writeBackFinished('hubspot');
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'error' });
  expect((await readStatus('hubspot')).status).toBe('connected');
});

it('says "reconnect" when the CRM refuses the credentials at the field check, before anything is written', async () => {
  await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 10).map((lead) => ({ ...lead, origin: 'sync' as const })));
  vi.spyOn(writer, 'checkWritableFields').mockRejectedValueOnce(new CrmError('auth', 'HubSpot rejected the credentials: HTTP 401', 401));
  const ended = await writeBackToEnd(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }));
  // The write-back and the connection say what fixes it, as its check does (`failureInPlainWords`), not the HTTP text.
  expect(ended).toMatchObject({ status: 'error', error: 'HubSpot did not accept the access token: paste a current access token of your private app (or service key), then Reconnect (HTTP 401)', stoppedBySignInRefusal: true, finishedAt: expect.any(Number) });
  expect(await readStatus('hubspot')).toMatchObject({ status: 'reconnect', message: 'HubSpot did not accept the access token: paste a current access token of your private app (or service key), then Reconnect (HTTP 401)' });
  expect(updates).toEqual([]);
});

async function writeBackFinished(crm: CrmKind): Promise<void> {
  while (isUnderway((await readWriteBack(crm)).status)) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Starts a write-back of `target` and waits for its end, which it returns. */
async function writeBackToEnd(target: WriteBackTarget): Promise<WriteBackSummary> {
  await startWriteBack(target);
  await writeBackFinished(target.crm);
  return readWriteBack(target.crm);
}

it('refuses fields the CRM client will not let it fill before anything is scored, written or kept out of training', async () => {
  await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 10).map((lead) => ({ ...lead, origin: 'sync' as const })));
  const check = vi.spyOn(writer, 'checkWritableFields').mockRejectedValueOnce(new CrmError('request', '"jobtitle" is one of HubSpot\'s own properties. Nothing was written.'));
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: 'jobtitle', reasonField: null });
  const refused = await writeBackToEnd(target);
  expect(refused).toMatchObject({ status: 'error', error: expect.stringMatching(/jobtitle.*HubSpot's own properties/) });
  // A field refused: the credentials were taken.
  expect(refused.stoppedBySignInRefusal).toBeUndefined();
  expect(check).toHaveBeenCalledWith([{ name: 'leadlens_score', holds: 'number', largest: 99 }, { name: 'jobtitle', holds: 'text', values: ['Hot', 'Warm', 'Cold'] }], expect.any(AbortSignal));
  expect(updates).toEqual([]);
  expect(await db.leadScores.count()).toBe(0);
  expect(await writtenBackFields('hubspot')).toEqual([]);
});

describe('leads synced from another org or portal than the connection reads', () => {
  // The sandbox's leads share production's record ids (a sandbox is a copy): writing them there would overwrite other leads.
  const SANDBOX = { id: 'acme--uat.sandbox.my.salesforce.com', name: 'acme--uat.sandbox.my.salesforce.com' };
  const salesforceTarget = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null });

  beforeEach(async () => {
    await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 10).map((lead) => ({ ...lead, origin: 'sync' as const })));
  });

  it('are not written into the connected org: nothing is scored, written or kept out of training', async () => {
    await recordSyncedAccount(db, 'salesforce', SANDBOX);
    expect(await writeBackToEnd(salesforceTarget)).toMatchObject({
      status: 'error',
      error: `The stored leads come from ${SANDBOX.name}, not acme.my.salesforce.com: press "Test connection" to replace them, then sync`,
    });
    expect(updates).toEqual([]);
    expect(await db.leadScores.count()).toBe(0);
    expect(await writtenBackFields('salesforce')).toEqual([]);
  });

  it('are not written through a HubSpot token whose portal no check has read yet', async () => {
    await writeConnection(UNCHECKED_HUBSPOT_CONNECTION);
    await recordSyncedAccount(db, 'hubspot', { id: '4242424', name: 'HubSpot portal 4242424' });
    const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
    expect(await writeBackToEnd(target)).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^The stored leads come from HubSpot portal 4242424, and which portal this token reads is not known yet: press "Test connection"/),
    });
    expect(updates).toEqual([]);

    // Once a check has read it as that portal, they are written.
    await writeConnection(HUBSPOT_CONNECTION);
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done' });
    expect(updates.length).toBeGreaterThan(0);
  });

  it('are not written through a HubSpot token whose portal no check has read, even with no portal recorded for them', async () => {
    await writeConnection(UNCHECKED_HUBSPOT_CONNECTION);
    const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
    expect(await writeBackToEnd(target)).toMatchObject({
      status: 'error',
      error: 'Which portal this token reads is not known yet: press "Test connection" to read it, then sync',
    });
    expect(updates).toEqual([]);
  });

  it('the same org’s are written', async () => {
    await recordSyncedAccount(db, 'salesforce', { id: 'acme.my.salesforce.com', name: 'acme.my.salesforce.com' });
    expect(await writeBackToEnd(salesforceTarget)).toMatchObject({ status: 'done' });
    expect(updates.length).toBeGreaterThan(0);
  });
});

describe('leads synced as another Salesforce user than the credentials sign in as (an admin\'s "Log in as" a rep)', () => {
  const asCrmUser = ({ Id, Name, Username }: DemoSalesforceUser): CrmUser => ({ id: Id, name: Name, username: Username });
  const admin = asCrmUser(DEMO_SALESFORCE_ADMIN);
  const rep = asCrmUser(DEMO_SALESFORCE_USERS[1]);
  const salesforceTarget = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null });
  /** Signs the credentials in as `user`; returns the spy counting how often the job asked. */
  const signedInAs = (user: CrmUser) => {
    const currentUser = vi.fn(async () => user);
    writer.currentUser = currentUser;
    return currentUser;
  };

  beforeEach(async () => {
    // More leads than a batch holds: whom it signs in as is asked once a run, not once a batch.
    await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 600).map((lead) => ({ ...lead, origin: 'sync' as const })));
  });

  it('are not written as the rep: nothing is scored, written or kept out of training, and it names both users and the ways out', async () => {
    await dexieSyncStore(db).recordSyncedAs?.('salesforce', admin);
    const currentUser = signedInAs(rep);
    const ended = await writeBackToEnd(salesforceTarget);
    expect(ended).toMatchObject({ status: 'error', written: 0, finishedAt: expect.any(Number) });
    expect(ended.error).toBe(
      `Salesforce is signed in as ${rep.name} (${rep.username}), not as Avery Lindqvist (avery.lindqvist@northbeam-analytics.example), whom LeadLens synced as: ` +
        `a write-back as another user would stamp every lead it writes as modified by ${rep.name}, and fail on the leads ${rep.name} may not edit, so this one wrote nothing. ` +
        `Write back again once signed in as Avery Lindqvist (after "Log in as", end it with "Log out as ${rep.name}"); ` +
        `or, to sync and write back as ${rep.name} from now on, connect Salesforce again under CRM connections, then sync`,
    );
    expect(currentUser).toHaveBeenCalledTimes(1);
    expect(updates).toEqual([]);
    expect(await db.leadScores.count()).toBe(0);
    expect(await writtenBackFields('salesforce')).toEqual([]);
    // The credentials work: the connection does not say "reconnect".
    expect((await readStatus('salesforce')).status).toBe('connected');

    // Back in the admin's own session ("Log out as"), the next write-back writes them.
    signedInAs(admin);
    expect(await writeBackToEnd(salesforceTarget)).toMatchObject({ status: 'done', error: null });
    expect(updates.length).toBeGreaterThan(200);
  });

  it('are written as the user they were synced as, who is asked once for the whole run', async () => {
    await dexieSyncStore(db).recordSyncedAs?.('salesforce', admin);
    const currentUser = signedInAs(admin);
    expect(await writeBackToEnd(salesforceTarget)).toMatchObject({ status: 'done', error: null });
    expect(updates.length).toBeGreaterThan(200);
    expect(currentUser).toHaveBeenCalledTimes(1);
  });

  it('are written when whom they were synced as is not known (synced by an older LeadLens, or a connect forgot it)', async () => {
    const currentUser = signedInAs(rep);
    expect(await writeBackToEnd(salesforceTarget)).toMatchObject({ status: 'done', error: null });
    expect(updates.length).toBeGreaterThan(0);
    expect(currentUser).not.toHaveBeenCalled();
  });

  it('ends as other CRM errors do, writing nothing, when whom the credentials sign in as cannot be read', async () => {
    await dexieSyncStore(db).recordSyncedAs?.('salesforce', admin);
    writer.currentUser = vi.fn().mockRejectedValueOnce(new CrmError('auth', 'Salesforce rejected the credentials: HTTP 401', 401));
    const check = vi.spyOn(writer, 'checkWritableFields');
    const reconnect =
      "Salesforce did not accept this browser's login to acme.my.salesforce.com (it may have timed out): log in to Salesforce in this browser, then Reconnect. " +
      'If it goes on once you are logged in, your org may block session reuse: choose Sign in with OAuth, and connect again (HTTP 401)';
    expect(await writeBackToEnd(salesforceTarget)).toMatchObject({ status: 'error', error: reconnect, finishedAt: expect.any(Number) });
    expect(await readStatus('salesforce')).toMatchObject({ status: 'reconnect', message: reconnect });
    expect(check).not.toHaveBeenCalled();
    expect(updates).toEqual([]);
    expect(await db.leadScores.count()).toBe(0);
  });
});

describe('while it checks the fields and scores the leads, before it writes', () => {
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
  /** Waits (a little) until the stored state says `status`: a job that never gets there fails here, not at the test's timeout. */
  async function untilStatus(status: WriteBackSummary['status']): Promise<WriteBackSummary> {
    for (let i = 0; i < 200; i++) {
      const state = await readWriteBack('hubspot');
      if (state.status === status) return state;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`The write-back never said "${status}"; it says "${(await readWriteBack('hubspot')).status}"`);
  }

  it('answers at once, says which it is doing instead of the last write-back’s end, and a cancel stops it before anything is written', async () => {
    await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 10).map((lead) => ({ ...lead, origin: 'sync' as const })));
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', written: 5 });
    await db.leads.toCollection().modify((lead) => void (lead.fields.leadlens_score = null));
    updates.length = 0;

    // The CRM has not answered the field check yet.
    let answerCheck!: () => void;
    const checkSent = deferred();
    vi.spyOn(writer, 'checkWritableFields').mockImplementationOnce(
      (fields) =>
        new Promise((resolve) => {
          answerCheck = () => resolve(fields.map((field) => ({ name: field.name, maxLength: null })));
          checkSent.resolve();
        }),
    );
    let startScoring!: () => void;
    scoringHeld.until = new Promise<void>((resolve) => (startScoring = resolve));
    const started = startWriteBack(target);
    const checking = await untilStatus('checking');
    expect(checking).toMatchObject({ target: { scoreField: 'leadlens_score' }, done: 0, total: 0, written: 0, finishedAt: null });
    expect(await started).toEqual(checking);

    // Said before the check is sent, which a loaded machine may not have reached yet.
    await checkSent.promise;
    answerCheck();
    expect(await untilStatus('scoring')).toMatchObject({ written: 0, finishedAt: null });
    await cancelWriteBack('hubspot');
    expect(await untilStatus('cancelled')).toMatchObject({ done: 0, written: 0, error: null, finishedAt: expect.any(Number) });
    startScoring();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(updates).toEqual([]);
  });

  it('reads as stopped when the worker that ran it was stopped', async () => {
    const left: WriteBackSummary = { crm: 'hubspot', status: 'scoring', target: null, done: 0, total: 0, written: 0, cleared: 0, unchanged: 0, converted: 0, failures: [], unlistedFailures: 0, notCleared: [], unlistedNotCleared: 0, unconfirmed: 0, error: null, finishedAt: null };
    await db.settings.put({ key: 'write-back:hubspot', value: left });
    expect(await readWriteBack('hubspot')).toMatchObject({ status: 'error', error: expect.stringMatching(/^Stopped before the end/) });
  });
});

it('reads a write-back state kept by an older LeadLens', async () => {
  // No `unchanged` count, and none of the statuses added since.
  const older = { crm: 'salesforce', status: 'done', target: { scoreField: 'LeadLens_Score__c', tierField: null, reasonField: null }, done: 3, total: 3, written: 3, failures: [], error: null, finishedAt: 1 };
  await db.settings.put({ key: 'write-back:salesforce', value: older });
  expect(await readWriteBack('salesforce')).toEqual({ ...older, unchanged: 0, converted: 0, cleared: 0, unlistedFailures: 0, notCleared: [], unlistedNotCleared: 0, unconfirmed: 0 });
});

it('reads a write-back state kept before reports held at most 10 groups of refused leads: its first 10, the rest counted as unlisted, its fields kept', async () => {
  // A Salesforce refusal of a value too long for its field was one group per lead then.
  const refused = Array.from({ length: 13 }, (_, lead) => ({ error: `STRING_TOO_LONG: Reason: data value too large (lead ${lead})`, count: 1, recordIds: [`00Q${lead}`] }));
  const target = { scoreField: 'LeadLens_Score__c', tierField: null, reasonField: 'LeadLens_Reason__c' };
  const older = { crm: 'salesforce', status: 'done', target, done: 20, total: 20, written: 7, failures: refused, unlistedFailures: 0, error: null, finishedAt: 1 };
  await db.settings.put({ key: 'write-back:salesforce', value: older });
  expect(await readWriteBack('salesforce')).toMatchObject({ status: 'done', target, written: 7, failures: refused.slice(0, 10), unlistedFailures: 3 });
});

it('reads as stopped before the end, with what it wrote and was refused, after the browser or LeadLens restarted while it wrote (which clears storage.session)', async () => {
  await syncedHubSpotLeads();
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  const refusal = 'INVALID_OPTION: leadlens_score is not a number';
  let secondSent!: () => void;
  const sent = new Promise<void>((resolve) => (secondSent = resolve));
  let answerSecond!: () => void;
  vi.spyOn(writer, 'updateRecords')
    .mockImplementationOnce(async (batch) => [{ recordId: batch[0].recordId, error: refusal }])
    .mockImplementationOnce(() => new Promise((resolve) => (secondSent(), (answerSecond = () => resolve([])))));
  await startWriteBack(WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null }));
  await sent;
  // The browser restarts with the second batch out: storage.session is emptied, and no job holds the lock.
  await fakeBrowser.storage.session.clear();
  const noJob = vi.spyOn(navigator.locks, 'query').mockResolvedValue({ held: [], pending: [] });
  expect(await readWriteBack('hubspot')).toMatchObject({
    status: 'error',
    error: expect.stringMatching(/^Stopped before the end \(the browser or LeadLens restarted/),
    total: 15,
    done: 5,
    written: 4,
    failures: [{ error: refusal, count: 1 }],
  });
  // This test's job, still running here, ends.
  noJob.mockRestore();
  answerSecond();
  await writeBackFinished('hubspot');
});

it('reads, after the browser restarted while a new model’s batch was out, that the fields hold both models’ scores, and that the batch out may or may not be written', async () => {
  await syncedHubSpotLeads();
  const bundled = bundledManifest();
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', writtenWith: { modelId: bundled.modelId } });
  await storeModel({ ...bundled, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
  await activateModel('trained-2');
  await db.leads.toCollection().modify((lead) => void (lead.fields.leadlens_score = null));
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  let secondSent!: () => void;
  const sent = new Promise<void>((resolve) => (secondSent = resolve));
  let answerSecond!: () => void;
  vi.spyOn(writer, 'updateRecords')
    .mockImplementationOnce(async (batch) => (updates.push(...batch), []))
    .mockImplementationOnce(() => new Promise((resolve) => (secondSent(), (answerSecond = () => resolve([])))));
  await startWriteBack(hubspotScore);
  await sent;
  await fakeBrowser.storage.session.clear();
  const noJob = vi.spyOn(navigator.locks, 'query').mockResolvedValue({ held: [], pending: [] });
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'error', total: 15, written: 5, unconfirmed: 5, writtenWith: { modelId: 'trained-2', modelsMixed: true } });
  noJob.mockRestore();
  answerSecond();
  await writeBackFinished('hubspot');
  // Answered: in doubt no more.
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'done', written: 15, unconfirmed: 0 });
});

/** The HubSpot leads of the demo, synced: 15 of them. */
async function syncedHubSpotLeads() {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30)
    .filter((lead) => lead.source === 'hubspot')
    .map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  return leads;
}
const hubspotScore = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: null });

function bundledManifest() {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
}

it('writes a reason cut to its field’s length, and finds it unchanged next time', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30)
    .filter((lead) => lead.source === 'salesforce' && lead.outcome !== 1)
    .map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  scoringHeld.topReason = 'Job title seniority: Vice President of Sales';
  // A Text(10) reason field, as Salesforce describes it.
  vi.spyOn(writer, 'checkWritableFields').mockImplementation(async (fields) => fields.map((field) => ({ name: field.name, maxLength: 10 })));
  const target = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: null, tierField: null, reasonField: 'LeadLens_Reason__c' });
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', written: leads.length });
  expect(new Set(updates.map((update) => update.fields.LeadLens_Reason__c))).toEqual(new Set(['Job title…']));
  updates.length = 0;
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', total: 0, unchanged: leads.length });
  expect(updates).toEqual([]);
});

it('writes each reason with which way it moves the odds, as no ▲ or ▼ can show it in a CRM field', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30)
    .filter((lead) => lead.source === 'salesforce' && lead.outcome !== 1)
    .map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  // Every lead scores alike (hot): half have a reason up, which is their top one; the other half none, so theirs is the reason down.
  const withReasonUp = new Set(leads.filter((_, i) => i % 2 === 0).map((lead) => lead.key));
  scoringHeld.reasonsOf = (leadKey) => ({ reasonUp: withReasonUp.has(leadKey) ? 'Title seniority: VP' : '', reasonDown: 'Industry: Consulting' });
  const target = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: null, tierField: null, reasonField: 'LeadLens_Reason__c' });
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', written: leads.length });
  const reasonOf = new Map(updates.map((update) => [update.recordId, update.fields.LeadLens_Reason__c]));
  expect(leads.map((lead) => reasonOf.get(lead.id))).toEqual(
    leads.map((lead) => (withReasonUp.has(lead.key) ? 'Title seniority: VP (raises the odds)' : 'Industry: Consulting (lowers the odds)')),
  );
});

it('stops at the first batch HubSpot refuses for a missing write scope, saying which, with what it wrote before', async () => {
  const leads = await syncedHubSpotLeads();
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  const refusal = new CrmError('request', 'HubSpot refused to update contacts: the private app or service key whose token LeadLens uses lacks the scope crm.objects.contacts.write. Add it to that app or key in HubSpot (under Settings › Integrations, or Development), then try again', 403, 'MISSING_SCOPES');
  const sent = vi.spyOn(writer, 'updateRecords').mockImplementationOnce(async () => []).mockRejectedValue(refusal);
  const ended = await writeBackToEnd(hubspotScore);
  expect(sent).toHaveBeenCalledTimes(2);
  expect(ended).toMatchObject({ status: 'error', done: 5, written: 5, total: leads.length, unconfirmed: 0, error: refusal.message });
  // Not the credentials: the connection does not say "reconnect".
  expect((await readStatus('hubspot')).status).toBe('connected');
});

it('writes each batch with the scores as a tier policy applied meanwhile has them, and keeps those as written', async () => {
  const leads = await syncedHubSpotLeads();
  const bundled = bundledManifest();
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  vi.spyOn(writer, 'updateRecords').mockImplementationOnce(async (batch) => {
    updates.push(...batch);
    // A policy under which every lead (p = 0.5) is cold, applied while the first batch is out; its re-tiering job re-tiers the stored scores.
    await setTiers(bundled.modelId, { policy: { kind: 'fixed' }, hot: 0.9, warm: 0.6 });
    await db.leadScores.toCollection().modify((score) => void Object.assign(score, { tier: 'cold', topReason: 'Re-tiered' }));
    return [];
  });
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length });
  expect(updates.slice(0, 5).every((update) => update.fields.leadlens_tier === 'Hot')).toBe(true);
  expect(updates.slice(5).every((update) => update.fields.leadlens_tier === 'Cold')).toBe(true);
  const stored = new Map((await db.leads.bulkGet(leads.map((lead) => lead.key))).map((lead) => [lead!.id, lead!.fields.leadlens_tier]));
  for (const update of updates) expect(stored.get(update.recordId)).toBe(update.fields.leadlens_tier);
});

it('writes each score with its tier’s rule, also of a batch tiered by a policy applied meanwhile before its re-tiering reaches it: no cold lead scores as a hot one', async () => {
  const leads = await syncedHubSpotLeads();
  const bundled = bundledManifest();
  const fixed = { policy: { kind: 'fixed' as const }, hot: 0.9, warm: 0.6 };
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  vi.spyOn(writer, 'updateRecords').mockImplementationOnce(async (batch) => {
    updates.push(...batch);
    // Applied while the first batch is out; the stored scores still have the scores and tiers of before.
    await setTiers(bundled.modelId, fixed);
    return [];
  });
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length });
  // Every lead is at p = 0.5, in the bundled model's 98th percentile: hot under its own thresholds; cold under
  // those applied, whose warm threshold (0.6) is over every reference lead, so cold scores at most 97.
  const written = new Set(updates.map((update) => `${update.fields.leadlens_score} ${update.fields.leadlens_tier}`));
  expect(written).toEqual(new Set(['98 Hot', '97 Cold']));
  expect(scoreAndTier(0.5, { ...bundled, tiers: { ...bundled.tiers, ...fixed } })).toEqual({ score: 97, tier: 'cold' });
});

describe('the tier thresholds it records, which the page compares with the active ones', () => {
  const fixed = { policy: { kind: 'fixed' as const }, hot: 0.9, warm: 0.6 };

  it('are those in force once the leads are scored, when a tier policy is applied while they are: every tier was written with them', async () => {
    const leads = await syncedHubSpotLeads();
    const bundled = bundledManifest();
    let startScoring!: () => void;
    scoringHeld.until = new Promise<void>((resolve) => (startScoring = resolve));
    await startWriteBack(hubspotScore);
    // Held there until scoring starts; the field check before it takes more than vi.waitFor's default second on a loaded machine.
    await vi.waitFor(async () => expect((await readWriteBack('hubspot')).status).toBe('scoring'), { timeout: 10_000 });
    await setTiers(bundled.modelId, fixed);
    startScoring();
    await writeBackFinished('hubspot');
    expect(await readWriteBack('hubspot')).toMatchObject({
      status: 'done',
      written: leads.length,
      writtenWith: { modelId: bundled.modelId, modelCreatedAt: bundled.createdAt, hot: 0.9, warm: 0.6, tiersMixed: false },
    });
    expect(new Set(updates.map((update) => update.fields.leadlens_tier))).toEqual(new Set(['Cold']));
  });

  it('say the tiers are mixed when a policy is applied between batches, and tier the later ones with it even before its re-tiering job reaches their scores', async () => {
    const leads = await syncedHubSpotLeads();
    const bundled = bundledManifest();
    vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
    vi.spyOn(writer, 'updateRecords').mockImplementationOnce(async (batch) => {
      updates.push(...batch);
      // Applied while the first batch is out; the stored scores still have the tiers of before.
      await setTiers(bundled.modelId, fixed);
      return [];
    });
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length, writtenWith: { hot: 0.9, warm: 0.6, tiersMixed: true } });
    expect(updates.slice(0, 5).map((update) => update.fields.leadlens_tier)).toEqual(Array(5).fill('Hot'));
    expect(updates.slice(5).map((update) => update.fields.leadlens_tier)).toEqual(Array(leads.length - 5).fill('Cold'));
  });

  it('say the tiers are mixed when leads found holding their values were compared under other thresholds than the batches written', async () => {
    const leads = await syncedHubSpotLeads();
    const bundled = bundledManifest();
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length });
    // One lead's tier edited in HubSpot: it alone is written again, after a policy applied once the leads to write were chosen.
    const [edited] = leads;
    await db.leads.update(edited.key, { 'fields.leadlens_tier': 'Edited in HubSpot' });
    updates.length = 0;
    // The scores read to choose the leads to write (after scoring): the policy is applied right after.
    const read = db.leadScores.bulkGet.bind(db.leadScores);
    vi.spyOn(db.leadScores, 'bulkGet').mockImplementationOnce((keys) => read(keys).then(async (scores) => (await setTiers(bundled.modelId, fixed), scores)));
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: 1, unchanged: leads.length - 1, writtenWith: { hot: 0.9, warm: 0.6, tiersMixed: true } });
    expect(updates.map((update) => update.fields.leadlens_tier)).toEqual(['Cold']);
  });

  it('say the tiers are not mixed when the thresholds changed but no lead’s tier did', async () => {
    const leads = await syncedHubSpotLeads();
    const bundled = bundledManifest();
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length });
    await db.leads.update(leads[0].key, { 'fields.leadlens_tier': 'Edited in HubSpot' });
    updates.length = 0;
    // Applied once the leads to write are chosen: every lead (p = 0.5) is hot under it as under the bundled thresholds.
    const read = db.leadScores.bulkGet.bind(db.leadScores);
    vi.spyOn(db.leadScores, 'bulkGet').mockImplementationOnce((keys) => read(keys).then(async (scores) => (await setTiers(bundled.modelId, { ...fixed, hot: 0.45, warm: 0.3 }), scores)));
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: 1, unchanged: leads.length - 1, writtenWith: { hot: 0.45, warm: 0.3, tiersMixed: false } });
    expect(updates.map((update) => update.fields.leadlens_tier)).toEqual(['Hot']);
  });
});

/** A write-back of the bundled model's scores, then another model made active. */
async function writtenThenAnotherModelActive() {
  const leads = await syncedHubSpotLeads();
  const bundled = bundledManifest();
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', writtenWith: { modelId: bundled.modelId } });
  await storeModel({ ...bundled, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
  await activateModel('trained-2');
  // Its scores are those of the bundled model here: with the fields emptied since, there is something to write.
  await db.leads.toCollection().modify((lead) => void (lead.fields.leadlens_score = null));
  updates.length = 0;
  return { bundled, leads };
}

describe('what the CRM’s fields hold after a write-back that stopped before writing every lead', () => {
  const fixed = { policy: { kind: 'fixed' as const }, hot: 0.9, warm: 0.6 };

  it('tiers of both sets of thresholds, when it wrote with a policy applied since the last: the leads it did not reach keep the earlier tiers', async () => {
    const leads = await syncedHubSpotLeads();
    const bundled = bundledManifest();
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length, writtenWith: { tiersMixed: false } });
    await setTiers(bundled.modelId, fixed);
    vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
    vi.spyOn(writer, 'updateRecords')
      .mockImplementationOnce(async (batch) => (updates.push(...batch), []))
      .mockRejectedValueOnce(new CrmError('auth', 'HubSpot rejected the credentials: HTTP 401', 401));
    const ended = await writeBackToEnd(hubspotScore);
    expect(ended).toMatchObject({ status: 'error', written: 5, total: leads.length, writtenWith: { modelId: bundled.modelId, hot: 0.9, warm: 0.6, tiersMixed: true } });
    expect(ended.writtenWith?.modelsMixed).toBeUndefined();
  });

  it('scores of both models, when cancelled after writing another model’s scores to some leads', async () => {
    const { leads } = await writtenThenAnotherModelActive();
    vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
    vi.spyOn(writer, 'updateRecords').mockImplementationOnce(async (batch) => {
      updates.push(...batch);
      await cancelWriteBack('hubspot');
      return [];
    });
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'cancelled', written: 5, total: leads.length, writtenWith: { modelId: 'trained-2', modelsMixed: true } });
  });

  it('scores of both models when the CRM refused some leads, and one model’s once every lead is written', async () => {
    const { leads } = await writtenThenAnotherModelActive();
    const [refused] = leads;
    vi.spyOn(writer, 'updateRecords').mockImplementationOnce(async (batch) => {
      updates.push(...batch);
      return [{ recordId: refused.id, error: 'INVALID_EMAIL' }];
    });
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length - 1, writtenWith: { modelId: 'trained-2', modelsMixed: true } });
    // The one left, written: every lead holds the new model's scores.
    const ended = await writeBackToEnd(hubspotScore);
    expect(ended).toMatchObject({ status: 'done', total: 1, written: 1, writtenWith: { modelId: 'trained-2' } });
    expect(ended.writtenWith?.modelsMixed).toBeUndefined();
  });

  it('one model’s and one set of thresholds when the last write-back wrote with the same: nothing is mixed', async () => {
    const leads = await syncedHubSpotLeads();
    const bundled = bundledManifest();
    await writeBackToEnd(hubspotScore);
    await db.leads.toCollection().modify((lead) => void (lead.fields.leadlens_score = null));
    vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
    vi.spyOn(writer, 'updateRecords')
      .mockImplementationOnce(async (batch) => (updates.push(...batch), []))
      .mockRejectedValueOnce(new CrmError('auth', 'HubSpot rejected the credentials: HTTP 401', 401));
    const ended = await writeBackToEnd(hubspotScore);
    expect(ended).toMatchObject({ status: 'error', written: 5, total: leads.length, writtenWith: { modelId: bundled.modelId, tiersMixed: false } });
    expect(ended.writtenWith?.modelsMixed).toBeUndefined();
  });

  it('counts only leads it meant to write scores to: a lead it could not empty leaves no earlier model’s score recorded', async () => {
    const leads = await syncedHubSpotLeads();
    const bundled = bundledManifest();
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length });
    await storeModel({ ...bundled, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
    await activateModel('trained-2');
    // One lead the model can no longer score, holding what was written; one whose score was emptied in HubSpot.
    const [unscorable, emptied] = await db.leads.bulkGet(leads.slice(0, 2).map((lead) => lead.key));
    await db.putLeads([
      { ...unscorable!, fields: { hs_persona: 'x', leadlens_score: String(unscorable!.fields.leadlens_score), leadlens_tier: unscorable!.fields.leadlens_tier } },
      { ...emptied!, fields: { ...emptied!.fields, leadlens_score: null } },
    ]);
    vi.spyOn(writer, 'updateRecords').mockImplementationOnce(async (batch) => {
      updates.push(...batch);
      return [{ recordId: unscorable!.id, error: 'INVALID_EMAIL' }];
    });
    const ended = await writeBackToEnd(hubspotScore);
    expect(ended).toMatchObject({ status: 'done', total: 2, written: 1, cleared: 0, writtenWith: { modelId: 'trained-2' } });
    expect(ended.writtenWith?.modelsMixed).toBeUndefined();
  });
});

describe('what the CRM’s fields hold, until a write-back writes a batch', () => {
  it('is what the last write-back wrote when the next stops before writing anything: a field refused, or cancelled while scoring', async () => {
    const { bundled } = await writtenThenAnotherModelActive();
    vi.spyOn(writer, 'checkWritableFields').mockRejectedValueOnce(new CrmError('request', 'HubSpot contacts have no property "leadlens_tier"'));
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'error', written: 0, writtenWith: { modelId: bundled.modelId } });

    let startScoring!: () => void;
    scoringHeld.until = new Promise<void>((resolve) => (startScoring = resolve));
    expect(await startWriteBack(hubspotScore)).toMatchObject({ status: 'checking', writtenWith: { modelId: bundled.modelId } });
    await vi.waitFor(async () => expect((await readWriteBack('hubspot')).status).toBe('scoring'), { timeout: 10_000 });
    await cancelWriteBack('hubspot');
    await writeBackFinished('hubspot');
    startScoring();
    expect(await readWriteBack('hubspot')).toMatchObject({ status: 'cancelled', written: 0, writtenWith: { modelId: bundled.modelId } });
    expect(updates).toEqual([]);
  });

  it('is what the last write-back wrote when the CRM refused every lead, and the new model’s once a batch is written', async () => {
    const { bundled } = await writtenThenAnotherModelActive();
    vi.spyOn(writer, 'updateRecords').mockImplementation(async (batch) => batch.map(({ recordId }) => ({ recordId, error: 'READ_ONLY: leadlens_score is read-only' })));
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: 0, writtenWith: { modelId: bundled.modelId } });

    vi.mocked(writer.updateRecords).mockRestore();
    vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
    vi.spyOn(writer, 'updateRecords')
      .mockImplementationOnce(async (batch) => (updates.push(...batch), []))
      .mockRejectedValueOnce(new CrmError('auth', 'HubSpot rejected the credentials: HTTP 401', 401));
    // The leads it did not reach hold the bundled model's scores still.
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'error', written: 5, writtenWith: { modelId: 'trained-2', modelsMixed: true } });
  });

  it('is still what the last write-back wrote after an attempt on a mistyped field wrote nothing: the next to the same fields says so, however it ends', async () => {
    const { bundled } = await writtenThenAnotherModelActive();
    const typo = WriteBackTargetSchema.parse({ ...hubspotScore, scoreField: 'leadlens_scor' });
    vi.spyOn(writer, 'checkWritableFields').mockRejectedValueOnce(new CrmError('request', 'HubSpot contacts have no property "leadlens_scor"'));
    const refused = await writeBackToEnd(typo);
    expect(refused).toMatchObject({ status: 'error', written: 0 });
    expect(refused.writtenWith).toBeUndefined();
    // Typed right, it stops before writing: the fields hold the bundled model's scores still.
    vi.spyOn(writer, 'checkWritableFields').mockRejectedValueOnce(new CrmError('network', 'HubSpot did not answer'));
    expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'error', written: 0, writtenWith: { modelId: bundled.modelId } });
    // Another org connected: what the previous org's fields hold is forgotten with the report.
    await forgetWriteBackReport('hubspot');
    vi.spyOn(writer, 'checkWritableFields').mockRejectedValueOnce(new CrmError('network', 'HubSpot did not answer'));
    expect((await writeBackToEnd(hubspotScore)).writtenWith).toBeUndefined();
  });

  it('is not said of other fields than the last write-back wrote to', async () => {
    await writtenThenAnotherModelActive();
    vi.spyOn(writer, 'checkWritableFields').mockRejectedValueOnce(new CrmError('request', 'HubSpot contacts have no property "leadlens_tier_2"'));
    const ended = await writeBackToEnd({ ...hubspotScore, tierField: 'leadlens_tier_2' });
    expect(ended).toMatchObject({ status: 'error', written: 0 });
    expect(ended.writtenWith).toBeUndefined();
  });
});

it('stops when another model is made active while it writes: the next batches would carry the old model’s scores', async () => {
  const leads = await syncedHubSpotLeads();
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  await storeModel({ ...parsed.manifest, modelId: 'trained-2' }, new Uint8Array([1]), 'trained');
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  vi.spyOn(writer, 'updateRecords').mockImplementationOnce(async (batch) => {
    updates.push(...batch);
    await activateModel('trained-2');
    return [];
  });
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({
    status: 'error',
    done: 5,
    written: 5,
    total: leads.length,
    error: 'Another model was made active while the scores were being written: write back again to write its scores to every lead',
    // What the CRM's fields hold: the page says they are not the active model's.
    writtenWith: { modelId: parsed.manifest.modelId },
  });
  expect(updates).toHaveLength(5);
});

it('records the model and the tier thresholds it wrote with, which the page compares with the active ones', async () => {
  const leads = await syncedHubSpotLeads();
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  // A tier policy applied before: its thresholds are the ones the tiers were written with.
  await setTiers(parsed.manifest.modelId, { policy: { kind: 'fixed' }, hot: 0.4, warm: 0.2 });
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({
    status: 'done',
    written: leads.length,
    writtenWith: { modelId: parsed.manifest.modelId, modelCreatedAt: parsed.manifest.createdAt, modelDatedByData: datedByItsData(parsed.manifest), hot: 0.4, warm: 0.2 },
  });
  // The bundled model is dated by its data (the command line made it): the page shows its date as the data wrote it.
  expect(datedByItsData(parsed.manifest)).toBe(true);
});

it('empties the fields it wrote before of leads the active model can no longer score, and counts them', async () => {
  const leads = await syncedHubSpotLeads();
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length });
  const wrote = new Map(updates.map((update) => [update.recordId, update.fields]));
  // Three leads now hold none of the fields the model reads, as the next sync reads them (HubSpot sends numbers as text):
  // the values written, one emptied in HubSpot since, one emptied and one edited by a rep.
  const [first, second, third, fourth] = leads;
  const unscorable = (lead: (typeof leads)[number], fields: Record<string, string | null>) => ({ ...lead, fields: { hs_persona: 'x', ...fields } });
  const score = (lead: (typeof leads)[number]) => String(wrote.get(lead.id)!.leadlens_score);
  const tier = (lead: (typeof leads)[number]) => String(wrote.get(lead.id)!.leadlens_tier);
  await db.putLeads([
    unscorable(first, { leadlens_score: score(first), leadlens_tier: tier(first) }),
    unscorable(second, { leadlens_score: null, leadlens_tier: tier(second) }),
    unscorable(third, { leadlens_score: '', leadlens_tier: null }),
    unscorable(fourth, { leadlens_score: '', leadlens_tier: 'Set by a rep' }),
  ]);
  updates.length = 0;
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', total: 2, written: 2, cleared: 2, unchanged: leads.length - 4 });
  expect(updates).toEqual([
    { recordId: first.id, fields: { leadlens_score: null, leadlens_tier: null } },
    { recordId: second.id, fields: { leadlens_tier: null } },
  ]);
  // Kept as emptied: nothing left to clear.
  updates.length = 0;
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', total: 0, cleared: 0 });
});

it('never empties a value LeadLens did not write: a field the org already filled, reused as the target', async () => {
  const leads = await syncedHubSpotLeads();
  // The portal's own "lead_score" property, holding an earlier vendor's score on every contact; one contact the model cannot score.
  const legacy: StoredLead[] = leads.map((lead) => ({ ...lead, fields: { ...lead.fields, lead_score: '42' } }));
  const [unscorable] = legacy;
  legacy[0] = { ...unscorable, fields: { hs_persona: 'x', lead_score: '42' } };
  await db.putLeads(legacy);
  const reused = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'lead_score', tierField: null, reasonField: null });
  expect(await writeBackToEnd(reused)).toMatchObject({ status: 'done', written: leads.length - 1, cleared: 0 });
  expect(updates.map((update) => update.recordId)).not.toContain(unscorable.id);
  // Written to before now: still not LeadLens's value on that contact.
  updates.length = 0;
  expect(await writeBackToEnd(reused)).toMatchObject({ status: 'done', total: 0, cleared: 0, unchanged: leads.length - 1 });
  expect(updates).toEqual([]);

  // A contact LeadLens wrote to, whose value a rep then replaced, keeps the rep's value when it can no longer be scored.
  const [, written] = legacy;
  await db.putLeads([{ ...written, fields: { hs_persona: 'x', lead_score: '15' } }]);
  expect(await writeBackToEnd(reused)).toMatchObject({ status: 'done', total: 0, cleared: 0 });
  expect(updates).toEqual([]);
});

it('keeps a value a rep typed in the CRM since the last sync: reads the fields just before emptying them, and reports the lead', async () => {
  const leads = await syncedHubSpotLeads();
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', written: leads.length });
  // Two leads the model can no longer score, as last synced holding what LeadLens wrote; since then a rep typed a tier on one.
  const [first, second] = await db.leads.bulkGet(leads.slice(0, 2).map((lead) => lead.key));
  await db.putLeads([first!, second!].map((lead) => ({ ...lead, fields: { hs_persona: 'x', leadlens_score: String(lead.fields.leadlens_score), leadlens_tier: lead.fields.leadlens_tier } })));
  editedInCrm.set(second!.id, { leadlens_tier: 'Set by a rep' });
  updates.length = 0;
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({
    status: 'done',
    total: 2,
    written: 2,
    cleared: 2,
    notCleared: [{ count: 1, recordIds: [second!.id], reason: '"leadlens_tier" no longer holds what LeadLens wrote there (changed in HubSpot since the last sync): left as it is' }],
  });
  expect(updates).toEqual([
    { recordId: first!.id, fields: { leadlens_score: null, leadlens_tier: null } },
    { recordId: second!.id, fields: { leadlens_score: null } },
  ]);
});

it('empties values LeadLens wrote before it remembered them (an older version, an answer lost): a lead holding them is remembered as written', async () => {
  const leads = await syncedHubSpotLeads();
  await syncedInFull('hubspot');
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', written: leads.length });
  // As an older version left them: written, nothing remembered of it, and never looked for.
  await db.settings.where('key').startsWith('written-back-values:').delete();
  await setHeldValuesRemembered('hubspot', false);
  updates.length = 0;
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', total: 0, unchanged: leads.length });
  // One contact the model can no longer score: what LeadLens wrote there is emptied.
  const [first] = leads;
  const stored = (await db.leads.get(first.key))!;
  await db.putLeads([{ ...stored, fields: { hs_persona: 'x', leadlens_score: stored.fields.leadlens_score } }]);
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', cleared: 1 });
  expect(updates).toEqual([{ recordId: first.id, fields: { leadlens_score: null } }]);
});

/** As a complete sync of `crm` leaves its state: every lead it has is stored. */
async function syncedInFull(crm: CrmKind): Promise<void> {
  await dexieSyncStore(db).writeState(crm, { ...INITIAL_SYNC_STATE, status: 'done', completedCursor: Date.parse('2026-11-20T00:00:00Z') });
}

/** Counts the leads' rows of what LeadLens wrote read from now on. */
function writtenValuesReads(): () => number {
  const bulkGet = vi.spyOn(db.settings, 'bulkGet');
  return () => bulkGet.mock.calls.flatMap(([keys]) => keys).filter((key) => String(key).startsWith('written-back-values:')).length;
}

describe('values leads already hold that it would write', () => {
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'leadlens_score', tierField: null, reasonField: null });
  /** Empties the score of a lead the model can no longer score, if LeadLens remembers writing it. */
  const unscorable = async (lead: StoredLead) => {
    const stored = (await db.leads.get(lead.key))!;
    await db.putLeads([{ ...stored, fields: { hs_persona: 'x', leadlens_score: stored.fields.leadlens_score } }]);
  };

  it('are looked for once, not at every write-back: an unchanged lead’s row of what LeadLens wrote is read no more', async () => {
    const leads = await syncedHubSpotLeads();
    await syncedInFull('hubspot');
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', written: leads.length });
    const rowsRead = writtenValuesReads();
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', total: 0, unchanged: leads.length });
    expect(rowsRead()).toBe(0);
  });

  it('are looked for again, once, after what LeadLens wrote is forgotten (another org connected): its records may hold what an earlier LeadLens wrote', async () => {
    const leads = await syncedHubSpotLeads();
    await syncedInFull('hubspot');
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', written: leads.length });
    await forgetWrittenValues('hubspot');
    const rowsRead = writtenValuesReads();
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', total: 0, unchanged: leads.length });
    expect(rowsRead()).toBe(leads.length);
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', total: 0, unchanged: leads.length });
    expect(rowsRead()).toBe(leads.length);
    // Remembered as LeadLens's: emptied once the model can no longer score the lead.
    const [first] = leads;
    await unscorable(first);
    updates.length = 0;
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', cleared: 1 });
    expect(updates).toEqual([{ recordId: first.id, fields: { leadlens_score: null } }]);
  });

  it('are looked for at every write-back until a first sync has stored every lead: those it stores next may hold them too', async () => {
    const leads = await syncedHubSpotLeads();
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', written: leads.length });
    const rowsRead = writtenValuesReads();
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', unchanged: leads.length });
    expect(rowsRead()).toBe(leads.length);
    await syncedInFull('hubspot');
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', unchanged: leads.length });
    expect(rowsRead()).toBe(2 * leads.length);
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', unchanged: leads.length });
    expect(rowsRead()).toBe(2 * leads.length);
  });

  it('are looked for again after a batch whose answer never came: the CRM may have taken it, and the next sync reads its values back', async () => {
    const leads = await syncedHubSpotLeads();
    await syncedInFull('hubspot');
    vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
    // The CRM takes the second batch, but its answer is lost.
    const sent = vi
      .spyOn(writer, 'updateRecords')
      .mockImplementationOnce(async (batch) => (updates.push(...batch), []))
      .mockImplementationOnce(async (batch) => {
        updates.push(...batch);
        throw new CrmError('network', 'HubSpot did not answer update contacts within 30 s; LeadLens did not send it again, as HubSpot may have done it already');
      });
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'error', written: 5, unconfirmed: 5 });
    const unanswered = sent.mock.calls[1][0];
    // The next sync reads back what HubSpot took.
    const stored = await db.leads.bulkGet(unanswered.map((update) => `hubspot|${update.recordId}`));
    await db.putLeads(stored.map((lead, i) => ({ ...lead!, fields: { ...lead!.fields, ...unanswered[i].fields } })));
    sent.mockRestore();
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', written: leads.length - 10 });
    const [lost] = unanswered;
    await unscorable(leads.find((lead) => lead.id === lost.recordId)!);
    updates.length = 0;
    expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', cleared: 1 });
    expect(updates).toEqual([{ recordId: lost.recordId, fields: { leadlens_score: null } }]);
  });
});

it('finds a lead whose empty top reason Salesforce stores as null unchanged: not written again at every write-back', async () => {
  const leads = demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 30)
    .filter((lead) => lead.source === 'salesforce' && lead.outcome !== 1)
    .map((lead) => ({ ...lead, origin: 'sync' as const }));
  await db.putLeads(leads);
  scoringHeld.topReason = '';
  const target = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: 'LeadLens_Tier__c', reasonField: 'LeadLens_Reason__c' });
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', written: leads.length });
  expect(updates.every((update) => update.fields.LeadLens_Reason__c === '')).toBe(true);
  // The next sync reads each Lead back as Salesforce stores it: the empty text as null.
  const stored = await db.leads.bulkGet(leads.map((lead) => lead.key));
  await db.putLeads(stored.map((lead) => ({ ...lead!, fields: { ...lead!.fields, LeadLens_Reason__c: null } })));
  updates.length = 0;
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'done', total: 0, written: 0, unchanged: leads.length });
  expect(updates).toEqual([]);
});

it('refuses a target field the active model reads, naming it and the feature, before anything is scored, written or kept out of training', async () => {
  await syncedHubSpotLeads();
  // A model trained on the portal's "fit_score" property: writing its scores there would change what it reads, and every sync its scores.
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  const features = parsed.manifest.features.map((feature) =>
    feature.key === 'industry' ? { ...feature, label: 'Fit score', derive: { kind: 'value' as const, from: { salesforce: 'Fit_Score__c', hubspot: 'fit_score' } } } : feature,
  );
  await storeModel({ ...parsed.manifest, modelId: 'reads-fit-score', features }, new Uint8Array([1]), 'trained');
  await activateModel('reads-fit-score');
  const target = WriteBackTargetSchema.parse({ crm: 'hubspot', scoreField: 'fit_score', tierField: null, reasonField: null });
  expect(await writeBackToEnd(target)).toMatchObject({
    status: 'error',
    error: expect.stringMatching(/^LeadLens will not write to "fit_score" \(the score field\): the active model reads it for "Fit score"\. .*choose a field the model does not read$/),
  });
  expect(updates).toEqual([]);
  expect(await db.leadScores.count()).toBe(0);
  expect(await writtenBackFields('hubspot')).toEqual([]);
});

it('refuses fields the CRM answers as one, saying which, before anything is written', async () => {
  await db.putLeads(demoStoredLeads(new Date('2026-11-20T00:00:00Z'), 10).map((lead) => ({ ...lead, origin: 'sync' as const })));
  // Both resolved to the namespaced field a package installed.
  vi.spyOn(writer, 'checkWritableFields').mockImplementationOnce(async (fields) => fields.map((field) => ({ name: field.name.endsWith('Tier__c') ? 'ns__LeadLens_Tier__c' : field.name, maxLength: null })));
  const target = WriteBackTargetSchema.parse({ crm: 'salesforce', scoreField: 'LeadLens_Score__c', tierField: 'LeadLens_Tier__c', reasonField: 'ns__LeadLens_Tier__c' });
  expect(await writeBackToEnd(target)).toMatchObject({ status: 'error', error: expect.stringMatching(/^Salesforce answers the tier field and the top reason field \("LeadLens_Tier__c", "ns__LeadLens_Tier__c"\) as one field/) });
  expect(updates).toEqual([]);
  expect(await writtenBackFields('salesforce')).toEqual([]);
});

it('stops at the first batch whose answer never came, counting it unconfirmed, not written nor refused, and keeps nothing of it as written', async () => {
  const leads = await syncedHubSpotLeads();
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  const sent = vi
    .spyOn(writer, 'updateRecords')
    .mockImplementationOnce(async (batch) => (updates.push(...batch), []))
    .mockRejectedValue(new CrmError('network', 'HubSpot did not answer update contacts within 30 s; LeadLens did not send it again, as HubSpot may have done it already'));
  const ended = await writeBackToEnd(hubspotScore);
  expect(sent).toHaveBeenCalledTimes(2);
  expect(ended).toMatchObject({
    status: 'error',
    done: 5,
    written: 5,
    unconfirmed: 5,
    failures: [],
    total: leads.length,
    error: 'HubSpot did not confirm the last batch (HubSpot did not answer update contacts within 30 s; LeadLens did not send it again, as HubSpot may have done it already): its leads may or may not have been written. Stopped there, rather than send the 5 leads left, which would most likely fail the same way. Write back again once HubSpot answers',
  });
  // Its leads are written again next time: compared with what was synced, not with what may have been written.
  const unconfirmed = (await db.leads.bulkGet(sent.mock.calls[1][0].map((update) => `hubspot|${update.recordId}`))).map((lead) => lead!.fields.leadlens_score);
  expect(unconfirmed.every((value) => value === undefined)).toBe(true);
  expect((await readStatus('hubspot')).status).toBe('connected');
});

it('leaves alone the fields of an unscorable lead that it never wrote to', async () => {
  const [lead] = await syncedHubSpotLeads();
  await db.putLeads([{ ...lead, fields: { hs_persona: 'x', leadlens_score: '77', leadlens_tier: 'Hot' } }]);
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'done', cleared: 0 });
  expect(updates.map((update) => update.recordId)).not.toContain(lead.id);
});

it('keeps at most 10 errors in its state, counting the records refused for the others', async () => {
  const leads = await syncedHubSpotLeads();
  vi.spyOn(writer, 'updateRecords').mockImplementation(async (batch) => batch.map(({ recordId }) => ({ recordId, error: `INVALID_VALUE: ${recordId} is not valid` })));
  const ended = await writeBackToEnd(hubspotScore);
  expect(ended).toMatchObject({ status: 'done', written: 0, unlistedFailures: leads.length - 10 });
  expect(ended.failures).toHaveLength(10);
});

it('does not put back the record ids of leads a sync removed while it wrote (a GDPR erasure leaves no trace): their groups count them no more', async () => {
  await syncedHubSpotLeads();
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  const notANumber = 'INVALID_VALUE: leadlens_score is not a number';
  let alone = '';
  let paired = '';
  let kept = '';
  let underWay: WriteBackSummary | undefined;
  vi.spyOn(writer, 'updateRecords')
    .mockImplementationOnce(async (batch) => {
      [alone, paired, kept] = batch.map((update) => update.recordId);
      return [
        { recordId: alone, error: 'INVALID_OPTION: leadlens_tier is not one of its options' },
        { recordId: paired, error: notANumber },
        { recordId: kept, error: notANumber },
      ];
    })
    .mockImplementationOnce(async () => {
      // As a sync removes leads deleted or merged away in the CRM, with the batch out.
      await db.transaction('rw', [...db.leadTables, db.leadScores, db.settings], async () => {
        await db.deleteLeads([alone, paired].map((id) => `hubspot|${id}`));
        await forgetRecordsInWriteBackReport(db, 'hubspot', [alone, paired]);
      });
      return [];
    })
    .mockImplementationOnce(async () => {
      underWay = await readWriteBack('hubspot');
      return [];
    });
  const ended = await writeBackToEnd(hubspotScore);

  // The group of the lead refused alone goes, with no other record to count as unlisted; the other no longer counts the lead removed.
  const withoutRemoved = { failures: [{ error: notANumber, count: 1, recordIds: [kept] }], unlistedFailures: 0 };
  // From the state written once the batch out when they were removed was answered, to the end.
  expect(underWay).toMatchObject({ status: 'running', done: 10, ...withoutRemoved });
  expect(ended).toMatchObject({ status: 'done', ...withoutRemoved });
});

it('cancelled while a batch is out: says how many it wrote of how many, and how many the CRM may or may not have taken', async () => {
  const leads = await syncedHubSpotLeads();
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  vi.spyOn(writer, 'updateRecords')
    .mockImplementationOnce(async () => [])
    .mockImplementationOnce(async (_batch, signal) => {
      await cancelWriteBack('hubspot');
      // As the HTTP layer answers a cancel with the request out.
      await new Promise((_resolve, reject) => {
        if (signal?.aborted) reject(new CrmError('cancelled', 'Cancelled'));
        signal?.addEventListener('abort', () => reject(new CrmError('cancelled', 'Cancelled')), { once: true });
      });
      return [];
    });
  expect(await writeBackToEnd(hubspotScore)).toMatchObject({ status: 'cancelled', done: 5, written: 5, total: leads.length, unconfirmed: 5, error: null });
});

it('after a cancel, writes the next time only the leads it did not write: what it counted as written is what the CRM took and what it remembers', async () => {
  const leads = await syncedHubSpotLeads();
  vi.spyOn(writer, 'maxBatch', 'get').mockReturnValue(5);
  // The second batch is answered, then cancelled: the write-back stops before the third.
  vi.spyOn(writer, 'updateRecords')
    .mockImplementationOnce(async (batch) => (updates.push(...batch), []))
    .mockImplementationOnce(async (batch) => {
      updates.push(...batch);
      await cancelWriteBack('hubspot');
      return [];
    });
  const cancelled = await writeBackToEnd(hubspotScore);
  expect(cancelled).toMatchObject({ status: 'cancelled', written: 10, total: leads.length, unconfirmed: 0 });
  const takenFirst = updates.map((update) => update.recordId);
  const stored = await db.leads.bulkGet(leads.map((lead) => lead.key));
  const heldAfterCancel = stored.filter((lead) => lead!.fields.leadlens_score !== undefined).map((lead) => lead!.id);
  expect([takenFirst.length, new Set(takenFirst).size, heldAfterCancel.sort()]).toEqual([10, 10, [...takenFirst].sort()]);

  updates.length = 0;
  const next = await writeBackToEnd(hubspotScore);
  expect(next).toMatchObject({ status: 'done', written: leads.length - 10, total: leads.length - 10, unchanged: 10 });
  expect(updates.filter((update) => takenFirst.includes(update.recordId))).toEqual([]);
});

it('keeps the worker alive while it writes: a batch retried with back-off outlasts Chrome’s 30 s idle limit', async () => {
  await syncedHubSpotLeads();
  const idleResets = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
  fakeBrowser.runtime.getPlatformInfo = idleResets;
  let answer!: () => void;
  let sent!: () => void;
  const batchSent = new Promise<void>((resolve) => (sent = resolve));
  vi.spyOn(writer, 'updateRecords').mockImplementationOnce(() => new Promise((resolve) => ((answer = () => resolve([])), sent())));
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  try {
    await startWriteBack(hubspotScore);
    await batchSent;
    const before = idleResets.mock.calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(idleResets.mock.calls.length - before).toBeGreaterThanOrEqual(2);
    answer();
    await writeBackFinished('hubspot');
  } finally {
    vi.useRealTimers();
  }
  expect(await readWriteBack('hubspot')).toMatchObject({ status: 'done' });
});

