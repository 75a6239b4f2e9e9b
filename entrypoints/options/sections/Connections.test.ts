// @vitest-environment happy-dom
/**
 * The Connections section: a mistyped host, API version or token is said in words beside its
 * form before anything is asked or sent; the HubSpot token is not kept by the page once sent;
 * one action's old error does not stay beside a later action's success; a connection needing
 * reconnecting is offered to be connected the same way again (sign-in and API version); a connect
 * that would remove the leads synced from another org or portal says so before the click; a test
 * says that it runs and what it found; the keyboard's focus stays on the page through each action.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { ConnectionReply, ConnectionSummary } from '@/lib/connections/schema';
import type { CrmKind } from '@/lib/crm/types';
import type { SyncSummary } from '@/lib/messaging/protocol-sync';
import { queryKeys } from '@/lib/query-keys';
import { deferred } from '@/test/deferred';
import { click, followLiveRegions, pressEnter, render, type Rendered } from '@/test/render';
import { ConnectionsSection } from './Connections';

type Reply = (ConnectionReply & { ok: true }) | { ok: false; error: string };
const background = vi.hoisted(() => ({
  connectionStatus: vi.fn(),
  connectCrm: vi.fn<(request: unknown) => Promise<Reply>>(),
  testConnection: vi.fn<(request: unknown) => Promise<Reply>>(),
  disconnectCrm: vi.fn(),
  syncStatus: vi.fn(),
}));
const requestPermission = vi.hoisted(() => vi.fn(async () => true));
vi.mock('@/lib/messaging/client', () => ({ background }));
vi.mock('wxt/browser', () => ({ browser: { permissions: { request: requestPermission } } }));

const CONNECTED: ConnectionReply = { crm: 'salesforce', status: 'connected', host: 'acme.my.salesforce.com', message: 'Connected to Salesforce at acme.my.salesforce.com' };
const TOKEN = 'pat-na1-0123456789abcdef';
const HUBSPOT_DISCONNECTED: ConnectionSummary = { crm: 'hubspot', status: 'disconnected', host: '', message: 'Not connected', settings: null };
const statusOf = (...connections: ConnectionSummary[]) => ({ ok: true, connections });
type Account = SyncSummary['syncedFrom'];
const ACME_ORG: Account = { id: 'acme.my.salesforce.com', name: 'acme.my.salesforce.com' };
const ACME_PORTAL: Account = { id: '4242424', name: 'Acme' };
/** The Sync section's summaries, with `stored` leads synced from each CRM, from `syncedFrom`'s org and portal. */
const syncsStoring = (stored: Record<CrmKind, number>, syncedFrom: Record<CrmKind, Account> = { salesforce: ACME_ORG, hubspot: ACME_PORTAL }) => ({
  ok: true,
  syncs: (['salesforce', 'hubspot'] as const).map((crm) => ({
    crm,
    status: 'done',
    synced: 0,
    remaining: null,
    stored: stored[crm],
    error: null,
    lastRun: null,
    leftOut: null,
    endedAt: null,
    syncedFrom: syncedFrom[crm],
  })),
  autoSync: { everyMinutes: null, nextAt: null },
});

let rendered: Rendered | undefined;
let queryClient: QueryClient;
beforeEach(() => {
  background.connectionStatus
    .mockReset()
    .mockResolvedValue(statusOf({ ...CONNECTED, settings: { crm: 'salesforce', apiVersion: '67.0', signIn: { kind: 'session' } } }, HUBSPOT_DISCONNECTED));
  background.connectCrm.mockReset().mockResolvedValue({ ok: true, ...CONNECTED });
  background.testConnection.mockReset();
  background.disconnectCrm.mockReset();
  background.syncStatus.mockReset().mockResolvedValue(syncsStoring({ salesforce: 0, hubspot: 0 }));
  requestPermission.mockClear();
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

const container = () => rendered!.container;
const form = (title: string) => container().querySelector<HTMLFormElement>(`form[aria-labelledby="${title}"]`)!;
const alerts = (within: Element = container()) => Array.from(within.querySelectorAll('[role="alert"]'), (alert) => alert.textContent);

/** Lets the queries and mutations answer and React render, inside act(). */
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 10)));

async function renderSection() {
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(ConnectionsSection)));
  // Until the connections' status is read, as long as a loaded machine takes: both forms are drawn then.
  await vi.waitFor(async () => {
    await settle();
    expect(container().querySelector('input[name="salesforce-host"]') && container().querySelector('input[name="hubspot-token"]')).not.toBeNull();
  });
}

/** A change the way a browser makes it: through the element's own value setter, then the event React listens to. */
function type(name: string, value: string) {
  const input = container().querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

const submit = (title: string) => act(() => void form(title).requestSubmit());

it.each([
  ['the login page as the host', 'salesforce-host', 'https://login.salesforce.com/', 'My Domain host: expected your My Domain host, like acme.my.salesforce.com'],
  ['an API version without ".0"', 'salesforce-api-version', '67', 'API version: expected an API version like 67.0'],
])('says what is wrong with %s beside the form, in words, and asks and sends nothing', async (_what, field, value, message) => {
  await renderSection();
  type(field, value);
  submit('sf-title');
  await settle();
  expect(alerts(form('sf-title'))).toEqual([message]);
  expect(requestPermission).not.toHaveBeenCalled();
  expect(background.connectCrm).not.toHaveBeenCalled();

  // Corrected: sent, and the words are gone.
  type(field, field === 'salesforce-host' ? 'acme.my.salesforce.com' : '67.0');
  submit('sf-title');
  await settle();
  expect(alerts()).toEqual([]);
  expect(background.connectCrm).toHaveBeenCalledWith({ crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '67.0', oauthClientId: undefined });
});

it.each([
  ['a Lightning page', 'https://acme--uat.sandbox.lightning.force.com/lightning/o/Lead/home', 'acme--uat.sandbox.my.salesforce.com'],
  ['a Setup page', 'https://acme.my.salesforce-setup.com/lightning/setup/SetupOneHome/home', 'acme.my.salesforce.com'],
  ['an http address', 'http://acme.my.salesforce.com', 'acme.my.salesforce.com'],
])('connects the org of %s pasted from the address bar through its My Domain host', async (_what, pasted, host) => {
  await renderSection();
  type('salesforce-host', pasted);
  submit('sf-title');
  await settle();
  expect(alerts(form('sf-title'))).toEqual([]);
  expect(background.connectCrm).toHaveBeenCalledWith({ crm: 'salesforce', host, apiVersion: '67.0', oauthClientId: undefined });
});

it('keeps a token refused on the page in its field, to be corrected', async () => {
  await renderSection();
  type('hubspot-token', 'pat-na1');
  submit('hs-title');
  await settle();
  expect(alerts(form('hs-title'))).toEqual(['Access token: expected the whole access token of your private app or service key']);
  expect(container().querySelector<HTMLInputElement>('input[name="hubspot-token"]')!.value).toBe('pat-na1');
  expect(background.connectCrm).not.toHaveBeenCalled();
});

it('refuses a token with a character no token has (a space or an ellipsis pasted inside it) before anything is sent: every request would fail as if offline', async () => {
  await renderSection();
  type('hubspot-token', 'pat-na1-0123456789 abc…def');
  submit('hs-title');
  await settle();
  expect(alerts(form('hs-title'))).toEqual([
    'Access token: a token is letters, digits and signs only: no spaces, line breaks or other characters (was something else pasted with it?)',
  ]);
  expect(background.connectCrm).not.toHaveBeenCalled();
});

// An empty field is stopped by the browser (the field is required), which asks to fill it in; spaces pass that check.
it('asks for the token, and says nothing else, when only spaces are pasted as one', async () => {
  await renderSection();
  type('hubspot-token', '   ');
  submit('hs-title');
  await settle();
  expect(alerts(form('hs-title'))).toEqual(['Access token: paste the access token of your private app or service key']);
  expect(background.connectCrm).not.toHaveBeenCalled();
});

it('says only the first rule a token breaks: one too short is said to be cut, whatever else it has', async () => {
  await renderSection();
  type('hubspot-token', 'pat na1');
  submit('hs-title');
  await settle();
  expect(alerts(form('hs-title'))).toEqual(['Access token: expected the whole access token of your private app or service key']);
});

it('clears what was wrong with one form when another action starts', async () => {
  await renderSection();
  type('hubspot-token', 'pat-na1');
  submit('hs-title');
  await settle();
  expect(alerts(form('hs-title'))).toHaveLength(1);
  // The admin turns to Salesforce instead: the HubSpot form's words go.
  submit('sf-title');
  await settle();
  expect(alerts()).toEqual([]);
});

it('keeps no copy of a token it sent', async () => {
  await renderSection();
  type('hubspot-token', TOKEN);
  submit('hs-title');
  await settle();
  expect(background.connectCrm).toHaveBeenCalledWith({ crm: 'hubspot', token: TOKEN, apiVersion: 'v3' });
  expect(container().querySelector<HTMLInputElement>('input[name="hubspot-token"]')!.value).toBe('');
  // Nothing the page's query client holds (the mutation's variables included) has the token.
  const held = queryClient.getMutationCache().getAll().map((mutation) => mutation.state);
  expect(held).toHaveLength(1);
  expect(JSON.stringify(held)).not.toContain(TOKEN);
});

it('clears an earlier action’s error when another action starts', async () => {
  await renderSection();
  background.testConnection.mockResolvedValue({ ok: false, error: 'Salesforce could not be reached' });
  act(() => container().querySelector<HTMLButtonElement>('[data-testid="test-salesforce"]')!.click());
  await settle();
  expect(alerts()).toEqual(['Salesforce could not be reached']);

  submit('sf-title');
  await settle();
  expect(background.connectCrm).toHaveBeenCalled();
  expect(alerts()).toEqual([]);
});

it('offers to reconnect an OAuth connection needing reconnecting with OAuth, its client id and its API version, not the browser’s session', async () => {
  const clientId = '3MVG9LeadLensDemoClientId';
  background.connectionStatus.mockResolvedValue(
    statusOf(
      { ...CONNECTED, status: 'reconnect', message: 'Salesforce refused the refresh token', settings: { crm: 'salesforce', apiVersion: '65.0', signIn: { kind: 'oauth', clientId } } },
      HUBSPOT_DISCONNECTED,
    ),
  );
  await renderSection();
  expect(container().querySelector('[data-testid="connect-salesforce"]')!.textContent).toBe('Reconnect with OAuth');
  expect(container().querySelector<HTMLInputElement>('input[name="salesforce-sign-in"][value="oauth"]')!.checked).toBe(true);
  expect(container().querySelector<HTMLInputElement>('input[name="salesforce-oauth-client-id"]')!.value).toBe(clientId);
  expect(container().querySelector<HTMLInputElement>('input[name="salesforce-api-version"]')!.value).toBe('65.0');

  submit('sf-title');
  await settle();
  expect(background.connectCrm).toHaveBeenCalledWith({ crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '65.0', oauthClientId: clientId });
});

it('reconnects HubSpot at the API version it was connected with', async () => {
  background.connectionStatus.mockResolvedValue(
    statusOf(
      { crm: 'salesforce', status: 'disconnected', host: '', message: 'Not connected', settings: null },
      { crm: 'hubspot', status: 'reconnect', host: 'api.hubapi.com', message: 'HubSpot refused the token', settings: { crm: 'hubspot', apiVersion: '2026-03' } },
    ),
  );
  await renderSection();
  expect(container().querySelector<HTMLSelectElement>('select[name="hubspot-api-version"]')!.value).toBe('2026-03');
  type('hubspot-token', TOKEN);
  submit('hs-title');
  await settle();
  expect(background.connectCrm).toHaveBeenCalledWith({ crm: 'hubspot', token: TOKEN, apiVersion: '2026-03' });
});

const input = (name: string) => container().querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
/** The text of what `element` is described by (aria-describedby), or null. */
const description = (element: Element) => (element.hasAttribute('aria-describedby') ? (document.getElementById(element.getAttribute('aria-describedby')!)?.textContent ?? '') : null);

it.each([
  ['sf-title', 'salesforce-host', 'https://login.salesforce.com/', 'My Domain host: expected your My Domain host, like acme.my.salesforce.com', 'salesforce-api-version'],
  ['hs-title', 'hubspot-token', 'pat-na1', 'Access token: expected the whole access token of your private app or service key', null],
])('marks the wrong field invalid and describes it by its problem, said beside it (%s)', async (title, field, value, message, otherField) => {
  await renderSection();
  type(field, value);
  submit(title);
  await settle();
  expect(input(field).getAttribute('aria-invalid')).toBe('true');
  expect(description(input(field))).toBe(message);
  // Beside the field: the alert comes right after the field's label.
  expect(input(field).closest('label')!.nextElementSibling?.getAttribute('role')).toBe('alert');
  if (otherField) expect([input(otherField).getAttribute('aria-invalid'), description(input(otherField))]).toEqual([null, null]);

  // Another action starts: the marks go with the words.
  background.testConnection.mockResolvedValue({ ok: true, ...CONNECTED });
  act(() => container().querySelector<HTMLButtonElement>('[data-testid="test-salesforce"]')!.click());
  await settle();
  expect([input(field).getAttribute('aria-invalid'), description(input(field))]).toEqual([null, null]);
});

it('says what is wrong again at each connect refused, even when it is the same', async () => {
  await renderSection();
  type('salesforce-api-version', '67');
  submit('sf-title');
  await settle();
  const first = form('sf-title').querySelector('[role="alert"]')!;
  submit('sf-title');
  await settle();
  const second = form('sf-title').querySelector('[role="alert"]')!;
  // A new alert, which a screen reader says again; the same words.
  expect(second).not.toBe(first);
  expect(second.textContent).toBe(first.textContent);
  expect(description(input('salesforce-api-version'))).toBe(second.textContent);
});

/** The texts of what `element` is described by (aria-describedby), one for each element it names. */
const descriptions = (element: Element) => (element.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean).map((id) => document.getElementById(id)?.textContent);
const connectButton = (crm: CrmKind) => container().querySelector<HTMLButtonElement>(`[data-testid="connect-${crm}"]`)!;
const OTHER_ORG_WARNING =
  "Warning: Connecting acme--uat.sandbox.my.salesforce.com instead of acme.my.salesforce.com removes the 1,234 leads synced from acme.my.salesforce.com, with their scores: a sync then reads the new org's.";

/** The Salesforce form warns `warning` beside its button, which says it (`button`) and is described by it. */
function expectOtherOrgWarning(warning: string, button: string) {
  expect(container().querySelector('[data-testid="salesforce-other-org"]')?.textContent).toBe(warning);
  expect(connectButton('salesforce').textContent).toBe(button);
  expect(descriptions(connectButton('salesforce'))).toEqual([warning]);
}

it('says before the click that connecting another org removes the leads synced from the connected one, beside the button and in its words', async () => {
  background.syncStatus.mockResolvedValue(syncsStoring({ salesforce: 1234, hubspot: 0 }));
  await renderSection();
  expect(connectButton('salesforce').textContent).toBe('Connect with my Salesforce session');

  // A sandbox, pasted as a URL: compared as it is sent.
  type('salesforce-host', 'https://ACME--uat.sandbox.my.salesforce.com/lightning/page/home');
  const warning = container().querySelector('[data-testid="salesforce-other-org"]');
  expect(warning?.textContent).toBe(OTHER_ORG_WARNING);
  expect(connectButton('salesforce').textContent).toBe('Connect with my Salesforce session and remove 1,234 synced leads');
  expect(descriptions(connectButton('salesforce'))).toEqual([OTHER_ORG_WARNING]);
  // Beside the button: right before it.
  expect(connectButton('salesforce').previousElementSibling).toBe(warning);

  // Back to the connected org: nothing is removed, nothing said.
  type('salesforce-host', 'acme.my.salesforce.com');
  expect(container().querySelector('[data-testid="salesforce-other-org"]')).toBeNull();
  expect(connectButton('salesforce').textContent).toBe('Connect with my Salesforce session');
  expect(connectButton('salesforce').hasAttribute('aria-describedby')).toBe(false);
});

it('says nothing of removing leads when none are synced, or when the host typed is not one a connect would send', async () => {
  await renderSection();
  type('salesforce-host', 'acme--uat.sandbox.my.salesforce.com');
  expect(container().querySelector('[data-testid="salesforce-other-org"]')).toBeNull();
  expect(connectButton('salesforce').textContent).toBe('Connect with my Salesforce session');

  // Leads synced since (the Sync section's summaries are read again): now it would remove them.
  background.syncStatus.mockResolvedValue(syncsStoring({ salesforce: 1234, hubspot: 0 }));
  await act(() => queryClient.invalidateQueries({ queryKey: queryKeys.syncs() }));
  await settle();
  expect(container().querySelector('[data-testid="salesforce-other-org"]')).not.toBeNull();
  // Half typed, or the login page: the page refuses it, so it would remove nothing.
  type('salesforce-host', 'https://login.salesforce.com/');
  expect(container().querySelector('[data-testid="salesforce-other-org"]')).toBeNull();
  expect(connectButton('salesforce').textContent).toBe('Connect with my Salesforce session');
});

it.each([
  ['cannot be read', () => background.syncStatus.mockResolvedValue({ ok: false, error: 'The background did not answer' })],
  ['is not read yet', () => background.syncStatus.mockReturnValue(new Promise(() => {}))],
])('says that connecting another org removes the synced leads, without how many, when their count %s', async (_when, answer) => {
  answer();
  await renderSection();
  type('salesforce-host', 'acme--uat.sandbox.my.salesforce.com');
  expectOtherOrgWarning(
    "Warning: Connecting acme--uat.sandbox.my.salesforce.com instead of acme.my.salesforce.com removes the leads synced from acme.my.salesforce.com, with their scores: a sync then reads the new org's.",
    'Connect with my Salesforce session and remove the synced leads',
  );
});

const SALESFORCE_DISCONNECTED: ConnectionSummary = { crm: 'salesforce', status: 'disconnected', host: '', message: 'Salesforce disconnected', settings: null };

it('still says before the click, after a Disconnect, that connecting another org removes the leads synced from the disconnected one', async () => {
  background.syncStatus.mockResolvedValue(syncsStoring({ salesforce: 3, hubspot: 0 }));
  await renderSection();
  background.disconnectCrm.mockResolvedValue({ ok: true, ...SALESFORCE_DISCONNECTED });
  // The background keeps the leads, and which org they came from.
  background.connectionStatus.mockResolvedValue(statusOf(SALESFORCE_DISCONNECTED, HUBSPOT_DISCONNECTED));
  act(() => Array.from(container().querySelectorAll('button')).find((button) => button.textContent === 'Disconnect Salesforce')!.click());
  await settle();
  expect(container().querySelector('[data-testid="connection-salesforce"]')!.getAttribute('data-status')).toBe('disconnected');

  type('salesforce-host', 'globex.my.salesforce.com');
  expectOtherOrgWarning(
    "Warning: Connecting globex.my.salesforce.com instead of acme.my.salesforce.com removes the 3 leads synced from acme.my.salesforce.com, with their scores: a sync then reads the new org's.",
    'Connect with my Salesforce session and remove 3 synced leads',
  );

  // The org they came from again: nothing is removed, nothing said.
  type('salesforce-host', 'acme.my.salesforce.com');
  expect(container().querySelector('[data-testid="salesforce-other-org"]')).toBeNull();
  expect(connectButton('salesforce').textContent).toBe('Connect with my Salesforce session');
});

it('compares the host typed with the org the leads came from, not with a mistyped host connected since (its check failed, so it removed nothing)', async () => {
  const MISTYPED = 'acmee.my.salesforce.com';
  background.connectionStatus.mockResolvedValue(
    statusOf({ crm: 'salesforce', status: 'reconnect', host: MISTYPED, message: 'No Salesforce session', settings: { crm: 'salesforce', apiVersion: '67.0', signIn: { kind: 'session' } } }, HUBSPOT_DISCONNECTED),
  );
  background.syncStatus.mockResolvedValue(syncsStoring({ salesforce: 3, hubspot: 0 }));
  await renderSection();
  // The mistyped host, as the form starts: connecting it once it works is another org.
  expect(container().querySelector('[data-testid="salesforce-other-org"]')?.textContent).toContain(`Connecting ${MISTYPED} instead of acme.my.salesforce.com removes the 3 leads`);
  type('salesforce-host', 'acme.my.salesforce.com');
  expect(container().querySelector('[data-testid="salesforce-other-org"]')).toBeNull();
});

it('says nothing of removing leads when the org they came from is not known: a connect removes nothing then', async () => {
  background.connectionStatus.mockResolvedValue(statusOf(SALESFORCE_DISCONNECTED, HUBSPOT_DISCONNECTED));
  background.syncStatus.mockResolvedValue(syncsStoring({ salesforce: 3, hubspot: 0 }, { salesforce: null, hubspot: null }));
  await renderSection();
  type('salesforce-host', 'globex.my.salesforce.com');
  expect(container().querySelector('[data-testid="salesforce-other-org"]')).toBeNull();
});

it('offers to connect another org anew, not to reconnect, when the connected one needs reconnecting', async () => {
  background.connectionStatus.mockResolvedValue(
    statusOf({ ...CONNECTED, status: 'reconnect', message: 'Salesforce refused the session', settings: { crm: 'salesforce', apiVersion: '67.0', signIn: { kind: 'session' } } }, HUBSPOT_DISCONNECTED),
  );
  background.syncStatus.mockResolvedValue(syncsStoring({ salesforce: 1, hubspot: 0 }));
  await renderSection();
  expect(connectButton('salesforce').textContent).toBe('Reconnect with my Salesforce session');
  type('salesforce-host', 'acme--uat.sandbox.my.salesforce.com');
  expect(connectButton('salesforce').textContent).toBe('Connect with my Salesforce session and remove 1 synced lead');
});

const HUBSPOT_CONNECTED: ConnectionSummary = {
  crm: 'hubspot',
  status: 'connected',
  host: 'api.hubapi.com',
  message: 'Connected to HubSpot at api.hubapi.com: contacts of Acme readable',
  settings: { crm: 'hubspot', apiVersion: 'v3' },
};

it('says under the token field, before the click, that another portal’s token removes the contacts synced from the connected one', async () => {
  background.connectionStatus.mockResolvedValue(statusOf({ ...CONNECTED, settings: null }, HUBSPOT_CONNECTED));
  background.syncStatus.mockResolvedValue(syncsStoring({ salesforce: 0, hubspot: 2500 }));
  await renderSection();
  const note = 'If this token is another portal\'s, the 2,500 contacts synced from Acme are removed, with their scores.';
  const shown = container().querySelector('[data-testid="hubspot-other-portal"]');
  expect(shown?.textContent).toBe(note);
  expect(input('hubspot-token').closest('label')!.nextElementSibling).toBe(shown);
  expect(descriptions(input('hubspot-token'))).toEqual([note]);
  expect(descriptions(connectButton('hubspot'))).toEqual([note]);

  // A token refused on the page: its field is described by its problem and still by the note.
  type('hubspot-token', 'pat-na1');
  submit('hs-title');
  await settle();
  expect(descriptions(input('hubspot-token'))).toEqual(['Access token: expected the whole access token of your private app or service key', note]);
});

it.each([
  ['no contacts synced from HubSpot are stored', statusOf({ ...CONNECTED, settings: null }, HUBSPOT_CONNECTED), syncsStoring({ salesforce: 1234, hubspot: 0 })],
  ['HubSpot was never connected and the count cannot be read', statusOf({ ...CONNECTED, settings: null }, HUBSPOT_DISCONNECTED), { ok: false, error: 'The background did not answer' }],
  [
    'the portal the contacts came from is not known (a connect then removes none)',
    statusOf({ ...CONNECTED, settings: null }, HUBSPOT_DISCONNECTED),
    syncsStoring({ salesforce: 0, hubspot: 12 }, { salesforce: ACME_ORG, hubspot: null }),
  ],
])('says nothing of another portal when %s', async (_when, connections, syncs) => {
  background.connectionStatus.mockResolvedValue(connections);
  background.syncStatus.mockResolvedValue(syncs);
  await renderSection();
  expect(container().querySelector('[data-testid="hubspot-other-portal"]')).toBeNull();
  expect(connectButton('hubspot').hasAttribute('aria-describedby')).toBe(false);
});

it('says that another portal’s token removes the synced contacts, without how many, when their count cannot be read', async () => {
  background.connectionStatus.mockResolvedValue(statusOf({ ...CONNECTED, settings: null }, HUBSPOT_CONNECTED));
  background.syncStatus.mockResolvedValue({ ok: false, error: 'The background did not answer' });
  await renderSection();
  expect(container().querySelector('[data-testid="hubspot-other-portal"]')?.textContent).toBe(
    "If this token is another portal's, the contacts synced from the connected portal are removed, with their scores.",
  );
});

it('names the portal the contacts came from after a Disconnect: another portal’s token still removes them', async () => {
  background.connectionStatus.mockResolvedValue(statusOf({ ...CONNECTED, settings: null }, HUBSPOT_DISCONNECTED));
  background.syncStatus.mockResolvedValue(syncsStoring({ salesforce: 0, hubspot: 1 }));
  await renderSection();
  expect(container().querySelector('[data-testid="hubspot-other-portal"]')?.textContent).toBe(
    "If this token is another portal's, the 1 contact synced from Acme is removed, with their scores.",
  );
});

it('says what a Disconnect answered: a Salesforce sign-in LeadLens could not end, and where to revoke it', async () => {
  await renderSection();
  const answered = "Salesforce disconnected. Salesforce at acme.my.salesforce.com could not be told to end LeadLens's sign-in (offline?): an admin can revoke it under Setup → Connected Apps OAuth Usage";
  background.disconnectCrm.mockResolvedValue({ ok: true, ...SALESFORCE_DISCONNECTED, message: answered });
  background.connectionStatus.mockResolvedValue(statusOf(SALESFORCE_DISCONNECTED, HUBSPOT_DISCONNECTED));
  act(() => Array.from(container().querySelectorAll('button')).find((button) => button.textContent === 'Disconnect Salesforce')!.click());
  await settle();
  // The status line says only "Not connected" now.
  expect(Array.from(container().querySelectorAll('[role="status"]'), (status) => status.textContent)).toContain(answered);
});

const testButton = () => container().querySelector<HTMLButtonElement>('[data-testid="test-salesforce"]')!;
const disconnectButton = () => Array.from(container().querySelectorAll('button')).find((button) => button.textContent === 'Disconnect Salesforce');

it('says that a test runs, then what it found, in the live region on the page before, in its CRM’s form: a test that passes changes nothing else', async () => {
  await renderSection();
  const announced = followLiveRegions(form('sf-title'));
  const announcedElsewhere = followLiveRegions(form('hs-title'));
  const [before, beforeElsewhere] = [announced(), announcedElsewhere()];
  const testing = deferred<Reply>();
  background.testConnection.mockReturnValue(testing.promise);
  pressEnter(testButton());
  await settle();
  expect(announced()).toEqual([...before, 'Testing Salesforce connection…']);

  const found = 'Connected to Salesforce at acme.my.salesforce.com: Leads readable through API 67.0';
  await act(async () => testing.resolve({ ok: true, ...CONNECTED, message: found }));
  await settle();
  expect(announced()).toEqual([...before, found]);
  expect(announcedElsewhere()).toEqual(beforeElsewhere);
});

it('keeps the focus on Test while it runs (said unavailable, not disabled), and ignores another press meanwhile', async () => {
  await renderSection();
  const testing = deferred<Reply>();
  background.testConnection.mockReturnValue(testing.promise);
  const pressed = testButton();
  pressEnter(pressed);
  await settle();
  // Disabled under the focus, it would drop the focus to the page.
  expect(pressed.disabled).toBe(false);
  expect(pressed.getAttribute('aria-disabled')).toBe('true');
  expect(document.activeElement).toBe(pressed);
  pressEnter(pressed);
  click(disconnectButton()!);
  await settle();
  expect(background.testConnection).toHaveBeenCalledTimes(1);
  expect(background.disconnectCrm).not.toHaveBeenCalled();

  await act(async () => testing.resolve({ ok: true, ...CONNECTED }));
  await settle();
  expect(pressed.getAttribute('aria-disabled')).toBe('false');
  expect(document.activeElement).toBe(pressed);
});

it('keeps the focus on Connect while it connects, and ignores another Connect or Enter in a field meanwhile', async () => {
  await renderSection();
  const connecting = deferred<Reply>();
  background.connectCrm.mockReturnValue(connecting.promise);
  const pressed = connectButton('salesforce');
  pressEnter(pressed);
  await settle();
  expect(background.connectCrm).toHaveBeenCalledTimes(1);
  expect(pressed.disabled).toBe(false);
  expect(pressed.getAttribute('aria-disabled')).toBe('true');
  expect(document.activeElement).toBe(pressed);
  pressEnter(pressed);
  type('hubspot-token', TOKEN);
  submit('hs-title'); // Enter in the token field
  await settle();
  expect(background.connectCrm).toHaveBeenCalledTimes(1);
  // Not sent, so kept to send once the connect is done.
  expect(container().querySelector<HTMLInputElement>('input[name="hubspot-token"]')!.value).toBe(TOKEN);

  await act(async () => connecting.resolve({ ok: true, ...CONNECTED }));
  await settle();
  expect(pressed.getAttribute('aria-disabled')).toBe('false');
  expect(document.activeElement).toBe(pressed);
});

it('moves the focus from Disconnect, gone with the connection, to the button that connects that CRM again', async () => {
  await renderSection();
  background.disconnectCrm.mockResolvedValue({ ok: true, ...SALESFORCE_DISCONNECTED });
  background.connectionStatus.mockResolvedValue(statusOf(SALESFORCE_DISCONNECTED, HUBSPOT_DISCONNECTED));
  pressEnter(disconnectButton()!);
  await settle();
  await settle();
  expect(disconnectButton()).toBeUndefined();
  expect(document.activeElement).toBe(connectButton('salesforce'));
});

it('leaves the focus where it is when a connection ends elsewhere on the page (Purge everything), rather than take it to Connect', async () => {
  await renderSection();
  // The admin clicked on the page's text while the purge ran: the focus is on the page's body.
  expect(document.activeElement).toBe(document.body);
  background.connectionStatus.mockResolvedValue(statusOf(SALESFORCE_DISCONNECTED, HUBSPOT_DISCONNECTED));
  // What a purge does once done: every query read again.
  await act(() => queryClient.invalidateQueries());
  await settle();
  expect(disconnectButton()).toBeUndefined();
  expect(document.activeElement).toBe(document.body);
});

/** Whether `first` comes before `second` in the page. */
const precedes = (first: Element, second: Element) => Boolean(first.compareDocumentPosition(second) & Node.DOCUMENT_POSITION_FOLLOWING);
const textsIn = (within: Element, selector: string) => Array.from(within.querySelectorAll(selector), (element) => element.textContent);

it('shows each CRM’s Test and Disconnect, and what they answered, in that CRM’s form under its status line, not after the last form', async () => {
  background.connectionStatus.mockResolvedValue(statusOf({ ...CONNECTED, settings: null }, HUBSPOT_CONNECTED));
  await renderSection();
  const actionsOf = (title: string) => textsIn(form(title), 'button[type="button"]');
  expect(actionsOf('sf-title')).toEqual(['Test Salesforce connection', 'Disconnect Salesforce']);
  expect(actionsOf('hs-title')).toEqual(['Test HubSpot connection', 'Disconnect HubSpot']);
  for (const [crm, title, firstField] of [['salesforce', 'sf-title', 'fieldset'], ['hubspot', 'hs-title', 'input[name="hubspot-token"]']] as const) {
    const [statusLine, test] = [container().querySelector(`[data-testid="connection-${crm}"]`)!, container().querySelector(`[data-testid="test-${crm}"]`)!];
    expect([precedes(statusLine, test), precedes(test, form(title).querySelector(firstField)!)]).toEqual([true, true]);
  }

  // HubSpot's answers are said in HubSpot's form, Salesforce's in Salesforce's.
  background.testConnection.mockResolvedValue({ ok: true, ...HUBSPOT_CONNECTED });
  click(container().querySelector<HTMLButtonElement>('[data-testid="test-hubspot"]')!);
  await settle();
  expect(textsIn(form('hs-title'), '[role="status"]:not([data-testid])')).toEqual([HUBSPOT_CONNECTED.message]);
  expect(textsIn(form('sf-title'), '[role="status"]:not([data-testid])')).toEqual(['']);

  background.testConnection.mockResolvedValue({ ok: false, error: 'Salesforce could not be reached' });
  click(testButton());
  await settle();
  expect([alerts(form('sf-title')), alerts(form('hs-title'))]).toEqual([['Salesforce could not be reached'], []]);
  expect(textsIn(form('hs-title'), '[role="status"]:not([data-testid])')).toEqual(['']);

  background.disconnectCrm.mockResolvedValue({ ok: true, ...SALESFORCE_DISCONNECTED });
  background.connectionStatus.mockResolvedValue(statusOf(SALESFORCE_DISCONNECTED, HUBSPOT_CONNECTED));
  click(disconnectButton()!);
  await settle();
  expect(actionsOf('sf-title')).toEqual([]);
  expect(textsIn(form('sf-title'), '[role="status"]:not([data-testid])')).toEqual([SALESFORCE_DISCONNECTED.message]);
  expect(alerts()).toEqual([]);
});

it('says why a connect failed in the form of the CRM it connects', async () => {
  background.connectCrm.mockResolvedValue({ ok: false, error: 'HubSpot refused the token' });
  await renderSection();
  type('hubspot-token', TOKEN);
  submit('hs-title');
  await settle();
  expect([alerts(form('sf-title')), alerts(form('hs-title'))]).toEqual([[], ['HubSpot refused the token']]);
});
