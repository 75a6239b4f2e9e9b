/**
 * `fetch` answered by a demo CRM handler in the same process: the REST clients run against
 * the demo's real response shapes, faults and limits with no socket and no certificate.
 * A stalled request (timeout fault) never settles until its signal aborts.
 */
import type { DemoHandler } from './http';

export function demoFetch(handle: DemoHandler): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const response = handle({ method: init.method ?? 'GET', host: url.hostname, url, headers, body: typeof init.body === 'string' ? init.body : '' });
    if (response.stall) {
      return new Promise<Response>((_, reject) => {
        const signal = init.signal;
        if (!signal) return; // like a real stalled socket with no timeout: forever
        const abort = () => reject(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      });
    }
    return new Response(response.status === 204 || response.status === 302 ? null : response.body, { status: response.status, headers: response.headers });
  };
}

/**
 * `fetch` that holds the requests `held` picks until the test answers them (then `reachCrm`
 * answers), giving them up, as fetch does, once their signal aborts: for tests of what callers
 * do while a request is under way. `sent` resolves once the first held request is made.
 */
export function holdingFetch(reachCrm: typeof fetch, held: (url: string) => boolean) {
  let answer!: () => void;
  let markSent!: () => void;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  let count = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    if (held(String(input))) {
      count++;
      await new Promise<void>((resolve, reject) => {
        answer = resolve;
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
        markSent();
      });
    }
    return reachCrm(input, init);
  };
  return { fetch, sent, answer: () => answer(), held: () => count };
}
