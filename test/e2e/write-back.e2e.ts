/**
 * Write-back end to end: connect HubSpot (token) and Salesforce (session) from the options
 * page, sync 302 leads from each, write score, tier and top reason to the CRMs' custom fields
 * from the options page (the write-back scores the synced leads with the bundled model first),
 * and read the values back
 * through the demo CRM's REST API. Then, on that connected browser, no credential anywhere
 * outside the background: not readable from the content script's world, not in a reply to
 * it, not in the page, not in the exported CSV or model, not in the worker's console.
 */
import { readFileSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CRMS, E2E_HUBSPOT_TOKEN, connectDemoCrms, expectNoSecretIn, recordServiceWorkerConsole, salesforceSessionCookie, startSyncs, storedLeadIds } from './connect';
import { HUBSPOT_API, SALESFORCE_API, hubspotContactUrl, startHarness, type Harness } from './harness';
import { withLeadLensDb } from './idb';

const COUNT = 300;
const MODEL_ID = (JSON.parse(readFileSync('models/manifest.json', 'utf8')) as { modelId: string }).modelId;
const TIER_WORD = { hot: 'Hot', warm: 'Warm', cold: 'Cold' } as const;

let harness: Harness;
let logs: string[];

beforeAll(async () => {
  harness = await startHarness({ grantApiHosts: true, count: COUNT });
  logs = recordServiceWorkerConsole(harness.context);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

interface StoredScore {
  recordId: string;
  score: number;
  tier: keyof typeof TIER_WORD;
  /** As written to the CRM: with which way it moves the odds. */
  topReason: string;
}

/** The bundled model's scores of the leads synced from `source`, from the extension's IndexedDB. */
function storedScores(options: Page, source: string): Promise<StoredScore[]> {
  return withLeadLensDb(
    options,
    async ({ store, request }, { source, modelId }) => {
      const all: { leadKey: string; modelId: string; score: number; tier: 'hot'; topReason: string; reasonUp: string }[] = await request(store('leadScores').getAll());
      const written = ({ topReason, reasonUp }: (typeof all)[number]) => (topReason === '' ? '' : `${topReason} (${topReason === reasonUp ? 'raises' : 'lowers'} the odds)`);
      return all
        .filter((score) => score.modelId === modelId && score.leadKey.startsWith(`${source}|`))
        .map((score) => ({ recordId: score.leadKey.slice(source.length + 1), score: score.score, tier: score.tier, topReason: written(score) }));
    },
    { source, modelId: MODEL_ID },
  );
}

/** A record's fields through the demo REST API, as the extension (which has the host permission) reads them. */
function readThroughApi(options: Page, url: string): Promise<Record<string, unknown>> {
  return options.evaluate(async (url) => {
    const response = await fetch(url, { headers: { authorization: 'Bearer e2e-reader' }, credentials: 'omit' });
    return (await response.json()) as Record<string, unknown>;
  }, url);
}

it('writes score, tier and top reason of every synced lead to both CRMs, and they read back', async () => {
  const options = await connectDemoCrms(harness.context, harness.extensionId);
  await startSyncs(options);
  for (const crm of CRMS) {
    await expect.poll(() => options.getAttribute(`[data-testid="sync-${crm}"]`, 'data-status'), { timeout: 60_000 }).toBe('done');
  }
  // Nothing scores the synced leads beforehand: the write-back scores them itself.
  await options.goto(`chrome-extension://${harness.extensionId}/options.html#write-back`);
  for (const crm of CRMS) {
    // The form starts with the suggested field names, which the demo org has.
    await options.click(`[data-testid="start-write-back-${crm}"]`);
  }
  // Salesforce refuses to update a converted Lead: those are left out. A converted HubSpot contact is written.
  const converted = new Set(harness.crm.leads.filter((lead) => lead.salesforce.IsConverted).map((lead) => lead.salesforceId));
  expect(converted.size).toBeGreaterThan(0);
  const toWrite = { salesforce: COUNT + 2 - converted.size, hubspot: COUNT + 2 };
  for (const crm of CRMS) {
    const form = `[data-testid="write-back-${crm}"]`;
    await expect.poll(() => options.getAttribute(form, 'data-status'), { timeout: 60_000 }).toBe('done');
    expect(Number(await options.getAttribute(form, 'data-written'))).toBe(toWrite[crm]);
    expect(await options.textContent(form)).toContain(`Wrote ${toWrite[crm]} of ${toWrite[crm]} leads`);
  }

  const salesforce = await storedScores(options, 'salesforce');
  expect(salesforce).toHaveLength(COUNT + 2);
  const [convertedLead] = converted;
  const untouched = await readThroughApi(options, `https://${SALESFORCE_API}/services/data/v67.0/sobjects/Lead/${convertedLead}?fields=LeadLens_Score__c`);
  expect(untouched).toMatchObject({ LeadLens_Score__c: null });
  for (const expected of salesforce.filter((score) => !converted.has(score.recordId)).slice(0, 25)) {
    const record = await readThroughApi(options, `https://${SALESFORCE_API}/services/data/v67.0/sobjects/Lead/${expected.recordId}?fields=LeadLens_Score__c,LeadLens_Tier__c,LeadLens_Reason__c`);
    expect(record).toMatchObject({ LeadLens_Score__c: expected.score, LeadLens_Tier__c: TIER_WORD[expected.tier], LeadLens_Reason__c: expected.topReason.slice(0, 255) });
  }
  const hubspot = await storedScores(options, 'hubspot');
  expect(hubspot).toHaveLength(COUNT + 2);
  for (const expected of hubspot.slice(0, 25)) {
    const record = await readThroughApi(options, `https://${HUBSPOT_API}/crm/v3/objects/contacts/${expected.recordId}?properties=leadlens_score,leadlens_tier,leadlens_reason`);
    expect(record.properties).toMatchObject({ leadlens_score: String(expected.score), leadlens_tier: TIER_WORD[expected.tier], leadlens_reason: expected.topReason.slice(0, 255) });
  }

  // A field the org does not have: refused before anything is written, and the form says why.
  await options.fill('input[name="salesforce-score-field"]', 'Missing_Score__c');
  await options.click('[data-testid="start-write-back-salesforce"]');
  await expect.poll(() => options.textContent('[data-testid="write-back-salesforce"]'), { timeout: 30_000 }).toContain('Salesforce Leads have no field "Missing_Score__c"');
  // HubSpot's own property: overwriting it on every contact is refused the same way.
  await options.fill('input[name="hubspot-tier-field"]', 'jobtitle');
  await options.click('[data-testid="start-write-back-hubspot"]');
  await expect.poll(() => options.textContent('[data-testid="write-back-hubspot"]'), { timeout: 30_000 }).toContain(`"jobtitle" (Job title) is one of HubSpot's own properties`);

  expectNoSecretIn({ 'service worker console': logs.join('\n'), 'options page': await options.content() }, [E2E_HUBSPOT_TOKEN, await salesforceSessionCookie(harness.context)]);
}, 300_000);

/** Runs `expression` in the LeadLens content script's isolated world of the page (through CDP: Playwright only reaches the main world). */
async function evaluateInContentScript(cdp: CDPSession, extensionId: string, expression: string): Promise<unknown> {
  const contexts: { id: number; origin: string }[] = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  await cdp.send('Runtime.enable'); // replays the contexts that already exist
  const isolated = contexts.find((context) => context.origin === `chrome-extension://${extensionId}`);
  if (!isolated) throw new Error('The LeadLens content script runs in no world of this page');
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, contextId: isolated.id, awaitPromise: true, returnByValue: true });
  if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  return result.value;
}

it('shows no credential to content scripts, pages, exported files or the worker’s console', async () => {
  const secrets = [E2E_HUBSPOT_TOKEN, await salesforceSessionCookie(harness.context)];
  const crmPage = await harness.context.newPage();
  const contact = harness.crm.leads[0].hubspotId;
  await crmPage.goto(hubspotContactUrl(contact));
  await crmPage.locator('leadlens-badge[data-leadlens-state="scored"]').waitFor({ timeout: 15_000 });

  // The page's own world has no extension API at all; the content script's world has one, but storage.local is closed to it.
  expect(await crmPage.evaluate(() => typeof (globalThis as { chrome?: { storage?: unknown } }).chrome?.storage)).toBe('undefined');
  const cdp = await harness.context.newCDPSession(crmPage);
  const fromContentScript = (await evaluateInContentScript(
    cdp,
    harness.extensionId,
    `(async () => {
      const local = await chrome.storage.local.get(null).then((items) => JSON.stringify(items), (error) => 'refused: ' + error.message);
      const reply = await chrome.runtime.sendMessage({ target: 'background', type: 'scoreLead', payload: { crm: 'hubspot', recordId: '${contact}', fields: {} } });
      const status = await chrome.runtime.sendMessage({ target: 'background', type: 'connectionStatus', payload: {} });
      return { local, replies: JSON.stringify([reply, status]), scored: reply.ok, status };
    })()`,
  )) as { local: string; replies: string; scored: boolean; status: unknown };
  expect(fromContentScript.local).toMatch(/^refused: .*not allowed/i);
  // Its own page's score it gets; the connections' status is for LeadLens's own pages only.
  expect(fromContentScript.scored).toBe(true);
  expect(fromContentScript.status).toEqual({ ok: false, error: "connectionStatus is answered only for LeadLens's own pages" });

  const options = await harness.context.newPage();
  await options.goto(`chrome-extension://${harness.extensionId}/options.html#csv`);
  const csvDownload = options.waitForEvent('download');
  await options.getByRole('button', { name: 'Export scores as CSV' }).click();
  const csv = readFileSync((await (await csvDownload).path())!, 'utf8');
  expect(csv.split('\r\n').length).toBeGreaterThan(2 * (COUNT + 2));
  await options.goto(`chrome-extension://${harness.extensionId}/options.html#versions`);
  const modelFiles = [options.waitForEvent('download'), options.waitForEvent('download')];
  await options.getByRole('button', { name: `Export ${MODEL_ID}` }).click();
  const [manifest, onnx] = await Promise.all(modelFiles.map(async (download) => readFileSync((await (await download).path())!, 'latin1')));

  expectNoSecretIn(
    {
      'replies to the content script': fromContentScript.replies,
      'the CRM page': await crmPage.content(),
      'the exported CSV': csv,
      'the exported manifest': manifest,
      'the exported model': onnx,
      'service worker console': logs.join('\n'),
    },
    secrets,
  );
}, 120_000);

it('removes at the next sync a lead deleted in both CRMs since the last one, and says so', async () => {
  const options = await harness.context.newPage();
  await options.goto(`chrome-extension://${harness.extensionId}/options.html#sync`);
  for (const crm of CRMS) await expect.poll(() => options.getAttribute(`[data-testid="sync-${crm}"]`, 'data-status'), { timeout: 15_000 }).toBe('done');
  const [gone] = harness.crm.leads;
  expect((await storedLeadIds(options)).salesforce).toContain(gone.salesforceId);
  // A minute before the sync asks: Salesforce lists deletions by whole minutes.
  harness.crm.deleteLead(gone, Date.now() - 60_000);
  await startSyncs(options);
  const label = { salesforce: 'Salesforce', hubspot: 'HubSpot' } as const;
  for (const crm of CRMS) {
    await expect.poll(() => options.textContent(`[data-testid="sync-${crm}"]`), { timeout: 60_000 }).toContain(`1 lead deleted in ${label[crm]} was removed from this browser`);
  }
  const stored = await storedLeadIds(options);
  expect(stored.salesforce).toHaveLength(COUNT + 1);
  expect(stored.salesforce).not.toContain(gone.salesforceId);
  expect(stored.hubspot).toHaveLength(COUNT + 1);
  expect(stored.hubspot).not.toContain(gone.hubspotId);
  await options.close();
}, 120_000);

it('writes back nothing the CRM already holds: the next sync read the written values back', async () => {
  const options = await harness.context.newPage();
  await options.goto(`chrome-extension://${harness.extensionId}/options.html#sync`);
  for (const crm of CRMS) await expect.poll(() => options.getAttribute(`[data-testid="sync-${crm}"]`, 'data-status'), { timeout: 15_000 }).toBe('done');
  const lastSync = await Promise.all(CRMS.map((crm) => options.textContent(`[data-testid="sync-${crm}"]`)));
  await startSyncs(options);
  for (const [index, crm] of CRMS.entries()) {
    const row = `[data-testid="sync-${crm}"]`;
    await expect.poll(async () => (await options.getAttribute(row, 'data-status')) === 'done' && (await options.textContent(row)) !== lastSync[index], { timeout: 60_000 }).toBe(true);
  }
  // Every lead the first test wrote still holds its score, tier and reason (Salesforce sends the
  // score back as a number, HubSpot as text); converted Salesforce Leads are not written at all.
  const stored = await storedLeadIds(options);
  const converted = new Set(harness.crm.leads.filter((lead) => lead.salesforce.IsConverted).map((lead) => lead.salesforceId));
  const takesWrites = { salesforce: stored.salesforce.filter((id) => !converted.has(id)).length, hubspot: stored.hubspot.length };
  await options.goto(`chrome-extension://${harness.extensionId}/options.html#write-back`);
  // The last write-backs named fields the CRM refused (the forms show them, with why): back to the ones written before.
  expect(await options.inputValue('input[name="hubspot-tier-field"]')).toBe('jobtitle');
  await options.fill('input[name="salesforce-score-field"]', 'LeadLens_Score__c');
  await options.fill('input[name="hubspot-tier-field"]', 'leadlens_tier');
  for (const crm of CRMS) await options.click(`[data-testid="start-write-back-${crm}"]`);
  for (const crm of CRMS) {
    const form = `[data-testid="write-back-${crm}"]`;
    await expect.poll(() => options.textContent(form), { timeout: 60_000 }).toContain(`Nothing to write: all ${takesWrites[crm]} leads already held these values`);
    expect(await options.getAttribute(form, 'data-written')).toBe('0');
  }
  await options.close();
}, 120_000);
