/**
 * HubSpot change listing while contacts are edited mid-sync. The demo CRM's data never
 * changes, so this fakes the search endpoint over mutable contacts, as HubSpot's behaves:
 * every request re-evaluated, `after` an offset into the sorted matches, 10,000 results at
 * most, one sort (ties here by id). A contact's `indexed` date, when set, is the one its index
 * still holds (the index lags edits): filters and sorts see it, results show `mod`.
 */
import { describe, expect, it } from 'vitest';
import { runSync, SYNC_LOOKBACK_MS } from '../sync/engine';
import { INITIAL_SYNC_STATE, type SyncState } from '../sync/state';
import type { SyncStore } from '../sync/store';
import { createHubSpotClient } from './hubspot-client';
import type { CrmClient } from './client';
import { CrmError, isCrmError } from './http';
import { mulberry32 } from '../ml/random';
import { virtualClock, type VirtualClock } from '../../test/fixtures/virtual-clock';

const BASE = Date.parse('2026-10-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

type Contact = { id: string; mod: number; indexed?: number };
type Filter = { propertyName: string; operator: string; value: string };

/**
 * `clock`: the browser's, which the client reads (HubSpot's own is whatever its dates say);
 * `hubspotNow`, when given, HubSpot's, which its answers' `Date` then tells.
 */
function fakeHubSpot(contacts: Contact[], beforeSearch: (search: number) => void = () => undefined, clock: VirtualClock = virtualClock(), hubspotNow?: () => number) {
  const bodies: { after?: string }[] = [];
  // Contacts' searches sort and filter on `lastmodifieddate`; on `hs_lastmodifieddate` they match nothing.
  const valueOf = (c: Contact, property: string) => (property === 'hs_object_id' ? Number(c.id) : property === 'lastmodifieddate' ? (c.indexed ?? c.mod) : NaN);
  const matches = (c: Contact, f: Filter) => {
    const [actual, value] = [valueOf(c, f.propertyName), Number(f.value)];
    return f.operator === 'GTE' ? actual >= value : f.operator === 'LTE' ? actual <= value : f.operator === 'GT' ? actual > value : f.operator === 'EQ' && actual === value;
  };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: hubspotNow ? { date: new Date(hubspotNow()).toUTCString() } : {} });
    if (url.pathname.endsWith('/properties/contacts')) return json(200, { results: ['lastmodifieddate', 'hs_lastmodifieddate', 'firstname', 'lastname', 'createdate'].map((name) => ({ name })) });
    // No contact is archived here.
    if (url.pathname.endsWith('/contacts') && url.searchParams.get('archived') === 'true') return json(200, { results: [] });
    if (!url.pathname.endsWith('/contacts/search')) throw new Error(`unexpected ${url}`);
    const body = JSON.parse(String(init!.body));
    bodies.push(body);
    beforeSearch(bodies.length);
    const after = Number(body.after ?? 0);
    if (after >= 10_000) return json(400, { status: 'error', category: 'VALIDATION_ERROR', message: 'Paging beyond 10000 results is not supported.' });
    const groups: { filters: Filter[] }[] = body.filterGroups;
    const sortBy: string = body.sorts[0].propertyName;
    const matching = contacts
      .filter((c) => groups.length === 0 || groups.some((g) => g.filters.every((f) => matches(c, f))))
      .sort((a, b) => valueOf(a, sortBy) - valueOf(b, sortBy) || Number(a.id) - Number(b.id));
    const end = Math.min(matching.length, 10_000, after + body.limit);
    return json(200, {
      total: matching.length,
      results: matching.slice(after, end).map((c) => ({ id: c.id, properties: { lastmodifieddate: iso(c.mod), hs_lastmodifieddate: iso(c.mod), createdate: iso(BASE), firstname: 'A', lastname: c.id } })),
      ...(end < Math.min(matching.length, 10_000) ? { paging: { next: { after: String(end) } } } : {}),
    });
  };
  return { client: createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch }), bodies, clock };
}

/** A store in memory: lead id → the modification time it was stored with. */
function memoryStore() {
  let state: SyncState = INITIAL_SYNC_STATE;
  const stored = new Map<string, number>();
  const store: SyncStore = {
    readState: async () => state,
    writeState: async (_crm, next) => void (state = next),
    countChanged: async (leads) => leads.filter((lead) => stored.get(lead.id) !== lead.modifiedAt).length,
    commitPage: async (_crm, leads, next) => {
      for (const lead of leads) stored.set(lead.id, lead.modifiedAt);
      state = next;
    },
    finishSync: async (_crm, _deletions, finished) => (state = finished(0)),
    // Only ids are stored here, never owners or fields.
    unnamedOwnerIds: async () => [],
    nameOwners: async () => 0,
    dropFields: async () => 0,
    refreshFields: async (_crm, _records, next) => (state = next(0)),
  };
  return { store, stored };
}

/** What a complete sync must have stored: every contact, as it is now. */
const current = (contacts: Contact[]) => new Map(contacts.map((c) => [c.id, c.mod]));

const HOUR = 3_600_000;

describe('HubSpot change listing while contacts are edited', () => {
  it('stores a contact that an edit on an earlier page shifted across a page boundary', async () => {
    const contacts = Array.from({ length: 400 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
    // A rep edits the first contact between page 1 and page 2: everything after it shifts back one.
    const { client, bodies } = fakeHubSpot(contacts, (search) => {
      if (search === 2) contacts[0].mod = BASE + 10_000_000;
    });
    const { store, stored } = memoryStore();
    const state = await runSync({ client, store });
    expect(state.status).toBe('done');
    expect(stored).toEqual(current(contacts));
    expect(state.completedCursor).toBe(BASE + 10_000_000 - SYNC_LOOKBACK_MS);
    // Paged by date: HubSpot's positional `after` is never sent.
    expect(bodies.every((body) => body.after === undefined)).toBe(true);
  });

  /** Syncs `contacts` while `edited` is edited before the 2nd search, which still sorts it by its old date; the index catches up by the 3rd. */
  async function syncWhileIndexLags(contacts: Contact[], edited: Contact) {
    const { client } = fakeHubSpot(contacts, (search) => {
      if (search === 2) Object.assign(edited, { indexed: edited.mod, mod: BASE + 10_000_000 });
      if (search === 3) delete edited.indexed;
    });
    const { store, stored } = memoryStore();
    expect((await runSync({ client, store })).status).toBe('done');
    expect(stored).toEqual(current(contacts));
  }

  it('goes on from the end of the page, not from a date an edit shows in its old place', async () => {
    const contacts: Contact[] = Array.from({ length: 600 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
    await syncWhileIndexLags(contacts, contacts[250]);
  });

  it("goes on from before the page's last contact when that one shows its new date in its old place", async () => {
    // The 2nd page ends at contact 396 (going on from the 1st page's last three, read again), or 398 (from its last one).
    for (const last of [396, 398]) {
      const contacts: Contact[] = Array.from({ length: 600 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
      await syncWhileIndexLags(contacts, contacts[last]);
    }
  });

  it("goes on from before the page's last contacts when two of them show new dates in their old places", async () => {
    for (const last of [396, 398]) {
      const contacts: Contact[] = Array.from({ length: 600 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
      const { client } = fakeHubSpot(contacts, (search) => {
        if (search === 2) for (const [k, edited] of [contacts[last - 1], contacts[last]].entries()) Object.assign(edited, { indexed: edited.mod, mod: BASE + 10_000_000 + k * 1000 });
        if (search === 3) for (const edited of contacts) delete edited.indexed;
      });
      const { store, stored } = memoryStore();
      expect((await runSync({ client, store })).status).toBe('done');
      expect(stored).toEqual(current(contacts));
    }
  });

  it("restarts a sync whose page token is lost from before the page's last contacts, not from a date an edit shows in its old place", async () => {
    const contacts: Contact[] = Array.from({ length: 600 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
    const { client } = fakeHubSpot(contacts, (search) => {
      if (search === 2) Object.assign(contacts[396], { indexed: contacts[396].mod, mod: BASE + 10_000_000 });
      if (search === 3) delete contacts[396].indexed;
    });
    // The token for the page after the 2nd (which ends at the edited contact) is lost, as after an update to LeadLens.
    let tokenReads = 0;
    const losing: CrmClient = {
      ...client,
      listChanged: (since, token, signal) =>
        token !== null && ++tokenReads === 2 ? Promise.reject(new CrmError('cursor-expired', 'Not a LeadLens HubSpot page token')) : client.listChanged(since, token, signal),
    };
    const { store, stored } = memoryStore();
    expect((await runSync({ client: losing, store })).status).toBe('done');
    expect(tokenReads).toBeGreaterThan(2);
    expect(stored).toEqual(current(contacts));
  });

  it('reads a bulk import by id when a contact of the run shows its new date in its old place', async () => {
    // 100 before, 450 sharing one instant, 100 after.
    const contacts: Contact[] = Array.from({ length: 650 }, (_, i) => ({ id: String(5000 + i), mod: BASE + (i < 100 ? i : i < 550 ? 100 : i - 449) * 1000 }));
    await syncWhileIndexLags(contacts, contacts[150]);
  });

  it('stores every contact of a bulk import sharing one date when some are edited mid-run', async () => {
    // 100 before, 450 sharing one instant (more than two pages), 100 after.
    const contacts = Array.from({ length: 650 }, (_, i) => ({ id: String(5000 + ((i * 37) % 650)), mod: BASE + (i < 100 ? i : i < 550 ? 100 : i - 349) * 1000 }));
    let edits = 0;
    const { client } = fakeHubSpot(contacts, (search) => {
      // From the 3rd search on, 2 contacts of the run are edited before each one.
      if (search < 3) return;
      for (const c of contacts.filter((c) => c.mod === BASE + 100_000).slice(0, 2)) c.mod = BASE + 1_000_000 + ++edits * 1000;
    });
    const { store, stored } = memoryStore();
    const state = await runSync({ client, store });
    expect(state.status).toBe('done');
    expect(edits).toBeGreaterThan(0);
    expect(stored).toEqual(current(contacts));
  });

  it('stores every contact, as last edited, under edits on every page and many shared dates', async () => {
    const random = mulberry32(7);
    // 3,000 contacts on 600 instants (5 per instant on average, up to ~20), some runs longer than a page.
    const contacts = Array.from({ length: 3000 }, (_, i) => ({ id: String(20_000 + i), mod: BASE + (i < 500 ? 7 : Math.floor(random() * 600)) * 1000 }));
    let now = BASE + 10_000_000;
    const { client, bodies } = fakeHubSpot(contacts, () => {
      for (let k = 0; k < 5; k++) contacts[Math.floor(random() * contacts.length)].mod = (now += 1000);
    });
    const { store, stored } = memoryStore();
    const state = await runSync({ client, store });
    expect(state.status).toBe('done');
    expect(stored).toEqual(current(contacts));
    // About one search per 200 contacts: boundary ties and the run's first page are read twice.
    expect(bodies.length).toBeLessThanOrEqual(Math.ceil(contacts.length / 200) + 6);
  });

  it('an incremental sync asks only from the last complete sync, and stores what changed since', async () => {
    // A contact edited every minute for 5 hours.
    const contacts = Array.from({ length: 300 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 60_000 }));
    const { client, bodies } = fakeHubSpot(contacts);
    const { store, stored } = memoryStore();
    await runSync({ client, store });
    contacts[10].mod = BASE + 20_000_000;
    const searchesBefore = bodies.length;
    let read = 0;
    const state = await runSync({ client, store, onProgress: ({ job }) => void (read = job?.synced ?? read) });
    // The edited contact, and the 6 edited from 5 minutes before the newest the last sync read (read again, harmlessly: the search index can lag)…
    expect(read).toBe(7);
    // …of which the edited one alone counts as changed.
    expect(state).toMatchObject({ status: 'done', completedCursor: BASE + 20_000_000 - SYNC_LOOKBACK_MS, lastRun: { synced: 1 } });
    expect(bodies.length - searchesBefore).toBe(1);
    expect(stored).toEqual(current(contacts));
  });

  it('sorts and filters on lastmodifieddate, the date contact searches match on, so an incremental sync misses no contact', async () => {
    const contacts = Array.from({ length: 300 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 60_000 }));
    const { client, bodies } = fakeHubSpot(contacts);
    const { store, stored } = memoryStore();
    await runSync({ client, store });
    contacts[10].mod = BASE + 20_000_000;
    const state = await runSync({ client, store });
    expect(state).toMatchObject({ status: 'done', completedCursor: BASE + 20_000_000 - SYNC_LOOKBACK_MS });
    expect(stored.get(contacts[10].id)).toBe(BASE + 20_000_000);
    const searched = bodies as { sorts: { propertyName: string }[]; filterGroups: { filters: Filter[] }[] }[];
    expect(new Set(searched.flatMap((body) => [...body.sorts, ...body.filterGroups.flatMap((group) => group.filters)].map((term) => term.propertyName)))).toEqual(new Set(['lastmodifieddate']));
  });

  it('refuses a page token it did not write, or one in the old positional form, as expired', async () => {
    const { client, bodies } = fakeHubSpot([{ id: '1000', mod: BASE }]);
    // Forms of earlier LeadLens versions too: their sync restarts from its cursor.
    for (const token of ['{"since":null,"after":200}', '{"since":1,"seen":["1000"]}', '{"since":1,"seen":[{"id":"x","at":1}]}', '{"at":1,"afterId":null}', '{"since":1,"seen":[]}', '{"at":1,"afterId":null,"seen":[]}', 'not json']) {
      const error = await client.listChanged(null, token).catch((e: unknown) => e);
      expect(isCrmError(error, 'cursor-expired')).toBe(true);
    }
    expect(bodies).toEqual([]);
  });
});

/**
 * Edits made while a sync pages, by a workflow or a bulk edit, stamped with HubSpot's clock: the
 * index shows them in their old places for a few searches. The browser's clock, which the client
 * reads, may be off HubSpot's by up to CLOCK_ALLOWANCE_MS.
 */
describe('HubSpot change listing while a workflow edits the contacts ending a page', () => {
  /** HubSpot's time when the sync begins: a month after the contacts were last modified. */
  const SYNC_AT = BASE + 30 * 24 * HOUR;

  it.each([['right', 0], ['23 h fast', 23 * HOUR], ['a day slow', -24 * HOUR]])('skips no contact sorted between their old places and their new dates (browser clock %s)', async (_, skew) => {
    const contacts: Contact[] = Array.from({ length: 600 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
    const clock = virtualClock(SYNC_AT + skew);
    const hubspotNow = () => clock.now() - skew;
    // Contacts 380–420, around the 2nd page's end, edited just before the 2nd search; the index catches up by the 3rd.
    const edited = contacts.slice(380, 421);
    const { client } = fakeHubSpot(contacts, (search) => {
      if (search === 2) edited.forEach((c, k) => Object.assign(c, { indexed: c.mod, mod: hubspotNow() + k }));
      if (search === 3) edited.forEach((c) => delete c.indexed);
    }, clock);
    const { store, stored } = memoryStore();
    expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
    expect(stored).toEqual(current(contacts));
  });

  it('stores every contact when a bulk edit of half of 5,000 lands mid-sync while the index lags (20 seeds), reading each at most twice', async () => {
    const lost: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const random = mulberry32(seed);
      const contacts: Contact[] = Array.from({ length: 5000 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
      const bulk = contacts.filter(() => random() < 0.5);
      const clock = virtualClock(SYNC_AT);
      const { client, bodies } = fakeHubSpot(contacts, (search) => {
        if (search === 3) bulk.forEach((c, k) => Object.assign(c, { indexed: c.mod, mod: clock.now() + k }));
        if (search === 9) bulk.forEach((c) => delete c.indexed); // indexed 6 searches (a second or two) later
      }, clock);
      const { store, stored } = memoryStore();
      let read = 0;
      expect((await runSync({ client, store, now: clock.now, onProgress: ({ job }) => void (read = job?.synced ?? read) })).status).toBe('done');
      lost.push(contacts.filter((c) => stored.get(c.id) !== c.mod).length);
      // A bulk-edited contact may be read in its old place and again in its new one: no more reads than that in all.
      expect(read).toBeLessThanOrEqual(contacts.length + bulk.length);
      expect(bodies.length).toBeLessThanOrEqual(Math.ceil((contacts.length + bulk.length) / 200) + 20);
    }
    expect(lost).toEqual(Array(20).fill(0));
  });

  it('reads a page of contacts all edited moments ago by id, skipping none sorted after their old places', async () => {
    const contacts: Contact[] = Array.from({ length: 1000 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
    const clock = virtualClock(SYNC_AT);
    // A workflow edits contacts 150–549 just before the 2nd search: that page is all edits, shown in their old places until the 6th.
    const edited = contacts.slice(150, 550);
    const { client, bodies } = fakeHubSpot(contacts, (search) => {
      if (search === 2) edited.forEach((c, k) => Object.assign(c, { indexed: c.mod, mod: clock.now() + k }));
      if (search === 6) edited.forEach((c) => delete c.indexed);
    }, clock);
    const { store, stored } = memoryStore();
    let read = 0;
    expect((await runSync({ client, store, now: clock.now, onProgress: ({ job }) => void (read = job?.synced ?? read) })).status).toBe('done');
    expect(stored).toEqual(current(contacts));
    expect(read).toBeLessThanOrEqual(contacts.length + edited.length);
    expect(bodies.length).toBeLessThanOrEqual(3 * Math.ceil(read / 200));
  });
});

/**
 * HubSpot's clock, which its answers' `Date` tells: where the next sync begins, the sync's first
 * search having shown every edit made more than the index's lag before it.
 */
describe("HubSpot change listing that knows HubSpot's clock from its answers", () => {
  const MINUTE = 60_000;
  /** How long HubSpot's index may take to show an edit (the client's INDEX_LAG_MS). */
  const INDEX_LAG = 5 * MINUTE;
  const SYNC_AT = BASE + 30 * 24 * HOUR;

  it('reads a bulk edit once: the quiet hourly syncs after the one that read it read none of its contacts again', async () => {
    const contacts: Contact[] = Array.from({ length: 1000 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
    const clock = virtualClock(SYNC_AT);
    const { client, bodies } = fakeHubSpot(contacts, undefined, clock, clock.now);
    const { store, stored } = memoryStore();
    let read = 0;
    const sync = () => ((read = 0), runSync({ client, store, now: clock.now, onProgress: ({ job }) => void (read = job?.synced ?? read) }));
    expect((await sync()).status).toBe('done');
    // 600 contacts edited at once, a quarter of an hour before the next hourly sync.
    await clock.sleep(45 * MINUTE);
    const bulk = contacts.slice(200, 800);
    for (const contact of bulk) contact.mod = clock.now();
    await clock.sleep(15 * MINUTE);
    expect(await sync()).toMatchObject({ status: 'done', lastRun: { synced: bulk.length } });
    expect(stored).toEqual(current(contacts));
    for (let hour = 1; hour <= 3; hour++) {
      await clock.sleep(HOUR);
      const searchesBefore = bodies.length;
      expect(await sync()).toMatchObject({ status: 'done', lastRun: { synced: 0 } });
      expect({ read, searches: bodies.length - searchesBefore }).toEqual({ read: 0, searches: 1 });
    }
  });

  it.each([['right', 0], ['23 h fast', 23 * HOUR], ['a day slow', -24 * HOUR]])('reads in the next sync an edit made just under the index lag before a sync searched, which the index showed only after it (browser clock %s)', async (_, skew) => {
    // Edited a minute apart: the late one's old place is before where any sync begins.
    const contacts: Contact[] = Array.from({ length: 300 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * MINUTE }));
    const clock = virtualClock(SYNC_AT + skew);
    const hubspotNow = () => clock.now() - skew;
    const { client } = fakeHubSpot(contacts, undefined, clock, hubspotNow);
    const { store, stored } = memoryStore();
    expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
    await clock.sleep(HOUR);
    // The sync reads an edit of half an hour ago (a sync that reads nothing leaves its cursor as it was)…
    contacts[20].mod = hubspotNow() - 30 * MINUTE;
    // …and not this one, made a second less than the index's lag before it searched, still shown in its old place.
    const late = contacts[10];
    Object.assign(late, { indexed: late.mod, mod: hubspotNow() - INDEX_LAG + 1000 });
    expect(await runSync({ client, store, now: clock.now })).toMatchObject({ status: 'done', lastRun: { synced: 1 } });
    expect(stored.get(late.id)).not.toBe(late.mod);
    delete late.indexed;
    await clock.sleep(HOUR);
    expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
    expect(stored).toEqual(current(contacts));
  });

  it('stores every edit, as last made, when edits and bulk edits the index shows up to its lag late come at any time between and during syncs (20 seeds, browser clocks off either way)', async () => {
    const lost: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const random = mulberry32(seed);
      const skew = [0, 23 * HOUR, -24 * HOUR, 10 * MINUTE][seed % 4];
      const contacts: Contact[] = Array.from({ length: 400 }, (_, i) => ({ id: String(1000 + i), mod: BASE + i * 1000 }));
      const original = new Map(contacts.map((c) => [c.id, c.mod]));
      // Over 8 hours of HubSpot's time: single edits, and bulk edits of 50 contacts at one instant.
      const edits = new Map<string, { at: number; shownAt: number }[]>();
      const edit = (c: Contact, at: number) => edits.set(c.id, [...(edits.get(c.id) ?? []), { at, shownAt: at + Math.floor(random() * INDEX_LAG) }]);
      for (let k = 0; k < 300; k++) edit(contacts[Math.floor(random() * contacts.length)], SYNC_AT + Math.floor(random() * 8 * HOUR));
      for (let k = 0; k < 4; k++) {
        const at = SYNC_AT + Math.floor(random() * 8 * HOUR);
        for (let j = 0; j < 50; j++) edit(contacts[Math.floor(random() * contacts.length)], at);
      }
      const clock = virtualClock(SYNC_AT + skew);
      const hubspotNow = () => clock.now() - skew;
      // Before each search: every contact as last edited, and as the index shows it (its last edit it has caught up with).
      const { client } = fakeHubSpot(contacts, () => {
        const now = hubspotNow();
        for (const c of contacts) {
          const made = (edits.get(c.id) ?? []).filter((e) => e.at <= now);
          c.mod = Math.max(original.get(c.id)!, ...made.map((e) => e.at));
          const shown = Math.max(original.get(c.id)!, ...made.filter((e) => e.shownAt <= now).map((e) => e.at));
          if (shown === c.mod) delete c.indexed;
          else c.indexed = shown;
        }
      }, clock, hubspotNow);
      const { store, stored } = memoryStore();
      while (hubspotNow() < SYNC_AT + 9 * HOUR) {
        expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
        await clock.sleep(MINUTE + Math.floor(random() * 70 * MINUTE));
      }
      expect((await runSync({ client, store, now: clock.now })).status).toBe('done');
      lost.push(contacts.filter((c) => stored.get(c.id) !== c.mod).length);
    }
    expect(lost).toEqual(Array(20).fill(0));
  });
});
