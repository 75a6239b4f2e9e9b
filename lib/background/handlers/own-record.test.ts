/**
 * A content script is answered for its own page's record only: the connection's credentials read any
 * record of the org (maybe more than the rep's own CRM user sees), and a score's reasons quote its
 * record's values. A record page gets its record's score (a Salesforce id in either form), never
 * another record's, read from the CRM, stored or cached; list rows are scored for list pages only.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientFor } from '../../connections/client-for';
import { writeConnection } from '../../../test/fixtures/stored-connection';
import { generateDemoLeads } from '../../crm/demo-data';
import { db, leadKeyOfCachedScore } from '../../db/db';
import { demoFetch } from '../../../test/demo-crm/fetch';
import { createDemoCrmHandler } from '../../../test/demo-crm/server';
import { connectDemoHubSpot } from '../../../test/fixtures/demo-hubspot-connection';
import { salesforceOAuthConnection } from '../../../test/fixtures/salesforce-oauth-connection';
import { storedLead } from '../../../test/fixtures/stored-lead';
import { stubWebLocks } from '../../../test/web-locks';
import { recordSyncedAccount } from '../../sync/store';
import { leadsHandlers } from './leads';
import { listHandlers } from './list';
import { scoringHandlers } from './scoring';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

// A stand-in engine (every lead at even odds): which record is read and answered matters here, not its score.
vi.mock('../offscreen-engine', () => ({
  runOffscreen: async (modelId: string, rows: Float32Array, featureCount: number) => {
    const { manifestOf } = await import('../../ml/model-store');
    const terms = (await manifestOf(modelId)).terms.length;
    const n = rows.length / featureCount;
    return { probability: Array(n).fill(0.5), contributions: Array.from({ length: n }, () => new Float32Array(terms)) };
  },
}));

const leads = generateDemoLeads({ count: 5, seed: 1, now: new Date('2026-11-01T00:00:00Z') });
const [onPage, other] = leads;
const TAB_ID = 7;
/** The requests sent to the CRM, path, query and body. */
let crmRequests: string[] = [];
const requestsNaming = (recordId: string) => crmRequests.filter((request) => request.includes(recordId));
/** The records (`crm|id`) the score cache holds a score of. */
const cachedLeads = async () => ((await db.scores.toCollection().primaryKeys()) as string[]).map(leadKeyOfCachedScore);

/** A content script's sender on the tab showing `url`, which the side panel finds there too. */
function pageSender(url: string): Browser.runtime.MessageSender {
  fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url })) as never;
  return { tab: { id: TAB_ID, url, active: true }, url } as unknown as Browser.runtime.MessageSender;
}

/**
 * A content script's sender whose document loaded at `loadedAt` (`sender.url`, as Chrome gives it) and whose tab
 * shows `url` now: a client-side navigation (pushState) since leaves `sender.url` as it was.
 */
function navigatedSender(loadedAt: string, url: string, shownDocument = 'document-1'): Browser.runtime.MessageSender {
  fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url, documentId: shownDocument })) as never;
  return { tab: { id: TAB_ID, active: true }, frameId: 0, documentId: 'document-1', url: loadedAt } as unknown as Browser.runtime.MessageSender;
}

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.permissions.contains = vi.fn(async () => true);
  await Promise.all(db.tables.map((table) => table.clear()));
  // Nothing connected: `clientFor` forgets the clients the test before made.
  await Promise.all([clientFor('salesforce'), clientFor('hubspot')]);
  const handle = createDemoCrmHandler(leads);
  crmRequests = [];
  vi.stubGlobal(
    'fetch',
    demoFetch((request) => {
      crmRequests.push(`${decodeURIComponent(request.url.pathname + request.url.search)} ${request.body}`);
      return handle(request);
    }),
  );
  stubWebLocks(); // a connect runs under a Web Lock
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('a HubSpot contact’s page of the connected portal', () => {
  const recordPage = (contactId: string) => pageSender(`https://app.hubspot.com/contacts/4242424/record/0-1/${contactId}`);
  const listPage = () => pageSender('https://app.hubspot.com/contacts/4242424/objects/0-1/views/all/list');

  beforeEach(async () => {
    await connectDemoHubSpot();
    crmRequests = []; // the connect's own
  });

  it('gets its own contact scored from the CRM, and another contact’s score neither read from the CRM nor taken from what is stored or cached', async () => {
    expect((await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: onPage.hubspotId, fields: {} }, recordPage(onPage.hubspotId))).ok).toBe(true);
    expect(requestsNaming(onPage.hubspotId)).not.toEqual([]);

    const refused = { ok: false, error: 'LeadLens scores a HubSpot lead on its own record page only' };
    const fromOnPage = recordPage(onPage.hubspotId);
    expect(await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: other.hubspotId, fields: {} }, fromOnPage)).toEqual(refused);
    expect(requestsNaming(other.hubspotId)).toEqual([]);

    // Once the other contact's page cached its score, and a sync stored it: still not for this page.
    expect((await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: other.hubspotId, fields: {} }, recordPage(other.hubspotId))).ok).toBe(true);
    await recordSyncedAccount(db, 'hubspot', { id: '4242424', name: 'HubSpot portal 4242424' });
    await db.putLeads([storedLead({ source: 'hubspot', id: other.hubspotId, origin: 'sync', fields: { jobtitle: 'CEO', industry: 'Banking' } })]);
    expect(await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: other.hubspotId, fields: {} }, recordPage(onPage.hubspotId))).toEqual(refused);
    // Nor is a list page, which shows no record of its own, answered one.
    expect(await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: other.hubspotId, fields: {} }, listPage())).toEqual(refused);
  });

  it('gets no list rows scored, its own contact included: list badges run on list pages only', async () => {
    const reply = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [onPage.hubspotId, other.hubspotId] }, recordPage(onPage.hubspotId));
    expect(reply).toEqual({ ok: false, error: 'LeadLens scores HubSpot list rows on HubSpot list pages only' });
    expect(crmRequests.filter((request) => request.includes('/crm/v3/objects/contacts'))).toEqual([]);
    const fromList = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [onPage.hubspotId, other.hubspotId] }, listPage());
    expect(fromList.ok && fromList.rows.map((row) => row.state)).toEqual(['scored', 'scored']);
  });
});

describe('the page a content script asks from, after a client-side navigation', () => {
  const contactPage = (contactId: string) => `https://app.hubspot.com/contacts/4242424/record/0-1/${contactId}`;
  const LIST_PAGE = 'https://app.hubspot.com/contacts/4242424/objects/0-1/views/all/list';

  beforeEach(async () => {
    await connectDemoHubSpot();
    crmRequests = []; // the connect's own
  });

  it('is the one its tab shows now, not the one its document loaded at', async () => {
    // Opened from a list: the contact's badge is scored, and the list's rows are not asked for from its page.
    expect((await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: onPage.hubspotId, fields: {} }, navigatedSender(LIST_PAGE, contactPage(onPage.hubspotId)))).ok).toBe(true);
    expect((await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [other.hubspotId] }, navigatedSender(LIST_PAGE, contactPage(onPage.hubspotId)))).ok).toBe(false);
    // Back to the list from the contact: its rows are scored, and the contact left is not.
    expect((await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [other.hubspotId] }, navigatedSender(contactPage(onPage.hubspotId), LIST_PAGE))).ok).toBe(true);
    expect((await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: onPage.hubspotId, fields: {} }, navigatedSender(contactPage(onPage.hubspotId), LIST_PAGE))).ok).toBe(false);
  });

  it('names no record the tab left: its document loaded at another contact’s page gets that contact’s score no more', async () => {
    const reply = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: other.hubspotId, fields: {} }, navigatedSender(contactPage(other.hubspotId), contactPage(onPage.hubspotId)));
    expect(reply).toEqual({ ok: false, error: 'LeadLens scores a HubSpot lead on its own record page only' });
    expect(requestsNaming(other.hubspotId)).toEqual([]);
  });

  it.each([
    ['another portal’s page', 'https://app.hubspot.com/contacts/999/record/0-1/123'],
    ['a HubSpot page that names no portal', 'https://app.hubspot.com/'],
  ])('reads nothing with the connection for a page moved by its own script into the connected portal from %s: every portal shares one origin', async (_from, loadedAt) => {
    const moved = () => navigatedSender(loadedAt, contactPage(onPage.hubspotId));
    const reply = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: onPage.hubspotId, fields: { jobtitle: 'Chief Executive Officer' } }, moved());
    // Scored from what its page shows alone, as another portal's page is.
    expect(reply).toMatchObject({ ok: true });
    const lists = await listHandlers.scoreLeadsById({ crm: 'hubspot', recordIds: [other.hubspotId] }, navigatedSender(loadedAt, LIST_PAGE));
    expect(lists.ok && lists.rows.map((row) => row.state)).toEqual(['unscorable']);
    expect(requestsNaming(onPage.hubspotId)).toEqual([]);
    expect(requestsNaming(other.hubspotId)).toEqual([]);
    expect(await cachedLeads()).toEqual([]);
    // Nor for the side panel, which explains the lead its tab shows as its badge scored it.
    fakeBrowser.webNavigation.getFrame = vi.fn(async () => ({ url: contactPage(onPage.hubspotId), documentId: 'document-1' })) as never;
    expect(await leadsHandlers.openLead({ tabId: TAB_ID }, {})).toMatchObject({ ok: true, lead: { recordId: onPage.hubspotId } });
    expect(requestsNaming(onPage.hubspotId)).toEqual([]);
    expect(await cachedLeads()).toEqual([]);
  });

  it('is answered from the connection when it loaded on another app page of the connected portal (its deals) and moved to one of its contacts', async () => {
    const reply = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: onPage.hubspotId, fields: {} }, navigatedSender('https://app.hubspot.com/sales/4242424/deals', contactPage(onPage.hubspotId)));
    expect(reply).toMatchObject({ ok: true });
    expect(requestsNaming(onPage.hubspotId)).not.toEqual([]);
  });

  it('is none once the tab shows another document (reloaded, or another page loaded): what it asked is for a page gone', async () => {
    const page = contactPage(onPage.hubspotId);
    const reply = await scoringHandlers.scoreLead({ crm: 'hubspot', recordId: onPage.hubspotId, fields: {} }, navigatedSender(page, page, 'document-2'));
    expect(reply).toEqual({ ok: false, error: 'LeadLens scores HubSpot leads on their HubSpot pages only' });
    expect(crmRequests).toEqual([]);
  });
});

describe('a Salesforce lead’s page of the connected org', () => {
  const recordPage = (leadId: string) => pageSender(`https://acme.lightning.force.com/lightning/r/Lead/${leadId}/view`);

  beforeEach(() => writeConnection(salesforceOAuthConnection({ accessToken: '00Daccess', refreshToken: '5Aep-refresh' })));

  it('gets its own lead scored from the CRM asked for by its 15- or 18-character id, under the id its address names', async () => {
    const id15 = onPage.salesforceId.slice(0, 15);
    for (const recordId of [onPage.salesforceId, id15]) {
      const reply = await scoringHandlers.scoreLead({ crm: 'salesforce', recordId, fields: {} }, recordPage(onPage.salesforceId));
      expect(reply.ok).toBe(true);
    }
    expect(await cachedLeads()).toEqual([`salesforce|${onPage.salesforceId}`]);
    // An address naming the lead by 15 characters names it as the content script does, by 18.
    expect(await scoringHandlers.scoreLead({ crm: 'salesforce', recordId: onPage.salesforceId, fields: {} }, recordPage(id15))).toMatchObject({ ok: true });
    expect(requestsNaming(id15)).not.toEqual([]);
  });

  it('gets no other lead’s score, by either form of its id, and the CRM is not asked for it', async () => {
    const refused = { ok: false, error: 'LeadLens scores a Salesforce lead on its own record page only' };
    for (const recordId of [other.salesforceId, other.salesforceId.slice(0, 15)]) {
      expect(await scoringHandlers.scoreLead({ crm: 'salesforce', recordId, fields: {} }, recordPage(onPage.salesforceId))).toEqual(refused);
    }
    expect(requestsNaming(other.salesforceId.slice(0, 15))).toEqual([]);
  });
});
