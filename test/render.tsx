/**
 * Rendering React components into happy-dom for component tests: React 19's `createRoot`
 * inside `act`, so effects and state updates have run before the test looks.
 */
import { act, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';

// Tells React that updates are wrapped in act() here (it warns otherwise).
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Rendered {
  container: HTMLElement;
  rerender(element: ReactNode): void;
  unmount(): void;
}

export function render(element: ReactNode): Rendered {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  act(() => root.render(element));
  return {
    container,
    rerender: (next) => act(() => root.render(next)),
    unmount: () => {
      act(() => root.unmount());
      container.remove();
    },
  };
}

/** The text a screen reader reads for `node`: its text without `aria-hidden` subtrees. */
export function spokenText(node: Node): string {
  if (node instanceof Element && node.getAttribute('aria-hidden') === 'true') return '';
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
  return Array.from(node.childNodes, spokenText).join('');
}

/**
 * Enter on a focused native <button>. A browser turns that key press into a click; happy-dom
 * does not, so this does it, and only for what a keyboard can reach: a focused, enabled button.
 */
export function pressEnter(target: HTMLElement): void {
  act(() => target.focus());
  if (document.activeElement !== target) throw new Error('Enter goes to the focused element, and this one cannot take focus');
  if (!(target instanceof HTMLButtonElement) || target.disabled) throw new Error('Only an enabled <button> turns Enter into a click');
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    target.click();
  });
}

export const click = (target: HTMLElement) => act(() => target.click());

/** Lets React, the queries and IndexedDB settle until `find` finds something (at most `timeoutMs`). */
export async function waitFor<T>(find: () => T | null | undefined, timeoutMs = 5_000): Promise<T> {
  // By the clock, not a count of tries: under a loaded CI machine, IndexedDB and React take longer.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error('not found in time');
    await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
  }
}

/** The element the focus went to that holds a message matching `text` (a status line focused by script: tabIndex -1). */
export const focusedMessage = (text: RegExp) =>
  waitFor(() => {
    const focused = document.activeElement;
    return focused instanceof HTMLElement && focused.tabIndex === -1 && text.test(focused.textContent ?? '') ? focused : null;
  });

/**
 * The live regions in `container` now, followed: a screen reader announces what changes in a
 * region it already knows, seldom one that arrives with its text. Take it before an action; it
 * returns what those regions, still on the page, say after it (the silent ones left out).
 */
export function followLiveRegions(container: Element): () => string[] {
  const regions = Array.from(container.querySelectorAll('[role="status"], [role="alert"], [aria-live]:not([aria-live="off"])'));
  return () => regions.filter((region) => region.isConnected && region.textContent).map((region) => region.textContent!);
}
