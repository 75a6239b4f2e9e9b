/** The side panel's data: the active model's scored leads, and the lead open in the active tab. */
import { partialMatchKey, queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { CRM_URL_FILTERS } from '@/lib/crm/match-patterns';
import { background } from '@/lib/messaging/client';
import type { OpenLead } from '@/lib/messaging/protocol-leads';
import { succeeded } from '@/lib/messaging/reply';
import { onEvent } from '@/lib/messaging/events';
import type { ModelOutcomeRule } from '@/lib/ml/outcome-rule';
import { learntFromBasisOf, type LearntFromBasis } from '@/lib/ml/tier-policy';
import type { TierThresholds } from '@/lib/ml/train/thresholds';
import { queryKeys } from '@/lib/query-keys';
import type { RuleOutcomes } from '@/lib/segments';
import { useActiveModelId, useInvalidateOnEvent, useInvalidateWhenJobEnds, useManifest } from '@/lib/ui/hooks';
import { leadAgesCountedFrom, loadScoredLeads, recordPageScoresDifferFrom } from '@/lib/ui/stored-data';
import { askWorkerOnce, okReply } from '@/lib/worker-once';
import { byLead, RuleOutcomesReplySchema, type RuleOutcomesRequest } from './rule-outcomes';

/** The active model's scored leads, as the panel lists them: one query, read by the list and by a record page's score alike. */
const scoredLeadsQuery = (modelId: string) => queryOptions({ queryKey: queryKeys.scoredLeads(modelId), queryFn: () => loadScoredLeads(modelId) });

export function useScoredLeads() {
  const modelId = useActiveModelId();
  const job = useInvalidateWhenJobEnds('scoring', [queryKeys.leads()]);
  useInvalidateWhenJobEnds('retier', [queryKeys.leads()]);
  useInvalidateOnEvent('storedDataDeleted', [queryKeys.leads()]);
  useInvalidateOnEvent('ownersNamed', [queryKeys.leads()]);
  useReadAgainWhenRecordPageScores(modelId);
  const leads = useQuery({
    ...scoredLeadsQuery(modelId ?? ''),
    enabled: modelId !== undefined,
    // Every re-read is a new list: comparing it row by row with the last one blocks the panel (0.4–0.7 s at 200,000 leads) to save nothing.
    structuralSharing: false,
  });
  useReadAgainWhenPageScoresGoStale(modelId, leads.data?.listedOtherwiseUntil, leads.dataUpdatedAt);
  return { leads, job, modelId };
}

/** The longest delay a browser timer keeps: a longer one fires at once. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * A record page's score that lists a lead otherwise than its stored score stops being reused at
 * `listedOtherwiseUntil` (`loadScoredLeads`): its badge then shows the stored score, and the leads
 * are read again by the panel's own clock, no event saying so. A "stale after" beyond the longest
 * timer (up to a year) reads them again at that timer's end, and waits again.
 */
function useReadAgainWhenPageScoresGoStale(modelId: string | undefined, listedOtherwiseUntil: number | undefined, readAt: number): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (modelId === undefined || listedOtherwiseUntil === undefined) return;
    const readAgain = () => void queryClient.invalidateQueries({ queryKey: queryKeys.scoredLeads(modelId) });
    const timer = setTimeout(readAgain, Math.min(Math.max(0, listedOtherwiseUntil - Date.now()), LONGEST_TIMER_MS));
    return () => clearTimeout(timer);
  }, [modelId, listedOtherwiseUntil, readAt, queryClient]);
}

/**
 * A record page's score was cached (a badge scored): its lead is counted and listed by it
 * (`loadScoredLeads`), so the leads are read again when one lists otherwise than the panel does.
 */
function useReadAgainWhenRecordPageScores(modelId: string | undefined): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (modelId === undefined) return;
    const controller = new AbortController();
    const query = scoredLeadsQuery(modelId);
    const readAgainIfListedOtherwise = async () => {
      // The rows listed, or those of the read under way (its promise, not a second read): a read that began
      // before this page's score was cached has not seen it, and is then read again.
      const listed = await queryClient.ensureQueryData(query);
      if ((await recordPageScoresDifferFrom(modelId, listed.rows)) && !controller.signal.aborted) await queryClient.invalidateQueries({ queryKey: query.queryKey });
    };
    // Unreadable now: the list stays as it is until the next scoring or another lead opened.
    onEvent('openLeadChanged', () => void readAgainIfListedOtherwise().catch(() => undefined), controller.signal);
    return () => controller.abort();
  }, [modelId, queryClient]);
}

// The panel's parts read a manifest from here, with the rest of its data.
export { useManifest };

const createRuleOutcomesWorker = () => new Worker(new URL('./rule-outcomes-worker.ts', import.meta.url), { type: 'module' });

/**
 * `readRuleOutcomes` in a worker of its own, ended once it answers or `signal` aborts; `crossFittedKept`: whether the
 * leads the model learnt from came with their cross-fitted probabilities (a model trained before LeadLens kept them has none).
 */
async function readRuleOutcomesInWorker(request: RuleOutcomesRequest, signal: AbortSignal): Promise<{ outcomes: RuleOutcomes; learntFrom: boolean; crossFittedKept: boolean }> {
  const reply = await askWorkerOnce(
    createRuleOutcomesWorker,
    request,
    {
      read: okReply(RuleOutcomesReplySchema, (error) => `The outcome worker sent an unexpected message: ${error.message}`),
      crashed: (message) => message || 'The outcome worker failed',
      unreadable: 'The outcome worker sent a reply that could not be read',
    },
    signal,
  );
  return { outcomes: byLead(reply.outcomes), learntFrom: reply.outcomes.learntFrom, crossFittedKept: reply.outcomes.crossFittedProbabilities !== undefined };
}

/** What the side panel's conversion rates count as a lead's outcome (see `segmentFigures`). */
export type OutcomeBasis =
  /**
   * The outcome stored at sync or import: a model without an outcome rule (the bundled model, one
   * trained by the CLI), a lead's known once it is old enough; an imported file's leads by their
   * age at `fileAgesFrom`, its latest created date, as the options page counts them (from now when absent).
   */
  | { kind: 'stored'; fileAgesFrom?: number }
  /**
   * The model's rule, the outcomes by it of the leads that count, with the held-out probabilities of
   * those it learnt from, its tier thresholds now (which tier those for the rates), whether those
   * include leads it learnt from whatever their age, and which of their probabilities its tier
   * policy now counts them by (`learntFromBasisOf`, as the options page does).
   */
  | { kind: 'rule'; rule: ModelOutcomeRule; outcomes: RuleOutcomes; thresholds: TierThresholds; learntFrom: boolean; learntFromBy: LearntFromBasis }
  /** Not known yet: the model, or the outcomes by its rule, are being read. */
  | { kind: 'reading' }
  /** The model or the outcomes by its rule could not be read: no conversion rate, rather than the stored outcomes. */
  | { kind: 'unreadable'; error: string };

/**
 * The active model's `OutcomeBasis`: for a model with an outcome rule, the outcomes of the stored
 * leads by it (`readRuleOutcomes`, as the options page labels them), read again with the leads,
 * and its tier thresholds, read again when a re-tier ends (a tier policy applied).
 * The outcomes, or the file's date (each a read of the whole store: leads or counts), are first read
 * once the panel's scored leads are (`leadsRead`): beside them, they held up the leads' read on the
 * same IndexedDB, and the rates are drawn with the leads anyway ('reading' until then).
 */
export function useOutcomeBasis(modelId: string | undefined, leadsRead: boolean): OutcomeBasis {
  const manifest = useManifest(modelId);
  const rule = manifest.data?.outcomeRule;
  // Read again when the leads may have changed (a sync's or import's leads scored, stored data deleted);
  // a re-tier or owners named leave the outcomes as they are, and reading every lead again costs seconds.
  const outcomesKey = queryKeys.ruleOutcomes(modelId ?? '');
  const manifestKey = queryKeys.manifest(modelId ?? '');
  // The manifest too: every activation ends in a scoring of every lead, of the model already active as well
  // (trained again to its own id in the options page, its stored manifest took that training's record and rule labels).
  useInvalidateWhenJobEnds('scoring', [outcomesKey, manifestKey]);
  useInvalidateOnEvent('storedDataDeleted', [outcomesKey]);
  // The thresholds the leads it learnt from are tiered by for the rates, and the policy that says by which of their
  // probabilities (`learntFromBasisOf`): those the stored scores were just re-tiered by.
  useInvalidateWhenJobEnds('retier', [manifestKey]);
  const outcomes = useQuery({
    queryKey: outcomesKey,
    queryFn: ({ signal }) => readRuleOutcomesInWorker({ modelId: modelId!, rule: rule!, now: Date.now() }, signal),
    enabled: leadsRead && modelId !== undefined && rule !== undefined,
  });
  const fileAgesKey = queryKeys.fileAgesFrom();
  useInvalidateWhenJobEnds('scoring', [fileAgesKey]);
  useInvalidateOnEvent('storedDataDeleted', [fileAgesKey]);
  const fileAgesFrom = useQuery({
    queryKey: fileAgesKey,
    queryFn: () => leadAgesCountedFrom('csv', Date.now()),
    enabled: leadsRead && manifest.data !== undefined && rule === undefined,
  });
  if (manifest.isError) return { kind: 'unreadable', error: manifest.error.message };
  if (!manifest.data) return { kind: 'reading' };
  if (!rule) {
    if (fileAgesFrom.isError) return { kind: 'unreadable', error: fileAgesFrom.error.message };
    return fileAgesFrom.data === undefined ? { kind: 'reading' } : { kind: 'stored', fileAgesFrom: fileAgesFrom.data };
  }
  if (outcomes.isError) return { kind: 'unreadable', error: outcomes.error.message };
  if (!outcomes.data) return { kind: 'reading' };
  const { crossFittedKept, ...read } = outcomes.data;
  const { tiers, calibration } = manifest.data;
  return { kind: 'rule', rule, thresholds: tiers, ...read, learntFromBy: learntFromBasisOf(tiers.policy, calibration, crossFittedKept) };
}

/**
 * The id of the tab the rep is looking at in the panel's window (a panel per window, each
 * following its own). When the panel itself is shown as a tab (tests, screenshots), its own
 * tab is skipped so it keeps following the CRM tab.
 */
function useActiveTabId(): number | null {
  const [tabId, setTabId] = useState<number | null>(null);
  useEffect(() => {
    let ownTabId: number | undefined;
    let ownWindowId: number | undefined;
    const follow = (id: number | undefined) => {
      if (id !== undefined && id !== ownTabId) setTabId(id);
    };
    void (async () => {
      ownTabId = (await browser.tabs.getCurrent())?.id;
      ownWindowId = (await browser.windows.getCurrent()).id;
      const [active] = await browser.tabs.query({ active: true, currentWindow: true });
      follow(active?.id);
    })();
    // Until the panel's window is known, the query above gives its active tab.
    const onActivated = (info: { tabId: number; windowId: number }) => info.windowId === ownWindowId && follow(info.tabId);
    browser.tabs.onActivated.addListener(onActivated);
    return () => browser.tabs.onActivated.removeListener(onActivated);
  }, []);
  return tabId;
}

/** The webNavigation filter of the CRM pages, where the content script runs and leads are open. */
const CRM_PAGES: Browser.webNavigation.WebNavigationEventFilter = { url: CRM_URL_FILTERS };

/**
 * The webNavigation events of a tab going to another page: a page committed, or one that did not
 * load (the connection dropped), where Chrome shows its error page and no commit is reported. Chrome
 * says the same of a page whose load was stopped (Esc): asked again, the background still shows
 * its lead (open-lead.ts `pageShownIn`). Read when listened to: tests put their own events in place.
 */
const pageChangeEvents = () => [browser.webNavigation.onCommitted, browser.webNavigation.onErrorOccurred];

/**
 * What the background says of the tab's lead: the lead, explained, or none (`reading`: its record
 * page has not asked to score it yet, or its badge waits until `readingUntil` for the page's fields;
 * `purged`: "Purge everything" stopped the page until it reloads).
 */
export interface OpenLeadAnswer {
  lead: OpenLead | null;
  reading: boolean;
  readingUntil?: number;
  purged?: boolean;
}

/**
 * The lead tab `tabId` shows, as the background reads it (seconds, for a CRM record). The tab may
 * leave the page meanwhile, for any site: the panel's CRM-only listener would not hear that, and
 * the answer about the page left would stay on the panel. So the tab's next page, wherever it
 * is and whether it loads or not, is heard while the background reads, and after one the lead is
 * asked for again.
 */
async function readOpenLead(tabId: number, signal: AbortSignal): Promise<OpenLeadAnswer> {
  let left = false;
  const onPageChanged = (details: { tabId: number; frameId: number }) => {
    if (details.tabId === tabId && details.frameId === 0) left = true;
  };
  for (const event of pageChangeEvents()) event.addListener(onPageChanged);
  const reply = background.openLead({ tabId });
  try {
    await reply;
  } finally {
    for (const event of pageChangeEvents()) event.removeListener(onPageChanged);
  }
  // A refusal is about the page left too. A read cancelled (a CRM page's navigation already asked again) is not repeated.
  if (left && !signal.aborted) return readOpenLead(tabId, signal);
  const { lead, reading, readingUntil, purged } = await succeeded(reply);
  return { lead, reading, readingUntil, purged };
}

/**
 * The answer about a tab the panel does not follow now is kept, so that switching back to a tab
 * whose lead is unchanged shows it at once rather than "Loading", but only while it is up to date:
 * once something says it is not (that tab scored another lead or navigated, a purge, a disconnect,
 * a re-tier), it is dropped, not merely marked for a read on the next switch. Kept, it would show
 * the lead, or the tier, of the last visit while the tab's lead is read again. A tab leaving the
 * CRM for another site is heard only while the panel shows something of its own tab's page (the
 * navigation listener below): until then another tab's kept answer is shown on return while read again.
 *
 * Not only when it is marked out of date: an answer already marked is not marked again (no event),
 * and one becomes unfollowed, still marked, when the rep switches tab while it is read again (the
 * read is cancelled and the last answer put back as it was) or before the mark is heard. So any
 * change to an unfollowed answer, and its losing the panel, drops it if it is marked. A refusal
 * is marked too: it is read again on the next switch anyway.
 */
function useForgetOutdatedAnswersOfOtherTabs(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const cache = queryClient.getQueryCache();
    return cache.subscribe((event) => {
      const { query } = event;
      if (event.type !== 'updated' && event.type !== 'observerRemoved') return;
      if (!partialMatchKey(query.queryKey, queryKeys.openLeads())) return;
      // Observed: the tab followed now, whose answer is read again.
      if (query.getObserversCount() === 0 && query.state.isInvalidated) cache.remove(query);
    });
  }, [queryClient]);
}

/**
 * The lead the active tab shows, refreshed when the tab scores another lead or navigates, when
 * tiers or the active model change, and when stored data are deleted.
 */
export function useOpenLead() {
  const tabId = useActiveTabId();
  // Its score and tier are the active model's: another model (activated, rolled back) is another query.
  const modelId = useActiveModelId();
  const queryClient = useQueryClient();
  // The open lead's explanation: the lead (with the thresholds it was tiered by), and its model's manifest (shapes, calibration).
  // Every tab's lead, not only the one followed now: the answers kept for the others are out of date too.
  const explanationKeys = [queryKeys.models(), queryKeys.openLeads()];
  // Every tier-policy change re-tiers the stored scores: once that ends, the thresholds and the lead's tier have changed.
  useInvalidateWhenJobEnds('retier', explanationKeys);
  // The lead, its model or the tab's remembered lead may be gone.
  useInvalidateOnEvent('storedDataDeleted', explanationKeys);
  useForgetOutdatedAnswersOfOtherTabs();
  const lead = useQuery({
    queryKey: queryKeys.openLeadScoredBy(tabId, modelId),
    queryFn: ({ signal }) => readOpenLead(tabId!, signal),
    enabled: tabId !== null && modelId !== undefined,
    // A refusal (no field LeadLens can read) is the background's answer: asking again would only
    // read the CRM record again and show "Loading" for seconds before the reason.
    retry: false,
  });
  // The badge's wait for the page's fields is over: ask again by the panel's own clock, not waiting for the
  // background to say so (Chrome may stop its service worker before then). Each answer sets its own timer.
  const readingUntil = lead.data?.readingUntil;
  useEffect(() => {
    if (tabId === null || readingUntil === undefined) return;
    const timer = setTimeout(() => void queryClient.invalidateQueries({ queryKey: queryKeys.openLead(tabId) }), Math.max(0, readingUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [tabId, queryClient, readingUntil, lead.dataUpdatedAt]);
  // Whether the panel shows something of the tab's page: its lead, that it is reading it, that a purge stopped it, or why it could not score one.
  const showsPage = lead.data?.lead != null || lead.data?.reading === true || lead.data?.purged === true || lead.isError;
  useEffect(() => {
    if (tabId === null) return;
    // The tab followed: its lead is read again. Another tab: the answer kept for it is dropped (`useForgetOutdatedAnswersOfOtherTabs`).
    const refresh = (changedTabId: number) => void queryClient.invalidateQueries({ queryKey: queryKeys.openLead(changedTabId) });
    const controller = new AbortController();
    onEvent('openLeadChanged', (event) => refresh(event.tabId), controller.signal);
    // Leaving a lead for another page (full or client-side navigation, or one that did not load) clears the open lead.
    const onNavigated = (details: { tabId: number; frameId: number }) => {
      if (details.frameId === 0) refresh(details.tabId);
    };
    // Only CRM pages' navigations, so the panel neither wakes for nor hears of the other sites
    // the rep browses. Leaving a CRM page for another site goes to a URL the filter drops: while
    // the panel shows something of the page, it hears the tab's next page wherever it is (while
    // it reads the page, `readOpenLead` does). A client-side navigation stays on its site, so it
    // is always filtered.
    // No filter argument at all, not `undefined`: Chrome's binding refuses an undefined filter (the effect threw, and the panel went blank).
    for (const event of pageChangeEvents()) {
      if (showsPage) event.addListener(onNavigated);
      else event.addListener(onNavigated, CRM_PAGES);
    }
    browser.webNavigation.onHistoryStateUpdated.addListener(onNavigated, CRM_PAGES);
    return () => {
      controller.abort();
      for (const event of pageChangeEvents()) event.removeListener(onNavigated);
      browser.webNavigation.onHistoryStateUpdated.removeListener(onNavigated);
    };
  }, [tabId, queryClient, showsPage]);
  return { lead, tabId };
}

/**
 * A stored lead of an imported file, chosen from the top leads (`leadKey`), explained in full by the
 * active model in the background (`explainStoredLead`); read again with the leads, whose re-reads
 * `useScoredLeads` asks for (`queryKeys.storedLeadExplained`). A refusal (the lead no longer stored)
 * is the background's answer: not retried.
 */
export function useStoredLeadExplained(leadKey: string) {
  const modelId = useActiveModelId();
  return useQuery({
    queryKey: queryKeys.storedLeadExplained(leadKey, modelId),
    queryFn: async () => (await succeeded(background.explainStoredLead({ leadKey }))).lead,
    enabled: modelId !== undefined,
    retry: false,
  });
}
