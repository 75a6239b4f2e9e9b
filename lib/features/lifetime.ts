/**
 * How long the CRM content script runs: until the extension is updated or reloaded under the
 * page, when this script can no longer reach it (`browser.runtime.id` is gone), checked on each
 * tick of its intervals. In place of WXT's content-script context, which also ends when any
 * script dispatches WXT's "a newer content script started" event on the document: the CRM page's
 * own scripts share that document and could forge it, stopping every badge until a reload.
 */
import { browser } from 'wxt/browser';

export interface ScriptLifetime {
  /** Aborts when the extension was updated or reloaded under the page. */
  readonly signal: AbortSignal;
  /** Listens for `type` on `target` until the lifetime ends. */
  addEventListener(target: EventTarget, type: string, listener: () => void): void;
  /** Calls `tick` every `ms` until the lifetime ends, which each tick checks first. */
  setInterval(tick: () => void, ms: number): void;
}

export function scriptLifetime(): ScriptLifetime {
  const lifetime = new AbortController();
  const { signal } = lifetime;
  return {
    signal,
    addEventListener: (target, type, listener) => target.addEventListener(type, listener, { signal }),
    setInterval(tick, ms) {
      const id = setInterval(() => {
        if (browser.runtime?.id == null) lifetime.abort();
        if (!signal.aborted) tick();
      }, ms);
      signal.addEventListener('abort', () => clearInterval(id));
    },
  };
}
