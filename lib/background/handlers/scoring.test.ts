/**
 * Opening a record page: the badge scores the lead and the side panel explains it, with one
 * read of the record from the CRM between them (the panel explains the badge's cached fields).
 */
import 'fake-indexeddb/auto';
import { connectDemoHubSpot } from '../../../test/fixtures/demo-hubspot-connection';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { removeConnection } from '../../connections/connections';
import { generateDemoLeads } from '../../crm/demo-data';
import { db } from '../../db/db';
import { onEvent } from '../../messaging/events';
import { defaultBehaviour } from '../../../test/demo-crm/behaviour';
import { demoFetch } from '../../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../../test/demo-crm/server';
import { storedLead } from '../../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../../test/web-locks';
import { dexieSyncStore, recordSyncedAccount } from '../../sync/store';
import { PORTAL_STAGES } from '../../../test/fixtures/hubspot-portal-stages';
import { displayName, storedLeadOfPageOnce } from '../open-lead';
import { FIRST_RENDER_PATIENCE_MS } from '../../messaging/protocol';
import { NO_READABLE_FIELDS } from '../score-lead';
import { leadsHandlers } from './leads';
import { listHandlers } from './list';
import { otherOrgListRow } from '../score-leads';
import { scoringHandlers } from './scoring';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

// A stand-in engine (every lead at even odds): how often the record is read matters here, not its score.
vi.mock('../offscreen-engine', () => ({
  runOffscreen: async (modelId: string) => {
    const { manifestOf } = await import('../../ml/model-store');
    return { probability: [0.5], contributions: [new Float32Array((await manifestOf(modelId)).terms.length)] };
  },
}));

const contact = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') })[0];
const RECORD_PAGE = `https://app.hubspot.com/contacts/4242424/record/0-1/${contact.hubspotId}`;
const TAB_ID = 7;
const sender = { tab: { id: TAB_ID, url: RECORD_PAGE } } as unknown as Browser.runtime.MessageSender;
/**
 * A content script's message from tab TAB_ID showing `url`: its main frame shows it too, where the background
 * reads the page that asks (`senderPage`: the address a client-side navigation leaves `sender.url` at is not it).
 */
function fromPage(url: string): Browser.runtime.MessageSender {
  fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url })) as never;
  return { tab: { id: TAB_ID, url }, url } as unknown as Browser.runtime.MessageSender;
}

let recordReads = 0;

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  // The tab still shows the record when the panel asks for its lead.
  fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url: RECORD_PAGE })) as never;
  await Promise.all(db.tables.map((table) => table.clear()));
  const demo = demoFetch(createDemoCrmHandler(generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') }), defaultBehaviour()));
  recordReads = 0;
  vi.stubGlobal('fetch', (async (input, init) => {
    // A contact is read by a batch read naming it (its properties go in the body, not the URL).
    const isRecordRead = new URL(String(input)).pathname === '/crm/v3/objects/contacts/batch/read' && String(init?.body).includes(`"${contact.hubspotId}"`);
    if (isRecordRead) recordReads++;
    return demo(input, init);
  }) as typeof fetch);
  stubWebLocks(); // a connect runs under a Web Lock
  await connectDemoHubSpot();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

it('reads the record from the CRM once when a record page opens, for the badge and the side panel', async () => {
  // The side panel: it asks for the open lead as soon as it hears the tab shows another one.
  const panelReplies: ReturnType<typeof leadsHandlers.openLead>[] = [];
  onEvent('openLeadChanged', ({ tabId }) => void panelReplies.push(leadsHandlers.openLead({ tabId }, {} as Browser.runtime.MessageSender)));

  const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: {} }, sender);
  const [panel] = await Promise.all(panelReplies);

  if (!badge.ok || !panel?.ok || !panel.lead) throw new Error('both should score the lead');
  expect(panel.lead.tier).toBe(badge.lead.tier);
  expect(recordReads).toBe(1);
});

it("reads the open lead's stored lead once for the side panel, for its name and whether it converted", async () => {
  const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: { lifecyclestage: 'Customer' } }, sender);
  const reads = vi.spyOn(db.leads, 'get');
  const panel = await leadsHandlers.openLead({ tabId: TAB_ID }, {} as Browser.runtime.MessageSender);
  if (!badge.ok || !panel.ok || !panel.lead) throw new Error('both should score the lead');
  expect(panel.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
  expect(reads).toHaveBeenCalledTimes(1);
});

it("reads the stage a contact's page shows in the order the last sync kept of the page's portal: moved back since that sync, it is not converted", async () => {
  await recordSyncedAccount(db, 'hubspot', { id: '4242424', name: 'HubSpot portal 4242424' });
  await db.putLeads([storedLead({ source: 'hubspot', id: contact.hubspotId, origin: 'sync', outcome: 1, fields: { lifecyclestage: 'customer' } })]);
  await dexieSyncStore(db).keepLifecycleStages!(PORTAL_STAGES);
  const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: { lifecyclestage: 'Lead' } }, sender);
  const panel = await leadsHandlers.openLead({ tabId: TAB_ID }, {} as Browser.runtime.MessageSender);
  if (!badge.ok || !panel.ok || !panel.lead) throw new Error('both should score the lead');
  expect(badge.lead.converted).toBeUndefined();
  expect(panel.lead.converted).toBeUndefined();

  // Kept by a later sync of a portal that placed customer before opportunity: its customers are not converted; another portal's page reads HubSpot's default order.
  await dexieSyncStore(db).keepLifecycleStages!(PORTAL_STAGES.filter(({ value }) => value !== 'customer').toSpliced(1, 0, { value: 'customer', label: 'Customer' }));
  const own = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: { lifecyclestage: 'Customer' } }, sender);
  const otherPage = RECORD_PAGE.replace('/4242424/', '/999/');
  const other = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: { lifecyclestage: 'Customer', jobtitle: 'CEO' } }, fromPage(otherPage));
  expect(own.ok && own.lead.converted).toBeUndefined();
  expect(other.ok && other.lead.converted).toEqual({ field: 'Lifecycle stage', value: 'Customer' });
});

describe('the fields of the page the side panel keeps for the open lead, beyond those the model reads', () => {
  it('find the badge’s cached score (cached by all the page’s fields), so the record is read from the CRM once', async () => {
    const panelReplies: ReturnType<typeof leadsHandlers.openLead>[] = [];
    onEvent('openLeadChanged', ({ tabId }) => void panelReplies.push(leadsHandlers.openLead({ tabId }, {} as Browser.runtime.MessageSender)));
    const fields = { jobtitle: 'CEO', hs_content_membership_notes: 'Asked for a demo' }; // the notes: no field the model reads
    const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields }, sender);
    const [panel] = await Promise.all(panelReplies);
    if (!badge.ok || !panel?.ok || !panel.lead) throw new Error('both should score the lead');
    expect(recordReads).toBe(1);
  });

  it('tell the order the page writes dates in, so a lead read from its page alone is explained as its badge scored it', async () => {
    const otherPortalPage = RECORD_PAGE.replace('/4242424/', '/999/'); // no score cached: the panel reads the page's fields again
    // 03/04/2026 is 3 April only beside 31/12/2025, in a field the model does not read; an English page alone says 4 March.
    const fields = { jobtitle: 'CEO', createdate: '03/04/2026', closedate: '31/12/2025' };
    const otherSender = fromPage(otherPortalPage);
    const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields, locale: 'en-US' }, otherSender);
    const panel = await leadsHandlers.openLead({ tabId: TAB_ID }, {} as Browser.runtime.MessageSender);
    if (!badge.ok || !panel.ok || !panel.lead) throw new Error('both should score the lead');
    expect(panel.lead.reasons).toEqual(badge.lead.reasons);
  });
});

describe('a lead its badge refuses for want of any readable field', () => {
  const unknownRecord = '999999999'; // the CRM has no such contact, and the page shows no field
  const unknownSender = { tab: { id: TAB_ID, url: RECORD_PAGE.replace(contact.hubspotId, unknownRecord) } } as unknown as Browser.runtime.MessageSender;
  const openLead = () => leadsHandlers.openLead({ tabId: TAB_ID }, {} as Browser.runtime.MessageSender);
  beforeEach(() => {
    fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url: unknownSender.tab!.url })) as never;
  });

  it('is being read in the side panel until the badge’s wait for the page to show its fields ends, then refused there in the same words', async () => {
    const refusedAt = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(refusedAt);
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: unknownRecord, fields: {} }, unknownSender);
    expect(badge).toEqual({ ok: false, error: NO_READABLE_FIELDS });
    // Until when the panel says it reads the lead: it asks again then by its own clock, as no timer of the service worker's says so.
    expect(await openLead()).toEqual({ ok: true, lead: null, reading: true, readingUntil: refusedAt + FIRST_RENDER_PATIENCE_MS });
    expect(setTimeoutSpy.mock.calls.map(([, ms]) => ms)).not.toContain(FIRST_RENDER_PATIENCE_MS);
    vi.spyOn(Date, 'now').mockReturnValue(refusedAt + FIRST_RENDER_PATIENCE_MS);
    expect(await openLead()).toEqual(badge);
  });

  it('is refused in the side panel at once when the page sent fields, none of which LeadLens reads', async () => {
    const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: unknownRecord, fields: { favouriteColour: 'green' } }, unknownSender);
    expect(badge).toEqual({ ok: false, error: NO_READABLE_FIELDS });
    expect(await openLead()).toEqual(badge);
  });
});

it('scores the badge even when the side panel’s bookkeeping cannot be stored (storage.session full)', async () => {
  vi.spyOn(fakeBrowser.storage.session, 'set').mockRejectedValue(new Error('Session storage quota bytes exceeded'));
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: {} }, sender);
  expect(badge.ok).toBe(true);
  expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not remember the open lead/), 'Session storage quota bytes exceeded');
});

describe('a page of another portal than the connected one', () => {
  const OTHER_PORTAL_PAGE = RECORD_PAGE.replace('/4242424/', '/999/');
  const fromOtherPortal = () => fromPage(OTHER_PORTAL_PAGE);

  it('is scored from its own fields alone: no read through the connection, no score cached from it', async () => {
    // The connected portal's contact with this id is read and cached first.
    const own = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: {} }, sender);
    expect(own.ok).toBe(true);
    expect(recordReads).toBe(1);
    const other = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: {} }, fromOtherPortal());
    expect(other).toEqual({ ok: false, error: NO_READABLE_FIELDS });
    const fromPage = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: { jobtitle: 'CEO' } }, fromOtherPortal());
    if (!fromPage.ok) throw new Error(fromPage.error);
    expect(fromPage.lead.featuresKnown).toBeLessThan(own.ok ? own.lead.featuresKnown : 0);
    expect(recordReads).toBe(1);
    // The side panel opens the connected portal's leads, not the other one's.
    expect((await fakeBrowser.storage.local.get('crmHome:hubspot'))['crmHome:hubspot']).toEqual({ origin: 'https://app.hubspot.com', portal: '4242424' });
  });

  it('gets no list row scores from the leads synced from the connected portal', async () => {
    await recordSyncedAccount(db, 'hubspot', { id: '4242424', name: 'HubSpot portal 4242424' });
    await db.putLeads([storedLead({ source: 'hubspot', id: contact.hubspotId, origin: 'sync', fields: { jobtitle: 'CEO', industry: 'Banking' } })]);
    const listOf = fromPage;
    const own = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [contact.hubspotId] }, listOf('https://app.hubspot.com/contacts/4242424/objects/0-1/views/all/list'));
    const other = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [contact.hubspotId] }, listOf('https://app.hubspot.com/contacts/999/objects/0-1/views/all/list'));
    expect(own.ok && own.rows.map((row) => row.state)).toEqual(['scored']);
    // No score of the connected portal's lead: the row says the lists of that portal only are scored.
    expect(other.ok && other.rows).toEqual([{ recordId: contact.hubspotId, state: 'unscorable', reason: otherOrgListRow('hubspot') }]);
  });
});

it('tells a list row the CRM could not be read just now, rather than that LeadLens has no data on it', async () => {
  const listPage = 'https://app.hubspot.com/contacts/4242424/objects/0-1/views/all/list';
  const stored = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') })[1];
  await recordSyncedAccount(db, 'hubspot', { id: '4242424', name: 'HubSpot portal 4242424' });
  await db.putLeads([storedLead({ source: 'hubspot', id: stored.hubspotId, origin: 'sync', fields: { jobtitle: 'CEO', industry: 'Banking' } })]);
  vi.stubGlobal('fetch', (async () => new Response('{"status":"error","message":"bad request"}', { status: 400, headers: { 'content-type': 'application/json' } })) as typeof fetch);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const reply = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [stored.hubspotId, contact.hubspotId] }, fromPage(listPage));
  if (!reply.ok) throw new Error(reply.error);
  // The stored lead still scores; the one to read says why it did not, in words without the CRM's own error.
  expect(reply.rows).toEqual([
    { recordId: stored.hubspotId, state: 'scored', lead: expect.anything() },
    { recordId: contact.hubspotId, state: 'unscorable', reason: 'LeadLens could not read this lead from HubSpot just now: open the lead, or reload the list.' },
  ]);
});

describe('a list page while not connected', () => {
  const listOf = (portal: string) => {
    const url = `https://app.hubspot.com/contacts/${portal}/objects/0-1/views/all/list`;
    return fromPage(url);
  };

  beforeEach(async () => {
    fakeBrowser.permissions.remove = vi.fn(async () => true);
    await removeConnection('hubspot');
  });

  it('shows a lead LeadLens neither stores nor can read the score its record page just got from the page', async () => {
    const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: { jobtitle: 'CEO' } }, sender);
    if (!badge.ok) throw new Error(badge.error);
    const reply = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [contact.hubspotId] }, listOf('4242424'));
    expect(reply).toEqual({ ok: true, rows: [{ recordId: contact.hubspotId, state: 'scored', lead: badge.lead }] });
  });

  it('shows another portal’s list no score cached from the first portal’s record page, though the record id is the same', async () => {
    const badge = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: { jobtitle: 'CEO' } }, sender);
    if (!badge.ok) throw new Error(badge.error);
    const other = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [contact.hubspotId] }, listOf('999'));
    expect(other.ok && other.rows.map((row) => row.state)).toEqual(['unknown']);
    // Nor does that portal's record page of the same id, showing the same fields, take the first one's cached score: it scores
    // them itself, and its score is kept as its portal's.
    const otherRecord = `https://app.hubspot.com/contacts/999/record/0-1/${contact.hubspotId}`;
    const [key] = (await db.scores.toCollection().primaryKeys()) as string[];
    expect((await db.scores.get(key))?.account).toBe('4242424');
    const otherBadge = await scoringHandlers.scoreLead(
      { crm: 'hubspot', recordId: contact.hubspotId, fields: { jobtitle: 'CEO' } },
      fromPage(otherRecord),
    );
    expect(otherBadge.ok).toBe(true);
    expect((await db.scores.get(key))?.account).toBe('999');
  });

  it('shows another portal’s page no score cached from the leads synced from the first one', async () => {
    await recordSyncedAccount(db, 'hubspot', { id: '4242424', name: 'HubSpot portal 4242424' });
    await db.putLeads([storedLead({ source: 'hubspot', id: contact.hubspotId, origin: 'sync', fields: { jobtitle: 'CEO', industry: 'Banking' } })]);
    const own = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [contact.hubspotId] }, listOf('4242424'));
    const other = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [contact.hubspotId] }, listOf('999'));
    expect(own.ok && own.rows.map((row) => row.state)).toEqual(['scored']);
    expect(other.ok && other.rows.map((row) => row.state)).toEqual(['unknown']);
  });
});

describe('Demo mode’s leads', () => {
  it('score the demo CRM’s list rows only: a real portal’s contact with the same made-up id gets no demo lead’s score, nor its name in the side panel', async () => {
    await db.putLeads([storedLead({ source: 'hubspot', id: contact.hubspotId, origin: 'demo', name: 'Demo Person', fields: { jobtitle: 'CEO', industry: 'Banking' } })]);
    const listOf = (portal: string) => {
      const url = `https://app.hubspot.com/contacts/${portal}/objects/0-1/views/all/list`;
      return fromPage(url);
    };
    await removeConnection('hubspot');
    const demoPortal = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [contact.hubspotId] }, listOf('4242424'));
    const realPortal = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [contact.hubspotId] }, listOf('4455667'));
    expect(demoPortal.ok && demoPortal.rows.map((row) => row.state)).toEqual(['scored']);
    expect(realPortal.ok && realPortal.rows.map((row) => row.state)).toEqual(['unknown']);
    const lead = { crm: 'hubspot' as const, recordId: contact.hubspotId, name: '', fields: {} };
    const none = { account: null, connection: 'none' as const, synced: false, purgesBefore: 0 };
    expect(await displayName(lead, storedLeadOfPageOnce(lead, { ...none, account: '4242424' }))).toBe('Demo Person');
    expect(await displayName(lead, storedLeadOfPageOnce(lead, { ...none, account: '4455667' }))).not.toBe('Demo Person');
  });
});

it('makes the tab the CRM tab used last (for "Open in CRM") only when it asks as its window’s active tab', async () => {
  const inTheBackground = { tab: { id: 8, url: RECORD_PAGE, active: false } } as unknown as Browser.runtime.MessageSender;
  const active = { tab: { id: TAB_ID, url: RECORD_PAGE, active: true } } as unknown as Browser.runtime.MessageSender;
  await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: {} }, active);
  await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: contact.hubspotId, fields: {} }, inTheBackground);
  expect(await fakeBrowser.storage.session.get('lastCrmTabId')).toEqual({ lastCrmTabId: TAB_ID });
});

it('refuses a score asked for another CRM than the page’s', async () => {
  const reply = await scoringHandlers.scoreLead({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields: { Title: 'CEO' } }, sender);
  expect(reply).toEqual({ ok: false, error: expect.stringMatching(/Salesforce leads on their Salesforce pages only/) });
});

describe('a CRM page that became visible', () => {
  const lastCrmTab = async () => (await fakeBrowser.storage.session.get('lastCrmTabId')).lastCrmTabId;
  const fromTab = (tab: Partial<Browser.tabs.Tab>) => ({ tab: { id: TAB_ID, active: true, ...tab }, url: RECORD_PAGE }) as unknown as Browser.runtime.MessageSender;

  it('makes its tab, the sender’s, the CRM tab used last', async () => {
    expect(await scoringHandlers.crmPageVisible({}, fromTab({}))).toEqual({ ok: true });
    expect(await lastCrmTab()).toBe(TAB_ID);
  });

  it('does not when the tab is not its window’s active one, or no longer shows a CRM page (the message is the page’s word)', async () => {
    expect(await scoringHandlers.crmPageVisible({}, fromTab({ active: false }))).toEqual({ ok: true });
    fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url: 'https://mail.example.com/inbox' })) as never;
    expect(await scoringHandlers.crmPageVisible({}, fromTab({}))).toEqual({ ok: true });
    expect(await lastCrmTab()).toBeUndefined();
  });

  it('is refused from no tab', async () => {
    expect(await scoringHandlers.crmPageVisible({}, { url: RECORD_PAGE } as Browser.runtime.MessageSender)).toMatchObject({ ok: false });
    expect(await lastCrmTab()).toBeUndefined();
  });
});
