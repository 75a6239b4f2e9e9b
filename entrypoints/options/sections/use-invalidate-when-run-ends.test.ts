// @vitest-environment happy-dom
/**
 * When a sync or a write-back that the page watched ends, the connection's status is read
 * again: a 401 made it "reconnect", and a run the CRM answered ended that.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement, type FunctionComponent } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { WriteBackSummary } from '@/lib/messaging/protocol-write-back';
import type { SyncSummary } from '@/lib/messaging/protocol-sync';
import { queryKeys } from '@/lib/query-keys';
import { render, type Rendered } from '@/test/render';
import { SyncSection } from './Sync';
import { WriteBackSection } from './WriteBack';

const background = vi.hoisted(() => ({ syncStatus: vi.fn(), writeBackStatus: vi.fn() }));
vi.mock('@/lib/messaging/client', () => ({ background }));

const sync = (status: SyncSummary['status']): SyncSummary => ({ crm: 'salesforce', status, synced: 10, remaining: null, stored: 10, error: null, lastRun: null });
const writeBack = (status: WriteBackSummary['status']): WriteBackSummary => ({
  crm: 'salesforce',
  status,
  target: null,
  done: 0,
  total: 10,
  written: 0,
  unchanged: 0,
  failures: [],
  error: status === 'error' ? 'Salesforce rejected the credentials: HTTP 401' : null,
  finishedAt: null,
});

let rendered: Rendered | undefined;
beforeEach(() => {
  background.syncStatus.mockReset();
  background.writeBackStatus.mockReset();
});
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 10)));

it.each<[string, FunctionComponent, () => void, () => void, readonly unknown[]]>([
  [
    'sync',
    SyncSection,
    () => background.syncStatus.mockResolvedValue({ ok: true, syncs: [sync('running')], autoSync: { everyMinutes: null, nextAt: null } }),
    () => background.syncStatus.mockResolvedValue({ ok: true, syncs: [sync('error')], autoSync: { everyMinutes: null, nextAt: null } }),
    queryKeys.syncs(),
  ],
  [
    'write-back',
    WriteBackSection,
    () => background.writeBackStatus.mockResolvedValue({ ok: true, writeBacks: [writeBack('running')] }),
    () => background.writeBackStatus.mockResolvedValue({ ok: true, writeBacks: [writeBack('error')] }),
    queryKeys.writeBacks(),
  ],
])('reads the connection status again when a %s ends, not before', async (_job, Section, running, ended, statusKey) => {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  queryClient.setQueryData(queryKeys.connections(), []);
  const connectionsStale = () => queryClient.getQueryState(queryKeys.connections())?.isInvalidated;
  running();
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(Section)));
  await settle();
  expect(connectionsStale()).toBe(false);

  ended();
  await act(() => queryClient.invalidateQueries({ queryKey: statusKey }));
  await settle();
  expect(connectionsStale()).toBe(true);
});
