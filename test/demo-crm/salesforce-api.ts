/**
 * Salesforce REST (`*.my.salesforce.com`), the calls LeadLens makes:
 *   GET /services/data/                               versions (no auth, as on Salesforce)
 *   GET /services/data/vNN.0/                         resources by version, with the `identity` URL of the
 *                                                     session's user (`demoSessionIdAs`; the admin by default)
 *   GET /services/data/vNN.0/sobjects/Lead/{Id}[?fields=A,B]
 *   GET /services/data/vNN.0/sobjects/Lead/describe
 *   GET /services/data/vNN.0/sobjects/User/{Id}[?fields=A,B]
 *   GET /services/data/vNN.0/query?q=SOQL             (and queryAll) → {totalSize, done, records, nextRecordsUrl}
 *                                                     on Lead, User (the admin and the demo owners) and Group (one queue),
 *                                                     and CurrencyType in a multi-currency org
 *   GET /services/data/vNN.0/query/{locator}-{offset}  the next batch
 *   PATCH /services/data/vNN.0/composite/sobjects     update up to 200 records (sObject Collections)
 *   GET /services/data/vNN.0/sobjects/Lead/deleted/?start=ISO&end=ISO
 *                                                     the Leads deleted in that range, with Salesforce's limits
 *                                                     (see `deletedLeads`)
 * Errors are Salesforce's: an array of `{message, errorCode}`. A request whose URI and headers
 * pass 16,384 bytes is refused before anything else, as Salesforce does: 414, or 431. A PATCH
 * whose body is not sent as `application/json` is refused with 415. A statement naming more than
 * Salesforce takes once it expands formula and currency fields is refused with 400
 * QUERY_TOO_COMPLICATED (`DemoSalesforceOptions`, where a test also gives Lead hundreds of fields,
 * or makes the org multi-currency).
 */
import { parseCrmDateTime } from '../../lib/crm/client';
import { DEMO_OWNERS, salesforceDateTime, type DemoLead, type SalesforceLead } from '../../lib/crm/demo-data';
import { salesforceId18 } from '../../lib/crm/salesforce';
import { z } from 'zod';
import { SALESFORCE_CUSTOM_FIELDS, SALESFORCE_LEAD_FIELDS, TEXT_FIELD_MAX_LENGTH, salesforceField, type CustomField, type SalesforceField } from './fields';
import { bearerToken, bodyNotDeclaredJson, hasBearerToken, json, parseJsonBody, text, type DemoHandler, type DemoRequest, type DemoResponse } from './http';
import { parseSoql, runSoql, SoqlError, type SoqlField, type SoqlObject, type SoqlRow } from './soql';
import type { DemoStore } from './store';

export const LATEST_API_VERSION = 67;
const OLDEST_API_VERSION = 31;
const DEFAULT_BATCH_SIZE = 2000;
const MIN_BATCH_SIZE = 200;
/** Salesforce lets a user keep only a few query cursors open; the oldest are dropped. */
const MAX_OPEN_CURSORS = 50;
/** sObject Collections take at most 200 records per call. */
const MAX_COLLECTION_RECORDS = 200;
/** Salesforce's limit on a request's URI and headers together. */
const MAX_URI_AND_HEADERS_BYTES = 16_384;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3_600_000;
/** How far back "Get Deleted" may start, and how long the delete log keeps a deletion. */
const DELETED_WINDOW_DAYS = 30;
const DELETE_LOG_DAYS = 15;
/** Deleted Ids "Get Deleted" returns at most. */
const MAX_DELETED_IDS = 600_000;

const RELEASES = ['Winter', 'Spring', 'Summer'] as const;

/** A Lead queue: owners are Users or queues, and queues are Groups of type Queue. No demo lead is in it. */
export const DEMO_LEAD_QUEUE = { Id: salesforceId18('00G5g00000Q1bCd'), Name: 'Inbound Leads Queue', Type: 'Queue' } as const;

/** The demo org's Id, as the OAuth token response's identity URL names it (salesforce-oauth.ts). */
const DEMO_ORG_ID = '00D5g000004DemoEAA';
/** How a session id `demoSessionIdAs` made starts (`<org id>!<token>`, as the login's and OAuth's): the user's Id follows. */
const SESSION_AS_USER = '00D5g000004Demo!AS';

/** A User of the demo org, with the fields LeadLens reads. */
export interface DemoSalesforceUser {
  Id: string;
  Name: string;
  Username: string;
}

const DEMO_USERNAME_DOMAIN = 'northbeam-analytics.example';
/** Who connects LeadLens to the demo org (the OAuth token response's identity URL names them too): every session is theirs unless `demoSessionIdAs` made it. */
export const DEMO_SALESFORCE_ADMIN: DemoSalesforceUser = { Id: '0055g00000DemoUAAA', Name: 'Avery Lindqvist', Username: `avery.lindqvist@${DEMO_USERNAME_DOMAIN}` };
/** The demo org's Users: its admin, then the Lead owners (reps), with usernames made of their names. */
export const DEMO_SALESFORCE_USERS: readonly DemoSalesforceUser[] = [
  DEMO_SALESFORCE_ADMIN,
  ...DEMO_OWNERS.map((owner) => ({
    Id: owner.salesforceId,
    Name: owner.name,
    Username: `${owner.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, '.')}@${DEMO_USERNAME_DOMAIN}`,
  })),
];

/**
 * A session id of the demo org signed in as `user`, as "Log in as" gives an admin a session of
 * the rep's: the API answers it as that user (the `identity` URL). For tests.
 */
export const demoSessionIdAs = (user: DemoSalesforceUser): string => `${SESSION_AS_USER}${user.Id}`;

/** The User a request's session signs in as: the one `demoSessionIdAs` named, else the admin. */
function signedInUser(request: DemoRequest): DemoSalesforceUser {
  const token = bearerToken(request) ?? '';
  const id = token.startsWith(SESSION_AS_USER) ? token.slice(SESSION_AS_USER.length) : null;
  return DEMO_SALESFORCE_USERS.find((user) => user.Id === id) ?? DEMO_SALESFORCE_ADMIN;
}

const USER_OBJECT: SoqlObject = {
  name: 'User',
  fields: [{ name: 'Id', type: 'id' }, { name: 'Name', type: 'string' }, { name: 'Username', type: 'string' }, { name: 'IsActive', type: 'boolean' }],
  rows: () => DEMO_SALESFORCE_USERS.map((user) => ({ ...user, IsActive: true })),
};
const GROUP_OBJECT: SoqlObject = {
  name: 'Group',
  fields: [{ name: 'Id', type: 'id' }, { name: 'Name', type: 'string' }, { name: 'Type', type: 'picklist' }],
  rows: () => [DEMO_LEAD_QUEUE],
};

/**
 * A custom Lead field beyond LeadLens's own, as managed packages (Marketo, Pardot, ZoomInfo) add
 * them by the hundred: describe lists it (read-only), and every Lead holds `extraFieldValue(lead,
 * field)`. `formulaLength`: a formula field's, the characters its formula adds to a statement
 * naming it once Salesforce expands it.
 */
export interface DemoExtraLeadField extends SoqlField {
  type: 'double' | 'currency' | 'string';
  formulaLength?: number;
}

/** A currency of a multi-currency org, as its CurrencyType record holds it: `ConversionRate` of it make one of the corporate currency. */
export interface DemoCurrency {
  IsoCode: string;
  ConversionRate: number;
  IsCorporate: boolean;
  IsActive: boolean;
}

/**
 * A multi-currency org: Lead has the field CurrencyIsoCode, `leadCurrency(lead)` for each Lead, in
 * which its amounts are (the demo's numbers as they are), and CurrencyType lists `currencies`.
 */
export interface DemoMultiCurrency {
  currencies: readonly DemoCurrency[];
  leadCurrency(lead: DemoLead): string;
}

/** How the demo org differs from its defaults: read at each request, so a test changes it while the org serves. */
export interface DemoSalesforceOptions {
  extraLeadFields: readonly DemoExtraLeadField[];
  /** Null (the default): a single-currency org, whose Lead has no CurrencyIsoCode and which has no CurrencyType. */
  multiCurrency: DemoMultiCurrency | null;
  /**
   * The longest a SOQL statement (or the statement an sObject read with `fields` runs) may grow
   * once Salesforce expands it before it is refused as QUERY_TOO_COMPLICATED: each currency field
   * named twice (its format method), each formula field by its formula. By default Salesforce's
   * limit on a statement, 100,000 characters.
   */
  maxExpandedSoqlLength: number;
}

export const defaultSalesforceOptions = (): DemoSalesforceOptions => ({ extraLeadFields: [], multiCurrency: null, maxExpandedSoqlLength: 100_000 });

/** A multi-currency org's Lead field holding the Lead's currency (a picklist of the org's currencies). */
const CURRENCY_CODE_FIELD: SoqlField = { name: 'CurrencyIsoCode', type: 'picklist' };

/** CurrencyType, queryable in a multi-currency org only (elsewhere INVALID_TYPE, as on Salesforce). */
const currencyTypeObject = ({ currencies }: DemoMultiCurrency): SoqlObject => ({
  name: 'CurrencyType',
  fields: [{ name: 'IsoCode', type: 'picklist' }, { name: 'ConversionRate', type: 'double' }, { name: 'IsCorporate', type: 'boolean' }, { name: 'IsActive', type: 'boolean' }],
  rows: () => currencies.map((currency) => ({ ...currency })),
});

/** What `lead` holds in the extra field `field`: a number, or text, made of both, the same at every read. */
export function extraFieldValue(lead: DemoLead, field: DemoExtraLeadField): string | number {
  const key = `${lead.salesforceId}.${field.name}`;
  let hash = 2_166_136_261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16_777_619);
  hash >>>= 0;
  return field.type === 'string' ? `v${hash.toString(36)}` : (hash % 10_000_000) / 100;
}

/** A statement's length once Salesforce expands it (`DemoSalesforceOptions.maxExpandedSoqlLength`). */
function expandedLength(statement: string, fields: readonly (SoqlField | DemoExtraLeadField)[]): number {
  return fields.reduce((length, field) => length + (field.type === 'currency' ? field.name.length : 0) + ('formulaLength' in field ? (field.formulaLength ?? 0) : 0), statement.length);
}

const error = (status: number, errorCode: string, message: string): DemoResponse => json(status, [{ message, errorCode }]);
const tooComplicated = (): DemoResponse => error(400, 'QUERY_TOO_COMPLICATED', 'Query is either selecting too many fields or the filter conditions are too complicated.');
const notFound = (): DemoResponse => error(404, 'NOT_FOUND', 'The requested resource does not exist');

interface Cursor {
  version: string;
  records: object[];
}

/** `now()`: the org's clock, which "Get Deleted" measures its limits by. */
export function salesforceApi(store: DemoStore, now: () => number, options: DemoSalesforceOptions = defaultSalesforceOptions()): DemoHandler {
  // Lead's fields and each Lead's extra values, made again when the extra fields or the currencies change.
  const extraOf = (fields: readonly DemoExtraLeadField[], multiCurrency: DemoMultiCurrency | null) => ({ fields, multiCurrency, leadFields: leadFieldsWith(fields, multiCurrency !== null), values: new WeakMap<DemoLead, SoqlRow>() });
  let extra = extraOf(options.extraLeadFields, options.multiCurrency);
  const extraNow = () =>
    extra.fields === options.extraLeadFields && extra.multiCurrency === options.multiCurrency ? extra : (extra = extraOf(options.extraLeadFields, options.multiCurrency));
  /** The Lead's currency in a multi-currency org (none in a single-currency one). */
  const currencyOf = (lead: DemoLead): SoqlRow => (options.multiCurrency ? { [CURRENCY_CODE_FIELD.name]: options.multiCurrency.leadCurrency(lead) } : {});
  function extraValues(lead: DemoLead): SoqlRow {
    const { fields, values } = extraNow();
    const made = values.get(lead) ?? Object.fromEntries(fields.map((field) => [field.name, extraFieldValue(lead, field)]));
    values.set(lead, made);
    return made;
  }
  const leadObject: SoqlObject = {
    name: 'Lead',
    get fields() {
      return extraNow().leadFields;
    },
    // The extra values are the row's prototype: copying hundreds of them into each row, a query of thousands of Leads would take seconds.
    rows: () => store.leads.map((lead): SoqlRow => Object.assign(Object.create(extraValues(lead)) as SoqlRow, lead.salesforce, currencyOf(lead), store.customValues(lead))),
  };
  const queryable = (): readonly SoqlObject[] => [leadObject, USER_OBJECT, GROUP_OBJECT, ...(options.multiCurrency ? [currencyTypeObject(options.multiCurrency)] : [])];
  const cursors = new Map<string, Cursor>();
  let cursorCount = 0;

  function openCursor(cursor: Cursor): string {
    const id = salesforceId18(`01gD0000${String(++cursorCount).padStart(7, '0')}`);
    cursors.set(id, cursor);
    for (const oldest of cursors.keys()) {
      if (cursors.size <= MAX_OPEN_CURSORS) break;
      cursors.delete(oldest);
    }
    return id;
  }

  /** One batch of a cursor, starting at `offset`. */
  function batch(locator: string, cursor: Cursor, offset: number, size: number): DemoResponse {
    const end = Math.min(cursor.records.length, offset + size);
    const done = end >= cursor.records.length;
    return json(200, {
      totalSize: cursor.records.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${cursor.version}/query/${locator}-${end}` }),
      records: cursor.records.slice(offset, end),
    });
  }

  function query(request: DemoRequest, version: string): DemoResponse {
    const soql = request.url.searchParams.get('q');
    if (!soql) return error(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    try {
      const parsed = parseSoql(soql, queryable());
      if (expandedLength(soql, parsed.fields) > options.maxExpandedSoqlLength) return tooComplicated();
      const records = runSoql(parsed).map((record) => withAttributes(version, parsed.object.name, record));
      const size = batchSize(request);
      // As on Salesforce, only results that take more than one batch keep a cursor open.
      if (records.length <= size) return json(200, { totalSize: records.length, done: true, records });
      const cursor = { version, records };
      return batch(openCursor(cursor), cursor, 0, size);
    } catch (e) {
      if (e instanceof SoqlError) return error(400, e.errorCode, e.message);
      throw e;
    }
  }

  /** `GET sobjects/Lead/{Id}`, with every field or those `fieldList` names. */
  function leadRecord(lead: DemoLead | undefined, version: string, fieldList: string | null): DemoResponse {
    if (!lead) return notFound();
    const custom = store.customValues(lead);
    const row: SoqlRow = { ...lead.salesforce, ...currencyOf(lead), ...custom, ...extraValues(lead) };
    if (fieldList === null) return json(200, withAttributes(version, 'Lead', row));
    const fields: SoqlField[] = [];
    for (const name of fieldList.split(',').map((s) => s.trim()).filter(Boolean)) {
      const field = leadObject.fields.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
      if (!field) return error(400, 'INVALID_FIELD', `No such column '${name}' on entity 'Lead'.`);
      fields.push(field);
    }
    if (expandedLength(`SELECT ${fieldList} FROM Lead WHERE Id = '${lead.salesforceId}'`, fields) > options.maxExpandedSoqlLength) return tooComplicated();
    return json(200, withAttributes(version, 'Lead', Object.fromEntries([['Id', lead.salesforceId], ...fields.map((field) => [field.name, row[field.name] ?? null])])));
  }

  function moreResults(request: DemoRequest, locatorAndOffset: string): DemoResponse {
    const [, locator, offset] = /^(\w+)-(\d+)$/.exec(locatorAndOffset) ?? [];
    const cursor = locator === undefined ? undefined : cursors.get(locator);
    if (!cursor) return error(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return batch(locator, cursor, Number(offset), batchSize(request));
  }

  return (request) => {
    const refused = tooLong(request);
    if (refused) return refused;
    const path = request.url.pathname;
    if (path === '/services/data' || path === '/services/data/') return json(200, versions());
    const match = /^\/services\/data\/v(\d+)\.0(\/.*)?$/.exec(path);
    if (!match || Number(match[1]) < OLDEST_API_VERSION || Number(match[1]) > LATEST_API_VERSION) return notFound();
    if (!hasBearerToken(request)) return error(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (bodyNotDeclaredJson(request)) {
      return error(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type header specified in HTTP request is not supported: ${request.headers['content-type'] || '(none)'}`);
    }
    const version = `${match[1]}.0`;
    const rest = match[2] ?? '/';
    if (/^\/composite\/sobjects\/?$/.test(rest)) {
      return request.method === 'PATCH' ? updateCollection(store, parseJsonBody(request), request.headers['sforce-auto-assign'], now()) : error(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are PATCH`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return error(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are GET,HEAD`);
    }
    if (rest === '/') return json(200, resourcesByVersion(request.host, version, signedInUser(request)));
    if (rest === '/query' || rest === '/query/' || rest === '/queryAll' || rest === '/queryAll/') return query(request, version);
    const more = /^\/query(?:All)?\/([^/]+)$/.exec(rest);
    if (more) return moreResults(request, more[1]);
    if (/^\/sobjects\/Lead\/describe\/?$/i.test(rest)) return json(200, describeLead(version, options.extraLeadFields, options.multiCurrency));
    if (/^\/sobjects\/Lead\/deleted\/?$/i.test(rest)) return deletedLeads(store, request.url.searchParams, now());
    const user = /^\/sobjects\/User\/([^/]+)\/?$/i.exec(rest);
    if (user) return userRecord(user[1], version, request.url.searchParams.get('fields'));
    const record = /^\/sobjects\/Lead\/([^/]+)\/?$/i.exec(rest);
    if (record) return leadRecord(store.bySalesforceId(record[1]), version, request.url.searchParams.get('fields'));
    return notFound();
  };
}

const floorToMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** Resources by Version as Salesforce lists them (some of them), with `identity`, the identity URL of the session's user on the My Domain host. */
function resourcesByVersion(host: string, version: string, user: DemoSalesforceUser): Record<string, string> {
  const resources = ['tooling', 'metadata', 'chatter', 'tabs', 'queryAll', 'search', 'composite', 'query', 'sobjects', 'limits', 'recent'];
  return {
    ...Object.fromEntries(resources.map((name) => [name, `/services/data/v${version}/${name}`])),
    identity: `https://${host}/id/${DEMO_ORG_ID}/${user.Id}`,
  };
}

/**
 * "Get Deleted", as Salesforce answers it: seconds are ignored; the start must precede the end
 * by more than a minute, be no more than 30 days ago, and not before `earliestDateAvailable`
 * (the delete log keeps 15 days); `latestDateCovered` is where the next call should start.
 */
function deletedLeads(store: DemoStore, params: URLSearchParams, now: number): DemoResponse {
  const [start, end] = ['start', 'end'].map((name) => floorToMinute(parseCrmDateTime(params.get(name) ?? '')));
  if (!Number.isFinite(start) || !Number.isFinite(end)) return error(400, 'MALFORMED_QUERY', 'start and end must be ISO 8601 date-times');
  const replicationDate = (message: string) => error(400, 'INVALID_REPLICATION_DATE', message);
  if (end - start <= MINUTE_MS) return replicationDate('startDate must precede endDate by more than one minute');
  if (start < now - DELETED_WINDOW_DAYS * DAY_MS) return replicationDate(`startDate can not be more than ${DELETED_WINDOW_DAYS} days ago`);
  const earliestDateAvailable = floorToMinute(now - DELETE_LOG_DAYS * DAY_MS);
  if (start < earliestDateAvailable) return replicationDate(`startDate is before the earliest date available, ${salesforceDateTime(earliestDateAvailable)}`);
  const latestDateCovered = Math.min(end, floorToMinute(now));
  const deleted = store.deletions.filter(({ at }) => at >= start && at <= latestDateCovered);
  if (deleted.length > MAX_DELETED_IDS) return error(400, 'EXCEEDED_ID_LIMIT', `More than ${MAX_DELETED_IDS} deleted records: choose start and end dates closer together`);
  return json(200, {
    deletedRecords: deleted.map(({ lead, at }) => ({ id: lead.salesforceId, deletedDate: salesforceDateTime(at) })),
    earliestDateAvailable: salesforceDateTime(earliestDateAvailable),
    latestDateCovered: salesforceDateTime(latestDateCovered),
  });
}

/** 414 when the URI alone passes Salesforce's limit, 431 when the URI and headers together do; null when it fits. */
function tooLong(request: DemoRequest): DemoResponse | null {
  const uriBytes = Buffer.byteLength(request.url.pathname + request.url.search);
  const headerBytes = Object.entries(request.headers).reduce((sum, [name, value]) => sum + Buffer.byteLength(`${name}: ${value ?? ''}\r\n`), 0);
  if (uriBytes > MAX_URI_AND_HEADERS_BYTES) return text(414, 'URI Too Long');
  if (uriBytes + headerBytes > MAX_URI_AND_HEADERS_BYTES) return text(431, 'Request Header Fields Too Large');
  return null;
}

const customField = (name: string) => SALESFORCE_CUSTOM_FIELDS.find((field) => field.name.toLowerCase() === name.toLowerCase());
/** A custom field's Salesforce type: a number field is a `double`. */
const customSoqlField = ({ name, type }: CustomField): SoqlField => ({ name, type: type === 'number' ? 'double' : 'string' });

/** Lead's fields: Salesforce's own (with CurrencyIsoCode in a multi-currency org), LeadLens's custom ones, and `extraFields`. */
const leadFieldsWith = (extraFields: readonly DemoExtraLeadField[], multiCurrency: boolean): readonly SoqlField[] => [
  ...SALESFORCE_LEAD_FIELDS,
  ...(multiCurrency ? [CURRENCY_CODE_FIELD] : []),
  ...SALESFORCE_CUSTOM_FIELDS.map(customSoqlField),
  ...extraFields,
];

/** A User of the demo org, or its fields, as `GET sobjects/User/{Id}` answers. */
function userRecord(id: string, version: string, fieldList: string | null): DemoResponse {
  const user = DEMO_SALESFORCE_USERS.find((candidate) => candidate.Id === id || candidate.Id.slice(0, 15) === id);
  if (!user) return notFound();
  const row: SoqlRow = { ...user, IsActive: true };
  const selected: Record<string, SoqlRow[string]> = { Id: user.Id };
  const names = fieldList === null ? USER_OBJECT.fields.map((field) => field.name) : fieldList.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    const field = USER_OBJECT.fields.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    if (!field) return error(400, 'INVALID_FIELD', `No such column '${name}' on entity 'User'.`);
    selected[field.name] = row[field.name];
  }
  return json(200, withAttributes(version, 'User', selected));
}

const CollectionSchema = z.object({
  allOrNone: z.boolean().default(false),
  records: z.array(z.looseObject({ attributes: z.object({ type: z.string() }), id: z.string() })),
});

/**
 * sObject Collections update: a field the org does not have refuses the whole request (as
 * Salesforce does); a record that does not exist or a value that does not fit fails alone; null
 * empties a field.
 * An updated record is stamped as modified at `now`.
 * The demo has no transactions, so `allOrNone: true` is refused rather than half-honoured.
 * Without `Sforce-Auto-Assign: FALSE` an updated Lead goes through the org's assignment rule, as
 * Salesforce's REST API does by default: the demo's rule gives it to the inbound queue.
 */
function updateCollection(store: DemoStore, body: unknown, autoAssign: string | undefined, now: number): DemoResponse {
  const parsed = CollectionSchema.safeParse(body);
  if (!parsed.success) return error(400, 'JSON_PARSER_ERROR', 'Cannot deserialize instance of SObject[] from the request body');
  const { allOrNone, records } = parsed.data;
  if (allOrNone) return error(400, 'INVALID_INPUT', 'The demo CRM only updates with allOrNone false');
  if (records.length > MAX_COLLECTION_RECORDS) return error(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`);
  for (const record of records) {
    if (record.attributes.type !== 'Lead') return error(400, 'INVALID_TYPE', `sObject type '${record.attributes.type}' is not supported.`);
    const unknown = Object.keys(record).find((name) => name !== 'attributes' && name !== 'id' && !customField(name));
    // Standard fields exist but LeadLens has no business writing them: the demo treats them as read-only.
    if (unknown !== undefined) {
      return salesforceField(unknown)
        ? error(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${unknown}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`)
        : error(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type Lead`);
    }
  }
  return json(200, records.map(({ attributes: _attributes, id, ...values }) => {
    const lead = store.bySalesforceId(id);
    if (!lead) return { success: false, errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] }] };
    for (const [name, value] of Object.entries(values)) {
      const field = customField(name)!;
      // null empties a field, as Salesforce takes it.
      const fits = value === null || (field.type === 'number' ? typeof value === 'number' : typeof value === 'string' && value.length <= TEXT_FIELD_MAX_LENGTH);
      if (!fits) {
        const statusCode = field.type === 'number' ? 'INVALID_TYPE_ON_FIELD_IN_RECORD' : 'STRING_TOO_LONG';
        return { id: lead.salesforceId, success: false, errors: [{ statusCode, message: `${field.name}: value does not fit the field`, fields: [field.name] }] };
      }
    }
    for (const [name, value] of Object.entries(values)) {
      const custom = store.customValues(lead);
      if (value === null) delete custom[customField(name)!.name];
      else custom[customField(name)!.name] = value as string | number;
    }
    if (autoAssign?.toLowerCase() !== 'false') lead.salesforce.OwnerId = DEMO_LEAD_QUEUE.Id;
    store.markModified(lead, 'salesforce', now);
    return { id: lead.salesforceId, success: true, errors: [] };
  }));
}

function withAttributes(version: string, type: string, record: Partial<SalesforceLead> | SoqlRow): object {
  const url = record.Id === undefined ? undefined : `/services/data/v${version}/sobjects/${type}/${record.Id}`;
  return { attributes: { type, ...(url ? { url } : {}) }, ...record };
}

/** `Sforce-Query-Options: batchSize=N` (200…2000), as Salesforce reads it. */
function batchSize(request: DemoRequest): number {
  const asked = Number(/batchSize=(\d+)/i.exec(request.headers['sforce-query-options'] ?? '')?.[1] ?? DEFAULT_BATCH_SIZE);
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, asked));
}

/** Three releases a year: v32.0 = Winter '15 … v65.0 = Winter '26, v66.0 Spring '26, v67.0 Summer '26. */
function versions(): { label: string; url: string; version: string }[] {
  return Array.from({ length: LATEST_API_VERSION - OLDEST_API_VERSION + 1 }, (_, i) => {
    const major = OLDEST_API_VERSION + i;
    const sinceWinter15 = major - 32;
    const release = RELEASES[((sinceWinter15 % 3) + 3) % 3];
    const year = 15 + Math.floor(sinceWinter15 / 3);
    return { label: `${release} '${year}`, url: `/services/data/v${major}.0`, version: `${major}.0` };
  });
}

const SOAP_TYPES: Partial<Record<SalesforceField['type'], string>> = {
  currency: 'xsd:double', double: 'xsd:double', int: 'xsd:int', datetime: 'xsd:dateTime', date: 'xsd:date', boolean: 'xsd:boolean', id: 'tns:ID', reference: 'tns:ID',
};

/** Lead fields Salesforce sets itself: describe says they are not `updateable`. */
const NOT_UPDATEABLE = new Set<string>(['Id', 'Name', 'IsConverted', 'ConvertedDate', 'LastActivityDate', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp']);

function describeLead(version: string, extraFields: readonly DemoExtraLeadField[], multiCurrency: DemoMultiCurrency | null): object {
  return {
    name: 'Lead',
    label: 'Lead',
    labelPlural: 'Leads',
    keyPrefix: '00Q',
    urls: { rowTemplate: `/services/data/v${version}/sobjects/Lead/{ID}` },
    fields: [
      ...SALESFORCE_LEAD_FIELDS.map((field) => ({
        name: field.name,
        label: field.label,
        type: field.type,
        soapType: SOAP_TYPES[field.type] ?? 'xsd:string',
        nillable: !['Id', 'LastName', 'Company', 'Status', 'IsConverted', 'HasOptedOutOfEmail', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'OwnerId', 'Name'].includes(field.name),
        picklistValues: (field.picklistValues ?? []).map((value) => ({ active: true, defaultValue: false, label: value, value })),
        custom: false,
        calculated: false,
        updateable: !NOT_UPDATEABLE.has(field.name),
      })),
      ...(multiCurrency ? [describeCurrencyCode(multiCurrency)] : []),
      ...SALESFORCE_CUSTOM_FIELDS.map((field) => {
        const { type } = customSoqlField(field);
        return { name: field.name, label: field.label, type, soapType: SOAP_TYPES[type] ?? 'xsd:string', nillable: true, picklistValues: [], custom: true, calculated: false, updateable: true };
      }),
      ...extraFields.map((field) => ({
        name: field.name,
        label: field.name.replace(/__c$/, '').replaceAll('_', ' '),
        type: field.type,
        soapType: SOAP_TYPES[field.type] ?? 'xsd:string',
        nillable: true,
        picklistValues: [],
        custom: true,
        calculated: field.formulaLength !== undefined,
        updateable: false,
      })),
    ],
  };
}

/** Lead's CurrencyIsoCode as describe lists it: a standard picklist of the org's active currencies. */
function describeCurrencyCode({ currencies }: DemoMultiCurrency): object {
  const corporate = currencies.find((currency) => currency.IsCorporate)?.IsoCode;
  return {
    name: CURRENCY_CODE_FIELD.name,
    label: 'Lead Currency',
    type: CURRENCY_CODE_FIELD.type,
    soapType: 'xsd:string',
    length: 3,
    nillable: false,
    picklistValues: currencies.filter((currency) => currency.IsActive).map(({ IsoCode }) => ({ active: true, defaultValue: IsoCode === corporate, label: IsoCode, value: IsoCode })),
    custom: false,
    calculated: false,
    updateable: true,
  };
}
