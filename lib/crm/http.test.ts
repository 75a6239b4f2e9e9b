import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AnswerTimeout, CrmError, DEFAULT_RETRY, HttpClient, RATE_WINDOW_RESERVE, RateLimiter, backoffDelay, parseRetryAfter, type HttpClientOptions } from './http';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { redirectingServer } from '../../test/redirecting-server';

const Ok = z.object({ ok: z.literal(true) });

function client(fetchImpl: typeof fetch, overrides: Partial<HttpClientOptions> = {}) {
  const clock = virtualClock();
  const http = new HttpClient({
    crmLabel: 'TestCRM',
    origin: 'https://crm.test',
    authorization: async () => 'Bearer secret-token-value',
    limitersFor: () => [],
    readErrorBody: (body) => (body && typeof body === 'object' && 'code' in body ? { code: String(body.code) } : {}),
    timeoutMs: 1000,
    clock,
    fetch: fetchImpl,
    ...overrides,
  });
  return { http, clock };
}

const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers });

/** An answer whose body stream fails part-way, as when the connection drops mid-body. */
const droppedMidBody = (status: number, headers: Record<string, string> = {}) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"ok": tr'));
        controller.error(new TypeError('network error'));
      },
    }),
    { status, headers },
  );

describe('parseRetryAfter', () => {
  it.each([
    ['2', 2000],
    ['0', 0],
    ['Sun, 01 Nov 2026 00:00:05 GMT', 5000],
    ['', undefined],
    [null, undefined],
    ['soon', undefined],
  ])('%s → %s ms', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('2026-11-01T00:00:00Z'))).toBe(ms);
  });
});

it('backs off exponentially with full jitter, capped', () => {
  expect(backoffDelay(0, DEFAULT_RETRY, () => 0.999)).toBeCloseTo(500, -1);
  expect(backoffDelay(3, DEFAULT_RETRY, () => 0.999)).toBeCloseTo(4000, -1);
  expect(backoffDelay(20, DEFAULT_RETRY, () => 0.999)).toBeLessThanOrEqual(DEFAULT_RETRY.maxDelayMs);
  expect(backoffDelay(3, DEFAULT_RETRY, () => 0)).toBe(0);
});

describe('AnswerTimeout', () => {
  const policy = { minAnswers: 3, window: 4, factor: 10, floorMs: 500 };

  it('waits the full ceiling until it has seen enough answers of that kind', () => {
    const timeout = new AnswerTimeout(30_000, policy);
    timeout.record('search', 80);
    timeout.record('search', 120);
    expect(timeout.forAttempt('search', false)).toBe(30_000);
    timeout.record('search', 100);
    expect(timeout.forAttempt('search', false)).toBe(1_200); // 10 × the slowest, 120 ms
    expect(timeout.forAttempt('describe', false)).toBe(30_000); // another kind has its own answers
  });

  it('keeps within floor and ceiling, forgets old answers, and waits the ceiling after a timeout', () => {
    const timeout = new AnswerTimeout(30_000, policy);
    for (const ms of [10, 20, 30]) timeout.record('page', ms);
    expect(timeout.forAttempt('page', false)).toBe(500); // 10 × 30 = 300 < floor
    timeout.record('page', 5_000);
    expect(timeout.forAttempt('page', false)).toBe(30_000); // 10 × 5 s > ceiling
    for (const ms of [40, 40, 40, 40]) timeout.record('page', ms); // the 5 s answer leaves the window of 4
    expect(timeout.forAttempt('page', false)).toBe(500);
    expect(timeout.forAttempt('page', true)).toBe(30_000);
  });
});

it('lets at most `limit` requests start in any window', async () => {
  const clock = virtualClock(0);
  const limiter = new RateLimiter(4, 1000, clock);
  const starts: number[] = [];
  for (let i = 0; i < 10; i++) {
    await limiter.acquire();
    starts.push(clock.now());
  }
  expect(starts).toEqual([0, 0, 0, 0, 1000, 1000, 1000, 1000, 2000, 2000]);
  limiter.pause(5000);
  await limiter.acquire();
  expect(clock.now()).toBe(5000);
});

describe('HttpClient', () => {
  it('retries 5xx and bodies cut short with backoff, then returns the parsed body', async () => {
    const fetchImpl = vi.fn<typeof fetch>()
      .mockResolvedValueOnce(reply(500, { code: 'BOOM' }))
      .mockResolvedValueOnce(reply(200, '{"ok": tr'))
      .mockResolvedValueOnce(reply(200, { ok: true }));
    const { http, clock } = client(fetchImpl);
    await expect(http.request({ path: '/x', schema: Ok, what: 'test' })).resolves.toEqual({ status: 200, data: { ok: true } });
    expect(fetchImpl).toHaveBeenCalledTimes(3);
    expect(clock.slept).toBeGreaterThan(0);
  });

  it('fails at once, saying what may stand in the CRM’s place, when a 2xx answer is a web page (a sign-in portal, a proxy’s block page): sent again, it would be the same page', async () => {
    const portal = '\n<!DOCTYPE html><html><body>Please sign in to the guest network</body></html>';
    const fetchImpl = vi.fn<typeof fetch>().mockResolvedValue(reply(200, portal, { 'content-type': 'text/html' }));
    const { http } = client(fetchImpl);
    await expect(http.request({ path: '/x', schema: Ok, what: 'read contacts' })).rejects.toMatchObject({
      kind: 'network',
      status: 200,
      message: "TestCRM answered read contacts with a web page, not its API's data: a sign-in page, proxy or VPN between this browser and https://crm.test may be answering in its place",
    });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('sends a GET again when the connection drops in the middle of its answer', async () => {
    const fetchImpl = vi.fn<typeof fetch>().mockResolvedValueOnce(droppedMidBody(200)).mockResolvedValueOnce(reply(200, { ok: true }));
    const { http } = client(fetchImpl);
    await expect(http.request({ path: '/x', schema: Ok, what: 'test' })).resolves.toEqual({ status: 200, data: { ok: true } });
    expect(fetchImpl).toHaveBeenCalledTimes(2);
  });

  it('fails a GET at once when the connection drops in the middle of a refusal: sent again, it would be refused again', async () => {
    const fetchImpl = vi.fn<typeof fetch>().mockResolvedValueOnce(droppedMidBody(403)).mockResolvedValue(reply(200, { ok: true }));
    const { http } = client(fetchImpl);
    await expect(http.request({ path: '/x', schema: Ok, what: 'read contacts' })).rejects.toMatchObject({ kind: 'request', status: 403, message: 'TestCRM refused read contacts: HTTP 403' });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('sends a body as JSON and says so (the CRMs refuse a body of any other type with 415), asking for JSON back; a request without a body names no type', async () => {
    const fetchImpl = vi.fn<typeof fetch>().mockImplementation(async () => reply(200, { ok: true }));
    const { http } = client(fetchImpl);
    await http.request({ method: 'PATCH', path: '/records', body: { records: [{ Id: 'x', Score__c: 90 }] }, schema: Ok, what: 'update' });
    await http.request({ path: '/records/x', schema: Ok, what: 'read' });
    const [[, update], [, read]] = fetchImpl.mock.calls;
    expect(update).toMatchObject({ method: 'PATCH', body: '{"records":[{"Id":"x","Score__c":90}]}' });
    expect(update?.headers).toEqual({ accept: 'application/json', authorization: 'Bearer secret-token-value', 'content-type': 'application/json' });
    expect(read).toMatchObject({ method: 'GET', body: undefined });
    expect(read?.headers).toEqual({ accept: 'application/json', authorization: 'Bearer secret-token-value' });
  });

  it('returns the CRM’s clock from the answer’s Date header, and none when it sent none readable', async () => {
    const answered = (headers: Record<string, string>) => client(async () => reply(200, { ok: true }, headers)).http.request({ path: '/x', schema: Ok, what: 'test' });
    await expect(answered({ date: 'Sun, 01 Nov 2026 12:00:05 GMT' })).resolves.toEqual({ status: 200, data: { ok: true }, date: Date.parse('2026-11-01T12:00:05Z') });
    expect(await answered({})).not.toHaveProperty('date');
    expect(await answered({ date: 'yesterday' })).not.toHaveProperty('date');
  });

  it('waits for Retry-After on 429 before trying again', async () => {
    const fetchImpl = vi.fn<typeof fetch>().mockResolvedValueOnce(reply(429, {}, { 'retry-after': '3' })).mockResolvedValueOnce(reply(200, { ok: true }));
    const { http, clock } = client(fetchImpl);
    await http.request({ path: '/x', schema: Ok, what: 'test' });
    expect(clock.slept).toBe(3000);
  });

  it.each([
    ['4 minutes fast', 4 * 60_000],
    ['2 minutes slow', -2 * 60_000],
    ['right', 0],
  ])('waits out a Retry-After date on the CRM’s clock (its Date header), the browser’s being %s', async (_, skewMs) => {
    const crmNow = Date.parse('2026-11-01T12:00:00Z');
    const fetchImpl = vi.fn<typeof fetch>()
      .mockResolvedValueOnce(reply(429, {}, { date: 'Sun, 01 Nov 2026 12:00:00 GMT', 'retry-after': 'Sun, 01 Nov 2026 12:00:05 GMT' }))
      .mockResolvedValueOnce(reply(200, { ok: true }));
    const clock = virtualClock(crmNow + skewMs);
    const { http } = client(fetchImpl, { clock });
    await expect(http.request({ path: '/x', schema: Ok, what: 'test' })).resolves.toMatchObject({ data: { ok: true } });
    expect(clock.slept).toBe(5000);
  });

  it('measures a Retry-After date on the browser’s clock when the answer has no readable Date', async () => {
    for (const headers of [{}, { date: 'soon' }] as Record<string, string>[]) {
      const fetchImpl = vi.fn<typeof fetch>()
        .mockResolvedValueOnce(reply(429, {}, { ...headers, 'retry-after': 'Sun, 01 Nov 2026 12:00:05 GMT' }))
        .mockResolvedValueOnce(reply(200, { ok: true }));
      const clock = virtualClock(Date.parse('2026-11-01T12:00:01Z'));
      await client(fetchImpl, { clock }).http.request({ path: '/x', schema: Ok, what: 'test' });
      expect(clock.slept).toBe(4000);
    }
  });

  it('does not wait out a Retry-After longer than a minute: it fails as a rate error saying when to try again, and holds no other call', async () => {
    const fetchImpl = vi.fn<typeof fetch>()
      .mockResolvedValueOnce(reply(429, {}, { 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' }))
      .mockResolvedValueOnce(reply(429, {}, { 'retry-after': '7200' }))
      .mockResolvedValueOnce(reply(429, {}, { 'retry-after': '60' }))
      .mockResolvedValue(reply(200, { ok: true }));
    const clock = virtualClock();
    const limiter = new RateLimiter(100, 10_000, clock);
    const { http } = client(fetchImpl, { clock, limitersFor: () => [limiter] });
    const farOff = await http.request({ path: '/x', schema: Ok, what: 'read contacts' }).catch((e: unknown) => e);
    expect(farOff).toBeInstanceOf(CrmError);
    expect(farOff).toMatchObject({ kind: 'rate', status: 429 });
    expect((farOff as Error).message).toMatch(/^TestCRM answered 429 \(rate limit\) to read contacts, asking LeadLens to wait about [\d,]+ days: try again after .*2100/);
    const hours = await http.request({ path: '/x', schema: Ok, what: 'read contacts' }).catch((e: unknown) => e);
    expect((hours as Error).message).toContain('asking LeadLens to wait about 2 hours: try again after');
    // Neither was waited out, nor held the client: a minute's Retry-After still is.
    expect(clock.slept).toBe(0);
    await expect(http.request({ path: '/x', schema: Ok, what: 'read contacts' })).resolves.toMatchObject({ data: { ok: true } });
    expect(clock.slept).toBe(60_000);
  });

  describe('the CRM’s short request window, shared with everyone using the token', () => {
    /** Reads a test CRM's window headers, as HubSpot's client reads its own. */
    const readRateWindow: HttpClientOptions['readRateWindow'] = (headers) =>
      headers.has('x-left') ? { remaining: Number(headers.get('x-left')), intervalMs: Number(headers.get('x-window-ms')) } : null;
    const windowSays = (left: number, windowMs = 10_000) => ({ 'x-left': String(left), 'x-window-ms': String(windowMs) });

    it('holds the next request back until the window has passed once an answer says only the reserve is left (others sharing the token used the rest), not before', async () => {
      const fetchImpl = vi.fn<typeof fetch>()
        .mockResolvedValueOnce(reply(200, { ok: true }, windowSays(RATE_WINDOW_RESERVE + 1)))
        .mockResolvedValueOnce(reply(200, { ok: true }, windowSays(RATE_WINDOW_RESERVE)))
        .mockResolvedValueOnce(reply(200, { ok: true }, windowSays(80)))
        .mockResolvedValueOnce(reply(200, { ok: true }, windowSays(0, 86_400_000)))
        .mockResolvedValue(reply(200, { ok: true }));
      const clock = virtualClock();
      const limiter = new RateLimiter(100, 10_000, clock);
      const { http } = client(fetchImpl, { clock, readRateWindow, limitersFor: () => [limiter] });
      const sentAt: number[] = [];
      for (let i = 0; i < 5; i++) {
        await http.request({ path: '/x', schema: Ok, what: 'read contacts' });
        sentAt.push(clock.now());
      }
      // The third waited out the window the second's answer named; a window said to last a day holds the next for a minute at most.
      expect(sentAt.map((at) => at - sentAt[0])).toEqual([0, 0, 10_000, 10_000, 70_000]);
      expect(fetchImpl).toHaveBeenCalledTimes(5);
    });

    it('waits out the window a 429 without Retry-After names, backing off from it with jitter, longer at each 429 in a row', async () => {
      const tooMany = (headers: Record<string, string> = {}) => reply(429, { code: 'RATE_LIMIT' }, headers);
      const cases: [string, Partial<HttpClientOptions>, Response[], number[]][] = [
        ['naming no window', {}, [tooMany(), tooMany()], [1_500, 2_000]],
        ['naming its window in the headers', { readRateWindow }, [tooMany(windowSays(0)), tooMany(windowSays(0))], [15_000, 20_000]],
        ['naming its window in the body (a HubSpot policy)', { readErrorBody: () => ({ rateWindowMs: 10_000 }) }, [tooMany(), tooMany()], [15_000, 20_000]],
      ];
      for (const [name, overrides, refusals, waits] of cases) {
        const fetchImpl = vi.fn<typeof fetch>();
        for (const refusal of refusals) fetchImpl.mockResolvedValueOnce(refusal);
        fetchImpl.mockResolvedValue(reply(200, { ok: true }));
        const clock = virtualClock(0); // its random() is 0.5: half of each backoff
        const sentAt: number[] = [];
        const { http } = client(async (input, init) => (sentAt.push(clock.now()), fetchImpl(input, init)), { clock, ...overrides });
        await expect(http.request({ path: '/x', schema: Ok, what: 'read contacts' }), name).resolves.toMatchObject({ data: { ok: true } });
        expect(sentAt.slice(1).map((at, i) => at - sentAt[i]), name).toEqual(waits);
      }
    });

    it('spreads the waits of clients refused at once, each at least the window', async () => {
      const waits = [0, 0.3, 0.99].map((roll) => {
        const clock = virtualClock(0, () => roll);
        const { http } = client(vi.fn<typeof fetch>().mockResolvedValueOnce(reply(429, {})).mockResolvedValue(reply(200, { ok: true })), { clock, readErrorBody: () => ({ rateWindowMs: 10_000 }) });
        return http.request({ path: '/x', schema: Ok, what: 'read contacts' }).then(() => clock.slept);
      });
      expect(await Promise.all(waits)).toEqual([10_000, 13_000, 19_900]);
    });

    it('gives up with a rate error, saying so in plain words, once it has waited 3 minutes in all for a CRM that keeps refusing', async () => {
      const fetchImpl = vi.fn<typeof fetch>().mockResolvedValue(reply(429, {}, windowSays(0)));
      const clock = virtualClock();
      const { http } = client(fetchImpl, { clock, readRateWindow });
      const error = await http.request({ path: '/x', schema: Ok, what: 'search contacts' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'rate', status: 429 });
      // The 10-second window and half the backoff (random() is 0.5): 15 s, 20 s, then 25 s (the backoff's 30 s ceiling) until the next would pass 3 minutes.
      expect(clock.slept).toBe(160_000);
      expect(fetchImpl).toHaveBeenCalledTimes(8);
      expect((error as Error).message).toBe('TestCRM kept answering 429 (rate limit) to search contacts after LeadLens waited 7 times (3 minutes in all): other users or integrations sharing its limit may be using it up; try again later');
    });
  });

  it('never retries a 401, and says it is about the credentials', async () => {
    const fetchImpl = vi.fn<typeof fetch>().mockResolvedValue(reply(401, { code: 'INVALID_SESSION_ID' }));
    const { http } = client(fetchImpl);
    const error = await http.request({ path: '/x', schema: Ok, what: 'test' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'auth', status: 401, crmCode: 'INVALID_SESSION_ID' });
    expect((error as Error).message).toContain('INVALID_SESSION_ID');
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('says a refusal in the words the CRM’s error body gives for it (what the admin must fix), keeping its kind, status and code; others as the CRM said them', async () => {
    const readErrorBody = vi.fn((body: unknown, what: string) => ({ code: 'MISSING_SCOPES', ...((body as { scope?: string }).scope && { refusal: `Give the app ${(body as { scope: string }).scope} to ${what}` }) }));
    const refusedWith = (body: unknown) => client(vi.fn<typeof fetch>().mockResolvedValue(reply(403, body)), { readErrorBody }).http.request({ path: '/x', schema: Ok, what: 'read contacts' }).catch((e: unknown) => e);
    expect(await refusedWith({ scope: 'contacts.read' })).toMatchObject({ kind: 'request', status: 403, crmCode: 'MISSING_SCOPES', message: 'Give the app contacts.read to read contacts' });
    expect(readErrorBody).toHaveBeenCalledWith({ scope: 'contacts.read' }, 'read contacts');
    expect(await refusedWith({})).toMatchObject({ kind: 'request', status: 403, message: 'TestCRM refused read contacts: HTTP 403 (MISSING_SCOPES)' });
  });

  it('a 401 whose renewal fails (offline) fails with the renewal’s error, marked as a refused request: the CRM did nothing of it', async () => {
    const fetchImpl = vi.fn<typeof fetch>().mockResolvedValue(reply(401, { code: 'INVALID_SESSION_ID' }));
    const renewAuthorization = vi.fn(async () => {
      throw new CrmError('network', 'Could not reach crm.test for a token (TypeError)');
    });
    const { http } = client(fetchImpl, { renewAuthorization });
    const error = await http.request({ path: '/x', schema: Ok, what: 'test' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'network', message: 'Could not reach crm.test for a token (TypeError)', renewalFailed: true });
    expect(renewAuthorization).toHaveBeenCalledWith('Bearer secret-token-value');
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    // Failures of the request itself are not so marked.
    const lost = await client(vi.fn<typeof fetch>().mockImplementation(async () => reply(503, {}))).http.request({ path: '/x', schema: Ok, what: 'test' }).catch((e: unknown) => e);
    expect(lost).toMatchObject({ kind: 'server' });
    expect((lost as CrmError).renewalFailed).toBeUndefined();
  });

  it('gives up after maxAttempts server errors with a server error', async () => {
    const fetchImpl = vi.fn<typeof fetch>().mockImplementation(async () => reply(503, {}));
    const { http } = client(fetchImpl);
    await expect(http.request({ path: '/x', schema: Ok, what: 'test' })).rejects.toMatchObject({ kind: 'server' });
    expect(fetchImpl).toHaveBeenCalledTimes(DEFAULT_RETRY.maxAttempts);
  });

  it('treats a request that does not answer in time as a network failure and retries it', async () => {
    let calls = 0;
    const fetchImpl: typeof fetch = (_input, init) => {
      calls++;
      if (calls === 2) return Promise.resolve(reply(200, { ok: true }));
      return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    };
    const { http } = client(fetchImpl, { timeoutMs: 30 });
    await expect(http.request({ path: '/x', schema: Ok, what: 'test' })).resolves.toMatchObject({ data: { ok: true } });
    expect(calls).toBe(2);
  });

  describe('a stalled answer, once the CRM has answered that kind of request quickly', () => {
    const stallingAfter = (answers: number, alsoAnswer: number[] = []) => {
      let calls = 0;
      const fetchImpl: typeof fetch = (_input, init) => {
        calls++;
        if (calls <= answers || alsoAnswer.includes(calls)) return Promise.resolve(reply(200, { ok: true }));
        return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
      };
      return { fetchImpl, calls: () => calls };
    };
    // The virtual clock makes every answer take 0 ms, so the shortened wait is the floor.
    const answerTimeout = { minAnswers: 5, window: 20, factor: 10, floorMs: 20 };

    it('is given up after the short wait, not the full timeout', async () => {
      const { fetchImpl, calls } = stallingAfter(5, [7]);
      // With the full 60 s wait this test would time out.
      const { http } = client(fetchImpl, { timeoutMs: 60_000, answerTimeout });
      for (let i = 0; i < 5; i++) await http.request({ path: '/x', schema: Ok, what: 'page' });
      await expect(http.request({ path: '/x', schema: Ok, what: 'page' })).resolves.toMatchObject({ data: { ok: true } });
      expect(calls()).toBe(7);
    });

    it('is retried with the full timeout', async () => {
      const { fetchImpl } = stallingAfter(5);
      const { http } = client(fetchImpl, { timeoutMs: 300, answerTimeout, retry: { ...DEFAULT_RETRY, maxAttempts: 2 } });
      for (let i = 0; i < 5; i++) await http.request({ path: '/x', schema: Ok, what: 'page' });
      await expect(http.request({ path: '/x', schema: Ok, what: 'page' })).rejects.toThrow('failed 2 times; last: no answer within 0.3 s');
    });
  });

  describe('a write (a POST or PATCH not marked readOnly), once the CRM has answered that kind quickly', () => {
    // The virtual clock makes every answer take 0 ms, so a read's shortened wait would be the floor, 20 ms.
    const answerTimeout = { minAnswers: 5, window: 20, factor: 10, floorMs: 20 };
    const update = { method: 'PATCH', path: '/records', body: { records: [{ Id: 'x', Score__c: 90 }] }, schema: Ok, what: 'update records' } as const;
    /** Answers at once, but the `slowCall`th request only after `slowMs` (real time; never when null), unless its wait runs out first. */
    const slowAt = (slowCall: number, slowMs: number | null) => {
      let calls = 0;
      const fetchImpl: typeof fetch = (_input, init) => {
        if (++calls !== slowCall) return Promise.resolve(reply(200, { ok: true }));
        return new Promise((resolve, reject) => {
          const timer = slowMs === null ? undefined : setTimeout(() => resolve(reply(200, { ok: true })), slowMs);
          init?.signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(init.signal?.reason);
          });
        });
      };
      return { fetchImpl, calls: () => calls };
    };

    it('waits the full timeout for a slow answer (a Salesforce row lock wait), and is sent once', async () => {
      const { fetchImpl, calls } = slowAt(6, 150);
      const { http } = client(fetchImpl, { timeoutMs: 5_000, answerTimeout });
      for (let i = 0; i < 5; i++) await http.request(update);
      await expect(http.request(update)).resolves.toMatchObject({ data: { ok: true } });
      expect(calls()).toBe(6);
    });

    it('is not sent again when no answer comes in time: it fails saying the CRM may have done it already', async () => {
      const { fetchImpl, calls } = slowAt(6, null);
      const { http } = client(fetchImpl, { timeoutMs: 300, answerTimeout });
      for (let i = 0; i < 5; i++) await http.request(update);
      // A POST that writes (HubSpot's batch update) as the PATCHes before it.
      const error = await http.request({ ...update, method: 'POST' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrmError);
      expect(error).toMatchObject({ kind: 'network', message: 'TestCRM did not answer update records within 0.3 s; LeadLens did not send it again, as TestCRM may have done it already' });
      expect(calls()).toBe(6);
    });

    it('is not sent again when its 2xx answer is cut short: the CRM took it', async () => {
      const fetchImpl = vi.fn<typeof fetch>().mockResolvedValueOnce(reply(200, '{"ok": tr')).mockResolvedValue(reply(200, { ok: true }));
      const { http } = client(fetchImpl);
      await expect(http.request(update)).rejects.toMatchObject({ kind: 'network', status: 200, message: 'TestCRM answered update records with HTTP 200 but a body cut short; LeadLens did not send it again, as TestCRM may have done it already' });
      expect(fetchImpl).toHaveBeenCalledTimes(1);
    });

    it.each([200, 503])('is not sent again when the connection drops in the middle of its HTTP %i answer: the CRM received it', async (status) => {
      const fetchImpl = vi.fn<typeof fetch>().mockResolvedValueOnce(droppedMidBody(status)).mockResolvedValue(reply(200, { ok: true }));
      const { http } = client(fetchImpl);
      await expect(http.request(update)).rejects.toMatchObject({ kind: 'network', status, message: `TestCRM answered update records with HTTP ${status} but a body cut short; LeadLens did not send it again, as TestCRM may have done it already` });
      expect(fetchImpl).toHaveBeenCalledTimes(1);
    });

    it('is waited out and sent again when the connection drops in the middle of its 429 answer: the CRM did not do it', async () => {
      const fetchImpl = vi.fn<typeof fetch>().mockResolvedValueOnce(droppedMidBody(429, { 'retry-after': '3' })).mockResolvedValue(reply(200, { ok: true }));
      const { http, clock } = client(fetchImpl);
      await expect(http.request(update)).resolves.toMatchObject({ data: { ok: true } });
      expect(fetchImpl).toHaveBeenCalledTimes(2);
      expect(clock.slept).toBe(3000);
    });

    it.each([400, 403, 404])('fails as the refusal it is when the connection drops in the middle of its HTTP %i answer, and is not sent again', async (status) => {
      const fetchImpl = vi.fn<typeof fetch>().mockResolvedValueOnce(droppedMidBody(status)).mockResolvedValue(reply(200, { ok: true }));
      const { http } = client(fetchImpl);
      await expect(http.request(update)).rejects.toMatchObject({ kind: 'request', status, message: `TestCRM refused update records: HTTP ${status}` });
      expect(fetchImpl).toHaveBeenCalledTimes(1);
    });

    it('takes a 401 cut short for the 401 it is: sent again once the credential is renewed', async () => {
      const fetchImpl = vi.fn<typeof fetch>().mockResolvedValueOnce(droppedMidBody(401)).mockResolvedValue(reply(200, { ok: true }));
      const renewAuthorization = vi.fn(async () => true);
      const { http } = client(fetchImpl, { renewAuthorization });
      await expect(http.request(update)).resolves.toMatchObject({ data: { ok: true } });
      expect(renewAuthorization).toHaveBeenCalledWith('Bearer secret-token-value');
      expect(fetchImpl).toHaveBeenCalledTimes(2);
    });

    it('is not sent again when the rest of its answer does not come in time', async () => {
      const stalledMidBody: typeof fetch = async (_input, init) =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"ok": '));
              init?.signal?.addEventListener('abort', () => controller.error(init.signal?.reason));
            },
          }),
          { status: 200 },
        );
      const fetchImpl = vi.fn(stalledMidBody);
      const { http } = client(fetchImpl, { timeoutMs: 100 });
      await expect(http.request(update)).rejects.toMatchObject({ kind: 'network', status: 200, message: 'TestCRM did not answer update records within 0.1 s; LeadLens did not send it again, as TestCRM may have done it already' });
      expect(fetchImpl).toHaveBeenCalledTimes(1);
    });

    it('is waited out and sent again when the rest of its 429 answer does not come in time', async () => {
      let calls = 0;
      const fetchImpl: typeof fetch = async (_input, init) => {
        if (++calls > 1) return reply(200, { ok: true });
        return new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"code": '));
              init?.signal?.addEventListener('abort', () => controller.error(init.signal?.reason));
            },
          }),
          { status: 429, headers: { 'retry-after': '2' } },
        );
      };
      const { http, clock } = client(fetchImpl, { timeoutMs: 100 });
      await expect(http.request(update)).resolves.toMatchObject({ data: { ok: true } });
      expect(calls).toBe(2);
      expect(clock.slept).toBe(2000);
    });

    it('unlike a POST marked readOnly (a search), which is given up after the short wait and sent again', async () => {
      const { fetchImpl, calls } = slowAt(6, null);
      // With the full 60 s wait this test would time out.
      const { http } = client(fetchImpl, { timeoutMs: 60_000, answerTimeout });
      const search = { method: 'POST', path: '/search', body: { filters: [] }, schema: Ok, what: 'search records', readOnly: true } as const;
      for (let i = 0; i < 5; i++) await http.request(search);
      await expect(http.request(search)).resolves.toMatchObject({ data: { ok: true } });
      expect(calls()).toBe(7);
    });
  });

  it('stops at once when the caller aborts, and does not retry', async () => {
    const controller = new AbortController();
    const fetchImpl = vi.fn<typeof fetch>().mockImplementation(async () => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    });
    const { http } = client(fetchImpl);
    await expect(http.request({ path: '/x', schema: Ok, what: 'test', signal: controller.signal })).rejects.toMatchObject({ kind: 'cancelled' });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('says the CRM did not answer, with why its last attempt failed, when the caller\'s time limit runs out: no one cancelled', async () => {
    const caller = new AbortController();
    let calls = 0;
    const fetchImpl = vi.fn<typeof fetch>().mockImplementation(async () => {
      // The first attempt cannot reach the CRM; the caller's limit runs out during the second.
      if (++calls === 2) caller.abort(new DOMException('signal timed out', 'TimeoutError'));
      throw new TypeError('Failed to fetch');
    });
    const { http } = client(fetchImpl);
    const error = (await http.request({ path: '/x', schema: Ok, what: 'test', signal: caller.signal }).catch((e: unknown) => e)) as CrmError;
    expect({ kind: error.kind, message: error.message }).toEqual({ kind: 'network', message: 'TestCRM did not answer test in the time it was given; last: could not reach https://crm.test (TypeError)' });
  });

  it('names the failing path of an unexpected body, never its value', async () => {
    const fetchImpl = vi.fn<typeof fetch>().mockResolvedValue(reply(200, { ok: 'jane@example.com' }));
    const { http } = client(fetchImpl);
    const error = (await http.request({ path: '/x', schema: Ok, what: 'read thing' }).catch((e: unknown) => e)) as CrmError;
    expect(error.kind).toBe('schema');
    expect(error.message).toContain('ok');
    expect(error.message).toContain('read thing');
    expect(error.message).not.toContain('jane@example.com');
  });

  it('never puts the credential in an error message', async () => {
    const fetchImpl = vi.fn<typeof fetch>().mockRejectedValue(new TypeError('fetch failed for Bearer secret-token-value'));
    const { http } = client(fetchImpl);
    const error = (await http.request({ path: '/x', schema: Ok, what: 'test' }).catch((e: unknown) => e)) as CrmError;
    expect(error.kind).toBe('network');
    expect(error.message).not.toContain('secret-token-value');
  });
});

describe('a redirect', () => {
  it('is refused, not followed: the body never reaches the host it names, nor is its answer taken for the CRM’s', async () => {
    const server = await redirectingServer({ records: [{ Id: 'x' }] });
    try {
      const http = new HttpClient({
        crmLabel: 'Salesforce',
        origin: server.origin,
        authorization: async () => 'Bearer SECRET',
        limitersFor: () => [],
        readErrorBody: () => ({}),
        timeoutMs: 5000,
      });
      const update = http.request({ method: 'PATCH', path: '/services/data/v67.0/composite/sobjects', body: { records: [{ Id: 'x', Score__c: 99 }] }, schema: z.unknown(), what: 'the score update' });
      const error = await update.catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(CrmError);
      expect((error as CrmError).kind).toBe('request');
      expect((error as CrmError).message).toBe(`Salesforce answered the score update with a redirect, which LeadLens does not follow: it sends requests to ${server.origin} only. If the address changed (a Salesforce My Domain renamed), connect again with the new one`);
      expect(server.otherHostSaw).toEqual([]);
    } finally {
      server.close();
    }
  });
});
