import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FocusEvent } from 'react';
import { FocusKeepingButton } from '@/components/KeepFocus';
import { PageShell } from '@/components/PageShell';
import { PartBoundary } from '@/components/PartBoundary';
import { EmptyState, ErrorState, JobProgressBar, Loading, StatusRegion } from '@/components/StatusMessage';
import { useOwedScoringOfEveryLead } from '@/lib/ui/owed-scoring';
import { unscorableLeadCounts } from '@/lib/ui/stored-data';
import { useInvalidateOnEvent, useReadEverythingAgainWhenPurged } from '@/lib/ui/hooks';
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
import { leadSourceWords, type ScoredLeadRow } from '@/lib/segments';
import { db } from '@/lib/db/db';
import { keptLeadSourceLabels } from '@/lib/sync/store';
import { browser } from 'wxt/browser';
import { useManifest, useOutcomeBasis, useScoredLeads } from './hooks';
import { MadeUpLeadsModelNote, OpenLeadView } from './OpenLeadView';
import { SegmentView } from './SegmentView';

const openOptions = () => void browser.runtime.openOptionsPage();

type ScoringFailure = Pick<JobProgress, 'modelId' | 'done' | 'total' | 'error' | 'failedItems' | 'source'>;

/** The leads of a one-source run, as the failure names them: "the CSV leads new or changed since they were last scored". */
const SOURCE_WORDS = { ...CRM_LABEL, csv: 'CSV' };

/** Said beside figures read while scores are missing: of the `scored` leads when the panel knows how many are. */
function countsOnlyScoredSoFar(scored?: number): string {
  return `The numbers below count only the ${scored === undefined ? 'leads' : plural(scored, 'lead', 'leads')} scored so far.`;
}

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
        (scored > 0 && !failure.source ? ` ${countsOnlyScoredSoFar()}` : '')
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

/**
 * Demo leads stored beside the user's own (`madeUp`, `scoredDemo` of them scored) are counted with
 * them in the tiers, not in the conversion rates (`segmentFigures`): say so, and where they go.
 */
function DemoLeadsMixedNote({ scoredDemo }: { scoredDemo: number }) {
  if (scoredDemo === 0) return null;
  return (
    <p role="note" data-testid="demo-leads-mixed">
      {plural(scoredDemo, 'demo lead is', 'demo leads are')} counted here in the tiers with your own, not in the conversion rates.{' '}
      <button type="button" className="link-button" onClick={openOptions}>
        Remove them in Options (Demo mode)
      </button>
    </p>
  );
}

const UNREADABLE_ADVICE =
  'the active model reads none of their fields (a file whose columns it does not know, a CRM it has no fields of). Train a model on them in Options, under Train on your history.';

/** Demo leads beside your own that the active model reads nothing of: made up, nothing to train a model on. */
const UNREADABLE_DEMO_ADVICE = 'the active model reads none of their fields. They are made-up examples: remove them in Options (Demo mode) rather than train on them.';

/**
 * The stored leads the active model's finished scoring left without a score: those it reads none
 * of the fields of (`db.unscorableLeads`), Demo mode's apart once leads of your own are stored,
 * and the rest, waiting to be scored (a sync's or an import's leads whose scoring has not run yet).
 */
interface UnscoredLeads {
  unreadable: number;
  unreadableDemo: number;
  waiting: number;
}

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
 * How many leads are stored, and how many are your own (not Demo mode's); undefined until read.
 * Counted once the scored leads are read (`leadsRead`): the counts walk the whole store, which
 * the leads' read, on the same IndexedDB, would wait behind (100,000 leads). No figure the panel
 * draws first needs them, only notes beside it.
 */
function useStoredLeadMix(leadsRead: boolean): { mix: { total: number; own: number } | undefined; reading: boolean } {
  const mix = useQuery({ queryKey: queryKeys.demoLeadMix(), queryFn: demoLeadMix, enabled: leadsRead });
  return { mix: mix.data && { total: mix.data.demo + mix.data.own, own: mix.data.own }, reading: leadsRead && mix.isPending };
}

/**
 * The stored leads the active model's finished scoring left without a score (`UnscoredLeads`); null
 * while unknown (the `scored` leads not read yet: undefined), while it is not finished, while its
 * scoring of every lead is owed (the panel says they wait for it), or while a sync may have stored
 * leads it has not scored (`syncUnsettled`).
 *
 * Read one after the other, each only when the answer may need it: the stored leads counted once
 * the scored ones are read, then, only when more are stored than scored, the unscorable ones and
 * the syncs (the background counts each CRM's own leads for them). Read beside the scored leads,
 * these held up their read, on the same IndexedDB, for a note that is then almost always null.
 * `reading`: while a read the answer needs is under way (the scored leads read already), so that
 * a panel with no scored lead waits for it rather than advising to connect a CRM meanwhile.
 */
function useUnscoredLeads(
  scored: number | undefined,
  job: JobProgress | null | undefined,
  modelId: string | undefined,
  owedScoring: boolean,
): { unscored: UnscoredLeads | null; reading: boolean; storedLeads: number | undefined } {
  const { mix: stored, reading: storedReading } = useStoredLeadMix(scored !== undefined);
  const someUnscored = scored !== undefined && stored !== undefined && stored.total > scored;
  const doneRun = job?.state === 'done' && job.modelId === modelId ? job : undefined;
  const unscorableNeeded = modelId !== undefined && someUnscored;
  const unscorable = useQuery({
    queryKey: queryKeys.unscorableLeads(modelId ?? ''),
    queryFn: () => unscorableLeadCounts(modelId!),
    enabled: unscorableNeeded,
  });
  const syncsNeeded = someUnscored && !owedScoring && doneRun !== undefined;
  // Read again with the leads (a sync's end scores its leads, and that job's end reads the leads again).
  const syncs = useQuery({
    queryKey: queryKeys.syncsReadWithLeads(),
    queryFn: async () => (await succeeded(background.syncStatus({}))).syncs,
    enabled: syncsNeeded,
  });
  const reading = storedReading || (unscorableNeeded && unscorable.isPending) || (syncsNeeded && syncs.isPending);
  const storedLeads = stored?.total;
  const finished = !owedScoring && doneRun !== undefined && syncs.data !== undefined && !syncs.data.some((sync) => syncUnsettled(sync, doneRun));
  if (!finished || scored === undefined || stored === undefined || unscorable.data === undefined || stored.total <= scored) return { unscored: null, reading, storedLeads };
  // Demo mode's leads are told apart only beside your own: alone, they are what a model can be tried on.
  const unreadableDemo = stored.own > 0 ? unscorable.data.demo : 0;
  const unreadable = unscorable.data.total - unreadableDemo;
  return { unscored: { unreadable, unreadableDemo, waiting: Math.max(0, stored.total - scored - unscorable.data.total) }, reading, storedLeads };
}

/** Why stored leads have no score, a sentence per reason, as the note beside the figures says it. */
function unscoredSentences({ unreadable, unreadableDemo, waiting }: UnscoredLeads): string[] {
  return [
    unreadable > 0 && `${plural(unreadable, 'stored lead has', 'stored leads have')} no score, left out below: ${UNREADABLE_ADVICE}`,
    unreadableDemo > 0 && `${plural(unreadableDemo, 'demo lead has', 'demo leads have')} no score, left out below: ${UNREADABLE_DEMO_ADVICE}`,
    waiting > 0 && `${plural(waiting, 'stored lead is', 'stored leads are')} waiting to be scored, left out below until ${waiting === 1 ? 'it is' : 'they are'}.`,
  ].filter((sentence) => sentence !== false);
}

/** The stored leads the finished scoring gave no score (the panel counts scored leads only): a rep would not know they exist. */
function UnscoredLeadsNote({ unscored }: { unscored: UnscoredLeads }) {
  return (
    <p role="note" data-testid="unscored-leads">
      {unscoredSentences(unscored).join(' ')}
    </p>
  );
}

/**
 * The active model's scoring of every stored lead is owed (just made active, or rolled back to):
 * until its run ends, the scores are none, or the first batches', or old ones. Say so, with how
 * many leads the figures count: of the `stored` leads, all have scores when the model scored them
 * before (rolled back to, trained again to its own id), and those are its earlier scores. Nothing
 * until the stored leads are counted, rather than "only" of every lead.
 */
function OwedScoringNote({ waiting, scored, stored }: { waiting: boolean; scored: number; stored: number | undefined }) {
  if (stored === undefined) return null;
  return (
    <p role="note" data-testid="scored-so-far">
      {waiting && `${WAITING_FOR_OWED_SCORING} `}
      {scored >= stored ? EARLIER_SCORES_UNTIL_OWED_SCORING_ENDS : countsOnlyScoredSoFar(scored)}
    </p>
  );
}

const EARLIER_SCORES_UNTIL_OWED_SCORING_ENDS = "The numbers below are the active model's earlier scores until its scoring of every lead ends.";

const WAITING_FOR_OWED_SCORING = 'The stored leads are waiting their turn to be scored with the active model.';

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

/**
 * What the panel does with a lead chosen from the top leads: a file's is explained in the open lead's
 * card; a CRM lead's, once its page opened in the CRM tab, is explained there as the tab's lead.
 */
interface ChoosesLeads {
  onLeadChosen(row: ScoredLeadRow): void;
  /** Whether the top leads list a file's lead, one that can be chosen there (`SegmentView`); false while they are not shown. */
  onFileLeadsListed(listed: boolean): void;
}

function Segments(choosesLeads: ChoosesLeads) {
  const scored = useScoredLeads();
  return (
    <>
      {/* On the panel before a scoring run starts, so that the start is heard; the bar's counts are read in place. */}
      <StatusRegion visuallyHidden>{scored.job?.state === 'running' && 'Scoring stored leads…'}</StatusRegion>
      <ScoredLeads {...scored} {...choosesLeads} />
    </>
  );
}

function ScoredLeads({ leads, job, modelId, onLeadChosen, onFileLeadsListed }: ReturnType<typeof useScoredLeads> & ChoosesLeads) {
  const owedScoring = useOwedScoringOfEveryLead(modelId ?? '').run;
  const { unscored, reading: unscoredReading, storedLeads } = useUnscoredLeads(leads.data?.rows.length, job, modelId, owedScoring !== null);
  const leadsStored = (storedLeads ?? 0) > 0;
  const scoredDemo = useMemo(() => leads.data?.rows.filter((row) => row.madeUp).length ?? 0, [leads.data]);
  const manifest = useManifest(modelId);
  const portalSourceLabels = useQuery({ queryKey: queryKeys.leadSourceLabels(), queryFn: async () => (await keptLeadSourceLabels(db)) ?? {} });
  const sourceWord = useMemo(() => leadSourceWords(manifest.data, portalSourceLabels.data), [manifest.data, portalSourceLabels.data]);
  const outcomeBasis = useOutcomeBasis(modelId, leads.data !== undefined);
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
  // None scored: whether leads are stored, waiting or unscorable, is read after the leads (`useUnscoredLeads`); until then no advice.
  if (leads.data.rows.length === 0 && unscoredReading) return <Loading what="scored leads" />;
  if (leads.data.rows.length === 0 && owedScoring !== null && leadsStored) {
    return (
      <EmptyState title="No scored leads yet">
        <p style={{ margin: '0 0 8px' }} data-testid="no-leads-advice">
          {WAITING_FOR_OWED_SCORING}
        </p>
      </EmptyState>
    );
  }
  if (leads.data.rows.length === 0 && unscored !== null) {
    const { unreadable, unreadableDemo, waiting } = unscored;
    return (
      <EmptyState title={waiting > 0 ? 'No scored leads yet' : 'No stored lead could be scored'}>
        <p style={{ margin: '0 0 8px' }} data-testid="no-leads-advice">
          {waiting === 0 && unreadableDemo === 0 ? `${plural(unreadable, 'lead is', 'leads are')} stored, but ${UNREADABLE_ADVICE}` : unscoredSentences(unscored).join(' ')}
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
      {!failure && owedScoring !== null && <OwedScoringNote waiting={owedScoring.state === 'waiting'} scored={leads.data.rows.length} stored={storedLeads} />}
      {!scoring && unscored !== null && <UnscoredLeadsNote unscored={unscored} />}
      <DemoLeadsMixedNote scoredDemo={scoredDemo} />
      {manifest.data && learntFromMadeUpLeads(manifest.data) && <MadeUpLeadsModelNote />}
      <SegmentView leads={leads.data} sourceWord={sourceWord} outcomeBasis={outcomeBasis} onLeadChosen={onLeadChosen} onFileLeadsListed={onFileLeadsListed} />
    </>
  );
}

/**
 * What another page changes without a job whose end tells the panel: a connect or Disconnect, a
 * sync started (there, or by the schedule), whose rows are read again (and a sync then seen running
 * polled); and "Purge everything", after which everything is read again, as the purging page does.
 */
function useReadAgainWhatOtherPagesChange(): void {
  useInvalidateOnEvent('connectionsOrRunsChanged', [queryKeys.connections(), queryKeys.syncs(), queryKeys.syncsReadWithLeads()]);
  useReadEverythingAgainWhenPurged();
}

export function App() {
  useReadAgainWhatOtherPagesChange();
  // A file's lead chosen from the top leads, explained in the open lead's card until the rep goes back to the CRM tab's.
  const [fileLeadKey, setFileLeadKey] = useState<string | null>(null);
  // As the top leads tell it: the open lead's card reads no leads of its own (every stored lead read twice at each scoring job's end).
  const [fileLeadsListed, setFileLeadsListed] = useState(false);
  return (
    <PageShell title="LeadLens">
      <PartBoundary name="The open lead">
        <OpenLeadView fileLeadKey={fileLeadKey} onBack={() => setFileLeadKey(null)} fileLeadsListed={fileLeadsListed} />
      </PartBoundary>
      <PartBoundary name="Segments">
        <Segments onLeadChosen={({ leadKey, source }) => setFileLeadKey(source === 'csv' ? leadKey : null)} onFileLeadsListed={setFileLeadsListed} />
      </PartBoundary>
    </PageShell>
  );
}
