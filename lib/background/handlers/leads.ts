/** Background handlers for stored leads, demo data and the side panel's open lead. */
import { demoStoredLeads, replaceDemoLeads } from '../../crm/demo-leads';
import { demoLeadMix } from '../../db/source-history';
import { broadcastToPages, sendToCrmTabs } from '../../messaging/events';
import type { leadsProtocol } from '../../messaging/protocol-leads';
import type { Handlers } from '../../messaging/rpc';
import { bundledModel } from '../../ml/bundled-model';
import { activeManifest } from '../../ml/model-store';
import { activateStoredModel, requestOwedSourceScoring, scoreOwedLeads, scoreStoredLeadsIfAny } from '../activate-model';
import { runOffscreen } from '../offscreen-engine';
import { displayName, explainInFull, explainStoredLead, leadBeingRead, openRecordInCrmTab, rememberedLeadOf, storedLeadOfPageOnce } from '../open-lead';
import { pageAccess } from '../page-access';
import { pageScoringSources } from '../page-scoring';
import { retierStoredScoresOwed } from '../retier';

export const leadsHandlers: Handlers<typeof leadsProtocol> = {
  loadDemoData: async ({ count }) => {
    const bundled = bundledModel.manifest();
    if (!bundled.ok) throw new Error(bundled.error);
    const demoLeads = demoStoredLeads(new Date(), count);
    const stored = await replaceDemoLeads(demoLeads);
    // Left out because a synced lead holds their ids (a sync of the demo CRM holds them all).
    const skipped = demoLeads.length - stored;
    // No demo lead to show: the admin's own model stays active, its scores as they are.
    if (stored === 0) return { ok: true as const, leads: 0, skipped };
    const switched = await activateStoredModel(bundled.manifest.modelId);
    if (!switched.ok) return switched;
    // Stored and active whatever came of the scoring: a page told it failed would offer to load them again.
    return { ok: true as const, leads: stored, skipped, scoringProblem: switched.scoringProblem };
  },
  removeDemoData: async () => {
    const { demo } = await demoLeadMix();
    await replaceDemoLeads([]);
    // List badges and pages showed their stored scores.
    await sendToCrmTabs('scoresChanged', {});
    await broadcastToPages('storedDataDeleted', {});
    return { ok: true as const, removed: demo };
  },
  // CRM tabs are not told: a CRM page's badges score its CRM's stored leads' fields (`csv|…` leads are
  // none of them), never the stored scores this writes, so every list tab would ask again for nothing.
  scoreStoredLeads: async (request) => {
    // The import's scoring, owed as it committed: asked unless a request or run covers it already.
    // One that covers it may be owed and not asked yet (an activation's of every lead, its request
    // lost): asked now, not at the hourly check.
    if ('source' in request) return (await requestOwedSourceScoring(request.source)) ?? (await scoreOwedLeads()) ?? { ok: true as const, scored: 0 };
    // "Score them again", from a panel in each window or one reopened: one scoring of every lead, however many ask before it begins.
    return scoreStoredLeadsIfAny(request.modelId, { unlessRequested: true });
  },
  openLead: async ({ tabId }) => {
    const remembered = await rememberedLeadOf(tabId);
    if (!remembered) return { ok: true as const, lead: null, ...(await leadBeingRead(tabId)) };
    const { lead, page, loadedAt } = remembered;
    // As its badge scored it: another org's lead (or one its page's script moved into the connected org) from its page alone.
    const access = await pageAccess(lead.crm, page, loadedAt);
    // Its name and whether it converted may both ask for its stored lead: read once.
    const storedLead = storedLeadOfPageOnce(lead, access);
    const explained = await explainInFull(lead, await displayName(lead, storedLead), {
      manifest: await activeManifest(),
      storedLead,
      ...(await pageScoringSources(access)),
    }, tabId);
    return explained.ok ? { ...explained, reading: false } : explained;
  },
  explainStoredLead: async ({ leadKey }) => explainStoredLead(leadKey, { manifest: await activeManifest(), runModel: runOffscreen, now: () => new Date() }),
  openRecord: async ({ crm, recordId, windowId }) => {
    await openRecordInCrmTab(crm, recordId, windowId);
    return { ok: true as const };
  },
  // Badges first, then owed before it is asked: queued behind another job when the browser closes, it is asked again at the next start.
  retierStoredScores: ({ modelId }) => retierStoredScoresOwed(modelId),
};
