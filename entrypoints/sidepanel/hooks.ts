/** The side panel's data: the active model's scored leads, and the lead open in the active tab. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { background } from '@/lib/messaging/client';
import { onEvent } from '@/lib/messaging/events';
import { manifestOf } from '@/lib/ml/model-store';
import { queryKeys } from '@/lib/query-keys';
import { useActiveModelId, useInvalidateWhenJobEnds } from '@/lib/ui/hooks';
import { loadScoredLeads } from '@/lib/ui/stored-data';

export function useScoredLeads() {
  const modelId = useActiveModelId();
  const job = useInvalidateWhenJobEnds('scoring', [queryKeys.leads()]);
  useInvalidateWhenJobEnds('retier', [queryKeys.leads()]);
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
 * The id of the tab the rep is looking at. When the panel itself is shown as a tab (tests,
 * screenshots), its own tab is skipped so it keeps following the CRM tab.
 */
function useActiveTabId(): number | null {
  const [tabId, setTabId] = useState<number | null>(null);
  useEffect(() => {
    let ownTabId: number | undefined;
    const follow = (id: number | undefined) => {
      if (id !== undefined && id !== ownTabId) setTabId(id);
    };
    void (async () => {
      ownTabId = (await browser.tabs.getCurrent())?.id;
      const [active] = await browser.tabs.query({ active: true, currentWindow: true });
      follow(active?.id);
    })();
    const onActivated = (info: { tabId: number }) => follow(info.tabId);
    browser.tabs.onActivated.addListener(onActivated);
    return () => browser.tabs.onActivated.removeListener(onActivated);
  }, []);
  return tabId;
}

/** The lead the active tab shows, refreshed when the tab scores another lead or navigates. */
export function useOpenLead() {
  const tabId = useActiveTabId();
  const queryClient = useQueryClient();
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
    queryKey: queryKeys.openLead(tabId),
    queryFn: async () => {
      const reply = await background.openLead({ tabId: tabId! });
      if (!reply.ok) throw new Error(reply.error);
      return reply.lead;
    },
    enabled: tabId !== null,
  });
  return { lead, tabId };
}
