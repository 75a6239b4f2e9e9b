/**
 * A list page of the connected portal: rows LeadLens does not store are read from the CRM in one
 * batch read; one the CRM answers without (deleted, or shared away from the user) gets no score
 * cached from its record page, and that score is deleted.
 */
import 'fake-indexeddb/auto';
import { connectDemoHubSpot } from '../../../test/fixtures/demo-hubspot-connection';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { generateDemoLeads } from '../../crm/demo-data';
import { db, leadKeyOfCachedScore } from '../../db/db';
import { defaultBehaviour } from '../../../test/demo-crm/behaviour';
import { demoFetch } from '../../../test/demo-crm/fetch';
import { createDemoCrm } from '../../../test/demo-crm/server';
import { readConnection } from '../../connections/connections';
import { writeConnection } from '../../../test/fixtures/stored-connection';
import { storedLead } from '../../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../../test/web-locks';
import { recordSyncedAccount } from '../../sync/store';
import { couldNotRead, notShownBy, otherOrgListRow } from '../score-leads';
import { listHandlers } from './list';
import { scoringHandlers } from './scoring';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

/** The leads the stand-in engine has scored, in all. */
const engineRows = vi.hoisted(() => ({ count: 0 }));
// A stand-in engine (every lead at even odds): which rows get a score matters here, not the score.
vi.mock('../offscreen-engine', () => ({
  runOffscreen: async (modelId: string, rows: Float32Array, featureCount: number) => {
    engineRows.count += rows.length / featureCount;
    const { manifestOf } = await import('../../ml/model-store');
    const terms = (await manifestOf(modelId)).terms.length;
    const n = rows.length / featureCount;
    return { probability: Array(n).fill(0.5), contributions: Array.from({ length: n }, () => new Float32Array(terms)) };
  },
}));

const leads = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') });
const [gone, kept, synced] = leads;
const TAB_ID = 7;
/**
 * A content script's message from tab TAB_ID showing `url`: its main frame shows it too, where the background
 * reads the page that asks (`senderPage`: the address a client-side navigation leaves `sender.url` at is not it).
 */
function pageSender(url: string): Browser.runtime.MessageSender {
  fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url })) as never;
  return { tab: { id: TAB_ID, url }, url } as unknown as Browser.runtime.MessageSender;
}
const recordPage = (contactId: string) => pageSender(`https://app.hubspot.com/contacts/4242424/record/0-1/${contactId}`);
const listPage = () => pageSender('https://app.hubspot.com/contacts/4242424/objects/0-1/views/all/list');

let crm: ReturnType<typeof createDemoCrm>;

/** The records (`hubspot|id`) the score cache holds a score of, any model's. */
const cachedLeads = async () => ((await db.scores.toCollection().primaryKeys()) as string[]).map(leadKeyOfCachedScore).sort();

/** Opens `contactId`'s record page: its badge is scored from the API record and cached for the portal. */
async function openRecordPage(contactId: string) {
  const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contactId, fields: {} }, recordPage(contactId));
  if (!badge.ok) throw new Error(badge.error);
  return badge.lead;
}

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  await Promise.all(db.tables.map((table) => table.clear()));
  crm = createDemoCrm(leads, defaultBehaviour());
  vi.stubGlobal('fetch', demoFetch(crm.handle));
  stubWebLocks(); // a connect runs under a Web Lock
  await connectDemoHubSpot();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

it('shows no score cached from the record page of a contact the batch read answers without, and deletes that score', async () => {
  await openRecordPage(gone.hubspotId);
  await openRecordPage(kept.hubspotId);
  expect(await cachedLeads()).toEqual([`hubspot|${gone.hubspotId}`, `hubspot|${kept.hubspotId}`].sort());
  // A synced lead is scored from what is stored, whatever the CRM answers now.
  await recordSyncedAccount(db, 'hubspot', { id: '4242424', name: 'HubSpot portal 4242424' });
  await db.putLeads([storedLead({ source: 'hubspot', id: synced.hubspotId, origin: 'sync', fields: { jobtitle: 'CEO', industry: 'Banking' } })]);
  crm.store.deleteLead(gone, Date.now());
  crm.store.deleteLead(synced, Date.now());

  const reply = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [gone.hubspotId, kept.hubspotId, synced.hubspotId] }, listPage());

  if (!reply.ok) throw new Error(reply.error);
  expect(reply.rows).toEqual([
    { recordId: gone.hubspotId, state: 'unscorable', reason: notShownBy('hubspot') },
    { recordId: kept.hubspotId, state: 'scored', lead: expect.anything() },
    { recordId: synced.hubspotId, state: 'scored', lead: expect.anything() },
  ]);
  expect(notShownBy('hubspot')).toBe('HubSpot does not show LeadLens this lead (deleted, or not shared with you).');
  expect(await cachedLeads()).not.toContain(`hubspot|${gone.hubspotId}`);
  expect(await cachedLeads()).toContain(`hubspot|${kept.hubspotId}`);
});

it('scores a row from the record the list reads from the CRM now, not from the older score its record page cached', async () => {
  await openRecordPage(kept.hubspotId);
  const before = engineRows.count;

  const reply = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [kept.hubspotId] }, listPage());

  expect(reply).toEqual({ ok: true, rows: [{ recordId: kept.hubspotId, state: 'scored', lead: expect.anything() }] });
  // Read from the CRM just now (not stored), it is newer than the page's score: scored, not answered with it.
  expect(engineRows.count - before).toBe(1);
});

it('still shows the score cached from the record page of a contact the CRM could not be read for, and keeps it', async () => {
  const badge = await openRecordPage(gone.hubspotId);
  vi.stubGlobal('fetch', (async () => new Response('{"status":"error","message":"internal error"}', { status: 400, headers: { 'content-type': 'application/json' } })) as typeof fetch);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);

  const reply = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [gone.hubspotId, kept.hubspotId] }, listPage());

  expect(reply).toEqual({
    ok: true,
    rows: [
      { recordId: gone.hubspotId, state: 'scored', lead: badge },
      { recordId: kept.hubspotId, state: 'unscorable', reason: couldNotRead('hubspot') },
    ],
  });
  expect(await cachedLeads()).toEqual([`hubspot|${gone.hubspotId}`]);
});

it('tells the rows of another portal’s list that LeadLens scores the connected portal’s lists, not to open the lead: another portal’s record page keeps no score', async () => {
  const otherPortal = '777777';
  const otherRecordPage = pageSender(`https://app.hubspot.com/contacts/${otherPortal}/record/0-1/${kept.hubspotId}`);
  // The rep opens the lead there: it is scored from its page, and not kept.
  const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: kept.hubspotId, fields: { jobtitle: 'CEO', industry: 'Banking', lifecyclestage: 'lead' } }, otherRecordPage);
  expect(badge.ok).toBe(true);

  const reply = await listHandlers.scoreLeadsById(
    { crm: 'hubspot', recordIds: [kept.hubspotId] },
    pageSender(`https://app.hubspot.com/contacts/${otherPortal}/objects/0-1/views/all/list`),
  );

  expect(reply).toEqual({ ok: true, rows: [{ recordId: kept.hubspotId, state: 'unscorable', reason: otherOrgListRow('hubspot') }] });
  expect(otherOrgListRow('hubspot')).toBe(
    'LeadLens is connected to another HubSpot portal than this one, and scores lists of that portal only. Open the lead to see its score on its page: it is not kept for this list.',
  );
  expect(otherOrgListRow('salesforce')).toContain('another Salesforce org');
  // The connected portal's list scores the same id from the CRM, as before.
  const own = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [kept.hubspotId] }, listPage());
  expect(own).toEqual({ ok: true, rows: [{ recordId: kept.hubspotId, state: 'scored', lead: expect.anything() }] });
});

it('scores the connected portal’s list when its connection was stored without the portal (by a LeadLens before portals were recorded), not calling it another portal’s', async () => {
  const connection = await readConnection('hubspot');
  if (connection?.crm !== 'hubspot') throw new Error('the demo HubSpot should be connected');
  await writeConnection({ ...connection, account: undefined });

  const reply = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [kept.hubspotId] }, listPage());

  expect(reply).toEqual({ ok: true, rows: [{ recordId: kept.hubspotId, state: 'scored', lead: expect.anything() }] });
  // Checked on the way: the next page finds the portal known.
  expect(await readConnection('hubspot')).toMatchObject({ account: { id: '4242424' } });
});
