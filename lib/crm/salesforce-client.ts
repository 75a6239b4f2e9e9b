/**
 * Salesforce REST for Leads, on the org's `*.my.salesforce.com` host (the Lightning host
 * redirects and drops the Authorization header). Changes are read with SOQL ordered by
 * `SystemModstamp, Id` and paged by `nextRecordsUrl` (2,000 per batch); deletions with "Get
 * Deleted", or by every Lead's Id when Salesforce no longer keeps them, and now and then
 * (`listPresent`) for the Leads the user can no longer see, which Get Deleted never lists; while
 * a list of every Lead Id is refused as short, with Get Deleted alone (`listKeptDeletions`). The
 * user the credentials sign in as is the one the `identity` URL of Resources by Version names.
 * A read naming more Lead fields than one statement takes (hundreds, as managed packages add, or
 * many formula fields) names them in groups, merged by Id (`fieldGroups`). In a multi-currency org
 * every amount is handed on in the corporate currency (`withAmountsInCorporateCurrency`).
 */
import { z } from 'zod';
import type { CalculatedPage, ChangedPage, CrmClient, CrmRecord, CrmUser, Deletions, FieldToWrite, ReadOptions, RecordUpdateFailure } from './client';
import { CLOCK_ALLOWANCE_MS, ListShortOfCountError, amountInCorporateCurrency, choiceListRefusal, heldInWords, labelsUnlikeValues, lengthRefusal, parseCrmDateTime, refuseUnwritableFields } from './client';
import { CrmError, HttpClient, RateLimiter, headerCount, isCrmError, realClock, PageCursors, type ApiUsage, type Clock, type CrmErrorBody, type CrmResponse, type RetryPolicy } from './http';
import { loadOnce } from './once';
import { readEach, showableId } from './read-each';
import { plural } from '../presentation';
import { sha256Hex } from '../sha256';

export const DEFAULT_SALESFORCE_API_VERSION = '67.0';
const BATCH_SIZE = 2000;
/** Records per sObject Collections request: Salesforce refuses more than 200. */
const UPDATE_BATCH_SIZE = 200;
/** Salesforce refuses a request whose URI and headers together pass this: 414 or 431. */
const MAX_URI_AND_HEADERS_BYTES = 16_384;
/** The bytes a URL naming Lead fields may take: the rest is left to the headers (the token, the browser's own). */
const MAX_URL_BYTES = MAX_URI_AND_HEADERS_BYTES - 4_096;
/** Ids per `WHERE Id IN (…)`: keeps the URL well under MAX_URI_AND_HEADERS_BYTES. */
const IDS_PER_QUERY = 200;
/** Fields a sync and a cache key cannot do without. */
const REQUIRED_FIELDS = ['Id', 'SystemModstamp'] as const;
/** Compound and binary fields: SOQL returns them as objects or not at all; their parts are plain fields. */
const UNSYNCED_TYPES = new Set(['address', 'location', 'base64', 'complexvalue']);
/**
 * Salesforce refuses to list deleted records from further back than 30 days, and keeps them
 * for about 15 (`earliestDateAvailable` says from when, and a start before it is refused).
 */
const DELETED_WINDOW_MAX_MS = 30 * 24 * 3_600_000;
const MINUTE_MS = 60_000;
/** It refuses a window of a minute or less (its start and end are taken to the minute). */
const DELETED_WINDOW_MIN_MS = 2 * MINUTE_MS;
/**
 * How often a sync, or a read naming a field describe did not list, may describe Lead again (a
 * field describe listed and Salesforce refuses is described again at once: `namingFields`).
 */
const DESCRIBE_REFRESH_MS = 10 * 60_000;

/**
 * Where a client keeps what it read past its worker, which Chrome stops after about 30 idle
 * seconds (client-for.ts keeps it in storage.session): `read` answers what `write` was given
 * under `key`, or nothing. The client checks what it reads back, and takes it only while
 * `DESCRIBE_REFRESH_MS` old at most (`recall`).
 */
export interface Remembered {
  read(key: string): Promise<unknown>;
  write(key: string, value: unknown): Promise<void>;
}

export interface SalesforceClientOptions {
  /** `https://acme.my.salesforce.com` */
  instanceUrl: string;
  /** `67.0` */
  apiVersion: string;
  /** Session id (the `sid` cookie) or OAuth access token, read at call time. */
  accessToken(): Promise<string>;
  /** OAuth: after a 401 to `refusedAccessToken`, get a new access token; resolves whether to try again. */
  renewAccessToken?(refusedAccessToken: string): Promise<boolean>;
  timeoutMs?: number;
  /** Salesforce has no per-second API limit, only daily ones: stay polite all the same. */
  requestsPerSecond?: number;
  retry?: RetryPolicy;
  clock?: Clock;
  fetch?: typeof fetch;
  /**
   * Keeps Lead's describe and a multi-currency org's rates past the worker: a new worker's first
   * badge then waits for no describe, and spends no request of the org's daily allowance on one.
   */
  remembered?: Remembered;
}

const SalesforceId = z.string().regex(/^[a-zA-Z0-9]{18}$/, 'expected an 18-character Salesforce Id');
/** A 15- or 18-character Id, checked before it goes into a URL or a SOQL literal. */
const isRecordId = (id: string) => /^[a-zA-Z0-9]{15,18}$/.test(id);
/** Queues (Groups) have Ids starting 00G; every other Lead owner is a User. */
const isQueueId = (id: string) => id.startsWith('00G');
const DateTime = z.string().refine((value) => Number.isFinite(parseCrmDateTime(value)), 'expected an ISO date-time');
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const LeadSchema = z
  .object({
    attributes: z.looseObject({ type: z.string() }).optional(),
    Id: SalesforceId,
    SystemModstamp: DateTime,
  })
  .catchall(Scalar);
type Lead = z.infer<typeof LeadSchema>;

/** A User or a queue: the two kinds of Lead owner. */
const NamedRecordSchema = z.looseObject({ Id: SalesforceId, Name: z.string() });

const NextRecordsUrl = z.string().regex(/^\/services\/data\/v\d+\.0\/query(All)?\/[\w-]+$/);

/**
 * One page of a query. A page saying more are to come without saying where (a body cut by a
 * proxy, a Salesforce fault) is refused: read as the last, it would end a list of every Lead
 * early, and a sync would remove the Leads left off it, or move its cursor past them.
 */
function queryPageSchema<R extends z.ZodType>(record: R) {
  return z
    .object({ totalSize: z.number().int().nonnegative(), done: z.boolean(), nextRecordsUrl: NextRecordsUrl.optional(), records: z.array(record) })
    .refine((page) => page.done || page.nextRecordsUrl !== undefined, { path: ['nextRecordsUrl'], message: 'missing while done is false: the rest of the records cannot be read' });
}
type QueryPage<R extends z.ZodType> = ReturnType<typeof queryPageSchema<R>>;
const LeadPageSchema = queryPageSchema(LeadSchema);
/** A page of changed Leads, each read on its own (read-each.ts): one odd Lead does not fail a sync. */
const ChangedLeadPageSchema = queryPageSchema(z.unknown());
const NamedRecordPageSchema = queryPageSchema(NamedRecordSchema);

/** A size describe gives a field; one of another shape reads as not given (describe also serves syncs). */
const DescribedSize = z.number().int().nonnegative().optional().catch(undefined);

/**
 * Lead's fields as describe lists them, only what the client reads of them (a Lead's describe
 * runs to hundreds of KB, and this is what a client keeps past its worker: `Remembered`). Reads
 * need name and type; the rest, which Salesforce sends for every field, decides whether
 * write-back may fill it (`writeRefusal`), and a field missing `custom` or `updateable` is not filled; `calculated` marks a formula field, which a sync reads
 * again now and then (`listCalculated`). A picklist value's `label` is what Lead pages show for
 * it (`optionLabels`); Salesforce sends null for some. Sizes: `length` the characters a text field holds,
 * `precision` and `scale` a number field's digits in all and after the decimal point, `digits`
 * an integer field's.
 */
const DescribedFieldSchema = z.object({
  name: z.string().regex(/^\w+$/),
  type: z.string(),
  label: z.string().optional(),
  custom: z.boolean().optional(),
  updateable: z.boolean().optional(),
  calculated: z.boolean().optional(),
  // A label of another shape reads as none: describe also serves syncs.
  picklistValues: z.array(z.object({ value: z.string(), active: z.boolean(), label: z.string().nullish().catch(null) })).optional(),
  length: DescribedSize,
  precision: DescribedSize,
  scale: DescribedSize,
  digits: DescribedSize,
});
type DescribedField = z.infer<typeof DescribedFieldSchema>;
const DescribedFieldsSchema = z.array(DescribedFieldSchema);
const DescribeSchema = z.object({ fields: DescribedFieldsSchema });

/** The REQUIRED_FIELDS that Lead's `fields` lack (among those synced). */
const requiredFieldsMissing = (fields: readonly DescribedField[]) => REQUIRED_FIELDS.filter((name) => !fields.some((field) => field.name === name && !UNSYNCED_TYPES.has(field.type)));
/** Lead's fields as a client keeps them past its worker (`Remembered`): only ones reads can do with. */
const KeptFieldsSchema = DescribedFieldsSchema.refine((fields) => requiredFieldsMissing(fields).length === 0);

/** Salesforce field types write-back fills with a number (not currency: `writeRefusal`), and text; a picklist holds the text of its active values. */
const NUMBER_TYPES = new Set(['double', 'int', 'percent']);
const TEXT_TYPES = new Set(['string', 'textarea']);

/** A multi-currency org's Lead field naming the currency its amounts (its `currency` fields) are in; a single-currency org's Lead has none. */
const CURRENCY_CODE_FIELD = 'CurrencyIsoCode';

/**
 * A multi-currency org's currencies (CurrencyType), active or not: records keep a currency made
 * inactive, and Salesforce converts their amounts at its rate too. ConversionRate: how many of the
 * currency make one of the corporate currency (whose own is 1). Leads have no dated rates
 * (advanced currency management dates those of opportunities only).
 */
const CurrencyRatePageSchema = queryPageSchema(z.looseObject({ IsoCode: z.string(), ConversionRate: z.number().positive() }));
/** The rates as a client keeps them past its worker: [ISO code, ConversionRate] pairs. */
const CurrencyRatesSchema = z.array(z.tuple([z.string(), z.number().positive()]));

/** The keys of `Remembered` a Salesforce client keeps under. */
const DESCRIBE_KEY = 'lead-describe';
const CURRENCY_RATES_KEY = 'currency-rates';

/**
 * `lead` with each of `currencyFields` it holds as a number in the corporate currency: divided by
 * the rate (`rates`, by ISO code) of the Lead's currency (`amountInCorporateCurrency`, as a record
 * page's amounts are read: `corporateCurrencyRates`), so that leads in yen and in dollars
 * compare. Without a rate for its currency, its amounts are emptied rather than mixed with the
 * others' currency. Salesforce keeps a rate for every currency a record can hold (a currency is
 * never deleted, only made inactive), so this guards against odd data, a Lead without a currency;
 * it is not reported as the leads a sync leaves out are: this lead is stored, its other fields read.
 */
export function withAmountsInCorporateCurrency<L extends Readonly<Record<string, unknown>>>(lead: L, currencyFields: readonly string[], rates: ReadonlyMap<string, number>): L {
  const converted = currencyFields.flatMap((name) => {
    const amount = lead[name];
    return typeof amount === 'number' ? [[name, amountInCorporateCurrency(amount, lead[CURRENCY_CODE_FIELD], rates)]] : [];
  });
  return converted.length === 0 ? lead : { ...lead, ...Object.fromEntries(converted) };
}

/** The characters a text field holds, when describe says (null for any other field). */
const textLength = (described: DescribedField) => (TEXT_TYPES.has(described.type) && described.length ? described.length : null);

/** The digits a number field holds before the decimal point (its Length in Setup), when describe says. */
function wholeDigits(described: DescribedField): number | undefined {
  if (described.type === 'int') return described.digits || undefined;
  return described.precision && described.scale !== undefined ? described.precision - described.scale : undefined;
}

/**
 * Why a field of a type that holds `field` is too small for it, or null when it is big enough: a
 * value that does not fit has Salesforce refuse the whole Lead (STRING_TOO_LONG,
 * NUMBER_OUTSIDE_VALID_RANGE), its other fields with it, on every write-back. Free text is cut to
 * the field's length instead (`checkWritableFields` answers it).
 */
function sizeRefusal(named: string, field: FieldToWrite, described: DescribedField): string | null {
  const length = textLength(described);
  if (length !== null) return lengthRefusal(named, field, length);
  const digits = wholeDigits(described);
  const needed = field.largest === undefined ? 0 : String(Math.trunc(Math.abs(field.largest))).length;
  if (digits === undefined || digits >= needed) return null;
  return `${named} holds ${plural(digits, 'digit', 'digits')} before the decimal point, too few for ${field.largest}: give it a length of ${needed} or more`;
}

/**
 * Why write-back may not fill the Lead field `described` with `field`, or null when it may: only
 * custom fields (never Salesforce's own, whose data it would overwrite on every Lead) the user
 * can update, of a type that holds the value (a number is sent as a JSON number, which a text
 * field refuses), big enough for it (`sizeRefusal`). Not a currency field for the score: a
 * multi-currency org's syncs read it converted (`withAmountsInCorporateCurrency`), so it would
 * never match what was written, every write-back would write it again, and an old score would
 * never be emptied (`stillWritten`).
 */
function writeRefusal(field: FieldToWrite, described: DescribedField | undefined): string | null {
  if (!described) return `Salesforce Leads have no field "${field.name}" that you can see: create it, or check its API name and field-level security`;
  const named = `"${described.name}" (${described.label ?? described.name})`;
  if (!described.custom) return `${named} is a standard Salesforce field: LeadLens writes only to custom fields, so it never overwrites your Leads' data`;
  if (!described.updateable) return `${named} is read-only for you (a formula field, or field-level security)`;
  if (field.holds === 'number' && described.type === 'currency') {
    return `${named} is a currency field, which an org with more than one currency reads back converted to its corporate currency, not as the score LeadLens wrote (every write-back would write it again): use a Number field`;
  }
  if ((field.holds === 'number' ? NUMBER_TYPES : TEXT_TYPES).has(described.type)) return sizeRefusal(named, field, described);
  if (described.type === 'picklist') return choiceListRefusal(named, 'picklist', field, (described.picklistValues ?? []).filter((entry) => entry.active).map((entry) => entry.value));
  return `${named} is a ${described.type} field, which cannot hold ${heldInWords(field)}`;
}

/** sObject Collections answer: one result per record, in the order sent. */
const CollectionResultsSchema = z.array(
  z.object({
    id: SalesforceId.nullish(),
    success: z.boolean(),
    errors: z.array(z.looseObject({ statusCode: z.string(), message: z.string() })),
  }),
);

const IdPageSchema = queryPageSchema(z.looseObject({ Id: SalesforceId }));

/** "Get Deleted": `latestDateCovered` may lag `end` while deletions are in progress, and may be absent. */
const DeletedRecordsSchema = z.object({
  deletedRecords: z.array(z.looseObject({ id: SalesforceId, deletedDate: DateTime })),
  earliestDateAvailable: DateTime.nullish(),
  latestDateCovered: DateTime.nullish(),
});
type DeletedRecordsAnswer = z.infer<typeof DeletedRecordsSchema>;
type DeletedSince = Extract<Deletions, { kind: 'deleted-since' }>;

/** Whether `error` is Salesforce refusing a request with one of `codes`. */
const refusedWith = (error: unknown, ...codes: string[]) => isCrmError(error, 'request') && error.crmCode !== undefined && codes.includes(error.crmCode);

/**
 * Whether Salesforce refused a statement as naming too much: more than one URL holds (414, or 431
 * with the headers), or more than it takes once it expands formula and currency fields
 * (QUERY_TOO_COMPLICATED; its advice: split it into smaller queries).
 */
const refusedAsTooBig = (error: unknown) => refusedWith(error, 'QUERY_TOO_COMPLICATED') || (isCrmError(error, 'request') && (error.status === 414 || error.status === 431));

/** The valid `ids` as `IN` lists of at most IDS_PER_QUERY quoted Ids. */
function inLists(ids: readonly string[]): string[] {
  const valid = ids.filter(isRecordId);
  return Array.from({ length: Math.ceil(valid.length / IDS_PER_QUERY) }, (_, i) => valid.slice(i * IDS_PER_QUERY, (i + 1) * IDS_PER_QUERY).map((id) => `'${id}'`).join(','));
}

/**
 * Each of `records` with the fields of the record of its Id in every one of `parts`, its own
 * fields kept (a page's SystemModstamp is the one its order went by). One a part lacks (deleted,
 * or shared away, between the reads) is left out; one without a readable Id is kept as it is,
 * for `readEach` to name.
 */
function mergedById<T>(records: readonly T[], parts: readonly (readonly unknown[])[]): T[] {
  const byId = parts.map((part) => new Map(part.map((record) => [showableId(record, 'Id'), record])));
  return records.flatMap((record) => {
    const id = showableId(record, 'Id');
    if (id === null) return [record];
    const found = byId.map((part) => part.get(id));
    return found.every((part) => part !== undefined) ? [Object.assign({}, ...found, record) as T] : [];
  });
}

const VersionsSchema = z.array(z.looseObject({ version: z.string().regex(/^\d+\.0$/) }));

/**
 * Resources by Version (`GET /services/data/vXX.X/`): with the REST resources, `identity`, the
 * identity URL of the user the request signs in as, `https://<host>/id/<org Id>/<user Id>`. It
 * answers a session id and an OAuth token with the `api` scope alike; the identity URL itself and
 * `/services/oauth2/userinfo` answer only tokens granted the `id` or `openid` scope.
 */
const ResourcesSchema = z.looseObject({ identity: z.string().regex(/\/id\/00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?\/005[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/, 'expected an identity URL ending /id/<org Id>/<user Id>') });
const UserSchema = z.looseObject({ Id: SalesforceId, Name: z.string(), Username: z.string() });

const ErrorBodySchema = z.array(z.looseObject({ errorCode: z.string().optional(), message: z.string().optional() })).min(1);

/**
 * Salesforce's code refusing any request (HTTP 403) while the org may make none: its API requests
 * of the last 24 hours used up (`TotalRequests Limit exceeded.`), or too many long ones running at
 * once. Told in words by the error itself, so that every job meeting it (a sync, a write-back, a
 * badge's read) says what happened and when to try again.
 */
const REQUEST_LIMIT_EXCEEDED = 'REQUEST_LIMIT_EXCEEDED';

function readErrorBody(body: unknown, what: string): CrmErrorBody {
  const parsed = ErrorBodySchema.safeParse(body);
  if (!parsed.success) return {};
  const { errorCode: code, message } = parsed.data[0];
  if (code !== REQUEST_LIMIT_EXCEEDED) return { code, message };
  const allowanceUsedUp = message?.startsWith('TotalRequests') === true;
  const why = allowanceUsedUp
    ? 'the org has used all those Salesforce allows it in 24 hours, which all its integrations share. Requests older than 24 hours stop counting, so try again in a few hours'
    : 'its daily request limit is used up, or too many requests run at once. Try again later';
  const said = [code, message].filter(Boolean).join(': ');
  return { code, message, refusal: `Salesforce takes no more API requests from your org for now: ${why} (Salesforce refused ${what}: HTTP 403 (${said}))` };
}

/**
 * `Sforce-Limit-Info: api-usage=91200/100000`, the org's API requests of the last 24 hours and its
 * allowance, which Salesforce sends with every REST answer but the list of versions; other parts
 * (`; api-bursts=1/750`) are left aside. Anything else reads as nothing said.
 */
export function salesforceApiUsage(headers: Headers): ApiUsage | null {
  const part = headers.get('sforce-limit-info')?.split(';').map((item) => item.trim()).find((item) => item.startsWith('api-usage='));
  const [, usedText, limitText] = /^api-usage=(\d+)\/(\d+)$/.exec(part ?? '') ?? [];
  const used = headerCount(usedText);
  const limit = headerCount(limitText);
  return used !== null && limit ? { used, limit } : null;
}

/** SOQL date-time literal, floored to the second (SystemModstamp has second precision). */
export function soqlDateTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Where a Get Deleted window from `since` to `end` starts: earlier when too close to the end, as what it lists twice is harmless. */
const deletedWindowStart = (since: number, end: number) => Math.min(since, end - DELETED_WINDOW_MIN_MS);

function toRecord(lead: Lead): CrmRecord {
  const { attributes: _attributes, ...fields } = lead;
  return { id: lead.Id, modifiedAt: parseCrmDateTime(lead.SystemModstamp), fields };
}

export function createSalesforceClient(options: SalesforceClientOptions): CrmClient {
  const clock = options.clock ?? realClock;
  const limiter = new RateLimiter(options.requestsPerSecond ?? 10, 1000, options.clock);
  const renew = options.renewAccessToken;
  const http = new HttpClient({
    crmLabel: 'Salesforce',
    origin: options.instanceUrl,
    authorization: async () => `Bearer ${await options.accessToken()}`,
    // The token the refused request sent: a renewal tells by it whether another renewed it meanwhile.
    renewAuthorization: renew && ((refused) => renew(refused.replace(/^Bearer /, ''))),
    limitersFor: () => [limiter],
    readErrorBody,
    readApiUsage: salesforceApiUsage,
    timeoutMs: options.timeoutMs ?? 30_000,
    retry: options.retry,
    clock: options.clock,
    fetch: options.fetch,
  });
  const base = `/services/data/v${options.apiVersion}`;
  // The last describe's synced names by lower case (reads match requested names without case), and when.
  let readableByLowerCase = new Map<string, string>();
  let describedAt = -Infinity;

  /** The user `currentUser` last answered: the credentials' own, read once while the identity URL names them. */
  let lastUser: CrmUser | undefined;

  /** The keys of `options.remembered` whose copy this client may still take up: only its first load of each. */
  const recallable = new Set([DESCRIBE_KEY, CURRENCY_RATES_KEY]);

  /**
   * Who the credentials sign in as now, as a digest of the access token (never the token): what a
   * describe lists is what its user may read (field-level security), and a "Log in as", or another
   * rep signing in to the browser's session, changes the user without a Disconnect. Null when no
   * token can be read (logged out: the load's request says so), or with nothing to keep copies in:
   * nothing is kept or taken then. Worked out once per load, before its request, for both its
   * `recall` and its `remember`.
   */
  const signedInAs = async (): Promise<string | null> => (options.remembered ? options.accessToken().then(sha256Hex).catch(() => null) : null);

  /**
   * What `options.remembered` keeps under `key`, and when it was read, for the first load of it
   * (a worker started since another read it): taken while read less than DESCRIBE_REFRESH_MS
   * ago, for this org and API version, with the same sign-in (`signedIn`, the load's `signedInAs`; a
   * renewed OAuth token only costs one more read), as `schema` reads it; else null, and it is read afresh.
   * A later load follows a failure, a value grown old or a `forget` (a describe forced afresh),
   * which the copy kept must not undo.
   */
  async function recall<T>(key: string, schema: z.ZodType<T>, signedIn: string | null): Promise<{ value: T; readAt: number } | null> {
    if (!options.remembered || !recallable.delete(key) || signedIn === null) return null;
    const kept = await options.remembered.read(key).catch(() => undefined);
    const parsed = z
      .object({ instanceUrl: z.literal(options.instanceUrl), apiVersion: z.literal(options.apiVersion), signedIn: z.literal(signedIn), readAt: z.number(), value: schema })
      .safeParse(kept);
    if (!parsed.success) return null;
    const { value, readAt } = parsed.data;
    const age = clock.now() - readAt;
    return age >= 0 && age < DESCRIBE_REFRESH_MS ? { value, readAt } : null;
  }

  /**
   * Keeps `value`, read at `readAt` by the load signed in as `signedIn`, for the next worker's
   * client (`recall`); one not kept (storage full) is only read again then.
   */
  async function remember(key: string, value: unknown, readAt: number, signedIn: string | null): Promise<void> {
    if (options.remembered && signedIn !== null) await options.remembered.write(key, { instanceUrl: options.instanceUrl, apiVersion: options.apiVersion, signedIn, readAt, value }).catch(() => undefined);
  }

  const describeOnce = loadOnce(async (signal) => {
    const signedIn = await signedInAs();
    const recalled = await recall(DESCRIBE_KEY, KeptFieldsSchema, signedIn);
    const fields = recalled?.value ?? (await http.request({ path: `${base}/sobjects/Lead/describe`, schema: DescribeSchema, what: 'describe Lead', signal })).data.fields;
    const readAt = recalled?.readAt ?? clock.now();
    const missing = requiredFieldsMissing(fields);
    if (missing.length > 0) throw new CrmError('schema', `Salesforce Lead has no field ${missing.join(', ')} (describe Lead)`);
    if (!recalled) await remember(DESCRIBE_KEY, fields, readAt, signedIn);
    const syncedFields = fields.filter((field) => !UNSYNCED_TYPES.has(field.type));
    const synced = syncedFields.map((field) => field.name);
    readableByLowerCase = new Map(synced.map((name) => [name.toLowerCase(), name]));
    describedAt = readAt;
    const calculated = syncedFields.filter((field) => field.calculated).map((field) => field.name);
    const currencyFields = synced.includes(CURRENCY_CODE_FIELD) ? syncedFields.filter((field) => field.type === 'currency').map((field) => field.name) : [];
    return { synced, calculated, currencyFields, byLowerCase: new Map(fields.map((field) => [field.name.toLowerCase(), field])) };
  });

  /**
   * Lead's fields the user can read, from describe (field-level security applies): the fields
   * synced, every field by lower-case name (API names are case-insensitive), and in a
   * multi-currency org those holding amounts in the Lead's currency. Described again after a
   * failure, or once forgotten; a new worker's client first takes the describe its predecessor
   * read, while fresh (`recall`).
   */
  const leadDescribe = {
    get: describeOnce.get,
    forget() {
      recallable.delete(DESCRIBE_KEY); // described afresh, not read back from what was kept
      describeOnce.forget();
    },
  };

  /**
   * A multi-currency org's conversion rates by ISO code, read again as often as describe may be
   * (an admin updates them), counted from when they were read, by this worker or a previous one (`recall`).
   */
  const currencyRates = loadOnce(async (signal) => {
    const signedIn = await signedInAs();
    const recalled = await recall(CURRENCY_RATES_KEY, CurrencyRatesSchema, signedIn);
    if (recalled) return { rates: new Map(recalled.value), readAt: recalled.readAt };
    const readAt = clock.now();
    const { records } = await queryAll('SELECT IsoCode, ConversionRate FROM CurrencyType', CurrencyRatePageSchema, 'read currency conversion rates', signal);
    const rates = records.map((currency): [string, number] => [currency.IsoCode, currency.ConversionRate]);
    await remember(CURRENCY_RATES_KEY, rates, readAt, signedIn);
    return { rates: new Map(rates), readAt };
  }, { ms: DESCRIBE_REFRESH_MS, clock, readAt: (loaded) => loaded.readAt });

  /**
   * `leads` with their amounts in the corporate currency (`withAmountsInCorporateCurrency`), the
   * rates read only when they hold an amount to convert: a single-currency org's as read.
   */
  async function inCorporateCurrency<L extends Readonly<Record<string, unknown>>>(leads: readonly L[], signal?: AbortSignal): Promise<L[]> {
    const { currencyFields } = await leadDescribe.get(signal);
    const held = currencyFields.filter((name) => leads.some((lead) => name in lead));
    if (held.length === 0) return [...leads];
    const { rates } = await currencyRates.get(signal);
    return leads.map((lead) => withAmountsInCorporateCurrency(lead, held, rates));
  }

  /** Every Lead field the user can read that a sync reads. */
  async function allFields(signal?: AbortSignal): Promise<string[]> {
    return (await leadDescribe.get(signal)).synced;
  }

  /**
   * The fields a read names: every readable one, or those of `requested` among them, with
   * REQUIRED_FIELDS. Salesforce refuses a whole request naming a field the user cannot read
   * (INVALID_FIELD), and a model may name one: trained on another org, or hidden by field-level
   * security. Those are left out, so they read as missing. Named as describe spells them (API
   * names are case-insensitive), with the Lead's currency when one holds an amount in it.
   */
  async function readableFields(requested: readonly string[] | undefined, signal?: AbortSignal): Promise<string[]> {
    let readable = await allFields(signal);
    // A field created or made readable since describe was read (a client lives as long as its
    // worker, and syncs share it): describe again, at most every DESCRIBE_REFRESH_MS, for a read
    // of every field (a sync) or one naming a field describe did not list.
    const mayHaveMissed = !requested || requested.some((name) => !readableByLowerCase.has(name.toLowerCase()));
    if (mayHaveMissed && clock.now() - describedAt >= DESCRIBE_REFRESH_MS) {
      leadDescribe.forget();
      readable = await allFields(signal);
    }
    if (!requested) return readable;
    const names = requested.flatMap((name) => readableByLowerCase.get(name.toLowerCase()) ?? []);
    const { currencyFields } = await leadDescribe.get(signal);
    const currency = names.some((name) => currencyFields.includes(name)) ? [CURRENCY_CODE_FIELD] : [];
    return [...new Set([...REQUIRED_FIELDS, ...names, ...currency])];
  }

  /** One page of a query, with Salesforce's clock when it answered (`date`). */
  function queryPage<R extends z.ZodType>(path: string, schema: QueryPage<R>, what: string, signal?: AbortSignal): Promise<CrmResponse<z.infer<QueryPage<R>>>> {
    return http.request({
      path,
      headers: { 'Sforce-Query-Options': `batchSize=${BATCH_SIZE}` },
      schema,
      what,
      signal,
    });
  }

  /**
   * Sends a request naming the Lead fields of `requested` that the user can read (every one when
   * undefined; see `readableFields`). Salesforce refuses a whole request naming a field deleted
   * or hidden by field-level security since describe was read (400 INVALID_FIELD): describe is
   * read again, and the request sent once more without it.
   */
  async function namingFields<T>(requested: readonly string[] | undefined, signal: AbortSignal | undefined, send: (names: readonly string[]) => Promise<T>): Promise<T> {
    try {
      return await send(await readableFields(requested, signal));
    } catch (error) {
      if (!isCrmError(error, 'request') || error.status !== 400 || error.crmCode !== 'INVALID_FIELD') throw error;
      leadDescribe.forget();
      return send(await readableFields(requested, signal));
    }
  }

  // At most this many fields beside REQUIRED_FIELDS per statement: lowered each time Salesforce
  // refuses one as too big (`fewerFieldsAfter`), for the client's life, as an org's fields stay
  // as complicated.
  let fieldsPerStatement = Infinity;

  /**
   * The Lead fields `names` in groups, each REQUIRED_FIELDS (to merge them by Id) and as many others
   * as keep `urlFor(group joined by commas)` within MAX_URL_BYTES, at most `fieldsPerStatement`:
   * one group when one statement names them all.
   */
  function fieldGroups(names: readonly string[], urlFor: (fieldList: string) => string): string[][] {
    const required: readonly string[] = REQUIRED_FIELDS;
    // As fetch sends it: it escapes the quotes of an Id list too.
    const sent = new URL(urlFor(required.join(',')), options.instanceUrl);
    const room = MAX_URL_BYTES - (sent.pathname.length + sent.search.length);
    const groups: string[][] = [];
    let group: string[] = [];
    let bytes = 0;
    for (const name of names) {
      if (required.includes(name)) continue;
      const bytesOfName = encodeURIComponent(`,${name}`).length;
      if (group.length > 0 && (bytes + bytesOfName > room || group.length >= fieldsPerStatement)) {
        groups.push(group);
        group = [];
        bytes = 0;
      }
      group.push(name);
      bytes += bytesOfName;
    }
    groups.push(group);
    return groups.map((others) => [...required, ...others]);
  }

  /**
   * After Salesforce refused a statement naming the fields `group`: rethrows anything but a refusal
   * as too big (`refusedAsTooBig`), and one of a statement that cannot be split (one field beside
   * REQUIRED_FIELDS); otherwise no statement names more than half as many from now on.
   */
  function fewerFieldsAfter(error: unknown, group: readonly string[]): void {
    const others = group.length - REQUIRED_FIELDS.length;
    if (!refusedAsTooBig(error) || others < 2) throw error;
    fieldsPerStatement = Math.min(fieldsPerStatement, Math.ceil(others / 2));
  }

  /**
   * `inOne(fieldList)` naming every field of `names`, when one statement holds them (`fieldGroups`)
   * and Salesforce takes it; else `inGroups()`.
   */
  async function inOneStatementOr<T>(names: readonly string[], urlFor: (fieldList: string) => string, inOne: (fieldList: string) => Promise<T>, inGroups: () => Promise<T>): Promise<T> {
    const groups = fieldGroups(names, urlFor);
    if (groups.length === 1) {
      try {
        return await inOne(groups[0].join(','));
      } catch (error) {
        fewerFieldsAfter(error, groups[0]);
      }
    }
    return inGroups();
  }

  const query = (soql: string) => `${base}/query?q=${encodeURIComponent(soql)}`;

  /** The page of a query `pageToken` (a `nextRecordsUrl`) locates; one Salesforce no longer knows is an expired cursor. */
  async function pageAt<R extends z.ZodType>(pageToken: string, schema: QueryPage<R>, what: string, signal?: AbortSignal): Promise<z.infer<QueryPage<R>>> {
    if (!NextRecordsUrl.safeParse(pageToken).success) throw new CrmError('cursor-expired', 'Not a Salesforce query locator');
    try {
      return (await queryPage(pageToken, schema, what, signal)).data;
    } catch (error) {
      // Locators expire after 15 minutes idle, and only a few stay open per user.
      if (isCrmError(error, 'request') && (error.crmCode === 'INVALID_QUERY_LOCATOR' || error.status === 404)) {
        throw new CrmError('cursor-expired', 'Salesforce no longer knows this query locator', error.status, error.crmCode);
      }
      throw error;
    }
  }

  /** Every record of one query, followed through its `nextRecordsUrl`s, and how many its first page counted. */
  async function queryAll<R extends z.ZodType>(soql: string, schema: QueryPage<R>, what: string, signal?: AbortSignal): Promise<{ records: z.infer<R>[]; totalSize: number }> {
    let { data: page } = await queryPage(query(soql), schema, what, signal);
    const { totalSize } = page;
    const records: z.infer<R>[] = [...page.records];
    const cursors = new PageCursors('Salesforce', what);
    while (page.nextRecordsUrl) {
      const requested = page.nextRecordsUrl;
      ({ data: page } = await queryPage(requested, schema, what, signal));
      records.push(...page.records);
      cursors.refuseRepeat(requested, page.nextRecordsUrl);
    }
    return { records, totalSize };
  }

  /** Every record of `soqlFor(inList)` for valid Ids, `IN` lists of at most IDS_PER_QUERY Ids. */
  async function queryByIds<R extends z.ZodType>(ids: readonly string[], soqlFor: (inList: string) => string, schema: QueryPage<R>, what: string, signal?: AbortSignal): Promise<z.infer<R>[]> {
    const records: z.infer<R>[] = [];
    for (const inList of inLists(ids)) records.push(...(await queryAll(soqlFor(inList), schema, what, signal)).records);
    return records;
  }

  /**
   * The Lead fields `names` of the Leads `ids`, by queries each naming a group of them
   * (`fieldGroups`), merged by Id. A group Salesforce refuses as too big is split (`fewerFieldsAfter`).
   */
  async function readByIds<R extends z.ZodType>(ids: readonly string[], names: readonly string[], schema: QueryPage<R>, what: string, signal?: AbortSignal): Promise<z.infer<R>[]> {
    const lists = inLists(ids);
    if (lists.length === 0) return [];
    const soqlFor = (fieldList: string, inList: string) => `SELECT ${fieldList} FROM Lead WHERE Id IN (${inList})`;
    const longest = lists.reduce((a, b) => (b.length > a.length ? b : a));
    const urlFor = (fieldList: string) => query(soqlFor(fieldList, longest));
    const parts: z.infer<R>[][] = [];
    let groups = fieldGroups(names, urlFor);
    while (groups.length > 0) {
      const [group, ...rest] = groups;
      try {
        parts.push(await queryByIds(ids, (inList) => soqlFor(group.join(','), inList), schema, what, signal));
        groups = rest;
      } catch (error) {
        fewerFieldsAfter(error, group);
        groups = fieldGroups(groups.flat(), urlFor);
      }
    }
    return mergedById(parts[0], parts.slice(1));
  }

  /**
   * `records` (one page of a query) with the fields of `names` they lack read by Id: those of a
   * query naming REQUIRED_FIELDS alone (`leadPage`), or a field describe listed since it ran. A
   * Lead those reads do not answer, deleted or shared away since the page, is left out, as the
   * page read a moment later would leave it out.
   */
  async function withFieldsRead<R extends z.ZodType>(records: readonly z.infer<R>[], names: readonly string[], schema: QueryPage<R>, what: string, signal?: AbortSignal): Promise<z.infer<R>[]> {
    const required: readonly string[] = REQUIRED_FIELDS;
    const lacking = names.filter((name) => !required.includes(name) && records.some((record) => typeof record === 'object' && record !== null && !(name in record)));
    if (lacking.length === 0) return [...records];
    const ids = records.flatMap((record) => showableId(record, 'Id') ?? []);
    return mergedById(records, [await readByIds(ids, lacking, schema, what, signal)]);
  }

  /**
   * One page of Leads with the fields of `requested` the user can read (every one when undefined):
   * the page of a query `pageToken` locates, or the first of `soqlFor(fieldList)`. A statement that
   * cannot name them all (`inOneStatementOr`) names REQUIRED_FIELDS alone, and each page's other
   * fields are read by Id (`withFieldsRead`). `date`: Salesforce's clock when a first page was answered.
   */
  async function leadPage<R extends z.ZodType>(requested: readonly string[] | undefined, pageToken: string | null, soqlFor: (fieldList: string) => string, schema: QueryPage<R>, what: string, signal?: AbortSignal): Promise<{ page: z.infer<QueryPage<R>>; records: z.infer<R>[]; date?: number }> {
    return namingFields(requested, signal, async (names) => {
      const firstPage = (fieldList: string) => queryPage(query(soqlFor(fieldList)), schema, what, signal);
      const { data: page, date } = pageToken !== null
        ? { data: await pageAt(pageToken, schema, what, signal), date: undefined }
        : await inOneStatementOr(names, (fieldList) => query(soqlFor(fieldList)), firstPage, () => firstPage(REQUIRED_FIELDS.join(',')));
      return { page, records: await withFieldsRead(page.records, names, schema, what, signal), date };
    });
  }

  /**
   * Every Lead's Id the user can see: what is left to compare with when Salesforce cannot list the
   * deletions, or has left some out (a Lead shared away from the user, deleted or not). A list of
   * fewer different Ids than the query counted is refused (`ListShortOfCountError`): each stored
   * Lead left off it would be removed, and no later sync brings it back.
   */
  async function everyLeadId(signal?: AbortSignal): Promise<Extract<Deletions, { kind: 'all-present' }>> {
    // Read before the list, by the browser's clock, which may run fast: a day less keeps the
    // deletions made after the list in the next read of them.
    const coveredTo = clock.now() - CLOCK_ALLOWANCE_MS;
    const { records, totalSize } = await queryAll('SELECT Id FROM Lead', IdPageSchema, 'list Lead Ids', signal);
    const ids = records.map((lead) => lead.Id);
    // Counted without repeats, which could stand in for Ids left off. A list longer than the count
    // is taken: an Id too many removes no stored lead (at worst it keeps one to the next comparison).
    const listed = new Set(ids).size;
    if (listed < totalSize) {
      throw new ListShortOfCountError(
        listed,
        totalSize,
        `Salesforce listed ${listed.toLocaleString('en-US')} Leads of the ${totalSize.toLocaleString('en-US')} it counted: LeadLens removed no lead missing from that list`,
      );
    }
    return { kind: 'all-present', ids, coveredTo };
  }

  /** Get Deleted: the Leads deleted from `start` to `end` (epoch ms), as Salesforce answers. */
  async function getDeleted(start: number, end: number, signal?: AbortSignal): Promise<DeletedRecordsAnswer> {
    const range = new URLSearchParams({ start: soqlDateTime(start), end: soqlDateTime(end) });
    return (await http.request({ path: `${base}/sobjects/Lead/deleted/?${range}`, schema: DeletedRecordsSchema, what: 'list deleted Leads', signal })).data;
  }

  /** Get Deleted's answer to a window ending at `end`, asked for when the browser's clock said `askedAt`. */
  function deletedSince(answer: DeletedRecordsAnswer, end: number, askedAt: number): DeletedSince {
    return {
      kind: 'deleted-since',
      records: answer.deletedRecords.map((record) => ({ id: record.id, deletedAt: parseCrmDateTime(record.deletedDate) })),
      // Salesforce's clock when it says; else the browser's, which may run fast: the end asked, at most a day before it.
      coveredTo: answer.latestDateCovered ? parseCrmDateTime(answer.latestDateCovered) : Math.min(end, askedAt - CLOCK_ALLOWANCE_MS),
    };
  }

  /**
   * Get Deleted from `start` to now (`askedAt`), over a window halved until Salesforce lists it
   * (it refuses more than 600,000 Ids at once: EXCEEDED_ID_LIMIT). A window cut short covers only
   * to its end, so the next read goes on from there.
   */
  async function deletedFrom(start: number, askedAt: number, signal?: AbortSignal): Promise<DeletedSince> {
    for (let end = askedAt; ; end = start + Math.floor((end - start) / 2)) {
      try {
        return deletedSince(await getDeleted(start, end, signal), end, askedAt);
      } catch (error) {
        if (!refusedWith(error, 'EXCEEDED_ID_LIMIT') || end - start < 2 * DELETED_WINDOW_MIN_MS) throw error;
      }
    }
  }

  /**
   * The deletions Get Deleted still lists since `since`, or as far back as Salesforce keeps them
   * (about 15 days): never every Lead, as this is what a sync removes while a list of every Lead
   * is refused. A list that starts after `since` misses the deletions Salesforce has purged.
   */
  async function keptDeletions(since: number, signal?: AbortSignal): Promise<DeletedSince> {
    const askedAt = clock.now();
    // Salesforce refuses a start further back than 30 days without looking; an answer whose
    // `earliestDateAvailable` is after the start lists what it keeps all the same.
    const start = Math.max(deletedWindowStart(since, askedAt), askedAt - DELETED_WINDOW_MAX_MS);
    try {
      return await deletedFrom(start, askedAt, signal);
    } catch (error) {
      if (!refusedWith(error, 'INVALID_REPLICATION_DATE')) throw error;
    }
    // Purged since `start`: the last minutes, which Salesforce keeps, say from when it keeps them
    // (to the minute after, as it takes a start to the minute). Without that, they are all it lists.
    const recent = await getDeleted(deletedWindowStart(askedAt, askedAt), askedAt, signal);
    if (!recent.earliestDateAvailable) return deletedSince(recent, askedAt, askedAt);
    const kept = Math.ceil(parseCrmDateTime(recent.earliestDateAvailable) / MINUTE_MS) * MINUTE_MS;
    return deletedFrom(deletedWindowStart(kept, askedAt), askedAt, signal);
  }

  return {
    crm: 'salesforce',
    maxBatch: UPDATE_BATCH_SIZE,
    apiUsage: () => http.apiUsage(),

    async readRecord(id, { fields, signal }: ReadOptions = {}) {
      if (!isRecordId(id)) throw new CrmError('request', 'Not a Salesforce record Id');
      const path = (fieldList: string) => `${base}/sobjects/Lead/${id}?fields=${fieldList}`;
      const lead = await namingFields(fields, signal, (names) =>
        inOneStatementOr(
          names,
          path,
          async (fieldList) => {
            try {
              return (await http.request({ path: path(fieldList), schema: LeadSchema, what: 'read Lead', signal })).data;
            } catch (error) {
              if (isCrmError(error, 'request') && error.status === 404) return null;
              throw error;
            }
          },
          async () => (await readByIds([id], names, LeadPageSchema, 'read Lead', signal))[0] ?? null,
        ),
      );
      return lead && toRecord((await inCorporateCurrency([lead], signal))[0]);
    },

    async batchRead(ids, { fields, signal }: ReadOptions = {}) {
      const leads = await namingFields(fields, signal, (names) => readByIds(ids, names, LeadPageSchema, 'batch read Leads', signal));
      return (await inCorporateCurrency(leads, signal)).map(toRecord);
    },

    async listChanged(since, pageToken, signal): Promise<ChangedPage> {
      const where = since === null ? '' : ` WHERE SystemModstamp >= ${soqlDateTime(since)}`;
      const { page, records: read, date: queriedAt } = await leadPage(undefined, pageToken, (fieldList) => `SELECT ${fieldList} FROM Lead${where} ORDER BY SystemModstamp ASC, Id ASC`, ChangedLeadPageSchema, 'query changed Leads', signal);
      const next = page.done ? null : (page.nextRecordsUrl ?? null);
      // A locator ends in `-<offset>`: what is left is the total minus that offset.
      const offset = next === null ? page.totalSize : Number(/-(\d+)$/.exec(next)?.[1] ?? Number.NaN);
      const { records, skipped } = readEach(read, LeadSchema, 'Id', 'Salesforce answered query changed Leads');
      return { records: (await inCorporateCurrency(records, signal)).map(toRecord), skipped, next, remaining: Number.isFinite(offset) ? Math.max(0, page.totalSize - offset) : null, ...(queriedAt !== undefined && { queriedAt }) };
    },

    syncedFields: (signal) => readableFields(undefined, signal),

    // Converted whenever a synced field holds an amount in the Lead's currency (`inCorporateCurrency`).
    amountsInCorporateCurrency: async (signal) => (await leadDescribe.get(signal)).currencyFields.length > 0,

    // The rates `inCorporateCurrency` converts at, kept and read again alike (`currencyRates`); a single-currency org has none to read.
    corporateCurrencyRates: async (signal) => ((await leadDescribe.get(signal)).currencyFields.length > 0 ? (await currencyRates.get(signal)).rates : null),

    async listDeleted(since, signal) {
      const end = clock.now();
      const start = deletedWindowStart(since, end);
      if (end - start > DELETED_WINDOW_MAX_MS) return everyLeadId(signal);
      let data: DeletedRecordsAnswer;
      try {
        data = await getDeleted(start, end, signal);
      } catch (error) {
        // Deletions since `start` purged already (INVALID_REPLICATION_DATE), or more than the 600,000 it lists at once.
        if (refusedWith(error, 'INVALID_REPLICATION_DATE', 'EXCEEDED_ID_LIMIT')) return everyLeadId(signal);
        throw error;
      }
      // A list that does not reach back to `start` would miss deletions silently.
      if (data.earliestDateAvailable && parseCrmDateTime(data.earliestDateAvailable) > start) return everyLeadId(signal);
      return deletedSince(data, end, end);
    },

    // Get Deleted lists only the deletions of Leads the user can still access: one shared away
    // (reassigned to another territory's rep), or deleted after that, is gone only from this list.
    listPresent: everyLeadId,

    listKeptDeletions: keptDeletions,

    // Formula fields change without SystemModstamp (`TODAY() - CreatedDate`, a field of the Lead's owner).
    async listCalculated(pageToken, signal): Promise<CalculatedPage | null> {
      const { calculated } = await leadDescribe.get(signal);
      if (pageToken === null && calculated.length === 0) return null;
      const { page, records: read } = await leadPage(calculated, pageToken, (fieldList) => `SELECT ${fieldList} FROM Lead`, LeadPageSchema, 'read formula fields of Leads', signal);
      // The Lead's currency, read to convert its formula amounts, is no formula field.
      const records = (await inCorporateCurrency(read, signal)).map(({ attributes: _attributes, Id, SystemModstamp: _modified, [CURRENCY_CODE_FIELD]: _currency, ...fields }) => ({ id: Id, fields }));
      return { records, next: page.done ? null : (page.nextRecordsUrl ?? null) };
    },

    async updateRecords(updates, signal) {
      if (updates.length > UPDATE_BATCH_SIZE) throw new CrmError('request', `At most ${UPDATE_BATCH_SIZE} Salesforce records per update`);
      for (const update of updates) {
        if (!isRecordId(update.recordId)) throw new CrmError('request', 'Not a Salesforce record Id');
        const invalid = Object.keys(update.fields).find((name) => !/^\w+$/.test(name));
        if (invalid !== undefined) throw new CrmError('request', `Not a Salesforce field API name: "${invalid}"`);
      }
      const { data } = await http.request({
        method: 'PATCH',
        path: `${base}/composite/sobjects`,
        // Without it Salesforce runs the org's Lead assignment rule on every Lead written, taking it from its rep.
        headers: { 'Sforce-Auto-Assign': 'FALSE' },
        // allOrNone false: one bad record does not roll the batch back.
        body: { allOrNone: false, records: updates.map((update) => ({ attributes: { type: 'Lead' }, id: update.recordId, ...update.fields })) },
        schema: CollectionResultsSchema,
        what: 'update Leads',
        signal,
      });
      if (data.length !== updates.length) throw new CrmError('schema', `Salesforce answered ${data.length} results for ${updates.length} updated Leads`);
      return data.flatMap((result, index): RecordUpdateFailure[] =>
        result.success ? [] : [{ recordId: updates[index].recordId, error: result.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ') || 'not updated' }],
      );
    },

    async checkWritableFields(fields, signal) {
      leadDescribe.forget(); // described afresh: a field created, or made writable, a moment ago counts
      const { byLowerCase } = await leadDescribe.get(signal);
      const described = fields.map((field) => byLowerCase.get(field.name.toLowerCase()));
      refuseUnwritableFields(fields.map((field, i) => writeRefusal(field, described[i])));
      return described.map((field, i) => ({ name: field?.name ?? fields[i].name, maxLength: field ? textLength(field) : null }));
    },

    // Queues are named too (one more query, only when a queue owns a Lead): the Owner filter should not list bare 00G Ids.
    async ownerNames(ids, signal) {
      const named = (object: 'User' | 'Group', owners: readonly string[]) =>
        queryByIds(owners, (inList) => `SELECT Id, Name FROM ${object} WHERE Id IN (${inList})`, NamedRecordPageSchema, `read ${object} names`, signal);
      const records = [...(await named('User', ids.filter((id) => !isQueueId(id)))), ...(await named('Group', ids.filter(isQueueId)))];
      // Keyed by the 18-character Ids Salesforce answers with, the form owner fields hold.
      return new Map(records.map((record) => [record.Id, record.Name]));
    },

    async currentUser(signal) {
      const { data: resources } = await http.request({ path: `${base}/`, schema: ResourcesSchema, what: 'list REST resources', signal });
      const id = resources.identity.slice(resources.identity.lastIndexOf('/') + 1);
      // The same user as this client's last answer (a sync asks as it starts and again before it removes leads): not read
      // again. Compared by the 15 characters an Id is unique by: the identity URL may name it by 15, the record answers 18.
      if (lastUser && lastUser.id.slice(0, 15) === id.slice(0, 15)) return lastUser;
      // Anyone may read their own User record, answered with its 18-character Id; a record read keeps no query cursor open.
      const { data: user } = await http.request({ path: `${base}/sobjects/User/${id}?fields=Id,Name,Username`, schema: UserSchema, what: 'read the signed-in User', signal });
      lastUser = { id: user.Id, name: user.Name, username: user.Username };
      return lastUser;
    },

    async checkAccess(signal) {
      const { data: versions } = await http.request({ path: '/services/data/', schema: VersionsSchema, what: 'list API versions', signal });
      if (!versions.some((v) => v.version === options.apiVersion)) {
        const offered = versions.map((v) => v.version);
        throw new CrmError('request', `API version ${options.apiVersion} is not available on ${new URL(options.instanceUrl).host}; it offers ${offered[0]}–${offered.at(-1)}`);
      }
      leadDescribe.forget();
      await leadDescribe.get(signal);
      // A My Domain host names one org (a sandbox has its own): no request needed to tell them apart.
      const host = new URL(options.instanceUrl).host;
      return { id: host, name: host };
    },

    // From the describe reads share. Fields are matched without case (API names are
    // case-insensitive) and answered under the name asked. Inactive values are kept: Leads set
    // before a value was deactivated still hold it.
    async optionLabels(fields, { signal } = {}) {
      const { byLowerCase } = await leadDescribe.get(signal);
      return labelsUnlikeValues(fields, (name) => {
        const described = byLowerCase.get(name.toLowerCase());
        // A multi-select picklist's value is several, which a page shows as their labels joined: no one label reads back.
        return described?.type === 'picklist' ? described.picklistValues : undefined;
      });
    },
  };
}
