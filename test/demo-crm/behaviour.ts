/**
 * How the demo CRM's APIs misbehave on purpose, as real ones do: HubSpot's rate limits
 * (10-second window per token, search per second) with HubSpot's headers and 429 bodies,
 * random faults (`--faults 429=0.2,500=0.1,timeout=0.02,malformed=0.01`, each for both CRMs
 * or, prefixed `salesforce:` or `hubspot:`, for one), schema drift (a field renamed or its type
 * changed) and revoked tokens. Tests hold the behaviour object and change it while the server
 * runs. Only the API hosts misbehave, never the UI pages.
 */
import { randomUUID } from 'node:crypto';
import { mulberry32 } from '../../lib/ml/random';
import { DEMO_LOCALE } from './format';
import { bearerToken, json, type DemoHandler, type DemoRequest, type DemoResponse } from './http';

export interface FaultRates {
  /**
   * Share of API requests refused for the API's request limit, as each CRM refuses them:
   * HubSpot answers 429 with `Retry-After: 1` (its secondly limit), to wait out; Salesforce
   * answers 403 REQUEST_LIMIT_EXCEEDED with no Retry-After (the org's daily requests used up,
   * or too many long requests at once), which ends what asked.
   */
  rateLimited: number;
  /** … answered 500 / 503. */
  serverError: number;
  /** … never answered (the socket is dropped much later). */
  timeout: number;
  /** … answered 200 with the body cut short. */
  malformed: number;
}

export const NO_FAULTS: FaultRates = { rateLimited: 0, serverError: 0, timeout: 0, malformed: 0 };

type DemoCrmKind = 'salesforce' | 'hubspot';
export type FaultRatesByCrm = Record<DemoCrmKind, FaultRates>;

/** A field renamed or retyped in every record the APIs return (and in describe / properties). */
export interface Drift {
  field: string;
  renameTo?: string;
  toType?: 'string' | 'number' | 'boolean';
}

export interface HubSpotLimits {
  per10Seconds: number;
  searchesPerSecond: number;
}

/**
 * A CRM's allowance of API requests, which every integration of the org (portal) shares: Salesforce
 * counts an org's of the last 24 hours, HubSpot a private app's account's of the day. The demo
 * counts `used` up by one with each API request it answers (from start-up, never down), and says
 * both in each answer's headers as the CRM does.
 */
export interface DemoApiAllowance {
  used: number;
  limit: number;
}

export interface DemoBehaviour {
  faults: FaultRatesByCrm;
  /** Each CRM's API allowance (`DemoApiAllowance`): set `used` to play an org whose other integrations used much of it. */
  apiAllowance: Record<DemoCrmKind, DemoApiAllowance>;
  /** HubSpot's limits, enforced per token; null: unlimited (the default, for page tests). */
  hubspotLimits: HubSpotLimits | null;
  drift: Drift | null;
  /**
   * Records (by id) the APIs return with a field (HubSpot: a property) holding a value of a type
   * the real API would not send there: one odd record among readable ones.
   */
  oddRecords: Map<string, { field: string; value: unknown }>;
  /** Bearer tokens (session ids, API tokens) the APIs answer 401 to. */
  revokedTokens: Set<string>;
  /**
   * HubSpot tokens of another portal than the demo's (token → portal id), as the account
   * details report it. Their contacts are the demo's own: only the portal id differs.
   */
  tokenPortals: Map<string, string>;
  /** The locale the UI pages show numbers and dates in (`html lang` too), as a user's CRM locale setting does. */
  displayLocale: string;
  /** The next fault roll in [0, 1) for a request to this CRM's API. */
  random(crm: 'salesforce' | 'hubspot'): number;
  now(): number;
  /** What the APIs did: faults served so far, per CRM (the limits' own 429s not included). */
  served: Record<'salesforce' | 'hubspot', Record<keyof FaultRates, number>>;
  /** API requests received so far, per CRM, whatever their answer. */
  requests: Record<'salesforce' | 'hubspot', number>;
}

/**
 * Seeded fault rolls, one stream per CRM: a test sees the same faults on every run, and one
 * CRM's request count (which depends on timing) does not move the other's faults.
 */
export function seededFaultRolls(seed: number): DemoBehaviour['random'] {
  const streams = { salesforce: mulberry32(seed), hubspot: mulberry32(seed + 1) };
  return (crm) => streams[crm]();
}

export function defaultBehaviour(): DemoBehaviour {
  const served = { salesforce: { ...NO_FAULTS }, hubspot: { ...NO_FAULTS } };
  // A Salesforce production org's base allocation (before what each licence adds), a free or starter HubSpot account's.
  const apiAllowance = { salesforce: { used: 0, limit: 100_000 }, hubspot: { used: 0, limit: 250_000 } };
  return { faults: parseFaults(''), apiAllowance, hubspotLimits: null, drift: null, oddRecords: new Map(), revokedTokens: new Set(), tokenPortals: new Map(), displayLocale: DEMO_LOCALE, random: Math.random, now: Date.now, served, requests: { salesforce: 0, hubspot: 0 } };
}

/**
 * `429=0.2,500=0.1,timeout=0.02,malformed=0.01` → each CRM's rates; a name prefixed
 * `salesforce:` or `hubspot:` sets that CRM's rate only (unknown names are an error).
 */
export function parseFaults(spec: string): FaultRatesByCrm {
  const names: Record<string, keyof FaultRates> = { '429': 'rateLimited', '500': 'serverError', timeout: 'timeout', malformed: 'malformed' };
  const rates: FaultRatesByCrm = { salesforce: { ...NO_FAULTS }, hubspot: { ...NO_FAULTS } };
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [target, value] = part.split('=');
    const [crm, name] = target.includes(':') ? target.split(':') : [null, target];
    const key = names[name];
    const rate = Number(value);
    if (!key || (crm !== null && !(crm in rates)) || !(rate >= 0 && rate <= 1)) {
      throw new Error(`--faults: "${part}" is not one of [salesforce:|hubspot:]429|500|timeout|malformed=<0…1>`);
    }
    for (const crmRates of crm === null ? Object.values(rates) : [rates[crm as DemoCrmKind]]) crmRates[key] = rate;
  }
  for (const [crm, crmRates] of Object.entries(rates)) {
    if (Object.values(crmRates).reduce((a, b) => a + b, 0) > 1) throw new Error(`--faults: ${crm}'s rates add up to more than 1`);
  }
  return rates;
}

/** How long the server holds a "timeout" request before dropping the socket. */
export const STALL_MS = 120_000;


/** Wraps an API handler of one CRM with the behaviour. */
export function misbehavingApi(crm: 'salesforce' | 'hubspot', api: DemoHandler, behaviour: DemoBehaviour): DemoHandler {
  const hubspotWindows = new Map<string, { general: number[]; search: number[] }>();

  function hubspotRateLimit(request: DemoRequest, token: string): DemoResponse | Record<string, string> {
    const limits = behaviour.hubspotLimits;
    if (!limits) return {};
    const now = behaviour.now();
    const windows = hubspotWindows.get(token) ?? { general: [], search: [] };
    hubspotWindows.set(token, windows);
    windows.general = windows.general.filter((t) => t > now - 10_000);
    windows.search = windows.search.filter((t) => t > now - 1_000);
    const isSearch = request.url.pathname.endsWith('/search');
    if (isSearch && windows.search.length >= limits.searchesPerSecond) {
      return hubspotTooMany('You have reached your secondly limit.', 'SECONDLY', Math.max(1, windows.search[0] + 1_000 - now));
    }
    if (windows.general.length >= limits.per10Seconds) {
      return hubspotTooMany('You have reached your ten_secondly_rolling limit.', 'TEN_SECONDLY_ROLLING', windows.general[0] + 10_000 - now);
    }
    windows.general.push(now);
    if (isSearch) {
      windows.search.push(now);
      return {}; // search answers carry no rate-limit headers, as on HubSpot
    }
    return {
      'x-hubspot-ratelimit-max': String(limits.per10Seconds),
      'x-hubspot-ratelimit-remaining': String(limits.per10Seconds - windows.general.length),
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
    };
  }

  /**
   * Counts an answered request against the CRM's allowance, and the headers saying how much of it is
   * used: Salesforce's on every REST answer but the list of versions (which it does not count),
   * HubSpot's on every answer but a search's.
   */
  function countedAgainstAllowance(request: DemoRequest): Record<string, string> {
    const allowance = behaviour.apiAllowance[crm];
    if (crm === 'salesforce') {
      if (/^\/services\/data\/?$/.test(request.url.pathname)) return {};
      allowance.used++;
      return { 'sforce-limit-info': `api-usage=${allowance.used}/${allowance.limit}` };
    }
    allowance.used++;
    if (request.url.pathname.endsWith('/search')) return {};
    return { 'x-hubspot-ratelimit-daily': String(allowance.limit), 'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, allowance.limit - allowance.used)) };
  }

  return (request) => {
    behaviour.requests[crm]++;
    const token = bearerToken(request);
    if (token && behaviour.revokedTokens.has(token)) return unauthorized(crm);
    const limited = token && crm === 'hubspot' ? hubspotRateLimit(request, token) : {};
    if ('status' in limited) return limited as DemoResponse;

    const roll = behaviour.random(crm);
    const { rateLimited, serverError, timeout, malformed } = behaviour.faults[crm];
    const serve = (fault: keyof FaultRates, response: DemoResponse) => {
      behaviour.served[crm][fault]++;
      return response;
    };
    if (roll < rateLimited) return serve('rateLimited', requestLimitReached(crm));
    if (roll < rateLimited + serverError) return serve('serverError', serverFailure(crm, behaviour.random(crm) < 0.5 ? 500 : 503));
    if (roll < rateLimited + serverError + timeout) return serve('timeout', { status: 0, headers: {}, body: '', stall: true });

    let response = api(request);
    response = { ...response, headers: { ...response.headers, ...(limited as Record<string, string>), ...countedAgainstAllowance(request) } };
    if (behaviour.drift && response.status < 300) response = drifted(crm, response, behaviour.drift);
    if (behaviour.oddRecords.size > 0 && response.status < 300) response = withOddRecords(crm, response, behaviour.oddRecords);
    if (roll < rateLimited + serverError + timeout + malformed && response.status === 200) {
      return serve('malformed', { ...response, body: response.body.slice(0, Math.floor(response.body.length / 2)) });
    }
    return response;
  };
}

function hubspotTooMany(message: string, policyName: string, retryAfterMs: number): DemoResponse {
  const response = json(429, { status: 'error', message, errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName, groupName: 'publicapi' });
  return { ...response, headers: { ...response.headers, 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } };
}

/** The `rateLimited` fault, as each CRM answers a request over its limit. */
function requestLimitReached(crm: 'salesforce' | 'hubspot'): DemoResponse {
  if (crm === 'salesforce') return json(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
  const response = json(429, { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName: 'SECONDLY' });
  return { ...response, headers: { ...response.headers, 'retry-after': '1' } };
}

function serverFailure(crm: 'salesforce' | 'hubspot', status: number): DemoResponse {
  return crm === 'hubspot'
    ? json(status, { status: 'error', message: 'internal error', correlationId: randomUUID(), category: 'INTERNAL_ERROR' })
    : json(status, [{ message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234-5678 (-1234)', errorCode: 'UNKNOWN_EXCEPTION' }]);
}

function unauthorized(crm: 'salesforce' | 'hubspot'): DemoResponse {
  return crm === 'hubspot'
    ? json(401, { status: 'error', message: 'The OAuth token used to make this call expired 2 minute(s) ago.', correlationId: randomUUID(), category: 'EXPIRED_AUTHENTICATION' })
    : json(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
}

/** Renames or retypes `drift.field` in every record of the body, and in describe / properties. */
function drifted(crm: 'salesforce' | 'hubspot', response: DemoResponse, drift: Drift): DemoResponse {
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return response;
  }
  const change = (record: Record<string, unknown>) => {
    if (!(drift.field in record)) return;
    const value = record[drift.field];
    delete record[drift.field];
    record[drift.renameTo ?? drift.field] = retyped(value, drift.toType);
  };
  const object = body as { records?: Record<string, unknown>[]; results?: { properties?: Record<string, unknown>; name?: string }[]; properties?: Record<string, unknown>; fields?: { name: string }[] };
  if (crm === 'salesforce') {
    object.records?.forEach(change);
    if (!object.records && !object.fields) change(object as Record<string, unknown>);
    object.fields?.forEach((field) => field.name === drift.field && drift.renameTo && (field.name = drift.renameTo));
  } else {
    object.results?.forEach((result) => {
      if (result.properties) change(result.properties);
      else if (result.name === drift.field && drift.renameTo) result.name = drift.renameTo;
    });
    if (object.properties) change(object.properties);
  }
  return { ...response, body: JSON.stringify(object) };
}

/** Sets the odd field of each of `odd`'s records in the body's records (Salesforce) or results (HubSpot). */
function withOddRecords(crm: 'salesforce' | 'hubspot', response: DemoResponse, odd: DemoBehaviour['oddRecords']): DemoResponse {
  let body: { records?: Record<string, unknown>[]; results?: { id?: string; properties?: Record<string, unknown> }[] };
  try {
    body = JSON.parse(response.body) as typeof body;
  } catch {
    return response;
  }
  if (crm === 'salesforce') {
    for (const record of body.records ?? []) {
      const change = odd.get(String(record.Id));
      if (change) record[change.field] = change.value;
    }
  } else {
    for (const result of body.results ?? []) {
      const change = result.id === undefined ? undefined : odd.get(result.id);
      if (change && result.properties) result.properties[change.field] = change.value;
    }
  }
  return { ...response, body: JSON.stringify(body) };
}

function retyped(value: unknown, type: Drift['toType']): unknown {
  if (type === undefined || value === null) return value;
  if (type === 'string') return String(value);
  if (type === 'number') return Number.isFinite(Number(value)) ? Number(value) : Date.parse(String(value)) || 1;
  return Boolean(value);
}
