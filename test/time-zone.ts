/**
 * `body` run with this process's time zone set to `timeZone` (an IANA name), as a browser there
 * dates things, the zone put back after: Node reads `process.env.TZ` again whenever it is set, for
 * `Date` and for `Intl` alike.
 */
export async function inTimeZone<T>(timeZone: string, body: () => T | Promise<T>): Promise<T> {
  const before = process.env.TZ;
  process.env.TZ = timeZone;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}
