/**
 * HubSpot CRM REST (`api.hubapi.com`), contacts only, under both `/crm/v3/objects/contacts`
 * and the date-versioned `/crm/objects/YYYY-MM/contacts`:
 *   GET  …/contacts[?limit&after&properties&archived] list, cursor paging (`paging.next.after`, `.link`); with
 *                                                     `archived=true` the contacts archived (deleted) in the last
 *                                                     90 days only, with `archivedAt`
 *   GET  …/contacts/{id}[?properties=a,b]
 *   POST …/contacts/search                            filters, sorts, cursor paging, 10,000-result cap
 *   POST …/contacts/batch/read                        up to 100 ids (custom property values too); 207 names the missing
 *   POST …/contacts/batch/update                      up to 100 `{id, properties}` (custom properties only); missing
 *                                                     ids as `HubSpotApiOptions.missingInBatchUpdate` says
 *   GET  /crm/v3/properties/contacts                  the property definitions; `calculated` those HubSpot computes;
 *                                                     options with `displayOrder`, lifecyclestage's with a stage of the portal's own
 *   GET  /crm/v3/property-validations/0-1/{name}      a contact property's validation rules: MAX_LENGTH, as
 *                                                     `HubSpotApiOptions.maxLengths` sets (also /crm/property-validations/YYYY-MM/0-1/{name})
 *   GET  /account-info/v3/details                     the token's portal (also /account-info/YYYY-MM/details)
 *   GET  /crm/v3/owners[?limit&after&archived]        the demo owners, cursor paging (also /crm/owners/YYYY-MM);
 *                                                     active ones only, or with `archived=true` archived ones only
 * Every call needs a bearer token (private-app token, service key or OAuth: any will do); a POST
 * whose body is not sent as `application/json` is refused with 415.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DEMO_OWNERS, DEMO_VENDOR_SITE, type DemoLead, type DemoOwner } from '../../lib/crm/demo-data';
import { HUBSPOT_CONTACT_PROPERTIES, HUBSPOT_CUSTOM_PROPERTIES, hubspotProperty, type CustomField, type HubSpotOption } from './fields';
import { bearerToken, bodyNotDeclaredJson, json, parseJsonBody, type DemoHandler, type DemoResponse } from './http';
import type { DemoDeletion, DemoStore } from './store';

/** HubSpot's search returns at most this many results per query, whatever the paging. */
export const SEARCH_RESULT_CAP = 10_000;

/**
 * How the demo portal differs from its defaults. What HubSpot's documentation leaves open, served
 * either way (the default first):
 * - `searchTotal`: a search's `total` counts every contact matching (`exact`: its reference
 *   calls it "the total number of records matching the search criteria"), or stops at
 *   SEARCH_RESULT_CAP (`capped`: other integrations take a total of 10,000 as "10,000 or more").
 * - `missingInBatchUpdate`: a batch update naming contacts HubSpot does not have (deleted, merged
 *   away) writes the others and answers 207 naming those in its `errors` (`multi-status`),
 *   refuses the whole batch with 404 OBJECT_NOT_FOUND, writing none (`refuse-batch`), or writes
 *   the others and answers 200 leaving those out of its `results`, with no error (`left-out`):
 *   HubSpot documents its 207 for batch create only.
 * And `emptyProperties` (0 by default): how many properties the portal has beyond the demo's,
 * empty on every contact, as a real portal's hundreds are (apps' and HubSpot's own for features
 * it does not use): listed with the others, null in every contact read that names them.
 * And `maxLengths` (none by default): the portal's MAX_LENGTH validation rules (Settings ›
 * Properties › Rules), the most characters a custom text property takes, by name. A batch update
 * giving one a longer value is refused whole, as HubSpot refuses a value breaking any rule.
 */
export interface HubSpotApiOptions {
  searchTotal: 'exact' | 'capped';
  missingInBatchUpdate: 'multi-status' | 'refuse-batch' | 'left-out';
  emptyProperties: number;
  maxLengths: Readonly<Record<string, number>>;
}
export const HUBSPOT_API_DEFAULTS: HubSpotApiOptions = { searchTotal: 'exact', missingInBatchUpdate: 'multi-status', emptyProperties: 0, maxLengths: {} };

const ALWAYS_RETURNED = ['createdate', 'lastmodifieddate', 'hs_object_id'];
const RETURNED_BY_DEFAULT = ['firstname', 'lastname', 'email', ...ALWAYS_RETURNED];

const CONTACTS_PATH = /^\/crm\/(?:v3\/objects|objects\/\d{4}-\d{2})\/contacts(\/.*)?$/;
const PROPERTIES_PATH = /^\/crm\/(?:v3\/properties|properties\/\d{4}-\d{2})\/contacts\/?$/;
const ACCOUNT_DETAILS_PATH = /^\/account-info\/(?:v3|\d{4}-\d{2})\/details\/?$/;
const OWNERS_PATH = /^\/crm\/(?:v3\/owners|owners\/\d{4}-\d{2})\/?$/;
const CONTACT_VALIDATIONS_PATH = /^\/crm\/(?:v3\/property-validations|property-validations\/\d{4}-\d{2})\/0-1\/([^/]+)\/?$/;
/** Archived contacts stay restorable, and listed with `archived=true`, for 90 days; then they are gone for good. */
const ARCHIVED_KEPT_MS = 90 * 24 * 3_600_000;
/** HubSpot's largest owners page. */
const MAX_OWNERS_PAGE = 500;
/** Reps who left the portal: HubSpot lists them only with `archived=true`. */
export const ARCHIVED_DEMO_OWNERS: readonly Pick<DemoOwner, 'hubspotId' | 'name'>[] = [
  { hubspotId: '61234490', name: 'Olivia Brandt' },
  { hubspotId: '61234491', name: 'Samuel Achebe' },
];

function hubspotError(status: number, category: string, message: string): DemoResponse {
  return json(status, { status: 'error', message, correlationId: randomUUID(), category });
}
const validationError = (message: string) => hubspotError(400, 'VALIDATION_ERROR', message);
const notFound = () => hubspotError(404, 'OBJECT_NOT_FOUND', 'resource not found');

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const FilterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY']),
  value: Scalar.optional(),
  highValue: Scalar.optional(),
  values: z.array(Scalar).optional(),
});
type Filter = z.infer<typeof FilterSchema>;

const SortSchema = z.object({ propertyName: z.string().min(1), direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING') });
type Sort = z.infer<typeof SortSchema>;

const SearchSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(FilterSchema).max(6) })).max(5).default([]),
  sorts: z.array(SortSchema).max(1).default([]),
  properties: z.array(z.string()).default([]),
  query: z.string().optional(),
  limit: z.number().int().min(1).max(200).default(10),
  after: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).optional(),
});

const BatchReadSchema = z.object({
  properties: z.array(z.string()).default([]),
  inputs: z.array(z.object({ id: z.union([z.string(), z.number()]) })).max(100),
});

const BatchUpdateSchema = z.object({
  inputs: z.array(z.object({ id: z.union([z.string(), z.number()]), properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) })).max(100),
});

/** `portalOf(token)`: the portal a bearer token belongs to; `now()`: the portal's clock. */
export function hubspotApi(store: DemoStore, portalOf: (token: string) => string, now: () => number, options: HubSpotApiOptions = HUBSPOT_API_DEFAULTS): DemoHandler {
  const sortedLeads = sortCache(store);
  // The portal's extra properties, as an app's look: custom, text, named after it.
  const emptyNames = Array.from({ length: options.emptyProperties }, (_, i) => `portal_property_${String(i + 1).padStart(4, '0')}`);
  const propertyDefinitions = [...PROPERTY_DEFINITIONS, ...emptyNames.map((name, i) => customPropertyDefinition({ name, label: `Portal property ${i + 1}`, type: 'text' }))];
  const empty: ReadonlySet<string> = new Set(emptyNames);
  return (request) => {
    const path = request.url.pathname;
    const contacts = CONTACTS_PATH.exec(path);
    const isProperties = PROPERTIES_PATH.test(path);
    const isAccountDetails = ACCOUNT_DETAILS_PATH.test(path);
    const isOwners = OWNERS_PATH.test(path);
    const validated = CONTACT_VALIDATIONS_PATH.exec(path)?.[1];
    if (!contacts && !isProperties && !isAccountDetails && !isOwners && validated === undefined) return notFound();
    const token = bearerToken(request);
    if (token === undefined) {
      return hubspotError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0, private app and service key authentication.');
    }
    if (bodyNotDeclaredJson(request)) {
      return hubspotError(415, 'VALIDATION_ERROR', `Unsupported Media Type: the request body must be sent as application/json, not ${request.headers['content-type'] || 'without a Content-Type'}`);
    }
    if (isAccountDetails) return request.method === 'GET' ? json(200, accountDetails(portalOf(token))) : methodNotAllowed();
    if (isOwners) return request.method === 'GET' ? owners(request.url.searchParams) : methodNotAllowed();
    if (isProperties) return request.method === 'GET' ? json(200, { results: propertyDefinitions }) : methodNotAllowed();
    if (validated !== undefined) return request.method === 'GET' ? validationRules(validated, propertyDefinitions, options.maxLengths) : methodNotAllowed();

    const rest = (contacts?.[1] ?? '').replace(/\/$/, '');
    if (rest === '/search') return request.method === 'POST' ? search(store, sortedLeads, parseJsonBody(request), options.searchTotal, empty) : methodNotAllowed();
    if (rest === '/batch/read') return request.method === 'POST' ? batchRead(store, parseJsonBody(request), empty) : methodNotAllowed();
    if (rest === '/batch/update') return request.method === 'POST' ? batchUpdate(store, parseJsonBody(request), now(), options) : methodNotAllowed();
    if (request.method !== 'GET') return methodNotAllowed();
    if (rest === '') return list(store, request.url.searchParams, now(), empty);
    const id = /^\/([^/]+)$/.exec(rest)?.[1];
    const lead = id === undefined ? undefined : store.byHubspotId(id);
    return lead ? json(200, contactObject(store, lead, requestedProperties(request.url.searchParams), empty)) : notFound();
  };
}

/** The account details HubSpot answers (a standard portal in the US data centre). */
function accountDetails(portalId: string) {
  return {
    portalId: Number(portalId),
    accountType: 'STANDARD',
    timeZone: 'US/Eastern',
    companyCurrency: 'USD',
    additionalCurrencies: [],
    utcOffset: '-05:00',
    utcOffsetMilliseconds: -18_000_000,
    uiDomain: 'app.hubspot.com',
    dataHostingLocation: 'na1',
  };
}

/** An owner as HubSpot lists it: a user of the portal, with an e-mail on the demo vendor's domain. */
function ownerObject(owner: Pick<DemoOwner, 'hubspotId' | 'name'>, userId: number, archived: boolean) {
  const [firstName, ...rest] = owner.name.split(' ');
  const mailbox = owner.name.normalize('NFD').replace(/[^A-Za-z ]/g, '').toLowerCase().replace(/ /g, '.');
  return {
    id: owner.hubspotId,
    email: `${mailbox}@${new URL(DEMO_VENDOR_SITE).hostname.replace(/^www\./, '')}`,
    type: 'PERSON',
    firstName,
    lastName: rest.join(' '),
    userId,
    userIdIncludingInactive: userId,
    createdAt: '2024-02-05T15:04:11.000Z',
    updatedAt: '2026-01-12T09:30:00.000Z',
    archived,
  };
}

/** `GET /crm/v3/owners`: `after` is an offset, as in the contacts list; active owners, or with `archived=true` archived ones. */
function owners(params: URLSearchParams): DemoResponse {
  const archived = params.get('archived') === 'true';
  const listed = archived ? ARCHIVED_DEMO_OWNERS : DEMO_OWNERS;
  const firstUserId = archived ? 9_000_001 : 9_100_001;
  const limit = Math.min(MAX_OWNERS_PAGE, Math.max(1, Number(params.get('limit') ?? 100) || 100));
  const after = Number(params.get('after') ?? 0) || 0;
  const end = after + limit;
  const next = end < listed.length ? String(end) : null;
  return json(200, {
    results: listed.slice(after, end).map((owner, i) => ownerObject(owner, firstUserId + after + i, archived)),
    ...(next ? { paging: { next: { after: next, link: `https://api.hubapi.com/crm/v3/owners/?${archived ? 'archived=true&' : ''}after=${next}` } } } : {}),
  });
}

const customProperty = (name: string) => HUBSPOT_CUSTOM_PROPERTIES.find((property) => property.name === name);

/** A property's validation rules, as HubSpot answers them: its MAX_LENGTH rule only, here; a property the portal lacks is not found. */
function validationRules(name: string, definitions: readonly object[], maxLengths: HubSpotApiOptions['maxLengths']): DemoResponse {
  if (!definitions.some((definition) => 'name' in definition && definition.name === name)) return notFound();
  const most = Object.hasOwn(maxLengths, name) ? maxLengths[name] : undefined;
  return json(200, { results: most === undefined ? [] : [{ ruleType: 'MAX_LENGTH', ruleArguments: [String(most)], shouldApplyNormalization: false }] });
}

/**
 * Batch update, as HubSpot validates it: a property the portal does not have, a value a
 * number property cannot take, or one longer than its MAX_LENGTH rule, refuses the whole batch;
 * ids that do not exist come back in a 207's `errors`, refuse the whole batch, or are left out of
 * a 200's `results` (`missingInBatch`).
 * HubSpot's own properties are all refused as read-only here (the demo's records are generated),
 * though HubSpot takes a value for those its definitions do not mark read-only. An updated contact
 * is stamped as modified at `now`.
 */
function batchUpdate(store: DemoStore, body: unknown, now: number, { missingInBatchUpdate: missingInBatch, maxLengths }: HubSpotApiOptions): DemoResponse {
  const parsed = BatchUpdateSchema.safeParse(body);
  if (!parsed.success) return validationError('Invalid batch update request: inputs must be at most 100 objects with an id and properties.');
  const invalid: { message: string; error: string; name: string }[] = [];
  for (const input of parsed.data.inputs) {
    for (const [name, value] of Object.entries(input.properties)) {
      const custom = customProperty(name);
      if (!custom && hubspotProperty(name)) invalid.push({ message: `${name} is a read-only property; its value cannot be set.`, error: 'READ_ONLY_VALUE', name });
      else if (!custom) invalid.push({ message: `Property "${name}" does not exist`, error: 'PROPERTY_DOESNT_EXIST', name });
      else if (custom.type === 'number' && !Number.isFinite(Number(value))) invalid.push({ message: `${value} was not a valid number.`, error: 'INVALID_FLOAT', name });
      // HubSpot's code for this rule is undocumented; its messages read as the form's ("Enter only letters").
      else if (Object.hasOwn(maxLengths, name) && String(value).length > maxLengths[name]) invalid.push({ message: `Enter no more than ${maxLengths[name]} characters`, error: 'INVALID_MAX_LENGTH', name });
    }
  }
  if (invalid.length > 0) {
    const details = invalid.map((issue) => ({ isValid: false, ...issue, localizedErrorMessage: issue.message }));
    return validationError(`Property values were not valid: ${JSON.stringify(details)}`);
  }
  const missing = parsed.data.inputs.map((input) => String(input.id)).filter((id) => store.byHubspotId(id) === undefined);
  const missingError = { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not update some CONTACT objects, they may be deleted or not exist.', context: { ids: missing } };
  if (missing.length > 0 && missingInBatch === 'refuse-batch') return json(404, { ...missingError, correlationId: randomUUID() });
  const startedAt = new Date().toISOString();
  const results: object[] = [];
  for (const input of parsed.data.inputs) {
    const lead = store.byHubspotId(String(input.id));
    if (!lead) continue;
    const custom = store.customValues(lead);
    for (const [name, value] of Object.entries(input.properties)) custom[name] = String(value); // HubSpot keeps every value as a string
    store.markModified(lead, 'hubspot', now);
    results.push(contactObject(store, lead, [...Object.keys(input.properties), ...ALWAYS_RETURNED]));
  }
  const result = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  if (missing.length === 0 || missingInBatch === 'left-out') return json(200, result);
  return json(207, { ...result, numErrors: 1, errors: [missingError] });
}

const methodNotAllowed = () => hubspotError(405, 'VALIDATION_ERROR', 'Method not allowed');

/** `?properties=a,b&properties=c` → names, or the defaults when none are asked for. */
function requestedProperties(params: URLSearchParams): string[] {
  const names = params.getAll('properties').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  return names.length > 0 ? [...new Set([...names, ...ALWAYS_RETURNED])] : RETURNED_BY_DEFAULT;
}

/** The contacts merged into a contact: HubSpot's own property, kept by the store rather than generated. */
const MERGED_PROPERTY = 'hs_merged_object_ids';

/** Known properties are returned (null when empty; `empty`: the portal's extra ones, empty on every contact); unknown names are ignored, as HubSpot does. */
function contactObject(store: DemoStore, lead: DemoLead, names: readonly string[], empty: ReadonlySet<string> = new Set()): object {
  const custom = store.customValues(lead);
  const properties = Object.fromEntries(
    names.flatMap((name) => {
      if (name === MERGED_PROPERTY) return [[name, store.mergedHubSpotIds(lead)]];
      if (empty.has(name)) return [[name, null]];
      if (customProperty(name)) return [[name, custom[name] === undefined ? null : String(custom[name])]];
      return hubspotProperty(name) === undefined ? [] : [[name, lead.hubspot[name as keyof DemoLead['hubspot']]]];
    }),
  );
  return {
    id: lead.hubspotId,
    properties,
    createdAt: lead.hubspot.createdate,
    updatedAt: lead.hubspot.lastmodifieddate,
    archived: false,
  };
}

function list(store: DemoStore, params: URLSearchParams, now: number, empty: ReadonlySet<string>): DemoResponse {
  const limit = Math.min(100, Math.max(1, Number(params.get('limit') ?? 10) || 10));
  const after = Number(params.get('after') ?? 0) || 0;
  const archived = params.get('archived') === 'true';
  const listed: readonly (DemoLead | DemoDeletion)[] = archived ? store.deletions.filter(({ at }) => at >= now - ARCHIVED_KEPT_MS) : store.hubspotLeads;
  const page = listed.slice(after, after + limit);
  const next = after + limit < listed.length ? String(after + limit) : null;
  const names = requestedProperties(params);
  return json(200, {
    results: page.map((entry) => ('at' in entry ? { ...contactObject(store, entry.lead, names, empty), archived: true, archivedAt: new Date(entry.at).toISOString() } : contactObject(store, entry, names, empty))),
    ...(next ? { paging: { next: { after: next, link: `https://api.hubapi.com/crm/v3/objects/contacts?${archived ? 'archived=true&' : ''}after=${next}` } } } : {}),
  });
}

function search(store: DemoStore, sortedLeads: SortCache, body: unknown, total: HubSpotApiOptions['searchTotal'], empty: ReadonlySet<string>): DemoResponse {
  const parsed = SearchSchema.safeParse(body ?? {});
  if (!parsed.success) return validationError(`Invalid search request: ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`);
  const { filterGroups, sorts, properties, query, limit } = parsed.data;
  const after = Number(parsed.data.after ?? 0);
  if (after >= SEARCH_RESULT_CAP) return validationError(`Paging beyond ${SEARCH_RESULT_CAP} results is not supported.`);

  const matching = sortedLeads(sorts[0], lowerBound(filterGroups, sorts[0])).filter((lead) =>
    (filterGroups.length === 0 || filterGroups.some((group) => group.filters.every((f) => matchesFilter(lead, f)))) &&
    (query === undefined || matchesQuery(lead, query)),
  );
  const reachable = Math.min(matching.length, SEARCH_RESULT_CAP);
  const end = Math.min(reachable, after + limit);
  const names = properties.length > 0 ? [...new Set([...properties, ...ALWAYS_RETURNED])] : RETURNED_BY_DEFAULT;
  return json(200, {
    total: total === 'capped' ? reachable : matching.length,
    results: matching.slice(after, end).map((lead) => contactObject(store, lead, names, empty)),
    ...(end < reachable ? { paging: { next: { after: String(end) } } } : {}),
  });
}

function batchRead(store: DemoStore, body: unknown, empty: ReadonlySet<string>): DemoResponse {
  const parsed = BatchReadSchema.safeParse(body);
  if (!parsed.success) return validationError('Invalid batch read request: inputs must be at most 100 objects with an id.');
  const startedAt = new Date().toISOString();
  const names = parsed.data.properties.length > 0 ? [...new Set([...parsed.data.properties, ...ALWAYS_RETURNED])] : RETURNED_BY_DEFAULT;
  const ids = parsed.data.inputs.map((input) => String(input.id));
  const found = ids.map((id) => store.byHubspotId(id)).filter((lead): lead is DemoLead => lead !== undefined);
  const missing = ids.filter((id) => store.byHubspotId(id) === undefined);
  const result = {
    status: 'COMPLETE',
    results: found.map((lead) => contactObject(store, lead, names, empty)),
    startedAt,
    completedAt: new Date().toISOString(),
  };
  if (missing.length === 0) return json(200, result);
  // Partly found, or not at all: 207 with the errors beside the results (empty then), as HubSpot does.
  return json(207, {
    ...result,
    numErrors: 1,
    errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.', context: { ids: missing } }],
  });
}

// ─── Filters and sorts, by property type ────────────────────────────────────────────────

/** Comparable form: time for date-times (ISO or epoch ms), number for numbers, lower-case text otherwise. */
function comparable(propertyName: string, value: string | number | boolean | null | undefined): number | string | null {
  if (value === null || value === undefined || value === '') return null;
  const type = hubspotProperty(propertyName)?.type;
  const text = String(value);
  if (type === 'datetime' || type === 'date') return /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (type === 'number') return Number(text);
  return text.toLowerCase();
}

function propertyValue(lead: DemoLead, name: string): string | null {
  return name in lead.hubspot ? lead.hubspot[name as keyof DemoLead['hubspot']] : null;
}

/**
 * Contacts keep their last change in `lastmodifieddate`; a contact search filtered on
 * `hs_lastmodifieddate` (the other objects' name for it) silently returns none of them, as
 * connectors that sync HubSpot found.
 */
const NOT_SEARCHABLE_ON_CONTACTS = new Set(['hs_lastmodifieddate']);

function matchesFilter(lead: DemoLead, filter: Filter): boolean {
  if (NOT_SEARCHABLE_ON_CONTACTS.has(filter.propertyName)) return false;
  const actual = comparable(filter.propertyName, propertyValue(lead, filter.propertyName));
  const value = comparable(filter.propertyName, filter.value);
  const values = (filter.values ?? []).map((v) => comparable(filter.propertyName, v));
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return actual !== null;
    case 'NOT_HAS_PROPERTY':
      return actual === null;
    case 'EQ':
      return actual !== null && actual === value;
    case 'NEQ':
      return actual !== value;
    case 'IN':
      return actual !== null && values.includes(actual);
    case 'NOT_IN':
      return !values.includes(actual);
    case 'BETWEEN': {
      const high = comparable(filter.propertyName, filter.highValue);
      return actual !== null && value !== null && high !== null && actual >= value && actual <= high;
    }
    default: {
      if (actual === null || value === null) return false;
      const op = filter.operator;
      return op === 'LT' ? actual < value : op === 'LTE' ? actual <= value : op === 'GT' ? actual > value : actual >= value;
    }
  }
}

/** HubSpot's default search matches the query against names, e-mail, phone and company. */
function matchesQuery(lead: DemoLead, query: string): boolean {
  const needle = query.toLowerCase();
  const { firstname, lastname, email, phone, company } = lead.hubspot;
  return [firstname, lastname, email, phone, company].some((value) => value?.toLowerCase().includes(needle));
}

/**
 * The leads sorted by a property (empty values last), then by id so paging is stable,
 * computed once per sort until the store changes, so that paging through 100,000 leads
 * does not sort them again for every page. With `from`, only leads whose key is ≥ it.
 */
type SortCache = (sort: Sort | undefined, from: number | null) => DemoLead[];

function sortCache(store: DemoStore): SortCache {
  const cache = new Map<string, { leads: DemoLead[]; keys: (number | string | null)[] }>();
  let cachedVersion = store.version;
  return (sort, from) => {
    if (store.version !== cachedVersion) {
      cache.clear();
      cachedVersion = store.version;
    }
    const cacheKey = sort ? `${sort.propertyName} ${sort.direction}` : '';
    let entry = cache.get(cacheKey);
    if (!entry) {
      const keyed = sorted([...store.hubspotLeads], sort);
      entry = { leads: keyed.map(({ lead }) => lead), keys: keyed.map(({ key }) => key) };
      cache.set(cacheKey, entry);
    }
    if (from === null || sort?.direction === 'DESCENDING') return entry.leads;
    let low = 0;
    let high = entry.keys.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const key = entry.keys[mid];
      if (typeof key === 'number' && key < from) low = mid + 1;
      else high = mid;
    }
    return entry.leads.slice(low);
  };
}

/** When every filter group has a GT/GTE on the ascending sort property, no lead below the smallest can match. */
function lowerBound(groups: { filters: Filter[] }[], sort: Sort | undefined): number | null {
  if (!sort || sort.direction === 'DESCENDING' || groups.length === 0) return null;
  const bounds = groups.map((group) => {
    const filter = group.filters.find((f) => f.propertyName === sort.propertyName && (f.operator === 'GT' || f.operator === 'GTE'));
    const value = filter ? comparable(filter.propertyName, filter.value) : null;
    return typeof value === 'number' ? value : null;
  });
  return bounds.some((b) => b === null) ? null : Math.min(...(bounds as number[]));
}

function sorted(leads: DemoLead[], sort: Sort | undefined): { lead: DemoLead; key: number | string | null }[] {
  const direction = sort?.direction === 'DESCENDING' ? -1 : 1;
  const keyed = leads.map((lead) => ({ lead, key: sort ? comparable(sort.propertyName, propertyValue(lead, sort.propertyName)) : null, id: Number(lead.hubspotId) }));
  keyed.sort((a, b) => {
    if (a.key !== b.key) {
      if (a.key === null) return 1;
      if (b.key === null) return -1;
      return (a.key < b.key ? -1 : 1) * direction;
    }
    return a.id - b.id;
  });
  return keyed;
}

/** HubSpot's own properties whose values HubSpot alone sets (`modificationMetadata.readOnlyValue`): ids, dates, analytics. */
const READ_ONLY_PROPERTIES = new Set<string>([
  'hs_object_id', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'notes_last_updated', MERGED_PROPERTY,
  'hs_analytics_source', 'hs_analytics_num_visits', 'hs_analytics_num_page_views', 'num_conversion_events',
  'hs_analytics_first_url', 'hs_analytics_last_url', 'hs_email_open', 'hs_email_click', 'hs_email_bounce', 'hs_email_optout',
]);

/**
 * HubSpot's own properties whose values HubSpot computes (`calculated`): they change without the
 * contact's lastmodifieddate. The form submissions are HubSpot's count of a contact's conversions.
 */
const CALCULATED_PROPERTIES = new Set<string>(['num_conversion_events']);

/** A lifecycle stage the demo portal added, as a portal may: HubSpot gives it a numeric id as its value. */
export const DEMO_PORTAL_LIFECYCLE_STAGE: HubSpotOption = { label: 'Product Qualified Lead', value: '1234567' };

/**
 * The demo portal's lifecycle stages as HubSpot lists them: the stages of `demoStages` (those its
 * contacts are at), its own stage between sales qualified lead and opportunity, and HubSpot's two
 * others. No demo contact is at one of the last three.
 */
function portalLifecycleStages(demoStages: readonly HubSpotOption[]): HubSpotOption[] {
  const opportunity = demoStages.findIndex((stage) => stage.value === 'opportunity');
  return [
    ...demoStages.slice(0, opportunity),
    DEMO_PORTAL_LIFECYCLE_STAGE,
    ...demoStages.slice(opportunity),
    { label: 'Evangelist', value: 'evangelist' },
    { label: 'Other', value: 'other' },
  ];
}

const PROPERTY_DEFINITIONS = [
  ...HUBSPOT_CONTACT_PROPERTIES.map(propertyDefinition),
  {
    name: MERGED_PROPERTY,
    label: 'Merged Contact IDs',
    type: 'enumeration',
    fieldType: 'checkbox',
    groupName: 'contactinformation',
    options: [],
    calculated: false,
    hubspotDefined: true,
    modificationMetadata: modificationMetadata(MERGED_PROPERTY, true),
  },
  ...HUBSPOT_CUSTOM_PROPERTIES.map(customPropertyDefinition),
];
/** How many properties the demo portal lists without extra ones (`HubSpotApiOptions.emptyProperties`). */
export const DEMO_PORTAL_PROPERTY_COUNT = PROPERTY_DEFINITIONS.length;

/** What a portal may change of a property: HubSpot's own keep their definition, and some their value. */
function modificationMetadata(name: string, hubspotDefined: boolean) {
  return { archivable: !hubspotDefined, readOnlyDefinition: hubspotDefined, readOnlyOptions: false, readOnlyValue: READ_ONLY_PROPERTIES.has(name) };
}

/** A property the portal's admin created: HubSpot leaves `hubspotDefined` out. */
function customPropertyDefinition(property: CustomField): object {
  const number = property.type === 'number';
  return {
    name: property.name,
    label: property.label,
    type: number ? 'number' : 'string',
    fieldType: number ? 'number' : 'text',
    groupName: 'contactinformation',
    options: [],
    calculated: false,
    modificationMetadata: modificationMetadata(property.name, false),
  };
}

function propertyDefinition(property: (typeof HUBSPOT_CONTACT_PROPERTIES)[number]): object {
  const options = property.name === 'lifecyclestage' ? portalLifecycleStages(property.options ?? []) : (property.options ?? []);
  const fieldType = { string: 'text', number: 'number', datetime: 'date', date: 'date', enumeration: 'select', bool: 'booleancheckbox' }[property.type];
  return {
    name: property.name,
    label: property.label,
    type: property.type,
    fieldType,
    groupName: property.groupName,
    options: options.map((option, displayOrder) => ({ ...option, displayOrder, hidden: false })),
    calculated: CALCULATED_PROPERTIES.has(property.name),
    hubspotDefined: true,
    modificationMetadata: modificationMetadata(property.name, true),
  };
}
