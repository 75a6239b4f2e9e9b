/**
 * A write-back asked for a CRM that is not connected is refused before any job starts: the reply
 * says why, and no failed run is saved to keep saying so once the CRM is connected.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, expect, it, vi } from 'vitest';
import { writeConnection } from '../../../test/fixtures/stored-connection';
import { db } from '../../db/db';
import { stubWebLocks } from '../../../test/web-locks';
import { readWriteBack } from '../write-back-job';
import { writeBackHandlers } from './write-back';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

beforeEach(async () => {
  fakeBrowser.reset();
  fakeBrowser.runtime.getPlatformInfo = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
  stubWebLocks();
  await Promise.all(db.tables.map((table) => table.clear()));
});

it('refuses a write-back to a CRM that is not connected without saving a failed run', async () => {
  const reply = await writeBackHandlers.writeBackScores({ crm: 'salesforce', scoreField: 'LeadLens_Score__c' }, {} as never);
  expect(reply).toEqual({ ok: false, error: 'Salesforce is not connected: connect it under CRM connections first' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await readWriteBack('salesforce')).toMatchObject({ status: 'idle', error: null, target: null });

  // Connected afterwards, nothing from the refused request is shown.
  await writeConnection({ crm: 'salesforce', host: 'acme.my.salesforce.com', apiVersion: '67.0', auth: { kind: 'session' }, timeoutSeconds: 30 });
  expect(await readWriteBack('salesforce')).toMatchObject({ status: 'idle', error: null });
});
