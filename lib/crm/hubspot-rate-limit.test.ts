import { describe, expect, it } from 'vitest';
import { createHubSpotClient } from './hubspot-client';
import { virtualClock } from '../../test/fixtures/virtual-clock';

/**
 * A portal whose non-search answers state its 10-second window as `stated` gives it (none when
 * null), always with all of it left: only the client's own limiter paces it, not the hold-back on
 * few remaining. Notes when (virtual time) each request was sent.
 */
function portal(stated: () => { max: string; intervalMs?: string } | null) {
  const clock = virtualClock();
  const sent: { path: string; at: number }[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    const { pathname } = new URL(input instanceof Request ? input.url : String(input));
    sent.push({ path: pathname, at: clock.now() });
    if (pathname.endsWith('/search')) return Response.json({ total: 0, results: [] });
    const window = stated();
    const headers = window && { 'x-hubspot-ratelimit-max': window.max, 'x-hubspot-ratelimit-remaining': window.max, 'x-hubspot-ratelimit-interval-milliseconds': window.intervalMs ?? '10000' };
    const body = pathname.endsWith('/batch/read') ? { results: [] } : { results: [{ name: 'lastmodifieddate' }] };
    return Response.json(body, { headers: headers ?? {} });
  };
  const client = createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch });
  /** Reads `count` contacts one after another (a request each), and says how many of those requests went in the 10 s from the first. */
  const readInOneWindow = async (count: number) => {
    const from = sent.length;
    for (let i = 0; i < count; i++) await client.readRecord(String(i + 1), { fields: ['jobtitle'] });
    const first = sent[from].at;
    return sent.slice(from).filter(({ at }) => at < first + 10_000).length;
  };
  return { client, clock, sent, readInOneWindow };
}

describe('HubSpot’s 10-second limit, as its answers state it', () => {
  it('sends as many requests per 10 s as HubSpot says the app may (190 on Professional and Enterprise portals) once an answer says so', async () => {
    const { clock, readInOneWindow } = portal(() => ({ max: '190' }));
    await readInOneWindow(1);
    expect(await readInOneWindow(150)).toBe(150);
    expect(clock.slept).toBe(0);
  });

  it('follows a lower limit stated later (a portal downgraded), but never below the 100 it starts at', async () => {
    let max = '190';
    const { clock, readInOneWindow } = portal(() => ({ max }));
    await readInOneWindow(1);
    max = '150';
    await readInOneWindow(1);
    // The two already sent count in the window: 148 more fit in it.
    expect(await readInOneWindow(170)).toBe(148);
    await clock.sleep(10_000);
    max = '50';
    expect(await readInOneWindow(120)).toBe(100);
  });

  it.each([
    ['says 100', { max: '100' }],
    ['says nothing', null],
    ['says less than 100', { max: '60' }],
    ['says more than any limit HubSpot publishes', { max: '1001' }],
    ['says a maximum that is no count', { max: '190.5' }],
    ['says a maximum for a window of another length', { max: '190', intervalMs: '1000' }],
  ])('keeps to 100 per 10 s when HubSpot %s: the 101st request waits', async (_case, stated) => {
    const { readInOneWindow } = portal(() => stated);
    // The first answer read counts in the window too.
    expect(await readInOneWindow(150)).toBe(100);
  });

  it('keeps searches to 4 a second, whatever limit the other answers state', async () => {
    const { client, sent } = portal(() => ({ max: '190' }));
    await client.readRecord('1', { fields: ['jobtitle'] });
    for (let i = 0; i < 5; i++) await client.listChanged(null, null);
    const searchedAt = sent.filter(({ path }) => path.endsWith('/search')).map(({ at }) => at);
    expect(searchedAt.map((at) => at - searchedAt[0])).toEqual([0, 0, 0, 0, 1_100]);
  });
});
