/** Sync leads from the connected CRMs into this browser: progress, cancel, resume, errors. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { FocusKeepingButton, useFocusBackWhenJobEnds } from '@/components/KeepFocus';
import { ErrorState, JobProgressBar, Loading, StatusRegion } from '@/components/StatusMessage';
import type { ConnectionReply } from '@/lib/connections/schema';
import { CRM_LABEL, CRM_TERMS, type CrmKind } from '@/lib/crm/types';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { DATA_CLEARED_ERROR_KIND, STORAGE_FULL_ERROR_KIND, type AutoSyncStatus, type SyncSummary } from '@/lib/messaging/protocol-sync';
import { COMPARISON_RETRY_AFTER_MS, type AutoSync, type ComparisonRefusal, type SkippedRecords } from '@/lib/sync/state';
import { queryKeys } from '@/lib/query-keys';
import { plural, refusedThenReconnected } from '@/lib/presentation';
import { useInvalidateWhenRunEnds } from '@/lib/ui/use-invalidate-when-run-ends';
import { ConfirmedCancel } from './ConfirmedAction';

export function SyncSection() {
  const queryClient = useQueryClient();
  const syncs = useQuery({
    queryKey: queryKeys.syncs(),
    queryFn: () => succeeded(background.syncStatus({})),
    // Polling also wakes a stopped service worker, which then resumes the sync. With automatic
    // syncs on, now and then: one may start while the page is open (nothing else tells it).
    refetchInterval: (query) => (query.state.data?.syncs.some((s) => s.status === 'running') ? 1000 : query.state.data?.autoSync.everyMinutes ? 60_000 : false),
  });
  // Their statuses word a refusal of the credentials (`stopReason`); read again as a run ends, below.
  const connections = useQuery({ queryKey: queryKeys.connections(), queryFn: () => succeeded(background.connectionStatus({})).then((r) => r.connections) });
  // Stored leads changed while the sync ran, and so may the connection's status (a 401 says
  // "reconnect"; a sync the CRM answered ends that).
  useInvalidateWhenRunEnds(
    syncs.data?.syncs,
    (sync) => (sync.status === 'running' ? null : [sync.status, sync.endedAt, sync.error]),
    [queryKeys.leads(), queryKeys.connections()],
  );
  const act = useMutation({
    mutationFn: async ({ crm, action }: { crm: CrmKind; action: 'start' | 'cancel' }) => {
      await succeeded(action === 'start' ? background.startSync({ crm }) : background.cancelSync({ crm }));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.syncs() }),
  });

  if (syncs.isPending) return <Loading what="sync status" />;
  if (syncs.isError) return <ErrorState message={syncs.error.message} />;
  return (
    <>
      <p>Sync copies your leads (Salesforce Leads, HubSpot contacts) into this browser, then only what changed since the last sync.</p>
      <AutoSyncChoice status={syncs.data.autoSync} />
      {syncs.data.syncs.map((sync) => (
        <SyncRow
          key={sync.crm}
          sync={sync}
          connection={connections.data?.find((connection) => connection.crm === sync.crm)}
          busy={act.isPending}
          acting={act.isPending && act.variables.crm === sync.crm}
          onAction={(action) => act.mutate({ crm: sync.crm, action })}
        />
      ))}
      {act.isError && <ErrorState message={act.error.message} />}
    </>
  );
}

const AUTO_SYNC_OPTIONS: { value: AutoSync['everyMinutes']; label: string }[] = [
  { value: null, label: 'Off: only when I press Sync now' },
  { value: 60, label: 'Every hour' },
  { value: 240, label: 'Every 4 hours' },
  { value: 1440, label: 'Every day' },
];

/** How often the connected CRMs sync by themselves (while the browser runs), and when next. */
function AutoSyncChoice({ status }: { status: AutoSyncStatus }) {
  const queryClient = useQueryClient();
  // Not disabled while it saves: that would drop the keyboard's focus at the first arrow key. The
  // choices are saved one after another (one scope), so the last one made is the one that stays.
  const choose = useMutation({
    mutationFn: (everyMinutes: AutoSync['everyMinutes']) => succeeded(background.setAutoSync({ everyMinutes })),
    scope: { id: 'auto-sync' },
    // Awaited: the save stays pending until the status is read again, and the select shows the
    // choice made until then, not the status read before it.
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.syncs() }),
  });
  return (
    <div data-testid="auto-sync">
      <label>
        Sync automatically{' '}
        <select
          value={String(choose.isPending ? choose.variables : status.everyMinutes)}
          onChange={(event) => choose.mutate(event.target.value === 'null' ? null : (Number(event.target.value) as AutoSync['everyMinutes']))}
        >
          {AUTO_SYNC_OPTIONS.map(({ value, label }) => (
            <option key={String(value)} value={String(value)}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {status.nextAt !== null && (
        <p style={{ margin: '4px 0' }} data-testid="auto-sync-next">
          Next automatic sync: {new Date(status.nextAt).toLocaleString()} (of each connected CRM, while this browser is open; a CRM asking to
          reconnect is left until you do, or, signed in with your Salesforce session, until you log in to Salesforce).
        </p>
      )}
      {choose.isError && <ErrorState message={`Automatic syncs could not be changed: ${choose.error.message}`} />}
    </div>
  );
}

/** What the last sync removed: leads deleted (or archived) in the CRM are not kept here. */
function removedLeads(count: number, label: string): string {
  return count === 1 ? `1 lead deleted in ${label} was removed from this browser` : `${count.toLocaleString('en-US')} leads deleted in ${label} were removed from this browser`;
}

/** How many named leads are listed in the sentence; the rest are counted. */
const LEFT_OUT_SHOWN = 3;

/**
 * The leads syncs left out because they could not be read (a field of an unexpected type), and
 * have not stored since, by id and what is wrong, so the admin can look them up in the CRM; a
 * sync reads each again when it next changes there.
 */
function LeftOutLeads({ leftOut, label }: { leftOut: SkippedRecords; label: string }) {
  const shown = leftOut.named.slice(0, LEFT_OUT_SHOWN).map((record) => `${record.id ?? 'a record without a readable id'}: ${record.reason}`);
  const more = leftOut.count - shown.length;
  return (
    <p data-testid="sync-left-out">
      {leftOut.count === 1
        ? `1 lead from ${label} could not be read and is left out`
        : `${leftOut.count.toLocaleString('en-US')} leads from ${label} could not be read and are left out`}{' '}
      ({shown.join('; ')}{more > 0 && `; ${more.toLocaleString('en-US')} more`}). A sync reads {leftOut.count === 1 ? 'it' : 'each'} again when it next changes in {label}.
    </p>
  );
}

/**
 * Why syncs remove only what the CRM lists as deleted: its list of every record was clearly
 * shorter than its count, so the stored leads missing from it were kept, and when it is compared
 * again. A note, not an error: the sync finished.
 */
function ComparisonRefusedNote({ refused, crm, label }: { refused: ComparisonRefusal; crm: CrmKind; label: string }) {
  const records = CRM_TERMS[crm].records;
  const gone = crm === 'hubspot' ? 'archived or merged' : 'deleted';
  return (
    <p data-testid="sync-comparison-refused">
      {label} counted {refused.counted.toLocaleString('en-US')} {records} but listed only {refused.listed.toLocaleString('en-US')} on {new Date(refused.at).toLocaleString()}, so
      LeadLens removed no lead missing from that list. Until the count and the list agree, syncs remove only the {records} {label} lists as {gone}; the first sync after{' '}
      {new Date(refused.at + COMPARISON_RETRY_AFTER_MS).toLocaleString()} compares them again.
    </p>
  );
}

/**
 * What a CRM's live region says: that its sync runs, then how a run ended while the page was open
 * (`endedBefore`: when the last run had ended as the page first read it). Not the counts as they
 * grow, nor a failure: its alert says that.
 */
function syncAnnouncement(sync: SyncSummary, label: string, endedBefore: number | null): string {
  if (sync.status === 'running') return `Syncing ${label}…`;
  if (sync.endedAt === endedBefore) return '';
  if (sync.status === 'done' && sync.lastRun) {
    const removed = sync.lastRun.removed ? `; ${removedLeads(sync.lastRun.removed, label)}` : '';
    return `${label} sync finished: ${plural(sync.lastRun.synced, 'changed lead', 'changed leads')}${removed}.`;
  }
  if (sync.status === 'cancelled') return `${label} sync cancelled ${stoppedAt(sync)}.`;
  return '';
}

/**
 * Where a cancel stopped the sync. One that stored nothing (cancelled before its job began, while
 * it asked whom it signs in as, or before its first page) has nothing to go on from: it starts again.
 */
function stoppedAt({ synced }: SyncSummary): string {
  return synced > 0 ? `after ${plural(synced, 'lead', 'leads')}; sync again to go on from there` : 'before it stored any lead';
}

/**
 * Why the sync stopped. Stopped as the CRM refused the credentials, while its connection asks to
 * reconnect: in the connection's words, the step that fixes it, as CRM connections says it (a sync
 * stores them so, `reportingCredentials`, but the state of one an older LeadLens stopped holds the
 * CRM's HTTP text, and a Test connection since may have found more); reconnected since, not again.
 */
function stopReason({ crm, error, errorKind, connection: status }: SyncSummary, connection: ConnectionReply | undefined): string | null {
  if (errorKind !== 'auth') return error;
  if (status === 'connected') return refusedThenReconnected(crm);
  return connection?.status === 'reconnect' ? connection.message : error;
}

/** `reason` ended as a sentence: one the CRM's client words in whole sentences (an API allowance's pause) already is. */
const asSentence = (reason: string) => (/[.!?]$/.test(reason) ? reason : `${reason}.`);

/**
 * Why the sync stopped, and what now: what it stored is kept, and it goes on when synced again,
 * once what stopped it is fixed (`verb`). A `rate` error (the CRM's rate limit, or its API
 * allowance nearly used) says itself when to sync again. The browser's storage full is said
 * plainly, not in the browser's words (IndexedDB's QuotaExceededError), with what frees it.
 * LeadLens's data deleted as it ran left nothing kept to go on from: its error says the next sync
 * reads every lead again, and no more.
 */
function stoppedMessage(sync: SyncSummary, connection: ConnectionReply | undefined, verb: 'reconnect' | 'connect' | null): string {
  const label = CRM_LABEL[sync.crm];
  if (sync.errorKind === STORAGE_FULL_ERROR_KIND) {
    return `The ${label} sync stopped: the browser's storage for LeadLens is full, as this computer's disk is nearly full. What it stored so far is kept; free disk space, then sync again.`;
  }
  if (sync.errorKind === DATA_CLEARED_ERROR_KIND) return `The ${label} sync stopped: ${asSentence(`${sync.error}`)}`;
  const next = verb ? `; ${verb} ${label} under CRM connections, then sync again` : sync.errorKind === 'rate' ? '' : '; sync again to go on';
  return `The ${label} sync stopped: ${asSentence(`${stopReason(sync, connection)}`)} What it stored so far is kept${next}.`;
}

/**
 * What a sync asks of the admin before it can run, under CRM connections: to connect a CRM that is
 * not connected (a sync of it could only fail), or, after the CRM refused the credentials
 * (`auth`), to reconnect it. Null when it asks nothing: a running sync, another error, or the
 * CRM connected since.
 */
function connectFirst({ status, errorKind, connection }: SyncSummary): 'reconnect' | 'connect' | null {
  if (status !== 'running' && connection === 'disconnected') return 'connect';
  if (status !== 'error' || errorKind !== 'auth' || connection === 'connected') return null;
  return 'reconnect';
}

interface SyncRowProps {
  sync: SyncSummary;
  /** The CRM's connection status, once read. */
  connection: ConnectionReply | undefined;
  /** A Sync now or Cancel of any CRM is being answered: no Sync now is pressed again meanwhile (a Cancel asks first). */
  busy: boolean;
  /** This row's own Sync now or Cancel is being answered. */
  acting: boolean;
  onAction(action: 'start' | 'cancel'): void;
}

function SyncRow({ sync, connection, busy, acting, onAction }: SyncRowProps) {
  const label = CRM_LABEL[sync.crm];
  // A cancel before anything was stored leaves nothing to resume (`stoppedAt`), nor does LeadLens's data deleted as the sync ran.
  const resumable = (sync.status === 'cancelled' && sync.synced > 0) || (sync.status === 'error' && sync.errorKind !== DATA_CLEARED_ERROR_KIND);
  // Syncing again before then fails as this one did: the row points there instead.
  const verb = connectFirst(sync);
  // By when it ended, not by a run seen running: a short one can start and end between two polls.
  const [endedBefore] = useState(sync.endedAt);
  // A run that ends asking to reconnect takes Cancel away: the focus it had goes to the link in its
  // place. Also while its own Sync now is answered: a run refused at its first request may never be seen
  // running. Another CRM's (`busy`) is not this row's: its link would take the focus from that CRM's.
  const reconnectLink = useRef<HTMLAnchorElement>(null);
  useFocusBackWhenJobEnds(sync.status === 'running' || acting, reconnectLink);
  // Sync now gives way to Cancel sync… as a sync starts, and comes back as it ends: the focus goes with them once the admin
  // has put it there (pressed Sync now, or came to Cancel sync…), not at a page opened meanwhile.
  const [focusFollows, setFocusFollows] = useState(false);
  const startButton = useRef<HTMLButtonElement>(null);
  useFocusBackWhenJobEnds(sync.status === 'running' && focusFollows, startButton);
  // Stopped by the CRM's rate limit or API allowance: syncing again before the time its alert says stops the same way.
  const waitNoteId = useId();
  const waitFirst = sync.status === 'error' && sync.errorKind === 'rate';
  // While it runs, its bar says how far it is: the count, read at most every 10 s then (`storedCounts` in
  // lib/sync/summaries.ts), would lag behind the bar ("0 leads" beside "791 of 4,005"). Read afresh as the run ends.
  const summaryLine = [
    sync.status !== 'running' && `${plural(sync.stored, 'lead', 'leads')} synced from ${label} in this browser.`,
    sync.lastRun && `Last complete sync: ${plural(sync.lastRun.synced, 'changed lead', 'changed leads')} in ${sync.lastRun.seconds.toFixed(0)} s, ${new Date(sync.lastRun.finishedAt).toLocaleString()}.`,
    !!sync.lastRun?.removed && `${removedLeads(sync.lastRun.removed, label)}.`,
    sync.status === 'cancelled' && `Stopped ${stoppedAt(sync)}.`,
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div data-testid={`sync-${sync.crm}`} data-status={sync.status} data-synced={sync.synced} data-stored={sync.stored}>
      <h3>{label}</h3>
      {/* The bar and the lines below say the same in sight. */}
      <StatusRegion visuallyHidden>{syncAnnouncement(sync, label, endedBefore)}</StatusRegion>
      {sync.status === 'running' && (
        <JobProgressBar label={`Syncing ${label}`} done={sync.synced} total={sync.remaining === null ? null : sync.synced + sync.remaining} />
      )}
      {summaryLine && <p>{summaryLine}</p>}
      {sync.lastRun?.comparisonRefused && <ComparisonRefusedNote refused={sync.lastRun.comparisonRefused} crm={sync.crm} label={label} />}
      {/* A finished sync's note, not an error: the weekly read of the values the CRM computes was refused, and is made again next week. */}
      {sync.lastRun?.calculatedNotRefreshed && <p data-testid="sync-calculated-not-refreshed">{sync.lastRun.calculatedNotRefreshed}.</p>}
      {sync.leftOut && <LeftOutLeads leftOut={sync.leftOut} label={label} />}
      {sync.status === 'error' && sync.error && <ErrorState message={stoppedMessage(sync, connection, verb)} />}
      {/*
        Sync now and Cancel sync… are in one place (Sync now gives way to Cancel sync… as the sync starts, and back), the focus going with them (above).
        The link takes their place when the CRM refused the credentials, and its focus (above).
      */}
      {verb ? (
        <a ref={reconnectLink} href="#connections" data-testid={`reconnect-${sync.crm}`}>
          {verb === 'connect' ? 'Connect' : 'Reconnect'} {label} under CRM connections
        </a>
      ) : sync.status === 'running' ? (
        // Asks first, its Keep syncing focused: a second Enter meant for Sync now (or the key held down) does not cancel the sync it started.
        <ConfirmedCancel
          testId={`cancel-${sync.crm}`}
          label="Cancel sync…"
          question={`Confirm cancelling the ${label} sync`}
          confirmLabel="Yes, cancel syncing"
          keepLabel="Keep syncing"
          takesFocus={focusFollows}
          onFocus={() => setFocusFollows(true)}
          onConfirm={() => onAction('cancel')}
        >
          {`Cancelling stops the sync: the leads it has stored so far stay in this browser, and syncing again goes on from where it stopped.`}
        </ConfirmedCancel>
      ) : (
        <>
          <FocusKeepingButton
            ref={startButton}
            type="button"
            unavailable={busy}
            onFocus={() => setFocusFollows(true)}
            onClick={() => onAction('start')}
            aria-describedby={waitFirst ? waitNoteId : undefined}
            data-testid={`start-${sync.crm}`}
          >
            {resumable ? 'Resume sync' : 'Sync now'}
          </FocusKeepingButton>
          {waitFirst && <span id={waitNoteId}> Before then, a sync stops again as this one did.</span>}
        </>
      )}
    </div>
  );
}
