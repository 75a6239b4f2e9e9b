/**
 * What the background needs from a CRM's REST API, the same for Salesforce and HubSpot.
 * Implemented by `salesforce-client.ts` and `hubspot-client.ts` over `http.ts`; get one for
 * the user's connection with `clientFor(crm)` from `lib/connections` (background only: it
 * reads the credentials).
 */
import type { RawRecord } from '../ml/featurize';
import { CrmError, type ApiUsage } from './http';
import { CRM_LABEL, type CrmKind } from './types';
import { plural } from '../presentation';

/** One record as the API returns it, with the two facts sync and caching key on. */
export interface CrmRecord {
  /** Salesforce 18-character Id / HubSpot contact id. */
  id: string;
  /** Epoch ms of `SystemModstamp` / `lastmodifieddate` (a HubSpot contact's; other objects' is `hs_lastmodifieddate`). */
  modifiedAt: number;
  /** Salesforce: fields by API name (no `attributes`); HubSpot: `properties`. */
  fields: RawRecord;
  /** Records merged into this one, which are gone without having been deleted (a HubSpot merge). */
  mergedIds?: readonly string[];
}

/**
 * A record a page held in a shape LeadLens cannot read (a field of an unexpected type): left out
 * of the page rather than failing it, and so every sync after it. Named by its id when it has a
 * readable one, and by what is wrong, never by a value.
 */
export interface SkippedRecord {
  id: string | null;
  reason: string;
}

export interface ChangedPage {
  records: CrmRecord[];
  /** The page's records that could not be read (absent: none). */
  skipped?: SkippedRecord[];
  /** Opaque token for the next page, or null when the changes are exhausted. */
  next: string | null;
  /** How many more changed records the CRM reports after this page (for progress), when it says. */
  remaining: number | null;
  /**
   * A modification time from which a new query misses nothing after this page, when its newest
   * one would (HubSpot shows an edit its index has not caught up with at its old place): where
   * a sync restarts when its `next` token is lost, and how far it has read in order. Null: from
   * the start (a sync that has read no date in order yet).
   */
  resumeFrom?: number | null;
  /**
   * The CRM's own clock (epoch ms) when the query whose first page this is ran, when it says
   * (Salesforce: its `Date` header; HubSpot: its search answer's `Date` less the time its index
   * may take to show an edit). The query misses no edit made before it (but one committed late,
   * which the sync's look-back covers): the next sync begins from it, not from the newest change
   * read, which would have every quiet sync read a bulk edit again. Its later pages show records
   * as they are when each is fetched, so an edit made after it to a record on a page read before
   * may be missing: the next sync begins no later than this.
   */
  queriedAt?: number;
}

/**
 * A page of `CrmClient.listCalculated`: each record's id with the values of the fields the CRM
 * computes as it reads them, and the token of the next page (null after the last).
 */
export interface CalculatedPage {
  records: Pick<CrmRecord, 'id' | 'fields'>[];
  next: string | null;
  /**
   * When the pass reads the list of every record (HubSpot), what this page of it lists: the id
   * of every record on it, its values readable or not, and where a read of deletions after it
   * begins (taken as the page was asked for). The pages of a whole pass, from its first,
   * together list every record: `listPresent` takes them (`ListedIds`) rather than read that
   * list again. Absent when the page cannot say (a record without a readable id).
   */
  listed?: ListedIds;
}

/**
 * Every record's id as a list of them read already gives them (a whole `listCalculated` pass, its
 * pages' `listed` joined), and `coveredTo` as `Deletions` has it: its first page's.
 */
export interface ListedIds {
  ids: string[];
  coveredTo: number;
}

export interface ReadOptions {
  /** Field API names / property names to read; every readable field when omitted. */
  fields?: readonly string[];
  signal?: AbortSignal;
}

/** Values for some fields of one record: Salesforce field API names / HubSpot property names; null empties a field. */
export interface FieldUpdate {
  recordId: string;
  fields: Record<string, string | number | null>;
}

/**
 * A field write-back fills: with a number (the score) or text (the tier's word, the top reason);
 * `values` when the text is always one of these words (the tiers), which a choice list (a
 * Salesforce picklist, a HubSpot dropdown) offering every one of them can hold, and a text field
 * only if it is long enough for each; `largest`, the largest whole number written (the score's
 * 99), which a number field must have digits for.
 */
export interface FieldToWrite {
  name: string;
  holds: 'number' | 'text';
  values?: readonly string[];
  largest?: number;
}

/**
 * A field `checkWritableFields` lets write-back fill: its name as the CRM spells it, and for a
 * text field the most characters it holds (null for other fields): a longer value would have the
 * CRM refuse the whole record, so free text is cut to fit.
 */
export interface WritableField {
  name: string;
  maxLength: number | null;
}

/** A record the CRM refused to update while it took the rest of the batch. */
export interface RecordUpdateFailure {
  recordId: string;
  /** The CRM's code and message, e.g. `ENTITY_IS_DELETED: entity is deleted`. */
  error: string;
}

/** A record the CRM no longer has: deleted (Salesforce) or archived (HubSpot). */
export interface DeletedRecord {
  id: string;
  /** Epoch ms of the deletion. */
  deletedAt: number;
}

/**
 * `amount` in the currency whose ISO code is `currency`, in the corporate currency: divided by that
 * currency's rate (`rates`: how many of it make one of the corporate currency, whose own is 1);
 * null without a rate for it, or without a currency (a Lead's may be null), rather than an
 * amount in another currency than the others'.
 */
export function amountInCorporateCurrency(amount: number, currency: unknown, rates: ReadonlyMap<string, number>): number | null {
  const rate = typeof currency === 'string' ? rates.get(currency) : undefined;
  return rate === undefined ? null : amount / rate;
}

/**
 * How far the browser's clock may be off the CRM's, which dates changes and deletions. Where a
 * read of deletions ends is told by the browser's clock: with it running fast, the next sync would
 * ask from after deletions it never saw, so a read says it reaches this much less far (a deletion
 * listed twice removes nothing the second time). HubSpot's change listing takes HubSpot's clock to
 * be at least the browser's less this.
 */
export const CLOCK_ALLOWANCE_MS = 24 * 3_600_000;

/** What the CRM says is gone since a sync, and up to when it says so (epoch ms). */
export type Deletions =
  | { kind: 'deleted-since'; records: DeletedRecord[]; coveredTo: number }
  /**
   * The CRM no longer keeps its deletions back to the asked date: every record it has instead,
   * so that each stored record it lacks is known to be gone.
   */
  | { kind: 'all-present'; ids: string[]; coveredTo: number };

/**
 * A list of every record (`listPresent`, or `listDeleted` instead of the deletions) refused as
 * clearly shorter than the CRM counts: each stored record left off it would be removed, and no
 * later sync brings it back. `listKeptDeletions` says what is gone without it. Its kind is
 * `schema`, so a caller that does not know it fails as on any answer it cannot trust.
 */
export class ListShortOfCountError extends CrmError {
  constructor(
    readonly listed: number,
    readonly counted: number,
    message: string,
  ) {
    super('schema', message);
    this.name = 'ListShortOfCountError';
  }
}

/** The org or portal a connection reads: `id` to compare, `name` to show. */
export interface CrmAccount {
  id: string;
  name: string;
  /** HubSpot: the host of the portal's pages, as its account details name it (`uiDomain`), when one LeadLens runs on. */
  uiDomain?: string;
}

/** Which org or portal `account` is, as syncs compare and record it: not where its pages are (`uiDomain`). */
export const portalOf = ({ id, name }: CrmAccount): CrmAccount => ({ id, name });

/**
 * The CRM user credentials sign in as: `id` to compare; `name` and `username` (the login, as two
 * users may share a name) to show.
 */
export interface CrmUser {
  id: string;
  name: string;
  username: string;
}

export interface CrmClient {
  readonly crm: CrmKind;
  /** Records one `updateRecords` call takes: the CRM's batch limit (Salesforce 200, HubSpot 100). */
  readonly maxBatch: number;
  /** One lead / contact, or null when it does not exist (or was deleted). */
  readRecord(id: string, options?: ReadOptions): Promise<CrmRecord | null>;
  /** Many records; ids that do not exist are left out. Order is not guaranteed. */
  batchRead(ids: readonly string[], options?: ReadOptions): Promise<CrmRecord[]>;
  /**
   * Records modified at or after `since` (epoch ms; null = all), oldest change first, one
   * page per call. Pass the returned `next` to continue; a `next` the CRM has since
   * forgotten fails with `CrmError` kind `cursor-expired`: start again from your cursor.
   */
  listChanged(since: number | null, pageToken: string | null, signal?: AbortSignal): Promise<ChangedPage>;
  /**
   * The fields `listChanged` reads of each record now (field API names / property names). A
   * field added or made readable holds values on records the CRM does not mark as changed (a
   * formula, field-level security, a token granted a scope): a sync that finds one it did not
   * read before reads every record again.
   */
  syncedFields(signal?: AbortSignal): Promise<string[]>;
  /**
   * Whether the records' amounts are handed on converted to one currency (a multi-currency
   * Salesforce org's: its corporate currency) rather than each in its record's own. Amounts
   * stored before a client converted them stay in their record's currency, the records not being
   * marked as changed: a sync that finds them converted where the last did not reads every record
   * again. Absent for a CRM whose amounts are never converted (HubSpot).
   */
  amountsInCorporateCurrency?(signal?: AbortSignal): Promise<boolean>;
  /**
   * The rates the records' amounts are converted at (`amountsInCorporateCurrency`), by ISO code
   * (`amountInCorporateCurrency` applies one), as the records' reads take them; null when they are
   * handed on as their records hold them (a single-currency org). A record page's amount written
   * in a currency is read at them, in the currency its record's amounts are handed on in.
   * Absent for a CRM whose amounts are never converted (HubSpot).
   */
  corporateCurrencyRates?(signal?: AbortSignal): Promise<ReadonlyMap<string, number> | null>;
  /**
   * The records deleted at or after `since` (epoch ms); when the CRM has forgotten deletions
   * that old, every record it has instead. Deletions after `coveredTo` may be missing: the
   * next call starts there.
   */
  listDeleted(since: number, signal?: AbortSignal): Promise<Deletions>;
  /**
   * Every record the CRM has (that the user can see), for a CRM whose `listDeleted` leaves some
   * records out that are gone (HubSpot: a contact deleted for good at once, a GDPR deletion, is
   * never archived; Salesforce: a Lead the user can no longer see, reassigned out of their
   * sharing, or deleted after that, is never listed): a sync compares them with what it stored
   * now and then. `listed`: that list as this sync read it already (a whole `listCalculated`
   * pass, which reads it too), checked as the list read here would be (`ListShortOfCountError`)
   * instead of read again. Absent when `listDeleted` lists every deletion.
   */
  listPresent?(signal?: AbortSignal, listed?: ListedIds): Promise<Extract<Deletions, { kind: 'all-present' }>>;
  /**
   * The deletions the CRM still lists, since `since` or as far back as it keeps them: never every
   * record instead. What a sync removes when a list of every record is refused
   * (`ListShortOfCountError`); it misses the records gone without being listed, and those whose
   * listing the CRM has since dropped. Absent for a CRM whose lists of every record are never refused so.
   */
  listKeptDeletions?(since: number, signal?: AbortSignal): Promise<Extract<Deletions, { kind: 'deleted-since' }>>;
  /**
   * Every record's values of the fields the CRM computes as it reads them (Salesforce formula
   * fields: `TODAY() - CreatedDate`, a field of the owner; HubSpot calculated properties: a rollup
   * of associated deals, a score), one page per call: pass null, then
   * each returned `next`. They change without the record being marked modified, so
   * `listChanged` never reads them again: a sync reads them now and then. Null when the records
   * have no such field the user can read; a `next` the CRM has since forgotten fails with
   * `CrmError` kind `cursor-expired`. Absent for a CRM without such fields.
   */
  listCalculated?(pageToken: string | null, signal?: AbortSignal): Promise<CalculatedPage | null>;
  /**
   * Writes fields of up to `maxBatch` records in one request. Records the CRM refuses one by
   * one (deleted, value too long) come back as failures; a request refused as a whole (an
   * unknown field, no permission) throws a `CrmError`.
   */
  updateRecords(updates: readonly FieldUpdate[], signal?: AbortSignal): Promise<RecordUpdateFailure[]>;
  /**
   * Refuses, before anything is written, fields `updateRecords` must not write: the CRM's own
   * (write-back would overwrite their data on every record), read-only or calculated ones, those
   * that do not exist, and those whose type cannot hold what is written. Reads the CRM's field
   * definitions afresh, so a field created a moment ago counts. Throws a `CrmError` naming every
   * field refused and why. Resolves to the fields as the CRM has them, in their order: named as
   * it spells them (Salesforce takes `fit_score__c` for `Fit_Score__c`; a sync stores it as the
   * latter), with the length of a text field.
   */
  checkWritableFields(fields: readonly FieldToWrite[], signal?: AbortSignal): Promise<WritableField[]>;
  /**
   * Display names of these owner ids (Salesforce `OwnerId`, HubSpot `hubspot_owner_id`), for
   * those the CRM could name; the others are absent. HubSpot without the owners scope names none.
   */
  ownerNames(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, string>>;
  /**
   * Proves the connection works end to end; throws a `CrmError` saying what failed. Resolves
   * with the org or portal the credentials read (records of another must not mix with its
   * own), or null when the CRM would not say.
   */
  checkAccess(signal?: AbortSignal): Promise<CrmAccount | null>;
  /**
   * The user the credentials sign in as now. What a sync reads is what that user may see
   * (Salesforce: sharing, field-level security), and a browser session's user changes with a
   * "Log in as". Absent for a CRM whose credentials are no user's (a HubSpot private app's token).
   */
  currentUser?(signal?: AbortSignal): Promise<CrmUser>;
  /**
   * How the CRM's pages show the values of `fields` that are choice lists (a Salesforce picklist, a HubSpot dropdown / radio / checkbox enumeration):
   * field name → (value the API gives → label the page shows), only for values whose label differs from the value. Fields that are not choice lists, have no such value, or that the CRM does not have are left out.
   */
  optionLabels(fields: readonly string[], options?: { signal?: AbortSignal }): Promise<Record<string, Record<string, string>>>;
  /**
   * HubSpot only: the portal's own lifecycle stages (the contact property `lifecyclestage`'s
   * options, hidden ones too), in the order the portal puts them, with their labels. A portal may
   * add stages (a numeric id, "Product Qualified Lead") and reorder them; none when it has no such property.
   */
  lifecycleStages?(options?: { signal?: AbortSignal }): Promise<ChoiceOption[]>;
  /**
   * How much of the org's or portal's shared API allowance is used, as the CRM's latest answer
   * that said so said; null when none did (a HubSpot app installed by OAuth has no daily limit,
   * and HubSpot's searches never say). Syncs and write-backs stop short of the limit with it
   * (`apiAllowancePause`); absent, or null, nothing holds them back.
   */
  apiUsage?(): ApiUsage | null;
}

/**
 * The share of the CRM's API allowance from which syncs and write-backs stop before their next
 * request. The allowance is the whole org's (Salesforce) or account's (HubSpot), shared by every
 * integration it has: used up, their calls fail too until it frees up. LeadLens's work can wait
 * for the next sync, so it leaves the last tenth to them.
 */
export const API_ALLOWANCE_PAUSE_AT = 0.9;

/** What each CRM's allowance counts, and when a sync or write-back paused by it may go again: sooner, it pauses again. */
const ALLOWANCE_WORDS: Record<CrmKind, { whose: string; counted: string; goAgain: string }> = {
  salesforce: { whose: 'your org', counted: 'of the last 24 hours', goAgain: 'in a few hours, as requests older than 24 hours stop counting' },
  hubspot: { whose: 'your account', counted: 'for today', goAgain: 'tomorrow, when HubSpot counts them afresh' },
};

/**
 * The error (of kind `rate`) a sync or a write-back stops with before its next request, when the
 * client's latest reading of the API allowance (`CrmClient.apiUsage`) is at or past
 * API_ALLOWANCE_PAUSE_AT of it; null below it, or when nothing is known.
 */
export function apiAllowancePause(crm: CrmKind, client: Pick<CrmClient, 'apiUsage'>, job: 'sync' | 'write-back'): CrmError | null {
  const usage = client.apiUsage?.() ?? null;
  if (usage === null || usage.used < API_ALLOWANCE_PAUSE_AT * usage.limit) return null;
  const { whose, counted, goAgain } = ALLOWANCE_WORDS[crm];
  const used = `${CRM_LABEL[crm]}: ${whose} has used ${usage.used.toLocaleString('en-US')} of its ${usage.limit.toLocaleString('en-US')} API requests ${counted}; LeadLens paused this ${job} to leave the rest to your other integrations.`;
  // The options page says, after a sync's reason, that what it stored is kept.
  const next = job === 'sync' ? `Sync again ${goAgain}: it goes on from where it stopped.` : `The leads written so far stay written; write back again ${goAgain}.`;
  return new CrmError('rate', `${used} ${next}`);
}

/** One option of a choice list as the CRM defines it: the value the API gives, and the label its pages show (absent or null when it says none). */
export interface ChoiceOption {
  value: string;
  label?: string | null;
}

/**
 * `optionLabels`' answer: for each of `fields`, the options `optionsOf` gives it (undefined: not a
 * choice list the CRM has) whose label is neither empty nor the value itself. Built with
 * `Object.fromEntries`, which makes every key its own property: a field or value named
 * `__proto__` never reaches a prototype.
 */
export function labelsUnlikeValues(fields: readonly string[], optionsOf: (field: string) => readonly ChoiceOption[] | undefined): Record<string, Record<string, string>> {
  return Object.fromEntries(
    fields.flatMap((field) => {
      const labelled = (optionsOf(field) ?? []).flatMap(({ value, label }) => (value && label && label !== value ? [[value, label] as const] : []));
      return labelled.length === 0 ? [] : [[field, Object.fromEntries(labelled)] as const];
    }),
  );
}

/** What a field refused for its type was to hold, in words. */
export const heldInWords = (field: FieldToWrite) => (field.holds === 'number' ? 'a number' : 'text');

/**
 * Why a choice list offering `options` cannot take `field` (`named`, a `listKind` of the CRM's),
 * or null when it offers every word written.
 */
export function choiceListRefusal(named: string, listKind: string, field: FieldToWrite, options: readonly string[]): string | null {
  if (field.holds !== 'text' || !field.values) return `${named} is a ${listKind}, which cannot hold ${heldInWords(field)}`;
  const lacking = field.values.filter((value) => !options.includes(value));
  return lacking.length === 0 ? null : `${named} is a ${listKind} without ${lacking.map((value) => `"${value}"`).join(', ')}`;
}

/**
 * Why a text field of `length` characters at most cannot take `field`'s values (the tier words,
 * the score's largest number written as text), or null when every one fits: `named` is the field
 * as the refusal names it; `remedy(needed)` says how to make room (Salesforce's: give it a length).
 */
export function lengthRefusal(
  named: string,
  field: FieldToWrite,
  length: number,
  remedy: (needed: number) => string = (needed) => `give it a length of ${needed} or more`,
): string | null {
  const written = [...(field.values ?? []), ...(field.largest === undefined ? [] : [String(Math.trunc(field.largest))])];
  const tooLong = written.filter((value) => value.length > length);
  if (tooLong.length === 0) return null;
  return `${named} holds at most ${plural(length, 'character', 'characters')}, too few for ${tooLong.map((value) => `"${value}"`).join(', ')}: ${remedy(Math.max(...tooLong.map((value) => value.length)))}`;
}

/** Throws, naming every refused field and why, when any field has a refusal (null: it may be written). */
export function refuseUnwritableFields(refusals: readonly (string | null)[]): void {
  const refused = refusals.filter((refusal) => refusal !== null);
  if (refused.length > 0) throw new CrmError('request', `${refused.join('; ')}. Nothing was written.`);
}

/** ISO-8601 date-time → epoch ms, accepting Salesforce's `+0000` offsets. NaN when invalid. */
export function parseCrmDateTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}
