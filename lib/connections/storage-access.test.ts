import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { connectionGeneration, connectionKey, writeConnectionUnlessRemovedSince } from './connections';
import type { Connection } from './schema';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const hubspot: Connection = { crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-0123456789abcdef' }, timeoutSeconds: 30 };

describe('credentials are written only once storage.local is closed to content scripts', () => {
  /** What happened, in order: the access level set, then each key written. */
  let steps: string[];
  beforeEach(() => {
    fakeBrowser.reset();
    steps = [];
    const set = fakeBrowser.storage.local.set.bind(fakeBrowser.storage.local);
    vi.spyOn(fakeBrowser.storage.local, 'set').mockImplementation(async (items) => {
      steps.push(...Object.keys(items).map((key) => `set ${key}`));
      return set(items);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('writeConnectionUnlessRemovedSince, how every connection is stored, closes it first, whether or not start-up has yet', async () => {
    fakeBrowser.storage.local.setAccessLevel = vi.fn(async ({ accessLevel }: { accessLevel: string }) => void steps.push(`access ${accessLevel}`));
    expect(await writeConnectionUnlessRemovedSince(hubspot, await connectionGeneration('hubspot'))).toBe(true);
    expect(steps).toEqual(['access TRUSTED_CONTEXTS', `set ${connectionKey('hubspot')}`]);
  });

  it('stores nothing when Chrome refuses to close it, and says why', async () => {
    fakeBrowser.storage.local.setAccessLevel = vi.fn(async () => Promise.reject(new Error('access level refused')));
    await expect(writeConnectionUnlessRemovedSince(hubspot, await connectionGeneration('hubspot'))).rejects.toThrow(
      /^Chrome did not let LeadLens keep its scripts on CRM pages out of the storage credentials go in, so none were stored/,
    );
    expect(steps).toEqual([]);
    expect(await fakeBrowser.storage.local.get(connectionKey('hubspot'))).toEqual({});
  });
});
