/**
 * The one place a context answers messages: unknown types, malformed payloads and senders
 * that may not ask get `{ ok: false, error }`; content scripts (web pages) only get the
 * types they are allowed; a reply carries only what its schema declares.
 */
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { BackgroundRestartedError, createClient, notTaken, registerHandlers, replyOrReadBack } from './rpc';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const Reply = z.union([z.object({ ok: z.literal(true), n: z.number() }), z.object({ ok: z.literal(false), error: z.string() })]);
const protocol = {
  score: { input: z.object({ n: z.number() }), output: Reply },
  purge: { input: z.object({}), output: Reply },
  /** Handlers with a bug: one replies with a key its schema does not declare, one with what its schema refuses. */
  leak: { input: z.object({}), output: Reply },
  misreply: { input: z.object({}), output: Reply },
};
const SECRET = 'pat-na1-unit-secret';
const purged = vi.fn();

const fromOptionsPage = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/options.html') };
const fromCrmTab = { id: fakeBrowser.runtime.id, url: 'https://acme.lightning.force.com/lightning/r/Lead/00Q/view', tab: { id: 7 } };

/** Sends through the registered listener and resolves with its reply. */
function send(type: string, payload: unknown, sender: object): Promise<unknown> {
  return new Promise((resolve) => void fakeBrowser.runtime.onMessage.trigger({ target: 'background', type, payload }, sender as never, resolve));
}

beforeEach(() => {
  fakeBrowser.reset();
  purged.mockReset();
  registerHandlers(
    protocol,
    'background',
    {
      score: async ({ n }) => ({ ok: true as const, n: n * 2 }),
      purge: async () => {
        purged();
        return { ok: true as const, n: 0 };
      },
      leak: async () => Object.assign({ ok: true as const, n: 1 }, { connection: { token: SECRET } }),
      misreply: async () => ({ ok: true, n: SECRET }) as never,
    },
    ['score'],
  );
});

it('answers extension pages every type, and content scripts only theirs', async () => {
  expect(await send('score', { n: 2 }, fromOptionsPage)).toEqual({ ok: true, n: 4 });
  expect(await send('score', { n: 2 }, fromCrmTab)).toEqual({ ok: true, n: 4 });
  expect(await send('purge', {}, fromOptionsPage)).toEqual({ ok: true, n: 0 });
  expect(purged).toHaveBeenCalledTimes(1);
  expect(await send('purge', {}, fromCrmTab)).toEqual({ ok: false, error: "purge is answered only for LeadLens's own pages" });
  expect(purged).toHaveBeenCalledTimes(1);
});

it('says so for an unknown type or a malformed payload', async () => {
  expect(await send('toString', {}, fromOptionsPage)).toEqual({ ok: false, error: 'Unknown message type "toString"' });
  expect(await send('score', { n: 'two' }, fromOptionsPage)).toMatchObject({ ok: false, error: expect.stringMatching(/^Malformed score request/) });
});

it('refuses a malformed request in the page with a readable error naming the field, not zod’s dump, and sends nothing', async () => {
  const client = createClient({ connect: { input: z.object({ host: z.string().regex(/\.my\.salesforce\.com$/, 'expected your My Domain host') }), output: Reply } }, 'background');
  const sendMessage = vi.spyOn(fakeBrowser.runtime, 'sendMessage');
  const refused = await client.connect({ host: 'acme.lightning.force.com' }).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(Error);
  expect(refused).not.toBeInstanceOf(z.ZodError);
  expect((refused as Error).message).toBe('LeadLens: malformed connect request (host: expected your My Domain host)');
  expect(sendMessage).not.toHaveBeenCalled();
});

it('sends only what the reply schema declares: a key a handler added by mistake never leaves its context', async () => {
  const reply = await send('leak', {}, fromOptionsPage);
  expect(reply).toEqual({ ok: true, n: 1 });
  expect(JSON.stringify(reply)).not.toContain(SECRET);
});

it('answers a reply its schema refuses with a plain error, and logs where it went wrong, not the value', async () => {
  const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    expect(await send('misreply', {}, fromOptionsPage)).toEqual({ ok: false, error: 'LeadLens could not answer misreply: its reply was malformed' });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0])).toMatch(/^LeadLens: misreply replied with what its schema refuses \(.+\)$/);
    expect(String(logged.mock.calls[0])).not.toContain(SECRET);
  } finally {
    logged.mockRestore();
  }
});

/** Chrome's rejection when the context that took a message stopped before it answered (a stopped worker, a closed document). */
const CHANNEL_CLOSED = 'A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received';

it('turns Chrome’s words for a background stopped before it answered into one plain error, which a page answers by reading back what is stored', async () => {
  vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockRejectedValue(new Error(CHANNEL_CLOSED));
  const stopped = await createClient(protocol, 'background').purge({}).catch((error: unknown) => error);
  expect(stopped).toBeInstanceOf(BackgroundRestartedError);
  expect((stopped as Error).message).toBe("LeadLens's background stopped while it worked, before it answered: reload this page to see what was done.");
  // Read back only then: any other failure is the page's to say as it is.
  expect(await replyOrReadBack(createClient(protocol, 'background').purge({}), async () => ({ ok: true as const, n: 7 }))).toEqual({ ok: true, n: 7 });
  const readBack = vi.fn(async () => ({ ok: true as const, n: 7 }));
  await expect(replyOrReadBack(Promise.reject(new Error('Could not establish connection. Receiving end does not exist.')), readBack)).rejects.toThrow(/Receiving end/);
  expect(readBack).not.toHaveBeenCalled();
});

it('leaves the offscreen document’s closure to its caller, and Chrome’s words for a message no context took as they are', async () => {
  const sendMessage = vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockRejectedValue(new Error(CHANNEL_CLOSED));
  await expect(createClient(protocol, 'offscreen').score({ n: 1 })).rejects.toThrow(CHANNEL_CLOSED);
  for (const said of ['Could not establish connection. Receiving end does not exist.', 'The message port closed before a response was received.']) {
    sendMessage.mockRejectedValue(new Error(said));
    const refused = await createClient(protocol, 'background').score({ n: 1 }).catch((error: unknown) => error);
    expect(refused).not.toBeInstanceOf(BackgroundRestartedError);
    expect(notTaken(refused)).toBe(true);
  }
  expect(notTaken(new BackgroundRestartedError())).toBe(false);
});
