/**
 * Salesforce REST (`*.my.salesforce.com`), the calls LeadLens makes:
 *   GET /services/data/                               versions (no auth, as on Salesforce)
 *   GET /services/data/vNN.0/sobjects/Lead/{Id}[?fields=A,B]
 *   GET /services/data/vNN.0/sobjects/Lead/describe
 *   GET /services/data/vNN.0/query?q=SOQL             (and queryAll) → {totalSize, done, records, nextRecordsUrl}
 *   GET /services/data/vNN.0/query/{locator}-{offset}  the next batch
 * Errors are Salesforce's: an array of `{message, errorCode}`.
 */
import { salesforceIdChecksum, type DemoLead, type SalesforceLead } from '../../lib/crm/demo-data';
import { SALESFORCE_LEAD_FIELDS, salesforceField, type SalesforceField } from './fields';
import { hasBearerToken, json, type DemoHandler, type DemoRequest, type DemoResponse } from './http';
import { parseSoql, runSoql, SoqlError } from './soql';
import type { DemoStore } from './store';

export const LATEST_API_VERSION = 67;
const OLDEST_API_VERSION = 31;
const DEFAULT_BATCH_SIZE = 2000;
const MIN_BATCH_SIZE = 200;
/** Salesforce lets a user keep only a few query cursors open; the oldest are dropped. */
const MAX_OPEN_CURSORS = 50;

const RELEASES = ['Winter', 'Spring', 'Summer'] as const;

const error = (status: number, errorCode: string, message: string): DemoResponse => json(status, [{ message, errorCode }]);
const notFound = (): DemoResponse => error(404, 'NOT_FOUND', 'The requested resource does not exist');

interface Cursor {
  version: string;
  records: object[];
}

export function salesforceApi(store: DemoStore): DemoHandler {
  const cursors = new Map<string, Cursor>();
  let cursorCount = 0;

  function openCursor(cursor: Cursor): string {
    const id = salesforceIdChecksum(`01gD0000${String(++cursorCount).padStart(7, '0')}`);
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
      const records = runSoql(parseSoql(soql), store.leads.map((lead) => lead.salesforce)).map((record) => withAttributes(version, record));
      const cursor = { version, records };
      return batch(openCursor(cursor), cursor, 0, batchSize(request));
    } catch (e) {
      if (e instanceof SoqlError) return error(400, e.errorCode, e.message);
      throw e;
    }
  }

  function moreResults(request: DemoRequest, locatorAndOffset: string): DemoResponse {
    const [, locator, offset] = /^(\w+)-(\d+)$/.exec(locatorAndOffset) ?? [];
    const cursor = locator === undefined ? undefined : cursors.get(locator);
    if (!cursor) return error(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return batch(locator, cursor, Number(offset), batchSize(request));
  }

  return (request) => {
    const path = request.url.pathname;
    if (path === '/services/data' || path === '/services/data/') return json(200, versions());
    const match = /^\/services\/data\/v(\d+)\.0(\/.*)?$/.exec(path);
    if (!match || Number(match[1]) < OLDEST_API_VERSION || Number(match[1]) > LATEST_API_VERSION) return notFound();
    if (!hasBearerToken(request)) return error(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return error(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are GET,HEAD`);
    }
    const version = `${match[1]}.0`;
    const rest = match[2] ?? '/';
    if (rest === '/query' || rest === '/query/' || rest === '/queryAll' || rest === '/queryAll/') return query(request, version);
    const more = /^\/query(?:All)?\/([^/]+)$/.exec(rest);
    if (more) return moreResults(request, more[1]);
    if (/^\/sobjects\/Lead\/describe\/?$/i.test(rest)) return json(200, describeLead(version));
    const record = /^\/sobjects\/Lead\/([^/]+)\/?$/i.exec(rest);
    if (record) return leadRecord(store.bySalesforceId(record[1]), version, request.url.searchParams.get('fields'));
    return notFound();
  };
}

function leadRecord(lead: DemoLead | undefined, version: string, fieldList: string | null): DemoResponse {
  if (!lead) return notFound();
  if (fieldList === null) return json(200, withAttributes(version, lead.salesforce));
  const fields: SalesforceField[] = [];
  for (const name of fieldList.split(',').map((s) => s.trim()).filter(Boolean)) {
    const field = salesforceField(name);
    if (!field) return error(400, 'INVALID_FIELD', `No such column '${name}' on entity 'Lead'.`);
    fields.push(field);
  }
  const selected = Object.fromEntries([['Id', lead.salesforceId], ...fields.map((f) => [f.name, lead.salesforce[f.name]])]);
  return json(200, withAttributes(version, selected));
}

function withAttributes(version: string, record: Partial<SalesforceLead>): object {
  const url = record.Id === undefined ? undefined : `/services/data/v${version}/sobjects/Lead/${record.Id}`;
  return { attributes: { type: 'Lead', ...(url ? { url } : {}) }, ...record };
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
  currency: 'xsd:double', int: 'xsd:int', datetime: 'xsd:dateTime', date: 'xsd:date', boolean: 'xsd:boolean', id: 'tns:ID', reference: 'tns:ID',
};

function describeLead(version: string): object {
  return {
    name: 'Lead',
    label: 'Lead',
    labelPlural: 'Leads',
    keyPrefix: '00Q',
    urls: { rowTemplate: `/services/data/v${version}/sobjects/Lead/{ID}` },
    fields: SALESFORCE_LEAD_FIELDS.map((field) => ({
      name: field.name,
      label: field.label,
      type: field.type,
      soapType: SOAP_TYPES[field.type] ?? 'xsd:string',
      nillable: !['Id', 'LastName', 'Company', 'Status', 'IsConverted', 'HasOptedOutOfEmail', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'OwnerId', 'Name'].includes(field.name),
      picklistValues: (field.picklistValues ?? []).map((value) => ({ active: true, defaultValue: false, label: value, value })),
    })),
  };
}
