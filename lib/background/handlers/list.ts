/** Background handlers for list views: score the rows' records from what LeadLens stores or reads from the CRM. */
import { CRM_LABEL } from '../../crm/types';
import { db } from '../../db/db';
import type { backgroundProtocol } from '../../messaging/protocol';
import type { Handlers } from '../../messaging/rpc';
import { activeManifest } from '../../ml/model-store';
import { runOffscreen } from '../offscreen-engine';
import { fetchRecordsFields } from '../record-source';
import { mayReadApi, pageAccess, senderPage } from '../page-access';
import { recordScoreCache } from '../score-cache';
import { scoreLeadsById } from '../score-leads';

type ListProtocol = Pick<typeof backgroundProtocol, 'scoreLeadsById'>;

export const listHandlers: Handlers<ListProtocol> = {
  scoreLeadsById: async ({ crm, recordIds }, sender) => {
    const page = senderPage(crm, sender);
    if (!page) return { ok: false as const, error: `LeadLens scores ${CRM_LABEL[crm]} leads on their ${CRM_LABEL[crm]} pages only` };
    const access = await pageAccess(crm, page);
    // Set by a failed CRM read (a closure's write: an object, so the check below sees it).
    const read = { failed: false };
    const rows = await scoreLeadsById(crm, recordIds, {
      activeManifest,
      runModel: runOffscreen,
      ...(await recordScoreCache(access)),
      knownRecords: async (source, ids, fields) => {
        // Stored leads (demo, and synced ones of this page's org) first, keyed `${source}|${id}`;
        // the rest from the API in one batch read when connected to this page's org.
        const stored = (await db.leads.bulkGet(ids.map((id) => `${source}|${id}`))).flatMap((lead) =>
          lead && (lead.origin !== 'sync' || access.synced) ? [{ recordId: lead.id, fields: lead.fields }] : [],
        );
        const storedIds = new Set(stored.map((record) => record.recordId));
        if (!mayReadApi(access)) return stored;
        const fromApi = await fetchRecordsFields(source, ids.filter((id) => !storedIds.has(id)), fields).catch((error: unknown) => {
          // The rows still score from what is stored; those it could not read say so, not "no data".
          // The CRM's own error stays in the background: the page is told only that the read failed.
          console.warn('LeadLens: could not read list records from the CRM', error instanceof Error ? error.message : '');
          read.failed = true;
          return [];
        });
        return [...stored, ...fromApi];
      },
    });
    if (!read.failed) return { ok: true as const, rows };
    const reason = `LeadLens could not read this lead from ${CRM_LABEL[crm]} just now: open the lead, or reload the list.`;
    return { ok: true as const, rows: rows.map((row) => (row.state === 'unknown' ? { recordId: row.recordId, state: 'unscorable' as const, reason } : row)) };
  },
};
