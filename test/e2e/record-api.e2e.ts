/**
 * Connected to the CRM, badges score the full record from its API: a HubSpot contact whose
 * page shows no fields at all gets a real score (equal to onnxruntime-node on the API's
 * record), and every row of the contacts index is scored through batch reads, with no lead
 * stored beforehand. The access token reaches no page.
 */
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledManifest } from '../bundled-model-session';
import { SPECIAL_LEAD_IDS } from '../../lib/crm/demo-data';
import { featurizeRecord } from '../../lib/ml/featurize';
import { type Manifest } from '../../lib/ml/manifest';
import { HUBSPOT_PORTAL, HUBSPOT_UI, hubspotContactUrl, startHarness, type Harness } from './harness';

const TOKEN = 'pat-na1-record-api-e2e-0123456789';
const BADGE = 'leadlens-badge';

let harness: Harness;
let manifest: Manifest;
let session: ortNode.InferenceSession;

beforeAll(async () => {
  manifest = bundledManifest();
  session = await ortNode.InferenceSession.create('models/model.onnx', { intraOpNumThreads: 1 });
  harness = await startHarness({ grantApiHosts: true });
  const options = await harness.context.newPage();
  await options.goto(`chrome-extension://${harness.extensionId}/options.html#connections`);
  await options.fill('input[name="hubspot-token"]', TOKEN);
  await options.click('[data-testid="connect-hubspot"]');
  await options.getByTestId('connection-hubspot').filter({ hasText: /^Connected: / }).waitFor({ timeout: 20_000 });
  await options.close();
}, 120_000);

afterAll(async () => {
  await session?.release();
  await harness?.close();
});

describe('badges with the CRM connected', () => {
  it('scores a contact from its API record when the page shows none of its fields', async () => {
    const page = await harness.context.newPage();
    await page.goto(hubspotContactUrl(SPECIAL_LEAD_IDS.noDetails.hubspot));
    const badge = page.locator(`${BADGE}[data-leadlens-state="scored"]`);
    await badge.waitFor({ timeout: 15_000 });
    const lead = harness.crm.leads.find((demo) => demo.hubspotId === SPECIAL_LEAD_IDS.noDetails.hubspot)!;
    const row = featurizeRecord(lead.hubspot, manifest.features, 'hubspot', new Date());
    const output = await session.run({ features: new ortNode.Tensor('float32', row, [1, manifest.features.length]) });
    const expected = (output.probability.data as Float32Array)[0];
    expect(Math.abs(Number(await badge.getAttribute('data-leadlens-probability')) - expected)).toBeLessThanOrEqual(1e-6);
    await badge.locator('button').hover();
    expect(await page.locator(`${BADGE} [role="region"]`).innerText()).toMatch(/\d+ of \d+ signals known/);
    expect(await page.content()).not.toContain(TOKEN);
    await page.close();
  });

  it('scores every row of the contacts index through the API’s batch read, with nothing stored', async () => {
    const page = await harness.context.newPage();
    await page.goto(`https://${HUBSPOT_UI}/contacts/${HUBSPOT_PORTAL}/objects/0-1/views/all/list`);
    const rows = page.locator('[data-test-id="contacts-table"] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(50);
    for (let i = 0; i < 50; i += 10) await rows.nth(i).scrollIntoViewIfNeeded();
    await rows.last().scrollIntoViewIfNeeded();
    await expect.poll(() => page.locator(`${BADGE}[data-leadlens-state="scored"]`).count(), { timeout: 15_000 }).toBe(50);
    expect(await page.content()).not.toContain(TOKEN);
    await page.close();
  });

  it('reads no contact of the connected portal for a page of another portal that its own script moves there (one origin for every portal)', { timeout: 60_000 }, async () => {
    const page = await harness.context.newPage();
    await page.goto(`https://${HUBSPOT_UI}/contacts/999/record/0-1/123`);
    // The other portal's script moves its address to a contact of the connected portal, whose page shows none of its fields.
    const contactId = SPECIAL_LEAD_IDS.noDetails.hubspot;
    await page.evaluate(([portal, id]) => history.pushState({}, '', `/contacts/${portal}/record/0-1/${id}`), [HUBSPOT_PORTAL, contactId]);
    const badge = page.locator(BADGE);
    // Its page shows no field: the badge says so once it has waited for them to load (as long as a page with none takes).
    await expect.poll(() => badge.getAttribute('data-leadlens-state'), { timeout: 40_000 }).toMatch(/^(unknown|error)$/);
    // What the page's own scripts can read: no score, and none of the contact's values the API holds.
    const lead = harness.crm.leads.find((demo) => demo.hubspotId === contactId)!;
    const shown = await badge.evaluate((host) => host.shadowRoot?.textContent ?? '');
    expect(lead.hubspot.jobtitle).toBeTruthy();
    expect(shown).not.toContain(String(lead.hubspot.jobtitle));
    expect(await badge.getAttribute('data-leadlens-score')).toBeNull();
    await page.close();
  });
});
