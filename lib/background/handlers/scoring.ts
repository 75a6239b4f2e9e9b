/** Background handlers for scoring a lead on its record page, noting the CRM tab used last, and the engine's speed. */
import { CRM_LABEL } from '../../crm/types';
import { offscreen } from '../../messaging/client';
import type { backgroundProtocol } from '../../messaging/protocol';
import type { Handlers } from '../../messaging/rpc';
import { activeManifest } from '../../ml/model-store';
import { ensureOffscreenDocument } from '../offscreen-engine';
import { announceOpenLead, awaitPageFields, noteCrmPageVisible, rememberOpenLead, storedLeadOfPage } from '../open-lead';
import { ownRecordOf, pageAccess, senderPage } from '../page-access';
import { pageScoringSources } from '../page-scoring';
import { NO_READABLE_FIELDS, scoreLead } from '../score-lead';

type ScoringProtocol = Pick<typeof backgroundProtocol, 'scoreLead' | 'crmPageVisible' | 'engineBenchmark'>;

export const scoringHandlers: Handlers<ScoringProtocol> = {
  scoreLead: async (request, sender) => {
    const page = await senderPage(request.crm, sender);
    if (!page) return { ok: false, error: `LeadLens scores ${CRM_LABEL[request.crm]} leads on their ${CRM_LABEL[request.crm]} pages only` };
    // Another record than the page's is neither read nor served from what is stored or cached. A badge asks for its
    // page's record only (record-badge.ts): one still asking after a navigation is for a page left, its answer discarded.
    const recordId = ownRecordOf(page, request.recordId);
    if (recordId === null) return { ok: false, error: `LeadLens scores a ${CRM_LABEL[request.crm]} lead on its own record page only` };
    const lead = { ...request, recordId };
    const access = await pageAccess(lead.crm, page.url, page.loadedAt);
    // Side-panel bookkeeping must not cost the badge its score (storage.session can be full).
    await rememberOpenLead(lead, page.url, access, sender.tab?.id, sender.tab?.active, page.loadedAt).catch((error: unknown) => {
      console.warn('LeadLens: could not remember the open lead for the side panel', error instanceof Error ? error.message : '');
    });
    try {
      const scored = await scoreLead(lead, {
        activeManifest,
        storedLead: (crm, recordId) => storedLeadOfPage(crm, recordId, access),
        ...(await pageScoringSources(access)),
      });
      // The badge holds this refusal while the page may still show the fields: so does the panel, which
      // reads the lead again after by its own clock (no timer here: Chrome may stop the service worker first).
      if (!scored.ok && scored.error === NO_READABLE_FIELDS && Object.keys(lead.fields).length === 0) {
        await awaitPageFields(lead, access, sender.tab?.id).catch((error: unknown) => {
          console.warn('LeadLens: could not tell the side panel to wait for the page’s fields', error instanceof Error ? error.message : '');
        });
      }
      return scored;
    } finally {
      // After the score is cached (or scoring failed): the panel then reads the cache, not the CRM.
      // Not awaited: the badge's reply does not wait for the pages to hear it.
      void announceOpenLead(sender);
    }
  },
  crmPageVisible: async (_request, sender) => {
    const tab = sender.tab;
    if (tab?.id === undefined) return { ok: false, error: 'Only a CRM tab’s page says it became visible' };
    // Not its window's active tab: not the one the rep works in (as for `rememberOpenLead`). The
    // address is the tab's own (`noteCrmPageVisible`), not taken from the message's sender.
    if (tab.active) await noteCrmPageVisible(tab.id);
    return { ok: true };
  },
  engineBenchmark: async (request) => {
    await ensureOffscreenDocument();
    return offscreen.engineBenchmark(request);
  },
};
