import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeConnection } from '../../test/fixtures/stored-connection';
import { recognisePage } from '../crm/adapters';
import type { CrmKind } from '../crm/types';
import { db } from '../db/db';
import { leadsProtocol, OpenLeadSchema } from '../messaging/protocol-leads';
import { ScoredLeadSchema } from '../messaging/schemas';
import { INITIAL_SYNC_STATE, syncStateKey } from '../sync/state';
import { storedLead } from '../../test/fixtures/stored-lead';
import { valueAsShown } from '../ml/explain';
import { MAX_VALUE_CHARS } from '../ml/visible-text';
import { fieldsRead, parseManifest } from '../ml/manifest';
import { awaitPageFields, crmHomeOf, displayName, explainInFull, storedLeadOfPageOnce, forgetOpenLead, leadBeingRead, noteCrmPageVisible, openRecordInCrmTab, recordUrl, rememberedLeadOf, rememberOpenLead, rememberPurgedPages } from './open-lead';
import { FIRST_RENDER_PATIENCE_MS } from '../messaging/protocol';
import type { PageAccess } from './page-access';
import { MODEL_GAVE_NO_SCORE, NO_READABLE_FIELDS, scoreLead, type CachedScoreEntry, type LeadToScore, type ScoringDeps } from './score-lead';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const SALESFORCE_RECORD = 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEAAV/view';
const HUBSPOT_RECORD = 'https://app.hubspot.com/contacts/4242424/record/0-1/1501';
const LIST_PAGE = 'https://acme.lightning.force.com/lightning/o/Lead/list';

/**
 * Tabs showing these URLs, as `webNavigation.getFrame` reports their top frames (LeadLens has no `tabs` permission);
 * those of `notLoaded` show Chrome's error page in place of theirs, which did not load (the connection dropped), or
 * had their load stopped (Esc): the same document (`documents`: the ids of the tabs' documents) in the second case.
 */
function tabsShowing(urls: Record<number, string>, notLoaded: number[] = [], documents: Record<number, string> = {}) {
  fakeBrowser.webNavigation.getFrame = vi.fn(async ({ tabId }: { tabId: number }) =>
    urls[tabId] ? { url: urls[tabId], errorOccurred: notLoaded.includes(tabId), documentId: documents[tabId] } : null,
  ) as never;
}

const NOT_CONNECTED: PageAccess = { account: '4242424', connection: 'none', synced: false, purgesBefore: 0 };
/**
 * What the scoring handler remembers of a content script's `scoreLead` from tab `tabId` showing `url`:
 * its window's active tab unless `active` says otherwise (the rep reading the lead).
 */
const remember = (lead: LeadToScore, tabId: number | undefined, url: string, access = NOT_CONNECTED, active = true) => rememberOpenLead(lead, new URL(url), access, tabId, active);
/** The side panel's name for `lead` on a page of `access`, as the open lead's handler asks it. */
const nameOnPage = (lead: LeadToScore, access: PageAccess) => displayName(lead, storedLeadOfPageOnce(lead, access));

beforeEach(() => {
  fakeBrowser.reset();
  tabsShowing({}); // no tab's page known, until a test says
});
afterEach(() => vi.restoreAllMocks());

describe('crmHomeOf and recordUrl', () => {
  it.each<[CrmKind, string, { origin: string; portal?: string }]>([
    ['salesforce', SALESFORCE_RECORD, { origin: 'https://acme.lightning.force.com' }],
    ['hubspot', HUBSPOT_RECORD, { origin: 'https://app.hubspot.com', portal: '4242424' }],
  ])('%s: a record page gives its CRM home, and the home gives the same record page back', (crm, url, home) => {
    expect(crmHomeOf(crm, new URL(url))).toEqual(home);
    const recordId = url.split('/').filter(Boolean).at(crm === 'salesforce' ? -2 : -1)!;
    expect(recordUrl(crm, recordId, home)).toBe(url);
    expect(recognisePage(new URL(recordUrl(crm, recordId, home)))?.match).toMatchObject({ kind: 'record', recordId });
  });

  it('knows no HubSpot portal from a page outside /contacts/{portal}/', () => {
    expect(crmHomeOf('hubspot', new URL('https://app.hubspot.com/reports-dashboard/4242424'))).toEqual({ origin: 'https://app.hubspot.com', portal: undefined });
    expect(() => recordUrl('hubspot', '1501', { origin: 'https://app.hubspot.com' })).toThrow(/HubSpot portal/);
  });

  it('escapes record ids so they stay one path segment', () => {
    expect(recordUrl('salesforce', 'a/b?c', { origin: 'https://acme.lightning.force.com' })).toBe('https://acme.lightning.force.com/lightning/r/Lead/a%2Fb%3Fc/view');
  });
});

describe('the open lead of a tab', () => {
  const lead = { crm: 'salesforce' as const, recordId: '00Q5e00000AbCdEAAV', fields: { Name: 'Ada Lovelace' } };

  it('is the lead the tab last scored while the tab still shows it, and nothing once it moves on', async () => {
    await remember(lead, 7, SALESFORCE_RECORD);
    tabsShowing({ 7: SALESFORCE_RECORD });
    expect(await rememberedLeadOf(7)).toEqual({ lead, page: new URL(SALESFORCE_RECORD) });
    tabsShowing({ 7: LIST_PAGE });
    expect(await rememberedLeadOf(7)).toBeNull();
    expect(await rememberedLeadOf(8)).toBeNull();
  });

  it('is forgotten when its tab closes, leaving other tabs’ leads', async () => {
    await remember(lead, 7, SALESFORCE_RECORD);
    await remember(lead, 8, SALESFORCE_RECORD);
    await forgetOpenLead(7);
    expect(Object.keys(await fakeBrowser.storage.session.get(null))).not.toContain('openLead:7');
    tabsShowing({ 7: SALESFORCE_RECORD, 8: SALESFORCE_RECORD });
    expect(await rememberedLeadOf(7)).toBeNull();
    expect(await rememberedLeadOf(8)).toEqual({ lead, page: new URL(SALESFORCE_RECORD) });
  });

  it('is forgotten when its tab closed while its request was handled: the tab’s close already ran, and nothing else would drop its page fields', async () => {
    // Chrome: a closed tab has no frame to read (the page's URL is then unknown), and `tabs.get` rejects.
    vi.spyOn(fakeBrowser.tabs, 'get').mockRejectedValue(new Error('No tab with id: 7.'));
    await forgetOpenLead(7); // tabs.onRemoved, before the scoring handler remembers
    await remember(lead, 7, SALESFORCE_RECORD);
    expect(Object.keys(await fakeBrowser.storage.session.get(null)).filter((key) => key.endsWith(':7'))).toEqual([]);
    // Nor is a page a purge stopped remembered for a tab closed meanwhile.
    await rememberPurgedPages([{ tabId: 7, documentId: 'doc-7' }]);
    expect(Object.keys(await fakeBrowser.storage.session.get(null)).filter((key) => key.endsWith(':7'))).toEqual([]);
  });

  it('is not written back by the wait for the page’s fields when its tab closed meanwhile', async () => {
    tabsShowing({ 7: SALESFORCE_RECORD });
    const withoutFields = { ...lead, fields: {} };
    await remember(withoutFields, 7, SALESFORCE_RECORD);
    // The tab closes once the lead is read for the wait, before it is written back with its end.
    const { get } = fakeBrowser.storage.session;
    vi.spyOn(fakeBrowser.storage.session, 'get').mockImplementationOnce((async (keys: string) => {
      const read = await get(keys);
      vi.spyOn(fakeBrowser.tabs, 'get').mockRejectedValue(new Error('No tab with id: 7.'));
      await forgetOpenLead(7); // tabs.onRemoved
      return read;
    }) as never);
    await awaitPageFields(withoutFields, NOT_CONNECTED, 7);
    expect(Object.keys(await fakeBrowser.storage.session.get(null)).filter((key) => key.endsWith(':7'))).toEqual([]);
  });

  it('keeps the lead the tab shows when a request of the lead it showed before arrives late', async () => {
    const before = { crm: 'salesforce' as const, recordId: '00Q5e00000ZzZzZAAV', fields: { Name: 'Grace Hopper' } };
    tabsShowing({ 7: SALESFORCE_RECORD });
    await remember(lead, 7, SALESFORCE_RECORD);
    await remember(before, 7, 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000ZzZzZAAV/view');
    expect(await rememberedLeadOf(7)).toEqual({ lead, page: new URL(SALESFORCE_RECORD) });
  });

  it('is being read while its badge waits for the page to show the fields of a request refused without any, until its patience is over', async () => {
    tabsShowing({ 7: SALESFORCE_RECORD });
    const withoutFields = { ...lead, fields: {} };
    await remember(withoutFields, 7, SALESFORCE_RECORD);
    const refusedAt = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(refusedAt);
    await awaitPageFields(withoutFields, NOT_CONNECTED, 7);
    expect(await rememberedLeadOf(7)).toBeNull();
    // Until when: the side panel asks again then by its own clock, the service worker being stopped or not.
    expect(await leadBeingRead(7)).toEqual({ reading: true, readingUntil: refusedAt + FIRST_RENDER_PATIENCE_MS });
    vi.spyOn(Date, 'now').mockReturnValue(refusedAt + FIRST_RENDER_PATIENCE_MS + 1);
    expect(await rememberedLeadOf(7)).toEqual({ lead: withoutFields, page: new URL(SALESFORCE_RECORD) });
  });

  it('gives no end to the reading of a record page that has not asked yet, though the lead it showed before waits for its fields', async () => {
    tabsShowing({ 7: SALESFORCE_RECORD });
    const withoutFields = { ...lead, fields: {} };
    await remember(withoutFields, 7, SALESFORCE_RECORD);
    await awaitPageFields(withoutFields, NOT_CONNECTED, 7);
    tabsShowing({ 7: 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000ZzZzZAAV/view' });
    expect(await rememberedLeadOf(7)).toBeNull();
    expect(await leadBeingRead(7)).toEqual({ reading: true });
  });

  it('is not held back for a request with fields, nor for one that took the place of the request refused without any', async () => {
    tabsShowing({ 7: SALESFORCE_RECORD });
    await remember(lead, 7, SALESFORCE_RECORD);
    await awaitPageFields({ ...lead, fields: {} }, NOT_CONNECTED, 7);
    expect(await rememberedLeadOf(7)).toEqual({ lead, page: new URL(SALESFORCE_RECORD) });
    await awaitPageFields({ ...lead, fields: {} }, NOT_CONNECTED, undefined);
    expect(await rememberedLeadOf(7)).toEqual({ lead, page: new URL(SALESFORCE_RECORD) });
  });

  it('is being read while the tab shows a record page that has not asked to score its lead yet, a list or another site being no lead', async () => {
    await remember(lead, 7, SALESFORCE_RECORD);
    // The rep opened another lead: its page is still loading, the previous lead is no longer shown.
    tabsShowing({ 7: 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000ZzZzZAAV/view', 8: HUBSPOT_RECORD, 9: LIST_PAGE, 10: 'https://example.com/' });
    expect(await rememberedLeadOf(7)).toBeNull();
    expect(await leadBeingRead(7)).toEqual({ reading: true });
    expect(await leadBeingRead(8)).toEqual({ reading: true });
    expect(await leadBeingRead(9)).toEqual({ reading: false });
    expect(await leadBeingRead(10)).toEqual({ reading: false });
    expect(await leadBeingRead(11)).toEqual({ reading: false });
  });

  it('is nothing while Chrome’s error page stands in for the tab’s page, which did not load (the connection dropped), though its address is a record page’s', async () => {
    const OTHER_RECORD = 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000ZzZzZAAV/view';
    await remember(lead, 7, SALESFORCE_RECORD);
    await remember(lead, 8, SALESFORCE_RECORD);
    // Tab 7 was reloaded, tab 8 went on to another lead: neither loaded. Nor will either ask to score a lead.
    tabsShowing({ 7: SALESFORCE_RECORD, 8: OTHER_RECORD }, [7, 8]);
    for (const tabId of [7, 8]) {
      expect(await rememberedLeadOf(tabId)).toBeNull();
      expect(await leadBeingRead(tabId)).toEqual({ reading: false });
    }
    // Still on the CRM, though: a late request of the lead tab 8 showed before is not taken for its page's.
    await remember({ ...lead, fields: { Name: 'Ada, late' } }, 8, SALESFORCE_RECORD);
    // The connection is back, and both go to Ada's page again: the lead remembered is hers, not the late request's.
    tabsShowing({ 7: SALESFORCE_RECORD, 8: SALESFORCE_RECORD });
    expect(await rememberedLeadOf(7)).toEqual({ lead, page: new URL(SALESFORCE_RECORD) });
    expect(await rememberedLeadOf(8)).toEqual({ lead, page: new URL(SALESFORCE_RECORD) });
  });

  it('still shows the lead of a page whose load was stopped (Esc, window.stop()), which Chrome reports as an error in the frame of the same document; not over the error page of a reload that did not load', async () => {
    tabsShowing({ 7: SALESFORCE_RECORD }, [], { 7: 'ada-page' });
    await remember(lead, 7, SALESFORCE_RECORD);
    // The rep stopped the rest of the page's load: the page that asked, an error in its frame.
    tabsShowing({ 7: SALESFORCE_RECORD }, [7], { 7: 'ada-page' });
    expect(await rememberedLeadOf(7)).toEqual({ lead, page: new URL(SALESFORCE_RECORD) });
    // Reloaded offline: Chrome's error page, another document, at the same address.
    tabsShowing({ 7: SALESFORCE_RECORD }, [7], { 7: 'error-page' });
    expect(await rememberedLeadOf(7)).toBeNull();
  });

  it('remembers nothing for a message that did not come from a tab', async () => {
    await remember(lead, undefined, SALESFORCE_RECORD);
    tabsShowing({ 7: SALESFORCE_RECORD });
    expect(await rememberedLeadOf(7)).toBeNull();
  });

  it('is named as its page shows it, else after the stored lead, else the page fields, else its id', async () => {
    await Promise.all(db.leadTables.map((table) => table.clear()));
    const synced: PageAccess = { account: '4242424', connection: 'same-org', synced: true, purgesBefore: 0 };
    expect(await nameOnPage(lead, synced)).toBe('Ada Lovelace');
    expect(await nameOnPage({ crm: 'hubspot', recordId: '9', fields: { firstname: 'Grace', lastname: 'Hopper' } }, synced)).toBe('Grace Hopper');
    expect(await nameOnPage({ ...lead, fields: {} }, synced)).toBe(`Lead ${lead.recordId}`);
    await db.putLeads([{
      key: `salesforce|${lead.recordId}`, source: 'salesforce', id: lead.recordId, origin: 'sync', name: 'Ada King',
      owner: '', leadSource: '', createdAt: 0, modifiedAt: 0, outcome: null, fields: {},
    }]);
    expect(await nameOnPage(lead, synced)).toBe('Ada King');
    // Not after a lead synced from another org than the page's (a sandbox reuses production's ids).
    expect(await nameOnPage(lead, { account: '999', connection: 'other-org', synced: false, purgesBefore: 0 })).toBe('Ada Lovelace');
    // The name the page shows comes first: a HubSpot record page shows it in its title, not as a field.
    expect(await nameOnPage({ ...lead, name: 'Ada Lovelace-King' }, synced)).toBe('Ada Lovelace-King');
  });

  it('is nothing once the tab shows another org’s or portal’s record of the same id (a full-copy sandbox keeps production’s ids)', async () => {
    const sandbox = 'https://acme--full.sandbox.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEAAV/view';
    await remember(lead, 7, SALESFORCE_RECORD);
    tabsShowing({ 7: sandbox });
    expect(await rememberedLeadOf(7)).toBeNull();
    // Nor does production's request, arriving late, take the place of the sandbox's lead the tab shows now.
    await remember({ ...lead, fields: { Name: 'Ada in the sandbox' } }, 7, sandbox);
    await remember(lead, 7, SALESFORCE_RECORD);
    expect((await rememberedLeadOf(7))?.lead).toEqual({ ...lead, fields: { Name: 'Ada in the sandbox' } });
    // HubSpot: the same contact id in another portal.
    const contact = { crm: 'hubspot' as const, recordId: '1501', fields: { firstname: 'Ada' } };
    await remember(contact, 8, HUBSPOT_RECORD);
    tabsShowing({ 8: HUBSPOT_RECORD.replace('/4242424/', '/777001/') });
    expect(await rememberedLeadOf(8)).toBeNull();
    tabsShowing({ 8: HUBSPOT_RECORD.replace('https://app.', 'https://app-eu1.') }); // its portal on another data centre's host
    expect(await rememberedLeadOf(8)).toEqual({ lead: contact, page: new URL(HUBSPOT_RECORD.replace('https://app.', 'https://app-eu1.')) });
  });

  it('reads the stored lead of an open lead once, however often its name and whether it converted ask', async () => {
    await db.leads.clear();
    await db.leads.put(storedLead({ source: 'hubspot', id: '1501', origin: 'demo', name: 'Demo Person' }));
    const contact = { crm: 'hubspot' as const, recordId: '1501', fields: {} };
    const reads = vi.spyOn(db.leads, 'get');
    const stored = storedLeadOfPageOnce(contact, NOT_CONNECTED);
    expect(await displayName(contact, stored)).toBe('Demo Person');
    expect((await stored())?.name).toBe('Demo Person');
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    await db.leads.clear();
  });

  it('is named after a demo lead on the demo CRM’s pages only, never on those of the org or portal LeadLens reads', async () => {
    await db.leads.clear();
    await db.leads.put(storedLead({ source: 'hubspot', id: '1501', origin: 'demo', name: 'Demo Person' }));
    const contact = { crm: 'hubspot' as const, recordId: '1501', fields: {} };
    const demoPortal: PageAccess = { account: '4242424', connection: 'none', synced: false, purgesBefore: 0 };
    expect(await nameOnPage(contact, demoPortal)).toBe('Demo Person');
    expect(await nameOnPage(contact, { ...demoPortal, connection: 'other-org' })).toBe('Demo Person');
    // A portal of the demo's id that LeadLens is connected to, or synced from, is a real one.
    expect(await nameOnPage(contact, { ...demoPortal, connection: 'same-org' })).toBe('Contact 1501');
    expect(await nameOnPage(contact, { ...demoPortal, synced: true })).toBe('Contact 1501');
    expect(await nameOnPage(contact, { ...demoPortal, account: '777001' })).toBe('Contact 1501');
    await db.leads.clear();
  });

  it('remembers the name the page shows with the lead', async () => {
    await remember({ ...lead, name: 'Ada Lovelace' }, 7, SALESFORCE_RECORD);
    tabsShowing({ 7: SALESFORCE_RECORD });
    expect((await rememberedLeadOf(7))?.lead.name).toBe('Ada Lovelace');
  });
});

describe('openRecordInCrmTab', () => {
  const target = recordUrl('salesforce', '00Q000000000002', { origin: 'https://acme.lightning.force.com' });

  /** The CRM home is learnt from the first scored record page; tab 7 is that CRM tab. */
  async function afterScoringInTab7() {
    await remember({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields: {} }, 7, SALESFORCE_RECORD);
  }

  /** The active tab of the focused window, and the tabs there are: in window 1, unless `windowOf` says. */
  function tabsApi(activeTabId: number | undefined, existingTabIds: number[], windowOf: Record<number, number> = {}) {
    const tab = (id: number) => ({ id, windowId: windowOf[id] ?? 1 });
    vi.spyOn(fakeBrowser.tabs, 'query').mockResolvedValue((activeTabId === undefined ? [] : [tab(activeTabId)]) as never);
    vi.spyOn(fakeBrowser.tabs, 'get').mockImplementation(async (id: number) => {
      if (!existingTabIds.includes(id)) throw new Error(`No tab with id: ${id}`);
      return tab(id) as never;
    });
    return {
      update: vi.spyOn(fakeBrowser.tabs, 'update').mockResolvedValue({} as never),
      create: vi.spyOn(fakeBrowser.tabs, 'create').mockResolvedValue({} as never),
    };
  }

  it('refuses while the CRM’s address is unknown', async () => {
    await expect(openRecordInCrmTab('salesforce', '00Q000000000002')).rejects.toThrow(/does not know your Salesforce address/);
  });

  it('uses the active tab when it shows the CRM', async () => {
    await afterScoringInTab7();
    const { update, create } = tabsApi(3, [3, 7]);
    tabsShowing({ 3: LIST_PAGE, 7: SALESFORCE_RECORD });
    await openRecordInCrmTab('salesforce', '00Q000000000002');
    expect(update).toHaveBeenCalledWith(3, { url: target });
    expect(create).not.toHaveBeenCalled();
  });

  it('uses the active tab whose CRM page did not load (the connection dropped): the lead opens there, not in a new tab', async () => {
    await afterScoringInTab7();
    const { update, create } = tabsApi(3, [3, 7]);
    tabsShowing({ 3: LIST_PAGE, 7: SALESFORCE_RECORD }, [3]);
    await openRecordInCrmTab('salesforce', '00Q000000000002');
    expect(update).toHaveBeenCalledWith(3, { url: target });
    expect(create).not.toHaveBeenCalled();
  });

  it('else brings the CRM tab used last to the front', async () => {
    await afterScoringInTab7();
    const { update } = tabsApi(3, [3, 7]);
    tabsShowing({ 3: 'https://example.com/', 7: SALESFORCE_RECORD });
    await openRecordInCrmTab('salesforce', '00Q000000000002');
    expect(update).toHaveBeenCalledWith(7, { url: target, active: true });
  });

  it('is the active tab that scored last, not a tab scoring in the background (opened to read later, or scoring again after a sync)', async () => {
    await afterScoringInTab7();
    // Then tab 8, a lead opened in the background, scores: the rep still works in tab 7.
    await remember({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAA8', fields: {} }, 8, 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEAA8/view', NOT_CONNECTED, false);
    const { update } = tabsApi(3, [3, 7, 8]);
    tabsShowing({ 3: 'https://example.com/', 7: SALESFORCE_RECORD, 8: 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEAA8/view' });
    await openRecordInCrmTab('salesforce', '00Q000000000002');
    expect(update.mock.calls).toEqual([[7, { url: target, active: true }]]);
  });

  it('is the CRM tab the rep switched to last, though it scored in the background (a lead ctrl-clicked from a list, then worked in)', async () => {
    const RECORD_8 = 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEAA8/view';
    await afterScoringInTab7();
    await remember({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAA8', fields: {} }, 8, RECORD_8, NOT_CONNECTED, false);
    tabsShowing({ 3: 'https://mail.example.com/inbox', 7: LIST_PAGE, 8: RECORD_8 });
    // The rep switches to tab 8, then to webmail (no CRM page: not the CRM tab used last), and clicks a lead in the panel.
    await noteCrmPageVisible(8);
    await noteCrmPageVisible(3);
    const { update } = tabsApi(3, [3, 7, 8]);
    await openRecordInCrmTab('salesforce', '00Q000000000002');
    expect(update.mock.calls).toEqual([[8, { url: target, active: true }]]);
  });

  it('never navigates away from another site, CRM or org: a new tab then', async () => {
    await afterScoringInTab7();
    const { update, create } = tabsApi(3, [3, 7]);
    // The active tab shows HubSpot; the CRM tab used last moved on to webmail, then to a sandbox.
    for (const lastShows of ['https://mail.example.com/inbox', 'https://acme--uat.sandbox.lightning.force.com/lightning/o/Lead/list']) {
      tabsShowing({ 3: HUBSPOT_RECORD, 7: lastShows });
      await openRecordInCrmTab('salesforce', '00Q000000000002');
    }
    expect(update).not.toHaveBeenCalled();
    expect(create.mock.calls).toEqual([[{ url: target, windowId: 1 }], [{ url: target, windowId: 1 }]]);
  });

  it('never navigates the CRM tab used last in another window: a new tab in the window asking', async () => {
    // Tab 7 (window 1) scored a lead; the rep clicks a row in window 2's side panel, its active tab showing webmail.
    await afterScoringInTab7();
    const { update, create } = tabsApi(3, [3, 7], { 3: 2, 7: 1 });
    tabsShowing({ 3: 'https://mail.example.com/inbox', 7: SALESFORCE_RECORD });
    await openRecordInCrmTab('salesforce', '00Q000000000002');
    expect(update).not.toHaveBeenCalled();
    expect(create.mock.calls).toEqual([[{ url: target, windowId: 2 }]]);
  });

  it('else opens a new tab', async () => {
    await afterScoringInTab7();
    const { update, create } = tabsApi(undefined, []);
    tabsShowing({});
    await openRecordInCrmTab('salesforce', '00Q000000000002');
    expect(create).toHaveBeenCalledWith({ url: target });
    expect(update).not.toHaveBeenCalled();
  });
  describe('from the side panel of one window of several', () => {
    const ACME_RECORD = (id: string) => `https://acme.lightning.force.com/lightning/r/Lead/${id}/view`;
    const DEMO_ORG_RECORD = (id: string) => `https://leadlens-demo.lightning.force.com/lightning/r/Lead/${id}/view`;
    afterEach(() => db.leads.clear());

    /**
     * Tabs in windows, the active one of each marked; window 2, the panel's, is the focused one unless `focused` says.
     * Tab 9 (window 2) scored a lead, then tab 7 (window 1), each as its window's active tab: tab 7 is the CRM tab used last.
     */
    async function windows(tabs: { id: number; windowId: number; active?: boolean; shows: string }[], { lastScored = ACME_RECORD, focused = 2 } = {}) {
      await remember({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAA1', fields: {} }, 9, lastScored('00Q5e00000AbCdEAA1'));
      await remember({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields: {} }, 7, lastScored('00Q5e00000AbCdEAAV'));
      const tabOf = ({ id, windowId, active = false }: (typeof tabs)[number]) => ({ id, windowId, active });
      vi.spyOn(fakeBrowser.tabs, 'query').mockImplementation((async (info: { active?: boolean; windowId?: number; lastFocusedWindow?: boolean }) =>
        tabs
          .filter((tab) => (info.active === undefined || !!tab.active === info.active) && tab.windowId === (info.windowId ?? (info.lastFocusedWindow ? focused : tab.windowId)))
          .map(tabOf)) as never);
      vi.spyOn(fakeBrowser.tabs, 'get').mockImplementation(async (id: number) => {
        const tab = tabs.find((candidate) => candidate.id === id);
        if (!tab) throw new Error(`No tab with id: ${id}`);
        return tabOf(tab) as never;
      });
      tabsShowing(Object.fromEntries(tabs.map((tab) => [tab.id, tab.shows])));
      return {
        update: vi.spyOn(fakeBrowser.tabs, 'update').mockResolvedValue({} as never),
        create: vi.spyOn(fakeBrowser.tabs, 'create').mockResolvedValue({} as never),
        focus: vi.spyOn(fakeBrowser.windows, 'update').mockResolvedValue({} as never),
      };
    }

    it('opens in the window of the panel asking, not in the focused one', async () => {
      const { update, create } = await windows(
        [
          { id: 7, windowId: 1, active: true, shows: ACME_RECORD('00Q5e00000AbCdEAAV') },
          { id: 3, windowId: 2, active: true, shows: 'https://mail.example.com/inbox' },
        ],
        { focused: 1 },
      );
      await openRecordInCrmTab('salesforce', '00Q000000000002', 2);
      expect(update).not.toHaveBeenCalled();
      expect(create.mock.calls).toEqual([[{ url: target, windowId: 2 }]]);
    });

    it('in a tab of that window showing the org, though the CRM tab used last is in another: no second tab', async () => {
      const { update, create } = await windows([
        { id: 7, windowId: 1, active: true, shows: ACME_RECORD('00Q5e00000AbCdEAAV') },
        { id: 3, windowId: 2, active: true, shows: 'https://mail.example.com/inbox' },
        { id: 9, windowId: 2, shows: ACME_RECORD('00Q5e00000AbCdEAA1') },
      ]);
      await openRecordInCrmTab('salesforce', '00Q000000000002', 2);
      expect(update.mock.calls).toEqual([[9, { url: target, active: true }]]);
      expect(create).not.toHaveBeenCalled();
    });

    describe('a demo lead', () => {
      beforeEach(() => db.leads.put(storedLead({ source: 'salesforce', id: '00Q000000000002', origin: 'demo' })));

      it('in a tab of that window showing the demo CRM, though the CRM tab used last is in another', async () => {
        const { update, focus } = await windows(
          [
            { id: 7, windowId: 1, active: true, shows: DEMO_ORG_RECORD('00Q5e00000AbCdEAAV') },
            { id: 3, windowId: 2, active: true, shows: 'https://mail.example.com/inbox' },
            { id: 9, windowId: 2, shows: DEMO_ORG_RECORD('00Q5e00000AbCdEAA1') },
          ],
          { lastScored: DEMO_ORG_RECORD },
        );
        await openRecordInCrmTab('salesforce', '00Q000000000002', 2);
        expect(update.mock.calls).toEqual([[9, { url: DEMO_ORG_RECORD('00Q000000000002'), active: true }]]);
        expect(focus).not.toHaveBeenCalled();
      });

      it('in the CRM tab used last, in another window brought to the front, when only that one shows the demo CRM: never a new tab', async () => {
        const { update, create, focus } = await windows(
          [
            { id: 7, windowId: 1, active: true, shows: DEMO_ORG_RECORD('00Q5e00000AbCdEAAV') },
            { id: 3, windowId: 2, active: true, shows: 'https://mail.example.com/inbox' },
            { id: 9, windowId: 2, shows: 'https://example.com/' },
          ],
          { lastScored: DEMO_ORG_RECORD },
        );
        await openRecordInCrmTab('salesforce', '00Q000000000002', 2);
        expect(update.mock.calls).toEqual([[7, { url: DEMO_ORG_RECORD('00Q000000000002'), active: true }]]);
        expect(focus.mock.calls).toEqual([[1, { focused: true }]]);
        expect(create).not.toHaveBeenCalled();
      });

      it('in another window’s tab showing the demo CRM, though a tab of another CRM scored after it', async () => {
        const { update, create, focus } = await windows(
          [
            { id: 7, windowId: 1, shows: DEMO_ORG_RECORD('00Q5e00000AbCdEAAV') },
            { id: 11, windowId: 1, active: true, shows: HUBSPOT_RECORD },
            { id: 3, windowId: 2, active: true, shows: 'https://mail.example.com/inbox' },
            { id: 9, windowId: 2, shows: 'https://example.com/' },
          ],
          { lastScored: DEMO_ORG_RECORD },
        );
        // The demo CRM's HubSpot contact in tab 11, window 1's active tab, scored last: tab 11 is the CRM tab used last now.
        await remember({ crm: 'hubspot', recordId: '1501', fields: {} }, 11, HUBSPOT_RECORD);
        await openRecordInCrmTab('salesforce', '00Q000000000002', 2);
        expect(update.mock.calls).toEqual([[7, { url: DEMO_ORG_RECORD('00Q000000000002'), active: true }]]);
        expect(focus.mock.calls).toEqual([[1, { focused: true }]]);
        expect(create).not.toHaveBeenCalled();
      });
    });
  });

  describe('a demo lead', () => {
    const DEMO_ORG_RECORD = (id: string) => `https://leadlens-demo.lightning.force.com/lightning/r/Lead/${id}/view`;
    beforeEach(() => db.leads.bulkPut([storedLead({ source: 'salesforce', id: '00Q000000000002', origin: 'demo' }), storedLead({ source: 'hubspot', id: '1501', origin: 'demo' })]));
    afterEach(() => db.leads.clear().then(() => db.settings.clear()));
    const NO_PAGE = 'This is a demo lead, made up for Demo mode: it has no Salesforce page to open.';

    it('opens in the CRM tab used last when it shows the demo CRM’s org (the tests play the demo CRM at its address)', async () => {
      await remember({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields: {} }, 7, DEMO_ORG_RECORD('00Q5e00000AbCdEAAV'));
      const { update, create } = tabsApi(3, [3, 7]);
      tabsShowing({ 3: 'chrome-extension://leadlens/sidepanel.html', 7: DEMO_ORG_RECORD('00Q5e00000AbCdEAAV') });
      await openRecordInCrmTab('salesforce', '00Q000000000002');
      expect(update).toHaveBeenCalledWith(7, { url: DEMO_ORG_RECORD('00Q000000000002'), active: true });
      expect(create).not.toHaveBeenCalled();
    });

    it('is never opened in a new tab, where its made-up address is a stranger’s org or portal, nor in a tab of another org', async () => {
      await afterScoringInTab7();
      const { update, create } = tabsApi(3, [3, 7]);
      tabsShowing({ 3: 'https://example.com/', 7: SALESFORCE_RECORD });
      await expect(openRecordInCrmTab('salesforce', '00Q000000000002')).rejects.toThrow(NO_PAGE);
      tabsShowing({});
      await expect(openRecordInCrmTab('hubspot', '1501')).rejects.toThrow('This is a demo lead, made up for Demo mode: it has no HubSpot page to open.');
      expect(update).not.toHaveBeenCalled();
      expect(create).not.toHaveBeenCalled();
    });

    it('is not opened in the org LeadLens synced from, though that has the demo org’s address: it is a real one', async () => {
      await remember({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields: {} }, 7, DEMO_ORG_RECORD('00Q5e00000AbCdEAAV'));
      await db.settings.put({ key: syncStateKey('salesforce'), value: { ...INITIAL_SYNC_STATE, status: 'done', account: { id: 'leadlens-demo.my.salesforce.com', name: 'leadlens-demo' } } });
      const { update, create } = tabsApi(7, [7]);
      tabsShowing({ 7: DEMO_ORG_RECORD('00Q5e00000AbCdEAAV') });
      await expect(openRecordInCrmTab('salesforce', '00Q000000000002')).rejects.toThrow(NO_PAGE);
      expect(update).not.toHaveBeenCalled();
      expect(create).not.toHaveBeenCalled();
    });
  });

  describe('a synced lead, in the org or portal it was synced from', () => {
    afterEach(() => db.leads.clear().then(() => db.settings.clear()));

    async function syncedFrom(crm: CrmKind, account: string, recordId: string) {
      await db.leads.put(storedLead({ source: crm, id: recordId, origin: 'sync' }));
      await db.settings.put({ key: syncStateKey(crm), value: { ...INITIAL_SYNC_STATE, status: 'done', account: { id: account, name: account } } });
    }

    it('not in the org of the last page scored: a sandbox seen before production was connected', async () => {
      // Not connected, the sandbox's page set the remembered home; production was connected and synced since.
      await remember({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields: {} }, 7, 'https://acme--uat.sandbox.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEAAV/view');
      await syncedFrom('salesforce', 'acme.my.salesforce.com', '00Q000000000002');
      const { create } = tabsApi(undefined, []);
      await openRecordInCrmTab('salesforce', '00Q000000000002');
      expect(create).toHaveBeenCalledWith({ url: target });
      // A lead from a file says nothing of its org: the remembered home it is.
      await db.leads.put(storedLead({ source: 'salesforce', id: '00Q000000000003', origin: 'csv' }));
      await openRecordInCrmTab('salesforce', '00Q000000000003');
      expect(create).toHaveBeenLastCalledWith({ url: 'https://acme--uat.sandbox.lightning.force.com/lightning/r/Lead/00Q000000000003/view' });
    });

    it('in its own HubSpot portal, on the host a page of that portal was seen on, and before any page was seen', async () => {
      await syncedFrom('hubspot', '777001', '1501');
      const { create } = tabsApi(undefined, []);
      await openRecordInCrmTab('hubspot', '1501');
      expect(create).toHaveBeenLastCalledWith({ url: 'https://app.hubspot.com/contacts/777001/record/0-1/1501' });
      // Another portal's page, in another data centre, says nothing of where this portal's pages are.
      await remember({ crm: 'hubspot', recordId: '1501', fields: {} }, 7, 'https://app-eu1.hubspot.com/contacts/4242424/record/0-1/1501');
      await openRecordInCrmTab('hubspot', '1501');
      expect(create).toHaveBeenLastCalledWith({ url: 'https://app.hubspot.com/contacts/777001/record/0-1/1501' });
      await remember({ crm: 'hubspot', recordId: '1502', fields: {} }, 7, 'https://app-eu1.hubspot.com/contacts/777001/record/0-1/1502');
      await openRecordInCrmTab('hubspot', '1501');
      expect(create).toHaveBeenLastCalledWith({ url: 'https://app-eu1.hubspot.com/contacts/777001/record/0-1/1501' });
    });

    it('in the connected HubSpot portal, on the host its account details named, before any page of it was seen', async () => {
      await syncedFrom('hubspot', '777001', '1501');
      const connect = (account: { id: string; uiDomain?: string }) =>
        writeConnection({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-0123456789' }, timeoutSeconds: 30, account: { name: `HubSpot portal ${account.id}`, ...account } });
      await remember({ crm: 'hubspot', recordId: '1501', fields: {} }, 7, 'https://app-eu1.hubspot.com/contacts/4242424/record/0-1/1501');
      const { create } = tabsApi(undefined, []);
      await connect({ id: '777001', uiDomain: 'app-na2.hubspot.com' });
      await openRecordInCrmTab('hubspot', '1501');
      expect(create).toHaveBeenLastCalledWith({ url: 'https://app-na2.hubspot.com/contacts/777001/record/0-1/1501' });
      // Another portal's host is not this one's; a connection checked by an older LeadLens names none.
      for (const account of [{ id: '4242424', uiDomain: 'app-na2.hubspot.com' }, { id: '777001' }]) {
        await connect(account);
        await openRecordInCrmTab('hubspot', '1501');
        expect(create, JSON.stringify(account)).toHaveBeenLastCalledWith({ url: 'https://app.hubspot.com/contacts/777001/record/0-1/1501' });
      }
    });

    it('of a portal HubSpot would not name, in the portal seen last: its id is unknown', async () => {
      await syncedFrom('hubspot', '', '1501');
      tabsApi(undefined, []);
      await expect(openRecordInCrmTab('hubspot', '1501')).rejects.toThrow('LeadLens does not know your HubSpot address yet: open any lead there once');
      await remember({ crm: 'hubspot', recordId: '1501', fields: {} }, 7, 'https://app.hubspot.com/contacts/4242424/record/0-1/1501');
      const { create } = tabsApi(undefined, []);
      await openRecordInCrmTab('hubspot', '1501');
      expect(create).toHaveBeenLastCalledWith({ url: 'https://app.hubspot.com/contacts/4242424/record/0-1/1501' });
    });
  });
});

describe('explainInFull', () => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  const manifest = parsed.manifest;
  const created = manifest.features.findIndex((feature) => feature.key === 'days_since_created');
  const HOUR = 3_600_000;
  const t0 = Date.UTC(2026, 2, 1, 9);

  /** A stand-in engine whose probability grows with the days since the lead was created, and a cache that keeps `scoredAt`. */
  function setup() {
    const cache = new Map<string, CachedScoreEntry>();
    let clock = t0;
    const deps: ScoringDeps = {
      activeManifest: async () => manifest,
      runModel: async (_id, rows) => ({ probability: [Math.min(0.9, 0.05 + 0.1 * rows[created])], contributions: [new Float32Array(manifest.terms.length)] }),
      cache: { get: async (key) => cache.get(key), put: async (key, entry) => void cache.set(key, { ...entry, scoredAt: clock }) },
      now: () => new Date(clock),
      staleAfterMs: 24 * HOUR,
    };
    return { deps, advance: (ms: number) => void (clock += ms) };
  }
  // created 12 h before the badge scores it: 0 days then, 1 day 20 h later
  const lead = { crm: 'hubspot' as const, recordId: '1501', fields: { createdate: new Date(t0 - 12 * HOUR).toISOString() } };

  /** The side panel's explanation of a lead that has fields to score. */
  async function explained(...args: Parameters<typeof explainInFull>) {
    const outcome = await explainInFull(...args);
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome.lead;
  }

  it('scores the badge’s cached fields as of the badge’s score, so both agree while it is fresh', async () => {
    const { deps, advance } = setup();
    const badge = await scoreLead(lead, deps);
    if (!badge.ok) throw new Error(badge.error);
    advance(20 * HOUR);
    const panel = await explained(lead, 'A lead', { ...deps, manifest });
    // Every field of the badge's score the panel shows: probability, score, tier, reasons, base rate, features known…
    const { modelCreatedAt: _modelCreatedAt, modelDatedByData: _modelDatedByData, ...shown } = badge.lead;
    expect(panel).toMatchObject(shown);
  });

  it('is refused for a value out of range, as the badge’s score is', async () => {
    const { deps } = setup();
    const badge = await scoreLead(lead, deps);
    if (!badge.ok) throw new Error(badge.error);
    const panel = await explained(lead, 'A lead', { ...deps, manifest });
    const openLeadReply = (changed: object) => leadsProtocol.openLead.output.safeParse({ ok: true, reading: false, lead: { ...panel, ...changed } });
    expect(openLeadReply({}).success).toBe(true);
    const outOfRange = [{ baseRate: 1.5 }, { probability: 1.2 }, { score: 100 }, { tiers: { hot: 1.5, warm: 0.1 } }, { featuresKnown: -1 }];
    for (const changed of outOfRange) {
      expect(ScoredLeadSchema.safeParse({ ...badge.lead, ...changed }).success, JSON.stringify(changed)).toBe(false);
      expect(openLeadReply(changed).success, JSON.stringify(changed)).toBe(false);
    }
  });

  it('carries the thresholds it was tiered by, as the badge does, to the side panel', async () => {
    const { deps } = setup();
    // A new tier policy: the panel must not word the lead by the thresholds of a manifest it read before.
    const retiered = { ...manifest, tiers: { ...manifest.tiers, hot: 0.4, warm: 0.1 } };
    const badge = await scoreLead(lead, { ...deps, activeManifest: async () => retiered });
    if (!badge.ok) throw new Error(badge.error);
    const reply = leadsProtocol.openLead.output.parse({ ok: true, reading: false, lead: await explained(lead, 'A lead', { ...deps, manifest: retiered }) });
    expect(reply.ok && reply.lead?.tiers).toEqual({ hot: 0.4, warm: 0.1 });
    expect(reply.ok && reply.lead?.tiers).toEqual(badge.lead.tiers);
  });

  it('words the numbers as the page shows them, in the reasons as the badge does and for the comparison with the ideal', async () => {
    const feature = (key: string) => manifest.features.findIndex((f) => f.key === key);
    // A German HubSpot page: an amount in euros, a range of employees (read as 1200000 and 5).
    const german = { ...lead, fields: { ...lead.fields, annualrevenue: '€1.200.000', numemployees: '5-25', hs_analytics_num_visits: '3' }, locale: 'de-DE' };
    const reasonValue = (reasons: { label: string; value: string }[], label: string) => reasons.find((reason) => reason.label === label)?.value;
    for (const badgeFirst of [true, false]) {
      const { deps } = setup();
      const badge = badgeFirst ? await scoreLead(german, deps) : null;
      if (badge && !badge.ok) throw new Error(badge.error);
      const reply = leadsProtocol.openLead.output.parse({ ok: true, reading: false, lead: await explained(german, 'A lead', { ...deps, manifest }) });
      if (!reply.ok || !reply.lead) throw new Error('the lead should be explained');
      const panel = reply.lead;
      // From the badge's cached fields (asked for the same page fields and locale), or read anew: the same words.
      if (badge?.ok) expect(panel.reasons).toEqual(badge.lead.reasons);
      expect(reasonValue(panel.reasons, 'Annual revenue')).toBe('€1.200.000');
      expect(panel.row[feature('annual_revenue')]).toBe(1200000);
      // Only the numbers written otherwise than as plain numbers: "3" visits and all the rest are worded as the model's.
      expect(panel.valuesAsWritten).toHaveLength(manifest.features.length);
      expect(Object.fromEntries(panel.valuesAsWritten.flatMap((value, f) => (value === null ? [] : [[manifest.features[f].key, value]])))).toEqual({
        annual_revenue: '€1.200.000',
        employees: '5-25',
      });
    }
  });

  it('tells which features’ fields were read: those the page shows (empty or not) when the record is not read, every one when it is but those the record left out', async () => {
    const feature = (key: string) => manifest.features.findIndex((f) => f.key === key);
    const readOf = (panel: { fieldsRead: boolean[] }) => manifest.features.flatMap((f, i) => (panel.fieldsRead[i] ? [f.key] : []));
    // The page shows when it was created and its visits, none yet ("" as HubSpot's "--" reads), not its page views.
    const onPage = { ...lead, fields: { ...lead.fields, hs_analytics_num_visits: '' } };
    // As HubSpot reads a contact: every property asked for that it has, null when empty.
    const record = { ...Object.fromEntries(fieldsRead(manifest.features, 'hubspot').map((name) => [name, null])), hs_analytics_num_visits: '25', hs_analytics_num_page_views: '60' };
    // A property archived since: HubSpot leaves it out.
    const { hs_analytics_num_page_views: _archived, ...withoutPageViews } = record;
    const fetchRecord = vi.fn<NonNullable<ScoringDeps['fetchRecord']>>(async () => record);
    const everyFeature = manifest.features.map((f) => f.key);
    const onPageOnly = ['days_since_created', 'web_visits'];
    const cases = [
      { what: 'not connected', fetch: undefined, read: onPageOnly },
      { what: 'record read', fetch: fetchRecord, read: everyFeature },
      { what: 'record read, a property archived', fetch: async () => withoutPageViews, read: everyFeature.filter((key) => key !== 'page_views') },
      { what: 'record gone', fetch: async () => null, read: onPageOnly },
      { what: 'read failed', fetch: async () => Promise.reject(new Error('HubSpot answered 503')), read: onPageOnly },
    ];
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const { what, fetch, read } of cases) {
      for (const badgeFirst of [false, true]) {
        const { deps } = setup();
        const withFetch = { ...deps, fetchRecord: fetch };
        if (badgeFirst) expect((await scoreLead(onPage, withFetch)).ok).toBe(true);
        const reply = leadsProtocol.openLead.output.parse({ ok: true, reading: false, lead: await explained(onPage, 'A lead', { ...withFetch, manifest }) });
        if (!reply.ok || !reply.lead) throw new Error('the lead should be explained');
        const panel = reply.lead;
        expect(panel.fieldsRead, `${what}, badge first: ${badgeFirst}`).toHaveLength(manifest.features.length);
        // Read from the page, the empty visits were read and the page views were not, though both are null in the row.
        expect(readOf(panel), `${what}, badge first: ${badgeFirst}`).toEqual(read);
        if (read === onPageOnly) expect([panel.row[feature('web_visits')], panel.row[feature('page_views')]]).toEqual([null, null]);
      }
    }
    // The panel explained the badge's cached fields: the record was read once, by the badge.
    expect(fetchRecord).toHaveBeenCalledTimes(2);
  });

  describe('when the CRM did not answer the badge, then answers the side panel', () => {
    // The record says the lead was created 5 days before: far hotter than the page's 12 hours.
    const record = { createdate: new Date(t0 - 5 * 24 * HOUR).toISOString() };
    /**
     * A CRM that does not answer the first read (the badge's), then does; CRM tabs that hear what
     * they are told: the lead's, 7, whose side panel asks, and two others (list views, other records).
     */
    function crmAnsweringLate(deps: ScoringDeps) {
      let reads = 0;
      const fetchRecord: ScoringDeps['fetchRecord'] = async () => {
        if (reads++ === 0) throw new Error('HubSpot did not answer in time');
        return record;
      };
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      vi.spyOn(fakeBrowser.tabs, 'query').mockResolvedValue([{ id: 7 }, { id: 8 }, { id: 9 }] as never);
      const told = vi.fn(async () => undefined);
      fakeBrowser.tabs.sendMessage = told as never;
      return { deps: { ...deps, fetchRecord }, told };
    }
    const scoresChanged = expect.objectContaining({ target: 'event', type: 'scoresChanged', payload: { crm: 'hubspot' } });

    it('caches the panel’s score as the badge’s and tells the lead’s tab alone, so its badge scores again to the same', async () => {
      const { deps, told } = crmAnsweringLate(setup().deps);
      const badge = await scoreLead(lead, deps);
      if (!badge.ok) throw new Error(badge.error);
      const panel = await explained(lead, 'A lead', { ...deps, manifest }, 7);
      expect(panel.probability).toBeCloseTo(0.55, 6);
      expect(badge.lead.probability).not.toBeCloseTo(panel.probability, 6);
      // Every other tab's list would ask again for every row it shows, and each badge score again.
      expect(told.mock.calls).toEqual([[7, scoresChanged]]);
      // The badge, told, scores again: the panel's score, what would make it hotter included, without reading the CRM a third time.
      const again = await scoreLead(lead, { ...deps, fetchRecord: async () => Promise.reject(new Error('not to be read')) });
      if (!again.ok) throw new Error(again.error);
      const { modelCreatedAt: _modelCreatedAt, modelDatedByData: _modelDatedByData, ...shown } = again.lead;
      expect(panel).toMatchObject(shown);
      expect(again.lead).toEqual(await scoreLead(lead, { ...setup().deps, fetchRecord: async () => record }).then((outcome) => outcome.ok && outcome.lead));
    });

    it('tells no tab when nothing could be kept (another org’s page), which would have the badge and panel ask again without end', async () => {
      const { deps, told } = crmAnsweringLate({ ...setup().deps, cache: { get: async () => undefined, put: async () => undefined } });
      await scoreLead(lead, deps);
      expect((await explained(lead, 'A lead', { ...deps, manifest }, 7)).probability).toBeCloseTo(0.55, 6);
      expect(told).not.toHaveBeenCalled();
    });

    it('tells the lead’s tab alone when the panel asks while the badge still waits on the CRM: other tabs’ lists and badges ask for nothing', async () => {
      const { deps, told } = crmAnsweringLate(setup().deps);
      let answerBadge!: () => void;
      const badgeAnswered = new Promise<void>((resolve) => (answerBadge = resolve));
      const badge = scoreLead(lead, { ...deps, fetchRecord: async () => badgeAnswered.then(() => record) });
      const panel = await explained(lead, 'A lead', { ...deps, fetchRecord: async () => record, manifest }, 7);
      answerBadge();
      expect((await badge).ok).toBe(true);
      expect(panel.probability).toBeCloseTo(0.55, 6);
      expect(told.mock.calls).toEqual([[7, scoresChanged]]);
    });
  });

  it('takes a value as written up to its clipped length, as a reason shows it', () => {
    const longest = valueAsShown('1,200 employees and more '.repeat(10));
    expect(longest).toHaveLength(MAX_VALUE_CHARS);
    expect(OpenLeadSchema.shape.valuesAsWritten.parse([longest, null])).toEqual([longest, null]);
    expect(OpenLeadSchema.shape.valuesAsWritten.safeParse([`${longest}x`]).success).toBe(false);
  });

  it('scores as of now once the badge’s score is stale', async () => {
    const { deps, advance } = setup();
    await scoreLead(lead, deps);
    advance(36 * HOUR); // 2 days since created
    expect((await explained(lead, 'A lead', { ...deps, manifest })).probability).toBeCloseTo(0.25, 6);
  });

  it('refuses a lead with no field it can read, in the badge’s words, without running the model', async () => {
    const { deps } = setup();
    const runModel = vi.fn(deps.runModel);
    const unreadable = { ...lead, fields: { Name: 'Ada Lovelace' } }; // a name, but no field the model reads
    const badge = await scoreLead(unreadable, { ...deps, runModel });
    expect(badge).toEqual({ ok: false, error: NO_READABLE_FIELDS });
    expect(await explainInFull(unreadable, 'Ada Lovelace', { ...deps, runModel, manifest })).toEqual(badge);
    expect(runModel).not.toHaveBeenCalled();
  });

  it('refuses a lead the model gives no contribution for (null from the offscreen engine), in the badge’s words', async () => {
    const { deps } = setup();
    const runModel: ScoringDeps['runModel'] = async () => ({ probability: [0.4], contributions: [[null, ...new Array<number>(manifest.terms.length - 1).fill(0)]] });
    const badge = await scoreLead(lead, { ...deps, runModel });
    expect(badge).toEqual({ ok: false, error: MODEL_GAVE_NO_SCORE });
    expect(await explainInFull(lead, 'A lead', { ...deps, runModel, manifest })).toEqual(badge);
  });
});
