/** The side panel's data: the active model's scored leads, and the lead open in the active tab. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { onEvent } from '@/lib/messaging/events';
import { manifestOf } from '@/lib/ml/model-store';
import { queryKeys } from '@/lib/query-keys';
import { useActiveModelId, useInvalidateOnEvent, useInvalidateWhenJobEnds } from '@/lib/ui/hooks';
import { loadScoredLeads } from '@/lib/ui/stored-data';

export function useScoredLeads() {
  const modelId = useActiveModelId();
  const job = useInvalidateWhenJobEnds('scoring', [queryKeys.leads()]);
  useInvalidateWhenJobEnds('retier', [queryKeys.leads()]);
  useInvalidateOnEvent('storedDataDeleted', [queryKeys.leads()]);
  useInvalidateOnEvent('ownersNamed', [queryKeys.leads()]);
  const leads = useQuery({
    queryKey: queryKeys.scoredLeads(modelId ?? ''),
    queryFn: () => loadScoredLeads(modelId!),
    enabled: modelId !== undefined,
  });
  return { leads, job, modelId };
}

export function useManifest(modelId: string | undefined) {
  return useQuery({ queryKey: queryKeys.manifest(modelId ?? ''), queryFn: () => manifestOf(modelId!), enabled: modelId !== undefined });
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

/**
 * The lead the active tab shows, refreshed when the tab scores another lead or navigates, when
 * tiers or the active model change, and when stored data are deleted.
 */
export function useOpenLead() {
  const tabId = useActiveTabId();
  // Its score and tier are the active model's: another model (activated, rolled back) is another query.
  const modelId = useActiveModelId();
  const queryClient = useQueryClient();
  // The open lead's explanation: the lead, and its model's manifest (tier thresholds).
  const explanationKeys = [queryKeys.models(), queryKeys.openLead(tabId)];
  // Every tier-policy change re-tiers the stored scores: once that ends, the thresholds and the lead's tier have changed.
  useInvalidateWhenJobEnds('retier', explanationKeys);
  // The lead, its model or the tab's remembered lead may be gone.
  useInvalidateOnEvent('storedDataDeleted', explanationKeys);
  useEffect(() => {
    if (tabId === null) return;
    const refresh = () => void queryClient.invalidateQueries({ queryKey: queryKeys.openLead(tabId) });
    const controller = new AbortController();
    onEvent('openLeadChanged', (event) => event.tabId === tabId && refresh(), controller.signal);
    // Leaving a lead for another page (full or client-side navigation) clears the open lead.
    const onNavigated = (details: { tabId: number; frameId: number }) => {
      if (details.tabId === tabId && details.frameId === 0) refresh();
    };
    browser.webNavigation.onCommitted.addListener(onNavigated);
    browser.webNavigation.onHistoryStateUpdated.addListener(onNavigated);
    return () => {
      controller.abort();
      browser.webNavigation.onCommitted.removeListener(onNavigated);
      browser.webNavigation.onHistoryStateUpdated.removeListener(onNavigated);
    };
  }, [tabId, queryClient]);
  const lead = useQuery({
    queryKey: [...queryKeys.openLead(tabId), modelId],
    queryFn: async () => {
      return (await succeeded(background.openLead({ tabId: tabId! }))).lead;
    },
    enabled: tabId !== null && modelId !== undefined,
    // A refusal (no field LeadLens can read) is the background's answer: asking again would only
    // read the CRM record again and show "Loading" for seconds before the reason.
    retry: false,
  });
  return { lead, tabId };
}
