/**
 * HubSpot CRM REST for contacts (`api.hubapi.com`). Changes are read with the search API
 * sorted by `lastmodifieddate` and paged by that date, not by `after` (see `PageToken`);
 * deletions from the list of archived contacts (a long one read whole about once a day), and
 * those it never lists (GDPR deletions) from the list of every contact (`listPresent`); the values
 * of calculated properties, which change without `lastmodifieddate`, from that list too
 * (`listCalculated`), whose ids then stand for the list of every contact, not read twice.
 * Limits: 100 requests per 10 s per app (190 for Professional and Enterprise portals, 250 with the
 * API limit increase: the client follows the limit HubSpot states), search 4 per second; both
 * shared by everyone using the token, so the 10-second window's headers hold the client back
 * (`hubspotRateWindow`).
 */
import { z } from 'zod';
import type { ChangedPage, CrmClient, CrmRecord, DeletedRecord, Deletions, FieldToWrite, FieldUpdate, ListedIds, ReadOptions, RecordUpdateFailure } from './client';
import { CLOCK_ALLOWANCE_MS, ListShortOfCountError, apiAllowancePause, choiceListRefusal, heldInWords, labelsUnlikeValues, lengthRefusal, parseCrmDateTime, refuseUnwritableFields } from './client';
import { CrmError, HttpClient, RateLimiter, headerCount, isCrmError, realClock, PageCursors, type ApiUsage, type Clock, type CrmErrorBody, type RateWindow, type RetryPolicy } from './http';
import { listInWords } from '../list-in-words';
import { HUBSPOT_LIFECYCLE_FIELD } from './hubspot-lifecycle';
import { valueLabelAsShown } from '../ml/outcome-rule';
import { HUBSPOT_MATCH_PATTERNS, urlFilterOf } from './match-patterns';
import { loadOnce } from './once';
import { readEach, showableId } from './read-each';

/**
 * HubSpot search never returns more than this many results for one query, whatever the
 * paging. Every query here asks for its first page only, so the cap never binds. Whether a
 * search's `total` stops there too HubSpot does not say (its reference calls it the number of
 * records matching; other integrations take a total of 10,000 as "10,000 or more"): a count
 * that reaches it says only that there are at least as many (`countedContacts`).
 */
export const HUBSPOT_SEARCH_CAP = 10_000;
/**
 * Listed contacts per span of ids counted on its own when the portal counts HUBSPOT_SEARCH_CAP
 * contacts or more: half the cap, so that a span counted as many as the cap is one the list
 * falls thousands of contacts short of.
 */
const LISTED_PER_COUNTED_SPAN = HUBSPOT_SEARCH_CAP / 2;
const SEARCH_PAGE_SIZE = 200;
/** HubSpot's batch endpoints (read, update) take at most 100 inputs. */
const BATCH_SIZE = 100;
/** Owners per page of `/crm/v3/owners`: HubSpot's maximum. */
const OWNERS_PAGE_SIZE = 500;
/** Contacts per page of the contacts list: HubSpot's maximum. */
const LIST_PAGE_SIZE = 100;
/**
 * Characters of property names one request of the contacts list asks for. The list takes them in
 * its URL, which HubSpot refuses past a length it does not document (414); connectors that sync
 * HubSpot ask for some 5,000 characters of names per request.
 */
const LIST_PROPERTIES_CHARS = 5_000;
/**
 * Archived contacts stay listed (and restorable) for 90 days, then are deleted for good; one
 * day less leaves room for HubSpot's purge running early. Contacts deleted for good at once
 * (a GDPR delete) are never listed: only the list of every contact (`listPresent`) shows them gone.
 */
const ARCHIVED_LISTED_MS = 89 * 24 * 3_600_000;
/**
 * HubSpot can neither filter the archived list by date nor list it in the order contacts were
 * archived (its `after` cursor is opaque, and no order is documented): only a read of the whole
 * list shows every contact archived since a date, at a request per 100 contacts archived in 90
 * days, 2,000 after a clean-up of 200,000. So a sync reads this many pages of it (a portal's usual
 * deletions, whole), and the whole list only once its last whole read is
 * `WHOLE_ARCHIVED_READ_EVERY_MS` old.
 */
const ARCHIVED_PAGES_PER_SYNC = 10;
/** How often a sync reads the whole archived list when it is longer than `ARCHIVED_PAGES_PER_SYNC` pages. */
const WHOLE_ARCHIVED_READ_EVERY_MS = 24 * 3_600_000;
/**
 * How long HubSpot's search index may take to catch up with an edit (the sync's look-back,
 * SYNC_LOOKBACK_MS, allows as long). Until it has, a search sorts and filters the contact by its
 * old date, in its old place, and shows its new one: going on from that date would skip every
 * contact sorted between. A sync's first search is said to have run this long before HubSpot
 * answered it (`ChangedPage.queriedAt`): an edit made since may be missing from it.
 */
const INDEX_LAG_MS = 5 * 60_000;
/**
 * How many fewer contacts than HubSpot counts a list of every contact may hold and still be taken
 * as whole. The count is the search's, whose index drops a deleted contact minutes late
 * (INDEX_LAG_MS): it may still count the few contacts deleted just before, which the list no
 * longer holds. Kept small, because a list cut short by no more than this is taken, and the leads
 * left off it removed: a bulk deletion just before a sync fails its comparison, and the next one compares.
 */
const COUNT_LAG_ALLOWANCE = 10;
/**
 * A sync goes on from no later than the earliest date among a page's last this many contacts:
 * what keeps it from skipping contacts when the browser's clock is so far off HubSpot's that
 * edits made during the sync look older than INDEX_LAG_MS (unless all three are such edits).
 */
const RESUME_TAIL = 3;
/**
 * How long the property list and the owners, read once and shared by every read and sync of
 * the client (as long as its worker lives), are used before being read again: a property or
 * rep added meanwhile is synced or named from then on.
 */
const RELOAD_AFTER_MS = 10 * 60_000;
/**
 * A contact's last modification. Contacts alone keep it in `lastmodifieddate` (every other object
 * in `hs_lastmodifieddate`): contact searches filtered on `hs_lastmodifieddate` silently miss
 * contacts, as connectors that sync HubSpot (Airbyte, Ampersand) found.
 */
const MODIFIED = 'lastmodifieddate';
/** The contacts merged into a contact, ids separated by semicolons. */
const MERGED = 'hs_merged_object_ids';
const OBJECT_ID = 'hs_object_id';

/** `v3` (`/crm/v3/objects/…`, supported until September 2027) or a date version (`2026-03`). */
export const HubSpotApiVersionSchema = z.union([z.literal('v3'), z.string().regex(/^\d{4}-\d{2}$/)]);
export type HubSpotApiVersion = z.infer<typeof HubSpotApiVersionSchema>;

export interface HubSpotClientOptions {
  /** Private-app token or service key, read at call time. */
  accessToken(): Promise<string>;
  apiVersion?: HubSpotApiVersion;
  /**
   * The app's burst limit until an answer states it (`X-HubSpot-RateLimit-Max`), and the least
   * kept to after: 100 per 10 s (free, starter) by default.
   */
  requestsPer10Seconds?: number;
  searchesPerSecond?: number;
  timeoutMs?: number;
  origin?: string;
  retry?: RetryPolicy;
  clock?: Clock;
  fetch?: typeof fetch;
}

const DateTime = z.string().refine((value) => Number.isFinite(parseCrmDateTime(value)), 'expected an ISO date-time');

const ContactId = z.string().regex(/^\d+$/, 'expected a numeric id');

const ContactSchema = z.object({
  id: ContactId,
  properties: z.object({ [MODIFIED]: DateTime }).catchall(z.string().nullable()),
  archived: z.boolean().optional(),
});
type Contact = z.infer<typeof ContactSchema>;

/**
 * HubSpot's paging: `after`, an opaque cursor (documented as a string, not a number), for the
 * next page. Lists send it back in their URL's query, encoded; searches only note it is there.
 */
const PagingSchema = z.object({ next: z.object({ after: z.string().min(1).max(1_000) }) });

/** Its contacts are read one by one (read-each.ts): one odd contact does not fail a sync. */
const SearchPageSchema = z.object({
  total: z.number().int().nonnegative(),
  results: z.array(z.unknown()),
  paging: PagingSchema.optional(),
});
/** A search asked only for its count. */
const CountSchema = z.object({ total: z.number().int().nonnegative() });
const BatchSchema = z.object({ results: z.array(ContactSchema) });
const BatchErrorSchema = z.looseObject({ category: z.string(), message: z.string(), context: z.looseObject({ ids: z.array(z.string()).optional() }).optional() });
type BatchError = z.infer<typeof BatchErrorSchema>;
/** 200, or 207 when some inputs failed: those are in `errors`, with their ids in `context.ids` when HubSpot names them. */
const BatchUpdateSchema = z.object({
  results: z.array(z.looseObject({ id: z.string() })),
  errors: z.array(BatchErrorSchema).optional(),
});
type BatchUpdateResponse = z.infer<typeof BatchUpdateSchema>;
/** Contacts' object type id, by which the property validations API names the object. */
const CONTACTS_TYPE_ID = '0-1';
/**
 * A property's validation rules, set in the portal (Settings › Properties › Rules), which HubSpot
 * applies to API writes too. A MAX_LENGTH rule's argument is the most characters the property
 * takes; a rule of another type or shape is no limit here.
 */
const ValidationRulesSchema = z.object({ results: z.array(z.looseObject({ ruleType: z.unknown().optional(), ruleArguments: z.unknown().optional() })) });
/**
 * A contact property's definition. Reads need its name only; the rest decides whether write-back
 * may fill it (`writeRefusal`), and an enumeration's option labels are what its values show as
 * on HubSpot's pages (`optionLabels`). HubSpot marks its own properties `hubspotDefined`, and
 * leaves that out for the portal's; a flag left out is not set.
 */
const PropertySchema = z.looseObject({
  name: z.string().regex(/^\w+$/),
  label: z.string().optional(),
  type: z.string().optional(),
  fieldType: z.string().optional().catch(undefined),
  // An option label of another shape reads as none: the property list also serves every sync.
  // An option's place (`displayOrder`) of another shape reads as none too.
  options: z
    .array(z.looseObject({ value: z.string(), label: z.string().optional().catch(undefined), displayOrder: z.number().optional().catch(undefined) }))
    .optional(),
  hubspotDefined: z.boolean().optional(),
  calculated: z.boolean().optional(),
  modificationMetadata: z.looseObject({ readOnlyValue: z.boolean() }).optional(),
});
type Property = z.infer<typeof PropertySchema>;
type PropertyOption = NonNullable<Property['options']>[number];

/**
 * `options` in the order HubSpot's pages show them: `displayOrder` ascending, from 0. One without
 * a place (none, a negative one, or of another shape) comes after those with one, in the list's
 * order; so do ties (the sort is stable).
 */
function inDisplayOrder(options: readonly PropertyOption[]): PropertyOption[] {
  const place = ({ displayOrder }: PropertyOption) => (displayOrder !== undefined && displayOrder >= 0 ? displayOrder : Infinity);
  return [...options].sort((a, b) => (place(a) === place(b) ? 0 : place(a) < place(b) ? -1 : 1));
}
const PropertiesSchema = z.object({ results: z.array(PropertySchema) });
const ListSchema = z.object({ results: z.array(z.looseObject({ id: z.string() })) });
function listPageSchema<C extends z.ZodType>(contact: C) {
  return z.object({ results: z.array(contact), paging: PagingSchema.optional() });
}
type ListPage<C extends z.ZodType> = ReturnType<typeof listPageSchema<C>>;
const ContactIdsPageSchema = listPageSchema(z.looseObject({ id: ContactId }));
/** A page of the list whose contacts are read one by one (read-each.ts). */
const ContactsPageSchema = listPageSchema(z.unknown());
/** A contact of the list with the values of its properties: HubSpot sends each as a string, or null when empty. */
const ContactValuesSchema = z.object({ id: ContactId, properties: z.record(z.string(), z.string().nullable()) });
/** The list with `archived=true`: archived contacts only, each with when it was archived. */
const ArchivedContactsPageSchema = listPageSchema(z.looseObject({ id: ContactId, archivedAt: DateTime }));
const OwnersPageSchema = z.object({
  results: z.array(z.looseObject({ id: z.string(), email: z.string().nullish(), firstName: z.string().nullish(), lastName: z.string().nullish() })),
  paging: PagingSchema.optional(),
});
type Owner = z.infer<typeof OwnersPageSchema>['results'][number];
/** The HubSpot app hosts LeadLens's pages run on (`HUBSPOT_MATCH_PATTERNS`): `app.hubspot.com`, `app-eu1.hubspot.com`, … */
const HUBSPOT_APP_HOSTS = new Set(HUBSPOT_MATCH_PATTERNS.map((pattern) => urlFilterOf(pattern).hostEquals));
/**
 * The host of a portal's HubSpot pages, as its account details name it (`uiDomain`: one per data
 * centre). One LeadLens runs on no page of (a data centre added since) is dropped, not refused.
 */
export const HubSpotAppHostSchema = z
  .string()
  .refine((host) => HUBSPOT_APP_HOSTS.has(host))
  .optional()
  .catch(undefined);
/** Account details (`/account-info/…/details`): the portal (Hub ID) the token belongs to, and the host of its pages. */
const AccountDetailsSchema = z.looseObject({ portalId: z.number().int().positive(), uiDomain: HubSpotAppHostSchema });

/**
 * Our page token. HubSpot's `after` is a position in a list that edits reorder while we page:
 * a contact edited during the sync moves to the end, the rest shift back one, and the one
 * shifted across a page boundary is never returned. So we page by date instead:
 * - `since`: next, the contacts modified at or after `since`, less `seen`, those already
 *   returned with the same id and date (one page's worth at most);
 * - `from`, `to`: the contacts modified from `from` (null: ever) to `to`, read by id instead
 *   (those after `afterId`, less `seen`), when a page shows no date past `since` known to be in
 *   its place (see `changedSince`): a run of more than a page of contacts sharing one date (a
 *   bulk import), or a page of contacts edited moments ago, which a date cannot page through.
 * Both carry what the sync knows of HubSpot's clock: it has reached `newest`, the newest date a
 * page has shown, and no edit made during the sync is dated before `editsFrom`.
 * A token in an older form fails to parse: the sync restarts from its cursor.
 */
const SeenSchema = z.array(z.strictObject({ id: ContactId, at: z.number().int() })).max(SEARCH_PAGE_SIZE);
const HubSpotTimeShape = { newest: z.number().int(), editsFrom: z.number().int() };
const PageTokenSchema = z.union([
  z.strictObject({ since: z.number().int().nullable(), seen: SeenSchema, ...HubSpotTimeShape }),
  z.strictObject({ from: z.number().int().nullable(), to: z.number().int(), afterId: ContactId.nullable(), seen: SeenSchema, ...HubSpotTimeShape }),
]);
type PageToken = z.infer<typeof PageTokenSchema>;
type SpanToken = Extract<PageToken, { to: number }>;
type HubSpotTime = { newest: number; editsFrom: number };
type Seen = z.infer<typeof SeenSchema>;
type Filter = { propertyName: string; operator: 'GTE' | 'LTE' | 'GT'; value: string };

/** A list of scope names, of any content: only those `ScopeNameSchema` takes are shown. */
const ScopeListSchema = z.array(z.unknown()).optional().catch(undefined);
/**
 * Where a MISSING_SCOPES answer names the scopes it wants: the `context` of each of its `errors`
 * (or of the body), as `requiredGranularScopes`, or `requiredScopes` in older answers. An error's
 * message says whether "One or more of the following scopes are required." or "All of" them.
 */
const ScopesNamedSchema = z.looseObject({
  message: z.string().optional().catch(undefined),
  context: z.looseObject({ requiredGranularScopes: ScopeListSchema, requiredScopes: ScopeListSchema }).optional().catch(undefined),
});
type ScopesNamed = z.infer<typeof ScopesNamedSchema>;
/** A scope's name as HubSpot spells them (`crm.objects.contacts.read`, `sales-email-read`, `oauth`), and of a length to show. */
const ScopeNameSchema = z.string().regex(/^[a-z0-9][\w.-]{0,99}$/i);
/** Scope names shown at most in one message; more are counted ("and 3 more"). */
const MOST_SCOPES_SHOWN = 5;

/** `policyName` names the limit a 429 hit: `DAILY`, or a short window (`TEN_SECONDLY_ROLLING`, `SECONDLY`). */
const ErrorBodySchema = ScopesNamedSchema.extend({
  category: z.string().optional(),
  policyName: z.string().optional(),
  errors: z.array(ScopesNamedSchema.catch({})).optional().catch(undefined),
});
type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** How long the short windows a 429's `policyName` names are. */
const POLICY_WINDOW_MS = new Map([
  ['TEN_SECONDLY_ROLLING', 10_000],
  ['SECONDLY', 1_000],
]);

function readErrorBody(body: unknown, what: string): CrmErrorBody {
  const parsed = ErrorBodySchema.safeParse(body);
  if (!parsed.success) return {};
  const { category, message, policyName } = parsed.data;
  const rateWindowMs = policyName === undefined ? undefined : POLICY_WINDOW_MS.get(policyName);
  return {
    code: category,
    message,
    dailyLimitReached: policyName === 'DAILY',
    ...(rateWindowMs !== undefined && { rateWindowMs }),
    ...(category === 'MISSING_SCOPES' && { refusal: missingScopesRefusal(parsed.data, what) }),
  };
}

/**
 * The account's API requests of the day and its daily allowance, from `X-HubSpot-RateLimit-Daily`
 * and `X-HubSpot-RateLimit-Daily-Remaining`, which HubSpot sends to a private app's requests but
 * not to its searches, nor to an app installed by OAuth (which has no daily limit). Anything else
 * (one of them missing, not a count, more remaining than allowed) reads as nothing said.
 */
export function hubspotApiUsage(headers: Headers): ApiUsage | null {
  const limit = headerCount(headers.get('x-hubspot-ratelimit-daily'));
  const remaining = headerCount(headers.get('x-hubspot-ratelimit-daily-remaining'));
  return limit && remaining !== null && remaining <= limit ? { used: limit - remaining, limit } : null;
}

/** A HubSpot window reading, with `max`: the requests the app may make in the window, its limit. */
export interface HubSpotRateWindow extends RateWindow {
  max: number;
}

/**
 * What is left of the app's 10-second window, and its limit, from `X-HubSpot-RateLimit-Remaining`,
 * `-Max` and `-Interval-Milliseconds`, which HubSpot sends with every answer but a search's. It
 * counts the requests of everyone using the token (reps of one role sharing a private app's), not
 * only this client's. Anything else (one of them missing, not a count, more remaining than the
 * maximum, no interval) reads as nothing said.
 */
export function hubspotRateWindow(headers: Headers): HubSpotRateWindow | null {
  const max = headerCount(headers.get('x-hubspot-ratelimit-max'));
  const remaining = headerCount(headers.get('x-hubspot-ratelimit-remaining'));
  const intervalMs = headerCount(headers.get('x-hubspot-ratelimit-interval-milliseconds'));
  return max !== null && remaining !== null && remaining <= max && intervalMs ? { remaining, intervalMs, max } : null;
}

/** The showable scope names `named` gives, the granular ones when it gives both. */
function scopesOf(named: ScopesNamed): string[] {
  const { requiredGranularScopes, requiredScopes } = named.context ?? {};
  return (requiredGranularScopes ?? requiredScopes ?? []).filter((scope): scope is string => ScopeNameSchema.safeParse(scope).success);
}

/**
 * A MISSING_SCOPES refusal in words the admin can act on: the token's scopes are set where its
 * private app or service key was made (HubSpot shows both under Settings › Integrations, and
 * newer portals under Development), and the same token works once they are added: no reconnect.
 */
function missingScopesRefusal(body: ErrorBody, what: string): string {
  const naming = [body, ...(body.errors ?? [])].filter((named) => scopesOf(named).length > 0);
  const scopes = [...new Set(naming.flatMap(scopesOf))];
  const listed = listInWords(scopes, MOST_SCOPES_SHOWN);
  const everyOneNeeded = naming.every((named) => /^all of\b/i.test(named.message ?? ''));
  const [lacks, add] =
    scopes.length === 0
      ? ['a scope this needs, which HubSpot did not name', 'Give it the scopes listed under Options › CRM connections']
      : scopes.length === 1
        ? [`the scope ${listed}`, 'Add it to that app or key']
        : everyOneNeeded
          ? [`the scopes ${listed}`, 'Add them to that app or key']
          : [`a scope this needs: one of ${listed}`, 'Add one to that app or key'];
  return `HubSpot refused to ${what}: the private app or service key whose token LeadLens uses lacks ${lacks}. ${add} in HubSpot (under Settings › Integrations, or Development), then try again`;
}

function toRecord(contact: Contact): CrmRecord {
  const record: CrmRecord = { id: contact.id, modifiedAt: parseCrmDateTime(contact.properties[MODIFIED]), fields: contact.properties };
  const mergedIds = mergedIdsOf(contact);
  return mergedIds.length === 0 ? record : { ...record, mergedIds };
}

/**
 * The contacts merged into this one: a merged-away contact leaves HubSpot without being
 * archived, so only the contact it was merged into says it is gone.
 */
function mergedIdsOf(contact: Contact): string[] {
  const value = contact.properties[MERGED];
  if (typeof value !== 'string') return [];
  return value.split(';').map((id) => id.trim()).filter((id) => /^\d+$/.test(id) && id !== contact.id);
}

/** What HubSpot shows for an owner: the name, or the e-mail when the name is empty. */
function ownerDisplayName(owner: Owner): string | null {
  return [owner.firstName, owner.lastName].filter(Boolean).join(' ') || owner.email || null;
}

const describeBatchError = (error: BatchError) => `${error.category}: ${error.message}`;

/** Why a contact of a batch update HubSpot refused as a whole, or left out of its answer, was not written: a batch read no longer finds it. */
const CONTACT_GONE = 'OBJECT_NOT_FOUND: HubSpot no longer has this contact (deleted or merged since the last sync)';

/**
 * What HubSpot's answer to a batch update says of its inputs: `failures`, those its errors name
 * and, when an error names no ids, every other input its results do not list (that error may be
 * about any of them); `unlisted`, the inputs it says nothing of, neither listed as updated nor
 * named by an error, which nothing shows were written.
 */
function updateOutcome(updates: readonly FieldUpdate[], { results, errors = [] }: BatchUpdateResponse): { failures: RecordUpdateFailure[]; unlisted: string[] } {
  const named = errors.flatMap((error) => (error.context?.ids ?? []).map((recordId) => ({ recordId, error: describeBatchError(error) })));
  const accounted = new Set([...results.map((result) => result.id), ...named.map((failure) => failure.recordId)]);
  const unlisted = updates.map((update) => update.recordId).filter((id) => !accounted.has(id));
  const unnamed = errors.filter((error) => !error.context?.ids?.length);
  if (unnamed.length === 0) return { failures: named, unlisted };
  const error = unnamed.map(describeBatchError).join('; ');
  return { failures: [...named, ...unlisted.map((recordId) => ({ recordId, error }))], unlisted: [] };
}

/**
 * A property's refusal every contact gets, whatever its value (HubSpot lists each in the
 * VALIDATION_ERROR's message): the property deleted, or made read-only, since the field check.
 */
const REFUSED_FOR_EVERY_VALUE = /\b(PROPERTY_DOESNT_EXIST|READ_ONLY_VALUE)\b/;

/**
 * Whether HubSpot refused a batch update for a value a property does not take (400
 * VALIDATION_ERROR: a validation rule's maximum length or range, text for a number): a refusal
 * of the whole batch that names the property, not the contact. Not one every contact gets
 * (`REFUSED_FOR_EVERY_VALUE`): halving the batch would find no contact, spending its requests.
 */
const refusesAValue = (error: unknown): error is CrmError =>
  isCrmError(error, 'request') && error.status === 400 && error.crmCode === 'VALIDATION_ERROR' && !REFUSED_FOR_EVERY_VALUE.test(error.message);

/** Why a contact HubSpot refused a batch for (`refusesAValue`) was not written, starting with HubSpot's category, as its other refusals do. */
const valueRefusal = (error: CrmError) => `${error.crmCode}: ${error.message}`;

/** Contact ids shown in an error: a few are enough to look them up. */
const UNLISTED_IDS_SHOWN = 3;

/**
 * The characters a string property holds, whatever its field type (single-line, multi-line):
 * every tier word fits, and a reason is cut to it, or to a maximum the portal set
 * (`textMaxLength`). A number property takes any number, the score's 1–99 too.
 */
const STRING_PROPERTY_MAX_LENGTH = 65_536;

/** A property as a refusal names it: `"leadlens_tier" (LeadLens tier)`. */
const namedProperty = (property: Property) => `"${property.name}" (${property.label ?? property.name})`;

/** How a portal makes room in a text property: its maximum-length rule (Settings › Properties › the property's Rules). */
const raiseMaxLengthRule = (needed: number) => `raise its maximum-length rule to ${needed} characters or more, or remove it`;

/**
 * Why write-back may not fill `property` with `field`, or null when it may: only properties
 * created in the portal (never HubSpot's own, such as `jobtitle`, whose data it would overwrite on
 * every contact), that HubSpot neither calculates nor keeps read-only, of a type that holds the
 * value (every value is sent as text: a text property holds a number too).
 */
function writeRefusal(field: FieldToWrite, property: Property | undefined): string | null {
  if (!property) return `HubSpot contacts have no property "${field.name}": create it in HubSpot, or check its internal name`;
  const named = namedProperty(property);
  if (property.hubspotDefined) return `${named} is one of HubSpot's own properties: LeadLens writes only to custom properties, so it never overwrites your contacts' data`;
  if (isCalculated(property)) return `${named} is calculated by HubSpot`;
  if (property.modificationMetadata?.readOnlyValue) return `${named} is read-only in HubSpot`;
  if (property.type === 'string' || (property.type === 'number' && field.holds === 'number')) return null;
  if (property.type === 'enumeration') return choiceListRefusal(named, 'dropdown', field, (property.options ?? []).map((option) => option.value));
  return `${named} is ${property.type ? `a ${property.type} property` : 'a property of no stated type'}, which cannot hold ${heldInWords(field)}`;
}

/**
 * Whether HubSpot computes the property's value itself, so that a new value leaves the contact's
 * `lastmodifieddate` as it was: HubSpot's own calculated properties (`calculated`, which HubSpot
 * documents for its default properties) and the portal's calculation properties (field type
 * `calculation_equation`, `calculation_rollup`, `calculation_score`, …). Not `lastmodifieddate`
 * itself, whatever its definition says: a record's modification date is what `listChanged` reads
 * with the rest of its values, never a value alone.
 */
function isCalculated(property: Property): boolean {
  return property.name !== MODIFIED && (property.calculated === true || property.fieldType?.startsWith('calculation_') === true);
}

/** How many of `names`, from the first, the list's URL takes in LIST_PROPERTIES_CHARS characters (`a%2Cb`: names are word characters); one at least. */
function namesForListUrl(names: readonly string[]): number {
  let length = -'%2C'.length;
  const over = names.findIndex((name) => (length += '%2C'.length + name.length) > LIST_PROPERTIES_CHARS);
  return over === -1 ? names.length : Math.max(1, over);
}

/** The values of `names` among `values`, those it has: HubSpot adds lastmodifieddate, createdate and hs_object_id to every contact it answers. */
function valuesOf(values: CrmRecord['fields'], names: readonly string[]): CrmRecord['fields'] {
  return Object.fromEntries(names.flatMap((name) => (Object.hasOwn(values, name) ? [[name, values[name]] as const] : [])));
}

/** Numeric ids (digits, no leading zeros) in order of their value, not of their text. */
const byIdValue = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** Whether a record is not one of `seen`, the contacts returned already as they are now (same id and date). */
const notIn = (seen: Seen) => (record: CrmRecord) => !seen.some(({ id, at }) => id === record.id && at === record.modifiedAt);
const seenAs = ({ id, modifiedAt }: CrmRecord) => ({ id, at: modifiedAt });

/** The newest of `newest` and the records' dates. */
const newestOf = (records: readonly CrmRecord[], newest: number) => Math.max(newest, ...records.map((record) => record.modifiedAt));

function parsePageToken(token: string): PageToken {
  try {
    return PageTokenSchema.parse(JSON.parse(token));
  } catch {
    throw new CrmError('cursor-expired', 'Not a LeadLens HubSpot page token');
  }
}

/**
 * HubSpot counts searches per second as they arrive; ours reach it some milliseconds after we
 * send them, not all equally late. A window a little over a second keeps a burst from landing
 * inside the previous one, where each 429 would cost a whole second of Retry-After.
 */
const SEARCH_WINDOW_MS = 1_100;
/** HubSpot's burst window, counted over 10 seconds for every request but a search. */
const GENERAL_WINDOW_MS = 10_000;
/** HubSpot's burst limit for Free and Starter portals, the lowest it publishes for a private app. */
const DEFAULT_PER_10_SECONDS = 100;
/**
 * The highest burst limit taken from an answer: HubSpot publishes 250 at most (the API limit
 * increase). A larger `X-HubSpot-RateLimit-Max` is taken for a header gone wrong, and ignored.
 */
const MOST_STATED_PER_10_SECONDS = 1_000;

export function createHubSpotClient(options: HubSpotClientOptions): CrmClient {
  const clock = options.clock ?? realClock;
  const configuredPer10Seconds = options.requestsPer10Seconds ?? DEFAULT_PER_10_SECONDS;
  const general = new RateLimiter(configuredPer10Seconds, GENERAL_WINDOW_MS, options.clock);
  const search = new RateLimiter(options.searchesPerSecond ?? 4, SEARCH_WINDOW_MS, options.clock);
  const version = options.apiVersion ?? 'v3';
  const objects = version === 'v3' ? '/crm/v3/objects/contacts' : `/crm/objects/${version}/contacts`;
  const propertiesPath = version === 'v3' ? '/crm/v3/properties/contacts' : `/crm/properties/${version}/contacts`;
  const accountDetailsPath = `/account-info/${version}/details`;
  const ownersPath = version === 'v3' ? '/crm/v3/owners' : `/crm/owners/${version}`;
  const contactValidationsPath = `${version === 'v3' ? '/crm/v3/property-validations' : `/crm/property-validations/${version}`}/${CONTACTS_TYPE_ID}`;
  const http = new HttpClient({
    crmLabel: 'HubSpot',
    origin: options.origin ?? 'https://api.hubapi.com',
    authorization: async () => `Bearer ${await options.accessToken()}`,
    limitersFor: (_method, path) => (path.endsWith('/search') ? [general, search] : [general]),
    readErrorBody,
    readApiUsage: hubspotApiUsage,
    readRateWindow: followingStatedLimit,
    timeoutMs: options.timeoutMs ?? 30_000,
    retry: options.retry,
    clock: options.clock,
    fetch: options.fetch,
  });

  /**
   * Reads an answer's window, and keeps `general` to the limit it states (the Max of the 10-second
   * window): Professional and Enterprise portals get 190, the API limit increase 250, not the 100
   * of Free and Starter that `general` starts at, and HubSpot may raise them again. It follows a lower
   * stated limit too (a portal downgraded), but not below the configured one: no published limit
   * is lower, so one saying so would slow every request on one reading, while a limit really used
   * up sooner (by others sharing the token) is met by the hold-back on few remaining
   * (RATE_WINDOW_RESERVE). Wired here, not in HttpClient: only HubSpot states its limit this way.
   * Searches keep their own 4 a second, which their answers never state.
   */
  function followingStatedLimit(headers: Headers): RateWindow | null {
    const window = hubspotRateWindow(headers);
    if (window && window.intervalMs === GENERAL_WINDOW_MS && window.max <= MOST_STATED_PER_10_SECONDS) {
      general.setLimit(Math.max(configuredPer10Seconds, window.max));
    }
    return window;
  }

  /** Every contact property the token can read: their names, their definitions by name, and the names of those HubSpot calculates (`isCalculated`). */
  const contactProperties = loadOnce(async (signal) => {
    const { data } = await http.request({ path: propertiesPath, schema: PropertiesSchema, what: 'list contact properties', signal });
    const names = data.results.map((property) => property.name);
    if (!names.includes(MODIFIED)) throw new CrmError('schema', `HubSpot contacts have no property ${MODIFIED} (list contact properties)`);
    const calculated = data.results.filter(isCalculated).map((property) => property.name);
    return { names, calculated, byName: new Map(data.results.map((property) => [property.name, property])) };
  }, { ms: RELOAD_AFTER_MS, clock });

  /**
   * Owner id → display name, of every owner the token can read (none without the owners scope).
   * HubSpot cannot look owners up by a list of ids: the client reads the whole list (a few
   * pages at most) once, so a sync's later pages with new owner ids ask nothing more.
   */
  const ownerDirectory = loadOnce(readOwners, { ms: RELOAD_AFTER_MS, clock });

  async function readOwners(signal?: AbortSignal): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    try {
      // The list holds active owners only, `archived=true` archived ones only: contacts keep the
      // ids of reps who have left, so both are read.
      for (const archived of [false, true]) {
        let after: string | undefined;
        const cursors = new PageCursors('HubSpot', 'list owners');
        do {
          const query = new URLSearchParams({ limit: String(OWNERS_PAGE_SIZE), ...(archived && { archived: 'true' }), ...(after !== undefined && { after }) });
          const { data } = await http.request({ path: `${ownersPath}?${query}`, schema: OwnersPageSchema, what: 'list owners', signal });
          for (const owner of data.results) {
            const name = ownerDisplayName(owner);
            if (name !== null) names.set(owner.id, name);
          }
          cursors.refuseRepeat(after, data.paging?.next.after);
          after = data.paging?.next.after;
        } while (after !== undefined);
      }
    } catch (error) {
      // A token without `crm.objects.owners.read` still syncs contacts: their owners stay ids.
      if (isCrmError(error, 'request') && error.status === 403) return new Map();
      throw error;
    }
    return names;
  }

  async function properties(requested: readonly string[] | undefined, signal?: AbortSignal): Promise<string[]> {
    const names = requested ? [...new Set([MODIFIED, ...requested])] : (await contactProperties.get(signal)).names;
    const invalid = names.find((name) => !/^\w+$/.test(name));
    if (invalid !== undefined) throw new CrmError('request', `Not a HubSpot property name: "${invalid}"`);
    return names;
  }

  /**
   * The contacts of the list, or (`archived`) of the archived ones, as `schema` reads them (no
   * property beyond the id), from its start to its end or to its `maxPages`th page; `whole` when
   * to its end. Syncs read it (the weekly comparison: a page per 100 contacts), so it stops before
   * a page once the account's API allowance is nearly used (`apiAllowancePause`), as a sync does
   * between its own pages.
   */
  async function listContacts<C extends z.ZodType>(archived: boolean, schema: ListPage<C>, signal?: AbortSignal, maxPages = Infinity): Promise<{ contacts: z.infer<C>[]; whole: boolean }> {
    const what = archived ? 'list archived contacts' : 'list contacts';
    const contacts: z.infer<C>[] = [];
    let after: string | undefined;
    const cursors = new PageCursors('HubSpot', what);
    for (let pages = 0; pages < maxPages; pages++) {
      const pause = apiAllowancePause('hubspot', http, 'sync');
      if (pause) throw pause;
      const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE), properties: OBJECT_ID, ...(archived && { archived: 'true' }), ...(after !== undefined && { after }) });
      const { data } = await http.request({ path: `${objects}?${query}`, schema, what, signal });
      contacts.push(...data.results);
      cursors.refuseRepeat(after, data.paging?.next.after);
      after = data.paging?.next.after;
      if (after === undefined) return { contacts, whole: true };
    }
    return { contacts, whole: false };
  }

  /**
   * Every contact's id: what is left to compare with when the archived list cannot say what is
   * gone. Read from the list of every contact, or given as a whole read of it listed them
   * (`listed`, from `listCalculated`). A list clearly shorter than HubSpot counts (a page answered
   * without its `paging`; or contacts the count keeps seeing and the list never returns) is
   * refused: each stored contact left off it would be removed, and no later sync brings it back.
   */
  async function everyContactId(signal?: AbortSignal, listed?: ListedIds): Promise<Extract<Deletions, { kind: 'all-present' }>> {
    const coveredTo = listed?.coveredTo ?? clock.now() - CLOCK_ALLOWANCE_MS;
    const ids = listed?.ids ?? (await listContacts(false, ContactIdsPageSchema, signal)).contacts.map((contact) => contact.id);
    // Counted after the list, so that only the deletions of the index's last minutes can be counted and not listed.
    const { counted, atLeast } = await countedContacts(ids, signal);
    if (atLeast || ids.length < counted - COUNT_LAG_ALLOWANCE) {
      throw new ListShortOfCountError(
        ids.length,
        counted,
        `HubSpot listed ${ids.length.toLocaleString('en-US')} contacts of the ${counted.toLocaleString('en-US')}${atLeast ? ' or more' : ''} it counts: LeadLens removed no lead missing from that list`,
      );
    }
    return { kind: 'all-present', ids, coveredTo };
  }

  /**
   * How many contacts HubSpot counts; `atLeast` when there may be more. One count of the portal
   * under HUBSPOT_SEARCH_CAP; from it on (a `total` that may have stopped at the cap), the sum of
   * the counts of spans of ids LISTED_PER_COUNTED_SPAN listed contacts wide, ending at listed ids,
   * the first and the last open, so that contacts left off either end of the list are counted too.
   * A span counted as many as the cap is counted at least that many: `atLeast`.
   */
  async function countedContacts(listedIds: readonly string[], signal?: AbortSignal): Promise<{ counted: number; atLeast: boolean }> {
    const portal = await contactCount([], signal);
    if (portal < HUBSPOT_SEARCH_CAP) return { counted: portal, atLeast: false };
    const ends = [...new Set(listedIds)].sort(byIdValue).filter((_, index) => (index + 1) % LISTED_PER_COUNTED_SPAN === 0);
    let counted = 0;
    let atLeast = false;
    for (let span = 0; span <= ends.length; span++) {
      const spanCount = await contactCount(
        [
          ...(span > 0 ? [{ propertyName: OBJECT_ID, operator: 'GT' as const, value: ends[span - 1] }] : []),
          ...(span < ends.length ? [{ propertyName: OBJECT_ID, operator: 'LTE' as const, value: ends[span] }] : []),
        ],
        signal,
      );
      counted += spanCount;
      atLeast ||= spanCount >= HUBSPOT_SEARCH_CAP;
    }
    return { counted, atLeast };
  }

  /**
   * The contacts archived since `since`, of those the archived list still holds (archived in the
   * last 90 days): `listDeleted` when that reaches back to `since`.
   */
  async function archivedSince(since: number, signal?: AbortSignal): Promise<Extract<Deletions, { kind: 'deleted-since' }>> {
    const coveredTo = clock.now() - CLOCK_ALLOWANCE_MS;
    // HubSpot cannot filter the archived list by date: it is read, and filtered here. A whole read
    // leaves the next sync `since` about `coveredTo`; one a day before that is due another.
    const wholeReadDue = since <= coveredTo - WHOLE_ARCHIVED_READ_EVERY_MS;
    const { contacts, whole } = await listContacts(true, ArchivedContactsPageSchema, signal, wholeReadDue ? Infinity : ARCHIVED_PAGES_PER_SYNC);
    const records = contacts.flatMap((contact): DeletedRecord[] => {
      const deletedAt = parseCrmDateTime(contact.archivedAt);
      return deletedAt >= since ? [{ id: contact.id, deletedAt }] : [];
    });
    // A read cut short covers nothing past `since` (what it found is gone all the same): the next
    // sync asks from there again, or from where a whole read would leave it if that is earlier
    // (after a first sync), until a whole read is due. The weekly comparison (`listPresent`) and
    // merges still remove leads meanwhile.
    return { kind: 'deleted-since', records, coveredTo: whole ? coveredTo : Math.min(since, coveredTo) };
  }

  /** How many contacts `filters` match (all of them: the portal's), as HubSpot's search counts them (`total`). */
  async function contactCount(filters: Filter[], signal?: AbortSignal): Promise<number> {
    const { data } = await http.request({
      method: 'POST',
      path: `${objects}/search`,
      body: { filterGroups: filters.length === 0 ? [] : [{ filters }], properties: [OBJECT_ID], limit: 1 },
      schema: CountSchema,
      what: 'count contacts',
      signal,
      readOnly: true,
    });
    return data.total;
  }

  /** Up to `BATCH_SIZE` contacts by id; ids HubSpot does not have (deleted, never existed) are left out. */
  async function readBatch(ids: readonly string[], names: readonly string[], signal?: AbortSignal): Promise<CrmRecord[]> {
    const { data } = await http.request({
      method: 'POST',
      path: `${objects}/batch/read`,
      body: { properties: names, inputs: ids.map((id) => ({ id })) },
      schema: BatchSchema, // 207 (some or all ids missing) carries the found ones in `results`, the rest in `errors`
      what: 'batch read contacts',
      signal,
      readOnly: true,
    });
    return data.results.map(toRecord);
  }

  /** Which of `ids` HubSpot still has: a batch read leaves out the contacts deleted or merged away. */
  async function stillHeld(ids: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
    return new Set((await readBatch(ids, [MODIFIED], signal)).map((record) => record.id));
  }

  /**
   * Writes up to BATCH_SIZE contacts' properties; the contacts HubSpot did not write, with why.
   * An answer that says nothing of some contacts it still has fails as `schema`, as Salesforce's
   * answer missing a result does: the write-back counts the batch as maybe written and stops.
   */
  async function updateBatch(updates: readonly FieldUpdate[], signal?: AbortSignal): Promise<RecordUpdateFailure[]> {
    const { data } = await http.request({
      method: 'POST',
      path: `${objects}/batch/update`,
      // HubSpot stores every property value as a string, and empties a property given "".
      body: { inputs: updates.map((update) => ({ id: update.recordId, properties: Object.fromEntries(Object.entries(update.fields).map(([name, value]) => [name, value === null ? '' : String(value)])) })) },
      schema: BatchUpdateSchema,
      what: 'update contacts',
      signal,
    });
    const { failures, unlisted } = updateOutcome(updates, data);
    if (unlisted.length === 0) return failures;
    const unanswered = (ids: readonly string[]) => `HubSpot answered update contacts with neither a result nor an error for ${ids.length} of the ${updates.length} contacts sent (${listInWords(ids, UNLISTED_IDS_SHOWN)})`;
    // HubSpot documents neither way, but may leave a contact it no longer has out of its answer
    // rather than name it in an error: one that a batch read does not find was not written.
    let held: Set<string>;
    try {
      held = await stillHeld(unlisted, signal);
    } catch (error) {
      // Not as it failed: a refusal of this read would pass for one of the update, which HubSpot took.
      if (signal?.aborted) throw error;
      throw new CrmError('schema', `${unanswered(unlisted)}, and reading them back failed (${error instanceof Error ? error.message : String(error)})`);
    }
    const unconfirmed = unlisted.filter((id) => held.has(id));
    if (unconfirmed.length > 0) throw new CrmError('schema', unanswered(unconfirmed));
    return [...failures, ...unlisted.map((recordId) => ({ recordId, error: CONTACT_GONE }))];
  }

  /**
   * The contacts of `refused` whose values HubSpot does not take, when `refusal` is its refusal of
   * the whole batch for one (`refusesAValue`), and the batch's others written: the halves are sent
   * again, and the halves of each half refused, until each contact refused is alone. A half taken
   * leaves the other refused without sending it: up to 2·log2 of the batch's size requests per
   * contact refused, and no more than the batch has contacts in all; past that (a rule most values
   * break), each part left is refused whole, as the batch was. A batch of one is refused as it was.
   */
  async function settleRefusal(refused: readonly FieldUpdate[], refusal: unknown, signal?: AbortSignal): Promise<RecordUpdateFailure[]> {
    if (!refusesAValue(refusal) || refused.length === 1) throw refusal;
    let requestsLeft = refused.length;
    const sendAgain = async (part: readonly FieldUpdate[], refusedWith: CrmError): Promise<RecordUpdateFailure[] | CrmError> => {
      if (requestsLeft === 0) return refusedWith;
      requestsLeft--;
      try {
        return await updateBatch(part, signal);
      } catch (error) {
        if (refusesAValue(error)) return error;
        throw error;
      }
    };
    const settle = async (part: readonly FieldUpdate[], refusedWith: CrmError): Promise<RecordUpdateFailure[]> => {
      if (part.length === 1 || requestsLeft === 0) return part.map(({ recordId }) => ({ recordId, error: valueRefusal(refusedWith) }));
      const first = part.slice(0, Math.ceil(part.length / 2));
      const second = part.slice(first.length);
      const firstAnswer = await sendAgain(first, refusedWith);
      if (!(firstAnswer instanceof CrmError)) return [...firstAnswer, ...(await settle(second, refusedWith))];
      const secondAnswer = await sendAgain(second, refusedWith);
      return [...(await settle(first, firstAnswer)), ...(secondAnswer instanceof CrmError ? await settle(second, secondAnswer) : secondAnswer)];
    };
    return settle(refused, refusal);
  }

  /**
   * The most characters a text property takes: its MAX_LENGTH validation rule's, which HubSpot
   * applies to API writes too, refusing a whole batch update for one value past it, else what any
   * text property holds. Rules a token may not read (a refusal) are none: a value past one is then
   * refused for its contact alone (`settleRefusal`).
   */
  async function textMaxLength(property: string, signal?: AbortSignal): Promise<number> {
    try {
      const { data } = await http.request({ path: `${contactValidationsPath}/${property}`, schema: ValidationRulesSchema, what: 'read property validation rules', signal });
      const ruleMaxima = data.results.flatMap(({ ruleType, ruleArguments }) => {
        const [most] = Array.isArray(ruleArguments) ? ruleArguments : [];
        return ruleType === 'MAX_LENGTH' && typeof most === 'string' && /^[1-9]\d*$/.test(most) ? [Number(most)] : [];
      });
      return Math.min(STRING_PROPERTY_MAX_LENGTH, ...ruleMaxima);
    } catch (error) {
      if (isCrmError(error, 'request')) return STRING_PROPERTY_MAX_LENGTH;
      throw error;
    }
  }

  /**
   * The first page of one search, sorted ascending by `sortBy`; `more` when it has further pages;
   * `answeredAt`, HubSpot's clock when it answered (its `Date`), when it says.
   */
  async function firstPage(filters: Filter[], sortBy: string, signal?: AbortSignal) {
    const { data, date } = await http.request({
      method: 'POST',
      path: `${objects}/search`,
      body: {
        filterGroups: filters.length === 0 ? [] : [{ filters }],
        sorts: [{ propertyName: sortBy, direction: 'ASCENDING' }],
        properties: await properties(undefined, signal),
        limit: SEARCH_PAGE_SIZE,
      },
      schema: SearchPageSchema,
      what: 'search contacts',
      signal,
      readOnly: true,
    });
    const { records, skipped } = readEach(data.results, ContactSchema, 'id', 'HubSpot answered search contacts');
    // A page with more to come holds SEARCH_PAGE_SIZE contacts: readEach refused it if none could
    // be read, and a shorter one must hold one at least, whose date and id say where the next begins.
    const more = data.paging !== undefined;
    if (more && records.length === 0) {
      throw new CrmError('schema', `HubSpot answered search contacts with more to come but no contact LeadLens can read${skipped.length > 0 ? `: ${skipped[0].reason}` : ''}`);
    }
    // Paging by id goes on after the last contact returned, read or not.
    const lastId = data.results.map((raw) => showableId(raw, 'id')).findLast((id) => id !== null && /^\d+$/.test(id)) ?? records.at(-1)?.id;
    return { records: records.map(toRecord), skipped, total: data.total, more, lastId, answeredAt: date };
  }

  /** `known`: what the sync's earlier pages told of HubSpot's clock (null on its first page). */
  async function changedSince(since: number | null, seen: Seen, known: HubSpotTime | null, signal?: AbortSignal): Promise<ChangedPage> {
    const { records, skipped, total, more, answeredAt } = await firstPage(since === null ? [] : [{ propertyName: MODIFIED, operator: 'GTE', value: String(since) }], MODIFIED, signal);
    // The query of a sync's changes is its first search: when it ran, by HubSpot's clock, less the index's lag.
    const queried = known === null && answeredAt !== undefined ? { queriedAt: answeredAt - INDEX_LAG_MS } : {};
    const fresh = records.filter(notIn(seen));
    if (!more) return { records: fresh, skipped, next: null, remaining: 0, ...queried };
    // A page with more to come holds SEARCH_PAGE_SIZE contacts, some read (see firstPage).
    const newest = newestOf(records, known?.newest ?? -Infinity);
    // Where does the page end in sort order? A contact the index has not caught up with shows its
    // new date in its old place (INDEX_LAG_MS), and every contact of a page's end may be one (a
    // workflow editing contacts in bulk). One dated before `editedFrom` (HubSpot's clock, at least
    // the newest date shown and the browser's less the allowance, less the lag) is in its place:
    // no contact after the page sorts before the last such date.
    const editedFrom = Math.max(newest, Math.floor(clock.now()) - CLOCK_ALLOWANCE_MS) - INDEX_LAG_MS;
    const time: HubSpotTime = { newest, editsFrom: known?.editsFrom ?? editedFrom };
    const inPlace = records.findLast((record) => record.modifiedAt < editedFrom)?.modifiedAt;
    const safe = inPlace === undefined ? null : Math.min(inPlace, ...records.slice(-RESUME_TAIL).map((record) => record.modifiedAt));
    const resumeAt = safe !== null && (since === null || safe > since) ? safe : since;
    // The contacts from `resumeAt` on are asked for again: skip those returned here.
    const again = records.filter((record) => resumeAt === null || record.modifiedAt >= resumeAt).map(seenAs);
    if (resumeAt === null || fresh.every((record) => record.modifiedAt >= resumeAt)) {
      // Nothing new before `resumeAt`: the page's new contacts share one date, more of them than
      // a page holds (a bulk import), or none is known to be in place (edited moments ago). A
      // date cannot page through them: read them by id (HubSpot orders ties its own way), from
      // `resumeAt` to the page's last date (its last contact's place is not after it), then go
      // on after that. The span ends before `editsFrom` when it can, so that no edit made during
      // the sync, which may come in its old place now and later at its new date, lands in it
      // behind the ids read: one the sync passed over is read after the span.
      const last = records[records.length - 1].modifiedAt;
      const to = resumeAt === null || time.editsFrom > resumeAt ? Math.min(last, time.editsFrom - 1) : last;
      const next: PageToken = { from: resumeAt, to, afterId: null, seen: again, ...time };
      return { records: fresh, skipped, next: JSON.stringify(next), remaining: total - fresh.length, resumeFrom: resumeAt, ...queried };
    }
    const next: PageToken = { since: resumeAt, seen: again, ...time };
    return { records: fresh, skipped, next: JSON.stringify(next), remaining: Math.max(0, total - records.length + again.length), resumeFrom: resumeAt, ...queried };
  }

  /**
   * One page, by id, of the contacts modified from `from` to `to`; contacts edited since have left
   * it, and come later. `seen` is kept to the end, and on for the page after the span: those not
   * in the span come first there.
   */
  async function spanById({ from, to, afterId, seen, newest, editsFrom }: SpanToken, signal?: AbortSignal): Promise<ChangedPage> {
    const filters: Filter[] = [
      ...(from === null ? [] : [{ propertyName: MODIFIED, operator: 'GTE' as const, value: String(from) }]),
      { propertyName: MODIFIED, operator: 'LTE', value: String(to) },
      ...(afterId === null ? [] : [{ propertyName: OBJECT_ID, operator: 'GT' as const, value: afterId }]),
    ];
    const { records, skipped, more, lastId } = await firstPage(filters, OBJECT_ID, signal);
    const fresh = records.filter(notIn(seen));
    const time: HubSpotTime = { newest: newestOf(records, newest), editsFrom };
    if (more && lastId !== undefined) {
      const next: PageToken = { from, to, afterId: lastId, seen, ...time };
      return { records: fresh, skipped, next: JSON.stringify(next), remaining: null, resumeFrom: from };
    }
    // Every contact to `to` is read: go on after it (dates are whole milliseconds).
    const next: PageToken = { since: to + 1, seen, ...time };
    return { records: fresh, skipped, next: JSON.stringify(next), remaining: null, resumeFrom: to };
  }

  function searchPage(token: PageToken, signal?: AbortSignal): Promise<ChangedPage> {
    return 'to' in token ? spanById(token, signal) : changedSince(token.since, token.seen, token, signal);
  }

  return {
    crm: 'hubspot',
    maxBatch: BATCH_SIZE,
    apiUsage: () => http.apiUsage(),

    // A batch of one, not `GET …/{id}?properties=…`: a portal's hundreds of property names overflow the URL (414).
    async readRecord(id, { fields, signal }: ReadOptions = {}) {
      if (!/^\d+$/.test(id)) throw new CrmError('request', 'Not a HubSpot contact id');
      const [record] = await readBatch([id], await properties(fields, signal), signal);
      return record ?? null;
    },

    async batchRead(ids, { fields, signal }: ReadOptions = {}) {
      const valid = ids.filter((id) => /^\d+$/.test(id));
      const names = await properties(fields, signal);
      const records: CrmRecord[] = [];
      for (let at = 0; at < valid.length; at += BATCH_SIZE) records.push(...(await readBatch(valid.slice(at, at + BATCH_SIZE), names, signal)));
      return records;
    },

    // async: a token that does not parse rejects, like any other failure, rather than throwing.
    async listChanged(since, pageToken, signal) {
      return pageToken === null ? changedSince(since, [], null, signal) : searchPage(parsePageToken(pageToken), signal);
    },

    syncedFields: (signal) => properties(undefined, signal),

    async listDeleted(since, signal) {
      return since < clock.now() - ARCHIVED_LISTED_MS ? everyContactId(signal) : archivedSince(since, signal);
    },

    listPresent: everyContactId,

    // The archived list alone, also when it no longer reaches back to `since` (a contact archived 90 days ago is no longer listed).
    listKeptDeletions: archivedSince,

    // A calculated property (a rollup of associated deals, a score, a time in a stage) takes its
    // new value without the contact's lastmodifieddate changing, so listChanged never reads it.
    // The list of every contact, not a search: a search stops at 10,000 contacts and 4 a second.
    async listCalculated(pageToken, signal) {
      const { calculated } = await contactProperties.get(signal);
      if (calculated.length === 0) return null;
      const inUrl = calculated.slice(0, namesForListUrl(calculated));
      // Taken before the page is asked for, as everyContactId takes it before its first page.
      const coveredTo = clock.now() - CLOCK_ALLOWANCE_MS;
      const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE), properties: inUrl.join(','), ...(pageToken !== null && { after: pageToken }) });
      const { data } = await http.request({ path: `${objects}?${query}`, schema: ContactsPageSchema, what: 'read calculated properties of contacts', signal });
      // A contact whose values cannot be read keeps those stored: listChanged names it when it reads it.
      const { records } = readEach(data.results, ContactValuesSchema, 'id', 'HubSpot answered read calculated properties of contacts');
      const valuesById = new Map(records.map(({ id, properties }) => [id, valuesOf(properties, inUrl)]));
      // Names the URL cannot take are read for the page's contacts by POST; one deleted meanwhile keeps those stored.
      const rest = calculated.slice(inUrl.length);
      if (rest.length > 0 && valuesById.size > 0) for (const record of await readBatch([...valuesById.keys()], rest, signal)) valuesById.set(record.id, { ...valuesById.get(record.id), ...valuesOf(record.fields, rest) });
      // Every contact's id too, as the list of ids reads them: a whole pass's pages are the list listPresent
      // would read again. A contact without one leaves the page none, and listPresent then reads that list.
      const ids = ContactIdsPageSchema.shape.results.safeParse(data.results);
      return { records: [...valuesById].map(([id, fields]) => ({ id, fields })), next: data.paging?.next.after ?? null, ...(ids.success && { listed: { ids: ids.data.map((contact) => contact.id), coveredTo } }) };
    },

    async updateRecords(updates, signal) {
      if (updates.length > BATCH_SIZE) throw new CrmError('request', `At most ${BATCH_SIZE} HubSpot contacts per update`);
      for (const update of updates) {
        if (!/^\d+$/.test(update.recordId)) throw new CrmError('request', 'Not a HubSpot contact id');
        await properties(Object.keys(update.fields), signal);
      }
      try {
        return await updateBatch(updates, signal);
      } catch (error) {
        // HubSpot may refuse a whole batch for a contact it no longer has, rather than answer 207
        // naming it (it documents the 207 for batch create only): the contacts it still has are
        // sent again without the others, which one deletion would otherwise fail with them. With
        // none gone, it refused a value a property does not take, which `settleRefusal` finds.
        if (!isCrmError(error, 'request') || (error.status !== 400 && error.status !== 404)) throw error;
        const ids = updates.map((update) => update.recordId);
        const stillThere = await stillHeld(ids, signal);
        if (ids.every((id) => stillThere.has(id))) return await settleRefusal(updates, error, signal);
        const gone = ids.filter((id) => !stillThere.has(id)).map((recordId) => ({ recordId, error: CONTACT_GONE }));
        const rest = updates.filter((update) => stillThere.has(update.recordId));
        return rest.length === 0 ? gone : [...gone, ...(await updateBatch(rest, signal).catch((refusal: unknown) => settleRefusal(rest, refusal, signal)))];
      }
    },

    async checkWritableFields(fields, signal) {
      contactProperties.forget(); // listed afresh: a property created a moment ago counts
      const { byName } = await contactProperties.get(signal);
      refuseUnwritableFields(fields.map((field) => writeRefusal(field, byName.get(field.name))));
      // Property names are matched exactly: spelled as given.
      const checked = await Promise.all(fields.map(async (field) => ({ name: field.name, maxLength: byName.get(field.name)?.type === 'string' ? await textMaxLength(field.name, signal) : null })));
      // A maximum length the portal's rule sets may leave no room for the tier words or the score (the reason is cut to it).
      refuseUnwritableFields(checked.map(({ maxLength }, i) => (maxLength === null ? null : lengthRefusal(namedProperty(byName.get(fields[i].name)!), fields[i], maxLength, raiseMaxLengthRule))));
      return checked;
    },

    async ownerNames(ids, signal) {
      const directory = await ownerDirectory.get(signal);
      return new Map(ids.flatMap((id) => (directory.has(id) ? [[id, directory.get(id)!] as const] : [])));
    },

    async checkAccess(signal) {
      await http.request({ path: `${objects}?limit=1`, schema: ListSchema, what: 'read contacts', signal });
      // Listed afresh: the token is read at call time, so the one checked may see other properties.
      contactProperties.forget();
      await contactProperties.get(signal);
      // Every portal shares one API host: only the account details tell a new token's portal from the last one's.
      try {
        const { data } = await http.request({ path: accountDetailsPath, schema: AccountDetailsSchema, what: 'read the account details', signal });
        return { id: String(data.portalId), name: `HubSpot portal ${data.portalId}`, ...(data.uiDomain && { uiDomain: data.uiDomain }) };
      } catch (error) {
        // A token refused this one call (a 403 for a scope) still reads contacts: the portal is then unknown.
        if (isCrmError(error, 'request')) return null;
        throw error;
      }
    },

    // Enumerations only: HubSpot's type for its choice lists. A bool's Yes / No options are not a
    // choice list's labels, and featurization reads "Yes" as true already; a multiple-checkboxes
    // one's value is several (`a;b`), which a page shows as their labels joined, so no one label
    // reads back. Hidden options are kept: contacts set before an option was hidden still hold it.
    async optionLabels(fields, { signal } = {}) {
      const { byName } = await contactProperties.get(signal);
      return labelsUnlikeValues(fields, (name) => {
        const property = byName.get(name);
        return property?.type === 'enumeration' && property.fieldType !== 'checkbox' ? property.options : undefined;
      });
    },

    // Hidden stages are kept, in their place: contacts set to one before it was hidden still hold it.
    // A stage of no value is none: a contact holding it has no stage. Each label as LeadLens
    // shows it (`valueLabelAsShown`); none when nothing of it is visible.
    async lifecycleStages({ signal } = {}) {
      const { byName } = await contactProperties.get(signal);
      return inDisplayOrder(byName.get(HUBSPOT_LIFECYCLE_FIELD)?.options ?? [])
        .filter(({ value }) => value.trim() !== '')
        .map(({ value, label }) => ({ value, label: valueLabelAsShown(label ?? '') || undefined }));
    },
  };
}
