import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { connectionGeneration, connectionKey, writeConnection, writeConnectionUnlessRemovedSince } from './connections';
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

  it.each([
    ['writeConnection', () => writeConnection(hubspot)],
    ['writeConnectionUnlessRemovedSince', async () => expect(await writeConnectionUnlessRemovedSince(hubspot, await connectionGeneration('hubspot'))).toBe(true)],
  ])('%s closes it first, whether or not start-up has yet', async (_name, write) => {
    fakeBrowser.storage.local.setAccessLevel = vi.fn(async ({ accessLevel }: { accessLevel: string }) => void steps.push(`access ${accessLevel}`));
    await write();
    expect(steps).toEqual(['access TRUSTED_CONTEXTS', `set ${connectionKey('hubspot')}`]);
  });

  it('says so on the console when Chrome refuses to close it, rather than pass over it in silence', async () => {
    const refused = new Error('access level refused');
    fakeBrowser.storage.local.setAccessLevel = vi.fn(async () => Promise.reject(refused));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await writeConnection(hubspot);
      expect(error).toHaveBeenCalledWith('LeadLens: could not keep content scripts out of storage.local, where credentials live', refused);
    } finally {
      error.mockRestore();
    }
  });
});
