/**
 * HubSpot CRM REST for contacts (`api.hubapi.com`). Changes are read with the search API
 * sorted by `hs_lastmodifieddate`, paged by `after`; search stops at 10,000 results per
 * query, so past that the query is restarted from the last modification date seen
 * ("windowing"). Limits: ~100 requests per 10 s per app, search 4 per second.
 */
import { z } from 'zod';
import type { ChangedPage, CrmClient, CrmRecord, ReadOptions, RecordUpdateFailure } from './client';
import { parseCrmDateTime } from './client';
import { CrmError, HttpClient, RateLimiter, isCrmError, type Clock, type CrmErrorBody, type RetryPolicy } from './http';

/** HubSpot search never returns more than this many results for one query, whatever the paging. */
export const HUBSPOT_SEARCH_CAP = 10_000;
const SEARCH_PAGE_SIZE = 200;
/** HubSpot's batch endpoints (read, update) take at most 100 inputs. */
const BATCH_SIZE = 100;
const MODIFIED = 'hs_lastmodifieddate';

/** `v3` (`/crm/v3/objects/…`, supported until September 2027) or a date version (`2026-03`). */
export const HubSpotApiVersionSchema = z.union([z.literal('v3'), z.string().regex(/^\d{4}-\d{2}$/)]);
export type HubSpotApiVersion = z.infer<typeof HubSpotApiVersionSchema>;

export interface HubSpotClientOptions {
  /** Private-app token, service key or OAuth access token, read at call time. */
  accessToken(): Promise<string>;
  apiVersion?: HubSpotApiVersion;
  /** The app's burst limit: 100 per 10 s (free, starter), 190 (professional, enterprise). */
  requestsPer10Seconds?: number;
  searchesPerSecond?: number;
  timeoutMs?: number;
  origin?: string;
  retry?: RetryPolicy;
  clock?: Clock;
  fetch?: typeof fetch;
}

const DateTime = z.string().refine((value) => Number.isFinite(parseCrmDateTime(value)), 'expected an ISO date-time');

const ContactSchema = z.object({
  id: z.string().regex(/^\d+$/, 'expected a numeric id'),
  properties: z.object({ [MODIFIED]: DateTime }).catchall(z.string().nullable()),
  archived: z.boolean().optional(),
});
type Contact = z.infer<typeof ContactSchema>;

const SearchPageSchema = z.object({
  total: z.number().int().nonnegative(),
  results: z.array(ContactSchema),
  paging: z.object({ next: z.object({ after: z.string().regex(/^\d+$/) }) }).optional(),
});
const BatchSchema = z.object({ results: z.array(ContactSchema) });
/** 200, or 207 when some inputs failed: those are in `errors`, their ids in `context.ids`. */
const BatchUpdateSchema = z.object({
  results: z.array(z.looseObject({ id: z.string() })),
  errors: z.array(z.looseObject({ category: z.string(), message: z.string(), context: z.looseObject({ ids: z.array(z.string()).optional() }).optional() })).optional(),
});
const PropertiesSchema = z.object({ results: z.array(z.looseObject({ name: z.string().regex(/^\w+$/) })) });
const ListSchema = z.object({ results: z.array(z.looseObject({ id: z.string() })) });

/** Our page token: where the current window starts, and the offset in it. */
const PageTokenSchema = z.object({ since: z.number().nullable(), after: z.number().int().nonnegative() });
type PageToken = z.infer<typeof PageTokenSchema>;

const ErrorBodySchema = z.looseObject({ category: z.string().optional(), message: z.string().optional() });

function readErrorBody(body: unknown): CrmErrorBody {
  const parsed = ErrorBodySchema.safeParse(body);
  return parsed.success ? { code: parsed.data.category, message: parsed.data.message } : {};
}

function toRecord(contact: Contact): CrmRecord {
  return { id: contact.id, modifiedAt: parseCrmDateTime(contact.properties[MODIFIED]), fields: contact.properties };
}

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

export function createHubSpotClient(options: HubSpotClientOptions): CrmClient {
  const general = new RateLimiter(options.requestsPer10Seconds ?? 100, 10_000, options.clock);
  const search = new RateLimiter(options.searchesPerSecond ?? 4, SEARCH_WINDOW_MS, options.clock);
  const version = options.apiVersion ?? 'v3';
  const objects = version === 'v3' ? '/crm/v3/objects/contacts' : `/crm/objects/${version}/contacts`;
  const propertiesPath = version === 'v3' ? '/crm/v3/properties/contacts' : `/crm/properties/${version}/contacts`;
  const http = new HttpClient({
    crmLabel: 'HubSpot',
    origin: options.origin ?? 'https://api.hubapi.com',
    authorization: async () => `Bearer ${await options.accessToken()}`,
    limitersFor: (_method, path) => (path.endsWith('/search') ? [general, search] : [general]),
    readErrorBody,
    timeoutMs: options.timeoutMs ?? 30_000,
    retry: options.retry,
    clock: options.clock,
    fetch: options.fetch,
  });
  let allProperties: Promise<string[]> | undefined;

  /** Every contact property the token can read. */
  function propertyNames(signal?: AbortSignal): Promise<string[]> {
    allProperties ??= http
      .request({ path: propertiesPath, schema: PropertiesSchema, what: 'list contact properties', signal })
      .then(({ data }) => {
        const names = data.results.map((property) => property.name);
        if (!names.includes(MODIFIED)) throw new CrmError('schema', `HubSpot contacts have no property ${MODIFIED} (list contact properties)`);
        return names;
      });
    allProperties.catch(() => (allProperties = undefined));
    return allProperties;
  }

  async function properties(requested: readonly string[] | undefined, signal?: AbortSignal): Promise<string[]> {
    const names = requested ? [...new Set([MODIFIED, ...requested])] : await propertyNames(signal);
    const invalid = names.find((name) => !/^\w+$/.test(name));
    if (invalid !== undefined) throw new CrmError('request', `Not a HubSpot property name: "${invalid}"`);
    return names;
  }

  async function searchPage({ since, after }: PageToken, signal?: AbortSignal): Promise<ChangedPage> {
    const { data } = await http.request({
      method: 'POST',
      path: `${objects}/search`,
      body: {
        filterGroups: since === null ? [] : [{ filters: [{ propertyName: MODIFIED, operator: 'GTE', value: String(since) }] }],
        sorts: [{ propertyName: MODIFIED, direction: 'ASCENDING' }],
        properties: await properties(undefined, signal),
        limit: SEARCH_PAGE_SIZE,
        ...(after > 0 ? { after: String(after) } : {}),
      },
      schema: SearchPageSchema,
      what: 'search contacts',
      signal,
    });
    const records = data.results.map(toRecord);
    const remaining = Math.max(0, data.total - after - records.length);
    const nextAfter = data.paging ? Number(data.paging.next.after) : null;
    if (nextAfter !== null && nextAfter < HUBSPOT_SEARCH_CAP) return { records, next: JSON.stringify({ since, after: nextAfter }), remaining };
    // At the cap HubSpot either stops giving `paging` or gives an `after` it then refuses.
    const windowFull = after + records.length >= HUBSPOT_SEARCH_CAP && data.total > after + records.length;
    if (!windowFull) return { records, next: null, remaining: 0 };
    // Start a new query at the last modification seen (GTE: the contacts sharing that
    // instant come again, which the key-based store absorbs).
    const lastModified = records.at(-1)?.modifiedAt ?? null;
    if (lastModified === null || lastModified === since) {
      throw new CrmError('request', `More than ${HUBSPOT_SEARCH_CAP} HubSpot contacts share one ${MODIFIED}; search cannot page past them`);
    }
    return { records, next: JSON.stringify({ since: lastModified, after: 0 }), remaining };
  }

  return {
    crm: 'hubspot',
    maxBatch: BATCH_SIZE,

    async readRecord(id, { fields, signal }: ReadOptions = {}) {
      if (!/^\d+$/.test(id)) throw new CrmError('request', 'Not a HubSpot contact id');
      const names = await properties(fields, signal);
      try {
        const { data } = await http.request({ path: `${objects}/${id}?properties=${names.join(',')}`, schema: ContactSchema, what: 'read contact', signal });
        return toRecord(data);
      } catch (error) {
        if (isCrmError(error, 'request') && error.status === 404) return null;
        throw error;
      }
    },

    async batchRead(ids, { fields, signal }: ReadOptions = {}) {
      const valid = ids.filter((id) => /^\d+$/.test(id));
      const names = await properties(fields, signal);
      const records: CrmRecord[] = [];
      for (let at = 0; at < valid.length; at += BATCH_SIZE) {
        const { data } = await http.request({
          method: 'POST',
          path: `${objects}/batch/read`,
          body: { properties: names, inputs: valid.slice(at, at + BATCH_SIZE).map((id) => ({ id })) },
          schema: BatchSchema, // 207 (some ids missing) carries the found ones in `results` too
          what: 'batch read contacts',
          signal,
        });
        records.push(...data.results.map(toRecord));
      }
      return records;
    },

    listChanged(since, pageToken, signal) {
      return searchPage(pageToken === null ? { since, after: 0 } : parsePageToken(pageToken), signal);
    },

    async updateRecords(updates, signal) {
      if (updates.length > BATCH_SIZE) throw new CrmError('request', `At most ${BATCH_SIZE} HubSpot contacts per update`);
      for (const update of updates) {
        if (!/^\d+$/.test(update.recordId)) throw new CrmError('request', 'Not a HubSpot contact id');
        await properties(Object.keys(update.fields), signal);
      }
      const { data } = await http.request({
        method: 'POST',
        path: `${objects}/batch/update`,
        // HubSpot stores every property value as a string.
        body: { inputs: updates.map((update) => ({ id: update.recordId, properties: Object.fromEntries(Object.entries(update.fields).map(([name, value]) => [name, String(value)])) })) },
        schema: BatchUpdateSchema,
        what: 'update contacts',
        signal,
      });
      return (data.errors ?? []).flatMap((error): RecordUpdateFailure[] =>
        (error.context?.ids ?? []).map((recordId) => ({ recordId, error: `${error.category}: ${error.message}` })),
      );
    },

    async checkAccess(signal) {
      await http.request({ path: `${objects}?limit=1`, schema: ListSchema, what: 'read contacts', signal });
      allProperties = undefined;
      await propertyNames(signal);
    },
  };
}
