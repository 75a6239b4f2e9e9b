/**
 * The one request/response mechanism between extension contexts, over
 * `runtime.sendMessage`. A message is `{ target, type, payload }`; each context answers only
 * its own target, so the background and the offscreen document can share the channel.
 * Inputs and outputs are parsed on both sides: a malformed message is a clear error, never an
 * exception in the page, and a reply carries only what its schema declares (zod drops any
 * other key before it leaves the handler's context, credentials included).
 */
import type { z } from 'zod';
import { browser } from 'wxt/browser';
import { describeSchemaIssues } from '../schema-issues';
import type { Protocol } from './protocol';

export type Target = 'background' | 'offscreen';

interface Envelope {
  target: Target;
  type: string;
  payload: unknown;
}

type Input<P extends Protocol, K extends keyof P> = z.input<P[K]['input']>;
type Output<P extends Protocol, K extends keyof P> = z.infer<P[K]['output']>;

export type Handlers<P extends Protocol> = {
  [K in keyof P]: (input: z.infer<P[K]['input']>, sender: Browser.runtime.MessageSender) => Promise<Output<P, K>>;
};

export type Client<P extends Protocol> = {
  [K in keyof P]: (input: Input<P, K>) => Promise<Output<P, K>>;
};

/**
 * The ways Chrome says no context took a message (none acted on it):
 * - no page listening: rejected, "Could not establish connection. Receiving end does not exist.";
 * - only pages that listen without replying (lib/messaging/events.ts's `onEvent`): rejected, "The
 *   message port closed before a response was received.", or resolved with no reply, which the
 *   client below refuses as a malformed reply, the root received undefined.
 */
const NOT_TAKEN = [/Receiving end does not exist/, /The message port closed before a response was received/, /^LeadLens: malformed reply to \w+ \(\(root\): [^;]*received undefined\)$/];

/** Whether `error`, a typed call's rejection, says no context took its message (`NOT_TAKEN`): sent again, it is acted on once. */
export const notTaken = (error: unknown) => error instanceof Error && NOT_TAKEN.some((said) => said.test(error.message));

/**
 * Chrome's words when the context that took a message (its handler kept the channel open to
 * answer later: `registerHandlers`) stopped before it answered: a worker Chrome stopped, a
 * document closed or crashed. "A listener indicated an asynchronous response by returning true,
 * but the message channel closed before a response was received".
 */
const CLOSED_UNANSWERED = /message channel closed before a response was received/;

/**
 * The background took a page's request and stopped before it answered: Chrome stopped its
 * worker (it starts again at the next event, and goes on with what its predecessor left). What
 * was asked may be done, be finished by the next worker, or not have begun: only what is stored
 * says which (`replyOrReadBack`). The message is for a caller that reads nothing back, in place of Chrome's.
 */
export class BackgroundRestartedError extends Error {
  constructor() {
    super("LeadLens's background stopped while it worked, before it answered: reload this page to see what was done.");
    this.name = 'BackgroundRestartedError';
  }
}

/**
 * `reply`, or when the background stopped before it answered (`BackgroundRestartedError`), what
 * `readBack` makes of what is stored: then the one way a page learns what came of its request.
 */
export async function replyOrReadBack<Reply>(reply: Promise<Reply>, readBack: () => Promise<Reply>): Promise<Reply> {
  try {
    return await reply;
  } catch (error) {
    if (!(error instanceof BackgroundRestartedError)) throw error;
    return await readBack();
  }
}

/** A typed client for the handlers of `target`. */
export function createClient<P extends Protocol>(protocol: P, target: Target): Client<P> {
  const client = {} as Client<P>;
  for (const type of Object.keys(protocol) as (keyof P & string)[]) {
    client[type] = async (input) => {
      // Not `parse`: its error's message is zod's JSON dump of the issues, which pages would show as it is.
      const checked = protocol[type].input.safeParse(input);
      if (!checked.success) throw new Error(`LeadLens: malformed ${type} request (${describeSchemaIssues(checked.error)})`);
      const envelope: Envelope = { target, type, payload: checked.data };
      const reply: unknown = await browser.runtime.sendMessage(envelope).catch((error: unknown) => {
        // The offscreen document's one caller, the background, tells its closure itself (offscreen-engine.ts `jobReply`).
        throw target === 'background' && error instanceof Error && CLOSED_UNANSWERED.test(error.message) ? new BackgroundRestartedError() : error;
      });
      const parsed = protocol[type].output.safeParse(reply);
      if (!parsed.success) throw new Error(`LeadLens: malformed reply to ${type} (${describeSchemaIssues(parsed.error)})`);
      return parsed.data as Output<P, typeof type>;
    };
  }
  return client;
}

/** Whether the sender is one of LeadLens's own pages or workers, not a content script in a web page. */
const isExtensionContext = (sender: Browser.runtime.MessageSender) => sender.url?.startsWith(browser.runtime.getURL('/')) === true;

/**
 * Answer the messages for `target` with `handlers`. Unknown types and malformed payloads get
 * `{ ok: false, error }`, which every output schema in the protocol accepts. Content scripts
 * run in the CRM's web pages, so only the types in `fromContentScripts` are answered for them:
 * a compromised page cannot purge, connect or write back through its content script.
 */
export function registerHandlers<P extends Protocol>(
  protocol: P,
  target: Target,
  handlers: Handlers<P>,
  fromContentScripts: readonly (keyof P & string)[] = [],
): void {
  browser.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
    if (!isEnvelope(message) || message.target !== target) return false;
    const spec = Object.hasOwn(protocol, message.type) ? protocol[message.type as keyof P] : undefined;
    if (!spec) {
      sendResponse({ ok: false, error: `Unknown message type "${message.type}"` });
      return false;
    }
    if (!isExtensionContext(sender) && !fromContentScripts.includes(message.type)) {
      sendResponse({ ok: false, error: `${message.type} is answered only for LeadLens's own pages` });
      return false;
    }
    const input = spec.input.safeParse(message.payload);
    if (!input.success) {
      sendResponse({ ok: false, error: `Malformed ${message.type} request (${describeSchemaIssues(input.error)})` });
      return false;
    }
    handlers[message.type as keyof P](input.data as z.infer<P[keyof P]['input']>, sender).then(
      (result) => {
        const reply = spec.output.safeParse(result);
        if (reply.success) {
          sendResponse(reply.data);
        } else {
          // A handler's bug: say where, never the value (it may hold personal data or a credential).
          console.error(`LeadLens: ${message.type} replied with what its schema refuses (${describeSchemaIssues(reply.error)})`);
          sendResponse({ ok: false, error: `LeadLens could not answer ${message.type}: its reply was malformed` });
        }
      },
      (error: unknown) => {
        // Log the failure, never the payload: it holds personal data.
        console.error(`LeadLens: ${message.type} failed`, error);
        sendResponse({ ok: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
    return true; // the reply is sent asynchronously
  });
}

function isEnvelope(message: unknown): message is Envelope {
  return (
    typeof message === 'object' &&
    message !== null &&
    'target' in message &&
    'type' in message &&
    typeof (message as Envelope).type === 'string'
  );
}
