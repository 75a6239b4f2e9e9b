import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, type FocusEvent } from 'react';
import { FocusKeepingButton } from '@/components/KeepFocus';
import { PageShell } from '@/components/PageShell';
import { PartBoundary } from '@/components/PartBoundary';
import { EmptyState, ErrorState, JobProgressBar, Loading, StatusRegion } from '@/components/StatusMessage';
import { useInvalidateWhenRunEnds } from '@/lib/ui/use-invalidate-when-run-ends';
import type { ConnectionReply } from '@/lib/connections/schema';
import { CRM_LABEL } from '@/lib/crm/types';
import { learntFromMadeUpLeads } from '@/lib/ml/bundled-model';
import { demoLeadMix } from '@/lib/db/source-history';
import { failureStands, RETRY_FAILED_SCORING_AFTER_MS, standingFailure, type JobProgress } from '@/lib/jobs/progress';
import { background } from '@/lib/messaging/client';
import type { SyncSummary } from '@/lib/messaging/protocol-sync';
import { succeeded } from '@/lib/messaging/reply';
import { lastSyncOutcome, plural } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { leadSourceWords } from '@/lib/segments';
import { browser } from 'wxt/browser';
import { useManifest, useOutcomeBasis, useScoredLeads } from './hooks';
import { MadeUpLeadsModelNote, OpenLeadView } from './OpenLeadView';
import { SegmentView } from './SegmentView';

const openOptions = () => void browser.runtime.openOptionsPage();

type ScoringFailure = Pick<JobProgress, 'modelId' | 'done' | 'total' | 'error' | 'failedItems' | 'source'>;

/** The leads of a one-source run, as the failure names them: "the CSV leads new or changed since they were last scored". */
const SOURCE_WORDS = { ...CRM_LABEL, csv: 'CSV' };

/** What a failed run did: stopped part-way, or went through every lead but could not score some. */
function failureSummary(failure: ScoringFailure, reason: string | undefined): string {
  const count = (n: number) => n.toLocaleString('en-US');
  // A one-source run (a sync's, an import's) scores only the leads owed a score, and counts those.
  const leads = failure.source ? `${SOURCE_WORDS[failure.source]} leads new or changed since they were last scored` : 'stored leads';
  const because = reason ? `: ${reason}` : '';
  if (failure.failedItems && failure.done >= failure.total) return `${count(failure.failedItems.count)} of the ${count(failure.total)} ${leads} could not be scored${because}.`;
  return `Scoring the ${leads} stopped after ${count(failure.done)} of ${count(failure.total)}${because}.`;
}

/**
 * A scoring run of the active model failed: its stored leads are scored in part (`scored` of them
 * shown), or not at all. A run of one source's leads (after its sync or write-back, or a CSV
 * import) counts only those, and the others keep their scores.
 */
function ScoringFailed({ failure, scored, buttonFocus }: { failure: ScoringFailure; scored: number; buttonFocus: ScoreAgainFocus['buttonFocus'] }) {
  const scoreAgain = useMutation({
    mutationFn: () => succeeded(background.scoreStoredLeads({ modelId: failure.modelId })),
  });
  // The engine's message when it failed on some leads; why the run stopped otherwise.
  const reason = scoreAgain.error?.message ?? failure.failedItems?.error ?? failure.error;
  return (
    <ErrorState
      message={
        failureSummary(failure, reason) +
        // The hourly refresh tries a failed run over every lead or the CSV leads again (refresh-scores.ts), not one of one CRM's leads.
        (failureStands(failure.source) ? ` LeadLens tries again after about ${RETRY_FAILED_SCORING_AFTER_MS / 3_600_000} hours, while the browser is open.` : '') +
        (scored > 0 && !failure.source ? ' The numbers below count only the leads scored so far.' : '')
      }
      action={
        <FocusKeepingButton type="button" onClick={() => scoreAgain.mutate()} unavailable={scoreAgain.isPending} {...buttonFocus}>
          Score them again
        </FocusKeepingButton>
      }
    />
  );
}

type ScoreAgainFocus = ReturnType<typeof useFocusFromScoreAgainToProgress>;

/**
 * The run Score them again starts shows its progress in place of the failure box, the button with
 * it: the focus it had would drop to the page's body, and a keyboard or screen reader user would
 * start again from the top. It goes to the progress instead (`progressBox`, focusable by script).
 * Only when it was on that button: not when it had moved to another control since, nor when
 * nothing had it (a run the hourly refresh starts).
 */
function useFocusFromScoreAgainToProgress(shown: 'progress' | 'failure' | null) {
  const buttonHadFocus = useRef(false);
  const progressBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (shown === 'failure') return;
    const focusLost = document.activeElement === null || document.activeElement === document.body;
    if (shown === 'progress' && buttonHadFocus.current && focusLost) progressBox.current?.focus();
    // The button is gone: a later run's progress has no focus of it to take.
    buttonHadFocus.current = false;
  }, [shown]);
  const buttonFocus = {
    onFocus: () => {
      buttonHadFocus.current = true;
    },
    // Moved to another control; not gone nowhere (the button taken away from under it, the browser window left).
    onBlur: (event: FocusEvent) => {
      if (event.relatedTarget !== null) buttonHadFocus.current = false;
    },
  };
  return { progressBox, buttonFocus };
}

/** Demo leads stored beside the user's own are counted with them: say so, and where they go. */
function DemoLeadsMixedNote() {
  const mix = useQuery({ queryKey: queryKeys.demoLeadMix(), queryFn: demoLeadMix });
  if (!mix.data || mix.data.demo === 0 || mix.data.own === 0) return null;
  return (
    <p role="note" data-testid="demo-leads-mixed">
      {plural(mix.data.demo, 'demo lead is', 'demo leads are')} counted here with your own.{' '}
      <button type="button" className="link-button" onClick={openOptions}>
        Remove them in Options (Demo mode)
      </button>
    </p>
  );
}

const UNREADABLE_ADVICE =
  'the active model reads none of their fields (a file whose columns it does not know, a CRM it has no fields of). Train a model on them in Options, under Train on your history.';

/**
 * Whether the sync may have stored leads that the finished scoring run `done` has not been over:
 * while it runs (its end scores them), or when it stopped (an error, a Cancel: no scoring follows)
 * after that run finished, or before it when that run covered another CRM's leads only (which run
 * over every lead came after the sync is not known then). A sync stopped before a run over every
 * lead, or over its CRM's, finished had its leads scored by that run, however long ago it stopped.
 */
function syncUnsettled(sync: Pick<SyncSummary, 'crm' | 'status' | 'endedAt'>, done: JobProgress): boolean {
  if (sync.status === 'running') return true;
  if ((sync.status !== 'error' && sync.status !== 'cancelled') || sync.endedAt === null) return false;
  const coversItsLeads = done.source === undefined || done.source === sync.crm;
  return !coversItsLeads || done.finishedAt === undefined || sync.endedAt > done.finishedAt;
}

/**
 * How many stored leads the active model's finished scoring left without a score; null while
 * unknown, while it is not finished, or while a sync may have stored leads it has not scored
 * (`syncUnsettled`).
 */
function useUnscoredCount(scored: number, job: JobProgress | null | undefined, modelId: string | undefined): number | null {
  // The demo note's count of every stored lead (demo and own), one query for both.
  const mix = useQuery({ queryKey: queryKeys.demoLeadMix(), queryFn: demoLeadMix });
  const stored = mix.data && mix.data.demo + mix.data.own;
  // Read again with the leads (a sync's end scores its leads, and that job's end reads the leads again).
  const syncs = useQuery({
    queryKey: [...queryKeys.leads(), 'syncs'],
    queryFn: async () => (await succeeded(background.syncStatus({}))).syncs,
  });
  const doneRun = job?.state === 'done' && job.modelId === modelId ? job : undefined;
  const finished = doneRun !== undefined && syncs.data !== undefined && !syncs.data.some((sync) => syncUnsettled(sync, doneRun));
  return finished && stored !== undefined && stored > scored ? stored - scored : null;
}

/** The stored leads the finished scoring gave no score (the panel counts scored leads only): a rep would not know they exist. */
function UnscoredLeadsNote({ count }: { count: number }) {
  return (
    <p role="note" data-testid="unscored-leads">
      {plural(count, 'stored lead has', 'stored leads have')} no score, left out below: {UNREADABLE_ADVICE}
    </p>
  );
}

/**
 * What a CRM connection set up but not usable asks of the user, in the options page's words for its
 * status ("Needs reconnecting", "Not working"); null for one connected or not connected at all.
 */
function unusableConnectionAdvice({ crm, status }: Pick<ConnectionReply, 'crm' | 'status'>): string | null {
  if (status === 'reconnect') return `${CRM_LABEL[crm]} needs reconnecting under Options › CRM connections.`;
  if (status === 'error') return `${CRM_LABEL[crm]} is not working: see Options › CRM connections.`;
  return null;
}

/**
 * Why none of a connected CRM's leads is scored, as its last sync tells (`lastSyncOutcome`): one
 * that stopped after it stored some leaves them unscored, which a sync that goes on to its end
 * scores. Null when syncing is what it asks: never synced, a sync cancelled, one that stored leads,
 * scored at its end, or one the CRM refused the credentials of and that was reconnected since (as
 * the Sync section offers it).
 */
function lastSyncAdvice(sync: SyncSummary | undefined): string | null {
  if (sync === undefined || (sync.status === 'error' && sync.errorKind === 'auth' && sync.connection === 'connected')) return null;
  const lastSync = lastSyncOutcome(sync, `The last ${CRM_LABEL[sync.crm]} sync`);
  if (lastSync.kind === 'stopped') {
    return lastSync.stored > 0
      ? `${lastSync.clause}: see why under Options › Sync, and sync again there to finish it and score them.`
      : `${lastSync.clause}: see why under Options › Sync.`;
  }
  if (lastSync.kind === 'found-none') return `${lastSync.clause}. ${lastSync.askAdmin}, then sync again under Options › Sync.`;
  return null;
}

/**
 * What to do when no lead is scored: wait for a sync that runs (it scores its leads at its end),
 * else sync a connected CRM (connecting starts none), or see why its last sync found no leads or
 * stopped (`lastSyncAdvice`), or fix one that needs reconnecting or is not working (connecting it
 * anew is not what it asks), else add a source of leads.
 */
function NoScoredLeads() {
  const connections = useQuery({ queryKey: queryKeys.connections(), queryFn: async () => (await succeeded(background.connectionStatus({}))).connections });
  // Read again each second while one runs, for its progress and its end (polling also wakes a stopped worker, which resumes it).
  const syncs = useQuery({
    queryKey: queryKeys.syncs(),
    queryFn: () => succeeded(background.syncStatus({})),
    refetchInterval: (query) => (query.state.data?.syncs.some((sync) => sync.status === 'running') ? 1000 : false),
  });
  // A run's end changed the stored leads: what is read with them (scored leads, settled syncs) and the connection's status are read again.
  useInvalidateWhenRunEnds(syncs.data?.syncs, (sync) => (sync.status === 'running' ? null : [sync.status, sync.endedAt, sync.error]), [queryKeys.leads(), queryKeys.connections()]);
  const connected = (connections.data ?? [])
    .filter((connection) => connection.status === 'connected')
    .map(({ crm }) => ({ crm, lastSync: lastSyncAdvice(syncs.data?.syncs.find((sync) => sync.crm === crm)) }));
  const toSync = connected.filter(({ lastSync }) => lastSync === null).map(({ crm }) => CRM_LABEL[crm]);
  const connectionAdvice = [
    toSync.length > 0 ? `Connected to ${toSync.join(' and ')}: sync it under Options › Sync to store and score its leads.` : null,
    ...connected.map(({ lastSync }) => lastSync),
    ...(connections.data ?? []).map(unusableConnectionAdvice),
  ].filter((advice) => advice !== null);
  const running = (syncs.data?.syncs ?? []).filter((sync) => sync.status === 'running');
  if (running.length > 0) {
    return (
      <EmptyState title="No scored leads yet">
        <p style={{ margin: '0 0 8px' }} data-testid="no-leads-advice">
          Syncing {running.map((sync) => CRM_LABEL[sync.crm]).join(' and ')}: {running.length === 1 ? 'its leads are scored when the sync ends.' : 'their leads are scored when each sync ends.'}
        </p>
        {running.map((sync) => (
          <JobProgressBar key={sync.crm} label={`Syncing ${CRM_LABEL[sync.crm]}`} done={sync.synced} total={sync.remaining === null ? null : sync.synced + sync.remaining} />
        ))}
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No scored leads yet">
      <p style={{ margin: '0 0 8px' }} data-testid="no-leads-advice">
        {connectionAdvice.length > 0
          ? connectionAdvice.join(' ')
          : 'Connect HubSpot or Salesforce in Options, import a CSV there, or load the demo data to see LeadLens at work.'}
      </p>
      <button type="button" onClick={openOptions}>
        Open Options
      </button>
    </EmptyState>
  );
}

function Segments() {
  const scored = useScoredLeads();
  return (
    <>
      {/* On the panel before a scoring run starts, so that the start is heard; the bar's counts are read in place. */}
      <StatusRegion visuallyHidden>{scored.job?.state === 'running' && 'Scoring stored leads…'}</StatusRegion>
      <ScoredLeads {...scored} />
    </>
  );
}

function ScoredLeads({ leads, job, modelId }: ReturnType<typeof useScoredLeads>) {
  const unscored = useUnscoredCount(leads.data?.rows.length ?? 0, job, modelId);
  const manifest = useManifest(modelId);
  const sourceWord = useMemo(() => leadSourceWords(manifest.data), [manifest.data]);
  const outcomeBasis = useOutcomeBasis(modelId);
  // Only a run of the active model leaves its leads scored in part. A failed run over every lead or
  // the CSV leads is told of until one over its leads succeeds (before a later one-CRM run's failure: it leaves more unscored).
  // One stopped because another model was made active is no failure: made active again, its model scores every lead.
  const failure = job && [standingFailure(job), job.state === 'failed' && job.supersededBy === undefined ? job : undefined].find((failed) => failed?.modelId === modelId);
  const running = job?.state === 'running';
  const { progressBox, buttonFocus } = useFocusFromScoreAgainToProgress(running ? 'progress' : failure && leads.isSuccess ? 'failure' : null);
  const progress = running && (
    <div ref={progressBox} tabIndex={-1}>
      <JobProgressBar label="Scoring stored leads" done={job.done} total={job.total} />
    </div>
  );
  if (leads.isPending) return <>{progress || <Loading what="scored leads" />}</>;
  if (leads.isError) {
    return <ErrorState message={`The stored leads could not be read: ${leads.error.message}`} action={<button type="button" onClick={() => void leads.refetch()}>Try again</button>} />;
  }
  const scoring = progress || (failure && <ScoringFailed failure={failure} scored={leads.data.rows.length} buttonFocus={buttonFocus} />);
  // The leads are stored, not yet scored: no CRM or CSV is missing.
  if (leads.data.rows.length === 0 && scoring) return <>{scoring}</>;
  if (leads.data.rows.length === 0 && unscored !== null) {
    return (
      <EmptyState title="No stored lead could be scored">
        <p style={{ margin: '0 0 8px' }} data-testid="no-leads-advice">
          {plural(unscored, 'lead is', 'leads are')} stored, but {UNREADABLE_ADVICE}
        </p>
        <button type="button" onClick={openOptions}>
          Open Options
        </button>
      </EmptyState>
    );
  }
  if (leads.data.rows.length === 0) return <NoScoredLeads />;
  return (
    <>
      {scoring}
      {!scoring && unscored !== null && <UnscoredLeadsNote count={unscored} />}
      <DemoLeadsMixedNote />
      {manifest.data && learntFromMadeUpLeads(manifest.data) && <MadeUpLeadsModelNote />}
      <SegmentView leads={leads.data} sourceWord={sourceWord} outcomeBasis={outcomeBasis} />
    </>
  );
}

export function App() {
  return (
    <PageShell title="LeadLens">
      <PartBoundary name="The open lead">
        <OpenLeadView />
      </PartBoundary>
      <PartBoundary name="Segments">
        <Segments />
      </PartBoundary>
    </PageShell>
  );
}
