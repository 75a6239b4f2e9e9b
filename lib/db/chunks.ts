/**
 * Reading a large table in primary-key order, a chunk at a time, so no single task holds
 * tens of thousands of rows (a page stays responsive; a job can report progress).
 */
import type { Table } from 'dexie';

/** Every string primary key. */
export const ALL_KEYS: [string, string] = ['', '\uffff'];

/**
 * Calls `visit` with successive chunks (of a table keyed by `key`) of at most `size` rows whose primary key lies in
 * [`from`, `to`] (whole table when omitted). `between` restarts above the last key seen, so
 * rows written by `visit` in the same range are not visited twice.
 */
export async function forEachChunk<T extends { key: string }, TInsert>(
  table: Table<T, string, TInsert>,
  size: number,
  visit: (rows: T[]) => Promise<void> | void,
  range: [string, string] = ALL_KEYS,
): Promise<void> {
  let lowerKey: string = range[0];
  let includeLower = true;
  for (;;) {
    const rows = await table.where(':id').between(lowerKey, range[1], includeLower, true).limit(size).toArray();
    if (rows.length === 0) return;
    await visit(rows);
    if (rows.length < size) return;
    lowerKey = rows[rows.length - 1].key;
    includeLower = false;
  }
}

/** Let the event loop breathe between chunks (input, paint) in a page. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Every key in [`${prefix}`, `${prefix}\uffff`): the primary keys of one model (`${modelId}|…`) or one source (`${source}|…`). */
export function prefixRange(prefix: string): [string, string] {
  return [prefix, `${prefix}\uffff`];
}

/** The keys of `range` above `after` (where an unfinished job stopped), or all of them. */
export function rangeAfter([from, to]: [string, string], after?: string): [string, string] {
  // `after + "\u0000"` is the smallest key above `after`.
  return [after === undefined ? from : `${after}\u0000`, to];
}

/**
 * Deletes the rows of `table` whose primary key lies in `range`, `size` at a time, each chunk in
 * a transaction of its own (over `table` and `alsoReads`), so a sync's commit or a scoring batch
 * waits for one chunk, not for the whole set. Before each chunk, in its transaction, `goOn` says
 * whether to delete it (the set may be wanted again since). Resolves with how many rows it deleted.
 */
export async function deleteInChunks<T, TInsert>(
  table: Table<T, string, TInsert>,
  size: number,
  range: [string, string],
  { alsoReads = [], goOn = async () => true }: { alsoReads?: Table[]; goOn?: () => Promise<boolean> } = {},
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const chunk = await table.db.transaction('rw', [table, ...alsoReads], async () => {
      if (!(await goOn())) return 0;
      const keys = await table.where(':id').between(range[0], range[1], true, true).limit(size).primaryKeys();
      await table.bulkDelete(keys);
      return keys.length;
    });
    deleted += chunk;
    if (chunk < size) return deleted;
  }
}
