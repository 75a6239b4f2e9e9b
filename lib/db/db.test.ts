import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectSummariesInStep } from '../../test/fixtures/lead-summaries';
import { storedLead } from '../../test/fixtures/stored-lead';
import { leadsInWindow, type TrainingWindow } from '../ml/train/training-set';
import { countStoredLeadsByOrigin, db as extensionDb, LeadLensDb, readLeadsForTraining, summaryOf, type StoredLead } from './db';

const NAME = 'leadlens-upgrade-test';

afterEach(async () => {
  await Dexie.delete(NAME);
});

it('upgrades version 1 (score cache only) to version 2 and keeps the cached scores', async () => {
  const v1 = new Dexie(NAME);
  v1.version(1).stores({ scores: 'key, scoredAt' });
  await v1.table('scores').put({ key: 'm|salesforce|00Q1', fieldsHash: 'abc', lead: { score: 50 }, scoredAt: 1 });
  v1.close();

  const db = new LeadLensDb(NAME);
  expect(await db.scores.get('m|salesforce|00Q1')).toMatchObject({ fieldsHash: 'abc' });
  expect(db.verno).toBe(7);
  await db.putLeads([storedLead({ source: 'hubspot', id: '1', origin: 'demo' })]);
  await db.leadScores.bulkPut([
    { key: 'm|hubspot|1', modelId: 'm', leadKey: 'hubspot|1', probability: 0.4, score: 90, tier: 'hot', topReason: '', scoredAt: 1 },
    { key: 'n|hubspot|1', modelId: 'n', leadKey: 'hubspot|1', probability: 0.1, score: 20, tier: 'cold', topReason: '', scoredAt: 1 },
  ]);
  // The compound index answers "the hot leads of model m" without reading the others.
  expect(await db.leadScores.where('[modelId+tier]').equals(['m', 'hot']).count()).toBe(1);
  expect(await db.leadScores.where('[modelId+tier]').equals(['n', 'hot']).count()).toBe(0);
  db.close();
});

/** The stores as version 3 declared them (versions 1 to 3, merged). */
const V3_STORES = {
  scores: 'key, scoredAt',
  leads: 'key, source, origin, createdAt, modifiedAt, owner, leadSource',
  leadScores: 'key, leadKey, [modelId+tier], [modelId+probability]',
  models: 'id, addedAt',
  settings: 'key',
  csvStaging: 'key',
};

it('upgrades version 3 to version 4 and fills the lead summaries from the stored leads', async () => {
  const v3 = new Dexie(NAME);
  v3.version(3).stores(V3_STORES);
  // More than one chunk of the fill.
  const leads = Array.from({ length: 2500 }, (_, i) =>
    storedLead({
      key: `csv|${String(i).padStart(4, '0')}`,
      source: 'csv',
      id: String(i),
      origin: 'csv',
      name: `Lead ${i}`,
      owner: `Owner ${i % 3}`,
      leadSource: i % 2 ? 'Web' : '',
      createdAt: i,
      outcome: i % 5 === 0 ? null : ((i % 2) as 0 | 1),
      fields: { title: 'CTO', company: `Company ${i}` },
    }),
  );
  await v3.table('leads').bulkPut(leads);
  v3.close();

  const db = new LeadLensDb(NAME);
  expect(db.verno).toBe(7);
  expect(await db.leadSummaries.toArray()).toEqual(leads.map(summaryOf));
  expect(await db.leadSummaries.get('csv|0001')).toEqual({
    key: 'csv|0001', source: 'csv', id: '1', name: 'Lead 1', owner: 'Owner 1', leadSource: 'Web', createdAt: 1, outcome: 1,
  });
  expect(await db.leads.count()).toBe(2500);
  db.close();
});

it('upgrades version 4 to version 5 with a store of held-out probabilities, keeping the models', async () => {
  const v4 = new Dexie(NAME);
  v4.version(4).stores({ ...V3_STORES, leadSummaries: 'key' });
  await v4.table('models').put({ id: 'ebm-1', origin: 'trained', manifest: {}, onnx: new Uint8Array([1, 2]), addedAt: 3 });
  v4.close();

  const db = new LeadLensDb(NAME);
  expect(db.verno).toBe(7);
  expect((await db.models.get('ebm-1'))?.addedAt).toBe(3);
  await db.heldOutScores.put({ modelId: 'ebm-1', leadKeys: ['csv|1', 'csv|2'], probabilities: Float64Array.from([0.25, 0.5]) });
  const kept = await db.heldOutScores.get('ebm-1');
  expect(kept?.leadKeys).toEqual(['csv|1', 'csv|2']);
  expect([...(kept?.probabilities ?? [])]).toEqual([0.25, 0.5]);
  db.close();
});

it('upgrades version 5 to version 6 owing a score to every stored lead, as a scoring owed of a source was of all its leads', async () => {
  const v5 = new Dexie(NAME);
  v5.version(5).stores({ ...V3_STORES, leadSummaries: 'key', heldOutScores: 'modelId' });
  // More than one chunk of the fill, of every source.
  const leads = Array.from({ length: 2500 }, (_, i) => storedLead({ source: (['salesforce', 'hubspot', 'csv'] as const)[i % 3], id: String(i).padStart(4, '0'), origin: 'sync' }));
  await v5.table('leads').bulkPut(leads);
  await v5.table('leadSummaries').bulkPut(leads.map(summaryOf));
  v5.close();

  const db = new LeadLensDb(NAME);
  expect(db.verno).toBe(7);
  const owed = await db.owedLeadScores.toArray();
  expect(owed.map((row) => row.key)).toEqual(leads.map((lead) => lead.key).sort());
  // Each row names the write that owed it, which a later write of the lead does not repeat.
  expect(owed.every((row) => typeof row.writeId === 'string' && row.writeId.length > 0)).toBe(true);
  await db.putLeads([leads[0]]);
  expect((await db.owedLeadScores.get(leads[0].key))?.writeId).not.toBe(owed.find((row) => row.key === leads[0].key)?.writeId);
  expect(await db.unscorableLeads.count()).toBe(0);
  expect(await db.leads.count()).toBe(2500);
  db.close();
});

it('upgrades version 6 to version 7 giving no owner to the demo leads Demo mode stored with owner "Unassigned"; a lead of your own owned by an "Unassigned" user or queue keeps it', async () => {
  const v6 = new Dexie(NAME);
  v6.version(6).stores({ ...V3_STORES, leadSummaries: 'key', heldOutScores: 'modelId', owedLeadScores: 'key', unscorableLeads: 'key, [modelId+key]' });
  // More than one chunk of demo leads of both CRMs, most with no owner (stored as 'Unassigned'), some with a demo owner.
  const demo = Array.from({ length: 2500 }, (_, i) =>
    storedLead({ source: i % 2 ? 'hubspot' : 'salesforce', id: `DEMO${String(i).padStart(4, '0')}`, origin: 'demo', owner: i % 5 === 0 ? 'Grace' : 'Unassigned', fields: { title: 'CTO' } }),
  );
  const own = [
    storedLead({ source: 'salesforce', id: '00QA', origin: 'sync', owner: 'Unassigned', fields: { OwnerId: '005Q' } }),
    storedLead({ source: 'csv', id: 'row-1', origin: 'csv', owner: 'Unassigned' }),
    storedLead({ source: 'hubspot', id: '7', origin: 'sync', owner: 'Ada' }),
  ];
  await v6.table('leads').bulkPut([...demo, ...own]);
  await v6.table('leadSummaries').bulkPut([...demo, ...own].map(summaryOf));
  v6.close();

  const db = new LeadLensDb(NAME);
  expect(db.verno).toBe(7);
  const byKey = (a: StoredLead, b: StoredLead) => (a.key < b.key ? -1 : 1);
  const upgraded = [...demo.map((lead) => ({ ...lead, owner: lead.owner === 'Unassigned' ? '' : lead.owner })), ...own].sort(byKey);
  // Only the owner changed, and only the demo leads'.
  expect(await db.leads.toArray()).toEqual(upgraded);
  await expectSummariesInStep(db);
  expect((await db.leads.where('owner').equals('Unassigned').primaryKeys()).sort()).toEqual(['csv|row-1', 'salesforce|00QA']);
  expect(await db.leads.where('owner').equals('').count()).toBe(2000);
  db.close();
});

it('owes a score to each lead it stores, and takes the owed score out with the lead', async () => {
  const db = new LeadLensDb(NAME);
  const lead = (id: string) => storedLead({ source: 'hubspot', id, origin: 'sync' });
  await db.putLeads([lead('1'), lead('2')]);
  await db.owedLeadScores.delete('hubspot|1'); // scored
  await db.putLeads([lead('1')]); // stored again: owed again
  expect((await db.owedLeadScores.toArray()).map((row) => row.key)).toEqual(['hubspot|1', 'hubspot|2']);
  await db.deleteLeads(['hubspot|2']);
  expect((await db.owedLeadScores.toArray()).map((row) => row.key)).toEqual(['hubspot|1']);
  // A writer that forgets the owed scores in its scope fails, and writes nothing.
  await expect(db.transaction('rw', [db.leads, db.leadSummaries], () => db.putLeads([lead('3')]))).rejects.toThrow(/owedLeadScores not included/);
  expect(await db.leads.count()).toBe(1);
  db.close();
});

it('owes a lead stored twice in one millisecond under two write ids, so the second write is told from the first', async () => {
  const db = new LeadLensDb(NAME);
  const lead = storedLead({ source: 'hubspot', id: '1', origin: 'sync' });
  vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
  await db.putLeads([lead]);
  const first = await db.owedLeadScores.get(lead.key);
  await db.putLeads([{ ...lead, name: 'Ada' }]);
  expect((await db.owedLeadScores.get(lead.key))?.writeId).not.toBe(first?.writeId);
  vi.restoreAllMocks();
  db.close();
});

it('forgets that a model gave a lead no score once the lead is stored again or deleted', async () => {
  const db = new LeadLensDb(NAME);
  const lead = (id: string) => storedLead({ source: 'hubspot', id, origin: 'sync' });
  await db.putLeads([lead('1'), lead('2'), lead('3')]);
  await db.unscorableLeads.bulkPut(['hubspot|1', 'hubspot|2', 'hubspot|3'].map((key) => ({ key, modelId: 'm' })));
  await db.putLeads([lead('1')]);
  await db.deleteLeads(['hubspot|2']);
  expect(await db.unscorableLeads.toArray()).toEqual([{ key: 'hubspot|3', modelId: 'm' }]);
  await expect(db.transaction('rw', [db.leads, db.leadSummaries, db.owedLeadScores], () => db.putLeads([lead('4')]))).rejects.toThrow(/unscorableLeads not included/);
  db.close();
});

it('keeps a trained model’s held-out logits with their leads when the leads are replaced or forgotten; a row kept without logits stays without', async () => {
  const db = new LeadLensDb(NAME);
  const lead = (id: string, company: string) => storedLead({ source: 'csv', id, origin: 'csv', fields: { company } });
  await db.putLeads([lead('1', 'Acme'), lead('2', 'Globex'), lead('3', 'Initech')]);
  const leadKeys = ['csv|1', 'csv|2', 'csv|3'];
  await db.heldOutScores.bulkPut([
    { modelId: 'ebm-new', leadKeys, probabilities: Float64Array.of(0.1, 0.5, 0.5), logits: Float64Array.of(-2.2, -0.4, 0.3) },
    { modelId: 'ebm-old', leadKeys, probabilities: Float64Array.of(0.2, 0.3, 0.4) },
  ]);
  // The file again: Acme's row under another key, Globex gone, Initech as it was.
  await db.transaction('rw', db.leadReplacementTables, () => db.replaceLeads(leadKeys, (put) => put([lead('9', 'Acme'), lead('3', 'Initech')])));
  expect(await db.heldOutScores.get('ebm-new')).toEqual({ modelId: 'ebm-new', leadKeys: ['csv|9', 'csv|3'], probabilities: Float64Array.of(0.1, 0.5), logits: Float64Array.of(-2.2, 0.3) });
  expect(await db.heldOutScores.get('ebm-old')).toEqual({ modelId: 'ebm-old', leadKeys: ['csv|9', 'csv|3'], probabilities: Float64Array.of(0.2, 0.4) });

  await db.transaction('rw', db.heldOutScores, () => db.forgetHeldOutScoresOf(new Set(['csv|9'])));
  expect(await db.heldOutScores.get('ebm-new')).toEqual({ modelId: 'ebm-new', leadKeys: ['csv|3'], probabilities: Float64Array.of(0.5), logits: Float64Array.of(0.3) });
  expect(await db.heldOutScores.get('ebm-old')).toEqual({ modelId: 'ebm-old', leadKeys: ['csv|3'], probabilities: Float64Array.of(0.4) });
  db.close();
});

it('writes and deletes leads with their summaries, and refuses a transaction without the summaries', async () => {
  const db = new LeadLensDb(NAME);
  await db.putLeads([
    storedLead({ source: 'csv', id: 'a', origin: 'csv', outcome: 1 }),
    storedLead({ source: 'csv', id: 'b', origin: 'csv', outcome: 1 }),
    storedLead({ source: 'csv', id: 'c', origin: 'csv', outcome: 1 }),
  ]);
  await db.deleteLeads(['csv|b']);
  await expectSummariesInStep(db);
  expect(await db.leadSummaries.count()).toBe(2);

  // A writer that forgets the summaries in its scope fails, and writes nothing.
  await expect(db.transaction('rw', db.leads, () => db.putLeads([storedLead({ source: 'csv', id: 'd', origin: 'csv', outcome: 1 })]))).rejects.toThrow(/leadSummaries not included/);
  expect(await db.leads.count()).toBe(2);
  db.close();
});

describe('reading a source’s leads for the trainer', () => {
  const DAY = 86_400_000;
  const now = Date.UTC(2026, 10, 1);
  /** A wide CRM lead: its created date, its outcome, and 300 properties no training reads, most of them empty. */
  const wideLead = (source: StoredLead['source'], id: string, createdAt: number, origin: StoredLead['origin'] = 'sync') =>
    storedLead({
      source,
      id,
      origin,
      createdAt,
      fields: { lifecyclestage: Number(id.replace(/\D/g, '')) % 3 === 0 ? 'customer' : 'lead', ...Object.fromEntries(Array.from({ length: 300 }, (_, p) => [`property_${p}`, p % 10 === 0 ? `value ${p}` : null])) },
    });
  // 1,300 HubSpot leads over 400 days (more than two chunks of a read), 40 of them with no created date; Salesforce leads and HubSpot's demo leads beside them.
  const hubspot = Array.from({ length: 1300 }, (_, i) => wideLead('hubspot', `c${String(i * 7919 % 1300).padStart(4, '0')}`, i < 40 ? 0 : now - ((i * 37) % 400) * DAY));
  const salesforce = Array.from({ length: 200 }, (_, i) => wideLead('salesforce', `00Q${i}`, now - (i % 400) * DAY));
  const demo = Array.from({ length: 50 }, (_, i) => wideLead('hubspot', `demo${i}`, now - (i % 100) * DAY, 'demo'));
  const inHistory = (key: string) => !key.startsWith('hubspot|demo');
  /** The source's history in key order, as `historyKeys` lists it. */
  const history = [...hubspot].sort((a, b) => (a.key < b.key ? -1 : 1));
  afterEach(() => Promise.all(extensionDb.leadTables.map((table) => table.clear())));

  /** What `readLeadsForTraining` hands over for `window`, the created dates it placed the window over, and every lead IndexedDB gave it. */
  async function read(window: TrainingWindow) {
    const materialized: string[] = [];
    const reading = (lead: StoredLead) => {
      materialized.push(lead.key);
      return lead;
    };
    extensionDb.leads.hook('reading', reading);
    const placedOver: number[][] = [];
    const added: string[] = [];
    try {
      await readLeadsForTraining('hubspot', inHistory, {
        window: (createdDates) => {
          placedOver.push([...createdDates]);
          return window;
        },
        add: (lead) => added.push(lead.key),
      });
    } finally {
      extensionDb.leads.hook('reading').unsubscribe(reading);
    }
    return { materialized, placedOver, added };
  }

  it.each<[string, TrainingWindow]>([
    ['from a year ago to 30 days ago', { createdAfter: now - 365 * DAY, createdBefore: now - 30 * DAY }],
    ['created at least 90 days ago', { createdAfter: null, createdBefore: now - 90 * DAY }],
    ['created in the last 60 days', { createdAfter: now - 60 * DAY, createdBefore: null }],
    ['that ends before it begins', { createdAfter: now - 30 * DAY, createdBefore: now - 60 * DAY }],
  ])('reads only the leads created in a window %s, through the created-date index: the leads the whole history gave, in its order', async (_name, window) => {
    await extensionDb.putLeads([...hubspot, ...salesforce, ...demo]);
    const { materialized, placedOver, added } = await read(window);
    // The window is placed over the created date of every lead of the history, none of them read.
    expect(placedOver).toHaveLength(1);
    expect(placedOver[0].sort()).toEqual(history.map((lead) => lead.createdAt).sort());
    const inWindow = leadsInWindow(history, window).leads.map((lead) => lead.key);
    expect(added).toEqual(inWindow);
    // No lead outside the window was taken out of IndexedDB, nor another source's, nor a demo lead left out of the history.
    expect(materialized).toEqual(inWindow);
  });

  it('reads every lead of the history, dated or not, in key order, when the window has neither end', async () => {
    await extensionDb.putLeads([...hubspot, ...salesforce, ...demo]);
    const { materialized, added } = await read({ createdAfter: null, createdBefore: null });
    expect(added).toEqual(history.map((lead) => lead.key));
    expect(materialized).toEqual([...history, ...demo].map((lead) => lead.key).sort());
  });

  it('keeps no transaction open over the whole read: a settings read queued behind a sync’s commit asked meanwhile is answered before the read ends', async () => {
    await extensionDb.putLeads([...hubspot, ...salesforce, ...demo]);
    await extensionDb.settings.put({ key: 'active-model', value: 'm1' });
    const finished: string[] = [];
    const added: string[] = [];
    let firstLeadAdded!: () => void;
    const underway = new Promise<void>((resolve) => (firstLeadAdded = resolve));
    const training = readLeadsForTraining('hubspot', inHistory, {
      window: () => ({ createdAfter: null, createdBefore: null }),
      add: (lead) => {
        added.push(lead.key);
        firstLeadAdded();
      },
    }).then(() => finished.push('training read'));
    await underway;
    // A sync page's commit (over the lead tables and the settings, as the sync runner's), then a
    // badge's read of the active model: from other pages, so outside any transaction of the read.
    const synced = wideLead('hubspot', 'z-synced-meanwhile', now);
    const commit = Dexie.ignoreTransaction(() =>
      extensionDb.transaction('rw', [...extensionDb.leadTables, extensionDb.settings], async () => {
        await extensionDb.putLeads([synced]);
        await extensionDb.settings.put({ key: 'sync:hubspot', value: {} });
      }),
    ).then(() => finished.push('sync commit'));
    const badge = Dexie.ignoreTransaction(() => extensionDb.settings.get('active-model')).then(() => finished.push('settings read'));
    await Promise.all([training, commit, badge]);
    // Both answered while the history is still being read, not held until it ends.
    expect(finished).toHaveLength(3);
    expect(finished.at(-1)).toBe('training read');
    // Chunk after chunk, each lead once, in key order: the history, and the lead the sync stored ahead of the read.
    expect(added).toEqual([...history.map((lead) => lead.key), synced.key]);
    await extensionDb.settings.clear();
  });
});

it('counts demo leads apart from each source’s own, though Demo mode stores them under the CRMs’ keys', async () => {
  await extensionDb.putLeads([
    storedLead({ source: 'salesforce', id: 'd1', origin: 'demo' }),
    storedLead({ source: 'salesforce', id: '00QA', origin: 'sync' }),
    storedLead({ source: 'salesforce', id: '00QB', origin: 'sync' }),
    storedLead({ source: 'hubspot', id: 'd1', origin: 'demo' }),
    storedLead({ source: 'hubspot', id: 'd2', origin: 'demo' }),
    storedLead({ source: 'csv', id: 'row-1', origin: 'csv' }),
  ]);
  expect(await countStoredLeadsByOrigin()).toEqual({ own: { salesforce: 2, hubspot: 0, csv: 1 }, demo: 3 });
  await extensionDb.delete();
});
