// @vitest-environment happy-dom
/**
 * When a sync or a write-back that the page watched ends, the connection's status is read
 * again: a 401 made it "reconnect", and a run the CRM answered ended that. Also when the run
 * started and ended between two polls (an automatic sync refused at once), never seen running.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement, type FunctionComponent } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { idleWriteBack, type WriteBackSummary } from '@/lib/messaging/protocol-write-back';
import type { SyncSummary } from '@/lib/messaging/protocol-sync';
import { queryKeys } from '@/lib/query-keys';
import { render, type Rendered } from '@/test/render';
import { SyncSection } from './Sync';
import { WriteBackSection } from './WriteBack';

const background = vi.hoisted(() => ({ syncStatus: vi.fn(), writeBackStatus: vi.fn(), connectionStatus: vi.fn(async () => ({ ok: true, connections: [] })) }));
// The sections hear the background's events (stored leads deleted) through the extension's messaging.
vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
vi.mock('@/lib/messaging/client', () => ({ background }));

const AUTH_ERROR = 'Salesforce rejected the credentials: HTTP 401';
const sync = (status: SyncSummary['status'], lastRun: SyncSummary['lastRun'] = null, endedAt: number | null = lastRun?.finishedAt ?? null): SyncSummary => ({
  crm: 'salesforce',
  status,
  synced: 10,
  remaining: null,
  stored: 10,
  error: status === 'error' ? AUTH_ERROR : null,
  lastRun,
  leftOut: null,
  endedAt,
  syncedFrom: null,
});
const writeBack = (status: WriteBackSummary['status'], finishedAt: number | null = null): WriteBackSummary => ({
  ...idleWriteBack('salesforce'),
  status,
  total: 10,
  error: status === 'error' ? AUTH_ERROR : null,
  finishedAt,
});
const answerSync = (summary: SyncSummary) => background.syncStatus.mockResolvedValue({ ok: true, syncs: [summary], autoSync: { everyMinutes: 60, nextAt: null } });
const answerWriteBack = (summary: WriteBackSummary) => background.writeBackStatus.mockResolvedValue({ ok: true, writeBacks: [summary] });

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

/**
 * Whether the page has asked for the connections' status again since this was called: an
 * invalidation of their query. Asked, not read from the query's state: the write-back forms read
 * the status too, so the query is fetched again at once and is not left invalidated.
 */
function connectionsAskedAgain(queryClient: QueryClient): () => boolean {
  const invalidations = vi.spyOn(queryClient, 'invalidateQueries');
  const connectionsKey = JSON.stringify(queryKeys.connections());
  return () => invalidations.mock.calls.some(([filters]) => JSON.stringify(filters?.queryKey) === connectionsKey);
}

it.each<[string, FunctionComponent, () => void, () => void, readonly unknown[]]>([
  [
    'sync',
    SyncSection,
    () => answerSync(sync('running')),
    () => answerSync(sync('error')),
    queryKeys.syncs(),
  ],
  [
    'write-back',
    WriteBackSection,
    () => answerWriteBack(writeBack('running')),
    () => answerWriteBack(writeBack('error')),
    queryKeys.writeBacks(),
  ],
])('reads the connection status again when a %s ends, not before', async (_job, Section, running, ended, statusKey) => {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  queryClient.setQueryData(queryKeys.connections(), []);
  const connectionsStale = connectionsAskedAgain(queryClient);
  running();
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(Section)));
  await settle();
  expect(connectionsStale()).toBe(false);

  ended();
  await act(() => queryClient.invalidateQueries({ queryKey: statusKey }));
  // Waited for, not a fixed 10 ms: the status's refetch and the effect it runs took longer than that on a loaded machine.
  await vi.waitFor(() => expect(connectionsStale()).toBe(true));
});

const LAST_RUN = { synced: 10, finishedAt: 1_700_000_000_000, seconds: 3 };
it.each<[string, FunctionComponent, () => void, () => void, readonly unknown[]]>([
  ['sync', SyncSection, () => answerSync(sync('done', LAST_RUN)), () => answerSync(sync('error', LAST_RUN, LAST_RUN.finishedAt + 60_000)), queryKeys.syncs()],
  // A failure like the last one (the same 401 after a reconnect), told apart by when it ended.
  ['sync failing again', SyncSection, () => answerSync(sync('error', LAST_RUN, 1)), () => answerSync(sync('error', LAST_RUN, 2)), queryKeys.syncs()],
  ['write-back', WriteBackSection, () => answerWriteBack(writeBack('done', 1)), () => answerWriteBack(writeBack('error', 2)), queryKeys.writeBacks()],
])('reads the connection status again when a %s started and ended between two polls, not when nothing changed', async (_job, Section, earlier, since, statusKey) => {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  queryClient.setQueryData(queryKeys.connections(), []);
  const connectionsStale = connectionsAskedAgain(queryClient);
  earlier();
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(Section)));
  await settle();
  // A poll that finds the same end.
  await act(() => queryClient.invalidateQueries({ queryKey: statusKey }));
  await settle();
  expect(connectionsStale()).toBe(false);

  since();
  await act(() => queryClient.invalidateQueries({ queryKey: statusKey }));
  // Waited for, not a fixed 10 ms: the status's refetch and the effect it runs took longer than that on a loaded machine.
  await vi.waitFor(() => expect(connectionsStale()).toBe(true));
});

it('reads the stored leads again when a sync completed between two polls', async () => {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  queryClient.setQueryData(queryKeys.leads(), []);
  answerSync(sync('done', LAST_RUN));
  rendered = render(createElement(QueryClientProvider, { client: queryClient }, createElement(SyncSection)));
  await settle();

  answerSync(sync('done', { ...LAST_RUN, finishedAt: LAST_RUN.finishedAt + 3_600_000 }));
  await act(() => queryClient.invalidateQueries({ queryKey: queryKeys.syncs() }));
  await settle();
  expect(queryClient.getQueryState(queryKeys.leads())?.isInvalidated).toBe(true);
});
