// @vitest-environment happy-dom
/**
 * The Connections section: a mistyped host, API version or token is said in words beside its
 * form before anything is asked or sent; the HubSpot token is not kept by the page once sent;
 * one action's old error does not stay beside a later action's success; a connection needing
 * reconnecting is offered to be connected the same way again (sign-in and API version).
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { ConnectionReply, ConnectionSummary } from '@/lib/connections/schema';
import { render, type Rendered } from '@/test/render';
import { ConnectionsSection } from './Connections';

type Reply = (ConnectionReply & { ok: true }) | { ok: false; error: string };
const background = vi.hoisted(() => ({
  connectionStatus: vi.fn(),
  connectCrm: vi.fn<(request: unknown) => Promise<Reply>>(),
  testConnection: vi.fn<(request: unknown) => Promise<Reply>>(),
  disconnectCrm: vi.fn(),
}));
const requestPermission = vi.hoisted(() => vi.fn(async () => true));
vi.mock('@/lib/messaging/client', () => ({ background }));
vi.mock('wxt/browser', () => ({ browser: { permissions: { request: requestPermission } } }));

const CONNECTED: ConnectionReply = { crm: 'salesforce', status: 'connected', host: 'acme.my.salesforce.com', message: 'Connected to Salesforce at acme.my.salesforce.com' };
const TOKEN = 'pat-na1-0123456789abcdef';
const HUBSPOT_DISCONNECTED: ConnectionSummary = { crm: 'hubspot', status: 'disconnected', host: '', message: 'Not connected', settings: null };
const statusOf = (...connections: ConnectionSummary[]) => ({ ok: true, connections });

let rendered: Rendered | undefined;
let queryClient: QueryClient;
beforeEach(() => {
  background.connectionStatus
    .mockReset()
    .mockResolvedValue(statusOf({ ...CONNECTED, settings: { crm: 'salesforce', apiVersion: '67.0', signIn: { kind: 'session' } } }, HUBSPOT_DISCONNECTED));
  background.connectCrm.mockReset().mockResolvedValue({ ok: true, ...CONNECTED });
  background.testConnection.mockReset();
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
  await settle();
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
  ['a Lightning URL as the host', 'salesforce-host', 'https://acme.lightning.force.com/lightning/page/home', 'My Domain host: expected your My Domain host, like acme.my.salesforce.com'],
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
  ['sf-title', 'salesforce-host', 'https://acme.lightning.force.com/lightning/page/home', 'My Domain host: expected your My Domain host, like acme.my.salesforce.com', 'salesforce-api-version'],
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
