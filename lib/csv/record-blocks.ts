/**
 * CSV text arriving in chunks (a file's stream) → blocks of whole records, so each block can
 * be parsed and validated on its own while the file is still being read. A newline ends a
 * record only outside quotes; RFC 4180 escapes a quote by doubling it, so the parity of the
 * quotes seen so far says whether we are inside a quoted cell.
 */

/** Default block size: large enough that parsing dominates, small enough to keep memory flat. */
export const BLOCK_CHARS = 1 << 20;

export async function* recordBlocks(chunks: AsyncIterable<string>, blockChars = BLOCK_CHARS): AsyncGenerator<string> {
  let pending = '';
  let inQuotes = false;
  /** Index in `pending` just after the last record-ending newline, or 0. */
  let boundary = 0;
  for await (const chunk of chunks) {
    const start = pending.length;
    pending += chunk;
    for (let i = start; i < pending.length; i++) {
      const char = pending.charCodeAt(i);
      if (char === 0x22) inQuotes = !inQuotes;
      else if (char === 0x0a && !inQuotes) boundary = i + 1;
    }
    if (pending.length >= blockChars && boundary > 0) {
      yield pending.slice(0, boundary);
      pending = pending.slice(boundary);
      boundary = 0;
    }
  }
  if (pending.trim() !== '') yield pending;
}

/** The first record (the header) of a block and the rest, split at the first newline outside quotes. */
export function splitHeader(block: string): { header: string; rest: string } {
  let inQuotes = false;
  for (let i = 0; i < block.length; i++) {
    const char = block.charCodeAt(i);
    if (char === 0x22) inQuotes = !inQuotes;
    else if (char === 0x0a && !inQuotes) return { header: block.slice(0, i).replace(/\r$/, ''), rest: block.slice(i + 1) };
  }
  return { header: block.replace(/\r$/, ''), rest: '' };
}
