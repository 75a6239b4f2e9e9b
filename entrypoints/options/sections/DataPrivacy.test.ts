// @vitest-environment happy-dom
/**
 * What is stored, per source, with Demo mode's leads apart. "Purge everything": asked first, with the focus on Cancel; once confirmed it cannot be
 * cancelled, and while the background waits for the running jobs to stop, a status line says
 * so; what came of it takes the focus.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '@/lib/db/db';
import type { FieldsLeftInCrm } from '@/lib/messaging/protocol-privacy';
import { focusedMessage, pressEnter, render, waitFor, type Rendered } from '@/test/render';
import { storedLead } from '@/test/fixtures/stored-lead';
import { DataPrivacySection } from './DataPrivacy';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { recordPurge } from '@/lib/jobs/progress';
import { privacyProtocol } from '@/lib/messaging/protocol-privacy';
import { createClient } from '@/lib/messaging/rpc';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
type PurgeReply = { ok: true; grantLeftLive?: string; fieldsLeftInCrm?: FieldsLeftInCrm } | { ok: false; error: string };
const purgeEverything = vi.hoisted(() => vi.fn<(request: object) => Promise<PurgeReply>>());
// Any message starts a stopped worker again: `connectionStatus` is the one the page sends for that.
const connectionStatus = vi.hoisted(() => vi.fn(async () => ({ ok: true as const, connections: [] })));
vi.mock('@/lib/messaging/client', () => ({ background: { purgeEverything, connectionStatus } }));

const PURGE_FAILED = 'A sync, write-back, CSV import or the scoring of stored leads did not stop within 60 s, so nothing was deleted: try again';

/** The background's answer, given when the test says (the purge waits for running jobs to stop). */
let answer: (reply: PurgeReply) => void;
let rendered: Rendered | undefined;
beforeEach(async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
  purgeEverything.mockReset().mockImplementation(() => new Promise((resolve) => (answer = resolve)));
  connectionStatus.mockClear();
  fakeBrowser.reset();
  // happy-dom has no storage estimate; the section shows the space used.
  Object.defineProperty(navigator, 'storage', { value: { estimate: async () => ({ usage: 0 }) }, configurable: true });
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  document.body.replaceChildren();
});

function renderSection(): HTMLElement {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(DataPrivacySection)));
  return rendered.container;
}

const button = (container: HTMLElement, name: string) =>
  Array.from(container.querySelectorAll('button')).find((b) => b.textContent === name) ?? null;

/** Opens the question and confirms it, as a keyboard user does. */
async function confirmPurge(container: HTMLElement) {
  pressEnter(await waitFor(() => button(container, 'Purge everything…')));
  pressEnter(button(container, 'Yes, purge everything')!);
}

describe('What is stored here', () => {
  it('counts demo leads apart, not as leads from Salesforce or HubSpot', async () => {
    // Demo mode stores its leads under both CRMs' keys, beside leads synced from them and imported from CSV.
    await db.putLeads([
      ...['d1', 'd2', 'd3'].map((id) => storedLead({ source: 'salesforce', id, origin: 'demo' })),
      ...['d1', 'd2'].map((id) => storedLead({ source: 'hubspot', id, origin: 'demo' })),
      storedLead({ source: 'salesforce', id: '00QA', origin: 'sync' }),
      storedLead({ source: 'csv', id: 'row-1', origin: 'csv' }),
    ]);
    const container = renderSection();
    const list = await waitFor(() => container.querySelector('[data-testid="stored-data"]'));
    expect(Array.from(list.querySelectorAll('li'), (line) => line.textContent).slice(0, 4)).toEqual([
      'Leads from Salesforce: 1',
      'Leads from HubSpot: 0',
      'Leads from CSV imports: 1',
      'Demo leads: 5',
    ]);
    // Chrome's estimate counts deleted records until it compacts its files (it grew after a purge): said, so no admin reads it as data kept.
    expect(list.lastElementChild!.textContent).toBe('Space used: 0.0 MB on disk, deleted data included until the browser compacts its files, in its own time');
  });
});

/** The status line or error that has the focus, once its text matches `text`. */
describe('Purge everything', () => {
  it('asks first with the focus on Cancel, the safe choice; Cancel puts the focus back and purges nothing', async () => {
    const container = renderSection();
    pressEnter(await waitFor(() => button(container, 'Purge everything…')));
    const question = container.querySelector('[role="group"][aria-label="Confirm purge"]')!;
    expect(question.textContent).toMatch(
      /deletes every lead, score, model, setting and connection stored in this browser\. It deletes nothing in Salesforce or HubSpot: the scores write-back wrote to CRM fields stay there until you empty those fields in the CRM\. It keeps only the names of those fields, so that a new model never learns from the scores still in them\. It cannot be undone\./,
    );
    expect(document.activeElement).toBe(button(container, 'Cancel'));

    pressEnter(button(container, 'Cancel')!);
    expect(container.querySelector('[role="group"]')).toBeNull();
    expect(document.activeElement).toBe(button(container, 'Purge everything…'));
    expect(purgeEverything).not.toHaveBeenCalled();
  });

  it('offers no Cancel while it waits for the running jobs, says what it waits for, then says it is done where the focus goes', async () => {
    const container = renderSection();
    await confirmPurge(container);
    const waiting = await focusedMessage(/^Purging: first stopping any running sync, write-back or CSV import and pausing the scoring of stored leads/);
    expect(waiting.getAttribute('role')).toBe('status');
    expect(button(container, 'Cancel')).toBeNull();
    expect(button(container, 'Purge everything…')?.disabled).toBe(true);
    expect(purgeEverything).toHaveBeenCalledTimes(1);

    await act(async () => answer({ ok: true }));
    const done = await focusedMessage(/^Everything LeadLens stored has been deleted\.$/);
    expect(done.getAttribute('role')).toBe('status');
    expect(container.textContent).not.toMatch(/Purging:/);
    expect(button(container, 'Purge everything…')?.disabled).toBe(false);
  });

  it('says with its result that a Salesforce sign-in it could not end is still live, and where to revoke it', async () => {
    const grantLeftLive = "Salesforce at acme.my.salesforce.com could not be told to end LeadLens's sign-in (offline?): an admin can revoke it under Setup → Connected Apps OAuth Usage";
    const container = renderSection();
    await confirmPurge(container);
    await focusedMessage(/^Purging:/);
    await act(async () => answer({ ok: true, grantLeftLive }));
    const done = await focusedMessage(/^Everything LeadLens stored has been deleted\./);
    expect(done.textContent).toBe(`Everything LeadLens stored has been deleted. ${grantLeftLive}.`);
    expect(done.getAttribute('role')).toBe('status');
  });

  it('says with its result which CRM fields still hold the scores write-back wrote, which LeadLens does not delete, then a sign-in left live', async () => {
    const grantLeftLive = "Salesforce at acme.my.salesforce.com could not be told to end LeadLens's sign-in (offline?): an admin can revoke it under Setup → Connected Apps OAuth Usage";
    const container = renderSection();
    await confirmPurge(container);
    await focusedMessage(/^Purging:/);
    const fieldsLeftInCrm: FieldsLeftInCrm = [
      { crm: 'salesforce', fields: ['AI_Score__c', 'AI_Reason__c'] },
      { crm: 'hubspot', fields: ['leadlens_score'] },
    ];
    await act(async () => answer({ ok: true, fieldsLeftInCrm, grantLeftLive }));
    const done = await focusedMessage(/^Everything LeadLens stored has been deleted\./);
    expect(done.textContent).toBe(
      'Everything LeadLens stored has been deleted. The Salesforce fields AI_Score__c and AI_Reason__c, and the HubSpot field leadlens_score, still hold the scores LeadLens wrote there, unless emptied since. ' +
        `LeadLens does not delete data in your CRM: to remove those scores, empty those fields in Salesforce or HubSpot. ${grantLeftLive}.`,
    );
  });

  it('names the one CRM field left holding scores as one', async () => {
    const container = renderSection();
    await confirmPurge(container);
    await focusedMessage(/^Purging:/);
    await act(async () => answer({ ok: true, fieldsLeftInCrm: [{ crm: 'hubspot', fields: ['leadlens_score'] }] }));
    const done = await focusedMessage(/^Everything LeadLens stored has been deleted\./);
    expect(done.textContent).toBe(
      'Everything LeadLens stored has been deleted. The HubSpot field leadlens_score still holds the scores LeadLens wrote there, unless emptied since. LeadLens does not delete data in your CRM: to remove those scores, empty that field in HubSpot.',
    );
  });

  it('names the fields written in an org or portal connected before apart from the connected one’s, and each CRM once where to empty them', async () => {
    const container = renderSection();
    await confirmPurge(container);
    await focusedMessage(/^Purging:/);
    const fieldsLeftInCrm: FieldsLeftInCrm = [
      { crm: 'salesforce', fields: ['AI_Score__c'] },
      { crm: 'salesforce', fields: ['AI_Score__c', 'AI_Tier__c'], inOrgConnectedBefore: true },
      { crm: 'hubspot', fields: ['leadlens_score'], inOrgConnectedBefore: true },
    ];
    await act(async () => answer({ ok: true, fieldsLeftInCrm }));
    const done = await focusedMessage(/^Everything LeadLens stored has been deleted\./);
    expect(done.textContent).toBe(
      'Everything LeadLens stored has been deleted. The Salesforce field AI_Score__c, and the fields AI_Score__c and AI_Tier__c in a Salesforce org connected before, and the field leadlens_score in a HubSpot portal connected before, ' +
        'still hold the scores LeadLens wrote there, unless emptied since. LeadLens does not delete data in your CRM: to remove those scores, empty those fields in Salesforce or HubSpot.',
    );
  });

  it('says why nothing was deleted where the focus goes', async () => {
    const container = renderSection();
    await confirmPurge(container);
    await focusedMessage(/^Purging:/);
    await act(async () => answer({ ok: false, error: PURGE_FAILED }));
    const said = await focusedMessage(/did not stop within 60 s, so nothing was deleted/);
    expect(said.querySelector('[role="alert"]')?.textContent).toBe(PURGE_FAILED);
    expect(container.textContent).not.toMatch(/has been deleted/);
  });

  it('leaves the focus where the admin put it while the purge waited', async () => {
    const container = renderSection();
    await confirmPurge(container);
    await focusedMessage(/^Purging:/);
    const elsewhere = document.body.appendChild(document.createElement('button'));
    act(() => elsewhere.focus());
    await act(async () => answer({ ok: true }));
    await waitFor(() => Array.from(container.querySelectorAll('[role="status"]')).find((line) => /has been deleted/.test(line.textContent ?? '')));
    expect(document.activeElement).toBe(elsewhere);
  });
});

describe('Purge everything, when Chrome stopped the background before it answered', () => {
  /** Chrome's rejection then (`ServiceWorker.stopAllWorkers` in the e2e). */
  const CHANNEL_CLOSED = 'A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received';
  /** The page's own client for the purge, over a `runtime.sendMessage` that Chrome rejects so, once `meanwhile` (what the background did before it was stopped) is done. */
  const stoppedBeforeAnswering = (meanwhile: () => Promise<unknown>) => async () => {
    await meanwhile();
    vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockRejectedValueOnce(new Error(CHANNEL_CLOSED));
    return createClient(privacyProtocol, 'background').purgeEverything({});
  };

  it('says everything was deleted once the next worker, started by the page, finished the purge cut short', async () => {
    // Cut short deleting: its mark stays.
    purgeEverything.mockImplementation(stoppedBeforeAnswering(() => fakeBrowser.storage.local.set({ 'purge-pending': true })));
    // The next worker finishes it as it starts (`finishUnfinishedPurge`), a while later.
    connectionStatus.mockImplementation(async () => {
      setTimeout(() => void recordPurge().then(() => fakeBrowser.storage.local.remove('purge-pending')), 600);
      return { ok: true, connections: [] };
    });
    const container = renderSection();
    await confirmPurge(container);
    const done = await focusedMessage(/has been deleted/);
    expect(done.getAttribute('role')).toBe('status');
    expect(done.textContent).toBe(
      "Everything LeadLens stored has been deleted. LeadLens's background stopped before it answered, so it cannot say which CRM fields still hold scores write-back wrote: any there stay until you empty those fields in the CRM. Nor whether Salesforce ended LeadLens's sign-in: if Salesforce was connected, check it under Setup → Connected Apps OAuth Usage.",
    );
    expect(connectionStatus).toHaveBeenCalledTimes(1);
  });

  it('says nothing was deleted when the purge had not begun deleting', async () => {
    purgeEverything.mockImplementation(stoppedBeforeAnswering(async () => undefined));
    const container = renderSection();
    await confirmPurge(container);
    const said = await focusedMessage(/nothing was deleted/);
    expect(said.querySelector('[role="alert"]')?.textContent).toBe("LeadLens's background stopped before the purge began, so nothing was deleted: purge again.");
    expect(container.textContent).not.toMatch(/has been deleted|message channel closed/);
  });
});
