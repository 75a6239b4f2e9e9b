/**
 * The replies of the typed calls (./client.ts): `{ ok: true, … }`, or `{ ok: false, error }`
 * with the error in words a person can read.
 */

/** The reply of a call that succeeded, else throws its error (for query and mutation functions, which show it). */
export async function succeeded<Reply extends { ok: true } | { ok: false; error: string }>(reply: Promise<Reply>): Promise<Extract<Reply, { ok: true }>> {
  const settled = await reply;
  if (!settled.ok) throw new Error((settled as { ok: false; error: string }).error);
  return settled as Extract<Reply, { ok: true }>;
}
