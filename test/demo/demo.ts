/**
 * The demo: the built extension in Chromium on the demo CRM.
 *   npm run demo               opens Chromium on a demo Salesforce lead (needs a display)
 *   npm run demo -- --headless writes screenshots of a Salesforce and a HubSpot lead, with
 *                              badge and popover, into demo-output/ and prints their scores
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { hubspotContactUrl, salesforceLeadUrl, startHarness } from '../e2e/harness';
import { RECORD_PAGE_VIEWPORT, showBadgeWithPopover } from './record-page';

const headless = process.argv.includes('--headless') || !process.env.DISPLAY;
const outDir = resolve('demo-output');

const harness = await startHarness({ headless });
const [salesforceLead, hubspotLead] = harness.crm.leads;
const pages = [
  { name: 'salesforce-lead', url: salesforceLeadUrl(salesforceLead.salesforceId) },
  { name: 'hubspot-lead', url: hubspotContactUrl(hubspotLead.hubspotId) },
];

if (!headless) {
  const page = await harness.context.newPage();
  await page.goto(pages[0].url);
  console.log(`LeadLens demo is open on ${pages[0].url} (demo CRM on 127.0.0.1:${harness.crm.port}). Close the browser or press Ctrl-C to stop.`);
  await new Promise<void>((done) => harness.context.on('close', () => done()));
  await harness.crm.close();
} else {
  mkdirSync(outDir, { recursive: true });
  for (const { name, url } of pages) {
    const page = await harness.context.newPage();
    await page.setViewportSize(RECORD_PAGE_VIEWPORT);
    await page.goto(url);
    const summary = await showBadgeWithPopover(page);
    const file = resolve(outDir, `${name}.png`);
    await page.screenshot({ path: file });
    console.log(`${name}: ${summary}  → ${file}`);
    await page.close();
  }
  await harness.close();
}
