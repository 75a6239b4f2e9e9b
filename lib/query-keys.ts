/**
 * TanStack Query keys, one factory per resource, so every write can invalidate exactly the
 * keys it changes.
 */
export const queryKeys = {
  activeModel: () => ['models', 'active'] as const,
  models: () => ['models'] as const,
};
