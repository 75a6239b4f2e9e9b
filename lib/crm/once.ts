/**
 * A load done once and shared: the first `get` starts it, later calls get the same promise
 * (so one request serves every caller, even concurrent ones). A load that fails is forgotten,
 * so the next `get` tries again instead of repeating a failure for the client's lifetime.
 * The load runs with the signal of the `get` that started it.
 */
export interface SharedLoad<T> {
  get(signal?: AbortSignal): Promise<T>;
  /** Drops the loaded value (or the load under way): the next `get` loads afresh. */
  forget(): void;
}

export function loadOnce<T>(load: (signal?: AbortSignal) => Promise<T>): SharedLoad<T> {
  let shared: Promise<T> | undefined;
  return {
    get(signal) {
      if (shared === undefined) {
        const loading = load(signal);
        shared = loading;
        // Only this load's own failure clears it: one started after `forget()` stays.
        loading.catch(() => {
          if (shared === loading) shared = undefined;
        });
      }
      return shared;
    },
    forget() {
      shared = undefined;
    },
  };
}
