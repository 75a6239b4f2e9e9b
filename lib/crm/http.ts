/**
 * The one HTTP layer both CRM REST clients go through: a client-side rate limiter (so we
 * stay under the CRM's published limits instead of learning them from 429s), held back when
 * the CRM says its short window is nearly used up (by others sharing the token too),
 * `Retry-After` on 429 or else a backoff from the window the 429 names, exponential backoff
 * with full jitter on 5xx, network errors and timeouts, and typed errors. A write (a POST or
 * PATCH not marked `readOnly`) the CRM may have carried out without its answer arriving (a
 * timeout, a 2xx or 5xx answer cut short) is not sent again: see `readOnly`.
 * A 401 is retried once, only after the credential was renewed (an OAuth refresh,
 * `renewAuthorization`); otherwise the connection has to be re-established by the user.
 * Every JSON body is parsed with zod; errors name the failing path, never a value.
 */
import { plural } from '../presentation';
import { describeSchemaIssues } from '../schema-issues';
import type { z } from 'zod';

export type CrmErrorKind =
  /** 401: the session or token is invalid or expired → the connection shows "reconnect". */
  | 'auth'
  /** 429s kept coming after every retry. */
  | 'rate'
  /** 5xx after every retry. */
  | 'server'
  /** Unreachable host, dropped connection, timeout, truncated body: after every retry. */
  | 'network'
  /** The CRM answered 2xx with JSON that does not have the shape we rely on (schema drift). */
  | 'schema'
  /** Any other 4xx: bad request, missing permission or scope, not found. Not retried. */
  | 'request'
  /** A paging cursor the CRM no longer knows (expired query locator). */
  | 'cursor-expired'
  /** The caller aborted. */
  | 'cancelled';

export class CrmError extends Error {
  /**
   * Set when the request was answered 401 and renewing the credential to send it again failed
   * (offline, the token endpoint's 5xx): `kind` and the message are the renewal's, and the CRM did
   * nothing of the request.
   */
  declare readonly renewalFailed?: true;
  /** What the CRM said of a refusal, its code and its message (`INVALID_SESSION_ID: This session is not valid…`), when it said anything. */
  declare readonly crmSaid?: string;

  constructor(
    readonly kind: CrmErrorKind,
    message: string,
    readonly status?: number,
    /** The CRM's own error code (`INVALID_SESSION_ID`, `MISSING_SCOPES`, …), when it gave one. */
    readonly crmCode?: string,
    { renewalFailed = false, crmSaid }: { renewalFailed?: boolean; crmSaid?: string } = {},
  ) {
    super(message);
    this.name = 'CrmError';
    if (renewalFailed) this.renewalFailed = true;
    if (crmSaid) this.crmSaid = crmSaid;
  }
}

export const isCrmError = (error: unknown, kind?: CrmErrorKind): error is CrmError =>
  error instanceof CrmError && (kind === undefined || error.kind === kind);

/** Injected so tests run without real time; the defaults are the real clock and Math.random. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled());
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** What every wait and request throws once the caller's signal is aborted (a request whose caller's time ran out says so instead: `HttpClient.request`). */
export const cancelled = () => new CrmError('cancelled', 'Cancelled');

/**
 * The page cursors one read of a list has asked with, so that a cursor the CRM answers with again
 * is refused, whether the page just read (A → A) or one pages back (A → B → A): followed, the
 * same pages would be read forever (the ids of a list piling up until the service worker runs out
 * of memory, or a sync spending the org's API allowance, which its other integrations share).
 */
export class PageCursors {
  private readonly askedWith = new Set<string>();

  constructor(
    private readonly crmLabel: string,
    private readonly what: string,
  ) {}

  /**
   * Refuses `next`, the cursor the page `requested` located answered with, when this read has
   * asked with it already; `requested` counts as asked (a job resumed on a stored cursor). No
   * cursor (the first or last page) passes.
   */
  refuseRepeat(requested: string | null | undefined, next: string | null | undefined): void {
    if (typeof requested === 'string') this.askedWith.add(requested);
    if (typeof next === 'string' && this.askedWith.has(next)) {
      throw new CrmError('schema', `${this.crmLabel} answered ${this.what} with the same page again; LeadLens stopped reading to avoid looping`);
    }
  }

  /** A read begun again from its start (its cursor forgotten by the CRM) may ask with the same cursors again. */
  startAgain(): void {
    this.askedWith.clear();
  }
}

/** Whether `signal` was aborted by its time running out (`AbortSignal.timeout`), not by someone cancelling. */
export const abortedByTimeout = (signal: AbortSignal | undefined): boolean =>
  signal?.aborted === true && typeof signal.reason === 'object' && signal.reason !== null && (signal.reason as { name?: unknown }).name === 'TimeoutError';

/**
 * At most `limit` requests in any `windowMs` (a sliding window, as HubSpot counts), and
 * nobody starts while a 429's `Retry-After` is running. Owned by one client instance: it is
 * a courtesy to the CRM, not state that must survive the service worker.
 */
export class RateLimiter {
  private readonly started: number[] = [];
  private pausedUntil = 0;

  constructor(
    private limit: number,
    readonly windowMs: number,
    private readonly clock: Clock = realClock,
  ) {}

  /** At most `limit` in any window from now on (the CRM stating its own); the requests already started still count. */
  setLimit(limit: number): void {
    this.limit = limit;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.started.length > 0 && this.started[0] <= now - this.windowMs) this.started.shift();
      const waitForPause = this.pausedUntil - now;
      const waitForWindow = this.started.length < this.limit ? 0 : this.started[0] + this.windowMs - now;
      const wait = Math.max(waitForPause, waitForWindow);
      if (wait <= 0) {
        this.started.push(now);
        return;
      }
      await this.clock.sleep(wait, signal);
    }
  }

  /** After a 429: nobody sends until `until`. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }
}

export interface RetryPolicy {
  /** Attempts for 5xx / network / timeout failures, the first included. */
  maxAttempts: number;
  /** 429s tolerated for one request before giving up. */
  maxRateLimited: number;
  /**
   * The longest one request spends waiting out 429s in all: a CRM still refusing past it fails
   * the request (and the sync asking) as `rate`, rather than holding it for as long as it refuses.
   */
  maxRateLimitedWaitMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The window taken to be refused by a 429 that says neither when to try again (`Retry-After`)
   * nor which window it is for: the wait after it starts there (`rateLimitedDelay`).
   */
  defaultRateWindowMs: number;
  /**
   * The longest Retry-After waited out. A longer one (a CRM's, or a proxy's, far-off date) fails
   * the request as `rate`, saying when to try again: waited, it held every call of the shared
   * client (badges, syncs, write-backs) for as long as it said.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  maxRateLimited: 30,
  maxRateLimitedWaitMs: 3 * 60_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  defaultRateWindowMs: 1_000,
  maxRetryAfterMs: 60_000,
};

export interface HttpClientOptions {
  /** Human name for messages: "Salesforce", "HubSpot". */
  crmLabel: string;
  /** Origin of the API, e.g. `https://acme.my.salesforce.com`. */
  origin: string;
  /** The `Authorization` header value, read at call time (a session cookie can change). */
  authorization(): Promise<string>;
  /**
   * After a 401 to `refused` (the `Authorization` value that request sent): renew the credential
   * (an OAuth refresh) and say whether to try once more. Absent, or false: the 401 is an `auth`
   * error and the user reconnects. A `CrmError` it throws is the request's, marked `renewalFailed`.
   */
  renewAuthorization?(refused: string): Promise<boolean>;
  /** The limiters a request must pass, e.g. HubSpot's 10-second window plus search's 4/s. */
  limitersFor(method: string, path: string): RateLimiter[];
  /** The CRM's error code and message from an error body; `what` is the request's (`RequestOptions.what`). */
  readErrorBody(body: unknown, what: string): CrmErrorBody;
  /**
   * How much of the org's or portal's shared API allowance is used, from an answer's headers;
   * null when they do not say, or say it in a shape not expected. Absent: the CRM never says.
   */
  readApiUsage?(headers: Headers): ApiUsage | null;
  /**
   * How much of the CRM's short request window (HubSpot's 10 seconds) is left, from an answer's
   * headers; null when they do not say. Absent: the CRM never says.
   */
  readRateWindow?(headers: Headers): RateWindow | null;
  /** The longest any request may go unanswered (the connection's setting). */
  timeoutMs: number;
  answerTimeout?: AnswerTimeoutPolicy;
  retry?: RetryPolicy;
  clock?: Clock;
  fetch?: typeof fetch;
}

/**
 * A CRM's count of the API requests its org or portal made against its allowance (a Salesforce
 * org's of the last 24 hours, a HubSpot account's of the day), which every integration of the org
 * draws from: `used` of `limit`. `used` can pass `limit` (Salesforce lets an org go over for a while).
 */
export interface ApiUsage {
  used: number;
  limit: number;
}

/**
 * What an answer says of the CRM's short request window, which counts every request made with
 * the token: those of other LeadLens users sharing it (reps of one role given one private-app
 * token) and other integrations too, not only this client's.
 */
export interface RateWindow {
  /** Requests the window still takes. */
  remaining: number;
  /** How long it is: a request made now stops counting against it this much later at most. */
  intervalMs: number;
}

/**
 * Requests kept back from a short window (`RateWindow`): once an answer says no more than these
 * are left, nobody sends until the window has passed. They cover requests already on their way,
 * this client's and those of others sharing the token, which would otherwise meet 429s.
 */
export const RATE_WINDOW_RESERVE = 10;

/**
 * How long a reading of the API allowance holds: the allowance frees up as it goes (Salesforce's
 * rolling 24 hours, HubSpot's day ending), and a job paused by a reading must not be paused again
 * by the same one when it resumes, the worker still alive, after no answer has said anything new.
 */
const API_USAGE_MAX_AGE_MS = 15 * 60_000;

/** A count as an API-usage header gives one (digits only, at most 12: no sign, exponent or fraction), or null for anything else. */
export function headerCount(value: string | null | undefined): number | null {
  return value !== null && value !== undefined && /^\d{1,12}$/.test(value) ? Number(value) : null;
}

export interface CrmErrorBody {
  code?: string;
  message?: string;
  /** A 429 for a daily quota used up: no wait within a sync ends it, so the request is not retried. */
  dailyLimitReached?: boolean;
  /** The length of the window a 429 says was used up (HubSpot's 10-second or 1-second limit), when it says which. */
  rateWindowMs?: number;
  /**
   * What a refusal (a 4xx other than 401 and 429) says instead of "refused <what>: HTTP <status>
   * (<code>: <message>)", when the CRM's answer tells what the admin must fix (HubSpot's missing scopes).
   */
  refusal?: string;
}

export interface RequestOptions<S extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PATCH';
  /** Path (with query) on the API origin. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  schema: S;
  /** What the call is, for messages: "query", "search contacts". */
  what: string;
  signal?: AbortSignal;
  /**
   * A POST that changes nothing in the CRM (a search, a batch read): like a GET, it may be sent
   * again when its answer does not come, and its wait is shortened once that kind of request has
   * been answered quickly (`AnswerTimeout`). Any other POST or PATCH is a write: it waits the full
   * timeout, and is not sent again once the CRM may have carried it out without its answer
   * arriving (no answer in time, a 2xx or 5xx cut short), as the CRM may still be running it: the second
   * would run the CRM's automation (Salesforce triggers and Flows) twice, and meet the first's
   * record locks.
   */
  readOnly?: boolean;
}

/** A 2xx answer, its body parsed. */
export interface CrmResponse<T> {
  status: number;
  data: T;
  /**
   * The CRM's clock when it answered (its `Date` header, epoch ms, to the second): unlike the
   * browser's, the clock its records are stamped by. Absent when it sent none readable.
   */
  date?: number;
}

export interface AnswerTimeoutPolicy {
  /** Answers of one kind of request seen before its wait is shortened. */
  minAnswers: number;
  /** How many recent answer times are kept per kind of request. */
  window: number;
  /** The shortened wait: this many times the slowest recent answer… */
  factor: number;
  /** …but never less than this. */
  floorMs: number;
}

export const DEFAULT_ANSWER_TIMEOUT: AnswerTimeoutPolicy = { minAnswers: 5, window: 20, factor: 10, floorMs: 5_000 };

/**
 * How long one attempt of a read (a GET, a `readOnly` POST) waits for its answer; a write waits
 * the full ceiling, as it is not sent again. A stalled connection would otherwise cost the whole
 * configured timeout (30 s by default) on a CRM that answers the same kind of request in well
 * under a second. Once a few answers of that kind are in, a first attempt waits `factor` times
 * the slowest recent one (within floor and ceiling); a retry after a timeout waits the full
 * ceiling, so a CRM that has turned slow costs one short wait, not a failure.
 */
export class AnswerTimeout {
  /** Recent answer times in ms, per kind of request (`RequestOptions.what`). */
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly ceilingMs: number,
    private readonly policy: AnswerTimeoutPolicy = DEFAULT_ANSWER_TIMEOUT,
  ) {}

  record(what: string, ms: number): void {
    const times = this.recent.get(what) ?? [];
    times.push(ms);
    if (times.length > this.policy.window) times.shift();
    this.recent.set(what, times);
  }

  forAttempt(what: string, afterTimeout: boolean): number {
    const times = this.recent.get(what) ?? [];
    if (afterTimeout || times.length < this.policy.minAnswers) return this.ceilingMs;
    const shortened = Math.max(this.policy.floorMs, this.policy.factor * Math.max(...times));
    return Math.min(this.ceilingMs, shortened);
  }
}

/**
 * `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unusable.
 * For a date, `now` is best the answer's own `Date` (the CRM's clock, which set it), not the browser's.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** A wait as an admin would say it: "3 minutes", "about 2 hours", "about 5 days". */
function durationInWords(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return plural(minutes, 'minute', 'minutes');
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `about ${plural(hours, 'hour', 'hours')}` : `about ${plural(Math.round(hours / 24), 'day', 'days')}`;
}

/** An HTTP `Date` header in epoch ms; undefined when absent or unreadable. */
export function parseHttpDate(value: string | null): number | undefined {
  const date = value === null ? Number.NaN : Date.parse(value);
  return Number.isFinite(date) ? date : undefined;
}

/** Full jitter: uniform in [0, min(max, base·2^attempt)] so retrying clients spread out. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number, baseMs = policy.baseDelayMs): number {
  return random() * Math.min(policy.maxDelayMs, baseMs * 2 ** attempt);
}

/**
 * The wait after the `count`-th 429 in a row of one request that gave no `Retry-After`: the window
 * it refused (`windowMs`), for the requests counted in it to leave it, and a backoff starting at
 * that window and doubling with each 429 (full jitter), so that several clients refused at once
 * (LeadLens users sharing a token) spread out rather than meet the limit again together.
 */
function rateLimitedDelay(count: number, windowMs: number, policy: RetryPolicy, random: () => number): number {
  return windowMs + backoffDelay(count - 1, policy, random, windowMs);
}

export class HttpClient {
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;
  private readonly answerTimeout: AnswerTimeout;
  /** The latest reading of the API allowance any answer gave (`readApiUsage`) and when, in memory only. */
  private latestApiUsage: { usage: ApiUsage; at: number } | null = null;

  constructor(private readonly options: HttpClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.clock = options.clock ?? realClock;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.answerTimeout = new AnswerTimeout(options.timeoutMs, options.answerTimeout);
  }

  /**
   * The latest reading of the API allowance (`HttpClientOptions.readApiUsage`), or null before any
   * answer gave one, or once it is API_USAGE_MAX_AGE_MS old. An answer without one (a HubSpot
   * search's) leaves the last as it is.
   */
  apiUsage(): ApiUsage | null {
    const latest = this.latestApiUsage;
    return latest && this.clock.now() - latest.at < API_USAGE_MAX_AGE_MS ? latest.usage : null;
  }

  async request<S extends z.ZodType>(request: RequestOptions<S>): Promise<CrmResponse<z.infer<S>>> {
    const failed = { last: '' };
    try {
      return await this.send(request, failed);
    } catch (error) {
      // The caller's time limit (a connection check's minute) running out is no cancel: the CRM did not answer in it.
      if (isCrmError(error, 'cancelled') && abortedByTimeout(request.signal)) {
        throw new CrmError('network', `${this.options.crmLabel} did not answer ${request.what} in the time it was given${failed.last ? `; last: ${failed.last}` : ''}`);
      }
      throw error;
    }
  }

  /** `request`, noting in `failed` why its last failed attempt failed. */
  private async send<S extends z.ZodType>(request: RequestOptions<S>, failed: { last: string }): Promise<CrmResponse<z.infer<S>>> {
    const { crmLabel } = this.options;
    const method = request.method ?? 'GET';
    let failures = 0;
    let rateLimited = 0;
    let rateLimitedWaitMs = 0;
    let renewed = false;
    let timedOut = false;
    const safeToSendAgain = method === 'GET' || request.readOnly === true;
    for (;;) {
      if (request.signal?.aborted) throw cancelled();
      for (const limiter of this.options.limitersFor(method, request.path)) await limiter.acquire(request.signal);
      const waitMs = safeToSendAgain ? this.answerTimeout.forAttempt(request.what, timedOut) : this.options.timeoutMs;
      const outcome = await this.attempt(method, request, waitMs);
      if (outcome.kind === 'ok') return this.parse(outcome, request);
      if (outcome.kind === 'rate') {
        rateLimited++;
        const { retryAfterMs } = outcome;
        if (retryAfterMs !== undefined && retryAfterMs > this.retry.maxRetryAfterMs) {
          throw new CrmError('rate', `${crmLabel} answered 429 (rate limit) to ${request.what}, asking LeadLens to wait ${durationInWords(retryAfterMs)}: try again after ${new Date(this.clock.now() + retryAfterMs).toLocaleString()}`, 429);
        }
        // A window said to be longer than the longest Retry-After waited out is held to it, as the CRM's own say would be refused.
        const windowMs = Math.min(outcome.windowMs ?? this.retry.defaultRateWindowMs, this.retry.maxRetryAfterMs);
        const waitMs = retryAfterMs ?? rateLimitedDelay(rateLimited, windowMs, this.retry, this.clock.random);
        if (rateLimited > this.retry.maxRateLimited || rateLimitedWaitMs + waitMs > this.retry.maxRateLimitedWaitMs) {
          throw new CrmError('rate', `${crmLabel} kept answering 429 (rate limit) to ${request.what} after LeadLens waited ${plural(rateLimited - 1, 'time', 'times')} (${durationInWords(rateLimitedWaitMs)} in all): other users or integrations sharing its limit may be using it up; try again later`, 429);
        }
        rateLimitedWaitMs += waitMs;
        const until = this.clock.now() + waitMs;
        this.holdLimiters(method, request.path, until);
        await this.clock.sleep(until - this.clock.now(), request.signal);
        continue;
      }
      if (outcome.kind === 'fatal') {
        const renew = this.options.renewAuthorization;
        if (outcome.refusedAuthorization !== undefined && renew && !renewed) {
          renewed = true; // once: a credential refused right after renewal will not get better
          const retry = await renew(outcome.refusedAuthorization).catch((error: unknown) => {
            throw isCrmError(error) ? new CrmError(error.kind, error.message, error.status, error.crmCode, { renewalFailed: true }) : error;
          });
          if (retry) continue;
        }
        throw outcome.error;
      }
      if (outcome.reachedCrm && !safeToSendAgain) {
        const unanswered = outcome.timedOut ? `did not answer ${request.what} within ${waitMs / 1000} s` : `answered ${request.what} with HTTP ${outcome.status} but a body cut short`;
        throw new CrmError('network', `${crmLabel} ${unanswered}; LeadLens did not send it again, as ${crmLabel} may have done it already`, outcome.status);
      }
      failures++;
      failed.last = outcome.reason;
      timedOut = outcome.timedOut === true;
      if (failures >= this.retry.maxAttempts) {
        throw new CrmError(outcome.errorKind, `${crmLabel} ${request.what} failed ${failures} times; last: ${failed.last}`, outcome.status);
      }
      await this.clock.sleep(backoffDelay(failures - 1, this.retry, this.clock.random), request.signal);
    }
  }

  /** Nobody sends through the limiters of `method` `path` before `until`. */
  private holdLimiters(method: string, path: string, until: number): void {
    for (const limiter of this.options.limitersFor(method, path)) limiter.pause(until);
  }

  private async attempt(method: string, request: RequestOptions<z.ZodType>, timeoutMs: number): Promise<Attempt> {
    const { crmLabel, origin } = this.options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const startedAt = this.clock.now();
    let response: Response;
    let authorization: string;
    try {
      authorization = await this.options.authorization();
      response = await this.fetchImpl(new URL(request.path, origin), {
        method,
        headers: {
          accept: 'application/json',
          authorization,
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        credentials: 'omit', // the Authorization header is the only credential sent
        // Followed, a redirect would send the body (leads' values) to whatever host it names, and
        // take that host's answer for the CRM's: one is refused below.
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (request.signal?.aborted) return { kind: 'fatal', error: cancelled() };
      if (isCrmError(error)) return { kind: 'fatal', error }; // from authorization(): no session
      if (timeout.aborted) return { kind: 'retry', errorKind: 'network', reason: `no answer within ${timeoutMs / 1000} s`, timedOut: true, reachedCrm: true };
      return { kind: 'retry', errorKind: 'network', reason: `could not reach ${origin} (${errorName(error)})` };
    }
    if (isRedirect(response)) {
      return { kind: 'fatal', error: new CrmError('request', `${crmLabel} answered ${request.what} with a redirect, which LeadLens does not follow: it sends requests to ${origin} only. If the address changed (a Salesforce My Domain renamed), connect again with the new one`, response.status) };
    }
    // Any answer, a refusal too, says how much of the allowance is used, and of the short window.
    const usage = this.options.readApiUsage?.(response.headers);
    if (usage) this.latestApiUsage = { usage, at: this.clock.now() };
    const rateWindow = this.options.readRateWindow?.(response.headers) ?? null;
    if (rateWindow && rateWindow.remaining <= RATE_WINDOW_RESERVE) {
      // Others sharing the token may have used the rest: the next request waits for the window to pass, rather than meet a 429.
      this.holdLimiters(method, request.path, this.clock.now() + Math.min(rateWindow.intervalMs, this.retry.maxRetryAfterMs));
    }
    const { status } = response;
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (request.signal?.aborted) return { kind: 'fatal', error: cancelled() };
      // A 2xx, or a 5xx (a gateway's 502 or 504 can come after the work), may mean the CRM did it: a write is not sent again.
      if (mayHaveBeenDone(status)) {
        if (timeout.aborted) return { kind: 'retry', errorKind: 'network', reason: `HTTP ${status} but not the whole answer within ${timeoutMs / 1000} s`, status, timedOut: true, reachedCrm: true };
        return { kind: 'retry', errorKind: 'network', reason: `HTTP ${status} with a body cut short (${errorName(error)})`, status, reachedCrm: true };
      }
      // A 429 or another 4xx says it did not: it is what its status says (a 429 waited out, a refusal), told without its body.
      text = '';
    }
    if (status >= 200 && status < 300) {
      const json = tryJson(text);
      // A web page in the API's place is someone else's answer (a sign-in portal, a proxy's block
      // page), and would be the same again: said as such at once, not retried as a cut-short body.
      if (json === undefined && text.trimStart().startsWith('<')) {
        return { kind: 'fatal', error: new CrmError('network', `${crmLabel} answered ${request.what} with a web page, not its API's data: a sign-in page, proxy or VPN between this browser and ${origin} may be answering in its place`, status) };
      }
      // A 2xx body that is not JSON was cut short on the way (proxy, dropped connection): a read is sent again.
      if (json === undefined) return { kind: 'retry', errorKind: 'network', reason: `HTTP ${status} with a body that is not JSON (truncated?)`, status, reachedCrm: true };
      // Only full answers count: a quick 429 or 5xx says nothing of how long the work takes.
      this.answerTimeout.record(request.what, this.clock.now() - startedAt);
      return { kind: 'ok', status, json, date: parseHttpDate(response.headers.get('date')) };
    }
    const { code, message, dailyLimitReached, rateWindowMs, refusal } = this.options.readErrorBody(tryJson(text), request.what);
    const said = [code, message].filter(Boolean).join(': ');
    const detail = said ? ` (${said})` : '';
    if (status === 429 && dailyLimitReached) {
      return { kind: 'fatal', error: new CrmError('rate', `${crmLabel}'s daily API limit is used up: try again tomorrow${detail}`, status, code) };
    }
    if (status === 429) {
      // A date to retry after is measured on the clock that wrote it: a browser's clock minutes fast would wait not at all, minutes slow far too long.
      const crmNow = parseHttpDate(response.headers.get('date')) ?? this.clock.now();
      // The window its policy names first: a search's 1-second limit may come with the headers of the 10-second one.
      return { kind: 'rate', retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), crmNow), windowMs: rateWindowMs ?? rateWindow?.intervalMs };
    }
    if (status === 401) return { kind: 'fatal', error: new CrmError('auth', `${crmLabel} rejected the credentials: HTTP 401${detail}`, status, code, { crmSaid: said }), refusedAuthorization: authorization };
    if (status >= 500) return { kind: 'retry', errorKind: 'server', reason: `HTTP ${status}${detail}`, status };
    return { kind: 'fatal', error: new CrmError('request', refusal ?? `${crmLabel} refused ${request.what}: HTTP ${status}${detail}`, status, code) };
  }

  private parse<S extends z.ZodType>(outcome: { status: number; json: unknown; date?: number }, request: RequestOptions<S>): CrmResponse<z.infer<S>> {
    const parsed = request.schema.safeParse(outcome.json);
    if (!parsed.success) {
      throw new CrmError('schema', `${this.options.crmLabel} answered ${request.what} in an unexpected shape: ${describeSchemaIssues(parsed.error)}`, outcome.status);
    }
    return { status: outcome.status, data: parsed.data, ...(outcome.date !== undefined && { date: outcome.date }) };
  }
}

type Attempt =
  | { kind: 'ok'; status: number; json: unknown; date?: number }
  /** `windowMs`: the length of the window refused, when the answer says it. */
  | { kind: 'rate'; retryAfterMs: number | undefined; windowMs?: number }
  /** `reachedCrm`: the CRM may have carried the request out (no answer in time, a 2xx or 5xx answer's body cut short): a write is not sent again. */
  | { kind: 'retry'; errorKind: 'server' | 'network'; reason: string; status?: number; timedOut?: true; reachedCrm?: true }
  /** `refusedAuthorization`: after a 401, the `Authorization` value refused. */
  | { kind: 'fatal'; error: CrmError; refusedAuthorization?: string };

/** Whether an answer of `status` may come after the CRM carried the request out: a 2xx, or a 5xx (a gateway's, after the work). */
const mayHaveBeenDone = (status: number): boolean => (status >= 200 && status < 300) || status >= 500;

/**
 * Whether `response` (of a fetch with `redirect: 'manual'`) is a redirect: a browser gives an
 * opaque response of status 0 for one, Node the 3xx itself.
 */
export function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error's class name only: messages of network errors can carry URLs with ids. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
