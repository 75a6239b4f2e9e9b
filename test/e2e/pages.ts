/**
 * Helpers for tests and scripts that drive the extension's own pages (side panel, options)
 * in the harness's Chromium.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { Harness } from './harness';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function openExtensionPage(harness: Harness, path: 'sidepanel.html' | 'options.html'): Promise<Page> {
  const page = await harness.context.newPage();
  await page.goto(`chrome-extension://${harness.extensionId}/${path}`);
  return page;
}

/** Through the options page's own demo-mode button, as a new admin would. */
export async function loadDemoDataThroughUi(harness: Harness): Promise<void> {
  const options = await openExtensionPage(harness, 'options.html');
  await options.getByRole('button', { name: 'Load demo data' }).click();
  await options.getByTestId('demo-loaded').waitFor({ timeout: 60_000 });
  await options.close();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated, not injected as a <script>: the extension pages' CSP allows no inline script.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; impact?: string | null; help: string; nodes: unknown[] }[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.length }));
  });
}

/** Press Tab until `isTarget` holds for the focused element; false if it never does. */
export async function tabUntil(page: Page, isTarget: () => boolean, maxPresses = 80): Promise<boolean> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(isTarget)) return true;
  }
  return false;
}
