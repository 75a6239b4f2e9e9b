import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recognisePage } from '../crm/adapters';
import type { CrmKind } from '../crm/types';
import { db } from '../db/db';
import { crmHomeOf, displayName, openRecordInCrmTab, recordUrl, rememberedLeadOf, rememberOpenLead } from './open-lead';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const SALESFORCE_RECORD = 'https://acme.lightning.force.com/lightning/r/Lead/00Q5e00000AbCdEAAV/view';
const HUBSPOT_RECORD = 'https://app.hubspot.com/contacts/4242424/record/0-1/1501';
const LIST_PAGE = 'https://acme.lightning.force.com/lightning/o/Lead/list';

/** Tabs showing these URLs, as `webNavigation.getFrame` reports their top frames (LeadLens has no `tabs` permission). */
function tabsShowing(urls: Record<number, string>) {
  fakeBrowser.webNavigation.getFrame = vi.fn(async ({ tabId }: { tabId: number }) => (urls[tabId] ? { url: urls[tabId] } : null)) as never;
}

const sender = (tabId: number, url: string) => ({ tab: { id: tabId, url } }) as unknown as Browser.runtime.MessageSender;

beforeEach(() => fakeBrowser.reset());
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
    await rememberOpenLead(lead, sender(7, SALESFORCE_RECORD));
    tabsShowing({ 7: SALESFORCE_RECORD });
    expect(await rememberedLeadOf(7)).toEqual(lead);
    tabsShowing({ 7: LIST_PAGE });
    expect(await rememberedLeadOf(7)).toBeNull();
    expect(await rememberedLeadOf(8)).toBeNull();
  });

  it('remembers nothing for a message that did not come from a tab', async () => {
    await rememberOpenLead(lead, {} as Browser.runtime.MessageSender);
    tabsShowing({ 7: SALESFORCE_RECORD });
    expect(await rememberedLeadOf(7)).toBeNull();
  });

  it('is named after the stored lead, else the page fields, else its id', async () => {
    await db.leads.clear();
    expect(await displayName(lead)).toBe('Ada Lovelace');
    expect(await displayName({ crm: 'hubspot', recordId: '9', fields: { firstname: 'Grace', lastname: 'Hopper' } })).toBe('Grace Hopper');
    expect(await displayName({ ...lead, fields: {} })).toBe(`Lead ${lead.recordId}`);
    await db.leads.put({
      key: `salesforce|${lead.recordId}`, source: 'salesforce', id: lead.recordId, origin: 'sync', name: 'Ada King',
      owner: '', leadSource: '', createdAt: 0, modifiedAt: 0, outcome: null, fields: {},
    });
    expect(await displayName(lead)).toBe('Ada King');
  });
});

describe('openRecordInCrmTab', () => {
  const target = recordUrl('salesforce', '00Q000000000002', { origin: 'https://acme.lightning.force.com' });

  /** The CRM home is learnt from the first scored record page; tab 7 is that CRM tab. */
  async function afterScoringInTab7() {
    await rememberOpenLead({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields: {} }, sender(7, SALESFORCE_RECORD));
  }

  function tabsApi(activeTabId: number | undefined, existingTabIds: number[]) {
    vi.spyOn(fakeBrowser.tabs, 'query').mockResolvedValue((activeTabId === undefined ? [] : [{ id: activeTabId }]) as never);
    vi.spyOn(fakeBrowser.tabs, 'get').mockImplementation(async (id: number) => {
      if (!existingTabIds.includes(id)) throw new Error(`No tab with id: ${id}`);
      return { id } as never;
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

  it('else brings the CRM tab used last to the front', async () => {
    await afterScoringInTab7();
    const { update } = tabsApi(3, [3, 7]);
    tabsShowing({ 3: 'https://example.com/', 7: SALESFORCE_RECORD });
    await openRecordInCrmTab('salesforce', '00Q000000000002');
    expect(update).toHaveBeenCalledWith(7, { url: target, active: true });
  });

  it('else opens a new tab', async () => {
    await afterScoringInTab7();
    const { update, create } = tabsApi(undefined, []);
    tabsShowing({});
    await openRecordInCrmTab('salesforce', '00Q000000000002');
    expect(create).toHaveBeenCalledWith({ url: target });
    expect(update).not.toHaveBeenCalled();
  });
});
