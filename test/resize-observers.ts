/** ResizeObserver for happy-dom tests, which lay nothing out: the observers made, and what each observes, for a test to call as the browser would. */
import { vi } from 'vitest';

export interface StubbedSizeObserver {
  callback: () => void;
  observed: Set<Element>;
}

/** Stubs the global ResizeObserver (undo with `vi.unstubAllGlobals()`); returns the list each observer made is added to. */
export function stubResizeObservers(): StubbedSizeObserver[] {
  const observers: StubbedSizeObserver[] = [];
  vi.stubGlobal(
    'ResizeObserver',
    class {
      private readonly entry: StubbedSizeObserver;
      constructor(callback: () => void) {
        this.entry = { callback, observed: new Set() };
        observers.push(this.entry);
      }
      observe(element: Element) {
        this.entry.observed.add(element);
      }
      unobserve(element: Element) {
        this.entry.observed.delete(element);
      }
      disconnect() {
        this.entry.observed.clear();
      }
    },
  );
  return observers;
}
