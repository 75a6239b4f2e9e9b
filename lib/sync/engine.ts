/**
 * The resumable sync: pages of changed records, oldest first, each page's leads stored with
 * the checkpoint that follows it in one transaction. Pure of browser APIs (client and store
 * are injected) so it runs in the service worker, in Node for the tests, and in the bench.
 * Leads are keyed `${crm}|${id}`, so a page read twice overwrites itself: no duplicates.
 * Owners are stored by name: each page's new owner ids are looked up before it is committed,
 * and leads stored earlier with owner ids are named when a sync finishes. Queries of changes
 * leave deleted records out, so once the pages are done the sync asks the CRM what it deleted
 * since the last complete sync, and removes those leads with their scores, and those its pages
 * named as merged into another record (HubSpot). A CRM that deletes some records without listing
 * them (HubSpot GDPR deletions, Salesforce Leads shared away from the user) is asked for every
 * record it has instead, once a week, and then reads again every record's values of the fields it
 * computes as it reads them (Salesforce formula fields), which change without the record being
 * marked modified; a CRM that refuses that read leaves it for the next comparison, and the sync
 * finishes saying so. A HubSpot list of every contact clearly shorter than HubSpot counts removes
 * nothing: the sync removes the contacts HubSpot lists as archived instead, finishes, and compares
 * again a day later. A field the CRM shows that the last sync did not read makes the next one
 * read every record again, as do amounts the CRM's client converts to one currency where the last
 * sync's did not; a field it no longer shows is deleted from every stored lead.
 * So a sync reads as one user: one whose credentials sign in as another user than the stored
 * leads were synced as (a Salesforce "Log in as" a rep) is refused before it reads anything, and
 * one whose credentials do so by the time it removes leads ends there, removing none, its job set
 * back for the next sync to read its pages again.
 */
import { ListShortOfCountError, apiAllowancePause, type ChangedPage, type CrmClient, type CrmRecord, type CrmUser, type DeletedRecord, type Deletions, type ListedIds, type SkippedRecord } from '../crm/client';
import { CRM_LABEL, CRM_TERMS, type CrmKind } from '../crm/types';
import type { StoredLead } from '../db/db';
import { CrmError, PageCursors, isCrmError } from '../crm/http';
import { SCHEMA_CHANGE_MIN_RECORDS } from '../crm/read-each';
import { HUBSPOT_LIFECYCLE_ORDER, lifecycleOrder } from '../crm/hubspot-lifecycle';
import type { SyncStore } from './store';
import { COMPARISON_RETRY_AFTER_MS, MAX_LEFT_OUT_NAMED, MAX_LEFT_OUT_UNNAMED, SyncJobGoneError, isStorageFull, type ComparisonRefusal, type SyncJob, type SyncState } from './state';
import { DATA_CLEARED_ERROR_KIND, STORAGE_FULL_ERROR_KIND } from '../messaging/protocol-sync';
import { LEAD_SOURCE_FIELDS, UnexpectedFieldError, ownerIdOf, toStoredLead } from './to-stored-lead';

/**
 * How far before its own start (by the CRM's clock, when the CRM tells it) or else the newest
 * change it read (if earlier) a finished sync tells the next one to begin. A change can be read after later ones: HubSpot's search index lags its
 * records, and Salesforce stamps `SystemModstamp` before the transaction commits. A few
 * minutes cover both; what they re-read
 * is harmless, as leads are keyed and a re-read lead overwrites itself. Deletions are read
 * from as far before where the last read of them ended, for the same reasons.
 */
export const SYNC_LOOKBACK_MS = 5 * 60_000;

/**
 * How long after the stored leads were last compared with every record a CRM has a sync compares
 * them again, when the CRM deletes some records without listing them (`CrmClient.listPresent`):
 * a contact erased in HubSpot under the GDPR is never archived, and is gone from LeadLens after
 * the first sync this long after the last comparison.
 */
export const FULL_COMPARISON_EVERY_MS = 7 * 86_400_000;

export interface RunSyncOptions {
  client: CrmClient;
  store: SyncStore;
  signal?: AbortSignal;
  /** After every committed page. */
  onProgress?(state: SyncState): void;
  /** When the finished sync named the owners of `renamed` leads stored earlier with owner ids. */
  onOwnersNamed?(renamed: number): void;
  now?(): number;
}

/** Runs (or resumes) the CRM's sync to the end, a cancel, or an error; returns the final state. */
export async function runSync({ client, store, signal, onProgress, onOwnersNamed, now = Date.now }: RunSyncOptions): Promise<SyncState> {
  const { crm } = client;
  let state = await store.readState(crm);
  /**
   * Stores how the run ended: cancelled (`kind` 'cancelled'), or stopped by `error` of `kind` (a
   * `CrmError`'s, `DATA_CLEARED_ERROR_KIND`, 'internal', or null for a refusal), the store told the
   * `cause` thrown. Everything committed stays, and so does the job's checkpoint, so starting
   * again resumes it; but for data cleared, which left nothing to resume.
   */
  const endWith = async (error: string, kind: string | null, cause?: unknown): Promise<SyncState> => {
    state = kind === 'cancelled' ? { ...state, status: 'cancelled', endedAt: now() } : { ...state, status: 'error', error, errorKind: kind, endedAt: now() };
    await store.writeState(crm, state, cause);
    onProgress?.(state);
    return state;
  };
  const stoppedBy = (error: unknown): Promise<SyncState> => endWith(error instanceof Error ? error.message : String(error), errorKindOf(error), error);

  // Whom the credentials sign in as, before the job starts and anything is read or changed: a
  // sync as another user than the stored leads were synced as is refused (`otherUserRefusal`).
  let signedIn: CrmUser | undefined;
  try {
    signedIn = await client.currentUser?.(signal);
  } catch (error) {
    return stoppedBy(error);
  }
  // Compared again with the stored user when it differs: a connect while the question was asked
  // forgot whom the leads were synced as, and the answer is then the user just connected as.
  let refusal = signedIn && otherUserRefusal(crm, state.syncedAs, signedIn);
  if (signedIn && refusal) {
    state = await store.readState(crm);
    refusal = otherUserRefusal(crm, state.syncedAs, signedIn);
  }
  if (refusal) return endWith(refusal, null);

  // A job that has committed no page (a new one; one set back: `setBack`) reads from its beginning.
  const fromItsBeginning = state.job === null || state.job.pages === 0;
  let job: SyncJob = state.job ?? {
    startedAt: now(),
    cursor: state.completedCursor,
    reached: null,
    lastId: null,
    pageToken: null,
    synced: 0,
    changed: 0,
    pages: 0,
    remaining: null,
    mergedAway: [],
  };
  // The user is recorded as the job starts, and only then: where none was (a first sync; a state
  // of an older LeadLens; a connect forgot it), else with the name it has now; but not over a
  // connect's forgetting while it was asked for. The states the job writes later leave the stored
  // one as it is, which a connect meanwhile forgets (`SyncStore.recordSyncedAs`).
  try {
    if (signedIn) {
      const recorded = (await store.recordSyncedAs?.(crm, signedIn, state.syncedAs)) ?? true;
      state = { ...state, syncedAs: recorded ? signedIn : undefined };
    }
    state = { ...state, status: 'running', job, error: null, errorKind: null };
    await store.writeState(crm, state);
  } catch (error) {
    // Not started (the browser's storage full): it ends as a run an error stops, not left running.
    return stoppedBy(error);
  }
  onProgress?.(state);

  // Owner id → name (or the id itself when the CRM could not name it): each id is asked once per job.
  const ownerNames = new Map<string, string>();
  let expiredInARow = 0;
  const changesCursors = new PageCursors(CRM_LABEL[crm], 'the list of changes');
  // The CRM's clock when the job's first query ran, when it says (`ChangedPage.queriedAt`): the
  // job's start by the clock records are stamped by. Unknown to a job resumed after its first
  // page, which then goes by the browser's clock as it did before.
  let queriedAt: number | null = null;
  // The next page, asked for while this one is stored, so that waiting on the CRM (its answer,
  // its rate limit) and on IndexedDB overlap. It is the very request the next turn would make.
  let prefetched: Promise<ChangedPage> | null = null;
  // The merges `withMergesOf` did not keep, no lead of theirs being stored yet (id → merge date):
  // HubSpot's search lags its merges (`SYNC_LOOKBACK_MS`), so a contact merged away can come on a
  // later page than the contact naming it, and is then added to the job's merges; a first sync's
  // too, which would otherwise keep it until the weekly comparison, counted twice. In memory only:
  // written with every page's state, they would grow with every merge ever made. A job resumed by
  // another run (after a browser restart) has forgotten them, and a contact merged away that comes
  // after the resume stays until the weekly comparison with every contact (`FULL_COMPARISON_EVERY_MS`) removes it.
  const mergesNotStored = new Map<string, number>();
  try {
    // Read once a run, before any lead is stored: every lead the run stores gets its outcome in the same order.
    const stageOrder = await lifecycleOrderOf(client, store, signal);
    await keepLeadSourceLabels(client, store, signal);
    // Written with the first page (or the end of the run): a job resumed after its first page goes
    // on as it was, and leaves the fields to the next job; one that has committed none compares them again.
    if (fromItsBeginning) ({ job, state } = await withFieldsCompared(client, store, state, job, stageOrder, signal));
    // Where the job began reading, for a refusal to set it back to (`setBack`). A job resumed
    // after a page may have been a read of every record, which it then makes again (null).
    const beganFrom = fromItsBeginning ? job.cursor : null;
    for (;;) {
      if (signal?.aborted) throw new CrmError('cancelled', 'Cancelled');
      // Before each page is asked for (a prefetched one was, under the same check, below).
      if (prefetched === null) pauseNearApiAllowance(client);
      let page;
      try {
        page = await (prefetched ?? client.listChanged(job.pageToken === null ? job.cursor : null, job.pageToken, signal));
      } catch (error) {
        // The CRM forgot our page token (e.g. a query locator idle for 15 min): query again from the cursor.
        if (isCrmError(error, 'cursor-expired') && ++expiredInARow < 2) {
          job = { ...job, pageToken: null };
          state = { ...state, job };
          changesCursors.startAgain();
          continue;
        }
        throw error;
      } finally {
        prefetched = null;
      }
      expiredInARow = 0;
      // A page whose token this run asked with already would lead round the same pages forever.
      changesCursors.refuseRepeat(job.pageToken, page.next);
      // Before the first page is committed, any query is the job's first (nothing read before it is kept).
      if (job.pages === 0 && page.queriedAt !== undefined) queriedAt = page.queriedAt;
      const began = beganBy(job, queriedAt);
      // Not asked for once the org's API allowance is nearly used: the next turn pauses there, this page stored.
      if (page.next !== null && apiAllowancePause(crm, client, 'sync') === null) {
        prefetched = client.listChanged(null, page.next, signal);
        // Read in the next turn; if this page's commit fails first, nobody will, and that is fine.
        prefetched.catch(() => undefined);
      }
      await learnOwnerNames(client, page.records, ownerNames, signal);
      const { leads, skipped } = storablePage(crm, page, ownerNames, stageOrder);
      const changed = await store.countChanged(leads);
      const leftOut = withLeftOut(state, skipped, leads);
      const mergedAway = await withMergesOf(store, crm, page.records, job.mergedAway, mergesNotStored, leads, leftOut);
      const last = page.records.at(-1);
      // Where the CRM says it has read in order to (null: nowhere yet), when it says.
      const { resumeFrom } = page;
      const nextJob: SyncJob = {
        ...job,
        cursor: resumeFrom === undefined ? checkpointOf(page.records, job, began) : resumeFrom,
        reached: resumeFrom === undefined ? page.records.reduce<number | null>((max, r) => (max === null || r.modifiedAt > max ? r.modifiedAt : max), reachedBy(job)) : resumeFrom,
        lastId: last?.id ?? job.lastId,
        pageToken: page.next,
        synced: job.synced + leads.length,
        changed: changedBy(job) + changed,
        pages: job.pages + 1,
        remaining: page.remaining,
        mergedAway,
      };
      const nextState: SyncState = { ...state, job: nextJob, ...leftOut };
      await store.commitPage(crm, leads, nextState);
      // Only a committed page moves the job on: a failure above leaves the last checkpoint.
      job = nextJob;
      state = nextState;
      onProgress?.(state);
      if (page.next === null) {
        // A failure from here on resumes at the last page's cursor: one query reads its ties again.
        // With the weekly comparison, and before it, so that the leads it stores count in this run.
        // The note of a read the CRM refused stands until the next read, due with the next comparison.
        let calculatedNotRefreshed = state.lastRun?.calculatedNotRefreshed;
        // Every record's id, when the read of those values listed them all (HubSpot): not listed again to compare.
        let listed: ListedIds | undefined;
        if (state.completedCursor !== null && comparisonDue(state, now())) {
          pauseNearApiAllowance(client);
          try {
            for await ({ state, job, listed } of withCalculatedRefreshed(client, store, state, job, stageOrder, signal)) onProgress?.(state);
            calculatedNotRefreshed = undefined;
          } catch (error) {
            // Refused at every sync, it would keep every sync from removing a lead and finishing.
            if (!refusedAsAsked(error)) throw error;
            calculatedNotRefreshed = calculatedNotRefreshedNote(crm, error);
          }
        }
        const removals = { ...(await readRemovals(client, state, job, now, signal, listed)), calculatedNotRefreshed };
        // Asked again before anything is removed, once a sync: what the CRM lists to another user
        // than the job's (a "Log in as", or a connect, since it started) leaves out what only the
        // job's user sees. Its pages may have been read as that user too: the next sync reads them again.
        const refusedNow = removals.deletions && signedIn && (await otherUserNowRefusal(client, store, signedIn, signal));
        if (refusedNow) {
          state = { ...state, job: setBack(job, beganFrom) };
          return endWith(refusedNow, null);
        }
        state = await finishSync(store, crm, state, job, { began, queriedAt }, now, removals);
        onProgress?.(state);
        const renamed = await nameStoredOwners(client, store, ownerNames, signal);
        if (renamed > 0) onOwnersNamed?.(renamed);
        return state;
      }
    }
  } catch (error) {
    return stoppedBy(error);
  }
}

/**
 * The kind of `error` a run stopped by it ends with: the browser's storage for LeadLens full
 * (`isStorageFull`), whose end the runner keeps in memory when it cannot be stored either; a
 * `CrmError`'s; the site data cleared as it ran (`SyncJobGoneError`), which leaves nothing to
 * resume; else 'internal'.
 */
const errorKindOf = (error: unknown): string =>
  isStorageFull(error) ? STORAGE_FULL_ERROR_KIND : isCrmError(error) ? error.kind : error instanceof SyncJobGoneError ? DATA_CLEARED_ERROR_KIND : 'internal';

/**
 * Stops the sync (a `rate` error) when the CRM's API allowance is nearly used (`apiAllowancePause`),
 * leaving the rest to the org's other integrations: the run ends as after any error, its pages
 * stored and its job kept, so the next sync goes on from there.
 */
function pauseNearApiAllowance(client: CrmClient): void {
  const pause = apiAllowancePause(client.crm, client, 'sync');
  if (pause) throw pause;
}

/**
 * Why a sync signed in as `signedIn` may not run where the stored leads were synced as
 * `syncedAs`: it reads only what its user may see (sharing, field-level security), so the fields
 * only `syncedAs` sees would be deleted from every stored lead, and the leads only they see
 * removed, with their scores. Null when the user is the same, or `syncedAs` is not known.
 * `stoppedBefore`: what the refused sync did not do, as it says (it read nothing; a sync that
 * finds another user signed in as it finishes removed nothing, and was set back: `setBack`).
 */
export function otherUserRefusal(crm: CrmKind, syncedAs: CrmUser | undefined, signedIn: CrmUser, stoppedBefore: 'read' | 'removed' = 'read'): string | null {
  if (!syncedAs || syncedAs.id === signedIn.id) return null;
  return otherUserMessage(crm, syncedAs, signedIn, {
    job: 'a sync',
    harm: `remove the leads and fields only ${syncedAs.name} can see, with their scores`,
    stopped: stoppedBefore === 'read' ? 'read nothing' : 'removed nothing, and the next sync reads again the leads it read',
    again: 'Sync again',
    fromNowOn: 'sync',
    afterConnect: `: the next sync then reads what ${signedIn.name} sees`,
  });
}

/** A job's own words in a refusal to run it as another user than the leads were synced as (`otherUserMessage`). */
export interface OtherUserWords {
  /** The job, as "… as another user would" names it: "a sync". */
  job: string;
  /** What it would do as the user signed in: "remove the leads and fields only Avery can see, with their scores". */
  harm: string;
  /** What this one did not do, after "so this one": "read nothing". */
  stopped: string;
  /** How to start it again: "Sync again". */
  again: string;
  /** What the user signed in may do from now on once connected again: "sync". */
  fromNowOn: string;
  /** What follows connecting again, with its leading punctuation: ": the next sync then reads what Bo sees". */
  afterConnect: string;
}

/**
 * Why a job (a sync, a write-back) signed in as `signedIn` does not run where the stored leads
 * were synced as `syncedAs` (an admin's "Log in as" a rep), in its own `words`: both users, what
 * it would do as `signedIn`, and the two ways on: sign in as `syncedAs` again, or connect again as
 * `signedIn`.
 */
export function otherUserMessage(crm: CrmKind, syncedAs: CrmUser, signedIn: CrmUser, words: OtherUserWords): string {
  const label = CRM_LABEL[crm];
  return (
    `${label} is signed in as ${signedIn.name} (${signedIn.username}), not as ${syncedAs.name} (${syncedAs.username}), whom LeadLens synced as: ` +
    `${words.job} as another user would ${words.harm}, so this one ${words.stopped}. ` +
    `${words.again} once signed in as ${syncedAs.name} (after "Log in as", end it with "Log out as ${signedIn.name}"); ` +
    `or, to ${words.fromNowOn} as ${signedIn.name} from now on, connect ${label} again under CRM connections${words.afterConnect}`
  );
}

/**
 * The order a sync reads its HubSpot contacts' lifecycle stages in, for the outcome it stores with
 * each (`hubspotOutcome`): the portal's own (`CrmClient.lifecycleStages`: its custom stages and
 * moved ones in their place), as the Training form reads them; HubSpot's default order for a CRM
 * without them (Salesforce, whose outcome is a field of its own) or a portal that lists none. They
 * come from the property list, which every page of changes reads (cached: no request of its own),
 * and nothing else about them can fail: a list that cannot be read ends the sync here, as the first
 * page would, rather than being asked again (an expired token's refusal twice). The stages read are
 * kept (`SyncStore.keepLifecycleStages`): a record page shows a stage by its label, and reads it in
 * this order (score-lead.ts `convertedAlready`).
 */
async function lifecycleOrderOf(client: CrmClient, store: SyncStore, signal?: AbortSignal): Promise<readonly string[]> {
  if (!client.lifecycleStages) return HUBSPOT_LIFECYCLE_ORDER;
  const stages = await client.lifecycleStages({ signal });
  await store.keepLifecycleStages?.(stages);
  return lifecycleOrder(stages.map((stage) => stage.value));
}

/**
 * Keeps how the HubSpot portal labels its contacts' original sources (`SyncStore.keepLeadSourceLabels`,
 * "Organic Social" for SOCIAL_MEDIA), read from the property list the stages came from (no request
 * of its own): the side panel's lead-source filter words them so whichever model is active, one
 * that never read the property too (`leadSourceWords`). HubSpot's only, as the filter words them.
 */
async function keepLeadSourceLabels(client: CrmClient, store: SyncStore, signal?: AbortSignal): Promise<void> {
  if (client.crm !== 'hubspot' || !store.keepLeadSourceLabels) return;
  const field = LEAD_SOURCE_FIELDS.hubspot;
  await store.keepLeadSourceLabels((await client.optionLabels([field], { signal }))[field] ?? {});
}

/**
 * The page's records as leads to store, less those that cannot be stored (an indexed field of an
 * unexpected type), which join those the client could not read: one odd record is left out and
 * named rather than failing the sync at its page every time it resumes. A page of many records
 * none of which can be stored is a changed schema: the sync fails there, naming the field, and
 * resumes at that page once LeadLens reads it (the clients decide so of what they read).
 */
function storablePage(crm: CrmKind, page: ChangedPage, ownerNames: ReadonlyMap<string, string>, stageOrder: readonly string[]): { leads: StoredLead[]; skipped: SkippedRecord[] } {
  const leads: StoredLead[] = [];
  const unstorable: SkippedRecord[] = [];
  for (const record of page.records) {
    try {
      leads.push(toStoredLead(crm, record, ownerNames, stageOrder));
    } catch (error) {
      if (!(error instanceof UnexpectedFieldError)) throw error;
      unstorable.push({ id: record.id, reason: error.issues });
    }
  }
  if (leads.length === 0 && unstorable.length >= SCHEMA_CHANGE_MIN_RECORDS) {
    throw new CrmError('schema', `none of the ${unstorable.length} ${CRM_TERMS[crm].records} on a page could be stored (${unstorable[0].reason})`);
  }
  return { leads, skipped: [...(page.skipped ?? []), ...unstorable] };
}

/**
 * A new `job` as it starts: it reads from where the last complete sync ended unless the CRM
 * shows fields that sync did not read (or did not record, being an older LeadLens), or hands on
 * amounts converted to one currency where that sync did not (`CrmClient.amountsInCorporateCurrency`:
 * an older LeadLens stored a multi-currency org's amounts each in its lead's currency); then it
 * reads every record again. A field added or made readable holds values on records the CRM
 * does not mark changed (a formula field, field-level security, a HubSpot token granted a
 * scope), and amounts stored unconverted stay so on records not changed since: only reading
 * every record brings those in. A field the CRM no longer shows the user
 * (field-level security, a revoked scope, a deleted field) is deleted from every stored lead
 * first, here, without asking the CRM: a lead not edited since would keep it, and its scores quote
 * it; those leads count as changed, so they are scored again. A read of every record skips again
 * each record left out, so it counts afresh those counted without being kept by id.
 */
async function withFieldsCompared(client: CrmClient, store: SyncStore, state: SyncState, job: SyncJob, stageOrder: readonly string[], signal?: AbortSignal): Promise<{ job: SyncJob; state: SyncState }> {
  const fields = [...(await client.syncedFields(signal))].sort();
  const readBefore = new Set(state.syncedFields);
  const converted = (await client.amountsInCorporateCurrency?.(signal)) ?? false;
  // Amounts stored before they were converted stay unconverted on the leads not changed since.
  const newlyConverted = converted && state.amountsInCorporateCurrency !== true;
  const readsAll = job.cursor === null || state.syncedFields === undefined || fields.some((field) => !readBefore.has(field)) || newlyConverted;
  const readNow = new Set(fields);
  const lost = [...readBefore].filter((field) => !readNow.has(field));
  // Before the fields are recorded (with the first page): a pass cut short is made again.
  const emptied = lost.length === 0 ? 0 : await store.dropFields(client.crm, lost, stageOrder);
  // A job set back (`setBack`) keeps what it counted before.
  const next = { ...(readsAll ? { ...job, cursor: null } : job), changed: changedBy(job) + emptied };
  const left = leftOutOf(state);
  return { job: next, state: { ...state, job: next, syncedFields: fields, amountsInCorporateCurrency: converted, ...(readsAll && leftOutState(left.named, left.unnamed, 0)) } };
}

/** How many leads `job` stored new or changed (a job of an older LeadLens counted every lead it stored). */
const changedBy = (job: SyncJob): number => job.changed ?? job.synced;

/** The state's left-out records: those named, those kept by id beyond, and how many more were counted without being kept by id. */
function leftOutOf(state: SyncState): { named: SkippedRecord[]; unnamed: string[]; untracked: number } {
  const named = state.leftOut?.named ?? [];
  const unnamed = state.leftOutUnnamed ?? [];
  return { named, unnamed, untracked: (state.leftOut?.count ?? 0) - named.length - unnamed.length };
}

/** The state's fields for these left-out records (undefined when there are none). */
function leftOutState(named: SkippedRecord[], unnamed: string[], untracked: number): Pick<SyncState, 'leftOut' | 'leftOutUnnamed'> {
  const count = named.length + unnamed.length + untracked;
  return { leftOut: count === 0 ? undefined : { count, named }, leftOutUnnamed: unnamed.length === 0 ? undefined : unnamed };
}

const NO_ID = '(no id) ';
/** One entry per record: its id, or (a record without a readable id) its reason. */
const leftOutKey = (record: SkippedRecord) => record.id ?? `${NO_ID}${record.reason}`;
/** The record id of a `leftOutKey`, or null for a record without a readable id. */
const idOfLeftOutKey = (key: string) => (key.startsWith(NO_ID) ? null : key);

/**
 * The records left out so far, less those now stored (read again once changed in the CRM, and
 * readable now), plus the page's skipped ones: one entry per record, the first
 * `MAX_LEFT_OUT_NAMED` by id and reason, then up to `MAX_LEFT_OUT_UNNAMED` by id; beyond those
 * a record is counted each time a page skips it. One kept by id alone is named once the list
 * has room and a page skips it again.
 */
function withLeftOut(state: SyncState, skipped: readonly SkippedRecord[], stored: readonly StoredLead[]): Pick<SyncState, 'leftOut' | 'leftOutUnnamed'> {
  const storedIds = new Set(stored.map((lead) => lead.id));
  const left = leftOutOf(state);
  const named = new Map(left.named.filter((record) => record.id === null || !storedIds.has(record.id)).map((record) => [leftOutKey(record), record]));
  const unnamed = new Set(left.unnamed.filter((key) => !storedIds.has(key)));
  let { untracked } = left;
  for (const record of skipped) {
    const key = leftOutKey(record);
    if (named.has(key) || named.size < MAX_LEFT_OUT_NAMED) {
      named.set(key, record);
      unnamed.delete(key);
    } else if (unnamed.has(key) || unnamed.size < MAX_LEFT_OUT_UNNAMED) unnamed.add(key);
    else untracked++;
  }
  return leftOutState([...named.values()], [...unnamed], untracked);
}

/** The left-out records the CRM still has: one it deleted is no longer missing here. */
function leftOutStillPresent(state: SyncState, deletions: Deletions | null): Pick<SyncState, 'leftOut' | 'leftOutUnnamed'> {
  const left = leftOutOf(state);
  if (!deletions) return leftOutState(left.named, left.unnamed, left.untracked);
  const ids = new Set(deletions.kind === 'deleted-since' ? deletions.records.map((record) => record.id) : deletions.ids);
  // A list of deletions names the gone; a list of every record the CRM has, those still there.
  const stillThere = (id: string | null) => id === null || (deletions.kind === 'deleted-since' ? !ids.has(id) : ids.has(id));
  return leftOutState(
    left.named.filter((record) => stillThere(record.id)),
    left.unnamed.filter((key) => stillThere(idOfLeftOutKey(key))),
    left.untracked,
  );
}

/**
 * Why a sync that started signed in as `startedAs` may not remove leads now: the credentials sign
 * in as another user, by a "Log in as" (`otherUserRefusal`), or by a connect, which forgot whom
 * the leads were synced as (`connectedAgainRefusal`). Null when they sign in as the same user, or
 * the CRM has no users.
 */
async function otherUserNowRefusal(client: CrmClient, store: SyncStore, startedAs: CrmUser, signal?: AbortSignal): Promise<string | null> {
  const signedIn = await client.currentUser?.(signal);
  if (!signedIn || signedIn.id === startedAs.id) return null;
  const connectedAgain = (await store.readState(client.crm)).syncedAs === undefined;
  return connectedAgain ? connectedAgainRefusal(client.crm, startedAs, signedIn) : otherUserRefusal(client.crm, startedAs, signedIn, 'removed');
}

/**
 * Why a sync that started signed in as `startedAs` may not remove leads once the CRM was connected
 * again during it as `signedIn`: its pages may hold what either could see. The admin chose
 * `signedIn` (the connect forgot whom the leads were synced as), so the next sync reads as them.
 */
function connectedAgainRefusal(crm: CrmKind, startedAs: CrmUser, signedIn: CrmUser): string {
  const label = CRM_LABEL[crm];
  return (
    `${label} was connected again during this sync, and signs in as ${signedIn.name} (${signedIn.username}) where the sync began as ${startedAs.name} (${startedAs.username}): ` +
    `what it read may mix what each of them sees, so it removed nothing. The next sync reads those leads again, as ${signedIn.name}`
  );
}

/**
 * `job` set back to read its pages again, from where it began (`beganFrom`; null: every record),
 * as a job that has committed no page: it compares the fields again, as a new job does, since a
 * describe as another user may have been taken for the fields the CRM shows. The leads it counted
 * new or changed stay counted, so the finish scores them (those it reads changed again count
 * twice); the merges it read stay true whoever read them.
 */
function setBack(job: SyncJob, beganFrom: number | null): SyncJob {
  return { ...job, cursor: beganFrom, reached: null, lastId: null, pageToken: null, synced: 0, changed: changedBy(job), pages: 0, remaining: null };
}

/**
 * What a finishing sync removes: the CRM's deletions as read at `askedAt` (`read`; null for a
 * first sync), and those with the records the job read as merged away (`deletions`); and the
 * refused comparison that stands, if any (`readDeletions`).
 */
interface Removals {
  read: Deletions | null;
  askedAt: number;
  deletions: Deletions | null;
  comparisonRefused?: ComparisonRefusal;
  /** Why the values the CRM computes were not read again, while that stands (`calculatedNotRefreshedNote`). */
  calculatedNotRefreshed?: string;
}

/**
 * Once every page is stored: what the CRM deleted since the last complete sync (a first, full
 * sync reads none: everything it stored, the CRM had, but the contacts HubSpot's lagging search
 * listed after their merge, which its merges remove). `listed`: every record's id, as this sync
 * listed them already (`withCalculatedRefreshed`).
 */
async function readRemovals(client: CrmClient, state: SyncState, job: SyncJob, now: () => number, signal?: AbortSignal, listed?: ListedIds): Promise<Removals> {
  const since = state.deletionCursor ?? state.completedCursor;
  const askedAt = now();
  if (since === null) return { read: null, askedAt, deletions: withMergedAway(null, job) };
  const { read, comparisonRefused } = await readDeletions(client, since, state, askedAt, signal, listed);
  return { read, askedAt, deletions: withMergedAway(read, job), comparisonRefused };
}

/**
 * Removes the leads of `removals` (`readRemovals`), and marks the sync done, in one transaction.
 * `began`: when the job began (see `beganBy`); `queriedAt`: when its first query ran by the CRM's
 * clock, when it said (`ChangedPage.queriedAt`).
 */
async function finishSync(store: SyncStore, crm: CrmKind, state: SyncState, job: SyncJob, { began, queriedAt }: { began: number; queriedAt: number | null }, now: () => number, { read, askedAt, deletions, comparisonRefused, calculatedNotRefreshed }: Removals): Promise<SyncState> {
  return store.finishSync(crm, deletions, (removed) => {
    const finishedAt = now();
    return {
      ...state,
      status: 'done',
      endedAt: finishedAt,
      // Written with the removals, so only a comparison that completed counts. A first sync
      // compared, as it read every record the CRM had when it started.
      idsComparedAt: read === null ? job.startedAt : read.kind === 'all-present' ? askedAt : state.idsComparedAt,
      completedCursor: nextSyncCursor(job, began, queriedAt, state.completedCursor),
      // The next sync reads deletions from where this read ended (after a first sync, from when it
      // began, or from the newest change it read if that says the browser's clock runs fast): a
      // lead deleted since this sync read it is removed then. Not from a first sync's merges, which
      // say nothing of how far the CRM's deletions were read.
      deletionCursor: (read?.coveredTo ?? Math.min(began, reachedBy(job) ?? began)) - SYNC_LOOKBACK_MS,
      job: null,
      ...leftOutStillPresent(state, deletions),
      lastRun: {
        synced: changedBy(job),
        removed,
        finishedAt,
        seconds: (finishedAt - job.startedAt) / 1000,
        ...(comparisonRefused && { comparisonRefused }),
        ...(calculatedNotRefreshed !== undefined && { calculatedNotRefreshed }),
      },
    };
  }, job);
}

/**
 * Whether the stored leads are due at `at` to be compared with every record the CRM has: a week
 * after they last were (`idsComparedAt`; at once when never), or, while a refused comparison
 * stands (`lastRun.comparisonRefused`), a day after it. The values the CRM computes as it reads
 * them are read again with it.
 */
function comparisonDue({ idsComparedAt, lastRun }: SyncState, at: number): boolean {
  const refused = lastRun?.comparisonRefused;
  if (refused) return at - refused.at >= COMPARISON_RETRY_AFTER_MS;
  return idsComparedAt === undefined || at - idsComparedAt >= FULL_COMPARISON_EVERY_MS;
}

/**
 * What the CRM deleted since `since`, or every record it has when it deletes some without
 * listing them and the stored leads are due to be compared with those (`comparisonDue`). A list
 * of every record refused as shorter than the CRM counts (`ListShortOfCountError`) removes
 * nothing: the deletions the CRM lists are read instead (`CrmClient.listKeptDeletions`), the
 * refusal stands, and until the next comparison is due, syncs read only those. The refusal
 * standing after this read is `comparisonRefused`: a comparison that completes ends it.
 * `listed`: every record's id as this sync listed them already, which the comparison takes.
 */
async function readDeletions(client: CrmClient, since: number, state: SyncState, at: number, signal?: AbortSignal, listed?: ListedIds): Promise<{ read: Deletions; comparisonRefused?: ComparisonRefusal }> {
  const standing = state.lastRun?.comparisonRefused;
  const due = comparisonDue(state, at);
  if (standing && !due && client.listKeptDeletions) return { read: await client.listKeptDeletions(since, signal), comparisonRefused: standing };
  try {
    const read = client.listPresent && due ? await client.listPresent(signal, listed) : await client.listDeleted(since, signal);
    return { read, comparisonRefused: read.kind === 'all-present' ? undefined : standing };
  } catch (error) {
    if (!(error instanceof ListShortOfCountError) || !client.listKeptDeletions) throw error;
    return { read: await client.listKeptDeletions(since, signal), comparisonRefused: { at, listed: error.listed, counted: error.counted } };
  }
}

/**
 * Why the sync did not read again the values the CRM computes (`withCalculatedRefreshed`), the
 * CRM having refused that read as asked (`refusedAsAsked`: Salesforce's QUERY_TOO_COMPLICATED on a
 * query of many formula fields), in words. The sync goes on without it, keeping the pages stored
 * before the refusal, and makes it again with the next comparison (`comparisonDue`), not at every sync.
 */
function calculatedNotRefreshedNote(crm: CrmKind, refusal: CrmError): string {
  const { values, record } = CALCULATED_WORDS[crm];
  return `Could not refresh ${values}: ${refusal.message}. Each ${record} keeps the values its ${values} had when it last changed; LeadLens tries again within a week`;
}

/** What each CRM calls the values it computes, and its records. */
const CALCULATED_WORDS: Record<CrmKind, { values: string; record: string }> = {
  salesforce: { values: 'formula fields', record: 'Lead' },
  hubspot: { values: 'calculated properties', record: 'contact' },
};

/**
 * Whether the CRM refused a request as it was asked, and would refuse it again (any 4xx but a
 * 401 or a 429: a query too complicated, a URL too long, a missing permission); not Salesforce's
 * request limit (403 REQUEST_LIMIT_EXCEEDED), which a later sync gets past, nor a credential that
 * could not be renewed (`CrmError.renewalFailed`).
 */
const refusedAsAsked = (error: unknown): error is CrmError => isCrmError(error, 'request') && error.crmCode !== 'REQUEST_LIMIT_EXCEEDED' && !error.renewalFailed;

/**
 * Every stored lead given the values the CRM computes as it reads them (`CrmClient.listCalculated`),
 * a page of records at a time: those whose values changed are stored, with the job counting them
 * as changed (so they are scored again), and each page's state is yielded once committed. A pass
 * cut short is made again whole when the job resumes; the leads it stored read the same then.
 * The last page's comes with `listed`, every record's id, when each page of the pass, read whole
 * from its first, listed them (`CalculatedPage.listed`).
 */
async function* withCalculatedRefreshed(
  client: CrmClient,
  store: SyncStore,
  state: SyncState,
  job: SyncJob,
  stageOrder: readonly string[],
  signal?: AbortSignal,
): AsyncGenerator<{ state: SyncState; job: SyncJob; listed?: ListedIds }> {
  if (!client.listCalculated) return;
  let pageToken: string | null = null;
  let expiredInARow = 0;
  const cursors = new PageCursors(CRM_LABEL[client.crm], 'the list of calculated values');
  // The ids the pass's pages listed so far; null once a page could not say.
  let listed: ListedIds | null = null;
  for (;;) {
    if (signal?.aborted) throw new CrmError('cancelled', 'Cancelled');
    // A page per 100 contacts (or 2,000 Leads), every record: it stops at the allowance as the pages of changes do.
    pauseNearApiAllowance(client);
    let page;
    try {
      page = await client.listCalculated(pageToken, signal);
    } catch (error) {
      // The CRM forgot the page token (a query locator idle for 15 min): the pass starts again.
      if (!isCrmError(error, 'cursor-expired') || ++expiredInARow >= 2) throw error;
      pageToken = null;
      cursors.startAgain();
      continue;
    }
    expiredInARow = 0;
    if (page === null) return;
    cursors.refuseRepeat(pageToken, page.next);
    // A pass begun again (its page token forgotten) lists from its first page again.
    if (!page.listed) listed = null;
    else if (pageToken === null) listed = { ids: [...page.listed.ids], coveredTo: page.listed.coveredTo };
    else listed?.ids.push(...page.listed.ids);
    let refreshed = job;
    state = await store.refreshFields(
      client.crm,
      page.records,
      (changed) => {
        refreshed = { ...job, changed: changedBy(job) + changed };
        return { ...state, job: refreshed };
      },
      stageOrder,
    );
    job = refreshed;
    yield { state, job, ...(page.next === null && listed && { listed }) };
    if (page.next === null) return;
    pageToken = page.next;
  }
}

/**
 * `mergedAway` with the records merged into any of `records`, each as deleted when the record it
 * went into was last modified (the merge modified it): one entry per id, its latest merge. Only
 * those the finish has something to do with are kept: a synced lead stored now (asked of the store
 * once per page), one of this page's `leads` (stored with it), or a left-out record (`leftOut`: one
 * merged away is no longer missing). A contact names every contact ever merged into it, long
 * removed, and a read of every contact meets tens of thousands: kept, they would be written again
 * with every page's state. The others go to `notStored` (updated in place), from which a later
 * page storing or leaving out one of them brings it back.
 */
async function withMergesOf(
  store: SyncStore,
  crm: CrmKind,
  records: readonly CrmRecord[],
  mergedAway: DeletedRecord[],
  notStored: Map<string, number>,
  leads: readonly StoredLead[],
  leftOut: Pick<SyncState, 'leftOut' | 'leftOutUnnamed'>,
): Promise<DeletedRecord[]> {
  const merges = records.flatMap((record) => (record.mergedIds ?? []).map((id) => ({ id, deletedAt: record.modifiedAt })));
  if (merges.length === 0 && notStored.size === 0) return mergedAway;
  const pageOrLeftOut = new Set([...leads.map((lead) => lead.id), ...(leftOut.leftOut?.named ?? []).flatMap((record) => record.id ?? []), ...(leftOut.leftOutUnnamed ?? [])]);
  const latest = new Map(mergedAway.map((merged) => [merged.id, merged.deletedAt]));
  // A contact merged away, read after the page naming it (HubSpot's search lags).
  for (const id of pageOrLeftOut) {
    const mergedAt = notStored.get(id);
    if (mergedAt === undefined) continue;
    latest.set(id, mergedAt);
    notStored.delete(id);
  }
  const toAsk = [...new Set(merges.map((merged) => merged.id))].filter((id) => !latest.has(id) && !pageOrLeftOut.has(id));
  const stored = toAsk.length === 0 ? new Set<string>() : store.syncedIdsAmong ? await store.syncedIdsAmong(crm, toAsk) : new Set(toAsk);
  for (const { id, deletedAt } of merges) {
    const kept = latest.has(id) || pageOrLeftOut.has(id) || stored.has(id) ? latest : notStored;
    kept.set(id, Math.max(deletedAt, kept.get(id) ?? deletedAt));
  }
  return [...latest].map(([id, deletedAt]) => ({ id, deletedAt }));
}

/**
 * The CRM's deletions with the records the job read as merged away. A list of every record the
 * CRM has leaves them out already; without a list (a first sync), the merges alone.
 */
function withMergedAway(deletions: Deletions | null, job: SyncJob): Deletions | null {
  if (job.mergedAway.length === 0 || deletions?.kind === 'all-present') return deletions;
  return { kind: 'deleted-since', records: [...(deletions?.records ?? []), ...job.mergedAway], coveredTo: deletions?.coveredTo ?? job.startedAt };
}

/**
 * Where a job resumes after this page if its page token is lost: the newest change on the page,
 * of those stamped before the job `began` (less `SYNC_LOOKBACK_MS`, for clocks that disagree).
 * A later page of a query can show a record as edited since the query ran, stamped after
 * records the query has not returned yet; resuming from that stamp would skip them. Edits
 * made during the job are read by the next sync, which begins before this one started.
 */
function checkpointOf(records: readonly CrmRecord[], job: SyncJob, began: number): number | null {
  const before = began - SYNC_LOOKBACK_MS;
  return records.reduce<number | null>((max, r) => (r.modifiedAt < before && (max === null || r.modifiedAt > max) ? r.modifiedAt : max), job.cursor);
}

/** How far `job` has read (a job of an older LeadLens kept it in `cursor`). */
const reachedBy = (job: SyncJob): number | null => (job.reached === undefined ? job.cursor : job.reached);

/**
 * When `job` began: when it started by the browser's clock, or when its first query ran by the
 * CRM's (`queriedAt`, null when unknown) if that is earlier. A browser clock minutes fast would
 * otherwise date the job's start after edits made during it.
 */
const beganBy = (job: SyncJob, queriedAt: number | null): number => (queriedAt === null ? job.startedAt : Math.min(job.startedAt, queriedAt));

/**
 * Where the sync after `finished` begins: `SYNC_LOOKBACK_MS` before it `began` (see `beganBy`)
 * when the CRM said by its own clock when the job's first query ran (`queriedAt`; null when it
 * did not): the job read every change made before that. Not from the newest change read, which
 * after a bulk edit would have every quiet sync read its records again until another change.
 * Without that clock, before its newest change, or before it began if that is earlier: the
 * newest change is the CRM's own stamp, and a browser clock minutes fast would otherwise take
 * the look-back away. But it may be an edit made during the job, shown by a later page of a
 * query that ran before it: a record on a page read earlier and edited since is read again only
 * from before the query ran. A job that read nothing leaves the cursor where it was
 * (`previous`), not a look-back further each time.
 */
function nextSyncCursor(finished: SyncJob, began: number, queriedAt: number | null, previous: number | null): number | null {
  const reached = reachedBy(finished);
  if (reached === null) return previous;
  return (queriedAt === null ? Math.min(reached, began) : began) - SYNC_LOOKBACK_MS;
}

/**
 * Adds the names of the records' owners not yet in `ownerNames`, in one lookup. A lookup that
 * fails leaves those owners as ids (and is not asked again this job) rather than failing the
 * sync; a cancel or an expired session is thrown, as they stop the sync anyway and the page
 * is then read again, names and all, when it resumes.
 */
async function learnOwnerNames(client: CrmClient, records: readonly CrmRecord[], ownerNames: Map<string, string>, signal?: AbortSignal): Promise<void> {
  const unknown = [...new Set(records.map((record) => ownerIdOf(client.crm, record)))].filter((id): id is string => id !== null && !ownerNames.has(id));
  if (unknown.length === 0) return;
  let found = new Map<string, string>();
  try {
    found = await client.ownerNames(unknown, signal);
  } catch (error) {
    if (isCrmError(error, 'cancelled') || isCrmError(error, 'auth')) throw error;
    console.warn(`LeadLens: could not read ${client.crm} owner names; those leads keep owner ids:`, error);
  }
  for (const id of unknown) ownerNames.set(id, found.get(id) ?? id);
}

/**
 * After a finished sync: leads stored with an owner id (an earlier sync whose lookup failed,
 * a HubSpot token granted the owners scope since, a LeadLens that stored ids) get their
 * owner's name, so the side panel's owner filter lists each person once. `ownerNames` (this
 * job's lookups) is used as it is; ids this job could not name are not asked again. A
 * failure leaves the ids and the finished sync as they are. Returns how many leads it renamed.
 */
async function nameStoredOwners(client: CrmClient, store: SyncStore, ownerNames: ReadonlyMap<string, string>, signal?: AbortSignal): Promise<number> {
  try {
    const ids = await store.unnamedOwnerIds(client.crm);
    const toAsk = ids.filter((id) => !ownerNames.has(id));
    const found = toAsk.length > 0 ? await client.ownerNames(toAsk, signal) : new Map<string, string>();
    const names = new Map(ids.flatMap((id) => {
      const name = ownerNames.get(id) ?? found.get(id);
      return name !== undefined && name !== id ? [[id, name] as const] : [];
    }));
    return names.size > 0 ? await store.nameOwners(client.crm, names) : 0;
  } catch (error) {
    console.warn(`LeadLens: could not name the owners of ${client.crm} leads stored with owner ids:`, error);
    return 0;
  }
}
