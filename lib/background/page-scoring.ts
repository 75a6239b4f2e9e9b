/**
 * What scoring the lead of a CRM page may use, by what the page may reach (`pageAccess`): the
 * engine, the CRM's record and the rates it converts amounts at only where the connection may be
 * read for this page (`mayReadApi`: never another org's or portal's), its portal's lifecycle
 * stages, and its record score cache.
 * One rule for the badge's scoring and the side panel's explanation of the same lead.
 */
import { db } from '../db/db';
import { keptLifecycleStages } from '../sync/store';
import { runOffscreen } from './offscreen-engine';
import { mayReadApi, type PageAccess } from './page-access';
import { fetchCurrencyRates, fetchRecordFields } from './record-source';
import { recordScoreCache } from './score-cache';

export async function pageScoringSources(access: PageAccess) {
  return {
    runModel: runOffscreen,
    fetchRecord: mayReadApi(access) ? fetchRecordFields : undefined,
    currencyRates: mayReadApi(access) ? fetchCurrencyRates : undefined,
    portalLifecycleStages: () => keptLifecycleStages(db, access.account),
    ...(await recordScoreCache(access)),
  };
}
