/**
 * The lead each CRM tab shows, for the side panel: the scoring handler remembers the latest
 * `scoreLead` request per tab in `storage.session` (the service worker keeps no state), and
 * where each CRM lives (host, HubSpot portal) in `storage.local`, so a record can be opened
 * from the side panel.
 */
import { browser } from 'wxt/browser';
import { z } from 'zod';
import { accountOfPage, adapterOf, recognisePage } from '../crm/adapters';
import { readConnection } from '../connections/connections';
import { DEMO_ACCOUNTS } from '../crm/demo-accounts';
import { dexieSyncStore } from '../sync/store';
import { CRM_LABEL, type CrmHome, type CrmKind, type PageFields } from '../crm/types';
import { db, leadKeyOf, scoreKeyOf, type StoredLead } from '../db/db';
import { broadcastToPages, sendToCrmTab } from '../messaging/events';
import { CrmKindSchema } from '../messaging/schemas';
import { FIRST_RENDER_PATIENCE_MS } from '../messaging/protocol';
import type { ExplainedLead, OpenLead } from '../messaging/protocol-leads';
import { valuesAsWritten, type PageRead } from '../ml/explain';
import { recordKey, type RawRecord, type SourceKind } from '../ml/featurize';
import type { Manifest } from '../ml/manifest';
import { nameOrFallback } from '../presentation';
import { frameOf, mayBeDemoCrm, pageAccess, storedLeadServes, type PageAccess } from './page-access';
import { noPurgeSince } from './purge-mark';
import {
  cacheBadgeScore,
  fieldsReadOf,
  freshCachedScore,
  recordConverted,
  scoredFields,
  scoreRecord,
  type EngineRows,
  type LeadToScore,
  type RecordFields,
  type ScoredRecord,
  type ScoringDeps,
} from './score-lead';

const OPEN_LEAD_KEY_PREFIX = 'openLead:';
const openLeadKey = (tabId: number) => `${OPEN_LEAD_KEY_PREFIX}${tabId}`;
const PURGED_PAGE_KEY_PREFIX = 'purgedPage:';
const purgedPageKey = (tabId: number) => `${PURGED_PAGE_KEY_PREFIX}${tabId}`;
const LAST_CRM_TAB_KEY = 'lastCrmTabId';
const crmHomeKey = (crm: CrmKind) => `crmHome:${crm}`;

const RememberedLeadSchema = z.object({
  crm: CrmKindSchema,
  recordId: z.string(),
  /** The org or portal of the page it was scored on: a sandbox or another portal reuses its record ids. */
  account: z.string().nullable(),
  fields: z.record(z.string(), z.string()),
  name: z.string().optional(),
  locale: z.string().optional(),
  timeZone: z.string().optional(),
  /** Until when the badge holds its refusal of this request without fields, waiting for the page to show them (`awaitPageFields`). */
  fieldsAwaitedUntil: z.number().optional(),
  /** The document that asked: still shown when its load was stopped since (`pageShownIn`). */
  documentId: z.string().optional(),
  /** Where that document loaded (`SenderPage.loadedAt`): moved since from another org's or portal's page, it is answered as theirs (`pageAccess`). */
  loadedAt: z.string().optional(),
});


/** A CRM's home as kept in storage.local (`crmHomeKey`). */
export const CrmHomeSchema = z.object({ origin: z.string().url(), portal: z.string().optional() }) satisfies z.ZodType<CrmHome>;

/** The CRM home of a record page's URL (`CrmAdapter.homeOfPage`). */
export const crmHomeOf = (crm: CrmKind, pageUrl: URL): CrmHome => adapterOf(crm).homeOfPage(pageUrl);

/** The address of `crm`'s record `recordId` in `home` (`CrmAdapter.recordUrl`). */
export const recordUrl = (crm: CrmKind, recordId: string, home: CrmHome): string => adapterOf(crm).recordUrl(recordId, home);

/**
 * Called for every `scoreLead` from a content script (`page`, in tab `tabId`): remember it for
 * the side panel, and where the CRM lives unless the page is another org's than the one
 * connected (the side panel opens the connected org's leads). The tab becomes the CRM tab used
 * last only when it is its window's `active` tab: one scoring in the background (opened to read
 * later, or scoring again after a sync) is not the one the rep works in. Rejects when storage
 * does (e.g. full).
 */
export async function rememberOpenLead(
  request: LeadToScore,
  page: URL,
  access: PageAccess,
  tabId: number | undefined,
  active = false,
  loadedAt: URL | null = null,
): Promise<void> {
  if (tabId === undefined) return;
  // A request that reaches us after its tab has moved on to another lead (the previous page's,
  // late under load) must not take the place of the lead the tab shows now.
  const account = accountOfPage(request.crm, page);
  const frame = await mainFrameOf(tabId);
  if (frame && !showsRecord(frame.url, { crm: request.crm, recordId: request.recordId, account })) return;
  // A purge begun since the page asked told its tab to stop: remembered, its page fields would outlive the purge.
  if (!noPurgeSince(access.purgesBefore)) return;
  // All asked for in this step, before a purge can begin: every write then lands before the purge's own.
  await Promise.all([
    browser.storage.session.set({
      [openLeadKey(tabId)]: {
        crm: request.crm,
        recordId: request.recordId,
        account,
        fields: request.fields,
        name: request.name,
        locale: request.locale,
        timeZone: request.timeZone,
        documentId: frame?.documentId,
        ...(loadedAt && { loadedAt: loadedAt.href }),
      },
      ...(active && { [LAST_CRM_TAB_KEY]: tabId }),
    }),
    // The tab's page asks again: it is not the one a purge stopped (`rememberPurgedPages`).
    browser.storage.session.remove(purgedPageKey(tabId)),
    access.connection !== 'other-org' && browser.storage.local.set({ [crmHomeKey(request.crm)]: crmHomeOf(request.crm, page) }),
  ]);
  await forgetIfClosed([tabId]);
}

/**
 * The rep switched to tab `tabId` (its content script's page became visible, or its window was focused: `crmPageVisible`):
 * when its main frame shows a CRM page, it becomes the CRM tab used last. Switching to a tab asks
 * nothing to score, so a lead opened in the background (ctrl-click from a list) and then worked
 * in would otherwise never be the one used last. Told by the CRM page, not by `tabs.onActivated`:
 * that would wake the service worker at every tab switch, on any site.
 */
export async function noteCrmPageVisible(tabId: number): Promise<void> {
  const shown = await tabUrl(tabId);
  if (shown && recognisePage(shown)) await browser.storage.session.set({ [LAST_CRM_TAB_KEY]: tabId });
}

/**
 * Forgets what was just remembered for those of `tabIds` closed meanwhile: `forgetOpenLead` ran
 * already when each closed, and nothing else would drop their page fields this browser session.
 * `webNavigation.getFrame` cannot tell (it fails for a closed tab as for a page it does not
 * know); `tabs.get` rejects for a closed tab, without the `tabs` permission.
 */
async function forgetIfClosed(tabIds: readonly number[]): Promise<void> {
  await Promise.all(
    tabIds.map(async (tabId) => {
      const closed = await browser.tabs.get(tabId).then(() => false, () => true);
      if (closed) await forgetOpenLead(tabId);
    }),
  );
}

/**
 * The request without fields that tab `tabId` sent was refused for want of any (NO_READABLE_FIELDS):
 * its badge keeps loading for FIRST_RENDER_PATIENCE_MS, waiting for the page to show them, so the side
 * panel reads the lead as long instead of telling the refusal. Left alone when a later request
 * took its place, and not written back once a purge or the tab's close forgot it meanwhile.
 */
export async function awaitPageFields(request: LeadToScore, access: PageAccess, tabId: number | undefined): Promise<void> {
  if (tabId === undefined) return;
  const remembered = await storedOpenLead(tabId);
  if (!remembered || remembered.recordId !== request.recordId || Object.keys(remembered.fields).length > 0) return;
  // Asked for in the same step as the check, as `rememberOpenLead` does: it lands before a purge's own writes.
  // As the request began (`access`): a purge pending or begun since may have forgotten the lead after the read.
  if (!noPurgeSince(access.purgesBefore)) return;
  await browser.storage.session.set({ [openLeadKey(tabId)]: { ...remembered, fieldsAwaitedUntil: Date.now() + FIRST_RENDER_PATIENCE_MS } });
  await forgetIfClosed([tabId]);
}

/** What the scoring handler remembered of tab `tabId`'s lead, or null. */
async function storedOpenLead(tabId: number): Promise<z.infer<typeof RememberedLeadSchema> | null> {
  const stored = RememberedLeadSchema.safeParse((await browser.storage.session.get(openLeadKey(tabId)))[openLeadKey(tabId)]);
  return stored.success ? stored.data : null;
}

/** A closed tab shows no lead: drop what was remembered for it (storage.session has a quota). */
export async function forgetOpenLead(tabId: number): Promise<void> {
  await browser.storage.session.remove([openLeadKey(tabId), purgedPageKey(tabId)]);
}

/** A CRM page open in a tab: the tab, and its document (a reload or another page is another document). */
interface CrmPageShown {
  tabId: number;
  documentId?: string;
}

const PurgedPageSchema = z.object({ documentId: z.string().optional() });

/** The CRM pages open now in any tab (by their address: `tabs` gives none without its permission). */
export async function crmPagesShown(): Promise<CrmPageShown[]> {
  const tabs = await browser.tabs.query({}).catch(() => []);
  const pages = await Promise.all(
    tabs.map(async ({ id: tabId }) => {
      const frame = tabId === undefined ? null : await mainFrameOf(tabId);
      return frame && recognisePage(frame.url) ? { tabId: tabId!, documentId: frame.documentId } : null;
    }),
  );
  return pages.filter((page) => page !== null);
}

/**
 * "Purge everything" stopped the badges of `pages` until each reloads: the side panel says so for
 * them, as their badges do, rather than wait for a lead they will not ask for, or explain the
 * lead remembered before (forgotten here, its page fields with it). A panel showing one of them
 * reads it again now. Call once their tabs are told, before anything is deleted: a purge that
 * fails after leaves them stopped all the same. The purge keeps these marks (`isPurgedPageKey`).
 */
export async function rememberPurgedPages(pages: readonly CrmPageShown[]): Promise<void> {
  await browser.storage.session.set(Object.fromEntries(pages.map(({ tabId, documentId }) => [purgedPageKey(tabId), { documentId }])));
  await browser.storage.session.remove(pages.map(({ tabId }) => openLeadKey(tabId)));
  await forgetIfClosed(pages.map(({ tabId }) => tabId));
  await Promise.all(pages.map(({ tabId }) => broadcastToPages('openLeadChanged', { tabId })));
}

/** Whether `key`, of storage.session, marks a page a purge stopped (`rememberPurgedPages`). */
export const isPurgedPageKey = (key: string) => key.startsWith(PURGED_PAGE_KEY_PREFIX);

/** Whether the page tab `tabId` shows now, document `documentId`, is one a purge stopped (`rememberPurgedPages`). */
async function purgeStoppedPage(tabId: number, documentId: string | undefined): Promise<boolean> {
  const stored = PurgedPageSchema.safeParse((await browser.storage.session.get(purgedPageKey(tabId)))[purgedPageKey(tabId)]);
  return stored.success && stored.data.documentId === documentId;
}

/**
 * Drops the lead remembered for every tab on a page of `crm`: their page fields are the org's or
 * portal's LeadLens was connected to until now (disconnected, or another connected), and would
 * otherwise stay until the tab closes.
 */
export async function forgetOpenLeadsOf(crm: CrmKind): Promise<void> {
  // By its CRM alone: an entry another LeadLens version remembered differently holds page fields too.
  const ofCrm = RememberedLeadSchema.pick({ crm: true });
  const keys = Object.entries(await browser.storage.session.get(null))
    .filter(([key, value]) => key.startsWith(OPEN_LEAD_KEY_PREFIX) && ofCrm.safeParse(value).data?.crm === crm)
    .map(([key]) => key);
  await browser.storage.session.remove(keys);
}

/**
 * Tell the side panel that the sender's tab shows another lead. Call it once the lead's score
 * is cached: the panel then explains the badge's cached fields instead of reading the record
 * from the CRM a second time.
 */
export async function announceOpenLead(sender: Browser.runtime.MessageSender): Promise<void> {
  const tabId = sender.tab?.id;
  if (tabId !== undefined) await broadcastToPages('openLeadChanged', { tabId });
}

/** A lead's name from the page's fields, when the page shows it. */
function nameFromFields(fields: PageFields): string | null {
  const joined = (first?: string, last?: string) => [first, last].filter(Boolean).join(' ');
  return fields.Name || joined(fields.FirstName, fields.LastName) || joined(fields.firstname, fields.lastname) || null;
}

export interface ExplainDeps extends Pick<ScoringDeps, 'fetchRecord' | 'currencyRates' | 'cache' | 'now' | 'staleAfterMs' | 'storedLead' | 'portalLifecycleStages'> {
  manifest: Manifest;
  runModel(modelId: string, rows: Float32Array, featureCount: number): Promise<EngineRows>;
}

/** A lead explained in full, or why it could not be, in words a rep can read. */
type ExplainOutcome<Lead extends ExplainedLead> = { ok: true; lead: Lead } | { ok: false; error: string };
export type OpenLeadOutcome = ExplainOutcome<OpenLead>;

/**
 * Whether the badge's cached `fields` came from the CRM's API record rather than from the page
 * alone: the cache does not say, but the API record holds fields the page does not show.
 */
const cachedFromRecord = (fields: RawRecord, page: PageRead) => Object.keys(fields).some((name) => recordKey(page.read, name) === undefined);

/**
 * Score a lead and keep everything the side panel's explanation needs (row, per-term
 * contributions), from the same fields as its badge: the API record, the page's fields filling its empty values,
 * kept with the badge's cached score. Those are scored as of the badge's time, so "days since"
 * features, and with them score and tier, match the badge; a lead the badge refuses to score
 * (no field known, or none computed by the model) is refused here in the same words. Its numbers
 * are worded as its page shows them, as the badge's reasons word them ("€1.200.000", "5-25").
 * Which features' fields were read (`fieldsRead`): all when the API record was, else those the
 * page shows, so the panel never takes a field the page leaves out for one the record has empty.
 * Whether it converted already, as its badge says it (`recordConverted`).
 * `tabId`: the tab showing the lead, whose badge is told of a score the panel read for it (`keepForBadges`); without it, none is.
 */
export async function explainInFull(lead: LeadToScore, name: string, deps: ExplainDeps, tabId?: number): Promise<OpenLeadOutcome> {
  const { manifest } = deps;
  const { fields, scoredAt, page, readNow } = await scoredFields(manifest, lead, deps);
  const recordRead = readNow?.recordRead ?? cachedFromRecord(fields, page);
  const now = scoredAt === null ? deps.now() : new Date(scoredAt);
  const scored = await scoreRecord(manifest, fields, lead.crm, now, page, deps.runModel);
  if (!scored.ok) return scored;
  if (readNow) await keepForBadges(lead, scored, readNow, now, page, deps, tabId);
  const converted = await recordConverted(manifest, lead, fields, deps);
  const explained: OpenLead = {
    ...explanationOf(manifest, scored, { fields, source: lead.crm, now, page, recordRead }, name),
    ...(converted && { converted }),
    crm: lead.crm,
    recordId: lead.recordId,
  };
  return { ok: true, lead: explained };
}

/** What a lead was scored from (`scoreRecord`): its fields, of `source`, as of `now`; `page`, the CRM page they were read from, if any; whether they are its whole record (`fieldsReadOf`). */
interface ScoredFrom {
  fields: RawRecord;
  source: SourceKind;
  now: Date;
  page?: PageRead;
  recordRead: boolean;
}

/**
 * The full explanation of a lead `scored` from `from`, named `name`: its score (without the model's
 * date, which the panel does not show), the model's input and output behind it, which fields were
 * read, and its values as written.
 */
function explanationOf(manifest: Manifest, scored: Extract<ScoredRecord, { ok: true }>, from: ScoredFrom, name: string): ExplainedLead {
  const { fields, source, now, page, recordRead } = from;
  const { modelCreatedAt: _modelCreatedAt, modelDatedByData: _modelDatedByData, ...lead } = scored.lead;
  return {
    ...lead,
    name,
    row: Array.from(scored.row, (value) => (Number.isNaN(value) ? null : value)),
    fieldsRead: fieldsReadOf(manifest, fields, source, recordRead),
    contributions: scored.contributions,
    valuesAsWritten: valuesAsWritten(manifest, fields, source, now, page),
  };
}

export const STORED_LEAD_GONE = 'This lead is no longer stored: a new import or a purge removed it since the list was read.';
export const NOT_A_FILE_LEAD = "Only an imported file's leads are explained from their stored fields: a CRM's lead is explained when its page is open.";

/**
 * A stored lead of an imported file (`leadKey`), explained in full from its stored fields with the
 * active model, as `explainInFull` explains a CRM tab's lead, for the side panel's top leads, where
 * a file's lead has no page to open. Scored as of its stored score of that model (`scoredAt`), so
 * "days since" features, and with them its score and tier, are those it is listed with (up to a
 * day boundary crossed while its scoring ran); as of now when it has none yet. Its stored fields
 * are its whole row: every one was read, none is missing from a page. What only a CRM's lead
 * has is absent: no page to word its values as shown, and no CRM status saying it converted (the
 * lists leave converted leads out), so its plan is that of any lead not hot.
 */
export async function explainStoredLead(leadKey: string, deps: Pick<ExplainDeps, 'manifest' | 'runModel' | 'now'>): Promise<ExplainOutcome<ExplainedLead>> {
  const { manifest } = deps;
  const stored = await db.leads.get(leadKey);
  if (!stored) return { ok: false, error: STORED_LEAD_GONE };
  if (stored.source !== 'csv') return { ok: false, error: NOT_A_FILE_LEAD };
  const storedScore = await db.leadScores.get(scoreKeyOf(manifest.modelId, leadKey));
  const now = storedScore ? new Date(storedScore.scoredAt) : deps.now();
  const scored = await scoreRecord(manifest, stored.fields, stored.source, now, undefined, deps.runModel);
  if (!scored.ok) return scored;
  return { ok: true, lead: explanationOf(manifest, scored, { fields: stored.fields, source: stored.source, now, recordRead: true }, stored.name) };
}

/**
 * The side panel read `lead`'s fields itself, its badge having cached no score of them: most often
 * because the CRM did not answer the badge, which then scored the page's fields alone. This score
 * is cached as the badge's would have been, and the lead's tab `tabId` is told to score again, so
 * its badge shows the panel's score. That tab only: the panel also reads while the badge's own read
 * is still waiting on the CRM, and every CRM tab told would have each list ask again for every row
 * it shows (reading the CRM for those not stored) and every badge score again. Not told when
 * nothing was kept (another org's page, a purge begun): the badge would score without it again and
 * the panel read again, without end.
 */
async function keepForBadges(
  lead: LeadToScore,
  scored: Extract<ScoredRecord, { ok: true }>,
  readNow: RecordFields,
  now: Date,
  page: PageRead,
  deps: ExplainDeps,
  tabId: number | undefined,
): Promise<void> {
  await cacheBadgeScore(deps.manifest, lead, scored, readNow, now, page, deps.cache);
  if (tabId !== undefined && (await freshCachedScore(deps.manifest.modelId, lead, deps)).fresh) await sendToCrmTab(tabId, 'scoresChanged', { crm: lead.crm });
}

/**
 * A tab's page URL and document. Read through webNavigation: `tabs` gives no URL without the `tabs`
 * permission, which LeadLens does not ask for. `loadFailed`: Chrome says an error occurred in the
 * frame, either because the page at `url` did not load (the connection dropped) and Chrome's error
 * page, a document of its own, stands in its place, or because the load of the page shown was
 * stopped (Esc, `window.stop()`), which leaves that page as it is.
 */
async function mainFrameOf(tabId: number): Promise<{ url: URL; documentId?: string; loadFailed: boolean } | null> {
  const frame = await frameOf(tabId);
  return frame?.url ? { url: new URL(frame.url), documentId: frame.documentId, loadFailed: frame.errorOccurred === true } : null;
}

/**
 * The page a tab shows (`mainFrameOf`): none while Chrome's error page stands in for one that did
 * not load, whose address is still the CRM's: the lead shown before, or that address's, is not shown.
 * A page whose load was stopped is shown still where it is the document `asked` (that scored the
 * lead remembered): an error page is another document. Not one that has not asked yet: it is read
 * once it asks.
 */
async function pageShownIn(tabId: number, asked?: string): Promise<{ url: URL; documentId?: string } | null> {
  const frame = await mainFrameOf(tabId);
  return frame && (!frame.loadFailed || (asked !== undefined && frame.documentId === asked)) ? frame : null;
}

/**
 * A tab's page URL (`mainFrameOf`), its page loaded or not: a tab whose CRM page did not load is
 * still on the CRM, to open a lead in again (`openRecordInCrmTab`) or to be the one used last
 * (`noteCrmPageVisible`).
 */
async function tabUrl(tabId: number): Promise<URL | null> {
  return (await mainFrameOf(tabId))?.url ?? null;
}

/** Whether the page at `url` is the record page of `lead`, in the org or portal `lead.account`. */
function showsRecord(url: URL, lead: Pick<LeadToScore, 'crm' | 'recordId'> & { account: string | null }): boolean {
  const page = recognisePage(url);
  return page?.adapter.crm === lead.crm && page.match.kind === 'record' && page.match.recordId === lead.recordId && accountOfPage(lead.crm, url) === lead.account;
}

/**
 * Whether tab `tabId`, whose lead `rememberedLeadOf` does not know, is on a CRM record page: its
 * lead is being read, as its content script asks to score it once the page shows its fields
 * (seconds, on a cold load). While its badge waits for the page to show the fields of a request
 * refused without any (`awaitPageFields`), until when (epoch ms): the side panel asks for the lead
 * again then by its own clock, as a timer here would not run once Chrome stops the service worker.
 * A page "Purge everything" stopped is not read until it reloads (`purged`). A record page that did
 * not load is no lead: it will never ask (`pageShownIn`).
 */
export async function leadBeingRead(tabId: number): Promise<{ reading: boolean; readingUntil?: number; purged?: boolean }> {
  const frame = await pageShownIn(tabId);
  if (frame === null || recognisePage(frame.url)?.match.kind !== 'record') return { reading: false };
  if (await purgeStoppedPage(tabId, frame.documentId)) return { reading: false, purged: true };
  const { url } = frame;
  const remembered = await storedOpenLead(tabId);
  // Past already when the wait ended between `rememberedLeadOf` and here: the panel then asks again at once.
  const readingUntil = remembered && showsRecord(url, remembered) ? remembered.fieldsAwaitedUntil : undefined;
  return readingUntil === undefined ? { reading: true } : { reading: true, readingUntil };
}

/**
 * The lead tab `tabId` shows now, with its page, or null (no lead scored there, the tab moved on
 * to another page, or reloaded it and it did not load, or its badge still waits for the page to
 * show its fields: `awaitPageFields`).
 */
export async function rememberedLeadOf(tabId: number): Promise<{ lead: LeadToScore; page: URL; loadedAt?: URL } | null> {
  const stored = await storedOpenLead(tabId);
  if (!stored || (stored.fieldsAwaitedUntil ?? 0) > Date.now()) return null;
  const url = (await pageShownIn(tabId, stored.documentId))?.url;
  if (!url || !showsRecord(url, stored)) return null;
  const { account: _account, fieldsAwaitedUntil: _fieldsAwaitedUntil, documentId: _documentId, loadedAt, ...lead } = stored;
  return { lead, page: url, ...(loadedAt !== undefined && URL.canParse(loadedAt) && { loadedAt: new URL(loadedAt) }) };
}

/** The stored lead of `crm`'s record `recordId`, when it is the record a page of `access` shows (`storedLeadServes`). */
export async function storedLeadOfPage(crm: CrmKind, recordId: string, access: PageAccess): Promise<StoredLead | undefined> {
  const stored = await db.leads.get(leadKeyOf(crm, recordId));
  return stored && storedLeadServes(stored, access) ? stored : undefined;
}

/**
 * `storedLeadOfPage` of `lead`'s record, read at most once however often asked: the side panel's
 * open lead asks for its name (`displayName`) and whether it converted (`recordConverted`) of the same row.
 */
export function storedLeadOfPageOnce(lead: Pick<LeadToScore, 'crm' | 'recordId'>, access: PageAccess): () => Promise<StoredLead | undefined> {
  let read: Promise<StoredLead | undefined> | undefined;
  return () => (read ??= storedLeadOfPage(lead.crm, lead.recordId, access));
}

/**
 * The lead's name for the side panel: as its page shows it, else as stored (`storedLead`: the
 * stored lead of its page's record, `storedLeadOfPageOnce`), else from its fields.
 */
export async function displayName(lead: LeadToScore, storedLead: () => Promise<Pick<StoredLead, 'name'> | undefined>): Promise<string> {
  if (lead.name) return lead.name;
  const storedName = (await storedLead())?.name ?? '';
  return nameOrFallback(lead.crm, lead.recordId, storedName || nameFromFields(lead.fields) || '');
}

/**
 * The org or portal a stored lead lives in, when LeadLens knows it: the one a synced lead was
 * synced from, the demo CRM's for a demo lead. A lead from a file says nothing of its org.
 */
async function accountOfStoredLead(crm: CrmKind, stored: StoredLead | undefined): Promise<string | null> {
  if (stored?.origin === 'demo') return DEMO_ACCOUNTS[crm];
  // A portal HubSpot would not name has no id: no address to make.
  return stored?.origin === 'sync' ? (await dexieSyncStore(db).readState(crm)).account?.id || null : null;
}

/**
 * Where the records of `account` (a Salesforce My Domain host, a HubSpot portal id) live
 * (`CrmAdapter.homeOfAccount`), with the host of its pages its connection names, when it is the
 * account connected. The remembered home is that of the last page scored, which may be another
 * org's (a sandbox seen before the admin connected production, whose full copies share
 * production's record ids).
 */
async function homeOfAccount(crm: CrmKind, account: string, remembered: CrmHome | null): Promise<CrmHome> {
  const connection = await readConnection(crm);
  // A connection that learnt its account may name the host of its pages (HubSpot's `uiDomain`).
  const connected = connection && 'account' in connection && connection.account?.id === account ? connection.account : undefined;
  return adapterOf(crm).homeOfAccount({ id: account, uiDomain: connected?.uiDomain }, remembered);
}

/**
 * Opens a record in a tab of the asking window (`windowId`, the side panel's; without it, the
 * focused one) that shows that CRM org or portal: its active tab, else the CRM tab used last,
 * else another; else in a new tab there. A tab showing anything else (another site, another CRM
 * or org) is never navigated away from, nor is a tab in another window, which the rep asking would
 * not see change, while that window's own user loses their page. A demo lead is opened only in a
 * tab that may show the demo CRM (`mayBeDemoCrm`), never in a new one: its address, outside the
 * tests that play the demo CRM there, is a stranger's portal or an org anyone may name so. So when
 * only tabs of other windows show it, it opens in one of them (the CRM tab used last first), and
 * that window comes to the front.
 */
export async function openRecordInCrmTab(crm: CrmKind, recordId: string, windowId?: number): Promise<void> {
  const storedHome = CrmHomeSchema.safeParse((await browser.storage.local.get(crmHomeKey(crm)))[crmHomeKey(crm)]);
  const remembered = storedHome.success ? storedHome.data : null;
  const stored = await db.leads.get(leadKeyOf(crm, recordId));
  const demo = stored?.origin === 'demo';
  const account = await accountOfStoredLead(crm, stored);
  const home = account === null ? remembered : await homeOfAccount(crm, account, remembered);
  if (!home) throw new Error(`LeadLens does not know your ${CRM_LABEL[crm]} address yet: open any lead there once`);
  const url = recordUrl(crm, recordId, home);
  const org = accountOfPage(crm, new URL(url));
  // Whether the org's pages are the demo CRM's depends on the org alone: asked once, of the first tab on it.
  let demoCrm: Promise<boolean> | undefined;
  const showsOrg = async (tabId: number) => {
    const shown = await tabUrl(tabId);
    if (shown === null || org === null || accountOfPage(crm, shown) !== org) return false;
    return !demo || (await (demoCrm ??= pageAccess(crm, shown).then((access) => mayBeDemoCrm(crm, access))));
  };
  const [active] = await browser.tabs.query(windowId === undefined ? { active: true, lastFocusedWindow: true } : { active: true, windowId });
  if (active?.id !== undefined && (await showsOrg(active.id))) {
    await browser.tabs.update(active.id, { url });
    return;
  }
  const askingWindow = windowId ?? active?.windowId;
  const lastTabId = (await browser.storage.session.get(LAST_CRM_TAB_KEY))[LAST_CRM_TAB_KEY];
  const lastTab = typeof lastTabId === 'number' ? await browser.tabs.get(lastTabId).catch(() => undefined) : undefined;
  const windowTabs = askingWindow === undefined ? [] : await browser.tabs.query({ windowId: askingWindow });
  const checked = new Set([active?.id]);
  /** The first of `tabs` that `eligible` takes, not checked yet, showing the org; brought to the lead. */
  const openInFirstShowingOrg = async (tabs: (typeof lastTab)[], eligible: (tab: NonNullable<typeof lastTab>) => boolean) => {
    for (const tab of tabs) {
      if (tab?.id === undefined || !eligible(tab) || checked.has(tab.id)) continue;
      checked.add(tab.id);
      if (await showsOrg(tab.id)) {
        await browser.tabs.update(tab.id, { url, active: true });
        return tab;
      }
    }
    return undefined;
  };
  // The CRM tab used last first, if it is in the asking window, then that window's others.
  if (await openInFirstShowingOrg([lastTab, ...windowTabs], (tab) => tab.windowId === askingWindow)) return;
  if (!demo) {
    await browser.tabs.create({ url, windowId: askingWindow });
    return;
  }
  // Any window's tab on the demo CRM, not only the CRM tab used last: another CRM's or org's tab may have scored since.
  const demoTab = await openInFirstShowingOrg([lastTab, ...(await browser.tabs.query({}))], () => true);
  if (demoTab) {
    await browser.windows.update(demoTab.windowId, { focused: true });
    return;
  }
  throw new Error(`This is a demo lead, made up for Demo mode: it has no ${CRM_LABEL[crm]} page to open.`);
}
