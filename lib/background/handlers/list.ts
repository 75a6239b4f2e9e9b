/** Background handlers for list views: score the rows' records from what LeadLens stores or reads from the CRM. */
import { CRM_LABEL, type CrmKind } from '../../crm/types';
import { db, leadKeyOf } from '../../db/db';
import type { backgroundProtocol } from '../../messaging/protocol';
import type { ListRowScore } from '../../messaging/protocol-list';
import type { Handlers } from '../../messaging/rpc';
import { activeManifest } from '../../ml/model-store';
import { runOffscreen } from '../offscreen-engine';
import { fetchRecordsFields } from '../record-source';
import { mayReadApi, pageAccess, senderPage, storedLeadServes, type PageAccess } from '../page-access';
import { deleteCachedScoresOfRecords, recordScoreCache } from '../score-cache';
import { otherOrgListRow, scoreLeadsById, type KnownRecord, type KnownRecords } from '../score-leads';

type ListProtocol = Pick<typeof backgroundProtocol, 'scoreLeadsById'>;

/**
 * What a page of `access` may score `ids` from: stored leads (demo, and synced ones of this
 * page's org) first, keyed `${source}|${id}`; the rest from the API in one batch read when
 * connected to this page's org, those it answers without being `absent`.
 */
async function knownRecordsFor(access: PageAccess, source: CrmKind, ids: readonly string[], fields: readonly string[]): Promise<KnownRecords> {
  // Synced from another org than the page's, or a demo lead off the demo CRM: not this page's record.
  const stored = (await db.leads.bulkGet(ids.map((id) => leadKeyOf(source, id)))).flatMap((lead): KnownRecord[] =>
    lead && storedLeadServes(lead, access) ? [{ recordId: lead.id, fields: lead.fields }] : [],
  );
  const storedIds = new Set(stored.map((record) => record.recordId));
  const toRead = ids.filter((id) => !storedIds.has(id));
  if (!mayReadApi(access) || toRead.length === 0) return { records: stored, unread: [], absent: [] };
  let read: KnownRecord[] | null;
  try {
    read = await fetchRecordsFields(source, toRead, fields);
  } catch (error) {
    // The rows still score from what is stored; those it could not read say so (score-leads.ts).
    // The CRM's own error stays in the background: the page is told only that the read failed.
    console.warn('LeadLens: could not read list records from the CRM', error instanceof Error ? error.message : '');
    return { records: stored, unread: toRead, absent: [] };
  }
  // Disconnected meanwhile: nothing was read, nor is any record known gone.
  if (read === null) return { records: stored, unread: [], absent: [] };
  const answered = new Set(read.map((record) => record.recordId));
  return { records: [...stored, ...read.map((record) => ({ ...record, readNow: true }))], unread: [], absent: toRead.filter((id) => !answered.has(id)) };
}

export const listHandlers: Handlers<ListProtocol> = {
  scoreLeadsById: async ({ crm, recordIds }, sender) => {
    const page = await senderPage(crm, sender);
    if (!page) return { ok: false as const, error: `LeadLens scores ${CRM_LABEL[crm]} leads on their ${CRM_LABEL[crm]} pages only` };
    // List badges run on list pages only (list-badges.ts): a record page is answered its own record alone (scoring.ts).
    // Which rows a list shows the background cannot tell: a list page's content script may still name any record.
    if (page.match.kind !== 'list') return { ok: false as const, error: `LeadLens scores ${CRM_LABEL[crm]} list rows on ${CRM_LABEL[crm]} list pages only` };
    const access = await pageAccess(crm, page.url, page.loadedAt);
    const rows = await scoreLeadsById(crm, recordIds, {
      activeManifest,
      runModel: runOffscreen,
      ...(await recordScoreCache(access)),
      knownRecords: (source, ids, fields) => knownRecordsFor(access, source, ids, fields),
      forgetCachedScores: deleteCachedScoresOfRecords,
    });
    if (access.connection !== 'other-org') return { ok: true as const, rows };
    // "Open the lead to score it" would never come true here: another org's record page keeps no score.
    const otherOrgRows = rows.map((row): ListRowScore => (row.state === 'unknown' ? { recordId: row.recordId, state: 'unscorable', reason: otherOrgListRow(crm) } : row));
    return { ok: true as const, rows: otherOrgRows };
  },
};
