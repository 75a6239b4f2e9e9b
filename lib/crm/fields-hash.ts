import type { PageFields } from './types';

/** FNV-1a over the fields in key order: cheap, stable, and enough to notice a change. */
export function hashFields(fields: PageFields): string {
  let hash = 0x811c9dc5;
  for (const key of Object.keys(fields).sort()) {
    for (const char of `${key}\u0000${fields[key]}\u0001`) {
      hash ^= char.codePointAt(0)!;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return hash.toString(16).padStart(8, '0');
}
