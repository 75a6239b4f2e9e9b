/** Background handlers for list views: score the rows' records from what LeadLens stores or reads from the CRM. */
import { db } from '../../db/db';
import type { backgroundProtocol } from '../../messaging/protocol';
import type { Handlers } from '../../messaging/rpc';
import { activeManifest } from '../../ml/model-store';
import { runOffscreen } from '../offscreen-engine';
import { fetchRecordsFields } from '../record-source';
import { dexieScoreCache } from '../score-cache';
import { scoreLeadsById } from '../score-leads';

type ListProtocol = Pick<typeof backgroundProtocol, 'scoreLeadsById'>;

export const listHandlers: Handlers<ListProtocol> = {
  scoreLeadsById: async ({ crm, recordIds }) => {
    const rows = await scoreLeadsById(crm, recordIds, {
      activeManifest,
      runModel: runOffscreen,
      cache: dexieScoreCache,
      now: () => new Date(),
      knownRecords: async (source, ids, fields) => {
        // Stored leads (synced, demo) first, keyed `${source}|${id}`; the rest from the API in one batch read when connected.
        const stored = (await db.leads.bulkGet(ids.map((id) => `${source}|${id}`))).flatMap((lead) =>
          lead ? [{ recordId: lead.id, fields: lead.fields }] : [],
        );
        const storedIds = new Set(stored.map((record) => record.recordId));
        const fromApi = await fetchRecordsFields(source, ids.filter((id) => !storedIds.has(id)), fields).catch((error: unknown) => {
          console.warn('LeadLens: could not read list records from the CRM', error instanceof Error ? error.message : '');
          return [];
        });
        return [...stored, ...fromApi];
      },
    });
    return { ok: true as const, rows };
  },
};
