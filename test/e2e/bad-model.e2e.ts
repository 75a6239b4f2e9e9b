/**
 * A damaged active model (corrupt ONNX bytes, a manifest that fails its schema) must give a
 * clear message in the badge, never a blank badge or an error in the page, and switching
 * back to the bundled model must score again.
 *
 * The damage is written straight into the extension's IndexedDB from one of its pages, as
 * a disk fault or a bad import would leave it.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesforceLeadUrl, startHarness, type Harness } from './harness';
import { withLeadLensDb } from './idb';

const BADGE = 'leadlens-badge';
const bundledManifest = JSON.parse(readFileSync('models/manifest.json', 'utf8'));

let harness: Harness;
let extensionPage: Page;

beforeAll(async () => {
  harness = await startHarness();
  // Score once so the background has created the database.
  const page = await harness.context.newPage();
  await page.goto(salesforceLeadUrl(harness.crm.leads[0].salesforceId));
  await page.locator(`${BADGE}[data-leadlens-state="scored"]`).waitFor({ timeout: 20_000 });
  await page.close();
  extensionPage = await harness.context.newPage();
  await extensionPage.goto(`chrome-extension://${harness.extensionId}/options.html`);
});

afterAll(async () => {
  await harness.close();
});

/** Store `model` in the extension's database and make it (or, with no model, the bundled one) active. */
async function installActiveModel(model: { id: string; manifest: unknown; onnx: number[] } | null) {
  await withLeadLensDb(
    extensionPage,
    async ({ db }, { model, bundledId }) => {
      const transaction = db.transaction(['models', 'settings'], 'readwrite');
      if (model) {
        transaction.objectStore('models').put({
          id: model.id,
          origin: 'imported',
          manifest: model.manifest,
          onnx: new Uint8Array(model.onnx),
          addedAt: Date.now(),
        });
      }
      transaction.objectStore('settings').put({ key: 'activeModelId', value: model?.id ?? bundledId });
      await new Promise((resolve, reject) => {
        transaction.oncomplete = resolve;
        // A failed put aborts the transaction, which then holds the put's error.
        transaction.onabort = () => reject(transaction.error);
      });
    },
    { model, bundledId: bundledManifest.modelId as string },
  );
}

async function badgeOnLead(index: number) {
  const page = await harness.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(salesforceLeadUrl(harness.crm.leads[index].salesforceId));
  const badge = page.locator(`${BADGE}:not([data-leadlens-state="loading"])`);
  await badge.waitFor({ timeout: 20_000 });
  const state = await badge.getAttribute('data-leadlens-state');
  await page.locator(`${BADGE} button`).hover();
  const popover = await page.locator(`${BADGE} [role="region"]`).innerText();
  await page.close();
  return { state, popover, pageErrors };
}

describe('a damaged active model', () => {
  it('says the model file is not an ONNX model when model.onnx is corrupt', async () => {
    const garbage = Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256);
    await installActiveModel({ id: 'corrupt-onnx', manifest: { ...bundledManifest, modelId: 'corrupt-onnx' }, onnx: garbage });
    const badge = await badgeOnLead(5);
    expect(badge.state).toBe('error');
    expect(badge.popover).toContain('LeadLens could not score this lead');
    expect(badge.popover).toMatch(/model\.onnx is not an ONNX model \(or is damaged\)/);
    expect(badge.pageErrors).toEqual([]);
  });

  it('names the failing field when the manifest fails its schema', async () => {
    const broken = { ...bundledManifest, modelId: 'broken-manifest', tiers: { ...bundledManifest.tiers, hot: 'high' } };
    await installActiveModel({ id: 'broken-manifest', manifest: broken, onnx: [] });
    const badge = await badgeOnLead(6);
    expect(badge.state).toBe('error');
    expect(badge.popover).toMatch(/The model manifest is invalid: tiers\.hot/);
    expect(badge.pageErrors).toEqual([]);
  });

  it('scores again once the bundled model is active', async () => {
    await installActiveModel(null);
    const badge = await badgeOnLead(7);
    expect(badge.state).toBe('scored');
  });
});
