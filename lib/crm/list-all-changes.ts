import type { CrmClient } from './client';

/** Page through every record changed since `since` (null: all), as a sync would: ids in order and the page count. */
export async function listAllChanges(client: CrmClient, since: number | null = null): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const page = await client.listChanged(since, token);
    ids.push(...page.records.map((r) => r.id));
    token = page.next;
    pages++;
  } while (token !== null);
  return { ids, pages };
}
