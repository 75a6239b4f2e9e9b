/**
 * The options page with demo data, in real Chromium: demo mode, the model report, a tier
 * policy change that re-tiers stored leads and open badges, model versions (import checks,
 * activate, roll back, export, delete), data and privacy (counts, purge), keyboard use and
 * no serious accessibility violations.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledManifest } from '../bundled-model-session';
import { trainingDeciles } from '../../lib/ml/score-drift';
import { DEMO_LEAD_COUNT, demoStoredLeads } from '../../lib/crm/demo-leads';
import { outcomeSettled } from '../../lib/ml/outcome-rule';
import { CHECK_DEADLINE_MS } from '../../lib/ml/check-in-worker';
import { withCubicBranch } from '../fixtures/onnx-models';
import { salesforceLeadUrl, startHarness, type Harness } from './harness';
import { loadDemoDataThroughUi, openExtensionPage, seriousA11yViolations, tabUntil } from './pages';
import { sidewaysFaults } from './reflow';

let harness: Harness;
let options: Page;
const bundled = bundledManifest();

beforeAll(async () => {
  harness = await startHarness();
  await loadDemoDataThroughUi(harness);
  options = await openExtensionPage(harness, 'options.html');
});

afterAll(async () => {
  await harness?.close();
});

const section = (id: string) => options.locator(`section#${id}`);

async function importFiles(manifest: string, onnx: Buffer) {
  const versions = section('versions');
  await versions.locator('input[name="manifest"]').setInputFiles({ name: 'manifest.json', mimeType: 'application/json', buffer: Buffer.from(manifest) });
  await versions.locator('input[name="onnx"]').setInputFiles({ name: 'model.onnx', mimeType: 'application/octet-stream', buffer: onnx });
  await versions.getByRole('button', { name: 'Import model' }).click();
}

const activeRow = () => section('versions').locator('tbody tr', { hasText: '(active)' }).getAttribute('data-model-id');

describe('options page', () => {
  it('may store as much as the disk holds, exempt from eviction when it runs low (its trained models, tier policies, synced leads)', async () => {
    // Chrome gives an extension with unlimitedStorage all the disk's free space (an origin without
    // it a share of it: 10.7 GB of 82 GB free here) and keeps its data when it evicts others'.
    const { bavail, bsize } = statfsSync(tmpdir());
    const { quota = 0 } = await options.evaluate(() => navigator.storage.estimate());
    expect(quota).toBeGreaterThan(0.9 * bavail * bsize);
  });

  it('lets its pages send requests to the CRMs’ APIs alone, whatever code asks (its content security policy)', async () => {
    const blocked = await options.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.effectiveDirective} ${event.blockedURI}`));
      const tried = (url: string) => fetch(url).then(() => 'answered', () => 'failed');
      await Promise.all(['https://example.com/collect', 'https://api.hubapi.com/crm/v3/objects/contacts?limit=1'].map(tried));
      // Nor an image, a style sheet's url() or a frame: each would carry what its URL says to another host as well.
      const image = new Image();
      const imageDone = new Promise((resolve) => (image.onload = image.onerror = resolve));
      image.src = 'https://example.com/pixel.png?lead=1';
      const style = document.createElement('style');
      style.textContent = 'html { background-image: url(https://example.com/background.png?lead=2); }';
      document.head.append(style);
      const frame = document.createElement('iframe');
      frame.src = 'https://example.com/frame?lead=3';
      document.body.append(frame);
      await imageDone;
      await new Promise((resolve) => setTimeout(resolve, 500));
      style.remove();
      frame.remove();
      return violations.sort();
    });
    // Refused by the policy before any request (the CRM's API is allowed, whatever it answers); Chrome names a frame's origin
    // only. An inline <style> is refused whole (style-src falls back to default-src 'self'); the extension's own styles are files.
    expect(blocked).toEqual(['connect-src https://example.com/collect', 'frame-src https://example.com', 'img-src https://example.com/pixel.png?lead=1', 'style-src-elem inline'].sort());
  });

  it('compares the leads scored now with the active model’s training leads, bin by bin', async () => {
    const drift = section('model').getByTestId('score-drift');
    await expect.poll(() => drift.getAttribute('data-level'), { timeout: 15_000 }).toMatch(/^(stable|moderate|major)$/);
    // The default model learnt from a file, not from one CRM: every source's stored leads are compared.
    expect(await drift.innerText()).toMatch(
      new RegExp(`Over the ${DEMO_LEAD_COUNT.toLocaleString('en-US')} stored leads it scored, the population stability index, which compares how these leads spread over the model's probability ranges with how its training leads did \\(0 when alike\\), is \\d\\.\\d\\d, `),
    );
    const { cuts, expected } = trainingDeciles(bundled.reference.probabilityPercentiles);
    const rows = section('model').locator('table.score-drift tbody tr');
    expect(await rows.count()).toBe(cuts.length + 1);
    const cells = await rows.evaluateAll((all) => all.map((row) => Array.from(row.querySelectorAll('td'), (cell) => Number.parseInt(cell.textContent ?? '', 10))));
    expect(cells.map(([training]) => training)).toEqual(expected.map((share) => Math.round(share * 100)));
    const storedShares = cells.map(([, stored]) => stored);
    expect(Math.abs(storedShares.reduce((sum, share) => sum + share, 0) - 100)).toBeLessThanOrEqual(cells.length / 2);
  });

  it('reports the active model: curves, importance, confusion matrices at each threshold, shapes or why not', async () => {
    const report = section('report');
    // Charts are drawn as the reader scrolls near them.
    await report.getByRole('heading', { name: 'Model report' }).scrollIntoViewIfNeeded();
    const roc = report.getByRole('img', { name: /^ROC curve/ });
    // The figure and its description are there at once; its drawing comes when scrolled near.
    await roc.locator('.recharts-surface').waitFor();
    // Ticks are chosen by the chart (not measured by Recharts), and each has its grid line.
    const tickLabels = (axis: string) => roc.locator(`.recharts-${axis}-tick-labels .recharts-cartesian-axis-tick-value`);
    const at = (elements: Locator, attribute: string) => elements.evaluateAll((all, name) => all.map((element) => Number(element.getAttribute(name))), attribute);
    for (const axis of ['xAxis', 'yAxis']) expect(await tickLabels(axis).allTextContents()).toEqual(['0', '25', '50', '75', '100']);
    expect(await at(roc.locator('.recharts-cartesian-grid-vertical line'), 'x1')).toEqual(await at(tickLabels('xAxis'), 'x'));
    expect(await at(roc.locator('.recharts-cartesian-grid-horizontal line'), 'y1')).toEqual(await at(tickLabels('yAxis'), 'y'));
    for (const name of [/^Precision–recall/, /^Calibration/, /^Conversion by score decile/, /^Term importance/]) {
      await expect.poll(() => report.getByRole('img', { name }).count()).toBe(1);
    }
    expect(await report.innerText()).toContain(`${bundled.provenance.rows.toLocaleString('en-US')} leads`);
    await expect.poll(() => report.locator('table', { hasText: 'Converted' }).count()).toBe(2);
    // Of the demo leads, those 30 days old or more (a younger one not converted yet may still). Loaded
    // a little before now: a lead may have turned 30 days old since, never the other way round.
    const [computedFrom] = (await report.innerText()).match(/Computed from the ([\d,]+) stored leads/)?.slice(1) ?? [];
    const now = Date.now();
    const demo = demoStoredLeads(new Date(now));
    const settledAfter = (ms: number) => demo.filter((lead) => lead.outcome !== null && outcomeSettled(lead.createdAt, now + ms)).length;
    const settled = Number(computedFrom?.replaceAll(',', ''));
    expect(settled).toBeGreaterThanOrEqual(settledAfter(0));
    expect(settled).toBeLessThanOrEqual(settledAfter(10 * 60_000));
    expect(settled).toBeLessThan(DEMO_LEAD_COUNT);
    if (bundled.terms.every((term) => term.shape)) {
      // The least important shape plot, at the bottom of the page, is not drawn until the reader gets there.
      const last = [...bundled.terms].sort((a, b) => a.importance - b.importance)[0].label;
      const plotOf = (label: string) => report.getByRole('img', { name: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`) });
      // Described from the start, drawn only near: until then its placeholder stands in.
      const placeholder = plotOf(last).getByText(/drawn when you scroll here$/);
      expect(await plotOf(last).count()).toBe(1);
      expect(await placeholder.count()).toBe(1);
      await report.locator('figcaption', { hasText: last }).last().scrollIntoViewIfNeeded();
      await expect.poll(() => placeholder.count()).toBe(0);
    } else expect(await report.innerText()).toMatch(/does not include its shape functions/);
  });

  it('applies a fixed tier policy from the keyboard: stored leads re-tier in the worker and an open badge updates', async () => {
    const crm = await harness.context.newPage();
    await crm.goto(salesforceLeadUrl(harness.crm.leads[0].salesforceId));
    const badge = crm.locator('leadlens-badge[data-leadlens-state="scored"]');
    await badge.waitFor({ timeout: 15_000 });
    const probability = Number(await badge.getAttribute('data-leadlens-probability'));
    await options.bringToFront();

    // Keyboard only: Tab to the "Fixed probabilities" radio, select it, type the thresholds, submit.
    await options.locator('body').focus();
    expect(await tabUntil(options, () => (document.activeElement as HTMLInputElement | null)?.name === 'policy', 200)).toBe(true);
    // Tab lands on the checked radio of the group; arrows move through it (wrapping).
    for (let i = 0; i < 3 && (await options.evaluate(() => (document.activeElement as HTMLInputElement).value)) !== 'fixed'; i++) {
      await options.keyboard.press('ArrowDown');
    }
    expect(await options.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('fixed');
    // Hot from just below this lead's probability: it must turn hot; warm from 0.5 %.
    const hotPercent = Math.max(0.1, Math.floor(probability * 1000 - 1) / 10);
    for (const value of [hotPercent, 0.05]) {
      await options.keyboard.press('Tab');
      await options.keyboard.press('Control+A');
      await options.keyboard.type(String(value));
    }
    expect(await tabUntil(options, () => document.activeElement?.textContent === 'Apply this policy')).toBe(true);
    await options.keyboard.press('Enter');
    await section('tiers').getByTestId('policy-applied').waitFor({ timeout: 30_000 });
    // It says which thresholds it applied: those typed, whatever preview was still on screen.
    expect(await section('tiers').getByTestId('policy-applied').innerText()).toContain('warm from 0.05% likely');
    // What the preview says the side panel will count under them, which it is to show below.
    const willCount = /will count ([\d,]+) hot .*?, ([\d,]+) warm and ([\d,]+) cold of the [\d,]+ stored /.exec(await section('tiers').getByTestId('policy-side-panel').innerText());
    expect(willCount).not.toBeNull();
    // Each policy curve marks where hot and warm start, inside its plot.
    await section('tiers').locator('figcaption', { hasText: /^ROC$/ }).scrollIntoViewIfNeeded();
    await expect.poll(() => section('tiers').locator('.chart-marker text').allTextContents()).toEqual(['Hot', 'Warm', 'Hot', 'Warm', 'Hot', 'Warm']);
    for (const chart of await section('tiers').getByRole('img').all()) {
      const numbers = (selector: string, attribute: string) => chart.locator(selector).evaluateAll((all, name) => all.map((element) => Number(element.getAttribute(name))), attribute);
      const [gridX, gridY] = [await numbers('.recharts-cartesian-grid-vertical line', 'x1'), await numbers('.recharts-cartesian-grid-horizontal line', 'y1')];
      const [cxs, cys] = [await numbers('.chart-marker circle', 'cx'), await numbers('.chart-marker circle', 'cy')];
      expect(cxs).toHaveLength(2);
      for (const cx of cxs) expect(cx >= Math.min(...gridX) && cx <= Math.max(...gridX)).toBe(true);
      for (const cy of cys) expect(cy >= Math.min(...gridY) && cy <= Math.max(...gridY)).toBe(true);
    }
    await expect.poll(() => crm.locator('leadlens-badge').getAttribute('data-leadlens-tier'), { timeout: 15_000 }).toBe('hot');
    // Stored leads: everything above 0.05 % is now warm or hot, none cold.
    const panel = await openExtensionPage(harness, 'sidepanel.html');
    await panel.locator('[data-tier-row="cold"]').waitFor({ timeout: 20_000 });
    expect(await panel.locator('[data-tier-row="cold"] td').first().innerText()).toBe('0');
    const shownCounts = await Promise.all(['hot', 'warm', 'cold'].map((tier) => panel.locator(`[data-tier-row="${tier}"] td`).first().innerText()));
    expect(shownCounts).toEqual(willCount!.slice(1, 4));
    await panel.close();
    await crm.close();
  });

  it('refuses a broken manifest and a corrupt ONNX file, leaving the active model as it was', async () => {
    const before = await activeRow();
    await importFiles(JSON.stringify({ ...bundled, modelId: 'broken', terms: 'nope' }), readFileSync('models/model.onnx'));
    await expect.poll(() => section('versions').getByRole('alert').innerText()).toMatch(/manifest is invalid: terms/);
    await importFiles(JSON.stringify({ ...bundled, modelId: 'corrupt-onnx' }), Buffer.from('not an onnx model at all'));
    await expect.poll(() => section('versions').getByRole('alert').innerText(), { timeout: 15_000 }).toMatch(/did not pass its check/);
    expect(await section('versions').locator('tbody tr').count()).toBe(1);
    expect(await activeRow()).toBe(before);
  });

  it('stops the check of a model that computes for minutes at its deadline, while badges score with the active model', async () => {
    const before = await activeRow();
    // The bundled model plus a branch cubic in the rows: the engine runs at most 1,000 rows at a time (RUN_SIZES), and
    // 1,000 products of two 1,000 x 1,000 matrices keep its first run of them computing for minutes.
    await importFiles(JSON.stringify({ ...bundled, modelId: 'cubic' }), Buffer.from(withCubicBranch(readFileSync('models/model.onnx'), 1000)));
    const alert = section('versions').getByRole('alert');
    // Meanwhile the offscreen document is free: a lead not scored before is scored by the engine there.
    const crm = await harness.context.newPage();
    await crm.goto(salesforceLeadUrl(harness.crm.leads[7].salesforceId));
    await crm.locator('leadlens-badge[data-leadlens-state="scored"]').waitFor({ timeout: 15_000 });
    expect(await alert.count()).toBe(0); // the check still runs
    await crm.close();
    await expect
      .poll(() => alert.innerText(), { timeout: CHECK_DEADLINE_MS + 30_000 })
      .toMatch(new RegExp(`did not pass its check.*model\\.onnx was still computing its check after ${CHECK_DEADLINE_MS / 1000} seconds`, 's'));
    expect(await section('versions').locator('tr[data-model-id="cubic"]').count()).toBe(0);
    expect(await activeRow()).toBe(before);
  }, CHECK_DEADLINE_MS + 60_000);

  it('imports a good model, activates it, rolls back, exports and deletes it', async () => {
    await importFiles(JSON.stringify({ ...bundled, modelId: 'imported-copy' }), readFileSync('models/model.onnx'));
    await section('versions').getByText(/Imported imported-copy/).waitFor({ timeout: 15_000 });
    expect(await activeRow()).toBe(bundled.modelId);
    await section('versions').getByRole('button', { name: 'Activate imported-copy' }).click();
    await expect.poll(activeRow, { timeout: 30_000 }).toBe('imported-copy');
    await section('versions').getByRole('button', { name: `Roll back to ${bundled.modelId}` }).click();
    await expect.poll(activeRow, { timeout: 30_000 }).toBe(bundled.modelId);

    const downloads: string[] = [];
    options.on('download', (download) => downloads.push(download.suggestedFilename()));
    await section('versions').getByRole('button', { name: 'Export imported-copy' }).click();
    await expect.poll(() => downloads.sort()).toEqual(['imported-copy.manifest.json', 'imported-copy.model.onnx']);

    await section('versions').getByRole('button', { name: 'Delete imported-copy' }).click();
    await section('versions').getByRole('button', { name: 'Yes, delete imported-copy' }).click();
    await expect.poll(() => section('versions').locator('tr[data-model-id="imported-copy"]').count()).toBe(0);
  });

  it('has no serious accessibility violations', async () => {
    expect(await seriousA11yViolations(options)).toEqual([]);
  });

  it('shows what is stored per source and purges everything', async () => {
    await options.reload();
    const stored = section('privacy').getByTestId('stored-data');
    // The demo leads, counted apart from leads synced from either CRM.
    await expect.poll(() => stored.innerText(), { timeout: 15_000 }).toContain(`Demo leads: ${DEMO_LEAD_COUNT.toLocaleString('en-US')}`);
    expect(await stored.innerText()).toContain('Leads from Salesforce: 0');
    expect(await stored.innerText()).toContain('Leads from HubSpot: 0');
    expect(await section('privacy').innerText()).toMatch(/nothing but LeadLens's calls to your own CRM/);
    await section('privacy').getByRole('button', { name: 'Purge everything…' }).click();
    await section('privacy').getByRole('button', { name: 'Yes, purge everything' }).click();
    await expect.poll(() => stored.innerText(), { timeout: 15_000 }).toContain('Demo leads: 0');
    expect(await stored.innerText()).toContain('Stored lead scores: 0');
  });

  it('reads the stored data again when a scoring this page did not start ends', async () => {
    const stored = section('privacy').getByTestId('stored-data');
    // Another options tab loads the demo data: its scoring job ends there, not here.
    await loadDemoDataThroughUi(harness);
    await expect.poll(() => stored.innerText(), { timeout: 15_000 }).toContain(`Stored lead scores: ${DEMO_LEAD_COUNT.toLocaleString('en-US')}`);
  });
});

describe('options page at 400 % zoom of a 1,280 px window (320 CSS px)', () => {
  it('scrolls only its wide tables sideways, each in a named region reached by keyboard, the page not at all (242 px before), its charts shrunk to fit', async () => {
    await options.setViewportSize({ width: 320, height: 900 });
    await options.reload();
    await section('versions').locator('table.versions tbody tr').first().waitFor({ timeout: 15_000 });
    await options.evaluate(() => document.querySelectorAll('details').forEach((details) => (details.open = true)));
    // Every chart drawn: each is drawn as the reader scrolls near it.
    for (let y = 0; y < (await options.evaluate(() => document.documentElement.scrollHeight)); y += 600) {
      await options.evaluate((top) => window.scrollTo(0, top), y);
      await options.waitForTimeout(50);
    }
    await expect.poll(() => options.getByText(/drawn when you scroll here$/).count()).toBe(0);
    // A box becomes a region once it is measured narrower than its table.
    await expect.poll(() => options.evaluate(sidewaysFaults)).toEqual({ pageOverflow: 0, pastThePage: [], tablesOutsideRegions: [], wideTables: expect.any(Number) });
    expect((await options.evaluate(sidewaysFaults)).wideTables).toBeGreaterThan(0);
  });
});
