/**
 * A CRM client's shared load (Salesforce's describe, HubSpot's property list) under two callers:
 * a write-back's field check starts it and is cancelled while it runs; a sync waiting on the
 * same load must still get it, from the one request.
 */
import { expect } from 'vitest';
import type { CrmClient, FieldToWrite } from '../lib/crm/client';
import type { holdingFetch } from './demo-crm/fetch';

export async function expectCancelledCheckLeavesSyncItsLoad(client: CrmClient, holding: ReturnType<typeof holdingFetch>, field: FieldToWrite): Promise<void> {
  const [writeBack, sync] = [new AbortController(), new AbortController()];
  const checking = client.checkWritableFields([field], writeBack.signal);
  await holding.sent;
  const syncing = client.listChanged(null, null, sync.signal);
  writeBack.abort();
  await expect(checking).rejects.toMatchObject({ kind: 'cancelled', message: 'Cancelled' });
  holding.answer();
  expect((await syncing).records.length).toBeGreaterThan(0);
  expect(holding.held()).toBe(1);
}
